"""Workbook 03, CapEx vs OpEx: the scenario schema and the analysis the notebook shows.

The question: should we buy (CapEx) or rent (OpEx), and what does each choice do to the P&L (EBITDA,
operating income) and to cash (free cash flow)? Every section is optional, so each scenario file holds only
its situation (at least one decision section is required):

- ``buy_vs_rent``: one purchase against renting the same capacity, year by year: cash out, depreciation,
  EBITDA and free-cash-flow effect, the break-even month and present values (the seed's $10M cluster).
- ``fleet``: several assets with in-service dates, lives, salvage and methods; depreciation by year and by
  month, and the four methods side by side for the largest asset.
- ``useful_life_change``: a server fleet moving from 3 to 4 or 5 years, applied prospectively.
- ``own_vs_rent``: cloud bill against owned capacity with lead time and running costs (repatriation): the
  cumulative curves, break-even month, present values and the P&L vs cash view per year.
- ``saas_growth``: a per-unit SaaS bill growing 100x against a negotiated flat rate.

Formulas live in `costlib.capex`; this module validates, wires them up, and words the result.

Sign convention: costs are positive amounts; "saving from owning/buying" is the renting option's cost
minus the owning option's (positive: owning is cheaper); EBITDA, EBIT and FCF *effects* are signed,
outflows negative (see `costlib.capex`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Annotated, Callable, Literal, Optional

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from costlib import capex, contract, labels, report, tco, uncertainty
from costlib.params import (NonNegative, bounded, Positive, PositiveInt, Rate,
                            Schema, check_sensitivity_ranges, non_empty, require_unique)

TOPIC = "capex_opex"
#: `costlib.contract.whatif_key`: whatif takes a section's model inputs as ``<section>.<input>``.
WHATIF_KEY = "{answer}.{input}"

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Method = Literal["straight_line", "declining_balance", "sum_of_years_digits", "macrs"]
MacrsPeriod = Literal[3, 5, 7]
DECISIONS = ("buy_vs_rent", "useful_life_change", "own_vs_rent", "saas_growth")
SECTIONS = ("buy_vs_rent", "own_vs_rent", "useful_life_change", "saas_growth", "fleet")  # report order
METHOD_LABELS = {"straight_line": "straight-line", "declining_balance": "declining balance",
                 "sum_of_years_digits": "sum-of-years-digits", "macrs": "MACRS"}


_M = "costlib.capex."

#: The headline figures, each declared once (`costlib.contract.Figure`).
FIGURES = (
    contract.Figure("buy_cash_out_year_1_usd", "Buying: cash out in year 1", "usd", "purchase plus running costs",
                    _M + "buy_vs_rent_views"),
    contract.Figure("buy_depreciation_year_1_usd", "Buying: depreciation in year 1", "usd",
                    "the year's depreciation (below EBITDA)", _M + "depreciation_by_year"),
    contract.Figure("buy_pnl_expense_year_1_usd", "Buying: P&L expense in year 1", "usd",
                    "depreciation plus running costs", _M + "buy_vs_rent_views"),
    contract.Figure("rent_cash_out_year_1_usd", "Renting: cash out in year 1", "usd",
                    "the rent (on the P&L and in cash alike)", _M + "buy_vs_rent_views"),
    contract.Figure("ebitda_gain_from_buying_year_1_usd", "EBITDA gain from buying, year 1", "usd",
                    "buying's EBITDA effect minus renting's", _M + "gain_from_owning"),
    contract.Figure("fcf_gain_from_buying_year_1_usd", "Free-cash-flow gain from buying, year 1", "usd",
                    "buying's FCF effect minus renting's (negative: cash out up front)", _M + "gain_from_owning"),
    contract.Figure("buy_break_even_month", "Buying breaks even", "month",
                    "first month from which buying's cumulative cash stays at or below renting's",
                    "costlib.timing.break_even_month"),
    contract.Figure("pv_saving_from_buying_usd", "Present-value saving from buying", "usd",
                    "renting's present value minus buying's (> 0: buying is cheaper)", _M + "own_vs_rent_summary"),
    contract.Figure("pv_saving_from_buying_p10_usd", "PV saving from buying, P10", "usd",
                    "10th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("pv_saving_from_buying_p90_usd", "PV saving from buying, P90", "usd",
                    "90th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("cloud_bill_month_1_usd", "Cloud bill, month 1", "usd", "units x price x (1 - discount) + other",
                    _M + "cloud_usd_per_month"),
    contract.Figure("owned_capex_usd", "Owned capacity: capex", "usd", "the purchase (or the fleet's cost)",
                    "costlib.workbooks.capex_opex.Params"),
    contract.Figure("owned_running_usd_per_month", "Owned capacity: running cost", "usd_per_month",
                    "power, space, hardware maintenance and the SRE team", _M + "owned_running_usd_per_month"),
    contract.Figure("lead_time_months", "Lead time before owning is usable", "months",
                    "months the cloud keeps running while the capacity is bought and built",
                    "costlib.workbooks.capex_opex.Params"),
    contract.Figure("break_even_month", "Owning breaks even", "month",
                    "first month from which owning's cumulative cost stays at or below the cloud's",
                    "costlib.timing.break_even_month"),
    contract.Figure("pv_cloud_usd", "Present value: cloud", "usd", "the cloud bills over the horizon, discounted",
                    _M + "own_vs_rent_summary"),
    contract.Figure("pv_owned_usd", "Present value: owned", "usd", "capex and running costs, discounted",
                    _M + "own_vs_rent_summary"),
    contract.Figure("pv_saving_from_owning_usd", "Present-value saving from owning", "usd",
                    "cloud's present value minus owned (> 0: owning is cheaper)", _M + "own_vs_rent_summary"),
    contract.Figure("pv_saving_from_owning_p10_usd", "PV saving from owning, P10", "usd",
                    "10th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("pv_saving_from_owning_p90_usd", "PV saving from owning, P90", "usd",
                    "90th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("fleet_cost_usd", "Fleet cost", "usd", "every asset's purchase price",
                    _M + "fleet_depreciation_by_year"),
    contract.Figure("fleet_depreciation_year_{year}_usd", "Fleet depreciation, year {year}", "usd",
                    "every asset from its in-service month, its own life and method",
                    _M + "fleet_depreciation_by_year"),
    contract.Figure("usage_bill_month_1_usd", "Usage bill, month 1", "usd", "volume x price per unit",
                    _M + "saas_flat_rate_comparison"),
    contract.Figure("usage_bill_month_{month}_usd", "Usage bill, month {month}", "usd",
                    "the bill once usage has grown by the multiplier", _M + "usage_bill_path"),
    contract.Figure("flat_rate_usd_per_month", "Flat rate", "usd_per_month", "the negotiated flat rate",
                    "costlib.workbooks.capex_opex.Params"),
    contract.Figure("crossover_volume_{unit}_per_month", "Crossover volume ({unit} per month)", "count",
                    "flat rate / price per unit: where both bills are equal", _M + "flat_rate_crossover"),
    contract.Figure("crossover_month", "Usage bill passes the flat rate", "month",
                    "first month whose usage bill is at or above the flat rate", "costlib.timing.crossover_month"),
    contract.Figure("usage_bill_total_usd", "Usage bills, total", "usd", "pay per use over the horizon",
                    _M + "saas_flat_rate_comparison"),
    contract.Figure("flat_rate_total_usd", "Flat rate, total", "usd", "the flat rate over the horizon",
                    _M + "saas_flat_rate_comparison"),
    contract.Figure("flat_rate_saving_usd", "Flat rate saves", "usd", "usage bills minus flat rate over the horizon",
                    _M + "flat_rate_saving_usd"),
    contract.Figure("max_flat_rate_worth_signing_usd_per_month", "Highest flat rate worth signing",
                    "usd_per_month", "the average usage bill: a flat rate above it costs more",
                    _M + "max_flat_rate_usd_per_month"),
    contract.Figure("flat_rate_saving_p10_usd", "Flat-rate saving, P10", "usd",
                    "10th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("flat_rate_saving_p90_usd", "Flat-rate saving, P90", "usd",
                    "90th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("depreciation_{life}y_life_year_1_usd", "Depreciation at {life} years, year 1", "usd",
                    "the fleet's expense on the current life", _M + "useful_life_change_prospective"),
    contract.Figure("expense_reduction_{current}_to_{new}y_life_year_1_usd",
                    "Expense reduction, {current} to {new} years, year 1", "usd",
                    "the year-1 drop in depreciation (prospective change, IAS 8)",
                    _M + "useful_life_change_prospective"),
    contract.Figure("cumulative_reduction_{current}_to_{new}y_life_usd",
                    "Expense reduction, {current} to {new} years, over the horizon", "usd",
                    "the depreciation avoided over the horizon", _M + "useful_life_change_prospective"),
    contract.Figure("net_gain_{current}_to_{new}y_life_usd", "Net gain, {current} to {new} years", "usd",
                    "the reduction less the extra running cost of older hardware",
                    _M + "longer_life_net_gain_usd"),
    contract.Figure("max_extra_running_usd_per_year_per_added_life_year",
                    "Highest extra running cost worth it, per year of added life", "usd_per_year",
                    "the reduction over the horizon per added life-year and year: above it the change loses",
                    _M + "break_even_extra_running_usd_per_year"),
)


Factor = bounded(0, 4, low_open=True,
                 expected="expected a declining-balance factor > 0 and <= 4 (2.0 is 200%, 1.5 is 150%)")
Growth = bounded(-1, 1, low_open=True, high_open=True,
                 expected="expected a decimal growth rate above -1 and below 1 (write 0.02 for 2%)")
Multiplier = bounded(0, 1e6, low_open=True, expected="expected a growth multiple > 0, e.g. 100 for 100x")
MonthAt = bounded(2, 600, expected="expected a whole month index from 2 to 600 (12: 'by month 12')", kind=int)
LeadMonths = bounded(0, 240, expected="expected a whole number of months from 0 to 240", kind=int)
InServiceMonth = bounded(-1200, 1200, kind=int,
                         expected="expected a month index (1 is the first month; 0 or less: in service before it)")

def _check_salvage(value: float, info: ValidationInfo, cost_key: str) -> float:
    cost = info.data.get(cost_key)
    if cost is not None and value > cost:
        raise ValueError(f"expected salvage_usd <= {cost_key} ({cost:,.2f}): salvage is what the asset is "
                         "still worth at the end of its life")
    return value


def _check_macrs_life(value: int, info: ValidationInfo) -> int:
    if info.data.get("method") == "macrs" and value not in capex.MACRS_GDS_HALF_YEAR_PERCENT:
        raise ValueError("expected a MACRS GDS recovery period of 3, 5 or 7 years with method: macrs "
                         "(servers and computers are 5-year property)")
    return value


class Asset(Schema):
    """One asset of a fleet. Depreciation starts in the month it goes into service (IAS 16.55)."""

    name: Identifier
    cost_usd: Positive
    salvage_usd: NonNegative = 0.0
    method: Method = "straight_line"
    useful_life_years: PositiveInt = Field(description="whole years; the recovery period for macrs")
    factor: Factor = 2.0
    in_service_month: InServiceMonth = 1

    @field_validator("salvage_usd")
    @classmethod
    def check_salvage(cls, value: float, info: ValidationInfo) -> float:
        return _check_salvage(value, info, "cost_usd")

    @field_validator("useful_life_years")
    @classmethod
    def check_macrs_life(cls, value: int, info: ValidationInfo) -> int:
        return _check_macrs_life(value, info)


class Fleet(Schema):
    """Several assets with in-service dates: depreciation expense per month and per year."""

    assets: Annotated[list[Asset], AfterValidator(non_empty)]
    horizon_years: Optional[PositiveInt] = None
    macrs_recovery_period_years: MacrsPeriod = 5

    @model_validator(mode="after")
    def _unique(self):
        require_unique([a.name for a in self.assets], "asset")
        return self


class BuyVsRent(Schema):
    """One purchase against renting the same capacity: the P&L view against the cash view per year."""

    what: str = "the capacity"
    capex_usd: Positive
    salvage_usd: NonNegative = 0.0
    method: Method = "straight_line"
    useful_life_years: PositiveInt
    factor: Factor = 2.0
    rent_usd_per_year: NonNegative
    owned_running_usd_per_year: NonNegative = 0.0
    horizon_years: Optional[PositiveInt] = None
    macrs_recovery_period_years: MacrsPeriod = 5

    @field_validator("salvage_usd")
    @classmethod
    def check_salvage(cls, value: float, info: ValidationInfo) -> float:
        return _check_salvage(value, info, "capex_usd")

    @field_validator("useful_life_years")
    @classmethod
    def check_macrs_life(cls, value: int, info: ValidationInfo) -> int:
        return _check_macrs_life(value, info)


class UsefulLifeChange(Schema):
    """A fleet bought every year whose straight-line useful life changes at the start of year 1."""

    capex_usd_per_year: Positive
    capex_growth_rate_per_year: Growth = 0.0
    current_useful_life_years: PositiveInt = 3
    new_useful_lives_years: Annotated[list[PositiveInt], AfterValidator(non_empty)] = Field(
        default_factory=lambda: [4, 5])
    salvage_fraction: Rate = 0.0
    horizon_years: PositiveInt = 6
    extra_running_usd_per_year_per_added_life_year: NonNegative = 0.0

    @model_validator(mode="after")
    def _lives(self):
        lives = self.new_useful_lives_years
        if self.current_useful_life_years in lives or len(set(lives)) != len(lives):
            raise ValueError(f"new_useful_lives_years = {lives}: expected distinct lives, each different from "
                             f"current_useful_life_years ({self.current_useful_life_years})")
        return self


class OwnVsRent(Schema):
    """Cloud (OpEx) against owned capacity (CapEx plus running costs) with a lead time: repatriation."""

    cloud_unit_name: str = "unit"
    cloud_units: Positive = 1.0
    cloud_usd_per_unit_hour: Optional[NonNegative] = None
    cloud_usd_per_unit_month: Optional[NonNegative] = None
    cloud_hours_used_share: Rate = 1.0
    cloud_discount: Rate = 0.0
    cloud_other_usd_per_month: NonNegative = 0.0
    cloud_growth_rate_per_month: Growth = 0.0
    owned_capex_usd: Optional[NonNegative] = None
    lead_time_months: LeadMonths = 0
    power_usd_per_month: NonNegative = 0.0
    space_usd_per_month: NonNegative = 0.0
    hardware_maintenance_usd_per_month: NonNegative = 0.0
    sre_fte: NonNegative = 0.0
    loaded_cost_usd_per_fte_per_year: NonNegative = 300_000.0
    hardware_refresh_months: Optional[PositiveInt] = None
    horizon_months: PositiveInt = 48
    useful_life_years: Optional[PositiveInt] = None
    depreciation_method: Method = "straight_line"

    @model_validator(mode="after")
    def _cloud_price(self):
        hourly, monthly = self.cloud_usd_per_unit_hour, self.cloud_usd_per_unit_month
        if (hourly is None) == (monthly is None):
            raise ValueError("expected exactly one of cloud_usd_per_unit_hour (instances billed by the hour) and "
                             "cloud_usd_per_unit_month (e.g. storage per GB-month)")
        if monthly is not None and self.cloud_hours_used_share != 1.0:
            raise ValueError("cloud_hours_used_share applies to hourly prices only: expected 1.0 with "
                             "cloud_usd_per_unit_month")
        if self.depreciation_method == "macrs" and (self.useful_life_years or 5) not in (3, 5, 7):
            raise ValueError("expected useful_life_years of 3, 5 or 7 with depreciation_method: macrs")
        return self


class SaasGrowth(Schema):
    """A SaaS bill priced per unit (event, GB, seat) as usage grows, against a negotiated flat rate."""

    vendor: str = "the vendor"
    unit_name: Identifier = "unit"
    start_volume_units_per_month: Positive
    price_usd_per_unit: Positive
    flat_rate_usd_per_month: NonNegative
    volume_multiplier: Multiplier = 100.0
    multiplier_at_month: MonthAt = 12
    horizon_months: Optional[PositiveInt] = None


class Params(Schema):
    """Scenario of workbook 03. Every key is documented in the notebook's parameters cell."""

    title: str = "CapEx vs OpEx"
    description: str = ""
    discount_rate_per_year: Rate = 0.08
    buy_vs_rent: Optional[BuyVsRent] = None
    fleet: Optional[Fleet] = None
    useful_life_change: Optional[UsefulLifeChange] = None
    own_vs_rent: Optional[OwnVsRent] = None
    saas_growth: Optional[SaasGrowth] = None
    sensitivity_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    monte_carlo_draws: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000
    seed: int = 0

    @model_validator(mode="after")
    def _consistent(self):
        present = [s for s in DECISIONS if getattr(self, s) is not None]
        if not present:
            raise ValueError(f"expected at least one decision section: {', '.join(DECISIONS)}")
        o = self.own_vs_rent
        if o is not None:
            if o.owned_capex_usd is None and self.fleet is None:
                raise ValueError("own_vs_rent.owned_capex_usd: expected the owned capex, or a fleet section whose "
                                 "assets are the owned capacity")
            if o.owned_capex_usd is None and o.useful_life_years is not None:
                raise ValueError("own_vs_rent.useful_life_years: expected it omitted when the fleet section is the "
                                 "owned capacity (each asset has its own life)")
        for key, value in self.sensitivity_ranges.items():
            section = key.partition(".")[0]
            if section not in present:
                check_sensitivity_ranges({key: value}, (), expected=f"'<section>.<input>' with a section present in "
                                                                     f"this scenario: {present}")
            check_sensitivity_ranges({key: value}, (f"{section}.{k}" for k in model_inputs(self, section)))
        return self


