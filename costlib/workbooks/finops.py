"""Workbook 06, FinOps: the scenario schema and the analysis the notebook shows.

The question: where does the bill leak? From FOCUS billing data (a file, a folder or a glob; generated
with known answers when none is given) the workbook shows where the money goes, how much of it tags
attribute to teams, the shared Kubernetes cluster's cost by requests, usage and max(request, usage) with
its idle cost, the anomalies and their drivers (with the detectors' precision and recall on generated
data), the runaway ML service split into good spend and waste, rightsizing at a P99 target, commitment
utilization, coverage and savings, storage tiering moves, team scorecards and the nightly spot batch.

This module assembles: every number comes from `costlib.billing`, `costlib.billing_queries` and
`costlib.finops` (seed section VI and its two interview questions).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Optional, Union

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from costlib import billing, contract, report, uncertainty
from costlib import billing_queries as Q
from costlib import finops as F
from costlib import synthetic_focus, synthetic_usage
from costlib import unit_economics as ue
from costlib.errors import BillingDataError, ModelError, ScenarioError
from costlib.params import (NonNegative, Positive, PositiveInt, Rate, Schema, bounded, non_empty,
                            project_root, require_unique)

TOPIC = "finops"
#: `costlib.contract.whatif_key`: whatif takes only the sliders; an answer's own model recomputes its figure.
WHATIF_KEY = None

TagKey = Annotated[str, StringConstraints(min_length=1, max_length=128)]
KEYS = ["ServiceName", "SubAccountId"]  # the anomaly series: per service and sub-account
_M = "costlib.finops."
_Q = "costlib.billing_queries."
_P = "costlib.workbooks.finops.Params"

#: The headline figures, each declared once (`costlib.contract.Figure`). Specific keys before patterns.
FIGURES = (
    contract.Figure("amortized_cost_usd_per_month", "Amortized cost per month", "usd_per_month",
                    "EffectiveCost over the bill's days, per 30.4375-day month", _M + "per_month"),
    contract.Figure("billed_cost_usd_per_month", "Billed (cash) cost per month", "usd_per_month",
                    "BilledCost over the bill's days, per month (shown beside, never added)", _M + "per_month"),
    contract.Figure("unallocated_share", "Cost no tag attributes", "share",
                    "untagged + unused commitment over the taggable amortized cost (tax, credits, purchases apart)",
                    _M + "unallocated_share"),
    contract.Figure("team_tag_coverage_share", "Team tag coverage", "share",
                    "taggable amortized cost carrying the team tag over all taggable amortized cost",
                    _M + "attribution_pools"),
    contract.Figure("anomaly_usd", "Anomaly dollars", "usd",
                    "cost above expectation in alerted service-account days, once per day", _M + "anomaly_dollars"),
    contract.Figure("anomaly_alerts", "Anomaly alerts", "number", "alerts raised by the three detectors",
                    _M + "detect_anomalies"),
    contract.Figure("savings_available_usd_per_month", "Savings available", "usd_per_month",
                    "rightsizing now + storage moves + spot batch + runaway waste (n/a: no such section in the "
                    "scenario)", _M + "savings_available"),
    contract.Figure("cost_usd_per_{unit}", "Cost per {unit}", "usd_per_unit",
                    "amortized usage cost over units of the business metric", "costlib.unit_economics.cost_per_unit"),
    contract.Figure("days_price_below_cost", "Days the price was below cost", "number",
                    "days whose cost per unit exceeded the price (the seed's $5 to host, $4 paid)",
                    _M + "cost_per_unit_series"),
    contract.Figure("kubernetes_idle_usd", "Kubernetes idle cost", "usd",
                    "node cost not allocated to any pod over the usage window", _M + "kubernetes_allocation"),
    contract.Figure("kubernetes_idle_share", "Kubernetes idle share", "share", "idle cost over the nodes' cost",
                    _M + "kubernetes_allocation"),
    contract.Figure("kubernetes_request_usage_gap_usd", "Requested but unused (Kubernetes)", "usd",
                    "allocation by requests minus by usage, all teams", _M + "request_usage_gap"),
    contract.Figure("anomaly_usd_p10", "Anomaly dollars, P10", "usd",
                    "10th percentile over the detector thresholds and floor drawn from their ranges",
                    "costlib.uncertainty.assess"),
    contract.Figure("anomaly_usd_p90", "Anomaly dollars, P90", "usd",
                    "90th percentile over the detector thresholds and floor drawn from their ranges",
                    "costlib.uncertainty.assess"),
    contract.Figure("hourly_anomaly_usd", "Anomaly dollars (hourly series)", "usd",
                    "cost above expectation in alerted service-account hours, once per hour", _M + "anomaly_dollars"),
    contract.Figure("hourly_anomaly_alerts", "Anomaly alerts (hourly series)", "number",
                    "alerts the three detectors raise on hourly amortized cost", _M + "detect_anomalies"),
    contract.Figure("hourly_{detector}_precision", "Precision of {detector} (hourly)", "share",
                    "true alerts over alerts on hourly series, against the generator's injected anomalies",
                    _M + "backtest_detectors"),
    contract.Figure("hourly_{detector}_recall", "Recall of {detector} (hourly)", "share",
                    "injected anomalies found on hourly series over injected anomalies", _M + "backtest_detectors"),
    contract.Figure("{detector}_precision", "Precision of {detector} (daily)", "share",
                    "true alerts over alerts, against the generator's injected anomalies",
                    _M + "backtest_detectors"),
    contract.Figure("{detector}_recall", "Recall of {detector} (daily)", "share",
                    "injected anomalies found over injected anomalies", _M + "backtest_detectors"),
    contract.Figure("runaway_cost_multiple", "Runaway service: cost after / before", "multiple",
                    "the ML service's monthly cost in its last window over its first", _M + "runaway_cost_split"),
    contract.Figure("runaway_volume_usd_per_month", "Runaway: good spend (volume)", "usd_per_month",
                    "the increase explained by more predictions at the old cost per prediction",
                    _M + "runaway_cost_split"),
    contract.Figure("runaway_waste_usd_per_month", "Runaway: waste", "usd_per_month",
                    "idle + over-provisioned + dev running 24/7", _M + "runaway_cost_split"),
    contract.Figure("rightsizing_savings_now_usd_per_month", "Rightsizing savings now", "usd_per_month",
                    "next sizes down at the P99 target with headroom, not held by a commitment",
                    _M + "rightsizing_savings_now"),
    contract.Figure("rightsizing_savings_deferred_usd_per_month", "Rightsizing savings deferred", "usd_per_month",
                    "savings that start only when a non-flexible commitment ends", _M + "rightsizing"),
    contract.Figure("rightsizing_resources", "Resources to rightsize", "number",
                    "resources with a smaller size that fits", _M + "rightsizing"),
    contract.Figure("rightsizing_savings_now_p10_usd_per_month", "Rightsizing savings now, P10", "usd_per_month",
                    "10th percentile over target and headroom draws", "costlib.uncertainty.assess"),
    contract.Figure("rightsizing_savings_now_p90_usd_per_month", "Rightsizing savings now, P90", "usd_per_month",
                    "90th percentile over target and headroom draws", "costlib.uncertainty.assess"),
    contract.Figure("commitment_utilization_share", "Commitment utilization (by cost)", "share",
                    "used over used + unused amortized commitment, portfolio", _M + "commitment_metrics"),
    contract.Figure("commitment_utilization_by_quantity_share", "Commitment utilization (by quantity)", "share",
                    "used over used + unused CommitmentDiscountQuantity (FOCUS 1.1+), portfolio when one unit",
                    _M + "commitment_metrics"),
    contract.Figure("commitment_coverage_share", "Commitment coverage (on-demand equivalent)", "share",
                    "covered usage at list prices over eligible usage at list prices", _M + "commitment_metrics"),
    contract.Figure("commitment_coverage_amortized_share", "Commitment coverage (amortized)", "share",
                    "amortized covered usage over amortized eligible usage", _M + "commitment_metrics"),
    contract.Figure("effective_savings_rate", "Effective savings rate", "share",
                    "(on-demand equivalent - actual) / on-demand equivalent, eligible scope", _M + "commitment_metrics"),
    contract.Figure("commitment_net_savings_usd", "Commitment net savings", "usd",
                    "savings on used minus unused cost, over the bill's days", _M + "commitment_metrics"),
    contract.Figure("storage_net_saving_usd_per_month", "Storage tiering saves", "usd_per_month",
                    "recommended moves, net of retrieval; transition and early deletion in the table",
                    _M + "storage_tiering_moves"),
    contract.Figure("storage_moves_costing_more", "Archive moves that cost more than they save", "number",
                    "colder classes whose retrieval fees exceed the storage saving", _M + "storage_tiering_moves"),
    contract.Figure("storage_moves_too_slow", "Moves whose retrieval time breaks the access requirement", "number",
                    "colder classes that take longer to return a read than the dataset allows",
                    _M + "storage_tiering_moves"),
    contract.Figure("spot_expected_cost_usd_per_run", "Spot batch: expected cost per run", "usd",
                    "spot fleet with checkpoints and on-demand fallback", _M + "spot_batch_window"),
    contract.Figure("on_demand_cost_usd_per_run", "All on-demand: cost per run", "usd", "the baseline",
                    _M + "on_demand_batch_cost"),
    contract.Figure("spot_expected_saving_usd_per_run", "Spot batch: expected saving per run", "usd",
                    "on-demand cost minus spot expected cost", _M + "spot_batch_window"),
    contract.Figure("spot_probability_miss", "Spot batch: chance of missing the window", "probability",
                    "share of simulated nights finishing after the window", _M + "spot_batch_window"),
    contract.Figure("spot_expected_saving_p10_usd_per_run", "Spot batch: saving per run, P10", "usd",
                    "10th percentile over the fallback deadline and reclaim rate drawn from their ranges",
                    _M + "spot_batch_draws"),
    contract.Figure("spot_expected_saving_p90_usd_per_run", "Spot batch: saving per run, P90", "usd",
                    "90th percentile over the fallback deadline and reclaim rate drawn from their ranges",
                    _M + "spot_batch_draws"),
    contract.Figure("spot_probability_miss_above_max", "Spot batch: chance the miss rate exceeds the maximum",
                    "probability", "share of draws (deadline, reclaim rate) whose chance of a miss exceeds the "
                    "stated maximum", _M + "spot_batch_draws"),
    contract.Figure("top_team_by_score", "Most efficient team", "text", "rank 1 of the scorecard",
                    _M + "team_scorecard"),
)

#: The headline: a few figures (monthly cost, unallocated share, anomaly dollars, savings available) and the
#: figures the verdicts rest on (the verdicts themselves head the table, from `decisions`). Every other
#: figure is in its section's table.
HEADLINE = ("amortized_cost_usd_per_month", "billed_cost_usd_per_month", "unallocated_share", "anomaly_usd",
            "savings_available_usd_per_month", "rightsizing_savings_now_usd_per_month",
            "spot_expected_saving_usd_per_run", "spot_probability_miss")

#: The per-section figure tables: section -> figure keys (patterns as in FIGURES), in the order shown.
SECTION_FIGURES = {
    "money": ("amortized_cost_usd_per_month", "billed_cost_usd_per_month", "cost_usd_per_{unit}",
              "days_price_below_cost"),
    "attribution": ("unallocated_share", "team_tag_coverage_share"),
    "kubernetes": ("kubernetes_idle_usd", "kubernetes_idle_share", "kubernetes_request_usage_gap_usd"),
    "anomalies": ("anomaly_usd", "anomaly_usd_p10", "anomaly_usd_p90", "anomaly_alerts", "hourly_anomaly_usd",
                  "hourly_anomaly_alerts", "runaway_cost_multiple", "runaway_volume_usd_per_month",
                  "runaway_waste_usd_per_month"),
    "backtest": ("{detector}_precision", "{detector}_recall", "hourly_{detector}_precision",
                 "hourly_{detector}_recall"),
    "rightsizing": ("rightsizing_savings_now_usd_per_month", "rightsizing_savings_now_p10_usd_per_month",
                    "rightsizing_savings_now_p90_usd_per_month", "rightsizing_savings_deferred_usd_per_month",
                    "rightsizing_resources"),
    "commitments": ("commitment_utilization_share", "commitment_utilization_by_quantity_share",
                    "commitment_coverage_share", "commitment_coverage_amortized_share", "effective_savings_rate",
                    "commitment_net_savings_usd"),
    "storage": ("storage_net_saving_usd_per_month", "storage_moves_costing_more", "storage_moves_too_slow"),
    "scorecard": ("top_team_by_score",),
    "spot": ("spot_expected_cost_usd_per_run", "on_demand_cost_usd_per_run", "spot_expected_saving_usd_per_run",
             "spot_expected_saving_p10_usd_per_run", "spot_expected_saving_p90_usd_per_run",
             "spot_probability_miss", "spot_probability_miss_above_max"),
    "savings": ("savings_available_usd_per_month",),
}


# ---------------------------------------------------------------------------------------------------
# Parameters


class Anomalies(Schema):
    """The three detectors on daily amortized cost per service and sub-account (seed VI.4)."""

    rate_of_change_threshold_share: bounded(0, 10, low_open=True, expected="expected a rise share > 0 "
                                            "(0.5 is the seed's +50% in 24 hours)") = 0.5
    forecast_threshold_share: bounded(0, 10, low_open=True, expected="expected a share > 0 (0.10 is the "
                                      "seed's 10% off forecast)") = 0.10
    seasonal_threshold_share: bounded(0, 10, low_open=True, expected="expected a share > 0") = 0.25
    seasonal_z_threshold: NonNegative = 3.5
    floor_usd: NonNegative = Field(25.0, description="absolute dollar floor of every alert, USD per day")
    min_history_days: bounded(7, 366, expected="expected at least 7 days (one weekly cycle)", kind=int) = 7
    hourly: bool = Field(True, description="also run the detectors on hourly amortized cost where the bill has "
                                           "hourly rows (floor per hour = floor_usd / 24)")


class BusinessMetric(Schema):
    """Units of value per day (tenants, transactions) for cost per unit."""

    unit_name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)] = "order"
    units_per_day: Union[Positive, Annotated[list[Positive], AfterValidator(non_empty)]] = 40_000.0
    price_usd_per_unit: Optional[NonNegative] = 0.15


class Runaway(Schema):
    """The seed's runaway ML service: its cost in the bill, predictions and waste from the team."""

    service: str = "Amazon SageMaker"
    sub_account: str = "aws-ml"
    window_days: bounded(1, 31, expected="expected 1 to 31 days", kind=int) = 7
    predictions_before_per_month: Positive = 2_000_000.0
    predictions_after_per_month: Positive = 3_000_000.0
    idle_usd_per_month: NonNegative = 2_000.0
    overprovisioned_usd_per_month: NonNegative = 1_500.0
    dev_cost_usd_per_month: NonNegative = 1_680.0
    dev_needed_hours_per_week: bounded(0, 168, expected="expected hours in [0, 168]") = 50.0


