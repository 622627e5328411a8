"""Tests for costlib.unit_economics.

Every expected number is derived in the test's docstring (arithmetic or a closed form) or taken from the
seed ("Cost Model Fundamentals", sections I and VI.5). Cloud list prices used as inputs (S3 Standard
$0.023/GB-month, $0.005 per 1,000 PUT, $0.0004 per 1,000 GET; $0.01/GB each way across AZs; NAT $0.045/h
and $0.045/GB) are example inputs: the expected values follow from them by the arithmetic shown, so the
tests do not depend on the prices being current.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from costlib import unit_economics as ue
from costlib.errors import ModelError

finite = dict(allow_nan=False, allow_infinity=False)


# ----------------------------------------------------------------------------------------------------
# 1. cost per unit, margins, pricing floor
# ----------------------------------------------------------------------------------------------------

def test_seed_cost_and_revenue_per_stream():
    """Seed I.1: $10M infrastructure and $100M revenue a month, $0.10 per stream.

    Units = 10M / 0.10 = 100M streams. Revenue per stream = 100M / 100M = $1.00.
    Gross margin on infrastructure = (1.00 - 0.10) / 1.00 = 0.90.
    """
    assert ue.cost_per_unit(10e6, 100e6) == pytest.approx(0.10)
    assert ue.revenue_per_unit(100e6, 100e6) == pytest.approx(1.00)
    assert ue.gross_margin(1.00, 0.10) == pytest.approx(0.90)
    assert ue.margin_per_unit(1.00, 0.10) == pytest.approx(0.90)


def test_pricing_floor_streaming_20_percent_target():
    """DESIGN catalogue: cost per stream with a 20% gross-margin target.

    Floor = 0.10 / (1 - 0.20) = 0.125. Check: (0.125 - 0.10) / 0.125 = 0.025 / 0.125 = 0.20.
    With no target the floor is the cost itself, 0.10.
    """
    floor = ue.pricing_floor(0.10, 0.20)
    assert floor == pytest.approx(0.125)
    assert ue.gross_margin(floor, 0.10) == pytest.approx(0.20)
    assert ue.pricing_floor(0.10) == pytest.approx(0.10)


def test_beta_product_negative_margin():
    """DESIGN catalogue: beta product at $0.50 cost vs $0.30 price per transaction.

    Margin = 0.30 - 0.50 = -0.20 per transaction; gross margin = -0.20 / 0.30 = -0.6667.
    Break-even price = 0.50 / (1 - 0) = 0.50.
    """
    assert ue.margin_per_unit(0.30, 0.50) == pytest.approx(-0.20)
    assert ue.gross_margin(0.30, 0.50) == pytest.approx(-2 / 3)
    assert ue.pricing_floor(0.50, 0.0) == pytest.approx(0.50)


def test_scalar_functions_broadcast_over_sample_columns():
    """Samples of shape (n, 1) give results of shape (n, 1): 10/[1, 2, 4] = [10, 5, 2.5]."""
    out = ue.cost_per_unit(10.0, np.array([[1.0], [2.0], [4.0]]))
    assert out.shape == (3, 1)
    np.testing.assert_allclose(out.ravel(), [10.0, 5.0, 2.5])
    assert isinstance(ue.cost_per_unit(10.0, 4.0), float)


def test_cost_breakdown_by_component():
    """Components $6M compute, $2M storage, $1M egress, $0.5M cross-AZ, $0.5M people = $10M; 100M units.

    Per unit: 0.06, 0.02, 0.01, 0.005, 0.005 (sum 0.10). Shares: 0.6, 0.2, 0.1, 0.05, 0.05.
    At a $0.125 price, compute takes 0.06 / 0.125 = 0.48 of the price.
    """
    costs = {"compute": 6e6, "storage": 2e6, "egress": 1e6, "cross_az": 0.5e6, "people": 0.5e6}
    t = ue.cost_breakdown(costs, 100e6, price_usd_per_unit=0.125)
    assert list(t["component"]) == list(costs)
    np.testing.assert_allclose(t["cost_usd_per_unit"], [0.06, 0.02, 0.01, 0.005, 0.005])
    np.testing.assert_allclose(t["share_of_cost"], [0.6, 0.2, 0.1, 0.05, 0.05])
    assert t["cost_usd_per_unit"].sum() == pytest.approx(0.10)
    assert t.loc[0, "share_of_price"] == pytest.approx(0.48)
    assert "share_of_price" not in ue.cost_breakdown(costs, 100e6).columns


@given(
    costs=st.lists(st.floats(0, 1e9, **finite), min_size=1, max_size=8),
    volume=st.floats(1e-3, 1e12, **finite),
)
def test_property_breakdown_components_sum_to_total(costs, volume):
    """Components sum to the total; shares sum to 1; cost per unit x volume = cost."""
    assume(sum(costs) > 0)
    t = ue.cost_breakdown({f"c{i}": c for i, c in enumerate(costs)}, volume)
    assert t["cost_usd_per_month"].sum() == pytest.approx(math.fsum(costs), rel=1e-12)
    assert t["share_of_cost"].sum() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(t["cost_usd_per_unit"] * volume, t["cost_usd_per_month"], rtol=1e-12, atol=1e-9)


@given(cost=st.floats(0, 1e12, **finite), volume=st.floats(1e-6, 1e12, **finite))
def test_property_cost_per_unit_times_volume_is_total(cost, volume):
    """cost_per_unit(C, V) * V == C (to float rounding)."""
    assert ue.cost_per_unit(cost, volume) * volume == pytest.approx(cost, rel=1e-12, abs=1e-9)


# ----------------------------------------------------------------------------------------------------
# 2. scaling laws and elasticity
# ----------------------------------------------------------------------------------------------------

def test_seed_ten_x_users_four_x_cost_is_sub_linear():
    """Seed I.2: "10x Users = 4x Cost". Elasticity = ln 4 / ln 10 = log10(4) = 0.60206 < 0.95: sub-linear.

    And 10x users for 10x cost: ln 10 / ln 10 = 1: linear.
    """
    e = ue.arc_elasticity(1e6, 4e6, 1e6, 10e6)
    assert e == pytest.approx(math.log10(4))
    assert e == pytest.approx(0.60206, abs=1e-5)
    assert ue.classify_scaling(e) == "sub-linear"
    assert ue.classify_scaling(ue.arc_elasticity(1.0, 10.0, 1.0, 10.0)) == "linear"


def test_classify_scaling_band():
    """Tolerance 0.05: below 0.95 sub-linear, 0.95..1.05 linear, above 1.05 super-linear; NaN undefined."""
    got = ue.classify_scaling([0.94, 0.95, 1.0, 1.05, 1.06, float("nan")]).tolist()
    assert got == ["sub-linear", "linear", "linear", "linear", "super-linear", "undefined"]
    assert ue.classify_scaling(1.04, tolerance=0.0) == "super-linear"


def test_calibrate_k_and_component_cost():
    """Cache: $3,000/month at 1M users, $1,000 of it fixed, b = 0.5.

    k = (3000 - 1000) / sqrt(1e6) = 2000 / 1000 = 2. At 4M users: 1000 + 2 * 2000 = 5000.
    Linear: $2,000 at 1M units, b = 1 -> k = 0.002.
    """
    k = ue.calibrate_k(3000.0, 1e6, 0.5, fixed_usd_per_month=1000.0)
    assert k == pytest.approx(2.0)
    assert ue.component_cost(1e6, 1000.0, k, 0.5) == pytest.approx(3000.0)
    assert ue.component_cost(4e6, 1000.0, k, 0.5) == pytest.approx(5000.0)
    assert ue.calibrate_k(2000.0, 1e6, 1.0) == pytest.approx(0.002)


def test_seed_cache_growth_2_5x_over_10x_gives_exponent():
    """Seed I.2: caching layer grows ~2-3x when users grow 10x. A pure power law growing 2.5x has
    b = ln 2.5 / ln 10 = 0.39794; its arc elasticity over any range equals b.
    """
    b = math.log(2.5) / math.log(10)
    t = ue.scaling_totals({"cache": {"k": 7.0, "b": b}}, 1e6)
    assert t.loc[t["multiplier"] == 10, "cost_multiplier"].item() == pytest.approx(2.5)
    np.testing.assert_allclose(t["arc_elasticity"].iloc[1:], b)
    np.testing.assert_allclose(t["point_elasticity"], b)


def test_fixed_cost_makes_linear_component_sub_linear():
    """F = $1,000, k = 0.001, b = 1. At 1M: 1000 + 1000 = 2000. At 10M: 1000 + 10000 = 11000.
    Arc elasticity = ln(11000 / 2000) / ln 10 = ln 5.5 / ln 10 = 0.74036: sub-linear.
    Point elasticity at 1M = b * kV / C = 1000 / 2000 = 0.5.
    """
    comps = {"api": {"fixed_usd_per_month": 1000.0, "k": 0.001, "b": 1.0}}
    t = ue.scaling_totals(comps, 1e6)
    row = t[t["multiplier"] == 10].iloc[0]
    assert row["cost_usd_per_month"] == pytest.approx(11000.0)
    assert row["arc_elasticity"] == pytest.approx(math.log(5.5) / math.log(10))
    assert row["arc_elasticity"] == pytest.approx(0.74036, abs=1e-5)
    assert row["scaling"] == "sub-linear"
    assert ue.point_elasticity(comps, 1e6) == pytest.approx(0.5)


def test_scaling_projection_is_tidy_and_sums_to_totals():
    """Default multipliers 1..10, two components -> 20 rows. Frontend $0.002/user linear, cache
    1000 + 2 sqrt(V). At 10x (10M users): frontend 20,000; cache 1000 + 2 * 3162.2777 = 7324.555;
    total 27,324.555, per user 0.0027324555.
    """
    comps = {"frontend": {"k": 0.002}, "cache": {"fixed_usd_per_month": 1000.0, "k": 2.0, "b": 0.5}}
    p = ue.scaling_projection(comps, 1e6)
    assert len(p) == 20
    assert list(p.columns) == ["multiplier", "volume_units_per_month", "component", "cost_usd_per_month",
                               "cost_usd_per_unit"]
    at10 = p[p["multiplier"] == 10].set_index("component")["cost_usd_per_month"]
    assert at10["frontend"] == pytest.approx(20000.0)
    assert at10["cache"] == pytest.approx(1000 + 2 * math.sqrt(1e7))
    t = ue.scaling_totals(comps, 1e6)
    assert t.loc[t["multiplier"] == 10, "cost_usd_per_unit"].item() == pytest.approx(0.0027324555)
    sums = p.groupby("multiplier", sort=True)["cost_usd_per_month"].sum().to_numpy()
    np.testing.assert_allclose(sums, t["cost_usd_per_month"], rtol=1e-12, atol=1e-9)


def test_components_accept_dataframe():
    """The same spec as a DataFrame gives the same totals: at 1M, 2000 + 3000 = 5000."""
    df = pd.DataFrame({"component": ["frontend", "cache"], "fixed_usd_per_month": [0.0, 1000.0],
                       "k": [0.002, 2.0], "b": [1.0, 0.5]})
    assert ue.scaling_totals(df, 1e6, multipliers=[1])["cost_usd_per_month"].item() == pytest.approx(5000.0)


component_spec = st.tuples(
    st.floats(0, 1e4, **finite),      # fixed
    st.floats(1e-3, 1e3, **finite),   # k
    st.floats(0.1, 2.0, **finite),    # b
)


@settings(max_examples=200)
@given(
    comps=st.lists(component_spec, min_size=1, max_size=5),
    v1=st.floats(1.0, 1e6, **finite),
    ratio=st.floats(1.01, 100.0, **finite),
    tol=st.floats(0.0, 0.2, **finite),
)
def test_property_classification_agrees_with_exponents(comps, v1, ratio, tol):
    """Property: the elasticity (point or arc) is a cost-weighted mean of the exponents, a fixed cost
    counting as exponent 0. So with E = {b_i} plus {0 if any fixed cost > 0}, it lies in [min E, max E],
    and:

    - every b_i < 1 - tol (fixed costs or not) => "sub-linear";
    - every b_i > 1 + tol and no fixed cost => "super-linear";
    - every b_i within [1 - tol, 1 + tol] and no fixed cost => "linear".

    Outside these cases the label depends on the cost weights (e.g. all b = 1 plus a fixed cost is
    sub-linear only once the fixed share exceeds tol), so the property asserts only the bounds.
    """
    spec = {f"c{i}": {"fixed_usd_per_month": f, "k": k, "b": b} for i, (f, k, b) in enumerate(comps)}
    exps = [b for _, _, b in comps] + ([0.0] if any(f > 0 for f, _, _ in comps) else [])
    lo, hi = min(exps), max(exps)
    v2 = v1 * ratio
    point = ue.point_elasticity(spec, v1)
    t = ue.scaling_totals(spec, v1, multipliers=[1.0, ratio])
    arc = t["arc_elasticity"].iloc[1]
    c1, c2 = t["cost_usd_per_month"]
    assert arc == pytest.approx(ue.arc_elasticity(c1, c2, v1, v2), rel=1e-9)
    eps = 1e-9
    for e in (point, arc):
        assert lo - eps <= e <= hi + eps
        label = ue.classify_scaling(e, tolerance=tol)
        if hi < 1 - tol - eps:
            assert label == "sub-linear"
        elif lo > 1 + tol + eps:
            assert label == "super-linear"
        elif lo >= 1 - tol + eps and hi <= 1 + tol - eps:
            assert label == "linear"


# ----------------------------------------------------------------------------------------------------
# 3. hidden network costs
# ----------------------------------------------------------------------------------------------------

AWS_LIKE_TIERS = [(10_000, 0.09), (50_000, 0.085), (150_000, 0.07), (None, 0.05)]


def test_tiered_egress_graduated():
    """Graduated tiers shaped like AWS's published internet egress tiers (first 10 TB, next 40 TB,
    next 100 TB, over 150 TB), bounds here in decimal GB.

    60,000 GB: 10,000 * 0.09 + 40,000 * 0.085 + 10,000 * 0.07 = 900 + 3,400 + 700 = 5,000.
    200,000 GB: 900 + 3,400 + 100,000 * 0.07 + 50,000 * 0.05 = 900 + 3,400 + 7,000 + 2,500 = 13,800.
    At exactly 10,000 GB: 900. At 0: 0.
    """
    got = ue.tiered_egress_cost(np.array([0.0, 10_000.0, 60_000.0, 200_000.0]), AWS_LIKE_TIERS)
    np.testing.assert_allclose(got, [0.0, 900.0, 5000.0, 13800.0])


def test_tiered_egress_free_tier_and_yaml_lists():
    """100 GB free, then $0.09: 1,100 GB -> 1,000 * 0.09 = 90. Tiers given as lists (as read from YAML)."""
    assert ue.tiered_egress_cost(1_100, [[100, 0.0], [None, 0.09]]) == pytest.approx(90.0)


def test_tiered_egress_finite_last_tier():
    """A finite last bound caps the volume: 5,000 GB at (10,000, 0.09) = 450; 10,001 GB is an error."""
    assert ue.tiered_egress_cost(5_000, [(10_000, 0.09)]) == pytest.approx(450.0)
    with pytest.raises(ModelError, match="egress_gb_per_month"):
        ue.tiered_egress_cost(10_001, [(10_000, 0.09)])


tier_lists = st.lists(
    st.tuples(st.floats(1.0, 1e6, **finite), st.floats(0.0, 0.2, **finite)), min_size=1, max_size=5,
).map(lambda ts: sorted(ts)).filter(lambda ts: len({u for u, _ in ts}) == len(ts))


@given(tiers=tier_lists, last_price=st.floats(0.0, 0.2, **finite), x=st.floats(0, 2e6, **finite),
       y=st.floats(0, 2e6, **finite))
def test_property_tiered_egress_monotone(tiers, last_price, x, y):
    """Prices are >= 0, so more GB never costs less: x <= y => cost(x) <= cost(y)."""
    spec = tiers + [(None, last_price)]
    lo, hi = sorted((x, y))
    assert ue.tiered_egress_cost(lo, spec) <= ue.tiered_egress_cost(hi, spec) + 1e-9


@given(tiers=tier_lists, last_price=st.floats(0.0, 0.2, **finite), d=st.floats(1e-6, 0.5, **finite))
def test_property_tiered_egress_continuous_at_edges(tiers, last_price, d):
    """At each bound U, the bill is continuous: cost(U - d) and cost(U + d) are within d * max price of
    cost(U) (the slope is at most the highest tier price), and the marginal price just below U is the
    tier's own price."""
    spec = tiers + [(None, last_price)]
    pmax = max(p for _, p in spec)
    prev = 0.0
    for (u, price) in tiers:
        at = ue.tiered_egress_cost(u, spec)
        below = ue.tiered_egress_cost(u - d, spec)
        above = ue.tiered_egress_cost(u + d, spec)
        assert abs(at - below) <= d * pmax + 1e-9
        assert abs(above - at) <= d * pmax + 1e-9
        if u - prev > 2 * d:  # u - d still inside this tier
            assert (at - below) == pytest.approx(price * d, rel=1e-6, abs=1e-9)
        prev = u


