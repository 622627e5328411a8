"""Real exports read as the providers write them: one crafted file per case, each asserting the exact
finding or line.

Every file is written here by hand (a few rows of `_row` from tests/test_billing.py with one value
changed), so the expected numbers are the arithmetic of those rows: each test says which rows it wrote and
what they add up to.
"""

from __future__ import annotations


import pandas as pd
import pytest

from costlib import billing
from costlib import billing_queries as Q
from costlib.errors import BillingDataError
from tests.test_billing import HEADER, _row, _write_csv


def _open(path, tmp_path, **kw):
    return billing.open_billing(path, cache_dir=tmp_path / "cache", **kw)


def _check(data, name: str) -> tuple[str, str]:
    """(status, finding) of the data-quality check called ``name`` (exactly one)."""
    checks = data.quality.checks()
    row = checks[checks["check"] == name]
    assert len(row) == 1, list(checks["check"])
    return row["status"].iat[0], row["finding"].iat[0]


def _hours(data) -> dict[str, int]:
    frame = data.query(Q.cost_by, dimensions=[], period="hour")
    return dict(zip(pd.to_datetime(frame["period_start"], utc=True).astype(str), frame["rows"]))


# ---------------------------------------------------------------------------------------------------
# Timestamps


def test_every_provider_timestamp_format_reads_as_the_same_utc_instant(tmp_path):
    """Eight spellings of 2025-04-01 05:00 UTC as AWS, Azure, Google Cloud and OCI exports and spreadsheets
    write them (the date-only one is midnight): all eight read to the instant they name."""
    spellings = ["2025-04-01T05:00:00Z", "2025-04-01T07:00:00+02:00", "2025-04-01T05:00:00",
                 "2025-04-01 05:00:00", "2025-04-01 05:00:00 UTC", "4/1/2025 5:00 AM", "4/1/25 05:00:00",
                 "2025-04-01"]
    data = _open(_write_csv(tmp_path / "bill.csv", [_row(ChargePeriodStart=s) for s in spellings]), tmp_path)
    assert _hours(data) == {"2025-04-01 05:00:00+00:00": 7, "2025-04-01 00:00:00+00:00": 1}
    assert data.quality.timestamp_formats["ChargePeriodStart"] == {
        "ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ, the spec's)": 1, "ISO 8601 with offset (read as UTC)": 1,
        "YYYY-MM-DDTHH:MM:SS, no zone (read as UTC)": 1, "YYYY-MM-DD HH:MM:SS, no zone (read as UTC)": 1,
        "YYYY-MM-DD HH:MM:SS UTC (BigQuery's text)": 1, "YYYY-MM-DD, date only (read as UTC midnight)": 1,
        "M/D/YYYY (month first, read as UTC)": 1, "M/D/YY (month first, 20YY, read as UTC)": 1}
    assert data.quality.dates_out_of_range == {}


def test_short_us_date_is_2025_not_the_year_4(tmp_path):
    """The issue's case: '4/1/25' is 1 April 2025 (DuckDB's plain cast reads it as 0004-01-25)."""
    data = _open(_write_csv(tmp_path / "bill.csv", [_row(ChargePeriodStart="4/1/25")]), tmp_path)
    assert _hours(data) == {"2025-04-01 00:00:00+00:00": 1}
    assert data.quality.dates_out_of_range == {}


