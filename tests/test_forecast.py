"""Tests for costlib.forecast: closed forms in the docstrings, brute force, and hypothesis properties.

Sources: the seed's equations (sections I.3, IV.2-IV.4), the newsvendor critical ratio (Arrow, Harris and
Marschak 1951; Porteus 2002), MASE (Hyndman and Koehler 2006), arithmetic shown in each docstring.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from costlib import forecast as fc
from costlib import timing
from costlib.errors import ModelError


# ------------------------------------------------------------------------------------------------ 1. demand


def test_demand_equation():
    """Infra demand = DAU x usage per user x (1 + headroom): 2,000,000 x 0.01 x 1.25 = 25,000."""
    assert fc.infra_demand(2_000_000, 0.01, 0.25) == pytest.approx(25_000)


def test_demand_paths_month_by_month():
    """1M DAU growing 10%: month 3 has 1.21M DAU; x 0.002 req/s = 2,420 average; peak x 5 = 12,100; with 20%
    headroom 14,520; at 1,000 req/s a server: ceil(14.52) = 15 servers at $500 = $7,500."""
    d = fc.demand_paths(1_000_000, 0.10, 0.002, 5.0, 0.2, 3, capacity_per_unit=1_000, usd_per_unit_month=500)
    assert d["dau"][2] == pytest.approx(1_210_000)
    assert d["average_load"][2] == pytest.approx(2_420)
    assert d["peak_load"][2] == pytest.approx(12_100)
    assert d["capacity_load"][2] == pytest.approx(14_520)
    assert d["units"][2] == 15 and d["cost_usd_per_month"][2] == 7_500


def test_events_are_kept_apart_and_pre_provisioned():
    """An event in month 4 (x2, lead 1): the load doubles in month 4 only; capacity doubles in months 3 and 4;
    organic growth is untouched."""
    load, prov = fc.event_multipliers(5, [{"start_month": 4, "duration_months": 1, "multiplier": 2.0,
                                           "lead_time_months": 1}])
    d = fc.demand_paths(100.0, 0.0, 1.0, 1.0, 0.0, 5, load, prov)
    assert d["peak_load"].tolist() == [100, 100, 100, 200, 100]
    assert d["capacity_load"].tolist() == [100, 100, 200, 200, 100]
    assert d["organic_peak_load"].tolist() == [100] * 5


def test_peak_to_average_from_an_hourly_shape():
    """The seed's 100k average and 500k peak: a ratio of 5 (one hour at 5, 23 hours sharing the rest)."""
    rest = (24 * 100_000 - 500_000) / 23
    assert fc.peak_to_average_ratio([500_000] + [rest] * 23) == pytest.approx(5.0)


@settings(max_examples=40, deadline=None)
@given(st.floats(-0.05, 0.2), st.floats(0.01, 0.3), st.integers(0, 1000))
def test_demand_percentiles_are_ordered(growth, spread, seed):
    """P10 <= P50 <= P90 in every month, whatever the draws."""
    rng = np.random.default_rng(seed)
    g = rng.triangular(growth - spread / 4, growth, growth + spread, size=(300, 1))
    band = fc.percentile_paths(fc.growth_path(1000.0, g, 12))
    assert (band["p10"] <= band["p50"] + 1e-9).all() and (band["p50"] <= band["p90"] + 1e-9).all()


# ------------------------------------------------------------------------------------------------ 4. cliffs


def test_ceil_step_costs_at_the_limit_and_one_past():
    """The seed's single primary: 100,000 writes/s need 1 primary ($60k); 100,001 need the sharded cluster,
    ceil(100,001 / 25,000) = 5 shards x $6,000 x 3 (coordination overhead) = $90,000."""
    tiers = [{"max_load": 100_000, "capacity_per_unit": 100_000, "usd_per_unit_month": 60_000},
             {"max_load": 1_600_000, "capacity_per_unit": 25_000, "usd_per_unit_month": 6_000,
              "overhead_multiple": 3.0}]
    assert fc.capacity_units(100_000, 100_000) == 1 and fc.capacity_units(100_001, 100_000) == 2
    out = fc.tier_costs([100_000, 100_001, 1_600_000, 1_600_001], tiers)
    assert out["cost_usd_per_month"][:3].tolist() == [60_000, 90_000, 64 * 6_000 * 3]
    assert out["tier"].tolist() == [0, 1, 1, -1] and math.isnan(out["cost_usd_per_month"][3])
    assert fc.cliff_multiple(tiers) == pytest.approx(1.5)


