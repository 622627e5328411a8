"""End to end: every params file through its notebook with the batch runner, and what it writes.

One session-wide run of ``costbook run`` over all of ``params/`` into a temporary folder; each scenario's
report is then checked: HTML without code and without anything fetched from the network, charts as SVG
files, results JSON with provenance, and an appendix whose parameters are the params file's.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import math
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from costlib import params

from workbook_scenarios import analysed  # tests/ is on sys.path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "params").glob("*/*.yaml"))

pytestmark = pytest.mark.scenario


# ``batch`` (every scenario run once) is in conftest.py: the export tests read the same run.


def test_the_batch_succeeds(batch):
    outputs, code, log = batch
    assert code == 0, log
    assert f"{len(SCENARIOS)} reports written, 0 failed, 0 invalid" in log


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_report_of_each_scenario(batch, path):
    outputs, _, _ = batch
    folder = outputs / path.parent.name
    page = (folder / f"{path.stem}.html").read_text(encoding="utf-8")
    results = json.loads((folder / f"{path.stem}.json").read_text(encoding="utf-8"))

    # Self-contained: no script or stylesheet loaded from the network, no code cells.
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)
    assert "import(\"https://" not in page
    assert "params.collect(" not in page and "report.headline(" not in page
    assert "hl-ipython3" not in page, "a code cell is shown"

    # Headline (a formatted table, and the decisions), charts, sensitivity and recommendation are all there.
    assert "costbook-headline" in page and "Where each figure comes from" in page
    assert [f["key"] for f in results["figures"]] == list(results["headline"])
    assert all(f["unit"] and f["label"] and f["text"] for f in results["figures"])
    assert results["decisions"] and all(d["verdict"] and d["words"] for d in results["decisions"])
    assert results["headline"], "no headline figures"
    for name, value in results["headline"].items():
        assert re.fullmatch(r"[a-z0-9_]+", name), name
        assert value is None or isinstance(value, (int, float, str))
    # ... and they are the figures of this scenario: the per-scenario analysis in this process, analysed
    # from the params file (once per session, shared with the contract tests), gives the same values.
    _, _, analysis = analysed(f"costlib.workbooks.{path.parent.name}", path)
    assert list(results["headline"]) == list(analysis.headline)
    for name, value in results["headline"].items():
        assert _same_figure(value, analysis.headline[name]), (name, value, analysis.headline[name])
    assert "costbook-recommendation" in page and results["recommendation"].strip()
    assert results["charts"], "no charts"
    assert any("tornado" in chart for chart in results["charts"])
    for chart in results["charts"]:
        svg = (folder / chart).read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "</svg>" in svg
    assert page.count("<svg") + page.count('src="data:image/svg+xml') >= len(results["charts"])

    # Provenance: the file, its hash, the library version, the time.
    prov = results["provenance"]
    assert prov["params_file"] == str(path.relative_to(ROOT))
    assert prov["params_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert prov["costlib_version"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", prov["produced_at_utc"])
    assert prov["params_sha256"] in page and prov["params_file"] in page

    # The appendix shows the parameters the run used, which are the params file's values.
    appendix = re.search(r"Every parameter as validated.*?<pre[^>]*>(.*?)</pre>", page, re.S).group(1)
    shown = yaml.safe_load(html_lib.unescape(appendix))
    assert shown == params.as_dict(params.load(path, ROOT))
    executed = nbformat.read(folder / f"{path.stem}.ipynb", as_version=4)
    used = executed.metadata["papermill"]["parameters"]
    assert {k: v for k, v in used.items() if k not in params.RUNTIME_KEYS} == shown
    assert used["interactive"] is False
    # Every value written in the file is the value used (pricebook references resolved).
    book = params.load_pricebook(ROOT)
    file_values, _ = params.resolve_pricebook(yaml.safe_load(path.read_text(encoding="utf-8")), book)
    assert_contains(shown, file_values, path.name)


def _same_figure(written, computed) -> bool:
    """A results-JSON value against the analysis's: numbers to 1e-9 relative, NaN and infinity written as
    null, text and None as they are."""
    if isinstance(computed, str) or isinstance(written, str):
        return written == computed
    if computed is None or (isinstance(computed, float) and not math.isfinite(computed)):
        return written is None or written == computed or (isinstance(written, float) and math.isnan(written)
                                                            and math.isnan(computed))
    if written is None:
        return False
    return math.isclose(float(written), float(computed), rel_tol=1e-9, abs_tol=1e-12)


def assert_contains(used, written, where):
    """Each value written in the params file equals the value used (numbers compared as floats)."""
    if isinstance(written, dict):
        for key, value in written.items():
            assert key in used, f"{where}: {key} missing"
            assert_contains(used[key], value, f"{where}.{key}")
    elif isinstance(written, list):
        assert len(used) == len(written), where
        for i, (u, w) in enumerate(zip(used, written)):
            assert_contains(u, w, f"{where}[{i}]")
    elif isinstance(written, (int, float)) and not isinstance(written, bool):
        assert float(used) == float(written), where
    else:
        assert used == written, where


def test_index_lists_every_report(batch):
    outputs, _, _ = batch
    index = (outputs / "index.html").read_text(encoding="utf-8")
    for path in SCENARIOS:
        assert f"href='{path.parent.name}/{path.stem}.html'" in index
