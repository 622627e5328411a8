"""Workbook 02, total cost of ownership: the scenario schema and the analysis the notebook shows.

The question: over a horizon (36 months by default), what does each option really cost once people, toil,
headroom, licences, migration and exit are counted, which is cheapest, by how much, and at what scale or
input value would the answer flip?

A scenario names its options (the first is the status quo, the *baseline*) and their cost lines. A line
costs ``usd_per_month`` plus people (``fte`` at the loaded cost) plus toil (``toil_hours_per_month`` at the
loaded hourly rate), and optionally a one-off (``one_off_usd`` plus ``engineering_weeks`` as dollars). A
line can instead be priced *relative to* another option's line: ``reference * (1 - saving) * (1 + premium)
* (1 + headroom)`` month by month (self-hosted nodes for a managed bill with a 30% saving and 15% headroom).
Optional sections add the seed's other section-II situations and generate their own lines: an x86-to-ARM
migration, a storage lifecycle (hot, warm, cold by age; the hot-for-90-days risk case), purchase options for
a fleet, and effective cost per utilized unit.

Lines of the direct group (compute, storage, network, licenses) move with usage; people, toil, training
and opportunity lines do not (override with ``scales_with_usage``). Scaling usage by ``k`` gives the
crossover: the usage-driven spend at which the challenger and the baseline cost the same
(`costlib.tco.usage_scale_at_crossover`).

Every figure comes from `costlib.tco`; this module wires a validated scenario to it.
"""

from __future__ import annotations
import sys

import math
from dataclasses import dataclass, field
from typing import Annotated, Literal, Optional

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from costlib import contract, labels, report, uncertainty
from costlib import tco, timing
from costlib.params import (NonNegative, bounded, Positive, PositiveInt, Rate,
                            Schema, SignedRate, check_sensitivity_ranges, non_empty, require_unique)

TOPIC = "tco"

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Category = Literal["compute", "storage", "network", "licenses", "people", "toil", "training", "tech_debt",
                   "lock_in", "delayed_features"]
LineRef = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]


_M = "costlib.tco."

#: The headline figures, each declared once (`costlib.contract.Figure`). More specific keys come first:
#: the first declaration whose key matches names a figure.
FIGURES = (
    contract.Figure("cheapest_option", "Cheapest option", "text",
                    "the option with the lowest TCO on the decision metric",
                    _M + "rank_options"),
    contract.Figure("cheapest_saving_vs_runner_up_usd_{horizon}_months", "Cheapest saves against the runner-up", "usd",
                    "runner-up's TCO minus the cheapest's, undiscounted", _M + "rank_options"),
    contract.Figure("cheapest_saving_vs_runner_up_present_value_usd",
                    "Cheapest saves against the runner-up (present value)", "usd",
                    "runner-up's present value minus the cheapest's", _M + "rank_options"),
    contract.Figure("cheapest_saving_share_of_runner_up", "Cheapest saves, share of the runner-up", "share",
                    "the saving over the runner-up's TCO", _M + "rank_options"),
    contract.Figure("difference_p10_usd_{horizon}_months", "Difference, P10", "usd",
                    "10th percentile of challenger minus baseline over the Monte Carlo draws",
                    "costlib.uncertainty.assess"),
    contract.Figure("difference_p90_usd_{horizon}_months", "Difference, P90", "usd",
                    "90th percentile of challenger minus baseline over the Monte Carlo draws",
                    "costlib.uncertainty.assess"),
    contract.Figure("difference_p10_present_value_usd", "Difference in present value, P10", "usd",
                    "10th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("difference_p90_present_value_usd", "Difference in present value, P90", "usd",
                    "90th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("tco_p10_usd_{horizon}_months", "TCO, P10", "usd", "10th percentile over the Monte Carlo draws",
                    "costlib.uncertainty.assess"),
    contract.Figure("tco_p90_usd_{horizon}_months", "TCO, P90", "usd", "90th percentile over the Monte Carlo draws",
                    "costlib.uncertainty.assess"),
    contract.Figure("tco_p10_present_value_usd", "TCO in present value, P10", "usd",
                    "10th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("tco_p90_present_value_usd", "TCO in present value, P90", "usd",
                    "90th percentile over the Monte Carlo draws", "costlib.uncertainty.assess"),
    contract.Figure("{challenger}_minus_{baseline}_usd_{horizon}_months", "{challenger} minus {baseline}", "usd",
                    "challenger's TCO minus the baseline's over the horizon (< 0: the challenger is cheaper)",
                    _M + "rank_options"),
    contract.Figure("{challenger}_minus_{baseline}_present_value_usd", "{challenger} minus {baseline}, present value",
                    "usd", "the same difference in present value", _M + "rank_options"),
    contract.Figure("planned_storage_usd_{horizon}_months", "Storage bill as planned", "usd",
                    "hot, warm and cold by the planned policy", _M + "storage_policy_comparison"),
    contract.Figure("storage_overrun_usd_{horizon}_months", "Storage overrun", "usd",
                    "as operated minus as planned over the horizon", _M + "storage_policy_comparison"),
    contract.Figure("storage_overrun_usd_per_month_at_month_{horizon}", "Storage overrun in the last month",
                    "usd_per_month", "the monthly gap at the end of the horizon", _M + "storage_policy_comparison"),
    contract.Figure("planned_hot_tb_at_month_{horizon}", "Hot data as planned, last month (TB)", "number",
                    "TB in the hot tier under the plan", _M + "storage_tiers_gb"),
    contract.Figure("hot_tb_at_month_{horizon}", "Hot data as operated, last month (TB)", "number",
                    "TB in the hot tier as operated", _M + "storage_tiers_gb"),
    contract.Figure("{option}_tco_usd_{horizon}_months", "TCO of {option} ({horizon} months)", "usd",
                    "every cost line over the horizon, undiscounted", _M + "option_totals"),
    contract.Figure("{option}_present_value_usd", "Present value of {option}", "usd",
                    "every cost line discounted at the scenario's rate (end of month)", _M + "option_totals"),
    contract.Figure("break_even_month", "Challenger breaks even", "month",
                    "first month from which the challenger's cumulative cost stays at or below the baseline's",
                    "costlib.timing.break_even_month"),
    contract.Figure("crossover_infra_usd_per_year", "Crossover spend over the horizon", "usd_per_year",
                    "baseline's usage-driven spend at which both cost the same over the horizon (one-offs in)",
                    _M + "usage_crossover"),
    contract.Figure("run_rate_crossover_infra_usd_per_year", "Crossover spend once running", "usd_per_year",
                    "the same at the last month's run rate", _M + "usage_crossover"),
    contract.Figure("{option}_infra_usd_per_year", "{option}: usage-driven spend", "usd_per_year",
                    "the baseline's infrastructure that moves with usage, per year", _M + "usage_crossover"),
    contract.Figure("{option}_people_share_of_tco", "People share of {option}'s TCO", "share",
                    "people, toil and training over the TCO", _M + "option_totals"),
    contract.Figure("probability_{option}_cheaper", "Chance {option} is cheaper", "probability",
                    "share of the Monte Carlo draws in which the challenger costs less", "costlib.uncertainty.assess"),
    contract.Figure("{reference}_premium_over_{option}_infra", "{reference}'s premium over {option}'s infrastructure",
                    "share", "s / (1 - s) for a saving s", _M + "managed_premium_from_saving"),
    contract.Figure("{option}_infra_saving_after_headroom", "{option}'s infrastructure saving after headroom",
                    "share", "1 - (1 - saving)(1 + premium)(1 + headroom)", _M + "saving_vs_reference"),
    contract.Figure("{item}_usd_per_utilized_{unit}", "{item}: cost per utilized {unit}", "usd_per_unit",
                    "list price over utilization", _M + "effective_price_per_utilized_unit"),
    contract.Figure("blended_fleet_usd_per_month", "Blended fleet", "usd_per_month",
                    "the purchase mix: on-demand, committed, spot", _M + "blended_usd_per_month"),
    contract.Figure("blended_saving_vs_on_demand", "Blended saving against on-demand", "share",
                    "1 - blended / on-demand", _M + "saving_vs_on_demand"),
    contract.Figure("arm_cost_reduction", "ARM cost reduction per unit of work", "share",
                    "1 - 1 / (1 + price-performance gain)", _M + "cost_reduction_from_price_performance"),
    contract.Figure("arm_saving_usd_per_month_at_cutover", "ARM saving at cut-over", "usd_per_month",
                    "x86 spend times the cost reduction, in the first month on ARM", _M + "arm_saving_usd_per_month"),
    contract.Figure("arm_migration_effort_usd", "ARM migration effort", "usd", "engineering weeks at the loaded cost",
                    _M + "engineering_weeks_usd"),
    contract.Figure("arm_payback_month", "ARM migration pays back", "month",
                    "first month whose cumulative saving covers the effort", _M + "arm_migration_payback_month"),
)


AnnualRate = bounded(0, 1, high_open=True, expected="expected a decimal rate per year in [0, 1) (write 0.08 for 8%)")
Saving = bounded(0, 1, high_open=True, expected="expected a decimal fraction in [0, 1) (write 0.3 for 30%)")
Markup = bounded(0, 5, expected="expected a decimal fraction in [0, 5] (write 0.15 for 15%)")
UtilizationRate = bounded(0, 1, low_open=True, expected="expected a decimal fraction in (0, 1] (write 15% as 0.15)")
Months = bounded(0, expected="expected a whole number of months >= 0", kind=int)

