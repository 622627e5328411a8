"""Wall time of producing every report, against three floors, all measured in one run on the same machine.

1. ``costbook run`` over all scenarios (its ``--profile`` breakdown is printed too);
2. the sequential loop of the ``papermill`` and ``jupyter nbconvert`` command lines, the way a shell
   script would do it;
3. the fresh-kernel floor: as many notebooks as there are scenarios, each only importing the stack
   (numpy, pandas, altair, vl-convert, costlib), each in a fresh kernel, through a process pool of the
   same size as ``costbook run``'s, papermill imported once per worker: what papermill costs before any
   work is done;
4. the work floor: every scenario's notebook code (validation, ``analyse``, tables, every chart rendered
   to SVG) called in one warm Python process with display switched off: the arithmetic and the drawing
   alone, the limit no runner can beat.

Usage: ``python benchmarks/run_benchmark.py [--repeat N] [--jobs N]`` (or ``make benchmark``). Prints one
line per measurement, the breakdown and the ratios; writes nothing into the repository (everything goes
to a temporary folder). Numbers from a machine shared with other work are contended: compare ratios
taken in one run, not times across runs.
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

STACK = "import numpy, pandas, scipy.stats, altair, vl_convert, costlib.charts, costlib.report, costlib.workbooks.tco"


def scenarios() -> list[Path]:
    return sorted((ROOT / "params").glob("*/*.yaml"))


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run_costbook(out: Path, jobs: int) -> list[str]:
    done = subprocess.run([str(BIN / "costbook"), "run", "--no-progress", "--profile", "-j", str(jobs), "-o", str(out)],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    return [line for line in done.stderr.splitlines() if line.startswith("profile:")]


def run_cli_loop(out: Path, jobs: int) -> None:
    from costlib import params

    for path in scenarios():
        notebook = params.notebook_for(path.parent.name, ROOT)
        executed = out / f"{path.parent.name}__{path.stem}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(notebook), str(executed), "-f", str(path), "-k", "python3",
                        "-p", "interactive", "False", "-p", "params_file", str(path.relative_to(ROOT)),
                        "--no-progress-bar"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       cwd=ROOT, check=True, capture_output=True)


def _floor_worker_init() -> None:
    import papermill  # noqa: F401 (once per worker, as costbook run does)

    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # its kernels' "TCP without encryption" lines, as costbook run


def _floor_one(args: tuple[str, str]) -> None:
    import papermill

    source, target = args
    papermill.execute_notebook(source, target, kernel_name="python3", progress_bar=False, cwd=str(ROOT))


def run_fresh_kernel_floor(out: Path, jobs: int) -> None:
    import multiprocessing

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(STACK)]
    source = out / "floor.ipynb"
    nbformat.write(nb, source)
    tasks = [(str(source), str(out / f"floor_{i}.ipynb")) for i in range(len(scenarios()))]
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_floor_worker_init) as pool:
        pool.map(_floor_one, tasks, chunksize=1)


WORK_FLOOR = r'''
import sys, time
import nbformat
import IPython.display
IPython.display.display = lambda *args, **kwargs: None  # no kernel, nothing shown: computing and drawing only
from pathlib import Path
from costlib import params, charts
import costlib.workbooks.unit_economics, costlib.workbooks.tco, costlib.workbooks.capex_opex
import costlib.workbooks.build_vs_buy
import altair, pandas
charts.to_svg(altair.Chart(pandas.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q"))  # warm vl-convert
root = Path(sys.argv[1])
files = sorted((root / "params").glob("*/*.yaml"))
notebooks = {}
start = time.perf_counter()
for path in files:
    topic = path.parent.name
    nb_path = params.notebook_for(topic, root)
    nb = notebooks.setdefault(nb_path, nbformat.read(nb_path, as_version=4))
    values = params.as_dict(params.load(path, root))
    ns = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            ns.update(values, interactive=False, params_file=params.display_path(path, root))
            continue
        exec(compile(cell.source, f"{nb_path.name}", "exec"), ns)
print(time.perf_counter() - start)
'''


def run_work_floor(out: Path, jobs: int) -> float:
    """Seconds of the loop alone, measured inside the warm process (its imports excluded)."""
    done = subprocess.run([sys.executable, "-c", WORK_FLOOR, str(ROOT)], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement (median reported)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="workers of costbook run and of the fresh-kernel floor (default: cores)")
    args = parser.parse_args()
    n = len(scenarios())
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {n} scenarios; {args.jobs} workers; "
          f"median of {args.repeat} run(s); load average before: {os.getloadavg()[0]:.2f}")
    measurements = (("costbook run (warm kernels, parallel)", run_costbook),
                    ("sequential papermill + nbconvert CLI loop", run_cli_loop),
                    ("fresh-kernel floor (import-only notebooks, same pool)", run_fresh_kernel_floor),
                    ("work floor (analyse + charts, one warm process)", run_work_floor))
    results, profile = {}, []
    for label, fn in measurements:
        times = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                seconds, value = timed(lambda: fn(Path(tmp), args.jobs))
                if fn is run_work_floor:
                    seconds = value
                if fn is run_costbook:
                    profile = value
                times.append(seconds)
        results[label] = statistics.median(times)
        print(f"{label:<56} {results[label]:7.1f} s  ({results[label] / n:5.2f} s per report)")
    run, cli, fresh, work = results.values()
    print("breakdown of costbook run (worker time):")
    for line in profile:
        print("  " + line[len("profile:"):].strip())
    print(f"ratios: {cli / run:.1f}x faster than the CLI loop (target >= 8x); "
          f"{fresh / run:.2f}x faster than the fresh-kernel floor (target > 1); "
          f"{run / work:.2f}x the work floor (target <= 3)")
    print(f"load average after: {os.getloadavg()[0]:.2f} (other work on the machine inflates every time above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
