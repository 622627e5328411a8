"""Tests of costlib.anomaly and costlib.synthetic_anomalies: expected numbers are worked by hand in the
docstrings, brute-forced with numpy, or the generator's own truth; Hypothesis checks the invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from costlib import anomaly as A
from costlib import finops as F
from costlib import synthetic_anomalies as S
from costlib.errors import ModelError


# ---------------------------------------------------------------------------------------------------
# robust z-score

def test_robust_z_by_hand():
    """$100, $102, $98 repeated three times, then $125 and $100; season 1, 3 seasons, window 6.
    Day 9: expected = median(100, 102, 98) = 100, residual share 0.25. The residual shares of days 3-8
    are 0, +0.02, -0.02, 0, +0.02, -0.02 (each cost against the median of the three before it, 100):
    median 0, absolute deviations 0, .02, .02, 0, .02, .02 -> MAD 0.02, sigma = 1.4826 x 0.02 = 0.029652,
    z = 0.25 / 0.029652 = 8.4312. Day 10: $100 against median(102, 98, 125) = 102 -> -0.0196, no alert."""
    s = pd.Series([100.0, 102.0, 98.0] * 3 + [125.0, 100.0])
    n = A.noise_scale(s, season_periods=1, seasons=3, window_periods=6)
    assert n["expected_usd"].iat[9] == 100.0
    assert n["residual_share"].iat[9] == pytest.approx(0.25)
    assert n["center_share"].iat[9] == pytest.approx(0.0, abs=1e-12)
    assert n["noise_share"].iat[9] == pytest.approx(1.4826 * 0.02)
    assert n["z"].iat[9] == pytest.approx(0.25 / (1.4826 * 0.02))
    assert n["z"].iat[9] == pytest.approx(8.4312, abs=1e-4)
    assert n["residual_share"].iat[10] == pytest.approx(100 / 102 - 1)
    al = A.robust_z_alerts(s, floor_usd=10, season_periods=1, seasons=3, window_periods=6)
    assert al["period"].tolist() == [9] and al["change_usd"].tolist() == [25.0]
    assert al["detector"].tolist() == ["robust_z"]
    # the z gate binds: at z_threshold 8.5 (above 8.43) the spike no longer alerts; the share gate too
    assert len(A.robust_z_alerts(s, floor_usd=10, season_periods=1, seasons=3, window_periods=6, z_threshold=8.5)) == 0
    assert len(A.robust_z_alerts(s, floor_usd=10, threshold_share=0.3, season_periods=1, seasons=3,
                                 window_periods=6)) == 0
    assert len(A.robust_z_alerts(s, floor_usd=30, season_periods=1, seasons=3, window_periods=6)) == 0


def test_robust_z_matches_a_brute_force():
    """noise_scale against a loop over numpy's median on a random series (the formula, period by period)."""
    rng = np.random.default_rng(4)
    c = pd.Series(100 * (1 + 0.05 * rng.standard_normal(60)))
    S_, K, W = 7, 3, 14
    n = A.noise_scale(c, S_, K, W)
    v = c.to_numpy()
    r = np.full(60, np.nan)
    for t in range(S_, 60):
        e = np.median([v[t - k * S_] for k in range(1, K + 1) if t - k * S_ >= 0])
        r[t] = (v[t] - e) / e
    for t in range(60):
        w = r[max(0, t - W):t]
        w = w[np.isfinite(w)]
        if len(w) < W // 2:
            assert np.isnan(n["z"].iat[t])
            continue
        m = np.median(w)
        sd = 1.4826 * np.median(np.abs(w - m))
        assert n["z"].iat[t] == pytest.approx((r[t] - m) / sd)


