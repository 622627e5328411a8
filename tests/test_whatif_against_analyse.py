"""What-if against a fresh analysis: move one input, and ``whatif`` must give what ``analyse`` gives on a
scenario file with that input moved.

At the base values ``whatif`` and the headline are often computed by the same model call, so comparing them
(tests/test_workbook_contract.py) cannot tell a wrong what-if from a right one. Here each slider whose
input is a parameter of the scenario (found by its name and its base value in the validated parameters)
is moved a few steps, the scenario is validated again with the moved value, analysed from scratch, and
every figure the move changes in ``whatif`` is compared with the fresh headline. Sliders on derived inputs (a scale
factor, a rate computed from others) have no parameter to move and are not compared; every workbook
still has at least one compared slider on at least one scenario.
"""

from __future__ import annotations

import copy
import importlib
import math

import pytest

from costlib import params
from costlib.errors import ScenarioError

from workbook_scenarios import MODULES, analysed, scenarios  # tests/ is on sys.path

#: Sliders whose parameter of the same name means something else in the scenario file: workbook 01's
#: ``volume_units_per_month`` is where the file's component costs are measured (each cost's scaling law is
#: calibrated there), so moving it in the file keeps the costs; the slider moves volume along the laws.
NOT_THE_PARAMETER = {("costlib.workbooks.unit_economics", "volume_units_per_month")}


def _leaves(value, path=()):
    """(path, value) of every number in the validated parameters; list items are addressed by index."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, path + (i,))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, value


def _names(data, path):
    """The words along a path: keys, and the ``name`` of list items."""
    out, node = [], data
    for step in path:
        node = node[step]
        if isinstance(step, str):
            out.append(step)
        elif isinstance(node, dict) and isinstance(node.get("name"), str):
            out.append(node["name"])
    return out


def _parameter_of(data, control: str, base: float):
    """The one parameter a slider moves: a leaf named like the control's last word and holding its base
    value; among several, the one under the most of the control's other words (a key or an item name on
    its path that the word starts, ends or is a prefix of)."""
    words = [w for w in control.replace("__", ".").split(".") if w]
    scored = []
    for path, value in _leaves(data):
        if path[-1] != words[-1] or path[0] == "sensitivity_ranges":
            continue
        if not math.isclose(float(value), base, rel_tol=1e-12, abs_tol=1e-12):
            continue
        names = _names(data, path)[:-1]
        score = sum(any(n.startswith(w) or w.startswith(n) or n.endswith(w) or w.endswith(n) for n in names)
                    for w in words[:-1])
        scored.append((score, path))
    best = max((s for s, _ in scored), default=None)
    top = [path for s, path in scored if s == best]
    return top[0] if len(top) == 1 else None


def _close(a, b):
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    a, b = float(a), float(b)
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b or (math.isnan(a) and math.isnan(b))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, abs(b)))


def _compare_one_scenario(name, path) -> list[str]:
    """Move each slider that has a parameter; return the sliders compared."""
    wb = importlib.import_module(name)
    if not wb.whatif_controls(params.load(path)):
        return []
    wb, p, a = analysed(name, path)
    data = params.as_dict(p)
    compared = []
    for control, (low, high, step, value) in wb.whatif_controls(p).items():
        where = None if (name, control) in NOT_THE_PARAMETER else _parameter_of(data, control, float(value))
        if where is None:
            continue
        moved = value + 5 * step if value + 5 * step <= high else value - 5 * step
        if moved < low or moved == value:
            continue
        if isinstance(value, int) or float(value).is_integer() and float(step).is_integer():
            moved = float(round(moved))
        changed = copy.deepcopy(data)
        node = changed
        for k in where[:-1]:
            node = node[k]
        node[where[-1]] = moved
        try:
            q = params.validate(wb.TOPIC, changed, source=f"{path.name} with {control} = {moved}")
        except ScenarioError:  # a move the schema refuses (the slider's range is wider than the schema's)
            continue
        got = wb.whatif(p, **{control: moved})
        base = wb.whatif(p)
        moved_figures = [k for k, v in got.items() if not _close(v, base[k])]
        if not moved_figures:
            continue  # the slider moves nothing at this step (an input another line overrides)
        fresh = wb.analyse(q)
        for key in moved_figures:
            assert key in fresh.headline, (path.stem, control, key)
            assert _close(got[key], fresh.headline[key]), (path.stem, control, moved, key, got[key],
                                                           fresh.headline[key])
        compared.append(f"{path.stem}: {control}")
        if len(compared) == 2:  # two sliders a scenario: each fresh analysis costs a full run
            break
    return compared


@pytest.mark.parametrize("name", MODULES)
def test_whatif_at_a_moved_input_equals_a_fresh_analysis(name):
    compared = []
    for case in scenarios():
        if case.values[0] == name:
            compared += _compare_one_scenario(*case.values)
    assert compared, f"{name}: no slider could be compared with a fresh analysis"
