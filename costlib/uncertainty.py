"""Sensitivity, Monte Carlo and goal seek over any costlib model.

A *model* here is any function that takes keyword inputs (floats, or numpy arrays that broadcast) and
returns one number per input set (a float, or an array). Workbooks wrap their costlib formulas in such a
function and hand it to:

- `sensitivity`: one input at a time from its low to its high value, the others at base (a tornado);
- `monte_carlo`: all uncertain inputs drawn together (seeded, vectorized), summarized as P10/P50/P90;
- `goal_seek`: the value of one input that makes the output hit a target (a break-even, a flip point);
- `flip_points`: `goal_seek` for every input of a tornado.

Ranges are written ``{input: (low, high)}``. Monte Carlo draws each uncertain input from a triangular
distribution with its low, its base value as the mode, and its high: the usual three-point estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import pandas as pd
from scipy import optimize

from costlib.errors import ModelError, require

Model = Callable[..., "float | np.ndarray"]


class GoalSeekError(ModelError):
    """No value of the input in the searched range makes the output reach the target."""


def _check_ranges(base: Mapping[str, float], ranges: Mapping[str, tuple[float, float]]) -> None:
    for name, (low, high) in ranges.items():
        require(name in base, f"ranges['{name}']", name, f"expected an input of the model: {sorted(base)}")
        require(low <= high, f"ranges['{name}']", (low, high), "expected low <= high")


def sensitivity(model: Model, base: Mapping[str, float],
                ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``model`` to each input in ``ranges``.

    Parameters
    ----------
    model : callable
        ``model(**inputs) -> float``.
    base : mapping
        Every input of the model at its base value.
    ranges : mapping
        ``{input: (low, high)}`` for the inputs to vary.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``input, low, high, base_value, output_at_low, output_at_high, base_output,
        swing``, sorted by ``swing = |output_at_high - output_at_low|``, largest first.

    Notes
    -----
    For input :math:`i`, :math:`y_i^{lo} = f(x_1, .., lo_i, .., x_n)` and
    :math:`y_i^{hi} = f(x_1, .., hi_i, .., x_n)`; swing :math:`= |y_i^{hi} - y_i^{lo}|`.
    This is the tornado diagram of decision analysis.

    References
    ----------
    Howard, R. A. (1988). Decision analysis: practice and promise. Management Science 34(6), 679-695.

    Examples
    --------
    >>> model = lambda units, price, cost: units * (price - cost)
    >>> t = sensitivity(model, {"units": 100, "price": 2.0, "cost": 1.5},
    ...                 {"units": (50, 150), "price": (1.8, 2.2)})
    >>> list(t["input"]), list(t["output_at_low"]), list(t["output_at_high"]), list(t["swing"])
    (['units', 'price'], [25.0, 30.0], [75.0, 70.0], [50.0, 40.0])
    """
    _check_ranges(base, ranges)
    base_output = float(model(**base))
    rows = []
    for name, (low, high) in ranges.items():
        at_low = float(model(**{**base, name: low}))
        at_high = float(model(**{**base, name: high}))
        rows.append({"input": name, "low": float(low), "high": float(high), "base_value": float(base[name]),
                     "output_at_low": at_low, "output_at_high": at_high, "base_output": base_output,
                     "swing": abs(at_high - at_low)})
    frame = pd.DataFrame(rows, columns=["input", "low", "high", "base_value", "output_at_low",
                                        "output_at_high", "base_output", "swing"])
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class MonteCarloResult:
    """Outputs of a Monte Carlo run.

    Attributes
    ----------
    outputs : numpy.ndarray
        Shape ``(n,)`` for a scalar model, ``(n, k)`` for a model returning ``k`` values per draw.
    samples : dict of numpy.ndarray
        The drawn inputs, each of shape ``(n,)``.
    """

    outputs: np.ndarray
    samples: dict

    def percentiles(self, q=(10, 50, 90)) -> np.ndarray:
        """Percentiles over the draws: shape ``(len(q),)`` or ``(len(q), k)``."""
        return np.percentile(self.outputs, q, axis=0)

    def summary(self, x=None, x_name: str = "x") -> pd.DataFrame:
        """P10/P50/P90 as a frame: one row, or one row per output column labelled by ``x``."""
        p = self.percentiles()
        if p.ndim == 1:
            return pd.DataFrame({"p10": [p[0]], "p50": [p[1]], "p90": [p[2]]})
        frame = pd.DataFrame({"p10": p[0], "p50": p[1], "p90": p[2]})
        frame.insert(0, x_name, np.arange(p.shape[1]) if x is None else np.asarray(x))
        return frame

    def probability(self, predicate: Callable[[np.ndarray], np.ndarray]) -> float:
        """Share of draws for which ``predicate(outputs)`` holds (e.g. ``lambda y: y < 0``)."""
        return float(np.mean(predicate(self.outputs)))


