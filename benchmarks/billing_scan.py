"""The FinOps scan on generated FOCUS data: costbook's path against raw DuckDB SQL and plain pandas.

One run, same machine, same Parquet file (synthetic FOCUS 1.2 from `costlib.synthetic_focus`, 10M rows
by default). Six aggregations, the ones the FinOps workbook needs:

1. totals by charge category; 2. daily cost by service; 3. showback by the ``team`` tag with the untagged
share; 4. tag coverage over ``team``, ``environment``, ``cost-center``; 5. commitment utilization;
6. per-resource hourly P99 of effective cost for the top 1,000 resources.

Measured, each in its own process (wall time of the six queries, and the process's peak RSS):

- ``costbook cold``: `costlib.billing.open_billing` on the raw file with an empty cache (hashing,
  normalising to the canonical Parquet, the data-quality checks) and then the six queries;
- ``costbook scan``: the six queries through Ibis on DuckDB over the canonical file, result cache off
  (what every new question on the same data costs);
- ``costbook rerun``: the same six on the same data through `BillingData.query` with its result cache
  (a workbook re-run with other parameters: no scan of the rows at all);
- ``raw DuckDB SQL``: the same six as hand-written SQL over the raw file (tags read with
  ``json_extract_string``);
- ``pandas``: ``read_parquet``, ``json.loads`` per row for the tags, ``groupby``.

All paths must agree: the script prints the largest relative difference of each against costbook.

Usage: ``python benchmarks/billing_scan.py [--resources 14000] [--days 30] [--workdir DIR] [--skip-pandas]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYS = ["team", "environment", "cost-center"]


def _costbook_six(data) -> dict:
    from costlib import billing_queries as Q

    out = {}
    out["totals"] = data.query(Q.totals_by_charge_category)
    out["daily"] = data.query(Q.cost_by, dimensions=["ServiceName"], period="day")
    showback = data.query(Q.showback_by_tag, key="team")
    out["showback"] = showback
    out["untagged_share"] = Q.untagged_share(showback)
    out["coverage"] = data.query(Q.tag_coverage, keys=KEYS)
    out["commitments"] = data.query(Q.commitment_utilization)
    out["p99"] = data.query(Q.resource_hourly_p99, top_n=1000)
    return out


def child_costbook(mode: str, raw: Path, cache: Path) -> dict:
    from costlib import billing

    if mode == "cold":
        data = billing.open_billing(raw, cache_dir=cache)
    else:
        data = billing.open_billing(raw, cache_dir=cache)  # canonical from the cold run: no normalising
        if mode == "scan":
            data = data.on(billing.duckdb_backend(data.canonical))  # result cache off
    return _costbook_six(data)


RAW_SQL = {
    "totals": "SELECT ChargeCategory, sum(BilledCost) billed_cost, sum(EffectiveCost) effective_cost, "
              "sum(ListCost) list_cost, count(*) AS n_rows FROM bill GROUP BY 1",
    "daily": "SELECT ServiceName, date_trunc('day', ChargePeriodStart) period_start, sum(BilledCost) billed_cost, "
             "sum(EffectiveCost) effective_cost, count(*) AS n_rows FROM bill GROUP BY 1, 2",
    "showback": "SELECT json_extract_string(Tags, '$.team') tag_value, sum(BilledCost) billed_cost, "
                "sum(EffectiveCost) effective_cost, count(*) AS n_rows FROM bill GROUP BY 1",
    "coverage": "SELECT sum(BilledCost) billed_cost, sum(EffectiveCost) effective_cost, count(*) AS n_rows, " + ", ".join(
        f"sum(EffectiveCost) FILTER (WHERE json_extract_string(Tags, '$.\"{k}\"') IS NOT NULL) "
        f"\"tagged_effective_cost__{k}\", "
        f"sum(BilledCost) FILTER (WHERE json_extract_string(Tags, '$.\"{k}\"') IS NOT NULL) \"tagged_billed_cost__{k}\""
        for k in KEYS) + " FROM bill",
    "commitments": "SELECT CommitmentDiscountId, max(CommitmentDiscountType) CommitmentDiscountType, "
                   "coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used'), 0) used_cost, "
                   "coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused'), 0) unused_cost, "
                   "coalesce(sum(BilledCost) FILTER (WHERE ChargeCategory = 'Purchase'), 0) purchases_billed, "
                   "count(CommitmentDiscountStatus) usage_rows FROM bill WHERE CommitmentDiscountId IS NOT NULL GROUP BY 1",
    "p99": "WITH hourly AS (SELECT ResourceId, date_trunc('hour', ChargePeriodStart) h, sum(EffectiveCost) c "
           "FROM bill WHERE ResourceId IS NOT NULL GROUP BY 1, 2) SELECT ResourceId, count(*) AS n_hours, "
           "sum(c) effective_cost, quantile_cont(c, 0.99) p99_hourly_effective_cost FROM hourly GROUP BY 1 "
           "ORDER BY 3 DESC, 1 LIMIT 1000",
}


def child_sql(raw: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE VIEW bill AS SELECT * FROM read_parquet('{raw}')")
    out = {name: con.execute(sql).df().rename(columns={"n_rows": "rows", "n_hours": "hours"}) for name, sql in RAW_SQL.items()}
    s = out["showback"]
    out["untagged_share"] = float(s.loc[s["tag_value"].isna(), "effective_cost"].sum() / s["effective_cost"].sum())
    return out


def child_pandas(raw: Path) -> dict:
    import pandas as pd

    columns = ["ChargeCategory", "BilledCost", "EffectiveCost", "ListCost", "ServiceName", "ChargePeriodStart",
               "Tags", "CommitmentDiscountId", "CommitmentDiscountStatus", "CommitmentDiscountType", "ResourceId"]
    df = pd.read_parquet(raw, columns=columns)
    tags = [json.loads(t) if isinstance(t, str) else {} for t in df["Tags"]]
    out = {}
    out["totals"] = df.groupby("ChargeCategory", as_index=False).agg(
        billed_cost=("BilledCost", "sum"), effective_cost=("EffectiveCost", "sum"), list_cost=("ListCost", "sum"),
        rows=("BilledCost", "size"))
    day = df["ChargePeriodStart"].dt.floor("D")
    out["daily"] = df.assign(period_start=day).groupby(["ServiceName", "period_start"], as_index=False).agg(
        billed_cost=("BilledCost", "sum"), effective_cost=("EffectiveCost", "sum"), rows=("BilledCost", "size"))
    team = pd.Series([t.get("team") for t in tags], index=df.index)
    out["showback"] = df.assign(tag_value=team).groupby("tag_value", dropna=False, as_index=False).agg(
        billed_cost=("BilledCost", "sum"), effective_cost=("EffectiveCost", "sum"), rows=("BilledCost", "size"))
    s = out["showback"]
    out["untagged_share"] = float(s.loc[s["tag_value"].isna(), "effective_cost"].sum() / s["effective_cost"].sum())
    coverage = {"billed_cost": df["BilledCost"].sum(), "effective_cost": df["EffectiveCost"].sum(), "rows": len(df)}
    for key in KEYS:
        has = pd.Series([key in t for t in tags], index=df.index)
        coverage[f"tagged_effective_cost__{key}"] = df.loc[has, "EffectiveCost"].sum()
        coverage[f"tagged_billed_cost__{key}"] = df.loc[has, "BilledCost"].sum()
    out["coverage"] = pd.DataFrame([coverage])
    c = df[df["CommitmentDiscountId"].notna()]
    out["commitments"] = pd.DataFrame({
        "used_cost": c[c["CommitmentDiscountStatus"] == "Used"].groupby("CommitmentDiscountId")["EffectiveCost"].sum(),
        "unused_cost": c[c["CommitmentDiscountStatus"] == "Unused"].groupby("CommitmentDiscountId")["EffectiveCost"].sum(),
        "purchases_billed": c[c["ChargeCategory"] == "Purchase"].groupby("CommitmentDiscountId")["BilledCost"].sum(),
    }).fillna(0.0).reset_index()
    r = df[df["ResourceId"].notna()]
    hourly = r.assign(h=r["ChargePeriodStart"].dt.floor("h")).groupby(["ResourceId", "h"])["EffectiveCost"].sum()
    per = hourly.groupby(level=0).agg(hours="size", effective_cost="sum",
                                      p99_hourly_effective_cost=lambda x: x.quantile(0.99))
    out["p99"] = per.reset_index().sort_values(["effective_cost", "ResourceId"], ascending=[False, True]).head(1000)
    return out


def _summary(out: dict) -> dict:
    """Comparable figures from any path's results."""
    totals = out["totals"]
    p99 = out["p99"].sort_values("ResourceId")
    commitments = out["commitments"].sort_values("CommitmentDiscountId")
    return {
        "effective_total": float(totals["effective_cost"].sum()),
        "billed_total": float(totals["billed_cost"].sum()),
        "daily_effective": float(out["daily"]["effective_cost"].sum()),
        "daily_groups": int(len(out["daily"])),
        "untagged_share": float(out["untagged_share"]),
        "coverage_team": float(out["coverage"]["tagged_effective_cost__team"].iloc[0]),
        "commitment_used": float(commitments["used_cost"].sum()),
        "p99_sum": float(p99["p99_hourly_effective_cost"].sum()),
        "p99_resources": sorted(p99["ResourceId"].astype(str))[:5],
    }


