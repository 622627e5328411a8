"""A test that reads every report the way its reader does (issue 21).

Every scenario of every workbook (01-06) is rendered once per session (the ``batch`` fixture: one ``costbook run``
shared with the scenario and export tests; or the reports already in ``$COSTBOOK_READER_OUTPUTS``, a folder
``costbook run`` wrote). For each report, the visible text above the appendix (outside code, style, scripts
and SVG), the index page's cards and the design-doc ``.md`` as a Markdown viewer renders it must hold:

- no snake_case key: none of the scenario's keys (parameters, headline figures, uncertain inputs, table
  columns, from the per-session analysis cache) and no other snake_case token either;
- no float with more than six significant digits, no exponent (``5.91441e-05``);
- none of ``nan``, ``None``, ``True``, ``False``, ``inf``;

and every chart has its own alternative text (its title, not nbconvert's placeholder) and draws something.

Values from the data are not keys: a tag key (``business_unit``), a storage class (``GLACIER_IR``), a FOCUS
custom column (``x_StorageClass``), a commitment ARN stay as the bill or the scenario spells them. A workbook
that shows such values declares them (``data_values(analysis)``, workbook 06's); they are taken out of the
text before it is read, and only they: a value is taken out only where it would itself read as raw.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from costlib import contract, report
from workbook_scenarios import ROOT, analysed, scenarios

pytestmark = pytest.mark.scenario

#: The workbooks whose reports are read: all six.
TOPICS = ("unit_economics", "tco", "capex_opex", "forecast", "build_vs_buy", "finops")
KNOWN_GAP = ()
SCENARIOS = [s for s in scenarios() if s.values[1].parent.name in TOPICS]

APPENDIX = "Appendix: parameters and provenance"
SNAKE = re.compile(r"(?<![\w/#&-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w-])")
FLOAT = re.compile(r"(?<![\w.])\d[\d,]*\.\d+(?:[eE][-+]?\d+)?(?![\w.])|(?<![\w.])\d+(?:\.\d+)?[eE][-+]?\d+\b")
RAW_WORDS = re.compile(r"\b(nan|NaN|None|True|False|inf|Infinity)\b")


class _Visible(HTMLParser):
    """The text a reader sees: everything outside script, style, SVG, code and pre."""

    SKIP = {"script", "style", "svg", "code", "pre", "head", "title", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if not self.stack:
            self.parts.append(data)


def visible_text(page: str, stop: str | None = APPENDIX) -> str:
    """The visible text of an HTML page, up to the appendix's heading."""
    if stop and stop in page:
        page = page[: page.index(stop)]
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


def raw_tokens(text: str, keys=()) -> list[str]:
    """Everything in ``text`` a reader should not meet: keys, snake_case, float noise, nan/None/True/False.

    >>> raw_tokens("Build months (kafka on bare metal) above 8.4 months, $1,234, 12.3%, month 27")
    []
    >>> raw_tokens("kafka_on_bare_metal.build_months above 8.444444 or 5.91441e-05, nan, True")
    ['kafka_on_bare_metal', 'build_months', '8.444444', '5.91441e-05', 'nan', 'True']
    """
    found = [m.group(0) for m in SNAKE.finditer(text)]
    for m in FLOAT.finditer(text):
        token = m.group(0)
        digits = re.sub(r"[eE].*", "", token).replace(",", "").replace(".", "").lstrip("0")
        if re.search(r"[eE]", token) or len(digits) > 6:
            found.append(token)
    found += [m.group(0) for m in RAW_WORDS.finditer(text)]
    words = set(re.findall(r"[\w.]+", text))
    found += [k for k in keys if ("_" in k or "." in k) and k in words and k not in found]
    return found


def data_values(module_name: str, path: Path) -> list[str]:
    """The values of one scenario's report that come from its data (the workbook's ``data_values``), those
    that would read as raw, longest first."""
    wb, p, a = analysed(module_name, path)
    values = getattr(wb, "data_values", lambda a: set())(a)
    return sorted((v for v in values if raw_tokens(v)), key=len, reverse=True)


def without_data(text: str, values) -> str:
    """``text`` with the data's own values taken out (they are shown as they are).

    >>> without_data("Do not archive ml-features to GLACIER_IR: read back", ["GLACIER_IR"])
    'Do not archive ml-features to : read back'
    """
    for v in values:
        text = text.replace(v, "")
    return text


def _flat_keys(values, prefix="") -> set[str]:
    out = set()
    if isinstance(values, dict):
        for k, v in values.items():
            out |= {str(k), f"{prefix}{k}"} | _flat_keys(v, f"{prefix}{k}.")
    elif isinstance(values, (list, tuple)):
        for v in values:
            out |= _flat_keys(v, prefix)
    return out