class Option(Schema):
    """One option of the comparison. The first option listed is the status quo (the baseline)."""

    name: Identifier = Field(description="snake_case name, e.g. managed or self_hosted")
    label: str = Field("", description="what the option is, in words")


class Line(Schema):
    """One cost line of one option."""

    option: Identifier = Field(description="the option this line belongs to")
    name: Identifier = Field(description="snake_case name, unique within its option")
    category: Category = Field(description="direct: compute, storage, network, licenses; indirect: people, "
                                           "toil, training; opportunity: tech_debt, lock_in, delayed_features")
    usd_per_month: NonNegative = Field(0.0, description="recurring cost in the first active month")
    fte: NonNegative = Field(0.0, description="people on this line, at loaded_cost_usd_per_fte_per_year")
    toil_hours_per_month: NonNegative = Field(0.0, description="engineer hours of toil a month, at the loaded "
                                                               "hourly rate")
    one_off_usd: NonNegative = Field(0.0, description="one-off cost in one_off_month")
    engineering_weeks: NonNegative = Field(0.0, description="one-off effort in engineer-weeks, priced at the "
                                                            "loaded cost")
    one_off_month: PositiveInt = 1
    growth_rate_per_month: SignedRate = 0.0
    start_month: PositiveInt = 1
    end_month: Optional[PositiveInt] = None
    relative_to: Optional[LineRef] = Field(None, description="'option.line': price this line month by month "
                                                             "from that line")
    saving: Saving = Field(0.0, description="with relative_to: this much cheaper than the reference")
    premium: Markup = Field(0.0, description="with relative_to: this much dearer than the reference")
    headroom: Markup = Field(0.0, description="with relative_to: extra capacity provisioned over the need")
    scales_with_usage: Optional[bool] = Field(None, description="default: true for direct categories")
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self):
        if self.end_month is not None and self.end_month < self.start_month:
            raise ValueError(f"end_month = {self.end_month}: expected >= start_month ({self.start_month}) "
                             f"for line '{self.option}.{self.name}'")
        if self.relative_to is None:
            used = [k for k in ("saving", "premium", "headroom") if getattr(self, k) != 0]
            if used:
                raise ValueError(f"{', '.join(used)}: only meaningful with relative_to (line "
                                 f"'{self.option}.{self.name}')")
        else:
            used = [k for k in ("usd_per_month", "fte", "toil_hours_per_month", "growth_rate_per_month")
                    if getattr(self, k) != 0]
            if used:
                raise ValueError(f"{', '.join(used)}: a line priced relative_to '{self.relative_to}' takes its "
                                 f"monthly cost (and growth) from that line; put other costs on their own line "
                                 f"(line '{self.option}.{self.name}')")
        return self

    @property
    def key(self) -> str:
        return f"{self.option}.{self.name}"

    @property
    def scales(self) -> bool:
        if self.scales_with_usage is not None:
            return self.scales_with_usage
        return tco.CATEGORY_GROUPS[self.category] == "direct"


class UtilizedUnit(Schema):
    """A resource whose effective price per utilized unit is worth showing (15% CPU: 6.7x list)."""

    name: Identifier
    unit: Identifier = Field("unit", description="e.g. instance_hour, vcpu_hour, gb_month")
    list_usd_per_unit: NonNegative
    utilization: UtilizationRate = Field(description="share of the provisioned capacity used, (0, 1]")
    target_utilization: Optional[UtilizationRate] = Field(None, description="what good bin-packing reaches")


PurchaseOption = Literal["on_demand", "committed_1yr", "committed_3yr", "spot"]


class PurchaseOptions(Schema):
    """A fleet priced on-demand, committed for 1 or 3 years, on spot (with work re-run after
    interruptions), and as a blended mix."""

    instances: NonNegative
    on_demand_usd_per_hour: NonNegative
    committed_1yr_discount: Saving
    committed_3yr_discount: Saving
    spot_discount: Saving
    retried_work_fraction: Rate = Field(0.0, description="extra hours re-run after spot interruptions")
    mix: dict[PurchaseOption, Rate] = Field(description="share of the fleet on each option; sums to 1")

    @model_validator(mode="after")
    def _mix_sums_to_one(self):
        total = sum(self.mix.values())
        if abs(total - 1) > 1e-9:
            raise ValueError(f"mix = {dict(self.mix)}: expected shares summing to 1 (they sum to {total:g})")
        return self


class ArmMigration(Schema):
    """An x86 fleet moved to ARM: lines for the status quo and for the migration are generated."""

    stay_option: Identifier = Field(description="the option that stays on x86")
    migrate_option: Identifier = Field(description="the option that migrates")
    x86_instances: NonNegative
    x86_usd_per_hour: Positive
    arm_usd_per_hour: Positive
    arm_relative_throughput: Positive = Field(1.0, description="work per ARM instance relative to x86 (1.1: 10% "
                                                               "more)")
    engineering_weeks: NonNegative = Field(description="one-off effort: recompiling, multi-arch images, testing")
    migration_months: Months = Field(0, description="months on x86 before the saving starts")
    growth_rate_per_month: SignedRate = 0.0

    @model_validator(mode="after")
    def _arm_is_better(self):
        gain = tco.price_performance_gain(self.x86_usd_per_hour, self.arm_usd_per_hour, self.arm_relative_throughput)
        if gain < 0:
            raise ValueError(f"arm_usd_per_hour = {self.arm_usd_per_hour}: ARM does less work per dollar than x86 "
                             f"(price-performance gain {gain:.1%}); nothing to migrate for")
        return self


class StoragePolicy(Schema):
    hot_days: NonNegative = 30.0
    cold_after_days: NonNegative = 90.0
    retention_days: Optional[NonNegative] = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.cold_after_days < self.hot_days:
            raise ValueError(f"cold_after_days = {self.cold_after_days:g}: expected >= hot_days ({self.hot_days:g})")
        if self.retention_days is not None and self.retention_days < self.cold_after_days:
            raise ValueError(f"retention_days = {self.retention_days:g}: expected >= cold_after_days "
                             f"({self.cold_after_days:g}) or null (keep forever)")
        return self


class StorageLifecycle(Schema):
    """Data written every month, moved hot -> warm -> cold by age; one policy per option, and the plan."""

    written_gb_per_month: NonNegative
    growth_rate_per_month: SignedRate = 0.0
    planned: StoragePolicy = Field(description="the policy the budget assumed")
    policies: dict[Identifier, StoragePolicy] = Field(description="option -> the policy it runs; must include "
                                                                  "the baseline (what runs today)")
    hot_usd_per_gb_month: NonNegative
    warm_usd_per_gb_month: NonNegative
    cold_usd_per_gb_month: NonNegative
    warm_retrieval_usd_per_gb: NonNegative = 0.0
    cold_retrieval_usd_per_gb: NonNegative = 0.0
    warm_read_fraction_per_month: Rate = 0.0
    cold_read_fraction_per_month: Rate = 0.0

    def prices(self) -> dict:
        return {k: getattr(self, k) for k in ("hot_usd_per_gb_month", "warm_usd_per_gb_month",
                                              "cold_usd_per_gb_month", "warm_retrieval_usd_per_gb",
                                              "cold_retrieval_usd_per_gb", "warm_read_fraction_per_month",
                                              "cold_read_fraction_per_month")}