class Kubernetes(Schema):
    """A shared cluster: its nodes from the bill, pod usage from a file or generated."""

    cluster_services: Annotated[list[str], AfterValidator(non_empty)] = Field(
        default_factory=lambda: ["Amazon Elastic Kubernetes Service"])
    node_cpu_cores: Positive = 8.0
    node_ram_gib: Positive = 32.0
    usage_file: str = Field("", description="CSV of hour, node, team, cpu/ram request and used; empty: generated")
    teams: Annotated[list[str], AfterValidator(non_empty)] = Field(default_factory=lambda: list(synthetic_usage.TEAMS))
    pods_per_team: bounded(1, 200, expected="expected 1 to 200 pods", kind=int) = 10
    usage_hours: bounded(1, 24 * 62, expected="expected 1 to 1,488 hours", kind=int) = 48
    basis: Literal["max", "request", "usage"] = "max"
    idle_rule: Literal["separate", "share_by_node", "share_by_cluster"] = "separate"


class Size(Schema):
    size: str
    vcpu: Positive
    memory_gib: Positive
    usd_per_hour: Positive


def _m5_ladder():
    return [Size(size="m5.large", vcpu=2, memory_gib=8, usd_per_hour=0.096),
            Size(size="m5.xlarge", vcpu=4, memory_gib=16, usd_per_hour=0.192),
            Size(size="m5.2xlarge", vcpu=8, memory_gib=32, usd_per_hour=0.384),
            Size(size="m5.4xlarge", vcpu=16, memory_gib=64, usd_per_hour=0.768)]


class Rightsizing(Schema):
    """P99 against the seed's 60-70% target; sizes from the bill's unit prices on the ladder."""

    service: str = "Amazon Elastic Compute Cloud"
    top_n: bounded(1, 500, expected="expected 1 to 500 resources", kind=int) = 12
    ladder: Annotated[list[Size], AfterValidator(non_empty)] = Field(default_factory=_m5_ladder)
    target_p99_share: bounded(0, 1, low_open=True, expected="expected a share in (0, 1]") = 0.65
    headroom_share: bounded(0, 2, expected="expected a share in [0, 2]") = 0.10
    min_history_days: bounded(1, 90, expected="expected 1 to 90 days", kind=int) = 14
    utilization_days: bounded(1, 90, expected="expected 1 to 90 days", kind=int) = 14
    p99_cpu_shares: Annotated[list[bounded(0.03, 0.99, expected="expected a P99 in [0.03, 0.99]")],
                              AfterValidator(non_empty)] = Field(default_factory=lambda: [0.10, 0.25, 0.45, 0.80])
    p99_memory_shares: Annotated[list[bounded(0.03, 0.99, expected="expected a P99 in [0.03, 0.99]")],
                                 AfterValidator(non_empty)] = Field(default_factory=lambda: [0.15, 0.30, 0.40, 0.70])
    committed_resources: bounded(0, 500, expected="expected 0 to 500", kind=int) = 2
    commitment_end: str = "2027-06-30"
    action_floor_usd_per_month: NonNegative = 100.0
    utilization_file: str = Field("", description="CSV or Parquet of resource, timestamp, cpu_utilization_share, "
                                                  "memory_utilization_share, relative to the project root; empty: "
                                                  "generated from the P99s above")
    generate_utilization_file: bool = Field(False, description="write the generated samples (from the seed) to "
                                                               "a Parquet file in the cache and read that file")

    @model_validator(mode="after")
    def _history(self):
        if self.utilization_file and self.generate_utilization_file:
            raise ValueError("utilization_file and generate_utilization_file: expected one of them (a file to "
                             "read, or generated samples written to the cache)")
        if self.utilization_days < self.min_history_days and not self.utilization_file:
            raise ValueError(f"utilization_days = {self.utilization_days}: expected a utilization series of at "
                             f"least min_history_days = {self.min_history_days} days (AWS Compute Optimizer "
                             "needs 14)")
        require_unique([s.size for s in self.ladder], "ladder size")
        return self


class Commitments(Schema):
    """Commitment end dates (FOCUS carries none) and the expiry calendar's horizon."""

    ends: dict[str, str] = Field(default_factory=lambda: {"sp-compute-2026": "2027-10-31",
                                                          "ri-rds-2026": "2027-03-31"})
    horizon_months: bounded(1, 60, expected="expected 1 to 60 months", kind=int) = 12


class StorageClass(Schema):
    storage_class: str
    usd_per_gb_month: NonNegative
    retrieval_usd_per_gb: NonNegative = 0.0
    transition_usd_per_1000_objects: NonNegative = 0.0
    min_storage_days: NonNegative = 0.0
    retrieval_hours: NonNegative = Field(0.0, description="time to the first byte of a read (0: milliseconds)")


class Dataset(Schema):
    dataset: str
    storage_class: str
    gb: NonNegative
    objects: NonNegative
    read_gb_per_month: NonNegative = 0.0
    max_retrieval_hours: Optional[NonNegative] = Field(None, description="how long a read may wait (the access "
                                                                         "requirement), hours; None: not stated")


def _s3_classes():
    return [StorageClass(storage_class="STANDARD", usd_per_gb_month=0.023),
            StorageClass(storage_class="STANDARD_IA", usd_per_gb_month=0.0125, retrieval_usd_per_gb=0.01,
                         transition_usd_per_1000_objects=0.01, min_storage_days=30),
            StorageClass(storage_class="GLACIER_IR", usd_per_gb_month=0.004, retrieval_usd_per_gb=0.03,
                         transition_usd_per_1000_objects=0.02, min_storage_days=90),
            StorageClass(storage_class="DEEP_ARCHIVE", usd_per_gb_month=0.00099, retrieval_usd_per_gb=0.02,
                         transition_usd_per_1000_objects=0.05, min_storage_days=180, retrieval_hours=12.0)]


def _datasets():
    return [Dataset(dataset="app-logs", storage_class="STANDARD", gb=50_000, objects=2_000_000,
                    read_gb_per_month=500, max_retrieval_hours=1.0),
            Dataset(dataset="ml-features", storage_class="STANDARD", gb=8_000, objects=400_000,
                    read_gb_per_month=8_000, max_retrieval_hours=0.0),
            Dataset(dataset="audit-trail", storage_class="STANDARD_IA", gb=20_000, objects=100_000,
                    read_gb_per_month=0, max_retrieval_hours=48.0)]


class Storage(Schema):
    """Storage classes with retrieval, transition and minimum-duration charges, and the datasets."""

    classes: Annotated[list[StorageClass], AfterValidator(non_empty)] = Field(default_factory=_s3_classes)
    datasets: Annotated[list[Dataset], AfterValidator(non_empty)] = Field(default_factory=_datasets)
    horizon_months: bounded(0, 120, low_open=True, expected="expected months in (0, 120]") = 12.0

    @model_validator(mode="after")
    def _known(self):
        names = [c.storage_class for c in self.classes]
        require_unique(names, "storage class")
        unknown = sorted({d.storage_class for d in self.datasets} - set(names))
        if unknown:
            raise ValueError(f"datasets: storage classes {unknown} are not in classes {names}")
        return self


class SpotBatch(Schema):
    """The seed's nightly batch that must finish within its window (interview question VI.2)."""

    work_hours: Positive = 3.0
    window_hours: Positive = 4.0
    instances: bounded(1, 100_000, expected="expected 1 to 100,000 instances", kind=int) = 100
    spot_usd_per_instance_hour: NonNegative = 0.0672
    on_demand_usd_per_instance_hour: NonNegative = 0.192
    interruption_rate_per_hour: NonNegative = Field(0.10, description="reclaims per pool per hour")
    pools: bounded(1, 64, expected="expected 1 to 64 pools", kind=int) = 4
    checkpoint_interval_hours: NonNegative = 0.25
    replacement_delay_hours: NonNegative = 0.25
    fallback_at_hours: Optional[NonNegative] = 3.5
    on_demand_start_hours: NonNegative = 0.1
    runs: bounded(100, 100_000, expected="expected 100 to 100,000 simulated nights", kind=int) = 2000
    runs_per_month: NonNegative = 30.0
    max_miss_probability: Rate = 0.01
    nights_per_draw: bounded(10, 10_000, expected="expected 10 to 10,000 nights", kind=int) = Field(
        100, description="nights simulated per Monte Carlo draw of the deadline and reclaim rate")

    @model_validator(mode="after")
    def _window(self):
        if self.fallback_at_hours is not None and self.fallback_at_hours > self.window_hours:
            raise ValueError(f"fallback_at_hours = {self.fallback_at_hours}: expected at most window_hours "
                             f"({self.window_hours})")
        return self


class Params(Schema):
    """Scenario of workbook 06. Every key is documented in the notebook's parameters cell."""

    title: str = "FinOps: where the bill leaks"
    description: str = ""
    billing_data: str = Field("", description="FOCUS file, folder or glob, relative to the project root; "
                                              "empty: generated")
    billing_currency: Optional[str] = None
    synthetic_resources: bounded(20, 20_000, expected="expected 20 to 20,000 resources", kind=int) = 240
    synthetic_days: bounded(14, 62, expected="expected 14 to 62 days", kind=int) = 35
    seed: int = 0
    team_tag_key: TagKey = "team"
    required_tag_keys: Annotated[list[TagKey], AfterValidator(non_empty)] = Field(
        default_factory=lambda: ["team", "environment", "cost-center"])
    untaggable_charge_categories: list[str] = Field(default_factory=lambda: ["Tax", "Credit", "Adjustment",
                                                                             "Purchase"])
    shared_services: list[str] = Field(default_factory=lambda: ["Amazon Elastic Kubernetes Service"])
    allocation_method: Literal["proportional", "even", "fixed", "usage"] = "proportional"
    fixed_shares: dict[str, NonNegative] = Field(default_factory=dict)
    usage_metric: dict[str, NonNegative] = Field(default_factory=dict)
    untagged_rule: Literal["proportional", "even", "unallocated"] = "proportional"
    unused_commitment_rule: Literal["proportional", "even", "unallocated"] = "unallocated"
    max_unallocated_share: Rate = 0.10
    anomalies: Anomalies = Field(default_factory=Anomalies)
    business_metric: Optional[BusinessMetric] = Field(default_factory=BusinessMetric)
    runaway: Optional[Runaway] = Field(default_factory=Runaway)
    kubernetes: Optional[Kubernetes] = Field(default_factory=Kubernetes)
    rightsizing: Optional[Rightsizing] = Field(default_factory=Rightsizing)
    commitments: Optional[Commitments] = Field(default_factory=Commitments)
    storage: Optional[Storage] = Field(default_factory=Storage)
    spot_batch: Optional[SpotBatch] = Field(default_factory=SpotBatch)
    monte_carlo_draws: bounded(100, 100_000, expected="expected 100 to 100,000 draws", kind=int) = 1000

    @model_validator(mode="after")
    def _consistent(self):
        if self.team_tag_key not in self.required_tag_keys:
            raise ValueError(f"team_tag_key = {self.team_tag_key!r}: expected one of required_tag_keys "
                             f"{self.required_tag_keys}")
        require_unique(self.required_tag_keys, "required tag key")
        if self.allocation_method == "fixed" and not self.fixed_shares:
            raise ValueError("allocation_method 'fixed': expected fixed_shares (team -> share, adding up to 1)")
        if self.allocation_method == "usage" and not self.usage_metric:
            raise ValueError("allocation_method 'usage': expected usage_metric (team -> a usage amount)")
        if self.billing_data and self.business_metric is not None and not isinstance(
                self.business_metric.units_per_day, (int, float)):
            pass  # the length is checked against the bill's days once it is read
        return self


