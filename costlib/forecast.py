"""Forecasting (seed section IV, with I.3 on committed-use discounts and III's margin rescue).

Formulas of workbook 04: the demand translation layer (business drivers to infrastructure), a statistical
baseline from history scored against a seasonal-naive benchmark, buffer sizing (idle capacity against
brownouts), step-function cost cliffs and their calendar, commitment sizing (the newsvendor), the hardware
generation switch, the glide path to profitability, engineering time against the cloud bill, and Jevons.

Conventions: months are numbered from 1 (month 1 is the first month of the horizon); a quantity "now" is
its month-1 value, so a path is ``x_m = x_1 (1 + g) ** (m - 1)``. Costs are positive amounts. Functions
broadcast: a growth rate of shape ``(n, 1)`` against months of shape ``(H,)`` gives ``(n, H)`` paths, so
`costlib.uncertainty.monte_carlo` can hand them arrays of draws.

The statistical baseline's two closed-form members live here: a seasonal regression (log-linear trend with
monthly factors, OLS prediction intervals; Hyndman and Athanasopoulos 2021, 7.4-7.6) and the seasonal-naive
benchmark, with MASE. The family workbook 04 chooses from (those two, ETS, the airline SARIMA and Theta from
statsmodels, and their median), its rolling-origin backtest and its intervals are in
`costlib.forecast_models`: on public series the regression alone was worse than seasonal naive (its trend
cannot bend), competitive only on short windows.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from costlib import checks, timing
from costlib.constants import HOURS_PER_MONTH
from costlib.errors import require

__all__ = [
    "growth_path", "infra_demand", "peak_to_average_ratio", "event_multipliers", "demand_paths",
    "capacity_units", "tier_costs", "crossing_month", "first_month_above", "cliff_calendar",
    "seasonal_naive_forecast", "seasonal_trend_forecast", "mase", "backtest", "buffer_tradeoff",
    "best_headroom", "best_headroom_brownout_price_range", "step_flips", "newsvendor_commitment", "commitment_cost", "commitment_curve", "commitment_regret",
    "critical_ratio",
    "tranche_ladder", "generation_switch", "lever_reduction", "crossing_month_of_volume", "glide_path",
    "margin_waterfall", "optimization_payback", "jevons", "hours_at_peak_per_month", "simulate_usage",
    "event_plan_costs", "best_event_uplift", "triangular_quantiles", "rearchitecture_runway_months",
    "percentile_paths", "first_month_at_or_above", "total_over_term", "usd_per_load_month",
    "shortfall_usd_per_unit", "committed_usd_per_month", "migration_start_month", "cliff_multiple",
    "first_month_below_after", "peak_month", "path_at_percentile", "difference", "with_forecast_error",
]

_EPS = 1e-9


def _months(horizon_months) -> np.ndarray:
    return np.arange(1, checks.whole("horizon_months", horizon_months, 1, unit="months") + 1, dtype=float)


# ---------------------------------------------------------------------------------------------------
# 1. Demand: the translation layer.


def growth_path(value_now, growth_rate_per_month, horizon_months):
    """A quantity growing at a monthly rate, months 1..H: ``x_m = x_1 (1 + g) ** (m - 1)``.

    Parameters
    ----------
    value_now : float or array_like
        The month-1 value (DAU, writes/s, USD/month), >= 0.
    growth_rate_per_month : float or array_like
        Decimal growth per month, > -1 (0.20 is 20% MoM). Arrays of shape ``(n, 1)`` give ``(n, H)``.
    horizon_months : int
        Months in the path.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., H)``.

    Notes
    -----
    Compound growth :math:`x_m = x_1 (1 + g)^{m-1}`.

    References
    ----------
    Seed section IV.2 (organic growth); Hyndman and Athanasopoulos, *Forecasting: Principles and Practice*,
    3rd ed. (2021), ch. 5 (simple forecasting methods: drift).

    Examples
    --------
    >>> growth_path(100.0, 0.2, 3).round(6).tolist()  # 100, 120, 144
    [100.0, 120.0, 144.0]
    """
    x = checks.number("value_now", value_now, low=0)
    g = checks.number("growth_rate_per_month", growth_rate_per_month, low=-1, low_strict=True)
    m = _months(horizon_months)
    return x * (1 + g) ** (m - 1)


def infra_demand(dau, usage_per_dau, headroom):
    """The seed's demand equation: infrastructure demand = DAU x usage per user x (1 + headroom).

    Parameters
    ----------
    dau : float or array_like
        Daily active users (projected).
    usage_per_dau : float or array_like
        Load one user puts on the system, in the load unit (requests/s at the peak per DAU, GB, ...).
    headroom : float or array_like
        Buffer above the forecast, decimal (0.30 is +30%).

    Returns
    -------
    float or numpy.ndarray
        Load to provision, in the load unit.

    Notes
    -----
    :math:`D = (DAU \\times u) \\times (1 + h)`.

    References
    ----------
    ``cost_model_fundamentals.md`` section IV.2, "The Equation".

    Examples
    --------
    >>> infra_demand(1_000_000, 0.002, 0.3)  # 1M x 0.002 = 2,000 req/s, x 1.3
    2600.0
    """
    d = checks.number("dau", dau, low=0)
    u = checks.number("usage_per_dau", usage_per_dau, low=0)
    h = checks.number("headroom", headroom, low=0)
    return checks.out(d * u * (1 + h))


def peak_to_average_ratio(hourly_shape: Sequence[float]) -> float:
    """Peak-to-average ratio of a daily traffic shape (24 hourly values, any scale).

    Parameters
    ----------
    hourly_shape : sequence of float
        Relative load in each hour of the day, >= 0, not all zero.

    Returns
    -------
    float
        ``max / mean``, >= 1.

    Notes
    -----
    :math:`r = \\max_h s_h / \\bar{s}`. Capacity is bought for the peak: "a service averaging 100k RPS might
    peak at 500k RPS daily" is a ratio of 5.

    References
    ----------
    Seed section IV.2, "The Shape of Traffic: averages lie".

    Examples
    --------
    >>> peak_to_average_ratio([1, 1, 2, 4])  # mean 2, max 4
    2.0
    """
    s = checks.number("hourly_shape", list(hourly_shape), low=0)
    require(s.ndim == 1 and s.size >= 2 and s.sum() > 0, "hourly_shape", list(hourly_shape),
            "expected at least two hourly values, not all zero")
    return float(s.max() / s.mean())


def event_multipliers(horizon_months: int, events: Sequence[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Inorganic events as monthly multipliers on the peak: where the load is, and where capacity must be.

    Parameters
    ----------
    horizon_months : int
        Months in the horizon.
    events : sequence of dict
        Each ``{"start_month", "duration_months", "multiplier", "lead_time_months"}``: the event lifts the
        peak by ``multiplier`` (1.5 is +50%) in months ``start .. start + duration - 1``, and capacity must
        be in place ``lead_time_months`` earlier (warming caches, scaling databases: the seed's
        pre-provisioning that autoscalers cannot do fast enough).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``load`` and ``provisioned``: per month, the largest multiplier of the events active (1 when none),
        and of the events active or within their lead time.

    Notes
    -----
    :math:`L_m = \\max(1, \\max_{e: s_e \\le m < s_e + d_e} k_e)`, :math:`P_m` the same with
    :math:`s_e - \\ell_e \\le m`. Organic growth multiplies both; the two are kept apart.

    References
    ----------
    Seed section IV.2, "Organic vs. Inorganic Growth".

    Examples
    --------
    >>> load, prov = event_multipliers(6, [{"start_month": 4, "duration_months": 1, "multiplier": 1.5,
    ...                                     "lead_time_months": 2}])
    >>> load.tolist(), prov.tolist()
    ([1.0, 1.0, 1.0, 1.5, 1.0, 1.0], [1.0, 1.5, 1.5, 1.5, 1.0, 1.0])
    """
    m = _months(horizon_months)
    load = np.ones_like(m)
    prov = np.ones_like(m)
    for i, e in enumerate(events):
        k = float(checks.number(f"events[{i}].multiplier", e["multiplier"], low=0, low_strict=True))
        start = checks.whole(f"events[{i}].start_month", e["start_month"], 1, unit="months")
        length = checks.whole(f"events[{i}].duration_months", e.get("duration_months", 1), 1, unit="months")
        lead = checks.whole(f"events[{i}].lead_time_months", e.get("lead_time_months", 0), 0, unit="months")
        active = (m >= start) & (m < start + length)
        ready = (m >= start - lead) & (m < start + length)
        load = np.where(active, np.maximum(load, k), load)
        prov = np.where(ready, np.maximum(prov, k), prov)
    return load, prov


def demand_paths(dau_now, growth_rate_per_month, usage_per_dau, peak_to_average, headroom, horizon_months,
                 load_multiplier=1.0, provisioned_multiplier=1.0, capacity_per_unit=1.0,
                 usd_per_unit_month=0.0) -> dict:
    """Month by month: average and peak load, the capacity provisioned and what it costs.

    Parameters
    ----------
    dau_now, growth_rate_per_month : float or array_like
        DAU in month 1 and its organic growth per month (decimal).
    usage_per_dau : float or array_like
        Average load per DAU (load unit per user).
    peak_to_average : float or array_like
        Peak over average load (>= 1; `peak_to_average_ratio` of an hourly shape).
    headroom : float or array_like
        Buffer above the peak forecast (decimal).
    horizon_months : int
        Months.
    load_multiplier, provisioned_multiplier : float or array_like
        Inorganic events per month (`event_multipliers`).
    capacity_per_unit : float
        Load one unit of capacity (a server, a GPU) serves.
    usd_per_unit_month : float or array_like
        Cost of one unit of capacity for a month (USD).

    Returns
    -------
    dict of numpy.ndarray
        ``dau``, ``average_load``, ``organic_peak_load``, ``peak_load`` (with events), ``capacity_load``
        (peak with headroom, pre-provisioned), ``units`` (whole units) and ``cost_usd_per_month``.

    Notes
    -----
    :math:`\\bar{L}_m = DAU_1 (1+g)^{m-1} u`, :math:`\\hat{L}_m = \\bar{L}_m r L_m`,
    capacity :math:`C_m = \\bar{L}_m r P_m (1 + h)` (the seed's equation at the peak),
    units :math:`\\lceil C_m / c \\rceil`, cost :math:`= units \\times p`.

    References
    ----------
    Seed section IV.2 (the translation layer, peak vs average, organic vs inorganic).

    Examples
    --------
    >>> d = demand_paths(1_000_000, 0.0, 0.002, 5.0, 0.2, 2, capacity_per_unit=1_000, usd_per_unit_month=500)
    >>> d["average_load"].tolist(), d["capacity_load"].tolist(), d["units"].tolist()  # 2k avg, 10k peak, +20%
    ([2000.0, 2000.0], [12000.0, 12000.0], [12.0, 12.0])
    """
    dau = growth_path(dau_now, growth_rate_per_month, horizon_months)
    u = checks.number("usage_per_dau", usage_per_dau, low=0)
    r = checks.number("peak_to_average", peak_to_average, low=1)
    h = checks.number("headroom", headroom, low=0)
    average = dau * u
    organic_peak = average * r
    peak = organic_peak * np.asarray(load_multiplier, dtype=float)
    capacity = organic_peak * np.asarray(provisioned_multiplier, dtype=float) * (1 + h)
    units = capacity_units(capacity, capacity_per_unit)
    return {"dau": dau, "average_load": average, "organic_peak_load": organic_peak, "peak_load": peak,
            "capacity_load": capacity, "units": units,
            "cost_usd_per_month": units * np.asarray(usd_per_unit_month, dtype=float)}


