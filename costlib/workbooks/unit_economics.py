"""Workbook 01, unit economics: the scenario schema and the analysis the notebook shows.

The question: what does one unit of value (a stream, a query, a transaction, a DAU) cost, what does it earn,
and does its cost fall as volume grows? Optional sections answer the seed's other section-I situations:
hidden network costs, small-object storage, active-active vs active-passive, cost per tenant tier, the
efficiency launch gate and the volume-vs-intensity split of a cost change.

Each component's monthly cost follows ``fixed + k * volume ** b``; the scenario gives its cost at the
scenario's volume and its fixed part, and ``k`` is calibrated from them (`costlib.unit_economics.calibrate_k`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Annotated, Literal, Optional

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from costlib import unit_economics as ue
from costlib import contract, labels, report, uncertainty
from costlib.params import (NonNegative, bounded, Positive, PositiveInt, Rate,
                            Schema, check_sensitivity_ranges, non_empty, require_unique)

TOPIC = "unit_economics"

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Category = Literal["compute", "storage", "network_egress", "cross_az_transfer", "api_requests", "licenses",
                   "people", "other"]


_M = "costlib.unit_economics."
_P = "costlib.workbooks.unit_economics.Params"

#: The headline figures, each declared once (`costlib.contract.Figure`).
FIGURES = (  # specific keys first: "cost_usd_per_{unit}" would match cost_usd_per_month too
    contract.Figure("cost_usd_per_month", "Cost per month", "usd_per_month", "every component's cost at today's volume",
                    _M + "cost_breakdown"),
    contract.Figure("cost_usd_per_{unit}", "Cost per {unit}", "usd_per_unit",
                    "total cost per month over units of value per month", _M + "cost_per_unit"),
    contract.Figure("price_usd_per_{unit}", "Price per {unit}", "usd_per_unit", "revenue per unit (the scenario's)",
                    _P),
    contract.Figure("gross_margin", "Gross margin", "share", "(price - cost) / price per unit", _M + "gross_margin"),
    contract.Figure("target_gross_margin", "Target gross margin", "share", "the margin the product must earn", _P),
    contract.Figure("pricing_floor_usd_per_{unit}", "Pricing floor per {unit}", "usd_per_unit",
                    "lowest price that earns the target margin: cost / (1 - target)", _M + "pricing_floor"),
    contract.Figure("volume_for_target_margin_{unit}s_per_month", "Volume that earns the target ({unit}s/month)",
                    "count", "the volume at which the margin reaches its target (goal seek); n/a if none",
                    "costlib.uncertainty.goal_seek"),
    contract.Figure("volume_{unit}s_per_month", "Volume ({unit}s per month)", "count", "units of value a month today",
                    _P),
    contract.Figure("cost_multiplier_at_{multiple}x_volume", "Cost multiple at {multiple}x volume", "multiple",
                    "total cost at the largest volume multiple over today's", _M + "scaling_totals"),
    contract.Figure("cost_scaling", "Cost scales", "text", "sub-linear, linear or super-linear (arc elasticity)",
                    _M + "classify_scaling"),
    contract.Figure("gross_margin_p10", "Gross margin, P10", "share", "10th percentile over the Monte Carlo draws",
                    "costlib.uncertainty.assess"),
    contract.Figure("gross_margin_p90", "Gross margin, P90", "share", "90th percentile over the Monte Carlo draws",
                    "costlib.uncertainty.assess"),
    contract.Figure("egress_usd_per_month", "Internet egress", "usd_per_month", "tiered egress bill",
                    _M + "tiered_egress_cost"),
    contract.Figure("cross_az_chatter_usd_per_month", "Cross-AZ chatter", "usd_per_month",
                    "service-to-service traffic billed on both sides", _M + "chatty_service_cost"),
    contract.Figure("zone_local_routing_saving_usd_per_month", "Zone-local routing saves", "usd_per_month",
                    "the cross-AZ bill avoided by routing within the zone", _M + "zone_local_routing_saving"),
    contract.Figure("nat_usd_per_month", "NAT gateways", "usd_per_month", "per hour and per GB processed",
                    _M + "nat_gateway_cost"),
    contract.Figure("storage_usd_per_month", "Object storage", "usd_per_month", "GB-months stored",
                    _M + "storage_vs_request_cost"),
    contract.Figure("request_usd_per_month", "Object requests", "usd_per_month", "PUT and GET charges",
                    _M + "storage_vs_request_cost"),
    contract.Figure("request_to_storage_cost_ratio", "Requests cost, per dollar of storage", "multiple",
                    "request charges over storage charges", _M + "storage_vs_request_cost"),
    contract.Figure("breakeven_object_size_bytes", "Object size where requests = storage (bytes)", "number",
                    "below this size the requests cost more than storing", _M + "request_breakeven_object_size"),
    contract.Figure("active_active_premium_usd_per_month", "Active-active premium", "usd_per_month",
                    "active-active minus active-passive", _M + "active_active_premium"),
    contract.Figure("tiers_with_negative_unit_economics", "Tenant tiers losing money", "number",
                    "tiers whose cost per tenant exceeds the price", _M + "tier_unit_economics"),
    contract.Figure("launch_gate", "Launch gate", "text", "engagement gain against cost-per-DAU increase",
                    _M + "efficiency_launch_gate"),
    contract.Figure("cost_change_usd_per_month", "Cost change", "usd_per_month", "this period minus the previous",
                    _M + "cost_change_drivers"),
    contract.Figure("volume_effect_usd_per_month", "Of which volume", "usd_per_month",
                    "the change explained by volume at the old cost per unit", _M + "cost_change_drivers"),
    contract.Figure("intensity_effect_usd_per_month", "Of which intensity", "usd_per_month",
                    "the change explained by cost per unit at the new volume", _M + "cost_change_drivers"),
)


Exponent = bounded(0, 3, expected="expected a scaling exponent b between 0 and 3 (1 linear, <1 sub-linear, "
                                   ">1 super-linear)")

class Component(Schema):
    """One cost component at the scenario's volume."""

    name: Identifier = Field(description="snake_case name, e.g. transcoding_compute")
    category: Category = Field(description="compute, storage, network_egress, cross_az_transfer, api_requests, "
                                           "licenses, people or other")
    usd_per_month: NonNegative = Field(description="the component's cost at volume_units_per_month")
    fixed_usd_per_month: NonNegative = Field(0.0, description="the part that does not move with volume")
    scaling_exponent: Exponent = Field(1.0, description="b in fixed + k * volume ** b")

    @model_validator(mode="after")
    def _fixed_within_total(self):
        if self.fixed_usd_per_month > self.usd_per_month:
            raise ValueError(f"expected fixed_usd_per_month ({self.fixed_usd_per_month:,.2f}) <= usd_per_month "
                             f"({self.usd_per_month:,.2f}) for component '{self.name}'")
        return self


