"""Workbook 05 (build vs buy): every scenario file's headline figures against arithmetic done by hand, the
model's invariants, and bad input stopped with an error that names the key.

Conventions used in the arithmetic below: engineers cost $500,000 a year fully loaded (the pricebook's
Mag7 figure), so one engineer-month e = 500,000 / 12 = 41,666.67. An option that goes live after T months
pays its team for months 1..T and its running costs for months T+1..H; until it is live the need costs the
scenario's cost of delay (for the message queue and logging: the vendor's price, the interim service).
"""

import ast
import copy
import json
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest

from costlib import params
from costlib.errors import ScenarioError
from costlib.workbooks import build_vs_buy as wb

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "params" / "build_vs_buy"
E = 500_000 / 12  # one engineer-month, USD


def load(name):
    return params.load(FOLDER / f"{name}.yaml", ROOT)


def analyse(name, **changes):
    p = load(name)
    if changes:
        p = params.validate(wb.TOPIC, {**p.model_dump(), **changes}, root=ROOT)
    return wb.analyse(p)


@pytest.fixture(scope="module")
def mq():
    return analyse("message_queue")


# --------------------------------------------------------------------------------------------------
# message queue (seed III.2)


def test_message_queue_tco_by_hand(mq):
    """Kafka: team 4 x 6 x e = 1,000,000; hardware 200,000; 1 KTLO engineer x 30 live months x e =
    1,250,000; the managed queue serves the 6 build months: 6 x 0.50 x 200,000 = 600,000.
    Total 1,000,000 + 200,000 + 1,250,000 + 600,000 = 3,050,000.
    Managed queue: 36 x 0.50 x 200,000 = 3,600,000. Kafka is cheaper by 550,000."""
    h = mq.headline
    assert h["tco_kafka_on_bare_metal_usd"] == pytest.approx(3_050_000)
    assert h["tco_managed_queue_usd"] == pytest.approx(3_600_000)
    assert mq.tco.loc["upfront", "kafka_on_bare_metal"] == pytest.approx(1_200_000)
    assert mq.tco.loc["maintenance", "kafka_on_bare_metal"] == pytest.approx(1_250_000)
    assert mq.tco.loc["delay", "kafka_on_bare_metal"] == pytest.approx(600_000)
    assert h["build_minus_buy_usd"] == pytest.approx(-550_000)
    assert h["cheapest_option"] == "kafka_on_bare_metal"
    assert h["cheapest_saving_vs_runner_up_usd"] == pytest.approx(550_000)


def test_message_queue_break_even_volume_and_month(mq):
    """At a constant V million requests a month: Kafka = 2,450,000 + 6 x 0.50 V = 2,450,000 + 3 V (the
    interim), managed = 36 x 0.50 V = 18 V, so V* = 2,450,000 / 15 = 163,333.33 million requests a month
    (163 billion requests, ~62k requests/s).
    At 200,000: managed 100,000 a month; Kafka has spent 1,200,000 + 600,000 by month 6, then 41,666.67 a
    month. Month 26: 1,800,000 + 20 x 41,666.67 = 2,633,333.33 > 2,600,000; month 27: 2,675,000 <= 2,700,000.
    Break-even month 27."""
    assert mq.headline["break_even_volume_million_requests_per_month"] == pytest.approx(2_450_000 / 15)
    assert mq.headline["break_even_month"] == 27


def test_message_queue_recommendation(mq):
    """Kafka saves 550,000 / 3,600,000 = 15.3% of the managed bill, below the 20% that justifies owning a
    context capability the vendor covers at 90%: buy (and negotiate). Core would flip it to build."""
    assert mq.headline["recommendation"] == "BUY (managed_queue)"
    assert "163,333 million requests/month" in mq.recommendation
    assert "month 27" in mq.recommendation
    assert analyse("message_queue", is_core=True).headline["recommendation"] == "BUILD (kafka_on_bare_metal)"