def test_extended_registry_keeps_the_family():
    """robust_z and burst have the finops signature (cost series first, threshold_share, floor_usd,
    direction) and output columns; the finops registry itself is untouched."""
    assert set(A.DETECTORS) == set(F.DETECTORS) | {"robust_z", "burst"}
    assert "robust_z" not in F.DETECTORS and "burst" not in F.DETECTORS
    s = pd.Series([100.0] * 40 + [400.0], index=pd.date_range("2026-01-01", periods=41, tz="UTC"))
    for name, fn in A.DETECTORS.items():
        out = fn(s, threshold_share=0.5, floor_usd=50.0, direction="up")
        assert list(out.columns) == [*F._ALERT_COLUMNS, "detector"]
        assert out["period"].tolist() == [s.index[40]], name
    with pytest.raises(ModelError, match="direction"):
        A.robust_z_alerts(s, direction="down")
    with pytest.raises(ModelError, match="cost_usd"):
        A.robust_z_alerts(s.where(s < 300, -1.0))
    with pytest.raises(ModelError, match="direction"):
        A.burst_alerts(s, direction="down")
    with pytest.raises(ModelError, match="burst_periods"):
        A.burst_alerts(s, burst_periods=(0, 2))
    with pytest.raises(ModelError, match="scale"):
        A.noise_scale(s, scale="iqr")


# ---------------------------------------------------------------------------------------------------
# incidents

def test_three_day_run_is_one_incident_with_the_summed_excess():
    """Alerts on db on Nov 3, 4 (two detectors: $70 and $80), 5 and on Nov 9; one on web on Nov 4.
    db Nov 3-5 is one incident: excess 50 + max(70, 80) + 30 = $160, peak $80 on Nov 4, seen by forecast
    and robust_z; db Nov 9 is a second ($20); web a third ($5). Total 160 + 20 + 5 = $185 =
    finops.anomaly_dollars of the same alerts."""
    d = pd.Timestamp("2026-11-01", tz="UTC")
    day = [d + pd.Timedelta(days=i) for i in (2, 3, 3, 4, 8, 3)]
    a = pd.DataFrame({"svc": ["db"] * 5 + ["web"], "period": day,
                      "change_usd": [50.0, 70.0, 80.0, 30.0, 20.0, 5.0],
                      "detector": ["forecast", "forecast", "robust_z", "forecast", "seasonal", "forecast"]})
    inc = A.incidents(a, ["svc"])
    assert len(inc) == 3
    first = inc.iloc[0]
    assert (first["svc"], first["start"], first["end"]) == ("db", day[0], day[3])
    assert first["periods"] == 3 and first["alerts"] == 4
    assert first["excess_usd"] == 160.0 and first["peak_usd"] == 80.0 and first["peak_period"] == day[1]
    assert first["detectors"] == "forecast, robust_z"
    assert inc["excess_usd"].tolist() == [160.0, 20.0, 5.0]
    assert inc["excess_usd"].sum() == 185.0 == F.anomaly_dollars(a, ["svc"])
    # a gap of 4 days (Nov 5 -> Nov 9) is bridged only by max_gap_periods >= 4
    assert len(A.incidents(a, ["svc"], max_gap_periods=3)) == 3
    assert A.incidents(a, ["svc"], max_gap_periods=4)["excess_usd"].tolist() == [180.0, 5.0]
    # hourly periods step by an hour
    h = a.assign(period=[d + pd.Timedelta(hours=i) for i in (2, 3, 3, 4, 8, 3)])
    assert A.incidents(h, ["svc"], freq="h")["excess_usd"].tolist() == [160.0, 20.0, 5.0]
    assert A.incident_gate(inc, min_excess_usd=20.0)["excess_usd"].tolist() == [160.0, 20.0]
    assert A.incident_gate(inc, min_periods=2)["excess_usd"].tolist() == [160.0]


def test_incidents_of_no_alerts():
    empty = pd.DataFrame(columns=["svc", "period", "change_usd", "detector"])
    assert list(A.incidents(empty, ["svc"]).columns) == ["svc", *A.INCIDENT_COLUMNS]
    assert len(A.incidents(empty, ["svc"])) == 0


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 30),
                          st.floats(-50, 500, allow_nan=False), st.sampled_from(["forecast", "seasonal", "robust_z"])),
                min_size=1, max_size=60),
       st.integers(1, 4))
