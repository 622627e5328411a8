"""Anomaly detection on generated series of realistic difficulty: costbook against the field's baselines.

Series and truth from `costlib.synthetic_anomalies.generate` (spikes, level shifts, drifts, seasonal
breaks; noise and sizes drawn from each difficulty preset's stated ranges), daily and hourly, several
seeds per difficulty. Every method's alerts become incidents the same way (`costlib.anomaly.incidents`,
alerts on one series at most ``max_gap_periods`` apart are one page) and are scored the same way
(`costlib.anomaly.score_incidents`): precision, recall and F1 per kind of anomaly, false pages per 1,000
series-days, pooled over the seeds.

Methods:

- costbook's detectors alone (``rate_of_change``, ``forecast``, ``seasonal``, ``robust_z``) with their
  default gates and the dollar floor; hourly also ``burst`` (the short-burst check) at its combined settings;
- ``costbook incidents``: costbook's combined incidents, scored by `costlib.anomaly.backtest_generated` at
  its defaults (`costlib.anomaly.COMBINED`: several detectors, the noise-aware gates, incidents): the very
  call workbook 06 makes for costbook's default, on the same seeds, so the table scores what it runs;
- baselines written here, independently of costlib, all with the same dollar floor:
  ``stl_tukey`` (statsmodels STL, robust, with Tukey fences on the residual: what Azure Data Explorer's
  ``series_decompose_anomalies`` does), ``rolling_z`` (trailing mean and standard deviation) and
  ``dod_50`` (AWS-style: cost up 50% on the same hour or day a day earlier).

Tuning, honestly: each baseline's settings (the fence multiple, the z cut-off and window) are chosen per
difficulty and frequency on the tuning seeds (100-104) by the best F1 there; costbook's combined settings
are one setting per frequency for every difficulty, chosen on the same tuning seeds (a grid over the noise
scale, the noise multiples, the incident noise z, the minimum excess and, hourly, the burst check's z: the
best mean F1 among the settings meeting both targets on every level there). Daily: Qn noise, robust z
from 1 deviation, incidents from Z >= 4.5 (mean F1 0.944 on the tuning seeds, against 0.845 for the
previous MAD, z >= 4, no incident z). Hourly: robust z from 3, incidents from Z >= 9, and the burst check
from Z >= 5 paging on its own test (mean F1 0.932 against 0.851 without the burst check; the best, 0.933
with the burst check from 4.5, sat exactly on realistic-hourly's false-page limit there, 6 against 6, and
was passed over for the one 0.0014 below it with 2). The table reports other seeds (0-4), never the
tuning ones.

Target (issue 22): on every difficulty, costbook's combined incidents have the best F1, with no more
false pages per 1,000 series-days than the best baseline at that difficulty.

Usage: ``python benchmarks/anomaly_detection.py [--seeds 0 1 2 3 4]``. The last line is
``RESULT {"levels": [{"name": ..., "costbook_f1": ..., "best_baseline_f1": ...,
"costbook_false_pages_per_1k": ..., "best_baseline_false_pages_per_1k": ...}, ...]}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from costlib import anomaly, synthetic_anomalies  # noqa: E402

KEYS = ["series"]
TUNING_SEEDS = (100, 101, 102, 103, 104)
REPORT_SEEDS = (0, 1, 2, 3, 4)
FLOOR_USD = {"D": 10.0, "h": 1.0}
PER_DAY = {"D": 1, "h": 24}

# ---------------------------------------------------------------------------------------------------
# Baselines, written here from their published descriptions (not costlib's code)
# ---------------------------------------------------------------------------------------------------


def _frame(series, mask, expected, name):
    change = series.to_numpy() - expected
    return pd.DataFrame({"period": series.index[mask], "change_usd": change[mask], "detector": name})


_CACHE: dict = {}


def _cached(kind, series, arg, compute):
    """One STL fit / rolling window per series and setting, whatever the fence or cut-off tried on it."""
    key = (kind, id(series), arg)
    if key not in _CACHE:
        _CACHE[key] = (series, compute())  # holding the series keeps its id unique while cached
    return _CACHE[key][1]


def stl_tukey(series, period, k, floor):
    """STL (robust LOESS, Cleveland et al. 1990) residual above the upper Tukey fence Q3 + k IQR."""
    from statsmodels.tsa.seasonal import STL

    def fit():
        f = STL(series.to_numpy(), period=period, robust=True).fit()
        return f.resid, f.trend + f.seasonal

    resid, expected = _cached("stl", series, period, fit)
    q1, q3 = np.percentile(resid, [25, 75])
    mask = (resid > q3 + k * (q3 - q1)) & (series.to_numpy() - expected >= floor)
    return _frame(series, mask, expected, "stl_tukey")


def rolling_z(series, window, k, floor):
    """Cost more than k standard deviations above the mean of the previous ``window`` periods."""
    def stats():
        past = series.shift(1).rolling(window, min_periods=window)
        return past.mean().to_numpy(), past.std().to_numpy()

    mean, sd = _cached("rolling", series, window, stats)
    c = series.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (c - mean) / sd
    mask = np.nan_to_num(z, nan=-np.inf) >= k
    mask &= c - np.nan_to_num(mean) >= floor
    return _frame(series, mask, np.nan_to_num(mean), "rolling_z")


def dod(series, lag, share, floor):
    """AWS-style: cost up by ``share`` or more against the same period ``lag`` periods (a day) earlier."""
    before = series.shift(lag).to_numpy()
    c = series.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        up = (c - before) / before
    mask = (np.nan_to_num(up, nan=-np.inf) >= share) & (c - np.nan_to_num(before) >= floor)
    return _frame(series, mask, np.nan_to_num(before), "dod_50")


def baseline_grid(freq):
    """Each baseline's settings to choose from on the tuning seeds."""
    p = PER_DAY[freq]
    # hourly: the daily cycle (STL with period 168 takes ~10 s a series here, too slow for 200 series)
    periods = [7] if freq == "D" else [24]
    return {
        "stl_tukey": [dict(period=per, k=k) for per in periods for k in (1.5, 3.0)],
        "rolling_z": [dict(window=w * p, k=k) for w in (7, 14, 28) for k in (2.5, 3.0, 3.5, 4.0)],
        "dod_50": [dict(lag=p, share=0.5)],
    }


