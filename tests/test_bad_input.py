"""The bad-input matrix of issue 12: every case gets one line naming the file, the key, the value and what
was expected, before any kernel starts, and leaves ``outputs/`` byte for byte as it was.

The project is a temporary copy (notebooks, pricebook, one good scenario per workbook) with a previous
report set already in ``outputs/``. The worker pool is replaced by one that fails the test if it is ever
created: no case may get as far as starting a kernel.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from costlib import params, runner
from conftest import no_kernel_project, snapshot

ROOT = Path(__file__).resolve().parents[1]
GOOD = {
    "unit_economics": "streaming_margin",
    "tco": "five_k_service_two_sres",
    "capex_opex": "ten_million_cluster",
    "build_vs_buy": "message_queue",
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    return no_kernel_project(tmp_path, monkeypatch, list(GOOD.items()),
                             ("html", "json", "ipynb", "cost_breakdown.svg"))


def variant(project: Path, topic: str, name: str, edit) -> Path:
    """A copy of the topic's good scenario, its text changed by ``edit(text) -> text``."""
    text = (project / "params" / topic / f"{GOOD[topic]}.yaml").read_text(encoding="utf-8")
    path = project / "params" / topic / f"{name}.yaml"
    path.write_text(edit(text), encoding="utf-8")
    return path


def set_key(key: str, value: str):
    def edit(text: str) -> str:
        lines = text.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        lines[at] = f"{key}: {value}"
        return "\n".join(lines) + "\n"
    return edit


def run_cli(project: Path, *args: str) -> tuple[int, list[str]]:
    log = io.StringIO()
    argv = list(args)
    if argv[0] == "run":
        outputs = None
        if "-o" in argv:
            outputs = argv[argv.index("-o") + 1]
            del argv[argv.index("-o"):argv.index("-o") + 2]
        code = runner.run(argv[1:] or None, outputs_dir=outputs, progress=False, stream=log, root=project)
    else:
        code = runner.validate(argv[1:] or None, stream=log, root=project)
    return code, log.getvalue().splitlines()


def line_of(path: Path, key: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(f"{key}:"))


# Each case: (id, make(project) -> (args, expected lines)). Paths in messages are relative to the project.
def case_duplicate_key(p):
    path = variant(p, "unit_economics", "dup", lambda t: t + "target_gross_margin: 0.8\n")
    first, second = line_of(path, "target_gross_margin"), len(path.read_text().splitlines())
    return ["run", str(path)], [f"INVALID params/unit_economics/dup.yaml: key 'target_gross_margin' = 0.8: expected "
                                f"each key once, but it is given twice (line {first} = 0.2, line {second} = 0.8)"]


def case_inf(p):
    path = variant(p, "unit_economics", "inf", set_key("volume_units_per_month", ".inf"))
    return ["run", str(path)], ["INVALID params/unit_economics/inf.yaml: key 'volume_units_per_month' = inf: "
                                "expected a finite number"]


def case_nested_minus_inf(p):
    def edit(text):
        import re

        return re.sub(r"usd_per_month: [0-9_.]+", "usd_per_month: -.inf", text, count=1)
    path = variant(p, "tco", "neg_inf", edit)
    key = next(k for k, v in params._walk(params.read_yaml(path)) if v == float("-inf"))
    return ["run", str(path)], [f"INVALID params/tco/neg_inf.yaml: key '{key}' = -inf: expected a finite number"]


def case_overflow(p):
    path = variant(p, "unit_economics", "huge", set_key("volume_units_per_month", "1e308"))
    return ["run", str(path)], ["INVALID params/unit_economics/huge.yaml: key 'volume_units_per_month' = 1e+308: "
                                "expected a number between -1e+15 and 1e+15"]


def case_number_as_text(p):
    path = variant(p, "unit_economics", "text", set_key("price_usd_per_unit", '"0.12"'))
    return ["run", str(path)], ["INVALID params/unit_economics/text.yaml: key 'price_usd_per_unit' = '0.12': "
                                "expected a number, not text (write it without quotes)"]


def case_discount_rate_03(p):
    path = variant(p, "capex_opex", "rate", set_key("discount_rate_per_year", "1.0"))
    out = ["INVALID params/capex_opex/rate.yaml: key 'discount_rate_per_year' = 1.0: expected a decimal rate per "
           "year in [0, 1) (write 0.08 for 8%)"]
    # This file also draws the rate's sensitivity range around 0.08: the range no longer contains it.
    out.append("INVALID params/capex_opex/rate.yaml: key 'sensitivity_ranges.buy_vs_rent.discount_rate_per_year' "
               "= [0.05, 0.12]: expected a range that contains the scenario's value 1")
    return ["run", str(path)], out


def case_discount_rate_05(p):
    path = variant(p, "build_vs_buy", "rate", set_key("discount_rate_per_year", "1.0"))
    return ["run", str(path)], ["INVALID params/build_vs_buy/rate.yaml: key 'discount_rate_per_year' = 1.0: "
                                "expected a decimal rate per year in [0, 1) (write 0.08 for 8%)"]


def case_growth_rate_05(p):
    path = variant(p, "build_vs_buy", "growth", set_key("growth_rate_per_month", "1.0"))
    return ["run", str(path)], ["INVALID params/build_vs_buy/growth.yaml: key 'growth_rate_per_month' = 1.0: "
                                "expected a decimal growth rate above -1 and below 1 (write 0.02 for 2%)"]


