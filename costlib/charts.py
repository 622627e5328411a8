"""Altair chart builders and one theme, so every workbook looks alike.

Charts are rendered to SVG with vl-convert (no JavaScript, no CDN): the HTML report draws them with the
network off, the SVG text is stable for nbval, and the runner saves each one as a file beside the report.
Builders take tidy pandas frames and return ``alt.Chart`` objects; `show` renders one in a notebook.

Every builder aggregates before charting: frames are small (tens to hundreds of rows).
"""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from costlib import report

#: One palette for categories across all workbooks (colour-blind safe, Okabe-Ito order).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999"]
GOOD = "#009E73"
BAD = "#D55E00"
NEUTRAL = "#0072B2"

WIDTH = 560
HEIGHT = 280


def _theme() -> dict:
    font = "Helvetica, Arial, sans-serif"
    return {
        "config": {
            "font": font,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": HEIGHT},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal", "labelOverlap": "greedy", "labelSeparation": 8,
                     "labelLimit": 360,
                     "gridColor": "#e6e6e6", "domainColor": "#999999", "tickColor": "#999999"},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "right", "labelLimit": 0},
            "title": {"fontSize": 14, "anchor": "start", "fontWeight": "bold", "subtitleFontSize": 11,
                      "subtitleColor": "#555555"},
            "range": {"category": PALETTE},
            "background": "white",
        }
    }


def setup() -> None:
    """Register and enable the costbook theme (idempotent). Builders call it themselves."""
    if "costbook" not in alt.theme.names():
        alt.theme.register("costbook", enable=False)(_theme)
    alt.theme.enable("costbook")


def _vl_version() -> str:
    major_minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return "v" + "_".join(major_minor)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to an SVG string with vl-convert (offline, deterministic)."""
    import vl_convert

    setup()
    return vl_convert.vegalite_to_svg(chart.to_dict(), vl_version=_vl_version())


#: The output metadata key of a chart's alternative text (`show`; the report's ``<img alt>``).
ALT_KEY = "costbook_alt"


def _spec_title(spec: dict) -> tuple[str, list[str]]:
    """The first title (text and subtitle lines) in a chart's spec, looking into layers and concatenations."""
    title = spec.get("title")
    if isinstance(title, str) and title:
        return title, []
    if isinstance(title, dict) and title.get("text"):
        sub = title.get("subtitle") or []
        return str(title["text"]), [sub] if isinstance(sub, str) else [str(x) for x in sub]
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for part in spec.get(key, []) or []:
            found = _spec_title(part)
            if found[0]:
                return found
    return "", []


def _main_rows(spec: dict) -> int | None:
    """Rows of the data the chart's first mark draws (None when it cannot be told)."""
    datasets = spec.get("datasets", {})
    part = spec
    while "data" not in part or not isinstance(part.get("data"), dict):
        layers = part.get("layer") or part.get("vconcat") or part.get("hconcat") or []
        if not layers:
            return None
        part = layers[0]
    data = part["data"]
    if "values" in data:
        return len(data["values"])
    if data.get("name") in datasets:
        return len(datasets[data["name"]])
    return None


def alt_text(chart: alt.TopLevelMixin, name: str) -> str:
    """A chart's alternative text: its title and subtitle (what it shows, in words), else its name.

    >>> import pandas as pd
    >>> alt_text(bars(pd.DataFrame({"c": ["a"], "v": [1.0]}), "c", "v", "Cost by team", "USD", subtitle="May"), "x")
    'Chart: Cost by team. May'
    """
    title, subtitle = _spec_title(chart.to_dict())
    from costlib import labels

    text = title or labels.sentence(labels.words(name))
    return "Chart: " + text.rstrip(".") + (". " + " ".join(s.rstrip(".") + "." for s in subtitle if s).rstrip(".")
                                           if any(subtitle) else "")


def show(chart: alt.TopLevelMixin, name: str, alt: str | None = None) -> None:
    """Display ``chart`` as inline SVG, labelled ``name`` so the runner can save it as ``<name>.svg``, with
    its alternative text (``alt``, else `alt_text`: the title and subtitle) for the report's image.

    A chart with nothing to draw (its main mark has no rows) is not drawn: one line says so instead."""
    from IPython.display import HTML, display

    spec = chart.to_dict()
    if _main_rows(spec) == 0:
        title = _spec_title(spec)[0] or name.replace("_", " ")
        display(HTML(f'<p class="costbook-no-chart mathjax_ignore"><i>{html.escape(title)}: nothing to draw for '
                     "this scenario.</i></p>"))
        return
    svg = to_svg(chart)
    display({"image/svg+xml": svg, "text/plain": f"[chart: {name}]"}, raw=True,
            metadata={"costbook_chart": name, ALT_KEY: alt or alt_text(chart, name)})


