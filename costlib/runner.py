"""The batch runner: validate scenarios, execute their notebooks with papermill, write the reports.

``costbook run`` does, for every scenario ``params/<topic>/<name>.yaml``:

1. validate it against its workbook's schema, and check the outputs folder, before any kernel starts (an
   invalid file is reported in one line and skipped; an unusable outputs folder stops the run);
2. execute ``notebooks/NN_<topic>.ipynb`` through papermill, the file's validated values as parameters plus
   ``interactive=False`` and ``params_file``, in a worker process (one per core). Each worker keeps one
   warm kernel (`costlib.kernels.WarmKernel`): started and loaded with the stack once, reset to a clean
   namespace before every notebook;
3. stage ``<name>.ipynb``, ``.html`` (no code, offline), ``<name>.<chart>.svg`` and ``.png`` (2x),
   ``.xlsx`` and ``.md`` (`costlib.export`) and ``.json`` in the worker's temporary folder, then replace the report set in ``outputs/<topic>/`` in one short step
   (JSON last; chart files the new report no longer has are removed). A failed scenario leaves its
   previous report set exactly as it was;
4. remove the report sets whose params file no longer exists, and write ``outputs/index.html``.

Ctrl-C (SIGINT) or SIGTERM stops a run within a second or two: workers and their kernels are killed
(waiting for a report set being replaced to finish), temporary files are removed, the index is written
for what completed, and one line names each scenario that did not run; the exit code is 130 (143 for
SIGTERM). Workers never outlive the runner (they die with it, even on SIGKILL), and temporary folders a
killed run left behind are removed by the next run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from costlib import params as _params
from costlib import report as _report
from costlib.errors import ScenarioError

#: Worker temporary folders: ``outputs/.costbook-<pid>.tmp/`` (staged report sets, kernel connection file).
TMP_PREFIX = ".costbook-"
TMP_SUFFIX = ".tmp"

#: Hidden files and folders an older runner, or an interrupted atomic write, left in ``outputs/<topic>/``:
#: ``.<name>.<8 random characters>/`` (tempfile.TemporaryDirectory) and ``.<file>.<random>.tmp``.
_LEGACY_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}$|^\..+\.tmp$")
#: Leftovers younger than this may belong to a run in progress elsewhere: leave them.
LEFTOVER_AGE_S = 60.0


@dataclass
class Outcome:
    """What happened to one scenario."""

    scenario: str
    ok: bool
    seconds: float = 0.0
    message: str = ""
    files: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# Finding and checking the input, before any kernel starts.


def discover(root: Path, paths: list[str] | None = None) -> tuple[list[Path], list[str]]:
    """Scenario files from the given files and folders (all of ``params/`` by default).

    A folder holding topic folders (``params/`` itself) means every scenario in them; a topic folder
    means its ``*.yaml``. ``params/pricebook.yaml`` is shared prices, never a scenario. Returns the files
    and one error line per path that names nothing.
    """
    params_dir = (root / "params").resolve()
    if not paths:
        return sorted(p for p in params_dir.glob("*/*.yaml")), []
    found: list[Path] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            direct = sorted(p for p in path.glob("*.yaml") if not _is_pricebook(p, root))
            nested = sorted(path.glob("*/*.yaml"))
            files = direct + nested
            if not files:
                errors.append(f"{raw}: no scenario files (*.yaml) in this folder or its topic folders")
            found += files
        elif path.is_file():
            if _is_pricebook(path, root):
                errors.append(f"{raw}: this is the shared pricebook, not a scenario; expected a file in "
                              "params/<topic>/")
            else:
                found.append(path)
        else:
            errors.append(f"{raw}: no such file or folder")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique, errors


def _is_pricebook(path: Path, root: Path) -> bool:
    return path.name == "pricebook.yaml" and path.resolve().parent == (root / "params").resolve()


def validate_all(files: list[Path], root: Path) -> tuple[list[Path], list[str]]:
    """Validate every file; return the valid ones and one error line per problem."""
    valid, errors = [], []
    for path in files:
        try:
            _params.notebook_for(_params.topic_of(path), root)
            scenario = _params.load(path, root)
            from costlib import billing  # the bill a scenario names: its path and tag keys (FinOps)

            problems = billing.scenario_problems(scenario, root)
            if problems:
                raise ScenarioError(_params.display_path(path, root), problems)
            valid.append(path)
        except ScenarioError as exc:
            shown = _params.display_path(path, root)
            # "no notebook for this folder" is raised naming the topic: name the file instead.
            errors += (ScenarioError(shown, exc.problems) if exc.source == _params.topic_of(path) else exc).lines()
    return valid, errors


def check_outputs(outputs: Path, topics: list[str], given: str) -> str | None:
    """Make sure the reports can be written: one error line, or None. Creates the topic folders."""
    shown = given
    if outputs.exists() and not outputs.is_dir():
        return f"{shown}: expected a folder for the reports, but it is a file"
    if not outputs.exists():
        if not outputs.parent.is_dir():
            return (f"{shown}: expected an existing folder, or a new one inside an existing folder; "
                    f"{outputs.parent} does not exist")
        try:
            outputs.mkdir()
        except OSError as exc:
            return f"{shown}: cannot create the reports folder: {exc.strerror}"
    for folder in [outputs] + [outputs / t for t in sorted(set(topics))]:
        if folder.exists() and not folder.is_dir():
            return f"{folder}: expected a folder for the reports of {folder.name}, but it is a file"
        try:
            folder.mkdir(exist_ok=True)
            probe = folder / f"{TMP_PREFIX}probe-{os.getpid()}{TMP_SUFFIX}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            return f"{folder}: cannot write reports there: {exc.strerror}"
    return None


def clean_leftovers(outputs: Path) -> list[Path]:
    """Remove temporary folders and files that a killed run left in ``outputs``; return what went."""
    removed = []
    if not outputs.is_dir():
        return removed
    now = time.time()
    for entry in outputs.iterdir():
        name = entry.name
        if name.startswith(TMP_PREFIX) and name.endswith(TMP_SUFFIX):
            pid = name[len(TMP_PREFIX):-len(TMP_SUFFIX)]
            if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
                continue  # a worker of a run in progress
            _remove(entry)
            removed.append(entry)
    for folder in [outputs, *[d for d in outputs.iterdir() if d.is_dir() and not d.name.startswith(".")]]:
        for entry in folder.iterdir():
            if _LEGACY_TMP.match(entry.name) and not entry.name.startswith(TMP_PREFIX):
                try:
                    age = now - entry.lstat().st_mtime
                except OSError:
                    continue
                if age >= LEFTOVER_AGE_S:
                    _remove(entry)
                    removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


def remove_deleted(outputs: Path, root: Path) -> list[str]:
    """Remove report sets whose params file no longer exists; return their names."""
    gone = []
    for path in sorted(outputs.glob("*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            recorded = data["provenance"]["params_file"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not recorded:
            continue
        source = Path(recorded)
        source = source if source.is_absolute() else root / source
        if source.exists():
            continue
        charts = data.get("charts", [])
        members = [f"{path.stem}.json", f"{path.stem}.html", f"{path.stem}.ipynb", f"{path.stem}.xlsx",
                   f"{path.stem}.md", *charts, *(c[: -len(".svg")] + ".png" for c in charts if c.endswith(".svg"))]
        for member in members:
            try:
                (path.parent / Path(member).name).unlink()
            except OSError:
                pass
        gone.append(f"{path.parent.name}/{path.stem}")
    return gone


# ---------------------------------------------------------------------------------------------------
# One scenario, in a worker.


def _scenario_name(path: Path) -> str:
    return f"{path.resolve().parent.name}/{path.stem}"


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ARROW = re.compile(r"^\s*-+>\s*\d+\s+(.*\S)\s*$")


def failing_line(traceback_lines, source: str) -> str:
    """The line of the cell that raised (from the IPython traceback), else the cell's first line."""
    for text in traceback_lines or []:
        for line in _ANSI.sub("", text).splitlines():
            match = _ARROW.match(line)
            if match:
                return match.group(1).strip()
    return next((line.strip() for line in (source or "").splitlines() if line.strip()), "")