def test_cross_az_charged_each_direction():
    """AWS: $0.01/GB out + $0.01/GB in = $0.02 per GB crossing. 1,000 GB -> $20."""
    assert ue.cross_az_transfer_cost(1_000, 0.01, 0.01) == pytest.approx(20.0)


def test_nat_gateway():
    """Three gateways (one per AZ) at $0.045/h for 730 h: 3 * 0.045 * 730 = 98.55; 10,000 GB at
    $0.045/GB: 450. Total 548.55."""
    assert ue.nat_gateway_cost(10_000, 0.045, 0.045, gateways=3) == pytest.approx(548.55)


def test_chatty_service_and_zone_local_saving():
    """Three AZs, random placement: share crossing = 1 - 1/3 = 2/3.
    1e9 transactions x 20 calls x 5,000 bytes = 1e14 bytes = 100,000 GB; crossing 66,666.67 GB;
    at $0.02/GB both directions = $1,333.33. Zone-local routing leaving 5% crossing: 5,000 GB -> $100.
    Saving = 1,333.33 - 100 = 1,233.33.
    """
    share = ue.random_placement_crossing_share(3)
    assert share == pytest.approx(2 / 3)
    cost = ue.chatty_service_cost(1e9, 20, 5_000, share, 0.01, 0.01)
    assert cost == pytest.approx(100_000 * 2 / 3 * 0.02)
    local = ue.chatty_service_cost(1e9, 20, 5_000, 0.05, 0.01, 0.01)
    assert local == pytest.approx(100.0)
    saving = ue.zone_local_routing_saving(1e9, 20, 5_000, share, 0.05, 0.01, 0.01)
    assert saving == pytest.approx(cost - local)
    assert saving == pytest.approx(1233.3333, rel=1e-7)


