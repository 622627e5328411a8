"""Mutation check: do the tests fail where it matters?

Applies one-line mutations to core formulas, one at a time, each in a temporary copy of the tree (the
working tree is never changed), runs the tests that should catch it, and prints killed (a test failed) or
survived (every test passed: a hole in the tests). The list holds the eight mutations of issue 19 (cent
splitting, the newsvendor quantile, the commitment utilization query, the depreciation month, break-even,
both percentile ones, the utilization denominator) and a few more.

Usage: ``python scripts/mutation_check.py [--only NAME ...] [--no-baseline] [--list]``. First the
matching tests run on the unmutated copy (a mutation is only "killed" against tests that pass without it).
Exit status 1 when a mutation survives or the baseline fails. The copy sits in a temporary folder with a
link to ``../shared`` beside it (the tests read the real FOCUS sample there) and its own billing cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to the project root
    original: str  # must occur exactly once in the file
    mutated: str
    tests: tuple[str, ...]  # pytest arguments: files, node ids, -k expressions


MUTATIONS = [
    Mutation("cent splitting: leftover cents to the smallest remainders", "costlib/finops.py",
             "    order = np.argsort(-(quota - base), kind=\"stable\")",
             "    order = np.argsort(quota - base, kind=\"stable\")",
             ("tests/test_finops.py", "costlib/finops.py", "-k", "cent or alloc or split")),
    Mutation("newsvendor quantile: 1 - critical ratio", "costlib/forecast.py",
             "    return float(np.quantile(d, critical_ratio(discount, shortfall_premium)))",
             "    return float(np.quantile(d, 1 - critical_ratio(discount, shortfall_premium)))",
             ("tests/test_forecast.py", "tests/test_workbook_forecast.py", "-k", "commit or newsvendor or regret")),
    Mutation("newsvendor: the premium ignored (the discount alone)", "costlib/forecast.py",
             "    return (disc + prem) / (1 + prem)",
             "    return disc",
             ("tests/test_forecast.py", "tests/test_workbook_forecast.py", "-k",
              "commit or newsvendor or regret or critical or premium")),
    Mutation("commitment utilization query: unused from billed cost", "costlib/billing_queries.py",
             "    unused = c.EffectiveCost.sum(where=c.CommitmentDiscountStatus == \"Unused\")",
             "    unused = c.BilledCost.sum(where=c.CommitmentDiscountStatus == \"Unused\")",
             ("tests/test_commitment_utilization.py", "tests/test_billing.py", "-k", "commitment")),
    Mutation("utilization denominator: purchases (commitment_metrics)", "costlib/finops.py",
             "        t[\"utilization_by_cost\"] = t[\"used_usd\"] / t[\"amortized_usd\"].where(t[\"amortized_usd\"] > 0)",
             "        t[\"utilization_by_cost\"] = t[\"used_usd\"] / t[\"purchases_billed_usd\"].where("
             "t[\"purchases_billed_usd\"] > 0)",
             ("tests/test_commitment_utilization.py",)),
    Mutation("utilization denominator: purchases (the query)", "costlib/billing_queries.py",
             "    total = grouped.used_cost + grouped.unused_cost",
             "    total = grouped.purchases_billed",
             ("tests/test_commitment_utilization.py",)),
    Mutation("depreciation month: an asset starts a month late", "costlib/capex.py",
             "        start = r[\"in_service_month\"] - 1  # zero-based position of the asset's first month",
             "        start = r[\"in_service_month\"]  # zero-based position of the asset's first month",
             ("tests/test_capex.py", "costlib/capex.py")),
    Mutation("break-even: one month late", "costlib/timing.py",
             "    month = np.where(last_above == months - 1, np.nan, last_above + 2.0)",
             "    month = np.where(last_above == months - 1, np.nan, last_above + 3.0)",
             ("tests/test_timing.py", "costlib/timing.py")),
    Mutation("percentiles: MonteCarloResult.percentiles (10, 50, 90) -> (20, 50, 80)", "costlib/uncertainty.py",
             "    def percentiles(self, q=(10, 50, 90)) -> np.ndarray:",
             "    def percentiles(self, q=(20, 50, 80)) -> np.ndarray:",
             ("tests/test_uncertainty.py",)),
    Mutation("percentiles: uncertainty.assess [10, 50, 90] -> [20, 50, 80]", "costlib/uncertainty.py",
             "        p10, p50, p90 = (float(v) for v in np.percentile(final, [10, 50, 90]))",
             "        p10, p50, p90 = (float(v) for v in np.percentile(final, [20, 50, 80]))",
             ("tests/test_uncertainty.py", "tests/test_workbook_unit_economics.py")),
    Mutation("regret: hindsight at the newsvendor quantile, not the brute-force minimum", "costlib/forecast.py",
             "    i = int(np.argmin(costs))",
             "    i = int(np.searchsorted(candidates, np.quantile(path, discount)))",
             ("tests/test_forecast.py", "-k", "regret")),
    Mutation("build-vs-buy rule margin: the material share of the build cost, not of the buy cost",
             "costlib/build_vs_buy.py",
             "    value = b - v + (s * v if context_covered else 0.0)",
             "    value = b - v + (s * b if context_covered else 0.0)",
             ("tests/test_workbook_build_vs_buy.py", "-k", "rules_bar or invariants")),
]


def copy_tree(target: Path) -> Path:
    """The project's files as they are in the working tree (tracked and new, not ignored) under
    ``target/costbook``, with ``target/shared`` linked to the real ``../shared``."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    project = target / "costbook"
    for name in filter(None, listed):
        source = ROOT / name
        if not source.is_file():
            continue  # deleted in the working tree
        dest = project / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)
    shared = ROOT.parent / "shared"
    if shared.exists():
        (target / "shared").symlink_to(shared.resolve(), target_is_directory=True)
    return project


