"""Scenario tests for workbook 03 (CapEx vs OpEx): every params file's headline against hand arithmetic, and
bad input stopped by validation with the key named.

Expected numbers are derived in each docstring (closed forms, or numpy-financial on cash flows built here
month by month), never copied from a run.
"""

import math
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest

from costlib import params
from costlib.errors import ScenarioError
from costlib.workbooks import capex_opex as wb

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "params" / "capex_opex"


def run(name):
    return wb.analyse(params.load(FOLDER / f"{name}.yaml", root=ROOT))


def price(key):
    return params.load_pricebook(ROOT)[key]["value"]


def pv(stream, rate_per_year):
    """PV of month-end costs 1..H: -npf.npv(r_month, [0, -c_1, ..., -c_H])."""
    r_month = (1 + rate_per_year) ** (1 / 12) - 1
    return -npf.npv(r_month, np.r_[0.0, -np.asarray(stream, dtype=float)])


def test_every_scenario_file_is_covered():
    names = sorted(p.stem for p in FOLDER.glob("*.yaml"))
    assert names == ["gpu_cluster_own_vs_rent", "saas_monitoring_100x", "server_useful_life",
                     "storage_repatriation", "ten_million_cluster"]


# --------------------------------------------------------------------------------------------------
# the seed's $10M cluster


def test_ten_million_cluster_cash_vs_pnl():
    """$10M cluster, 4-year straight-line, no salvage; rent $4M/year; owning costs $0.9M/year to run.

    Year 1, buy: cash out 10M + 0.9M = 10.9M; depreciation 10M / 4 = 2.5M (the seed's "~$2.5M hits the
    P&L"); P&L expense 2.5M + 0.9M = 3.4M. Rent: 4M of cash and of expense.
    EBITDA gain from buying = (-0.9M) - (-4M) = +3.1M; FCF gain = (-10.9M) - (-4M) = -6.9M.
    Break-even: cumulative buy 10M + 75,000 m against rent 333,333.33 m -> m >= 10M / 258,333.33 = 38.7 -> 39.
    PV over 48 months at 8%: with r_m = 1.08^(1/12) - 1 and A = (1 - 1.08^-4) / r_m (48 monthly payments),
    rent = 333,333.33 A, buy = 10M / (1 + r_m) + 75,000 A; saving = 258,333.33 A - 10M / (1 + r_m).
    """
    a = run("ten_million_cluster")
    h = a.headline
    assert h["buy_cash_out_year_1_usd"] == pytest.approx(10_900_000)
    assert h["buy_depreciation_year_1_usd"] == pytest.approx(2_500_000)
    assert h["buy_pnl_expense_year_1_usd"] == pytest.approx(3_400_000)
    assert h["rent_cash_out_year_1_usd"] == pytest.approx(4_000_000)
    assert h["ebitda_gain_from_buying_year_1_usd"] == pytest.approx(3_100_000)
    assert h["fcf_gain_from_buying_year_1_usd"] == pytest.approx(-6_900_000)
    assert h["buy_break_even_month"] == 39
    r_m = 1.08 ** (1 / 12) - 1
    annuity = (1 - 1.08 ** -4) / r_m
    expected = (4e6 - 0.9e6) / 12 * annuity - 10e6 / (1 + r_m)
    assert h["pv_saving_from_buying_usd"] == pytest.approx(expected)
    assert h["pv_saving_from_buying_p10_usd"] < h["pv_saving_from_buying_usd"] < h["pv_saving_from_buying_p90_usd"]
    assert "**Buy the $10M cluster" in a.recommendation


