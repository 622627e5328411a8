"""The xlsx export for finance partners (issues 11 and 21): ``costbook run`` writes
``outputs/<topic>/<scenario>.xlsx``.

Read back with openpyxl and compared with the sources the runner wrote beside it: the headline against
the results JSON (label, value as a number, unit), each table against the table data the executed notebook
displayed, the parameters against `costlib.params.load` of the scenario file, the provenance against the
JSON. And read as a finance partner would: a first sheet with the headline and a contents list linking to
every sheet, one sheet per section, every table an Excel Table (filter buttons) under a frozen header,
word headers with units, number formats that show "$1,234", "12.3%", "month 27", "27 months" (the literal
Excel formats are checked: no optional decimals, which Excel and LibreOffice show as "36. months").
Every scenario of every workbook is checked (the session's one ``costbook run``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat
import pytest
from openpyxl import Workbook, load_workbook

from costlib import export, params, report

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "params").glob("*/*.yaml"))
#: At most this many sheets in any workbook's xlsx (the issue: FinOps had 43).
MAX_SHEETS = 15

pytestmark = pytest.mark.scenario


def _same(a, b) -> bool:
    """Equal; numbers to the 15 significant digits a spreadsheet cell keeps (Excel's precision: openpyxl
    writes and reads back ``195000000.1199999`` for ``195000000.11999995``)."""
    if a in (None, "") and b in (None, ""):  # an empty text cell reads back as no value
        return True
    if isinstance(a, float) and isinstance(b, float) and not (math.isfinite(a) and math.isfinite(b)):
        return True  # NaN and infinities are empty cells
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-14, abs_tol=1e-300)
    return a == b


#: The Excel formats a finance partner gets, written out (not read from costlib.export): percent with one
#: decimal, whole months and years labelled ("27 months", "month 27"), a fraction with one decimal,
#: multiples with an x. Money depends on size: see `_money`. Units not listed here are not asserted.
FORMATS = {"share": "0.0%", "probability": "0.0%", "month": '"month "0', "multiple": '0.00"x"'}


def _money(value) -> str:
    """Whole dollars from $1,000, cents below, six decimals under a cent."""
    v = abs(float(value))
    return '"$"0.000000' if 0 < v < 0.01 else '"$"#,##0.00' if v < 1000 else '"$"#,##0'


def _expected_format(unit: str, value) -> str | None:
    if unit.startswith("usd"):
        return _money(value)
    if unit in ("months", "years"):
        return f'0 "{unit}"' if float(value).is_integer() else f'0.0 "{unit}"'
    return FORMATS.get(unit)


def test_expected_formats_by_hand():
    """The literal table above on a few values: $5.6M whole dollars, $0.10 in cents, $0.0004 to six places,
    36 months whole, 7.5 months to one decimal."""
    assert [_expected_format("usd", 5.6e6), _expected_format("usd_per_unit", 0.1),
            _expected_format("usd_per_unit", 0.0004), _expected_format("share", 0.25),
            _expected_format("month", 27), _expected_format("months", 36), _expected_format("months", 7.5)] == [
        '"$"#,##0', '"$"#,##0.00', '"$"0.000000', "0.0%", '"month "0', '0 "months"', '0.0 "months"']


def _table_rows(sheet, table):
    """The rows of an Excel Table (header first) as values."""
    return [[c.value for c in row] for row in sheet[table.ref]]


@pytest.fixture(scope="module")
def reports(batch):
    outputs, code, log = batch
    assert code == 0, log
    return outputs


def test_number_formats_are_the_literal_excel_formats():
    """The formats finance reads: "$1,234", "$0.50", "12.3%", "month 27", "27 months", "7.5 months", "1,234";
    none with an optional decimal ("0.##"), which shows a whole number as "36."."""
    assert export.unit_format("usd", 1234.0) == '"$"#,##0'
    assert export.unit_format("usd", 0.5) == '"$"#,##0.00'
    assert export.unit_format("usd_per_unit", 0.000012) == '"$"0.000000'
    assert export.unit_format("share", 0.123) == "0.0%"
    assert export.unit_format("probability", 0.5) == "0.0%"
    assert export.unit_format("month", 27) == '"month "0'
    assert export.unit_format("months", 27) == '0 "months"'
    assert export.unit_format("months", 7.5) == '0.0 "months"'
    assert export.unit_format("years", 4) == '0 "years"'
    assert export.unit_format("count", 200000.0) == "#,##0"
    assert export.unit_format("fte", 1.5) == '0.0# "FTE"'
    assert export.unit_format("multiple", 3.2) == '0.00"x"'
    assert export.unit_format("text", "x") is None
    for unit in ("usd", "share", "month", "months", "years", "count", "fte", "multiple", "number"):
        for value in (0, 1, 36, 7.5, 1234.5):
            assert "#.#" not in str(export.unit_format(unit, value)) and ".##" not in str(export.unit_format(unit, value))


def test_a_text_cell_is_a_string_never_a_formula():
    sheet = Workbook().active
    cell = export.put(sheet, 1, 1, "=1+1")
    assert (cell.data_type, cell.quotePrefix, cell.value) == ("s", True, "=1+1")
    number = export.put(sheet, 1, 2, 1234.0, export.MONEY)
    assert (number.data_type, number.number_format) == ("n", '"$"#,##0')


def test_sheets_group_by_section_and_stay_few():
    tables = [{"section": f"Section {i // 3}", "title": f"t{i}"} for i in range(60)]
    groups = export.sheet_groups(tables)
    assert len(groups) == export.MAX_TABLE_SHEETS
    assert sum(len(g) for _, g in groups) == 60
    assert [t["title"] for t in groups[0][1]] == ["t0", "t1", "t2"]
    assert export._sheet_name("Sensitivity: what moves the answer, and where it flips", set()) == "Sensitivity"
    long = export._sheet_name("Effective cost per utilized unit and the purchase options compared", set())
    assert len(long) <= 31 and not long.endswith(("utiliz", "utilized unit a")), long


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_xlsx_holds_the_figures_of_the_json(reports, path):
    folder = reports / path.parent.name
    results = json.loads((folder / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert results["exports"]["xlsx"] == f"{path.stem}.xlsx"
    book = load_workbook(folder / f"{path.stem}.xlsx")
    assert book.sheetnames[0] == "Headline" and book.sheetnames[-2:] == ["Parameters", "Provenance"]
    assert len(book.sheetnames) <= MAX_SHEETS, book.sheetnames

    # Headline: the title, then the figures as an Excel Table: figure, value (a number), unit, as shown, key.
    head = book["Headline"]
    assert head["A1"].value == results["title"]
    tables = list(head.tables.values())
    figures_table = next(t for t in tables if _table_rows(head, t)[0][0] == "Figure")
    rows = _table_rows(head, figures_table)
    assert rows[0] == ["Figure", "Value", "Unit", "As shown", "Key"]
    assert [r[4] for r in rows[1:]] == [f["key"] for f in results["figures"]]
    first = head[figures_table.ref.split(":")[0]].row
    for i, f in enumerate(results["figures"], start=1):
        label, value, unit, shown, _ = rows[i]
        assert (label, shown) == (f["label"], f["text"]), f["key"]
        assert "_" not in str(unit), unit
        cell = head.cell(row=first + i, column=2)
        if isinstance(f["value"], (int, float)) and not isinstance(f["value"], bool):
            assert _same(value, f["value"]), (f["key"], value, f["value"])
            expected = _expected_format(f["unit"], f["value"])
            if expected:
                assert cell.number_format == expected, (f["key"], cell.number_format)

    # The contents: a link to every other sheet.
    links = {c.value: c.hyperlink.location or c.hyperlink.target for row in head.iter_rows() for c in row
             if c.hyperlink is not None}
    for name in book.sheetnames[1:]:
        assert name in links and name in str(links[name]), (name, links)

    # One sheet per section; each table an Excel Table with word headers, the numbers the notebook showed.
    nb = nbformat.read(folder / f"{path.stem}.ipynb", as_version=4)
    shown = report.extract_tables(nb)
    sheets = book.sheetnames[1:-2]
    assert len(sheets) == len(export.sheet_groups(shown)), (sheets, [t.get("section") for t in shown])
    read = []
    for name in sheets:
        sheet = book[name]
        assert sheet.freeze_panes, f"{name}: no frozen header"
        assert sheet.tables, f"{name}: no Excel Table"
        for t in sheet.tables.values():
            assert t.autoFilter is not None and t.autoFilter.ref == t.ref, f"{name}: no filter"
            rows = _table_rows(sheet, t)
            assert all("_" not in str(h) for h in rows[0]), (name, rows[0])
            read.append((sheet, t, rows))
    with_rows = [t for t in shown if t["rows"]]
    assert len(read) == len(with_rows)
    for (sheet, t, rows), table in zip(read, with_rows):
        assert len(rows) - 1 == len(table["rows"]), t.name
        top = sheet[t.ref.split(":")[0]].row
        for i, (got, want) in enumerate(zip(rows[1:], table["rows"]), start=1):
            for j, (g, w) in enumerate(zip(got, want)):
                if isinstance(w, (int, float)) and not isinstance(w, bool):
                    assert _same(g, w), (t.name, got, want)
                    fmt = sheet.cell(row=top + i, column=j + 1).number_format
                    if table["columns"][j] in table["money"]:
                        assert fmt.startswith('"$"'), (t.name, table["columns"][j], fmt)
                    if table["columns"][j] in table["percent"]:
                        assert fmt == "0.0%", (t.name, table["columns"][j], fmt)
                    assert ".##" not in fmt and "#.#" not in fmt, fmt
                elif isinstance(w, str) and w:
                    assert isinstance(g, str) and sheet.cell(row=top + i, column=j + 1).data_type == "s"
        widths = [sheet.column_dimensions[c].width for c in "AB"]
        assert all(w and w >= 8 for w in widths), (sheet.title, widths)

    # The parameters as validated (defaults filled in, pricebook references resolved).
    sheet = book["Parameters"]
    (table,) = sheet.tables.values()
    rows = _table_rows(sheet, table)
    assert rows[0] == ["Parameter", "Value"]
    validated = dict(export._flatten(params.as_dict(params.load(path))))
    got = {k: v for k, v in rows[1:]}
    assert got.keys() == validated.keys()
    assert all(_same(got[k], "yes" if v is True else "no" if v is False else
                     v if v is None or isinstance(v, (int, float, str)) else str(v))
               for k, v in validated.items())

    # Provenance: the JSON's, with the params file's hash.
    sheet = book["Provenance"]
    (table,) = sheet.tables.values()
    prov = {k: v for k, v in _table_rows(sheet, table)[1:]}
    assert prov["params_sha256"] == results["provenance"]["params_sha256"] == params.sha256_of(path)
    assert prov["params_file"] == results["provenance"]["params_file"]
    assert prov["produced_at_utc"] == results["provenance"]["produced_at_utc"]


def test_every_workbook_shows_a_money_table(reports):
    """Each workbook's report has at least one table with a money column: the spreadsheet has numbers to
    compute on, not formatted text."""
    for topic in sorted({p.parent.name for p in SCENARIOS}):
        found = False
        for path in sorted((reports / topic).glob("*.xlsx")):
            book = load_workbook(path)
            for name in book.sheetnames[1:-2]:
                for row in book[name].iter_rows(min_row=2):
                    if any(isinstance(c.value, float) and c.number_format.startswith('"$"') for c in row):
                        found = True
                        break
        assert found, topic
