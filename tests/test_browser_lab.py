"""The analyst's path, in a real browser: JupyterLab 4 driven by Debian's Chromium through Playwright (issue 11).

JupyterLab starts on 127.0.0.1 with a token, over a copy of the project's notebooks and params (so that
nothing the browser does can touch the committed notebooks; autosave is off too). For every notebook:
open it, Run All with its defaults, then check that

- no cell shows an error;
- no MathJax element is in the page (money in prose, "$5.62M over 36 months, $1.88M", stays money);
- no JSON viewer shows (`costlib.report.publish` is invisible);
- the what-if panel has a readout with a unit, and moving one slider (keyboard on its handle, as a user
  would) changes the figures it shows, to what ``whatif()`` gives in this process at the readout's value;
- no JavaScript error reached the page (Playwright's ``pageerror``) while it opened, ran and moved;

and take screenshots (the title and headline, the recommendation, the what-if panel after the move) into
the folder the test names in its output: ``$COSTBOOK_LAB_SCREENSHOTS`` or ``outputs/lab-screenshots/``.

Needs ``playwright`` (pip) and a Chromium at ``/usr/bin/chromium`` (``apt-get install chromium``; or
``$COSTBOOK_CHROMIUM``); Playwright's own browser download is never used. Without them the test skips in
one line, unless ``COSTBOOK_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes that a failure.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("COSTBOOK_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("COSTBOOK_REQUIRE_BROWSER") == "1"
SHOTS = Path(os.environ.get("COSTBOOK_LAB_SCREENSHOTS", ROOT / "outputs" / "lab-screenshots"))
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
TOKEN = "costbook-browser-test"

#: Waits, not timings: how long to wait for a page, a kernel, a notebook, before calling it broken.
LOAD_S, RUN_S, MOVE_S = 90, 300, 30


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


_why = _missing()
if _why:
    if REQUIRED:
        pytest.fail(f"COSTBOOK_REQUIRE_BROWSER=1 but {_why}", pytrace=False)
    pytest.skip(f"JupyterLab browser test skipped: {_why}", allow_module_level=True)

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder: Path) -> None:
    """JupyterLab user settings for a clean, quiet, non-saving session."""
    files = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True,
                                                                      "windowingMode": "none"},
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                           "checkForUpdates": False},
    }
    for name, value in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value), encoding="utf-8")


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server over a copy of notebooks/ and params/; yields ``(base_url, project)``."""
    home = Path(tempfile.mkdtemp(prefix="costbook-lab-"))
    project = home / "project"
    project.mkdir()
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copytree(ROOT / "params", project / "params")
    _settings(home / "settings")
    port = _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    jupyter = Path(sys.executable).with_name("jupyter")
    log = open(home / "lab.log", "w")
    server = subprocess.Popen([str(jupyter), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
                               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={project}"],
                              cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + LOAD_S
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield base, project
    finally:
        try:
            os.killpg(server.pid, 15)
            server.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(server.pid, 9)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield chromium
        finally:
            chromium.close()


@functools.lru_cache(maxsize=None)
def _default_analysis(name: str):
    """The notebook's default scenario (its parameters cell), validated and analysed in this process."""
    import importlib

    from costlib import params

    from test_notebook_defaults import notebook_defaults  # tests/ is on sys.path

    topic = Path(name).stem.split("_", 1)[1]
    wb = importlib.import_module(f"costlib.workbooks.{topic}")
    p = params.validate(topic, notebook_defaults(ROOT / "notebooks" / name), source=name)
    return wb, p, wb.analyse(p)


def _expected_whatif_texts(name: str, index: int, readout: str) -> list[str]:
    """The what-if figures as the panel should show them when slider ``index`` reads ``readout``, computed
    here: the readout read back in its unit and snapped to the slider's grid, ``whatif()`` of the default
    scenario at that value, each figure formatted by its unit."""
    from costlib import report, whatif

    wb, p, a = _default_analysis(name)
    unit_name = getattr(p, "unit_name", None)
    key, spec = list(wb.whatif_controls(p).items())[index]
    info = whatif.describe(key, wb.FIGURES, unit_name)
    low, high, step, base = whatif.grid(*spec, whole=info.unit == "month")
    value = whatif.snap(whatif.parse(readout, info.unit), low, high, step, base)
    rows = whatif._rows(wb.whatif(p, **{key: value}), wb, report._horizon_of(a), unit_name)
    return [r["text"] for r in rows.values()]


def _whatif_text(page) -> str:
    return page.eval_on_selector_all(".costbook-whatif-output", "els => els.map(e => e.innerText).join('\\n')")


def _run_all(page) -> None:
    page.click(".lm-MenuBar-item:has-text('Run')")
    page.click("li[data-command='runmenu:run-all']")


IDLE = ("() => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /\\| Idle/.test(e.textContent))"
        " && !document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"busy\"]')")
ALL_RAN = ("() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
           ".every(e => /\\[\\d+\\]/.test(e.textContent))")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_jupyterlab(lab, browser, name, capsys):
    base, project = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base}/lab/tree/notebooks/{name}?token={TOKEN}&reset", timeout=LOAD_S * 1000)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=LOAD_S * 1000)
        page.wait_for_function(IDLE, timeout=LOAD_S * 1000)
        _run_all(page)
        page.wait_for_function(ALL_RAN, timeout=RUN_S * 1000, polling=250)
        page.wait_for_function(IDLE, timeout=RUN_S * 1000, polling=250)
        page.wait_for_selector(".costbook-whatif-output .costbook-whatif", timeout=RUN_S * 1000)
        stem = Path(name).stem
        # The story as an analyst reads it: title and description, headline, recommendation.
        page.locator(".jp-OutputArea .costbook-markdown").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{stem}.story.png"))
        page.locator(".jp-Cell:has(.costbook-recommendation)").first.evaluate(
            "e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{stem}.recommendation.png"))

        failed = page.eval_on_selector_all(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error'], .jp-RenderedText"
            "[data-mime-type='application/vnd.jupyter.error']", "els => els.map(e => e.innerText.slice(0, 500))")
        assert not failed, f"{name}: error output: {failed[:2]}"
        math = page.eval_on_selector_all(".jp-Notebook mjx-container, .jp-Notebook .MathJax",
                                         "els => els.map(e => (e.closest('.jp-Cell') || e).innerText.slice(0, 200))")
        assert not math, f"{name}: MathJax typeset prose (money read as a formula): {math[:2]}"
        json_viewers = page.locator(".jp-Notebook .jp-RenderedJSON").count()
        assert json_viewers == 0, f"{name}: {json_viewers} JSON viewer(s) in the notebook"
        assert "headline_order" not in page.locator(".jp-Notebook").first.inner_text(), name

        readouts = page.eval_on_selector_all(".costbook-readout input", "els => els.map(e => e.value)")
        assert readouts, f"{name}: no what-if readouts"
        # units, never SI prefixes: "$0.120", "30.0%", "1.5 FTE", "6 months", "1.1x", "200,000"
        assert all(re.fullmatch(r"-?\$[\d,.]+[MB]?|month [\d,.]+|-?[\d,.]+(%|x| FTE| months?| weeks| days| h| GB)?", r)
                   for r in readouts), readouts
        before = _whatif_text(page)
        assert "at base" in before, before[:300]
        moved = None
        handles = page.locator(".costbook-slider .noUi-handle")
        for i in range(handles.count()):
            handle = handles.nth(i)
            handle.scroll_into_view_if_needed()
            handle.focus()
            readout_before = page.locator(".costbook-readout input").nth(i).input_value()
            for _ in range(3):
                handle.press("ArrowRight")
            try:
                page.wait_for_function(
                    "b => [...document.querySelectorAll('.costbook-whatif-output')].map(e => e.innerText)"
                    ".join('\\n') !== b", arg=before, timeout=MOVE_S * 1000 if i == 0 else 5000, polling=100)
            except Exception:  # noqa: BLE001 (this input does not move a figure: try the next one)
                continue
            after = _whatif_text(page)
            moved = (i, readout_before, page.locator(".costbook-readout input").nth(i).input_value(), after)
            break
        assert moved, f"{name}: no slider moved the what-if figures"
        i, r0, r1, after = moved
        assert r0 != r1, f"{name}: the readout did not follow the slider ({r0})"
        assert "changed" in after, after[:400]
        # the panel redraws once per key press: wait (not time) until it shows the figures whatif() gives
        # at the value the readout shows, re-reading the readout while the presses arrive
        deadline = time.monotonic() + MOVE_S
        while True:
            r1 = page.locator(".costbook-readout input").nth(i).input_value()
            expected = _expected_whatif_texts(name, i, r1)
            after = _whatif_text(page)
            if all(t in after for t in expected) or time.monotonic() > deadline:
                break
            page.wait_for_timeout(200)
        missing = [t for t in expected if t not in after]
        assert not missing, f"{name}: slider {i} at {r1}: whatif() gives {missing}, the panel shows {after[:400]}"
        assert not errors, f"{name}: JavaScript errors in the page: {errors[:3]}"
        page.locator(".jp-Cell:has(.costbook-control)").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{stem}.whatif.png"))
    finally:
        page.close()
    with capsys.disabled():
        print(f"\n  {name}: ran clean; slider {i} {r0} -> {r1} changed the figures; screenshots in {SHOTS}/")