class EgressTier(Schema):
    up_to_gb_per_month: Optional[Positive] = Field(None, description="upper edge of the tier; null for the last")
    usd_per_gb: NonNegative


class Network(Schema):
    """Hidden network costs: internet egress, cross-AZ chatter, NAT processing."""

    egress_gb_per_month: NonNegative = 0.0
    egress_tiers: Annotated[list[EgressTier], AfterValidator(non_empty)] = Field(
        default_factory=lambda: [EgressTier(up_to_gb_per_month=10_000, usd_per_gb=0.09),
                                 EgressTier(up_to_gb_per_month=50_000, usd_per_gb=0.085),
                                 EgressTier(up_to_gb_per_month=150_000, usd_per_gb=0.07),
                                 EgressTier(up_to_gb_per_month=None, usd_per_gb=0.05)])
    transactions_per_month: NonNegative = 0.0
    calls_per_transaction: NonNegative = 0.0
    payload_bytes_per_call: NonNegative = 0.0
    share_crossing_zones: Rate = 0.67
    zone_local_share_crossing_zones: Rate = 0.05
    cross_az_usd_per_gb_each_way: NonNegative = 0.01
    nat_processed_gb_per_month: NonNegative = 0.0
    nat_usd_per_gb: NonNegative = 0.045
    nat_usd_per_hour: NonNegative = 0.045
    nat_gateways: PositiveInt = 1

    @model_validator(mode="after")
    def _tiers_ascending(self):
        edges = [t.up_to_gb_per_month for t in self.egress_tiers]
        if any(e is None for e in edges[:-1]):
            raise ValueError("expected only the last egress tier to have up_to_gb_per_month: null")
        finite = [e for e in edges if e is not None]
        if any(b <= a for a, b in zip(finite, finite[1:])):
            raise ValueError(f"expected egress_tiers in ascending order of up_to_gb_per_month, got {edges}")
        return self


class SmallObjects(Schema):
    """Object storage where request charges may exceed storage charges."""

    object_count: NonNegative
    object_size_bytes: NonNegative
    storage_usd_per_gb_month: NonNegative
    put_requests_per_month: NonNegative
    get_requests_per_month: NonNegative
    put_usd_per_1000_requests: NonNegative
    get_usd_per_1000_requests: NonNegative


class Redundancy(Schema):
    """Active-active vs active-passive for the serving capacity."""

    capacity_usd_per_month: NonNegative
    standby_fraction: Rate = 0.25
    regions: PositiveInt = 2
    replicated_gb_per_month: NonNegative = 0.0
    inter_region_usd_per_gb: NonNegative = 0.02