@contextmanager
def _section(key: str, source: str):
    """Turn a formula's ModelError inside a section into one clear ScenarioError naming the key."""
    try:
        yield
    except ModelError as exc:
        raise ScenarioError(source, [(key, None, str(exc))]) from None


# ---------------------------------------------------------------------------------------------------
# The billing data: a file, a folder or a glob, or generated (seeded, with its Truth).


def resolve_path(path: str) -> str:
    """A path relative to the project root (absolute paths unchanged), as papermill's cwd may differ."""
    p = Path(path)
    return str(p if p.is_absolute() else project_root() / p)


def synthetic_bill(p: Params) -> tuple[Path, synthetic_focus.Truth]:
    """Generate (once per resources, days and seed) the synthetic FOCUS bill and its Truth."""
    folder = (billing.default_cache_dir() / "synthetic"
              / f"v{synthetic_focus.GENERATOR_VERSION}_r{p.synthetic_resources}_d{p.synthetic_days}_s{p.seed}")
    path, truth_file = folder / "bill.parquet", folder / "truth.pickle"
    if path.is_file() and truth_file.is_file():
        return path, pickle.loads(truth_file.read_bytes())
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".bill.{os.getpid()}.parquet"
    truth = synthetic_focus.generate(tmp, resources=p.synthetic_resources, days=p.synthetic_days, seed=p.seed)
    truth.path = str(path)
    report.atomic_write(truth_file, pickle.dumps(truth))
    tmp.replace(path)
    return path, truth


def open_data(p: Params):
    """``(BillingData, Truth or None, source label)`` for the scenario."""
    if p.billing_data:
        return billing.open_billing(resolve_path(p.billing_data), p.billing_currency), None, p.billing_data
    path, truth = synthetic_bill(p)
    label = (f"generated FOCUS 1.2 bill ({p.synthetic_resources} resources, {p.synthetic_days} days, "
             f"seed {p.seed})")
    return billing.open_billing(path, p.billing_currency), truth, label


def data_provenance(a) -> dict:
    """The billing data's provenance for the appendix and the results JSON, the same on every machine.

    A real export: each file's path relative to the project root (absolute when outside it), size and
    SHA-256. A generated bill: what generated it (generator, FOCUS version, resources, days, seed) in place
    of its cache path, with the file's size and SHA-256 and the manifest hash.
    """
    prov = a.data.provenance
    root = project_root()
    files = []
    for f, source in zip(prov["files"], a.data.quality.files):
        entry = dict(f)
        if a.truth is not None:
            p = a.params
            entry["path"] = (f"generated: costlib.synthetic_focus.generate(resources={p.synthetic_resources}, "
                             f"days={p.synthetic_days}, seed={p.seed}), FOCUS 1.2, {a.truth.rows:,} rows")
        else:
            path = Path(source["path"])
            path = path if path.is_absolute() else (Path.cwd() / path).resolve()
            try:
                entry["path"] = os.path.relpath(path, root) if path.is_relative_to(root.parent) else str(path)
            except ValueError:
                entry["path"] = str(path)
        files.append(entry)
    return {"files": files, "manifest_sha256": prov["manifest_sha256"]}


def section_table(a, section: str) -> pd.DataFrame:
    """The figures of one section (`SECTION_FIGURES`) that the analysis has: figure, value (with its unit),
    meaning."""
    rows = []
    keys = list(a.figures)
    for pattern in SECTION_FIGURES[section]:
        f = next(x for x in FIGURES if x.key == pattern)
        for key in keys:
            if f.match(key) is not None and contract.declaration(FIGURES, key) is f:
                unit = a.params.business_metric.unit_name if a.params.business_metric is not None else None
                text = contract.format_value(a.figures[key], f.unit)
                if f.unit == "usd_per_unit" and unit:
                    text += f" per {unit}"
                rows.append({"figure": f.label_for(key), "value": text, "meaning": f.meaning})
    return pd.DataFrame(rows, columns=["figure", "value", "meaning"])


# ---------------------------------------------------------------------------------------------------
# The analysis.


@dataclass
class Analysis:
    """Everything the notebook shows, computed from one validated scenario."""

    params: Params
    headline: dict
    data: object
    source: str
    quality: pd.DataFrame
    days: int
    sections: dict = field(default_factory=dict)
    recommendation: str = ""
    answers: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)  # every figure (the headline's few and the sections')
    truth: object = None  # the generator's Truth when the bill is generated


_CACHE: dict = {}


def _key(p: Params) -> str:
    return p.model_dump_json()


def analyse(p: Params) -> Analysis:
    """Compute every table, figure and sentence of workbook 06 for scenario ``p``."""
    data, truth, source = open_data(p)
    daily = data.query(Q.cost_by, dimensions=[], period="day").sort_values("period_start").reset_index(drop=True)
    days = len(daily)
    s: dict = {}
    h: dict = {}
    s["money"] = _money(p, data, daily, days, source)
    h["amortized_cost_usd_per_month"] = s["money"]["amortized_usd_per_month"]
    h["billed_cost_usd_per_month"] = s["money"]["billed_usd_per_month"]
    s["attribution"] = _attribution(p, data, days, source)
    h["unallocated_share"] = s["attribution"]["unallocated_share"]
    h["team_tag_coverage_share"] = s["attribution"]["team_coverage_share"]
    s["anomalies"] = _anomalies(p, data, truth, s["attribution"]["resources"], days)
    h["anomaly_usd"] = s["anomalies"]["anomaly_usd"]
    h["anomaly_alerts"] = s["anomalies"]["alert_count"]
    if p.business_metric is not None:
        with _section("business_metric", source):
            s["unit_cost"] = _unit_cost(p.business_metric, data.query(Q.usage_cost_by, dimensions=[], period="day")
                                        .set_index("period_start").reindex(daily["period_start"], fill_value=0.0)
                                        .reset_index())
        h.update(s["unit_cost"]["headline"])
    if p.kubernetes is not None:
        s["kubernetes"] = _kubernetes(p, data, s["attribution"]["resources"], source)
        h.update(s["kubernetes"]["headline"])
    h.update(s["anomalies"]["backtest_headline"])
    if p.runaway is not None:
        with _section("runaway", source):
            s["runaway"] = _runaway(p.runaway, s["anomalies"]["daily_by_series"], source)
        h.update(s["runaway"]["headline"])
    if p.rightsizing is not None:
        with _section("rightsizing", source):
            s["rightsizing"] = _rightsizing(p, s["attribution"]["resources"], daily, source)
        h.update(s["rightsizing"]["headline"])
    if p.commitments is not None:
        with _section("commitments", source):
            s["commitments"] = _commitments(p, data, daily, days)
        h.update(s["commitments"]["headline"])
    if p.storage is not None:
        with _section("storage", source):
            s["storage"] = _storage(p.storage, data)
        h.update(s["storage"]["headline"])
    if p.spot_batch is not None:
        with _section("spot_batch", source):
            s["spot"] = _spot(p.spot_batch)
        h.update(s["spot"]["headline"])
    if "hourly" in s["anomalies"]:
        h.update(s["anomalies"]["hourly"]["headline"])
    parts = {}
    if "rightsizing" in s:
        parts["rightsizing (now)"] = s["rightsizing"]["savings_now"]
    if "storage" in s:
        parts["storage tiering"] = s["storage"]["saving_usd_per_month"]
    if "spot" in s:
        parts["spot batch"] = s["spot"]["saving_usd_per_month"]
    if "runaway" in s:
        parts["runaway service waste"] = s["runaway"]["split"].waste_usd
    # No lever section in the scenario: n/a (NaN), not $0: nothing was looked for, rather than nothing found.
    none = pd.DataFrame(columns=["lever", "usd_per_month"])
    total, levers = F.savings_available(parts) if parts else (float("nan"), none)
    s["levers"] = levers
    h["savings_available_usd_per_month"] = total
    with _section("scorecard", source):
        s["scorecard"] = _scorecard(p, data, s, days)
    if s["scorecard"] is not None:
        h["top_team_by_score"] = str(s["scorecard"]["card"].index[0])
    a = Analysis(params=p, headline={}, data=data, source=source, quality=data.quality.checks(), days=days,
                 sections=s, figures=h, truth=truth)
    _answers(a)
    a.headline = {k: h[k] for k in HEADLINE if k in h}
    a.recommendation = recommendation(a)
    _CACHE[_key(p)] = a
    return a


def _money(p, data, daily, days, source) -> dict:
    totals = data.query(Q.totals_by_charge_category)
    by = {}
    for label, dims in (("provider", ["ProviderName"]), ("service", ["ProviderName", "ServiceName"]),
                        ("account", ["ProviderName", "SubAccountId"]), ("region", ["ProviderName", "RegionId"])):
        frame = data.query(Q.cost_by, dimensions=dims).sort_values("effective_cost", ascending=False)
        by[label] = frame.head(12)[[*dims, "billed_cost", "effective_cost"]].reset_index(drop=True)
    billed, effective = data.quality.billed_cost, data.quality.effective_cost
    long = daily.melt(id_vars="period_start", value_vars=["billed_cost", "effective_cost"], var_name="cost",
                      value_name="usd")
    long["cost"] = long["cost"].map({"billed_cost": "billed (cash)", "effective_cost": "amortized"})
    long["day"] = long["period_start"].dt.strftime("%Y-%m-%d")
    return {"totals": totals, "by": by, "daily": daily, "daily_long": long, "billed_usd": billed,
            "effective_usd": effective, "amortized_usd_per_month": float(F.per_month(effective, days)),
            "billed_usd_per_month": float(F.per_month(billed, days))}


def _attribution(p, data, days, source) -> dict:
    found = data.query(Q.tag_keys)
    present = set(found["key"])
    missing = [k for k in p.required_tag_keys if k not in present]
    if missing:
        listed = ", ".join(sorted(present)[:12]) or "none"
        raise ScenarioError(source, [("required_tag_keys", k, f"expected a tag key the billing data carries "
                                      f"(no row has it; keys found: {listed})") for k in missing])
    coverage = F.tag_coverage_shares(data.query(Q.tag_coverage, keys=list(p.required_tag_keys)),
                                     p.required_tag_keys)
    team = p.team_tag_key
    pools_frame = data.query(Q.cost_by_tag, key=team,
                             dimensions=["ChargeCategory", "ServiceName", "CommitmentDiscountStatus"])
    pools = F.attribution_pools(pools_frame, p.untaggable_charge_categories, p.shared_services)
    with _section("allocation_method", source):
        allocation = F.allocate_costs(pools.direct, max(pools.shared_usd, 0.0), p.allocation_method,
                                      fixed_shares=p.fixed_shares or None, usage=p.usage_metric or None,
                                      untagged_cost_usd=pools.untagged_usd, untagged_rule=p.untagged_rule,
                                      unused_commitment_cost_usd=pools.unused_commitment_usd,
                                      unused_rule=p.unused_commitment_rule)
    by_account, over_time = [], []
    for k in p.required_tag_keys:
        acc = F.coverage_by(data.query(Q.cost_by_tag, key=k, dimensions=["SubAccountId"]), ["SubAccountId"])
        by_account.append(acc["coverage_share"].rename(k))
        day = F.coverage_by(data.query(Q.cost_by_tag, key=k, period="day"), ["period_start"]).reset_index()
        over_time.append(day.assign(tag_key=k))
    by_account = pd.concat(by_account, axis=1).reset_index()
    over_time = pd.concat(over_time, ignore_index=True)
    over_time["day"] = over_time["period_start"].dt.strftime("%Y-%m-%d")
    resources = data.query(Q.resource_summary, key=team)
    ranked = F.untagged_by_impact(resources.assign(effective_cost=resources["effective_cost"].clip(lower=0),
                                                   tagged=resources["tag_value"].notna()))
    share = float(F.unallocated_share(pools.untagged_usd, pools.unused_commitment_usd, pools.taggable_usd))
    return {"coverage": coverage, "pools": pools, "allocation": allocation, "by_account": by_account,
            "over_time": over_time, "resources": resources, "untagged_top": ranked.head(10),
            "unallocated_share": share, "team_coverage_share": pools.direct_share,
            "allocated_per_month": F.per_month(allocation["total_usd"], days)}