# ----------------------------------------------------------------------------------------------------
# 4. small-object storage
# ----------------------------------------------------------------------------------------------------

def test_seed_small_objects_requests_exceed_storage():
    """Seed I.4: millions of 1 KB files. 10M objects of 1,000 bytes = 1e10 bytes = 10 GB;
    at $0.023/GB-month -> $0.23. 10M PUTs at $0.005/1,000 = $50; 100M GETs at $0.0004/1,000 = $40.
    Requests $90 vs storage $0.23.

    Break-even size = 1e9 * 90 / (0.023 * 1e7) = 9e10 / 2.3e5 = 391,304.35 bytes (about 391 kB).
    """
    c = ue.storage_vs_request_cost(1e7, 1_000, 0.023, 1e7, 1e8, 0.005, 0.0004)
    assert c["storage_usd_per_month"] == pytest.approx(0.23)
    assert c["request_usd_per_month"] == pytest.approx(90.0)
    assert c["total_usd_per_month"] == pytest.approx(90.23)
    size = ue.request_breakeven_object_size(1e7, 0.023, 1e7, 1e8, 0.005, 0.0004)
    assert size == pytest.approx(9e10 / 2.3e5)
    at = ue.storage_vs_request_cost(1e7, size, 0.023, 1e7, 1e8, 0.005, 0.0004)
    assert at["storage_usd_per_month"] == pytest.approx(at["request_usd_per_month"])