def test_incidents_partition_the_alerts_and_conserve_excess(rows, gap):
    """Every alert has one incident number; alerts of one incident are on its series inside [start, end];
    two incidents of one series are more than the gap apart; total excess = finops.anomaly_dollars."""
    a = pd.DataFrame(rows, columns=["svc", "period", "change_usd", "detector"])
    labels = A.label_incidents(a, ["svc"], max_gap_periods=gap)
    assert len(labels) == len(a)
    inc = A.incidents(a, ["svc"], max_gap_periods=gap).set_index("incident")
    assert sorted(set(labels)) == list(inc.index)
    assert inc["alerts"].sum() == len(a)
    for label, group in a.groupby(labels):
        i = inc.loc[label]
        assert (group["svc"] == i["svc"]).all()
        assert group["period"].min() == i["start"] and group["period"].max() == i["end"]
    for _, g in inc.sort_values(["svc", "start"]).groupby("svc"):
        assert ((g["start"].to_numpy()[1:] - g["end"].to_numpy()[:-1]) > gap).all()
    assert inc["excess_usd"].sum() == pytest.approx(F.anomaly_dollars(a, ["svc"]))
    assert (inc["peak_usd"] <= inc["excess_usd"] + 1e-9).all()


def test_noise_gate():
    a = pd.DataFrame({"svc": ["db", "db", "web"], "period": [1, 2, 1], "noise_z": [5.0, 2.0, np.nan]})
    assert A.noise_gate(a, 3.0)["period"].tolist() == [1]
    assert A.noise_gate(a, 2.0)["period"].tolist() == [1, 2]
    with pytest.raises(ModelError, match="noise_z"):
        A.noise_gate(a.drop(columns="noise_z"))


def test_detect_noise_z_is_the_robust_z_for_robust_z():
    """For the robust_z detector with the same expectation settings as the noise, noise_z = its z."""
    b = S.generate("realistic", seed=11, n_series=8, days=42, events_per_kind=1)
    settings_ = {"season_periods": 7, "seasons": 4, "window_periods": 28}
    al = A.detect(b.frame, ["series"], {"robust_z": {"floor_usd": 0.0, **settings_}}, noise=settings_)
    assert len(al) > 0
    for key, s in A.cost_series(b.frame, ["series"]):
        mine = al[al["series"] == key[0]]
        if len(mine):
            z = A.noise_scale(s, **settings_)["z"].reindex(mine["period"]).to_numpy()
            assert mine["noise_z"].to_numpy() == pytest.approx(z)
            assert (mine["noise_z"] >= 3.5).all()


# ---------------------------------------------------------------------------------------------------
# scoring

def test_score_incidents_by_hand():
    """Events: a spike on a (day 5), a shift on b (days 10-30, found by day 23), a drift on d (days 12-40,
    found by day 25). Incidents: a 5-6 (finds the spike), b 26-27 (in effect, so a true page, but after
    found_by: the shift is not found), c day 2 (false), d 20 (finds the drift).
    Pages 4, true 3, false 1: precision 3/4; recall 2/3; F1 = 2 x .75 x .6667 / 1.4167 = 0.7059.
    Per kind: spike recall 1 -> F1 2 x .75 / 1.75 = 0.8571; shift 0 -> 0; drift 1 -> 0.8571.
    False pages per 1,000 series-days over 4 series x 50 days: 1000 / 200 = 5."""
    ev = pd.DataFrame({"svc": ["a", "b", "d"], "kind": ["spike", "level_shift", "drift"], "start": [5, 10, 12],
                       "end": [5, 30, 40], "found_by": [5, 23, 25]})
    inc = pd.DataFrame({"svc": ["a", "b", "c", "d"], "start": [5, 26, 2, 20], "end": [6, 27, 2, 20]})
    s = A.score_incidents(inc, ev, ["svc"], series_days=200)
    assert s.loc["all", "pages"] == 4 and s.loc["all", "true_pages"] == 3 and s.loc["all", "false_pages"] == 1
    assert s.loc["all", "precision"] == 0.75
    assert s.loc["all", "recall"] == pytest.approx(2 / 3)
    assert s.loc["all", "f1"] == pytest.approx(0.70588, abs=1e-5)
    assert s.loc["spike", "f1"] == pytest.approx(6 / 7)
    assert s.loc["level_shift", "recall"] == 0 and s.loc["level_shift", "f1"] == 0
    assert s.loc["level_shift", "pages"] == 1  # the late page is about the shift
    assert s.loc["all", "false_pages_per_1k_series_days"] == 5.0
    assert list(s.index) == ["spike", "level_shift", "drift", "all"]
    none = A.score_incidents(inc.iloc[:0], ev, ["svc"], series_days=200)
    assert np.isnan(none.loc["all", "precision"]) and none.loc["all", "f1"] == 0


