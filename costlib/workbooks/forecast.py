"""Workbook 04, forecasting: the scenario schema and the analysis the notebook shows.

The question: how much capacity next year (for the peak, organic growth and events kept apart), where the
cost cliffs are and when to start re-architecting, how much to commit, and how the unit economics glide to
profit. Each part is an optional section of the scenario (a scenario holds the ones its situation needs):

- ``demand``: the seed's translation layer (DAU x usage x (1 + headroom)), peak vs average, inorganic
  events with their lead time, a P10/P50/P90 band, and the buffer that minimises expected cost;
- ``history``: the statistical baseline (`costlib.forecast_models`): seasonal naive, the log-linear seasonal
  model, ETS, the airline SARIMA and Theta, scored by a rolling-origin backtest (MASE), the median of the
  standard three, and an interval checked against the backtest;
- ``event_review``: an event forecast at +20% that came in at +50%, priced both ways;
- ``cliffs``: step-function costs, the limits that force a re-architecture, and the cliff calendar;
- ``commitment``: the newsvendor commitment, its curve, regret, utilization and coverage, a tranche ladder,
  and the switch to a new hardware generation (``commitment.new_generation``);
- ``glide``: the glide path to profitability (levers, a migration milestone, the waterfall, slips);
- ``projects``: engineering time against the cloud bill (payback, probability of success);
- ``jevons``: an efficiency gain banked or reinvested.

Every formula is in `costlib.forecast`; this module declares and assembles.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Annotated, Literal, Optional

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from costlib import contract, labels, report, timing, uncertainty
from costlib import forecast as fc
from costlib import forecast_models as fm
from costlib.params import (NonNegative, Positive, PositiveInt, Rate, Schema, SignedRate, bounded,
                            check_sensitivity_ranges, non_empty, require_unique)

TOPIC = "forecast"
#: `costlib.contract.whatif_key`: whatif takes an answer's model inputs as ``<answer>__<input>``.
WHATIF_KEY = "{answer}__{input}"

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Month = bounded(1, 120, expected="expected a month between 1 and 120")
LeadTime = bounded(0, 60, expected="expected a lead time between 0 and 60 months", kind=int)
Horizon = bounded(1, 120, expected="expected a horizon between 1 and 120 months", kind=int)
Multiplier = bounded(0, 100, low_open=True, expected="expected a multiplier > 0 and <= 100 (1.5 is +50%)")
Reduction = bounded(0, 1, high_open=True, expected="expected a decimal reduction in [0, 1) (0.4 is 40%)")
Uplift = bounded(-0.99, 20, expected="expected a decimal uplift between -0.99 and 20 (0.2 is +20%)")
Ratio = bounded(1, 100, expected="expected a peak-to-average ratio between 1 and 100")
Headroom = bounded(0, 2, expected="expected a decimal headroom between 0 and 2 (0.3 is +30%)")
Hourly = Annotated[list[NonNegative], AfterValidator(non_empty)]

_F = "costlib.forecast."
_FM = "costlib.forecast_models."
_P = "costlib.workbooks.forecast.Params"
_A = "costlib.uncertainty.assess"

#: The headline figures, each declared once (`costlib.contract.Figure`); specific keys before general.
FIGURES = (
    # demand
    contract.Figure("capacity_cost_p10_usd_per_month", "Capacity cost in the last month, P10", "usd_per_month",
                    "10th percentile over the Monte Carlo draws of growth and usage", _A),
    contract.Figure("capacity_cost_p90_usd_per_month", "Capacity cost in the last month, P90", "usd_per_month",
                    "90th percentile over the Monte Carlo draws", _A),
    contract.Figure("capacity_cost_usd_per_month_month_{m}", "Capacity cost in month {m}", "usd_per_month",
                    "whole units for the peak with headroom, at the base inputs", _F + "demand_paths"),
    contract.Figure("capacity_units_p50_month_{m}", "Capacity needed in month {m}, P50 (units)", "number",
                    "units of capacity for the peak with headroom, median draw", _F + "demand_paths"),
    contract.Figure("capacity_units_p90_month_{m}", "Capacity needed in month {m}, P90 (units)", "number",
                    "units for the 90th-percentile demand: what to order if running out is costly",
                    _F + "demand_paths"),
    contract.Figure("peak_capacity_units", "Most capacity needed in any month (units)", "number",
                    "the month of the largest peak with events and headroom, at the base inputs", _F + "peak_month"),
    contract.Figure("peak_capacity_month", "Month of the most capacity", "month",
                    "when that capacity must be in place (events pre-provisioned)", _F + "peak_month"),
    contract.Figure("peak_to_average_ratio", "Peak over average load", "multiple",
                    "capacity is bought for the peak (stated, or from the hourly shape)", _F + "peak_to_average_ratio"),
    contract.Figure("event_capacity_usd", "Inorganic events: extra capacity", "usd",
                    "capacity held for the events (with their pre-provisioning lead time) over the horizon",
                    _F + "event_multipliers"),
    contract.Figure("budget_usd_per_month", "Budget for the last month", "usd_per_month", "the scenario's", _P),
    contract.Figure("best_headroom", "Headroom that minimises expected cost", "share",
                    "idle capacity against the expected cost of brownouts", _F + "best_headroom"),
    contract.Figure("planned_headroom", "Planned headroom", "share", "the scenario's buffer", _P),
    contract.Figure("brownout_probability_at_planned_headroom", "Chance of a brownout at the planned headroom",
                    "probability", "share of demand draws above the capacity", _F + "buffer_tradeoff"),
    contract.Figure("buffer_saving_usd_per_month", "Moving to the best headroom saves", "usd_per_month",
                    "expected cost at the planned headroom minus at the best", _F + "buffer_tradeoff"),
    # history
    contract.Figure("baseline_model", "Statistical baseline forecasting", "text",
                    "the model with the lowest mean MASE over the backtest's origins", _FM + "baseline"),
    contract.Figure("mase_seasonal_trend", "Backtest MASE, log-linear seasonal model", "number",
                    "mean absolute scaled error over the backtest's origins (below 1 beats seasonal naive "
                    "in-sample)", _FM + "scores"),
    contract.Figure("mase_seasonal_naive", "Backtest MASE, seasonal naive", "number",
                    "the benchmark's error on the same months", _FM + "scores"),
    contract.Figure("mase_theta", "Backtest MASE, Theta", "number", "the Theta method on the same months",
                    _FM + "scores"),
    contract.Figure("mase_ets", "Backtest MASE, ETS", "number",
                    "exponential smoothing, its form chosen by AICc at each origin", _FM + "scores"),
    contract.Figure("mase_sarima", "Backtest MASE, airline SARIMA", "number",
                    "SARIMA(0,1,1)(0,1,1)12 on the same months", _FM + "scores"),
    contract.Figure("mase_median", "Backtest MASE, median of ETS, SARIMA and Theta", "number",
                    "the combination on the same months", _FM + "scores"),
    contract.Figure("baseline_interval_coverage", "Backtest months inside the forecast's 80% interval", "share",
                    "how often the forecasting model's own P10-P90 held the outcome, before any widening",
                    _FM + "scores"),
    contract.Figure("baseline_interval_widening", "Interval widened by", "multiple",
                    "1.00x when the backtest's interval covered; else the factor that makes it miss 20%",
                    _FM + "interval_widening"),
    contract.Figure("statistical_forecast_p50_month_{m}", "Statistical forecast, month {m} ahead (P50)", "number",
                    "the baseline's point forecast", _FM + "baseline"),
    contract.Figure("driver_forecast_month_{m}", "Driver-based forecast, month {m} ahead", "number",
                    "the scenario's growth assumption, for comparison", _F + "growth_path"),
    # event review
    contract.Figure("event_plan_at_forecast_minus_plan_high_usd", "Plan at the forecast minus plan for the high case",
                    "usd", "expected cost difference over the uplift's range (> 0: plan higher)",
                    _F + "event_plan_costs"),
    contract.Figure("event_shortfall_cost_usd", "Cost of the miss (planned at forecast, came at actual)", "usd",
                    "capacity held plus the brownout hours of the actual peak", _F + "event_plan_costs"),
    contract.Figure("event_cost_if_planned_for_actual_usd", "Cost had we planned for the actual", "usd",
                    "capacity for the actual peak, no brownout", _F + "event_plan_costs"),
    contract.Figure("event_idle_cost_if_forecast_right_usd", "Idle cost of the high plan if the forecast was right",
                    "usd", "the extra capacity held for nothing", _F + "event_plan_costs"),
    contract.Figure("event_should_have_planned_uplift", "Uplift the plan should have used", "share",
                    "least expected cost over the uplift's stated range", _F + "best_event_uplift"),
    # cliffs
    contract.Figure("runway_before_rearchitecture_months", "Months left before the re-architecture must start",
                    "months", "first limit's crossing month at the base growth, less its lead time (<= 0: late)",
                    _F + "rearchitecture_runway_months"),
    contract.Figure("first_limit_p50_month", "First limit crossed, P50 demand", "month",
                    "the month the median load path exceeds the first limit", _F + "cliff_calendar"),
    contract.Figure("first_limit_p90_month", "First limit crossed, P90 demand", "month",
                    "the month the 90th-percentile load path exceeds it", _F + "cliff_calendar"),
    contract.Figure("rearchitecture_start_by_month", "Start the re-architecture by", "month",
                    "P90 crossing minus the lead time (month 1 is now)", _F + "cliff_calendar"),
    contract.Figure("cost_cliff_multiple", "Cost just past the limit over cost at it", "multiple",
                    "the step: ceil units on the next architecture with its overhead", _F + "tier_costs"),
    # commitment
    contract.Figure("commitment_units", "Commitment that minimises expected cost (units)", "number",
                    "the newsvendor optimum: the demand quantile at the critical ratio",
                    _F + "newsvendor_commitment"),
    contract.Figure("commitment_quantile", "Demand quantile committed to", "probability",
                    "the critical ratio: (discount + shortfall premium) / (1 + premium)",
                    _F + "critical_ratio"),
    contract.Figure("commitment_savings_usd", "Expected saving over the term vs all on-demand", "usd",
                    "at the optimum commitment", _F + "commitment_cost"),
    contract.Figure("commitment_utilization", "Utilization at the optimum", "share",
                    "committed units used, expected", _F + "commitment_cost"),
    contract.Figure("commitment_coverage", "Coverage at the optimum", "share",
                    "usage covered by the commitment, expected", _F + "commitment_cost"),
    contract.Figure("shelfware_at_p10_usd", "Shelfware if demand comes in at P10", "usd",
                    "committed, unused (over-forecast) over the term", _F + "commitment_regret"),
    contract.Figure("on_demand_overflow_at_p90_usd", "On-demand overflow if demand comes in at P90", "usd",
                    "usage above the commitment (under-forecast) over the term", _F + "commitment_regret"),
    contract.Figure("regret_at_p10_usd", "Regret at P10 demand", "usd",
                    "cost over the best commitment with hindsight, over the term", _F + "commitment_regret"),
    contract.Figure("regret_at_p90_usd", "Regret at P90 demand", "usd", "the same at P90 demand",
                    _F + "commitment_regret"),
    contract.Figure("ladder_saving_vs_single_usd", "Tranche ladder saves vs one commitment", "usd",
                    "expected, over the term", _F + "tranche_ladder"),
    contract.Figure("switch_minus_sweat_usd", "Switch to the new generation minus sweat", "usd",
                    "over the horizon (< 0: switching pays)", _F + "generation_switch"),
    contract.Figure("switch_break_even_remaining_months", "Switching pays with more commitment left than",
                    "months", "remaining committed months at which switch and sweat cost the same",
                    _F + "generation_switch"),
    # glide path
    contract.Figure("gross_margin_now", "Gross margin now", "share", "month 1, before any lever", _F + "glide_path"),
    contract.Figure("gross_margin_at_month_{m}_p10", "Gross margin in month {m}, P10", "share",
                    "10th percentile over the Monte Carlo draws", _A),
    contract.Figure("gross_margin_at_month_{m}", "Gross margin in month {m}", "share",
                    "with every lever and the migration, at the base inputs", _F + "glide_path"),
    contract.Figure("month_margin_positive", "Gross margin turns positive", "month",
                    "first month at or above zero", _F + "first_month_at_or_above"),
    contract.Figure("month_margin_reaches_target", "Gross margin reaches the target", "month",
                    "first month at or above the target", _F + "first_month_at_or_above"),
    contract.Figure("target_gross_margin", "Target gross margin", "share", "the scenario's", _P),
    contract.Figure("month_margin_falls_back", "Gross margin falls back below zero", "month",
                    "first month after turning positive that it is negative again (costs outgrowing revenue)",
                    _F + "first_month_below_after"),
    contract.Figure("cumulative_gross_loss_usd", "Deepest cumulative gross loss", "usd",
                    "lowest point of the cumulative gross profit over the horizon (the funding the plan needs)",
                    _F + "glide_path"),
    contract.Figure("migration_month", "Migration lands (volume threshold plus lead time)", "month",
                    "month the volume reaches the threshold, plus the months to migrate",
                    _F + "crossing_month_of_volume"),
    contract.Figure("worst_slip_lever", "Lever whose slip hurts most", "text",
                    "delayed by the slip months, one at a time", _F + "glide_path"),
    contract.Figure("month_margin_positive_if_worst_slips", "Margin turns positive if it slips", "month",
                    "with the worst lever delayed", _F + "glide_path"),
    contract.Figure("month_target_if_worst_slips", "Margin reaches the target if it slips", "month",
                    "with the worst lever delayed", _F + "glide_path"),
    # projects
    contract.Figure("expected_net_usd_{project}", "Expected net value of {project}", "usd",
                    "probability x countable saving over the horizon minus the engineering cost",
                    _F + "optimization_payback"),
    contract.Figure("payback_month_{project}", "Payback of {project}", "month",
                    "first month the expected cumulative saving covers the cost", _F + "optimization_payback"),
    contract.Figure("roi_multiple_{project}", "Expected return on {project}", "multiple",
                    "expected saving over the horizon per dollar of engineering", _F + "optimization_payback"),
    # jevons
    contract.Figure("unit_cost_usd_banked", "Unit cost after the gain, banked", "usd_per_unit",
                    "today's unit cost x (1 - gain)", _F + "jevons"),
    contract.Figure("unit_cost_usd_reinvested", "Unit cost after the gain, reinvested in quality", "usd_per_unit",
                    "today's unit cost x (1 - gain) x the quality's cost multiple", _F + "jevons"),
    contract.Figure("total_cost_change_banked", "Total cost change, banked", "share",
                    "the gain saved, volume unchanged", _F + "jevons"),
    contract.Figure("total_cost_change_reinvested", "Total cost change, reinvested", "share",
                    "with the quality reinvested and the demand response (> 0: Jevons)", _F + "jevons"),
    contract.Figure("total_cost_change_banked_with_demand_response", "Total cost change, banked, demand responds",
                    "share", "cheaper units draw more use at the stated elasticity (> 0: Jevons)", _F + "jevons"),
    contract.Figure("demand_elasticity_break_even", "Demand elasticity above which banking raises the bill",
                    "number", "the elasticity at which the banked total stays flat (1 for any gain)",
                    "costlib.uncertainty.goal_seek"),
    contract.Figure("quality_multiplier_break_even", "Reinvested quality may cost up to", "multiple",
                    "unit-cost multiple at which the total stays flat: 1 / (1 - gain)", "costlib.uncertainty.goal_seek"),
)


# ---------------------------------------------------------------------------------------------------
# The schema.


class Event(Schema):
    """An inorganic event: a window, a multiplier on the peak, capacity ready a lead time ahead."""

    name: str = "event"
    start_month: PositiveInt
    duration_months: PositiveInt = 1
    multiplier: Multiplier = Field(description="peak multiplier in the window: 1.5 is +50%")
    lead_time_months: LeadTime = 1


class Demand(Schema):
    """The translation layer: DAU x usage per DAU, at the peak, with headroom."""

    load_name: Identifier = "requests_per_second"
    unit_name: Identifier = "server"
    dau_now: Positive
    growth_rate_per_month: SignedRate
    usage_per_dau: Positive = Field(description="average load per DAU, in load_name")
    peak_to_average_ratio: Ratio = 3.0
    hourly_shape: Optional[Hourly] = Field(None, description="24 relative hourly values: overrides the ratio")
    headroom: Headroom = 0.3
    capacity_per_unit: Positive = Field(description="load one unit of capacity serves")
    usd_per_unit_month: NonNegative
    events: list[Event] = Field(default_factory=list)
    budget_usd_per_month: Optional[Positive] = None
    brownout_usd_per_hour: NonNegative = Field(0.0, description="> 0 adds the buffer trade-off")
    hours_at_risk_per_month: Optional[NonNegative] = Field(None, description="default: hours near the peak")
    forecast_error: bounded(0, 2, expected="expected a decimal forecast error between 0 and 2") = 0.1

    @model_validator(mode="after")
    def _shape(self):
        if self.hourly_shape is not None and (len(self.hourly_shape) != 24 or sum(self.hourly_shape) <= 0):
            raise ValueError(f"hourly_shape: expected 24 hourly values, not all zero; got {len(self.hourly_shape)}")
        return self


class History(Schema):
    """A usage or cost series to fit a statistical baseline to (oldest first, monthly)."""

    series_name: str = "usage"
    values: Annotated[list[bounded(-1e15, 1e15, expected="expected a number (zeros and negatives are allowed: "
                                                          "additive models only)")], AfterValidator(non_empty)]
    period: bounded(2, 24, expected="expected a season of 2 to 24 months", kind=int) = 12
    holdout_months: bounded(1, 36, expected="expected 1 to 36 held-out months", kind=int) = 12
    backtest_origins: bounded(1, 12, expected="expected 1 to 12 backtest origins", kind=int) = 4
    backtest_step_months: bounded(1, 12, expected="expected 1 to 12 months between origins", kind=int) = 3
    horizon_months: Horizon = 12
    driver_growth_rate_per_month: Optional[SignedRate] = Field(
        None, description="the driver-based forecast's growth, shown beside the statistical one")

    @model_validator(mode="after")
    def _long_enough(self):
        need = 2 * self.period + 2 + self.holdout_months
        if len(self.values) < need:
            raise ValueError(f"history.values: {len(self.values)} months; expected at least {need} "
                             f"(two seasons of {self.period} plus 2, plus {self.holdout_months} held out)")
        return self


class EventReview(Schema):
    """An event forecast that missed: planned at +forecast, came in at +actual."""

    event: str = "Prime Day"
    baseline_peak_load: Positive
    load_name: Identifier = "requests_per_second"
    forecast_uplift: Uplift
    actual_uplift: Uplift
    uplift_low: Uplift
    uplift_high: Uplift
    headroom: Headroom = 0.1
    usd_per_load_hour: Positive = Field(description="capacity for one unit of load for one hour")
    provisioned_hours: Positive = Field(description="hours the event capacity is held (event plus lead time)")
    hours_at_risk: Positive = Field(description="event hours at the peak")
    brownout_usd_per_hour: Positive

    @model_validator(mode="after")
    def _ordered(self):
        if not self.uplift_low <= self.forecast_uplift <= self.uplift_high:
            raise ValueError(f"event_review: expected uplift_low ({self.uplift_low}) <= forecast_uplift "
                             f"({self.forecast_uplift}) <= uplift_high ({self.uplift_high})")
        if not self.uplift_low < self.uplift_high:
            raise ValueError("event_review: expected uplift_low < uplift_high")
        return self


class Tier(Schema):
    """An architecture that serves loads up to its limit in whole units."""

    name: Identifier
    max_load: Optional[Positive] = Field(None, description="the limit; null for none")
    capacity_per_unit: Positive
    usd_per_unit_month: NonNegative
    overhead_multiple: bounded(1, 100, expected="expected an overhead multiple between 1 and 100") = 1.0
    lead_time_months: LeadTime = Field(0, description="months to move off this tier before its limit")


class Cliffs(Schema):
    """Step-function costs and the limits that force a re-architecture."""

    load_name: Identifier = "writes_per_second"
    load_now: Positive
    growth_rate_per_month: SignedRate
    horizon_months: Horizon = 36
    tiers: Annotated[list[Tier], AfterValidator(non_empty)]

    @model_validator(mode="after")
    def _limits(self):
        require_unique([t.name for t in self.tiers], "tier")
        limits = [t.max_load for t in self.tiers]
        if limits[0] is None:
            raise ValueError("cliffs.tiers[0].max_load: expected a limit on the first architecture")
        finite = [x for x in limits if x is not None]
        if any(b <= a for a, b in zip(finite, finite[1:])) or any(x is None for x in limits[:-1]):
            raise ValueError(f"cliffs.tiers: expected ascending max_load with only the last null, got {limits}")
        return self


class NewGeneration(Schema):
    """A new hardware generation against the committed one."""

    name: str = "new generation"
    remaining_commitment_months: bounded(0, 60, expected="expected 0 to 60 months") = 24
    cost_ratio: bounded(0, 2, low_open=True, expected="expected a cost ratio in (0, 2] (0.6: 40% cheaper)")
    migration_usd: NonNegative = 0.0
    exit_share_of_remaining: Rate = 1.0
    horizon_months: Horizon = 36
    available_month: Month = 1


class Commitment(Schema):
    """Sizing a committed-use discount under uncertain demand."""

    unit_name: Identifier = "vcpu"
    units_now: Positive
    growth_rate_per_month: SignedRate
    growth_rate_low_per_month: SignedRate
    growth_rate_high_per_month: SignedRate
    volatility: bounded(0, 1, expected="expected a decimal volatility between 0 and 1") = 0.1
    hourly_shape: Optional[Hourly] = None
    term_months: Literal[12, 36] = 12
    on_demand_usd_per_unit_hour: Positive
    discount: bounded(0, 0.95, expected="expected a decimal discount between 0 and 0.95 (0.3 is 30%)")
    shortfall_premium: bounded(0, 10, expected="expected a premium between 0 and 10 (0.5: +50% over on-demand)") = 0.0
    tranche_months: list[PositiveInt] = Field(default_factory=lambda: [1, 7])
    draws: bounded(200, 20_000, expected="expected 200 to 20,000 draws", kind=int) = 1000
    new_generation: Optional[NewGeneration] = None

    @model_validator(mode="after")
    def _consistent(self):
        if not self.growth_rate_low_per_month <= self.growth_rate_per_month <= self.growth_rate_high_per_month:
            raise ValueError("commitment: expected growth_rate_low_per_month <= growth_rate_per_month <= "
                             "growth_rate_high_per_month")
        if self.hourly_shape is not None and len(self.hourly_shape) != 24:
            raise ValueError(f"commitment.hourly_shape: expected 24 hourly values, got {len(self.hourly_shape)}")
        t = self.tranche_months
        if not t or t[0] != 1 or t != sorted(set(t)) or t[-1] > self.term_months:
            raise ValueError(f"commitment.tranche_months = {t}: expected ascending months from 1 within the "
                             f"{self.term_months}-month term")
        return self


class Lever(Schema):
    """One of the seed's three levers: software, hardware utilization, volume discounts."""

    name: Identifier
    kind: Literal["software", "hardware", "volume_discount", "other"]
    start_month: Month
    ramp_months: bounded(0, 60, low_open=True, expected="expected a ramp of more than 0 and up to 60 months") = 1.0
    size: Reduction
    share_of_cost: Rate = 1.0


