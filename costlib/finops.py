"""FinOps: allocation, Kubernetes cost, anomalies, rightsizing, commitments, storage, scorecards, spot.

The formulas behind workbook 06 (seed section VI and its two interview questions). Every function takes
small pandas frames or numpy arrays (the results of the `costlib.billing_queries` queries, or inputs a
scenario gives) and is pure: no I/O, no printing, no plotting.

Conventions
-----------
- Money is USD (or the scenario's one currency) as float64; costs are **positive** amounts. Allocation
  results are rounded to whole cents (largest-remainder rounding), so they add up to the cent.
- The base period is the month; a month is 730 hours for hourly prices.
- Rates, shares and utilizations are decimals (0.65, not 65).
- A "period" of a cost series is a day or an hour; a series is a `pandas.Series` indexed by its period
  start, in time order.
- Amortized cost (FOCUS ``EffectiveCost``) and billed cost (``BilledCost``) are never added together;
  commitment purchases are never summed with the usage they cover.
- Bad arguments raise `costlib.errors.ModelError` naming the argument, the value and what was expected.

References
----------
.. [1] costbook seed, "Cost Model Fundamentals", section VI (FinOps) and its interview questions (the
   runaway ML service; the nightly 4-hour batch on spot).
.. [2] FinOps Foundation, FOCUS specification v1.2: BilledCost, EffectiveCost, ListCost, ContractedCost,
   ChargeCategory, CommitmentDiscountStatus, CommitmentDiscountQuantity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from costlib import checks, unit_economics
from costlib.errors import ModelError, require

HOURS_PER_MONTH = 730.0
UNALLOCATED = "(unallocated)"

_num = checks.number


def _scalar(name, value, **bounds) -> float:
    arr = _num(name, value, **bounds)
    require(arr.ndim == 0, name, value, "expected a single number")
    return float(arr)


def _frame(name, data, required: Sequence[str]) -> pd.DataFrame:
    """``data`` as a DataFrame holding ``required`` columns and at least one row."""
    try:
        df = pd.DataFrame(data).copy()
    except (TypeError, ValueError):
        raise ModelError(f"{name} = {data!r}: expected a table with columns {list(required)}") from None
    missing = [c for c in required if c not in df.columns]
    require(not missing, name, list(df.columns), f"expected columns {list(required)}; missing {missing}")
    require(len(df) > 0, name, "an empty table", "expected at least one row")
    return df


def _column(name, df, column, **bounds) -> np.ndarray:
    """A numeric column checked element by element (the error names the row's index label)."""
    try:
        values = df[column].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{name}.{column} = {list(df[column])!r}: expected numbers") from None
    ok = np.isfinite(values)
    if bounds.get("low") is not None:
        ok &= values > bounds["low"] if bounds.get("low_strict") else values >= bounds["low"]
    if bounds.get("high") is not None:
        ok &= values <= bounds["high"]
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        parts = []
        if bounds.get("low") is not None:
            parts.append(f"{'>' if bounds.get('low_strict') else '>='} {bounds['low']:g}")
        if bounds.get("high") is not None:
            parts.append(f"<= {bounds['high']:g}")
        raise ModelError(f"{name}.{column}[{df.index[i]!r}] = {values[i]!r}: expected a finite number"
                         + (" " + " and ".join(parts) if parts else ""))
    return values


def _choice(name, value, allowed):
    require(value in allowed, name, value, f"expected one of {list(allowed)}")
    return value


def _mapping(name, value) -> pd.Series:
    """A mapping (or Series) of label -> non-negative number as a float Series."""
    require(isinstance(value, (Mapping, pd.Series)), name, value, "expected a mapping of team to a number")
    s = pd.Series(dict(value) if isinstance(value, Mapping) else value, dtype=object)
    require(len(s) > 0, name, dict(s), "expected at least one team")
    for k, v in s.items():
        _scalar(f"{name}[{k!r}]", v, low=0)
    return s.astype(float)


# ----------------------------------------------------------------------------------------------------
# 1. Shared-cost allocation, showback and chargeback
# ----------------------------------------------------------------------------------------------------

def split_cents(total_usd, weights) -> np.ndarray:
    """Split an amount into whole cents in proportion to weights, conserving the total to the cent.

    Parameters
    ----------
    total_usd : float
        The amount to split, USD (rounded to the nearest cent first; may be negative, e.g. a credit).
    weights : array_like
        Non-negative weights, one per recipient, not all zero.

    Returns
    -------
    ndarray
        USD per recipient, each a whole number of cents; they add up to ``round(total_usd, 2)`` exactly
        (in cents).

    Notes
    -----
    Largest-remainder (Hamilton) rounding on cents: with ``C = round(100 * total)`` and ``q_i = C * w_i /
    Σ w``, each recipient gets ``floor(q_i)`` cents and the ``C - Σ floor(q_i)`` cents left over go one each
    to the largest fractional parts ``q_i - floor(q_i)`` (ties to the earlier recipient). A negative total
    is split as the negative of the split of ``-total``.

    References
    ----------
    .. [1] M. L. Balinski and H. P. Young, *Fair Representation* (1982), the Hamilton method.

    Examples
    --------
    >>> split_cents(100.00, [1, 1, 1]).tolist()
    [33.34, 33.33, 33.33]
    >>> split_cents(-0.05, [2, 1]).tolist()
    [-0.03, -0.02]
    """
    total = _scalar("total_usd", total_usd)
    w = checks.check("weights", weights, lambda a: np.isfinite(a) & (a >= 0), "expected finite weights >= 0")
    require(w.ndim == 1 and w.size > 0, "weights", weights, "expected a non-empty 1-d array of weights")
    require(w.sum() > 0, "weights", w.tolist(), "expected at least one positive weight")
    cents = int(round(total * 100))
    sign = -1 if cents < 0 else 1
    cents = abs(cents)
    quota = cents * w / w.sum()
    base = np.floor(quota).astype(np.int64)
    left = cents - int(base.sum())
    order = np.argsort(-(quota - base), kind="stable")
    base[order[:left]] += 1
    return sign * base / 100.0


def direct_and_untagged(showback, cost_column: str = "effective_cost", key_column: str = "tag_value"):
    """Direct cost per team and the untagged cost, from a `billing_queries.showback_by_tag` result.

    Parameters
    ----------
    showback : pandas.DataFrame
        One row per tag value with ``key_column`` (null for rows without the tag) and ``cost_column``
        (USD over the period).
    cost_column, key_column : str
        The cost column (``effective_cost`` for amortized, ``billed_cost`` for cash) and the team column.

    Returns
    -------
    (pandas.Series, float)
        USD per team (sorted by team), and the untagged USD.

    Notes
    -----
    direct(team) = Σ cost over rows whose tag value is team; untagged = Σ cost over rows without the tag.

    Examples
    --------
    >>> import pandas as pd
    >>> direct, untagged = direct_and_untagged(pd.DataFrame(
    ...     {"tag_value": ["ads", "web", None], "effective_cost": [60.0, 30.0, 10.0]}))
    >>> direct.to_dict(), untagged
    ({'ads': 60.0, 'web': 30.0}, 10.0)
    """
    df = _frame("showback", showback, [key_column, cost_column])
    cost = _column("showback", df, cost_column)
    df = df.assign(**{cost_column: cost})
    tagged = df[key_column].notna()
    direct = df[tagged].groupby(key_column)[cost_column].sum().sort_index()
    direct.index.name = None
    return direct.astype(float), float(df.loc[~tagged, cost_column].sum())


ALLOCATION_METHODS = ("even", "proportional", "fixed", "usage")
ASSIGNMENT_RULES = ("proportional", "even", "unallocated")


def _weights(method, teams, direct, fixed_shares, usage):
    if method == "even":
        return np.ones(len(teams))
    if method == "proportional":
        require(direct.sum() > 0, "direct_cost_usd", direct.to_dict(),
                "expected a positive total direct cost for a proportional allocation")
        return direct.to_numpy()
    if method == "fixed":
        require(fixed_shares is not None, "fixed_shares", fixed_shares, "expected shares per team for method 'fixed'")
        shares = _mapping("fixed_shares", fixed_shares)
        require(set(shares.index) == set(teams), "fixed_shares", sorted(shares.index),
                f"expected a share for exactly the teams {sorted(teams)}")
        require(abs(shares.sum() - 1) <= 1e-9, "fixed_shares", shares.to_dict(), "expected shares adding up to 1")
        return shares.reindex(teams).to_numpy()
    require(usage is not None, "usage", usage, "expected a usage metric per team for method 'usage'")
    u = _mapping("usage", usage)
    require(set(u.index) == set(teams), "usage", sorted(u.index), f"expected usage for exactly the teams {sorted(teams)}")
    require(u.sum() > 0, "usage", u.to_dict(), "expected a positive total usage")
    return u.reindex(teams).to_numpy()


def allocate_costs(direct_cost_usd, shared_cost_usd=0.0, method: str = "proportional", *, fixed_shares=None,
                   usage=None, untagged_cost_usd=0.0, untagged_rule: str = "proportional",
                   unused_commitment_cost_usd=0.0, unused_rule: str = "proportional") -> pd.DataFrame:
    """Showback or chargeback by team: direct cost plus shared, untagged and unused-commitment cost.

    Parameters
    ----------
    direct_cost_usd : mapping or pandas.Series
        Cost each team carries directly (tagged to it), USD over the period, >= 0.
    shared_cost_usd : float
        Shared cost to allocate (a shared cluster, support, a platform team), USD, >= 0.
    method : {"proportional", "even", "fixed", "usage"}
        How shared cost is split: in proportion to direct cost, evenly, by ``fixed_shares``, or in
        proportion to ``usage``.
    fixed_shares : mapping, optional
        Team -> share (decimals adding up to 1), for ``method="fixed"``.
    usage : mapping, optional
        Team -> a usage metric (requests, GB, vCPU-hours; any unit, >= 0), for ``method="usage"``.
    untagged_cost_usd : float
        Cost without the team tag, USD, >= 0.
    untagged_rule, unused_rule : {"proportional", "even", "unallocated"}
        How untagged cost and unused-commitment cost are assigned: in proportion to direct cost, evenly,
        or kept on an ``"(unallocated)"`` row.
    unused_commitment_cost_usd : float
        Amortized cost of commitments that went unused, USD, >= 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by team (plus ``"(unallocated)"`` when a rule keeps cost apart), with ``direct_usd``,
        ``shared_usd``, ``untagged_usd``, ``unused_commitment_usd`` and ``total_usd``, all in whole cents.

    Notes
    -----
    Each pool p (direct, shared, untagged, unused) is rounded to cents once and split by
    `split_cents` with weights w_p(team): direct by the teams' own costs; shared by 1 (even), direct cost
    (proportional), the fixed share, or the usage metric; untagged and unused by direct cost or 1.
    ``total(team) = Σ_p pool_p(team)``, so ``Σ_team total = Σ_p round(pool_p, 2)`` to the cent.

    References
    ----------
    .. [1] Seed section VI.1 (attribution, shared resource allocation).
    .. [2] FinOps Foundation, "Allocation" capability and "Managing Shared Cost": even split, proportional
       (to direct cost), fixed proportion, and usage-based metering.

    Examples
    --------
    >>> t = allocate_costs({"ads": 600.0, "web": 300.0}, shared_cost_usd=90.0, untagged_cost_usd=10.0,
    ...                    untagged_rule="unallocated")
    >>> t[["direct_usd", "shared_usd", "untagged_usd", "total_usd"]]
                   direct_usd  shared_usd  untagged_usd  total_usd
    ads                 600.0        60.0           0.0      660.0
    web                 300.0        30.0           0.0      330.0
    (unallocated)         0.0         0.0          10.0       10.0
    """
    direct = _mapping("direct_cost_usd", direct_cost_usd)
    teams = list(direct.index)
    require(UNALLOCATED not in teams, "direct_cost_usd", teams, f"expected no team named {UNALLOCATED!r}")
    _choice("method", method, ALLOCATION_METHODS)
    _choice("untagged_rule", untagged_rule, ASSIGNMENT_RULES)
    _choice("unused_rule", unused_rule, ASSIGNMENT_RULES)
    shared = _scalar("shared_cost_usd", shared_cost_usd, low=0)
    untagged = _scalar("untagged_cost_usd", untagged_cost_usd, low=0)
    unused = _scalar("unused_commitment_cost_usd", unused_commitment_cost_usd, low=0)
    rows = teams + [UNALLOCATED]
    table = pd.DataFrame(0.0, index=rows, columns=["direct_usd", "shared_usd", "untagged_usd",
                                                    "unused_commitment_usd"])
    if direct.sum() > 0:
        table.loc[teams, "direct_usd"] = split_cents(direct.sum(), direct.to_numpy())
    if shared > 0:
        table.loc[teams, "shared_usd"] = split_cents(shared, _weights(method, teams, direct, fixed_shares, usage))
    for column, amount, rule, name in (("untagged_usd", untagged, untagged_rule, "untagged_rule"),
                                       ("unused_commitment_usd", unused, unused_rule, "unused_rule")):
        if amount <= 0:
            continue
        if rule == "unallocated":
            table.loc[UNALLOCATED, column] = split_cents(amount, [1.0])[0]
        else:
            table.loc[teams, column] = split_cents(amount, _weights(rule, teams, direct, None, None))
    cents = (table * 100).round().astype(np.int64)
    table["total_usd"] = cents.sum(axis=1) / 100.0
    if not (table.loc[UNALLOCATED] != 0).any():
        table = table.drop(index=UNALLOCATED)
    return table
