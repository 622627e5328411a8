"""Report plumbing: atomic writes, the index page, offline HTML, chart rendering."""

import json

import nbformat
import pandas as pd
import pytest

from costlib import charts, report


def test_atomic_write_replaces_whole_file_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "r.html"
    target.write_text("old")
    report.atomic_write(target, "new")
    assert target.read_text() == "new"

    with pytest.raises(TypeError):
        report.atomic_write(target, 12345)  # not str or bytes: the write fails midway
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_index_keeps_headline_order_and_links_reports(tmp_path):
    folder = tmp_path / "tco"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({
        "title": "Scenario A", "recommendation": "Buy. Because it is cheaper.",
        "headline": {"zeta_usd": 1.0, "alpha_usd": 2.0},
        "provenance": {"params_file": "params/tco/a.yaml", "produced_at_utc": "2026-01-01T00:00:00+00:00"}}))
    page = report.write_index(tmp_path).read_text()
    assert "href='tco/a.html'" in page and "Scenario A" in page
    assert page.index("zeta_usd") < page.index("alpha_usd")
    assert "Buy." in page and "Because it is cheaper" not in page


def test_extract_results_restores_headline_order():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"application/json": {
        "headline": {"a": 1, "b": 2, "c": 3}, "headline_order": ["c", "a", "b"]}},
        metadata={report.RESULTS_KEY: True})]
    nb.cells.append(cell)
    assert list(report.extract_results(nb)["headline"]) == ["c", "a", "b"]


def test_html_has_no_code_and_no_cdn_scripts():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("secret_code = 1")]
    page = report.to_html(nb, title="t")
    assert "secret_code" not in page
    assert 'src="https://' not in page and "cdnjs" not in page


def test_money_axis_avoids_si_prefixes_below_a_cent():
    frame = pd.DataFrame({"x": [1, 2], "y": [0.00004, 0.00005]})
    spec = charts.lines(frame, "x", "y", title="t").to_dict()
    assert spec["encoding"]["y"]["axis"]["format"] == "$,.3~r"  # $0.000025, not $0.00003 twice
    big = pd.DataFrame({"x": [1, 2], "y": [4e6, 5e6]})
    assert charts.lines(big, "x", "y", title="t").to_dict()["encoding"]["y"]["axis"]["format"] == "$,.3~s"


def test_charts_render_to_svg_offline():
    frame = pd.DataFrame({"input": ["a", "b"], "low": [1, 2], "high": [3, 4], "base_value": [2, 3],
                          "output_at_low": [0.1, 0.2], "output_at_high": [0.3, 0.25], "base_output": [0.2, 0.2],
                          "swing": [0.2, 0.05]})
    svg = charts.to_svg(charts.tornado(frame, output_label="margin"))
    assert svg.startswith("<svg") and "A: 1 to 3" in svg  # the input by its label, its range in its unit


def test_escaped_text_renders_as_written_in_markdown():
    """An apostrophe or '#' in a description shows as itself, not as '&#x27;' (entities escaped once)."""
    import markdown_it

    from costlib import report

    rendered = markdown_it.MarkdownIt().render(report.escape("the loader's #1 check & <b>x</b>"))
    assert "the loader's #1 check &amp; &lt;b&gt;x&lt;/b&gt;" in rendered
