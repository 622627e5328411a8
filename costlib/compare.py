"""Scenarios of one workbook side by side: Excel's Scenario Manager, with verdicts.

``costbook compare A.yaml B.yaml [C.yaml ...]`` analyses each scenario in this process (no kernel) and writes
one report with the scenarios as columns (`build`, `write`):

- every headline figure of each scenario, with its difference against the first scenario (absolute and
  relative), figures a scenario lacks shown as "n/a";
- each decision's verdict per scenario, the ones that differ from the first marked;
- the inputs that differ, in words with their values (`input_rows`);
- the key charts overlaid: cumulative cost by month of every option of every scenario, with each scenario's
  break-even month as a rule (`costlib.contract.cumulative_cost`), and the break-even months side by side.

The report is HTML (self-contained, charts as inline SVG), xlsx (numbers as numbers, every text a string cell,
never a formula) and Markdown, under ``<outputs>/compare/``. Every string from a scenario is escaped.
"""

from __future__ import annotations

import html
import importlib
import io
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from costlib import contract, params as _params, report
from costlib.errors import ScenarioError

__all__ = ["CompareError", "Comparison", "build", "flatten", "input_rows", "main", "write"]


class CompareError(ValueError):
    """Scenarios that cannot be compared (one line)."""


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A scenario's plain data as ``{dotted key: value}``; list items by their ``name`` where they have one.

    Examples
    --------
    >>> flatten({"a": 1, "options": [{"name": "kafka", "engineers": 4}], "r": {"x": [1, 2]}})
    {'a': 1, 'options.kafka.engineers': 4, 'r.x': [1, 2]}
    """
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        names = [x.get("name") for x in data]
        unique = all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
        for i, item in enumerate(data):
            key = names[i] if unique else str(i)
            out.update(flatten({k: v for k, v in item.items() if not (unique and k == "name")},
                               f"{prefix}.{key}" if prefix else key))
        return out
    out[prefix] = data
    return out


def input_label(key: str, workbook=None, unit_name: str | None = None) -> str:
    """An input's key in words, from the what-if layer's reading of names (`costlib.whatif.describe`)."""
    from costlib import whatif

    info = whatif.describe(key, getattr(workbook, "FIGURES", ()), unit_name)
    words = info.label + (f" ({info.per})" if info.per else "")
    return f"{words}, {info.context}" if info.context else words


def input_text(key: str, value: Any, workbook=None, unit_name: str | None = None) -> str:
    """An input's value in words with its unit (``$0.120``, ``30.0%``, ``4 FTE``); text as written."""
    from costlib import whatif

    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        info = whatif.describe(key, getattr(workbook, "FIGURES", ()), unit_name)
        return whatif.readout(float(value), info.unit, 0.0)
    if isinstance(value, (list, tuple)):
        return ", ".join(input_text(key, v, workbook, unit_name) for v in value)
    return _params.redact_passwords(str(value))


def input_rows(datas: Sequence[Mapping[str, Any]], workbook=None, unit_name: str | None = None) -> list[dict]:
    """The inputs whose values differ between scenarios: ``{key, label, values, texts}``, in the first
    scenario's order (then keys only later ones have). ``datas`` are `costlib.params.as_dict` of each."""
    flat = [flatten(d) for d in datas]
    keys = list(dict.fromkeys(k for f in flat for k in f))
    rows = []
    for key in keys:
        values = [f.get(key) for f in flat]
        if all(v == values[0] for v in values[1:]):
            continue
        rows.append({"key": key, "label": input_label(key, workbook, unit_name), "values": values,
                     "texts": [input_text(key, v, workbook, unit_name) for v in values]})
    return rows


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


@dataclass
class Comparison:
    """Scenarios of one workbook, side by side."""

    workbook: Any
    names: list[str]
    titles: list[str]
    sources: list[str]
    analyses: list[Any]
    figures: list[dict] = field(default_factory=list)  # key, label, unit, values, texts, diffs, rels, diff_texts
    decisions: list[dict] = field(default_factory=list)  # question, verdicts, differs
    inputs: list[dict] = field(default_factory=list)

    @property
    def title(self) -> str:
        return "Compare: " + " · ".join(self.titles)


def _diff_text(diff: float, unit: str, horizon) -> str:
    if unit in ("month", "months"):
        return f"{diff:+,.4g} months"
    if unit == "text":
        return ""
    if unit in ("share", "probability"):
        return f"{100 * diff:+,.1f} points"
    sign = "+" if diff > 0 else "-" if diff < 0 else "±"
    text = contract.format_value(abs(diff), unit, horizon)
    return sign + text


