"""`costbook diff`: an edited input, a moved figure and a flipped verdict, found on scenarios made here."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import yaml

from costlib import diff, report
from workbook_scenarios import ROOT

SOURCE = ROOT / "params/build_vs_buy/message_queue.yaml"


def _project(folder, volume=None, title=None):
    """A project folder holding message_queue (optionally at another volume or title) and the pricebook."""
    (folder / "params" / "build_vs_buy").mkdir(parents=True, exist_ok=True)
    (folder / "notebooks").mkdir(exist_ok=True)
    shutil.copy(ROOT / "params/pricebook.yaml", folder / "params/pricebook.yaml")
    data = yaml.safe_load(SOURCE.read_text())
    if volume is not None:
        data["volume_units_per_month"] = volume
    if title is not None:
        data["title"] = title
    (folder / "params/build_vs_buy/message_queue.yaml").write_text(yaml.safe_dump(data))
    return folder


def _run(old, new, tmp_path, **kw):
    out, err = io.StringIO(), io.StringIO()
    code = diff.main(str(old), str(new), outputs_dir=str(tmp_path / "outputs"), stream=err, out=out, **kw)
    return code, out.getvalue(), err.getvalue()


def test_a_flipped_verdict_exits_1_naming_the_input_the_figures_and_the_verdict(tmp_path):
    """200,000 -> 250,000 million requests a month: managed queue at $0.50 per million costs 25% more
    (250,000 / 200,000 - 1), and building now saves more than the 20% material share: buy -> build."""
    old = _project(tmp_path / "old")
    new = _project(tmp_path / "new", volume=250_000)
    md = tmp_path / "comment.md"
    code, out, err = _run(old, new, tmp_path, markdown=str(md))
    assert code == 1, out + err
    assert "volume_units_per_month): 200,000 -> 250,000" in out
    assert "TCO of managed queue: $3.60M -> $4.50M (+$900,000, +25.00%); beyond tolerance" in out
    assert "VERDICT FLIPPED" in out and "buy (managed queue) -> build (kafka on bare metal)" in out
    r = diff.diff(diff.load_side(str(old)), diff.load_side(str(new)))
    (change,) = r.changes
    assert [i["key"] for i in change.inputs] == ["volume_units_per_month"]
    buy = next(f for f in change.figures if f["key"] == "tco_managed_queue_usd")
    assert buy["rel"] == pytest.approx(0.25, rel=1e-12) and buy["beyond"]
    assert len(r.flipped) == 1
    text = md.read_text()
    assert "1 verdict(s) flipped" in text and "| Volume in month 1" in text
    page = tmp_path / "outputs/diff" / next(p.name for p in (tmp_path / "outputs/diff").glob("*.html"))
    assert "diff/" + page.name in report.write_index(tmp_path / "outputs").read_text()


def test_a_change_that_keeps_every_verdict_exits_0_and_says_what_moved(tmp_path):
    """200,000 -> 201,000: buy's total moves by 0.5% (1,000 / 200,000), beyond a 0.1% tolerance, within 1%."""
    old, new = _project(tmp_path / "old"), _project(tmp_path / "new", volume=201_000)
    code, out, _ = _run(old, new, tmp_path)
    assert code == 0 and "VERDICT FLIPPED" not in out
    assert "TCO of managed queue: $3.60M -> $3.62M (+$18,000, +0.50%); beyond tolerance" in out
    code, out, _ = _run(old, new, tmp_path, rtol=0.01)
    assert code == 0 and "TCO of managed queue: $3.60M -> $3.62M (+$18,000, +0.50%); within tolerance" in out


def test_added_removed_and_unchanged(tmp_path):
    old, new = _project(tmp_path / "old"), _project(tmp_path / "new")
    shutil.copy(ROOT / "params/build_vs_buy/logging.yaml", new / "params/build_vs_buy/logging.yaml")
    code, out, _ = _run(old, new, tmp_path)
    assert code == 0 and "0 scenario(s) changed" in out and "added: build_vs_buy/logging" in out
    code, out, _ = _run(new, old, tmp_path)
    assert code == 0 and "removed: build_vs_buy/logging" in out


def test_errors_exit_2_in_one_line(tmp_path):
    old = _project(tmp_path / "old")
    code, _, err = _run(old, "no-such-revision-xyz", tmp_path)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "no-such-revision-xyz" in err
    bad = _project(tmp_path / "bad")
    (bad / "params/build_vs_buy/message_queue.yaml").write_text("volume_units_per_month: -5\n")
    code, out, _ = _run(old, bad, tmp_path)
    assert code == 2 and "INVALID" in out
    code, _, err = _run(old, old, tmp_path, rtol=-1)
    assert code == 2 and "--rtol" in err


def test_a_git_revision_side_never_touches_the_work_tree(tmp_path, monkeypatch):
    """``costbook diff HEAD .`` in a repository whose scenario was edited after the commit."""
    repo = _project(tmp_path / "repo")
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, capture_output=True, text=True, check=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base")
    _project(repo, volume=250_000, title="Edited <b>after</b> the commit")
    edited = (repo / "params/build_vs_buy/message_queue.yaml").read_text()
    status = git("status", "--porcelain").stdout
    monkeypatch.chdir(repo)
    code, out, err = _run("HEAD", ".", tmp_path)
    assert code == 1, out + err
    assert "HEAD -> .: 1 scenario(s) changed, 1 verdict(s) flipped" in out
    assert "200,000 -> 250,000" in out and "Edited <b>after</b> the commit" in out
    assert (repo / "params/build_vs_buy/message_queue.yaml").read_text() == edited
    assert git("status", "--porcelain").stdout == status and git("stash", "list").stdout == ""
    page = next((tmp_path / "outputs/diff").glob("*.html")).read_text()
    assert "<b>after</b>" not in page and "&lt;b&gt;after&lt;/b&gt;" in page


@pytest.mark.scenario
def test_the_runners_outputs_equal_the_in_process_analysis(batch):
    """Every scenario run through the batch runner's kernels (``costbook run``) against the same files
    analysed in this process: no figure moves and no verdict flips, so a revision side analysed in process
    gives the runner's figures."""
    outputs, code, log = batch
    r = diff.diff(diff.load_side(str(outputs)), diff.load_side(str(ROOT)), rtol=0.0)
    moved = [(c.scenario, f["key"], f["old"], f["new"]) for c in r.changes for f in c.figures]
    assert not moved and not r.flipped
    assert not any(c.inputs for c in r.changes), "the notebooks' parameters are the validated scenario"
    assert not r.added and not r.removed