class TenantTier(Schema):
    tier: str
    cost_usd_per_tenant_month: NonNegative
    price_usd_per_tenant_month: NonNegative
    tenants: NonNegative = 0.0


class LaunchGate(Schema):
    """A launch that changes engagement and cost per DAU, judged by a stated rule."""

    change: str = "the change"
    engagement_gain: Annotated[float, Field(gt=-1, le=10)]
    cost_per_dau_increase: Annotated[float, Field(gt=-1, le=10)]
    max_ratio: NonNegative = Field(1.0, description="allowed cost-per-DAU growth per unit of engagement growth")


class PreviousPeriod(Schema):
    """The earlier period of a cost change (the budget-overrun review)."""

    label: str = "previous period"
    volume_units_per_month: Positive
    components_usd_per_month: dict[Identifier, NonNegative]


class Params(Schema):
    """Scenario of workbook 01. Every key is documented in the notebook's parameters cell."""

    title: str = "Unit economics"
    description: str = ""
    unit_name: Identifier = "unit"
    volume_units_per_month: Positive
    price_usd_per_unit: Positive
    target_gross_margin: Rate = 0.20
    components: Annotated[list[Component], AfterValidator(non_empty)]
    max_volume_multiplier: Annotated[float, Field(gt=1, le=1000)] = 10.0
    sensitivity_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    monte_carlo_draws: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000
    seed: int = 0
    network: Optional[Network] = None
    small_objects: Optional[SmallObjects] = None
    redundancy: Optional[Redundancy] = None
    tenant_tiers: Optional[Annotated[list[TenantTier], AfterValidator(non_empty)]] = None
    launch_gate: Optional[LaunchGate] = None
    previous_period: Optional[PreviousPeriod] = None

    @model_validator(mode="after")
    def _consistent(self):
        names = [c.name for c in self.components]
        require_unique(names, "component")
        if sum(c.usd_per_month for c in self.components) <= 0:
            raise ValueError("expected the components to cost more than 0 in total")
        inputs = set(model_inputs(self))
        check_sensitivity_ranges(self.sensitivity_ranges, inputs)
        if self.previous_period is not None:
            unknown = set(self.previous_period.components_usd_per_month) - set(names)
            if unknown:
                raise ValueError(f"previous_period.components_usd_per_month: unknown components {sorted(unknown)}; "
                                 f"expected names from components: {names}")
        return self


# ---------------------------------------------------------------------------------------------------
# The flat model handed to sensitivity, Monte Carlo and goal seek.


def model_inputs(p: Params) -> dict[str, float]:
    """Base values of the flat model inputs: volume, price, each component's cost and exponent."""
    inputs = {"volume_units_per_month": p.volume_units_per_month, "price_usd_per_unit": p.price_usd_per_unit}
    for c in p.components:
        inputs[f"{c.name}_usd_per_month"] = c.usd_per_month
        inputs[f"{c.name}_b"] = c.scaling_exponent
    return inputs


def make_model(p: Params, output: str = "gross_margin"):
    """``model(**inputs)``: the scenario's unit economics at any volume, price and component costs.

    Component costs are given at the scenario's volume (``V0``); each component's ``k`` is calibrated there,
    so moving ``volume_units_per_month`` moves each cost along its own scaling law.
    """
    v0 = p.volume_units_per_month
    comps = [(c.name, c.fixed_usd_per_month) for c in p.components]

    def model(volume_units_per_month, price_usd_per_unit, **inputs):
        flat = {}
        for name, fixed in comps:
            usd = inputs[f"{name}_usd_per_month"]
            b = inputs[f"{name}_b"]
            flat[f"{name}_fixed_usd_per_month"] = np.minimum(fixed, usd)
            flat[f"{name}_k"] = ue.calibrate_k(usd, v0, b, flat[f"{name}_fixed_usd_per_month"])
            flat[f"{name}_b"] = b
        return ue.unit_economics_model(volume_units_per_month, price_usd_per_unit, output=output, **flat)

    return model


def whatif_controls(p: Params) -> dict[str, tuple[float, float, float, float]]:
    """Sliders for the interactive what-if: volume from 0.1x to 10x today, price from 0.25x to 2x.
    ``{input: (min, max, step, value)}``."""
    v, price = p.volume_units_per_month, p.price_usd_per_unit
    return {"volume_units_per_month": (0.1 * v, 10 * v, 0.1 * v, v),
            "price_usd_per_unit": (0.25 * price, 2 * price, 0.01 * price, price)}


