"""`costbook sweep`: grids through the workbook's what-if, checked against closed forms and against the
report's own flip table."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from costlib import contract, params, sweep
from costlib.workbooks import unit_economics
from workbook_scenarios import ROOT, analysed, scenarios

LINEAR = {  # two components with no fixed part and exponent 1: cost per unit = (A + B) / V
    "title": "Linear <b>test</b> scenario", "unit_name": "request", "volume_units_per_month": 1_000_000,
    "price_usd_per_unit": 0.05, "target_gross_margin": 0.2,
    "components": [{"name": "compute", "category": "compute", "usd_per_month": 20_000},
                   {"name": "storage", "category": "storage", "usd_per_month": 10_000}],
}


def _linear():
    p = params.validate("unit_economics", LINEAR)
    return p, unit_economics.analyse(p)


def test_a_linear_model_reproduces_the_closed_form_at_every_grid_point():
    """cost per request = (A + B) / V with V = 1,000,000; gross margin = 1 - cost / 0.05; the margin meets
    the 20% target exactly when A + B <= 0.8 x 0.05 x 1e6 = 40,000 USD a month."""
    p, a = _linear()
    axes = [sweep.parse_vary("components.compute.usd_per_month=5000:65000:13"),
            sweep.parse_vary("components.storage.usd_per_month=0:30000:7")]
    r = sweep.run(unit_economics, p, axes, analysis=a)
    assert len(r.frame) == 13 * 7
    q = r.questions[0]
    for _, row in r.frame.iterrows():
        A, B = row["components.compute.usd_per_month"], row["components.storage.usd_per_month"]
        cost = (A + B) / 1e6
        assert row["cost_usd_per_request"] == pytest.approx(cost, rel=1e-12, abs=1e-15)
        assert row["gross_margin"] == pytest.approx(1 - cost / 0.05, rel=1e-12, abs=1e-12)
        meets = 1 - cost / 0.05 >= 0.2 - 1e-12
        assert (row[r.verdict_column(q)] == r.base_verdicts[q]) == meets, (A, B, row[r.verdict_column(q)])
    assert r.changing_questions() == [q]
    assert r.boundaries(q), "the boundary A + B = 40,000 crosses the grid"


def test_a_model_input_and_its_scenario_key_give_the_same_grid():
    """``compute_usd_per_month`` (the tornado's name, through whatif) and ``components.compute.usd_per_month``
    (the params file's key, validated and recomputed) are one input."""
    p, a = _linear()
    by_model = sweep.run(unit_economics, p, [sweep.parse_vary("compute_usd_per_month=5000:65000:7")], analysis=a)
    by_key = sweep.run(unit_economics, p, [sweep.parse_vary("components.compute.usd_per_month=5000:65000:7")], analysis=a)
    assert by_model.inputs[0].kind == "model input" and by_model.inputs[0].path == ("components", 0, "usd_per_month")
    assert by_key.inputs[0].kind == "scenario key"
    np.testing.assert_allclose(by_model.frame["gross_margin"], by_key.frame["gross_margin"], rtol=1e-12)


def test_the_fast_verdicts_equal_the_what_if_panels():
    """The sweep's verdict per point is what `costlib.whatif.verdicts` (the what-if panel) says there."""
    for path in (str(ROOT / "params/build_vs_buy/message_queue.yaml"), str(ROOT / "params/tco/managed_db_vs_self_hosted_cassandra.yaml")):
        wb, p, a = analysed(f"costlib.workbooks.{params.topic_of(path)}", path)
        key = next(iter(wb.whatif_controls(p)))
        base = wb.whatif_controls(p)[key][3]
        r = sweep.run(wb, p, [sweep.Axis(key, 0.0, 4 * max(base, 1.0), 9)], analysis=a)
        for _, row in r.frame.iterrows():
            figures = wb.whatif(p, **{key: row[key]})
            assert [row[r.verdict_column(q)] for q in r.questions] == sweep.verdict_labels(wb, a, figures)


def _flip_cases():
    for case in scenarios():
        name, path = case.values
        yield pytest.param(name, path, "tie", id=f"{case.id}-tie")
        yield pytest.param(name, path, "verdict", id=f"{case.id}-verdict")


@pytest.mark.parametrize("name, path, boundary", list(_flip_cases()))
def test_the_flip_point_of_the_sensitivity_table_lies_on_the_sweeps_verdict_boundary(name, path, boundary):
    """For every answer with a flip point: a 21-point sweep of that input from before its base value to past
    the flip point changes, between two neighbouring points within one grid step of the flip point the
    report's flip table gives, both the side of the threshold the deciding figure is on (``tie``) and the
    verdict of the decision resting on that answer (``verdict``)."""
    wb, p, a = analysed(name, path)
    decisions = wb.decisions(a)
    checked = 0
    for answer in (a.answers or {}).values():
        resting = [d for d in decisions if d.rests_on and d.rests_on[0] == answer.figure]
        flips = answer.assessment.flips if answer.assessment is not None else None
        if not resting or flips is None or not len(flips):
            continue
        for _, row in flips.iterrows():
            flip, base = float(row["flip_value"]), float(row["base_value"])
            if not math.isfinite(flip):
                continue
            key = contract.whatif_key(wb, answer.name, row["input"]) or f"{answer.name}.{row['input']}"
            margin = 0.25 * abs(flip - base)
            if flip > base:  # past the flip by a quarter of the distance; before the base by as much, if valid
                grids = [(base - margin, flip + margin), (base, flip + margin), (base, flip + margin / 5)]
            else:
                grids = [(flip - margin, base + margin), (flip - margin, base), (flip - margin / 5, base)]
            r = refused = None
            for low, high in grids:
                try:
                    r = sweep.run(wb, p, [sweep.Axis(key, low, high, 21)], analysis=a)
                    break
                except sweep.SweepError as exc:
                    refused = str(exc)
            if r is None:  # the flip lies where the schema refuses the scenario: the sweep says so, in one line
                assert refused and "\n" not in refused and "point " in refused, refused
                continue
            step = r.axes[0].step
            q = resting[0].question
            column = r.tie_column(q) if boundary == "tie" else r.verdict_column(q)
            changes = r.flips_along(q, column=column)
            where = f"{answer.name}/{row['input']} ({column}): flip {flip:g}, grid {low:g} to {high:g}"
            assert changes, f"{where}: no change on the grid"
            nearest = min(abs((x0 + x1) / 2 - flip) for x0, x1 in changes)
            assert nearest <= step, f"{where}: the nearest change is {nearest:g} away, one step is {step:g}"
            checked += 1
    if not checked:
        pytest.skip("no flip point in this scenario's flip tables")


def test_two_inputs_the_flip_point_lies_on_the_row_at_base():
    """A 2-input sweep through the base value of the second input: on its row at base the deciding figure
    crosses its threshold within one step of the first input's flip point. The deciding figure is the margin to
    the rule's bar, so its boundary is the verdict's; the cost tie, build minus buy = 0 at 2,450,000 / 15 =
    163,333 million requests a month (`tests/test_workbook_build_vs_buy.py`), lies more than a step away."""
    wb, p, a = analysed("costlib.workbooks.build_vs_buy", str(ROOT / "params/build_vs_buy/message_queue.yaml"))
    flips = a.answers["build_vs_buy"].assessment.flips.set_index("input")
    flip = float(flips.loc["volume_units_per_month", "flip_value"])
    months = float(flips.loc["kafka_on_bare_metal.build_months", "base_value"])
    axes = [sweep.Axis("volume_units_per_month", 0.0, 2 * flip, 21),
            sweep.Axis("kafka_on_bare_metal.build_months", months - 2, months + 2, 5)]
    r = sweep.run(wb, p, axes, analysis=a)
    q = r.questions[0]
    changes = r.flips_along(q, axis=0, at={"kafka_on_bare_metal.build_months": months}, column=r.tie_column(q))
    assert changes and min(abs((x0 + x1) / 2 - flip) for x0, x1 in changes) <= axes[0].step
    assert r.boundaries(q) and r.boundaries(q, r.tie_column(q)) == r.boundaries(q)
    row = r.frame[np.isclose(r.frame[axes[1].key], months)].sort_values(axes[0].key)
    x, cost = row[axes[0].key].to_numpy(), np.sign(row["build_minus_buy_usd"].to_numpy())
    ties = [(x[i] + x[i + 1]) / 2 for i in range(len(x) - 1) if cost[i] != cost[i + 1]]
    assert len(ties) == 1 and abs(ties[0] - 2_450_000 / 15) <= axes[0].step
    assert abs(ties[0] - flip) > axes[0].step, "the cost tie is not where the verdict flips"


def test_bad_ranges_and_points_are_one_line(tmp_path, capsys):
    for text, words in (("x", "expected KEY=LOW:HIGH:N"), ("x=1:b:3", "numbers"), ("x=1:2:1", "between 2"),
                        ("x=2:2:5", "LOW < HIGH"), ("x=1:2:2.5", "whole number")):
        with pytest.raises(sweep.SweepError, match=words):
            sweep.parse_vary(text)
    code = sweep.main(str(ROOT / "params/build_vs_buy/message_queue.yaml"), ["options.kafka_on_bare_metal.engineers=-2:4:4"],
                      outputs_dir=str(tmp_path), progress=False)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "options[1].engineers" in err[0] and ">= 0" in err[0]
    assert not (tmp_path / "sweep").exists(), "nothing is written before every point is valid"
    code = sweep.main(str(ROOT / "params/build_vs_buy/message_queue.yaml"), ["no_such_input=1:2:3"], outputs_dir=str(tmp_path))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "no_such_input" in err[0]


def test_the_report_is_offline_escaped_and_linked_from_the_index(tmp_path):
    p, a = _linear()
    r = sweep.run(unit_economics, p, [sweep.parse_vary("compute_usd_per_month=5000:65000:5"),
                                      sweep.parse_vary("price_usd_per_unit=0.03:0.07:5")], analysis=a, source="linear.yaml")
    page = sweep.write(r, tmp_path)
    text = page.read_text()
    assert "<b>test</b>" not in text and "&lt;b&gt;test&lt;/b&gt;" in text
    assert "<script" not in text and "http://" not in text.replace('http://www.w3.org', '')
    assert text.count("<svg") >= 2
    data = json.loads(page.with_suffix(".json").read_text())
    assert data["kind"] == "sweep" and len(data["points"]) == 25
    from costlib import report

    index = report.write_index(tmp_path).read_text()
    assert f"sweep/{page.name}" in index
