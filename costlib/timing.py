"""Timing of cash flows: cumulative cost, break-even month, payback month, crossover month.

The one module every workbook uses for *when* something happens, with one meaning of each word:

- **cumulative cost** (`cumulative_cost_usd`): the running sum of monthly costs, optionally discounted
  (`costlib.discounting`: end-of-month timing).
- **break-even month** (`break_even_month`): the first month from which an option's cumulative cost is at
  or below the baseline's *in every remaining month of the horizon*: it has caught up and stays caught
  up. A curve that dips below the baseline and climbs back above it (a hardware refresh, an exit cost in
  the last month) has not broken even.
- **payback month** (`payback_month`): the break-even month of a one-off cost repaid by a monthly saving,
  in closed form (the saving may grow).
- **crossover month** (`crossover_month`): the first month in which an option's *monthly* cost (the run
  rate, not the cumulative) is at or below the baseline's.

Months are numbered from 1 (the first month of the horizon). **Never** has one representation: `NEVER`
(``None``) for a scalar result, NaN inside an array of Monte Carlo results; the JSON writes ``null`` and
the words say "never within N months" (`never_text`). Two amounts within ``1e-9`` of the larger of the
two (in the same month) count as equal, so a tie counts as caught up.
"""

from __future__ import annotations

import math

import numpy as np

from costlib import checks
from costlib.errors import require

__all__ = ["NEVER", "cumulative_cost_usd", "break_even_month", "payback_month", "crossover_month",
           "never_text", "month_text"]

#: What a timing function returns when the event does not happen within the horizon (NaN in arrays).
NEVER = None

_TOLERANCE = 1e-9


def _months_last(name, value):
    arr = checks.floats(name, value)
    require(arr.ndim >= 1 and arr.shape[-1] >= 1, name, f"array of shape {arr.shape}",
            "expected at least one month on the last axis")
    return arr


def _tolerance(a, b):
    """Month by month, how close two amounts must be to count as equal: 1e-9 of the larger (at least $1)."""
    return _TOLERANCE * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))


def _result(months):
    """A scalar month as an int (or `NEVER`), an array as floats with NaN for never."""
    months = np.asarray(months, dtype=float)
    if months.ndim == 0:
        return NEVER if np.isnan(months) else int(months)
    return months


def cumulative_cost_usd(cost_usd_by_month, discount_rate_per_year=None):
    """Running total of monthly costs, undiscounted or as present values.

    Parameters
    ----------
    cost_usd_by_month : array_like
        Cost in USD of months 1..H on the last axis.
    discount_rate_per_year : float, optional
        Decimal yearly rate in [0, 1); each month is discounted at end-of-month timing
        (`costlib.discounting.discount_factors`). None: undiscounted.

    Returns
    -------
    numpy.ndarray
        Cumulative USD, same shape.

    Notes
    -----
    ``C(m) = sum_{k <= m} c_k / (1 + r_month) ** k`` with ``r_month = (1 + r) ** (1/12) - 1``
    (``r = 0``: the plain running sum).

    References
    ----------
    Brealey, Myers and Allen, *Principles of Corporate Finance*, ch. 2 and 5 (present value, payback).

    Examples
    --------
    >>> cumulative_cost_usd([100.0, 100.0, 100.0]).tolist()
    [100.0, 200.0, 300.0]
    >>> [round(v, 2) for v in cumulative_cost_usd([112.0, 0.0], 0.12).tolist()]  # 112 / 1.12 ** (1/12)
    [110.95, 110.95]
    """
    from costlib.discounting import discount_factors

    c = _months_last("cost_usd_by_month", cost_usd_by_month)
    if discount_rate_per_year is not None:
        c = c * discount_factors(c.shape[-1], discount_rate_per_year)
    return np.cumsum(c, axis=-1)


