"""Tests for workbook 04 (costlib.workbooks.forecast): each scenario's headline against arithmetic in the
docstrings, the decisions, and bad input.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from costlib import forecast as fc
from costlib import forecast_models as fm
from costlib import params
from costlib.errors import ScenarioError
from costlib.workbooks import forecast as wb

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "params" / "forecast"
_CACHE: dict = {}


def _analyse(name: str) -> wb.Analysis:
    if name not in _CACHE:
        _CACHE[name] = wb.analyse(params.load(SCENARIOS / f"{name}.yaml"))
    return _CACHE[name]


def _decision(a, start: str):
    return next(d for d in wb.decisions(a) if d.question.startswith(start))


def test_every_scenario_file_validates_and_runs():
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert len(files) == 10
    for path in files:
        assert path.read_text().startswith("# Seed"), f"{path.name} must start by citing the seed"
        a = _analyse(path.stem)
        assert a.headline and a.recommendation


# ------------------------------------------------------------------------------------------------ event miss


def test_event_miss_priced_both_ways():
    """Prime Day: baseline 400k req/s, 10% headroom, $0.001 per req/s-hour held 168 hours, 16 peak hours
    at $250k. Planned at +20%: capacity 400k x 1.2 x 1.1 = 528k, 528k x 0.001 x 168 = $88,704; the actual
    +50% (600k > 528k) browns out 16 h x $250k = $4M: total $4,088,704. Planned for +50%: 660k x 0.001 x
    168 = $110,880, no brownout; had the forecast been right, 110,880 - 88,704 = $22,176 sat idle."""
    h = _analyse("event_forecast_miss").headline
    assert h["event_shortfall_cost_usd"] == pytest.approx(4_088_704)
    assert h["event_cost_if_planned_for_actual_usd"] == pytest.approx(110_880)
    assert h["event_idle_cost_if_forecast_right_usd"] == pytest.approx(22_176)


def test_event_what_the_forecast_should_have_been():
    """Uplift ~ triangular(0.1, 0.2, 0.6). Plan at the forecast: brownout when U > 1.2 x 1.1 - 1 = 0.32,
    P = (0.6 - 0.32)^2 / (0.5 x 0.4) = 0.392, 0.392 x 16 x 250k = $1,568,000, capacity 29,568 cheaper than
    the +60% plan (400k x 0.4 x 1.1 x 0.001 x 168): the difference is 1,568,000 - 29,568 = $1,538,432.
    Best plan: 1% more uplift costs 400k x 0.01 x 1.1 x 0.001 x 168 = $739 and removes 1/2000 of the draws'
    brownout (16 x 250k / 2000 = $2,000): cover the top draw, 0.6 - sqrt(0.5 x 0.4 / 4000) = 0.5929, so
    (1.5929 / 1.1) - 1 = 0.448 -> +45% on the 1% grid."""
    a = _analyse("event_forecast_miss")
    h = a.headline
    assert h["event_plan_at_forecast_minus_plan_high_usd"] == pytest.approx(1_568_000 - 29_568, rel=2e-3)
    assert h["event_should_have_planned_uplift"] == pytest.approx(0.45)
    assert _decision(a, "Plan next").verdict == "plan for +45%"


def test_event_demand_translation():
    """Month 12: 20M x 1.02^11 DAU x 0.006 req/s x 3.3 peak x 1.1 headroom = 541,614 req/s, ceil(/500) =
    1,084 servers x $365 = $395,660/month. Prime Day (month 7, x1.5, ready a month ahead) adds months 6-7:
    month 6: ceil(437,216 x 1.65 / 500) - ceil(437,216 x 1.1 / 500) = 1,443 - 962 = 481 servers; month 7:
    ceil(445,960 x 1.65 / 500) - ceil(445,960 x 1.1 / 500) = 1,472 - 982 = 490; (481 + 490) x 365 = $354,415."""
    h = _analyse("event_forecast_miss").headline
    peak12 = 20e6 * 1.02 ** 11 * 0.006 * 3.3 * 1.1
    assert math.ceil(peak12 / 500) == 1084
    assert h["capacity_cost_usd_per_month_month_12"] == pytest.approx(1084 * 365)
    assert h["event_capacity_usd"] == pytest.approx((481 + 490) * 365)
    assert (h["peak_capacity_units"], h["peak_capacity_month"]) == (1472, 7)
    assert h["capacity_cost_p10_usd_per_month"] < h["capacity_cost_usd_per_month_month_12"] < \
        h["capacity_cost_p90_usd_per_month"]
    assert h["capacity_units_p50_month_12"] <= h["capacity_units_p90_month_12"]


def test_event_buffer_beats_the_planned_headroom():
    h = _analyse("event_forecast_miss").headline
    assert h["best_headroom"] > h["planned_headroom"]
    assert h["buffer_saving_usd_per_month"] > 0
    assert 0 < h["brownout_probability_at_planned_headroom"] < 1


def _changes(xs, verdicts):
    """Midpoints of neighbouring grid points whose verdicts differ: a brute-force search for the flips."""
    return [(xs[i] + xs[i + 1]) / 2 for i in range(len(xs) - 1) if verdicts[i] != verdicts[i + 1]]


def test_the_headroom_verdict_flips_where_a_brute_force_search_of_the_brownout_price_finds_it():
    """The best headroom (`fc.best_headroom`, the verdict) recomputed at 301 brownout prices from 0 to twice
    the upper flip: it changes first below today's price within one grid step of the closed form's low end,
    first above it within a step of the high end, and never in between; the decision says both prices."""
    a = _analyse("event_forecast_miss")
    b, d = a.sections["demand"]["buffer"], a.params.demand
    low, high = b["brownout_prices"]
    assert low is not None and high is not None and low < d.brownout_usd_per_hour < high
    best = lambda price: fc.best_headroom(b["forecast"], b["samples"], b["usd_per_load"], price, b["hours"])
    assert best(d.brownout_usd_per_hour) == b["best"]
    prices = np.linspace(0.0, 2 * high, 301)
    step = prices[1] - prices[0]
    verdicts = [best(x) for x in prices]
    changes = _changes(prices, verdicts)
    below = max(c for c in changes if c < d.brownout_usd_per_hour)
    above = min(c for c in changes if c > d.brownout_usd_per_hour)
    assert abs(below - low) <= step and abs(above - high) <= step
    inside = [v for x, v in zip(prices, verdicts) if low < x <= high]
    assert inside and set(inside) == {b["best"]}
    assert best(low * (1 - 1e-9)) < b["best"] < best(high * (1 + 1e-9))
    words = _decision(a, "Headroom to plan with").flips_when
    assert f"below ${low:,.0f}" in words and f"above ${high:,.0f}" in words and "(now $250,000)" in words


def test_the_capacity_verdict_flips_where_a_brute_force_search_of_dau_finds_it():
    """The capacity verdict (P90 servers in month 12, the event's peak) at 401 values of DAU now around
    today's: the first changes below and above today lie within one grid step of `fc.step_flips`'s flip
    values; a full re-analysis just past each flip gives another verdict, and one inside the band the same."""
    a = _analyse("event_forecast_miss")
    s, d = a.sections["demand"], a.params.demand
    below, above = s["plan_flips_dau"]
    verdict = _decision(a, "Capacity to have in place").verdict
    assert s["plan"](d.dau_now) == verdict and below < d.dau_now < above
    dau = np.linspace(0.999 * d.dau_now, 1.001 * d.dau_now, 401)
    step = dau[1] - dau[0]
    changes = _changes(dau, [s["plan"](x) for x in dau])
    assert abs(max(c for c in changes if c < d.dau_now) - below) <= step
    assert abs(min(c for c in changes if c > d.dau_now) - above) <= step
    data = params.as_dict(a.params)

    def analysed_at(x):
        moved = {**data, "demand": {**data["demand"], "dau_now": float(x)}}
        return _decision(wb.analyse(params.validate(wb.TOPIC, moved, root=ROOT)), "Capacity to have in place").verdict

    assert analysed_at(below * (1 - 1e-6)) != verdict and analysed_at(above * (1 + 1e-6)) != verdict
    assert analysed_at((d.dau_now + above) / 2) == verdict
    words = _decision(a, "Capacity to have in place").flips_when
    assert f"below {below:,.0f}" in words and f"above {above:,.0f}" in words and "(now 20,000,000)" in words


# ------------------------------------------------------------------------------------------------ cliff


def test_sharding_cliff():
    """45k writes/s at 6%: the single primary's 100k limit at 1 + ln(100/45)/ln 1.06 = 14.70, so the P50 path
    first exceeds it in month 15; 9 months of work leave 13.70 - 9 = 4.70 months. Past the limit, ceil(
    100,001 / 25k) = 5 shards x $6k x 3 = $90k against $60k: 1.5x. Start by = P90 crossing - 9."""
    a = _analyse("database_sharding_cliff")
    h = a.headline
    assert h["runway_before_rearchitecture_months"] == pytest.approx(math.log(100 / 45) / math.log(1.06) - 9)
    assert h["first_limit_p50_month"] == 15
    assert h["first_limit_p90_month"] <= h["first_limit_p50_month"]
    assert h["rearchitecture_start_by_month"] == max(1, h["first_limit_p90_month"] - 9)
    assert h["cost_cliff_multiple"] == pytest.approx(90_000 / 60_000)
    assert _decision(a, "When to start").verdict == f"start by month {h['rearchitecture_start_by_month']}"


# ------------------------------------------------------------------------------------------------ commitment


def test_commitment_is_the_discount_quantile_of_the_simulated_usage():
    """The commitment is the 0.3 quantile of the same simulated hourly usage, and a brute-force grid of the
    expected cost (0.7 x 0.048 x c + 0.048 x E[(D - c)+]) on those draws bottoms out within a step of it."""
    a = _analyse("commitment_under_uncertain_demand")
    c = a.params.commitment
    d = fc.simulate_usage(c.units_now, c.growth_rate_per_month, c.growth_rate_low_per_month,
                          c.growth_rate_high_per_month, c.volatility, c.term_months, c.hourly_shape, c.draws,
                          a.params.seed)
    level = a.headline["commitment_units"]
    assert level == pytest.approx(np.quantile(d, 0.3))
    grid = np.arange(level - 100, level + 100, 2.0)
    cost = [0.7 * 0.048 * x + 0.048 * np.mean(np.maximum(d - x, 0)) for x in grid]
    assert abs(grid[int(np.argmin(cost))] - level) <= 2.0
    used = np.mean(np.minimum(d, level))
    assert a.headline["commitment_utilization"] == pytest.approx(used / level)
    assert a.headline["commitment_coverage"] == pytest.approx(used / d.mean())
    at_level = 0.7 * 0.048 * level + 0.048 * np.mean(np.maximum(d - level, 0))
    assert a.headline["commitment_savings_usd"] == pytest.approx((0.048 * d.mean() - at_level) * 730 * 12)


def test_commitment_regret_and_the_ladder():
    h = _analyse("commitment_under_uncertain_demand").headline
    assert h["regret_at_p10_usd"] >= 0 and h["regret_at_p90_usd"] >= 0
    assert h["shelfware_at_p10_usd"] > 0 and h["on_demand_overflow_at_p90_usd"] > h["shelfware_at_p10_usd"]
    assert h["ladder_saving_vs_single_usd"] >= 0  # growing demand: the ladder follows it


def test_gpu_commitment_with_a_shortfall_premium():
    """gpu_commitment_scarce_overflow: 30% off, +50% on usage above the commitment. The critical ratio is
    (0.3 + 0.5) / 1.5 = 0.5333; a brute-force grid (step 0.01 instance) of the expected cost written out
    here, 0.7 x 55.04 x c + 1.5 x 55.04 x mean((D - c)+), over the scenario's own simulated usage bottoms
    out within a step of the headline commitment, and the discount quantile alone (0.3) costs more. The
    regrets at P10 and P90 are positive: one level cannot be the hindsight best on both paths."""
    a = _analyse("gpu_commitment_scarce_overflow")
    c, h = a.params.commitment, a.headline
    assert (c.discount, c.shortfall_premium, c.on_demand_usd_per_unit_hour) == (0.3, 0.5, 55.04)
    assert h["commitment_quantile"] == pytest.approx(0.8 / 1.5)
    d = fc.simulate_usage(c.units_now, c.growth_rate_per_month, c.growth_rate_low_per_month,
                          c.growth_rate_high_per_month, c.volatility, c.term_months, c.hourly_shape, c.draws,
                          a.params.seed).ravel()
    level = h["commitment_units"]

    def cost(x):
        return 0.7 * 55.04 * x + 1.5 * 55.04 * np.mean(np.maximum(d - x, 0.0))

    grid = np.arange(level - 5, level + 5, 0.01)
    assert abs(grid[int(np.argmin([cost(x) for x in grid]))] - level) <= 0.011
    assert cost(np.quantile(d, 0.3)) > cost(level)
    saving = (55.04 * d.mean() - cost(level)) * 730 * 12
    assert h["commitment_savings_usd"] == pytest.approx(saving, rel=1e-9)
    assert h["regret_at_p10_usd"] > 0 and h["regret_at_p90_usd"] > 0


def test_new_generation_switch():
    """a = 1,950 vCPUs x $0.048 x 0.7 x 730 = $47,829.60/month; 18 months left of a 36-month horizon;
    sweat = 18a + 0.7a x 18 = 30.6a; switch = 150k + 0.2a x 18 + 0.7a x 36 = 150k + 28.8a; difference
    150,000 - 1.8a = $63,906.72: sweat. Break-even 150k / (a x (1 - 0.2 - 0.7)) = 31.36 months left."""
    a_usd = 1950 * 0.048 * 0.7 * 730
    h = _analyse("commitment_under_uncertain_demand").headline
    assert h["switch_minus_sweat_usd"] == pytest.approx(150_000 - 1.8 * a_usd)
    assert h["switch_break_even_remaining_months"] == pytest.approx(150_000 / (0.1 * a_usd))


def test_statistical_baseline_beside_the_driver_forecast():
    """The history has a 3% trend and a seasonal swing: the log-linear model and the airline SARIMA beat
    seasonal naive (which misses a year of growth) in the backtest; every model's MASE is in the headline;
    the driver forecast 12 months on is 1,877 x 1.03^12 = 2,676.2."""
    a = _analyse("commitment_under_uncertain_demand")
    h = a.headline
    assert h["baseline_model"] in fm.MODELS
    assert h[f"mase_{h['baseline_model']}"] == min(h[f"mase_{m}"] for m in fm.MODELS)
    assert {f"mase_{m}" for m in [*fm.MODELS, fm.MEDIAN]} <= set(h)
    assert h["mase_seasonal_trend"] < 1 < h["mase_seasonal_naive"] and h["mase_sarima"] < 1
    assert h["driver_forecast_month_12"] == pytest.approx(1877 * 1.03 ** 12)
    # 36 months, 8 held out: origins 28, 27, 26 (26 months are needed to fit)
    assert a.sections["history"]["baseline"].backtest.origins == [28, 27, 26]


def test_history_with_zeros_falls_back_and_says_so():
    """GPU-hours of a service launched in month 7 (months 1-6 are 0): the log-linear model is left out,
    the others run, the recommendation says which models it fell back to, and the report lists each
    model's backtest MASE and the interval's coverage. Seasonal naive's MASE by hand: origins 36, 33, 30,
    27 (48 months, 12 held out, 3 apart), `costlib.forecast.mase` at each, then the mean."""
    a = _analyse("new_service_history_with_zeros")
    h = a.headline
    y = np.asarray(a.params.history.values, dtype=float)
    assert "mase_seasonal_trend" not in h
    assert {"mase_seasonal_naive", "mase_theta", "mase_ets", "mase_sarima", "mase_median"} <= set(h)
    by_hand = np.mean([fc.mase(y[t:t + 12], fc.seasonal_naive_forecast(y[:t], 12, 12)["p50"], y[:t], 12)
                       for t in (36, 33, 30, 27)])
    assert h["mase_seasonal_naive"] == pytest.approx(by_hand)
    assert 0 <= h["baseline_interval_coverage"] <= 1 and h["baseline_interval_widening"] >= 1
    assert "The history has zeros or negatives (6 of 48 months; month 1 is 0): additive models only" \
        in a.recommendation
    table = a.sections["history"]["backtest"]
    assert len(table) == 5 and set(table.columns) >= {"model", "mase", "coverage"}
    assert (table["chosen"] == "forecasts").sum() == 1


def test_the_project_beside_the_zero_history():
    """Quantization: 0.8 x $30k x 21 months (4 to 24) - $150k = $354,000 expected."""
    h = _analyse("new_service_history_with_zeros").headline
    assert h["expected_net_usd_gpu_quantization"] == pytest.approx(0.8 * 30_000 * 21 - 150_000)


# ------------------------------------------------------------------------------------------------ glide


def test_genai_glide_crossing_months():
    """Cost/revenue 1.2 with both growing 20%. Month 2: free tier 0.10 x 2/2, caching 0.12 x 1/3:
    1.2 x 0.9 x 0.96 = 1.0368 -> margin -3.7%. Month 3: 1.2 x 0.9 x 0.92 x (1 - 0.15/3) = 0.9439 ->
    +5.6%: positive in month 3. Month 4: caching full, quantization 2/3, committed 0.35 x 0.5:
    1.2 x 0.9 x 0.88 x 0.9 x 0.825 = 0.7057 -> 29.4% >= 20%: the target in month 4."""
    h = _analyse("genai_unprofitable_growth").headline
    assert h["gross_margin_now"] == pytest.approx(-0.2)
    assert h["month_margin_positive"] == 3 and h["month_margin_reaches_target"] == 4


def test_margin_rescue_month_6_and_the_fall_back():
    """Month 6: 1.2 x (1.3/1.2)^5 = 1.79056 of cost per dollar before levers; x 0.75 x 0.85 x (1 - 0.4 x 0.7)
    = 0.82187 -> margin 17.81%: contribution positive by month 6. Without levers -79.06%. Cost growing
    faster than revenue pulls it negative again later (month 15, before custom silicon is complete)."""
    a = _analyse("margin_rescue_30_vs_20")
    h = a.headline
    ratio = 1.2 * (1.3 / 1.2) ** 5
    assert h["gross_margin_at_month_6"] == pytest.approx(1 - ratio * 0.75 * 0.85 * 0.72)
    assert a.sections["glide"]["waterfall"]["end"].iloc[0] == pytest.approx(1 - ratio)
    assert h["month_margin_falls_back"] is not None and h["month_margin_falls_back"] > 6
    assert _decision(a, "Gross margin positive by month 6").verdict == "yes"


def test_managed_store_migration_month():
    """2M transactions/day at 15% a month reach 10M at 1 + ln 5 / ln 1.15 = 12.52; 2 months to migrate:
    lands in month ceil(14.52) = 15, the month the 20% target is reached."""
    h = _analyse("glide_managed_store_migration").headline
    assert h["migration_month"] == math.ceil(1 + math.log(5) / math.log(1.15) + 2) == 15
    assert h["month_margin_reaches_target"] == 15


# ------------------------------------------------------------------------------------------------ payback


def test_engineer_payback_pair():
    """Both cost $200k, savings from month 4, 36 months. Small: 0.9 x 5k x 33 = 148,500 - 200k = -51,500,
    ROI 0.7425, never pays back. Cache: countable 500k - 100k = 400k; months 4-9 0.7 x 400k x 0.6 = 168k,
    months 10-36 280k: 6 x 168k + 27 x 280k - 200k = 8,368,000, payback in month 5 (168k, then 336k)."""
    a = _analyse("engineer_payback_pair")
    h = a.headline
    assert h["expected_net_usd_small_service_tuning"] == pytest.approx(-51_500)
    assert h["roi_multiple_small_service_tuning"] == pytest.approx(0.7425)
    assert h["payback_month_small_service_tuning"] is None
    assert h["expected_net_usd_inference_cache"] == pytest.approx(8_368_000)
    assert h["payback_month_inference_cache"] == 5
    assert _decision(a, "Fund small").verdict == "do not fund it"
    assert _decision(a, "Fund inference").verdict == "fund it"


# ------------------------------------------------------------------------------------------------ Jevons


def test_encoding_jevons():
    """$0.004 a minute, 20% cheaper: $0.0032 banked, x 1.6 for 4K = $0.00512. Banked -20%; 4K at 1.6x: 0.8 x 1.6 = 1.28, +28%, flat at 1 / 0.8 = 1.25x; banked with
    elasticity 1.2: 0.8^(1 - 1.2) = 1.0456, +4.56%, flat at elasticity 1."""
    h = _analyse("encoding_jevons").headline
    assert h["unit_cost_usd_banked"] == pytest.approx(0.004 * 0.8)
    assert h["unit_cost_usd_reinvested"] == pytest.approx(0.004 * 0.8 * 1.6)
    assert h["total_cost_change_banked"] == pytest.approx(-0.2)
    assert h["total_cost_change_reinvested"] == pytest.approx(0.28)
    assert h["quality_multiplier_break_even"] == pytest.approx(1.25)
    assert h["total_cost_change_banked_with_demand_response"] == pytest.approx(0.8 ** -0.2 - 1)
    assert h["demand_elasticity_break_even"] == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------------ bad input


def _bad(tmp_path, text: str) -> str:
    folder = tmp_path / "params" / "forecast"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text(text)
    with pytest.raises(ScenarioError) as err:
        params.load(folder / "bad.yaml", tmp_path)
    return str(err.value)


def test_bad_input_is_one_clear_line(tmp_path):
    msg = _bad(tmp_path, "jevons: {unit_cost_usd: 0.004, volume_units_per_month: 1e6, efficiency_gain: 1.5}\n")
    assert "bad.yaml" in msg and "jevons.efficiency_gain" in msg and "1.5" in msg
    assert "expected a decimal reduction in [0, 1)" in msg


def test_a_scenario_needs_a_section(tmp_path):
    assert "expected at least one section" in _bad(tmp_path, "title: nothing\n")


def test_unknown_sensitivity_input(tmp_path):
    msg = _bad(tmp_path, "jevons: {unit_cost_usd: 0.004, volume_units_per_month: 1e6, efficiency_gain: 0.2}\n"
                         "sensitivity_ranges: {jevons.elasticity: [0, 1]}\n")
    assert "unknown input 'jevons.elasticity'" in msg
