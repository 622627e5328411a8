"""Build vs buy (vs open source vs fork): option TCO, break-even, recommendation and the price-hike case.

An *option* (`Option`) is one way to meet a need: build it, buy it (SaaS or managed), self-host open
source, or fork and maintain. Each option is priced by the same seven cost components, the rows of the
seed's 3-year TCO table (section V.5): ``upfront``, ``infrastructure``, ``subscription``, ``maintenance``,
``security``, ``delay`` and ``exit``.

Sign convention
---------------
Cost tables, curves and totals hold costs as **positive** amounts in USD. The one signed figure,
`net_present_value_usd`, follows the project convention **inflows positive, outflows negative** (so an
option that only costs money has a negative NPV); the conversion happens there and nowhere else.

Timing
------
- Month 1 is the first month of the horizon (default 36 months); month ``m`` covers ``(m - 1, m]``.
- An option with ``build_months = T`` (its time to market) goes live at ``T``: it is live for the fraction
  ``clip(m - T, 0, 1)`` of month ``m`` (fractional months are prorated, which keeps every total
  continuous in ``T`` for goal seek).
- While the option is being built its team is paid (``engineers x loaded_cost_usd_per_fte_per_year / 12`` for the
  fraction ``clip(T - (m - 1), 0, 1)`` of month ``m``); hardware and implementation fees are paid in
  month 1. Running costs (infrastructure, subscription, maintenance, security) are paid only while live.
- **The choice made for the build period:** until an option is live the need is served by nothing, and
  costs ``cost_of_delay_usd_per_month + cost_of_delay_usd_per_unit x volume`` per month (the value lost).
  To model an interim option instead (for example the managed service used until the build is live),
  set the cost of delay to the interim's price, e.g. ``cost_of_delay_usd_per_unit`` = the vendor's price
  per unit; this keeps the model linear in volume.
- The exit (or migration) cost is paid once, in the last month of the horizon: the TCO prices leaving.
- Present values discount the cash of month ``m`` by ``(1 + r_month) ** m`` with
  ``r_month = (1 + discount_rate_per_year) ** (1 / 12) - 1`` (end of month). ``discount_rate_per_year=None``
  means undiscounted sums.

Volumes are in whatever unit the price is quoted in (``volume_units_per_month``): for a price of $0.50 per
million requests the unit is a million requests.

References
----------
Seed: ``cost_model_fundamentals.md``, section V (Build vs. Buy vs. Open Source), interview questions
II.1, III.2, V.1 and V.2.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from costlib import checks, timing
from costlib.report import usd as _usd
from costlib.discounting import discount_factors
from costlib.discounting import net_present_value as net_present_value_usd  # noqa: F401
from costlib.discounting import present_value as present_value_usd  # noqa: F401
from costlib.errors import ModelError, require

__all__ = [
    "COMPONENTS", "KINDS", "DEFAULT_HORIZON_MONTHS",
    "Option", "Comparison", "PriceHikeCase",
    "validate_tiers", "tiered_bill_usd", "volume_forecast",
    "monthly_costs", "cost_curves", "total_cost_usd", "cumulative_cost_usd", "tier_scaled_cost_usd", "tco_table",
    "present_value_usd", "net_present_value_usd",
    "break_even_volume", "compare_options", "build_or_buy", "rule_margin_usd",
    "build_minus_buy_usd", "recommendation_text",
    "PRICE_HIKE_STRATEGIES", "price_hike_curves", "price_hike_table", "price_hike_payback_month",
    "build_minus_buy", "hiked_usd_per_year",
]

COMPONENTS = ("upfront", "infrastructure", "subscription", "maintenance", "security", "delay", "exit")
"""The cost components, in the order of the seed's TCO table (plus subscription and delay)."""

KINDS = ("build", "buy", "open_source", "fork")
"""The kinds of option (a label: every kind is priced by the same components)."""

DEFAULT_HORIZON_MONTHS = 36
"""The seed's 3-year TCO horizon."""


# --------------------------------------------------------------------------------------------------
# argument checks


def _floats(name, value):
    return checks.floats(name, value)


def _nonneg(name, value):
    return checks.number(name, value, low=0)


def _positive(name, value):
    return checks.number(name, value, low=0, low_strict=True)


def _share(name, value):
    return checks.check(name, value, lambda a: (a >= 0) & (a <= 1), "expected a share between 0 and 1")


def _rate(name, value):
    return checks.check(name, value, lambda a: np.isfinite(a) & (a > -1),
                        "expected a finite decimal rate > -1 (0.07 for 7%)")


def _horizon(horizon_months):
    return checks.whole("horizon_months", horizon_months, 1, unit="months")


def _months(horizon_months):
    return np.arange(1, horizon_months + 1, dtype=float)


def _col(x):
    """Add a trailing month axis so that parameters broadcast against (..., horizon) arrays."""
    return np.asarray(x, dtype=float)[..., np.newaxis]


_out = checks.out


def _weights(horizon_months, discount_rate_per_year):
    """Discount factors (1 + r_month) ** -m for m = 1..horizon (`costlib.discounting`), or ones when the
    rate is None."""
    m = _months(horizon_months)
    if discount_rate_per_year is None:
        return np.ones_like(m)
    r = np.asarray(discount_rate_per_year, dtype=float)
    return discount_factors(len(m), r[..., np.newaxis] if r.ndim else r)


# --------------------------------------------------------------------------------------------------
# pricing and volume


def validate_tiers(tiers, name="tiers"):
    """Check a graduated tier table and return it as a tuple of ``(upper_units or None, usd_per_unit)``.

    Parameters
    ----------
    tiers : sequence of (float or None, float)
        ``(upper_units, usd_per_unit)`` pairs: the units from the previous tier's upper bound (0 for the
        first) up to ``upper_units`` cost ``usd_per_unit`` each. Upper bounds must be strictly ascending
        and > 0; only the last tier is open-ended and it must be (``upper_units`` None), so that every
        volume has a price. Prices are USD per unit, >= 0.
    name : str
        The argument name used in error messages.

    Returns
    -------
    tuple of (float or None, float)

    Raises
    ------
    ModelError
        Naming ``name[i]`` and the offending tier.

    Notes
    -----
    Tier ``i`` covers the volume interval ``(u_{i-1}, u_i]`` with ``u_{-1} = 0`` and ``u_last = inf``.

    References
    ----------
    Stripe, "Graduated pricing", https://docs.stripe.com/products-prices/pricing-models#graduated-pricing

    Examples
    --------
    >>> validate_tiers([(100, 1.0), (None, 0.5)])
    ((100.0, 1.0), (None, 0.5))
    >>> validate_tiers([(100, 1.0), (50, 0.5), (None, 0.2)])
    Traceback (most recent call last):
    ...
    costlib.errors.ModelError: tiers[1] = (50, 0.5): expected upper bounds strictly ascending: > 100.0
    """
    require(tiers is not None and not isinstance(tiers, (str, bytes)), name, tiers,
            "expected a list of (upper_units or None, usd_per_unit) pairs")
    try:
        rows = list(tiers)
    except TypeError:
        raise ModelError(f"{name} = {tiers!r}: expected a list of (upper_units or None, usd_per_unit) pairs") from None
    require(len(rows) >= 1, name, tiers, "expected at least one tier")
    out = []
    previous = 0.0
    for i, tier in enumerate(rows):
        key = f"{name}[{i}]"
        try:
            upper, price = tier
        except (TypeError, ValueError):
            raise ModelError(f"{key} = {tier!r}: expected a pair (upper_units or None, usd_per_unit)") from None
        last = i == len(rows) - 1
        if upper is None:
            require(last, key, tier, "expected only the last tier to be open-ended (upper_units None)")
        else:
            upper = float(_floats(key, upper))
            require(math.isfinite(upper) and upper > previous, key, tier,
                    f"expected upper bounds strictly ascending: > {previous}")
            require(not last, key, tier,
                    "expected the last tier to be open-ended (upper_units None) so every volume has a price")
            previous = upper
        price = float(_floats(key, price))
        require(math.isfinite(price) and price >= 0, key, tier, "expected usd_per_unit >= 0")
        out.append((upper, price))
    return tuple(out)


def tiered_bill_usd(volume_units, tiers):
    """The bill for a volume under graduated tiered pricing (each tier's units at that tier's price).

    Parameters
    ----------
    volume_units : float or array_like
        Units consumed in the billing period (>= 0). Any shape.
    tiers : sequence of (float or None, float)
        ``(upper_units, usd_per_unit)`` pairs, see `validate_tiers`.

    Returns
    -------
    float or numpy.ndarray
        USD for the period, same shape as ``volume_units``.

    Notes
    -----
    .. math:: B(v) = \\sum_i p_i \\, \\mathrm{clip}(v - u_{i-1},\\ 0,\\ u_i - u_{i-1}),
              \\quad u_{-1} = 0,\\ u_{last} = \\infty

    ``B`` is continuous and piecewise linear with kinks at the tier edges (graduated, not volume
    pricing: crossing an edge does not re-price the earlier units).

    References
    ----------
    Stripe, "Graduated pricing", https://docs.stripe.com/products-prices/pricing-models#graduated-pricing;
    AWS, "Amazon SQS pricing", https://aws.amazon.com/sqs/pricing/ (request tiers).

    Examples
    --------
    >>> tiers = [(100, 1.0), (1000, 0.5), (None, 0.25)]
    >>> tiered_bill_usd(1000, tiers)  # 100 x 1.0 + 900 x 0.5
    550.0
    >>> tiered_bill_usd([0, 100, 1100], tiers).tolist()
    [0.0, 100.0, 575.0]
    """
    tiers = validate_tiers(tiers)
    v = _nonneg("volume_units", volume_units)
    uppers = np.array([np.inf if u is None else u for u, _ in tiers])
    lowers = np.concatenate(([0.0], uppers[:-1]))
    prices = np.array([p for _, p in tiers])
    in_tier = np.clip(v[..., np.newaxis] - lowers, 0.0, uppers - lowers)
    return _out((in_tier * prices).sum(axis=-1))


