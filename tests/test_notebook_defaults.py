"""Plain papermill and ``costbook run`` must see the same scenario.

``papermill nb.ipynb out.ipynb -f file.yaml`` keeps the notebook's parameters-cell value for every key
the file leaves out, while ``costbook run`` (and ``costlib.params.load``) take the schema's default. For
every scenario file, both ways must give the same validated parameters; where a notebook default differs
from the schema default, the file has to state the key.
"""

import ast
from pathlib import Path

import nbformat
import pytest
import yaml

from costlib import params

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def notebook_defaults(path: Path) -> dict:
    """The values the notebook's `parameters` cell assigns (it holds literals only)."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: expected exactly one cell tagged 'parameters'"
    values = {}
    for node in ast.parse(cells[0].source).body:
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
        values[target.id] = ast.literal_eval(node.value)
    return values


def test_every_notebook_runs_with_its_defaults_alone():
    """The parameters cell is a complete scenario: it validates with no params file."""
    for path in NOTEBOOKS:
        topic = path.stem.split("_", 1)[1]
        params.validate(topic, notebook_defaults(path), source=path.name)


@pytest.mark.parametrize("path", sorted((ROOT / "params").glob("*/*.yaml")),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_plain_papermill_sees_the_validated_scenario(path):
    topic = path.parent.name
    notebook = next(nb for nb in NOTEBOOKS if nb.stem.split("_", 1)[1] == topic)
    file_values = yaml.safe_load(path.read_text(encoding="utf-8"))
    as_runner = params.as_dict(params.load(path, ROOT))
    as_papermill = params.as_dict(params.validate(topic, {**notebook_defaults(notebook), **file_values},
                                                  source=str(path)))
    differ = sorted(k for k in as_runner if as_runner[k] != as_papermill[k])
    assert not differ, (f"{path.relative_to(ROOT)} leaves out {differ}: plain papermill would take the "
                        "notebook's values instead of the schema's defaults; state them in the file")