class Migration(Schema):
    """A migration milestone triggered by volume (the seed's 10M transactions/day off the managed store)."""

    name: Identifier = "migration"
    volume_now_per_day: Positive
    volume_growth_rate_per_month: SignedRate
    threshold_per_day: Positive
    lead_time_months: bounded(0, 24, expected="expected 0 to 24 months") = 0.0
    ramp_months: bounded(0, 24, low_open=True, expected="expected more than 0 and up to 24 months") = 1.0
    unit_cost_reduction: Reduction
    share_of_cost: Rate = 1.0


class Glide(Schema):
    """The glide path from negative unit economics to the target margin."""

    revenue_usd_per_month_now: Positive
    revenue_growth_rate_per_month: SignedRate
    cost_usd_per_month_now: Positive
    cost_growth_rate_per_month: SignedRate
    horizon_months: Horizon = 24
    target_gross_margin: bounded(-1, 0.99, expected="expected a decimal margin below 0.99") = 0.2
    deadline_month: Optional[Month] = None
    levers: list[Lever] = Field(default_factory=list)
    migration: Optional[Migration] = None
    slip_months: bounded(1, 24, expected="expected 1 to 24 months") = 3.0

    @model_validator(mode="after")
    def _names(self):
        require_unique([lv.name for lv in self.levers] + ([self.migration.name] if self.migration else []), "lever")
        if self.deadline_month is not None and self.deadline_month > self.horizon_months:
            raise ValueError(f"glide.deadline_month = {self.deadline_month}: expected at most horizon_months "
                             f"({self.horizon_months})")
        return self


