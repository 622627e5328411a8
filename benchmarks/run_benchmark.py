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

5. the sweep: a 21 x 21 ``costbook sweep`` of one TCO and one build-vs-buy scenario (441 points each, in one
   warm process through the workbook's ``whatif``), against the same points run as separate ``costbook run``
   scenarios, extrapolated from a sample of them: points per second and the ratio (targets: the sweep at
   least 100x faster per point, 441 points within 10 s).

Usage: ``python benchmarks/run_benchmark.py [--repeat N] [--jobs N] [--sweep-only] [--sample N]`` (or
``make benchmark``). Prints one line per measurement, the breakdown and the ratios; writes nothing into the
repository (everything goes to a temporary folder). Numbers from a machine shared with other work are contended: compare ratios
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


#: The two sweeps: (scenario, two scenario keys with their grids). Both keys are keys of the params file, so
#: each grid point is also a scenario file that `costbook run` can run on its own.
SWEEPS = (("params/tco/managed_db_vs_self_hosted_cassandra.yaml",
           ("cassandra.cassandra_nodes.saving=0.1:0.9:21", "loaded_cost_usd_per_fte_per_year=150000:450000:21")),
          ("params/build_vs_buy/message_queue.yaml",
           ("volume_units_per_month=10000:500000:21", "options.kafka_on_bare_metal.engineers=1:8:21")))


def _sample(grid: list, k: int) -> list:
    """``k`` points spread over the grid (its first, last and evenly between)."""
    if k >= len(grid):
        return list(grid)
    step = (len(grid) - 1) / (k - 1)
    return [grid[round(i * step)] for i in range(k)]


def run_sweeps(jobs: int, sample: int) -> None:
    """The sweep benchmark: 441 points through `costlib.sweep.run` against `costbook run` on a sample."""
    import copy
    import importlib
    import shutil

    import numpy as np
    import yaml

    from costlib import params, sweep

    for rel, varies in SWEEPS:
        path = ROOT / rel
        topic = path.parent.name
        workbook = importlib.import_module(f"costlib.workbooks.{topic}")
        axes = [sweep.parse_vary(v) for v in varies]
        scenario = params.load(path, ROOT)
        sweep.run(workbook, scenario, [sweep.Axis(axes[0].key, axes[0].low, axes[0].high, 2)])  # warm caches
        seconds, result = timed(lambda: sweep.run(workbook, scenario, axes, source=rel))  # base analysis included
        points = len(result.frame)
        per_sweep = seconds / points
        print(f"sweep {topic}: {points} points in {seconds:.2f} s ({points / seconds:,.0f} points/s, "
              f"{1000 * per_sweep:.2f} ms a point; target 441 points within 10 s: "
              f"{'met' if seconds <= 10 and points >= 441 else 'NOT met'})")
        # the same points as scenario files, a sample of them through costbook run in a scratch project
        data0 = params.as_dict(scenario)
        inputs = result.inputs
        grid = [dict(zip([a.key for a in axes], combo)) for combo in
                np.array(np.meshgrid(*[a.values for a in axes], indexing="ij")).reshape(2, -1).T]
        chosen = _sample(grid, sample)
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            shutil.copytree(ROOT / "notebooks", project / "notebooks")
            (project / "params" / topic).mkdir(parents=True)
            shutil.copy(ROOT / "params" / "pricebook.yaml", project / "params" / "pricebook.yaml")
            for i, values in enumerate(chosen):
                data = copy.deepcopy(data0)
                for inp in inputs:
                    v = float(values[inp.key])
                    sweep._set(data, inp.path, v)
                    ranges = data.get("sensitivity_ranges") or {}
                    for name in {inp.key, *(i for _, i in inp.answers)} & set(ranges):  # a range holds its value
                        ranges[name] = [min(ranges[name][0], v), max(ranges[name][1], v)]
                (project / "params" / topic / f"point_{i:03d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
            run_seconds, done = timed(lambda: subprocess.run(
                [str(BIN / "costbook"), "run", "--no-progress", "-j", str(jobs), "-o", str(project / "outputs")],
                cwd=project, env=env, capture_output=True, text=True))
            if done.returncode != 0:
                print(f"  costbook run on the sample failed: {done.stderr.strip().splitlines()[-3:]}")
                continue
        per_run = run_seconds / len(chosen)
        print(f"  separate costbook run: {len(chosen)} of the points in {run_seconds:.1f} s with {jobs} workers "
              f"({per_run:.2f} s a point, kernel start-up included); the {points} points would take about "
              f"{per_run * points / 60:.0f} min")
        print(f"  ratio: the sweep is {per_run / per_sweep:,.0f}x faster per point (target >= 100x: "
              f"{'met' if per_run / per_sweep >= 100 else 'NOT met'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement (median reported)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="workers of costbook run and of the fresh-kernel floor (default: cores)")
    parser.add_argument("--sweep-only", action="store_true", help="only the sweep benchmark (measurement 5)")
    parser.add_argument("--sample", type=int, default=6,
                        help="grid points of each sweep also run as separate costbook run scenarios (default 6)")
    args = parser.parse_args()
    if args.sweep_only:
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {args.jobs} workers; "
              f"load average before: {os.getloadavg()[0]:.2f}")
        run_sweeps(args.jobs, args.sample)
        print(f"load average after: {os.getloadavg()[0]:.2f} (other work on the machine inflates every time above)")
        return 0
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
    run_sweeps(args.jobs, args.sample)
    print(f"load average after: {os.getloadavg()[0]:.2f} (other work on the machine inflates every time above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