def case_growth_rate_02_same_bound(p):
    def edit(text):
        data = yaml.safe_load(text)
        line = next(x for x in data["lines"] if "usd_per_month" in x)
        line["growth_rate_per_month"] = 1.0
        return yaml.safe_dump(data, sort_keys=False)
    path = variant(p, "tco", "growth", edit)
    data = params.read_yaml(path)
    at = next(i for i, x in enumerate(data["lines"]) if "growth_rate_per_month" in x)
    return ["run", str(path)], [f"INVALID params/tco/growth.yaml: key 'lines[{at}].growth_rate_per_month' = 1.0: "
                                "expected a decimal growth rate above -1 and below 1 (write 0.02 for 2%)"]


def case_base_outside_range(p):
    path = variant(p, "unit_economics", "range", set_key("price_usd_per_unit", "0.50"))
    return ["run", str(path)], ["INVALID params/unit_economics/range.yaml: key 'sensitivity_ranges.price_usd_per_unit' "
                                "= [0.1, 0.14]: expected a range that contains the scenario's value 0.5"]


def case_outputs_is_a_file(p):
    (p / "report.txt").write_text("not a folder")
    return (["run", "params/unit_economics/streaming_margin.yaml", "-o", "report.txt"],
            ["costbook run: report.txt: expected a folder for the reports, but it is a file"])


def case_outputs_in_a_missing_place(p):
    return (["run", "params/unit_economics/streaming_margin.yaml", "-o", "no/such/place"],
            [f"costbook run: no/such/place: expected an existing folder, or a new one inside an existing folder; "
             f"{p / 'no' / 'such'} does not exist"])


def case_topic_folder_is_a_file(p):
    (p / "outputs" / "tco").write_text("a file where the reports of tco go")
    return (["run", "params/tco/five_k_service_two_sres.yaml"],
            [f"costbook run: {p / 'outputs' / 'tco'}: expected a folder for the reports of tco, but it is a file"])


def case_missing_folder(p):
    return ["run", "params/nope"], ["INVALID params/nope: no such file or folder",
                                    "costbook run: no scenario files found"]


def case_pricebook_is_not_a_scenario(p):
    return (["validate", "params/pricebook.yaml"],
            ["params/pricebook.yaml: this is the shared pricebook, not a scenario; expected a file in params/<topic>/",
             "costbook validate: 0 valid, 1 invalid"])


CASES = [case_duplicate_key, case_inf, case_nested_minus_inf, case_overflow, case_number_as_text,
         case_discount_rate_03, case_discount_rate_05, case_growth_rate_05, case_growth_rate_02_same_bound,
         case_base_outside_range, case_outputs_is_a_file, case_outputs_in_a_missing_place,
         case_topic_folder_is_a_file, case_missing_folder, case_pricebook_is_not_a_scenario]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
def test_bad_input_gets_one_line_and_outputs_stay_byte_identical(project, case):
    args, expected = case(project)
    before = snapshot(project / "outputs")
    code, lines = run_cli(project, *args)
    assert code != 0
    problems = [line for line in lines if not line.startswith("costbook run: 0 reports written")]
    assert problems == expected
    assert snapshot(project / "outputs") == before


def test_unwritable_outputs_folder(project, monkeypatch):
    """A reports folder the runner cannot write into is one line and nothing changes. Root (as in CI)
    writes into a mode-0555 folder anyway, so there the write is refused the way the kernel refuses any
    other user: with EACCES from the runner's write probe."""
    outputs = project / "outputs"
    target = outputs / "unit_economics"
    before = snapshot(outputs)
    if os.geteuid() == 0:
        write_bytes = Path.write_bytes

        def refuse(self, data):
            if self.parent == target:
                raise PermissionError(13, "Permission denied", str(self))
            return write_bytes(self, data)

        monkeypatch.setattr(Path, "write_bytes", refuse)
    else:
        os.chmod(target, 0o555)
    try:
        code, lines = run_cli(project, "run", "params/unit_economics/streaming_margin.yaml")
    finally:
        os.chmod(target, 0o755)
    assert code == 2
    assert lines == [f"costbook run: {target}: cannot write reports there: Permission denied"]
    assert snapshot(outputs) == before


def test_the_params_folder_means_every_scenario_and_never_the_pricebook(project):
    for arg in ("params", "params/"):
        files, errors = runner.discover(project, [arg])
        assert errors == []
        assert sorted(f"{f.parent.name}/{f.stem}" for f in files) == sorted(f"{t}/{n}" for t, n in GOOD.items())
    code, lines = run_cli(project, "validate", "params/")
    assert code == 0 and lines == ["costbook validate: 4 valid, 0 invalid"]
    files, _ = runner.discover(ROOT, [str(ROOT / "params")])
    assert len(files) == len(list((ROOT / "params").glob("*/*.yaml"))) >= 20


@pytest.mark.scenario
def test_plain_papermill_with_a_bad_value_names_the_file_and_key_first(project):
    """Item 8: papermill prints its own report of the failed cell; our line comes before it and names the
    -f file and the -p key rather than "notebook parameters"."""
    papermill = Path(sys.executable).with_name("papermill")
    result = subprocess.run(
        [str(papermill), "notebooks/01_unit_economics.ipynb", str(project / "out.ipynb"), "-k", "python3",
         "-f", "params/unit_economics/streaming_margin.yaml", "-p", "price_usd_per_unit", "-1",
         "-p", "interactive", "False", "--no-progress-bar"],
        cwd=project, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    ours = ("params/unit_economics/streaming_margin.yaml with papermill -p price_usd_per_unit -p interactive: "
            "key 'price_usd_per_unit' = -1: expected a number > 0")
    lines = result.stderr.splitlines()
    assert ours in lines, result.stderr
    first_traceback = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), len(lines))
    assert lines.index(ours) < first_traceback