class Params(Schema):
    """Scenario of workbook 02. Every key is documented in the notebook's parameters cell."""

    title: str = "Total cost of ownership"
    description: str = ""
    horizon_months: Annotated[PositiveInt, Field(le=240)] = 36
    discount_rate_per_year: AnnualRate = 0.08
    loaded_cost_usd_per_fte_per_year: Positive = 300_000.0
    working_hours_per_year: Positive = 2080.0
    working_weeks_per_year: Positive = 52.0
    options: Annotated[list[Option], AfterValidator(non_empty)]
    lines: list[Line] = Field(default_factory=list)
    challenger: Optional[Identifier] = None
    decision_basis: Literal["total", "present_value"] = "total"
    sensitivity_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    monte_carlo_draws: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000
    seed: int = 0
    utilization: Optional[Annotated[list[UtilizedUnit], AfterValidator(non_empty)]] = None
    purchase_options: Optional[PurchaseOptions] = None
    arm_migration: Optional[ArmMigration] = None
    storage_lifecycle: Optional[StorageLifecycle] = None

    @model_validator(mode="after")
    def _consistent(self):
        names = [o.name for o in self.options]
        require_unique(names, "option")
        h = self.horizon_months
        keys = set()
        by_key = {}
        for i, line in enumerate(self.lines):
            where = f"lines[{i}]"
            if line.option not in names:
                raise ValueError(f"{where}.option = '{line.option}': expected one of the options {names}")
            if line.key in keys:
                raise ValueError(f"{where}.name = '{line.name}': expected a name unique within option "
                                 f"'{line.option}'")
            keys.add(line.key)
            by_key[line.key] = line
            if line.start_month > h:
                raise ValueError(f"{where}.start_month = {line.start_month}: expected <= horizon_months ({h})")
            if line.one_off_month > h:
                raise ValueError(f"{where}.one_off_month = {line.one_off_month}: expected <= horizon_months ({h})")
        for i, line in enumerate(self.lines):
            if line.relative_to is None:
                continue
            ref = by_key.get(line.relative_to)
            if ref is None:
                raise ValueError(f"lines[{i}].relative_to = '{line.relative_to}': expected 'option.line' of a line "
                                 f"above, one of {sorted(k for k, v in by_key.items() if v.relative_to is None)}")
            if ref.relative_to is not None:
                raise ValueError(f"lines[{i}].relative_to = '{line.relative_to}': that line is itself relative; "
                                 f"refer to '{ref.relative_to}'")
        generated = []
        if self.arm_migration is not None:
            a = self.arm_migration
            for key in ("stay_option", "migrate_option"):
                if getattr(a, key) not in names:
                    raise ValueError(f"arm_migration.{key} = '{getattr(a, key)}': expected one of the options {names}")
            if a.stay_option == a.migrate_option:
                raise ValueError("arm_migration: expected different stay_option and migrate_option")
            if a.migration_months >= h:
                raise ValueError(f"arm_migration.migration_months = {a.migration_months}: expected < horizon_months "
                                 f"({h})")
            generated += [f"{a.stay_option}.{ARM_X86}", f"{a.migrate_option}.{ARM_X86}",
                          f"{a.migrate_option}.{ARM_FLEET}", f"{a.migrate_option}.{ARM_EFFORT}"]
        if self.storage_lifecycle is not None:
            s = self.storage_lifecycle
            for option in s.policies:
                if option not in names:
                    raise ValueError(f"storage_lifecycle.policies.{option}: expected one of the options {names}")
            if names[0] not in s.policies:
                raise ValueError(f"storage_lifecycle.policies: expected a policy for the baseline option "
                                 f"'{names[0]}' (what runs today), got {sorted(s.policies)}")
            generated += [f"{o}.{STORAGE_LINE}" for o in s.policies]
        clash = sorted(set(generated) & keys)
        if clash:
            raise ValueError(f"lines: {clash} are generated by a section; rename your line")
        with_lines = {k.split(".")[0] for k in keys | set(generated)}
        empty = [n for n in names if n not in with_lines]
        if empty:
            raise ValueError(f"options {empty}: expected at least one cost line (in lines or from a section)")
        if self.challenger is not None:
            if self.challenger not in names:
                raise ValueError(f"challenger = '{self.challenger}': expected one of the options {names}")
            if self.challenger == names[0]:
                raise ValueError(f"challenger = '{self.challenger}': expected an option other than the baseline "
                                 f"(the first option)")
        inputs = set(model_inputs(self))
        check_sensitivity_ranges(self.sensitivity_ranges, inputs)
        return self

    @property
    def baseline(self) -> str:
        return self.options[0].name

    def label(self, option: str) -> str:
        for o in self.options:
            if o.name == option:
                return o.label or labels.words(o.name)
        return option


#: A TCO category in words where its key is short for more (`costlib.tco.CATEGORY_GROUPS`: lock_in holds
#: vendor lock-in, exit and migration cost, so the ARM migration's engineering effort is there).
CATEGORY_WORDS = {"lock_in": "lock-in, exit and migration", "tech_debt": "tech debt",
                  "delayed_features": "delayed features"}

ARM_X86, ARM_FLEET, ARM_EFFORT = "x86_fleet", "arm_fleet", "arm_migration_effort"
STORAGE_LINE = "storage_lifecycle"

# Inputs that only the one-at-a-time analyses move (tornado, flip points): their formulas take scalars.
_NOT_SAMPLED_SUFFIXES = (".hot_days", ".cold_after_days", ".retention_days")
_NOT_SAMPLED_PREFIXES = ("storage_lifecycle.",)
_SAMPLED_STORAGE = {"storage_lifecycle.written_gb_per_month"}
_STORAGE_PRICES = ("hot_usd_per_gb_month", "warm_usd_per_gb_month", "cold_usd_per_gb_month",
                   "warm_retrieval_usd_per_gb", "cold_retrieval_usd_per_gb", "warm_read_fraction_per_month",
                   "cold_read_fraction_per_month")
_LINE_INPUTS = ("usd_per_month", "fte", "toil_hours_per_month", "one_off_usd", "engineering_weeks",
                "growth_rate_per_month", "saving", "premium", "headroom")


# ---------------------------------------------------------------------------------------------------
# The flat model handed to sensitivity, Monte Carlo and goal seek.


def model_inputs(p: Params) -> dict[str, float]:
    """Base values of the flat model inputs, named ``option.line.field``, ``section.field`` or a global."""
    x = {"usage_scale": 1.0, "loaded_cost_usd_per_fte_per_year": p.loaded_cost_usd_per_fte_per_year,
         "discount_rate_per_year": p.discount_rate_per_year}
    for line in p.lines:
        for name in _LINE_INPUTS:
            x[f"{line.key}.{name}"] = float(getattr(line, name))
    if p.arm_migration is not None:
        a = p.arm_migration
        for name in ("x86_instances", "x86_usd_per_hour", "arm_usd_per_hour", "arm_relative_throughput",
                     "engineering_weeks", "growth_rate_per_month"):
            x[f"arm_migration.{name}"] = float(getattr(a, name))
    if p.storage_lifecycle is not None:
        s = p.storage_lifecycle
        x["storage_lifecycle.written_gb_per_month"] = s.written_gb_per_month
        x["storage_lifecycle.growth_rate_per_month"] = s.growth_rate_per_month
        for name in _STORAGE_PRICES:
            x[f"storage_lifecycle.{name}"] = float(getattr(s, name))
        for option, policy in s.policies.items():
            x[f"storage_lifecycle.{option}.hot_days"] = policy.hot_days
            x[f"storage_lifecycle.{option}.cold_after_days"] = policy.cold_after_days
    return x


LineCosts = tco.LineCosts


def _scalar(value) -> float:
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        raise ValueError("this input only takes one value at a time (tornado and flip points, not Monte Carlo)")
    return float(arr.reshape(()))


def line_costs(p: Params, x: dict) -> list[LineCosts]:
    """Every line's monthly costs (user lines, then lines generated by sections) at the inputs ``x``.

    Inputs may be numpy arrays of shape (n, 1) (Monte Carlo); costs then have shape (n, horizon_months).
    """
    h = p.horizon_months
    loaded = x["loaded_cost_usd_per_fte_per_year"]
    out: list[LineCosts] = []
    recurring_of: dict[str, np.ndarray] = {}
    for line in p.lines:
        k = line.key
        one_off_usd = tco.line_one_off_usd(x[f"{k}.one_off_usd"], x[f"{k}.engineering_weeks"], loaded,
                                           p.working_weeks_per_year)
        one_off = tco.line_costs_by_month(0.0, h, one_off_usd=one_off_usd, one_off_month=line.one_off_month)
        if line.relative_to is None:
            monthly = tco.line_usd_per_month(x[f"{k}.usd_per_month"], x[f"{k}.fte"], x[f"{k}.toil_hours_per_month"],
                                             loaded, p.working_hours_per_year)
            recurring = tco.line_costs_by_month(monthly, h, growth_rate_per_month=x[f"{k}.growth_rate_per_month"],
                                                start_month=line.start_month, end_month=line.end_month)
            recurring_of[k] = recurring
        else:
            active = tco.line_costs_by_month(1.0, h, start_month=line.start_month, end_month=line.end_month)
            recurring = tco.relative_cost_usd(recurring_of[line.relative_to], x[f"{k}.saving"], x[f"{k}.premium"],
                                              x[f"{k}.headroom"]) * active
        out.append(LineCosts(line.option, line.name, line.category, line.scales, "lines", np.asarray(recurring),
                             np.asarray(one_off)))
    if p.arm_migration is not None:
        out += _arm_lines(p, x)
    if p.storage_lifecycle is not None:
        out += _storage_lines(p, x)
    return out


def _arm_lines(p: Params, x: dict) -> list[LineCosts]:
    a, h = p.arm_migration, p.horizon_months
    g = x["arm_migration.growth_rate_per_month"]
    x86 = tco.on_demand_usd_per_month(x["arm_migration.x86_instances"], x["arm_migration.x86_usd_per_hour"])
    x86_by_month = tco.line_costs_by_month(x86, h, growth_rate_per_month=g)
    reduction = tco.cost_reduction_from_price_performance(tco.price_performance_gain(
        x["arm_migration.x86_usd_per_hour"], x["arm_migration.arm_usd_per_hour"],
        x["arm_migration.arm_relative_throughput"]))
    m = a.migration_months
    zeros = np.zeros(h)
    effort = tco.engineering_weeks_usd(x["arm_migration.engineering_weeks"], x["loaded_cost_usd_per_fte_per_year"],
                                       p.working_weeks_per_year)
    lines = [LineCosts(a.stay_option, ARM_X86, "compute", True, "arm_migration", np.asarray(x86_by_month), zeros)]
    if m > 0:
        on_x86 = tco.line_costs_by_month(1.0, h, end_month=m)
        lines.append(LineCosts(a.migrate_option, ARM_X86, "compute", True, "arm_migration",
                               np.asarray(x86_by_month * on_x86), zeros))
    on_arm = tco.line_costs_by_month(1.0, h, start_month=m + 1)
    arm = np.asarray(tco.arm_usd_per_month(x86_by_month, reduction))
    lines.append(LineCosts(a.migrate_option, ARM_FLEET, "compute", True, "arm_migration", np.asarray(arm * on_arm),
                           zeros))
    lines.append(LineCosts(a.migrate_option, ARM_EFFORT, "lock_in", False, "arm_migration", zeros,
                           np.asarray(tco.line_costs_by_month(0.0, h, one_off_usd=effort))))
    return lines


