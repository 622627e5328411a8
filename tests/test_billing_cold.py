"""The cold open's fast paths give the findings the slow ones gave (issue 20, part A).

Two shortcuts of the normaliser are checked against independent computations on small bills:

- exact duplicate rows are found by hashing the typed values (`billing._row_hash`) instead of their text:
  the copies, distinct rows repeated and their cost equal a brute-force pandas count over every row's text
  (a generated bill with planted copies, as typed Parquet and as CSV, and a pair that differs only in the
  sign of a zero, which the text tells apart);
- on Parquet, the text checks of the quality scan are counted over each column's distinct values
  (`billing._quality_scan` with ``by_value``): equal to the one pass over every row, and to the counts of
  the rows written by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from costlib import billing


def _brute_force_duplicates(frame: pd.DataFrame) -> dict:
    """Copies, distinct rows repeated, and their billed and effective cost, from every row's text (each
    value as Python writes it: ``-0.0`` and ``0.0`` differ, as DuckDB's text of them does)."""
    text = frame.apply(lambda column: column.map(repr))
    groups = text.groupby(list(text.columns), dropna=False, sort=False).indices
    copies = distinct = 0
    billed = effective = 0.0
    for rows in groups.values():
        n = len(rows)
        if n > 1:
            copies += n - 1
            distinct += 1
            billed += (n - 1) * float(frame["BilledCost"].iat[rows[0]])
            effective += (n - 1) * float(frame["EffectiveCost"].iat[rows[0]])
    return {"rows": copies, "distinct": distinct, "billed_cost": billed, "effective_cost": effective}


def _planted(generated_bill) -> pd.DataFrame:
    """The generated 20-resource, 14-day bill (seed 5) with copies planted by a seeded draw: 12 rows once
    more, 5 rows twice more, and one row whose ContractedCost is 0.0 again with -0.0 (not a copy)."""
    frame = pd.read_parquet(generated_bill(20, 14, 5).path)
    rng = np.random.default_rng(20)
    picked = rng.choice(len(frame), size=18, replace=False)
    once, twice, signed = picked[:12], picked[12:17], picked[17]
    zero = frame.iloc[[signed, signed]].copy()
    zero["ContractedCost"] = [0.0, -0.0]
    return pd.concat([frame, frame.iloc[once], frame.iloc[twice], frame.iloc[twice], zero], ignore_index=True)


def test_fast_duplicate_count_equals_brute_force_on_typed_parquet(generated_bill, tmp_path):
    frame = _planted(generated_bill)
    path = tmp_path / "bill.parquet"
    frame.to_parquet(path, index=False)
    expected = _brute_force_duplicates(frame)
    assert expected["rows"] >= 12 + 2 * 5 and expected["distinct"] >= 17  # the planted ones, at least
    found = billing.open_billing(path, cache_dir=tmp_path / "cache").quality.duplicates
    assert found["rows"] == expected["rows"] and found["distinct"] == expected["distinct"]
    assert np.isclose(found["billed_cost"], expected["billed_cost"], rtol=1e-12, atol=1e-9)
    assert np.isclose(found["effective_cost"], expected["effective_cost"], rtol=1e-12, atol=1e-9)


def test_fast_duplicate_count_equals_brute_force_on_csv(generated_bill, tmp_path):
    frame = _planted(generated_bill)
    path = tmp_path / "bill.csv"
    frame.to_csv(path, index=False)
    text = pd.read_csv(path, dtype=str, keep_default_na=False)  # the file's text, as the CSV reader sees it
    expected = _brute_force_duplicates(text.assign(BilledCost=text["BilledCost"].astype(float),
                                                   EffectiveCost=text["EffectiveCost"].astype(float)))
    found = billing.open_billing(path, cache_dir=tmp_path / "cache").quality.duplicates
    assert found["rows"] == expected["rows"] and found["distinct"] == expected["distinct"]
    assert np.isclose(found["billed_cost"], expected["billed_cost"], rtol=1e-12, atol=1e-9)
    assert np.isclose(found["effective_cost"], expected["effective_cost"], rtol=1e-12, atol=1e-9)


def test_row_hash_keeps_the_sign_of_zero_apart():
    """``hash`` alone takes -0.0 for 0.0 (equal values); their texts differ, so the row hash adds the sign."""
    import duckdb

    con = duckdb.connect()
    same, kept = con.execute(
        "SELECT hash(a) = hash(b), " + billing._row_hash({"a": "DOUBLE"}) + " = "
        + billing._row_hash({"a": "DOUBLE"}).replace('"a"', '"b"') + " FROM (SELECT 0.0::DOUBLE AS a, -0.0::DOUBLE AS b)"
    ).fetchone()
    assert same and not kept


