"""`costbook compare`: the differences it shows equal the individual reports' figures, by arithmetic."""

from __future__ import annotations

import io
import json

import pytest
import yaml

from costlib import compare, params, report
from costlib.workbooks import build_vs_buy
from workbook_scenarios import ROOT

TITLE = '=HYPERLINK("http://x") <script>alert(1)</script> *bold* $5'


@pytest.fixture()
def pair(tmp_path):
    """message_queue, and a copy at 250,000 messages a month instead of 200,000 (the build's saving passes
    the 20% material share there), titled with markup and a formula."""
    data = yaml.safe_load((ROOT / "params/build_vs_buy/message_queue.yaml").read_text())
    folder = tmp_path / "params" / "build_vs_buy"
    folder.mkdir(parents=True)
    a, b = folder / "base.yaml", folder / "more_volume.yaml"
    a.write_text(yaml.safe_dump(data))
    data.update(volume_units_per_month=250_000, title=TITLE)
    b.write_text(yaml.safe_dump(data))
    return a, b


def test_differences_equal_the_individual_reports_figures(pair):
    a_path, b_path = pair
    workbook, scenarios, sources = compare.load([str(a_path), str(b_path)])
    c = compare.build(workbook, scenarios, sources)
    (_, pa, a), (_, pb, b) = scenarios
    rows_a = {r["key"]: r for r in report.figure_rows(build_vs_buy, a)}  # what each report's JSON holds
    rows_b = {r["key"]: r for r in report.figure_rows(build_vs_buy, b)}
    assert [f["key"] for f in c.figures] == list(rows_a)
    checked = 0
    for f in c.figures:
        va, vb = rows_a[f["key"]]["value"], rows_b[f["key"]]["value"]
        assert f["texts"] == [rows_a[f["key"]]["text"], rows_b[f["key"]]["text"]]
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool):
            assert f["diffs"][1] == pytest.approx(vb - va, rel=1e-12, abs=1e-9)
            if va:
                assert f["rels"][1] == pytest.approx((vb - va) / abs(va), rel=1e-12)
            checked += 1
    assert checked >= 5
    # buy's total is $0.50 per million messages... x 36 months: 250,000 - 200,000 more a month is 1.25x the cost
    buy = next(f for f in c.figures if f["key"] == "tco_managed_queue_usd")
    assert buy["rels"][1] == pytest.approx(0.25, rel=1e-9)
    (d,) = c.decisions
    assert d["verdicts"][0].startswith("buy") and d["verdicts"][1].startswith("build") and d["differs"] == [False, True]
    assert [r["key"] for r in c.inputs] == ["title", "volume_units_per_month"]
    volume = c.inputs[1]
    assert volume["values"] == [200_000, 250_000] and volume["texts"] == ["200,000", "250,000"]


def test_the_report_is_escaped_offline_and_formula_free(pair, tmp_path):
    from openpyxl import load_workbook

    workbook, scenarios, sources = compare.load([str(p) for p in pair])
    c = compare.build(workbook, scenarios, sources)
    out = tmp_path / "outputs"
    page = compare.write(c, out)
    text = page.read_text()
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script" not in text and text.count("<svg") == 2
    md = page.with_suffix(".md").read_text()
    assert "<script>" not in md and "*bold*" not in md and "&#36;5" in md
    book = load_workbook(io.BytesIO(page.with_suffix(".xlsx").read_bytes()))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert any(cell.value == TITLE and cell.data_type == "s" for cell in cells)
    numbers = [cell.value for cell in book["Headline"]["C"] if isinstance(cell.value, (int, float))]
    assert numbers, "values stay numbers"
    assert json.loads(page.with_suffix(".json").read_text())["kind"] == "compare"
    assert f"compare/{page.name}" in report.write_index(out).read_text()


def test_mixed_workbooks_are_one_line_and_exit_2(capsys, tmp_path):
    code = compare.main([str(ROOT / "params/tco/storage_hot_90_days.yaml"),
                         str(ROOT / "params/build_vs_buy/logging.yaml")], outputs_dir=str(tmp_path))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "one workbook" in err[0]
    assert not any(tmp_path.iterdir())


def test_inputs_are_flattened_with_list_items_by_name():
    """The key a reader sees for an option's field is ``options.<name>.<field>``, as `costbook sweep` takes it."""
    p = params.load(ROOT / "params/build_vs_buy/message_queue.yaml")
    flat = compare.flatten(params.as_dict(p))
    assert flat["options.kafka_on_bare_metal.engineers"] == p.options[1].engineers