# ----------------------------------------------------------------------------------------------------
# 5. active-active vs active-passive
# ----------------------------------------------------------------------------------------------------

def test_redundancy_three_regions():
    """3 regions, $50k full capacity, warm standby 20%, 10,000 GB replicated to each other region at
    $0.02/GB. Replication: 2 * 10,000 * 0.02 = $400 in both.
    Active-active: 3 * 50,000 + 400 = 150,400. Active-passive: 50,000 * (1 + 2 * 0.2) + 400 = 70,400.
    Premium: 80,000 = 50,000 * 2 * (1 - 0.2).
    """
    t = ue.redundancy_comparison(50_000, 0.2, regions=3, replicated_gb_per_month=10_000,
                                 inter_region_usd_per_gb=0.02)
    assert t.loc["active-active", "total_usd_per_month"] == pytest.approx(150_400)
    assert t.loc["active-passive", "total_usd_per_month"] == pytest.approx(70_400)
    assert t.loc["active-active", "replication_usd_per_month"] == pytest.approx(400)
    assert t.loc["active-active", "premium_usd_per_month"] == pytest.approx(80_000)
    assert ue.active_active_premium(50_000, 0.2, regions=3, replicated_gb_per_month=10_000,
                                    inter_region_usd_per_gb=0.02) == pytest.approx(80_000)


