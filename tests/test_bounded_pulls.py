"""No FinOps pull grows with the bill: the workbook's queries on two generated bills, one with 4x the
resources (and so 4x the rows) of the other, and the frames each brings into pandas (`BillingData.pulls`).

The per-resource pulls are replaced by their bounded forms (alert drivers computed in the engine, the
untagged top-N, the cluster's nodes, the rightsizing candidates); each bounded form is checked first
against the unbounded computation it replaces (`costlib.finops.alert_drivers`,
`costlib.finops.untagged_by_impact`, `costlib.finops.rightsizing_candidates` over every resource), which
is the brute-force oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from costlib import billing
from costlib import billing_queries as Q
from costlib import finops as F
from costlib import synthetic_focus as S
from costlib.workbooks import finops as W

KEYS = Q.ANOMALY_KEYS
SMALL, FACTOR, DAYS = 60, 4, 14


@pytest.fixture(scope="module")
def bills(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bounded")
    out = {}
    for resources in (SMALL, SMALL * FACTOR):
        path = folder / f"bill_{resources}.parquet"
        S.generate(path, resources=resources, days=DAYS, seed=5)
        out[resources] = billing.open_billing(path, cache_dir=folder / "cache")
    return out


def _some_alerts(data, period: str, n: int = 6) -> pd.DataFrame:
    """Alerts on real series and periods (the costliest series, spread over the bill, the first period
    included: no baseline there), so every branch of the driver definition is exercised."""
    kwargs = {"max_period_hours": 1} if period == "hour" else {}
    series = data.query(Q.usage_cost_by, dimensions=KEYS, period=period, **kwargs)
    top = series.groupby(KEYS)["effective_cost"].sum().sort_values(ascending=False).head(3).index
    periods = sorted(series["period_start"].unique())
    picks = [periods[0], periods[len(periods) // 2], periods[-1], periods[30 if period == "hour" else 3]]
    rows = [{"ServiceName": s, "SubAccountId": a, "period": pd.Timestamp(p)} for s, a in top for p in picks[:n]]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("period, lag", [("day", 1), ("hour", 24)])
def test_alert_drivers_in_the_engine_equal_the_pandas_breakdown(bills, period, lag):
    data = bills[SMALL]
    kwargs = {"max_period_hours": 1} if period == "hour" else {}
    alerts = _some_alerts(data, period)
    named, drivers = data.alert_drivers(alerts, period=period, baseline_lag_periods=lag, top_n=3, key="team",
                                        **kwargs)
    breakdown = data.query(Q.usage_cost_by, dimensions=[*KEYS, "ResourceId"], period=period, **kwargs)
    expected = F.alert_drivers(alerts, breakdown, KEYS, "ResourceId", baseline_lag_periods=lag)
    resources = data.query(Q.resource_summary, key="team")
    owner = dict(zip(resources["ResourceId"], resources["tag_value"]))
    assert list(named["driver"]) == list(expected["driver"])
    np.testing.assert_allclose(named["driver_change_usd"], expected["driver_change_usd"], rtol=1e-9)
    np.testing.assert_allclose(named["driver_share_of_change"], expected["driver_share_of_change"], rtol=1e-9)
    assert list(named["team"]) == [owner.get(d) for d in expected["driver"]]
    assert len(drivers) <= 3 * len(alerts)
    assert drivers.groupby("alert")["rank"].max().max() <= 3


def test_bounded_resource_pulls_equal_the_whole_fleet(bills):
    data = bills[SMALL]
    p = W.Params()
    every = data.query(Q.resource_summary, key=p.team_tag_key)
    expected = F.untagged_by_impact(every.assign(effective_cost=every["effective_cost"].clip(lower=0),
                                                 tagged=every["tag_value"].notna())).head(10)
    got = data.untagged_top(p.team_tag_key, top_n=10)
    assert list(got["ResourceId"]) == list(expected["ResourceId"])
    for column in ("effective_cost", "coverage_gain_share", "coverage_after_share"):
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-9)
    nodes = data.query(Q.resource_summary, key=p.team_tag_key, services=p.kubernetes.cluster_services)
    assert sorted(nodes["ResourceId"]) == sorted(every.loc[every["ServiceName"].isin(p.kubernetes.cluster_services),
                                                           "ResourceId"])
    r = p.rightsizing
    ladder = pd.DataFrame([s.model_dump() for s in r.ladder])
    pool = every[every["ServiceName"] == r.service]
    bounded = data.query(Q.resource_summary, key=p.team_tag_key, services=[r.service],
                         unit_prices=list(ladder["usd_per_hour"]), top_n=r.top_n)
    pd.testing.assert_frame_equal(F.rightsizing_candidates(bounded, ladder, r.top_n),
                                  F.rightsizing_candidates(pool, ladder, r.top_n))


def workbook_pulls(data) -> dict:
    """The pulls workbook 06's analysis makes on a generated bill with the default scenario, each with the
    workbook's arguments, the per-resource ones in their bounded form. Returns the top-N caps used."""
    p = W.Params()
    team = p.team_tag_key
    data.query(Q.cost_by, dimensions=[], period="day")
    data.query(Q.totals_by_charge_category)
    for dims in (["ProviderName"], ["ProviderName", "ServiceName"], ["ProviderName", "SubAccountId"],
                 ["ProviderName", "RegionId"]):
        data.query(Q.cost_by, dimensions=dims)
    data.query(Q.tag_keys)
    data.query(Q.tag_coverage, keys=list(p.required_tag_keys))
    data.query(Q.cost_by_tag, key=team, dimensions=["ChargeCategory", "ServiceName", "CommitmentDiscountStatus"])
    for k in p.required_tag_keys:
        data.query(Q.cost_by_tag, key=k, dimensions=["SubAccountId"])
        data.query(Q.cost_by_tag, key=k, period="day")
    untagged_n = 10
    data.untagged_top(team, top_n=untagged_n)
    data.query(Q.resource_summary, key=team, services=p.kubernetes.cluster_services)
    r = p.rightsizing
    data.query(Q.resource_summary, key=team, services=[r.service], unit_prices=[s.usd_per_hour for s in r.ladder],
               top_n=r.top_n)
    daily_sa = data.query(Q.usage_cost_by, dimensions=KEYS, period="day")
    alerts = W.detect(daily_sa, W.detector_settings(p.anomalies))
    driver_n = 3
    data.alert_drivers(alerts, period="day", baseline_lag_periods=1, top_n=driver_n, key=team)
    data.query(Q.usage_cost_by, dimensions=[], period="day")
    data.query(Q.charge_period_lengths)
    series = data.query(Q.usage_cost_by, dimensions=KEYS, period="hour", max_period_hours=1)
    hourly = W.detect(series, W.hourly_detector_settings(p.anomalies), freq="h")
    top = hourly.sort_values("change_usd", ascending=False, kind="stable").head(20)
    data.alert_drivers(top, period="hour", baseline_lag_periods=24, top_n=driver_n, key=team, max_period_hours=1)
    data.query(Q.commitment_rows)
    data.query(Q.commitment_rows, key=team)
    data.query(Q.cost_by, dimensions=["x_StorageClass"])
    return {"alert_drivers": driver_n * (len(alerts) + len(top)), "untagged": untagged_n, "rightsizing": r.top_n,
            "alerts": len(alerts) + len(top)}


