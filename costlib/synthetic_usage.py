"""Seeded, vectorised generators of the usage inputs FinOps needs beside the bill, with known answers.

- `kubernetes_cluster`: a shared cluster's nodes and per-pod hourly CPU and memory requests and usage
  (the input of `costlib.finops.kubernetes_allocation`), with the allocation by request, usage and
  max(request, usage) per team and the idle cost per node computed from the generator's own arrays.
- `utilization_samples`: hourly CPU and memory utilization per resource whose P99 is known exactly (the
  input of `costlib.finops.rightsizing`).

The node price defaults to the synthetic bill's Kubernetes node price (`synthetic_focus.SERVICES`, the
EKS node at $0.384 an hour, an 8-vCPU, 32-GiB node).

Examples
--------
>>> c = kubernetes_cluster(nodes=3, hours=24, seed=1)
>>> sorted(c.usage.columns)[:3], len(c.nodes)
(['cpu_request_cores', 'cpu_used_cores', 'hour'], 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from costlib import finops
from costlib.errors import require

TEAMS = ("checkout", "search", "ads", "ml-platform")
#: Usage as a share of request, per team (ads over-requests most: it gains most from right-sizing).
TEAM_EFFICIENCY = {"checkout": 0.70, "search": 0.55, "ads": 0.25, "ml-platform": 0.90}


@dataclass
class KubernetesCluster:
    """A generated cluster: the two inputs and the answers.

    Attributes
    ----------
    nodes, usage : pandas.DataFrame
        As `costlib.finops.kubernetes_allocation` takes them.
    allocated_usd : pandas.DataFrame
        Per team, USD over the period, by basis: ``request``, ``usage``, ``max``.
    idle_by_node_usd : dict
        Per basis, node -> idle USD (node cost less allocated, CPU and RAM apart, floored at 0).
    node_cost_usd : float
        The nodes' total cost over the period.
    """

    nodes: pd.DataFrame
    usage: pd.DataFrame
    allocated_usd: pd.DataFrame
    idle_by_node_usd: dict
    node_cost_usd: float


def kubernetes_cluster(nodes: int = 4, pods_per_team: int = 4, hours: int = 48, seed: int = 0,
                       node_usd_per_hour: float = 0.384, node_cpu_cores: float = 8.0,
                       node_ram_gib: float = 32.0, teams=TEAMS) -> KubernetesCluster:
    """A shared cluster with per-pod hourly requests and usage, and its allocation computed from arrays.

    Parameters
    ----------
    nodes, pods_per_team, hours, seed : int
        Cluster size, pods per team, hours generated, and the seed (same arguments, same data).
    node_usd_per_hour, node_cpu_cores, node_ram_gib : float
        Each node's price (USD per hour) and allocatable CPU (cores) and memory (GiB).
    teams : sequence of str
        Teams owning pods (efficiency from `TEAM_EFFICIENCY`, 0.6 for others).

    Returns
    -------
    KubernetesCluster

    Notes
    -----
    Each pod is placed on a random node with a request of 0.5-2 cores and 1-8 GiB; requests on a node
    are scaled to at most 80% of its capacity. Usage = request x team efficiency x a diurnal factor
    (1 +- 0.3) x lognormal noise (sigma 0.1), capped at the request x 1.2. The node's cost is split into
    CPU and RAM with `finops.split_node_cost` at OpenCost's default prices.
    """
    require(nodes >= 1 and pods_per_team >= 1 and hours >= 1, "nodes, pods_per_team, hours",
            (nodes, pods_per_team, hours), "expected whole numbers >= 1")
    rng = np.random.default_rng(seed)
    team_of = np.repeat(np.array(teams, dtype=object), pods_per_team)
    pods = team_of.size
    node_of = rng.integers(0, nodes, pods)
    cpu_req = rng.choice([0.5, 1.0, 2.0], pods)
    ram_req = rng.choice([1.0, 2.0, 4.0, 8.0], pods)
    for req, capacity in ((cpu_req, node_cpu_cores), (ram_req, node_ram_gib)):
        load = np.bincount(node_of, weights=req, minlength=nodes)
        scale = np.minimum(1.0, 0.8 * capacity / np.maximum(load, 1e-12))
        req *= scale[node_of]
    efficiency = np.array([TEAM_EFFICIENCY.get(t, 0.6) for t in team_of])
    h = np.arange(hours)
    diurnal = 1 + 0.3 * np.sin(2 * np.pi * (h - 9) / 24)
    noise = rng.lognormal(-0.005, 0.1, (pods, hours))
    cpu_used = np.minimum(cpu_req[:, None] * efficiency[:, None] * diurnal[None, :] * noise, 1.2 * cpu_req[:, None])
    ram_used = np.minimum(ram_req[:, None] * efficiency[:, None] * 1.1 * noise, 1.2 * ram_req[:, None])
    names = np.array([f"node-{i}" for i in range(nodes)], dtype=object)
    cpu_share = float(finops.split_node_cost(1.0, node_cpu_cores, node_ram_gib)[0])
    node_frame = pd.DataFrame({"node": names, "cost_usd_per_hour": node_usd_per_hour, "cpu_cores": node_cpu_cores,
                               "ram_gib": node_ram_gib, "cpu_cost_share": cpu_share})
    usage = pd.DataFrame({
        "hour": np.tile(h, pods), "node": np.repeat(names[node_of], hours), "team": np.repeat(team_of, hours),
        "pod": np.repeat(np.array([f"pod-{i}" for i in range(pods)], dtype=object), hours),
        "cpu_request_cores": np.repeat(cpu_req, hours), "cpu_used_cores": cpu_used.ravel(),
        "ram_request_gib": np.repeat(ram_req, hours), "ram_used_gib": ram_used.ravel(),
    })
    # Known answers, from the arrays: price per core-hour and GiB-hour on every node is the same.
    p_cpu = node_usd_per_hour * cpu_share / node_cpu_cores
    p_ram = node_usd_per_hour * (1 - cpu_share) / node_ram_gib
    quantities = {"request": (np.broadcast_to(cpu_req[:, None], cpu_used.shape),
                              np.broadcast_to(ram_req[:, None], ram_used.shape)),
                  "usage": (cpu_used, ram_used)}
    quantities["max"] = (np.maximum(*[q[0] for q in quantities.values()]),
                         np.maximum(*[q[1] for q in quantities.values()]))
    team_index = {t: i for i, t in enumerate(teams)}
    t_of = np.array([team_index[t] for t in team_of])
    allocated, idle = {}, {}
    active = np.zeros(nodes, dtype=bool)
    active[np.unique(node_of)] = True
    for basis, (qc, qr) in quantities.items():
        cpu_cost = qc.sum(axis=1) * p_cpu
        ram_cost = qr.sum(axis=1) * p_ram
        allocated[basis] = np.bincount(t_of, weights=cpu_cost + ram_cost, minlength=len(teams))
        node_cpu = np.bincount(node_of, weights=cpu_cost, minlength=nodes)
        node_ram = np.bincount(node_of, weights=ram_cost, minlength=nodes)
        idle_cpu = np.maximum(hours * node_usd_per_hour * cpu_share - node_cpu, 0)
        idle_ram = np.maximum(hours * node_usd_per_hour * (1 - cpu_share) - node_ram, 0)
        idle[basis] = {n: float(v) for n, v, a in zip(names, idle_cpu + idle_ram, active) if a}
    node_frame = node_frame[active].reset_index(drop=True)  # a node with no pod has no usage rows
    return KubernetesCluster(nodes=node_frame, usage=usage,
                             allocated_usd=pd.DataFrame(allocated, index=list(teams)),
                             idle_by_node_usd=idle, node_cost_usd=float(active.sum() * hours * node_usd_per_hour))


@dataclass
class UtilizationSamples:
    """Generated utilization: the samples and each resource's exact P99 (CPU and memory shares)."""

    samples: pd.DataFrame
    p99: pd.DataFrame