def test_redundancy_hot_standby_and_extra_replication():
    """Hot standby (fraction 1) costs the same capacity as active-active: premium 0. If active-passive
    replicates only 2,000 GB instead of 10,000 (2 regions, $0.02): premium = (10,000 - 2,000) * 0.02 = 160.
    """
    assert ue.active_active_premium(50_000, 1.0, replicated_gb_per_month=10_000,
                                    inter_region_usd_per_gb=0.02) == pytest.approx(0.0)
    assert ue.active_active_premium(50_000, 1.0, replicated_gb_per_month=10_000, inter_region_usd_per_gb=0.02,
                                    passive_replicated_gb_per_month=2_000) == pytest.approx(160.0)


# ----------------------------------------------------------------------------------------------------
# 6. tiers
# ----------------------------------------------------------------------------------------------------

def test_seed_five_dollar_cost_four_dollar_tier_flagged():
    """Seed VI.5: a tier costing $5/month to host that pays $4/month. Margin -1, gross margin -0.25,
    flagged. With 1,000 tenants: -$1,000/month. A free tier (price 0, cost $0.50) has no gross margin
    (NaN) and is flagged; pro at $20 for $12 cost: margin 8, gross margin 0.4, 100 tenants -> $800.
    """
    t = ue.tier_unit_economics(pd.DataFrame({
        "tier": ["free", "basic", "pro"],
        "cost_usd_per_tenant_month": [0.5, 5.0, 12.0],
        "price_usd_per_tenant_month": [0.0, 4.0, 20.0],
        "tenants": [10_000, 1_000, 100],
    })).set_index("tier")
    assert t.loc["basic", "margin_usd_per_tenant_month"] == pytest.approx(-1.0)
    assert t.loc["basic", "gross_margin"] == pytest.approx(-0.25)
    assert t.loc["basic", "margin_usd_per_month"] == pytest.approx(-1000.0)
    assert np.isnan(t.loc["free", "gross_margin"])
    assert t.loc["pro", "gross_margin"] == pytest.approx(0.4)
    assert t.loc["pro", "margin_usd_per_month"] == pytest.approx(800.0)
    assert t["negative_unit_economics"].tolist() == [True, True, False]