def volume_forecast(volume_units_per_month, horizon_months=DEFAULT_HORIZON_MONTHS, growth_rate_per_month=0.0):
    """Monthly volume over the horizon, constant or growing at a constant monthly rate.

    Parameters
    ----------
    volume_units_per_month : float or array_like
        Volume in month 1 (units/month, >= 0). Arrays broadcast (a leading sample axis).
    horizon_months : int
        Number of months (>= 1). Default 36.
    growth_rate_per_month : float or array_like
        Decimal growth per month (0.05 for 5%/month; > -1). Default 0 (constant).

    Returns
    -------
    numpy.ndarray
        Shape ``(..., horizon_months)``: units/month in months 1..horizon.

    Notes
    -----
    .. math:: v_m = v_1 (1 + g)^{m - 1}, \\quad m = 1, \\dots, H

    References
    ----------
    Seed, section IV.2 (the forecasting translation layer).

    Examples
    --------
    >>> volume_forecast(100.0, horizon_months=3, growth_rate_per_month=0.10).round(6).tolist()
    [100.0, 110.0, 121.0]
    """
    horizon_months = _horizon(horizon_months)
    v = _nonneg("volume_units_per_month", volume_units_per_month)
    g = _rate("growth_rate_per_month", growth_rate_per_month)
    m = _months(horizon_months)
    return _col(v) * (1.0 + _col(g)) ** (m - 1.0)


def _volume_path(volume_units_per_month, horizon_months):
    v = _nonneg("volume_units_per_month", volume_units_per_month)
    if v.ndim == 0:
        return np.full(horizon_months, float(v))
    require(v.shape[-1] == horizon_months, "volume_units_per_month", f"<array of shape {v.shape}>",
            f"expected a number or an array of horizon_months = {horizon_months} monthly volumes "
            "(see volume_forecast)")
    return v


# --------------------------------------------------------------------------------------------------
# options


@dataclass(frozen=True)
class Option:
    """One way to meet the need (build, buy, open source self-hosted, fork), priced by component.

    Every field is USD, a count, or months, >= 0 (numbers or numpy arrays that broadcast, so that the
    same object serves Monte Carlo samples). Fields left at 0 do not apply.

    Parameters
    ----------
    name : str
        Label used in tables (unique within a comparison).
    kind : str
        One of ``KINDS``: ``"build"``, ``"buy"``, ``"open_source"``, ``"fork"``. A label only.
    engineers : float
        Engineers (FTEs) building, integrating or configuring it before go-live.
    build_months : float
        Months until the option is live (time to market; build, integration or setup time).
    loaded_cost_usd_per_fte_per_year : float
        Fully loaded cost of one engineer-year (salary, benefits, equity, overhead), USD/year; used for
        the build team, maintenance FTEs and security FTEs.
    implementation_fee_usd : float
        One-off implementation or onboarding fee, USD (paid in month 1).
    hardware_usd : float
        One-off hardware or setup purchase, USD (paid in month 1).
    infra_usd_per_month : float
        Fixed running infrastructure while live, USD/month.
    infra_usd_per_unit : float
        Variable running infrastructure while live, USD per unit of volume.
    subscription_usd_per_month : float
        Flat subscription (enterprise or all-you-can-eat contract), USD/month.
    subscription_usd_per_unit : float
        Linear usage price, USD per unit (exclusive with ``subscription_tiers``).
    subscription_tiers : sequence of (float or None, float), optional
        Graduated usage tiers ``(upper_units_per_month, usd_per_unit)``, see `validate_tiers`.
    seats : float
        Licensed seats (users).
    usd_per_seat_per_month : float
        Price per seat, USD/seat/month.
    maintenance_ftes : float
        Keep-the-lights-on engineers while live (patching, scaling, on-call), FTEs.
    maintenance_tax_multiple : float
        The seed's maintenance tax: maintenance over the software's life as a multiple of its
        development cost (3 to 5 in the seed). Development cost = engineers x build_months x
        loaded_cost_usd_per_fte_per_year / 12.
    maintenance_life_months : float
        The life over which the maintenance tax is spread evenly, counted from go-live (> 0; default
        36, the seed's "3 years post-launch").
    security_usd_per_month : float
        Security and compliance work while live (AppSec review, CVE watch, third-party risk
        assessment, SOC2 evidence), USD/month.
    security_ftes : float
        Security and compliance engineers while live, FTEs.
    exit_cost_usd : float
        One-off cost of leaving at the end of the horizon (data export, retraining, migration,
        deprecation), USD.

    Notes
    -----
    Monthly cost of component ``c`` in month ``m`` with live share ``L_m = clip(m - T, 0, 1)`` and build
    share ``B_m = clip(T - (m - 1), 0, 1)``, ``e = loaded_cost_usd_per_fte_per_year / 12``, volume ``v_m``:

    - upfront = engineers e B_m + (hardware + implementation fee) [m = 1]
    - infrastructure = (infra_usd_per_month + infra_usd_per_unit v_m) L_m
    - subscription = (subscription_usd_per_month + seats usd_per_seat_per_month + P(v_m)) L_m, with
      P linear or graduated (`tiered_bill_usd`)
    - maintenance = maintenance_ftes e L_m + k D / life x overlap((m-1, m], (T, T + life)), with
      D = engineers e T and k the maintenance tax multiple
    - security = (security_usd_per_month + security_ftes e) L_m
    - delay = (cost_of_delay_usd_per_month + cost_of_delay_usd_per_unit v_m) (1 - L_m)
    - exit = exit_cost_usd [m = H]

    References
    ----------
    Seed, section V.2 (the maintenance tax), V.4 (the "free puppy"), V.5 (the TCO table).

    Examples
    --------
    >>> build = Option("kafka", kind="build", engineers=4, build_months=6, loaded_cost_usd_per_fte_per_year=500_000,
    ...                hardware_usd=200_000, maintenance_ftes=1)
    >>> build.kind, float(build.engineers)
    ('build', 4.0)
    >>> Option("bad", engineers=-1)
    Traceback (most recent call last):
    ...
    costlib.errors.ModelError: engineers (option 'bad') = -1: expected a finite number >= 0
    """

    name: str
    kind: str = "build"
    engineers: float = 0.0
    build_months: float = 0.0
    loaded_cost_usd_per_fte_per_year: float = 0.0
    implementation_fee_usd: float = 0.0
    hardware_usd: float = 0.0
    infra_usd_per_month: float = 0.0
    infra_usd_per_unit: float = 0.0
    subscription_usd_per_month: float = 0.0
    subscription_usd_per_unit: float = 0.0
    subscription_tiers: tuple | None = None
    seats: float = 0.0
    usd_per_seat_per_month: float = 0.0
    maintenance_ftes: float = 0.0
    maintenance_tax_multiple: float = 0.0
    maintenance_life_months: float = 36.0
    security_usd_per_month: float = 0.0
    security_ftes: float = 0.0
    exit_cost_usd: float = 0.0

    def __post_init__(self):
        require(isinstance(self.name, str) and self.name.strip() != "", "name", self.name,
                "expected a non-empty option name")
        require(self.kind in KINDS, f"kind (option {self.name!r})", self.kind, f"expected one of {KINDS}")
        for f in fields(self):
            if f.name in ("name", "kind", "subscription_tiers"):
                continue
            check = _positive if f.name == "maintenance_life_months" else _nonneg
            check(f"{f.name} (option {self.name!r})", getattr(self, f.name))
        if self.subscription_tiers is not None:
            tiers = validate_tiers(self.subscription_tiers, "subscription_tiers")
            object.__setattr__(self, "subscription_tiers", tiers)
            require(bool(np.all(np.asarray(self.subscription_usd_per_unit, dtype=float) == 0)),
                    f"subscription_usd_per_unit (option {self.name!r})", self.subscription_usd_per_unit,
                    "expected 0 when subscription_tiers is given (use one or the other)")


def _components(option, volume_path, horizon_months, cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit):
    """Monthly cost arrays (..., horizon) per component; see `Option` Notes."""
    m = _months(horizon_months)
    t = _col(option.build_months)
    live = np.clip(m - t, 0.0, 1.0)
    building = np.clip(t - (m - 1.0), 0.0, 1.0)
    engineer_month = _col(option.loaded_cost_usd_per_fte_per_year) / 12.0
    first = (m == 1.0).astype(float)
    last = (m == float(horizon_months)).astype(float)
    v = volume_path

    upfront = _col(option.engineers) * engineer_month * building + (
        _col(option.hardware_usd) + _col(option.implementation_fee_usd)) * first
    infrastructure = (_col(option.infra_usd_per_month) + _col(option.infra_usd_per_unit) * v) * live
    if option.subscription_tiers is None:
        usage = _col(option.subscription_usd_per_unit) * v
    else:
        usage = np.asarray(tiered_bill_usd(v, option.subscription_tiers))
    subscription = (_col(option.subscription_usd_per_month)
                    + _col(option.seats) * _col(option.usd_per_seat_per_month) + usage) * live
    life = _col(option.maintenance_life_months)
    development = _col(option.engineers) * engineer_month * t
    tax_share = np.clip(np.minimum(m, t + life) - np.maximum(m - 1.0, t), 0.0, 1.0)
    maintenance = (_col(option.maintenance_ftes) * engineer_month * live
                   + _col(option.maintenance_tax_multiple) * development / life * tax_share)
    security = (_col(option.security_usd_per_month) + _col(option.security_ftes) * engineer_month) * live
    delay = (_col(cost_of_delay_usd_per_month) + _col(cost_of_delay_usd_per_unit) * v) * (1.0 - live)
    exit_ = _col(option.exit_cost_usd) * last
    arrays = np.broadcast_arrays(upfront, infrastructure, subscription, maintenance, security, delay, exit_)
    return dict(zip(COMPONENTS, (np.array(a) for a in arrays)))