def test_ten_million_cluster_method_comparison_and_months():
    """Same $10M over 4 years: double-declining year 1 = 10M x 2/4 = 5M; sum-of-years-digits year 1 =
    10M x 4/10 = 4M; MACRS 5-year year 1 = 20% = 2M (IRS Pub 946 Table A-1). Straight-line by month:
    2.5M / 12 = 208,333.33 in each month of years 1-4."""
    sec = run("ten_million_cluster").sections["buy_vs_rent"]
    first = sec["methods"].iloc[0]
    assert first["straight_line"] == pytest.approx(2.5e6)
    assert first["declining_balance"] == pytest.approx(5e6)
    assert first["sum_of_years_digits"] == pytest.approx(4e6)
    assert first["macrs_5y"] == pytest.approx(2e6)
    grid = sec["monthly"]
    assert len(grid) == 4
    np.testing.assert_allclose(grid[[f"m{k}" for k in range(1, 13)]].to_numpy(), 2.5e6 / 12)
    np.testing.assert_allclose(grid["year_total"], 2.5e6)


def test_buy_vs_rent_recommendation_follows_the_numbers():
    """Rent at $3M a year: buying saves 175,000 a month against 10M up front -> PV saving
    175,000 A - 10M / (1 + r_m) < 0 (A = 41.2 at 8%), so the verdict turns to renting; at the flip value of
    rent_usd_per_year both options cost the same in present value."""
    p = params.load(FOLDER / "ten_million_cluster.yaml", root=ROOT)
    p.buy_vs_rent.rent_usd_per_year = 3_000_000
    a = wb.analyse(p)
    assert a.headline["pv_saving_from_buying_usd"] < 0
    assert "**Rent the $10M cluster.**" in a.recommendation
    flips = a.sensitivity["buy_vs_rent"]["flips"].set_index("input")
    rent_star = flips.loc["rent_usd_per_year", "flip_value"]
    model = wb.make_model(p, "buy_vs_rent")
    base = wb.model_inputs(p, "buy_vs_rent")
    assert model(**{**base, "rent_usd_per_year": rent_star}) == pytest.approx(0, abs=1e-3)


# --------------------------------------------------------------------------------------------------
# server useful life 3 -> 4 -> 5 years


def test_server_useful_life():
    """K = $10B of servers a year, growing 10%: cohorts K/1.21 (2 years old), K/1.1 (1 year old), K (new).

    Keep 3 years, year 1: (K/1.21 + K/1.1 + K) / 3 = 9.11846B.
    3 -> 4, year 1: the 2-year-old cohort's last third over 4 - 2 = 2 years (K/1.21/6), the 1-year-old
    cohort's two thirds over 3 years (K/1.1 x 2/9), new K/4: 5.89761B; reduction 3.22084B.
    3 -> 5, year 1: K/1.21/3/3 + K/1.1 x 2/3/4 + K/5 = 4.43343B; reduction 4.68503B.
    Over 6 years the cumulative reduction is the extra book value at the end of year 6:
    5-year life: K (1.1^5 x 4/5 + 1.1^4 x 3/5 + 1.1^3 x 2/5 + 1.1^2 x 1/5) = 2.941268K;
    3-year life: K (1.1^5 x 2/3 + 1.1^4 x 1/3) = 1.561707K; difference 1.379561K = 13.79561B.
    Extra running cost $100M a year per added year, 2 added years, 6 years: 1.2B -> net 12.59561B.
    Break-even extra running cost: 13.79561B / (2 x 6) = 1.14963B a year.
    """
    h = run("server_useful_life").headline
    k = 10e9
    before = (k / 1.21 + k / 1.1 + k) / 3
    assert h["depreciation_3y_life_year_1_usd"] == pytest.approx(before)
    assert h["expense_reduction_3_to_4y_life_year_1_usd"] == pytest.approx(
        before - (k / 1.21 / 6 + k / 1.1 * 2 / 9 + k / 4))
    assert h["expense_reduction_3_to_5y_life_year_1_usd"] == pytest.approx(
        before - (k / 1.21 / 9 + k / 1.1 / 6 + k / 5))
    extra_book = k * (1.1 ** 5 * 0.8 + 1.1 ** 4 * 0.6 + 1.1 ** 3 * 0.4 + 1.1 ** 2 * 0.2
                      - 1.1 ** 5 * 2 / 3 - 1.1 ** 4 / 3)
    assert h["cumulative_reduction_3_to_5y_life_usd"] == pytest.approx(extra_book)
    assert h["net_gain_3_to_5y_life_usd"] == pytest.approx(extra_book - 100e6 * 2 * 6)
    assert h["max_extra_running_usd_per_year_per_added_life_year"] == pytest.approx(extra_book / 12)


