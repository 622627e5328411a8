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
