"""Tests for costlib.build_vs_buy.

The message-queue case (seed III.2) used throughout: a managed queue at $0.50 per million requests
against a Kafka build by 4 engineers for 6 months at $500k per fully loaded engineer-year (the seed's
Mag7 figure, II.1), $200k of hardware, and 1 engineer of keep-the-lights-on maintenance once live.
Volumes are in millions of requests per month. Horizon 36 months.

    engineer-month        = 500,000 / 12            = 41,666.67
    development           = 4 x 6 x 41,666.67       = 1,000,000   (months 1..6)
    hardware              = 200,000                 (month 1)
    maintenance           = 1 x 41,666.67 x 30 live months = 1,250,000   (months 7..36)
    build TCO             = 2,450,000 (no per-request cost)
    buy TCO at V          = 36 x 0.50 x V = 18 V
"""

import math

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costlib.build_vs_buy import (
    COMPONENTS,
    Option,
    PriceHikeCase,
    break_even_volume,
    build_minus_buy_usd,
    compare_options,
    cost_curves,
    monthly_costs,
    net_present_value_usd,
    present_value_usd,
    price_hike_curves,
    price_hike_table,
    recommendation_text,
    tco_table,
    tiered_bill_usd,
    total_cost_usd,
    validate_tiers,
    volume_forecast,
)
from costlib import timing
from costlib.build_vs_buy import cumulative_cost_usd
from costlib.errors import ModelError


def break_even_month(build, buy, volume, **kwargs):
    """Workbook 05's break-even month: `costlib.timing.break_even_month` of the two cumulative costs."""
    return timing.break_even_month(cumulative_cost_usd(build, volume, **kwargs),
                                   cumulative_cost_usd(buy, volume, **kwargs))

ENGINEER = 500_000.0


def kafka(**overrides):
    kw = dict(name="kafka", kind="build", engineers=4, build_months=6, loaded_cost_usd_per_fte_per_year=ENGINEER,
              hardware_usd=200_000, maintenance_ftes=1)
    kw.update(overrides)
    return Option(**kw)


def managed(**overrides):
    kw = dict(name="managed", kind="buy", subscription_usd_per_unit=0.50)
    kw.update(overrides)
    return Option(**kw)


def r_month(rate_per_year):
    return (1 + rate_per_year) ** (1 / 12) - 1


# --------------------------------------------------------------------------------------------------
# message queue: break-even volume and month by hand


def test_message_queue_tco_components():
    """Components by hand (module docstring): upfront 1.0M + 0.2M, maintenance 1.25M, total 2.45M;
    buy at 100,000 million requests/month: subscription 36 x 0.50 x 100,000 = 1.8M."""
    table = tco_table([kafka(), managed()], 100_000.0)
    assert table.loc["upfront", "kafka"] == pytest.approx(1_200_000.0)
    assert table.loc["maintenance", "kafka"] == pytest.approx(1_250_000.0)
    assert table.loc["total", "kafka"] == pytest.approx(2_450_000.0)
    assert table.loc["subscription", "managed"] == pytest.approx(1_800_000.0)
    assert table.loc["total", "managed"] == pytest.approx(1_800_000.0)
    assert list(table.index) == list(COMPONENTS) + ["total"]
    assert table.loc[list(COMPONENTS)].sum().to_numpy() == pytest.approx(table.loc["total"].to_numpy())


def test_message_queue_break_even_volume():
    """Need unserved during the build (no cost of delay): 2,450,000 = 18 V, so
    V* = 2,450,000 / 18 = 136,111.11 million requests/month (136 billion requests/month,
    136.1e9 / (730 x 3600 s) = 51,792 requests/s)."""
    v = break_even_volume(kafka(), managed())
    assert v == pytest.approx(2_450_000 / 18, rel=1e-12)
    assert v == pytest.approx(136_111.111111, rel=1e-9)


def test_message_queue_break_even_volume_with_interim_vendor():
    """Managed queue used as the interim during the 6 build months (cost of delay = $0.50 per million
    requests while not live): build = 2,450,000 + 6 x 0.50 V = 2,450,000 + 3 V; buy = 18 V;
    V* = 2,450,000 / 15 = 163,333.33."""
    v = break_even_volume(kafka(), managed(), cost_of_delay_usd_per_unit=0.50)
    assert v == pytest.approx(2_450_000 / 15, rel=1e-12)