def test_crossing_month_and_runway():
    """45k writes/s growing 6%: 45,000 x 1.06^(m-1) = 100,000 at m = 1 + ln(100/45) / ln 1.06 = 14.7040;
    with 9 months of work the runway is 13.7040 - 9 = 4.7040 months."""
    m = 1 + math.log(100 / 45) / math.log(1.06)
    assert fc.crossing_month(45_000, 0.06, 100_000) == pytest.approx(m)
    assert fc.rearchitecture_runway_months(45_000, 0.06, 100_000, 9) == pytest.approx(m - 1 - 9)
    assert fc.crossing_month(45_000, 0.0, 100_000) == math.inf


def test_cliff_calendar():
    """The path 45k x 1.06^(m-1) first exceeds 100k in month 15 (14.70 rounded up); a faster P90 path
    (7%: 1 + ln(2.22)/ln 1.07 = 12.80) in month 13; start by 13 - 9 = month 4."""
    p50 = fc.growth_path(45_000, 0.06, 36)
    p90 = fc.growth_path(45_000, 0.07, 36)
    cal = fc.cliff_calendar([{"name": "primary", "max_load": 100_000, "lead_time_months": 9}], p50, p90, 36)
    r = cal.iloc[0]
    assert (r["p50_crossing_month"], r["p90_crossing_month"], r["start_by_month"]) == (15, 13, 4)
    assert not r["late"]


# ------------------------------------------------------------------------------------------------ 2. history


def _seasonal_series(months=48, growth=0.02, noise=0.01, seed=3):
    t = np.arange(months)
    season = np.array([0.85, 0.9, 1.0, 1.05, 1.1, 1.15, 1.2, 1.1, 1.0, 0.95, 0.85, 0.85])
    rng = np.random.default_rng(seed)
    return 1000 * (1 + growth) ** t * season[t % 12] * np.exp(rng.normal(0, noise, months)), season


def test_backtest_on_a_series_with_known_seasonality():
    """A 2%-a-month trend times a known 12-month pattern (1% noise): the seasonal model beats seasonal naive
    (which misses a year of growth, ~27%), and its forecast repeats the pattern: month 7 over month 1 of the
    next year is 1.20 / 0.85 x 1.02^6 = 1.590."""
    y, season = _seasonal_series()
    bt = fc.backtest(y, 12, 12).set_index("model")
    assert bt.loc["seasonal_trend", "chosen"] and not bt.loc["seasonal_naive", "chosen"]
    assert bt.loc["seasonal_trend", "mase"] < 0.5 * bt.loc["seasonal_naive", "mase"]
    f = fc.seasonal_trend_forecast(y, 12, 12)["p50"].to_numpy()
    assert f[6] / f[0] == pytest.approx(1.20 / 0.85 * 1.02 ** 6, rel=0.03)
    # the prediction interval holds the median and widens with the horizon
    full = fc.seasonal_trend_forecast(y, 12, 12)
    assert ((full["p10"] < full["p50"]) & (full["p50"] < full["p90"])).all()


def test_seasonal_naive_wins_a_tie_on_a_pure_season():
    """No trend, no noise: both models are exact (MASE 0); the simpler benchmark is chosen."""
    y, _ = _seasonal_series(growth=0.0, noise=0.0)
    bt = fc.backtest(y, 12, 12).set_index("model")
    assert bt.loc["seasonal_naive", "mase"] == pytest.approx(0.0, abs=1e-12)
    assert bt.loc["seasonal_naive", "chosen"]


def test_mase_by_hand():
    """Errors |10-11|, |12-12| average 0.5; in-sample seasonal-naive errors (s = 2) all 2: MASE 0.25."""
    assert fc.mase([10, 12], [11, 12], [1, 2, 3, 4, 5, 6], 2) == pytest.approx(0.25)