def child(args) -> None:
    start = time.perf_counter()
    if args.child == "generate":
        from costlib import synthetic_focus

        truth = synthetic_focus.generate(args.raw, resources=args.resources, days=args.days, seed=0)
        print(json.dumps({"seconds": time.perf_counter() - start, "rows": truth.rows,
                          "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
        return
    if args.child.startswith("costbook-"):
        out = child_costbook(args.child.split("-", 1)[1], Path(args.raw), Path(args.cache))
    elif args.child == "sql":
        out = child_sql(Path(args.raw))
    else:
        out = child_pandas(Path(args.raw))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    print(json.dumps({"seconds": seconds, "peak_rss_bytes": peak, "summary": _summary(out)}))


def run_child(name: str, raw: Path, cache: Path, *extra: str) -> dict:
    """Run one measurement in a fresh process (the parent stays small: peak RSS is inherited across exec)."""
    command = [sys.executable, __file__, "--child", name, "--raw", str(raw), "--cache", str(cache), *extra]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=14000, help="resources (x days x 24 = usage rows)")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--workdir", default=None, help="where the generated file and cache go (a temp dir)")
    parser.add_argument("--skip-pandas", action="store_true", help="leave out the (slow) pandas baseline")
    parser.add_argument("--child", default=None)
    parser.add_argument("--raw", default=None)
    parser.add_argument("--cache", default=None)
    args = parser.parse_args()
    if args.child:
        return child(args)

    work = Path(args.workdir or tempfile.mkdtemp(prefix="costbook-billing-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    raw = work / f"focus_{args.resources}x{args.days}d.parquet"
    made = run_child("generate", raw, work, "--resources", str(args.resources), "--days", str(args.days))
    print(f"generated {made['rows']:,} FOCUS 1.2 rows ({raw.stat().st_size / 1e6:,.0f} MB Parquet) in "
          f"{made['seconds']:.1f} s, peak RSS {made['peak_rss_bytes'] / 2**30:.2f} GiB")
    print(f"machine: {os.cpu_count()} cores; each path in its own process; wall time of the six queries")
    cache = work / "cache"
    import shutil
    shutil.rmtree(cache, ignore_errors=True)
    results = {}
    for name in ("costbook-cold", "costbook-scan", "costbook-rerun", "sql", "pandas"):
        if name == "pandas" and args.skip_pandas:
            continue
        results[name] = run_child(name, raw, cache)
    labels = {"costbook-cold": "costbook cold (normalise + checks + six)", "costbook-scan": "costbook scan (six, Ibis on DuckDB)",
              "costbook-rerun": "costbook rerun (result cache)", "sql": "raw DuckDB SQL (six)",
              "pandas": "pandas + json.loads per row (six)"}
    reference = results["costbook-scan"]["summary"]
    print(f"\n{'path':<44}{'wall s':>9}{'peak RSS':>11}   agrees with costbook (max rel. diff)")
    for name, r in results.items():
        diffs = [abs(r["summary"][k] - v) / max(abs(v), 1e-12) for k, v in reference.items()
                 if isinstance(v, float)]
        same = r["summary"]["p99_resources"] == reference["p99_resources"] and \
            r["summary"]["daily_groups"] == reference["daily_groups"]
        print(f"{labels[name]:<44}{r['seconds']:>9.2f}{r['peak_rss_bytes'] / 2**30:>9.2f} GiB   "
              f"{max(diffs):.1e}{'' if same else '  (DIFFERENT GROUPS)'}")
    scan, sql = results["costbook-scan"]["seconds"], results["sql"]["seconds"]
    print(f"\ncostbook scan / raw SQL: {scan / sql:.2f}x (target <= 1.3x); "
          f"peak RSS {results['costbook-scan']['peak_rss_bytes'] / 2**30:.2f} GiB (target < 2 GiB)")
    print(f"costbook cold / raw SQL: {results['costbook-cold']['seconds'] / sql:.2f}x (once per set of files)")
    print(f"costbook rerun: {results['costbook-rerun']['seconds']:.2f} s (no scan of the rows)")
    if "pandas" in results:
        p = results["pandas"]["seconds"]
        print(f"pandas / costbook scan: {p / scan:.1f}x (target >= 10x); pandas / costbook cold: "
              f"{p / results['costbook-cold']['seconds']:.1f}x")


if __name__ == "__main__":
    main()
