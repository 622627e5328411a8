"""Spark reads, normalises and checks the billing files itself (issue 20, point 2), and finds what DuckDB finds.

`billing.open_billing(..., engine="spark")` runs the normaliser's one code path (`billing._normalise`) on a
Spark session: Spark's own readers over the files (`billing_sql.spark_raw_view`), every check rendered in
Spark SQL (`billing_sql.Dialect`), the distinct Tags texts parsed in Python and joined as ``tags_parsed``,
the canonical data written by Spark. Each bill here is opened cold on Spark with DuckDB forbidden (any
connection attempt is recorded and raises), and cold on DuckDB in another cache, and then:

- the quality records (`DataQuality.to_dict` but the files and manifest) are equal, exactly;
- the canonical tables are equal, row by row (sorted by x_SourceFile, x_SourceRow; floats exact, Tags as
  maps), with the same column types as DuckDB reads them;
- DuckDB opening the same files later in the Spark-written cache entry reuses what Spark found and reads
  its canonical folder, with DuckDB's own record and results;
- every refusal is the same one line on both engines.

The bills are the messy ones of tests/test_billing*.py, in small files: null tokens in every case, money
text, padded text (spaces and no-break spaces), Java-only number literals, infinities, enumeration drift,
every timestamp format with slash dates month first in one column and day first in another, a date in
the year 4 and one in 2199, unparseable and valueless tags, duplicates, rows left out for an unreadable
cost, a second currency with ``billing_currency``, a gzipped CSV beside a plain one; BillingCurrency null
everywhere (named); a Parquet file with text and typed columns (an infinite cost, a 1970 timestamp); the
generated FOCUS 1.2 Parquet (clean: a view on DuckDB, rewritten on Spark); and the real FOCUS 1.0 sample.

Needs Java 17 and the ``spark`` extra (skipped with one line otherwise, failed under
``COSTBOOK_REQUIRE_SPARK=1``). One Spark session serves the module.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import SAMPLE
from costlib import billing
from costlib import billing_queries as Q
from costlib.errors import BillingDataError
from tests.test_billing import HEADER, _row, _write_csv
from tests.test_billing_sql import MESSY_ROWS

pytestmark = pytest.mark.spark


class NoDuckDB:
    """DuckDB forbidden inside ``with``: `billing._connect_duckdb` and ``duckdb.connect`` record the attempt
    and raise."""

    def __init__(self):
        self.attempts: list[str] = []

    def _refuse(self, name):
        def refuse(*args, **kwargs):
            self.attempts.append(name)
            raise AssertionError(f"{name} was called on the Spark path")

        return refuse

    def __enter__(self):
        self._patch = pytest.MonkeyPatch()
        self._patch.setattr(billing, "_connect_duckdb", self._refuse("billing._connect_duckdb"))
        self._patch.setattr(duckdb, "connect", self._refuse("duckdb.connect"))
        return self

    def __exit__(self, *exc):
        self._patch.undo()


# ---------------------------------------------------------------------------------------------------
# The bills


def _messy_csv(folder: Path) -> tuple[list[Path], dict]:
    """Two files, one gzipped. Besides `MESSY_ROWS` (null tokens, padding, money, ``1d``, ``inf``, drift,
    every timestamp format, ChargePeriodStart month first): ChargePeriodEnd day first ("13/11/2026"), an
    unreadable BilledCost ("two", left out), an EffectiveCost "NULL" (left out), dates in the year 4 and
    2199, tags unparseable, valueless and NULL, a row three times, and a row in EUR (excluded by
    ``billing_currency: USD``)."""
    copy = _row(BilledCost="10", EffectiveCost="8", ResourceId="vm-9")
    more = [
        _row(ChargePeriodEnd="13/11/2026"), _row(ChargePeriodEnd="2/11/2026 1:00 PM"),
        _row(BilledCost="two"), _row(EffectiveCost="NULL", BilledCost="4"),
        _row(ChargePeriodStart="0004-01-25T00:00:00Z"), _row(ChargePeriodStart="2199-01-01T00:00:00Z"),
        _row(Tags='{"team": '), _row(Tags='{" team ": " web ", "pii": null}'), _row(Tags="NULL"),
        _row(Tags="team=ads"), copy, copy, copy,
        _row(BillingCurrency="EUR", BilledCost="7", EffectiveCost="6"),
        _row(ServiceName="a\nquoted line break", ChargeDescription='say "hi", twice'),
    ]
    first = _write_csv(folder / "a.csv", MESSY_ROWS)
    second = _write_csv(folder / "b.csv.gz", more, compress=True)
    return [first, second], {"billing_currency": "USD"}


def _no_currency(folder: Path) -> tuple[Path, dict]:
    rows = [_row(BillingCurrency="NULL"), _row(BillingCurrency=""), _row(BillingCurrency=" null ", BilledCost="3")]
    return _write_csv(folder / "bill.csv", rows), {"billing_currency": "EUR"}


def _messy_parquet(folder: Path) -> tuple[Path, dict]:
    """Text columns as text (`MESSY_ROWS`), EffectiveCost a DOUBLE with an infinity (left out) and a NaN,
    ChargePeriodStart a real UTC timestamp column with 1970-01-01 (out of range)."""
    frame = pd.DataFrame(MESSY_ROWS, columns=HEADER)
    frame["EffectiveCost"] = [1.0, float("inf"), 2.0, float("nan"), None, 3.0, -0.0, 4.0, 5.0]
    frame["ChargePeriodStart"] = pd.to_datetime(["2026-11-01T00:00:00Z"] * 8 + ["1970-01-01T00:00:00.5Z"], utc=True,
                                             format="ISO8601")
    frame["x_Team"] = ["ads"] * 9
    path = folder / "bill.parquet"
    frame.to_parquet(path, index=False)
    return path, {}


CASES = ["messy_csv", "no_currency", "messy_parquet", "generated", "sample"]


@pytest.fixture(scope="module")
def opened(spark, tmp_path_factory, generated_bill):
    """Per case: the files, the Spark open (cold, DuckDB forbidden), the DuckDB open (cold, its own
    cache), the Spark cache folder and DuckDB's connection attempts during the Spark open (none)."""
    made: dict = {}

    def open_case(case: str):
        if case in made:
            return made[case]
        folder = tmp_path_factory.mktemp(case)
        if case == "messy_csv":
            files, kw = _messy_csv(folder)
        elif case == "no_currency":
            files, kw = _no_currency(folder)
        elif case == "messy_parquet":
            files, kw = _messy_parquet(folder)
        elif case == "generated":
            files, kw = generated_bill(20, 14, 5).path, {}
        else:
            files, kw = SAMPLE, {}
        with NoDuckDB() as guard:
            on_spark = billing.open_billing(files, cache_dir=folder / "spark-cache", engine="spark", **kw)
        on_duckdb = billing.open_billing(files, cache_dir=folder / "duckdb-cache", **kw)
        made[case] = {"files": files, "kw": kw, "spark": on_spark, "duckdb": on_duckdb,
                      "spark_cache": folder / "spark-cache", "attempts": guard.attempts}
        return made[case]

    return open_case


