"""Forecast accuracy of workbook 04's statistical baseline on public monthly seasonal series.

Series (six, all public; four written into ``tests/data/`` with their source in ``tests/data/README.md``,
two bundled with statsmodels): AirPassengers (Box and Jenkins), UK car drivers killed or seriously injured
(Harvey and Durbin), euro-area electrical equipment orders (fpp2 ``elecequip``), Australian antidiabetic
drug scripts (fpp2 ``a10``, PBS), Mauna Loa CO2 (statsmodels ``co2``, weekly, as monthly means) and El
Niño sea temperatures (statsmodels ``elnino``).

Each series is cut to its last ``--max-months`` (default 240, twenty years: CO2 and El Niño are longer, and
ETS on 500-700 months made one origin take half a minute). For each series, rolling origins
``T = n - 24 - step * k`` (k = 0 .. origins-1): every model of `costlib.forecast_models.MODELS`, their
median, and `costlib.forecast_models.baseline` with each method of `METHODS` forecast 12 and 24 months
ahead from the first ``T`` months (all of the kept history before the origin). The baseline chooses with its own rolling-origin backtest inside those ``T`` months (4 inner
origins 3 months apart, 12 months ahead), exactly as workbook 04 does; the 12-month score of a 24-month
forecast is its first 12 months. Scores: MASE (season 12, `costlib.forecast.mase`, scaled by the training
part), sMAPE (a decimal) and the share of outcomes inside the 80% interval.

Targets (issue 22): the default method's mean MASE (mean over series of the mean over origins) no worse
than the best single model's on both horizons; its pooled 80% coverage (every series, origin and month of
the 24-month forecasts) between 0.75 and 0.85.

A forecast depends only on the months before its origin, so each (model, origin) is fitted once at 24
months and reused by every origin whose backtest needs it. Usage:

    python benchmarks/forecast_accuracy.py [--origins 12] [--step 3] [--max-months 240] [--series a,b]

``--origins 2`` is a quick look (a few minutes on a busy 2-core machine); the README's table is the full
size (``--origins 12``). The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from costlib import forecast as fc  # noqa: E402
from costlib import forecast_models as fm  # noqa: E402

PERIOD = 12
HORIZONS = (12, 24)
COVERAGE = 0.8
DATA = ROOT / "tests" / "data"
CSV_SERIES = ("air_passengers", "uk_driver_deaths", "electrical_equipment_orders", "pbs_antidiabetic_scripts")


def load_series() -> dict[str, np.ndarray]:
    """The six series, oldest month first."""
    import statsmodels.datasets as smd

    out = {name: pd.read_csv(DATA / f"{name}.csv")["value"].to_numpy(dtype=float) for name in CSV_SERIES}
    co2 = smd.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    out["co2_mauna_loa"] = co2.to_numpy(dtype=float)
    el = smd.elnino.load_pandas().data.drop(columns="YEAR")
    out["elnino_sea_temperature"] = el.to_numpy(dtype=float).ravel()
    return out


class Cached:
    """A model of the family whose forecasts of one series are computed once per origin (at 24 months)."""

    def __init__(self, y: np.ndarray, model: fm.ForecastModel):
        self.y, self.model, self.memo = y, model, {}

    def __call__(self, train, period, horizon_months, coverage=COVERAGE, seed=0):
        t = len(train)
        assert np.array_equal(train, self.y[:t]), "a cached forecast is only for the series' own prefix"
        if t not in self.memo:
            try:
                self.memo[t] = self.model.forecast(train, period, max(HORIZONS), coverage, seed)
            except (ValueError, np.linalg.LinAlgError) as err:
                self.memo[t] = err
        f = self.memo[t]
        if isinstance(f, Exception):
            raise f
        return f.iloc[:horizon_months].reset_index(drop=True)


def run_series(name: str, y: np.ndarray, origins: int, step: int) -> list[dict]:
    cached = {k: fm.ForecastModel(m.name, m.label, Cached(y, m), m.positive_only) for k, m in fm.MODELS.items()}
    rows = []
    for k in range(origins):
        t = y.size - max(HORIZONS) - step * k
        if t - 12 < fm.min_history(PERIOD):
            break
        train = y[:t]
        forecasts = {}
        for m in cached.values():
            try:
                forecasts[m.name] = m.forecast(train, PERIOD, max(HORIZONS), COVERAGE, 0)
            except (ValueError, np.linalg.LinAlgError):
                pass
        members = [forecasts[m] for m in fm.MEDIAN_OF if m in forecasts]
        forecasts[fm.MEDIAN] = fm.median_of(members)
        for method in fm.METHODS:
            b = fm.baseline(train, PERIOD, max(HORIZONS), holdout_months=12, origins=4, step_months=3,
                            coverage=COVERAGE, method=method, models=cached)
            forecasts[f"baseline:{method}"] = b.forecast
            rows.append({"series": name, "origin": t, "model": f"chosen:{method}", "chosen": b.chosen,
                         "widening": b.widening})
        for model, f in forecasts.items():
            for h in HORIZONS:
                actual, p = y[t:t + h], f.iloc[:h]
                inside = (actual >= p["p10"].to_numpy()) & (actual <= p["p90"].to_numpy())
                rows.append({"series": name, "origin": t, "model": model, "horizon": h,
                             "mase": fc.mase(actual, p["p50"].to_numpy(), train, PERIOD),
                             "smape": fm._smape(actual, p["p50"].to_numpy()),
                             "covered": int(inside.sum()), "months": h})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--origins", type=int, default=12, help="rolling origins per series (default 12)")
    ap.add_argument("--step", type=int, default=3, help="months between two origins (default 3)")
    ap.add_argument("--max-months", type=int, default=240, help="keep each series' last months (default 240)")
    ap.add_argument("--series", default="", help="comma-separated subset of the series")
    args = ap.parse_args(argv)
    series = {k: v[-args.max_months:] for k, v in load_series().items()}
    if args.series:
        series = {k: series[k] for k in args.series.split(",")}
    started = time.perf_counter()
    rows = []
    for name, y in series.items():
        t0 = time.perf_counter()
        rows += run_series(name, y, args.origins, args.step)
        print(f"# {name}: {y.size} months, {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    frame = pd.DataFrame(rows)
    picks = frame[frame["model"].str.startswith("chosen:")]
    scored = frame[~frame["model"].str.startswith("chosen:")].copy()
    scored["horizon"] = scored["horizon"].astype(int)

    per_series = scored.groupby(["series", "model", "horizon"]).agg(
        mase=("mase", "mean"), smape=("smape", "mean"), covered=("covered", "sum"), months=("months", "sum"),
        origins=("origin", "nunique")).reset_index()
    per_series["coverage_80"] = per_series["covered"] / per_series["months"]
    wide = per_series.pivot_table(index=["series", "model"], columns="horizon",
                                  values=["mase", "smape", "coverage_80"]).reset_index()
    wide.columns = [f"{a}_{b}" if b != "" else a for a, b in wide.columns]
    order = list(fm.MODELS) + [fm.MEDIAN] + [f"baseline:{m}" for m in fm.METHODS]
    wide["o"] = wide["model"].map(order.index)
    wide = wide.sort_values(["series", "o"]).drop(columns="o")
    pd.set_option("display.width", 200)
    print("Per series: mean MASE and sMAPE over origins, 80% interval coverage, 12 and 24 months ahead")
    print(wide[["series", "model", "mase_12", "mase_24", "smape_12", "smape_24", "coverage_80_12",
                "coverage_80_24"]].to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    summary = per_series.groupby(["model", "horizon"]).agg(mase=("mase", "mean"), smape=("smape", "mean"),
                                                           covered=("covered", "sum"), months=("months", "sum"))
    summary["coverage_80"] = summary["covered"] / summary["months"]
    table = summary.reset_index().pivot_table(index="model", columns="horizon", values=["mase", "smape", "coverage_80"])
    table.columns = [f"{a}_{b}" for a, b in table.columns]
    table = table.loc[[m for m in order if m in table.index]]
    print("\nMean over the series (MASE, sMAPE: mean of each series' mean over origins; coverage pooled)")
    print("| model | MASE 12 | MASE 24 | sMAPE 12 | sMAPE 24 | 80% coverage 12 | 80% coverage 24 |")
    print("|---|---|---|---|---|---|---|")
    for model, r in table.iterrows():
        print(f"| {model} | {r['mase_12']:.3f} | {r['mase_24']:.3f} | {r['smape_12']:.3f} | {r['smape_24']:.3f} "
              f"| {r['coverage_80_12']:.3f} | {r['coverage_80_24']:.3f} |")

    counts = picks.groupby(["model", "chosen"]).size().unstack(fill_value=0)
    print("\nWhat each method chose (count of origins), and the mean interval widening")
    print(counts.to_string())
    print(picks.groupby("model")["widening"].mean().round(3).to_string())

    chosen = f"baseline:{fm.DEFAULT_METHOD}"
    result = {"horizons": {}, "coverage_80": None, "series": len(series)}
    for h in HORIZONS:
        singles = table.loc[list(fm.MODELS), f"mase_{h}"]
        result["horizons"][str(h)] = {"chosen_mase": round(float(table.loc[chosen, f"mase_{h}"]), 4),
                                      "best_baseline_mase": round(float(singles.min()), 4),
                                      "best_baseline": str(singles.idxmin())}
    result["coverage_80"] = round(float(table.loc[chosen, f"coverage_80_{max(HORIZONS)}"]), 4)
    ok = all(v["chosen_mase"] <= v["best_baseline_mase"] for v in result["horizons"].values()) and \
        0.75 <= result["coverage_80"] <= 0.85
    print(f"\nmethod {fm.DEFAULT_METHOD!r}; origins per series {args.origins}, {args.step} months apart; "
          f"at most the last {args.max_months} months of each series; "
          f"{time.perf_counter() - started:.0f} s; targets {'met' if ok else 'NOT met'}")
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main())
