"""Total cost of ownership (TCO): cost lines by category, people and toil, utilization, purchase options,
ARM migration payback, storage lifecycle and managed vs self-hosted (seed section II).

Sign convention
---------------
Every table and figure in this module holds **costs as positive amounts**, and present values of costs are
positive too. Where a signed cash flow is needed (for example to compare with ``numpy_financial.npv``), the
convention is **inflows positive, outflows negative**: a cost ``c`` is the cash flow ``-c``, so the NPV of a
stream of costs is ``-present_value(costs)``.

Timing: month 1 is the first month of the horizon; a cost in month ``m`` is discounted by
``(1 + r_month) ** m`` with ``r_month = (1 + discount_rate_per_year) ** (1 / 12) - 1`` (end-of-month timing).
Hourly prices use 730 hours a month; ages in days use ``730 / 24`` days a month.

Functions taking plain numbers broadcast over numpy arrays, so Monte Carlo can pass samples of shape
``(n, 1)``; they return a Python ``float`` when every argument is a scalar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from costlib import checks
from costlib.constants import DAYS_PER_MONTH, HOURS_PER_MONTH  # noqa: F401  (re-exported)
from costlib.discounting import discount_factors, monthly_discount_rate, present_value  # noqa: F401
from costlib.errors import ModelError, require
from costlib.timing import cumulative_cost_usd, payback_month

__all__ = [
    "HOURS_PER_MONTH",
    "DAYS_PER_MONTH",
    "CATEGORY_GROUPS",
    "monthly_discount_rate",
    "discount_factors",
    "present_value",
    "line_costs_by_month",
    "tco_summary",
    "cost_series_table",
    "relative_cost_usd",
    "usage_scale_at_crossover",
    "usage_split_usd",
    "usage_crossover",
    "crossover_curve",
    "people_cost_usd_per_month",
    "loaded_cost_usd_per_hour",
    "toil_cost_usd_per_month",
    "engineering_weeks_usd",
    "people_share_of_tco",
    "effective_price_per_utilized_unit",
    "on_demand_usd_per_month",
    "committed_usd_per_month",
    "spot_usd_per_month",
    "purchase_options_usd_per_month",
    "blended_usd_per_month",
    "saving_vs_on_demand",
    "cost_reduction_from_price_performance",
    "arm_saving_usd_per_month",
    "price_performance_gain",
    "arm_migration_payback_month",
    "arm_migration_monthly",
    "storage_tiers_gb",
    "storage_bill_usd_by_month",
    "storage_policy_comparison",
    "managed_premium_from_saving",
    "managed_cost_usd_per_year",
    "self_hosted_cost_usd_per_year",
    "self_hosting_crossover_usd_per_year",
    "PEOPLE_CATEGORIES",
    "LineCosts",
    "option_costs_usd_by_month",
    "decision_terms_usd",
    "option_totals",
    "rank_options",
    "cumulative_by_option",
    "horizon_cost_usd",
    "multiple_of_list_price",
    "saving_vs_reference",
    "cost_difference_usd",
    "arm_usd_per_month",
    "line_usd_per_month",
    "line_one_off_usd",
]


CATEGORY_GROUPS = {
    "compute": "direct",
    "storage": "direct",
    "network": "direct",
    "licenses": "direct",
    "people": "indirect",
    "toil": "indirect",
    "training": "indirect",
    "tech_debt": "opportunity",
    "lock_in": "opportunity",
    "delayed_features": "opportunity",
}
"""TCO categories and their group (seed II): direct, indirect, opportunity. ``lock_in`` holds vendor
lock-in, exit and migration cost."""

_GROUP_ORDER = ("direct", "indirect", "opportunity")

# Upper bound for premiums and headroom: a value above it is taken as a percentage typed as a number.
_MAX_MARKUP = 5.0


# ----------------------------------------------------------------------------------------------------------
# argument checks


_as_float_array = checks.floats


_check = checks.check


def _nonneg(name, value):
    return _check(name, value, lambda a: a >= 0, "expected a number >= 0")


def _fraction(name, value, *, low_open=False, high_open=False):
    lo, hi = ("(" if low_open else "["), (")" if high_open else "]")

    def ok(a):
        lower = a > 0 if low_open else a >= 0
        upper = a < 1 if high_open else a <= 1
        return lower & upper

    return _check(name, value, ok, f"expected a decimal fraction in {lo}0, 1{hi} (write 15% as 0.15)")


def _annual_rate(name, value):
    return _check(name, value, lambda a: (a >= 0) & (a < 1),
                  "expected a decimal rate per year in [0, 1) (write 7% as 0.07)")


def _growth(name, value):
    return _check(name, value, lambda a: (a > -1) & (a <= 1),
                  "expected a decimal growth rate per month in (-1, 1] (write 2% as 0.02)")


def _markup(name, value):
    return _check(name, value, lambda a: (a >= 0) & (a <= _MAX_MARKUP),
                  f"expected a decimal fraction in [0, {_MAX_MARKUP:g}] (write 30% as 0.3)")


def _int(name, value, low, high=None):
    return checks.whole(name, value, low, high)


def _horizon(value):
    return _int("horizon_months", value, 1)


_out = checks.out


# ----------------------------------------------------------------------------------------------------------
# discounting





# ----------------------------------------------------------------------------------------------------------
# cost lines and the TCO table


def line_costs_by_month(cost_usd_per_month, horizon_months=36, *, growth_rate_per_month=0.0, start_month=1,
                        end_month=None, one_off_usd=0.0, one_off_month=1):
    """Monthly costs of one cost line over the horizon.

    Parameters
    ----------
    cost_usd_per_month : float or array_like
        Recurring cost in USD per month in ``start_month`` (>= 0).
    horizon_months : int
        Number of months (default 36).
    growth_rate_per_month : float or array_like
        Growth of the recurring cost per month, decimal in (-1, 1].
    start_month, end_month : int
        First and last month (1-based, inclusive) with the recurring cost; ``start_month`` must lie within
        the horizon; ``end_month=None`` runs to the end of the horizon, and an ``end_month`` past the horizon
        is cut at the horizon.
    one_off_usd : float or array_like
        One-off cost in USD (>= 0), charged in ``one_off_month`` (1..horizon_months).

    Returns
    -------
    ndarray
        Costs in USD, months 1..horizon_months on the last axis; array arguments of shape (n, 1) give shape
        (n, horizon_months).

    Notes
    -----
    ``c_m = C * (1 + g) ** (m - start) * [start <= m <= end] + O * [m == one_off_month]``.

    References
    ----------
    Seed section II (direct, indirect and opportunity cost lines); CONTRIBUTING.md (monthly base period,
    growth per month).

    Examples
    --------
    >>> line_costs_by_month(100.0, 4, growth_rate_per_month=0.1, start_month=2, one_off_usd=50.0).round(2).tolist()
    [50.0, 100.0, 110.0, 121.0]
    """
    n = _horizon(horizon_months)
    c = _nonneg("cost_usd_per_month", cost_usd_per_month)
    g = _growth("growth_rate_per_month", growth_rate_per_month)
    o = _nonneg("one_off_usd", one_off_usd)
    start = _int("start_month", start_month, 1, n)
    end = n if end_month is None else _int("end_month", end_month, start)
    om = _int("one_off_month", one_off_month, 1, n)
    months = np.arange(1, n + 1, dtype=float)
    active = (months >= start) & (months <= end)
    growth = (1.0 + g) ** np.where(active, months - start, 0.0)
    return c * growth * active + o * (months == om)


_BY = {None: [], "group": ["group"], "category": ["group", "category"], "line": ["group", "category", "line"]}


def tco_summary(monthly, by=None, per="total"):
    """Summarize a monthly cost table (rows of `cost_series_table`) per option, in total or per year,
    undiscounted and present value.

    Parameters
    ----------
    monthly : DataFrame
        Rows of `cost_series_table` (one frame per line, concatenated).
    by : {None, "group", "category", "line"}
        Breakdown within each option (``"category"`` and ``"line"`` also carry their group).
    per : {"total", "year"}
        One row per breakdown key over the whole horizon, or one per key and year.

    Returns
    -------
    DataFrame
        Columns ``option, [group, category, line], [year], cost_usd, pv_usd, share``: costs in USD and
        ``share`` = the row's undiscounted cost / its option's undiscounted cost over the same period.

    Notes
    -----
    ``cost_usd = sum(cost_usd)`` and ``pv_usd = sum(pv_usd)`` over the rows of each key, so the breakdowns
    of an option sum to its total.

    References
    ----------
    Seed section II (decompose TCO into direct, indirect and opportunity costs).

    Examples
    --------
    >>> lines = pd.concat([cost_series_table("self_hosted", "VMs", "compute", [5_000.0] * 12),
    ...                    cost_series_table("self_hosted", "2 SREs", "people", [50_000.0] * 12)])
    >>> s = tco_summary(lines, by="category")
    >>> print(s[["category", "cost_usd", "share"]].round(3).to_string(index=False))
    category  cost_usd  share
     compute   60000.0  0.091
      people  600000.0  0.909
    """
    require(by in _BY, "by", by, f"expected one of {list(_BY)}")
    require(per in ("total", "year"), "per", per, "expected 'total' or 'year'")
    missing = {"option", "group", "category", "line", "year", "cost_usd", "pv_usd"} - set(monthly.columns)
    require(not missing, "monthly", sorted(missing), "expected a cost_series_table table (missing columns)")
    period = ["year"] if per == "year" else []
    keys = ["option"] + _BY[by] + period
    out = monthly.groupby(keys, sort=False)[["cost_usd", "pv_usd"]].sum().reset_index()
    totals = out.groupby(["option"] + period, sort=False)["cost_usd"].transform("sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(totals > 0, out["cost_usd"] / totals.where(totals > 0, 1.0), np.nan)
    return out


# ----------------------------------------------------------------------------------------------------------
# people, toil, engineering weeks


def people_cost_usd_per_month(fte, loaded_cost_usd_per_fte_per_year):
    """People cost per month from full-time equivalents and the fully loaded cost per FTE.

    Parameters
    ----------
    fte : float or array_like
        Full-time equivalents (>= 0).
    loaded_cost_usd_per_fte_per_year : float or array_like
        Fully loaded cost (salary, benefits, taxes, equipment, overhead) in USD per FTE per year (>= 0).

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``people = FTE * loaded_cost_per_year / 12``.

    References
    ----------
    Seed section II.3: "two full-time SREs ($600k+/year fully loaded)".

    Examples
    --------
    >>> people_cost_usd_per_month(2, 300_000)  # two SREs at $300k/yr loaded
    50000.0
    """
    f = _nonneg("fte", fte)
    c = _nonneg("loaded_cost_usd_per_fte_per_year", loaded_cost_usd_per_fte_per_year)
    return _out(f * c / 12.0)


def loaded_cost_usd_per_hour(loaded_cost_usd_per_fte_per_year, working_hours_per_year=2080.0):
    """Loaded hourly rate of an engineer from the loaded cost per FTE per year.

    Parameters
    ----------
    loaded_cost_usd_per_fte_per_year : float or array_like
        Fully loaded cost in USD per FTE per year (>= 0).
    working_hours_per_year : float
        Paid hours per FTE per year (> 0; default 2,080 = 52 weeks x 40 hours).

    Returns
    -------
    float or ndarray
        USD per hour.

    Notes
    -----
    ``rate = loaded_cost_per_year / working_hours_per_year``. Pass productive hours (e.g. 1,840 after leave)
    to price hours of actual work.

    References
    ----------
    Seed section II.4: "Quantify Engineering Weeks ... as a dollar amount".

    Examples
    --------
    >>> round(loaded_cost_usd_per_hour(208_000), 2)
    100.0
    """
    c = _nonneg("loaded_cost_usd_per_fte_per_year", loaded_cost_usd_per_fte_per_year)
    h = _check("working_hours_per_year", working_hours_per_year, lambda a: a > 0, "expected hours > 0")
    return _out(c / h)


def toil_cost_usd_per_month(toil_hours_per_month, loaded_cost_usd_per_hour):
    """Cost of operational toil (patching, tickets, manual failover) per month.

    Parameters
    ----------
    toil_hours_per_month : float or array_like
        Engineer hours of toil per month (>= 0).
    loaded_cost_usd_per_hour : float or array_like
        Loaded hourly rate in USD per hour (>= 0); see `loaded_cost_usd_per_hour`.

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``toil = hours_per_month * loaded_rate_per_hour``.

    References
    ----------
    Seed section II.3 (operational toil, toil caps); Beyer et al., *Site Reliability Engineering*, O'Reilly
    2016, ch. 5 "Eliminating Toil".

    Examples
    --------
    >>> toil_cost_usd_per_month(40, 100.0)
    4000.0
    """
    h = _nonneg("toil_hours_per_month", toil_hours_per_month)
    r = _nonneg("loaded_cost_usd_per_hour", loaded_cost_usd_per_hour)
    return _out(h * r)


def engineering_weeks_usd(engineering_weeks, loaded_cost_usd_per_fte_per_year, working_weeks_per_year=52.0):
    """Engineering weeks as dollars.

    Parameters
    ----------
    engineering_weeks : float or array_like
        Engineer-weeks of effort (>= 0).
    loaded_cost_usd_per_fte_per_year : float or array_like
        Fully loaded cost in USD per FTE per year (>= 0).
    working_weeks_per_year : float
        Weeks the loaded cost pays for (> 0; default 52). Pass about 46 to price productive weeks only.

    Returns
    -------
    float or ndarray
        USD.

    Notes
    -----
    ``cost = weeks * loaded_cost_per_year / working_weeks_per_year``.

    References
    ----------
    Seed section II.4: "Quantify 'Engineering Weeks' required for maintenance as a dollar amount".

    Examples
    --------
    >>> engineering_weeks_usd(26, 312_000)  # half an engineer-year at $312k/yr
    156000.0
    """
    w = _nonneg("engineering_weeks", engineering_weeks)
    c = _nonneg("loaded_cost_usd_per_fte_per_year", loaded_cost_usd_per_fte_per_year)
    y = _check("working_weeks_per_year", working_weeks_per_year, lambda a: a > 0, "expected weeks > 0")
    return _out(w * c / y)


def people_share_of_tco(infra_usd_per_month, people_usd_per_month):
    """Share of the TCO that is people cost.

    Parameters
    ----------
    infra_usd_per_month : float or array_like
        Infrastructure cost in USD per month (>= 0).
    people_usd_per_month : float or array_like
        People cost in USD per month (>= 0); see `people_cost_usd_per_month`.

    Returns
    -------
    float or ndarray
        Decimal fraction in [0, 1] (NaN when both are 0).

    Notes
    -----
    ``share = people / (people + infra)``.

    References
    ----------
    Seed section II.3: a $5k/month service that needs two SREs ($600k+/year) "has a terrible TCO".

    Examples
    --------
    >>> round(people_share_of_tco(5_000, people_cost_usd_per_month(2, 300_000)), 4)  # 600k / 660k
    0.9091
    """
    i = _nonneg("infra_usd_per_month", infra_usd_per_month)
    p = _nonneg("people_usd_per_month", people_usd_per_month)
    total = i + p
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(np.where(total > 0, p / np.where(total > 0, total, 1.0), np.nan))


# ----------------------------------------------------------------------------------------------------------
# utilization and purchase options


def effective_price_per_utilized_unit(price_usd_per_unit, utilization):
    """Effective price of each unit actually used, given the share of capacity used.

    Parameters
    ----------
    price_usd_per_unit : float or array_like
        List price in USD per provisioned unit (core-hour, GB-month...), >= 0.
    utilization : float or array_like
        Share of the provisioned capacity used, decimal in (0, 1].

    Returns
    -------
    float or ndarray
        USD per utilized unit (same unit as the price).

    Notes
    -----
    ``effective = price / utilization``: at 15% CPU each used core costs ``1 / 0.15 = 6.67`` times list.

    References
    ----------
    Seed section II.1: "effective cost per utilized unit"; "15% CPU usage on a reserved instance is cash
    burn".

    Examples
    --------
    >>> round(effective_price_per_utilized_unit(1.0, 0.15), 4)
    6.6667
    """
    p = _nonneg("price_usd_per_unit", price_usd_per_unit)
    u = _fraction("utilization", utilization, low_open=True)
    return _out(p / u)


def on_demand_usd_per_month(instances, on_demand_usd_per_hour, hours_per_month=HOURS_PER_MONTH):
    """Monthly cost of a fleet on on-demand pricing.

    Parameters
    ----------
    instances : float or array_like
        Instances running (average over the month, >= 0).
    on_demand_usd_per_hour : float or array_like
        On-demand price in USD per instance-hour (>= 0).
    hours_per_month : float
        Hours each instance runs per month (default 730).

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``cost = instances * hours * price_per_hour``.

    References
    ----------
    Seed section II.1 (spot vs on-demand vs reserved); CONTRIBUTING.md (730 hours a month).

    Examples
    --------
    >>> on_demand_usd_per_month(10, 0.10)
    730.0
    """
    n = _nonneg("instances", instances)
    p = _nonneg("on_demand_usd_per_hour", on_demand_usd_per_hour)
    h = _check("hours_per_month", hours_per_month, lambda a: (a >= 0) & (a <= 744),
               "expected hours in [0, 744]")
    return _out(n * h * p)


def committed_usd_per_month(instances, on_demand_usd_per_hour, commitment_discount,
                            hours_per_month=HOURS_PER_MONTH):
    """Monthly cost of a fleet covered by a commitment (reserved instances, savings plan, CUD).

    Parameters
    ----------
    instances : float or array_like
        Committed instances (>= 0); the commitment is paid whether they are used or not.
    on_demand_usd_per_hour : float or array_like
        On-demand price in USD per instance-hour (>= 0).
    commitment_discount : float or array_like
        Discount off on-demand, decimal in [0, 1) (e.g. about 0.3 for 1 year, 0.5 for 3 years).
    hours_per_month : float
        Hours per month (default 730).

    Returns
    -------
    float or ndarray
        USD per month (all-upfront terms spread evenly over the term's months).

    Notes
    -----
    ``cost = instances * hours * price_per_hour * (1 - discount)``.

    References
    ----------
    Seed sections I.3 (committed use) and II.1 (reserved vs on-demand).

    Examples
    --------
    >>> round(committed_usd_per_month(10, 0.10, 0.40), 2)
    438.0
    """
    d = _fraction("commitment_discount", commitment_discount, high_open=True)
    return _out(np.asarray(on_demand_usd_per_month(instances, on_demand_usd_per_hour, hours_per_month)) * (1 - d))


def spot_usd_per_month(instances, on_demand_usd_per_hour, spot_discount, retried_work_fraction=0.0,
                       hours_per_month=HOURS_PER_MONTH):
    """Monthly cost of a fleet's work on spot/preemptible capacity, with work lost to interruptions re-run.

    Parameters
    ----------
    instances : float or array_like
        Instances of useful work (>= 0).
    on_demand_usd_per_hour : float or array_like
        On-demand price in USD per instance-hour (>= 0).
    spot_discount : float or array_like
        Spot discount off on-demand, decimal in [0, 1) (60-90% per the seed).
    retried_work_fraction : float or array_like
        Extra instance-hours re-run after interruptions, as a fraction of the useful hours, decimal in
        [0, 1] (0.1: 10% of the work is done twice).
    hours_per_month : float
        Hours per month (default 730).

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``cost = instances * hours * (1 + retried) * price_per_hour * (1 - spot_discount)``.

    References
    ----------
    Seed section II.1: spot "can offer 60-90% savings" but "requires ... robust retry logic".

    Examples
    --------
    >>> round(spot_usd_per_month(10, 0.10, 0.70, retried_work_fraction=0.10), 2)  # 730 * 1.1 * 0.3
    240.9
    """
    d = _fraction("spot_discount", spot_discount, high_open=True)
    f = _fraction("retried_work_fraction", retried_work_fraction)
    od = np.asarray(on_demand_usd_per_month(instances, on_demand_usd_per_hour, hours_per_month))
    return _out(od * (1 + f) * (1 - d))


def purchase_options_usd_per_month(instances, on_demand_usd_per_hour, committed_1yr_discount,
                                   committed_3yr_discount, spot_discount, retried_work_fraction=0.0,
                                   hours_per_month=HOURS_PER_MONTH):
    """Monthly cost of the same fleet under each purchase option.

    Parameters
    ----------
    instances, on_demand_usd_per_hour, hours_per_month
        As in `on_demand_usd_per_month`.
    committed_1yr_discount, committed_3yr_discount : float or array_like
        Commitment discounts off on-demand for 1- and 3-year terms, decimals in [0, 1).
    spot_discount, retried_work_fraction : float or array_like
        As in `spot_usd_per_month`.

    Returns
    -------
    dict
        ``{"on_demand", "committed_1yr", "committed_3yr", "spot"}`` to USD per month; feed it to
        `blended_usd_per_month` with shares.

    Notes
    -----
    See `on_demand_usd_per_month`, `committed_usd_per_month`, `spot_usd_per_month`.

    References
    ----------
    Seed section II.1 (spot vs on-demand vs reserved).

    Examples
    --------
    >>> o = purchase_options_usd_per_month(10, 0.10, 0.3, 0.5, 0.7, 0.1)
    >>> {k: round(v, 2) for k, v in o.items()}
    {'on_demand': 730.0, 'committed_1yr': 511.0, 'committed_3yr': 365.0, 'spot': 240.9}
    """
    return {
        "on_demand": on_demand_usd_per_month(instances, on_demand_usd_per_hour, hours_per_month),
        "committed_1yr": committed_usd_per_month(instances, on_demand_usd_per_hour, committed_1yr_discount,
                                                 hours_per_month),
        "committed_3yr": committed_usd_per_month(instances, on_demand_usd_per_hour, committed_3yr_discount,
                                                 hours_per_month),
        "spot": spot_usd_per_month(instances, on_demand_usd_per_hour, spot_discount, retried_work_fraction,
                                   hours_per_month),
    }


def saving_vs_on_demand(cost_usd_per_month, on_demand_usd_per_month):
    """How much cheaper a purchase option (or a blended mix) is than on-demand, as a share of on-demand.

    Parameters
    ----------
    cost_usd_per_month : float or array_like
        The option's cost, USD per month (>= 0).
    on_demand_usd_per_month : float or array_like
        The same capacity on-demand, USD per month (>= 0).

    Returns
    -------
    float or ndarray
        Decimal share (0.3: 30% below on-demand; negative: dearer); 0 where on-demand costs nothing.

    Notes
    -----
    ``saving = 1 - cost / on_demand``.

    References
    ----------
    Seed section II.2 (purchase options: on-demand, committed, spot).

    Examples
    --------
    The fleet of `purchase_options_usd_per_month`'s example on 3-year commitments: 1 - 365 / 730.

    >>> saving_vs_on_demand(365.0, 730.0), saving_vs_on_demand(10.0, 0.0)
    (0.5, 0.0)
    """
    c = _nonneg("cost_usd_per_month", cost_usd_per_month)
    d = _nonneg("on_demand_usd_per_month", on_demand_usd_per_month)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _out(np.where(d > 0, 1.0 - c / np.where(d > 0, d, 1.0), 0.0))


def blended_usd_per_month(option_costs_usd_per_month, shares):
    """Blended monthly cost of a fleet split across purchase options.

    Parameters
    ----------
    option_costs_usd_per_month : mapping of str to float or array_like
        Cost in USD per month of the *whole* fleet under each option (e.g. from
        `purchase_options_usd_per_month`).
    shares : mapping of str to float or array_like
        Share of the fleet on each option, decimals in [0, 1] summing to 1 (within 1e-9); options not
        listed get 0.

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``blended = sum_i share_i * cost_i``.

    References
    ----------
    Seed sections I.3 and II.1 (commit to the baseline, spot for interruptible work, on-demand for the peak).

    Examples
    --------
    >>> costs = {"on_demand": 730.0, "committed_3yr": 365.0, "spot": 240.9}
    >>> round(blended_usd_per_month(costs, {"committed_3yr": 0.6, "spot": 0.3, "on_demand": 0.1}), 2)
    364.27
    """
    require(isinstance(shares, Mapping) and len(shares) > 0, "shares", shares,
            "expected a mapping of option name to share")
    require(isinstance(option_costs_usd_per_month, Mapping), "option_costs_usd_per_month",
            option_costs_usd_per_month, "expected a mapping of option name to USD per month")
    total_share = 0.0
    blended = 0.0
    for option, share in shares.items():
        require(option in option_costs_usd_per_month, f"shares[{option!r}]", share,
                f"expected an option among {list(option_costs_usd_per_month)}")
        s = _fraction(f"shares[{option!r}]", share)
        c = _nonneg(f"option_costs_usd_per_month[{option!r}]", option_costs_usd_per_month[option])
        total_share = total_share + s
        blended = blended + s * c
    total = np.asarray(total_share, dtype=float)
    ok = np.abs(total - 1.0) <= 1e-9
    if not np.all(ok):
        bad = float(total) if total.ndim == 0 else float(total[~ok].flat[0])
        require(False, "shares", dict(shares) if total.ndim == 0 else bad,
                f"expected shares summing to 1 (they sum to {bad:g})")
    return _out(blended)


# ----------------------------------------------------------------------------------------------------------
# x86 to ARM migration and payback


def cost_reduction_from_price_performance(price_performance_gain):
    """Cost reduction per unit of work from a price-performance gain (work per dollar up by ``g``).

    Parameters
    ----------
    price_performance_gain : float or array_like
        Increase in work per dollar, decimal >= 0 (0.25 for "25% better price-performance").

    Returns
    -------
    float or ndarray
        Decimal cost reduction per unit of work, in [0, 1).

    Notes
    -----
    ``reduction = 1 - 1 / (1 + g)``: 25% more work per dollar is 20% cheaper per unit of work.

    References
    ----------
    Seed section II.1 (ARM/Graviton "improve price-performance ratios", "permanent 20-40% cost reduction").

    Examples
    --------
    >>> round(cost_reduction_from_price_performance(0.25), 6)
    0.2
    """
    g = _check("price_performance_gain", price_performance_gain, lambda a: (a >= 0) & (a <= _MAX_MARKUP),
               f"expected a decimal gain in [0, {_MAX_MARKUP:g}] (write 25% as 0.25)")
    return _out(1.0 - 1.0 / (1.0 + g))


def arm_saving_usd_per_month(x86_usd_per_month, cost_reduction_per_unit_work):
    """Monthly saving of moving a workload from x86 to ARM at the same work done.

    Parameters
    ----------
    x86_usd_per_month : float or array_like
        Current x86 compute cost in USD per month (>= 0).
    cost_reduction_per_unit_work : float or array_like
        How much cheaper ARM is per unit of work, decimal in [0, 1) (0.2 for 20%); see
        `cost_reduction_from_price_performance`.

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``saving = x86 * reduction``; ARM cost = ``x86 * (1 - reduction)``.

    References
    ----------
    Seed section II.1: migrating to Graviton trades engineering effort for "permanent 20-40% cost reduction".

    Examples
    --------
    >>> arm_saving_usd_per_month(50_000, 0.2)
    10000.0
    """
    x = _nonneg("x86_usd_per_month", x86_usd_per_month)
    r = _fraction("cost_reduction_per_unit_work", cost_reduction_per_unit_work, high_open=True)
    return _out(x * r)


def arm_usd_per_month(x86_usd_per_month, cost_reduction_per_unit_work):
    """What the same work costs per month once on ARM.

    Parameters
    ----------
    x86_usd_per_month : float or array_like
        The x86 fleet's cost, USD per month (>= 0).
    cost_reduction_per_unit_work : float or array_like
        Cost reduction per unit of work on ARM (decimal, < 1; from `cost_reduction_from_price_performance`).

    Returns
    -------
    float or ndarray
        USD per month on ARM.

    Notes
    -----
    ``arm = x86 * (1 - reduction) = x86 - arm_saving_usd_per_month(x86, reduction)``.

    References
    ----------
    Seed section II.3 (x86 to ARM: 20% better price-performance).

    Examples
    --------
    >>> arm_usd_per_month(50_000.0, 0.2)
    40000.0
    """
    return _out(np.asarray(x86_usd_per_month, dtype=float)
                - np.asarray(arm_saving_usd_per_month(x86_usd_per_month, cost_reduction_per_unit_work)))


def arm_migration_payback_month(x86_usd_per_month, cost_reduction_per_unit_work, engineering_effort_usd,
                                migration_months=0, growth_rate_per_month=0.0):
    """Payback month of an x86-to-ARM migration.

    Parameters
    ----------
    x86_usd_per_month : float or array_like
        x86 compute cost in USD in month 1 (>= 0).
    cost_reduction_per_unit_work : float or array_like
        How much cheaper ARM is per unit of work, decimal in [0, 1).
    engineering_effort_usd : float or array_like
        One-off engineering effort in USD (>= 0), spent up front; see `engineering_weeks_usd`.
    migration_months : int
        Months before the saving starts (the saving starts in month ``migration_months + 1``).
    growth_rate_per_month : float or array_like
        Growth of the x86 spend per month, decimal in (-1, 1].

    Returns
    -------
    int or None, or ndarray
        First month (1-based) with cumulative saving >= effort, or `costlib.timing.NEVER` (None; NaN in
        an array) if never.

    Notes
    -----
    Saving in month ``m > M`` is ``x86 * (1 + g) ** (m - 1) * reduction``; see `costlib.timing.payback_month`.

    References
    ----------
    Seed section II.1 (x86 to Graviton migration).

    Examples
    --------
    >>> arm_migration_payback_month(50_000, 0.2, 120_000, migration_months=2)  # 2 + 120k / 10k
    14
    """
    m = _int("migration_months", migration_months, 0)
    g = _growth("growth_rate_per_month", growth_rate_per_month)
    first = np.asarray(arm_saving_usd_per_month(x86_usd_per_month, cost_reduction_per_unit_work)) * (1 + g) ** m
    return payback_month(first, engineering_effort_usd, g, start_month=m + 1)


def arm_migration_monthly(x86_usd_per_month, cost_reduction_per_unit_work, engineering_effort_usd,
                          horizon_months=36, migration_months=0, growth_rate_per_month=0.0):
    """Month-by-month x86 vs ARM cost and cumulative net saving of a migration.

    Parameters
    ----------
    x86_usd_per_month, cost_reduction_per_unit_work, engineering_effort_usd, migration_months,
    growth_rate_per_month
        Scalars, as in `arm_migration_payback_month`.
    horizon_months : int
        Number of months (default 36).

    Returns
    -------
    DataFrame
        Columns ``month, x86_usd, arm_usd, saving_usd, cumulative_net_usd`` (USD); ``arm_usd`` is the cost
        with the migration (x86 until it completes), ``cumulative_net_usd`` = cumulative saving - effort.

    Notes
    -----
    ``x86_m = x86 * (1 + g) ** (m - 1)``; ``arm_m = x86_m * (1 - r)`` for ``m > M``, else ``x86_m``;
    ``net_m = sum_{j <= m} (x86_j - arm_j) - E``. The first month with ``net_m >= 0`` is
    `arm_migration_payback_month`.

    References
    ----------
    Seed section II.1 (x86 to Graviton migration).

    Examples
    --------
    >>> t = arm_migration_monthly(50_000, 0.2, 120_000, horizon_months=24, migration_months=2)
    >>> float(t.cumulative_net_usd.iloc[-1])  # 22 months x $10k - $120k
    100000.0
    """
    n = _horizon(horizon_months)
    m = _int("migration_months", migration_months, 0)
    x = float(_nonneg("x86_usd_per_month", x86_usd_per_month))
    r = float(_fraction("cost_reduction_per_unit_work", cost_reduction_per_unit_work, high_open=True))
    e = float(_nonneg("engineering_effort_usd", engineering_effort_usd))
    g = float(_growth("growth_rate_per_month", growth_rate_per_month))
    months = np.arange(1, n + 1)
    x86 = x * (1 + g) ** (months - 1)
    arm = np.where(months > m, x86 * (1 - r), x86)
    saving = x86 - arm
    return pd.DataFrame({"month": months, "x86_usd": x86, "arm_usd": arm, "saving_usd": saving,
                         "cumulative_net_usd": np.cumsum(saving) - e})


# ----------------------------------------------------------------------------------------------------------
# storage lifecycle


def _triangle_cdf(x, width):
    """CDF of the difference of two independent uniforms on [0, width] (triangular on [-width, width])."""
    x = np.asarray(x, dtype=float)
    left = (x + width) ** 2 / (2 * width ** 2)
    right = 1.0 - (width - x) ** 2 / (2 * width ** 2)
    return np.where(x < -width, 0.0, np.where(x < 0, left, np.where(x < width, right, 1.0)))


_STORAGE_POLICY_KEYS = ("hot_days", "cold_after_days", "retention_days")
_STORAGE_PRICE_KEYS = ("hot_usd_per_gb_month", "warm_usd_per_gb_month", "cold_usd_per_gb_month",
                       "warm_retrieval_usd_per_gb", "cold_retrieval_usd_per_gb", "warm_read_fraction_per_month",
                       "cold_read_fraction_per_month")


def storage_tiers_gb(written_gb_per_month, horizon_months=36, hot_days=30.0, cold_after_days=90.0,
                     retention_days=None, growth_rate_per_month=0.0):
    """Average GB held in the hot, warm and cold tiers each month under an age-based lifecycle policy.

    Parameters
    ----------
    written_gb_per_month : float or array_like
        GB written per month (>= 0): a number, or one value per month of the horizon (1-D).
    horizon_months : int
        Number of months (default 36).
    hot_days : float
        Age in days at which data leaves the hot tier for warm (>= 0).
    cold_after_days : float
        Age in days at which data moves to cold (>= hot_days; equal to hot_days means no warm tier).
    retention_days : float or None
        Age in days at which data is deleted (>= cold_after_days); None keeps it forever.
    growth_rate_per_month : float
        Growth of the data written per month, decimal in (-1, 1], applied as ``(1 + g) ** (m - 1)``.

    Returns
    -------
    DataFrame
        One row per month: ``month, written_gb, hot_gb, warm_gb, cold_gb, stored_gb``, where the tier
        columns are average GB held during the month (GB-months, what storage is billed on) and
        ``hot_gb + warm_gb + cold_gb == stored_gb``.

    Notes
    -----
    Data is written at an even rate through each month of ``D = 730 / 24`` days. For the cohort written in
    month ``k``, the share of it held during month ``m`` at an age in ``[a0, a1)`` is
    ``T(a1 - c) - T(a0 - c)`` with ``c = (m - k) D`` and ``T`` the CDF of the triangular distribution on
    ``[-D, D]`` (the age difference of two uniform times). Hot is ``[0, hot)``, warm ``[hot, cold)``,
    cold ``[cold, retention)``. Once every cohort in a tier is at least a month old, a tier spanning
    ``a1 - a0`` days holds ``w * (a1 - a0) / D`` GB at a steady write rate ``w``.

    References
    ----------
    Seed sections II.1 and VI.3 (data temperature, hot to warm to cold lifecycle policies); Amazon S3 User
    Guide, "Managing the lifecycle of objects" (age-based transitions and expiration).

    Examples
    --------
    >>> t = storage_tiers_gb(1_000.0, horizon_months=12, hot_days=30, cold_after_days=90)
    >>> round(float(t.hot_gb.iloc[-1]), 1), round(float(t.warm_gb.iloc[-1]), 1)  # 1000 * 30/D, 1000 * 60/D
    (986.3, 1972.6)
    >>> float(t.stored_gb.iloc[-1])  # 11 full months + half of month 12
    11500.0
    """
    n = _horizon(horizon_months)
    w = _nonneg("written_gb_per_month", written_gb_per_month)
    require(w.ndim == 0 or (w.ndim == 1 and w.shape[0] == n), "written_gb_per_month",
            f"array of shape {w.shape}", f"expected a number or one value per month ({n})")
    g = float(_growth("growth_rate_per_month", growth_rate_per_month))
    hot = float(_nonneg("hot_days", hot_days))
    cold = float(_check("cold_after_days", cold_after_days, lambda a: a >= hot, f"expected >= hot_days ({hot:g})"))
    if retention_days is None:
        keep = np.inf
    else:
        keep = float(_check("retention_days", retention_days, lambda a: a >= cold,
                            f"expected >= cold_after_days ({cold:g}) or None"))
    months = np.arange(1, n + 1)
    written = np.broadcast_to(w, (n,)) * (1 + g) ** (months - 1)
    d = DAYS_PER_MONTH
    lag = (months[:, None] - months[None, :]) * d  # [month m, cohort k]
    held = months[:, None] >= months[None, :]

    def band(a0, a1):
        share = _triangle_cdf(a1 - lag, d) - _triangle_cdf(a0 - lag, d)
        return (np.where(held, share, 0.0) * written[None, :]).sum(axis=1)

    hot_gb, warm_gb, cold_gb = band(0.0, hot), band(hot, cold), band(cold, keep)
    return pd.DataFrame({"month": months, "written_gb": written, "hot_gb": hot_gb, "warm_gb": warm_gb,
                         "cold_gb": cold_gb, "stored_gb": hot_gb + warm_gb + cold_gb})


def storage_bill_usd_by_month(tiers, hot_usd_per_gb_month, warm_usd_per_gb_month, cold_usd_per_gb_month,
                              warm_retrieval_usd_per_gb=0.0, cold_retrieval_usd_per_gb=0.0,
                              warm_read_fraction_per_month=0.0, cold_read_fraction_per_month=0.0):
    """Monthly storage bill from the GB held per tier: storage plus retrieval.

    Parameters
    ----------
    tiers : DataFrame
        The output of `storage_tiers_gb`.
    hot_usd_per_gb_month, warm_usd_per_gb_month, cold_usd_per_gb_month : float
        Storage prices in USD per GB-month (>= 0).
    warm_retrieval_usd_per_gb, cold_retrieval_usd_per_gb : float
        Retrieval prices in USD per GB read from the tier (>= 0); hot reads are taken as free.
    warm_read_fraction_per_month, cold_read_fraction_per_month : float
        GB read per month as a fraction of the GB held in the tier (>= 0; 0.1 reads a tenth of it).

    Returns
    -------
    DataFrame
        ``month, hot_usd, warm_usd, cold_usd, retrieval_usd, total_usd`` (USD per month).

    Notes
    -----
    ``bill_m = sum_t GB_t,m * price_t + sum_{t in warm, cold} GB_t,m * read_t * retrieval_t``.

    References
    ----------
    Seed section VI.3: "If you archive data that you actually need to query monthly, the retrieval fees will
    exceed the storage savings."

    Examples
    --------
    >>> t = storage_tiers_gb(1_000.0, 12)
    >>> b = storage_bill_usd_by_month(t, 0.023, 0.0125, 0.004, cold_retrieval_usd_per_gb=0.02,
    ...                               cold_read_fraction_per_month=0.05)
    >>> round(float(b.hot_usd.iloc[-1]), 2)  # 986.3 GB * $0.023
    22.68
    """
    missing = {"month", "hot_gb", "warm_gb", "cold_gb"} - set(getattr(tiers, "columns", []))
    require(not missing, "tiers", sorted(missing), "expected a storage_tiers_gb table (missing columns)")
    ph = float(_nonneg("hot_usd_per_gb_month", hot_usd_per_gb_month))
    pw = float(_nonneg("warm_usd_per_gb_month", warm_usd_per_gb_month))
    pc = float(_nonneg("cold_usd_per_gb_month", cold_usd_per_gb_month))
    rw = float(_nonneg("warm_retrieval_usd_per_gb", warm_retrieval_usd_per_gb))
    rc = float(_nonneg("cold_retrieval_usd_per_gb", cold_retrieval_usd_per_gb))
    fw = float(_nonneg("warm_read_fraction_per_month", warm_read_fraction_per_month))
    fc = float(_nonneg("cold_read_fraction_per_month", cold_read_fraction_per_month))
    hot, warm, cold = (tiers[c].to_numpy(dtype=float) for c in ("hot_gb", "warm_gb", "cold_gb"))
    out = pd.DataFrame({"month": tiers["month"].to_numpy(), "hot_usd": hot * ph, "warm_usd": warm * pw,
                        "cold_usd": cold * pc, "retrieval_usd": warm * fw * rw + cold * fc * rc})
    out["total_usd"] = out[["hot_usd", "warm_usd", "cold_usd", "retrieval_usd"]].sum(axis=1)
    return out


def storage_policy_comparison(written_gb_per_month, planned, actual, prices, horizon_months=36,
                              growth_rate_per_month=0.0):
    """Monthly bill of the planned lifecycle policy against the actual one (e.g. hot 90 days, not 30).

    Parameters
    ----------
    written_gb_per_month : float or array_like
        GB written per month, as in `storage_tiers_gb`.
    planned, actual : mapping
        Policies: keys among ``hot_days``, ``cold_after_days``, ``retention_days`` (defaults as in
        `storage_tiers_gb`). When ``actual`` keeps data hot past ``cold_after_days`` without giving its own
        ``cold_after_days``, data goes straight from hot to cold.
    prices : mapping
        Keyword arguments of `storage_bill_usd_by_month` (``hot_usd_per_gb_month``...).
    horizon_months : int
        Number of months (default 36).
    growth_rate_per_month : float
        Growth of the data written per month.

    Returns
    -------
    DataFrame
        ``month, planned_usd, actual_usd, overrun_usd, cumulative_overrun_usd`` (USD).

    Notes
    -----
    ``overrun_m = bill_actual_m - bill_planned_m``; each bill from `storage_bill_usd_by_month`.

    References
    ----------
    Seed section II.1 (data temperature management "must be automated via lifecycle policies") and VI.3.

    Examples
    --------
    >>> prices = {"hot_usd_per_gb_month": 0.023, "warm_usd_per_gb_month": 0.0125, "cold_usd_per_gb_month": 0.004}
    >>> c = storage_policy_comparison(1_000.0, {"hot_days": 30, "cold_after_days": 90}, {"hot_days": 90},
    ...                               prices, horizon_months=12)
    >>> round(float(c.overrun_usd.iloc[-1]), 2)  # 60 days x 1000/D GB x (0.023 - 0.0125)
    20.71
    """
    for label, policy in (("planned", planned), ("actual", actual)):
        require(isinstance(policy, Mapping), label, policy, f"expected a mapping with keys among "
                                                            f"{list(_STORAGE_POLICY_KEYS)}")
        unknown = sorted(set(policy) - set(_STORAGE_POLICY_KEYS))
        require(not unknown, f"{label} keys", unknown, f"expected only {list(_STORAGE_POLICY_KEYS)}")
    require(isinstance(prices, Mapping), "prices", prices, f"expected a mapping with keys among "
                                                           f"{list(_STORAGE_PRICE_KEYS)}")
    unknown = sorted(set(prices) - set(_STORAGE_PRICE_KEYS))
    require(not unknown, "prices keys", unknown, f"expected only {list(_STORAGE_PRICE_KEYS)}")
    actual = dict(actual)
    if "cold_after_days" not in actual:
        default_cold = planned.get("cold_after_days", 90.0)
        actual["cold_after_days"] = max(float(default_cold), float(actual.get("hot_days", 30.0)))
    bills = {}
    for label, policy in (("planned", planned), ("actual", actual)):
        tiers = storage_tiers_gb(written_gb_per_month, horizon_months, growth_rate_per_month=growth_rate_per_month,
                                 **policy)
        bills[label] = storage_bill_usd_by_month(tiers, **prices)["total_usd"].to_numpy()
    over = bills["actual"] - bills["planned"]
    return pd.DataFrame({"month": np.arange(1, len(over) + 1), "planned_usd": bills["planned"],
                         "actual_usd": bills["actual"], "overrun_usd": over,
                         "cumulative_overrun_usd": np.cumsum(over)})


# ----------------------------------------------------------------------------------------------------------
# managed vs self-hosted


def managed_premium_from_saving(self_hosted_infra_saving):
    """Managed-service premium over self-hosted infrastructure, from the saving self-hosting offers.

    Parameters
    ----------
    self_hosted_infra_saving : float or array_like
        How much cheaper self-hosted infrastructure is than the managed bill, decimal in [0, 1) (0.3 for
        "30% infrastructure saving").

    Returns
    -------
    float or ndarray
        Premium ``p`` such that managed = self-hosted infra x (1 + p), a decimal.

    Notes
    -----
    Self-hosted ``S = M (1 - s)``, so ``M = S (1 + p)`` with ``p = 1 / (1 - s) - 1 = s / (1 - s)``.

    References
    ----------
    Seed section II.3 (managed costs ~20-30% more in raw infrastructure) and the 02 TCO scenario catalogue
    (self-hosted Cassandra with a 30% infrastructure saving).

    Examples
    --------
    >>> round(managed_premium_from_saving(0.3), 4)  # 0.3 / 0.7
    0.4286
    """
    s = _fraction("self_hosted_infra_saving", self_hosted_infra_saving, high_open=True)
    return _out(s / (1.0 - s))


def managed_cost_usd_per_year(infra_usd_per_year, managed_premium):
    """Yearly cost of the managed service.

    Parameters
    ----------
    infra_usd_per_year : float or array_like
        Self-hosted infrastructure at list for the needed capacity (no headroom), USD per year (>= 0).
    managed_premium : float or array_like
        Managed premium over that infrastructure, decimal in [0, 5] (0.3 for 30%).

    Returns
    -------
    float or ndarray
        USD per year.

    Notes
    -----
    ``managed = S * (1 + p)``; the provider runs it, so no people line.

    References
    ----------
    Seed section II.3: "RDS ... costs ~20-30% more in raw infrastructure than hosting Postgres on EC2".

    Examples
    --------
    >>> managed_cost_usd_per_year(1_000_000, 0.3)
    1300000.0
    """
    s = _nonneg("infra_usd_per_year", infra_usd_per_year)
    p = _markup("managed_premium", managed_premium)
    return _out(s * (1.0 + p))


def self_hosted_cost_usd_per_year(infra_usd_per_year, fte, loaded_cost_usd_per_fte_per_year, headroom=0.0):
    """Yearly cost of self-hosting: over-provisioned infrastructure plus the people to run it.

    Parameters
    ----------
    infra_usd_per_year : float or array_like
        Infrastructure at list for the needed capacity, USD per year (>= 0).
    fte : float or array_like
        Engineers needed to run it (>= 0).
    loaded_cost_usd_per_fte_per_year : float or array_like
        Fully loaded cost in USD per FTE per year (>= 0).
    headroom : float or array_like
        Extra capacity provisioned over the need (failover, peaks), decimal in [0, 5] (0.2 for 20%).

    Returns
    -------
    float or ndarray
        USD per year.

    Notes
    -----
    ``self_hosted = S * (1 + h) + FTE * loaded_cost``.

    References
    ----------
    Seed section II.3 (people cost, patching, backups, failover of rolling your own).

    Examples
    --------
    >>> self_hosted_cost_usd_per_year(1_000_000, 2, 300_000, headroom=0.1)
    1700000.0
    """
    s = _nonneg("infra_usd_per_year", infra_usd_per_year)
    h = _markup("headroom", headroom)
    f = _nonneg("fte", fte)
    c = _nonneg("loaded_cost_usd_per_fte_per_year", loaded_cost_usd_per_fte_per_year)
    return _out(s * (1.0 + h) + f * c)


def self_hosting_crossover_usd_per_year(managed_premium, fte, loaded_cost_usd_per_fte_per_year, headroom=0.0):
    """Infrastructure spend per year above which self-hosting costs less than the managed service.

    Parameters
    ----------
    managed_premium : float or array_like
        Managed premium over self-hosted infrastructure, decimal in [0, 5].
    fte, loaded_cost_usd_per_fte_per_year, headroom
        As in `self_hosted_cost_usd_per_year`.

    Returns
    -------
    float or ndarray
        Crossover infrastructure spend ``S*`` in USD per year (at list, before premium or headroom; the
        managed bill there is ``S* (1 + p)``), or ``inf`` when the premium does not exceed the headroom
        (self-hosting never wins).

    Notes
    -----
    ``S (1 + p) = S (1 + h) + F`` gives ``S* = F / (p - h)`` for ``p > h``, with ``F = FTE * loaded_cost``.
    Above ``S*`` self-hosting is cheaper.

    References
    ----------
    Seed section II.3 and the 02 TCO scenario catalogue ("self-hosting only makes sense above $X/year").

    Examples
    --------
    >>> self_hosting_crossover_usd_per_year(0.3, 2, 300_000, headroom=0.1)  # 600k / 0.2
    3000000.0
    >>> self_hosting_crossover_usd_per_year(0.1, 2, 300_000, headroom=0.2)
    inf
    """
    p = _markup("managed_premium", managed_premium)
    h = _markup("headroom", headroom)
    f = _nonneg("fte", fte)
    c = _nonneg("loaded_cost_usd_per_fte_per_year", loaded_cost_usd_per_fte_per_year)
    gap = p - h
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(gap > 0, f * c / np.where(gap > 0, gap, 1.0), np.inf))



# ----------------------------------------------------------------------------------------------------------
# comparing options: month-by-month lines, relative pricing, crossover scale and break-even month


def cost_series_table(option, line, category, costs_usd_by_month, discount_rate_per_year=0.0):
    """One cost line given month by month, as the rows of a monthly TCO table (`tco_summary` sums them).

    Lines with a constant cost and growth come from `line_costs_by_month`; others (a storage bill that
    accumulates data, a fleet that changes architecture mid-horizon) are computed month by month.

    Parameters
    ----------
    option, line : str
        Option and line names.
    category : str
        One of `CATEGORY_GROUPS`.
    costs_usd_by_month : array_like
        Costs in USD (>= 0) for months 1..n (1-D).
    discount_rate_per_year : float
        Annual discount rate as a decimal in [0, 1) for the ``pv_usd`` column (default 0).

    Returns
    -------
    DataFrame
        Columns ``option, line, category, group, month, year, cost_usd,
        discount_factor, pv_usd``.

    Notes
    -----
    ``pv_usd = cost_usd / (1 + r_month) ** month`` (`costlib.discounting.discount_factors`).

    References
    ----------
    Seed section II (TCO components); CONTRIBUTING.md (end-of-month discounting).

    Examples
    --------
    >>> t = cost_series_table("keep", "logs", "storage", [100.0, 200.0, 300.0])
    >>> t[["month", "year", "group", "cost_usd"]].to_dict("list")
    {'month': [1, 2, 3], 'year': [1, 1, 1], 'group': ['direct', 'direct', 'direct'], 'cost_usd': [100.0, 200.0, 300.0]}
    """
    require(category in CATEGORY_GROUPS, "category", category, f"expected one of {list(CATEGORY_GROUPS)}")
    c = _nonneg("costs_usd_by_month", costs_usd_by_month)
    require(c.ndim == 1 and c.shape[0] >= 1, "costs_usd_by_month", f"array of shape {c.shape}",
            "expected one cost per month (1-D, at least one month)")
    n = c.shape[0]
    rate = float(_annual_rate("discount_rate_per_year", discount_rate_per_year))
    df = discount_factors(n, rate)
    months = np.arange(1, n + 1)
    return pd.DataFrame({"option": option, "line": line, "category": category,
                         "group": CATEGORY_GROUPS[category], "month": months, "year": (months - 1) // 12 + 1,
                         "cost_usd": c, "discount_factor": df, "pv_usd": c * df})


def relative_cost_usd(reference_usd, saving=0.0, premium=0.0, headroom=0.0):
    """Cost of a line priced relative to another option's line: cheaper by a saving, dearer by a premium,
    over-provisioned by headroom.

    Parameters
    ----------
    reference_usd : float or array_like
        The reference cost in USD (>= 0), e.g. the managed service's monthly bill.
    saving : float or array_like
        How much cheaper the same capacity is, decimal in [0, 1) (0.3 for "30% infrastructure saving").
    premium : float or array_like
        How much dearer the same capacity is, decimal in [0, 5] (0.6 for a 60% managed premium).
    headroom : float or array_like
        Extra capacity provisioned over the need (peaks, failover), decimal in [0, 5] (0.15 for 15%).

    Returns
    -------
    float or ndarray
        USD, in the reference's unit (per month if it is per month).

    Notes
    -----
    ``cost = reference * (1 - saving) * (1 + premium) * (1 + headroom)``. A saving ``s`` is not the
    reference's premium: the reference is dearer by ``s / (1 - s)`` (`managed_premium_from_saving`). With
    ``saving`` and ``headroom`` this is the self-hosted infrastructure of `self_hosted_cost_usd_per_year`,
    ``S (1 + h)`` with ``S = M (1 - s)``.

    References
    ----------
    Seed section II.3 (managed costs ~20-30% more in raw infrastructure) and interview question I.2
    (self-hosted Cassandra to save 30%; self-hosting over-provisions for peak load).

    Examples
    --------
    >>> round(relative_cost_usd(100_000, saving=0.3, headroom=0.15), 2)  # 100k x 0.7 x 1.15
    80500.0
    """
    r = _nonneg("reference_usd", reference_usd)
    s = _fraction("saving", saving, high_open=True)
    p = _markup("premium", premium)
    h = _markup("headroom", headroom)
    return _out(r * (1.0 - s) * (1.0 + p) * (1.0 + h))


def usage_scale_at_crossover(scaling_a_usd, fixed_a_usd, scaling_b_usd, fixed_b_usd):
    """Multiplier on usage-driven costs at which two options cost the same.

    Each option's cost is split into a part that moves with usage (infrastructure: compute, storage,
    network, per-node licenses) and a part that does not (people, toil, one-off migration). Scaling usage
    by ``k`` scales the first part only.

    Parameters
    ----------
    scaling_a_usd, fixed_a_usd : float or array_like
        Option a's usage-driven and fixed cost in USD (over a horizon, per year or per month: any period,
        the same for all four).
    scaling_b_usd, fixed_b_usd : float or array_like
        The same for option b.

    Returns
    -------
    float or ndarray
        ``k*`` (dimensionless, > 0), or NaN when no positive scale makes them equal (one option is cheaper
        at every scale, or both scale alike).

    Notes
    -----
    ``a(k) = k S_a + F_a`` and ``b(k) = k S_b + F_b`` cross at ``k* = (F_b - F_a) / (S_a - S_b)``. Above
    ``k*`` the option with the smaller ``S`` is cheaper. For a managed service ``S_a = S (1 + p)``,
    ``F_a = 0`` against self-hosting ``S_b = S (1 + h)``, ``F_b = F``: ``k* S = F / (p - h)``, the closed
    form of `self_hosting_crossover_usd_per_year`.

    References
    ----------
    Seed interview question I.2 (the "scale point" where self-hosting starts to pay: "only makes sense if
    we are spending >$5M/year on the DB").

    Examples
    --------
    >>> usage_scale_at_crossover(1_300_000, 0.0, 1_100_000, 600_000)  # S = 1M, p = 0.3, h = 0.1, F = 600k
    3.0
    >>> usage_scale_at_crossover(100.0, 0.0, 120.0, 50.0)  # b dearer at every scale
    nan
    """
    sa = _nonneg("scaling_a_usd", scaling_a_usd)
    fa = _nonneg("fixed_a_usd", fixed_a_usd)
    sb = _nonneg("scaling_b_usd", scaling_b_usd)
    fb = _nonneg("fixed_b_usd", fixed_b_usd)
    slope = sa - sb
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        k = (fb - fa) / np.where(slope != 0, slope, 1.0)
    return _out(np.where((slope != 0) & (k > 0) & np.isfinite(k), k, np.nan))


def usage_split_usd(recurring_usd_by_month, one_off_usd_by_month, scales_with_usage, *, months=None,
                    recurring_only=False, discount_rate_per_year=None):
    """An option's cost split into the part that moves with usage and the part that does not.

    Parameters
    ----------
    recurring_usd_by_month, one_off_usd_by_month : array_like
        Shape ``(lines, months)``: each cost line's recurring and one-off costs, USD.
    scales_with_usage : array_like of bool
        Shape ``(lines,)``: whether each line's recurring cost moves with usage (direct lines do).
    months : slice, optional
        The months summed (0-based positions); default the whole horizon.
    recurring_only : bool
        Leave the one-off costs out (the run rate).
    discount_rate_per_year : float, optional
        Sum present values (end-of-month discounting) instead of undiscounted amounts.

    Returns
    -------
    tuple of float
        ``(usage_driven_usd, fixed_usd)`` over the months summed.

    Notes
    -----
    ``S = sum over usage-driven lines of their recurring costs``; ``F`` = everything else (one-offs of every
    line, and recurring costs of the lines that do not move with usage). Scaling usage by ``k`` costs
    ``k S + F`` (`usage_scale_at_crossover`).

    References
    ----------
    Seed section II.3 (managed vs self-hosted: infrastructure scales, the people do not).

    Examples
    --------
    A compute line of 100 a month with a one-off of 50, and an SRE line of 300 a month, over 3 months:
    S = 300, F = 50 + 900 = 950.

    >>> usage_split_usd([[100.0] * 3, [300.0] * 3], [[50.0, 0, 0], [0.0] * 3], [True, False])
    (300.0, 950.0)
    """
    rec = checks.floats("recurring_usd_by_month", recurring_usd_by_month)
    one = checks.floats("one_off_usd_by_month", one_off_usd_by_month)
    scales = np.asarray(scales_with_usage, dtype=bool)
    require(rec.ndim == 2 and one.shape == rec.shape and scales.shape == rec.shape[:1], "recurring_usd_by_month",
            f"arrays of shapes {rec.shape}, {one.shape}, {scales.shape}",
            "expected (lines, months) costs and one flag per line")
    if discount_rate_per_year is not None:
        factors = discount_factors(rec.shape[1], discount_rate_per_year)
        rec, one = rec * factors, one * factors
    if recurring_only:
        one = np.zeros_like(one)
    sel = slice(None) if months is None else months
    scaling = fixed = 0.0
    for r, o, s in zip(rec, one, scales):
        if s:
            scaling += float(r[sel].sum())
            fixed += float(o[sel].sum())
        else:
            fixed += float(r[sel].sum() + o[sel].sum())
    return scaling, fixed


def usage_crossover(baseline_costs, challenger_costs, *, discount_rate_per_year=None):
    """Where a challenger and the baseline cost the same as usage scales: over the horizon and once running.

    Parameters
    ----------
    baseline_costs, challenger_costs : tuple
        Each option's ``(recurring_usd_by_month, one_off_usd_by_month, scales_with_usage)`` as in
        `usage_split_usd`, over the same months. ``challenger_costs=None`` (one option): only
        ``baseline_infra_usd_per_year`` is computed, the crossover figures are None.
    discount_rate_per_year : float, optional
        Compare present values over the horizon (the run rate is never discounted).

    Returns
    -------
    dict
        ``baseline_infra_usd_per_year`` (the baseline's usage-driven spend, per year, undiscounted);
        ``horizon_scale`` and ``horizon_infra_usd_per_year`` (the usage scale, and the baseline's
        usage-driven spend per year at it, where the totals over the horizon tie; None when they never do);
        ``run_rate_scale`` and ``run_rate_infra_usd_per_year`` (the same for the last month's recurring
        costs); ``challenger_wins_above`` and ``run_rate_challenger_wins_above`` (whether the challenger is
        the cheaper one above the crossover); ``per_option_undiscounted`` and ``run_rate`` (the splits, for
        `crossover_curve`); ``baseline_run_rate_infra_usd_per_year``.

    Notes
    -----
    With ``(S, F)`` from `usage_split_usd`, ``k* = (F_b - F_c) / (S_c - S_b)`` (`usage_scale_at_crossover`)
    and the crossover spend is ``k*`` times the baseline's usage-driven spend per year,
    ``S_b / H * 12`` over the horizon, ``12 s_b`` at the run rate (``s_b``: the last month).

    References
    ----------
    Seed interview question I.2 (the scale point where self-hosting starts to pay).

    Examples
    --------
    Managed: 1,000 a month of usage-driven bill for 12 months. Self-hosted: 700 a month of nodes and 200 a
    month of people. Over the horizon S_b = 12,000, S_c = 8,400, F_c = 2,400: k* = 2,400 / 3,600 = 2/3, i.e.
    a baseline spend of 2/3 x 12,000 = 8,000 a year; once running the same, since nothing is one-off.

    >>> x = usage_crossover(([[1000.0] * 12], [[0.0] * 12], [True]),
    ...                     ([[700.0] * 12, [200.0] * 12], [[0.0] * 12] * 2, [True, False]))
    >>> round(x["horizon_infra_usd_per_year"], 6), round(x["run_rate_infra_usd_per_year"], 6)
    (8000.0, 8000.0)
    >>> x["challenger_wins_above"]
    True
    """
    h = checks.floats("recurring_usd_by_month", baseline_costs[0]).shape[-1]
    b_plain = usage_split_usd(*baseline_costs)
    baseline_per_year = b_plain[0] / h * 12
    out = {"baseline_infra_usd_per_year": baseline_per_year, "horizon_scale": None,
           "horizon_infra_usd_per_year": None, "run_rate_scale": None, "run_rate_infra_usd_per_year": None}
    if challenger_costs is None:  # one option: only the baseline's own spend
        out.update(challenger_wins_above=None, run_rate_challenger_wins_above=None)
        return out
    c_plain = usage_split_usd(*challenger_costs)
    sb, fb = usage_split_usd(*baseline_costs, discount_rate_per_year=discount_rate_per_year)
    sc, fc = usage_split_usd(*challenger_costs, discount_rate_per_year=discount_rate_per_year)
    k = usage_scale_at_crossover(sc, fc, sb, fb)
    out["challenger_wins_above"] = sc < sb
    if np.isfinite(k):
        out["horizon_scale"] = k
        out["horizon_infra_usd_per_year"] = k * baseline_per_year
    out["per_option_undiscounted"] = (b_plain, c_plain)
    last = slice(h - 1, h)
    rb_s, rb_f = usage_split_usd(*baseline_costs, months=last, recurring_only=True)
    rc_s, rc_f = usage_split_usd(*challenger_costs, months=last, recurring_only=True)
    out["run_rate"] = ((rb_s, rb_f), (rc_s, rc_f))
    k_rr = usage_scale_at_crossover(rc_s, rc_f, rb_s, rb_f)
    out["run_rate_challenger_wins_above"] = rc_s < rb_s
    out["baseline_run_rate_infra_usd_per_year"] = rb_s * 12
    if np.isfinite(k_rr) and rb_s > 0:
        out["run_rate_scale"] = k_rr
        out["run_rate_infra_usd_per_year"] = k_rr * rb_s * 12
    return out


def crossover_curve(crossover, horizon_months, points=81):
    """Challenger minus baseline, USD per year, as the baseline's usage-driven spend per year varies.

    Parameters
    ----------
    crossover : dict
        The result of `usage_crossover`.
    horizon_months : int
        The months the totals cover.
    points : int
        Spends from 0 to twice the largest of the crossovers and today's spend.

    Returns
    -------
    pandas.DataFrame
        ``baseline_infra_usd_per_year, view, difference_usd_per_year``: one row per spend for the run rate
        (``"once running (run rate)"``) and one for the horizon (``"over H months, with one-offs"``).

    Notes
    -----
    At a baseline spend ``v`` the usage scale is ``k = v / (S_b / H * 12)`` over the horizon and
    ``k = v / (12 s_b)`` at the run rate; the difference is ``((k S_c + F_c) - (k S_b + F_b)) * 12 / H``
    (per year over the horizon) or ``((k s_c + f_c) - (k s_b + f_b)) * 12``.

    References
    ----------
    Seed interview question I.2.

    Examples
    --------
    The example of `usage_crossover`: the curves cross zero at 8,000 a year.

    >>> x = usage_crossover(([[1000.0] * 12], [[0.0] * 12], [True]),
    ...                     ([[700.0] * 12, [200.0] * 12], [[0.0] * 12] * 2, [True, False]))
    >>> c = crossover_curve(x, 12, points=3)  # spends 0, 12,000, 24,000
    >>> c[c["view"] == "once running (run rate)"]["difference_usd_per_year"].tolist()
    [2400.0, -1200.0, -4800.0]
    """
    base_infra = crossover["baseline_infra_usd_per_year"]
    runs = crossover.get("run_rate")
    columns = ["baseline_infra_usd_per_year", "view", "difference_usd_per_year"]
    if runs is None or base_infra <= 0:
        return pd.DataFrame(columns=columns)
    marks = [v for v in (crossover.get("run_rate_infra_usd_per_year"), crossover.get("horizon_infra_usd_per_year"),
                         base_infra) if v]
    spend = np.linspace(0.0, 2.0 * max(marks), points)
    h = horizon_months
    (sb, fb), (sc, fc) = crossover["per_option_undiscounted"]
    (rb_s, rb_f), (rc_s, rc_f) = runs
    rows = []
    for v in spend:
        if rb_s > 0:
            kr = v / (rb_s * 12)
            rows.append({"baseline_infra_usd_per_year": v, "view": "once running (run rate)",
                         "difference_usd_per_year": ((kr * rc_s + rc_f) - (kr * rb_s + rb_f)) * 12})
        k = v / base_infra
        rows.append({"baseline_infra_usd_per_year": v, "view": f"over {h} months, with one-offs",
                     "difference_usd_per_year": ((k * sc + fc) - (k * sb + fb)) * 12 / h})
    return pd.DataFrame(rows, columns=columns)


def price_performance_gain(x86_usd_per_hour, arm_usd_per_hour, arm_relative_throughput=1.0):
    """Gain in work per dollar from moving an instance from x86 to ARM.

    Parameters
    ----------
    x86_usd_per_hour : float or array_like
        x86 instance price in USD per hour (> 0).
    arm_usd_per_hour : float or array_like
        Price of the ARM instance that replaces it, USD per hour (> 0).
    arm_relative_throughput : float or array_like
        Work one ARM instance does per hour relative to one x86 instance (> 0; 1.1 for 10% more),
        measured on the workload.

    Returns
    -------
    float or ndarray
        Decimal gain in work per dollar (0.25 for 25% more); negative when ARM does less work per dollar.

    Notes
    -----
    ``g = throughput * x86_price / arm_price - 1``; the cost reduction per unit of work is
    ``1 - 1 / (1 + g)`` (`cost_reduction_from_price_performance`), i.e. ``1 - arm_price / (throughput *
    x86_price)``.

    References
    ----------
    Seed section II.1 (ARM/Graviton "improve price-performance ratios"; "permanent 20-40% cost
    reduction"); AWS list prices for m6i.xlarge and m7g.xlarge in params/pricebook.yaml.

    Examples
    --------
    >>> round(price_performance_gain(0.192, 0.1632), 4)  # m6i.xlarge -> m7g.xlarge at equal throughput
    0.1765
    >>> round(cost_reduction_from_price_performance(price_performance_gain(0.192, 0.1632, 1.1)), 4)
    0.2273
    """
    x = _check("x86_usd_per_hour", x86_usd_per_hour, lambda a: a > 0, "expected a price > 0")
    r = _check("arm_usd_per_hour", arm_usd_per_hour, lambda a: a > 0, "expected a price > 0")
    t = _check("arm_relative_throughput", arm_relative_throughput, lambda a: a > 0,
               "expected a relative throughput > 0 (1.1 for 10% more work per instance)")
    return _out(t * x / r - 1.0)


# ----------------------------------------------------------------------------------------------------------
# options compared: line costs summed per option, totals, ranking


PEOPLE_CATEGORIES = ("people", "toil", "training")
"""The categories counted as people cost in `option_totals` (seed II: the indirect costs sticker prices hide)."""


@dataclass
class LineCosts:
    """One cost line's monthly costs in USD: ``recurring`` moves with usage when ``scales``; ``one_off`` never.

    Parameters
    ----------
    option, name : str
        The option the line belongs to and the line's name.
    category : str
        One of `CATEGORY_GROUPS` (``compute``, ``people``, ``lock_in``, ...).
    scales : bool
        Whether ``recurring`` moves with usage (`option_costs_usd_by_month`'s ``usage_scale``).
    source : str
        Where the line comes from (``"lines"`` for the scenario's own, else the section that made it).
    recurring, one_off : ndarray
        USD per month, shape ``(horizon_months,)`` or ``(n, horizon_months)`` (Monte Carlo).
    first_month_usd : float, optional
        The line's first active month's cost, for tables.

    Returns
    -------
    LineCosts
        The record; ``group`` is the category's group (direct, indirect, opportunity).

    Notes
    -----
    A line's cost in month ``m`` is ``recurring(m) + one_off(m)`` (times the usage scale on ``recurring``
    when ``scales``).

    References
    ----------
    Seed section II (TCO cost lines: direct, indirect, opportunity).

    Examples
    --------
    >>> LineCosts("self_hosted", "2 SREs", "people", False, "lines", np.full(3, 50.0), np.zeros(3)).group
    'indirect'
    """

    option: str
    name: str
    category: str
    scales: bool
    source: str
    recurring: np.ndarray
    one_off: np.ndarray
    first_month_usd: float | None = None

    @property
    def group(self) -> str:
        return CATEGORY_GROUPS[self.category]


def option_costs_usd_by_month(lines, options, horizon_months, usage_scale=1.0):
    """Each option's total cost by month: its lines summed, usage-driven lines scaled.

    Parameters
    ----------
    lines : iterable of LineCosts
        Every cost line of every option.
    options : sequence of str
        The options, in order (an option without lines costs nothing).
    horizon_months : int
        Months in the horizon.
    usage_scale : float or array_like
        Multiplier on the recurring cost of lines that scale with usage (1 = as planned).

    Returns
    -------
    dict of str to ndarray
        USD per month for each option.

    Notes
    -----
    ``cost(o, m) = sum over lines of o: (k * recurring if scales else recurring)(m) + one_off(m)`` with
    ``k = usage_scale``.

    References
    ----------
    Seed section II (TCO as the sum of direct, indirect and opportunity cost lines).

    Examples
    --------
    A usage-driven $100/month line and a fixed $50/month line, usage doubled, plus $30 one-off in month 1:

    >>> lines = [LineCosts("a", "vm", "compute", True, "lines", np.full(2, 100.0), np.array([30.0, 0.0])),
    ...          LineCosts("a", "sre", "people", False, "lines", np.full(2, 50.0), np.zeros(2))]
    >>> option_costs_usd_by_month(lines, ["a", "b"], 2, usage_scale=2.0)
    {'a': array([280., 250.]), 'b': array([0., 0.])}
    """
    k = usage_scale
    totals = {o: np.zeros(int(horizon_months)) for o in options}
    for lc in lines:
        totals[lc.option] = totals[lc.option] + (k * lc.recurring if lc.scales else lc.recurring) + lc.one_off
    return totals


def decision_terms_usd(cost_usd_by_month, decision_basis="total", discount_rate_per_year=0.0):
    """The monthly terms an option is judged on: its costs as they fall, or discounted to today.

    Parameters
    ----------
    cost_usd_by_month : array_like
        USD per month, months last (month 1 first).
    decision_basis : {"total", "present_value"}
        Judge on the undiscounted total or on the present value.
    discount_rate_per_year : float or array_like
        Annual discount rate (decimal), used for ``"present_value"``.

    Returns
    -------
    ndarray
        USD per month, undiscounted or discounted (sum them for the decision metric).

    Notes
    -----
    ``term(m) = cost(m)`` for ``"total"``; ``term(m) = cost(m) / (1 + r_month) ** m`` for
    ``"present_value"``, with ``r_month = (1 + r_year) ** (1 / 12) - 1`` (end-of-month timing).

    References
    ----------
    Seed section II (3-year TCO, present value at the cost of capital).

    Examples
    --------
    >>> float(np.sum(decision_terms_usd([100.0] * 12, "present_value", 0.0)))
    1200.0
    >>> round(float(decision_terms_usd([1000.0] * 12, "present_value", 0.12)[-1]), 2)
    892.86
    """
    require(decision_basis in ("total", "present_value"), "decision_basis", decision_basis,
            "expected 'total' or 'present_value'")
    costs = np.asarray(cost_usd_by_month, dtype=float)
    if decision_basis == "present_value":
        return costs * discount_factors(costs.shape[-1], discount_rate_per_year)
    return costs


def option_totals(monthly, options, people_categories=PEOPLE_CATEGORIES):
    """Each option's TCO, present value, people cost and people share of TCO.

    Parameters
    ----------
    monthly : DataFrame
        Rows of `cost_series_table` (every line of every option).
    options : sequence of str
        The options, in the order of the output.
    people_categories : sequence of str
        Categories counted as people cost.

    Returns
    -------
    DataFrame
        ``option, tco_usd, present_value_usd, people_usd, people_share_of_tco``: USD over the horizon and
        a decimal share (NaN for an option that costs nothing).

    Notes
    -----
    ``tco_usd = sum(cost_usd)``, ``present_value_usd = sum(pv_usd)``, ``people_usd`` = the sum over the
    people categories and ``people_share_of_tco = people_usd / tco_usd``.

    References
    ----------
    Seed section II ("the $5k service needs two SREs": people cost dominates small services).

    Examples
    --------
    >>> lines = pd.concat([cost_series_table("self_hosted", "VMs", "compute", [5_000.0] * 12),
    ...                    cost_series_table("self_hosted", "2 SREs", "people", [50_000.0] * 12)])
    >>> t = option_totals(lines, ["self_hosted"])
    >>> t[["tco_usd", "people_usd"]].iloc[0].tolist(), round(float(t["people_share_of_tco"].iloc[0]), 4)
    ([660000.0, 600000.0], 0.9091)
    """
    totals = tco_summary(monthly).set_index("option").reindex(list(options))
    out = pd.DataFrame({"option": list(options), "tco_usd": totals["cost_usd"].fillna(0.0).to_numpy(),
                        "present_value_usd": totals["pv_usd"].fillna(0.0).to_numpy()})
    by_category = tco_summary(monthly, by="category")
    people = by_category[by_category["category"].isin(list(people_categories))].groupby("option")["cost_usd"].sum()
    out["people_usd"] = [float(people.get(o, 0.0)) for o in options]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["people_share_of_tco"] = np.where(out["tco_usd"] > 0, out["people_usd"] / out["tco_usd"].where(
            out["tco_usd"] > 0, 1.0), np.nan)
    return out


def rank_options(metric_usd, baseline, challenger=None):
    """The cheapest option, the runner-up and what separates them; the challenger against the baseline.

    Parameters
    ----------
    metric_usd : mapping of str to float
        Each option's decision metric in USD (TCO or present value), in the options' order.
    baseline : str
        The option the challenger is compared with (usually what runs today).
    challenger : str, optional
        The option compared with the baseline; by default the cheapest option other than the baseline.

    Returns
    -------
    dict
        ``cheapest_option``, ``runner_up``, ``challenger``, ``challenger_minus_baseline_usd`` (negative: the
        challenger is cheaper), ``cheapest_saving_vs_runner_up_usd`` and
        ``cheapest_saving_share_of_runner_up`` (decimal; 0 when the runner-up costs nothing). With one
        option, everything but ``cheapest_option`` is None.

    Notes
    -----
    Ties go to the option listed first. ``saving = metric(runner_up) - metric(cheapest)``,
    ``share = saving / metric(runner_up)``.

    References
    ----------
    Seed section II (compare options on 3-year TCO).

    Examples
    --------
    >>> r = rank_options({"managed": 900.0, "self_hosted": 1200.0}, baseline="managed")
    >>> r["cheapest_option"], r["challenger"], r["challenger_minus_baseline_usd"], r["cheapest_saving_share_of_runner_up"]
    ('managed', 'self_hosted', 300.0, 0.25)
    """
    order = list(metric_usd)
    require(baseline in metric_usd, "baseline", baseline, f"expected one of {order}")
    ranked = sorted(order, key=lambda o: (float(metric_usd[o]), order.index(o)))
    out = {"cheapest_option": ranked[0], "runner_up": None, "challenger": None,
           "challenger_minus_baseline_usd": None, "cheapest_saving_vs_runner_up_usd": None,
           "cheapest_saving_share_of_runner_up": None}
    if len(order) < 2:
        return out
    if challenger is None:
        challenger = next(o for o in ranked if o != baseline)
    require(challenger in metric_usd, "challenger", challenger, f"expected one of {order}")
    runner_up = ranked[1]
    margin = float(metric_usd[runner_up]) - float(metric_usd[ranked[0]])
    out.update(runner_up=runner_up, challenger=challenger,
               challenger_minus_baseline_usd=float(metric_usd[challenger]) - float(metric_usd[baseline]),
               cheapest_saving_vs_runner_up_usd=margin,
               cheapest_saving_share_of_runner_up=margin / float(metric_usd[runner_up])
               if float(metric_usd[runner_up]) else 0.0)
    return out


def cumulative_by_option(option_costs_usd_by_month):
    """Each option's cumulative cost month by month, as a long table for charts.

    Parameters
    ----------
    option_costs_usd_by_month : mapping of str to array_like
        USD per month for each option (from `option_costs_usd_by_month`).

    Returns
    -------
    DataFrame
        ``month`` (1-based), ``option``, ``cumulative_usd``.

    Notes
    -----
    ``cumulative(o, m) = sum of cost(o, 1..m)`` (`costlib.timing.cumulative_cost_usd`, undiscounted).

    References
    ----------
    Seed section II (cumulative cost curves show when an option pays back).

    Examples
    --------
    >>> cumulative_by_option({"a": [10.0, 20.0]})["cumulative_usd"].tolist()
    [10.0, 30.0]
    """
    rows = []
    for option, costs in option_costs_usd_by_month.items():
        cum = np.asarray(cumulative_cost_usd(np.asarray(costs, dtype=float)), dtype=float).reshape(-1)
        rows += [{"month": m + 1, "option": option, "cumulative_usd": float(v)} for m, v in enumerate(cum)]
    return pd.DataFrame(rows, columns=["month", "option", "cumulative_usd"])


def horizon_cost_usd(cost_usd_per_month, horizon_months):
    """A flat monthly cost over the horizon.

    Parameters
    ----------
    cost_usd_per_month : float or array_like
        USD per month (>= 0).
    horizon_months : int
        Months.

    Returns
    -------
    float or ndarray
        USD over the horizon.

    Notes
    -----
    ``total = cost_usd_per_month * horizon_months`` (no growth, no discounting).

    References
    ----------
    Seed section II.2 (purchase options compared over a commitment's term).

    Examples
    --------
    >>> horizon_cost_usd(365.0, 36)
    13140.0
    """
    c = _nonneg("cost_usd_per_month", cost_usd_per_month)
    _int("horizon_months", horizon_months, 1)
    return _out(c * horizon_months)


def multiple_of_list_price(utilization):
    """How many times the list price one utilized unit really costs.

    Parameters
    ----------
    utilization : float or array_like
        Share of paid capacity that does work, in (0, 1].

    Returns
    -------
    float or ndarray
        The multiple (2.0: a unit of work costs twice its list price).

    Notes
    -----
    ``multiple = 1 / utilization`` (`effective_price_per_utilized_unit` divided by the list price).

    References
    ----------
    Seed section II.1 (a server 25% utilized costs 4x its sticker price per unit of work).

    Examples
    --------
    >>> multiple_of_list_price(0.25)
    4.0
    """
    u = _fraction("utilization", utilization, low_open=True)
    return _out(1.0 / u)


def saving_vs_reference(cost_vs_reference):
    """The saving a line relative to a reference makes, from its cost as a multiple of the reference.

    Parameters
    ----------
    cost_vs_reference : float or array_like
        The line's cost per dollar of its reference (`relative_cost_usd` of 1.0).

    Returns
    -------
    float or ndarray
        Decimal saving (negative: dearer than the reference).

    Notes
    -----
    ``saving = 1 - cost_vs_reference``.

    References
    ----------
    Seed section II.4 (self-hosting saves 30% of infrastructure before headroom and people).

    Examples
    --------
    >>> round(saving_vs_reference(0.7 * 1.2), 2)
    0.16
    """
    return _out(1.0 - np.asarray(cost_vs_reference, dtype=float))


def cost_difference_usd(option_usd_by_month, baseline_usd_by_month=None, cumulative=False):
    """An option's cost minus the baseline's over the horizon (or month by month, cumulated).

    Parameters
    ----------
    option_usd_by_month : array_like
        The option's decision terms, USD per month, months last (from `decision_terms_usd`).
    baseline_usd_by_month : array_like, optional
        The baseline's, same shape; None: the option's own total.
    cumulative : bool
        Return the running difference month by month instead of the total.

    Returns
    -------
    float or ndarray
        USD (negative: the option is cheaper than the baseline).

    Notes
    -----
    ``difference = sum over m of (option(m) - baseline(m))``; cumulative: the partial sums.

    References
    ----------
    Seed section II (compare options on 3-year TCO).

    Examples
    --------
    >>> cost_difference_usd([100.0, 100.0], [150.0, 60.0])
    -10.0
    >>> cost_difference_usd([100.0, 100.0], [150.0, 60.0], cumulative=True).tolist()
    [-50.0, -10.0]
    """
    diff = np.asarray(option_usd_by_month, dtype=float)
    if baseline_usd_by_month is not None:
        diff = diff - np.asarray(baseline_usd_by_month, dtype=float)
    if cumulative:
        return np.cumsum(diff, axis=-1)
    return _out(np.sum(diff, axis=-1))


def line_usd_per_month(usd_per_month=0.0, fte=0.0, toil_hours_per_month=0.0, loaded_cost_usd_per_fte_per_year=0.0,
                       working_hours_per_year=2080.0):
    """A cost line's recurring monthly cost: what is billed, the people it needs and the toil it makes.

    Parameters
    ----------
    usd_per_month : float or array_like
        Billed cost, USD per month.
    fte : float or array_like
        People the line needs, full-time equivalents.
    toil_hours_per_month : float or array_like
        Hours of manual work a month.
    loaded_cost_usd_per_fte_per_year : float or array_like
        Fully loaded cost of one engineer, USD per year.
    working_hours_per_year : float
        Working hours in a year (2080 = 52 weeks x 40 hours).

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``cost = usd_per_month + fte * loaded / 12 + toil_hours * loaded / working_hours_per_year``
    (`people_cost_usd_per_month`, `toil_cost_usd_per_month` at `loaded_cost_usd_per_hour`).

    References
    ----------
    Seed section II ("the $5k service needs two SREs": indirect costs in the TCO).

    Examples
    --------
    $5,000 of VMs, 2 SREs at $300k a year and 20 hours of toil: 5,000 + 50,000 + 20 x 300,000 / 2,080.

    >>> round(line_usd_per_month(5_000.0, 2, 20, 300_000.0), 2)
    57884.62
    """
    hourly = loaded_cost_usd_per_hour(loaded_cost_usd_per_fte_per_year, working_hours_per_year)
    return _out(np.asarray(usd_per_month, dtype=float)
                + np.asarray(people_cost_usd_per_month(fte, loaded_cost_usd_per_fte_per_year))
                + np.asarray(toil_cost_usd_per_month(toil_hours_per_month, hourly)))


def line_one_off_usd(one_off_usd=0.0, engineering_weeks=0.0, loaded_cost_usd_per_fte_per_year=0.0,
                     working_weeks_per_year=52.0):
    """A cost line's one-off cost: what is paid once plus the engineering weeks it takes.

    Parameters
    ----------
    one_off_usd : float or array_like
        One-off payment (migration fee, hardware, exit), USD.
    engineering_weeks : float or array_like
        Engineer-weeks of one-off work.
    loaded_cost_usd_per_fte_per_year : float or array_like
        Fully loaded cost of one engineer, USD per year.
    working_weeks_per_year : float
        Working weeks in a year.

    Returns
    -------
    float or ndarray
        USD.

    Notes
    -----
    ``cost = one_off_usd + engineering_weeks * loaded / working_weeks_per_year`` (`engineering_weeks_usd`).

    References
    ----------
    Seed section II.1 (migration effort: engineer-weeks at the loaded cost).

    Examples
    --------
    $10,000 of fees and 40 engineer-weeks at $520k a year: 10,000 + 40 x 10,000.

    >>> line_one_off_usd(10_000.0, 40, 520_000.0)
    410000.0
    """
    return _out(np.asarray(one_off_usd, dtype=float)
                + np.asarray(engineering_weeks_usd(engineering_weeks, loaded_cost_usd_per_fte_per_year,
                                                   working_weeks_per_year)))
