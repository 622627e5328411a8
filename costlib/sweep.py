"""One- and two-input sweeps of a scenario through its workbook's model: Excel's Data Table, with verdicts.

``costbook sweep SCENARIO --vary KEY=LOW:HIGH:N [--vary KEY2=LOW:HIGH:N]`` evaluates a grid of one or two
numeric inputs in one warm process, never a kernel per point:

- an input is either a **model input** (the names the report's tornado and flip tables use:
  ``kafka_on_bare_metal.build_months``, ``usage_scale``, ``glide.revenue_growth_rate_per_month``) or a
  **scenario key** (a dotted path into the params file; list items by their ``name`` or index:
  ``options.kafka_on_bare_metal.engineers``, ``loaded_cost_usd_per_fte_per_year``). A model input that is
  also a scenario key is validated as one;
- every point that sets a scenario key is validated by the workbook's schema before any point is computed
  (a bad range is one line naming the key, the value and what was expected);
- each point's figures come from the workbook's ``whatif`` (the contract's fast recompute, 0.2-4 ms), or,
  for a model input its ``whatif`` does not take (`costlib.contract.whatif_key` is None), from the answer's
  own model; a figure ``whatif`` does not give (``--figure``) is read from ``analyse`` at each point (slow:
  the whole analysis, Monte Carlo included);
- each point's verdicts come from the shared what-if layer (`costlib.whatif.verdicts`: the workbook's
  ``whatif_decisions`` where it has one, else the deciding figure against its answer's threshold), so a
  sweep's verdict is exactly what the what-if panel would say at those slider values.

`write` renders the table of figures, a verdict map per decision (cells coloured by verdict, the boundary
where it flips drawn between cells) and the figure as a heatmap (two inputs) or as a line (one input), as
Altair SVG in a self-contained HTML page, with the grid as JSON.
"""

from __future__ import annotations

import copy
import html
import importlib
import json
import math
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from costlib import contract, params as _params
from costlib.errors import ScenarioError

__all__ = ["Axis", "SweepError", "SweepInput", "SweepResult", "parse_vary", "resolve_input", "run", "write"]

#: Largest grid per input (a 201 x 201 sweep is 40,401 points).
MAX_POINTS_PER_AXIS = 201


class SweepError(ValueError):
    """A sweep that cannot start: one line naming the input, the value and what was expected."""


@dataclass(frozen=True)
class Axis:
    """One varied input: ``n`` evenly spaced values from ``low`` to ``high`` (both included)."""

    key: str
    low: float
    high: float
    n: int

    @property
    def values(self) -> np.ndarray:
        """The grid, ``numpy.linspace(low, high, n)``.

        >>> Axis("x", 0.0, 1.0, 5).values.tolist()
        [0.0, 0.25, 0.5, 0.75, 1.0]
        """
        return np.linspace(self.low, self.high, self.n)

    @property
    def step(self) -> float:
        return (self.high - self.low) / (self.n - 1)