def utilization_samples(p99_cpu_share, p99_memory_share, days: int = 14, seed: int = 0,
                        start: str = "2026-11-01", low_share: float = 0.02) -> UtilizationSamples:
    """Hourly utilization per resource whose 0.99 quantile (numpy's linear definition) is given exactly.

    Parameters
    ----------
    p99_cpu_share, p99_memory_share : mapping
        Resource -> the P99 to produce (decimals in (low_share, 0.99]).
    days, seed : int
        Days of hourly samples and the seed of the shuffle.
    start : str
        First hour (UTC).
    low_share : float
        The smallest sample.

    Returns
    -------
    UtilizationSamples

    Notes
    -----
    The n samples are an evenly spaced grid from ``low`` to ``high = low + (p99 - low) / 0.99``, shuffled;
    numpy's linear 0.99 quantile of an even grid is ``low + 0.99 (high - low)`` = p99 exactly.

    Examples
    --------
    >>> u = utilization_samples({"vm": 0.10}, {"vm": 0.30}, days=14)
    >>> float(np.percentile(u.samples["cpu_utilization_share"], 99).round(12))
    0.1
    """
    require(set(p99_cpu_share) == set(p99_memory_share), "p99_memory_share", sorted(p99_memory_share),
            f"expected the resources of p99_cpu_share {sorted(p99_cpu_share)}")
    rng = np.random.default_rng(seed)
    n = days * 24
    stamps = pd.date_range(start, periods=n, freq="h", tz="UTC")
    grid = np.linspace(0.0, 1.0, n)
    frames = []
    for resource in p99_cpu_share:
        column = {}
        for name, target in (("cpu_utilization_share", p99_cpu_share[resource]),
                             ("memory_utilization_share", p99_memory_share[resource])):
            require(low_share < target <= 0.99, f"p99[{resource!r}]", target,
                    f"expected a share in ({low_share}, 0.99]")
            high = low_share + (target - low_share) / 0.99
            column[name] = rng.permutation(low_share + (high - low_share) * grid)
        frames.append(pd.DataFrame({"resource": resource, "timestamp": stamps, **column}))
    p99 = pd.DataFrame({"p99_cpu_share": pd.Series(p99_cpu_share), "p99_memory_share": pd.Series(p99_memory_share)})
    return UtilizationSamples(samples=pd.concat(frames, ignore_index=True), p99=p99)


def write_utilization(samples: pd.DataFrame, path) -> "Path":
    """Write utilization samples (`utilization_samples`) as the file `costlib.billing.read_utilization` reads.

    Parameters
    ----------
    samples : pandas.DataFrame
        ``resource``, ``timestamp``, ``cpu_utilization_share``, ``memory_utilization_share``.
    path : path
        A ``.parquet`` file (or ``.csv``); written atomically, folders made.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> u = utilization_samples({"vm": 0.10}, {"vm": 0.30}, days=14)
    >>> f = write_utilization(u.samples, pathlib.Path(tempfile.mkdtemp()) / "u.parquet")
    >>> from costlib import billing
    >>> len(billing.read_utilization(f))  # 14 days x 24 hours
    336
    """
    import os
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    frame = samples[["resource", "timestamp", "cpu_utilization_share", "memory_utilization_share"]]
    if target.name.lower().endswith((".csv", ".csv.gz")):
        frame.to_csv(tmp, index=False, compression="gzip" if target.name.lower().endswith(".gz") else None)
    else:
        frame.to_parquet(tmp, index=False)
    os.replace(tmp, target)
    return target
