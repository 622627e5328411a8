"""Seeded cost series with anomalies of realistic difficulty, and their truth, for detector backtests.

The demo bill of `costlib.synthetic_focus` carries three large events on nearly noiseless series: every
detector finds them, so a backtest on it says little about a real bill. `generate` makes many daily or
hourly cost series whose noise and anomaly sizes are drawn from stated ranges (a `Difficulty`), places
anomalies of four kinds on random series at random periods, and returns the truth (`AnomalyBench`):

- ``spike``: cost x (1 + size) for 1-3 days (2-12 hours on hourly series), then back;
- ``level_shift``: cost x (1 + size) from the start on (a new service, a forgotten cluster);
- ``drift``: cost x (1 + size x min(1, (t - start + 1) / ramp)), a ramp over 7-21 days (3-10 days
  hourly) that then stays (a leak that grows);
- ``seasonal_break``: the cycle's quiet periods (weekends; nights and weekends hourly) cost x (1 + size)
  from the start on (a batch left running, an autoscaler that no longer scales down).

Every series is ``level x weekly (and daily) profile x (1 + growth)^t x anomaly x (1 + noise x e_t)``
with ``e_t`` standard normal, the noise share drawn per series from the difficulty's range. The
difficulty presets (`LEVELS`) include the case the issue names: 5% noise and +20% events.

An event is *in effect* from ``start`` to ``end`` (inclusive; the end of the series for the kinds that
persist): a page overlapping that span is about a real anomaly. It is *found* when a page overlaps
``start`` to ``found_by``: the spike's own periods, or the first 14 days of a lasting change (a page three
weeks after a shift began is not a detection of it). `costlib.anomaly.score_incidents` applies both.

Examples
--------
>>> bench = generate("noise5_events20", seed=3)
>>> sorted(set(bench.events["kind"])) == sorted(KINDS), bench.series_days
(True, 2800.0)
>>> float(bench.events["size_share"].min()), float(bench.noise_share.max())
(0.2, 0.05)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from costlib import checks
from costlib.errors import require

__all__ = ["KINDS", "Difficulty", "LEVELS", "AnomalyBench", "generate", "FREQUENCIES"]

#: The kinds of anomaly the generator injects.
KINDS = ("spike", "level_shift", "drift", "seasonal_break")

#: Series frequencies: periods per day.
FREQUENCIES = {"D": 1, "h": 24}

#: The first period start of every generated series (a Monday, UTC).
START = pd.Timestamp("2026-01-05", tz="UTC")

#: Days after the start of a lasting change during which a page counts as finding it.
FOUND_WITHIN_DAYS = 14

#: Spike length in periods (low, high inclusive), and drift ramp length in days, per frequency.
_SPIKE_PERIODS = {"D": (1, 3), "h": (2, 12)}
_RAMP_DAYS = {"D": (7, 21), "h": (3, 10)}


@dataclass(frozen=True)
class Difficulty:
    """A named difficulty: the ranges noise and anomaly sizes are drawn from.

    Attributes
    ----------
    name : str
        The preset's name.
    noise_share_daily, noise_share_hourly : tuple of float
        (low, high) of the per-series noise: the standard deviation of cost around its expected value, as
        a share of it, drawn uniformly per series (daily and hourly series).
    sizes : mapping
        Kind -> (low, high) of the anomaly's size, a share added to the expected cost at full effect,
        drawn uniformly per event.
    """

    name: str
    noise_share_daily: tuple[float, float]
    noise_share_hourly: tuple[float, float]
    sizes: Mapping[str, tuple[float, float]]

    def noise_range(self, freq: str) -> tuple[float, float]:
        """The noise range of series at frequency ``freq`` ("D" or "h")."""
        return self.noise_share_daily if freq == "D" else self.noise_share_hourly

    def words(self, freq: str = "D") -> str:
        """The difficulty in one sentence: noise range and the size range of each kind."""
        lo, hi = self.noise_range(freq)
        noise = f"{lo:.0%}" if lo == hi else f"{lo:.0%}-{hi:.0%}"
        sizes = "; ".join(f"{k.replace('_', ' ')} " + (f"+{a:.0%}" if a == b else f"+{a:.0%} to +{b:.0%}")
                          for k, (a, b) in self.sizes.items())
        per = "day" if freq == "D" else "hour"
        return f"{self.name}: noise {noise} per {per}; {sizes}"


#: Difficulty presets, easiest first. ``noise5_events20`` is the issue's hard case: 5% daily noise
#: (10% hourly) and every anomaly +20%.
LEVELS = {
    "easy": Difficulty("easy", (0.01, 0.03), (0.03, 0.08),
                       {"spike": (0.5, 1.5), "level_shift": (0.3, 0.6), "drift": (0.5, 1.0),
                        "seasonal_break": (0.5, 1.0)}),
    "moderate": Difficulty("moderate", (0.02, 0.05), (0.05, 0.12),
                           {"spike": (0.3, 0.8), "level_shift": (0.2, 0.4), "drift": (0.3, 0.6),
                            "seasonal_break": (0.3, 0.6)}),
    "realistic": Difficulty("realistic", (0.02, 0.10), (0.05, 0.20),
                            {"spike": (0.2, 1.0), "level_shift": (0.15, 0.5), "drift": (0.2, 0.6),
                             "seasonal_break": (0.25, 0.75)}),
    "noise5_events20": Difficulty("noise5_events20", (0.05, 0.05), (0.10, 0.10),
                                  {"spike": (0.2, 0.2), "level_shift": (0.2, 0.2), "drift": (0.2, 0.2),
                                   "seasonal_break": (0.2, 0.2)}),
}


@dataclass(frozen=True)
class AnomalyBench:
    """Generated cost series and the truth about their anomalies.

    Attributes
    ----------
    frame : pandas.DataFrame
        Long cost frame: ``series`` (the key), ``period_start`` (UTC), ``effective_cost`` (USD per period),
        ready for `costlib.finops.detect_anomalies` with ``keys=["series"]``.
    events : pandas.DataFrame
        One row per anomaly: ``series``, ``kind``, ``size_share`` (the share added at full effect),
        ``start``, ``end`` (in effect, inclusive), ``found_by`` (last period at which a first page still
        finds it), ``periods`` (periods in effect), ``extra_usd`` (USD the anomaly added).
    noise_share : pandas.Series
        Per series, the noise share drawn.
    level : Difficulty
        The preset used.
    freq : str
        ``"D"`` or ``"h"``.
    seed : int
        The random seed.
    series_days : float
        Number of series x days (the denominator of false pages per 1,000 series-days).
    """

    frame: pd.DataFrame
    events: pd.DataFrame
    noise_share: pd.Series
    level: Difficulty
    freq: str
    seed: int
    series_days: float

    def scored_on(self) -> pd.DataFrame:
        """Per kind: events, the size range drawn and the sizes drawn, the periods in effect (the words a
        backtest must show with its scores)."""
        rows = []
        for kind in KINDS:
            e = self.events[self.events["kind"] == kind]
            lo, hi = self.level.sizes[kind]
            rows.append({"kind": kind, "events": len(e), "size_range_low_share": lo, "size_range_high_share": hi,
                         "smallest_size_share": float(e["size_share"].min()) if len(e) else np.nan,
                         "largest_size_share": float(e["size_share"].max()) if len(e) else np.nan,
                         "extra_usd": float(e["extra_usd"].sum())})
        return pd.DataFrame(rows)

    def describe(self) -> str:
        """One sentence: how many series, periods, the noise range, and the events with their sizes."""
        n = self.frame["series"].nunique()
        days = self.series_days / n
        counts = self.events["kind"].value_counts()
        per = "daily" if self.freq == "D" else "hourly"
        kinds = ", ".join(f"{int(counts.get(k, 0))} {k.replace('_', ' ')}s" for k in KINDS)
        return (f"{n} generated {per} series over {days:g} days (seed {self.seed}), {len(self.events)} anomalies "
                f"({kinds}); {self.level.words(self.freq)}.")


def _profile(rng, n_series: int, periods: int, per_day: int) -> np.ndarray:
    """Expected cost shape per series (n_series, periods): weekend dip, and on hourly series a night dip;
    about 40% of series are flat within the week (always-on infrastructure)."""
    t = np.arange(periods)
    day = t // per_day
    weekend = (day % 7) >= 5  # START is a Monday
    shaped = rng.random(n_series) < 0.6
    weekend_factor = np.where(shaped, rng.uniform(0.55, 0.9, n_series), 1.0)
    prof = np.where(weekend[None, :], weekend_factor[:, None], 1.0)
    if per_day > 1:
        hour = t % per_day
        night = (hour < 7) | (hour >= 20)
        night_factor = np.where(shaped, rng.uniform(0.4, 0.85, n_series), 1.0)
        prof = prof * np.where(night[None, :], night_factor[:, None], 1.0)
    return prof


def generate(level="realistic", seed: int = 0, freq: str = "D", n_series: int | None = None,
             days: int | None = None, events_per_kind: int | None = None,
             history_days: int = 28) -> AnomalyBench:
    """Generate cost series with anomalies of a stated difficulty, and the truth.

    Parameters
    ----------
    level : str or Difficulty
        A preset name of `LEVELS` or a `Difficulty`.
    seed : int
        Random seed: the same seed and arguments give the same series.
    freq : {"D", "h"}
        Daily or hourly series.
    n_series : int, optional
        Number of series; default 40 daily, 20 hourly.
    days : int, optional
        Days per series; default 70 daily (10 weeks), 42 hourly (6 weeks).
    events_per_kind : int, optional
        Anomalies of each kind, each on its own series (so ``4 x events_per_kind <= n_series``); default 4
        daily, 2 hourly.
    history_days : int
        No anomaly starts before this day (the detectors need history); starts are drawn uniformly from
        ``history_days`` to 7 days before the end.

    Returns
    -------
    AnomalyBench

    Notes
    -----
    Per series i and period t: ``c_it = L_i p_it (1 + g_i)^(t/P) a_it max(0, 1 + s_i e_it)``, with level
    ``L_i`` log-uniform on $50-$5,000 a day, profile ``p_it`` (`_profile`), growth ``g_i`` uniform on
    -0.1% to +0.3% a day (P periods per day), anomaly factor ``a_it`` (module docstring; 1 outside
    anomalies), noise share ``s_i`` uniform on the difficulty's range, ``e_it`` standard normal.
    ``extra_usd = Σ_t c_it (1 - 1 / a_it)``: the cost the anomaly added, with the same noise.

    Examples
    --------
    >>> b = generate("easy", seed=1, freq="h", n_series=8, days=36, events_per_kind=1)
    >>> len(b.frame), b.events["kind"].tolist()
    (6912, ['spike', 'level_shift', 'drift', 'seasonal_break'])
    >>> bool((b.events["extra_usd"] > 0).all())
    True
    """
    diff = LEVELS.get(level) if isinstance(level, str) else level
    require(isinstance(diff, Difficulty), "level", level, f"expected one of {sorted(LEVELS)} or a Difficulty")
    require(freq in FREQUENCIES, "freq", freq, "expected 'D' (daily) or 'h' (hourly)")
    seed = checks.whole("seed", seed, 0)
    per_day = FREQUENCIES[freq]
    n_series = checks.whole("n_series", (40 if freq == "D" else 20) if n_series is None else n_series, 1)
    days = checks.whole("days", (70 if freq == "D" else 42) if days is None else days, 1, unit="days")
    per_kind = checks.whole("events_per_kind", (4 if freq == "D" else 2) if events_per_kind is None
                            else events_per_kind, 0)
    history = checks.whole("history_days", history_days, 1, unit="days")
    require(len(KINDS) * per_kind <= n_series, "events_per_kind", per_kind,
            f"expected at most n_series / {len(KINDS)} = {n_series // len(KINDS)} (one anomaly per series)")
    require(days >= history + 8, "days", days, f"expected at least history_days + 8 = {history + 8}")
    rng = np.random.default_rng(seed)
    periods = days * per_day
    t = np.arange(periods)
    level_usd = np.exp(rng.uniform(np.log(50.0), np.log(5000.0), n_series)) / per_day
    prof = _profile(rng, n_series, periods, per_day)
    growth = rng.uniform(-0.001, 0.003, n_series)
    lo, hi = diff.noise_range(freq)
    noise = rng.uniform(lo, hi, n_series)
    expected = level_usd[:, None] * prof * (1 + growth[:, None]) ** (t[None, :] / per_day)
    factor = np.ones((n_series, periods))
    # Seasonal breaks need quiet periods to break: place them on shaped series first.
    shaped = np.flatnonzero((prof < 1).any(axis=1))
    order = rng.permutation(n_series)
    break_series = [i for i in order if i in set(shaped)][:per_kind]
    rest = [i for i in order if i not in set(break_series)]
    rows = []
    for kind in KINDS:
        chosen = break_series if kind == "seasonal_break" else [rest.pop(0) for _ in range(per_kind)]
        for i in chosen:
            a, b = diff.sizes[kind]
            size = float(rng.uniform(a, b)) if b > a else float(a)
            start = int(rng.integers(history * per_day, (days - 7) * per_day))
            if kind == "spike":
                length = int(rng.integers(_SPIKE_PERIODS[freq][0], _SPIKE_PERIODS[freq][1] + 1))
                end, found_by = start + length - 1, start + length - 1
                factor[i, start:end + 1] = 1 + size
            else:
                end = periods - 1
                found_by = min(end, start + FOUND_WITHIN_DAYS * per_day - 1)
                if kind == "level_shift":
                    factor[i, start:] = 1 + size
                elif kind == "drift":
                    ramp = int(rng.integers(_RAMP_DAYS[freq][0], _RAMP_DAYS[freq][1] + 1)) * per_day
                    factor[i, start:] = 1 + size * np.minimum(1.0, (t[start:] - start + 1) / ramp)
                else:
                    quiet = prof[i, start:] < 1
                    factor[i, start:] = np.where(quiet, 1 + size, 1.0)
            rows.append({"series": f"s{i:02d}", "kind": kind, "size_share": size, "start": START + pd.Timedelta(
                hours=24 * start // per_day), "end": START + pd.Timedelta(hours=24 * end // per_day),
                "found_by": START + pd.Timedelta(hours=24 * found_by // per_day), "periods": end - start + 1,
                "_i": i})
    eps = rng.standard_normal((n_series, periods))
    cost = expected * factor * np.maximum(0.0, 1 + noise[:, None] * eps)
    extra = (cost * (1 - 1 / factor)).sum(axis=1)
    events = pd.DataFrame(rows, columns=["series", "kind", "size_share", "start", "end", "found_by", "periods", "_i"])
    events["extra_usd"] = extra[events["_i"].to_numpy(dtype=int)] if len(events) else []
    events = events.drop(columns="_i")
    names = np.array([f"s{i:02d}" for i in range(n_series)])
    stamps = START + pd.to_timedelta(t * (24 // per_day), unit="h")
    frame = pd.DataFrame({"series": np.repeat(names, periods), "period_start": np.tile(stamps, n_series),
                          "effective_cost": cost.ravel()})
    return AnomalyBench(frame=frame, events=events, noise_share=pd.Series(noise, index=names, name="noise_share"),
                        level=diff, freq=freq, seed=seed, series_days=float(n_series * days))
