"""Every scenario, bill and report input treated as untrusted (issue 16): the bad-input, fault and injection
matrix as a test.

**Injection.** Each payload (`PAYLOADS`: ``<script>``, an ``onerror`` handler, a ``javascript:`` link, a
Markdown link, ``=HYPERLINK(...)``, ``=1+1``, ``+cmd|' /C calc'!A0``, ``@SUM(1)``, a ``</script>`` breakout)
goes through every free-text field of one scenario per workbook, and through every free-text column of a
bill (ServiceName, ResourceId, ResourceName, SubAccountName, tag keys and values). A field is free text
when the schema accepts the payload in it (`inject`: every distinct string of the scenario is tried, and
kept where the scenario still validates). All of it runs in one ``costbook run`` per test session of this
module (`batch`), together with the broken files that must not stop it (a Latin-1 and a random-bytes
scenario, an alias bomb, a bill missing its mandatory columns, a bill path outside the project, a stray
JSON in ``outputs/<topic>/``). Then every HTML report, the index, each ``.md``, each ``.xlsx`` and each chart
SVG is scanned: no live markup (a script that runs, an event handler, a ``javascript:`` URL, an image or
link to the payloads' address) and no formula cell; and each payload is found there as text, so the scan
is not vacuous.

**Bad input and faults.** One line each, the exit code the README states, no traceback, and the outputs
tree hashed before and after where nothing should change. Cases already tested elsewhere are listed in
`ELSEWHERE` with the test that covers them, and `test_every_case_of_the_issue_has_a_test` checks that
those tests exist.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from costlib import params, runner
from conftest import no_kernel_project, snapshot

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "data" / "focus" / "focus_sample_1.0_1000.csv"
COSTBOOK = Path(sys.executable).with_name("costbook")

#: The injection payloads: each starts some field, and every free-text field carries all of them.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[site](http://127.0.0.1:9/x)",
    '=HYPERLINK("http://127.0.0.1:9/x","click")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "</script><svg onload=alert(1)>",
]
#: The issue's Markdown case, exactly: the vendor of workbook 05's price hike.
VENDOR = "=1+1<img src=x onerror=alert(1)>"

#: One scenario per workbook: the one with the most free text (names that reach tables, labels and words).
BASES = {
    "unit_economics": "tenant_tier_pricing",
    "tco": "managed_db_vs_self_hosted_cassandra",
    "capex_opex": "saas_monitoring_100x",
    "forecast": "commitment_under_uncertain_demand",
    "build_vs_buy": "analytics_price_hike",
    "finops": "focus_sample_real",
}
#: Strings that are not free text though the schema takes any string: file paths, and dates.
NOT_TEXT_KEYS = ("billing_data", "utilization_data", "path", "file")

pytestmark = pytest.mark.scenario


# ---------------------------------------------------------------------------------------------------
# Building the injected scenarios and bill


def _payload_texts(i: int, original: str) -> list[str]:
    """What ``original`` becomes: one payload first and all of them after it, or (for a field with a length
    limit, such as a tag key) the one payload."""
    first = PAYLOADS[i % len(PAYLOADS)]
    return [f"{first} {' '.join(PAYLOADS)} {original}", f"{first} {original}"]


def _strings(data, found: list, key: str = "") -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, str) and k not in found:
                found.append(k)
            if not any(str(k).endswith(n) for n in NOT_TEXT_KEYS):
                _strings(v, found, str(k))
    elif isinstance(data, list):
        for v in data:
            _strings(v, found, key)
    elif isinstance(data, str) and data not in found and not data.startswith(params.PRICEBOOK_PREFIX):
        if not (len(data) == 10 and data[4] == "-" and data[7] == "-"):  # a date
            found.append(data)


def _replace(data, old: str, new: str):
    if isinstance(data, dict):
        return {(new if k == old else k): _replace(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [_replace(v, old, new) for v in data]
    return new if data == old else data


def inject(topic: str, data: dict) -> tuple[dict, dict]:
    """``data`` with a payload text in place of every distinct string (value or mapping key) where the
    scenario still validates; returns it and ``{original: injected}``."""
    strings: list = []
    _strings(data, strings)
    mapping = {}
    offset = list(BASES).index(topic) * 3  # each payload starts some field in some workbook
    for i, original in enumerate(strings):
        for text in _payload_texts(offset + i, original):
            trial = _replace(data, original, text)
            try:
                params.validate(topic, trial, text_numbers=False)
            except ValueError:
                continue
            data, mapping[original] = trial, text
            break
    return data, mapping


def crafted_bill(path: Path, tag_keys: dict) -> Path:
    """The FOCUS sample with payloads in ServiceName, ResourceId, ResourceName, SubAccountName and the tags
    (keys renamed by ``tag_keys``, values injected, and one more tag per row whose key is a payload)."""
    with open(SAMPLE, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    at = {name: header.index(name) for name in ("ServiceName", "ResourceId", "ResourceName", "SubAccountName",
                                                 "Tags")}
    for i, row in enumerate(body):
        for name in ("ServiceName", "ResourceId", "ResourceName", "SubAccountName"):
            if row[at[name]] not in ("", "NULL"):
                row[at[name]] = f"{PAYLOADS[i % len(PAYLOADS)]} {row[at[name]]}"
        try:
            tags = json.loads(row[at["Tags"]])
        except ValueError:
            tags = None
        if isinstance(tags, dict):
            tags = {tag_keys.get(k, k): f"{PAYLOADS[(i + 1) % len(PAYLOADS)]} {v}" for k, v in tags.items()}
            tags[f"{PAYLOADS[i % len(PAYLOADS)]} extra"] = PAYLOADS[(i + 2) % len(PAYLOADS)]
            row[at["Tags"]] = json.dumps(tags)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *body])
    return path


def alias_bomb(levels: int, width: int = 9) -> str:
    lines = ['a0: &a0 ["' + "lol" * 20 + '"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One ``costbook run`` over the injected scenarios and the broken files beside them."""
    if not SAMPLE.is_file():
        pytest.fail(f"the FOCUS sample is missing: {SAMPLE} (../shared must sit beside the checkout)")
    base = tmp_path_factory.mktemp("untrusted")
    scenarios = base / "params"
    injected = {}
    for topic, name in BASES.items():
        data = params.read_yaml(ROOT / "params" / topic / f"{name}.yaml")
        data, mapping = inject(topic, data)
        if topic == "build_vs_buy":
            data["price_hike"]["vendor"] = VENDOR
        if topic == "finops":
            bill = crafted_bill(base / "bill.csv", mapping)
            data["billing_data"] = str(bill)
        folder = scenarios / topic
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "injected.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                                              encoding="utf-8")
        params.load(folder / "injected.yaml", ROOT)  # still a valid scenario
        injected[topic] = mapping
    # Broken files beside them: each is one line, and none stops the others.
    unit = scenarios / "unit_economics"
    (unit / "latin1.yaml").write_bytes("title: café\n".encode("latin-1"))
    (unit / "random_bytes.yaml").write_bytes(random.Random(16).randbytes(300))
    (unit / "alias_bomb.yaml").write_text(alias_bomb(9), encoding="utf-8")
    finops = params.read_yaml(ROOT / "params" / "finops" / "focus_sample_real.yaml")
    (base / "columns.csv").write_text("BilledCost,ServiceName\n1,a\n", encoding="utf-8")
    (scenarios / "finops" / "missing_columns.yaml").write_text(
        yaml.safe_dump({**finops, "billing_data": str(base / "columns.csv")}), encoding="utf-8")
    (scenarios / "finops" / "outside.yaml").write_text(
        yaml.safe_dump({**finops, "billing_data": "../" * 12 + "etc/passwd"}), encoding="utf-8")
    outputs = base / "outputs"
    (outputs / "finops").mkdir(parents=True)
    (outputs / "finops" / "stray.json").write_text("[1, 2]", encoding="utf-8")
    previous = outputs / "finops" / "missing_columns.html"
    previous.write_text("the previous report", encoding="utf-8")
    log = io.StringIO()
    code = runner.run([str(scenarios)], outputs_dir=str(outputs), progress=False, stream=log, root=ROOT)
    return {"code": code, "log": log.getvalue(), "outputs": outputs, "injected": injected, "base": base}


