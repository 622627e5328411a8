"""Workbook 05, build vs buy (vs open source vs fork): the scenario schema and the analysis the notebook shows.

The question: over the horizon (the seed's 3-year TCO by default), which way of meeting a need costs least:
building it, buying it (SaaS or a managed service), self-hosting open source, or forking? At what volume
and in which month does building pay back, which inputs flip the answer, and what do the seed's qualitative
checks (core or context, the 80/20 rule, an exit strategy) say? An optional section prices a vendor's
price hike: pay it, migrate off (with dual running), or move only the costliest share (hybrid).

Every formula is in `costlib.build_vs_buy`; this module validates the scenario, wires the formulas
together and writes the words.

Two options play the roles compared head to head: ``build_option`` (by default the first option that is
not bought) and ``buy_option`` (by default the first option of kind ``buy``). The TCO table, the curves and
the cheapest option cover every option; the break-even, the tornado, the flip points, the Monte Carlo band
and the recommendation compare the two roles. Their difference is ``build minus buy``: positive means
building costs more.

Flat model inputs (for ``sensitivity_ranges``, the tornado and the flip table) are named
``volume_units_per_month``, ``growth_rate_per_month``, ``loaded_cost_usd_per_fte_per_year``,
``cost_of_delay_usd_per_month``, ``cost_of_delay_usd_per_unit`` (and ``discount_rate_per_year`` when the
decision is on present values), plus ``<option>.<field>`` for each numeric field of the two role options
(``kafka.engineers``, ``managed_queue.subscription_usd_per_unit``) and ``<option>.tier_price_scale`` (1.0
at base: all tier prices scaled together) for an option priced in tiers.
"""

from __future__ import annotations
import sys

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Annotated, Literal, Optional

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from costlib import build_vs_buy as bvb
from costlib import contract, labels, report, timing, uncertainty
from costlib.errors import ModelError
from costlib.params import (NonNegative, Positive, PositiveInt, Rate,
                            Schema, SignedRate, check_sensitivity_ranges, require_unique)

TOPIC = "build_vs_buy"

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Kind = Literal["build", "buy", "open_source", "fork"]

#: Numeric fields of `costlib.build_vs_buy.Option` that a scenario sets per option (engineer cost aside).
OPTION_FIELDS = ("engineers", "build_months", "implementation_fee_usd", "hardware_usd", "infra_usd_per_month",
                 "infra_usd_per_unit", "subscription_usd_per_month", "subscription_usd_per_unit", "seats",
                 "usd_per_seat_per_month", "maintenance_ftes", "maintenance_tax_multiple",
                 "maintenance_life_months", "security_usd_per_month", "security_ftes", "exit_cost_usd")

#: What each row of the TCO table holds (the seed's section V.5 rows, plus subscription and delay).
COMPONENT_NOTES = {
    "upfront": "build or integration team until live, hardware, implementation fees",
    "infrastructure": "running infrastructure (fixed + per unit) once live",
    "subscription": "vendor fees once live: per unit or tiers, per seat, flat",
    "maintenance": "keep-the-lights-on engineers, or the maintenance tax",
    "security": "AppSec review, CVE watch, third-party risk, compliance",
    "delay": "cost of delay (or the interim service) until live",
    "exit": "leaving at the end of the horizon: export, migration, deprecation",
    "total": "total over the horizon",
    "present_value": "total discounted to today",
}


_M = "costlib.build_vs_buy."

#: The headline figures, each declared once (`costlib.contract.Figure`).
FIGURES = (
    contract.Figure("horizon_months", "Horizon compared", "months", "months the options are compared over",
                    "costlib.workbooks.build_vs_buy.Params"),
    contract.Figure("volume_{unit}_per_month", "Volume in month 1 ({unit} per month)", "count",
                    "the scenario's volume in month 1, before growth", _M + "volume_forecast"),
    contract.Figure("tco_{option}_usd", "TCO of {option}", "usd",
                    "total cost over the horizon, undiscounted: every component", _M + "tco_table"),
    contract.Figure("cheapest_option", "Cheapest on cost alone", "text", "the option with the lowest TCO on the "
                    "decision basis; the verdict also weighs the seed's rules (core or context, vendor coverage, a "
                    "material saving)", _M + "compare_options"),
    contract.Figure("cheapest_saving_vs_runner_up_usd", "Cheapest saves against the runner-up", "usd",
                    "TCO of the runner-up minus TCO of the cheapest option", _M + "compare_options"),
    contract.Figure("build_minus_buy_usd", "Build minus buy", "usd",
                    "TCO of the build option minus TCO of the buy option (> 0: building costs more)", _M + "build_minus_buy"),
    contract.Figure("build_minus_buy_present_value_usd", "Build minus buy, present value", "usd",
                    "the same difference, each month discounted at the scenario's rate", _M + "build_minus_buy"),
    contract.Figure("rule_margin_usd", "Build minus buy against the rule's bar", "usd",
                    "build minus buy plus the saving the seed's rule asks of context software (the material share of "
                    "the buy cost, when the capability is context and the vendor covers the bar; else plus nothing), "
                    "on the decision basis: the verdict is build below 0, buy above", _M + "rule_margin_usd"),
    contract.Figure("break_even_volume_{unit}_per_month", "Break-even volume ({unit} per month)", "count",
                    "the constant volume at which build and buy cost the same over the horizon",
                    _M + "break_even_volume"),
    contract.Figure("break_even_month", "Building breaks even", "month",
                    "first month from which building's cumulative cost stays at or below buying's",
                    "costlib.timing.break_even_month"),
    contract.Figure("build_minus_buy_p10_usd", "Build minus buy, P10", "usd",
                    "10th percentile of the difference over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("build_minus_buy_p90_usd", "Build minus buy, P90", "usd",
                    "90th percentile of the difference over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("probability_build_cheaper", "Chance building is cheaper", "probability",
                    "share of the Monte Carlo draws in which building costs less", "costlib.uncertainty.assess"),
    contract.Figure("recommendation", "Recommendation", "text",
                    "the seed's rule: cost, core or context, vendor coverage, material saving", _M + "build_or_buy"),
    contract.Figure("price_hike_best_strategy", "Price hike: cheapest strategy", "text",
                    "pay, migrate or hybrid: the lowest total over the horizon", _M + "price_hike_table"),
    contract.Figure("price_hike_pay_usd", "Price hike: paying it costs", "usd",
                    "total paid to the vendor over the horizon at the hiked price", _M + "price_hike_table"),
    contract.Figure("price_hike_best_saving_vs_pay_usd", "Price hike: best strategy saves", "usd",
                    "total of paying minus total of the cheapest strategy", _M + "price_hike_table"),
    contract.Figure("price_hike_migrate_payback_month", "Price hike: migration breaks even", "month",
                    "first month from which migrating's cumulative cost stays at or below paying's",
                    _M + "price_hike_payback_month"),
)


