"""Bad input and failing scenarios: clear errors, the others still complete, nothing overwritten.

Each test builds a small project folder (a copy of notebook 01, the pricebook and a few scenarios) so it
can add broken scenarios, or a notebook that fails, without touching the repository.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from costlib import runner

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "params" / "unit_economics" / "streaming_margin.yaml"

pytestmark = pytest.mark.scenario


def make_project(tmp_path: Path, failing_cell: bool = False) -> Path:
    project = tmp_path / "project"
    (project / "params" / "unit_economics").mkdir(parents=True)
    (project / "notebooks").mkdir()
    shutil.copy(ROOT / "params" / "pricebook.yaml", project / "params" / "pricebook.yaml")
    nb = nbformat.read(ROOT / "notebooks" / "01_unit_economics.ipynb", as_version=4)
    if failing_cell:
        at = next(i for i, c in enumerate(nb.cells) if "params.collect(" in c.source) + 1
        nb.cells.insert(at, nbformat.v4.new_code_cell(
            'if title == "BOOM":\n    raise RuntimeError("the model blew up")'))
    nbformat.write(nb, project / "notebooks" / "01_unit_economics.ipynb")
    return project


def scenario(project: Path, name: str, **changes) -> Path:
    data = yaml.safe_load(GOOD.read_text())
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = project / "params" / "unit_economics" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_invalid_files_are_reported_and_skipped_valid_ones_still_run(tmp_path):
    project = make_project(tmp_path)
    scenario(project, "good")
    typo = scenario(project, "typo", max_volume_multiplier=None, max_volume_multiplyer=10)
    negative = scenario(project, "negative", volume_units_per_month=-100)
    outputs = project / "outputs"
    old = outputs / "unit_economics" / "negative.html"
    old.parent.mkdir(parents=True)
    old.write_text("the previous report")
    log = io.StringIO()

    code = runner.run(None, outputs_dir=str(outputs), progress=False, stream=log, root=project)

    lines = log.getvalue().splitlines()
    assert code == 1
    invalid = [line for line in lines if line.startswith("INVALID")]
    assert invalid == [
        f"INVALID {negative.relative_to(project)}: key 'volume_units_per_month' = -100: expected a number > 0",
        f"INVALID {typo.relative_to(project)}: key 'max_volume_multiplyer' = 10: unknown key; did you mean "
        f"'max_volume_multiplier'? expected one of: " + invalid[1].split("expected one of: ")[1],
    ]
    assert (outputs / "unit_economics" / "good.html").is_file()
    assert not (outputs / "unit_economics" / "typo.html").exists()
    assert old.read_text() == "the previous report"
    assert "1 reports written, 0 failed, 2 invalid" in lines[-1]


def test_a_failing_notebook_names_the_cell_keeps_the_old_report_and_others_complete(tmp_path):
    project = make_project(tmp_path, failing_cell=True)
    scenario(project, "good")
    scenario(project, "boom", title="BOOM")
    outputs = project / "outputs" / "unit_economics"
    outputs.mkdir(parents=True)
    for suffix in ("html", "json", "ipynb"):
        (outputs / f"boom.{suffix}").write_text(f"previous {suffix}")
    log = io.StringIO()

    code = runner.run(None, outputs_dir=str(project / "outputs"), progress=False, stream=log, root=project)

    text = log.getvalue()
    assert code == 1
    # papermill numbers the executed notebook's cells from 0, its injected parameters cell included (+1)
    nb = nbformat.read(project / "notebooks" / "01_unit_economics.ipynb", as_version=4)
    cell = next(i for i, c in enumerate(nb.cells) if "the model blew up" in c.source) + 1
    assert f'FAILED unit_economics/boom: failed in cell {cell} [raise RuntimeError("the model blew up")]' in text
    assert "RuntimeError: the model blew up" in text
    for suffix in ("html", "json", "ipynb"):
        assert (outputs / f"boom.{suffix}").read_text() == f"previous {suffix}"
    assert (outputs / "good.html").is_file() and (outputs / "good.json").is_file()
    assert not [p for p in outputs.iterdir() if p.name.startswith(".")], "temporary files left behind"
    assert "1 reports written, 1 failed, 0 invalid" in text


def test_costbook_validate_command_exits_non_zero_with_one_line(tmp_path):
    project = make_project(tmp_path)
    bad = scenario(project, "typo", target_gross_margin=20)
    costbook = Path(sys.executable).with_name("costbook")
    result = subprocess.run([str(costbook), "validate", str(bad)], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if not line.startswith("costbook validate:")]
    assert errors == [f"{bad.relative_to(project)}: key 'target_gross_margin' = 20: expected a decimal rate "
                      "in [0, 1] (write 0.07 for 7%)"]


def test_costbook_validate_passes_on_the_repository():
    costbook = Path(sys.executable).with_name("costbook")
    result = subprocess.run([str(costbook), "validate"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
