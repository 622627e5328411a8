"""Workbook 01's scenarios: the headline figures against arithmetic shown in each docstring."""

from pathlib import Path

import numpy as np
import pytest

from costlib import params
from costlib.workbooks import unit_economics as wb

ROOT = Path(__file__).resolve().parents[1]


def analyse(name: str) -> wb.Analysis:
    return wb.analyse(params.load(ROOT / "params" / "unit_economics" / f"{name}.yaml", ROOT))


def test_streaming_margin():
    """$10M a month over 100M streams = $0.10 a stream; price $0.12.
    Gross margin (0.12 - 0.10) / 0.12 = 0.16667; pricing floor at 20% = 0.10 / 0.8 = $0.125.
    At 10x volume: transcoding 0.5M + 2.0M x 10 = 20.5M; storage 1.2M + 0.3M x 10 = 4.2M;
    CDN 5M x 10^0.85 = 5M x 7.07946 = 35.3973M; API 0.1M + 0.7M x 10 = 7.1M; licenses 0.2M.
    Total 67.3973M, 6.73973x today's $10M: less than 10x, so sub-linear."""
    a = analyse("streaming_margin")
    h = a.headline
    assert h["cost_usd_per_stream"] == pytest.approx(0.10)
    assert h["gross_margin"] == pytest.approx(0.02 / 0.12)
    assert h["pricing_floor_usd_per_stream"] == pytest.approx(0.125)
    assert h["cost_multiplier_at_10x_volume"] == pytest.approx(6.739730, rel=1e-6)
    assert h["cost_scaling"] == "sub-linear"
    model = wb.make_model(a.params)
    at_target = model(**{**wb.model_inputs(a.params),
                         "volume_units_per_month": h["volume_for_target_margin_streams_per_month"]})
    assert at_target == pytest.approx(0.20, abs=1e-9)
    assert "**Below target: each stream earns less margin than the target.**" in a.recommendation


def test_budget_overrun_split():
    """Before: $650k over 800M requests = $0.0008125 a request. After: $1.02M over 1B = $0.00102.
    Volume effect = (1B - 0.8B) x 0.0008125 = $162,500; intensity = (0.00102 - 0.0008125) x 1B = $207,500;
    together the $370,000 change. Intensity is larger, so the review should look at efficiency."""
    h = analyse("budget_overrun_drivers").headline
    assert h["cost_change_usd_per_month"] == pytest.approx(370_000)
    assert h["volume_effect_usd_per_month"] == pytest.approx(162_500)
    assert h["intensity_effect_usd_per_month"] == pytest.approx(207_500)


def test_beta_break_even_volume():
    """Fixed $400k + $200k + $40k = $640k a month. Variable per transaction at 2M transactions:
    sync compute 100k / 2M = 0.05, storage 60k / 2M = 0.03, egress 0.05, license 0.05: $0.18.
    Break-even (target margin 0): 640k + 0.18 V = 0.30 V, V = 640k / 0.12 = 5,333,333 a month.
    Today: cost $1.0M / 2M = $0.50, margin (0.30 - 0.50) / 0.30 = -0.6667."""
    a = analyse("beta_negative_margin")
    h = a.headline
    assert "**Not viable as it stands: each transaction loses money.**" in a.recommendation
    assert h["cost_usd_per_transaction"] == pytest.approx(0.50)
    assert h["gross_margin"] == pytest.approx(-2 / 3)
    assert h["volume_for_target_margin_transactions_per_month"] == pytest.approx(640_000 / 0.12, rel=1e-6)


def test_small_objects_requests_exceed_storage():
    """5e9 objects x 1,000 B = 5,000 GB x $0.023 = $115 a month of storage.
    Requests: 500M / 1000 x $0.005 = $2,500 PUT + 2B / 1000 x $0.0004 = $800 GET: $3,300, 28.70x storage.
    Storage equals requests at 3,300 / (5e9 / 1e9 x 0.023) = 28,695.65 bytes per object."""
    h = analyse("small_object_requests").headline
    assert h["storage_usd_per_month"] == pytest.approx(115.0)
    assert h["request_usd_per_month"] == pytest.approx(3300.0)
    assert h["request_to_storage_cost_ratio"] == pytest.approx(3300 / 115)
    assert h["breakeven_object_size_bytes"] == pytest.approx(3300 / (5 * 0.023))


