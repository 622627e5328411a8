"""What changed between two runs or two revisions of ``params/``: a review diff, with verdicts.

``costbook diff OLD NEW``: each side is

- an **outputs folder** of `costbook run` (its ``<topic>/<scenario>.json`` results; the inputs from the
  executed notebook's papermill parameters beside each);
- a **params folder** or a project folder holding one (``.`` is the working tree's ``params/``), or
- a **git revision** (``HEAD~1``, a branch, a tag): its ``params/`` is extracted with ``git archive`` into a
  temporary folder; the work tree and the index are never touched.

A params side is analysed in this process (``analyse`` and the same figure rows and decision records the
runner's results JSON holds, `costlib.report.figure_rows` and `costlib.report.decision_records`), not through
kernels: the figures are the same (``tests/test_diff.py`` checks a runner's outputs against the in-process
analysis of the same files: nothing moves) and a scenario costs its arithmetic, not a kernel start. A
scenario whose file and pricebook are byte for byte the same on both sides is analysed once.

Per scenario it reports the inputs that changed (in words, old -> new), every headline figure that moved
(old, new, change, and whether beyond the relative tolerance ``rtol``), every verdict that flipped, and the
scenarios added and removed; as terminal text (`text`), Markdown fit for a pull-request comment
(`markdown`) and HTML under ``<outputs>/diff/`` linked from the index. Exit 0 when no verdict flipped, 1
when one did, 2 on error.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import io
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from costlib import compare, params as _params, report
from costlib.errors import ScenarioError

__all__ = ["DEFAULT_RTOL", "DiffError", "DiffResult", "Side", "diff", "load_side", "main", "markdown", "text"]

#: A figure counts as moved beyond tolerance when it changes by more than this share of its old value.
DEFAULT_RTOL = 1e-3
#: Changes smaller than this share of the value are float noise, not a move.
NOISE_RTOL = 1e-12


class DiffError(ValueError):
    """A side that cannot be read (one line)."""


@dataclass
class Scenario:
    """One scenario's results on one side: its inputs, figure rows and decision records."""

    topic: str
    name: str
    inputs: dict
    figures: list[dict]
    decisions: list[dict]
    digest: str | None = None

    @property
    def id(self) -> str:
        return f"{self.topic}/{self.name}"


@dataclass
class Side:
    spec: str
    kind: str  # "outputs", "params", "revision"
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# Reading a side.


def _runtime_free(values: Mapping[str, Any]) -> dict:
    return {k: v for k, v in values.items() if k not in _params.RUNTIME_KEYS}


def _from_outputs(folder: Path, spec: str) -> Side:
    side = Side(spec, "outputs")
    for path in sorted(folder.glob("*/*.json")):
        if path.parent.name in report.VIEW_FOLDERS:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            side.errors.append(f"{path}: cannot read its results: {exc}")
            continue
        if not isinstance(data, dict) or "headline" not in data:
            continue
        inputs = {}
        notebook = path.with_suffix(".ipynb")
        if notebook.is_file():
            try:
                nb = json.loads(notebook.read_text(encoding="utf-8"))
                inputs = _runtime_free(nb.get("metadata", {}).get("papermill", {}).get("parameters", {}) or {})
            except (OSError, ValueError):
                inputs = {}
        figures = data.get("figures") or [{"key": k, "label": k, "value": v, "unit": "number", "text": report.fmt(v)}
                                          for k, v in data.get("headline", {}).items()]
        s = Scenario(data.get("topic") or path.parent.name, path.stem, inputs, figures, data.get("decisions") or [])
        side.scenarios[s.id] = s
    return side


def _params_folder(path: Path) -> Path | None:
    """The ``params/`` folder a path names (itself, or its ``params/`` child)."""
    if (path / "params").is_dir():
        return path / "params"
    if path.name == "params" or any(p.is_dir() and list(p.glob("*.yaml")) for p in path.iterdir()):
        return path
    return None