# ---------------------------------------------------------------------------------------------------
# Schema


class Tier(Schema):
    """One graduated price tier: units up to ``up_to_units_per_month`` cost ``usd_per_unit`` each."""

    up_to_units_per_month: Optional[Positive] = Field(None, description="upper edge of the tier; null for the last")
    usd_per_unit: NonNegative


def _tiers(tiers: list[Tier]) -> list[Tier]:
    try:
        bvb.validate_tiers([(t.up_to_units_per_month, t.usd_per_unit) for t in tiers], "subscription_tiers")
    except ModelError as exc:
        raise ValueError(f"expected graduated tiers in ascending order of up_to_units_per_month with only the "
                         f"last open-ended (null): {exc}") from None
    return tiers


class OptionSpec(Schema):
    """One way to meet the need, priced by the components of `costlib.build_vs_buy.Option`."""

    name: Identifier = Field(description="snake_case name, e.g. kafka_self_hosted")
    kind: Kind = Field(description="build, buy, open_source or fork")
    description: str = ""
    engineers: NonNegative = Field(0.0, description="FTEs building, integrating or configuring it before go-live")
    build_months: NonNegative = Field(0.0, description="months until live (time to market)")
    loaded_cost_usd_per_fte_per_year: Optional[Positive] = Field(None, description="default: the scenario's")
    implementation_fee_usd: NonNegative = 0.0
    hardware_usd: NonNegative = 0.0
    infra_usd_per_month: NonNegative = 0.0
    infra_usd_per_unit: NonNegative = 0.0
    subscription_usd_per_month: NonNegative = 0.0
    subscription_usd_per_unit: NonNegative = 0.0
    subscription_tiers: Optional[Annotated[list[Tier], AfterValidator(_tiers)]] = None
    seats: NonNegative = 0.0
    usd_per_seat_per_month: NonNegative = 0.0
    maintenance_ftes: NonNegative = 0.0
    maintenance_tax_multiple: Annotated[float, Field(ge=0, le=20)] = 0.0
    maintenance_life_months: Positive = 36.0
    security_usd_per_month: NonNegative = 0.0
    security_ftes: NonNegative = 0.0
    exit_cost_usd: NonNegative = 0.0

    @model_validator(mode="after")
    def _one_usage_price(self):
        if self.subscription_tiers is not None and self.subscription_usd_per_unit > 0:
            raise ValueError(f"option '{self.name}': expected subscription_usd_per_unit = 0 when "
                             "subscription_tiers is given (use one or the other)")
        return self


class PriceHike(Schema):
    """A vendor signalling a price hike (seed V.2): pay it, migrate (dual running), or hybrid."""

    vendor: str = "the vendor"
    current_usd_per_year: Positive
    hike_rate: Annotated[float, Field(gt=-1, le=10)]
    months_until_renewal: NonNegative = 0.0
    migration_months: Positive
    migration_cost_usd: NonNegative
    new_platform_usd_per_year: NonNegative
    hybrid_share_of_spend_moved: Rate
    hybrid_migration_cost_usd: NonNegative
    hybrid_migration_months: Optional[Positive] = None
    hybrid_new_platform_usd_per_year: Optional[NonNegative] = None


class Params(Schema):
    """Scenario of workbook 05. Every key is documented in the notebook's parameters cell."""

    title: str = "Build vs buy"
    description: str = ""
    volume_unit: Identifier = "unit"
    volume_units_per_month: NonNegative = 0.0
    growth_rate_per_month: SignedRate = 0.0
    horizon_months: Annotated[PositiveInt, Field(le=600)] = bvb.DEFAULT_HORIZON_MONTHS
    discount_rate_per_year: Rate = 0.08
    decision_basis: Literal["total", "present_value"] = "total"
    loaded_cost_usd_per_fte_per_year: Positive
    options: Annotated[list[OptionSpec], Field(min_length=2)]
    build_option: Optional[Identifier] = None
    buy_option: Optional[Identifier] = None
    cost_of_delay_usd_per_month: NonNegative = 0.0
    cost_of_delay_usd_per_unit: NonNegative = 0.0
    is_core: bool = Field(description="the capability differentiates the product (core), or only runs it")
    vendor_coverage_share: Rate = Field(description="share of the need the vendor covers (the 80/20 rule)")
    has_exit_strategy: bool = Field(description="buy: exit terms in the contract; build: deprecation criteria")
    coverage_threshold: Rate = 0.8
    material_saving_share: NonNegative = 0.2
    sensitivity_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    monte_carlo_draws: Annotated[int, Field(ge=100, le=200_000)] = 10_000
    seed: int = 0
    price_hike: Optional[PriceHike] = None

    @model_validator(mode="after")
    def _consistent(self):
        names = [o.name for o in self.options]
        require_unique(names, "option")
        for key in ("build_option", "buy_option"):
            value = getattr(self, key)
            if value is not None and value not in names:
                raise ValueError(f"{key} = '{value}': expected the name of an option: {names}")
        if self.buy_option is None and not any(o.kind == "buy" for o in self.options):
            raise ValueError("expected an option of kind 'buy' or buy_option naming the option to compare "
                             "against")
        if self.build_option is None and not any(o.kind != "buy" for o in self.options):
            raise ValueError("expected an option of kind build, open_source or fork, or build_option naming it")
        build, buy = roles(self)
        if build.name == buy.name:
            raise ValueError(f"expected build_option and buy_option to differ, both are '{build.name}'")
        inputs = set(model_inputs(self))
        check_sensitivity_ranges(self.sensitivity_ranges, inputs)
        return self


def roles(p: Params) -> tuple[OptionSpec, OptionSpec]:
    """The two options compared head to head: (build, buy)."""
    by_name = {o.name: o for o in p.options}
    build = by_name[p.build_option] if p.build_option else next(o for o in p.options if o.kind != "buy")
    buy = by_name[p.buy_option] if p.buy_option else next(o for o in p.options if o.kind == "buy")
    return build, buy


def _option(spec: OptionSpec, loaded_cost_usd_per_fte_per_year: float, **overrides) -> bvb.Option:
    values = {f: getattr(spec, f) for f in OPTION_FIELDS}
    values["loaded_cost_usd_per_fte_per_year"] = (spec.loaded_cost_usd_per_fte_per_year
                                                  or loaded_cost_usd_per_fte_per_year)
    values.update(overrides)
    tiers = None if spec.subscription_tiers is None else [(t.up_to_units_per_month, t.usd_per_unit)
                                                           for t in spec.subscription_tiers]
    return bvb.Option(spec.name, kind=spec.kind, subscription_tiers=tiers, **values)