def _prepare(volume_units_per_month, horizon_months, cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit):
    horizon_months = _horizon(horizon_months)
    path = _volume_path(volume_units_per_month, horizon_months)
    _nonneg("cost_of_delay_usd_per_month", cost_of_delay_usd_per_month)
    _nonneg("cost_of_delay_usd_per_unit", cost_of_delay_usd_per_unit)
    return horizon_months, path


def _check_option(option, name="option"):
    require(isinstance(option, Option), name, option, "expected a costlib.build_vs_buy.Option")


def _check_options(options):
    require(isinstance(options, Sequence) and not isinstance(options, (str, bytes)) and len(options) >= 1,
            "options", options, "expected a list of Option")
    for i, o in enumerate(options):
        _check_option(o, f"options[{i}]")
    names = [o.name for o in options]
    require(len(set(names)) == len(names), "options", names, "expected unique option names")


def monthly_costs(option, volume_units_per_month, *, horizon_months=DEFAULT_HORIZON_MONTHS,
                  cost_of_delay_usd_per_month=0.0, cost_of_delay_usd_per_unit=0.0):
    """Month-by-month cost of one option, by component.

    Parameters
    ----------
    option : Option
        With scalar fields.
    volume_units_per_month : float or array_like
        A constant volume (units/month) or the forecast for months 1..horizon (`volume_forecast`).
    horizon_months : int
        Months in the horizon (>= 1). Default 36.
    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit : float
        Cost of the need while the option is not live: USD/month and USD per unit of volume (see the
        module docstring for the interim-option choice).

    Returns
    -------
    pandas.DataFrame
        Index ``month`` (1..horizon); columns ``volume_units_per_month``, one ``<component>_usd`` column
        per component and ``cost_usd`` (their sum): USD paid in that month.

    Notes
    -----
    The component formulas are in `Option`'s Notes; ``cost_usd_m = sum_c cost_{c,m}``.

    References
    ----------
    Seed, section V.5 (3-year TCO model).

    Examples
    --------
    >>> buy = Option("managed", kind="buy", subscription_usd_per_unit=0.50)
    >>> costs = monthly_costs(buy, 1000.0, horizon_months=3)
    >>> costs["cost_usd"].tolist()  # 1000 million requests x $0.50
    [500.0, 500.0, 500.0]
    """
    _check_option(option)
    horizon_months, path = _prepare(volume_units_per_month, horizon_months,
                                    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit)
    parts = _components(option, path, horizon_months, cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit)
    require(parts["upfront"].ndim == 1, "option", option.name,
            "expected scalar fields and a 1-D volume forecast for a monthly table "
            "(use total_cost_usd or build_minus_buy_usd for arrays)")
    frame = pd.DataFrame({"volume_units_per_month": np.broadcast_to(path, (horizon_months,))},
                         index=pd.RangeIndex(1, horizon_months + 1, name="month"))
    for c in COMPONENTS:
        frame[f"{c}_usd"] = parts[c]
    frame["cost_usd"] = sum(parts[c] for c in COMPONENTS)
    return frame


def cost_curves(options, volume_units_per_month, *, horizon_months=DEFAULT_HORIZON_MONTHS,
                cost_of_delay_usd_per_month=0.0, cost_of_delay_usd_per_unit=0.0):
    """Monthly and cumulative cost curves of several options, as one tidy frame.

    Parameters
    ----------
    options : list of Option
        Options with unique names.
    volume_units_per_month : float or array_like
        A constant volume or the forecast for months 1..horizon (units/month).
    horizon_months : int
        Default 36.
    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit : float
        See `monthly_costs`.

    Returns
    -------
    pandas.DataFrame
        One row per option and month: ``option, kind, month, volume_units_per_month,
        <component>_usd..., cost_usd, cumulative_cost_usd`` (USD; cumulative is the running sum
        over months 1..m).

    Notes
    -----
    ``cumulative_cost_usd_m = sum_{k <= m} cost_usd_k``; the last month's value is the option's TCO.

    References
    ----------
    Seed, section V.5.

    Examples
    --------
    >>> buy = Option("managed", kind="buy", subscription_usd_per_unit=0.50)
    >>> build = Option("kafka", engineers=1, build_months=1, loaded_cost_usd_per_fte_per_year=1200.0)
    >>> curves = cost_curves([build, buy], 100.0, horizon_months=3)
    >>> curves.groupby("option", sort=False)["cumulative_cost_usd"].last().to_dict()
    {'kafka': 100.0, 'managed': 150.0}
    """
    _check_options(options)
    frames = []
    for option in options:
        frame = monthly_costs(option, volume_units_per_month, horizon_months=horizon_months,
                              cost_of_delay_usd_per_month=cost_of_delay_usd_per_month,
                              cost_of_delay_usd_per_unit=cost_of_delay_usd_per_unit).reset_index()
        frame.insert(0, "kind", option.kind)
        frame.insert(0, "option", option.name)
        frame["cumulative_cost_usd"] = frame["cost_usd"].cumsum()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _weighted_costs(option, volume_units_per_month, horizon_months, discount_rate_per_year,
                    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit):
    """Each month's cost of one option, every component summed, times its discount weight (or 1)."""
    _check_option(option)
    horizon_months, path = _prepare(volume_units_per_month, horizon_months,
                                    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit)
    parts = _components(option, path, horizon_months, cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit)
    w = _weights(horizon_months, discount_rate_per_year)
    return sum(parts[c] for c in COMPONENTS) * w


def total_cost_usd(option, volume_units_per_month, *, horizon_months=DEFAULT_HORIZON_MONTHS,
                   discount_rate_per_year=None, cost_of_delay_usd_per_month=0.0, cost_of_delay_usd_per_unit=0.0):
    """Total cost of one option over the horizon (its TCO), undiscounted or as a present value.

    Parameters
    ----------
    option : Option
        Fields may be numpy arrays that broadcast (e.g. shape (n, 1) samples).
    volume_units_per_month : float or array_like
        A constant volume or a forecast whose last axis is months 1..horizon (units/month).
    horizon_months : int
        Default 36.
    discount_rate_per_year : float, optional
        Decimal annual discount rate; None (default) sums undiscounted.
    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit : float or array_like
        See `monthly_costs`.

    Returns
    -------
    float or numpy.ndarray
        USD over the horizon (a positive cost).

    Notes
    -----
    .. math:: TCO = \\sum_{m=1}^{H} w_m \\sum_c cost_{c,m}, \\quad
              w_m = (1 + r_{month})^{-m} \\text{ (or 1)}

    References
    ----------
    Seed, section V.5.

    Examples
    --------
    >>> buy = Option("managed", kind="buy", subscription_usd_per_unit=0.50)
    >>> total_cost_usd(buy, 1000.0)  # 36 x 1000 x 0.50
    18000.0
    """
    return _out(_weighted_costs(option, volume_units_per_month, horizon_months, discount_rate_per_year,
                                cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit).sum(axis=-1))


def cumulative_cost_usd(option, volume_units_per_month, *, horizon_months=DEFAULT_HORIZON_MONTHS,
                        discount_rate_per_year=None, cost_of_delay_usd_per_month=0.0, cost_of_delay_usd_per_unit=0.0):
    """Cumulative cost of one option through each month of the horizon, vectorized (for Monte Carlo bands).

    Parameters
    ----------
    option : Option
        Fields may be numpy arrays that broadcast (e.g. shape (n, 1) samples).
    volume_units_per_month : float or array_like
        A constant volume or a forecast whose last axis is months 1..horizon (units/month).
    horizon_months : int
        Default 36.
    discount_rate_per_year : float, optional
        Decimal annual discount rate; None (default) sums undiscounted.
    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit : float or array_like
        See `monthly_costs`.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., horizon_months)``: USD spent in months 1..m (discounted when a rate is given). The last
        entry equals `total_cost_usd`.

    Notes
    -----
    .. math:: C_m = \\sum_{k=1}^{m} w_k \\sum_c cost_{c,k}, \\quad w_k = (1 + r_{month})^{-k} \\text{ (or 1)}

    Unlike `cost_curves` (a tidy frame for one scalar option), this keeps the leading sample axes, so the
    difference of two options' cumulative costs gives a P10/P50/P90 band month by month.

    References
    ----------
    Seed, section V.5 (3-year TCO), interview question III.2 (break-even analysis).

    Examples
    --------
    >>> buy = Option("managed", kind="buy", subscription_usd_per_unit=0.50)
    >>> cumulative_cost_usd(buy, 1000.0, horizon_months=3).tolist()  # 500 a month
    [500.0, 1000.0, 1500.0]
    >>> samples = Option("b", engineers=np.array([[1.0], [2.0]]), build_months=1,
    ...                  loaded_cost_usd_per_fte_per_year=1200.0)
    >>> cumulative_cost_usd(samples, 0.0, horizon_months=2).tolist()  # (n, 1) samples: shape (n, 1, months)
    [[[100.0, 100.0]], [[200.0, 200.0]]]
    """
    return np.cumsum(_weighted_costs(option, volume_units_per_month, horizon_months, discount_rate_per_year,
                                     cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit), axis=-1)