def check_sections_from_file(scenario: Params, params_file: str) -> None:
    """Stop a run whose sections came from the notebook's default scenario instead of its params file.

    papermill only overrides the keys a params file sets, so a file that leaves out ``buy_vs_rent`` (set in
    the notebook's default scenario) would silently inherit the default $10M cluster. A scenario file must
    therefore write every section it does not use that the defaults set as ``null``. This check (run when
    ``params_file`` is known, as in ``costbook run``) names the offending key.

    Raises
    ------
    ScenarioError
        Naming the file and each section present in the scenario but absent from the file.
    """
    if not params_file:
        return
    from pathlib import Path

    from costlib import params as _params
    from costlib.errors import ScenarioError

    path = Path(params_file)
    if not path.is_absolute() and not path.is_file():
        path = _params.project_root() / path
    data = _params.read_yaml(path)
    problems = [(name, "(the notebook's default)", "expected this section written in the params file, or "
                 f"'{name}: null' to leave it out (papermill keeps the notebook's default for keys a file omits)")
                for name in SECTIONS if getattr(scenario, name) is not None and name not in data]
    if problems:
        raise ScenarioError(_params.display_path(path), problems)


# ---------------------------------------------------------------------------------------------------
# Flat models handed to sensitivity, Monte Carlo and goal seek: one per decision section.

OUTPUT_LABELS = {
    "buy_vs_rent": "PV saving from buying, USD (renting minus buying)",
    "useful_life_change": "operating-income gain over the horizon, USD",
    "own_vs_rent": "PV saving from owning, USD (cloud minus owned)",
    "saas_growth": "saving from the flat rate over the horizon, USD",
}


def _bvr_horizon_years(s: BuyVsRent) -> int:
    if s.horizon_years is not None:
        return s.horizon_years
    return s.useful_life_years + (1 if s.method == "macrs" else 0)


def _saas_horizon(s: SaasGrowth) -> int:
    return s.horizon_months or s.multiplier_at_month


def model_inputs(p: Params, section: str) -> dict[str, float]:
    """Base values of the flat model inputs of one decision section."""
    if section == "buy_vs_rent":
        s = p.buy_vs_rent
        return {"capex_usd": s.capex_usd, "rent_usd_per_year": s.rent_usd_per_year,
                "owned_running_usd_per_year": s.owned_running_usd_per_year,
                "discount_rate_per_year": p.discount_rate_per_year}
    if section == "useful_life_change":
        s = p.useful_life_change
        return {"capex_usd_per_year": s.capex_usd_per_year,
                "capex_growth_rate_per_year": s.capex_growth_rate_per_year,
                "salvage_fraction": s.salvage_fraction,
                "extra_running_usd_per_year_per_added_life_year": s.extra_running_usd_per_year_per_added_life_year}
    if section == "own_vs_rent":
        s = p.own_vs_rent
        inputs = {"cloud_units": s.cloud_units}
        if s.cloud_usd_per_unit_hour is not None:
            inputs["cloud_usd_per_unit_hour"] = s.cloud_usd_per_unit_hour
            inputs["cloud_hours_used_share"] = s.cloud_hours_used_share
        else:
            inputs["cloud_usd_per_unit_month"] = s.cloud_usd_per_unit_month
        inputs.update({
            "cloud_discount": s.cloud_discount,
            "cloud_other_usd_per_month": s.cloud_other_usd_per_month,
            "cloud_growth_rate_per_month": s.cloud_growth_rate_per_month,
            "owned_capex_usd": _owned_capex(p),
            "lead_time_months": float(s.lead_time_months),
            "power_usd_per_month": s.power_usd_per_month,
            "space_usd_per_month": s.space_usd_per_month,
            "hardware_maintenance_usd_per_month": s.hardware_maintenance_usd_per_month,
            "sre_fte": s.sre_fte,
            "loaded_cost_usd_per_fte_per_year": s.loaded_cost_usd_per_fte_per_year,
            "discount_rate_per_year": p.discount_rate_per_year,
        })
        return inputs
    if section == "saas_growth":
        s = p.saas_growth
        return {"start_volume_units_per_month": s.start_volume_units_per_month,
                "price_usd_per_unit": s.price_usd_per_unit,
                "flat_rate_usd_per_month": s.flat_rate_usd_per_month,
                "volume_multiplier": s.volume_multiplier}
    raise ValueError(f"section = {section!r}: expected one of {DECISIONS}")