def break_even_month(cumulative_option_usd, cumulative_baseline_usd):
    """First month from which the option's cumulative cost stays at or below the baseline's to the end.

    Parameters
    ----------
    cumulative_option_usd : array_like
        Cumulative cost of the option (build, own, migrate), USD, months 1..H on the last axis.
    cumulative_baseline_usd : array_like
        Cumulative cost of the baseline (buy, rent, the status quo), USD, same months (broadcasts).

    Returns
    -------
    int or None, or numpy.ndarray
        Month number (1-based), or `NEVER` (None) when the option is above the baseline in the last month
        of the horizon. For inputs with leading axes (Monte Carlo draws), a float array with NaN for never.

    Notes
    -----
    With ``D(m) = O(m) - B(m)``, the break-even month is the smallest ``m`` with ``D(j) <= 0`` for every
    ``j >= m`` (``D`` within ``1e-9`` of that month's larger amount counts as 0). For a one-off ``E`` in month 1
    and a constant saving ``s`` it is ``ceil(E / s)``, as `payback_month`.

    References
    ----------
    The payback period, e.g. Brealey, Myers and Allen, *Principles of Corporate Finance*, ch. 5;
    ``cost_model_fundamentals.md`` sections II.1, III.2 and V (break-even analysis).

    Examples
    --------
    Owning costs 500 up front then 100 a month against renting at 200 a month: 500 + 100 (m - 1) <= 200 m
    from m = 4.

    >>> break_even_month([500, 600, 700, 800], [200, 400, 600, 800])
    4
    >>> break_even_month([500, 600], [200, 400]) is NEVER
    True

    Below in month 2, above again in month 4 (a refresh), below from month 5: month 5.

    >>> break_even_month([10, 15, 25, 45, 50], [10, 20, 30, 40, 60])
    5
    """
    o = _months_last("cumulative_option_usd", cumulative_option_usd)
    b = _months_last("cumulative_baseline_usd", cumulative_baseline_usd)
    o, b = np.broadcast_arrays(o, b)
    above = (o - b) > _tolerance(o, b)
    months = o.shape[-1]
    # index of the last month above the baseline, -1 when none
    last_above = np.where(above.any(axis=-1), months - 1 - np.argmax(above[..., ::-1], axis=-1), -1)
    month = np.where(last_above == months - 1, np.nan, last_above + 2.0)
    return _result(month)


def crossover_month(option_usd_per_month, baseline_usd_per_month):
    """First month in which the option's monthly cost (its run rate) is at or below the baseline's.

    Parameters
    ----------
    option_usd_per_month, baseline_usd_per_month : array_like
        Monthly costs in USD of months 1..H on the last axis (broadcast against each other).

    Returns
    -------
    int or None, or numpy.ndarray
        Month number (1-based), or `NEVER` (None) when the option costs more in every month; arrays as in
        `break_even_month`.

    Notes
    -----
    ``min {m : o_m <= b_m}`` (within ``1e-9`` of the larger of the two). Unlike `break_even_month` this compares
    one month's bills, not the totals to date.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.4 (a usage bill overtaking a flat rate).

    Examples
    --------
    A flat rate of 100 a month against a usage bill of 40, 80, 120, 160:

    >>> crossover_month([100, 100, 100, 100], [40, 80, 120, 160])
    3
    >>> crossover_month([100, 100], [40, 80]) is NEVER
    True
    """
    o = _months_last("option_usd_per_month", option_usd_per_month)
    b = _months_last("baseline_usd_per_month", baseline_usd_per_month)
    o, b = np.broadcast_arrays(o, b)
    hit = (o - b) <= _tolerance(o, b)
    month = np.where(hit.any(axis=-1), np.argmax(hit, axis=-1) + 1.0, np.nan)
    return _result(month)