def options(p: Params) -> list[bvb.Option]:
    """Every option of the scenario as a `costlib.build_vs_buy.Option`."""
    return [_option(o, p.loaded_cost_usd_per_fte_per_year) for o in p.options]


def depends_on_volume(p: Params) -> bool:
    """Whether the build-vs-buy difference moves with volume (a per-unit price, tiers or a per-unit delay)."""
    return p.cost_of_delay_usd_per_unit > 0 or any(
        o.infra_usd_per_unit > 0 or o.subscription_usd_per_unit > 0 or o.subscription_tiers is not None
        for o in roles(p))


# ---------------------------------------------------------------------------------------------------
# The flat model handed to sensitivity, Monte Carlo and goal seek.


def model_inputs(p: Params) -> dict[str, float]:
    """Base values of the flat model inputs (see the module docstring for their names)."""
    inputs = {"volume_units_per_month": p.volume_units_per_month, "growth_rate_per_month": p.growth_rate_per_month,
              "loaded_cost_usd_per_fte_per_year": p.loaded_cost_usd_per_fte_per_year,
              "cost_of_delay_usd_per_month": p.cost_of_delay_usd_per_month,
              "cost_of_delay_usd_per_unit": p.cost_of_delay_usd_per_unit}
    if p.decision_basis == "present_value":
        inputs["discount_rate_per_year"] = p.discount_rate_per_year
    for spec in roles(p):
        for f in OPTION_FIELDS:
            inputs[f"{spec.name}.{f}"] = float(getattr(spec, f))
        if spec.loaded_cost_usd_per_fte_per_year is not None:
            inputs[f"{spec.name}.loaded_cost_usd_per_fte_per_year"] = spec.loaded_cost_usd_per_fte_per_year
        if spec.subscription_tiers is not None:
            inputs[f"{spec.name}.tier_price_scale"] = 1.0
    return inputs


def _role_cost(spec: OptionSpec, x: dict, path, kw: dict, cumulative: bool):
    """One role option's cost from flat inputs ``x`` (total, or cumulative by month)."""
    engineer = x.get(f"{spec.name}.loaded_cost_usd_per_fte_per_year", x["loaded_cost_usd_per_fte_per_year"])
    option = _option(spec, engineer, **{f: x[f"{spec.name}.{f}"] for f in OPTION_FIELDS})
    scale = x.get(f"{spec.name}.tier_price_scale", 1.0)
    return np.asarray(bvb.tier_scaled_cost_usd(option, path, scale, cumulative=cumulative, **kw))


def _forecast_and_kwargs(p: Params, x: dict):
    path = bvb.volume_forecast(x["volume_units_per_month"], p.horizon_months, x["growth_rate_per_month"])
    kw = dict(horizon_months=p.horizon_months,
              discount_rate_per_year=x.get("discount_rate_per_year") if p.decision_basis == "present_value"
              else None,
              cost_of_delay_usd_per_month=x["cost_of_delay_usd_per_month"],
              cost_of_delay_usd_per_unit=x["cost_of_delay_usd_per_unit"])
    return path, kw


def make_model(p: Params, cumulative: bool = False):
    """``model(**inputs)``: build minus buy over the horizon (USD), or month by month cumulative.

    Inputs may be numpy arrays of shape (n, 1) (Monte Carlo draws). With ``cumulative`` the result has
    shape ``(horizon_months,)`` for scalar inputs and ``(n, horizon_months)`` for draws.
    """
    build, buy = roles(p)

    def model(**x):
        path, kw = _forecast_and_kwargs(p, x)
        diff = np.asarray(bvb.build_minus_buy(_role_cost(build, x, path, kw, cumulative),
                                              _role_cost(buy, x, path, kw, cumulative)))
        if cumulative and diff.ndim == 3:  # (n, 1, months) from (n, 1) draws
            diff = diff[:, 0, :]
        return diff if diff.ndim else float(diff)

    return model


def _rule(p: Params) -> dict:
    """The scenario's inputs to the seed's rule (`costlib.build_vs_buy.build_or_buy`)."""
    return dict(is_core=p.is_core, vendor_coverage_share=p.vendor_coverage_share,
                coverage_threshold=p.coverage_threshold, material_saving_share=p.material_saving_share)


def make_rule_model(p: Params):
    """``model(**inputs)``: the margin to the rule's bar on the decision basis (USD,
    `costlib.build_vs_buy.rule_margin_usd`): the deciding figure, zero where the verdict flips."""
    build, buy = roles(p)

    def model(**x):
        path, kw = _forecast_and_kwargs(p, x)
        margin = np.asarray(bvb.rule_margin_usd(_role_cost(build, x, path, kw, False),
                                                _role_cost(buy, x, path, kw, False), **_rule(p)))
        return margin if margin.ndim else float(margin)

    return model


def whatif(p: Params, **inputs) -> dict:
    """The headline's decision figures with some flat inputs moved (the sliders; the contract's what-if).

    On the decision basis: each role option's TCO and their difference (``"total"``), or the difference of
    present values (``"present_value"``), and the margin to the rule's bar the verdict rests on. At the base
    values these equal the headline."""
    build, buy = roles(p)
    x = {**model_inputs(p), **inputs}
    path, kw = _forecast_and_kwargs(p, x)
    b, v = (float(_role_cost(s, x, path, kw, False)) for s in (build, buy))
    margin = {"rule_margin_usd": bvb.rule_margin_usd(b, v, **_rule(p))}
    if p.decision_basis == "present_value":
        return {"build_minus_buy_present_value_usd": bvb.build_minus_buy(b, v), **margin}
    return {f"tco_{build.name}_usd": b, f"tco_{buy.name}_usd": v, "build_minus_buy_usd": bvb.build_minus_buy(b, v),
            **margin}