def test_chatty_cross_az():
    """300M transactions x 50 calls x 50,000 B = 7.5e14 B = 750,000 GB; 0.6667 of it crosses a zone and
    pays $0.01 out + $0.01 in: 750,000 x 0.6667 x 0.02 = $10,000.50. Zone-local routing (0.05 crossing)
    saves 750,000 x (0.6667 - 0.05) x 0.02 = $9,250.50.
    Egress of 200,000 GB: 10,000 x 0.09 + 40,000 x 0.085 + 100,000 x 0.07 + 50,000 x 0.05 = $13,800.
    NAT: 50,000 GB x 0.045 + 730 h x 0.045 = $2,282.85.
    Active-active over a 25% warm standby in 2 regions: 12,000 x (2 - 1) x (1 - 0.25) = $9,000 (the same
    replication traffic in both)."""
    h = analyse("chatty_cross_az").headline
    assert h["cross_az_chatter_usd_per_month"] == pytest.approx(10_000.5)
    assert h["zone_local_routing_saving_usd_per_month"] == pytest.approx(9_250.5)
    assert h["egress_usd_per_month"] == pytest.approx(13_800)
    assert h["nat_usd_per_month"] == pytest.approx(2_282.85)
    assert h["active_active_premium_usd_per_month"] == pytest.approx(9_000)


def test_launch_gate_blocks_one_percent_for_five_percent():
    """The seed's rule: cost per DAU may grow at most as fast as engagement. +5% > 1.0 x +1%: blocked."""
    a = analyse("launch_gate_cost_per_dau")
    assert a.headline["launch_gate"] == "blocked"
    assert "**Launch gate for the new ranking model: blocked.**" in a.recommendation


def test_tenant_tiers_flag_the_starter_tier():
    """Starter costs $5.00 and pays $4.00 (the seed's example); the free tier costs $0.80 and pays nothing.
    Weighted cost 0.8 x 60k + 5 x 25k + 12 x 12k + 90 x 3k = $587k over 100k tenants = $5.87 a tenant."""
    a = analyse("tenant_tier_pricing")
    assert a.headline["tiers_with_negative_unit_economics"] == 2
    assert set(a.sections["tenant_tiers"]["losing"]) == {"free", "starter"}
    assert a.headline["cost_usd_per_tenant"] == pytest.approx(5.87)


def test_recommendation_changes_with_the_numbers():
    """The same scenario priced at $0.15 clears the 20% target (cost $0.10: margin 33%)."""
    p = params.load(ROOT / "params" / "unit_economics" / "streaming_margin.yaml", ROOT)
    p.price_usd_per_unit = 0.15
    p.sensitivity_ranges = {}
    a = wb.analyse(p)
    assert a.headline["gross_margin"] == pytest.approx(1 / 3)
    assert "**Healthy at today's volume.**" in a.recommendation


def test_sensitivity_range_for_unknown_input_is_a_scenario_error():
    data = {"volume_units_per_month": 10, "price_usd_per_unit": 1,
            "components": [{"name": "compute", "category": "compute", "usd_per_month": 5}],
            "sensitivity_ranges": {"compute_cost": [1, 2]}}
    with pytest.raises(params.ScenarioError, match="unknown input 'compute_cost'"):
        params.validate("unit_economics", data)


def test_fixed_part_above_total_is_a_scenario_error():
    data = {"volume_units_per_month": 10, "price_usd_per_unit": 1,
            "components": [{"name": "compute", "category": "compute", "usd_per_month": 5,
                            "fixed_usd_per_month": 6}]}
    with pytest.raises(params.ScenarioError, match=r"key 'components\[0\]'.*fixed_usd_per_month \(6.00\) <= usd_per_month"):
        params.validate("unit_economics", data)


