"""Tests of the short-burst check (`costlib.anomaly.burst_alerts`), the Qn noise scale and the incident
gate's centring and per-detector minimum: numbers worked by hand in the docstrings, brute-forced with loops,
or checked against statsmodels' independent Qn."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from statsmodels.robust.scale import qn_scale as statsmodels_qn

from costlib import anomaly as A

SIGMA = 1.4826 * 0.02  # the MAD-sigma of residual shares 0, +2%, -2% repeated


# ---------------------------------------------------------------------------------------------------
# Qn


def test_qn_is_statsmodels_qn_times_the_small_sample_factor():
    """statsmodels' qn_scale is the same order statistic times 2.2191 without d_n; d_n from Croux and
    Rousseeuw (1992): n / (n + 3.8) even, n / (n + 1.4) odd above 9, a table at 2-9."""
    rng = np.random.default_rng(11)
    d_small = {2: 0.399, 3: 0.994, 4: 0.512, 5: 0.844, 6: 0.611, 7: 0.857, 8: 0.669, 9: 0.872}
    for n in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 28, 57, 168]:
        x = rng.standard_normal(n) * 3 + 7
        d = d_small.get(n, n / (n + 3.8) if n % 2 == 0 else n / (n + 1.4))
        assert A.qn_scale(x) == pytest.approx(d * float(statsmodels_qn(x)), rel=1e-12), n


def test_qn_by_hand_and_nan():
    """1..10: the 45 distances are k (10 - k times) for k = 1..9; the 15th smallest is 2 (nine 1s, eight
    2s); 2.2191444 x 2 x 10 / 13.8 = 3.21615. NaN is ignored; under two values there is no spread."""
    assert A.qn_scale(np.arange(1, 11)) == pytest.approx(2.2191444659850756 * 2 * 10 / 13.8)
    assert A.qn_scale([1, 2, np.nan, 3, 4, 5, 6, 7, 8, 9, 10]) == pytest.approx(A.qn_scale(np.arange(1, 11)))
    assert np.isnan(A.qn_scale([3.0])) and np.isnan(A.qn_scale([np.nan, 1.0]))


def test_noise_scale_qn_is_qn_of_the_trailing_window():
    """noise_share with scale="qn" is qn_scale of the trailing residual shares, period by period (a loop
    over the definition), where at least half the window is known."""
    rng = np.random.default_rng(5)
    c = pd.Series(200 * (1 + 0.05 * rng.standard_normal(80)))
    n = A.noise_scale(c, 7, 3, 21, scale="qn")
    r = n["residual_share"].to_numpy()
    checked = 0
    for t in range(80):
        w = r[max(0, t - 21):t]
        w = w[np.isfinite(w)]
        if len(w) < 10:
            assert np.isnan(n["noise_share"].iat[t])
            continue
        assert n["noise_share"].iat[t] == pytest.approx(A.qn_scale(w), rel=1e-12)
        assert n["z"].iat[t] == pytest.approx((r[t] - np.median(w)) / A.qn_scale(w), rel=1e-9)
        checked += 1
    assert checked > 50


# ---------------------------------------------------------------------------------------------------
# the burst check


def _toy():
    """$100, $102, $98 three times, then $100, $112, $112 (season 1, 3 seasons, window 6)."""
    return pd.Series([100.0, 102.0, 98.0] * 3 + [100.0, 112.0, 112.0])


def test_burst_z_closed_form():
    """Residual shares of periods 3-9 are 0, +2%, -2%, ... (each against the median of the 3 before, 100),
    so sigma = 1.4826 x 2% at periods 9-11 and the centre is 0. Periods 10 and 11 are +$12 each. One period:
    Z = 12 / 2.9652 = 4.047; the two: 24 / sqrt(2 x 2.9652^2) = 5.7232; periods 9-11: 24 / sqrt(3 x
    2.9652^2) = 4.6730. A z-threshold just under 5.7232 pages periods 10-11, just over it nothing."""
    z2 = 24 / np.sqrt(2 * (100 * SIGMA) ** 2)
    assert z2 == pytest.approx(5.7232, abs=1e-4)
    kw = dict(floor_usd=10, season_periods=1, seasons=3, window_periods=6)
    a = A.burst_alerts(_toy(), z_threshold=z2 - 1e-6, **kw)
    assert a["period"].tolist() == [10, 11] and a["change_usd"].tolist() == [12.0, 12.0]
    assert a["expected_usd"].tolist() == [100.0, 100.0] and a["detector"].tolist() == ["burst", "burst"]
    assert len(A.burst_alerts(_toy(), z_threshold=z2 + 1e-6, **kw)) == 0
    # z 4.5: the one-period burst at 10 fails (4.05), the best passing burst ending at 11 is still the pair
    assert A.burst_alerts(_toy(), z_threshold=4.5, **kw)["period"].tolist() == [10, 11]
    # z 4: period 10 alone passes too (4.05); the pair (5.72) beats the single period 11 (4.05) at 11
    assert A.burst_alerts(_toy(), z_threshold=4.0, **kw)["period"].tolist() == [10, 11]
    assert A.burst_alerts(_toy(), z_threshold=4.0, burst_periods=(1,), **kw)["period"].tolist() == [10, 11]
    # the gates: $24 in total is under a $25 floor; 24 / 200 = 12% is under a 13% share
    assert len(A.burst_alerts(_toy(), z_threshold=5, **{**kw, "floor_usd": 25})) == 0
    assert len(A.burst_alerts(_toy(), z_threshold=5, threshold_share=0.13, **kw)) == 0


def _brute_burst(c, season, seasons, window, lengths, z_min, floor, share_min, first):
    """The burst rule by loops over `noise_scale`'s columns: best Z per end period, its periods alert."""
    n = A.noise_scale(c, season, seasons, window)
    e, r, m, sd = (n[k].to_numpy() for k in ["expected_usd", "residual_share", "center_share", "noise_share"])
    hit = set()
    for t in range(len(c)):
        best = None
        for L in sorted(lengths):
            u = range(t - L + 1, t + 1)
            if t - L + 1 < 0 or any(i < first or not (np.isfinite(r[i]) and np.isfinite(m[i]) and np.isfinite(sd[i])
                                                      and e[i] > 0) for i in u):
                continue
            X = sum((r[i] - m[i]) * e[i] for i in u)
            V = sum((sd[i] * e[i]) ** 2 for i in u)
            Z = X / np.sqrt(V) if V > 0 else (np.inf if X > 0 else 0.0)
            if Z >= z_min and X >= floor and X / sum(e[i] for i in u) >= share_min and (best is None or Z > best[0]):
                best = (Z, L)
        if best:
            hit |= set(range(t - best[1] + 1, t + 1))
    return sorted(hit)