def whatif_decisions(p: Params, figures: dict) -> list[tuple[contract.Decision, str]] | None:
    """Build or buy at the what-if figures (`costlib.whatif.verdicts`): the seed's rule on the two roles'
    totals, with the seed's checks (core or context, vendor coverage, material saving) as the reason, since
    the cheaper option is not always the verdict. None on the present-value basis (`whatif` gives only the
    difference there): the shared threshold check applies."""
    build, buy = roles(p)
    if f"tco_{build.name}_usd" not in figures or f"tco_{buy.name}_usd" not in figures:
        return None
    b, v = float(figures[f"tco_{build.name}_usd"]), float(figures[f"tco_{buy.name}_usd"])
    rule = _rule(p)
    verb = bvb.build_or_buy(b, v, **rule)
    chosen = build.name if verb == "build" else buy.name
    text = bvb.recommendation_text(b, v, has_exit_strategy=p.has_exit_strategy, break_even_volume_units_per_month=None,
                                   forecast_volume_units_per_month=None, horizon_months=p.horizon_months,
                                   build_name=_label(build.name), buy_name=_label(buy.name), **rule)
    checks = text.partition(" The capability is ")[2]
    decision = contract.Decision(question=f"Build ({_label(build.name)}) or buy ({_label(buy.name)})",
                                 verdict=_label((verb + ("" if _label(chosen) == verb else f" ({chosen})")).lower()),
                                 rests_on=("rule_margin_usd", "build_minus_buy_usd"), flips_when="")
    return [(decision, f"The capability is {checks}" if checks else "")]


def uncertain_inputs(p: Params) -> dict[str, tuple[float, float, float]]:
    """``{input: (low, base, high)}``: the ranges of `default_ranges` around the base values."""
    base = model_inputs(p)
    return {k: (lo, float(base[k]), hi) for k, (lo, hi) in default_ranges(p).items()}


def whatif_controls(p: Params) -> dict[str, tuple[float, float, float, float]]:
    """Sliders for the interactive what-if: the build team, its months to go live and its KTLO FTEs (0 to 4x
    today), and the volume (0 to 10x) when a price moves with it. ``{input: (min, max, step, value)}``."""
    build, _ = roles(p)
    controls = {f"{build.name}.engineers": (0, 4 * max(build.engineers, 1), 0.5, build.engineers),
                f"{build.name}.build_months": (0, 4 * max(build.build_months, 1), 0.5, build.build_months),
                f"{build.name}.maintenance_ftes": (0, 4 * max(build.maintenance_ftes, 1), 0.25,
                                                   build.maintenance_ftes)}
    if depends_on_volume(p):
        v = max(p.volume_units_per_month, 1.0)
        controls["volume_units_per_month"] = (0, 10 * v, v / 20, p.volume_units_per_month)
    return controls


_RANGE_MULTIPLIERS = {"engineers": (0.75, 1.5), "build_months": (0.75, 2.0), "maintenance_ftes": (0.5, 1.5),
                      "maintenance_tax_multiple": (0.75, 1.25), "security_ftes": (0.5, 1.5)}
_NOT_VARIED = ("maintenance_life_months",)


def default_ranges(p: Params) -> dict[str, tuple[float, float]]:
    """Ranges for the tornado and the Monte Carlo band: volume and growth -50%/+50%, engineer cost, cost of
    delay and money inputs -20%/+20%, build team -25%/+50%, months to go live -25%/+100% (schedules slip), KTLO and
    security FTEs -50%/+50%, maintenance tax -25%/+25%; ``sensitivity_ranges`` override and add to these
    (`costlib.uncertainty.scenario_ranges`)."""
    base = model_inputs(p)
    ranges: dict[str, tuple[float, float]] = {}
    for key, value in base.items():
        if value == 0 or key == "volume_units_per_month" and not depends_on_volume(p):
            continue
        name = key.split(".", 1)[-1]
        if name in _NOT_VARIED or key == "growth_rate_per_month" and not depends_on_volume(p):
            continue
        if key in ("volume_units_per_month", "growth_rate_per_month", "discount_rate_per_year"):
            low, high = 0.5, 1.5
        else:
            low, high = _RANGE_MULTIPLIERS.get(name, (0.8, 1.2))
        ranges[key] = tuple(sorted((low * value, high * value)))
    return uncertainty.scenario_ranges(ranges, p.sensitivity_ranges)


