"""Every string from a params file is text in a report, never markup (issue 12, item 1).

Scenarios of every workbook get an HTML/Markdown payload appended to every free-text value the schema
accepts (titles, descriptions, option labels and descriptions, vendor names, line notes, tier names...).
The produced HTML is parsed: no ``<script>``, no event-handler attribute and no ``javascript:`` URL may
come from the params file, and the payload must still be there as visible text.
"""

from __future__ import annotations

import copy
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from costlib import params, report, runner
from costlib.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]

MARK = "pwn"
PAYLOAD = (f' <script>alert("{MARK}1")</script><img src=x onerror=alert("{MARK}2")>'
           f' [{MARK}3](javascript:alert(3)) <a href="javascript:alert(4)">{MARK}4</a> **{MARK}5** `{MARK}6`'
           f' <svg onload=alert("{MARK}7")> &lt;b&gt;')

#: One scenario per workbook section that shows user text: vendor, labels, notes, tiers, "what", changes.
SCENARIOS = ["build_vs_buy/analytics_price_hike", "tco/managed_db_vs_self_hosted_cassandra",
             "capex_opex/ten_million_cluster", "capex_opex/saas_monitoring_100x",
             "unit_economics/launch_gate_cost_per_dau", "unit_economics/budget_overrun_drivers",
             "unit_economics/tenant_tier_pricing"]

pytestmark = pytest.mark.scenario


def _strings(data, path=()):
    """Paths of every string value in a YAML tree (pricebook references excluded)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, path + (i,))
    elif isinstance(data, str) and not data.startswith(params.PRICEBOOK_PREFIX):
        yield path


def _get(data, path):
    for part in path:
        data = data[part]
    return data


def _set(data, path, value):
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def poisoned(topic: str, data: dict) -> tuple[dict, list]:
    """``data`` with the payload appended to every string the schema accepts as free text."""
    out = copy.deepcopy(data)
    accepted = []
    for path in _strings(data):
        trial = copy.deepcopy(out)
        _set(trial, path, _get(trial, path) + PAYLOAD)
        try:
            params.validate(topic, trial, root=ROOT)
        except ScenarioError:
            continue  # an identifier, a choice: the schema refuses markup there already
        out = trial
        accepted.append(".".join(map(str, path)))
    return out, accepted


class Scan(HTMLParser):
    """Collects what a browser would treat as live: scripts, event handlers, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.js_urls, self.text = [], [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append((tag, name, value))
            if value and value.strip().lower().startswith("javascript:"):
                self.js_urls.append((tag, name, value))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


@pytest.fixture(scope="module")
def poisoned_run(tmp_path_factory):
    project = tmp_path_factory.mktemp("xss") / "project"
    (project / "params").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copy(ROOT / "params" / "pricebook.yaml", project / "params" / "pricebook.yaml")
    fields = {}
    for name in SCENARIOS:
        topic, stem = name.split("/")
        data = yaml.safe_load((ROOT / "params" / f"{name}.yaml").read_text(encoding="utf-8"))
        bad, fields[name] = poisoned(topic, data)
        target = project / "params" / topic / f"{stem}.yaml"
        target.parent.mkdir(exist_ok=True)
        target.write_text(yaml.safe_dump(bad, sort_keys=False, allow_unicode=True), encoding="utf-8")
    log = io.StringIO()
    code = runner.run(None, outputs_dir=str(project / "outputs"), progress=False, stream=log, root=project)
    return project / "outputs", code, log.getvalue(), fields


def test_every_workbook_takes_the_payload_somewhere(poisoned_run):
    _, code, log, fields = poisoned_run
    assert code == 0, log
    for name in SCENARIOS:
        assert "title" in fields[name] and "description" in fields[name], (name, fields[name])
    everything = {f.split(".")[-1] for accepted in fields.values() for f in accepted}
    assert {"vendor", "label", "note", "what", "tier", "change"} <= everything, everything


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_live_markup_comes_from_the_params_file(poisoned_run, name):
    outputs, _, _, _ = poisoned_run
    page = (outputs / f"{name}.html").read_text(encoding="utf-8")
    scan = Scan()
    scan.feed(page)
    assert not [s for s in scan.scripts if MARK in s or "alert(" in s], "a script from the params file"
    assert not scan.handlers, f"event-handler attributes: {scan.handlers[:3]}"
    assert not scan.js_urls, f"javascript: URLs: {scan.js_urls[:3]}"
    text = "".join(scan.text)
    # The payload is shown as the text it is: the title, the description, the tags, the ampersand entity.
    assert f'<script>alert("{MARK}1")</script>' in text
    assert f'<img src=x onerror=alert("{MARK}2")>' in text
    assert f"[{MARK}3](javascript:alert(3))" in text and f"**{MARK}5**" in text
    assert "&lt;b&gt;" in text
    index = (outputs / "index.html").read_text(encoding="utf-8")
    index_scan = Scan()
    index_scan.feed(index)
    assert not index_scan.handlers and not index_scan.js_urls
    assert not [s for s in index_scan.scripts if MARK in s]
    # The index shows the recommendation's first sentence as text: user strings as written, no entities.
    assert "&#" not in "".join(index_scan.text) and "&lt;" not in "".join(index_scan.text).replace("&lt;b&gt;", "")


def test_escape_is_text_in_markdown_and_html():
    """The one shared function: the payload survives Markdown rendering as literal text."""
    import markdown_it

    rendered = markdown_it.MarkdownIt("commonmark").render(f"## {report.escape(PAYLOAD)}")
    scan = Scan()
    scan.feed(rendered)
    assert not scan.scripts and not scan.handlers and not scan.js_urls
    assert "".join(scan.text).strip() == PAYLOAD.strip()


def test_a_connection_password_never_reaches_the_appendix_or_a_comparison(tmp_path, monkeypatch):
    """A scenario naming its warehouse by ``trino://ana:s3cret@wh/hive``: the report's appendix (the params
    file as written and every validated parameter) and compare/diff's input words show ``ana:***@wh``."""
    import IPython.display

    from costlib import compare, params, report
    from costlib.workbooks import finops

    url = "trino://ana:s3cret@wh:8080/hive"
    scenario = tmp_path / "params" / "finops" / "warehouse.yaml"
    scenario.parent.mkdir(parents=True)
    scenario.write_text(f"billing_engine: '{url}'\nbilling_table: focus_rows\n", encoding="utf-8")
    p = params.load(scenario, tmp_path)
    assert p.billing_engine == url  # the connection itself gets the password
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects: shown.extend(objects))
    report.appendix(p, str(scenario))
    text = "".join(o.data for o in shown)
    assert "s3cret" not in text and text.count("ana:***@wh:8080/hive") == 2
    assert compare.input_text("billing_engine", url, finops) == "trino://ana:***@wh:8080/hive"
