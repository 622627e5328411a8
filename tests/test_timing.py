"""Tests for costlib.timing: one meaning of break-even, payback and crossover month, one "never".

Expected months come from arithmetic in each docstring, closed forms, or a walk over the months.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costlib import timing
from costlib.errors import ModelError
from costlib.timing import NEVER, break_even_month, crossover_month, cumulative_cost_usd, payback_month


def test_never_is_one_value():
    """Scalar results say never with None; the JSON writes null; the words say 'never within N months'."""
    assert NEVER is None
    assert break_even_month([2.0], [1.0]) is NEVER
    assert crossover_month([2.0], [1.0]) is NEVER
    assert payback_month(0.0, 1.0) is NEVER
    assert timing.month_text(NEVER, 36) == "never within 36 months"


def test_break_even_month_matches_payback_month():
    """A $100,000 one-off in month 1 and $10,000/month saved from month 1: ceil(100,000 / 10,000) = 10."""
    a = np.full(36, 40_000.0)
    a[0] += 100_000.0
    b = np.full(36, 50_000.0)
    assert break_even_month(np.cumsum(a), np.cumsum(b)) == payback_month(10_000, 100_000) == 10


def test_break_even_month_needs_to_stay_ahead():
    """Monthly a - b = -5, +10, +10: cumulative -5, +5, +15; ahead in month 1 only, so never.
    Equal costs tie from month 1."""
    assert break_even_month(np.cumsum([5.0, 20.0, 20.0]), np.cumsum([10.0, 10.0, 10.0])) is NEVER
    assert break_even_month([10.0, 20.0], [10.0, 20.0]) == 1


def test_break_even_month_over_draws():
    """Leading axes are draws: months as floats, NaN for never. Draw 1 as in the docstring (month 4),
    draw 2 never (above in the last month)."""
    owned = np.array([[500, 600, 700, 800], [500, 600, 700, 900]], dtype=float)
    rented = np.array([200, 400, 600, 800], dtype=float)
    got = break_even_month(owned, rented)
    assert got[0] == 4.0 and math.isnan(got[1])


def test_crossover_month_compares_monthly_bills():
    """Cumulative and monthly differ: a 100 flat rate against usage 40, 80, 120, 160 crosses in month 3
    (120 >= 100), while cumulatively 100 m <= 40 + 80 + 120 + 160 = 400 only in month 4."""
    flat, usage = [100.0] * 4, [40.0, 80.0, 120.0, 160.0]
    assert crossover_month(flat, usage) == 3
    assert break_even_month(np.cumsum(flat), np.cumsum(usage)) == 4


def test_cumulative_cost_discounted_by_hand():
    """1,000 in each of 12 months at 12%/year: the last cumulative value is sum 1000 / 1.12 ** (m/12)."""
    got = cumulative_cost_usd(np.full(12, 1_000.0), 0.12)
    assert got[-1] == pytest.approx(sum(1_000.0 / 1.12 ** (m / 12) for m in range(1, 13)))


def test_payback_with_growth_by_hand():
    """Saving 1,000 growing 10%/month against 5,000: cumulative 1,000, 2,100, 3,310, 4,641, 6,105.1 -> month 5.
    Closed form: log(1 + 5000 x 0.1 / 1000) / log(1.1) = log 1.5 / log 1.1 = 4.254 -> 5."""
    assert payback_month(1_000.0, 5_000.0, growth_rate_per_month=0.1) == 5


def test_payback_never():
    """A saving of 1,000 halving each month sums to at most 2,000 < 5,000; a zero or negative saving never pays;
    a payback in month 12 is never within a 6-month horizon."""
    assert payback_month(1_000.0, 5_000.0, growth_rate_per_month=-0.5) is NEVER
    assert payback_month(0.0, 5_000.0) is NEVER
    assert payback_month(-10.0, 5_000.0) is NEVER
    assert payback_month(10_000.0, 120_000.0, horizon_months=6) is NEVER


def test_payback_exact_multiple():
    """10,000 against 120,000: exactly 12 months (cumulative at month 12 equals the cost)."""
    assert payback_month(10_000.0, 120_000.0) == 12


@settings(max_examples=200, deadline=None)
@given(s=st.floats(1.0, 1e5), e=st.floats(1.0, 1e6), g=st.floats(-0.3, 0.3), start=st.integers(1, 6))
def test_payback_closed_form_matches_brute_force(s, e, g, start):
    """First month m with sum of savings through m >= effort, by walking the months (up to 600). A relative
    tolerance of 1e-9 separates rounding from a real miss (a shrinking saving can approach E from below)."""
    got = payback_month(s, e, g, start_month=start)
    months = np.arange(1, 601)
    saving = np.where(months >= start, s * (1 + g) ** (months - start), 0.0)
    cum = np.cumsum(saving)
    if got is not NEVER and got <= 600:
        k = int(got)
        assert cum[k - 1] >= e * (1 - 1e-9)
        if k > start:
            assert cum[k - 2] < e * (1 + 1e-9)
    else:
        assert not (cum >= e * (1 + 1e-9)).any()
    if g < 0 and 1 + e * g / s <= 0:  # the whole infinite sum s / -g stays at or below E
        assert got is NEVER


@settings(max_examples=100, deadline=None)
@given(cost=st.lists(st.floats(0.0, 1e6), min_size=1, max_size=40),
       base=st.lists(st.floats(0.0, 1e6), min_size=1, max_size=40))
def test_break_even_month_is_where_the_option_stays_ahead(cost, base):
    """By walking the months: at the break-even month and every month after it the option's cumulative cost
    is at or below the baseline's (within 1e-9 of the larger, month by month), and the month before it is above."""
    n = min(len(cost), len(base))
    o, b = np.cumsum(cost[:n]), np.cumsum(base[:n])
    got = break_even_month(o, b)
    tol = 1e-9 * np.maximum(1.0, np.maximum(np.abs(o), np.abs(b)))
    if got is NEVER:
        assert o[-1] - b[-1] > tol[-1]
    else:
        assert (o[got - 1:] - b[got - 1:] <= tol[got - 1:]).all()
        if got > 1:
            assert o[got - 2] - b[got - 2] > tol[got - 2]


@pytest.mark.parametrize("call, name", [
    (lambda: break_even_month([], [1.0]), "cumulative_option_usd"),
    (lambda: crossover_month([1.0], "x"), "baseline_usd_per_month"),
    (lambda: payback_month(1_000.0, -5.0), "one_off_usd"),
    (lambda: payback_month(1_000.0, 5.0, start_month=0), "start_month"),
])
def test_bad_arguments_name_the_argument(call, name):
    with pytest.raises(ModelError, match=name):
        call()
