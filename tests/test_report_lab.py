"""What a notebook shows in JupyterLab, without a browser (issue 11, items 1 and 2); the browser test
(`tests/test_browser_lab.py`) checks the same in Chromium.

- Money in prose: every ``IPython.display.Markdown`` gets an HTML form in a ``mathjax_ignore``
  container, which JupyterLab and nbconvert prefer to the Markdown; `recommend` and `table` are in one.
- `publish` emits the results under a mimetype no front end renders (no JSON viewer), and the runner
  still reads results of notebooks executed before, under ``application/json``.
"""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest

from costlib import report


@pytest.fixture(scope="module")
def shell():
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.display_formatter.active_types = list(ip.display_formatter.formatters)  # as in a kernel, not a terminal
    assert report.install_markdown_html(ip)
    return ip


def test_markdown_gets_a_mathjax_free_html_form(shell):
    from IPython.display import Markdown

    data, _ = shell.display_formatter.format(Markdown("costs $5.62M over 36 months, $1.88M **more**"))
    assert 'class="costbook-markdown mathjax_ignore' in data["text/html"]
    assert "$5.62M over 36 months, $1.88M <strong>more</strong>" in data["text/html"]


def test_escaped_text_stays_text_in_the_html_form(shell):
    from IPython.display import Markdown

    data, _ = shell.display_formatter.format(Markdown(f"## {report.escape('<b>x</b> [y](javascript:z)')}"))
    assert "<b>" not in data["text/html"] and "javascript:" not in data["text/html"].replace(
        "[y](javascript:z)", "")


def test_recommendation_and_tables_are_mathjax_free(shell, capsys):
    from IPython.display import HTML

    styler = report.table(pd.DataFrame({"note": ["saves $5k, costs $6k"], "usd": [1.0]}), money=["usd"])
    data, _ = shell.display_formatter.format(styler)
    assert 'class="mathjax_ignore' in data["text/html"]
    assert data[report.TABLE_MIME]["rows"] == [["saves $5k, costs $6k", 1.0]]
    shown = []
    import IPython.display as d

    original = d.display
    d.display = lambda obj, **kw: shown.append(obj)
    try:
        report.recommend("**Buy.** $5.62M over 36 months, $1.88M more.")
    finally:
        d.display = original
    assert isinstance(shown[0], HTML) and "mathjax_ignore" in shown[0].data and "$5.62M" in shown[0].data


def test_publish_shows_no_json_viewer_and_the_runner_reads_both_mimetypes():
    captured = []
    import IPython.display as d

    original = d.display
    d.display = lambda obj, **kw: captured.append((obj, kw))
    try:
        report.publish({"x_usd": 1.0}, "words", "tco", title="t")
    finally:
        d.display = original
    (bundle, kw), = captured
    assert "application/json" not in bundle and report.RESULTS_MIME in bundle and bundle["text/plain"] == ""
    payload = bundle[report.RESULTS_MIME]
    for mime in (report.RESULTS_MIME, report.LEGACY_RESULTS_MIME):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
            "display_data", data={mime: payload, "text/plain": ""}, metadata={report.RESULTS_KEY: True})])])
        nbformat.validate(nbformat.reads(nbformat.writes(nb), as_version=4))
        assert report.extract_results(nb)["headline"] == {"x_usd": 1.0}


def test_the_index_shows_money_as_money(tmp_path):
    import json

    (tmp_path / "tco").mkdir()
    (tmp_path / "tco" / "s.json").write_text(json.dumps({
        "title": "A $5k service", "recommendation": "Keep it: $5.62M over 36 months, $1.88M less.",
        "figures": [{"label": "TCO", "text": "$5.62M", "key": "tco_usd"}], "provenance": {}}))
    page = report.write_index(tmp_path).read_text()
    assert "A $5k service" in page and "$5.62M over 36 months, $1.88M less." in page and ">$5.62M<" in page