def build(workbook, scenarios: Sequence[tuple[str, Any, Any]], sources: Sequence[str] = ()) -> Comparison:
    """The comparison of ``[(name, params, analysis), ...]`` of one workbook; the first is the reference.

    Each figure row holds every scenario's value and its text (`costlib.report.figure_rows`, the same rows as
    each scenario's own report and results JSON), and for each scenario after the first ``diff = value -
    reference`` and ``rel = diff / |reference|`` (None where either is not a number, or the reference is 0).
    """
    names = [n for n, _, _ in scenarios]
    analyses = [a for _, _, a in scenarios]
    c = Comparison(workbook, names, [getattr(p, "title", n) or n for n, p, _ in scenarios],
                   list(sources) or names, analyses)
    rows = [{r["key"]: r for r in report.figure_rows(workbook, a)} for a in analyses]
    keys = list(dict.fromkeys(k for r in rows for k in r))
    for key in keys:
        present = [r.get(key) for r in rows]
        first = next(r for r in present if r is not None)
        values = [r["value"] if r else None for r in present]
        texts = [r["text"] if r else "n/a" for r in present]
        ref = values[0]
        diffs, rels, diff_texts = [None], [None], [""]
        horizon = report._horizon_of(analyses[0])
        for v in values[1:]:
            if _number(ref) and _number(v):
                d = float(v) - float(ref)
                diffs.append(d)
                rels.append(d / abs(float(ref)) if float(ref) != 0 else None)
                diff_texts.append(_diff_text(d, first["unit"], horizon))
            else:
                diffs.append(None)
                rels.append(None)
                diff_texts.append("" if v == ref else "differs")
        c.figures.append({"key": key, "label": first["label"], "unit": first["unit"], "values": values,
                          "texts": texts, "diffs": diffs, "rels": rels, "diff_texts": diff_texts})
    for row in _match_decisions([report.decision_records(workbook, a) for a in analyses]):
        verdicts = [None if d is None else str(d["verdict"]).replace("_", " ") for d in row]
        questions = list(dict.fromkeys(d["question"] for d in row if d is not None))
        c.decisions.append({"question": " / ".join(questions), "questions": [d and d["question"] for d in row],
                            "verdicts": verdicts, "differs": [v != verdicts[0] for v in verdicts]})
    c.inputs = input_rows([_params.as_dict(p) for _, p, _ in scenarios], workbook,
                          getattr(scenarios[0][1], "unit_name", None))
    return c


def _match_decisions(records: Sequence[Sequence[dict]]) -> list[list[dict | None]]:
    """Rows of decisions across scenarios: the same question, else the decision in the same place when its
    question is not asked in the first scenario (an option named differently: "Build (kafka) or buy (sqs)")."""
    first = list(records[0])
    asked = {d["question"] for d in first}
    rows: list[list[dict | None]] = [[d] + [None] * (len(records) - 1) for d in first]
    for j, decisions in enumerate(records[1:], start=1):
        unmatched = []
        for i, d in enumerate(decisions):
            same = next((r for r in rows if r[0] is not None and r[0]["question"] == d["question"] and r[j] is None), None)
            if same is not None:
                same[j] = d
            elif d["question"] not in asked and i < len(first) and rows[i][j] is None \
                    and not any(x["question"] == first[i]["question"] for x in decisions):
                rows[i][j] = d
            else:
                unmatched.append(d)
        for d in unmatched:
            row: list[dict | None] = [None] * len(records)
            row[j] = d
            rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------------
# Charts.


def _break_even(workbook, analysis) -> int | None:
    for r in report.figure_rows(workbook, analysis):
        if r["unit"] == "month" and ("break_even" in r["key"] or "payback" in r["key"] or "crossover" in r["key"]):
            return r["value"]
    return None