# ----------------------------------------------------------------------------------------------------
# 7. launch gate
# ----------------------------------------------------------------------------------------------------

def test_seed_launch_gate_blocks_one_percent_for_five_percent():
    """Seed I.1: +1% engagement, +5% cost per DAU -> blocked (0.05 > 1.0 * 0.01)."""
    r = ue.efficiency_launch_gate(0.01, 0.05)
    assert not r.passed
    assert r.verdict == "blocked"
    assert r.allowed_cost_per_dau_increase == pytest.approx(0.01)
    assert "blocked" in r.reason and "+5.00%" in r.reason and "+1.00%" in r.reason


def test_launch_gate_rule():
    """+5% engagement, +3% cost: 0.03 <= 0.05 passes; with max_ratio 0.5 the allowance is 0.025 ->
    blocked; equal growth (+2%, +2%) passes (<=); a cost cut with no engagement change passes."""
    assert ue.efficiency_launch_gate(0.05, 0.03).passed
    assert not ue.efficiency_launch_gate(0.05, 0.03, max_ratio=0.5).passed
    assert ue.efficiency_launch_gate(0.02, 0.02).passed
    assert ue.efficiency_launch_gate(0.0, -0.10).verdict == "pass"


# ----------------------------------------------------------------------------------------------------
# 8. cost change drivers
# ----------------------------------------------------------------------------------------------------

def test_budget_overrun_volume_vs_intensity():
    """Jan $1.0M for 100M requests ($0.01 each); Feb $1.5M for 120M requests ($0.0125 each).
    Volume effect = (120M - 100M) * 0.01 = $200k. Intensity = (0.0125 - 0.01) * 120M = $300k.
    Total 200k + 300k = 500k = 1.5M - 1.0M.
    """
    d = ue.cost_change_drivers(1.0e6, 1.5e6, 100e6, 120e6)
    assert d["volume_effect_usd_per_month"] == pytest.approx(200_000)
    assert d["intensity_effect_usd_per_month"] == pytest.approx(300_000)
    assert d["total_change_usd_per_month"] == pytest.approx(500_000)
    assert d["cost_after_usd_per_unit"] == pytest.approx(0.0125)


def test_drivers_by_component_with_new_component():
    """Volume 1M -> 1.25M. compute 80k -> 100k: volume 0.25 * 80k = 20k, intensity 0.
    storage 20k -> 20k: volume 5k, intensity -5k (cost per unit fell from 0.02 to 0.016).
    gpu new at 30k: volume 0, intensity 30k. Totals: change 50k = volume 25k + intensity 25k, the same as
    the aggregate split of 100k -> 150k: volume 0.25M * 0.1 = 25k, intensity (0.12 - 0.1) * 1.25M = 25k.
    """
    t = ue.cost_change_drivers_by_component({"compute": 80_000, "storage": 20_000},
                                            {"compute": 100_000, "storage": 20_000, "gpu": 30_000},
                                            1e6, 1.25e6).set_index("component")
    np.testing.assert_allclose(t["volume_effect_usd_per_month"], [20_000, 5_000, 0])
    np.testing.assert_allclose(t["intensity_effect_usd_per_month"], [0, -5_000, 30_000], atol=1e-9)
    agg = ue.cost_change_drivers(100_000, 150_000, 1e6, 1.25e6)
    assert t["volume_effect_usd_per_month"].sum() == pytest.approx(agg["volume_effect_usd_per_month"])
    assert t["intensity_effect_usd_per_month"].sum() == pytest.approx(agg["intensity_effect_usd_per_month"])