# ---------------------------------------------------------------------------------------------------
# Scanning outputs for live markup and formulas


#: Attributes whose value a browser follows or loads.
_URL_ATTRIBUTES = ("href", "src", "xlink:href", "action", "formaction", "data", "srcset", "poster")


class _Scan(HTMLParser):
    """Live markup in an HTML (or SVG) document: scripts that run and contain a payload, event handlers,
    ``javascript:`` URLs, images or links to the payloads' address. Collects the text too."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live, self.text, self._script = [], [], None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.lower().startswith("on") and "alert" in value:
                self.live.append(f"<{tag} {name}={value!r}>")
            url = name.lower() in _URL_ATTRIBUTES  # other attributes (aria-label, title) are text
            if url and ("javascript:" in value.replace(" ", "").lower() or "127.0.0.1:9" in value or value == "x"):
                self.live.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            kind = dict(attrs).get("type") or "text/javascript"
            self._script = kind if ("javascript" in kind or kind == "module") else None
        if tag in ("svg", "img") and any(n.lower().startswith("on") for n, _ in attrs):
            self.live.append(f"<{tag} with a handler>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script and "alert(1)" in data:
            self.live.append(f"a running script holding a payload: {data[:80]!r}")
        self.text.append(data)


def scan_html(text: str) -> tuple[list[str], str]:
    parser = _Scan()
    parser.feed(text)
    parser.close()
    return parser.live, "".join(parser.text)


def scan_xlsx(path: Path) -> tuple[list[str], list[str]]:
    """Formula cells and text cells that Excel would evaluate on edit (no quote prefix); the text cells."""
    from openpyxl import load_workbook

    bad, texts = [], []
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/") and b"<f>" in archive.read(member):
                bad.append(f"{member}: a <f> formula element")
    for sheet in load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad.append(f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}")
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
                    if not cell.quotePrefix:
                        bad.append(f"{sheet.title}!{cell.coordinate} text without a quote prefix")
    return bad, texts


# ---------------------------------------------------------------------------------------------------
# The injection run


def test_the_batch_runs_every_injected_scenario_and_reports_each_broken_file_in_one_line(batch):
    log, outputs = batch["log"], batch["outputs"]
    lines = log.splitlines()
    assert "Traceback" not in log, log
    assert batch["code"] == 1, log  # some files were invalid; the rest completed
    for topic in BASES:
        assert (outputs / topic / "injected.json").is_file(), f"{topic} did not run:\n{log}"
        assert len(batch["injected"][topic]) >= 2, f"{topic}: too few free-text fields took a payload"
    invalid = [line for line in lines if line.startswith("INVALID ")]
    assert len(invalid) == 5, log
    assert any("latin1.yaml" in line and "not UTF-8" in line and "0xe9" in line for line in invalid)
    assert any("random_bytes.yaml" in line and "not UTF-8" in line for line in invalid)
    assert any("alias_bomb.yaml" in line and "alias" in line for line in invalid)
    assert all(len(line) < 1000 for line in lines), max(lines, key=len)
    # The two broken bills are refused by validation, before any kernel starts (billing.scenario_problems):
    # one line each naming the key, the value and what was expected; nothing of a file outside the project.
    assert not [line for line in lines if line.startswith("FAILED ")], log
    columns = next(line for line in invalid if "finops/missing_columns" in line)
    assert "key 'billing_data'" in columns and "missing mandatory" in columns
    outside = next(line for line in invalid if "finops/outside" in line)
    assert "key 'billing_data'" in outside and "root:" not in outside
    assert (outputs / "finops" / "missing_columns.html").read_text() == "the previous report"
    assert not (outputs / "finops" / "outside.json").exists()
    stray = [line for line in lines if line.startswith("SKIPPED ")]
    assert len(stray) == 1 and "stray.json" in stray[0], log
    assert f"{len(BASES)} reports written, 0 failed, 5 invalid" in lines[-1]
    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert all(f"{topic}/injected.html" in index for topic in BASES)


def _reports(batch, suffix: str) -> list[Path]:
    return [batch["outputs"] / topic / f"injected{suffix}" for topic in BASES]


def test_html_reports_and_the_index_hold_the_payloads_as_text_only(batch):
    pages = _reports(batch, ".html") + [batch["outputs"] / "index.html"]
    for page in pages:
        live, text = scan_html(page.read_text(encoding="utf-8"))
        assert live == [], f"{page.name}: {live[:5]}"
        assert "onerror=alert(1)" in text and "=1+1" in text, f"{page}: the payloads never reached it"


def test_markdown_snippets_escape_every_user_string(batch):
    import markdown

    for path in _reports(batch, ".md"):
        source = path.read_text(encoding="utf-8")
        for raw in ("<img", "<script", "<svg", "](javascript:", "](http://127.0.0.1"):
            assert raw not in source, f"{path}: raw {raw!r}"
        live, text = scan_html(markdown.markdown(source, extensions=["tables"]))
        assert live == [], f"{path}: {live[:5]}"
        assert "=1+1" in text, f"{path}: the payloads never reached it"
    source = (batch["outputs"] / "build_vs_buy" / "injected.md").read_text(encoding="utf-8")
    assert "price hike" in source and "onerror" in source  # the issue's vendor, shown as text


def test_xlsx_text_is_never_a_formula(batch):
    every = []
    for path in _reports(batch, ".xlsx"):
        bad, texts = scan_xlsx(path)
        assert bad == [], f"{path}: {bad[:5]}"
        assert any("=1+1" in t for t in texts), f"{path}: the payloads never reached it"
        every += texts
    for start in ("=HYPERLINK(", "=1+1", "+cmd", "@SUM(1)"):
        assert any(t.startswith(start) for t in every), f"no text cell starting {start!r}: the scan is vacuous"
    _, texts = scan_xlsx(batch["outputs"] / "finops" / "injected.xlsx")
    assert any(t.startswith('=HYPERLINK(') for t in texts)  # from the bill or the scenario, as text


def test_chart_svgs_hold_no_live_markup(batch):
    svgs = sorted(p for topic in BASES for p in (batch["outputs"] / topic).glob("injected.*.svg"))
    assert len(svgs) >= 2 * len(BASES)
    reached = []
    for svg in svgs:
        live, text = scan_html(svg.read_text(encoding="utf-8"))
        assert live == [], f"{svg.name}: {live[:5]}"
        reached += [svg.name] if "=1+1" in text or "@SUM(1)" in text else []
    assert reached, "no chart label carried a payload: the chart scan is vacuous"


def test_the_bill_payloads_reach_the_finops_report_as_text(batch):
    """ServiceName, ResourceId, ResourceName, SubAccountName and tag keys and values are shown, inert."""
    live, text = scan_html((batch["outputs"] / "finops" / "injected.html").read_text(encoding="utf-8"))
    assert live == []
    _, cells = scan_xlsx(batch["outputs"] / "finops" / "injected.xlsx")
    shown = text + "\n".join(cells)
    for payload in PAYLOADS:
        assert payload in shown, f"{payload!r} from the bill never reached the report"
    team_key = batch["injected"]["finops"]["business_unit"]  # a tag key of the bill, renamed to a payload
    assert team_key in shown


# ---------------------------------------------------------------------------------------------------
# Bad input, no kernel: one line, outputs unchanged


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project copy (notebooks, pricebook, three scenarios) with a previous report in ``outputs/``, where
    starting a worker fails the test."""
    return no_kernel_project(tmp_path, monkeypatch, [("unit_economics", "streaming_margin"),
                             ("build_vs_buy", "message_queue"), ("capex_opex", "ten_million_cluster")],
                             ("html", "json", "md"))


