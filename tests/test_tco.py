"""Tests for costlib.tco.

Expected figures come from arithmetic shown in each test's docstring, numpy-financial, or closed forms.
"""

import math
from dataclasses import dataclass

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costlib import tco
from costlib.errors import ModelError
from costlib.timing import NEVER
from costlib.tco import (
    CATEGORY_GROUPS,
    DAYS_PER_MONTH,
    arm_migration_monthly,
    arm_migration_payback_month,
    arm_saving_usd_per_month,
    blended_usd_per_month,
    committed_usd_per_month,
    cost_reduction_from_price_performance,
    discount_factors,
    effective_price_per_utilized_unit,
    engineering_weeks_usd,
    line_costs_by_month,
    loaded_cost_usd_per_hour,
    managed_cost_usd_per_year,
    managed_premium_from_saving,
    monthly_discount_rate,
    on_demand_usd_per_month,
    people_cost_usd_per_month,
    people_share_of_tco,
    present_value,
    purchase_options_usd_per_month,
    self_hosted_cost_usd_per_year,
    self_hosting_crossover_usd_per_year,
    spot_usd_per_month,
    storage_bill_usd_by_month,
    storage_policy_comparison,
    storage_tiers_gb,
    tco_summary,
    toil_cost_usd_per_month,
)

D = 730 / 24  # days in the model month


@dataclass
class CostLine:
    """A constant monthly line with growth, a window and a one-off: what the workbook builds from a YAML line."""

    option: str
    name: str
    category: str
    cost_usd_per_month: float = 0.0
    one_off_usd: float = 0.0
    one_off_month: int = 1
    growth_rate_per_month: float = 0.0
    start_month: int = 1
    end_month: int | None = None


def tco_monthly(lines, horizon_months=36, discount_rate_per_year=0.0):
    """The monthly TCO table, assembled as workbook 02 does: `line_costs_by_month` then `cost_series_table`."""
    return pd.concat([tco.cost_series_table(
        line.option, line.name, line.category,
        line_costs_by_month(line.cost_usd_per_month, horizon_months, growth_rate_per_month=line.growth_rate_per_month,
                            start_month=line.start_month, end_month=line.end_month, one_off_usd=line.one_off_usd,
                            one_off_month=min(line.one_off_month, horizon_months)),
        discount_rate_per_year) for line in lines], ignore_index=True)

money = st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False)
fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


# ------------------------------------------------------------------------------------------------ docs


@pytest.mark.parametrize("name", [n for n in tco.__all__ if callable(getattr(tco, n))])
def test_every_public_function_is_documented(name):
    """CONTRIBUTING.md: numpydoc with Parameters, Returns (functions), Notes, References and Examples."""
    doc = getattr(tco, name).__doc__ or ""
    wanted = ["Examples", ">>>", "Parameters", "Returns", "Notes", "References"]
    for section in wanted:
        assert section in doc, f"{name} lacks {section}"


def test_module_docstring_states_the_sign_convention():
    assert "inflows positive, outflows negative" in tco.__doc__


# ------------------------------------------------------------------------------------------ discounting


def test_monthly_rate_compounds_to_the_annual_rate():
    """(1 + r_month) ** 12 = 1 + r_year: 1.08 for 8%."""
    assert (1 + monthly_discount_rate(0.08)) ** 12 == pytest.approx(1.08, rel=1e-12)
    assert monthly_discount_rate(0.0) == 0.0


def test_discount_factor_at_month_12_is_one_over_one_plus_rate():
    """DF_12 = 1 / 1.08 = 0.925926; DF_24 = 1 / 1.08 ** 2 = 0.857339."""
    df = discount_factors(24, 0.08)
    assert df[11] == pytest.approx(1 / 1.08)
    assert df[23] == pytest.approx(1 / 1.08**2)


@given(costs=st.lists(money, min_size=1, max_size=60), rate=st.floats(0.0, 0.5))
def test_present_value_matches_numpy_financial_npv(costs, rate):
    """npf.npv discounts values[t] by (1 + r) ** t from t = 0; month 1 is t = 1, so prepend a 0.
    Costs are outflows (negative) in the signed convention, so PV = -npv."""
    r_m = (1 + rate) ** (1 / 12) - 1
    expected = -npf.npv(r_m, [0.0] + [-c for c in costs])
    assert present_value(costs, rate) == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_present_value_of_level_costs_matches_numpy_financial_pv():
    """A level $1,000/month for 36 months at 8%/yr, end of month: npf.pv(r_m, 36, -1000)."""
    r_m = 1.08 ** (1 / 12) - 1
    assert present_value([1_000.0] * 36, 0.08) == pytest.approx(npf.pv(r_m, 36, -1_000.0), rel=1e-12)


