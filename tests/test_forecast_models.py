"""Tests for costlib.forecast_models: each model against a series with a closed-form forecast, the
fallback for histories with zeros, the rolling-origin choice where the answer is known, and the interval
widening against its definition.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costlib import forecast as fc
from costlib import forecast_models as fm

SEASON = np.array([3.0, 1.0, -2.0, 0.0, 4.0, -1.0, -3.0, 2.0, 0.0, 1.0, -4.0, -1.0])


def _line_with_season(months=48, level=100.0, slope=2.0):
    t = np.arange(months)
    return level + slope * t + SEASON[t % 12]


def _noisy_growth(months=60, seed=5):
    """3% a month, a 15% yearly swing, 4% noise: no model is exact."""
    t = np.arange(months)
    rng = np.random.default_rng(seed)
    return 500 * 1.03 ** t * (1 + 0.15 * np.sin(2 * np.pi * t / 12)) * np.exp(rng.normal(0, 0.04, months))


# ------------------------------------------------------------------------------------------------ the family


@pytest.mark.parametrize("name", list(fm.MODELS))
def test_every_model_has_the_one_signature_and_the_one_frame(name):
    """Same arguments, same columns: 12 steps, P10 <= P50 <= P90, finite."""
    f = fm.MODELS[name].forecast(_noisy_growth(), 12, 12, 0.8, 0)
    assert list(f.columns) == ["step", "p10", "p50", "p90"]
    assert f["step"].tolist() == list(range(1, 13))
    assert np.isfinite(f[["p10", "p50", "p90"]].to_numpy()).all()
    assert ((f["p10"] <= f["p50"]) & (f["p50"] <= f["p90"])).all()


@pytest.mark.parametrize("name", ["ets", "sarima", "theta"])
def test_the_standard_models_intervals_widen_with_the_horizon(name):
    """Their own forecast distributions: the P10-P90 width a year out exceeds the width a month out (the
    issue measured the old model's constant 15.7% on AirPassengers)."""
    f = fm.MODELS[name].forecast(_noisy_growth(), 12, 24, 0.8, 0)
    width = (f["p90"] - f["p10"]).to_numpy()
    assert width[11] > width[0] and width[23] > width[11]


def test_seasonal_naive_repeats_a_pure_season_exactly():
    """y = the 12-month pattern repeated: seasonal naive forecasts the pattern, months 1-12 and 13-24."""
    y = np.tile(SEASON + 10, 4)
    f = fm.seasonal_naive(y, 12, 24)
    assert f["p50"].tolist() == pytest.approx(np.tile(SEASON + 10, 2).tolist())


def test_ets_is_holt_winters_on_a_straight_line_with_a_season():
    """y_t = 100 + 2t + s_(t mod 12), no noise: additive Holt-Winters holds it exactly (level, slope 2,
    the season), so ETS forecasts 100 + 2t + s_t for t = 48 .. 59."""
    f = fm.ets(_line_with_season(), 12, 12)
    expected = 100 + 2.0 * np.arange(48, 60) + SEASON
    assert f["p50"].to_numpy() == pytest.approx(expected, abs=1e-3)


def test_ets_on_a_straight_line_is_holt():
    """y_t = 10 + 3t (period 2, no season in it): Holt's linear trend continues the line."""
    y = 10 + 3.0 * np.arange(30)
    f = fm.ets(y, 2, 4)
    assert f["p50"].to_numpy() == pytest.approx(10 + 3.0 * np.arange(30, 34), abs=1e-2)


def test_sarima_carries_on_a_line_with_a_season():
    """(1 - B)(1 - B^12) of 100 + 2t + s_t is zero: the airline model's forecast is the same line and
    season (its MA terms near -1 make it a deterministic trend plus season), within 1.5 of values near 200
    (the MA estimates stop short of -1)."""
    f = fm.sarima(_line_with_season(), 12, 12)
    expected = 100 + 2.0 * np.arange(48, 60) + SEASON
    assert f["p50"].to_numpy() == pytest.approx(expected, abs=1.5)


def test_theta_on_a_line_is_the_last_value_plus_half_the_slope():
    """Theta (theta = 2) on y_t = 10 + 2t, T = 40, no season: SES tracks the line (alpha near 1, level the
    last value 88) and the drift is half the slope: y_T + b0/2 (h - 1 + 1/alpha - (1 - alpha)^T / alpha)
    = 88 + h for alpha = 1 (Hyndman and Billah 2003, eq. 2)."""
    y = 10 + 2.0 * np.arange(40)
    f = fm.theta(y, 12, 3)
    assert f["p50"].to_numpy() == pytest.approx([89.0, 90.0, 91.0], abs=1e-3)


def test_seasonal_trend_wrapper_is_the_forecast_module_model():
    y = _noisy_growth()
    pd.testing.assert_frame_equal(fm.seasonal_trend(y, 12, 6), fc.seasonal_trend_forecast(y, 12, 6))


def test_ets_simulated_intervals_are_seeded():
    """The forms without an analytic interval simulate paths: the same seed gives the same interval."""
    y = _noisy_growth()
    pd.testing.assert_frame_equal(fm.ets(y, 12, 12, seed=1), fm.ets(y, 12, 12, seed=1))


def test_median_of_is_the_stepwise_median():
    f = [pd.DataFrame({"step": [1, 2], "p10": [a, a], "p50": [a + 1, a + 2], "p90": [a + 3, a + 5]})
         for a in (0.0, 10.0, 4.0)]
    m = fm.median_of(f)
    assert m["p50"].tolist() == [5.0, 6.0] and m["p10"].tolist() == [4.0, 4.0]


# ------------------------------------------------------------------------------------------------ zeros


def _history_with_zeros():
    """Six months before launch at 0, then growth with a season (the workbook scenario's shape)."""
    y = _noisy_growth(48)
    y[:6] = 0.0
    return y


def test_a_history_with_zeros_falls_back_to_additive_models_with_one_line():
    y = _history_with_zeros()
    b = fm.baseline(y, 12, 12, origins=2)
    assert "seasonal_trend" not in set(b.scores["model"])  # the log-linear model needs positive values
    assert {"seasonal_naive", "ets", "sarima", "theta", "median"} <= set(b.scores["model"])
    assert b.note.startswith("The history has zeros or negatives (6 of 48 months; month 1 is 0)")
    assert b.note.count("\n") == 0
    assert np.isfinite(b.forecast[["p10", "p50", "p90"]].to_numpy()).all()


def test_negative_months_run_too():
    """Net cost after credits can be negative: the additive forms run, nothing raises."""
    y = _line_with_season() - 120  # the first months are below zero
    assert (y < 0).any()
    for name, model in fm.MODELS.items():
        if not model.positive_only:
            assert np.isfinite(model.forecast(y, 12, 6)["p50"]).all(), name
    assert fm.baseline(y, 12, 6, origins=2).note is not None


def test_the_old_single_holdout_backtest_falls_back_to_seasonal_naive():
    """`costlib.forecast.backtest` no longer refuses a zero (the issue's `ModelError: history[3] = 0.0`)."""
    y = _history_with_zeros()
    bt = fc.backtest(y, 12, 12)
    assert bt["model"].tolist() == ["seasonal_naive"] and bt["chosen"].all()


def test_a_model_that_fails_is_left_out_with_a_note():
    def broken(history, period, horizon_months, coverage=0.8, seed=0):
        raise ValueError("cannot fit")

    family = {**fm.MODELS, "ets": fm.ForecastModel("ets", "ETS", broken)}
    b = fm.baseline(_noisy_growth(), 12, 12, origins=2, models=family)
    assert "ets" not in set(b.scores["model"])
    assert "failed to fit" in b.note


# ------------------------------------------------------------------------------------------------ the choice


def test_origins_roll_back_from_the_end():
    """60 months, 12 held out: origins at 48, 45, 42, 39; each model is scored at each."""
    assert fm.origins_for(60, 12, 12, 4, 3) == [48, 45, 42, 39]
    bt = fm.backtest(_noisy_growth(), 12, 12, models={"seasonal_naive": fm.MODELS["seasonal_naive"]})
    assert sorted(bt.forecasts["origin"].unique()) == [39, 42, 45, 48]
    assert len(bt.forecasts) == 4 * 12


def test_backtest_mase_is_the_mean_of_each_origins_mase():
    """By hand with `costlib.forecast.mase` at each origin, then the mean."""
    y = _noisy_growth()
    model = {"seasonal_naive": fm.MODELS["seasonal_naive"]}
    got = fm.scores(fm.backtest(y, 12, 12, models=model).forecasts)["mase"].iloc[0]
    by_hand = np.mean([fc.mase(y[t:t + 12], fc.seasonal_naive_forecast(y[:t], 12, 12)["p50"], y[:t], 12)
                       for t in (48, 45, 42, 39)])
    assert got == pytest.approx(by_hand)


def test_the_choice_on_a_pure_season_is_seasonal_naive():
    """Every origin of a repeating pattern: seasonal naive is exact (MASE 0: the scale is 0 too, so an
    exact forecast scores 0 and any error inf); it is chosen."""
    y = np.tile(SEASON + 10, 5)
    b = fm.baseline(y, 12, 12, origins=2)
    assert b.chosen == "seasonal_naive"
    assert b.scores.set_index("model").loc["seasonal_naive", "mase"] == 0


def test_the_choice_on_an_exact_log_linear_series_is_the_log_linear_model():
    """y = 100 x 1.02^t x (monthly factors), no noise: the log-linear model is exact at every origin
    (MASE ~ 0), seasonal naive misses a year of 2% growth; the backtest over four origins picks it."""
    t = np.arange(60)
    factors = 1 + 0.1 * np.cos(2 * np.pi * np.arange(12) / 12)
    y = 100 * 1.02 ** t * factors[t % 12]
    b = fm.baseline(y, 12, 12, method="select")
    s = b.scores.set_index("model")
    assert s.loc["seasonal_trend", "mase"] < 1e-9 < s.loc["seasonal_naive", "mase"]
    assert b.chosen == "seasonal_trend" and s.loc["seasonal_trend", "origins"] == 4
    assert b.forecast["p50"].to_numpy() == pytest.approx(100 * 1.02 ** np.arange(60, 72) * factors, rel=1e-9)


def test_median_method_forecasts_the_median_of_the_three():
    y = _noisy_growth()
    b = fm.baseline(y, 12, 12, origins=1, method="median")
    expected = fm.median_of([fm.MODELS[m].forecast(y, 12, 12, 0.8, 0) for m in fm.MEDIAN_OF])
    assert b.chosen == "median"
    assert b.forecast["p50"].to_numpy() == pytest.approx(expected["p50"].to_numpy())


def test_choose_breaks_ties_towards_the_simpler_model():
    t = pd.DataFrame({"model": ["seasonal_naive", "theta", "ets"], "mase": [0.5, 0.5, 0.4 + 0.1]})
    assert fm.choose(t) == "seasonal_naive"
    assert fm.choose(t.assign(mase=[math.inf, math.inf, math.inf])) == "seasonal_naive"


# ------------------------------------------------------------------------------------------------ intervals


def test_widening_is_the_conformal_quantile_when_the_interval_undercovers():
    """Outcomes at 0.25, 0.75, ..., 4.75 half-widths above the point (10 of them, 2 inside an 80%
    interval): the ceil(11 x 0.8) = 9th smallest distance, 4.25, is the factor."""
    r = np.arange(10) * 0.5 + 0.25
    k = fm.interval_widening(r, -np.ones(10), np.zeros(10), np.ones(10), 0.8)
    assert k == pytest.approx(4.25)


def test_no_widening_when_the_interval_covers():
    r = np.array([0.1, -0.2, 0.9, -0.95, 0.5, 0.3, -0.4, 0.2, 0.0, 1.5])  # 9 of 10 inside
    assert fm.interval_widening(r, -np.ones(10), np.zeros(10), np.ones(10), 0.8) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=5, max_size=60), st.floats(0.5, 0.95))