def test_pooled_scores_sum_counts_before_ratios():
    """Two runs: 1 of 2 events found with 1 false page in 100 series-days, then 2 of 2 with none in 100:
    pooled recall 3/4, precision 3/4, false pages 1 per 200 series-days = 5 per 1,000."""
    class Bench:
        def __init__(self, events, days):
            self.events, self.series_days = events, days
    ev = pd.DataFrame({"series": ["a", "b"], "kind": ["spike", "spike"], "start": [5, 5], "end": [5, 5]})
    r1 = (pd.DataFrame({"series": ["a", "c"], "start": [5, 9], "end": [5, 9]}), Bench(ev, 100.0))
    r2 = (pd.DataFrame({"series": ["a", "b"], "start": [5, 5], "end": [5, 5]}), Bench(ev, 100.0))
    s = A._pooled([r1, r2])
    assert s.loc["all", "recall"] == 0.75 and s.loc["all", "precision"] == 0.75
    assert s.loc["all", "false_pages_per_1k_series_days"] == 5.0


# ---------------------------------------------------------------------------------------------------
# generator

def test_generator_is_seeded_and_states_its_truth():
    a = S.generate("realistic", seed=5)
    b = S.generate("realistic", seed=5)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert not S.generate("realistic", seed=6).frame.equals(a.frame)
    lv = S.LEVELS["realistic"]
    assert a.events["kind"].value_counts().to_dict() == {k: 4 for k in S.KINDS}
    assert a.events["series"].is_unique  # one anomaly per series
    for kind, (lo, hi) in lv.sizes.items():
        sizes = a.events.loc[a.events["kind"] == kind, "size_share"]
        assert ((sizes >= lo) & (sizes <= hi)).all()
    assert ((a.noise_share >= 0.02) & (a.noise_share <= 0.10)).all()
    assert a.series_days == 40 * 70
    on = a.scored_on().set_index("kind")
    assert on.loc["spike", "size_range_low_share"] == 0.2 and on.loc["spike", "events"] == 4
    assert "noise 2%-10% per day" in a.describe() and "spike +20% to +100%" in a.describe()


def test_generator_noise_and_anomaly_sizes_are_what_it_says():
    """On clean series, the residual of cost against the noiseless expectation has the drawn standard
    deviation (5% at noise5_events20; 40 series x 70 days: sample sd within 0.3 points). The spike days
    cost 1.2 x the same days' expectation on average; extra_usd = cost - cost / 1.2 summed over them."""
    b = S.generate("noise5_events20", seed=2)
    f = b.frame.assign(day=(b.frame["period_start"] - S.START).dt.days)
    hit = set(b.events["series"])
    clean = f[~f["series"].isin(hit)].copy()
    # expectation without the noise: level x profile x growth; estimate it by the series' weekday medians
    # over a short stretch is circular, so use the generator's own construction: noise e = cost / expected - 1
    # has sd 0.05 for every series; weekly profile and growth cancel within ratios of the same weekday a week apart
    ratio = []
    for _, g in clean.groupby("series"):
        c = g["effective_cost"].to_numpy()
        ratio.append(c[7:] / c[:-7])
    ratio = np.concatenate(ratio)
    # (1 + s e1) / (1 + s e2) has sd ~ s sqrt(2) (times the tiny weekly growth)
    assert np.std(ratio) == pytest.approx(0.05 * np.sqrt(2), abs=0.004)
    for _, e in b.events[b.events["kind"] == "spike"].iterrows():
        s = f[f["series"] == e["series"]].set_index("period_start")["effective_cost"]
        days = s.loc[e["start"]:e["end"]]
        assert len(days) == e["periods"]
        assert e["extra_usd"] == pytest.approx(float((days - days / 1.2).sum()))