def scenario_keys(module_name: str, path: Path, nb=None) -> set[str]:
    """The keys of one scenario a reader must never see: its parameters (nested too), its headline figures,
    its uncertain inputs and the columns of every table its report shows."""
    from costlib import params

    wb, p, a = analysed(module_name, path)
    keys = _flat_keys(params.as_dict(p)) | set(a.headline) | set(wb.uncertain_inputs(p))
    if nb is not None:
        for table in report.extract_tables(nb):
            keys |= set(table["columns"])
    return {k for k in keys if "_" in k or "." in k}


@pytest.fixture(scope="module")
def outputs(request) -> Path:
    """Reports of every scenario: a folder ``costbook run`` already wrote, or the session's one batch run."""
    given = os.environ.get("COSTBOOK_READER_OUTPUTS")
    if given:
        return Path(given)
    folder, code, log = request.getfixturevalue("batch")
    assert code == 0, log
    return folder


def test_the_scenario_list_is_explicit():
    """Every workbook is either read here or named as the known gap: none is left out silently."""
    topics = {importlib_topic(m) for m in contract.workbook_modules()}
    assert topics == set(TOPICS) | set(KNOWN_GAP), topics
    assert len(SCENARIOS) == sum(len(list((ROOT / "params" / t).glob("*.yaml"))) for t in TOPICS)


def importlib_topic(module_name: str) -> str:
    import importlib

    return importlib.import_module(module_name).TOPIC


@pytest.mark.parametrize("module_name, path", SCENARIOS)
def test_the_report_reads_like_the_headline(outputs, module_name, path):
    import nbformat

    folder = outputs / path.parent.name
    page = (folder / f"{path.stem}.html").read_text(encoding="utf-8")
    nb = nbformat.read(folder / f"{path.stem}.ipynb", as_version=4)
    assert APPENDIX in page
    text = visible_text(page)
    # the answer first: the scenario's title, then the verdicts and the headline, then the question
    title = json.loads((folder / f"{path.stem}.json").read_text(encoding="utf-8"))["title"]
    assert text.strip().startswith(title.strip()[:40]), text[:200]
    assert page.index("costbook-headline") < page.index("The question.")
    assert raw_tokens(without_data(text, data_values(module_name, path)), scenario_keys(module_name, path, nb)) == []


@pytest.mark.parametrize("module_name, path", SCENARIOS)
def test_every_chart_has_its_own_alt_text_and_draws_something(outputs, module_name, path):
    folder = outputs / path.parent.name
    page = (folder / f"{path.stem}.html").read_text(encoding="utf-8")
    results = json.loads((folder / f"{path.stem}.json").read_text(encoding="utf-8"))
    alts = re.findall(r'<img alt="([^"]*)" src="data:image/svg\+xml', page)
    assert len(alts) >= len(results["charts"]) > 0
    for alt in alts:
        alt = html_lib.unescape(alt)
        assert alt.startswith("Chart: ") and len(alt) > len("Chart: ") + 8, alt
        assert "No description" not in alt
        assert raw_tokens(without_data(alt, data_values(module_name, path))) == [], alt
    for chart in results["charts"]:
        svg = (folder / chart).read_text(encoding="utf-8")
        assert drawn_marks(svg) > 0, f"{chart}: an empty chart"


def drawn_marks(svg: str) -> int:
    """How many data marks (bars, lines, areas, points; not axes, legends or rules) an SVG draws."""
    count = 0
    for m in re.finditer(r'<g class="mark-(rect|line|area|symbol|arc|trail)[^"]*role-mark[^"]*"[^>]*>(.*?)</g>',
                         svg, re.S):
        count += len(re.findall(r'<path[^>]* d="M[^"]+"', m.group(2)))
    return count


def test_the_index_reads_like_the_headline(outputs):
    page = (outputs / "index.html").read_text(encoding="utf-8")
    sections = re.split(r"(?=<h2>)", page)
    read = [s for s in sections if any(f"<h2>{html_lib.escape(report.TOPIC_LABELS[t])}</h2>" in s for t in TOPICS)]
    assert len(read) == len(TOPICS)
    keys, values = set(), set()
    for module_name, path in (s.values for s in SCENARIOS):
        keys |= scenario_keys(module_name, path)
        values |= set(data_values(module_name, path))
    values = sorted(values, key=len, reverse=True)
    for section in read:
        assert raw_tokens(without_data(visible_text(section, stop=None), values), keys) == []


@pytest.mark.parametrize("module_name, path", SCENARIOS)
def test_the_markdown_snippet_reads_like_the_headline(outputs, module_name, path):
    import markdown

    folder = outputs / path.parent.name
    rendered = markdown.markdown((folder / f"{path.stem}.md").read_text(encoding="utf-8"), extensions=["tables"])
    text = visible_text(rendered, stop="Source:")
    assert raw_tokens(without_data(text, data_values(module_name, path)), scenario_keys(module_name, path)) == []