# --------------------------------------------------------------------------------------------------
# on-demand GPUs against an owned GPU cluster


def test_gpu_cluster_own_vs_rent():
    """32 p5.48xlarge at the pricebook's hourly price P (an assumption, 55.04), 730 h, 85% of hours:
    C = 32 x P x 730 x 0.85 a month (1,092,874.24 at 55.04).
    Owned: the fleet's 0.8M + 2.0M + 11.2M = 14M; running 25k + 60k + 90k + 4 x 300k / 12 = 275k a month
    from month 10 (9-month lead time, cloud running until then).
    Break-even: 14M + 9 C + 275k (m - 9) <= C m  ->  m >= (14M + 9 C - 2.475M) / (C - 275k) = 26.1 -> 27.
    Fleet depreciation, year 1: storage 800k/60 x 5 months (8-12) = 66,667; fabric 2M/60 x 4 = 133,333;
    GPU servers (11.2M - 1.12M)/48 x 3 = 630,000: total 830,000. Year 2: 160k + 400k + 2.52M = 3.08M.
    PVs at 10%: numpy-financial on the monthly streams built here.
    """
    a = run("gpu_cluster_own_vs_rent")
    h = a.headline
    cloud = 32 * price("aws_ec2_p5_48xlarge_usd_per_hour") * 730 * 0.85
    running = 25_000 + 60_000 + 90_000 + 4 * price("sre_fully_loaded_usd_per_fte_year") / 12
    assert h["cloud_bill_month_1_usd"] == pytest.approx(cloud)
    assert h["owned_capex_usd"] == pytest.approx(14e6)
    assert h["owned_running_usd_per_month"] == pytest.approx(running)
    assert h["break_even_month"] == math.ceil((14e6 + 9 * cloud - 9 * running) / (cloud - running))
    assert h["fleet_depreciation_year_1_usd"] == pytest.approx(800e3 / 60 * 5 + 2e6 / 60 * 4 + 10.08e6 / 48 * 3)
    assert h["fleet_depreciation_year_2_usd"] == pytest.approx(160e3 + 400e3 + 2.52e6)
    owned = np.r_[[cloud] * 9, [running] * 39]
    owned[0] += 14e6
    assert h["pv_cloud_usd"] == pytest.approx(pv([cloud] * 48, 0.10))
    assert h["pv_owned_usd"] == pytest.approx(pv(owned, 0.10))
    assert h["pv_saving_from_owning_usd"] == pytest.approx(pv([cloud] * 48, 0.10) - pv(owned, 0.10))
    assert "fleet_cost_usd" not in h  # the fleet is the owned capacity: shown once, as owned_capex_usd
    assert "**Own the capacity: $11.55M cheaper" in a.recommendation


def test_gpu_cluster_pnl_view_year_1():
    """Year 1 owned: cash = 14M + 9 C + 3 x 275k; capex 14M; opex = 9 C + 825k; depreciation 830,000.
    Cloud: 12 C of cash and expense. EBITDA gain from owning = 12 C - (9 C + 825k) = 3 C - 825k."""
    a = run("gpu_cluster_own_vs_rent")
    c = a.headline["cloud_bill_month_1_usd"]
    row = a.sections["own_vs_rent"]["table"].iloc[0]
    assert row["own_cash_out_usd"] == pytest.approx(14e6 + 9 * c + 825e3)
    assert row["own_depreciation_usd"] == pytest.approx(830e3)
    assert row["ebitda_gain_from_owning_usd"] == pytest.approx(3 * c - 825e3)
    assert row["fcf_gain_from_owning_usd"] == pytest.approx(12 * c - (14e6 + 9 * c + 825e3))


# --------------------------------------------------------------------------------------------------
# storage repatriation


