"""costlib.discounting against numpy-financial, the reference implementation of NPV."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costlib import discounting
from costlib.errors import ModelError


@settings(max_examples=100, deadline=None)
@given(costs=st.lists(st.floats(0, 1e7), min_size=1, max_size=60), rate=st.floats(0, 0.95))
def test_present_value_equals_numpy_financial_npv(costs, rate):
    """numpy-financial's npv puts its first value at time 0, so month 1 follows a leading zero:
    PV = npf.npv(r_month, [0, c_1, ..., c_n]) with r_month = (1 + r_year) ** (1/12) - 1."""
    r_month = (1 + rate) ** (1 / 12) - 1
    expected = npf.npv(r_month, [0.0] + costs)
    assert discounting.present_value(costs, rate) == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert discounting.net_present_value(costs, rate) == pytest.approx(-expected, rel=1e-9, abs=1e-6)


def test_twelve_months_compound_to_the_yearly_rate():
    """(1 + r_month) ** 12 = 1 + r_year, so the factor at month 12 is 1 / 1.08 at 8%."""
    assert discounting.discount_factors(12, 0.08)[-1] == pytest.approx(1 / 1.08, rel=1e-12)


def test_draws_on_the_leading_axis():
    """Monte Carlo: 3 draws of a 24-month stream give 3 present values."""
    costs = np.ones((3, 24)) * np.array([[1.0], [2.0], [3.0]])
    pv = discounting.present_value(costs, 0.1)
    assert pv.shape == (3,)
    assert pv[1] == pytest.approx(2 * pv[0]) and pv[2] == pytest.approx(3 * pv[0])


@pytest.mark.parametrize("rate", [7, -0.05, 1.0, float("nan")])
def test_rates_outside_zero_to_one_are_rejected(rate):
    with pytest.raises(ModelError, match="discount_rate_per_year"):
        discounting.present_value([1.0], rate)
