"""Workbook 06's analysis on generated bills of several sizes: wall time, peak RSS, largest pull.

For each size (resources x days of hourly rows), each step in its own process, with
``COSTBOOK_CACHE_DIR`` in the work folder:

- ``generate``: the scenario's synthetic bill (`costlib.workbooks.finops.synthetic_bill`), not timed;
- ``cold``: `costlib.billing.open_billing` on that file with no canonical data and no results cached
  (hashing, normalising, the quality checks, before any analysis): ``cold_s``;
- ``analyse``: `costlib.workbooks.finops.analyse` on the default scenario sized to the bill, canonical
  data prepared (by ``cold``) and the result cache emptied: ``analyse_s``, the process's peak RSS and
  the rows of the largest frame pulled into pandas (`BillingData.max_pull_rows`);
- ``raw_six``: the six aggregations of ``benchmarks/billing_scan.py`` as hand-written DuckDB SQL on the
  same file: ``raw_six_s``;
- ``spark`` (at the size nearest 10M rows): the same analysis with ``billing_engine: spark`` on Spark
  ``local[2]`` (session start included, result cache emptied first): ``analyse_s``, and whether every
  headline figure equals the DuckDB one to 1e-9 relative and every verdict is the same
  (``equal_to_duckdb``).

Prints a table, then one line ``RESULT {json}`` with ``{"sizes": [{"rows", "analyse_s", "cold_s",
"peak_rss_bytes", "raw_six_s", "max_pull_rows"}, ...], "spark": {"rows", "analyse_s", "equal_to_duckdb"}}``.

Usage: ``python benchmarks/finops_workbook.py [--sizes 1400x30,14000x30,20000x62] [--workdir DIR]
[--steps cold,analyse,raw_six,spark]`` (``make benchmark-finops``; ``SIZES=...`` there). The issue's sizes
are about 1M, 10M and 30M rows. ``--steps`` runs only some steps (a quick look at one phase's peak RSS at
two sizes); the steps left out print as ``-`` and are null in ``RESULT``. ``cold peak`` is the peak RSS of
the ``cold`` process (normalising and the quality checks), ``peak RSS`` that of ``analyse``.
"""

from __future__ import annotations

import argparse
import json
import numbers
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = "1400x30,14000x30,20000x62"


def _scenario(resources: int, days: int):
    from costlib.workbooks import finops as W

    return W.Params(synthetic_resources=resources, synthetic_days=days)


def _peak() -> int:
    """Peak RSS of this process and of any child it waited for (a JVM), in bytes (Linux: KiB units)."""
    return 1024 * max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def child(step: str, resources: int, days: int) -> dict:
    from costlib import billing
    from costlib.workbooks import finops as W

    p = _scenario(resources, days)
    start = time.perf_counter()
    if step == "generate":
        path, truth = W.synthetic_bill(p)
        return {"path": str(path), "rows": truth.rows}
    path, _ = W.synthetic_bill(p)
    if step == "cold":
        data = billing.open_billing(path, p.billing_currency)
        return {"seconds": time.perf_counter() - start, "rows": data.quality.rows, "peak_rss_bytes": _peak()}
    if step in ("analyse", "spark"):
        a = W.analyse(p if step == "analyse" else p.model_copy(update={"billing_engine": "spark"}))
        return {"seconds": time.perf_counter() - start, "peak_rss_bytes": _peak(),
                "max_pull_rows": a.data.max_pull_rows, "pulls": len(a.data.pulls),
                "headline": {k: (float(v) if isinstance(v, numbers.Real) and not isinstance(v, bool) else str(v))
                             for k, v in a.headline.items()},
                "verdicts": [d.verdict for d in W.decisions(a)]}
    if step == "raw_six":
        from benchmarks.billing_scan import child_sql

        child_sql(Path(path))
        return {"seconds": time.perf_counter() - start, "peak_rss_bytes": _peak()}
    raise SystemExit(f"--child {step!r}: expected generate, cold, analyse, spark or raw_six")