def whatif(p: Params, **inputs) -> dict:
    """Cost per unit and gross margin with some flat model inputs moved (the sliders; the contract's what-if)."""
    inputs = {**model_inputs(p), **inputs}
    return {f"cost_usd_per_{p.unit_name}": make_model(p, output="cost_usd_per_unit")(**inputs),
            "gross_margin": make_model(p)(**inputs)}


def uncertain_inputs(p: Params) -> dict[str, tuple[float, float, float]]:
    """``{input: (low, base, high)}``: the ranges of `default_ranges` around the base values."""
    base = model_inputs(p)
    return {k: (lo, float(base[k]), hi) for k, (lo, hi) in default_ranges(p).items()}


def flip_bounds(p: Params, ranges: dict) -> dict[str, tuple[float, float]]:
    """Where each input's flip value (the margin reaching its target) is searched: volume from 1/1000 to
    1000 times today's, every other input from 0 to 20 times its base value."""
    base = model_inputs(p)
    out = {}
    for key in ranges:
        value = abs(float(base[key]))
        if key == "volume_units_per_month":
            out[key] = (value / 1000, 1000 * value)
        elif value > 0:
            out[key] = (0.0, 20 * value)
    return out


def default_ranges(p: Params) -> dict[str, tuple[float, float]]:
    """Ranges for the tornado and Monte Carlo: volume -50%/+50%, price and each component's cost -20%/+20%;
    the scenario's ``sensitivity_ranges`` override and add to these (`costlib.uncertainty.scenario_ranges`)."""
    ranges = {"volume_units_per_month": (0.5 * p.volume_units_per_month, 1.5 * p.volume_units_per_month),
              "price_usd_per_unit": (0.8 * p.price_usd_per_unit, 1.2 * p.price_usd_per_unit)}
    for c in p.components:
        if c.usd_per_month > 0:
            ranges[f"{c.name}_usd_per_month"] = (0.8 * c.usd_per_month, 1.2 * c.usd_per_month)
    return uncertainty.scenario_ranges(ranges, p.sensitivity_ranges)


# ---------------------------------------------------------------------------------------------------
# The analysis.


@dataclass
class Analysis:
    """Everything the notebook shows, computed from one validated scenario."""

    params: Params
    headline: dict
    breakdown: pd.DataFrame
    by_category: pd.DataFrame
    projection: pd.DataFrame
    totals: pd.DataFrame
    tornado: pd.DataFrame
    band: pd.DataFrame
    probability_meets_target: float
    volume_for_target_units_per_month: float | None
    sections: dict = field(default_factory=dict)
    recommendation: str = ""
    flips: pd.DataFrame | None = None
    answers: dict = field(default_factory=dict)


def _components_spec(p: Params) -> dict:
    return {c.name: {"fixed_usd_per_month": c.fixed_usd_per_month,
                     "k": ue.calibrate_k(c.usd_per_month, p.volume_units_per_month, c.scaling_exponent,
                                         c.fixed_usd_per_month),
                     "b": c.scaling_exponent} for c in p.components}


