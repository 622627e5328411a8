"""Argument checks shared by the formula modules.

Every formula accepts floats or numpy arrays (Monte Carlo passes draws of shape ``(n, 1)``) and rejects a
bad argument with a `costlib.errors.ModelError` naming the argument, the offending value (and, for an
array, its index) and what was expected.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from costlib.errors import ModelError, require


def floats(name: str, value) -> np.ndarray:
    """``value`` as a float array, or a `ModelError` naming ``name``.

    Examples
    --------
    >>> floats("volume", [1, 2]).tolist()
    [1.0, 2.0]
    >>> floats("volume", "lots")
    Traceback (most recent call last):
    ...
    costlib.errors.ModelError: volume = 'lots': expected a number or an array of numbers
    """
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{name} = {value!r}: expected a number or an array of numbers") from None


def check(name: str, value, ok: Callable[[np.ndarray], np.ndarray], expected: str) -> np.ndarray:
    """``value`` as a float array after checking ``ok(array)`` holds everywhere.

    The error names the first offending element: ``name = value`` for a scalar, ``name[i, j] = value`` for
    an array.

    Examples
    --------
    >>> check("share", [[0.2], [1.5]], lambda a: (a >= 0) & (a <= 1), "expected a share in [0, 1]")
    Traceback (most recent call last):
    ...
    costlib.errors.ModelError: share[1, 0] = 1.5: expected a share in [0, 1]
    """
    arr = floats(name, value)
    with np.errstate(invalid="ignore"):
        good = np.broadcast_to(np.asarray(ok(arr), dtype=bool), arr.shape)
    if not good.all():
        if arr.ndim == 0:
            require(False, name, value, expected)
        index = tuple(int(i) for i in np.argwhere(~good)[0])
        require(False, f"{name}[{', '.join(str(i) for i in index)}]", float(arr[index]), expected)
    return arr


def number(name: str, value, *, low=None, low_strict=False, high=None, high_strict=False) -> np.ndarray:
    """``value`` as a float array after checking it is finite and within the bounds given.

    Examples
    --------
    >>> number("price_usd_per_unit", 0.5, low=0, low_strict=True).item()
    0.5
    >>> number("volume_units_per_month", -2, low=0, low_strict=True)
    Traceback (most recent call last):
    ...
    costlib.errors.ModelError: volume_units_per_month = -2: expected a finite number > 0
    """
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_strict else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_strict else '<='} {high:g}")

    def ok(a):
        good = np.isfinite(a)
        if low is not None:
            good &= (a > low) if low_strict else (a >= low)
        if high is not None:
            good &= (a < high) if high_strict else (a <= high)
        return good

    return check(name, value, ok, "expected a finite number" + (" " + " and ".join(parts) if parts else ""))


def whole(name: str, value, low: int, high: int | None = None, unit: str = "") -> int:
    """A whole number (an int, or a float with no fraction; never a bool) within ``[low, high]``.

    Examples
    --------
    >>> whole("horizon_months", 36.0, 1, unit="months")
    36
    >>> whole("horizon_months", 0, 1, unit="months")
    Traceback (most recent call last):
    ...
    costlib.errors.ModelError: horizon_months = 0: expected a whole number of months >= 1
    """
    integral = (not isinstance(value, (bool, np.bool_))
                and isinstance(value, (int, np.integer, float, np.floating))
                and bool(np.isfinite(value)) and float(value).is_integer())
    upper = "" if high is None else f" and <= {high}"
    of = f" of {unit}" if unit else ""
    require(integral and value >= low and (high is None or value <= high), name, value,
            f"expected a whole number{of} >= {low}{upper}")
    return int(value)


def out(x):
    """A Python float for a 0-d result, the array itself otherwise.

    Examples
    --------
    >>> out(np.float64(2.5)), out([1.0, 2.0])
    (2.5, array([1., 2.]))
    """
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x