def test_egress_tiers_out_of_order_are_a_scenario_error():
    data = {"volume_units_per_month": 10, "price_usd_per_unit": 1,
            "components": [{"name": "compute", "category": "compute", "usd_per_month": 5}],
            "network": {"egress_tiers": [{"up_to_gb_per_month": 50_000, "usd_per_gb": 0.085},
                                         {"up_to_gb_per_month": 10_000, "usd_per_gb": 0.09},
                                         {"up_to_gb_per_month": None, "usd_per_gb": 0.05}]}}
    with pytest.raises(params.ScenarioError, match="key 'network'.*ascending order"):
        params.validate("unit_economics", data)


def test_whatif_at_base_values_reproduces_the_headline():
    """The sliders start at today's values, where the what-if figures equal the headline's."""
    a = analyse("streaming_margin")
    controls = wb.whatif_controls(a.params)
    figures = wb.whatif(a.params, **{k: v[3] for k, v in controls.items()})
    assert figures["cost_usd_per_stream"] == pytest.approx(a.headline["cost_usd_per_stream"])
    assert figures["gross_margin"] == pytest.approx(a.headline["gross_margin"])
    doubled = wb.whatif(a.params, price_usd_per_unit=0.24)  # cost 0.10: margin (0.24-0.10)/0.24
    assert doubled["gross_margin"] == pytest.approx(0.14 / 0.24)


def test_margin_band_and_probability_against_a_brute_force_resampling():
    """streaming_margin's P10/P90 gross margin and chance of meeting the 20% target, against a resampling
    written here: 200,000 fresh draws of every uncertain input from its triangle (low, base, high) by the
    inverse CDF F^-1(u) = a + sqrt(u (b - a)(c - a)) below the mode, b - sqrt((1 - u)(b - a)(b - c)) above,
    with uniforms from a different seed, each draw's margin from the workbook's model.

    Compared in probability, which needs no density: the share of fresh margins at or below the workbook's
    P10 is 0.10 up to sampling error. The workbook's P10 from n draws sits at a true quantile with standard
    deviation sqrt(q (1 - q) / n); the fresh share of m draws adds sqrt(q (1 - q) / m): tolerance five of
    sqrt(q (1 - q) (1 / n + 1 / m)) (n = 10,000, m = 200,000: 0.0154 at q = 0.1). The probability of
    meeting the target likewise, with its own p. A P20 reported as P10 is off by 0.10 and fails."""
    a = analyse("streaming_margin")
    p, h = a.params, a.headline
    n, m = p.monte_carlo_draws, 200_000
    ranges = wb.default_ranges(p)
    base = wb.model_inputs(p)
    rng = np.random.default_rng(20261203)
    drawn = {}
    for name, (low, high) in ranges.items():
        mode = base[name]
        u = rng.random(m)
        if high == low:
            drawn[name] = np.full(m, low)
            continue
        fc = (mode - low) / (high - low)
        drawn[name] = np.where(u < fc, low + np.sqrt(u * (high - low) * (mode - low)),
                               high - np.sqrt((1 - u) * (high - low) * (high - mode)))
    margins = np.asarray(wb.make_model(p)(**{**base, **{k: v[:, None] for k, v in drawn.items()}})).ravel()
    assert margins.shape == (m,)

    def tol(q):
        return 5 * np.sqrt(q * (1 - q) * (1 / n + 1 / m))

    assert abs(np.mean(margins <= h["gross_margin_p10"]) - 0.10) < tol(0.10)
    assert abs(np.mean(margins <= h["gross_margin_p90"]) - 0.90) < tol(0.90)
    meets = np.mean(margins >= p.target_gross_margin)
    assert 0.02 < meets < 0.98  # a figure with something to check
    assert abs(a.probability_meets_target - meets) < tol(meets)