def _unit_cost(m: BusinessMetric, daily) -> dict:
    cost = pd.Series(daily["effective_cost"].to_numpy(dtype=float), index=daily["period_start"])
    units = m.units_per_day
    if isinstance(units, list) and len(units) != len(cost):
        raise ModelError(f"business_metric.units_per_day has {len(units)} values: expected one per day of the "
                         f"bill ({len(cost)})")
    units = pd.Series(np.broadcast_to(np.asarray(units, dtype=float), len(cost)).copy(), index=cost.index)
    series = F.cost_per_unit_series(cost, units, m.price_usd_per_unit)
    per_unit = float(ue.cost_per_unit(float(cost.sum()), float(units.sum())))
    head = {f"cost_usd_per_{m.unit_name}": per_unit}
    if m.price_usd_per_unit is not None:
        head["days_price_below_cost"] = int(series["price_below_cost"].sum())
    return {"series": series.reset_index(names="period_start"), "per_unit": per_unit, "units": units,
            "trend_per_month": float(F.trend_per_month(series.attrs["trend_share_per_period"])), "headline": head}


def _kubernetes(p, data, resources, source) -> dict:
    k = p.kubernetes
    nodes_bill = resources[resources["ServiceName"].isin(k.cluster_services)].sort_values("ResourceId")
    if nodes_bill.empty:
        raise ScenarioError(source, [("kubernetes.cluster_services", k.cluster_services,
                                      "expected services with node resources in the bill")])
    nodes = F.nodes_from_bill(nodes_bill, k.node_cpu_cores, k.node_ram_gib)
    if k.usage_file:
        try:
            usage = pd.read_csv(resolve_path(k.usage_file))
        except (OSError, ValueError) as exc:
            raise ScenarioError(source, [("kubernetes.usage_file", k.usage_file, f"expected a readable CSV ({exc})")])
        need = ["hour", "node", "team", "cpu_request_cores", "cpu_used_cores", "ram_request_gib", "ram_used_gib"]
        lacking = [c for c in need if c not in usage.columns]
        if lacking:
            raise ScenarioError(source, [("kubernetes.usage_file", k.usage_file, f"expected columns {need}; "
                                          f"missing {lacking}")])
        unknown = sorted(set(usage["node"].astype(str)) - set(nodes["node"]))
        if unknown:
            shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            raise ScenarioError(source, [("kubernetes.usage_file", k.usage_file,
                                          f"expected pods on nodes that are in the bill; {len(unknown)} node(s) "
                                          f"are not: {shown} (the bill's nodes: {', '.join(nodes['node'][:5])}...)")])
        generated = None
    else:
        generated = synthetic_usage.kubernetes_cluster(nodes=len(nodes), pods_per_team=k.pods_per_team,
                                                       hours=k.usage_hours, seed=p.seed,
                                                       node_cpu_cores=k.node_cpu_cores, node_ram_gib=k.node_ram_gib,
                                                       teams=k.teams)
        names = dict(zip([f"node-{i}" for i in range(len(nodes))], nodes["node"]))
        usage = generated.usage.assign(node=generated.usage["node"].map(names))
    with _section("kubernetes", source):
        by_basis = {b: F.kubernetes_allocation(nodes, usage, basis=b, idle=k.idle_rule) for b in F.KUBERNETES_BASES}
        gap = F.request_usage_gap(nodes, usage)
    chosen = by_basis[k.basis]
    table = pd.DataFrame({b: r.by_team["total_usd"] for b, r in by_basis.items()}).fillna(0.0)
    table.columns = [f"by_{c}_usd" for c in table.columns]
    return {"nodes": nodes, "usage_rows": len(usage), "hours": int(usage["hour"].nunique()), "by_basis": by_basis,
            "table": table.reset_index(names="team"), "idle_by_node": chosen.idle_by_node.reset_index(names="node"),
            "gap": gap.reset_index(names="team"), "generated": generated, "allocation": chosen,
            "headline": {"kubernetes_idle_usd": chosen.idle_cluster_usd, "kubernetes_idle_share": chosen.idle_cluster_share,
                         "kubernetes_request_usage_gap_usd": float(gap["gap_usd"].sum())}}


def detector_settings(a: Anomalies, **moved) -> dict:
    """The keyword arguments of each detector, from the scenario (and any moved thresholds)."""
    v = {**a.model_dump(), **moved}
    return {"rate_of_change": {"threshold_share": v["rate_of_change_threshold_share"], "floor_usd": v["floor_usd"],
                               "min_history_periods": int(v["min_history_days"])},
            "forecast": {"threshold_share": v["forecast_threshold_share"], "floor_usd": v["floor_usd"],
                         "min_history_periods": int(v["min_history_days"])},
            "seasonal": {"threshold_share": v["seasonal_threshold_share"], "floor_usd": v["floor_usd"],
                         "z_threshold": v["seasonal_z_threshold"],
                         "min_history_periods": max(14, int(v["min_history_days"]))}}


def hourly_detector_settings(a: Anomalies) -> dict:
    """The detectors on hourly series: the seed's 24 hours as a 24-period lag, the forecast and the
    decomposition on the weekly cycle (168 hours), the floor per hour (floor_usd / 24), the history in
    hours."""
    history = 24 * int(a.min_history_days)
    floor = a.floor_usd / 24
    return {"rate_of_change": {"threshold_share": a.rate_of_change_threshold_share, "floor_usd": floor,
                               "lag_periods": 24, "min_history_periods": history},
            "forecast": {"threshold_share": a.forecast_threshold_share, "floor_usd": floor, "season_periods": 168,
                         "seasons": 4, "min_history_periods": max(168, history)},
            "seasonal": {"threshold_share": a.seasonal_threshold_share, "floor_usd": floor,
                         "z_threshold": a.seasonal_z_threshold, "period": 168,
                         "min_history_periods": max(336, history)}}


