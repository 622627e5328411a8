"""Tests for costlib.capex: depreciation, fleet, P&L vs cash, useful life, own vs rent, SaaS flat rate.

Expected numbers come from IRS Publication 946 Table A-1, numpy-financial, closed forms, or arithmetic
shown in each test's docstring.
"""

import math

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costlib import capex, timing
from costlib.errors import ModelError

# --------------------------------------------------------------------------------------------------
# MACRS against the published table


IRS_946_TABLE_A1 = {
    3: [33.33, 44.45, 14.81, 7.41],
    5: [20.00, 32.00, 19.20, 11.52, 11.52, 5.76],
    7: [14.29, 24.49, 17.49, 12.49, 8.93, 8.92, 8.93, 4.46],
}


@pytest.mark.parametrize("period", [3, 5, 7])
def test_macrs_matches_irs_table_a1(period):
    """IRS Publication 946, Appendix A, Table A-1, "3-, 5-, 7-, 10-, 15-, and 20-Year Property,
    Half-Year Convention", depreciation rate (%) by recovery year::

        Year   3-year   5-year   7-year
        1      33.33    20.00    14.29
        2      44.45    32.00    24.49
        3      14.81    19.20    17.49
        4       7.41    11.52    12.49
        5               11.52     8.93
        6                5.76     8.92
        7                         8.93
        8                         4.46

    A basis of $100 depreciates by exactly the percentages; a basis of $10,000 by 100 times them.
    """
    expected = IRS_946_TABLE_A1[period]
    np.testing.assert_allclose(capex.macrs_gds_half_year(100.0, period), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(capex.macrs_gds_half_year(10_000.0, period),
                               [100 * p for p in expected], rtol=0, atol=1e-6)
    np.testing.assert_allclose(capex.depreciation_by_year(100.0, period, method="macrs"), expected,
                               atol=1e-9)
    assert len(capex.macrs_gds_half_year(1.0, period)) == period + 1
    assert sum(expected) == pytest.approx(100.0, abs=1e-9)


def test_macrs_ignores_salvage():
    """MACRS recovers the full basis: a salvage of $2,000 on $10,000 5-year property changes nothing,
    and the deductions sum to $10,000 (20 + 32 + 19.2 + 11.52 + 11.52 + 5.76 = 100%)."""
    with_salvage = capex.depreciation_by_year(10_000, 5, salvage_usd=2_000, method="macrs")
    np.testing.assert_allclose(with_salvage, capex.macrs_gds_half_year(10_000, 5))
    assert with_salvage.sum() == pytest.approx(10_000)


def test_macrs_unsupported_period():
    with pytest.raises(ModelError, match="recovery_period_years"):
        capex.macrs_gds_half_year(1_000, 10)
    with pytest.raises(ModelError, match="useful_life_years"):
        capex.depreciation_by_year(1_000, 4, method="macrs")


# --------------------------------------------------------------------------------------------------
# worked examples


def test_straight_line_worked_example():
    """Cost $10,000, salvage $1,000, 4 years: (10,000 - 1,000) / 4 = 2,250 a year.
    Book value: 10,000 - 2,250 = 7,750; 5,500; 3,250; 1,000 (= salvage)."""
    dep = capex.straight_line(10_000, 4, salvage_usd=1_000)
    np.testing.assert_allclose(dep, [2_250, 2_250, 2_250, 2_250])
    np.testing.assert_allclose(capex.book_value(10_000, dep), [7_750, 5_500, 3_250, 1_000])


def test_straight_line_monthly():
    """Straight-line by month: $36,000 over 3 years is 36,000 / 36 = $1,000 in each of 36 months."""
    monthly = capex.depreciation_by_month(36_000, 3)
    np.testing.assert_allclose(monthly, np.full(36, 1_000.0))


def test_double_declining_balance_switches_to_straight_line():
    """Cost $10,000, no salvage, 5 years, 200%: rate 2 / 5 = 40%.

    ====  =====  ======================  ===========================  =======  =====
    year  book   DB = 40% x book         SL = book / years left       taken    end
    ====  =====  ======================  ===========================  =======  =====
    1     10000  4000                    10000 / 5 = 2000             4000     6000
    2     6000   2400                    6000 / 4 = 1500              2400     3600
    3     3600   1440                    3600 / 3 = 1200              1440     2160
    4     2160   864                     2160 / 2 = 1080 (switch)     1080     1080
    5     1080   432                     1080 / 1 = 1080              1080     0
    ====  =====  ======================  ===========================  =======  =====
    """
    dep = capex.declining_balance(10_000, 5)
    np.testing.assert_allclose(dep, [4_000, 2_400, 1_440, 1_080, 1_080])
    np.testing.assert_allclose(capex.book_value(10_000, dep), [6_000, 3_600, 2_160, 1_080, 0],
                               atol=1e-9)


def test_declining_balance_150_percent_switch():
    """Cost $10,000, no salvage, 5 years, 150%: rate 1.5 / 5 = 30%.

    Year 1: DB 3,000 vs SL 2,000 -> 3,000, book 7,000. Year 2: DB 2,100 vs SL 7,000 / 4 = 1,750
    -> 2,100, book 4,900. Year 3: DB 1,470 vs SL 4,900 / 3 = 1,633.33 -> switch, 1,633.33; years 4
    and 5 stay at 1,633.33 (3,266.67 / 2, then 1,633.33 / 1). Total 3,000 + 2,100 + 3 x 1,633.33
    = 10,000.
    """
    dep = capex.declining_balance(10_000, 5, factor=1.5)
    np.testing.assert_allclose(dep, [3_000, 2_100, 4_900 / 3, 4_900 / 3, 4_900 / 3])


def test_declining_balance_stops_at_salvage():
    """Cost $10,000, salvage $1,000, 5 years, 200% (40%).

    Years 1-4 as without salvage while DB is larger than SL on (book - salvage): 4,000 (SL 1,800),
    2,400 (SL 5,000 / 4 = 1,250), 1,440 (SL 2,600 / 3 = 866.67), 864 (SL 1,160 / 2 = 580); book
    after year 4 is 1,296. Year 5: DB 518.40 would take book to 777.60, below salvage, so the
    expense is capped at 1,296 - 1,000 = 296. Total 9,000 = cost - salvage.
    """
    dep = capex.declining_balance(10_000, 5, salvage_usd=1_000)
    np.testing.assert_allclose(dep, [4_000, 2_400, 1_440, 864, 296])
    assert capex.book_value(10_000, dep)[-1] == pytest.approx(1_000)


def test_sum_of_years_digits_worked_example():
    """Cost $10,000, salvage $1,000, 4 years: digits 4 + 3 + 2 + 1 = 10, depreciable 9,000.
    Expense 9,000 x 4/10 = 3,600; x 3/10 = 2,700; x 2/10 = 1,800; x 1/10 = 900."""
    np.testing.assert_allclose(capex.sum_of_years_digits(10_000, 4, salvage_usd=1_000),
                               [3_600, 2_700, 1_800, 900])


def test_yearly_methods_spread_evenly_by_month():
    """A yearly method spreads each year over its 12 months: SYD on $12,000 over 3 years is
    6,000 / 4,000 / 2,000 a year (weights 3/6, 2/6, 1/6), so 500, 333.33 and 166.67 a month."""
    monthly = capex.depreciation_by_month(12_000, 3, method="sum_of_years_digits")
    np.testing.assert_allclose(monthly, np.repeat([500.0, 4_000 / 12, 2_000 / 12], 12))


def test_schedules_broadcast_over_samples():
    """Samples of shape (n, 1) give one schedule per row: $100 and $200 over 2 years straight-line
    are 50/50 and 100/100."""
    out = capex.depreciation_by_year(np.array([[100.0], [200.0]]), 2)
    np.testing.assert_allclose(out, [[50, 50], [100, 100]])
    db = capex.declining_balance(np.array([[10_000.0], [20_000.0]]), 5)
    np.testing.assert_allclose(db, [[4_000, 2_400, 1_440, 1_080, 1_080],
                                    [8_000, 4_800, 2_880, 2_160, 2_160]])


# --------------------------------------------------------------------------------------------------
# property tests on schedules

costs = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)
fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
lives = st.integers(min_value=1, max_value=40)
factors = st.floats(min_value=0.5, max_value=4.0, allow_nan=False)
non_macrs = st.sampled_from(["straight_line", "declining_balance", "sum_of_years_digits"])


