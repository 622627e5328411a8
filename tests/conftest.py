"""Test-wide settings.

Hypothesis: no per-example deadline (tests never assert timings; performance lives in benchmarks/), and
in CI (``CI`` set) a derandomized search, so a run is repeatable: the same examples every time. Locally
the search stays random, so new counterexamples can still turn up while developing.
"""

import hashlib
import io
import os
import shutil
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


# ---------------------------------------------------------------------------------------------------
# Bad input: a project copy where starting a worker (and so a kernel) fails the test.

ROOT = Path(__file__).resolve().parents[1]


def no_kernel_project(tmp_path, monkeypatch, scenarios, previous_suffixes) -> Path:
    """A project copy (notebooks, pricebook and the given ``(topic, name)`` scenarios) with a previous
    report of the first scenario in ``outputs/`` (one file per suffix) and a previous index, where starting
    a worker fails the test. The working directory is the copy."""
    from costlib import runner

    root = tmp_path / "project"
    (root / "params").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copy(ROOT / "params" / "pricebook.yaml", root / "params" / "pricebook.yaml")
    for topic, name in scenarios:
        (root / "params" / topic).mkdir(exist_ok=True)
        shutil.copy(ROOT / "params" / topic / f"{name}.yaml", root / "params" / topic / f"{name}.yaml")
    topic, name = scenarios[0]
    out = root / "outputs" / topic
    out.mkdir(parents=True)
    for suffix in previous_suffixes:
        (out / f"{name}.{suffix}").write_text(f"the previous {suffix}")
    (root / "outputs" / "index.html").write_text("the previous index")

    class NoKernels:
        def __init__(self, *args, **kwargs):
            raise AssertionError("a worker (and its kernel) was started for bad input")

    monkeypatch.setattr(runner, "_Pool", NoKernels)
    monkeypatch.chdir(root)
    return root


def snapshot(folder: Path) -> dict:
    """Every path under ``folder`` with the SHA-256 of each file's bytes (``"dir"`` for folders)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


# ---------------------------------------------------------------------------------------------------
# Spark: the DuckDB-vs-Spark proofs skip without Java or pyspark, unless CI requires them.


@pytest.fixture(scope="module")
def spark():
    """A Spark session for one test module (`costlib.billing.spark_session`, logging errors only), stopped
    at the module's end; skipped (or failed under ``COSTBOOK_REQUIRE_SPARK=1``) without Spark."""
    from costlib import billing

    require_spark()
    session = billing.spark_session()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def require_spark() -> None:
    """Skip the calling test (or fixture) when Java 17 or pyspark is missing, with one line saying which;
    with ``COSTBOOK_REQUIRE_SPARK=1`` (set by ``.ci/run``) fail instead, so CI cannot skip the proof."""
    missing = None
    if shutil.which("java") is None:
        missing = "no java on PATH (install openjdk-17-jre-headless)"
    else:
        try:
            import pyspark  # noqa: F401  (only whether it imports)
        except ImportError:
            missing = "pyspark is not installed (pip install -e '.[spark]')"
    if missing:
        if os.environ.get("COSTBOOK_REQUIRE_SPARK") == "1":
            pytest.fail(f"Spark not available but COSTBOOK_REQUIRE_SPARK=1: {missing}")
        pytest.skip(f"Spark not available: skipped ({missing})")
