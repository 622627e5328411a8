"""The statistical baseline of workbook 04: a family of forecast models, a rolling-origin backtest, the
choice (or the combination) it supports, and prediction intervals checked against the backtest.

The family has one signature, ``forecast(history, period, horizon_months, coverage, seed) -> frame of
step, p10, p50, p90`` (the interval's ends named for 80% coverage, whatever ``coverage`` is; ``p50`` is
the point forecast), and one registry, `MODELS`, in order of simplicity:

- ``seasonal_naive``: each month repeats the same month a season ago (`costlib.forecast`);
- ``seasonal_trend``: costbook's log-linear trend with monthly factors (`costlib.forecast`), positive
  histories only;
- ``theta``: the Theta method (Assimakopoulos and Nikolopoulos 2000) on the seasonally adjusted series;
- ``ets``: exponential smoothing state-space models, the form (additive or multiplicative error, no,
  additive or damped trend, additive or multiplicative season) chosen by AICc;
- ``sarima``: the airline model SARIMA(0,1,1)(0,1,1)s (Box and Jenkins), on logs when the history is
  positive.

ETS, SARIMA and Theta are statsmodels' (``ETSModel``, ``SARIMAX``, ``ThetaModel``): a well-kept library is
the reason not to hand-write them. Their intervals come from each model's own forecast distribution
(analytic, or 2,000 seeded simulated paths for the ETS forms without a closed form) and widen with the
horizon. ``median`` is the combination: at each step, the median of the ETS, SARIMA and Theta forecasts
and of their interval ends (Hyndman and Athanasopoulos 2021, 13.4).

A history with zeros or negatives is never an error: the models that need a positive series (the log-linear
model) are left out, ETS keeps its additive forms, SARIMA runs on the values and Theta deseasonalises
additively; `fallback_note` says so in one line. A model that fails to fit at some origin is left out of
the choice with a note, and seasonal naive, which cannot fail, is always there.

`backtest` forecasts the last ``holdout_months`` from several origins (the last one ``holdout_months``
before the end, the others ``step_months`` earlier each); `scores` gives each model's mean MASE over the
origins, its sMAPE and how often its interval held the outcome; `baseline` chooses (lowest mean MASE, the
simpler model on a tie) or combines, forecasts from the whole history, and widens the interval by the
factor that brings the backtest's miss rate down to the nominal one when the model undercovered there
(`interval_widening`). `benchmarks/forecast_accuracy.py` measures all of it on public series.

References
----------
Hyndman, R. J. and Athanasopoulos, G. (2021). *Forecasting: Principles and Practice*, 3rd ed., OTexts:
5.10 (time series cross-validation), 8 (exponential smoothing), 9.9 (seasonal ARIMA), 13.4 (combinations).
Hyndman, R. J., Koehler, A. B., Ord, J. K. and Snyder, R. D. (2008). *Forecasting with Exponential
Smoothing: The State Space Approach*. Springer.
Assimakopoulos, V. and Nikolopoulos, K. (2000). The theta model: a decomposition approach to forecasting.
International Journal of Forecasting 16(4), 521-530.
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from costlib import checks
from costlib import forecast as fc
from costlib.errors import ModelError, require

__all__ = [
    "ForecastModel", "MODELS", "MEDIAN", "MEDIAN_OF", "METHODS", "DEFAULT_METHOD", "min_history",
    "is_positive", "fallback_note", "seasonal_naive", "seasonal_trend", "ets", "sarima", "theta",
    "median_of", "origins_for", "Backtest", "backtest", "scores", "choose", "interval_widening", "widen",
    "Baseline", "baseline",
]

#: The combination's name, and the models it takes the median of.
MEDIAN = "median"
MEDIAN_OF = ("ets", "sarima", "theta")
#: How `baseline` picks: the lowest backtest MASE among the single models ("select"), always the median
#: ("median"), or the lowest backtest MASE with the median among the candidates ("select_or_median").
#: "select" measured best on the benchmark's public series (README, forecast section).
METHODS = ("select", "median", "select_or_median")
DEFAULT_METHOD = "select"
_SIMULATIONS = 2000
_COLUMNS = ["step", "p10", "p50", "p90"]


def min_history(period: int) -> int:
    """Months a model needs to be fitted: two seasons plus two (what the log-linear model needs).

    >>> min_history(12)
    26
    """
    return 2 * checks.whole("period", period, 1) + 2


def is_positive(history) -> bool:
    """Whether every month is above zero (the multiplicative and log-scale models need it).

    >>> is_positive([3, 1, 2]), is_positive([3, 0, 2])
    (True, False)
    """
    return bool(np.all(checks.floats("history", history) > 0))


def fallback_note(history) -> str | None:
    """One line saying which models a history with zeros or negatives falls back to; None if positive.

    Examples
    --------
    >>> print(fallback_note([0, 0, 5, 7]))
    The history has zeros or negatives (2 of 4 months; month 1 is 0): additive models only. The log-linear seasonal model is left out, ETS keeps its additive forms, SARIMA runs on the values rather than their logs, and Theta deseasonalises additively.
    >>> fallback_note([1, 2]) is None
    True
    """
    y = checks.floats("history", history)
    bad = np.flatnonzero(~(y > 0))
    if bad.size == 0:
        return None
    return (f"The history has zeros or negatives ({bad.size} of {y.size} months; month {bad[0] + 1} is "
            f"{y[bad[0]]:g}): additive models only. The log-linear seasonal model is left out, ETS keeps its "
            "additive forms, SARIMA runs on the values rather than their logs, and Theta deseasonalises "
            "additively.")


def _history(history, period: int, horizon_months: int) -> tuple[np.ndarray, int, int]:
    y = checks.number("history", history)
    s = checks.whole("period", period, 1)
    require(y.ndim == 1 and y.size >= min_history(s), "history", f"{y.size} values",
            f"expected at least two seasons plus two months ({min_history(s)} values)")
    return y, s, checks.whole("horizon_months", horizon_months, 1)


def _z_alpha(coverage: float) -> float:
    c = float(checks.number("coverage", coverage, low=0, low_strict=True, high=1, high_strict=True))
    return 1.0 - c


def _monthly(y: np.ndarray) -> pd.Series:
    """statsmodels wants a dated index to forecast past the end; the dates themselves do not matter."""
    return pd.Series(y, index=pd.date_range("2000-01-01", periods=y.size, freq="MS"))


@contextmanager
def _quiet():
    """One BLAS thread and no convergence chatter while statsmodels fits.

    The fits are many small optimisations: on a shared 2-core machine OpenBLAS's threads made them 5-10x
    slower (measured: nine ETS fits of 144 months 13.4 s with the default threads, 0.9 s with one).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _frame(h: int, lower, mid, upper) -> pd.DataFrame:
    frame = pd.DataFrame({"step": np.arange(1, h + 1), "p10": np.asarray(lower, dtype=float),
                          "p50": np.asarray(mid, dtype=float), "p90": np.asarray(upper, dtype=float)})
    if not np.isfinite(frame[["p10", "p50", "p90"]].to_numpy()).all():
        raise ModelError("forecast = not finite: the model did not fit this history")
    return frame


