"""Plain ``papermill -f params.yaml`` runs no code from a params key (issue 16, high case 4).

papermill writes each key raw into the injected cell (``name = value``). costbook registers a
``papermill.engine`` entry point (pyproject.toml) whose module registers a Python translator that refuses
names that are not Python names (`costlib.papermill_guard`). These tests need costbook installed the normal
way (``make setup``: ``pip install -e .``), which writes the entry point into the package metadata.
"""

from __future__ import annotations

import ast
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from costlib import papermill_guard

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_build_vs_buy.ipynb"
PAPERMILL = Path(sys.executable).parent / "papermill"

#: The issue's key, and one hiding a second statement after a newline (keywords and numbers as keys:
#: `test_check_name_refuses_in_one_capped_line`).
BAD_KEYS = ['"z = 1; __import__(\\"os\\").system(\\"touch PWNED\\"); w": 1',
            "'x\\n__import__(\"os\").system(\"touch PWNED\")': 1"]


def test_the_entry_point_is_in_the_package_metadata():
    found = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="papermill.engine")}
    assert found.get("costbook") == "costlib.papermill_guard:Engine", (
        "costbook's papermill.engine entry point is missing from the installed metadata: reinstall the "
        f"project (make setup, or pip install -e .); found {found}")


@pytest.mark.parametrize("line", BAD_KEYS)
def test_plain_papermill_refuses_a_key_that_is_not_a_name(tmp_path, line):
    (tmp_path / "evil.yaml").write_text(line + "\n", encoding="utf-8")
    assert PAPERMILL.is_file(), f"papermill is not installed beside {sys.executable}"
    done = subprocess.run([str(PAPERMILL), str(NOTEBOOK), "out.ipynb", "-f", "evil.yaml", "-k", "python3"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert not (tmp_path / "PWNED").exists()
    assert not (tmp_path / "out.ipynb").exists()  # stopped before the notebook was written or run
    assert "Traceback" not in done.stderr
    refusals = [line for line in done.stderr.splitlines() if "expected a Python name" in line]
    assert len(refusals) == 1 and "nothing was run" in refusals[0], done.stderr


def test_the_translator_writes_names_and_escaped_values_only():
    """Names pass as they are; string values with quotes, newlines and code stay string constants."""
    tricky = {"title": 'a"; import os; os.system("id"); "', "vendor": "x\n__import__('os')", "n": 3,
              "nested": {'k"ey\n': ["v'\"\\", 1.5, None, True]}}
    code = papermill_guard.IdentifierTranslator.codify(tricky)
    tree = ast.parse(code)
    assert [type(node) for node in tree.body] == [ast.Assign] * len(tricky)
    assert all(isinstance(node.targets[0], ast.Name) for node in tree.body)
    assert {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body} == tricky


@pytest.mark.parametrize("name", ["z = 1; w", "a b", "1x", "class", 1, "", "x" * 300 + ";"])
def test_check_name_refuses_in_one_capped_line(name):
    with pytest.raises(papermill_guard.ParameterNameError) as info:
        papermill_guard.check_name(name)
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