def analyse(p: Params) -> Analysis:
    """Compute every table, figure and sentence of workbook 01 for scenario ``p``."""
    unit = p.unit_name
    costs = {c.name: c.usd_per_month for c in p.components}
    breakdown = ue.cost_breakdown(costs, p.volume_units_per_month, p.price_usd_per_unit)
    breakdown.insert(1, "category", [c.category for c in p.components])
    by_category = (breakdown.groupby("category", sort=False)[["cost_usd_per_month", "cost_usd_per_unit",
                                                              "share_of_cost"]].sum().reset_index())
    total = float(breakdown["cost_usd_per_month"].sum())
    cost_unit = ue.cost_per_unit(total, p.volume_units_per_month)
    margin = ue.gross_margin(p.price_usd_per_unit, cost_unit)
    floor = ue.pricing_floor(cost_unit, p.target_gross_margin)

    spec = _components_spec(p)
    multipliers = _multipliers(p.max_volume_multiplier)
    projection = ue.scaling_projection(spec, p.volume_units_per_month, multipliers)
    totals = ue.scaling_totals(spec, p.volume_units_per_month, multipliers)
    totals["gross_margin"] = [ue.gross_margin(p.price_usd_per_unit, c) for c in totals["cost_usd_per_unit"]]
    last = totals.iloc[-1]

    base = model_inputs(p)
    model = make_model(p)
    ranges = default_ranges(p)
    volume_for_target = _volume_for_target(model, base, p)

    cpu_model = make_model(p, output="cost_usd_per_unit")
    volumes = totals["volume_units_per_month"].to_numpy(dtype=float)  # the projection's volumes

    def curve(**inputs):  # cost per unit along the volume multipliers: the band's x is not drawn
        inputs = dict(inputs)
        inputs["volume_units_per_month"] = volumes[None, :]
        return cpu_model(**inputs)

    assessment = uncertainty.assess(
        model, base, ranges, flip_bounds=flip_bounds(p, ranges), target=p.target_gross_margin,
        curve=curve, curve_sampled={k: v for k, v in ranges.items() if k != "volume_units_per_month"},
        curve_x=multipliers, curve_x_name="volume_multiplier", draws_from="model", n=p.monte_carlo_draws,
        seed=p.seed)
    tornado, band = assessment.tornado, assessment.band
    p_meets = assessment.agreement(verdict_below_target=False)
    margin_p10, margin_p90 = assessment.p10, assessment.p90

    headline = {
        f"cost_usd_per_{unit}": cost_unit,
        f"price_usd_per_{unit}": p.price_usd_per_unit,
        "gross_margin": margin,
        "target_gross_margin": p.target_gross_margin,
        f"pricing_floor_usd_per_{unit}": floor,
        "cost_usd_per_month": total,
        f"volume_{unit}s_per_month": p.volume_units_per_month,
        f"cost_multiplier_at_{_x(p.max_volume_multiplier)}x_volume": float(last["cost_multiplier"]),
        "cost_scaling": str(last["scaling"]),
        f"volume_for_target_margin_{unit}s_per_month": volume_for_target,
        "gross_margin_p10": margin_p10,
        "gross_margin_p90": margin_p90,
    }
    sections = {}
    for name, present, build in (
            ("network", p.network, lambda: _network(p.network)),
            ("small_objects", p.small_objects, lambda: _small_objects(p.small_objects)),
            ("redundancy", p.redundancy, lambda: _redundancy(p.redundancy)),
            ("tenant_tiers", p.tenant_tiers, lambda: _tenant_tiers(p.tenant_tiers)),
            ("launch_gate", p.launch_gate, lambda: _launch_gate(p.launch_gate)),
            ("cost_change", p.previous_period, lambda: _cost_change(p))):
        if present is not None:
            sections[name] = build()
            headline.update(sections[name]["headline"])

    analysis = Analysis(params=p, headline=headline, breakdown=breakdown, by_category=by_category,
                        projection=projection, totals=totals, tornado=tornado, band=band,
                        probability_meets_target=p_meets, volume_for_target_units_per_month=volume_for_target,
                        sections=sections, flips=assessment.flips)
    analysis.answers = {"margin": contract.Answer("margin", "gross_margin", model, base, p.target_gross_margin,
                                                  assessment)}
    analysis.recommendation = recommendation(analysis)
    return analysis


def _multipliers(maximum: float) -> list[float]:
    if maximum <= 20:
        steps = list(np.arange(1, math.floor(maximum) + 1, dtype=float))
        if steps[-1] < maximum:
            steps.append(float(maximum))
        return steps
    return list(np.geomspace(1, maximum, 12))


def _x(value: float) -> str:
    return f"{value:g}"


def _volume_for_target(model, base: dict, p: Params) -> float | None:
    """The monthly volume at which gross margin reaches the target, if the scaling laws get there."""
    try:
        return uncertainty.goal_seek(model, base, "volume_units_per_month", p.target_gross_margin,
                                     p.volume_units_per_month * 1e-3, p.volume_units_per_month * 1e3)
    except uncertainty.GoalSeekError:
        return None


def _network(n: Network) -> dict:
    tiers = [(t.up_to_gb_per_month, t.usd_per_gb) for t in n.egress_tiers]
    egress = ue.tiered_egress_cost(n.egress_gb_per_month, tiers)
    chatty = ue.chatty_service_cost(n.transactions_per_month, n.calls_per_transaction, n.payload_bytes_per_call,
                                    n.share_crossing_zones, n.cross_az_usd_per_gb_each_way,
                                    n.cross_az_usd_per_gb_each_way)
    saving = ue.zone_local_routing_saving(n.transactions_per_month, n.calls_per_transaction,
                                          n.payload_bytes_per_call, n.share_crossing_zones,
                                          n.zone_local_share_crossing_zones, n.cross_az_usd_per_gb_each_way,
                                          n.cross_az_usd_per_gb_each_way)
    nat = ue.nat_gateway_cost(n.nat_processed_gb_per_month, n.nat_usd_per_gb, n.nat_usd_per_hour, n.nat_gateways)
    chatty_usd = float(chatty)
    saving_usd = float(saving)
    table = pd.DataFrame([
        {"charge": "internet egress (tiered)", "usd_per_month": egress},
        {"charge": "cross-AZ service chatter (both directions)", "usd_per_month": chatty_usd},
        {"charge": "NAT gateway (hours + GB processed)", "usd_per_month": nat},
    ])
    return {"table": table, "egress_usd": egress, "chatty_usd": chatty_usd, "saving_usd": saving_usd,
            "nat_usd": nat,
            "headline": {"egress_usd_per_month": egress, "cross_az_chatter_usd_per_month": chatty_usd,
                         "zone_local_routing_saving_usd_per_month": saving_usd, "nat_usd_per_month": nat}}