@given(cost=costs, salvage_fraction=fractions, life=lives, method=non_macrs, factor=factors)
def test_schedule_sums_to_cost_less_salvage_and_stays_above_salvage(cost, salvage_fraction, life,
                                                                     method, factor):
    salvage = cost * salvage_fraction
    dep = capex.depreciation_by_year(cost, life, salvage, method=method, factor=factor)
    tol = 1e-9 * max(cost, 1.0)
    assert len(dep) == life
    assert dep.sum() == pytest.approx(cost - salvage, abs=tol)
    assert np.all(dep >= -tol)
    assert np.all(capex.book_value(cost, dep) >= salvage - tol)


@given(cost=costs, period=st.sampled_from([3, 5, 7]))
def test_macrs_sums_to_cost(cost, period):
    dep = capex.macrs_gds_half_year(cost, period)
    assert dep.sum() == pytest.approx(cost, abs=1e-9 * max(cost, 1.0))
    assert np.all(capex.book_value(cost, dep) >= -1e-9 * max(cost, 1.0))


@given(cost=costs, salvage_fraction=fractions, life=st.integers(1, 20),
       method=st.sampled_from(capex.DEPRECIATION_METHODS), factor=factors)
def test_monthly_schedule_sums_to_yearly(cost, salvage_fraction, life, method, factor):
    if method == "macrs":
        life = [3, 5, 7][life % 3]
    salvage = cost * salvage_fraction
    yearly = capex.depreciation_by_year(cost, life, salvage, method=method, factor=factor)
    monthly = capex.depreciation_by_month(cost, life, salvage, method=method, factor=factor)
    assert monthly.shape == (12 * len(yearly),)
    np.testing.assert_allclose(monthly.reshape(-1, 12).sum(axis=1), yearly,
                               rtol=1e-12, atol=1e-9 * max(cost, 1.0))


# --------------------------------------------------------------------------------------------------
# fleet


