"""Tests for workbook 02 (costlib.workbooks.tco): each scenario file's headline against arithmetic shown in
the docstrings or closed forms, the crossover and break-even properties, and bad input.

Shared conventions of the scenarios: a loaded cost of $300,000 per FTE-year (pricebook, the seed's two SREs at
$600k+) unless stated; toil hours priced at 300,000 / 2,080 = $144.2308 an hour; engineering weeks at
300,000 / 52 = $5,769.23 a week; 36 months; 8% a year for present values.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest

from costlib import params, tco
from costlib.errors import ScenarioError
from costlib.workbooks import tco as wb

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "params" / "tco"
R_M = 1.08 ** (1 / 12) - 1  # monthly rate equivalent to 8% a year
WEEK = 300_000 / 52  # one engineering week at $300k/yr
HOUR = 300_000 / 2080  # one toil hour at $300k/yr


def _analyse(name: str) -> wb.Analysis:
    return wb.analyse(params.load(SCENARIOS / f"{name}.yaml"))


def _annuity(payment: float, months: int = 36) -> float:
    """Present value of a level monthly payment, end of month, at 8%/yr (numpy-financial)."""
    return float(npf.pv(R_M, months, -payment))


@pytest.fixture(scope="module")
def cassandra():
    return _analyse("managed_db_vs_self_hosted_cassandra")


@pytest.fixture(scope="module")
def five_k():
    return _analyse("five_k_service_two_sres")


@pytest.fixture(scope="module")
def storage():
    return _analyse("storage_hot_90_days")


@pytest.fixture(scope="module")
def arm():
    return _analyse("x86_to_arm_migration")


def test_every_scenario_file_validates_and_runs():
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        a = wb.analyse(params.load(path))
        assert a.headline["cheapest_option"] in [o.name for o in a.params.options]
        assert a.recommendation


# ------------------------------------------------------------------------- managed DB vs Cassandra


def test_cassandra_tco_by_hand(cassandra):
    """managed: database 150,000 x 36 = 5,400,000; service owner 0.25 FTE x 300,000 / 12 x 36 = 225,000;
    total 5,625,000.
    cassandra: managed until cutover 150,000 x 4 = 600,000; nodes 150,000 x 0.7 x 1.15 = 120,750 x 34 months
    (3..36) = 4,105,500; backups 2,500 x 34 = 85,000; replication 4,500 x 34 = 153,000; support 5,000 x 34
    = 170,000; DBA/SRE team 2 x 25,000 x 36 = 1,800,000; toil 40 h x 144.2308 x 32 months (5..36)
    = 184,615.38; training 30,000; migration 48 weeks x 5,769.23 = 276,923.08; roadmap delay 100,000;
    total 7,505,038.46. Difference 1,880,038.46: managed wins by 1,880,038.46 / 7,505,038.46 = 25.05%."""
    h = cassandra.headline
    managed = 150_000 * 36 + 0.25 * 25_000 * 36
    self_hosted = (150_000 * 4 + 120_750 * 34 + (2_500 + 4_500 + 5_000) * 34 + 2 * 25_000 * 36
                   + 40 * HOUR * 32 + 30_000 + 48 * WEEK + 100_000)
    assert h["cheapest_option"] == "managed"
    assert h["managed_tco_usd_36_months"] == pytest.approx(managed)
    assert h["cassandra_tco_usd_36_months"] == pytest.approx(self_hosted)
    assert self_hosted == pytest.approx(7_505_038.4615, rel=1e-10)
    assert h["cassandra_minus_managed_usd_36_months"] == pytest.approx(self_hosted - managed)
    assert h["cheapest_saving_share_of_runner_up"] == pytest.approx((self_hosted - managed) / self_hosted)
    assert h["break_even_month"] is None


def test_cassandra_present_value_matches_numpy_financial(cassandra):
    """The managed option is a level 156,250 a month: PV = npf.pv(r_month, 36, -156,250)."""
    assert cassandra.headline["managed_present_value_usd"] == pytest.approx(_annuity(156_250.0), rel=1e-12)


def test_thirty_percent_saving_means_a_43_percent_managed_premium(cassandra):
    """Self-hosted = managed x (1 - 0.3), so managed = self-hosted x 1 / 0.7: a premium of 0.3 / 0.7 = 42.86%.
    With 15% headroom the nodes cost 0.7 x 1.15 = 80.5% of the managed bill: a 19.5% saving."""
    h = cassandra.headline
    assert h["managed_premium_over_cassandra_infra"] == pytest.approx(0.3 / 0.7)
    assert h["cassandra_infra_saving_after_headroom"] == pytest.approx(1 - 0.7 * 1.15)


def test_cassandra_crossovers_by_hand(cassandra):
    """Usage-driven (direct) vs fixed over 36 months:
    managed: S = 5,400,000, F = 225,000; cassandra: S = 600,000 + 4,105,500 + 85,000 + 153,000 + 170,000
    = 5,113,500, F = 1,800,000 + 184,615.38 + 30,000 + 276,923.08 + 100,000 = 2,391,538.46.
    k* = (2,391,538.46 - 225,000) / (5,400,000 - 5,113,500) = 7.56209; the managed bill averages
    1,800,000/yr, so the crossover is 7.56209 x 1.8M = $13.61M/yr.
    Run rate (month 36): managed 150,000 + 6,250; cassandra 132,750 usage-driven + 50,000 + 5,769.23.
    k* = (55,769.23 - 6,250) / (150,000 - 132,750) = 2.87068, i.e. 2.87068 x 1.8M = $5.17M/yr: the seed's
    ">$5M/year on the DB"."""
    h = cassandra.headline
    fixed_gap = 1_800_000 + 40 * HOUR * 32 + 30_000 + 48 * WEEK + 100_000 - 225_000
    k = fixed_gap / (5_400_000 - 5_113_500)
    assert h["managed_infra_usd_per_year"] == pytest.approx(1_800_000)
    assert h["crossover_infra_usd_per_year"] == pytest.approx(k * 1_800_000)
    k_rr = (50_000 + 40 * HOUR - 6_250) / (150_000 - 132_750)
    assert h["run_rate_crossover_infra_usd_per_year"] == pytest.approx(k_rr * 1_800_000)
    assert 5e6 < h["run_rate_crossover_infra_usd_per_year"] < 5.2e6


def test_at_the_crossover_scale_both_options_cost_the_same(cassandra):
    """Scaling every usage-driven line by k* makes the 36-month difference zero."""
    p = cassandra.params
    model = wb.make_model(p, cassandra.challenger)
    k = cassandra.crossover["horizon_scale"]
    assert model(**{**wb.model_inputs(p), "usage_scale": k}) == pytest.approx(0.0, abs=1e-6)


def test_crossover_matches_the_closed_form_without_one_offs():
    """Only a managed line S (1 + p) and self-hosted S (1 + h) plus 2 FTE: the run-rate crossover in managed-bill
    terms is S* (1 + p) with S* = F / (p - h) (tco.self_hosting_crossover_usd_per_year)."""
    data = {"options": [{"name": "managed"}, {"name": "self_hosted"}],
            "lines": [{"option": "managed", "name": "db", "category": "compute", "usd_per_month": 100_000},
                      {"option": "self_hosted", "name": "nodes", "category": "compute", "relative_to": "managed.db",
                       "saving": 0.3, "headroom": 0.1},
                      {"option": "self_hosted", "name": "team", "category": "people", "fte": 2}]}
    a = wb.analyse(params.validate("tco", data))
    p = tco.managed_premium_from_saving(0.3)
    s_star = tco.self_hosting_crossover_usd_per_year(p, 2, 300_000, headroom=0.1)
    # the closed form is in self-hosted list terms; the workbook states the managed bill: S* (1 + p)
    assert a.headline["run_rate_crossover_infra_usd_per_year"] == pytest.approx(s_star * (1 + p))
    assert a.headline["crossover_infra_usd_per_year"] == pytest.approx(s_star * (1 + p))


def test_cassandra_sensitivity_by_hand(cassandra):
    """DBA/SRE FTE 1 to 3 moves the difference by -/+ 1 FTE x 300,000 x 3 years = 900,000 around 1,880,038."""
    t = cassandra.tornado.set_index("input")
    base = cassandra.headline["cassandra_minus_managed_usd_36_months"]
    assert t.loc["cassandra.dba_sre_team.fte", "output_at_low"] == pytest.approx(base - 900_000)
    assert t.loc["cassandra.dba_sre_team.fte", "output_at_high"] == pytest.approx(base + 900_000)
    assert cassandra.tornado.iloc[0]["input"] == "cassandra.dba_sre_team.fte"


# ----------------------------------------------------------------------------- $5k service, two SREs


def test_five_k_service_by_hand(five_k):
    """self_run: (5,000 + 2 x 25,000) x 36 = 1,980,000, of which people 1,800,000 = 90.9% (the seed's "terrible
    TCO"). managed_runtime: VMs 5,000 x 2 + SREs 50,000 x 2 until cutover = 110,000; runtime 5,000 x 1.6
    = 8,000 x 34 = 272,000; owner 0.25 x 25,000 x 34 = 212,500; migration 8 x 5,769.23 = 46,153.85;
    total 640,653.85. Saving 1,339,346.15."""
    h = five_k.headline
    managed = 110_000 + 8_000 * 34 + 6_250 * 34 + 8 * WEEK
    assert h["self_run_tco_usd_36_months"] == pytest.approx(1_980_000)
    assert h["self_run_people_share_of_tco"] == pytest.approx(1_800_000 / 1_980_000)
    assert h["managed_runtime_tco_usd_36_months"] == pytest.approx(managed)
    assert h["managed_runtime_minus_self_run_usd_36_months"] == pytest.approx(managed - 1_980_000)
    assert h["cheapest_option"] == "managed_runtime"


def test_five_k_service_break_even_month_by_hand(five_k):
    """Cumulative managed - self_run: month 1 +46,153.85 (migration), month 2 +46,153.85, month 3
    +46,153.85 + (14,250 - 55,000) = +5,403.85, month 4 -35,346.15 and falling: break-even in month 4."""
    assert five_k.headline["break_even_month"] == 4


def test_five_k_service_crossover_is_the_closed_form(five_k):
    """Run rate: self_run 5,000 k + 50,000 vs managed 8,000 k + 6,250: k* = 43,750 / 3,000 = 14.583, i.e.
    $875,000/yr of VMs = tco.self_hosting_crossover_usd_per_year(0.6, 2 - 0.25, 300,000).
    Over 36 months: S 180,000 vs 282,000 (runtime + VMs until cutover), F 1,800,000 vs 358,653.85:
    k* = 1,441,346.15 / 102,000 = 14.1308 -> 14.1308 x 60,000 = $847,851/yr."""
    h = five_k.headline
    assert h["run_rate_crossover_infra_usd_per_year"] == pytest.approx(
        tco.self_hosting_crossover_usd_per_year(0.6, 1.75, 300_000))
    assert h["crossover_infra_usd_per_year"] == pytest.approx(
        (1_800_000 - (100_000 + 212_500 + 8 * WEEK)) / (282_000 - 180_000) * 60_000)


def test_five_k_service_utilization(five_k):
    """m6i.xlarge at $0.192/h and 15% CPU: 0.192 / 0.15 = $1.28 per utilized instance-hour (6.7x list)."""
    assert five_k.headline["service_vms_usd_per_utilized_instance_hour"] == pytest.approx(1.28)


def test_five_k_service_flip_point_by_hand(five_k):
    """The difference is -1,339,346.15 + (2 - f) x 900,000 for f SREs on self_run: zero at
    f = 2 - 1,339,346.15 / 900,000 = 0.51184."""
    f = five_k.flips.set_index("input").loc["self_run.sre_team.fte", "flip_value"]
    assert f == pytest.approx(2 - (1_980_000 - (110_000 + 8_000 * 34 + 6_250 * 34 + 8 * WEEK)) / 900_000)


# ------------------------------------------------------------------------------ storage hot 90 days


def test_storage_difference_is_the_overrun_less_the_automation(storage):
    """enforce_plan runs the planned policy, as_operated the 90-day one, so their storage lines differ by the
    overrun. People and toil: enforce_plan 3 weeks x 5,769.23 + 4 h x 144.23 x 36 = 17,307.69 + 20,769.23;
    as_operated 2 h x 144.23 x 36 = 10,384.62. Difference = -overrun + 27,692.31."""
    h = storage.headline
    people = 3 * WEEK + 4 * HOUR * 36 - 2 * HOUR * 36
    assert people == pytest.approx(27_692.3077, rel=1e-8)
    assert h["enforce_plan_minus_as_operated_usd_36_months"] == pytest.approx(
        -h["storage_overrun_usd_36_months"] + people)
    assert h["enforce_plan_tco_usd_36_months"] == pytest.approx(
        h["planned_storage_usd_36_months"] + 3 * WEEK + 4 * HOUR * 36)


def test_storage_overrun_grows_with_the_data(storage):
    """Once every tier is fully formed (ages past 90 days), each month's GB per tier scale with the GB written,
    which grows 2% a month: overrun_36 / overrun_35 = 1.02."""
    comp = storage.sections["storage_lifecycle"]["comparison"]
    assert comp["overrun_usd"].iloc[-1] / comp["overrun_usd"].iloc[-2] == pytest.approx(1.02, rel=1e-9)
    assert storage.headline["storage_overrun_usd_per_month_at_month_36"] == pytest.approx(comp["overrun_usd"].iloc[-1])


def test_storage_steady_state_without_growth_by_hand():
    """With no growth, 100,000 GB written a month, D = 730 / 24 = 30.4167 days a month: hot 90 days holds
    100,000 x 90 / D = 295,890 GB; the plan's hot 30 days 98,630 GB and warm 60 days 197,260 GB. The overrun
    is the 60 extra hot days at the gp3 - S3 Standard gap: 197,260 x (0.08 - 0.023) = $11,243.84 a month.
    After the 730-day retention (month 25 on) the as-operated bill is 100,000 / D GB per day of age times
    (90 days x 0.08 hot + 640 days x 0.00099 cold + 640 days x 0.001 read x $0.02 retrieval)
    = 3,287.67 x (7.2 + 0.6336 + 0.0128) = $25,796.38 a month."""
    data = params.read_yaml(SCENARIOS / "storage_hot_90_days.yaml")
    data["storage_lifecycle"]["growth_rate_per_month"] = 0.0
    a = wb.analyse(params.validate("tco", data))
    d = 730 / 24
    comp = a.sections["storage_lifecycle"]["comparison"]
    assert comp["overrun_usd"].iloc[6:].to_numpy() == pytest.approx(100_000 * 60 / d * (0.08 - 0.023))
    assert a.headline["hot_tb_at_month_36"] == pytest.approx(100_000 * 90 / d / 1000)
    assert a.headline["planned_hot_tb_at_month_36"] == pytest.approx(100_000 * 30 / d / 1000)
    bill = 100_000 / d * (90 * 0.08 + 640 * 0.00099 + 640 * 0.001 * 0.02)
    assert comp["actual_usd"].iloc[-1] == pytest.approx(bill)


# ------------------------------------------------------------------------------------ x86 to ARM


def test_arm_migration_by_hand(arm):
    """x86: 400 x 730 h x $0.192 = $56,064 a month, growing 1%: 36 months cost 56,064 x (1.01^36 - 1) / 0.01.
    ARM cuts cost per unit of work by 1 - 0.1632 / (1.1 x 0.192) = 5/22 = 22.73%; the saving runs from month 5
    (4 months of migration): 5/22 x 56,064 x (1.01^36 - 1.01^4) / 0.01. Effort 40 weeks x 500,000 / 52
    = 384,615.38 (the seed's Mag7 loaded cost)."""
    h = arm.headline
    x86 = 400 * 730 * 0.192
    stay = x86 * (1.01**36 - 1) / 0.01
    saving = 5 / 22 * x86 * (1.01**36 - 1.01**4) / 0.01
    effort = 40 * 500_000 / 52
    assert x86 == pytest.approx(56_064.0)
    assert h["stay_x86_tco_usd_36_months"] == pytest.approx(stay)
    assert h["migrate_arm_tco_usd_36_months"] == pytest.approx(stay - saving + effort)
    assert h["arm_cost_reduction"] == pytest.approx(5 / 22)
    assert h["arm_saving_usd_per_month_at_cutover"] == pytest.approx(5 / 22 * x86 * 1.01**4)
    assert h["arm_migration_effort_usd"] == pytest.approx(effort)


def test_arm_payback_by_hand(arm):
    """Payback when 5/22 x 56,064 x (1.01^m - 1.01^4) / 0.01 >= 384,615.38, i.e.
    1.01^m >= 1.01^4 + 384,615.38 x 0.01 / 12,741.82 = 1.342457: m >= ln(1.342457) / ln(1.01) = 29.6, month 30.
    The TCO break-even month and costlib.tco.arm_migration_payback_month agree."""
    x86 = 400 * 730 * 0.192
    m = math.log(1.01**4 + (40 * 500_000 / 52) * 0.01 / (5 / 22 * x86)) / math.log(1.01)
    assert math.ceil(m) == 30
    assert arm.headline["arm_payback_month"] == 30.0
    assert arm.headline["break_even_month"] == 30


def test_arm_crossover_is_the_effort_over_the_saving(arm):
    """No fixed cost but the effort E, and ARM cheaper per unit once running (no run-rate crossover): over 36
    months k* = E / saving; with x86 averaging stay / 3 a year the crossover is k* x stay / 3."""
    x86 = 400 * 730 * 0.192
    stay = x86 * (1.01**36 - 1) / 0.01
    saving = 5 / 22 * x86 * (1.01**36 - 1.01**4) / 0.01
    h = arm.headline
    assert h["run_rate_crossover_infra_usd_per_year"] is None
    assert h["crossover_infra_usd_per_year"] == pytest.approx((40 * 500_000 / 52) / saving * stay / 3)


def test_purchase_options_by_hand(arm):
    """On-demand 56,064; 1 year 0.7 x 56,064 = 39,244.80; 3 years 28,032; spot 56,064 x 1.1 x 0.3 = 18,501.12.
    Mix 60% 3yr, 10% 1yr, 20% spot, 10% on-demand: 16,819.20 + 3,924.48 + 3,700.22 + 5,606.40 = 30,050.30,
    46.40% below on-demand."""
    blended = 0.6 * 28_032 + 0.1 * 39_244.8 + 0.2 * 18_501.12 + 0.1 * 56_064
    assert arm.headline["blended_fleet_usd_per_month"] == pytest.approx(blended)
    assert arm.headline["blended_saving_vs_on_demand"] == pytest.approx(1 - blended / 56_064)


# --------------------------------------------------------------------------- general properties


def _two_options(**extra) -> dict:
    return {"options": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
            "lines": [{"option": "a", "name": "infra", "category": "compute", "usd_per_month": 1_000},
                      {"option": "b", "name": "infra", "category": "compute", "usd_per_month": 600},
                      {"option": "b", "name": "team", "category": "people", "fte": 0.01},
                      {"option": "c", "name": "infra", "category": "compute", "usd_per_month": 900}],
            "monte_carlo_draws": 200, **extra}


def test_three_options_rank_and_challenger():
    """a 1,000/month; b 600 + 0.01 x 25,000 = 850; c 900: b wins, c is second, b is the challenger."""
    a = wb.analyse(params.validate("tco", _two_options()))
    assert a.winner == "b" and a.runner_up == "c" and a.challenger == "b"
    assert a.headline["cheapest_saving_vs_runner_up_usd_36_months"] == pytest.approx((900 - 850) * 36)
    assert a.headline["b_minus_a_usd_36_months"] == pytest.approx((850 - 1_000) * 36)


def test_decision_basis_present_value():
    """Deciding on present value names the difference in PV: -150 x annuity(36 months at 8%)."""
    a = wb.analyse(params.validate("tco", _two_options(decision_basis="present_value")))
    assert a.headline["b_minus_a_present_value_usd"] == pytest.approx(_annuity(-150.0))


def test_one_option_is_a_plain_tco():
    """One option, 1,000 a month: 36,000 over 36 months, no comparison figures."""
    data = {"options": [{"name": "only"}],
            "lines": [{"option": "only", "name": "infra", "category": "compute", "usd_per_month": 1_000}],
            "monte_carlo_draws": 200}
    a = wb.analyse(params.validate("tco", data))
    assert a.headline["only_tco_usd_36_months"] == pytest.approx(36_000)
    assert a.challenger is None and "break_even_month" not in a.headline


def test_the_model_at_base_is_the_headline_difference(cassandra, five_k, storage, arm):
    for a in (cassandra, five_k, storage, arm):
        p = a.params
        model = wb.make_model(p, a.challenger)
        key = f"{a.challenger}_minus_{p.baseline}_usd_{p.horizon_months}_months"
        assert model(**wb.model_inputs(p)) == pytest.approx(a.headline[key])


def test_recommendation_changes_when_the_numbers_change():
    """The base difference 1,880,038.46 less 1.8 FTE x 300,000 x 3 (team of 0.2 FTE) = 1,620,000, less the
    toil 184,615.38, less no headroom 0.15 x 105,000 x 34 = 535,500: -460,076.92, so self-hosting wins."""
    data = params.read_yaml(SCENARIOS / "managed_db_vs_self_hosted_cassandra.yaml")
    for line in data["lines"]:
        if line["name"] == "dba_sre_team":
            line["fte"] = 0.2
        if line["name"] == "application_toil":
            line["toil_hours_per_month"] = 0
        if line["name"] == "cassandra_nodes":
            line["headroom"] = 0.0
    a = wb.analyse(params.validate("tco", data))
    assert a.winner == "cassandra"
    assert a.headline["cassandra_minus_managed_usd_36_months"] == pytest.approx(
        1_880_038.4615 - 1_620_000 - 40 * HOUR * 32 - 0.15 * 105_000 * 34, rel=1e-9)
    assert "**Choose Self-hosted Cassandra" in a.recommendation


# ------------------------------------------------------------------------------------------ bad input


def _cassandra_data() -> dict:
    return params.read_yaml(SCENARIOS / "managed_db_vs_self_hosted_cassandra.yaml")


def _error(data: dict) -> str:
    with pytest.raises(ScenarioError) as info:
        params.validate("tco", data, source="params/tco/bad.yaml")
    return str(info.value)


def test_negative_fte_is_rejected_naming_the_key():
    data = _cassandra_data()
    data["lines"][7]["fte"] = -2
    message = _error(data)
    assert "lines[7].fte" in message and "-2" in message and ">= 0" in message


def test_utilization_above_one_is_rejected_naming_the_key():
    data = params.read_yaml(SCENARIOS / "five_k_service_two_sres.yaml")
    data["utilization"][0]["utilization"] = 15
    message = _error(data)
    assert "utilization[0].utilization" in message and "0.15" in message


def test_unknown_key_is_rejected_with_a_suggestion():
    data = _cassandra_data()
    data["horizon_month"] = 48
    message = _error(data)
    assert "horizon_month" in message and "did you mean 'horizon_months'" in message


@pytest.mark.parametrize("key, where", [
    ("discount_rate_per_year", None),
    ("saving", 3),
])
def test_a_rate_written_as_a_percentage_is_rejected(key, where):
    data = _cassandra_data()
    if where is None:
        data[key] = 7
        expected_key = key
    else:
        data["lines"][where][key] = 30
        expected_key = f"lines[{where}].{key}"
    message = _error(data)
    assert expected_key in message and "(write 0." in message


def test_growth_written_as_a_percentage_is_rejected():
    data = _cassandra_data()
    data["lines"][0]["growth_rate_per_month"] = 7
    assert "lines[0].growth_rate_per_month" in _error(data)


@pytest.mark.parametrize("change, words", [
    (lambda d: d["lines"][2].update(relative_to="managed.nothing"), "lines[2].relative_to"),
    (lambda d: d["lines"][0].update(option="nobody"), "lines[0].option"),
    (lambda d: d["lines"][3].update(usd_per_month=5), "usd_per_month"),
    (lambda d: d["lines"][4].update(saving=0.2), "only meaningful with relative_to"),
    (lambda d: d.update(challenger="managed"), "challenger"),
    (lambda d: d.update(sensitivity_ranges={"cassandra.nope.fte": [1, 2]}), "sensitivity_ranges"),
    (lambda d: d["lines"][4].update(start_month=40), "lines[4].start_month"),
])
def test_inconsistent_scenarios_are_rejected(change, words):
    data = _cassandra_data()
    change(data)
    assert words in _error(data)


def test_storage_policies_must_include_the_baseline():
    data = params.read_yaml(SCENARIOS / "storage_hot_90_days.yaml")
    del data["storage_lifecycle"]["policies"]["as_operated"]
    assert "storage_lifecycle.policies" in _error(data)


def test_purchase_mix_must_sum_to_one():
    data = params.read_yaml(SCENARIOS / "x86_to_arm_migration.yaml")
    data["purchase_options"]["mix"]["spot"] = 0.5
    assert "purchase_options" in _error(data) and "summing to 1" in _error(data)


def test_arm_that_does_less_work_per_dollar_is_rejected():
    data = params.read_yaml(SCENARIOS / "x86_to_arm_migration.yaml")
    data["arm_migration"]["arm_relative_throughput"] = 0.5
    assert "arm_migration" in _error(data)