#: Hand-written text columns: 8 rows, each column's findings countable by eye.
MESSY = {
    "ServiceName": ["VMs", " VMs", "VMs\u00a0", "NULL", "null", " Null ", "", "VMs"],   # 1 NULL, 2 other case, 1 empty
    "ChargeCategory": ["usage", "Usage", "USAGE", "Usage", "Tax", "Refund", "Usage", "Usage"],  # drift 2, unknown 1
    "ChargePeriodStart": ["2026-11-01T00:00:00Z", "11/02/2026", "11/03/2026 01:00", "2026-11-04",
                          "2026-11-05 00:00:00", "NULL", "13/01/2026", "2026-11-06T00:00:00Z"],
    "BilledCost": ["1.0", "$2.00", "abc", "4", "NULL", "1,000.5", "inf", "8"],
}


def test_scan_by_distinct_value_equals_the_scan_over_rows():
    import duckdb

    con = duckdb.connect()
    con.register("messy", pd.DataFrame(MESSY))
    con.execute("CREATE TEMP TABLE raw AS SELECT * FROM messy")
    raw_types = billing._raw_types(con, "raw")
    over_rows = billing._quality_scan(con, raw_types)
    by_value = billing._quality_scan(con, raw_types, by_value=True)
    assert by_value == over_rows
    # and the counts of the rows above, by eye
    assert by_value["null"]["ServiceName"] == {"NULL": 1, "null": 2, "empty": 1}
    assert by_value["untrimmed"] == {"ServiceName": 3}  # " VMs", "VMs\u00a0" (a no-break space), " Null "
    assert by_value["drift"] == {"ChargeCategory": {"USAGE": 1, "usage": 1}}
    assert by_value["unknown"] == {"ChargeCategory": {"Refund": 1}}
    assert by_value["money"] == {"BilledCost": 2} and by_value["bad"] == {"BilledCost": 2}  # abc, inf
    assert by_value["ts"]["ChargePeriodStart"] == {0: 2, 3: 1, 5: 1, 6: 3}
    assert by_value["slash1"] == {"ChargePeriodStart": 1} and "ChargePeriodStart" not in by_value["slash2"]


def test_csv_rows_are_numbered_in_file_order_across_files(tmp_path):
    """x_SourceRow is a row's place in its own file, as the findings quote it ("b.csv row 4"), with several
    CSV files read together and DuckDB's threads and unordered settings (`billing.duckdb_settings`): each
    file's rows carry their number in an ``id`` column."""
    files = []
    for name, rows in (("a.csv", 120_000), ("b.csv", 80_000)):
        path = tmp_path / name
        pd.DataFrame({"id": np.arange(1, rows + 1), "v": np.arange(rows) % 7}).to_csv(path, index=False)
        files.append(path)
    con = billing._connect_duckdb(tmp_path)
    wrong, total = con.execute(
        "SELECT count(*) FILTER (WHERE CAST(id AS BIGINT) <> x_SourceRow), count(*) FROM "
        f"({billing._raw_relation(files)})").fetchone()
    assert (wrong, total) == (0, 200_000)


def test_clean_columns_taken_as_they_are_read_as_the_full_expressions(tmp_path):
    """`billing._column_sql` with the scan (a clean text column as it is, an enumeration without drift
    without its CASE) gives every row the value the full expressions give, on a bill with clean and messy
    text columns and enumerations with and without drift."""
    import duckdb

    from costlib import focus
    from tests.test_billing import HEADER, _row

    rows = [_row(), _row(ServiceName=" VMs", ChargeCategory="usage"), _row(ServiceName="NULL", ResourceId=""),
            _row(ChargeClass="Correction", PricingUnit="Hours"), _row(ServiceCategory="compute")]
    path = tmp_path / "bill.csv"
    pd.DataFrame(rows, columns=HEADER).to_csv(path, index=False)
    con = duckdb.connect()
    con.execute(f"CREATE TEMP VIEW raw AS {billing._raw_relation([path])}")
    raw_types = billing._raw_types(con, "raw")
    scan = billing._quality_scan(con, raw_types)
    assert scan["untrimmed"] == {"ServiceName": 1} and "ChargeCategory" in scan["drift"]
    plan = billing.timestamp_plan(con, raw_types, scan, "bill.csv")
    columns = [c for c in focus.ALL_COLUMNS if c != "Tags"]
    full = [billing._column_sql(c, focus.ALL_COLUMNS[c], raw_types, plan) for c in columns]
    short = [billing._column_sql(c, focus.ALL_COLUMNS[c], raw_types, plan, scan=scan) for c in columns]
    assert sum(a != b for a, b in zip(full, short)) >= 10  # the shortcut is taken for most columns
    a, b = (f"SELECT x_SourceRow, {', '.join(items)} FROM raw" for items in (short, full))
    differ = con.execute(f"SELECT count(*) FROM (({a}) EXCEPT ALL ({b})) UNION ALL "
                         f"SELECT count(*) FROM (({b}) EXCEPT ALL ({a}))").fetchall()
    assert differ == [(0,), (0,)]  # set operations take nulls as equal: the same rows, value for value
