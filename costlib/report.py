"""What a workbook shows a reader, and how the runner turns an executed notebook into a report.

Notebook side (called from cells):

- `headline` prints the handful of figures a reader needs as a plain-text table (the cell nbval checks);
- `recommend` shows the recommendation in words;
- `publish` emits the headline figures as ``application/json`` for the runner and the index page;
- `appendix` shows the full parameters, the params file, its SHA-256, the costlib version and the time.

Runner side: `extract_results`, `extract_charts`, `to_html` (no code cells, no CDN scripts) and
`write_index` (``outputs/index.html``). Files are written with `atomic_write`: a report is only ever
replaced by a complete new one.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import html
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping

import yaml

import costlib
from costlib import params as _params

#: The results payload's mimetype. JupyterLab shows ``application/json`` as a JSON tree viewer; it has no
#: renderer for this one, so the payload travels in the notebook and nothing shows (nbformat keeps any
#: ``application/...+json`` type as JSON). Notebooks executed before it carried ``application/json``.
RESULTS_MIME = "application/vnd.costbook.results+json"
LEGACY_RESULTS_MIME = "application/json"
RESULTS_KEY = "costbook_results"
CHART_KEY = "costbook_chart"
#: Every `table` a notebook shows also carries its data (values, column formats) under this mimetype, which
#: no front end renders: the runner reads it back for the xlsx export (`extract_tables`).
TABLE_MIME = "application/vnd.costbook.table+json"


def escape(value: Any) -> str:
    """A user-provided string (title, description, vendor, label...) as literal text in Markdown or HTML.

    Every string from a params file that a report shows goes through this one function: HTML's special
    characters become entities, and so do the Markdown characters that make links, images, emphasis, code
    and tables, so the text can never become markup (no ``<script>``, no event handler, no
    ``[x](javascript:...)`` link) whether the string lands in a Markdown cell or in HTML. Entities render
    as the characters themselves in both.

    A ``$`` stays a ``$``: money is text too. JupyterLab's MathJax would read the text between two dollar
    signs as a formula, and no escape of the character survives both JupyterLab's Markdown (which needs
    ``\\$``) and nbconvert's (which then shows the backslash); so the other half of this rule is where the
    text is shown: everything costlib displays sits in a ``mathjax_ignore`` container (`recommend`,
    `headline_table`, `table`, `appendix`, the what-if panel), and so does every ``IPython.display.Markdown``
    a notebook shows once costlib.report is imported (`markdown_html`). The HTML report has no MathJax and
    the index renders no Markdown.

    Examples
    --------
    >>> escape('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert&#40;1&#41;&quot;&gt;'
    >>> escape("[click](javascript:alert(1)) *now*")
    '&#91;click&#93;&#40;javascript:alert&#40;1&#41;&#41; &#42;now&#42;'
    >>> escape("Kafka on EC2, $0.50 per million")
    'Kafka on EC2, $0.50 per million'
    >>> escape("the loader's #1 check")
    'the loader&#x27;s &#35;1 check'
    """
    # One pass: escaping HTML first and Markdown after would turn the '#' of '&#x27;' into an entity
    # too, and an apostrophe would show as "&#x27;".
    return str(value).translate(_ENTITIES)


_ENTITIES = {**{ord(c): f"&#{ord(c)};" for c in "\\`*_[]()!|~#{}"},
             ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("'"): "&#x27;"}


# ---------------------------------------------------------------------------------------------------
# Formatting


def fmt(value: Any) -> str:
    """Format a figure for people: thousands separators, sensible precision, units left to the name.

    Examples
    --------
    >>> fmt(1234567.891), fmt(12.3456), fmt(0.012345), fmt(-0.5), fmt("sub-linear"), fmt(None), fmt(36)
    ('1,234,568', '12.35', '0.01235', '-0.5', 'sub-linear', 'n/a', '36')
    """
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return f"{int(value):,d}"
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "never" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:,.2f}"
    if magnitude == 0:
        return "0"
    return _small(value)


def _small(value: float) -> str:
    """Four significant figures without scientific notation: 0.0001369, 0.00004, 0.1667."""
    import numpy as np

    return np.format_float_positional(value, precision=4, unique=True, fractional=False, trim="-")


def usd(x: float) -> str:
    """Money for sentences: ``$1.25M``, ``$12,500``, ``$3.40``, ``$0.125``, ``$0.000137``.

    Examples
    --------
    >>> usd(1_250_000), usd(12_500), usd(3.4), usd(0.125), usd(0.000137), usd(-2e9), usd(1.2e-05)
    ('$1.25M', '$12,500', '$3.40', '$0.125', '$0.000137', '-$2.00B', '$0.000012')
    """
    x = float(x)
    if x < 0:
        return "-" + usd(-x)
    if x >= 1e9:
        return f"${x / 1e9:,.2f}B"
    if x >= 1e6:
        return f"${x / 1e6:,.2f}M"
    if x >= 1e3:
        return f"${x:,.0f}"
    if x >= 1:
        return f"${x:,.2f}"
    if x >= 0.01:
        return f"${x:.3f}"
    return "$" + _small(float(f"{x:.3g}"))


def pct(x: float) -> str:
    """A decimal rate as a percentage for sentences: ``0.1667 -> '16.7%'``.

    Examples
    --------
    >>> pct(0.1667), pct(-0.05)
    ('16.7%', '-5.0%')
    """
    return f"{100 * float(x):.1f}%"


def count(x: float) -> str:
    """A volume (or any plain quantity) for sentences: ``116.67M``, ``2.50B`` from a million up, whole with
    separators below (``12,500``, ``950``: a label that promises "per month" gets the number itself, not
    "12.5k"); below 100 three significant figures (``2.5``, ``0.08``), never an exponent.

    Examples
    --------
    >>> count(116_666_624), count(2.5e9), count(12_500), count(950), count(2.5), count(0.08), count(40)
    ('116.67M', '2.50B', '12,500', '950', '2.5', '0.08', '40')
    """
    from costlib import labels

    x = float(x)
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.2f}B"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M"
    return labels.quantity(x)


def headline_text(figures: Mapping[str, Any]) -> str:
    """The headline table as text: one figure per line, name (with its unit) then value.

    Examples
    --------
    >>> print(headline_text({"cost_usd_per_stream": 0.0123, "scaling": "sub-linear", "break_even_month": None}))
    cost_usd_per_stream      0.0123
    scaling              sub-linear
    break_even_month          never
    """
    width = max(len(k) for k in figures)
    # a month figure that is None did not happen within the horizon (costlib.timing.NEVER)
    values = {k: "never" if v is None and k.endswith("_month") else fmt(v) for k, v in figures.items()}
    vwidth = max(len(v) for v in values.values())
    return "\n".join(f"{k:<{width}}  {v:>{vwidth}}" for k, v in values.items())


def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------------------------------------------
# Notebook side

#: The classes that keep JupyterLab's MathJax off a container (MathJax 3, and MathJax 2's name).
_NO_MATH = "mathjax_ignore tex2jax_ignore"


@functools.lru_cache(maxsize=1)
def _markdown():
    import markdown_it  # shipped with jupyter's dependencies

    # Markdown as a notebook author writes it for display(Markdown(...)): CommonMark, tables, raw HTML from
    # the notebook's own code (strings from files arrive escaped: `escape`).
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def markdown_html(text: str) -> str:
    """Markdown as HTML in a ``mathjax_ignore`` container: money in prose ("$5.62M over 36 months, $1.88M")
    stays money in JupyterLab, where MathJax would typeset the text between the two dollar signs.

    Examples
    --------
    >>> print(markdown_html("**$5.62M** over 36 months, $1.88M"))
    <div class="costbook-markdown mathjax_ignore tex2jax_ignore"><p><strong>$5.62M</strong> over 36 months, $1.88M</p>
    </div>
    """
    return f'<div class="costbook-markdown {_NO_MATH}">{_markdown().render(str(text))}</div>'


def install_markdown_html(shell=None) -> bool:
    """Give every ``IPython.display.Markdown`` an HTML form (`markdown_html`), which JupyterLab and nbconvert
    both prefer to the Markdown, so prose a notebook shows is never typeset as math. Done on import of this
    module inside IPython; returns whether a shell was found."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown
    except ImportError:  # pragma: no cover (IPython ships with ipykernel)
        return False
    shell = shell or get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    shell.display_formatter.formatters["text/html"].for_type(Markdown, lambda m: markdown_html(m.data or ""))
    return True



def headline(figures: Mapping[str, Any]) -> None:
    """Print the headline table (checked by nbval: keep it deterministic)."""
    print(headline_text(figures))


def table(frame, money=(), percent=(), decimals: int = 4, labels=None, unit_name: str | None = None,
          sheet: str | None = None):
    """A pandas Styler for display: money columns with thousands separators, shares as percentages,
    other numbers with up to ``decimals`` significant figures, no index.

    With ``labels`` (a workbook module: its ``FIGURES`` and ``COLUMNS`` declarations, then
    `costlib.labels.COMMON`, then the units in the names), every column is shown under its label with its
    unit (``Cost (USD per month)``) and every value formatted by its unit (`labels_table`). ``sheet`` names
    the xlsx sheet the table goes on (default: one sheet per section of the report, `extract_tables`): a
    workbook with many sections groups them into a few sheets this way."""
    if labels is not None:
        out = labels_table(frame, labels, money=money, percent=percent, unit_name=unit_name)
        if sheet:
            out.costbook_payload["sheet"] = sheet
        return out
    formats = {}
    for column in frame.columns:
        if column in money:
            formats[column] = lambda v: "n/a" if v is None or v != v else (
                f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.2f}" if abs(v) >= 1 else _small(v))
        elif column in percent:
            formats[column] = lambda v: "n/a" if v is None or v != v else f"{100 * v:,.1f}%"
        elif frame[column].dtype.kind == "f":
            formats[column] = lambda v, d=decimals: "n/a" if v != v else fmt(v)
    text = [c for c in frame.columns if frame[c].dtype.kind not in "biufc"]
    # Text cells (names, labels, descriptions from the params file) are text, never markup.
    # A stable id from the content instead of pandas' random one, and a repr without a memory address:
    # a report repeats byte for byte run after run.
    styler = _stable_styler()(frame, uuid=hashlib.sha256(frame.to_csv().encode()).hexdigest()[:8])
    styler.costbook_formats = {"money": [str(c) for c in frame.columns if c in money],
                               "percent": [str(c) for c in frame.columns if c in percent]}
    if sheet:
        styler.costbook_formats["sheet"] = sheet
    styler = styler.format(formats).hide(axis="index")
    plain = [c for c in text if c not in formats]
    if plain:  # after format(formats), which resets every column it does not name
        styler = styler.format(escape="html", subset=plain)
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    # Column names can come from a file too (a tag key as a column): text, never markup. Money in a text
    # cell ("saves $5k, costs $6k") is money, not MathJax.
    return styler.format_index(escape="html", axis=1).set_table_attributes(f'class="{_NO_MATH}"')


#: Columns whose unit is the unit of the row's input (a flip table's values are in the input's unit).
INPUT_VALUE_COLUMNS = ("base_value", "flip_value", "low", "high", "verdict_flips_at")


def column_labels(frame, workbook=None, money=(), percent=(), unit_name: str | None = None) -> dict:
    """``{column: costlib.labels.Label}`` of a table's columns: declared (or parsed) label and unit;
    ``money`` and ``percent`` name columns whose unit the name does not carry."""
    from costlib import labels as L

    out = {}
    for c in frame.columns:
        lab = L.column(str(c), workbook, unit_name)
        if c in money and not lab.unit.startswith("usd"):
            lab = L.Label(lab.key, lab.label if lab.unit != "text" else L.sentence(L.words(c)), "usd", lab.per,
                          lab.context)
        elif c in percent and lab.unit not in ("share", "probability"):
            lab = L.Label(lab.key, lab.label if lab.unit != "text" else L.sentence(L.words(c)), "share", "",
                          lab.context)
        elif lab.unit == "text" and frame[c].dtype.kind in "iuf":
            lab = L.Label(lab.key, lab.label, "number", lab.per, lab.context)
        out[c] = lab
    return out


def labelled_cells(frame, workbook=None, money=(), percent=(), unit_name: str | None = None):
    """``(headers, units, rows of text)`` of a table as a reader sees it: each column under its label with
    its unit, each value formatted by its unit (`costlib.labels.text`); a flip table's values in the unit
    of their row's input, the input by its label, "flips when" in words with that unit."""
    from costlib import labels as L

    cols = column_labels(frame, workbook, money, percent, unit_name)
    figures = getattr(workbook, "FIGURES", ())
    headers, seen = [], set()
    for c in frame.columns:
        h = cols[c].header
        while h in seen:
            h += " "
        seen.add(h)
        headers.append(h)
    units = [cols[c].unit for c in frame.columns]
    has_input = "input" in frame.columns
    rows = []
    for record in frame.to_dict("records"):
        row_unit = L.describe(str(record["input"]), figures, unit_name).unit if has_input else None
        cells = []
        for c in frame.columns:
            v = record[c]
            unit = cols[c].unit
            if has_input and c in INPUT_VALUE_COLUMNS:
                unit = row_unit
            if has_input and c == "input":
                cells.append(L.sentence(L.describe(str(v), figures, unit_name).name))
            elif has_input and c == "flips_when" and "flip_value" in record:
                flip, base = record["flip_value"], record.get("base_value")
                if L.number(flip) and L.number(base):
                    cells.append(f"{'above' if float(flip) > float(base) else 'below'} {L.text(flip, row_unit)}")
                else:
                    cells.append("no flip in the range searched")
            elif c == "flip_value" or c == "verdict_flips_at":
                cells.append(L.text(v, unit, why="no flip in range"))
            elif c.startswith("change_from"):
                cells.append(L.text(v, unit, why="no flip in range"))
            else:  # the header carries "per month": the cell is the amount ("$1,500", not "$1,500/month")
                cells.append(L.text(v, "usd" if unit.startswith("usd") else unit))
        rows.append(cells)
    return headers, units, rows


def labels_table(frame, workbook=None, money=(), percent=(), unit_name: str | None = None):
    """`table` with every column under its label with its unit and every value formatted by its unit
    (`labelled_cells`); the xlsx export reads the raw values, labels and units back (`table_payload`)."""
    import pandas as pd

    frame = frame.reset_index(drop=True)
    headers, units, rows = labelled_cells(frame, workbook, money, percent, unit_name)
    shown = pd.DataFrame(rows, columns=headers)
    styler = _stable_styler()(shown, uuid=hashlib.sha256(frame.to_csv().encode()).hexdigest()[:8])
    styler.costbook_payload = table_payload(frame, money=[str(c) for c in frame.columns if c in money],
                                            percent=[str(c) for c in frame.columns if c in percent],
                                            headers=headers, units=units, text=rows)
    styler = styler.hide(axis="index").format(escape="html")
    numeric = [h for h, u in zip(headers, units) if u != "text"]
    left = [h for h in headers if h not in numeric]
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right", "white-space": "nowrap"})
    if left:
        styler = styler.set_properties(subset=left, **{"text-align": "left"})
    # each header sits over its values: text columns left, numbers right
    styler = styler.set_table_styles({h: [{"selector": "th", "props": [("text-align", "left" if h in left else "right")]}]
                                      for h in headers}, overwrite=False)
    return styler.format_index(escape="html", axis=1).set_table_attributes(f'class="{_NO_MATH} costbook-table"')


@functools.lru_cache(maxsize=1)
def _stable_styler():
    from pandas.io.formats.style import Styler

    class Table(Styler):
        def __repr__(self) -> str:
            return f"<table: {len(self.data)} rows>"

        def _repr_mimebundle_(self, include=None, exclude=None):
            payload = getattr(self, "costbook_payload", None) or table_payload(
                self.data, **getattr(self, "costbook_formats", {}))
            return {"text/html": self._repr_html_(), TABLE_MIME: payload}

    return Table


def table_payload(frame, money=(), percent=(), headers=None, units=None, text=None, sheet=None) -> dict:
    """A displayed table as JSON: column names, rows of JSON-clean values, and which columns are money or
    percent (the others keep their names' units: ``*_month``, ``*_months``); for a labelled table also
    the column headers as shown, each column's unit and the rows as shown (``headers``, ``units``,
    ``text``)."""
    import pandas as pd

    def cell(v):
        if isinstance(v, (pd.Timestamp, _dt.date, _dt.datetime)):
            return str(v.date() if isinstance(v, pd.Timestamp) and v == v.normalize() else v)
        if isinstance(v, pd.Timedelta):
            return str(v)
        v = _clean(v)
        return v if v is None or isinstance(v, (bool, int, float, str)) else str(v)

    rows = [[cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    out = {"columns": [str(c) for c in frame.columns], "rows": rows, "money": list(money), "percent": list(percent)}
    if headers is not None:
        out.update(headers=list(headers), units=list(units), text=[list(r) for r in text])
    if sheet:
        out["sheet"] = str(sheet)
    return out


def recommend(text: str) -> None:
    """Show the recommendation (Markdown) in a highlighted box."""
    from IPython.display import HTML, display

    import markdown_it  # shipped with jupyter's dependencies

    body = markdown_it.MarkdownIt("commonmark", {"html": False}).render(text)  # no raw HTML passes through
    display(HTML(f'<div class="costbook-recommendation {_NO_MATH}" style="border-left:4px solid #009E73;'
                 f'background:#f3faf7;padding:8px 16px;margin:8px 0">{body}</div>'))


def publish(figures: Mapping[str, Any], recommendation: str, topic: str, /, **extra: Any) -> None:
    """Emit the headline figures as JSON for the runner: shown as nothing, in JupyterLab and in the report
    (a mimetype no front end renders, with an empty text alternative)."""
    from IPython.display import display

    # nbformat stores JSON outputs with sorted keys: keep the headline's order separately.
    payload = _clean({"topic": topic, "headline": dict(figures), "headline_order": list(figures),
                      "recommendation": recommendation, **extra})
    display({RESULTS_MIME: payload, "text/plain": ""}, raw=True, metadata={RESULTS_KEY: True})


def _horizon_of(analysis) -> int | None:
    return getattr(analysis, "horizon_months", None) or getattr(getattr(analysis, "params", None),
                                                                "horizon_months", None)


def figure_rows(workbook, analysis) -> list[dict]:
    """The headline as declared rows (`costlib.contract.figure_rows`): key, label, value, unit, text,
    meaning and the producing function."""
    from costlib import contract

    rows = contract.figure_rows(analysis.headline, workbook.FIGURES, _horizon_of(analysis),
                                getattr(analysis.params, "unit_name", None))
    # Where each figure comes from: "bill", "scenario" or "assumed" (a workbook that reads a bill says per
    # figure through ``figure_basis``; the others model the scenario's inputs).
    basis = getattr(workbook, "figure_basis", None)
    for r in rows:
        r["basis"] = basis(analysis, r["key"]) if basis else "scenario"
    return rows


def shown_text(row: Mapping[str, Any]) -> str:
    """A figure's text as the headline table and the index card show it: marked when it rests on an
    assumption (``basis`` "assumed"), so an assumption never reads as a finding."""
    return row["text"] + (" (assumed)" if row.get("basis") == "assumed" else "")


def decision_records(workbook, analysis) -> list[dict]:
    """Each decision of the analysis as a JSON-ready record, with its words."""
    import dataclasses

    from costlib import contract

    rows = {r["key"]: r for r in figure_rows(workbook, analysis)}
    return [{**dataclasses.asdict(d), "close_call": d.close_call, "words": contract.decision_words(d, rows)}
            for d in workbook.decisions(analysis)]


_TABLE_STYLE = ("border-collapse:collapse;font-size:14px;margin:6px 0 12px 0")
_CELL = "padding:4px 14px 4px 0;border-bottom:1px solid #e5e5e5;text-align:left"


def headline_table(workbook, analysis) -> None:
    """Show the verdicts, then the headline as a formatted table (label, value with its unit)."""
    from IPython.display import HTML, display

    decisions = decision_records(workbook, analysis)
    verdicts = "".join(
        f'<p style="font-size:15px;margin:4px 0"><b>{html.escape(d["question"])}:</b> '
        f'{html.escape(d["verdict"].replace("_", " "))}'
        + (' <span style="color:#D55E00">(close call)</span>' if d["close_call"] else "") + "</p>"
        for d in decisions)
    body = "".join(f'<tr><td style="{_CELL}">{html.escape(r["label"])}</td>'
                   f'<td style="{_CELL};text-align:right;font-weight:600;white-space:nowrap">'
                   f'{html.escape(shown_text(r))}</td></tr>' for r in figure_rows(workbook, analysis))
    display(HTML(f'<div class="costbook-headline mathjax_ignore tex2jax_ignore">{verdicts}'
                 f'<table style="{_TABLE_STYLE}">{body}</table></div>'))


def publish_analysis(workbook, analysis, title: str) -> None:
    """`publish` with the declared figures (value, unit, label, text) and the decision records."""
    rows = figure_rows(workbook, analysis)
    figures = [{k: r[k] for k in ("key", "label", "value", "unit", "text", "source", "basis")} for r in rows]
    publish(analysis.headline, analysis.recommendation, workbook.TOPIC, title=title, figures=figures,
            decisions=decision_records(workbook, analysis))


def figure_sources(workbook, analysis) -> None:
    """The appendix's "where each figure comes from": figure, unit, meaning, costlib function."""
    from IPython.display import HTML, display

    rows = "".join(f'<tr><td style="{_CELL}"><code>{html.escape(r["key"])}</code></td>'
                   f'<td style="{_CELL}">{html.escape(r["unit"])}</td>'
                   f'<td style="{_CELL}">{html.escape(r["meaning"])}</td>'
                   f'<td style="{_CELL}"><code>{html.escape(r["source"])}</code></td></tr>'
                   for r in figure_rows(workbook, analysis))
    head = "".join(f'<th style="{_CELL};text-align:left">{h}</th>' for h in ("figure", "unit", "meaning",
                                                                             "costlib function"))
    display(HTML(f'<div class="mathjax_ignore tex2jax_ignore"><p><b>Where each figure comes from</b></p>'
                 f'<table style="{_TABLE_STYLE};font-size:12px"><tr>{head}</tr>{rows}</table></div>'))


def provenance(params_file: str | os.PathLike | None, data_files: Mapping[str, Any] | None = None) -> dict:
    """Where a report came from: params file and SHA-256, costlib version, git commit, UTC time, and for a
    report that reads billing data, every data file's path, size and SHA-256 with their manifest hash
    (``data_files``: `costlib.billing.BillingData.provenance`)."""
    info = {
        "params_file": None,
        "params_sha256": None,
        "costlib_version": costlib.__version__,
        "git_commit": git_commit(),
        "produced_at_utc": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
    }
    if params_file:
        info["params_file"] = _params.display_path(params_file)
        if Path(params_file).is_file():
            info["params_sha256"] = _params.sha256_of(params_file)
    if data_files:
        info["data_files"] = [dict(f) for f in data_files.get("files", [])]
        info["data_manifest_sha256"] = data_files.get("manifest_sha256")
    return info


def git_commit() -> str | None:
    """The checkout's commit (with ``-dirty`` if the tree has changes), or None outside git."""
    try:
        root = _params.project_root()
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=5)
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=5)
        return commit.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError, Exception):
        return None