def _owned_capex(p: Params) -> float:
    o = p.own_vs_rent
    if o.owned_capex_usd is not None:
        return o.owned_capex_usd
    return float(sum(a.cost_usd for a in p.fleet.assets))


def make_model(p: Params, section: str, output: str | None = None) -> Callable:
    """``model(**inputs)``: the decision section's headline difference as a function of its inputs.

    Outputs: ``buy_vs_rent`` and ``own_vs_rent`` the PV saving of owning (or any key of
    `costlib.capex.own_vs_rent_summary`, or ``"curve"`` for the cumulative saving by month);
    ``useful_life_change`` the operating-income gain over the horizon of the last new life, net of the extra
    running cost of older hardware; ``saas_growth`` the flat rate's saving over the horizon (or ``"bills"``
    for the monthly usage bill).
    """
    if section == "buy_vs_rent":
        s = p.buy_vs_rent
        months = 12 * _bvr_horizon_years(s)
        key = output or "present_value_saving_usd"

        def model(capex_usd, rent_usd_per_year, owned_running_usd_per_year, discount_rate_per_year):
            if key == "curve":
                return capex.own_vs_rent_cumulative_saving(
                    capex.usd_per_month_from_year(rent_usd_per_year), capex_usd, months,
                    hardware_maintenance_usd_per_month=capex.usd_per_month_from_year(owned_running_usd_per_year))
            return capex.own_vs_rent_summary(
                capex.usd_per_month_from_year(rent_usd_per_year), capex_usd, months, discount_rate_per_year,
                hardware_maintenance_usd_per_month=capex.usd_per_month_from_year(owned_running_usd_per_year))[key]

        return model
    if section == "useful_life_change":
        s = p.useful_life_change
        new = s.new_useful_lives_years[-1]
        added = capex.added_life_years(s.current_useful_life_years, new)

        def model(capex_usd_per_year, capex_growth_rate_per_year, salvage_fraction,
                  extra_running_usd_per_year_per_added_life_year):
            df = capex.useful_life_change_prospective(capex_usd_per_year, s.current_useful_life_years, new,
                                                      s.horizon_years, salvage_fraction, capex_growth_rate_per_year)
            return capex.longer_life_net_gain_usd(float(df["cumulative_reduction_usd"].iloc[-1]), added,
                                                  s.horizon_years, extra_running_usd_per_year_per_added_life_year)

        return model
    if section == "own_vs_rent":
        s = p.own_vs_rent
        hourly = s.cloud_usd_per_unit_hour is not None
        key = output or "present_value_saving_usd"

        def model(cloud_units, cloud_discount, cloud_other_usd_per_month, cloud_growth_rate_per_month,
                  owned_capex_usd, lead_time_months, power_usd_per_month, space_usd_per_month,
                  hardware_maintenance_usd_per_month, sre_fte, loaded_cost_usd_per_fte_per_year, discount_rate_per_year,
                  cloud_usd_per_unit_hour=None, cloud_hours_used_share=None, cloud_usd_per_unit_month=None):
            price = cloud_usd_per_unit_hour if hourly else cloud_usd_per_unit_month
            cloud = capex.cloud_usd_per_month(cloud_units, price, cloud_discount, cloud_other_usd_per_month,
                                              cloud_hours_used_share if hourly else None)
            args = dict(lead_time_months=int(round(float(lead_time_months))),
                        cloud_growth_rate_per_month=cloud_growth_rate_per_month,
                        power_usd_per_month=power_usd_per_month, space_usd_per_month=space_usd_per_month,
                        hardware_maintenance_usd_per_month=hardware_maintenance_usd_per_month,
                        sre_team_usd_per_month=tco.people_cost_usd_per_month(sre_fte, loaded_cost_usd_per_fte_per_year),
                        hardware_refresh_months=s.hardware_refresh_months)
            if key == "curve":
                return capex.own_vs_rent_cumulative_saving(cloud, owned_capex_usd, s.horizon_months, **args)
            return capex.own_vs_rent_summary(cloud, owned_capex_usd, s.horizon_months, discount_rate_per_year,
                                             **args)[key]

        return model
    if section == "saas_growth":
        s = p.saas_growth
        months = _saas_horizon(s)

        def model(start_volume_units_per_month, price_usd_per_unit, flat_rate_usd_per_month, volume_multiplier):
            bills = capex.usage_bill_path(start_volume_units_per_month, price_usd_per_unit, volume_multiplier,
                                          s.multiplier_at_month, months)
            if output == "bills":
                return bills
            return capex.flat_rate_saving_usd(bills, flat_rate_usd_per_month)

        return model
    raise ValueError(f"section = {section!r}: expected one of {DECISIONS}")


_RATES = {"discount_rate_per_year", "cloud_growth_rate_per_month", "capex_growth_rate_per_year"}
_SHARES = {"cloud_hours_used_share", "cloud_discount", "salvage_fraction"}

#: Table columns and inputs whose label or unit the name alone does not give (`costlib.labels.describe`).
COLUMNS = {
    **{n: labels.Column(labels.sentence(labels.parse(n)[0]), "share", labels.parse(n)[2]) for n in _RATES | _SHARES},
    "cloud_discount": labels.Column("Cloud discount", "share"),
    "salvage_fraction": labels.Column("Salvage value", "share"),
    "year_total": labels.Column("Year total", "usd"),
    "straight_line": labels.Column("Straight line", "usd"),
    "declining_balance": labels.Column("Declining balance", "usd"),
    "sum_of_years_digits": labels.Column("Sum of the years' digits", "usd"),
    "macrs_5y": labels.Column("MACRS 5-year", "usd"),
    "macrs_3y": labels.Column("MACRS 3-year", "usd"),
    "macrs_7y": labels.Column("MACRS 7-year", "usd"),
    "cloud_units": labels.Column("Cloud units", "count"),
    "cloud_usd_per_unit_hour": labels.Column("Cloud price", "usd", "per unit-hour"),
    "cloud_usd_per_unit_month": labels.Column("Cloud price", "usd", "per unit-month"),
    "cloud_other_usd_per_month": labels.Column("Other cloud cost", "usd", "per month"),
    "gpu_servers": labels.Column("GPU servers", "count"),
    "volume_multiplier": labels.Column("Volume multiple", "multiple"),
    "useful_life_years": labels.Column("Useful life", "years"),
    "in_service_month": labels.Column("In service from", "month"),
}


def default_ranges(p: Params, section: str) -> dict[str, tuple[float, float]]:
    """Tornado and Monte Carlo ranges of a section: every non-zero input -20%/+20% (rates -50%/+50%, lead
    time -50%/+50% in whole months, shares kept within 0 and 1); the scenario's ``<section>.<input>`` ranges
    override and add to these (`costlib.uncertainty.scenario_ranges`)."""
    own = {k.partition(".")[2]: (float(lo), float(hi)) for k, (lo, hi) in p.sensitivity_ranges.items()
           if k.partition(".")[0] == section}
    ranges = {}
    for name, base in model_inputs(p, section).items():
        if base == 0:
            continue
        if name in _RATES:
            ranges[name] = tuple(sorted((0.5 * base, 1.5 * base)))
        elif name == "lead_time_months":
            ranges[name] = (float(round(0.5 * base)), float(round(1.5 * base)))
        elif name in _SHARES:
            ranges[name] = (max(0.0, 0.8 * base), min(1.0, 1.2 * base))
        else:
            ranges[name] = (0.8 * base, 1.2 * base)
    return uncertainty.scenario_ranges(ranges, own)


def _flip_bounds(p: Params, section: str, base: dict) -> dict[str, tuple[float, float]]:
    bounds = {}
    for name, value in base.items():
        if name == "lead_time_months":
            continue  # whole months: scanned separately
        if name in _SHARES:
            bounds[name] = (0.0, 1.0)
        elif name == "discount_rate_per_year":
            bounds[name] = (0.0, 0.95)
        elif name == "cloud_growth_rate_per_month":
            bounds[name] = (-0.2, 0.5)
        elif name == "capex_growth_rate_per_year":
            bounds[name] = (-0.5, 0.9)
        elif name == "volume_multiplier":
            bounds[name] = (1e-3, max(100.0 * value, 1.0))
        elif name == "extra_running_usd_per_year_per_added_life_year":
            bounds[name] = (0.0, p.useful_life_change.capex_usd_per_year)
        elif value > 0:
            bounds[name] = (0.0, 20.0 * value)
    return bounds


def _lead_time_flip(model, base: dict, horizon: int) -> float:
    """The first whole lead time (months) at which the decision flips, scanning 0..horizon."""
    sign = np.sign(float(model(**base)))
    for lead in range(0, horizon + 1):
        if np.sign(float(model(**{**base, "lead_time_months": float(lead)}))) not in (sign, 0.0):
            return float(lead)
    return float("nan")


# ---------------------------------------------------------------------------------------------------
# The analysis.


@dataclass
class Analysis:
    """Everything the notebook shows, computed from one validated scenario."""

    params: Params
    headline: dict
    sections: dict = field(default_factory=dict)
    sensitivity: dict = field(default_factory=dict)
    recommendation: str = ""
    answers: dict = field(default_factory=dict)