def tier_scaled_cost_usd(option, volume_units_per_month, tier_price_scale, *, cumulative=False, **kwargs):
    """An option's cost with every subscription tier price multiplied by ``tier_price_scale``.

    Parameters
    ----------
    option : Option
        An option priced in tiers (``subscription_tiers``); other options are returned unscaled.
    volume_units_per_month : float or array_like
        As in `total_cost_usd`.
    tier_price_scale : float or array_like
        Multiplier on all tier prices together (1.0: as listed; Monte Carlo draws of shape (n, 1)).
    cumulative : bool
        Month by month (`cumulative_cost_usd`) instead of the total (`total_cost_usd`).
    **kwargs
        ``horizon_months``, ``discount_rate_per_year`` and the cost of delay, as in `total_cost_usd`.

    Returns
    -------
    float or numpy.ndarray
        USD, as `total_cost_usd` or `cumulative_cost_usd`.

    Notes
    -----
    The bill is linear in the tier prices, so with ``C(s)`` the cost at scale ``s``:
    ``C(s) = C(0) + s (C(1) - C(0))``, ``C(0)`` being the option without its tiers.

    References
    ----------
    Seed, section V.5 (vendor pricing: per-unit tiers); any graduated price list.

    Examples
    --------
    One open-ended tier at $0.50 for 1,000 units a month over 3 months is $1,500; at twice the prices $3,000.

    >>> o = Option("vendor", kind="buy", subscription_tiers=[(None, 0.5)])
    >>> float(tier_scaled_cost_usd(o, 1000.0, 1.0, horizon_months=3)), float(tier_scaled_cost_usd(o, 1000.0, 2.0,
    ...                                                                                           horizon_months=3))
    (1500.0, 3000.0)
    """
    cost = cumulative_cost_usd if cumulative else total_cost_usd
    total = np.asarray(cost(option, volume_units_per_month, **kwargs))
    scale = checks.number("tier_price_scale", tier_price_scale, low=0)
    if option.subscription_tiers is None or not np.any(scale != 1.0):
        return total
    untiered = np.asarray(cost(dataclasses.replace(option, subscription_tiers=None), volume_units_per_month, **kwargs))
    return untiered + (scale[..., None] if cumulative else scale) * (total - untiered)


def tco_table(options, volume_units_per_month, *, horizon_months=DEFAULT_HORIZON_MONTHS,
              discount_rate_per_year=None, cost_of_delay_usd_per_month=0.0, cost_of_delay_usd_per_unit=0.0):
    """The seed's TCO table with numbers: USD over the horizon per component (rows) and option (columns).

    Parameters
    ----------
    options : list of Option
        Options with unique names and scalar fields.
    volume_units_per_month : float or array_like
        A constant volume or the forecast for months 1..horizon (units/month).
    horizon_months : int
        Default 36 (the seed's 3-year TCO).
    discount_rate_per_year : float, optional
        When given, a ``present_value`` row (discounted total) is added.
    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit : float
        See `monthly_costs`.

    Returns
    -------
    pandas.DataFrame
        Index ``component``: ``upfront, infrastructure, subscription, maintenance, security, delay,
        exit, total`` (and ``present_value``); one column per option; USD over the horizon.

    Notes
    -----
    ``row_c = sum_{m=1}^{H} cost_{c,m}`` and ``total = sum_c row_c``; ``present_value`` discounts
    each month's total (see `present_value_usd`).

    References
    ----------
    Seed, section V.5 (TCO calculus table) and interview question II.1.

    Examples
    --------
    Logging (seed II.1): a $2M/year vendor against $800k/year of infrastructure run by 3 engineers at
    about $500k each, fully loaded.

    >>> vendor = Option("vendor", kind="buy", subscription_usd_per_month=2e6 / 12)
    >>> own = Option("self_built", infra_usd_per_month=800e3 / 12, maintenance_ftes=3,
    ...              loaded_cost_usd_per_fte_per_year=500e3)
    >>> table = tco_table([own, vendor], 0.0)
    >>> (table / 1e6).round(2).loc[["infrastructure", "subscription", "maintenance", "total"]]
    option          self_built  vendor
    component
    infrastructure         2.4     0.0
    subscription           0.0     6.0
    maintenance            4.5     0.0
    total                  6.9     6.0
    """
    _check_options(options)
    columns = {}
    for option in options:
        costs = monthly_costs(option, volume_units_per_month, horizon_months=horizon_months,
                              cost_of_delay_usd_per_month=cost_of_delay_usd_per_month,
                              cost_of_delay_usd_per_unit=cost_of_delay_usd_per_unit)
        column = {c: float(costs[f"{c}_usd"].sum()) for c in COMPONENTS}
        column["total"] = float(costs["cost_usd"].sum())
        if discount_rate_per_year is not None:
            column["present_value"] = present_value_usd(costs["cost_usd"].to_numpy(), discount_rate_per_year)
        columns[option.name] = column
    table = pd.DataFrame(columns)
    table.index.name = "component"
    table.columns.name = "option"
    return table


# --------------------------------------------------------------------------------------------------
# break-even and the verdict


def _unit_slope_tail(option, weights, live, cost_of_delay_usd_per_unit):
    """d(total)/d(constant volume) once every tier is in its last (open-ended) tier."""
    price = (option.subscription_tiers[-1][1] if option.subscription_tiers is not None
             else float(option.subscription_usd_per_unit))
    per_month = live * (float(option.infra_usd_per_unit) + price) + (1.0 - live) * float(cost_of_delay_usd_per_unit)
    return float((weights * per_month).sum())


def break_even_volume(build, buy, *, horizon_months=DEFAULT_HORIZON_MONTHS, discount_rate_per_year=None,
                      cost_of_delay_usd_per_month=0.0, cost_of_delay_usd_per_unit=0.0,
                      max_volume_units_per_month=math.inf):
    """The constant monthly volume at which ``build`` and ``buy`` cost the same over the horizon.

    Parameters
    ----------
    build, buy : Option
        The two options compared (scalar fields). Any two options work; the names say the usual case.
    horizon_months : int
        Default 36.
    discount_rate_per_year : float, optional
        Compare present values instead of undiscounted totals.
    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit : float
        See `monthly_costs`.
    max_volume_units_per_month : float
        Upper end of the range searched (units/month); default unbounded.

    Returns
    -------
    float or None
        The lowest volume ``V >= 0`` (units/month) with ``TCO_build(V) = TCO_buy(V)``, or None when the
        difference does not change sign on ``[0, max_volume_units_per_month]`` (one option is cheaper
        at every volume in range, or both grow at the same rate per unit).

    Notes
    -----
    With constant volume ``V``, ``f(V) = TCO_build(V) - TCO_buy(V)`` is linear when both options price
    usage linearly, ``f(V) = a + b V`` with ``a = f(0)`` and
    ``b = sum_m w_m [L_m (infra_usd_per_unit + usd_per_unit) + (1 - L_m) cost_of_delay_usd_per_unit]``
    (build minus buy), so the closed form is

    .. math:: V^* = -a / b = \\frac{TCO_{build}(0) - TCO_{buy}(0)}{b_{buy} - b_{build}}.

    With graduated tiers ``f`` is piecewise linear with kinks at the tier edges: each segment between
    edges is searched in order with `scipy.optimize.brentq` where ``f`` changes sign; beyond the last
    edge ``f`` is linear again and solved in closed form.

    References
    ----------
    Seed, interview questions I.2 ("the scale point where the crossover happens") and III.2
    ("calculate the crossover point"); Brent, R. P. (1973), Algorithms for Minimization without
    Derivatives, ch. 4.

    Examples
    --------
    Message queue (seed III.2): $0.50 per million requests against 4 engineers for 6 months at $500k
    per engineer-year, $200k hardware and one engineer of maintenance. Build: 1.0M + 0.2M + 30 x
    41,666.67 = 2.45M; buy: 36 x 0.50 x V; so V* = 2.45M / 18 million requests per month.

    >>> build = Option("kafka", engineers=4, build_months=6, loaded_cost_usd_per_fte_per_year=500e3,
    ...                hardware_usd=200e3, maintenance_ftes=1)
    >>> buy = Option("managed", kind="buy", subscription_usd_per_unit=0.50)
    >>> round(break_even_volume(build, buy), 2)
    136111.11
    """
    _check_option(build, "build")
    _check_option(buy, "buy")
    horizon_months = _horizon(horizon_months)
    _nonneg("cost_of_delay_usd_per_month", cost_of_delay_usd_per_month)
    _nonneg("cost_of_delay_usd_per_unit", cost_of_delay_usd_per_unit)
    require(max_volume_units_per_month > 0, "max_volume_units_per_month", max_volume_units_per_month,
            "expected a volume > 0")
    for o in (build, buy):
        for f in fields(o):
            value = getattr(o, f.name)
            if f.name not in ("name", "kind", "subscription_tiers"):
                require(np.ndim(value) == 0, f"{f.name} (option {o.name!r})", value,
                        "expected a number (use build_minus_buy_usd for arrays)")
    kwargs = dict(horizon_months=horizon_months, discount_rate_per_year=discount_rate_per_year,
                  cost_of_delay_usd_per_month=cost_of_delay_usd_per_month,
                  cost_of_delay_usd_per_unit=cost_of_delay_usd_per_unit)

    def f(volume):
        return total_cost_usd(build, float(volume), **kwargs) - total_cost_usd(buy, float(volume), **kwargs)

    edges = {u for o in (build, buy) if o.subscription_tiers for u, _ in o.subscription_tiers if u is not None}
    knots = sorted({0.0} | {e for e in edges if e <= max_volume_units_per_month})
    values = [f(k) for k in knots]
    for i, (k, fk) in enumerate(zip(knots, values)):
        if fk == 0.0:
            return float(k)
        if i + 1 < len(knots) and values[i + 1] != 0.0 and np.sign(fk) != np.sign(values[i + 1]):
            hi = knots[i + 1]
            return float(brentq(f, k, hi, xtol=1e-12 * max(1.0, hi), rtol=4 * np.finfo(float).eps, maxiter=200))
    # beyond the last knot f is linear: closed form
    w = np.broadcast_to(_weights(horizon_months, discount_rate_per_year), (horizon_months,))
    m = _months(horizon_months)
    slope = (_unit_slope_tail(build, w, np.clip(m - float(build.build_months), 0, 1), cost_of_delay_usd_per_unit)
             - _unit_slope_tail(buy, w, np.clip(m - float(buy.build_months), 0, 1), cost_of_delay_usd_per_unit))
    if slope == 0.0:
        return None
    k, fk = knots[-1], values[-1]
    root = k - fk / slope
    if root > k and root <= max_volume_units_per_month:
        return float(root)
    return None


