"""Test-wide settings.

Hypothesis: no per-example deadline (tests never assert timings; performance lives in benchmarks/), and
in CI (``CI`` set) a derandomized search, so a run is repeatable: the same examples every time. Locally
the search stays random, so new counterexamples can still turn up while developing.
"""

import io
import os

import pytest
from hypothesis import settings

settings.register_profile("costbook", deadline=None, print_blob=True)
settings.register_profile("costbook-ci", deadline=None, print_blob=True, derandomize=True)
settings.load_profile("costbook-ci" if os.environ.get("CI") else "costbook")


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    """Run every scenario once (``costbook run`` into a temporary folder); return the outputs folder, the
    exit code and the runner's log. Shared by the scenario tests and the export tests."""
    from costlib import runner

    outputs = tmp_path_factory.mktemp("outputs")
    log = io.StringIO()
    code = runner.run(None, outputs_dir=str(outputs), progress=False, stream=log)
    return outputs, code, log.getvalue()
