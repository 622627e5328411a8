"""CapEx vs OpEx: depreciation, the P&L view against the cash view, and own vs rent.

Formulas for section III of the seed (``cost_model_fundamentals.md``): depreciation schedules
(straight-line, declining balance, sum-of-years-digits and the MACRS GDS half-year tables), a fleet of
assets with in-service dates, the P&L (EBITDA, EBIT) against the cash (free cash flow) view of buying
versus renting the same capacity, the effect of a change of server useful life, own vs rent
(repatriation) cumulative cost curves with a break-even month and present values, and a SaaS bill that
grows with usage against a negotiated flat rate.

Conventions
-----------
- Periods: the month is the base period. Month 1 is the first month of the horizon; year 1 is months
  1 to 12. Yearly depreciation schedules count *asset years* from the month the asset goes into service.
- Amounts: every cost, bill, cash-out, depreciation and book value is a **positive** amount in USD.
- Sign convention (stated once): the only signed quantities are the *effects* on the P&L and on cash in
  `buy_vs_rent_views` (``ebitda_effect_usd``, ``ebit_effect_usd``, ``fcf_effect_usd``): **inflows
  positive, outflows negative**, so a cost that lowers EBITDA has a negative effect. `present_value`
  takes positive costs and returns a positive present value of cost; on signed flows it equals minus
  ``numpy_financial.npv(r_month, [0, -c_1, ..., -c_H])``.
- Discounting: cash in month m is discounted by ``(1 + r_month) ** m`` with
  ``r_month = (1 + discount_rate_per_year) ** (1 / 12) - 1`` (end-of-month timing).
- Taxes and interest are not modelled: EBIT here is pre-tax operating income, and the tax shield of
  depreciation is left out.

References
----------
.. [1] IRS Publication 946, *How To Depreciate Property*, Appendix A, Table A-1 (3-, 5-, 7-, 10-, 15- and
   20-year property, half-year convention). https://www.irs.gov/publications/p946
.. [2] IAS 16 *Property, Plant and Equipment*, paragraphs 50-62 (depreciable amount, useful life,
   straight-line, diminishing balance methods).
.. [3] Microsoft Excel function reference: SLN, SYD, DDB and VDB (VDB switches from declining balance
   to straight-line when straight-line is larger).
.. [4] ``cost_model_fundamentals.md``, section III (CapEx vs OpEx: the roadmap influencer).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from costlib import checks
from costlib.constants import HOURS_PER_MONTH, MONTHS_PER_YEAR
from costlib.discounting import monthly_discount_rate, present_value  # noqa: F401
from costlib.errors import require
from costlib.timing import break_even_month, crossover_month

__all__ = [
    "DEPRECIATION_METHODS",
    "MACRS_GDS_HALF_YEAR_PERCENT",
    "straight_line",
    "declining_balance",
    "sum_of_years_digits",
    "macrs_gds_half_year",
    "depreciation_by_year",
    "depreciation_by_month",
    "book_value",
    "fleet_depreciation_by_month",
    "fleet_depreciation_by_year",
    "buy_vs_rent_views",
    "fleet_expense_by_useful_life",
    "useful_life_change",
    "useful_life_change_prospective",
    "monthly_discount_rate",
    "present_value",
    "own_vs_rent_curves",
    "own_vs_rent_summary",
    "own_vs_rent_cumulative_saving",
    "pnl_and_cash_by_year",
    "usage_growth_path",
    "saas_flat_rate_comparison",
    "flat_rate_crossover",
    "cloud_usd_per_month",
    "break_even_extra_running_usd_per_year",
    "max_flat_rate_usd_per_month",
    "owned_running_usd_per_month",
    "usage_bill_path",
    "usd_per_month_from_year",
    "added_life_years",
    "longer_life_net_gain_usd",
    "flat_rate_saving_usd",
    "gain_from_owning",
]

DEPRECIATION_METHODS = ("straight_line", "declining_balance", "sum_of_years_digits", "macrs")
"""Method names accepted by `depreciation_by_year`, `depreciation_by_month` and the fleet functions."""

MACRS_GDS_HALF_YEAR_PERCENT = {
    3: (33.33, 44.45, 14.81, 7.41),
    5: (20.00, 32.00, 19.20, 11.52, 11.52, 5.76),
    7: (14.29, 24.49, 17.49, 12.49, 8.93, 8.92, 8.93, 4.46),
}
"""IRS Publication 946 Table A-1 (GDS, 200% declining balance, half-year convention), percent of basis
per recovery year, as published. The IRS rounds each column to sum to 100, so the 3-year column is
44.45, 14.81 where a recomputation gives 44.44, 14.82."""

_FLEET_COLUMNS = ("name", "cost_usd", "in_service_month", "useful_life_years", "salvage_usd", "method",
                  "factor")


# --------------------------------------------------------------------------------------------------
# argument checks


def _whole(name, value, minimum, unit):
    return checks.whole(name, value, minimum, unit=unit)


def _month_index(name, value):
    ok = (not isinstance(value, (bool, np.bool_))
          and isinstance(value, (int, np.integer, float, np.floating))
          and math.isfinite(value) and float(value).is_integer())
    require(ok, name, value, "expected a whole month index (1 is the first month of the horizon)")
    return int(value)


def _samples(arr, name, value):
    require(arr.ndim == 0 or arr.shape[-1] == 1, name, value,
            "expected a number or an array of samples of shape (n, 1) (periods run along the last axis)")


def _amount(name, value, samples=True):
    arr = checks.check(name, value, lambda a: np.isfinite(a) & (a >= 0), "expected an amount in USD >= 0")
    if samples:
        _samples(arr, name, value)
    return arr


def _one_amount(name, value):
    arr = _amount(name, value, samples=False)
    require(arr.ndim == 0, name, value, "expected a single amount in USD >= 0")
    return float(arr)


def _rate(name, value, period, samples=True):
    arr = checks.check(name, value, lambda a: np.isfinite(a) & (a > -1) & (a < 1),
                       f"expected a decimal rate per {period} between -1 and 1, e.g. 0.07 for 7%")
    if samples:
        _samples(arr, name, value)
    return arr


def _method(method):
    require(method in DEPRECIATION_METHODS, "method", method, f"expected one of {DEPRECIATION_METHODS}")
    return method


def _cost_salvage(cost_usd, salvage_usd):
    cost = _amount("cost_usd", cost_usd)
    salvage = _amount("salvage_usd", salvage_usd)
    require(bool(np.all(salvage <= cost)), "salvage_usd", salvage_usd,
            f"expected salvage_usd <= cost_usd ({cost_usd!r})")
    return np.broadcast_arrays(cost, salvage)


def _factor(factor):
    ok = isinstance(factor, (int, float, np.integer, np.floating)) and not isinstance(factor, bool)
    require(ok and 0 < factor <= 4, "factor", factor,
            "expected a declining-balance factor > 0 and <= 4, e.g. 2.0 for 200% or 1.5 for 150%")
    return float(factor)


# --------------------------------------------------------------------------------------------------
# depreciation schedules


def straight_line(cost_usd, useful_life_years, salvage_usd=0.0):
    """Straight-line depreciation expense per asset year.

    Parameters
    ----------
    cost_usd : float or array_like
        Cost (depreciable basis before salvage), USD; a number or samples of shape ``(n, 1)``.
    useful_life_years : int
        Useful life, whole years >= 1.
    salvage_usd : float or array_like, default 0.0
        Residual value at the end of the life, USD, 0 <= salvage <= cost.

    Returns
    -------
    numpy.ndarray
        Expense per asset year, USD; shape ``(useful_life_years,)``, or ``(n, useful_life_years)`` for
        samples of shape ``(n, 1)``.

    Notes
    -----
    ``D_t = (C - S) / L`` for ``t = 1..L``. Book value falls linearly from ``C`` to ``S``.

    References
    ----------
    IAS 16 paragraph 62; Excel ``SLN(cost, salvage, life)``.

    Examples
    --------
    >>> straight_line(10_000, 4, salvage_usd=1_000)
    array([2250., 2250., 2250., 2250.])

    Samples of shape ``(n, 1)`` give one schedule per row:

    >>> straight_line([[100], [200]], 2)
    array([[ 50.,  50.],
           [100., 100.]])
    """
    life = _whole("useful_life_years", useful_life_years, 1, "years")
    cost, salvage = _cost_salvage(cost_usd, salvage_usd)
    return (cost - salvage) / life * np.ones(life)


def declining_balance(cost_usd, useful_life_years, salvage_usd=0.0, factor=2.0):
    """Declining-balance depreciation per asset year, switching to straight-line when that is larger.

    Parameters
    ----------
    cost_usd : float or array_like
        Cost, USD; a number or samples of shape ``(n, 1)``.
    useful_life_years : int
        Useful life, whole years >= 1.
    salvage_usd : float or array_like, default 0.0
        Residual value, USD, 0 <= salvage <= cost. Book value never goes below it.
    factor : float, default 2.0
        Declining-balance factor: 2.0 is 200% ("double declining"), 1.5 is 150%.

    Returns
    -------
    numpy.ndarray
        Expense per asset year, USD; shape ``(useful_life_years,)``, or ``(n, useful_life_years)`` for
        samples of shape ``(n, 1)``.

    Notes
    -----
    With book value ``B_1 = C`` at the start of year 1 and rate ``d = factor / L``::

        DB_t = d * B_t
        SL_t = (B_t - S) / (L - t + 1)       # straight-line over the remaining life
        D_t  = min(max(DB_t, SL_t), B_t - S)
        B_{t+1} = B_t - D_t

    In the last year ``SL_L = B_L - S``, so the schedule always ends exactly at salvage and sums to
    ``C - S``; the cap ``B_t - S`` keeps book value from going below salvage in any year.

    References
    ----------
    IRS Publication 946, chapter 4 (declining balance, switching to straight line in the first year it
    gives an equal or larger deduction); Excel ``VDB`` (``no_switch=FALSE``); IAS 16 paragraph 62.

    Examples
    --------
    >>> declining_balance(10_000, 5)
    array([4000., 2400., 1440., 1080., 1080.])
    >>> declining_balance(10_000, 5, salvage_usd=1_000)
    array([4000., 2400., 1440.,  864.,  296.])
    """
    life = _whole("useful_life_years", useful_life_years, 1, "years")
    cost, salvage = _cost_salvage(cost_usd, salvage_usd)
    rate = _factor(factor) / life
    book = cost.astype(float).copy()
    expenses = []
    for t in range(life):
        db = book * rate
        sl = (book - salvage) / (life - t)
        expense = np.minimum(np.maximum(db, sl), book - salvage)
        expenses.append(expense)
        book = book - expense
    return np.array(expenses) if book.ndim == 0 else np.concatenate(expenses, axis=-1)


def sum_of_years_digits(cost_usd, useful_life_years, salvage_usd=0.0):
    """Sum-of-years-digits depreciation per asset year.

    Parameters
    ----------
    cost_usd : float or array_like
        Cost, USD; a number or samples of shape ``(n, 1)``.
    useful_life_years : int
        Useful life, whole years >= 1.
    salvage_usd : float or array_like, default 0.0
        Residual value, USD, 0 <= salvage <= cost.

    Returns
    -------
    numpy.ndarray
        Expense per asset year, USD; shape ``(useful_life_years,)``, or ``(n, useful_life_years)`` for
        samples of shape ``(n, 1)``.

    Notes
    -----
    ``D_t = (C - S) * (L - t + 1) / (L (L + 1) / 2)`` for ``t = 1..L``; the weights sum to 1.

    References
    ----------
    Excel ``SYD(cost, salvage, life, per)``; IAS 16 paragraph 62 (a method reflecting the pattern of
    consumption).

    Examples
    --------
    >>> sum_of_years_digits(10_000, 4, salvage_usd=1_000)
    array([3600., 2700., 1800.,  900.])
    """
    life = _whole("useful_life_years", useful_life_years, 1, "years")
    cost, salvage = _cost_salvage(cost_usd, salvage_usd)
    weights = np.arange(life, 0, -1) / (life * (life + 1) / 2)
    return (cost - salvage) * weights


def macrs_gds_half_year(cost_usd, recovery_period_years):
    """MACRS GDS depreciation per tax year from IRS Table A-1 (half-year convention).

    Salvage is ignored: MACRS recovers the whole basis, so the schedule sums to the cost.

    Parameters
    ----------
    cost_usd : float or array_like
        Unadjusted depreciable basis, USD.
    recovery_period_years : {3, 5, 7}
        GDS recovery period (3-year: e.g. some tools; 5-year: computers and peripheral equipment;
        7-year: office furniture and fixtures).

    Returns
    -------
    numpy.ndarray
        Deduction per recovery year, USD; ``recovery_period_years + 1`` years (the half-year convention
        spills half a year into the year after the period); ``(n, years)`` for samples of shape
        ``(n, 1)``.

    Notes
    -----
    ``D_t = C * p_t / 100`` with ``p_t`` the published percentages in `MACRS_GDS_HALF_YEAR_PERCENT`
    (200% declining balance switching to straight-line, half a year's depreciation in year 1). The
    published percentages are used as printed, not recomputed: the IRS rounds each column to sum to
    100 (the 3-year column reads 33.33, 44.45, 14.81, 7.41).

    References
    ----------
    IRS Publication 946, Appendix A, Table A-1. https://www.irs.gov/publications/p946

    Examples
    --------
    >>> macrs_gds_half_year(10_000, 5)
    array([2000., 3200., 1920., 1152., 1152.,  576.])
    """
    period = _whole("recovery_period_years", recovery_period_years, 1, "years")
    require(period in MACRS_GDS_HALF_YEAR_PERCENT, "recovery_period_years", recovery_period_years,
            f"expected a MACRS GDS recovery period in {tuple(MACRS_GDS_HALF_YEAR_PERCENT)}")
    cost = _amount("cost_usd", cost_usd)
    return cost * np.array(MACRS_GDS_HALF_YEAR_PERCENT[period]) / 100.0


def depreciation_by_year(cost_usd, useful_life_years, salvage_usd=0.0, method="straight_line",
                         factor=2.0):
    """Depreciation expense per asset year for any method in `DEPRECIATION_METHODS`.

    Parameters
    ----------
    cost_usd : float or array_like
        Cost, USD.
    useful_life_years : int
        Useful life in whole years; for ``method="macrs"`` the recovery period (3, 5 or 7).
    salvage_usd : float or array_like, default 0.0
        Residual value, USD, 0 <= salvage <= cost. Ignored by ``"macrs"`` (MACRS recovers the full
        cost), but still checked.
    method : {"straight_line", "declining_balance", "sum_of_years_digits", "macrs"}
        Depreciation method.
    factor : float, default 2.0
        Declining-balance factor (only used by ``"declining_balance"``).

    Returns
    -------
    numpy.ndarray
        Expense per asset year, USD (``useful_life_years`` years, or one more for MACRS).

    Notes
    -----
    Dispatches to `straight_line`, `declining_balance`, `sum_of_years_digits` or
    `macrs_gds_half_year`; see those for the formulas. Schedules sum to ``C - S`` (MACRS: to ``C``).

    References
    ----------
    IRS Publication 946; IAS 16 paragraphs 50-62.

    Examples
    --------
    >>> depreciation_by_year(12_000, 3, method="sum_of_years_digits")
    array([6000., 4000., 2000.])
    >>> depreciation_by_year(1_000, 3, method="macrs")
    array([333.3, 444.5, 148.1,  74.1])
    """
    _method(method)
    if method == "macrs":
        _cost_salvage(cost_usd, salvage_usd)
        require(useful_life_years in MACRS_GDS_HALF_YEAR_PERCENT
                and not isinstance(useful_life_years, bool), "useful_life_years", useful_life_years,
                f"expected a MACRS GDS recovery period in {tuple(MACRS_GDS_HALF_YEAR_PERCENT)}")
        return macrs_gds_half_year(cost_usd, useful_life_years)
    if method == "declining_balance":
        return declining_balance(cost_usd, useful_life_years, salvage_usd, factor)
    if method == "sum_of_years_digits":
        return sum_of_years_digits(cost_usd, useful_life_years, salvage_usd)
    return straight_line(cost_usd, useful_life_years, salvage_usd)


def depreciation_by_month(cost_usd, useful_life_years, salvage_usd=0.0, method="straight_line",
                          factor=2.0):
    """Depreciation expense per month of the asset's life.

    Straight-line is straight-line by month; the yearly methods (declining balance,
    sum-of-years-digits, MACRS) spread each asset year's amount evenly over its 12 months.

    Parameters
    ----------
    cost_usd, useful_life_years, salvage_usd, method, factor
        As in `depreciation_by_year`.

    Returns
    -------
    numpy.ndarray
        Expense per month, USD; ``12 * len(depreciation_by_year(...))`` months, month 1 being the month
        the asset goes into service.

    Notes
    -----
    ``D_month(12 (t - 1) + k) = D_year(t) / 12`` for ``k = 1..12``. For straight-line this is
    ``(C - S) / (12 L)`` every month. Summing each block of 12 months gives back the yearly schedule.

    References
    ----------
    IAS 16 paragraph 55 (depreciation begins when the asset is available for use).

    Examples
    --------
    >>> m = depreciation_by_month(36_000, 3)
    >>> m.shape, float(m[0]), float(m.sum())
    ((36,), 1000.0, 36000.0)
    """
    yearly = depreciation_by_year(cost_usd, useful_life_years, salvage_usd, method, factor)
    return np.repeat(yearly / 12.0, 12, axis=-1)


def book_value(cost_usd, depreciation_usd):
    """Book value at the end of each period: cost less accumulated depreciation.

    Parameters
    ----------
    cost_usd : float or array_like
        Cost, USD.
    depreciation_usd : array_like
        Expense per period, USD, periods on the last axis (a yearly or monthly schedule).

    Returns
    -------
    numpy.ndarray
        End-of-period book value, USD, same shape as ``depreciation_usd``.

    Notes
    -----
    ``B_t = C - sum_{k <= t} D_k``.

    References
    ----------
    IAS 16 paragraph 6 (carrying amount).

    Examples
    --------
    >>> book_value(10_000, straight_line(10_000, 4, salvage_usd=1_000))
    array([7750., 5500., 3250., 1000.])
    """
    cost = _amount("cost_usd", cost_usd)
    dep = np.asarray(depreciation_usd, dtype=float)
    return cost - np.cumsum(dep, axis=-1)


# --------------------------------------------------------------------------------------------------
# fleet


def _fleet_table(assets):
    if isinstance(assets, pd.DataFrame):
        records = [{k: v for k, v in rec.items() if not (np.ndim(v) == 0 and pd.isna(v))}
                   for rec in assets.to_dict("records")]  # an empty cell means "use the default"
    else:
        require(isinstance(assets, Iterable) and not isinstance(assets, (str, bytes, Mapping)),
                "assets", assets, "expected a DataFrame or a list of mappings, one per asset")
        records = list(assets)
    require(len(records) > 0, "assets", assets, "expected at least one asset")
    rows = []
    for i, rec in enumerate(records, start=1):
        require(isinstance(rec, Mapping), f"assets[{i - 1}]", rec, "expected a mapping of asset fields")
        unknown = sorted(set(rec) - set(_FLEET_COLUMNS))
        require(not unknown, f"assets[{i - 1}]", dict(rec),
                f"unknown field(s) {unknown}; expected fields among {_FLEET_COLUMNS}")
        for key in ("cost_usd", "in_service_month", "useful_life_years"):
            require(key in rec, f"assets[{i - 1}]", dict(rec), f"expected a '{key}' field")
        rows.append({
            "name": str(rec.get("name", f"asset_{i}")),
            "cost_usd": rec["cost_usd"],
            "in_service_month": _month_index(f"assets[{i - 1}].in_service_month", rec["in_service_month"]),
            "useful_life_years": rec["useful_life_years"],
            "salvage_usd": rec.get("salvage_usd", 0.0),
            "method": rec.get("method", "straight_line"),
            "factor": rec.get("factor", 2.0),
        })
    names = [r["name"] for r in rows]
    dupes = sorted({n for n in names if names.count(n) > 1})
    require(not dupes, "assets.name", dupes, "expected unique asset names")
    return rows


def fleet_depreciation_by_month(assets, horizon_months=None):
    """Depreciation expense per month of the horizon for a fleet of assets.

    Parameters
    ----------
    assets : pandas.DataFrame or list of dict
        One row per asset with fields ``cost_usd``, ``in_service_month`` (month index of the horizon
        in which depreciation starts; 1 is the first month, values <= 0 are assets already in service
        before the horizon, whose earlier months are left out), ``useful_life_years`` and optionally
        ``name`` (default ``asset_<n>``), ``salvage_usd`` (default 0), ``method`` (default
        ``"straight_line"``) and ``factor`` (default 2.0).
    horizon_months : int, optional
        Months to show. Default: through the last month any asset depreciates, rounded up to whole
        years.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (1..horizon), one column per asset name and ``total_usd``; values in USD.

    Notes
    -----
    Each asset's `depreciation_by_month` schedule is placed starting at its ``in_service_month``:
    ``E(m) = sum_a D_a(m - s_a + 1)`` with ``D_a(k) = 0`` outside ``1..12 * years_a``.

    References
    ----------
    IAS 16 paragraphs 55 and 62.

    Examples
    --------
    >>> df = fleet_depreciation_by_month([
    ...     {"name": "rack_a", "cost_usd": 12_000, "in_service_month": 1, "useful_life_years": 1},
    ...     {"name": "rack_b", "cost_usd": 24_000, "in_service_month": 7, "useful_life_years": 1},
    ... ])
    >>> df.loc[[1, 7, 13], "total_usd"].tolist()
    [1000.0, 3000.0, 2000.0]
    """
    rows = _fleet_table(assets)
    schedules = []
    for i, r in enumerate(rows):
        try:
            monthly = depreciation_by_month(r["cost_usd"], r["useful_life_years"], r["salvage_usd"],
                                            r["method"], r["factor"])
        except ValueError as exc:
            raise type(exc)(f"assets[{i}] ({r['name']}): {exc}") from exc
        require(np.ndim(monthly) == 1, f"assets[{i}].cost_usd", r["cost_usd"], "expected a single amount")
        schedules.append(monthly)
    if horizon_months is None:
        last = max(r["in_service_month"] - 1 + len(s) for r, s in zip(rows, schedules))
        horizon = max(12, 12 * math.ceil(last / 12))
    else:
        horizon = _whole("horizon_months", horizon_months, 1, "months")
    data = {}
    for r, s in zip(rows, schedules):
        col = np.zeros(horizon)
        start = r["in_service_month"] - 1  # zero-based position of the asset's first month
        lo, hi = max(start, 0), min(start + len(s), horizon)
        if hi > lo:
            col[lo:hi] = s[lo - start:hi - start]
        data[r["name"]] = col
    df = pd.DataFrame(data, index=pd.RangeIndex(1, horizon + 1, name="month"))
    df.columns.name = "asset"
    df["total_usd"] = df.sum(axis=1)
    return df


def fleet_depreciation_by_year(assets, horizon_years=None):
    """Depreciation expense per year of the horizon for a fleet of assets.

    Parameters
    ----------
    assets : pandas.DataFrame or list of dict
        As in `fleet_depreciation_by_month`.
    horizon_years : int, optional
        Years to show (year 1 is months 1 to 12). Default: through the last year any asset depreciates.

    Returns
    -------
    pandas.DataFrame
        Index ``year``, one column per asset name and ``total_usd``; values in USD.

    Notes
    -----
    ``E(y) = sum_{m = 12 (y - 1) + 1}^{12 y} E(m)`` from `fleet_depreciation_by_month`. Horizon years
    are calendar years of the model, not asset years: an asset in service in month 7 puts six months
    of its first asset year into year 1.

    References
    ----------
    IAS 16 paragraph 62.

    Examples
    --------
    >>> df = fleet_depreciation_by_year([
    ...     {"name": "rack_a", "cost_usd": 12_000, "in_service_month": 1, "useful_life_years": 1},
    ...     {"name": "rack_b", "cost_usd": 24_000, "in_service_month": 7, "useful_life_years": 1},
    ... ])
    >>> df["total_usd"].tolist()
    [24000.0, 12000.0]
    """
    months = None if horizon_years is None else 12 * _whole("horizon_years", horizon_years, 1, "years")
    monthly = fleet_depreciation_by_month(assets, months)
    yearly = monthly.groupby((monthly.index - 1) // 12 + 1).sum()
    yearly.index.name = "year"
    yearly.columns.name = "asset"
    return yearly


# --------------------------------------------------------------------------------------------------
# P&L view against cash view


def buy_vs_rent_views(capex_usd, useful_life_years, rent_usd_per_year, horizon_years=None,
                      salvage_usd=0.0, method="straight_line", factor=2.0,
                      owned_running_usd_per_year=0.0):
    """P&L view against cash view, per year, of buying capacity (CapEx) or renting it (OpEx).

    Parameters
    ----------
    capex_usd : float
        Purchase price, paid in year 1, USD.
    useful_life_years : int
        Useful life for depreciation (recovery period for MACRS).
    rent_usd_per_year : float
        Cost of renting the same capacity, USD per year (e.g. the cloud bill), paid every year.
    horizon_years : int, optional
        Years to show; default the length of the depreciation schedule.
    salvage_usd : float, default 0.0
        Salvage value of the purchase, USD (ignored by MACRS).
    method : str, default "straight_line"
        Depreciation method, one of `DEPRECIATION_METHODS`.
    factor : float, default 2.0
        Declining-balance factor.
    owned_running_usd_per_year : float, default 0.0
        Operating costs of owning (power, space, maintenance, staff), USD per year.

    Returns
    -------
    pandas.DataFrame
        Index ``(option, year)`` with option ``"buy"`` or ``"rent"``; columns (USD):
        ``cash_out_usd``, ``depreciation_usd``, ``opex_usd``, ``pnl_expense_usd`` (positive costs),
        ``ebitda_effect_usd``, ``ebit_effect_usd``, ``fcf_effect_usd`` (signed: outflows negative),
        and ``book_value_usd`` (end of year).

    Notes
    -----
    Buy: ``cash_out = capex [year 1] + running``, ``opex = running``, ``depreciation = D_y``.
    Rent: ``cash_out = opex = rent``, no depreciation, no book value. For both::

        pnl_expense = depreciation + opex
        ebitda_effect = -opex            (depreciation is below the EBITDA line)
        ebit_effect = -pnl_expense
        fcf_effect = -cash_out

    Pre-tax, no financing: the depreciation tax shield and interest are not modelled. After the
    schedule ends a bought asset keeps running at ``owned_running_usd_per_year`` with no further
    depreciation.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.3 ("The EBITDA play", "The free cash flow play");
    IAS 16 paragraph 48 (the depreciation charge is recognised in profit or loss).

    Examples
    --------
    The seed's $10M cluster on a 4-year straight-line life against $10M a year of cloud:

    >>> v = buy_vs_rent_views(10e6, 4, rent_usd_per_year=10e6)
    >>> v.loc[("buy", 1), ["cash_out_usd", "depreciation_usd", "ebitda_effect_usd", "fcf_effect_usd"]].tolist()
    [10000000.0, 2500000.0, 0.0, -10000000.0]
    >>> v.loc[("rent", 1), ["cash_out_usd", "ebitda_effect_usd", "fcf_effect_usd"]].tolist()
    [10000000.0, -10000000.0, -10000000.0]
    """
    capex = _one_amount("capex_usd", capex_usd)
    rent = _one_amount("rent_usd_per_year", rent_usd_per_year)
    running = _one_amount("owned_running_usd_per_year", owned_running_usd_per_year)
    schedule = depreciation_by_year(capex, useful_life_years, salvage_usd, method, factor)
    years = len(schedule) if horizon_years is None else _whole("horizon_years", horizon_years, 1, "years")
    dep = np.zeros(years)
    n = min(years, len(schedule))
    dep[:n] = schedule[:n]
    capex_cash = np.zeros(years)
    capex_cash[0] = capex
    buy = pd.DataFrame({
        "cash_out_usd": capex_cash + running,
        "depreciation_usd": dep,
        "opex_usd": np.full(years, running),
    })
    buy["book_value_usd"] = capex - np.cumsum(dep)
    rent_df = pd.DataFrame({
        "cash_out_usd": np.full(years, rent),
        "depreciation_usd": np.zeros(years),
        "opex_usd": np.full(years, rent),
        "book_value_usd": np.zeros(years),
    })
    frames = []
    for option, df in (("buy", buy), ("rent", rent_df)):
        df["pnl_expense_usd"] = df["depreciation_usd"] + df["opex_usd"]
        df["ebitda_effect_usd"] = -df["opex_usd"] + 0.0
        df["ebit_effect_usd"] = -df["pnl_expense_usd"] + 0.0
        df["fcf_effect_usd"] = -df["cash_out_usd"] + 0.0
        df.index = pd.MultiIndex.from_product([[option], range(1, years + 1)], names=["option", "year"])
        frames.append(df[["cash_out_usd", "depreciation_usd", "opex_usd", "pnl_expense_usd",
                          "ebitda_effect_usd", "ebit_effect_usd", "fcf_effect_usd", "book_value_usd"]])
    return pd.concat(frames)


# --------------------------------------------------------------------------------------------------
# useful-life change


def _capex_path(capex_usd_per_year, horizon_years, capex_growth_rate_per_year):
    growth = _rate("capex_growth_rate_per_year", capex_growth_rate_per_year, "year", samples=False)
    require(growth.ndim == 0, "capex_growth_rate_per_year", capex_growth_rate_per_year,
            "expected a single decimal rate per year")
    growth = float(growth)
    capex = _amount("capex_usd_per_year", capex_usd_per_year, samples=False)
    if capex.ndim == 0:
        return float(capex) * (1 + growth) ** np.arange(horizon_years)
    require(capex.ndim == 1 and len(capex) == horizon_years, "capex_usd_per_year", capex_usd_per_year,
            f"expected one amount, or one amount per year ({horizon_years} values)")
    require(growth == 0, "capex_growth_rate_per_year", capex_growth_rate_per_year,
            "expected 0 when capex_usd_per_year is given year by year")
    return capex


def fleet_expense_by_useful_life(capex_usd_per_year, useful_lives_years, horizon_years,
                                 method="straight_line", salvage_fraction=0.0, factor=2.0,
                                 capex_growth_rate_per_year=0.0):
    """Yearly depreciation expense of a fleet bought every year, for each candidate useful life.

    Parameters
    ----------
    capex_usd_per_year : float or array_like
        Servers bought each year (start of the year), USD per year: one amount, or one per year.
    useful_lives_years : iterable of int
        Lives to compare, e.g. ``(3, 4, 5)``.
    horizon_years : int
        Years to show.
    method : str, default "straight_line"
        Depreciation method, one of `DEPRECIATION_METHODS`.
    salvage_fraction : float, default 0.0
        Salvage as a fraction of cost, 0 <= f <= 1.
    factor : float, default 2.0
        Declining-balance factor.
    capex_growth_rate_per_year : float, default 0.0
        Yearly growth of a single ``capex_usd_per_year`` amount (decimal, 0.2 for 20%).

    Returns
    -------
    pandas.DataFrame
        Index ``year`` (1..horizon), one column per useful life (int label, columns named
        ``useful_life_years``); expense in USD.

    Notes
    -----
    Each year's purchases are a cohort depreciated on the unit schedule ``w_L`` (depreciation of
    $1 with salvage ``f``): ``E_L(y) = sum_{p <= y} K_p * w_L(y - p + 1)``. With flat capex ``K`` and
    straight-line, ``E_L`` climbs by ``K (1 - f) / L`` a year until it plateaus at ``K (1 - f)`` in year
    ``L``: a longer life lowers expense only while capex is growing or in the years after the change.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.3 (extending server lifespan from 3 to 4 or 5 years);
    IAS 16 paragraph 51 (review of useful life).

    Examples
    --------
    >>> fleet_expense_by_useful_life(1_200, (3, 4), horizon_years=4)
    useful_life_years       3       4
    year
    1                   400.0   300.0
    2                   800.0   600.0
    3                  1200.0   900.0
    4                  1200.0  1200.0
    """
    years = _whole("horizon_years", horizon_years, 1, "years")
    capex = _capex_path(capex_usd_per_year, years, capex_growth_rate_per_year)
    f = _one_amount("salvage_fraction", salvage_fraction)
    require(f <= 1, "salvage_fraction", salvage_fraction, "expected a fraction of cost between 0 and 1")
    lives = list(useful_lives_years) if isinstance(useful_lives_years, Iterable) else [useful_lives_years]
    require(len(lives) > 0, "useful_lives_years", useful_lives_years, "expected at least one life")
    out = {}
    for life in lives:
        w = depreciation_by_year(1.0, life, f, method, factor)
        expense = np.convolve(capex, w)[:years]
        if len(expense) < years:  # pragma: no cover - convolve length is years + len(w) - 1
            expense = np.pad(expense, (0, years - len(expense)))
        out[int(life)] = expense
    df = pd.DataFrame(out, index=pd.RangeIndex(1, years + 1, name="year"))
    df.columns.name = "useful_life_years"
    return df


def useful_life_change(capex_usd_per_year, from_useful_life_years, to_useful_life_years, horizon_years,
                       method="straight_line", salvage_fraction=0.0, factor=2.0,
                       capex_growth_rate_per_year=0.0):
    """Yearly depreciation expense difference when a fleet's useful life changes (e.g. 3 to 4 years).

    Parameters
    ----------
    capex_usd_per_year : float or array_like
        Servers bought each year, USD per year (see `fleet_expense_by_useful_life`).
    from_useful_life_years, to_useful_life_years : int
        Useful life before and after the change.
    horizon_years : int
        Years to show.
    method, salvage_fraction, factor, capex_growth_rate_per_year
        As in `fleet_expense_by_useful_life`.

    Returns
    -------
    pandas.DataFrame
        Index ``year``; columns ``capex_usd``, ``expense_before_usd``, ``expense_after_usd``,
        ``expense_reduction_usd`` (before - after, the gain to operating income) and
        ``cumulative_reduction_usd``, all USD.

    Notes
    -----
    ``R(y) = E_from(y) - E_to(y)``; ``sum_y R(y)`` is the extra book value carried on the balance sheet
    at the end of year y. The comparison applies the new life to every cohort from year 1; an actual
    change of accounting estimate is applied prospectively to the remaining book value of assets
    already in service (IAS 8 paragraph 36), which this does not model.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.3; IAS 16 paragraph 51; IAS 8 paragraphs 32-38.

    Examples
    --------
    >>> useful_life_change(1_200, 3, 4, horizon_years=4)["expense_reduction_usd"].tolist()
    [100.0, 200.0, 300.0, 0.0]
    """
    years = _whole("horizon_years", horizon_years, 1, "years")
    both = fleet_expense_by_useful_life(capex_usd_per_year,
                                        [from_useful_life_years, to_useful_life_years], years, method,
                                        salvage_fraction, factor, capex_growth_rate_per_year)
    before = both.iloc[:, 0].to_numpy()
    after = both.iloc[:, -1].to_numpy()
    df = pd.DataFrame({
        "capex_usd": _capex_path(capex_usd_per_year, years, capex_growth_rate_per_year),
        "expense_before_usd": before,
        "expense_after_usd": after,
        "expense_reduction_usd": before - after,
    }, index=both.index)
    df["cumulative_reduction_usd"] = df["expense_reduction_usd"].cumsum()
    return df


# --------------------------------------------------------------------------------------------------
# discounting and break-even




# --------------------------------------------------------------------------------------------------
# own vs rent (repatriation)


def _own_vs_rent_arrays(cloud_usd_per_month, owned_capex_usd, horizon_months, lead_time_months,
                        cloud_growth_rate_per_month, power_usd_per_month, space_usd_per_month,
                        hardware_maintenance_usd_per_month, sre_team_usd_per_month,
                        hardware_refresh_months):
    horizon = _whole("horizon_months", horizon_months, 1, "months")
    lead = _whole("lead_time_months", lead_time_months, 0, "months")
    cloud0 = _amount("cloud_usd_per_month", cloud_usd_per_month)
    capex = _amount("owned_capex_usd", owned_capex_usd)
    g = _rate("cloud_growth_rate_per_month", cloud_growth_rate_per_month, "month")
    running = {
        "power_usd": _amount("power_usd_per_month", power_usd_per_month),
        "space_usd": _amount("space_usd_per_month", space_usd_per_month),
        "hardware_maintenance_usd": _amount("hardware_maintenance_usd_per_month",
                                            hardware_maintenance_usd_per_month),
        "sre_team_usd": _amount("sre_team_usd_per_month", sre_team_usd_per_month),
    }
    m = np.arange(1, horizon + 1)
    cloud = cloud0 * (1 + g) ** (m - 1)
    if hardware_refresh_months is None:
        buys = (m == 1)
    else:
        every = _whole("hardware_refresh_months", hardware_refresh_months, 1, "months")
        buys = (m - 1) % every == 0
    usable = m > lead
    parts = {
        "owned_capex_usd": capex * buys,
        "dual_running_cloud_usd": cloud * ~usable,
    }
    for key, value in running.items():
        parts[key] = value * usable
    owned = sum(parts.values())
    return m, cloud, parts, owned


def cloud_usd_per_month(cloud_units, price_usd_per_unit, cloud_discount=0.0, cloud_other_usd_per_month=0.0,
                        hours_used_share=None):
    """The cloud bill in month 1 of capacity priced per unit-month, or per unit-hour for the hours used.

    Parameters
    ----------
    cloud_units : float or array_like
        Instances, GB or other units rented (>= 0).
    price_usd_per_unit : float or array_like
        USD per unit-month, or USD per unit-hour when ``hours_used_share`` is given (>= 0).
    cloud_discount : float or array_like
        Negotiated or committed discount on the unit price, decimal in [0, 1].
    cloud_other_usd_per_month : float or array_like
        Other cloud charges a month (egress, support), USD (>= 0).
    hours_used_share : float or array_like, optional
        For hourly prices: the share of the month's 730 hours the units run (on-demand bills only those).

    Returns
    -------
    float or numpy.ndarray
        USD per month.

    Notes
    -----
    ``bill = units * p_month * (1 - discount) + other`` with ``p_month = p`` (per unit-month) or
    ``p_month = p_hour * 730 * hours_used_share`` (`costlib.constants.HOURS_PER_MONTH`).

    References
    ----------
    ``cost_model_fundamentals.md`` section III.2 (repatriation: the cloud bill owning replaces); AWS EC2
    on-demand pricing (billed per instance-hour).

    Examples
    --------
    32 GPU instances at $55.04 an hour running 85% of 730 hours: 32 x 55.04 x 730 x 0.85 = 1,092,874.24.

    >>> round(cloud_usd_per_month(32, 55.04, 0.0, 0.0, hours_used_share=0.85), 2)
    1092874.24
    >>> cloud_usd_per_month(1_000_000, 0.023, 0.3, 5_000.0)  # 1 PB-month at $0.023/GB, 30% off: 16,100 + 5,000
    21100.0
    """
    units = checks.number("cloud_units", cloud_units, low=0)
    price = _amount("price_usd_per_unit", price_usd_per_unit)
    discount = checks.number("cloud_discount", cloud_discount, low=0, high=1)
    other = _amount("cloud_other_usd_per_month", cloud_other_usd_per_month)
    if hours_used_share is not None:
        price = price * HOURS_PER_MONTH * checks.number("hours_used_share", hours_used_share, low=0, high=1)
    return checks.out(units * price * (1 - discount) + other)


def owned_running_usd_per_month(power_usd_per_month=0.0, space_usd_per_month=0.0,
                                hardware_maintenance_usd_per_month=0.0, sre_team_usd_per_month=0.0):
    """What owned capacity costs to run each month once it is in service.

    Parameters
    ----------
    power_usd_per_month, space_usd_per_month, hardware_maintenance_usd_per_month : float or array_like
        Power, rack space and hardware maintenance, USD per month (>= 0).
    sre_team_usd_per_month : float or array_like
        The SRE / hardware team, USD per month (>= 0); see `costlib.tco.people_cost_usd_per_month`.

    Returns
    -------
    float or numpy.ndarray
        USD per month.

    Notes
    -----
    ``running = power + space + hardware maintenance + SRE team``: the monthly terms `own_vs_rent_curves`
    adds once the capacity is usable.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.2 (repatriation: power, space, hardware and people).

    Examples
    --------
    >>> owned_running_usd_per_month(20_000, 8_000, 5_000, 50_000)
    83000.0
    """
    parts = [_amount(n, v) for v, n in ((power_usd_per_month, "power_usd_per_month"),
                                        (space_usd_per_month, "space_usd_per_month"),
                                        (hardware_maintenance_usd_per_month, "hardware_maintenance_usd_per_month"),
                                        (sre_team_usd_per_month, "sre_team_usd_per_month"))]
    return checks.out(sum(parts))


def own_vs_rent_curves(cloud_usd_per_month, owned_capex_usd, horizon_months, lead_time_months=0,
                       cloud_growth_rate_per_month=0.0, power_usd_per_month=0.0,
                       space_usd_per_month=0.0, hardware_maintenance_usd_per_month=0.0,
                       sre_team_usd_per_month=0.0, hardware_refresh_months=None):
    """Monthly and cumulative cost of staying on cloud against owning the capacity (repatriation).

    Parameters
    ----------
    cloud_usd_per_month : float
        Cloud bill in month 1, USD per month.
    owned_capex_usd : float
        Purchase of the owned capacity (servers, network, build-out), paid in month 1, USD.
    horizon_months : int
        Months to model.
    lead_time_months : int, default 0
        Months before owned capacity is usable (procurement, build, migration). During them the cloud
        keeps running (dual running) and owned running costs have not started.
    cloud_growth_rate_per_month : float, default 0.0
        Growth of the cloud bill per month (decimal). Owned capacity is assumed sized for the horizon.
    power_usd_per_month, space_usd_per_month, hardware_maintenance_usd_per_month, sre_team_usd_per_month : float
        Owned running costs, USD per month, from the first usable month.
    hardware_refresh_months : int, optional
        If given, the capex is paid again every this many months (month 1, 1 + n, 1 + 2n, ...).

    Returns
    -------
    pandas.DataFrame
        Index ``month``; columns ``cloud_usd``, ``owned_capex_usd``, ``dual_running_cloud_usd``,
        ``power_usd``, ``space_usd``, ``hardware_maintenance_usd``, ``sre_team_usd``,
        ``owned_total_usd``, ``cumulative_cloud_usd``, ``cumulative_owned_usd`` and
        ``cumulative_saving_usd`` (cloud - owned), all USD.

    Notes
    -----
    With ``u(m) = [m > lead]`` and ``b(m) = [m = 1]`` (or every refresh)::

        cloud(m) = cloud_1 * (1 + g) ** (m - 1)
        owned(m) = capex * b(m) + cloud(m) * (1 - u(m)) + (power + space + hw + sre) * u(m)

    Cash view (no depreciation, no residual value of the hardware at the horizon).

    References
    ----------
    ``cost_model_fundamentals.md`` section III.2 ("The cloud repatriation & hybrid cycle").

    Examples
    --------
    >>> c = own_vs_rent_curves(100, 1_000, horizon_months=24, lead_time_months=2,
    ...                        power_usd_per_month=50)
    >>> c.loc[[1, 2, 3, 22], ["cumulative_cloud_usd", "cumulative_owned_usd"]]
           cumulative_cloud_usd  cumulative_owned_usd
    month
    1                     100.0                1100.0
    2                     200.0                1200.0
    3                     300.0                1250.0
    22                   2200.0                2200.0
    """
    m, cloud, parts, owned = _own_vs_rent_arrays(
        cloud_usd_per_month, owned_capex_usd, horizon_months, lead_time_months,
        cloud_growth_rate_per_month, power_usd_per_month, space_usd_per_month,
        hardware_maintenance_usd_per_month, sre_team_usd_per_month, hardware_refresh_months)
    require(cloud.ndim == 1 and owned.ndim == 1, "cloud_usd_per_month", cloud_usd_per_month,
            "expected single amounts (use own_vs_rent_summary for arrays of samples)")
    df = pd.DataFrame({"cloud_usd": cloud, **parts}, index=pd.RangeIndex(1, len(m) + 1, name="month"))
    df["owned_total_usd"] = owned
    df["cumulative_cloud_usd"] = np.cumsum(cloud)
    df["cumulative_owned_usd"] = np.cumsum(owned)
    df["cumulative_saving_usd"] = df["cumulative_cloud_usd"] - df["cumulative_owned_usd"]
    return df


def own_vs_rent_summary(cloud_usd_per_month, owned_capex_usd, horizon_months, discount_rate_per_year,
                        lead_time_months=0, cloud_growth_rate_per_month=0.0, power_usd_per_month=0.0,
                        space_usd_per_month=0.0, hardware_maintenance_usd_per_month=0.0,
                        sre_team_usd_per_month=0.0, hardware_refresh_months=None):
    """Break-even month, totals and present values of cloud against owned capacity.

    Parameters
    ----------
    cloud_usd_per_month, owned_capex_usd, horizon_months, lead_time_months, cloud_growth_rate_per_month
        As in `own_vs_rent_curves`. Amounts and rates may be Monte Carlo samples of shape ``(n, 1)``;
        they broadcast against the months (last axis) and every result then has shape ``(n,)``.
    discount_rate_per_year : float or array_like
        Decimal yearly discount rate (0.08 for 8%).
    power_usd_per_month, space_usd_per_month, hardware_maintenance_usd_per_month, sre_team_usd_per_month
        As in `own_vs_rent_curves`.
    hardware_refresh_months : int, optional
        As in `own_vs_rent_curves`.

    Returns
    -------
    dict
        ``break_even_month`` (int, or None if owning never catches up within the horizon; a float
        array with NaN for array inputs), ``total_cloud_usd``, ``total_owned_usd``,
        ``present_value_cloud_usd``, ``present_value_owned_usd`` and ``present_value_saving_usd``
        (cloud - owned; positive means owning is cheaper), USD.

    Notes
    -----
    ``m*``: the first month from which ``sum_{k<=m} owned(k) <= sum_{k<=m} cloud(k)`` holds to the end of
    the horizon (`costlib.timing.break_even_month`);
    ``PV = sum_m c_m / (1 + r_month) ** m`` (see `present_value`).

    References
    ----------
    ``cost_model_fundamentals.md`` section III.2; numpy-financial ``npv``.

    Examples
    --------
    >>> s = own_vs_rent_summary(100, 1_000, 24, 0.0, lead_time_months=2, power_usd_per_month=50)
    >>> s["break_even_month"], s["total_cloud_usd"], s["total_owned_usd"]
    (22, 2400.0, 2300.0)
    """
    _, cloud, _, owned = _own_vs_rent_arrays(
        cloud_usd_per_month, owned_capex_usd, horizon_months, lead_time_months,
        cloud_growth_rate_per_month, power_usd_per_month, space_usd_per_month,
        hardware_maintenance_usd_per_month, sre_team_usd_per_month, hardware_refresh_months)
    cloud, owned = np.broadcast_arrays(cloud, owned)
    rate = _rate("discount_rate_per_year", discount_rate_per_year, "year")
    pv_cloud = present_value(cloud, rate)
    pv_owned = present_value(owned, rate)

    def _scalar(x):
        return float(x) if np.ndim(x) == 0 else x

    return {
        "break_even_month": break_even_month(np.cumsum(owned, axis=-1), np.cumsum(cloud, axis=-1)),
        "total_cloud_usd": _scalar(cloud.sum(axis=-1)),
        "total_owned_usd": _scalar(owned.sum(axis=-1)),
        "present_value_cloud_usd": _scalar(pv_cloud),
        "present_value_owned_usd": _scalar(pv_owned),
        "present_value_saving_usd": _scalar(np.asarray(pv_cloud) - np.asarray(pv_owned)),
    }


# --------------------------------------------------------------------------------------------------
# SaaS growth against a flat rate


def _growth_args(start_volume_units_per_month, volume_multiplier, multiplier_at_month):
    start = _one_amount("start_volume_units_per_month", start_volume_units_per_month)
    mult = float(np.asarray(volume_multiplier, dtype=float))
    require(math.isfinite(mult) and mult > 0, "volume_multiplier", volume_multiplier,
            "expected a multiplier > 0, e.g. 100 for 100x")
    at = _whole("multiplier_at_month", multiplier_at_month, 2, "months")
    return start, mult, at


def usage_growth_path(start_volume_units_per_month, volume_multiplier, multiplier_at_month,
                      horizon_months=None):
    """Geometric usage path from a start volume to ``volume_multiplier`` times it.

    Parameters
    ----------
    start_volume_units_per_month : float
        Volume in month 1 (events, seats, GB...), units per month.
    volume_multiplier : float
        Growth factor reached at ``multiplier_at_month`` (100 for 100x).
    multiplier_at_month : int
        Month index (>= 2) whose volume is ``start * volume_multiplier``; 12 means "100x by month 12".
    horizon_months : int, optional
        Months to return; default ``multiplier_at_month``. Later months keep the same growth rate.

    Returns
    -------
    numpy.ndarray
        Volume per month, units per month, months 1..horizon.

    Notes
    -----
    ``v(m) = v_1 * M ** ((m - 1) / (T - 1))``: a constant monthly growth rate
    ``g = M ** (1 / (T - 1)) - 1`` (100x in 11 steps from month 1 to month 12 is about 52% a month).

    References
    ----------
    ``cost_model_fundamentals.md`` section III.4 (the "SaaS tax" trap: $5k a month on day 1, 100x by
    day 365).

    Examples
    --------
    >>> v = usage_growth_path(1_000, 100, 3)
    >>> v.round(6).tolist()
    [1000.0, 10000.0, 100000.0]
    """
    start, mult, at = _growth_args(start_volume_units_per_month, volume_multiplier, multiplier_at_month)
    horizon = at if horizon_months is None else _whole("horizon_months", horizon_months, 1, "months")
    m = np.arange(1, horizon + 1)
    return start * mult ** ((m - 1) / (at - 1))


def saas_flat_rate_comparison(start_volume_units_per_month, price_usd_per_unit, flat_rate_usd_per_month,
                              volume_multiplier, multiplier_at_month, horizon_months=None):
    """Monthly usage-priced bill against a negotiated flat rate as usage grows.

    Parameters
    ----------
    start_volume_units_per_month : float
        Volume in month 1, units per month (events, seats...).
    price_usd_per_unit : float
        Usage price, USD per unit (e.g. 0.0001 for $0.10 per 1,000 events).
    flat_rate_usd_per_month : float
        Negotiated flat rate, USD per month.
    volume_multiplier, multiplier_at_month, horizon_months
        Growth path, as in `usage_growth_path`.

    Returns
    -------
    pandas.DataFrame
        Index ``month``; columns ``volume_units``, ``usage_bill_usd``, ``flat_bill_usd``,
        ``cheaper`` (``"flat"`` where flat <= usage bill, else ``"usage"``), ``cumulative_usage_usd``,
        ``cumulative_flat_usd`` and ``cumulative_savings_usd`` (usage - flat: what signing the flat rate
        from month 1 has saved so far, negative while it costs more).

    Notes
    -----
    ``usage(m) = v(m) * p``, ``flat(m) = F``, ``savings(m) = sum_{k<=m} (usage(k) - F)``.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.4.

    Examples
    --------
    >>> df = saas_flat_rate_comparison(50e6, 0.0001, 100_000, 100, 12)
    >>> df.loc[[1, 12], ["usage_bill_usd", "cheaper"]].round(2)
           usage_bill_usd cheaper
    month
    1              5000.0   usage
    12           500000.0    flat
    """
    price = _one_amount("price_usd_per_unit", price_usd_per_unit)
    flat = _one_amount("flat_rate_usd_per_month", flat_rate_usd_per_month)
    volume = usage_growth_path(start_volume_units_per_month, volume_multiplier, multiplier_at_month,
                               horizon_months)
    usage = volume * price
    df = pd.DataFrame({
        "volume_units": volume,
        "usage_bill_usd": usage,
        "flat_bill_usd": np.full(len(volume), flat),
    }, index=pd.RangeIndex(1, len(volume) + 1, name="month"))
    df["cheaper"] = np.where(flat <= usage, "flat", "usage")
    df["cumulative_usage_usd"] = np.cumsum(usage)
    df["cumulative_flat_usd"] = np.cumsum(df["flat_bill_usd"].to_numpy())
    df["cumulative_savings_usd"] = df["cumulative_usage_usd"] - df["cumulative_flat_usd"]
    return df


def flat_rate_crossover(start_volume_units_per_month, price_usd_per_unit, flat_rate_usd_per_month,
                        volume_multiplier, multiplier_at_month, horizon_months=None):
    """Usage level and month at which a flat rate beats usage pricing, and the savings.

    Parameters
    ----------
    start_volume_units_per_month, price_usd_per_unit, flat_rate_usd_per_month
        As in `saas_flat_rate_comparison`.
    volume_multiplier, multiplier_at_month, horizon_months
        Growth path, as in `usage_growth_path`.

    Returns
    -------
    dict
        ``crossover_volume_units_per_month`` (``F / p``; inf if the price is 0),
        ``crossover_month_exact`` (fractional month on the continuous path where ``v * p = F``; 1.0 if
        the flat rate already wins in month 1; None if usage never reaches it on a flat or shrinking
        path), ``crossover_month`` (first whole month within the horizon whose usage bill >= F, or None),
        ``cumulative_break_even_month`` (`costlib.timing.break_even_month` of the cumulative flat bills
        against the cumulative usage bills, or None) and ``cumulative_savings_usd`` (usage - flat summed over
        the horizon).

    Notes
    -----
    ``V* = F / p``; on ``v(m) = v_1 M ** ((m - 1) / (T - 1))``,
    ``m* = 1 + (T - 1) ln(V* / v_1) / ln M``. At ``V*`` both prices are equal: ``V* p = F``.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.4 (negotiate a flat-rate enterprise license).

    Examples
    --------
    $5k a month (50M events at $0.10 per 1k) growing 100x by month 12, against $100k a month flat:

    >>> x = flat_rate_crossover(50e6, 0.0001, 100_000, 100, 12)
    >>> x["crossover_volume_units_per_month"], round(x["crossover_month_exact"], 3), x["crossover_month"]
    (1000000000.0, 8.156, 9)
    """
    start, mult, at = _growth_args(start_volume_units_per_month, volume_multiplier, multiplier_at_month)
    price = _one_amount("price_usd_per_unit", price_usd_per_unit)
    flat = _one_amount("flat_rate_usd_per_month", flat_rate_usd_per_month)
    df = saas_flat_rate_comparison(start, price, flat, mult, at, horizon_months)
    volume_star = flat / price if price > 0 else math.inf
    if start >= volume_star:
        exact = 1.0
    elif mult > 1 and math.isfinite(volume_star) and start > 0:
        exact = 1 + (at - 1) * math.log(volume_star / start) / math.log(mult)
    else:
        exact = None
    return {
        "crossover_volume_units_per_month": volume_star,
        "crossover_month_exact": exact,
        "crossover_month": crossover_month(np.full(len(df), flat), df["usage_bill_usd"].to_numpy()),
        "cumulative_break_even_month": break_even_month(df["cumulative_flat_usd"],
                                                        df["cumulative_usage_usd"]),
        "cumulative_savings_usd": float(df["cumulative_savings_usd"].iloc[-1]),
    }


# --------------------------------------------------------------------------------------------------
# additions for workbook 03: a prospective useful-life change, vectorised curves, P&L by year


def break_even_extra_running_usd_per_year(cumulative_reduction_usd, added_life_years, horizon_years):
    """The extra running cost of older hardware, per year and per added year of life, at which a longer
    useful life stops paying: the operating-income gain over the horizon is then zero.

    Parameters
    ----------
    cumulative_reduction_usd : float
        Depreciation avoided over the horizon by the longer life, USD (`useful_life_change_prospective`).
    added_life_years : int
        Years of life added (new life minus current, >= 0).
    horizon_years : int
        Years the gain is counted over (>= 1).

    Returns
    -------
    float
        USD per year per added life-year; ``inf`` when no life is added (any running cost is worth it:
        nothing changes).

    Notes
    -----
    The net gain ``R - x a H`` is zero at ``x* = R / (a H)``.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.3 (extending server life: the hardware must still work).

    Examples
    --------
    $12M of depreciation avoided over 5 years by 2 added years of life: 12M / (2 x 5) = $1.2M a year.

    >>> break_even_extra_running_usd_per_year(12e6, 2, 5)
    1200000.0
    """
    r = float(checks.number("cumulative_reduction_usd", cumulative_reduction_usd))
    added = _whole("added_life_years", added_life_years, 0, "years")
    years = _whole("horizon_years", horizon_years, 1, "years")
    return r / (added * years) if added else math.inf


def max_flat_rate_usd_per_month(usage_bill_usd_by_month):
    """The highest flat rate worth signing against a usage bill: its average over the horizon.

    Parameters
    ----------
    usage_bill_usd_by_month : array_like
        The pay-per-use bill of months 1..H, USD (>= 0).

    Returns
    -------
    float
        USD per month: a flat rate below it saves money over the horizon, above it costs money.

    Notes
    -----
    ``F* = sum_m bill_m / H``: at ``F*`` the flat rate's total equals the usage bills' total.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.4 (negotiate a flat-rate enterprise license).

    Examples
    --------
    >>> max_flat_rate_usd_per_month([5_000, 50_000, 500_000])  # 555,000 / 3
    185000.0
    """
    bills = _amount("usage_bill_usd_by_month", usage_bill_usd_by_month, samples=False)
    require(bills.ndim == 1 and bills.size >= 1, "usage_bill_usd_by_month", usage_bill_usd_by_month,
            "expected one bill per month (1-D)")
    return float(bills.sum()) / bills.size


def useful_life_change_prospective(capex_usd_per_year, from_useful_life_years, to_useful_life_years,
                                   horizon_years, salvage_fraction=0.0, capex_growth_rate_per_year=0.0):
    """Yearly straight-line expense when an existing fleet's useful life changes at the start of year 1.

    Unlike `useful_life_change` (which compares two lives applied to every cohort from the start), this
    applies the change the way a change of accounting estimate is applied: prospectively, to the remaining
    book value of the servers already in service (IAS 8 paragraph 36). That is why the seed's "extending
    server lifespan" adds to operating income at once, in the year of the change.

    Parameters
    ----------
    capex_usd_per_year : float
        Servers bought at the start of year 1, USD; the fleet has been bought at the same pace before
        (earlier years' purchases follow the same growth rate backwards).
    from_useful_life_years, to_useful_life_years : int
        Useful life before and after the change, whole years >= 1 (e.g. 3 and 4).
    horizon_years : int
        Years to show from the change.
    salvage_fraction : float, default 0.0
        Salvage as a fraction of cost, 0 <= f <= 1.
    capex_growth_rate_per_year : float, default 0.0
        Yearly growth of the purchases (decimal, 0.1 for 10%), also applied backwards to the purchases
        already in service: year p (p <= 0 before the change) bought ``K (1 + g) ** (p - 1)``.

    Returns
    -------
    pandas.DataFrame
        Index ``year`` (1..horizon); columns ``capex_usd``, ``expense_before_usd`` (the old life kept),
        ``expense_after_usd`` (the new life from year 1), ``expense_reduction_usd`` (before - after, the
        gain to operating income) and ``cumulative_reduction_usd``, all USD.

    Notes
    -----
    Straight-line only. A cohort bought at the start of year ``p`` costs ``K_p = K (1 + g) ** (p - 1)``.
    Before the change every cohort expenses ``K_p (1 - f) / L0`` in years ``p .. p + L0 - 1``. After it:

    - cohorts bought from year 1 expense ``K_p (1 - f) / L1`` in years ``p .. p + L1 - 1``;
    - a cohort of age ``a = 1 - p`` (``1 <= a < L0``) still carries ``K_p (1 - f) (L0 - a) / L0`` above
      salvage, spread evenly over its remaining new life ``max(L1 - a, 1)`` years (a shorter life that
      is already used up writes the rest off in year 1).

    Cash is unchanged: the same servers are bought either way. The cumulative reduction equals the extra
    book value carried on the balance sheet.

    References
    ----------
    IAS 8 paragraphs 32-38 (changes in accounting estimates, applied prospectively); IAS 16 paragraph
    51 (review of useful life); ``cost_model_fundamentals.md`` section III.3 (extending server lifespan).

    Examples
    --------
    $3,600 of servers a year, 3 to 4 years: the two-year-old cohort's last $1,200 is spread over 2 years
    (600 a year), the one-year-old cohort's $2,400 over 3 (800), new cohorts 900 a year:

    >>> df = useful_life_change_prospective(3_600, 3, 4, horizon_years=4)
    >>> df["expense_after_usd"].round(6).tolist()
    [2300.0, 3200.0, 3500.0, 3600.0]
    >>> df["expense_reduction_usd"].round(6).tolist()
    [1300.0, 400.0, 100.0, 0.0]
    """
    years = _whole("horizon_years", horizon_years, 1, "years")
    old = _whole("from_useful_life_years", from_useful_life_years, 1, "years")
    new = _whole("to_useful_life_years", to_useful_life_years, 1, "years")
    k = _one_amount("capex_usd_per_year", capex_usd_per_year)
    growth = _rate("capex_growth_rate_per_year", capex_growth_rate_per_year, "year", samples=False)
    require(growth.ndim == 0, "capex_growth_rate_per_year", capex_growth_rate_per_year,
            "expected a single decimal rate per year")
    g = float(growth)
    f = _one_amount("salvage_fraction", salvage_fraction)
    require(f <= 1, "salvage_fraction", salvage_fraction, "expected a fraction of cost between 0 and 1")
    year = np.arange(1, years + 1)
    before = np.zeros(years)
    after = np.zeros(years)
    for p in range(2 - old, years + 1):
        base = k * (1 + g) ** (p - 1) * (1 - f)
        before += np.where((year >= p) & (year < p + old), base / old, 0.0)
        if p >= 1:
            after += np.where((year >= p) & (year < p + new), base / new, 0.0)
        else:
            age = 1 - p
            remaining = max(new - age, 1)
            after += np.where(year <= remaining, base * (old - age) / old / remaining, 0.0)
    df = pd.DataFrame({
        "capex_usd": k * (1 + g) ** (year - 1),
        "expense_before_usd": before,
        "expense_after_usd": after,
        "expense_reduction_usd": before - after,
    }, index=pd.RangeIndex(1, years + 1, name="year"))
    df["cumulative_reduction_usd"] = df["expense_reduction_usd"].cumsum()
    return df


def own_vs_rent_cumulative_saving(cloud_usd_per_month, owned_capex_usd, horizon_months, lead_time_months=0,
                                  cloud_growth_rate_per_month=0.0, power_usd_per_month=0.0,
                                  space_usd_per_month=0.0, hardware_maintenance_usd_per_month=0.0,
                                  sre_team_usd_per_month=0.0, hardware_refresh_months=None):
    """Cumulative saving of owning over staying on cloud, month by month, for numbers or samples.

    Parameters
    ----------
    cloud_usd_per_month, owned_capex_usd, horizon_months, lead_time_months, cloud_growth_rate_per_month
        As in `own_vs_rent_curves`; amounts and rates may be Monte Carlo samples of shape ``(n, 1)``.
    power_usd_per_month, space_usd_per_month, hardware_maintenance_usd_per_month, sre_team_usd_per_month
        As in `own_vs_rent_curves`.
    hardware_refresh_months : int, optional
        As in `own_vs_rent_curves`.

    Returns
    -------
    numpy.ndarray
        ``sum_{k<=m} (cloud(k) - owned(k))``, USD, months 1..H on the last axis: shape ``(H,)``, or
        ``(n, H)`` for samples. Positive from the break-even month on.

    Notes
    -----
    The ``cumulative_saving_usd`` column of `own_vs_rent_curves`, vectorised over samples so that a
    Monte Carlo run draws the whole curve at once (a P10/P50/P90 band per month).

    References
    ----------
    ``cost_model_fundamentals.md`` section III.2.

    Examples
    --------
    >>> own_vs_rent_cumulative_saving(100, 1_000, 24, lead_time_months=2, power_usd_per_month=50)[[0, 20, 21]]
    array([-1000.,  -50.,    0.])
    >>> own_vs_rent_cumulative_saving([[100], [150]], 1_000, 3)
    array([[-900., -800., -700.],
           [-850., -700., -550.]])
    """
    _, cloud, _, owned = _own_vs_rent_arrays(
        cloud_usd_per_month, owned_capex_usd, horizon_months, lead_time_months,
        cloud_growth_rate_per_month, power_usd_per_month, space_usd_per_month,
        hardware_maintenance_usd_per_month, sre_team_usd_per_month, hardware_refresh_months)
    cloud, owned = np.broadcast_arrays(cloud, owned)
    return np.cumsum(cloud - owned, axis=-1)


def pnl_and_cash_by_year(cash_out_usd_per_month, capex_usd_per_month=None, depreciation_usd_per_month=None):
    """The P&L view against the cash view, per year, of any monthly spending.

    Parameters
    ----------
    cash_out_usd_per_month : array_like
        Cash paid each month, USD (positive), months 1..H.
    capex_usd_per_month : array_like, optional
        The part of each month's cash that buys assets (capitalised, not expensed), USD; default none.
    depreciation_usd_per_month : array_like, optional
        Depreciation expense each month, USD (e.g. from `fleet_depreciation_by_month`); default none.

    Returns
    -------
    pandas.DataFrame
        Index ``year`` (year 1 is months 1-12; a last partial year keeps its months); columns
        ``cash_out_usd``, ``capex_usd``, ``opex_usd``, ``depreciation_usd``, ``pnl_expense_usd``
        (positive costs) and ``ebitda_effect_usd``, ``ebit_effect_usd``, ``fcf_effect_usd`` (signed:
        outflows negative), all USD.

    Notes
    -----
    ``opex = cash_out - capex``; ``pnl_expense = opex + depreciation``; ``ebitda_effect = -opex``;
    ``ebit_effect = -pnl_expense``; ``fcf_effect = -cash_out`` (free cash flow counts the capex). The
    same conventions as `buy_vs_rent_views`, for monthly streams (lead times, growth, refreshes).

    References
    ----------
    ``cost_model_fundamentals.md`` section III.3; IAS 16 paragraph 48.

    Examples
    --------
    $1,200 of servers in month 1 depreciated $50 a month, $10 a month to run, over 18 months:

    >>> v = pnl_and_cash_by_year([1_210] + [10] * 17, [1_200] + [0] * 17, [50] * 18)
    >>> v[["cash_out_usd", "opex_usd", "depreciation_usd"]]
          cash_out_usd  opex_usd  depreciation_usd
    year
    1           1320.0     120.0             600.0
    2             60.0      60.0             300.0
    >>> v[["ebitda_effect_usd", "ebit_effect_usd", "fcf_effect_usd"]]
          ebitda_effect_usd  ebit_effect_usd  fcf_effect_usd
    year
    1                -120.0           -720.0         -1320.0
    2                 -60.0           -360.0           -60.0
    """
    cash = np.asarray(cash_out_usd_per_month, dtype=float)
    require(cash.ndim == 1 and len(cash) >= 1 and bool(np.all(np.isfinite(cash))), "cash_out_usd_per_month",
            cash_out_usd_per_month, "expected finite amounts in USD, one per month")
    months = len(cash)

    def _series(name, value):  # (name, value): the argument order of every check in costlib.checks
        if value is None:
            return np.zeros(months)
        arr = np.asarray(value, dtype=float)
        require(arr.shape == (months,) and bool(np.all(np.isfinite(arr))), name, value,
                f"expected {months} finite amounts in USD, one per month of cash_out_usd_per_month")
        return arr

    capex_m = _series("capex_usd_per_month", capex_usd_per_month)
    dep_m = _series("depreciation_usd_per_month", depreciation_usd_per_month)
    require(bool(np.all(capex_m <= cash + 1e-9 * np.maximum(1.0, np.abs(cash)))), "capex_usd_per_month",
            capex_usd_per_month, "expected capex <= cash out in every month")
    df = pd.DataFrame({"cash_out_usd": cash, "capex_usd": capex_m, "depreciation_usd": dep_m})
    df = df.groupby(np.arange(months) // 12 + 1).sum()
    df.index = pd.RangeIndex(1, len(df) + 1, name="year")
    df.insert(2, "opex_usd", df["cash_out_usd"] - df["capex_usd"])
    df["pnl_expense_usd"] = df["opex_usd"] + df["depreciation_usd"]
    df["ebitda_effect_usd"] = -df["opex_usd"] + 0.0
    df["ebit_effect_usd"] = -df["pnl_expense_usd"] + 0.0
    df["fcf_effect_usd"] = -df["cash_out_usd"] + 0.0
    return df


def usage_bill_path(start_volume_units_per_month, price_usd_per_unit, volume_multiplier, multiplier_at_month,
                    horizon_months=None):
    """Monthly usage-priced bill on a geometric growth path, for numbers or Monte Carlo samples.

    Parameters
    ----------
    start_volume_units_per_month : float or array_like
        Volume in month 1, units per month; a number or samples of shape ``(n, 1)``.
    price_usd_per_unit : float or array_like
        Usage price, USD per unit; a number or samples of shape ``(n, 1)``.
    volume_multiplier : float or array_like
        Growth factor reached at ``multiplier_at_month`` (> 0); a number or samples of shape ``(n, 1)``.
    multiplier_at_month : int
        Month index (>= 2) at which the volume is ``start * volume_multiplier``.
    horizon_months : int, optional
        Months to return; default ``multiplier_at_month``.

    Returns
    -------
    numpy.ndarray
        Bill per month, USD, months 1..H on the last axis: ``(H,)`` or ``(n, H)``.

    Notes
    -----
    ``bill(m) = v_1 * p * M ** ((m - 1) / (T - 1))``: the ``usage_bill_usd`` column of
    `saas_flat_rate_comparison`, vectorised so a Monte Carlo run draws whole paths at once.

    References
    ----------
    ``cost_model_fundamentals.md`` section III.4.

    Examples
    --------
    >>> usage_bill_path(50e6, 0.0001, 100, 3).round(6)
    array([  5000.,  50000., 500000.])
    >>> usage_bill_path([[1_000], [2_000]], 1.0, [[4], [9]], 3)
    array([[ 1000.,  2000.,  4000.],
           [ 2000.,  6000., 18000.]])
    """
    start = _amount("start_volume_units_per_month", start_volume_units_per_month)
    price = _amount("price_usd_per_unit", price_usd_per_unit)
    try:
        mult = np.asarray(volume_multiplier, dtype=float)
    except (TypeError, ValueError):
        mult = None
    require(mult is not None and bool(np.all(np.isfinite(mult))) and bool(np.all(mult > 0)),
            "volume_multiplier", volume_multiplier, "expected a multiplier > 0, e.g. 100 for 100x")
    _samples(mult, "volume_multiplier", volume_multiplier)
    at = _whole("multiplier_at_month", multiplier_at_month, 2, "months")
    horizon = at if horizon_months is None else _whole("horizon_months", horizon_months, 1, "months")
    m = np.arange(1, horizon + 1)
    return start * price * mult ** ((m - 1) / (at - 1))


def usd_per_month_from_year(usd_per_year):
    """A yearly amount spread evenly over the months of the year.

    Parameters
    ----------
    usd_per_year : float or array_like
        USD per year.

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``usd_per_month = usd_per_year / 12`` (`costlib.constants.MONTHS_PER_YEAR`).

    References
    ----------
    DESIGN.md: the base period is the month.

    Examples
    --------
    >>> usd_per_month_from_year(120_000.0)
    10000.0
    """
    value = np.asarray(checks.floats("usd_per_year", usd_per_year), dtype=float) / MONTHS_PER_YEAR
    return float(value) if value.ndim == 0 else value


def added_life_years(from_useful_life_years, to_useful_life_years):
    """Years of life a useful-life change adds (0 when it shortens the life).

    Parameters
    ----------
    from_useful_life_years, to_useful_life_years : int
        Useful life before and after the change, years.

    Returns
    -------
    int
        Added years, >= 0.

    Notes
    -----
    ``added = max(to - from, 0)``.

    References
    ----------
    Seed section III.2 (servers from 4 to 6 years).

    Examples
    --------
    >>> added_life_years(4, 6), added_life_years(6, 4)
    (2, 0)
    """
    a = _whole("from_useful_life_years", from_useful_life_years, 1, "years")
    b = _whole("to_useful_life_years", to_useful_life_years, 1, "years")
    return max(b - a, 0)


def longer_life_net_gain_usd(cumulative_reduction_usd, added_life_years, horizon_years,
                             extra_running_usd_per_year_per_added_life_year=0.0):
    """Operating-income gain of a longer useful life over the horizon, net of older hardware's extra running cost.

    Parameters
    ----------
    cumulative_reduction_usd : float or array_like
        Depreciation avoided over the horizon by the change, USD (`useful_life_change_prospective`).
    added_life_years : int
        Years of life added (`added_life_years`).
    horizon_years : int
        Years the gain is counted over.
    extra_running_usd_per_year_per_added_life_year : float or array_like
        Extra power, repairs and failures per year for each added year of life, USD (>= 0).

    Returns
    -------
    float or ndarray
        USD (negative: the older fleet costs more to run than the depreciation it saves).

    Notes
    -----
    ``net = reduction - extra * added * horizon``; it is zero at
    `break_even_extra_running_usd_per_year` ``= reduction / (added * horizon)``.

    References
    ----------
    Seed section III.2 (extending server life: the depreciation saving and what older hardware costs).

    Examples
    --------
    $12M avoided over 5 years by 2 added years, with $0.5M a year of extra running cost per added year:
    12M - 0.5M x 2 x 5 = $7M.

    >>> longer_life_net_gain_usd(12e6, 2, 5, 0.5e6)
    7000000.0
    """
    added = _whole("added_life_years", added_life_years, 0, "years")
    years = _whole("horizon_years", horizon_years, 1, "years")
    extra = np.asarray(extra_running_usd_per_year_per_added_life_year, dtype=float)
    value = np.asarray(cumulative_reduction_usd, dtype=float) - extra * added * years
    return float(value) if value.ndim == 0 else value


def flat_rate_saving_usd(usage_bill_usd_by_month, flat_rate_usd_per_month):
    """What a flat-rate contract saves against paying per use over the same months.

    Parameters
    ----------
    usage_bill_usd_by_month : array_like
        The per-use bill, USD per month, months last (shape ``(months,)`` or ``(n, months)``).
    flat_rate_usd_per_month : float or array_like
        The flat rate, USD per month (a scalar, or samples of shape ``(n,)`` or ``(n, 1)``).

    Returns
    -------
    float or ndarray
        USD over the months (negative: the flat rate costs more).

    Notes
    -----
    ``saving = sum over m of usage_bill(m) - flat_rate * months``.

    References
    ----------
    Seed section III.3 (a SaaS bill growing 100x: when a flat rate pays).

    Examples
    --------
    >>> flat_rate_saving_usd([1_000.0, 5_000.0, 9_000.0], 4_000.0)
    3000.0
    """
    bills = np.asarray(usage_bill_usd_by_month, dtype=float)
    flat = np.asarray(flat_rate_usd_per_month, dtype=float)
    flat = flat.reshape(flat.shape[:-1]) if flat.ndim and flat.shape[-1] == 1 else flat
    value = bills.sum(axis=-1) - flat * bills.shape[-1]
    return float(value) if np.ndim(value) == 0 else value


def gain_from_owning(buy, rent):
    """Year by year, what owning adds to EBITDA, EBIT and free cash flow against renting.

    Parameters
    ----------
    buy, rent : DataFrame
        The ``buy`` and ``rent`` views of `buy_vs_rent_views` (or `own_vs_rent` views with the same columns
        ``ebitda_effect_usd``, ``ebit_effect_usd``, ``fcf_effect_usd``), indexed by year.

    Returns
    -------
    DataFrame
        ``ebitda_gain_from_owning_usd``, ``ebit_gain_from_owning_usd``, ``fcf_gain_from_owning_usd`` by year
        (USD; negative: owning is worse on that line).

    Notes
    -----
    ``gain = effect(buy) - effect(rent)`` for each of EBITDA, EBIT and FCF.

    References
    ----------
    Seed section III.1 (CapEx lifts EBITDA, depreciation lowers EBIT, cash leaves up front).

    Examples
    --------
    $300k bought for 3 years against $120k a year of rent, year 1: EBITDA 0 - (-120k) = +120k; EBIT
    -100k of depreciation - (-120k) = +20k; FCF -300k - (-120k) = -180k.

    >>> v = buy_vs_rent_views(300_000, 3, 120_000)
    >>> gain_from_owning(v.loc["buy"], v.loc["rent"]).loc[1].tolist()
    [120000.0, 20000.0, -180000.0]
    """
    return pd.DataFrame({f"{k}_gain_from_owning_usd": (buy[f"{k}_effect_usd"] - rent[f"{k}_effect_usd"]).to_numpy()
                         for k in ("ebitda", "ebit", "fcf")}, index=buy.index)
