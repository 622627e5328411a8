"""Write a notebook from a py:percent script (jupytext format), with clean metadata, then refresh it.

Authoring aid for long notebooks: draft ``nb.py`` with ``# %%`` cells (tags as ``# %% tags=["parameters"]``),
then ``python scripts/notebook_from_percent.py nb.py notebooks/NN_topic.ipynb``. The .ipynb is what is
committed and what papermill runs; analysts edit it in JupyterLab. The headline cell's output is kept
(see refresh_notebooks.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from refresh_notebooks import refresh  # noqa: E402


def main(source: str, target: str) -> int:
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    for cell in nb.cells:
        for key in ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker"):
            cell.metadata.pop(key, None)
    nbformat.validate(nb)
    nbformat.write(nb, target)
    refresh(Path(target).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