def run_tests(project: Path, tests: tuple[str, ...], cache: Path) -> tuple[int, float, str]:
    env = {**os.environ, "PYTHONPATH": str(project), "COSTBOOK_CACHE_DIR": str(cache)}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=project, env=env, capture_output=True, text=True)
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    return done.returncode, time.monotonic() - start, tail


def apply(project: Path, m: Mutation) -> None:
    path = project / m.path
    text = path.read_text(encoding="utf-8")
    count = text.count(m.original)
    if count != 1:
        raise SystemExit(f"mutation {m.name!r}: expected the line once in {m.path}, found it {count} times: "
                         f"{m.original.strip()!r}")
    path.write_text(text.replace(m.original, m.mutated), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="run the mutations whose name contains one of these words")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run of the tests")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or any(w in m.name for w in args.only)]
    if args.list:
        for m in chosen:
            print(f"{m.name}\n    {m.path}: {m.original.strip()}\n    ->  {m.mutated.strip()}\n    tests: {' '.join(m.tests)}")
        return 0
    with tempfile.TemporaryDirectory(prefix="costbook-mutation-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "billing-cache"
        base = copy_tree(tmp / "base")
        for m in chosen:  # every line is where the list says, before anything runs
            text = (base / m.path).read_text(encoding="utf-8")
            if text.count(m.original) != 1:
                raise SystemExit(f"mutation {m.name!r}: the line is not once in {m.path}: {m.original.strip()!r}")
        if not args.no_baseline:
            for tests in dict.fromkeys(m.tests for m in chosen):
                code, seconds, tail = run_tests(base, tests, cache)
                print(f"baseline  {'pass' if code == 0 else 'FAIL'}  {seconds:6.1f} s  {' '.join(tests)}: {tail}")
                if code != 0:
                    print("the tests fail without any mutation: fix them first")
                    return 1
        survived = 0
        for i, m in enumerate(chosen, start=1):
            work = tmp / f"m{i}"
            shutil.copytree(base, work / "costbook", symlinks=True)
            if (tmp / "base" / "shared").exists():
                (work / "shared").symlink_to((tmp / "base" / "shared").resolve(), target_is_directory=True)
            apply(work / "costbook", m)
            code, seconds, tail = run_tests(work / "costbook", m.tests, cache)
            verdict = "killed" if code != 0 else "SURVIVED"
            survived += code == 0
            print(f"{verdict:8}  {seconds:6.1f} s  {m.name}  [{tail}]")
            shutil.rmtree(work, ignore_errors=True)
        print(f"{len(chosen) - survived} of {len(chosen)} mutations killed, {survived} survived")
        return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