# ---------------------------------------------------------------------------------------------------
# The family: one signature, one registry.


def seasonal_naive(history, period: int, horizon_months: int, coverage: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """Seasonal naive (`costlib.forecast.seasonal_naive_forecast`) in the family's signature.

    >>> seasonal_naive([1, 2, 3, 4, 1, 2, 3, 4, 1, 2], 4, 3)["p50"].tolist()
    [3.0, 4.0, 1.0]
    """
    return fc.seasonal_naive_forecast(checks.number("history", history), period, horizon_months, coverage)


def seasonal_trend(history, period: int, horizon_months: int, coverage: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """costbook's log-linear seasonal model (`costlib.forecast.seasonal_trend_forecast`); positive only.

    >>> y = 100 * 1.02 ** np.arange(26) * np.tile([0.9, 1.1], 13)
    >>> np.allclose(seasonal_trend(y, 2, 2)["p50"], 100 * 1.02 ** np.arange(26, 28) * [0.9, 1.1])
    True
    """
    y, s, h = _history(history, period, horizon_months)
    return fc.seasonal_trend_forecast(y, s, h, coverage)


#: ETS forms (error, trend, damped, season) tried for a positive history; an additive error with a
#: multiplicative season is left out, as in Hyndman et al. (2008, 7.4: numerically unstable).
ETS_FORMS = (("add", None, False, "add"), ("add", "add", False, "add"), ("add", "add", True, "add"),
             ("mul", None, False, "add"), ("mul", "add", False, "add"), ("mul", "add", True, "add"),
             ("mul", None, False, "mul"), ("mul", "add", False, "mul"), ("mul", "add", True, "mul"))


def ets(history, period: int, horizon_months: int, coverage: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """Exponential smoothing (statsmodels ``ETSModel``), the form chosen by AICc, with its own intervals.

    Parameters
    ----------
    history : array_like
        Monthly values, oldest first, at least two seasons plus two.
    period : int
        Season length in months.
    horizon_months : int
        Months ahead.
    coverage : float
        Central coverage of the interval.
    seed : int
        Seed of the simulated paths (forms without an analytic interval).

    Returns
    -------
    pandas.DataFrame
        ``step, p10, p50, p90``; ``p50`` is the forecast mean.

    Notes
    -----
    Each form of `ETS_FORMS` (only the additive ones when the history has zeros or negatives) is fitted by
    maximum likelihood; the lowest :math:`AICc = AIC + 2k(k+1)/(n-k-1)` is kept. Additive-error forms have
    analytic prediction variances; the others are simulated (2,000 paths, seeded).

    References
    ----------
    Hyndman et al. (2008), 2.5 and 6 (prediction distributions); Hyndman and Athanasopoulos (2021), 8.6-8.7.

    Examples
    --------
    A straight line is Holt's linear trend: the forecast continues it.

    >>> f = ets(10 + 2.0 * np.arange(30) + np.tile([0.5, -0.5], 15), 2, 3)
    >>> np.allclose(f["p50"], 10 + 2.0 * np.arange(30, 33) + [0.5, -0.5, 0.5], atol=0.05)
    True
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y, s, h = _history(history, period, horizon_months)
    forms = ETS_FORMS if is_positive(y) else [f for f in ETS_FORMS if f[0] == "add" and f[3] == "add"]
    best = None
    with _quiet():
        for error, trend, damped, season in forms:
            try:
                fit = ETSModel(_monthly(y), error=error, trend=trend, damped_trend=damped, seasonal=season,
                               seasonal_periods=s).fit(disp=False)
            except (ValueError, np.linalg.LinAlgError, ZeroDivisionError):
                continue
            if np.isfinite(fit.aicc) and np.isfinite(fit.params).all() and (best is None or fit.aicc < best.aicc):
                best = fit
        require(best is not None, "history", f"{y.size} values", "expected a series some ETS form can fit")
        pred = best.get_prediction(start=y.size, end=y.size + h - 1, simulate_repetitions=_SIMULATIONS,
                                   rng=np.random.default_rng(seed))
        table = pred.summary_frame(alpha=_z_alpha(coverage))
    return _frame(h, table["pi_lower"], table["mean"], table["pi_upper"])


def sarima(history, period: int, horizon_months: int, coverage: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """The airline model SARIMA(0,1,1)(0,1,1)s (statsmodels ``SARIMAX``), on logs when the history is positive.

    Notes
    -----
    :math:`(1 - B)(1 - B^s) z_t = (1 + \\theta B)(1 + \\Theta B^s) \\varepsilon_t` with :math:`z = \\ln y`
    (or :math:`y` when a month is not positive), fitted by exact maximum likelihood (Kalman filter); the
    Gaussian interval on :math:`z` widens with the horizon; on logs the forecast is its exponential (the
    median).

    References
    ----------
    Box, G. E. P. and Jenkins, G. M. (1976). *Time Series Analysis: Forecasting and Control*, 9.2 (the
    airline model); Hyndman and Athanasopoulos (2021), 9.9.

    Examples
    --------
    A season that repeats on a straight line: the airline model carries on both.

    >>> y = 50 + 1.0 * np.arange(40) + np.tile([3.0, -1.0, -2.0, 0.0], 10)
    >>> f = sarima(y, 4, 4)
    >>> np.allclose(f["p50"], 50 + 1.0 * np.arange(40, 44) + [3.0, -1.0, -2.0, 0.0], atol=0.5)
    True
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y, s, h = _history(history, period, horizon_months)
    log = is_positive(y)
    z = np.log(y) if log else y
    with _quiet():
        fit = SARIMAX(_monthly(z), order=(0, 1, 1), seasonal_order=(0, 1, 1, s)).fit(disp=False)
        pred = fit.get_forecast(h)
        ci = np.asarray(pred.conf_int(alpha=_z_alpha(coverage)))
        mid = np.asarray(pred.predicted_mean)
    back = np.exp if log else (lambda v: v)
    return _frame(h, back(ci[:, 0]), back(mid), back(ci[:, 1]))


def theta(history, period: int, horizon_months: int, coverage: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """The Theta method (statsmodels ``ThetaModel``, theta = 2) on the seasonally adjusted series.

    Notes
    -----
    The series is deseasonalised by classical decomposition (multiplicative when positive, additive
    otherwise) when a seasonality test at the 90% level finds a season; the forecast is simple exponential
    smoothing plus half the slope of a linear trend, :math:`\\hat y_{T+h} = \\tilde y_{T+h} + \\frac{b_0}{2}
    \\left(h - 1 + \\frac{1}{\\alpha} - \\frac{(1-\\alpha)^T}{\\alpha}\\right)`, reseasonalised; the interval is
    the exponential smoothing one, widening with :math:`\\sqrt{1 + (h-1)\\alpha^2}`.

    References
    ----------
    Assimakopoulos and Nikolopoulos (2000); Hyndman, R. J. and Billah, B. (2003). Unmasking the Theta method.
    International Journal of Forecasting 19(2), 287-290.

    Examples
    --------
    >>> y = 100 + 2.0 * np.arange(30) + np.tile([5.0, -5.0], 15)
    >>> f = theta(y, 2, 2)
    >>> bool((f["p10"] < f["p50"]).all() and (f["p50"] < f["p90"]).all())
    True
    """
    from statsmodels.tsa.forecasting.theta import ThetaModel

    y, s, h = _history(history, period, horizon_months)
    with _quiet():
        fit = ThetaModel(_monthly(y), period=s, method="auto" if is_positive(y) else "additive").fit()
        mid = np.asarray(fit.forecast(h))
        pi = np.asarray(fit.prediction_intervals(h, alpha=_z_alpha(coverage)))
    return _frame(h, pi[:, 0], mid, pi[:, 1])


@dataclass(frozen=True)
class ForecastModel:
    """One member of the family: its name, words for a reader, its forecast function and its needs."""

    name: str
    label: str
    forecast: Callable[..., pd.DataFrame]
    positive_only: bool = False


#: The registry, simplest first (a tie in the backtest goes to the earlier one).
MODELS: dict[str, ForecastModel] = {m.name: m for m in (
    ForecastModel("seasonal_naive", "seasonal naive (same month last year)", seasonal_naive),
    ForecastModel("seasonal_trend", "log-linear trend with monthly factors", seasonal_trend, positive_only=True),
    ForecastModel("theta", "Theta method", theta),
    ForecastModel("ets", "exponential smoothing (ETS, form by AICc)", ets),
    ForecastModel("sarima", "airline SARIMA(0,1,1)(0,1,1)12", sarima),
)}
_LABELS = {**{m.name: m.label for m in MODELS.values()}, MEDIAN: "median of ETS, SARIMA and Theta"}


def median_of(frames) -> pd.DataFrame:
    """The combination: at each step the median of the members' forecasts and of their interval ends.

    >>> a = pd.DataFrame({"step": [1], "p10": [1.0], "p50": [2.0], "p90": [3.0]})
    >>> median_of([a, a + 1, a + 5])[["p10", "p50", "p90"]].values.tolist()
    [[2.0, 3.0, 4.0]]
    """
    frames = list(frames)
    require(len(frames) >= 1, "frames", 0, "expected at least one forecast to combine")
    stack = np.stack([f[["p10", "p50", "p90"]].to_numpy(dtype=float) for f in frames])
    mid = np.median(stack, axis=0)
    return pd.DataFrame({"step": frames[0]["step"].to_numpy(), "p10": mid[:, 0], "p50": mid[:, 1], "p90": mid[:, 2]})


# ---------------------------------------------------------------------------------------------------
# The rolling-origin backtest.


def origins_for(n: int, period: int, holdout_months: int, origins: int = 4, step_months: int = 3) -> list[int]:
    """Forecast origins (months of training) for a rolling backtest, latest first.

    The last origin leaves ``holdout_months`` to score; each earlier one is ``step_months`` before it; an
    origin needs `min_history` months before it. A history too short for ``origins`` origins that far apart
    gets them closer (down to one month apart), then fewer.

    Examples
    --------
    >>> origins_for(60, 12, 12, 4, 3)
    [48, 45, 42, 39]
    >>> origins_for(36, 12, 8, 4, 3)  # 28 months before the last 8, and 26 are needed to fit
    [28, 27, 26]
    """
    need = min_history(period)
    last = int(n) - checks.whole("holdout_months", holdout_months, 1)
    require(last >= need, "history", f"{n} values",
            f"expected at least {need + holdout_months} months ({need} to fit plus {holdout_months} to score)")
    k = checks.whole("origins", origins, 1)
    step = checks.whole("step_months", step_months, 1)
    if k > 1 and last - (k - 1) * step < need:
        step = max(1, (last - need) // (k - 1))
    return [t for t in (last - i * step for i in range(k)) if t >= need]


@dataclass
class Backtest:
    """What `backtest` returns: every forecast of the held-out months, and the models that failed."""

    forecasts: pd.DataFrame
    failed: dict = field(default_factory=dict)
    origins: list = field(default_factory=list)


def backtest(history, period: int, holdout_months: int = 12, origins: int = 4, step_months: int = 3,
             coverage: float = 0.8, models: Mapping[str, ForecastModel] | None = None, seed: int = 0) -> Backtest:
    """Rolling-origin backtest: each model forecasts ``holdout_months`` from each origin, with the median.

    Parameters
    ----------
    history : array_like
        Monthly values, oldest first.
    period : int
        Season length.
    holdout_months : int
        Months forecast from each origin.
    origins, step_months : int
        How many origins, and the months between two of them (`origins_for`).
    coverage : float
        Central coverage of the intervals.
    models : mapping, optional
        The models to score (default `MODELS`, less those a non-positive history rules out).
    seed : int
        Seed of the simulated intervals.

    Returns
    -------
    Backtest
        ``forecasts``: one row per model, origin and step (``model, origin, step, actual, p10, p50, p90,
        scale``; ``scale`` is the origin's in-sample seasonal-naive MAE, MASE's denominator), with the
        ``median`` rows when at least two of its members ran; ``failed``: model -> the error that left it
        out (a model that fails at one origin is left out at all, so every model is scored on the same
        origins).

    References
    ----------
    Hyndman and Athanasopoulos (2021), 5.10 (evaluation on a rolling forecasting origin).

    Examples
    --------
    >>> y = np.tile([1.0, 2.0, 3.0, 4.0], 10)
    >>> bt = backtest(y, 4, 4, origins=2, models={"seasonal_naive": MODELS["seasonal_naive"]})
    >>> bt.origins, float(bt.forecasts["p50"].sub(bt.forecasts["actual"]).abs().max())
    ([36, 33], 0.0)
    """
    y = checks.number("history", history)
    s = checks.whole("period", period, 1)
    h = checks.whole("holdout_months", holdout_months, 1)
    cut = origins_for(y.size, s, h, origins, step_months)
    pool = dict(models) if models is not None else {k: m for k, m in MODELS.items()}
    if not is_positive(y):
        pool = {k: m for k, m in pool.items() if not m.positive_only}
    rows, failed = {k: [] for k in pool}, {}
    for name, model in pool.items():
        for t in cut:
            train, test = y[:t], y[t:t + h]
            try:
                f = model.forecast(train, s, h, coverage, seed)
            except (ValueError, np.linalg.LinAlgError) as err:  # ModelError is a ValueError
                failed[name] = f"{type(err).__name__}: {err}"
                break
            scale = float(np.mean(np.abs(train[s:] - train[:-s])))
            rows[name].append(f.assign(model=name, origin=t, actual=test, scale=scale))
    frames = {k: pd.concat(v, ignore_index=True) for k, v in rows.items() if k not in failed and v}
    members = [frames[k] for k in MEDIAN_OF if k in frames]
    if len(members) >= 2:
        med = [median_of([m[m["origin"] == t] for m in members]).assign(
            model=MEDIAN, origin=t, actual=y[t:t + h], scale=members[0].loc[members[0]["origin"] == t, "scale"].iloc[0])
            for t in cut]
        frames[MEDIAN] = pd.concat(med, ignore_index=True)
    cols = ["model", "origin", "step", "actual", "p10", "p50", "p90", "scale"]
    out = pd.concat(frames.values(), ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    return Backtest(out, failed, cut)


def _smape(actual, forecast) -> float:
    """Symmetric MAPE as a decimal: mean of 2|a - f| / (|a| + |f|), a month with both zero scoring 0."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    den = np.abs(a) + np.abs(f)
    return float(np.mean(np.where(den > 0, 2 * np.abs(a - f) / np.where(den > 0, den, 1), 0.0)))


def scores(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Each model's accuracy over a backtest: mean MASE over origins, sMAPE, interval coverage.

    Parameters
    ----------
    forecasts : pandas.DataFrame
        `Backtest.forecasts`.

    Returns
    -------
    pandas.DataFrame
        ``model, label, mase, smape, coverage, origins`` in registry order (the median last).

    Notes
    -----
    MASE per origin :math:`= \\frac{1}{h}\\sum |y - \\hat y| / scale` (`costlib.forecast.mase`; an origin
    whose training part repeats exactly scores 0 or inf), averaged over origins; sMAPE
    :math:`= \\frac{1}{N}\\sum 2|y - \\hat y| / (|y| + |\\hat y|)`; coverage: the share of held-out months
    inside ``[p10, p90]``.

    References
    ----------
    Hyndman and Koehler (2006), Another look at measures of forecast accuracy (MASE, sMAPE).

    Examples
    --------
    >>> f = pd.DataFrame({"model": "m", "origin": [10, 10], "step": [1, 2], "actual": [10.0, 12.0],
    ...                   "p10": [9.0, 9.0], "p50": [11.0, 12.0], "p90": [13.0, 11.5], "scale": [2.0, 2.0]})
    >>> scores(f)[["mase", "coverage"]].values.tolist()  # mean error 0.5 over 2; 12 is above 11.5
    [[0.25, 0.5]]
    """
    order = list(MODELS) + [MEDIAN]
    rows = []
    for name in sorted(forecasts["model"].unique(), key=lambda m: order.index(m) if m in order else len(order)):
        f = forecasts[forecasts["model"] == name]
        per_origin = []
        for _, g in f.groupby("origin"):
            err, scale = float(np.mean(np.abs(g["actual"] - g["p50"]))), float(g["scale"].iloc[0])
            per_origin.append((0.0 if err == 0 else math.inf) if scale == 0 else err / scale)
        inside = (f["actual"] >= f["p10"]) & (f["actual"] <= f["p90"])
        rows.append({"model": name, "label": _LABELS.get(name, name), "mase": float(np.mean(per_origin)),
                     "smape": _smape(f["actual"], f["p50"]), "coverage": float(inside.mean()),
                     "origins": len(per_origin)})
    return pd.DataFrame(rows, columns=["model", "label", "mase", "smape", "coverage", "origins"])


def choose(table: pd.DataFrame, candidates=None) -> str:
    """The model with the lowest backtest MASE among ``candidates`` (all by default); a tie goes to the
    simpler (earlier) model.

    >>> t = pd.DataFrame({"model": ["seasonal_naive", "ets", "median"], "mase": [0.9, 0.9, 0.7]})
    >>> choose(t, ["seasonal_naive", "ets"]), choose(t)
    ('seasonal_naive', 'median')
    """
    t = table if candidates is None else table[table["model"].isin(list(candidates))]
    t = t[np.isfinite(t["mase"].to_numpy(dtype=float))]
    if t.empty:  # every candidate infinitely wrong: the benchmark
        return "seasonal_naive"
    best = float(t["mase"].min())
    return str(t.loc[np.isclose(t["mase"], best, rtol=1e-12, atol=1e-12), "model"].iloc[0])


def interval_widening(actual, p10, p50, p90, coverage: float = 0.8) -> float:
    """The factor to scale an interval's half-widths by so that it misses no more often than it should.

    Parameters
    ----------
    actual, p10, p50, p90 : array_like
        Backtest outcomes and the model's interval ends and point forecast.
    coverage : float
        The interval's nominal coverage.

    Returns
    -------
    float
        1.0 when the backtest's miss rate is at most ``1 - coverage`` (never narrower); otherwise the
        conformal quantile of the outcomes' distance from ``p50`` in half-widths.

    Notes
    -----
    :math:`r_i = (y_i - p50_i) / (p90_i - p50_i)` above the point forecast and
    :math:`(p50_i - y_i) / (p50_i - p10_i)` below; the interval held :math:`y_i` when :math:`r_i \\le 1`. If
    the share with :math:`r_i > 1` exceeds :math:`1 - c`, the factor is :math:`r_{(k)}`,
    :math:`k = \\lceil (m + 1) c \\rceil` (split conformal prediction): scaled by it, the backtest's intervals
    would have held a share :math:`c` of the outcomes.

    References
    ----------
    Vovk, V., Gammerman, A. and Shafer, G. (2005). *Algorithmic Learning in a Random World*; Angelopoulos,
    A. N. and Bates, S. (2023). Conformal prediction: a gentle introduction, 1.1 (the quantile).

    Examples
    --------
    Ten outcomes at 0.5, 1.5, 2.5 ... 9.5 half-widths out: an 80% interval held one; the 9th of 10 sorted
    distances (ceil(11 x 0.8) = 9) is 8.5.

    >>> r = np.arange(10) + 0.5
    >>> interval_widening(r, -np.ones(10), np.zeros(10), np.ones(10), 0.8)
    8.5
    >>> interval_widening([0.5, -0.5], [-1, -1], [0, 0], [1, 1], 0.8)
    1.0
    """
    a, lo, mid, hi = (checks.floats(n, v) for n, v in (("actual", actual), ("p10", p10), ("p50", p50), ("p90", p90)))
    c = 1.0 - _z_alpha(coverage)
    up, down = hi - mid, mid - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(a >= mid, np.where(up > 0, (a - mid) / up, np.where(a > mid, np.inf, 0.0)),
                     np.where(down > 0, (mid - a) / down, np.inf))
    if r.size == 0 or np.mean(r > 1) <= 1 - c + 1e-12:
        return 1.0
    k = min(math.ceil((r.size + 1) * c), r.size)
    factor = float(np.sort(r)[k - 1])
    return max(1.0, factor) if np.isfinite(factor) else 1.0


def widen(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    """The interval's half-widths scaled by ``factor`` around the point forecast.

    >>> f = pd.DataFrame({"step": [1], "p10": [8.0], "p50": [10.0], "p90": [13.0]})
    >>> widen(f, 2.0)[["p10", "p90"]].values.tolist()
    [[6.0, 16.0]]
    """
    k = float(checks.number("factor", factor, low=1))
    out = frame.copy()
    out["p10"] = frame["p50"] - k * (frame["p50"] - frame["p10"])
    out["p90"] = frame["p50"] + k * (frame["p90"] - frame["p50"])
    return out


# ---------------------------------------------------------------------------------------------------
# The baseline: choose or combine, forecast, widen.


@dataclass
class Baseline:
    """The statistical baseline of a history (`baseline`).

    Attributes
    ----------
    forecast : pandas.DataFrame
        ``step, p10, p50, p90`` from the whole history, the interval widened by ``widening``.
    chosen : str
        The model forecasting (a name in `MODELS`, or ``"median"``).
    method : str
        How it was picked (one of `METHODS`).
    scores : pandas.DataFrame
        `scores` of the backtest, with a ``chosen`` column.
    backtest : Backtest
        The backtest itself.
    coverage : float
        The nominal coverage of the interval.
    backtest_coverage : float
        How often the chosen model's interval held the outcome in the backtest, before widening.
    widening : float
        The factor applied to its half-widths (1.0: it covered).
    note : str or None
        The fallback line for a history with zeros or negatives, and any model that failed.
    """

    forecast: pd.DataFrame
    chosen: str
    method: str
    scores: pd.DataFrame
    backtest: Backtest
    coverage: float
    backtest_coverage: float
    widening: float
    note: str | None = None

    def held(self, model: str) -> np.ndarray:
        """A model's forecast of the last held-out months, from the latest origin (for the chart)."""
        f = self.backtest.forecasts
        return f[(f["model"] == model) & (f["origin"] == self.backtest.origins[0])]["p50"].to_numpy()


def _forecast_with(name: str, pool: Mapping[str, ForecastModel], y, s, h, coverage, seed) -> pd.DataFrame:
    if name == MEDIAN:
        return median_of([pool[m].forecast(y, s, h, coverage, seed) for m in MEDIAN_OF if m in pool])
    return pool[name].forecast(y, s, h, coverage, seed)


def baseline(history, period: int, horizon_months: int, holdout_months: int = 12, origins: int = 4,
             step_months: int = 3, coverage: float = 0.8, method: str = DEFAULT_METHOD,
             models: Mapping[str, ForecastModel] | None = None, seed: int = 0) -> Baseline:
    """The statistical baseline of a history: backtest every model, choose or combine, forecast, widen.

    Parameters
    ----------
    history : array_like
        Monthly values, oldest first (zeros and negatives allowed: additive models only).
    period : int
        Season length.
    horizon_months : int
        Months to forecast from the end of the history.
    holdout_months, origins, step_months : int
        The rolling-origin backtest (`backtest`).
    coverage : float
        Central coverage of the interval (0.8: P10 to P90).
    method : str
        ``"select"`` (default: on six public series it beat every single model and the median, see
        `benchmarks/forecast_accuracy.py`), ``"median"`` or ``"select_or_median"`` (`METHODS`).
    models : mapping, optional
        The family to use (default `MODELS`).
    seed : int
        Seed of the simulated intervals.

    Returns
    -------
    Baseline

    Notes
    -----
    Choice: the lowest mean MASE over the backtest's origins (`choose`). The interval is the chosen model's
    own, scaled by `interval_widening` of its backtest outcomes when it held fewer than ``coverage`` of
    them. If the chosen model fails on the whole history, the next best forecasts instead.

    Examples
    --------
    A season that repeats exactly: every model scores 0 and the simplest, seasonal naive, is chosen.

    >>> b = baseline(np.tile([5.0, 7.0, 9.0, 7.0], 9), 4, 4, holdout_months=4, origins=2, method="select")
    >>> b.chosen, b.forecast["p50"].round(6).tolist()
    ('seasonal_naive', [5.0, 7.0, 9.0, 7.0])
    """
    require(method in METHODS, "method", method, f"expected one of {', '.join(METHODS)}")
    y, s, h = _history(history, period, horizon_months)
    pool = dict(models) if models is not None else dict(MODELS)
    bt = backtest(y, s, holdout_months, origins, step_months, coverage, pool, seed)
    table = scores(bt.forecasts)
    singles = [m for m in table["model"] if m != MEDIAN]
    candidates = {"select": singles, "median": [MEDIAN] if MEDIAN in set(table["model"]) else singles,
                  "select_or_median": list(table["model"])}[method]
    notes = [n for n in [fallback_note(y)] if n]
    notes += [f"{_LABELS.get(k, k)} left out: it failed to fit ({v})." for k, v in bt.failed.items()]
    first = choose(table, candidates)
    ranked = table[table["model"].isin(candidates)].sort_values("mase", kind="stable")["model"].tolist()
    for name in dict.fromkeys([first, *ranked, "seasonal_naive"]):
        try:
            fcst = _forecast_with(name, {**MODELS, **pool}, y, s, h, coverage, seed)
            break
        except (ValueError, np.linalg.LinAlgError) as err:
            notes.append(f"{_LABELS.get(name, name)} failed on the whole history ({err}); the next best forecasts.")
    rows = bt.forecasts[bt.forecasts["model"] == name]
    factor = interval_widening(rows["actual"], rows["p10"], rows["p50"], rows["p90"], coverage) if len(rows) else 1.0
    held = float(table.loc[table["model"] == name, "coverage"].iloc[0]) if len(rows) else float("nan")
    table = table.assign(chosen=table["model"] == name)
    return Baseline(forecast=widen(fcst, factor)[_COLUMNS], chosen=name, method=method, scores=table, backtest=bt,
                    coverage=float(coverage), backtest_coverage=held, widening=factor,
                    note=" ".join(notes) if notes else None)