@dataclass(frozen=True)
class Comparison:
    """Which option is cheapest over the horizon, and by how much.

    Attributes
    ----------
    winner, runner_up : str
        Names of the cheapest and the second cheapest option.
    winner_total_usd, runner_up_total_usd : float
        Their totals over the horizon (USD, or present values when discounted).
    margin_usd : float
        ``runner_up_total_usd - winner_total_usd`` (>= 0).
    margin_share : float
        ``margin_usd / runner_up_total_usd``: the share of the runner-up's cost saved (0 when it is 0).
    totals_usd : dict
        Every option's total, by name.

    References
    ----------
    Seed, section V.5 (the 3-year TCO comparison).

    Examples
    --------
    >>> Comparison("a", "b", 1.0, 2.0, 1.0, 0.5, {"a": 1.0, "b": 2.0}).margin_usd
    1.0
    """

    winner: str
    runner_up: str
    winner_total_usd: float
    runner_up_total_usd: float
    margin_usd: float
    margin_share: float
    totals_usd: dict


def compare_options(options, volume_units_per_month, *, horizon_months=DEFAULT_HORIZON_MONTHS,
                    discount_rate_per_year=None, cost_of_delay_usd_per_month=0.0, cost_of_delay_usd_per_unit=0.0):
    """The option that wins at the forecast volume, and its margin over the runner-up.

    Parameters
    ----------
    options : list of Option
        At least two, unique names, scalar fields.
    volume_units_per_month : float or array_like
        A constant volume or the forecast for months 1..horizon (units/month).
    horizon_months : int
        Default 36.
    discount_rate_per_year : float, optional
        Compare present values instead of undiscounted totals.
    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit : float
        See `monthly_costs`.

    Returns
    -------
    Comparison

    Notes
    -----
    ``winner = argmin_o TCO_o``; ``margin = TCO_runner_up - TCO_winner``. Ties go to the option listed
    first.

    References
    ----------
    Seed, section V.5.

    Examples
    --------
    >>> build = Option("kafka", engineers=4, build_months=6, loaded_cost_usd_per_fte_per_year=500e3,
    ...                hardware_usd=200e3, maintenance_ftes=1)
    >>> buy = Option("managed", kind="buy", subscription_usd_per_unit=0.50)
    >>> c = compare_options([build, buy], 100_000.0)  # buy: 36 x 50k = 1.8M; build: 2.45M
    >>> c.winner, round(c.margin_usd, 2)
    ('managed', 650000.0)
    """
    _check_options(options)
    require(len(options) >= 2, "options", [o.name for o in options], "expected at least two options")
    totals = {o.name: total_cost_usd(o, volume_units_per_month, horizon_months=horizon_months,
                                     discount_rate_per_year=discount_rate_per_year,
                                     cost_of_delay_usd_per_month=cost_of_delay_usd_per_month,
                                     cost_of_delay_usd_per_unit=cost_of_delay_usd_per_unit) for o in options}
    for name, total in totals.items():
        require(np.ndim(total) == 0, "options", name, "expected scalar fields and a 1-D volume forecast")
    ranked = sorted(totals, key=lambda n: totals[n])
    w, r = ranked[0], ranked[1]
    margin = totals[r] - totals[w]
    share = margin / totals[r] if totals[r] else 0.0
    return Comparison(w, r, totals[w], totals[r], margin, share, dict(totals))


def build_minus_buy_usd(volume_units_per_month, *, growth_rate_per_month=0.0,
                        horizon_months=DEFAULT_HORIZON_MONTHS, loaded_cost_usd_per_fte_per_year=0.0,
                        build_engineers=0.0, build_months=0.0, build_hardware_usd=0.0,
                        build_infra_usd_per_month=0.0, build_infra_usd_per_unit=0.0,
                        build_maintenance_ftes=0.0, build_maintenance_tax_multiple=0.0,
                        build_maintenance_life_months=36.0, build_security_usd_per_month=0.0,
                        build_exit_cost_usd=0.0,
                        buy_usd_per_unit=0.0, buy_tiers=None, buy_usd_per_month=0.0,
                        buy_implementation_fee_usd=0.0, buy_engineers=0.0, buy_months=0.0,
                        buy_maintenance_ftes=0.0, buy_security_usd_per_month=0.0, buy_exit_cost_usd=0.0,
                        cost_of_delay_usd_per_month=0.0, cost_of_delay_usd_per_unit=0.0,
                        discount_rate_per_year=None):
    """Build TCO minus buy TCO over the horizon from flat inputs (for tornado, Monte Carlo, goal seek).

    Every numeric input may be a numpy array; arrays broadcast (shape (n, 1) samples give shape (n, 1)).
    Positive means building costs more.

    Parameters
    ----------
    volume_units_per_month : float or array_like
        Volume in month 1, units/month.
    growth_rate_per_month : float or array_like
        Decimal monthly growth of the volume.
    horizon_months : int
        Default 36.
    loaded_cost_usd_per_fte_per_year : float or array_like
        Fully loaded cost per engineer-year, USD (both options).
    build_engineers, build_months, build_hardware_usd : float or array_like
        The build team (FTEs), its months to go live, and one-off hardware (USD).
    build_infra_usd_per_month, build_infra_usd_per_unit : float or array_like
        Running infrastructure of the build: USD/month and USD/unit.
    build_maintenance_ftes, build_maintenance_tax_multiple, build_maintenance_life_months : float or array_like
        KTLO engineers, and/or the maintenance tax multiple of development cost spread over the life.
    build_security_usd_per_month, build_exit_cost_usd : float or array_like
        Security and compliance (USD/month while live) and the exit cost (USD).
    buy_usd_per_unit : float or array_like
        Vendor price, USD per unit (ignored when ``buy_tiers`` is given).
    buy_tiers : sequence of (float or None, float), optional
        Graduated vendor tiers instead of ``buy_usd_per_unit``.
    buy_usd_per_month, buy_implementation_fee_usd : float or array_like
        Flat vendor subscription (USD/month) and one-off implementation fee (USD).
    buy_engineers, buy_months : float or array_like
        Integration team (FTEs) and months to go live with the vendor.
    buy_maintenance_ftes, buy_security_usd_per_month, buy_exit_cost_usd : float or array_like
        Vendor-side KTLO FTEs, third-party risk and compliance USD/month, and exit cost USD.
    cost_of_delay_usd_per_month, cost_of_delay_usd_per_unit : float or array_like
        Cost of the need while an option is not live (see the module docstring).
    discount_rate_per_year : float, optional
        Compare present values instead of undiscounted totals.

    Returns
    -------
    float or numpy.ndarray
        ``TCO_build - TCO_buy``, USD.

    Notes
    -----
    Builds the two `Option` objects from the flat inputs and evaluates
    ``total_cost_usd(build) - total_cost_usd(buy)`` with the forecast ``v_m = v_1 (1 + g)^(m-1)``.
    It is zero at the break-even: goal seek on any input gives its flip point.

    References
    ----------
    Seed, interview questions III.2 and II.1.

    Examples
    --------
    >>> kw = dict(loaded_cost_usd_per_fte_per_year=500e3, build_engineers=4, build_months=6, build_hardware_usd=200e3,
    ...           build_maintenance_ftes=1, buy_usd_per_unit=0.50)
    >>> build_minus_buy_usd(100_000.0, **kw)  # 2.45M - 36 x 0.50 x 100k
    650000.0
    >>> build_minus_buy_usd(np.array([[100_000.0], [200_000.0]]), **kw).tolist()
    [[650000.0], [-1150000.0]]
    """
    horizon_months = _horizon(horizon_months)
    path = volume_forecast(volume_units_per_month, horizon_months, growth_rate_per_month)
    build = Option("build", kind="build", engineers=build_engineers, build_months=build_months,
                   loaded_cost_usd_per_fte_per_year=loaded_cost_usd_per_fte_per_year, hardware_usd=build_hardware_usd,
                   infra_usd_per_month=build_infra_usd_per_month, infra_usd_per_unit=build_infra_usd_per_unit,
                   maintenance_ftes=build_maintenance_ftes, maintenance_tax_multiple=build_maintenance_tax_multiple,
                   maintenance_life_months=build_maintenance_life_months,
                   security_usd_per_month=build_security_usd_per_month, exit_cost_usd=build_exit_cost_usd)
    buy = Option("buy", kind="buy", engineers=buy_engineers, build_months=buy_months,
                 loaded_cost_usd_per_fte_per_year=loaded_cost_usd_per_fte_per_year,
                 implementation_fee_usd=buy_implementation_fee_usd,
                 subscription_usd_per_month=buy_usd_per_month,
                 subscription_usd_per_unit=0.0 if buy_tiers is not None else buy_usd_per_unit,
                 subscription_tiers=buy_tiers, maintenance_ftes=buy_maintenance_ftes,
                 security_usd_per_month=buy_security_usd_per_month, exit_cost_usd=buy_exit_cost_usd)
    kwargs = dict(horizon_months=horizon_months, discount_rate_per_year=discount_rate_per_year,
                  cost_of_delay_usd_per_month=cost_of_delay_usd_per_month,
                  cost_of_delay_usd_per_unit=cost_of_delay_usd_per_unit)
    return _out(np.asarray(total_cost_usd(build, path, **kwargs)) - np.asarray(total_cost_usd(buy, path, **kwargs)))


