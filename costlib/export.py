"""Exports of a report for the people who do not open notebooks: an xlsx workbook for finance partners and a
Markdown snippet (with PNG charts) for design docs.

Both are built by the runner from what a run already produced: the results JSON (headline figures with
their declared labels and units, decisions, recommendation, provenance), the tables the report showed
(`costlib.report.extract_tables`), the parameters as validated and the chart SVGs. They hold the same
figures as the JSON: the tests read them back and compare.

- `xlsx`: sheet ``Headline`` (label, value, unit, as shown, key), one sheet per table the report shows
  (numbers kept as numbers, with money, percent and month formats), ``Parameters`` (every parameter as
  validated, one row per leaf) and ``Provenance``.
- `markdown`: title, headline table (figure, value with its unit), the recommendation, the key charts
  (`key_charts`) as PNG at twice the pixel density (`png`) beside the SVGs, and a one-line provenance, with links relative to the
  report's folder (``outputs/<topic>/``) so the folder can be copied or committed as it is.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import math
import re
from typing import Any, Iterable, Mapping

#: Excel number formats by unit (`costlib.labels.UNITS`). Each renders the same in Excel and LibreOffice:
#: no optional decimals ("0.##" shows "36." for a whole number), so whole numbers get a whole format.
MONEY = '"$"#,##0'
MONEY_CENTS = '"$"#,##0.00'
MONEY_SMALL = '"$"0.000000'
PERCENT = "0.0%"
MONTH = '"month "0'
MONTHS = '0 "months"'
MONTHS_PART = '0.0 "months"'
YEARS = '0 "years"'
YEARS_PART = '0.0 "years"'
WEEKS = '0 "weeks"'
DAYS = '0 "days"'
HOURS = '#,##0 "hours"'
FTE = '0.0# "FTE"'
COUNT = "#,##0"
MULTIPLE = '0.00"x"'
NUMBER = "#,##0"
NUMBER_PART = "#,##0.00"
NUMBER_SMALL = "0.000000"
GB = '#,##0 "GB"'

#: At most this many table sheets: more sections than this share sheets (the last takes the rest).
MAX_TABLE_SHEETS = 12

#: Sheet names Excel refuses: at most 31 characters, none of these.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

#: A PNG chart is rendered at this multiple of the SVG's size (twice the pixel density).
PNG_SCALE = 2.0
#: How many of a report's charts (the first, in its order) the design-doc snippet shows as PNG.
KEY_CHARTS = 4


def _numbers(values: Iterable[Any]) -> list[float]:
    return [abs(float(v)) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v]


def _money_format(values: Iterable[Any]) -> str:
    largest = max(_numbers(values), default=0.0)
    if largest and largest < 0.01:
        return MONEY_SMALL
    if largest < 1000:
        return MONEY_CENTS
    return MONEY


def _whole(values: Iterable[Any]) -> bool:
    return all(float(v).is_integer() for v in _numbers(values))


def unit_format(unit: str, value: Any = None) -> str | None:
    """The Excel number format of a unit for ``value`` (or a column of values; None: text).

    Examples
    --------
    >>> unit_format("usd", 5.6e6), unit_format("usd_per_unit", 0.1), unit_format("share"), unit_format("month")
    ('"$"#,##0', '"$"#,##0.00', '0.0%', '"month "0')
    >>> unit_format("months", 36), unit_format("months", 7.5), unit_format("number", 1.25), unit_format("fte", 1)
    ('0 "months"', '0.0 "months"', '#,##0.00', '0.0# "FTE"')
    """
    values = value if isinstance(value, (list, tuple)) else [value]
    if unit.startswith("usd"):
        return _money_format(values)
    whole = _whole(values)
    if unit in ("months", "years"):
        return {"months": (MONTHS, MONTHS_PART), "years": (YEARS, YEARS_PART)}[unit][0 if whole else 1]
    if unit == "number":
        largest = max(_numbers(values), default=0.0)
        return NUMBER if whole or largest >= 1000 else NUMBER_SMALL if largest and largest < 0.01 else NUMBER_PART
    if unit == "count":
        return COUNT if whole or max(_numbers(values), default=0.0) >= 100 else NUMBER_PART
    return {"share": PERCENT, "probability": PERCENT, "month": MONTH, "weeks": WEEKS, "days": DAYS,
            "hours": HOURS, "fte": FTE, "multiple": MULTIPLE, "gb": GB}.get(unit)


def column_unit(name: str, money: Iterable[str] = (), percent: Iterable[str] = ()) -> str:
    """The unit of a table column from the label registry (`costlib.labels.column`: declared, else the
    unit in its name); ``money`` and ``percent`` name columns the report showed as such.

    Examples
    --------
    >>> column_unit("tco_usd"), column_unit("share", [], ["share"]), column_unit("break_even_month")
    ('usd', 'share', 'month')
    >>> column_unit("horizon_months"), column_unit("cost_usd_per_month"), column_unit("gb_per_month")
    ('months', 'usd', 'gb')
    """
    from costlib import labels

    if name in set(money):
        return "usd"
    if name in set(percent):
        return "share"
    return labels.column(name).unit


def column_format(name: str, money: Iterable[str], percent: Iterable[str], values: Iterable[Any]) -> str | None:
    """The number format of a table column: `unit_format` of its `column_unit`.

    Examples
    --------
    >>> column_format("tco_usd", ["tco_usd"], [], [1e6]), column_format("share", [], ["share"], [0.2])
    ('"$"#,##0', '0.0%')
    >>> column_format("break_even_month", [], [], [27]), column_format("horizon_months", [], [], [36])
    ('"month "0', '0 "months"')
    """
    unit = column_unit(name, money, percent)
    return None if unit == "text" else unit_format(unit, list(values))


def _sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel takes: at most 31 characters, cut at a word, unique in the workbook."""
    title = title or "Table"
    for mark in (":", ",", " (", ";"):  # "Sensitivity: what moves the answer" -> "Sensitivity"
        head = title.split(mark, 1)[0]
        if mark in title and len(head.strip()) >= 4:
            title = head
    base = re.sub(r"\s+", " ", _BAD_SHEET_CHARS.sub("", title)).strip().strip("'")
    if len(base) > 28:
        base = base[:28].rsplit(" ", 1)[0] if " " in base[:28] else base[:28]
    base = base.rstrip(" ,.;-") or "Table"
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)].rstrip() + suffix, n + 1
    taken.add(name)
    return name


