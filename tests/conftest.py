"""Test-wide settings.

Hypothesis: no per-example deadline (tests never assert timings; performance lives in benchmarks/), and
in CI (``CI`` set) a derandomized search, so a run is repeatable: the same examples every time. Locally
the search stays random, so new counterexamples can still turn up while developing.
"""

import io
import os
from pathlib import Path

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


# ---------------------------------------------------------------------------------------------------
# Billing data built once per run (issue 19: CI time). Generating a bill and normalising it into canonical
# Parquet cost seconds each; tests that need the same bill share one, read-only.

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "focus" / "focus_sample_1.0_1000.csv"


@pytest.fixture(scope="session")
def billing_cache(tmp_path_factory):
    """One cache folder for canonical data and query results, for the whole run."""
    return tmp_path_factory.mktemp("billing-cache")


@pytest.fixture(scope="session")
def generated_bill(tmp_path_factory):
    """``generated_bill(resources, days, seed)``: the generator's `Truth` for that bill, generated once per
    run for each set of arguments (its Parquet file is ``truth.path``). Read it, never write to it."""
    from costlib import synthetic_focus

    made: dict = {}

    def make(resources: int, days: int, seed: int):
        key = (resources, days, seed)
        if key not in made:
            folder = tmp_path_factory.mktemp(f"bill-r{resources}-d{days}-s{seed}")
            made[key] = synthetic_focus.generate(folder / "bill.parquet", resources=resources, days=days, seed=seed)
        return made[key]

    return make


@pytest.fixture(scope="session")
def focus_sample(billing_cache):
    """The real FOCUS 1.0 sample from ../shared (never copied), normalised once per run."""
    from costlib import billing

    if not SAMPLE.is_file():
        pytest.fail(f"the FOCUS sample is missing: {SAMPLE} (../shared must sit beside the checkout)")
    return billing.open_billing(SAMPLE, cache_dir=billing_cache)