def test_present_value_broadcasts_over_sampled_rates():
    """Rates of shape (3, 1) give 3 present values; each equals the scalar call."""
    rates = np.array([[0.0], [0.05], [0.10]])
    pv = present_value(np.full(12, 100.0), rates)
    assert pv.shape == (3,)
    assert pv[0] == pytest.approx(1_200.0)
    assert pv[2] == pytest.approx(present_value([100.0] * 12, 0.10))


# ----------------------------------------------------------------------------------------- cost lines


def test_line_costs_with_growth_window_and_one_off():
    """100/month from month 2 to 4 growing 10%: 0, 100, 110, 121, 0; plus a 500 one-off in month 5."""
    c = line_costs_by_month(100.0, 5, growth_rate_per_month=0.1, start_month=2, end_month=4,
                            one_off_usd=500.0, one_off_month=5)
    np.testing.assert_allclose(c, [0.0, 100.0, 110.0, 121.0, 500.0])


def test_line_costs_end_month_past_horizon_is_cut():
    """end_month 99 on a 3-month horizon: three months of 10."""
    np.testing.assert_allclose(line_costs_by_month(10.0, 3, end_month=99), [10.0, 10.0, 10.0])


def test_line_costs_broadcast_over_samples():
    """cost of shape (2, 1) -> (2, horizon)."""
    c = line_costs_by_month(np.array([[1.0], [2.0]]), 4)
    assert c.shape == (2, 4)
    np.testing.assert_allclose(c.sum(axis=1), [4.0, 8.0])


def _two_option_lines():
    return [
        CostLine("managed", "db", "compute", 1_000.0, growth_rate_per_month=0.01),
        CostLine("self_hosted", "vms", "compute", 700.0),
        CostLine("self_hosted", "sre", "people", 2_000.0, start_month=4, end_month=9),
        CostLine("self_hosted", "exit", "lock_in", one_off_usd=5_000.0, one_off_month=12),
    ]


def test_tco_totals_by_option_by_hand():
    """Over 12 months:
    managed: 1000 * (1.01 ** 12 - 1) / 0.01 = 12,682.503 (geometric series);
    self_hosted: 700 * 12 + 2000 * 6 (months 4..9) + 5000 (exit, month 12) = 8,400 + 12,000 + 5,000 = 25,400.
    """
    s = tco_summary(tco_monthly(_two_option_lines(), horizon_months=12)).set_index("option")
    assert s.loc["managed", "cost_usd"] == pytest.approx(1_000 * (1.01**12 - 1) / 0.01)
    assert s.loc["self_hosted", "cost_usd"] == pytest.approx(25_400.0)
    assert list(s.index) == ["managed", "self_hosted"]


def test_tco_monthly_table_shape_and_columns():
    """4 lines x 24 months = 96 rows; month 13 is year 2."""
    t = tco_monthly(_two_option_lines(), horizon_months=24)
    assert len(t) == 96
    assert list(t.columns) == ["option", "line", "category", "group", "month", "year", "cost_usd",
                               "discount_factor", "pv_usd"]
    assert t.loc[t.month == 13, "year"].unique().tolist() == [2]
    assert t.loc[t.line == "exit", "group"].unique().tolist() == ["opportunity"]


def test_tco_per_year_by_hand():
    """self_hosted over 24 months: year 1 = 25,400 (above); year 2 = 700 * 12 = 8,400."""
    s = tco_summary(tco_monthly(_two_option_lines(), 24), per="year")
    sh = s[s.option == "self_hosted"].set_index("year")["cost_usd"]
    assert sh[1] == pytest.approx(25_400.0)
    assert sh[2] == pytest.approx(8_400.0)