# --------------------------------------------------------------------------------------------------
# the recommendation in words


def _flip_lines(flip_points):
    if flip_points is None:
        return []
    if isinstance(flip_points, pd.DataFrame):
        rows = [(r["input"], r.get("flip_value"), r.get("base_value")) for _, r in flip_points.iterrows()]
    else:
        require(isinstance(flip_points, Mapping), "flip_points", flip_points,
                "expected a mapping {input: flip value} or the frame of costlib.uncertainty.flip_points")
        rows = []
        for k, v in flip_points.items():
            base, flip = (v if isinstance(v, (tuple, list)) else (None, v))
            rows.append((k, flip, base))
    out = []
    for name, flip, base in rows:
        if flip is None or not np.isfinite(flip):
            out.append(f"{name} does not flip it in the range searched")
        elif base is None or not np.isfinite(base):
            out.append(f"{name} flips it at {flip:,.4g}")
        else:
            out.append(f"{name} flips it at {flip:,.4g} (now {base:,.4g})")
    return out


def build_or_buy(build_total_usd, buy_total_usd, *, is_core, vendor_coverage_share, coverage_threshold=0.8,
                 material_saving_share=0.2):
    """The seed's build-or-buy rule: ``"build"`` or ``"buy"``.

    Parameters
    ----------
    build_total_usd, buy_total_usd : float
        TCO of the two options over the horizon (or their present values), USD.
    is_core : bool
        The capability differentiates the product (core) rather than only running it (context).
    vendor_coverage_share : float
        Share of the need the vendor covers, decimal in [0, 1].
    coverage_threshold : float
        The 80/20 bar (default 0.8).
    material_saving_share : float
        A saving from building smaller than this share of the buy cost does not justify owning context
        software (default 0.2).

    Returns
    -------
    str
        ``"buy"`` when buying is no dearer; ``"build"`` when building is cheaper and the capability is core;
        for context, ``"buy"`` when the vendor covers the bar and building saves less than the material
        share; otherwise ``"build"``.

    Notes
    -----
    ``build`` iff ``B < V`` and (core or coverage < bar or ``(V - B) / V >= s``).

    References
    ----------
    Seed, sections V.1 (core vs context) and V.5 (the 80/20 rule); G. A. Moore (2005), Dealing with Darwin.

    Examples
    --------
    Building saves $100k on $1M (10%) of context software the vendor covers at 90%: buy.

    >>> build_or_buy(900e3, 1e6, is_core=False, vendor_coverage_share=0.9)
    'buy'
    >>> build_or_buy(900e3, 1e6, is_core=True, vendor_coverage_share=0.9)
    'build'
    """
    build_total, buy_total = float(build_total_usd), float(buy_total_usd)
    coverage = float(_share("vendor_coverage_share", vendor_coverage_share))
    if not build_total < buy_total:
        return "buy"
    if is_core:
        return "build"
    saving_share_of_buy = (buy_total - build_total) / buy_total if buy_total else math.inf
    if coverage >= coverage_threshold and saving_share_of_buy < material_saving_share:
        return "buy"
    return "build"


def rule_margin_usd(build_usd, buy_usd, *, is_core, vendor_coverage_share, coverage_threshold=0.8,
                    material_saving_share=0.2):
    """How far building is from being chosen by the seed's rule (`build_or_buy`): the verdict's own threshold.

    Parameters
    ----------
    build_usd, buy_usd : float or array_like
        The two options' cost on the decision basis (TCO or present value), USD (>= 0).
    is_core : bool
        The capability differentiates the product (core) rather than only running it (context).
    vendor_coverage_share : float
        Share of the need the vendor covers, decimal in [0, 1].
    coverage_threshold : float
        The 80/20 bar (default 0.8).
    material_saving_share : float
        The share of the buy cost building must save to justify owning context software (default 0.2).

    Returns
    -------
    float or ndarray
        USD. Below zero the rule builds, above zero it buys; it crosses zero exactly where the verdict of
        `build_or_buy` changes, so goal seek on it gives the verdict's flip points.

    Notes
    -----
    With build cost ``B``, buy cost ``V`` and material share ``s``:

    - context, and the vendor covers the bar (``coverage >= bar``): ``margin = B - V + s V``. Building is
      chosen iff ``(V - B) / V >= s``, i.e. ``B - V + s V <= 0`` (for ``V > 0``; it then implies ``B < V``);
    - core, or the vendor covers less than the bar: ``margin = B - V``, the cost tie: building is chosen iff
      ``B < V``.

    At exactly zero the context branch builds and the tie buys (`build_or_buy`'s ``>=`` and ``<``); the
    zero itself is where the verdict changes either way.

    References
    ----------
    Seed, sections V.1 (core vs context) and V.5 (the 80/20 rule); G. A. Moore (2005), Dealing with Darwin.

    Examples
    --------
    Context software covered at 90%: building must save 20% of $3.6M, $720k; it saves $550k, so it is
    $170k short of the bar (buy). Core, the bar is the cost tie: -$550k (build).

    >>> rule_margin_usd(3.05e6, 3.6e6, is_core=False, vendor_coverage_share=0.9)  # -550k + 0.2 x 3.6M
    170000.0
    >>> rule_margin_usd(3.05e6, 3.6e6, is_core=True, vendor_coverage_share=0.9)
    -550000.0
    >>> rule_margin_usd(3.05e6, 3.6e6, is_core=False, vendor_coverage_share=0.5)  # below the 80% bar
    -550000.0
    """
    b, v = _floats("build_usd", build_usd), _floats("buy_usd", buy_usd)
    coverage = float(_share("vendor_coverage_share", vendor_coverage_share))
    s = float(_nonneg("material_saving_share", material_saving_share))
    context_covered = not is_core and coverage >= coverage_threshold
    value = b - v + (s * v if context_covered else 0.0)
    return float(value) if np.ndim(value) == 0 else value