def test_message_queue_break_even_volume_with_maintenance_tax():
    """Maintenance tax of 3x development instead of 1 FTE: 3 x 1,000,000 spread over a 36-month life
    = 83,333.33/month, for the 30 live months in the horizon = 2,500,000.
    Build = 1,000,000 + 200,000 + 2,500,000 = 3,700,000; V* = 3,700,000 / 18 = 205,555.56."""
    build = kafka(maintenance_ftes=0, maintenance_tax_multiple=3, maintenance_life_months=36)
    assert total_cost_usd(build, 0.0) == pytest.approx(3_700_000.0)
    assert break_even_volume(build, managed()) == pytest.approx(3_700_000 / 18, rel=1e-12)


def test_maintenance_tax_stops_after_the_life():
    """Life 12 months from go-live at month 6: 3 x 1,000,000 / 12 = 250,000/month for months 7..18
    only, 3,000,000 in all (the whole tax falls inside the horizon)."""
    costs = monthly_costs(kafka(maintenance_ftes=0, maintenance_tax_multiple=3, maintenance_life_months=12), 0.0)
    m = costs["maintenance_usd"]
    assert m.loc[1:6].sum() == 0
    assert m.loc[7:18].to_numpy() == pytest.approx([250_000.0] * 12)
    assert m.loc[19:].sum() == 0


def test_message_queue_break_even_month():
    """At 200,000 million requests/month buy costs 0.50 x 200,000 = 100,000/month.
    Build, cumulative at month m >= 6: 1,200,000 + 41,666.67 (m - 6).
    Month 16: build 1,616,666.67 > buy 1,600,000; month 17: build 1,658,333.33 <= buy 1,700,000.
    Break-even month 17."""
    assert break_even_month(kafka(), managed(), 200_000.0) == 17


def test_message_queue_break_even_month_with_interim_vendor():
    """Interim managed queue during the build adds 6 x 100,000 = 600,000 to build by month 6:
    cumulative build 1,800,000 + 41,666.67 (m - 6) against 100,000 m.
    Month 26: 2,633,333.33 > 2,600,000; month 27: 2,675,000 <= 2,700,000. Break-even month 27."""
    assert break_even_month(kafka(), managed(), 200_000.0, cost_of_delay_usd_per_unit=0.50) == 27


def test_break_even_month_none_when_build_never_catches_up():
    """At 50,000 million requests/month buy is 25,000/month < build's 41,666.67/month maintenance alone."""
    assert break_even_month(kafka(), managed(), 50_000.0) is None


def test_break_even_volume_none_when_buy_always_cheaper():
    """Build costing more per unit (1.0 vs 0.5) and more fixed: the difference never changes sign."""
    assert break_even_volume(kafka(infra_usd_per_unit=1.0), managed()) is None


def test_break_even_volume_none_beyond_the_searched_range():
    assert break_even_volume(kafka(), managed(), max_volume_units_per_month=100_000.0) is None


def test_break_even_volume_tiered_by_hand():
    """Vendor tiers: $0.50 up to 100,000, $0.25 up to 300,000, $0.10 beyond (million requests/month).
    At V = 100,000: buy = 36 x 50,000 = 1,800,000 < 2,450,000, so the break-even is in the 2nd tier:
    36 x (50,000 + 0.25 (V - 100,000)) = 2,450,000 => 50,000 + 0.25 (V - 100,000) = 68,055.556
    => 0.25 (V - 100,000) = 18,055.556 => V = 100,000 + 72,222.22 = 172,222.22 (< 300,000, in tier 2)."""
    buy = Option("tiered", kind="buy", subscription_tiers=[(100_000, 0.50), (300_000, 0.25), (None, 0.10)])
    assert break_even_volume(kafka(), buy) == pytest.approx(172_222.2222222, rel=1e-9)


def test_break_even_volume_tiered_in_last_tier_by_hand():
    """Tiers $0.50 up to 50,000 then $0.25: at V = 50,000 buy = 36 x 25,000 = 900,000 < 2,450,000.
    36 x (25,000 + 0.25 (V - 50,000)) = 2,450,000 => 0.25 (V - 50,000) = 43,055.556
    => V = 50,000 + 172,222.22 = 222,222.22."""
    buy = Option("tiered", kind="buy", subscription_tiers=[(50_000, 0.50), (None, 0.25)])
    assert break_even_volume(kafka(), buy) == pytest.approx(222_222.2222222, rel=1e-9)