def detect(series, settings, freq: str = "D", candidates: bool = False) -> pd.DataFrame:
    """`costlib.finops.detect_anomalies` per service and sub-account (an all-zero series warns; quiet), or
    its `anomaly_candidates` (every alert any gate setting could raise)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if candidates:
            return F.anomaly_candidates(series, KEYS, settings, freq=freq)
        return F.detect_anomalies(series, KEYS, detectors=settings, freq=freq)


def _hourly_anomalies(p, data, truth, owner, events) -> dict | None:
    """The detectors on hourly amortized cost, where the bill has hourly rows (only those rows)."""
    lengths = data.query(Q.charge_period_lengths)
    hourly = lengths[lengths["minutes"] <= 60]
    if not p.anomalies.hourly or hourly["rows"].sum() == 0:
        return None
    total = float(lengths["effective_cost"].sum())
    series = data.query(Q.usage_cost_by, dimensions=KEYS, period="hour", max_period_hours=1)
    alerts = detect(series, hourly_detector_settings(p.anomalies), freq="h")
    top = alerts.sort_values("change_usd", ascending=False, kind="stable").head(20)
    if len(top):
        breakdown = data.query(Q.usage_cost_by, dimensions=[*KEYS, "ResourceId"], period="hour", max_period_hours=1)
        top = F.alert_drivers(top, breakdown, KEYS, "ResourceId", baseline_lag_periods=24)
        top["team"] = top["driver"].map(owner)
    head = {"hourly_anomaly_usd": F.anomaly_dollars(alerts, KEYS), "hourly_anomaly_alerts": int(len(alerts))}
    backtest = None
    if events is not None:
        backtest = F.backtest_detectors(alerts, events, KEYS)
        for det, r in backtest.iterrows():
            head[f"hourly_{det}_precision"] = None if pd.isna(r["precision"]) else float(r["precision"])
            head[f"hourly_{det}_recall"] = float(r["recall"])
    return {"alerts": alerts, "top": top, "backtest": backtest, "headline": head,
            "hourly_rows": int(hourly["rows"].sum()), "rows": int(lengths["rows"].sum()),
            "hourly_cost_share": float(hourly["effective_cost"].sum() / total) if total else float("nan")}


def _anomalies(p, data, truth, resources, days) -> dict:
    daily_sa = data.query(Q.usage_cost_by, dimensions=KEYS, period="day")
    alerts = detect(daily_sa, detector_settings(p.anomalies))
    owner = dict(zip(resources["ResourceId"], resources["tag_value"]))
    if len(alerts):
        breakdown = data.query(Q.usage_cost_by, dimensions=[*KEYS, "ResourceId"], period="day")
        named = F.alert_drivers(alerts, breakdown, KEYS, "ResourceId", baseline_lag_periods=1)
        named["team"] = named["driver"].map(owner)
    else:
        named = alerts.assign(driver=[], driver_change_usd=[], driver_share_of_change=[], team=[])
    total = F.anomaly_dollars(named, KEYS)
    by_team = F.anomaly_dollars(named, KEYS, by="team") if len(named) else pd.Series(dtype=float)
    backtest, events, bt_head = None, None, {}
    if truth is not None:
        events = synthetic_focus.injected_events(truth)
        backtest = F.backtest_detectors(alerts, events, KEYS)
        for det, r in backtest.iterrows():
            bt_head[f"{det}_precision"] = None if pd.isna(r["precision"]) else float(r["precision"])
            bt_head[f"{det}_recall"] = float(r["recall"])
    top = (F.anomaly_dollars(named, KEYS, by="ServiceName").sort_values(ascending=False).head(3).index.tolist()
           if len(named) else [])
    series_frame = daily_sa[daily_sa["ServiceName"].isin(top)].copy()
    out = {"daily_by_series": daily_sa, "alerts": named, "alert_count": int(len(alerts)), "anomaly_usd": total,
           "by_team": by_team, "backtest": backtest, "events": events, "backtest_headline": bt_head,
           "chart_series": series_frame, "top_services": top,
           "candidates": detect(daily_sa, detector_settings(p.anomalies), candidates=True)}
    hourly = _hourly_anomalies(p, data, truth, owner, events)
    if hourly is not None:
        out["hourly"] = hourly
    return out


def _runaway(r: Runaway, daily_sa, source) -> dict:
    sel = daily_sa[(daily_sa["ServiceName"] == r.service) & (daily_sa["SubAccountId"] == r.sub_account)]
    if sel.empty:
        raise ScenarioError(source, [("runaway.service", f"{r.service} / {r.sub_account}",
                                      "expected a service and sub-account that are in the bill")])
    series = sel.groupby("period_start")["effective_cost"].sum().sort_index()
    before = F.window_cost_per_month(series, r.window_days, "first")
    after = F.window_cost_per_month(series, r.window_days, "last")
    dev = float(F.dev_always_on_waste(r.dev_cost_usd_per_month, r.dev_needed_hours_per_week))
    split = F.runaway_cost_split(before, after, r.predictions_before_per_month, r.predictions_after_per_month,
                                 r.idle_usd_per_month, r.overprovisioned_usd_per_month, dev)
    parts = pd.DataFrame({"part": ["volume (good spend)", "idle capacity", "over-provisioned", "dev running 24/7",
                                   "intensity (cost per prediction up)"],
                          "usd_per_month": [split.volume_usd, split.idle_usd, split.overprovisioned_usd,
                                            split.dev_always_on_usd, split.intensity_usd]})
    return {"series": series.reset_index(), "before": before, "after": after, "split": split, "parts": parts,
            "headline": {"runaway_cost_multiple": split.cost_multiple,
                         "runaway_volume_usd_per_month": split.volume_usd,
                         "runaway_waste_usd_per_month": split.waste_usd}}


def _rightsizing(p, resources, daily, source) -> dict:
    r = p.rightsizing
    ladder = pd.DataFrame([s.model_dump() for s in r.ladder])
    pool = resources[resources["ServiceName"] == r.service]
    candidates = F.rightsizing_candidates(pool, ladder, r.top_n) if len(pool) else pool
    if len(candidates) == 0:
        raise ScenarioError(source, [("rightsizing.service", r.service, "expected resources of this service "
                                      "billed at a unit price of the ladder's sizes")])
    names = list(candidates["resource"])
    origin = "generated in memory from the seed"
    if r.utilization_file:
        samples = _utilization_file(r, resources, candidates, ladder, source)
        every = F.rightsizing_candidates(pool, ladder, top_n=len(pool))
        candidates = every[every["resource"].isin(set(samples["resource"]))].reset_index(drop=True)
        origin = f"read from {r.utilization_file}"
    else:
        cpu = {n: r.p99_cpu_shares[i % len(r.p99_cpu_shares)] for i, n in enumerate(names)}
        mem = {n: r.p99_memory_shares[i % len(r.p99_memory_shares)] for i, n in enumerate(names)}
        start = daily["period_start"].min().strftime("%Y-%m-%d")
        samples = synthetic_usage.utilization_samples(cpu, mem, days=r.utilization_days, seed=p.seed,
                                                      start=start).samples
        if r.generate_utilization_file:
            key = hashlib.sha256(samples.to_csv(index=False).encode()).hexdigest()[:16]
            path = billing.default_cache_dir() / "utilization" / f"utilization_{key}.parquet"
            if not path.is_file():
                synthetic_usage.write_utilization(samples, path)
            samples = _read_utilization(str(path), "rightsizing.generate_utilization_file", source)
            origin = (f"generated from the seed, written to the cache as Parquet ({len(samples):,} samples, "
                      f"SHA-256 {billing.file_sha256(path)[:12]}) and read back through the file reader")
    names = list(candidates["resource"])
    res = candidates[["resource", "size"]].assign(
        commitment_end=[r.commitment_end if i < r.committed_resources else None for i in range(len(names))])
    rec = F.rightsizing(samples, res, ladder, r.target_p99_share, r.headroom_share, min_days=r.min_history_days)
    now = float(F.rightsizing_savings_now(rec, ladder, r.target_p99_share, r.headroom_share))
    moving = rec[rec["steps_down"] > 0]
    deferred = float(rec.loc[rec["deferred_months"] > 0, "savings_usd_per_month"].sum())
    rec = rec.assign(team=candidates.set_index("resource")["team"].reindex(rec.index).to_numpy())
    return {"ladder": ladder, "recommendations": rec.reset_index(names="resource"), "savings_now": now,
            "samples_rows": len(samples), "origin": origin,
            "span_days": F.utilization_span_days(samples),
            "headline": {"rightsizing_savings_now_usd_per_month": now,
                         "rightsizing_savings_deferred_usd_per_month": deferred,
                         "rightsizing_resources": int(len(moving))}}


def _read_utilization(path: str, key: str, source: str) -> pd.DataFrame:
    try:
        return billing.read_utilization(path)
    except BillingDataError as exc:
        raise ScenarioError(source, [(key, path, str(exc))]) from None


def _utilization_file(r: Rightsizing, resources, candidates, ladder, source) -> pd.DataFrame:
    """The scenario's utilization file, checked: every resource in the bill and of a ladder size, each
    with at least ``min_history_days`` of samples."""
    key = "rightsizing.utilization_file"
    samples = _read_utilization(resolve_path(r.utilization_file), key, source)
    found = sorted(set(samples["resource"]))
    unknown = [x for x in found if x not in set(resources["ResourceId"])]
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise ScenarioError(source, [(key, r.utilization_file, f"expected resources that are in the bill; "
                                      f"{len(unknown)} of {len(found)} are not: {shown}")])
    priced = set(F.rightsizing_candidates(resources[resources["ServiceName"] == r.service], ladder,
                                          top_n=len(resources))["resource"])
    other = [x for x in found if x not in priced]
    if other:
        shown = ", ".join(other[:5]) + (" ..." if len(other) > 5 else "")
        raise ScenarioError(source, [(key, r.utilization_file, f"expected {r.service} resources billed at a "
                                      f"ladder size's unit price; {len(other)} are not: {shown}")])
    span = F.utilization_span_days(samples)
    short = span[span < r.min_history_days - 1e-9]
    if len(short):
        shown = ", ".join(f"{k} ({v:.1f} days)" for k, v in short.head(5).items())
        raise ScenarioError(source, [(key, r.utilization_file, f"expected at least min_history_days = "
                                      f"{r.min_history_days} days of samples per resource; {len(short)} "
                                      f"resource(s) have less: {shown}")])
    return samples


def _commitments(p, data, daily, days) -> dict:
    rows = data.query(Q.commitment_rows)
    eligible = sorted(set(rows.loc[rows["CommitmentDiscountId"].notna(), "ServiceName"].dropna()))
    if not eligible:
        return {"metrics": None, "headline": {}, "eligible": []}
    scope = rows[rows["ServiceName"].isin(eligible)]
    m = F.commitment_metrics(scope, quantity_column="CommitmentDiscountQuantity")
    per = m.per_commitment.reset_index(names="CommitmentDiscountId")
    calendar = None
    ends = p.commitments.ends
    known = per[per["CommitmentDiscountId"].isin(list(ends))]
    if len(known):
        frame = known.assign(end=known["CommitmentDiscountId"].map(ends),
                             amortized_usd_per_month=F.per_month(known["amortized_usd"].to_numpy(), days))
        as_of = (daily["period_start"].max() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        calendar = F.commitment_expiry_calendar(frame[["CommitmentDiscountId", "end", "amortized_usd_per_month",
                                                       "utilization_by_cost"]], as_of, p.commitments.horizon_months)
    team_rows = data.query(Q.commitment_rows, key=p.team_tag_key)
    team_rates = F.team_commitment_rates(team_rows[team_rows["ServiceName"].isin(eligible)])
    pf = m.portfolio
    version = data.quality.version
    if version == "1.0":
        note = ("n/a: FOCUS 1.0 has no CommitmentDiscountQuantity or CommitmentDiscountUnit (both added in 1.1), "
                "so utilization is by cost only.")
    elif per["utilization_by_quantity"].isna().all():
        note = (f"n/a: the FOCUS {version} export leaves CommitmentDiscountQuantity empty on its used and unused "
                "rows, so utilization is by cost only.")
    else:
        units = pf.get("quantity_units", [])
        note = ("per commitment, each in its own unit (" + ", ".join(
            f"{report.escape(str(r.CommitmentDiscountId))} {_pct(r.utilization_by_quantity)}, counted in "
            f"{report.escape(str(r.quantity_unit))}" for r in per.itertuples() if pd.notna(r.utilization_by_quantity))
            + ")" + ("; no portfolio figure, as quantities in different units are never added."
                     if len(units) > 1 else "."))
    return {"metrics": m, "per": per, "calendar": calendar, "eligible": eligible, "team_rates": team_rates,
            "quantity_note": note,
            "headline": {"commitment_utilization_by_quantity_share": pf["utilization_by_quantity"],
                         "commitment_utilization_share": pf["utilization_by_cost"],
                         "commitment_coverage_share": pf["coverage_on_demand_equivalent"],
                         "commitment_coverage_amortized_share": pf["coverage_amortized"],
                         "effective_savings_rate": pf["effective_savings_rate"],
                         "commitment_net_savings_usd": pf["net_savings_usd"]}}


def _storage(st: Storage, data) -> dict:
    classes = pd.DataFrame([c.model_dump() for c in st.classes])
    datasets = pd.DataFrame([d.model_dump() for d in st.datasets])
    moves = F.storage_tiering_moves(datasets, classes, st.horizon_months)
    moves = moves.merge(datasets[["dataset", "max_retrieval_hours"]], on="dataset", how="left")
    chosen = moves[moves["recommended"]]
    costing_more = moves[(moves["storage_saving_usd_per_month"] > 0) & (moves["net_saving_usd_per_month"] < 0)]
    too_slow = moves[~moves["meets_access_requirement"].astype(bool)]
    latency = classes[["storage_class", "usd_per_gb_month", "retrieval_usd_per_gb", "retrieval_hours",
                       "min_storage_days"]]
    in_bill = None
    if "x_StorageClass" in data.custom_columns:
        in_bill = data.query(Q.cost_by, dimensions=["x_StorageClass"]).dropna(subset=["x_StorageClass"])
    saving = float(chosen["net_saving_usd_per_month"].sum())
    return {"moves": moves, "recommended": chosen, "costing_more": costing_more, "too_slow": too_slow,
            "classes": latency, "in_bill": in_bill, "saving_usd_per_month": saving,
            "headline": {"storage_net_saving_usd_per_month": saving, "storage_moves_costing_more": int(len(costing_more)),
                         "storage_moves_too_slow": int(len(too_slow))}}


def spot_result(b: SpotBatch, **moved) -> F.SpotBatchResult:
    """`costlib.finops.spot_batch_window` on the scenario's batch (with any inputs moved)."""
    v = {**b.model_dump(), **moved}
    return F.spot_batch_window(v["work_hours"], v["window_hours"], v["instances"], v["spot_usd_per_instance_hour"],
                               v["on_demand_usd_per_instance_hour"], v["interruption_rate_per_hour"], pools=v["pools"],
                               checkpoint_interval_hours=v["checkpoint_interval_hours"],
                               replacement_delay_hours=v["replacement_delay_hours"],
                               fallback_at_hours=v["fallback_at_hours"], on_demand_start_hours=v["on_demand_start_hours"],
                               runs=v["runs"], seed=0)


def _spot(b: SpotBatch) -> dict:
    r = spot_result(b)
    no_fallback = spot_result(b, fallback_at_hours=None) if b.fallback_at_hours is not None else r
    one_pool = spot_result(b, pools=1)
    table = pd.DataFrame([
        {"architecture": "all on-demand", "expected_cost_usd": r.on_demand_cost_usd, "p90_cost_usd": r.on_demand_cost_usd,
         "probability_miss": 0.0, "fallback_share": 0.0},
        {"architecture": f"spot, {b.pools} pools, fallback at {b.fallback_at_hours} h", "expected_cost_usd": r.expected_cost_usd,
         "p90_cost_usd": r.p90_cost_usd, "probability_miss": r.probability_miss, "fallback_share": r.fallback_share},
        {"architecture": f"spot, {b.pools} pools, no fallback", "expected_cost_usd": no_fallback.expected_cost_usd,
         "p90_cost_usd": no_fallback.p90_cost_usd, "probability_miss": no_fallback.probability_miss,
         "fallback_share": no_fallback.fallback_share},
        {"architecture": f"spot, 1 pool, fallback at {b.fallback_at_hours} h", "expected_cost_usd": one_pool.expected_cost_usd,
         "p90_cost_usd": one_pool.p90_cost_usd, "probability_miss": one_pool.probability_miss,
         "fallback_share": one_pool.fallback_share}])
    monthly = float(F.runs_per_month_cost(r.expected_saving_usd, b.runs_per_month))
    return {"result": r, "table": table, "saving_usd_per_month": monthly,
            "headline": {"spot_expected_cost_usd_per_run": r.expected_cost_usd, "on_demand_cost_usd_per_run": r.on_demand_cost_usd,
                         "spot_expected_saving_usd_per_run": r.expected_saving_usd,
                         "spot_probability_miss": r.probability_miss}}


def _scorecard(p, data, s, days):
    alloc = s["attribution"]["allocation"]
    teams = [t for t in alloc.index if t != F.UNALLOCATED]
    if not teams:
        return None
    cost = pd.Series(F.per_month(alloc.loc[teams, "total_usd"].to_numpy(), days), index=teams)
    others = [k for k in p.required_tag_keys if k != p.team_tag_key]
    coverage = None
    if others:
        frame = data.query(Q.cost_by_tag, key=p.team_tag_key, also_tags=others)
        frame = frame.assign(has__all=frame[[f"has__{k}" for k in others]].all(axis=1))
        coverage = F.coverage_by(frame[frame["tag_value"].notna()], ["tag_value"], tagged="has__all")["coverage_share"]
    rates = s["commitments"]["team_rates"] if "commitments" in s and s["commitments"].get("metrics") else None
    idle = s["kubernetes"]["gap"].set_index("team")["gap_share"] if "kubernetes" in s else None
    rs = None
    if "rightsizing" in s:
        rec = s["rightsizing"]["recommendations"]
        rs = rec.groupby("team")["savings_usd_per_month"].sum()
    anomaly = s["anomalies"]["by_team"]
    anomaly = pd.Series(F.per_month(anomaly.to_numpy(dtype=float), days), index=anomaly.index) if len(anomaly) else None
    trend = None
    if "unit_cost" in s:
        per_team = data.query(Q.cost_by_tag, key=p.team_tag_key, period="day")
        units = s["unit_cost"]["units"]
        values = {}
        for team, g in per_team[per_team["tag_value"].isin(teams)].groupby("tag_value"):
            series = g.set_index("period_start")["effective_cost"].sort_index().reindex(units.index, fill_value=0.0)
            t = F.cost_per_unit_series(series, units).attrs["trend_share_per_period"]
            values[team] = float(F.trend_per_month(t))
        trend = pd.Series(values)
    metrics = F.scorecard_metrics(cost, coverage, None if rates is None else rates["effective_savings_rate"],
                                  None if rates is None else rates["commitment_utilization_share"], idle, rs,
                                  anomaly, trend)
    card = F.team_scorecard(metrics)
    return {"card": card, "metrics": metrics}


