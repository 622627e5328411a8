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

Contents (numbered as the workbook's parts)
-------------------------------------------
1. Allocation: `split_cents`, `direct_and_untagged`, `tag_coverage_shares`, `untagged_by_impact`,
   `allocate_costs`.
2. Kubernetes: `split_node_cost`, `kubernetes_allocation`, `request_usage_gap`.
3. Anomalies: `rate_of_change_alerts`, `seasonal_naive_forecast`, `forecast_deviation_alerts`,
   `seasonal_decomposition`, `seasonal_alerts`, `detect_anomalies`, `alert_drivers`, `backtest_detectors`;
   the runaway service: `dev_always_on_waste`, `runaway_cost_split`.
4. Rightsizing: `rightsizing`.
5. Commitments: `commitment_metrics`, `commitment_expiry_calendar`.
6. Storage: `storage_tiering_moves`.
7. Scorecards: `team_scorecard`.
8. Spot batch window: `on_demand_batch_cost`, `spot_batch_window`.
9. Unit cost: `cost_per_unit_series`.

`costlib.synthetic_usage` generates the usage inputs (a Kubernetes cluster, utilization samples) with known
answers; `costlib.synthetic_focus` the bill.

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
from costlib.constants import DAYS_PER_MONTH, HOURS_PER_MONTH  # noqa: F401  (re-exported: one definition, in constants)
from costlib.errors import ModelError, require

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


def _mapping(name, value, signed: bool = False) -> pd.Series:
    """A mapping (or Series) of label -> number (non-negative unless ``signed``) as a float Series."""
    require(isinstance(value, (Mapping, pd.Series)), name, value, "expected a mapping of team to a number")
    s = pd.Series(dict(value) if isinstance(value, Mapping) else value, dtype=object)
    require(len(s) > 0, name, dict(s), "expected at least one team")
    for k, v in s.items():
        if signed:
            _scalar(f"{name}[{k!r}]", v)
        else:
            _scalar(f"{name}[{k!r}]", v, low=0)
    return s.astype(float)


def round_cents(amounts_usd) -> np.ndarray:
    """Round signed amounts to whole cents so that they add up to their rounded total (largest remainder).

    Parameters
    ----------
    amounts_usd : array_like
        USD amounts of any sign (a team's net cost is negative when its credits exceed its charges).

    Returns
    -------
    numpy.ndarray
        The amounts in whole cents, ``Σ = round(Σ amounts, 2)``.

    Notes
    -----
    ``c_i = floor(100 a_i)``; the ``round(100 Σ a) - Σ c_i`` cents left go one each to the largest
    fractional parts ``100 a_i - c_i`` (Hamilton's method, as in `split_cents`).

    Examples
    --------
    Σ = 0.667 -> 67 cents; floors 33 + 33 - 34 + 33 = 65; the 2 cents left go to the largest fractional
    parts (-33.3 -> 0.7, 33.4 -> 0.4):

    >>> round_cents([0.333, 0.333, -0.333, 0.334]).tolist()
    [0.33, 0.33, -0.33, 0.34]
    """
    a = np.asarray(amounts_usd, dtype=float) * 100
    require(np.isfinite(a).all(), "amounts_usd", a.tolist(), "expected finite amounts")
    base = np.floor(a)
    left = int(round(a.sum())) - int(base.sum())
    order = np.argsort(-(a - base), kind="stable")
    base[order[:max(left, 0)]] += 1
    return base / 100.0


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

    References
    ----------
    .. [1] FOCUS v1.2, Tags; FinOps Foundation, "Allocation" capability (showback and chargeback).

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


def tag_coverage_shares(coverage, keys: Sequence[str]) -> pd.DataFrame:
    """Tag coverage per key as a share of cost, amortized and billed, from `billing_queries.tag_coverage`.

    Parameters
    ----------
    coverage : pandas.DataFrame
        The one-row result of `billing_queries.tag_coverage`: ``effective_cost``, ``billed_cost`` and, per
        key k, ``tagged_effective_cost__k`` and ``tagged_billed_cost__k`` (USD).
    keys : sequence of str
        The required tag keys (the seed's ``CostCenter``, ``ServiceID``, ``Environment``, or the
        scenario's).

    Returns
    -------
    pandas.DataFrame
        Per key: ``tagged_effective_usd``, ``effective_coverage_share``, ``tagged_billed_usd``,
        ``billed_coverage_share``, ``untagged_effective_usd``.

    Raises
    ------
    ModelError
        For a key the query was not run with, or one that no row carries (its tagged cost is null): most
        often a misspelt key or a different case (``costcenter`` vs ``CostCenter``).

    Notes
    -----
    ``coverage(k) = Σ cost [k in Tags] / Σ cost``, for EffectiveCost and BilledCost apart.

    References
    ----------
    .. [1] Seed section VI.1 (mandatory tagging: CostCenter, ServiceID, Environment).
    .. [2] FinOps Foundation KPI library, "Percentage of cost allocated / tagged" (cost carrying the
       required tags over total cost).

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.DataFrame({"effective_cost": [200.0], "billed_cost": [180.0],
    ...     "tagged_effective_cost__team": [150.0], "tagged_billed_cost__team": [120.0]})
    >>> tag_coverage_shares(row, ["team"]).loc["team", ["effective_coverage_share", "billed_coverage_share"]].tolist()
    [0.75, 0.6666666666666666]
    """
    df = _frame("coverage", coverage, ["effective_cost", "billed_cost"])
    require(len(df) == 1, "coverage", f"{len(df)} rows", "expected the one-row result of tag_coverage")
    row = df.iloc[0]
    out = {}
    for key in keys:
        columns = [f"tagged_effective_cost__{key}", f"tagged_billed_cost__{key}"]
        missing = [c for c in columns if c not in df.columns]
        require(not missing, "keys", key, f"expected a key the tag_coverage query was run with; missing {missing}")
        tagged_eff, tagged_billed = row[columns[0]], row[columns[1]]
        require(pd.notna(tagged_eff) and pd.notna(tagged_billed), "keys", key,
                "expected a tag key carried by at least one row (none carries it: check its spelling and case)")
        total_eff, total_billed = float(row["effective_cost"]), float(row["billed_cost"])
        out[key] = {"tagged_effective_usd": float(tagged_eff),
                    "effective_coverage_share": float(tagged_eff) / total_eff if total_eff else np.nan,
                    "tagged_billed_usd": float(tagged_billed),
                    "billed_coverage_share": float(tagged_billed) / total_billed if total_billed else np.nan,
                    "untagged_effective_usd": total_eff - float(tagged_eff)}
    return pd.DataFrame.from_dict(out, orient="index")


def untagged_by_impact(resources, cost_column: str = "effective_cost", tagged_column: str = "tagged",
                       base_usd=None, coverage_share=None) -> pd.DataFrame:
    """The untagged resources ranked by how much tagging each would raise coverage.

    Parameters
    ----------
    resources : pandas.DataFrame
        Per resource: ``ResourceId``, ``cost_column`` (USD, >= 0) and ``tagged_column`` (True where the
        resource carries the key).
    base_usd, coverage_share : float, optional
        The coverage base (USD) and the coverage on it (`tag_coverage_on_base`), so the gains are shares of
        the same base the coverage figure states; default: the resources' own total and coverage.

    Returns
    -------
    pandas.DataFrame
        The untagged resources, costliest first, with ``coverage_gain_share`` (its cost over the total)
        and ``coverage_after_share`` (coverage once it and every one above it are tagged).

    Notes
    -----
    ``gain(r) = cost(r) / Σ cost``; ``coverage_after(r) = coverage + Σ_{r' ranked <= r} gain(r')``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"ResourceId": ["a", "b", "c"], "effective_cost": [50.0, 30.0, 20.0],
    ...                   "tagged": [True, False, False]})
    >>> untagged_by_impact(r)[["ResourceId", "coverage_gain_share", "coverage_after_share"]]
      ResourceId  coverage_gain_share  coverage_after_share
    0          b                  0.3                   0.8
    1          c                  0.2                   1.0
    """
    df = _frame("resources", resources, ["ResourceId", cost_column, tagged_column])
    cost = _column("resources", df, cost_column, low=0)
    total = cost.sum() if base_usd is None else _scalar("base_usd", base_usd, low=0)
    require(total > 0, f"resources.{cost_column}", 0.0, "expected a positive total cost")
    tagged = df[tagged_column].fillna(False).astype(bool).to_numpy()
    covered = cost[tagged].sum() / total if coverage_share is None else _scalar("coverage_share", coverage_share)
    out = df.assign(**{cost_column: cost})[~tagged].sort_values(cost_column, ascending=False, kind="stable")
    out["coverage_gain_share"] = out[cost_column] / total
    out["coverage_after_share"] = np.minimum(covered + out["coverage_gain_share"].cumsum(), 1.0)
    return out.reset_index(drop=True)


ALLOCATION_METHODS = ("even", "proportional", "fixed", "usage")
ASSIGNMENT_RULES = ("proportional", "even", "unallocated")


def _weights(method, teams, direct, fixed_shares, usage):
    if method == "even":
        return np.ones(len(teams))
    if method == "proportional":
        # A team whose net direct cost is negative (credits beyond its charges) carries no share.
        positive = direct.clip(lower=0)
        return positive.to_numpy() if positive.sum() > 0 else np.ones(len(teams))
    if method == "fixed":
        require(fixed_shares is not None, "fixed_shares", fixed_shares, "expected shares per team for method 'fixed'")
        shares = _mapping("fixed_shares", fixed_shares)
        require(set(shares.index) == set(teams), "fixed_shares", sorted(shares.index),
                f"expected a share for exactly the teams {sorted(teams)}")
        require(abs(shares.sum() - 1) <= 1e-9, "fixed_shares", shares.to_dict(), "expected shares adding up to 1")
        return shares.reindex(teams).to_numpy()
    require(usage is not None, "usage", usage, "expected a usage metric per team for method 'usage'")
    u = _mapping("usage", usage)
    require(set(u.index) == set(teams), "usage", sorted(u.index),
            f"expected usage for exactly the teams {sorted(teams)}")
    require(u.sum() > 0, "usage", u.to_dict(), "expected a positive total usage")
    return u.reindex(teams).to_numpy()


def allocate_costs(direct_cost_usd, shared_cost_usd=0.0, method: str = "proportional", *, fixed_shares=None,
                   usage=None, untagged_cost_usd=0.0, untagged_rule: str = "proportional",
                   unused_commitment_cost_usd=0.0, unused_rule: str = "proportional") -> pd.DataFrame:
    """Showback or chargeback by team: direct cost plus shared, untagged and unused-commitment cost.

    Parameters
    ----------
    direct_cost_usd : mapping or pandas.Series
        Cost each team carries directly (tagged to it), USD over the period; negative for a team whose
        credits exceed its charges.
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
        Cost without the team tag, USD (negative when untagged credits outweigh untagged charges).
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
    `split_cents` with weights w_p(team): direct cost by `round_cents` (each team its own, signed); shared
    by 1 (even), positive direct cost (proportional: a team with a negative net carries none; every team
    evenly if none is positive), the fixed share, or the usage metric; untagged and unused by positive
    direct cost or 1.
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
    direct = _mapping("direct_cost_usd", direct_cost_usd, signed=True)
    teams = list(direct.index)
    require(UNALLOCATED not in teams, "direct_cost_usd", teams, f"expected no team named {UNALLOCATED!r}")
    _choice("method", method, ALLOCATION_METHODS)
    _choice("untagged_rule", untagged_rule, ASSIGNMENT_RULES)
    _choice("unused_rule", unused_rule, ASSIGNMENT_RULES)
    shared = _scalar("shared_cost_usd", shared_cost_usd, low=0)
    untagged = _scalar("untagged_cost_usd", untagged_cost_usd)
    unused = _scalar("unused_commitment_cost_usd", unused_commitment_cost_usd, low=0)
    rows = teams + [UNALLOCATED]
    table = pd.DataFrame(0.0, index=rows, columns=["direct_usd", "shared_usd", "untagged_usd",
                                                    "unused_commitment_usd"])
    table.loc[teams, "direct_usd"] = round_cents(direct.to_numpy())
    if shared > 0:
        table.loc[teams, "shared_usd"] = split_cents(shared, _weights(method, teams, direct, fixed_shares, usage))
    for column, amount, rule, name in (("untagged_usd", untagged, untagged_rule, "untagged_rule"),
                                       ("unused_commitment_usd", unused, unused_rule, "unused_rule")):
        if amount == 0:
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


# ----------------------------------------------------------------------------------------------------
# 2. Kubernetes cost allocation (OpenCost)
# ----------------------------------------------------------------------------------------------------

#: OpenCost's default custom prices, used only for the CPU/RAM split of a node whose price is not itemized.
OPENCOST_DEFAULT_CPU_USD_PER_CORE_HOUR = 0.031611
OPENCOST_DEFAULT_RAM_USD_PER_GIB_HOUR = 0.004237


def split_node_cost(node_cost_usd, cpu_cores, ram_gib, cpu_usd_per_core_hour=OPENCOST_DEFAULT_CPU_USD_PER_CORE_HOUR,
                    ram_usd_per_gib_hour=OPENCOST_DEFAULT_RAM_USD_PER_GIB_HOUR):
    """Split a node's cost into its CPU and RAM parts by the ratio of reference prices.

    Parameters
    ----------
    node_cost_usd : array_like
        The node's cost over the window, USD, >= 0.
    cpu_cores : array_like
        The node's allocatable CPU, cores, > 0.
    ram_gib : array_like
        The node's allocatable memory, GiB, > 0.
    cpu_usd_per_core_hour, ram_usd_per_gib_hour : float
        Reference prices that set the ratio (OpenCost's defaults: $0.031611 per core-hour, $0.004237 per
        GiB-hour); only their ratio matters.

    Returns
    -------
    (float or ndarray, float or ndarray)
        CPU cost and RAM cost, USD; they add up to ``node_cost_usd``.

    Notes
    -----
    ``cpu_cost = node_cost * cores * p_cpu / (cores * p_cpu + gib * p_ram)``; ``ram_cost = node_cost -
    cpu_cost``.

    References
    ----------
    .. [1] OpenCost specification, "Asset costs": when a node's price is not itemized by resource, it is
       split using the relative prices of CPU and RAM (opencost.io/docs/specification; the default prices
       are those of OpenCost's ``default.json`` custom pricing).

    Examples
    --------
    >>> split_node_cost(100.0, 4, 16, cpu_usd_per_core_hour=0.03, ram_usd_per_gib_hour=0.0075)
    (50.0, 50.0)
    """
    cost = _num("node_cost_usd", node_cost_usd, low=0)
    cores = _num("cpu_cores", cpu_cores, low=0, low_strict=True)
    gib = _num("ram_gib", ram_gib, low=0, low_strict=True)
    pc = _num("cpu_usd_per_core_hour", cpu_usd_per_core_hour, low=0, low_strict=True)
    pr = _num("ram_usd_per_gib_hour", ram_usd_per_gib_hour, low=0, low_strict=True)
    cpu = cost * cores * pc / (cores * pc + gib * pr)
    return checks.out(cpu), checks.out(cost - cpu)


KUBERNETES_BASES = ("request", "usage", "max")
IDLE_RULES = ("separate", "share_by_node", "share_by_cluster")
_USAGE_COLUMNS = ["hour", "node", "team", "cpu_request_cores", "cpu_used_cores", "ram_request_gib", "ram_used_gib"]


@dataclass(frozen=True)
class KubernetesAllocation:
    """What `kubernetes_allocation` returns.

    Attributes
    ----------
    by_team : pandas.DataFrame
        Per team (plus an ``"(idle)"`` row when idle is kept apart): ``cpu_usd``, ``ram_usd``,
        ``idle_usd`` (idle shared to the team), ``total_usd``.
    idle_by_node : pandas.DataFrame
        Per node: ``node_cost_usd``, ``allocated_usd``, ``idle_usd``, ``idle_share``.
    idle_cluster_usd : float
        Idle cost of the cluster, USD (Σ over nodes).
    idle_cluster_share : float
        Idle cost as a share of the cluster's node cost.
    """

    by_team: pd.DataFrame
    idle_by_node: pd.DataFrame
    idle_cluster_usd: float
    idle_cluster_share: float


IDLE = "(idle)"


def kubernetes_allocation(nodes, usage, basis: str = "max", idle: str = "separate") -> KubernetesAllocation:
    """Allocate a cluster's node cost to teams by requests, usage or max(request, usage), as OpenCost does.

    Parameters
    ----------
    nodes : pandas.DataFrame
        One row per node: ``node``, ``cost_usd_per_hour`` (> 0), ``cpu_cores`` and ``ram_gib``
        (allocatable, > 0), and optionally ``cpu_cost_share`` (the CPU part of the node's cost, a decimal;
        otherwise `split_node_cost` with OpenCost's default prices sets it).
    usage : pandas.DataFrame
        One row per pod (or namespace) and hour: ``hour`` (any label of the hour), ``node``, ``team``,
        ``cpu_request_cores``, ``cpu_used_cores``, ``ram_request_gib``, ``ram_used_gib`` (averages over
        the hour, >= 0). Every node appearing in ``usage`` must be in ``nodes``. Each node is billed for
        every distinct hour in ``usage`` (the window), or for its own ``hours`` when ``nodes`` has that
        column (a node that ran part of the window).
    basis : {"max", "request", "usage"}
        What a pod is charged for: max(request, usage) (OpenCost's default), its request, or its usage.
    idle : {"separate", "share_by_node", "share_by_cluster"}
        Idle cost kept on an ``"(idle)"`` row, or shared among teams in proportion to their allocated
        cost on each node, or over the whole cluster.

    Returns
    -------
    KubernetesAllocation

    Notes
    -----
    For node n and hour h, with ``p_cpu(n) = cost(n) * s_cpu(n) / cores(n)`` USD per core-hour and
    ``p_ram(n) = cost(n) * (1 - s_cpu(n)) / gib(n)`` USD per GiB-hour:

    - ``q_cpu(pod, h) = max(request, used)`` (or request, or used), likewise ``q_ram``;
    - ``allocated(pod, h) = q_cpu * p_cpu(n) + q_ram * p_ram(n)``;
    - ``idle(n) = Σ_h cost(n) - Σ_{pod, h} allocated``, CPU and RAM apart, each floored at zero (an
      over-committed resource has no idle; its allocation then exceeds the node's cost);
    - shared idle: ``idle_to(team) = Σ_n idle(n) * allocated(team, n) / allocated(n)`` (by node) or
      ``idle * allocated(team) / allocated`` (cluster); idle on a node where nothing is allocated stays on
      the ``"(idle)"`` row.

    References
    ----------
    .. [1] OpenCost specification (opencost.io/docs/specification): "Allocation = max(request, usage)",
       "Idle = asset cost - allocated cost", idle sharing by node or by cluster (``shareIdle``,
       ``idleByNode``).
    .. [2] Seed section VI.1: allocate by CPU requests to reward right-sizing.

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"node": ["n1"], "cost_usd_per_hour": [1.0], "cpu_cores": [4.0],
    ...                       "ram_gib": [16.0], "cpu_cost_share": [0.5]})
    >>> usage = pd.DataFrame({"hour": [0, 0], "node": ["n1", "n1"], "team": ["ads", "web"],
    ...     "cpu_request_cores": [2.0, 1.0], "cpu_used_cores": [1.0, 1.0],
    ...     "ram_request_gib": [8.0, 4.0], "ram_used_gib": [4.0, 4.0]})
    >>> kubernetes_allocation(nodes, usage, basis="request").by_team["total_usd"].to_dict()
    {'ads': 0.5, 'web': 0.25, '(idle)': 0.25}
    """
    _choice("basis", basis, KUBERNETES_BASES)
    _choice("idle", idle, IDLE_RULES)
    nd = _frame("nodes", nodes, ["node", "cost_usd_per_hour", "cpu_cores", "ram_gib"])
    require(nd["node"].is_unique, "nodes.node", list(nd["node"]), "expected each node once")
    nd = nd.set_index("node")
    cost_h = _column("nodes", nd, "cost_usd_per_hour", low=0, low_strict=True)
    cores = _column("nodes", nd, "cpu_cores", low=0, low_strict=True)
    gib = _column("nodes", nd, "ram_gib", low=0, low_strict=True)
    if "cpu_cost_share" in nd.columns:
        share = _column("nodes", nd, "cpu_cost_share", low=0, high=1)
    else:
        share = np.asarray(split_node_cost(1.0, cores, gib)[0], dtype=float).reshape(-1)
    us = _frame("usage", usage, _USAGE_COLUMNS)
    unknown = sorted(set(us["node"]) - set(nd.index))
    require(not unknown, "usage.node", unknown, f"expected nodes that are in the bill {sorted(nd.index)}")
    for c in _USAGE_COLUMNS[3:]:
        us[c] = _column("usage", us, c, low=0)
    price_cpu = pd.Series(cost_h * share / cores, index=nd.index)
    price_ram = pd.Series(cost_h * (1 - share) / gib, index=nd.index)
    pick = {"request": lambda r, u: r, "usage": lambda r, u: u, "max": np.maximum}[basis]
    q_cpu = pick(us["cpu_request_cores"].to_numpy(), us["cpu_used_cores"].to_numpy())
    q_ram = pick(us["ram_request_gib"].to_numpy(), us["ram_used_gib"].to_numpy())
    us = us.assign(cpu_usd=q_cpu * price_cpu.reindex(us["node"]).to_numpy(),
                   ram_usd=q_ram * price_ram.reindex(us["node"]).to_numpy())
    if "hours" in nd.columns:
        hours = pd.Series(_column("nodes", nd, "hours", low=0), index=nd.index)
    else:
        hours = pd.Series(float(us["hour"].nunique()), index=nd.index)
    node_cpu = pd.Series(cost_h * share, index=nd.index) * hours
    node_ram = pd.Series(cost_h * (1 - share), index=nd.index) * hours
    per_node = us.groupby("node")[["cpu_usd", "ram_usd"]].sum().reindex(nd.index, fill_value=0.0)
    idle_cpu = (node_cpu - per_node["cpu_usd"]).clip(lower=0)
    idle_ram = (node_ram - per_node["ram_usd"]).clip(lower=0)
    idle_node = idle_cpu + idle_ram
    allocated_node = per_node["cpu_usd"] + per_node["ram_usd"]
    node_cost = node_cpu + node_ram
    idle_by_node = pd.DataFrame({"node_cost_usd": node_cost, "allocated_usd": allocated_node,
                                 "idle_usd": idle_node,
                                 "idle_share": (idle_node / node_cost.where(node_cost > 0)).fillna(0.0)})
    team_node = us.groupby(["team", "node"])[["cpu_usd", "ram_usd"]].sum()
    by_team = team_node.groupby("team").sum()
    by_team.index.name = None
    if idle == "share_by_node":
        alloc = team_node.sum(axis=1)
        total_on_node = alloc.groupby("node").transform("sum")
        idle_of = idle_node.reindex(alloc.index.get_level_values("node")).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            part = np.where(total_on_node > 0, alloc / total_on_node, 0.0) * idle_of
        by_team["idle_usd"] = pd.Series(part, index=alloc.index).groupby("team").sum()
        unshared = float(idle_node[allocated_node <= 0].sum())  # a node nobody is allocated on keeps its idle
        if unshared > 0:
            by_team.loc[IDLE] = [0.0, 0.0, unshared]
    elif idle == "share_by_cluster":
        alloc = by_team.sum(axis=1)
        if alloc.sum() > 0:
            by_team["idle_usd"] = idle_node.sum() * alloc / alloc.sum()
        else:
            by_team["idle_usd"] = 0.0
            by_team.loc[IDLE] = [0.0, 0.0, float(idle_node.sum())]
    else:
        by_team["idle_usd"] = 0.0
        by_team.loc[IDLE] = [0.0, 0.0, float(idle_node.sum())]
    by_team["total_usd"] = by_team[["cpu_usd", "ram_usd", "idle_usd"]].sum(axis=1)
    total = float(node_cost.sum())
    return KubernetesAllocation(by_team=by_team, idle_by_node=idle_by_node, idle_cluster_usd=float(idle_node.sum()),
                                idle_cluster_share=float(idle_node.sum() / total) if total > 0 else 0.0)


def request_usage_gap(nodes, usage) -> pd.DataFrame:
    """Per team, cost allocated by requests vs by usage: what a request-based chargeback charges for slack.

    Parameters
    ----------
    nodes, usage : pandas.DataFrame
        As for `kubernetes_allocation`.

    Returns
    -------
    pandas.DataFrame
        Per team: ``request_usd``, ``usage_usd``, ``max_usd``, ``gap_usd`` (request - usage) and
        ``gap_share`` (gap / request), sorted by ``gap_usd`` descending.

    Notes
    -----
    ``gap(team) = allocated_request(team) - allocated_usage(team)``, idle kept apart; a team lowers its
    request-based bill only by lowering its requests (right-sizing), which is why the seed recommends
    request-based allocation. A negative gap is a team using more than it requests (bursting into others'
    headroom).

    References
    ----------
    .. [1] Seed section VI.1: "allocate costs based on CPU requests (reserved capacity) rather than CPU
       usage (actual consumption) to incentivize engineers to right-size their container specs."

    Examples
    --------
    One node at $2 an hour (2 cores, 8 GiB; CPU $0.50 per core-hour, RAM $0.125 per GiB-hour): a team
    requesting 2 cores and 4 GiB but using 1 and 2 pays $1.50 by requests, $0.75 by usage.

    >>> import pandas as pd
    >>> node = pd.DataFrame({"node": ["n"], "cost_usd_per_hour": [2.0], "cpu_cores": [2.0], "ram_gib": [8.0],
    ...                      "cpu_cost_share": [0.5]})
    >>> pods = pd.DataFrame({"hour": [0], "node": ["n"], "team": ["ml"], "cpu_request_cores": [2.0],
    ...                      "cpu_used_cores": [1.0], "ram_request_gib": [4.0], "ram_used_gib": [2.0]})
    >>> request_usage_gap(node, pods).loc["ml", ["request_usd", "usage_usd", "gap_usd"]].tolist()
    [1.5, 0.75, 0.75]
    """
    out = {}
    for basis in KUBERNETES_BASES:
        t = kubernetes_allocation(nodes, usage, basis=basis, idle="separate").by_team.drop(index=IDLE)
        out[f"{basis}_usd"] = t["cpu_usd"] + t["ram_usd"]
    df = pd.DataFrame(out)
    df["gap_usd"] = df["request_usd"] - df["usage_usd"]
    df["gap_share"] = (df["gap_usd"] / df["request_usd"].where(df["request_usd"] > 0)).fillna(0.0)
    return df.sort_values("gap_usd", ascending=False, kind="stable")


# ----------------------------------------------------------------------------------------------------
# 3. Anomaly detection
# ----------------------------------------------------------------------------------------------------

DIRECTIONS = ("up", "both")
_ALERT_COLUMNS = ["period", "cost_usd", "expected_usd", "change_usd", "change_share"]


def _series(name, cost_usd) -> pd.Series:
    require(isinstance(cost_usd, pd.Series), name, type(cost_usd).__name__,
            "expected a pandas Series of cost indexed by period start")
    try:
        s = cost_usd.astype(float)
    except (TypeError, ValueError):
        raise ModelError(f"{name} = {list(cost_usd[:3])!r}...: expected numbers") from None
    bad = ~np.isfinite(s.to_numpy()) | (s.to_numpy() < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ModelError(f"{name}[{s.index[i]!r}] = {s.iat[i]!r}: expected a finite cost >= 0")
    require(s.index.is_monotonic_increasing and s.index.is_unique, f"{name}.index", "unsorted or repeated",
            "expected periods in increasing order, each once")
    return s


def _alerts(s, expected, threshold_share, floor_usd, direction, first_position, detector) -> pd.DataFrame:
    """Alerts where both gates pass: |change| >= floor_usd and |change| / expected >= threshold_share."""
    change = s - expected
    with np.errstate(divide="ignore", invalid="ignore"):
        share = change / expected.where(expected > 0)
    size = change if direction == "up" else change.abs()
    rel = share if direction == "up" else share.abs()
    hit = (size >= floor_usd) & (rel >= threshold_share) & expected.notna() & (expected > 0)
    hit &= np.arange(len(s)) >= first_position
    out = pd.DataFrame({"period": s.index[hit], "cost_usd": s[hit].to_numpy(),
                        "expected_usd": expected[hit].to_numpy(), "change_usd": change[hit].to_numpy(),
                        "change_share": share[hit].to_numpy()})
    out["detector"] = detector
    return out


def rate_of_change_alerts(cost_usd, threshold_share=0.5, floor_usd=100.0, lag_periods: int = 1,
                          min_history_periods: int = 7, direction: str = "up") -> pd.DataFrame:
    """Alerts where cost rose by a share within a lag (the seed's 50% within 24 hours).

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period (day or hour), USD, indexed by period start in time order.
    threshold_share : float
        Alert when the change is at least this share of the earlier cost (0.5 = +50%).
    floor_usd : float
        ... and at least this many USD (absolute dollar floor).
    lag_periods : int
        Periods back to compare with: 1 for a daily series (24 h), 24 for an hourly series.
    min_history_periods : int
        Periods of history before the first period that can alert.
    direction : {"up", "both"}
        Alert on rises only (a spend incident), or on falls too.

    Returns
    -------
    pandas.DataFrame
        One row per alert: ``period``, ``cost_usd``, ``expected_usd`` (the cost ``lag_periods`` earlier),
        ``change_usd``, ``change_share``, ``detector`` (``"rate_of_change"``).

    Notes
    -----
    ``change_t = c_t - c_{t-L}``; alert when ``t >= min_history``, ``change_t >= floor`` and
    ``change_t / c_{t-L} >= threshold`` (absolute values with ``direction="both"``).

    References
    ----------
    .. [1] Seed section VI.4: "A 50% spike in spend within 24 hours should trigger a P2 incident response."

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0] * 8 + [160.0, 100.0], index=pd.date_range("2026-11-01", periods=10))
    >>> rate_of_change_alerts(s, floor_usd=50)[["period", "change_usd", "change_share"]]
          period  change_usd  change_share
    0 2026-11-09        60.0           0.6
    """
    s = _series("cost_usd", cost_usd)
    threshold = _scalar("threshold_share", threshold_share, low=0, low_strict=True)
    floor = _scalar("floor_usd", floor_usd, low=0)
    lag = checks.whole("lag_periods", lag_periods, 1, unit="periods")
    first = checks.whole("min_history_periods", min_history_periods, lag, unit="periods")
    _choice("direction", direction, DIRECTIONS)
    return _alerts(s, s.shift(lag), threshold, floor, direction, first, "rate_of_change")


def seasonal_naive_forecast(cost_usd, season_periods: int = 7, seasons: int = 4) -> pd.Series:
    """Forecast each period as the mean of the same period in the previous seasons (same weekday).

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period, USD, in time order.
    season_periods : int
        Periods per season: 7 for daily data with a weekly cycle, 168 for hourly data.
    seasons : int
        How many earlier seasons to average (those available, at least one).

    Returns
    -------
    pandas.Series
        Forecast USD per period; NaN for the first season (no history).

    Notes
    -----
    ``f_t = mean(c_{t-kS} for k = 1..K with t - kS >= 0)`` — the seasonal naive forecast (K = 1) averaged
    over up to K seasons.

    References
    ----------
    .. [1] R. J. Hyndman and G. Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), section
       5.2, "Seasonal naive method".

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10.0, 20.0, 30.0, 40.0])
    >>> seasonal_naive_forecast(s, season_periods=2, seasons=2).tolist()
    [nan, nan, 10.0, 20.0]
    """
    s = _series("cost_usd", cost_usd)
    period = checks.whole("season_periods", season_periods, 1, unit="periods")
    k_max = checks.whole("seasons", seasons, 1, unit="seasons")
    lagged = pd.concat([s.shift(k * period) for k in range(1, k_max + 1)], axis=1)
    return lagged.mean(axis=1, skipna=True)


def forecast_deviation_alerts(cost_usd, threshold_share=0.10, floor_usd=100.0, season_periods: int = 7,
                              seasons: int = 4, min_history_periods: int | None = None,
                              direction: str = "up") -> pd.DataFrame:
    """Alerts where cost deviates from a seasonal naive forecast by more than a share (the seed's >10%).

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period, USD, in time order.
    threshold_share : float
        Alert when actual is off the forecast by at least this share (0.10).
    floor_usd : float
        ... and by at least this many USD.
    season_periods, seasons : int
        The forecast (`seasonal_naive_forecast`): same weekday over up to 4 earlier weeks by default.
    min_history_periods : int, optional
        Periods before the first that can alert; default one season.
    direction : {"up", "both"}
        Rises only, or rises and falls.

    Returns
    -------
    pandas.DataFrame
        As `rate_of_change_alerts`, with ``expected_usd`` the forecast and detector ``"forecast"``.

    Notes
    -----
    ``d_t = (c_t - f_t) / f_t``; alert when ``t >= min_history``, ``c_t - f_t >= floor`` and ``d_t >=
    threshold``.

    References
    ----------
    .. [1] Seed section VI.4: a "Bill Shock" analysis when a service's cost deviates by >10% from the
       forecast.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 100.0, 100.0, 115.0])
    >>> forecast_deviation_alerts(s, floor_usd=10, season_periods=1, seasons=2)["change_share"].tolist()
    [0.15]
    """
    s = _series("cost_usd", cost_usd)
    threshold = _scalar("threshold_share", threshold_share, low=0, low_strict=True)
    floor = _scalar("floor_usd", floor_usd, low=0)
    forecast = seasonal_naive_forecast(s, season_periods, seasons)
    first = season_periods if min_history_periods is None else min_history_periods
    first = checks.whole("min_history_periods", first, season_periods, unit="periods")
    _choice("direction", direction, DIRECTIONS)
    return _alerts(s, forecast, threshold, floor, direction, first, "forecast")


def seasonal_decomposition(cost_usd, period: int = 7) -> pd.DataFrame:
    """Robust multiplicative decomposition of a cost series into trend, seasonal index and residual.

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period, USD, in time order, at least two full periods.
    period : int
        Periods per cycle: 7 for daily data (weekly cycle), 24 or 168 for hourly data.

    Returns
    -------
    pandas.DataFrame
        Per period: ``cost_usd``, ``trend_usd``, ``seasonal_index``, ``expected_usd`` (trend x seasonal
        index), ``residual_usd`` (cost - expected), ``residual_share`` (residual / expected).

    Notes
    -----
    A robust cousin of STL (median filters resist the very spikes being looked for):

    - ``trend_t`` = median of the cost over a centred window of ``period`` periods (``period + 1`` when
      even), held flat over the half window at each end;
    - ``seasonal(j)`` = median over the cycles of ``c_t / trend_t`` for the periods ``t`` at position
      ``j = t mod period`` (relative to the median level, so not rescaled to average 1);
    - ``expected_t = trend_t x seasonal(t mod period)``; ``residual_t = c_t - expected_t``.

    A level shift moves the trend within half a period, so this detector finds spikes, not shifts (the
    forecast detector finds those).

    References
    ----------
    .. [1] R. B. Cleveland, W. S. Cleveland, J. E. McRae and I. Terpenning, "STL: A Seasonal-Trend
       Decomposition Procedure Based on Loess", *Journal of Official Statistics* 6 (1990) 3-73.
    .. [2] Hyndman and Athanasopoulos, *Forecasting: Principles and Practice*, section 3.4, classical
       multiplicative decomposition.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10.0, 10.0, 40.0] * 3)
    >>> d = seasonal_decomposition(s, period=3)
    >>> d["seasonal_index"].tolist()[:3], bool(d["residual_usd"].abs().max() < 1e-9)
    ([1.0, 1.0, 4.0], True)
    """
    s = _series("cost_usd", cost_usd)
    p = checks.whole("period", period, 2, unit="periods")
    require(len(s) >= 2 * p, "cost_usd", f"{len(s)} periods", f"expected at least two cycles ({2 * p} periods)")
    window = p if p % 2 else p + 1
    trend = s.rolling(window, center=True, min_periods=window).median().ffill().bfill()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (s / trend.where(trend > 0)).to_numpy()
    position = np.arange(len(s)) % p
    index = np.array([np.nanmedian(ratio[position == j]) if np.isfinite(ratio[position == j]).any() else 1.0
                      for j in range(p)])
    seasonal = index[position]
    expected = trend.to_numpy() * seasonal
    residual = s.to_numpy() - expected
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(expected > 0, residual / expected, np.nan)
    return pd.DataFrame({"cost_usd": s.to_numpy(), "trend_usd": trend.to_numpy(), "seasonal_index": seasonal,
                         "expected_usd": expected, "residual_usd": residual, "residual_share": share},
                        index=s.index)


def seasonal_alerts(cost_usd, threshold_share=0.25, floor_usd=100.0, period: int = 7, z_threshold=3.5,
                    min_history_periods: int | None = None, direction: str = "up") -> pd.DataFrame:
    """Alerts on the residual of `seasonal_decomposition`: gated by dollars, share and a robust z-score.

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period, USD, in time order. A series shorter than ``min_history_periods`` gives no alerts.
    threshold_share : float
        Alert when the residual is at least this share of the expected cost.
    floor_usd : float
        ... and at least this many USD.
    period : int
        Periods per cycle (7 for daily data).
    z_threshold : float
        ... and the residual share is at least this many robust standard deviations (1.4826 x median
        absolute deviation of the residual shares) from their median; skipped when the deviation is 0.
    min_history_periods : int, optional
        Default two cycles.
    direction : {"up", "both"}
        Rises only, or rises and falls.

    Returns
    -------
    pandas.DataFrame
        As `rate_of_change_alerts`, with ``expected_usd`` = trend x seasonal index, detector ``"seasonal"``.

    Notes
    -----
    ``z_t = (r_t - median(r)) / (1.4826 MAD(r))`` with ``r`` the residual shares; alert when residual >=
    floor, ``r_t >= threshold`` and ``z_t >= z_threshold``.

    References
    ----------
    .. [1] P. J. Rousseeuw and C. Croux, "Alternatives to the Median Absolute Deviation", *JASA* 88 (1993):
       1.4826 x MAD estimates the standard deviation of normal data.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 100.0, 50.0] * 5)
    >>> s.iloc[7] = 200.0
    >>> seasonal_alerts(s, floor_usd=50, period=3)[["period", "expected_usd", "change_usd"]]
       period  expected_usd  change_usd
    0       7         100.0       100.0
    """
    s = _series("cost_usd", cost_usd)
    threshold = _scalar("threshold_share", threshold_share, low=0, low_strict=True)
    floor = _scalar("floor_usd", floor_usd, low=0)
    z_min = _scalar("z_threshold", z_threshold, low=0)
    p = checks.whole("period", period, 2, unit="periods")
    first = 2 * p if min_history_periods is None else min_history_periods
    first = checks.whole("min_history_periods", first, 2 * p, unit="periods")
    _choice("direction", direction, DIRECTIONS)
    if len(s) < first:
        return _alerts(s.iloc[:0], s.iloc[:0], threshold, floor, direction, 0, "seasonal")
    d = seasonal_decomposition(s, p)
    r = d["residual_share"]
    mad = 1.4826 * float(np.nanmedian(np.abs(r - np.nanmedian(r))))
    expected = d["expected_usd"]
    alerts = _alerts(s, expected, threshold, floor, direction, 0, "seasonal")
    if mad > 0 and len(alerts):
        z = ((r - np.nanmedian(r)) / mad).reindex(alerts["period"]).to_numpy()
        alerts = alerts[(z if direction == "up" else np.abs(z)) >= z_min].reset_index(drop=True)
    return alerts


DETECTORS = {"rate_of_change": rate_of_change_alerts, "forecast": forecast_deviation_alerts,
             "seasonal": seasonal_alerts}


def detect_anomalies(frame, keys: Sequence[str], period_column: str = "period_start",
                     cost_column: str = "effective_cost", detectors: Mapping[str, Mapping] | None = None,
                     freq: str = "D") -> pd.DataFrame:
    """Run the anomaly detectors on every series (service, account...) of a daily or hourly cost frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cost per key and period, e.g. `billing_queries.cost_by` with ``period="day"``: the ``keys``
        columns, ``period_column`` and ``cost_column`` (USD, amortized unless stated).
    keys : sequence of str
        The columns naming a series (``["ServiceName", "SubAccountId"]``).
    period_column, cost_column : str
        The period start and cost columns.
    detectors : mapping, optional
        Detector name (``"rate_of_change"``, ``"forecast"``, ``"seasonal"``) -> its keyword arguments
        (thresholds, ``floor_usd``, minimum history). Default: all three with their defaults.
    freq : str
        The series' period (``"D"`` or ``"h"``): missing periods inside a series count as zero cost.

    Returns
    -------
    pandas.DataFrame
        One row per alert: the keys, then ``period``, ``cost_usd``, ``expected_usd``, ``change_usd``,
        ``change_share``, ``detector``.

    Notes
    -----
    Each series runs from its first period to the frame's last, zero-filled; each detector applies its own
    gates (dollar floor and share) and minimum history.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2026-11-01", periods=10)
    >>> f = pd.DataFrame({"svc": "db", "period_start": days, "effective_cost": [100.0] * 8 + [300.0, 100.0]})
    >>> detect_anomalies(f, ["svc"], detectors={"rate_of_change": {"floor_usd": 50}})[["svc", "period"]]
      svc                    period
    0  db 2026-11-09 00:00:00+00:00
    """
    df = _frame("frame", frame, [*keys, period_column, cost_column])
    detectors = {name: {} for name in DETECTORS} if detectors is None else dict(detectors)
    for name in detectors:
        _choice("detectors", name, list(DETECTORS))
    df = df.assign(**{period_column: pd.to_datetime(df[period_column], utc=True)})
    df = df.assign(**{cost_column: _column("frame", df, cost_column, low=0)})
    last = df[period_column].max()
    out = []
    for key, group in df.groupby(list(keys), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        s = group.groupby(period_column)[cost_column].sum().sort_index()
        s = s.reindex(pd.date_range(s.index[0], last, freq=freq), fill_value=0.0)
        for name, settings in detectors.items():
            alerts = DETECTORS[name](s, **settings)
            if len(alerts):
                out.append(alerts.assign(**dict(zip(keys, key))))
    if not out:
        return pd.DataFrame(columns=[*keys, *_ALERT_COLUMNS, "detector"])
    result = pd.concat(out, ignore_index=True)
    return result[[*keys, *_ALERT_COLUMNS, "detector"]].sort_values([*keys, "period", "detector"],
                                                                       ignore_index=True)


#: The smallest share threshold a detector accepts (> 0): `anomaly_candidates` runs the detectors with it.
_TINY_SHARE = 1e-12


def anomaly_candidates(frame, keys: Sequence[str], detectors: Mapping[str, Mapping], **options) -> pd.DataFrame:
    """Every (series, period, detector) that could alert, whatever its share threshold and dollar floor.

    Parameters
    ----------
    frame, keys, options
        As for `detect_anomalies` (``period_column``, ``cost_column``, ``freq``).
    detectors : mapping
        Detector name -> keyword arguments, as for `detect_anomalies`; ``threshold_share`` and
        ``floor_usd`` are replaced (by a tiny share and 0), every other setting (history, season, z-score
        gate) is kept.

    Returns
    -------
    pandas.DataFrame
        `detect_anomalies` output: the candidates, each with its ``change_usd`` and ``change_share``.

    Notes
    -----
    A detector's expectation (the value a lag, a forecast or a decomposition gives) does not depend on its
    two gates, so its alerts at share threshold θ and floor F are exactly the candidates with
    ``change_usd >= F`` and ``change_share >= θ`` (`gated_anomaly_dollars`): the gates can be moved
    without running the detectors again.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2026-11-01", periods=10)
    >>> f = pd.DataFrame({"svc": "db", "period_start": days, "effective_cost": [100.0] * 8 + [300.0, 100.0]})
    >>> anomaly_candidates(f, ["svc"], {"rate_of_change": {}})[["change_usd", "change_share"]]
       change_usd  change_share
    0       200.0           2.0
    """
    moved = {name: {**dict(settings), "threshold_share": _TINY_SHARE, "floor_usd": 0.0}
             for name, settings in detectors.items()}
    return detect_anomalies(frame, keys, detectors=moved, **options)


def gated_anomaly_dollars(candidates, keys: Sequence[str], thresholds: Mapping[str, object], floor_usd):
    """`anomaly_dollars` of the alerts that pass moved gates, for many gate settings at once.

    Parameters
    ----------
    candidates : pandas.DataFrame
        `anomaly_candidates` output.
    keys : sequence of str
        The series keys.
    thresholds : mapping
        Detector name -> share threshold (decimal; a float or an array of draws, shape ``(n,)`` or
        ``(n, 1)``). A detector left out raises no alert.
    floor_usd : float or array_like
        The dollar floor of every alert, USD per period (broadcast with the thresholds).

    Returns
    -------
    float or numpy.ndarray
        USD above expectation, once per series and period (the largest change among the detectors that
        alert there), one value per gate setting.

    Notes
    -----
    ``alert_i(θ, F) = [change_i >= F] [share_i >= θ_{detector(i)}]``;
    ``dollars = Σ_(series, period) max_i alert_i max(0, change_i)``, as `anomaly_dollars`.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"svc": ["db", "db", "web"], "period": [1, 1, 2], "change_usd": [50.0, 60.0, 10.0],
    ...                   "change_share": [0.5, 0.2, 0.8], "detector": ["forecast", "seasonal", "forecast"]})
    >>> float(gated_anomaly_dollars(c, ["svc"], {"forecast": 0.1, "seasonal": 0.1}, 5.0))  # 60 + 10
    70.0
    >>> gated_anomaly_dollars(c, ["svc"], {"forecast": [0.1, 0.6], "seasonal": 0.3}, [20.0, 5.0]).tolist()
    [50.0, 10.0]
    """
    c = pd.DataFrame(candidates)
    require(all(col in c.columns for col in [*keys, "period", "change_usd", "change_share", "detector"]),
            "candidates", list(c.columns), "expected anomaly_candidates output")
    arrays = {d: np.asarray(v, dtype=float).ravel() for d, v in thresholds.items()}
    floor = np.asarray(floor_usd, dtype=float).ravel()
    n = max([floor.size, *[a.size for a in arrays.values()]])
    scalar = n == 1 and np.ndim(floor_usd) == 0 and all(np.ndim(v) == 0 for v in thresholds.values())
    if len(c) == 0:
        return 0.0 if scalar else np.zeros(n)
    c = c.sort_values([*keys, "period"], kind="stable").reset_index(drop=True)
    group = c.groupby([*keys, "period"], sort=False, dropna=False).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    change = c["change_usd"].to_numpy(dtype=float)
    share = c["change_share"].to_numpy(dtype=float)
    theta = np.full((n, len(c)), np.inf)
    for d, values in arrays.items():
        theta[:, (c["detector"] == d).to_numpy()] = np.broadcast_to(values, (n,))[:, None]
    passed = (change[None, :] >= np.broadcast_to(floor, (n,))[:, None]) & (share[None, :] >= theta)
    value = np.where(passed, np.clip(change, 0, None)[None, :], 0.0)
    total = np.maximum.reduceat(value, starts, axis=1).sum(axis=1)
    return float(total[0]) if scalar else total


def paged_anomaly_dollars(candidates, keys: Sequence[str], thresholds: Mapping[str, object], floor_usd,
                          min_excess_usd=0.0, min_periods: int = 1, freq: str = "D", max_gap_periods: int = 1):
    """Anomaly dollars of the incidents worth a page, at moved alert gates: the alerts that pass the gates
    (`gated_anomaly_dollars`), consecutive ones on a series as one incident (`costlib.anomaly.incidents`),
    the incidents below the incident gate dropped (`costlib.anomaly.incident_gate`).

    Parameters
    ----------
    candidates, keys, thresholds, floor_usd
        As for `gated_anomaly_dollars` (one gate setting, or draws of them).
    min_excess_usd : float
        Minimum total excess of an incident worth a page, USD.
    min_periods : int
        Minimum alerting periods of an incident worth a page.
    freq, max_gap_periods
        As for `costlib.anomaly.incidents`.

    Returns
    -------
    float or numpy.ndarray
        USD above expectation in the paged incidents, one value per gate setting.

    Notes
    -----
    ``paged = Σ_(incidents i with excess_i >= min_excess and periods_i >= min_periods) excess_i``. An
    incident's excess sums its alerting periods' excess, so with no incident gate (``min_excess_usd = 0``,
    ``min_periods = 1``) every incident pages and ``paged = gated_anomaly_dollars`` (computed so, vectorised).

    Examples
    --------
    Two days of alerts on db (60 + 40) are one incident of 100; web's one day of 10 is another:

    >>> import pandas as pd
    >>> c = pd.DataFrame({"svc": ["db", "db", "web"], "period": [1, 2, 5], "change_usd": [60.0, 40.0, 10.0],
    ...                   "change_share": [0.5, 0.3, 0.8], "detector": ["forecast"] * 3})
    >>> float(paged_anomaly_dollars(c, ["svc"], {"forecast": 0.1}, 5.0))  # every incident pages: 100 + 10
    110.0
    >>> float(paged_anomaly_dollars(c, ["svc"], {"forecast": 0.1}, 5.0, min_excess_usd=50.0))  # only db's
    100.0

    At a 40% share gate db's second day no longer alerts (60 is still a page); at 60% only web's 10 is left:

    >>> paged_anomaly_dollars(c, ["svc"], {"forecast": [0.1, 0.4, 0.6]}, 5.0, min_excess_usd=50.0).tolist()
    [100.0, 60.0, 0.0]
    """
    from costlib import anomaly

    floor_min = _scalar("min_excess_usd", min_excess_usd, low=0)
    periods_min = checks.whole("min_periods", min_periods, 1, unit="periods")
    if floor_min == 0 and periods_min == 1:
        return gated_anomaly_dollars(candidates, keys, thresholds, floor_usd)
    c = pd.DataFrame(candidates)
    arrays = {d: np.asarray(v, dtype=float).ravel() for d, v in thresholds.items()}
    floor = np.asarray(floor_usd, dtype=float).ravel()
    n = max([floor.size, *[a.size for a in arrays.values()]])
    scalar = n == 1 and np.ndim(floor_usd) == 0 and all(np.ndim(v) == 0 for v in thresholds.values())
    out = np.zeros(n)
    if len(c):
        change = c["change_usd"].to_numpy(dtype=float)
        share = c["change_share"].to_numpy(dtype=float)
        detector = c["detector"].to_numpy()
        for i in range(n):
            theta = np.full(len(c), np.inf)
            for d, values in arrays.items():
                theta[detector == d] = np.broadcast_to(values, (n,))[i]
            passed = c[(change >= np.broadcast_to(floor, (n,))[i]) & (share >= theta)]
            pages = anomaly.incident_gate(anomaly.incidents(passed, keys, freq, max_gap_periods), floor_min,
                                          periods_min)
            out[i] = float(pages["excess_usd"].astype(float).sum())
    return float(out[0]) if scalar else out


def anomaly_gate_flips(candidates, keys: Sequence[str], thresholds: Mapping[str, float], floor_usd) -> pd.DataFrame:
    """For each gate alone, the value beyond which no alert is left (where an anomaly review flips to none).

    Parameters
    ----------
    candidates, keys
        As for `gated_anomaly_dollars`.
    thresholds : mapping
        Detector name -> its share threshold at base.
    floor_usd : float
        The dollar floor at base.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``base_value``, ``flip_value`` (NaN when moving that gate alone leaves alerts) and
        ``flips_when`` in words.

    Notes
    -----
    With the other gates at base, the alerts left at floor F are the candidates passing their share gate
    with ``change >= F``: none once ``F > max change``. A detector's share threshold alone empties the
    alerts only when no other detector alerts: then none once ``θ > max share`` of its candidates passing
    the floor. A step function: the flip is the supremum, not a root.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"svc": ["db", "db"], "period": [1, 2], "change_usd": [50.0, 30.0],
    ...                   "change_share": [0.5, 0.9], "detector": ["forecast", "forecast"]})
    >>> anomaly_gate_flips(c, ["svc"], {"forecast": 0.1}, 10.0)["flip_value"].tolist()
    [50.0, 0.9]
    """
    c = pd.DataFrame(candidates)
    floor = float(floor_usd)
    theta = c["detector"].map(lambda d: thresholds.get(d, np.inf)).to_numpy(dtype=float)
    share_ok = c["change_share"].to_numpy(dtype=float) >= theta
    floor_ok = c["change_usd"].to_numpy(dtype=float) >= floor
    rows = [{"input": "floor_usd", "base_value": floor,
             "flip_value": float(c.loc[share_ok, "change_usd"].max()) if share_ok.any() else np.nan}]
    for d, base in thresholds.items():
        mine = (c["detector"] == d).to_numpy()
        others = (share_ok & floor_ok & ~mine).any()
        passing = mine & floor_ok
        flip = np.nan if others or not passing.any() else float(c.loc[passing, "change_share"].max())
        rows.append({"input": f"{d}_threshold_share", "base_value": float(base), "flip_value": flip})
    out = pd.DataFrame(rows)
    out["flips_when"] = [f"above {v:,.4g}" if np.isfinite(v) else "no flip: other detectors still alert"
                         for v in out["flip_value"]]
    return out


def alert_drivers(alerts, breakdown, keys: Sequence[str], driver: str, period_column: str = "period_start",
                  cost_column: str = "effective_cost", baseline_lag_periods: int = 7,
                  baseline_count: int = 1) -> pd.DataFrame:
    """Name what moved most behind each alert: the resource, SKU or service whose cost rose most.

    Parameters
    ----------
    alerts : pandas.DataFrame
        `detect_anomalies` output (the ``keys`` and ``period``).
    breakdown : pandas.DataFrame
        Cost per key, driver and period: the ``keys``, ``driver``, ``period_column``, ``cost_column``
        (e.g. `billing_queries.cost_by` with ``[*keys, "ResourceId"]`` and ``period="day"``).
    keys : sequence of str
        The series keys the alerts carry.
    driver : str
        The breakdown column to rank (``"ResourceId"``, ``"SkuId"``, ``"ServiceName"``).
    baseline_lag_periods, baseline_count : int
        The alert period is compared with the mean of the periods ``baseline_lag_periods`` apart before it,
        ``baseline_count`` of them: the same weekday a week earlier by default (use 1 to compare with the
        day before, as the rate-of-change detector does).

    Returns
    -------
    pandas.DataFrame
        The alerts with ``driver`` (the top mover's value), ``driver_change_usd`` and
        ``driver_share_of_change`` (its change over the series' total change).

    Notes
    -----
    ``delta(d) = c_t(d) - mean(c_{t-kL}(d) for k = 1..K)`` per driver value d over the periods of the
    breakdown (missing = 0; earlier periods that do not exist are skipped); the driver is
    ``argmax_d delta(d)``.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"svc": "db", "period_start": [1, 1, 2, 2], "ResourceId": ["r1", "r2"] * 2,
    ...                   "effective_cost": [10.0, 50.0, 40.0, 52.0]})
    >>> a = pd.DataFrame({"svc": ["db"], "period": [2]})
    >>> alert_drivers(a, b, ["svc"], "ResourceId", baseline_lag_periods=1)[["driver", "driver_change_usd"]]
      driver  driver_change_usd
    0     r1               30.0
    """
    al = pd.DataFrame(alerts).copy()
    require("period" in al.columns and all(k in al.columns for k in keys), "alerts", list(al.columns),
            f"expected columns {[*keys, 'period']}")
    b = _frame("breakdown", breakdown, [*keys, driver, period_column, cost_column])
    lag = checks.whole("baseline_lag_periods", baseline_lag_periods, 1, unit="periods")
    count = checks.whole("baseline_count", baseline_count, 1)
    if pd.api.types.is_datetime64_any_dtype(b[period_column]) or pd.api.types.is_datetime64_any_dtype(al["period"]):
        b = b.assign(**{period_column: pd.to_datetime(b[period_column], utc=True)})
        al["period"] = pd.to_datetime(al["period"], utc=True)
    names, changes, shares = [], [], []
    for _, alert in al.iterrows():
        sel = np.ones(len(b), dtype=bool)
        for k in keys:
            sel &= (b[k] == alert[k]).to_numpy()
        wide = b[sel].pivot_table(index=period_column, columns=driver, values=cost_column, aggfunc="sum",
                                  fill_value=0.0).sort_index()
        if alert["period"] not in wide.index:
            names.append(None), changes.append(np.nan), shares.append(np.nan)
            continue
        at = wide.index.get_loc(alert["period"])
        before = wide.iloc[[at - k * lag for k in range(1, count + 1) if at - k * lag >= 0]]
        delta = wide.iloc[at] - (before.mean() if len(before) else 0.0)
        top = delta.idxmax()
        total = delta.sum()
        names.append(top), changes.append(float(delta[top]))
        shares.append(float(delta[top] / total) if total > 0 else np.nan)
    return al.assign(driver=names, driver_change_usd=changes, driver_share_of_change=shares)


def backtest_detectors(alerts, events, keys: Sequence[str]) -> pd.DataFrame:
    """Precision and recall of each detector against known anomalies.

    Parameters
    ----------
    alerts : pandas.DataFrame
        `detect_anomalies` output (``keys``, ``period``, ``detector``).
    events : pandas.DataFrame
        One row per known anomaly: the ``keys``, ``start`` and ``end`` (the first and last period during
        which the anomaly is in effect, inclusive).

    Returns
    -------
    pandas.DataFrame
        Per detector: ``alerts``, ``true_alerts``, ``precision`` (true / alerts; NaN without alerts),
        ``events``, ``events_found``, ``recall`` (events found / events).

    Notes
    -----
    An alert is true when its keys match an event's and ``start <= period <= end``; an event is found when
    at least one alert of the detector is true for it.

    References
    ----------
    .. [1] Standard definitions: precision = TP / (TP + FP), recall = TP / (TP + FN), with recall counted
       over events (an alerting system needs one page per incident, not one per day).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"svc": ["db"], "start": [9], "end": [9]})
    >>> al = pd.DataFrame({"svc": ["db", "db"], "period": [9, 12], "detector": ["forecast"] * 2})
    >>> r = backtest_detectors(al, ev, ["svc"]).loc["forecast"]
    >>> int(r["alerts"]), float(r["precision"]), float(r["recall"])
    (2, 0.5, 1.0)
    """
    al = pd.DataFrame(alerts)
    require(all(c in al.columns for c in [*keys, "period", "detector"]), "alerts", list(al.columns),
            f"expected columns {[*keys, 'period', 'detector']}")
    ev = _frame("events", events, [*keys, "start", "end"]).reset_index(drop=True)
    rows = []
    for detector in sorted(set(al["detector"]) | set(DETECTORS)):
        a = al[al["detector"] == detector]
        true = np.zeros(len(a), dtype=bool)
        found = np.zeros(len(ev), dtype=bool)
        for i, e in ev.iterrows():
            hit = (a["period"] >= e["start"]) & (a["period"] <= e["end"])
            for k in keys:
                hit &= a[k] == e[k]
            true |= hit.to_numpy()
            found[i] = bool(hit.any())
        rows.append({"detector": detector, "alerts": len(a), "true_alerts": int(true.sum()),
                     "precision": true.sum() / len(a) if len(a) else np.nan, "events": len(ev),
                     "events_found": int(found.sum()), "recall": found.sum() / len(ev)})
    return pd.DataFrame(rows).set_index("detector")


@dataclass(frozen=True)
class RunawaySplit:
    """What `runaway_cost_split` returns (USD per month unless stated).

    Attributes
    ----------
    increase_usd : float
        Cost after minus cost before.
    volume_usd : float
        Good spend: the part explained by more volume at the old cost per unit.
    idle_usd, overprovisioned_usd, dev_always_on_usd : float
        Waste found in the later month.
    waste_usd : float
        Their sum.
    intensity_usd : float
        The rest: a higher cost per unit not explained by waste (bigger models, GPUs): the part to justify
        by its return (the seed's "does the 1% accuracy gain justify it").
    cost_per_unit_before_usd, cost_per_unit_after_usd, cost_per_unit_after_waste_removed_usd : float
        USD per unit of value (per prediction).
    cost_multiple : float or None
        Cost after over cost before (3.0: the seed's "tripled"); None when nothing was spent before.
    """

    increase_usd: float
    volume_usd: float
    idle_usd: float
    overprovisioned_usd: float
    dev_always_on_usd: float
    waste_usd: float
    intensity_usd: float
    cost_per_unit_before_usd: float
    cost_per_unit_after_usd: float
    cost_per_unit_after_waste_removed_usd: float
    cost_multiple: float | None = None


def dev_always_on_waste(dev_cost_usd_per_month, needed_hours_per_week=50.0):
    """Cost of development instances left running 24/7 beyond the hours they are needed.

    Parameters
    ----------
    dev_cost_usd_per_month : array_like
        What the dev instances cost running all 168 hours a week, USD per month, >= 0.
    needed_hours_per_week : array_like
        Hours a week they are needed (a working week of 50 h by default), in [0, 168].

    Returns
    -------
    float or ndarray
        USD per month that an off-hours schedule would save.

    Notes
    -----
    ``waste = dev_cost * (1 - needed_hours / 168)``.

    References
    ----------
    .. [1] Seed, interview question "Runaway cost": "Are they leaving development instances running 24/7?"

    Examples
    --------
    >>> dev_always_on_waste(1680.0, needed_hours_per_week=42)
    1260.0
    """
    c = _num("dev_cost_usd_per_month", dev_cost_usd_per_month, low=0)
    h = _num("needed_hours_per_week", needed_hours_per_week, low=0, high=168)
    return checks.out(c * (1 - h / 168.0))


def runaway_cost_split(cost_before_usd_per_month, cost_after_usd_per_month, volume_before_units_per_month,
                       volume_after_units_per_month, idle_usd_per_month=0.0, overprovisioned_usd_per_month=0.0,
                       dev_always_on_usd_per_month=0.0) -> RunawaySplit:
    """Split a cost increase into good spend (volume) and waste (idle, over-provisioned, dev 24/7).

    Parameters
    ----------
    cost_before_usd_per_month, cost_after_usd_per_month : float
        The service's cost in the earlier and the later month, USD, > 0 and >= 0.
    volume_before_units_per_month, volume_after_units_per_month : float
        Units of value (predictions, requests) served in each month, > 0.
    idle_usd_per_month : float
        Cost of capacity that served nothing in the later month (idle GPUs, idle endpoints), USD.
    overprovisioned_usd_per_month : float
        Cost of capacity beyond what the load needed (e.g. from `rightsizing`), USD.
    dev_always_on_usd_per_month : float
        Dev instances running out of hours (`dev_always_on_waste`), USD.

    Returns
    -------
    RunawaySplit

    Notes
    -----
    ``volume = cost_before / volume_before * (volume_after - volume_before)``;
    ``waste = idle + overprovisioned + dev``; ``intensity = (after - before) - volume - waste``.
    The three waste amounts must not exceed the later month's cost.

    References
    ----------
    .. [1] Seed, interview question VI.1 ("Runaway cost"): separate "good spend" tied to growth from "bad
       spend" (waste), check cost per prediction.

    Examples
    --------
    >>> r = runaway_cost_split(10_000, 30_000, 1e6, 1.5e6, idle_usd_per_month=6_000,
    ...                        overprovisioned_usd_per_month=4_000, dev_always_on_usd_per_month=3_000)
    >>> r.volume_usd, r.waste_usd, r.intensity_usd
    (5000.0, 13000.0, 2000.0)
    """
    before = _scalar("cost_before_usd_per_month", cost_before_usd_per_month, low=0, low_strict=True)
    after = _scalar("cost_after_usd_per_month", cost_after_usd_per_month, low=0)
    v0 = _scalar("volume_before_units_per_month", volume_before_units_per_month, low=0, low_strict=True)
    v1 = _scalar("volume_after_units_per_month", volume_after_units_per_month, low=0, low_strict=True)
    idle = _scalar("idle_usd_per_month", idle_usd_per_month, low=0)
    over = _scalar("overprovisioned_usd_per_month", overprovisioned_usd_per_month, low=0)
    dev = _scalar("dev_always_on_usd_per_month", dev_always_on_usd_per_month, low=0)
    waste = idle + over + dev
    require(waste <= after * (1 + 1e-12), "idle + overprovisioned + dev_always_on", waste,
            f"expected no more than cost_after_usd_per_month = {after:g}")
    unit_before = float(unit_economics.cost_per_unit(before, v0))
    volume = unit_before * (v1 - v0)
    return RunawaySplit(increase_usd=after - before, volume_usd=volume, idle_usd=idle, overprovisioned_usd=over,
                        dev_always_on_usd=dev, waste_usd=waste, intensity_usd=after - before - volume - waste,
                        cost_per_unit_before_usd=unit_before,
                        cost_per_unit_after_usd=float(unit_economics.cost_per_unit(after, v1)),
                        cost_per_unit_after_waste_removed_usd=float(unit_economics.cost_per_unit(after - waste, v1)),
                        cost_multiple=after / before if before else None)


# ----------------------------------------------------------------------------------------------------
# 5. Commitments: utilization, coverage, net savings, effective savings rate, expiry
# ----------------------------------------------------------------------------------------------------

_COMMITMENT_COLUMNS = ["ChargeCategory", "CommitmentDiscountId", "CommitmentDiscountStatus", "BilledCost",
                       "EffectiveCost"]

#: The two common definitions of commitment coverage, as labelled in `commitment_metrics` output.
COVERAGE_DEFINITIONS = {
    "coverage_on_demand_equivalent": "covered usage at on-demand prices / all eligible usage at on-demand "
                                     "prices (AWS Savings Plans and FinOps Foundation definition)",
    "coverage_amortized": "amortized cost of covered usage / amortized cost of all eligible usage "
                          "(covered + on-demand), unused commitment excluded",
}


@dataclass(frozen=True)
class CommitmentMetrics:
    """What `commitment_metrics` returns.

    Attributes
    ----------
    per_commitment : pandas.DataFrame
        Per ``CommitmentDiscountId``: ``purchases_billed_usd`` (cash, shown apart), ``used_usd``,
        ``unused_usd``, ``amortized_usd``, ``utilization_by_cost``, ``utilization_by_quantity`` (NaN
        without quantities), ``on_demand_equivalent_usd``, ``savings_on_used_usd``, ``net_savings_usd``,
        ``effective_savings_rate`` (over the usage it covered).
    portfolio : dict
        The same figures summed over commitments (rates recomputed from the sums: weighted by cost, never
        an average of percentages), plus ``on_demand_usd`` (eligible usage not covered), both coverage
        figures (`COVERAGE_DEFINITIONS`) and the portfolio ``effective_savings_rate`` over all eligible
        usage.
    """

    per_commitment: pd.DataFrame
    portfolio: dict


def commitment_metrics(rows, on_demand_column: str = "ListCost",
                       quantity_column: str | None = "CommitmentDiscountQuantity",
                       unit_column: str = "CommitmentDiscountUnit") -> CommitmentMetrics:
    """Utilization, coverage, net savings and effective savings rate from FOCUS rows.

    Parameters
    ----------
    rows : pandas.DataFrame
        FOCUS rows of the eligible scope (e.g. compute usage and its commitments) with
        ``ChargeCategory``, ``CommitmentDiscountId``, ``CommitmentDiscountStatus`` (``"Used"``,
        ``"Unused"`` or null), ``BilledCost``, ``EffectiveCost`` (USD), ``on_demand_column`` and
        optionally ``quantity_column``. Rows may be hourly or pre-aggregated (sums are all that matter).
    on_demand_column : str
        The on-demand equivalent of a row: ``"ListCost"`` (list price) or ``"ContractedCost"`` (negotiated
        price without the commitment; isolates the commitment's own saving).
    quantity_column : str or None
        FOCUS 1.1+ ``CommitmentDiscountQuantity``: utilization by quantity where present.
    unit_column : str
        FOCUS 1.1+ ``CommitmentDiscountUnit`` (``"USD"`` for a spend-based commitment, ``"Hours"`` for a
        usage-based one): quantities in different units are never added, so the portfolio's utilization
        by quantity is NaN when the commitments count in more than one unit.

    Returns
    -------
    CommitmentMetrics

    Notes
    -----
    Per commitment c, summing over its rows:

    - ``purchases = Σ BilledCost [ChargeCategory = Purchase]`` (cash; never added to usage);
    - ``used = Σ EffectiveCost [Status = Used]``, ``unused = Σ EffectiveCost [Status = Unused]``;
    - ``utilization = used / (used + unused)``; by quantity likewise on ``CommitmentDiscountQuantity``;
    - ``OD = Σ on_demand_column [Status = Used]``; ``savings_on_used = OD - used``;
      ``net_savings = savings_on_used - unused``; ``ESR(c) = net_savings / OD``.

    Portfolio, with ``U`` = usage rows without a commitment (on-demand, including overage beyond a
    commitment): ``coverage_OD = Σ OD / (Σ OD + Σ_U on_demand_column)``; ``coverage_amortized = Σ used /
    (Σ used + Σ_U EffectiveCost)``; ``ESR = (Σ OD + Σ_U on_demand_column - Σ used - Σ unused - Σ_U
    EffectiveCost) / (Σ OD + Σ_U on_demand_column)``.

    References
    ----------
    .. [1] FOCUS v1.2, CommitmentDiscountStatus, CommitmentDiscountQuantity, and the appendix's commitment
       discount examples (purchase, used, unused and on-demand overage rows).
    .. [2] FinOps Foundation KPI library: "Commitment Discount Utilization", "Commitment Discount Coverage",
       "Effective Savings Rate (ESR)" = (on-demand equivalent - actual) / on-demand equivalent.
    .. [3] AWS Cost Explorer docs, "Savings Plans coverage" (covered spend at on-demand rates over total
       eligible on-demand-equivalent spend) and "Savings Plans utilization".

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({
    ...     "ChargeCategory": ["Purchase", "Usage", "Usage", "Usage"],
    ...     "CommitmentDiscountId": ["c1", "c1", "c1", None],
    ...     "CommitmentDiscountStatus": [None, "Used", "Unused", None],
    ...     "BilledCost": [100.0, 0.0, 0.0, 20.0], "EffectiveCost": [0.0, 80.0, 20.0, 20.0],
    ...     "ListCost": [100.0, 120.0, 0.0, 20.0]})
    >>> m = commitment_metrics(rows)
    >>> m.per_commitment.loc["c1", ["utilization_by_cost", "net_savings_usd"]].tolist()
    [0.8, 20.0]
    >>> round(m.portfolio["coverage_on_demand_equivalent"], 4), round(m.portfolio["effective_savings_rate"], 4)
    (0.8571, 0.1429)
    """
    df = _frame("rows", rows, [*_COMMITMENT_COLUMNS, on_demand_column])
    for c in ("BilledCost", "EffectiveCost", on_demand_column):
        df[c] = _column("rows", df, c)
    has_q = quantity_column is not None and quantity_column in df.columns
    if has_q:
        df[quantity_column] = pd.to_numeric(df[quantity_column], errors="coerce")
    status = df["CommitmentDiscountStatus"]
    require(status.dropna().isin(["Used", "Unused"]).all(), "rows.CommitmentDiscountStatus",
            sorted(set(status.dropna()) - {"Used", "Unused"}), "expected 'Used', 'Unused' or null")
    committed = df[df["CommitmentDiscountId"].notna()]
    require(len(committed) > 0, "rows.CommitmentDiscountId", "all null", "expected rows of at least one commitment")
    used = committed["CommitmentDiscountStatus"] == "Used"
    unused = committed["CommitmentDiscountStatus"] == "Unused"
    purchase = committed["ChargeCategory"] == "Purchase"
    g = committed.assign(
        purchases_billed_usd=committed["BilledCost"].where(purchase, 0.0),
        used_usd=committed["EffectiveCost"].where(used, 0.0),
        unused_usd=committed["EffectiveCost"].where(unused, 0.0),
        on_demand_equivalent_usd=committed[on_demand_column].where(used, 0.0),
        used_quantity=committed[quantity_column].where(used, 0.0) if has_q else 0.0,
        unused_quantity=committed[quantity_column].where(unused, 0.0) if has_q else 0.0,
    ).groupby("CommitmentDiscountId")[["purchases_billed_usd", "used_usd", "unused_usd", "on_demand_equivalent_usd",
                                      "used_quantity", "unused_quantity"]].sum()
    g.index.name = None

    def rates(t):
        t = t.copy()
        t["amortized_usd"] = t["used_usd"] + t["unused_usd"]
        t["utilization_by_cost"] = t["used_usd"] / t["amortized_usd"].where(t["amortized_usd"] > 0)
        q = t["used_quantity"] + t["unused_quantity"]
        t["utilization_by_quantity"] = t["used_quantity"] / q.where(q > 0) if has_q else np.nan
        t["savings_on_used_usd"] = t["on_demand_equivalent_usd"] - t["used_usd"]
        t["net_savings_usd"] = t["savings_on_used_usd"] - t["unused_usd"]
        od = t["on_demand_equivalent_usd"]
        t["effective_savings_rate"] = t["net_savings_usd"] / od.where(od > 0)
        return t

    per = rates(g)[["purchases_billed_usd", "used_usd", "unused_usd", "amortized_usd", "utilization_by_cost",
                    "utilization_by_quantity", "on_demand_equivalent_usd", "savings_on_used_usd",
                    "net_savings_usd", "effective_savings_rate"]]
    units = []
    if unit_column in committed.columns:
        units = sorted(set(committed.loc[used | unused, unit_column].dropna()))
        per.insert(5, "quantity_unit", committed.groupby("CommitmentDiscountId")[unit_column].max().reindex(per.index))
    total = rates(g.sum().to_frame().T).iloc[0]
    if len(units) > 1:
        total["utilization_by_quantity"] = np.nan
    uncovered = df[(df["CommitmentDiscountId"].isna()) & (df["ChargeCategory"] == "Usage")]
    od_uncovered = float(uncovered[on_demand_column].sum())
    eff_uncovered = float(uncovered["EffectiveCost"].sum())
    od_all = float(total["on_demand_equivalent_usd"]) + od_uncovered
    actual = float(total["used_usd"] + total["unused_usd"]) + eff_uncovered
    covered_amortized = float(total["used_usd"]) + eff_uncovered
    portfolio = {k: float(total[k]) for k in per.columns if k != "quantity_unit"}
    portfolio["quantity_units"] = units
    portfolio.update(
        on_demand_usd=eff_uncovered,
        on_demand_equivalent_uncovered_usd=od_uncovered,
        coverage_on_demand_equivalent=float(total["on_demand_equivalent_usd"]) / od_all if od_all > 0 else np.nan,
        coverage_amortized=float(total["used_usd"]) / covered_amortized if covered_amortized > 0 else np.nan,
        effective_savings_rate=(od_all - actual) / od_all if od_all > 0 else np.nan,
    )
    return CommitmentMetrics(per_commitment=per, portfolio=portfolio)


def commitment_expiry_calendar(commitments, as_of, horizon_months: int = 12) -> pd.DataFrame:
    """When each commitment ends, and the amortized cost per month that comes off contract, by month.

    Parameters
    ----------
    commitments : pandas.DataFrame
        ``CommitmentDiscountId``, ``end`` (a date or timestamp: the last moment covered) and
        ``amortized_usd_per_month`` (>= 0); other columns (utilization...) are kept.
    as_of : str or Timestamp
        The date the calendar is read on.
    horizon_months : int
        Months ahead flagged as ``expires_within_horizon``.

    Returns
    -------
    pandas.DataFrame
        The commitments sorted by ``end``, with ``months_to_expiry`` (days / 30.4167; negative when
        already expired), ``expiry_month`` (``YYYY-MM``), ``expires_within_horizon`` and
        ``cumulative_expiring_usd_per_month`` (amortized cost per month up for renewal by then).

    Notes
    -----
    ``months_to_expiry = (end - as_of) / 30.4167 days`` (the model month, 730 hours).

    References
    ----------
    .. [1] FinOps Foundation, "Rate Optimization" capability: track commitment expirations to renew or
       re-size before coverage lapses to on-demand.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"CommitmentDiscountId": ["ri-1", "sp-1"], "end": ["2027-06-30", "2027-01-31"],
    ...                   "amortized_usd_per_month": [300.0, 1000.0]})
    >>> commitment_expiry_calendar(c, "2026-12-01", 3)[["CommitmentDiscountId", "expiry_month",
    ...                                                 "expires_within_horizon"]]
      CommitmentDiscountId expiry_month  expires_within_horizon
    0                 sp-1      2027-01                    True
    1                 ri-1      2027-06                   False
    """
    df = _frame("commitments", commitments, ["CommitmentDiscountId", "end", "amortized_usd_per_month"])
    df["amortized_usd_per_month"] = _column("commitments", df, "amortized_usd_per_month", low=0)
    try:
        end = pd.to_datetime(df["end"], utc=True)
        now = pd.Timestamp(as_of, tz="UTC") if pd.Timestamp(as_of).tzinfo is None else pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ModelError(f"commitments.end = {list(df['end'])!r} / as_of = {as_of!r}: expected dates") from None
    horizon = checks.whole("horizon_months", horizon_months, 0, unit="months")
    df["months_to_expiry"] = (end - now).dt.total_seconds() / 86400 / DAYS_PER_MONTH
    df["expiry_month"] = end.dt.strftime("%Y-%m")
    df["expires_within_horizon"] = (df["months_to_expiry"] >= 0) & (df["months_to_expiry"] <= horizon)
    df = df.assign(_end=end).sort_values("_end", kind="stable").drop(columns="_end").reset_index(drop=True)
    df["cumulative_expiring_usd_per_month"] = df["amortized_usd_per_month"].cumsum()
    return df


# ----------------------------------------------------------------------------------------------------
# 4. Rightsizing
# ----------------------------------------------------------------------------------------------------

_UTILIZATION_COLUMNS = ["resource", "timestamp", "cpu_utilization_share", "memory_utilization_share"]


def rightsizing(utilization, resources, ladder, target_p99_share=0.70, headroom_share=0.10, min_days=14.0,
                max_steps_down: int | None = None, as_of=None) -> pd.DataFrame:
    """The smallest size that keeps P99 utilization under the target, its saving, and when it can start.

    Parameters
    ----------
    utilization : pandas.DataFrame
        Samples per resource: ``resource``, ``timestamp``, ``cpu_utilization_share`` and
        ``memory_utilization_share`` (of the current size, decimals in [0, 1]), over at least ``min_days``.
    resources : pandas.DataFrame
        ``resource``, ``size`` (a size in ``ladder``), optionally ``commitment_end`` (the end of a
        non-flexible commitment on the resource, e.g. a standard reserved instance of that size; null
        when none).
    ladder : pandas.DataFrame
        One family's sizes from smallest to largest: ``size``, ``vcpu`` (> 0), ``memory_gib`` (> 0),
        ``usd_per_hour`` (> 0: from the bill's own unit prices or the pricebook).
    target_p99_share : float
        P99 utilization to aim at (the seed: 60-70% for standard services).
    headroom_share : float
        Extra margin: a size fits when ``projected P99 x (1 + headroom) <= target``.
    min_days : float
        Days of samples required per resource.
    max_steps_down : int, optional
        At most this many sizes down the ladder (1 = the next size down only); default no limit.
    as_of : timestamp, optional
        When the recommendation is read (default: the last sample).

    Returns
    -------
    pandas.DataFrame
        Per resource: ``size``, ``p99_cpu_share``, ``p99_memory_share``, ``recommended_size``,
        ``steps_down``, ``projected_p99_cpu_share``, ``projected_p99_memory_share``,
        ``savings_usd_per_month``, ``savings_start``, ``deferred_months`` (0 when there is no saving to
        defer), ``commitment_months`` (months the resource's commitment still runs, whether or not a saving
        is deferred: what `rightsizing_savings_now` reads at another target) and
        ``savings_now_usd_per_month`` (0 while a commitment runs).

    Notes
    -----
    ``P99`` is numpy's linear-interpolation 0.99 quantile. Demand ``D = P99 x capacity(current)`` for CPU
    (vCPU) and memory (GiB); the projected P99 on size s is ``D / capacity(s)``; the recommendation is the
    smallest s below the current size with ``max(projected cpu, projected memory) x (1 + headroom) <=
    target`` (the current size when none fits). ``savings = (price(current) - price(s)) x 730`` USD per
    month; with a commitment ending after ``as_of`` the saving starts at its end
    (``commitment_months = (end - as_of) / 30.4167 days``; ``deferred_months`` is the same when the saving
    is above 0, else 0).

    References
    ----------
    .. [1] Seed section VI.2: "Look at P99 utilization, not averages. If a service's P99 CPU utilization is
       10%, it is grossly over-provisioned. Target P99s of 60-70% for standard services."
    .. [2] AWS Compute Optimizer docs: at least 14 days of metrics (30 days with enhanced metrics) before a
       rightsizing recommendation.

    Examples
    --------
    >>> import pandas as pd
    >>> ts = pd.date_range("2026-11-01", periods=14 * 24, freq="h")
    >>> u = pd.DataFrame({"resource": "vm-1", "timestamp": ts, "cpu_utilization_share": 0.10,
    ...                   "memory_utilization_share": 0.15})
    >>> ladder = pd.DataFrame({"size": ["large", "xlarge", "2xlarge"], "vcpu": [2, 4, 8],
    ...                        "memory_gib": [8, 16, 32], "usd_per_hour": [0.1, 0.2, 0.4]})
    >>> r = rightsizing(u, pd.DataFrame({"resource": ["vm-1"], "size": ["2xlarge"]}), ladder)
    >>> row = r.loc["vm-1"]
    >>> row["recommended_size"], int(row["steps_down"]), float(row["savings_usd_per_month"])
    ('large', 2, 219.0)
    """
    u = _frame("utilization", utilization, _UTILIZATION_COLUMNS)
    res = _frame("resources", resources, ["resource", "size"])
    lad = _frame("ladder", ladder, ["size", "vcpu", "memory_gib", "usd_per_hour"]).reset_index(drop=True)
    for c in ("vcpu", "memory_gib", "usd_per_hour"):
        lad[c] = _column("ladder", lad, c, low=0, low_strict=True)
    require(lad["size"].is_unique, "ladder.size", list(lad["size"]), "expected each size once")
    target = _scalar("target_p99_share", target_p99_share, low=0, low_strict=True, high=1)
    headroom = _scalar("headroom_share", headroom_share, low=0)
    days_needed = _scalar("min_days", min_days, low=0)
    steps_limit = None if max_steps_down is None else checks.whole("max_steps_down", max_steps_down, 1)
    for c in _UTILIZATION_COLUMNS[2:]:
        u[c] = _column("utilization", u, c, low=0, high=1)
    try:
        u["timestamp"] = pd.to_datetime(u["timestamp"], utc=True)
    except (TypeError, ValueError):
        raise ModelError(f"utilization.timestamp = {list(u['timestamp'][:3])!r}...: expected timestamps") from None
    unknown = sorted(set(res["size"]) - set(lad["size"]))
    require(not unknown, "resources.size", unknown, f"expected sizes of the ladder {list(lad['size'])}")
    missing = sorted(set(res["resource"]) - set(u["resource"]))
    require(not missing, "resources.resource", missing, "expected utilization samples for every resource")
    now = u["timestamp"].max() if as_of is None else pd.Timestamp(as_of)
    now = now.tz_localize("UTC") if now.tzinfo is None else now
    position = {s: i for i, s in enumerate(lad["size"])}
    out = []
    for _, r in res.iterrows():
        samples = u[u["resource"] == r["resource"]].sort_values("timestamp")
        ts = samples["timestamp"]
        step = ts.diff().median() if len(ts) > 1 else pd.Timedelta(0)
        span_days = ((ts.iloc[-1] - ts.iloc[0]) + (step if pd.notna(step) else pd.Timedelta(0))) / pd.Timedelta(days=1)
        require(span_days >= days_needed - 1e-9, f"utilization[{r['resource']!r}]", f"{span_days:.2f} days",
                f"expected at least {days_needed:g} days of samples")
        p_cpu = float(np.percentile(samples["cpu_utilization_share"], 99))
        p_mem = float(np.percentile(samples["memory_utilization_share"], 99))
        i = position[r["size"]]
        cur = lad.iloc[i]
        best = i
        lowest = 0 if steps_limit is None else max(0, i - steps_limit)
        for j in range(i - 1, lowest - 1, -1):
            s = lad.iloc[j]
            proj = max(p_cpu * cur["vcpu"] / s["vcpu"], p_mem * cur["memory_gib"] / s["memory_gib"])
            if proj * (1 + headroom) <= target:
                best = j
            else:
                break
        new = lad.iloc[best]
        saving = float((cur["usd_per_hour"] - new["usd_per_hour"]) * HOURS_PER_MONTH)
        end = r.get("commitment_end") if "commitment_end" in res.columns else None
        end = pd.Timestamp(end) if end is not None and pd.notna(end) else None
        if end is not None and end.tzinfo is None:
            end = end.tz_localize("UTC")
        committed = end is not None and end > now
        deferred = committed and saving > 0
        out.append({
            "resource": r["resource"], "size": r["size"], "p99_cpu_share": p_cpu, "p99_memory_share": p_mem,
            "recommended_size": new["size"], "steps_down": i - best,
            "projected_p99_cpu_share": p_cpu * cur["vcpu"] / new["vcpu"],
            "projected_p99_memory_share": p_mem * cur["memory_gib"] / new["memory_gib"],
            "savings_usd_per_month": saving, "savings_start": end if deferred else now,
            "deferred_months": float((end - now) / pd.Timedelta(days=DAYS_PER_MONTH)) if deferred else 0.0,
            "commitment_months": float((end - now) / pd.Timedelta(days=DAYS_PER_MONTH)) if committed else 0.0,
            "savings_now_usd_per_month": 0.0 if deferred else saving,
        })
    return pd.DataFrame(out).set_index("resource").rename_axis(None)


def utilization_span_days(utilization) -> pd.Series:
    """Days of utilization samples per resource, as `rightsizing` counts them (to check the minimum).

    Parameters
    ----------
    utilization : pandas.DataFrame
        ``resource`` and ``timestamp`` columns (one row per sample).

    Returns
    -------
    pandas.Series
        Days per resource: last sample - first sample + the median step between samples.

    Notes
    -----
    ``span = (t_last - t_first + median(Δt)) / 1 day``: 336 hourly samples make 14 days.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"resource": ["a"] * 336 + ["b"] * 24,
    ...                   "timestamp": list(pd.date_range("2026-11-01", periods=336, freq="h"))
    ...                   + list(pd.date_range("2026-11-01", periods=24, freq="h"))})
    >>> utilization_span_days(u).to_dict()
    {'a': 14.0, 'b': 1.0}
    """
    u = _frame("utilization", utilization, ["resource", "timestamp"])
    ts = pd.to_datetime(u["timestamp"], utc=True)
    out = {}
    for resource, t in ts.groupby(u["resource"].to_numpy()):
        t = t.sort_values()
        step = t.diff().median() if len(t) > 1 else pd.Timedelta(0)
        out[resource] = float(((t.iloc[-1] - t.iloc[0]) + (step if pd.notna(step) else pd.Timedelta(0)))
                              / pd.Timedelta(days=1))
    return pd.Series(out, dtype=float)


# ----------------------------------------------------------------------------------------------------
# 9. Cost per unit of value
# ----------------------------------------------------------------------------------------------------

def cost_per_unit_series(cost_usd, units, price_usd_per_unit=None) -> pd.DataFrame:
    """Cost per unit of value per period, its trend, and a flag where the price is below the cost.

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period (month, day), USD, >= 0, indexed by period.
    units : pandas.Series
        Units of value per period (tenants, transactions, predictions), > 0, same index.
    price_usd_per_unit : float or pandas.Series, optional
        What a unit pays, USD (one price, or one per period).

    Returns
    -------
    pandas.DataFrame
        Per period: ``cost_usd``, ``units``, ``cost_usd_per_unit``, ``change_share`` (on the period
        before) and, with a price, ``price_usd_per_unit``, ``margin_usd_per_unit`` and
        ``price_below_cost`` (True where it loses money on every unit). ``attrs["trend_share_per_period"]``
        holds the fitted growth rate of the cost per unit.

    Notes
    -----
    ``cost_per_unit_t = cost_t / units_t`` (`costlib.unit_economics.cost_per_unit`); ``margin = price -
    cost_per_unit``; the trend is ``exp(b) - 1`` with ``b`` the least-squares slope of
    ``ln(cost_per_unit_t)`` on ``t`` (0 with fewer than two periods or a zero cost).

    References
    ----------
    .. [1] Seed section VI.5, the tier that costs $5 a month to host and pays $4 (per tier at one date:
       `costlib.unit_economics.tier_unit_economics`; here over time from a business metric series).

    Examples
    --------
    >>> import pandas as pd
    >>> t = cost_per_unit_series(pd.Series([5000.0, 5500.0]), pd.Series([1000.0, 1000.0]), 4.0)
    >>> t[["cost_usd_per_unit", "margin_usd_per_unit", "price_below_cost"]]
       cost_usd_per_unit  margin_usd_per_unit  price_below_cost
    0                5.0                 -1.0              True
    1                5.5                 -1.5              True
    >>> round(t.attrs["trend_share_per_period"], 3)
    0.1
    """
    cost = _series("cost_usd", cost_usd)
    require(isinstance(units, pd.Series), "units", type(units).__name__, "expected a pandas Series")
    require(units.index.equals(cost.index), "units.index", list(units.index)[:5], "expected the index of cost_usd")
    _num("units", units.to_numpy(dtype=float), low=0, low_strict=True)
    per_unit = unit_economics.cost_per_unit(cost.to_numpy(), units.to_numpy(dtype=float))
    per_unit = np.atleast_1d(np.asarray(per_unit, dtype=float))
    df = pd.DataFrame({"cost_usd": cost.to_numpy(), "units": units.to_numpy(dtype=float),
                       "cost_usd_per_unit": per_unit}, index=cost.index)
    df["change_share"] = df["cost_usd_per_unit"].pct_change()
    if price_usd_per_unit is not None:
        if isinstance(price_usd_per_unit, pd.Series):
            require(price_usd_per_unit.index.equals(cost.index), "price_usd_per_unit.index",
                    list(price_usd_per_unit.index)[:5], "expected the index of cost_usd")
            price = _num("price_usd_per_unit", price_usd_per_unit.to_numpy(dtype=float), low=0)
        else:
            price = np.broadcast_to(_scalar("price_usd_per_unit", price_usd_per_unit, low=0), per_unit.shape)
        df["price_usd_per_unit"] = price
        df["margin_usd_per_unit"] = price - per_unit
        df["price_below_cost"] = df["margin_usd_per_unit"] < 0
    trend = 0.0
    if len(df) >= 2 and (per_unit > 0).all():
        slope = np.polyfit(np.arange(len(df)), np.log(per_unit), 1)[0]
        trend = float(np.expm1(slope))
    df.attrs["trend_share_per_period"] = trend
    return df


# ----------------------------------------------------------------------------------------------------
# 6. Storage tiering
# ----------------------------------------------------------------------------------------------------



def storage_tiering_moves(datasets, classes, horizon_months=12.0) -> pd.DataFrame:
    """Each dataset's candidate moves to a cheaper storage class, net of transition, retrieval and
    early-deletion costs, and the best move.

    Parameters
    ----------
    datasets : pandas.DataFrame
        ``dataset``, ``storage_class`` (current, a class in ``classes``), ``gb`` (stored, decimal GB),
        ``objects`` (count), ``read_gb_per_month`` (GB read back per month) and optionally
        ``months_kept`` (how long the data stays before deletion; default ``horizon_months``) and
        ``max_retrieval_hours`` (the access requirement: how long a read may wait, hours; null or absent:
        none stated).
    classes : pandas.DataFrame
        ``storage_class``, ``usd_per_gb_month``, ``retrieval_usd_per_gb``,
        ``transition_usd_per_1000_objects`` (lifecycle transition into the class),
        ``min_storage_days`` (minimum billed duration; deleting earlier bills the rest) and optionally
        ``retrieval_hours`` (time to the first byte of a read, hours: 0 for milliseconds, 12 for a Deep
        Archive standard restore; default 0).
    horizon_months : float
        Months over which a move is judged (> 0).

    Returns
    -------
    pandas.DataFrame
        One row per (dataset, colder class): ``storage_saving_usd_per_month``,
        ``retrieval_extra_usd_per_month``, ``net_saving_usd_per_month``, ``transition_usd``,
        ``early_deletion_usd``, ``net_saving_usd`` (over the months kept), ``breakeven_months`` (NaN when
        the move never pays back), ``retrieval_hours`` (of the colder class), ``meets_access_requirement``
        (``retrieval_hours <= max_retrieval_hours``, True when none is stated) and ``recommended`` (the
        best move with a positive net saving among those meeting the access requirement).

    Notes
    -----
    For a dataset of G GB in class a read R GB a month, kept M months, moving to class b:
    ``saving = G (p_a - p_b) - R (r_b - r_a)`` per month; ``transition = objects / 1000 x t_b``;
    ``early_deletion = G p_b max(0, min_days_b / 30.4167 - M)``;
    ``net = saving x M - transition - early_deletion``; a move whose class takes longer to return a read
    than the dataset's access requirement is flagged and never recommended; recommended when ``net > 0``
    and largest among the others.

    References
    ----------
    .. [1] Seed section VI.3: "If you archive data that you actually need to query monthly, the retrieval
       fees will exceed the storage savings."
    .. [2] Amazon S3 pricing and the S3 user guide, "Transitioning objects using Amazon S3 Lifecycle":
       per-request transition charges and minimum storage durations (30 days Standard-IA, 90 days
       Glacier Instant and Flexible Retrieval, 180 days Deep Archive).
    .. [3] Amazon S3 user guide, "Understanding archive retrieval options": Glacier Instant Retrieval in
       milliseconds; Deep Archive standard retrievals within 12 hours, bulk within 48 hours.

    Examples
    --------
    >>> import pandas as pd
    >>> classes = pd.DataFrame({"storage_class": ["STANDARD", "GLACIER_IR"], "usd_per_gb_month": [0.023, 0.004],
    ...     "retrieval_usd_per_gb": [0.0, 0.03], "transition_usd_per_1000_objects": [0.0, 0.02],
    ...     "min_storage_days": [0, 90]})
    >>> logs = pd.DataFrame({"dataset": ["logs"], "storage_class": ["STANDARD"], "gb": [10_000.0],
    ...     "objects": [100_000], "read_gb_per_month": [0.0]})
    >>> m = storage_tiering_moves(logs, classes)
    >>> float(m.loc[0, "net_saving_usd_per_month"]), float(m.loc[0, "net_saving_usd"]), bool(m.loc[0, "recommended"])
    (190.0, 2278.0, True)
    >>> slow = storage_tiering_moves(logs.assign(max_retrieval_hours=1.0), classes.assign(retrieval_hours=[0, 12]))
    >>> bool(slow.loc[0, "meets_access_requirement"]), bool(slow.loc[0, "recommended"])  # 12 h > 1 h allowed
    (False, False)
    """
    ds = _frame("datasets", datasets, ["dataset", "storage_class", "gb", "objects", "read_gb_per_month"])
    cl = _frame("classes", classes, ["storage_class", "usd_per_gb_month", "retrieval_usd_per_gb",
                                     "transition_usd_per_1000_objects", "min_storage_days"])
    require(cl["storage_class"].is_unique, "classes.storage_class", list(cl["storage_class"]),
            "expected each class once")
    if "retrieval_hours" not in cl.columns:
        cl["retrieval_hours"] = 0.0
    for c in ("usd_per_gb_month", "retrieval_usd_per_gb", "transition_usd_per_1000_objects", "min_storage_days",
              "retrieval_hours"):
        cl[c] = _column("classes", cl, c, low=0)
    if "max_retrieval_hours" not in ds.columns:
        ds["max_retrieval_hours"] = np.nan
    ds["max_retrieval_hours"] = pd.to_numeric(ds["max_retrieval_hours"], errors="coerce")
    for c in ("gb", "objects", "read_gb_per_month"):
        ds[c] = _column("datasets", ds, c, low=0)
    horizon = _scalar("horizon_months", horizon_months, low=0, low_strict=True)
    if "months_kept" in ds.columns:
        ds["months_kept"] = _column("datasets", ds, "months_kept", low=0, low_strict=True)
    else:
        ds["months_kept"] = horizon
    unknown = sorted(set(ds["storage_class"]) - set(cl["storage_class"]))
    require(not unknown, "datasets.storage_class", unknown, f"expected classes of {list(cl['storage_class'])}")
    cl = cl.set_index("storage_class")
    rows = []
    for _, d in ds.iterrows():
        a = cl.loc[d["storage_class"]]
        for name, b in cl.iterrows():
            if b["usd_per_gb_month"] >= a["usd_per_gb_month"]:
                continue
            storage = d["gb"] * (a["usd_per_gb_month"] - b["usd_per_gb_month"])
            retrieval = d["read_gb_per_month"] * (b["retrieval_usd_per_gb"] - a["retrieval_usd_per_gb"])
            monthly = storage - retrieval
            transition = d["objects"] / 1000 * b["transition_usd_per_1000_objects"]
            short_months = max(0.0, b["min_storage_days"] / DAYS_PER_MONTH - d["months_kept"])
            early = d["gb"] * b["usd_per_gb_month"] * short_months
            rows.append({"dataset": d["dataset"], "from_class": d["storage_class"], "to_class": name,
                         "storage_saving_usd_per_month": storage, "retrieval_extra_usd_per_month": retrieval,
                         "net_saving_usd_per_month": monthly, "transition_usd": transition,
                         "early_deletion_usd": early,
                         "net_saving_usd": monthly * d["months_kept"] - transition - early,
                         "breakeven_months": transition / monthly if monthly > 0 else np.nan,
                         "retrieval_hours": float(b["retrieval_hours"]),
                         "meets_access_requirement": bool(pd.isna(d["max_retrieval_hours"])
                                                          or b["retrieval_hours"] <= d["max_retrieval_hours"])})
    cols = ["dataset", "from_class", "to_class", "storage_saving_usd_per_month", "retrieval_extra_usd_per_month",
            "net_saving_usd_per_month", "transition_usd", "early_deletion_usd", "net_saving_usd", "breakeven_months",
            "retrieval_hours", "meets_access_requirement"]
    out = pd.DataFrame(rows, columns=cols)
    out["recommended"] = False
    if len(out):
        ok = out["meets_access_requirement"].astype(bool)
        best = out[(out["net_saving_usd"] > 0) & ok].groupby("dataset")["net_saving_usd"].idxmax()
        out.loc[best.to_numpy(), "recommended"] = True
    return out


# ----------------------------------------------------------------------------------------------------
# 8. Spot batch window
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SpotBatchResult:
    """What `spot_batch_window` returns (USD per nightly run).

    Attributes
    ----------
    expected_cost_usd, p90_cost_usd : float
        Mean and 90th percentile of the run's cost (spot plus any on-demand fallback).
    probability_miss : float
        Share of simulated runs finishing after the window.
    expected_finish_hours : float
        Mean finishing time from the start of the window, hours.
    fallback_share : float
        Share of runs that fell back to on-demand.
    on_demand_cost_usd : float
        The same job all on on-demand (`on_demand_batch_cost`).
    expected_saving_usd : float
        ``on_demand_cost_usd - expected_cost_usd``.
    runs : int
        Simulated runs.
    """

    expected_cost_usd: float
    p90_cost_usd: float
    probability_miss: float
    expected_finish_hours: float
    fallback_share: float
    on_demand_cost_usd: float
    expected_saving_usd: float
    runs: int


def on_demand_batch_cost(work_hours, instances, on_demand_usd_per_instance_hour):
    """Cost of a batch job run on on-demand instances, which are not interrupted.

    Parameters
    ----------
    work_hours : array_like
        Hours the job takes on the whole fleet, > 0.
    instances : array_like
        Instances in the fleet, > 0.
    on_demand_usd_per_instance_hour : array_like
        USD per instance-hour, >= 0.

    Returns
    -------
    float or ndarray
        USD per run.

    Notes
    -----
    ``cost = work_hours x instances x on_demand_usd_per_instance_hour`` (on-demand capacity is not
    reclaimed, so the job finishes in ``work_hours``).

    References
    ----------
    .. [1] Seed, interview question VI.2: all on-demand is the baseline the spot architecture must beat.

    Examples
    --------
    >>> on_demand_batch_cost(3.0, 100, 0.192)
    57.6
    """
    w = _num("work_hours", work_hours, low=0, low_strict=True)
    n = _num("instances", instances, low=0, low_strict=True)
    p = _num("on_demand_usd_per_instance_hour", on_demand_usd_per_instance_hour, low=0)
    return checks.out(np.round(w * n * p, 12))


def spot_batch_window(work_hours, window_hours, instances, spot_usd_per_instance_hour,
                      on_demand_usd_per_instance_hour, interruption_rate_per_hour, pools: int = 4,
                      checkpoint_interval_hours=0.25, replacement_delay_hours=0.25, fallback_at_hours=None,
                      on_demand_start_hours=0.1, runs: int = 10_000, seed: int = 0,
                      step_hours=1 / 60) -> SpotBatchResult:
    """Expected cost and probability of missing the window for a batch job on a diversified spot fleet.

    Parameters
    ----------
    work_hours : float
        Hours the job takes on the whole fleet without interruptions, > 0.
    window_hours : float
        The deadline from the start (the seed: 4 hours).
    instances : int
        Instances in the fleet, split evenly over the pools.
    spot_usd_per_instance_hour, on_demand_usd_per_instance_hour : float
        Prices, USD per instance-hour.
    interruption_rate_per_hour : float
        Rate at which each pool is reclaimed (a Poisson process per pool), per hour, >= 0.
    pools : int
        Capacity pools (instance types x availability zones) the fleet is diversified over; a reclaim
        takes one pool. 1 = not diversified.
    checkpoint_interval_hours : float
        A pool checkpoints to object storage every this many hours of its running time; a reclaim loses
        the work since its last checkpoint (0 = after every step).
    replacement_delay_hours : float
        Time until a reclaimed pool is running again on new spot capacity.
    fallback_at_hours : float, optional
        At this time, any work left moves to on-demand instances (the whole fleet size), after a graceful
        checkpoint; ``None`` never falls back.
    on_demand_start_hours : float
        Time for the on-demand fleet to start; billed.
    runs, seed : int
        Monte Carlo runs and the seed (same arguments, same answer).
    step_hours : float
        The simulation's time step (1 minute).

    Returns
    -------
    SpotBatchResult

    Notes
    -----
    Time-stepped, vectorised over runs and pools. In each step of length dt an up pool is reclaimed with
    probability ``1 - exp(-λ dt)`` (then it loses its unsaved work and is down for the replacement delay,
    unbilled); otherwise it does ``dt / pools`` fleet-hours of work, billed ``dt x instances / pools x
    spot price``, and checkpoints when its running time since the last checkpoint reaches the interval.
    The job is done when the work done reaches ``work_hours``. At the fallback time the remaining work
    ``W_rest`` runs on on-demand: finish ``= t_f + start + W_rest``, cost ``(start + W_rest) x instances x
    on-demand price``. Without a fallback an unfinished run stops at 4 x window and counts as missed.

    Limiting case (tested): one pool, checkpoints every step, no fallback: the reclaims before the job's
    ``W / dt`` working steps are negative binomial (Poisson(λW) as dt -> 0), the finish is ``W + N (dt +
    r)``, so ``P(miss) = P(N > (T - W) / (dt + r))``, and the cost is exactly ``W x instances x spot price``.

    References
    ----------
    .. [1] Seed, interview question VI.2 ("Architecture for cost vs availability"): spot fleet, diversified
       allocation across instance types and zones, checkpoints to object storage, on-demand fallback as the
       deadline approaches.
    .. [2] AWS EC2 docs, "Spot Instance interruptions" (two-minute notice) and "Allocation strategies for
       Spot Instances" (capacity-optimized, diversified).

    Examples
    --------
    >>> r = spot_batch_window(3.0, 4.0, 100, 0.06, 0.192, interruption_rate_per_hour=0.0)
    >>> round(r.expected_cost_usd, 6), r.probability_miss, round(r.on_demand_cost_usd, 6)
    (18.0, 0.0, 57.6)
    """
    work = _scalar("work_hours", work_hours, low=0, low_strict=True)
    window = _scalar("window_hours", window_hours, low=0, low_strict=True)
    n = _scalar("instances", instances, low=0, low_strict=True)
    spot = _scalar("spot_usd_per_instance_hour", spot_usd_per_instance_hour, low=0)
    od = _scalar("on_demand_usd_per_instance_hour", on_demand_usd_per_instance_hour, low=0)
    rate = _scalar("interruption_rate_per_hour", interruption_rate_per_hour, low=0)
    k = checks.whole("pools", pools, 1, unit="pools")
    ckpt = _scalar("checkpoint_interval_hours", checkpoint_interval_hours, low=0)
    delay = _scalar("replacement_delay_hours", replacement_delay_hours, low=0)
    start = _scalar("on_demand_start_hours", on_demand_start_hours, low=0)
    fallback = None if fallback_at_hours is None else _scalar("fallback_at_hours", fallback_at_hours, low=0)
    m = checks.whole("runs", runs, 1, unit="runs")
    dt = _scalar("step_hours", step_hours, low=0, low_strict=True)
    cost, finished, rest, t_end = _spot_nights(work, n, spot, od, np.full(m, rate), k, ckpt, delay,
                                               None if fallback is None else np.full(m, fallback), start,
                                               window, np.random.default_rng(seed), dt)
    on_demand = float(on_demand_batch_cost(work, n, od))
    return SpotBatchResult(
        expected_cost_usd=float(cost.mean()), p90_cost_usd=float(np.percentile(cost, 90)),
        probability_miss=float((finished > window + 1e-9).mean()),
        expected_finish_hours=float(np.mean(np.where(np.isfinite(finished), finished, t_end))),
        fallback_share=float(rest.mean()) if fallback is not None else 0.0,
        on_demand_cost_usd=on_demand, expected_saving_usd=on_demand - float(cost.mean()), runs=m)


def _spot_nights(work, n, spot, od, rate, k, ckpt, delay, fallback, start, window, rng, dt):
    """Simulated nights, each with its own reclaim rate and fallback time (arrays of shape (m,)).

    Returns the cost per night, the finish time (inf when missed without a fallback), whether the night
    fell back, and the simulated horizon per night.
    """
    m = rate.size
    t_end = fallback if fallback is not None else np.full(m, 4 * window)
    steps_of = np.ceil(t_end / dt - 1e-9).astype(np.int64)
    p_reclaim = -np.expm1(-rate * dt)[:, None]
    saved = np.zeros(m)
    unsaved = np.zeros((m, k))
    since = np.zeros((m, k))
    down_until = np.zeros((m, k))
    up_hours = np.zeros(m)
    finish = np.full(m, np.nan)
    per_step = dt / k
    for i in range(int(steps_of.max(initial=0))):
        t = i * dt
        active = np.isnan(finish) & (i < steps_of)
        if not active.any():
            break
        up = (down_until <= t + 1e-12) & active[:, None]
        reclaimed = up & (rng.random((m, k)) < p_reclaim)
        unsaved[reclaimed] = 0.0
        since[reclaimed] = 0.0
        down_until[reclaimed] = t + dt + delay
        working = up & ~reclaimed
        unsaved += working * per_step
        since += working * dt
        up_hours += working.sum(axis=1) * dt
        checkpoint = working & (since >= ckpt - 1e-12)
        saved += (unsaved * checkpoint).sum(axis=1)
        unsaved[checkpoint] = 0.0
        since[checkpoint] = 0.0
        done = active & (saved + unsaved.sum(axis=1) >= work - 1e-9)
        finish[done] = t + dt
    spot_cost = up_hours * n / k * spot
    rest = np.isnan(finish)
    od_cost = np.zeros(m)
    if fallback is not None:
        remaining = np.maximum(work - saved - unsaved.sum(axis=1), 0.0)
        finish[rest] = fallback[rest] + start + remaining[rest]
        od_cost[rest] = (start + remaining[rest]) * n * od
        finished = finish
    else:
        finished = np.where(rest, np.inf, finish)
    return spot_cost + od_cost, finished, rest, t_end


def spot_batch_draws(work_hours, window_hours, instances, spot_usd_per_instance_hour,
                     on_demand_usd_per_instance_hour, interruption_rate_per_hour, fallback_at_hours,
                     pools: int = 4, checkpoint_interval_hours=0.25, replacement_delay_hours=0.25,
                     on_demand_start_hours=0.1, nights_per_draw: int = 100, seed: int = 0,
                     step_hours=1 / 60) -> dict:
    """`spot_batch_window` for many input draws at once: each draw's expected saving and chance of a miss.

    Parameters
    ----------
    interruption_rate_per_hour, fallback_at_hours : array_like
        One value per Monte Carlo draw (broadcast together; shape ``(d,)`` or ``(d, 1)``), per hour and
        hours (>= 0).
    nights_per_draw : int
        Nights simulated per draw (the estimate of each draw's expectation).
    Others
        As for `spot_batch_window` (scalars).

    Returns
    -------
    dict
        ``expected_saving_usd`` and ``probability_miss``: arrays of shape ``(d,)``, per night.

    Notes
    -----
    The simulation of `spot_batch_window` over ``d x nights_per_draw`` nights, vectorised; draw j's
    figures are the means over its own nights. Each estimate carries sampling error of order
    ``sd / sqrt(nights_per_draw)`` on top of the spread of the inputs.

    Examples
    --------
    >>> r = spot_batch_draws(3.0, 4.0, 100, 0.06, 0.192, [0.0, 0.0], [3.5, 3.5], nights_per_draw=10)
    >>> r["expected_saving_usd"].round(6).tolist(), r["probability_miss"].tolist()  # 57.6 - 3 x 100 x 0.06
    ([39.6, 39.6], [0.0, 0.0])
    """
    work = _scalar("work_hours", work_hours, low=0, low_strict=True)
    window = _scalar("window_hours", window_hours, low=0, low_strict=True)
    n = _scalar("instances", instances, low=0, low_strict=True)
    spot = _scalar("spot_usd_per_instance_hour", spot_usd_per_instance_hour, low=0)
    od = _scalar("on_demand_usd_per_instance_hour", on_demand_usd_per_instance_hour, low=0)
    rate, fallback = np.broadcast_arrays(np.asarray(interruption_rate_per_hour, dtype=float).ravel(),
                                         np.asarray(fallback_at_hours, dtype=float).ravel())
    require(bool(np.all(rate >= 0)), "interruption_rate_per_hour", float(rate.min()), "expected rates >= 0")
    require(bool(np.all(np.isfinite(fallback) & (fallback >= 0))), "fallback_at_hours", float(np.min(fallback)),
            "expected finite hours >= 0")
    k = checks.whole("pools", pools, 1, unit="pools")
    nights = checks.whole("nights_per_draw", nights_per_draw, 1, unit="nights")
    draws = rate.size
    rates = np.repeat(rate, nights)
    falls = np.repeat(fallback, nights)
    cost, finished, rest, _ = _spot_nights(
        work, n, spot, od, rates, k, _scalar("checkpoint_interval_hours", checkpoint_interval_hours, low=0),
        _scalar("replacement_delay_hours", replacement_delay_hours, low=0), falls,
        _scalar("on_demand_start_hours", on_demand_start_hours, low=0), window, np.random.default_rng(seed),
        _scalar("step_hours", step_hours, low=0, low_strict=True))
    on_demand = float(on_demand_batch_cost(work, n, od))
    saving = (on_demand - cost).reshape(draws, nights).mean(axis=1)
    miss = (finished > window + 1e-9).reshape(draws, nights).mean(axis=1)
    return {"expected_saving_usd": saving, "probability_miss": miss}


# ----------------------------------------------------------------------------------------------------
# 7. Team scorecards
# ----------------------------------------------------------------------------------------------------

SCORECARD_COLUMNS = ("cost_usd_per_month", "tag_coverage_share", "effective_savings_rate",
                     "commitment_utilization_share", "idle_share", "rightsizing_usd_per_month",
                     "anomaly_usd_per_month", "unit_cost_trend_share_per_month")
SCORE_COMPONENTS = ("tagging", "savings_rate", "utilization", "idle", "rightsizing", "anomalies", "unit_cost")


def team_scorecard(metrics, weights: Mapping[str, float] | None = None, esr_target=0.30,
                   unit_cost_trend_tolerance=0.10) -> pd.DataFrame:
    """An efficiency score per team (0-100, higher is better) from seven FinOps measures, ranked.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Indexed by team, with ``cost_usd_per_month`` (> 0), ``tag_coverage_share``,
        ``effective_savings_rate``, ``commitment_utilization_share`` (NaN for a team without
        commitments), ``idle_share`` (decimals), ``rightsizing_usd_per_month`` and
        ``anomaly_usd_per_month`` (USD, >= 0) and ``unit_cost_trend_share_per_month`` (growth of cost per
        unit of value per month, a decimal; negative is improving).
    weights : mapping, optional
        Component -> weight (>= 0) over `SCORE_COMPONENTS`; default equal weights.
    esr_target : float
        The effective savings rate that earns the full savings-rate score.
    unit_cost_trend_tolerance : float
        Unit-cost growth per month that scores zero (0.10 = +10% a month).

    Returns
    -------
    pandas.DataFrame
        The metrics plus one column per component score (0-1), ``score`` (0-100) and ``rank`` (1 = best),
        sorted by rank.

    Notes
    -----
    Component scores: tagging = coverage; savings_rate = clip(ESR / target, 0, 1); utilization =
    commitment utilization; idle = 1 - idle share; rightsizing = 1 - min(1, opportunity / cost);
    anomalies = 1 - min(1, anomaly dollars / cost); unit_cost = clip(1 - trend / tolerance, 0, 1).
    ``score = 100 x Σ w_c s_c / Σ w_c`` over the components a team has (NaN ones are left out, weights
    renormalised). Ties rank by cost, larger first.

    References
    ----------
    .. [1] Seed section VI.4, "Gamification": publish efficiency scorecards (Team A at 95%, Team B at 60%).
    .. [2] FinOps Foundation KPI library: tag coverage (allocation), effective savings rate, commitment
       utilization, idle cost share, unit economics.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"cost_usd_per_month": [10_000.0, 10_000.0], "tag_coverage_share": [0.95, 0.60],
    ...     "effective_savings_rate": [0.30, 0.15], "commitment_utilization_share": [1.0, 0.80],
    ...     "idle_share": [0.05, 0.30], "rightsizing_usd_per_month": [0.0, 1_000.0],
    ...     "anomaly_usd_per_month": [0.0, 500.0], "unit_cost_trend_share_per_month": [-0.02, 0.05]},
    ...     index=["team-a", "team-b"])
    >>> team_scorecard(m)[["score", "rank"]]
                score  rank
    team-a  98.571429     1
    team-b  70.714286     2
    """
    df = _frame("metrics", metrics, list(SCORECARD_COLUMNS))
    df["cost_usd_per_month"] = _column("metrics", df, "cost_usd_per_month", low=0, low_strict=True)
    for c in ("tag_coverage_share", "idle_share"):
        df[c] = _column("metrics", df, c, low=0, high=1)
    for c in ("rightsizing_usd_per_month", "anomaly_usd_per_month"):
        df[c] = _column("metrics", df, c, low=0)
    df["effective_savings_rate"] = _column("metrics", df, "effective_savings_rate")
    df["unit_cost_trend_share_per_month"] = _column("metrics", df, "unit_cost_trend_share_per_month")
    util = pd.to_numeric(df["commitment_utilization_share"], errors="coerce").to_numpy(dtype=float)
    bad = np.isfinite(util) & ((util < 0) | (util > 1))
    require(not bad.any(), "metrics.commitment_utilization_share", util[bad].tolist()[:1],
            "expected a share in [0, 1] (or NaN without commitments)")
    target = _scalar("esr_target", esr_target, low=0, low_strict=True)
    tolerance = _scalar("unit_cost_trend_tolerance", unit_cost_trend_tolerance, low=0, low_strict=True)
    w = {c: 1.0 for c in SCORE_COMPONENTS}
    if weights is not None:
        extra = sorted(set(weights) - set(SCORE_COMPONENTS))
        require(not extra, "weights", extra, f"expected components of {list(SCORE_COMPONENTS)}")
        w.update({c: _scalar(f"weights[{c!r}]", v, low=0) for c, v in weights.items()})
    require(sum(w.values()) > 0, "weights", w, "expected at least one positive weight")
    cost = df["cost_usd_per_month"]
    s = pd.DataFrame({
        "tagging": df["tag_coverage_share"],
        "savings_rate": (df["effective_savings_rate"] / target).clip(0, 1),
        "utilization": util,
        "idle": 1 - df["idle_share"],
        "rightsizing": 1 - (df["rightsizing_usd_per_month"] / cost).clip(upper=1),
        "anomalies": 1 - (df["anomaly_usd_per_month"] / cost).clip(upper=1),
        "unit_cost": (1 - df["unit_cost_trend_share_per_month"] / tolerance).clip(0, 1),
    }, index=df.index)
    weight = pd.Series(w)[list(SCORE_COMPONENTS)]
    present = s.notna()
    score = 100 * (s.fillna(0) * weight).sum(axis=1) / (present * weight).sum(axis=1)
    out = pd.concat([df, s.add_suffix("_score")], axis=1)
    out["score"] = score
    out = out.assign(_c=-cost).sort_values(["score", "_c"], ascending=[False, True], kind="stable").drop(columns="_c")
    out["rank"] = np.arange(1, len(out) + 1)
    return out


# ----------------------------------------------------------------------------------------------------
# 10. Assembly helpers of workbook 06: bill query results -> the inputs of the formulas above
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttributionPools:
    """What `attribution_pools` returns (USD over the bill's period).

    Attributes
    ----------
    direct : pandas.Series
        Cost carrying the team tag, per team.
    untagged_usd, shared_usd, unused_commitment_usd, untaggable_usd, total_usd : float
        Taggable cost without the tag; untagged cost of the shared services; unused commitment cost;
        spend that cannot carry tags (tax, credits, adjustments, purchases); everything.
    untaggable : pandas.DataFrame
        The untaggable spend per ``ChargeCategory``: ``billed_usd``, ``effective_usd``.
    """

    direct: pd.Series
    untagged_usd: float
    shared_usd: float
    unused_commitment_usd: float
    untaggable_usd: float
    total_usd: float
    untaggable: pd.DataFrame

    @property
    def taggable_usd(self) -> float:
        """``direct + shared + untagged + unused commitment`` (= total - untaggable)."""
        return float(self.direct.sum()) + self.shared_usd + self.untagged_usd + self.unused_commitment_usd

    @property
    def direct_share(self) -> float:
        """Share of the taggable cost carrying the team tag: ``Σ direct / taggable`` (NaN if none)."""
        t = self.taggable_usd
        return float(self.direct.sum()) / t if t > 0 else float("nan")


def attribution_pools(frame, untaggable_categories: Sequence[str] = ("Tax", "Credit", "Adjustment", "Purchase"),
                      shared_services: Sequence[str] = (), cost_column: str = "effective_cost") -> AttributionPools:
    """Split a bill into direct cost per team, untagged, shared, unused-commitment and untaggable pools.

    Parameters
    ----------
    frame : pandas.DataFrame
        `billing_queries.cost_by_tag` by ``["ChargeCategory", "ServiceName", "CommitmentDiscountStatus"]``:
        ``tag_value`` (the team; null when untagged), those columns, ``cost_column`` and ``billed_cost``.
    untaggable_categories : sequence of str
        ChargeCategory values that cannot carry resource tags, shown apart and not allocated.
    shared_services : sequence of str
        Services whose untagged cost is shared cost (a shared Kubernetes cluster, a platform).
    cost_column : str
        ``effective_cost`` (amortized, the default) or ``billed_cost``.

    Returns
    -------
    AttributionPools

    Notes
    -----
    Each row goes to exactly one pool, in this order: untaggable (its ChargeCategory), unused commitment
    (``CommitmentDiscountStatus = Unused``), direct (a team tag), shared (a shared service), untagged.
    So ``Σ direct + untagged + shared + unused + untaggable = total`` exactly.

    References
    ----------
    .. [1] FinOps Foundation, "Allocation" capability: untaggable charges (tax, support, purchases) are
       allocated by rule, not by tag. Seed section VI.1 (mandatory tagging; shared resources).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"tag_value": ["ads", None, None, None, None],
    ...     "ChargeCategory": ["Usage", "Usage", "Usage", "Usage", "Tax"],
    ...     "ServiceName": ["EC2", "EKS", "EC2", "EC2", "acct"],
    ...     "CommitmentDiscountStatus": [None, None, None, "Unused", None],
    ...     "effective_cost": [60.0, 20.0, 10.0, 5.0, 5.0], "billed_cost": [60.0, 20.0, 10.0, 0.0, 5.0]})
    >>> p = attribution_pools(f, shared_services=["EKS"])
    >>> p.direct.to_dict(), p.shared_usd, p.untagged_usd, p.unused_commitment_usd, p.untaggable_usd, p.total_usd
    ({'ads': 60.0}, 20.0, 10.0, 5.0, 5.0, 100.0)
    >>> p.taggable_usd, round(p.direct_share, 4)
    (95.0, 0.6316)
    """
    df = _frame("frame", frame, ["tag_value", "ChargeCategory", "ServiceName", "CommitmentDiscountStatus",
                                 cost_column])
    cost = _column("frame", df, cost_column)
    df = df.assign(**{cost_column: cost})
    untaggable = df["ChargeCategory"].isin(list(untaggable_categories)).to_numpy()
    unused = (df["CommitmentDiscountStatus"] == "Unused").to_numpy() & ~untaggable
    tagged = df["tag_value"].notna().to_numpy() & ~untaggable & ~unused
    shared = df["ServiceName"].isin(list(shared_services)).to_numpy() & ~untaggable & ~unused & ~tagged
    rest = ~(untaggable | unused | tagged | shared)
    direct = df[tagged].groupby("tag_value")[cost_column].sum().sort_index().astype(float)
    direct.index.name = None
    billed = df["billed_cost"] if "billed_cost" in df.columns else df[cost_column]
    table = (df[untaggable].assign(billed_usd=billed[untaggable].to_numpy(), effective_usd=cost[untaggable])
             .groupby("ChargeCategory")[["billed_usd", "effective_usd"]].sum())
    table.index.name = None
    return AttributionPools(direct=direct, untagged_usd=float(cost[rest].sum()), shared_usd=float(cost[shared].sum()),
                            unused_commitment_usd=float(cost[unused].sum()), untaggable_usd=float(cost[untaggable].sum()),
                            total_usd=float(cost.sum()), untaggable=table)


def coverage_by(frame, by: Sequence[str], tagged: str = "tag_value", cost_column: str = "effective_cost") -> pd.DataFrame:
    """Tag coverage (share of cost carrying a tag) per group: per sub-account, per day, per team.

    Parameters
    ----------
    frame : pandas.DataFrame
        A `billing_queries.cost_by_tag` result holding the ``by`` columns, ``cost_column`` and ``tagged``.
    by : sequence of str
        The grouping columns (``["SubAccountId"]``, ``["period_start"]``).
    tagged : str
        ``"tag_value"`` (tagged where not null) or a boolean ``has__<key>`` column.

    Returns
    -------
    pandas.DataFrame
        Per group: ``total_usd``, ``tagged_usd``, ``coverage_share`` (NaN where the total is not positive).

    Notes
    -----
    ``coverage(g) = Σ cost [tagged, group g] / Σ cost [group g]``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"acct": ["a", "a", "b"], "tag_value": ["x", None, "y"], "effective_cost": [3.0, 1.0, 2.0]})
    >>> coverage_by(f, ["acct"])["coverage_share"].to_dict()
    {'a': 0.75, 'b': 1.0}
    """
    df = _frame("frame", frame, [*by, tagged, cost_column])
    cost = _column("frame", df, cost_column)
    flag = df[tagged].fillna(False).astype(bool) if df[tagged].dtype == bool or tagged.startswith("has__") \
        else df[tagged].notna()
    g = pd.DataFrame({**{b: df[b] for b in by}, "total_usd": cost, "tagged_usd": np.where(flag, cost, 0.0)})
    out = g.groupby(list(by)).sum()
    out["coverage_share"] = out["tagged_usd"] / out["total_usd"].where(out["total_usd"] > 0)
    return out


def per_month(usd, days):
    """An amount over a window of days as USD per month (the model month, 730 / 24 = 30.4167 days).

    Notes
    -----
    ``per_month = usd x DAYS_PER_MONTH / days`` with `costlib.constants.DAYS_PER_MONTH` = 730 / 24, the
    month every workbook uses (730 hours).

    Examples
    --------
    $840 over 35 days is $24 a day, x 730 / 24 days a month = $730 a month:

    >>> round(float(per_month(840.0, 35)), 6)
    730.0
    """
    u = _num("usd", usd)
    d = _num("days", days, low=0, low_strict=True)
    return checks.out(u * DAYS_PER_MONTH / d)


def nodes_from_bill(resources, cpu_cores, ram_gib) -> pd.DataFrame:
    """The Kubernetes nodes of `kubernetes_allocation`, priced from the bill's own node rows.

    Parameters
    ----------
    resources : pandas.DataFrame
        `billing_queries.resource_summary` rows of the cluster's nodes: ``ResourceId``, ``hours`` and
        ``effective_cost``.
    cpu_cores, ram_gib : float
        Allocatable CPU and memory of a node (the bill does not carry them).

    Returns
    -------
    pandas.DataFrame
        ``node``, ``cost_usd_per_hour``, ``cpu_cores``, ``ram_gib``.

    Notes
    -----
    ``cost_usd_per_hour(n) = Σ EffectiveCost(n) / hours billed(n)`` (amortized: a node under a
    commitment costs its committed rate).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"ResourceId": ["n1"], "hours": [10], "effective_cost": [3.84]})
    >>> nodes_from_bill(r, 8, 32)[["node", "cost_usd_per_hour"]].to_dict("records")
    [{'node': 'n1', 'cost_usd_per_hour': 0.384}]
    """
    df = _frame("resources", resources, ["ResourceId", "hours", "effective_cost"])
    hours = _column("resources", df, "hours", low=0, low_strict=True)
    cost = _column("resources", df, "effective_cost", low=0)
    cores = _scalar("cpu_cores", cpu_cores, low=0, low_strict=True)
    gib = _scalar("ram_gib", ram_gib, low=0, low_strict=True)
    return pd.DataFrame({"node": df["ResourceId"].to_numpy(), "cost_usd_per_hour": cost / hours,
                         "cpu_cores": cores, "ram_gib": gib})


def rightsizing_candidates(resources, ladder, top_n: int = 20) -> pd.DataFrame:
    """The costliest resources whose bill unit price is a size of the ladder, with that size.

    Parameters
    ----------
    resources : pandas.DataFrame
        `billing_queries.resource_summary` rows: ``ResourceId``, ``tag_value`` (team), ``effective_cost``,
        ``list_unit_price`` (USD per hour on the bill).
    ladder : pandas.DataFrame
        ``size`` and ``usd_per_hour`` (as `rightsizing` takes it).
    top_n : int
        At most this many resources, costliest first.

    Returns
    -------
    pandas.DataFrame
        ``resource``, ``size``, ``team``, ``effective_cost`` (the `rightsizing` resources input).

    Notes
    -----
    A resource's size is the ladder size whose ``usd_per_hour`` equals its ``list_unit_price`` (relative
    tolerance 1e-6): the bill's own unit price names the size. Resources matching no size are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"ResourceId": ["a", "b"], "tag_value": ["ads", None], "effective_cost": [5.0, 9.0],
    ...                   "list_unit_price": [0.192, 0.5]})
    >>> lad = pd.DataFrame({"size": ["large", "xlarge"], "usd_per_hour": [0.096, 0.192]})
    >>> rightsizing_candidates(r, lad)[["resource", "size"]].to_dict("records")
    [{'resource': 'a', 'size': 'xlarge'}]
    """
    df = _frame("resources", resources, ["ResourceId", "tag_value", "effective_cost", "list_unit_price"])
    lad = _frame("ladder", ladder, ["size", "usd_per_hour"])
    n = checks.whole("top_n", top_n, 1)
    price = pd.to_numeric(df["list_unit_price"], errors="coerce").to_numpy(dtype=float)
    sizes = np.full(len(df), None, dtype=object)
    for s, p in zip(lad["size"], lad["usd_per_hour"].astype(float)):
        sizes[np.isfinite(price) & np.isclose(price, p, rtol=1e-6, atol=0)] = s
    out = pd.DataFrame({"resource": df["ResourceId"].to_numpy(), "size": sizes, "team": df["tag_value"].to_numpy(),
                        "effective_cost": df["effective_cost"].to_numpy(dtype=float)})
    out = out[out["size"].notna()].sort_values(["effective_cost", "resource"], ascending=[False, True], kind="stable")
    return out.head(n).reset_index(drop=True)


def window_cost_per_month(cost_usd, days: int, which: str = "first"):
    """A daily series' cost over its first or last ``days`` days, as USD per month.

    Notes
    -----
    ``mean(c_t over the window) x 30.4167`` (the runaway service's "month before" and "month after"
    when the bill holds less than two full months).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10.0, 10.0, 30.0, 30.0])
    >>> round(float(window_cost_per_month(s, 2, "first")), 4), float(window_cost_per_month(s, 2, "last"))
    (304.1667, 912.5)
    """
    s = _series("cost_usd", cost_usd)
    n = checks.whole("days", days, 1, len(s), unit="days")
    _choice("which", which, ("first", "last"))
    window = s.iloc[:n] if which == "first" else s.iloc[-n:]
    return float(window.mean() * DAYS_PER_MONTH)


def anomaly_dollars(alerts, keys: Sequence[str], by: str | None = None):
    """Dollars above expectation flagged by the detectors, counted once per series and period.

    Parameters
    ----------
    alerts : pandas.DataFrame
        `detect_anomalies` output (optionally with `alert_drivers` columns and an owner column).
    keys : sequence of str
        The series keys.
    by : str, optional
        A column to total by (e.g. the team owning each alert's driver); default one total.

    Returns
    -------
    float or pandas.Series
        USD over the bill's period.

    Notes
    -----
    For each (series, period) alerted by one detector or more, the largest ``change_usd`` among them
    (three detectors on one spike are one spike); ``dollars = Σ max(0, change)``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"svc": ["db", "db", "web"], "period": [1, 1, 2], "change_usd": [50.0, 60.0, 10.0],
    ...                   "detector": ["forecast", "seasonal", "forecast"]})
    >>> anomaly_dollars(a, ["svc"])
    70.0
    """
    al = pd.DataFrame(alerts)
    if len(al) == 0:
        return 0.0 if by is None else pd.Series(dtype=float)
    require(all(c in al.columns for c in [*keys, "period", "change_usd"]), "alerts", list(al.columns),
            f"expected columns {[*keys, 'period', 'change_usd']}")
    al = al.assign(change_usd=al["change_usd"].astype(float).clip(lower=0))
    top = al.sort_values("change_usd", ascending=False, kind="stable").drop_duplicates([*keys, "period"])
    if by is None:
        return float(top["change_usd"].sum())
    return top.groupby(by, dropna=False)["change_usd"].sum()


def team_commitment_rates(rows, team_column: str = "tag_value") -> pd.DataFrame:
    """Effective savings rate per team, and commitment utilization of the commitments each team owns.

    Parameters
    ----------
    rows : pandas.DataFrame
        `billing_queries.commitment_rows` with ``key`` set (``team_column`` holds the team; null where the
        row has no team tag).

    Returns
    -------
    pandas.DataFrame
        Per team: ``effective_savings_rate``, ``commitment_utilization_share`` (NaN when the team owns no
        commitment) and ``commitments_owned`` (how many).

    Notes
    -----
    A team **owns** a commitment when a purchase or an unused row of it carries the team's tag (the
    unused cost is what an owner answers for). Its utilization is that of its own commitments over every
    row of them, whoever consumed the usage: ``Σ used / (Σ used + Σ unused)`` (`commitment_metrics`).
    Utilization of a team that owns none is n/a, never 100%: consuming covered usage is not owning a
    commitment. ESR over the team's own rows: with committed rows, `commitment_metrics`' portfolio ESR;
    without, ``(Σ ListCost - Σ EffectiveCost) / Σ ListCost`` over its usage (its negotiated discount only).

    Examples
    --------
    ``sp`` is used 70 by ads and 10 by web, 20 unused on an untagged row: nobody owns it, n/a for both.

    >>> import pandas as pd
    >>> r = pd.DataFrame({"tag_value": ["ads", "ads", "web", "web", None], "ChargeCategory": "Usage",
    ...     "CommitmentDiscountId": ["sp", None, None, "sp", "sp"],
    ...     "CommitmentDiscountStatus": ["Used", None, None, "Used", "Unused"],
    ...     "BilledCost": 0.0, "EffectiveCost": [70.0, 10.0, 10.0, 10.0, 20.0],
    ...     "ListCost": [100.0, 10.0, 10.0, 15.0, 0.0]})
    >>> team_commitment_rates(r)["commitment_utilization_share"].tolist()
    [nan, nan]

    Tag the unused row to ads: ads owns ``sp``, utilization (70 + 10) / (70 + 10 + 20) = 0.8.

    >>> r.loc[4, "tag_value"] = "ads"
    >>> team_commitment_rates(r).round(4).to_dict("index")["ads"]
    {'effective_savings_rate': 0.2727, 'commitment_utilization_share': 0.8, 'commitments_owned': 1}
    """
    df = _frame("rows", rows, [team_column, *_COMMITMENT_COLUMNS, "ListCost"])
    owning = df[df[team_column].notna() & df["CommitmentDiscountId"].notna()
                & ((df["CommitmentDiscountStatus"] == "Unused") | (df["ChargeCategory"] == "Purchase"))]
    owned = owning.groupby(team_column)["CommitmentDiscountId"].apply(lambda x: sorted(set(x))).to_dict()
    out = {}
    for team, group in df[df[team_column].notna()].groupby(team_column):
        usage = group[(group["ChargeCategory"] == "Usage") & (group["CommitmentDiscountStatus"] != "Unused")]
        if usage["CommitmentDiscountId"].notna().any():
            esr = commitment_metrics(usage, quantity_column=None).portfolio["effective_savings_rate"]
        else:
            listed = float(usage["ListCost"].sum())
            esr = (listed - float(usage["EffectiveCost"].sum())) / listed if listed > 0 else 0.0
        ids = owned.get(team, [])
        util = np.nan
        if ids:
            util = commitment_metrics(df[df["CommitmentDiscountId"].isin(ids)],
                                      quantity_column=None).portfolio["utilization_by_cost"]
        out[team] = {"effective_savings_rate": esr, "commitment_utilization_share": util,
                     "commitments_owned": len(ids)}
    return pd.DataFrame.from_dict(out, orient="index", columns=["effective_savings_rate",
                                                                "commitment_utilization_share",
                                                                "commitments_owned"])


def trend_per_month(trend_share_per_day):
    """A daily growth rate compounded to a monthly one (`costlib.constants.DAYS_PER_MONTH`, 30.4167 days).

    Notes
    -----
    ``(1 + g_day) ** 30.4167 - 1``.

    Examples
    --------
    >>> round(float(trend_per_month(0.01)), 4)  # 1.01 ** (730 / 24) - 1
    0.3534
    """
    g = _num("trend_share_per_day", trend_share_per_day, low=-1, low_strict=True)
    return checks.out(np.power(1 + g, DAYS_PER_MONTH) - 1)


def scorecard_metrics(cost_usd_per_month, tag_coverage_share=None, effective_savings_rate=None,
                      commitment_utilization_share=None, idle_share=None, rightsizing_usd_per_month=None,
                      anomaly_usd_per_month=None, unit_cost_trend_share_per_month=None) -> pd.DataFrame:
    """The `team_scorecard` metrics frame from one Series per measure, with stated defaults.

    Parameters
    ----------
    cost_usd_per_month : pandas.Series
        Per team; the teams with positive cost are scored (a team whose net is zero or negative is not).
    others : pandas.Series, optional
        Per team; a team missing from a Series gets the default: coverage 0, ESR 0, utilization NaN
        (no commitments), idle 0, rightsizing 0, anomaly 0, trend 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by team with `SCORECARD_COLUMNS`.

    Examples
    --------
    >>> import pandas as pd
    >>> m = scorecard_metrics(pd.Series({"ads": 100.0}), idle_share=pd.Series({"ads": 0.25}))
    >>> m.loc["ads", ["idle_share", "anomaly_usd_per_month"]].tolist()
    [0.25, 0.0]
    """
    cost = _mapping("cost_usd_per_month", cost_usd_per_month, signed=True)
    cost = cost[cost > 0]
    teams = cost.index
    defaults = {"tag_coverage_share": (tag_coverage_share, 0.0), "effective_savings_rate": (effective_savings_rate, 0.0),
                "commitment_utilization_share": (commitment_utilization_share, np.nan),
                "idle_share": (idle_share, 0.0), "rightsizing_usd_per_month": (rightsizing_usd_per_month, 0.0),
                "anomaly_usd_per_month": (anomaly_usd_per_month, 0.0),
                "unit_cost_trend_share_per_month": (unit_cost_trend_share_per_month, 0.0)}
    out = pd.DataFrame({"cost_usd_per_month": cost.astype(float)}, index=teams)
    for column, (series, default) in defaults.items():
        s = pd.Series(dtype=float) if series is None else pd.Series(series, dtype=float)
        values = s.reindex(teams)
        out[column] = values if np.isnan(default) else values.fillna(default)
    return out[list(SCORECARD_COLUMNS)]


def rightsizing_savings_now(recommendations, ladder, target_p99_share, headroom_share, max_steps_down=None):
    """Rightsizing savings available now at any target and headroom (vectorised `rightsizing`).

    Parameters
    ----------
    recommendations : pandas.DataFrame
        `rightsizing` output: ``size``, ``p99_cpu_share``, ``p99_memory_share``, ``deferred_months``, and
        ``commitment_months`` (when given, a resource under a commitment saves nothing now at any target,
        even one where it saved nothing at the target `rightsizing` ran at; without it,
        ``deferred_months`` decides).
    ladder : pandas.DataFrame
        As for `rightsizing`.
    target_p99_share, headroom_share : array_like
        Broadcast together (e.g. ``(n, 1)`` draws against ``(1, k)`` targets).
    max_steps_down : int, optional
        As for `rightsizing`.

    Returns
    -------
    float or ndarray
        USD per month saved now: Σ over resources whose saving is not deferred by a commitment.

    Notes
    -----
    The rule of `rightsizing`, for every target and headroom at once: from the current size i down,
    size j fits when ``max(P99_cpu x vcpu_i / vcpu_j, P99_mem x mem_i / mem_j) x (1 + h) <= target`` and
    every size between fits too; ``saving = (price_i - price_best) x 730``; a resource whose commitment
    still runs (``commitment_months > 0``) adds nothing, as in `rightsizing`, whatever its saving.

    Examples
    --------
    >>> import pandas as pd
    >>> ladder = pd.DataFrame({"size": ["large", "xlarge", "2xlarge"], "vcpu": [2, 4, 8],
    ...                        "memory_gib": [8, 16, 32], "usd_per_hour": [0.1, 0.2, 0.4]})
    >>> rec = pd.DataFrame({"size": ["2xlarge"], "p99_cpu_share": [0.10], "p99_memory_share": [0.15],
    ...                     "deferred_months": [0.0]})
    >>> rightsizing_savings_now(rec, ladder, 0.70, [0.1, 1.0, 1.5]).round(6).tolist()
    [219.0, 146.0, 0.0]

    A committed resource that saves nothing at the target it was read at (deferred 0 months) still saves
    nothing now at a target where it would fit a smaller size, as `rightsizing` at that target says:

    >>> held = rec.assign(p99_cpu_share=0.5, commitment_months=7.5)
    >>> float(rightsizing_savings_now(held, ladder, 0.55, 0.1)), float(rightsizing_savings_now(held, ladder, 0.9, 0.1))
    (0.0, 0.0)
    """
    rec = _frame("recommendations", recommendations, ["size", "p99_cpu_share", "p99_memory_share", "deferred_months"])
    lad = _frame("ladder", ladder, ["size", "vcpu", "memory_gib", "usd_per_hour"]).reset_index(drop=True)
    target = _num("target_p99_share", target_p99_share, low=0, low_strict=True, high=1)
    headroom = _num("headroom_share", headroom_share, low=0)
    shape = np.broadcast(target, headroom).shape
    vcpu, mem, price = (lad[c].to_numpy(dtype=float) for c in ("vcpu", "memory_gib", "usd_per_hour"))
    position = {s: i for i, s in enumerate(lad["size"])}
    total = np.zeros(shape)
    held = "commitment_months" if "commitment_months" in rec.columns else "deferred_months"
    for _, r in rec.iterrows():
        if float(r[held]) > 0:
            continue
        i = position[r["size"]]
        lowest = 0 if max_steps_down is None else max(0, i - int(max_steps_down))
        still = np.ones(shape, dtype=bool)
        best_price = np.full(shape, price[i])
        for j in range(i - 1, lowest - 1, -1):
            proj = max(r["p99_cpu_share"] * vcpu[i] / vcpu[j], r["p99_memory_share"] * mem[i] / mem[j])
            still &= proj * (1 + headroom) <= target
            best_price = np.where(still, price[j], best_price)
        total = total + (price[i] - best_price) * HOURS_PER_MONTH
    return checks.out(total)


def savings_available(parts: Mapping[str, float]) -> tuple[float, pd.DataFrame]:
    """Total monthly savings available, and the table of its parts, largest first.

    Notes
    -----
    ``total = Σ parts`` (each already USD per month and not overlapping: rightsizing now, storage moves,
    spot against on-demand, unused commitment); negative parts (a move that would cost more) count 0.

    Examples
    --------
    >>> total, table = savings_available({"rightsizing": 120.0, "storage": 30.0, "spot": -5.0})
    >>> total, table["usd_per_month"].tolist()
    (150.0, [120.0, 30.0, 0.0])
    """
    s = pd.Series({k: max(0.0, _scalar(f"parts[{k!r}]", v)) for k, v in parts.items()}, dtype=float)
    table = s.sort_values(ascending=False, kind="stable").rename_axis("lever").reset_index(name="usd_per_month")
    return float(s.sum()), table


def runs_per_month_cost(usd_per_run, runs_per_month):
    """A per-run amount (a nightly batch) as USD per month.

    Notes
    -----
    ``usd_per_month = usd_per_run x runs_per_month``.

    Examples
    --------
    >>> runs_per_month_cost(12.5, 30)
    375.0
    """
    u = _num("usd_per_run", usd_per_run)
    n = _num("runs_per_month", runs_per_month, low=0)
    return checks.out(u * n)


def unallocated_share(untagged_usd, unused_commitment_usd, taggable_usd):
    """Share of the taggable bill that no tag attributes to a team (before the allocation rules assign it).

    Notes
    -----
    ``(untagged + unused commitment) / taggable``, with ``taggable = direct + shared + untagged + unused``:
    the spend that cannot carry tags (tax, credits, purchases) is shown apart and left out of both, so a
    credit cannot make the share negative; shared-service cost is allocated by its own rule.

    Examples
    --------
    >>> unallocated_share(10.0, 5.0, 100.0)
    0.15
    """
    a = _num("untagged_usd", untagged_usd)
    b = _num("unused_commitment_usd", unused_commitment_usd, low=0)
    t = _num("taggable_usd", taggable_usd, low=0, low_strict=True)
    return checks.out((a + b) / t)


def spot_plan_probability(saving_usd_draws, miss_probability_draws, max_miss_probability):
    """Share of the Monte Carlo draws in which the spot plan is worth running: it saves and it meets the window.

    Parameters
    ----------
    saving_usd_draws : array_like
        Expected saving per run against all on-demand in each draw, USD.
    miss_probability_draws : array_like
        Chance of missing the window in each draw (decimal), same shape.
    max_miss_probability : float
        The largest acceptable chance of missing the window (decimal).

    Returns
    -------
    float
        Decimal share of the draws.

    Notes
    -----
    ``P = mean(saving > 0 and miss <= max_miss)`` over the same draws (both answers are drawn with one seed,
    so draw ``i`` of each is the same night-set of inputs).

    References
    ----------
    Seed section VI (the nightly batch that must finish within 4 hours, on spot with a fallback).

    Examples
    --------
    Four draws: saves in three, meets a 1% miss ceiling in three, both in two.

    >>> spot_plan_probability([5.0, 3.0, -1.0, 2.0], [0.0, 0.02, 0.0, 0.005], 0.01)
    0.5
    """
    saving = np.asarray(saving_usd_draws, dtype=float)
    miss = np.asarray(miss_probability_draws, dtype=float)
    require(saving.shape == miss.shape, "miss_probability_draws", miss.shape,
            f"expected the shape of saving_usd_draws {saving.shape}")
    return float(np.mean((saving > 0) & (miss <= float(max_miss_probability))))


@dataclass(frozen=True)
class SpotBatchModels:
    """What `spot_batch_models` returns: the spot batch's two answers as functions of its uncertain inputs.

    Attributes
    ----------
    saving, miss : callable
        ``f(fallback_at_hours, interruption_rate_per_hour)``: expected saving per run (USD) and chance of
        missing the window. Scalars read the grid simulation (straight lines between its points, the
        simulation itself at them); arrays of draws run `spot_batch_draws`.
    grids : dict
        Input name -> the grid each input was simulated on (the other input at base).
    runs : dict
        Input name -> the `SpotBatchResult` at each grid point.
    """

    saving: object
    miss: object
    grids: dict
    runs: dict


def spot_batch_models(batch: Mapping, base: Mapping[str, float], bounds: Mapping[str, tuple],
                      extra_points: Mapping[str, Sequence[float]] = (), nights_per_draw: int = 100, seed: int = 0,
                      draw_seed: int | None = None, grid_points: int = 33) -> SpotBatchModels:
    """The spot batch's saving and chance of a miss against the fallback deadline and the reclaim rate.

    Parameters
    ----------
    batch : mapping
        The keyword arguments of `spot_batch_window` other than the two inputs (work, window, fleet,
        prices, pools, checkpoints, ``runs``).
    base : mapping
        ``fallback_at_hours`` and ``interruption_rate_per_hour`` at base.
    bounds : mapping
        Input -> (low, high) of its grid (hours; per pool-hour).
    extra_points : mapping, optional
        Input -> values the grid must hold exactly (the base and the ends of its range).
    nights_per_draw, seed : int
        Nights per Monte Carlo draw (`spot_batch_draws`) and the seed of the grid simulations.
    draw_seed : int, optional
        The seed of the Monte Carlo draws (default: ``seed``).

    Returns
    -------
    SpotBatchModels

    Notes
    -----
    The simulation is a step function of its inputs (a night misses or not), so the flip search reads it
    on a grid of each input (common random numbers, the other input at base) joined by straight lines:
    ``f(x) = f(x_i) + (x - x_i) (f(x_{i+1}) - f(x_i)) / (x_{i+1} - x_i)`` for ``x_i <= x <= x_{i+1}``.
    A point off both grids (both inputs moved) runs `spot_batch_window` itself.

    Examples
    --------
    >>> b = dict(work_hours=3.0, window_hours=4.0, instances=100, spot_usd_per_instance_hour=0.0672,
    ...          on_demand_usd_per_instance_hour=0.192, pools=4, runs=200)
    >>> m = spot_batch_models(b, {"fallback_at_hours": 3.5, "interruption_rate_per_hour": 0.1},
    ...                       {"fallback_at_hours": (0.0, 4.0), "interruption_rate_per_hour": (0.0, 1.0)}, grid_points=5)
    >>> at_base = spot_batch_window(**b, fallback_at_hours=3.5, interruption_rate_per_hour=0.1, seed=0)
    >>> bool(abs(m.saving(3.5, 0.1) - at_base.expected_saving_usd) < 1e-9)
    True
    """
    names = ("fallback_at_hours", "interruption_rate_per_hour")
    points = dict(extra_points or {})
    grids = {n: np.unique(np.concatenate([np.linspace(*bounds[n], grid_points),
                                          np.asarray([base[n], *points.get(n, ())], dtype=float)])) for n in names}

    def run(**inputs):
        return spot_batch_window(**batch, **{**dict(base), **inputs}, seed=seed)

    runs = {n: [run(**{n: float(x)}) for x in g] for n, g in grids.items()}
    cache: dict = {}

    def draws(fallback_at_hours, interruption_rate_per_hour):
        key = (np.asarray(fallback_at_hours).tobytes(), np.asarray(interruption_rate_per_hour).tobytes())
        if key not in cache:
            cache.clear()
            kw = {k: batch[k] for k in ("work_hours", "window_hours", "instances", "spot_usd_per_instance_hour",
                                        "on_demand_usd_per_instance_hour")}
            opt = {k: batch[k] for k in ("pools", "checkpoint_interval_hours", "replacement_delay_hours",
                                         "on_demand_start_hours") if k in batch}
            cache[key] = spot_batch_draws(**kw, interruption_rate_per_hour=interruption_rate_per_hour,
                                          fallback_at_hours=fallback_at_hours, nights_per_draw=nights_per_draw,
                                          seed=seed if draw_seed is None else draw_seed, **opt)
        return cache[key]

    def model_of(field: str):
        def model(fallback_at_hours, interruption_rate_per_hour):
            if np.size(fallback_at_hours) > 1 or np.size(interruption_rate_per_hour) > 1:
                return draws(fallback_at_hours, interruption_rate_per_hour)[field]
            x = {"fallback_at_hours": float(fallback_at_hours),
                 "interruption_rate_per_hour": float(interruption_rate_per_hour)}
            for name, other in (names, names[::-1]):
                if x[other] == base[other] and grids[name][0] <= x[name] <= grids[name][-1]:
                    return float(np.interp(x[name], grids[name], [getattr(r, field) for r in runs[name]]))
            return getattr(run(**x), field)
        return model

    return SpotBatchModels(saving=model_of("expected_saving_usd"), miss=model_of("probability_miss"),
                           grids=grids, runs=runs)


#: The bases tag coverage can be read on (`tag_coverage_on_base`).
COVERAGE_BASES = {
    "taggable": "amortized cost of the rows that can carry tags (tax, credits, adjustments and purchases left "
                "out), positive amounts only",
    "positive_cost": "every row with EffectiveCost > 0 (the FinOps Foundation FOCUS use case's base)",
}


def tag_coverage_on_base(frame, by: Sequence[str] = (), exclude_categories: Sequence[str] = ()) -> pd.DataFrame:
    """Tag coverage as a share in [0, 1] of a stated base, from `billing_queries.cost_by_tag_positive`.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``tag_value`` (null where the row lacks the key), the ``by`` columns, ``effective_cost`` and
        ``billed_cost`` (USD, sums of positive amounts; null where a group has none). One frame grouped
        finer (by ``ChargeCategory``, sub-account and day) answers every base and grouping: sums of
        positive amounts add up.
    by : sequence of str
        Groups (``["SubAccountId"]``, ``["period_start"]``); none: one row for the whole base.
    exclude_categories : sequence of str
        Charge categories outside the base (the frame then needs ``ChargeCategory``; a null category stays
        in), as `billing_queries.cost_by_tag_positive` leaves them out.

    Returns
    -------
    pandas.DataFrame
        Per group: ``base_effective_usd``, ``tagged_effective_usd``, ``effective_coverage_share``,
        ``base_billed_usd``, ``tagged_billed_usd``, ``billed_coverage_share`` (NaN where a base is 0).

    Notes
    -----
    ``coverage = Σ cost⁺ [key on the row] / Σ cost⁺`` over the base's rows, ``cost⁺`` the row's cost where
    positive. Zero-cost rows do not count (no cost to attribute) and credits or refunds are outside the
    base, so ``0 <= coverage <= 1`` always. `COVERAGE_BASES` names the two bases the workbook offers: the
    taggable charges (the default) and every row with EffectiveCost > 0 (the FinOps Foundation's).

    References
    ----------
    .. [1] FinOps Foundation, FOCUS use case library, "Calculate tag coverage" (EffectiveCost > 0).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"tag_value": ["ads", None], "effective_cost": [75.0, 25.0], "billed_cost": [60.0, None]})
    >>> tag_coverage_on_base(f)[["effective_coverage_share", "billed_coverage_share"]].iloc[0].tolist()
    [0.75, 1.0]
    >>> f["ChargeCategory"] = ["Usage", "Tax"]  # tax outside the base: 75 / 75
    >>> float(tag_coverage_on_base(f, exclude_categories=["Tax"])["effective_coverage_share"].iloc[0])
    1.0
    """
    df = _frame("frame", frame, ["tag_value", "effective_cost", "billed_cost", *by,
                                 *(["ChargeCategory"] if len(exclude_categories) else [])])
    if len(exclude_categories):
        df = _frame("frame outside exclude_categories", df[~df["ChargeCategory"].isin(list(exclude_categories))],
                    ["tag_value"])
    eff = pd.to_numeric(df["effective_cost"], errors="coerce").fillna(0.0).clip(lower=0)
    bil = pd.to_numeric(df["billed_cost"], errors="coerce").fillna(0.0).clip(lower=0)
    tagged = df["tag_value"].notna()
    g = pd.DataFrame({**{b: df[b] for b in by}, "base_effective_usd": eff, "tagged_effective_usd": eff.where(tagged, 0.0),
                      "base_billed_usd": bil, "tagged_billed_usd": bil.where(tagged, 0.0)})
    out = g.groupby(list(by)).sum() if by else g.sum().to_frame().T
    out["effective_coverage_share"] = out["tagged_effective_usd"] / out["base_effective_usd"].where(
        out["base_effective_usd"] > 0)
    out["billed_coverage_share"] = out["tagged_billed_usd"] / out["base_billed_usd"].where(out["base_billed_usd"] > 0)
    return out[["base_effective_usd", "tagged_effective_usd", "effective_coverage_share", "base_billed_usd",
                "tagged_billed_usd", "billed_coverage_share"]]