def _validate(project: Path, *paths: Path) -> tuple[int, list[str]]:
    log = io.StringIO()
    code = runner.validate([str(p) for p in paths], stream=log, root=project)
    return code, log.getvalue().splitlines()


def _run(project: Path, *paths: Path) -> tuple[int, list[str]]:
    log = io.StringIO()
    code = runner.run([str(p) for p in paths], progress=False, stream=log, root=project)
    return code, log.getvalue().splitlines()


@pytest.mark.parametrize("name, content, words", [
    ("latin1", "title: café\n".encode("latin-1"), "not UTF-8 text: byte 0xe9 at line 1"),
    ("random", random.Random(1).randbytes(500), "not UTF-8 text"),
    ("bomb9", alias_bomb(9).encode(), "expected at most 100,000 values once aliases"),
    ("bomb6", alias_bomb(6).encode(), "expected at most 100,000 values once aliases"),
    ("deep", ("a: " + "[" * 3000 + "]" * 3000 + "\n").encode(), "nested too deeply"),
])
def test_an_unreadable_or_exploding_file_is_one_line_and_nothing_runs(project, name, content, words):
    path = project / "params" / "unit_economics" / f"{name}.yaml"
    path.write_bytes(content)
    before = snapshot(project / "outputs")
    code, lines = _run(project, path)
    assert code == 1
    assert lines[0].startswith(f"INVALID params/unit_economics/{name}.yaml: ") and words in lines[0], lines
    assert len(lines) == 2 and "nothing was run" in lines[1]
    assert all(len(line) < 400 for line in lines)
    assert snapshot(project / "outputs") == before