class _Worker:
    """State of one worker process: its warm kernel, its notebooks, its HTML exporter."""

    def __init__(self, root: Path, outputs: Path, tmp: Path, commit_lock):
        from costlib.kernels import WarmKernel

        self.root, self.outputs, self.tmp, self.lock = root, outputs, tmp, commit_lock
        self.kernel = WarmKernel(root, tmp)
        self.notebooks: dict[str, object] = {}

    def notebook(self, path: Path):
        from papermill.iorw import load_notebook_node

        key = str(path)
        if key not in self.notebooks:
            self.notebooks[key] = load_notebook_node(key)
        return self.notebooks[key]

    def run(self, params_path: str) -> Outcome:
        from papermill.exceptions import PapermillExecutionError

        start = time.perf_counter()
        timings: dict[str, float] = {}
        path = Path(params_path).resolve()
        topic, name = path.parent.name, path.stem
        label = f"{topic}/{name}"
        stage = self.tmp / f"{topic}__{name}"
        try:
            notebook = _params.notebook_for(topic, self.root)
            # Every parameter as validated (pricebook references resolved, schema defaults for keys the file
            # leaves out), so the report shows exactly the scenario `costlib.params.load` sees.
            values = _params.as_dict(_params.load(path, self.root))
            parameters = {**values, "interactive": False, "params_file": _params.display_path(path, self.root)}
            stage.mkdir(parents=True, exist_ok=True)
            executed_path = stage / f"{name}.ipynb"
            t = time.perf_counter()
            if not self.kernel.started:
                self.kernel.start()
                timings["kernel_start_s"] = time.perf_counter() - t
                t = time.perf_counter()
            try:
                nb = self.kernel.execute(self.notebook(notebook), parameters, executed_path, input_path=str(notebook),
                                         recorded_output_path=str(self.outputs / topic / f"{name}.ipynb"))
            finally:
                timings["execute_s"] = time.perf_counter() - t
        except PapermillExecutionError as exc:
            error = (exc.evalue or "").strip()
            line = failing_line(exc.traceback, exc.source)
            line = line if len(line) <= 60 else line[:57] + "..."
            shutil.rmtree(stage, ignore_errors=True)
            return Outcome(label, False, time.perf_counter() - start,
                           f"{label}: failed in cell {exc.cell_index} [{line}]: {exc.ename}: {error}",
                           timings=timings)
        except ScenarioError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            return Outcome(label, False, time.perf_counter() - start, "; ".join(exc.lines()), timings=timings)
        except Exception as exc:  # noqa: BLE001 (kernel died, notebook unreadable...: report, carry on)
            self.kernel.kill()
            from costlib.kernels import WarmKernel

            self.kernel = WarmKernel(self.root, self.tmp)
            shutil.rmtree(stage, ignore_errors=True)
            return Outcome(label, False, time.perf_counter() - start, f"{label}: {type(exc).__name__}: {exc}",
                           timings=timings)
        try:
            t = time.perf_counter()
            results = _report.extract_results(nb)
            if results is None:
                return Outcome(label, False, time.perf_counter() - start,
                               f"{label}: the notebook published no results (costlib.report.publish)",
                               timings=timings)
            charts = _report.extract_charts(nb)
            title = results.get("title") or label
            html_text = _report.to_html(nb, title=title)
            timings["html_s"] = time.perf_counter() - t
            t = time.perf_counter()
            results["scenario"] = name
            results["provenance"] = _report.provenance(path, results.pop("data_files", None))
            results["charts"] = [f"{name}.{chart}.svg" for chart in charts]
            from costlib import export

            key = export.key_charts(charts)
            results["exports"] = {"xlsx": f"{name}.xlsx", "markdown": f"{name}.md",
                                  "png": [f"{name}.{chart}.png" for chart in key]}
            import nbformat

            files: dict[str, str | bytes] = {f"{name}.ipynb": nbformat.writes(nb)}
            files.update({f"{name}.{chart}.svg": svg for chart, svg in charts.items()})
            timings["write_s"] = time.perf_counter() - t
            t = time.perf_counter()
            # For finance partners and design docs: the same figures as the JSON (`costlib.export`).
            files.update({f"{name}.{chart}.png": export.png(charts[chart]) for chart in key})
            files[f"{name}.xlsx"] = export.xlsx(results, _report.extract_tables(nb), values)
            files[f"{name}.md"] = export.markdown(results, name, export.chart_titles({c: charts[c] for c in key}))
            timings["export_s"] = time.perf_counter() - t
            t = time.perf_counter()
            files[f"{name}.html"] = html_text
            files[f"{name}.json"] = json.dumps(results, indent=2, sort_keys=False)
            try:
                for file_name, data in files.items():
                    if isinstance(data, bytes):
                        (stage / file_name).write_bytes(data)
                    else:
                        (stage / file_name).write_text(data, encoding="utf-8")
                with self.lock:  # the runner waits for this before it kills the worker
                    replace_set(stage, self.outputs / topic, name, list(files), results["charts"])
            except OSError as exc:
                return Outcome(label, False, time.perf_counter() - start,
                               f"{label}: cannot write the report to {self.outputs / topic}: {exc.strerror or exc}",
                               timings=timings)
            timings["write_s"] = timings.get("write_s", 0.0) + time.perf_counter() - t
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return Outcome(label, True, time.perf_counter() - start, files=list(files), timings=timings)