def analyse(p: Params) -> Analysis:
    """Compute every table, figure and sentence of workbook 03 for scenario ``p``."""
    headline: dict = {}
    sections: dict = {}
    if p.buy_vs_rent is not None:
        sections["buy_vs_rent"] = _buy_vs_rent(p)
    if p.fleet is not None:
        sections["fleet"] = _fleet(p.fleet)
    if p.useful_life_change is not None:
        sections["useful_life_change"] = _useful_life(p.useful_life_change)
    if p.own_vs_rent is not None:
        sections["own_vs_rent"] = _own_vs_rent(p)
    if p.saas_growth is not None:
        sections["saas_growth"] = _saas(p)
    sensitivity = {s: _sensitivity(p, s) for s in DECISIONS if s in sections}
    if p.own_vs_rent is not None and p.own_vs_rent.owned_capex_usd is None:
        sections["fleet"]["headline"].pop("fleet_cost_usd")  # the fleet is the owned capacity: owned_capex_usd
    for name in SECTIONS:
        if name in sections:
            headline.update(sections[name]["headline"])
            if name in sensitivity:
                headline.update(sensitivity[name]["headline"])
    analysis = Analysis(params=p, headline=headline, sections=sections, sensitivity=sensitivity)
    analysis.answers = {s: contract.Answer(s, _answer_figure(p, s, headline), sens["model"], sens["base"], 0.0,
                                           sens["assessment"], extra={"whole_inputs": ("lead_time_months",)})
                        for s, sens in sensitivity.items()}
    analysis.recommendation = recommendation(analysis)
    return analysis


def month_grid(monthly: pd.Series) -> pd.DataFrame:
    """A monthly series as a year x month-of-year grid (columns m1..m12 and the year's total).

    Examples
    --------
    >>> month_grid(pd.Series(range(1, 15), index=range(1, 15)))[["year", "m1", "m2", "m12", "year_total"]]
       year    m1    m2   m12  year_total
    0     1   1.0   2.0  12.0        78.0
    1     2  13.0  14.0   0.0        27.0
    """
    values = np.asarray(monthly, dtype=float)
    years = math.ceil(len(values) / 12)
    padded = np.zeros(12 * years)
    padded[:len(values)] = values
    grid = pd.DataFrame(padded.reshape(years, 12), columns=[f"m{k}" for k in range(1, 13)])
    grid.insert(0, "year", range(1, years + 1))
    grid["year_total"] = grid[[f"m{k}" for k in range(1, 13)]].sum(axis=1)
    return grid


def method_comparison(cost_usd: float, useful_life_years: int, salvage_usd: float, factor: float,
                      macrs_period: int) -> pd.DataFrame:
    """Yearly depreciation of one asset under each method (MACRS at its GDS recovery period, salvage ignored).

    Examples
    --------
    $10,000, 4 years, $1,000 salvage. Straight-line: 9,000 / 4. Double-declining (rate 2/4): 5,000; 2,500;
    then max(1,250, SL (2,500 - 1,000) / 2 = 750) = 1,250; the last year takes book value to salvage: 250.
    Sum-of-years-digits: 9,000 x 4/10, 3/10, 2/10, 1/10. MACRS 5-year: 10,000 x Table A-1 percentages.

    >>> method_comparison(10_000, 4, 1_000, 2.0, 5).round(0).iloc[:, :5]
       year  straight_line  declining_balance  sum_of_years_digits  macrs_5y
    0     1         2250.0             5000.0               3600.0    2000.0
    1     2         2250.0             2500.0               2700.0    3200.0
    2     3         2250.0             1250.0               1800.0    1920.0
    3     4         2250.0              250.0                900.0    1152.0
    4     5            0.0                0.0                  0.0    1152.0
    5     6            0.0                0.0                  0.0     576.0
    """
    life = useful_life_years
    schedules = {m: capex.depreciation_by_year(cost_usd, life, salvage_usd, m, factor)
                 for m in ("straight_line", "declining_balance", "sum_of_years_digits")}
    schedules[f"macrs_{macrs_period}y"] = capex.macrs_gds_half_year(cost_usd, macrs_period)
    years = max(len(v) for v in schedules.values())
    frame = pd.DataFrame({k: np.pad(v, (0, years - len(v))) for k, v in schedules.items()})
    frame.insert(0, "year", range(1, years + 1))
    return frame


def _book_values(methods: pd.DataFrame, cost_usd: float) -> pd.DataFrame:
    """The methods' schedules in long form with the book value (`costlib.capex.book_value`) of each year."""
    long = methods.melt(id_vars="year", var_name="method", value_name="depreciation_usd")
    long["book_value_usd"] = np.concatenate([capex.book_value(cost_usd, methods[m].to_numpy())
                                             for m in methods.columns[1:]])
    start = pd.DataFrame({"year": 0, "method": methods.columns[1:], "depreciation_usd": 0.0,
                          "book_value_usd": cost_usd})
    return pd.concat([start, long], ignore_index=True)


def _views_table(buy: pd.DataFrame, rent: pd.DataFrame, buy_label: str, rent_label: str) -> pd.DataFrame:
    """Year by year: each option's cash out and P&L expense, and the EBITDA and FCF gain of owning."""
    return pd.DataFrame({
        "year": buy.index.to_numpy(),
        f"{rent_label}_cash_out_usd": rent["cash_out_usd"].to_numpy(),
        f"{rent_label}_pnl_expense_usd": rent["pnl_expense_usd"].to_numpy(),
        f"{buy_label}_cash_out_usd": buy["cash_out_usd"].to_numpy(),
        f"{buy_label}_depreciation_usd": buy["depreciation_usd"].to_numpy(),
        f"{buy_label}_pnl_expense_usd": buy["pnl_expense_usd"].to_numpy(),
        **{k: v.to_numpy() for k, v in capex.gain_from_owning(buy, rent).items()},
    })


def _cumulative_long(curves: pd.DataFrame, rent_label: str, own_label: str) -> pd.DataFrame:
    return pd.concat([
        pd.DataFrame({"month": curves.index, "option": rent_label, "cumulative_usd": curves["cumulative_cloud_usd"]}),
        pd.DataFrame({"month": curves.index, "option": own_label, "cumulative_usd": curves["cumulative_owned_usd"]}),
    ], ignore_index=True)


def _buy_vs_rent(p: Params) -> dict:
    s = p.buy_vs_rent
    years = _bvr_horizon_years(s)
    views = capex.buy_vs_rent_views(s.capex_usd, s.useful_life_years, s.rent_usd_per_year, years, s.salvage_usd,
                                    s.method, s.factor, s.owned_running_usd_per_year)
    buy, rent = views.loc["buy"], views.loc["rent"]
    table = _views_table(buy, rent, "buy", "rent")
    months = 12 * years
    rent_usd_per_month = capex.usd_per_month_from_year(s.rent_usd_per_year)
    running_usd_per_month = capex.usd_per_month_from_year(s.owned_running_usd_per_year)
    curves = capex.own_vs_rent_curves(rent_usd_per_month, s.capex_usd, months,
                                      hardware_maintenance_usd_per_month=running_usd_per_month)
    summary = capex.own_vs_rent_summary(rent_usd_per_month, s.capex_usd, months, p.discount_rate_per_year,
                                        hardware_maintenance_usd_per_month=running_usd_per_month)
    monthly = capex.depreciation_by_month(s.capex_usd, s.useful_life_years, s.salvage_usd, s.method, s.factor)
    methods = method_comparison(s.capex_usd, s.useful_life_years, s.salvage_usd, s.factor,
                                s.macrs_recovery_period_years)
    y1_buy, y1_rent, y1_gain = buy.loc[1], rent.loc[1], table.set_index("year").loc[1]  # the gains of owning, year 1
    be = summary["break_even_month"]
    headline = {
        "buy_cash_out_year_1_usd": float(y1_buy["cash_out_usd"]),
        "buy_depreciation_year_1_usd": float(y1_buy["depreciation_usd"]),
        "buy_pnl_expense_year_1_usd": float(y1_buy["pnl_expense_usd"]),
        "rent_cash_out_year_1_usd": float(y1_rent["cash_out_usd"]),
        "ebitda_gain_from_buying_year_1_usd": float(y1_gain["ebitda_gain_from_owning_usd"]),
        "fcf_gain_from_buying_year_1_usd": float(y1_gain["fcf_gain_from_owning_usd"]),
        "buy_break_even_month": be,
        "pv_saving_from_buying_usd": float(summary["present_value_saving_usd"]),
    }
    return {"views": views, "table": table, "curves": curves, "summary": summary, "monthly": month_grid(monthly),
            "methods": methods, "book_values": _book_values(methods, s.capex_usd), "years": years,
            "months": months, "headline": headline}


def _fleet(f: Fleet) -> dict:
    assets = [a.model_dump() for a in f.assets]
    by_year = capex.fleet_depreciation_by_year(assets, f.horizon_years)
    by_month = capex.fleet_depreciation_by_month(assets, None if f.horizon_years is None else 12 * f.horizon_years)
    largest = max(f.assets, key=lambda a: a.cost_usd)
    methods = method_comparison(largest.cost_usd, largest.useful_life_years, largest.salvage_usd, largest.factor,
                                f.macrs_recovery_period_years)
    assets_table = pd.DataFrame([{"asset": a.name, "cost_usd": a.cost_usd, "salvage_usd": a.salvage_usd,
                                  "method": METHOD_LABELS[a.method], "useful_life_years": a.useful_life_years,
                                  "in_service_month": a.in_service_month,
                                  "depreciation_year_1_usd": float(by_year.loc[1, a.name])} for a in f.assets])
    long = by_month.drop(columns="total_usd").reset_index().melt(id_vars="month", var_name="asset",
                                                                 value_name="depreciation_usd")
    total = float(sum(a.cost_usd for a in f.assets))
    headline = {
        "fleet_cost_usd": total,
        "fleet_depreciation_year_1_usd": float(by_year.loc[1, "total_usd"]),
    }
    if len(by_year) > 1:
        headline["fleet_depreciation_year_2_usd"] = float(by_year.loc[2, "total_usd"])
    return {"assets": assets_table, "by_year": by_year.reset_index(), "by_month": by_month,
            "by_month_long": long, "grid": month_grid(by_month["total_usd"]), "largest": largest,
            "methods": methods, "book_values": _book_values(methods, largest.cost_usd), "total_usd": total,
            "headline": headline}


def _life_key(cur: int, new: int) -> str:
    return f"{cur}_to_{new}y_life"


