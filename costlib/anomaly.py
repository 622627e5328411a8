"""Anomaly alerts a person can act on: a robust z-score detector, a noise-aware gate, incidents, scoring.

Builds on the detector family of `costlib.finops` (same signature, same gate builder, same alert columns):

- `robust_z_alerts`: a spike detector from the standard family, a robust z-score of the cost against a
  trailing seasonal median, scaled by the trailing median absolute deviation; `DETECTORS` is the finops
  registry with it added, `detect` the runner over every series (it also records each alert's noise z);
- `noise_scale`: per period, a series' own recent noise (the robust spread of its residual shares);
  `noise_gate` keeps the alerts that stand out of that noise by a stated multiple, for any detector;
- `label_incidents` / `incidents`: consecutive alerts on one series become one incident (start, end,
  peak and total excess dollars, the detectors that saw it); `incident_gate` drops incidents below a
  minimum excess, so a scenario can weigh recall against pages;
- `score_incidents`: precision, recall and F1 per kind of anomaly against known events, and false pages per
  1,000 series-days; `backtest_generated` runs all of it on `costlib.synthetic_anomalies` series of a named
  difficulty and says what it was scored on.

Conventions as in `costlib.finops`: costs are positive USD per period, shares are decimals, a series is a
`pandas.Series` indexed by period start in time order; bad arguments raise `costlib.errors.ModelError`.

References
----------
.. [1] P. J. Rousseeuw and C. Croux, "Alternatives to the Median Absolute Deviation", *JASA* 88 (1993)
   1273-1283: 1.4826 x MAD estimates the standard deviation of normal data.
.. [2] B. Iglewicz and D. C. Hoaglin, *How to Detect and Handle Outliers* (ASQC, 1993): the modified
   (robust) z-score and its 3.5 cut-off.
.. [3] Seed section VI.4 (anomaly detection: a page is an incident response).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from costlib import checks, finops, synthetic_anomalies
from costlib.errors import require

__all__ = ["MAD_TO_SD", "QN_TO_SD", "SCALES", "NO_NOISE_GATE", "seasonal_median", "qn_scale", "noise_scale", "robust_z_alerts", "burst_alerts", "DETECTORS", "cost_series",
           "detect", "noise_gate", "incident_noise_gate", "label_incidents", "incidents", "incident_gate", "score_incidents",
           "GeneratedBacktest", "backtest_generated", "COMBINED", "INCIDENT_COLUMNS"]

#: 1.4826 x median absolute deviation estimates the standard deviation of normal data ([1]).
MAD_TO_SD = 1.4826

#: The noise multiple that says "no noise gate" (`noise_gate` keeps every alert, those before a series has
#: history enough to measure its noise too); `noise_gate` also takes None, `backtest_generated` only this
#: (its None means `COMBINED`'s multiples).
NO_NOISE_GATE = "off"

#: The columns of an `incidents` frame after the series keys.
INCIDENT_COLUMNS = ["incident", "start", "end", "periods", "alerts", "peak_period", "peak_usd", "excess_usd",
                    "detectors"]


def seasonal_median(cost_usd, season_periods: int = 7, seasons: int = 4) -> pd.Series:
    """Expected cost: the median of the same position in the previous seasons (the same weekday).

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period, USD, in time order.
    season_periods : int
        Periods per season (7 for daily data with a weekly cycle, 168 for hourly data).
    seasons : int
        Earlier seasons to take the median of (those available, at least one).

    Returns
    -------
    pandas.Series
        USD per period; NaN for the first season.

    Notes
    -----
    ``e_t = median(c_{t-kS} : k = 1..K, t - kS >= 0)``: `finops.seasonal_naive_forecast` with a median in
    place of the mean, so one past spike does not raise the expectation of the weeks after it.

    Examples
    --------
    >>> import pandas as pd
    >>> seasonal_median(pd.Series([10.0, 99.0, 12.0, 11.0]), season_periods=1, seasons=3).tolist()
    [nan, 10.0, 54.5, 12.0]
    """
    s = finops._series("cost_usd", cost_usd)
    period = checks.whole("season_periods", season_periods, 1, unit="periods")
    k_max = checks.whole("seasons", seasons, 1, unit="seasons")
    lagged = np.column_stack([s.shift(k * period).to_numpy() for k in range(1, k_max + 1)])
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(lagged, axis=1)
    return pd.Series(med, index=s.index)

#: Noise scale estimators `noise_scale` takes: the median absolute deviation, or Rousseeuw and Croux's Qn.
SCALES = ("mad", "qn")

#: Qn's constant: 1 / (sqrt(2) Φ^-1(5/8)), so Qn estimates the standard deviation of normal data ([1]).
QN_TO_SD = 2.2191444659850756

#: Qn's small-sample factors d_n for n = 2..9 ([4], table 1); n > 9: n / (n + 1.4) odd, n / (n + 3.8) even.
_QN_SMALL = {2: 0.399, 3: 0.994, 4: 0.512, 5: 0.844, 6: 0.611, 7: 0.857, 8: 0.669, 9: 0.872}


def _qn_factor(n: np.ndarray) -> np.ndarray:
    """Qn's small-sample factor d_n per count n (NaN below 2)."""
    n = np.asarray(n, dtype=float)
    large = np.where(n % 2 == 1, n / (n + 1.4), n / (n + 3.8))
    small = np.array([_QN_SMALL.get(int(m), np.nan) for m in np.clip(np.nan_to_num(n), 0, 9).ravel()]).reshape(n.shape)
    return np.where(n > 9, large, small)