# ---------------------------------------------------------------------------------------------------
# Sensitivity: one Answer per decision.


def uncertain_inputs(p: Params) -> dict[str, tuple[float, float, float]]:
    """``{answer.input: (low, base, high)}``: headroom and target, fallback deadline and interruption rate,
    detector thresholds and floor."""
    out = {}
    if p.rightsizing is not None:
        r = p.rightsizing
        h = r.headroom_share
        out["rightsizing.headroom_share"] = (0.5 * h if h > 0 else 0.0, h, 2 * h if h > 0 else 0.2)
        out["rightsizing.target_p99_share"] = (max(0.05, r.target_p99_share - 0.10), r.target_p99_share,
                                               min(1.0, r.target_p99_share + 0.05))
    if p.spot_batch is not None and p.spot_batch.fallback_at_hours is not None:
        b = p.spot_batch
        out["spot.fallback_at_hours"] = (max(0.0, b.fallback_at_hours - 0.5), b.fallback_at_hours,
                                         min(b.window_hours, b.fallback_at_hours + 0.5))
        rate = b.interruption_rate_per_hour
        out["spot.interruption_rate_per_hour"] = (0.5 * rate, rate, 2 * rate if rate > 0 else 0.1)
    a = p.anomalies
    out["anomalies.rate_of_change_threshold_share"] = (0.6 * a.rate_of_change_threshold_share,
                                                       a.rate_of_change_threshold_share,
                                                       1.6 * a.rate_of_change_threshold_share)
    out["anomalies.forecast_threshold_share"] = (0.5 * a.forecast_threshold_share, a.forecast_threshold_share,
                                                 2 * a.forecast_threshold_share)
    out["anomalies.floor_usd"] = (0.5 * a.floor_usd, a.floor_usd, 2 * a.floor_usd if a.floor_usd > 0 else 10.0)
    return out


def _ranges(p: Params, answer: str) -> dict:
    return {k.split(".", 1)[1]: (lo, hi) for k, (lo, _, hi) in uncertain_inputs(p).items()
            if k.startswith(answer + ".")}


def _answers(a: Analysis) -> None:
    p, s = a.params, a.sections
    pools = s["attribution"]["pools"]
    base = {"untagged_usd": pools.untagged_usd, "unused_commitment_usd": pools.unused_commitment_usd,
            "taggable_usd": pools.taggable_usd}
    model = lambda **kw: F.unallocated_share(**kw)  # noqa: E731
    ranges = {"untagged_usd": (0.5 * pools.untagged_usd, 1.5 * pools.untagged_usd)} if pools.untagged_usd > 0 else {}
    if pools.unused_commitment_usd > 0:
        ranges["unused_commitment_usd"] = (0.5 * pools.unused_commitment_usd, 1.5 * pools.unused_commitment_usd)
    a.answers["attribution"] = contract.Answer(
        "attribution", "unallocated_share", model, base, p.max_unallocated_share,
        uncertainty.assess(model, base, ranges, flip_bounds={k: (0.0, 10 * max(v, 1.0)) for k, v in base.items()
                                                             if k in ranges},
                           target=p.max_unallocated_share, draws_from="model", n=p.monte_carlo_draws, seed=p.seed))
    if "rightsizing" in s:
        r, rec, ladder = p.rightsizing, s["rightsizing"]["recommendations"], s["rightsizing"]["ladder"]

        def rs_model(target_p99_share, headroom_share):
            return F.rightsizing_savings_now(rec, ladder, target_p99_share, headroom_share)

        rs_base = {"target_p99_share": r.target_p99_share, "headroom_share": r.headroom_share}
        targets = np.round(np.linspace(0.40, 0.90, 11), 2)

        def curve(target_p99_share, headroom_share):
            return F.rightsizing_savings_now(rec, ladder, targets[None, :], headroom_share)

        rng = _ranges(p, "rightsizing")
        assessment = uncertainty.assess(rs_model, rs_base, rng, target=r.action_floor_usd_per_month, curve=curve,
                                        curve_sampled={"headroom_share": rng["headroom_share"]}, curve_x=targets,
                                        curve_x_name="target_p99_share", draws_from="model", n=p.monte_carlo_draws,
                                        seed=p.seed)
        a.answers["rightsizing"] = contract.Answer("rightsizing", "rightsizing_savings_now_usd_per_month", rs_model,
                                                   rs_base, r.action_floor_usd_per_month, assessment)
        a.figures["rightsizing_savings_now_p10_usd_per_month"] = assessment.p10
        a.figures["rightsizing_savings_now_p90_usd_per_month"] = assessment.p90
    if "spot" in s and p.spot_batch.fallback_at_hours is not None:
        _spot_answers(a)
    an = s["anomalies"]
    seasonal = p.anomalies.seasonal_threshold_share
    candidates = an["candidates"]

    def anomaly_model(rate_of_change_threshold_share, forecast_threshold_share, floor_usd):
        return F.gated_anomaly_dollars(candidates, KEYS, {"rate_of_change": rate_of_change_threshold_share,
                                                          "forecast": forecast_threshold_share,
                                                          "seasonal": seasonal}, floor_usd)

    an_base = {"rate_of_change_threshold_share": p.anomalies.rate_of_change_threshold_share,
               "forecast_threshold_share": p.anomalies.forecast_threshold_share, "floor_usd": p.anomalies.floor_usd}
    ranges = _ranges(p, "anomalies")
    # The verdict (open a review) holds while any alert is left: anomaly dollars above a cent. Dollars are a
    # step function of the gates, so the flip points are the gates' suprema (`finops.anomaly_gate_flips`),
    # shown in the section, not roots.
    assessment = uncertainty.assess(anomaly_model, an_base, ranges, target=ANOMALY_REVIEW_TARGET_USD,
                                    draws_from="model", n=p.monte_carlo_draws, seed=p.seed)
    a.answers["anomalies"] = contract.Answer("anomalies", "anomaly_usd", anomaly_model, an_base,
                                             ANOMALY_REVIEW_TARGET_USD, assessment)
    a.figures["anomaly_usd_p10"] = assessment.p10
    a.figures["anomaly_usd_p90"] = assessment.p90
    an["gate_flips"] = F.anomaly_gate_flips(candidates, KEYS, {"rate_of_change": an_base[
        "rate_of_change_threshold_share"], "forecast": an_base["forecast_threshold_share"], "seasonal": seasonal},
        an_base["floor_usd"])


#: Anomaly dollars above which a cost-of-correction review is opened: any alert at all (a cent).
ANOMALY_REVIEW_TARGET_USD = 0.01


def _grid(low: float, high: float, points: list[float], n: int = 33) -> np.ndarray:
    return np.unique(np.concatenate([np.linspace(low, high, n), np.asarray(points, dtype=float)]))


def _spot_answers(a: Analysis) -> None:
    """The spot batch's two answers (saving per run, chance of a miss) with the contract's full assessment.

    The simulation is a step function of its inputs (a night misses or not), so the flip search reads it
    on a grid of each input (common random numbers, the other input at base), joined by straight lines:
    at the grid points, the base included, the model is the simulation itself. Monte Carlo draws the
    deadline and the reclaim rate together and simulates ``nights_per_draw`` nights per draw
    (`finops.spot_batch_draws`).
    """
    p = a.params
    b = p.spot_batch
    ranges = _ranges(p, "spot")
    base = {"fallback_at_hours": b.fallback_at_hours, "interruption_rate_per_hour": b.interruption_rate_per_hour}
    rate_top = max(10 * b.interruption_rate_per_hour, 1.0)
    bounds = {"fallback_at_hours": (0.0, b.window_hours), "interruption_rate_per_hour": (0.0, rate_top)}
    grids = {name: _grid(lo, hi, [base[name], *ranges[name]]) for name, (lo, hi) in bounds.items()}
    runs = {name: [spot_result(b, **{**base, name: float(x)}) for x in g] for name, g in grids.items()}
    draws: dict = {}

    def simulate_draws(fallback_at_hours, interruption_rate_per_hour):
        key = (np.asarray(fallback_at_hours).tobytes(), np.asarray(interruption_rate_per_hour).tobytes())
        if key not in draws:
            draws.clear()
            draws[key] = F.spot_batch_draws(
                b.work_hours, b.window_hours, b.instances, b.spot_usd_per_instance_hour,
                b.on_demand_usd_per_instance_hour, interruption_rate_per_hour, fallback_at_hours, pools=b.pools,
                checkpoint_interval_hours=b.checkpoint_interval_hours,
                replacement_delay_hours=b.replacement_delay_hours, on_demand_start_hours=b.on_demand_start_hours,
                nights_per_draw=b.nights_per_draw, seed=p.seed)
        return draws[key]

    def model_of(field_name: str, draw_name: str):
        def model(fallback_at_hours, interruption_rate_per_hour):
            if np.size(fallback_at_hours) > 1 or np.size(interruption_rate_per_hour) > 1:
                return simulate_draws(fallback_at_hours, interruption_rate_per_hour)[draw_name]
            f, r = float(fallback_at_hours), float(interruption_rate_per_hour)
            for name, x, other, other_value in (("fallback_at_hours", f, "interruption_rate_per_hour", r),
                                                ("interruption_rate_per_hour", r, "fallback_at_hours", f)):
                if other_value == base[other] and grids[name][0] <= x <= grids[name][-1]:
                    return float(np.interp(x, grids[name], [getattr(res, field_name) for res in runs[name]]))
            return getattr(spot_result(b, fallback_at_hours=f, interruption_rate_per_hour=r), field_name)
        return model

    saving = model_of("expected_saving_usd", "expected_saving_usd")
    miss = model_of("probability_miss", "probability_miss")
    sv = uncertainty.assess(saving, base, ranges, flip_bounds=bounds, target=0.0, draws_from="model",
                            n=p.monte_carlo_draws, seed=p.seed)
    ms = uncertainty.assess(miss, base, ranges, flip_bounds=bounds, target=b.max_miss_probability,
                            draws_from="model", n=p.monte_carlo_draws, seed=p.seed)
    joint = F.spot_plan_probability(sv.draws.outputs, ms.draws.outputs, b.max_miss_probability)
    a.answers["spot"] = contract.Answer("spot", "spot_expected_saving_usd_per_run", saving, base, 0.0, sv,
                                        extra={"joint_agreement": joint})
    a.answers["spot_miss"] = contract.Answer("spot_miss", "spot_probability_miss", miss, base,
                                             b.max_miss_probability, ms)
    a.figures["spot_expected_saving_p10_usd_per_run"] = sv.p10
    a.figures["spot_expected_saving_p90_usd_per_run"] = sv.p90
    a.figures["spot_probability_miss_above_max"] = float(np.mean(ms.draws.outputs > b.max_miss_probability))
    curve = pd.DataFrame({"fallback_at_hours": grids["fallback_at_hours"],
                          "expected_saving_usd": [r.expected_saving_usd for r in runs["fallback_at_hours"]],
                          "probability_miss": [r.probability_miss for r in runs["fallback_at_hours"]]})
    a.sections["spot"]["deadline_curve"] = curve
    a.sections["spot"]["rate_curve"] = pd.DataFrame({
        "interruption_rate_per_hour": grids["interruption_rate_per_hour"],
        "expected_saving_usd": [r.expected_saving_usd for r in runs["interruption_rate_per_hour"]],
        "probability_miss": [r.probability_miss for r in runs["interruption_rate_per_hour"]]})


# ---------------------------------------------------------------------------------------------------
# What-if (the sliders): rightsizing target and headroom, the spot fallback deadline.


def whatif_controls(p: Params) -> dict[str, tuple[float, float, float, float]]:
    """``{input: (min, max, step, value)}`` for the sections the scenario has."""
    out = {}
    if p.rightsizing is not None:
        out["target_p99_share"] = (0.3, 0.95, 0.01, p.rightsizing.target_p99_share)
        out["headroom_share"] = (0.0, 0.5, 0.01, p.rightsizing.headroom_share)
    if p.spot_batch is not None and p.spot_batch.fallback_at_hours is not None:
        out["fallback_at_hours"] = (0.0, p.spot_batch.window_hours, 0.05, p.spot_batch.fallback_at_hours)
    return out