def _useful_life(u: UsefulLifeChange) -> dict:
    cur = u.current_useful_life_years
    changes = {new: capex.useful_life_change_prospective(u.capex_usd_per_year, cur, new, u.horizon_years,
                                                         u.salvage_fraction, u.capex_growth_rate_per_year)
               for new in u.new_useful_lives_years}
    first = next(iter(changes.values()))
    table = pd.DataFrame({"year": first.index, "capex_usd": first["capex_usd"],
                          f"expense_{cur}y_life_usd": first["expense_before_usd"]})
    for new, df in changes.items():
        table[f"expense_{new}y_life_usd"] = df["expense_after_usd"].to_numpy()
    for new, df in changes.items():
        table[f"reduction_{cur}_to_{new}y_usd"] = df["expense_reduction_usd"].to_numpy()
    long = pd.concat([pd.DataFrame({"year": first.index, "policy": f"keep {cur} years",
                                    "expense_usd": first["expense_before_usd"]})] +
                     [pd.DataFrame({"year": df.index, "policy": f"change to {new} years",
                                    "expense_usd": df["expense_after_usd"]}) for new, df in changes.items()],
                     ignore_index=True)
    last = u.new_useful_lives_years[-1]
    added = capex.added_life_years(cur, last)
    cumulative = float(changes[last]["cumulative_reduction_usd"].iloc[-1])
    max_extra = capex.break_even_extra_running_usd_per_year(cumulative, added, u.horizon_years)
    headline = {f"depreciation_{cur}y_life_year_1_usd": float(first["expense_before_usd"].iloc[0])}
    for new, df in changes.items():
        headline[f"expense_reduction_{_life_key(cur, new)}_year_1_usd"] = float(df["expense_reduction_usd"].iloc[0])
    headline[f"cumulative_reduction_{_life_key(cur, last)}_usd"] = cumulative
    net_gain = capex.longer_life_net_gain_usd(cumulative, added, u.horizon_years,
                                              u.extra_running_usd_per_year_per_added_life_year)
    if u.extra_running_usd_per_year_per_added_life_year > 0:
        headline[f"net_gain_{_life_key(cur, last)}_usd"] = net_gain
    headline["max_extra_running_usd_per_year_per_added_life_year"] = max_extra
    return {"changes": changes, "table": table, "long": long, "last": last, "added": added,
            "cumulative": cumulative, "net_gain": net_gain, "max_extra": max_extra, "headline": headline}


def _owned_depreciation_by_month(p: Params) -> pd.Series:
    """Monthly depreciation of the owned capacity: the fleet's assets, or one asset in service after the
    lead time; a hardware refresh repeats the purchase (in service in the month it is bought)."""
    o = p.own_vs_rent
    horizon = o.horizon_months
    if o.owned_capex_usd is None:
        base = [a.model_dump() for a in p.fleet.assets]
    else:
        base = [{"name": "owned_capacity", "cost_usd": o.owned_capex_usd, "in_service_month": o.lead_time_months + 1,
                 "useful_life_years": o.useful_life_years or 5, "method": o.depreciation_method}]
    assets = list(base)
    if o.hardware_refresh_months:
        k = 1
        while 1 + k * o.hardware_refresh_months <= horizon:
            for a in base:
                shift = dict(a)
                shift["name"] = f"{a['name']}_refresh_{k}"
                shift["in_service_month"] = 1 + k * o.hardware_refresh_months
                assets.append(shift)
            k += 1
    if all(a["cost_usd"] == 0 for a in assets):
        return pd.Series(np.zeros(horizon), index=pd.RangeIndex(1, horizon + 1, name="month"))
    return capex.fleet_depreciation_by_month(assets, horizon)["total_usd"]


def _own_vs_rent(p: Params) -> dict:
    o = p.own_vs_rent
    base = model_inputs(p, "own_vs_rent")
    hourly = o.cloud_usd_per_unit_hour is not None
    cloud = capex.cloud_usd_per_month(o.cloud_units,
                                      o.cloud_usd_per_unit_hour if hourly else o.cloud_usd_per_unit_month,
                                      o.cloud_discount, o.cloud_other_usd_per_month,
                                      o.cloud_hours_used_share if hourly else None)
    sre = tco.people_cost_usd_per_month(o.sre_fte, o.loaded_cost_usd_per_fte_per_year)
    owned_capex = base["owned_capex_usd"]
    args = dict(lead_time_months=o.lead_time_months, cloud_growth_rate_per_month=o.cloud_growth_rate_per_month,
                power_usd_per_month=o.power_usd_per_month, space_usd_per_month=o.space_usd_per_month,
                hardware_maintenance_usd_per_month=o.hardware_maintenance_usd_per_month,
                sre_team_usd_per_month=sre, hardware_refresh_months=o.hardware_refresh_months)
    curves = capex.own_vs_rent_curves(cloud, owned_capex, o.horizon_months, **args)
    summary = capex.own_vs_rent_summary(cloud, owned_capex, o.horizon_months, p.discount_rate_per_year, **args)
    depreciation = _owned_depreciation_by_month(p)
    own_views = capex.pnl_and_cash_by_year(curves["owned_total_usd"], curves["owned_capex_usd"], depreciation)
    cloud_views = capex.pnl_and_cash_by_year(curves["cloud_usd"])
    table = _views_table(own_views, cloud_views, "own", "cloud")
    running = capex.owned_running_usd_per_month(o.power_usd_per_month, o.space_usd_per_month,
                                                o.hardware_maintenance_usd_per_month, sre)
    running_table = pd.DataFrame([
        {"line": "cloud bill, month 1", "usd_per_month": cloud},
        {"line": "owned: power", "usd_per_month": o.power_usd_per_month},
        {"line": "owned: space", "usd_per_month": o.space_usd_per_month},
        {"line": "owned: hardware maintenance", "usd_per_month": o.hardware_maintenance_usd_per_month},
        {"line": f"owned: SRE / hardware team ({o.sre_fte:g} FTE)", "usd_per_month": sre},
        {"line": "owned: running total", "usd_per_month": running},
    ])
    be = summary["break_even_month"]
    headline = {
        "cloud_bill_month_1_usd": cloud,
        "owned_capex_usd": owned_capex,
        "owned_running_usd_per_month": running,
        "lead_time_months": o.lead_time_months,
        "break_even_month": be,
        "pv_cloud_usd": float(summary["present_value_cloud_usd"]),
        "pv_owned_usd": float(summary["present_value_owned_usd"]),
        "pv_saving_from_owning_usd": float(summary["present_value_saving_usd"]),
    }
    return {"cloud_usd_per_month": cloud, "running_usd_per_month": running, "sre_usd_per_month": sre,
            "curves": curves, "summary": summary, "own_views": own_views, "cloud_views": cloud_views,
            "table": table, "running_table": running_table, "owned_capex_usd": owned_capex,
            "depreciation": depreciation, "headline": headline}


def _saas(p: Params) -> dict:
    s = p.saas_growth
    months = _saas_horizon(s)
    df = capex.saas_flat_rate_comparison(s.start_volume_units_per_month, s.price_usd_per_unit,
                                         s.flat_rate_usd_per_month, s.volume_multiplier, s.multiplier_at_month, months)
    x = capex.flat_rate_crossover(s.start_volume_units_per_month, s.price_usd_per_unit, s.flat_rate_usd_per_month,
                                  s.volume_multiplier, s.multiplier_at_month, months)
    usage_total = float(df["usage_bill_usd"].sum())
    flat_total = float(df["flat_bill_usd"].sum())
    at = s.multiplier_at_month
    bill_at = float(capex.usage_bill_path(s.start_volume_units_per_month, s.price_usd_per_unit, s.volume_multiplier,
                                          at, at)[-1])
    headline = {
        "usage_bill_month_1_usd": float(df["usage_bill_usd"].iloc[0]),
        f"usage_bill_month_{at}_usd": bill_at,
        "flat_rate_usd_per_month": s.flat_rate_usd_per_month,
        f"crossover_volume_{s.unit_name}_per_month": float(x["crossover_volume_units_per_month"]),
        "crossover_month": x["crossover_month"],
        "usage_bill_total_usd": usage_total,
        "flat_rate_total_usd": flat_total,
        "flat_rate_saving_usd": capex.flat_rate_saving_usd(df["usage_bill_usd"], s.flat_rate_usd_per_month),
        "max_flat_rate_worth_signing_usd_per_month": capex.max_flat_rate_usd_per_month(df["usage_bill_usd"]),
    }
    unit = s.unit_name.replace("_", " ")
    long = pd.concat([
        pd.DataFrame({"month": df.index, "bill": f"pay per {unit}", "usd_per_month": df["usage_bill_usd"]}),
        pd.DataFrame({"month": df.index, "bill": "flat rate", "usd_per_month": df["flat_bill_usd"]}),
    ], ignore_index=True)
    table = df.reset_index()[["month", "volume_units", "usage_bill_usd", "flat_bill_usd", "cheaper",
                                "cumulative_savings_usd"]].rename(columns={"volume_units": f"{s.unit_name}_per_month"})
    return {"table": table, "comparison": df, "crossover": x, "long": long, "months": months,
            "usage_total": usage_total,
            "flat_total": flat_total, "headline": headline}


def _answer_figure(p: Params, section: str, headline: dict) -> str:
    """The headline key whose value the section's model reproduces at base."""
    if section == "useful_life_change":
        u = p.useful_life_change
        key = _life_key(u.current_useful_life_years, u.new_useful_lives_years[-1])
        return f"net_gain_{key}_usd" if f"net_gain_{key}_usd" in headline else f"cumulative_reduction_{key}_usd"
    return {"buy_vs_rent": "pv_saving_from_buying_usd", "own_vs_rent": "pv_saving_from_owning_usd",
            "saas_growth": "flat_rate_saving_usd"}[section]


