"""Workbook 06, FinOps: the scenario schema, the FinOps sections as declarations, and the chain that runs them.

The question: where does the bill leak? From FOCUS billing data (a file, a folder or a glob; generated
with known answers when none is given) the workbook shows where the money goes, how much of it tags
attribute to teams, the shared Kubernetes cluster's cost by requests, usage and max(request, usage) with
its idle cost, the anomalies and their drivers, the runaway ML service split into good spend and waste,
rightsizing at a P99 target, commitment utilization, coverage and savings, storage tiering moves, team
scorecards and the nightly spot batch.

The shape (as lifelines declares a fitter and pvlib's ModelChain runs its steps): each FinOps section is a
small declaration over one base, `Section`: its key, the parameter that switches it on, the bill columns
its queries read, its outside inputs, its named queries with their result bounds, the sections it needs,
its figures and headline. It computes one typed result (a `SectionResult`) and supplies its own answers,
decisions, words, tables and charts. `analyse` is the chain: it runs the enabled sections in dependency
order and models nothing. `FIGURES`, `QUERIES`, `HEADLINE`, the recommendation and the decisions are
derived from the registered sections (`register`), never kept by hand.

Where a figure comes from (its ``basis``): ``"bill"`` (the bill's columns alone), ``"scenario"`` (an outside
input the scenario gives: a utilization file, a storage inventory, a batch plan) or ``"assumed"`` (the
schema's generated demo inputs). On a real bill (``billing_data`` given) a section whose outside input is
not given is off, and the report says what would turn it on; generated inputs are used with the generated
demo bill, or on a real bill for the sections listed in ``generated_inputs``, and every figure and verdict
resting on them says so.

This module assembles: every number comes from `costlib.billing`, `costlib.billing_queries` and
`costlib.finops` (seed section VI and its two interview questions).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Callable, ClassVar, Literal, Optional, Union

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field, StringConstraints, model_validator

from costlib import billing, contract, report, uncertainty
from costlib import labels as L
from costlib import billing_queries as Q
from costlib import finops as F
from costlib import anomaly, synthetic_focus, synthetic_usage
from costlib import unit_economics as ue
from costlib.errors import BillingDataError, ModelError, ScenarioError
from costlib.params import (NonNegative, Positive, PositiveInt, Rate, Schema, bounded, non_empty,
                            project_root, require_unique)

__all__ = ["TOPIC", "Params", "Section", "SectionResult", "Query", "Input", "Off", "Analysis", "SECTIONS",
           "FIGURES", "HEADLINE", "QUERIES", "SECTION_FIGURES", "BASES", "register", "unregister", "analyse",
           "uncertain_inputs", "decisions", "keyed_decisions", "recommendation", "whatif", "whatif_controls",
           "figure_basis", "section_table", "show", "sections_off_table", "data_provenance", "open_data",
           "synthetic_bill", "resolve_path", "COLUMNS", "SHEETS", "table", "data_words", "quality_table",
           "sections_off_words", "keys_as_code", "data_values"]

TOPIC = "finops"
#: `costlib.contract.whatif_key`: whatif takes only the sliders; an answer's own model recomputes its figure.
WHATIF_KEY = None

TagKey = Annotated[str, StringConstraints(min_length=1, max_length=128)]
KEYS = ["ServiceName", "SubAccountId"]  # the anomaly series: per service and sub-account
UNTAGGED_TOP_N = 10  # untagged resources the attribution section ranks and shows
ALERT_DRIVERS_TOP_N = 3  # resources named per anomaly alert (the first is the driver)
HOURLY_TOP_ALERTS = 20  # the largest hourly alerts whose drivers are named
_M = "costlib.finops."
_Q = "costlib.billing_queries."

#: Where a figure comes from, strongest first: the bill alone, an input the scenario gives, an assumption
#: (a generated demo input). A figure resting on several takes the weakest.
BASES = ("bill", "scenario", "assumed")

_C = L.Column
#: The label and unit of every column the FinOps tables show (`costlib.labels`): FOCUS columns in words,
#: the sections' own columns with their units. Values from the bill (tag keys, resource ids, service names)
#: stay as they are.
COLUMNS: dict[str, L.Column] = {
    # the bill's FOCUS columns
    "ChargeCategory": _C("Charge category", "text"), "ProviderName": _C("Provider", "text"),
    "ServiceName": _C("Service", "text"), "SubAccountId": _C("Sub-account", "text"),
    "RegionId": _C("Region", "text"), "ResourceId": _C("Resource", "text"),
    "CommitmentDiscountId": _C("Commitment", "text"), "x_StorageClass": _C("Storage class", "text"),
    "billed_cost": _C("Billed cost", "usd"), "effective_cost": _C("Amortized cost", "usd"),
    "list_cost": _C("List cost", "usd"), "rows": _C("Rows", "count"),
    # data quality, sections off, figures
    "check": _C("Check", "text"), "status": _C("Status", "text"), "finding": _C("Finding", "text"),
    "section": _C("Section", "text"), "off_because": _C("Off because", "text"),
    "to_turn_it_on": _C("To turn it on", "text"), "figure": _C("Figure", "text"), "value": _C("Value", "text"),
    "basis": _C("Basis", "text"), "meaning": _C("Meaning", "text"),
    # attribution
    "tag_key": _C("Tag key", "text"), "base_effective_usd": _C("Amortized base", "usd"),
    "tagged_effective_usd": _C("Amortized tagged", "usd"),
    "effective_coverage_share": _C("Coverage, amortized", "share"), "base_billed_usd": _C("Billed base", "usd"),
    "tagged_billed_usd": _C("Billed tagged", "usd"), "billed_coverage_share": _C("Coverage, billed", "share"),
    "other_base_coverage_share": _C("Coverage on the other base", "share"),
    "billed_usd": _C("Billed", "usd"), "effective_usd": _C("Amortized", "usd"),
    "coverage_gain_share": _C("Coverage gain if tagged", "share"),
    "coverage_after_share": _C("Coverage after", "share"), "team": _C("Team", "text"),
    "direct_usd": _C("Direct", "usd"), "shared_usd": _C("Shared", "usd"), "untagged_usd": _C("Untagged", "usd"),
    "unused_commitment_usd": _C("Unused commitment", "usd"), "total_usd": _C("Total, amortized", "usd"),
    "billed_total_usd": _C("Total, billed", "usd"),
    # kubernetes
    "by_request_usd": _C("By requests", "usd"), "by_usage_usd": _C("By usage", "usd"),
    "by_max_usd": _C("By max(request, usage)", "usd"), "request_usd": _C("Requests", "usd"),
    "usage_usd": _C("Usage", "usd"), "max_usd": _C("Max(request, usage)", "usd"),
    "gap_usd": _C("Requests minus usage", "usd"), "gap_share": _C("Gap, of requests", "share"),
    "node": _C("Node", "text"), "node_cost_usd": _C("Node cost", "usd"), "allocated_usd": _C("Allocated", "usd"),
    "idle_usd": _C("Idle", "usd"), "idle_share": _C("Idle share", "share"),
    # anomalies
    "period": _C("Period", "text"), "detector": _C("Detector", "text"), "cost_usd": _C("Cost", "usd"),
    "change_usd": _C("Above expected", "usd"), "change_share": _C("Above expected", "share"),
    "driver": _C("Driver (resource)", "text"), "series": _C("Series", "text"), "alerts": _C("Alerts", "count"),
    "true_alerts": _C("Alerts on an anomaly", "count"), "precision": _C("Precision", "share"),
    "events": _C("Anomalies", "count"), "events_found": _C("Anomalies found", "count"),
    "recall": _C("Recall", "share"), "start": _C("Start", "text"), "end": _C("End", "text"),
    "extra_effective_cost": _C("Extra amortized cost", "usd"), "periods": _C("Alerting periods", "count"),
    "peak_usd": _C("Peak above expected", "usd"), "excess_usd": _C("Total above expected", "usd"),
    "peak_period": _C("Peak", "text"), "detectors": _C("Seen by", "text"), "method": _C("Method", "text"),
    "found": _C("Found", "count"), "pages": _C("Pages", "count"), "false_pages": _C("Pages on no anomaly", "count"),
    "f1": _C("F1", "share"), "false_pages_per_1k_series_days": _C("Pages on no anomaly per 1,000 series-days", "number"),
    "size_low": _C("Smallest size drawn", "share"), "size_high": _C("Largest size drawn", "share"),
    "smallest": _C("Smallest drawn", "share"), "largest": _C("Largest drawn", "share"),
    "page": _C("Worth a page", "text"), "extra_usd": _C("Extra cost injected", "usd"),
    # runaway, savings
    "part": _C("Part", "text"), "usd_per_month": _C("Cost", "usd", "per month"), "lever": _C("Lever", "text"),
    "saving_usd_per_month": _C("Saving", "usd", "per month"),
    # rightsizing
    "resource": _C("Resource", "text"), "size": _C("Size", "text"), "p99_cpu": _C("P99 CPU", "share"),
    "p99_memory": _C("P99 memory", "share"), "to_size": _C("Recommended size", "text"),
    "saves_usd_per_month": _C("Saves", "usd", "per month"), "savings_start": _C("Savings start", "text"),
    "now_usd_per_month": _C("Saves now", "usd", "per month"),
    # commitments
    "commitment": _C("Commitment", "text"), "purchases_billed": _C("Purchases billed", "usd"),
    "used_usd": _C("Used", "usd"), "unused_usd": _C("Unused", "usd"), "utilization": _C("Utilization by cost", "share"),
    "utilization_qty": _C("Utilization by quantity", "share"), "unit": _C("Quantity unit", "text"),
    "net_savings": _C("Net savings", "usd"), "esr": _C("Effective savings rate", "share"),
    "amortized_usd_per_month": _C("Amortized", "usd", "per month"),
    "utilization_by_cost": _C("Utilization by cost", "share"), "months_to_expiry": _C("Expires in", "months"),
    "expires_within_horizon": _C("Expires within the horizon", "text"),
    # storage
    "storage_class": _C("Storage class", "text"), "usd_per_gb_month": _C("Price", "usd", "per GB-month"),
    "retrieval_usd_per_gb": _C("Retrieval fee", "usd", "per GB"), "retrieval_hours": _C("Time to first byte", "hours"),
    "min_storage_days": _C("Minimum billed duration", "days"), "dataset": _C("Dataset (now in)", "text"),
    "to_class": _C("Move to", "text"), "saves": _C("Storage saving", "usd", "per month"),
    "retrieval": _C("Extra retrieval", "usd", "per month"), "net": _C("Net saving", "usd", "per month"),
    "net_horizon": _C("Net over the horizon", "usd"), "wait_h": _C("Read-back wait", "hours"),
    "allowed_h": _C("Wait allowed", "hours"), "verdict": _C("Verdict", "text"),
    # scorecard
    "score": _C("Score (0-100)", "number"), "cost": _C("Cost", "usd", "per month"),
    "tags": _C("Tag coverage", "share"), "commit_util": _C("Commitment utilization", "share"),
    "idle": _C("Kubernetes idle", "share"), "rightsize": _C("Rightsizing opportunity", "usd", "per month"),
    "anomalies": _C("Anomaly dollars", "usd", "per month"),
    "unit_cost_trend": _C("Unit cost trend", "share", "per month"),
    # spot
    "architecture": _C("Architecture", "text"), "expected_cost_usd": _C("Expected cost", "usd", "per run"),
    "p90_cost_usd": _C("P90 cost", "usd", "per run"), "probability_miss": _C("Chance of missing the window", "share"),
    "fallback_share": _C("Nights falling back", "share"),
    # sensitivity
    "decision": _C("Decision", "text"), "output": _C("Output", "text"), "base": _C("At base", "text"),
    "threshold": _C("Threshold", "text"), "p10": _C("P10", "text"), "p50": _C("P50", "text"),
    "p90": _C("P90", "text"), "base_side_holds_in": _C("Verdict holds in", "text"),
}

#: The xlsx sheet of each section's tables (`report.table`'s ``sheet=``): two pairs of neighbouring sections
#: share one (neighbours, so the sheets keep the report's order), so the FinOps workbook stays at most 15
#: sheets (12 of tables, `costlib.export.MAX_TABLE_SHEETS`).
SHEETS = {"quality": "Data quality", "money": "Where the money goes", "attribution": "Attribution",
          "unit_cost": "Cost per unit of value", "runaway": "Anomalies and runaway", "kubernetes": "Kubernetes",
          "anomalies": "Anomalies and runaway", "rightsizing": "Rightsizing", "commitments": "Commitments",
          "storage": "Storage tiering", "scorecard": "Team scorecards", "spot": "Spot and savings",
          "savings": "Spot and savings", "sensitivity": "Sensitivity"}


def table(frame, section: str, money=(), percent=()):
    """A FinOps table as a reader sees it: columns by `COLUMNS` with units, values by unit, on the xlsx sheet
    of ``section`` (`SHEETS`)."""
    import sys

    return report.table(frame, money=money, percent=percent, labels=sys.modules[__name__], sheet=SHEETS[section])


def weakest(*bases: str) -> str:
    """The weakest basis of several (`BASES` order): ``weakest("bill", "assumed") == "assumed"``.

    >>> weakest("bill", "scenario"), weakest(), weakest("assumed", "bill")
    ('scenario', 'bill', 'assumed')
    """
    return max(bases, key=BASES.index) if bases else "bill"

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
    incident_min_excess_usd: NonNegative = Field(0.0, description="an incident (consecutive alert days on one "
                                                 "series) is worth a page when its total excess is at least this, "
                                                 "USD; 0: every incident pages. Raise it to trade recall for fewer "
                                                 "pages")
    incident_min_days: bounded(1, 366, expected="expected 1 to 366 days", kind=int) = Field(
        1, description="an incident is worth a page when it alerts on at least this many days")


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
    min_utilization_share: Rate = Field(0.80, description="utilization by cost below which the commitments are "
                                                          "underused (do not buy more; let the unused expire)")


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
    billing_engine: str = Field(
        "duckdb", description="where the bill's queries run: duckdb (embedded), spark (at spark_master), or an "
                              "Ibis connection URL (duckdb:///bill.ddb, trino://host/catalog) with billing_table")
    spark_master: str = Field("local[2]", description="the Spark master URL when billing_engine is spark")
    billing_table: Optional[str] = Field(None, description="with an Ibis URL as billing_engine: the table that "
                                                           "already holds FOCUS rows (Tags a string map, UTC times)")
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
    tag_coverage_base: Literal["taggable", "positive_cost"] = Field(
        "taggable", description="the base of tag coverage: the taggable charges (tax, credits, adjustments and "
                                "purchases out) or every row with EffectiveCost > 0 (the FinOps Foundation's)")
    generated_inputs: list[str] = Field(
        default_factory=list, description="sections that may use generated demo inputs on a real bill (their "
                                          "figures and verdicts are then marked assumed)")
    about: Optional[str] = Field(None, description="the section this scenario is about: its verdict and "
                                                   "figures lead the headline and the index card")

    @model_validator(mode="after")
    def _consistent(self):
        url = billing.is_ibis_url(self.billing_engine)
        if not url and self.billing_engine not in ("duckdb", "spark"):
            raise ValueError(f"billing_engine = {self.billing_engine!r}: expected duckdb, spark or an Ibis "
                             "connection URL (scheme://...)")
        if url and not self.billing_table:
            raise ValueError(f"billing_engine = {billing.redact_url(self.billing_engine)!r}: expected "
                             "billing_table, the table holding the FOCUS rows")
        if self.billing_table and not url:
            raise ValueError(f"billing_table = {self.billing_table!r}: expected billing_engine to be an Ibis "
                             f"connection URL (it is {self.billing_engine!r})")
        if url and self.billing_data:
            raise ValueError(f"billing_data = {self.billing_data!r}: expected no file with billing_table "
                             f"{self.billing_table!r} (the table is the bill)")
        if self.team_tag_key not in self.required_tag_keys:
            raise ValueError(f"team_tag_key = {self.team_tag_key!r}: expected one of required_tag_keys "
                             f"{self.required_tag_keys}")
        require_unique(self.required_tag_keys, "required tag key")
        if self.allocation_method == "fixed" and not self.fixed_shares:
            raise ValueError("allocation_method 'fixed': expected fixed_shares (team -> share, adding up to 1)")
        if self.allocation_method == "usage" and not self.usage_metric:
            raise ValueError("allocation_method 'usage': expected usage_metric (team -> a usage amount)")
        for name, keys in (("about", [self.about] if self.about else []), ("generated_inputs", self.generated_inputs)):
            unknown = [k for k in keys if k not in SECTIONS]
            if unknown:
                raise ValueError(f"{name} = {unknown[0]!r}: expected a section key, one of {list(SECTIONS)}")
        return self



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
    if billing.is_ibis_url(p.billing_engine):
        return (billing.open_billing(None, p.billing_currency, engine=p.billing_engine, table=p.billing_table),
                None, f"table {p.billing_table} at {billing.redact_url(p.billing_engine)}")
    if p.billing_data:
        return (billing.open_billing(resolve_path(p.billing_data), p.billing_currency, engine=p.billing_engine,
                                     spark_master=p.spark_master), None, p.billing_data)
    path, truth = synthetic_bill(p)
    label = (f"generated FOCUS 1.2 bill ({p.synthetic_resources} resources, {p.synthetic_days} days, "
             f"seed {p.seed})")
    return billing.open_billing(path, p.billing_currency, engine=p.billing_engine,
                                spark_master=p.spark_master), truth, label


def data_values(a) -> set[str]:
    """Values from the bill or the scenario that a report shows as they are (never as words): tag keys,
    storage class names, the bill's custom columns, commitment and resource ids, services and sub-accounts.
    The reader test (tests/test_reader.py) tells them apart from keys with this list."""
    p, out = a.params, set()
    out |= {p.team_tag_key, *p.required_tag_keys, *p.shared_services}
    if p.storage is not None:
        out |= {c.storage_class for c in p.storage.classes} | {d.storage_class for d in p.storage.datasets}
        out |= {d.dataset for d in p.storage.datasets}
    if p.runaway is not None:
        out |= {p.runaway.service, p.runaway.sub_account}
    q = a.data.quality
    out |= set(getattr(q, "columns_custom", []) or [])
    out |= {str(c["CommitmentDiscountId"]) for c in getattr(q, "commitments", []) or []}
    for r in a.sections.values():
        for v in vars(r).values():
            frames = [v] if isinstance(v, pd.DataFrame) else []
            if isinstance(v, dict):
                frames += [x for x in v.values() if isinstance(x, pd.DataFrame)]
            for frame in frames:
                for c in ("ResourceId", "resource", "driver", "ServiceName", "SubAccountId", "CommitmentDiscountId",
                          "commitment", "x_StorageClass", "storage_class", "from_class", "to_class", "team"):
                    if c in frame.columns:
                        out |= {str(x) for x in frame[c].dropna().unique()}
    return {x for x in out if x}


def data_words(a) -> str:
    """The billing data in words, for the line under the title: where it is (the scenario's path, as text),
    its days, FOCUS version and rows."""
    q = a.data.quality
    rows = getattr(q, "rows_read", None)
    days = "" if a.truth is not None else f"{a.days} days, "  # the generated bill's label says its days
    return (f"{report.escape(a.source)}; {days}FOCUS {report.escape(q.version)}"
            + (f", {rows:,} rows" if isinstance(rows, (int, np.integer)) else ""))


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



@contextmanager
def _section(key: str, source: str):
    """Turn a formula's ModelError inside a section into one clear ScenarioError naming the key."""
    try:
        yield
    except ModelError as exc:
        raise ScenarioError(source, [(key, None, str(exc))]) from None


# ---------------------------------------------------------------------------------------------------
# The section base: what a FinOps section declares, and what the base does with it.


@dataclass(frozen=True)
class Query:
    """A named query a section runs: a `costlib.billing_queries` builder and its arguments.

    Attributes
    ----------
    name : str
        The query's name within its section (``"daily"``); the workbook's `QUERIES` key is
        ``"<section>.<name>"``.
    function : callable
        The Ibis builder (`costlib.billing_queries.cost_by`, ...).
    arguments : callable
        ``arguments(params) -> dict``: the keyword arguments from the scenario (tag keys, dimensions).
    bound : str
        What bounds the rows it returns, in words (``"one row per day"``): never the bill's rows.
    """

    name: str
    function: Callable
    arguments: Callable = lambda p: {}
    bound: str = "one row"


@dataclass(frozen=True)
class Input:
    """An outside input a section needs beyond the bill's columns.

    Attributes
    ----------
    key : str
        Its parameter, dotted (``"kubernetes.usage_file"``); the contract test checks it is in the schema.
    what : str
        What it is, in words (``"pod requests and usage per hour"``).
    given : callable
        ``given(params) -> bool``: True when the scenario gives it (not the generated demo value).
    turn_on : str
        What a scenario writes to give it, in words.
    """

    key: str
    what: str
    given: Callable
    turn_on: str


@dataclass(frozen=True)
class Off:
    """A section the chain did not run, and what would turn it on (one line in the report)."""

    section: str
    title: str
    why: str
    turn_on: str


class SectionResult:
    """Base of the sections' typed results (dataclasses, every field documented). Fields also read by
    key (``result["table"]``) and ``in`` tests a field that is set (not None)."""

    def __getitem__(self, name: str):
        return getattr(self, name)

    def get(self, name: str, default=None):
        return getattr(self, name, default)

    def __contains__(self, name: str) -> bool:
        return getattr(self, name, None) is not None


@dataclass
class Context:
    """What the chain hands each section: the scenario, the bill, and the results of the sections before."""

    params: Any
    data: Any
    truth: Any
    source: str
    daily: pd.DataFrame
    days: int
    results: dict = field(default_factory=dict)

    @property
    def generated(self) -> bool:
        """True on the generated demo bill."""
        return self.truth is not None


class Section:
    """One FinOps section, declared. Subclasses set the class attributes and write `compute`; the base
    runs the declared queries, decides on or off and the basis, and shows nothing unless asked.

    Class attributes
    ----------------
    key, title : str
        Its key (the results' and `Params.about`'s name) and its heading.
    switch : str or None
        The parameter that switches it on (a section is off when it is None); None: always on.
    columns : tuple of str
        The FOCUS columns its queries read (`costlib.focus.ALL_COLUMNS`).
    inputs : tuple of Input
        Its outside inputs.
    queries : tuple of Query
        Its named queries.
    needs, uses : tuple of str
        Sections it cannot run without; sections whose results it reads when they ran.
    figures : tuple of contract.Figure
        Its figures (the workbook's `FIGURES` is every section's).
    headline : tuple of str
        Its figures on every headline; ``lead``: the ones leading when the scenario is about it.
    charts : tuple of str
        The names of the charts `show` draws (SVG files beside the report).
    intro : str
        The story cell's words above its tables.
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    switch: ClassVar[Optional[str]] = None
    columns: ClassVar[tuple] = ()
    inputs: ClassVar[tuple] = ()
    queries: ClassVar[tuple] = ()
    needs: ClassVar[tuple] = ()
    uses: ClassVar[tuple] = ()
    figures: ClassVar[tuple] = ()
    headline: ClassVar[tuple] = ()
    lead: ClassVar[tuple] = ()
    charts: ClassVar[tuple] = ()
    intro: ClassVar[str] = ""

    # -- what the base does ----------------------------------------------------------------------

    def query(self, ctx: Context, name: str, **override) -> pd.DataFrame:
        """Run the declared query ``name`` on the bill (its scenario arguments, any overridden)."""
        q = next((q for q in self.queries if q.name == name), None)
        if q is None:
            raise KeyError(f"section {self.key!r} declares no query {name!r}")
        return ctx.data.query(q.function, **{**q.arguments(ctx.params), **override})

    def settings(self, p):
        """The section's parameter block (None when switched off), or the scenario itself."""
        return getattr(p, self.switch) if self.switch else p

    def missing_inputs(self, p) -> list[Input]:
        return [i for i in self.inputs if not i.given(p)]

    def status(self, ctx: Context) -> Off | None:
        """None when the section runs; else why it is off and what would turn it on."""
        p = ctx.params
        if self.switch and getattr(p, self.switch) is None:
            what = "; ".join(i.turn_on for i in self.inputs) or f"give {self.switch}"
            return Off(self.key, self.title, f"switched off in the scenario ({self.switch}: null)", what)
        missing = self.missing_inputs(p)
        if missing and not ctx.generated and self.key not in p.generated_inputs:
            return Off(self.key, self.title,
                       "needs " + "; ".join(f"{i.what} ({i.key})" for i in missing) + ", which a bill does not carry",
                       "; ".join(i.turn_on for i in missing)
                       + f" (or list {self.key!r} in generated_inputs to use generated ones, marked assumed)")
        for need in self.needs:
            if need not in ctx.results:
                return Off(self.key, self.title, f"needs the {SECTIONS[need].title.lower()} section, which is off",
                           f"turn on {need}")
        return None

    def basis(self, ctx: Context) -> str:
        """Where its figures come from: assumed when an input is generated, scenario when every input is
        given, bill when it needs none; a section it uses passes its basis on."""
        own = "bill" if not self.inputs else ("assumed" if self.missing_inputs(ctx.params) else "scenario")
        return weakest(own, *(ctx.results[k].basis for k in (*self.needs, *self.uses) if k in ctx.results
                              and self.passes_basis_of(k)))

    def headline_for(self, p) -> tuple:
        """Its figures on this scenario's headline: `headline`, unless a scenario setting makes its verdict
        rest on another figure (which the headline then shows)."""
        return self.headline

    def basis_of(self, key: str, r) -> str:
        """The basis of one of its figures: the section's, unless a figure rests on something else (a backtest
        on generated series is "assumed" on any bill)."""
        return r.basis

    def passes_basis_of(self, key: str) -> bool:
        """Whether the figures of section ``key`` feed this section's figures (its basis passes on)."""
        return key in self.uses

    # -- what a section writes -------------------------------------------------------------------

    def compute(self, ctx: Context) -> SectionResult:
        raise NotImplementedError

    def values(self, ctx: Context, r) -> dict:
        """Its figures: key -> value (keys declared in `figures`)."""
        return {}

    def answers(self, a, r) -> dict:
        """Its `contract.Answer` per decision (with the shared assessment), adding any band figures."""
        return {}

    def decisions(self, a, r) -> list:
        """Its verdicts as ``(short key, contract.Decision)``."""
        return []

    def words(self, a, r) -> list[str]:
        """Its paragraphs of the recommendation (after the verdicts)."""
        return []

    def show(self, a, r) -> None:
        """Its tables and charts, in the notebook and the report."""
        from IPython.display import display

        display(table(section_table(a, self.key), self.key))

    def controls(self, p) -> dict:
        """What-if sliders: ``{input: (min, max, step, value, parameter path)}``."""
        return {}

    def whatif(self, a, r, **inputs) -> dict:
        """Its figures recomputed at moved slider values."""
        return {}


#: Figures shown as percentages that are ratios, not parts of a whole, so may be negative: the effective
#: savings rate is below 0 when commitments cost more than on-demand would (unused commitment).
SIGNED_RATIOS = frozenset({"effective_savings_rate"})

#: The registered sections, in the order the report shows them.
SECTIONS: dict[str, Section] = {}
FIGURES: tuple = ()
HEADLINE: tuple = ()
QUERIES: dict = {}
SECTION_FIGURES: dict = {}


def _derive() -> None:
    """Rebuild `FIGURES`, `HEADLINE`, `QUERIES` and `SECTION_FIGURES` from `SECTIONS`."""
    global FIGURES, HEADLINE, QUERIES, SECTION_FIGURES
    # Specific keys before patterns (a pattern would shadow a key it matches).
    figs = [f for s in SECTIONS.values() for f in s.figures]
    FIGURES = tuple([f for f in figs if "{" not in f.key] + [f for f in figs if "{" in f.key])
    HEADLINE = tuple(k for s in SECTIONS.values() for k in s.headline)
    QUERIES = {f"{s.key}.{q.name}": (q.function, q.bound) for s in SECTIONS.values() for q in s.queries}
    SECTION_FIGURES = {s.key: tuple(f.key for f in s.figures) for s in SECTIONS.values()}


def register(section: Section, before: str | None = None) -> Section:
    """Add a section (or replace the one with its key); everything derived follows. Returns it."""
    items = [(k, v) for k, v in SECTIONS.items() if k != section.key]
    at = next((i for i, (k, _) in enumerate(items) if k == before), len(items))
    items.insert(at, (section.key, section))
    SECTIONS.clear()
    SECTIONS.update(items)
    _derive()
    return section


def unregister(key: str) -> None:
    """Remove a registered section (a test's toy section)."""
    SECTIONS.pop(key, None)
    _derive()


def _order(sections) -> list[Section]:
    """Dependency order (needs and uses first), stable in declaration order."""
    done, out = set(), []

    def visit(s, stack=()):
        if s.key in done:
            return
        if s.key in stack:
            raise ValueError(f"section {s.key!r}: circular needs {stack}")
        for k in (*s.needs, *s.uses):
            if k in SECTIONS:
                visit(SECTIONS[k], (*stack, s.key))
        done.add(s.key)
        out.append(s)

    for s in sections:
        visit(s)
    return out


@dataclass
class Analysis:
    """Everything the notebook shows, computed from one validated scenario.

    Attributes
    ----------
    params : Params
    headline : dict
        The headline figures (key -> value): the lead section's first, then every section's headline.
    data : costlib.billing.BillingData
    source : str
        The bill, in words.
    quality : pandas.DataFrame
        The data-quality panel.
    days : int
        Days of the bill.
    sections : dict
        Section key -> its typed result (`SectionResult`), for the sections that ran.
    off : list of Off
        The sections that did not run, why, and what would turn each on.
    recommendation : str
    answers : dict
        Answer name -> `contract.Answer`.
    figures : dict
        Every figure (the headline's and the sections').
    basis : dict
        Figure key -> ``"bill"``, ``"scenario"`` or ``"assumed"``.
    truth : object
        The generator's Truth when the bill is generated.
    """

    params: Any
    headline: dict
    data: object
    source: str
    quality: pd.DataFrame
    days: int
    sections: dict = field(default_factory=dict)
    off: list = field(default_factory=list)
    recommendation: str = ""
    answers: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    basis: dict = field(default_factory=dict)
    truth: object = None


_CACHE: dict = {}


def _key(p) -> str:
    return p.model_dump_json()


def analyse(p) -> Analysis:
    """The chain: open the bill, run every enabled section in dependency order, gather what they declare.

    It models nothing: each section computes its own result, figures, answers, decisions and words.
    """
    data, truth, source = open_data(p)
    daily = data.query(Q.cost_by, dimensions=[], period="day").sort_values("period_start").reset_index(drop=True)
    ctx = Context(params=p, data=data, truth=truth, source=source, daily=daily, days=len(daily))
    a = Analysis(params=p, headline={}, data=data, source=source, quality=data.quality.checks(), days=ctx.days,
                 truth=truth)
    for sec in _order(SECTIONS.values()):
        off = sec.status(ctx)
        if off is None:
            with _section(sec.switch or sec.key, source):
                try:
                    r = sec.compute(ctx)
                except SectionOff as exc:
                    off = Off(sec.key, sec.title, exc.why, exc.turn_on)
        if off is not None:
            a.off.append(off)
            continue
        r.basis = sec.basis(ctx)
        ctx.results[sec.key] = r
        values = sec.values(ctx, r)
        a.figures.update(values)
        a.basis.update({k: sec.basis_of(k, r) for k in values})
    a.sections = ctx.results
    a.off.sort(key=lambda o: list(SECTIONS).index(o.section))
    for key, r in a.sections.items():
        before = set(a.figures)
        a.answers.update(SECTIONS[key].answers(a, r))
        a.basis.update({k: SECTIONS[key].basis_of(k, r) for k in set(a.figures) - before})
    lead = (SECTIONS[p.about].lead or SECTIONS[p.about].headline) if p.about in a.sections else ()
    keys = [*lead, *(k for s in SECTIONS.values() for k in s.headline_for(p))]
    a.headline = {k: a.figures[k] for k in dict.fromkeys(keys) if k in a.figures}
    a.recommendation = recommendation(a)
    _CACHE[_key(p)] = a
    return a


class SectionOff(Exception):
    """Raised by a section's `compute` when the bill cannot answer it (no commitment in the bill)."""

    def __init__(self, why: str, turn_on: str):
        super().__init__(why)
        self.why, self.turn_on = why, turn_on


def figure_basis(a: Analysis, key: str) -> str:
    """A headline figure's basis, for the report's figure rows (`costlib.report.figure_rows`)."""
    return a.basis.get(key, "bill")


def section_table(a, section: str) -> pd.DataFrame:
    """The figures of one section that the analysis has: figure, value (with its unit), basis, meaning."""
    rows = []
    for pattern in SECTION_FIGURES[section]:
        f = next(x for x in FIGURES if x.key == pattern)
        for key in a.figures:
            if f.match(key) is not None and contract.declaration(FIGURES, key) is f:
                rows.append({"figure": f.label_for(key), "value": _text(a, key), "basis": a.basis.get(key, "bill"),
                             "meaning": f.meaning})
    return pd.DataFrame(rows, columns=["figure", "value", "basis", "meaning"])


def _text(a, key: str) -> str:
    """A figure formatted by its declaration (the one text the words and the tables both show)."""
    f = contract.declaration(FIGURES, key)
    text = contract.format_value(a.figures[key], f.unit)
    unit = a.params.business_metric.unit_name if a.params.business_metric is not None else None
    if f.unit == "usd_per_unit" and unit:
        text += f" per {unit}"
    return text


def sections_off_table(a: Analysis) -> pd.DataFrame:
    """One line per section that is off: the section, why, and what would turn it on (the report shows
    `sections_off_words`, whose keys are code)."""
    return pd.DataFrame([{"section": o.title, "off_because": o.why, "to_turn_it_on": o.turn_on} for o in a.off],
                        columns=["section", "off_because", "to_turn_it_on"])


def show(a: Analysis, key: str) -> None:
    """One section in the notebook: its story, then its tables and charts, or the line saying it is off."""
    from IPython.display import Markdown, display

    sec = SECTIONS[key]
    display(Markdown(f"## {sec.title}\n\n{sec.intro}"))
    if key in a.sections:
        r = a.sections[key]
        if r.basis == "assumed":
            display(Markdown("**Assumed inputs:** this section rests on generated demo inputs, not on your data; "
                             "its figures are marked *assumed*."))
        sec.show(a, r)
    else:
        o = next(o for o in a.off if o.section == key)
        display(Markdown(f"*Off: {keys_as_code(o.why)}. To turn it on: {keys_as_code(o.turn_on)}.*"))


_PARAMETER_KEY = re.compile(r"(?<![\w./-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z][a-z0-9_]*)*|"
                            r"[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+)(?![\w/-])")


def keys_as_code(text: str) -> str:
    """Markdown of a sentence that names parameter keys a scenario writes (``rightsizing.utilization_file``):
    each key as code (what to type), the rest escaped as text (`costlib.report.escape`).

    >>> keys_as_code("give kubernetes.usage_file: a CSV (hour, node)")
    'give `kubernetes.usage_file`: a CSV &#40;hour, node&#41;'
    """
    out, at = [], 0
    for m in _PARAMETER_KEY.finditer(str(text)):
        out += [report.escape(text[at:m.start()]), f"`{m.group(1)}`"]
        at = m.end()
    return "".join(out) + report.escape(text[at:])


def sections_off_words(a: Analysis) -> str:
    """The sections that are off, one line each (for the recommendation and the report); the parameter keys
    that would turn one on are code (what a scenario writes)."""
    if not a.off:
        return ""
    return "**Sections off**, one line each:\n\n" + "\n".join(
        f"- {report.escape(o.title)}: {keys_as_code(o.why)}; to turn it on, {keys_as_code(o.turn_on)}."
        for o in a.off)


def quality_table(a: Analysis) -> pd.DataFrame:
    """The data-quality panel (`costlib.billing.BillingQuality.checks`) with its money in words: each
    commitment's amortized usage against its purchases and the bill's totals, formatted by unit from the
    quality record's numbers (the loader writes them as plain decimals)."""
    q = a.quality.copy()
    rec = a.data.quality
    money = lambda x: L.text(float(x), "usd")  # noqa: E731
    for c in getattr(rec, "commitments", []) or []:
        gap = float(c["amortized"]) - float(c["purchases_billed"])
        gap_text = "none" if abs(gap) < 0.005 else money(gap)
        q.loc[q["check"] == f"Commitment {c['CommitmentDiscountId']}", "finding"] = (
            f"amortized usage {money(c['amortized'])} against purchases billed {money(c['purchases_billed'])} "
            f"in these files (gap {gap_text}; an upfront purchase outside the files shows as a gap)")
    lc = getattr(rec, "list_cost", None)
    if isinstance(lc, dict) and lc.get("rows_off"):
        q.loc[q["check"] == "ListCost = ListUnitPrice x PricingQuantity", "finding"] = (
            f"{int(lc['rows_off']):,} of {int(lc['rows_checked']):,} rows off (largest gap "
            f"{money(lc['largest_gap'])})")
    if hasattr(rec, "billed_cost") and hasattr(rec, "effective_cost"):
        cur = getattr(rec, "currency", "USD")
        unit = "usd" if cur == "USD" else "number"
        q.loc[q["check"] == "Totals", "finding"] = (f"billed (cash) {L.text(float(rec.billed_cost), unit)} and "
                                                    f"effective (amortized) {L.text(float(rec.effective_cost), unit)}"
                                                    + ("" if cur == "USD" else f" {cur}"))
    return q


# ---------------------------------------------------------------------------------------------------
# Sensitivity, decisions, words and what-if: gathered from the sections.


def uncertain_inputs(p) -> dict[str, tuple[float, float, float]]:
    """``{answer.input: (low, base, high)}`` of every section the scenario can run."""
    out = {}
    for sec in SECTIONS.values():
        if sec.switch is None or getattr(p, sec.switch) is not None:
            out.update(getattr(sec, "ranges", lambda p: {})(p))
    return out


def _ranges(p, answer: str) -> dict:
    return {k.split(".", 1)[1]: (lo, hi) for k, (lo, _, hi) in uncertain_inputs(p).items()
            if k.startswith(answer + ".")}


def _lead_first(a: Analysis, items: list[tuple[str, Any]]) -> list:
    lead = a.params.about
    return [x for x in items if x[0] == lead] + [x for x in items if x[0] != lead]


def keyed_decisions(a: Analysis) -> list[tuple[str, contract.Decision]]:
    """The verdicts as records with the short key of each, the scenario's own section first; a verdict
    resting on assumed inputs says so."""
    out = []
    for key, r in _lead_first(a, list(a.sections.items())):
        for short, d in SECTIONS[key].decisions(a, r):
            if any(a.basis.get(k) == "assumed" for k in d.rests_on):
                d = dataclasses.replace(d, verdict=f"{d.verdict} (on assumed inputs)")
            out.append((short, d))
    return out


def decisions(a: Analysis) -> list[contract.Decision]:
    """The verdicts as records, from the sections that ran."""
    return [d for _, d in keyed_decisions(a)]


def recommendation(a: Analysis) -> str:
    """The recommendation in words: the verdicts, each section's paragraphs, the sections that are off."""
    import sys

    # The headline's rows as the report writes them, so the verdicts' words here are the words of the
    # results JSON's decision records (a verdict on assumed inputs says so in its verdict).
    rows = {r["key"]: r for r in report.figure_rows(sys.modules[__name__], a)}
    lines = [contract.decision_words(d, rows) for d in decisions(a)]
    for key, r in _lead_first(a, list(a.sections.items())):
        words = SECTIONS[key].words(a, r)
        if words and r.basis == "assumed":
            words = [w + " *(Assumed inputs: generated demo data, not yours.)*" for w in words]
        lines += words
    off = sections_off_words(a)
    if off:
        lines.append(off)
    return "\n\n".join(lines)


def whatif_controls(p) -> dict[str, tuple[float, float, float, float]]:
    """``{input: (min, max, step, value)}`` for the sections the scenario can run."""
    out = {}
    for sec in SECTIONS.values():
        if sec.switch is None or getattr(p, sec.switch) is not None:
            out.update({k: v[:4] for k, v in sec.controls(p).items()})
    return out


def whatif_parameters(p) -> dict[str, str]:
    """Slider -> the scenario parameter it moves (dotted), for a fresh analysis at the moved value."""
    out = {}
    for sec in SECTIONS.values():
        if sec.switch is None or getattr(p, sec.switch) is not None:
            out.update({k: v[4] for k, v in sec.controls(p).items()})
    return out


def whatif(p, **inputs) -> dict:
    """The figures the sliders move, recomputed by each section at the moved values (at the base values
    they equal the headline)."""
    a = _CACHE.get(_key(p)) or analyse(p)
    out = {}
    for key, r in a.sections.items():
        out.update(SECTIONS[key].whatif(a, r, **inputs))
    return {k: v for k, v in out.items() if k in a.headline}



def _read_utilization(path: str, key: str, source: str) -> pd.DataFrame:
    try:
        return billing.read_utilization(path)
    except BillingDataError as exc:
        raise ScenarioError(source, [(key, path, str(exc))]) from None


def _utilization_file(r: Rightsizing, service_resources, priced_pool, ladder, source) -> pd.DataFrame:
    """The scenario's utilization file, checked: every resource in the bill (among the service's) and of a
    ladder size, each with at least ``min_history_days`` of samples."""
    key = "rightsizing.utilization_file"
    samples = _read_utilization(resolve_path(r.utilization_file), key, source)
    found = sorted(set(samples["resource"]))
    unknown = [x for x in found if x not in set(service_resources["ResourceId"])]
    if unknown:
        shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise ScenarioError(source, [(key, r.utilization_file, f"expected resources that are in the bill "
                                      f"(of {r.service}); {len(unknown)} of {len(found)} are not: {shown}")])
    priced = set(F.rightsizing_candidates(priced_pool, ladder, top_n=max(len(priced_pool), 1))["resource"])
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




# ---------------------------------------------------------------------------------------------------
# The sections, in the order the report shows them.

_usd = report.usd


def _pct(x) -> str:
    return "n/a" if x is None or x != x else report.pct(x)


def _given_not_default(path: str, default: Callable) -> Callable:
    """``given(params)``: the block at ``path`` differs from the schema's demo value ``default()``."""
    def given(p):
        value = p
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return False
        return value != default()
    return given


def _fig(key, label, unit, meaning, source):
    return contract.Figure(key, label, unit, meaning, source)


@dataclass
class MoneyResult(SectionResult):
    """Where the money goes.

    Attributes
    ----------
    totals : pandas.DataFrame
        Billed, effective and list cost per ChargeCategory.
    by : dict
        ``provider``, ``service``, ``account``, ``region`` -> the top 12 by amortized cost (billed beside).
    daily, daily_long : pandas.DataFrame
        Cost per day (wide; long with a ``cost`` column: billed (cash) or amortized).
    billed_usd, effective_usd : float
        Σ BilledCost and Σ EffectiveCost over the bill, USD.
    amortized_usd_per_month, billed_usd_per_month : float
        The same per 730-hour month (`costlib.finops.per_month`).
    """

    totals: pd.DataFrame
    by: dict
    daily: pd.DataFrame
    daily_long: pd.DataFrame
    billed_usd: float
    effective_usd: float
    amortized_usd_per_month: float
    billed_usd_per_month: float
    basis: str = "bill"


class Money(Section):
    key, title = "money", "Where the money goes"
    columns = ("BilledCost", "EffectiveCost", "ListCost", "ChargeCategory", "ChargePeriodStart", "ProviderName",
               "ServiceName", "SubAccountId", "RegionId")
    queries = (Query("totals", Q.totals_by_charge_category, bound="one row per ChargeCategory"),
               *(Query(f"by_{label}", Q.cost_by, (lambda d: lambda p: {"dimensions": d})(dims),
                       bound=f"one row per {' x '.join(dims)}")
                 for label, dims in (("provider", ["ProviderName"]), ("service", ["ProviderName", "ServiceName"]),
                                     ("account", ["ProviderName", "SubAccountId"]),
                                     ("region", ["ProviderName", "RegionId"]))))
    figures = (_fig("amortized_cost_usd_per_month", "Amortized cost per month", "usd_per_month",
                    "EffectiveCost over the bill's days, per 730-hour month", _M + "per_month"),
               _fig("billed_cost_usd_per_month", "Billed (cash) cost per month", "usd_per_month",
                    "BilledCost over the bill's days, per month (shown beside, never added)", _M + "per_month"))
    headline = ("amortized_cost_usd_per_month", "billed_cost_usd_per_month")
    charts = ("daily_cost", "cost_by_service")
    intro = ("Billed (cash) and amortized (effective) cost side by side, by provider, service, sub-account and "
             "region, and per day.")

    def compute(self, ctx):
        by = {}
        for label in ("provider", "service", "account", "region"):
            frame = self.query(ctx, f"by_{label}").sort_values("effective_cost", ascending=False)
            dims = [c for c in frame.columns if c not in ("billed_cost", "effective_cost", "rows")]
            by[label] = frame.head(12)[[*dims, "billed_cost", "effective_cost"]].reset_index(drop=True)
        billed, effective = ctx.data.quality.billed_cost, ctx.data.quality.effective_cost
        long = ctx.daily.melt(id_vars="period_start", value_vars=["billed_cost", "effective_cost"], var_name="cost",
                              value_name="usd")
        long["cost"] = long["cost"].map({"billed_cost": "billed (cash)", "effective_cost": "amortized"})
        long["day"] = long["period_start"].dt.strftime("%Y-%m-%d")
        return MoneyResult(totals=self.query(ctx, "totals"), by=by, daily=ctx.daily, daily_long=long,
                           billed_usd=billed, effective_usd=effective,
                           amortized_usd_per_month=float(F.per_month(effective, ctx.days)),
                           billed_usd_per_month=float(F.per_month(billed, ctx.days)))

    def values(self, ctx, r):
        return {"amortized_cost_usd_per_month": r.amortized_usd_per_month,
                "billed_cost_usd_per_month": r.billed_usd_per_month}

    def show(self, a, r):
        from IPython.display import Markdown, display

        from costlib import charts

        super().show(a, r)
        display(table(r.totals, "money"))
        charts.show(chart_daily(a), "daily_cost")
        charts.show(chart_services(a), "cost_by_service")
        for label in ("provider", "account", "region"):
            display(Markdown(f"**By {label}** (top 12 by amortized cost, USD over the bill's {a.days} days)"))
            display(table(r.by[label], "money"))


@dataclass
class UnitCostResult(SectionResult):
    """Cost per unit of value.

    Attributes
    ----------
    series : pandas.DataFrame
        Per day: cost, units, ``cost_usd_per_unit``, ``price_below_cost`` (`costlib.finops.cost_per_unit_series`).
    per_unit : float
        Amortized usage cost over units, USD per unit.
    units : pandas.Series
        Units per day.
    trend_per_month : float
        Change of cost per unit per month (decimal).
    days_below : int or None
        Days the price was below cost (None without a price).
    """

    series: pd.DataFrame
    per_unit: float
    units: pd.Series
    trend_per_month: float
    days_below: Optional[int]
    basis: str = "bill"


class UnitCost(Section):
    key, title, switch = "unit_cost", "Cost per unit of value", "business_metric"
    columns = ("EffectiveCost", "ChargeCategory", "ChargePeriodStart")
    inputs = (Input("business_metric.units_per_day", "units of value per day (a business metric)",
                    _given_not_default("business_metric", lambda: BusinessMetric()),
                    "give business_metric: {unit_name, units_per_day, price_usd_per_unit}"),)
    queries = (Query("usage_daily", Q.usage_cost_by, lambda p: {"dimensions": [], "period": "day"},
                     bound="one row per day"),)
    figures = (_fig("cost_usd_per_{unit}", "Cost per {unit}", "usd_per_unit",
                    "amortized usage cost over units of the business metric", "costlib.unit_economics.cost_per_unit"),
               _fig("days_price_below_cost", "Days the price was below cost", "number",
                    "days whose cost per unit exceeded the price (the seed's $5 to host, $4 paid)",
                    _M + "cost_per_unit_series"))
    charts = ("cost_per_unit",)
    intro = ("Amortized usage cost per day (tax, credits and purchases left out) over the business metric; days "
             "where the price is below the cost per unit are flagged (the seed's $5 to host, $4 paid).")

    def compute(self, ctx):
        m = ctx.params.business_metric
        daily = (self.query(ctx, "usage_daily").set_index("period_start")
                 .reindex(ctx.daily["period_start"], fill_value=0.0).reset_index())
        cost = pd.Series(daily["effective_cost"].to_numpy(dtype=float), index=daily["period_start"])
        units = m.units_per_day
        if isinstance(units, list) and len(units) != len(cost):
            raise ModelError(f"business_metric.units_per_day has {len(units)} values: expected one per day of the "
                             f"bill ({len(cost)})")
        units = pd.Series(np.broadcast_to(np.asarray(units, dtype=float), len(cost)).copy(), index=cost.index)
        series = F.cost_per_unit_series(cost, units, m.price_usd_per_unit)
        return UnitCostResult(series=series.reset_index(names="period_start"),
                              per_unit=float(ue.cost_per_unit(float(cost.sum()), float(units.sum()))), units=units,
                              trend_per_month=float(F.trend_per_month(series.attrs["trend_share_per_period"])),
                              days_below=None if m.price_usd_per_unit is None
                              else int(series["price_below_cost"].sum()))

    def values(self, ctx, r):
        out = {f"cost_usd_per_{ctx.params.business_metric.unit_name}": r.per_unit}
        if r.days_below is not None:
            out["days_price_below_cost"] = r.days_below
        return out

    def words(self, a, r):
        m = a.params.business_metric
        msg = f"**Unit cost.** {_text(a, f'cost_usd_per_{m.unit_name}')}"
        if r.days_below is not None:
            msg += (f" against a price of {_usd(m.price_usd_per_unit)}: "
                    + (f"**flag it: the price was below cost on {r.days_below} days**." if r.days_below
                       else "the price covers it."))
        return [msg]

    def show(self, a, r):
        from costlib import charts

        super().show(a, r)
        charts.show(chart_unit_cost(a), "cost_per_unit")


@dataclass
class AttributionResult(SectionResult):
    """Tags, showback and chargeback.

    Attributes
    ----------
    coverage : pandas.DataFrame
        Per required key (`costlib.finops.tag_coverage_on_base`): ``effective_coverage_share`` on the
        scenario's base, its ``base_effective_usd`` and ``tagged_effective_usd``, ``billed_coverage_share``,
        and ``other_base_coverage_share`` (the other base of `costlib.finops.COVERAGE_BASES`).
    coverage_base : str
        The base in words.
    pools : costlib.finops.AttributionPools
        Amortized cost split into direct per team, untagged, shared, unused commitment, untaggable.
    allocation : pandas.DataFrame
        Showback per team on amortized cost (`costlib.finops.allocate_costs`), with ``billed_total_usd``:
        the same rules on billed cost, side by side (a team with billed cost and no amortized cost shows).
    by_account, over_time : pandas.DataFrame
        Coverage per sub-account (a column per key) and per day (``tag_key``, ``coverage_share``).
    untagged_top : pandas.DataFrame
        The ten untagged resources that would move team-key coverage most (shares of the same base).
    unallocated_share, team_coverage_share : float
        Cost no tag attributes over the taggable cost; team-key coverage on the base.
    """

    coverage: pd.DataFrame
    coverage_base: str
    pools: Any
    allocation: pd.DataFrame
    by_account: pd.DataFrame
    over_time: pd.DataFrame
    untagged_top: pd.DataFrame
    unallocated_share: float
    team_coverage_share: float
    basis: str = "bill"


def _excluded(p, base: str | None = None) -> list:
    return list(p.untaggable_charge_categories) if (base or p.tag_coverage_base) == "taggable" else []


class Attribution(Section):
    key, title = "attribution", "Attribution: tags, showback and chargeback"
    columns = ("Tags", "EffectiveCost", "BilledCost", "ListCost", "ChargeCategory", "ServiceName",
               "CommitmentDiscountStatus", "SubAccountId", "ChargePeriodStart", "ResourceId", "ListUnitPrice")
    queries = (Query("tag_keys", Q.tag_keys, bound="one row per tag key"),
               # One scan per key answers both bases, by sub-account and by day (`F.tag_coverage_on_base`).
               Query("coverage", Q.cost_by_tag_positive,
                     lambda p: {"key": p.team_tag_key, "dimensions": ["ChargeCategory", "SubAccountId"],
                                "period": "day"},
                     bound="tag values x charge categories x sub-accounts x days"),
               Query("pools", Q.cost_by_tag, lambda p: {"key": p.team_tag_key, "dimensions": [
                   "ChargeCategory", "ServiceName", "CommitmentDiscountStatus"]},
                   bound="teams x charge categories x services x statuses"),
               Query("untagged_top", Q.resource_summary,
                     lambda p: {"key": p.team_tag_key, "untagged_only": True, "top_n": UNTAGGED_TOP_N},
                     bound=f"the {UNTAGGED_TOP_N} costliest untagged resources (BillingData.untagged_top)"),
               Query("resource_totals", Q.resource_cost_totals, lambda p: {"key": p.team_tag_key},
                     bound="one row"))
    figures = (_fig("unallocated_share", "Cost no tag attributes", "share",
                    "untagged + unused commitment over the taggable amortized cost (tax, credits, purchases apart)",
                    _M + "unallocated_share"),
               _fig("team_tag_coverage_share", "Team tag coverage", "share",
                    "cost carrying the team tag over the coverage base (taggable charges, positive amounts; or "
                    "EffectiveCost > 0)", _M + "tag_coverage_on_base"))
    headline = ("unallocated_share",)
    lead = ("unallocated_share", "team_tag_coverage_share")
    charts = ("tag_coverage_over_time", "showback_by_team")
    intro = ("Tag coverage per required key as a share in [0, 1] of a stated base (amortized and billed), by "
             "sub-account and over time; spend that cannot carry tags apart; the untagged resources that would "
             "move coverage most; and the showback by team, on amortized and billed cost side by side, with "
             "shared, untagged and unused-commitment cost assigned by the stated rules (to the cent).")

    def compute(self, ctx):
        p, source = ctx.params, ctx.source
        present = set(self.query(ctx, "tag_keys")["key"])
        missing = [k for k in p.required_tag_keys if k not in present]
        if missing:
            listed = ", ".join(sorted(present)[:12]) or "none"
            raise ScenarioError(source, [("required_tag_keys", k, f"expected a tag key the billing data carries "
                                          f"(no row has it; keys found: {listed})") for k in missing])
        other = "positive_cost" if p.tag_coverage_base == "taggable" else "taggable"
        rows, by_account, over_time = {}, [], []
        for k in p.required_tag_keys:
            frame, excluded = self.query(ctx, "coverage", key=k), _excluded(p)
            row = F.tag_coverage_on_base(frame, exclude_categories=excluded).iloc[0].to_dict()
            alt = F.tag_coverage_on_base(frame, exclude_categories=_excluded(p, other)).iloc[0]
            rows[k] = {**row, "other_base_coverage_share": alt["effective_coverage_share"]}
            acc = F.tag_coverage_on_base(frame, ["SubAccountId"], exclude_categories=excluded)
            by_account.append(acc["effective_coverage_share"].rename(k))
            day = F.tag_coverage_on_base(frame, ["period_start"], exclude_categories=excluded).reset_index()
            over_time.append(day.rename(columns={"effective_coverage_share": "coverage_share"}).assign(tag_key=k))
        coverage = pd.DataFrame.from_dict(rows, orient="index")
        by_account = pd.concat(by_account, axis=1).reset_index()
        over_time = pd.concat(over_time, ignore_index=True)
        over_time["day"] = over_time["period_start"].dt.strftime("%Y-%m-%d")
        frame = self.query(ctx, "pools")
        pools = F.attribution_pools(frame, p.untaggable_charge_categories, p.shared_services)
        billed = F.attribution_pools(frame, p.untaggable_charge_categories, p.shared_services, cost_column="billed_cost")
        allocation = self._allocate(p, pools, source)
        cash = self._allocate(p, billed, source)["total_usd"].rename("billed_total_usd")
        allocation = allocation.join(cash, how="outer").fillna(0.0)
        team = coverage.loc[p.team_tag_key]
        ranked = self._untagged_top(ctx, team)
        share = float(F.unallocated_share(pools.untagged_usd, pools.unused_commitment_usd, pools.taggable_usd))
        return AttributionResult(coverage=coverage, coverage_base=F.COVERAGE_BASES[p.tag_coverage_base], pools=pools,
                                 allocation=allocation, by_account=by_account, over_time=over_time,
                                 untagged_top=ranked, unallocated_share=share,
                                 team_coverage_share=float(team["effective_coverage_share"]))

    @staticmethod
    def _untagged_top(ctx, team) -> pd.DataFrame:
        """The `UNTAGGED_TOP_N` untagged resources that would move team-key coverage most, pulled bounded
        (`BillingData.untagged_top`), their gains as shares of the coverage base the figure states."""
        try:
            rows = ctx.data.untagged_top(ctx.params.team_tag_key, UNTAGGED_TOP_N)
        except BillingDataError:  # no resource has a positive cost: nothing to rank
            return pd.DataFrame(columns=["ResourceId", "ServiceName", "SubAccountId", "tag_value", "effective_cost",
                                         "coverage_gain_share", "coverage_after_share"])
        if not team["base_effective_usd"] > 0:
            return rows
        return F.untagged_by_impact(rows[[c for c in rows.columns if not c.startswith("coverage_")]],
                                    base_usd=team["base_effective_usd"], coverage_share=team["effective_coverage_share"])

    @staticmethod
    def _allocate(p, pools, source):
        with _section("allocation_method", source):
            return F.allocate_costs(pools.direct, max(pools.shared_usd, 0.0), p.allocation_method,
                                    fixed_shares=p.fixed_shares or None, usage=p.usage_metric or None,
                                    untagged_cost_usd=pools.untagged_usd, untagged_rule=p.untagged_rule,
                                    unused_commitment_cost_usd=max(pools.unused_commitment_usd, 0.0),
                                    unused_rule=p.unused_commitment_rule)

    def values(self, ctx, r):
        return {"unallocated_share": r.unallocated_share, "team_tag_coverage_share": r.team_coverage_share}

    def ranges(self, p):
        return {}

    def answers(self, a, r):
        p, pools = a.params, r.pools
        base = {"untagged_usd": pools.untagged_usd, "unused_commitment_usd": pools.unused_commitment_usd,
                "taggable_usd": pools.taggable_usd}
        model = lambda **kw: F.unallocated_share(**kw)  # noqa: E731
        ranges = {"untagged_usd": (0.5 * pools.untagged_usd, 1.5 * pools.untagged_usd)} if pools.untagged_usd > 0 else {}
        if pools.unused_commitment_usd > 0:
            ranges["unused_commitment_usd"] = (0.5 * pools.unused_commitment_usd, 1.5 * pools.unused_commitment_usd)
        x = uncertainty.assess(model, base, ranges, flip_bounds={k: (0.0, 10 * max(v, 1.0)) for k, v in base.items()
                                                                 if k in ranges},
                               target=p.max_unallocated_share, draws_from="model", n=p.monte_carlo_draws, seed=p.seed)
        return {"attribution": contract.Answer("attribution", "unallocated_share", model, base,
                                               p.max_unallocated_share, x)}

    def decisions(self, a, r):
        p = a.params
        ready = a.figures["unallocated_share"] <= p.max_unallocated_share
        return [("chargeback", contract.Decision(
            question="Can the bill be charged back to teams by tag",
            verdict="yes, chargeback" if ready else "showback only until tagging improves",
            rests_on=("unallocated_share",),
            flips_when=f"the cost no tag attributes {'rises above' if ready else 'falls below'} "
                       f"{_pct(p.max_unallocated_share)}",
            agreement=a.answers["attribution"].assessment.agreement(verdict_below_target=ready)))]

    def words(self, a, r):
        p, cov = a.params, r.coverage
        shares = cov["effective_coverage_share"]
        msg = (f"**Attribution.** Team tag coverage is {_text(a, 'team_tag_coverage_share')} of {r.coverage_base} "
               f"({report.escape(p.team_tag_key)} key)")
        if shares.notna().any() and len(shares) > 1:
            worst = shares.idxmin()
            msg += f"; the weakest required key is {report.escape(worst)} at {_pct(shares[worst])}"
        msg += "."
        if len(r.untagged_top):
            top = r.untagged_top.iloc[0]
            msg += (f" Tagging the top untagged resource ({report.escape(short_id(top['ResourceId']))}) alone would "
                    f"lift team tag coverage by {_pct(top['coverage_gain_share'])}.")
        alloc = r.allocation.drop(index=[F.UNALLOCATED], errors="ignore")
        both = int((alloc["total_usd"].abs() > 0.005).sum())
        cash_only = int(((alloc["total_usd"].abs() <= 0.005) & (alloc["billed_total_usd"].abs() > 0.005)).sum())
        msg += f" The showback names {both} team{'s' if both != 1 else ''} with amortized cost"
        msg += (f" and {cash_only} more with billed cost only (their usage is covered by commitments or credits)."
                if cash_only else ".")
        return [msg]

    def controls(self, p):
        return {}

    def whatif(self, a, r, **inputs):
        pools = r.pools
        return {"unallocated_share": float(F.unallocated_share(pools.untagged_usd, pools.unused_commitment_usd,
                                                               pools.taggable_usd))}

    def show(self, a, r):
        from IPython.display import Markdown, display

        from costlib import charts

        p = a.params
        super().show(a, r)
        display(Markdown(f"**Tag coverage per key**, on {r.coverage_base}; the coverage on the other base: on "
                         f"{F.COVERAGE_BASES['positive_cost' if p.tag_coverage_base == 'taggable' else 'taggable']}."))
        display(table(r.coverage.reset_index(names="tag_key"), "attribution"))
        display(Markdown("**Coverage by sub-account** (share of the base carrying each key)"))
        acc = r.by_account.dropna(how="all", subset=list(p.required_tag_keys))
        display(table(acc, "attribution", percent=list(p.required_tag_keys)))
        if len(acc) < len(r.by_account):
            display(Markdown(f"{len(r.by_account) - len(acc)} sub-accounts with no cost in the base left out."))
        charts.show(chart_coverage(a), "tag_coverage_over_time")
        pools = r.pools
        display(Markdown(f"**Spend that cannot carry tags** (shown apart, not allocated): "
                         f"{report.usd(pools.untaggable_usd)} amortized."))
        display(table(pools.untaggable.reset_index(names="ChargeCategory"), "attribution"))
        if len(r.untagged_top):
            display(Markdown("**Untagged resources that would move team tag coverage most** (shares of the same base)"))
            top = r.untagged_top.assign(ResourceId=lambda d: d["ResourceId"].map(short_id))
            display(table(top[["ResourceId", "ServiceName", "effective_cost", "coverage_gain_share",
                               "coverage_after_share"]], "attribution"))
        display(Markdown(f"**Showback by team** (USD over the bill's days; amortized, and billed beside): shared cost "
                         f"{report.usd(pools.shared_usd)} split {report.escape(p.allocation_method)}; untagged "
                         f"{report.usd(pools.untagged_usd)} {report.escape(p.untagged_rule)}; unused commitment "
                         f"{report.usd(pools.unused_commitment_usd)} {report.escape(p.unused_commitment_rule)}."))
        shown, others, others_usd = allocation_shown(a)
        display(table(shown, "attribution"))
        if others:
            display(Markdown(f"{others} more teams hold {report.usd(others_usd)} together (amortized); teams with no "
                             f"cost on either basis left out ({len(r.allocation)} named in all)."))
        charts.show(chart_allocation(a), "showback_by_team")


@dataclass
class KubernetesResult(SectionResult):
    """A shared cluster's node cost by requests, usage and max(request, usage), and its idle cost.

    Attributes
    ----------
    nodes : pandas.DataFrame
        The cluster's nodes priced from the bill (`costlib.finops.nodes_from_bill`).
    usage_rows, hours : int
        Pod usage rows and the hours they span.
    by_basis : dict
        Basis -> `costlib.finops.KubernetesAllocation`.
    table : pandas.DataFrame
        Per team: ``by_request_usd``, ``by_usage_usd``, ``by_max_usd``.
    idle_by_node, gap : pandas.DataFrame
        Idle cost per node on the scenario's basis; requested-but-unused cost per team.
    generated : object
        The generated cluster (`costlib.synthetic_usage`), None when read from a file.
    allocation : costlib.finops.KubernetesAllocation
        The scenario's basis.
    """

    nodes: pd.DataFrame
    usage_rows: int
    hours: int
    by_basis: dict
    table: pd.DataFrame
    idle_by_node: pd.DataFrame
    gap: pd.DataFrame
    generated: Any
    allocation: Any
    basis: str = "bill"


class Kubernetes_(Section):
    key, title, switch = "kubernetes", "Kubernetes: requests, usage and idle", "kubernetes"
    columns = ("ResourceId", "ServiceName", "EffectiveCost", "ChargePeriodStart", "Tags")
    inputs = (Input("kubernetes.usage_file", "pod requests and usage per hour and node",
                    lambda p: bool(p.kubernetes and p.kubernetes.usage_file),
                    "give kubernetes.usage_file: a CSV of hour, node, team, cpu/ram request and used"),)
    needs = ("attribution",)
    queries = (Query("nodes", Q.resource_summary, lambda p: {"key": p.team_tag_key,
                                                              "services": list(p.kubernetes.cluster_services)},
                     bound="the cluster services' resources (its nodes)"),)
    figures = (_fig("kubernetes_idle_usd", "Kubernetes idle cost", "usd",
                    "node cost not allocated to any pod over the usage window", _M + "kubernetes_allocation"),
               _fig("kubernetes_idle_share", "Kubernetes idle share", "share", "idle cost over the nodes' cost",
                    _M + "kubernetes_allocation"),
               _fig("kubernetes_request_usage_gap_usd", "Requested but unused (Kubernetes)", "usd",
                    "allocation by requests minus by usage, all teams", _M + "request_usage_gap"))
    lead = ("kubernetes_idle_usd", "kubernetes_idle_share", "kubernetes_request_usage_gap_usd")
    charts = ("kubernetes_allocation",)
    intro = ("The cluster's node cost (from the bill) allocated by requests, by usage and by max(request, usage) "
             "as OpenCost does; idle cost per node and for the cluster. Request-based allocation rewards "
             "right-sizing: the gap per team is what it pays for capacity it requests and does not use.")

    def compute(self, ctx):
        p, source, k = ctx.params, ctx.source, ctx.params.kubernetes
        nodes_bill = self.query(ctx, "nodes").sort_values("ResourceId")
        if nodes_bill.empty:
            raise ScenarioError(source, [("kubernetes.cluster_services", k.cluster_services,
                                          "expected services with node resources in the bill")])
        nodes = F.nodes_from_bill(nodes_bill, k.node_cpu_cores, k.node_ram_gib)
        if k.usage_file:
            usage = _kubernetes_usage_file(k, nodes, source)
            generated = None
        else:
            generated = synthetic_usage.kubernetes_cluster(nodes=len(nodes), pods_per_team=k.pods_per_team,
                                                           hours=k.usage_hours, seed=p.seed,
                                                           node_cpu_cores=k.node_cpu_cores,
                                                           node_ram_gib=k.node_ram_gib, teams=k.teams)
            names = dict(zip([f"node-{i}" for i in range(len(nodes))], nodes["node"]))
            usage = generated.usage.assign(node=generated.usage["node"].map(names))
        with _section("kubernetes", source):
            by_basis = {b: F.kubernetes_allocation(nodes, usage, basis=b, idle=k.idle_rule) for b in F.KUBERNETES_BASES}
            gap = F.request_usage_gap(nodes, usage)
        chosen = by_basis[k.basis]
        table = pd.DataFrame({b: r.by_team["total_usd"] for b, r in by_basis.items()}).fillna(0.0)
        table.columns = [f"by_{c}_usd" for c in table.columns]
        return KubernetesResult(nodes=nodes, usage_rows=len(usage), hours=int(usage["hour"].nunique()),
                                by_basis=by_basis, table=table.reset_index(names="team"),
                                idle_by_node=chosen.idle_by_node.reset_index(names="node"),
                                gap=gap.reset_index(names="team"), generated=generated, allocation=chosen)

    def values(self, ctx, r):
        return {"kubernetes_idle_usd": r.allocation.idle_cluster_usd,
                "kubernetes_idle_share": r.allocation.idle_cluster_share,
                "kubernetes_request_usage_gap_usd": float(r.gap["gap_usd"].sum())}

    def words(self, a, r):
        gap = r.gap.iloc[0]
        return [f"**Kubernetes.** {_text(a, 'kubernetes_idle_share')} of the nodes' cost is idle "
                f"({_text(a, 'kubernetes_idle_usd')} over {r.hours} hours). Charged by requests, "
                f"{report.escape(gap['team'])} pays {_usd(gap['gap_usd'])} for capacity it requests but does not use "
                f"({_pct(gap['gap_share'])} of its request-based bill): request-based chargeback rewards it for "
                "right-sizing its pod specs."]

    def show(self, a, r):
        from IPython.display import Markdown, display

        from costlib import charts

        k = a.params.kubernetes
        super().show(a, r)
        display(Markdown(f"{len(r.nodes)} nodes, {r.hours} hours of pod usage "
                         f"({'generated' if r.generated is not None else report.escape(k.usage_file)}); "
                         f"idle cost {IDLE_RULE_WORDS[k.idle_rule]}."))
        display(table(r.table, "kubernetes"))
        charts.show(chart_kubernetes(a), "kubernetes_allocation")
        display(table(r.gap, "kubernetes"))
        display(Markdown("**Idle per node**"))
        display(table(r.idle_by_node, "kubernetes"))


#: The idle rules (`costlib.finops.IDLE_RULES`) in words.
IDLE_RULE_WORDS = {"separate": "shown as its own line (no team is charged for it)",
                   "share_by_node": "shared among the teams on each node, in proportion",
                   "share_by_cluster": "shared among all teams, in proportion"}


def _kubernetes_usage_file(k, nodes, source) -> pd.DataFrame:
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
    return usage


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


#: Anomaly dollars above which a cost-of-correction review is opened: any paged incident at all (a cent).
ANOMALY_REVIEW_TARGET_USD = 0.01
#: Alerts on one series at most this many periods apart are one incident (a day of a shift, then the next).
INCIDENT_MAX_GAP_PERIODS = 1
#: The difficulty the detectors are backtested at (`costlib.synthetic_anomalies.LEVELS`) and its seeds.
BACKTEST_LEVEL, BACKTEST_SEEDS = "realistic", (0,)
INCIDENTS_SHOWN = 15


@functools.lru_cache(maxsize=32)
def _generated_backtest(settings_json: str, min_excess_usd: float, min_periods: int) -> dict:
    """The scenario's detectors and the costbook default (`costlib.anomaly.COMBINED`) backtested on generated
    daily series of the `BACKTEST_LEVEL` difficulty (cached: the same settings give the same scores)."""
    import json

    ours = anomaly.backtest_generated(detectors=json.loads(settings_json), level=BACKTEST_LEVEL,
                                      seeds=BACKTEST_SEEDS, freq="D", noise_multiple=anomaly.NO_NOISE_GATE,
                                      max_gap_periods=INCIDENT_MAX_GAP_PERIODS, min_excess_usd=min_excess_usd)
    default = anomaly.backtest_generated(level=BACKTEST_LEVEL, seeds=BACKTEST_SEEDS, freq="D")
    return {"ours": ours, "default": default}


def generated_backtest(a: Anomalies) -> dict:
    """``{"ours": GeneratedBacktest, "default": GeneratedBacktest}``: the scenario's three detectors at its
    gates, each alone and as incidents (gap `INCIDENT_MAX_GAP_PERIODS`, the scenario's minimum excess, no noise
    gate: every alert the scenario's detectors raise), and costbook's
    noise-gated combined incidents, on the same generated series."""
    import json

    return _generated_backtest(json.dumps(detector_settings(a), sort_keys=True), float(a.incident_min_excess_usd),
                               int(a.incident_min_days))


def incidents_with_drivers(alerts: pd.DataFrame, a: Anomalies, freq: str = "D") -> pd.DataFrame:
    """Alerts as incidents (`costlib.anomaly.incidents`), each with its page verdict (`incident_gate` at the
    scenario's minimum excess and days) and, where the alerts name one, the resource that moved most on its
    peak period (``driver``, ``team``)."""
    found = anomaly.incidents(alerts, KEYS, freq=freq, max_gap_periods=INCIDENT_MAX_GAP_PERIODS)
    if len(found) == 0:
        return found.assign(page=pd.Series(dtype=bool), driver=pd.Series(dtype=object), team=pd.Series(dtype=object))
    paged = anomaly.incident_gate(found, a.incident_min_excess_usd, a.incident_min_days)["incident"]
    found = found.assign(page=found["incident"].isin(set(paged)))
    if "driver" in alerts.columns:
        peak = (alerts.sort_values("change_usd", ascending=False, kind="stable")
                .drop_duplicates([*KEYS, "period"])[[*KEYS, "period", "driver", "team"]]
                .rename(columns={"period": "peak_period"}))
        found = found.merge(peak, on=[*KEYS, "peak_period"], how="left")
    else:
        found = found.assign(driver=None, team=None)
    return found.sort_values("excess_usd", ascending=False, kind="stable").reset_index(drop=True)


def _when(value, freq: str = "D") -> str:
    t = pd.Timestamp(value)
    return t.strftime("%Y-%m-%d" if freq == "D" else "%Y-%m-%d %H:00")


def incidents_display(found: pd.DataFrame, freq: str = "D", top: int = INCIDENTS_SHOWN) -> pd.DataFrame:
    """The largest incidents as a reader reads them: series, first and last period, days (or hours), the peak
    and total excess, which detectors saw it, its driver, and whether it is worth a page."""
    f = found.head(top)
    return pd.DataFrame({"ServiceName": f["ServiceName"], "SubAccountId": f["SubAccountId"],
                         "start": [_when(x, freq) for x in f["start"]], "end": [_when(x, freq) for x in f["end"]],
                         "periods": f["periods"].astype(int), "peak_usd": f["peak_usd"].astype(float),
                         "excess_usd": f["excess_usd"].astype(float),
                         "detectors": [L.words(x) for x in f["detectors"]],
                         "driver": f["driver"].fillna("(not named)") if "driver" in f else "(not named)",
                         "page": np.where(f["page"].astype(bool), "yes", "no, below the gate")})


def backtest_display(bt) -> pd.DataFrame:
    """A generated backtest's scores per method: anomalies found, pages, precision, recall, F1, false pages
    per 1,000 series-days."""
    s = bt.summary().reset_index()
    names = {"incidents": "incidents (the detectors together)"}
    return pd.DataFrame({"method": [names.get(m, L.words(m)) for m in s["method"]], "events": s["events"].astype(int),
                         "found": s["found"].astype(int), "recall": s["recall"].astype(float),
                         "pages": s["pages"].astype(int), "false_pages": s["false_pages"].astype(int),
                         "precision": s["precision"].astype(float), "f1": s["f1"].astype(float),
                         "false_pages_per_1k_series_days": s["false_pages_per_1k_series_days"].astype(float)})


def scored_on_display(bt) -> pd.DataFrame:
    """What a generated backtest was scored on: per kind of anomaly, how many, the size range drawn from and
    the sizes drawn."""
    o = bt.scored_on
    return pd.DataFrame({"kind": [L.words(k) for k in o["kind"]], "events": o["events"].astype(int),
                         "size_low": o["size_range_low_share"].astype(float),
                         "size_high": o["size_range_high_share"].astype(float),
                         "smallest": o["smallest_size_share"].astype(float),
                         "largest": o["largest_size_share"].astype(float)})


@dataclass
class AnomaliesResult(SectionResult):
    """The three detectors on daily (and hourly) amortized usage cost per service and sub-account, their
    alerts as incidents, and a backtest on generated series of realistic difficulty.

    Attributes
    ----------
    daily_by_series : pandas.DataFrame
        Daily usage cost per service and sub-account (what the detectors watch).
    alerts : pandas.DataFrame
        Daily alerts with the resource that moved most (``driver``) and its ``team``.
    alert_count : int
    incidents : pandas.DataFrame
        The daily alerts as incidents (`incidents_with_drivers`): consecutive alert days on one series as
        one, largest total excess first, each with ``page`` (it passes the scenario's incident gate).
    anomaly_usd : float
        Cost above expectation in alerted days, once per day (`costlib.finops.anomaly_dollars`); the same as
        the incidents' total excess.
    paged_usd : float
        The total excess of the incidents worth a page.
    by_team : pandas.Series
        Anomaly dollars per team.
    backtest, events : pandas.DataFrame or None
        Precision and recall against the demo bill's own injected anomalies (generated bill only), and those.
    backtest_headline : dict
        That check's figures.
    generated : dict
        `generated_backtest`: the informative backtest, on generated series (its figures are "assumed").
    chart_series : pandas.DataFrame
        The series of the three services with the most anomaly dollars.
    top_services : list
    candidates : pandas.DataFrame
        Every alert any gate setting could raise (for the assessment).
    hourly : dict or None
        The same on hourly rows: ``alerts``, ``incidents``, ``top``, ``backtest``, ``headline``,
        ``hourly_rows``, ``rows``, ``hourly_cost_share``.
    gate_flips : pandas.DataFrame or None
        Each alert gate alone, moved until no alert is left.
    """

    daily_by_series: pd.DataFrame
    alerts: pd.DataFrame
    alert_count: int
    incidents: pd.DataFrame
    anomaly_usd: float
    paged_usd: float
    by_team: pd.Series
    backtest: Any
    events: Any
    backtest_headline: dict
    generated: dict
    chart_series: pd.DataFrame
    top_services: list
    candidates: pd.DataFrame
    hourly: Optional[dict] = None
    gate_flips: Any = None
    basis: str = "bill"


#: The figures of the generated backtest: "assumed" on every bill (generated series, never the bill's own).
GENERATED_FIGURES = ("generated_incident_recall_share", "generated_incident_precision_share",
                     "generated_incident_f1_share", "generated_false_pages_per_1k_series_days",
                     "generated_default_f1_share", "generated_default_false_pages_per_1k_series_days")


class Anomalies_(Section):
    key, title = "anomalies", "Anomalies"
    columns = ("EffectiveCost", "BilledCost", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd",
               "ServiceName", "SubAccountId", "ResourceId")
    needs = ("attribution",)
    queries = (Query("daily", Q.usage_cost_by, lambda p: {"dimensions": KEYS, "period": "day"},
                     bound="services x sub-accounts x days"),
               Query("daily_drivers", Q.alert_drivers, lambda p: {"period": "day", "baseline_lag_periods": 1,
                                                                   "top_n": ALERT_DRIVERS_TOP_N,
                                                                   "key": p.team_tag_key},
                     bound=f"alerts x {ALERT_DRIVERS_TOP_N} resources (BillingData.alert_drivers), only when "
                           "there are alerts"),
               Query("period_lengths", Q.charge_period_lengths, bound="one row per charge-period length"),
               Query("hourly", Q.usage_cost_by, lambda p: {"dimensions": KEYS, "period": "hour", "max_period_hours": 1},
                     bound="services x sub-accounts x hours"),
               Query("hourly_drivers", Q.alert_drivers, lambda p: {"period": "hour", "baseline_lag_periods": 24,
                                                                    "top_n": ALERT_DRIVERS_TOP_N,
                                                                    "key": p.team_tag_key, "max_period_hours": 1},
                     bound=f"{HOURLY_TOP_ALERTS} alerts x {ALERT_DRIVERS_TOP_N} resources "
                           "(BillingData.alert_drivers)"))
    figures = (_fig("anomaly_usd", "Anomaly dollars", "usd",
                    "cost above expectation in alerted service-account days, once per day", _M + "anomaly_dollars"),
               _fig("anomaly_incidents", "Anomaly incidents", "number",
                    "consecutive alert days on one service and sub-account (a gap of at most one day) as one incident",
                    "costlib.anomaly.incidents"),
               _fig("anomaly_pages", "Incidents worth a page", "number",
                    "incidents at or above the scenario's incident gate (minimum total excess and days)",
                    "costlib.anomaly.incident_gate"),
               _fig("anomaly_paged_usd", "Anomaly dollars in paged incidents", "usd",
                    "total excess of the incidents worth a page", _M + "paged_anomaly_dollars"),
               _fig("anomaly_alerts", "Anomaly alert-days", "number",
                    "alerts raised by the three detectors (one per detector, series and day)", _M + "detect_anomalies"),
               _fig("anomaly_usd_p10", "Anomaly dollars in paged incidents, P10", "usd",
                    "10th percentile over the detector thresholds and floor drawn from their ranges",
                    "costlib.uncertainty.assess"),
               _fig("anomaly_usd_p90", "Anomaly dollars in paged incidents, P90", "usd",
                    "90th percentile over the detector thresholds and floor drawn from their ranges",
                    "costlib.uncertainty.assess"),
               _fig("hourly_anomaly_usd", "Anomaly dollars (hourly series)", "usd",
                    "cost above expectation in alerted service-account hours, once per hour", _M + "anomaly_dollars"),
               _fig("hourly_anomaly_alerts", "Anomaly alert-hours (hourly series)", "number",
                    "alerts the three detectors raise on hourly amortized cost", _M + "detect_anomalies"),
               _fig("hourly_anomaly_incidents", "Anomaly incidents (hourly series)", "number",
                    "consecutive alert hours on one series (a gap of at most one hour) as one incident",
                    "costlib.anomaly.incidents"),
               _fig("generated_incident_recall_share", "Incident recall on generated series", "share",
                    "anomalies found over anomalies injected, on generated daily series of realistic difficulty "
                    "(the scenario's detectors and gates)", "costlib.anomaly.backtest_generated"),
               _fig("generated_incident_precision_share", "Incident precision on generated series", "share",
                    "true pages over pages, same series", "costlib.anomaly.backtest_generated"),
               _fig("generated_incident_f1_share", "Incident F1 on generated series", "share",
                    "harmonic mean of precision and recall, same series", "costlib.anomaly.backtest_generated"),
               _fig("generated_false_pages_per_1k_series_days", "Pages on no anomaly per 1,000 series-days (generated)",
                    "number", "pages on no injected anomaly, per 1,000 series-days, same series",
                    "costlib.anomaly.backtest_generated"),
               _fig("generated_default_f1_share", "Incident F1 of costbook's noise-gated default (generated)",
                    "share", "costlib.anomaly.COMBINED on the same series", "costlib.anomaly.backtest_generated"),
               _fig("generated_default_false_pages_per_1k_series_days",
                    "Pages on no anomaly per 1,000 series-days, costbook's noise-gated default (generated)", "number",
                    "costlib.anomaly.COMBINED on the same series", "costlib.anomaly.backtest_generated"),
               _fig("hourly_{detector}_precision", "Precision of {detector} (hourly, the demo bill's events)", "share",
                    "true alerts over alerts on hourly series, against the demo bill's injected anomalies",
                    _M + "backtest_detectors"),
               _fig("hourly_{detector}_recall", "Recall of {detector} (hourly, the demo bill's events)", "share",
                    "injected anomalies found on hourly series over injected anomalies", _M + "backtest_detectors"),
               _fig("{detector}_precision", "Precision of {detector} (daily, the demo bill's events)", "share",
                    "true alerts over alerts, against the demo bill's injected anomalies", _M + "backtest_detectors"),
               _fig("{detector}_recall", "Recall of {detector} (daily, the demo bill's events)", "share",
                    "injected anomalies found over injected anomalies", _M + "backtest_detectors"))
    headline = ("anomaly_usd",)
    lead = ("anomaly_usd", "anomaly_incidents", "anomaly_pages", "anomaly_alerts", "hourly_anomaly_usd")
    charts = ("anomalies",)
    intro = ("Three detectors on daily amortized cost per service and sub-account, and on hourly amortized cost "
             "where the bill has hourly rows: rate of change (the seed's +50% in 24 hours), deviation from a "
             "seasonal forecast (the seed's more than 10% off: the same weekday, or the same hour of the week, over "
             "up to four weeks) and a weekly seasonal decomposition. Every alert passes an absolute dollar floor "
             "(per day; per hour, the floor / 24) and a percentage, after a minimum history. Consecutive alerts on "
             "one series are one **incident** (its start, end, peak and total excess, which detectors saw it, the "
             "resource that moved most): a level shift is one incident, not one alert a day. An incident is worth a "
             "page when it passes the scenario's incident gate (a minimum total excess and number of days). Anomaly "
             "dollars in the headline are the daily ones. How good the detectors are is measured on generated "
             "series of realistic difficulty, never on the bill.")

    def basis_of(self, key, r):
        return "assumed" if key in GENERATED_FIGURES else r.basis

    @staticmethod
    def gated(a: Anomalies) -> bool:
        """Whether the scenario sets an incident gate (then a page, not any alert, opens the review)."""
        return a.incident_min_excess_usd > 0 or a.incident_min_days > 1

    def headline_for(self, p):
        return ("anomaly_usd", "anomaly_paged_usd") if self.gated(p.anomalies) else self.headline

    @classmethod
    def review_figure(cls, p) -> str:
        """The figure the review verdict rests on: anomaly dollars, or with an incident gate those of the
        paged incidents (equal without one)."""
        return "anomaly_paged_usd" if cls.gated(p.anomalies) else "anomaly_usd"

    def ranges(self, p):
        a = p.anomalies
        return {"anomalies.rate_of_change_threshold_share": (0.6 * a.rate_of_change_threshold_share,
                                                             a.rate_of_change_threshold_share,
                                                             1.6 * a.rate_of_change_threshold_share),
                "anomalies.forecast_threshold_share": (0.5 * a.forecast_threshold_share, a.forecast_threshold_share,
                                                       2 * a.forecast_threshold_share),
                "anomalies.floor_usd": (0.5 * a.floor_usd, a.floor_usd, 2 * a.floor_usd if a.floor_usd > 0 else 10.0)}

    def compute(self, ctx):
        p, truth = ctx.params, ctx.truth
        daily_sa = self.query(ctx, "daily")
        alerts = detect(daily_sa, detector_settings(p.anomalies))
        named = self._drivers(ctx, alerts, "daily_drivers")
        by_team = F.anomaly_dollars(named, KEYS, by="team") if len(named) else pd.Series(dtype=float)
        found = incidents_with_drivers(named, p.anomalies)
        backtest, events, bt_head = None, None, {}
        if truth is not None:
            events = synthetic_focus.injected_events(truth)
            backtest = F.backtest_detectors(alerts, events, KEYS)
            for det, r in backtest.iterrows():
                bt_head[f"{det}_precision"] = None if pd.isna(r["precision"]) else float(r["precision"])
                bt_head[f"{det}_recall"] = float(r["recall"])
        top = (F.anomaly_dollars(named, KEYS, by="ServiceName").sort_values(ascending=False).head(3).index.tolist()
               if len(named) else [])
        return AnomaliesResult(daily_by_series=daily_sa, alerts=named, alert_count=int(len(alerts)), incidents=found,
                               anomaly_usd=F.anomaly_dollars(named, KEYS),
                               paged_usd=float(found.loc[found["page"].astype(bool), "excess_usd"].astype(float).sum()),
                               by_team=by_team, backtest=backtest, events=events, backtest_headline=bt_head,
                               generated=generated_backtest(p.anomalies),
                               chart_series=daily_sa[daily_sa["ServiceName"].isin(top)].copy(), top_services=top,
                               candidates=detect(daily_sa, detector_settings(p.anomalies), candidates=True),
                               hourly=self._hourly(ctx, events))

    def _drivers(self, ctx, alerts: pd.DataFrame, name: str) -> pd.DataFrame:
        """``alerts`` with the resource behind each (``driver``, ``driver_change_usd``,
        ``driver_share_of_change``, ``team``), computed in the engine with the declared query ``name``."""
        q = next(q for q in self.queries if q.name == name)
        return ctx.data.alert_drivers(alerts, **q.arguments(ctx.params))[0]

    def _hourly(self, ctx, events) -> dict | None:
        p = ctx.params
        lengths = self.query(ctx, "period_lengths")
        hourly = lengths[lengths["minutes"] <= 60]
        if not p.anomalies.hourly or hourly["rows"].sum() == 0:
            return None
        total = float(lengths["effective_cost"].sum())
        alerts = detect(self.query(ctx, "hourly"), hourly_detector_settings(p.anomalies), freq="h")
        top = self._drivers(ctx, alerts.sort_values("change_usd", ascending=False, kind="stable")
                            .head(HOURLY_TOP_ALERTS), "hourly_drivers")
        found = anomaly.incidents(alerts, KEYS, freq="h", max_gap_periods=INCIDENT_MAX_GAP_PERIODS)
        found = found.sort_values("excess_usd", ascending=False, kind="stable").reset_index(drop=True)
        head = {"hourly_anomaly_usd": F.anomaly_dollars(alerts, KEYS), "hourly_anomaly_alerts": int(len(alerts)),
                "hourly_anomaly_incidents": int(len(found))}
        backtest = None
        if events is not None:
            backtest = F.backtest_detectors(alerts, events, KEYS)
            for det, r in backtest.iterrows():
                head[f"hourly_{det}_precision"] = None if pd.isna(r["precision"]) else float(r["precision"])
                head[f"hourly_{det}_recall"] = float(r["recall"])
        return {"alerts": alerts, "incidents": found, "top": top, "backtest": backtest, "headline": head,
                "hourly_rows": int(hourly["rows"].sum()), "rows": int(lengths["rows"].sum()),
                "hourly_cost_share": float(hourly["effective_cost"].sum() / total) if total else float("nan")}

    def values(self, ctx, r):
        ours = r.generated["ours"].summary().loc["incidents"]
        default = r.generated["default"].summary().loc["incidents"]
        out = {"anomaly_usd": r.anomaly_usd, "anomaly_incidents": int(len(r.incidents)),
               "anomaly_pages": int(r.incidents["page"].astype(bool).sum()), "anomaly_paged_usd": r.paged_usd,
               "anomaly_alerts": r.alert_count, **r.backtest_headline,
               "generated_incident_recall_share": float(ours["recall"]),
               "generated_incident_precision_share": None if pd.isna(ours["precision"]) else float(ours["precision"]),
               "generated_incident_f1_share": float(ours["f1"]),
               "generated_false_pages_per_1k_series_days": float(ours["false_pages_per_1k_series_days"]),
               "generated_default_f1_share": float(default["f1"]),
               "generated_default_false_pages_per_1k_series_days": float(default["false_pages_per_1k_series_days"])}
        if r.hourly is not None:
            out.update(r.hourly["headline"])
        return out

    def answers(self, a, r):
        p = a.params
        an = p.anomalies
        seasonal = an.seasonal_threshold_share
        candidates = r.candidates

        def model(rate_of_change_threshold_share, forecast_threshold_share, floor_usd):
            return F.paged_anomaly_dollars(candidates, KEYS, {"rate_of_change": rate_of_change_threshold_share,
                                                              "forecast": forecast_threshold_share,
                                                              "seasonal": seasonal}, floor_usd,
                                           an.incident_min_excess_usd, an.incident_min_days, "D",
                                           INCIDENT_MAX_GAP_PERIODS)

        base = {"rate_of_change_threshold_share": an.rate_of_change_threshold_share,
                "forecast_threshold_share": an.forecast_threshold_share, "floor_usd": an.floor_usd}
        # The verdict (open a review) holds while any incident is worth a page: paged anomaly dollars above a
        # cent. Dollars are a step function of the gates, so the flip points are the gates' suprema
        # (`finops.anomaly_gate_flips`; with an incident gate, the alert gates' flips are where no alert is left).
        x = uncertainty.assess(model, base, _ranges(p, "anomalies"), target=ANOMALY_REVIEW_TARGET_USD,
                               draws_from="model", n=p.monte_carlo_draws, seed=p.seed)
        a.figures["anomaly_usd_p10"], a.figures["anomaly_usd_p90"] = x.p10, x.p90
        r.gate_flips = F.anomaly_gate_flips(candidates, KEYS, {"rate_of_change": base["rate_of_change_threshold_share"],
                                                               "forecast": base["forecast_threshold_share"],
                                                               "seasonal": seasonal}, base["floor_usd"])
        return {"anomalies": contract.Answer("anomalies", self.review_figure(p), model, base,
                                             ANOMALY_REVIEW_TARGET_USD, x)}

    def decisions(self, a, r):
        p = a.params
        an = p.anomalies
        pages, found, alerts = a.figures["anomaly_pages"], a.figures["anomaly_incidents"], a.figures["anomaly_alerts"]
        gated = self.gated(an)
        if pages:
            flips = (f"no incident is worth a page: the minimum excess per incident would have to rise above "
                     f"{_usd(r.incidents.loc[r.incidents['page'].astype(bool), 'excess_usd'].max())} (the largest "
                     "incident's)")
            if alerts and r.gate_flips is not None and not gated:
                floor = r.gate_flips.loc[r.gate_flips["input"] == "floor_usd", "flip_value"].iloc[0]
                if np.isfinite(floor):
                    flips += f", or the dollar floor of an alert above {_usd(floor)} a day"
        else:
            flips = (f"an incident passes the gates ({_usd(an.floor_usd)} a day and the shares for an alert"
                     + (f"; {_usd(an.incident_min_excess_usd)} and {an.incident_min_days} days for a page" if gated
                        else "") + ")")
        ans = a.answers.get("anomalies")
        verdict = (f"yes, {pages} incident{'s' if pages != 1 else ''} worth a page ("
                   + (f"{found} incidents, " if found != pages else "") + f"from {alerts} alert-days)" if pages else
                   ("no incident worth a page" + (f" ({found} below the gate)" if found else "")))
        return [("anomaly_review", contract.Decision(
            question="Open a cost-of-correction review", verdict=verdict, rests_on=(self.review_figure(p),),
            flips_when=flips,
            agreement=None if ans is None else ans.assessment.agreement(verdict_below_target=not pages)))]

    def words(self, a, r):
        h, p, lines = a.figures, a.params, []
        an = p.anomalies
        if len(r.incidents):
            top = r.incidents.iloc[0]
            span = (f"on {_when(top['start'])}" if top["periods"] == 1 else
                    f"from {_when(top['start'])} to {_when(top['end'])} ({int(top['periods'])} alert days)")
            driver = (f", driven by resource {report.escape(top['driver'])}" if isinstance(top.get("driver"), str)
                      else "")
            gate = (f"; {h['anomaly_pages']} are worth a page (at least {_usd(an.incident_min_excess_usd)} above "
                    f"expectation over at least {an.incident_min_days} day{'s' if an.incident_min_days != 1 else ''})"
                    if self.gated(an) else "")
            lines.append(f"**Anomalies.** {h['anomaly_incidents']} incidents ({h['anomaly_alerts']} alert-days "
                         f"together) worth {_text(a, 'anomaly_usd')} above expectation{gate}. The largest is "
                         f"{report.escape(top['ServiceName'])} in {report.escape(top['SubAccountId'])} {span}: "
                         f"{_usd(top['excess_usd'])} above expectation in all, at most {_usd(top['peak_usd'])} in a "
                         f"day, seen by {report.escape(L.words(top['detectors']))}{driver}.")
        ours = r.generated["ours"]
        lines.append(f"**Detector backtest** (assumed: generated series, not your bill): on "
                     f"{report.escape(ours.description)} The scenario's detectors as incidents find "
                     f"{_text(a, 'generated_incident_recall_share')} of the anomalies (recall) with precision "
                     f"{_text(a, 'generated_incident_precision_share')} (F1 {_text(a, 'generated_incident_f1_share')})"
                     f" and {_text(a, 'generated_false_pages_per_1k_series_days')} false pages per 1,000 "
                     f"series-days; costbook's noise-gated default (robust z-score, forecast and seasonal, with a "
                     f"noise gate) scores F1 {_text(a, 'generated_default_f1_share')} with "
                     f"{_text(a, 'generated_default_false_pages_per_1k_series_days')} false pages per 1,000 "
                     "series-days.")
        if r.hourly is not None:
            hr = r.hourly
            lines.append(f"**Hourly.** On the {hr['hourly_rows']:,} hourly usage rows ({_pct(hr['hourly_cost_share'])} "
                         f"of usage cost) the detectors raise {h['hourly_anomaly_alerts']:,} alert-hours in "
                         f"{h['hourly_anomaly_incidents']:,} incidents worth {_text(a, 'hourly_anomaly_usd')} above "
                         f"expectation (floor {_usd(an.floor_usd / 24)} an hour).")
        return lines

    def show(self, a, r):
        from IPython.display import Markdown, display

        from costlib import charts

        super().show(a, r)
        if len(r.incidents):
            charts.show(chart_anomalies(a), "anomalies")
            display(Markdown(f"**The {min(INCIDENTS_SHOWN, len(r.incidents))} largest of {len(r.incidents)} "
                             f"incidents** ({r.alert_count} alert-days): consecutive alert days on one service and "
                             "sub-account are one incident; the driver is the resource whose cost rose most on its "
                             "peak day (USD)."))
            display(table(incidents_display(r.incidents), "anomalies"))
        else:
            display(Markdown("No day of any service passed the gates."))
        if r.hourly is not None:
            hr = r.hourly
            display(Markdown(f"**Hourly series.** {hr['hourly_rows']:,} of {hr['rows']:,} usage rows are hourly "
                             f"({report.pct(hr['hourly_cost_share'])} of usage cost); the detectors run on those rows "
                             f"only: {len(hr['alerts']):,} alert-hours in {len(hr['incidents']):,} incidents."))
            if len(hr["incidents"]):
                found = hr["incidents"].assign(page=True, driver=None)
                display(Markdown("**The 10 largest hourly incidents** (USD; consecutive alert hours on one series)"))
                display(table(incidents_display(found, freq="h", top=10).drop(columns=["driver", "page"]),
                              "anomalies"))
        else:
            display(Markdown("The bill has no hourly usage rows: the detectors run on daily series only."))
        ours, default = r.generated["ours"], r.generated["default"]
        display(Markdown(f"**Backtest on generated series** (*assumed*: generated series, not your bill). "
                         f"{report.escape(ours.description)} Each detector alone, then the detectors together as "
                         "incidents at the scenario's gates, then costbook's noise-gated default "
                         "(`costlib.anomaly.COMBINED`) on the same series: an anomaly is found when an incident "
                         "overlaps it; a page on no anomaly is a false page."))
        both = pd.concat([backtest_display(ours),
                          backtest_display(default).tail(1).assign(method="costbook's noise-gated default")],
                         ignore_index=True)
        display(table(both, "anomalies"))
        display(Markdown("**What it was scored on**: per kind, the anomalies injected, the range their sizes are "
                         "drawn from and the sizes drawn (shares above the series' level)."))
        display(table(scored_on_display(ours), "anomalies"))
        if r.backtest is not None:
            display(Markdown("**On the demo bill's own injected anomalies** (a one-day spike, a level shift, the ML "
                             "service tripling; easy: about 1% noise): precision = true alerts / alerts, recall = "
                             "anomalies found / anomalies, per detector and granularity."))
            display(table(backtest_table(a), "anomalies"))
            display(table(r.events.assign(start=lambda d: d["start"].dt.strftime("%Y-%m-%d"),
                                          end=lambda d: d["end"].dt.strftime("%Y-%m-%d"),
                                          kind=lambda d: d["kind"].map(L.words)), "anomalies"))
        display(Markdown("**Where the review verdict flips**: each alert gate alone, moved until no alert is left "
                         "(the others at base)."))
        display(table(r.gate_flips, "anomalies"))


@dataclass
class RunawayResult(SectionResult):
    """The runaway ML service's cost increase split into good spend (volume), waste and intensity.

    Attributes
    ----------
    series : pandas.DataFrame
        Its daily amortized cost.
    before, after : float
        USD per month in its first and last window.
    split : costlib.finops.RunawaySplit
    parts : pandas.DataFrame
        The split as rows (USD per month).
    """

    series: pd.DataFrame
    before: float
    after: float
    split: Any
    parts: pd.DataFrame
    basis: str = "bill"


class Runaway_(Section):
    key, title, switch = "runaway", "The runaway ML service", "runaway"
    columns = ("EffectiveCost", "ServiceName", "SubAccountId", "ChargePeriodStart")
    inputs = (Input("runaway.predictions_after_per_month", "the service's predictions and waste, from its team",
                    _given_not_default("runaway", lambda: Runaway()),
                    "give runaway: {service, sub_account, predictions before and after, idle, over-provisioned and "
                    "dev cost}"),)
    needs = ("anomalies",)
    figures = (_fig("runaway_cost_multiple", "Runaway service: cost after / before", "multiple",
                    "the ML service's monthly cost in its last window over its first", _M + "runaway_cost_split"),
               _fig("runaway_volume_usd_per_month", "Runaway: good spend (volume)", "usd_per_month",
                    "the increase explained by more predictions at the old cost per prediction",
                    _M + "runaway_cost_split"),
               _fig("runaway_waste_usd_per_month", "Runaway: waste", "usd_per_month",
                    "idle + over-provisioned + dev running 24/7", _M + "runaway_cost_split"))
    lead = ("runaway_cost_multiple", "runaway_volume_usd_per_month", "runaway_waste_usd_per_month")
    intro = "The service's monthly cost in its first and last window; the increase split into good spend and waste."

    def compute(self, ctx):
        r, source = ctx.params.runaway, ctx.source
        daily_sa = ctx.results["anomalies"].daily_by_series
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
        return RunawayResult(series=series.reset_index(), before=before, after=after, split=split, parts=parts)

    def values(self, ctx, r):
        return {"runaway_cost_multiple": r.split.cost_multiple, "runaway_volume_usd_per_month": r.split.volume_usd,
                "runaway_waste_usd_per_month": r.split.waste_usd}

    def words(self, a, r):
        sp = r.split
        return [f"**Runaway ML service.** Cost went from {_usd(r.before)} to {_usd(r.after)} a month "
                f"({_text(a, 'runaway_cost_multiple')}): {_text(a, 'runaway_volume_usd_per_month')} is good spend "
                f"(more predictions), {_text(a, 'runaway_waste_usd_per_month')} is waste (idle, over-provisioned, dev "
                f"24/7) and {_usd(sp.intensity_usd)}/month a higher cost per prediction that the accuracy gain must "
                f"justify. Cost per prediction: {_usd(sp.cost_per_unit_before_usd)} before, "
                f"{_usd(sp.cost_per_unit_after_usd)} now, {_usd(sp.cost_per_unit_after_waste_removed_usd)} without "
                "the waste."]

    def show(self, a, r):
        from IPython.display import Markdown, display

        rw = a.params.runaway
        super().show(a, r)
        display(Markdown(f"{report.escape(rw.service)} in {report.escape(rw.sub_account)}: {report.usd(r.before)}/month "
                         f"in its first {rw.window_days} days, {report.usd(r.after)}/month in its last."))
        display(table(r.parts, "runaway"))


@dataclass
class RightsizingResult(SectionResult):
    """Rightsizing at a P99 target with headroom, priced from the bill's unit prices.

    Attributes
    ----------
    ladder : pandas.DataFrame
        The sizes (vCPU, memory, USD per hour).
    recommendations : pandas.DataFrame
        Per resource: size, P99s, recommended size, savings, when they start, team.
    savings_now, deferred : float
        USD per month now, and deferred until a non-flexible commitment ends.
    resources : int
        Resources with a smaller size that fits.
    samples_rows : int
    origin : str
        Where the utilization came from, in words.
    span_days : pandas.Series
        Days of samples per resource.
    """

    ladder: pd.DataFrame
    recommendations: pd.DataFrame
    savings_now: float
    deferred: float
    resources: int
    samples_rows: int
    origin: str
    span_days: pd.Series
    basis: str = "bill"


class Rightsizing_(Section):
    key, title, switch = "rightsizing", "Rightsizing", "rightsizing"
    columns = ("ResourceId", "ServiceName", "ListUnitPrice", "EffectiveCost", "ChargePeriodStart", "Tags")
    inputs = (Input("rightsizing.utilization_file", "CPU and memory utilization samples per resource",
                    lambda p: bool(p.rightsizing and p.rightsizing.utilization_file),
                    "give rightsizing.utilization_file: CSV or Parquet of resource, timestamp, "
                    "cpu_utilization_share, memory_utilization_share"),)
    needs = ("attribution",)
    queries = (Query("candidates", Q.resource_summary,
                     lambda p: {"key": p.team_tag_key, "services": [p.rightsizing.service],
                                "unit_prices": [s.usd_per_hour for s in p.rightsizing.ladder],
                                "top_n": p.rightsizing.top_n},
                     bound="rightsizing.top_n resources (every ladder-priced one of the service only when a "
                           "utilization file names them)"),
               Query("service_resources", Q.resource_summary,
                     lambda p: {"key": p.team_tag_key, "services": [p.rightsizing.service]},
                     bound="the service's resources, pulled only to check a utilization file"))
    figures = (_fig("rightsizing_savings_now_usd_per_month", "Rightsizing savings now", "usd_per_month",
                    "next sizes down at the P99 target with headroom, not held by a commitment",
                    _M + "rightsizing_savings_now"),
               _fig("rightsizing_savings_now_p10_usd_per_month", "Rightsizing savings now, P10", "usd_per_month",
                    "10th percentile over target and headroom draws", "costlib.uncertainty.assess"),
               _fig("rightsizing_savings_now_p90_usd_per_month", "Rightsizing savings now, P90", "usd_per_month",
                    "90th percentile over target and headroom draws", "costlib.uncertainty.assess"),
               _fig("rightsizing_savings_deferred_usd_per_month", "Rightsizing savings deferred", "usd_per_month",
                    "savings that start only when a non-flexible commitment ends", _M + "rightsizing"),
               _fig("rightsizing_resources", "Resources to rightsize", "number",
                    "resources with a smaller size that fits", _M + "rightsizing"))
    headline = ("rightsizing_savings_now_usd_per_month",)
    lead = ("rightsizing_savings_now_usd_per_month", "rightsizing_savings_deferred_usd_per_month",
            "rightsizing_resources")
    charts = ("rightsizing_band",)
    intro = ("P99 CPU and memory utilization over at least 14 days against the target with a stated headroom; the "
             "next sizes down priced from the bill's own unit prices; savings deferred until a non-flexible "
             "commitment ends.")

    def ranges(self, p):
        r = p.rightsizing
        h = r.headroom_share
        return {"rightsizing.headroom_share": (0.5 * h if h > 0 else 0.0, h, 2 * h if h > 0 else 0.2),
                "rightsizing.target_p99_share": (max(0.05, r.target_p99_share - 0.10), r.target_p99_share,
                                                 min(1.0, r.target_p99_share + 0.05))}

    def compute(self, ctx):
        p, source, daily = ctx.params, ctx.source, ctx.daily
        r = p.rightsizing
        ladder = pd.DataFrame([s.model_dump() for s in r.ladder])
        pool = self.query(ctx, "candidates")
        candidates = F.rightsizing_candidates(pool, ladder, r.top_n) if len(pool) else pool
        if len(candidates) == 0:
            raise ScenarioError(source, [("rightsizing.service", r.service, "expected resources of this service "
                                          "billed at a unit price of the ladder's sizes")])
        names = list(candidates["resource"])
        origin = "generated in memory from the seed"
        if r.utilization_file:
            # The file names the resources: their checks read the service's resources (bounded by its fleet,
            # not the bill), and the candidates are those of the file at a ladder size.
            every_priced = self.query(ctx, "candidates", top_n=None)
            samples = _utilization_file(r, self.query(ctx, "service_resources"), every_priced, ladder, source)
            every = F.rightsizing_candidates(every_priced, ladder, top_n=len(every_priced))
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
        return RightsizingResult(ladder=ladder, recommendations=rec.reset_index(names="resource"), savings_now=now,
                                 deferred=deferred, resources=int(len(moving)), samples_rows=len(samples),
                                 origin=origin, span_days=F.utilization_span_days(samples))

    def values(self, ctx, r):
        return {"rightsizing_savings_now_usd_per_month": r.savings_now,
                "rightsizing_savings_deferred_usd_per_month": r.deferred, "rightsizing_resources": r.resources}

    def _model(self, r):
        def model(target_p99_share, headroom_share):
            return F.rightsizing_savings_now(r.recommendations, r.ladder, target_p99_share, headroom_share)
        return model

    def answers(self, a, r):
        p, rs = a.params, a.params.rightsizing
        model = self._model(r)
        base = {"target_p99_share": rs.target_p99_share, "headroom_share": rs.headroom_share}
        targets = np.round(np.linspace(0.40, 0.90, 11), 2)

        def curve(target_p99_share, headroom_share):
            return F.rightsizing_savings_now(r.recommendations, r.ladder, targets[None, :], headroom_share)

        rng = _ranges(p, "rightsizing")
        x = uncertainty.assess(model, base, rng, target=rs.action_floor_usd_per_month, curve=curve,
                               curve_sampled={"headroom_share": rng["headroom_share"]}, curve_x=targets,
                               curve_x_name="target_p99_share", draws_from="model", n=p.monte_carlo_draws,
                               seed=p.seed)
        a.figures["rightsizing_savings_now_p10_usd_per_month"] = x.p10
        a.figures["rightsizing_savings_now_p90_usd_per_month"] = x.p90
        return {"rightsizing": contract.Answer("rightsizing", "rightsizing_savings_now_usd_per_month", model, base,
                                               rs.action_floor_usd_per_month, x)}

    def decisions(self, a, r):
        rs, fig = a.params.rightsizing, a.figures
        act = fig["rightsizing_savings_now_usd_per_month"] >= rs.action_floor_usd_per_month
        return [("rightsizing", contract.Decision(
            question="Rightsize now",
            verdict=f"rightsize {fig['rightsizing_resources']} resources" if act else "keep the current sizes",
            rests_on=("rightsizing_savings_now_usd_per_month",),
            flips_when=f"the savings available now {'fall below' if act else 'exceed'} "
                       f"{_usd(rs.action_floor_usd_per_month)}/month (the action floor)",
            agreement=a.answers["rightsizing"].assessment.agreement(verdict_below_target=not act)))]

    def controls(self, p):
        return {"target_p99_share": (0.3, 0.95, 0.01, p.rightsizing.target_p99_share, "rightsizing.target_p99_share"),
                "headroom_share": (0.0, 0.5, 0.01, p.rightsizing.headroom_share, "rightsizing.headroom_share")}

    def whatif(self, a, r, **inputs):
        rs = a.params.rightsizing
        return {"rightsizing_savings_now_usd_per_month": float(self._model(r)(
            inputs.get("target_p99_share", rs.target_p99_share), inputs.get("headroom_share", rs.headroom_share)))}

    def show(self, a, r):
        from IPython.display import Markdown, display

        from costlib import charts

        rs = a.params.rightsizing
        super().show(a, r)
        lo, hi = r.span_days.min(), r.span_days.max()
        span = f"{lo:.0f}" if lo == hi else f"{lo:.0f} to {hi:.0f}"
        display(Markdown(f"Utilization {report.escape(r.origin)}: {r.samples_rows:,} samples, {span} days per "
                         f"resource (at least {rs.min_history_days} needed). Target P99 "
                         f"{report.pct(rs.target_p99_share)} with {report.pct(rs.headroom_share)} headroom."))
        rec = r.recommendations.assign(savings_start=lambda d: d["savings_start"].dt.strftime("%Y-%m-%d"))
        rec = rec.assign(team=rec["team"].fillna("(untagged)")).rename(
            columns={"p99_cpu_share": "p99_cpu", "p99_memory_share": "p99_memory", "recommended_size": "to_size",
                     "savings_usd_per_month": "saves_usd_per_month", "savings_now_usd_per_month": "now_usd_per_month"})
        display(table(rec[["resource", "team", "size", "p99_cpu", "p99_memory", "to_size", "saves_usd_per_month",
                           "savings_start", "now_usd_per_month"]], "rightsizing"))
        charts.show(chart_rightsizing_band(a), "rightsizing_band")


@dataclass
class CommitmentsResult(SectionResult):
    """Commitment utilization, coverage and savings, per commitment and for the portfolio.

    Attributes
    ----------
    metrics : costlib.finops.CommitmentMetrics
    per : pandas.DataFrame
        Per commitment: purchases, used, unused, utilization (by cost and quantity), net savings, ESR.
    calendar : pandas.DataFrame or None
        The expiry calendar of the commitments whose end dates the scenario gives.
    eligible : list
        The services the commitments apply to (the scope of coverage).
    team_rates : pandas.DataFrame
        Per team: ESR, and utilization of the commitments it owns (n/a when it owns none).
    team_note : str
        Why a team's utilization is n/a, in words.
    quantity_note : str
        Utilization by quantity, or why it is n/a.
    """

    metrics: Any
    per: pd.DataFrame
    calendar: Any
    eligible: list
    team_rates: pd.DataFrame
    team_note: str
    quantity_note: str
    basis: str = "bill"


class Commitments_(Section):
    key, title, switch = "commitments", "Commitments", "commitments"
    columns = ("ServiceName", "ChargeCategory", "CommitmentDiscountId", "CommitmentDiscountStatus",
               "CommitmentDiscountUnit", "CommitmentDiscountQuantity", "BilledCost", "EffectiveCost", "ListCost",
               "ContractedCost", "Tags")
    queries = (Query("rows", Q.commitment_rows, bound="services x charge categories x commitments x statuses"),
               Query("rows_by_team", Q.commitment_rows, lambda p: {"key": p.team_tag_key},
                     bound="the same x teams"))
    figures = (_fig("commitment_utilization_share", "Commitment utilization (by cost)", "share",
                    "used over used + unused amortized commitment, portfolio", _M + "commitment_metrics"),
               _fig("commitment_utilization_by_quantity_share", "Commitment utilization (by quantity)", "share",
                    "used over used + unused CommitmentDiscountQuantity (FOCUS 1.1+), portfolio when one unit",
                    _M + "commitment_metrics"),
               _fig("commitment_coverage_share", "Commitment coverage (on-demand equivalent)", "share",
                    "covered usage at list prices over eligible usage at list prices", _M + "commitment_metrics"),
               _fig("commitment_coverage_amortized_share", "Commitment coverage (amortized)", "share",
                    "amortized covered usage over amortized eligible usage", _M + "commitment_metrics"),
               _fig("effective_savings_rate", "Effective savings rate", "share",
                    "(on-demand equivalent - actual) / on-demand equivalent, eligible scope", _M + "commitment_metrics"),
               _fig("commitment_net_savings_usd", "Commitment net savings", "usd",
                    "savings on used minus unused cost, over the bill's days", _M + "commitment_metrics"))
    headline = ("commitment_utilization_share", "commitment_coverage_share")
    lead = ("commitment_utilization_share", "commitment_coverage_share", "commitment_coverage_amortized_share",
            "effective_savings_rate", "commitment_net_savings_usd")
    intro = ("Utilization by cost (and by quantity where the FOCUS version has it), coverage under both common "
             "definitions, net savings (savings on used minus unused) and the effective savings rate, per "
             "commitment and for the portfolio (weighted by cost). Purchases (cash) are shown apart from the "
             "usage they cover.")

    def compute(self, ctx):
        p, data = ctx.params, ctx.data
        rows = self.query(ctx, "rows")
        eligible = sorted(set(rows.loc[rows["CommitmentDiscountId"].notna(), "ServiceName"].dropna()))
        if not eligible:
            raise SectionOff("the bill has no commitment discount rows (no CommitmentDiscountId)",
                             "a bill whose rows carry CommitmentDiscountId")
        m = F.commitment_metrics(rows[rows["ServiceName"].isin(eligible)], quantity_column="CommitmentDiscountQuantity")
        per = m.per_commitment.reset_index(names="CommitmentDiscountId")
        calendar = None
        ends = p.commitments.ends
        known = per[per["CommitmentDiscountId"].isin(list(ends))]
        if len(known):
            frame = known.assign(end=known["CommitmentDiscountId"].map(ends),
                                 amortized_usd_per_month=F.per_month(known["amortized_usd"].to_numpy(), ctx.days))
            as_of = (ctx.daily["period_start"].max() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
            calendar = F.commitment_expiry_calendar(frame[["CommitmentDiscountId", "end", "amortized_usd_per_month",
                                                           "utilization_by_cost"]], as_of, p.commitments.horizon_months)
        team_rows = self.query(ctx, "rows_by_team")
        team_rates = F.team_commitment_rates(team_rows[team_rows["ServiceName"].isin(eligible)])
        owners = int((team_rates["commitments_owned"] > 0).sum()) if len(team_rates) else 0
        team_note = ("per team over the commitments it owns (a purchase or unused row tagged to it)" if owners else
                     f"n/a for every team: no purchase or unused commitment row carries the {p.team_tag_key} tag, so "
                     "no team owns a commitment (consuming covered usage is not owning it); the portfolio "
                     "utilization is the one figure")
        version = data.quality.version
        pf = m.portfolio
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
        return CommitmentsResult(metrics=m, per=per, calendar=calendar, eligible=eligible, team_rates=team_rates,
                                 team_note=team_note, quantity_note=note)

    def values(self, ctx, r):
        pf = r.metrics.portfolio
        return {"commitment_utilization_by_quantity_share": pf["utilization_by_quantity"],
                "commitment_utilization_share": pf["utilization_by_cost"],
                "commitment_coverage_share": pf["coverage_on_demand_equivalent"],
                "commitment_coverage_amortized_share": pf["coverage_amortized"],
                "effective_savings_rate": pf["effective_savings_rate"],
                "commitment_net_savings_usd": pf["net_savings_usd"]}

    def decisions(self, a, r):
        util, floor = a.figures["commitment_utilization_share"], a.params.commitments.min_utilization_share
        if util != util:
            return []
        used = util >= floor
        return [("commitments", contract.Decision(
            question="Are the commitments used",
            verdict="yes, well used" if used else "underused: buy no more, let the unused part expire",
            rests_on=("commitment_utilization_share", "commitment_coverage_share"),
            flips_when=f"utilization by cost {'falls below' if used else 'rises above'} {_pct(floor)}"))]

    def words(self, a, r):
        util = a.figures["commitment_utilization_share"]
        why = ("" if util == util else " (these files carry no used or unused amortized commitment cost: the "
               "commitments' usage is outside them)")
        return [f"**Commitments.** {len(r.per)} commitment discounts in the bill. Utilization "
                f"{_text(a, 'commitment_utilization_share')} by cost{why}, coverage "
                f"{_text(a, 'commitment_coverage_share')} (on-demand equivalent) or "
                f"{_text(a, 'commitment_coverage_amortized_share')} (amortized), effective savings rate "
                f"{_text(a, 'effective_savings_rate')}, net savings {_text(a, 'commitment_net_savings_usd')}. "
                f"By quantity: {r.quantity_note} Team utilization: {report.escape(r.team_note)}."]

    def show(self, a, r):
        from IPython.display import Markdown, display

        super().show(a, r)
        display(Markdown(f"**Utilization by quantity**: {r.quantity_note}"))
        per = r.per.rename(columns={"CommitmentDiscountId": "commitment", "purchases_billed_usd": "purchases_billed",
                                    "utilization_by_cost": "utilization", "net_savings_usd": "net_savings",
                                    "effective_savings_rate": "esr", "utilization_by_quantity": "utilization_qty",
                                    "quantity_unit": "unit"})
        display(Markdown(f"Per commitment, USD over the bill's {a.days} days (purchases are cash, shown apart from the "
                         "used and unused amortized cost they pay for)."))
        display(table(per[["commitment", "purchases_billed", "used_usd", "unused_usd", "utilization",
                           "utilization_qty", "unit", "net_savings", "esr"]], "commitments"))
        display(Markdown("Coverage: **on-demand equivalent** = covered usage at list prices / eligible usage at list "
                         "prices; **amortized** = amortized covered usage / amortized eligible usage."))
        if r.calendar is not None:
            display(Markdown("**Expiry calendar**"))
            cal = r.calendar.assign(end=lambda d: d["end"].astype(str).str[:10])
            display(table(cal[["CommitmentDiscountId", "end", "amortized_usd_per_month", "utilization_by_cost",
                               "months_to_expiry", "expires_within_horizon"]], "commitments"))


@dataclass
class StorageResult(SectionResult):
    """Storage tiering moves, net of retrieval, transition and early-deletion charges.

    Attributes
    ----------
    moves : pandas.DataFrame
        Every (dataset, colder class) move (`costlib.finops.storage_tiering_moves`) with the dataset's
        access requirement.
    recommended, costing_more, too_slow : pandas.DataFrame
        The moves chosen; those whose retrieval exceeds the storage saving; those too slow to read back.
    classes : pandas.DataFrame
        The classes' prices, retrieval fees and times.
    in_bill : pandas.DataFrame or None
        The bill's own storage cost by class (where it has ``x_StorageClass``).
    saving_usd_per_month : float
    """

    moves: pd.DataFrame
    recommended: pd.DataFrame
    costing_more: pd.DataFrame
    too_slow: pd.DataFrame
    classes: pd.DataFrame
    in_bill: Any
    saving_usd_per_month: float
    basis: str = "bill"


class Storage_(Section):
    key, title, switch = "storage", "Storage tiering", "storage"
    columns = ("BilledCost", "EffectiveCost")
    inputs = (Input("storage.datasets", "the storage inventory: datasets, GB, objects and reads per month",
                    _given_not_default("storage.datasets", _datasets),
                    "give storage.datasets: [{dataset, storage_class, gb, objects, read_gb_per_month, "
                    "max_retrieval_hours}]"),)
    queries = (Query("by_class", Q.cost_by, lambda p: {"dimensions": ["x_StorageClass"]},
                     bound="one row per storage class (where the bill has x_StorageClass)"),)
    figures = (_fig("storage_net_saving_usd_per_month", "Storage tiering saves", "usd_per_month",
                    "recommended moves, net of retrieval; transition and early deletion in the table",
                    _M + "storage_tiering_moves"),
               _fig("storage_moves_costing_more", "Archive moves that cost more than they save", "number",
                    "colder classes whose retrieval fees exceed the storage saving", _M + "storage_tiering_moves"),
               _fig("storage_moves_too_slow", "Moves whose retrieval time breaks the access requirement", "number",
                    "colder classes that take longer to return a read than the dataset allows",
                    _M + "storage_tiering_moves"))
    lead = ("storage_net_saving_usd_per_month", "storage_moves_costing_more", "storage_moves_too_slow")
    charts = ("storage_moves",)
    intro = ("The moves to a colder class whose storage saving exceeds retrieval, transition and early-deletion "
             "costs, and whose retrieval time meets the dataset's access requirement; the seed's warning: "
             "archived data read back monthly costs more than it saves.")

    def compute(self, ctx):
        st = ctx.params.storage
        classes = pd.DataFrame([c.model_dump() for c in st.classes])
        datasets = pd.DataFrame([d.model_dump() for d in st.datasets])
        moves = F.storage_tiering_moves(datasets, classes, st.horizon_months)
        moves = moves.merge(datasets[["dataset", "max_retrieval_hours"]], on="dataset", how="left")
        chosen = moves[moves["recommended"]]
        in_bill = None
        if "x_StorageClass" in ctx.data.custom_columns:
            in_bill = self.query(ctx, "by_class").dropna(subset=["x_StorageClass"])
        return StorageResult(moves=moves, recommended=chosen,
                             costing_more=moves[(moves["storage_saving_usd_per_month"] > 0)
                                                & (moves["net_saving_usd_per_month"] < 0)],
                             too_slow=moves[~moves["meets_access_requirement"].astype(bool)],
                             classes=classes[["storage_class", "usd_per_gb_month", "retrieval_usd_per_gb",
                                              "retrieval_hours", "min_storage_days"]],
                             in_bill=in_bill, saving_usd_per_month=float(chosen["net_saving_usd_per_month"].sum()))

    def values(self, ctx, r):
        return {"storage_net_saving_usd_per_month": r.saving_usd_per_month,
                "storage_moves_costing_more": int(len(r.costing_more)), "storage_moves_too_slow": int(len(r.too_slow))}

    def words(self, a, r):
        msg = (f"**Storage.** The recommended tiering moves save {_text(a, 'storage_net_saving_usd_per_month')} net "
               "of retrieval.")
        if len(r.costing_more):
            w = r.costing_more.sort_values("net_saving_usd_per_month").iloc[0]
            msg += (f" Do not archive {report.escape(w['dataset'])} to {report.escape(w['to_class'])}: it is read back "
                    f"monthly, so retrieval costs {_usd(w['retrieval_extra_usd_per_month'])}/month against a storage "
                    f"saving of {_usd(w['storage_saving_usd_per_month'])}/month.")
        if len(r.too_slow):
            names = ", ".join(f"{report.escape(m['dataset'])} to {report.escape(m['to_class'])} "
                              f"({m['retrieval_hours']:g} h against {m['max_retrieval_hours']:g} h allowed)"
                              for _, m in r.too_slow.iterrows())
            msg += f" Not recommended, retrieval too slow for the stated access requirement: {names}."
        return [msg]

    def show(self, a, r):
        from IPython.display import Markdown, display

        from costlib import charts

        super().show(a, r)
        display(Markdown("**Storage classes**: price, retrieval fee, retrieval time (hours to the first byte; 0 = "
                         "milliseconds) and minimum billed duration"))
        display(table(r.classes, "storage"))
        if r.in_bill is not None:
            display(Markdown(f"**Storage in the bill, by class** (USD over the bill's {a.days} days)"))
            display(table(r.in_bill.rename(columns={"x_StorageClass": "storage_class"}), "storage"))
        display(Markdown(f"Each move: the storage saving, the extra retrieval fees and the net, USD per month; the "
                         f"net over the horizon is over {a.params.storage.horizon_months:g} months after transition "
                         "and early-deletion charges; the read-back wait is the hours the class takes to return a "
                         "read, the wait allowed the dataset's access requirement (n/a: none stated)."))
        display(table(storage_moves_table(a), "storage"))
        charts.show(chart_storage(a), "storage_moves")


@dataclass
class ScorecardResult(SectionResult):
    """Team efficiency scorecards.

    Attributes
    ----------
    card : pandas.DataFrame
        Per team (positive amortized cost), ranked: score 0-100 and its metrics (`costlib.finops.team_scorecard`).
    metrics : pandas.DataFrame
        The metrics scored.
    billed_only : int
        Teams with billed cost and no positive amortized cost (not scored: nothing amortized to rank).
    """

    card: pd.DataFrame
    metrics: pd.DataFrame
    billed_only: int
    basis: str = "bill"


class Scorecard(Section):
    key, title = "scorecard", "Team scorecards"
    columns = ("Tags", "EffectiveCost", "ChargePeriodStart")
    needs = ("attribution", "anomalies")
    uses = ("commitments", "kubernetes", "rightsizing", "unit_cost")
    queries = (Query("other_keys", Q.cost_by_tag, lambda p: {"key": p.team_tag_key, "also_tags": [
        k for k in p.required_tag_keys if k != p.team_tag_key]}, bound="teams x presence of the other keys"),
               Query("team_daily", Q.cost_by_tag, lambda p: {"key": p.team_tag_key, "period": "day"},
                     bound="teams x days"))
    figures = (_fig("top_team_by_score", "Most efficient team", "text", "rank 1 of the scorecard", _M + "team_scorecard"),)
    charts = ("scorecard",)
    intro = ("Per team: tag coverage of the other required keys, effective savings rate, utilization of the "
             "commitments it owns (n/a when it owns none), idle (Kubernetes requested-but-unused share), "
             "rightsizing opportunity, anomaly dollars and unit-cost trend, scored 0-100 and ranked.")

    def compute(self, ctx):
        p, s, days = ctx.params, ctx.results, ctx.days
        alloc = s["attribution"].allocation
        teams = [t for t in alloc.index if t != F.UNALLOCATED]
        scored = [t for t in teams if alloc.loc[t, "total_usd"] > 0]
        if not scored:
            raise SectionOff("no team has positive amortized cost", f"tag cost with {p.team_tag_key}")
        cost = pd.Series(F.per_month(alloc.loc[scored, "total_usd"].to_numpy(), days), index=scored)
        others = [k for k in p.required_tag_keys if k != p.team_tag_key]
        coverage = None
        if others:
            frame = self.query(ctx, "other_keys")
            frame = frame.assign(has__all=frame[[f"has__{k}" for k in others]].all(axis=1))
            coverage = F.coverage_by(frame[frame["tag_value"].notna()], ["tag_value"], tagged="has__all")["coverage_share"]
        rates = s["commitments"].team_rates if "commitments" in s else None
        idle = s["kubernetes"].gap.set_index("team")["gap_share"] if "kubernetes" in s else None
        rs = s["rightsizing"].recommendations.groupby("team")["savings_usd_per_month"].sum() if "rightsizing" in s else None
        anomaly = s["anomalies"].by_team
        anomaly = pd.Series(F.per_month(anomaly.to_numpy(dtype=float), days), index=anomaly.index) if len(anomaly) else None
        trend = None
        if "unit_cost" in s:
            per_team = self.query(ctx, "team_daily")
            units = s["unit_cost"].units
            values = {}
            for team, g in per_team[per_team["tag_value"].isin(scored)].groupby("tag_value"):
                series = g.set_index("period_start")["effective_cost"].sort_index().reindex(units.index, fill_value=0.0)
                values[team] = float(F.trend_per_month(F.cost_per_unit_series(series, units).attrs["trend_share_per_period"]))
            trend = pd.Series(values)
        metrics = F.scorecard_metrics(cost, coverage, None if rates is None else rates["effective_savings_rate"],
                                      None if rates is None else rates["commitment_utilization_share"], idle, rs,
                                      anomaly, trend)
        billed_only = int(((alloc.loc[teams, "total_usd"] <= 0) & (alloc.loc[teams, "billed_total_usd"] > 0.005)).sum())
        return ScorecardResult(card=F.team_scorecard(metrics), metrics=metrics, billed_only=billed_only)

    def basis(self, ctx):
        return weakest("bill", *(ctx.results[k].basis for k in self.uses if k in ctx.results))

    def values(self, ctx, r):
        return {"top_team_by_score": str(r.card.index[0])}

    def words(self, a, r):
        card = r.card
        more = (f"; {r.billed_only} more teams have billed cost but no amortized cost to score" if r.billed_only else "")
        if len(card) == 1:
            return [f"**Scorecard.** {report.escape(card.index[0])} is the only team with amortized cost "
                    f"({card['score'].iloc[0]:.0f}/100): nothing to rank it against{more}."]
        return [f"**Scorecard.** {report.escape(card.index[0])} ranks first ({card['score'].iloc[0]:.0f}/100), "
                f"{report.escape(card.index[-1])} last ({card['score'].iloc[-1]:.0f}/100) of {len(card)} teams with "
                f"amortized cost{more}."]

    def show(self, a, r):
        from IPython.display import Markdown, display

        from costlib import charts

        super().show(a, r)
        charts.show(chart_scorecard(a), "scorecard")
        card = r.card.reset_index(names="team").rename(columns={
            "cost_usd_per_month": "cost", "tag_coverage_share": "tags", "effective_savings_rate": "esr",
            "commitment_utilization_share": "commit_util", "idle_share": "idle",
            "rightsizing_usd_per_month": "rightsize", "anomaly_usd_per_month": "anomalies",
            "unit_cost_trend_share_per_month": "unit_cost_trend"})
        note = a.sections["commitments"].team_note if "commitments" in a.sections else "no commitments section"
        display(Markdown("Ranked by score. Cost, the rightsizing opportunity and anomaly dollars are USD per month; "
                         "tag coverage is of the other required keys; commitment utilization is of the commitments "
                         f"the team owns ({report.escape(note)}); Kubernetes idle is the requested-but-unused share; "
                         "the unit cost trend is the change of cost per unit per month."))
        display(table(card[["team", "score", "cost", "tags", "esr", "commit_util", "idle", "rightsize", "anomalies",
                            "unit_cost_trend"]], "scorecard"))


def spot_result(b: SpotBatch, **moved) -> F.SpotBatchResult:
    """`costlib.finops.spot_batch_window` on the scenario's batch (with any inputs moved)."""
    v = {**b.model_dump(), **moved}
    return F.spot_batch_window(v["work_hours"], v["window_hours"], v["instances"], v["spot_usd_per_instance_hour"],
                               v["on_demand_usd_per_instance_hour"], v["interruption_rate_per_hour"], pools=v["pools"],
                               checkpoint_interval_hours=v["checkpoint_interval_hours"],
                               replacement_delay_hours=v["replacement_delay_hours"],
                               fallback_at_hours=v["fallback_at_hours"], on_demand_start_hours=v["on_demand_start_hours"],
                               runs=v["runs"], seed=0)


@dataclass
class SpotResult(SectionResult):
    """The nightly batch on a spot fleet with checkpoints and an on-demand fallback, against all on-demand.

    Attributes
    ----------
    result : costlib.finops.SpotBatchResult
        At the scenario's inputs.
    table : pandas.DataFrame
        Four architectures: all on-demand, spot with fallback, without fallback, one pool.
    saving_usd_per_month : float
        Expected saving per run x runs per month.
    deadline_curve, rate_curve : pandas.DataFrame or None
        Saving and chance of a miss against the fallback deadline and against the reclaim rate.
    """

    result: Any
    table: pd.DataFrame
    saving_usd_per_month: float
    deadline_curve: Any = None
    rate_curve: Any = None
    basis: str = "bill"


class Spot(Section):
    key, title, switch = "spot", "The nightly batch on spot", "spot_batch"
    inputs = (Input("spot_batch.work_hours", "the batch plan: work hours, window, fleet, prices, reclaim rate",
                    _given_not_default("spot_batch", lambda: SpotBatch()),
                    "give spot_batch: {work_hours, window_hours, instances, spot and on-demand prices, "
                    "interruption_rate_per_hour}"),)
    figures = (_fig("spot_expected_cost_usd_per_run", "Spot batch: expected cost per run", "usd",
                    "spot fleet with checkpoints and on-demand fallback", _M + "spot_batch_window"),
               _fig("on_demand_cost_usd_per_run", "All on-demand: cost per run", "usd", "the baseline",
                    _M + "on_demand_batch_cost"),
               _fig("spot_expected_saving_usd_per_run", "Spot batch: expected saving per run", "usd",
                    "on-demand cost minus spot expected cost", _M + "spot_batch_window"),
               _fig("spot_probability_miss", "Spot batch: chance of missing the window", "probability",
                    "share of simulated nights finishing after the window", _M + "spot_batch_window"),
               _fig("spot_expected_saving_p10_usd_per_run", "Spot batch: saving per run, P10", "usd",
                    "10th percentile over the fallback deadline and reclaim rate drawn from their ranges",
                    _M + "spot_batch_draws"),
               _fig("spot_expected_saving_p90_usd_per_run", "Spot batch: saving per run, P90", "usd",
                    "90th percentile over the fallback deadline and reclaim rate drawn from their ranges",
                    _M + "spot_batch_draws"),
               _fig("spot_probability_miss_above_max", "Spot batch: chance the miss rate exceeds the maximum",
                    "probability", "share of draws (deadline, reclaim rate) whose chance of a miss exceeds the "
                    "stated maximum", _M + "spot_batch_draws"))
    headline = ("spot_expected_saving_usd_per_run", "spot_probability_miss")
    charts = ("spot_curves",)
    intro = ("The seed's batch that must finish within its window: a spot fleet diversified over capacity pools, "
             "checkpointing to object storage, with an on-demand fallback at a deadline, against all on-demand.")

    def ranges(self, p):
        b = p.spot_batch
        if b.fallback_at_hours is None:
            return {}
        rate = b.interruption_rate_per_hour
        return {"spot.fallback_at_hours": (max(0.0, b.fallback_at_hours - 0.5), b.fallback_at_hours,
                                           min(b.window_hours, b.fallback_at_hours + 0.5)),
                "spot.interruption_rate_per_hour": (0.5 * rate, rate, 2 * rate if rate > 0 else 0.1)}

    def compute(self, ctx):
        b = ctx.params.spot_batch
        r = spot_result(b)
        no_fallback = spot_result(b, fallback_at_hours=None) if b.fallback_at_hours is not None else r
        one_pool = spot_result(b, pools=1)
        rows = []
        for name, x in ((f"spot, {b.pools} pools, fallback at {b.fallback_at_hours} h", r),
                        (f"spot, {b.pools} pools, no fallback", no_fallback),
                        (f"spot, 1 pool, fallback at {b.fallback_at_hours} h", one_pool)):
            rows.append({"architecture": name, "expected_cost_usd": x.expected_cost_usd, "p90_cost_usd": x.p90_cost_usd,
                         "probability_miss": x.probability_miss, "fallback_share": x.fallback_share})
        table = pd.DataFrame([{"architecture": "all on-demand", "expected_cost_usd": r.on_demand_cost_usd,
                               "p90_cost_usd": r.on_demand_cost_usd, "probability_miss": 0.0, "fallback_share": 0.0},
                              *rows])
        return SpotResult(result=r, table=table,
                          saving_usd_per_month=float(F.runs_per_month_cost(r.expected_saving_usd, b.runs_per_month)))

    def values(self, ctx, r):
        x = r.result
        return {"spot_expected_cost_usd_per_run": x.expected_cost_usd, "on_demand_cost_usd_per_run": x.on_demand_cost_usd,
                "spot_expected_saving_usd_per_run": x.expected_saving_usd, "spot_probability_miss": x.probability_miss}

    def answers(self, a, r):
        p, b = a.params, a.params.spot_batch
        if b.fallback_at_hours is None:
            return {}
        ranges = _ranges(p, "spot")
        base = {"fallback_at_hours": b.fallback_at_hours, "interruption_rate_per_hour": b.interruption_rate_per_hour}
        bounds = {"fallback_at_hours": (0.0, b.window_hours),
                  "interruption_rate_per_hour": (0.0, max(10 * b.interruption_rate_per_hour, 1.0))}
        batch = {k: v for k, v in b.model_dump().items() if k in (
            "work_hours", "window_hours", "instances", "spot_usd_per_instance_hour", "on_demand_usd_per_instance_hour",
            "pools", "checkpoint_interval_hours", "replacement_delay_hours", "on_demand_start_hours", "runs")}
        m = F.spot_batch_models(batch, base, bounds, extra_points={k: v for k, v in ranges.items()},
                                nights_per_draw=b.nights_per_draw, seed=0, draw_seed=p.seed)
        sv = uncertainty.assess(m.saving, base, ranges, flip_bounds=bounds, target=0.0, draws_from="model",
                                n=p.monte_carlo_draws, seed=p.seed)
        ms = uncertainty.assess(m.miss, base, ranges, flip_bounds=bounds, target=b.max_miss_probability,
                                draws_from="model", n=p.monte_carlo_draws, seed=p.seed)
        joint = F.spot_plan_probability(sv.draws.outputs, ms.draws.outputs, b.max_miss_probability)
        a.figures["spot_expected_saving_p10_usd_per_run"] = sv.p10
        a.figures["spot_expected_saving_p90_usd_per_run"] = sv.p90
        a.figures["spot_probability_miss_above_max"] = float(np.mean(ms.draws.outputs > b.max_miss_probability))
        for name, attr in (("fallback_at_hours", "deadline_curve"), ("interruption_rate_per_hour", "rate_curve")):
            setattr(r, attr, pd.DataFrame({name: m.grids[name],
                                           "expected_saving_usd": [x.expected_saving_usd for x in m.runs[name]],
                                           "probability_miss": [x.probability_miss for x in m.runs[name]]}))
        return {"spot": contract.Answer("spot", "spot_expected_saving_usd_per_run", m.saving, base, 0.0, sv,
                                        extra={"joint_agreement": joint}),
                "spot_miss": contract.Answer("spot_miss", "spot_probability_miss", m.miss, base,
                                             b.max_miss_probability, ms)}

    def decisions(self, a, r):
        b, fig = a.params.spot_batch, a.figures
        ok = fig["spot_expected_saving_usd_per_run"] > 0 and fig["spot_probability_miss"] <= b.max_miss_probability
        flips = [f"the chance of missing the window exceeds {_pct(b.max_miss_probability)} or the saving per run "
                 "falls to zero"]
        agreement = None
        if "spot" in a.answers:
            for answer, then in (("spot_miss", f"more than {_pct(b.max_miss_probability)} of nights miss"),
                                 ("spot", "the fleet saves nothing")):
                for _, x in a.answers[answer].assessment.flips.iterrows():
                    if not np.isfinite(x["flip_value"]):
                        continue
                    side = "above" if x["flip_value"] > x["base_value"] else "below"
                    what = ({"fallback_at_hours": f"the fallback deadline alone moves {side} "
                                                  f"{x['flip_value']:.2f} hours after the start",
                             "interruption_rate_per_hour": f"the reclaim rate alone moves {side} "
                                                           f"{x['flip_value']:.2f} per pool-hour"})[x["input"]]
                    flips.append(f"{what} (then {then})")
            agreement = uncertainty.agreement(a.answers["spot"].extra["joint_agreement"], ok)
        return [("spot_batch", contract.Decision(
            question=f"Run the nightly {b.window_hours:g}-hour batch on spot",
            verdict="spot with on-demand fallback" if ok else "all on-demand",
            rests_on=("spot_expected_saving_usd_per_run", "spot_probability_miss"),
            flips_when="; ".join(flips), agreement=agreement))]

    def words(self, a, r):
        x, h, b = r.result, a.figures, a.params.spot_batch
        msg = (f"**Spot batch.** Expected {_text(a, 'spot_expected_cost_usd_per_run')} a night against "
               f"{_text(a, 'on_demand_cost_usd_per_run')} all on-demand, missing the window in "
               f"{_text(a, 'spot_probability_miss')} of simulated nights (fallback used in {_pct(x.fallback_share)}).")
        if "spot_expected_saving_p10_usd_per_run" in h:
            msg += (f" With the fallback deadline and the reclaim rate drawn from their ranges, the saving per night "
                    f"is {_text(a, 'spot_expected_saving_p10_usd_per_run')} to "
                    f"{_text(a, 'spot_expected_saving_p90_usd_per_run')} (P10-P90), and the chance of a miss exceeds "
                    f"{_pct(b.max_miss_probability)} in {_text(a, 'spot_probability_miss_above_max')} of the draws.")
        return [msg]

    def controls(self, p):
        b = p.spot_batch
        if b.fallback_at_hours is None:
            return {}
        return {"fallback_at_hours": (0.0, b.window_hours, 0.05, b.fallback_at_hours, "spot_batch.fallback_at_hours")}

    def whatif(self, a, r, **inputs):
        b = a.params.spot_batch
        if b.fallback_at_hours is None:
            return {}
        x = spot_result(b, fallback_at_hours=float(inputs.get("fallback_at_hours", b.fallback_at_hours)))
        return {"spot_expected_saving_usd_per_run": x.expected_saving_usd, "spot_probability_miss": x.probability_miss}

    def show(self, a, r):
        from IPython.display import Markdown, display

        from costlib import charts

        super().show(a, r)
        display(Markdown("USD per nightly run; the chance of a miss over the simulated nights."))
        display(table(r.table, "spot"))
        if r.deadline_curve is not None:
            charts.show(chart_spot_curves(a), "spot_curves")


@dataclass
class SavingsResult(SectionResult):
    """The savings levers together.

    Attributes
    ----------
    levers : pandas.DataFrame
        One row per lever (USD per month), largest first.
    total_usd_per_month : float
        Their sum (`costlib.finops.savings_available`).
    """

    levers: pd.DataFrame
    total_usd_per_month: float
    basis: str = "bill"


#: The levers: section -> (its words, a function of its result giving USD per month).
LEVERS = {"rightsizing": ("rightsizing (now)", lambda r: r.savings_now),
          "storage": ("storage tiering", lambda r: r.saving_usd_per_month),
          "spot": ("spot batch", lambda r: r.saving_usd_per_month),
          "runaway": ("runaway service waste", lambda r: r.split.waste_usd)}


class Savings(Section):
    key, title = "savings", "Savings available"
    uses = tuple(LEVERS)
    figures = (_fig("savings_available_usd_per_month", "Savings available", "usd_per_month",
                    "rightsizing now + storage moves + spot batch + runaway waste, per 730-hour month",
                    _M + "savings_available"),)
    headline = ("savings_available_usd_per_month",)
    intro = "The levers together, each per month."

    def compute(self, ctx):
        parts = {LEVERS[k][0]: LEVERS[k][1](ctx.results[k]) for k in LEVERS if k in ctx.results}
        if not parts:
            raise SectionOff("no savings lever is on (rightsizing, storage, spot batch or runaway service)",
                             "turn on one of those sections")
        total, levers = F.savings_available(parts)
        return SavingsResult(levers=levers, total_usd_per_month=float(total))

    def values(self, ctx, r):
        return {"savings_available_usd_per_month": r.total_usd_per_month}

    def words(self, a, r):
        top = r.levers.iloc[0]
        return [f"**Savings available: {_text(a, 'savings_available_usd_per_month')}**, the largest lever "
                f"{report.escape(top['lever'])} ({_usd(top['usd_per_month'])}/month)."]

    def show(self, a, r):
        from IPython.display import display

        super().show(a, r)
        display(table(r.levers, "savings"))


for _s in (Money(), Attribution(), UnitCost(), Kubernetes_(), Anomalies_(), Runaway_(), Rightsizing_(),
           Commitments_(), Storage_(), Scorecard(), Spot(), Savings()):
    register(_s)


# ---------------------------------------------------------------------------------------------------
# Charts (built from the analysis; `costlib.charts.show` renders them). Every frame is aggregated.


def chart_daily(a: Analysis):
    from costlib import charts

    frame = a.sections["money"]["daily_long"].drop(columns=["day"], errors="ignore").rename(
        columns={"period_start": "day", "usd": "USD per day"})
    return charts.lines(frame[["day", "USD per day", "cost"]], x="day", y="USD per day", series="cost", x_type="T",
                        title="Billed and amortized cost per day", x_title="day (UTC)", y_title="USD per day",
                        subtitle=["Billed is cash (purchases on the day bought); amortized spreads commitments over "
                                  "the usage they cover"], points=False)


def chart_services(a: Analysis):
    from costlib import charts

    frame = a.sections["money"]["by"]["service"].head(10).rename(
        columns={"ServiceName": "service", "effective_cost": "amortized cost (USD)"})
    return charts.bars(frame[["service", "amortized cost (USD)"]], category="service", value="amortized cost (USD)",
                       title="Amortized cost by service", value_title="USD over the bill's days")


def chart_coverage(a: Analysis):
    from costlib import charts

    frame = a.sections["attribution"]["over_time"].drop(columns=["day"], errors="ignore").rename(
        columns={"period_start": "day", "coverage_share": "coverage", "tag_key": "tag key"})
    return charts.lines(frame[["day", "coverage", "tag key"]], x="day", y="coverage", series="tag key", x_type="T",
                        money=False, title="Tag coverage per day (share of amortized cost)", x_title="day (UTC)",
                        y_title="share of cost carrying the key", points=False)


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
    """The showback's teams with cost on either basis (amortized or billed), the ``top`` costliest first (by
    amortized, then billed cost; the unallocated row kept), and how many teams and amortized dollars the rest
    hold (a tag may name hundreds of teams, most without cost)."""
    t = a.sections["attribution"].allocation
    t = t[(t["total_usd"].abs() > 0.005) | (t["billed_total_usd"].abs() > 0.005)]
    named = t.drop(index=[F.UNALLOCATED], errors="ignore").sort_values(["total_usd", "billed_total_usd"],
                                                                        ascending=False)
    shown = named.head(top)
    if F.UNALLOCATED in t.index:
        shown = pd.concat([shown, t.loc[[F.UNALLOCATED]]])
    rest = named.iloc[top:]
    return shown.reset_index(names="team"), int(len(rest)), float(rest["total_usd"].sum())


def chart_allocation(a: Analysis):
    from costlib import charts

    t = allocation_shown(a)[0]
    parts = {k: COLUMNS[k].label.lower() for k in ("direct_usd", "shared_usd", "untagged_usd", "unused_commitment_usd")}
    long = t.melt(id_vars="team", value_vars=list(parts), var_name="part", value_name="USD")
    long["part"] = long["part"].map(parts)
    return charts.stacked_cost(long, x="team", value="USD", component="part", title="Showback by team",
                               y_title="USD over the bill's days",
                               subtitle=[f"Shared cost split {a.params.allocation_method}ly; untagged "
                                         f"{a.params.untagged_rule}; unused commitment {a.params.unused_commitment_rule}"])


def chart_kubernetes(a: Analysis):
    from costlib import charts

    long = a.sections["kubernetes"]["table"].melt(id_vars="team", var_name="basis", value_name="USD")
    long["basis"] = long["basis"].map(lambda k: COLUMNS[k].label.lower() if k in COLUMNS else L.words(k))
    return charts.stacked_cost(long, x="basis", value="USD", component="team",
                               title="Cluster cost by requests, usage and max(request, usage)",
                               y_title="USD over the usage window", subtitle=["(idle) is node cost no pod is charged for"])


def chart_anomalies(a: Analysis):
    import altair as alt

    from costlib import charts

    an = a.sections["anomalies"]
    frame = an["chart_series"].assign(series=lambda d: d["ServiceName"] + " / " + d["SubAccountId"])
    frame = frame.groupby(["series", "period_start"], as_index=False)["effective_cost"].sum().rename(
        columns={"period_start": "day", "effective_cost": "USD per day"})
    line = charts.lines(frame, x="day", y="USD per day", series="series", x_type="T", points=False,
                        title="The services with the largest anomaly dollars", x_title="day (UTC)",
                        y_title="USD per day", subtitle=["Dots: days alerted by any detector"])
    al = an["alerts"]
    al = al[al["ServiceName"].isin(an["top_services"])].assign(
        series=lambda d: d["ServiceName"] + " / " + d["SubAccountId"],
        day=lambda d: pd.to_datetime(d["period"], utc=True)).rename(columns={"cost_usd": "USD per day"})
    al = al.drop_duplicates(["series", "day"])[["series", "day", "USD per day"]]
    dots = alt.Chart(al).mark_point(filled=True, size=60, color="#D55E00").encode(
        x="day:T", y="USD per day:Q", tooltip=["series:N", "day:T", alt.Tooltip("USD per day:Q", format="$,.2f")])
    return alt.layer(line, dots)


def chart_rightsizing_band(a: Analysis):
    from costlib import charts

    band = a.answers["rightsizing"].assessment.band.rename(columns={"target_p99_share": "target P99"})
    return charts.band(band, x="target P99", title="Rightsizing savings now against the P99 target",
                       y_title="USD per month", x_title="target P99 utilization",
                       subtitle=["P10-P90 over headroom drawn from its range; line: P50"],
                       rule_y=a.params.rightsizing.action_floor_usd_per_month)


def chart_scorecard(a: Analysis):
    from costlib import charts

    card = a.sections["scorecard"]["card"].reset_index(names="team")[["team", "score"]]
    return charts.bars(card, category="team", value="score", title="Team efficiency scorecard (0-100)",
                       value_title="score", money=False,
                       subtitle=["Tagging, savings rate, utilization, idle, rightsizing, anomalies, unit cost"])


def chart_storage(a: Analysis):
    from costlib import charts

    moves = a.sections["storage"]["moves"]
    slow = ~moves["meets_access_requirement"].astype(bool)
    moves = pd.DataFrame({"move": moves["dataset"] + " to " + moves["to_class"] + np.where(slow, " (too slow)", ""),
                          "net saving (USD per month)": moves["net_saving_usd_per_month"],
                          "avoid": (moves["net_saving_usd_per_month"] < 0) | slow})
    return charts.bars(moves, category="move", value="net saving (USD per month)", highlight="avoid",
                       title="Storage moves: net saving per month", value_title="USD per month",
                       subtitle=["Red: retrieval fees exceed the storage saving, or the class takes longer to return "
                                 "a read than the dataset allows"])


def chart_unit_cost(a: Analysis):
    import altair as alt

    from costlib import charts

    u = a.sections["unit_cost"]
    price = a.params.business_metric.price_usd_per_unit
    unit = a.params.business_metric.unit_name
    frame = u["series"].drop(columns=["day"], errors="ignore").rename(columns={"period_start": "day", "cost_usd_per_unit": f"USD per {L.words(unit)}"})
    frame = frame[["day", f"USD per {L.words(unit)}"]]
    chart = charts.lines(frame, x="day", y=f"USD per {L.words(unit)}", x_type="T", points=True,
                         title=f"Cost per {L.words(unit)} per day", x_title="day (UTC)",
                         y_title=f"USD per {L.words(unit)}",
                         subtitle=[f"Dashed: the price ({_usd(price)})" if price is not None else "No price given"])
    if price is None:
        return chart
    rule = alt.Chart(pd.DataFrame({"y": [price]})).mark_rule(color="#D55E00", strokeDash=[4, 4]).encode(y="y:Q")
    return alt.layer(chart, rule)


def tornado_answers(a: Analysis) -> list[str]:
    """The answers whose tornado draws a bar: an input with a range that moves the output (`charts.tornado`
    leaves the others out, and an empty chart is not drawn)."""
    from costlib import charts

    out = []
    for name in ("rightsizing", "spot", "spot_miss", "anomalies", "attribution"):
        t = a.answers[name].assessment.tornado if name in a.answers else None
        if t is not None and len(t) and bool(charts.moving_inputs(t).any()):
            out.append(name)
    return out


def chart_tornado(a: Analysis, answer: str):
    from costlib import charts

    import sys

    label = {"attribution": "unallocated share", "rightsizing": "rightsizing savings now (USD per month)",
             "spot": "spot saving per run (USD)", "spot_miss": "chance of missing the window",
             "anomalies": "anomaly dollars in paged incidents (USD)"}[answer]
    title = {"attribution": "What moves the unallocated share most",
             "rightsizing": "What moves the rightsizing savings most",
             "spot": "What moves the spot batch's saving most",
             "spot_miss": "What moves the spot batch's chance of a miss most",
             "anomalies": "What moves the anomaly dollars most"}[answer]
    return charts.tornado(a.answers[answer].assessment.tornado, output_label=label, title=title,
                          unit=ANSWER_LABELS[answer][2], workbook=sys.modules[__name__])


def chart_spot_curves(a: Analysis):
    import altair as alt

    from costlib import charts

    b = a.params.spot_batch
    curve = a.sections["spot"]["rate_curve"].assign(figure="chance of a miss").rename(
        columns={"interruption_rate_per_hour": "reclaims per pool per hour", "probability_miss": "chance of a miss"})
    chart = charts.lines(curve[["reclaims per pool per hour", "chance of a miss", "figure"]],
                         x="reclaims per pool per hour", y="chance of a miss", series="figure", money=False,
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
            frames.append(f.assign(output=ANSWER_LABELS[name][1], flips_when=_flip_words(f))[
                ["output", "input", "base_value", "flips_when"]])
    g = a.sections["anomalies"].get("gate_flips")
    if g is not None:
        frames.append(g.assign(output="anomaly dollars (to none)")[["output", "input", "base_value", "flips_when"]]
                      .assign(flips_when=_flip_words(g)))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["output", "input", "base_value",
                                                                                     "flips_when"])


def _flip_words(flips: pd.DataFrame) -> list[str]:
    """Each flip point in words with its input's unit (``above $381.71``); a row without one keeps its reason
    (``no flip: other detectors still alert``)."""
    out = []
    for r in flips.to_dict("records"):
        flip, base = r.get("flip_value"), r.get("base_value")
        if L.number(flip) and L.number(base):
            unit = L.describe(str(r["input"]), FIGURES).unit
            out.append(f"{'above' if float(flip) > float(base) else 'below'} "
                       f"{L.text(flip, 'number' if unit == 'text' else unit)}")
        else:
            out.append(str(r.get("flips_when", "no flip in the range searched")))
    return out


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