def _digest(path: Path, pricebook: bytes) -> str:
    return hashlib.sha256(path.read_bytes() + b"\0" + pricebook).hexdigest()


def _analysed(path: Path, root: Path, digest: str, cache: dict) -> tuple[list[dict], list[dict], dict]:
    if digest in cache:
        return cache[digest]
    topic = path.parent.name
    workbook = importlib.import_module(f"costlib.workbooks.{topic}")
    scenario = _params.load(path, root=root)
    analysis = workbook.analyse(scenario)
    rows = [{k: r[k] for k in ("key", "label", "value", "unit", "text")} for r in report.figure_rows(workbook, analysis)]
    out = (report._clean(rows), report._clean(report.decision_records(workbook, analysis)), _params.as_dict(scenario))
    cache[digest] = out
    return out


def _from_params(params_dir: Path, spec: str, kind: str, cache: dict) -> Side:
    side = Side(spec, kind)
    root = params_dir.parent
    pricebook = params_dir / "pricebook.yaml"
    book = pricebook.read_bytes() if pricebook.is_file() else b""
    topics = {importlib.import_module(m).TOPIC for m in __import__("costlib.contract", fromlist=["x"]).workbook_modules()}
    for path in sorted(params_dir.glob("*/*.yaml")):
        if path.parent.name not in topics:
            continue
        shown = f"{spec}:{path.relative_to(root)}" if kind == "revision" else _params.display_path(path)
        try:
            digest = _digest(path, book)
            figures, decisions, inputs = _analysed(path, root, digest, cache)
        except ScenarioError as exc:
            side.errors.append(f"INVALID {shown}: {str(exc).splitlines()[0]}")
            continue
        except Exception as exc:  # noqa: BLE001 (one scenario failing never stops the others)
            side.errors.append(f"FAILED {shown}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            continue
        s = Scenario(path.parent.name, path.stem, inputs, figures, decisions, digest)
        side.scenarios[s.id] = s
    return side


def _git(root: Path, *args: str, binary: bool = False):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=not binary, timeout=60)


def _from_revision(spec: str, root: Path, workdir: Path, cache: dict) -> Side:
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if found.returncode != 0:
        raise DiffError(f"{spec}: expected an outputs folder, a params folder or a git revision of this repository")
    commit = found.stdout.strip()
    top = _git(root, "rev-parse", "--show-toplevel").stdout.strip()
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()  # the project inside a larger repository
    archive = _git(Path(top), "archive", "--format=tar", commit, f"{prefix}params", binary=True)
    if archive.returncode != 0:
        raise DiffError(f"{spec}: git archive found no params/ at {commit[:12]}: "
                        f"{archive.stderr.decode(errors='replace').strip().splitlines()[-1:] or ''}")
    target = workdir / re.sub(r"[^A-Za-z0-9_.-]+", "_", spec)
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]  # no links out of the folder
        tar.extractall(target, members=members, filter="data")
    params_dir = target / prefix / "params"
    return _from_params(params_dir, spec, "revision", cache)


def load_side(spec: str, root: Path | None = None, workdir: Path | None = None, cache: dict | None = None) -> Side:
    """Read one side of a diff: an outputs folder, a params (or project) folder, or a git revision."""
    root = Path(root) if root else _params.project_root()
    cache = {} if cache is None else cache
    path = Path(spec)
    if path.is_dir():
        if any(p.is_file() for p in path.glob("*/*.json") if p.parent.name not in report.VIEW_FOLDERS) \
                and not (path / "params").is_dir():
            return _from_outputs(path, spec)
        params_dir = _params_folder(path)
        if params_dir is None:
            raise DiffError(f"{spec}: expected an outputs folder (with <topic>/<scenario>.json) or a params folder")
        return _from_params(params_dir, spec, "params", cache)
    if path.exists():
        raise DiffError(f"{spec}: expected a folder or a git revision, got a file")
    if workdir is None:
        raise DiffError(f"{spec}: a git revision needs a temporary folder")
    return _from_revision(spec, root, workdir, cache)


