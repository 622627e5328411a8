"""What-if controls for analysts running a workbook interactively in JupyterLab.

Batch runs (papermill, ``interactive=False``) never call this module: widget output lives only in widget
state and would be missing from the HTML report (see TOOLCHAIN.md). Interactive runs get sliders that
re-run the workbook's ``whatif`` and redraw its figures.

`panel(workbook, scenario, analysis)` is the one call a notebook makes. Everything it shows comes from the
workbook contract (`costlib.contract`), so every workbook gets the same controls without code of its own:

- one slider per input of ``workbook.whatif_controls(scenario)``, labelled in words with the input's unit
  (`describe`: from the figure declarations when an input is also a headline figure, else from the unit in
  its name, the project's naming convention), the raw key as a tooltip, and a readout with its unit
  (``$0.120``, ``30.0%``, ``1.5 FTE``) that also takes typed values;
- steps on a grid that holds the base value (`grid`); a typed value is snapped to that grid (`snap`);
- on every move: the figures ``whatif`` recomputes, formatted with `costlib.contract.format_value`, beside
  their base values; each decision's verdict (`verdicts`: from ``workbook.decisions`` and the threshold of
  the answer it rests on, or from ``workbook.whatif_decisions(params, figures)`` where a workbook defines
  it because its verdict rests on a rule beyond one threshold); and the what-if chart redrawn
  (``workbook.whatif_chart(params, figures, base)`` if the workbook defines one, else `chart`).

`sliders(render, controls)` is the older, lower-level call (a notebook's own ``render``); it gets the same
labels, units, grid and snapping.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from costlib import contract, labels

# ---------------------------------------------------------------------------------------------------
# What an input is: label and unit, from the one label registry (`costlib.labels`).

#: Input units: how a value reads (`readout`) and how a typed value is read back (`parse`).
INPUT_UNITS = ("usd", "share", "fte", "month", "months", "weeks", "days", "hours", "multiple", "count", "gb",
               "number")
#: What a unit's label says after the words of the name (money and shares show it in the readout).
_UNIT_WORDS = {"fte": "FTE", "months": "months", "weeks": "weeks", "days": "days", "hours": "hours",
               "multiple": "x", "gb": "GB", "usd": "USD", "share": "%"}

#: One what-if control, described for people: `costlib.labels.Label`.
Input = labels.Label

_INPUT_UNIT = {"usd_per_unit": "usd", "usd_per_month": "usd", "usd_per_year": "usd", "probability": "share",
               "text": "number", "years": "number"}


def describe(key: str, figures=(), unit_name: str | None = None) -> Input:
    """The label and unit of a what-if input: `costlib.labels.describe` (the figure declarations first,
    then the unit in its name), with the unit one of `INPUT_UNITS`.

    Examples
    --------
    >>> describe("cassandra.cassandra_nodes.saving")
    Label(key='cassandra.cassandra_nodes.saving', label='Saving', unit='share', per='', context='cassandra · cassandra nodes')
    >>> describe("kafka_on_bare_metal.engineers").unit, describe("price_usd_per_unit", unit_name="stream").per
    ('fte', 'per stream')
    """
    info = labels.describe(key, figures, unit_name)
    unit = _INPUT_UNIT.get(info.unit, info.unit)
    return info if unit == info.unit else labels.Label(info.key, info.label, unit, info.per, info.context)


# ---------------------------------------------------------------------------------------------------
# The grid and the readout.


def _nice(step: float) -> float:
    """The step rounded to 1, 2, 2.5 or 5 times a power of ten (the nearest on a log scale)."""
    if not step or not math.isfinite(step) or step <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(step))
    return min((m * power for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(math.log(s / step)))


def _decimals(step: float) -> int:
    """Decimals that show every point of a grid of ``step`` (0.25 -> 2, 0.5 -> 1, 10 -> 0)."""
    for d in range(0, 10):
        if abs(round(step, d) - step) <= 1e-9 * max(1.0, abs(step)):
            return d
    return 10


def grid(low: float, high: float, step: float, value: float, whole: bool = False) -> tuple[float, float, float, float]:
    """``(min, max, step, value)`` with a round step and ``min`` on the grid through ``value``, so that the
    base value is a slider position and one step from it is one round step away.

    Examples
    --------
    >>> grid(0.1, 10.0, 0.099, 1.0)        # 02's usage scale: one step from 1.000 is 1.1, not 1.090
    (0.1, 10.0, 0.1, 1.0)
    >>> grid(0.0, 0.99, 0.0099, 0.3)       # a saving: whole percent steps, 30% on the grid
    (0.0, 0.99, 0.01, 0.3)
    >>> grid(0, 24.0, 0.5, 6.0)
    (0.0, 24.0, 0.5, 6.0)
    """
    low, high, value = float(low), float(high), float(value)
    step = _nice(float(step) if step else (high - low) / 100 or 1.0)
    if value and abs(value) < step * 2 and _nice(abs(value) / 10) < step:
        step = _nice(abs(value) / 10)  # a small base value gets steps of about a tenth of itself
    if whole and float(value).is_integer():
        step = max(1.0, round(step))  # a month is a whole number
    d = _decimals(step) + 1
    below = math.floor((value - low) / step + 1e-9) if value > low else 0
    above = math.floor((high - value) / step + 1e-9) if high > value else 0
    return (round(value - below * step, d + 6), round(value + above * step, d + 6), step, value)


def snap(x: float, low: float, high: float, step: float, value: float) -> float:
    """``x`` moved to the nearest point of the grid ``value + k * step`` within ``[low, high]``.

    Examples
    --------
    >>> snap(1.093, 0.1, 10.0, 0.1, 1.0), snap(57, 0, 24, 0.5, 6), snap(0.3149, 0, 0.99, 0.01, 0.3)
    (1.1, 24.0, 0.31)
    """
    x = min(max(float(x), low), high)
    k = round((x - value) / step)
    out = value + k * step
    if out > high + 1e-12:
        out -= step
    if out < low - 1e-12:
        out += step
    return round(out, _decimals(step) + 6)


def readout(value: float, unit: str, step: float = 0.0) -> str:
    """An input's value with its unit, at the precision of its grid.

    Examples
    --------
    >>> readout(0.12, "usd", 0.005), readout(0.3, "share", 0.01), readout(1.5, "fte", 0.5)
    ('$0.120', '30.0%', '1.5 FTE')
    >>> readout(300_000, "usd", 10_000), readout(14_000_000, "usd", 140_000), readout(6, "months", 0.5)
    ('$300,000', '$14.00M', '6 months')
    >>> readout(1.1, "multiple", 0.1), readout(200_000, "count", 10_000), readout(0.000012, "usd", 1e-7)
    ('1.1x', '200,000', '$0.0000120')
    """
    value = float(value)
    d = _decimals(step) if step else 2
    if unit == "usd":
        if abs(value) >= 1e6:
            from costlib import report

            return report.usd(value)
        d = max(d, 2) if abs(value) < 1000 else d
        if 0 < abs(value) < 1 and step:
            d = max(d, 3)
        return ("-" if value < 0 else "") + f"${abs(value):,.{d}f}"
    if unit == "share":
        return f"{100 * value:,.{max(1, d - 2)}f}%"
    if unit == "month":
        return f"month {value:,.{d}f}"
    text = f"{value:,.{d}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    suffix = {"fte": " FTE", "months": " months", "weeks": " weeks", "days": " days", "hours": " h",
              "multiple": "x", "gb": " GB"}.get(unit, "")
    if unit == "months" and text == "1":
        suffix = " month"
    return text + suffix


_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9}


def parse(text: str, unit: str) -> float | None:
    """A typed value in the readout's unit (``$0.15``, ``35`` or ``35%`` for a share, ``2.5 FTE``,
    ``1.2M``); None when it is not a number.

    Examples
    --------
    >>> parse("$0.15", "usd"), parse("35", "share"), parse("35 %", "share"), parse("2.5 FTE", "fte")
    (0.15, 0.35, 0.35, 2.5)
    >>> parse("1.2M", "usd"), parse("300,000", "usd"), parse("abc", "usd"), parse("1.1x", "multiple")
    (1200000.0, 300000.0, None, 1.1)
    >>> parse("6 months", "months"), parse("2k", "count"), parse("month 27", "month")
    (6.0, 2000.0, 27.0)
    """
    cleaned = str(text).strip().lower().replace(",", "").replace("$", "").replace("%", "")
    cleaned = re.sub(r"^[a-z]+\s+", "", cleaned)  # "month 27"
    match = re.match(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([kmb](?![a-z]))?", cleaned)
    if not match:
        return None
    value = float(match.group(1))
    if match.group(2) and unit in ("usd", "count", "number", "gb"):
        value *= _SCALE[match.group(2)]
    if unit == "share":
        value /= 100
    return value


# ---------------------------------------------------------------------------------------------------
# Verdicts and the what-if chart, from the contract.


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _rows(figures: Mapping[str, Any], workbook, horizon: int | None, unit_name: str | None) -> dict:
    known = {k: v for k, v in figures.items() if _declared(workbook, k)}
    return {r["key"]: r for r in contract.figure_rows(known, workbook.FIGURES, horizon, unit_name)}


def _declared(workbook, key: str) -> bool:
    try:
        contract.declaration(workbook.FIGURES, key)
        return True
    except KeyError:
        return False


def verdicts(workbook, analysis, figures: Mapping[str, Any]) -> list[dict]:
    """Each decision at the what-if values: ``{question, verdict, status, words, flipped}``.

    A workbook with ``whatif_decisions(params, figures) -> [(Decision, reason)]`` recomputes its first
    verdicts itself (a verdict that rests on a rule, not only on one threshold: the reason says which);
    for the others (or when it returns None) the decision's deciding figure
    (the first it rests on) is compared with the threshold of the answer behind it (`Answer.target`): on the
    same side as at base the verdict holds, across it the verdict flips.
    """
    from costlib import report

    horizon = report._horizon_of(analysis)
    unit_name = getattr(analysis.params, "unit_name", None)
    rows_now = {**{r["key"]: r for r in report.figure_rows(workbook, analysis)},
                **_rows(figures, workbook, horizon, unit_name)}
    base_decisions = workbook.decisions(analysis)
    hook = getattr(workbook, "whatif_decisions", None)
    recomputed = (hook(analysis.params, figures) if hook is not None else None) or []
    out = []
    for before, (d, why) in zip(base_decisions, recomputed):
        flipped = d.verdict != before.verdict
        words = contract.decision_words(dataclass_replace(d, agreement=None), rows_now)
        esc = report.escape  # decision_words escapes the question and verdict (user text): match its words
        words = words.replace(f"**{esc(d.question)}: {esc(d.verdict.replace('_', ' '))}.**",
                              f"**{esc(d.question)}: {esc(d.verdict.replace('_', ' '))}**"
                              + (f" (was {esc(before.verdict.replace('_', ' '))} at base)." if flipped
                                 else " (as at base)."))
        out.append({"question": d.question, "verdict": d.verdict, "flipped": flipped,
                    "status": "flips" if flipped else "holds", "words": words + (f" {why}" if why else "")})
    targets = {a.figure: a.target for a in getattr(analysis, "answers", {}).values()}
    for d in base_decisions[len(out):]:
        key = d.rests_on[0] if d.rests_on else None
        base, now = analysis.headline.get(key), figures.get(key)
        verdict = report.escape(d.verdict.replace("_", " "))  # user text in Markdown: escaped
        question = report.escape(d.question)
        if key not in figures or key not in targets or not _number(base) or not _number(now):
            moved = [k for k in d.rests_on if k in figures and k in rows_now and figures[k] != analysis.headline.get(k)]
            if moved:  # a verdict that states a quantity (capacity to buy): the quantity at the sliders' values
                k = moved[0]
                was = contract.format_value(analysis.headline.get(k), contract.declaration(workbook.FIGURES, k).unit,
                                            horizon)
                out.append({"question": d.question, "verdict": d.verdict, "flipped": False, "status": "moved",
                            "words": f"**{d.question}:** {rows_now[k]['label'][:1].lower()}{rows_now[k]['label'][1:]} "
                                     f"is now {rows_now[k]['text']} (at base {was}, where the verdict was {verdict})."})
                continue
            out.append({"question": d.question, "verdict": d.verdict, "flipped": False,
                        "status": "these sliders do not move the figure it rests on",
                        "words": f"**{question}: {verdict}** (as at base)."})
            continue
        target = targets[key]
        row = rows_now[key]
        decl = contract.declaration(workbook.FIGURES, key)
        target_text = contract.format_value(target, decl.unit, horizon)
        flipped = _sign(float(now) - target) != _sign(float(base) - target) and _sign(float(now) - target) != 0
        label = row["label"][0].lower() + row["label"][1:]
        base_text = contract.format_value(base, decl.unit, horizon)
        side = "above" if float(now) > target else "below" if float(now) < target else "at"
        if flipped:
            words = (f"**{question}: no longer {verdict}.** {report.escape(row['label'])} is {row['text']}, {side} "
                     f"{target_text} (at base {base_text}): the comparison the verdict rests on has reversed.")
            status = "flips"
        else:
            words = (f"**{question}: {verdict}** (holds). It rests on {report.escape(label)}: {row['text']} "
                     f"(at base {base_text}), still {side} {target_text}."
                     + (f" It flips if {report.escape(d.flips_when)}." if d.flips_when else ""))
            status = "holds"
        out.append({"question": d.question, "verdict": d.verdict, "flipped": flipped, "status": status,
                    "words": words})
    return out


def dataclass_replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))


def chart(workbook, analysis, figures: Mapping[str, Any]) -> str | None:
    """The what-if chart as SVG: the recomputed figures of the deciding figure's unit (money, shares...; the
    decision figure the sliders moved, else the first decision's) as bars, their base values as black ticks, the decision's threshold as a dashed rule.

    Drawn directly as SVG (a few shapes, under a millisecond), not through Altair and vl-convert (100-400 ms
    on a loaded 2-core machine), so that a slider move stays within its 100 ms."""
    from costlib import charts, report

    numeric = {k: float(v) for k, v in figures.items() if _number(v) and _number(analysis.headline.get(k))
               and _declared(workbook, k)}
    if not numeric:
        return None
    units = {k: contract.declaration(workbook.FIGURES, k).unit for k in numeric}
    # the chart that matters most: the decision figure the sliders moved, else any figure they moved, else
    # the first decision's
    deciding_keys = [d.rests_on[0] for d in workbook.decisions(analysis) if d.rests_on and d.rests_on[0] in numeric]
    moved = [k for k in deciding_keys if numeric[k] != float(analysis.headline[k])]
    moved_any = [k for k in numeric if numeric[k] != float(analysis.headline[k])]
    deciding = (moved or moved_any or deciding_keys or list(numeric))[0]
    keys = [k for k in numeric if units[k] == units[deciding]]
    horizon = report._horizon_of(analysis)
    rows = _rows({k: numeric[k] for k in keys}, workbook, horizon, getattr(analysis.params, "unit_name", None))
    targets = {a.figure: a.target for a in getattr(analysis, "answers", {}).values()}
    target = float(targets[deciding]) if deciding in keys and _number(targets.get(deciding)) else None
    values = [numeric[k] for k in keys] + [float(analysis.headline[k]) for k in keys] + ([target] if target is not None else [])
    low, high = min(0.0, *values), max(0.0, *values)
    if high == low:
        high = low + 1.0
    label_w, plot_w, text_w, bar_h, gap, top = 250, 330, 130, 18, 12, 44
    height = top + len(keys) * (bar_h + gap) + 16
    width = label_w + plot_w + text_w

    def x(v: float) -> float:
        return label_w + (v - low) / (high - low) * plot_w

    esc = html.escape
    font = 'font-family="Helvetica, Arial, sans-serif"'
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="costbook-whatif-chart" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {font}>',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="0" y="16" font-size="14" font-weight="bold">What if: the figures with the sliders\' values</text>',
           f'<text x="0" y="32" font-size="11" fill="#555">Bars: with the sliders; black ticks: at base'
           + ('; dashed: where the verdict flips' if target is not None else '') + '</text>',
           f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top - 4}" y2="{height - 10}" stroke="#999"/>']
    for i, k in enumerate(keys):
        y = top + i * (bar_h + gap)
        now, base = numeric[k], float(analysis.headline[k])
        x0, x1 = sorted((x(0), x(now)))
        out.append(f'<text x="{label_w - 8}" y="{y + bar_h - 5}" font-size="12" text-anchor="end">'
                   f'{esc(_short(rows[k]["label"], 38))}</text>')
        out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar_h}" fill="{charts.NEUTRAL}"/>')
        out.append(f'<line x1="{x(base):.1f}" x2="{x(base):.1f}" y1="{y - 3}" y2="{y + bar_h + 3}" stroke="black" '
                   f'stroke-width="2.5"/>')
        out.append(f'<text x="{label_w + plot_w + 8}" y="{y + bar_h - 5}" font-size="12" font-weight="bold">'
                   f'{esc(rows[k]["text"])}</text>')
    if target is not None:
        out.append(f'<line x1="{x(target):.1f}" x2="{x(target):.1f}" y1="{top - 6}" y2="{height - 8}" '
                   f'stroke="{charts.BAD}" stroke-dasharray="4,4" stroke-width="1.5"/>')
    out.append("</svg>")
    return "".join(out)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def figures_table(workbook, analysis, figures: Mapping[str, Any]) -> str:
    """HTML: each recomputed figure, formatted with its unit, beside its base value."""
    from costlib import report

    horizon = report._horizon_of(analysis)
    unit_name = getattr(analysis.params, "unit_name", None)
    now = _rows(figures, workbook, horizon, unit_name)
    base = {r["key"]: r for r in report.figure_rows(workbook, analysis)}
    cell = "padding:3px 14px 3px 0;border-bottom:1px solid #e5e5e5"
    body = []
    for key, row in now.items():
        was = base.get(key, {}).get("text", "n/a")
        changed = was != row["text"]
        body.append(f'<tr><td style="{cell};text-align:left">{html.escape(row["label"])}</td>'
                    f'<td style="{cell};text-align:right;font-weight:600;white-space:nowrap" class="costbook-whatif-value">'
                    f'{html.escape(row["text"])}</td>'
                    f'<td style="{cell};text-align:right;color:#777;white-space:nowrap">at base {html.escape(was)}</td>'
                    f'<td style="{cell};color:#D55E00">{"changed" if changed else ""}</td></tr>')
    # JupyterLab centres and right-aligns rendered tables: this one sits at the left, labels left-aligned
    return (f'<table class="costbook-whatif-table" style="border-collapse:collapse;font-size:14px;margin:6px 0;'
            f'margin-left:0;margin-right:auto;table-layout:auto">{"".join(body)}</table>')


# ---------------------------------------------------------------------------------------------------
# Widgets.


def _controls(controls: Mapping[str, tuple], figures=(), unit_name: str | None = None, labels=None):
    """Build one row (label, slider, readout) per control; return ``(rows, sliders)``."""
    import ipywidgets as widgets

    labels = labels or {}
    rows, boxes = [], {}
    for name, spec in controls.items():
        info = describe(name, figures, unit_name)
        low, high, step, value = grid(*spec[:4], whole=info.unit == "month")
        label = labels.get(name, info.label)
        unit_words = _UNIT_WORDS.get(info.unit, "")
        per = " ".join(p for p in (unit_words if info.unit in ("usd", "gb") else "", info.per) if p)
        head = (f'<div class="mathjax_ignore" title="{html.escape(info.tooltip)}" style="line-height:1.25;'
                f'white-space:normal">{html.escape(label)}'
                + (f' <span style="color:#555">({html.escape(per)})</span>' if per else "")
                + (f'<br><span style="color:#777;font-size:11px">{html.escape(info.context)}</span>'
                   if info.context else "") + "</div>")
        slider = widgets.FloatSlider(value=value, min=low, max=high, step=step, readout=False,
                                     continuous_update=False, description="", tooltip=info.tooltip,
                                     layout=widgets.Layout(width="360px"))
        text = widgets.Text(value=readout(value, info.unit, step), continuous_update=False, tooltip=info.tooltip,
                            layout=widgets.Layout(width="120px"))
        text.add_class("costbook-readout")
        slider.add_class("costbook-slider")

        def on_slide(change, slider=slider, text=text, info=info, grid_=(low, high, step, value)):
            snapped = snap(change["new"], *grid_)
            if snapped != change["new"]:
                slider.value = snapped  # observers run again with the snapped value
                return
            shown = readout(snapped, info.unit, grid_[2])
            if text.value != shown:
                text.value = shown

        def on_type(change, slider=slider, text=text, info=info, grid_=(low, high, step, value)):
            typed = parse(change["new"], info.unit)
            snapped = slider.value if typed is None else snap(typed, *grid_)
            shown = readout(snapped, info.unit, grid_[2])
            if snapped != slider.value:
                slider.value = snapped  # on_slide shows the readout
            if text.value != shown:
                text.value = shown

        slider.observe(on_slide, names="value")
        text.observe(on_type, names="value")
        rows.append(widgets.HBox([widgets.HTML(head, layout=widgets.Layout(width="300px")), slider, text],
                                 layout=widgets.Layout(align_items="center")))
        rows[-1].add_class("costbook-control")
        boxes[name] = slider
    return rows, boxes


def sliders(render: Callable[..., None], controls: Mapping[str, tuple[float, float, float, float]],
            labels: Mapping[str, str] | None = None, figures=(), unit_name: str | None = None) -> None:
    """Show one slider per input and call ``render(**values)`` whenever one moves.

    Parameters
    ----------
    render : callable
        Draws the figures for the given input values.
    controls : mapping
        ``{input: (minimum, maximum, step, value)}``; the step is rounded and the grid put through the value.
    labels : mapping, optional
        Display names for the inputs (default: `describe`).
    figures : sequence of `costlib.contract.Figure`, optional
        The workbook's declarations, for inputs that are headline figures.
    """
    import ipywidgets as widgets
    from IPython.display import display

    rows, boxes = _controls(controls, figures, unit_name, labels)
    output = widgets.interactive_output(render, boxes)
    display(widgets.VBox([*rows, output]))


def panel(workbook, scenario, analysis) -> None:
    """The what-if panel: sliders from ``workbook.whatif_controls(scenario)``; on every move, the figures
    ``workbook.whatif`` recomputes (formatted, beside base), each decision's verdict and the what-if chart."""
    import ipywidgets as widgets
    from IPython.display import HTML, display

    from costlib import charts

    unit_name = getattr(scenario, "unit_name", None)
    controls = workbook.whatif_controls(scenario)
    rows, boxes = _controls(controls, workbook.FIGURES, unit_name)
    grids = {k: float(spec[3]) for k, spec in controls.items()}  # the grid passes through the base value
    output = widgets.Output()
    output.add_class("costbook-whatif-output")
    custom_chart = getattr(workbook, "whatif_chart", None)

    def draw(**values) -> None:
        figures = workbook.whatif(scenario, **values)
        words = "".join(f'<p style="margin:4px 0;font-size:14px">{_md_inline(v["words"])}</p>'
                        for v in verdicts(workbook, analysis, figures))
        output.clear_output(wait=True)
        with output:
            display(HTML(f'<div class="costbook-whatif mathjax_ignore tex2jax_ignore">'
                         f'{figures_table(workbook, analysis, figures)}{words}</div>'))
            drawn = (custom_chart(scenario, figures, analysis.headline) if custom_chart is not None
                     else chart(workbook, analysis, figures))
            if drawn is not None:
                svg = drawn if isinstance(drawn, str) else charts.to_svg(drawn)
                display({"image/svg+xml": svg, "text/plain": "[what-if chart]"}, raw=True)

    shown: dict = {}

    def on_change(_change=None) -> None:
        values = {k: s.value for k, s in boxes.items()}
        if any(snap(v, s.min, s.max, s.step, grids[k]) != v for (k, v), s in zip(values.items(), boxes.values())):
            return  # an off-grid value on its way to being snapped: draw once, for the snapped one
        if values != shown:
            shown.clear()
            shown.update(values)
            draw(**values)

    for slider in boxes.values():
        slider.observe(on_change, names="value")
    display(HTML('<p class="mathjax_ignore">Each slider starts at the scenario\'s value; drag it or type a value '
                 'in the box beside it (snapped to the slider\'s steps). Hover a label for the input\'s key.</p>'))
    display(widgets.VBox([*rows, output]))
    on_change()


def _md_inline(text: str) -> str:
    """The decision words (Markdown emphasis) as HTML; the text is escaped first."""
    import markdown_it

    return markdown_it.MarkdownIt("commonmark", {"html": False}).renderInline(text)