class Project(Schema):
    """An optimization project: engineering time for a saving on the bill."""

    name: Identifier
    project_cost_usd: Positive
    saving_usd_per_month: NonNegative
    probability_of_success: Rate = 1.0
    already_in_baseline_usd_per_month: NonNegative = 0.0
    share_under_commitment: Rate = 0.0
    commitment_ends_month: Month = 1
    start_month: PositiveInt = 1
    horizon_months: Horizon = 36


class Jevons(Schema):
    """An efficiency gain, banked or reinvested (the seed's encoding 20% cheaper, then 4K for all)."""

    unit_name: Identifier = "minute"
    unit_cost_usd: Positive
    volume_units_per_month: Positive
    efficiency_gain: Reduction
    quality_cost_multiplier: bounded(0, 20, low_open=True, expected="expected a multiple in (0, 20]") = 1.0
    demand_elasticity: bounded(0, 5, expected="expected an elasticity between 0 and 5") = 0.0


class Params(Schema):
    """Scenario of workbook 04. Every key is documented in the notebook's parameters cell."""

    title: str = "Forecast"
    description: str = ""
    demand: Optional[Demand] = None
    history: Optional[History] = None
    event_review: Optional[EventReview] = None
    cliffs: Optional[Cliffs] = None
    commitment: Optional[Commitment] = None
    glide: Optional[Glide] = None
    projects: Optional[Annotated[list[Project], AfterValidator(non_empty)]] = None
    jevons: Optional[Jevons] = None
    sensitivity_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    monte_carlo_draws: Annotated[int, Field(ge=100, le=200_000)] = 4000
    seed: int = 0

    @model_validator(mode="after")
    def _consistent(self):
        if not any(getattr(self, s) is not None for s in SECTIONS):
            raise ValueError(f"expected at least one section: {', '.join(SECTIONS)}")
        if self.projects:
            require_unique([p.name for p in self.projects], "project")
        inputs = {f"{name}.{k}" for name, (_, _, base) in _models(self).items() for k in base}
        check_sensitivity_ranges(self.sensitivity_ranges, inputs,
                                 expected=f"'<answer>.<input>', one of {sorted(inputs)}")
        return self


SECTIONS = ("demand", "history", "event_review", "cliffs", "commitment", "glide", "projects", "jevons")


# ---------------------------------------------------------------------------------------------------
# The models handed to sensitivity, Monte Carlo and goal seek: one per answer.


def _ratio(d: Demand) -> float:
    return fc.peak_to_average_ratio(d.hourly_shape) if d.hourly_shape is not None else d.peak_to_average_ratio


def _demand_model(p: Params):
    d = p.demand
    h = _demand_horizon(p)
    load_mult, prov_mult = fc.event_multipliers(h, [e.model_dump() for e in d.events])

    def curve(dau_now, growth_rate_per_month, usage_per_dau, peak_to_average_ratio, usd_per_unit_month):
        return fc.demand_paths(dau_now, growth_rate_per_month, usage_per_dau, peak_to_average_ratio, d.headroom,
                               h, load_mult, prov_mult, d.capacity_per_unit, usd_per_unit_month)["cost_usd_per_month"]

    def model(**inputs):
        return curve(**inputs)[..., -1]

    base = {"dau_now": d.dau_now, "growth_rate_per_month": d.growth_rate_per_month, "usage_per_dau": d.usage_per_dau,
            "peak_to_average_ratio": _ratio(d), "usd_per_unit_month": d.usd_per_unit_month}
    return model, curve, base


def _demand_horizon(p: Params) -> int:
    if p.cliffs is not None:
        return p.cliffs.horizon_months
    if p.glide is not None:
        return p.glide.horizon_months
    return 12 if p.history is None else p.history.horizon_months


def _event_model(p: Params):
    e = p.event_review

    def model(baseline_peak_load, usd_per_load_hour, brownout_usd_per_hour, hours_at_risk, uplift_high):
        samples = fc.triangular_quantiles(e.uplift_low, e.forecast_uplift, float(uplift_high), 2000)
        at_forecast = fc.event_plan_costs(baseline_peak_load, e.forecast_uplift, samples, e.headroom,
                                          usd_per_load_hour, e.provisioned_hours, brownout_usd_per_hour,
                                          hours_at_risk)["total_usd"]
        at_high = fc.event_plan_costs(baseline_peak_load, float(uplift_high), samples, e.headroom, usd_per_load_hour,
                                      e.provisioned_hours, brownout_usd_per_hour, hours_at_risk)["total_usd"]
        return fc.difference(at_forecast, at_high)

    base = {"baseline_peak_load": e.baseline_peak_load, "usd_per_load_hour": e.usd_per_load_hour,
            "brownout_usd_per_hour": e.brownout_usd_per_hour, "hours_at_risk": e.hours_at_risk,
            "uplift_high": e.uplift_high}
    return model, None, base


def _cliff_model(p: Params):
    c = p.cliffs
    first = c.tiers[0]

    def model(load_now, growth_rate_per_month, lead_time_months):
        return fc.rearchitecture_runway_months(load_now, growth_rate_per_month, first.max_load, lead_time_months)

    def curve(load_now, growth_rate_per_month, **_):  # the load path; the lead time does not move it
        return fc.growth_path(load_now, growth_rate_per_month, c.horizon_months)

    base = {"load_now": c.load_now, "growth_rate_per_month": c.growth_rate_per_month,
            "lead_time_months": float(first.lead_time_months)}
    return model, curve, base


def _commitment_samples(c: Commitment, units_now, growth_rate_per_month, volatility, seed: int):
    return fc.simulate_usage(units_now, growth_rate_per_month, c.growth_rate_low_per_month,
                             c.growth_rate_high_per_month, volatility, c.term_months, c.hourly_shape, c.draws, seed)


def _commitment_model(p: Params):
    c = p.commitment

    def model(units_now, growth_rate_per_month, volatility, discount, on_demand_usd_per_unit_hour):
        d = _commitment_samples(c, units_now, growth_rate_per_month, volatility, p.seed)
        level = fc.newsvendor_commitment(d, discount, c.shortfall_premium)
        cost = fc.commitment_cost(level, d, on_demand_usd_per_unit_hour, discount,
                                  _shortfall_rate(c, on_demand_usd_per_unit_hour))
        return fc.total_over_term(cost["savings_usd"], c.term_months)

    base = {"units_now": c.units_now, "growth_rate_per_month": c.growth_rate_per_month, "volatility": c.volatility,
            "discount": c.discount, "on_demand_usd_per_unit_hour": c.on_demand_usd_per_unit_hour}
    return model, None, base


def _shortfall_rate(c: Commitment, on_demand):
    return fc.shortfall_usd_per_unit(on_demand, c.shortfall_premium)


def _generation_model(p: Params):
    c, g = p.commitment, p.commitment.new_generation

    def model(committed_usd_per_month, remaining_commitment_months, cost_ratio, migration_usd,
              exit_share_of_remaining):
        return fc.generation_switch(committed_usd_per_month, remaining_commitment_months, cost_ratio, migration_usd,
                                    exit_share_of_remaining, g.horizon_months, int(g.available_month))[
            "switch_minus_sweat_usd"]

    usd = fc.committed_usd_per_month(c.units_now, c.on_demand_usd_per_unit_hour, c.discount)
    base = {"committed_usd_per_month": float(usd), "remaining_commitment_months": g.remaining_commitment_months,
            "cost_ratio": g.cost_ratio, "migration_usd": g.migration_usd,
            "exit_share_of_remaining": g.exit_share_of_remaining}
    return model, None, base


def _glide_month(g: Glide) -> int:
    return int(g.deadline_month) if g.deadline_month is not None else g.horizon_months


def _glide_curve(g: Glide, slip: dict | None = None, only: int | None = None, full: bool = False):
    """``curve(**inputs) -> margin by month`` (``full``: every path of `costlib.forecast.glide_path`);
    ``slip`` delays named levers by months; ``only`` keeps the first levers (the migration counts last)."""
    slip = slip or {}
    levers = g.levers if only is None else g.levers[:only]
    use_migration = g.migration is not None and (only is None or only > len(g.levers))

    def curve(revenue_growth_rate_per_month, cost_growth_rate_per_month, **inputs):
        reductions = []
        for lv in levers:
            start = inputs[f"{lv.name}_start_month"] + slip.get(lv.name, 0.0)
            reductions.append((fc.lever_reduction(g.horizon_months, start, lv.ramp_months, inputs[f"{lv.name}_size"]),
                               lv.share_of_cost))
        if use_migration:
            m = g.migration
            start = fc.migration_start_month(m.volume_now_per_day, inputs["migration_volume_growth_rate_per_month"],
                                             m.threshold_per_day, m.lead_time_months + slip.get(m.name, 0.0))
            reductions.append((fc.lever_reduction(g.horizon_months, np.minimum(start, 1e6), m.ramp_months,
                                                  inputs["migration_unit_cost_reduction"]), m.share_of_cost))
        paths = fc.glide_path(g.revenue_usd_per_month_now, revenue_growth_rate_per_month, g.cost_usd_per_month_now,
                              cost_growth_rate_per_month, g.horizon_months, reductions)
        return paths if full else paths["gross_margin"]

    return curve


def _glide_model(p: Params):
    g = p.glide
    month = _glide_month(g)
    curve = _glide_curve(g)

    def model(**inputs):
        return curve(**inputs)[..., month - 1]

    base = {"revenue_growth_rate_per_month": g.revenue_growth_rate_per_month,
            "cost_growth_rate_per_month": g.cost_growth_rate_per_month}
    for lv in g.levers:
        base[f"{lv.name}_start_month"] = lv.start_month
        base[f"{lv.name}_size"] = lv.size
    if g.migration is not None:
        base["migration_volume_growth_rate_per_month"] = g.migration.volume_growth_rate_per_month
        base["migration_unit_cost_reduction"] = g.migration.unit_cost_reduction
    return model, curve, base


def _project_model(pr: Project):
    def model(project_cost_usd, saving_usd_per_month, probability_of_success):
        return fc.optimization_payback(project_cost_usd, saving_usd_per_month, probability_of_success,
                                       pr.already_in_baseline_usd_per_month, pr.share_under_commitment,
                                       pr.commitment_ends_month, pr.start_month, pr.horizon_months)["expected_net_usd"]

    base = {"project_cost_usd": pr.project_cost_usd, "saving_usd_per_month": pr.saving_usd_per_month,
            "probability_of_success": pr.probability_of_success}
    return model, None, base


def _jevons_model(p: Params):
    """Reinvested: the gain times the quality's unit cost, volume unchanged (a product decision)."""
    j = p.jevons

    def model(efficiency_gain, quality_cost_multiplier):
        return fc.jevons(j.unit_cost_usd, j.volume_units_per_month, efficiency_gain, quality_cost_multiplier,
                         0.0)["total_change"]

    return model, None, {"efficiency_gain": j.efficiency_gain, "quality_cost_multiplier": j.quality_cost_multiplier}


def _jevons_demand_model(p: Params):
    """Banked, with the demand response: cheaper units draw more use."""
    j = p.jevons

    def model(efficiency_gain, demand_elasticity):
        return fc.jevons(j.unit_cost_usd, j.volume_units_per_month, efficiency_gain, 1.0,
                         demand_elasticity)["total_change"]

    return model, None, {"efficiency_gain": j.efficiency_gain, "demand_elasticity": j.demand_elasticity}


def _models(p: Params) -> dict:
    """``{answer: (model, curve or None, base inputs)}`` for every section the scenario holds."""
    out = {}
    if p.demand is not None:
        out["demand"] = _demand_model(p)
    if p.event_review is not None:
        out["event"] = _event_model(p)
    if p.cliffs is not None:
        out["cliff"] = _cliff_model(p)
    if p.commitment is not None:
        out["commitment"] = _commitment_model(p)
        if p.commitment.new_generation is not None:
            out["generation"] = _generation_model(p)
    if p.glide is not None:
        out["glide"] = _glide_model(p)
    for pr in p.projects or []:
        out[f"project_{pr.name}"] = _project_model(pr)
    if p.jevons is not None:
        out["jevons"] = _jevons_model(p)
        out["jevons_demand"] = _jevons_demand_model(p)
    return out