def recommendation_text(build_total_usd, buy_total_usd, *, is_core, vendor_coverage_share, has_exit_strategy,
                        break_even_volume_units_per_month, forecast_volume_units_per_month,
                        break_even_month=..., horizon_months=DEFAULT_HORIZON_MONTHS, flip_points=None,
                        build_name="build", buy_name="buy", volume_unit="units",
                        coverage_threshold=0.8, material_saving_share=0.2):
    """The build-or-buy recommendation in words, computed from the numbers and the seed's checks.

    Parameters
    ----------
    build_total_usd, buy_total_usd : float
        TCO of each over the horizon, USD (undiscounted or present values, consistently).
    is_core : bool
        Whether the capability differentiates the product (core) or only runs the business (context).
    vendor_coverage_share : float
        Share of the need the vendor covers (0..1); the 80/20 rule compares it to ``coverage_threshold``.
    has_exit_strategy : bool
        For buy: an exit strategy in the contract (data export formats). For build: deprecation criteria.
    break_even_volume_units_per_month : float or None
        From `break_even_volume` (None: no break-even in range).
    forecast_volume_units_per_month : float or None
        The forecast volume the totals are computed at (units/month), for comparison with the break-even.
    break_even_month : int or None, optional
        From `costlib.timing.break_even_month` (None: build does not pay back within the horizon). Left out (the
        default ``...``), the text says nothing about the payback month.
    horizon_months : int
        The horizon of the totals (for the wording).
    flip_points : mapping or pandas.DataFrame, optional
        ``{input: flip_value}`` or ``{input: (base_value, flip_value)}``, or the frame returned by
        ``costlib.uncertainty.flip_points`` (columns ``input, base_value, flip_value``).
    build_name, buy_name, volume_unit : str
        Labels used in the text.
    coverage_threshold : float
        The 80/20 bar (default 0.8).
    material_saving_share : float
        A build saving below this share of the buy cost does not justify owning a context capability
        that a vendor covers above the bar (default 0.2).

    Returns
    -------
    str
        Sentences starting ``Recommendation: BUILD`` or ``Recommendation: BUY``.

    Notes
    -----
    Decision rule (seed V.1, V.5: build only the core; buy when the vendor covers >= 80%):

    - buy is cheaper (or equal): **buy**; if the capability is core, plan to build past the break-even.
    - build is cheaper and core: **build**.
    - build is cheaper, context, vendor coverage >= threshold and saving < ``material_saving_share``
      of the buy cost: **buy** (the saving does not pay for owning undifferentiated software).
    - otherwise build is cheaper: **build**, with the break-even as the threshold to watch.

    References
    ----------
    Seed, section V.1 (core vs context), V.5 (the 80/20 rule, the kill switch), interview questions
    II.1, III.2, V.1; G. A. Moore (2005), Dealing with Darwin (core and context).

    Examples
    --------
    The message queue of `break_even_volume` at 100,000 million requests/month:

    >>> print(recommendation_text(2.45e6, 1.8e6, is_core=False, vendor_coverage_share=0.9,
    ...     has_exit_strategy=True, break_even_volume_units_per_month=136_111.1,
    ...     forecast_volume_units_per_month=100_000.0, break_even_month=None,
    ...     build_name="kafka", buy_name="managed queue", volume_unit="million requests"))
    Recommendation: BUY (managed queue). Over 36 months managed queue costs $1.80M against $2.45M for
    kafka: $650,000 less (27% of the kafka cost). The cost decision flips at 136,111 million
    requests/month; the forecast of 100,000 is 0.73x that (below it). Kafka does not pay back against
    managed queue within 36 months. The capability is context (needed, not differentiating): build only
    the core, so the bar to build is high. The vendor covers 90% of the need, at or above the 80% bar:
    the remaining 10% is worth building only if it is the differentiator. The exit strategy in the
    contract limits lock-in.
    """
    build_total = float(build_total_usd)
    buy_total = float(buy_total_usd)
    require(math.isfinite(build_total) and math.isfinite(buy_total), "build_total_usd, buy_total_usd",
            (build_total_usd, buy_total_usd), "expected finite totals")
    coverage = float(_share("vendor_coverage_share", vendor_coverage_share))
    _share("coverage_threshold", coverage_threshold)
    _nonneg("material_saving_share", material_saving_share)
    horizon_months = _horizon(horizon_months)

    build_cheaper = build_total < buy_total
    cheaper, dearer = (build_name, buy_name) if build_cheaper else (buy_name, build_name)
    saving = abs(buy_total - build_total)
    saving_share_of_buy = saving / buy_total if buy_total else (0.0 if saving == 0 else math.inf)
    saving_share_of_dearer = saving / max(build_total, buy_total) if max(build_total, buy_total) else 0.0
    vendor_fits = coverage >= coverage_threshold

    decision = build_or_buy(build_total, buy_total, is_core=is_core, vendor_coverage_share=coverage,
                            coverage_threshold=coverage_threshold, material_saving_share=material_saving_share)
    chosen = build_name if decision == "build" else buy_name

    s = [f"Recommendation: {decision.upper()}" + ("" if chosen == decision else f" ({chosen})")]
    if saving == 0:
        s.append(f"Over {horizon_months} months {build_name} and {buy_name} cost the same, "
                 f"{_usd(build_total)} each")
    else:
        s.append(f"Over {horizon_months} months {cheaper} costs {_usd(min(build_total, buy_total))} against "
                 f"{_usd(max(build_total, buy_total))} for {dearer}: {_usd(saving)} less "
                 f"({saving_share_of_dearer:.0%} of the {dearer} cost)")

    be = break_even_volume_units_per_month
    fv = forecast_volume_units_per_month
    if be is None:
        s.append(f"There is no break-even volume in range: {cheaper} stays cheaper at any constant volume")
    else:
        line = f"The cost decision flips at {be:,.0f} {volume_unit}/month"
        if fv is not None and be > 0:
            side = "above" if fv > be else "below"
            line += f"; the forecast of {fv:,.0f} is {fv / be:.2f}x that ({side} it)"
        s.append(line)
    if break_even_month is not ...:
        if break_even_month is None:
            s.append(f"{build_name} does not pay back against {buy_name} within {horizon_months} months")
        else:
            s.append(f"{build_name} pays back against {buy_name} in month {int(break_even_month)}")

    if is_core:
        s.append("The capability is core (it differentiates the product), so owning it can be justified")
    else:
        s.append("The capability is context (needed, not differentiating): build only the core, "
                 "so the bar to build is high")
    gap = 1.0 - coverage
    if vendor_fits:
        s.append(f"The vendor covers {coverage:.0%} of the need, at or above the {coverage_threshold:.0%} bar: "
                 f"the remaining {gap:.0%} is worth building only if it is the differentiator")
    else:
        s.append(f"The vendor covers only {coverage:.0%} of the need, below the {coverage_threshold:.0%} bar: "
                 f"price the {gap:.0%} gap (workarounds, integration) into buy")

    if decision == "buy" and build_cheaper:
        s.append(f"{build_name} would save {_usd(saving)} ({saving_share_of_buy:.0%} of {buy_name}), below the "
                 f"{material_saving_share:.0%} that would justify owning undifferentiated software; "
                 f"use it to negotiate the vendor's price down")
    elif decision == "buy" and is_core:
        s.append(f"Buy now for time to market and plan to build (or renegotiate) once volume passes "
                 f"the break-even")
    elif decision == "build" and not is_core:
        s.append(f"Renegotiate first: a vendor deal {saving_share_of_buy:.0%} cheaper would remove the case "
                 f"for building")
    if decision == "buy":
        s.append("The exit strategy in the contract limits lock-in" if has_exit_strategy else
                 "Before signing, write the exit strategy into the contract (standard data export "
                 "formats, a migration path)")
    else:
        s.append("The deprecation criteria are defined" if has_exit_strategy else
                 "Before starting, define the kill switch: deprecation criteria if adoption targets are missed")

    flips = _flip_lines(flip_points)
    if flips:
        s.append("Other flip points: " + "; ".join(flips))
    return ". ".join(x[:1].upper() + x[1:] for x in s) + "."


# --------------------------------------------------------------------------------------------------
# the vendor price-hike case


@dataclass(frozen=True)
class PriceHikeCase:
    """A vendor signalling a price hike: pay it, migrate off, or move only the costliest share (hybrid).

    Parameters
    ----------
    current_usd_per_year : float
        Current vendor spend, USD/year.
    hike_rate : float
        Decimal price increase at renewal (0.30 for 30%; > -1).
    migration_months : float
        Months to migrate everything off the vendor (> 0), during which both are paid (dual running).
    migration_cost_usd : float
        One-off engineering cost of the full migration, USD, spread evenly over ``migration_months``.
    new_platform_usd_per_year : float
        Run cost of the new platform (internal, OSS or another vendor) for the whole workload, USD/year.
    hybrid_share_of_spend_moved : float
        Share (0..1) of the vendor spend that the hybrid moves: the costliest workloads (the top 20% of
        queries often carry well over 20% of the spend).
    hybrid_migration_cost_usd : float
        One-off cost of moving that share, USD.
    months_until_renewal : float
        Months left on the current contract at the current price (the hike applies after). Default 0.
    hybrid_migration_months : float, optional
        Months to move the share (> 0); default ``migration_months``.
    hybrid_new_platform_usd_per_year : float, optional
        Run cost of the moved share on the new platform, USD/year; default
        ``hybrid_share_of_spend_moved x new_platform_usd_per_year``.

    Notes
    -----
    See `price_hike_curves` for the monthly formulas.

    References
    ----------
    Seed, interview question V.2 (managing vendor lock-in at scale).

    Examples
    --------
    >>> case = PriceHikeCase(50e6, 0.30, 18, 10e6, 30e6, 0.5, 4e6, months_until_renewal=12)
    >>> case.hybrid_migration_months, case.hybrid_new_platform_usd_per_year
    (18.0, 15000000.0)
    """

    current_usd_per_year: float
    hike_rate: float
    migration_months: float
    migration_cost_usd: float
    new_platform_usd_per_year: float
    hybrid_share_of_spend_moved: float
    hybrid_migration_cost_usd: float
    months_until_renewal: float = 0.0
    hybrid_migration_months: float | None = None
    hybrid_new_platform_usd_per_year: float | None = None

    def __post_init__(self):
        for name in ("current_usd_per_year", "migration_cost_usd", "new_platform_usd_per_year",
                     "hybrid_migration_cost_usd", "months_until_renewal"):
            object.__setattr__(self, name, float(_nonneg(name, getattr(self, name))))
        object.__setattr__(self, "hike_rate", float(_rate("hike_rate", self.hike_rate)))
        object.__setattr__(self, "migration_months", float(_positive("migration_months", self.migration_months)))
        share = float(_share("hybrid_share_of_spend_moved", self.hybrid_share_of_spend_moved))
        object.__setattr__(self, "hybrid_share_of_spend_moved", share)
        months = self.migration_months if self.hybrid_migration_months is None else self.hybrid_migration_months
        object.__setattr__(self, "hybrid_migration_months", float(_positive("hybrid_migration_months", months)))
        run = (share * self.new_platform_usd_per_year if self.hybrid_new_platform_usd_per_year is None
               else self.hybrid_new_platform_usd_per_year)
        object.__setattr__(self, "hybrid_new_platform_usd_per_year",
                           float(_nonneg("hybrid_new_platform_usd_per_year", run)))


PRICE_HIKE_STRATEGIES = ("pay", "migrate", "hybrid")
"""The strategies compared by `price_hike_table`, in its row order."""