def test_storage_repatriation():
    """30M GB at the pricebook's S3 Standard price (0.023) less 30%, plus 60k of requests and egress:
    30e6 x 0.023 x 0.7 + 60,000 = 543,000 in month 1, growing 2% a month.
    Owned: 6M up front; running 10k + 20k + 15k + 10 x 300k / 12 = 295k a month from month 13.
    Cumulative cloud at m = 543k (1.02^m - 1) / 0.02; owned at m > 12 = 6M + cloud(12) + 295k (m - 12).
    m = 24: cloud 16.519M < owned 6M + 7.283M + 3.540M = 16.823M; m = 25: cloud 17.392M >= owned 17.118M,
    so break-even is month 25. PVs at 8% by numpy-financial on the streams built here.
    """
    h = run("storage_repatriation").headline
    cloud = 30e6 * price("aws_s3_standard_usd_per_gb_month") * 0.7 + 60_000
    running = 10_000 + 20_000 + 15_000 + 10 * price("sre_fully_loaded_usd_per_fte_year") / 12
    assert h["cloud_bill_month_1_usd"] == pytest.approx(cloud)
    assert h["owned_running_usd_per_month"] == pytest.approx(running)
    bills = cloud * 1.02 ** np.arange(48)
    owned = np.r_[bills[:12], [running] * 36]
    owned[0] += 6e6
    cumulative_cloud, cumulative_owned = np.cumsum(bills), np.cumsum(owned)
    assert cumulative_owned[23] > cumulative_cloud[23] and cumulative_owned[24] <= cumulative_cloud[24]
    assert h["break_even_month"] == 25
    assert h["pv_saving_from_owning_usd"] == pytest.approx(pv(bills, 0.08) - pv(owned, 0.08))


# --------------------------------------------------------------------------------------------------
# SaaS monitoring bill growing 100x


def test_saas_monitoring_100x():
    """50,000 GB at $0.10 = $5,000 in month 1 (the seed's bill), 100x by month 12 = $500,000.
    Crossover volume F / p = 100,000 / 0.10 = 1,000,000 GB a month (20x the start): m* = 1 + 11 ln 20 / ln 100
    = 8.16, so the flat rate is cheaper from month 9.
    Pay-per-use over 12 months: 5,000 (q^12 - 1) / (q - 1) with q = 100^(1/11), about 1.452M; flat 1.2M;
    saving = that - 1.2M; the most worth signing is the average bill, total / 12.
    """
    h = run("saas_monitoring_100x").headline
    q = 100 ** (1 / 11)
    total = 5_000 * (q ** 12 - 1) / (q - 1)
    assert h["usage_bill_month_1_usd"] == pytest.approx(5_000)
    assert h["usage_bill_month_12_usd"] == pytest.approx(500_000)
    assert h["crossover_volume_gb_ingested_per_month"] == pytest.approx(1e6)
    assert 1 + 11 * math.log(20) / math.log(100) == pytest.approx(8.156, abs=1e-3)
    assert h["crossover_month"] == 9
    assert h["usage_bill_total_usd"] == pytest.approx(total)
    assert h["flat_rate_total_usd"] == pytest.approx(1.2e6)
    assert h["flat_rate_saving_usd"] == pytest.approx(total - 1.2e6)
    assert h["max_flat_rate_worth_signing_usd_per_month"] == pytest.approx(total / 12)


def test_saas_flip_point_is_where_both_cost_the_same():
    """At the flat rate's flip value the flat rate and pay-per-use cost the same over the horizon, and it is
    the average pay-per-use bill."""
    a = run("saas_monitoring_100x")
    flips = a.sensitivity["saas_growth"]["flips"].set_index("input")
    assert flips.loc["flat_rate_usd_per_month", "flip_value"] == pytest.approx(
        a.headline["max_flat_rate_worth_signing_usd_per_month"], rel=1e-6)


# --------------------------------------------------------------------------------------------------
# bad input


def _base():
    return params.read_yaml(FOLDER / "ten_million_cluster.yaml")


def _fails(data, key, *fragments):
    with pytest.raises(ScenarioError) as info:
        params.validate("capex_opex", data, source="test.yaml", root=ROOT)
    message = str(info.value)
    assert f"key '{key}'" in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_negative_life_is_rejected():
    data = _base()
    data["buy_vs_rent"]["useful_life_years"] = -4
    _fails(data, "buy_vs_rent.useful_life_years", "-4", ">= 1")