# --------------------------------------------------------------------------------------------------
# property: both options cost the same at the break-even


money = st.floats(0, 2e6, allow_nan=False)
tiers_strategy = st.one_of(
    st.none(),
    st.tuples(st.floats(1, 1e6), st.floats(1.01, 10), st.floats(0.05, 2), st.floats(0.1, 1), st.floats(0.1, 1))
    .map(lambda t: [(t[0], t[2]), (t[0] * t[1], t[2] * t[3]), (None, t[2] * t[3] * t[4])]),
)


@settings(max_examples=150, deadline=None)
@given(engineers=st.floats(0, 20), build_months=st.floats(0, 24), hardware=money,
       ftes=st.floats(0, 5), infra_unit=st.floats(0, 0.3), infra_month=st.floats(0, 1e5),
       buy_unit=st.floats(0.01, 2), buy_months=st.floats(0, 3), tiers=tiers_strategy,
       horizon=st.integers(1, 60), rate=st.one_of(st.none(), st.floats(0, 0.3)),
       delay_unit=st.floats(0, 1), delay_month=st.floats(0, 1e5))
def test_both_options_cost_the_same_at_the_break_even(engineers, build_months, hardware, ftes, infra_unit,
                                                      infra_month, buy_unit, buy_months, tiers, horizon, rate,
                                                      delay_unit, delay_month):
    build = Option("build", engineers=engineers, build_months=build_months, loaded_cost_usd_per_fte_per_year=ENGINEER,
                   hardware_usd=hardware, maintenance_ftes=ftes, infra_usd_per_unit=infra_unit,
                   infra_usd_per_month=infra_month)
    if tiers is None:
        buy = Option("buy", kind="buy", subscription_usd_per_unit=buy_unit, build_months=buy_months)
    else:
        buy = Option("buy", kind="buy", subscription_tiers=tiers, build_months=buy_months)
    kw = dict(horizon_months=horizon, discount_rate_per_year=rate, cost_of_delay_usd_per_month=delay_month,
              cost_of_delay_usd_per_unit=delay_unit)

    def diff(v):
        return total_cost_usd(build, v, **kw) - total_cost_usd(buy, v, **kw)

    v = break_even_volume(build, buy, **kw)
    if v is None:
        # no sign change anywhere: same sign at 0 and far beyond every tier edge
        far = 1e13
        assert not (diff(0.0) < 0 < diff(far) or diff(far) < 0 < diff(0.0))
    else:
        assert v >= 0
        scale = max(total_cost_usd(build, v, **kw), total_cost_usd(buy, v, **kw), 1.0)
        assert abs(diff(v)) <= 1e-7 * scale
        # the lowest break-even: no sign change between 0 and v
        if v > 0:
            grid = np.linspace(0.0, v, 7)[:-1]
            signs = {np.sign(round(diff(x), 6)) for x in grid} - {0.0}
            assert len(signs) <= 1


@settings(max_examples=50, deadline=None)
@given(volume=st.floats(0, 1e6), engineers=st.floats(0, 10), months=st.floats(0, 12), growth=st.floats(-0.05, 0.1))
def test_flat_function_matches_options(volume, engineers, months, growth):
    """build_minus_buy_usd equals the difference of the Option totals over the same forecast."""
    path = volume_forecast(volume, 36, growth)
    build = kafka(engineers=engineers, build_months=months)
    expected = total_cost_usd(build, path) - total_cost_usd(managed(), path)
    got = build_minus_buy_usd(volume, growth_rate_per_month=growth, loaded_cost_usd_per_fte_per_year=ENGINEER,
                              build_engineers=engineers, build_months=months, build_hardware_usd=200_000,
                              build_maintenance_ftes=1, buy_usd_per_unit=0.50)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-6)


