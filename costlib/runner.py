"""The batch runner: validate scenarios, execute their notebooks with papermill, write the reports.

``costbook run`` does, for every scenario ``params/<topic>/<name>.yaml``:

1. validate it against its workbook's schema (no kernel is started for an invalid file);
2. execute ``notebooks/NN_<topic>.ipynb`` with papermill, the file's values as parameters plus
   ``interactive=False`` and ``params_file``, in a worker process (one per core);
3. write ``outputs/<topic>/<name>.ipynb``, ``.html`` (no code, offline), ``<name>.<chart>.svg`` for
   each chart and, last, ``.json`` (headline figures and provenance), each atomically;
4. write ``outputs/index.html`` from every report's JSON.

A failing scenario is reported with its name, the failing cell and the error; the others still
complete, its previous report is left as it was, and the exit code is non-zero.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from costlib import params as _params
from costlib import report as _report
from costlib.errors import ScenarioError


@dataclass
class Outcome:
    """What happened to one scenario."""

    scenario: str
    ok: bool
    seconds: float = 0.0
    message: str = ""
    files: list = field(default_factory=list)


def discover(root: Path, paths: list[str] | None = None) -> list[Path]:
    """Scenario files: the given files and folders, or every ``params/<topic>/*.yaml``."""
    if not paths:
        return sorted(p for p in (root / "params").glob("*/*.yaml"))
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(path.glob("*.yaml")) or sorted(path.glob("*/*.yaml"))
        else:
            found.append(path)
    return found


def validate_all(files: list[Path], root: Path) -> tuple[list[Path], list[str]]:
    """Validate every file; return the valid ones and one error line per problem."""
    valid, errors = [], []
    for path in files:
        try:
            _params.notebook_for(_params.topic_of(path), root)
            _params.load(path, root)
            valid.append(path)
        except ScenarioError as exc:
            errors += ScenarioError(_params.display_path(path, root), exc.problems).lines()
    return valid, errors


def _scenario_name(path: Path) -> str:
    return f"{path.resolve().parent.name}/{path.stem}"


def run_one(params_path: str, root: str, outputs_dir: str) -> Outcome:
    """Execute one scenario and write its report files (runs in a worker process)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    path = Path(params_path).resolve()
    root_path = Path(root)
    topic, name = path.parent.name, path.stem
    label = f"{topic}/{name}"
    notebook = _params.notebook_for(topic, root_path)
    # Pass every parameter as validated (file values, pricebook references resolved, schema defaults for
    # keys the file leaves out), so the report shows exactly the scenario `costlib.params.load` sees and no
    # default is taken from the notebook's parameters cell instead.
    values = _params.as_dict(_params.load(path, root_path))
    parameters = {**values, "interactive": False, "params_file": _params.display_path(path, root_path)}
    target_dir = Path(outputs_dir) / topic
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{name}.", dir=target_dir) as tmp:
        executed = Path(tmp) / f"{name}.ipynb"
        try:
            papermill.execute_notebook(str(notebook), str(executed), parameters=parameters,
                                       kernel_name="python3", progress_bar=False, log_output=False,
                                       cwd=str(root_path))
        except PapermillExecutionError as exc:
            error = (exc.evalue or "").strip()
            source = next((line.strip() for line in (exc.source or "").splitlines() if line.strip()), "")
            source = source if len(source) <= 60 else source[:57] + "..."
            return Outcome(label, False, time.perf_counter() - start,
                           f"{label}: failed in cell {exc.cell_index} [{source}]: {exc.ename}: {error}")
        except Exception as exc:  # kernel died, notebook unreadable, ...
            return Outcome(label, False, time.perf_counter() - start,
                           f"{label}: {type(exc).__name__}: {exc}")
        nb = nbformat.read(executed, as_version=4)
        results = _report.extract_results(nb)
        if results is None:
            return Outcome(label, False, time.perf_counter() - start,
                           f"{label}: the notebook published no results (costlib.report.publish)")
        charts = _report.extract_charts(nb)
        title = results.get("title") or label
        html_text = _report.to_html(nb, title=title)
        results["scenario"] = name
        results["provenance"] = _report.provenance(path, results.pop("data_files", None))
        results["charts"] = [f"{name}.{chart}.svg" for chart in charts]
        written = []
        _report.atomic_write(target_dir / f"{name}.ipynb", executed.read_text(encoding="utf-8"))
        written.append(f"{name}.ipynb")
        for chart, svg in charts.items():
            _report.atomic_write(target_dir / f"{name}.{chart}.svg", svg)
            written.append(f"{name}.{chart}.svg")
        _report.atomic_write(target_dir / f"{name}.html", html_text)
        written.append(f"{name}.html")
        _report.atomic_write(target_dir / f"{name}.json", json.dumps(results, indent=2, sort_keys=False))
        written.append(f"{name}.json")
    return Outcome(label, True, time.perf_counter() - start, files=written)


def _safe_run_one(*args) -> Outcome:
    try:
        return run_one(*args)
    except Exception:  # report, never crash the pool
        return Outcome(_scenario_name(Path(args[0])), False, 0.0, traceback.format_exc(limit=3))


def run(paths: list[str] | None = None, outputs_dir: str | None = None, jobs: int | None = None,
        progress: bool = True, stream=None, root: Path | None = None) -> int:
    """Validate, execute and write reports; return the exit code (0 when every scenario succeeded).

    ``root`` is the project folder (with ``params/`` and ``notebooks/``); by default it is found from the
    current folder.
    """
    stream = stream or sys.stderr
    root = Path(root) if root else _params.project_root()
    outputs = Path(outputs_dir) if outputs_dir else root / "outputs"
    files = discover(root, paths)
    if not files:
        print("costbook run: no scenario files found", file=stream)
        return 2
    valid, errors = validate_all(files, root)
    for line in errors:
        print(f"INVALID {line}", file=stream)
    outcomes: list[Outcome] = []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(valid))) if valid else 1
    if valid:
        from tqdm import tqdm

        bar = tqdm(total=len(valid), desc="costbook run", unit="report", file=stream, disable=not progress)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_safe_run_one, str(p), str(root), str(outputs)) for p in valid]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                bar.set_postfix_str(outcome.scenario, refresh=False)
                bar.update(1)
                if not outcome.ok:
                    bar.write(f"FAILED {outcome.message}", file=stream)
        bar.close()
        outputs.mkdir(parents=True, exist_ok=True)
        index = _report.write_index(outputs)
    else:
        index = None
    ok = sum(o.ok for o in outcomes)
    failed = len(outcomes) - ok
    print(f"costbook run: {ok} reports written, {failed} failed, {len(files) - len(valid)} invalid"
          + (f"; index: {_params.display_path(index, root)}" if index else ""), file=stream)
    return 0 if failed == 0 and not errors else 1


def validate(paths: list[str] | None = None, stream=None, root: Path | None = None) -> int:
    """Validate scenario files without starting a kernel; return the exit code."""
    stream = stream or sys.stderr
    root = Path(root) if root else _params.project_root()
    files = discover(root, paths)
    valid, errors = validate_all(files, root)
    for line in errors:
        print(line, file=stream)
    print(f"costbook validate: {len(valid)} valid, {len(files) - len(valid)} invalid", file=stream)
    return 0 if not errors and files else 1