def _sensitivity(p: Params, section: str) -> dict:
    base = model_inputs(p, section)
    model = make_model(p, section)
    ranges = default_ranges(p, section)
    prefix = {"buy_vs_rent": "pv_saving_from_buying", "own_vs_rent": "pv_saving_from_owning",
              "saas_growth": "flat_rate_saving"}.get(section)
    mc_ranges = {k: v for k, v in ranges.items() if k != "lead_time_months"}
    curve = None
    if prefix is not None and section in ("buy_vs_rent", "own_vs_rent"):
        curve = make_model(p, section, "curve")
    elif prefix is not None:
        curve = make_model(p, section, "bills")
    assessment = uncertainty.assess(model, base, ranges, flip_bounds=_flip_bounds(p, section, base), target=0.0,
                                    sampled=mc_ranges if prefix is not None else {}, curve=curve,
                                    draws_from="model", n=p.monte_carlo_draws, seed=p.seed)
    flips = assessment.flips
    if section == "own_vs_rent":
        lead = _lead_time_flip(model, base, p.own_vs_rent.horizon_months)
        b = base["lead_time_months"]
        when = (f"{'above' if lead > b else 'below'} {lead:g}" if math.isfinite(lead) else
                f"no flip between 0 and {p.own_vs_rent.horizon_months}")
        flips = pd.concat([flips, pd.DataFrame([{"input": "lead_time_months", "base_value": b, "flip_value": lead,
                                                 "change_from_base": (lead - b) / b if b else float("nan"),
                                                 "flips_when": when}])], ignore_index=True)
        assessment.flips = flips
    out = {"tornado": assessment.tornado, "flips": flips, "ranges": ranges, "output_label": OUTPUT_LABELS[section],
           "band": assessment.band, "headline": {}, "assessment": assessment, "model": model, "base": base}
    if prefix is None or not mc_ranges:
        out["band"] = None
        return out
    out.update(p10=assessment.p10, p50=assessment.p50, p90=assessment.p90,
               probability=float(np.mean(assessment.draws.outputs > 0)))
    out["headline"] = {f"{prefix}_p10_usd": assessment.p10, f"{prefix}_p90_usd": assessment.p90}
    if section in ("buy_vs_rent", "own_vs_rent"):
        curve_run = uncertainty.monte_carlo(curve, base, mc_ranges, n=p.monte_carlo_draws, seed=p.seed)
        out["probability_breaks_even"] = float(np.mean(curve_run.outputs[:, -1] >= 0))
    return out


# ---------------------------------------------------------------------------------------------------
# Words.


_usd, _pct, _count = report.usd, report.pct, report.count


def _months(m) -> str:
    return f"month {int(m)}" if m is not None and math.isfinite(m) else "never (within the horizon)"


def _fmt_input(name: str, value: float) -> str:
    """An input's value by its unit: the label registry (`COLUMNS`, then the unit in the name)."""
    return contract.input_text(name, value, FIGURES, columns=COLUMNS) if name.split(".")[-1] in COLUMNS or not (
        name.endswith("_usd") or "_usd_" in name) else _usd(value)


def _name(key: str) -> str:
    return contract.input_name(key, FIGURES, columns=COLUMNS)


def _close_call(probability: float, option: str) -> str:
    """A warning when the verdict holds in fewer than 80% of the Monte Carlo draws (`uncertainty.close_call`)."""
    if uncertainty.close_call(probability):
        return (f"**This is a close call:** over the stated input ranges {option} wins in only {_pct(probability)} "
                "of the Monte Carlo draws; firm up the inputs at the top of the tornado before committing.")
    return ""


def _flip_sentence(flips: pd.DataFrame, limit: int = 3) -> str:
    found = flips[np.isfinite(flips["flip_value"].astype(float))].copy()
    if found.empty:
        return "No single input flips it within its plausible range."
    found["distance"] = found["change_from_base"].abs().fillna(np.inf)
    found = found.sort_values("distance", kind="stable")
    # Inputs that flip at the same relative change act on the answer the same way (units, price and
    # hours used all scale the cloud bill): one clause for them.
    found["group"] = [round(c, 3) if math.isfinite(c) else f"nan_{i}" for i, c in
                      zip(found["input"], found["change_from_base"])]
    parts = []
    for _, group in list(found.groupby("group", sort=False))[:limit]:
        change = group["change_from_base"].iloc[0]
        names = " or ".join(f"**{_name(r['input'])}** falls to {_fmt_input(r['input'], r['flip_value'])} (today "
                            f"{_fmt_input(r['input'], r['base_value'])})" if r["flip_value"] < r["base_value"] else
                            f"**{_name(r['input'])}** rises to {_fmt_input(r['input'], r['flip_value'])} (today "
                            f"{_fmt_input(r['input'], r['base_value'])})" for _, r in group.iterrows())
        parts.append(names + (f", {change:+.0%}" if math.isfinite(change) else ""))
    return "The verdict flips if " + "; or if ".join(parts) + "."


def _tornado_sentence(t: pd.DataFrame, label: str) -> str:
    if t.empty:
        return ""
    top = t.iloc[0]
    return (f"The answer is most sensitive to **{_name(top['input'])}**: across {_fmt_input(top['input'], top['low'])} to "
            f"{_fmt_input(top['input'], top['high'])} the {label} moves from {_usd(top['output_at_low'])} to "
            f"{_usd(top['output_at_high'])}.")


_VERDICTS = {  # section: (question, verdict when the answer is > 0, verdict otherwise)
    "buy_vs_rent": ("Buy or rent {what}", "buy", "rent"),
    "own_vs_rent": ("Own the capacity or stay on the cloud", "own", "stay on the cloud"),
    "useful_life_change": ("Extend the servers' useful life to {last} years", "extend", "keep {current} years"),
    "saas_growth": ("Sign the flat rate for {vendor}", "sign the flat rate", "stay on pay-per-use"),
}


def decisions(a: Analysis) -> list[contract.Decision]:
    """The verdicts as records: one per decision section in the scenario."""
    p = a.params
    out = []
    for section, answer in a.answers.items():
        question, yes, no = _VERDICTS[section]
        fields = {"what": getattr(p.buy_vs_rent, "what", ""), "vendor": getattr(p.saas_growth, "vendor", ""),
                  "last": p.useful_life_change.new_useful_lives_years[-1] if p.useful_life_change else "",
                  "current": p.useful_life_change.current_useful_life_years if p.useful_life_change else ""}
        value = a.headline[answer.figure]
        positive = value >= 0 if section == "buy_vs_rent" else value > 0
        sens = a.sensitivity[section]
        probability = sens.get("probability")
        found = sens["flips"][np.isfinite(sens["flips"]["flip_value"].astype(float))]
        flips = [f"{_name(r['input'])} is {'above' if r['flip_value'] > r['base_value'] else 'below'} "
                 f"{_fmt_input(r['input'], r['flip_value'])}" for _, r in found.head(2).iterrows()]
        rests = [answer.figure] + [k for k in (_WHATIF_KEYS.get(section),) if k and k in a.headline]
        out.append(contract.Decision(
            question=question.format(**fields), verdict=(yes if positive else no).format(**fields),
            rests_on=tuple(rests), flips_when=" or ".join(flips),
            agreement=uncertainty.agreement(probability, positive)))
    return out


def recommendation(a: Analysis) -> str:
    """The recommendation in words, computed from the analysis: it changes when the numbers change."""
    words = {"buy_vs_rent": _words_buy_vs_rent, "own_vs_rent": _words_own_vs_rent,
             "useful_life_change": _words_useful_life, "saas_growth": _words_saas, "fleet": _words_fleet}
    rows = {r["key"]: r for r in contract.figure_rows(a.headline, FIGURES)}
    parts = [contract.decision_words(d, rows) for d in decisions(a)]
    parts += [words[name](a) for name in SECTIONS if name in a.sections]
    return "\n\n".join(x for x in parts if x)


def _words_buy_vs_rent(a: Analysis) -> str:
    p, s, sec, sens = a.params, a.params.buy_vs_rent, a.sections["buy_vs_rent"], a.sensitivity["buy_vs_rent"]
    h, summary, years = sec["headline"], sec["summary"], sec["years"]
    saving, be = h["pv_saving_from_buying_usd"], summary["break_even_month"]
    pv_buy, pv_rent = summary["present_value_owned_usd"], summary["present_value_cloud_usd"]
    lines = []
    if saving >= 0:
        lines.append(f"**Buy {report.escape(s.what)}, if the cash is there.** Over {years} years buying costs {_usd(pv_buy)} in "
                     f"present value at {_pct(p.discount_rate_per_year)} a year against {_usd(pv_rent)} for renting: "
                     f"{_usd(saving)} cheaper. Buying's cumulative cash drops below renting's in {_months(be)} of "
                     f"{sec['months']}.")
    else:
        tail = ("buying never catches up within the horizon" if be is None
                else f"buying only breaks even in month {be} of {sec['months']}")
        lines.append(f"**Rent {report.escape(s.what)}.** Over {years} years renting costs {_usd(pv_rent)} in present value at "
                     f"{_pct(p.discount_rate_per_year)} a year against {_usd(pv_buy)} for buying: {_usd(-saving)} "
                     f"cheaper; {tail}.")
    ebitda, fcf = h["ebitda_gain_from_buying_year_1_usd"], h["fcf_gain_from_buying_year_1_usd"]
    running = (f" plus {_usd(s.owned_running_usd_per_year)} of running costs" if s.owned_running_usd_per_year else "")
    lines.append(
        f"The P&L and the cash tell different stories. In year 1 buying puts {_usd(h['buy_cash_out_year_1_usd'])} of "
        f"cash out but only {_usd(h['buy_pnl_expense_year_1_usd'])} of expense on the P&L "
        f"({_usd(h['buy_depreciation_year_1_usd'])} of {METHOD_LABELS[s.method]} depreciation{running}); renting "
        f"puts {_usd(h['rent_cash_out_year_1_usd'])} on both. So buying shows {_usd(abs(ebitda))} "
        f"{'more' if ebitda >= 0 else 'less'} EBITDA than renting in year 1 and {_usd(abs(fcf))} "
        f"{'more' if fcf >= 0 else 'less'} free cash flow: "
        + ("the EBITDA play favours buying; a cash-constrained company (the FCF play) rents."
           if ebitda >= 0 and fcf < 0 else "both views point the same way."))
    lines.append(_flip_sentence(sens["flips"]) + (f" Renting for a shorter time than the break-even ({_months(be)}) "
                                                    "also favours renting." if be is not None else ""))
    lines.append(_tornado_sentence(sens["tornado"], "PV saving from buying"))
    if "probability" in sens:
        lines.append(f"Across the stated ranges buying is cheaper in {_pct(sens['probability'])} of draws "
                     f"(PV saving P10 {_usd(sens['p10'])}, P90 {_usd(sens['p90'])}).")
        lines.insert(1, _close_call(uncertainty.agreement(sens["probability"], saving >= 0),
                                    "buying" if saving >= 0 else "renting"))
    return "\n\n".join(x for x in lines if x)


