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
import re
from typing import Any, Iterable, Mapping

#: Excel number formats by declared unit (`costlib.contract.UNITS`).
MONEY = '"$"#,##0'
MONEY_CENTS = '"$"#,##0.00'
MONEY_SMALL = '"$"0.000000'
PERCENT = "0.0%"
MONTH = '"month "0'
MONTHS = '0.## "months"'
YEARS = '0.## "years"'
COUNT = "#,##0"
MULTIPLE = '0.00"x"'
NUMBER = "#,##0.####"

#: Sheet names Excel refuses: at most 31 characters, none of these.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

#: A PNG chart is rendered at this multiple of the SVG's size (twice the pixel density).
PNG_SCALE = 2.0
#: How many of a report's charts (the first, in its order) the design-doc snippet shows as PNG.
KEY_CHARTS = 4


def _money_format(values: Iterable[Any]) -> str:
    numbers = [abs(float(v)) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v]
    largest = max(numbers, default=0.0)
    if largest and largest < 0.01:
        return MONEY_SMALL
    if largest < 1000:
        return MONEY_CENTS
    return MONEY


def unit_format(unit: str, value: Any = None) -> str | None:
    """The Excel number format of a declared unit (None: text or a general number).

    Examples
    --------
    >>> unit_format("usd", 5.6e6), unit_format("usd_per_unit", 0.1), unit_format("share"), unit_format("month")
    ('"$"#,##0', '"$"#,##0.00', '0.0%', '"month "0')
    """
    if unit.startswith("usd"):
        return _money_format([value])
    return {"share": PERCENT, "probability": PERCENT, "month": MONTH, "months": MONTHS, "years": YEARS,
            "count": COUNT, "multiple": MULTIPLE, "number": NUMBER}.get(unit)


def column_format(name: str, money: Iterable[str], percent: Iterable[str], values: Iterable[Any]) -> str | None:
    """The number format of a table column: money and percent as the report showed them, months from the
    column's name (``month``, ``break_even_month`` -> ``month 27``; ``*_months`` -> ``36 months``).

    Examples
    --------
    >>> column_format("tco_usd", ["tco_usd"], [], [1e6]), column_format("share", [], ["share"], [0.2])
    ('"$"#,##0', '0.0%')
    >>> column_format("break_even_month", [], [], [27]), column_format("horizon_months", [], [], [36])
    ('"month "0', '0.## "months"')
    >>> column_format("cost_usd_per_month", [], [], [5e4]), column_format("gb_per_month", [], [], [5])
    ('"$"#,##0', None)
    """
    lowered = name.lower()
    if name in set(money) or "usd" in lowered.split("_"):  # the naming convention: money carries "usd"
        return _money_format(values)
    if name in set(percent):
        return PERCENT
    if "_per_" in lowered:  # a rate per month is not a month
        return None
    if lowered == "month" or lowered.endswith("_month"):
        return MONTH
    if lowered == "months" or lowered.endswith("_months"):
        return MONTHS
    return None


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"\s+", " ", _BAD_SHEET_CHARS.sub("", title or "Table")).strip().strip("'")[:28].rstrip(" ,.") or "Table"
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
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


def xlsx(results: Mapping[str, Any], tables: list[dict], parameters: Mapping[str, Any]) -> bytes:
    """The report as an xlsx workbook (bytes): ``Headline``, one sheet per table, ``Parameters``,
    ``Provenance``. Numbers stay numbers (formatted, never text), so a finance partner can compute on them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)
    prov = results.get("provenance", {}) or {}
    produced = prov.get("produced_at_utc")
    if produced:  # the same bytes for the same run: no "created now" stamp
        try:
            book.properties.created = book.properties.modified = _dt.datetime.fromisoformat(produced).replace(tzinfo=None)
        except ValueError:
            pass
    book.properties.title = str(results.get("title") or "")
    book.properties.creator = "costbook"

    def header(sheet, names):
        sheet.append(list(names))
        for c in sheet[1]:
            c.font = bold
        sheet.freeze_panes = "A2"

    def widths(sheet, minimum=8, maximum=60):
        for i, column in enumerate(sheet.iter_cols(values_only=True), start=1):
            longest = max((len(str(v)) for v in column if v is not None), default=0)
            sheet.column_dimensions[get_column_letter(i)].width = max(minimum, min(maximum, longest + 2))

    # Headline: one row per declared figure, the value as a number with its unit's format.
    head = book.active
    head.title = "Headline"
    head.append([str(results.get("title") or results.get("scenario") or "")])
    head["A1"].font = Font(bold=True, size=13)
    head.append([])
    head.append(["label", "value", "unit", "as shown", "key"])
    for c in head[3]:
        c.font = bold
    head.freeze_panes = "A4"
    for f in results.get("figures", []):
        value = f.get("value")
        head.append([f.get("label"), _cell_value(value), f.get("unit"), f.get("text"), f.get("key")])
        cell = head.cell(row=head.max_row, column=2)
        number_format = unit_format(str(f.get("unit", "")), value) if isinstance(value, (int, float)) else None
        if number_format and not isinstance(value, bool):
            cell.number_format = number_format
        cell.alignment = Alignment(horizontal="right")
    decisions = results.get("decisions") or []
    if decisions:
        head.append([])
        head.append(["decision", "verdict", "close call", "flips when"])
        for c in head[head.max_row]:
            c.font = bold
        for d in decisions:
            head.append([d.get("question"), str(d.get("verdict", "")).replace("_", " "),
                         "yes" if d.get("close_call") else "no", d.get("flips_when")])
    widths(head)

    taken = {"Headline", "Parameters", "Provenance"}
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.get("title") or "Table", taken))
        columns = table.get("columns", [])
        header(sheet, columns)
        rows = table.get("rows", [])
        for row in rows:
            sheet.append([_cell_value(v) for v in row])
        for j, name in enumerate(columns, start=1):
            fmt = column_format(name, table.get("money", []), table.get("percent", []), [r[j - 1] for r in rows])
            if not fmt:
                continue
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cell.number_format = fmt
        widths(sheet, maximum=40)

    params_sheet = book.create_sheet("Parameters")
    header(params_sheet, ["parameter", "value"])
    for key, value in _flatten(parameters):
        params_sheet.append([key, _cell_value(value)])
    widths(params_sheet, maximum=80)

    prov_sheet = book.create_sheet("Provenance")
    header(prov_sheet, ["item", "value"])
    for key, value in prov.items():
        if key == "data_files":
            for i, f in enumerate(value or []):
                for k, v in f.items():
                    prov_sheet.append([f"data_files[{i}].{k}", _cell_value(v)])
        else:
            prov_sheet.append([key, _cell_value(value)])
    widths(prov_sheet, maximum=80)

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
            lines.append(f"| {_cell(f['label'])} | {_cell(f['text'])} |")
        lines.append("")
    recommendation = (results.get("recommendation") or "").strip()
    if recommendation:
        lines += ["**Recommendation**", ""]
        lines += ["> " + line if line else ">" for line in recommendation.splitlines()]
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