def whatif(p: Params, **inputs) -> dict:
    """The figures the sliders move; at the base values they equal the headline."""
    a = _CACHE.get(_key(p)) or analyse(p)
    out = {"unallocated_share": a.headline["unallocated_share"]}
    if "rightsizing" in a.sections:
        r = a.sections["rightsizing"]
        out["rightsizing_savings_now_usd_per_month"] = float(F.rightsizing_savings_now(
            r["recommendations"], r["ladder"], inputs.get("target_p99_share", p.rightsizing.target_p99_share),
            inputs.get("headroom_share", p.rightsizing.headroom_share)))
    if "spot" in a.sections and p.spot_batch.fallback_at_hours is not None:
        res = spot_result(p.spot_batch, fallback_at_hours=float(inputs.get("fallback_at_hours",
                                                                           p.spot_batch.fallback_at_hours)))
        out["spot_expected_saving_usd_per_run"] = res.expected_saving_usd
        out["spot_probability_miss"] = res.probability_miss
    return out


# ---------------------------------------------------------------------------------------------------
# Words.

_usd = report.usd


def _pct(x) -> str:
    return "n/a" if x is None or x != x else report.pct(x)


def keyed_decisions(a: Analysis) -> list[tuple[str, contract.Decision]]:
    """The verdicts as records, each with the short key of its headline verdict (``verdict_<key>``)."""
    p, h, s, fig = a.params, a.headline or a.figures, a.sections, a.figures
    out = []
    share = fig["unallocated_share"]
    ready = share <= p.max_unallocated_share
    att = a.answers["attribution"].assessment
    out.append(("chargeback", contract.Decision(
        question="Can the bill be charged back to teams by tag",
        verdict="yes, chargeback" if ready else "showback only until tagging improves",
        rests_on=("unallocated_share",),
        flips_when=f"the cost no tag attributes {'rises above' if ready else 'falls below'} "
                   f"{_pct(p.max_unallocated_share)}",
        agreement=att.agreement(verdict_below_target=ready))))
    if "rightsizing" in s:
        r = p.rightsizing
        now = fig["rightsizing_savings_now_usd_per_month"]
        act = now >= r.action_floor_usd_per_month
        out.append(("rightsizing", contract.Decision(
            question="Rightsize now",
            verdict=f"rightsize {fig['rightsizing_resources']} resources" if act else "keep the current sizes",
            rests_on=("rightsizing_savings_now_usd_per_month",),
            flips_when=f"the savings available now {'fall below' if act else 'exceed'} "
                       f"{_usd(r.action_floor_usd_per_month)}/month (the action floor)",
            agreement=a.answers["rightsizing"].assessment.agreement(verdict_below_target=not act))))
    if "spot" in s:
        b = p.spot_batch
        ok = fig["spot_expected_saving_usd_per_run"] > 0 and fig["spot_probability_miss"] <= b.max_miss_probability
        flips = [f"the chance of missing the window exceeds {_pct(b.max_miss_probability)} or the saving per run "
                 "falls to zero"]
        agreement = None
        if "spot" in a.answers:
            words = []
            for answer, then in (("spot_miss", f"more than {_pct(b.max_miss_probability)} of nights miss"),
                                 ("spot", "the fleet saves nothing")):
                for _, r in a.answers[answer].assessment.flips.iterrows():
                    if not np.isfinite(r["flip_value"]):
                        continue
                    side = "above" if r["flip_value"] > r["base_value"] else "below"
                    what = ({"fallback_at_hours": f"the fallback deadline alone moves {side} "
                                                  f"{r['flip_value']:.2f} hours after the start",
                             "interruption_rate_per_hour": f"the reclaim rate alone moves {side} "
                                                           f"{r['flip_value']:.2f} per pool-hour"})[r["input"]]
                    words.append(f"{what} (then {then})")
            flips += words
            joint = a.answers["spot"].extra["joint_agreement"]
            agreement = uncertainty.agreement(joint, ok)
        out.append(("spot_batch", contract.Decision(
            question=f"Run the nightly {b.window_hours:g}-hour batch on spot",
            verdict="spot with on-demand fallback" if ok else "all on-demand",
            rests_on=("spot_expected_saving_usd_per_run", "spot_probability_miss"),
            flips_when="; ".join(flips), agreement=agreement)))
    alerts = fig["anomaly_alerts"]
    an = a.answers.get("anomalies")
    gate = s["anomalies"].get("gate_flips")
    flips = (f"no day of a service passes both gates ({_usd(p.anomalies.floor_usd)} and the shares)" if alerts
             else "a day of a service passes both gates")
    if alerts and gate is not None:
        floor = gate.loc[gate["input"] == "floor_usd", "flip_value"].iloc[0]
        if np.isfinite(floor):
            flips += f": the dollar floor alone would have to rise above {_usd(floor)} a day"
    out.append(("anomaly_review", contract.Decision(
        question="Open a cost-of-correction review",
        verdict=f"yes, {alerts} alerts" if alerts else "no anomaly above the gates",
        rests_on=("anomaly_usd",), flips_when=flips,
        agreement=None if an is None else an.assessment.agreement(verdict_below_target=not alerts))))
    return out


def decisions(a: Analysis) -> list[contract.Decision]:
    """The verdicts as records: chargeback readiness, rightsizing, the spot batch, the anomaly review."""
    return [d for _, d in keyed_decisions(a)]


def recommendation(a: Analysis) -> str:
    """The recommendation in words, computed from the analysis."""
    p, h, s = a.params, a.figures, a.sections
    rows = {r["key"]: r for r in contract.figure_rows(h, FIGURES)}
    lines = [contract.decision_words(d, rows) for d in decisions(a)]
    att = s["attribution"]
    worst = att["coverage"]["effective_coverage_share"].idxmin()
    lines.append(f"**Attribution.** {_pct(h['team_tag_coverage_share'])} of the taggable amortized cost carries the "
                 f"{report.escape(p.team_tag_key)} tag; the weakest required key is {report.escape(worst)} at "
                 f"{_pct(att['coverage'].loc[worst, 'effective_coverage_share'])}. "
                 + (f"Tagging the top untagged resource ({report.escape(att['untagged_top'].iloc[0]['ResourceId'])}) alone "
                    f"would lift coverage by {_pct(att['untagged_top'].iloc[0]['coverage_gain_share'])}."
                    if len(att["untagged_top"]) else "")
                 + (" Coverage above 100% in the per-key table means untagged credits exceed untagged "
                    "charges; the headline reads coverage on the taggable spend only."
                    if (att["coverage"]["effective_coverage_share"] > 1).any() else ""))
    an = s["anomalies"]
    if h["anomaly_alerts"]:
        top = an["alerts"].sort_values("change_usd", ascending=False).iloc[0]
        lines.append(f"**Anomalies.** {h['anomaly_alerts']} alerts worth {_usd(h['anomaly_usd'])} above "
                     f"expectation; the largest is {report.escape(top['ServiceName'])} in {report.escape(top['SubAccountId'])} on "
                     f"{pd.Timestamp(top['period']).strftime('%Y-%m-%d')} (+{_usd(top['change_usd'])}, "
                     f"{report.escape(top['detector'])}), driven by resource {report.escape(top['driver'])}.")
    if an["backtest"] is not None:
        def scores(bt):
            return "; ".join(f"{d} precision {_pct(r['precision']) if pd.notna(r['precision']) else 'n/a'}, "
                             f"recall {_pct(r['recall'])}" for d, r in bt.iterrows())

        msg = f"**Detector backtest** on the generator's injected anomalies, daily series: {scores(an['backtest'])}."
        if "hourly" in an and an["hourly"]["backtest"] is not None:
            msg += f" Hourly series: {scores(an['hourly']['backtest'])}."
        lines.append(msg)
    if "hourly" in an:
        hr = an["hourly"]
        lines.append(f"**Hourly.** On the {hr['hourly_rows']:,} hourly usage rows ({_pct(hr['hourly_cost_share'])} of "
                     f"usage cost) the detectors raise {h['hourly_anomaly_alerts']:,} alerts worth "
                     f"{_usd(h['hourly_anomaly_usd'])} above expectation (floor {_usd(p.anomalies.floor_usd / 24)} an "
                     "hour).")
    if "runaway" in s:
        sp = s["runaway"]["split"]
        lines.append(f"**Runaway ML service.** Cost went from {_usd(s['runaway']['before'])} to "
                     f"{_usd(s['runaway']['after'])} a month ({h['runaway_cost_multiple']:.1f}x): "
                     f"{_usd(sp.volume_usd)} is good spend (more predictions), {_usd(sp.waste_usd)} is waste "
                     f"(idle, over-provisioned, dev 24/7) and {_usd(sp.intensity_usd)} a higher cost per prediction "
                     f"that the accuracy gain must justify. Cost per prediction: {_usd(sp.cost_per_unit_before_usd)} "
                     f"before, {_usd(sp.cost_per_unit_after_usd)} now, {_usd(sp.cost_per_unit_after_waste_removed_usd)} "
                     "without the waste.")
    if "kubernetes" in s:
        k = s["kubernetes"]
        gap = k["gap"].iloc[0]
        lines.append(f"**Kubernetes.** {_pct(h['kubernetes_idle_share'])} of the nodes' cost is idle "
                     f"({_usd(h['kubernetes_idle_usd'])} over {k['hours']} hours). Charged by requests, "
                     f"{report.escape(gap['team'])} pays {_usd(gap['gap_usd'])} for capacity it requests but does not use "
                     f"({_pct(gap['gap_share'])} of its request-based bill): request-based chargeback rewards it "
                     "for right-sizing its pod specs.")
    if "commitments" in s and s["commitments"].get("metrics") is not None:
        util = h["commitment_utilization_share"]
        why = ("" if util == util else " (these files carry no used or unused amortized commitment cost: the "
               "commitments' usage is outside them)")
        lines.append(f"**Commitments.** Utilization {_pct(util)} by cost{why}, coverage "
                     f"{_pct(h['commitment_coverage_share'])} (on-demand equivalent) or "
                     f"{_pct(h['commitment_coverage_amortized_share'])} (amortized), effective savings rate "
                     f"{_pct(h['effective_savings_rate'])}, net savings {_usd(h['commitment_net_savings_usd'])}. "
                     f"By quantity: {s['commitments']['quantity_note']}")
    if "storage" in s:
        st = s["storage"]
        msg = f"**Storage.** The recommended tiering moves save {_usd(st['saving_usd_per_month'])}/month net of retrieval."
        if len(st["costing_more"]):
            w = st["costing_more"].sort_values("net_saving_usd_per_month").iloc[0]
            msg += (f" Do not archive {report.escape(w['dataset'])} to {report.escape(w['to_class'])}: it is read back monthly, so "
                    f"retrieval costs {_usd(w['retrieval_extra_usd_per_month'])}/month against a storage saving of "
                    f"{_usd(w['storage_saving_usd_per_month'])}/month.")
        if len(st["too_slow"]):
            names = ", ".join(f"{report.escape(m['dataset'])} to {report.escape(m['to_class'])} "
                              f"({m['retrieval_hours']:g} h against {m['max_retrieval_hours']:g} h allowed)"
                              for _, m in st["too_slow"].iterrows())
            msg += f" Not recommended, retrieval too slow for the stated access requirement: {names}."
        lines.append(msg)
    if "spot" in s:
        r = s["spot"]["result"]
        msg = (f"**Spot batch.** Expected {_usd(r.expected_cost_usd)} a night against "
               f"{_usd(r.on_demand_cost_usd)} all on-demand, missing the window in {_pct(r.probability_miss)} "
               f"of simulated nights (fallback used in {_pct(r.fallback_share)}).")
        if "spot_expected_saving_p10_usd_per_run" in h:
            msg += (f" With the fallback deadline and the reclaim rate drawn from their ranges, the saving per night "
                    f"is {_usd(h['spot_expected_saving_p10_usd_per_run'])} to "
                    f"{_usd(h['spot_expected_saving_p90_usd_per_run'])} (P10-P90), and the chance of a miss exceeds "
                    f"{_pct(p.spot_batch.max_miss_probability)} in {_pct(h['spot_probability_miss_above_max'])} of "
                    "the draws.")
        lines.append(msg)
    if "unit_cost" in s:
        m = p.business_metric
        msg = f"**Unit cost.** {_usd(s['unit_cost']['per_unit'])} per {report.escape(m.unit_name)}"
        if m.price_usd_per_unit is not None:
            below = h["days_price_below_cost"]
            msg += (f" against a price of {_usd(m.price_usd_per_unit)}: "
                    + (f"**flag it: the price was below cost on {below} days**." if below else "the price covers it."))
        lines.append(msg)
    if s.get("scorecard") is not None:
        card = s["scorecard"]["card"]
        if len(card) == 1:
            lines.append(f"**Scorecard.** {report.escape(card.index[0])} is the only team the tags name "
                         f"({card['score'].iloc[0]:.0f}/100): nothing to rank it against.")
        else:
            lines.append(f"**Scorecard.** {report.escape(card.index[0])} ranks first ({card['score'].iloc[0]:.0f}/100), "
                         f"{report.escape(card.index[-1])} last ({card['score'].iloc[-1]:.0f}/100).")
    if len(s["levers"]):
        top = s["levers"].iloc[0]
        lines.append(f"**Savings available: {_usd(h['savings_available_usd_per_month'])}/month**, the largest lever "
                     f"{report.escape(top['lever'])} ({_usd(top['usd_per_month'])}/month).")
    return "\n\n".join(lines)