def test_widened_intervals_hold_at_least_the_nominal_share(outcomes, coverage):
    """Property: scaled by the factor, the same outcomes fall inside at least ``coverage`` of the time."""
    a = np.asarray(outcomes)
    lo, mid, hi = -np.ones_like(a), np.zeros_like(a), np.full_like(a, 2.0)
    k = fm.interval_widening(a, lo, mid, hi, coverage)
    assert k >= 1.0
    inside = (a >= mid - k * (mid - lo) - 1e-9) & (a <= mid + k * (hi - mid) + 1e-9)
    assert inside.mean() >= coverage - 1e-12


def test_baseline_widens_an_undercovering_model_by_its_backtest_miss_rate():
    """A model whose interval is far too narrow (seasonal naive's point, +-0.1%) misses most outcomes in
    the backtest; the forecast's half-widths are scaled by `interval_widening` of those outcomes."""
    def narrow(history, period, horizon_months, coverage=0.8, seed=0):
        f = fc.seasonal_naive_forecast(history, period, horizon_months, coverage)
        return f.assign(p10=f["p50"] * 0.999, p90=f["p50"] * 1.001)

    y = _noisy_growth()
    b = fm.baseline(y, 12, 12, method="select", models={"narrow": fm.ForecastModel("narrow", "narrow", narrow)})
    rows = b.backtest.forecasts
    factor = fm.interval_widening(rows["actual"], rows["p10"], rows["p50"], rows["p90"], 0.8)
    assert b.chosen == "narrow" and b.backtest_coverage < 0.5 and factor > 10
    assert b.widening == pytest.approx(factor)
    raw = narrow(y, 12, 12)
    assert (b.forecast["p90"] - b.forecast["p50"]).to_numpy() == pytest.approx(
        factor * (raw["p90"] - raw["p50"]).to_numpy())
    # in the backtest, the widened intervals would have held at least 80%
    inside = (rows["actual"] >= rows["p50"] - factor * (rows["p50"] - rows["p10"]) - 1e-9) & \
             (rows["actual"] <= rows["p50"] + factor * (rows["p90"] - rows["p50"]) + 1e-9)
    assert inside.mean() >= 0.8