def test_flat_function_is_zero_at_break_even_and_broadcasts():
    """At V* = 136,111.11 the difference is 0; (n, 1) samples give (n, 1)."""
    kw = dict(loaded_cost_usd_per_fte_per_year=ENGINEER, build_engineers=4, build_months=6, build_hardware_usd=200_000,
              build_maintenance_ftes=1, buy_usd_per_unit=0.50)
    assert build_minus_buy_usd(2_450_000 / 18, **kw) == pytest.approx(0.0, abs=1e-6)
    samples = np.array([[3.0], [4.0], [5.0]])
    out = build_minus_buy_usd(100_000.0, **{**kw, "build_engineers": samples})
    assert out.shape == (3, 1)
    # each engineer adds 6 x 41,666.67 = 250,000 of development: 2.45M - 1.8M = 650k at 4 engineers
    assert out[:, 0] == pytest.approx([400_000.0, 650_000.0, 900_000.0])


def test_flat_function_with_tiers_and_discount():
    buy_tiers = [(100_000, 0.50), (None, 0.25)]
    got = build_minus_buy_usd(150_000.0, loaded_cost_usd_per_fte_per_year=ENGINEER, build_engineers=4, build_months=6,
                              build_hardware_usd=200_000, build_maintenance_ftes=1, buy_tiers=buy_tiers,
                              discount_rate_per_year=0.08)
    buy = Option("buy", kind="buy", subscription_tiers=buy_tiers)
    expected = (total_cost_usd(kafka(), 150_000.0, discount_rate_per_year=0.08)
                - total_cost_usd(buy, 150_000.0, discount_rate_per_year=0.08))
    assert got == pytest.approx(expected)


# --------------------------------------------------------------------------------------------------
# present values against numpy-financial


@pytest.mark.parametrize("rate", [0.0, 0.05, 0.08, 0.25])
def test_present_value_against_numpy_financial(rate):
    """End-of-month timing: month 1 is the first flow after t = 0, so prepend a 0 for npf.npv."""
    costs = monthly_costs(kafka(), 120_000.0)["cost_usd"].to_numpy()
    expected_pv = npf.npv(r_month(rate), np.concatenate(([0.0], costs)))
    assert present_value_usd(costs, rate) == pytest.approx(expected_pv, rel=1e-12)
    # signed convention: outflows negative
    assert net_present_value_usd(costs, rate) == pytest.approx(npf.npv(r_month(rate), np.concatenate(([0.0], -costs))),
                                                               rel=1e-12)
    table = tco_table([kafka(), managed()], 120_000.0, discount_rate_per_year=rate)
    assert table.loc["present_value", "kafka"] == pytest.approx(expected_pv, rel=1e-12)
    assert total_cost_usd(kafka(), 120_000.0, discount_rate_per_year=rate) == pytest.approx(expected_pv, rel=1e-12)


def test_present_value_by_hand():
    """$1,100 at the end of month 12 at 10%/year is worth 1,100 / 1.10 = 1,000 today."""
    assert present_value_usd([0.0] * 11 + [1100.0], 0.10) == pytest.approx(1000.0)
    assert net_present_value_usd([0.0] * 11 + [1100.0], 0.10) == pytest.approx(-1000.0)


def test_present_value_broadcasts_over_rates():
    costs = np.full(24, 100.0)
    rates = np.array([[0.0], [0.1]])
    pv = present_value_usd(costs, rates)  # rates (2, 1) against months (24,): one value per rate
    assert pv.shape == (2,)
    assert pv[0] == pytest.approx(2400.0)
    assert pv[1] == pytest.approx(npf.npv(r_month(0.1), np.concatenate(([0.0], costs))))


def test_break_even_month_discounted_is_later():
    """Discounting defers the build's payback (its savings come later than its spending)."""
    plain = break_even_month(kafka(), managed(), 200_000.0)
    discounted = break_even_month(kafka(), managed(), 200_000.0, discount_rate_per_year=0.5)
    assert discounted >= plain


# --------------------------------------------------------------------------------------------------
# tiered pricing at the tier edges


TIERS = [(100, 1.0), (1000, 0.5), (None, 0.25)]


@pytest.mark.parametrize("volume, expected", [
    (0, 0.0),
    (50, 50.0),                     # 50 x 1.0
    (100, 100.0),                   # edge: 100 x 1.0
    (101, 100.5),                   # 100 + 1 x 0.5
    (1000, 550.0),                  # edge: 100 + 900 x 0.5
    (1001, 550.25),                 # 550 + 1 x 0.25
    (1100, 575.0),                  # 550 + 100 x 0.25
])
def test_tiered_bill_at_edges(volume, expected):
    assert tiered_bill_usd(volume, TIERS) == pytest.approx(expected)