# ---------------------------------------------------------------------------------------------------
# Charts (built from the analysis; `costlib.charts.show` renders them). Every frame is aggregated.


def chart_daily(a: Analysis):
    from costlib import charts

    return charts.lines(a.sections["money"]["daily_long"], x="period_start", y="usd", series="cost", x_type="T",
                        title="Billed and amortized cost per day", x_title="day (UTC)", y_title="USD per day",
                        subtitle=["Billed is cash (purchases on the day bought); amortized spreads commitments over "
                                  "the usage they cover"], points=False)


def chart_services(a: Analysis):
    from costlib import charts

    frame = a.sections["money"]["by"]["service"].head(10)
    return charts.bars(frame, category="ServiceName", value="effective_cost", title="Amortized cost by service",
                       value_title="USD over the bill's days")


def chart_coverage(a: Analysis):
    from costlib import charts

    return charts.lines(a.sections["attribution"]["over_time"], x="period_start", y="coverage_share",
                        series="tag_key", x_type="T", money=False, title="Tag coverage per day (share of amortized cost)",
                        x_title="day (UTC)", y_title="share of cost carrying the key", points=False)


def short_id(value, limit: int = 60) -> str:
    """A long resource id shortened for a table (start ... end); the full id is in the results.

    Examples
    --------
    >>> short_id("/subscriptions/" + "x" * 80 + "/disks/osdisk-1")[:26]
    '/subscriptions/xxxxxxxxxx…'
    """
    text = "" if value is None or value != value else str(value)
    return text if len(text) <= limit else text[:25] + "…" + text[-(limit - 26):]


def allocation_shown(a: Analysis, top: int = 15) -> tuple[pd.DataFrame, int, float]:
    """The showback's teams with cost, the ``top`` costliest first (the unallocated row kept), and how many
    teams and dollars the rest hold (a tag may name hundreds of teams, most without cost)."""
    t = a.sections["attribution"]["allocation"]
    t = t[t["total_usd"].abs() > 0.005]
    named = t.drop(index=[F.UNALLOCATED], errors="ignore").sort_values("total_usd", ascending=False)
    shown = named.head(top)
    if F.UNALLOCATED in t.index:
        shown = pd.concat([shown, t.loc[[F.UNALLOCATED]]])
    rest = named.iloc[top:]
    return shown.reset_index(names="team"), int(len(rest)), float(rest["total_usd"].sum())


def chart_allocation(a: Analysis):
    from costlib import charts

    t = allocation_shown(a)[0]
    long = t.melt(id_vars="team", value_vars=["direct_usd", "shared_usd", "untagged_usd", "unused_commitment_usd"],
                  var_name="part", value_name="usd")
    return charts.stacked_cost(long, x="team", value="usd", component="part", title="Showback by team",
                               y_title="USD over the bill's days",
                               subtitle=[f"Shared cost split {a.params.allocation_method}ly; untagged "
                                         f"{a.params.untagged_rule}; unused commitment {a.params.unused_commitment_rule}"])


def chart_kubernetes(a: Analysis):
    from costlib import charts

    long = a.sections["kubernetes"]["table"].melt(id_vars="team", var_name="basis", value_name="usd")
    return charts.stacked_cost(long, x="basis", value="usd", component="team",
                               title="Cluster cost by requests, usage and max(request, usage)",
                               y_title="USD over the usage window", subtitle=["(idle) is node cost no pod is charged for"])


def chart_anomalies(a: Analysis):
    import altair as alt

    from costlib import charts

    an = a.sections["anomalies"]
    frame = an["chart_series"].assign(series=lambda d: d["ServiceName"] + " / " + d["SubAccountId"])
    frame = frame.groupby(["series", "period_start"], as_index=False)["effective_cost"].sum()
    frame["day"] = frame["period_start"].dt.strftime("%Y-%m-%d")
    line = charts.lines(frame, x="period_start", y="effective_cost", series="series", x_type="T", points=False,
                        title="The services with the largest anomaly dollars", x_title="day (UTC)",
                        y_title="USD per day", subtitle=["Dots: days alerted by any detector"])
    al = an["alerts"]
    al = al[al["ServiceName"].isin(an["top_services"])].assign(
        series=lambda d: d["ServiceName"] + " / " + d["SubAccountId"],
        period_start=lambda d: pd.to_datetime(d["period"], utc=True))
    al = al.drop_duplicates(["series", "period_start"])[["series", "period_start", "cost_usd"]]
    dots = alt.Chart(al).mark_point(filled=True, size=60, color="#D55E00").encode(x="period_start:T", y="cost_usd:Q")
    return alt.layer(line, dots)


def chart_rightsizing_band(a: Analysis):
    from costlib import charts

    band = a.answers["rightsizing"].assessment.band
    return charts.band(band, x="target_p99_share", title="Rightsizing savings now against the P99 target",
                       y_title="USD per month", x_title="target P99 utilization",
                       subtitle=["P10-P90 over headroom drawn from its range; line: P50"],
                       rule_y=a.params.rightsizing.action_floor_usd_per_month)


def chart_scorecard(a: Analysis):
    from costlib import charts

    card = a.sections["scorecard"]["card"].reset_index(names="team")
    return charts.bars(card, category="team", value="score", title="Team efficiency scorecard (0-100)",
                       value_title="score", money=False,
                       subtitle=["Tagging, savings rate, utilization, idle, rightsizing, anomalies, unit cost"])


def chart_storage(a: Analysis):
    from costlib import charts

    moves = a.sections["storage"]["moves"]
    slow = ~moves["meets_access_requirement"].astype(bool)
    moves = moves.assign(move=moves["dataset"] + " -> " + moves["to_class"] + np.where(slow, " (too slow)", ""),
                         avoid=(moves["net_saving_usd_per_month"] < 0) | slow)
    return charts.bars(moves, category="move", value="net_saving_usd_per_month", highlight="avoid",
                       title="Storage moves: net saving per month", value_title="USD per month",
                       subtitle=["Red: retrieval fees exceed the storage saving, or the class takes longer to return "
                                 "a read than the dataset allows"])


def chart_unit_cost(a: Analysis):
    import altair as alt

    from costlib import charts

    u = a.sections["unit_cost"]
    frame = u["series"]
    price = a.params.business_metric.price_usd_per_unit
    unit = a.params.business_metric.unit_name
    chart = charts.lines(frame, x="period_start", y="cost_usd_per_unit", x_type="T", points=True,
                         title=f"Cost per {unit} per day", x_title="day (UTC)", y_title=f"USD per {unit}",
                         subtitle=[f"Dashed: the price ({_usd(price)})" if price is not None else "No price given"])
    if price is None:
        return chart
    rule = alt.Chart(pd.DataFrame({"y": [price]})).mark_rule(color="#D55E00", strokeDash=[4, 4]).encode(y="y:Q")
    return alt.layer(chart, rule)


def chart_tornado(a: Analysis, answer: str):
    from costlib import charts

    label = {"attribution": "unallocated share (decimal)", "rightsizing": "rightsizing savings now (USD/month)",
             "spot": "spot saving per run (USD)", "spot_miss": "chance of missing the window (decimal)",
             "anomalies": "anomaly dollars (USD)"}[answer]
    title = {"attribution": "What moves the unallocated share most",
             "rightsizing": "What moves the rightsizing savings most",
             "spot": "What moves the spot batch's saving most",
             "spot_miss": "What moves the spot batch's chance of a miss most",
             "anomalies": "What moves the anomaly dollars most"}[answer]
    return charts.tornado(a.answers[answer].assessment.tornado, output_label=label, title=title,
                          money=answer in ("rightsizing", "spot", "anomalies"))


def chart_spot_curves(a: Analysis):
    import altair as alt

    from costlib import charts

    b = a.params.spot_batch
    curve = a.sections["spot"]["rate_curve"].assign(figure="chance of a miss")
    chart = charts.lines(curve, x="interruption_rate_per_hour", y="probability_miss", series="figure", money=False,
                         points=False, title="Spot batch: chance of missing the window against the reclaim rate",
                         x_title="reclaims per capacity pool per hour", y_title="share of nights missing the window",
                         rule_x=b.interruption_rate_per_hour, rule_label="the scenario's rate",
                         subtitle=[f"Fallback at {b.fallback_at_hours:g} h, window {b.window_hours:g} h, {b.pools} pools; "
                                   f"dashed: the {report.pct(b.max_miss_probability)} maximum"])
    rule = alt.Chart(pd.DataFrame({"y": [b.max_miss_probability]})).mark_rule(
        color="#D55E00", strokeDash=[4, 4]).encode(y="y:Q")
    return alt.layer(chart, rule)


#: What each answer's output is, for the assessment tables.
ANSWER_LABELS = {"attribution": ("Chargeback by tag", "unallocated share", "share"),
                 "rightsizing": ("Rightsize now", "rightsizing savings now", "usd_per_month"),
                 "spot": ("Nightly batch on spot", "expected saving per run", "usd"),
                 "spot_miss": ("Nightly batch on spot", "chance of missing the window", "probability"),
                 "anomalies": ("Cost-of-correction review", "anomaly dollars", "usd")}


def assessment_table(a: Analysis) -> pd.DataFrame:
    """One row per answer: its base value, the verdict's threshold, the Monte Carlo P10/P50/P90 and the share
    of draws on the same side of the threshold as the base, where the verdict holds (`uncertainty.assess`),
    formatted with units."""
    rows = []
    for name, answer in a.answers.items():
        decision, output, unit = ANSWER_LABELS[name]
        x = answer.assessment
        fmt = lambda v: contract.format_value(v, unit)  # noqa: E731
        base = float(answer.model(**answer.base))
        below = x.probability_below_target
        holds = uncertainty.agreement(below, base < answer.target)
        rows.append({"decision": decision, "output": output, "base": fmt(base),
                     "threshold": "any alert" if name == "anomalies" else fmt(answer.target),
                     "p10": fmt(x.p10), "p50": fmt(x.p50), "p90": fmt(x.p90),
                     "base_side_holds_in": "n/a" if holds is None else report.pct(holds)})
    return pd.DataFrame(rows)


def flips_table(a: Analysis) -> pd.DataFrame:
    """Every answer's flip points (`uncertainty.FLIP_COLUMNS`), and the anomaly gates' (a step function)."""
    frames = []
    for name, answer in a.answers.items():
        f = answer.assessment.flips
        if len(f):
            frames.append(f.assign(output=ANSWER_LABELS[name][1])[["output", "input", "base_value", "flips_when"]])
    g = a.sections["anomalies"].get("gate_flips")
    if g is not None:
        frames.append(g.assign(output="anomaly dollars (to none)")[["output", "input", "base_value", "flips_when"]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["output", "input", "base_value",
                                                                                     "flips_when"])


def storage_moves_table(a: Analysis) -> pd.DataFrame:
    """The storage moves as a FinOps lead reads them: USD per month, the net over the horizon, the class's
    retrieval time against the dataset's requirement, and what to do."""
    m = a.sections["storage"]["moves"]
    slow = ~m["meets_access_requirement"].astype(bool)
    verdict = np.select([m["recommended"].astype(bool), slow, m["net_saving_usd_per_month"] < 0,
                         m["net_saving_usd"] <= 0], ["recommended", "too slow to read back",
                                                     "retrieval costs more", "does not pay back"], "a smaller saving")
    return pd.DataFrame({"dataset": m["dataset"] + " (" + m["from_class"] + ")", "to_class": m["to_class"],
                         "saves": m["storage_saving_usd_per_month"], "retrieval": m["retrieval_extra_usd_per_month"],
                         "net": m["net_saving_usd_per_month"], "net_horizon": m["net_saving_usd"],
                         "wait_h": m["retrieval_hours"], "allowed_h": m["max_retrieval_hours"], "verdict": verdict})


def backtest_table(a: Analysis) -> pd.DataFrame:
    """Precision and recall per detector, daily and (where run) hourly."""
    an = a.sections["anomalies"]
    frames = [an["backtest"].reset_index().assign(series="daily")]
    if "hourly" in an and an["hourly"]["backtest"] is not None:
        frames.append(an["hourly"]["backtest"].reset_index().assign(series="hourly"))
    out = pd.concat(frames, ignore_index=True)
    return out[["series", "detector", "alerts", "true_alerts", "precision", "events", "events_found", "recall"]]