def _figure_of(p: Params, name: str) -> str:
    if name == "demand":
        return f"capacity_cost_usd_per_month_month_{_demand_horizon(p)}"
    if name.startswith("project_"):
        return f"expected_net_usd_{name.removeprefix('project_')}"
    return {"event": "event_plan_at_forecast_minus_plan_high_usd", "cliff": "runway_before_rearchitecture_months",
            "commitment": "commitment_savings_usd", "generation": "switch_minus_sweat_usd",
            "glide": f"gross_margin_at_month_{_glide_month(p.glide) if p.glide else 0}",
            "jevons": "total_cost_change_reinvested",
            "jevons_demand": "total_cost_change_banked_with_demand_response"}[name]


def _target_of(p: Params, name: str) -> float:
    if name == "demand":
        return p.demand.budget_usd_per_month or 0.0
    return 0.0


def _spread(value: float, rel: float, floor: float) -> tuple[float, float]:
    half = max(abs(value) * rel, floor)
    return value - half, value + half


def default_ranges(p: Params, name: str, base: dict) -> dict[str, tuple[float, float]]:
    """The tornado and Monte Carlo ranges of one answer: growth rates +-25% (at least +-0.5 points), prices,
    loads and sizes +-20%, start months +-2, probabilities +-0.15 and lead times +-3 months, kept within each
    input's domain; the scenario's ``sensitivity_ranges`` (keys ``<answer>.<input>``) override and add to
    these (`costlib.uncertainty.scenario_ranges`)."""
    own = {k.split(".", 1)[1]: (float(lo), float(hi)) for k, (lo, hi) in p.sensitivity_ranges.items()
           if k.split(".", 1)[0] == name}
    ranges = {}
    for k, v in base.items():
        v = float(v)
        if k.endswith("growth_rate_per_month"):
            lo, hi = _spread(v, 0.25, 0.005)
        elif k.endswith("start_month"):
            lo, hi = max(1.0, v - 2), v + 2
        elif k in ("probability_of_success", "exit_share_of_remaining"):
            lo, hi = max(0.0, v - 0.15), min(1.0, v + 0.15)
        elif k in ("lead_time_months", "remaining_commitment_months"):
            lo, hi = max(0.0, v - 3), v + 3
        elif k in ("discount",):
            lo, hi = max(0.0, v - 0.05), min(0.95, v + 0.05)
        elif k in ("efficiency_gain", "migration_unit_cost_reduction") or k.endswith("_size"):
            lo, hi = max(0.0, v * 0.8), min(0.99, v * 1.2)
        elif k == "demand_elasticity":
            lo, hi = max(0.0, v - 0.5), v + 0.5
        elif k == "peak_to_average_ratio":
            lo, hi = max(1.0, v * 0.85), v * 1.15
        elif k == "uplift_high":
            e = p.event_review
            lo, hi = max(e.forecast_uplift + 0.01, v - 0.1), v + 0.1
        elif k in ("volatility", "migration_usd"):
            lo, hi = v * 0.5, v * 1.5
        else:
            lo, hi = max(0.0, v * 0.8), v * 1.2
        ranges[k] = (lo, hi)
    return uncertainty.scenario_ranges(ranges, own)


def flip_bounds(p: Params, name: str, base: dict) -> dict[str, tuple[float, float]]:
    """Where each input's flip value is searched: from 0 (or 1 for months) to 10 times its base; rates to 1.
    Inputs whose effect is a step (a share of draws, a whole unit) are left out: they have no tie point; so is
    the demand's cost when no budget is stated (nothing to flip)."""
    out = {}
    if name == "demand" and p.demand.budget_usd_per_month is None:
        return out
    for k, v in base.items():
        v = float(v)
        if name in ("demand", "event") and k in ("uplift_high", "baseline_peak_load", "usage_per_dau", "dau_now",
                                                  "growth_rate_per_month", "peak_to_average_ratio"):
            continue
        if name == "commitment":
            continue
        if k.endswith("growth_rate_per_month"):
            out[k] = (-0.5, 0.99)
        elif k.endswith("start_month"):
            out[k] = (1.0, 240.0)
        elif k in ("probability_of_success", "exit_share_of_remaining", "efficiency_gain"):
            out[k] = (0.0, 1.0 if k != "efficiency_gain" else 0.99)
        elif k.endswith("_size") or k == "migration_unit_cost_reduction":
            out[k] = (0.0, 0.99)
        elif v > 0:
            out[k] = (0.0 if k != "quality_cost_multiplier" else 0.05, 10 * v)
        elif k == "migration_usd":
            out[k] = (0.0, 1e9)
    return out


def uncertain_inputs(p: Params) -> dict[str, tuple[float, float, float]]:
    """``{"<answer>.<input>": (low, base, high)}`` over every answer's ranges."""
    out = {}
    for name, (_, _, base) in _models(p).items():
        for k, (lo, hi) in default_ranges(p, name, base).items():
            out[f"{name}.{k}"] = (lo, float(base[k]), hi)
    return out


def whatif_controls(p: Params) -> dict[str, tuple[float, float, float, float]]:
    """Sliders ``{"<answer>__<input>": (min, max, step, value)}``: every answer's uncertain inputs over their
    ranges (at most four per answer)."""
    controls = {}
    for name, (_, _, base) in _models(p).items():
        for k, (lo, hi) in list(default_ranges(p, name, base).items())[:4]:
            v = float(base[k])
            lo, hi = min(lo, v), max(hi, v)
            controls[f"{name}__{k}"] = (lo, hi, (hi - lo) / 100 if hi > lo else 1.0, v)
    return controls


def whatif(p: Params, **inputs) -> dict:
    """Each answer's headline figure with some inputs moved (``<answer>__<input>=value``)."""
    out = {}
    for name, (model, _, base) in _models(p).items():
        moved = {k.split("__", 1)[1]: v for k, v in inputs.items() if k.split("__", 1)[0] == name}
        out[_figure_of(p, name)] = float(model(**{**base, **moved}))
    return out


# ---------------------------------------------------------------------------------------------------
# The analysis.


@dataclass
class Analysis:
    """Everything the notebook shows, computed from one validated scenario."""

    params: Params
    headline: dict
    horizon_months: int
    sections: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)
    recommendation: str = ""


def _assess(p: Params, name: str, draws: bool = True) -> contract.Answer:
    model, curve, base = _models(p)[name]
    ranges = default_ranges(p, name, base)
    sampled = ranges if draws else {}
    a = uncertainty.assess(model, base, ranges, flip_bounds=flip_bounds(p, name, base), target=_target_of(p, name),
                           sampled=sampled, curve=curve if draws else None, draws_from="model",
                           n=p.monte_carlo_draws, seed=p.seed)
    return contract.Answer(name, _figure_of(p, name), model, base, _target_of(p, name), a)


def analyse(p: Params) -> Analysis:
    """Compute every table, figure and sentence of workbook 04 for scenario ``p``."""
    headline, sections, answers = {}, {}, {}
    # the scenario's own question first (the post-mortem, the cliff, the commitment...), the demand after
    builders = (("event", p.event_review, _event), ("cliff", p.cliffs, _cliffs), ("commitment", p.commitment, _commitment),
                ("history", p.history, _history), ("glide", p.glide, _glide), ("projects", p.projects, _projects),
                ("jevons", p.jevons, _jevons), ("demand", p.demand, _demand))
    for name, present, build in builders:
        if present is None:
            continue
        out = build(p)
        sections[name] = out
        headline.update(out["headline"])
        answers.update(out.get("answers", {}))
    horizons = [x.horizon_months for x in (p.cliffs, p.glide) if x is not None] + \
               [pr.horizon_months for pr in p.projects or []] + [_demand_horizon(p)]
    a = Analysis(params=p, headline=headline, horizon_months=max(horizons), sections=sections, answers=answers)
    a.recommendation = recommendation(a)
    return a


def _demand(p: Params) -> dict:
    d = p.demand
    h = _demand_horizon(p)
    answer = _assess(p, "demand")
    model, curve, base = _models(p)["demand"]
    load_mult, prov_mult = fc.event_multipliers(h, [e.model_dump() for e in d.events])
    paths = fc.demand_paths(d.dau_now, d.growth_rate_per_month, d.usage_per_dau, base["peak_to_average_ratio"],
                            d.headroom, h, load_mult, prov_mult, d.capacity_per_unit, d.usd_per_unit_month)
    organic = fc.demand_paths(d.dau_now, d.growth_rate_per_month, d.usage_per_dau, base["peak_to_average_ratio"],
                              d.headroom, h, 1.0, 1.0, d.capacity_per_unit, d.usd_per_unit_month)
    table = pd.DataFrame({"month": np.arange(1, h + 1), "dau": paths["dau"], "average_load": paths["average_load"],
                          "organic_peak_load": paths["organic_peak_load"], "peak_load": paths["peak_load"],
                          "capacity_load": paths["capacity_load"], "units": paths["units"].astype(int),
                          "cost_usd_per_month": paths["cost_usd_per_month"],
                          "event_usd_per_month": fc.difference(paths["cost_usd_per_month"],
                                                                organic["cost_usd_per_month"])})
    # the band of the cost (draws of growth, usage, ratio and price); units from the same draws
    draws = answer.assessment.draws
    sample = {k: np.asarray(v)[:, None] for k, v in draws.samples.items()}
    units_band = fc.percentile_paths(fc.demand_paths(
        d.dau_now, sample["growth_rate_per_month"], sample["usage_per_dau"], sample["peak_to_average_ratio"],
        d.headroom, h, load_mult, prov_mult, d.capacity_per_unit)["units"])
    headline = {f"capacity_cost_usd_per_month_month_{h}": float(model(**base)),
                "capacity_cost_p10_usd_per_month": answer.assessment.p10,
                "capacity_cost_p90_usd_per_month": answer.assessment.p90,
                f"capacity_units_p50_month_{h}": float(units_band["p50"].iloc[-1]),
                f"capacity_units_p90_month_{h}": float(units_band["p90"].iloc[-1]),
                "peak_to_average_ratio": float(base["peak_to_average_ratio"])}
    top_units, top_month = fc.peak_month(paths["units"])
    headline.update({"peak_capacity_units": top_units, "peak_capacity_month": top_month})

    def plan(dau_now):  # the capacity verdict at another DAU now, the draws and the other inputs as they are
        band = fc.percentile_paths(fc.demand_paths(
            dau_now, sample["growth_rate_per_month"], sample["usage_per_dau"], sample["peak_to_average_ratio"],
            d.headroom, h, load_mult, prov_mult, d.capacity_per_unit)["units"])
        units = fc.demand_paths(dau_now, d.growth_rate_per_month, d.usage_per_dau, base["peak_to_average_ratio"],
                                d.headroom, h, load_mult, prov_mult, d.capacity_per_unit)["units"]
        return _capacity_verdict(d, h, float(band["p90"].iloc[-1]), *fc.peak_month(units))

    if d.events:
        headline["event_capacity_usd"] = float(table["event_usd_per_month"].sum())
    if d.budget_usd_per_month is not None:
        headline["budget_usd_per_month"] = d.budget_usd_per_month
    out = {"table": table, "band": answer.assessment.band, "units_band": units_band, "horizon": h,
           "headline": headline, "answers": {"demand": answer}, "plan": plan,
           "plan_flips_dau": fc.step_flips(plan, d.dau_now, 0.0, 10 * d.dau_now)}
    if d.brownout_usd_per_hour > 0:
        out["buffer"] = _buffer(p, paths, draws)
        headline.update(out["buffer"]["headline"])
    return out