def test_fleet_in_service_dates():
    """Three assets:

    - ``a``: $12,000, 1 year straight-line, in service month 1 -> $1,000 in months 1-12;
    - ``b``: $24,000, salvage $0, 2 years straight-line, in service month 7 -> $1,000 in months 7-30;
    - ``c``: $10,000 5-year MACRS in service month 13: year 1 deduction 20% = $2,000 spread over
      months 13-24 -> $166.67 a month.

    Month 1: 1,000; month 7: 2,000; month 13: 1,000 + 166.67; month 31: c only, year 2 (32%) / 12
    = 266.67. By model year: year 1 = 12,000 + 6 x 1,000 = 18,000; year 2 = 12 x 1,000 + 2,000
    = 14,000.
    """
    assets = pd.DataFrame([
        {"name": "a", "cost_usd": 12_000, "in_service_month": 1, "useful_life_years": 1},
        {"name": "b", "cost_usd": 24_000, "in_service_month": 7, "useful_life_years": 2},
        {"name": "c", "cost_usd": 10_000, "in_service_month": 13, "useful_life_years": 5,
         "method": "macrs"},
    ])
    monthly = capex.fleet_depreciation_by_month(assets)
    assert list(monthly.columns) == ["a", "b", "c", "total_usd"]
    assert monthly.index[0] == 1 and len(monthly) == 12 * 7  # c runs through month 12 + 72 = 84
    assert monthly.loc[1, "total_usd"] == pytest.approx(1_000)
    assert monthly.loc[7, "total_usd"] == pytest.approx(2_000)
    assert monthly.loc[13, "total_usd"] == pytest.approx(1_000 + 2_000 / 12)
    assert monthly.loc[31, "total_usd"] == pytest.approx(3_200 / 12)
    yearly = capex.fleet_depreciation_by_year(assets)
    assert yearly.loc[1, "total_usd"] == pytest.approx(18_000)
    assert yearly.loc[2, "total_usd"] == pytest.approx(14_000)
    assert yearly["total_usd"].sum() == pytest.approx(12_000 + 24_000 + 10_000)


def test_fleet_asset_in_service_before_horizon_and_short_horizon():
    """$36,000 over 3 years straight-line ($1,000 a month) in service at month -11 (a year before the
    horizon) has 24 months left: the horizon sees 24,000. A 6-month horizon sees 6,000."""
    assets = [{"cost_usd": 36_000, "in_service_month": -11, "useful_life_years": 3}]
    assert capex.fleet_depreciation_by_month(assets)["total_usd"].sum() == pytest.approx(24_000)
    short = capex.fleet_depreciation_by_month(assets, horizon_months=6)
    assert len(short) == 6 and short["total_usd"].sum() == pytest.approx(6_000)
    assert list(short.columns) == ["asset_1", "total_usd"]


asset_strategy = st.fixed_dictionaries({
    "cost_usd": st.floats(0, 1e8, allow_nan=False),
    "in_service_month": st.integers(1, 60),
    "useful_life_years": st.integers(1, 8),
    "salvage_fraction": fractions,
    "method": non_macrs,
})


@given(raw=st.lists(asset_strategy, min_size=1, max_size=6))
def test_fleet_total_conserves_cost_less_salvage(raw):
    assets = []
    for i, a in enumerate(raw):
        assets.append({"name": f"x{i}", "cost_usd": a["cost_usd"], "in_service_month": a["in_service_month"],
                       "useful_life_years": a["useful_life_years"], "method": a["method"],
                       "salvage_usd": a["cost_usd"] * a["salvage_fraction"]})
    expected = sum(a["cost_usd"] - a["salvage_usd"] for a in assets)
    yearly = capex.fleet_depreciation_by_year(assets)
    monthly = capex.fleet_depreciation_by_month(assets)
    tol = 1e-8 * max(expected, 1.0)
    assert yearly["total_usd"].sum() == pytest.approx(expected, abs=tol)
    assert monthly["total_usd"].sum() == pytest.approx(expected, abs=tol)
    np.testing.assert_allclose(monthly.drop(columns="total_usd").sum(axis=1), monthly["total_usd"])


def test_fleet_bad_assets():
    with pytest.raises(ModelError, match="salvage"):
        capex.fleet_depreciation_by_month([{"cost_usd": 1, "in_service_month": 1, "useful_life_years": 3,
                                            "salvage": 0}])
    with pytest.raises(ModelError, match="useful_life_years"):
        capex.fleet_depreciation_by_month([{"cost_usd": 1, "in_service_month": 1}])
    with pytest.raises(ModelError, match="in_service_month"):
        capex.fleet_depreciation_by_month([{"cost_usd": 1, "in_service_month": 1.5, "useful_life_years": 3}])
    with pytest.raises(ModelError, match="name"):
        capex.fleet_depreciation_by_month([
            {"name": "a", "cost_usd": 1, "in_service_month": 1, "useful_life_years": 3},
            {"name": "a", "cost_usd": 1, "in_service_month": 1, "useful_life_years": 3},
        ])
    with pytest.raises(ModelError, match="method"):
        capex.fleet_depreciation_by_month([{"cost_usd": 1, "in_service_month": 1, "useful_life_years": 3,
                                            "method": "double_declining"}])


# --------------------------------------------------------------------------------------------------
# P&L view against cash view