def test_burst_matches_a_brute_force():
    """On noisy weekly series with a few injected bursts, the alert periods equal the loop's."""
    rng = np.random.default_rng(21)
    for trial in range(6):
        c = 100 * (1 + 0.04 * rng.standard_normal(120))
        for start in rng.integers(30, 110, 3):
            c[start:start + rng.integers(1, 6)] *= 1 + rng.uniform(0.1, 0.3)
        s = pd.Series(c)
        for z_min, lengths in [(3.0, (1, 2, 3)), (4.0, (2, 4, 6)), (2.0, (3,))]:
            got = A.burst_alerts(s, threshold_share=0.05, floor_usd=5, season_periods=7, seasons=3, window_periods=21,
                                 burst_periods=lengths, z_threshold=z_min)["period"].tolist()
            assert got == _brute_burst(s, 7, 3, 21, lengths, z_min, 5, 0.05, 14), (trial, z_min, lengths)


@settings(max_examples=40, deadline=None)
@given(level=st.floats(10, 10_000), amplitude=st.floats(0, 0.02), seed=st.integers(0, 10_000),
       z_min=st.floats(0, 6))
def test_flat_series_with_noise_below_the_share_gate_pages_nothing(level, amplitude, seed, z_min):
    """Cost within ±a of a flat level, a <= 2%: every expectation (a median of past costs) and every cost
    lie in [L(1-a), L(1+a)], so each residual share is within ±2a / (1 - a) and the centre too, and a
    burst's excess share X / Σe is at most 4a / (1 - a) = 8.2% < the 10% gate, whatever its z."""
    rng = np.random.default_rng(seed)
    s = pd.Series(level * (1 + amplitude * rng.uniform(-1, 1, 400)))
    assert len(A.burst_alerts(s, threshold_share=0.10, floor_usd=0.0, season_periods=24, seasons=3, window_periods=48,
                              burst_periods=(1, 2, 4, 8, 12), z_threshold=z_min)) == 0


