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
        the hour, >= 0). Every node appearing in ``usage`` must be in ``nodes``; a node is billed for every
        hour that appears in ``usage``.
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
      ``idle * allocated(team) / allocated`` (cluster).

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
    hours = us.groupby("node")["hour"].nunique().reindex(nd.index, fill_value=0)
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
    elif idle == "share_by_cluster":
        alloc = by_team.sum(axis=1)
        by_team["idle_usd"] = idle_node.sum() * alloc / alloc.sum() if alloc.sum() > 0 else 0.0
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
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"node": ["n1"], "cost_usd_per_hour": [1.0], "cpu_cores": [4.0],
    ...                       "ram_gib": [16.0], "cpu_cost_share": [0.5]})
    >>> usage = pd.DataFrame({"hour": [0, 0], "node": ["n1", "n1"], "team": ["ads", "web"],
    ...     "cpu_request_cores": [2.0, 1.0], "cpu_used_cores": [1.0, 1.0],
    ...     "ram_request_gib": [8.0, 4.0], "ram_used_gib": [4.0, 4.0]})
    >>> request_usage_gap(nodes, usage)["gap_usd"].to_dict()
    {'ads': 0.25, 'web': 0.0}
    """
    out = {}
    for basis in KUBERNETES_BASES:
        t = kubernetes_allocation(nodes, usage, basis=basis, idle="separate").by_team.drop(index=IDLE)
        out[f"{basis}_usd"] = t["cpu_usd"] + t["ram_usd"]
    df = pd.DataFrame(out)
    df["gap_usd"] = df["request_usd"] - df["usage_usd"]
    df["gap_share"] = (df["gap_usd"] / df["request_usd"].where(df["request_usd"] > 0)).fillna(0.0)
    return df.sort_values("gap_usd", ascending=False, kind="stable")