def flip_bounds(p: Params, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Where each input's flip value is searched: 0 to 10x (volume: 100x) the larger of base and high."""
    base = model_inputs(p)
    bounds = {}
    for key, (low, high) in ranges.items():
        top = max(abs(base[key]), abs(high))
        if key == "growth_rate_per_month":
            bounds[key] = (-0.5, max(0.5, 2 * top))
        elif key == "discount_rate_per_year":
            bounds[key] = (0.0, 0.99)  # costlib.discounting takes rates in [0, 1)
        elif key.endswith(".maintenance_life_months"):
            bounds[key] = (1.0, 10 * top)
        elif top > 0:
            bounds[key] = (0.0, (100 if key == "volume_units_per_month" else 10) * top)
    return bounds


# ---------------------------------------------------------------------------------------------------
# The analysis.


@dataclass
class Analysis:
    """Everything the notebook shows, computed from one validated scenario."""

    params: Params
    headline: dict
    build: str
    buy: str
    forecast: np.ndarray
    tco: pd.DataFrame
    curves: pd.DataFrame
    comparison: bvb.Comparison
    build_total_usd: float
    buy_total_usd: float
    build_minus_buy_usd: float
    break_even_volume: Optional[float]
    break_even_month: Optional[int]
    volume_curve: Optional[pd.DataFrame]
    tornado: pd.DataFrame
    flips: pd.DataFrame
    band: pd.DataFrame
    build_minus_buy_percentiles: tuple
    probability_build_cheaper: float
    sections: dict = field(default_factory=dict)
    recommendation: str = ""
    decision: str = ""
    answers: dict = field(default_factory=dict)

    @property
    def horizon_months(self) -> int:
        return self.params.horizon_months


def analyse(p: Params) -> Analysis:
    """Compute every table, figure and sentence of workbook 05 for scenario ``p``."""
    build_spec, buy_spec = roles(p)
    opts = options(p)
    by_name = {o.name: o for o in opts}
    build, buy = by_name[build_spec.name], by_name[buy_spec.name]
    horizon = p.horizon_months
    path = bvb.volume_forecast(p.volume_units_per_month, horizon, p.growth_rate_per_month)
    delay = dict(cost_of_delay_usd_per_month=p.cost_of_delay_usd_per_month,
                 cost_of_delay_usd_per_unit=p.cost_of_delay_usd_per_unit)
    rate = p.discount_rate_per_year if p.decision_basis == "present_value" else None

    tco = bvb.tco_table(opts, path, horizon_months=horizon, discount_rate_per_year=p.discount_rate_per_year, **delay)
    curves = bvb.cost_curves(opts, path, horizon_months=horizon, **delay)
    comparison = bvb.compare_options(opts, path, horizon_months=horizon, discount_rate_per_year=rate, **delay)
    row = "present_value" if rate is not None else "total"
    build_total, buy_total = float(tco.loc[row, build.name]), float(tco.loc[row, buy.name])

    by_volume = depends_on_volume(p)
    be_volume = (bvb.break_even_volume(build, buy, horizon_months=horizon, discount_rate_per_year=rate, **delay)
                 if by_volume else None)
    be_month = timing.break_even_month(
        *(bvb.cumulative_cost_usd(o, path, horizon_months=horizon, discount_rate_per_year=rate, **delay)
          for o in (build, buy)))
    volume_curve = _volume_curve(p, opts, be_volume, delay) if by_volume else None

    base = model_inputs(p)
    ranges = default_ranges(p)
    # the tornado and the flip table are of the deciding figure (the margin to the rule's bar: the verdict flips
    # where it crosses 0); the band and the probabilities are of the cost difference, month by month
    rule_model = make_rule_model(p)
    assessment = uncertainty.assess(rule_model, base, ranges, flip_bounds=flip_bounds(p, ranges), target=0.0,
                                    curve=make_model(p, cumulative=True), n=p.monte_carlo_draws, seed=p.seed)
    tornado, flips, band = assessment.tornado, assessment.flips, assessment.band
    p10, p50, p90 = assessment.p10, assessment.p50, assessment.p90
    p_build = assessment.probability_below_target

    unit = p.volume_unit
    headline = {"horizon_months": horizon}
    if by_volume:
        headline[f"volume_{unit}_per_month"] = p.volume_units_per_month
    for o in opts:
        headline[f"tco_{o.name}_usd"] = float(tco.loc["total", o.name])
    headline.update({
        "cheapest_option": comparison.winner,
        "cheapest_saving_vs_runner_up_usd": comparison.margin_usd,
        "build_minus_buy_usd": bvb.build_minus_buy(build_total, buy_total),
        "build_minus_buy_present_value_usd": bvb.build_minus_buy(float(tco.loc["present_value", build.name]),
                                                                 float(tco.loc["present_value", buy.name])),
        "rule_margin_usd": bvb.rule_margin_usd(build_total, buy_total, **_rule(p)),
    })
    if by_volume:
        headline[f"break_even_volume_{unit}_per_month"] = be_volume
    headline.update({"break_even_month": be_month, "build_minus_buy_p10_usd": p10,
                     "build_minus_buy_p90_usd": p90, "probability_build_cheaper": p_build})

    a = Analysis(params=p, headline=headline, build=build.name, buy=buy.name, forecast=path, tco=tco,
                 curves=curves, comparison=comparison, build_total_usd=build_total, buy_total_usd=buy_total,
                 build_minus_buy_usd=bvb.build_minus_buy(build_total, buy_total), break_even_volume=be_volume,
                 break_even_month=be_month, volume_curve=volume_curve, tornado=tornado, flips=flips, band=band,
                 build_minus_buy_percentiles=(p10, p50, p90), probability_build_cheaper=p_build)
    if p.price_hike is not None:
        a.sections["price_hike"] = _price_hike(p)
    a.answers = {"build_vs_buy": contract.Answer("build_vs_buy", "rule_margin_usd", rule_model, base, 0.0,
                                                 assessment)}
    a.decision = _verdict(a)
    a.headline["recommendation"] = a.decision
    if "price_hike" in a.sections:
        a.headline.update(a.sections["price_hike"]["headline"])
    a.recommendation = recommendation(a)
    return a


def _volume_curve(p: Params, opts: list, be_volume, delay: dict) -> pd.DataFrame:
    """Each option's TCO at a constant monthly volume, from 0 to twice the larger of forecast and break-even."""
    top = 2 * max(p.volume_units_per_month, be_volume or 0.0, 1e-9)
    volumes = np.linspace(0.0, top, 41)
    paths = bvb.volume_forecast(volumes, p.horizon_months)
    rate = p.discount_rate_per_year if p.decision_basis == "present_value" else None
    frames = [pd.DataFrame({"option": o.name, "volume_units_per_month": volumes,
                            "tco_usd": bvb.total_cost_usd(o, paths, horizon_months=p.horizon_months,
                                                          discount_rate_per_year=rate, **delay)})
              for o in opts]
    return pd.concat(frames, ignore_index=True)


def _num(x: float) -> str:
    x = float(x)
    if x != 0 and (abs(x) >= 1e4 or abs(x) < 0.01):
        return report.count(x) if abs(x) >= 1e4 else f"{x:.3g}"
    return f"{x:,.4g}"


def _price_hike(p: Params) -> dict:
    h = p.price_hike
    case = bvb.PriceHikeCase(h.current_usd_per_year, h.hike_rate, h.migration_months, h.migration_cost_usd,
                             h.new_platform_usd_per_year, h.hybrid_share_of_spend_moved, h.hybrid_migration_cost_usd,
                             months_until_renewal=h.months_until_renewal,
                             hybrid_migration_months=h.hybrid_migration_months,
                             hybrid_new_platform_usd_per_year=h.hybrid_new_platform_usd_per_year)
    horizon = p.horizon_months
    table = bvb.price_hike_table(case, horizon, discount_rate_per_year=p.discount_rate_per_year)
    curves = bvb.price_hike_curves(case, horizon)
    best = str(table["total_usd"].idxmin())
    payback = {s: bvb.price_hike_payback_month(case, s, horizon) for s in ("migrate", "hybrid")}

    def hike_gap(strategy):  # the strategy's saving against paying the hike: zero where they tie
        def f(hike_rate):
            t = bvb.price_hike_table(dataclasses.replace(case, hike_rate=float(hike_rate)), horizon)
            return float(t.loc[strategy, "saving_vs_pay_usd"])
        return f

    flip_hike = {}
    for s in ("migrate", "hybrid"):
        try:
            flip_hike[s] = uncertainty.goal_seek(lambda hike_rate, f=hike_gap(s): f(hike_rate), {"hike_rate": 0.0},
                                                 "hike_rate", 0.0, -0.99, 10.0)
        except uncertainty.GoalSeekError:
            flip_hike[s] = None
    frame = table.reset_index().drop(columns=["present_value_saving_vs_pay_usd"])
    return {"case": case, "table": frame, "curves": curves, "best": best, "payback": payback,
            "flip_hike": flip_hike, "vendor": h.vendor,
            "headline": {"price_hike_best_strategy": best,
                         "price_hike_pay_usd": float(table.loc["pay", "total_usd"]),
                         "price_hike_best_saving_vs_pay_usd": float(table.loc[best, "saving_vs_pay_usd"]),
                         "price_hike_migrate_payback_month": payback["migrate"]}}


def tco_display(a: Analysis) -> pd.DataFrame:
    """The TCO table for people: one row per component (with what it holds), one column per option."""
    frame = a.tco.reset_index()
    frame.insert(1, "holds", [COMPONENT_NOTES.get(c, "") for c in frame["component"]])
    frame.loc[frame["component"] == "present_value", "holds"] = (
        f"total discounted at {report.pct(a.params.discount_rate_per_year)}/year (end of month)")
    frame.columns.name = None
    return frame


def options_display(p: Params) -> pd.DataFrame:
    """What is compared: each option's kind, role, description and months to go live."""
    build, buy = roles(p)
    role = {build.name: "build (compared)", buy.name: "buy (compared)"}
    return pd.DataFrame({"option": [o.name for o in p.options], "kind": [o.kind for o in p.options],
                         "role": [role.get(o.name, "") for o in p.options],
                         "months_to_live": [o.build_months for o in p.options],
                         "description": [o.description for o in p.options]})


def flips_display(a: Analysis, top: int = 10) -> pd.DataFrame:
    """The flip table for people: the ``top`` inputs of the tornado, each with the value that flips it."""
    return a.flips[["input", "base_value", "flip_value", "change_from_base", "flips_when"]].head(top)


# ---------------------------------------------------------------------------------------------------
# Words.


_usd, _pct = report.usd, report.pct

#: Table columns whose label or unit the name alone does not give (`costlib.labels.describe`).
COLUMNS = {"months_to_live": labels.Column("Months to go live", "months"),
           "role": labels.Column("Compared as", "text"),
           "saving_vs_pay_usd": labels.Column("Saving against paying", "usd"),
           "strategy": labels.Column("Strategy", "text")}


def _verdict(a: Analysis) -> str:
    """``"BUY (managed_queue)"``: `costlib.build_vs_buy.build_or_buy` on the decision basis."""
    p = a.params
    verb = bvb.build_or_buy(a.build_total_usd, a.buy_total_usd, is_core=p.is_core,
                            vendor_coverage_share=p.vendor_coverage_share, coverage_threshold=p.coverage_threshold,
                            material_saving_share=p.material_saving_share)
    chosen = a.build if verb == "build" else a.buy
    return verb.upper() + ("" if _label(chosen) == verb else f" ({chosen})")


def _flip_clauses(a: Analysis, limit: int = 2) -> list[str]:
    found = a.flips[np.isfinite(a.flips["flip_value"].astype(float))]
    return [contract.flip_words(r, FIGURES, a.params.volume_unit) for _, r in found.head(limit).iterrows()]


def _rule_decides(a: Analysis) -> bool:
    """Whether the seed's rule, not the cost comparison, chose the verdict: building is cheaper on the
    decision basis but the capability is context, the vendor covers the bar and the saving is below the
    material share, so the verdict is BUY."""
    return a.decision.startswith("BUY") and a.build_total_usd < a.buy_total_usd


def _rule_words(a: Analysis) -> str:
    """The rule and the figures it weighed, when the rule (not the cost alone) decided."""
    p = a.params
    saving = a.buy_total_usd - a.build_total_usd
    share = saving / a.buy_total_usd if a.buy_total_usd else 0.0
    basis = "present values" if p.decision_basis == "present_value" else f"totals over {p.horizon_months} months"
    return (f"The rule that decided is the seed's core-vs-context rule, not the cost alone: the capability is "
            f"context (it runs the business, it does not differentiate the product), the vendor covers "
            f"{_pct(p.vendor_coverage_share)} of the need (the bar is {_pct(p.coverage_threshold)}), and building "
            f"saves {_usd(saving)} on the {basis}, {_pct(share)} of the buy cost of {_usd(a.buy_total_usd)}: "
            f"below the {_pct(p.material_saving_share)} that justifies owning context software. So buy, although "
            f"{_label(a.build)} is cheaper.")


def _bar_applies(p: Params) -> bool:
    """Whether the rule asks building for a material saving (context, the vendor covers the bar, a share > 0),
    so the verdict's flip is not the cost tie."""
    return not p.is_core and p.vendor_coverage_share >= p.coverage_threshold and p.material_saving_share > 0


def _rule_flip_clauses(a: Analysis) -> list[str]:
    """The qualitative inputs of the rule (core or context, the vendor's coverage) whose change alone flips the
    verdict: `costlib.build_vs_buy.build_or_buy` at the other value, on the same totals."""
    p = a.params
    verb = a.decision.split(" ", 1)[0].lower()
    rule = _rule(p)
    out = []
    if bvb.build_or_buy(a.build_total_usd, a.buy_total_usd, **{**rule, "is_core": not p.is_core}) != verb:
        out.append(f"the capability is judged {'context' if p.is_core else 'core'}")
    covered = p.vendor_coverage_share >= p.coverage_threshold
    other = float(np.nextafter(p.coverage_threshold, -np.inf)) if covered else p.coverage_threshold
    if other >= 0 and bvb.build_or_buy(a.build_total_usd, a.buy_total_usd,
                                       **{**rule, "vendor_coverage_share": other}) != verb:
        out.append(f"the vendor covers {'less than' if covered else 'at least'} {_pct(p.coverage_threshold)} "
                   "of the need")
    return out


def _flips_when(a: Analysis) -> str:
    """The verdict's own flip in words: the flip table's first inputs (where the margin to the rule's bar
    crosses 0), then the rule's qualitative inputs."""
    p = a.params
    numeric, qualitative = _flip_clauses(a), _rule_flip_clauses(a)
    if _bar_applies(p) and numeric:
        saving = a.buy_total_usd - a.build_total_usd
        now = f"now it saves {_usd(saving)}" if saving >= 0 else f"now it costs {_usd(-saving)} more"
        needed = _usd(p.material_saving_share * a.buy_total_usd)
        verb = "comes to save at least" if a.decision.startswith("BUY") else "saves less than"
        lead = (f"building {verb} {_pct(p.material_saving_share)} of the buy cost ({needed}; {now}), as it does "
                f"if " + " or if ".join(numeric))
        return ", or if ".join([lead] + qualitative)
    clauses = numeric + qualitative
    return " or ".join(clauses) if clauses else "no single input, within 10x its value"


def decisions(a: Analysis) -> list[contract.Decision]:
    """The verdicts as records: build or buy, and (with a price hike) pay, migrate or hybrid."""
    p = a.params
    figure = a.answers["build_vs_buy"].figure
    cost = "build_minus_buy_present_value_usd" if p.decision_basis == "present_value" else "build_minus_buy_usd"
    build_cheaper = a.build_total_usd < a.buy_total_usd
    out = [contract.Decision(
        question=f"Build ({_label(a.build)}) or buy ({_label(a.buy)})", verdict=_label(a.decision.lower()),
        rests_on=(figure,) + ((cost,) if _bar_applies(p) else ()) + ("break_even_month", "probability_build_cheaper"),
        flips_when=_flips_when(a),
        # the draws speak to the cost comparison; a verdict against it (buy context software that would be
        # cheaper to build, but not by the material share) rests on the seed's rule, not on the draws
        agreement=(None if (a.decision.startswith("BUY") and build_cheaper) else
                   uncertainty.agreement(a.probability_build_cheaper, build_cheaper)))]
    if "price_hike" in a.sections:
        s = a.sections["price_hike"]
        flip = s["flip_hike"]["migrate"]
        out.append(contract.Decision(
            question=f"{s['vendor']}'s price hike", verdict=s["best"],
            rests_on=("price_hike_pay_usd", "price_hike_best_saving_vs_pay_usd", "price_hike_migrate_payback_month"),
            flips_when=(f"the hike is {'above' if flip > p.price_hike.hike_rate else 'below'} {_pct(flip)} "
                        f"(migrating and paying cost the same)" if flip is not None else "")))
    return out


def recommendation(a: Analysis) -> str:
    """The recommendation in words, computed from the analysis: it changes when the numbers change."""
    p = a.params
    unit = p.volume_unit.replace("_", " ")
    fv = float(np.mean(a.forecast)) if a.volume_curve is not None else None
    text = bvb.recommendation_text(
        a.build_total_usd, a.buy_total_usd, is_core=p.is_core, vendor_coverage_share=p.vendor_coverage_share,
        has_exit_strategy=p.has_exit_strategy, break_even_volume_units_per_month=a.break_even_volume,
        forecast_volume_units_per_month=fv, break_even_month=a.break_even_month, horizon_months=p.horizon_months,
        build_name=_label(a.build), buy_name=_label(a.buy), volume_unit=unit,
        coverage_threshold=p.coverage_threshold, material_saving_share=p.material_saving_share)
    _, rest = text.split(". ", 1)  # the verdict sentence: the decision records say it
    costs, _, checks = rest.partition(" The capability is ")  # the numbers, then the seed's checks
    if a.volume_curve is None:  # no per-unit price: "no break-even volume" says nothing here
        costs = re.sub(r" ?There is no break-even volume in range: [^.]*\.", "", costs)
    rows = {r["key"]: r for r in contract.figure_rows(a.headline, FIGURES, p.horizon_months)}
    lines = [contract.decision_words(d, rows) for d in decisions(a)]
    if _rule_decides(a):
        lines.insert(1, _rule_words(a))
    lines += [costs] + ([f"The capability is {checks}"] if checks else [])
    if "price_hike" in a.sections:
        lines.append(_price_hike_words(a.sections["price_hike"], p.horizon_months))
    found = a.flips[np.isfinite(a.flips["flip_value"])]
    top = found[found["input"].isin(a.flips.head(4)["input"])]
    flips = [contract.flip_words(r, FIGURES, p.volume_unit, verb="")
             for _, r in (top if len(top) else found.head(2)).iterrows()]
    verdict = _label(a.decision.lower())
    bar = (f" where building would save {_pct(p.material_saving_share)} of the buy cost (the rule's bar, not the cost "
           "tie):" if _bar_applies(p) else "")
    if flips:
        lead = "The verdict" if len(top) else "Not one of the four inputs that move it most can flip it alone; the verdict"
        lines.append(f"{lead}, {verdict}, flips{bar} if " + "; ".join(flips) + ".")
    else:
        lines.append(f"No single input flips the verdict ({verdict}) anywhere in its searched range "
                     "(0 to 10x its value).")
    if a.volume_curve is None:
        lines.append("Neither option's price moves with volume here, so the decision turns on the people, "
                     "infrastructure and subscription figures in the flip table, not on a break-even volume.")
    elif p.growth_rate_per_month:
        lines.append(f"Volume grows {_pct(p.growth_rate_per_month)} a month, from {_n(a.forecast[0])} to "
                     f"{_n(a.forecast[-1])} {unit}/month (average {_n(fv)}); the break-even volume is for a "
                     "constant volume, the totals use the growing forecast.")
    if p.decision_basis == "present_value":
        lines.append(f"Totals compared as present values at {_pct(p.discount_rate_per_year)}/year.")
    else:
        pv_b, pv_v = float(a.tco.loc["present_value", a.build]), float(a.tco.loc["present_value", a.buy])
        same = (pv_b < pv_v) == (a.build_total_usd < a.buy_total_usd)
        lines.append(f"Discounted at {_pct(p.discount_rate_per_year)}/year the present values are "
                     f"{_usd(pv_b)} for {_label(a.build)} and {_usd(pv_v)} for {_label(a.buy)}: "
                     + ("the same answer." if same else "**the answer flips** (building spends early and saves "
                                                        "late), so the cost of capital matters here."))
    c = a.comparison
    if c.winner not in (a.build, a.buy):
        kind = next(o.kind for o in p.options if o.name == c.winner)
        lines.append(f"Of all {len(p.options)} options the cheapest is **{_label(c.winner)}** ({kind.replace('_', ' ')}): "
                     f"{_usd(c.winner_total_usd)}, {_usd(c.margin_usd)} less than {_label(c.runner_up)}."
                     + (" Open source is free like a puppy: its patching, scaling and CVE watch are in the "
                        "maintenance and security rows; check that they are not understated."
                        if kind in ("open_source", "fork") else ""))
    t = a.tornado.iloc[0]
    p10, p50, p90 = a.build_minus_buy_percentiles
    lines.append(f"{_deciding_words(a)} is most sensitive to "
                 f"**{contract.input_name(t['input'], FIGURES, p.volume_unit)}**: from "
                 f"{contract.input_text(t['input'], t['low'], FIGURES, p.volume_unit)} to "
                 f"{contract.input_text(t['input'], t['high'], FIGURES, p.volume_unit)} it moves from {_usd(t['output_at_low'])} to "
                 f"{_usd(t['output_at_high'])}. With every input uncertain at once, building is cheaper in "
                 f"{_pct(a.probability_build_cheaper)} of the Monte Carlo draws ({_label(a.build)} minus "
                 f"{_label(a.buy)}: P10 {_usd(p10)}, P50 {_usd(p50)}, P90 {_usd(p90)}).")
    return "\n\n".join(lines)


def _deciding_words(a: Analysis) -> str:
    """The deciding figure (the margin to the rule's bar, which the tornado and the flip table are of) in words."""
    p = a.params
    if _bar_applies(p):
        return (f"The margin to the rule's bar ({_label(a.build)} minus {_label(a.buy)} plus "
                f"{_pct(p.material_saving_share)} of {_label(a.buy)}; building is chosen below 0)")
    return f"The difference ({_label(a.build)} minus {_label(a.buy)})"


def _label(name: str) -> str:
    return name.replace("_", " ")


def _n(x: float) -> str:
    return report.count(x) if abs(x) >= 1e4 else f"{x:,.4g}"


def _price_hike_words(s: dict, horizon: int) -> str:
    case, t = s["case"], s["table"].set_index("strategy")
    hiked = bvb.hiked_usd_per_year(case.current_usd_per_year, case.hike_rate)
    renewal = (f"at renewal in month {case.months_until_renewal:g}" if case.months_until_renewal
               else "from month 1")
    out = [f"**Vendor price hike.** {report.escape(s['vendor'])} costs {_usd(case.current_usd_per_year)}/year today and "
           f"{_usd(hiked)}/year after a {_pct(case.hike_rate)} hike {renewal}. Over {horizon} months paying costs "
           f"{_usd(t.loc['pay', 'total_usd'])}, migrating {_usd(t.loc['migrate', 'total_usd'])} "
           f"({case.migration_months:g} months of dual running, then {_usd(case.new_platform_usd_per_year)}/year) "
           f"and the hybrid (moving the costliest {_pct(case.hybrid_share_of_spend_moved)} of the spend) "
           f"{_usd(t.loc['hybrid', 'total_usd'])}."]
    best = s["best"]
    if best == "pay":
        out.append("Paying is cheapest over this horizon: pay it, but start the long-term divorce now.")
    else:
        out.append(f"Cheapest: **{best}**, {_usd(t.loc[best, 'saving_vs_pay_usd'])} less than paying.")
    m = s["payback"]["migrate"]
    out.append(f"A full migration pays back in month {m}." if m else
               f"A full migration does not pay back within {horizon} months; it needs a longer horizon.")
    flip = s["flip_hike"]["migrate"]
    if flip is not None:
        out.append(f"Migrating beats paying if the hike is above {_pct(flip)} (signalled: {_pct(case.hike_rate)}).")
    out.append("Either way: negotiate a bridge or an extension, and put an abstraction layer between the "
               "applications and the vendor now; it lowers every future exit cost.")
    return " ".join(out)


# ---------------------------------------------------------------------------------------------------
# Charts (built from the analysis; `costlib.charts.show` renders them).


def chart_tco(a: Analysis):
    """TCO by component, one stacked bar per option."""
    from costlib import charts

    rows = a.tco.drop(index=["total", "present_value"], errors="ignore")
    rows = rows[(rows != 0).any(axis=1)]
    frame = rows.reset_index().melt(id_vars="component", var_name="option", value_name="usd")
    c = a.comparison
    return charts.stacked_cost(words=True, frame=frame, x="option", value="usd", component="component",
                               title=f"What each option costs over {a.params.horizon_months} months",
                               x_title="option", y_title=f"USD over {a.params.horizon_months} months",
                               subtitle=[f"Cheapest: {_label(c.winner)} at {_usd(c.winner_total_usd)}, "
                                         f"{_usd(c.margin_usd)} less than {_label(c.runner_up)}"])


def chart_curves(a: Analysis):
    """Cumulative cost of every option month by month; the build's payback month as a rule."""
    from costlib import charts

    m = a.break_even_month
    label = f"{_label(a.build)} pays back: month {m}" if m else None
    sub = (f"{_label(a.build)} catches up with {_label(a.buy)} in month {m}" if m else
           f"{_label(a.build)} does not catch up with {_label(a.buy)} within {a.params.horizon_months} months")
    return charts.lines(words=True, frame=a.curves, x="month", y="cumulative_cost_usd", series="option",
                        title="Cumulative cost by month", x_title="month", y_title="USD spent to date",
                        subtitle=[sub], points=False, rule_x=m, rule_label=label)


def chart_volume(a: Analysis):
    """TCO at a constant monthly volume, per option; the break-even volume as a rule."""
    from costlib import charts

    unit = a.params.volume_unit.replace("_", " ")
    be = a.break_even_volume
    sub = (f"{_label(a.build)} and {_label(a.buy)} cost the same at {_n(be)} {unit}/month; forecast starts at "
           f"{_n(a.params.volume_units_per_month)}" if be is not None else
           f"No break-even volume: {_label(a.build if a.build_total_usd < a.buy_total_usd else a.buy)} is cheaper at "
           "every volume")
    return charts.lines(words=True, frame=a.volume_curve, x="volume_units_per_month", y="tco_usd", series="option",
                        title=f"TCO over {a.params.horizon_months} months at a constant volume",
                        x_title=f"{unit} per month", y_title=f"USD over {a.params.horizon_months} months",
                        subtitle=[sub], points=False, rule_x=be, rule_label=f"break-even {_n(be)}" if be else None)


def chart_tornado(a: Analysis):
    from costlib import charts

    p = a.params
    what = (f"{_label(a.build)} minus {_label(a.buy)} plus {_pct(p.material_saving_share)} of {_label(a.buy)} (the "
            "rule's bar), USD over " if _bar_applies(p) else f"{_label(a.build)} minus {_label(a.buy)}, USD over ")
    means = "> 0: the rule buys" if _bar_applies(p) else "> 0: building costs more"
    return charts.tornado(workbook=sys.modules[__name__], frame=a.tornado,
                          output_label=f"{what}{p.horizon_months} months ({means})",
                          unit=contract.declaration(FIGURES, a.answers["build_vs_buy"].figure).unit)


def chart_band(a: Analysis):
    """Cumulative build minus buy by month: P50 line, P10-P90 band, and the zero line."""
    import altair as alt

    from costlib import charts

    band = charts.band(a.band, x="month", title=f"{_label(a.build)} minus {_label(a.buy)}, cumulative",
                       y_title="USD, build minus buy, to date", x_title="month",
                       subtitle=["Shaded: P10 to P90 of the Monte Carlo runs; line: P50. Below zero: building "
                                 "is ahead", f"Building ends cheaper in {_pct(a.probability_build_cheaper)} of "
                                 "the runs"])
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#555555", strokeDash=[4, 4]).encode(y="y:Q")
    return alt.layer(band, zero)


def chart_price_hike(a: Analysis):
    from costlib import charts

    s = a.sections["price_hike"]
    return charts.lines(words=True, frame=s["curves"], x="month", y="cumulative_cost_usd", series="strategy",
                        title="Vendor price hike: cumulative cost of each strategy", x_title="month",
                        y_title="USD spent to date", points=False,
                        subtitle=[f"Cheapest over {a.params.horizon_months} months: {s['best']}"])
