"""The what-if panel from the workbook contract (issue 11, items 3-6), on every scenario of every workbook.

The sliders' grids hold the base value on round steps; every control has a unit and a readout with it (no
SI prefixes); a typed value is read in the readout's unit and snapped to the grid; at the base values the
panel shows the headline's figures and every verdict as it is at base; the what-if chart is drawn.
"""

from __future__ import annotations

import math
import re

import pytest

from costlib import report, whatif

from workbook_scenarios import ROOT, analysed, scenarios  # tests/ is on sys.path



NICE = {1, 2, 2.5, 5}


@pytest.mark.parametrize("name, path", list(scenarios()))
def test_controls_have_units_and_a_grid_through_the_base(name, path):
    wb, p, a = analysed(name, path)
    for key, spec in wb.whatif_controls(p).items():
        info = whatif.describe(key, wb.FIGURES, getattr(p, "unit_name", None))
        low, high, step, value = whatif.grid(*spec, whole=info.unit == "month")
        assert low <= value <= high, key
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 9) in NICE, (key, step)
        assert abs((value - low) / step - round((value - low) / step)) < 1e-6, (key, "min off the grid")
        # one step from the base is one round step away (02: 1.000 -> 1.1, not 1.090)
        assert whatif.snap(value + step, low, high, step, value) == pytest.approx(min(value + step, high))
        # a unit from the name ("number" only for a dimensionless input: an elasticity, a size)
        assert info.unit in whatif.INPUT_UNITS, key
        assert info.label and "_" not in info.label and "." not in info.label, info.label
        assert key in info.tooltip
        shown = whatif.readout(value, info.unit, step)
        # units, never SI prefixes: "$0.120", "30.0%", "1.5 FTE", "6 months", "1.1x", "200,000"
        assert re.fullmatch(r"-?\$[\d,.]+[MB]?|month [\d,.]+|-?[\d,.]+(%|x| FTE| months?| weeks| days| h| GB)?",
                            shown), shown
        assert not re.search(r"\d[mµkG]$", shown), shown
        # the readout reads back as the value it shows, on the grid
        assert whatif.snap(whatif.parse(shown, info.unit), low, high, step, value) == pytest.approx(value), (key, shown)


@pytest.mark.parametrize("name, path", list(scenarios()))
def test_panel_at_base_shows_the_headline_and_the_verdicts_as_at_base(name, path):
    wb, p, a = analysed(name, path)
    at_base = wb.whatif(p, **{k: v[3] for k, v in wb.whatif_controls(p).items()})
    table = whatif.figures_table(wb, a, at_base)
    rows = {r["key"]: r for r in report.figure_rows(wb, a)}
    # the what-if column itself (not the "at base" column beside it) holds the headline's text, row by row
    shown = re.findall(r'class="costbook-whatif-value">(.*?)</td>', table)
    assert shown == [rows[key]["text"].replace("&", "&amp;") for key in at_base]
    # moved: a figure that moves by more than 2% shows a new value in that column, marked changed
    controls = wb.whatif_controls(p)
    if controls:
        key, (low, high, step, value) = next(iter(controls.items()))
        moved = wb.whatif(p, **{key: high if value < high else low})
        far = [k for k in at_base if isinstance(at_base[k], (int, float)) and isinstance(moved[k], (int, float))
               and at_base[k] == at_base[k] and moved[k] == moved[k]
               and abs(moved[k] - at_base[k]) > 0.02 * max(abs(at_base[k]), 1e-12)]
        rows_moved = re.findall(r'<tr>.*?class="costbook-whatif-value">(.*?)</td>(.*?)</tr>',
                                whatif.figures_table(wb, a, moved))
        for k in far:
            value_cell, rest = rows_moved[list(at_base).index(k)]
            assert value_cell != shown[list(at_base).index(k)] and "changed" in rest, (key, k, value_cell)
    assert "changed" not in re.sub(r"<td[^>]*></td>", "", table).replace("color:#D55E00\">", "")
    verdicts = whatif.verdicts(wb, a, at_base)
    assert len(verdicts) == len(wb.decisions(a))
    assert not any(v["flipped"] for v in verdicts), verdicts
    for v, d in zip(verdicts, wb.decisions(a)):
        assert report.escape(d.question) in v["words"]  # user text in Markdown is escaped
    svg = whatif.chart(wb, a, at_base)
    if svg is not None:
        assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_a_verdict_against_the_cheaper_option_says_why():
    """05, message queue: building is cheaper, the verdict is buy; the panel gives the seed's reason, and
    a much smaller build team flips it to build."""
    wb, p, a = analysed("costlib.workbooks.build_vs_buy", ROOT / "params/build_vs_buy/message_queue.yaml")
    base = {k: v[3] for k, v in wb.whatif_controls(p).items()}
    (v,) = [x for x in whatif.verdicts(wb, a, wb.whatif(p, **base)) if x["question"].startswith("Build")]
    assert v["verdict"].startswith("buy") and not v["flipped"]
    assert "below the 20% that would justify owning" in v["words"] and "context" in v["words"]
    smaller = {**base, "kafka_on_bare_metal.engineers": 1.0}
    (v,) = [x for x in whatif.verdicts(wb, a, wb.whatif(p, **smaller)) if x["question"].startswith("Build")]
    assert v["flipped"] and v["verdict"].startswith("build")


def test_typed_values_are_read_in_the_readout_unit_and_snapped():
    grid = whatif.grid(0.0, 0.99, 0.0099, 0.3)
    assert whatif.snap(whatif.parse("31.4", "share"), *grid) == pytest.approx(0.31)
    assert whatif.snap(whatif.parse("$0.1234", "usd"), *whatif.grid(0, 0.3, 0.001, 0.1)) == pytest.approx(0.123)
    assert whatif.snap(whatif.parse("99 FTE", "fte"), *whatif.grid(0, 16, 0.5, 4)) == 16.0
    assert whatif.parse("lots", "fte") is None