def test_tiered_bill_vectorized_and_continuous():
    v = np.array([[100.0, 1000.0], [1100.0, 0.0]])
    assert tiered_bill_usd(v, TIERS) == pytest.approx(np.array([[100.0, 550.0], [575.0, 0.0]]))
    eps = 1e-9
    for edge in (100.0, 1000.0):
        assert tiered_bill_usd(edge + eps, TIERS) - tiered_bill_usd(edge - eps, TIERS) == pytest.approx(0, abs=1e-8)


def test_sqs_like_free_tier():
    """First million requests free, then $0.40 per million: 1 + 10 million requests cost 10 x 0.40 = 4.00."""
    assert tiered_bill_usd(11.0, [(1, 0.0), (None, 0.40)]) == pytest.approx(4.0)


def test_tiered_subscription_in_option():
    buy = Option("t", kind="buy", subscription_tiers=TIERS)
    costs = monthly_costs(buy, 1000.0, horizon_months=2)
    assert costs["subscription_usd"].tolist() == pytest.approx([550.0, 550.0])


def test_validate_tiers_accepts_yaml_lists():
    assert validate_tiers([[100, 1], [None, 0.5]]) == ((100.0, 1.0), (None, 0.5))


@pytest.mark.parametrize("tiers, match", [
    ([(100, 1.0), (50, 0.5), (None, 0.2)], r"tiers\[1\].*strictly ascending"),
    ([(100, 1.0), (100, 0.5), (None, 0.2)], r"tiers\[1\].*strictly ascending"),
    ([(None, 1.0), (100, 0.5)], r"tiers\[0\].*only the last"),
    ([(100, 1.0), (200, 0.5)], r"tiers\[1\].*open-ended"),
    ([(100, -1.0), (None, 0.5)], r"tiers\[0\].*>= 0"),
    ([(0, 1.0), (None, 0.5)], r"tiers\[0\].*strictly ascending"),
    ([], r"tiers.*at least one"),
    ("abc", r"tiers"),
])
def test_validate_tiers_rejects(tiers, match):
    with pytest.raises(ModelError, match=match):
        validate_tiers(tiers)


# --------------------------------------------------------------------------------------------------
# bad arguments


def test_negative_engineers():
    with pytest.raises(ModelError, match=r"engineers \(option 'kafka'\) = -1"):
        kafka(engineers=-1)
    with pytest.raises(ModelError, match="build_engineers|engineers"):
        build_minus_buy_usd(1.0, build_engineers=np.array([1.0, -2.0]))


def test_tier_table_out_of_order_in_option():
    with pytest.raises(ModelError, match=r"subscription_tiers\[1\]"):
        managed(subscription_usd_per_unit=0.0, subscription_tiers=[(100, 1.0), (50, 0.5), (None, 0.2)])


def test_tiers_and_unit_price_exclusive():
    with pytest.raises(ModelError, match="subscription_usd_per_unit"):
        managed(subscription_tiers=[(None, 0.5)])


@pytest.mark.parametrize("call", [
    lambda h: total_cost_usd(managed(), 1.0, horizon_months=h),
    lambda h: tco_table([managed()], 1.0, horizon_months=h),
    lambda h: break_even_volume(kafka(), managed(), horizon_months=h),
    lambda h: break_even_month(kafka(), managed(), 1.0, horizon_months=h),
    lambda h: volume_forecast(1.0, horizon_months=h),
    lambda h: build_minus_buy_usd(1.0, horizon_months=h),
    lambda h: price_hike_curves(PriceHikeCase(1.0, 0.3, 18, 1.0, 1.0, 0.5, 1.0), horizon_months=h),
])
@pytest.mark.parametrize("horizon", [0, -12, 2.5])
def test_bad_horizon(call, horizon):
    with pytest.raises(ModelError, match=rf"horizon_months = {horizon}"):
        call(horizon)