def test_seed_ten_million_cluster():
    """Seed, section III.3: a $10M cluster on a 4-year straight-line life puts $10M of cash out in
    year 1 but only 10M / 4 = $2.5M of expense; renting for $10M a year costs EBITDA $10M.

    Buy: cash out 10M, 0, 0, 0; depreciation 2.5M a year; EBITDA effect 0 (depreciation sits below
    EBITDA); EBIT effect -2.5M a year; FCF effect -10M then 0; book value 7.5M, 5M, 2.5M, 0.
    Rent: 10M cash and opex each year, EBITDA, EBIT and FCF effects -10M each year.
    """
    v = capex.buy_vs_rent_views(10e6, 4, rent_usd_per_year=10e6)
    buy, rent = v.loc["buy"], v.loc["rent"]
    np.testing.assert_allclose(buy["cash_out_usd"], [10e6, 0, 0, 0])
    np.testing.assert_allclose(buy["depreciation_usd"], [2.5e6] * 4)
    np.testing.assert_allclose(buy["pnl_expense_usd"], [2.5e6] * 4)
    np.testing.assert_allclose(buy["ebitda_effect_usd"], [0] * 4)
    np.testing.assert_allclose(buy["ebit_effect_usd"], [-2.5e6] * 4)
    np.testing.assert_allclose(buy["fcf_effect_usd"], [-10e6, 0, 0, 0])
    np.testing.assert_allclose(buy["book_value_usd"], [7.5e6, 5e6, 2.5e6, 0])
    np.testing.assert_allclose(rent["ebitda_effect_usd"], [-10e6] * 4)
    np.testing.assert_allclose(rent["fcf_effect_usd"], [-10e6] * 4)
    np.testing.assert_allclose(rent["book_value_usd"], [0] * 4)


def test_buy_vs_rent_running_costs_and_horizon():
    """$8M on 4-year straight-line plus $1M a year to run, over 6 years: depreciation 2M in years 1-4
    then 0; opex 1M every year, so EBITDA effect -1M every year; cash out 9M in year 1, then 1M;
    EBIT effect -3M in years 1-4 and -1M in years 5-6."""
    v = capex.buy_vs_rent_views(8e6, 4, 3e6, horizon_years=6, owned_running_usd_per_year=1e6).loc["buy"]
    np.testing.assert_allclose(v["depreciation_usd"], [2e6] * 4 + [0, 0])
    np.testing.assert_allclose(v["ebitda_effect_usd"], [-1e6] * 6)
    np.testing.assert_allclose(v["cash_out_usd"], [9e6] + [1e6] * 5)
    np.testing.assert_allclose(v["ebit_effect_usd"], [-3e6] * 4 + [-1e6] * 2)


@given(cost=st.floats(0, 1e9, allow_nan=False), life=st.integers(1, 10), rent=st.floats(0, 1e9),
       method=non_macrs)
def test_buy_cash_and_expense_totals_agree_over_life(cost, life, rent, method):
    """Over the asset's life, total depreciation equals the cash paid (no salvage): the P&L and the
    cash views differ only in timing."""
    v = capex.buy_vs_rent_views(cost, life, rent, method=method).loc["buy"]
    assert v["depreciation_usd"].sum() == pytest.approx(v["cash_out_usd"].sum(), abs=1e-6 * max(cost, 1))


# --------------------------------------------------------------------------------------------------
# useful-life change


def test_useful_life_three_to_four_years():
    """$1,200 of servers bought every year, straight-line.

    3-year life: each cohort adds 400 a year for 3 years -> 400, 800, 1,200, 1,200, ...
    4-year life: each cohort adds 300 a year for 4 years -> 300, 600, 900, 1,200, ...
    Reduction: 100, 200, 300, 0, 0; cumulative 600 (the extra book value carried).
    """
    df = capex.useful_life_change(1_200, 3, 4, horizon_years=5)
    np.testing.assert_allclose(df["expense_before_usd"], [400, 800, 1_200, 1_200, 1_200])
    np.testing.assert_allclose(df["expense_after_usd"], [300, 600, 900, 1_200, 1_200])
    np.testing.assert_allclose(df["expense_reduction_usd"], [100, 200, 300, 0, 0], atol=1e-9)
    assert df["cumulative_reduction_usd"].iloc[-1] == pytest.approx(600)


def test_useful_life_with_growing_capex():
    """Capex $1B in year 1 growing 20% a year (1.0B, 1.2B), 3 to 5 years straight-line.
    Year 1: 1.0B/3 - 1.0B/5 = 133.33M. Year 2: (1.0B + 1.2B)/3 - (1.0B + 1.2B)/5 = 2.2B x 2/15
    = 293.33M."""
    df = capex.useful_life_change(1e9, 3, 5, horizon_years=2, capex_growth_rate_per_year=0.2)
    np.testing.assert_allclose(df["capex_usd"], [1e9, 1.2e9])
    np.testing.assert_allclose(df["expense_reduction_usd"], [1e9 * 2 / 15, 2.2e9 * 2 / 15])


def test_expense_by_useful_life_columns():
    """Capex given year by year [300, 0, 0]: with a 3-year life, 100 a year; 5-year, 60 a year."""
    df = capex.fleet_expense_by_useful_life([300, 0, 0], (3, 5), horizon_years=3)
    assert list(df.columns) == [3, 5]
    np.testing.assert_allclose(df[3], [100, 100, 100])
    np.testing.assert_allclose(df[5], [60, 60, 60])


# --------------------------------------------------------------------------------------------------
# own vs rent