def test_every_echoed_value_is_cut_to_200_characters(project):
    """A 6-level alias bomb echoed every expanded value (39 MB); a long value or key is shown in part."""
    path = project / "params" / "unit_economics" / "long.yaml"
    data = yaml.safe_load((ROOT / "params" / "unit_economics" / "streaming_margin.yaml").read_text())
    data["x" * 5000] = "y" * 100_000
    data["title"] = ["z" * 1000] * 50
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, lines = _validate(project, path)
    assert code == 1
    assert len(lines) == 3, lines  # the unknown key, the title that is not text, the summary
    runs = [len(run) for line in lines for run in re.findall(r"x+|y+|z+", line)]
    assert max(runs) <= 200 and all(len(line) < 2000 for line in lines), [len(x) for x in lines]
    assert sum("characters)" in line for line in lines) == 2


@pytest.mark.parametrize("topic, name", [("build_vs_buy", "message_queue"), ("capex_opex", "ten_million_cluster")])
def test_the_discount_rate_message_states_its_bound(project, topic, name):
    path = project / "params" / topic / f"{name}.yaml"
    text = path.read_text()
    lines = ["discount_rate_per_year: -0.5" if line.startswith("discount_rate_per_year:") else line
             for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n")
    code, out = _validate(project, path)
    assert code == 1
    assert (f"params/{topic}/{name}.yaml: key 'discount_rate_per_year' = -0.5: expected a decimal rate per year "
            "in [0, 1) (write 0.08 for 8%)") in out
    assert not any("between 0 and 1" in line for line in out)


def test_a_path_outside_the_project_or_a_symlink_to_one_is_refused(project):
    link = project / "params" / "unit_economics" / "link.yaml"
    link.symlink_to("/etc/passwd")
    before = snapshot(project / "outputs")
    for given in (link, Path("/etc/passwd"), Path("params/../../../../../../etc/passwd")):
        code, lines = _run(project, given)
        assert code == 1, lines
        assert len(lines) == 2 and "no notebook notebooks/NN_etc.ipynb" in lines[0], lines
        assert "root:" not in "\n".join(lines)
    assert snapshot(project / "outputs") == before


def _index(project: Path, outputs: str | None) -> tuple[int, list[str]]:
    log = io.StringIO()
    code = runner.index(outputs, stream=log, root=project)
    return code, log.getvalue().splitlines()


def test_index_on_unusable_folders_is_one_line_exit_2_and_creates_nothing(project):
    before = snapshot(project)
    for given, words in (("no/such", "expected the folder of reports"), ("params/pricebook.yaml", "it is a file")):
        code, lines = _index(project, given)
        assert code == 2 and len(lines) == 1 and words in lines[0], lines
    assert snapshot(project) == before and not (project / "no").exists()
    if os.geteuid() != 0:
        os.chmod(project / "outputs", 0o555)
        try:
            code, lines = _index(project, "outputs")
        finally:
            os.chmod(project / "outputs", 0o755)
    else:  # root writes anywhere that is not a read-only file system; /proc is one on every Linux
        code, lines = _index(project, "/proc")
    assert code == 2 and len(lines) == 1 and "cannot write reports there" in lines[0], lines


def test_index_leaves_out_stray_and_malformed_report_files_with_one_line_each(project):
    folder = project / "outputs" / "unit_economics"  # its streaming_margin.json is "the previous json"
    (folder / "stray.json").write_text("[1, 2]")
    (folder / "truncated.json").write_text('{"figures": [')
    (folder / "malformed.json").write_text(json.dumps({"figures": [{"value": 1}], "title": "x"}))
    (folder / "undecodable.json").write_bytes(b"\xff\xfe{}")
    good = {"title": "A report", "figures": [{"label": "Cost", "text": "$1.00"}], "provenance": {}}
    (folder / "good.json").write_text(json.dumps(good))
    code, lines = _index(project, "outputs")
    assert code == 0
    skipped = sorted(line.split()[1].rsplit("/", 1)[-1].rstrip(":") for line in lines if line.startswith("SKIPPED"))
    assert skipped == sorted(["malformed.json", "streaming_margin.json", "stray.json", "truncated.json",
                              "undecodable.json"])
    assert len(lines) == len(skipped) and "Traceback" not in "\n".join(lines)
    page = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "unit_economics/good.html" in page and "1 reports" in page


# ---------------------------------------------------------------------------------------------------
# Two runs at once


def test_two_runs_at_once_on_the_same_outputs_both_complete_whole(tmp_path):
    project = tmp_path / "project"
    (project / "params" / "unit_economics").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copy(ROOT / "params" / "pricebook.yaml", project / "params" / "pricebook.yaml")
    for name in ("streaming_margin", "chatty_cross_az"):
        shutil.copy(ROOT / "params" / "unit_economics" / f"{name}.yaml", project / "params" / "unit_economics")
    command = [str(COSTBOOK), "run", "--no-progress", "-j", "1"]
    first = subprocess.Popen(command, cwd=project, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, cwd=project, stderr=subprocess.PIPE, text=True)
    errors = [first.communicate(timeout=500)[1], second.communicate(timeout=500)[1]]
    assert [first.returncode, second.returncode] == [0, 0], errors
    assert all("Traceback" not in e and "2 reports written, 0 failed, 0 invalid" in e for e in errors), errors
    outputs = project / "outputs"
    for name in ("streaming_margin", "chatty_cross_az"):
        data = json.loads((outputs / "unit_economics" / f"{name}.json").read_text(encoding="utf-8"))
        for member in [f"{name}.html", f"{name}.xlsx", f"{name}.md", *data["charts"]]:
            assert (outputs / "unit_economics" / member).is_file(), member
    assert [p for p in outputs.rglob(".*")] == []  # no temporary file of either run left behind


# ---------------------------------------------------------------------------------------------------
# The rest of the matrix, tested where it already lived

#: Case of the issue -> the tests that cover it (module::function).
ELSEWHERE = {
    "unknown keys": ["test_runner_failures.py::test_invalid_files_are_reported_and_skipped_valid_ones_still_run",
                     "test_params.py::test_misspelled_key_is_named_with_a_suggestion"],
    "duplicate keys, numbers as text, .inf, numbers beyond 1e15": [
        "test_bad_input.py::test_bad_input_gets_one_line_and_outputs_stay_byte_identical"],
    "unusable outputs for run (a file, a missing place, not writable)": [
        "test_bad_input.py::test_bad_input_gets_one_line_and_outputs_stay_byte_identical",
        "test_bad_input.py::test_unwritable_outputs_folder"],
    "Ctrl-C at several moments (the runner, its process group)": [
        "test_runner_faults.py::test_ctrl_c_stops_the_run_kills_kernels_writes_the_index_and_leaves_no_temp_files"],
    "SIGKILL of the runner and its group": [
        "test_runner_faults.py::test_a_killed_runner_takes_its_workers_and_kernels_and_the_next_run_cleans_up",
        "test_runner_faults.py::test_killing_only_the_runner_process_ends_its_workers"],
    "stale billing cache under the wrong hash (edit and retime)": [
        "test_billing_cache.py::test_edit_keeping_size_and_mtime_gives_the_new_total_and_its_true_hash"],
    "corrupt cache entries (canonical Parquet, quality.json, results)": [
        "test_billing_cache.py::test_an_unreadable_cache_entry_is_rebuilt_with_one_line"],
    "code execution through plain papermill -f": [
        "test_papermill_guard.py::test_plain_papermill_refuses_a_key_that_is_not_a_name"],
}


def test_every_case_of_the_issue_has_a_test():
    import ast

    for case, tests in ELSEWHERE.items():
        for test in tests:
            module, function = test.split("::")
            tree = ast.parse((ROOT / "tests" / module).read_text(encoding="utf-8"))
            names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
            assert function in names, f"{case}: {test} is gone"