def _storage_bill_per_gb_written(p: Params, x: dict, option: str) -> np.ndarray:
    """Monthly bill of one option's policy per GB written a month (the bill is linear in GB written)."""
    h = p.horizon_months
    policy = p.storage_lifecycle.policies[option]
    hot = _scalar(x[f"storage_lifecycle.{option}.hot_days"])
    cold = max(hot, _scalar(x[f"storage_lifecycle.{option}.cold_after_days"]))  # hot past cold: straight to cold
    keep = None if policy.retention_days is None else max(cold, policy.retention_days)
    tiers = tco.storage_tiers_gb(1.0, h, hot_days=hot, cold_after_days=cold, retention_days=keep,
                                 growth_rate_per_month=_scalar(x["storage_lifecycle.growth_rate_per_month"]))
    prices = {k: _scalar(x[f"storage_lifecycle.{k}"]) for k in _STORAGE_PRICES}
    return tco.storage_bill_usd_by_month(tiers, **prices)["total_usd"].to_numpy()


def _storage_lines(p: Params, x: dict) -> list[LineCosts]:
    s = p.storage_lifecycle
    written = np.asarray(x["storage_lifecycle.written_gb_per_month"], dtype=float)
    zeros = np.zeros(p.horizon_months)
    return [LineCosts(option, STORAGE_LINE, "storage", True, "storage_lifecycle",
                      written * _storage_bill_per_gb_written(p, x, option), zeros)
            for option in s.policies]


def option_costs(p: Params, x: dict) -> dict[str, np.ndarray]:
    """Each option's total monthly cost at the inputs ``x`` (``usage_scale`` multiplies usage-driven lines)."""
    return tco.option_costs_usd_by_month(line_costs(p, x), [o.name for o in p.options], p.horizon_months,
                                         x["usage_scale"])


def _metric(p: Params, costs: np.ndarray, x: dict) -> np.ndarray:
    """The decision metric's monthly terms (`costlib.tco.decision_terms_usd`)."""
    return tco.decision_terms_usd(costs, p.decision_basis, x.get("discount_rate_per_year", 0.0))


def make_model(p: Params, challenger: str | None, output: str = "difference"):
    """``model(**inputs)``: the challenger's cost minus the baseline's over the horizon (on the decision
    metric), or its month-by-month cumulative (``output="cumulative_difference"``). With one option (no
    challenger) the model is that option's TCO."""

    def model(**x):
        costs = option_costs(p, x)
        terms = {o: _metric(p, c, x) for o, c in costs.items()}
        if challenger is None:
            return tco.cost_difference_usd(terms[p.baseline], None, cumulative=output == "cumulative_difference")
        return tco.cost_difference_usd(terms[challenger], terms[p.baseline],
                                       cumulative=output == "cumulative_difference")

    return model


def default_ranges(p: Params) -> dict[str, tuple[float, float]]:
    """Ranges for the tornado and Monte Carlo: every non-zero money, people and effort input -20%/+20%, usage
    -50%/+50%, savings, premiums, headroom and growth -20%/+20%; the scenario's ``sensitivity_ranges`` override
    and add to these (`costlib.uncertainty.scenario_ranges`)."""
    base = model_inputs(p)
    ranges = {"usage_scale": (0.5, 1.5),
              "loaded_cost_usd_per_fte_per_year": (0.8 * p.loaded_cost_usd_per_fte_per_year,
                                                   1.2 * p.loaded_cost_usd_per_fte_per_year)}
    if p.decision_basis == "present_value":
        ranges["discount_rate_per_year"] = (0.5 * p.discount_rate_per_year, min(0.99, 1.5 * p.discount_rate_per_year))
    for key, value in base.items():
        if key in ranges or key in ("usage_scale", "discount_rate_per_year") or value == 0:
            continue
        low, high = 0.8 * value, 1.2 * value
        if key.endswith((".saving",)):
            high = min(high, 0.99)
        ranges[key] = (min(low, high), max(low, high))
    return uncertainty.scenario_ranges(ranges, p.sensitivity_ranges)


def sampled_ranges(ranges: dict) -> dict:
    """The ranges Monte Carlo draws from. Storage-lifecycle inputs other than the GB written (prices, day
    thresholds, growth) go through `costlib.tco.storage_tiers_gb` and `storage_bill_usd_by_month`, which take
    one value at a time: they are moved in the tornado and flip points only."""
    return {k: v for k, v in ranges.items()
            if k in _SAMPLED_STORAGE or not (k.startswith(_NOT_SAMPLED_PREFIXES) or k.endswith(_NOT_SAMPLED_SUFFIXES))}


def _flip_bounds(key: str, base: float, x: dict) -> tuple[float, float]:
    """The plausible range searched for the value of ``key`` that flips the verdict."""
    if key.startswith("arm_migration."):
        # keep ARM at least as good per dollar as x86: throughput * x86 price >= ARM price
        t, xp, ap = (x["arm_migration.arm_relative_throughput"], x["arm_migration.x86_usd_per_hour"],
                     x["arm_migration.arm_usd_per_hour"])
        if key.endswith(".arm_relative_throughput"):
            return ap / xp, 10.0
        if key.endswith(".arm_usd_per_hour"):
            return 1e-6, t * xp
        if key.endswith(".x86_usd_per_hour"):
            return ap / t, max(20.0 * xp, ap / t + 1.0)
    if key.endswith(".saving"):
        return 0.0, 0.99
    if key.endswith((".premium", ".headroom")):
        return 0.0, 5.0
    if "growth_rate" in key:
        return -0.5, 0.5
    if key == "discount_rate_per_year":
        return 0.0, 0.99
    if key.endswith(("_days",)):
        return 0.0, 3650.0
    if key == "usage_scale":
        return 1e-3, 1e3
    if key == "arm_migration.arm_relative_throughput":
        return 1e-3, 10.0
    return 0.0, max(20.0 * abs(base), 1.0)


# ---------------------------------------------------------------------------------------------------
# The analysis.


@dataclass
class Analysis:
    """Everything the notebook shows, computed from one validated scenario."""

    params: Params
    headline: dict
    winner: str
    runner_up: str | None
    challenger: str | None
    monthly: pd.DataFrame
    totals: pd.DataFrame
    per_year: pd.DataFrame
    by_group: pd.DataFrame
    lines: pd.DataFrame
    cumulative: pd.DataFrame
    crossover: dict
    crossover_curve: pd.DataFrame
    tornado: pd.DataFrame
    flips: pd.DataFrame
    band: pd.DataFrame
    probability_challenger_cheaper: float | None
    ranking: dict = field(default_factory=dict)  # `costlib.tco.rank_options` on the decision metric
    sections: dict = field(default_factory=dict)
    recommendation: str = ""
    answers: dict = field(default_factory=dict)


def _months(start: int, end: int | None, h: int) -> str:
    end = h if end is None else min(end, h)
    return f"{start}" if start == end else f"{start}-{end}"