def chart_cumulative(c: Comparison):
    """Cumulative cost by month of every option of every scenario (colour: option; dashes: scenario), each
    scenario's break-even month as a rule; None when the workbook has no cumulative cost."""
    import altair as alt

    from costlib import charts

    frames = []
    for name, a in zip(c.names, c.analyses):
        f = contract.cumulative_cost(c.workbook, a)
        if f is None or not len(f):
            continue
        f = f.copy()
        f["scenario"] = name
        frames.append(f)
    if not frames:
        return None
    charts.setup()
    data = pd.concat(frames, ignore_index=True)
    data["option"] = data["option"].astype(str).str.replace("_", " ")
    lines = alt.Chart(data, title=alt.TitleParams(
        "Cumulative cost by month, every scenario",
        subtitle=["Colour: option; line style: scenario; dotted rules: each scenario's break-even month"])).mark_line(
    ).encode(x=alt.X("month:Q", title="month", scale=alt.Scale(nice=False)),
             y=alt.Y("cumulative_usd:Q", title="USD spent to date", axis=alt.Axis(format="$~s")),
             color=alt.Color("option:N", title="option"),
             strokeDash=alt.StrokeDash("scenario:N", title="scenario", sort=c.names),
             detail="scenario:N").properties(width=charts.WIDTH, height=charts.HEIGHT)
    rules = [{"month": m, "scenario": n} for n, a in zip(c.names, c.analyses)
             if (m := _break_even(c.workbook, a)) is not None]
    if not rules:
        return lines
    rule = alt.Chart(pd.DataFrame(rules)).mark_rule(color="#555555", strokeDash=[2, 3]).encode(
        x="month:Q", tooltip=["scenario:N", "month:Q"])
    return alt.layer(lines, rule)


def chart_break_even(c: Comparison):
    """Each scenario's break-even (payback, crossover) months side by side; None when there is none."""
    import altair as alt

    from costlib import charts

    rows = []
    for f in c.figures:
        if f["unit"] != "month":
            continue
        horizon = report._horizon_of(c.analyses[0]) or 0
        for name, v, a in zip(c.names, f["values"], c.analyses):
            h = report._horizon_of(a) or horizon
            rows.append({"figure": f["label"], "scenario": name, "month": v if v is not None else h,
                         "when": f"month {int(v)}" if v is not None else f"never within {h} months"})
    if not rows:
        return None
    charts.setup()
    data = pd.DataFrame(rows)
    return alt.Chart(data, title=alt.TitleParams("Break-even months by scenario",
                                                 subtitle=["A bar at the horizon: never within it"])).mark_bar().encode(
        y=alt.Y("figure:N", title=None), yOffset=alt.YOffset("scenario:N", sort=c.names),
        x=alt.X("month:Q", title="month"), color=alt.Color("scenario:N", sort=c.names),
        tooltip=["scenario:N", "figure:N", "when:N"]).properties(width=charts.WIDTH)


def charts_of(c: Comparison) -> dict[str, Any]:
    out = {}
    for name, build_chart in (("cumulative_cost", chart_cumulative), ("break_even", chart_break_even)):
        chart = build_chart(c)
        if chart is not None:
            out[name] = chart
    return out


# ---------------------------------------------------------------------------------------------------
# The report: HTML, Markdown, xlsx.


def _rel_text(rel) -> str:
    return "" if rel is None else f"{rel:+.1%}"


def page(c: Comparison, svgs: Mapping[str, str]) -> str:
    """The comparison as one self-contained HTML page; every scenario string escaped."""
    esc = html.escape
    heads = "".join(f"<th>{esc(t)}<br><span class='meta'>{esc(s)}</span></th>"
                    for t, s in zip(c.titles, c.sources))
    diff_heads = "".join(f"<th>{esc(n)} vs {esc(c.names[0])}</th>" for n in c.names[1:])
    fig_rows = []
    for f in c.figures:
        cells = "".join(f"<td class='num'>{esc(t)}</td>" for t in f["texts"])
        diffs = "".join(f"<td class='num'>{esc(d)}" + (f" <span class='meta'>({esc(_rel_text(r))})</span>" if r is not None else "")
                        + "</td>" for d, r in zip(f["diff_texts"][1:], f["rels"][1:]))
        fig_rows.append(f"<tr><td>{esc(f['label'])}</td>{cells}{diffs}</tr>")
    dec_rows = "".join(
        "<tr><td>" + esc(d["question"]) + "</td>" + "".join(
            f"<td class='{'differs' if x else ''}'>{esc(v or 'n/a')}{' (differs)' if x else ''}</td>"
            for v, x in zip(d["verdicts"], d["differs"])) + "</tr>" for d in c.decisions)
    inp_rows = "".join("<tr><td>" + esc(r["label"]) + f"<br><span class='meta'><code>{esc(r['key'])}</code></span></td>"
                       + "".join(f"<td class='num'>{esc(t)}</td>" for t in r["texts"]) + "</tr>" for r in c.inputs)
    pictures = "".join(f"<div class='chart'>{svg}</div>" for svg in svgs.values())
    flipped = [d["question"] for d in c.decisions if any(d["differs"])]
    lead = (f"The verdict differs on {len(flipped)} of {len(c.decisions)} decisions." if flipped
            else "Every scenario reaches the same verdicts.")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(c.title)}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; max-width: 1200px; margin: 0 auto; padding: 16px 24px; color: #222; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 6px 0 16px 0; }}