def test_message_queue_verdict_flips_at_the_rules_bar_not_at_the_cost_tie(mq):
    """The verdict's own flip, by hand. At a constant V million requests a month Kafka costs 2,450,000 + 3 V
    and managed 18 V (above). The queue is context and the vendor covers 90% >= 80%, so the rule builds only
    when building saves at least 20% of the buy cost: 18 V - (2,450,000 + 3 V) >= 0.2 x 18 V, i.e.
    margin = 2,450,000 + 3 V - 0.8 x 18 V = 2,450,000 - 11.4 V <= 0, V >= 2,450,000 / 11.4 = 214,912.28
    (the cost tie is 2,450,000 / 15 = 163,333.33). At 200,000: 3,050,000 - 3,600,000 + 720,000 = 170,000.
    Build months m (volume 200,000): Kafka = 200,000 + 4 m e + 100,000 m + (36 - m) e = 1,700,000 + 225,000 m;
    margin = 1,700,000 + 225,000 m - 0.8 x 3,600,000 = 0 at m = 1,180,000 / 225,000 = 5.2444 months."""
    assert mq.headline["rule_margin_usd"] == pytest.approx(170_000)
    flips = mq.flips.set_index("input")
    assert flips.loc["volume_units_per_month", "flip_value"] == pytest.approx(2_450_000 / 11.4, rel=1e-6)
    assert flips.loc["kafka_on_bare_metal.build_months", "flip_value"] == pytest.approx(1_180_000 / 225_000, rel=1e-6)
    assert wb.bvb.rule_margin_usd(2_450_000 + 3 * 214_000, 18 * 214_000, is_core=False,
                                  vendor_coverage_share=0.9) > 0  # the 15-20% saving band: still buy
    assert analyse("message_queue", volume_units_per_month=214_000).headline["recommendation"] == "BUY (managed_queue)"
    assert analyse("message_queue", volume_units_per_month=215_000).headline["recommendation"] == \
        "BUILD (kafka_on_bare_metal)"
    words = wb.decisions(mq)[0].flips_when
    assert "20.0% of the buy cost ($720,000; now it saves $550,000)" in words
    assert "is above 214,912" in words and "below 5.2 months" in words and "judged core" in words
    assert "163,333" not in words
    # core: the rule is the cost tie, and so is the flip table
    core = analyse("message_queue", is_core=True)
    assert core.headline["rule_margin_usd"] == pytest.approx(-550_000)
    assert core.flips.set_index("input").loc["volume_units_per_month", "flip_value"] == pytest.approx(
        2_450_000 / 15, rel=1e-6)


def test_message_queue_present_value_against_numpy_financial(mq):
    """Monthly cash, end of month: Kafka pays 1,000,000 / 6 + 100,000 (interim) in months 1..6 plus the
    200,000 of hardware in month 1, then 41,666.67; managed pays 100,000 every month."""
    r = (1 + 0.08) ** (1 / 12) - 1
    kafka = [1_000_000 / 6 + 100_000 + 200_000] + [1_000_000 / 6 + 100_000] * 5 + [E] * 30
    managed = [100_000.0] * 36
    expected = npf.npv(r, [0.0] + kafka) - npf.npv(r, [0.0] + managed)
    assert mq.headline["build_minus_buy_present_value_usd"] == pytest.approx(expected, rel=1e-10)


def test_message_queue_48_months():
    """horizon_months 48: managed 48 x 100,000 = 4,800,000; Kafka 3,050,000 + 12 x 41,666.67 = 3,550,000."""
    a = analyse("message_queue", horizon_months=48)
    assert a.headline["tco_managed_queue_usd"] == pytest.approx(4_800_000)
    assert a.headline["tco_kafka_on_bare_metal_usd"] == pytest.approx(3_550_000)
    assert len(a.band) == 48 and a.curves["month"].max() == 48


# --------------------------------------------------------------------------------------------------
# logging (seed II.1)