def test_tco_present_value_matches_numpy_financial():
    """The PV of each option's monthly totals equals -npf.npv(r_month, [0, -c_1, ..., -c_36])."""
    t = tco_monthly(_two_option_lines(), 36, discount_rate_per_year=0.08)
    s = tco_summary(t).set_index("option")
    r_m = 1.08 ** (1 / 12) - 1
    for option in ("managed", "self_hosted"):
        monthly = t[t.option == option].groupby("month")["cost_usd"].sum().to_numpy()
        assert s.loc[option, "pv_usd"] == pytest.approx(-npf.npv(r_m, np.r_[0.0, -monthly]), rel=1e-12)


def test_seed_5k_service_with_two_sres_is_91_percent_people():
    """Infra $5,000/month = $60,000/yr; two SREs at $300,000/yr loaded = $600,000/yr = $50,000/month.
    People share = 600,000 / 660,000 = 0.909091."""
    sre = people_cost_usd_per_month(2, 300_000)
    assert sre == pytest.approx(50_000.0)
    lines = [CostLine("svc", "infra", "compute", 5_000.0), CostLine("svc", "sres", "people", sre)]
    s = tco_summary(tco_monthly(lines, 12), by="group").set_index("group")
    assert s.loc["indirect", "share"] == pytest.approx(600_000 / 660_000)
    assert s.loc["direct", "cost_usd"] == pytest.approx(60_000.0)
    assert people_share_of_tco(5_000, sre) == pytest.approx(10 / 11)


categories = st.sampled_from(sorted(CATEGORY_GROUPS))


@st.composite
def cost_lines(draw):
    n = draw(st.integers(1, 8))
    lines = []
    for i in range(n):
        start = draw(st.integers(1, 24))
        lines.append(CostLine(
            option=draw(st.sampled_from(["a", "b"])), name=f"line{i}", category=draw(categories),
            cost_usd_per_month=draw(money), one_off_usd=draw(money), one_off_month=draw(st.integers(1, 24)),
            growth_rate_per_month=draw(st.floats(-0.2, 0.2)), start_month=start,
            end_month=draw(st.one_of(st.none(), st.integers(start, 40)))))
    return lines


@settings(max_examples=50, deadline=None)
@given(lines=cost_lines(), rate=st.floats(0.0, 0.3))
def test_breakdowns_sum_to_the_option_total(lines, rate):
    """By group, category and line, per total and per year: the parts sum to the option's total, both
    undiscounted and present value, and the shares sum to 1 where the total is positive."""
    t = tco_monthly(lines, 24, rate)
    total = tco_summary(t).set_index("option")
    for by in ("group", "category", "line"):
        parts = tco_summary(t, by=by).groupby("option")[["cost_usd", "pv_usd"]].sum()
        for option in total.index:
            assert parts.loc[option, "cost_usd"] == pytest.approx(total.loc[option, "cost_usd"], rel=1e-9, abs=1e-6)
            assert parts.loc[option, "pv_usd"] == pytest.approx(total.loc[option, "pv_usd"], rel=1e-9, abs=1e-6)
        yearly = tco_summary(t, by=by, per="year").groupby("option")["cost_usd"].sum()
        for option in total.index:
            assert yearly[option] == pytest.approx(total.loc[option, "cost_usd"], rel=1e-9, abs=1e-6)
    cat = tco_summary(t, by="category")
    for option, g in cat.groupby("option"):
        if total.loc[option, "cost_usd"] > 0:
            assert g["share"].sum() == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------------ people


def test_people_toil_and_engineering_weeks_by_hand():
    """1.5 FTE at $240,000/yr = $30,000/month; $208,000/yr / 2,080 h = $100/h; 40 h/month toil = $4,000;
    10 engineering weeks at $260,000/yr / 52 = $50,000."""
    assert people_cost_usd_per_month(1.5, 240_000) == pytest.approx(30_000.0)
    rate = loaded_cost_usd_per_hour(208_000)
    assert rate == pytest.approx(100.0)
    assert toil_cost_usd_per_month(40, rate) == pytest.approx(4_000.0)
    assert engineering_weeks_usd(10, 260_000) == pytest.approx(50_000.0)


def test_scalar_in_float_out():
    """Scalar arguments give Python floats (no np.float64 in notebook output)."""
    assert type(people_cost_usd_per_month(2, 300_000)) is float
    assert type(self_hosting_crossover_usd_per_year(0.3, 2, 300_000)) is float


# ------------------------------------------------------------------------------- utilization, purchase