def test_other_bad_arguments():
    with pytest.raises(ModelError, match="kind"):
        Option("x", kind="rent")
    with pytest.raises(ModelError, match="maintenance_life_months"):
        Option("x", maintenance_life_months=0)
    with pytest.raises(ModelError, match="volume_units_per_month"):
        total_cost_usd(managed(), -5.0)
    with pytest.raises(ModelError, match="volume_units_per_month"):
        total_cost_usd(managed(), np.ones(12))  # 12 months of forecast for a 36-month horizon
    with pytest.raises(ModelError, match="discount_rate_per_year"):
        total_cost_usd(managed(), 1.0, discount_rate_per_year=-1.5)
    with pytest.raises(ModelError, match="options"):
        tco_table([managed(), managed()], 1.0)
    with pytest.raises(ModelError, match="vendor_coverage_share"):
        recommendation_text(1.0, 2.0, is_core=False, vendor_coverage_share=80, has_exit_strategy=True,
                            break_even_volume_units_per_month=None, forecast_volume_units_per_month=None)
    with pytest.raises(ModelError, match="hybrid_share_of_spend_moved"):
        PriceHikeCase(50e6, 0.3, 18, 10e6, 30e6, 1.5, 4e6)
    with pytest.raises(ModelError, match="migration_months"):
        PriceHikeCase(50e6, 0.3, 0, 10e6, 30e6, 0.5, 4e6)


# --------------------------------------------------------------------------------------------------
# curves, forecast, logging, verdict


def test_volume_forecast_growth():
    """100 growing 10%/month: 100, 110, 121, 133.1."""
    assert volume_forecast(100.0, 4, 0.10) == pytest.approx([100.0, 110.0, 121.0, 133.1])
    assert volume_forecast(np.array([1.0, 2.0]), 3).shape == (2, 3)
    assert volume_forecast(np.array([[1.0], [2.0]]), 3).shape == (2, 1, 3)  # (n, 1) samples keep their axes