def test_seasonal_naive_interval_widens_each_season():
    """The interval's half-width grows as sqrt(k + 1): seasons 1 and 2 ahead differ by sqrt 2."""
    y, _ = _seasonal_series(months=36)
    f = fc.seasonal_naive_forecast(y, 12, 24)
    half = (f["p90"] - f["p50"]).to_numpy()
    assert half[12] / half[0] == pytest.approx(math.sqrt(2))


# ------------------------------------------------------------------------------------------------ 3. buffer


def test_buffer_tradeoff_by_hand():
    """Forecast 100, demand 80 or 120 equally likely, $1 per unit of load, brownout $10/h for 1 hour.
    Headroom 0: capacity 100, idle E[(100 - D)+] = 10, P(D > 100) = 0.5, expected 100 + 5 = 105.
    Headroom 0.2: capacity 120, idle 20, P = 0, expected 120."""
    t = fc.buffer_tradeoff([0.0, 0.2], 100.0, [80.0, 120.0], 1.0, 10.0, 1.0)
    assert t["idle_usd"].tolist() == pytest.approx([10.0, 20.0])
    assert t["brownout_probability"].tolist() == [0.5, 0.0]
    assert t["expected_usd"].tolist() == pytest.approx([105.0, 120.0])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 0.5), min_size=2, max_size=6), st.integers(0, 10_000))
def test_more_headroom_never_lowers_idle_cost(headrooms, seed):
    """(C - D)+ is non-decreasing in C, so the expected idle cost never falls as headroom rises, and the
    brownout probability never rises."""
    d = np.random.default_rng(seed).lognormal(np.log(100), 0.2, 500)
    t = fc.buffer_tradeoff(sorted(headrooms), 100.0, d, 2.0, 1000.0, 10.0)
    assert np.all(np.diff(t["idle_usd"].to_numpy()) >= -1e-9)
    assert np.all(np.diff(t["brownout_probability"].to_numpy()) <= 1e-12)


# ------------------------------------------------------------------------------------------------ 5. commitment


def test_newsvendor_normal_100_20_discount_0_3():
    """N(100, 20), discount 0.3: the critical ratio is c_u / (c_u + c_o) = 0.3 r / (0.3 r + 0.7 r) = 0.3, so
    the optimum is the 0.3 quantile, 100 + 20 x Phi^-1(0.3) = 100 - 20 x 0.52440 = 89.512."""
    d = np.random.default_rng(42).normal(100, 20, 400_000)
    c = fc.newsvendor_commitment(d, 0.3)
    assert 100 + 20 * stats.norm.ppf(0.3) == pytest.approx(89.512, abs=1e-3)
    assert c == pytest.approx(89.512, abs=0.2)


def test_newsvendor_matches_a_brute_force_grid_on_the_same_demand():
    """Expected cost (1 - d) r c + r E[(D - c)+] computed directly on a grid of c (step 0.05) over the same
    simulated demand is lowest within one step of the newsvendor quantile."""
    d = np.random.default_rng(7).lognormal(np.log(100), 0.3, 20_000)
    for discount in (0.2, 0.3, 0.5):
        grid = np.arange(40, 200, 0.05)
        cost = [(1 - discount) * c + np.mean(np.maximum(d - c, 0.0)) for c in grid]
        best = grid[int(np.argmin(cost))]
        assert fc.newsvendor_commitment(d, discount) == pytest.approx(best, abs=0.1)
        # and the vectorised cost equals the direct sum at every grid point
        fast = fc.commitment_cost(grid[::200], d, 1.0, discount)["expected_usd"]
        assert fast == pytest.approx(np.asarray(cost)[::200], rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 0.9), st.floats(0.0, 0.9), st.integers(0, 10_000))
def test_optimum_commitment_rises_with_the_discount(d1, d2, seed):
    """A larger discount makes shelfware cheaper and the on-demand premium larger: commit more."""
    demand = np.random.default_rng(seed).gamma(4.0, 25.0, 2_000)
    lo, hi = sorted((d1, d2))
    assert fc.newsvendor_commitment(demand, lo) <= fc.newsvendor_commitment(demand, hi)