def _qn_rows(w: np.ndarray) -> np.ndarray:
    """Qn of each row of ``w`` over its finite values (NaN with fewer than 2): `qn_scale` row by row,
    vectorised over the rows with the same count of finite values, in blocks of bounded memory."""
    w = np.asarray(w, dtype=float)
    out = np.full(len(w), np.nan)
    counts = np.isfinite(w).sum(axis=1)
    packed = np.sort(np.where(np.isfinite(w), w, np.inf), axis=1)  # finite values first, in order
    for m in np.unique(counts[counts >= 2]):
        rows = np.flatnonzero(counts == m)
        i, j = np.triu_indices(int(m), 1)
        h = int(m) // 2 + 1
        k = h * (h - 1) // 2
        block = max(1, 2_000_000 // len(i))
        for b in range(0, len(rows), block):
            x = packed[rows[b:b + block], :m]
            d = x[:, j] - x[:, i]  # sorted rows: i < j gives |x_i - x_j|
            out[rows[b:b + block]] = np.partition(d, k - 1, axis=1)[:, k - 1]
    return QN_TO_SD * _qn_factor(counts) * out


def qn_scale(values) -> float:
    """Rousseeuw and Croux's Qn: a robust standard deviation, as robust as the MAD and twice as efficient.

    Parameters
    ----------
    values : array_like
        Numbers (any unit; NaN ignored).

    Returns
    -------
    float
        In the values' unit; NaN with fewer than two finite values.

    Notes
    -----
    ``Qn = d_n x 2.2191 x {|x_i - x_j| : i < j}_(k)``, the k-th smallest pairwise distance with
    ``k = C(h, 2)``, ``h = floor(n / 2) + 1``; ``d_n`` the small-sample factor of [4] (``n / (n + 3.8)``
    for even n > 9, ``n / (n + 1.4)`` odd). Its breakdown point is 50% like the MAD's, its efficiency at the
    normal 82% against the MAD's 37% ([1]): from 28 values the MAD's estimate of the noise varies as much
    as a standard deviation's from 10, Qn's as one's from 23. `statsmodels.robust.scale.qn_scale` is the
    same statistic without ``d_n``.

    References
    ----------
    .. [1] Rousseeuw and Croux (1993), section 3.
    .. [4] C. Croux and P. J. Rousseeuw, "Time-efficient algorithms for two highly robust estimators of
       scale", *Computational Statistics* 1 (1992) 411-428.

    Examples
    --------
    Ten values: h = 6, k = 15; the 15th smallest of the 45 distances is 2, d_10 = 10 / 13.8:

    >>> round(qn_scale([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 4)
    3.2162
    >>> round(2.2191444659850756 * 2 * 10 / 13.8, 4)
    3.2162
    """
    x = np.asarray(values, dtype=float).ravel()
    return float(_qn_rows(x[None, :])[0])


def noise_scale(cost_usd, season_periods: int = 7, seasons: int = 4, window_periods: int = 28,
                scale: str = "mad") -> pd.DataFrame:
    """A series' own recent noise: the robust centre and spread of its residual shares, trailing.

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period, USD, in time order.
    season_periods, seasons : int
        The expectation (`seasonal_median`).
    window_periods : int
        Trailing periods the centre and spread are taken over (the period itself excluded); at least half
        of them must be known.
    scale : {"mad", "qn"}
        The spread: 1.4826 x the median absolute deviation ([1], [2]), or `qn_scale` (as robust, twice as
        efficient: from a 28-day window the MAD underestimates the noise often enough that a z of 4
        happens about 50 times as often as in normal noise; see Notes).

    Returns
    -------
    pandas.DataFrame
        Per period: ``expected_usd``, ``residual_share`` ((cost - expected) / expected), ``center_share``
        (trailing median of the residual shares), ``noise_share`` (1.4826 x their trailing median absolute
        deviation, or their `qn_scale`), ``z`` ((residual - centre) / noise; +inf when the noise is 0 and the residual is above
        the centre, NaN before enough history).

    Notes
    -----
    ``r_t = (c_t - e_t) / e_t``; over the window ``W_t = {r_{t-W}, ..., r_{t-1}}``:
    ``m_t = median(W_t)``, ``σ_t = 1.4826 median(|W_t - m_t|)``, ``z_t = (r_t - m_t) / σ_t`` — the
    modified z-score of [2] on a trailing window, centred so a slowly growing bill is not a stream of
    small positive residuals. With ``scale="qn"``, ``σ_t = Qn(W_t)`` (`qn_scale`). On generated daily series
    without anomalies (`synthetic_anomalies`, easy preset, seeds 1000-1029, the 58,800 series-days with a
    z) ``z >= 4`` came on 1.8e-3 of the days with the MAD and 6.5e-4 with Qn, where normal noise gives
    3.2e-5: the MAD of 28 residuals is too often small.

    Examples
    --------
    Residual shares of 0, +2%, -2%, 0, +2%, then +50% (season of 1 period, expectation the last cost):

    >>> import pandas as pd
    >>> c = pd.Series([100.0, 100.0, 102.0, 99.96, 99.96, 101.9592, 152.9388])
    >>> n = noise_scale(c, season_periods=1, seasons=1, window_periods=4)
    >>> [round(x, 4) for x in n["residual_share"].tolist()[1:]]
    [0.0, 0.02, -0.02, 0.0, 0.02, 0.5]
    >>> round(float(n["center_share"].iat[6]), 4), round(float(n["noise_share"].iat[6]), 5)
    (0.01, 0.01483)
    >>> round(float(n["z"].iat[6]), 2)
    33.05

    With Qn: the four shares 0, +2%, -2%, 0 have distances 0 (once), 2% (4 times) and 4% (once); h = 3,
    k = 3, so the 3rd smallest, 2%, times 2.2191 and d_4 = 0.512:

    >>> round(float(noise_scale(c, 1, 1, 4, scale="qn")["noise_share"].iat[5]), 5)
    0.02272
    """
    s = finops._series("cost_usd", cost_usd)
    window = checks.whole("window_periods", window_periods, 2, unit="periods")
    expected = seasonal_median(s, season_periods, seasons)
    e = expected.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(e > 0, (s.to_numpy() - e) / e, np.nan)
    padded = np.r_[np.full(window, np.nan), r[:-1]] if len(r) else np.full(window, np.nan)
    w = sliding_window_view(padded, window)[: len(r)]
    enough = np.isfinite(w).sum(axis=1) >= max(2, window // 2)
    finops._choice("scale", scale, SCALES)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        center = np.nanmedian(w, axis=1)
        if scale == "qn":
            spread = _qn_rows(np.where(enough[:, None], w, np.nan))
        else:
            spread = MAD_TO_SD * np.nanmedian(np.abs(w - center[:, None]), axis=1)
    center = np.where(enough, center, np.nan)
    spread = np.where(enough, spread, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(spread > 0, (r - center) / spread,
                     np.where(r > center, np.inf, np.where(r < center, -np.inf, 0.0)))
    z = np.where(np.isfinite(r) & enough, z, np.nan)
    return pd.DataFrame({"expected_usd": e, "residual_share": r, "center_share": center, "noise_share": spread,
                         "z": z}, index=s.index)


def robust_z_alerts(cost_usd, threshold_share=0.10, floor_usd=100.0, season_periods: int = 7, seasons: int = 4,
                    window_periods: int = 28, z_threshold=3.5, min_history_periods: int | None = None,
                    direction: str = "up", scale: str = "mad") -> pd.DataFrame:
    """Alerts where cost stands out of the series' own noise: a robust z-score against a seasonal median.

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period, USD, in time order.
    threshold_share : float
        Alert when cost is above the expectation by at least this share ...
    floor_usd : float
        ... and by at least this many USD ...
    season_periods, seasons, window_periods : int
        The expectation and the noise (`noise_scale`): the same weekday over up to 4 earlier weeks, the
        noise over the last 28 periods, by default.
    z_threshold : float
        ... and the robust z-score is at least this (3.5, the modified z-score's usual cut-off [2]).
    min_history_periods : int, optional
        Periods before the first that can alert; default two seasons.
    direction : {"up", "both"}
        Rises only, or rises and falls (``|z|``).
    scale : {"mad", "qn"}
        The noise's spread (`noise_scale`).

    Returns
    -------
    pandas.DataFrame
        As `finops.rate_of_change_alerts`, ``expected_usd`` the seasonal median, detector ``"robust_z"``.

    Notes
    -----
    ``e_t`` = `seasonal_median`; ``z_t`` as in `noise_scale`; alert when ``t >= min_history``,
    ``c_t - e_t >= floor``, ``(c_t - e_t) / e_t >= threshold`` and ``z_t >= z_threshold``. Trailing only:
    it can page the day the cost arrives.

    Examples
    --------
    A steady $100 a day with ±2% noise, then $125 on day 10 (+25%: z = 0.25 / (1.4826 x 0.02) = 8.4):

    >>> import pandas as pd
    >>> s = pd.Series([100.0, 102.0, 98.0] * 3 + [125.0, 100.0])
    >>> robust_z_alerts(s, floor_usd=10, season_periods=1, seasons=3, window_periods=6)[["period", "change_usd"]]
       period  change_usd
    0       9        25.0
    """
    s = finops._series("cost_usd", cost_usd)
    threshold = finops._scalar("threshold_share", threshold_share, low=0, low_strict=True)
    floor = finops._scalar("floor_usd", floor_usd, low=0)
    z_min = finops._scalar("z_threshold", z_threshold, low=0)
    period = checks.whole("season_periods", season_periods, 1, unit="periods")
    first = 2 * period if min_history_periods is None else min_history_periods
    first = checks.whole("min_history_periods", first, period, unit="periods")
    finops._choice("direction", direction, finops.DIRECTIONS)
    n = noise_scale(s, period, seasons, window_periods, scale)
    alerts = finops._alerts(s, n["expected_usd"], threshold, floor, direction, first, "robust_z")
    if len(alerts):
        z = n["z"].reindex(alerts["period"]).to_numpy()
        z = z if direction == "up" else np.abs(z)
        alerts = alerts[np.nan_to_num(z, nan=-np.inf) >= z_min].reset_index(drop=True)
    return alerts


def burst_alerts(cost_usd, threshold_share=0.10, floor_usd=100.0, season_periods: int = 7, seasons: int = 4,
                 window_periods: int = 28, burst_periods: Sequence[int] = (1, 2, 3), z_threshold=4.0,
                 min_history_periods: int | None = None, direction: str = "up", scale: str = "mad") -> pd.DataFrame:
    """Alerts on short bursts: a run of periods whose summed excess stands out of the noise of those periods.

    Parameters
    ----------
    cost_usd : pandas.Series
        Cost per period, USD, in time order.
    threshold_share : float
        Alert when the burst's summed excess is at least this share of its summed expectation ...
    floor_usd : float
        ... and at least this many USD in total ...
    season_periods, seasons, window_periods : int
        The expectation and the noise (`noise_scale`), as for `robust_z_alerts`.
    burst_periods : sequence of int
        The burst lengths tried, in periods (hourly, for example, 2 to 12 hours).
    z_threshold : float
        ... and the burst's z-score (Notes) is at least this.
    min_history_periods : int, optional
        Periods before the first that can start a burst; default two seasons.
    direction : {"up", "both"}
        Rises only, or rises and falls (``|Z|``).
    scale : {"mad", "qn"}
        The noise's spread (`noise_scale`).

    Returns
    -------
    pandas.DataFrame
        As `finops.rate_of_change_alerts`, one row per period of every burst that passes (``expected_usd``
        the seasonal median, ``change_usd`` the period's cost less it), detector ``"burst"``.

    Notes
    -----
    Per period, from `noise_scale`: the centred excess ``x_u = (r_u - m_u) e_u`` and the noise in dollars
    ``s_u = σ_u e_u``. A burst of L periods ending at t: ``X = Σ x_u``, ``Z = X / sqrt(Σ s_u²)`` over
    ``u = t-L+1..t`` (a sum of L independent noises of ``s_u`` has standard deviation ``sqrt(Σ s_u²)``);
    a burst passes when ``Z >= z_threshold``, ``X >= floor`` and ``X / Σ e_u >= threshold``; of the lengths
    of ``burst_periods`` that pass at t, the one with the largest Z (the shortest on a tie) is the burst,
    and every period of it is an alert. A +20% burst on a series with 10% hourly noise is
    2 deviations an hour, lost in per-hour noise; over 6 hours it is ``2 sqrt(6) = 4.9``. The same sum as
    `incident_noise_gate`'s, taken over short trailing runs so a burst pages without a long incident.
    Trailing only: it can page at the burst's last period.

    Examples
    --------
    $100, $102, $98 repeated (residual shares 0, ±2%: σ = 1.4826 x 2% = 2.9652%), then $100 and two periods
    at $112 (each +12% of the expected $100). One period alone is ``Z = 12 / 2.9652 = 4.05``, under a
    z-threshold of 5; the two together ``Z = 24 / sqrt(2 x 2.9652²) = 5.72``; the last three
    ``24 / sqrt(3 x 2.9652²) = 4.67``:

    >>> import pandas as pd
    >>> s = pd.Series([100.0, 102.0, 98.0] * 3 + [100.0, 112.0, 112.0])
    >>> a = burst_alerts(s, floor_usd=10, season_periods=1, seasons=3, window_periods=6, z_threshold=5)
    >>> a["period"].tolist(), a["change_usd"].tolist()
    ([10, 11], [12.0, 12.0])
    """
    s = finops._series("cost_usd", cost_usd)
    threshold = finops._scalar("threshold_share", threshold_share, low=0, low_strict=True)
    floor = finops._scalar("floor_usd", floor_usd, low=0)
    z_min = finops._scalar("z_threshold", z_threshold, low=0)
    period = checks.whole("season_periods", season_periods, 1, unit="periods")
    first = 2 * period if min_history_periods is None else min_history_periods
    first = checks.whole("min_history_periods", first, period, unit="periods")
    lengths = sorted({checks.whole("burst_periods", L, 1, unit="periods") for L in burst_periods})
    require(len(lengths) > 0, "burst_periods", burst_periods, "expected at least one burst length")
    finops._choice("direction", direction, finops.DIRECTIONS)
    n = noise_scale(s, period, seasons, window_periods, scale)
    e = n["expected_usd"].to_numpy()
    x = (n["residual_share"] - n["center_share"]).to_numpy() * e
    v = (n["noise_share"].to_numpy() * e) ** 2
    known = np.isfinite(x) & np.isfinite(v) & (e > 0) & (np.arange(len(s)) >= first)
    cx, cv, ce = (np.r_[0.0, np.cumsum(np.where(known, a, 0.0))] for a in (x, v, e))
    ck = np.r_[0, np.cumsum(~known)]
    best_z, best_len = np.full(len(s), -np.inf), np.zeros(len(s), dtype=int)
    for L in lengths:
        if L > len(s):
            continue
        end = np.arange(L - 1, len(s))
        X, V, E = cx[end + 1] - cx[end + 1 - L], cv[end + 1] - cv[end + 1 - L], ce[end + 1] - ce[end + 1 - L]
        ok = (ck[end + 1] - ck[end + 1 - L]) == 0
        X = X if direction == "up" else np.abs(X)
        with np.errstate(divide="ignore", invalid="ignore"):
            Z = np.where(V > 0, X / np.sqrt(V), np.where(X > 0, np.inf, 0.0))
            share = np.where(E > 0, X / E, 0.0)
        passed = ok & (Z >= z_min) & (X >= floor) & (share >= threshold) & (Z > best_z[end])
        best_z[end[passed]], best_len[end[passed]] = Z[passed], L
    hit = np.zeros(len(s), dtype=bool)
    for t in np.flatnonzero(best_len):
        hit[t - best_len[t] + 1:t + 1] = True
    change = s.to_numpy() - e
    with np.errstate(divide="ignore", invalid="ignore"):
        share = change / e
    out = pd.DataFrame({"period": s.index[hit], "cost_usd": s.to_numpy()[hit], "expected_usd": e[hit],
                        "change_usd": change[hit], "change_share": share[hit]})
    out["detector"] = "burst"
    return out


#: The finops detector family with the robust z-score and the burst check added: name -> function of one
#: signature.
DETECTORS = {**finops.DETECTORS, "robust_z": robust_z_alerts, "burst": burst_alerts}


def cost_series(frame, keys: Sequence[str], period_column: str = "period_start",
                cost_column: str = "effective_cost", freq: str = "D"):
    """Yield ``(key tuple, series)`` per series of a long cost frame, as `finops.detect_anomalies` builds
    them: summed per period, from the series' first period to the frame's last, missing periods zero.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"svc": ["a", "a", "b"], "period_start": pd.to_datetime(["2026-01-01", "2026-01-03",
    ...                   "2026-01-02"]), "effective_cost": [1.0, 3.0, 2.0]})
    >>> [(k, s.tolist()) for k, s in cost_series(f, ["svc"])]
    [(('a',), [1.0, 0.0, 3.0]), (('b',), [2.0, 0.0])]
    """
    df = finops._frame("frame", frame, [*keys, period_column, cost_column])
    df = df.assign(**{period_column: pd.to_datetime(df[period_column], utc=True)})
    df = df.assign(**{cost_column: finops._column("frame", df, cost_column, low=0)})
    last = df[period_column].max()
    for key, group in df.groupby(list(keys), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        s = group.groupby(period_column)[cost_column].sum().sort_index()
        yield key, s.reindex(pd.date_range(s.index[0], last, freq=freq), fill_value=0.0)


def detect(frame, keys: Sequence[str], detectors: Mapping[str, Mapping] | None = None, *,
           noise: Mapping | None = None, period_column: str = "period_start", cost_column: str = "effective_cost",
           freq: str = "D") -> pd.DataFrame:
    """`finops.detect_anomalies` over the extended family (`DETECTORS`), each alert with its noise z-score.

    Parameters
    ----------
    frame, keys, period_column, cost_column, freq
        As for `finops.detect_anomalies`.
    detectors : mapping, optional
        Detector name -> keyword arguments; default every detector of `DETECTORS` with its defaults.
    noise : mapping, optional
        Keyword arguments of `noise_scale` (``season_periods``, ``seasons``, ``window_periods``, ``scale``);
        default the weekly cycle of a daily series (7, 4, 28) and the MAD.

    Returns
    -------
    pandas.DataFrame
        The keys, ``period``, ``cost_usd``, ``expected_usd``, ``change_usd``, ``change_share``,
        ``detector``, and ``noise_share`` and ``noise_z`` (the alert's share over the series' noise at that
        period, centred: ``(change_share - center_share) / noise_share``; +inf on a noiseless series, NaN
        before `noise_scale` has enough history).

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2026-11-01", periods=12)
    >>> f = pd.DataFrame({"svc": "db", "period_start": days, "effective_cost": [100.0, 104.0, 97.0] * 3
    ...                   + [300.0, 100.0, 101.0]})
    >>> a = detect(f, ["svc"], {"rate_of_change": {"floor_usd": 50, "min_history_periods": 3}},
    ...            noise={"season_periods": 1, "seasons": 3, "window_periods": 6})
    >>> a[["period", "change_usd", "detector"]].assign(period=a["period"].dt.day)
       period  change_usd        detector
    0      10       203.0  rate_of_change
    >>> round(float(a["noise_z"].iat[0]), 1)  # (203 / 97 - 0) / (1.4826 x 0.03): residuals 0, +4%, -3%
    47.1
    """
    detectors = {name: {} for name in DETECTORS} if detectors is None else dict(detectors)
    for name in detectors:
        finops._choice("detectors", name, list(DETECTORS))
    noise = {} if noise is None else dict(noise)
    cols = [*keys, *finops._ALERT_COLUMNS, "detector", "noise_share", "noise_z"]
    out = []
    for key, s in cost_series(frame, keys, period_column, cost_column, freq):
        n = None
        for name, settings in detectors.items():
            alerts = DETECTORS[name](s, **settings)
            if not len(alerts):
                continue
            if n is None:
                n = noise_scale(s, **noise)
            at = n.reindex(alerts["period"])
            sd, excess = at["noise_share"].to_numpy(), alerts["change_share"].to_numpy() - at["center_share"].to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(sd > 0, excess / sd, np.where(excess > 0, np.inf, 0.0))
            z = np.where(np.isfinite(sd) & np.isfinite(excess), z, np.nan)  # no noise estimate yet: NaN
            out.append(alerts.assign(noise_share=at["noise_share"].to_numpy(), noise_z=z, **dict(zip(keys, key))))
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.concat(out, ignore_index=True)[cols].sort_values([*keys, "period", "detector"], ignore_index=True)


def noise_gate(alerts, noise_multiple=3.5) -> pd.DataFrame:
    """Keep the alerts that stand out of their series' own noise by at least ``noise_multiple``.

    Parameters
    ----------
    alerts : pandas.DataFrame
        `detect` output (with ``noise_z``).
    noise_multiple : float, mapping, None or "off"
        Minimum ``noise_z``: how many robust standard deviations of the series' recent residual shares the
        alert's share must exceed their centre by; or detector name -> its multiple (a detector left out
        is dropped; a detector mapped to None or ``"off"`` keeps all its alerts). An alert without a noise
        estimate yet (too little history) is dropped: without a measure of the series' noise there is no
        knowing it is unusual. ``None`` or ``"off"`` (`NO_NOISE_GATE`): no noise gate, every alert kept,
        those before a noise estimate too (0 is still a gate: it drops alerts without a noise estimate and
        alerts below their series' centre).

    Returns
    -------
    pandas.DataFrame
        The alerts kept, index reset.

    Notes
    -----
    ``keep_i = noise_z_i >= k_{detector(i)}`` (NaN never passes; no gate: ``keep_i`` always). A fixed share
    threshold (10%, 25%) is too tight for a series with 10% daily noise and too loose for one with 1%; the
    noise multiple scales with each series.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"svc": ["db", "db", "web"], "period": [1, 2, 1], "noise_z": [5.0, 2.0, float("nan")]})
    >>> noise_gate(a, 3.0)["svc"].tolist()
    ['db']
    >>> noise_gate(a.assign(detector=["forecast", "robust_z", "robust_z"]), {"forecast": 6, "robust_z": 1.5})["period"].tolist()
    [2]

    No gate: every alert, the one without a noise estimate (NaN) too; 0 drops that one:

    >>> len(noise_gate(a, None)), len(noise_gate(a, "off")), len(noise_gate(a, 0))
    (3, 3, 2)
    """
    al = pd.DataFrame(alerts)
    require("noise_z" in al.columns, "alerts", list(al.columns), "expected costlib.anomaly.detect output (noise_z)")
    if isinstance(noise_multiple, Mapping):
        require("detector" in al.columns, "alerts", list(al.columns), "expected a detector column")
        ks = {d: -np.inf if _no_gate(v) else finops._scalar(f"noise_multiple[{d!r}]", v, low=0)
              for d, v in noise_multiple.items()}
        k = al["detector"].map(ks).fillna(np.inf).to_numpy(dtype=float)
    elif _no_gate(noise_multiple):
        return al.reset_index(drop=True)
    else:
        k = finops._scalar("noise_multiple", noise_multiple, low=0)
    z = al["noise_z"].to_numpy(dtype=float)
    return al[np.nan_to_num(z, nan=-np.inf) >= k].reset_index(drop=True)


def _no_gate(noise_multiple) -> bool:
    """Whether a noise multiple says "no noise gate" (None or `NO_NOISE_GATE`)."""
    return noise_multiple is None or (isinstance(noise_multiple, str) and noise_multiple == NO_NOISE_GATE)


def incident_noise_gate(alerts, keys: Sequence[str], freq: str = "D", max_gap_periods: int = 1,
                        min_incident_z=8.0) -> pd.DataFrame:
    """Keep the alerts of incidents whose total excess stands out of the series' own noise in dollars.

    Parameters
    ----------
    alerts : pandas.DataFrame
        `detect` output (the keys, ``period``, ``change_usd``, ``expected_usd``, ``noise_share``, and
        ``noise_z`` if known), usually after `noise_gate`.
    keys, freq, max_gap_periods
        As for `label_incidents` (the incidents the alerts will form).
    min_incident_z : float or mapping
        Minimum incident z-score: total excess over the noise dollars of its periods (0 keeps every alert);
        or detector name -> its minimum, an incident needing the smallest of its detectors' (a detector
        left out needs the largest given): a detector that has tested its own alerts' summed excess
        (`burst_alerts`) can page a short burst that a lasting-change minimum would drop.

    Returns
    -------
    pandas.DataFrame
        The alerts of the incidents kept, index reset.

    Notes
    -----
    Per (series, period) of an incident: excess ``x_t = max_d (change_share_d - m_d) expected_d``, over the
    centred expectation as `noise_scale`'s z measures it (``m_d`` the centre of the series' residual shares,
    ``change_share_d - m_d = noise_z_d x noise_share_d``; with no ``noise_z`` column, or no noise, ``m_d = 0``,
    so ``x_t = max_d change_d``), and noise in dollars ``s_t = median_d(noise_share_d x expected_d)``; ``Z = Σ x_t / sqrt(Σ s_t²)`` (the sum of independent
    noises of ``s_t`` has standard deviation ``sqrt(Σ s_t²)``); keep when ``Z >= min_incident_z``
    (``Z = +inf`` when every ``s_t`` is 0; with a mapping, ``Z >= min_{d in incident} k_d``). One alert 4 noise deviations up is ``Z = 4``; twelve hours at
    that level are ``Z = 4 sqrt(12) = 13.9``: a lasting change pages, a lone blip in noise does not.
    Centring matters on a growing bill: the median of the same weekday 1-4 weeks back lags it, so every
    residual is a few percent up; uncentred, that bias counted as excess.

    Examples
    --------
    Three hours of $30 excess with $10 noise each (Z = 90 / sqrt(300) = 5.2), and one of $25 (Z = 2.5):

    >>> import pandas as pd
    >>> a = pd.DataFrame({"svc": ["db"] * 3 + ["web"], "period": [1, 2, 3, 7], "change_usd": [30.0, 30, 30, 25],
    ...                   "expected_usd": [100.0] * 4, "noise_share": [0.1] * 4})
    >>> incident_noise_gate(a, ["svc"], min_incident_z=4.0)["period"].tolist()
    [1, 2, 3]

    Per detector: the web alert came from the burst check, which pages from Z = 2:

    >>> b = a.assign(detector=["robust_z"] * 3 + ["burst"])
    >>> incident_noise_gate(b, ["svc"], min_incident_z={"robust_z": 9.0, "burst": 2.0})["period"].tolist()
    [7]
    """
    al = pd.DataFrame(alerts)
    need = [*keys, "period", "change_usd", "expected_usd", "noise_share"]
    require(all(c in al.columns for c in need), "alerts", list(al.columns), f"expected columns {need}")
    if isinstance(min_incident_z, Mapping):
        require("detector" in al.columns, "alerts", list(al.columns), "expected a detector column")
        ks = {d: finops._scalar(f"min_incident_z[{d!r}]", v, low=0) for d, v in min_incident_z.items()}
        require(len(ks) > 0, "min_incident_z", min_incident_z, "expected at least one detector")
        z_min = max(ks.values())
    else:
        ks, z_min = None, finops._scalar("min_incident_z", min_incident_z, low=0)
    if len(al) == 0 or (ks is None and z_min == 0):
        return al.reset_index(drop=True)
    inc = label_incidents(al, keys, freq, max_gap_periods)
    share = al["change_usd"].astype(float) / al["expected_usd"].astype(float).where(al["expected_usd"] > 0)
    if "noise_z" in al.columns:  # the excess over the centred expectation, as noise_z measures it
        centred = al["noise_z"].astype(float) * al["noise_share"].astype(float)
        share = share.where(~(np.isfinite(centred) & (al["noise_share"].astype(float) > 0)), centred)
    per = (al.assign(_inc=inc, _x=(share * al["expected_usd"].astype(float)).fillna(al["change_usd"]).clip(lower=0),
                     _s=al["noise_share"].astype(float) * al["expected_usd"].astype(float))
           .groupby(["_inc", "period"]).agg(x=("_x", "max"), s=("_s", "median")))
    per = per.assign(v=per["s"].fillna(0.0) ** 2).groupby(level=0).agg(x=("x", "sum"), v=("v", "sum"))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(per["v"] > 0, per["x"] / np.sqrt(per["v"]), np.inf)
    if ks is None:
        need_z = np.full(len(per), z_min)
    else:
        need_z = (pd.Series(al["detector"].map(ks).fillna(z_min).to_numpy(dtype=float)).groupby(inc).min()
                  .reindex(per.index).to_numpy())
    keep = set(per.index[z >= need_z])
    return al[np.isin(inc, list(keep))].reset_index(drop=True)


def _step(periods, freq: str):
    """The length of one period: 1 for integer periods, the frequency's Timedelta for timestamps."""
    if pd.api.types.is_datetime64_any_dtype(periods):
        return pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    return 1


def label_incidents(alerts, keys: Sequence[str], freq: str = "D", max_gap_periods: int = 1) -> np.ndarray:
    """The incident each alert belongs to: alerts on one series at most ``max_gap_periods`` apart share one.

    Parameters
    ----------
    alerts : pandas.DataFrame
        Alerts (the ``keys`` and ``period``), any number of detectors.
    keys : sequence of str
        The series keys.
    freq : str
        The period length of timestamp periods ("D", "h"); integer periods step by 1.
    max_gap_periods : int
        Alerts one period apart (consecutive) join with the default 1; 2 also bridges one quiet period.

    Returns
    -------
    numpy.ndarray
        Incident number per alert row (in the rows' order), 0, 1, 2... in order of series then start.

    Notes
    -----
    Sort the distinct (series, period) pairs; a new incident starts at the first pair of a series and
    wherever ``period_j - period_{j-1} > max_gap x step``. Every alert gets exactly one number: the
    incidents partition the alerts.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"svc": ["db"] * 4 + ["web"], "period": [3, 4, 4, 9, 4]})
    >>> label_incidents(a, ["svc"]).tolist()
    [0, 0, 0, 1, 2]
    """
    al = pd.DataFrame(alerts)
    require(all(c in al.columns for c in [*keys, "period"]), "alerts", list(al.columns),
            f"expected columns {[*keys, 'period']}")
    gap = checks.whole("max_gap_periods", max_gap_periods, 1, unit="periods")
    if len(al) == 0:
        return np.zeros(0, dtype=int)
    pairs = al[[*keys, "period"]].drop_duplicates().sort_values([*keys, "period"], kind="stable")
    new_series = np.r_[True, (pairs[list(keys)].iloc[1:].to_numpy() != pairs[list(keys)].iloc[:-1].to_numpy())
                       .any(axis=1)] if len(keys) else np.r_[True, np.zeros(len(pairs) - 1, dtype=bool)]
    period = pairs["period"]
    far = np.r_[True, (period.iloc[1:].to_numpy() - period.iloc[:-1].to_numpy()) > gap * _step(period, freq)]
    pairs = pairs.assign(_incident=np.cumsum(new_series | far) - 1)
    return al[[*keys, "period"]].merge(pairs, on=[*keys, "period"], how="left")["_incident"].to_numpy(dtype=int)


def incidents(alerts, keys: Sequence[str], freq: str = "D", max_gap_periods: int = 1) -> pd.DataFrame:
    """Consecutive alerts on one series as one incident: its span, peak and total excess, who saw it.

    Parameters
    ----------
    alerts : pandas.DataFrame
        Alerts with ``keys``, ``period``, ``change_usd`` and ``detector`` (`detect` or
        `finops.detect_anomalies` output, one detector or several).
    keys, freq, max_gap_periods
        As for `label_incidents`.

    Returns
    -------
    pandas.DataFrame
        One row per incident: the keys, ``incident`` (number), ``start`` and ``end`` (first and last
        alerting period), ``periods`` (alerting periods), ``alerts`` (alert rows), ``peak_period``,
        ``peak_usd`` (the largest excess in one period), ``excess_usd`` (total), ``detectors`` (the names,
        comma-separated, sorted).

    Notes
    -----
    Per (series, period) the excess is ``x = max(0, max_d change_d)`` over the detectors alerting there
    (as `finops.anomaly_dollars`: three detectors on one spike are one spike); per incident
    ``excess_usd = Σ x`` and ``peak_usd = max x``. So ``Σ excess_usd = finops.anomaly_dollars(alerts)``:
    total excess is conserved.

    Examples
    --------
    Three days of alerts on one series (two detectors on day 4) make one incident of 50 + 80 + 30:

    >>> import pandas as pd
    >>> a = pd.DataFrame({"svc": ["db"] * 4, "period": [3, 4, 4, 5], "change_usd": [50.0, 70.0, 80.0, 30.0],
    ...                   "detector": ["forecast", "forecast", "robust_z", "forecast"]})
    >>> incidents(a, ["svc"])[["start", "end", "periods", "peak_usd", "excess_usd", "detectors"]]
       start  end  periods  peak_usd  excess_usd           detectors
    0      3    5        3      80.0       160.0  forecast, robust_z
    """
    al = pd.DataFrame(alerts)
    require(all(c in al.columns for c in [*keys, "period", "change_usd", "detector"]), "alerts", list(al.columns),
            f"expected columns {[*keys, 'period', 'change_usd', 'detector']}")
    if len(al) == 0:
        return pd.DataFrame(columns=[*keys, *INCIDENT_COLUMNS])
    al = al.assign(incident=label_incidents(al, keys, freq, max_gap_periods),
                   _x=al["change_usd"].astype(float).clip(lower=0))
    per = (al.groupby(["incident", "period"], sort=True)
           .agg(_x=("_x", "max"), **{k: (k, "first") for k in keys}).reset_index())
    peak = per.sort_values(["incident", "_x", "period"], ascending=[True, False, True], kind="stable")
    peak = peak.drop_duplicates("incident").set_index("incident")
    grouped = per.groupby("incident", sort=True)
    out = pd.DataFrame({
        **{k: grouped[k].first() for k in keys},
        "start": grouped["period"].min(), "end": grouped["period"].max(), "periods": grouped.size(),
        "alerts": al.groupby("incident").size(), "peak_period": peak["period"], "peak_usd": peak["_x"],
        "excess_usd": grouped["_x"].sum(),
        "detectors": al.groupby("incident")["detector"].agg(lambda d: ", ".join(sorted(set(map(str, d))))),
    }).rename_axis(None).reset_index().rename(columns={"index": "incident"})
    return out[[*keys, *INCIDENT_COLUMNS]]


def incident_gate(found, min_excess_usd=0.0, min_periods: int = 1) -> pd.DataFrame:
    """The incidents worth a page: total excess at least ``min_excess_usd`` over at least ``min_periods``.

    Parameters
    ----------
    found : pandas.DataFrame
        `incidents` output.
    min_excess_usd : float
        Minimum total excess per incident, USD (a $3 blip is not a page however unusual).
    min_periods : int
        Minimum alerting periods.

    Returns
    -------
    pandas.DataFrame
        The incidents kept, index reset.

    Examples
    --------
    >>> import pandas as pd
    >>> i = pd.DataFrame({"excess_usd": [160.0, 12.0], "periods": [3, 1]})
    >>> incident_gate(i, min_excess_usd=50)["excess_usd"].tolist()
    [160.0]
    """
    f = pd.DataFrame(found)
    require(all(c in f.columns for c in ["excess_usd", "periods"]), "found", list(f.columns),
            "expected costlib.anomaly.incidents output")
    floor = finops._scalar("min_excess_usd", min_excess_usd, low=0)
    m = checks.whole("min_periods", min_periods, 1, unit="periods")
    keep = (f["excess_usd"].astype(float) >= floor) & (f["periods"].astype(int) >= m)
    return f[keep.to_numpy()].reset_index(drop=True)


def score_incidents(found, events, keys: Sequence[str], series_days) -> pd.DataFrame:
    """Precision, recall and F1 of incidents against known anomalies, per kind, and false pages.

    Parameters
    ----------
    found : pandas.DataFrame
        `incidents` output (``keys``, ``start``, ``end``).
    events : pandas.DataFrame
        Known anomalies: ``keys``, ``kind``, ``start``, ``end`` (in effect, inclusive) and optionally
        ``found_by`` (the last period at which a page still finds it; default ``end``), as
        `synthetic_anomalies.AnomalyBench.events`.
    series_days : float
        Series x days scored (the denominator of false pages per 1,000 series-days).

    Returns
    -------
    pandas.DataFrame
        Indexed by kind, then ``"all"``: ``events``, ``found``, ``recall``, ``pages`` (incidents),
        ``true_pages``, ``false_pages``, ``precision``, ``f1``, ``false_pages_per_1k_series_days``.

    Notes
    -----
    An incident is a *true page* when it overlaps an event in effect on its series
    (``start_i <= end_e`` and ``end_i >= start_e``), else a *false page*. An event is *found* when an
    incident overlaps ``[start_e, found_by_e]``. ``recall = found / events``; ``precision = true pages /
    pages`` (NaN without pages); ``F1 = 2 P R / (P + R)`` (0 when both are 0). A false page has no kind,
    so precision is one figure for the whole run and each kind's row holds it with the kind's recall;
    ``pages`` and ``true_pages`` per kind count the incidents overlapping an event of that kind.
    ``false pages per 1,000 series-days = 1000 x false pages / series_days``.

    Examples
    --------
    One spike found, one shift missed, a false page on another series (periods are days):

    >>> import pandas as pd
    >>> ev = pd.DataFrame({"svc": ["a", "b"], "kind": ["spike", "level_shift"], "start": [5, 10], "end": [5, 30]})
    >>> inc = pd.DataFrame({"svc": ["a", "c"], "start": [5, 2], "end": [6, 2]})
    >>> s = score_incidents(inc, ev, ["svc"], series_days=90)
    >>> [float(x) for x in s.loc["all", ["found", "recall", "precision", "f1"]]]
    [1.0, 0.5, 0.5, 0.5]
    >>> round(float(s.loc["all", "false_pages_per_1k_series_days"]), 2)
    11.11
    """
    inc = pd.DataFrame(found)
    require(all(c in inc.columns for c in [*keys, "start", "end"]), "found", list(inc.columns),
            f"expected columns {[*keys, 'start', 'end']}")
    ev = finops._frame("events", events, [*keys, "kind", "start", "end"]).reset_index(drop=True)
    days = finops._scalar("series_days", series_days, low=0, low_strict=True)
    found_by = ev["found_by"] if "found_by" in ev.columns else ev["end"]
    true_page = np.zeros(len(inc), dtype=bool)
    page_kinds = [set() for _ in range(len(inc))]
    found = np.zeros(len(ev), dtype=bool)
    if len(inc):
        same = np.ones((len(inc), len(ev)), dtype=bool)
        for k in keys:
            same &= inc[k].to_numpy()[:, None] == ev[k].to_numpy()[None, :]
        s_i, e_i = inc["start"].to_numpy()[:, None], inc["end"].to_numpy()[:, None]
        overlap = same & (s_i <= ev["end"].to_numpy()[None, :]) & (e_i >= ev["start"].to_numpy()[None, :])
        early = same & (s_i <= found_by.to_numpy()[None, :]) & (e_i >= ev["start"].to_numpy()[None, :])
        true_page = overlap.any(axis=1)
        found = early.any(axis=0)
        for i, j in zip(*np.nonzero(overlap)):
            page_kinds[i].add(ev.at[j, "kind"])
    pages, true_pages = len(inc), int(true_page.sum())
    rows = []
    for kind in dict.fromkeys([*synthetic_anomalies.KINDS, *ev["kind"]]):
        sel = (ev["kind"] == kind).to_numpy()
        if sel.any():
            k_pages = sum(kind in ks for ks in page_kinds)
            rows.append({"kind": kind, "events": int(sel.sum()), "found": int(found[sel].sum()), "pages": k_pages,
                         "true_pages": k_pages})
    rows.append({"kind": "all", "events": len(ev), "found": int(found.sum()), "pages": pages,
                 "true_pages": true_pages})
    return _ratios(pd.DataFrame(rows).set_index("kind"), pages - true_pages, days)


def _ratios(counts: pd.DataFrame, false_pages: int, series_days: float) -> pd.DataFrame:
    """`score_incidents`'s ratios from its counts (``events``, ``found``, ``pages``, ``true_pages`` per kind
    and ``"all"``): recall per kind, the run's precision, F1, false pages per 1,000 series-days."""
    out = counts.copy()
    out["recall"] = out["found"] / out["events"].where(out["events"] > 0)
    pages, true = out.loc["all", "pages"], out.loc["all", "true_pages"]
    precision = true / pages if pages else np.nan
    p = 0.0 if np.isnan(precision) else precision
    r = out["recall"].fillna(0.0).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["f1"] = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    out["false_pages"] = int(false_pages)
    out["precision"] = precision
    out["false_pages_per_1k_series_days"] = 1000.0 * false_pages / series_days
    return out[["events", "found", "recall", "pages", "true_pages", "false_pages", "precision", "f1",
                "false_pages_per_1k_series_days"]]


#: Costbook's combined incidents by default, per frequency: the detectors (each with a 10% share threshold
#: and the dollar floor), the noise-aware gate (forecast and seasonal alerts count only beyond 6 robust
#: deviations, where they corroborate or add), alerts up to ``max_gap_periods`` apart as one incident,
#: incidents whose excess is under ``min_incident_z`` noise deviations in dollars dropped
#: (`incident_noise_gate`), and incidents below ``min_excess_usd`` dropped. Daily: the noise is Qn
#: (`qn_scale`), robust_z alerts from 1 deviation (its own ``z_threshold`` the same, so the detector does not
#: cut at its default 3.5 first) and the incident's summed excess decides (Z >= 4.5). Hourly: robust_z from
#: 3 deviations, incidents from Z = 9, and the burst check (`burst_alerts`: 2-12 hours whose summed excess
#: is 5 noise deviations of those hours), whose incidents page on its own test. Chosen on generated series of the
#: tuning seeds 100-104 over all four difficulty presets (the best mean F1 among the settings that meet both
#: benchmark targets on every preset there; one setting for every preset),
#: never on the seeds a benchmark reports: see benchmarks/anomaly_detection.py.
COMBINED = {
    "D": {"detectors": {"robust_z": {"threshold_share": 0.10, "floor_usd": 10.0, "z_threshold": 1.0, "scale": "qn"},
                        "forecast": {"threshold_share": 0.10, "floor_usd": 10.0},
                        "seasonal": {"threshold_share": 0.10, "floor_usd": 10.0}},
          "noise": {"season_periods": 7, "seasons": 4, "window_periods": 28, "scale": "qn"},
          "noise_multiple": {"robust_z": 1.0, "forecast": 6.0, "seasonal": 6.0},
          "max_gap_periods": 3, "min_excess_usd": 20.0, "min_incident_z": 4.5},
    "h": {"detectors": {"robust_z": {"threshold_share": 0.10, "floor_usd": 1.0, "season_periods": 168, "seasons": 3,
                                     "window_periods": 168, "z_threshold": 3.0},
                        "forecast": {"threshold_share": 0.10, "floor_usd": 1.0, "season_periods": 168, "seasons": 3},
                        "burst": {"threshold_share": 0.10, "floor_usd": 1.0, "season_periods": 168, "seasons": 3,
                                  "window_periods": 168, "burst_periods": (2, 3, 4, 6, 8, 12), "z_threshold": 5.0}},
          "noise": {"season_periods": 168, "seasons": 3, "window_periods": 168},
          "noise_multiple": {"robust_z": 3.0, "forecast": 6.0, "burst": NO_NOISE_GATE},
          "max_gap_periods": 48, "min_excess_usd": 5.0,
          "min_incident_z": {"robust_z": 9.0, "forecast": 9.0, "burst": 0.0}},
}


@dataclass(frozen=True)
class GeneratedBacktest:
    """A backtest on generated series of a stated difficulty.

    Attributes
    ----------
    scores : pandas.DataFrame
        `score_incidents` rows for each method: indexed by (``method``, ``kind``); the methods are each
        detector alone (its alerts as incidents, no noise gate) and ``"incidents"`` (the combined,
        noise-gated incidents).
    scored_on : pandas.DataFrame
        `AnomalyBench.scored_on`, summed over the seeds: kinds, event counts and size ranges.
    description : str
        What it was scored on, in one sentence per seed's bench (the same sizes and kinds).
    incidents : pandas.DataFrame
        The combined incidents of the first seed (for showing an example).
    """

    scores: pd.DataFrame
    scored_on: pd.DataFrame
    description: str
    incidents: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per method, the ``"all"`` row: events, found, recall, precision, F1, false pages per 1,000."""
        s = self.scores.xs("all", level="kind")
        return s[["events", "found", "recall", "pages", "false_pages", "precision", "f1",
                  "false_pages_per_1k_series_days"]]


def backtest_generated(detectors: Mapping[str, Mapping] | None = None, level="realistic", seeds=(0,),
                       freq: str = "D", *, noise: Mapping | None = None, noise_multiple=None,
                       max_gap_periods: int | None = None, min_excess_usd=None,
                       generator: Mapping | None = None, min_incident_z=None) -> GeneratedBacktest:
    """Backtest detectors and combined incidents on `synthetic_anomalies.generate` series.

    Parameters
    ----------
    detectors : mapping, optional
        Detector name -> settings for the combined incidents (and each alone); default `COMBINED`'s for the
        frequency.
    level : str or synthetic_anomalies.Difficulty
        The difficulty preset (`synthetic_anomalies.LEVELS`: ``easy``, ``moderate``, ``realistic``,
        ``noise5_events20``).
    seeds : sequence of int
        Generator seeds; the scores pool every seed's events and pages.
    freq : {"D", "h"}
        Daily or hourly series.
    noise, noise_multiple, max_gap_periods, min_excess_usd, min_incident_z
        The noise-aware gates and incident rules of the combined incidents; default (None) `COMBINED`'s.
        ``noise_multiple="off"`` (`NO_NOISE_GATE`): no noise gate, every alert goes on to the incidents;
        ``min_incident_z=0``: no incident noise gate.
    generator : mapping, optional
        Further keyword arguments of `synthetic_anomalies.generate` (``n_series``, ``days``,
        ``events_per_kind``).

    Returns
    -------
    GeneratedBacktest

    Notes
    -----
    Per seed: generate; run the detectors (`detect`); per detector alone, its alerts as incidents
    (`incidents`); combined, `noise_gate`, `incident_noise_gate`, `incidents`, `incident_gate`. Pages, true pages and
    found events are summed over the seeds before `score_incidents`'s ratios are taken (pooled, not
    averaged).

    Examples
    --------
    >>> bt = backtest_generated(level="easy", seeds=(7,), generator={"n_series": 12, "days": 56,
    ...                                                          "events_per_kind": 2})
    >>> list(bt.summary().index), int(bt.summary().loc["incidents", "events"])
    (['forecast', 'robust_z', 'seasonal', 'incidents'], 8)
    >>> bt.description.startswith("12 generated daily series over 56 days (seed 7), 8 anomalies")
    True
    """
    base = COMBINED[freq] if freq in COMBINED else COMBINED["D"]
    require(freq in synthetic_anomalies.FREQUENCIES, "freq", freq, "expected 'D' (daily) or 'h' (hourly)")
    detectors = dict(base["detectors"] if detectors is None else detectors)
    noise = dict(base["noise"] if noise is None else noise)
    k = base["noise_multiple"] if noise_multiple is None else noise_multiple
    gap = base["max_gap_periods"] if max_gap_periods is None else max_gap_periods
    floor = base["min_excess_usd"] if min_excess_usd is None else min_excess_usd
    z_inc = base.get("min_incident_z", 0.0) if min_incident_z is None else min_incident_z
    seeds = [checks.whole("seeds", s, 0) for s in seeds]
    require(len(seeds) > 0, "seeds", seeds, "expected at least one seed")
    per_method: dict[str, list] = {}
    benches, first_incidents = [], None
    for seed in seeds:
        bench = synthetic_anomalies.generate(level, seed=seed, freq=freq, **dict(generator or {}))
        benches.append(bench)
        alerts = detect(bench.frame, ["series"], detectors, noise=noise, freq=freq)
        for name in detectors:
            mine = incidents(alerts[alerts["detector"] == name], ["series"], freq, 1)
            per_method.setdefault(name, []).append((mine, bench))
        gated = incident_noise_gate(noise_gate(alerts, k), ["series"], freq, gap, z_inc)
        combined = incident_gate(incidents(gated, ["series"], freq, gap), floor)
        per_method.setdefault("incidents", []).append((combined, bench))
        first_incidents = combined if first_incidents is None else first_incidents
    frames = []
    for method, runs in per_method.items():
        frames.append(_pooled(runs).assign(method=method))
    scores = pd.concat(frames).reset_index().set_index(["method", "kind"])
    order = [*sorted(detectors), "incidents"]
    scores = scores.loc[order]
    scored_on = pd.concat([b.scored_on() for b in benches]).groupby("kind", sort=False).agg(
        events=("events", "sum"), size_range_low_share=("size_range_low_share", "first"),
        size_range_high_share=("size_range_high_share", "first"), smallest_size_share=("smallest_size_share", "min"),
        largest_size_share=("largest_size_share", "max"), extra_usd=("extra_usd", "sum")).reset_index()
    description = " ".join(b.describe() for b in benches[:1])
    if len(benches) > 1:
        description += f" Pooled over {len(benches)} seeds ({', '.join(str(b.seed) for b in benches)})."
    return GeneratedBacktest(scores=scores, scored_on=scored_on, description=description, incidents=first_incidents)


def _pooled(runs) -> pd.DataFrame:
    """`score_incidents` pooled over several (incidents, bench) runs: counts summed, then the ratios."""
    parts = [score_incidents(inc, b.events, ["series"], b.series_days) for inc, b in runs]
    counts = pd.concat([p[["events", "found", "pages", "true_pages"]] for p in parts]).groupby(level=0, sort=False).sum()
    false = sum(int(p.loc["all", "false_pages"]) for p in parts)
    return _ratios(counts, false, sum(b.series_days for _, b in runs))