def test_generator_hourly_and_bad_input():
    h = S.generate("easy", seed=1, freq="h", n_series=8, days=36, events_per_kind=1)
    assert len(h.frame) == 8 * 36 * 24
    assert (h.frame.groupby("series")["period_start"].diff().dropna() == pd.Timedelta(hours=1)).all()
    assert h.series_days == 8 * 36
    with pytest.raises(ModelError, match="level = 'impossible'"):
        S.generate("impossible")
    with pytest.raises(ModelError, match="events_per_kind = 3"):
        S.generate(n_series=8, events_per_kind=3)
    with pytest.raises(ModelError, match="freq"):
        S.generate(freq="W")


def test_backtest_generated_states_what_it_scored():
    bt = A.backtest_generated(level="noise5_events20", seeds=(7, 8),
                              generator={"n_series": 12, "days": 56, "events_per_kind": 2})
    assert set(bt.scored_on["kind"]) == set(S.KINDS)
    assert (bt.scored_on["events"] == 4).all()  # 2 per kind x 2 seeds
    assert (bt.scored_on["smallest_size_share"] == 0.2).all()
    assert "noise 5% per day" in bt.description and "Pooled over 2 seeds (7, 8)" in bt.description
    summary = bt.summary()
    assert summary.index[-1] == "incidents" and (summary["events"] == 16).all()
    assert ((summary["recall"] >= 0) & (summary["recall"] <= 1)).all()


def test_no_noise_estimate_no_page():
    """A rise on day 9 of a new series: the forecast alerts (+200% over last week), but the noise needs 14
    residuals (window 28 / 2) and has 2, so noise_z is NaN and the noise gate drops it; a noiseless long
    series gives +inf (any rise stands out) and passes."""
    days = pd.date_range("2026-11-01", periods=10, tz="UTC")
    f = pd.DataFrame({"svc": "db", "period_start": days, "effective_cost": [100.0] * 8 + [300.0, 100.0]})
    a = A.detect(f, ["svc"], {"forecast": {"floor_usd": 10.0}})
    assert len(a) == 1 and np.isnan(a["noise_z"].iat[0])
    assert len(A.noise_gate(a, 4.0)) == 0
    long = pd.DataFrame({"svc": "db", "period_start": pd.date_range("2026-11-01", periods=41, tz="UTC"),
                         "effective_cost": [100.0] * 40 + [300.0]})
    b = A.detect(long, ["svc"], {"forecast": {"floor_usd": 10.0}})
    assert b["noise_z"].tolist() == [np.inf] and len(A.noise_gate(b, 4.0)) == 1


def test_no_noise_gate_keeps_every_alert():
    """The day-9 rise of a new series (noise_z NaN): the gate at 0 drops it, no gate (None, "off", or a
    detector mapped to None) keeps it; a misspelt "no gate" is refused."""
    days = pd.date_range("2026-11-01", periods=10, tz="UTC")
    f = pd.DataFrame({"svc": "db", "period_start": days, "effective_cost": [100.0] * 8 + [300.0, 100.0]})
    a = A.detect(f, ["svc"], {"forecast": {"floor_usd": 10.0}})
    assert len(a) == 1 and np.isnan(a["noise_z"].iat[0])
    assert len(A.noise_gate(a, 0.0)) == 0
    assert len(A.noise_gate(a, None)) == 1 and len(A.noise_gate(a, A.NO_NOISE_GATE)) == 1
    assert len(A.noise_gate(a, {"forecast": None})) == 1 and len(A.noise_gate(a, {"robust_z": None})) == 0
    with pytest.raises(ModelError, match="noise_multiple"):
        A.noise_gate(a, "none")


def test_backtest_without_noise_gates_pages_every_alerts_incident():
    """With no noise gate, no incident noise gate and no minimum excess, the combined incidents are exactly
    `incidents` of every alert the detectors raise on the same generated series (rebuilt here)."""
    gen = {"n_series": 12, "days": 56, "events_per_kind": 2}
    det = {"forecast": {"floor_usd": 10.0}, "robust_z": {"floor_usd": 10.0}}
    bt = A.backtest_generated(detectors=det, level="moderate", seeds=(3,), freq="D", noise_multiple="off",
                              min_incident_z=0.0, min_excess_usd=0.0, max_gap_periods=1, generator=gen)
    bench = S.generate("moderate", seed=3, freq="D", **gen)
    alerts = A.detect(bench.frame, ["series"], det, noise=A.COMBINED["D"]["noise"])
    want = A.incidents(alerts, ["series"], "D", 1)
    assert int(bt.scores.loc[("incidents", "all"), "pages"]) == len(want) > 0
    pd.testing.assert_frame_equal(bt.incidents.reset_index(drop=True), want.reset_index(drop=True))
    gated = A.backtest_generated(detectors=det, level="moderate", seeds=(3,), freq="D", noise_multiple=0.0,
                                 min_incident_z=0.0, min_excess_usd=0.0, max_gap_periods=1, generator=gen)
    assert len(gated.incidents) < len(want)  # 0 is a gate: it drops the alerts before a noise estimate