def test_utilization_coverage_and_shelfware_by_hand():
    """Commit 100 against demand 50 or 150, $1 on demand, 30% off: committed 70; E[min(D, 100)] = 75, so
    utilization 0.75, coverage 75 / 100 = 0.75; shelfware 0.7 x 25 = 17.5; overflow E[(D - 100)+] = 25;
    expected 70 + 25 = 95; saving 100 - 95 = 5."""
    c = fc.commitment_cost(100.0, [50.0, 150.0], 1.0, 0.3)
    assert (c["committed_usd"], c["shelfware_usd"], c["overflow_usd"]) == pytest.approx((70.0, 17.5, 25.0))
    assert (c["utilization"], c["coverage"], c["savings_usd"]) == pytest.approx((0.75, 0.75, 5.0))
    # throttled: overflow at a 50% premium costs 25 x 1.5
    assert fc.commitment_cost(100.0, [50.0, 150.0], 1.0, 0.3, 1.5)["overflow_usd"] == pytest.approx(37.5)


def test_regret_is_never_negative_and_zero_at_hindsight():
    path = np.random.default_rng(1).normal(100, 10, 1_000)
    best = fc.newsvendor_commitment(path, 0.3)
    assert fc.commitment_regret(best, path, 1.0, 0.3)["regret_usd"] == pytest.approx(0.0, abs=1e-12)
    assert fc.commitment_regret(150.0, path, 1.0, 0.3)["regret_usd"] > 0


def _normal_cost(c, mean, sd, discount, premium):
    """Closed-form expected cost per unit of on-demand rate for demand N(mean, sd):
    (1 - d) c + (1 + p) E[(D - c)+], with the normal loss function E[(D - c)+] = sd (phi(z) - z (1 - Phi(z))),
    z = (c - mean) / sd (Porteus 2002, ch. 1)."""
    z = (c - mean) / sd
    return (1 - discount) * c + (1 + premium) * sd * (stats.norm.pdf(z) - z * stats.norm.sf(z))


def test_critical_ratio_with_a_shortfall_premium_closed_form():
    """Demand N(100, 10), 30% discount, +50% premium on usage above the commitment (the issue's case).
    Setting the derivative (1 - d) - (1 + p) P(D > c) to zero: P(D <= c*) = 1 - 0.7 / 1.5 = 0.8 / 1.5 =
    0.53333, c* = 100 + 10 Phi^-1(0.53333) = 100 + 10 x 0.083652 = 100.837 units, expected cost
    0.7 x 100.837 + 1.5 x 10 x (phi(0.083652) - 0.083652 x 0.46667) = 75.963. The discount quantile alone
    (0.3: c = 94.756) costs 77.051. scipy's bounded minimiser on the closed form agrees.
    The issue quoted 100.75 / 75.86 / 94.59 / 76.95 from a finite sample; the closed form is 100.84 / 75.96."""
    assert fc.critical_ratio(0.3, 0.5) == pytest.approx(0.8 / 1.5, rel=1e-12)
    assert fc.critical_ratio(0.3) == pytest.approx(0.3, rel=1e-12)
    c_star = 100 + 10 * stats.norm.ppf(0.8 / 1.5)
    assert c_star == pytest.approx(100.837, abs=1e-3)
    assert _normal_cost(c_star, 100, 10, 0.3, 0.5) == pytest.approx(75.963, abs=1e-3)
    assert _normal_cost(100 + 10 * stats.norm.ppf(0.3), 100, 10, 0.3, 0.5) == pytest.approx(77.051, abs=1e-3)
    opt = optimize.minimize_scalar(lambda c: _normal_cost(c, 100, 10, 0.3, 0.5), bounds=(80, 120),
                                   method="bounded", options={"xatol": 1e-8})
    assert opt.x == pytest.approx(c_star, abs=1e-4)
    # on 400,000 draws: the sample quantile's standard error is sqrt(q (1 - q) / n) / f(c*) =
    # sqrt(0.5333 x 0.4667 / 400,000) / 0.03975 = 0.020 units; allow 5 of them (0.1)
    d = np.random.default_rng(3).normal(100, 10, 400_000)
    level = fc.newsvendor_commitment(d, 0.3, 0.5)
    assert level == pytest.approx(c_star, abs=0.1)
    cost = fc.commitment_cost(level, d, 1.0, 0.3, fc.shortfall_usd_per_unit(1.0, 0.5))["expected_usd"]
    assert cost == pytest.approx(75.963, abs=0.05)  # sd of a mean of 400k costs ~ 0.01


