"""A seeded, vectorised generator of synthetic FOCUS 1.2 billing data with known answers.

`generate` writes hourly rows for a fleet of resources across three providers, their services, regions
and sub-accounts, to Parquet, and returns a `Truth`: every figure the FinOps queries should find,
computed from the generator's own arrays (not through SQL). The data holds:

- tags with a stated coverage: each resource carries ``team`` with probability ``TAG_COVERAGE["team"]``
  and so on, some keys missing; Kubernetes nodes carry a cluster tag and no team (shared cost);
- two commitment discounts (a spend-based Savings Plan on compute, a usage-based reservation on
  databases) with recurring monthly purchases, covered usage ("Used" rows), and hourly "Unused" rows, so
  utilization is known and amortized usage equals purchases exactly;
- storage resources in three storage classes (``x_StorageClass``);
- a credit and an adjustment per provider and month, and tax per sub-account and month;
- injected anomalies at known times and sizes: a one-day spike, a level shift, and an ML service whose
  cost triples over the period (`ANOMALIES`).

Rows are made resource block by resource block (one Parquet row group each), so memory stays bounded;
10M rows take a few seconds.

Examples
--------
>>> import tempfile, pathlib
>>> truth = generate(pathlib.Path(tempfile.mkdtemp()) / "bill.parquet", resources=60, days=14, seed=1)
>>> truth.rows == truth.usage_rows + truth.other_rows
True
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from costlib import focus
from costlib.constants import HOURS_PER_MONTH

#: Bump when the generated data changes (a column added, a distribution changed): caches keyed by it regenerate.
GENERATOR_VERSION = "2"  # 2: CommitmentDiscountQuantity and CommitmentDiscountUnit (FOCUS 1.1+)

#: Share of resources that carry each tag key (Kubernetes nodes never carry ``team``).
TAG_COVERAGE = {"team": 0.80, "environment": 0.95, "cost-center": 0.70}
TEAMS = ("checkout", "search", "ads", "ml-platform", "data", "web")
ENVIRONMENTS = ("prod", "staging", "dev")
COST_CENTERS = ("CC-100", "CC-200", "CC-300")
KUBERNETES_CLUSTER = "shop-prod"
STORAGE_CLASSES = {"STANDARD": 0.023, "STANDARD_IA": 0.0125, "GLACIER": 0.004}  # USD per GB-month

# Providers: (ProviderName, InvoiceIssuerName, BillingAccountId, sub-accounts)
PROVIDERS = (
    ("AWS", "Amazon Web Services, Inc.", "100000000001", ("aws-shop", "aws-data", "aws-ml")),
    ("Microsoft", "Microsoft", "ms-billing-0001", ("az-web", "az-analytics")),
    ("Google Cloud", "Google", "gcp-billing-0001", ("gcp-search", "gcp-ml")),
)
# Services: (provider index, ServiceName, ServiceCategory, ResourceType, PricingUnit, USD per unit, kind,
# mean units per hour, share of resources)
SERVICES = (
    (0, "Amazon Elastic Compute Cloud", "Compute", "Virtual Machine", "Hours", 0.192, "compute", 1.0, 0.30),
    (0, "Amazon Relational Database Service", "Databases", "Database Instance", "Hours", 0.480, "database", 1.0, 0.06),
    (0, "Amazon Simple Storage Service", "Storage", "Bucket", "GB-Month", 0.023, "storage", 4000.0, 0.10),
    (0, "Amazon SageMaker", "AI and Machine Learning", "Training Job", "Hours", 3.825, "ml", 1.0, 0.02),
    (0, "Amazon Elastic Kubernetes Service", "Compute", "Kubernetes node", "Hours", 0.384, "k8s", 1.0, 0.05),
    (0, "AWS Data Transfer", "Networking", "Data Transfer", "GB", 0.09, "network", 20.0, 0.07),
    (1, "Virtual Machines", "Compute", "Virtual Machine", "Hours", 0.208, "compute", 1.0, 0.14),
    (1, "Azure SQL Database", "Databases", "Database", "Hours", 0.504, "database", 1.0, 0.04),
    (1, "Storage", "Storage", "Storage Account", "GB-Month", 0.0208, "storage", 3000.0, 0.06),
    (2, "Compute Engine", "Compute", "Virtual Machine", "Hours", 0.190, "compute", 1.0, 0.10),
    (2, "Cloud Storage", "Storage", "Bucket", "GB-Month", 0.020, "storage", 3000.0, 0.04),
    (2, "Vertex AI", "AI and Machine Learning", "Endpoint", "Hours", 1.375, "ml", 1.0, 0.02),
)
REGIONS = {0: ("us-east-1", "us-west-2", "eu-west-1"), 1: ("eastus", "westeurope"), 2: ("us-central1", "europe-west1")}
LIST_UPLIFT = 1.0  # list price = billed on-demand price (no negotiated discount in the synthetic bill)
TAX_RATE = 0.08
# Commitments: (id, type, category, service index, covered share of that service's resources, rate as a
# share of on-demand, commitment size as a multiple of the peak covered hourly usage)
COMMITMENTS = (
    ("sp-compute-2026", "Savings Plan", "Spend", 0, 0.5, 0.72, 1.10),
    ("ri-rds-2026", "Reserved Instance", "Usage", 1, 0.6, 0.60, 1.00),
)
#: CommitmentDiscountUnit by CommitmentDiscountCategory (FOCUS 1.1+): spend-based commitments count in the
#: billing currency, usage-based ones in hours of the covered service's unit.
COMMITMENT_UNITS = {"Spend": "USD", "Usage": "Hours"}
#: Injected anomalies: kind, service, sub-account, first day (0-based), days, multiplier on usage.
#: "ramp" rises linearly from 1 at the first day to the multiplier at the end of the period.
ANOMALIES = (
    {"kind": "spike", "service": "Amazon Relational Database Service", "sub_account": "aws-data",
     "first_day": 9, "days": 1, "multiplier": 2.5},
    {"kind": "level_shift", "service": "Compute Engine", "sub_account": "gcp-search",
     "first_day": 18, "days": None, "multiplier": 1.4},
    {"kind": "ramp", "service": "Amazon SageMaker", "sub_account": "aws-ml",
     "first_day": 0, "days": None, "multiplier": 3.0},
)


@dataclasses.dataclass
class Truth:
    """What the generated data holds, computed from the generator's arrays."""

    path: str
    rows: int
    usage_rows: int
    other_rows: int
    hours: int
    start: str
    totals: pd.DataFrame          # ChargeCategory -> billed_cost, effective_cost, rows
    daily_by_service: pd.DataFrame  # ServiceName, day, effective_cost, billed_cost
    daily_by_service_account: pd.DataFrame  # ServiceName, SubAccountId, day, effective_cost, base_effective_cost
    tag_coverage: dict            # key -> share of effective cost carried by rows with the key
    tag_coverage_billed: dict
    showback_team: pd.DataFrame   # team (None = untagged) -> effective_cost, billed_cost
    commitments: pd.DataFrame     # CommitmentDiscountId -> used_cost, unused_cost, purchases_billed, utilization,
    #                               CommitmentDiscountUnit, used_quantity, unused_quantity, utilization_by_quantity
    resources: pd.DataFrame       # ResourceId -> effective_cost, hours, p99_hourly_effective_cost
    anomalies: list
    kubernetes_node_cost: float
    storage_by_class: dict

    @property
    def billed_cost(self) -> float:
        return float(self.totals["billed_cost"].sum())

    @property
    def effective_cost(self) -> float:
        return float(self.totals["effective_cost"].sum())