def test_own_vs_rent_worked_break_even():
    """Cloud $100/month; owning costs $1,000 upfront, $50/month power, 2 months lead time.

    Owned: month 1 = 1,000 + 100 (cloud still runs), month 2 = 100, then 50 a month, so cumulative
    owned at m >= 2 is 1,200 + 50 (m - 2) against cumulative cloud 100 m. Break-even:
    1,100 + 50 m <= 100 m -> m >= 22. Month 22: 2,200 both; month 21: 2,150 owned vs 2,100 cloud.
    """
    c = capex.own_vs_rent_curves(100, 1_000, 30, lead_time_months=2, power_usd_per_month=50)
    assert c.loc[1, "owned_total_usd"] == pytest.approx(1_100)
    assert c.loc[2, "dual_running_cloud_usd"] == pytest.approx(100)
    assert c.loc[3, "dual_running_cloud_usd"] == 0
    assert c.loc[22, "cumulative_owned_usd"] == pytest.approx(2_200)
    assert c.loc[21, "cumulative_owned_usd"] == pytest.approx(2_150)
    s = capex.own_vs_rent_summary(100, 1_000, 30, 0.0, lead_time_months=2, power_usd_per_month=50)
    assert s["break_even_month"] == 22
    assert s["total_cloud_usd"] == pytest.approx(3_000)
    assert s["total_owned_usd"] == pytest.approx(1_200 + 50 * 28)


def test_own_vs_rent_never_breaks_even():
    """Running costs ($150) above the cloud bill ($100): owning never catches up -> None."""
    s = capex.own_vs_rent_summary(100, 1_000, 36, 0.08, sre_team_usd_per_month=150)
    assert s["break_even_month"] is None
    assert s["present_value_saving_usd"] < 0


def test_own_vs_rent_refresh_and_growth():
    """Refresh every 12 months: capex in months 1, 13, 25. Cloud growing 10%/month: month 3 bill is
    100 x 1.1^2 = 121."""
    c = capex.own_vs_rent_curves(100, 500, 30, cloud_growth_rate_per_month=0.1, hardware_refresh_months=12)
    assert c.index[c["owned_capex_usd"] > 0].tolist() == [1, 13, 25]
    assert c.loc[3, "cloud_usd"] == pytest.approx(121)


@given(r=st.floats(0.0, 0.5), costs=st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=60))
def test_present_value_against_numpy_financial(r, costs):
    """PV of costs = -npf.npv(r_month, [0, -c_1, ..., -c_H]) (npv puts its first value at t = 0)."""
    r_month = (1 + r) ** (1 / 12) - 1
    expected = -npf.npv(r_month, [0.0] + [-c for c in costs])
    assert capex.present_value(costs, r) == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_present_value_annuity_closed_form():
    """$1,000 a month for 12 months at 12%/year: r_m = 1.12^(1/12) - 1 and the annuity is
    1,000 (1 - 1.12^-1) / r_m."""
    r_m = 1.12 ** (1 / 12) - 1
    assert capex.monthly_discount_rate(0.12) == pytest.approx(r_m)
    assert capex.present_value([1_000] * 12, 0.12) == pytest.approx(1_000 * (1 - 1 / 1.12) / r_m)


def test_own_vs_rent_summary_present_values_against_numpy_financial():
    curves = capex.own_vs_rent_curves(80_000, 1.5e6, 48, lead_time_months=6, power_usd_per_month=8_000,
                                      space_usd_per_month=5_000, hardware_maintenance_usd_per_month=3_000,
                                      sre_team_usd_per_month=40_000, cloud_growth_rate_per_month=0.01)
    s = capex.own_vs_rent_summary(80_000, 1.5e6, 48, 0.08, lead_time_months=6, power_usd_per_month=8_000,
                                  space_usd_per_month=5_000, hardware_maintenance_usd_per_month=3_000,
                                  sre_team_usd_per_month=40_000, cloud_growth_rate_per_month=0.01)
    r_m = 1.08 ** (1 / 12) - 1
    pv_cloud = -npf.npv(r_m, np.r_[0.0, -curves["cloud_usd"].to_numpy()])
    pv_owned = -npf.npv(r_m, np.r_[0.0, -curves["owned_total_usd"].to_numpy()])
    assert s["present_value_cloud_usd"] == pytest.approx(pv_cloud)
    assert s["present_value_owned_usd"] == pytest.approx(pv_owned)
    assert s["present_value_saving_usd"] == pytest.approx(pv_cloud - pv_owned)
    assert s["total_owned_usd"] == pytest.approx(curves["owned_total_usd"].sum())


def test_own_vs_rent_summary_broadcasts_samples():
    """Samples of shape (n, 1) give one result per row, each equal to the scalar call."""
    cloud = np.array([[100.0], [50.0], [200.0]])
    s = capex.own_vs_rent_summary(cloud, 1_000, 24, 0.05, lead_time_months=2, power_usd_per_month=50)
    assert s["present_value_saving_usd"].shape == (3,)
    for i, c in enumerate([100.0, 50.0, 200.0]):
        one = capex.own_vs_rent_summary(c, 1_000, 24, 0.05, lead_time_months=2, power_usd_per_month=50)
        assert s["present_value_owned_usd"][i] == pytest.approx(one["present_value_owned_usd"])
        if one["break_even_month"] is None:
            assert np.isnan(s["break_even_month"][i])
        else:
            assert s["break_even_month"][i] == one["break_even_month"]


@settings(max_examples=200)
@given(cloud=st.floats(1, 1e6), capex_usd=st.floats(0, 1e8), running=st.floats(0, 1e6),
       lead=st.integers(0, 24), growth=st.floats(-0.05, 0.1), horizon=st.integers(1, 120))