def _small_objects(s: SmallObjects) -> dict:
    costs = ue.storage_vs_request_cost(s.object_count, s.object_size_bytes, s.storage_usd_per_gb_month,
                                       s.put_requests_per_month, s.get_requests_per_month,
                                       s.put_usd_per_1000_requests, s.get_usd_per_1000_requests)
    breakeven = ue.request_breakeven_object_size(s.object_count, s.storage_usd_per_gb_month,
                                                 s.put_requests_per_month, s.get_requests_per_month,
                                                 s.put_usd_per_1000_requests, s.get_usd_per_1000_requests)
    storage, requests = float(costs["storage_usd_per_month"]), float(costs["request_usd_per_month"])
    table = pd.DataFrame([{"charge": "storage", "usd_per_month": storage},
                          {"charge": "requests (PUT + GET)", "usd_per_month": requests}])
    ratio = float(costs["request_to_storage_cost_ratio"])
    return {"table": table, "storage_usd": storage, "request_usd": requests, "ratio": ratio,
            "breakeven_bytes": float(breakeven), "object_size_bytes": s.object_size_bytes,
            "headline": {"storage_usd_per_month": storage, "request_usd_per_month": requests,
                         "request_to_storage_cost_ratio": ratio,
                         "breakeven_object_size_bytes": float(breakeven)}}


def _redundancy(r: Redundancy) -> dict:
    table = ue.redundancy_comparison(r.capacity_usd_per_month, r.standby_fraction, r.regions,
                                     r.replicated_gb_per_month, r.inter_region_usd_per_gb).reset_index()
    premium = ue.active_active_premium(r.capacity_usd_per_month, r.standby_fraction, r.regions,
                                       r.replicated_gb_per_month, r.inter_region_usd_per_gb)
    return {"table": table, "premium_usd": float(premium),
            "headline": {"active_active_premium_usd_per_month": float(premium)}}


def _tenant_tiers(tiers: list[TenantTier]) -> dict:
    table = ue.tier_unit_economics([t.model_dump() for t in tiers])
    losing = table[table["negative_unit_economics"]]
    return {"table": table, "losing": list(losing["tier"]),
            "headline": {"tiers_with_negative_unit_economics": len(losing)}}


def _launch_gate(g: LaunchGate) -> dict:
    result = ue.efficiency_launch_gate(g.engagement_gain, g.cost_per_dau_increase, g.max_ratio)
    return {"result": result, "change": g.change, "headline": {"launch_gate": result.verdict}}


def _cost_change(p: Params) -> dict:
    prev = p.previous_period
    before = {c.name: prev.components_usd_per_month.get(c.name, 0.0) for c in p.components}
    after = {c.name: c.usd_per_month for c in p.components}
    table = ue.cost_change_drivers_by_component(before, after, prev.volume_units_per_month, p.volume_units_per_month)
    total = ue.cost_change_drivers(sum(before.values()), sum(after.values()), prev.volume_units_per_month,
                                   p.volume_units_per_month)
    total = {k: float(v) for k, v in total.items()}
    return {"table": table, "total": total, "label": prev.label,
            "headline": {"cost_change_usd_per_month": total["total_change_usd_per_month"],
                         "volume_effect_usd_per_month": total["volume_effect_usd_per_month"],
                         "intensity_effect_usd_per_month": total["intensity_effect_usd_per_month"]}}


# ---------------------------------------------------------------------------------------------------
# Words.


_usd, _pct, _units = report.usd, report.pct, report.count


def decisions(a: Analysis) -> list[contract.Decision]:
    """The verdict as a record: does one unit earn the target margin?"""
    p, unit = a.params, a.params.unit_name
    margin = a.headline["gross_margin"]
    meets = margin >= p.target_gross_margin
    verdict = "meets the target" if meets else ("loses money" if margin < 0 else "below the target")
    found = a.flips[np.isfinite(a.flips["flip_value"].astype(float))] if a.flips is not None else a.flips
    flips = ([contract.flip_words(r, FIGURES, unit, now=False) for _, r in found.head(2).iterrows()]
             if found is not None else [])
    return [contract.Decision(
        question=f"Does one {unit.replace('_', ' ')} earn the {report.pct(p.target_gross_margin)} target margin",
        verdict=verdict, rests_on=("gross_margin", "target_gross_margin", f"pricing_floor_usd_per_{unit}"),
        flips_when=" or ".join(flips) if flips else "", agreement=uncertainty.agreement(a.probability_meets_target, meets))]