def _words_fleet(a: Analysis) -> str:
    f = a.sections["fleet"]
    h, big, m = f["headline"], f["largest"], f["methods"].iloc[0]
    macrs_col = f["methods"].columns[-1]
    year2 = (f" and {_usd(h['fleet_depreciation_year_2_usd'])} in year 2" if "fleet_depreciation_year_2_usd" in h
             else "")
    return (f"**Fleet depreciation.** The {len(a.params.fleet.assets)} assets ({_usd(f['total_usd'])}) put "
            f"{_usd(h['fleet_depreciation_year_1_usd'])} of depreciation on the P&L in year 1{year2}; each starts in "
            f"the month it goes into service. The method moves the timing, not the total: for **{labels.words(big.name)}** "
            f"({_usd(big.cost_usd)}, {big.useful_life_years} years) year-1 expense is {_usd(m['straight_line'])} "
            f"straight-line, {_usd(m['declining_balance'])} declining balance and {_usd(m['sum_of_years_digits'])} "
            f"sum-of-years-digits, while the tax schedule (MACRS GDS {macrs_col.split('_')[1][:-1]}-year, IRS Pub 946 "
            f"Table A-1) deducts {_usd(m[macrs_col])}.")


def _words_useful_life(a: Analysis) -> str:
    u, sec, sens = a.params.useful_life_change, a.sections["useful_life_change"], a.sensitivity["useful_life_change"]
    cur, last = u.current_useful_life_years, sec["last"]
    year1 = {new: float(df["expense_reduction_usd"].iloc[0]) for new, df in sec["changes"].items()}
    final = float(sec["changes"][last]["expense_reduction_usd"].iloc[-1])
    others = ", ".join(f"{_usd(v)} for {new} years" for new, v in year1.items() if new != last)
    verb = "adds" if year1[last] >= 0 else "takes"
    lines = [
        f"**Moving servers from {cur} to {last} years {verb} {_usd(abs(year1[last]))} "
        f"{'to' if year1[last] >= 0 else 'from'} operating income in year 1**"
        + (f" ({others})" if others else "") +
        f" and {_usd(sec['cumulative'])} over {u.horizon_years} years, without changing cash: the same servers are "
        f"bought either way. The gain comes at once because the remaining book value of servers already in service "
        f"is spread over more years; by year {u.horizon_years} it is {_usd(final)} a year"
        + (" (growing capex keeps it above zero)." if u.capex_growth_rate_per_year > 0 and final > 0 else
           " (with flat capex the fleet's expense returns to the same level once every cohort is on the new life)."
           if abs(final) < 1e-6 * u.capex_usd_per_year else ".")]
    if sec["added"]:
        lines.append(
            f"It is an accounting estimate, so it must be true: the software must run on {last}-year-old hardware "
            f"(retries, graceful degradation, spares). The change pays only while keeping servers longer costs less "
            f"than {_usd(sec['max_extra'])} a year per added year of life (assumed today: "
            f"{_usd(u.extra_running_usd_per_year_per_added_life_year)}); above that, operating income over "
            f"{u.horizon_years} years is worse off.")
    lines.append(_tornado_sentence(sens["tornado"], "gain"))
    return "\n\n".join(x for x in lines if x)


def _words_own_vs_rent(a: Analysis) -> str:
    p, o, sec, sens = a.params, a.params.own_vs_rent, a.sections["own_vs_rent"], a.sensitivity["own_vs_rent"]
    h, summary = sec["headline"], sec["summary"]
    saving, be, horizon = h["pv_saving_from_owning_usd"], summary["break_even_month"], o.horizon_months
    lines = []
    if saving > 0:
        lines.append(
            f"**Own the capacity: {_usd(saving)} cheaper than the cloud in present value over {horizon} months.** "
            f"Owning costs {_usd(h['pv_owned_usd'])} at {_pct(p.discount_rate_per_year)} a year against "
            f"{_usd(h['pv_cloud_usd'])} on the cloud. With a {o.lead_time_months}-month lead time (the cloud keeps "
            f"running while the "
            f"capacity is bought, built and migrated) the cumulative cost breaks even in {_months(be)}, leaving "
            f"{horizon - be if be else 0} months of savings in the horizon.")
    else:
        tail = ("owning never catches up within the horizon" if be is None
                else f"owning only breaks even in month {be}, too late to pay back the capital in present value")
        lines.append(
            f"**Stay on the cloud: {_usd(-saving)} cheaper than owning in present value over {horizon} months.** "
            f"The cloud costs {_usd(h['pv_cloud_usd'])} at {_pct(p.discount_rate_per_year)} a year against "
            f"{_usd(h['pv_owned_usd'])} to own; {tail}.")
    own1, cloud1 = sec["own_views"].iloc[0], sec["cloud_views"].iloc[0]
    table = sec["table"]
    later = table.iloc[1] if len(table) > 1 else table.iloc[0]
    lines.append(
        f"Owning spends {_usd(sec['owned_capex_usd'])} up front: year-1 cash out is {_usd(own1['cash_out_usd'])} "
        f"against {_usd(cloud1['cash_out_usd'])} on the cloud. From year {int(later['year'])} EBITDA is "
        f"{_usd(abs(later['ebitda_gain_from_owning_usd']))} "
        f"{'higher' if later['ebitda_gain_from_owning_usd'] >= 0 else 'lower'} "
        f"a year when owning, because the hardware's cost sits below EBITDA as depreciation.")
    lines.append(_flip_sentence(sens["flips"]))
    lines.append(_tornado_sentence(sens["tornado"], "PV saving from owning"))
    if "probability" in sens:
        lines.append(f"Across the stated ranges owning is cheaper in present value in {_pct(sens['probability'])} of "
                     f"draws and has paid back by month {horizon} in {_pct(sens['probability_breaks_even'])} "
                     f"(PV saving P10 {_usd(sens['p10'])}, P90 {_usd(sens['p90'])}).")
        lines.insert(1, _close_call(uncertainty.agreement(sens["probability"], saving > 0),
                                    "owning" if saving > 0 else "the cloud"))
    return "\n\n".join(x for x in lines if x)


def _words_saas(a: Analysis) -> str:
    s, sec, sens = a.params.saas_growth, a.sections["saas_growth"], a.sensitivity["saas_growth"]
    h, x, months = sec["headline"], sec["crossover"], sec["months"]
    unit, at = s.unit_name.replace("_", " "), s.multiplier_at_month
    saving, ceiling = h["flat_rate_saving_usd"], h["max_flat_rate_worth_signing_usd_per_month"]
    lines = [f"The {report.escape(s.vendor)} bill grows from {_usd(h['usage_bill_month_1_usd'])} a month to "
             f"{_usd(h[f'usage_bill_month_{at}_usd'])} by month {at} ({s.volume_multiplier:g}x usage)."]
    cross = (f"which usage reaches in month {x['crossover_month']}" if x["crossover_month"] is not None
             else f"which usage does not reach within {months} months")
    lines.append(f"A flat rate of {_usd(s.flat_rate_usd_per_month)} a month beats pricing per {unit} above "
                 f"{_count(h[f'crossover_volume_{s.unit_name}_per_month'])} {unit} a month, {cross}.")
    if saving > 0:
        lines.insert(0, f"**Negotiate the flat rate now: it saves {_usd(saving)} over {months} months.** "
                     f"Signed from month 1 it costs {_usd(sec['flat_total'])} over "
                     f"{months} months against {_usd(sec['usage_total'])} pay-per-use. It stays worth signing up to "
                     f"{_usd(ceiling)} a month (the average pay-per-use bill): that is the "
                     f"ceiling for the negotiation.")
    else:
        lines.insert(0, f"**Not at this price: the flat rate costs {_usd(-saving)} more over {months} months.** "
                     f"Signed from month 1 the flat rate costs {_usd(sec['flat_total'])} over "
                     f"{months} months against {_usd(sec['usage_total'])} pay-per-use. Sign only "
                     f"below {_usd(ceiling)} a month (the average pay-per-use bill)"
                     + (f", or from month {x['crossover_month']}, when the usage bill passes the flat rate."
                        if x["crossover_month"] is not None else "."))
    lines.append(_flip_sentence(sens["flips"]))
    if "probability" in sens:
        lines.append(f"Across the stated ranges the flat rate saves money in {_pct(sens['probability'])} of draws "
                     f"(saving P10 {_usd(sens['p10'])}, P90 {_usd(sens['p90'])}).")
        lines.insert(1, _close_call(uncertainty.agreement(sens["probability"], saving > 0),
                                    "the flat rate" if saving > 0 else "pay-per-use"))
    return "\n\n".join(x for x in lines if x)


# ---------------------------------------------------------------------------------------------------
# What-if controls (interactive runs only).


def _section_controls(p: Params, section: str) -> dict[str, tuple[float, float, float, float]]:
    """Slider settings ``{input: (min, max, step, value)}`` for a decision section's main inputs."""
    base = model_inputs(p, section)
    wanted = {
        "buy_vs_rent": ["rent_usd_per_year", "capex_usd", "owned_running_usd_per_year"],
        "useful_life_change": ["capex_usd_per_year", "capex_growth_rate_per_year",
                               "extra_running_usd_per_year_per_added_life_year"],
        "own_vs_rent": ["cloud_usd_per_unit_hour", "cloud_usd_per_unit_month", "cloud_hours_used_share",
                        "owned_capex_usd", "lead_time_months"],
        "saas_growth": ["volume_multiplier", "flat_rate_usd_per_month", "price_usd_per_unit"],
    }[section]
    controls = {}
    for name in wanted:
        if name not in base:
            continue
        value = float(base[name])
        if name in _SHARES:
            controls[name] = (0.0, 1.0, 0.01, value)
        elif name in _RATES:
            controls[name] = (-0.5, 0.9, 0.01, value)
        elif name == "lead_time_months":
            controls[name] = (0.0, 36.0, 1.0, value)
        else:
            top = 3 * value if value > 0 else (p.useful_life_change.capex_usd_per_year * 0.1
                                               if section == "useful_life_change" else 1.0)
            controls[name] = (0.0, top, top / 300, value)
    return controls


def whatif_controls(p: Params) -> dict[str, tuple[float, float, float, float]]:
    """Sliders ``{"<section>.<input>": (min, max, step, value)}`` for every decision section's main inputs."""
    return {f"{section}.{name}": v for section in DECISIONS if getattr(p, section) is not None
            for name, v in _section_controls(p, section).items()}


def uncertain_inputs(p: Params) -> dict[str, tuple[float, float, float]]:
    """``{"<section>.<input>": (low, base, high)}``: each decision section's ranges around its base values."""
    out = {}
    for section in DECISIONS:
        if getattr(p, section) is None:
            continue
        base = model_inputs(p, section)
        out.update({f"{section}.{k}": (lo, float(base[k]), hi) for k, (lo, hi) in default_ranges(p, section).items()})
    return out


#: The headline figure each decision section's model gives, and its break-even month where it has one.
_WHATIF_KEYS = {"buy_vs_rent": "buy_break_even_month", "own_vs_rent": "break_even_month"}