td, th {{ padding: 4px 12px 4px 0; border-bottom: 1px solid #e5e5e5; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; white-space: nowrap; }} td.differs {{ color: #D55E00; font-weight: 600; }}
.meta {{ color: #666; font-size: 11px; font-weight: normal; }} .chart {{ margin: 12px 0; }}
</style></head><body class="mathjax_ignore">
<h1>{esc(c.title)}</h1>
<p>{len(c.names)} scenarios of workbook {esc(report.TOPIC_LABELS.get(c.workbook.TOPIC, c.workbook.TOPIC))}; differences
against the first, <b>{esc(c.titles[0])}</b>. {esc(lead)}</p>
<h2>Verdicts</h2>
<table><tr><th>decision</th>{heads}</tr>{dec_rows}</table>
<h2>Headline figures</h2>
<table><tr><th>figure</th>{heads}{diff_heads}</tr>{''.join(fig_rows)}</table>
<h2>Inputs that differ</h2>
{f'<table><tr><th>input</th>{heads}</tr>{inp_rows}</table>' if c.inputs else '<p>None: the scenarios have the same inputs.</p>'}
<h2>Charts</h2>
{pictures or '<p>This workbook has no cumulative cost or break-even month to overlay.</p>'}
</body></html>
"""


def _md(text: Any) -> str:
    """A string as inert Markdown table text: entities for Markdown and HTML characters, ``$`` as ``&#36;``."""
    return report.escape(str(text)).replace("$", "&#36;").replace("\n", " ")


def markdown(c: Comparison) -> str:
    """The comparison as Markdown (a design-doc or PR snippet)."""
    cols = " | ".join(_md(t) for t in c.titles)
    lines = [f"# {_md(c.title)}", "", "## Verdicts", "", f"| decision | {cols} |",
             "|---" * (len(c.titles) + 1) + "|"]
    for d in c.decisions:
        lines.append(f"| {_md(d['question'])} | " + " | ".join(
            (f"**{_md(v or 'n/a')}** (differs)" if x else _md(v or "n/a")) for v, x in zip(d["verdicts"], d["differs"])) + " |")
    diff_cols = " | ".join(f"{_md(n)} vs {_md(c.names[0])}" for n in c.names[1:])
    lines += ["", "## Headline figures", "", f"| figure | {cols} | {diff_cols} |",
              "|---" * (2 * len(c.titles)) + "|"]
    for f in c.figures:
        diffs = " | ".join(_md(d + (f" ({_rel_text(r)})" if r is not None else "")) for d, r in zip(f["diff_texts"][1:], f["rels"][1:]))
        lines.append(f"| {_md(f['label'])} | " + " | ".join(_md(t) for t in f["texts"]) + f" | {diffs} |")
    lines += ["", "## Inputs that differ", ""]
    if c.inputs:
        lines += [f"| input | {cols} |", "|---" * (len(c.titles) + 1) + "|"]
        lines += [f"| {_md(r['label'])} | " + " | ".join(_md(t) for t in r["texts"]) + " |" for r in c.inputs]
    else:
        lines.append("None: the scenarios have the same inputs.")
    return "\n".join(lines) + "\n"


def _text_cell(cell) -> None:
    """A text cell stays text: a string cell, never a formula, kept text when edited in Excel."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx(c: Comparison) -> bytes:
    """The comparison as xlsx: sheets Headline (values as numbers, differences), Verdicts and Inputs."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from costlib import export

    book = Workbook()
    bold = Font(bold=True)

    def sheet_rows(sheet, header, rows):
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(row)
        for row in sheet.iter_rows():
            for cell in row:
                _text_cell(cell)

    head = book.active
    head.title = "Headline"
    header = ["figure", "unit", *c.titles, *[f"{n} minus {c.names[0]}" for n in c.names[1:]],
              *[f"{n} vs {c.names[0]} (relative)" for n in c.names[1:]], "key"]
    rows = []
    for f in c.figures:
        values = [v if _number(v) else (t if v is None or isinstance(v, str) else t) for v, t in zip(f["values"], f["texts"])]
        rows.append([f["label"], f["unit"], *values, *f["diffs"][1:], *f["rels"][1:], f["key"]])
    sheet_rows(head, header, rows)
    n = len(c.titles)
    for i, f in enumerate(c.figures, start=2):
        fmt = export.unit_format(f["unit"], next((v for v in f["values"] if _number(v)), None))
        for j in range(3, 3 + 2 * n - 1):
            cell = head.cell(row=i, column=j)
            if fmt and _number(cell.value):
                cell.number_format = fmt
        for j in range(3 + 2 * n - 1, 3 + 3 * n - 2):
            cell = head.cell(row=i, column=j)
            if _number(cell.value):
                cell.number_format = export.PERCENT
    sheet_rows(book.create_sheet("Verdicts"), ["decision", *c.titles, "differs from the first"],
               [[d["question"], *[v or "n/a" for v in d["verdicts"]], "yes" if any(d["differs"]) else "no"]
                for d in c.decisions])
    sheet_rows(book.create_sheet("Inputs"), ["input", "key", *c.titles],
               [[r["label"], r["key"], *[v if _number(v) else t for v, t in zip(r["values"], r["texts"])]]
                for r in c.inputs])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:50] or "scenario"


def name_of(c: Comparison) -> str:
    return f"{c.workbook.TOPIC}." + "_vs_".join(_safe(n) for n in c.names)


def write(c: Comparison, outputs_dir: str | Path) -> Path:
    """``<outputs>/compare/<topic>.<a>_vs_<b>.{html,xlsx,md,json}`` and each chart as SVG; the HTML path."""
    from costlib import charts

    folder = Path(outputs_dir) / "compare"
    name = name_of(c)
    svgs = {k: charts.to_svg(ch) for k, ch in charts_of(c).items()}
    for k, svg in svgs.items():
        report.atomic_write(folder / f"{name}.{k}.svg", svg)
    report.atomic_write(folder / f"{name}.xlsx", xlsx(c))
    report.atomic_write(folder / f"{name}.md", markdown(c))
    payload = {"kind": "compare", "topic": c.workbook.TOPIC, "title": c.title, "scenarios": c.names,
               "sources": c.sources, "figures": c.figures, "decisions": c.decisions, "inputs": c.inputs}
    report.atomic_write(folder / f"{name}.json", json.dumps(report._clean(payload), indent=1, default=str))
    target = folder / f"{name}.html"
    report.atomic_write(target, page(c, svgs))
    return target


def load(paths: Sequence[str]) -> tuple[Any, list[tuple[str, Any, Any]], list[str]]:
    """Validate and analyse each scenario; `CompareError` (one line) when they are not of one workbook."""
    if len(paths) < 2:
        raise CompareError("expected two or more scenario files to compare")
    topics = [_params.topic_of(p) for p in paths]
    if len(set(topics)) != 1:
        shown = ", ".join(f"{_params.display_path(p)} ({t})" for p, t in zip(paths, topics))
        raise CompareError(f"expected scenarios of one workbook, got {shown}")
    try:
        workbook = importlib.import_module(f"costlib.workbooks.{topics[0]}")
    except ImportError:
        raise CompareError(f"{paths[0]}: expected a scenario in params/<workbook>/, not in {topics[0]}/") from None
    names = [Path(p).stem for p in paths]
    if len(set(names)) != len(names):
        names = [f"{Path(p).parent.name}/{Path(p).stem}" if names.count(Path(p).stem) > 1 else Path(p).stem
                 for p in paths]
    if len(set(names)) != len(names):
        raise CompareError("expected different scenario files, got the same one twice")
    scenarios = []
    for name, path in zip(names, paths):
        p = _params.load(path)
        scenarios.append((name, p, workbook.analyse(p)))
    return workbook, scenarios, [_params.display_path(p) for p in paths]


def main(paths: Sequence[str], outputs_dir: str | None = None, stream=None) -> int:
    """``costbook compare``: 0 when written; 2 on bad input (one line per problem on ``stream``)."""
    stream = stream or sys.stderr
    try:
        workbook, scenarios, sources = load(paths)
        c = build(workbook, scenarios, sources)
        target = report.publish_page(lambda folder: write(c, folder), outputs_dir)
    except (CompareError, ScenarioError, OSError) as exc:
        print(report.command_error("compare", exc), file=stream)
        return 2
    for d in c.decisions:
        print(f"{d['question']}: " + "; ".join(f"{n} {v or 'n/a'}" + (" (differs)" if x else "")
                                               for n, v, x in zip(c.names, d["verdicts"], d["differs"])))
    print(f"costbook compare: {len(c.names)} scenarios, {len(c.figures)} figures, {len(c.inputs)} inputs differ; {target}")
    return 0