def test_newsvendor_with_a_premium_matches_a_fine_grid():
    """The expected cost (1 - d) c + (1 + p) mean((D - c)+), written out here on a grid of step 0.01 over the
    same lognormal draws, is lowest within one step of newsvendor_commitment(d, discount, premium), for
    several discounts and premiums; with a premium the discount quantile alone is off the grid's optimum."""
    d = np.random.default_rng(11).lognormal(np.log(100), 0.25, 5_000)
    ds = np.sort(d)
    grid = np.arange(50, 200, 0.01)
    for discount, premium in ((0.3, 0.5), (0.2, 1.0), (0.5, 0.25), (0.3, 0.0)):
        # mean((D - c)+) for every grid point by cumulative sums over the sorted draws (exact, not sampled)
        k = np.searchsorted(ds, grid, side="right")
        tail = (ds.sum() - np.concatenate([[0.0], np.cumsum(ds)])[k]) / d.size - grid * (d.size - k) / d.size
        cost = (1 - discount) * grid + (1 + premium) * tail
        best = grid[int(np.argmin(cost))]
        level = fc.newsvendor_commitment(d, discount, premium)
        assert level == pytest.approx(best, abs=0.02)
        if premium:
            assert abs(fc.newsvendor_commitment(d, discount) - best) > 1.0


def test_regret_hindsight_is_the_brute_force_optimum_with_a_premium():
    """On one path of N(100, 10) draws with a 30% discount and +50% premium, the hindsight level is the grid
    minimiser (step 0.01) of the cost written out here, and the discount-quantile commitment (the wrong one
    here) has a positive regret: closed form 77.051 - 75.963 = 1.088 per period."""
    path = np.random.default_rng(5).normal(100, 10, 200_000)
    rs = fc.shortfall_usd_per_unit(1.0, 0.5)
    grid = np.arange(80, 120, 0.01)
    cost = np.array([0.7 * c + 1.5 * np.mean(np.maximum(path - c, 0.0)) for c in grid[::50]])
    wrong = float(np.quantile(path, 0.3))
    r = fc.commitment_regret(wrong, path, 1.0, 0.3, rs)
    assert r["hindsight_cost_usd"] <= cost.min() + 1e-9
    assert r["hindsight_units"] == pytest.approx(grid[::50][int(np.argmin(cost))], abs=0.5)
    assert r["hindsight_cost_usd"] == pytest.approx(0.7 * r["hindsight_units"]
                                                    + 1.5 * np.mean(np.maximum(path - r["hindsight_units"], 0)))
    assert r["regret_usd"] == pytest.approx(1.088, abs=0.05)
    right = fc.commitment_regret(fc.newsvendor_commitment(path, 0.3, 0.5), path, 1.0, 0.3, rs)
    assert right["regret_usd"] == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 0.9), st.floats(0.0, 2.0), st.floats(0.0, 300.0), st.integers(0, 10_000))
def test_regret_is_not_negative_against_a_grid(discount, premium, level, seed):
    """Regret against the brute-force hindsight: the hindsight cost is at or below every point of a direct
    grid (step 0.5 over 0..max), so regret at any level is >= 0 with no clamp in the code."""
    path = np.random.default_rng(seed).gamma(3.0, 30.0, 300)
    rs = 1.0 + premium
    r = fc.commitment_regret(level, path, 1.0, discount, rs)
    grid = np.arange(0.0, path.max() + 0.5, 0.5)
    direct = [(1 - discount) * c + rs * np.mean(np.maximum(path - c, 0.0)) for c in grid]
    assert r["hindsight_cost_usd"] <= min(direct) + 1e-9
    assert r["regret_usd"] >= -1e-9