def test_cost_curves_tidy_and_consistent():
    curves = cost_curves([kafka(), managed()], volume_forecast(100_000.0, 36, 0.02))
    assert len(curves) == 72
    assert set(curves["option"]) == {"kafka", "managed"}
    last = curves.groupby("option")["cumulative_cost_usd"].last()
    table = tco_table([kafka(), managed()], volume_forecast(100_000.0, 36, 0.02))
    assert last["kafka"] == pytest.approx(table.loc["total", "kafka"])
    assert last["managed"] == pytest.approx(table.loc["total", "managed"])
    parts = curves[[f"{c}_usd" for c in COMPONENTS]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(curves["cost_usd"].to_numpy())


def test_logging_case_by_hand():
    """Seed II.1. Vendor: $2M/year x 3 = 6.0M. Self-built: 3 engineers spend 6 months building
    (3 x 6 x 41,666.67 = 750,000), then run it: infrastructure 800,000 / 12 x 30 = 2,000,000,
    3 KTLO engineers 3 x 41,666.67 x 30 = 3,750,000; total 6,500,000: the vendor wins by 500,000."""
    vendor = Option("vendor", kind="buy", subscription_usd_per_month=2e6 / 12)
    own = Option("self_built", kind="open_source", engineers=3, build_months=6,
                 loaded_cost_usd_per_fte_per_year=ENGINEER,
                 infra_usd_per_month=800e3 / 12, maintenance_ftes=3)
    table = tco_table([own, vendor], 0.0)
    assert table.loc["upfront", "self_built"] == pytest.approx(750_000.0)
    assert table.loc["infrastructure", "self_built"] == pytest.approx(2_000_000.0)
    assert table.loc["maintenance", "self_built"] == pytest.approx(3_750_000.0)
    assert table.loc["total", "self_built"] == pytest.approx(6_500_000.0)
    assert table.loc["total", "vendor"] == pytest.approx(6_000_000.0)
    verdict = compare_options([own, vendor], 0.0)
    assert verdict.winner == "vendor"
    assert verdict.margin_usd == pytest.approx(500_000.0)
    assert verdict.margin_share == pytest.approx(500_000 / 6_500_000)


def test_security_seats_exit_and_delay_components():
    """Security 2,000/month + 0.5 FTE (20,833.33/month) while live (months 3..12: 10 months);
    seats 100 x 10 = 1,000/month while live; exit 50,000 in month 12; delay 5,000/month for 2 months."""
    o = Option("x", kind="buy", build_months=2, loaded_cost_usd_per_fte_per_year=ENGINEER, security_usd_per_month=2000,
               security_ftes=0.5, seats=100, usd_per_seat_per_month=10, exit_cost_usd=50_000)
    costs = monthly_costs(o, 0.0, horizon_months=12, cost_of_delay_usd_per_month=5000)
    assert costs["security_usd"].sum() == pytest.approx(10 * (2000 + 0.5 * ENGINEER / 12))
    assert costs["subscription_usd"].sum() == pytest.approx(10 * 1000)
    assert costs["exit_usd"].tolist() == [0.0] * 11 + [50_000.0]
    assert costs["delay_usd"].sum() == pytest.approx(10_000.0)


def test_fractional_build_months_prorate():
    """Live at 1.5 months: month 2 is half live. 1 engineer at 12,000/year = 1,000/month for 1.5 months
    = 1,500; subscription 100/month x (0.5 + 1) = 150 over 3 months."""
    o = Option("x", engineers=1, build_months=1.5, loaded_cost_usd_per_fte_per_year=12_000,
               subscription_usd_per_month=100)
    costs = monthly_costs(o, 0.0, horizon_months=3)
    assert costs["upfront_usd"].tolist() == pytest.approx([1000.0, 500.0, 0.0])
    assert costs["subscription_usd"].tolist() == pytest.approx([0.0, 50.0, 100.0])


def test_compare_options_flips_with_volume():
    """Below the 136,111 break-even the managed queue wins, above it Kafka wins."""
    assert compare_options([kafka(), managed()], 100_000.0).winner == "managed"
    high = compare_options([kafka(), managed()], 200_000.0)
    assert high.winner == "kafka"
    assert high.margin_usd == pytest.approx(18 * 200_000 - 2_450_000)


# --------------------------------------------------------------------------------------------------
# recommendation


def _rec(build, buy, **kw):
    base = dict(is_core=False, vendor_coverage_share=0.9, has_exit_strategy=True,
                break_even_volume_units_per_month=136_111.11, forecast_volume_units_per_month=100_000.0)
    base.update(kw)
    return recommendation_text(build, buy, **base)


def test_recommendation_changes_with_the_numbers():
    assert _rec(2.45e6, 1.8e6).startswith("Recommendation: BUY.")
    # build much cheaper (36% of buy): build even though context
    text = _rec(2.45e6, 3.6e6, forecast_volume_units_per_month=200_000.0, break_even_month=17)
    assert text.startswith("Recommendation: BUILD.")
    assert "136,111 units/month" in text and "month 17" in text
    # build slightly cheaper (10%), context, vendor covers 90%: buy
    assert _rec(3.24e6, 3.6e6).startswith("Recommendation: BUY.")
    # same numbers but core: build
    assert _rec(3.24e6, 3.6e6, is_core=True).startswith("Recommendation: BUILD.")
    # same numbers, vendor covers only 60%: build
    assert _rec(3.24e6, 3.6e6, vendor_coverage_share=0.6).startswith("Recommendation: BUILD.")


def test_recommendation_mentions_checks_and_flips():
    text = _rec(2.45e6, 1.8e6, has_exit_strategy=False, break_even_volume_units_per_month=None,
                flip_points={"build_engineers": (4.0, 2.6), "buy_usd_per_unit": float("nan")})
    assert "no break-even volume" in text
    assert "exit strategy into the contract" in text
    assert "build_engineers flips it at 2.6 (now 4)" in text
    assert "buy_usd_per_unit does not flip it" in text
    frame = pd.DataFrame({"input": ["loaded_cost_usd_per_fte_per_year"], "base_value": [5e5], "flip_value": [3.2e5],
                          "change_from_base": [-0.36]})
    assert "loaded_cost_usd_per_fte_per_year flips it at 3.2e+05 (now 5e+05)" in _rec(2.45e6, 1.8e6, flip_points=frame)
    assert "core" in _rec(2.45e6, 1.8e6, is_core=True)


# --------------------------------------------------------------------------------------------------
# vendor price hike


def seed_case(**kw):
    base = dict(current_usd_per_year=50e6, hike_rate=0.30, migration_months=18, migration_cost_usd=10e6,
                new_platform_usd_per_year=30e6, hybrid_share_of_spend_moved=0.5, hybrid_migration_cost_usd=4e6,
                months_until_renewal=12, hybrid_migration_months=12)
    base.update(kw)
    return PriceHikeCase(**base)


def test_price_hike_seed_case_by_hand():
    """$50M/year vendor, 30% hike at renewal in 12 months, 18-month migration (assumed $10M to migrate,
    $30M/year to run the replacement); hybrid moves half the spend in 12 months for $4M.

    pay:     12 x 50/12 + 24 x 65/12                      = 50 + 130          = 180.0M
    migrate: vendor 50 + 6 x 65/12 = 82.5; new 36 x 2.5 = 90; migration 10   = 182.5M
    hybrid:  vendor 50 + 24 x 65/12 x 0.5 = 115; new 36 x 1.25 = 45; mig. 4  = 164.0M
    """
    table = price_hike_table(seed_case())
    assert table.loc["pay", "total_usd"] == pytest.approx(180e6)
    assert table.loc["migrate", "vendor_usd"] == pytest.approx(82.5e6)
    assert table.loc["migrate", "new_platform_usd"] == pytest.approx(90e6)
    assert table.loc["migrate", "migration_usd"] == pytest.approx(10e6)
    assert table.loc["migrate", "total_usd"] == pytest.approx(182.5e6)
    assert table.loc["hybrid", "vendor_usd"] == pytest.approx(115e6)
    assert table.loc["hybrid", "total_usd"] == pytest.approx(164e6)
    assert table.loc["hybrid", "saving_vs_pay_usd"] == pytest.approx(16e6)
    assert table["total_usd"].idxmin() == "hybrid"


def test_price_hike_longer_horizon_favors_migration():
    """60 months: pay 50 + 4 x 65 = 310M; migrate 82.5 + 60 x 2.5 + 10 = 242.5M;
    hybrid 50 + 48 x 65/12 x 0.5 + 60 x 1.25 + 4 = 50 + 130 + 75 + 4 = 259M."""
    table = price_hike_table(seed_case(), horizon_months=60)
    assert table["total_usd"].to_numpy() == pytest.approx([310e6, 242.5e6, 259e6])
    assert table["total_usd"].idxmin() == "migrate"


def test_price_hike_pay_now_and_present_value():
    """No renewal gap: pay = 36 x 65/12 = 195M. Present values against numpy-financial."""
    case = seed_case(months_until_renewal=0)
    table = price_hike_table(case, discount_rate_per_year=0.08)
    assert table.loc["pay", "total_usd"] == pytest.approx(195e6)
    curves = price_hike_curves(case)
    for strategy in ("pay", "migrate", "hybrid"):
        flows = curves.loc[curves["strategy"] == strategy, "cost_usd"].to_numpy()
        assert table.loc[strategy, "present_value_usd"] == pytest.approx(
            npf.npv(r_month(0.08), np.concatenate(([0.0], flows))), rel=1e-12)


def test_price_hike_curves_conserve_totals():
    curves = price_hike_curves(seed_case())
    parts = curves[["vendor_usd", "new_platform_usd", "migration_usd"]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(curves["cost_usd"].to_numpy())
    mig = curves.loc[curves["strategy"] == "migrate", "migration_usd"]
    assert math.isclose(mig.sum(), 10e6)


@settings(max_examples=300, deadline=None)
@given(build=st.floats(0, 1e8), buy=st.floats(0, 1e8), is_core=st.booleans(), coverage=st.floats(0, 1),
       share=st.floats(0, 1))
def test_the_rule_margin_is_below_zero_exactly_where_the_rule_builds(build, buy, is_core, coverage, share):
    """`rule_margin_usd` is the verdict's own threshold: its sign is `build_or_buy`'s answer (away from the
    zero itself, where the context branch builds and the tie buys)."""
    from costlib.build_vs_buy import build_or_buy, rule_margin_usd

    rule = dict(is_core=is_core, vendor_coverage_share=coverage, material_saving_share=share)
    margin = rule_margin_usd(build, buy, **rule)
    if abs(margin) <= 1e-9 * max(build, buy, 1.0):
        return
    assert (margin < 0) == (build_or_buy(build, buy, **rule) == "build"), margin