def payback_month(saving_usd_per_month, one_off_usd, growth_rate_per_month=0.0, start_month=1,
                  horizon_months=None):
    """First month in which the cumulative saving covers a one-off cost (undiscounted payback).

    Parameters
    ----------
    saving_usd_per_month : float or array_like
        Saving in USD in ``start_month``; it then grows at ``growth_rate_per_month``.
    one_off_usd : float or array_like
        One-off cost (engineering effort) in USD, >= 0, spent before month 1.
    growth_rate_per_month : float or array_like
        Growth of the saving per month, decimal in (-1, 1].
    start_month : int
        First month with a saving (1-based).
    horizon_months : int, optional
        Months searched; a payback after the horizon is `NEVER`. None: no limit.

    Returns
    -------
    int or None, or numpy.ndarray
        Month number (1-based), or `NEVER` (None) when the saving never covers the cost (a non-positive
        saving, a shrinking saving whose sum stays below the cost, or a payback after the horizon).
        Array inputs give a float array with NaN for never.

    Notes
    -----
    With ``k`` months of saving, ``S_k = s k`` (``g = 0``) or ``s ((1 + g) ** k - 1) / g``. The payback
    month is ``start - 1 + k*`` with ``k* = ceil(E / s)`` (``g = 0``) or
    ``ceil(log(1 + E g / s) / log(1 + g))``; never when ``1 + E g / s <= 0``. It is 1 when ``E = 0``. This
    is `break_even_month` of the cumulative cost of investing against not investing.

    References
    ----------
    Seed section II.1 (trading engineering effort for a permanent reduction); the payback period, e.g.
    Brealey, Myers and Allen, *Principles of Corporate Finance*, ch. 5.

    Examples
    --------
    >>> payback_month(10_000, 100_000)  # 100k / 10k
    10
    >>> payback_month(10_000, 100_000, start_month=4)  # three months of migration first
    13
    >>> payback_month(0.0, 100_000) is NEVER
    True
    >>> payback_month(10_000, 100_000, horizon_months=6) is NEVER
    True
    """
    s = checks.number("saving_usd_per_month", saving_usd_per_month)
    e = checks.number("one_off_usd", one_off_usd, low=0)
    g = checks.number("growth_rate_per_month", growth_rate_per_month, low=-1, low_strict=True, high=1)
    start = checks.whole("start_month", start_month, 1, unit="months")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        safe_s = np.where(s > 0, s, 1.0)
        safe_g = np.where(g == 0, 1.0, g)
        x = e * g / safe_s  # the sum of the savings reaches E when (1 + g) ** k >= 1 + x
        reachable = x > -1.0
        k_growth = np.log1p(np.where(reachable, x, 0.0)) / np.log1p(safe_g)
        # growth too small to matter (subnormal g loses precision in log1p(x) / log1p(g)): level saving
        k = np.where(np.abs(g) < 1e-200, e / safe_s, k_growth)
        k = np.ceil(k - 1e-9 * np.maximum(1.0, np.abs(k)))  # absorb rounding at exact multiples
        k = np.where(reachable, k, np.inf)
        k = np.maximum(k, 1.0)
        month = np.where(s > 0, start - 1 + k, np.inf)
        month = np.where(e == 0, 1.0, month)
    if horizon_months is not None:
        month = np.where(month > checks.whole("horizon_months", horizon_months, 1, unit="months"), np.inf, month)
    return _result(np.where(np.isfinite(month), month, np.nan))


def never_text(horizon_months) -> str:
    """The words for `NEVER`: ``"never within 36 months"``.

    Examples
    --------
    >>> never_text(36)
    'never within 36 months'
    """
    return f"never within {int(horizon_months)} months"


def month_text(month, horizon_months) -> str:
    """A timing result in words: ``"month 27"``, or `never_text` for `NEVER` (None or NaN).

    Examples
    --------
    >>> month_text(27, 36), month_text(None, 36), month_text(float("nan"), 12)
    ('month 27', 'never within 36 months', 'never within 12 months')
    """
    if month is None or (isinstance(month, float) and not math.isfinite(month)):
        return never_text(horizon_months)
    return f"month {int(month)}"