def _strings(values) -> np.ndarray:
    """An object array of str with None for missing (pandas may hold missing strings as NaN)."""
    return np.array([v if isinstance(v, str) else None for v in values], dtype=object)


def _choice_index(rng, n, weights):
    weights = np.asarray(weights, float)
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def _resources(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """The fleet: one row per resource with its fixed attributes."""
    service = _choice_index(rng, n, [s[8] for s in SERVICES])
    # Every anomaly's service and sub-account has resources: pin the first few.
    names = [s[1] for s in SERVICES]
    for i, anomaly in enumerate(ANOMALIES):
        service[i] = names.index(anomaly["service"])
    provider = np.array([SERVICES[s][0] for s in service])
    sub_account = np.empty(n, dtype=object)
    region = np.empty(n, dtype=object)
    for p, (_, _, _, subs) in enumerate(PROVIDERS):
        mask = provider == p
        sub_account[mask] = np.array(subs, dtype=object)[rng.integers(0, len(subs), mask.sum())]
        region[mask] = np.array(REGIONS[p], dtype=object)[rng.integers(0, len(REGIONS[p]), mask.sum())]
    for i, anomaly in enumerate(ANOMALIES):
        sub_account[i] = anomaly["sub_account"]
    kind = np.array([SERVICES[s][6] for s in service], dtype=object)
    size = rng.choice([1.0, 2.0, 4.0, 8.0], size=n, p=[0.4, 0.3, 0.2, 0.1])
    mean_units = np.array([SERVICES[s][7] for s in service]) * np.where(kind == "storage", rng.uniform(0.2, 5, n), size)
    price = np.array([SERVICES[s][5] for s in service])
    storage_class = np.full(n, None, dtype=object)
    is_storage = kind == "storage"
    classes = np.array(list(STORAGE_CLASSES), dtype=object)
    storage_class[is_storage] = classes[_choice_index(rng, int(is_storage.sum()), [0.6, 0.3, 0.1])]
    aws_s3 = is_storage & (service == names.index("Amazon Simple Storage Service"))
    price = np.where(aws_s3, [STORAGE_CLASSES.get(c, 0.0) if c else 0.0 for c in storage_class], price)
    # Storage is priced per GB-month: the hourly cost is GB x price / 730.
    hourly_price = np.where(is_storage, price / HOURS_PER_MONTH, price)
    team = np.array(TEAMS, dtype=object)[rng.integers(0, len(TEAMS), n)]
    env = np.array(ENVIRONMENTS, dtype=object)[_choice_index(rng, n, [0.6, 0.2, 0.2])]
    cc = np.array(COST_CENTERS, dtype=object)[rng.integers(0, len(COST_CENTERS), n)]
    has = {k: rng.random(n) < share for k, share in TAG_COVERAGE.items()}
    has["team"] &= kind != "k8s"
    commitment = np.full(n, None, dtype=object)
    anomalous = np.zeros(n, dtype=bool)  # resources an anomaly hits are never covered by a commitment
    for anomaly in ANOMALIES:
        anomalous |= (service == names.index(anomaly["service"])) & (sub_account == anomaly["sub_account"])
    for cid, _, _, svc, share, _, _ in COMMITMENTS:
        candidates = np.flatnonzero((service == svc) & ~anomalous)
        chosen = candidates[rng.random(candidates.size) < share]
        if chosen.size == 0 and candidates.size:  # a small fleet still has one covered resource
            chosen = candidates[:1]
        commitment[chosen] = cid
    ids = [f"{SERVICES[s][1].split()[-1].lower()}-{i:06d}" for i, s in enumerate(service)]
    frame = pd.DataFrame({
        "ResourceId": ids, "service": service, "provider": provider, "SubAccountId": sub_account,
        "RegionId": region, "kind": kind, "mean_units": mean_units, "price": price,
        "hourly_price": hourly_price, "storage_class": storage_class, "commitment": commitment,
        "team": np.where(has["team"], team, None), "environment": np.where(has["environment"], env, None),
        "cost-center": np.where(has["cost-center"], cc, None),
    })
    tags = []
    keys = ("team", "environment", "cost-center")
    for i in range(n):
        t = {k: str(frame[k].iat[i]) for k in keys if has[k][i]}
        if kind[i] == "k8s":
            t["k8s-cluster"] = KUBERNETES_CLUSTER
        tags.append(json.dumps(t) if t else None)
    frame["Tags"] = tags
    return frame


def _shape(kind: np.ndarray, hours: int, start: pd.Timestamp) -> np.ndarray:
    """Usage shape per resource kind and hour: diurnal and weekly for interactive services, flat storage."""
    h = np.arange(hours)
    stamp = start + pd.to_timedelta(h, unit="h")
    hour_of_day = np.asarray(stamp.hour)
    weekday = np.asarray(stamp.day_of_week)
    diurnal = 1.0 + 0.25 * np.sin(2 * np.pi * (hour_of_day - 9) / 24)
    weekly = np.where(weekday >= 5, 0.8, 1.0)
    interactive = diurnal * weekly
    flat = 1.0 + 0.1 * h / max(hours - 1, 1)  # storage grows 10% over the period
    out = np.where((kind == "storage")[:, None], flat[None, :], interactive[None, :])
    return np.where(np.isin(kind, ["database", "k8s"])[:, None], 1.0, out)


def _anomaly_factor(fleet: pd.DataFrame, hours: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Multiplier on usage per (resource, hour), and per anomaly the mask of affected (resource, hour)."""
    factor = np.ones((len(fleet), hours))
    service_names = np.array([SERVICES[s][1] for s in fleet["service"]], dtype=object)
    masks = []
    day = np.arange(hours) // 24
    days = hours // 24
    for anomaly in ANOMALIES:
        rows = (service_names == anomaly["service"]) & (fleet["SubAccountId"].to_numpy() == anomaly["sub_account"])
        last = days if anomaly["days"] is None else anomaly["first_day"] + anomaly["days"]
        window = (day >= anomaly["first_day"]) & (day < last)
        if anomaly["kind"] == "ramp":
            step = (np.arange(hours) - anomaly["first_day"] * 24) / max(hours - 1 - anomaly["first_day"] * 24, 1)
            mult = 1.0 + (anomaly["multiplier"] - 1.0) * np.clip(step, 0, 1)
        else:
            mult = np.full(hours, anomaly["multiplier"])
        mask = rows[:, None] & window[None, :]
        factor = np.where(mask, factor * mult[None, :], factor)
        masks.append(mask)
    return factor, masks


def _months(start: pd.Timestamp, hours: int) -> list[tuple[pd.Timestamp, pd.Timestamp, int, int]]:
    """Billing months touched by the period: (start, end, first hour index, hours in the period)."""
    stamps = start.tz_localize(None) + pd.to_timedelta(np.arange(hours), unit="h")
    out = []
    for period in pd.unique(stamps.to_period("M")):
        in_month = np.flatnonzero(stamps.to_period("M") == period)
        out.append((period.start_time.tz_localize("UTC"), (period + 1).start_time.tz_localize("UTC"),
                    int(in_month[0]), int(in_month.size)))
    return out


def _table(columns: dict, n: int):
    """A pyarrow table with every FOCUS 1.2 column (nulls where ``columns`` has none) and x_StorageClass."""
    import pyarrow as pa

    types = {focus.DECIMAL: pa.float64(), focus.STRING: pa.string(), focus.TIMESTAMP: pa.timestamp("us", tz="UTC")}
    arrays = {}
    for name, kind in focus.ALL_COLUMNS.items():
        target = pa.string() if name == "Tags" else types[kind]
        value = columns.get(name)
        if value is None:
            arrays[name] = pa.nulls(n, target)
        elif isinstance(value, pa.Array):
            arrays[name] = value.cast(target) if value.type != target else value
        elif np.isscalar(value) or isinstance(value, str):
            arrays[name] = pa.array(np.full(n, value), target) if not isinstance(value, str) else \
                pa.array([value] * n, target)
        else:
            arrays[name] = pa.array(value, target)
    storage = columns.get("x_StorageClass")
    if storage is None:
        arrays["x_StorageClass"] = pa.nulls(n, pa.string())
    else:
        arrays["x_StorageClass"] = storage if isinstance(storage, pa.Array) else pa.array(storage, pa.string())
    return pa.table(arrays)


def _commitment_quantity(covered: np.ndarray, spend_based: np.ndarray, effective: np.ndarray,
                         units: np.ndarray):
    """CommitmentDiscountQuantity of usage rows: the commitment consumed (USD of a spend-based commitment,
    hours of a usage-based one); null on rows no commitment covers."""
    import pyarrow as pa

    values = np.where(spend_based, effective, units)
    return pa.array(values, pa.float64(), mask=~covered)


def _timestamps(start: pd.Timestamp, hour_index: np.ndarray):
    import pyarrow as pa

    micros = start.value // 1000 + hour_index.astype(np.int64) * 3_600_000_000
    return pa.array(micros, pa.timestamp("us", tz="UTC"))


def generate(path: str | Path, resources: int = 1000, days: int = 30, seed: int = 0,
             start: str = "2026-11-01", block_resources: int = 2000) -> Truth:
    """Write synthetic FOCUS 1.2 billing data to a Parquet file and return what it holds.

    Parameters
    ----------
    path : path
        The Parquet file to write.
    resources : int
        Resources in the fleet; usage rows = resources x days x 24 (14,000 resources over 30 days make
        10.08M rows).
    days : int
        Days of hourly rows (at least 14).
    seed : int
        Seed of every random draw: the same arguments write the same file.
    start : str
        First day (UTC).
    block_resources : int
        Resources per Parquet row group (bounds memory).

    Returns
    -------
    Truth
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if days < 14:
        raise ValueError(f"days = {days!r}: expected at least 14 (the detectors need two weeks of history)")
    if resources < len(ANOMALIES) + 10:
        raise ValueError(f"resources = {resources!r}: expected at least {len(ANOMALIES) + 10}")
    rng = np.random.default_rng(seed)
    begin = pd.Timestamp(start, tz="UTC")
    hours = days * 24
    fleet = _resources(resources, rng)
    months = _months(begin, hours)
    month_of_hour = np.zeros(hours, dtype=np.int64)
    for m, (_, _, first, n) in enumerate(months):
        month_of_hour[first:first + n] = m
    hour_day = np.arange(hours) // 24
    service_names = [s[1] for s in SERVICES]
    categories = [s[2] for s in SERVICES]
    n_sub = sorted({s for p in PROVIDERS for s in p[3]})
    sub_index = {s: i for i, s in enumerate(n_sub)}

    # Usage in units per (resource, hour): mean x shape x noise x anomalies. One draw for the fleet keeps
    # commitments (which need every covered resource's hourly usage) exact; blocks only bound what is
    # written at once. For 14,000 x 720 hours that is 10M float64 (80 MB) per array.
    shape = _shape(fleet["kind"].to_numpy(), hours, begin)
    noise = rng.lognormal(mean=-0.005, sigma=0.1, size=(resources, hours))
    base_units = fleet["mean_units"].to_numpy()[:, None] * shape * noise
    factor, masks = _anomaly_factor(fleet, hours)
    units = base_units * factor
    on_demand_cost = units * fleet["hourly_price"].to_numpy()[:, None]
    base_cost = base_units * fleet["hourly_price"].to_numpy()[:, None]

    # Commitments: covered usage is billed 0 and amortized at the committed rate; the commitment's hourly
    # amount is fixed, the part not used in an hour is an "Unused" row.
    effective = on_demand_cost.copy()
    billed = on_demand_cost.copy()
    commitment_rows = []
    commit_of_resource = _strings(fleet["commitment"])
    for cid, ctype, ccat, svc, _, rate, size in COMMITMENTS:
        covered = commit_of_resource == cid
        if not covered.any():  # a fleet too small to hold the commitment's service
            continue
        covered_effective = on_demand_cost[covered] * rate
        used = covered_effective.sum(axis=0)
        amount = float(used.max() * size)  # sized above the peak hour: every covered hour is covered in full
        effective[covered] = covered_effective
        billed[covered] = 0.0
        # CommitmentDiscountQuantity (FOCUS 1.1+): a spend-based commitment counts in its currency (USD of
        # commitment), a usage-based one in normalized hours of its service's unit price at the committed rate.
        per_unit = 1.0 if ccat == "Spend" else float(SERVICES[svc][5]) * rate
        commitment_rows.append({"id": cid, "type": ctype, "category": ccat, "service": svc, "amount": amount,
                                "used_hourly": used, "unused_hourly": amount - used, "rate": rate,
                                "quantity_per_usd": 1.0 / per_unit, "unit": COMMITMENT_UNITS[ccat]})
    covered_any = commit_of_resource != None  # noqa: E711 (object array)

    schema = None
    writer = None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")

    def write(table):
        nonlocal writer, schema
        if writer is None:
            schema = table.schema
            writer = pq.ParquetWriter(tmp, schema, compression="zstd")
        writer.write_table(table.cast(schema))

    usage_rows = 0
    fleet_kind = fleet["kind"].to_numpy()
    svc_of = fleet["service"].to_numpy()
    prov_of = fleet["provider"].to_numpy()
    commitment_of = {c[0]: c for c in COMMITMENTS}
    unit_of = np.array([SERVICES[s][4] for s in svc_of], dtype=object)
    per_resource = {  # string attributes of each resource; rows take them by resource index
        "ConsumedUnit": np.where(fleet_kind == "storage", "GB", unit_of),
        "PricingUnit": unit_of,
        "ProviderName": np.array([PROVIDERS[p][0] for p in prov_of], dtype=object),
        "PublisherName": np.array([PROVIDERS[p][1] for p in prov_of], dtype=object),
        "InvoiceIssuerName": np.array([PROVIDERS[p][1] for p in prov_of], dtype=object),
        "BillingAccountId": np.array([PROVIDERS[p][2] for p in prov_of], dtype=object),
        "BillingAccountName": np.array([f"{PROVIDERS[p][0]} billing" for p in prov_of], dtype=object),
        "SubAccountId": fleet["SubAccountId"].to_numpy(),
        "SubAccountName": fleet["SubAccountId"].to_numpy(),
        "RegionId": fleet["RegionId"].to_numpy(),
        "RegionName": fleet["RegionId"].to_numpy(),
        "ResourceId": fleet["ResourceId"].to_numpy(),
        "ResourceName": fleet["ResourceId"].to_numpy(),
        "ResourceType": np.array([SERVICES[s][3] for s in svc_of], dtype=object),
        "ServiceName": np.array([SERVICES[s][1] for s in svc_of], dtype=object),
        "ServiceCategory": np.array([SERVICES[s][2] for s in svc_of], dtype=object),
        "SkuId": np.array([f"SKU-{s:03d}" for s in svc_of], dtype=object),
        "SkuPriceId": np.array([f"SKU-{s:03d}-{'CM' if c else 'OD'}" for s, c in zip(svc_of, commit_of_resource)],
                               dtype=object),
        "ChargeDescription": np.array([f"{SERVICES[s][1]} usage per {SERVICES[s][4]}" for s in svc_of], dtype=object),
        "PricingCategory": np.where(covered_any, "Committed", "Standard"),
        "CommitmentDiscountId": commit_of_resource,
        "CommitmentDiscountName": commit_of_resource,
        "CommitmentDiscountStatus": np.where(covered_any, "Used", None),
        "CommitmentDiscountType": np.array([commitment_of[c][1] if c else None for c in commit_of_resource], dtype=object),
        "CommitmentDiscountCategory": np.array([commitment_of[c][2] if c else None for c in commit_of_resource],
                                               dtype=object),
        "CommitmentDiscountUnit": np.array([COMMITMENT_UNITS[commitment_of[c][2]] if c else None
                                            for c in commit_of_resource], dtype=object),
        "Tags": _strings(fleet["Tags"]),
        "x_StorageClass": _strings(fleet["storage_class"]),
    }
    per_resource = {k: pa.array(list(v), pa.string()) for k, v in per_resource.items()}
    constants = {"BillingAccountType": "Billing Account", "SubAccountType": "Account", "BillingCurrency": "USD",
                 "PricingCurrency": "USD", "ChargeCategory": "Usage", "ChargeFrequency": "Usage-Based"}
    invoice_ids = pa.array([f"INV-{p[0][:3].upper()}-{m[0].strftime('%Y%m')}" for p in PROVIDERS for m in months])
    month_starts = pa.array([m[0].value // 1000 for m in months], pa.int64())
    month_ends = pa.array([m[1].value // 1000 for m in months], pa.int64())
    price = fleet["price"].to_numpy()
    spend_based = np.array([commitment_of[c][2] == "Spend" if c else False for c in commit_of_resource])
    for first in range(0, resources, block_resources):
        block = np.arange(first, min(first + block_resources, resources))
        r = np.repeat(block, hours)
        h = np.tile(np.arange(hours), len(block))
        n = r.size
        take = pa.array(r.astype(np.int32))
        quantity = units[block].ravel()
        storage_rows = np.repeat(fleet_kind[block] == "storage", hours)
        month_take = pa.array(month_of_hour[h])
        columns = {name: values.take(take) for name, values in per_resource.items()}
        columns.update({name: pa.repeat(pa.scalar(value), n) for name, value in constants.items()})
        columns.update({
            "BilledCost": billed[block].ravel(),
            "EffectiveCost": effective[block].ravel(),
            "ListCost": on_demand_cost[block].ravel() * LIST_UPLIFT,
            "ContractedCost": on_demand_cost[block].ravel(),
            "ListUnitPrice": np.repeat(price[block], hours) * LIST_UPLIFT,
            "ContractedUnitPrice": np.repeat(price[block], hours),
            "PricingQuantity": np.where(storage_rows, quantity / HOURS_PER_MONTH, quantity),
            "ConsumedQuantity": quantity,
            "CommitmentDiscountQuantity": _commitment_quantity(covered_any[r], spend_based[r],
                                                               effective[block].ravel(), quantity),
            "ChargePeriodStart": _timestamps(begin, h),
            "ChargePeriodEnd": _timestamps(begin, h + 1),
            "BillingPeriodStart": month_starts.take(month_take).cast(pa.timestamp("us", tz="UTC")),
            "BillingPeriodEnd": month_ends.take(month_take).cast(pa.timestamp("us", tz="UTC")),
            "InvoiceId": invoice_ids.take(pa.array(prov_of[r] * len(months) + month_of_hour[h])),
        })
        write(_table(columns, n))
        usage_rows += n

    # Other rows: commitment purchases and unused hours, credits, adjustments, taxes.
    other = []

    def row(**kw):
        other.append(kw)

    for c in commitment_rows:
        provider = SERVICES[c["service"]][0]
        pname, issuer, account, subs = PROVIDERS[provider]
        common = dict(ProviderName=pname, PublisherName=issuer, InvoiceIssuerName=issuer, BillingAccountId=account,
                      BillingAccountName=f"{pname} billing", SubAccountId=subs[0], SubAccountName=subs[0],
                      CommitmentDiscountId=c["id"], CommitmentDiscountName=c["id"], CommitmentDiscountType=c["type"],
                      CommitmentDiscountCategory=c["category"], CommitmentDiscountUnit=c["unit"],
                      ServiceName=SERVICES[c["service"]][1],
                      ServiceCategory=SERVICES[c["service"]][2], PricingUnit="Hours")
        for m, (m_start, m_end, first, n_hours) in enumerate(months):
            row(**common, ChargeCategory="Purchase", ChargeFrequency="Recurring", BilledCost=c["amount"] * n_hours,
                EffectiveCost=0.0, ListCost=c["amount"] * n_hours, ContractedCost=c["amount"] * n_hours,
                PricingQuantity=float(n_hours), ChargePeriodStart=m_start, ChargePeriodEnd=m_end, month=m,
                CommitmentDiscountQuantity=c["amount"] * n_hours * c["quantity_per_usd"],
                ChargeDescription=f"{c['type']} {c['id']} monthly fee", PricingCategory="Committed")
        for hour in range(hours):
            row(**common, ChargeCategory="Usage", ChargeFrequency="Usage-Based", BilledCost=0.0,
                EffectiveCost=float(c["unused_hourly"][hour]), ListCost=0.0, ContractedCost=0.0,
                PricingQuantity=0.0, CommitmentDiscountStatus="Unused", PricingCategory="Committed",
                CommitmentDiscountQuantity=float(c["unused_hourly"][hour]) * c["quantity_per_usd"],
                ChargePeriodStart=begin + pd.Timedelta(hours=hour), ChargePeriodEnd=begin + pd.Timedelta(hours=hour + 1),
                month=int(month_of_hour[hour]), ChargeDescription=f"{c['type']} {c['id']} unused commitment")
    usage_billed_by_sub_month = np.zeros((len(n_sub), len(months)))
    sub_of_resource = np.array([sub_index[s] for s in fleet["SubAccountId"]])
    for m, (_, _, first, n_hours) in enumerate(months):
        np.add.at(usage_billed_by_sub_month[:, m], sub_of_resource, billed[:, first:first + n_hours].sum(axis=1))
    for p, (pname, issuer, account, subs) in enumerate(PROVIDERS):
        for m, (m_start, m_end, first, n_hours) in enumerate(months):
            common = dict(ProviderName=pname, PublisherName=issuer, InvoiceIssuerName=issuer, BillingAccountId=account,
                          BillingAccountName=f"{pname} billing", ChargePeriodStart=m_start, ChargePeriodEnd=m_end,
                          month=m, PricingQuantity=1.0, PricingUnit="Credit", ServiceCategory="Other",
                          ServiceName=f"{pname} account", ListCost=0.0, ContractedCost=0.0)
            credit = -round(50.0 * (p + 1) * n_hours / HOURS_PER_MONTH, 2)
            row(**common, SubAccountId=subs[0], SubAccountName=subs[0], ChargeCategory="Credit",
                ChargeFrequency="One-Time", BilledCost=credit, EffectiveCost=credit,
                ChargeDescription="Promotional credit")
            row(**common, SubAccountId=subs[-1], SubAccountName=subs[-1], ChargeCategory="Adjustment",
                ChargeFrequency="One-Time", BilledCost=12.5, EffectiveCost=12.5, ChargeDescription="Support adjustment")
            for s in subs:
                tax = round(TAX_RATE * usage_billed_by_sub_month[sub_index[s], m], 2)
                row(**{**common, "PricingUnit": "Tax"}, SubAccountId=s, SubAccountName=s, ChargeCategory="Tax",
                    ChargeFrequency="Recurring", BilledCost=tax, EffectiveCost=tax,
                    ChargeDescription=f"Sales tax {TAX_RATE:.0%}")
    extra = pd.DataFrame(other)
    month_index = extra.pop("month").to_numpy()
    extra_cols = {c: (pa.array(extra[c].to_numpy(dtype=float), pa.float64(), from_pandas=True)  # NaN: null
                      if focus.ALL_COLUMNS[c] == focus.DECIMAL else _strings(extra[c]))
                  for c in extra.columns if c not in ("ChargePeriodStart", "ChargePeriodEnd")}
    extra_cols["ChargePeriodStart"] = pa.array(extra["ChargePeriodStart"].astype("datetime64[us, UTC]"))
    extra_cols["ChargePeriodEnd"] = pa.array(extra["ChargePeriodEnd"].astype("datetime64[us, UTC]"))
    extra_cols["BillingPeriodStart"] = pa.array([months[m][0] for m in month_index]).cast(pa.timestamp("us", tz="UTC"))
    extra_cols["BillingPeriodEnd"] = pa.array([months[m][1] for m in month_index]).cast(pa.timestamp("us", tz="UTC"))
    extra_cols.update(BillingCurrency="USD", PricingCurrency="USD", BillingAccountType="Billing Account",
                      SubAccountType="Account")
    extra_cols["InvoiceId"] = np.array([f"INV-{p[:3].upper()}-{months[m][0].strftime('%Y%m')}"
                                        for p, m in zip(extra["ProviderName"], month_index)], dtype=object)
    write(_table(extra_cols, len(extra)))
    writer.close()
    tmp.replace(path)

    # --- the known answers, from the arrays ---
    categories_frame = pd.DataFrame({
        "ChargeCategory": ["Usage"] * 1 + list(extra["ChargeCategory"]),
        "billed_cost": [billed.sum()] + list(extra["BilledCost"]),
        "effective_cost": [effective.sum()] + list(extra["EffectiveCost"]),
        "rows": [usage_rows] + [1] * len(extra),
    }).groupby("ChargeCategory", as_index=False).sum()
    day_index = np.arange(days)
    svc_names = np.array(service_names, dtype=object)[fleet["service"].to_numpy()]
    daily_eff = pd.DataFrame(np.add.reduceat(effective, np.arange(0, hours, 24), axis=1), columns=day_index)
    daily_base = pd.DataFrame(np.add.reduceat(effective - (on_demand_cost - base_cost), np.arange(0, hours, 24),
                                              axis=1), columns=day_index)
    daily_billed = pd.DataFrame(np.add.reduceat(billed, np.arange(0, hours, 24), axis=1), columns=day_index)

    def by(keys: dict, frame: pd.DataFrame, value: str) -> pd.DataFrame:
        out = frame.assign(**keys).melt(id_vars=list(keys), var_name="day", value_name=value)
        return out.groupby([*keys, "day"], as_index=False)[value].sum()

    daily_service = by({"ServiceName": svc_names}, daily_eff, "effective_cost").merge(
        by({"ServiceName": svc_names}, daily_billed, "billed_cost"))
    unused_daily = {c["id"]: np.add.reduceat(c["unused_hourly"], np.arange(0, hours, 24)) for c in commitment_rows}
    for c in commitment_rows:  # unused rows are usage of the commitment's service
        name = SERVICES[c["service"]][1]
        sel = daily_service["ServiceName"] == name
        daily_service.loc[sel, "effective_cost"] += unused_daily[c["id"]][daily_service.loc[sel, "day"].astype(int)]
    daily_service["day"] = begin + pd.to_timedelta(daily_service["day"].astype(int), unit="D")
    daily_account = by({"ServiceName": svc_names, "SubAccountId": fleet["SubAccountId"].to_numpy()}, daily_eff,
                       "effective_cost").merge(
        by({"ServiceName": svc_names, "SubAccountId": fleet["SubAccountId"].to_numpy()}, daily_base,
           "base_effective_cost"))
    for c in commitment_rows:  # unused rows are booked to the provider's first sub-account
        name, sub = SERVICES[c["service"]][1], PROVIDERS[SERVICES[c["service"]][0]][3][0]
        sel = (daily_account["ServiceName"] == name) & (daily_account["SubAccountId"] == sub)
        if not sel.any():
            add = pd.DataFrame({"ServiceName": name, "SubAccountId": sub, "day": day_index, "effective_cost": 0.0,
                                "base_effective_cost": 0.0})
            daily_account = pd.concat([daily_account, add], ignore_index=True)
            sel = (daily_account["ServiceName"] == name) & (daily_account["SubAccountId"] == sub)
        unused = unused_daily[c["id"]][daily_account.loc[sel, "day"].astype(int)]
        daily_account.loc[sel, "effective_cost"] += unused
        daily_account.loc[sel, "base_effective_cost"] += unused
    daily_account["day"] = begin + pd.to_timedelta(daily_account["day"].astype(int), unit="D")

    total_effective = float(categories_frame["effective_cost"].sum())
    total_billed = float(categories_frame["billed_cost"].sum())
    per_resource_eff = effective.sum(axis=1)
    per_resource_billed = billed.sum(axis=1)
    has_key = {k: np.array([v is not None for v in _strings(fleet[k])]) for k in TAG_COVERAGE}
    coverage = {k: float(per_resource_eff[has_key[k]].sum() / total_effective) for k in TAG_COVERAGE}
    coverage_billed = {k: float(per_resource_billed[has_key[k]].sum() / total_billed) for k in TAG_COVERAGE}
    team = _strings(fleet["team"])
    showback = pd.DataFrame({"team": team, "effective_cost": per_resource_eff, "billed_cost": per_resource_billed})
    untagged_other = (total_effective - per_resource_eff.sum(), total_billed - per_resource_billed.sum())
    showback = showback.groupby("team", dropna=False, as_index=False).sum()
    untagged = showback["team"].isna()
    showback.loc[untagged, "effective_cost"] += untagged_other[0]
    showback.loc[untagged, "billed_cost"] += untagged_other[1]
    commitments = pd.DataFrame([{
        "CommitmentDiscountId": c["id"], "used_cost": float(c["used_hourly"].sum()),
        "unused_cost": float(c["unused_hourly"].sum()),
        "purchases_billed": float(c["amount"] * hours),
        "utilization": float(c["used_hourly"].sum() / (c["amount"] * hours)),
        "CommitmentDiscountUnit": c["unit"],
        "used_quantity": float(c["used_hourly"].sum() * c["quantity_per_usd"]),
        "unused_quantity": float(c["unused_hourly"].sum() * c["quantity_per_usd"]),
        "utilization_by_quantity": float(c["used_hourly"].sum() / (c["amount"] * hours))} for c in commitment_rows])
    resource_frame = pd.DataFrame({
        "ResourceId": fleet["ResourceId"], "effective_cost": per_resource_eff, "hours": hours,
        "p99_hourly_effective_cost": np.percentile(effective, 99, axis=1)})
    anomalies = []
    for anomaly, mask in zip(ANOMALIES, masks):
        extra_cost = float(((on_demand_cost - base_cost) * mask).sum())
        days_hit = np.flatnonzero(mask.any(axis=0))
        anomalies.append({**anomaly, "first_hour": int(days_hit[0]) if days_hit.size else None,
                          "start": str(begin + pd.Timedelta(hours=int(days_hit[0]))) if days_hit.size else None,
                          "extra_effective_cost": extra_cost})
    is_k8s = fleet["kind"].to_numpy() == "k8s"
    storage = {cls: float(per_resource_eff[(fleet["storage_class"] == cls).to_numpy()].sum())
               for cls in STORAGE_CLASSES}
    return Truth(
        path=str(path), rows=usage_rows + len(extra), usage_rows=usage_rows, other_rows=len(extra), hours=hours,
        start=str(begin), totals=categories_frame, daily_by_service=daily_service,
        daily_by_service_account=daily_account, tag_coverage=coverage, tag_coverage_billed=coverage_billed,
        showback_team=showback, commitments=commitments, resources=resource_frame, anomalies=anomalies,
        kubernetes_node_cost=float(per_resource_eff[is_k8s].sum()), storage_by_class=storage)


def injected_events(truth: Truth) -> pd.DataFrame:
    """The injected anomalies as events for `costlib.finops.backtest_detectors`.

    One row per anomaly: ``ServiceName``, ``SubAccountId``, ``start`` and ``end`` (the first and last
    moment it is in effect, UTC; a day's or an hour's period start falls in [start, end] exactly when
    that day or hour is hit), ``kind`` and ``extra_effective_cost`` (USD the generator added).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> t = generate(pathlib.Path(tempfile.mkdtemp()) / "bill.parquet", resources=60, days=14, seed=1)
    >>> injected_events(t)["kind"].tolist()
    ['spike', 'level_shift', 'ramp']
    """
    daily = truth.daily_by_service_account
    first, last = daily["day"].min(), daily["day"].max()
    rows = []
    for a in truth.anomalies:
        start = first + pd.Timedelta(days=a["first_day"])
        stop = last + pd.Timedelta(days=1) if a["days"] is None else start + pd.Timedelta(days=a["days"])
        rows.append({"ServiceName": a["service"], "SubAccountId": a["sub_account"], "start": start,
                     "end": stop - pd.Timedelta(seconds=1), "kind": a["kind"],
                     "extra_effective_cost": float(a.get("extra_effective_cost", np.nan))})
    return pd.DataFrame(rows)