def whatif(p: Params, **inputs) -> dict:
    """Each decision section's answer (and break-even month) with some ``<section>.<input>`` inputs moved
    (the sliders; the contract's what-if). At the base values these are the headline's figures."""
    out = {}
    for section in DECISIONS:
        if getattr(p, section) is None:
            continue
        moved = {k.partition(".")[2]: v for k, v in inputs.items() if k.partition(".")[0] == section}
        base = {**model_inputs(p, section), **moved}
        key = _answer_figure(p, section, _gain_keys(p))
        out[key] = float(make_model(p, section)(**base))
        if section in _WHATIF_KEYS:
            out[_WHATIF_KEYS[section]] = make_model(p, section, "break_even_month")(**base)
    return out


def _gain_keys(p: Params) -> dict:
    """Which useful-life figure the headline holds: the net gain when older hardware costs more to run."""
    u = p.useful_life_change
    if u is None or u.extra_running_usd_per_year_per_added_life_year <= 0:
        return {}
    return {f"net_gain_{_life_key(u.current_useful_life_years, u.new_useful_lives_years[-1])}_usd": None}


# ---------------------------------------------------------------------------------------------------
# Display helpers for the notebook.

SECTION_TITLES = {
    "buy_vs_rent": "Buy or rent",
    "fleet": "Fleet depreciation",
    "useful_life_change": "Server useful-life change",
    "own_vs_rent": "Own or rent (repatriation)",
    "saas_growth": "SaaS bill against a flat rate",
}


def table(frame: pd.DataFrame):
    """``report.table`` with money columns found by name (``*_usd``, ``*_usd_*``, the month grid)."""
    money = [c for c in frame.columns if str(c).endswith("_usd") or "_usd_" in str(c)
             or str(c) in {f"m{k}" for k in range(1, 13)} | {"year_total", "straight_line", "declining_balance",
                                                             "sum_of_years_digits"}
             or str(c).startswith("macrs_")]
    return report.table(frame, money=money, labels=sys.modules[__name__])


def by_year_table(frame: pd.DataFrame):
    """A year-by-year table turned on its side for reading: one row per measure, one column per year."""
    wide = frame.set_index("year").T
    wide.columns = [f"year {int(y)}" for y in wide.columns]
    wide.insert(0, "measure", [labels.column(str(i), sys.modules[__name__]).header for i in wide.index])
    return report.table(wide.reset_index(drop=True), money=[c for c in wide.columns if c != "measure"],
                        labels=sys.modules[__name__])


def flips_table(a: Analysis, section: str) -> pd.DataFrame:
    """Flip points for people: the input, today's value, the value at which the verdict flips, the change."""
    rows = []
    for _, r in a.sensitivity[section]["flips"].iterrows():
        found = math.isfinite(r["flip_value"])
        rows.append({"input": r["input"], "today": _fmt_input(r["input"], r["base_value"]),
                     "verdict_flips_at": _fmt_input(r["input"], r["flip_value"]) if found else "no flip in range",
                     "change_from_today": f"{r['change_from_base']:+.0%}" if found and
                     math.isfinite(r["change_from_base"]) else ""})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------
# Charts (built from the analysis; `costlib.charts.show` renders them).


def _alt():
    import altair as alt

    from costlib import charts

    charts.setup()
    return alt, charts


def chart_pnl_vs_cash(a: Analysis, section: str):
    """Per year, each option's cash out next to its P&L expense: the two views of the same choice."""
    alt, charts = _alt()
    sec = a.sections[section]
    own_label, rent_label = ("buy", "rent") if section == "buy_vs_rent" else ("own", "cloud")
    t = sec["table"]
    rows = []
    for _, r in t.iterrows():
        for option in (rent_label, own_label):
            rows.append({"year": int(r["year"]), "option": option, "view": "cash out (FCF view)",
                         "usd": r[f"{option}_cash_out_usd"]})
            rows.append({"year": int(r["year"]), "option": option, "view": "P&L expense (profit view)",
                         "usd": r[f"{option}_pnl_expense_usd"]})
    frame = pd.DataFrame(rows)
    first = (f"Year 1: {own_label} puts {_usd(t.iloc[0][f'{own_label}_cash_out_usd'])} of cash out but "
             f"{_usd(t.iloc[0][f'{own_label}_pnl_expense_usd'])} on the P&L; {rent_label} "
             f"{_usd(t.iloc[0][f'{rent_label}_cash_out_usd'])} on both")
    return alt.Chart(frame, title=alt.TitleParams("Cash out against P&L expense, per year", subtitle=[first])
                     ).mark_bar().encode(
        x=alt.X("year:O", title="year", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("option:N", sort=[rent_label, own_label]),
        y=alt.Y("usd:Q", title="USD", axis=alt.Axis(format="$,.3~s", labelExpr="replace(datum.label, 'G', 'B')")),
        color=alt.Color("option:N", sort=[rent_label, own_label], scale=alt.Scale(range=[charts.NEUTRAL, "#E69F00"])),
        column=alt.Column("view:N", title=None, sort=["cash out (FCF view)", "P&L expense (profit view)"]),
        tooltip=["year", "option", "view", alt.Tooltip("usd:Q", format="$,.0f")],
    ).properties(width=260, height=240)


def chart_cumulative(a: Analysis, section: str):
    """Cumulative cost of renting against owning by month, with the break-even month."""
    from costlib import charts

    sec = a.sections[section]
    own_label, rent_label = ("buy", "rent") if section == "buy_vs_rent" else ("own", "cloud")
    frame = _cumulative_long(sec["curves"], rent_label, own_label)
    be = sec["summary"]["break_even_month"]
    own_word, rent_word = ("Buying", "renting") if section == "buy_vs_rent" else ("Owning", "the cloud")
    subtitle = ([f"{own_word}'s cumulative cost drops below {rent_word}'s in month {be}"] if be is not None
                else [f"{own_word} does not catch up with {rent_word} within {len(sec['curves'])} months"])
    return charts.lines(words=True, frame=frame, x="month", y="cumulative_usd", series="option", title="Cumulative cost, month by month",
                        x_title="month", y_title="cumulative USD", subtitle=subtitle, points=False,
                        rule_x=be, rule_label=f"break-even: month {be}" if be is not None else None)


def chart_band(a: Analysis, section: str):
    """P10-P90 band of the Monte Carlo runs: cumulative saving by month (zero line: paid back), or the
    monthly SaaS bill (reference line: the flat rate)."""
    from costlib import charts

    sens = a.sensitivity[section]
    if section == "saas_growth":
        s = a.params.saas_growth
        return charts.band(sens["band"], x="month",
                           title=f"Monthly {s.vendor} bill, pay per {s.unit_name.replace('_', ' ')}",
                           y_title="USD per month", x_title="month", rule_y=s.flat_rate_usd_per_month,
                           subtitle=["Shaded: P10 to P90 of the Monte Carlo runs; line: P50; dashed: the flat rate "
                                     f"({_usd(s.flat_rate_usd_per_month)} a month)"])
    label = "buying" if section == "buy_vs_rent" else "owning"
    return charts.band(sens["band"], x="month", title=f"Cumulative saving from {label}, month by month",
                       y_title="cumulative USD saved", x_title="month", rule_y=0.0,
                       subtitle=["Shaded: P10 to P90 of the Monte Carlo runs; line: P50. Above the dashed zero "
                                 f"line, {label} has paid back"])


def chart_tornado(a: Analysis, section: str):
    from costlib import charts

    return charts.tornado(workbook=sys.modules[__name__], frame=a.sensitivity[section]["tornado"], output_label=a.sensitivity[section]["output_label"],
                          unit=contract.declaration(FIGURES, a.answers[section].figure).unit)


def chart_methods(a: Analysis, section: str):
    """Book value by year under each depreciation method."""
    from costlib import charts

    sec = a.sections[section]
    name = a.params.buy_vs_rent.what if section == "buy_vs_rent" else sec["largest"].name
    frame = sec["book_values"].assign(method=lambda d: d["method"].map(
        lambda m: METHOD_LABELS.get(m, m.replace("macrs_", "MACRS ").replace("y", "-year"))))
    alt, _ = _alt()
    chart = charts.lines(words=True, frame=frame, x="year", y="book_value_usd", series="method", title=f"Book value of {labels.words(name)} by method",
                         x_title="end of year", y_title="book value, USD", x_type="O",
                         subtitle=["Same total expense, different timing; MACRS is the tax schedule (half-year "
                                   "convention, salvage ignored)"])
    return chart.encode(x=alt.X("year:O", title="end of year", axis=alt.Axis(labelAngle=0)))


def chart_fleet(a: Analysis):
    """Fleet depreciation per month, stacked by asset."""
    from costlib import charts

    sec = a.sections["fleet"]
    return charts.stacked_cost(words=True, frame=sec["by_month_long"], x="month", value="depreciation_usd", component="asset",
                               title="Fleet depreciation expense per month", x_title="month", x_type="Q",
                               y_title="USD per month",
                               subtitle=[f"Year 1: {_usd(sec['headline']['fleet_depreciation_year_1_usd'])}; "
                                         "each asset "
                                         "starts in its in-service month"])


def chart_useful_life(a: Analysis):
    """Yearly depreciation expense of the fleet: keep the current life, or change it from year 1."""
    from costlib import charts

    sec = a.sections["useful_life_change"]
    u = a.params.useful_life_change
    alt, _ = _alt()
    chart = charts.lines(words=True, frame=sec["long"], x="year", y="expense_usd", series="policy", x_type="O",
                         title="Fleet depreciation expense per year", x_title="year", y_title="USD per year",
                         subtitle=[f"Change applied at the start of year 1 to servers already in service; capex "
                                   f"{_usd(u.capex_usd_per_year)} a year growing {_pct(u.capex_growth_rate_per_year)}"])
    return chart.encode(x=alt.X("year:O", title="year", axis=alt.Axis(labelAngle=0)))


def chart_saas(a: Analysis):
    """Monthly bill: pay per unit against the flat rate, with the crossover month."""
    from costlib import charts

    sec = a.sections["saas_growth"]
    m = sec["crossover"]["crossover_month"]
    return charts.lines(words=True, frame=sec["long"], x="month", y="usd_per_month", series="bill",
                        title="Pay per use against a flat rate, per month", x_title="month", y_title="USD per month",
                        subtitle=[f"The flat rate is cheaper from month {m}" if m is not None
                                  else "Usage never reaches the flat rate within the horizon"],
                        rule_x=m, rule_label=f"crossover: month {m}" if m is not None else None)