def _money_axis(title: str, maximum: float | None = None) -> alt.Axis:
    """A USD axis: $10k, $2.5M, $1.2B from $1,000 up; plain decimals below ($0.50, $0.00004), where SI
    prefixes (µ, m: "$500m" for $0.50) would puzzle a reader."""
    if maximum is not None and abs(maximum) < 0.01:  # three significant digits, never rounded to "$0"
        return alt.Axis(title=title, format="$,.3~r")
    if maximum is not None and abs(maximum) < 1:
        return alt.Axis(title=title, format="$,.3~f")
    if maximum is not None and abs(maximum) < 1000:  # SI would write $0.50 as "$500m"
        return alt.Axis(title=title, format="$,.2~f")
    return alt.Axis(title=title, format="$,.3~s", labelExpr="replace(datum.label, 'G', 'B')")


def _value_axis(title: str, frame: pd.DataFrame, money: bool, unit: str | None) -> alt.Axis:
    """The axis for an answer of the given declared unit: USD, percent, or plain."""
    if money or (unit or "").startswith("usd"):
        return _money_axis(title, _max(frame, "from", "to"))
    if unit in ("share", "probability"):
        return alt.Axis(title=title, format=".0%")
    return alt.Axis(title=title)


def as_words(frame: pd.DataFrame, *columns: str | None) -> pd.DataFrame:
    """A copy of ``frame`` with the key-like values (``kafka_on_bare_metal``) of ``columns`` as words
    (``kafka on bare metal``): a scenario's names in legends and axes read as words. Builders do it when
    asked (``words=True``); values from data (tag values, resource ids) are left as they are by default.

    >>> as_words(pd.DataFrame({"option": ["managed_queue", "Kafka"]}), "option")["option"].tolist()
    ['managed queue', 'Kafka']
    """
    from costlib import labels

    out = frame.copy()
    for c in columns:
        if c and c in out and out[c].dtype == object or (c and c in out and str(out[c].dtype).startswith("str")):
            out[c] = [labels.words(v) if isinstance(v, str) and labels.is_key(v) else v for v in out[c]]
    return out


def _max(frame: pd.DataFrame, *columns: str) -> float | None:
    values = [frame[c].abs().max() for c in columns if c in frame and len(frame)]
    return float(max(values)) if values else None


def stacked_cost(frame: pd.DataFrame, x: str, value: str, component: str, title: str,
                 x_title: str | None = None, y_title: str = "USD", x_type: str = "O",
                 subtitle: str | None = None, words: bool = False) -> alt.Chart:
    """Stacked bars: cost by ``component`` for each ``x`` (a volume, a month, an option); ``words``: a
    scenario's names as words (`as_words`)."""
    setup()
    if words:
        frame = as_words(frame, component, x if x_type != "Q" else None)
    return alt.Chart(frame, title=alt.TitleParams(title, subtitle=subtitle or [])).mark_bar().encode(
        x=alt.X(f"{x}:{x_type}", title=x_title or x, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"sum({value}):Q", title=y_title,
                axis=_money_axis(y_title, frame.groupby(x)[value].sum().abs().max() if len(frame) else None)),
        color=alt.Color(f"{component}:N", title=component.replace("_", " "), sort=None),
        order=alt.Order(f"{component}:N"),
        tooltip=[x, component, alt.Tooltip(value, format=",.2f")],
    ).properties(width=WIDTH, height=HEIGHT)


