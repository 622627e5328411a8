"""Wall time of producing every report, measured three ways in one run on the same machine.

1. ``costbook run`` over all scenarios (worker processes, one per core; papermill and nbconvert imported
   once per worker; HTML exported in-process);
2. the same scenarios by a plain sequential loop of the ``papermill`` and ``jupyter nbconvert`` command
   lines, the way a shell script would do it;
3. the floor: the same number of notebooks that only import the stack (numpy, pandas, altair, costlib)
   run by a sequential loop of the papermill command line.

Usage: ``python benchmarks/run_benchmark.py [--repeat N]`` (or ``make benchmark``). Prints one line per
measurement and the speed-up; writes nothing into the repository (everything goes to a temporary folder).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def scenarios() -> list[Path]:
    return sorted((ROOT / "params").glob("*/*.yaml"))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_costbook(out: Path) -> None:
    subprocess.run([str(BIN / "costbook"), "run", "--no-progress", "-o", str(out)], cwd=ROOT, check=True,
                   capture_output=True)


def run_cli_loop(out: Path) -> None:
    from costlib import params

    for path in scenarios():
        notebook = params.notebook_for(path.parent.name, ROOT)
        executed = out / f"{path.parent.name}__{path.stem}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(notebook), str(executed), "-f", str(path), "-k", "python3",
                        "-p", "interactive", "False", "-p", "params_file", str(path.relative_to(ROOT)),
                        "--no-progress-bar"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       cwd=ROOT, check=True, capture_output=True)


def run_floor(out: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import numpy, pandas, altair, costlib.charts, costlib.report")]
    source = out / "floor.ipynb"
    nbformat.write(nb, source)
    for i in range(len(scenarios())):
        subprocess.run([str(BIN / "papermill"), str(source), str(out / f"floor_{i}.ipynb"), "-k", "python3",
                        "--no-progress-bar"], cwd=ROOT, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement (median reported)")
    args = parser.parse_args()
    n = len(scenarios())
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {n} scenarios; "
          f"median of {args.repeat} run(s)")
    results = {}
    for label, fn in (("costbook run (parallel, in-process export)", run_costbook),
                      ("sequential papermill + nbconvert CLI loop", run_cli_loop),
                      ("floor: import-only notebooks, papermill CLI loop", run_floor)):
        times = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                times.append(timed(lambda: fn(Path(tmp))))
        results[label] = statistics.median(times)
        print(f"{label:<52} {results[label]:7.1f} s  ({results[label] / n:5.2f} s per report)")
    first, second, floor = results.values()
    print(f"costbook run is {second / first:.2f}x faster than the CLI loop and takes {first / floor:.2f}x the "
          f"import-only floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
