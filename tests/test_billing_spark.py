"""The same billing queries on DuckDB and on Spark: every query in `billing_queries.QUERIES`, same results.

Runs Ibis's PySpark backend on a local Spark (``local[2]``) over the same canonical Parquet files that the
DuckDB backend scans: generated FOCUS 1.2 data with known answers, the real FOCUS 1.0 sample, and the
hand-made bill of tests/focus_use_case_bill.py, which carries every column the FOCUS use-case queries read
(SkuPriceDetails, PricingCurrency, capacity reservations, corrections...), so each of them returns rows on
at least that bill.
Both backends compute the P99 with the same definition (linear interpolation: DuckDB ``quantile_cont``,
Spark's exact ``percentile``), so every figure must agree to 1e-9 relative; row order is not compared
(backends order groups differently), rows are sorted on their keys first.

Needs Java 17 and the ``spark`` extra (``make test EXTRAS=dev,spark``). Without them the tests skip with
one line saying so, unless ``COSTBOOK_REQUIRE_SPARK=1`` (set by ``.ci/run``), when they fail instead.
"""

from __future__ import annotations


import pandas as pd
import pytest

from costlib import billing
from costlib import billing_queries as Q
from tests.focus_use_case_bill import write_bill

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def datasets(generated_bill, billing_cache, focus_sample, tmp_path_factory):
    truth = generated_bill(250, 21, 11)  # the bill and the sample built once per run (tests/conftest.py)
    generated = billing.open_billing(truth.path, cache_dir=billing_cache)
    folder = tmp_path_factory.mktemp("spark-use-cases")
    use_cases = billing.open_billing(write_bill(folder / "use_cases.csv"), cache_dir=billing_cache)
    return {"generated": generated, "sample": focus_sample, "use_cases": use_cases}


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable frames: timestamps as UTC, numbers as float, rows sorted on every non-float column."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = pd.to_datetime(out[column], utc=True).dt.as_unit("us")
        elif pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype("float64")
        else:
            out[column] = out[column].astype("object").where(out[column].notna(), None)
    keys = [c for c in out.columns if out[c].dtype != "float64"] or list(out.columns)
    return out.sort_values(keys, na_position="first", kind="mergesort").reset_index(drop=True)


def _sample_arguments(arguments: dict) -> dict:
    """The sample's own tag keys (its rows carry environment, application, env, org...)."""
    out = dict(arguments)
    if "key" in out and out["key"] is not None:
        out["key"] = "environment"
    if "keys" in out:
        out["keys"] = ["environment", "env", "org"]
    if "also_tags" in out:
        out["also_tags"] = ["application", "env"]
    return out


def test_every_query_the_workbook_runs_is_in_queries():
    """The workbook module names its queries through `billing_queries` functions; each of those functions
    has an entry in QUERIES (so this test compares it on both backends)."""
    import inspect

    from costlib.workbooks import finops

    source = inspect.getsource(finops)
    used = {name for name in dir(Q) if callable(getattr(Q, name)) and f"Q.{name}" in source}
    covered = {function.__name__ for function, _ in Q.QUERIES.values()}
    assert used - {"focus_table"} <= covered, sorted(used - covered)


def _must_return_rows(dataset: str, name: str) -> bool:
    """The workbook's queries return rows on the generated bill and the sample (one may be empty:
    billed_without_effective); a use-case query on the hand-made bill that carries its columns (the others
    may lack them: the sample has no InvoiceId, neither has SkuPriceDetails)."""
    if name in Q.USE_CASE_QUERIES:
        return dataset == "use_cases"
    if name in GENERATED_ONLY:  # filtered to the generated bill's services and alerts
        return dataset == "generated"
    return dataset != "use_cases" and name != "billed_without_effective"


#: Queries whose default arguments name the generated bill's own series (alerts on its services, its node
#: and EC2 services): rows there, none on the other bills (still run and compared on both backends).
GENERATED_ONLY = {"alert_drivers_daily", "alert_drivers_hourly", "resource_summary_nodes",
                  "resource_summary_rightsizing"}


@pytest.mark.parametrize("dataset", ["generated", "sample", "use_cases"])
@pytest.mark.parametrize("name", list(Q.QUERIES))
def test_query_agrees_on_duckdb_and_spark(spark, datasets, dataset, name):
    data = datasets[dataset]
    function, arguments = Q.QUERIES[name]
    if dataset == "sample":
        arguments = _sample_arguments(arguments)
    if "dimensions" in arguments:  # a custom column the data lacks (the sample has no x_StorageClass): the
        # same query grouped by a FOCUS column instead, so every query runs on both datasets, none skipped
        arguments = {**arguments, "dimensions": [d if not d.startswith("x_") or d in data.custom_columns
                                                 else "ServiceCategory" for d in arguments["dimensions"]]}
    on_spark = data.on(billing.spark_backend(data.canonical, spark))
    duck = data.on(billing.duckdb_backend(data.canonical))  # uncached: both sides really run
    left = _normalise(duck.query(function, **arguments))
    right = _normalise(on_spark.query(function, **arguments))
    assert list(left.columns) == list(right.columns)
    assert len(left) == len(right)
    assert len(left) > 0 or not _must_return_rows(dataset, name)
    pd.testing.assert_frame_equal(left, right, check_dtype=False, rtol=1e-9, atol=1e-12)
