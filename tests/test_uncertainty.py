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


# ------------------------------------------------------------------ bands and probabilities as numbers

def _triangular_ppf(u, low, mode, high):
    """Inverse CDF of triangular(low, mode, high), written out (Vose 2008, ch. 9; Johnson, Kotz and
    Balakrishnan 1995, ch. 26): F(x) = (x - a)^2 / ((b - a)(c - a)) below the mode c, so
    F^-1(u) = a + sqrt(u (b - a)(c - a)) for u < (c - a) / (b - a), else b - sqrt((1 - u)(b - a)(b - c))."""
    u = np.asarray(u, dtype=float)
    fc = (mode - low) / (high - low)
    return np.where(u < fc, low + np.sqrt(u * (high - low) * (mode - low)),
                    high - np.sqrt((1 - u) * (high - low) * (high - mode)))


def _triangular_pdf(x, low, mode, high):
    x = np.asarray(x, dtype=float)
    return np.where(x < mode, 2 * (x - low) / ((high - low) * (mode - low)),
                    2 * (high - x) / ((high - low) * (high - mode)))


def _quantile_tolerance(q, n, density):
    """Five standard errors of a sample quantile: sqrt(q (1 - q) / n) / f(x_q) (the asymptotic variance of
    an order statistic; David and Nagaraja 2003, 10.2). Seeded draws make the check deterministic; five
    standard errors keep a correct formula well inside, while P20 against P10 (0.1 in probability, tens of
    standard errors) is far outside."""
    return 5 * np.sqrt(q * (1 - q) / n) / density


def test_monte_carlo_percentiles_are_the_triangular_inverse_cdf():
    """units ~ triangular(500, 1000, 2000), profit = 2 units - 1500 (price 5, unit cost 3, fixed 1500), so
    profit's quantile q is 2 F^-1(q) - 1500. By hand: F(mode) = 500 / 1500 = 1/3; P10 = 500 + sqrt(0.1 x 1500
    x 500) = 773.86 units -> 47.72; P50 = 2000 - sqrt(0.5 x 1500 x 1000) = 1133.97 -> 767.95; P90 = 2000 -
    sqrt(0.1 x 1500 x 1000) = 1612.70 -> 1725.40. Tolerance: five standard errors of each sample quantile
    at n = 100,000 (profit's density is the units' density / 2)."""
    n = 100_000
    result = uncertainty.monte_carlo(profit, BASE, {"units": (500.0, 2000.0)}, n=n, seed=3)
    expected = 2 * _triangular_ppf([0.1, 0.5, 0.9], 500, 1000, 2000) - 1500
    assert expected == pytest.approx([47.72, 767.95, 1725.40], abs=0.01)
    tol = [_quantile_tolerance(q, n, _triangular_pdf(u, 500, 1000, 2000) / 2)
           for q, u in zip((0.1, 0.5, 0.9), _triangular_ppf([0.1, 0.5, 0.9], 500, 1000, 2000))]
    got = result.percentiles()
    assert got.shape == (3,)
    for g, e, t in zip(got, expected, tol):
        assert abs(g - e) < t
    s = result.summary()
    for col, e, t in zip(("p10", "p50", "p90"), expected, tol):
        assert abs(float(s[col].iloc[0]) - e) < t
    # probability: P(profit < 0) = P(units < 750) = 250^2 / (1500 x 500) = 0.08333; binomial standard
    # error sqrt(p (1 - p) / n) = 0.00087, five of them
    p = 250 ** 2 / (1500 * 500)
    assert abs(result.probability(lambda y: y < 0) - p) < 5 * math.sqrt(p * (1 - p) / n)


def test_assess_band_p10_p90_and_probability_against_closed_forms():
    """assess over profit with units ~ triangular(500, 1000, 2000): (1) draws_from="model": P10/P50/P90 of
    the answer equal 2 F^-1(q) - 1500 (47.72, 767.95, 1725.40, see above) within five standard errors;
    probability_below_target (target 0) is F(750) = 0.08333 within five binomial standard errors.
    (2) A curve (profit at prices 4, 4.5, 5: units x (price - 3) - 1500): each column's band is
    (price - 3) F^-1(q) - 1500 and, with draws_from="curve", P10/P90 and the probability come from the last
    column (price 5: the same profit as the model, so again 47.72 / 1725.40 and 0.08333)."""
    n = 50_000
    a = uncertainty.assess(profit, BASE, {"units": (500.0, 2000.0)}, draws_from="model", n=n, seed=5)
    u = _triangular_ppf([0.1, 0.5, 0.9], 500, 1000, 2000)
    dens = _triangular_pdf(u, 500, 1000, 2000)
    for got, q, x, f in zip((a.p10, a.p50, a.p90), (0.1, 0.5, 0.9), u, dens):
        assert abs(got - (2 * x - 1500)) < _quantile_tolerance(q, n, f / 2)
    p = 250 ** 2 / (1500 * 500)
    assert abs(a.probability_below_target - p) < 5 * math.sqrt(p * (1 - p) / n)

    prices = np.array([4.0, 4.5, 5.0])

    def curve(units, price, unit_cost, fixed):
        return units * (prices[None, :] - unit_cost) - fixed

    b = uncertainty.assess(profit, BASE, {"units": (500.0, 2000.0)}, curve=curve, curve_x=prices,
                           curve_x_name="price", n=n, seed=6)
    assert list(b.band.columns) == ["price", "p10", "p50", "p90"]
    for i, slope in enumerate(prices - 3.0):
        for col, q, x, f in zip(("p10", "p50", "p90"), (0.1, 0.5, 0.9), u, dens):
            assert abs(b.band[col].iloc[i] - (slope * x - 1500)) < _quantile_tolerance(q, n, f / slope)
    for got, q, x, f in zip((b.p10, b.p90), (0.1, 0.9), u[[0, 2]], dens[[0, 2]]):
        assert abs(got - (2 * x - 1500)) < _quantile_tolerance(q, n, f / 2)
    assert abs(b.probability_below_target - p) < 5 * math.sqrt(p * (1 - p) / n)