def appendix(scenario, params_file: str | None, data_files: Mapping[str, Any] | None = None) -> None:
    """Show the full parameters and the provenance of this run (with the billing data files, if any)."""
    from IPython.display import HTML, Markdown, display

    info = provenance(params_file, data_files)
    values = _params.as_dict(scenario)
    rows = [("params file", info["params_file"] or "none (the notebook's defaults)"),
            ("params file SHA-256", info["params_sha256"] or "n/a"),
            ("costlib version", info["costlib_version"]),
            ("git commit", info["git_commit"] or "n/a"),
            ("produced at (UTC)", info["produced_at_utc"])]
    table = "\n".join(f"| {k} | `{v}` |" for k, v in rows)
    dumped = _params.redact_passwords(yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=100))
    display(Markdown(f"| | |\n|---|---|\n{table}"))
    if info.get("data_files"):
        files = "".join(f"<tr><td>{html.escape(str(f['path']))}</td><td>{int(f['bytes']):,}</td>"
                        f"<td><code>{html.escape(str(f['sha256']))}</code></td></tr>" for f in info["data_files"])
        display(HTML(f"<p class='{_NO_MATH}'>Billing data read (manifest SHA-256 <code>{html.escape(str(info['data_manifest_sha256']))}"
                     f"</code>):</p><table><tr><th>file</th><th>bytes</th><th>SHA-256</th></tr>{files}</table>"))
    style = "font-size:12px;background:#f7f7f7;padding:8px;white-space:pre-wrap"
    if params_file and Path(params_file).is_file():
        written = _params.redact_passwords(Path(params_file).read_text(encoding="utf-8"))
        display(HTML(f"<div class='{_NO_MATH}'><p>The params file as written:</p><pre style=\"{style}\">"
                     f"{html.escape(written)}</pre></div>"))
    display(HTML(f"<details class='{_NO_MATH}'><summary>Every parameter as validated: defaults filled in, pricebook references "
                 f"resolved</summary><pre style=\"{style}\">{html.escape(dumped)}</pre></details>"))