def test_logging_tco_by_hand():
    """200 TB a month; the vendor charges 833.33/TB (166,666 a month, ~$2M/year).
    Vendor: integration 1 x 2 x e = 83,333.33; fee 50,000; interim 2 x 166,666 = 333,332; subscription
    34 x 166,666 = 5,666,644; security 34 x 2,000 = 68,000; exit 100,000. Total 6,301,309.33.
    Self-built: team 4 x 6 x e = 1,000,000; interim 6 x 166,666 = 999,996; infrastructure
    30 x (25,000 + 200 x 208.33) = 30 x 66,666 = 1,999,980 (~$800k/year); KTLO 3 x 30 x e = 3,750,000;
    security 0.5 x 30 x e = 625,000. Total 8,374,976. The vendor wins by 2,073,666.67."""
    a = analyse("logging")
    h = a.headline
    assert h["tco_logging_vendor_usd"] == pytest.approx(6_301_309.33, abs=0.01)
    assert h["tco_self_built_oss_usd"] == pytest.approx(8_374_976, abs=0.01)
    assert a.tco.loc["infrastructure", "self_built_oss"] == pytest.approx(1_999_980)
    assert a.tco.loc["maintenance", "self_built_oss"] == pytest.approx(3_750_000)
    assert h["cheapest_option"] == "logging_vendor"
    assert h["cheapest_saving_vs_runner_up_usd"] == pytest.approx(2_073_666.67, abs=0.01)
    assert h["recommendation"] == "BUY (logging_vendor)"


def test_logging_break_even_volume_by_hand():
    """At a constant V TB a month: self-built = 1,000,000 + 30 x 25,000 + 3,750,000 + 625,000
    + (6 x 833.33 + 30 x 208.33) V = 6,125,000 + 11,249.88 V; vendor = 83,333.33 + 50,000 + 68,000 + 100,000
    + 36 x 833.33 V = 301,333.33 + 29,999.88 V. V* = 5,823,666.67 / 18,750 = 310.60 TB a month: the self-built
    stack only pays off at 1.55x today's volume. At 200 TB it never catches up (no break-even month)."""
    h = analyse("logging").headline
    assert h["break_even_volume_tb_ingested_per_month"] == pytest.approx(5_823_666.6667 / 18_750, rel=1e-9)
    assert h["break_even_month"] is None


# --------------------------------------------------------------------------------------------------
# $50M/year analytics vendor with a 30% price hike (seed V.2)


def test_analytics_options_by_hand():
    """Vendor at the new price: 36 x 5,416,666.67 = 195,000,000.12.
    Internal platform: team 20 x 18 x e = 15,000,000; dual running while not live 18 x 7,916,666.67 =
    142,500,000.06; then 18 live months of infrastructure 18 x 2,000,000 = 36,000,000, KTLO 10 x 18 x e =
    7,500,000 and security 2 x 18 x e = 1,500,000. Total 202,500,000.06: the vendor wins by 7.5M."""
    a = analyse("analytics_price_hike")
    assert a.headline["tco_analytics_vendor_usd"] == pytest.approx(195_000_000.12, abs=0.01)
    assert a.headline["tco_internal_platform_usd"] == pytest.approx(202_500_000.06, abs=0.01)
    assert a.headline["build_minus_buy_usd"] == pytest.approx(7_500_000, abs=0.1)
    assert a.headline["recommendation"] == "BUY (analytics_vendor)"
    assert "volume_unit_per_month" not in a.headline  # flat prices: no volume figures