def _buffer(p: Params, paths: dict, draws) -> dict:
    """The buffer trade-off on the last month's organic peak: draws of growth and usage, times the stated
    forecast error (lognormal, seeded)."""
    d = p.demand
    h = _demand_horizon(p)
    forecast = float(paths["organic_peak_load"][-1])
    organic = fc.demand_paths(d.dau_now, np.asarray(draws.samples["growth_rate_per_month"])[:, None],
                              np.asarray(draws.samples["usage_per_dau"])[:, None],
                              np.asarray(draws.samples["peak_to_average_ratio"])[:, None], 0.0, h)["organic_peak_load"]
    samples = fc.with_forecast_error(organic[:, -1], d.forecast_error, seed=p.seed + 1)
    hours = d.hours_at_risk_per_month if d.hours_at_risk_per_month is not None else (
        fc.hours_at_peak_per_month(d.hourly_shape) if d.hourly_shape is not None else 60.0)
    usd_per_load = fc.usd_per_load_month(d.usd_per_unit_month, d.capacity_per_unit)
    grid = np.round(np.arange(0.10, 0.501, 0.05), 4)
    table = fc.buffer_tradeoff(grid, forecast, samples, usd_per_load, d.brownout_usd_per_hour, hours)
    best = fc.best_headroom(forecast, samples, usd_per_load, d.brownout_usd_per_hour, hours)
    at = fc.buffer_tradeoff([d.headroom, best], forecast, samples, usd_per_load, d.brownout_usd_per_hour, hours)
    prices = fc.best_headroom_brownout_price_range(forecast, samples, usd_per_load, d.brownout_usd_per_hour, hours)
    return {"table": table, "best": best, "hours": hours, "forecast": forecast, "at": at, "brownout_prices": prices,
            "samples": samples, "usd_per_load": usd_per_load,
            "headline": {"planned_headroom": d.headroom, "best_headroom": best,
                         "brownout_probability_at_planned_headroom": float(at["brownout_probability"].iloc[0]),
                         "buffer_saving_usd_per_month": float(fc.difference(at["expected_usd"].iloc[0],
                                                                            at["expected_usd"].iloc[1]))}}


def _history(p: Params) -> dict:
    hs = p.history
    y = np.asarray(hs.values, dtype=float)
    b = fm.baseline(y, hs.period, hs.horizon_months, holdout_months=hs.holdout_months, origins=hs.backtest_origins,
                    step_months=hs.backtest_step_months, seed=p.seed)
    fcst = b.forecast
    # the latest origin's forecasts of the held-out months, for the chart
    held = {m: b.held(m) for m in b.scores["model"]}
    n = y.size
    g = hs.driver_growth_rate_per_month
    driver = fc.growth_path(float(y[-1]), g, hs.horizon_months + 1)[1:] if g is not None else None
    headline = {"baseline_model": b.chosen}
    headline.update({f"mase_{m}": float(v) for m, v in zip(b.scores["model"], b.scores["mase"])})
    headline.update({"baseline_interval_coverage": b.backtest_coverage, "baseline_interval_widening": b.widening,
                     f"statistical_forecast_p50_month_{hs.horizon_months}": float(fcst["p50"].iloc[-1])})
    if driver is not None:
        headline[f"driver_forecast_month_{hs.horizon_months}"] = float(driver[-1])
    table = b.scores[["label", "mase", "smape", "coverage", "chosen"]].rename(columns={"label": "model"})
    table["chosen"] = table["chosen"].map({True: "forecasts", False: ""})
    return {"baseline": b, "backtest": table, "forecast": fcst, "chosen": b.chosen, "history": y, "held": held,
            "driver": driver, "n": n, "note": b.note, "headline": headline}


def _event(p: Params) -> dict:
    e = p.event_review
    answer = _assess(p, "event", draws=False)
    args = (e.headroom, e.usd_per_load_hour, e.provisioned_hours, e.brownout_usd_per_hour, e.hours_at_risk)
    miss = fc.event_plan_costs(e.baseline_peak_load, e.forecast_uplift, [e.actual_uplift], *args)
    right = fc.event_plan_costs(e.baseline_peak_load, e.actual_uplift, [e.actual_uplift], *args)
    high_when_low = fc.event_plan_costs(e.baseline_peak_load, e.actual_uplift, [e.forecast_uplift], *args)
    low_when_low = fc.event_plan_costs(e.baseline_peak_load, e.forecast_uplift, [e.forecast_uplift], *args)
    draws = fc.triangular_quantiles(e.uplift_low, e.forecast_uplift, e.uplift_high, 2000)
    best = fc.best_event_uplift(e.baseline_peak_load, draws, *args)
    grid = np.round(np.arange(e.uplift_low, e.uplift_high + 1e-9, 0.05), 4)
    curve = pd.DataFrame({"planned_uplift": grid, **{k: np.atleast_1d(v) for k, v in fc.event_plan_costs(
        e.baseline_peak_load, grid, draws, *args).items()}})
    both = pd.DataFrame([
        {"plan": f"forecast +{e.forecast_uplift:.0%}", "actual": f"+{e.actual_uplift:.0%}",
         "capacity_usd": miss["capacity_usd"], "brownout_usd": miss["brownout_usd"], "total_usd": miss["total_usd"]},
        {"plan": f"actual +{e.actual_uplift:.0%}", "actual": f"+{e.actual_uplift:.0%}",
         "capacity_usd": right["capacity_usd"], "brownout_usd": right["brownout_usd"], "total_usd": right["total_usd"]},
        {"plan": f"forecast +{e.forecast_uplift:.0%}", "actual": f"+{e.forecast_uplift:.0%}",
         "capacity_usd": low_when_low["capacity_usd"], "brownout_usd": low_when_low["brownout_usd"],
         "total_usd": low_when_low["total_usd"]},
        {"plan": f"actual +{e.actual_uplift:.0%}", "actual": f"+{e.forecast_uplift:.0%}",
         "capacity_usd": high_when_low["capacity_usd"], "brownout_usd": high_when_low["brownout_usd"],
         "total_usd": high_when_low["total_usd"]}])
    headline = {"event_plan_at_forecast_minus_plan_high_usd": float(answer.model(**answer.base)),
                "event_shortfall_cost_usd": float(miss["total_usd"]),
                "event_cost_if_planned_for_actual_usd": float(right["total_usd"]),
                "event_idle_cost_if_forecast_right_usd": float(fc.difference(high_when_low["capacity_usd"],
                                                                             low_when_low["capacity_usd"])),
                "event_should_have_planned_uplift": best}
    return {"both": both, "curve": curve, "best": best, "headline": headline, "answers": {"event": answer}}


def _cliffs(p: Params) -> dict:
    c = p.cliffs
    answer = _assess(p, "cliff")
    band = answer.assessment.band  # load P10/P50/P90 by month
    limits = [{"name": t.name, "max_load": t.max_load, "lead_time_months": t.lead_time_months}
              for t in c.tiers if t.max_load is not None]
    calendar = fc.cliff_calendar(limits, band["p50"].to_numpy(), band["p90"].to_numpy(), c.horizon_months)
    tiers = [t.model_dump() for t in c.tiers]
    steps = pd.DataFrame({"month": band["month"], "p50_load": band["p50"], "p90_load": band["p90"],
                          **{f"p50_{k}": v for k, v in fc.tier_costs(band["p50"].to_numpy(), tiers).items()}})
    steps["p50_units"] = steps["p50_units"].astype("Int64")
    steps["architecture"] = [c.tiers[i].name if i >= 0 else "beyond every limit" for i in steps["p50_tier"]]
    load_grid = np.linspace(0, (limits[-1]["max_load"] if len(limits) else c.load_now) * 1.15, 400)
    step_curve = pd.DataFrame({"load": load_grid, **fc.tier_costs(load_grid, tiers)})
    r0 = calendar.iloc[0]
    runway_model = float(answer.model(**answer.base))
    headline = {"runway_before_rearchitecture_months": runway_model,
                "first_limit_p50_month": r0["p50_crossing_month"], "first_limit_p90_month": r0["p90_crossing_month"],
                "rearchitecture_start_by_month": r0["start_by_month"],
                "cost_cliff_multiple": fc.cliff_multiple(tiers)}
    return {"calendar": calendar, "band": band, "steps": steps, "step_curve": step_curve, "headline": headline,
            "answers": {"cliff": answer}}


def _commitment(p: Params) -> dict:
    c = p.commitment
    answer = _assess(p, "commitment", draws=False)
    rate = c.on_demand_usd_per_unit_hour
    short = _shortfall_rate(c, rate)
    d = _commitment_samples(c, c.units_now, c.growth_rate_per_month, c.volatility, p.seed)
    level = fc.newsvendor_commitment(d, c.discount, c.shortfall_premium)
    at = fc.commitment_cost(level, d, rate, c.discount, short)
    curve = fc.commitment_curve(d, rate, c.discount, shortfall_usd_per_unit=short)
    curve["savings_over_term_usd"] = fc.total_over_term(curve["savings_usd"].to_numpy(), c.term_months)
    band = fc.percentile_paths(d)
    p10_path, p90_path = fc.path_at_percentile(d, 10), fc.path_at_percentile(d, 90)
    r10 = fc.commitment_regret(level, p10_path, rate, c.discount, short)
    r90 = fc.commitment_regret(level, p90_path, rate, c.discount, short)
    ladder = fc.tranche_ladder(d, c.discount, c.tranche_months, rate, short)
    ladder["ladder_over_term_usd"] = fc.total_over_term(ladder["expected_usd"].to_numpy(), c.term_months)
    ladder["single_level_over_term_usd"] = fc.total_over_term(ladder["single_commitment_usd"].to_numpy(),
                                                              c.term_months)
    term = c.term_months
    t = fc.total_over_term
    p50_level = fc.newsvendor_commitment(d, 0.5)
    at_p50 = fc.commitment_cost(p50_level, d, rate, c.discount, short)
    cases = pd.DataFrame([
        {"case": "over-forecast: demand at P10 (shelfware)", "commitment_units": level,
         "shelfware_usd": t(r10["shelfware_usd"], term), "on_demand_overflow_usd": t(r10["overflow_usd"], term),
         "regret_usd": t(r10["regret_usd"], term), "hindsight_units": r10["hindsight_units"]},
        {"case": "under-forecast: demand at P90 (on demand" + (" at a premium)" if c.shortfall_premium else ")"),
         "commitment_units": level, "shelfware_usd": t(r90["shelfware_usd"], term),
         "on_demand_overflow_usd": t(r90["overflow_usd"], term), "regret_usd": t(r90["regret_usd"], term),
         "hindsight_units": r90["hindsight_units"]}])
    headline = {"commitment_units": level, "commitment_quantile": fc.critical_ratio(c.discount, c.shortfall_premium),
                "commitment_savings_usd": float(answer.model(**answer.base)),
                "commitment_utilization": float(at["utilization"]), "commitment_coverage": float(at["coverage"]),
                "shelfware_at_p10_usd": float(t(r10["shelfware_usd"], term)),
                "on_demand_overflow_at_p90_usd": float(t(r90["overflow_usd"], term)),
                "regret_at_p10_usd": float(t(r10["regret_usd"], term)),
                "regret_at_p90_usd": float(t(r90["regret_usd"], term)),
                "ladder_saving_vs_single_usd": float(t(fc.difference(ladder["single_commitment_usd"].iloc[0],
                                                                     ladder["expected_usd"].iloc[0]), term))}
    out = {"curve": curve, "band": band, "level": level, "at": at, "cases": cases, "ladder": ladder,
           "p50_level": p50_level, "p50_extra_usd": float(t(fc.difference(at_p50["expected_usd"], at["expected_usd"]), term)),
           "answers": {"commitment": answer}, "headline": headline}
    if c.new_generation is not None:
        gen = _assess(p, "generation")
        g = c.new_generation
        res = fc.generation_switch(gen.base["committed_usd_per_month"], g.remaining_commitment_months, g.cost_ratio,
                                   g.migration_usd, g.exit_share_of_remaining, g.horizon_months, int(g.available_month))
        months = np.arange(0, 49)
        sweep = fc.generation_switch(gen.base["committed_usd_per_month"], months.astype(float), g.cost_ratio,
                                     g.migration_usd, g.exit_share_of_remaining, g.horizon_months,
                                     int(g.available_month))
        out["generation"] = {"result": res, "sweep": pd.DataFrame({"remaining_commitment_months": months,
                                                                   "switch_minus_sweat_usd": sweep[
                                                                       "switch_minus_sweat_usd"]})}
        be = float(res["break_even_remaining_months"])
        headline["switch_minus_sweat_usd"] = float(gen.model(**gen.base))
        headline["switch_break_even_remaining_months"] = be if np.isfinite(be) else None
        out["answers"]["generation"] = gen
    return out


def _whole(month):
    """A month from a table cell as an int, `costlib.timing.NEVER` kept."""
    return timing.NEVER if month is None or month != month else int(month)