@given(c1=st.floats(0, 1e9, **finite), c2=st.floats(0, 1e9, **finite),
       v1=st.floats(1e-3, 1e9, **finite), v2=st.floats(1e-3, 1e9, **finite))
def test_property_volume_plus_intensity_is_total(c1, c2, v1, v2):
    """volume_effect + intensity_effect == C2 - C1, to float rounding of the largest term."""
    d = ue.cost_change_drivers(c1, c2, v1, v2)
    scale = max(c1, c2, abs(d["volume_effect_usd_per_month"]), 1.0)
    assert d["volume_effect_usd_per_month"] + d["intensity_effect_usd_per_month"] == pytest.approx(
        c2 - c1, abs=1e-9 * scale)


# ----------------------------------------------------------------------------------------------------
# model function for costlib.uncertainty
# ----------------------------------------------------------------------------------------------------

MODEL = dict(compute_k=0.06, platform_fixed_usd_per_month=2e6)


def test_unit_economics_model_scalar_and_goal():
    """Cost = 0.06 V + 2M. At V = 100M: 8M, $0.08/unit; at $0.125 gross margin = 0.045 / 0.125 = 0.36.
    Volume for a 20% margin: 0.125 - 0.06 - 2M/V = 0.2 * 0.125 = 0.025 -> 2M / V = 0.04 -> V = 50M.
    """
    assert ue.unit_economics_model(100e6, 0.125, **MODEL) == pytest.approx(0.36)
    assert ue.unit_economics_model(50e6, 0.125, **MODEL) == pytest.approx(0.20)
    allout = ue.unit_economics_model(100e6, 0.125, output="all", **MODEL)
    assert allout["cost_usd_per_month"] == pytest.approx(8e6)
    assert allout["cost_usd_per_unit"] == pytest.approx(0.08)
    assert allout["margin_usd_per_month"] == pytest.approx(12.5e6 - 8e6)


def test_unit_economics_model_sub_linear_component():
    """cache: F 1000, k 2, b 0.5; frontend k 0.002. At 4M units the cost is 8000 + 5000 = 13,000,
    $0.00325/unit, matching scaling_totals."""
    kw = dict(frontend_k=0.002, cache_fixed_usd_per_month=1000.0, cache_k=2.0, cache_b=0.5)
    assert ue.unit_economics_model(4e6, 0.01, output="cost_usd_per_unit", **kw) == pytest.approx(0.00325)


@given(vols=st.lists(st.floats(1e3, 1e10, **finite), min_size=1, max_size=20),
       price=st.floats(1e-3, 10.0, **finite))
def test_property_model_vectorized_matches_scalar(vols, price):
    """Samples of shape (n, 1) give the same figures as n scalar calls, and cost per unit x volume equals
    total cost."""
    v = np.array(vols)[:, None]
    gm = ue.unit_economics_model(v, price, **MODEL)
    assert gm.shape == (len(vols), 1)
    np.testing.assert_allclose(gm.ravel(), [ue.unit_economics_model(x, price, **MODEL) for x in vols])
    out = ue.unit_economics_model(v, price, output="all", **MODEL)
    np.testing.assert_allclose(out["cost_usd_per_unit"] * v, out["cost_usd_per_month"], rtol=1e-12, atol=1e-9)