def test_tranche_ladder_follows_growing_demand():
    """Demand 10, 20 in months 1 and 2 (no uncertainty), 50% off, $1: the ladder commits 10 then 20 and pays
    0.5 x 10 and 0.5 x 20, 7.5 a month on average; one level at the pooled median 15 pays 7.5 + 0 and
    7.5 + 5, 10 on average."""
    t = fc.tranche_ladder(np.array([[10.0, 20.0]] * 3), 0.5, [1, 2])
    assert t["level_units"].tolist() == [10.0, 20.0]
    assert t["expected_usd"].iloc[0] == pytest.approx(7.5) and t["single_commitment_usd"].iloc[0] == pytest.approx(10.0)


def test_generation_switch_closed_form():
    """a = $100k/month committed, 12 months left, new generation at 0.6, $200k to move, 20% still owed,
    12-month horizon: sweat 1.2M; switch 200k + 0.2 x 1.2M + 0.6 x 1.2M = 1.16M; break-even remaining
    months 200k / (100k x (1 - 0.2 - 0.6)) = 10. With nothing refundable (owed 100%) it never pays."""
    g = fc.generation_switch(100_000, 12, 0.6, 200_000, 0.2, 12)
    assert (g["sweat_usd"], g["switch_usd"]) == pytest.approx((1_200_000, 1_160_000))
    assert g["break_even_remaining_months"] == pytest.approx(10.0)
    assert fc.generation_switch(100_000, 12, 0.6, 200_000, 1.0, 12)["break_even_remaining_months"] == math.inf


def test_event_plan_costs_by_hand():
    """Baseline 1,000, planned +20%, no headroom: capacity 1,200 held 100 h at $0.01 = $1,200; the actual
    +50% (1,500 > 1,200) browns out 10 hours at $50k = $500k."""
    c = fc.event_plan_costs(1000.0, 0.2, [0.5], 0.0, 0.01, 100.0, 50_000.0, 10.0)
    assert (c["capacity_usd"], c["brownout_usd"], c["total_usd"]) == pytest.approx((1_200, 500_000, 501_200))


# ------------------------------------------------------------------------------------------------ 6. glide


def test_glide_path_crossing_month():
    """Cost/revenue 1.2 (margin -20%), both growing 20%; a 30% lever from month 2 (a step): month 2's margin
    1 - 1.2 x 0.7 = 0.16 > 0, so it turns positive in month 2 and never reaches 20% (0.16 < 0.2)."""
    red = fc.lever_reduction(6, 2, 1, 0.3)
    g = fc.glide_path(100.0, 0.2, 120.0, 0.2, 6, [(red, 1.0)])
    assert g["gross_margin"][:2] == pytest.approx([-0.2, 0.16])
    assert fc.first_month_at_or_above(g["gross_margin"], 0.0) == 2
    assert fc.first_month_at_or_above(g["gross_margin"], 0.2) is timing.NEVER


def test_costs_outgrowing_revenue_erode_the_margin():
    """Cost 30% a month against revenue 20%: margin_m = 1 - 1.2 (1.3 / 1.2)^(m - 1); month 6: 1 - 1.2 x
    1.49213 = -0.79056."""
    g = fc.glide_path(2.0, 0.2, 2.4, 0.3, 6)
    assert g["gross_margin"][5] == pytest.approx(1 - 1.2 * (1.3 / 1.2) ** 5)


def test_margin_waterfall_sums_to_the_plan():
    w = fc.margin_waterfall(-0.3, [-0.1, 0.05, 0.2], ["a", "b", "c"])
    assert w["change"].iloc[1:-1].sum() == pytest.approx(0.2 - -0.3)
    assert w["end"].iloc[-1] == 0.2


def test_migration_start_month():
    """2M transactions/day growing 15% reach 10M at 1 + ln 5 / ln 1.15 = 12.5156; plus 2 months = 14.5156."""
    assert fc.migration_start_month(2e6, 0.15, 1e7, 2) == pytest.approx(1 + math.log(5) / math.log(1.15) + 2)


# ------------------------------------------------------------------------------------------------ 7. payback


