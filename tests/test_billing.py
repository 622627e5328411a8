"""Billing data in: the real FOCUS sample, the generator's known answers, bad data, cache and provenance.

Expected numbers come from three sources: the sample's SOURCE.md (counted from the file by its curator),
the generator's own arrays (`costlib.synthetic_focus.Truth`, computed with numpy, not SQL), and rows
written by hand in each bad-data test, whose arithmetic is in the test.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costlib import billing
from costlib import billing_queries as Q
from costlib import focus
from costlib import synthetic_focus as S
from costlib.errors import BillingDataError

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "focus" / "focus_sample_1.0_1000.csv"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("billing-cache")


# ---------------------------------------------------------------------------------------------------
# The real FOCUS 1.0 sample, read from ../shared (never copied)


@pytest.fixture(scope="module")
def sample(focus_sample):
    return focus_sample  # normalised once per run (tests/conftest.py)


def test_sample_totals_match_its_source_notes(sample):
    """SOURCE.md: 1000 rows; sum BilledCost ≈ 20.5202, sum EffectiveCost ≈ 14.9765; AWS 942, Microsoft 51,
    Oracle 7; ChargeCategory Usage 997, Adjustment 2, Credit 1; USD only."""
    q = sample.quality
    assert q.rows_read == 1000 and q.rows == 1000
    assert q.billed_cost == pytest.approx(20.5202, abs=5e-5)
    assert q.effective_cost == pytest.approx(14.9765, abs=5e-5)
    providers = sample.query(Q.cost_by, dimensions=["ProviderName"]).set_index("ProviderName")["rows"]
    assert providers.to_dict() == {"AWS": 942, "Microsoft": 51, "Oracle": 7}
    categories = {t["ChargeCategory"]: t["rows"] for t in q.totals}
    assert categories == {"Usage": 997, "Adjustment": 2, "Credit": 1}
    assert q.currency == "USD" and q.currencies_excluded == {}


def test_sample_quirks_are_each_handled(sample):
    """SOURCE.md's quirks: NULL tokens, timestamps without T/Z, 'Usage-based' drift, the extra Id column,
    ListUnitPrice quoted, 711 tagged rows, 610 rows billed without effective cost (604 AWS, 6 Oracle)."""
    q = sample.quality
    assert q.version == "1.0"
    assert q.columns_unknown == ["Id"]
    assert q.timestamp_formats == {c: {"YYYY-MM-DD HH:MM:SS, no zone (read as UTC)": 1000}
                                   for c in ("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd",
                                             "ChargePeriodStart")}
    assert q.dates_out_of_range == {} and q.money_text == {} and q.rows_excluded["rows"] == 0
    assert q.duplicates["rows"] == 0
    assert q.enum_case_drift == {"ChargeFrequency": {"Usage-based": 7}}
    assert q.null_tokens["ChargeClass"]["NULL"] == 1000
    # SOURCE.md: NULL counts in numeric columns ContractedCost 7, ContractedUnitPrice 7, ListUnitPrice 1.
    assert q.null_tokens["ContractedCost"]["NULL"] == 7
    assert q.null_tokens["ContractedUnitPrice"]["NULL"] == 7
    assert q.null_tokens["ListUnitPrice"]["NULL"] == 1
    assert q.unparseable_values == {}
    assert q.tag_rows == 711 and q.tag_rows_unparseable == 0
    assert q.billed_without_effective["rows"] == 610
    assert q.billed_without_effective["by_provider"] == {"AWS": 604, "Oracle": 6}
    frequency = sample.query(Q.cost_by, dimensions=["ChargeFrequency"]).set_index("ChargeFrequency")["rows"]
    assert "Usage-based" not in frequency.index  # read as the spec spells it
    checks = q.checks()
    assert set(checks["status"]) <= {"ok", "note", "warning"}
    assert checks["finding"].str.contains("610 rows outside purchases").any()


def test_sample_tags_parse_into_a_map(sample):
    """Counted with DuckDB's json_keys over the raw file: 660 rows carry 'environment' (the AWS rows'
    application/environment/business_unit set); 42 rows carry the key 'org' exactly and 2 more only
    ' org' with a leading space, which trimming makes 'org': 44."""
    environment = sample.query(Q.showback_by_tag, key="environment")
    assert environment["rows"].sum() == 1000
    assert environment.loc[environment["tag_value"].notna(), "rows"].sum() == 660
    org = sample.query(Q.showback_by_tag, key="org")
    assert org.loc[org["tag_value"].notna(), "rows"].sum() == 44


def test_sample_timestamps_are_utc(sample):
    """'2024-09-01 00:00:00' with no zone reads as midnight UTC; the sample spans 2024-09-01..30."""
    daily = sample.query(Q.cost_by, dimensions=[], period="day")
    days = pd.to_datetime(daily["period_start"], utc=True)
    assert days.min() == pd.Timestamp("2024-09-01", tz="UTC")
    assert days.max() == pd.Timestamp("2024-09-30", tz="UTC")


# ---------------------------------------------------------------------------------------------------
# The generator's known answers


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    truth = S.generate(folder / "bill.parquet", resources=300, days=28, seed=7)
    data = billing.open_billing(folder / "bill.parquet", cache_dir=folder / "cache")
    return truth, data


def test_generator_rows_and_totals(generated):
    truth, data = generated
    assert data.quality.rows == truth.rows == 300 * 28 * 24 + truth.other_rows
    assert data.quality.version == "1.2"
    got = data.query("totals_by_charge_category").set_index("ChargeCategory")
    want = truth.totals.set_index("ChargeCategory")
    assert set(got.index) == {"Usage", "Purchase", "Tax", "Credit", "Adjustment"}
    for column in ("billed_cost", "effective_cost", "rows"):
        np.testing.assert_allclose(got.loc[want.index, column], want[column], rtol=1e-9)


def test_generator_daily_cost_by_service(generated):
    truth, data = generated
    got = data.query("daily_cost_by_service")
    got = got.assign(day=pd.to_datetime(got["period_start"], utc=True))
    usage = got.merge(truth.daily_by_service, on=["ServiceName", "day"], suffixes=("", "_truth"))
    assert len(usage) == len(truth.daily_by_service)
    np.testing.assert_allclose(usage["effective_cost"], usage["effective_cost_truth"], rtol=1e-9)


def test_generator_tag_coverage_and_showback(generated):
    truth, data = generated
    row = data.query("tag_coverage").iloc[0]
    for key, share in truth.tag_coverage.items():
        assert row[f"tagged_effective_cost__{key}"] / row["effective_cost"] == pytest.approx(share, rel=1e-9)
        assert row[f"tagged_billed_cost__{key}"] / row["billed_cost"] == pytest.approx(
            truth.tag_coverage_billed[key], rel=1e-9)
    # The stated coverage is per resource; by cost it differs, but each key is missing somewhere.
    assert all(0.3 < share < 1.0 for share in truth.tag_coverage.values())
    showback = data.query("showback_by_team")
    got = dict(zip(showback["tag_value"].fillna("(untagged)"), showback["effective_cost"]))
    want = dict(zip(truth.showback_team["team"].fillna("(untagged)"), truth.showback_team["effective_cost"]))
    assert got.keys() == want.keys()
    for team in want:
        assert got[team] == pytest.approx(want[team], rel=1e-9)
    assert sum(got.values()) == pytest.approx(truth.effective_cost, rel=1e-12)  # allocation conserves cost


def test_generator_commitments(generated):
    """Utilization = used / (used + unused); amortized usage equals purchases billed (the spec's invariant)."""
    truth, data = generated
    got = data.query("commitment_utilization").set_index("CommitmentDiscountId")
    want = truth.commitments.set_index("CommitmentDiscountId")
    for column in ("used_cost", "unused_cost", "purchases_billed", "utilization"):
        np.testing.assert_allclose(got.loc[want.index, column], want[column], rtol=1e-9)
    assert 0.3 < want["utilization"].min() and want["utilization"].max() < 1.0
    for c in data.quality.commitments:
        assert c["amortized"] == pytest.approx(c["purchases_billed"], rel=1e-9)
    assert data.quality.list_cost["rows_off"] == 0
    assert data.quality.billed_without_effective["rows"] == 0


def test_generator_resource_p99_matches_numpy(generated):
    """P99 of hourly effective cost per resource, brute force with numpy.percentile (linear)."""
    truth, data = generated
    got = data.query("resource_hourly_p99", top_n=50)
    want = truth.resources.sort_values(["effective_cost", "ResourceId"], ascending=[False, True]).head(50)
    assert list(got["ResourceId"].sort_values()) == sorted(want["ResourceId"])
    merged = got.merge(want, on="ResourceId", suffixes=("", "_truth"))
    np.testing.assert_allclose(merged["p99_hourly_effective_cost"], merged["p99_hourly_effective_cost_truth"],
                               rtol=1e-9)
    assert (merged["hours"] == 28 * 24).all()


def test_generator_anomalies_are_where_it_put_them(generated):
    """Each injected anomaly adds its known extra cost in its service, account and days, nowhere else."""
    truth, data = generated
    got = data.query("daily_cost_by_service_account")
    got = got.assign(day=pd.to_datetime(got["period_start"], utc=True))
    merged = got.merge(truth.daily_by_service_account, on=["ServiceName", "SubAccountId", "day"],
                       suffixes=("", "_truth"))
    np.testing.assert_allclose(merged["effective_cost"], merged["effective_cost_truth"], rtol=1e-9)
    merged["extra"] = merged["effective_cost"] - merged["base_effective_cost"]
    for anomaly in truth.anomalies:
        hit = (merged["ServiceName"] == anomaly["service"]) & (merged["SubAccountId"] == anomaly["sub_account"])
        assert merged.loc[hit, "extra"].sum() == pytest.approx(anomaly["extra_effective_cost"], rel=1e-9)
        assert anomaly["extra_effective_cost"] > 0
    spike = next(a for a in truth.anomalies if a["kind"] == "spike")
    rows = merged[(merged["ServiceName"] == spike["service"]) & (merged["SubAccountId"] == spike["sub_account"])]
    spike_day = pd.Timestamp(truth.start) + pd.Timedelta(days=spike["first_day"])
    day = rows.set_index("day")
    # A 2.5x spike: that day's cost is 2.5x its base; the day before is untouched.
    assert day.loc[spike_day, "effective_cost"] == pytest.approx(2.5 * day.loc[spike_day, "base_effective_cost"])
    before = spike_day - pd.Timedelta(days=1)
    assert day.loc[before, "effective_cost"] == pytest.approx(day.loc[before, "base_effective_cost"])
    flagged = [a for a in truth.anomalies if merged.loc[(merged["ServiceName"] == a["service"]), "extra"].abs().sum() > 0]
    assert len(flagged) == len(truth.anomalies)
    others = ~merged["ServiceName"].isin([a["service"] for a in truth.anomalies])
    assert merged.loc[others, "extra"].abs().max() == pytest.approx(0.0, abs=1e-9)


def test_generator_kubernetes_and_storage(generated):
    truth, data = generated
    cluster = data.query(Q.showback_by_tag, key="k8s-cluster").set_index("tag_value", drop=False)
    assert cluster.loc[S.KUBERNETES_CLUSTER, "effective_cost"] == pytest.approx(truth.kubernetes_node_cost, rel=1e-9)
    storage = data.query(Q.cost_by, dimensions=["x_StorageClass"]).dropna(subset=["x_StorageClass"])
    got = dict(zip(storage["x_StorageClass"], storage["effective_cost"]))
    assert got == pytest.approx(truth.storage_by_class, rel=1e-9)


def test_generator_is_seeded(tmp_path):
    a = S.generate(tmp_path / "a.parquet", resources=40, days=14, seed=3)
    b = S.generate(tmp_path / "b.parquet", resources=40, days=14, seed=3)
    c = S.generate(tmp_path / "c.parquet", resources=40, days=14, seed=4)
    assert a.effective_cost == b.effective_cost != c.effective_cost
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet"))


def test_generator_rejects_too_little_history(tmp_path):
    with pytest.raises(ValueError, match="days = 7: expected at least 14"):
        S.generate(tmp_path / "x.parquet", resources=40, days=7)


# ---------------------------------------------------------------------------------------------------
# Bad data: each case a small file written here


HEADER = list(focus.MANDATORY) + ["Tags", "ResourceId", "CommitmentDiscountId", "CommitmentDiscountStatus",
                                  "ListUnitPrice"]


def _row(**values):
    row = {
        "BilledCost": "1.0", "BillingAccountId": "acct", "BillingAccountName": "Acct", "BillingCurrency": "USD",
        "BillingPeriodEnd": "2026-12-01T00:00:00Z", "BillingPeriodStart": "2026-11-01T00:00:00Z",
        "ChargeCategory": "Usage", "ChargeClass": "NULL", "ChargeDescription": "vm hour",
        "ChargePeriodEnd": "2026-11-01T01:00:00Z", "ChargePeriodStart": "2026-11-01T00:00:00Z",
        "ContractedCost": "1.0", "EffectiveCost": "1.0", "InvoiceIssuerName": "Cloud", "ListCost": "1.0",
        "PricingQuantity": "1", "PricingUnit": "Hours", "ProviderName": "Cloud", "PublisherName": "Cloud",
        "ServiceCategory": "Compute", "ServiceName": "VMs", "Tags": '{"team": "ads"}', "ResourceId": "vm-1",
        "CommitmentDiscountId": "NULL", "CommitmentDiscountStatus": "NULL", "ListUnitPrice": "1.0",
    }
    row.update(values)
    return row


def _write_csv(path: Path, rows: list[dict], columns=None, compress=False) -> Path:
    frame = pd.DataFrame(rows, columns=columns or HEADER)
    text = frame.to_csv(index=False)
    if compress:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def _open(path, tmp_path, **kw):
    return billing.open_billing(path, cache_dir=tmp_path / "cache", **kw)


def test_missing_mandatory_column_names_file_and_columns(tmp_path):
    path = _write_csv(tmp_path / "bill.csv", [_row()], columns=[c for c in HEADER if c not in ("BilledCost", "ServiceName")])
    with pytest.raises(BillingDataError) as error:
        _open(path, tmp_path)
    message = str(error.value)
    assert message == "bill.csv: missing mandatory FOCUS 1.0 columns: BilledCost, ServiceName"
    assert len(message.splitlines()) == 1


def test_bad_json_tags_are_counted_with_rows_never_a_crash(tmp_path):
    rows = [_row(Tags='{"team": "ads"}'), _row(Tags='{"team": "ads"'), _row(Tags="team=ads"),
            _row(Tags='["a"]'), _row(Tags='{" team ": " web ", "pii": null}'), _row(Tags="NULL")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    q = data.quality
    assert q.tag_rows_unparseable == 3
    assert q.tag_examples_unparseable == ["bill.csv row 2", "bill.csv row 3", "bill.csv row 4"]
    assert q.tags_valueless == 1 and q.tag_rows == 2
    showback = data.query(Q.showback_by_tag, key="team")
    assert dict(zip(showback["tag_value"].fillna("-"), showback["rows"])) == {"-": 4, "ads": 1, "web": 1}
    pii = data.query(Q.showback_by_tag, key="pii")
    assert set(pii["tag_value"].dropna()) == {"true"}  # a valueless tag reads as true
    assert (q.checks()["status"] == "warning").any()


def test_mixed_currencies_need_a_choice(tmp_path):
    rows = [_row(BilledCost="10", EffectiveCost="10"), _row(BillingCurrency="EUR", BilledCost="7", EffectiveCost="6")]
    path = _write_csv(tmp_path / "bill.csv", rows)
    with pytest.raises(BillingDataError, match=r"bill.csv: mixed BillingCurrency \(EUR: 1 rows, billed 7.00; "
                                               r"USD: 1 rows, billed 10.00\)"):
        _open(path, tmp_path)
    data = _open(path, tmp_path, billing_currency="USD")
    assert data.quality.billed_cost == 10.0
    assert data.quality.currencies_excluded == {"EUR": {"rows": 1, "billed_cost": 7.0, "effective_cost": 6.0}}
    with pytest.raises(BillingDataError, match="billing_currency = 'GBP' does not occur"):
        _open(path, tmp_path, billing_currency="GBP")


def test_null_tokens_and_quoted_numbers(tmp_path):
    """'NULL' and '' read as null; '"2.50"' quoted reads as 2.5; ' 3 ' trimmed."""
    rows = [_row(ListUnitPrice="NULL", ResourceId=""), _row(ListUnitPrice="2.50", BilledCost=" 3 ", ListCost="5")]
    path = tmp_path / "bill.csv"
    pd.DataFrame(rows, columns=HEADER).to_csv(path, index=False, quoting=1)  # every field quoted
    data = _open(path, tmp_path)
    q = data.quality
    assert q.null_tokens["ListUnitPrice"] == {"NULL": 1, "null": 0, "empty": 0}
    assert q.null_tokens["ResourceId"] == {"NULL": 0, "null": 0, "empty": 1}
    assert q.billed_cost == 4.0
    # ListCost 5 = 2.50 x 1? No: off by 2.5, so the invariant flags one row; the NULL price row is not checked.
    assert q.list_cost["rows_checked"] == 1 and q.list_cost["rows_off"] == 1
    assert q.list_cost["largest_gap"] == pytest.approx(2.5)


def test_timestamp_formats_read_as_utc(tmp_path):
    rows = [_row(ChargePeriodStart="2026-11-01T05:00:00Z"), _row(ChargePeriodStart="2026-11-01 05:00:00"),
            _row(ChargePeriodStart="2026-11-01T05:00:00"), _row(ChargePeriodStart="2026-11-01T07:00:00+02:00")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    q = data.quality
    assert sum(q.timestamp_formats["ChargePeriodStart"].values()) == 4
    assert q.unparseable_values == {}
    hourly = data.query(Q.cost_by, dimensions=[], period="hour")
    stamps = pd.to_datetime(hourly["period_start"], utc=True)
    # Four rows at 05:00 UTC (the +02:00 one included). A format the reader does not know refuses the
    # file (tests/test_billing_readers.py).
    assert dict(zip(stamps.astype(str), hourly["rows"])) == {"2026-11-01 05:00:00+00:00": 4}


def test_enumeration_case_drift_is_normalised_and_unknown_values_listed(tmp_path):
    rows = [_row(ChargeCategory="usage"), _row(ChargeCategory="USAGE"), _row(ChargeCategory="Usage"),
            _row(ChargeCategory="Refund")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    assert data.quality.enum_case_drift == {"ChargeCategory": {"usage": 1, "USAGE": 1}}
    assert data.quality.enum_unknown == {"ChargeCategory": {"Refund": 1}}
    categories = data.query("totals_by_charge_category").set_index("ChargeCategory")["rows"].to_dict()
    assert categories == {"Usage": 3, "Refund": 1}


def test_credits_keep_their_sign_and_category(tmp_path):
    """Usage 10 billed, a credit of -4: billed total 6, the credit shown as its own category."""
    rows = [_row(BilledCost="10", EffectiveCost="10"),
            _row(ChargeCategory="Credit", BilledCost="-4", EffectiveCost="-4", ResourceId="", Tags="")]
    data = _open(_write_csv(tmp_path / "bill.csv", rows), tmp_path)
    totals = {t["ChargeCategory"]: (t["billed_cost"], t["effective_cost"]) for t in data.quality.totals}
    assert totals == {"Usage": (10.0, 10.0), "Credit": (-4.0, -4.0)}
    assert data.quality.billed_cost == 6.0


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(BillingDataError, match="empty.csv: the file is empty"):
        _open(empty, tmp_path)
    header = _write_csv(tmp_path / "header.csv", [])
    with pytest.raises(BillingDataError, match="header.csv: no billing rows"):
        _open(header, tmp_path)
    with pytest.raises(BillingDataError, match="no such file or folder"):
        _open(tmp_path / "missing.csv", tmp_path)


def test_version_detection_and_custom_columns(tmp_path):
    rows = [_row(ServiceSubcategory="Virtual Machines", x_Team="ads", Id="1")]
    columns = HEADER + ["ServiceSubcategory", "x_Team", "Id"]
    data = _open(_write_csv(tmp_path / "bill.csv", rows, columns=columns), tmp_path)
    assert data.quality.version == "1.1"
    assert data.quality.columns_custom == ["x_Team"] and data.quality.columns_unknown == ["Id"]
    assert data.query(Q.cost_by, dimensions=["x_Team"])["x_Team"].tolist() == ["ads"]


def test_folder_glob_gzip_and_parquet_read_as_one(tmp_path):
    """Two months in a folder (one gzipped CSV, one Parquet) read as one table: 2 + 3 = 5 rows."""
    folder = tmp_path / "exports"
    (folder / "2026-10").mkdir(parents=True)
    (folder / "2026-11").mkdir()
    _write_csv(folder / "2026-10" / "bill.csv.gz", [_row(), _row()], compress=True)
    frame = pd.DataFrame([_row(), _row(), _row(BilledCost="2")], columns=HEADER)
    frame.to_parquet(folder / "2026-11" / "bill.parquet")
    whole = _open(folder, tmp_path)
    assert whole.quality.rows == 5 and whole.quality.billed_cost == 6.0
    assert len(whole.provenance["files"]) == 2
    globbed = _open(str(folder / "2026-*" / "bill.*"), tmp_path)
    assert globbed.quality.billed_cost == 6.0
    assert globbed.provenance["manifest_sha256"] == whole.provenance["manifest_sha256"]


# ---------------------------------------------------------------------------------------------------
# Provenance and cache


def test_manifest_hashes_every_file(tmp_path):
    path = _write_csv(tmp_path / "bill.csv", [_row()])
    data = _open(path, tmp_path)
    (entry,) = data.provenance["files"]
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["bytes"] == path.stat().st_size
    before = data.provenance["manifest_sha256"]
    _write_csv(path, [_row(), _row()])
    after = _open(path, tmp_path)
    assert after.provenance["manifest_sha256"] != before
    assert after.quality.rows == 2  # the cache is keyed by content, so the change is seen


def test_reopen_and_requery_do_not_rescan(tmp_path, monkeypatch):
    path = _write_csv(tmp_path / "bill.csv", [_row(), _row(BilledCost="3")])
    first = _open(path, tmp_path)
    daily = first.query("daily_cost_by_service")

    def no_scan(*args, **kwargs):
        raise AssertionError("the raw rows were read again")

    monkeypatch.setattr(billing, "normalise", no_scan)
    again = _open(path, tmp_path)
    assert again.quality.rows == 2
    monkeypatch.setattr(type(again), "backend", property(lambda self: no_scan()))
    pd.testing.assert_frame_equal(again.query("daily_cost_by_service"), daily)


# ---------------------------------------------------------------------------------------------------
# Tag parsing never crashes


@given(st.one_of(st.none(), st.text(max_size=40),
                 st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.text(max_size=8), st.integers(),
                                                               st.booleans()), max_size=5).map(json.dumps)))
def test_parse_tags_never_crashes_and_trims(text):
    tags, valueless, valid = billing.parse_tags(text)
    if tags is not None:
        assert valid
        assert all(k == k.strip() and isinstance(v, str) and v == v.strip() for k, v in tags.items())
        assert valueless <= len(json.loads(text))
    else:
        assert valueless == 0


def test_report_provenance_lists_every_data_file(tmp_path):
    """A report that reads billing data records each file's path, size and SHA-256 beside the params hash."""
    from costlib import report

    path = _write_csv(tmp_path / "bill.csv", [_row()])
    data = _open(path, tmp_path)
    info = report.provenance(None, data.provenance)
    assert info["data_files"] == data.provenance["files"]
    assert info["data_files"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info["data_manifest_sha256"] == data.provenance["manifest_sha256"]
    assert "data_files" not in report.provenance(None)