# ---------------------------------------------------------------------------------------------------
# Comparing the sides.


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


@dataclass
class Change:
    scenario: str
    inputs: list[dict] = field(default_factory=list)  # label, key, old, new (texts)
    figures: list[dict] = field(default_factory=list)  # label, key, old, new, change, rel, beyond
    flipped: list[dict] = field(default_factory=list)  # question, old, new


@dataclass
class DiffResult:
    old: Side
    new: Side
    rtol: float
    changes: list[Change]
    added: list[str]
    removed: list[str]

    @property
    def flipped(self) -> list[tuple[str, dict]]:
        return [(c.scenario, f) for c in self.changes for f in c.flipped]

    @property
    def errors(self) -> list[str]:
        return [f"{self.old.spec}: {e}" if not e.startswith(("INVALID", "FAILED")) else e for e in self.old.errors] + \
               [f"{self.new.spec}: {e}" if not e.startswith(("INVALID", "FAILED")) else e for e in self.new.errors]


def _moved(old, new) -> bool:
    if _number(old) and _number(new):
        return not math.isclose(float(old), float(new), rel_tol=NOISE_RTOL, abs_tol=1e-12)
    return old != new


def diff(old: Side, new: Side, rtol: float = DEFAULT_RTOL) -> DiffResult:
    """Compare two sides scenario by scenario.

    A figure moved when its value changed beyond float noise (``NOISE_RTOL``) or appeared or disappeared;
    it moved *beyond tolerance* when ``|new - old| > rtol x |old|`` (any change of a figure that is not a
    number, or from zero). A verdict flipped when a decision's verdict differs (decisions matched by question,
    else by place, `costlib.compare._match_decisions`).
    """
    changes = []
    for sid in [s for s in old.scenarios if s in new.scenarios]:
        a, b = old.scenarios[sid], new.scenarios[sid]
        change = Change(sid)
        try:
            workbook = importlib.import_module(f"costlib.workbooks.{a.topic}")
        except ImportError:
            workbook = None
        unit_name = b.inputs.get("unit_name") if isinstance(b.inputs.get("unit_name"), str) else None
        fa, fb = compare.flatten(a.inputs), compare.flatten(b.inputs)
        for key in dict.fromkeys([*fa, *fb]):
            va, vb = fa.get(key), fb.get(key)
            if va != vb:
                change.inputs.append({"key": key, "label": compare.input_label(key, workbook, unit_name),
                                      "old": compare.input_text(key, va, workbook, unit_name),
                                      "new": compare.input_text(key, vb, workbook, unit_name)})
        ra, rb = {r["key"]: r for r in a.figures}, {r["key"]: r for r in b.figures}
        for key in dict.fromkeys([*ra, *rb]):
            x, y = ra.get(key), rb.get(key)
            vx, vy = (x or {}).get("value"), (y or {}).get("value")
            if x is not None and y is not None and not _moved(vx, vy):
                continue
            row = {"key": key, "label": (y or x)["label"], "old": x["text"] if x else "n/a",
                   "new": y["text"] if y else "n/a", "change": "", "rel": None, "beyond": True}
            if _number(vx) and _number(vy):
                d = float(vy) - float(vx)
                row["change"] = compare._diff_text(d, (y or x)["unit"], None)
                row["rel"] = d / abs(float(vx)) if float(vx) else None
                row["beyond"] = abs(d) > rtol * abs(float(vx))
            change.figures.append(row)
        for pair in compare._match_decisions([a.decisions, b.decisions]):
            da, db = pair
            if da is None or db is None:
                continue
            if str(da["verdict"]) != str(db["verdict"]):
                change.flipped.append({"question": db["question"], "old": str(da["verdict"]).replace("_", " "),
                                       "new": str(db["verdict"]).replace("_", " ")})
        if change.inputs or change.figures or change.flipped:
            changes.append(change)
    added = [s for s in new.scenarios if s not in old.scenarios]
    removed = [s for s in old.scenarios if s not in new.scenarios]
    return DiffResult(old, new, rtol, changes, added, removed)