def replace_set(stage: Path, target: Path, name: str, files: list[str], charts: list[str]) -> None:
    """Move a staged report set over the old one: notebook, charts (SVG and PNG), exports (xlsx, Markdown),
    HTML, then the JSON the index reads; then remove the old set's chart files the new one does not have."""
    old_charts: list[str] = []
    try:
        old_charts = json.loads((target / f"{name}.json").read_text(encoding="utf-8")).get("charts", [])
    except (OSError, ValueError, AttributeError):
        pass
    target.mkdir(parents=True, exist_ok=True)
    order = sorted(files, key=lambda f: (f.endswith(".json"), f.endswith(".html"), f))
    for file_name in order:
        os.replace(stage / file_name, target / file_name)
    for stale in set(old_charts) - set(charts):
        stale = Path(stale).name
        if stale.startswith(f"{name}.") and stale.endswith(".svg"):
            for gone in (stale, stale[: -len(".svg")] + ".png"):
                try:
                    (target / gone).unlink()
                except OSError:
                    pass


def _die_with_parent(parent_pid: int) -> None:
    """Linux: this process gets SIGKILL when the runner dies, however it dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # the runner died before prctl took effect
        os._exit(1)


def _worker_main(conn, lock, root: str, outputs: str, parent_pid: int) -> None:
    """A worker process: warm a kernel, then run the scenarios the runner sends until it sends None."""
    _die_with_parent(parent_pid)
    # The runner decides what Ctrl-C does. Blocked, not just ignored: nbclient installs its own SIGINT
    # handler around every notebook and restores Python's KeyboardInterrupt one afterwards.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Everything a worker has to say goes to the runner as a message; stray library logging would only
    # garble the progress bar.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    tmp = Path(outputs) / f"{TMP_PREFIX}{os.getpid()}{TMP_SUFFIX}"
    worker = None
    try:
        tmp.mkdir(exist_ok=True)
        t = time.perf_counter()
        worker = _Worker(Path(root), Path(outputs), tmp, lock)
        error = ""
        try:
            worker.kernel.launch()  # the kernel boots while this process imports papermill and nbconvert
        except Exception as exc:  # noqa: BLE001 (each scenario will say so)
            error = f"{type(exc).__name__}: {exc}"
        import nbformat
        import openpyxl  # noqa: F401 (the xlsx export, imported once per worker)
        import papermill  # noqa: F401 (imported once per worker)

        _report.to_html(nbformat.v4.new_notebook(), title="warm-up")  # nbconvert, its templates, once

        imports = time.perf_counter() - t
        t = time.perf_counter()
        try:
            if not error:
                worker.kernel.connect()
        except Exception as exc:  # noqa: BLE001
            error = f"{type(exc).__name__}: {exc}"
        conn.send(("ready", worker.kernel.pid, {"imports_s": imports, "kernel_start_s": time.perf_counter() - t},
                   error))
        while True:
            task = conn.recv()
            if task is None:
                break
            outcome = worker.run(task)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # nbclient restores the default after each run
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            conn.send(("done", outcome, worker.kernel.pid))
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        if worker is not None:
            worker.kernel.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# The runner.


class _Interrupted(Exception):
    pass


@dataclass
class _Proc:
    process: object
    conn: object
    lock: object
    kernel_pid: int | None = None
    task: Path | None = None
    stopping: bool = False


class _Pool:
    """Worker processes fed one scenario at a time over a pipe each."""

    def __init__(self, jobs: int, root: Path, outputs: Path):
        import multiprocessing

        self.ctx = multiprocessing.get_context("fork")
        self.root, self.outputs = root, outputs
        self.procs: list[_Proc] = [self._spawn() for _ in range(jobs)]
        self.startup: list[dict] = []
        self.cut_short: list[Path] = []

    def _spawn(self) -> _Proc:
        parent, child = self.ctx.Pipe()
        lock = self.ctx.Lock()
        process = self.ctx.Process(target=_worker_main, args=(child, lock, str(self.root), str(self.outputs),
                                                              os.getpid()), daemon=True)
        process.start()
        child.close()
        return _Proc(process, parent, lock)

    def run(self, pending: list[Path], on_outcome, stop) -> list[Path]:
        """Run every pending scenario; call ``on_outcome`` for each; return what never finished when
        ``stop()`` became true."""
        from multiprocessing.connection import wait

        queue = list(pending)
        while queue or any(p.task is not None for p in self.procs):
            if stop():
                raise _Interrupted
            live = [p for p in self.procs if not p.stopping or p.task is not None]
            if not live:
                break
            for conn in wait([p.conn for p in live], timeout=0.2):
                proc = next(p for p in live if p.conn is conn)
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    message = ("died",)
                if message[0] == "died":
                    if proc.task is not None and stop():
                        self.cut_short.append(proc.task)
                        proc.task = None
                    if proc.task is not None:
                        on_outcome(Outcome(_scenario_name(proc.task), False, 0.0,
                                           f"{_scenario_name(proc.task)}: the worker process died"))
                        proc.task = None
                    self.procs.remove(proc)
                    _kill(proc)
                    if queue:
                        self.procs.append(self._spawn())
                    continue
                if message[0] == "ready":
                    proc.kernel_pid = message[1]
                    self.startup.append(message[2])
                elif message[0] == "done":
                    task, proc.task = proc.task, None
                    proc.kernel_pid = message[2]
                    if stop() and not message[1].ok:
                        self.cut_short.append(task)  # Ctrl-C reached the worker's kernel: not a failure
                    else:
                        on_outcome(message[1])
                if stop():
                    raise _Interrupted
                try:
                    if queue:
                        proc.task = queue.pop(0)
                        proc.conn.send(str(proc.task))
                    else:
                        proc.stopping = True
                        proc.conn.send(None)
                except OSError:  # the worker is gone: its task goes back to the queue, a new worker takes over
                    if proc.task is not None:
                        queue.insert(0, proc.task)
                        proc.task = None
                    self.procs.remove(proc)
                    _kill(proc)
                    if queue:
                        self.procs.append(self._spawn())
        return []

    def running(self) -> list[Path]:
        return [p.task for p in self.procs if p.task is not None]

    def close(self) -> None:
        for proc in self.procs:
            if not proc.stopping:
                try:
                    proc.conn.send(None)
                except OSError:
                    pass
        for proc in self.procs:
            proc.process.join(timeout=10)
            if proc.process.is_alive():
                _kill(proc)

    def kill(self) -> None:
        """Stop now: wait (briefly) for report sets being replaced, then kill workers and kernels."""
        for proc in self.procs:
            proc.lock.acquire(timeout=2.0)  # held while a worker moves a report set into place
            _kill(proc)
        for proc in self.procs:
            proc.process.join(timeout=2.0)
            shutil.rmtree(self.outputs / f"{TMP_PREFIX}{proc.process.pid}{TMP_SUFFIX}", ignore_errors=True)


def _kill(proc: _Proc) -> None:
    for pid, group in ((proc.kernel_pid, True), (proc.process.pid, False)):
        if not pid:
            continue
        try:
            os.killpg(pid, signal.SIGKILL) if group else os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _weight(path: Path) -> float:
    """Longest first, so the last report does not start alone: the TCO notebook is the slowest."""
    return ({"tco": 3.0, "build_vs_buy": 2.0, "capex_opex": 1.5}.get(path.parent.name, 1.0), path.stat().st_size)


def run(paths: list[str] | None = None, outputs_dir: str | None = None, jobs: int | None = None,
        progress: bool = True, stream=None, root: Path | None = None, profile: bool = False) -> int:
    """Validate, execute and write reports; return the exit code (0 when every scenario succeeded, 1 when
    any failed or was invalid, 2 when nothing could run, 130/143 when interrupted).

    ``root`` is the project folder (with ``params/`` and ``notebooks/``); by default it is found from the
    current folder.
    """
    stream = stream or sys.stderr
    signals = {"got": None}

    def on_signal(signum, frame):
        signals["got"] = signum

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, on_signal)
        except ValueError:  # not the main thread: no signal handling
            pass
    try:
        return _run(paths, outputs_dir, jobs, progress, stream, root, profile, signals)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(paths, outputs_dir, jobs, progress, stream, root, profile, signals) -> int:
    started = time.perf_counter()
    try:
        root = Path(root) if root else _params.project_root()
    except ScenarioError as exc:
        print(f"costbook run: {exc}", file=stream)
        return 2
    given = outputs_dir or str(root / "outputs")
    outputs = Path(given).absolute()
    files, path_errors = discover(root, paths)
    for line in path_errors:
        print(f"INVALID {line}", file=stream)
    if not files:
        print("costbook run: no scenario files found", file=stream)
        return 2
    valid, errors = validate_all(files, root)
    for line in errors:
        print(f"INVALID {line}", file=stream)
    if not valid:  # nothing to run: outputs/ is left exactly as it was
        print(f"costbook run: 0 reports written, 0 failed, {len(files) + len(path_errors)} invalid; "
              "nothing was run", file=stream)
        return 1
    problem = check_outputs(outputs, [p.parent.name for p in valid], given)
    if problem:
        print(f"costbook run: {problem}", file=stream)
        return 2
    if signals["got"]:
        print("costbook run: interrupted before any scenario ran", file=stream)
        return 128 + signals["got"]
    clean_leftovers(outputs)

    outcomes: list[Outcome] = []
    not_run: list[Path] = []
    interrupted_running: list[Path] = []
    startup: list[dict] = []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(valid))) if valid else 1
    if valid:
        pending = sorted(valid, key=_weight, reverse=True)
        pool = _Pool(jobs, root, outputs)
        from tqdm import tqdm

        bar = tqdm(total=len(valid), desc="costbook run", unit="report", file=stream, disable=not progress)
        done: set[str] = set()

        def on_outcome(outcome: Outcome) -> None:
            outcomes.append(outcome)
            done.add(outcome.scenario)
            bar.set_postfix_str(outcome.scenario, refresh=False)
            bar.update(1)
            if not outcome.ok:
                bar.write(f"FAILED {outcome.message}", file=stream)

        try:
            pool.run(pending, on_outcome, lambda: signals["got"] is not None)
            pool.close()
        except _Interrupted:
            interrupted_running = pool.cut_short + pool.running()
            pool.kill()
            not_run = [p for p in pending if _scenario_name(p) not in done and p not in interrupted_running]
        except BaseException:
            pool.kill()  # never leave workers or kernels behind, whatever went wrong
            raise
        finally:
            startup = pool.startup
            bar.close()
    interrupted = signals["got"] is not None and (interrupted_running or not_run)
    for path in interrupted_running:
        print(f"NOT RUN {_scenario_name(path)}: interrupted while running; its previous report is unchanged",
              file=stream)
    for path in not_run:
        print(f"NOT RUN {_scenario_name(path)}: interrupted before it started", file=stream)
    if not interrupted:
        for name in remove_deleted(outputs, root):
            print(f"REMOVED {name}: its params file no longer exists", file=stream)
    index = None
    try:
        if outputs.is_dir():
            index = _report.write_index(outputs, skipped=lambda line: print(line, file=stream))
    except OSError as exc:
        print(f"costbook run: cannot write {outputs / 'index.html'}: {exc.strerror or exc}", file=stream)
        errors.append("index")
    clean_leftovers(outputs)
    ok = sum(o.ok for o in outcomes)
    failed = len(outcomes) - ok
    invalid = len(files) - len(valid) + len(path_errors)
    summary = (f"costbook run: {ok} reports written, {failed} failed, {invalid} invalid"
               + (f", {len(interrupted_running) + len(not_run)} not run (interrupted)" if interrupted else "")
               + (f"; index: {_params.display_path(index, root)}" if index else ""))
    print(summary, file=stream)
    if profile:
        print_profile(outcomes, startup, time.perf_counter() - started, jobs, stream)
    if interrupted:
        return 128 + signals["got"]
    return 0 if failed == 0 and not errors and not path_errors else 1


def print_profile(outcomes: list[Outcome], startup: list[dict], wall: float, jobs: int, stream) -> None:
    """The per-report breakdown of worker time (``costbook run --profile``)."""
    import statistics

    ok = [o for o in outcomes if o.ok]
    if not ok:
        return
    print(f"profile: {len(ok)} reports, {jobs} workers, {wall:.1f} s wall", file=stream)
    for key, label in (("execute_s", "execute notebook (warm kernel, clean namespace)"),
                       ("html_s", "HTML export"), ("export_s", "PNG, xlsx and Markdown exports"),
                       ("write_s", "write report set")):
        values = [o.timings.get(key, 0.0) for o in ok]
        print(f"profile:   {label:<50} median {statistics.median(values):6.2f} s   total {sum(values):6.1f} s",
              file=stream)
    total = [o.seconds for o in ok]
    print(f"profile:   {'per report, all steps':<50} median {statistics.median(total):6.2f} s   total "
          f"{sum(total):6.1f} s", file=stream)
    for key, label in (("imports_s", "kernel launch, worker imports, HTML exporter"),
                       ("kernel_start_s", "kernel ready, stack imported, chart warm-up")):
        values = [s.get(key, 0.0) for s in startup]
        if values:
            print(f"profile:   {label:<50} once   {statistics.median(values):6.2f} s per worker", file=stream)


def index(outputs_dir: str | None = None, stream=None, root: Path | None = None) -> int:
    """Rewrite ``outputs/index.html`` from the reports already written (``costbook index``); return the exit
    code: 0 written (a file that is not a report is one ``SKIPPED`` line and left out), 2 when the folder
    cannot hold the index (the same checks as ``costbook run``: missing, a file, not writable)."""
    stream = stream or sys.stderr
    try:  # the project is only needed to find its outputs/
        given = outputs_dir or str((Path(root) if root else _params.project_root()) / "outputs")
    except ScenarioError as exc:
        print(f"costbook index: {exc}", file=stream)
        return 2
    outputs = Path(given).absolute()
    if not outputs.exists():
        print(f"costbook index: {given}: expected the folder of reports (costbook run writes it); it does not "
              "exist", file=stream)
        return 2
    problem = check_outputs(outputs, [], given)
    if problem:
        print(f"costbook index: {problem}", file=stream)
        return 2
    try:
        written = _report.write_index(outputs, skipped=lambda line: print(line, file=stream))
    except OSError as exc:
        print(f"costbook index: cannot write {outputs / 'index.html'}: {exc.strerror or exc}", file=stream)
        return 2
    print(written)
    return 0


def validate(paths: list[str] | None = None, stream=None, root: Path | None = None) -> int:
    """Validate scenario files without starting a kernel; return the exit code."""
    stream = stream or sys.stderr
    root = Path(root) if root else _params.project_root()
    files, path_errors = discover(root, paths)
    valid, errors = validate_all(files, root)
    for line in path_errors + errors:
        print(line, file=stream)
    print(f"costbook validate: {len(valid)} valid, {len(files) - len(valid) + len(path_errors)} invalid",
          file=stream)
    return 0 if not errors and not path_errors and files else 1