def parse_vary(text: str) -> Axis:
    """``KEY=LOW:HIGH:N`` as an `Axis`; `SweepError` with one line when it is malformed.

    Examples
    --------
    >>> parse_vary("options.kafka.engineers=1:8:8")
    Axis(key='options.kafka.engineers', low=1.0, high=8.0, n=8)
    >>> parse_vary("volume_units_per_month=1e6:5e6:21").high
    5000000.0
    >>> parse_vary("x=5:1:3")
    Traceback (most recent call last):
    ...
    costlib.sweep.SweepError: --vary 'x=5:1:3': expected LOW < HIGH, got 5 and 1
    """
    key, eq, spec = str(text).partition("=")
    parts = spec.split(":")
    if not eq or not key.strip() or len(parts) != 3:
        raise SweepError(f"--vary {text!r}: expected KEY=LOW:HIGH:N (for example volume_units_per_month=1e6:5e6:21)")
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise SweepError(f"--vary {text!r}: expected LOW and HIGH to be numbers, got {parts[0]!r} and {parts[1]!r}") from None
    try:
        n = int(parts[2])
    except ValueError:
        raise SweepError(f"--vary {text!r}: expected N to be a whole number of points, got {parts[2]!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise SweepError(f"--vary {text!r}: expected finite LOW and HIGH")
    if not low < high:
        raise SweepError(f"--vary {text!r}: expected LOW < HIGH, got {low:g} and {high:g}")
    if not 2 <= n <= MAX_POINTS_PER_AXIS:
        raise SweepError(f"--vary {text!r}: expected N between 2 and {MAX_POINTS_PER_AXIS}, got {n}")
    return Axis(key.strip(), low, high, n)


# ---------------------------------------------------------------------------------------------------
# What a key names.


@dataclass(frozen=True)
class SweepInput:
    """A resolved input: a model input of some answers (and the ``whatif`` keyword for it), a scenario path,
    or both."""

    key: str
    answers: tuple[tuple[str, str], ...] = ()  # (answer name, model input) it feeds
    whatif_key: str | None = None
    path: tuple | None = None  # into the validated scenario (`costlib.params.as_dict`)
    base: float | None = None

    @property
    def kind(self) -> str:
        return "model input" if self.answers else "scenario key"


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _find_path(node, segments: Sequence[str]) -> tuple | None:
    """The path to a numeric leaf in a scenario's plain data; list items by index or by their ``name``;
    a segment that names an item of a list (``kafka`` in ``kafka.engineers``) finds it in that list, and so
    do an option and a line name (``cassandra.cassandra_nodes`` in a list of lines with ``option`` and
    ``name``) and a name glued to its field (``compute_usd_per_month``).

    >>> data = {"options": [{"name": "kafka", "engineers": 4}], "lines": [{"option": "kafka", "name": "nodes", "saving": 0.3}]}
    >>> _find_path(data, ["kafka", "engineers"]), _find_path(data, ["kafka", "nodes", "saving"])
    (('options', 0, 'engineers'), ('lines', 0, 'saving'))
    >>> _find_path(data, ["options", "kafka", "engineers"]), _find_path(data, ["kafka", "hours"]) is None
    (('options', 0, 'engineers'), True)
    """
    if not segments:
        return () if _is_number(node) else None
    seg, rest = segments[0], segments[1:]
    if isinstance(node, dict):
        if seg in node:
            sub = _find_path(node[seg], rest)
            if sub is not None:
                return (seg, *sub)
        for k, v in node.items():  # "kafka.engineers" -> options[name == kafka].engineers
            if isinstance(v, list):
                named = [i for i, item in enumerate(v) if isinstance(item, dict) and item.get("name") == seg]
                if len(named) == 1:
                    sub = _find_path(v[named[0]], rest)
                    if sub is not None:
                        return (k, named[0], *sub)
                owned = [i for i, item in enumerate(v) if isinstance(item, dict) and rest and item.get("option") == seg
                         and item.get("name") == rest[0]]
                if len(owned) == 1:  # "cassandra.cassandra_nodes.saving" -> lines[option, name].saving
                    sub = _find_path(v[owned[0]], rest[1:])
                    if sub is not None:
                        return (k, owned[0], *sub)
                for i, item in enumerate(v):  # "compute_usd_per_month" -> components[name == compute].usd_per_month
                    name = item.get("name") if isinstance(item, dict) else None
                    if isinstance(name, str) and seg.startswith(name + "_"):
                        sub = _find_path(item, [seg[len(name) + 1:], *rest])
                        if sub is not None:
                            return (k, i, *sub)
        return None
    if isinstance(node, list):
        if seg.isdigit() and int(seg) < len(node):
            sub = _find_path(node[int(seg)], rest)
            return None if sub is None else (int(seg), *sub)
        named = [i for i, item in enumerate(node) if isinstance(item, dict) and item.get("name") == seg]
        if len(named) == 1:
            sub = _find_path(node[named[0]], rest)
            return None if sub is None else (named[0], *sub)
    return None


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _set(data, path, value):
    for p in path[:-1]:
        data = data[p]
    data[path[-1]] = value


def model_inputs(workbook, analysis) -> dict[str, list[tuple[str, str]]]:
    """Every name a sweep accepts for a model input: ``{name: [(answer, input), ...]}``; an input is known by
    its own name, as ``<answer>.<input>``, and by the keyword ``whatif`` takes for it."""
    names: dict[str, list[tuple[str, str]]] = {}
    for answer in (getattr(analysis, "answers", {}) or {}).values():
        for inp, value in answer.base.items():
            if not _is_number(value) and not isinstance(value, np.floating):
                continue
            for name in {inp, f"{answer.name}.{inp}", f"{answer.name}__{inp}",
                         contract.whatif_key(workbook, answer.name, inp) or inp}:
                names.setdefault(name, [])
                if (answer.name, inp) not in names[name]:
                    names[name].append((answer.name, inp))
    return names


def resolve_input(workbook, scenario, analysis, key: str) -> SweepInput:
    """What ``key`` names: a model input of the analysis's answers, a numeric scenario key, or both;
    `SweepError` naming the known inputs when it is neither."""
    data = _params.as_dict(scenario)
    known = model_inputs(workbook, analysis)
    path = _find_path(data, key.replace("__", ".").split("."))
    if key in known:
        feeds = known[key]
        keys = {contract.whatif_key(workbook, a, i) for a, i in feeds}
        wk = keys.pop() if len(keys) == 1 else None
        answers = getattr(analysis, "answers", {})
        base = float(answers[feeds[0][0]].base[feeds[0][1]])
        if path is None:  # the input's own name inside its answer's section ("own_vs_rent.cloud_units")
            path = _find_path(data, f"{feeds[0][0]}.{feeds[0][1]}".split("."))
        if path is not None and not math.isclose(float(_get(data, path)), base, rel_tol=1e-9, abs_tol=1e-12):
            path = None  # a same-named scenario key that is not this model input's value
        return SweepInput(key, tuple(feeds), wk, path, base)
    if path is not None:
        return SweepInput(key, (), None, path, float(_get(data, path)))
    inputs = sorted({i for feeds in known.values() for _, i in feeds})
    raise SweepError(f"--vary {key}: expected a numeric key of the scenario (a dotted path, list items by name) or a "
                     f"model input of the workbook; model inputs: {', '.join(inputs[:30])}"
                     + (" ..." if len(inputs) > 30 else ""))


# ---------------------------------------------------------------------------------------------------
# The grid.


@dataclass
class SweepResult:
    """A computed sweep: one row per grid point."""

    workbook: Any
    scenario: Any
    analysis: Any
    axes: list[Axis]
    inputs: list[SweepInput]
    figures: list[str]  # headline keys in the table
    questions: list[str]  # decisions, in order
    frame: pd.DataFrame  # axis keys, figure keys, "verdict: <question>" columns
    base_verdicts: dict = field(default_factory=dict)
    source: str = ""
    seconds: float = 0.0
    used_analyse: bool = False

    def verdict_column(self, question: str) -> str:
        return f"verdict: {question}"

    def tie_column(self, question: str) -> str:
        """The column saying on which side of its answer's threshold the deciding figure is (``above``,
        ``below``, ``at``): the comparison the report's flip table solves for. It differs from the verdict
        where the verdict rests on a rule beyond that one threshold (`whatif_decisions`)."""
        return f"tie: {question}"

    def changing_questions(self) -> list[str]:
        """The decisions whose verdict is not the same at every point."""
        return [q for q in self.questions if self.frame[self.verdict_column(q)].nunique() > 1]

    def boundaries(self, question: str, column: str | None = None) -> list[tuple[float, float, float, float]]:
        """Segments ``(x0, x1, y0, y1)`` between neighbouring cells whose verdicts differ: the flip boundary.

        One input: vertical segments at the midpoint between two neighbouring points (``y`` spans 0 to 1);
        two inputs: the cell edges between neighbours (cells centred on the grid points)."""
        col = column or self.verdict_column(question)
        ax = self.axes
        xs = ax[0].values
        if len(ax) == 1:
            v = self.frame[col].tolist()
            return [((xs[i] + xs[i + 1]) / 2, (xs[i] + xs[i + 1]) / 2, 0.0, 1.0) for i in range(len(xs) - 1)
                    if v[i] != v[i + 1]]
        ys = ax[1].values
        grid = self.frame[col].to_numpy().reshape(len(xs), len(ys))
        hx, hy = ax[0].step / 2, ax[1].step / 2
        out = []
        for i in range(len(xs)):
            for j in range(len(ys)):
                if i + 1 < len(xs) and grid[i, j] != grid[i + 1, j]:
                    x = (xs[i] + xs[i + 1]) / 2
                    out.append((x, x, ys[j] - hy, ys[j] + hy))
                if j + 1 < len(ys) and grid[i, j] != grid[i, j + 1]:
                    y = (ys[j] + ys[j + 1]) / 2
                    out.append((xs[i] - hx, xs[i] + hx, y, y))
        return out

    def flips_along(self, question: str, axis: int = 0, at: Mapping[str, float] | None = None,
                    column: str | None = None) -> list[tuple[float, float]]:
        """``(a, b)`` pairs of neighbouring values of input ``axis`` between which the verdict changes, with the
        other input at the grid value nearest ``at`` (default: its first value)."""
        col = column or self.verdict_column(question)
        frame = self.frame
        if len(self.axes) == 2:
            other = self.axes[1 - axis]
            want = (at or {}).get(other.key, other.values[0])
            nearest = other.values[int(np.argmin(np.abs(other.values - want)))]
            frame = frame[np.isclose(frame[other.key], nearest)]
        frame = frame.sort_values(self.axes[axis].key)
        x, v = frame[self.axes[axis].key].to_numpy(), frame[col].tolist()
        return [(float(x[i]), float(x[i + 1])) for i in range(len(x) - 1) if v[i] != v[i + 1]]


class _Verdicts:
    """Each decision's verdict at what-if figures, by the rule of `costlib.whatif.verdicts` (the workbook's
    ``whatif_decisions`` for its first decisions, else the deciding figure against its answer's threshold),
    with what does not change between points computed once. ``tests/test_sweep.py`` checks it against
    `costlib.whatif.verdicts`."""

    def __init__(self, workbook, analysis, base_decisions):
        self.workbook, self.analysis, self.base = workbook, analysis, list(base_decisions)
        self.hook = getattr(workbook, "whatif_decisions", None)
        self.targets = {a.figure: a.target for a in (getattr(analysis, "answers", {}) or {}).values()}

    def sides(self, figures: Mapping[str, Any]) -> list[str | None]:
        """For each decision, the deciding figure's side of its answer's threshold (None without one)."""
        out = []
        for d in self.base:
            key = d.rests_on[0] if d.rests_on else None
            now = figures.get(key)
            if key not in self.targets or not _finite(now):
                out.append(None)
                continue
            s = _sign(float(now) - self.targets[key])
            out.append("above" if s > 0 else "below" if s < 0 else "at")
        return out

    def __call__(self, figures: Mapping[str, Any]) -> list[str]:
        recomputed = (self.hook(self.analysis.params, figures) if self.hook is not None else None) or []
        out = [d.verdict.replace("_", " ") for d, _ in recomputed[: len(self.base)]]
        for d in self.base[len(out):]:
            verdict = d.verdict.replace("_", " ")
            key = d.rests_on[0] if d.rests_on else None
            base, now = self.analysis.headline.get(key), figures.get(key)
            if key not in figures or key not in self.targets or not _finite(base) or not _finite(now):
                out.append(verdict)
                continue
            target = self.targets[key]
            side_now, side_base = _sign(float(now) - target), _sign(float(base) - target)
            out.append(f"no longer {verdict}" if side_now != side_base and side_now != 0 else verdict)
        return out


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _finite(x) -> bool:
    return _is_number(x) and math.isfinite(float(x))


def verdict_labels(workbook, analysis, figures: Mapping[str, Any]) -> list[str]:
    """The verdict words `costlib.whatif.verdicts` gives at ``figures``, one per decision: the verdict, or
    ``"no longer <verdict>"`` (the what-if panel's words) where the comparison it rests on has reversed."""
    from costlib import whatif

    base = workbook.decisions(analysis)
    out = []
    for b, v in zip(base, whatif.verdicts(workbook, analysis, figures)):
        verdict = str(v["verdict"]).replace("_", " ")
        out.append(f"no longer {verdict}" if v["flipped"] and v["verdict"] == b.verdict else verdict)
    return out


def _validator(workbook, scenario, source: str):
    """``check(data) -> Params``: the workbook's schema on one point, with the project's naming rules; a
    `ScenarioError` with the project's one-line messages when the point is invalid."""
    from pydantic import ValidationError

    schema = type(scenario)

    def check(data: dict):
        try:
            point = schema.model_validate(data)
        except ValidationError:
            _params.validate(workbook.TOPIC, data, source=source)  # raises with the one-line messages
            raise  # pragma: no cover (validate raises whenever the schema does)
        problems = _params._number_problems(data) + _params._convention_problems(point.model_dump())
        if problems:
            raise ScenarioError(source, problems)
        return point

    return check


def run(workbook, scenario, axes: Sequence[Axis], analysis=None, figures: Sequence[str] | None = None,
        progress: bool = False, source: str = "", stream=None) -> SweepResult:
    """Evaluate the grid of ``axes`` (one or two) for ``scenario`` in this process.

    Parameters
    ----------
    workbook : module
        The workbook module (`costlib.workbooks`).
    scenario : costlib.params.Schema
        The validated scenario.
    axes : sequence of Axis
        One or two inputs with their grids.
    analysis : optional
        ``workbook.analyse(scenario)``, if already computed (its decisions give the base verdicts).
    figures : sequence of str, optional
        Headline keys for the table; default: every figure ``whatif`` recomputes (the headline figures the
        decisions rest on). A figure ``whatif`` does not give is read from ``analyse`` at every point.
    progress : bool
        Show a progress bar (tqdm) on ``stream`` (default stderr).

    Returns
    -------
    SweepResult

    Notes
    -----
    The grid is the outer product of ``Axis.values``, the first input varying slowest. For a model input the
    other inputs stay at their base values, as in the report's one-at-a-time flip table, so a flip point
    there lies on this sweep's verdict boundary.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    if not 1 <= len(axes) <= 2:
        raise SweepError(f"expected one or two --vary inputs, got {len(axes)}")
    if len({a.key for a in axes}) != len(axes):
        raise SweepError(f"--vary {axes[0].key}: the same input is varied twice")
    analysis = analysis if analysis is not None else workbook.analyse(scenario)
    inputs = [resolve_input(workbook, scenario, analysis, a.key) for a in axes]
    by_model = [i for i in inputs if i.answers and i.whatif_key is None]
    if by_model and any(not i.answers for i in inputs):
        raise SweepError(f"--vary {by_model[0].key}: this workbook's whatif does not take it, so it cannot be "
                         "combined with a scenario key; vary it with another model input or alone")
    base_figures = dict(workbook.whatif(scenario))
    answers = getattr(analysis, "answers", {}) or {}
    for i in by_model:
        for name, _ in i.answers:
            base_figures.setdefault(answers[name].figure, answers[name].model(**answers[name].base))
    chosen = list(figures) if figures else list(base_figures)
    use_analyse = any(f not in base_figures for f in chosen)
    if use_analyse:
        unknown = [f for f in chosen if f not in analysis.headline]
        if unknown:
            raise SweepError(f"--figure {unknown[0]}: expected a headline figure of this scenario: "
                             f"{', '.join(analysis.headline)}")
        if any(i.answers and i.path is None for i in inputs):
            bad = next(i for i in inputs if i.answers and i.path is None)
            raise SweepError(f"--figure {next(f for f in chosen if f not in base_figures)}: only analyse gives it, "
                             f"and analyse takes scenario keys; {bad.key} is a model input, not a scenario key")
    base_decisions = workbook.decisions(analysis)
    verdicts_at = _Verdicts(workbook, analysis, base_decisions)
    questions = [d.question for d in base_decisions]

    # every point validated before any is computed
    data0 = _params.as_dict(scenario)
    check = _validator(workbook, scenario, source or "scenario")
    grid = [dict(zip([a.key for a in axes], combo)) for combo in
            (np.array(np.meshgrid(*[a.values for a in axes], indexing="ij")).reshape(len(axes), -1).T)]
    points = []
    for values in grid:
        p = scenario
        if any(i.path is not None for i in inputs):
            data = copy.deepcopy(data0)
            for i in inputs:
                if i.path is not None:
                    current = _get(data, i.path)
                    v = float(values[i.key])
                    if isinstance(current, int) and (float(v).is_integer() or i.answers):
                        v = int(round(v))  # a model input is continuous; the scenario's key holds whole numbers
                    _set(data, i.path, v)
            try:
                p = check(data)
            except ScenarioError as exc:
                where = ", ".join(f"{k} = {v:g}" for k, v in values.items())
                raise SweepError(f"point {where}: {exc.lines()[0]}") from None
        points.append(p)

    def _point(values, p):
        if use_analyse:
            a = workbook.analyse(p)
            return dict(a.headline), [d.verdict.replace("_", " ") for d in workbook.decisions(a)]
        moved = {i.whatif_key: float(values[i.key]) for i in inputs if i.answers and i.whatif_key}
        base_p = scenario if not any(not i.answers for i in inputs) else p
        figs = dict(workbook.whatif(base_p, **moved))
        for i in by_model:
            for name, inp in i.answers:
                ans = answers[name]
                x = {**ans.base, **{j.answers[0][1]: float(values[j.key]) for j in by_model
                                    if any(n == name for n, _ in j.answers)}}
                figs[ans.figure] = float(ans.model(**x))
        return figs, verdicts_at(figs)

    rows = []
    bar = tqdm(total=len(grid), desc="costbook sweep", unit="point", file=stream or sys.stderr, disable=not progress,
               mininterval=0.2)
    try:
        for values, p in zip(grid, points):
            try:
                figs, labels = _point(values, p)
            except ValueError as exc:  # a model's own argument check (ModelError): a value it cannot take
                where = ", ".join(f"{k} = {v:g}" for k, v in values.items())
                raise SweepError(f"point {where}: {str(exc).splitlines()[0]}") from None
            row = dict(values)
            row.update({f: figs.get(f) for f in chosen})
            row.update({f"verdict: {q}": v for q, v in zip(questions, labels)})
            row.update({f"tie: {q}": s for q, s in zip(questions, verdicts_at.sides(figs)) if s is not None})
            rows.append(row)
            bar.update(1)
    finally:
        bar.close()
    frame = pd.DataFrame(rows)
    return SweepResult(workbook, scenario, analysis, list(axes), inputs, chosen, questions, frame,
                       {d.question: d.verdict.replace("_", " ") for d in base_decisions}, source,
                       time.perf_counter() - started, use_analyse)



# ---------------------------------------------------------------------------------------------------
# The report.


def _label(result: SweepResult, key: str) -> str:
    from costlib import whatif

    try:
        return contract.declaration(result.workbook.FIGURES, key).label_for(key)
    except KeyError:
        info = whatif.describe(key, result.workbook.FIGURES, getattr(result.scenario, "unit_name", None))
        words = " ".join(x for x in (info.label, f"({info.per})" if info.per else "") if x)
        return f"{words} · {info.context}" if info.context else words


def _unit(result: SweepResult, key: str) -> str | None:
    try:
        return contract.declaration(result.workbook.FIGURES, key).unit
    except KeyError:
        return None


def _input_text(result: SweepResult, key: str, value: float) -> str:
    from costlib import whatif

    info = whatif.describe(key, result.workbook.FIGURES, getattr(result.scenario, "unit_name", None))
    return whatif.readout(value, info.unit, 0.0)


def _text(result: SweepResult, key: str, value) -> str:
    unit = _unit(result, key)
    horizon = getattr(result.analysis, "horizon_months", None) or getattr(result.scenario, "horizon_months", None)
    return contract.format_value(value, unit, horizon) if unit else str(value)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60] or "input"


def name_of(result: SweepResult) -> str:
    """``<scenario>.<input>[.<input2>]``, the stem of the report's files."""
    stem = Path(result.source).stem if result.source else _safe(getattr(result.scenario, "title", "scenario"))
    return ".".join([_safe(stem)] + [_safe(a.key) for a in result.axes])


def _palette(labels: list[str]) -> tuple[list[str], list[str]]:
    from costlib import charts

    return labels, [charts.PALETTE[i % len(charts.PALETTE)] for i in range(len(labels))]


def chart_verdicts(result: SweepResult, question: str):
    """The verdict map: each cell coloured by its verdict, the flip boundary drawn in black; one input: a
    strip of cells."""
    import altair as alt

    from costlib import charts

    charts.setup()
    col = result.verdict_column(question)
    f = result.frame
    ax = result.axes
    labels = list(dict.fromkeys(f[col]))
    domain, colors = _palette(labels)
    x0 = ax[0]
    cells = pd.DataFrame({"x0": f[x0.key] - x0.step / 2, "x1": f[x0.key] + x0.step / 2, "verdict": f[col]})
    if len(ax) == 2:
        y0 = ax[1]
        cells["y0"], cells["y1"] = f[y0.key] - y0.step / 2, f[y0.key] + y0.step / 2
        y_title = _label(result, y0.key)
    else:
        cells["y0"], cells["y1"] = 0.0, 1.0
        y_title = ""
    seg = pd.DataFrame(result.boundaries(question), columns=["x0", "x1", "y0", "y1"])
    if len(ax) == 1:
        seg["y0"], seg["y1"] = 0.0, 1.0
    xs = alt.Scale(domain=[float(cells["x0"].min()), float(cells["x1"].max())], nice=False, zero=False)
    ys = alt.Scale(domain=[float(cells["y0"].min()), float(cells["y1"].max())], nice=False, zero=False)
    yaxis = alt.Axis(title=y_title) if len(ax) == 2 else alt.Axis(title=None, labels=False, ticks=False)
    title = alt.TitleParams(f"{question}: the verdict over the grid",
                            subtitle=[f"Black: where the verdict flips; at base: {result.base_verdicts.get(question, '')}"])
    rect = alt.Chart(cells, title=title).mark_rect().encode(
        x=alt.X("x0:Q", title=_label(result, x0.key), scale=xs), x2="x1", y=alt.Y("y0:Q", scale=ys, axis=yaxis),
        y2="y1", color=alt.Color("verdict:N", title="verdict", scale=alt.Scale(domain=domain, range=colors)))
    layers = [rect]
    if len(seg):
        layers.append(alt.Chart(seg).mark_rule(color="black", strokeWidth=2.5).encode(
            x="x0:Q", x2="x1", y="y0:Q", y2="y1"))
    tie = result.tie_column(question)
    if tie in f.columns and result.boundaries(question, tie) != result.boundaries(question):
        ties = pd.DataFrame(result.boundaries(question, tie), columns=["x0", "x1", "y0", "y1"])
        if len(ties):
            if len(ax) == 1:
                ties["y0"], ties["y1"] = 0.0, 1.0
            layers.append(alt.Chart(ties).mark_rule(color="white", strokeWidth=2, strokeDash=[5, 4]).encode(
                x="x0:Q", x2="x1", y="y0:Q", y2="y1"))
            title.subtitle = list(title.subtitle) + [
                "White dashes: where the deciding figure crosses its threshold (the flip table's tie); the "
                "verdict's own rule flips elsewhere"]
    base = {"x": result.inputs[0].base, "y": result.inputs[1].base if len(ax) == 2 else 0.5}
    if base["x"] is not None and base["y"] is not None:
        layers.append(alt.Chart(pd.DataFrame([base])).mark_point(shape="cross", color="black", size=120, filled=True)
                      .encode(x="x:Q", y="y:Q"))
    height = charts.HEIGHT if len(ax) == 2 else 60
    return alt.layer(*layers).properties(width=charts.WIDTH, height=height)


def chart_figure(result: SweepResult, key: str, question: str | None = None):
    """The figure over the grid: a heatmap (two inputs, the flip boundary drawn over it) or a line (one input,
    points coloured by verdict)."""
    import altair as alt

    from costlib import charts

    charts.setup()
    f = result.frame
    ax = result.axes
    label = _label(result, key)
    values = pd.to_numeric(f[key], errors="coerce")
    if len(ax) == 1:
        frame = pd.DataFrame({"x": f[ax[0].key], "value": values,
                              "verdict": f[result.verdict_column(question)] if question else ""})
        chart = alt.Chart(frame, title=alt.TitleParams(f"{label} as {_label(result, ax[0].key)} varies")).mark_line(
            color=charts.NEUTRAL).encode(x=alt.X("x:Q", title=_label(result, ax[0].key),
                                                 scale=alt.Scale(nice=False, zero=False)),
                                         y=alt.Y("value:Q", title=label))
        layers = [chart]
        if question:
            labels = list(dict.fromkeys(frame["verdict"]))
            domain, colors = _palette(labels)
            layers.append(alt.Chart(frame).mark_point(filled=True, size=40).encode(
                x="x:Q", y="value:Q", color=alt.Color("verdict:N", scale=alt.Scale(domain=domain, range=colors))))
            seg = pd.DataFrame(result.boundaries(question), columns=["x0", "x1", "y0", "y1"])
            if len(seg):
                layers.append(alt.Chart(seg).mark_rule(color="black", strokeDash=[4, 4]).encode(x="x0:Q"))
        return alt.layer(*layers).properties(width=charts.WIDTH, height=charts.HEIGHT)
    x0, y0 = ax
    cells = pd.DataFrame({"x0": f[x0.key] - x0.step / 2, "x1": f[x0.key] + x0.step / 2,
                          "y0": f[y0.key] - y0.step / 2, "y1": f[y0.key] + y0.step / 2, "value": values})
    xs = alt.Scale(domain=[float(cells["x0"].min()), float(cells["x1"].max())], nice=False, zero=False)
    ys = alt.Scale(domain=[float(cells["y0"].min()), float(cells["y1"].max())], nice=False, zero=False)
    heat = alt.Chart(cells, title=alt.TitleParams(f"{label} over the grid",
                                                  subtitle=["Black: where the verdict flips"] if question else [])
                     ).mark_rect().encode(
        x=alt.X("x0:Q", title=_label(result, x0.key), scale=xs), x2="x1",
        y=alt.Y("y0:Q", title=_label(result, y0.key), scale=ys), y2="y1",
        color=alt.Color("value:Q", title=label[:40], scale=alt.Scale(scheme="viridis")))
    layers = [heat]
    if question:
        seg = pd.DataFrame(result.boundaries(question), columns=["x0", "x1", "y0", "y1"])
        if len(seg):
            layers.append(alt.Chart(seg).mark_rule(color="black", strokeWidth=2.5).encode(
                x="x0:Q", x2="x1", y="y0:Q", y2="y1"))
    return alt.layer(*layers).properties(width=charts.WIDTH, height=charts.HEIGHT)


def _numeric(result: SweepResult, key: str) -> bool:
    col = pd.to_numeric(result.frame[key], errors="coerce")
    return bool(col.notna().any())


def charts_of(result: SweepResult) -> dict[str, Any]:
    """``{name: chart}``: a verdict map per decision whose verdict changes over the grid (or the first), and
    each numeric chosen figure over the grid."""
    out = {}
    questions = result.changing_questions() or result.questions[:1]
    for i, q in enumerate(questions):
        out[f"verdicts_{i + 1}"] = chart_verdicts(result, q)
    lead = questions[0] if questions else None
    deciding = [d.rests_on[0] for d in result.workbook.decisions(result.analysis) if d.rests_on]
    keys = sorted((k for k in result.figures if _numeric(result, k)), key=lambda k: k not in deciding)
    for key in keys[:2]:
        out[f"figure_{_safe(key)}"] = chart_figure(result, key, lead)
    return out


def page(result: SweepResult, svgs: Mapping[str, str]) -> str:
    """The sweep as one self-contained HTML page (inline SVG, no script): inputs, verdict maps, figure charts
    and the table. Every string from the scenario is escaped."""
    esc = html.escape
    title = getattr(result.scenario, "title", "") or result.source
    ax_words = " and ".join(f"{esc(_label(result, a.key))} (<code>{esc(a.key)}</code>) from "
                            f"{esc(_input_text(result, a.key, a.low))} to {esc(_input_text(result, a.key, a.high))} "
                            f"in {a.n} points" for a in result.axes)
    changing = result.changing_questions()
    verdict_lines = "".join(
        f"<li><b>{esc(q)}</b>: at base {esc(result.base_verdicts.get(q, ''))}; over the grid: "
        + esc(", ".join(f"{v} ({n} points)" for v, n in result.frame[result.verdict_column(q)].value_counts().items()))
        + "</li>" for q in result.questions)
    head = "".join(f"<th>{esc(_label(result, a.key))}</th>" for a in result.axes) + "".join(
        f"<th>{esc(_label(result, k))}</th>" for k in result.figures) + "".join(
        f"<th>{esc(q)}</th>" for q in result.questions)
    body = []
    for _, r in result.frame.iterrows():
        cells = [f"<td class='num'>{esc(_input_text(result, a.key, r[a.key]))}</td>" for a in result.axes]
        cells += [f"<td class='num'>{esc(_text(result, k, r[k]))}</td>" for k in result.figures]
        cells += [f"<td>{esc(str(r[result.verdict_column(q)]))}</td>" for q in result.questions]
        body.append("<tr>" + "".join(cells) + "</tr>")
    pictures = "".join(f"<div class='chart'>{svg}</div>" for svg in svgs.values())
    how = ("each point through the workbook's full analysis (a figure only analyse gives)" if result.used_analyse
           else "each point through the workbook's what-if recompute")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep: {esc(title)}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 0 auto; padding: 16px 24px; color: #222; }}
table {{ border-collapse: collapse; font-size: 12px; }} td, th {{ padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; }}
td.num {{ text-align: right; white-space: nowrap; }} .meta {{ color: #666; font-size: 12px; }} .chart {{ margin: 12px 0; }}
</style></head><body class="mathjax_ignore">
<h1>Sweep: {esc(title)}</h1>
<p>{ax_words}; the other inputs at the scenario's values. {len(result.frame)} points, {how}.</p>
<ul>{verdict_lines}</ul>
<p>{esc('The verdict flips inside the grid.' if changing else 'No verdict flips inside the grid.')}</p>
{pictures}
<h2>Every point</h2>
<table><tr>{head}</tr>{''.join(body)}</table>
<p class="meta">{esc(result.source)} · workbook {esc(result.workbook.TOPIC)} · {result.seconds:.2f} s</p>
</body></html>
"""


def write(result: SweepResult, outputs_dir: str | Path) -> Path:
    """Write ``<outputs>/sweep/<name>.html``, ``.json`` (the grid) and each chart as ``.svg``; return the HTML path."""
    from costlib import charts, report

    folder = Path(outputs_dir) / "sweep"
    name = name_of(result)
    svgs = {k: charts.to_svg(c) for k, c in charts_of(result).items()}
    for stale in folder.glob(f"{name}.*.svg") if folder.is_dir() else ():  # charts this sweep no longer has
        if stale.name[len(name) + 1: -len(".svg")] not in svgs:
            stale.unlink()
    for k, svg in svgs.items():
        report.atomic_write(folder / f"{name}.{k}.svg", svg)
    records = json.loads(result.frame.to_json(orient="records"))
    payload = {"kind": "sweep", "title": getattr(result.scenario, "title", ""), "topic": result.workbook.TOPIC,
               "source": result.source, "axes": [a.__dict__ for a in result.axes],
               "inputs": [{"key": i.key, "kind": i.kind, "base": i.base} for i in result.inputs],
               "figures": result.figures, "base_verdicts": result.base_verdicts,
               "boundaries": {q: result.boundaries(q) for q in result.questions}, "points": records}
    report.atomic_write(folder / f"{name}.json", json.dumps(payload, indent=1, default=str))
    target = folder / f"{name}.html"
    report.atomic_write(target, page(result, svgs))
    return target


def main(scenario_path: str, varies: Sequence[str], outputs_dir: str | None = None, figures: Sequence[str] = (),
         progress: bool = True, stream=None) -> int:
    """``costbook sweep``: 0 when written, 2 on bad input (one line on ``stream``)."""
    from costlib import report

    stream = stream or sys.stderr
    try:
        axes = [parse_vary(v) for v in varies]
        if not axes:
            raise SweepError("expected at least one --vary KEY=LOW:HIGH:N")
        path = Path(scenario_path)
        topic = _params.topic_of(path)
        try:
            workbook = importlib.import_module(f"costlib.workbooks.{topic}")
        except ImportError:
            raise SweepError(f"{scenario_path}: expected a scenario in params/<workbook>/, not in {topic}/") from None
        scenario = _params.load(path)
        result = run(workbook, scenario, axes, figures=list(figures) or None, progress=progress,
                     source=_params.display_path(path), stream=stream)
        target = report.publish_page(lambda folder: write(result, folder), outputs_dir)
    except (SweepError, ScenarioError, OSError) as exc:
        print(report.command_error("sweep", exc, first_line=isinstance(exc, SweepError)), file=stream)
        return 2
    for q in result.questions:
        flips = result.changing_questions()
        print(f"{q}: at base {result.base_verdicts.get(q)}; "
              + ("flips inside the grid" if q in flips else "the same at every point"), file=sys.stdout)
    print(f"costbook sweep: {len(result.frame)} points in {result.seconds:.2f} s; {target}", file=sys.stdout)
    return 0