BASELINES = {"stl_tukey": stl_tukey, "rolling_z": rolling_z, "dod_50": dod}

# ---------------------------------------------------------------------------------------------------
# Running and scoring
# ---------------------------------------------------------------------------------------------------


def benches(level, freq, seeds):
    return [synthetic_anomalies.generate(level, seed=s, freq=freq) for s in seeds]


def series_of(bench):
    return list(anomaly.cost_series(bench.frame, KEYS, freq=bench.freq))


def baseline_alerts(split, name, settings, freq):
    out = []
    for key, s in split:
        a = BASELINES[name](s, floor=FLOOR_USD[freq], **settings)
        if len(a):
            out.append(a.assign(series=key[0]))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["series", "period", "change_usd",
                                                                                "detector"])


def pooled(runs, gap, freq):
    """Scores over several (alerts, bench), alerts merged into incidents with the same gap for every method."""
    return anomaly._pooled([(anomaly.incidents(a, KEYS, freq, gap), b) for a, b in runs])


def costbook_detectors(freq):
    """costbook's detectors alone, default gates with the dollar floor (hourly: weekly season, day lag)."""
    f = FLOOR_USD[freq]
    if freq == "D":
        return {"rate_of_change": {"floor_usd": f}, "forecast": {"floor_usd": f}, "seasonal": {"floor_usd": f},
                "robust_z": {"floor_usd": f}}
    return {"rate_of_change": {"floor_usd": f, "lag_periods": 24, "min_history_periods": 168},
            "forecast": {"floor_usd": f, "season_periods": 168, "seasons": 3},
            "seasonal": {"floor_usd": f, "period": 168},
            "robust_z": {"floor_usd": f, "season_periods": 168, "seasons": 3, "window_periods": 168}}


#: Detectors whose own gate is not a share, floor or noise z of each alert (so not a filter of the
#: candidates): run alone at their combined settings, per frequency.
RUN_ALONE = {"h": ["burst"], "D": []}


def _defaults(fn):
    import inspect

    return {n: p.default for n, p in inspect.signature(fn).parameters.items() if p.default is not p.empty}