def _flatten(values: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``{"a": {"b": [1, 2]}}`` -> ``[("a.b[0]", 1), ("a.b[1]", 2)]``; empty containers kept as text."""
    if isinstance(values, Mapping):
        if not values:
            return [(prefix, "{}")] if prefix else []
        out = []
        for key, value in values.items():
            out += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(values, (list, tuple)):
        if not values:
            return [(prefix, "[]")]
        out = []
        for i, value in enumerate(values):
            out += _flatten(value, f"{prefix}[{i}]")
        return out
    return [(prefix, values)]


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def put(sheet, row: int, column: int, value: Any, number_format: str | None = None, bold: bool = False):
    """The one function that writes a value into a cell: a number stays a number (with ``number_format``),
    NaN and infinities become empty cells, and every text value is an inline string (``data_type 's'``)
    with ``quotePrefix`` set, never a formula, however it starts.

    Text is text, whatever it begins with: ``=HYPERLINK(...)``, ``=1+1``, ``+cmd|' /C calc'!A0`` or
    ``@SUM(1)`` from a params file or a bill is shown, never evaluated, even once the cell is edited
    (openpyxl would store a string beginning with ``=`` as a formula; Excel and LibreOffice evaluate ``+``,
    ``-`` and ``@`` on entry). Characters XML cannot hold (control characters other than tab, LF and CR)
    are dropped rather than failing the export. costlib writes no formulas.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> sheet = Workbook().active
    >>> [(c.value, c.data_type, c.quotePrefix) for c in
    ...  (put(sheet, 1, 1, "=1+1"), put(sheet, 1, 2, "@SUM(1)"), put(sheet, 1, 3, 2.5))]
    [('=1+1', 's', True), ('@SUM(1)', 's', True), (2.5, 'n', False)]
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    value = _cell_value(value)
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif number_format and value is not None:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


class _Sheet:
    """A sheet being filled top to bottom with titled Excel Tables (filter buttons, banded rows)."""

    def __init__(self, book, name: str, counter: list):
        self.ws = book.create_sheet(name) if book.worksheets and book.worksheets[0].title != "Sheet" else book.active
        if self.ws.title == "Sheet":
            self.ws.title = name
        self.row, self.counter, self.widths, self.frozen = 1, counter, {}, False

    def text(self, value: str, bold: bool = False, size: int | None = None) -> None:
        from openpyxl.styles import Font

        cell = put(self.ws, self.row, 1, value, bold=bold)
        if size:
            cell.font = Font(bold=True, size=size)
        self.row += 1

    def skip(self, n: int = 1) -> None:
        self.row += n

    def table(self, headers: list[str], rows: list[list], formats: list, title: str | None = None,
              freeze: bool = True, shown: list[list[str]] | None = None) -> str | None:
        """Write ``rows`` under ``headers`` as an Excel Table; ``formats[i][j]`` is cell (i, j)'s number
        format; returns the table's name (None when there are no rows: a line says so instead)."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.table import Table, TableStyleInfo

        if title:
            self.text(title, bold=True)
        headers = _unique([str(h) if str(h).strip() else f"Column {i + 1}" for i, h in enumerate(headers)])
        top = self.row
        for j, h in enumerate(headers, start=1):
            put(self.ws, top, j, h, bold=True)
            self._width(j, h)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row, start=1):
                put(self.ws, top + i, j, v, formats[i - 1][j - 1])
                self._width(j, shown[i - 1][j - 1] if shown else v)
        self.row = top + len(rows) + 2
        if not rows:
            put(self.ws, top + 1, 1, "no rows")
            return None
        if freeze and not self.frozen:
            self.ws.freeze_panes = self.ws.cell(row=top + 1, column=1)
            self.frozen = True
        self.counter[0] += 1
        name = f"Table{self.counter[0]}"
        ref = f"A{top}:{get_column_letter(len(headers))}{top + len(rows)}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        self.ws.add_table(table)
        return name

    def _width(self, j: int, value) -> None:
        if isinstance(value, float):
            text = f"{value:,.2f}"
        else:
            text = str(value) if value is not None else ""
        self.widths[j] = max(self.widths.get(j, 8), min(60, len(text) + 3))

    def fit(self) -> None:
        from openpyxl.utils import get_column_letter

        for j, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(j)].width = w


def _unique(names: list[str]) -> list[str]:
    out, seen = [], set()
    for n in names:
        name, k = n, 2
        while name.lower() in seen:
            name, k = f"{n} {k}", k + 1
        seen.add(name.lower())
        out.append(name)
    return out


def _table_cells(table: Mapping[str, Any]) -> tuple[list[str], list[list], list[list], list[list[str]]]:
    """``(headers, rows, formats, shown)`` of one displayed table: word headers with units (the report's,
    or the label registry's), raw values, each cell's number format by its unit (a flip table's values in
    the unit of their row's input) and the text as shown (for column widths)."""
    from costlib import labels

    columns = table.get("columns", [])
    rows = table.get("rows", [])
    money, percent = table.get("money", []), table.get("percent", [])
    headers = table.get("headers") or [labels.column(c).header if labels.is_key(c) or c in money or c in percent
                                       else c for c in columns]
    units = table.get("units") or [column_unit(c, money, percent) for c in columns]
    has_input = "input" in columns
    col_formats = [None if u == "text" else unit_format(u, [r[j] for r in rows]) for j, u in enumerate(units)]
    formats = []
    for r in rows:
        f = list(col_formats)
        if has_input:
            unit = labels.describe(str(r[columns.index("input")])).unit
            for j, c in enumerate(columns):
                if c in ("base_value", "flip_value", "low", "high", "verdict_flips_at"):
                    f[j] = unit_format("number" if unit == "text" else unit, r[j])
        formats.append(f)
    shown = table.get("text") or [[labels.text(v, u) for v, u in zip(r, units)] for r in rows]
    # text cells as the report shows them (names in words); numbers as numbers
    rows = [[s if u == "text" and isinstance(v, str) else v for v, s, u in zip(r, sr, units)]
            for r, sr in zip(rows, shown)]
    return headers, rows, formats, shown


def sheet_groups(tables: list[dict], limit: int = MAX_TABLE_SHEETS) -> list[tuple[str, list[dict]]]:
    """The table sheets: ``[(sheet title, tables)]`` in report order. A table's ``sheet`` (`report.table`'s
    ``sheet=``) names its sheet; the others go by their report section (``## ...`` heading), else their own
    title. Beyond ``limit`` sheets, the last holds the rest ("More tables").

    Examples
    --------
    >>> ts = [{"section": "Costs", "title": "a"}, {"section": "Costs", "title": "b"}, {"section": "Risk", "title": "c"},
    ...       {"section": "Risk", "title": "d", "sheet": "Savings"}]
    >>> [(name, [t["title"] for t in group]) for name, group in sheet_groups(ts)]
    [('Costs', ['a', 'b']), ('Risk', ['c']), ('Savings', ['d'])]
    >>> [name for name, _ in sheet_groups(ts, limit=2)]
    ['Costs', 'More tables']
    """
    groups: dict[str, list[dict]] = {}
    for t in tables:
        key = t.get("sheet") or t.get("section") or t.get("title") or "Tables"
        groups.setdefault(key, []).append(t)
    out = list(groups.items())
    if len(out) > limit:
        out = out[: limit - 1] + [("More tables", [t for _, g in out[limit - 1:] for t in g])]
    return out


def xlsx(results: Mapping[str, Any], tables: list[dict], parameters: Mapping[str, Any]) -> bytes:
    """The report as an xlsx workbook (bytes) for finance partners.

    - ``Headline``: the title, the headline figures (an Excel Table: figure, value as a number in its unit's
      format, unit, as shown, key), the decisions, and the contents: a link to every other sheet;
    - one sheet per section of the report (`sheet_groups`), each table on it an Excel Table (filters,
      banded rows) under its title, with word headers carrying units and number formats by unit
      (``"$"#,##0``, ``0.0%``, ``"month "0``, ``0 "months"``), the first header row frozen;
    - ``Parameters`` (every parameter as validated) and ``Provenance``, as Excel Tables too.

    Numbers stay numbers (formatted, never text), so a finance partner can compute on them; every text cell
    is a string, never a formula (`put`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from costlib import labels

    book = Workbook()
    prov = results.get("provenance", {}) or {}
    produced = prov.get("produced_at_utc")
    if produced:  # the same bytes for the same run: no "created now" stamp
        try:
            book.properties.created = book.properties.modified = _dt.datetime.fromisoformat(produced).replace(tzinfo=None)
        except ValueError:
            pass
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book.properties.title = ILLEGAL_CHARACTERS_RE.sub("", str(results.get("title") or ""))
    book.properties.creator = "costbook"
    counter = [0]

    head = _Sheet(book, "Headline", counter)
    head.text(str(results.get("title") or results.get("scenario") or ""), size=13)
    head.skip()
    figures = results.get("figures", [])
    head.table(["Figure", "Value", "Unit", "As shown", "Key"],
               [[f.get("label"), f.get("value") if isinstance(f.get("value"), (int, float)) else f.get("text"),
                 labels.UNIT_WORDS.get(str(f.get("unit")), "" if f.get("unit") == "text" else str(f.get("unit"))),
                 f.get("text"), f.get("key")] for f in figures],
               [[None, unit_format(str(f.get("unit", "")), f.get("value"))
                 if isinstance(f.get("value"), (int, float)) else None, None, None, None] for f in figures],
               title="Headline figures")
    decisions = results.get("decisions") or []
    if decisions:
        head.table(["Decision", "Verdict", "Close call", "Flips if"],
                   [[d.get("question"), labels.words(str(d.get("verdict", ""))),
                     "yes" if d.get("close_call") else "no", d.get("flips_when") or ""] for d in decisions],
                   [[None] * 4 for _ in decisions], title="Decisions", freeze=False)
    groups = sheet_groups(tables)
    taken = {"Headline", "Parameters", "Provenance"}
    names = [_sheet_name(title, taken) for title, _ in groups]
    head.text("Contents", bold=True)
    contents_row = head.row
    head.row += len(names) + 2

    for name, (section, group) in zip(names, groups):
        sheet = _Sheet(book, name, counter)
        sheet.text(section, size=13)
        sheet.skip()
        for t in group:
            headers, rows, formats, shown = _table_cells(t)
            sheet.table(headers, rows, formats, title=t.get("title") if t.get("title") != section else None,
                        shown=shown)
        sheet.fit()

    params_sheet = _Sheet(book, "Parameters", counter)
    flat = _flatten(parameters)
    params_sheet.table(["Parameter", "Value"], [[k, v] for k, v in flat], [[None, None] for _ in flat])
    params_sheet.fit()
    prov_rows = []
    for key, value in prov.items():
        if key == "data_files":
            prov_rows += [[f"data_files[{i}].{k}", v] for i, f in enumerate(value or []) for k, v in f.items()]
        else:
            prov_rows.append([key, value])
    prov_sheet = _Sheet(book, "Provenance", counter)
    prov_sheet.table(["Item", "Value"], prov_rows, [[None, None] for _ in prov_rows])
    prov_sheet.fit()

    for i, name in enumerate(names + ["Parameters", "Provenance"]):
        cell = put(head.ws, contents_row + i, 1, name)
        cell.hyperlink = f"#'{name}'!A1"
        cell.font = Font(color="0563C1", underline="single")
    head.fit()
    head.ws.column_dimensions["A"].width = max(head.ws.column_dimensions["A"].width or 0, 40)

    buffer = io.BytesIO()
    book.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same archive with every member dated 1980-01-01 (zip's epoch) instead of the time of writing, so
    that the same report gives the same bytes (its one timestamp is the produced-at time inside)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            stable = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stable.compress_type = zipfile.ZIP_DEFLATED
            stable.external_attr = 0o644 << 16
            target.writestr(stable, source.read(info.filename))
    return out.getvalue()


def png(svg: str, scale: float = PNG_SCALE) -> bytes:
    """A chart's SVG as PNG at ``scale`` times its pixel size (vl-convert's renderer: offline, no browser)."""
    import vl_convert

    return vl_convert.svg_to_png(svg, scale=scale)


def _md_dollars(text: str) -> str:
    """Money in a Markdown file read outside Jupyter: ``$`` as the entity ``&#36;``, which every Markdown
    renderer shows as ``$`` (a backslash escape is CommonMark's, but Python-Markdown shows the backslash),
    and which viewers with math (``$...$``) never read as a formula's delimiter. Code spans are left as
    they are."""
    parts = re.split(r"(`+[^`]*`+)", text)
    return "".join(p if p.startswith("`") else p.replace("$", "&#36;") for p in parts)


def _no_html(text: str) -> str:
    """Markdown with no raw HTML: ``<`` and ``>`` as entities (a blockquote's ``>`` is added after this).

    >>> _no_html("**=1+1<img src=x onerror=alert(1)>'s price hike: hybrid.**")
    "**=1+1&lt;img src=x onerror=alert(1)&gt;'s price hike: hybrid.**"
    """
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    return str(text).replace("\n", " ").replace("|", "\\|")


def markdown(results: Mapping[str, Any], name: str, charts: Mapping[str, str]) -> str:
    """The design-doc snippet (Markdown) of one report, for ``outputs/<topic>/<name>.md``.

    ``charts`` maps each chart's name to its title (shown as alt text); the images are ``<name>.<chart>.png``
    with the SVG beside, all relative to the snippet's folder. Strings from the params file are escaped
    with `costlib.report.escape` (the one rule); money is kept from being math (`_md_dollars`).
    """
    from costlib import report

    title = report.escape(results.get("title") or name)
    lines = [f"## {title}", ""]
    figures = results.get("figures") or []
    if figures:
        lines += ["| Figure | Value |", "|---|--:|"]
        for f in figures:  # the value is shown with its unit ("$5.63M", "25.1%", "month 27")
            lines.append(f"| {_cell(report.escape(f['label']))} | {_cell(report.escape(f['text']))} |")
        lines.append("")
    recommendation = (results.get("recommendation") or "").strip()
    if recommendation:
        lines += ["**Recommendation**", ""]
        # Markdown that costlib wrote, with every user string in it escaped where it was written
        # (`costlib.report.escape`); and no raw HTML passes, whatever a workbook forgot.
        lines += ["> " + _no_html(line) if line else ">" for line in recommendation.splitlines()]
        lines.append("")
    for chart, label in charts.items():
        words = report.escape(label)
        lines += [f"![{words}]({name}.{chart}.png)", "",
                  f"*{words}* ([SVG]({name}.{chart}.svg))", ""]
    prov = results.get("provenance", {}) or {}
    sha = (prov.get("params_sha256") or "")[:12]
    bits = [f"`{prov.get('params_file')}`" + (f" (SHA-256 `{sha}`)" if sha else "") if prov.get("params_file") else
            "the notebook's defaults",
            f"costlib {prov.get('costlib_version')}", f"git `{prov.get('git_commit') or 'n/a'}`",
            f"produced {prov.get('produced_at_utc')}"]
    if prov.get("data_manifest_sha256"):
        bits.insert(1, f"billing data manifest `{str(prov['data_manifest_sha256'])[:12]}`")
    lines += [f"<sub>Source: {' · '.join(bits)} · full report: [{name}.html]({name}.html) · "
              f"spreadsheet: [{name}.xlsx]({name}.xlsx)</sub>", ""]
    return _md_dollars("\n".join(lines))


def chart_titles(svgs: Mapping[str, str]) -> dict[str, str]:
    """``{chart: title}`` from each SVG's first text (the chart's title), else the chart's name in words."""
    out = {}
    for chart, svg in svgs.items():
        found = re.search(r'aria-label="Title text \'(.+?)\'"', svg)  # Vega's title mark
        out[chart] = html.unescape(found.group(1)).strip() if found else chart.replace("_", " ")
    return out


def key_charts(names: Iterable[str], limit: int | None = None) -> list[str]:
    """The charts the Markdown snippet shows (and that get a PNG): the first `KEY_CHARTS` in the report's
    order, which every workbook opens with its main comparison, its timing and its sensitivity."""
    return list(names)[: KEY_CHARTS if limit is None else limit]


def figure_values(results: Mapping[str, Any]) -> dict[str, Any]:
    """``{label: value}`` of the headline, for tests and readers."""
    return {f["label"]: f["value"] for f in results.get("figures", [])}