def test_break_even_curves_cross(cloud, capex_usd, running, lead, growth, horizon):
    """From the break-even month to the end cumulative owned <= cumulative cloud (within costlib.timing's
    1e-9 relative tolerance), and the month before it was above: the curves cross there for good. With no
    break-even, owned is above cloud in the last month."""
    c = capex.own_vs_rent_curves(cloud, capex_usd, horizon, lead_time_months=lead,
                                 cloud_growth_rate_per_month=growth, sre_team_usd_per_month=running)
    m = timing.break_even_month(c["cumulative_owned_usd"], c["cumulative_cloud_usd"])
    owned, rent = c["cumulative_owned_usd"], c["cumulative_cloud_usd"]
    tol = 1e-9 * np.maximum(1.0, np.maximum(owned.abs(), rent.abs()))
    if m is None:
        assert owned.iloc[-1] - rent.iloc[-1] > tol.iloc[-1]
    else:
        assert (owned.loc[m:] - rent.loc[m:] <= tol.loc[m:]).all()
        if m > 1:
            assert owned[m - 1] - rent[m - 1] > tol[m - 1]


# --------------------------------------------------------------------------------------------------
# SaaS growth against a flat rate


def test_usage_growth_path_100x_by_month_12():
    """$5k in month 1, 100x by month 12: monthly growth 100^(1/11) - 1 (about 52%), month 12 = 100x."""
    v = capex.usage_growth_path(50e6, 100, 12)
    assert len(v) == 12
    assert v[0] == pytest.approx(50e6) and v[-1] == pytest.approx(5e9)
    np.testing.assert_allclose(v[1:] / v[:-1], 100 ** (1 / 11))
    assert 100 ** (1 / 11) - 1 == pytest.approx(0.5199, abs=1e-4)


def test_seed_monitoring_bill_flat_rate():
    """Seed III.4: $5k/month (50M events at $0.0001) growing 100x by month 12, against a $100k/month
    flat rate.

    Crossover volume: 100,000 / 0.0001 = 1e9 events/month (20x the start). On
    v(m) = 50e6 x 100^((m - 1) / 11): m* = 1 + 11 ln 20 / ln 100 = 8.156. Month 8 bill
    = 5,000 x 100^(7/11) = 93.7k < 100k; month 9 = 5,000 x 100^(8/11) = 142.4k, so the flat rate wins
    from month 9. The month-12 bill is 500k, as in the seed.
    """
    x = capex.flat_rate_crossover(50e6, 0.0001, 100_000, 100, 12)
    assert x["crossover_volume_units_per_month"] == pytest.approx(1e9)
    assert x["crossover_month_exact"] == pytest.approx(1 + 11 * math.log(20) / math.log(100))
    assert x["crossover_month"] == 9
    df = capex.saas_flat_rate_comparison(50e6, 0.0001, 100_000, 100, 12)
    assert df.loc[8, "usage_bill_usd"] == pytest.approx(5_000 * 100 ** (7 / 11))
    assert df.loc[12, "usage_bill_usd"] == pytest.approx(500_000)
    assert df.loc[8, "cheaper"] == "usage" and df.loc[9, "cheaper"] == "flat"
    assert x["cumulative_savings_usd"] == pytest.approx(df["usage_bill_usd"].sum() - 12 * 100_000)
    m = x["cumulative_break_even_month"]
    assert df.loc[m, "cumulative_savings_usd"] >= 0 > df.loc[m - 1, "cumulative_savings_usd"]


def test_flat_rate_edge_cases():
    """Flat rate already cheaper in month 1 -> month 1; usage that never grows to the crossover -> None."""
    now = capex.flat_rate_crossover(1_000, 1.0, 500, 2, 6)
    assert now["crossover_month_exact"] == 1.0 and now["crossover_month"] == 1
    never = capex.flat_rate_crossover(1_000, 1.0, 5_000, 1, 6)
    assert never["crossover_month_exact"] is None and never["crossover_month"] is None
    beyond = capex.flat_rate_crossover(1_000, 1.0, 5_000, 2, 6)  # 5x needs m* = 1 + 5 log2 5 = 12.6
    assert beyond["crossover_month"] is None
    assert beyond["crossover_month_exact"] == pytest.approx(1 + 5 * math.log2(5))


@given(start=st.floats(1, 1e9), price=st.floats(1e-6, 10), ratio=st.floats(1.01, 1e3),
       mult=st.floats(1.5, 1e4), at=st.integers(2, 36))
def test_at_crossover_both_prices_cost_the_same(start, price, ratio, mult, at):
    """At the crossover volume V* = F / p both prices cost the same; on the continuous path the
    volume at m* is V*; the first whole month with usage >= F is the one after m* is passed."""
    flat = start * price * ratio  # flat rate above the month-1 bill
    x = capex.flat_rate_crossover(start, price, flat, mult, at, horizon_months=60)
    v_star = x["crossover_volume_units_per_month"]
    assert v_star * price == pytest.approx(flat)
    m_star = x["crossover_month_exact"]
    assert start * mult ** ((m_star - 1) / (at - 1)) * price == pytest.approx(flat)
    m = x["crossover_month"]
    bills = capex.usage_growth_path(start, mult, at, horizon_months=60) * price
    tol = 1e-9 * np.maximum(1.0, np.maximum(flat, bills))  # costlib.timing: amounts this close are a tie
    if m is None:
        assert (bills < flat - tol).all()
    else:
        assert bills[m - 1] >= flat - tol[m - 1]
        assert m == 1 or bills[m - 2] < flat - tol[m - 2]
        assert m - 1 <= m_star * (1 + 1e-9) and m >= m_star * (1 - 1e-9)


# --------------------------------------------------------------------------------------------------
# bad arguments


