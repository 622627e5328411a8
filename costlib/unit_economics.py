"""Unit economics: cost per unit of value, scaling laws, hidden network costs and margin checks.

The formulas behind workbook 01 (seed sections I and VI.5): what one unit of value (a stream, a query, a
transaction, a DAU) costs, broken down by component; how each component's cost scales with volume; the
network and request charges that simple models miss; what redundancy costs; which tenant tiers lose money;
whether a launch passes an efficiency gate; and whether a cost increase came from volume or intensity.

Conventions
-----------
- Money is USD (or the scenario's one currency) as float64. Costs are **positive** amounts; a margin is
  revenue minus cost and is negative when the unit loses money.
- The base period is the month. Hourly prices are turned into monthly ones with 730 hours per month.
- Rates, shares and margins are decimals (0.20, not 20).
- Data volumes are in **decimal gigabytes**: 1 GB = 1e9 bytes (the unit cloud price lists bill in), so an
  object of 1,000 bytes is 1e-6 GB.
- Volume is in units of value per month (``volume_units_per_month``); "per unit" means per unit of value.
- A component's monthly cost follows the scaling law ``fixed_usd_per_month + k * volume ** b``; ``k`` is in
  USD per month per ``volume ** b`` (for ``b = 1`` it is simply USD per unit).
- Scalar functions broadcast with numpy, so ``costlib.uncertainty`` can pass arrays of samples of shape
  (n, 1); they return a Python ``float`` when every argument is a scalar and an ``ndarray`` otherwise.
  Functions that return a table (``pandas.DataFrame``) take scalars.
- Bad arguments raise `costlib.errors.ModelError` naming the argument, the value and what was expected.

References
----------
.. [1] costbook seed, "Cost Model Fundamentals", section I (unit economics, sub-linear scaling, hidden
   network costs, launch gate, volume vs intensity) and section VI.5 (cost per tenant vs price).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from costlib import checks
from costlib.constants import BYTES_PER_GB, HOURS_PER_MONTH  # noqa: F401  (re-exported)
from costlib.errors import ModelError, require

__all__ = [
    "BYTES_PER_GB",
    "HOURS_PER_MONTH",
    "LaunchGateResult",
    "active_active_premium",
    "arc_elasticity",
    "calibrate_k",
    "chatty_service_cost",
    "classify_scaling",
    "component_cost",
    "cost_breakdown",
    "cost_change_drivers",
    "cost_change_drivers_by_component",
    "cost_per_unit",
    "cross_az_transfer_cost",
    "efficiency_launch_gate",
    "gross_margin",
    "margin_per_unit",
    "nat_gateway_cost",
    "point_elasticity",
    "pricing_floor",
    "random_placement_crossing_share",
    "redundancy_comparison",
    "request_breakeven_object_size",
    "revenue_per_unit",
    "scaling_projection",
    "scaling_totals",
    "storage_vs_request_cost",
    "tier_unit_economics",
    "tiered_egress_cost",
    "unit_economics_model",
    "zone_local_routing_saving",
    "cost_cut_for_target_margin",
]



# ----------------------------------------------------------------------------------------------------
# argument checking
# ----------------------------------------------------------------------------------------------------

_num = checks.number


_out = checks.out


def _scalar(name, value, **bounds):
    arr = _num(name, value, **bounds)
    require(arr.ndim == 0, name, value, "expected a scalar (this function returns a table)")
    return float(arr)


# ----------------------------------------------------------------------------------------------------
# 1. cost per unit of value
# ----------------------------------------------------------------------------------------------------

def _per_unit(name, usd_per_month, volume_units_per_month):
    """An amount per month over the volume per month, with both arguments checked."""
    amount = _num(name, usd_per_month, low=0)
    v = _num("volume_units_per_month", volume_units_per_month, low=0, low_strict=True)
    return _out(amount / v)


def cost_per_unit(cost_usd_per_month, volume_units_per_month):
    """Cost per unit of value.

    Parameters
    ----------
    cost_usd_per_month : array_like
        Total (or one component's) cost, USD per month, >= 0.
    volume_units_per_month : array_like
        Units of value delivered per month (streams, queries, transactions, DAU), > 0.

    Returns
    -------
    float or ndarray
        USD per unit.

    Notes
    -----
    ``cost_usd_per_unit = cost_usd_per_month / volume_units_per_month``.

    References
    ----------
    .. [1] Seed section I.1: $10M a month over 100M streams is $0.10 per stream.

    Examples
    --------
    >>> cost_per_unit(10e6, 100e6)
    0.1
    """
    return _per_unit("cost_usd_per_month", cost_usd_per_month, volume_units_per_month)


def revenue_per_unit(revenue_usd_per_month, volume_units_per_month):
    """Revenue per unit of value.

    Parameters
    ----------
    revenue_usd_per_month : array_like
        Revenue, USD per month, >= 0.
    volume_units_per_month : array_like
        Units of value per month, > 0.

    Returns
    -------
    float or ndarray
        USD per unit.

    Notes
    -----
    ``revenue_usd_per_unit = revenue_usd_per_month / volume_units_per_month``.

    References
    ----------
    .. [1] Seed section I.1: $100M of revenue over 100M streams is $1.00 per stream.

    Examples
    --------
    >>> revenue_per_unit(100e6, 100e6)
    1.0
    """
    return _per_unit("revenue_usd_per_month", revenue_usd_per_month, volume_units_per_month)


def margin_per_unit(price_usd_per_unit, cost_usd_per_unit):
    """Margin per unit: price less cost (negative when each unit loses money).

    Parameters
    ----------
    price_usd_per_unit : array_like
        Price (or revenue) per unit, USD, >= 0.
    cost_usd_per_unit : array_like
        Cost per unit, USD, >= 0.

    Returns
    -------
    float or ndarray
        USD per unit.

    Notes
    -----
    ``margin_usd_per_unit = price_usd_per_unit - cost_usd_per_unit``.

    References
    ----------
    .. [1] Seed section I.1 (unit economics); DESIGN.md catalogue: a beta product at $0.50 cost vs $0.30
       price per transaction.

    Examples
    --------
    >>> round(margin_per_unit(0.30, 0.50), 10)
    -0.2
    """
    p = _num("price_usd_per_unit", price_usd_per_unit, low=0)
    c = _num("cost_usd_per_unit", cost_usd_per_unit, low=0)
    return _out(p - c)


def gross_margin(price_usd_per_unit, cost_usd_per_unit):
    """Gross margin as a decimal of price.

    Parameters
    ----------
    price_usd_per_unit : array_like
        Price (or revenue) per unit, USD, > 0.
    cost_usd_per_unit : array_like
        Cost per unit (cost of goods sold), USD, >= 0.

    Returns
    -------
    float or ndarray
        Decimal; 0.2 is 20%. Negative when cost exceeds price.

    Notes
    -----
    ``gross_margin = (price_usd_per_unit - cost_usd_per_unit) / price_usd_per_unit``.

    References
    ----------
    .. [1] Seed section VI.5: cloud infrastructure is part of COGS, so it sets the gross margin.

    Examples
    --------
    >>> gross_margin(1.00, 0.10)
    0.9
    >>> gross_margin(4.0, 5.0)
    -0.25
    """
    p = _num("price_usd_per_unit", price_usd_per_unit, low=0, low_strict=True)
    c = _num("cost_usd_per_unit", cost_usd_per_unit, low=0)
    return _out((p - c) / p)


def pricing_floor(cost_usd_per_unit, target_gross_margin=0.0):
    """Lowest price per unit that earns the target gross margin.

    Parameters
    ----------
    cost_usd_per_unit : array_like
        Cost per unit, USD, >= 0.
    target_gross_margin : array_like, default 0.0
        Target gross margin, decimal in [0, 1). 0 gives the break-even price.

    Returns
    -------
    float or ndarray
        USD per unit.

    Notes
    -----
    Solving ``(p - c) / p = m`` for ``p``: ``p = c / (1 - m)``.

    References
    ----------
    .. [1] Seed section I.1, "Impact: Pricing Floor"; DESIGN.md catalogue: streaming cost per stream with
       a 20% gross-margin target.

    Examples
    --------
    >>> pricing_floor(0.10, 0.20)
    0.125
    """
    c = _num("cost_usd_per_unit", cost_usd_per_unit, low=0)
    m = _num("target_gross_margin", target_gross_margin, low=0, high=1, high_strict=True)
    return _out(c / (1.0 - m))


def cost_cut_for_target_margin(price_usd_per_unit, cost_usd_per_unit, target_gross_margin):
    """Share of the cost per unit to cut so that today's price earns the target gross margin.

    Parameters
    ----------
    price_usd_per_unit : array_like
        Price per unit, USD, >= 0.
    cost_usd_per_unit : array_like
        Cost per unit today, USD, > 0.
    target_gross_margin : array_like
        Target gross margin, decimal in [0, 1).

    Returns
    -------
    float or ndarray
        Decimal share of today's cost per unit (0.25: cut it by 25%); 0 or negative when the target is
        already met.

    Notes
    -----
    The cost that earns margin ``m`` at price ``p`` is ``c* = p (1 - m)`` (the inverse of `pricing_floor`),
    so the cut is ``1 - c* / c = 1 - p (1 - m) / c``.

    References
    ----------
    .. [1] Seed section I.1 (pricing floor) and interview question I.3 (a beta at $0.50 cost vs $0.30 price).

    Examples
    --------
    $0.50 cost and $0.30 price with a 20% target: c* = 0.30 x 0.8 = 0.24, a cut of 1 - 0.24 / 0.50 = 52%.

    >>> round(cost_cut_for_target_margin(0.30, 0.50, 0.20), 6)
    0.52
    """
    p = _num("price_usd_per_unit", price_usd_per_unit, low=0)
    c = _num("cost_usd_per_unit", cost_usd_per_unit, low=0, low_strict=True)
    m = _num("target_gross_margin", target_gross_margin, low=0, high=1, high_strict=True)
    return _out(1.0 - p * (1.0 - m) / c)


def _component_series(name, costs):
    if isinstance(costs, pd.DataFrame):
        raise ModelError(f"{name} = DataFrame: expected a mapping or Series of component -> USD per month")
    try:
        s = pd.Series(costs, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{name} = {costs!r}: expected a mapping of component -> USD per month") from None
    require(len(s) > 0, name, costs, "expected at least one component")
    require(s.index.is_unique, name, list(s.index), "expected unique component names")
    for comp, v in s.items():
        _num(f"{name}[{comp!r}]", v, low=0)
    return s


def cost_breakdown(component_costs_usd_per_month, volume_units_per_month, price_usd_per_unit=None):
    """Cost per unit of value decomposed by component.

    Parameters
    ----------
    component_costs_usd_per_month : mapping or pandas.Series
        Component name (compute, storage, network egress, cross-AZ transfer, API requests, licenses,
        people, ...) -> cost in USD per month, each >= 0, total > 0.
    volume_units_per_month : float
        Units of value per month, > 0.
    price_usd_per_unit : float, optional
        Price or revenue per unit, USD, > 0. When given, adds ``share_of_price``.

    Returns
    -------
    pandas.DataFrame
        One row per component, in the order given, with columns ``component``, ``cost_usd_per_month``,
        ``cost_usd_per_unit``, ``share_of_cost`` (decimal) and, with a price, ``share_of_price``. The
        total is the column sum.

    Notes
    -----
    For component ``i`` with monthly cost ``C_i`` and volume ``V``: ``cost_usd_per_unit_i = C_i / V``,
    ``share_of_cost_i = C_i / sum(C)``, ``share_of_price_i = (C_i / V) / price``.

    References
    ----------
    .. [1] Seed section I.1: "break down infrastructure spend across compute, storage, and networking to
       attribute a specific dollar amount to that unit".

    Examples
    --------
    >>> t = cost_breakdown({"compute": 6e6, "storage": 3e6, "egress": 1e6}, 100e6, price_usd_per_unit=1.0)
    >>> t[["component", "cost_usd_per_unit", "share_of_cost", "share_of_price"]]
      component  cost_usd_per_unit  share_of_cost  share_of_price
    0   compute               0.06            0.6            0.06
    1   storage               0.03            0.3            0.03
    2    egress               0.01            0.1            0.01
    """
    s = _component_series("component_costs_usd_per_month", component_costs_usd_per_month)
    v = _scalar("volume_units_per_month", volume_units_per_month, low=0, low_strict=True)
    total = float(s.sum())
    require(total > 0, "component_costs_usd_per_month", dict(s), "expected a total cost > 0")
    out = pd.DataFrame({
        "component": [str(c) for c in s.index],
        "cost_usd_per_month": s.to_numpy(),
        "cost_usd_per_unit": s.to_numpy() / v,
        "share_of_cost": s.to_numpy() / total,
    })
    if price_usd_per_unit is not None:
        p = _scalar("price_usd_per_unit", price_usd_per_unit, low=0, low_strict=True)
        out["share_of_price"] = out["cost_usd_per_unit"] / p
    return out


# ----------------------------------------------------------------------------------------------------
# 2. component scaling laws
# ----------------------------------------------------------------------------------------------------

def component_cost(volume_units_per_month, fixed_usd_per_month, k, b):
    """Monthly cost of one component under the scaling law ``fixed + k * volume ** b``.

    Parameters
    ----------
    volume_units_per_month : array_like
        Units of value per month, >= 0.
    fixed_usd_per_month : array_like
        Cost that does not move with volume, USD per month, >= 0.
    k : array_like
        Scale coefficient, USD per month per ``volume ** b``, >= 0.
    b : array_like
        Scaling exponent, >= 0: 1 linear (stateless front ends), < 1 sub-linear (caches, shared
        databases, CDN), > 1 super-linear (all-to-all coordination).

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``C(V) = F + k * V ** b``. Its elasticity ``d ln C / d ln V = b * k * V**b / C(V)`` is below ``b``
    whenever ``F > 0``.

    References
    ----------
    .. [1] Seed section I.2, "Modeling Architectural Levers: Sub-Linear Scaling".

    Examples
    --------
    >>> component_cost(1e6, 1000.0, 2.0, 0.5)
    3000.0
    """
    v = _num("volume_units_per_month", volume_units_per_month, low=0)
    f = _num("fixed_usd_per_month", fixed_usd_per_month, low=0)
    kk = _num("k", k, low=0)
    bb = _num("b", b, low=0)
    return _out(f + kk * v ** bb)


def calibrate_k(baseline_cost_usd_per_month, baseline_volume_units_per_month, b, fixed_usd_per_month=0.0):
    """Scale coefficient ``k`` that reproduces a known cost at a known volume.

    Parameters
    ----------
    baseline_cost_usd_per_month : array_like
        The component's cost today, USD per month, >= ``fixed_usd_per_month``.
    baseline_volume_units_per_month : array_like
        Today's volume, units per month, > 0.
    b : array_like
        Scaling exponent, >= 0.
    fixed_usd_per_month : array_like, default 0.0
        The part of today's cost that does not move with volume, USD per month, >= 0.

    Returns
    -------
    float or ndarray
        ``k`` in USD per month per ``volume ** b``.

    Notes
    -----
    Solving ``C0 = F + k * V0 ** b`` for ``k``: ``k = (C0 - F) / V0 ** b``.

    References
    ----------
    .. [1] Seed section I.2.

    Examples
    --------
    A cache costing $3,000 a month at 1M users, $1,000 of it fixed, with ``b = 0.5``:

    >>> calibrate_k(3000.0, 1e6, 0.5, fixed_usd_per_month=1000.0)
    2.0
    """
    c0 = _num("baseline_cost_usd_per_month", baseline_cost_usd_per_month, low=0)
    v0 = _num("baseline_volume_units_per_month", baseline_volume_units_per_month, low=0, low_strict=True)
    bb = _num("b", b, low=0)
    f = _num("fixed_usd_per_month", fixed_usd_per_month, low=0)
    require(np.all(c0 >= f), "baseline_cost_usd_per_month", baseline_cost_usd_per_month,
            f"expected >= fixed_usd_per_month ({fixed_usd_per_month!r})")
    return _out((c0 - f) / v0 ** bb)


def _components_frame(components):
    """Normalise a components spec to a frame with columns component, fixed_usd_per_month, k, b."""
    name = "components"
    if isinstance(components, pd.DataFrame):
        df = components.copy()
        if "component" not in df.columns:
            df = df.rename_axis("component").reset_index()
    elif isinstance(components, Mapping):
        rows = []
        for comp, spec in components.items():
            require(isinstance(spec, Mapping), f"{name}[{comp!r}]", spec,
                    "expected a mapping with keys k, and optionally fixed_usd_per_month and b")
            unknown = set(spec) - {"fixed_usd_per_month", "k", "b"}
            require(not unknown, f"{name}[{comp!r}]", sorted(unknown),
                    "unknown keys; expected only fixed_usd_per_month, k, b")
            require("k" in spec or ("fixed_usd_per_month" in spec and "b" not in spec), f"{name}[{comp!r}]",
                    dict(spec), "expected a key 'k' (only a purely fixed component may omit it)")
            rows.append({"component": str(comp), "fixed_usd_per_month": spec.get("fixed_usd_per_month", 0.0),
                         "k": spec.get("k", 0.0), "b": spec.get("b", 1.0)})
        df = pd.DataFrame(rows, columns=["component", "fixed_usd_per_month", "k", "b"])
    else:
        raise ModelError(f"{name} = {components!r}: expected a mapping of component -> "
                         "{fixed_usd_per_month, k, b} or a DataFrame with those columns")
    require(len(df) > 0, name, components, "expected at least one component")
    missing = {"k"} - set(df.columns)
    require(not missing, name, list(df.columns), "expected a column 'k'")
    if "fixed_usd_per_month" not in df.columns:
        df["fixed_usd_per_month"] = 0.0
    if "b" not in df.columns:
        df["b"] = 1.0
    df = df[["component", "fixed_usd_per_month", "k", "b"]].reset_index(drop=True)
    require(df["component"].is_unique, name, list(df["component"]), "expected unique component names")
    for col, kwargs in (("fixed_usd_per_month", {"low": 0}), ("k", {"low": 0}), ("b", {"low": 0})):
        for comp, val in zip(df["component"], df[col]):
            _num(f"{name}[{comp!r}].{col}", val, **kwargs)
    df[["fixed_usd_per_month", "k", "b"]] = df[["fixed_usd_per_month", "k", "b"]].astype(float)
    return df


def _multipliers(multipliers):
    m = _num("multipliers", multipliers, low=0, low_strict=True)
    require(m.ndim == 1 and m.size > 0, "multipliers", multipliers, "expected a non-empty 1-D sequence")
    return m


def scaling_projection(components, baseline_volume_units_per_month, multipliers=tuple(range(1, 11))):
    """Each component's cost over volume multipliers, as a tidy (long) table for a stacked chart.

    Parameters
    ----------
    components : mapping or pandas.DataFrame
        Component name -> ``{"fixed_usd_per_month": F, "k": k, "b": b}`` (``F`` defaults to 0, ``b`` to 1,
        and ``k`` to 0 for a purely fixed component given only ``F``), or a DataFrame with columns
        ``component``, ``k`` and optionally ``fixed_usd_per_month`` and ``b``. ``k`` is in USD per month
        per ``volume ** b`` (see `calibrate_k`).
    baseline_volume_units_per_month : float
        Volume at multiplier 1, units per month, > 0.
    multipliers : sequence of float, default 1, 2, ..., 10
        Volume multipliers, each > 0.

    Returns
    -------
    pandas.DataFrame
        One row per (multiplier, component) with columns ``multiplier``, ``volume_units_per_month``,
        ``component``, ``cost_usd_per_month`` and ``cost_usd_per_unit`` (the component's cost over the
        volume, so a stack sums to the total cost per unit).

    Notes
    -----
    ``V = multiplier * baseline``; ``C_i(V) = F_i + k_i * V ** b_i``; ``cost_usd_per_unit_i = C_i(V) / V``.

    References
    ----------
    .. [1] Seed section I.2: from 1M to 10M users, linear components grow 10x, caches and shared
       databases about 2-3x, CDN about 1.5x.

    Examples
    --------
    >>> comps = {"frontend": {"k": 0.002}, "cache": {"fixed_usd_per_month": 1000.0, "k": 2.0, "b": 0.5}}
    >>> print(scaling_projection(comps, 1e6, multipliers=[1, 4]).to_string())
       multiplier  volume_units_per_month component  cost_usd_per_month  cost_usd_per_unit
    0         1.0               1000000.0  frontend              2000.0            0.00200
    1         1.0               1000000.0     cache              3000.0            0.00300
    2         4.0               4000000.0  frontend              8000.0            0.00200
    3         4.0               4000000.0     cache              5000.0            0.00125
    """
    df = _components_frame(components)
    v0 = _scalar("baseline_volume_units_per_month", baseline_volume_units_per_month, low=0, low_strict=True)
    m = _multipliers(multipliers)
    vol = (m * v0)[:, None]
    cost = df["fixed_usd_per_month"].to_numpy() + df["k"].to_numpy() * vol ** df["b"].to_numpy()
    n_c = len(df)
    return pd.DataFrame({
        "multiplier": np.repeat(m, n_c),
        "volume_units_per_month": np.repeat(m * v0, n_c),
        "component": np.tile(df["component"].to_numpy(dtype=object), m.size),
        "cost_usd_per_month": cost.ravel(),
        "cost_usd_per_unit": (cost / vol).ravel(),
    })


def _total_cost(df, volume):
    v = np.asarray(volume, dtype=float)[..., None]
    terms = df["k"].to_numpy() * v ** df["b"].to_numpy()
    return df["fixed_usd_per_month"].sum() + terms.sum(axis=-1), (df["b"].to_numpy() * terms).sum(axis=-1)


def point_elasticity(components, volume_units_per_month):
    """Point elasticity of total cost to volume, ``d ln C / d ln V``, at a given volume.

    Parameters
    ----------
    components : mapping or pandas.DataFrame
        As in `scaling_projection`.
    volume_units_per_month : array_like
        Volume, units per month, > 0.

    Returns
    -------
    float or ndarray
        Dimensionless. 1 means cost grows in proportion to volume; 0.6 means 10% more volume costs about
        6% more. NaN where the total cost is 0.

    Notes
    -----
    For ``C(V) = sum_i (F_i + k_i V**b_i)``: ``e(V) = sum_i b_i k_i V**b_i / C(V)``, the cost-weighted mean
    of the exponents with fixed costs weighted at exponent 0. So ``min(b) <= e <= max(b)`` (with 0 in the
    set when any fixed cost is positive).

    References
    ----------
    .. [1] Seed section I.2. Elasticity as ``d ln y / d ln x``: any microeconomics text, e.g. Varian,
       *Intermediate Microeconomics*, ch. 15.

    Examples
    --------
    Half the cost linear (b = 1), half a square-root cache (b = 0.5):

    >>> point_elasticity({"frontend": {"k": 1.0}, "cache": {"k": 1000.0, "b": 0.5}}, 1e6)
    0.75
    """
    df = _components_frame(components)
    v = _num("volume_units_per_month", volume_units_per_month, low=0, low_strict=True)
    total, weighted = _total_cost(df, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(total > 0, weighted / np.where(total > 0, total, 1.0), np.nan)
    return _out(e)


def arc_elasticity(cost_1_usd_per_month, cost_2_usd_per_month, volume_1_units_per_month, volume_2_units_per_month):
    """Arc (log) elasticity of cost to volume between two observations.

    Parameters
    ----------
    cost_1_usd_per_month, cost_2_usd_per_month : array_like
        Cost at the first and second volume, USD per month, > 0.
    volume_1_units_per_month, volume_2_units_per_month : array_like
        The two volumes, units per month, > 0 and different.

    Returns
    -------
    float or ndarray
        Dimensionless: < 1 sub-linear, 1 linear, > 1 super-linear.

    Notes
    -----
    ``e = ln(C2 / C1) / ln(V2 / V1)``. It is the mean of the point elasticity over ``ln V`` between the
    two volumes, and equals ``b`` exactly for a pure power law ``k * V ** b``.

    References
    ----------
    .. [1] Seed section I.2: "Sub-linear: 10x Users = 4x Cost" gives ``ln 4 / ln 10 = 0.602``.

    Examples
    --------
    >>> round(arc_elasticity(1.0, 4.0, 1e6, 10e6), 4)
    0.6021
    """
    c1 = _num("cost_1_usd_per_month", cost_1_usd_per_month, low=0, low_strict=True)
    c2 = _num("cost_2_usd_per_month", cost_2_usd_per_month, low=0, low_strict=True)
    v1 = _num("volume_1_units_per_month", volume_1_units_per_month, low=0, low_strict=True)
    v2 = _num("volume_2_units_per_month", volume_2_units_per_month, low=0, low_strict=True)
    require(np.all(v1 != v2), "volume_2_units_per_month", volume_2_units_per_month,
            "expected a volume different from volume_1_units_per_month")
    return _out(np.log(c2 / c1) / np.log(v2 / v1))


def classify_scaling(elasticity, tolerance=0.05):
    """Classify cost scaling as ``"sub-linear"``, ``"linear"`` or ``"super-linear"``.

    Parameters
    ----------
    elasticity : array_like
        Cost elasticity to volume (`point_elasticity` or `arc_elasticity`), dimensionless.
    tolerance : float, default 0.05
        Half-width of the band around 1 that counts as linear, >= 0.

    Returns
    -------
    str or ndarray of str
        ``"sub-linear"`` if ``e < 1 - tolerance``, ``"super-linear"`` if ``e > 1 + tolerance``, else
        ``"linear"``; ``"undefined"`` for NaN.

    Notes
    -----
    Seed section I.2 reads sub-linear as healthy (economies of scale), linear as a warning (margin
    compression) and super-linear as critical.

    References
    ----------
    .. [1] Seed section I.1 (framework diagram) and I.2.

    Examples
    --------
    >>> classify_scaling(0.602)
    'sub-linear'
    >>> classify_scaling([0.97, 1.3]).tolist()
    ['linear', 'super-linear']
    """
    tol = _scalar("tolerance", tolerance, low=0)
    try:
        e = np.asarray(elasticity, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"elasticity = {elasticity!r}: expected a number or an array of numbers") from None
    out = np.where(np.isnan(e), "undefined",
                   np.where(e < 1 - tol, "sub-linear", np.where(e > 1 + tol, "super-linear", "linear")))
    return str(out) if out.ndim == 0 else out


def scaling_totals(components, baseline_volume_units_per_month, multipliers=tuple(range(1, 11))):
    """Total cost, cost per unit and elasticity over volume multipliers (one row per volume).

    Parameters
    ----------
    components : mapping or pandas.DataFrame
        As in `scaling_projection`.
    baseline_volume_units_per_month : float
        Volume at multiplier 1, units per month, > 0.
    multipliers : sequence of float, default 1, 2, ..., 10
        Volume multipliers, each > 0.

    Returns
    -------
    pandas.DataFrame
        Columns ``multiplier``, ``volume_units_per_month``, ``cost_usd_per_month``, ``cost_usd_per_unit``,
        ``cost_multiplier`` (cost over the cost at the baseline volume), ``arc_elasticity`` (from the
        baseline; NaN at multiplier 1), ``point_elasticity`` and ``scaling`` (`classify_scaling` of the
        arc elasticity, or of the point elasticity at multiplier 1).

    Notes
    -----
    ``C(V) = sum_i (F_i + k_i V**b_i)``; ``cost_multiplier = C(mV0) / C(V0)``;
    ``arc_elasticity = ln(cost_multiplier) / ln(m)``.

    References
    ----------
    .. [1] Seed section I.1 ("the model must show how the Cost per Unit decreases as volume increases")
       and I.2.

    Examples
    --------
    >>> comps = {"frontend": {"k": 0.002}, "cache": {"fixed_usd_per_month": 1000.0, "k": 2.0, "b": 0.5}}
    >>> t = scaling_totals(comps, 1e6, multipliers=[1, 4])
    >>> t[["multiplier", "cost_usd_per_month", "cost_usd_per_unit", "cost_multiplier"]]
       multiplier  cost_usd_per_month  cost_usd_per_unit  cost_multiplier
    0         1.0              5000.0            0.00500              1.0
    1         4.0             13000.0            0.00325              2.6
    """
    df = _components_frame(components)
    v0 = _scalar("baseline_volume_units_per_month", baseline_volume_units_per_month, low=0, low_strict=True)
    m = _multipliers(multipliers)
    vol = m * v0
    total, weighted = _total_cost(df, vol)
    base_total, _ = _total_cost(df, v0)
    require(float(base_total) > 0, "components", components, "expected a total cost > 0 at the baseline volume")
    ratio = total / base_total
    with np.errstate(divide="ignore", invalid="ignore"):
        arc = np.where(m != 1, np.log(ratio) / np.log(np.where(m != 1, m, 2.0)), np.nan)
        point = weighted / total
    return pd.DataFrame({
        "multiplier": m,
        "volume_units_per_month": vol,
        "cost_usd_per_month": total,
        "cost_usd_per_unit": total / vol,
        "cost_multiplier": ratio,
        "arc_elasticity": arc,
        "point_elasticity": point,
        "scaling": classify_scaling(np.where(np.isnan(arc), point, arc)),
    })


# ----------------------------------------------------------------------------------------------------
# 3. hidden network costs
# ----------------------------------------------------------------------------------------------------

def _tiers(tiers):
    name = "tiers"
    try:
        pairs = [tuple(t) for t in tiers]
    except TypeError:
        raise ModelError(f"{name} = {tiers!r}: expected a list of (upper_gb or None, usd_per_gb) pairs") from None
    require(len(pairs) > 0, name, tiers, "expected at least one (upper_gb or None, usd_per_gb) tier")
    uppers, prices = [], []
    prev = 0.0
    for i, pair in enumerate(pairs):
        require(len(pair) == 2, f"{name}[{i}]", pair, "expected a pair (upper_gb or None, usd_per_gb)")
        upper, price = pair
        prices.append(float(_num(f"{name}[{i}].usd_per_gb", price, low=0)))
        if upper is None:
            require(i == len(pairs) - 1, f"{name}[{i}].upper_gb", upper,
                    "expected None only on the last tier (the open-ended one)")
            uppers.append(math.inf)
        else:
            u = float(_num(f"{name}[{i}].upper_gb", upper, low=0, low_strict=True))
            require(u > prev, f"{name}[{i}].upper_gb", upper,
                    f"expected upper bounds in ascending order (> {prev:g}, the previous tier's bound)")
            uppers.append(u)
            prev = u
    return np.array(uppers), np.array(prices)


def tiered_egress_cost(egress_gb_per_month, tiers):
    """Internet egress bill under graduated (marginal) price tiers.

    Parameters
    ----------
    egress_gb_per_month : array_like
        Data out to the internet, decimal GB per month, >= 0.
    tiers : sequence of (upper_gb or None, usd_per_gb)
        Tiers in ascending order of their cumulative upper bound in GB per month; the price applies to the
        GB inside the tier only. ``None`` marks the last, open-ended tier. If the last bound is finite,
        volumes above it are an error.

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    With tier ``j`` covering ``(L_j, U_j]`` at price ``p_j`` (``L_1 = 0``, ``L_j = U_{j-1}``):
    ``cost(G) = sum_j p_j * clip(G - L_j, 0, U_j - L_j)``. The bill is continuous and non-decreasing in
    ``G``; its slope is the price of the tier ``G`` falls in.

    References
    ----------
    .. [1] AWS, "Amazon EC2 On-Demand Pricing", Data Transfer OUT from Amazon EC2 to Internet: graduated
       tiers (first 10 TB / month, next 40 TB, next 100 TB, greater than 150 TB).
    .. [2] Seed section I.4, "The Hidden Costs: Egress and Inter-Availability Zone Traffic".

    Examples
    --------
    10,000 GB at $0.09 and 5,000 GB at $0.085:

    >>> tiered_egress_cost(15_000, [(10_000, 0.09), (50_000, 0.085), (None, 0.07)])
    1325.0
    """
    g = _num("egress_gb_per_month", egress_gb_per_month, low=0)
    uppers, prices = _tiers(tiers)
    if np.isfinite(uppers[-1]):
        require(np.all(g <= uppers[-1]), "egress_gb_per_month", egress_gb_per_month,
                f"expected <= {uppers[-1]:g}, the last tier's upper bound (use None for an open-ended tier)")
    lowers = np.concatenate([[0.0], uppers[:-1]])
    in_tier = np.clip(g[..., None] - lowers, 0.0, uppers - lowers)
    return _out((in_tier * prices).sum(axis=-1))


def cross_az_transfer_cost(cross_az_gb_per_month, usd_per_gb_out, usd_per_gb_in):
    """Cost of traffic crossing availability zones, charged in each direction.

    Parameters
    ----------
    cross_az_gb_per_month : array_like
        Data that crosses from one zone to another, decimal GB per month, >= 0.
    usd_per_gb_out : array_like
        Price charged to the sending side, USD per GB, >= 0.
    usd_per_gb_in : array_like
        Price charged to the receiving side, USD per GB, >= 0.

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``cost = GB * (usd_per_gb_out + usd_per_gb_in)``: each GB is billed once leaving its zone and once
    entering the other, so at $0.01 each way a crossing GB costs $0.02.

    References
    ----------
    .. [1] AWS, "Amazon EC2 On-Demand Pricing", Data Transfer within the same AWS Region: data transferred
       across Availability Zones is charged $0.01/GB in each direction.
    .. [2] Seed section I.4.

    Examples
    --------
    >>> cross_az_transfer_cost(100_000, 0.01, 0.01)
    2000.0
    """
    g = _num("cross_az_gb_per_month", cross_az_gb_per_month, low=0)
    po = _num("usd_per_gb_out", usd_per_gb_out, low=0)
    pi = _num("usd_per_gb_in", usd_per_gb_in, low=0)
    return _out(g * (po + pi))


def nat_gateway_cost(processed_gb_per_month, usd_per_gb_processed, usd_per_gateway_hour, gateways=1,
                     hours_per_month=HOURS_PER_MONTH):
    """Monthly NAT gateway bill: hourly charge per gateway plus data processing.

    Parameters
    ----------
    processed_gb_per_month : array_like
        Data through the gateways, decimal GB per month, >= 0.
    usd_per_gb_processed : array_like
        Processing price, USD per GB, >= 0.
    usd_per_gateway_hour : array_like
        Hourly price of one gateway, USD per hour, >= 0.
    gateways : array_like, default 1
        Gateways running all month (typically one per zone), >= 0.
    hours_per_month : array_like, default 730
        Hours billed per month, > 0.

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``cost = gateways * usd_per_gateway_hour * hours_per_month + GB * usd_per_gb_processed``. Egress to
    the internet through the gateway is billed on top (`tiered_egress_cost`).

    References
    ----------
    .. [1] AWS, "Amazon VPC pricing", NAT Gateway: a price per NAT gateway-hour and a price per GB of data
       processed ($0.045 and $0.045 in us-east-1).

    Examples
    --------
    One gateway, 1,000 GB: 730 * 0.045 + 1,000 * 0.045:

    >>> nat_gateway_cost(1000, 0.045, 0.045)
    77.85
    """
    g = _num("processed_gb_per_month", processed_gb_per_month, low=0)
    pg = _num("usd_per_gb_processed", usd_per_gb_processed, low=0)
    ph = _num("usd_per_gateway_hour", usd_per_gateway_hour, low=0)
    n = _num("gateways", gateways, low=0)
    h = _num("hours_per_month", hours_per_month, low=0, low_strict=True)
    return _out(n * ph * h + g * pg)


def random_placement_crossing_share(zones):
    """Share of calls that cross zones when caller and callee are placed independently and uniformly.

    Parameters
    ----------
    zones : array_like
        Number of availability zones, >= 1.

    Returns
    -------
    float or ndarray
        Decimal share of calls whose two ends are in different zones.

    Notes
    -----
    ``P(different zone) = 1 - 1 / zones``: 2/3 across three zones. A baseline for the "chatty service"
    model when no routing keeps traffic local.

    References
    ----------
    .. [1] Closed form (probability two independent uniform picks out of ``n`` differ).

    Examples
    --------
    >>> round(random_placement_crossing_share(3), 4)
    0.6667
    """
    z = _num("zones", zones, low=1)
    return _out(1.0 - 1.0 / z)


def _chatty_gb(transactions_per_month, calls_per_transaction, payload_bytes_per_call, share_crossing_zones,
               share_name="share_crossing_zones"):
    t = _num("transactions_per_month", transactions_per_month, low=0)
    c = _num("calls_per_transaction", calls_per_transaction, low=0)
    p = _num("payload_bytes_per_call", payload_bytes_per_call, low=0)
    s = _num(share_name, share_crossing_zones, low=0, high=1)
    return t * c * p * s / BYTES_PER_GB


def chatty_service_cost(transactions_per_month, calls_per_transaction, payload_bytes_per_call,
                        share_crossing_zones, usd_per_gb_out, usd_per_gb_in):
    """Cross-AZ transfer cost of a "chatty" microservice architecture.

    Parameters
    ----------
    transactions_per_month : array_like
        User-facing transactions per month, >= 0.
    calls_per_transaction : array_like
        Service-to-service calls per transaction, >= 0.
    payload_bytes_per_call : array_like
        Bytes moved per call, request plus response, >= 0.
    share_crossing_zones : array_like
        Decimal share of calls whose two ends are in different zones, in [0, 1]; see
        `random_placement_crossing_share`.
    usd_per_gb_out, usd_per_gb_in : array_like
        Cross-AZ price charged on each side, USD per GB, >= 0.

    Returns
    -------
    float or ndarray
        USD per month.

    Notes
    -----
    ``GB = transactions * calls * payload_bytes * share / 1e9``;
    ``cost = GB * (usd_per_gb_out + usd_per_gb_in)`` (see `cross_az_transfer_cost`).

    References
    ----------
    .. [1] Seed section I.4: chatty cross-AZ microservices "can inadvertently double infrastructure costs";
       Uber/Lyft route requests to a backend in the same zone.

    Examples
    --------
    1e9 transactions x 10 calls x 10 kB = 100,000 GB; half crosses zones at $0.02 a GB:

    >>> chatty_service_cost(1e9, 10, 10_000, 0.5, 0.01, 0.01)
    1000.0
    """
    gb = _chatty_gb(transactions_per_month, calls_per_transaction, payload_bytes_per_call, share_crossing_zones)
    return cross_az_transfer_cost(gb, usd_per_gb_out, usd_per_gb_in)


def zone_local_routing_saving(transactions_per_month, calls_per_transaction, payload_bytes_per_call,
                              share_crossing_zones, local_share_crossing_zones, usd_per_gb_out, usd_per_gb_in):
    """Monthly saving from zone-local routing, which lowers the share of calls crossing zones.

    Parameters
    ----------
    transactions_per_month, calls_per_transaction, payload_bytes_per_call : array_like
        As in `chatty_service_cost`.
    share_crossing_zones : array_like
        Share of calls crossing zones today, decimal in [0, 1].
    local_share_crossing_zones : array_like
        Share still crossing with zone-local routing (failover, zone imbalance), decimal in [0, 1].
    usd_per_gb_out, usd_per_gb_in : array_like
        Cross-AZ price charged on each side, USD per GB, >= 0.

    Returns
    -------
    float or ndarray
        USD per month saved (negative if the local share is higher).

    Notes
    -----
    ``saving = transactions * calls * payload_bytes / 1e9 * (share - local_share) * (out + in)``.

    References
    ----------
    .. [1] Seed section I.4 ("Data Locality").

    Examples
    --------
    The example of `chatty_service_cost`, with 5% of calls still crossing after the change:

    >>> zone_local_routing_saving(1e9, 10, 10_000, 0.5, 0.05, 0.01, 0.01)
    900.0
    """
    before = _chatty_gb(transactions_per_month, calls_per_transaction, payload_bytes_per_call,
                        share_crossing_zones)
    after = _chatty_gb(transactions_per_month, calls_per_transaction, payload_bytes_per_call,
                       local_share_crossing_zones, share_name="local_share_crossing_zones")
    po = _num("usd_per_gb_out", usd_per_gb_out, low=0)
    pi = _num("usd_per_gb_in", usd_per_gb_in, low=0)
    return _out((before - after) * (po + pi))


# ----------------------------------------------------------------------------------------------------
# 4. small-object storage
# ----------------------------------------------------------------------------------------------------

def _request_usd(put_requests_per_month, get_requests_per_month, put_usd_per_1000_requests,
                 get_usd_per_1000_requests):
    puts = _num("put_requests_per_month", put_requests_per_month, low=0)
    gets = _num("get_requests_per_month", get_requests_per_month, low=0)
    pp = _num("put_usd_per_1000_requests", put_usd_per_1000_requests, low=0)
    gp = _num("get_usd_per_1000_requests", get_usd_per_1000_requests, low=0)
    return puts / 1000.0 * pp + gets / 1000.0 * gp


def storage_vs_request_cost(object_count, object_size_bytes, storage_usd_per_gb_month, put_requests_per_month,
                            get_requests_per_month, put_usd_per_1000_requests, get_usd_per_1000_requests):
    """Monthly storage cost and request cost of an object store workload.

    Parameters
    ----------
    object_count : array_like
        Objects stored, >= 0.
    object_size_bytes : array_like
        Mean (billed) object size, bytes, >= 0.
    storage_usd_per_gb_month : array_like
        Storage price, USD per GB-month, >= 0.
    put_requests_per_month, get_requests_per_month : array_like
        Write-class (PUT, COPY, POST, LIST) and read-class (GET) requests per month, >= 0.
    put_usd_per_1000_requests, get_usd_per_1000_requests : array_like
        Request prices, USD per 1,000 requests, >= 0.

    Returns
    -------
    dict of str to float or ndarray
        ``storage_usd_per_month``, ``request_usd_per_month``, ``total_usd_per_month`` and
        ``request_to_storage_cost_ratio`` (requests over storage; ``inf`` when storage costs nothing).

    Notes
    -----
    ``storage = objects * size_bytes / 1e9 * storage_price``;
    ``requests = puts / 1000 * put_price + gets / 1000 * get_price``.
    Some storage classes bill a minimum object size (e.g. 128 KB); pass the billed size.

    References
    ----------
    .. [1] AWS, "Amazon S3 pricing": S3 Standard storage per GB-month and PUT/COPY/POST/LIST and GET prices
       per 1,000 requests.
    .. [2] Seed section I.4: for millions of 1 KB files, API costs can exceed storage costs.

    Examples
    --------
    A million 1 kB objects (1 GB), each written once a month, at S3 Standard list prices:

    >>> c = storage_vs_request_cost(1e6, 1_000, 0.023, 1e6, 0, 0.005, 0.0004)
    >>> c["storage_usd_per_month"], c["request_usd_per_month"]
    (0.023, 5.0)
    """
    n = _num("object_count", object_count, low=0)
    size = _num("object_size_bytes", object_size_bytes, low=0)
    sp = _num("storage_usd_per_gb_month", storage_usd_per_gb_month, low=0)
    storage = n * size / BYTES_PER_GB * sp
    requests = _request_usd(put_requests_per_month, get_requests_per_month, put_usd_per_1000_requests,
                            get_usd_per_1000_requests)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(storage > 0, requests / np.where(storage > 0, storage, 1.0), np.inf)
    return {"storage_usd_per_month": _out(storage), "request_usd_per_month": _out(requests),
            "total_usd_per_month": _out(storage + requests), "request_to_storage_cost_ratio": _out(ratio)}


def request_breakeven_object_size(object_count, storage_usd_per_gb_month, put_requests_per_month,
                                  get_requests_per_month, put_usd_per_1000_requests, get_usd_per_1000_requests):
    """Object size below which request costs exceed storage costs.

    Parameters
    ----------
    object_count : array_like
        Objects stored, > 0.
    storage_usd_per_gb_month : array_like
        Storage price, USD per GB-month, > 0.
    put_requests_per_month, get_requests_per_month : array_like
        Requests per month, >= 0.
    put_usd_per_1000_requests, get_usd_per_1000_requests : array_like
        Request prices, USD per 1,000 requests, >= 0.

    Returns
    -------
    float or ndarray
        Bytes per object (decimal: 1 GB = 1e9 bytes). Smaller objects cost more in requests than in storage.

    Notes
    -----
    Solving ``storage_price * objects * size_bytes / 1e9 = request_cost`` for the size:
    ``size_bytes = 1e9 * request_cost / (storage_price * objects)`` with
    ``request_cost = puts / 1000 * put_price + gets / 1000 * get_price``.

    References
    ----------
    .. [1] AWS, "Amazon S3 pricing". Seed section I.4.

    Examples
    --------
    The workload of `storage_vs_request_cost`: $5 of requests equals storage at 5 / 0.023 / 1e6 GB:

    >>> round(request_breakeven_object_size(1e6, 0.023, 1e6, 0, 0.005, 0.0004))
    217391
    """
    n = _num("object_count", object_count, low=0, low_strict=True)
    sp = _num("storage_usd_per_gb_month", storage_usd_per_gb_month, low=0, low_strict=True)
    requests = _request_usd(put_requests_per_month, get_requests_per_month, put_usd_per_1000_requests,
                            get_usd_per_1000_requests)
    return _out(BYTES_PER_GB * requests / (sp * n))


# ----------------------------------------------------------------------------------------------------
# 5. active-active vs active-passive
# ----------------------------------------------------------------------------------------------------

def active_active_premium(capacity_usd_per_month, standby_fraction, regions=2, replicated_gb_per_month=0.0,
                          inter_region_usd_per_gb=0.0, passive_replicated_gb_per_month=None):
    """Extra monthly cost of active-active over active-passive.

    Parameters
    ----------
    capacity_usd_per_month : array_like
        Cost of the capacity that serves the full load in one region, USD per month, >= 0.
    standby_fraction : array_like
        Size of each passive region as a share of full capacity, decimal in [0, 1] (0 pilot light, about
        0.1-0.5 warm standby, 1 hot standby).
    regions : array_like, default 2
        Regions in the deployment, >= 1.
    replicated_gb_per_month : array_like, default 0
        Data each other region must receive per month under active-active, decimal GB, >= 0.
    inter_region_usd_per_gb : array_like, default 0
        Inter-region transfer price, USD per GB, >= 0.
    passive_replicated_gb_per_month : array_like, optional
        The same for active-passive; defaults to ``replicated_gb_per_month``.

    Returns
    -------
    float or ndarray
        USD per month (active-active total less active-passive total).

    Notes
    -----
    ``premium = capacity * (regions - 1) * (1 - standby_fraction)
    + (regions - 1) * inter_region_price * (GB_aa - GB_ap)``. See `redundancy_comparison`.

    References
    ----------
    .. [1] Seed section I.4: "model the cost of Active-Active (expensive) vs. Active-Passive (cheaper but
       slower failover)".

    Examples
    --------
    >>> active_active_premium(100_000, 0.25)
    75000.0
    """
    cap = _num("capacity_usd_per_month", capacity_usd_per_month, low=0)
    sf = _num("standby_fraction", standby_fraction, low=0, high=1)
    n = _num("regions", regions, low=1)
    gb = _num("replicated_gb_per_month", replicated_gb_per_month, low=0)
    price = _num("inter_region_usd_per_gb", inter_region_usd_per_gb, low=0)
    gb_p = gb if passive_replicated_gb_per_month is None else _num(
        "passive_replicated_gb_per_month", passive_replicated_gb_per_month, low=0)
    return _out(cap * (n - 1) * (1 - sf) + (n - 1) * price * (gb - gb_p))


def redundancy_comparison(capacity_usd_per_month, standby_fraction, regions=2, replicated_gb_per_month=0.0,
                          inter_region_usd_per_gb=0.0, passive_replicated_gb_per_month=None):
    """Active-active vs active-passive monthly cost table.

    Parameters
    ----------
    capacity_usd_per_month : float
        Cost of the capacity that serves the full load in one region, USD per month, >= 0.
    standby_fraction : float
        Size of each passive region as a share of full capacity, decimal in [0, 1].
    regions : float, default 2
        Regions in the deployment, >= 1.
    replicated_gb_per_month : float, default 0
        Data each other region must receive per month under active-active, decimal GB, >= 0.
    inter_region_usd_per_gb : float, default 0
        Inter-region transfer price, USD per GB, >= 0.
    passive_replicated_gb_per_month : float, optional
        The same for active-passive; defaults to ``replicated_gb_per_month``.

    Returns
    -------
    pandas.DataFrame
        Index ``architecture`` (``"active-active"``, ``"active-passive"``); columns
        ``capacity_usd_per_month``, ``replication_usd_per_month``, ``total_usd_per_month`` and
        ``premium_usd_per_month`` (over active-passive; 0 on its own row).

    Notes
    -----
    Active-active: every region is sized for the full load so any one can absorb a failover,
    ``capacity * regions + (regions - 1) * GB_aa * price``.
    Active-passive: one full primary plus ``regions - 1`` standbys at ``standby_fraction``,
    ``capacity * (1 + (regions - 1) * standby_fraction) + (regions - 1) * GB_ap * price``.
    Writes replicated to every other region cost the same in both when ``GB_aa = GB_ap``, so the premium
    is then capacity only.

    References
    ----------
    .. [1] Seed section I.4 ("Resiliency vs. Cost").

    Examples
    --------
    Two regions, $100k of capacity, warm standby at 25%, 50 TB replicated at $0.02 a GB:

    >>> redundancy_comparison(100_000, 0.25, replicated_gb_per_month=50_000, inter_region_usd_per_gb=0.02).T
    architecture               active-active  active-passive
    capacity_usd_per_month          200000.0        125000.0
    replication_usd_per_month         1000.0          1000.0
    total_usd_per_month             201000.0        126000.0
    premium_usd_per_month            75000.0             0.0
    """
    cap = _scalar("capacity_usd_per_month", capacity_usd_per_month, low=0)
    sf = _scalar("standby_fraction", standby_fraction, low=0, high=1)
    n = _scalar("regions", regions, low=1)
    gb = _scalar("replicated_gb_per_month", replicated_gb_per_month, low=0)
    price = _scalar("inter_region_usd_per_gb", inter_region_usd_per_gb, low=0)
    gb_p = gb if passive_replicated_gb_per_month is None else _scalar(
        "passive_replicated_gb_per_month", passive_replicated_gb_per_month, low=0)
    capacity = [cap * n, cap * (1 + (n - 1) * sf)]
    replication = [(n - 1) * gb * price, (n - 1) * gb_p * price]
    total = [c + r for c, r in zip(capacity, replication)]
    out = pd.DataFrame({
        "capacity_usd_per_month": capacity,
        "replication_usd_per_month": replication,
        "total_usd_per_month": total,
        "premium_usd_per_month": [total[0] - total[1], 0.0],
    }, index=pd.Index(["active-active", "active-passive"], name="architecture"))
    return out


# ----------------------------------------------------------------------------------------------------
# 6. cost per tenant or tier
# ----------------------------------------------------------------------------------------------------

def tier_unit_economics(tiers):
    """Margin of each customer tier against its price, flagging negative unit economics.

    Parameters
    ----------
    tiers : pandas.DataFrame or list of dict
        One row per tier with columns ``tier``, ``cost_usd_per_tenant_month`` (>= 0) and
        ``price_usd_per_tenant_month`` (>= 0), and optionally ``tenants`` (>= 0).

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``margin_usd_per_tenant_month``, ``gross_margin`` (NaN for a free tier),
        ``negative_unit_economics`` (True where cost exceeds price) and, with ``tenants``,
        ``margin_usd_per_month``.

    Notes
    -----
    ``margin = price - cost``; ``gross_margin = margin / price``; flagged when ``margin < 0``;
    ``margin_usd_per_month = margin * tenants``.

    References
    ----------
    .. [1] Seed section VI.5: "If a specific customer tier costs $5/month to host but pays $4/month, the TPM
       must flag this negative unit economic model immediately."

    Examples
    --------
    >>> t = tier_unit_economics([
    ...     {"tier": "basic", "cost_usd_per_tenant_month": 5.0, "price_usd_per_tenant_month": 4.0},
    ...     {"tier": "pro", "cost_usd_per_tenant_month": 12.0, "price_usd_per_tenant_month": 20.0}])
    >>> t[["tier", "margin_usd_per_tenant_month", "gross_margin", "negative_unit_economics"]]
        tier  margin_usd_per_tenant_month  gross_margin  negative_unit_economics
    0  basic                         -1.0         -0.25                     True
    1    pro                          8.0          0.40                    False
    """
    try:
        df = pd.DataFrame(tiers).copy()
    except (TypeError, ValueError):
        raise ModelError(f"tiers = {tiers!r}: expected a table with columns tier, cost_usd_per_tenant_month, "
                         "price_usd_per_tenant_month") from None
    required = ["tier", "cost_usd_per_tenant_month", "price_usd_per_tenant_month"]
    missing = [c for c in required if c not in df.columns]
    require(not missing, "tiers", list(df.columns), f"expected columns {required}; missing {missing}")
    require(len(df) > 0, "tiers", tiers, "expected at least one tier")
    cols = ["cost_usd_per_tenant_month", "price_usd_per_tenant_month"]
    if "tenants" in df.columns:
        cols.append("tenants")
    for col in cols:
        for tier, val in zip(df["tier"], df[col]):
            _num(f"tiers[{tier!r}].{col}", val, low=0)
        df[col] = df[col].astype(float)
    margin = df["price_usd_per_tenant_month"] - df["cost_usd_per_tenant_month"]
    df["margin_usd_per_tenant_month"] = margin
    price = df["price_usd_per_tenant_month"]
    df["gross_margin"] = (margin / price.where(price > 0)).astype(float)
    df["negative_unit_economics"] = margin < 0
    if "tenants" in df.columns:
        df["margin_usd_per_month"] = margin * df["tenants"]
    return df


# ----------------------------------------------------------------------------------------------------
# 7. efficiency launch gate
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LaunchGateResult:
    """Verdict of `efficiency_launch_gate`.

    Attributes
    ----------
    passed : bool
        True if the launch may go ahead.
    verdict : str
        ``"pass"`` or ``"blocked"``.
    engagement_gain : float
        Relative engagement change, decimal.
    cost_per_dau_increase : float
        Relative change in cost per DAU, decimal.
    max_ratio : float
        Allowed cost growth per unit of engagement growth.
    allowed_cost_per_dau_increase : float
        ``max_ratio * engagement_gain``, decimal.
    reason : str
        One sentence stating the rule and the figures.
    """

    passed: bool
    verdict: str
    engagement_gain: float
    cost_per_dau_increase: float
    max_ratio: float
    allowed_cost_per_dau_increase: float
    reason: str


def efficiency_launch_gate(engagement_gain, cost_per_dau_increase, max_ratio=1.0):
    """Pass or block a launch by comparing its cost-per-DAU growth with its engagement gain.

    Parameters
    ----------
    engagement_gain : float
        Relative change in engagement the launch brings, decimal (0.01 is +1%), > -1.
    cost_per_dau_increase : float
        Relative change in cost per DAU, decimal (0.05 is +5%), > -1.
    max_ratio : float, default 1.0
        Cost growth allowed per unit of engagement growth, >= 0. 1.0: cost per DAU must not grow faster
        than engagement.

    Returns
    -------
    LaunchGateResult
        ``passed``, ``verdict`` (``"pass"`` / ``"blocked"``), the figures and a ``reason`` sentence.

    Notes
    -----
    The rule: pass if ``cost_per_dau_increase <= max_ratio * engagement_gain``, else blocked. A launch that
    lowers cost per DAU at least as much as ``max_ratio`` times any engagement loss also passes.

    References
    ----------
    .. [1] Seed section I.1: a model that "improves engagement by 1%, but increases Cost per DAU by 5%" is
       blocked until it is optimized.

    Examples
    --------
    >>> r = efficiency_launch_gate(0.01, 0.05)
    >>> r.verdict
    'blocked'
    >>> r.reason
    'blocked: cost per DAU +5.00% exceeds the allowed +1.00% (1.00 x engagement gain of +1.00%)'
    """
    e = _scalar("engagement_gain", engagement_gain, low=-1, low_strict=True)
    c = _scalar("cost_per_dau_increase", cost_per_dau_increase, low=-1, low_strict=True)
    r = _scalar("max_ratio", max_ratio, low=0)
    allowed = r * e
    passed = bool(c <= allowed)
    verdict = "pass" if passed else "blocked"
    relation = "is within" if passed else "exceeds"
    reason = (f"{verdict}: cost per DAU {c:+.2%} {relation} the allowed {allowed:+.2%} "
              f"({r:.2f} x engagement gain of {e:+.2%})")
    return LaunchGateResult(passed, verdict, e, c, r, allowed, reason)


# ----------------------------------------------------------------------------------------------------
# 8. cost change drivers: volume vs intensity
# ----------------------------------------------------------------------------------------------------

def cost_change_drivers(cost_before_usd_per_month, cost_after_usd_per_month, volume_before_units_per_month,
                        volume_after_units_per_month):
    """Split a change in cost between two periods into a volume effect and an intensity effect.

    Parameters
    ----------
    cost_before_usd_per_month, cost_after_usd_per_month : array_like
        Cost in the earlier and later period, USD per month, >= 0.
    volume_before_units_per_month, volume_after_units_per_month : array_like
        Units of value in the earlier and later period, > 0.

    Returns
    -------
    dict of str to float or ndarray
        ``total_change_usd_per_month``, ``volume_effect_usd_per_month`` (more units at the old cost per
        unit: growth, "good"), ``intensity_effect_usd_per_month`` (cost-per-unit change at the new volume:
        efficiency, "bad" when positive), ``cost_before_usd_per_unit`` and ``cost_after_usd_per_unit``.

    Notes
    -----
    With ``c = C / V``: ``volume_effect = (V2 - V1) * c1`` and ``intensity_effect = (c2 - c1) * V2``; they
    sum exactly to ``C2 - C1``. The interaction term ``(V2 - V1)(c2 - c1)`` is counted in intensity;
    symmetric splits (Shapley, log-mean Divisia) share it instead.

    References
    ----------
    .. [1] Seed section I.1: Amazon COE reviews ask whether an overrun came from traffic (good) or
       resource intensity per request (bad).
    .. [2] B. W. Ang, "Decomposition analysis for policymaking in energy: which is the preferred
       method?", Energy Policy 32 (2004) 1131-1139 (activity vs intensity effects).

    Examples
    --------
    $100k for 1M units, then $150k for 1.2M units:

    >>> d = cost_change_drivers(100_000, 150_000, 1e6, 1.2e6)
    >>> d["volume_effect_usd_per_month"], d["intensity_effect_usd_per_month"]
    (20000.0, 30000.0)
    """
    c1 = _num("cost_before_usd_per_month", cost_before_usd_per_month, low=0)
    c2 = _num("cost_after_usd_per_month", cost_after_usd_per_month, low=0)
    v1 = _num("volume_before_units_per_month", volume_before_units_per_month, low=0, low_strict=True)
    v2 = _num("volume_after_units_per_month", volume_after_units_per_month, low=0, low_strict=True)
    u1, u2 = c1 / v1, c2 / v2
    volume_effect = (v2 - v1) * u1
    return {
        "total_change_usd_per_month": _out(c2 - c1),
        "volume_effect_usd_per_month": _out(volume_effect),
        "intensity_effect_usd_per_month": _out((c2 - c1) - volume_effect),
        "cost_before_usd_per_unit": _out(u1),
        "cost_after_usd_per_unit": _out(u2),
    }


def cost_change_drivers_by_component(costs_before_usd_per_month, costs_after_usd_per_month,
                                     volume_before_units_per_month, volume_after_units_per_month):
    """Volume vs intensity split of a cost change, per component.

    Parameters
    ----------
    costs_before_usd_per_month, costs_after_usd_per_month : mapping or pandas.Series
        Component -> cost in the earlier and later period, USD per month, >= 0. A component missing from
        one period counts as 0 there.
    volume_before_units_per_month, volume_after_units_per_month : float
        Units of value in the earlier and later period, > 0 (shared by all components).

    Returns
    -------
    pandas.DataFrame
        One row per component (earlier period's order, then new ones) with columns ``component``,
        ``cost_before_usd_per_month``, ``cost_after_usd_per_month``, ``total_change_usd_per_month``,
        ``volume_effect_usd_per_month`` and ``intensity_effect_usd_per_month``. Column sums give the
        totals of `cost_change_drivers`.

    Notes
    -----
    As `cost_change_drivers` for each component ``i``: ``volume_i = (V2 - V1) * C1_i / V1``,
    ``intensity_i = (C2_i / V2 - C1_i / V1) * V2``.

    References
    ----------
    .. [1] Seed section I.1 (COE reviews of budget overruns).

    Examples
    --------
    Volume grows 10%; compute grows with it, storage's cost per unit rises from $0.040 to $0.076:

    >>> cost_change_drivers_by_component({"compute": 60_000, "storage": 40_000},
    ...                                  {"compute": 66_000, "storage": 84_000}, 1e6, 1.1e6).set_index("component").T
    component                       compute  storage
    cost_before_usd_per_month       60000.0  40000.0
    cost_after_usd_per_month        66000.0  84000.0
    total_change_usd_per_month       6000.0  44000.0
    volume_effect_usd_per_month      6000.0   4000.0
    intensity_effect_usd_per_month      0.0  40000.0
    """
    before = _component_series("costs_before_usd_per_month", costs_before_usd_per_month)
    after = _component_series("costs_after_usd_per_month", costs_after_usd_per_month)
    v1 = _scalar("volume_before_units_per_month", volume_before_units_per_month, low=0, low_strict=True)
    v2 = _scalar("volume_after_units_per_month", volume_after_units_per_month, low=0, low_strict=True)
    index = list(before.index) + [c for c in after.index if c not in before.index]
    c1 = before.reindex(index, fill_value=0.0).to_numpy()
    c2 = after.reindex(index, fill_value=0.0).to_numpy()
    volume_effect = (v2 - v1) * c1 / v1
    return pd.DataFrame({
        "component": [str(c) for c in index],
        "cost_before_usd_per_month": c1,
        "cost_after_usd_per_month": c2,
        "total_change_usd_per_month": c2 - c1,
        "volume_effect_usd_per_month": volume_effect,
        "intensity_effect_usd_per_month": (c2 - c1) - volume_effect,
    })


# ----------------------------------------------------------------------------------------------------
# model function for costlib.uncertainty
# ----------------------------------------------------------------------------------------------------

_MODEL_OUTPUTS = ("gross_margin", "margin_usd_per_unit", "cost_usd_per_unit", "cost_usd_per_month",
                  "revenue_usd_per_month", "margin_usd_per_month")
_COMPONENT_SUFFIXES = ("_fixed_usd_per_month", "_k", "_b")


def unit_economics_model(volume_units_per_month, price_usd_per_unit, output="gross_margin", **components):
    """Vectorized unit-economics model over flat scalar inputs, for sensitivity, Monte Carlo and goal seek.

    Parameters
    ----------
    volume_units_per_month : array_like
        Units of value per month, > 0.
    price_usd_per_unit : array_like
        Price (revenue) per unit, USD, > 0.
    output : str, default "gross_margin"
        One of ``"gross_margin"``, ``"margin_usd_per_unit"``, ``"cost_usd_per_unit"``,
        ``"cost_usd_per_month"``, ``"revenue_usd_per_month"``, ``"margin_usd_per_month"``, or ``"all"``
        for a dict of every output.
    **components : array_like
        Per-component scaling-law inputs, named ``<component>_fixed_usd_per_month`` (default 0),
        ``<component>_k`` (USD per month per ``volume ** b``; default 0, but required when
        ``<component>_b`` is given) and ``<component>_b`` (default 1), e.g.
        ``compute_k=0.004, cache_fixed_usd_per_month=2_000, cache_k=3.0, cache_b=0.5``.

    Returns
    -------
    float, ndarray or dict
        The requested output; arrays broadcast, so samples of shape (n, 1) give results of shape (n, 1).

    Notes
    -----
    ``C = sum_i (F_i + k_i V**b_i)``; ``cost_usd_per_unit = C / V``; ``revenue = p V``;
    ``margin_usd_per_unit = p - C / V``; ``gross_margin = (p - C / V) / p``.

    References
    ----------
    .. [1] Seed section I.1 and I.2.

    Examples
    --------
    Compute at $0.06 a unit, a $2M fixed platform, 100M units at $0.125:

    >>> unit_economics_model(100e6, 0.125, compute_k=0.06, platform_fixed_usd_per_month=2e6)
    0.36
    >>> import numpy as np
    >>> unit_economics_model(np.array([[50e6], [100e6]]), 0.125, output="cost_usd_per_unit",
    ...                      compute_k=0.06, platform_fixed_usd_per_month=2e6)
    array([[0.1 ],
           [0.08]])
    """
    require(output == "all" or output in _MODEL_OUTPUTS, "output", output,
            f"expected one of {list(_MODEL_OUTPUTS) + ['all']}")
    v = _num("volume_units_per_month", volume_units_per_month, low=0, low_strict=True)
    p = _num("price_usd_per_unit", price_usd_per_unit, low=0, low_strict=True)
    specs = {}
    for key, value in components.items():
        suffix = next((s for s in _COMPONENT_SUFFIXES if key.endswith(s) and len(key) > len(s)), None)
        if suffix is None:
            raise ModelError(f"{key} = {value!r}: unknown input; expected volume_units_per_month, "
                             "price_usd_per_unit, output or <component>_fixed_usd_per_month / _k / _b")
        specs.setdefault(key[: -len(suffix)], {})[suffix] = value
    require(len(specs) > 0, "components", components,
            "expected at least one <component>_k or <component>_fixed_usd_per_month input")
    cost = np.zeros(np.broadcast(v, p).shape)
    for comp, spec in specs.items():
        require("_k" in spec or "_b" not in spec, f"{comp}_k", None,
                f"expected a value: {comp}_b is given but {comp}_k is not")
        f = _num(f"{comp}_fixed_usd_per_month", spec.get("_fixed_usd_per_month", 0.0), low=0)
        k = _num(f"{comp}_k", spec.get("_k", 0.0), low=0)
        b = _num(f"{comp}_b", spec.get("_b", 1.0), low=0)
        cost = cost + f + k * v ** b
    unit_cost = cost / v
    results = {
        "gross_margin": (p - unit_cost) / p,
        "margin_usd_per_unit": p - unit_cost,
        "cost_usd_per_unit": unit_cost,
        "cost_usd_per_month": cost,
        "revenue_usd_per_month": p * v,
        "margin_usd_per_month": p * v - cost,
    }
    if output == "all":
        return {name: _out(val) for name, val in results.items()}
    return _out(results[output])