def recommendation(a: Analysis) -> str:
    """The recommendation in words, computed from the analysis: it changes when the numbers change."""
    p, h, unit = a.params, a.headline, a.params.unit_name
    cost_unit, margin = h[f"cost_usd_per_{unit}"], h["gross_margin"]
    floor = h[f"pricing_floor_usd_per_{unit}"]
    rows = {r["key"]: r for r in contract.figure_rows(h, FIGURES, unit_name=unit)}
    lines = [contract.decision_words(d, rows) for d in decisions(a)]
    if margin >= p.target_gross_margin:
        lines.append(f"**Healthy at today's volume.** One {unit} costs {_usd(cost_unit)} and earns "
                     f"{_usd(p.price_usd_per_unit)}: a gross margin of {_pct(margin)}, above the "
                     f"{_pct(p.target_gross_margin)} target. The price could fall to {_usd(floor)} before the "
                     f"target is missed.")
    else:
        verdict = (f"Not viable as it stands: each {unit} loses money." if margin < 0 else
                   f"Below target: each {unit} earns less margin than the target.")
        needed_cut = ue.cost_cut_for_target_margin(p.price_usd_per_unit, cost_unit, p.target_gross_margin)
        lines.append(f"**{verdict}** One {unit} costs {_usd(cost_unit)} and "
                     f"earns {_usd(p.price_usd_per_unit)}: a gross margin of {_pct(margin)} against a "
                     f"{_pct(p.target_gross_margin)} target. To reach the target, either price at least "
                     f"{_usd(floor)} per {unit} (the pricing floor) or cut cost per {unit} by {_pct(needed_cut)}.")
    top = a.breakdown.sort_values("cost_usd_per_month", ascending=False).iloc[0]
    lines.append(f"The biggest lever is **{report.escape(labels.words(top['component']))}** "
                 f"({report.escape(labels.words(top['category']))}): "
                 f"{_pct(top['share_of_cost'])} "
                 f"of the cost per {unit}.")
    last = a.totals.iloc[-1]
    scaling = str(last["scaling"])
    mult = float(last["multiplier"])
    lines.append(f"At {_x(mult)}x today's volume the bill grows {float(last['cost_multiplier']):.1f}x "
                 f"(elasticity {float(last['arc_elasticity']):.2f}: **{scaling}**), so cost per {unit} moves from "
                 f"{_usd(cost_unit)} to {_usd(float(last['cost_usd_per_unit']))}.")
    vt = a.volume_for_target_units_per_month
    if margin < p.target_gross_margin:
        if vt is not None and vt > p.volume_units_per_month:
            lines.append(f"Growth alone reaches the {_pct(p.target_gross_margin)} target at "
                         f"{_units(vt)} {unit}s a month ({vt / p.volume_units_per_month:.1f}x today) if the "
                         "scaling laws hold: that is the volume that flips this verdict.")
        else:
            lines.append(f"No volume up to 1,000x today reaches the target with these scaling laws: growth will "
                         f"not fix the margin; the architecture or the price must change.")
    elif vt is not None and vt < p.volume_units_per_month:
        lines.append(f"The verdict flips if volume falls below {_units(vt)} {unit}s a month "
                     f"({vt / p.volume_units_per_month:.0%} of today).")
    t = a.tornado.iloc[0]
    lines.append(f"The margin is most sensitive to **{contract.input_name(t['input'], FIGURES, unit)}**: across "
                 f"{contract.input_text(t['input'], t['low'], FIGURES, unit)} to "
                 f"{contract.input_text(t['input'], t['high'], FIGURES, unit)} it "
                 f"moves from {_pct(t['output_at_low'])} to {_pct(t['output_at_high'])}. Over the stated ranges the "
                 f"chance of meeting the target is {_pct(a.probability_meets_target)} "
                 f"(P10 {_pct(h['gross_margin_p10'])}, P90 {_pct(h['gross_margin_p90'])}).")
    # The scenario's own question (its optional sections) leads; the margin story follows.
    general, lines = lines, []
    s = a.sections
    if "network" in s:
        n = s["network"]
        lines.append(f"**Routing calls zone-locally saves {_usd(n['saving_usd'])}/month** of the "
                     f"{_usd(n['chatty_usd'])}/month that cross-AZ chatter costs; internet egress adds "
                     f"{_usd(n['egress_usd'])}/month and NAT gateways {_usd(n['nat_usd'])}/month.")
    if "small_objects" in s:
        o = s["small_objects"]
        if o["request_usd"] > o["storage_usd"]:
            lines.append(f"**Requests cost {o['ratio']:.1f}x storage** ({_usd(o['request_usd'])} vs "
                         f"{_usd(o['storage_usd'])} a month). Below {o['breakeven_bytes']:,.0f} bytes per object "
                         "requests dominate: batch small objects into larger ones.")
        else:
            lines.append(f"**Storage dominates requests** ({_usd(o['storage_usd'])} vs {_usd(o['request_usd'])} "
                         f"of requests a month); requests would dominate below {o['breakeven_bytes']:,.0f} bytes "
                         "per object.")
    if "redundancy" in s:
        lines.append(f"Active-active costs {_usd(s['redundancy']['premium_usd'])}/month more than active-passive: "
                     "buy it only if the business needs the faster failover.")
    if "tenant_tiers" in s:
        losing = s["tenant_tiers"]["losing"]
        lines.append("**Tenant tiers losing money on every tenant: "
                     + (", ".join(report.escape(t) for t in losing) if losing else "none")
                     + (".** Reprice them or cut their cost to serve." if losing else ".**"))
    if "launch_gate" in s:
        g = s["launch_gate"]["result"]
        reason = g.reason.removeprefix(f"{g.verdict}: ")
        lines.append(f"**Launch gate for {report.escape(s['launch_gate']['change'])}: {g.verdict}.** {reason[:1].upper()}{reason[1:]}.")
    if "cost_change" in s:
        c = s["cost_change"]["total"]
        driver = ("intensity (more cost per unit: fix efficiency)"
                  if c["intensity_effect_usd_per_month"] > c["volume_effect_usd_per_month"]
                  else "volume (more units: growth)")
        lines.append(f"**The change is driven mainly by {driver.split(' (')[0]}.** "
                     f"Since {report.escape(s['cost_change']['label'])} the bill moved {_usd(c['total_change_usd_per_month'])}/month: "
                     f"{_usd(c['volume_effect_usd_per_month'])} from volume and "
                     f"{_usd(c['intensity_effect_usd_per_month'])} from intensity. The main driver is {driver}.")
    return "\n\n".join(lines + general)