def _glide(p: Params) -> dict:
    g = p.glide
    answer = _assess(p, "glide")
    model, curve, base = _models(p)["glide"]
    month = _glide_month(g)
    plan = fc.glide_path(g.revenue_usd_per_month_now, g.revenue_growth_rate_per_month, g.cost_usd_per_month_now,
                         g.cost_growth_rate_per_month, g.horizon_months)  # without levers
    margin = curve(**base)
    names = [lv.name for lv in g.levers] + ([g.migration.name] if g.migration else [])
    steps = [float(_glide_curve(g, only=k + 1)(**base)[month - 1]) for k in range(len(names))]
    waterfall = fc.margin_waterfall(float(plan["gross_margin"][month - 1]), steps, names)
    paths = _glide_curve(g, full=True)(**base)
    revenue, cost, cumulative = paths["revenue_usd"], paths["cost_usd"], paths["cumulative_gross_profit_usd"]
    positive = fc.first_month_at_or_above(margin, 0.0)
    target = fc.first_month_at_or_above(margin, g.target_gross_margin)
    slips = []
    for nm in names:
        m2 = _glide_curve(g, slip={nm: g.slip_months})(**base)
        slips.append({"lever": nm, "slip_months": g.slip_months,
                      "month_margin_positive": fc.first_month_at_or_above(m2, 0.0),
                      "month_reaches_target": fc.first_month_at_or_above(m2, g.target_gross_margin),
                      f"margin_at_month_{month}": float(m2[month - 1])})
    slips = pd.DataFrame(slips)
    table = pd.DataFrame({"month": np.arange(1, g.horizon_months + 1), "revenue_usd": revenue,
                          "cost_without_levers_usd": plan["cost_before_usd"], "cost_usd": cost,
                          "margin_without_levers": plan["gross_margin"], "gross_margin": margin,
                          "cumulative_gross_profit_usd": cumulative})
    headline = {"gross_margin_now": float(plan["gross_margin"][0]), f"gross_margin_at_month_{month}": float(model(**base)),
                f"gross_margin_at_month_{month}_p10": answer.assessment.p10,
                "month_margin_positive": positive, "target_gross_margin": g.target_gross_margin,
                "month_margin_reaches_target": target,
                "month_margin_falls_back": fc.first_month_below_after(margin, 0.0, positive),
                "cumulative_gross_loss_usd": float(max(0.0, -np.min(cumulative)))}
    if g.migration is not None:
        m = g.migration
        landed = fc.migration_start_month(m.volume_now_per_day, m.volume_growth_rate_per_month, m.threshold_per_day,
                                          m.lead_time_months)
        headline["migration_month"] = int(np.ceil(landed)) if np.isfinite(landed) and landed <= g.horizon_months \
            else None
    if len(slips):
        never = g.horizon_months + 1  # "never" sorts after every month
        order = slips.assign(_m=[never if x is None else x for x in slips["month_margin_positive"]],
                             _t=[never if x is None else x for x in slips["month_reaches_target"]],
                             _v=slips[f"margin_at_month_{month}"]).sort_values(["_m", "_t", "_v"],
                                                                               ascending=[False, False, True])
        worst = order.iloc[0]
        headline["worst_slip_lever"] = str(worst["lever"])
        headline["month_margin_positive_if_worst_slips"] = _whole(worst["month_margin_positive"])
        headline["month_target_if_worst_slips"] = _whole(worst["month_reaches_target"])
    return {"table": table, "waterfall": waterfall, "slips": slips, "band": answer.assessment.band, "month": month,
            "headline": headline, "answers": {"glide": answer}}


def _projects(p: Params) -> dict:
    rows, answers, headline = [], {}, {}
    for pr in p.projects:
        name = f"project_{pr.name}"
        ans = _assess(p, name)
        res = fc.optimization_payback(pr.project_cost_usd, pr.saving_usd_per_month, pr.probability_of_success,
                                      pr.already_in_baseline_usd_per_month, pr.share_under_commitment,
                                      pr.commitment_ends_month, pr.start_month, pr.horizon_months)
        answers[name] = ans
        headline[f"expected_net_usd_{pr.name}"] = float(ans.model(**ans.base))
        headline[f"payback_month_{pr.name}"] = res["payback_month"]
        headline[f"roi_multiple_{pr.name}"] = res["roi_multiple"]
        rows.append({"project": pr.name, "project_cost_usd": pr.project_cost_usd,
                     "saving_usd_per_month": pr.saving_usd_per_month,
                     "countable_saving_usd_per_month": res["countable_saving_usd_per_month"],
                     "probability_of_success": pr.probability_of_success,
                     "expected_saving_usd": res["expected_saving_usd"], "expected_net_usd": res["expected_net_usd"],
                     "payback_month": res["payback_month"], "roi_multiple": res["roi_multiple"],
                     "probability_net_positive": ans.assessment.agreement(verdict_below_target=False)})
    return {"table": pd.DataFrame(rows), "headline": headline, "answers": answers}


def _jevons(p: Params) -> dict:
    j = p.jevons
    answer, demand = _assess(p, "jevons"), _assess(p, "jevons_demand")
    cases = []
    for case, g, q, e in (("today", 0.0, 1.0, 0.0), ("banked", j.efficiency_gain, 1.0, 0.0),
                          ("banked, demand responds", j.efficiency_gain, 1.0, j.demand_elasticity),
                          ("reinvested in quality", j.efficiency_gain, j.quality_cost_multiplier, 0.0)):
        r = fc.jevons(j.unit_cost_usd, j.volume_units_per_month, g, q, e)
        cases.append({"case": case, "unit_cost_usd": r["unit_cost_usd"], "volume_units_per_month":
                      r["volume_units_per_month"], "total_usd_per_month": r["total_usd_per_month"],
                      "total_change": r["total_change"]})
    cases = pd.DataFrame(cases)
    try:
        be = uncertainty.goal_seek(answer.model, answer.base, "quality_cost_multiplier", 0.0, 0.05, 20.0)
    except uncertainty.GoalSeekError:
        be = float("nan")
    try:
        eps = uncertainty.goal_seek(demand.model, demand.base, "demand_elasticity", 0.0, 0.0, 5.0) \
            if j.efficiency_gain > 0 else float("nan")
    except uncertainty.GoalSeekError:
        eps = float("nan")
    headline = {"unit_cost_usd_banked": float(cases["unit_cost_usd"].iloc[1]),
                "unit_cost_usd_reinvested": float(cases["unit_cost_usd"].iloc[3]),
                "total_cost_change_banked": float(cases["total_change"].iloc[1]),
                "total_cost_change_banked_with_demand_response": float(demand.model(**demand.base)),
                "total_cost_change_reinvested": float(answer.model(**answer.base)),
                "quality_multiplier_break_even": be, "demand_elasticity_break_even": eps}
    return {"cases": cases, "headline": headline, "answers": {"jevons": answer, "jevons_demand": demand}}


# ---------------------------------------------------------------------------------------------------
# Words.


_usd, _pct, _count = report.usd, report.pct, report.count


def _flips_words(answer: contract.Answer, k: int = 2) -> str:
    f = answer.assessment.flips
    found = f[np.isfinite(f["flip_value"].astype(float))] if len(f) else f
    return " or ".join(contract.flip_words(r, FIGURES, now=False) for _, r in found.head(k).iterrows())


def _month(m, horizon) -> str:
    return timing.month_text(m, horizon)


def decisions(a: Analysis) -> list[contract.Decision]:
    """The verdicts as records, one per section the scenario holds."""
    p, h, s, out = a.params, a.headline, a.sections, []
    if "event" in s:
        ans = a.answers["event"]
        higher = h["event_plan_at_forecast_minus_plan_high_usd"] > 0
        e = p.event_review
        out.append(contract.Decision(
            f"Plan next {report.escape(e.event)} at the forecast or for the high case",
            f"plan for +{h['event_should_have_planned_uplift']:.0%}" if higher else "plan at the forecast",
            ("event_plan_at_forecast_minus_plan_high_usd", "event_should_have_planned_uplift",
             "event_shortfall_cost_usd"), _flips_words(ans), ans.assessment.agreement(verdict_below_target=not higher)))
    if "cliff" in s:
        ans = a.answers["cliff"]
        start = h["rearchitecture_start_by_month"]
        hz = p.cliffs.horizon_months
        verdict = ("start now" if start == 1 else f"start by month {int(start)}") if start is not None else \
            f"no limit within {hz} months"
        out.append(contract.Decision(f"When to start re-architecting off the {p.cliffs.tiers[0].name.replace('_', ' ')}", verdict,
                                     ("rearchitecture_start_by_month", "first_limit_p90_month",
                                      "runway_before_rearchitecture_months"), _flips_words(ans),
                                     ans.assessment.agreement(
                                         verdict_below_target=h["runway_before_rearchitecture_months"] < 0)))
    if "commitment" in s:
        c = p.commitment
        out.append(contract.Decision(
            f"How much to commit for {c.term_months} months",
            f"commit {h['commitment_units']:,.0f} {c.unit_name.replace('_', ' ')}s",
            ("commitment_units", "commitment_savings_usd", "commitment_utilization", "commitment_coverage"),
            f"the discount or the shortfall premium moves (the commitment is the demand quantile at the "
            f"critical ratio (discount + premium) / (1 + premium), {_pct(h['commitment_quantile'])} now)", None))
        if "generation" in s["commitment"]:
            ans = a.answers["generation"]
            switch = h["switch_minus_sweat_usd"] < 0
            out.append(contract.Decision(
                f"Switch to {report.escape(c.new_generation.name)} or sweat the committed assets",
                "switch" if switch else "sweat", ("switch_minus_sweat_usd", "switch_break_even_remaining_months"),
                _flips_words(ans), ans.assessment.agreement(verdict_below_target=switch)))
    if "history" in s:
        chosen = s["history"]["chosen"]
        label = s["history"]["baseline"].scores.set_index("model").loc[chosen, "label"]
        out.append(contract.Decision("Statistical baseline to trust", label,
                                     tuple(dict.fromkeys((f"mase_{chosen}", "mase_seasonal_naive",
                                                          "baseline_interval_coverage"))), "", None))
    if "glide" in s:
        g, ans = p.glide, a.answers["glide"]
        month = s["glide"]["month"]
        ok = h[f"gross_margin_at_month_{month}"] >= 0
        out.append(contract.Decision(
            f"Gross margin positive by month {month}", "yes" if ok else "no",
            (f"gross_margin_at_month_{month}", "month_margin_positive", "month_margin_reaches_target"),
            _flips_words(ans), ans.assessment.agreement(verdict_below_target=not ok)))
    for pr in p.projects or []:
        ans = a.answers[f"project_{pr.name}"]
        fund = h[f"expected_net_usd_{pr.name}"] > 0
        out.append(contract.Decision(f"Fund {pr.name.replace('_', ' ')}", "fund it" if fund else "do not fund it",
                                     (f"expected_net_usd_{pr.name}", f"payback_month_{pr.name}",
                                      f"roi_multiple_{pr.name}"), _flips_words(ans),
                                     ans.assessment.agreement(verdict_below_target=not fund)))
    if "jevons" in s:
        ans, dem = a.answers["jevons"], a.answers["jevons_demand"]
        rises = h["total_cost_change_reinvested"] > 0
        out.append(contract.Decision("Reinvest the efficiency gain in quality",
                                     "it raises the bill: reinvest only if the quality earns it" if rises
                                     else "it still lowers the bill",
                                     ("total_cost_change_reinvested", "quality_multiplier_break_even"),
                                     _flips_words(ans), ans.assessment.agreement(verdict_below_target=not rises)))
        backfires = h["total_cost_change_banked_with_demand_response"] > 0
        out.append(contract.Decision("Does the banked gain survive the demand response",
                                     "no: more use outgrows the saving (Jevons)" if backfires
                                     else "yes: the bill falls",
                                     ("total_cost_change_banked_with_demand_response", "demand_elasticity_break_even",
                                      "total_cost_change_banked"), _flips_words(dem),
                                     dem.assessment.agreement(verdict_below_target=not backfires)))

    if "demand" in s:
        d, hz, ans = p.demand, s["demand"]["horizon"], a.answers["demand"]
        unit = d.unit_name.replace("_", " ")
        if d.budget_usd_per_month is not None:
            over = h[f"capacity_cost_usd_per_month_month_{hz}"] > d.budget_usd_per_month
            out.append(contract.Decision(
                f"Does month {hz}'s capacity fit the budget", "over budget" if over else "within budget",
                (f"capacity_cost_usd_per_month_month_{hz}", "budget_usd_per_month", "capacity_cost_p90_usd_per_month"),
                _flips_words(ans), ans.assessment.agreement(verdict_below_target=not over)))
        else:
            out.append(contract.Decision(
                f"Capacity to have in place by month {hz}",
                _capacity_verdict(d, hz, h[f"capacity_units_p90_month_{hz}"], h["peak_capacity_units"],
                                  h["peak_capacity_month"]),
                (f"capacity_units_p90_month_{hz}", f"capacity_units_p50_month_{hz}", "peak_capacity_units",
                 f"capacity_cost_usd_per_month_month_{hz}"),
                _side_words("dau_now", d.dau_now, s["demand"]["plan_flips_dau"],
                            f"the count of {unit}s changes"), None))
        if "buffer" in s["demand"]:
            b = s["demand"]["buffer"]
            out.append(contract.Decision("Headroom to plan with", f"+{b['best']:.0%}",
                                         ("best_headroom", "brownout_probability_at_planned_headroom",
                                          "buffer_saving_usd_per_month"),
                                         _side_words("brownout_usd_per_hour", d.brownout_usd_per_hour,
                                                     b["brownout_prices"], "another headroom is then cheapest"),
                                         None))
    return out