def test_effective_price_at_15_percent_utilization():
    """1 / 0.15 = 6.6667x list; at 100% utilization it is the list price."""
    assert effective_price_per_utilized_unit(0.05, 0.15) == pytest.approx(0.05 / 0.15)
    assert effective_price_per_utilized_unit(1.0, 0.15) == pytest.approx(6.6667, abs=1e-4)
    assert effective_price_per_utilized_unit(0.05, 1.0) == pytest.approx(0.05)


def test_effective_price_broadcasts():
    u = np.array([[0.15], [0.5]])
    np.testing.assert_allclose(effective_price_per_utilized_unit(1.0, u), [[1 / 0.15], [2.0]])


def test_purchase_options_by_hand():
    """100 instances x 730 h x $0.20 = $14,600/month on demand;
    1-yr at 35% off: 14,600 x 0.65 = 9,490; 3-yr at 55% off: 14,600 x 0.45 = 6,570;
    spot at 70% off with 15% of the work retried: 14,600 x 1.15 x 0.30 = 5,037."""
    o = purchase_options_usd_per_month(100, 0.20, 0.35, 0.55, 0.70, 0.15)
    assert o["on_demand"] == pytest.approx(14_600.0)
    assert o["committed_1yr"] == pytest.approx(9_490.0)
    assert o["committed_3yr"] == pytest.approx(6_570.0)
    assert o["spot"] == pytest.approx(5_037.0)
    assert on_demand_usd_per_month(100, 0.20) == o["on_demand"]
    assert committed_usd_per_month(100, 0.20, 0.35) == o["committed_1yr"]
    assert spot_usd_per_month(100, 0.20, 0.70, 0.15) == o["spot"]


def test_blended_mix_by_hand():
    """60% on 3-yr (6,570), 30% spot (5,037), 10% on demand (14,600):
    0.6 x 6,570 + 0.3 x 5,037 + 0.1 x 14,600 = 3,942 + 1,511.1 + 1,460 = 6,913.1."""
    o = purchase_options_usd_per_month(100, 0.20, 0.35, 0.55, 0.70, 0.15)
    mix = {"committed_3yr": 0.6, "spot": 0.3, "on_demand": 0.1}
    assert blended_usd_per_month(o, mix) == pytest.approx(6_913.1)