def test_salvage_above_cost_is_rejected():
    data = _base()
    data["buy_vs_rent"]["salvage_usd"] = 12_000_000
    _fails(data, "buy_vs_rent.salvage_usd", "salvage_usd <= capex_usd")
    gpu = params.read_yaml(FOLDER / "gpu_cluster_own_vs_rent.yaml")
    gpu["fleet"]["assets"][0]["salvage_usd"] = 900_000  # storage nodes cost 800,000
    _fails(gpu, "fleet.assets[0].salvage_usd", "salvage_usd <= cost_usd")


def test_unknown_method_is_rejected():
    data = _base()
    data["buy_vs_rent"]["method"] = "double_declining"
    _fails(data, "buy_vs_rent.method", "double_declining", "straight_line", "declining_balance")


def test_macrs_needs_a_published_recovery_period():
    data = _base()
    data["buy_vs_rent"]["method"] = "macrs"  # with useful_life_years: 4
    _fails(data, "buy_vs_rent.useful_life_years", "3, 5 or 7")


def test_rate_of_7_meaning_7_percent_is_rejected():
    data = _base()
    data["discount_rate_per_year"] = 7
    _fails(data, "discount_rate_per_year", "in [0, 1) (write 0.08 for 8%)")  # the one discount-rate rule
    storage = params.read_yaml(FOLDER / "storage_repatriation.yaml")
    storage["own_vs_rent"]["cloud_discount"] = 30
    _fails(storage, "own_vs_rent.cloud_discount", "0.07")
    storage = params.read_yaml(FOLDER / "storage_repatriation.yaml")
    storage["own_vs_rent"]["cloud_growth_rate_per_month"] = 2
    _fails(storage, "own_vs_rent.cloud_growth_rate_per_month", "0.02")


def test_unknown_key_is_rejected():
    data = _base()
    data["horizon_month"] = 48
    _fails(data, "horizon_month", "unknown key")
    storage = params.read_yaml(FOLDER / "storage_repatriation.yaml")
    storage["own_vs_rent"]["horizon_month"] = 48
    _fails(storage, "own_vs_rent.horizon_month", "did you mean 'horizon_months'")


def test_scenario_rules():
    """At least one decision section; one cloud price; sensitivity keys naming a present section's input."""
    with pytest.raises(ScenarioError, match="at least one decision section"):
        params.validate("capex_opex", {"title": "empty"}, root=ROOT)
    storage = params.read_yaml(FOLDER / "storage_repatriation.yaml")
    storage["own_vs_rent"]["cloud_usd_per_unit_hour"] = 1.0
    with pytest.raises(ScenarioError, match="exactly one of cloud_usd_per_unit_hour"):
        params.validate("capex_opex", storage, root=ROOT)
    data = _base()
    data["sensitivity_ranges"]["buy_vs_rent.rent_per_year"] = [1, 2]
    with pytest.raises(ScenarioError, match="unknown input 'buy_vs_rent.rent_per_year'"):
        params.validate("capex_opex", data, root=ROOT)


def test_section_inherited_from_notebook_defaults_is_caught(tmp_path):
    """papermill keeps the notebook's default buy_vs_rent for a file that omits the key: the notebook's guard
    names it, and the files in params/ all set it (or null) explicitly."""
    text = (FOLDER / "saas_monitoring_100x.yaml").read_text().replace("buy_vs_rent: null", "")
    path = tmp_path / "saas.yaml"
    path.write_text(text)
    scenario = params.validate("capex_opex", {**params.read_yaml(path), **{k: v for k, v in _base().items()
                                                                             if k == "buy_vs_rent"}}, root=ROOT)
    with pytest.raises(ScenarioError, match="key 'buy_vs_rent'.*null"):
        wb.check_sections_from_file(scenario, str(path))
    for f in FOLDER.glob("*.yaml"):
        wb.check_sections_from_file(params.load(f, root=ROOT), str(f))