def candidates(bench, freq):
    """Every costbook detector once per series with its share threshold ~0 (and robust_z's z gate off): the
    alerts at any share threshold, floor and noise multiple are a filter of these (finops.anomaly_candidates'
    argument: a detector's expectation does not depend on its gates)."""
    settings = {}
    for name, s in costbook_detectors(freq).items():
        settings[name] = {**s, "threshold_share": 1e-12}
        if name == "robust_z":
            settings[name]["z_threshold"] = 0.0
    noise = anomaly.COMBINED[freq]["noise"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return anomaly.detect(bench.frame, KEYS, settings, noise=noise, freq=freq)


def alone(cands, name, freq):
    """One detector at its default gates, from the candidates (robust_z's z is its noise_z: same settings)."""
    s = {**_defaults(anomaly.DETECTORS[name]), **costbook_detectors(freq)[name]}
    a = cands[(cands["detector"] == name) & (cands["change_share"] >= s["threshold_share"])
              & (cands["change_usd"] >= s["floor_usd"])]
    if name == "robust_z":
        a = a[a["noise_z"] >= s["z_threshold"]]
    return a


def combined(level, freq, seeds):
    """costbook's combined incidents exactly as workbook 06 runs them: `anomaly.backtest_generated` at its
    defaults (`anomaly.COMBINED`'s detectors, noise gates and incident rules for the frequency) on the same
    generated series as every other row."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bt = anomaly.backtest_generated(level=level, seeds=tuple(seeds), freq=freq)
    return bt.scores.loc["incidents"]


def evaluate(level, freq, seeds, tuned=None):
    """All methods on one difficulty and frequency; baselines at ``tuned`` settings, or (``tuned=None``)
    the baselines alone, each at the best of its grid (the tuning step)."""
    bs = benches(level, freq, seeds)
    splits = [series_of(b) for b in bs]
    gap = anomaly.COMBINED[freq]["max_gap_periods"]
    rows = {}
    if tuned is not None:
        cands = [candidates(b, freq) for b in bs]
        for name in costbook_detectors(freq):
            rows[f"costbook {name}"] = pooled([(alone(c, name, freq), b) for c, b in zip(cands, bs)], gap, freq)
        for name in RUN_ALONE[freq]:
            settings = {name: anomaly.COMBINED[freq]["detectors"][name]}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                runs = [(anomaly.detect(b.frame, KEYS, settings, noise=anomaly.COMBINED[freq]["noise"], freq=freq), b)
                        for b in bs]
            rows[f"costbook {name}"] = pooled(runs, gap, freq)
        rows["costbook incidents"] = combined(level, freq, seeds)
    chosen = {}
    for name, grid in baseline_grid(freq).items():
        options = [tuned[name]] if tuned else grid
        best = None
        for settings in options:
            score = pooled([(baseline_alerts(sp, name, settings, freq), b) for sp, b in zip(splits, bs)], gap, freq)
            if best is None or score.loc["all", "f1"] > best[1].loc["all", "f1"]:
                best = (settings, score)
        chosen[name] = best[0]
        rows[name] = best[1]
    _CACHE.clear()
    return rows, chosen


def table(rows):
    out = []
    for method, s in rows.items():
        r = {"method": method}
        for kind in [*synthetic_anomalies.KINDS, "all"]:
            r[f"{kind}_recall" if kind != "all" else "recall"] = s.loc[kind, "recall"]
            if kind != "all":
                r[f"{kind}_f1"] = s.loc[kind, "f1"]
        r["precision"] = s.loc["all", "precision"]
        r["f1"] = s.loc["all", "f1"]
        r["false_pages_per_1k"] = s.loc["all", "false_pages_per_1k_series_days"]
        out.append(r)
    return pd.DataFrame(out).set_index("method")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(REPORT_SEEDS))
    ap.add_argument("--levels", nargs="+", default=list(synthetic_anomalies.LEVELS))
    ap.add_argument("--freqs", nargs="+", default=["D", "h"])
    args = ap.parse_args(argv)
    require_disjoint = set(args.seeds) & set(TUNING_SEEDS)
    if require_disjoint:
        sys.exit(f"--seeds {sorted(require_disjoint)}: those are the tuning seeds; report other seeds")
    result = []
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 30)
    for freq in args.freqs:
        for level in args.levels:
            _, tuned = evaluate(level, freq, TUNING_SEEDS)  # baselines' settings, from the tuning seeds
            rows, _ = evaluate(level, freq, args.seeds, tuned)
            t = table(rows)
            name = f"{level}-{'daily' if freq == 'D' else 'hourly'}"
            bench = synthetic_anomalies.generate(level, seed=args.seeds[0], freq=freq)
            print(f"\n## {name}: {bench.level.words(freq)}")
            print(f"   {bench.describe()}  Scored on held-out seeds {args.seeds} (pooled); costbook's settings "
                  f"and the baselines' tuned on seeds "
                  f"{list(TUNING_SEEDS)}: {json.dumps(tuned)}")
            print(t.round(3).to_string())
            base = t.loc[list(BASELINES)]
            best = base["f1"].idxmax()
            result.append({"name": name, "costbook_f1": round(float(t.loc["costbook incidents", "f1"]), 3),
                           "best_baseline": best, "best_baseline_f1": round(float(base.loc[best, "f1"]), 3),
                           "costbook_false_pages_per_1k": round(float(t.loc["costbook incidents",
                                                                            "false_pages_per_1k"]), 3),
                           "best_baseline_false_pages_per_1k": round(float(base.loc[best, "false_pages_per_1k"]), 3)})
            sys.stdout.flush()
    met = all(r["costbook_f1"] > r["best_baseline_f1"]
              and r["costbook_false_pages_per_1k"] <= r["best_baseline_false_pages_per_1k"] for r in result)
    print(f"\nTarget (best F1 on every level, no more false pages than the best baseline): "
          f"{'met' if met else 'NOT met'}")
    print("RESULT " + json.dumps({"levels": result}))


if __name__ == "__main__":
    main()