def analyse(p: Params) -> Analysis:
    """Compute every table, figure and sentence of workbook 02 for scenario ``p``."""
    h = p.horizon_months
    base = model_inputs(p)
    costs = line_costs(p, base)
    frames = [tco.cost_series_table(lc.option, lc.name, lc.category, lc.recurring + lc.one_off,
                                    p.discount_rate_per_year) for lc in costs]
    monthly = pd.concat(frames, ignore_index=True)
    order = [o.name for o in p.options]
    monthly["option"] = pd.Categorical(monthly["option"], categories=order, ordered=True)
    monthly = monthly.sort_values(["option", "month"], kind="stable").reset_index(drop=True)
    monthly["option"] = monthly["option"].astype(str)

    totals = tco.option_totals(monthly, order)
    groups = tco.tco_summary(monthly, by="group")
    metric = "tco_usd" if p.decision_basis == "total" else "present_value_usd"
    ranking = tco.rank_options(dict(zip(order, totals[metric])), p.baseline, p.challenger)
    winner, runner_up, challenger = ranking["cheapest_option"], ranking["runner_up"], ranking["challenger"]

    per_year = _per_year(monthly, order)
    by_group = (groups.pivot_table(index="option", columns="group", values="cost_usd", aggfunc="sum", sort=False)
                .reindex(index=order, columns=["direct", "indirect", "opportunity"])
                .fillna(0.0).reset_index())
    by_group.columns.name = None
    lines_table = _lines_table(p, costs, monthly)

    opt_costs = tco.option_costs_usd_by_month(costs, order, h)
    cumulative = tco.cumulative_by_option(opt_costs)

    crossover = _crossover(p, costs, challenger)
    crossover_curve = tco.crossover_curve(crossover, h)

    model = make_model(p, challenger)
    ranges = default_ranges(p)
    bounds = {k: _flip_bounds(k, base[k], base) for k in ranges} if challenger is not None else None
    assessment = uncertainty.assess(model, base, ranges, flip_bounds=bounds, target=0.0,
                                    sampled=sampled_ranges(ranges),
                                    curve=make_model(p, challenger, output="cumulative_difference"),
                                    n=p.monte_carlo_draws, seed=p.seed)
    tornado, band = assessment.tornado, assessment.band
    flips = assessment.flips[np.isfinite(assessment.flips["flip_value"].astype(float))].reset_index(drop=True)
    p10, p90 = assessment.p10, assessment.p90
    prob = assessment.probability_below_target if challenger is not None else None

    t = totals.set_index("option")
    headline: dict = {"cheapest_option": winner}
    for o in order:
        headline[f"{o}_tco_usd_{h}_months"] = float(t.loc[o, "tco_usd"])
    for o in order:
        headline[f"{o}_present_value_usd"] = float(t.loc[o, "present_value_usd"])
    suffix = f"usd_{h}_months" if p.decision_basis == "total" else "present_value_usd"
    payback = None
    if challenger is not None:
        headline[f"{challenger}_minus_{p.baseline}_{suffix}"] = ranking["challenger_minus_baseline_usd"]
        headline[f"cheapest_saving_vs_runner_up_{suffix}"] = ranking["cheapest_saving_vs_runner_up_usd"]
        headline["cheapest_saving_share_of_runner_up"] = ranking["cheapest_saving_share_of_runner_up"]
        payback = timing.break_even_month(timing.cumulative_cost_usd(opt_costs[challenger]),
                                          timing.cumulative_cost_usd(opt_costs[p.baseline]))
        headline["break_even_month"] = payback
        headline[f"{p.baseline}_infra_usd_per_year"] = crossover["baseline_infra_usd_per_year"]
        headline["crossover_infra_usd_per_year"] = crossover["horizon_infra_usd_per_year"]
        headline["run_rate_crossover_infra_usd_per_year"] = crossover["run_rate_infra_usd_per_year"]
    for o in order:
        headline[f"{o}_people_share_of_tco"] = float(t.loc[o, "people_share_of_tco"])
    if challenger is not None:
        headline[f"probability_{challenger}_cheaper"] = prob
        headline[f"difference_p10_{suffix}"] = p10
        headline[f"difference_p90_{suffix}"] = p90
    else:
        headline[f"tco_p10_{suffix}"] = p10
        headline[f"tco_p90_{suffix}"] = p90

    sections = {}
    relative = _relative_lines(p)
    if relative is not None:
        sections["relative"] = relative
        headline.update(relative["headline"])
    if p.utilization is not None:
        sections["utilization"] = _utilization_section(p.utilization)
        headline.update(sections["utilization"]["headline"])
    if p.purchase_options is not None:
        sections["purchase_options"] = _purchase_section(p.purchase_options, h)
        headline.update(sections["purchase_options"]["headline"])
    if p.arm_migration is not None:
        sections["arm_migration"] = _arm_section(p)
        headline.update(sections["arm_migration"]["headline"])
    if p.storage_lifecycle is not None:
        sections["storage_lifecycle"] = _storage_section(p)
        headline.update(sections["storage_lifecycle"]["headline"])

    analysis = Analysis(params=p, headline=headline, winner=winner, runner_up=runner_up, challenger=challenger,
                        monthly=monthly, totals=totals, per_year=per_year, by_group=by_group, lines=lines_table,
                        cumulative=cumulative, crossover={**crossover, "break_even_month": payback},
                        crossover_curve=crossover_curve, tornado=tornado, flips=flips, band=band,
                        probability_challenger_cheaper=prob, ranking=ranking, sections=sections)
    if challenger is not None:
        figure = f"{challenger}_minus_{p.baseline}_{suffix}"
    else:
        figure = (f"{p.baseline}_tco_usd_{h}_months" if p.decision_basis == "total"
                  else f"{p.baseline}_present_value_usd")
    analysis.answers = {"tco": contract.Answer("tco", figure, model, base, 0.0, assessment)}
    analysis.recommendation = recommendation(analysis)
    return analysis