# ---------------------------------------------------------------------------------------------------
# Saying it: terminal text, Markdown, HTML.


def _pct(rel) -> str:
    return "" if rel is None else f", {rel:+.2%}"


def summary(r: DiffResult) -> str:
    flips = len(r.flipped)
    return (f"{r.old.spec} -> {r.new.spec}: {len(r.changes)} scenario(s) changed, {flips} verdict(s) flipped, "
            f"{len(r.added)} added, {len(r.removed)} removed (tolerance {r.rtol:.2%})")


def text(r: DiffResult) -> str:
    """The diff as terminal text."""
    lines = [summary(r)]
    for c in r.changes:
        lines.append(f"{c.scenario}")
        for f in c.flipped:
            lines.append(f"  VERDICT FLIPPED  {f['question']}: {f['old']} -> {f['new']}")
        for i in c.inputs:
            lines.append(f"  input   {i['label']} ({i['key']}): {i['old']} -> {i['new']}")
        for f in c.figures:
            mark = "beyond tolerance" if f["beyond"] else "within tolerance"
            lines.append(f"  figure  {f['label']}: {f['old']} -> {f['new']}"
                         + (f" ({f['change']}{_pct(f['rel'])})" if f["change"] else "") + f"; {mark}")
    for s in r.added:
        lines.append(f"added: {s}")
    for s in r.removed:
        lines.append(f"removed: {s}")
    lines += r.errors
    return "\n".join(lines)


def _md(value: Any) -> str:
    return compare._md(value)


def markdown(r: DiffResult) -> str:
    """The diff as Markdown for a pull-request comment; every scenario string escaped."""
    flips = r.flipped
    lines = ["## costbook diff", "", _md(summary(r)), ""]
    if flips:
        lines += [f"**{len(flips)} verdict(s) flipped.**", "", "| scenario | decision | was | now |", "|---|---|---|---|"]
        lines += [f"| {_md(s)} | {_md(f['question'])} | {_md(f['old'])} | **{_md(f['new'])}** |" for s, f in flips]
        lines.append("")
    for c in r.changes:
        lines += [f"### {_md(c.scenario)}", ""]
        if c.inputs:
            lines += ["| input | was | now |", "|---|---|---|"]
            lines += [f"| {_md(i['label'])} | {_md(i['old'])} | {_md(i['new'])} |" for i in c.inputs]
            lines.append("")
        if c.figures:
            lines += [f"| figure | was | now | change | beyond {r.rtol:.2%} |", "|---|---|---|---|---|"]
            lines += [f"| {_md(f['label'])} | {_md(f['old'])} | {_md(f['new'])} | {_md(f['change'] + _pct(f['rel']))} | "
                      f"{'yes' if f['beyond'] else 'no'} |" for f in c.figures]
            lines.append("")
    if r.added or r.removed:
        lines += [f"Added: {', '.join(_md(s) for s in r.added) or 'none'}. "
                  f"Removed: {', '.join(_md(s) for s in r.removed) or 'none'}.", ""]
    if r.errors:
        lines += ["Errors:", ""] + [f"- {_md(e)}" for e in r.errors] + [""]
    return "\n".join(lines)


