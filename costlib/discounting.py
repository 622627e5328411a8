"""Discounting monthly cash flows: the one implementation every workbook uses.

Conventions (CONTRIBUTING.md):

- Month 1 is the first month of the horizon; an amount in month ``m`` is paid at the end of that month and
  discounted by ``(1 + r_month) ** m``.
- ``r_month = (1 + discount_rate_per_year) ** (1 / 12) - 1``: twelve months compound to the yearly rate
  (not ``r_year / 12``).
- Cost tables hold costs as positive amounts and `present_value` keeps the sign of what it is given. The
  signed cash-flow convention is **inflows positive, outflows negative**; `net_present_value` of a cost
  stream is therefore negative.
- Discount rates are decimals in ``[0, 1)``: ``0.08`` for 8%. A value of 1 or more is rejected as the
  likely percent-for-decimal mistake (7 meaning 7%).
- Amounts have months on the last axis, so an array of Monte Carlo draws of shape ``(n, months)``, or a
  rate of shape ``(n, 1)``, gives ``n`` present values.
"""

from __future__ import annotations

import numpy as np

from costlib import checks
from costlib.errors import require

__all__ = ["monthly_discount_rate", "discount_factors", "present_value", "net_present_value"]


_out = checks.out


def _rate(discount_rate_per_year):
    try:
        r = np.asarray(discount_rate_per_year, dtype=float)
    except (TypeError, ValueError):
        r = np.asarray(np.nan)
    require(bool(np.all(np.isfinite(r)) and np.all((r >= 0) & (r < 1))), "discount_rate_per_year",
            discount_rate_per_year, "expected a decimal rate in [0, 1) (write 0.07 for 7%)")
    return r


def monthly_discount_rate(discount_rate_per_year):
    """Monthly rate equivalent to a yearly discount rate (compounded monthly).

    Parameters
    ----------
    discount_rate_per_year : float or array_like
        Decimal yearly rate in [0, 1) (0.08 for 8%).

    Returns
    -------
    float or numpy.ndarray
        ``r_month``, decimal per month.

    Notes
    -----
    ``r_month = (1 + r_year) ** (1 / 12) - 1``, so twelve months of ``r_month`` compound to ``r_year``.

    References
    ----------
    Brealey, Myers and Allen, *Principles of Corporate Finance*, ch. 2 (compounding intervals).

    Examples
    --------
    >>> round(monthly_discount_rate(0.12), 6)
    0.009489
    """
    return _out((1.0 + _rate(discount_rate_per_year)) ** (1.0 / 12.0) - 1.0)


def discount_factors(horizon_months, discount_rate_per_year):
    """End-of-month discount factors for months 1..horizon_months.

    Parameters
    ----------
    horizon_months : int
        Number of months, >= 1.
    discount_rate_per_year : float or array_like
        Decimal yearly rate in [0, 1); an array of shape ``(n, 1)`` gives factors of shape ``(n, months)``.

    Returns
    -------
    numpy.ndarray
        ``(1 + r_month) ** -m`` for ``m = 1..horizon_months``, months on the last axis.

    Notes
    -----
    ``DF_m = (1 + r_month) ** -m``; ``DF_12 = 1 / (1 + r_year)``.

    References
    ----------
    Brealey, Myers and Allen, *Principles of Corporate Finance*, ch. 2.

    Examples
    --------
    >>> float(discount_factors(12, 0.10)[-1])  # one year out: 1 / 1.10
    0.9090909
    """
    horizon_months = checks.whole("horizon_months", horizon_months, 1, unit="months")
    r = np.asarray(monthly_discount_rate(discount_rate_per_year), dtype=float)
    return (1.0 + r) ** -np.arange(1, int(horizon_months) + 1, dtype=float)


def present_value(amounts_usd_by_month, discount_rate_per_year):
    """Present value of monthly amounts paid at the end of months 1..n (sign preserved).

    Parameters
    ----------
    amounts_usd_by_month : array_like
        USD for months 1..n on the last axis (costs positive, as in cost tables).
    discount_rate_per_year : float or array_like
        Decimal yearly rate in [0, 1); broadcasts against the leading axes of the amounts.

    Returns
    -------
    float or numpy.ndarray
        USD at the start of month 1.

    Notes
    -----
    ``PV = sum_{m=1..n} a_m / (1 + r_month) ** m``, equal to ``numpy_financial.npv(r_month, [0, a_1, ...,
    a_n])`` (numpy-financial's first value is at time 0).

    References
    ----------
    numpy-financial, ``npv``: https://numpy.org/numpy-financial/latest/npv.html

    Examples
    --------
    >>> round(present_value([0.0] * 11 + [110.0], 0.10), 6)  # $110 at month 12 at 10%/year
    100.0
    >>> round(present_value([1000.0] * 12, 0.12), 2)  # an annuity: 1000 (1 - 1/1.12) / r_month
    11291.52
    """
    a = np.asarray(amounts_usd_by_month, dtype=float)
    require(a.ndim >= 1 and a.shape[-1] >= 1 and bool(np.all(np.isfinite(a))), "amounts_usd_by_month",
            amounts_usd_by_month, "expected finite USD amounts with months on the last axis")
    return _out(np.sum(a * discount_factors(a.shape[-1], discount_rate_per_year), axis=-1))


def net_present_value(cost_usd_by_month, discount_rate_per_year):
    """Signed NPV of a monthly cost stream: costs are outflows, so the result is negative.

    Parameters
    ----------
    cost_usd_by_month : array_like
        Costs of months 1..n as positive USD amounts, months on the last axis.
    discount_rate_per_year : float or array_like
        Decimal yearly rate in [0, 1).

    Returns
    -------
    float or numpy.ndarray
        USD, inflows positive and outflows negative.

    Notes
    -----
    ``NPV = -PV(c) = numpy_financial.npv(r_month, [0, -c_1, ..., -c_n])``.

    References
    ----------
    numpy-financial, ``npv``.

    Examples
    --------
    >>> round(net_present_value([0.0] * 11 + [1100.0], 0.10), 6)
    -1000.0
    """
    return _out(-np.asarray(present_value(cost_usd_by_month, discount_rate_per_year)))
