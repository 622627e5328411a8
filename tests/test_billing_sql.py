"""The normaliser's quality scan written once (`costlib.billing_sql`), run by DuckDB and by Spark itself.

Spark reads the raw files with its own CSV and Parquet readers (`billing_sql.spark_raw_view`) and runs the
Spark rendering of the same checks (`billing._quality_scan` with `billing_sql.SparkSql`); the counts must
equal DuckDB's on messy bills written here: null tokens in every case, padding with spaces and no-break
spaces, money text, Java-only number literals (``1d``) that DuckDB does not read, infinities, slash dates
both ways, enumeration drift, in CSV and in Parquet (text and typed columns), and two files unioned.

The Spark half needs Java 17 and the ``spark`` extra (skipped with one line otherwise, failed under
``COSTBOOK_REQUIRE_SPARK=1``).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from costlib import billing, billing_sql
from tests.test_billing import HEADER, _row


def test_zs_is_what_duckdb_trim_strips():
    """Every code point (surrogates aside) that DuckDB's trim removes from the end of ``'x' || c``."""
    stripped = duckdb.connect().execute(
        "SELECT list(i ORDER BY i) FROM range(1, 1114112) t(i) WHERE (i < 55296 OR i > 57343) "
        "AND length(trim('x' || chr(i::INT))) = 1").fetchone()[0]
    assert tuple(stripped) == billing_sql.ZS


def test_duckdb_rendering_is_the_sql_the_normaliser_ran():
    """The DuckDB dialect writes the primitives as they were written before there was a dialect."""
    assert billing._text("A", "VARCHAR") == (
        "(CASE WHEN trim(\"A\") = '' OR upper(trim(\"A\")) IN ('NULL') THEN NULL ELSE trim(\"A\") END)")
    assert billing._number_sql("A", "DOUBLE") == (
        '(CASE WHEN isfinite(TRY_CAST("A" AS DOUBLE)) THEN TRY_CAST("A" AS DOUBLE) END)')


#: Rows written by hand, each with one messy value (the other columns as `_row` writes them).
MESSY_ROWS = [
    _row(),
    _row(ServiceName=" VMs", BilledCost="$2.00", ChargeCategory="usage"),
    _row(ServiceName="VMs\u00a0", BilledCost="1d", ChargePeriodStart="11/02/2026"),
    _row(ServiceName="null", BilledCost="inf", ChargePeriodStart="11/03/2026 01:00"),
    _row(ServiceName=" Null ", ListCost="1,000.50", ChargePeriodStart="2026-11-04"),
    _row(ServiceName="", ListUnitPrice="n/a", ChargeCategory="USAGE", ChargePeriodStart="2026-11-05 00:00:00"),
    _row(ResourceId="NULL", PricingQuantity=" 3 ", ChargeCategory="Refund", ChargePeriodStart="NULL"),
    _row(ContractedCost="-€1,234.5", ChargePeriodStart="2026-11-06T00:00:00+05:00"),
    _row(ContractedCost="0x1p3", ChargePeriodStart="2026-11-06 00:00:00 UTC"),
]


def _scans(spark, files, by_value: bool) -> tuple[dict, dict]:
    con = duckdb.connect()
    con.execute(f"CREATE TEMP VIEW raw AS {billing._raw_relation(files)}")
    on_duckdb = billing._quality_scan(con, billing._raw_types(con, "raw"), by_value=by_value)
    raw_types = billing_sql.spark_raw_view(spark, files, billing._kind)
    on_spark = billing._quality_scan(billing_sql.SparkSql(spark), raw_types, by_value=by_value)
    return on_duckdb, on_spark


