"""Re-execute the committed notebooks with their defaults and keep only the outputs nbval checks.

Committed notebooks carry no outputs except the headline cells tagged ``nbval-check-output``; this script
produces exactly that, so ``git diff`` of a notebook shows changes to prose, code and headline figures
only. Run it after changing a notebook or a formula its headline depends on: ``make notebooks-refresh``.

    python scripts/refresh_notebooks.py [notebooks/01_unit_economics.ipynb ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHECK_TAG = "nbval-check-output"


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    kept = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if CHECK_TAG in tags:
            kept += 1
            cell.outputs = [o for o in cell.outputs if o.get("output_type") == "stream"]
        else:
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    print(f"{path.relative_to(ROOT)}: kept the outputs of {kept} checked cell(s)")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