# ---------------------------------------------------------------------------------------------------
# incident noise gate

def test_incident_noise_gate_by_hand():
    """db: three periods of $30 excess on $100 with 10% noise: Z = 90 / sqrt(3 x 10^2) = 5.196; web: one
    period of $25 with $10 noise: Z = 2.5. A cut of 5 keeps db, 5.2 keeps neither, 0 keeps all."""
    a = pd.DataFrame({"svc": ["db"] * 3 + ["web"], "period": [1, 2, 3, 7], "change_usd": [30.0, 30, 30, 25],
                      "expected_usd": [100.0] * 4, "noise_share": [0.1] * 4})
    assert A.incident_noise_gate(a, ["svc"], min_incident_z=5.0)["svc"].tolist() == ["db"] * 3
    assert len(A.incident_noise_gate(a, ["svc"], min_incident_z=5.2)) == 0
    assert len(A.incident_noise_gate(a, ["svc"], min_incident_z=0.0)) == 4
    with pytest.raises(ModelError):
        A.incident_noise_gate(a.drop(columns="noise_share"), ["svc"])


def test_incident_noise_gate_two_detectors_one_period_and_zero_noise():
    """Two detectors on one period count once: excess max(40, 60) = 60, noise median(10, 20) = 15, Z = 4;
    a noiseless series (noise 0) has Z = +inf and always passes."""
    a = pd.DataFrame({"svc": ["db", "db", "q"], "period": [5, 5, 9], "change_usd": [40.0, 60.0, 1.0],
                      "expected_usd": [100.0, 200.0, 50.0], "noise_share": [0.1, 0.1, 0.0]})
    assert A.incident_noise_gate(a, ["svc"], min_incident_z=3.99)["svc"].tolist() == ["db", "db", "q"]
    assert A.incident_noise_gate(a, ["svc"], min_incident_z=4.01)["svc"].tolist() == ["q"]


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 40), st.floats(0.0, 50.0),
                          st.floats(0.01, 0.3)), min_size=0, max_size=25),
       st.integers(1, 4), st.floats(0.0, 12.0))
@settings(max_examples=60, deadline=None)
def test_incident_noise_gate_keeps_whole_incidents_against_a_brute_force(rows, gap, z_min):
    """Brute force: each incident's Z from its alerts by loops; the gate keeps exactly the alerts of the
    incidents with Z >= z_min, so kept alerts form whole incidents (a subset of the partition)."""
    a = pd.DataFrame(rows, columns=["svc", "period", "change_usd", "noise_share"]).assign(expected_usd=100.0)
    kept = A.incident_noise_gate(a, ["svc"], max_gap_periods=gap, min_incident_z=z_min)
    if not len(a):
        assert len(kept) == 0
        return
    labels = A.label_incidents(a, ["svc"], max_gap_periods=gap)
    expect = []
    for i in sorted(set(labels)):
        part = a[labels == i]
        x = v = 0.0
        for _, g in part.groupby("period"):
            x += g["change_usd"].max()
            v += float(np.median(g["noise_share"] * g["expected_usd"])) ** 2
        z = x / np.sqrt(v) if v > 0 else np.inf
        if z_min == 0 or z >= z_min:
            expect.extend(part.index.tolist())
    got = kept.sort_values(["svc", "period", "change_usd"]).reset_index(drop=True)
    want = a.loc[sorted(expect)].sort_values(["svc", "period", "change_usd"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[a.columns], want[a.columns], check_dtype=False, rtol=1e-9)
