"""Your own bill in two commands: `costbook new finops --bill PATH`, then `costbook run` on what it wrote;
and `costbook validate` checking a scenario's bill path and tag keys against the bill.

Expected tag keys and counts are the FOCUS sample's (counted from the file: 660 rows carry application,
business_unit and environment; the next key, CostAllocationTest, 45); expected sections follow from
`scaffold.SECTIONS` and the sample's columns (it has commitment rows, and no outside inputs are given).
"""

from __future__ import annotations

import io
from pathlib import Path

import yaml

from costlib import cli, params, runner, scaffold
from tests.test_billing import HEADER, _row, _write_csv

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "focus" / "focus_sample_1.0_1000.csv"
ROOT = params.project_root(Path(__file__).resolve().parent)


def _new(tmp_path, bill, name="mine.yaml"):
    """Run `costbook new finops --bill BILL -o <tmp>/params/finops/NAME`: (exit code, the file)."""
    out = tmp_path / "params" / "finops" / name
    return cli.main(["new", "finops", "--bill", str(bill), "-o", str(out)]), out


def test_new_then_run_on_the_sample_gives_a_clean_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COSTBOOK_CACHE_DIR", str(tmp_path / "cache"))
    code, out = _new(tmp_path, SAMPLE)
    said = capsys.readouterr().out
    assert code == 0, said
    assert said.startswith(f"wrote {out}: team tag key 'business_unit' (of 30 tag keys), sections on: anomalies, "
                           "commitments; off: kubernetes, rightsizing, storage, spot_batch, business_metric, runaway.")
    scenario = yaml.safe_load(out.read_text())
    assert scenario["billing_data"] == "../shared/data/focus/focus_sample_1.0_1000.csv"
    assert scenario["team_tag_key"] == "business_unit"
    assert scenario["required_tag_keys"] == ["application", "business_unit", "environment"]
    assert all(scenario[k] is None for k in ("kubernetes", "rightsizing", "storage", "spot_batch", "business_metric",
                                               "runaway"))
    assert scenario["commitments"] == {"ends": {}}
    # The sample's amortized cost is 14.9765 over 30 days: 0.4992 a day, 5% of it 0.02 (SOURCE.md's total).
    assert scenario["anomalies"] == {"floor_usd": 0.02}
    text = out.read_text()
    assert ("# Off: a shared Kubernetes cluster (requests vs usage, idle); needs pod usage of the cluster. To turn it"
            in text)
    assert '"CostAllocationTest" 45' in text
    params.load(out, ROOT)  # valid as written
    log = io.StringIO()
    code = runner.run([str(out)], outputs_dir=str(tmp_path / "outputs"), jobs=1, progress=False, stream=log)
    assert code == 0, log.getvalue()
    assert "1 reports written, 0 failed, 0 invalid" in log.getvalue()
    assert (tmp_path / "outputs" / "finops" / "mine.html").is_file()


def test_new_never_overwrites_and_names_an_unreadable_bill(tmp_path, capsys):
    out = tmp_path / "params" / "finops" / "mine.yaml"
    out.parent.mkdir(parents=True)
    out.write_text("# mine\n")
    assert cli.main(["new", "finops", "--bill", str(SAMPLE), "-o", str(out)]) == 1
    assert capsys.readouterr().out == f"{out}: exists; choose another file with -o (nothing was written)\n"
    assert out.read_text() == "# mine\n"
    missing = tmp_path / "no" / "bill.csv"
    assert cli.main(["new", "finops", "--bill", str(missing), "-o", str(tmp_path / "x.yaml")]) == 1
    assert capsys.readouterr().out == f"{missing}: no such file or folder\n"


def test_strings_from_the_bill_stay_inert_in_the_scenario(tmp_path, monkeypatch, capsys):
    """A tag key and a commitment id carrying a newline and YAML cannot add a key to the scenario."""
    monkeypatch.setenv("COSTBOOK_CACHE_DIR", str(tmp_path / "cache"))
    evil = 'team\\nrunaway: {service: x}'
    rows = [_row(Tags='{"%s": "ads"}' % evil, CommitmentDiscountId="sp\nkubernetes: {}",
                 CommitmentDiscountStatus="Used") for _ in range(3)]
    bill = _write_csv(tmp_path / "bill.csv", rows, columns=HEADER)
    code, out = _new(tmp_path, bill)
    capsys.readouterr()
    assert code == 0
    scenario = yaml.safe_load(out.read_text())
    assert scenario["team_tag_key"] == "team\nrunaway: {service: x}"  # one tag key, the only one: the team key
    assert scenario["runaway"] is None and scenario["kubernetes"] is None


def test_validate_checks_bill_path_and_tag_keys_against_the_bill(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTBOOK_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "params" / "finops"
    folder.mkdir(parents=True)
    bill = _write_csv(tmp_path / "bill.csv", [_row(Tags='{"team": "ads", "env": "prod"}')], columns=HEADER)
    good = folder / "good.yaml"
    good.write_text(f"billing_data: {bill}\nteam_tag_key: team\nrequired_tag_keys: [team, env]\n")
    wrong_keys = folder / "keys.yaml"
    wrong_keys.write_text(f"billing_data: {bill}\nteam_tag_key: owner\nrequired_tag_keys: [owner, env, cost-center]\n")
    no_bill = folder / "path.yaml"
    no_bill.write_text("billing_data: no/such/bill.csv\n")
    log = io.StringIO()
    assert runner.validate([str(good), str(wrong_keys), str(no_bill)], stream=log, root=ROOT) == 1
    carried = "expected a tag key of bill.csv (the bill carries env, team)"
    assert log.getvalue().splitlines() == [
        f"{wrong_keys}: key 'team_tag_key' = 'owner': {carried}",
        f"{wrong_keys}: key 'required_tag_keys[0]' = 'owner': {carried}",
        f"{wrong_keys}: key 'required_tag_keys[2]' = 'cost-center': {carried}",
        f"{no_bill}: key 'billing_data' = 'no/such/bill.csv': expected a FOCUS file, folder or glob relative to the "
        f"project root ({ROOT / 'no/such/bill.csv'}: no such file or folder)",
        "costbook validate: 1 valid, 2 invalid",
    ]


def test_team_key_guess_and_required_keys():
    keys = [("application", 660), ("business_unit", 660), ("environment", 660), ("CostCenter", 36)]
    assert scaffold.guess_team_key(keys) == "business_unit"  # before cost centre and application
    assert scaffold.guess_team_key([("Owner", 3), ("Cost-Center", 9)]) == "Owner"
    assert scaffold.required_keys(keys, "business_unit") == ["application", "business_unit", "environment"]
    assert scaffold.required_keys([("env", 10), ("CostCenter", 4)], "CostCenter") == ["env", "CostCenter"]