def lines(frame: pd.DataFrame, x: str, y: str, series: str | None = None, title: str = "",
          x_title: str | None = None, y_title: str | None = None, money: bool = True,
          subtitle: str | None = None, x_type: str = "Q", points: bool = True,
          rule_x: float | None = None, rule_label: str | None = None,
          x_money: bool = False, words: bool = False) -> alt.LayerChart | alt.Chart:
    """Lines of ``y`` over ``x``, one per ``series``; optionally a vertical rule at ``rule_x`` (a break-even).

    A quantitative x axis spans exactly the data (a 36-month horizon ends at 36); ``x_money`` formats it as
    USD; an ordinal x axis keeps its labels horizontal; ``words``: a scenario's names as words (`as_words`)."""
    setup()
    if words:
        frame = as_words(frame, series, x if x_type != "Q" else None)
    y_axis = _money_axis(y_title or y, _max(frame, y)) if money else alt.Axis(title=y_title or y)
    if x_type == "Q":
        x_axis = _money_axis(x_title or x, _max(frame, x)) if x_money else alt.Axis(title=x_title or x)
        x_enc = alt.X(f"{x}:Q", title=x_title or x, axis=x_axis, scale=alt.Scale(nice=False, zero=False))
    else:
        x_enc = alt.X(f"{x}:{x_type}", title=x_title or x, axis=alt.Axis(labelAngle=0))
    enc = {
        "x": x_enc,
        "y": alt.Y(f"{y}:Q", title=y_title or y, axis=y_axis),
        "tooltip": [x, alt.Tooltip(y, format=",.4~f")] + ([series] if series else []),
    }
    if series:
        enc["color"] = alt.Color(f"{series}:N", title=series.replace("_", " "), sort=None)
    chart = alt.Chart(frame, title=alt.TitleParams(title, subtitle=subtitle or [])).mark_line(
        point=points).encode(**enc).properties(width=WIDTH, height=HEIGHT)
    if rule_x is None:
        return chart
    rule_frame = pd.DataFrame({x: [rule_x], "label": [rule_label or f"{rule_x:,.3g}"]})
    rule = alt.Chart(rule_frame).mark_rule(color="#555555", strokeDash=[4, 4]).encode(x=f"{x}:{x_type}")
    # The label goes on the side of the rule with room for it: to its right, it would run past the plot
    # into the legend when the rule is in the right half ("pays back: month 27" of 36 over "option").
    align, dx = "left", 4
    if x_type == "Q" and len(frame):
        low, high = float(frame[x].min()), float(frame[x].max())
        if high > low and (float(rule_x) - low) / (high - low) > 0.5:
            align, dx = "right", -4
    text = alt.Chart(rule_frame).mark_text(align=align, dx=dx, dy=-HEIGHT / 2 + 10, color="#555555").encode(
        x=f"{x}:{x_type}", text="label:N")
    return alt.layer(chart, rule, text)


def moving_inputs(frame: pd.DataFrame) -> pd.Series:
    """Which rows of a `costlib.uncertainty.sensitivity` frame draw a tornado bar: an input held fixed (a
    zero-width range) or that moves nothing is left out.

    >>> moving_inputs(pd.DataFrame({"low": [1, 2, 1], "high": [2, 2, 3], "base_output": [5, 5, 5],
    ...                             "output_at_low": [4, 5, 5], "output_at_high": [6, 5, 5]})).tolist()
    [True, False, False]
    """
    return (frame["low"] != frame["high"]) & ((frame["output_at_low"] - frame["base_output"]).abs()
                                              + (frame["output_at_high"] - frame["base_output"]).abs() > 0)


def tornado(frame: pd.DataFrame, output_label: str, title: str = "What moves the answer most",
            top: int = 10, money: bool = False, unit: str | None = None, figures=(),
            unit_name: str | None = None, workbook=None) -> alt.LayerChart:
    """Tornado chart from `costlib.uncertainty.sensitivity`: one bar per input from its low to its high
    output, sorted by swing, with the base value as a rule.

    ``frame`` needs columns ``input``, ``output_at_low``, ``output_at_high``, ``base_output``, ``low``,
    ``high``. ``unit`` is the answer's declared unit (`costlib.contract.UNITS`): money units get a USD axis,
    shares and probabilities a percent axis (``money=True`` is the same as a money unit). Each input is
    labelled by the label registry (`costlib.labels.describe`, with the workbook's ``figures``) with its
    range in its unit: ``Build months (kafka on bare metal): 4.8 months to 7.2 months``.
    """
    setup()
    data = frame[moving_inputs(frame)].head(top).copy()
    figures = figures or getattr(workbook, "FIGURES", ())
    columns = getattr(workbook, "COLUMNS", None)
    data["label"] = [_input_range(i, lo, hi, figures, unit_name, columns) for i, lo, hi in
                     zip(data["input"], data["low"], data["high"])]
    rows = []
    for _, r in data.iterrows():
        rows.append({"label": r["label"], "end": "low input", "from": r["base_output"], "to": r["output_at_low"]})
        rows.append({"label": r["label"], "end": "high input", "from": r["base_output"], "to": r["output_at_high"]})
    long = pd.DataFrame(rows, columns=["label", "end", "from", "to"])  # typed even when nothing moves
    order = list(data["label"])
    base = float(data["base_output"].iloc[0]) if len(data) else 0.0
    bars = alt.Chart(long, title=alt.TitleParams(title, subtitle=[
        f"Each bar: {output_label} when one input moves to its low or high value, the others at base"]
    )).mark_bar(height=14).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=360)),
        x=alt.X("from:Q", title=output_label, axis=_value_axis(output_label, long, money, unit)),
        x2="to:Q",
        color=alt.Color("end:N", title="input at", scale=alt.Scale(domain=["low input", "high input"],
                                                                   range=[NEUTRAL, "#E69F00"])),
        tooltip=["label:N", "end:N", alt.Tooltip("to:Q", format=",.4~f")],
    )
    rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(color="black").encode(x="base:Q")
    return alt.layer(bars, rule).properties(width=WIDTH, height=max(120, 28 * len(order)))