@pytest.mark.parametrize("method", capex.DEPRECIATION_METHODS[:3])
def test_negative_life_is_rejected(method):
    with pytest.raises(ModelError, match="useful_life_years = -3"):
        capex.depreciation_by_year(1_000, -3, method=method)


def test_fractional_and_zero_life_are_rejected():
    for life in (0, 2.5, True):
        with pytest.raises(ModelError, match="useful_life_years"):
            capex.straight_line(1_000, life)


@pytest.mark.parametrize("fn", [capex.straight_line, capex.declining_balance, capex.sum_of_years_digits])
def test_salvage_above_cost_is_rejected(fn):
    with pytest.raises(ModelError, match="salvage_usd = 2000"):
        fn(1_000, 3, salvage_usd=2_000)


def test_negative_cost_is_rejected():
    with pytest.raises(ModelError, match="cost_usd"):
        capex.straight_line(-1, 3)


def test_unknown_method_is_rejected():
    with pytest.raises(ModelError, match="method = 'ddb'.*straight_line"):
        capex.depreciation_by_year(1_000, 3, method="ddb")
    with pytest.raises(ModelError, match="method"):
        capex.buy_vs_rent_views(1_000, 3, 100, method="units_of_production")


def test_rate_given_as_percent_is_rejected():
    """A rate of 7 meaning 7% must fail with the argument named and 0.07 suggested."""
    with pytest.raises(ModelError, match=r"discount_rate_per_year = 7: .*0\.07"):
        capex.own_vs_rent_summary(100, 1_000, 24, 7)
    with pytest.raises(ModelError, match="discount_rate_per_year = 7"):
        capex.present_value([100] * 12, 7)
    with pytest.raises(ModelError, match="cloud_growth_rate_per_month = 5"):
        capex.own_vs_rent_curves(100, 1_000, 24, cloud_growth_rate_per_month=5)
    with pytest.raises(ModelError, match="capex_growth_rate_per_year = 20"):
        capex.useful_life_change(1e9, 3, 4, 5, capex_growth_rate_per_year=20)


def test_factor_given_as_percent_is_rejected():
    with pytest.raises(ModelError, match="factor = 200"):
        capex.declining_balance(1_000, 5, factor=200)


def test_other_bad_arguments():
    with pytest.raises(ModelError, match="lead_time_months"):
        capex.own_vs_rent_curves(100, 1_000, 24, lead_time_months=-1)
    with pytest.raises(ModelError, match="horizon_months"):
        capex.own_vs_rent_curves(100, 1_000, 0)
    with pytest.raises(ModelError, match="cost_usd"):
        capex.straight_line([100, 200], 3)  # 1-D is ambiguous; samples are (n, 1)
    with pytest.raises(ModelError, match="volume_multiplier"):
        capex.usage_growth_path(1_000, -2, 12)
    with pytest.raises(ModelError, match="multiplier_at_month"):
        capex.usage_growth_path(1_000, 100, 1)
    with pytest.raises(ModelError, match="salvage_fraction"):
        capex.fleet_expense_by_useful_life(1_000, (3, 4), 5, salvage_fraction=1.5)
    with pytest.raises(ModelError, match="capex_usd_per_year"):
        capex.fleet_expense_by_useful_life([1, 2], (3, 4), 5)
    with pytest.raises(ModelError, match="assets"):
        capex.fleet_depreciation_by_month([])


# --------------------------------------------------------------------------------------------------
# additions for workbook 03: prospective useful-life change, vectorised curves, P&L by year


def test_useful_life_change_prospective_worked_example():
    """$3,600 of servers a year, 3 to 4 years, applied at the start of year 1 to the fleet in service.

    Before: three cohorts of 1,200 a year -> 3,600 every year.
    After: the 2-year-old cohort has 1,200 of book value left, spread over 4 - 2 = 2 years: 600 in years 1-2;
    the 1-year-old cohort has 2,400 left over 3 years: 800 in years 1-3; new cohorts 3,600 / 4 = 900 a year.
    Year 1: 600 + 800 + 900 = 2,300; year 2: 600 + 800 + 1,800 = 3,200; year 3: 800 + 2,700 = 3,500;
    year 4: 3,600. Reductions 1,300, 400, 100, 0: 1,800 in total = the extra book value at the end of year 4
    (4-year life: 2,700 + 1,800 + 900 = 5,400 against 3-year life: 2,400 + 1,200 = 3,600).
    """
    df = capex.useful_life_change_prospective(3_600, 3, 4, horizon_years=5)
    np.testing.assert_allclose(df["expense_before_usd"], [3_600] * 5)
    np.testing.assert_allclose(df["expense_after_usd"], [2_300, 3_200, 3_500, 3_600, 3_600])
    np.testing.assert_allclose(df["expense_reduction_usd"], [1_300, 400, 100, 0, 0], atol=1e-9)
    assert df["cumulative_reduction_usd"].iloc[-1] == pytest.approx(5_400 - 3_600)


def test_useful_life_change_prospective_shorter_life_writes_off():
    """5 to 2 years on $1,000 a year: a 3-year-old cohort (400 left) is past the new life, so its book value
    is written off in year 1; the 4-year-old cohort's last 200 likewise; the 2- and 1-year-old cohorts'
    600 and 800 spread over max(2 - 2, 1) = 1 and 2 - 1 = 1 year; new cohort 500.
    Year 1 after: 200 + 400 + 600 + 800 + 500 = 2,500 against 1,000 before."""
    df = capex.useful_life_change_prospective(1_000, 5, 2, horizon_years=3)
    assert df["expense_after_usd"].iloc[0] == pytest.approx(2_500)
    assert df["expense_before_usd"].iloc[0] == pytest.approx(1_000)