def page(r: DiffResult) -> str:
    """The diff as a self-contained HTML page."""
    esc = html.escape
    parts = []
    if r.flipped:
        rows = "".join(f"<tr><td>{esc(s)}</td><td>{esc(f['question'])}</td><td>{esc(f['old'])}</td>"
                       f"<td class='flip'>{esc(f['new'])}</td></tr>" for s, f in r.flipped)
        parts.append(f"<h2>Verdicts that flipped</h2><table><tr><th>scenario</th><th>decision</th><th>was</th>"
                     f"<th>now</th></tr>{rows}</table>")
    for c in r.changes:
        parts.append(f"<h2>{esc(c.scenario)}</h2>")
        if c.inputs:
            rows = "".join(f"<tr><td>{esc(i['label'])}<br><code>{esc(i['key'])}</code></td><td class='num'>{esc(i['old'])}</td>"
                           f"<td class='num'>{esc(i['new'])}</td></tr>" for i in c.inputs)
            parts.append(f"<table><tr><th>input</th><th>was</th><th>now</th></tr>{rows}</table>")
        if c.figures:
            rows = "".join(f"<tr><td>{esc(f['label'])}</td><td class='num'>{esc(f['old'])}</td><td class='num'>{esc(f['new'])}</td>"
                           f"<td class='num'>{esc(f['change'] + _pct(f['rel']))}</td>"
                           f"<td>{'beyond' if f['beyond'] else 'within'}</td></tr>" for f in c.figures)
            parts.append(f"<table><tr><th>figure</th><th>was</th><th>now</th><th>change</th>"
                         f"<th>tolerance {r.rtol:.2%}</th></tr>{rows}</table>")
    if r.added or r.removed:
        parts.append(f"<p>Added: {esc(', '.join(r.added) or 'none')}. Removed: {esc(', '.join(r.removed) or 'none')}.</p>")
    if r.errors:
        parts.append("<h2>Errors</h2><ul>" + "".join(f"<li>{esc(e)}</li>" for e in r.errors) + "</ul>")
    title = f"Diff: {r.old.spec} -> {r.new.spec}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 0 auto; padding: 16px 24px; color: #222; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 6px 0 16px 0; }}
td, th {{ padding: 4px 12px 4px 0; border-bottom: 1px solid #e5e5e5; text-align: left; }}
td.num {{ text-align: right; white-space: nowrap; }} td.flip {{ color: #D55E00; font-weight: 600; }}
</style></head><body class="mathjax_ignore">
<h1>{esc(title)}</h1>
<p>{esc(summary(r))}</p>
{''.join(parts) or '<p>Nothing changed.</p>'}
</body></html>
"""


def _safe(name: str) -> str:
    return "worktree" if name in (".", "./") else re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:40] or "side"


def write(r: DiffResult, outputs_dir: str | Path) -> Path:
    folder = Path(outputs_dir) / "diff"
    name = f"{_safe(r.old.spec)}_vs_{_safe(r.new.spec)}"
    target = folder / f"{name}.html"
    report.atomic_write(target, page(r))
    return target


def main(old: str, new: str, rtol: float | None = None, markdown_file: str | None = None,
         outputs_dir: str | None = None, stream=None, out=None, markdown: str | None = None) -> int:
    """``costbook diff``: 0 when no verdict flipped, 1 when one did, 2 on error."""
    stream, out = stream or sys.stderr, out or sys.stdout
    markdown_file = markdown_file or markdown
    rtol = DEFAULT_RTOL if rtol is None else rtol
    if not (math.isfinite(rtol) and rtol >= 0):
        print(f"costbook diff: --rtol {rtol}: expected a relative tolerance >= 0 (0.001 for 0.1%)", file=stream)
        return 2
    try:
        root = _params.project_root()
    except ScenarioError:
        root = Path.cwd()
    try:
        with tempfile.TemporaryDirectory(prefix="costbook-diff-") as tmp:
            cache: dict = {}
            a = load_side(old, root, Path(tmp), cache)
            b = load_side(new, root, Path(tmp), cache)
        result = diff(a, b, rtol)
        print(text(result), file=out)
        if markdown_file:
            report.atomic_write(markdown_file, _markdown(result))
        target = report.publish_page(lambda folder: write(result, folder), outputs_dir, root)
        print(f"costbook diff: {target}", file=out)
    except (DiffError, OSError) as exc:
        print(report.command_error("diff", exc), file=stream)
        return 2
    if result.new.errors or not result.new.scenarios:  # a new side that does not all run fails the gate
        return 2
    return 1 if result.flipped else 0


_markdown = markdown