# ---------------------------------------------------------------------------------------------------
# Runner side


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def extract_results(nb) -> dict | None:
    """The payload `publish` emitted in an executed notebook, or None."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            mime = RESULTS_MIME if RESULTS_MIME in data else LEGACY_RESULTS_MIME
            if output.get("metadata", {}).get(RESULTS_KEY) and mime in data:
                results = dict(data[mime])
                order = results.pop("headline_order", None) or list(results.get("headline", {}))
                results["headline"] = {k: results["headline"][k] for k in order}
                return results
    return None


def extract_tables(nb) -> list[dict]:
    """Every table `table` displayed in an executed notebook, in order: its payload (`table_payload`), a
    title, the last heading or bold lead-in shown before it (``"Flip points"``, ``"Total cost of ownership by
    option"``), and its section, the last second-level heading (``## ...``) before it: the xlsx puts the
    tables of one section on one sheet unless a table names its ``sheet``."""
    tables, title, section = [], "", ""
    heading = re.compile(r"^\s*(?:#{1,4}\s+(.+?)\s*$|\*\*(.+?)\*\*)", re.M)
    section_heading = re.compile(r"^\s*##\s+(.+?)\s*$", re.M)

    def last_heading(text: str, pattern=heading) -> str | None:
        found = [next(g for g in m.groups() if g) for m in pattern.finditer(text or "")]
        return html.unescape(found[-1]).strip(" :.") if found else None

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            section = last_heading(cell.source, section_heading) or section
            title = last_heading(cell.source) or title
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                section = last_heading(data["text/markdown"], section_heading) or section
                title = last_heading(data["text/markdown"]) or title
            if TABLE_MIME in data:
                tables.append({"title": title, "section": section, **data[TABLE_MIME]})
    return tables


def extract_charts(nb) -> dict[str, str]:
    """``{name: svg}`` for every chart `costlib.charts.show` displayed."""
    charts = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get(CHART_KEY)
            if name and "image/svg+xml" in output.get("data", {}):
                charts[name] = output["data"]["image/svg+xml"]
    return charts


_CDN_SCRIPT = re.compile(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>', re.IGNORECASE)
_CDN_MODULE = re.compile(r'<script type="module">(?:(?!</script>).)*?https?://(?:(?!</script>).)*</script>', re.S)
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)

REPORT_CSS = """
<style>
  body.jp-Notebook { max-width: 980px; margin: 0 auto; padding: 16px 24px; }
  .jp-OutputArea-output pre { font-size: 13px; }
  .jp-RenderedHTMLCommon table { font-size: 13px; }
  /* a wide table (a month-by-month grid) scrolls inside the page instead of being cut off at its edge */
  .jp-RenderedHTMLCommon table.costbook-table { display: block; max-width: 100%; overflow-x: auto; }
  .jp-RenderedHTMLCommon table.costbook-table td, .jp-RenderedHTMLCommon table.costbook-table th { padding: 4px 8px; }
  .costbook-meta { color: #555; font-size: 12px; margin: 0 0 12px 0; }
</style>
"""


_NO_ALT = 'alt="No description has been provided for this image"'
_SVG_IMG = re.compile(r'<img alt="No description has been provided for this image" src="data:image/svg\+xml;base64,([^"]+)"')


def _chart_alts(nb) -> dict[str, str]:
    """``{base64 of the chart's SVG: its alternative text}`` (`costlib.charts.show` records it)."""
    import base64

    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            alt = output.get("metadata", {}).get("costbook_alt")
            svg = output.get("data", {}).get("image/svg+xml")
            if alt and svg:
                out[base64.b64encode(svg.encode("utf-8")).decode("ascii")] = alt
    return out


def to_html(nb, title: str, subtitle: str = "") -> str:
    """A self-contained HTML report: outputs and prose only, no code, no script loaded from a CDN; every
    chart image carries its own alternative text (its title and subtitle), not nbconvert's placeholder."""
    nb = _strip_results_outputs(nb)
    body, _ = _html_exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    alts = _chart_alts(nb)
    body = _SVG_IMG.sub(lambda m: f'<img alt="{html.escape(alts[m.group(1)])}" src="data:image/svg+xml;base64,'
                                  f'{m.group(1)}"' if m.group(1) in alts else m.group(0), body)
    body = _MATHJAX_BLOCK.sub("", body)
    body = _CDN_SCRIPT.sub("", body)
    body = _CDN_MODULE.sub("", body)
    body = body.replace("</head>", REPORT_CSS + "</head>", 1)
    if subtitle:
        body = re.sub(r"(<body[^>]*>)", r'\1<p class="costbook-meta">' + html.escape(subtitle) + "</p>",
                      body, count=1)
    return body


@functools.lru_cache(maxsize=1)
def _html_exporter():
    """One exporter per process: it compiles its templates once (the batch runner exports many reports)."""
    import nbconvert

    return nbconvert.HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                                  exclude_output_prompt=True)


def _strip_results_outputs(nb):
    """A copy of ``nb`` without the machine-readable outputs (results JSON) that mean nothing to people."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if not o.get("metadata", {}).get(RESULTS_KEY)]
    return nb


INDEX_FIGURES = 8

#: Workbook topics in notebook order, with the names the index page shows.
TOPIC_LABELS = {"unit_economics": "01 Unit economics", "tco": "02 Total cost of ownership",
                "capex_opex": "03 CapEx vs OpEx", "forecast": "04 Forecast", "build_vs_buy": "05 Build vs buy",
                "finops": "06 FinOps"}


def write_index(outputs_dir: str | os.PathLike, skipped=None) -> Path:
    """Write ``outputs/index.html``: every report with its first headline figures, grouped by workbook, with
    links to its charts and its exports (xlsx for finance partners, Markdown for design docs).

    A JSON file in ``outputs/<topic>/`` that is not a readable costbook report (a stray file, a malformed or
    truncated one) is left out, and ``skipped(line)`` is called with one line naming it and why (by default
    the line goes to stderr); the other reports are indexed."""
    outputs_dir = Path(outputs_dir)
    if skipped is None:
        def skipped(line):
            print(line, file=sys.stderr)
    entries = []
    for path in sorted(outputs_dir.glob("*/*.json")):
        if path.parent.name in VIEW_FOLDERS:  # compare, sweep and diff pages: listed below the reports
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # ValueError: not JSON, or not UTF-8
            skipped(f"SKIPPED {path}: not a readable report ({type(exc).__name__}); left out of the index")
            continue
        if not isinstance(data, dict) or not any(k in data for k in ("figures", "headline")):
            skipped(f"SKIPPED {path}: not a costbook report (no headline figures); left out of the index")
            continue
        entries.append((path, data))
    sections = []
    by_topic: dict[str, list] = {}
    for path, data in entries:
        by_topic.setdefault(path.parent.name, []).append((path, data))
    order = {topic: i for i, topic in enumerate(TOPIC_LABELS)}
    shown = 0
    for topic, items in sorted(by_topic.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        cards = []
        for path, data in items:
            try:
                cards.append(_index_card(topic, path, data))
                shown += 1
            except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
                skipped(f"SKIPPED {path}: a malformed report ({type(exc).__name__}: {str(exc)[:80]}); left out "
                        "of the index")
        if not cards:
            continue
        label = TOPIC_LABELS.get(topic, topic.replace("_", " ").capitalize())
        sections.append(f"<h2>{html.escape(label)}</h2><div class='grid'>{''.join(cards)}</div>")
    sections.append(_views_section(outputs_dir))
    return _write_index_page(outputs_dir, sections, shown)


def publish_page(write, outputs_dir: str | os.PathLike | None = None, root: str | os.PathLike | None = None) -> Path:
    """One command's page (``costbook compare``, ``diff``, ``sweep``) written and linked from the index.

    ``write(folder) -> path`` writes the page into ``folder``: ``outputs_dir``, by default ``outputs/`` of
    ``root`` (by default the project's root). The index of that folder is then rewritten (`write_index`).
    Returns the page's path."""
    folder = str(outputs_dir or Path(root if root is not None else _params.project_root()) / "outputs")
    target = write(folder)
    write_index(folder)
    return target


def command_error(command: str, exc: BaseException, first_line: bool = False) -> str:
    """The line a command prints for an error it stops on: ``costbook <command>: <what>``; a file error names
    the file and the system's reason.

    Examples
    --------
    >>> command_error("diff", PermissionError(13, "Permission denied", "out/x.html"))
    'costbook diff: out/x.html: Permission denied'
    >>> command_error("sweep", ValueError("x = -2: expected >= 0\\nmore"), first_line=True)
    'costbook sweep: x = -2: expected >= 0'
    """
    if isinstance(exc, OSError):
        return f"costbook {command}: {exc.filename or ''}: {exc.strerror or exc}"
    text = str(exc)
    return f"costbook {command}: {text.splitlines()[0] if first_line and text else text}"


def _index_card(topic: str, path: Path, data: dict) -> str:
    """One report's card on the index page (every string from the report escaped)."""
    if data.get("figures"):
        rows = "".join(f"<tr><td class='label'>{html.escape(f['label'])}</td>"
                       f"<td class='num'>{html.escape(shown_text(f))}</td></tr>"
                       for f in data["figures"][:INDEX_FIGURES])
    else:  # a report written before figures were declared
        figures = dict(list(data.get("headline", {}).items())[:INDEX_FIGURES])
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td class='num'>{html.escape(fmt(v))}</td></tr>"
                       for k, v in figures.items())
    verdicts = "".join(
        f"<p class='verdict'><b>{html.escape(d['question'])}:</b> "
        f"{html.escape(str(d['verdict']).replace('_', ' '))}"
        + (" <span class='close'>(close call)</span>" if d.get("close_call") else "") + "</p>"
        for d in data.get("decisions", []))
    if not verdicts:
        verdicts = f"<p class='rec'>{html.escape(_first_sentence(data.get('recommendation', '')))}</p>"
    off = data.get("sections_off") or []
    if off:
        verdicts += ("<p class='meta'>Sections off (the report says what turns each on): " + ", ".join(
            html.escape(str(o.get("title", o.get("section", "")))) for o in off) + "</p>")
    charts = " · ".join(f"<a href='{html.escape(topic + '/' + c)}'>{html.escape(_chart_name(c))}</a>"
                        for c in data.get("charts", []))
    exports = data.get("exports") or {}
    downloads = " · ".join(
        f"<a href='{html.escape(topic + '/' + exports[k])}'>{label}</a>"
        for k, label in (("xlsx", "spreadsheet (xlsx)"), ("markdown", "design-doc snippet (Markdown)"))
        if exports.get(k) and (path.parent / exports[k]).is_file())
    prov = data.get("provenance", {})
    href = f"{topic}/{path.stem}.html"
    return (
        f"<div class='card'><h3><a href='{html.escape(href)}'>{html.escape(str(data.get('title', path.stem)))}"
        f"</a></h3>{verdicts}<table>{rows}</table>"
        + (f"<p class='charts'>Charts (SVG): {charts}</p>" if charts else "")
        + (f"<p class='charts exports'>Export: {downloads}</p>" if downloads else "")
        + f"<p class='meta'>{html.escape(str(prov.get('params_file', '')))} · "
        f"{html.escape(str(prov.get('produced_at_utc', '')))}</p></div>")


def _write_index_page(outputs_dir: Path, sections: list[str], shown: int) -> Path:
    produced = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>costbook reports</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; max-width: 1200px; margin: 0 auto; padding: 16px 24px;
       color: #222; }}
h1 {{ margin-bottom: 4px; }} h2 {{ border-bottom: 1px solid #ddd; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 16px; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; }}
.card h3 {{ margin: 6px 0; font-size: 16px; }} .rec {{ font-size: 13px; color: #333; }}
table {{ border-collapse: collapse; font-size: 13px; width: 100%; }}
td {{ padding: 2px 4px; border-bottom: 1px solid #f0f0f0; }}
td.num {{ text-align: right; white-space: nowrap; font-weight: 600; }} .meta {{ color: #777; font-size: 11px; }}
.verdict {{ font-size: 14px; margin: 4px 0; }} .close {{ color: #D55E00; }} .charts {{ font-size: 12px; }}
</style></head><body>
<h1>costbook reports</h1>
<p class="meta">{shown} reports · index written {produced} · costlib {costlib.__version__}</p>
{''.join(sections) or '<p>No reports yet: run <code>costbook run</code>.</p>'}
</body></html>
"""
    target = outputs_dir / "index.html"
    atomic_write(target, page)
    return target


#: Folders of pages that span scenarios (`costlib.compare`, `costlib.sweep`, `costlib.diff`), with their heading.
VIEW_FOLDERS = {"compare": "Comparisons", "sweep": "Sweeps", "diff": "Diffs"}


def _views_section(outputs_dir: Path) -> str:
    """The index's links to the compare, sweep and diff pages (each page's ``<title>`` as its link text)."""
    parts = []
    for folder, heading in VIEW_FOLDERS.items():
        links = []
        for page in sorted((outputs_dir / folder).glob("*.html")):
            try:
                found = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8")[:4000], re.S)
            except OSError:
                continue
            text = html.unescape(found.group(1)) if found else page.stem
            links.append(f"<li><a href='{html.escape(folder + '/' + page.name)}'>{html.escape(text)}</a></li>")
        if links:
            parts.append(f"<h3>{heading}</h3><ul>{''.join(links)}</ul>")
    return f"<h2>Comparisons, sweeps and diffs</h2>{''.join(parts)}" if parts else ""


def _chart_name(svg_file: str) -> str:
    """``tco.cumulative_cost.svg`` -> ``cumulative cost``."""
    parts = svg_file.split(".")
    return (parts[-2] if len(parts) >= 3 else parts[0]).replace("_", " ")


def _first_sentence(text: str) -> str:
    # Markdown to plain text: emphasis marks out, then the entities of escaped user strings back to
    # characters (the caller escapes the result for HTML).
    text = html.unescape(re.sub(r"[*_`#]", "", text or "")).strip()
    match = re.match(r"(.+?[.!?])(\s|$)", text, re.S)
    return (match.group(1) if match else text)[:400]


install_markdown_html()