@settings(max_examples=100)
@given(k=st.floats(1, 1e10), old=st.integers(1, 7), new=st.integers(1, 7), f=st.floats(0, 0.5),
       g=st.floats(-0.3, 0.5))
def test_useful_life_change_prospective_conserves_cost(k, old, new, f, g):
    """Invariants: expenses are never negative; the same life before and after changes nothing; and the
    cumulative reduction over 12 years equals the extra book value left at the end of year 12. Cohorts in
    service before the change are fully depreciated by then under both lives (they finish within
    max(L1 - age, 1) <= 7 years), so only cohorts bought in years 1..12 count: under life L, cohort p has
    K_p (1 - f) max(L - (13 - p), 0) / L left."""
    df = capex.useful_life_change_prospective(k, old, new, horizon_years=12, salvage_fraction=f,
                                              capex_growth_rate_per_year=g)
    assert (df["expense_after_usd"] >= -1e-6 * k).all() and (df["expense_before_usd"] >= -1e-6 * k).all()
    same = capex.useful_life_change_prospective(k, old, old, horizon_years=12, salvage_fraction=f,
                                                capex_growth_rate_per_year=g)
    np.testing.assert_allclose(same["expense_reduction_usd"], 0, atol=1e-6 * k)
    def left(life):
        return sum(k * (1 + g) ** (p - 1) * (1 - f) * max(life - (13 - p), 0) / life for p in range(1, 13))
    assert df["cumulative_reduction_usd"].iloc[-1] == pytest.approx(left(new) - left(old), rel=1e-9, abs=1e-6 * k)


def test_useful_life_change_prospective_bad_arguments():
    with pytest.raises(ModelError, match="capex_growth_rate_per_year = 10"):
        capex.useful_life_change_prospective(1_000, 3, 4, 5, capex_growth_rate_per_year=10)
    with pytest.raises(ModelError, match="to_useful_life_years = -4"):
        capex.useful_life_change_prospective(1_000, 3, -4, 5)


def test_own_vs_rent_cumulative_saving_matches_curves():
    """The vectorised curve equals own_vs_rent_curves' cumulative_saving_usd, and samples of shape (n, 1)
    give one curve per row."""
    args = dict(lead_time_months=6, cloud_growth_rate_per_month=0.01, power_usd_per_month=8_000,
                sre_team_usd_per_month=40_000, hardware_refresh_months=24)
    curves = capex.own_vs_rent_curves(80_000, 1.5e6, 48, **args)
    np.testing.assert_allclose(capex.own_vs_rent_cumulative_saving(80_000, 1.5e6, 48, **args),
                               curves["cumulative_saving_usd"])
    many = capex.own_vs_rent_cumulative_saving(np.array([[80_000.0], [60_000.0]]), 1.5e6, 48, **args)
    assert many.shape == (2, 48)
    np.testing.assert_allclose(many[1], capex.own_vs_rent_curves(60_000, 1.5e6, 48, **args)["cumulative_saving_usd"])


@given(cash=st.lists(st.floats(0, 1e7), min_size=1, max_size=40), share=st.floats(0, 1), dep=st.floats(0, 1e6))
def test_pnl_and_cash_by_year_identities(cash, share, dep):
    """Per year: cash = capex + opex; EBIT = EBITDA - depreciation; FCF = -cash; totals over years equal
    the monthly sums."""
    cash = np.asarray(cash)
    capex_m = cash * share
    v = capex.pnl_and_cash_by_year(cash, capex_m, [dep] * len(cash))
    np.testing.assert_allclose(v["cash_out_usd"], v["capex_usd"] + v["opex_usd"], atol=1e-6)
    np.testing.assert_allclose(v["ebit_effect_usd"], v["ebitda_effect_usd"] - v["depreciation_usd"], atol=1e-6)
    np.testing.assert_allclose(v["fcf_effect_usd"], -v["cash_out_usd"])
    assert v["cash_out_usd"].sum() == pytest.approx(cash.sum(), abs=1e-6)
    assert len(v) == math.ceil(len(cash) / 12)


def test_pnl_and_cash_by_year_bad_arguments():
    with pytest.raises(ModelError, match="capex_usd_per_month"):
        capex.pnl_and_cash_by_year([100, 100], [200, 0])
    with pytest.raises(ModelError, match="depreciation_usd_per_month"):
        capex.pnl_and_cash_by_year([100, 100], None, [1, 2, 3])


def test_usage_bill_path_matches_saas_comparison():
    """usage_bill_path equals saas_flat_rate_comparison's usage_bill_usd: 50M events x $0.0001 growing
    100x by month 12 -> 5,000 then x 100^(1/11) a month, 500,000 in month 12; samples give one path per row."""
    df = capex.saas_flat_rate_comparison(50e6, 0.0001, 100_000, 100, 12, horizon_months=18)
    np.testing.assert_allclose(capex.usage_bill_path(50e6, 0.0001, 100, 12, 18), df["usage_bill_usd"])
    many = capex.usage_bill_path(50e6, 0.0001, np.array([[100.0], [10.0]]), 12)
    assert many.shape == (2, 12)
    assert many[1, -1] == pytest.approx(50_000)
    with pytest.raises(ModelError, match="volume_multiplier"):
        capex.usage_bill_path(1, 1, -2, 12)