# ---------------------------------------------------------------------------------------------------
# Charts (built from the analysis; `costlib.charts.show` renders them).


def chart_breakdown(a: Analysis):
    """Cost per unit by component, as one stacked bar against the price."""
    from costlib import charts

    unit = a.params.unit_name
    return charts.bars(words=True, frame=a.breakdown, category="component", value="cost_usd_per_unit",
                       title=f"Where the cost of one {unit} goes", value_title=f"USD per {unit}",
                       subtitle=[f"Total {_usd(a.headline[f'cost_usd_per_{unit}'])} per {unit} against a price of "
                                 f"{_usd(a.params.price_usd_per_unit)}; pricing floor at the target margin "
                                 f"{_usd(a.headline[f'pricing_floor_usd_per_{unit}'])}"])


def chart_scaling(a: Analysis):
    """Monthly cost by component as volume grows (stacked bars over the volume multiplier)."""
    from costlib import charts

    frame = a.projection.assign(volume_multiplier=a.projection["multiplier"].map(lambda m: f"{m:g}x"))
    return charts.stacked_cost(words=True, frame=frame, x="volume_multiplier", value="cost_usd_per_month", component="component",
                               title="Monthly cost as volume grows", x_title="volume (x today)",
                               y_title="USD per month",
                               subtitle=[f"Cost grows {a.totals.iloc[-1]['cost_multiplier']:.1f}x for "
                                         f"{a.totals.iloc[-1]['multiplier']:g}x volume: "
                                         f"{a.totals.iloc[-1]['scaling']}"])


def chart_cost_per_unit(a: Analysis):
    """Cost per unit over volume: the P50 line with its P10-P90 band, and the price."""
    from costlib import charts

    unit = a.params.unit_name
    return charts.band(a.band, x="volume_multiplier", title=f"Cost per {unit} as volume grows",
                       y_title=f"USD per {unit}", x_title="volume (x today)", rule_y=a.params.price_usd_per_unit,
                       subtitle=[f"P10-P90 band over the input ranges; dashed: price {_usd(a.params.price_usd_per_unit)}, "
                                 f"pricing floor {_usd(a.headline[f'pricing_floor_usd_per_{unit}'])}"])


def chart_tornado(a: Analysis):
    from costlib import charts

    return charts.tornado(workbook=sys.modules[__name__], frame=a.tornado, output_label="gross margin",
                          unit=contract.declaration(FIGURES, a.answers["margin"].figure).unit)