# ---------------------------------------------------------------------------------------------------
# 4. Cost cliffs: step functions and the limits that force a re-architecture.


def capacity_units(load, capacity_per_unit):
    """Whole units of capacity for a load: ``ceil(load / capacity per unit)``.

    Parameters
    ----------
    load : float or array_like
        Load to serve (>= 0), in the load unit.
    capacity_per_unit : float or array_like
        Load one unit serves (> 0).

    Returns
    -------
    float or numpy.ndarray

    Notes
    -----
    :math:`n = \\lceil L / c \\rceil`, with a relative tolerance of 1e-9 so that a load of exactly
    ``k c`` needs ``k`` units, not ``k + 1``.

    References
    ----------
    Seed section IV.4, "The Step Function Cost Cliff".

    Examples
    --------
    >>> capacity_units([100_000, 100_001], 100_000).tolist()  # at the limit, one past it
    [1.0, 2.0]
    """
    load = checks.number("load", load, low=0)
    c = checks.number("capacity_per_unit", capacity_per_unit, low=0, low_strict=True)
    return checks.out(np.ceil(load / c - _EPS * np.maximum(1.0, load / c)))


def tier_costs(load, tiers: Sequence[dict]) -> dict:
    """Cost of serving a load on the first architecture tier whose limit holds it.

    Parameters
    ----------
    load : float or array_like
        Load (writes/s, requests/s), >= 0.
    tiers : sequence of dict
        In order, each ``{"max_load", "capacity_per_unit", "usd_per_unit_month", "overhead_multiple"}``:
        the tier serves loads up to ``max_load`` (None: unlimited) with whole units of ``capacity_per_unit``;
        ``overhead_multiple`` scales the bill for coordination (the seed's sharded cluster at 3x).

    Returns
    -------
    dict of numpy.ndarray
        ``tier`` (index, -1 beyond every limit), ``units`` and ``cost_usd_per_month`` (NaN beyond every
        limit: no architecture on the list serves it).

    Notes
    -----
    Tier :math:`t(L) = \\min\\{t : L \\le M_t\\}`; cost :math:`\\lceil L / c_t \\rceil\\, p_t\\, o_t`.

    References
    ----------
    Seed section IV.4: a single primary to 100k writes/s, then a sharded cluster with 3x the overhead.

    Examples
    --------
    >>> tiers = [{"max_load": 100_000, "capacity_per_unit": 100_000, "usd_per_unit_month": 20_000},
    ...          {"max_load": None, "capacity_per_unit": 25_000, "usd_per_unit_month": 5_000,
    ...           "overhead_multiple": 3.0}]
    >>> tier_costs([100_000, 100_001], tiers)["cost_usd_per_month"].tolist()  # 1 x 20k; 5 shards x 5k x 3
    [20000.0, 75000.0]
    """
    load = np.atleast_1d(checks.number("load", load, low=0))
    tier = np.full(load.shape, -1)
    units = np.full(load.shape, np.nan)
    cost = np.full(load.shape, np.nan)
    for i in reversed(range(len(tiers))):
        t = tiers[i]
        limit = np.inf if t.get("max_load") is None else float(t["max_load"])
        fits = load <= limit * (1 + _EPS)
        n = capacity_units(load, t["capacity_per_unit"])
        tier = np.where(fits, i, tier)
        units = np.where(fits, n, units)
        cost = np.where(fits, n * float(t["usd_per_unit_month"]) * float(t.get("overhead_multiple", 1.0)), cost)
    return {"tier": tier, "units": units, "cost_usd_per_month": cost}


def crossing_month(value_now, growth_rate_per_month, limit):
    """The (fractional) month in which a growing quantity reaches a limit: continuous, for goal seek.

    Parameters
    ----------
    value_now : float or array_like
        Month-1 value (> 0).
    growth_rate_per_month : float or array_like
        Decimal growth per month.
    limit : float or array_like
        The limit (> 0).

    Returns
    -------
    float or numpy.ndarray
        ``m`` with ``x_1 (1 + g) ** (m - 1) = limit``; 1 when already at or over the limit; inf when growth
        never gets there.

    Notes
    -----
    :math:`m^* = 1 + \\ln(M / x_1) / \\ln(1 + g)`.

    References
    ----------
    Seed section IV.4 (identify the cliff quarters in advance).

    Examples
    --------
    >>> round(crossing_month(50_000, 0.10, 100_000), 4)  # 1 + ln 2 / ln 1.1
    8.2725
    """
    x = checks.number("value_now", value_now, low=0, low_strict=True)
    g = checks.number("growth_rate_per_month", growth_rate_per_month, low=-1, low_strict=True)
    lim = checks.number("limit", limit, low=0, low_strict=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = 1 + np.log(lim / x) / np.log1p(g)
    m = np.where(x >= lim, 1.0, np.where(g > 0, m, np.inf))
    return checks.out(m)


def first_month_above(path, limit):
    """First month (1-based) in which a path exceeds a limit, or `costlib.timing.NEVER`.

    Examples
    --------
    >>> first_month_above([90, 100, 101, 120], 100), first_month_above([1, 2], 5) is None
    (3, True)
    """
    p = checks.floats("path", path)
    over = np.nonzero(p > float(limit) * (1 + _EPS))[0]
    return timing.NEVER if over.size == 0 else int(over[0]) + 1


def cliff_calendar(limits: Sequence[dict], p50_path, p90_path, horizon_months: int) -> pd.DataFrame:
    """The cliff calendar: when the P50 and P90 demand cross each limit, and when work must start.

    Parameters
    ----------
    limits : sequence of dict
        Each ``{"name", "max_load", "lead_time_months"}``: the limit and the months a re-architecture takes.
    p50_path, p90_path : array_like
        Median and 90th-percentile load, months 1..H.
    horizon_months : int
        For the words of "never".

    Returns
    -------
    pandas.DataFrame
        ``limit, max_load, lead_time_months, p50_crossing_month, p90_crossing_month, start_by_month``
        (the P90 crossing minus the lead time, at least 1 meaning "now"; None: not within the horizon),
        ``late`` (the lead time is longer than the months left before the P90 crossing).

    Notes
    -----
    Planning on the P90 crossing is the cautious rule: 90% of the demand paths cross later.
    :math:`start = \\max(1, m_{90} - \\ell)`.

    References
    ----------
    Seed section IV.4: "identify these cliffs quarters in advance so re-architecture happens before".

    Examples
    --------
    >>> cal = cliff_calendar([{"name": "primary", "max_load": 100, "lead_time_months": 2}],
    ...                      [80, 90, 100, 110, 120], [90, 105, 120, 130, 140], 5)
    >>> r = cal.iloc[0]
    >>> r["p50_crossing_month"], r["p90_crossing_month"], r["start_by_month"], bool(r["late"])
    (4, 2, 1, True)
    """
    rows = []
    for lim in limits:
        m50 = first_month_above(p50_path, lim["max_load"])
        m90 = first_month_above(p90_path, lim["max_load"])
        lead = int(lim.get("lead_time_months", 0))
        start = None if m90 is None else max(1, m90 - lead)
        rows.append({"limit": lim["name"], "max_load": float(lim["max_load"]), "lead_time_months": lead,
                     "p50_crossing_month": m50, "p90_crossing_month": m90, "start_by_month": start,
                     "late": bool(m90 is not None and m90 - lead < 1)})
    columns = ["limit", "max_load", "lead_time_months", "p50_crossing_month", "p90_crossing_month",
               "start_by_month", "late"]
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object if "month" in c and c != "lead_time_months"
                                      else None) for c in columns})


# ---------------------------------------------------------------------------------------------------
# 2. A statistical baseline from history.


def seasonal_naive_forecast(history, period: int, horizon_months: int, coverage: float = 0.8) -> pd.DataFrame:
    """Seasonal-naive forecast: each month repeats the same month a season ago, with prediction intervals.

    Parameters
    ----------
    history : array_like
        Monthly values, oldest first, at least one full season.
    period : int
        Season length in months (12).
    horizon_months : int
        Months ahead.
    coverage : float
        Central coverage of the interval (0.8 gives P10 and P90).

    Returns
    -------
    pandas.DataFrame
        ``step, p10, p50, p90`` (the interval's lower and upper ends named for 80% coverage).

    Notes
    -----
    :math:`\\hat y_{T+h} = y_{T+h-s(k+1)}` with :math:`k = \\lfloor (h-1)/s \\rfloor`; interval
    :math:`\\hat y \\pm z\\, \\hat\\sigma \\sqrt{k+1}`, :math:`\\hat\\sigma` the RMS of the seasonal differences.

    References
    ----------
    Hyndman and Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed. (2021), 5.2 and 5.5
    (seasonal naive method, benchmark prediction intervals).

    Examples
    --------
    >>> f = seasonal_naive_forecast([1, 2, 3, 4, 1, 2, 3, 4], 4, 5)
    >>> f["p50"].tolist()
    [1.0, 2.0, 3.0, 4.0, 1.0]
    """
    y = checks.floats("history", history)
    s = checks.whole("period", period, 1)
    require(y.ndim == 1 and y.size >= s + 1, "history", f"{y.size} values",
            f"expected at least one season plus one month ({s + 1} values)")
    h = np.arange(1, checks.whole("horizon_months", horizon_months, 1) + 1)
    k = (h - 1) // s
    point = y[y.size - s + (h - 1) % s]
    sigma = float(np.sqrt(np.mean((y[s:] - y[:-s]) ** 2)))
    z = stats.norm.ppf(0.5 + coverage / 2)
    half = z * sigma * np.sqrt(k + 1)
    return pd.DataFrame({"step": h, "p10": point - half, "p50": point, "p90": point + half})


