"""Sensitivity, Monte Carlo and goal seek against closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costlib import uncertainty
from costlib.errors import ModelError


def profit(units, price, unit_cost, fixed):
    return units * (price - unit_cost) - fixed


BASE = {"units": 1000.0, "price": 5.0, "unit_cost": 3.0, "fixed": 1500.0}


def test_sensitivity_matches_hand_arithmetic():
    """Base profit = 1000 x (5 - 3) - 1500 = 500.

    units 500..1500: 500 x 2 - 1500 = -500 and 1500 x 2 - 1500 = 1500, swing 2000.
    price 4..6: 1000 x 1 - 1500 = -500 and 1000 x 3 - 1500 = 1500, swing 2000.
    fixed 1000..2000: 1000 and 0, swing 1000 (smallest, so last).
    """
    table = uncertainty.sensitivity(profit, BASE, {"fixed": (1000, 2000), "units": (500, 1500),
                                                   "price": (4, 6)})
    assert list(table["input"]) == ["units", "price", "fixed"]  # stable sort keeps the tie's order
    assert table["base_output"].tolist() == [500.0] * 3
    row = table.set_index("input").loc["units"]
    assert (row["output_at_low"], row["output_at_high"], row["swing"]) == (-500.0, 1500.0, 2000.0)
    assert table.set_index("input").loc["fixed", "swing"] == 1000.0


def test_sensitivity_rejects_unknown_input_and_reversed_range():
    with pytest.raises(ModelError, match="ranges\\['volume'\\]"):
        uncertainty.sensitivity(profit, BASE, {"volume": (1, 2)})
    with pytest.raises(ModelError, match="expected low <= high"):
        uncertainty.sensitivity(profit, BASE, {"units": (2, 1)})


def test_monte_carlo_is_seeded_and_reproducible():
    ranges = {"units": (500.0, 1500.0), "price": (4.0, 6.0)}
    a = uncertainty.monte_carlo(profit, BASE, ranges, n=5000, seed=42)
    b = uncertainty.monte_carlo(profit, BASE, ranges, n=5000, seed=42)
    c = uncertainty.monte_carlo(profit, BASE, ranges, n=5000, seed=43)
    assert np.array_equal(a.outputs, b.outputs)
    assert not np.array_equal(a.outputs, c.outputs)


def test_monte_carlo_of_a_linear_model_has_the_triangular_mean():
    """units ~ triangular(500, 1000, 2000): mean (500 + 1000 + 2000) / 3 = 1166.67, so the mean profit is
    1166.67 x 2 - 1500 = 833.33. With 200,000 draws the standard error is about
    2 x sd / sqrt(n) = 2 x 312 / 447 = 1.4, so a tolerance of 10 is generous."""
    result = uncertainty.monte_carlo(profit, BASE, {"units": (500.0, 2000.0)}, n=200_000, seed=0)
    assert result.outputs.shape == (200_000,)
    assert abs(result.outputs.mean() - (3500 / 3 * 2 - 1500)) < 10
    p10, p50, p90 = result.percentiles()
    assert p10 < p50 < p90


def test_monte_carlo_curve_output_gives_a_band_per_column():
    """A model returning a curve per draw (here profit at 3 prices) gives P10/P50/P90 per column."""
    prices = np.array([4.0, 5.0, 6.0])

    def curve(units, price, unit_cost, fixed):
        return units * (prices[None, :] - unit_cost) - fixed

    result = uncertainty.monte_carlo(curve, BASE, {"units": (900.0, 1100.0)}, n=2000, seed=1)
    band = result.summary(x=prices, x_name="price")
    assert list(band.columns) == ["price", "p10", "p50", "p90"]
    assert len(band) == 3
    assert (band["p10"] <= band["p50"]).all() and (band["p50"] <= band["p90"]).all()


def test_goal_seek_break_even_units():
    """Profit is zero where units x (5 - 3) = 1500, i.e. units = 750."""
    assert uncertainty.goal_seek(profit, BASE, "units", 0.0, 1.0, 10_000.0) == pytest.approx(750.0, rel=1e-9)


def test_goal_seek_without_solution_says_so():
    with pytest.raises(uncertainty.GoalSeekError, match="no value of units in \\[1, 100\\]"):
        uncertainty.goal_seek(profit, BASE, "units", 0.0, 1.0, 100.0)


def test_flip_points_marks_inputs_that_never_flip():
    """price flips at 3 + 1500/1000 = 4.5; fixed flips at 2000; unit_cost at 5 - 1.5 = 3.5;
    over units 800..900 the profit stays negative-to-negative? 800 x 2 - 1500 = 100 > 0: no flip."""
    table = uncertainty.flip_points(profit, BASE, {"price": (0.0, 100.0), "fixed": (0.0, 1e6),
                                                   "unit_cost": (0.0, 5.0), "units": (800.0, 900.0)})
    flips = dict(zip(table["input"], table["flip_value"]))
    assert flips["price"] == pytest.approx(4.5)
    assert flips["fixed"] == pytest.approx(2000.0)
    assert flips["unit_cost"] == pytest.approx(3.5)
    assert math.isnan(flips["units"])


@settings(max_examples=60, deadline=None)
@given(units=st.floats(10, 1e6), price=st.floats(1.01, 100), unit_cost=st.floats(0, 1), fixed=st.floats(1, 1e6))
def test_at_the_goal_seek_answer_the_model_hits_the_target(units, price, unit_cost, fixed):
    """Property: at the break-even volume found by goal seek, profit is zero (both sides equal)."""
    base = {"units": units, "price": price, "unit_cost": unit_cost, "fixed": fixed}
    breakeven = fixed / (price - unit_cost)
    found = uncertainty.goal_seek(profit, base, "units", 0.0, 0.0, breakeven * 4 + 1)
    assert found == pytest.approx(breakeven, rel=1e-6)
    assert profit(**{**base, "units": found}) == pytest.approx(0.0, abs=1e-6 * fixed)


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0, 100), width=st.floats(0, 100), mode_share=st.floats(0, 1), seed=st.integers(0, 2**31))
def test_triangular_samples_stay_in_range(low, width, mode_share, seed):
    high = low + width
    mode = low + mode_share * width
    x = uncertainty.triangular_samples(low, min(max(mode, low), high), high, 500, np.random.default_rng(seed))
    assert x.min() >= low and x.max() <= high
