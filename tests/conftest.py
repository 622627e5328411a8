"""Test-wide settings.

Hypothesis: no per-example deadline (tests never assert timings; performance lives in benchmarks/), and
in CI (``CI`` set) a derandomized search, so a run is repeatable: the same examples every time. Locally
the search stays random, so new counterexamples can still turn up while developing.
"""

import os

from hypothesis import settings

settings.register_profile("costbook", deadline=None, print_blob=True)
settings.register_profile("costbook-ci", deadline=None, print_blob=True, derandomize=True)
settings.load_profile("costbook-ci" if os.environ.get("CI") else "costbook")