def seasonal_trend_forecast(history, period: int, horizon_months: int, coverage: float = 0.8) -> pd.DataFrame:
    """A seasonal model: log-linear trend with monthly seasonal factors (OLS), with prediction intervals.

    Parameters
    ----------
    history : array_like
        Monthly values (> 0), oldest first, at least two full seasons.
    period : int
        Season length (12).
    horizon_months : int
        Months ahead.
    coverage : float
        Central coverage of the interval.

    Returns
    -------
    pandas.DataFrame
        ``step, p10, p50, p90``.

    Notes
    -----
    :math:`\\ln y_t = a + b t + \\sum_{j=1}^{s-1} c_j [t \\bmod s = j] + \\varepsilon_t` fitted by least
    squares; the forecast is :math:`\\exp(\\hat{\\ln y})` (the median) with the OLS prediction interval
    :math:`\\pm t_{n-p}\\, \\hat\\sigma \\sqrt{1 + x_0^T (X^T X)^{-1} x_0}` on the log scale. Growth
    compounds (a constant rate per month) and the season is multiplicative, as in usage and cost series.

    References
    ----------
    Hyndman and Athanasopoulos (2021), 7.4 (trend and seasonal dummies) and 7.6 (prediction intervals of a
    regression).

    Examples
    --------
    >>> t = np.arange(36)
    >>> y = 100 * 1.02 ** t * np.tile([0.9, 1.0, 1.1, 1.0], 9)
    >>> f = seasonal_trend_forecast(y, 4, 4)
    >>> np.allclose(f["p50"], 100 * 1.02 ** np.arange(36, 40) * np.array([0.9, 1.0, 1.1, 1.0]))
    True
    """
    y = checks.number("history", history, low=0, low_strict=True)
    s = checks.whole("period", period, 1)
    require(y.ndim == 1 and y.size >= 2 * s + 2, "history", f"{y.size} values",
            f"expected at least two seasons plus two months ({2 * s + 2} values)")
    n = y.size

    def design(t):
        x = np.zeros((t.size, 2 + s - 1))
        x[:, 0], x[:, 1] = 1.0, t
        for j in range(1, s):
            x[:, 1 + j] = (t % s) == j
        return x

    t = np.arange(n, dtype=float)
    x = design(t)
    beta, *_ = np.linalg.lstsq(x, np.log(y), rcond=None)
    resid = np.log(y) - x @ beta
    dof = max(n - x.shape[1], 1)
    sigma = float(np.sqrt(resid @ resid / dof))
    h = np.arange(1, checks.whole("horizon_months", horizon_months, 1) + 1)
    x0 = design(np.arange(n, n + h.size, dtype=float))
    xtx_inv = np.linalg.pinv(x.T @ x)
    se = sigma * np.sqrt(1 + np.einsum("ij,jk,ik->i", x0, xtx_inv, x0))
    q = stats.t.ppf(0.5 + coverage / 2, dof)
    mid = x0 @ beta
    return pd.DataFrame({"step": h, "p10": np.exp(mid - q * se), "p50": np.exp(mid), "p90": np.exp(mid + q * se)})


def mase(actual, forecast, training, period: int) -> float:
    """Mean absolute scaled error: forecast errors over the in-sample seasonal-naive error.

    Parameters
    ----------
    actual, forecast : array_like
        Held-out values and their forecasts.
    training : array_like
        The history the forecast was made from.
    period : int
        Season length of the scaling benchmark.

    Returns
    -------
    float
        Below 1: better than the seasonal-naive method in-sample. A training series that repeats exactly
        (zero scale) gives 0 for a perfect forecast and inf otherwise.

    Notes
    -----
    :math:`MASE = \\frac{\\frac{1}{h}\\sum |y_t - \\hat y_t|}{\\frac{1}{T-s}\\sum_{t>s} |y_t - y_{t-s}|}`.

    References
    ----------
    Hyndman, R. J. and Koehler, A. B. (2006). Another look at measures of forecast accuracy. International
    Journal of Forecasting 22(4), 679-688.

    Examples
    --------
    >>> mase([10, 12], [11, 12], [1, 2, 3, 4, 5, 6], 2)  # mean error 0.5 over seasonal-naive error 2
    0.25
    """
    a, f, y = checks.floats("actual", actual), checks.floats("forecast", forecast), checks.floats("training", training)
    s = checks.whole("period", period, 1)
    require(y.size > s, "training", f"{y.size} values", f"expected more than one season ({s}) of values")
    scale = float(np.mean(np.abs(y[s:] - y[:-s])))
    err = float(np.mean(np.abs(a - f)))
    if scale == 0:  # a series that repeats exactly: a perfect forecast scores 0, any error is infinitely worse
        return 0.0 if err == 0 else math.inf
    return err / scale