def test_the_largest_pull_grows_by_at_most_the_top_n_caps(bills):
    small, big = (bills[SMALL].on(billing.duckdb_backend(bills[SMALL].canonical)),
                  bills[SMALL * FACTOR].on(billing.duckdb_backend(bills[SMALL * FACTOR].canonical)))
    caps_small, caps_big = workbook_pulls(small), workbook_pulls(big)
    assert small.quality.rows * (FACTOR - 0.5) < big.quality.rows  # the big bill really is about 4x
    caps = caps_big["alert_drivers"] + caps_big["untagged"] + caps_big["rightsizing"]
    # What the sections show may grow with the fleet only through the series watched (a bigger fleet
    # bills a few more service and sub-account pairs: 25 -> 29 here, of a fixed catalogue); beyond that,
    # by the top-N caps. The rows grew 4x.
    n_small, n_big = (d.query(Q.usage_cost_by, dimensions=KEYS, period="day").groupby(KEYS).ngroups
                      for d in (small, big))
    assert n_small <= n_big < 1.25 * n_small
    assert big.max_pull_rows <= small.max_pull_rows * n_big / n_small + caps, (small.pulls, big.pulls)
    assert big.max_pull_rows < 1.5 * small.max_pull_rows  # nowhere near 4x
    # The largest pull is the hourly series (series x hours), the same on both bills; and each pull is
    # bounded by what it groups by: the alert drivers by alerts x top-N.
    hours = DAYS * 24
    for data, caps in ((small, caps_small), (big, caps_big)):
        drivers = [rows for name, rows in data.pulls if name == "alert_drivers"]
        assert len(drivers) == 2 and sum(drivers) <= caps["alert_drivers"]
        series = data.query(Q.usage_cost_by, dimensions=KEYS, period="hour", max_period_hours=1)
        assert data.max_pull_rows == len(series) <= series.groupby(KEYS).ngroups * hours
    whole = [d.query(Q.usage_cost_by, dimensions=[*KEYS, "ResourceId"], period="hour", max_period_hours=1)
             for d in (small, big)]  # the pull the bounded drivers replace: it grows with the bill
    assert len(whole[1]) > 3.5 * len(whole[0])


def test_pulls_are_recorded_from_the_cache_too(bills):
    data = bills[SMALL]
    fresh = billing.BillingData(data.canonical, data.quality, data.key)
    fresh.query(Q.totals_by_charge_category)
    fresh.query("daily_cost")
    assert [name for name, _ in fresh.pulls] == ["totals_by_charge_category", "daily_cost"]
    assert fresh.max_pull_rows == DAYS == fresh.pulls[1][1]


def test_workbook_06_analyse_pulls_do_not_grow_with_the_bill():
    """Workbook 06's own analysis (every section of the default scenario) on two generated bills, one with
    4x the resources: the largest frame it brings into pandas grows by at most the series watched (a few
    more service and sub-account pairs) plus the top-N caps, not 4x."""
    small, big = (W.analyse(W.Params(synthetic_resources=n, synthetic_days=DAYS, seed=5))
                  for n in (SMALL, SMALL * FACTOR))
    assert small.data.quality.rows * (FACTOR - 0.5) < big.data.quality.rows  # the rows really grew about 4x
    caps = (W.UNTAGGED_TOP_N + W.ALERT_DRIVERS_TOP_N * (big.figures["anomaly_alerts"] + W.HOURLY_TOP_ALERTS)
            + big.params.rightsizing.top_n)
    series = [d.data.query(Q.usage_cost_by, dimensions=KEYS, period="day").groupby(KEYS).ngroups
              for d in (small, big)]
    assert big.data.max_pull_rows <= small.data.max_pull_rows * series[1] / series[0] + caps, big.data.pulls
    assert big.data.max_pull_rows < 1.5 * small.data.max_pull_rows  # nowhere near 4x