def _per_year(monthly: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    s = tco.tco_summary(monthly, per="year")
    wide = s.pivot_table(index="option", columns="year", values="cost_usd", aggfunc="sum", sort=False)
    wide = wide.reindex(order)
    wide.columns = [f"year_{int(y)}_usd" for y in wide.columns]
    total = tco.tco_summary(monthly).set_index("option").reindex(order)
    wide["total_usd"] = total["cost_usd"]
    wide["present_value_usd"] = total["pv_usd"]
    return wide.reset_index()


def _lines_table(p: Params, costs: list[LineCosts], monthly: pd.DataFrame) -> pd.DataFrame:
    by_line = tco.tco_summary(monthly, by="line").set_index(["option", "line"])
    notes = {line.key: line for line in p.lines}
    rows = []
    for lc in costs:
        key = f"{lc.option}.{lc.name}"
        active = np.flatnonzero(np.asarray(lc.recurring) > 0)
        line = notes.get(key)
        if line is not None:
            months = _months(line.start_month, line.end_month, p.horizon_months)
            how = f"relative to {labels.words(line.relative_to).replace('.', ' · ')}" if line.relative_to else ""
            note = "; ".join(x for x in (how, line.note) if x)
        else:
            months = f"{active[0] + 1}-{active[-1] + 1}" if active.size else "-"
            note = f"from {labels.words(lc.source)}"
        row = by_line.loc[(lc.option, lc.name)]
        rows.append({"option": lc.option, "line": lc.name, "category": lc.category,
                     "usd_per_month": float(lc.recurring[active[0]]) if active.size else 0.0,
                     "months": months if active.size else "-",
                     "one_off_usd": float(np.sum(lc.one_off)), "scales": "yes" if lc.scales else "no",
                     "tco_usd": float(row["cost_usd"]), "share": float(row["share"]), "note": note})
    return pd.DataFrame(rows)


def _usage_costs(p: Params, costs: list[LineCosts], option: str) -> tuple:
    """One option's ``(recurring, one_off, scales)`` arrays for `costlib.tco.usage_split_usd`."""
    mine = [lc for lc in costs if lc.option == option]
    h = p.horizon_months
    return (np.array([np.asarray(lc.recurring, dtype=float) for lc in mine]).reshape(len(mine), h),
            np.array([np.asarray(lc.one_off, dtype=float) for lc in mine]).reshape(len(mine), h),
            np.array([lc.scales for lc in mine], dtype=bool))


def _crossover(p: Params, costs: list[LineCosts], challenger: str | None) -> dict:
    """`costlib.tco.usage_crossover` of the challenger against the baseline (the baseline's spend alone
    without a challenger)."""
    rate = p.discount_rate_per_year if p.decision_basis == "present_value" else None
    return tco.usage_crossover(_usage_costs(p, costs, p.baseline),
                               None if challenger is None else _usage_costs(p, costs, challenger),
                               discount_rate_per_year=rate)


def _relative_lines(p: Params) -> dict | None:
    rel = [line for line in p.lines if line.relative_to and (line.saving or line.premium or line.headroom)]
    if not rel:
        return None
    rows = []
    for line in rel:
        factor = tco.relative_cost_usd(1.0, line.saving, line.premium, line.headroom)
        rows.append({"line": labels.words(line.key).replace(".", " · "), "relative_to": labels.words(line.relative_to).replace(".", " · "), "saving": line.saving,
                     "reference_premium": tco.managed_premium_from_saving(line.saving),
                     "premium": line.premium, "headroom": line.headroom, "cost_vs_reference": factor})
    table = pd.DataFrame(rows)
    headline = {}
    with_saving = [i for i, line in enumerate(rel) if line.saving > 0]
    if with_saving:  # the managed-vs-self-hosted case: a saving implies the reference's premium
        line, row = rel[with_saving[0]], table.iloc[with_saving[0]]
        ref_option = line.relative_to.split(".")[0]
        headline[f"{ref_option}_premium_over_{line.option}_infra"] = float(row["reference_premium"])
        headline[f"{line.option}_infra_saving_after_headroom"] = tco.saving_vs_reference(float(row["cost_vs_reference"]))
    return {"table": table, "lines": rel, "headline": headline}


def _utilization_section(items: list[UtilizedUnit]) -> dict:
    rows, headline = [], {}
    for u in items:
        eff = tco.effective_price_per_utilized_unit(u.list_usd_per_unit, u.utilization)
        target = (tco.effective_price_per_utilized_unit(u.list_usd_per_unit, u.target_utilization)
                  if u.target_utilization else None)
        rows.append({"resource": u.name, "unit": u.unit, "list_usd": u.list_usd_per_unit,
                     "utilization": u.utilization, "usd_per_utilized_unit": eff,
                     "multiple_of_list": tco.multiple_of_list_price(u.utilization), "target": u.target_utilization,
                     "at_target_usd_per_unit": target})
        headline[f"{u.name}_usd_per_utilized_{u.unit}"] = eff
    return {"table": pd.DataFrame(rows), "items": rows, "headline": headline}


def _purchase_section(po: PurchaseOptions, h: int) -> dict:
    costs = tco.purchase_options_usd_per_month(po.instances, po.on_demand_usd_per_hour, po.committed_1yr_discount,
                                               po.committed_3yr_discount, po.spot_discount,
                                               po.retried_work_fraction)
    blended = tco.blended_usd_per_month(costs, dict(po.mix))
    on_demand = costs["on_demand"]
    labels = {"on_demand": "on-demand", "committed_1yr": "committed 1 year", "committed_3yr": "committed 3 years",
              "spot": f"spot (+{po.retried_work_fraction:.0%} re-run work)"}
    rows = [{"purchase_option": labels[k], "usd_per_month": v, f"usd_{h}_months": tco.horizon_cost_usd(v, h),
             "saving_vs_on_demand": tco.saving_vs_on_demand(v, on_demand)} for k, v in costs.items()]
    mix = ", ".join(f"{s:.0%} {labels[k]}" for k, s in po.mix.items() if s > 0)
    rows.append({"purchase_option": "blended mix", "usd_per_month": blended, f"usd_{h}_months": tco.horizon_cost_usd(blended, h),
                 "saving_vs_on_demand": tco.saving_vs_on_demand(blended, on_demand)})
    table = pd.DataFrame(rows)
    return {"table": table, "blended": blended, "on_demand": on_demand, "mix": mix, "costs": costs,
            "headline": {"blended_fleet_usd_per_month": blended,
                         "blended_saving_vs_on_demand": tco.saving_vs_on_demand(blended, on_demand)}}


def _arm_section(p: Params) -> dict:
    a = p.arm_migration
    x86 = tco.on_demand_usd_per_month(a.x86_instances, a.x86_usd_per_hour)
    gain = tco.price_performance_gain(a.x86_usd_per_hour, a.arm_usd_per_hour, a.arm_relative_throughput)
    reduction = tco.cost_reduction_from_price_performance(gain)
    effort = tco.engineering_weeks_usd(a.engineering_weeks, p.loaded_cost_usd_per_fte_per_year,
                                       p.working_weeks_per_year)
    table = tco.arm_migration_monthly(x86, reduction, effort, p.horizon_months, a.migration_months,
                                      a.growth_rate_per_month)
    payback = tco.arm_migration_payback_month(x86, reduction, effort, a.migration_months, a.growth_rate_per_month)
    first_saving = float(table.loc[table["month"] == a.migration_months + 1, "saving_usd"].iloc[0])
    return {"table": table, "x86_usd_per_month": x86, "gain": gain, "reduction": reduction, "effort_usd": effort,
            "payback_month": payback, "first_saving": first_saving,
            "net_usd": float(table["cumulative_net_usd"].iloc[-1]),
            "headline": {"arm_cost_reduction": reduction, "arm_saving_usd_per_month_at_cutover": first_saving,
                         "arm_migration_effort_usd": effort, "arm_payback_month": payback}}


def _storage_section(p: Params) -> dict:
    s, h = p.storage_lifecycle, p.horizon_months
    actual = s.policies[p.baseline]
    planned = s.planned.model_dump()
    comparison = tco.storage_policy_comparison(s.written_gb_per_month, planned, actual.model_dump(), s.prices(), h,
                                               s.growth_rate_per_month)
    tiers = tco.storage_tiers_gb(s.written_gb_per_month, h, growth_rate_per_month=s.growth_rate_per_month,
                                 **actual.model_dump())
    tiers_planned = tco.storage_tiers_gb(s.written_gb_per_month, h, growth_rate_per_month=s.growth_rate_per_month,
                                         **planned)
    last = comparison.iloc[-1]
    return {"comparison": comparison, "tiers": tiers, "tiers_planned": tiers_planned, "planned": s.planned,
            "actual": actual,
            "headline": {f"planned_storage_usd_{h}_months": float(comparison["planned_usd"].sum()),
                         f"storage_overrun_usd_{h}_months": float(comparison["overrun_usd"].sum()),
                         f"storage_overrun_usd_per_month_at_month_{h}": float(last["overrun_usd"]),
                         f"hot_tb_at_month_{h}": float(tiers["hot_gb"].iloc[-1]) / 1000,
                         f"planned_hot_tb_at_month_{h}": float(tiers_planned["hot_gb"].iloc[-1]) / 1000}}


# ---------------------------------------------------------------------------------------------------
# What-if (interactive runs only).


def whatif_controls(p: Params, top: int = 4) -> dict[str, tuple[float, float, float, float]]:
    """Sliders for `costlib.whatif.sliders`: usage scale, loaded cost and the inputs that move the answer most
    (the largest swings of the tornado), each as ``(minimum, maximum, step, value)``."""
    base = model_inputs(p)
    keys = ["usage_scale", "loaded_cost_usd_per_fte_per_year"]
    tornado = uncertainty.sensitivity(make_model(p, _challenger(p, base)), base, default_ranges(p))
    keys += [k for k in tornado["input"] if k not in keys][:top]
    controls = {}
    for k in keys:
        value = float(base[k])
        low, high = _flip_bounds(k, value, base)
        high = min(high, max(3 * abs(value), 1.0)) if not k.endswith((".saving",)) else high
        if k == "usage_scale":
            low, high = 0.1, 10.0
        controls[k] = (low, high, (high - low) / 100, value)
    return controls


_CHALLENGERS: dict[str, str | None] = {}


def _base_challenger(p: Params) -> str | None:
    """`_challenger` at the scenario's own values, computed once per scenario (keyed by its validated values),
    so that a sweep's thousands of ``whatif`` calls do not rank the options at base again each time."""
    key = p.model_dump_json()
    if key not in _CHALLENGERS:
        if len(_CHALLENGERS) >= 256:
            _CHALLENGERS.clear()
        _CHALLENGERS[key] = _challenger(p, model_inputs(p))
    return _CHALLENGERS[key]


def _challenger(p: Params, x: dict) -> str | None:
    """The option compared with the baseline: the scenario's, else the cheapest other on the decision metric."""
    if p.challenger is not None or len(p.options) < 2:
        return p.challenger
    costs = option_costs(p, x)
    return tco.rank_options({o: tco.cost_difference_usd(_metric(p, c, x)) for o, c in costs.items()},
                            p.baseline)["challenger"]


def whatif(p: Params, **inputs) -> dict:
    """Each option's TCO on the decision metric, the winner and the challenger-minus-baseline difference with
    some inputs moved (the sliders; the contract's what-if). At the base values these are the headline's."""
    x = {**model_inputs(p), **inputs}
    costs = option_costs(p, x)
    h = p.horizon_months
    total = p.decision_basis == "total"
    suffix = f"usd_{h}_months" if total else "present_value_usd"
    metric = {o.name: tco.cost_difference_usd(_metric(p, costs[o.name], x), None) for o in p.options}
    out = {(f"{o}_tco_usd_{h}_months" if total else f"{o}_present_value_usd"): v for o, v in metric.items()}
    challenger = _base_challenger(p)
    ranking = tco.rank_options(metric, p.baseline, challenger)
    out["cheapest_option"] = ranking["cheapest_option"]
    if challenger is not None:
        out[f"{challenger}_minus_{p.baseline}_{suffix}"] = ranking["challenger_minus_baseline_usd"]
    return out


def uncertain_inputs(p: Params) -> dict[str, tuple[float, float, float]]:
    """``{input: (low, base, high)}``: the ranges of `default_ranges` around the base values."""
    base = model_inputs(p)
    return {k: (lo, float(base[k]), hi) for k, (lo, hi) in default_ranges(p).items()}


# ---------------------------------------------------------------------------------------------------
# Words.


_usd, _pct = report.usd, report.pct


def _num(x: float) -> str:
    """An input value for sentences: ``300,000``, ``2.5``, ``0.621``."""
    x = float(x)
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def decisions(a: Analysis) -> list[contract.Decision]:
    """The verdict as a record: which option to run."""
    p = a.params
    h = p.horizon_months
    metric_words = f"over {h} months" if p.decision_basis == "total" else "in present value"
    answer = a.answers["tco"]
    if a.runner_up is None:
        return [contract.Decision(question=f"What {p.label(p.baseline)} costs {metric_words}",
                                  verdict=f"{p.label(p.baseline)} only", rests_on=(answer.figure,), flips_when="")]
    verb = "keep" if a.winner == p.baseline else "choose"
    flips = [contract.flip_words(r, FIGURES, now=False) for _, r in a.flips.head(2).iterrows()
             if labels.number(r["flip_value"])]
    agreement = None
    if a.challenger is not None and a.winner in (a.challenger, p.baseline):
        prob = a.probability_challenger_cheaper
        agreement = uncertainty.agreement(prob, a.winner == a.challenger)
    rests = [answer.figure] + [k for k in ("break_even_month", f"probability_{a.challenger}_cheaper")
                               if k in a.headline]
    return [contract.Decision(question=f"Which option costs least {metric_words}",
                              verdict=f"{verb} {p.label(a.winner)}", rests_on=tuple(rests),
                              flips_when=" or ".join(flips), agreement=agreement)]


def recommendation(a: Analysis) -> str:
    """The recommendation in words, computed from the analysis: it changes when the numbers change."""
    p, h = a.params, a.params.horizon_months
    t = a.totals.set_index("option")
    metric = "tco_usd" if p.decision_basis == "total" else "present_value_usd"
    metric_words = (f"over {h} months" if p.decision_basis == "total"
                    else f"in present value at {_pct(p.discount_rate_per_year)}")
    lab = lambda option: report.escape(p.label(option))  # noqa: E731 (user text in Markdown)
    rows = {r["key"]: r for r in contract.figure_rows(a.headline, FIGURES, h)}
    lines = [contract.decision_words(d, rows) for d in decisions(a)]
    if a.runner_up is None:
        o = p.baseline
        lines.append(f"**{lab(o)} costs {_usd(t.loc[o, 'tco_usd'])} over {h} months** "
                     f"({_usd(t.loc[o, 'present_value_usd'])} in present value at "
                     f"{_pct(p.discount_rate_per_year)}); {_pct(t.loc[o, 'people_share_of_tco'])} of it is people.")
    else:
        w, r = a.winner, a.runner_up
        ranking = a.ranking
        margin = ranking["cheapest_saving_vs_runner_up_usd"]
        verdict = "Keep" if w == p.baseline else "Choose"
        lines.append(f"**{verdict} {lab(w)}: it costs {_usd(t.loc[w, metric])} {metric_words}, "
                     f"{_usd(margin)} ({_pct(ranking['cheapest_saving_share_of_runner_up'])}) less than {lab(r)} "
                     f"({_usd(t.loc[r, metric])}).**")
        prob = a.probability_challenger_cheaper
        if prob is not None and uncertainty.close_call(uncertainty.agreement(prob, None)) and len(a.tornado):
            lines.append(f"**The call is close**: drawing all inputs over their ranges, {lab(a.challenger)} is "
                         f"cheaper in {_pct(prob)} of the runs. Firm up **{contract.input_name(a.tornado.iloc[0]['input'], FIGURES)}** (it moves "
                         "the answer most) before committing.")
        other = "present_value_usd" if metric == "tco_usd" else "tco_usd"
        winner_other = t[other].idxmin()
        if winner_other != w:
            lines.append(f"Careful: on the {'present value' if other == 'present_value_usd' else 'undiscounted total'}"
                         f" {lab(winner_other)} comes out cheaper; timing of the costs decides it.")
        else:
            lines.append(f"In present value at {_pct(p.discount_rate_per_year)} the ranking is the same "
                         f"({_usd(t.loc[w, 'present_value_usd'])} against {_usd(t.loc[r, 'present_value_usd'])}).")
    c = a.challenger
    if c is not None:
        b = p.baseline
        diff = a.ranking["challenger_minus_baseline_usd"]
        pay = a.crossover.get("break_even_month")
        if diff < 0:
            lines.append(f"Moving from {lab(b)} to {lab(c)} saves {_usd(-diff)} {metric_words}; cumulative costs "
                         f"break even in {timing.month_text(pay, a.params.horizon_months)}.")
        else:
            catch = ("never catches up within the horizon" if pay is timing.NEVER
                     else f"catches up in month {int(pay)}")
            lines.append(f"Moving from {lab(b)} to {lab(c)} would cost {_usd(diff)} more {metric_words}; its "
                         f"cumulative cost {catch}.")
        lines.append(_crossover_sentence(a))
    top_people = t["people_share_of_tco"].idxmax()
    if float(t.loc[top_people, "people_share_of_tco"]) >= 0.25:
        lines.append(f"People, toil and training are {_pct(t.loc[top_people, 'people_share_of_tco'])} of the TCO of "
                     f"{lab(top_people)} ({_usd(t.loc[top_people, 'people_usd'])}): the cost that sticker prices "
                     "leave out.")
    if len(a.tornado):
        tr = a.tornado.iloc[0]
        what = f"{lab(c)} minus {lab(p.baseline)}" if c else "the TCO"
        lines.append(f"The answer is most sensitive to **{contract.input_name(tr['input'], FIGURES)}**: across "
                     f"{contract.input_text(tr['input'], tr['low'], FIGURES)} to "
                     f"{contract.input_text(tr['input'], tr['high'], FIGURES)}, {what} moves from {_usd(tr['output_at_low'])} to "
                     f"{_usd(tr['output_at_high'])}." + (
                         f" Drawing all inputs together, {lab(c)} is cheaper in "
                         f"{_pct(a.probability_challenger_cheaper)} of the runs."
                         if c and not uncertainty.close_call(uncertainty.agreement(a.probability_challenger_cheaper, None)) else ""))
    flips = a.flips[a.flips["input"] != "usage_scale"] if len(a.flips) else a.flips
    if len(flips) and c is not None:
        items = [f"{contract.input_name(f['input'], FIGURES)} at {contract.input_text(f['input'], f['flip_value'], FIGURES)}"
                 f" instead of {contract.input_text(f['input'], f['base_value'], FIGURES)}"
                 for _, f in flips.head(3).iterrows() if labels.number(f["flip_value"])]
        lines.append(f"One input at a time, the comparison of {lab(c)} with {lab(p.baseline)} flips with "
                     + "; or ".join(items) + ".")
    s = a.sections
    if "relative" in s:
        for r, (_, row) in zip(s["relative"]["lines"], s["relative"]["table"].iterrows()):
            if r.saving or r.headroom:  # a bare premium is plain from the lines table
                lines.append(_relative_sentence(r, row))
    if "utilization" in s:
        for u in s["utilization"]["items"]:
            extra = (f"; at {_pct(u['target'])} it would be {_usd(u['at_target_usd_per_unit'])}"
                     if u["target"] else "")
            lines.append(f"Utilization: {labels.words(u['resource'])} runs at {_pct(u['utilization'])}, so each utilized "
                         f"{u['unit'].replace('_', '-')} costs {_usd(u['usd_per_utilized_unit'])}, "
                         f"{u['multiple_of_list']:.1f}x its list price of {_usd(u['list_usd'])}{extra}.")
    if "purchase_options" in s:
        po = s["purchase_options"]
        best = min(po["costs"], key=po["costs"].get)
        lines.append(f"Purchase options: the blended mix ({po['mix']}) costs {_usd(po['blended'])}/month, "
                     f"{_pct(po['headline']['blended_saving_vs_on_demand'])} below on-demand ({_usd(po['on_demand'])}); the "
                     f"cheapest single option is {best.replace('_', ' ')} at {_usd(po['costs'][best])}/month, but "
                     "commit only to the baseline you are sure to run, and spot only for interruptible work.")
        if "arm_migration" in s:
            lines.append("Commit after the ARM migration, not before: a 3-year x86 commitment would lock the fleet "
                         "into the architecture you are leaving.")
    if "arm_migration" in s:
        am = s["arm_migration"]
        lines.append(f"ARM: {_pct(am['gain'])} more work per dollar is a {_pct(am['reduction'])} cost cut; "
                     f"{_usd(am['first_saving'])}/month from month {p.arm_migration.migration_months + 1} against "
                     f"{_usd(am['effort_usd'])} of engineering pays back in "
                     f"{timing.month_text(am['payback_month'], a.params.horizon_months)} "
                     f"and nets {_usd(am['net_usd'])} over {h} months.")
    if "storage_lifecycle" in s:
        st = s["storage_lifecycle"]
        comp = st["comparison"]
        lines.append(f"Storage lifecycle: data kept hot {st['actual'].hot_days:g} days instead of the planned "
                     f"{st['planned'].hot_days:g} costs {_usd(comp['overrun_usd'].sum())} more over {h} months "
                     f"({_usd(comp['overrun_usd'].iloc[-1])} in month {h}, and growing with the data). Automate the "
                     "lifecycle policy and alert on hot-tier size.")
    return "\n\n".join(lines)


def _relative_sentence(r: Line, row) -> str:
    factor = float(row["cost_vs_reference"])
    ref, owner, key = (labels.words(r.relative_to).replace(".", " · "), labels.words(r.relative_to.split(".")[0]),
                       labels.words(r.key).replace(".", " · "))
    parts = []
    if r.saving:
        parts.append(f"a {_pct(r.saving)} saving on {ref} (so {owner} carries a "
                     f"{_pct(row['reference_premium'])} premium, not {_pct(r.saving)})")
    if r.premium:
        parts.append(f"a {_pct(r.premium)} premium over {ref}")
    if r.headroom:
        parts.append(f"{_pct(r.headroom)} headroom for peaks and failover")
    net = (f"a real saving of {_pct(1 - factor)} before people" if factor < 1
           else f"{_pct(factor - 1)} more than {ref}" if factor > 1 else f"the same as {ref}")
    return f"{key} is priced from " + " and ".join(parts) + f": it costs {_pct(factor)} of the reference, {net}."


def _scale_today(baseline_label: str, today: float, threshold: float) -> str:
    """``X spends $Y/year on average over the horizon, Nx that threshold`` (no capital, no full stop)."""
    if not today or not threshold:
        return ""
    spends = f"{baseline_label} spends {_usd(today)}/year on average over the horizon"
    if today >= threshold:
        return f"{spends}, {today / threshold:.1f}x that threshold"
    return f"{spends}: it would have to grow {threshold / today:.1f}x"


def _crossover_sentence(a: Analysis) -> str:
    p, x = a.params, a.crossover
    label = lambda option: report.escape(p.label(option))  # noqa: E731 (user text in Markdown)
    b, c = p.baseline, a.challenger
    base_infra = x["baseline_infra_usd_per_year"]
    rr = x.get("run_rate_infra_usd_per_year")
    hz = x.get("horizon_infra_usd_per_year")
    h = p.horizon_months
    if hz is None and rr is None:
        t = a.totals.set_index("option")
        metric = "tco_usd" if p.decision_basis == "total" else "present_value_usd"
        cheaper = c if t.loc[c, metric] < t.loc[b, metric] else b
        return (f"No crossover: {label(cheaper)} is cheaper than {label(c if cheaper == b else b)} at every "
                "scale of usage, so growth alone will not flip this verdict.")
    wins_above = x["run_rate_challenger_wins_above"] if rr is not None else x["challenger_wins_above"]
    big, small = (c, b) if wins_above else (b, c)
    text = "**Where it flips with scale.** "
    if rr is not None:
        text += (f"Once running, {label(big)} only pays above **{_usd(rr)}/year** of usage-driven infrastructure "
                 f"spend; below that {label(small)} is cheaper ({_scale_today(label(b), base_infra, rr)}). ")
        if hz is not None:
            text += (f"Counting the one-off costs, {label(big)} is cheaper over the {h} months above "
                     f"**{_usd(hz)}/year**.")
    else:
        at_scale = c if x["challenger_wins_above"] else b
        text += (f"Once running, {label(at_scale)} is cheaper at every scale, so the question is whether the "
                 f"one-off costs are repaid: over the {h} months {label(at_scale)} is cheaper above "
                 f"**{_usd(hz)}/year** of usage-driven spend ({_scale_today(label(b), base_infra, hz)}).")
    return text.strip()


# ---------------------------------------------------------------------------------------------------
# Charts (built from the analysis; `costlib.charts.show` renders them).


def chart_tco_by_option(a: Analysis):
    """TCO over the horizon per option, stacked by category (group in the label)."""
    from costlib import charts

    h = a.params.horizon_months
    frame = tco.tco_summary(a.monthly, by="category")
    frame["category"] = [f"{g}: {CATEGORY_WORDS.get(c, labels.words(c))}" for g, c in zip(frame["group"], frame["category"])]
    frame = frame.sort_values(["group", "category"], kind="stable")
    frame["option"] = [a.params.label(o) for o in frame["option"]]
    t = a.totals.set_index("option")
    sub = (f"Cheapest: {a.params.label(a.winner)} at {_usd(t.loc[a.winner, 'tco_usd'])}"
           + (f"; {a.params.label(a.runner_up)} {_usd(t.loc[a.runner_up, 'tco_usd'])}" if a.runner_up else ""))
    return charts.stacked_cost(words=True, frame=frame, x="option", value="cost_usd", component="category",
                               title=f"Total cost of ownership over {h} months, by category", x_title=None,
                               y_title=f"USD over {h} months", subtitle=[sub])


def chart_cumulative(a: Analysis):
    """Cumulative cost per option month by month, with the break-even month marked."""
    from costlib import charts

    frame = a.cumulative.assign(option=[a.params.label(o) for o in a.cumulative["option"]])
    pay = a.crossover.get("break_even_month")
    rule = pay if pay is not timing.NEVER and pay > 1 else None
    if a.challenger is None:
        sub = ""
    elif pay is timing.NEVER:
        sub = (f"{a.params.label(a.challenger)} does not catch up with {a.params.label(a.params.baseline)} within "
               f"{a.params.horizon_months} months")
    else:
        sub = f"{a.params.label(a.challenger)} catches up with {a.params.label(a.params.baseline)} in month {int(pay)}"
    return charts.lines(words=True, frame=frame, x="month", y="cumulative_usd", series="option", title="Cumulative cost by month",
                        x_title="month", y_title="cumulative USD", subtitle=[sub] if sub else None, points=False,
                        rule_x=rule, rule_label=f"break-even month {int(rule)}" if rule else None)


def chart_crossover(a: Analysis):
    """Challenger minus baseline per year as the status quo's usage-driven spend scales: below zero the
    challenger is cheaper; the crossovers are where the lines cross zero."""
    import altair as alt

    from costlib import charts

    p, x = a.params, a.crossover
    base = x["baseline_infra_usd_per_year"]
    rr, hz = x.get("run_rate_infra_usd_per_year"), x.get("horizon_infra_usd_per_year")
    sub = [f"{p.label(a.challenger)} minus {p.label(p.baseline)}; below zero {p.label(a.challenger)} is cheaper",
           f"{p.label(p.baseline)} averages {_usd(base)}/year. Crossover once running: " + (f"{_usd(rr)}/year" if rr else "none")
           + f"; over {p.horizon_months} months: " + (f"{_usd(hz)}/year" if hz else "none")]
    chart = charts.lines(words=True, frame=a.crossover_curve, x="baseline_infra_usd_per_year", y="difference_usd_per_year",
                         series="view", title="Where the answer flips with scale",
                         x_title=f"{p.label(p.baseline)}: usage-driven spend, USD per year",
                         y_title="difference, USD per year", subtitle=sub, points=False, x_money=True)
    marks = pd.DataFrame([{"at": base, "label": "status quo"}])
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    rules = alt.Chart(marks).mark_rule(color="#555555", strokeDash=[4, 4]).encode(x="at:Q")
    text = alt.Chart(marks).mark_text(align="left", dx=4, dy=-charts.HEIGHT / 2 + 10, color="#555555").encode(
        x="at:Q", text="label:N")
    return alt.layer(chart, zero, rules, text)


def chart_tornado(a: Analysis):
    from costlib import charts

    h = a.params.horizon_months
    label = (f"{a.params.label(a.challenger)} minus {a.params.label(a.params.baseline)}, USD over {h} months" if a.challenger
             else f"TCO, USD over {h} months")
    if a.params.decision_basis == "present_value":
        label = label.replace(f"USD over {h} months", "present value USD")
    unit = contract.declaration(FIGURES, a.answers["tco"].figure).unit
    return charts.tornado(workbook=sys.modules[__name__], frame=a.tornado, output_label=label, unit=unit)


def chart_band(a: Analysis):
    """Cumulative difference challenger minus baseline month by month: P10-P90 band and P50."""
    from costlib import charts

    p = a.params
    what = (f"{p.label(a.challenger)} minus {p.label(p.baseline)}, cumulative" if a.challenger
            else f"{p.label(p.baseline)}, cumulative")
    return charts.band(a.band, x="month", title="Cumulative difference, with uncertainty" if a.challenger
                       else "Cumulative cost, with uncertainty", y_title="USD", x_title="month",
                       rule_y=0.0 if a.challenger else None,
                       subtitle=[f"{what}; below the dashed zero line the challenger is ahead.",
                                 f"Shaded: P10-P90 of {p.monte_carlo_draws:,} Monte Carlo runs; line: P50"
                                 + ("; storage prices, day thresholds and growth vary in the tornado only"
                                    if p.storage_lifecycle is not None else "")])


def chart_storage(a: Analysis):
    """Planned vs actual storage bill per month."""
    from costlib import charts

    s = a.sections["storage_lifecycle"]
    comp = s["comparison"]
    actual, planned = s["actual"], s["planned"]
    frame = pd.concat([
        pd.DataFrame({"month": comp["month"], "usd_per_month": comp["planned_usd"],
                      "policy": f"planned: hot {planned.hot_days:g} days"}),
        pd.DataFrame({"month": comp["month"], "usd_per_month": comp["actual_usd"],
                      "policy": f"as operated: hot {actual.hot_days:g} days"})])
    return charts.lines(words=True, frame=frame, x="month", y="usd_per_month", series="policy", title="Storage bill per month",
                        x_title="month", y_title="USD per month", points=False,
                        subtitle=[f"Overrun over {a.params.horizon_months} months: "
                                  f"{_usd(comp['overrun_usd'].sum())}"])


def chart_arm(a: Analysis):
    """Cumulative net saving of the ARM migration, with the payback month."""
    from costlib import charts

    s = a.sections["arm_migration"]
    pay = s["payback_month"]
    rule = pay if pay is not timing.NEVER and pay <= a.params.horizon_months else None
    return charts.lines(words=True, frame=s["table"], x="month", y="cumulative_net_usd", title="ARM migration: cumulative net saving",
                        x_title="month", y_title="USD (saving minus engineering effort)", points=False,
                        subtitle=[f"{_pct(s['reduction'])} cheaper per unit of work; "
                                  f"{_usd(s['effort_usd'])} of engineering; payback "
                                  f"{timing.month_text(pay, a.params.horizon_months)}"],
                        rule_x=rule, rule_label=f"payback month {int(rule)}" if rule else None)


def chart_purchase(a: Analysis):
    from costlib import charts

    po = a.sections["purchase_options"]
    return charts.bars(words=True, frame=po["table"], category="purchase_option", value="usd_per_month",
                       title="The same fleet under each purchase option", value_title="USD per month",
                       subtitle=[f"Blended mix ({po['mix']}): {_usd(po['blended'])}/month, "
                                 f"{_pct(po['headline']['blended_saving_vs_on_demand'])} below on-demand"])
