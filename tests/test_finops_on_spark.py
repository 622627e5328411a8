"""Workbook 06 end to end on Spark: every FinOps scenario, same headline and verdicts as on DuckDB.

Each scenario in ``params/finops/`` reads a bill (a generated one, or ``billing_data``). It is analysed as
committed (``billing_engine: duckdb``, shared with the other whole-family tests through
`tests.workbook_scenarios.analysed`) and again with ``billing_engine: spark`` on one local Spark session
(``local[2]``) for the whole module: every headline figure must agree to 1e-9 relative (both engines
compute P99 by linear interpolation; sums differ only in the order of addition), every text figure and
every verdict must be equal, and the Spark analysis must really have queried Spark (its `BillingData`
engine is ``"spark"`` and it recorded pulls). One scenario also goes through ``costbook run`` on both
engines: the two results JSON files are equal but for the scenario's own ``billing_engine`` key.

Needs Java 17 and the ``spark`` extra (``make test EXTRAS=dev,spark``). Without them the tests skip with
one line saying so, unless ``COSTBOOK_REQUIRE_SPARK=1`` (set by ``.ci/run``), when they fail instead.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import os
from pathlib import Path

import pytest
import yaml

from costlib import billing, params
from conftest import require_spark
from tests import workbook_scenarios as S

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
FINOPS = sorted((ROOT / "params" / "finops").glob("*.yaml"))
RTOL = 1e-9


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """One Spark session for the module: `billing.spark_session` is get-or-create, so every scenario's
    ``billing_engine: spark`` open reuses it instead of starting its own.

    The module's billing cache is a new folder (``$COSTBOOK_CACHE_DIR``, the papermill kernels inherit it),
    so no Spark result is read back from an earlier run: each query runs on Spark at least once here (a
    later scenario on the same bill may reuse a result computed on Spark by an earlier one).
    """
    require_spark()
    before = os.environ.get("COSTBOOK_CACHE_DIR")
    os.environ["COSTBOOK_CACHE_DIR"] = str(tmp_path_factory.mktemp("spark-billing-cache"))
    session = billing.spark_session()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        if before is None:
            os.environ.pop("COSTBOOK_CACHE_DIR", None)
        else:
            os.environ["COSTBOOK_CACHE_DIR"] = before


def same_value(left, right) -> bool:
    """Equal figures: numbers to 1e-9 relative (NaN equals NaN), anything else exactly.

    >>> same_value(1.0, 1.0 + 1e-12), same_value(1.0, 1.001), same_value(float("nan"), float("nan"))
    (True, False, True)
    >>> same_value("buy", "buy"), same_value(None, 0.0)
    (True, False)
    """
    numeric = (isinstance(left, numbers.Real) and isinstance(right, numbers.Real)
               and not isinstance(left, bool) and not isinstance(right, bool))
    if numeric:
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=RTOL, abs_tol=1e-12)
    return left == right


def same_record(left, right) -> bool:
    """Equal plain data (dicts, lists, values), numbers compared by `same_value`.

    >>> same_record({"a": [1.0, "x"]}, {"a": [1.0 + 1e-13, "x"]}), same_record({"a": 1}, {"b": 1})
    (True, False)
    """
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_record(left[k], right[k]) for k in left)
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(same_record(a, b) for a, b in zip(left, right))
    return same_value(left, right)


def _verdicts(wb, analysis) -> list[tuple]:
    return [(d.question, d.verdict, tuple(d.rests_on)) for d in wb.decisions(analysis)]


def test_every_finops_scenario_reads_a_bill():
    """The parametrisation below covers them all: each opens a bill, generated or ``billing_data``."""
    assert len(FINOPS) >= 9
    for path in FINOPS:
        wb, _, analysis = S.analysed("costlib.workbooks.finops", path)
        assert isinstance(analysis.data, billing.BillingData), path.name


@pytest.mark.parametrize("path", FINOPS, ids=lambda p: p.stem)
def test_scenario_on_spark_equals_duckdb(spark, path):
    wb, p, on_duckdb = S.analysed("costlib.workbooks.finops", path)
    assert p.billing_engine == "duckdb"
    on_spark = wb.analyse(p.model_copy(update={"billing_engine": "spark"}))
    assert on_spark.data.engine == "spark" and on_duckdb.data.engine == "duckdb"
    assert on_spark.data.pulls, "the Spark analysis pulled nothing: it did not query the engine"

    assert list(on_spark.headline) == list(on_duckdb.headline)
    differ = {k: (on_duckdb.headline[k], on_spark.headline[k]) for k in on_duckdb.headline
              if not same_value(on_duckdb.headline[k], on_spark.headline[k])}
    assert not differ, differ
    assert _verdicts(wb, on_spark) == _verdicts(wb, on_duckdb)
    for left, right in zip(wb.decisions(on_duckdb), wb.decisions(on_spark)):
        assert same_value(left.agreement, right.agreement), (left.question, left.agreement, right.agreement)
    # what the reader found and the invariants checked on Spark: the same quality record
    # (the files by size and SHA-256: the Spark side's generated bill sits in the module's own cache folder)
    assert same_record(_without_paths(on_spark.data.quality.to_dict()), _without_paths(on_duckdb.data.quality.to_dict()))


def _without_paths(quality: dict) -> dict:
    return {**quality, "files": [{k: v for k, v in f.items() if k != "path"} for f in quality["files"]]}


#: What differs between the two runs by construction: the scenario's engine key, its file (path and hash:
#: the two scenario files differ in that key) and the time each report was produced.
RUN_KEYS = {"billing_engine", "params_file", "params_sha256", "produced_at_utc"}


def _without_engine(value):
    """The results JSON without `RUN_KEYS` (the one input that differs, and where and when it ran)."""
    if isinstance(value, dict):
        return {k: _without_engine(v) for k, v in value.items() if k not in RUN_KEYS}
    if isinstance(value, list):
        return [_without_engine(v) for v in value]
    return value


def test_costbook_run_on_spark_writes_the_duckdb_results(spark, tmp_path):
    """``costbook run`` (the runner behind the CLI, papermill kernel and all) of the default generated-bill
    scenario with ``billing_engine: duckdb`` and with ``spark``: the same results JSON."""
    from costlib import runner

    source = ROOT / "params" / "finops" / "default_generated_bill.yaml"
    scenario = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    results = {}
    for engine in ("duckdb", "spark"):
        folder = tmp_path / engine / "finops"
        folder.mkdir(parents=True)
        target = folder / source.name
        target.write_text(yaml.safe_dump({**scenario, "billing_engine": engine}, sort_keys=False), encoding="utf-8")
        assert params.load(target, ROOT).billing_engine == engine
        log = io.StringIO()
        outputs = tmp_path / f"out-{engine}"
        code = runner.run([str(target)], outputs_dir=str(outputs), progress=False, stream=log, root=ROOT)
        assert code == 0, log.getvalue()
        results[engine] = json.loads((outputs / "finops" / f"{source.stem}.json").read_text(encoding="utf-8"))
    duck, on_spark = (_without_engine(results[e]) for e in ("duckdb", "spark"))
    assert duck.keys() == on_spark.keys()
    for key in duck:
        if key == "headline":
            assert duck[key].keys() == on_spark[key].keys()
            assert all(same_value(duck[key][k], on_spark[key][k]) for k in duck[key]), key
        else:
            assert duck[key] == on_spark[key], key