def backtest(history, period: int, holdout_months: int) -> pd.DataFrame:
    """Score the seasonal model against the seasonal-naive benchmark on the last months of history.

    Parameters
    ----------
    history : array_like
        Monthly values, oldest first.
    period : int
        Season length.
    holdout_months : int
        Months held out at the end; both models forecast them from the months before.

    Returns
    -------
    pandas.DataFrame
        ``model, mase, mape, chosen``: one row per model (``seasonal_trend`` and ``seasonal_naive``);
        ``chosen`` marks the lower MASE (the benchmark wins ties: the simpler model). A history with a
        zero or negative month falls back to seasonal naive alone (the log-linear model needs values
        above zero); MAPE is NaN where a held-out month is zero.

    Notes
    -----
    One forecast origin at ``T - holdout``; MASE scaled by the training part's seasonal-naive error
    (`mase`), MAPE :math:`= \\frac{1}{h}\\sum |y - \\hat y| / y`. Workbook 04 scores more models from
    several origins with `costlib.forecast_models.backtest`.

    References
    ----------
    Hyndman and Athanasopoulos (2021), 5.8 (evaluating point forecast accuracy, train and test sets).

    Examples
    --------
    >>> y = 100 * 1.03 ** np.arange(48) * np.tile([0.8, 1.0, 1.2, 1.0], 12)
    >>> backtest(y, 4, 8).set_index("model")["chosen"].to_dict()
    {'seasonal_trend': True, 'seasonal_naive': False}
    >>> backtest(np.r_[0.0, y[1:]], 4, 8)["model"].tolist()  # a zero month: seasonal naive alone
    ['seasonal_naive']
    """
    y = checks.floats("history", history)
    hold = checks.whole("holdout_months", holdout_months, 1)
    require(y.size - hold >= 2 * period + 2, "holdout_months", hold,
            f"expected at least {2 * period + 2} months of history before the holdout")
    train, test = y[:-hold], y[-hold:]
    rows = []
    models = (("seasonal_trend", seasonal_trend_forecast), ("seasonal_naive", seasonal_naive_forecast))
    for name, fn in models[0 if np.all(y > 0) else 1:]:
        f = fn(train, period, hold)["p50"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            mape = float(np.mean(np.abs(test - f) / np.abs(test))) if np.all(test != 0) else math.nan
        rows.append({"model": name, "mase": mase(test, f, train, period), "mape": mape})
    frame = pd.DataFrame(rows)
    frame["chosen"] = frame["mase"] == frame["mase"].min()
    if frame["chosen"].sum() > 1:
        frame["chosen"] = frame["model"] == "seasonal_naive"
    return frame


# ---------------------------------------------------------------------------------------------------
# 3. Buffer size: idle capacity against brownouts.


def buffer_tradeoff(headrooms, forecast_load, demand_samples, usd_per_load_month, brownout_usd_per_hour,
                    hours_at_risk_per_month) -> pd.DataFrame:
    """For each headroom, the cost of the capacity, of its idle part, and of the brownouts it leaves.

    Parameters
    ----------
    headrooms : array_like
        Buffers above the forecast, decimal (0.10 to 0.50).
    forecast_load : float
        The forecast peak load the buffer sits on.
    demand_samples : array_like
        Draws of the actual peak load (any shape; pooled).
    usd_per_load_month : float
        Cost of capacity for one unit of load for the period (USD).
    brownout_usd_per_hour : float
        Cost of an hour of degraded service (lost revenue, credits), USD.
    hours_at_risk_per_month : float
        Hours in the period at the peak, when demand above capacity causes a brownout.

    Returns
    -------
    pandas.DataFrame
        ``headroom, capacity_load, capacity_usd, idle_usd, brownout_probability, brownout_usd, expected_usd``.

    Notes
    -----
    Capacity :math:`C = F (1 + h)`; idle :math:`= p\\,E[(C - D)^+]`; brownout probability
    :math:`P(D > C)`; expected cost :math:`p C + B\\, H\\, P(D > C)`. Idle cost never falls as headroom
    rises (:math:`(C - D)^+` is non-decreasing in :math:`C`).

    References
    ----------
    Seed section IV.2, "Buffer Size (Risk vs. Waste)": +50% guarantees availability at the cost of idle
    capital, +10% risks brownouts.

    Examples
    --------
    >>> t = buffer_tradeoff([0.0, 0.5], 100.0, [80.0, 120.0], 1.0, 10.0, 1.0)
    >>> t[["idle_usd", "brownout_probability", "expected_usd"]].values.tolist()  # C = 100: idle 10, P 0.5
    [[10.0, 0.5, 105.0], [50.0, 0.0, 150.0]]
    """
    h = np.atleast_1d(checks.number("headrooms", headrooms, low=0))
    f = float(checks.number("forecast_load", forecast_load, low=0, low_strict=True))
    d = checks.number("demand_samples", demand_samples, low=0).ravel()
    p = float(checks.number("usd_per_load_month", usd_per_load_month, low=0))
    b = float(checks.number("brownout_usd_per_hour", brownout_usd_per_hour, low=0))
    hours = float(checks.number("hours_at_risk_per_month", hours_at_risk_per_month, low=0))
    cap = f * (1 + h)
    idle = np.array([np.mean(np.maximum(c - d, 0.0)) for c in cap]) * p
    prob = np.array([np.mean(d > c) for c in cap])
    return pd.DataFrame({"headroom": h, "capacity_load": cap, "capacity_usd": cap * p, "idle_usd": idle,
                         "brownout_probability": prob, "brownout_usd": prob * b * hours,
                         "expected_usd": cap * p + prob * b * hours})


def best_headroom(forecast_load, demand_samples, usd_per_load_month, brownout_usd_per_hour,
                  hours_at_risk_per_month, max_headroom: float = 1.0, step: float = 0.01) -> float:
    """The headroom that minimises the expected cost of `buffer_tradeoff`, on a grid of ``step``.

    Notes
    -----
    :math:`h^* = \\arg\\min_h\\; p F (1+h) + B H P(D > F(1+h))`, searched on ``0, step, .., max``.

    References
    ----------
    Seed section IV.2 (buffer size); the same trade-off as the newsvendor (Arrow, Harris and Marschak, 1951).

    Examples
    --------
    >>> best_headroom(100.0, [80.0, 120.0], 1.0, 100.0, 1.0, step=0.1)  # cover 120 for 20 more, save 50
    0.2
    """
    grid = np.round(np.arange(0.0, max_headroom + step / 2, step), 10)
    t = buffer_tradeoff(grid, forecast_load, demand_samples, usd_per_load_month, brownout_usd_per_hour,
                        hours_at_risk_per_month)
    return float(t["headroom"].iloc[int(np.argmin(t["expected_usd"].to_numpy()))])


def best_headroom_brownout_price_range(forecast_load, demand_samples, usd_per_load_month, brownout_usd_per_hour,
                                       hours_at_risk_per_month, max_headroom: float = 1.0,
                                       step: float = 0.01) -> tuple[float | None, float | None]:
    """The brownout prices between which `best_headroom` keeps its answer: the headroom verdict's own flip.

    Parameters
    ----------
    forecast_load, demand_samples, usd_per_load_month, brownout_usd_per_hour, hours_at_risk_per_month
        As for `buffer_tradeoff` (the price of an hour of brownout in USD, the others at their values).
    max_headroom, step : float
        The grid `best_headroom` searches.

    Returns
    -------
    (float or None, float or None)
        ``(low, high)``, USD per hour: the best headroom is the same for every price in ``(low, high]``;
        at or below ``low`` a smaller headroom is best, above ``high`` a larger one (at the ends themselves, up
        to rounding: two headrooms tie there). None where no price
        (>= 0, or however high) moves it that way.

    Notes
    -----
    On the grid, headroom :math:`h` costs :math:`a_h + B H \\pi_h` with :math:`a_h = p F (1 + h)` (rising in
    :math:`h`) and :math:`\\pi_h = P(D > F(1+h))` (falling): a line in the brownout price :math:`B`. The
    best :math:`h^*` (the first minimum) stays best while no other line is below it:

    .. math:: B_{low} = \\max_{h < h^*,\\ \\pi_h > \\pi_*} \\frac{a_* - a_h}{H (\\pi_h - \\pi_*)}, \\qquad
              B_{high} = \\min_{h > h^*,\\ \\pi_h < \\pi_*} \\frac{a_h - a_*}{H (\\pi_* - \\pi_h)}.

    At :math:`B_{low}` a smaller headroom ties and, being first, is chosen; at :math:`B_{high}` the tie
    keeps :math:`h^*`.

    References
    ----------
    Seed section IV.2 (buffer size: risk vs waste); the lower envelope of lines, as in the newsvendor's
    sensitivity to its underage cost.

    Examples
    --------
    Forecast 100, demand 80 or 120, $1 a unit of load, one hour at risk: headroom 0 costs 100 + B/2, headroom
    0.2 (covers 120) costs 120. Best at B = 100: 0.2 (120 < 150); 0 is best again for B <= 40.

    >>> best_headroom_brownout_price_range(100.0, [80.0, 120.0], 1.0, 100.0, 1.0, step=0.1)
    (40.0, None)
    """
    hours = float(checks.number("hours_at_risk_per_month", hours_at_risk_per_month, low=0))
    t = buffer_tradeoff(np.round(np.arange(0.0, max_headroom + step / 2, step), 10), forecast_load, demand_samples,
                        usd_per_load_month, brownout_usd_per_hour, hours)
    a, pi = t["capacity_usd"].to_numpy(), t["brownout_probability"].to_numpy()
    i = int(np.argmin(t["expected_usd"].to_numpy()))
    if hours == 0:
        return None, None
    lower = [(a[i] - a[j]) / (hours * (pi[j] - pi[i])) for j in range(i) if pi[j] > pi[i]]
    upper = [(a[j] - a[i]) / (hours * (pi[i] - pi[j])) for j in range(i + 1, len(a)) if pi[j] < pi[i]]
    low = max(lower) if lower else None
    return (float(low) if low is not None and low > 0 else None), (float(min(upper)) if upper else None)


def step_flips(verdict, base_value: float, low: float, high: float, rtol: float = 1e-9,
               max_iter: int = 200) -> tuple[float | None, float | None]:
    """Where a verdict that is a monotone step function of one input first changes, below and above its base.

    Parameters
    ----------
    verdict : callable
        ``verdict(x)`` for one input value (a count of units, a label); monotone in ``x``, so the values
        giving the base verdict form one interval.
    base_value : float
        The input today.
    low, high : float
        The range searched (``low <= base_value <= high``).
    rtol : float
        Relative precision of the flip values.

    Returns
    -------
    (float or None, float or None)
        ``(below, above)``: the largest value below the base and the smallest above it at which the verdict
        differs (to ``rtol``); None where it stays the same out to ``low`` or ``high``.

    Notes
    -----
    Bisection on the predicate ``verdict(x) == verdict(base)``, which holds on an interval around the base:
    it keeps one end where the verdict is the base's and one where it is not, and halves the gap.

    References
    ----------
    R. L. Burden and J. D. Faires, Numerical Analysis, 2.1 (bisection); seed section IV.2 (capacity is
    bought in whole units).

    Examples
    --------
    Servers for a load of 1,000 x DAU / 1M at 100 per server: 10 at 1M DAU; 11 above 1M, 9 at or below 0.9M.

    >>> servers = lambda dau: capacity_units(1_000 * dau / 1e6, 100)
    >>> below, above = step_flips(servers, 1e6, 1.0, 1e7)
    >>> round(below), round(above)
    (900000, 1000000)
    """
    x0, lo_bound, hi_bound = float(base_value), float(low), float(high)
    require(lo_bound <= x0 <= hi_bound, "base_value", base_value, f"expected a value between {low} and {high}")
    at_base = verdict(x0)

    def search(same: float, other: float):
        if verdict(other) == at_base:
            return None
        for _ in range(max_iter):
            if abs(other - same) <= rtol * max(abs(same), abs(other), 1.0):
                break
            mid = (same + other) / 2
            if verdict(mid) == at_base:
                same = mid
            else:
                other = mid
        return float(other)

    return search(x0, lo_bound), search(x0, hi_bound)


# ---------------------------------------------------------------------------------------------------
# 5. How much to commit: the newsvendor.


def critical_ratio(discount, shortfall_premium=0.0) -> float:
    """The newsvendor's critical ratio for a commitment: the demand quantile that minimises expected cost.

    Parameters
    ----------
    discount : float
        Committed rate = (1 - discount) x on-demand rate; decimal in [0, 1).
    shortfall_premium : float
        Usage above the commitment costs (1 + premium) x the on-demand rate (throttled, bought on a spot or
        secondary market when capacity is scarce); decimal >= 0, 0 when it is plain on demand.

    Returns
    -------
    float
        :math:`(d + p) / (1 + p)`, in [0, 1).

    Notes
    -----
    With on-demand rate :math:`r`, a committed unit costs :math:`(1-d) r` used or not and a unit above the
    commitment costs :math:`r_s = (1+p) r`. The expected cost of committing :math:`c` units is

    .. math:: E[C(c)] = (1-d)\\,r\\,c + r_s\\,E[(D-c)^+],

    and since :math:`\\frac{d}{dc} E[(D-c)^+] = -P(D > c)`, its derivative is
    :math:`(1-d) r - (1+p) r\\,P(D > c)`, increasing in :math:`c` (the cost is convex). It is zero where

    .. math:: P(D > c^*) = \\frac{1-d}{1+p}, \\qquad
              P(D \\le c^*) = 1 - \\frac{1-d}{1+p} = \\frac{d + p}{1 + p}.

    This is the critical ratio :math:`c_u / (c_u + c_o)` with underage cost :math:`c_u = r_s - (1-d) r =
    (d + p) r` (a unit bought above the commitment instead of committed) and overage cost
    :math:`c_o = (1-d) r` (a shelfware unit). With no premium it is the discount alone; a premium moves it
    towards 1 (commit more). For demand N(100, 10), a 30% discount and a +50% premium the ratio is
    0.8 / 1.5 = 0.5333, :math:`c^* = 100 + 10\\,\\Phi^{-1}(0.5333) = 100.84` units, where the discount
    quantile alone would commit 94.76.

    References
    ----------
    Arrow, Harris and Marschak (1951), Optimal inventory policy, Econometrica 19(3); Porteus, E. L. (2002),
    *Foundations of Stochastic Inventory Theory*, ch. 1 (the newsvendor's critical fractile); seed section
    I.3 (under-forecast: pay on-demand rates or be throttled).

    Examples
    --------
    >>> critical_ratio(0.3)
    0.3
    >>> round(critical_ratio(0.3, 0.5), 6)  # (0.3 + 0.5) / 1.5
    0.533333
    """
    disc = float(checks.number("discount", discount, low=0, high=1, high_strict=True))
    prem = float(checks.number("shortfall_premium", shortfall_premium, low=0))
    return (disc + prem) / (1 + prem)


def newsvendor_commitment(demand_samples, discount, shortfall_premium=0.0) -> float:
    """The commitment that minimises expected cost: the demand quantile at the critical ratio.

    Parameters
    ----------
    demand_samples : array_like
        Draws of the usage a commitment would cover (units per hour or month, pooled over the term).
    discount : float
        Committed rate = (1 - discount) x on-demand rate; decimal in [0, 1).
    shortfall_premium : float
        Usage above the commitment costs (1 + premium) x on-demand; decimal >= 0 (default 0: on demand).

    Returns
    -------
    float
        Units to commit.

    Notes
    -----
    :math:`c^* = F_D^{-1}\\big((d + p) / (1 + p)\\big)`, the empirical quantile of the draws at
    `critical_ratio` (derived there). With no premium the ratio is the discount: for N(100, 20) and
    ``d = 0.3``, :math:`100 + 20\\, \\Phi^{-1}(0.3) = 89.51`.

    References
    ----------
    Arrow, Harris and Marschak (1951), Optimal inventory policy, Econometrica 19(3); Porteus, E. L. (2002),
    *Foundations of Stochastic Inventory Theory*, ch. 1; seed section I.3 (committed-use discounts).

    Examples
    --------
    >>> d = np.random.default_rng(0).normal(100, 20, 400_000)
    >>> round(newsvendor_commitment(d, 0.3), 1)
    89.5
    >>> round(newsvendor_commitment(d, 0.3, 0.5), 0)  # 100 + 20 x Phi^-1(0.5333) = 101.7
    102.0
    """
    d = checks.number("demand_samples", demand_samples).ravel()
    return float(np.quantile(d, critical_ratio(discount, shortfall_premium)))


def commitment_cost(commitment_units, demand_samples, on_demand_usd_per_unit, discount,
                    shortfall_usd_per_unit=None) -> dict:
    """Expected cost of a commitment level, and what it is made of.

    Parameters
    ----------
    commitment_units : float or array_like
        Units committed (one value, or a grid: the result has one value per level).
    demand_samples : array_like
        Usage draws (units), pooled.
    on_demand_usd_per_unit : float
        Price of one unit on demand for one period of a draw (an hour, a month).
    discount : float
        Committed price = (1 - discount) x on-demand.
    shortfall_usd_per_unit : float, optional
        Price of usage above the commitment when not the on-demand rate (spot premium, throttling cost);
        default the on-demand rate.

    Returns
    -------
    dict of numpy.ndarray
        ``expected_usd`` (per draw-period), ``committed_usd``, ``shelfware_usd`` (committed, unused),
        ``overflow_usd`` (usage above it), ``on_demand_only_usd``, ``savings_usd`` (against all on demand),
        ``utilization`` (used / committed) and ``coverage`` (covered / used).

    Notes
    -----
    :math:`E[C] = (1-d) r c + r_s E[(D-c)^+]`; shelfware :math:`(1-d) r E[(c-D)^+]`; utilization
    :math:`E[\\min(D,c)]/c`; coverage :math:`E[\\min(D,c)]/E[D]`.

    References
    ----------
    Seed section I.3 (over-forecast: charged for wasted cores; under-forecast: on-demand or throttled);
    FinOps Foundation, *Rate optimization: commitment utilization and coverage*.

    Examples
    --------
    >>> c = commitment_cost(100.0, [50.0, 150.0], 1.0, 0.3)
    >>> [round(float(c[k]), 6) for k in ("expected_usd", "shelfware_usd", "utilization", "coverage")]
    [95.0, 17.5, 0.75, 0.75]
    """
    c = np.atleast_1d(checks.number("commitment_units", commitment_units, low=0))
    d = checks.number("demand_samples", demand_samples, low=0).ravel()
    r = float(checks.number("on_demand_usd_per_unit", on_demand_usd_per_unit, low=0))
    disc = float(checks.number("discount", discount, low=0, high=1, high_strict=True))
    rs = r if shortfall_usd_per_unit is None else float(shortfall_usd_per_unit)
    ds = np.sort(d)
    prefix = np.concatenate([[0.0], np.cumsum(ds)])
    k = np.searchsorted(ds, c, side="right")  # draws at or below each level
    below_sum = prefix[k]
    used = (below_sum + c * (d.size - k)) / d.size  # E[min(D, c)]
    over = (prefix[-1] - below_sum) / d.size - c * (d.size - k) / d.size  # E[(D - c)+]
    unused = c - used
    mean = prefix[-1] / d.size
    committed = (1 - disc) * r * c
    expected = committed + rs * over
    with np.errstate(invalid="ignore", divide="ignore"):
        util = np.where(c > 0, used / np.where(c > 0, c, 1.0), np.nan)
        cover = used / mean if mean > 0 else np.full(c.shape, np.nan)
    out = {"expected_usd": expected, "committed_usd": committed, "shelfware_usd": (1 - disc) * r * unused,
           "overflow_usd": rs * over, "on_demand_only_usd": np.full(c.shape, r * mean),
           "savings_usd": r * mean - expected, "utilization": util, "coverage": cover}
    return {k: (v[0] if np.ndim(commitment_units) == 0 else v) for k, v in out.items()}


def commitment_curve(demand_samples, on_demand_usd_per_unit, discount, points: int = 61,
                     shortfall_usd_per_unit=None) -> pd.DataFrame:
    """Savings against commitment: `commitment_cost` on a grid from 0 to the largest draw.

    Returns
    -------
    pandas.DataFrame
        ``commitment_units`` and the columns of `commitment_cost`.

    Notes
    -----
    The curve rises while :math:`P(D > c) > 1 - d` and falls after: its top is the newsvendor optimum.

    References
    ----------
    Porteus (2002), ch. 1.

    Examples
    --------
    >>> t = commitment_curve([50.0, 150.0], 1.0, 0.3, points=4)
    >>> t["commitment_units"].tolist(), t["savings_usd"].round(6).tolist()
    ([0.0, 50.0, 100.0, 150.0], [0.0, 15.0, 5.0, -5.0])
    """
    d = checks.number("demand_samples", demand_samples, low=0).ravel()
    grid = np.linspace(0.0, float(d.max()), points)
    frame = pd.DataFrame(commitment_cost(grid, d, on_demand_usd_per_unit, discount, shortfall_usd_per_unit))
    frame.insert(0, "commitment_units", grid)
    return frame


def commitment_regret(commitment_units, demand_path, on_demand_usd_per_unit, discount,
                      shortfall_usd_per_unit=None) -> dict:
    """What a commitment costs on one demand path against the best commitment with hindsight.

    Parameters
    ----------
    commitment_units : float
        The level committed.
    demand_path : array_like
        One realised usage path (the P10 or P90 path), pooled.
    on_demand_usd_per_unit, discount, shortfall_usd_per_unit :
        As in `commitment_cost`.

    Returns
    -------
    dict
        ``cost_usd``, ``hindsight_units`` (the best level on the path), ``hindsight_cost_usd``,
        ``regret_usd``, ``shelfware_usd`` and ``overflow_usd`` on that path.

    Notes
    -----
    Regret :math:`= C(c; D) - \\min_{c' \\ge 0} C(c'; D)`. The hindsight minimum is found by brute force,
    not by the newsvendor formula: :math:`C(c'; D) = (1-d) r c' + r_s \\frac{1}{n}\\sum_i (D_i - c')^+` is
    piecewise linear and convex in :math:`c'` with kinks only at the draws, so its minimum over
    :math:`c' \\ge 0` is at 0 or at one of the draws; every one of them is evaluated. Regret is therefore
    never negative (no clamp: a negative value would be a defect, and shows).

    References
    ----------
    Savage, L. J. (1951). The theory of statistical decision (minimax regret). JASA 46(253), 55-67.

    Examples
    --------
    >>> r = commitment_regret(100.0, [50.0, 50.0], 1.0, 0.3)  # hindsight: commit 50, cost 35 x 2 = 70 / 2
    >>> round(r["regret_usd"], 6), round(r["shelfware_usd"], 6)  # 70 - 35 = 35 a period; 50 unused x 0.7
    (35.0, 35.0)
    """
    path = checks.number("demand_path", demand_path, low=0).ravel()
    at = commitment_cost(float(commitment_units), path, on_demand_usd_per_unit, discount, shortfall_usd_per_unit)
    candidates = np.unique(np.concatenate([[0.0], path]))
    costs = commitment_cost(candidates, path, on_demand_usd_per_unit, discount,
                            shortfall_usd_per_unit)["expected_usd"]
    i = int(np.argmin(costs))
    return {"cost_usd": float(at["expected_usd"]), "hindsight_units": float(candidates[i]),
            "hindsight_cost_usd": float(costs[i]),
            "regret_usd": float(at["expected_usd"] - costs[i]),
            "shelfware_usd": float(at["shelfware_usd"]), "overflow_usd": float(at["overflow_usd"])}


def tranche_ladder(demand_samples, discount, tranche_months: Sequence[int], on_demand_usd_per_unit=1.0,
                   shortfall_usd_per_unit=None) -> pd.DataFrame:
    """A ladder of commitments: part now, more later, each tranche sized on the months until the next.

    Parameters
    ----------
    demand_samples : array_like
        Usage draws of shape ``(n, M)`` (draws by month of the term) or ``(n, M, k)`` (hours within months).
    discount : float
        The committed discount (decimal).
    tranche_months : sequence of int
        The months (1-based, ascending, the first 1) at which a tranche is bought; each runs to the end.
    on_demand_usd_per_unit : float
        Price of a unit on demand per period of the draws.

    Returns
    -------
    pandas.DataFrame
        One row per tranche: ``tranche_month, level_units`` (total committed from that month),
        ``added_units``, and for the ladder as a whole ``expected_usd`` and ``single_commitment_usd`` (one
        level for the whole term, at the newsvendor optimum) on every row.

    Notes
    -----
    Tranche :math:`k` raises the committed level to the newsvendor quantile (at `critical_ratio`, the
    premium :math:`r_s / r - 1`) of demand in the
    months until the next tranche, :math:`[t_k, t_{k+1})` (never lowering it: a commitment runs to its end). Expected cost per period
    :math:`\\frac{1}{M}\\sum_m E[(1-d) r c_m + r (D_m - c_m)^+]`. For growing demand the ladder follows the
    growth and costs no more than one level (the single level is a ladder with equal steps).

    References
    ----------
    Seed section I.3 (forecast 1-3 years out, commit to a floor); Porteus (2002), ch. 1.

    Examples
    --------
    >>> d = np.array([[10.0, 20.0], [10.0, 20.0]])
    >>> t = tranche_ladder(d, 0.5, [1, 2])
    >>> t["level_units"].tolist(), float(t["expected_usd"].iloc[0]), float(t["single_commitment_usd"].iloc[0])
    ([10.0, 20.0], 7.5, 10.0)
    """
    d = checks.number("demand_samples", demand_samples, low=0)
    require(d.ndim >= 2, "demand_samples", d.shape, "expected draws by month: shape (n, months[, hours])")
    months = d.shape[1]
    starts = [checks.whole("tranche_months", t, 1, months, unit="months") for t in tranche_months]
    require(starts and starts[0] == 1 and starts == sorted(set(starts)), "tranche_months", list(tranche_months),
            "expected ascending months starting at 1")
    r = float(on_demand_usd_per_unit)
    rs = r if shortfall_usd_per_unit is None else float(shortfall_usd_per_unit)
    premium = max(0.0, rs / r - 1) if r > 0 else 0.0
    levels, level = [], 0.0
    ends = starts[1:] + [months + 1]
    for s, e in zip(starts, ends):
        level = max(level, newsvendor_commitment(d[:, s - 1:e - 1], discount, premium))
        levels.append(level)
    by_month = np.zeros(months)
    for s, lv in zip(starts, levels):
        by_month[s - 1:] = lv
    c = by_month.reshape((1, months) + (1,) * (d.ndim - 2))
    ladder = float(np.mean((1 - discount) * r * c + rs * np.maximum(d - c, 0.0)))
    single = float(commitment_cost(newsvendor_commitment(d, discount, premium), d, r, discount,
                                   shortfall_usd_per_unit)["expected_usd"])
    return pd.DataFrame({"tranche_month": starts, "level_units": levels,
                         "added_units": np.diff([0.0] + levels), "expected_usd": ladder,
                         "single_commitment_usd": single})


def generation_switch(committed_usd_per_month, remaining_commitment_months, new_generation_cost_ratio,
                      migration_usd, exit_share_of_remaining=1.0, horizon_months=36, available_month=1) -> dict:
    """Switch to a new hardware generation now, or sweat the committed assets to the end of the term.

    Parameters
    ----------
    committed_usd_per_month : float or array_like
        What the current generation costs a month (committed rate, for the work done today).
    remaining_commitment_months : float or array_like
        Months left on the commitment.
    new_generation_cost_ratio : float or array_like
        Cost of the same work on the new generation over the old (0.6: 40% cheaper per unit of work).
    migration_usd : float or array_like
        One-off cost of moving (engineering, re-qualification).
    exit_share_of_remaining : float or array_like
        Share of the remaining commitment still owed after switching (1: no exit, you keep paying;
        0: fully refundable or resold).
    horizon_months : int
        Months compared.
    available_month : int
        First month the new generation can be used (switch then).

    Returns
    -------
    dict
        ``sweat_usd`` and ``switch_usd`` over the horizon, ``switch_minus_sweat_usd`` (negative: switching
        pays) and ``break_even_remaining_months``: the remaining commitment below which switching pays.

    Notes
    -----
    With :math:`a` the committed monthly cost, :math:`R` months left, ratio :math:`k`, exit share
    :math:`e`, migration :math:`E`, horizon :math:`H` and switch at month 1:
    sweat :math:`= a \\min(R, H) + k a (H - \\min(R,H))` (the new generation after the term);
    switch :math:`= E + e\\, a \\min(R,H) + k a H`. Switching pays when
    :math:`E + e a R + k a R < a R`, i.e. :math:`R > E / (a (1 - e - k))` when :math:`1 - e - k > 0`,
    otherwise never: with no exit (:math:`e = 1`) the old commitment is paid anyway and the new work is
    extra. (``available_month`` delays the switch; months before it run on the old generation in both.)

    References
    ----------
    Seed section I.3, "Commitment vs. Agility": model the break-even of switching to new hardware against
    sweating the existing committed assets.

    Examples
    --------
    >>> g = generation_switch(100_000, 12, 0.6, 200_000, exit_share_of_remaining=0.2, horizon_months=12)
    >>> g["sweat_usd"], g["switch_usd"], round(g["break_even_remaining_months"], 4)  # 200k / (100k x 0.2)
    (1200000.0, 1160000.0, 10.0)
    """
    a = checks.number("committed_usd_per_month", committed_usd_per_month, low=0)
    rem = checks.number("remaining_commitment_months", remaining_commitment_months, low=0)
    k = checks.number("new_generation_cost_ratio", new_generation_cost_ratio, low=0)
    e_mig = checks.number("migration_usd", migration_usd, low=0)
    ex = checks.number("exit_share_of_remaining", exit_share_of_remaining, low=0, high=1)
    h = float(checks.whole("horizon_months", horizon_months, 1, unit="months"))
    s = float(checks.whole("available_month", available_month, 1, unit="months")) - 1  # months before switch
    held = np.minimum(rem, h)
    sweat = a * held + k * a * (h - held)
    before = np.minimum(s, held)  # months on the old generation before the switch
    left = held - before  # commitment months left when switching
    switch = a * before + e_mig + ex * a * left + k * a * (h - before)
    gap = a * (1 - ex - k)
    with np.errstate(divide="ignore", invalid="ignore"):
        breakeven = np.where(gap > 0, e_mig / np.where(gap > 0, gap, 1.0) + before, np.inf)
    return {"sweat_usd": checks.out(sweat), "switch_usd": checks.out(switch),
            "switch_minus_sweat_usd": checks.out(switch - sweat),
            "break_even_remaining_months": checks.out(breakeven)}


# ---------------------------------------------------------------------------------------------------
# 6. Glide path to profitability.


def lever_reduction(horizon_months, start_month, ramp_months, size):
    """A lever's cost reduction month by month: 0 before it starts, rising linearly to its size.

    Parameters
    ----------
    horizon_months : int
        Months.
    start_month : float or array_like
        First month with any effect (fractional months allowed, so the effect is continuous in it).
    ramp_months : float or array_like
        Months to reach full effect (> 0; 1 is a step).
    size : float or array_like
        Full reduction of the cost it applies to, decimal in [0, 1).

    Returns
    -------
    numpy.ndarray
        Reduction per month, shape ``(..., H)``.

    Notes
    -----
    :math:`r_m = s\\, \\mathrm{clip}((m - t_0 + 1) / \\rho, 0, 1)`.

    References
    ----------
    Seed section IV.3, "The Three Levers" (software optimization, hardware utilization, volume discounts).

    Examples
    --------
    >>> lever_reduction(5, 2, 2, 0.4).round(6).tolist()
    [0.0, 0.2, 0.4, 0.4, 0.4]
    """
    m = _months(horizon_months)
    t0 = np.asarray(checks.number("start_month", start_month), dtype=float)
    ramp = np.asarray(checks.number("ramp_months", ramp_months, low=0, low_strict=True), dtype=float)
    s = np.asarray(checks.number("size", size, low=0, high=1, high_strict=True), dtype=float)
    return s * np.clip((m - t0 + 1) / ramp, 0.0, 1.0)


def crossing_month_of_volume(volume_now, growth_rate_per_month, threshold):
    """The month a growing volume reaches a threshold (the migration trigger): `crossing_month`.

    Examples
    --------
    >>> round(crossing_month_of_volume(2e6, 0.15, 1e7), 4)  # 1 + ln 5 / ln 1.15
    12.5156
    """
    return crossing_month(volume_now, growth_rate_per_month, threshold)


def glide_path(revenue_usd_per_month_now, revenue_growth_rate_per_month, cost_usd_per_month_now,
               cost_growth_rate_per_month, horizon_months, reductions=()) -> dict:
    """Revenue, cost and gross margin month by month, with the levers' reductions applied.

    Parameters
    ----------
    revenue_usd_per_month_now, cost_usd_per_month_now : float or array_like
        Month-1 revenue and cost of serving it (USD/month), cost before any lever.
    revenue_growth_rate_per_month, cost_growth_rate_per_month : float or array_like
        Decimal growth per month (the seed's 20% vs 30% MoM).
    horizon_months : int
        Months.
    reductions : sequence of (array, share)
        Each lever as ``(reduction by month, share of the cost it applies to)``; they compound.

    Returns
    -------
    dict of numpy.ndarray
        ``revenue_usd``, ``cost_before_usd``, ``cost_usd``, ``gross_margin`` (by month),
        ``cumulative_gross_profit_usd``.

    Notes
    -----
    :math:`C_m = C_1 (1+g_c)^{m-1} \\prod_k (1 - a_k r_{k,m})`, :math:`R_m = R_1 (1+g_r)^{m-1}`,
    margin :math:`1 - C_m / R_m`. With costs growing faster than revenue the margin without levers falls
    by a factor :math:`((1+g_c)/(1+g_r))` in cost per dollar each month.

    References
    ----------
    Seed section IV.3 (the glide path) and interview questions III.1 and IV.1.

    Examples
    --------
    >>> g = glide_path(100.0, 0.2, 120.0, 0.2, 3, [(np.array([0.0, 0.25, 0.5]), 1.0)])
    >>> g["gross_margin"].round(6).tolist()  # cost/revenue 1.2, then 1.2 x 0.75 = 0.9, then 0.6
    [-0.2, 0.1, 0.4]
    """
    rev = growth_path(revenue_usd_per_month_now, revenue_growth_rate_per_month, horizon_months)
    before = growth_path(cost_usd_per_month_now, cost_growth_rate_per_month, horizon_months)
    factor = 1.0
    for reduction, share in reductions:
        factor = factor * (1 - np.asarray(share, dtype=float) * np.asarray(reduction, dtype=float))
    cost = before * factor
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = 1 - cost / rev
    return {"revenue_usd": rev, "cost_before_usd": before, "cost_usd": cost, "gross_margin": margin,
            "cumulative_gross_profit_usd": np.cumsum(rev - cost, axis=-1)}


def margin_waterfall(margin_without_levers: float, margins_adding_each_lever: Sequence[float],
                     names: Sequence[str]) -> pd.DataFrame:
    """A margin waterfall: the margin without levers, each lever's step as it is added, the result.

    Parameters
    ----------
    margin_without_levers : float
        Gross margin in the chosen month with no lever.
    margins_adding_each_lever : sequence of float
        Margin after adding levers 1..k in order (the last is the plan's margin).
    names : sequence of str
        The levers' names.

    Returns
    -------
    pandas.DataFrame
        ``step, start, end, change``: the first row is the margin without levers, the last the plan.

    Notes
    -----
    Sequential attribution: lever :math:`k` is credited :math:`m_k - m_{k-1}`; the steps sum to the total
    change exactly. Levers compound, so a lever's step depends on its place in the order.

    References
    ----------
    Seed section IV.3 (a margin waterfall by lever).

    Examples
    --------
    >>> margin_waterfall(-0.2, [0.1, 0.4], ["caching", "reserved"])["change"].round(6).tolist()
    [-0.2, 0.3, 0.3, 0.4]
    """
    rows = [{"step": "without levers", "start": 0.0, "end": float(margin_without_levers),
             "change": float(margin_without_levers)}]
    prev = float(margin_without_levers)
    for name, m in zip(names, margins_adding_each_lever):
        rows.append({"step": str(name), "start": prev, "end": float(m), "change": float(m) - prev})
        prev = float(m)
    rows.append({"step": "with every lever", "start": 0.0, "end": prev, "change": prev})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------
# 7. Engineering time vs the cloud bill.


def optimization_payback(project_cost_usd, saving_usd_per_month, probability_of_success=1.0,
                         already_in_baseline_usd_per_month=0.0, share_under_commitment=0.0,
                         commitment_ends_month=1, start_month=1, horizon_months=36) -> dict:
    """Payback and expected value of an optimization project, counting only savings the bill will show.

    Parameters
    ----------
    project_cost_usd : float or array_like
        Engineering cost (3 months of a principal engineer: $200k), spent before month 1.
    saving_usd_per_month : float or array_like
        The saving on the bill once done (USD/month).
    probability_of_success : float or array_like
        Chance the saving materialises (decimal).
    already_in_baseline_usd_per_month : float or array_like
        Part of the saving the forecast already assumes (counted once, not twice).
    share_under_commitment : float or array_like
        Share of the remaining saving on committed capacity: it is paid for anyway until the commitment
        ends, so it counts only from ``commitment_ends_month``.
    commitment_ends_month : int
        First month without the commitment.
    start_month : int
        First month with a saving (after the work).
    horizon_months : int
        Months counted.

    Returns
    -------
    dict
        ``countable_saving_usd_per_month`` (after the commitment ends), ``expected_saving_usd`` over the
        horizon, ``expected_net_usd`` (expected saving minus cost), ``roi_multiple`` (expected saving /
        cost), ``payback_month`` (of the expected saving; `costlib.timing.NEVER` if not within the horizon).

    Notes
    -----
    Countable saving :math:`s' = s - b`; in month :math:`m \\ge start`,
    :math:`x_m = p\\, s' (1 - u [m < T_c])`. Expected net :math:`\\sum_m x_m - E`; payback is the first month
    with :math:`\\sum_{j \\le m} x_j \\ge E` (`costlib.timing.break_even_month`). The seed: $200k for $5k a
    month pays back in month 40; for $500k a month in month 1.

    References
    ----------
    Seed section IV.3, "Engineering Time vs. Cloud Bill"; payback period, Brealey, Myers and Allen,
    *Principles of Corporate Finance*, ch. 5.

    Examples
    --------
    >>> r = optimization_payback(200_000, 5_000, horizon_months=48)
    >>> r["payback_month"], r["expected_net_usd"]  # 200k / 5k = 40 months; 48 x 5k - 200k
    (40, 40000.0)
    """
    e = checks.number("project_cost_usd", project_cost_usd, low=0)
    s = checks.number("saving_usd_per_month", saving_usd_per_month, low=0)
    p = checks.number("probability_of_success", probability_of_success, low=0, high=1)
    b = checks.number("already_in_baseline_usd_per_month", already_in_baseline_usd_per_month, low=0)
    u = checks.number("share_under_commitment", share_under_commitment, low=0, high=1)
    tc = float(checks.number("commitment_ends_month", commitment_ends_month, low=1))
    start = float(checks.whole("start_month", start_month, 1, unit="months"))
    m = _months(horizon_months)
    countable = np.maximum(s - b, 0.0)
    x = p[..., None] * countable[..., None] * (1 - u[..., None] * (m < tc)) * (m >= start)
    total = x.sum(axis=-1)
    net = total - e
    result = {"countable_saving_usd_per_month": checks.out(countable), "expected_saving_usd": checks.out(total),
              "expected_net_usd": checks.out(net)}
    with np.errstate(divide="ignore", invalid="ignore"):
        result["roi_multiple"] = checks.out(np.where(e > 0, total / np.where(e > 0, e, 1.0), np.inf))
    if np.ndim(total) == 0:
        cum = np.cumsum(x.ravel())
        result["payback_month"] = (1 if float(e) == 0 else
                                   timing.break_even_month(np.full(cum.shape, float(e)), cum))
    return result


# ---------------------------------------------------------------------------------------------------
# 8. Jevons.


def jevons(unit_cost_usd, volume_units_per_month, efficiency_gain, quality_cost_multiplier=1.0,
           demand_elasticity=0.0) -> dict:
    """An efficiency gain banked, reinvested in quality, or met by more demand: unit and total cost.

    Parameters
    ----------
    unit_cost_usd : float or array_like
        Cost of one unit today (a minute encoded).
    volume_units_per_month : float or array_like
        Units a month today.
    efficiency_gain : float or array_like
        Cut in unit cost from the optimization, decimal in [0, 1) (the seed: 0.20).
    quality_cost_multiplier : float or array_like
        Unit cost of the reinvested quality over today's (4K over 1080p); 1 banks the gain.
    demand_elasticity : float or array_like
        Elasticity of volume to unit cost (>= 0): volume scales by ``(new / old unit cost) ** -e``.

    Returns
    -------
    dict
        ``unit_cost_usd``, ``volume_units_per_month``, ``total_usd_per_month`` after the change and
        ``total_change`` (decimal change of the total; > 0 is the Jevons paradox).

    Notes
    -----
    :math:`x = (1 - g) q`; unit cost :math:`c x`; volume :math:`V x^{-\\varepsilon}`; total
    :math:`c V x^{1-\\varepsilon}`. The total rises when :math:`x > 1` (reinvestment costs more than the
    gain: :math:`q > 1/(1-g)`) or, for :math:`x < 1`, when demand is elastic (:math:`\\varepsilon > 1`).

    References
    ----------
    Jevons, W. S. (1865), *The Coal Question*, ch. 7; seed section IV.4 ("Jevons Paradox in Software").

    Examples
    --------
    >>> j = jevons(0.01, 1e6, 0.2)  # banked: 20% cheaper, 20% less in total
    >>> round(j["unit_cost_usd"], 6), round(j["total_change"], 6)
    (0.008, -0.2)
    >>> round(jevons(0.01, 1e6, 0.2, quality_cost_multiplier=1.5)["total_change"], 6)  # 0.8 x 1.5 = 1.2
    0.2
    """
    c = checks.number("unit_cost_usd", unit_cost_usd, low=0)
    v = checks.number("volume_units_per_month", volume_units_per_month, low=0)
    g = checks.number("efficiency_gain", efficiency_gain, low=0, high=1, high_strict=True)
    q = checks.number("quality_cost_multiplier", quality_cost_multiplier, low=0, low_strict=True)
    eps = checks.number("demand_elasticity", demand_elasticity, low=0)
    x = (1 - g) * q
    vol = v * x ** (-eps)
    total = c * x * vol
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(c * v > 0, total / np.where(c * v > 0, c * v, 1.0) - 1, 0.0)
    return {"unit_cost_usd": checks.out(c * x), "volume_units_per_month": checks.out(vol),
            "total_usd_per_month": checks.out(total), "total_change": checks.out(change)}


def hours_at_peak_per_month(hourly_shape: Sequence[float], within_share: float = 0.9) -> float:
    """Hours a month within ``within_share`` of the daily peak: the hours a too-small buffer browns out.

    Examples
    --------
    >>> hours_at_peak_per_month([1] * 20 + [2] * 4)  # 4 hours a day at the peak, x 730 / 24
    121.66666666666667
    """
    s = checks.number("hourly_shape", list(hourly_shape), low=0)
    return float(np.sum(s >= within_share * s.max()) * HOURS_PER_MONTH / s.size)


# ---------------------------------------------------------------------------------------------------
# Helpers the workbook's models call (one formula each, so the workbook computes nothing itself).


def simulate_usage(units_now, growth_rate_per_month, growth_low, growth_high, volatility, months: int,
                   hourly_shape: Sequence[float] | None = None, n: int = 1000, seed: int = 0) -> np.ndarray:
    """Draws of usage over a commitment term: uncertain growth, month-to-month noise, a daily shape.

    Parameters
    ----------
    units_now : float
        Average usage in month 1 (units: vCPUs, GPUs).
    growth_rate_per_month : float
        The most likely growth (mode of a triangle from ``growth_low`` to ``growth_high``); the triangle is
        shifted with it, so moving the base growth moves every draw.
    growth_low, growth_high : float
        The triangle's ends at the scenario's base growth.
    volatility : float
        Standard deviation of the month's log-level around the trend (0.1: about +-10%).
    months : int
        Term in months.
    hourly_shape : sequence of float, optional
        24 relative hourly values (normalised to mean 1): usage within the day, which a commitment must
        also cover. None: one value per month.
    n : int
        Draws.
    seed : int
        Seed (common random numbers: the same seed gives the same draws for every input value).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, months)`` or ``(n, months, 24)``.

    Notes
    -----
    :math:`D_{i,m,h} = D_1 (1 + g_i)^{m-1} e^{\\sigma z_{i,m} - \\sigma^2/2} s_h / \\bar s`,
    :math:`g_i \\sim Tri(g_{lo}, g, g_{hi})` (shifted with the base), :math:`z \\sim N(0, 1)`.

    References
    ----------
    Vose (2008), ch. 9 (three-point estimates); seed section I.3 (forecast capacity 1-3 years out).

    Examples
    --------
    >>> d = simulate_usage(100.0, 0.0, 0.0, 0.0, 0.0, 3, n=2)
    >>> d.tolist()
    [[100.0, 100.0, 100.0], [100.0, 100.0, 100.0]]
    """
    u0 = float(checks.number("units_now", units_now, low=0))
    g = float(checks.number("growth_rate_per_month", growth_rate_per_month, low=-1, low_strict=True))
    lo, hi = float(growth_low), float(growth_high)
    require(lo <= g <= hi or lo == hi == g or lo <= hi, "growth range", (lo, hi), "expected low <= high")
    sigma = float(checks.number("volatility", volatility, low=0))
    rng = np.random.default_rng(seed)
    uniform = rng.random(n)
    z = rng.standard_normal((n, months))
    lo_b, hi_b = min(lo, g), max(hi, g)
    if hi_b > lo_b:
        c = (g - lo_b) / (hi_b - lo_b)
        tri = np.where(uniform < c, lo_b + np.sqrt(uniform * (hi_b - lo_b) * (g - lo_b)),
                       hi_b - np.sqrt((1 - uniform) * (hi_b - lo_b) * (hi_b - g)))
    else:
        tri = np.full(n, g)
    m = _months(months)
    level = u0 * (1 + tri[:, None]) ** (m - 1) * np.exp(sigma * z - sigma ** 2 / 2)
    if hourly_shape is None:
        return level
    s = checks.number("hourly_shape", list(hourly_shape), low=0)
    return level[:, :, None] * (s / s.mean())[None, None, :]


def event_plan_costs(baseline_peak_load, planned_uplift, uplift_samples, headroom, usd_per_load_hour,
                     provisioned_hours, brownout_usd_per_hour, hours_at_risk) -> dict:
    """An inorganic event priced for one plan: the capacity bought and the expected brownouts it leaves.

    Parameters
    ----------
    baseline_peak_load : float
        Peak load without the event (last year's, or this year's organic forecast).
    planned_uplift : float or array_like
        The uplift planned for (0.20 is +20%).
    uplift_samples : array_like
        Draws (or one realised value) of the actual uplift; the last axis is pooled.
    headroom : float
        Buffer over the planned peak.
    usd_per_load_hour : float or array_like
        Cost of capacity for one unit of load for one hour.
    provisioned_hours : float
        Hours the event capacity is held (the event plus the pre-provisioning lead time).
    brownout_usd_per_hour : float or array_like
        Cost of an hour of degraded service.
    hours_at_risk : float
        Event hours at the peak (when a shortfall browns out).

    Returns
    -------
    dict
        ``capacity_load``, ``capacity_usd``, ``brownout_probability``, ``brownout_usd`` (expected) and
        ``total_usd``.

    Notes
    -----
    :math:`C = B (1 + u_p)(1 + h)`; capacity cost :math:`p\\, C\\, T_p` (only the uplift's capacity is
    extra, but the comparison between plans is the same); brownout :math:`P(B(1+U) > C)\\, H\\, b`.

    References
    ----------
    Seed interview question IV.2 (forecast +20%, actual +50%) and section IV.2 (pre-provisioning).

    Examples
    --------
    >>> c = event_plan_costs(1000.0, 0.2, [0.5], 0.0, 0.01, 100.0, 50_000.0, 10.0)
    >>> c["capacity_usd"], c["brownout_usd"]  # 1,200 x 0.01 x 100; came in at 1,500 > 1,200: 10 h x 50k
    (1200.0, 500000.0)
    """
    b = float(checks.number("baseline_peak_load", baseline_peak_load, low=0, low_strict=True))
    up = checks.number("planned_uplift", planned_uplift, low=-1, low_strict=True)
    u = checks.number("uplift_samples", uplift_samples, low=-1)
    cap = b * (1 + up) * (1 + float(headroom))
    p = checks.number("usd_per_load_hour", usd_per_load_hour, low=0)
    bo = checks.number("brownout_usd_per_hour", brownout_usd_per_hour, low=0)
    prob = np.mean(b * (1 + u) > cap[..., None] * (1 + _EPS), axis=-1) if np.ndim(cap) else \
        float(np.mean(b * (1 + u) > cap * (1 + _EPS)))
    capacity_usd = p * cap * float(provisioned_hours)
    brownout = prob * bo * float(hours_at_risk)
    return {"capacity_load": checks.out(cap), "capacity_usd": checks.out(capacity_usd),
            "brownout_probability": checks.out(prob), "brownout_usd": checks.out(brownout),
            "total_usd": checks.out(capacity_usd + brownout)}


def best_event_uplift(baseline_peak_load, uplift_samples, headroom, usd_per_load_hour, provisioned_hours,
                      brownout_usd_per_hour, hours_at_risk, step: float = 0.01) -> float:
    """The uplift to plan an event for: the plan of least expected cost over the uplift's draws.

    Notes
    -----
    :math:`u^* = \\arg\\min_u E[\\text{cost}(u)]` (`event_plan_costs`) on a grid from the lowest to the
    highest draw; the newsvendor in hours: plan above the median when an hour of brownout costs more than
    the capacity held for it.

    References
    ----------
    Seed interview question IV.2 (what the forecast should have been); Porteus (2002), ch. 1.

    Examples
    --------
    >>> best_event_uplift(1000.0, [0.1, 0.5], 0.0, 0.01, 100.0, 50_000.0, 10.0, step=0.1)  # cover +50%
    0.5
    """
    u = checks.number("uplift_samples", uplift_samples, low=-1).ravel()
    grid = np.round(np.arange(np.floor(u.min() / step) * step, float(u.max()) + step, step), 10)
    costs = event_plan_costs(baseline_peak_load, grid, u, headroom, usd_per_load_hour, provisioned_hours,
                             brownout_usd_per_hour, hours_at_risk)["total_usd"]
    return float(grid[int(np.argmin(np.atleast_1d(costs)))])


def triangular_quantiles(low: float, mode: float, high: float, n: int) -> np.ndarray:
    """``n`` evenly spaced quantiles of a triangular distribution: a deterministic sample of it.

    Examples
    --------
    >>> triangular_quantiles(0.0, 0.5, 1.0, 3).round(4).tolist()  # quantiles 1/6, 1/2, 5/6
    [0.2887, 0.5, 0.7113]
    """
    return stats.triang.ppf((np.arange(n) + 0.5) / n, (mode - low) / (high - low) if high > low else 0.5,
                            loc=low, scale=high - low) if high > low else np.full(n, float(low))


def rearchitecture_runway_months(load_now, growth_rate_per_month, max_load, lead_time_months):
    """Months left before a re-architecture must start: the limit's crossing month minus the lead time.

    Notes
    -----
    :math:`w = (m^* - 1) - \\ell` with :math:`m^*` the fractional crossing month (`crossing_month`):
    months from now (the start of month 1) to the crossing, less the months the work takes. At or below 0:
    start now (or it is already late).

    References
    ----------
    Seed section IV.4 ("re-architecture happens before the cliff is hit").

    Examples
    --------
    >>> round(rearchitecture_runway_months(50_000, 0.10, 100_000, 6), 4)  # ln 2 / ln 1.1 = 7.2725, less 6
    1.2725
    """
    return checks.out(crossing_month(load_now, growth_rate_per_month, max_load) - 1
                      - checks.number("lead_time_months", lead_time_months, low=0))


def percentile_paths(draws, q=(10, 50, 90)) -> pd.DataFrame:
    """P10/P50/P90 over draws, month by month (draws by month; extra axes pooled into the month).

    Examples
    --------
    >>> percentile_paths(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))["p50"].tolist()
    [3.0, 4.0]
    """
    d = checks.floats("draws", draws)
    d = d.reshape(d.shape[0], d.shape[1], -1).transpose(0, 2, 1).reshape(-1, d.shape[1])
    p = np.percentile(d, q, axis=0)
    return pd.DataFrame({"month": np.arange(1, d.shape[1] + 1), "p10": p[0], "p50": p[1], "p90": p[2]})


def first_month_at_or_above(path, level):
    """First month (1-based) in which a path is at or above a level, else `costlib.timing.NEVER`.

    Examples
    --------
    >>> first_month_at_or_above([-0.2, 0.0, 0.1], 0.0), first_month_at_or_above([-1.0], 0.0) is None
    (2, True)
    """
    p = checks.floats("path", path)
    hit = np.nonzero(p >= float(level) - _EPS)[0]
    return timing.NEVER if hit.size == 0 else int(hit[0]) + 1


def total_over_term(usd_per_unit_hour_period, term_months):
    """A per-hour expected cost over a term in months: x 730 hours x months.

    Examples
    --------
    >>> total_over_term(1.0, 12)
    8760.0
    """
    return checks.out(checks.floats("usd", usd_per_unit_hour_period) * HOURS_PER_MONTH * float(term_months))


def usd_per_load_month(usd_per_unit_month, capacity_per_unit):
    """Cost of capacity per unit of load a month: the unit's price over the load it serves.

    Examples
    --------
    >>> usd_per_load_month(500.0, 1_000.0)
    0.5
    """
    return checks.out(checks.number("usd_per_unit_month", usd_per_unit_month, low=0)
                      / checks.number("capacity_per_unit", capacity_per_unit, low=0, low_strict=True))


def shortfall_usd_per_unit(on_demand_usd_per_unit, premium):
    """Price of usage above a commitment: on demand, or at a premium when capacity is scarce (throttled,
    bought on a spot market): ``on_demand x (1 + premium)``.

    Examples
    --------
    >>> shortfall_usd_per_unit(2.0, 0.5)
    3.0
    """
    return checks.out(checks.number("on_demand_usd_per_unit", on_demand_usd_per_unit, low=0)
                      * (1 + checks.number("premium", premium, low=0)))


def committed_usd_per_month(units, on_demand_usd_per_unit_hour, discount):
    """What a committed fleet costs a month: units x on-demand hourly rate x (1 - discount) x 730 hours.

    Examples
    --------
    >>> committed_usd_per_month(100, 1.0, 0.3)  # 100 x 0.7 x 730
    51100.0
    """
    return checks.out(checks.number("units", units, low=0) * checks.number("on_demand_usd_per_unit_hour",
                      on_demand_usd_per_unit_hour, low=0) * (1 - checks.number("discount", discount, low=0, high=1))
                      * HOURS_PER_MONTH)


def migration_start_month(volume_now, growth_rate_per_month, threshold, lead_time_months=0.0):
    """The (fractional) month a volume-triggered migration takes effect: the threshold's crossing month
    (`crossing_month`) plus the months the migration takes.

    Examples
    --------
    >>> round(migration_start_month(2e6, 0.15, 1e7, 2.0), 4)  # 1 + ln 5 / ln 1.15 + 2
    14.5156
    """
    return checks.out(crossing_month(volume_now, growth_rate_per_month, threshold)
                      + checks.number("lead_time_months", lead_time_months, low=0))


def cliff_multiple(tiers: Sequence[dict]) -> float:
    """Cost one unit of load past the first limit over cost at it: the size of the step.

    Examples
    --------
    >>> tiers = [{"max_load": 100_000, "capacity_per_unit": 100_000, "usd_per_unit_month": 20_000},
    ...          {"max_load": None, "capacity_per_unit": 25_000, "usd_per_unit_month": 5_000,
    ...           "overhead_multiple": 3.0}]
    >>> cliff_multiple(tiers)  # 75,000 / 20,000
    3.75
    """
    limit = float(tiers[0]["max_load"])
    at = tier_costs([limit, limit + max(1.0, limit * 1e-6)], tiers)["cost_usd_per_month"]
    return float(at[1] / at[0]) if at[0] > 0 else float("nan")


def first_month_below_after(path, level, after_month):
    """First month after ``after_month`` in which a path falls below a level again (the margin falling
    back), else `costlib.timing.NEVER`; NEVER too when ``after_month`` is NEVER.

    Examples
    --------
    >>> first_month_below_after([-0.2, 0.1, 0.05, -0.01], 0.0, 2), first_month_below_after([0.1], 0.0, 1) is None
    (4, True)
    """
    if after_month is None:
        return timing.NEVER
    p = checks.floats("path", path)
    start = int(after_month)
    below = np.nonzero(p[start:] < float(level) - _EPS)[0]
    return timing.NEVER if below.size == 0 else int(below[0]) + start + 1


def peak_month(path) -> tuple[float, int]:
    """The largest value of a monthly path and its month (the first, on a tie).

    Examples
    --------
    >>> peak_month([3.0, 7.0, 5.0, 7.0])
    (7.0, 2)
    """
    p = checks.floats("path", path)
    i = int(np.argmax(p))
    return float(p[i]), i + 1


def path_at_percentile(draws, q: float) -> np.ndarray:
    """The whole draw whose average over the term sits at the ``q``-th percentile (the "P10 path").

    Parameters
    ----------
    draws : array_like
        Shape ``(n, ...)``: one path per draw (months, or months by hours).
    q : float
        Percentile in [0, 100].

    Returns
    -------
    numpy.ndarray
        One draw, shape ``draws.shape[1:]``.

    Notes
    -----
    Draws ranked by their mean; the one at rank :math:`\\lfloor q/100 \\times (n - 1) \\rfloor`. A real path
    (with its own shape through the term), not a month-by-month percentile, which no draw follows.

    References
    ----------
    Vose (2008), ch. 5 (presenting scenarios from simulation results).

    Examples
    --------
    >>> path_at_percentile(np.array([[3.0, 3.0], [1.0, 1.0], [2.0, 2.0]]), 50).tolist()
    [2.0, 2.0]
    """
    d = checks.floats("draws", draws)
    order = np.argsort(d.reshape(d.shape[0], -1).mean(axis=1), kind="stable")
    return d[order[int(float(q) / 100 * (len(order) - 1))]]


def difference(a, b):
    """``a - b``: the one subtraction the workbooks need between two costed plans (kept here so that
    workbook modules do no arithmetic on domain quantities).

    Examples
    --------
    >>> difference(110_880.0, 88_704.0)
    22176.0
    """
    return checks.out(checks.floats("a", a) - checks.floats("b", b))


def with_forecast_error(values, forecast_error, seed: int = 0):
    """Draws times a seeded lognormal forecast error of mean 1: what the actual may be around a forecast.

    Parameters
    ----------
    values : array_like
        Forecast draws (any shape).
    forecast_error : float
        Standard deviation of the log error (0.1: about +-10%).
    seed : int
        Seed of the error's draws.

    Notes
    -----
    :math:`A = F e^{\\sigma z - \\sigma^2 / 2}`, :math:`z \\sim N(0, 1)`, so :math:`E[A] = F`.

    References
    ----------
    Hyndman and Athanasopoulos (2021), 5.5 (forecast distributions).

    Examples
    --------
    >>> with_forecast_error([100.0, 200.0], 0.0).tolist()
    [100.0, 200.0]
    """
    v = checks.floats("values", values)
    s = float(checks.number("forecast_error", forecast_error, low=0))
    z = np.random.default_rng(seed).standard_normal(v.shape)
    return v * np.exp(s * z - s ** 2 / 2)