def _input_range(key: str, low: float, high: float, figures=(), unit_name: str | None = None, columns=None) -> str:
    """A tornado bar's label: the input in words with its low and high values in its unit.

    >>> _input_range("kafka_on_bare_metal.build_months", 4.8, 7.2)
    'Build months (kafka on bare metal): 4.8 months to 7.2 months'
    """
    from costlib import labels

    info = labels.describe(key, figures, unit_name, columns)
    unit = "number" if info.unit == "text" else info.unit
    return f"{labels.sentence(info.name)}: {labels.text(low, unit)} to {labels.text(high, unit)}"


def band(frame: pd.DataFrame, x: str, title: str, y_title: str, x_title: str | None = None,
         money: bool = True, subtitle: str | None = None, rule_y: float | None = None) -> alt.LayerChart:
    """P10-P90 band with the P50 line over ``x``; ``frame`` has columns ``x``, ``p10``, ``p50``, ``p90``.
    ``rule_y`` draws a horizontal reference line (zero, a price, a target)."""
    setup()
    axis = _money_axis(y_title, _max(frame, "p10", "p50", "p90")) if money else alt.Axis(title=y_title)
    base = alt.Chart(frame, title=alt.TitleParams(title, subtitle=subtitle or [
        "Shaded: P10 to P90 of the Monte Carlo runs; line: P50 (median)"]))
    area = base.mark_area(opacity=0.25, color=NEUTRAL).encode(
        x=alt.X(f"{x}:Q", title=x_title or x, scale=alt.Scale(nice=False, zero=False)),
        y=alt.Y("p10:Q", title=y_title, axis=axis), y2="p90:Q")
    line = base.mark_line(color=NEUTRAL).encode(x=f"{x}:Q", y="p50:Q",
                                                tooltip=[x, alt.Tooltip("p10:Q", format=",.4~f"),
                                                         alt.Tooltip("p50:Q", format=",.4~f"),
                                                         alt.Tooltip("p90:Q", format=",.4~f")])
    layers = [area, line]
    if rule_y is not None:
        layers.append(alt.Chart(pd.DataFrame({"y": [rule_y]})).mark_rule(color="#555555", strokeDash=[4, 4])
                      .encode(y="y:Q"))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def bars(frame: pd.DataFrame, category: str, value: str, title: str, value_title: str,
         highlight: str | None = None, money: bool = True, subtitle: str | None = None,
         words: bool = False) -> alt.Chart:
    """Horizontal bars of ``value`` per ``category``; bars where column ``highlight`` is true are red;
    ``words``: a scenario's names as words (`as_words`)."""
    setup()
    if words:
        frame = as_words(frame, category)
    axis = _money_axis(value_title, _max(frame, value)) if money else alt.Axis(title=value_title)
    color = (alt.condition(f"datum.{highlight}", alt.value(BAD), alt.value(NEUTRAL)) if highlight
             else alt.value(NEUTRAL))
    return alt.Chart(frame, title=alt.TitleParams(title, subtitle=subtitle or [])).mark_bar().encode(
        y=alt.Y(f"{category}:N", sort=None, title=None, axis=alt.Axis(labelLimit=300)),
        x=alt.X(f"{value}:Q", title=value_title, axis=axis),
        color=color,
        tooltip=[category, alt.Tooltip(value, format=",.4~f")],
    ).properties(width=WIDTH, height=max(100, 28 * len(frame)))