def test_analytics_price_hike_by_hand():
    """Renewal in month 12 at +30% ($65M/year = 5.4167M a month).
    Pay: 12 x 50/12 + 24 x 65/12 = 50 + 130 = 180M.
    Migrate: vendor 50 + 6 x 65/12 = 82.5M; new platform from month 1 36 x 30/12 = 90M; migration 15M:
    187.5M. Hybrid (half the spend moved in 12 months for 5M): vendor 50 + 24 x 65/12 x 0.5 = 115M; new
    36 x 15/12 = 45M; 5M: 165M. Best: hybrid, 15M less than paying.
    Migrate minus pay = 7.5M, the same as the options comparison (the 12 months at the old price take 15M
    off every strategy alike).
    Payback of a full migration: cumulative pay 50 + 5.4167 (m - 12), migrate 142.5 + 2.5 (m - 18):
    equal at m = 38.6, so month 39, beyond 36 months.
    Hike at which migrating ties with paying: pay = 50 + 100 (1 + h), migrate = 50 + 25 (1 + h) + 90 + 15;
    75 h = 30, h = 40%."""
    a = analyse("analytics_price_hike")
    s = a.sections["price_hike"]
    t = s["table"].set_index("strategy")
    assert t.loc["pay", "total_usd"] == pytest.approx(180e6)
    assert t.loc["migrate", "total_usd"] == pytest.approx(187.5e6)
    assert t.loc["hybrid", "total_usd"] == pytest.approx(165e6)
    assert a.headline["price_hike_best_strategy"] == "hybrid"
    assert a.headline["price_hike_best_saving_vs_pay_usd"] == pytest.approx(15e6)
    assert t.loc["migrate", "total_usd"] - t.loc["pay", "total_usd"] == pytest.approx(
        a.headline["build_minus_buy_usd"], abs=1.0)
    assert a.headline["price_hike_migrate_payback_month"] is None
    assert s["flip_hike"]["migrate"] == pytest.approx(0.40, abs=1e-9)
    assert analyse("analytics_price_hike", horizon_months=48).headline["price_hike_migrate_payback_month"] == 39


# --------------------------------------------------------------------------------------------------
# custom message queue claimed for latency (seed V.1)


def _growth_sum(first_month, last_month, v1=30_000.0, g=0.03):
    """sum_{m=a}^{b} v1 (1 + g)^(m - 1) = v1 ((1 + g)^b - (1 + g)^(a - 1)) / g (closed form)."""
    return v1 * ((1 + g) ** last_month - (1 + g) ** (first_month - 1)) / g


def test_custom_queue_tco_by_hand():
    """Volume v_m = 30,000 x 1.03^(m-1) million requests (84,400 in month 36: all in SQS's $0.40 tier).
    Custom queue: team 6 x 12 x e = 3,000,000; launch delay 12 x 150,000 = 1,800,000; maintenance tax
    4 x 3,000,000 / 60 = 200,000 a month x 24 live months = 4,800,000; security 0.5 x 24 x e = 500,000;
    infrastructure 24 x 30,000 + 0.05 x sum_{13..36} v_m = 720,000 + 0.05 x 1,472,517 = 793,626;
    exit 500,000. Total 11,393,626.
    SQS: integration 1 x 1 x e = 41,666.67; delay 150,000; requests 0.40 x sum_{2..36} (v_m - 1)
    = 0.40 x (1,868,278 - 35) = 747,297; security 35 x 1,000 = 35,000; exit 200,000. Total 1,173,964.
    Self-hosted Kafka: team 2 x 3 x e = 250,000; delay 450,000; infrastructure 33 x 20,000
    + 0.03 x sum_{4..36} v_m; KTLO 2 x 33 x e = 2,750,000; security 0.25 x 33 x e = 343,750."""
    a = analyse("custom_queue_latency")
    custom = 3_000_000 + 1_800_000 + 4_800_000 + 500_000 + 24 * 30_000 + 0.05 * _growth_sum(13, 36) + 500_000
    sqs = E + 150_000 + 0.40 * (_growth_sum(2, 36) - 35) + 35_000 + 200_000
    kafka = 250_000 + 450_000 + 33 * 20_000 + 0.03 * _growth_sum(4, 36) + 2_750_000 + 343_750
    assert custom == pytest.approx(11_393_626, abs=1)
    assert sqs == pytest.approx(1_173_964, abs=1)
    h = a.headline
    assert h["tco_custom_queue_usd"] == pytest.approx(custom, rel=1e-12)
    assert h["tco_sqs_usd"] == pytest.approx(sqs, rel=1e-12)
    assert h["tco_kafka_self_hosted_usd"] == pytest.approx(kafka, rel=1e-12)
    assert h["cheapest_option"] == "sqs"
    assert h["recommendation"] == "BUY (sqs)"
    assert h["probability_build_cheaper"] == 0.0