def _capacity_verdict(d, horizon: int, p90_units: float, peak_units: float, peak_month: int) -> str:
    """The capacity verdict in words: the P90 count in the last month, and the event's peak when it is elsewhere."""
    unit = d.unit_name.replace("_", " ")
    return (f"{p90_units:,.0f} {unit}s (P90 demand)"
            + (f"; {peak_units:,.0f} in month {peak_month} for the event" if d.events and peak_month != horizon else ""))


def _side_words(key: str, base: float, flips: tuple, then: str) -> str:
    """A verdict's flip below and above today's value of one input (``(below, above)`` from
    `costlib.forecast.step_flips` and the like) in words: ``"DAU now is below 990,000 or above 1,010,000
    (now 1,000,000): <then>"``; empty when neither side flips it."""
    sides = [f"{side} {contract.input_text(key, v, FIGURES)}" for side, v in zip(("below", "above"), flips)
             if v is not None]
    if not sides:
        return ""
    return (f"{contract.input_name(key, FIGURES)} is " + " or ".join(sides)
            + f" (now {contract.input_text(key, base, FIGURES)}): {then}")


def _buffer_why(b: dict, d) -> str:
    """Why the headroom saving can dwarf the capacity bill: the brownout hours and their price, from the
    buffer trade-off's two rows (the planned headroom, the best)."""
    at = b.get("at")
    if at is None or len(at) < 2:
        return ""
    plan, best = at.iloc[0], at.iloc[1]
    return (f" Why so large beside the capacity bill: a brownout hour is priced at {_usd(d.brownout_usd_per_hour)}, "
            f"and at the planned headroom the peak runs short in {_pct(plan['brownout_probability'])} of the draws, "
            f"{b['hours']:,.0f} hours at risk a month, an expected {_usd(plan['brownout_usd'])}/month of brownouts "
            f"beside {_usd(plan['capacity_usd'])}/month of capacity. At +{b['best']:.0%} the capacity costs "
            f"{_usd(float(best['capacity_usd']) - float(plan['capacity_usd']))}/month more and the expected brownouts "
            f"fall to {_usd(best['brownout_usd'])}/month: the saving is the brownouts avoided, net of the extra "
            "capacity.")


def recommendation(a: Analysis) -> str:
    """The recommendation in words, computed from the analysis: it changes when the numbers change."""
    p, h, s = a.params, a.headline, a.sections
    rows = {r["key"]: r for r in contract.figure_rows(h, FIGURES, a.horizon_months)}
    lines = [contract.decision_words(d, rows) for d in decisions(a)]
    if "event" in s:
        e = p.event_review
        lines.append(f"**{report.escape(e.event)}, priced both ways.** Planned at +{e.forecast_uplift:.0%} with "
                     f"{_pct(e.headroom)} headroom, the +{e.actual_uplift:.0%} that came cost "
                     f"{_usd(h['event_shortfall_cost_usd'])} (capacity plus {e.hours_at_risk:g} brownout hours at the "
                     f"peak); planning for +{e.actual_uplift:.0%} would have cost "
                     f"{_usd(h['event_cost_if_planned_for_actual_usd'])}, and had the forecast been right, that plan "
                     f"would have left {_usd(h['event_idle_cost_if_forecast_right_usd'])} of capacity idle. Over the "
                     f"stated range (+{e.uplift_low:.0%} to +{e.uplift_high:.0%}) the plan of least expected cost is "
                     f"**+{h['event_should_have_planned_uplift']:.0%}**: a brownout hour costs far more than the "
                     "capacity held for it. Feed marketing's inputs into the forecast (driver-based), not last "
                     "year +20%.")
    if "cliff" in s:
        c, cal = p.cliffs, s["cliff"]["calendar"]
        parts = []
        for _, r in cal.iterrows():
            what = f"{r['limit'].replace('_', ' ')} at {_count(r['max_load'])} {c.load_name.replace('_', ' ')}"
            if r["p90_crossing_month"] is None:
                parts.append(f"{what}: not reached within {c.horizon_months} months, even at P90")
                continue
            parts.append(f"{what}: P50 crosses in {_month(r['p50_crossing_month'], c.horizon_months)}, P90 in "
                         f"{_month(r['p90_crossing_month'], c.horizon_months)}; with {r['lead_time_months']} months "
                         f"of work, start by {_month(r['start_by_month'], c.horizon_months)}"
                         + (" (already late)" if r["late"] else ""))
        lines.append("**Cliff calendar.** " + "; ".join(parts) + f". Past the first limit the bill steps "
                     f"{h['cost_cliff_multiple']:.2f}x (whole units on the next architecture with its overhead).")
    if "commitment" in s:
        c, x = p.commitment, s["commitment"]
        lines.append(f"**Commitment.** The newsvendor rule commits up to the demand quantile at the critical ratio "
                     f"({_pct(h['commitment_quantile'])}: the discount {_pct(c.discount)}"
                     + (f" with a {_pct(c.shortfall_premium)} premium above the commitment" if c.shortfall_premium
                        else "") + f"): {h['commitment_units']:,.0f} {c.unit_name}s, saving "
                     f"{_usd(h['commitment_savings_usd'])} over {c.term_months} months against all on-demand, at "
                     f"{_pct(h['commitment_utilization'])} utilization and {_pct(h['commitment_coverage'])} coverage. "
                     f"Committing at the median ({x['p50_level']:,.0f}) would cost "
                     f"{_usd(x['p50_extra_usd'])} more in expectation. If demand comes in at P10, "
                     f"{_usd(h['shelfware_at_p10_usd'])} of it is shelfware; at P90, "
                     f"{_usd(h['on_demand_overflow_at_p90_usd'])} runs on demand. A ladder (months "
                     f"{', '.join(str(m) for m in c.tranche_months)}) saves {_usd(h['ladder_saving_vs_single_usd'])} "
                     "more by following the growth.")
        if "generation" in x:
            g = c.new_generation
            be = h["switch_break_even_remaining_months"]
            lines.append(f"**New hardware: {report.escape(g.name)}.** With {g.remaining_commitment_months:g} committed months left, "
                         f"switching costs {_usd(abs(h['switch_minus_sweat_usd']))} "
                         f"{'less' if h['switch_minus_sweat_usd'] < 0 else 'more'} than sweating over "
                         f"{g.horizon_months} months"
                         + (f"; switching pays when more than {be:.1f} committed months remain." if be is not None
                            else "; with the commitment owed in full it never pays before the term ends."))
    if "history" in s:
        hs, x = p.history, s["history"]
        b = x["baseline"]
        sc = b.scores.set_index("model")
        chosen = x["chosen"]
        better = "beats" if h[f"mase_{chosen}"] < h["mase_seasonal_naive"] else "does not beat"
        others = ", ".join(f"{sc.loc[m, 'label']} {sc.loc[m, 'mase']:.2f}" for m in sc.index if m != chosen)
        widened = (f"; it held {_pct(b.backtest_coverage)} of the backtest's months, so it is widened "
                   f"{b.widening:.2f}x to miss no more than {_pct(1 - b.coverage)}" if b.widening > 1 else
                   f"; it held {_pct(b.backtest_coverage)} of the backtest's months")
        lines.append(f"**Statistical baseline.** Backtested {hs.holdout_months} months ahead from "
                     f"{len(b.backtest.origins)} origin{'s' if len(b.backtest.origins) != 1 else ''} of "
                     f"{report.escape(hs.series_name)}: the {sc.loc[chosen, 'label']} forecasts, and {better} "
                     f"seasonal naive (MASE {h[f'mase_{chosen}']:.2f}; {others}). Its forecast for "
                     f"{hs.horizon_months} months ahead is {x['forecast']['p50'].iloc[-1]:,.0f} (80% interval "
                     f"{x['forecast']['p10'].iloc[-1]:,.0f} to {x['forecast']['p90'].iloc[-1]:,.0f}{widened})"
                     + (f", against {x['driver'][-1]:,.0f} from the driver-based growth assumption."
                        if x["driver"] is not None else ".")
                     + (f" {x['note']}" if x["note"] else ""))
    if "glide" in s:
        g, x = p.glide, s["glide"]
        month = x["month"]
        lines.append(f"**Glide path.** Gross margin starts at {_pct(h['gross_margin_now'])}; with the levers it turns "
                     f"positive in {_month(h['month_margin_positive'], g.horizon_months)} and reaches the "
                     f"{_pct(g.target_gross_margin)} target in {_month(h['month_margin_reaches_target'], g.horizon_months)}"
                     f"; the cumulative gross loss is deepest at {_usd(h['cumulative_gross_loss_usd'])}. "
                     f"Without levers, month {month} would be at {_pct(x['waterfall']['end'].iloc[0])}.")
        if h["month_margin_falls_back"] is not None:
            lines.append(f"**The rescue does not hold:** with cost growing {_pct(g.cost_growth_rate_per_month)} a month "
                         f"against revenue at {_pct(g.revenue_growth_rate_per_month)}, the margin is negative again in "
                         f"month {h['month_margin_falls_back']}. The levers cut the level once; only fixing what makes "
                         "cost per dollar of revenue grow (usage per query, model size, the GPU mix) holds the margin.")
        if "worst_slip_lever" in h:
            worst = x["slips"].set_index("lever").loc[h["worst_slip_lever"]]
            hz = g.horizon_months
            turns = h["month_margin_positive_if_worst_slips"] != h["month_margin_positive"]
            target = h["month_target_if_worst_slips"] != h["month_margin_reaches_target"]
            lever = h["worst_slip_lever"].replace("_", " ")
            if turns or target:
                lines.append(f"**{lever[0].upper()}{lever[1:]} is the critical dependency:** if it slips "
                             f"{g.slip_months:g} months the margin turns positive in "
                             f"{_month(h['month_margin_positive_if_worst_slips'], hz)} (plan: "
                             f"{_month(h['month_margin_positive'], hz)}) and reaches the target in "
                             f"{_month(h['month_target_if_worst_slips'], hz)} (plan: "
                             f"{_month(h['month_margin_reaches_target'], hz)}). Track it.")
            else:
                lines.append(f"No single lever slipping {g.slip_months:g} months moves the month the margin turns "
                             f"or reaches the target; the worst, {lever}, leaves month {month} at "
                             f"{_pct(worst[f'margin_at_month_{month}'])}.")
    if "projects" in s:
        for _, r in s["projects"]["table"].iterrows():
            name = r["project"].replace("_", " ")
            paid = (f"pays back in month {int(r['payback_month'])}" if labels.number(r["payback_month"])
                    else f"does not pay back within {a.horizon_months} months")
            lines.append(f"**{name[0].upper()}{name[1:]}.** {_usd(r['project_cost_usd'])} of engineering for "
                         f"{_usd(r['saving_usd_per_month'])}/month ({_usd(r['countable_saving_usd_per_month'])} "
                         f"countable, {_pct(r['probability_of_success'])} likely): expected net "
                         f"{_usd(r['expected_net_usd'])}; it {paid}.")
    if "jevons" in s:
        j = p.jevons
        lines.append(f"**Jevons.** {_pct(j.efficiency_gain)} cheaper per {j.unit_name}: banked with volume unchanged, "
                     f"the bill falls {_pct(-h['total_cost_change_banked'])}; but with demand elasticity "
                     f"{j.demand_elasticity:g} the extra use changes it {_pct(h['total_cost_change_banked_with_demand_response'])} "
                     f"(the total rises whenever the elasticity exceeds {h['demand_elasticity_break_even']:.2f}). "
                     f"Reinvested in quality at {j.quality_cost_multiplier:g}x the unit cost it changes "
                     f"{_pct(h['total_cost_change_reinvested'])}; it stays flat up to "
                     f"{h['quality_multiplier_break_even']:.2f}x. Agree up front whether gains are banked or reinvested, "
                     "and budget the demand response.")

    if "demand" in s:
        d, hz = p.demand, s["demand"]["horizon"]
        t = s["demand"]["table"]
        lines.append(f"**Demand.** {_count(d.dau_now)} DAU growing {_pct(d.growth_rate_per_month)} a month put an "
                     f"average {_count(t['average_load'].iloc[-1])} {d.load_name.replace('_', ' ')} on the system in "
                     f"month {hz}, a peak of {_count(t['peak_load'].iloc[-1])} ({h['peak_to_average_ratio']:.2f}x the "
                     f"average): capacity is bought for the peak plus {_pct(d.headroom)} headroom, "
                     f"{_usd(h[f'capacity_cost_usd_per_month_month_{hz}'])}/month (P10 "
                     f"{_usd(h['capacity_cost_p10_usd_per_month'])}, P90 {_usd(h['capacity_cost_p90_usd_per_month'])}).")
        if d.events:
            ev = ", ".join(f"{report.escape(e.name)} (month {e.start_month}, x{e.multiplier:g}, ready "
                           f"{e.lead_time_months} month{'s' if e.lead_time_months != 1 else ''} ahead)" for e in d.events)
            lines.append(f"Inorganic events are planned apart from organic growth: {ev}; their pre-provisioned "
                         f"capacity costs {_usd(h['event_capacity_usd'])} over the horizon.")
        if "buffer" in s["demand"]:
            b = s["demand"]["buffer"]
            lines.append(f"**Buffer.** At {_pct(d.headroom)} headroom the chance of running out at the peak is "
                         f"{_pct(h['brownout_probability_at_planned_headroom'])}; with a brownout hour at "
                         f"{_usd(d.brownout_usd_per_hour)}, expected cost is lowest at **+{b['best']:.0%}** "
                         f"({_usd(h['buffer_saving_usd_per_month'])}/month better than the plan)."
                         + _buffer_why(b, d))
    return "\n\n".join(lines)