def test_noiseless_flat_series_pages_nothing_and_a_step_pages_from_its_first_hour():
    """A constant series has X = 0 everywhere: at a z-threshold of 0 and a $0 floor the share gate (0 < 10%)
    still stops it. A +50% step on a noiseless series is Z = +inf from its first hour; on a tie the
    shortest burst is the best, so no hour before the step alerts, and every alert is the step's +$20 over
    the expectation (the median of 1-3 days back, still $40)."""
    flat = pd.Series([40.0] * 24 * 21)
    assert len(A.burst_alerts(flat, floor_usd=0.0, season_periods=24, seasons=3, window_periods=48, z_threshold=0)) == 0
    step = flat.copy()
    step.iloc[24 * 18:] = 60.0
    a = A.burst_alerts(step, floor_usd=1.0, season_periods=24, seasons=3, window_periods=48, burst_periods=(1, 4))
    assert a["period"].min() == 24 * 18 and set(range(24 * 18, 24 * 19)) <= set(a["period"])
    assert set(a["change_usd"]) == {20.0}


def test_burst_in_the_registry_runs_through_detect():
    """`detect` runs the burst check like any detector: the same alert periods, with noise z columns."""
    days = pd.date_range("2026-11-01", periods=12)
    f = pd.DataFrame({"svc": "db", "period_start": days, "effective_cost": _toy().to_numpy()})
    a = A.detect(f, ["svc"], {"burst": {"floor_usd": 10, "season_periods": 1, "seasons": 3, "window_periods": 6,
                                        "z_threshold": 5}}, noise={"season_periods": 1, "seasons": 3, "window_periods": 6})
    assert a["period"].dt.day.tolist() == [11, 12] and a["detector"].tolist() == ["burst"] * 2
    assert a["noise_z"].tolist() == pytest.approx([0.12 / SIGMA] * 2)


# ---------------------------------------------------------------------------------------------------
# the incident gate: centred excess, a minimum per detector


def test_incident_gate_measures_excess_over_the_centred_expectation():
    """One alert +$10 over a $100 expectation with 2% noise: uncentred Z = 10 / 2 = 5; if the series'
    residual shares centre at +4% (a growing bill the seasonal median lags), noise_z = (0.10 - 0.04) /
    0.02 = 3 and the centred excess is $6: Z = 3, under a minimum of 4 (kept without noise_z: 5)."""
    a = pd.DataFrame({"svc": ["db"], "period": [1], "change_usd": [10.0], "expected_usd": [100.0],
                      "noise_share": [0.02], "detector": ["robust_z"]})
    assert len(A.incident_noise_gate(a, ["svc"], min_incident_z=4.0)) == 1
    centred = a.assign(noise_z=[(0.10 - 0.04) / 0.02])
    assert len(A.incident_noise_gate(centred, ["svc"], min_incident_z=4.0)) == 0
    assert len(A.incident_noise_gate(centred, ["svc"], min_incident_z=2.99)) == 1


def test_incident_gate_per_detector_minimum():
    """Incident 1 (db: robust_z alone, Z = 90 / sqrt(300) = 5.196) needs robust_z's 6 and fails; incident 2
    (web: one robust_z and one burst alert, Z = 50 / sqrt(200) = 3.54) needs the smaller of 6 and burst's 3
    and passes; incident 3 (q: a detector left out, Z = 4) needs the largest given, 6, and fails."""
    a = pd.DataFrame({"svc": ["db"] * 3 + ["web", "web", "q"], "period": [1, 2, 3, 5, 6, 9],
                      "change_usd": [30.0, 30, 30, 25, 25, 40], "expected_usd": [100.0] * 6,
                      "noise_share": [0.1] * 6, "detector": ["robust_z"] * 4 + ["burst", "forecast"]})
    kept = A.incident_noise_gate(a, ["svc"], min_incident_z={"robust_z": 6.0, "burst": 3.0})
    assert kept["svc"].tolist() == ["web", "web"]
    kept = A.incident_noise_gate(a, ["svc"], min_incident_z={"robust_z": 5.0, "burst": 3.0})
    assert kept["svc"].tolist() == ["db"] * 3 + ["web", "web"]
    with pytest.raises(Exception, match="min_incident_z"):
        A.incident_noise_gate(a, ["svc"], min_incident_z={"burst": -1.0})