def triangular_samples(low: float, mode: float, high: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws from a triangular distribution; a degenerate range (low == high) returns the constant.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = triangular_samples(1.0, 2.0, 4.0, 100_000, rng)
    >>> round(float(x.mean()), 2)  # mean of a triangle is (low + mode + high) / 3 = 7/3
    2.33
    """
    require(low <= mode <= high, "mode", mode, f"expected low <= mode <= high with low={low}, high={high}")
    if high == low:
        return np.full(n, float(low))
    return rng.triangular(low, mode, high, size=n)


def monte_carlo(model: Model, base: Mapping[str, float], ranges: Mapping[str, tuple[float, float]],
                n: int = 10_000, seed: int = 0) -> MonteCarloResult:
    """Monte Carlo over the inputs in ``ranges``, each triangular(low, base, high), all drawn together.

    Parameters
    ----------
    model : callable
        ``model(**inputs)``; must accept numpy arrays of shape ``(n, 1)`` for the varied inputs and
        return shape ``(n, 1)``/``(n,)`` (one value per draw) or ``(n, k)`` (a curve per draw).
    base : mapping
        Every input at its base value (the mode of its triangle).
    ranges : mapping
        ``{input: (low, high)}``.
    n : int
        Number of draws.
    seed : int
        Seed of numpy's default generator: the same seed gives the same result.

    Returns
    -------
    MonteCarloResult

    Notes
    -----
    Inputs are drawn independently; correlated inputs are a known limitation (state it in the report).

    References
    ----------
    Vose, D. (2008). Risk Analysis: A Quantitative Guide, 3rd ed., ch. 9 (three-point estimates).

    Examples
    --------
    >>> model = lambda units, price: units * price
    >>> r = monte_carlo(model, {"units": 100.0, "price": 2.0}, {"units": (50.0, 150.0)}, n=20_000, seed=1)
    >>> p10, p50, p90 = r.percentiles()
    >>> bool(p10 < 200 < p90), round(float(p50) / 200, 1)
    (True, 1.0)
    """
    require(n >= 2, "n", n, "expected at least 2 draws")
    _check_ranges(base, ranges)
    rng = np.random.default_rng(seed)
    samples = {}
    for name, (low, high) in ranges.items():
        mode = min(max(float(base[name]), low), high)
        samples[name] = triangular_samples(float(low), mode, float(high), n, rng)
    inputs = {**base, **{k: v[:, None] for k, v in samples.items()}}
    out = np.asarray(model(**inputs), dtype=float)
    out = np.broadcast_to(out, (n,) + out.shape[1:]) if out.ndim and out.shape[0] == 1 else out
    if out.ndim == 0:
        out = np.full(n, float(out))
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    return MonteCarloResult(outputs=np.array(out), samples=samples)


def goal_seek(model: Model, base: Mapping[str, float], name: str, target: float, low: float,
              high: float, xtol: float = 1e-9) -> float:
    """The value of input ``name`` in ``[low, high]`` at which ``model`` equals ``target``.

    Parameters
    ----------
    model : callable
        ``model(**inputs) -> float``, continuous in ``name`` over the range.
    base : mapping
        The other inputs at their base values.
    name : str
        The input to solve for.
    target : float
        The output value to reach (a margin of 0.20, a difference of 0 for a break-even).
    low, high : float
        The range searched.

    Returns
    -------
    float

    Raises
    ------
    GoalSeekError
        When the output does not cross the target anywhere in the range, naming both ends.

    Notes
    -----
    Solves :math:`f(x) - target = 0` with Brent's method (`scipy.optimize.brentq`), which needs a sign
    change between the ends of the range.

    References
    ----------
    Brent, R. P. (1973). Algorithms for Minimization without Derivatives, ch. 4.

    Examples
    --------
    >>> margin = lambda units, fixed, price, var: 1 - (fixed / units + var) / price
    >>> units = goal_seek(margin, {"units": 1.0, "fixed": 1000.0, "price": 1.0, "var": 0.6},
    ...                   "units", 0.20, 1.0, 1e6)
    >>> round(units, 6)  # 1 - (1000/u + 0.6) = 0.2  =>  u = 1000 / 0.2 = 5000
    5000.0
    """
    require(low < high, "range", (low, high), "expected low < high")

    def f(x):
        return float(model(**{**base, name: x})) - target

    f_low, f_high = f(low), f(high)
    if f_low == 0:
        return float(low)
    if f_high == 0:
        return float(high)
    if np.sign(f_low) == np.sign(f_high) or not (np.isfinite(f_low) and np.isfinite(f_high)):
        raise GoalSeekError(
            f"no value of {name} in [{low:,.6g}, {high:,.6g}] makes the output reach {target:,.6g}: "
            f"it is {f_low + target:,.6g} at {low:,.6g} and {f_high + target:,.6g} at {high:,.6g}")
    return float(optimize.brentq(f, low, high, xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=200))


def flip_points(model: Model, base: Mapping[str, float], bounds: Mapping[str, tuple[float, float]],
                target: float = 0.0) -> pd.DataFrame:
    """For each input, the value at which ``model`` crosses ``target`` (where the decision flips).

    Parameters
    ----------
    bounds : mapping
        ``{input: (low, high)}``: the plausible range searched for each input (wider than the tornado's).

    Returns
    -------
    pandas.DataFrame
        ``input, base_value, flip_value, change_from_base`` (a decimal; NaN where no flip in range).

    Examples
    --------
    >>> diff = lambda units, price: units * price - 1000.0
    >>> f = flip_points(diff, {"units": 100.0, "price": 5.0}, {"units": (1, 1e4), "price": (0.1, 100)})
    >>> [round(v, 6) for v in f["flip_value"]]  # 1000 / 5 = 200 units; 1000 / 100 = 10 USD
    [200.0, 10.0]
    """
    rows = []
    for name, (low, high) in bounds.items():
        try:
            value = goal_seek(model, base, name, target, low, high)
        except GoalSeekError:
            value = float("nan")
        b = float(base[name])
        rows.append({"input": name, "base_value": b, "flip_value": value,
                     "change_from_base": (value - b) / b if b else float("nan")})
    return pd.DataFrame(rows, columns=["input", "base_value", "flip_value", "change_from_base"])


# ---------------------------------------------------------------------------------------------------
# The one sensitivity layer every workbook uses: tornado, flip points, Monte Carlo band, close call.

#: The columns of every flip-point table, in every workbook.
FLIP_COLUMNS = ["input", "base_value", "flip_value", "change_from_base", "flips_when"]

#: A verdict is a close call when fewer than this share of the Monte Carlo draws agree with it.
CLOSE_CALL_AGREEMENT = 0.8


def scenario_ranges(default_ranges: Mapping[str, tuple[float, float]],
                    sensitivity_ranges: Mapping[str, tuple[float, float]] | None) -> dict[str, tuple[float, float]]:
    """The ranges a workbook varies: its defaults, overridden and extended by the scenario's own.

    Parameters
    ----------
    default_ranges : mapping of str to (low, high)
        The workbook's default range for each uncertain input, in the input's unit.
    sensitivity_ranges : mapping of str to (low, high) or None
        The scenario's ``sensitivity_ranges``: a range given here replaces the default for that input, and
        an input without a default is added.

    Returns
    -------
    dict of str to (float, float)
        Defaults first (in their order), then the scenario's additions.

    Notes
    -----
    One rule for every workbook: ``ranges = defaults | sensitivity_ranges``. A scenario narrows or widens
    the inputs it knows about and leaves the others at the workbook's defaults; to hold an input fixed,
    give it a zero-width range ``[base, base]``.

    References
    ----------
    DESIGN.md, "The workbook contract" (uncertain inputs: low, base, high).

    Examples
    --------
    >>> scenario_ranges({"price": (0.8, 1.2), "volume": (50, 150)}, {"volume": (90, 110), "churn": (0.01, 0.03)})
    {'price': (0.8, 1.2), 'volume': (90.0, 110.0), 'churn': (0.01, 0.03)}
    """
    out = {k: (float(lo), float(hi)) for k, (lo, hi) in default_ranges.items()}
    out.update({k: (float(lo), float(hi)) for k, (lo, hi) in (sensitivity_ranges or {}).items()})
    return out


def agreement(probability: float | None, verdict_is_event: bool = True) -> float | None:
    """Share of the Monte Carlo draws that agree with a verdict, from the probability of one event.

    Parameters
    ----------
    probability : float or None
        Share of the draws in which the event holds (for example "the challenger is cheaper"), in [0, 1].
    verdict_is_event : bool
        Whether the verdict is the event (True) or its opposite (False); None for the larger of the two.

    Returns
    -------
    float or None
        The share agreeing with the verdict; None when there were no draws.

    Notes
    -----
    ``agreement = p`` when the verdict is the event, ``1 - p`` when it is the opposite, ``max(p, 1 - p)``
    when the verdict follows the majority of the draws. Feed it to `close_call`.

    References
    ----------
    Vose, D. (2008). Risk Analysis: A Quantitative Guide, 3rd ed., ch. 5 (communicating uncertainty).

    Examples
    --------
    >>> agreement(0.7, True), round(agreement(0.7, False), 2), agreement(0.3, None), agreement(None)
    (0.7, 0.3, 0.7, None)
    """
    if probability is None:
        return None
    p = float(probability)
    if verdict_is_event is None:
        return max(p, 1.0 - p)
    return p if verdict_is_event else 1.0 - p


def close_call(agreement: float | None) -> bool | None:
    """Whether a verdict is a close call: fewer than 80% of the Monte Carlo draws agree with it.

    Parameters
    ----------
    agreement : float or None
        Share of the draws in which the verdict holds (the probability of the verdict), in [0, 1].

    Returns
    -------
    bool or None
        None when there were no draws.

    Notes
    -----
    One definition for every workbook: ``close = agreement < 0.8`` (`CLOSE_CALL_AGREEMENT`). A verdict that
    holds in 80% of three-point draws or more is robust to the stated ranges.

    References
    ----------
    Vose, D. (2008). Risk Analysis: A Quantitative Guide, 3rd ed., ch. 5 (communicating uncertainty).

    Examples
    --------
    >>> close_call(0.65), close_call(0.93), close_call(None)
    (True, False, None)
    """
    if agreement is None:
        return None
    return bool(agreement < CLOSE_CALL_AGREEMENT)


def _number_words(x: float) -> str:
    x = float(x)
    if x != 0 and (abs(x) >= 1e4 or abs(x) < 0.01):
        return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.3g}"
    return f"{x:,.4g}"


def flip_table(model: Model, base: Mapping[str, float], bounds: Mapping[str, tuple[float, float]],
               target: float = 0.0) -> pd.DataFrame:
    """`flip_points` with the same columns and the same handling of "no flip" in every workbook.

    A flip found at the very edge of its searched range is a tie at the boundary, not a flip inside it:
    it counts as none. Inputs without a flip keep their row with NaN and say so in ``flips_when``.

    Returns
    -------
    pandas.DataFrame
        `FLIP_COLUMNS`: ``flips_when`` reads ``"above 1,234"``, ``"below 0.5"`` or
        ``"no flip between 0 and 10"``.

    Examples
    --------
    >>> diff = lambda units, price: units * price - 1000.0
    >>> f = flip_table(diff, {"units": 100.0, "price": 5.0}, {"units": (1, 1e4), "price": (0.1, 1.0)})
    >>> f["flips_when"].tolist()  # 1000 / 5 = 200 units; price would need 10 > 1
    ['above 200', 'no flip between 0.1 and 1']
    """
    rows = []
    for name, (low, high) in bounds.items():
        try:
            frame = flip_points(model, base, {name: (low, high)}, target=target)
        except ValueError:  # the model is undefined somewhere in the range (a cost reduction >= 100%)
            frame = pd.DataFrame([{"input": name, "base_value": float(base[name]), "flip_value": float("nan"),
                                   "change_from_base": float("nan")}])
        r = frame.iloc[0].to_dict()
        flip = r["flip_value"]
        if np.isfinite(flip) and min(abs(flip - low), abs(flip - high)) <= 1e-6 * max(abs(high), 1.0):
            flip = r["flip_value"] = r["change_from_base"] = float("nan")
        if np.isfinite(flip):
            r["flips_when"] = f"{'above' if flip > r['base_value'] else 'below'} {_number_words(flip)}"
        else:
            r["flips_when"] = f"no flip between {_number_words(low)} and {_number_words(high)}"
        rows.append(r)
    return pd.DataFrame(rows, columns=FLIP_COLUMNS)


@dataclass
class Assessment:
    """How sensitive one answer is: what `assess` returns for any workbook."""

    tornado: pd.DataFrame
    flips: pd.DataFrame
    band: pd.DataFrame | None
    p10: float | None
    p50: float | None
    p90: float | None
    probability_below_target: float | None
    draws: MonteCarloResult | None = None

    def agreement(self, verdict_below_target: bool) -> float | None:
        """Share of the draws agreeing with a verdict that the output is below (or above) the target."""
        if self.probability_below_target is None:
            return None
        return self.probability_below_target if verdict_below_target else 1.0 - self.probability_below_target


def assess(model: Model, base: Mapping[str, float], ranges: Mapping[str, tuple[float, float]], *,
           flip_bounds: Mapping[str, tuple[float, float]] | None = None, target: float = 0.0,
           sampled: Mapping[str, tuple[float, float]] | None = None, curve: Model | None = None,
           curve_sampled: Mapping[str, tuple[float, float]] | None = None, curve_x=None,
           curve_x_name: str = "month", draws_from: str = "curve", n: int = 10_000,
           seed: int = 0) -> Assessment:
    """Tornado, flip points, Monte Carlo band and probabilities of one answer: the same for every workbook.

    Parameters
    ----------
    model : callable
        ``model(**inputs) -> float``: the answer the verdict rests on (a difference, a margin).
    base : mapping
        Every input at its base value.
    ranges : mapping
        ``{input: (low, high)}``: the uncertain inputs (the tornado, and the Monte Carlo draws).
    flip_bounds : mapping, optional
        Where each input's flip value is searched (wider than its range); default: no flip table.
    target : float
        The value of the answer at which the verdict flips (0 for a difference).
    sampled : mapping, optional
        The ranges drawn in Monte Carlo when they differ from ``ranges`` (inputs a model takes one value
        at a time); default ``ranges``.
    curve : callable, optional
        ``curve(**inputs) -> array``: the answer month by month (or along ``curve_x``) for the band.
    curve_sampled : mapping, optional
        The ranges drawn for the band when they differ from ``sampled`` (the band's own x is not drawn).
    curve_x : array_like, optional
        The band's x values (default months 1..len).
    draws_from : {"curve", "model"}
        Whether P10/P50/P90 and the probability come from the curve's last value (one Monte Carlo run)
        or from a separate run of ``model``.
    n, seed : int
        Draws and seed (the same seed gives the same report).

    Returns
    -------
    Assessment

    Notes
    -----
    Tornado: `sensitivity`; flips: `flip_table`; draws: `monte_carlo` (triangular low, base, high, seeded).
    ``probability_below_target`` is the share of draws with an answer below ``target``.

    References
    ----------
    Howard (1988), decision analysis (tornado); Vose (2008), ch. 9 (three-point Monte Carlo).

    Examples
    --------
    >>> model = lambda units, price: units * price - 150.0
    >>> a = assess(model, {"units": 100.0, "price": 2.0}, {"units": (50.0, 150.0)},
    ...            flip_bounds={"units": (0.0, 1e3)}, draws_from="model", n=20_000, seed=1)
    >>> a.tornado["swing"].tolist(), a.flips["flips_when"].tolist()  # 150 / 2 = 75 units
    ([200.0], ['below 75'])
    >>> abs(a.probability_below_target - 0.125) < 0.01  # P(tri(50, 100, 150) < 75) = 25 ** 2 / (100 x 50)
    True
    """
    sampled = ranges if sampled is None else sampled
    tornado = sensitivity(model, base, ranges)
    order = [i for i in tornado["input"] if flip_bounds and i in flip_bounds]
    flips = (flip_table(model, base, {k: flip_bounds[k] for k in order}, target) if order
             else pd.DataFrame(columns=FLIP_COLUMNS))
    band = draws = None
    p10 = p50 = p90 = below = None
    curve_sampled = sampled if curve_sampled is None else curve_sampled
    if curve is not None and curve_sampled:
        run = monte_carlo(curve, base, curve_sampled, n=n, seed=seed)
        months = run.outputs.shape[-1] if run.outputs.ndim == 2 else 1
        band = run.summary(x=np.arange(1, months + 1) if curve_x is None else curve_x, x_name=curve_x_name)
        if draws_from == "curve":
            draws = run
            final = run.outputs[:, -1] if run.outputs.ndim == 2 else run.outputs
    if draws_from == "model" and sampled:
        draws = monte_carlo(model, base, sampled, n=n, seed=seed)
        final = draws.outputs
    if draws is not None:
        p10, p50, p90 = (float(v) for v in np.percentile(final, [10, 50, 90]))
        below = float(np.mean(final < target))
    return Assessment(tornado=tornado, flips=flips, band=band, p10=p10, p50=p50, p90=p90,
                      probability_below_target=below, draws=draws)