def price_hike_curves(case, horizon_months=DEFAULT_HORIZON_MONTHS):
    """Monthly and cumulative cost of paying the hike, migrating, or the hybrid, as one tidy frame.

    Parameters
    ----------
    case : PriceHikeCase
    horizon_months : int
        Default 36.

    Returns
    -------
    pandas.DataFrame
        One row per strategy (``pay``, ``migrate``, ``hybrid``) and month: ``strategy, month,
        vendor_usd, new_platform_usd, migration_usd, cost_usd, cumulative_cost_usd`` (USD).

    Notes
    -----
    With ``P_m = current / 12 x (1 + hike x clip(m - R, 0, 1))`` the vendor's monthly price (R months
    until renewal), ``M_m = clip(M - (m - 1), 0, 1)`` the share of month m still migrating:

    - pay: vendor ``P_m``.
    - migrate: vendor ``P_m M_m`` (paid until cut-over), new platform ``new / 12`` from month 1 (dual
      running while migrating, then the new run cost), migration ``cost / M x M_m``.
    - hybrid (share s moved over M_h months): vendor ``P_m (M_h,m + (1 - M_h,m)(1 - s))``, new platform
      ``hybrid_new / 12`` from month 1, migration ``hybrid_cost / M_h x M_h,m``.

    The vendor's price for the remaining share is assumed proportional to spend (no re-pricing of the
    smaller contract).

    References
    ----------
    Seed, interview question V.2.

    Examples
    --------
    >>> case = PriceHikeCase(1200.0, 0.5, 2, 0.0, 600.0, 0.5, 0.0)
    >>> curves = price_hike_curves(case, horizon_months=3)
    >>> curves.pivot(index="month", columns="strategy", values="cost_usd")[["pay", "migrate", "hybrid"]]
    strategy    pay  migrate  hybrid
    month
    1         150.0    200.0   175.0
    2         150.0    200.0   175.0
    3         150.0     50.0   100.0
    """
    require(isinstance(case, PriceHikeCase), "case", case, "expected a PriceHikeCase")
    horizon_months = _horizon(horizon_months)
    m = _months(horizon_months)
    price = case.current_usd_per_year / 12.0 * (1.0 + case.hike_rate * np.clip(m - case.months_until_renewal, 0, 1))
    migrating = np.clip(case.migration_months - (m - 1.0), 0.0, 1.0)
    hybrid_migrating = np.clip(case.hybrid_migration_months - (m - 1.0), 0.0, 1.0)
    zero = np.zeros_like(m)
    share = case.hybrid_share_of_spend_moved
    parts = {
        "pay": (price, zero, zero),
        "migrate": (price * migrating, np.full_like(m, case.new_platform_usd_per_year / 12.0),
                    case.migration_cost_usd / case.migration_months * migrating),
        "hybrid": (price * (hybrid_migrating + (1.0 - hybrid_migrating) * (1.0 - share)),
                   np.full_like(m, case.hybrid_new_platform_usd_per_year / 12.0),
                   case.hybrid_migration_cost_usd / case.hybrid_migration_months * hybrid_migrating),
    }
    frames = []
    for strategy, (vendor, new, migration) in parts.items():
        cost = vendor + new + migration
        frames.append(pd.DataFrame({"strategy": strategy, "month": m.astype(int), "vendor_usd": vendor,
                                    "new_platform_usd": new, "migration_usd": migration, "cost_usd": cost,
                                    "cumulative_cost_usd": np.cumsum(cost)}))
    return pd.concat(frames, ignore_index=True)


def price_hike_table(case, horizon_months=DEFAULT_HORIZON_MONTHS, discount_rate_per_year=None):
    """Totals over the horizon of paying the hike, migrating and the hybrid, with the saving against paying.

    Parameters
    ----------
    case : PriceHikeCase
    horizon_months : int
        Default 36.
    discount_rate_per_year : float, optional
        When given, adds ``present_value_usd`` and ``present_value_saving_vs_pay_usd`` columns.

    Returns
    -------
    pandas.DataFrame
        Index ``strategy`` (``pay, migrate, hybrid``); columns ``vendor_usd, new_platform_usd,
        migration_usd, total_usd, saving_vs_pay_usd`` (USD over the horizon; a positive saving means the
        strategy costs less than paying the new price).

    Notes
    -----
    ``total = sum_m (vendor_m + new_m + migration_m)``; ``saving = total_pay - total``; formulas in
    `price_hike_curves`.

    References
    ----------
    Seed, interview question V.2 ("Is the price hike cheaper than the engineering cost of migration?").

    Examples
    --------
    The seed's $50M/year vendor with a 30% hike at renewal in 12 months and an 18-month migration
    (assumed: $10M to migrate, $30M/year to run the replacement; the hybrid moves half the spend for $4M
    in 12 months). Pay: 50 + 2 x 65 = 180M. Migrate: vendor 50 + 6/12 x 65 = 82.5M, new 90M, migration
    10M: 182.5M. Hybrid: vendor 50 + 2 x 32.5 = 115M, new 45M, migration 4M: 164M.

    >>> case = PriceHikeCase(50e6, 0.30, 18, 10e6, 30e6, 0.5, 4e6, months_until_renewal=12,
    ...                      hybrid_migration_months=12)
    >>> (price_hike_table(case)[["total_usd", "saving_vs_pay_usd"]] / 1e6).round(2)
              total_usd  saving_vs_pay_usd
    strategy
    pay           180.0                0.0
    migrate       182.5               -2.5
    hybrid        164.0               16.0
    """
    curves = price_hike_curves(case, horizon_months)
    table = curves.groupby("strategy", sort=False)[["vendor_usd", "new_platform_usd", "migration_usd",
                                                    "cost_usd"]].sum()
    table = table.rename(columns={"cost_usd": "total_usd"}).reindex(list(PRICE_HIKE_STRATEGIES))
    table["saving_vs_pay_usd"] = table.loc["pay", "total_usd"] - table["total_usd"]
    if discount_rate_per_year is not None:
        pv = {s: present_value_usd(g["cost_usd"].to_numpy(), discount_rate_per_year)
              for s, g in curves.groupby("strategy", sort=False)}
        table["present_value_usd"] = pd.Series(pv)
        table["present_value_saving_vs_pay_usd"] = table.loc["pay", "present_value_usd"] - table["present_value_usd"]
    table.index.name = "strategy"
    return table


def price_hike_payback_month(case, strategy="migrate", horizon_months=DEFAULT_HORIZON_MONTHS):
    """The first month in which a strategy's cumulative cost is at or below paying the hike.

    Parameters
    ----------
    case : PriceHikeCase
    strategy : str
        ``"migrate"`` or ``"hybrid"``.
    horizon_months : int
        Months searched (default 36).

    Returns
    -------
    int or None
        Month number (1-based), or None when the strategy costs more than paying in every month of the
        horizon (it does not pay back within it).

    Notes
    -----
    `costlib.timing.break_even_month` of the strategy's cumulative cost against paying's: the first
    month from which ``sum_{k<=m} cost_{strategy,k} <= sum_{k<=m} cost_{pay,k}`` holds to the end of the
    horizon, with the monthly costs of `price_hike_curves` (undiscounted).

    References
    ----------
    Seed, interview question V.2 ("Is the price hike cheaper than the engineering cost of migration?").

    Examples
    --------
    The seed case of `price_hike_table` (renewal in 12 months, $10M and 18 months to migrate, $30M/year
    new platform). Pay, cumulative: 50 + 65/12 (m - 12) M from month 12. Migrate: 12 x (50 + 30 + 10 x
    12/18)/12 + 6 x (65 + 30 + 10 x 12/18)/12 = 86.67 + 50.83 = 137.5M by month 18, then 2.5M a month.
    50 + 5.4167 (m - 12) <= 137.5 + 2.5 (m - 18) => m >= 36.86: month 37.

    >>> case = PriceHikeCase(50e6, 0.30, 18, 10e6, 30e6, 0.5, 4e6, months_until_renewal=12,
    ...                      hybrid_migration_months=12)
    >>> price_hike_payback_month(case, "migrate"), price_hike_payback_month(case, "migrate", 48)
    (None, 37)
    """
    require(strategy in PRICE_HIKE_STRATEGIES[1:], "strategy", strategy,
            f"expected one of {PRICE_HIKE_STRATEGIES[1:]}")
    curves = price_hike_curves(case, horizon_months)
    pay = curves.loc[curves["strategy"] == "pay", "cumulative_cost_usd"].to_numpy()
    other = curves.loc[curves["strategy"] == strategy, "cumulative_cost_usd"].to_numpy()
    return timing.break_even_month(other, pay)


def build_minus_buy(build_usd, buy_usd):
    """Build's cost minus buy's: the sign of the build-or-buy answer.

    Parameters
    ----------
    build_usd, buy_usd : float or array_like
        The two options' cost on the same basis (TCO, present value or cumulative by month), USD.

    Returns
    -------
    float or ndarray
        USD; positive means building costs more.

    Notes
    -----
    ``difference = build - buy``, element by element.

    References
    ----------
    Seed section V (build vs buy: compare full TCO, including maintenance and exit).

    Examples
    --------
    >>> build_minus_buy(5.6e6, 1.9e6)
    3700000.0
    """
    value = np.asarray(build_usd, dtype=float) - np.asarray(buy_usd, dtype=float)
    return float(value) if value.ndim == 0 else value


def hiked_usd_per_year(current_usd_per_year, hike_rate):
    """A vendor's price per year after a hike.

    Parameters
    ----------
    current_usd_per_year : float or array_like
        Spend at today's price, USD per year (>= 0).
    hike_rate : float or array_like
        Decimal price increase (0.30 for 30%; > -1).

    Returns
    -------
    float or ndarray
        USD per year after the hike.

    Notes
    -----
    ``hiked = current * (1 + hike_rate)``.

    References
    ----------
    Seed interview question V.2 (a vendor signals a 30% price hike on $50M a year).

    Examples
    --------
    >>> hiked_usd_per_year(50e6, 0.30)
    65000000.0
    """
    c = _nonneg("current_usd_per_year", current_usd_per_year)
    r = _floats("hike_rate", hike_rate)
    require(bool(np.all(r > -1)), "hike_rate", hike_rate, "expected a decimal rate above -1 (0.30 for 30%)")
    value = c * (1.0 + r)
    return float(value) if np.ndim(value) == 0 else value
