"""How long ``costbook run`` takes to stop on Ctrl-C: the bound that used to be a timing inside
tests/test_runner_faults.py (issue 19: timings live in benchmarks, not tests).

A small project folder (the notebooks, the pricebook, nine unit-economics and TCO scenarios, the same as
the fault test's) is run with ``-j 2``; once the first report is written, SIGINT goes to the runner alone
(``runner``) or to its process group as a terminal's Ctrl-C sends it (``group``). Printed per repeat: the
seconds from the signal to the runner's exit, its exit code (130 expected) and the reports written; then
the median and the largest. The design's target is under 5 s (the kernels are killed, not waited for).

Usage: ``python benchmarks/interrupt_latency.py [--repeat N]``. Writes nothing into the repository (a
temporary folder). Numbers from a machine shared with other work are contended.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COSTBOOK = Path(sys.executable).with_name("costbook")
SCENARIOS = ["unit_economics/streaming_margin", "unit_economics/beta_negative_margin",
             "unit_economics/chatty_cross_az", "unit_economics/small_object_requests",
             "unit_economics/tenant_tier_pricing", "unit_economics/launch_gate_cost_per_dau",
             "unit_economics/budget_overrun_drivers", "tco/managed_db_vs_self_hosted_cassandra",
             "tco/storage_hot_90_days"]
TARGET_S = 5.0


def make_project(folder: Path) -> Path:
    project = folder / "project"
    (project / "params").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copy(ROOT / "params" / "pricebook.yaml", project / "params" / "pricebook.yaml")
    for name in SCENARIOS:
        target = project / "params" / f"{name}.yaml"
        target.parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / "params" / f"{name}.yaml", target)
    return project


def one(target: str) -> tuple[float, int, int]:
    """Seconds from SIGINT to exit, exit code, reports written."""
    with tempfile.TemporaryDirectory(prefix="costbook-interrupt-") as tmp:
        project = make_project(Path(tmp))
        outputs = project / "outputs"
        proc = subprocess.Popen([str(COSTBOOK), "run", "--no-progress", "-j", "2"], cwd=project,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 600
        while not list(outputs.glob("*/*.json")):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("no report was written before the run ended")
            time.sleep(0.05)
        start = time.monotonic()
        if target == "group":
            import os

            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=600)
        seconds = time.monotonic() - start
        return seconds, code, len(list(outputs.glob("*/*.json")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for target in ("runner", "group"):
        times = []
        for i in range(args.repeat):
            seconds, code, written = one(target)
            times.append(seconds)
            print(f"interrupt {target} #{i + 1}: {seconds:.2f} s to exit, exit code {code}, {written} reports written")
        print(f"interrupt {target}: median {statistics.median(times):.2f} s, largest {max(times):.2f} s "
              f"(target under {TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