# ----------------------------------------------------------------------------------------------------
# bad arguments
# ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: ue.cost_per_unit(100.0, 0.0), "volume_units_per_month"),
    (lambda: ue.cost_per_unit(100.0, -5.0), "volume_units_per_month"),
    (lambda: ue.cost_per_unit(-1.0, 5.0), "cost_usd_per_month"),
    (lambda: ue.cost_breakdown({"compute": 1.0}, 0), "volume_units_per_month"),
    (lambda: ue.cost_breakdown({}, 10), "component_costs_usd_per_month"),
    (lambda: ue.cost_breakdown({"compute": -1.0}, 10), "component_costs_usd_per_month['compute']"),
    (lambda: ue.gross_margin(0.0, 1.0), "price_usd_per_unit"),
    (lambda: ue.pricing_floor(0.1, 1.0), "target_gross_margin"),
    (lambda: ue.component_cost(-1.0, 0.0, 1.0, 1.0), "volume_units_per_month"),
    (lambda: ue.calibrate_k(500.0, 1e6, 1.0, fixed_usd_per_month=1000.0), "baseline_cost_usd_per_month"),
    (lambda: ue.scaling_totals({"c": {"k": 1.0}}, -1e6), "baseline_volume_units_per_month"),
    (lambda: ue.scaling_totals({"c": {"k": 1.0, "bb": 2}}, 1e6), "components['c']"),
    (lambda: ue.scaling_projection({"c": {"k": -1.0}}, 1e6), "components['c'].k"),
    (lambda: ue.scaling_projection({"c": {"b": 0.5}}, 1e6), "components['c']"),
    (lambda: ue.scaling_projection({"c": {"k": 1.0}}, 1e6, multipliers=[1, 0]), "multipliers"),
    (lambda: ue.arc_elasticity(1.0, 2.0, 5.0, 5.0), "volume_2_units_per_month"),
    (lambda: ue.tiered_egress_cost(-1.0, [(None, 0.09)]), "egress_gb_per_month"),
    (lambda: ue.tiered_egress_cost(1.0, [(50_000, 0.085), (10_000, 0.09), (None, 0.07)]), "tiers[1].upper_gb"),
    (lambda: ue.tiered_egress_cost(1.0, [(None, 0.09), (10_000, 0.085)]), "tiers[0].upper_gb"),
    (lambda: ue.tiered_egress_cost(1.0, []), "tiers"),
    (lambda: ue.tiered_egress_cost(1.0, [(10_000, -0.09), (None, 0.05)]), "tiers[0].usd_per_gb"),
    (lambda: ue.chatty_service_cost(1e9, 10, 1000, 1.5, 0.01, 0.01), "share_crossing_zones"),
    (lambda: ue.zone_local_routing_saving(1e9, 10, 1000, 0.5, -0.1, 0.01, 0.01), "local_share_crossing_zones"),
    (lambda: ue.request_breakeven_object_size(0, 0.023, 1, 1, 0.005, 0.0004), "object_count"),
    (lambda: ue.redundancy_comparison(1000.0, 1.5), "standby_fraction"),
    (lambda: ue.tier_unit_economics([{"tier": "a", "cost_usd_per_tenant_month": 1.0}]), "tiers"),
    (lambda: ue.tier_unit_economics([{"tier": "a", "cost_usd_per_tenant_month": -1.0,
                                      "price_usd_per_tenant_month": 1.0}]), "tiers['a'].cost_usd_per_tenant_month"),
    (lambda: ue.efficiency_launch_gate(0.01, 0.05, max_ratio=-1.0), "max_ratio"),
    (lambda: ue.efficiency_launch_gate(np.array([0.01, 0.02]), 0.05), "engagement_gain"),
    (lambda: ue.cost_change_drivers(1.0, 2.0, 0.0, 1.0), "volume_before_units_per_month"),
    (lambda: ue.unit_economics_model(1e6, 0.1, compute_cost=1.0), "compute_cost"),
    (lambda: ue.unit_economics_model(1e6, 0.1, cache_b=0.5), "cache_k"),
    (lambda: ue.unit_economics_model(1e6, 0.1, output="margin", compute_k=0.01), "output"),
    (lambda: ue.unit_economics_model(0.0, 0.1, compute_k=0.01), "volume_units_per_month"),
])
def test_bad_arguments_name_the_argument(call, name):
    """Each bad argument raises ModelError (a ValueError) whose message names it."""
    with pytest.raises(ModelError) as info:
        call()
    assert name in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_array_element_is_located():
    """A negative sample inside an array is reported with its index: [[1], [-2]] -> element (1, 0)."""
    with pytest.raises(ModelError, match=r"volume_units_per_month\[1, 0\] = -2.0"):
        ue.cost_per_unit(1.0, np.array([[1.0], [-2.0]]))


def test_purely_fixed_component_needs_no_k():
    """A component given only its fixed cost: $2M + 0.06 * 50M = $5M at 50M units, $0.10/unit."""
    assert ue.scaling_totals({"platform": {"fixed_usd_per_month": 2e6}, "compute": {"k": 0.06}}, 50e6,
                             multipliers=[1])["cost_usd_per_unit"].item() == pytest.approx(0.10)
