"""The engine as a parameter: `billing.open_billing(path, engine="spark")` gives the quality findings and
query results of ``engine="duckdb"`` (the invariants and every query run on Spark), results are cached
per engine, and a missing engine package is one line naming the extra.

Needs Java 17 and the ``spark`` extra for the Spark half (skips with one line otherwise, fails instead
under ``COSTBOOK_REQUIRE_SPARK=1``).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from costlib import billing
from costlib import billing_queries as Q
from costlib import synthetic_focus as S
from costlib.errors import BillingDataError
from conftest import require_spark
from tests.test_billing_spark import _normalise


def test_a_missing_engine_package_is_one_line_naming_the_extra(monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a))
    with pytest.raises(BillingDataError) as info:
        billing.open_billing(tmp_path / "none.parquet", engine="spark")
    assert str(info.value) == "billing_engine = 'spark' needs the pyspark package: pip install -e '.[spark]'"
    with pytest.raises(BillingDataError, match="expected one of 'duckdb', 'spark'"):
        billing.open_billing(tmp_path / "none.parquet", engine="sqlite")


@pytest.mark.spark
def test_spark_engine_gives_the_duckdb_findings_and_results(tmp_path):
    require_spark()
    S.generate(tmp_path / "bill.parquet", resources=40, days=14, seed=2)
    cache = tmp_path / "cache"
    duck = billing.open_billing(tmp_path / "bill.parquet", cache_dir=cache)
    spark = billing.open_billing(tmp_path / "bill.parquet", cache_dir=cache, engine="spark", spark_master="local[2]")
    try:
        assert spark.engine == "spark" and duck.engine == "duckdb"
        left, right = (json.loads(json.dumps(d.quality.to_dict(), default=str)) for d in (duck, spark))
        for side in (left, right):  # the invariants are floating-point sums: compared to 1e-9 below
            side.pop("totals"), side.pop("commitments"), side.pop("list_cost")
        assert left == right
        for a, b in ((duck.quality.totals, spark.quality.totals), (duck.quality.commitments, spark.quality.commitments)):
            pd.testing.assert_frame_equal(_normalise(pd.DataFrame(a)), _normalise(pd.DataFrame(b)), rtol=1e-9)
        assert duck.quality.list_cost["rows_off"] == spark.quality.list_cost["rows_off"]
        for name in ("daily_cost_by_service_account", "resource_summary_untagged", "alert_drivers_daily",
                     "tag_coverage"):
            pd.testing.assert_frame_equal(_normalise(duck.query(name)), _normalise(spark.query(name)),
                                          check_dtype=False, rtol=1e-9, atol=1e-12)
        results = {p.name for p in (duck.canonical.parent / "results").glob("*.parquet")}
        assert len(results) >= 2 * 4  # one result file per engine and query: never shared
    finally:
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        if session is not None:
            session.stop()