def test_tier_price_scale_matches_repriced_tiers():
    """The cost is linear in the tier prices: halving every SQS tier price through tier_price_scale = 0.5
    gives the same difference as a scenario whose tiers are halved."""
    p = load("custom_queue_latency")
    model = wb.make_model(p)
    halved = model(**{**wb.model_inputs(p), "sqs.tier_price_scale": 0.5})
    data = p.model_dump()
    sqs = next(o for o in data["options"] if o["name"] == "sqs")
    sqs["subscription_tiers"] = [{**t, "usd_per_unit": t["usd_per_unit"] / 2} for t in sqs["subscription_tiers"]]
    q = params.validate(wb.TOPIC, data, root=ROOT)
    assert halved == pytest.approx(wb.make_model(q)(**wb.model_inputs(q)), rel=1e-12)


# --------------------------------------------------------------------------------------------------
# invariants over every scenario file


SCENARIOS = sorted(f.stem for f in FOLDER.glob("*.yaml"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_invariants(name):
    a = analyse(name)
    p = a.params
    # the flat model at base reproduces the TCO table, and its cumulative form ends at the same figure
    base = wb.model_inputs(p)
    assert wb.make_model(p)(**base) == pytest.approx(a.build_minus_buy_usd, rel=1e-9, abs=1e-3)
    assert wb.make_model(p, cumulative=True)(**base)[-1] == pytest.approx(a.build_minus_buy_usd, rel=1e-9, abs=1e-3)
    # the tornado and the flip table are of the deciding figure: the margin to the rule's bar
    margin = a.build_minus_buy_usd + (p.material_saving_share * a.buy_total_usd
                                      if not p.is_core and p.vendor_coverage_share >= p.coverage_threshold else 0.0)
    assert a.headline["rule_margin_usd"] == pytest.approx(margin, rel=1e-9, abs=1e-3)
    assert a.tornado["base_output"].iloc[0] == pytest.approx(margin, rel=1e-9, abs=1e-3)
    # components add up to the total
    comps = a.tco.drop(index=["total", "present_value"])
    assert comps.sum().to_numpy() == pytest.approx(a.tco.loc["total"].to_numpy())
    # every flip value found puts the margin to the rule's bar at zero, where the verdict changes
    for _, r in a.flips.iterrows():
        if np.isfinite(r["flip_value"]):
            assert wb.make_rule_model(p)(**{**base, r["input"]: r["flip_value"]}) == pytest.approx(
                0.0, abs=1e-6 * max(a.build_total_usd, a.buy_total_usd))
    # the band is ordered and its JSON-able headline has no numpy types left after publishing
    assert (a.band["p10"] <= a.band["p50"]).all() and (a.band["p50"] <= a.band["p90"]).all()
    json.dumps({k: (v.item() if hasattr(v, "item") else v) for k, v in a.headline.items()})


@pytest.mark.parametrize("name", ["message_queue", "logging"])
def test_both_options_cost_the_same_at_the_break_even(name):
    a = analyse(name)
    unit = a.params.volume_unit
    at = analyse(name, volume_units_per_month=a.headline[f"break_even_volume_{unit}_per_month"])
    assert at.build_minus_buy_usd == pytest.approx(0.0, abs=1e-6 * at.buy_total_usd)


def test_present_value_basis():
    """decision_basis present_value compares discounted totals: the build-minus-buy figure is the PV one."""
    a = analyse("message_queue", decision_basis="present_value")
    assert a.headline["build_minus_buy_usd"] == pytest.approx(a.headline["build_minus_buy_present_value_usd"])
    assert "discount_rate_per_year" in a.tornado["input"].tolist()


def test_notebook_defaults_never_leak_into_a_scenario():
    """papermill runs a params file over the notebook's parameters cell, while params.load fills gaps with
    the schema's defaults. Every key whose notebook default differs from the schema's (or that the schema
    requires) must therefore be set in every scenario file, or the report and the tests see different
    scenarios."""
    nb = json.loads((ROOT / "notebooks" / "05_build_vs_buy.ipynb").read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    defaults = {}
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, ast.AnnAssign):
            defaults[node.target.id] = ast.literal_eval(node.value)
        elif isinstance(node, ast.Assign):
            defaults[node.targets[0].id] = ast.literal_eval(node.value)
    fields = wb.Params.model_fields
    assert set(defaults) - set(params.RUNTIME_KEYS) == set(fields)
    must_set = {k for k, f in fields.items()
                if f.is_required() or f.get_default(call_default_factory=True) != defaults[k]}
    for path in FOLDER.glob("*.yaml"):
        missing = must_set - set(params.read_yaml(path))
        assert not missing, f"{path.name} leaves {sorted(missing)} to the notebook's defaults"


# --------------------------------------------------------------------------------------------------
# bad input: one clear ScenarioError naming the key


@pytest.fixture
def raw():
    return params.read_yaml(FOLDER / "custom_queue_latency.yaml")


def _error(data):
    with pytest.raises(ScenarioError) as info:
        params.validate(wb.TOPIC, data, source="bad.yaml", root=ROOT)
    return str(info.value)


def test_negative_engineers(raw):
    raw["options"][0]["engineers"] = -6
    message = _error(raw)
    assert "key 'options[0].engineers' = -6" in message and "expected a number >= 0" in message


def test_tier_table_out_of_order(raw):
    tiers = raw["options"][1]["subscription_tiers"]
    tiers[1], tiers[2] = tiers[2], tiers[1]
    message = _error(raw)
    assert "key 'options[1].subscription_tiers'" in message and "ascending" in message


def test_open_ended_tier_not_last(raw):
    raw["options"][1]["subscription_tiers"][0]["up_to_units_per_month"] = None
    assert "options[1].subscription_tiers" in _error(raw)


@pytest.mark.parametrize("horizon", [0, -12])
def test_horizon_zero(raw, horizon):
    raw["horizon_months"] = horizon
    message = _error(raw)
    assert f"key 'horizon_months' = {horizon}" in message and ">= 1" in message


def test_unknown_keys(raw):
    raw["horizon_month"] = 36
    raw["options"][0]["enginers"] = 6
    message = _error(raw)
    assert "key 'horizon_month'" in message and "did you mean 'horizon_months'" in message
    assert "key 'options[0].enginers'" in message and "did you mean 'engineers'" in message


def test_qualitative_inputs_are_required(raw):
    del raw["is_core"]
    message = _error(raw)
    assert "key 'is_core'" in message and "required" in message


def test_other_bad_input(raw):
    bad = copy.deepcopy(raw)
    bad["build_option"] = "custom_queu"
    assert "build_option = 'custom_queu'" in _error(bad)
    bad = copy.deepcopy(raw)
    bad["sensitivity_ranges"] = {"custom_queue.enginers": [1, 2]}
    assert "unknown input 'custom_queue.enginers'" in _error(bad)
    bad = copy.deepcopy(raw)
    bad["options"][1]["subscription_usd_per_unit"] = 0.4
    assert "subscription_usd_per_unit = 0 when subscription_tiers is given" in _error(bad)
    bad = copy.deepcopy(raw)
    bad["vendor_coverage_share"] = 90
    assert "key 'vendor_coverage_share' = 90" in _error(bad)