@pytest.mark.spark
def test_scan_on_spark_equals_duckdb_on_a_messy_csv_in_two_files(spark, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame(MESSY_ROWS[:5], columns=HEADER).to_csv(first, index=False)
    pd.DataFrame(MESSY_ROWS[5:], columns=HEADER).to_csv(second, index=False)
    on_duckdb, on_spark = _scans(spark, [first, second], by_value=False)
    assert on_spark == on_duckdb
    # a few of the counts by eye: ServiceName's " VMs", "VMs\u00a0", " Null " padded; "null", " Null "
    # in another case, "" empty; BilledCost's "1d" and "inf" unreadable, "$2.00" money
    assert on_duckdb["untrimmed"]["ServiceName"] == 3
    assert on_duckdb["null"]["ServiceName"] == {"NULL": 0, "null": 2, "empty": 1}
    assert on_duckdb["bad"]["BilledCost"] == 2 and on_duckdb["money"]["BilledCost"] == 1


@pytest.mark.spark
@pytest.mark.parametrize("by_value", [False, True], ids=["over-rows", "by-value"])
def test_scan_on_spark_equals_duckdb_on_messy_parquet(spark, tmp_path, by_value):
    """Text columns as text, and typed columns (a DOUBLE with an infinity, a real timestamp column)."""
    frame = pd.DataFrame(MESSY_ROWS, columns=HEADER)
    frame["EffectiveCost"] = [1.0, float("inf"), 2.0, float("nan"), None, 3.0, -0.0, 4.0, 5.0]
    frame["BillingPeriodStart"] = pd.to_datetime(["2026-11-01T00:00:00Z"] * len(frame), utc=True)
    path = tmp_path / "bill.parquet"
    frame.to_parquet(path, index=False)
    on_duckdb, on_spark = _scans(spark, [path], by_value=by_value)
    assert on_spark == on_duckdb
    assert on_duckdb["bad"]["EffectiveCost"] == 1  # inf (pandas writes NaN and None alike as a Parquet null)


@pytest.mark.spark
@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_duplicates_currencies_and_tags_on_spark_equal_duckdb(spark, tmp_path, kind):
    """Row A three times, B twice (billed 10 and 2), a row in EUR, a pair that differs only in a null's
    place (not copies), and Tags valid, valueless, unparseable and NULL: the copies, the currency totals
    and the tag counts Spark computes over the files it read equal DuckDB's."""
    a = _row(BilledCost="10", EffectiveCost="8")
    b = _row(ResourceId="vm-2", BilledCost="2", EffectiveCost="2", Tags='{"team": "ads", "pii": null}')
    rows = [a, a, a, b, b, _row(BillingCurrency="EUR", BilledCost="5"), _row(Tags='{"team": '),
            _row(Tags="NULL"), _row(ChargeClass="x", ChargeDescription="NULL"),
            _row(ChargeClass="NULL", ChargeDescription="x")]
    frame = pd.DataFrame(rows, columns=HEADER)
    path = tmp_path / f"bill.{kind}"
    if kind == "csv":
        frame.to_csv(path, index=False)
    else:
        frame = frame.replace({"NULL": None}).astype({"BilledCost": float, "EffectiveCost": float})
        frame.to_parquet(path, index=False)
    con = duckdb.connect()
    con.execute(f"CREATE TEMP VIEW raw AS {billing._raw_relation([path])}")
    duck_types = billing._raw_types(con, "raw")
    raw_types = billing_sql.spark_raw_view(spark, [path], billing._kind)
    on_spark = billing_sql.SparkSql(spark)
    usd = "BillingCurrency = 'USD'"
    assert billing._duplicates(on_spark, raw_types, usd) == billing._duplicates(con, duck_types, usd)
    assert billing._duplicates(con, duck_types, usd) == {"rows": 3, "distinct": 2, "billed_cost": 22.0,
                                                         "effective_cost": 18.0}  # 2 x A (10, 8) + 1 x B (2, 2)
    pd.testing.assert_frame_equal(billing._currency_totals(on_spark, raw_types),
                                  billing._currency_totals(con, duck_types))
    spark_tags, duck_tags = billing._tag_counts(on_spark)[2], billing._tag_counts(con)[2]
    assert spark_tags == duck_tags
    # 9 rows carry a parseable object (in CSV "NULL" is text that parses as no tags), 1 unparseable,
    # 2 x B's valueless "pii"
    assert duck_tags[1:] == (1, 2)


#: Texts in every format the readers know, with the edges where the engines' own readers differ: one-digit
#: fields, am/pm in either case, two-digit years either side of 69, offsets with and without minutes or a
#: colon, fractions of a second, a zone word, an impossible date.
TIMESTAMP_TEXTS = [
    "2026-11-01T00:00:00Z", "2026-11-01T00:00Z", "2026-11-01T00:00:00.123456789Z",
    "2026-11-01T00:00:00+05:00", "2026-11-01 00:00:00-0330", "2026-11-01T00:00+05",
    "2026-11-01T00:00:00", "2026-11-01T00:00", "2026-11-01 00:00:00", "2026-11-01 00:00:00.5",
    "2026-11-01 00:00:00 UTC", "2026-11-01 00:00 UTC", "2026-11-01", "2026-02-30",
    "11/2/2026", "11/02/2026 1:05", "11/2/2026 13:05:59", "11/2/2026 1:05 pm", "11/2/2026 01:05 AM",
    "11/2/2026 1:05:07 PM", "1/1/70", "1/1/68", "1/1/69 2:00", "13/1/2026", "2/13/2026",
]


@pytest.mark.spark
@pytest.mark.parametrize("day_first", [False, True], ids=["month-first", "day-first"])
def test_timestamp_reading_on_spark_equals_duckdb(spark, day_first):
    """Every text read with every known format (the day-first ones for the slash formats when asked):
    the same instant, or null, on both engines (compared as UTC text to the microsecond)."""
    formats = [billing.DAY_FIRST_FORMATS.get(i, f) if day_first else f
               for i, f in enumerate(billing.TIMESTAMP_FORMATS)]
    frame = pd.DataFrame({"ChargePeriodStart": TIMESTAMP_TEXTS})
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("texts", frame)
    duck = billing._timestamp_sql("ChargePeriodStart", "VARCHAR", formats)
    on_duckdb = [r[0] for r in con.execute(
        f"SELECT strftime({duck}, '%Y-%m-%d %H:%M:%S.%f') FROM texts ORDER BY ChargePeriodStart").fetchall()]
    spark.createDataFrame(frame).createOrReplaceTempView("texts")
    read = billing._timestamp_sql("ChargePeriodStart", "VARCHAR", formats, billing_sql.SPARK)
    on_spark = [r[0] for r in spark.sql(
        f"SELECT date_format({read}, 'yyyy-MM-dd HH:mm:ss.SSSSSS') FROM texts ORDER BY ChargePeriodStart").collect()]
    texts = sorted(TIMESTAMP_TEXTS)
    differ = {t: (a, b) for t, a, b in zip(texts, on_duckdb, on_spark) if a != b}
    assert not differ, differ
    assert sum(v is not None for v in on_duckdb) >= 15  # most of the texts do read
