"""The workbook contract (costlib.contract), checked on every workbook module the package holds.

Modules are found by listing `costlib.workbooks`, so a workbook added later (04 forecast, 06 FinOps) is
checked the day it lands, with every scenario file in its params folder. Expected values are the
workbook's own headline: these tests check that the parts agree with each other (what-if, tornado, flip
points, JSON, words), not the numbers themselves (the per-workbook tests do that against arithmetic).
"""

from __future__ import annotations

import importlib
import json
import math
import re

import pytest

from costlib import contract, params, report, uncertainty

from workbook_scenarios import MODULES, analysed, scenarios  # tests/ is on sys.path
PARTS = ("TOPIC", "Params", "analyse", "FIGURES", "uncertain_inputs", "decisions", "whatif", "whatif_controls")



def _close(a, b, scale=1.0):
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9 * max(1.0, abs(scale)))


def test_the_four_workbooks_are_found():
    """Discovery lists the package: at least the four workbooks of today."""
    assert {"costlib.workbooks.unit_economics", "costlib.workbooks.tco", "costlib.workbooks.capex_opex",
            "costlib.workbooks.build_vs_buy"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_declares_every_part(name):
    wb = importlib.import_module(name)
    missing = [part for part in PARTS if not hasattr(wb, part)]
    assert not missing, f"{name} lacks {missing}"
    assert issubclass(wb.Params, params.Schema)


@pytest.mark.parametrize("name", MODULES)
def test_every_figure_has_a_unit_and_a_producing_function(name):
    wb = importlib.import_module(name)
    keys = [f.key for f in wb.FIGURES]
    assert len(keys) == len(set(keys)), "a figure is declared twice"
    for f in wb.FIGURES:
        assert f.unit in contract.UNITS, f.key
        assert f.label and f.meaning, f.key
        assert callable(contract.resolve(f.source)), f.source
        # a key (placeholders filled in) must not be taken by an earlier, more general declaration
        sample = re.sub(r"\{\w+\}", "x", f.key)
        assert contract.declaration(wb.FIGURES, sample) is f, f"{f.key} is shadowed by an earlier figure"


@pytest.mark.parametrize("name, path", list(scenarios()))
def test_every_headline_figure_is_declared(name, path):
    wb, p, a = analysed(name, path)
    for key in a.headline:
        contract.declaration(wb.FIGURES, key)  # raises KeyError when undeclared


@pytest.mark.parametrize("name, path", list(scenarios()))
def test_whatif_at_the_base_values_reproduces_the_headline(name, path):
    """``whatif(params)`` with no input moved, and with every slider at its starting value, gives the
    headline's figures."""
    wb, p, a = analysed(name, path)
    at_base = wb.whatif(p)
    assert at_base, "whatif returns no figure"
    sliders = {k: v[3] for k, v in wb.whatif_controls(p).items()}
    at_sliders = wb.whatif(p, **sliders)
    for key, value in at_base.items():
        assert key in a.headline, f"whatif figure {key} is not a headline figure"
        assert _close(value, a.headline[key], a.headline[key] or 1.0), (key, value, a.headline[key])
        assert _close(at_sliders[key], value, value or 1.0), key


@pytest.mark.parametrize("name, path", list(scenarios()))
def test_tornado_at_base_equals_the_base_output_and_flips_reproduce_the_tie(name, path):
    """For each decision's model: model(base) is its headline figure and the tornado's base output; every
    flip point fed back into the model gives the target (the tie)."""
    wb, p, a = analysed(name, path)
    assert a.answers, "analyse declares no answer"
    for answer in a.answers.values():
        out = float(answer.model(**answer.base))
        assert _close(out, a.headline[answer.figure], out), (answer.name, out, a.headline[answer.figure])
        t = answer.assessment.tornado
        if len(t):
            assert all(_close(v, out, out) for v in t["base_output"]), answer.name
        flips = answer.assessment.flips
        assert list(flips.columns) == uncertainty.FLIP_COLUMNS
        scale = max(1.0, abs(out), float(t["swing"].max()) if len(t) else 0.0)
        for _, r in flips.iterrows():
            if not math.isfinite(r["flip_value"]):
                continue
            at_flip = float(answer.model(**{**answer.base, r["input"]: r["flip_value"]}))
            if r["input"] in answer.extra.get("whole_inputs", ()):
                # a whole number (months): the flip is the first value on the other side of the target
                before = float(answer.model(**{**answer.base, r["input"]: r["flip_value"] - 1}))
                assert (at_flip - answer.target) * (out - answer.target) <= 0, (answer.name, r["input"])
                assert (before - answer.target) * (out - answer.target) > 0, (answer.name, r["input"])
            else:
                assert abs(at_flip - answer.target) <= 1e-6 * scale, (answer.name, r["input"], at_flip)


@pytest.mark.parametrize("name, path", list(scenarios()))
def test_uncertain_inputs_are_ranges_around_model_inputs(name, path):
    wb, p, a = analysed(name, path)
    inputs = wb.uncertain_inputs(p)
    # an input of a workbook with several decisions may be named "<decision>.<input>"
    known = set().union(*({k, f"{answer.name}.{k}"} for answer in a.answers.values() for k in answer.base))
    for key, (low, base, high) in inputs.items():
        assert key in known, key
        assert low <= high, key


@pytest.mark.parametrize("name, path", list(scenarios()))
def test_json_figures_equal_the_headline(name, path):
    """The results JSON's figures carry the headline's value (JSON-clean), a unit, a label and the text."""
    wb, p, a = analysed(name, path)
    rows = report.figure_rows(wb, a)
    assert [r["key"] for r in rows] == list(a.headline)
    clean = json.loads(json.dumps(report._clean({"figures": rows, "headline": a.headline}), default=str))
    for row in clean["figures"]:
        assert row["value"] == clean["headline"][row["key"]]
        assert row["unit"] in contract.UNITS and row["label"] and row["text"] and row["source"]


@pytest.mark.parametrize("name, path", list(scenarios()))
def test_decision_records_and_words_agree(name, path):
    """Each decision rests on headline figures, its close call follows the one definition, and its words
    (`costlib.contract.decision_words`) are what the recommendation says."""
    wb, p, a = analysed(name, path)
    decisions = wb.decisions(a)
    assert decisions
    rows = {r["key"]: r for r in report.figure_rows(wb, a)}
    for d in decisions:
        assert d.verdict
        assert d.rests_on and all(k in a.headline for k in d.rests_on), d.rests_on
        if d.agreement is not None:
            assert 0 <= d.agreement <= 1
            assert d.close_call == (d.agreement < uncertainty.CLOSE_CALL_AGREEMENT)
        words = contract.decision_words(d, rows)
        assert report.escape(d.verdict.replace("_", " ")) in words  # user text in a verdict is escaped
        assert words in a.recommendation


def section_problems(wb) -> list[str]:
    """What is wrong with a workbook's section declarations (empty when they hold): every column a FOCUS
    column (`costlib.focus.ALL_COLUMNS`), every outside input a parameter of the schema, every figure in
    FIGURES and every headline key one of the section's figures, every need a registered section."""
    from costlib import focus

    problems = []

    def in_schema(path):
        model = wb.Params
        for part in path.split("."):
            fields = getattr(model, "model_fields", {})
            if part not in fields:
                return False
            ann = fields[part].annotation
            args = [a for a in getattr(ann, "__args__", ()) if hasattr(a, "model_fields")]
            model = args[0] if args else ann
        return True

    for key, s in wb.SECTIONS.items():
        problems += [f"{key}: column {c!r} is not a FOCUS column" for c in s.columns if c not in focus.ALL_COLUMNS]
        problems += [f"{key}: input {i.key!r} is not in the schema" for i in s.inputs if not in_schema(i.key)]
        if s.switch and s.switch not in wb.Params.model_fields:
            problems.append(f"{key}: switch {s.switch!r} is not a parameter")
        keys = {f.key for f in s.figures}
        problems += [f"{key}: figure {f.key!r} not in FIGURES" for f in s.figures if f not in wb.FIGURES]
        problems += [f"{key}: headline key {k!r} is not its figure" for k in (*s.headline, *s.lead) if k not in keys]
        problems += [f"{key}: needs {n!r}, no such section" for n in (*s.needs, *s.uses) if n not in wb.SECTIONS]
        problems += [f"{key}: query {q.name!r} has no result bound" for q in s.queries if not q.bound]
    return problems


@pytest.mark.parametrize("name", [m for m in MODULES if hasattr(importlib.import_module(m), "register")])
def test_section_declarations(name):
    """A workbook built from sections: its declarations hold, and FIGURES, HEADLINE and QUERIES are theirs."""
    wb = importlib.import_module(name)
    assert section_problems(wb) == []
    assert set(wb.FIGURES) == {f for s in wb.SECTIONS.values() for f in s.figures}
    assert wb.HEADLINE == tuple(k for s in wb.SECTIONS.values() for k in s.headline)
    assert set(wb.QUERIES) == {f"{s.key}.{q.name}" for s in wb.SECTIONS.values() for q in s.queries}