def same_answers(left: dict, right: dict, rtol: float = 1e-9) -> bool:
    """Whether two analyses' headline figures agree to ``rtol`` relative and their verdicts are equal.

    Examples
    --------
    >>> same_answers({"headline": {"a": 1.0}, "verdicts": ["buy"]}, {"headline": {"a": 1.0 + 1e-12}, "verdicts": ["buy"]})
    True
    >>> same_answers({"headline": {"a": 1.0}, "verdicts": ["buy"]}, {"headline": {"a": 1.01}, "verdicts": ["buy"]})
    False
    """
    a, b = left["headline"], right["headline"]
    if a.keys() != b.keys() or left["verdicts"] != right["verdicts"]:
        return False
    for key, value in a.items():
        other = b[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(other, (int, float)):
            if abs(value - other) > rtol * max(abs(value), abs(other)) + 1e-12:
                return False
        elif value != other:
            return False
    return True


def run_child(step: str, resources: int, days: int, cache: Path) -> dict:
    """One step in a fresh process (peak RSS is the process's own), with the work folder's cache."""
    env = {**os.environ, "COSTBOOK_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, __file__, "--child", step, "--resources", str(resources), "--days", str(days)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{step} at {resources}x{days} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _empty_cache(cache: Path, keep_canonical: bool) -> None:
    """Remove cached canonical data (unless kept) and every cached query result; the generated bill stays."""
    for folder in cache.iterdir() if cache.is_dir() else []:
        if folder.name == "synthetic" or not folder.is_dir():
            continue
        if keep_canonical:
            shutil.rmtree(folder / "results", ignore_errors=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _round(seconds):
    return None if seconds is None else round(seconds, 3)


def _cell(value, width: int, spec: str = ".2f") -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def _ratio(value, base, width: int) -> str:
    return f"{'-':>{width}}" if value is None or not base else f"{value / base:>{width - 1}.2f}x"


def _gib(value) -> str:
    return f"{'-':>10}" if value is None else f"{value / 2**30:>6.2f} GiB"


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """``"1400x30,14000x30"`` -> ``[(1400, 30), (14000, 30)]`` (resources x days).

    Examples
    --------
    >>> parse_sizes("1400x30, 20000x62")
    [(1400, 30), (20000, 62)]
    """
    out = []
    for part in text.split(","):
        r, _, d = part.strip().partition("x")
        if not (r.isdigit() and d.isdigit()):
            raise SystemExit(f"--sizes {text!r}: expected RESOURCESxDAYS items separated by commas, "
                             f"e.g. {DEFAULT_SIZES}")
        out.append((int(r), int(d)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="RESOURCESxDAYS,... (rows = resources x days x 24)")
    parser.add_argument("--workdir", default=None, help="where the bills and caches go (a temp dir)")
    parser.add_argument("--no-spark", action="store_true", help="skip the workbook on Spark (no Java here)")
    parser.add_argument("--steps", default="cold,analyse,raw_six,spark",
                        help="which steps to run (generate always runs): cold,analyse,raw_six,spark")
    parser.add_argument("--child", default=None)
    parser.add_argument("--resources", type=int, default=0)
    parser.add_argument("--days", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.resources, args.days)))
        return
    work = Path(args.workdir or tempfile.mkdtemp(prefix="costbook-finops-bench-"))
    print(f"machine: {os.cpu_count()} cores; each step in its own process; work folder {work}")
    sizes, spark = [], None
    steps = {s.strip() for s in args.steps.split(",") if s.strip()}
    if not steps <= {"cold", "analyse", "raw_six", "spark"}:
        raise SystemExit(f"--steps {args.steps!r}: expected some of cold,analyse,raw_six,spark")
    if "spark" in steps and "analyse" not in steps:
        raise SystemExit("--steps: spark is compared with analyse; name both")
    skipped = {"seconds": None, "peak_rss_bytes": None, "max_pull_rows": None}
    parsed = parse_sizes(args.sizes)
    spark_size = min(parsed, key=lambda rd: abs(rd[0] * rd[1] * 24 - 10_000_000))
    for resources, days in parsed:
        cache = work / f"cache_{resources}x{days}"
        cache.mkdir(parents=True, exist_ok=True)
        made = run_child("generate", resources, days, cache)
        _empty_cache(cache, keep_canonical=False)
        cold = run_child("cold", resources, days, cache) if "cold" in steps else skipped
        if "analyse" in steps and "cold" not in steps:  # canonical data prepared, not timed
            run_child("cold", resources, days, cache)
        _empty_cache(cache, keep_canonical=True)
        analysed = run_child("analyse", resources, days, cache) if "analyse" in steps else skipped
        raw = run_child("raw_six", resources, days, cache) if "raw_six" in steps else skipped
        if (resources, days) == spark_size and not args.no_spark and "spark" in steps:
            _empty_cache(cache, keep_canonical=True)
            on_spark = run_child("spark", resources, days, cache)
            spark = {"rows": made["rows"], "analyse_s": round(on_spark["seconds"], 3),
                     "equal_to_duckdb": same_answers(analysed, on_spark)}
        sizes.append({"rows": made["rows"], "resources": resources, "days": days,
                      "analyse_s": _round(analysed["seconds"]), "cold_s": _round(cold["seconds"]),
                      "peak_rss_bytes": analysed["peak_rss_bytes"], "raw_six_s": _round(raw["seconds"]),
                      "max_pull_rows": analysed["max_pull_rows"], "cold_peak_rss_bytes": cold["peak_rss_bytes"]})
    print(f"\n{'rows':>12} {'resources x days':>17} {'analyse s':>10} {'cold s':>8} {'raw six s':>10} "
          f"{'analyse/raw':>12} {'cold/raw':>9} {'peak RSS':>10} {'cold peak':>10} {'largest pull':>13}")
    for s in sizes:
        print(f"{s['rows']:>12,} {str(s['resources']) + ' x ' + str(s['days']):>17} {_cell(s['analyse_s'], 10)} "
              f"{_cell(s['cold_s'], 8)} {_cell(s['raw_six_s'], 10)} {_ratio(s['analyse_s'], s['raw_six_s'], 12)} "
              f"{_ratio(s['cold_s'], s['raw_six_s'], 9)} {_gib(s['peak_rss_bytes'])} {_gib(s['cold_peak_rss_bytes'])} "
              f"{_cell(s['max_pull_rows'], 13, ',')}")
    print("targets at about 10M rows: peak RSS <= 1.5 GiB, analyse <= 4x raw six, cold <= 3x raw six; "
          "peak at 30M <= 1.25x peak at 10M")
    if spark:
        print(f"on Spark local[2] at {spark['rows']:,} rows: analyse {spark['analyse_s']:.2f} s, "
              f"same headline and verdicts as DuckDB: {spark['equal_to_duckdb']}")
    print("RESULT " + json.dumps({"sizes": [{k: s[k] for k in ("rows", "analyse_s", "cold_s", "peak_rss_bytes",
                                                                 "raw_six_s", "max_pull_rows")} for s in sizes],
                                  "spark": spark}))


if __name__ == "__main__":
    main()