@given(price=money, shares=st.lists(st.floats(0.01, 1.0), min_size=1, max_size=4))
def test_blended_mix_of_identical_prices_is_that_price(price, shares):
    total = sum(shares)
    mix = {f"o{i}": s / total for i, s in enumerate(shares)}
    mix[f"o{len(shares) - 1}"] = 1.0 - sum(v for k, v in mix.items() if k != f"o{len(shares) - 1}")
    costs = {k: price for k in mix}
    assert blended_usd_per_month(costs, mix) == pytest.approx(price, rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------------------------------- ARM, payback


def test_price_performance_to_cost_reduction():
    """25% more work per dollar: cost per unit of work = 1 / 1.25 = 0.8, i.e. 20% cheaper."""
    assert cost_reduction_from_price_performance(0.25) == pytest.approx(0.2)


def test_arm_saving_and_payback_by_hand():
    """$80,000/month x86, ARM 20% cheaper: saving $16,000/month.
    Effort 8 engineers x 6 weeks = 48 weeks at $260,000/yr / 52 = $240,000.
    Payback: 240,000 / 16,000 = 15 months of saving; with 3 migration months first, month 18."""
    assert arm_saving_usd_per_month(80_000, 0.2) == pytest.approx(16_000.0)
    effort = engineering_weeks_usd(48, 260_000)
    assert effort == pytest.approx(240_000.0)
    assert arm_migration_payback_month(80_000, 0.2, effort) == 15
    assert arm_migration_payback_month(80_000, 0.2, effort, migration_months=3) == 18


def test_arm_payback_never():
    """ARM no cheaper: the saving is 0 and never covers the effort."""
    assert arm_migration_payback_month(80_000, 0.0, 1.0) is NEVER


def test_arm_monthly_table_agrees_with_payback():
    """With growth 2%/month and 2 migration months, the first month with cumulative net >= 0 is the payback
    month; in months 1-2 arm_usd equals x86_usd."""
    t = arm_migration_monthly(50_000, 0.25, 300_000, horizon_months=48, migration_months=2,
                              growth_rate_per_month=0.02)
    first = int(t.loc[t.cumulative_net_usd >= -1e-6, "month"].iloc[0])
    assert first == arm_migration_payback_month(50_000, 0.25, 300_000, migration_months=2,
                                                growth_rate_per_month=0.02)
    assert (t.arm_usd.iloc[:2] == t.x86_usd.iloc[:2]).all()
    assert t.arm_usd.iloc[2] == pytest.approx(0.75 * 50_000 * 1.02**2)


# -------------------------------------------------------------------------------------------- storage


def test_storage_first_month_by_hand():
    """Month 1, 1,000 GB written evenly over D = 30.4167 days, hot for 30 days: on average half is written
    (500 GB-months); the part older than 30 days is the triangle (D - 30)^2 / (2 D^2) = 0.4167^2 / 1850.35
    = 9.38e-5 of it, so hot = 1000 x (0.5 - 9.38e-5) = 499.906 and warm = 0.0938."""
    t = storage_tiers_gb(1_000.0, horizon_months=3, hot_days=30, cold_after_days=90)
    tail = (D - 30) ** 2 / (2 * D**2)
    assert t.hot_gb.iloc[0] == pytest.approx(1_000 * (0.5 - tail))
    assert t.warm_gb.iloc[0] == pytest.approx(1_000 * tail)
    assert t.cold_gb.iloc[0] == pytest.approx(0.0)
    assert t.stored_gb.iloc[0] == pytest.approx(500.0)


def test_storage_steady_state_by_hand():
    """At a steady 1,000 GB/month, once every tier is filled a tier spanning a days holds 1000 x a / D GB:
    hot 30 days = 986.30, warm 60 days = 1,972.60; stored at month 24 = 23.5 months x 1,000 = 23,500;
    cold = 23,500 - 1000 x 90 / D = 23,500 - 2,958.90 = 20,541.10. With 365-day retention: stored
    = 1000 x 365 / D = 12,000 and cold = 12,000 - 2,958.90."""
    t = storage_tiers_gb(1_000.0, 24, hot_days=30, cold_after_days=90)
    last = t.iloc[-1]
    assert last.hot_gb == pytest.approx(1_000 * 30 / D)
    assert last.warm_gb == pytest.approx(1_000 * 60 / D)
    assert last.stored_gb == pytest.approx(23_500.0)
    assert last.cold_gb == pytest.approx(23_500 - 1_000 * 90 / D)
    kept = storage_tiers_gb(1_000.0, 24, hot_days=30, cold_after_days=90, retention_days=365).iloc[-1]
    assert kept.stored_gb == pytest.approx(12_000.0)
    assert kept.cold_gb == pytest.approx(12_000 - 1_000 * 90 / D)


@settings(max_examples=60, deadline=None)
@given(written=st.lists(st.floats(0, 1e6), min_size=12, max_size=12), hot=st.floats(0, 120),
       warm_span=st.floats(0, 400), growth=st.floats(-0.1, 0.2))
def test_storage_conserves_gb(written, hot, warm_span, growth):
    """Without deletion, hot + warm + cold = stored = everything written before the month plus half the
    month's own writes: stored_m = sum_{k < m} w_k + w_m / 2, with w_k = written_k x (1 + g) ** (k - 1)."""
    t = storage_tiers_gb(np.array(written), 12, hot_days=hot, cold_after_days=hot + warm_span,
                         growth_rate_per_month=growth)
    w = np.array(written) * (1 + growth) ** np.arange(12)
    expected = np.cumsum(w) - w / 2
    np.testing.assert_allclose(t.hot_gb + t.warm_gb + t.cold_gb, expected, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(t.stored_gb, expected, rtol=1e-9, atol=1e-6)
    assert (t[["hot_gb", "warm_gb", "cold_gb"]] >= -1e-9).all().all()


def test_storage_bill_by_hand():
    """Steady state at month 24, 1,000 GB/month: hot 986.30 GB x $0.023 = $22.685; warm 1,972.60 x $0.0125
    = $24.658; cold 20,541.10 x $0.004 = $82.164; retrieval 5% of cold read at $0.02/GB:
    20,541.10 x 0.05 x 0.02 = $20.541."""
    t = storage_tiers_gb(1_000.0, 24)
    b = storage_bill_usd_by_month(t, 0.023, 0.0125, 0.004, cold_retrieval_usd_per_gb=0.02,
                                  cold_read_fraction_per_month=0.05).iloc[-1]
    cold = 23_500 - 1_000 * 90 / D
    assert b.hot_usd == pytest.approx(1_000 * 30 / D * 0.023)
    assert b.warm_usd == pytest.approx(1_000 * 60 / D * 0.0125)
    assert b.cold_usd == pytest.approx(cold * 0.004)
    assert b.retrieval_usd == pytest.approx(cold * 0.05 * 0.02)
    assert b.total_usd == pytest.approx(b.hot_usd + b.warm_usd + b.cold_usd + b.retrieval_usd)


def test_seed_risk_case_hot_90_days_instead_of_30():
    """Planned: hot 30 days, warm to 90, then cold. Actual: hot 90 days, then cold. Steady state at
    10,000 GB/month: the 60 days that should be warm are hot, 10,000 x 60 / D = 19,726 GB, each costing
    $0.023 - $0.0125 = $0.0105 more: $207.12/month more; cold is the same in both."""
    prices = {"hot_usd_per_gb_month": 0.023, "warm_usd_per_gb_month": 0.0125, "cold_usd_per_gb_month": 0.004}
    c = storage_policy_comparison(10_000.0, {"hot_days": 30, "cold_after_days": 90}, {"hot_days": 90}, prices,
                                  horizon_months=36)
    assert c.overrun_usd.iloc[-1] == pytest.approx(10_000 * 60 / D * 0.0105)
    assert (c.overrun_usd >= -1e-9).all()
    assert c.cumulative_overrun_usd.iloc[-1] == pytest.approx(c.overrun_usd.sum())


# --------------------------------------------------------------------------------- managed vs self-host


def test_crossover_by_hand():
    """Premium 30%, headroom 10%, 2 SREs at $300k: S* = 600,000 / (0.3 - 0.1) = $3,000,000/yr.
    There: managed = 3.0M x 1.3 = 3.9M; self-hosted = 3.0M x 1.1 + 0.6M = 3.9M."""
    s = self_hosting_crossover_usd_per_year(0.3, 2, 300_000, headroom=0.1)
    assert s == pytest.approx(3_000_000.0)
    assert managed_cost_usd_per_year(s, 0.3) == pytest.approx(3_900_000.0)
    assert self_hosted_cost_usd_per_year(s, 2, 300_000, headroom=0.1) == pytest.approx(3_900_000.0)


def test_cassandra_30_percent_infra_saving():
    """Self-hosted infra 30% cheaper than managed: p = 0.3 / 0.7 = 0.428571. With 2 SREs at $300k and no
    headroom: S* = 600,000 / 0.428571 = $1,400,000/yr of self-hosted infra (a $2,000,000/yr managed bill)."""
    p = managed_premium_from_saving(0.3)
    assert p == pytest.approx(0.3 / 0.7)
    s = self_hosting_crossover_usd_per_year(p, 2, 300_000)
    assert s == pytest.approx(1_400_000.0)
    assert managed_cost_usd_per_year(s, p) == pytest.approx(2_000_000.0)


def test_no_crossover_when_premium_does_not_exceed_headroom():
    assert self_hosting_crossover_usd_per_year(0.2, 1, 300_000, headroom=0.2) == math.inf
    assert self_hosting_crossover_usd_per_year(0.1, 1, 300_000, headroom=0.3) == math.inf


@given(p=st.floats(0.01, 2.0), h=st.floats(0.0, 1.0), fte=st.floats(0.0, 20.0), loaded=st.floats(1e4, 1e6))
def test_at_the_crossover_both_options_cost_the_same(p, h, fte, loaded):
    """S* (1 + p) == S* (1 + h) + FTE x loaded; above S* self-hosting is cheaper, below it managed is."""
    s = self_hosting_crossover_usd_per_year(p, fte, loaded, headroom=h)
    if p <= h:
        assert s == math.inf
        return
    managed = managed_cost_usd_per_year(s, p)
    own = self_hosted_cost_usd_per_year(s, fte, loaded, headroom=h)
    assert managed == pytest.approx(own, rel=1e-9, abs=1e-6)
    if s > 0:
        assert self_hosted_cost_usd_per_year(2 * s, fte, loaded, h) < managed_cost_usd_per_year(2 * s, p)
        assert self_hosted_cost_usd_per_year(s / 2, fte, loaded, h) > managed_cost_usd_per_year(s / 2, p)


def test_crossover_broadcasts_over_samples():
    """Premiums of shape (3, 1): 600k / 0.2, 600k / 0.4, never."""
    p = np.array([[0.3], [0.5], [0.05]])
    s = self_hosting_crossover_usd_per_year(p, 2, 300_000, headroom=0.1)
    np.testing.assert_allclose(s, [[3_000_000.0], [1_500_000.0], [np.inf]])


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("call, name", [
    (lambda: people_cost_usd_per_month(-1, 300_000), "fte"),
    (lambda: self_hosted_cost_usd_per_year(1e6, -2, 300_000), "fte"),
    (lambda: effective_price_per_utilized_unit(1.0, 0.0), "utilization"),
    (lambda: effective_price_per_utilized_unit(1.0, 1.5), "utilization"),
    (lambda: effective_price_per_utilized_unit(1.0, 15), "utilization"),
    (lambda: effective_price_per_utilized_unit(1.0, np.array([[0.5], [0.0]])), "utilization"),
    (lambda: blended_usd_per_month({"a": 1.0, "b": 2.0}, {"a": 0.5, "b": 0.4}), "shares"),
    (lambda: blended_usd_per_month({"a": 1.0}, {"a": 0.5, "zz": 0.5}), "shares['zz']"),
    (lambda: present_value([1.0, 2.0], 7), "discount_rate_per_year"),
    (lambda: monthly_discount_rate(-0.05), "discount_rate_per_year"),
    (lambda: committed_usd_per_month(10, 0.1, 30), "commitment_discount"),
    (lambda: spot_usd_per_month(10, 0.1, 0.7, retried_work_fraction=10), "retried_work_fraction"),
    (lambda: line_costs_by_month(10.0, 12, growth_rate_per_month=7), "growth_rate_per_month"),
    (lambda: line_costs_by_month(10.0, 12, one_off_usd=1.0, one_off_month=13), "one_off_month"),
    (lambda: line_costs_by_month(10.0, 12, start_month=5, end_month=3), "end_month"),
    (lambda: line_costs_by_month(10.0, 0), "horizon_months"),
    (lambda: line_costs_by_month(-10.0, 12), "cost_usd_per_month"),
    (lambda: tco_summary(tco_monthly(_two_option_lines(), 12), by="team"), "by"),
    (lambda: managed_cost_usd_per_year(1e6, 30), "managed_premium"),
    (lambda: self_hosting_crossover_usd_per_year(0.3, 2, 300_000, headroom=20), "headroom"),
    (lambda: managed_premium_from_saving(1.0), "self_hosted_infra_saving"),
    (lambda: storage_tiers_gb(1_000.0, 12, hot_days=90, cold_after_days=30), "cold_after_days"),
    (lambda: storage_tiers_gb(1_000.0, 12, retention_days=10), "retention_days"),
    (lambda: storage_tiers_gb([1.0, 2.0], 12), "written_gb_per_month"),
    (lambda: storage_policy_comparison(1.0, {"hot": 30}, {}, {}), "planned keys"),
    (lambda: arm_saving_usd_per_month(1_000.0, 20), "cost_reduction_per_unit_work"),
    (lambda: toil_cost_usd_per_month("forty", 100.0), "toil_hours_per_month"),
])
def test_bad_arguments_raise_model_error_naming_the_argument(call, name):
    with pytest.raises(ModelError) as info:
        call()
    assert str(info.value).startswith(name) or f"{name} =" in str(info.value), str(info.value)


def test_rate_error_says_how_to_write_a_percentage():
    with pytest.raises(ModelError, match=r"discount_rate_per_year = 7: .*0\.07"):
        present_value([1.0], 7)


def test_model_error_is_a_value_error():
    with pytest.raises(ValueError):
        people_cost_usd_per_month(-1, 1)


# ------------------------------------------------------- comparing options (added with workbook 02)


def test_cost_series_table_present_value_matches_numpy_financial():
    """A constant $1,000/month line for 24 months at 8%: pv_usd sums to -npf.npv(r_month, [0, -1000 x 24])."""
    series = tco.cost_series_table("a", "vms", "compute", np.full(24, 1_000.0), 0.08)
    r_m = 1.08 ** (1 / 12) - 1
    assert series["pv_usd"].sum() == pytest.approx(-npf.npv(r_m, np.r_[0.0, np.full(24, -1_000.0)]), rel=1e-12)


def test_cost_series_table_summarizes_with_tco_summary():
    """Months 1..13 cost 1..13: year 1 = 1 + ... + 12 = 78, year 2 = 13."""
    t = tco.cost_series_table("a", "logs", "storage", np.arange(1.0, 14.0))
    s = tco_summary(t, per="year").set_index("year")["cost_usd"]
    assert s[1] == pytest.approx(78.0)
    assert s[2] == pytest.approx(13.0)


def test_relative_cost_of_self_hosted_nodes_by_hand():
    """A $150,000 managed bill, 30% cheaper self-hosted, 15% headroom: 150,000 x 0.7 x 1.15 = 120,750.
    A 60% premium on $5,000: 8,000."""
    assert tco.relative_cost_usd(150_000, saving=0.3, headroom=0.15) == pytest.approx(120_750.0)
    assert tco.relative_cost_usd(5_000, premium=0.6) == pytest.approx(8_000.0)


def test_a_saving_is_not_the_reference_premium():
    """30% cheaper self-hosted means the managed bill is 1 / 0.7 = 1.4286 times it: relative_cost_usd with the
    premium s / (1 - s) undoes the saving."""
    s = 0.3
    self_hosted = tco.relative_cost_usd(100.0, saving=s)
    assert tco.relative_cost_usd(self_hosted, premium=managed_premium_from_saving(s)) == pytest.approx(100.0)


@settings(max_examples=200)
@given(sa=money, fa=money, sb=money, fb=money)
def test_both_options_cost_the_same_at_the_crossover_scale(sa, fa, sb, fb):
    """At k*, k* S_a + F_a = k* S_b + F_b (when a positive k* exists)."""
    k = tco.usage_scale_at_crossover(sa, fa, sb, fb)
    if math.isnan(k):
        # no positive, finite crossover: one option is no dearer at every scale k > 0, or the crossing is
        # beyond any float (a slope difference of ~1e-308)
        with np.errstate(over="ignore", divide="ignore"):
            far = sa == sb or not math.isfinite((fb - fa) / (sa - sb))
        assert (sa - sb) * (fa - fb) >= 0 or far
        return
    assert k > 0
    assert k * sa + fa == pytest.approx(k * sb + fb, rel=1e-9, abs=1e-6)


def test_crossover_scale_matches_the_self_hosting_closed_form():
    """Managed S (1 + p), no people; self-hosted S (1 + h) + F: k* S = F / (p - h)
    = self_hosting_crossover_usd_per_year. S = 1.8M, p = 0.3 / 0.7, h = 0.15, F = 2 x 300k."""
    s, p, h, f = 1_800_000.0, managed_premium_from_saving(0.3), 0.15, 600_000.0
    k = tco.usage_scale_at_crossover(s * (1 + p), 0.0, s * (1 + h), f)
    assert k * s == pytest.approx(self_hosting_crossover_usd_per_year(p, 2, 300_000, headroom=h))


def test_price_performance_gain_from_list_prices():
    """m6i.xlarge $0.192/h to m7g.xlarge $0.1632/h doing 10% more work: 1.1 x 0.192 / 0.1632 - 1 = 0.294118;
    cost reduction 1 - 0.1632 / 0.2112 = 5 / 22 = 0.227273."""
    g = tco.price_performance_gain(0.192, 0.1632, 1.1)
    assert g == pytest.approx(1.1 * 0.192 / 0.1632 - 1)
    assert cost_reduction_from_price_performance(g) == pytest.approx(5 / 22)


@pytest.mark.parametrize("call, name", [
    (lambda: tco.cost_series_table("a", "x", "gpu", [1.0]), "category"),
    (lambda: tco.cost_series_table("a", "x", "compute", [[1.0]]), "costs_usd_by_month"),
    (lambda: tco.relative_cost_usd(1.0, saving=30), "saving"),
    (lambda: tco.usage_scale_at_crossover(-1.0, 0.0, 1.0, 0.0), "scaling_a_usd"),
    (lambda: tco.price_performance_gain(0.192, 0.0), "arm_usd_per_hour"),
])
def test_new_functions_name_bad_arguments(call, name):
    with pytest.raises(ModelError, match=name):
        call()