def test_engineer_payback_arithmetic():
    """The seed: $200k of engineering. For $5k a month, payback 200k / 5k = 40 months (never within 36); for
    $500k a month, month 1. With the saving from month 4, 36 months count 33: 33 x 5k - 200k = -35k."""
    small = fc.optimization_payback(200_000, 5_000, horizon_months=48)
    assert small["payback_month"] == 40
    assert fc.optimization_payback(200_000, 5_000, horizon_months=36)["payback_month"] is timing.NEVER
    assert fc.optimization_payback(200_000, 500_000)["payback_month"] == 1
    late = fc.optimization_payback(200_000, 5_000, start_month=4, horizon_months=36)
    assert late["expected_net_usd"] == pytest.approx(33 * 5_000 - 200_000)
    assert timing.payback_month(5_000, 200_000) == 40  # the shared timing module agrees


def test_payback_without_double_counting():
    """$500k saving, $100k already in the forecast, 40% of the rest on committed capacity until month 10,
    70% likely, from month 4: months 4-9 count 0.7 x 400k x 0.6 = 168k, months 10-36 0.7 x 400k = 280k:
    6 x 168k + 27 x 280k = 8.568M; net of $200k 8.368M; cumulative 168k < 200k in month 4, 336k in month 5."""
    r = fc.optimization_payback(200_000, 500_000, 0.7, 100_000, 0.4, 10, 4, 36)
    assert r["countable_saving_usd_per_month"] == 400_000
    assert r["expected_saving_usd"] == pytest.approx(6 * 168_000 + 27 * 280_000)
    assert r["expected_net_usd"] == pytest.approx(8_368_000)
    assert r["payback_month"] == 5


# ------------------------------------------------------------------------------------------------ 8. Jevons


def test_jevons_closed_forms():
    """Unit cost x = (1 - g) q; total x^(1 - e). Banked: 0.8, -20%. 4K at 1.6x: 1.28, +28%. Banked with
    elasticity 1.2: 0.8^-0.2 = 1.04564, +4.56% (the paradox: e > 1)."""
    assert fc.jevons(0.004, 5e8, 0.2)["total_change"] == pytest.approx(-0.2)
    assert fc.jevons(0.004, 5e8, 0.2, 1.6)["total_change"] == pytest.approx(0.28)
    assert fc.jevons(0.004, 5e8, 0.2, 1.0, 1.2)["total_change"] == pytest.approx(0.8 ** -0.2 - 1)
    assert fc.jevons(0.004, 5e8, 0.2, 1.0, 1.0)["total_change"] == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.floats(0.01, 0.9), st.floats(0.0, 3.0))
def test_banked_gain_raises_the_bill_exactly_when_demand_is_elastic(gain, elasticity):
    change = fc.jevons(1.0, 1.0, gain, 1.0, elasticity)["total_change"]
    if elasticity > 1 + 1e-9:
        assert change > 0
    elif elasticity < 1 - 1e-9:
        assert change < 0


# ------------------------------------------------------------------------------------------------ bad input


def test_bad_arguments_name_the_argument():
    with pytest.raises(ModelError, match="capacity_per_unit"):
        fc.capacity_units(10, 0)
    with pytest.raises(ModelError, match="discount"):
        fc.newsvendor_commitment([1.0, 2.0], 1.2)
    with pytest.raises(ModelError, match="history"):
        fc.seasonal_trend_forecast([1.0] * 10, 12, 3)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), price=st.floats(1.0, 1e4), usd=st.floats(0.1, 10.0))
def test_the_best_headroom_holds_exactly_between_the_brownout_prices_of_its_range(seed, price, usd):
    """`best_headroom_brownout_price_range` against `best_headroom` itself: the verdict is today's at the
    range's ends inside, another just outside (brute force at the ends, on random demand draws)."""
    samples = np.random.default_rng(seed).lognormal(np.log(100.0), 0.2, 300)
    best = lambda b: fc.best_headroom(100.0, samples, usd, b, 10.0, step=0.05)
    low, high = fc.best_headroom_brownout_price_range(100.0, samples, usd, price, 10.0, step=0.05)
    h = best(price)
    if low is not None:
        assert low < price and best(low * (1 + 1e-9)) == h and best(low * (1 - 1e-9)) < h
    else:
        assert best(0.0) == h
    if high is not None:
        assert high >= price and best(high * (1 - 1e-9)) == h and best(high * (1 + 1e-9)) > h
    else:
        assert best(1e3 * price) == h