def test_day_first_column_is_decided_per_column(tmp_path):
    """'13/1/2025' can only be day first, so the whole column is: '2/1/2025' is 2 January, not 1 February."""
    rows = [_row(ChargePeriodStart="13/1/2025"), _row(ChargePeriodStart="2/1/2025")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    assert _hours(data) == {"2025-01-13 00:00:00+00:00": 1, "2025-01-02 00:00:00+00:00": 1}
    assert data.quality.timestamp_formats["ChargePeriodStart"] == {
        "D/M/YYYY (day first: a first field above 12, read as UTC)": 2}


def test_slash_dates_that_read_both_ways_refuse_the_file(tmp_path):
    rows = [_row(ChargePeriodStart="13/1/2025"), _row(ChargePeriodStart="1/13/2025")]
    with pytest.raises(BillingDataError) as error:
        _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    assert str(error.value) == ("bill.csv: ChargePeriodStart has slash dates that read both ways: '13/1/2025' "
                                "(bill.csv row 1) is day first, '1/13/2025' (bill.csv row 2) is month first; "
                                "expected one order in a column")


def test_unknown_timestamp_format_refuses_naming_column_value_and_formats(tmp_path):
    rows = [_row(), _row(BillingPeriodStart="1 Nov 2026"), _row(BillingPeriodStart="Nov 1, 2026")]
    with pytest.raises(BillingDataError) as error:
        _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    assert str(error.value) == (
        "bill.csv: BillingPeriodStart = '1 Nov 2026' (bill.csv row 2) is not a timestamp in a format the reader "
        "knows (2 such values); formats read: " + billing.FORMATS_READ)
    assert len(str(error.value).splitlines()) == 1


def test_dates_outside_2000_to_ten_years_ahead_are_a_finding(tmp_path):
    """Row 2 is in the year 4 (as a bad export writes it), row 3 in 2199; row 1 is fine."""
    rows = [_row(), _row(ChargePeriodStart="0004-01-25T00:00:00Z"), _row(ChargePeriodStart="2199-01-01T00:00:00Z")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    high = (pd.Timestamp.now(tz="UTC").normalize() + pd.DateOffset(years=10)).date()
    assert _check(data, "Dates out of range: ChargePeriodStart") == (
        "warning", f"2 dates outside 2000-01-01..{high} (e.g. '0004-01-25T00:00:00Z (read as 0004-01-25)' at "
                   f"bill.csv row 2): check the export's date format")
    assert data.quality.rows == 3  # a finding, not an exclusion


# ---------------------------------------------------------------------------------------------------
# Null tokens, money, unreadable values


def test_null_in_any_case_is_null_so_no_phantom_commitment(tmp_path):
    """FOCUS Null Handling: 'null' (the spec's examples) and 'Null' are null like 'NULL': no commitment
    named "null" covers the on-demand rows, and a 'null' Tags value is untagged."""
    rows = [_row(CommitmentDiscountId="null", CommitmentDiscountStatus="null", Tags="null"),
            _row(CommitmentDiscountId="Null", CommitmentDiscountStatus="NULL"),
            _row(CommitmentDiscountId="NULL", CommitmentDiscountStatus="Null")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    assert data.query(Q.commitment_utilization).empty
    assert data.quality.null_tokens["CommitmentDiscountId"] == {"NULL": 1, "null": 2, "empty": 0}
    assert data.quality.tag_rows == 2 and data.quality.tag_rows_unparseable == 0
    # ChargeClass is 'NULL' in every row of _row; the two commitment columns add 1 + 2 each.
    assert _check(data, "Null tokens") == (
        "note", "5 'NULL', 4 'null' (other letter case) and 0 empty values read as null in 3 columns")


def test_money_with_symbols_and_separators_is_read_with_a_finding(tmp_path):
    """Row 1 billed "$10,000.00" and row 2 "1,250.50"; row 3 a plain 1.0: billed total 10,000 + 1,250.50 + 1 =
    11,251.50, never NaN."""
    rows = [_row(BilledCost="$10,000.00"), _row(BilledCost="1,250.50"), _row()]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    assert data.quality.billed_cost == pytest.approx(11_251.50)
    assert _check(data, "Money written as text: BilledCost") == (
        "note", "2 values with a currency symbol or thousands separators read as numbers (e.g. '$10,000.00'; "
                "bill.csv row 1, bill.csv row 2)")


def test_unreadable_cost_rows_are_left_out_and_reported_not_fatal(tmp_path):
    """Five rows billed 1, 2, 3, 4, 5 with effective 1 each; row 2's BilledCost is text, row 4's is 'NULL',
    row 5's EffectiveCost is 'inf'. Rows 2, 4, 5 are left out: billed total 1 + 3 = 4, effective 2; what
    the left-out rows still carry: billed 5 (row 5), effective 1 + 1 (rows 2 and 4)."""
    rows = [_row(BilledCost="1"), _row(BilledCost="two"), _row(BilledCost="3"), _row(BilledCost="NULL"),
            _row(BilledCost="5", EffectiveCost="inf")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    q = data.quality
    assert (q.rows_read, q.rows) == (5, 2)
    assert q.billed_cost == 4.0 and q.effective_cost == 2.0
    assert _check(data, "Rows left out: unreadable cost") == (
        "warning", "3 rows left out of every figure (bill.csv row 2: BilledCost = 'two'; bill.csv row 4: "
                   "BilledCost = 'null'; bill.csv row 5: EffectiveCost = 'inf'); the cost they still carry: "
                   "billed 5.00, effective 2.00")


def test_unreadable_value_in_another_numeric_column_reads_as_null_with_its_row(tmp_path):
    rows = [_row(), _row(ListUnitPrice="n/a")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    assert data.quality.rows == 2
    assert _check(data, "Unreadable values") == ("warning", "ListUnitPrice: 1 read as null (bill.csv row 2: 'n/a')")


def test_exact_duplicate_rows_are_a_finding_with_count_and_cost(tmp_path):
    """Row A (billed 10, effective 8) three times and row B once: 2 copies of 1 distinct row, billed 2 x 10 =
    20 and effective 2 x 8 = 16 of the totals (30 + 1 and 24 + 1)."""
    a = _row(BilledCost="10", EffectiveCost="8")
    data = _open(_write_csv(tmp_path / "bill.csv", [a, a, a, _row(ResourceId="vm-2")]), tmp_path)
    assert data.quality.billed_cost == 31.0
    assert _check(data, "Duplicate rows") == (
        "warning", "2 rows are exact copies of another row (1 distinct rows repeated), billed 20.00 and effective "
                   "16.00 of the totals; kept: if an export was loaded twice, remove the copy")


# ---------------------------------------------------------------------------------------------------
# Files that cannot be read, and the currency


def test_truncated_gzip_is_one_line_that_says_so(tmp_path):
    whole = _write_csv(tmp_path / "whole.csv.gz", [_row() for _ in range(200)], compress=True).read_bytes()
    path = tmp_path / "bill.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(BillingDataError) as error:
        _open(path, tmp_path)
    assert str(error.value) == (f"{path}: truncated gzip file: the compressed data ends before the gzip stream does "
                                f"(the export or download was cut off); fetch it again")


def test_corrupt_parquet_is_one_line_that_says_so(tmp_path):
    good = tmp_path / "good.parquet"
    pd.DataFrame([_row()], columns=HEADER).to_parquet(good)
    path = tmp_path / "bill.parquet"
    data = good.read_bytes()
    path.write_bytes(data[:-100])  # the footer is cut off
    with pytest.raises(BillingDataError) as error:
        _open(path, tmp_path)
    message = str(error.value)
    assert message.startswith(f"{path}: not a readable Parquet file (") and message.endswith("); export it again")
    assert len(message.splitlines()) == 1


def test_billing_currency_null_on_every_row_refuses_until_named(tmp_path):
    path = _write_csv(tmp_path / "bill.csv", [_row(BillingCurrency="NULL"), _row(BillingCurrency="")])
    with pytest.raises(BillingDataError) as error:
        _open(path, tmp_path)
    assert str(error.value) == ("bill.csv: BillingCurrency is null on every row (2 rows): the currency of the costs "
                                "is unknown; name it (billing_currency: USD)")
    data = _open(path, tmp_path, billing_currency="EUR")
    assert data.quality.currency == "EUR" and data.quality.billed_cost == 2.0
    assert set(data.query(Q.totals_by_currency)["BillingCurrency"]) == {"EUR"}
    assert _check(data, "Billing currency") == (
        "warning", "BillingCurrency is null on every row: read as EUR, the currency the scenario names "
                   "(billing_currency)")


def test_dates_out_of_range_in_a_typed_parquet_column_too(tmp_path):
    """A Parquet export with real timestamp columns: row 2's ChargePeriodStart is 1970-01-01."""
    frame = pd.DataFrame([_row(), _row()], columns=HEADER)
    frame["ChargePeriodStart"] = pd.to_datetime(["2026-11-01T00:00:00Z", "1970-01-01T00:00:00Z"], utc=True)
    path = tmp_path / "bill.parquet"
    frame.to_parquet(path)
    data = _open(path, tmp_path)
    status, finding = _check(data, "Dates out of range: ChargePeriodStart")
    assert status == "warning"
    assert finding.startswith("1 dates outside 2000-01-01..") and "(read as 1970-01-01)' at bill.parquet row 2" in finding
