"""The xlsx export for finance partners (issue 11): ``costbook run`` writes ``outputs/<topic>/<scenario>.xlsx``.

Read back with openpyxl and compared with the sources the runner wrote beside it: the headline against
the results JSON (label, value as a number, unit), each table sheet against the table data the executed
notebook displayed, the parameters against `costlib.params.load` of the scenario file, the provenance
against the JSON. Every scenario of every workbook is checked (the session's one ``costbook run``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook

from costlib import export, params, report

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "params").glob("*/*.yaml"))

pytestmark = pytest.mark.scenario


def _same(a, b) -> bool:
    """Equal; numbers to the 15 significant digits a spreadsheet cell keeps (Excel's precision: openpyxl
    writes and reads back ``195000000.1199999`` for ``195000000.11999995``)."""
    if a in (None, "") and b in (None, ""):  # an empty text cell reads back as no value
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-14, abs_tol=1e-300)
    return a == b


#: The Excel formats a finance partner gets, written out (not read from costlib.export): percent with one
#: decimal, months and multiples labelled. Money depends on size: see `_money`.
FORMATS = {"share": "0.0%", "probability": "0.0%", "month": '"month "0', "months": '0.## "months"',
           "years": '0.## "years"', "count": "#,##0", "multiple": '0.00"x"', "number": "#,##0.####"}


def _money(value) -> str:
    """Whole dollars from $1,000, cents below, six decimals under a cent."""
    v = abs(float(value))
    return '"$"0.000000' if 0 < v < 0.01 else '"$"#,##0.00' if v < 1000 else '"$"#,##0'


def _expected_format(unit: str, value) -> str:
    return _money(value) if unit.startswith("usd") else FORMATS.get(unit, "General")


def test_expected_formats_by_hand():
    """The literal table above on a few values: $5.6M whole dollars, $0.10 in cents, $0.0004 to six places."""
    assert [_expected_format("usd", 5.6e6), _expected_format("usd_per_unit", 0.1),
            _expected_format("usd_per_unit", 0.0004), _expected_format("share", 0.25),
            _expected_format("month", 27)] == ['"$"#,##0', '"$"#,##0.00', '"$"0.000000', "0.0%", '"month "0']


def _rows(sheet, first=1):
    return [list(r) for r in sheet.iter_rows(min_row=first, values_only=True)]


@pytest.fixture(scope="module")
def reports(batch):
    outputs, code, log = batch
    assert code == 0, log
    return outputs


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_xlsx_holds_the_figures_of_the_json(reports, path):
    folder = reports / path.parent.name
    results = json.loads((folder / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert results["exports"]["xlsx"] == f"{path.stem}.xlsx"
    book = load_workbook(folder / f"{path.stem}.xlsx")
    assert book.sheetnames[0] == "Headline" and book.sheetnames[-2:] == ["Parameters", "Provenance"]

    # Headline: label, value (a number, not text), unit, as shown, key: one row per declared figure.
    head = book["Headline"]
    assert head["A1"].value == results["title"]
    assert [c.value for c in head[3]] == ["label", "value", "unit", "as shown", "key"]
    rows = {r[4]: (r, head.cell(row=i, column=2).number_format)
            for i, r in enumerate(_rows(head, 4), start=4) if r[4]}
    assert list(rows) == [f["key"] for f in results["figures"]]
    for f in results["figures"]:
        (label, value, unit, shown, _), number_format = rows[f["key"]]
        assert (label, unit, shown) == (f["label"], f["unit"], f["text"]), f["key"]
        assert _same(value, f["value"]), (f["key"], value, f["value"])
        if isinstance(f["value"], (int, float)) and not isinstance(f["value"], bool):
            assert number_format == _expected_format(f["unit"], f["value"]), (f["key"], number_format)

    # One sheet per table the report shows, with the numbers the notebook displayed, formatted.
    nb = nbformat.read(folder / f"{path.stem}.ipynb", as_version=4)
    tables = report.extract_tables(nb)
    sheets = book.sheetnames[1:-2]
    assert len(sheets) == len(tables), (sheets, [t["title"] for t in tables])
    for name, table in zip(sheets, tables):
        sheet = book[name]
        assert [c.value for c in sheet[1]] == table["columns"], name
        body = _rows(sheet, 2)
        assert len(body) == len(table["rows"]), name
        for got, want in zip(body, table["rows"]):
            assert all(_same(g, w) for g, w in zip(got, want)), (name, got, want)
        for j, column in enumerate(table["columns"], start=1):
            numeric = [c for (c,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j)
                       if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
            if column in table["money"]:
                assert all("$" in c.number_format for c in numeric), (name, column)
            if column in table["percent"]:
                assert all(c.number_format == "0.0%" for c in numeric), (name, column)
            elif (column.endswith("_month") or column == "month") and "_per_" not in column and (
                    column not in table["money"] and "usd" not in column.split("_")):
                assert all(c.number_format == '"month "0' for c in numeric), (name, column)

    # The parameters as validated (defaults filled in, pricebook references resolved).
    validated = dict(export._flatten(params.as_dict(params.load(path))))
    got = {k: v for k, v in _rows(book["Parameters"], 2)}
    assert got.keys() == validated.keys()
    assert all(_same(got[k], v if v is None or isinstance(v, (bool, int, float, str)) else str(v))
               for k, v in validated.items())

    # Provenance: the JSON's, with the params file's hash.
    prov = {k: v for k, v in _rows(book["Provenance"], 2)}
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
                    if any(isinstance(c.value, float) and "$" in c.number_format for c in row):
                        found = True
                        break
        assert found, topic
