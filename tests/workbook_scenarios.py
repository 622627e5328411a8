"""Every scenario of every workbook module, analysed once per test session and shared by the tests that
run over the whole family (the contract test, the what-if test)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from costlib import contract, params

ROOT = Path(__file__).resolve().parents[1]
MODULES = contract.workbook_modules()

_CACHE: dict = {}


def scenarios():
    """``pytest.param(module_name, path)`` for each scenario in each workbook's params folder."""
    for name in MODULES:
        topic = importlib.import_module(name).TOPIC
        for path in sorted((ROOT / "params" / topic).glob("*.yaml")):
            yield pytest.param(name, path, id=f"{topic}/{path.stem}")


def analysed(module_name, path):
    """``(workbook module, params, analysis)`` of one scenario, analysed once per session."""
    path = Path(path)
    if path not in _CACHE:
        wb = importlib.import_module(module_name)
        p = params.load(path)
        _CACHE[path] = (wb, p, wb.analyse(p))
    return _CACHE[path]