# ---------------------------------------------------------------------------------------------------
# Charts (built from the analysis; `costlib.charts.show` renders them).


def chart_demand(a: Analysis):
    from costlib import charts

    s = a.sections["demand"]
    d = a.params.demand
    names = {"average_load": "average", "organic_peak_load": "peak (organic)", "peak_load": "peak with events",
             "capacity_load": "provisioned (headroom, lead time)"}
    t = s["table"].rename(columns=names).melt(id_vars="month", value_vars=list(names.values()), var_name="series",
                                              value_name="load")
    return charts.lines(words=True, frame=t, x="month", y="load", series="series", money=False,
                        title=f"Average, peak and provisioned load ({d.load_name.replace('_', ' ')})",
                        y_title=d.load_name.replace("_", " "),
                        subtitle=["Capacity is bought for the peak, with headroom and events pre-provisioned"])


def chart_demand_band(a: Analysis):
    from costlib import charts

    return charts.band(a.sections["demand"]["band"], x="month", title="Capacity cost per month: P10-P90",
                       y_title="USD per month",
                       subtitle=["Shaded: P10 to P90 over growth, usage, peak ratio and price; line: P50"])


def chart_buffer(a: Analysis):
    from costlib import charts

    names = {"capacity_usd": "capacity", "idle_usd": "of which idle (expected)",
             "brownout_usd": "brownouts (expected)", "expected_usd": "capacity + brownouts"}
    t = a.sections["demand"]["buffer"]["table"].rename(columns=names)
    long = t.melt(id_vars="headroom", value_vars=list(names.values()), var_name="cost", value_name="usd_per_month")
    long["headroom"] = long["headroom"].map(lambda x: f"+{x:.0%}")
    return charts.lines(words=True, frame=long, x="headroom", y="usd_per_month", series="cost", x_type="O",
                        title="Buffer size: idle capacity against brownouts", y_title="USD per month",
                        x_title="headroom over the forecast peak",
                        subtitle=[f"Expected cost is lowest at +{a.sections['demand']['buffer']['best']:.0%}"])


def chart_history(a: Analysis):
    import altair as alt

    from costlib import charts

    x = a.sections["history"]
    hs = a.params.history
    n = x["n"]
    rows = [{"month": i + 1, "series": "history", "value": v} for i, v in enumerate(x["history"])]
    origin = x["baseline"].backtest.origins[0]
    for m in dict.fromkeys([x["chosen"], "seasonal_naive"]):
        rows += [{"month": origin + i + 1, "series": f"backtest: {m.replace('_', ' ')}", "value": v}
                 for i, v in enumerate(x["held"][m])]
    rows += [{"month": n + i + 1, "series": f"forecast: {x['chosen'].replace('_', ' ')}", "value": v}
             for i, v in enumerate(x["forecast"]["p50"])]
    if x["driver"] is not None:
        rows += [{"month": n + i + 1, "series": "driver-based", "value": v} for i, v in enumerate(x["driver"])]
    frame = pd.DataFrame(rows)
    lines = charts.lines(words=True, frame=frame, x="month", y="value", series="series", money=False, points=False,
                         title=f"{hs.series_name}: history, backtest and forecast", y_title=hs.series_name,
                         subtitle=[f"Backtest MASE: {x['chosen'].replace('_', ' ')} {a.headline['mase_' + x['chosen']]:.2f}, "
                                   f"seasonal naive {a.headline['mase_seasonal_naive']:.2f}; shaded: P10-P90"])
    band = x["forecast"].assign(month=n + x["forecast"]["step"])
    area = alt.Chart(band).mark_area(opacity=0.2, color=charts.NEUTRAL).encode(x="month:Q", y="p10:Q", y2="p90:Q")
    return alt.layer(area, lines)


def chart_event(a: Analysis):
    from costlib import charts

    names = {"capacity_usd": "capacity held", "brownout_usd": "brownouts (expected)",
             "total_usd": "capacity + brownouts"}
    t = a.sections["event"]["curve"].rename(columns=names).melt(id_vars="planned_uplift", value_vars=list(names.values()),
                                                                var_name="cost", value_name="usd")
    t["planned_uplift"] = t["planned_uplift"].map(lambda v: f"+{v:.0%}")
    return charts.lines(words=True, frame=t, x="planned_uplift", y="usd", series="cost", x_type="O",
                        title="What to plan the event for: expected cost by planned uplift", y_title="USD",
                        x_title="uplift planned for",
                        subtitle=[f"Least expected cost at +{a.sections['event']['best']:.0%} over the stated range"])


def projects_view(a: Analysis) -> pd.DataFrame:
    """The projects for people: the columns that decide, payback in words."""
    t = a.sections["projects"]["table"][["project", "project_cost_usd", "countable_saving_usd_per_month",
                                         "probability_of_success", "expected_net_usd", "payback_month",
                                         "roi_multiple"]].copy()
    t["payback_month"] = [timing.month_text(m, a.horizon_months) for m in t["payback_month"]]
    return t


def calendar_view(a: Analysis) -> pd.DataFrame:
    """The cliff calendar for people: months in words ("month 13", "not within 36 months")."""
    c, cal = a.params.cliffs, a.sections["cliff"]["calendar"].copy()
    for col in ("p50_crossing_month", "p90_crossing_month", "start_by_month"):
        cal[col] = [timing.month_text(m, c.horizon_months).replace("never", "not") for m in cal[col]]
    cal["late"] = cal["late"].map({True: "yes", False: "no"})
    return cal


def chart_cliffs(a: Analysis):
    from costlib import charts

    c = a.params.cliffs
    s = a.sections["cliff"]
    return charts.lines(words=True, frame=s["step_curve"].dropna(), x="load", y="cost_usd_per_month", points=False,
                        title="The cost cliff: monthly cost against load", y_title="USD per month",
                        x_title=c.load_name.replace("_", " "),
                        rule_x=c.tiers[0].max_load, rule_label=f"{c.tiers[0].name.replace('_', ' ')} limit",
                        subtitle=["Whole units on each architecture; the step is the re-architecture"])


def chart_cliff_band(a: Analysis):
    from costlib import charts

    c = a.params.cliffs
    return charts.band(a.sections["cliff"]["band"], x="month", money=False, rule_y=c.tiers[0].max_load,
                       title=f"{c.load_name.replace('_', ' ')}: P10-P90 against the first limit",
                       y_title=c.load_name.replace("_", " "),
                       subtitle=["Shaded: P10 to P90 of the load; dashed: the limit"])


def chart_commitment(a: Analysis):
    from costlib import charts

    x = a.sections["commitment"]
    return charts.lines(words=True, frame=x["curve"], x="commitment_units", y="savings_over_term_usd", points=False,
                        title="Savings against commitment", y_title="expected saving over the term (USD)",
                        x_title=f"units committed ({a.params.commitment.unit_name})", rule_x=x["level"],
                        rule_label=f"optimum {_count(x['level'])}",
                        subtitle=["Rises while usage exceeds the commitment more often than 1 - discount, then falls"])


def chart_commitment_band(a: Analysis):
    from costlib import charts

    x = a.sections["commitment"]
    return charts.band(x["band"], x="month", money=False, rule_y=x["level"],
                       title="Usage over the term: P10-P90 against the commitment",
                       y_title=f"{a.params.commitment.unit_name} in use",
                       subtitle=["Shaded: P10 to P90 of hourly usage each month; dashed: the optimum commitment"])


def chart_generation(a: Analysis):
    from costlib import charts

    g = a.sections["commitment"]["generation"]
    be = a.headline.get("switch_break_even_remaining_months")
    return charts.lines(words=True, frame=g["sweep"], x="remaining_commitment_months", y="switch_minus_sweat_usd", points=False,
                        title="Switch minus sweat, by committed months left",
                        y_title="switch minus sweat over the horizon (USD)", x_title="committed months left",
                        rule_x=be, rule_label=None if be is None else f"break-even {be:.1f} months",
                        subtitle=["Below zero switching pays: the new generation's saving over the months left "
                                  "beats the migration and what is still owed"])


def chart_glide(a: Analysis):
    from costlib import charts

    x = a.sections["glide"]
    t = x["table"].rename(columns={"margin_without_levers": "without levers", "gross_margin": "with the levers"}).melt(
        id_vars="month", value_vars=["without levers", "with the levers"], var_name="series", value_name="margin")
    return charts.lines(words=True, frame=t, x="month", y="margin", series="series", money=False,
                        title="Glide path: gross margin month by month", y_title="gross margin",
                        subtitle=[f"Target {_pct(a.params.glide.target_gross_margin)}; positive in "
                                  f"{_month(a.headline['month_margin_positive'], a.params.glide.horizon_months)}"])


def chart_glide_band(a: Analysis):
    from costlib import charts

    return charts.band(a.sections["glide"]["band"], x="month", money=False, rule_y=0.0,
                       title="Gross margin: P10-P90", y_title="gross margin",
                       subtitle=["Shaded: P10 to P90 over growth rates and lever sizes and dates; dashed: zero"])


def chart_waterfall(a: Analysis):
    from costlib import charts

    w = a.sections["glide"]["waterfall"]
    return charts.bars(words=True, frame=w.assign(negative=w["change"] < 0), category="step", value="change", money=False,
                       highlight="negative", title=f"Margin waterfall in month {a.sections['glide']['month']}",
                       value_title="gross margin (points, as a decimal)",
                       subtitle=["First bar: the margin without levers; then each lever's step; last: the plan"])


def chart_tornado(a: Analysis, name: str):
    from costlib import charts

    ans = a.answers[name]
    label = contract.declaration(FIGURES, ans.figure).label_for(ans.figure)
    return charts.tornado(workbook=sys.modules[__name__], frame=ans.assessment.tornado, output_label=label.lower(),
                          title=f"What moves it most: {label.lower()}",
                          unit=contract.declaration(FIGURES, ans.figure).unit)