def _record(data) -> dict:
    out = json.loads(json.dumps(data.quality.to_dict(), default=str))
    out.pop("files"), out.pop("manifest_sha256")
    return out


#: The parts of the record the invariants write: queries over the canonical data, run by the engine that
#: opened it (`billing._invariants`). Their sums are taken in each engine's order of addition (DuckDB's
#: own order differs between a Parquet file and a view of the same rows), so floats agree to 1e-12
#: relative, not to the bit; every count and every other part of the record is equal exactly.
INVARIANTS = ("totals", "commitments", "list_cost", "billed_without_effective")


def _assert_same_record(left: dict, right: dict) -> None:
    assert {k: v for k, v in left.items() if k not in INVARIANTS} == \
        {k: v for k, v in right.items() if k not in INVARIANTS}
    for key in INVARIANTS:
        assert _close(left[key], right[key]), (key, left[key], right[key])


def _close(left, right) -> bool:
    """Equal structures, floats to 1e-12 relative, everything else exactly.

    >>> _close({"a": [1.0, "x"]}, {"a": [1.0 + 1e-15, "x"]}), _close([1], [1, 2])
    (True, False)
    """
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_close(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_close(a, b) for a, b in zip(left, right))
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-12)
    return left == right and type(left) is type(right)


def _table(canonical: Path) -> pd.DataFrame:
    """The canonical rows as DuckDB reads them (a file, a view over the sources, or Spark's folder), in
    source order, Tags as dicts."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    relation = billing.canonical_relation(canonical, tag_columns=False)  # the canonical columns, as written
    result = con.execute(f"SELECT * FROM {relation} ORDER BY x_SourceFile, x_SourceRow")
    frame = (getattr(result, "to_arrow_table", None) or result.fetch_arrow_table)().to_pandas()
    frame["Tags"] = [None if t is None else dict(t) for t in frame["Tags"]]
    return frame


def _types(canonical: Path) -> list[tuple[str, str]]:
    con = duckdb.connect()
    relation = billing.canonical_relation(canonical, tag_columns=False)
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return [(r[0], r[1]) for r in described]


@pytest.mark.parametrize("case", CASES)
def test_quality_record_on_spark_equals_duckdb(opened, case):
    got = opened(case)
    spark, duck = got["spark"], got["duckdb"]
    assert spark.engine == "spark" and duck.engine == "duckdb"
    _assert_same_record(_record(spark), _record(duck))


@pytest.mark.parametrize("case", CASES)
def test_canonical_table_on_spark_equals_duckdb(opened, case):
    got = opened(case)
    spark, duck = got["spark"], got["duckdb"]
    assert spark.canonical.is_dir() and (spark.canonical / "_SUCCESS").is_file()  # written by Spark
    assert _types(spark.canonical) == _types(duck.canonical)
    left, right = _table(duck.canonical), _table(spark.canonical)
    assert len(left) == duck.quality.rows and len(left) > 0
    pd.testing.assert_frame_equal(left, right, check_exact=True)


def test_the_types_are_duckdbs(opened):
    types = dict(_types(opened("messy_csv")["spark"].canonical))
    assert types["ChargePeriodStart"] == "TIMESTAMP WITH TIME ZONE" and types["BilledCost"] == "DOUBLE"
    assert types["Tags"] == "MAP(VARCHAR, VARCHAR)" and types["x_SourceRow"] == "BIGINT"
    assert types["ServiceName"] == "VARCHAR" and types["x_SourceFile"] == "VARCHAR"


def test_the_messy_findings_are_there(opened):
    """The record compared above holds the findings the bill was written with (so equality is not of two
    empty records): rows left out, the EUR row, copies, day first in one column, tags, dates."""
    q = opened("messy_csv")["spark"].quality
    assert q.rows_read == 9 + 15 and q.currencies_excluded == {"EUR": {"rows": 1, "billed_cost": 7.0,
                                                                        "effective_cost": 6.0}}
    assert q.rows_excluded["rows"] == 4  # "1d", "inf", "two", EffectiveCost NULL
    assert q.duplicates["rows"] == 2 and q.duplicates["billed_cost"] == 20.0
    assert "D/M/YYYY (day first: a first field above 12, read as UTC)" in q.timestamp_formats["ChargePeriodEnd"]
    assert q.tag_rows_unparseable == 2 and q.tags_valueless == 1
    assert q.dates_out_of_range["ChargePeriodStart"]["rows"] == 2
    assert q.money_text["BilledCost"]["rows"] == 1 and q.enum_case_drift["ChargeCategory"] == {"USAGE": 1, "usage": 1}
    typed = opened("messy_parquet")["spark"].quality
    assert typed.dates_out_of_range["ChargePeriodStart"]["example"] == \
        "1970-01-01 00:00:00.5+00 (read as 1970-01-01)"  # DuckDB's text of a typed timestamp, on both
    assert "bill.parquet row 2: EffectiveCost = 'inf'" in typed.rows_excluded["examples"]  # a typed inf
    assert opened("no_currency")["spark"].quality.currency_assumed


@pytest.mark.parametrize("case", ["messy_csv", "messy_parquet"])
def test_spark_open_never_connects_duckdb(opened, case):
    """The cold Spark opens above ran with DuckDB forbidden: no connection was attempted (an attempt
    swallowed somewhere would still be recorded), and the data was normalised (nothing was cached)."""
    got = opened(case)
    assert got["attempts"] == []
    assert (got["spark_cache"] / got["spark"].key / "found.json").is_file()
    assert got["spark"].quality.rows == got["duckdb"].quality.rows


@pytest.mark.parametrize("case", ["messy_csv", "generated"])
def test_duckdb_reads_the_entry_spark_wrote(opened, case, monkeypatch):
    """A DuckDB open of the same files in the Spark cache reuses found.json and Spark's canonical folder
    (the files are not normalised again), and gives the record and results of the DuckDB-only open."""
    got = opened(case)

    def no_normalise(*args, **kwargs):
        raise AssertionError("the files were normalised again")

    monkeypatch.setattr(billing, "normalise", no_normalise)
    later = billing.open_billing(got["files"], cache_dir=got["spark_cache"], **got["kw"])
    assert later.canonical == got["spark"].canonical and later.canonical.is_dir()
    _assert_same_record(_record(later), _record(got["duckdb"]))
    assert later.custom_columns == got["duckdb"].custom_columns
    for name in ("daily_cost_by_service", "showback_by_team", "tag_coverage"):
        pd.testing.assert_frame_equal(later.query(name), got["duckdb"].query(name), rtol=1e-12)
    assert billing.canonical_file(later.canonical) == later.canonical
    billing._entry_readable(later.canonical.parent)


def test_a_spark_folder_cut_short_is_rebuilt(opened, tmp_path):
    """A canonical folder without Spark's _SUCCESS mark (a write that stopped) is not read: the entry is
    rebuilt from the source files, on DuckDB here, which replaces the folder by its file."""
    got = opened("no_currency")
    (got["spark"].canonical / "_SUCCESS").unlink()
    with pytest.raises(FileNotFoundError, match="without _SUCCESS"):
        billing._entry_readable(got["spark"].canonical.parent)
    again = billing.open_billing(got["files"], cache_dir=got["spark_cache"], **got["kw"])
    assert again.canonical.is_file()
    _assert_same_record(_record(again), _record(got["duckdb"]))


# ---------------------------------------------------------------------------------------------------
# Refusals: the same one line on both engines


def _refusal(name: str, folder: Path) -> tuple[list[Path] | Path, dict]:
    if name == "unknown timestamp format":
        return _write_csv(folder / "bill.csv", [_row(), _row(BillingPeriodStart="1 Nov 2026"),
                                               _row(BillingPeriodStart="Nov 1, 2026")]), {}
    if name == "slash dates both ways":
        return _write_csv(folder / "bill.csv", [_row(ChargePeriodStart="13/1/2025"),
                                               _row(ChargePeriodStart="1/13/2025")]), {}
    if name == "mixed currencies":
        return _write_csv(folder / "bill.csv", [_row(BilledCost="10"), _row(BillingCurrency="EUR", BilledCost="7")]), {}
    if name == "currency not there":
        return _write_csv(folder / "bill.csv", [_row(), _row(BillingCurrency="EUR")]), {"billing_currency": "GBP"}
    if name == "currency null everywhere":
        return _write_csv(folder / "bill.csv", [_row(BillingCurrency="NULL"), _row(BillingCurrency="")]), {}
    if name == "missing mandatory columns":
        columns = [c for c in HEADER if c not in ("BilledCost", "ServiceName")]
        return _write_csv(folder / "bill.csv", [_row()], columns=columns), {}
    if name == "header only":
        return _write_csv(folder / "header.csv", []), {}
    if name == "parquet in no known format":
        frame = pd.DataFrame([_row(), _row(ChargePeriodEnd="yesterday")], columns=HEADER)
        frame.to_parquet(folder / "bill.parquet", index=False)
        return folder / "bill.parquet", {}
    raise KeyError(name)


REFUSALS = ["unknown timestamp format", "slash dates both ways", "mixed currencies", "currency not there",
            "currency null everywhere", "missing mandatory columns", "header only", "parquet in no known format"]


@pytest.mark.parametrize("name", REFUSALS)
def test_refusals_are_the_same_line_on_both_engines(spark, tmp_path, name):
    files, kw = _refusal(name, tmp_path)
    messages = {}
    for engine in ("duckdb", "spark"):
        with pytest.raises(BillingDataError) as error:
            billing.open_billing(files, cache_dir=tmp_path / engine, engine=engine, **kw)
        messages[engine] = str(error.value)
    assert messages["spark"] == messages["duckdb"]
    assert len(messages["duckdb"].splitlines()) == 1
    assert Path(files).name in messages["duckdb"]  # the file is named
