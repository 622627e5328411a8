"""Scan-and-aggregate queries over FOCUS billing data, as Ibis expressions that run on any backend.

Every function here takes an Ibis table in the canonical FOCUS form that `costlib.billing` writes (every
FOCUS 1.0-1.2 column, typed; ``Tags`` a string-to-string map; timestamps in UTC) and returns an Ibis
expression. None of them touches a connection: they are built on the unbound table of `focus_table`, so
the same expression runs on the embedded DuckDB (the default), on Spark through Ibis's PySpark backend,
and on any other Ibis backend that holds the table (BigQuery, Trino, Snowflake...). `costlib.billing`
binds and executes them and hands back small pandas frames.

Billed cost (cash, what the invoice says) and effective cost (amortized: commitment purchases spread over
the usage they cover) are always returned side by side as ``billed_cost`` and ``effective_cost``, in the
billing currency; no query adds one to the other, and no query sums commitment purchases together with
the usage they cover (``ChargeCategory = 'Purchase'`` rows carry the purchase; covered usage carries its
amortized share in ``EffectiveCost``).

`QUERIES` names the queries the FinOps workbook runs; the DuckDB-vs-Spark equality test runs every one.

References
----------
FinOps Foundation, FOCUS specification v1.2, columns BilledCost, EffectiveCost, ChargeCategory,
CommitmentDiscountStatus, Tags; Appendix "Commitment discount" examples (purchase, used, unused rows).
"""

from __future__ import annotations

from typing import Callable, Sequence

import ibis
import ibis.expr.types as ir

from costlib import focus

#: The name the canonical table has on every backend.
TABLE_NAME = "focus"

#: Columns costbook adds to the canonical table: the file and 1-based row each row was read from.
SOURCE_COLUMNS = {"x_SourceFile": "string", "x_SourceRow": "int64"}


def focus_table(name: str = TABLE_NAME, custom: dict[str, str] | None = None) -> ir.Table:
    """The unbound canonical FOCUS table: every known column with its type, plus the source columns.

    Parameters
    ----------
    name : str
        The table's name on the backend.
    custom : dict, optional
        The provider's ``x_`` columns present in the data, name to Ibis type (``{"x_StorageClass":
        "string"}``), so queries can group by them.

    Examples
    --------
    >>> t = focus_table()
    >>> str(t.schema()["Tags"]), str(t.schema()["BilledCost"]), str(t.schema()["ChargePeriodStart"])
    ('map<!string, string>', 'float64', "timestamp('UTC')")
    """
    schema = {}
    for column, kind in focus.ALL_COLUMNS.items():
        schema[column] = "timestamp('UTC')" if kind == focus.TIMESTAMP else kind
    schema["Tags"] = ibis.dtype("map<!string, string>")
    schema.update(SOURCE_COLUMNS)
    schema.update(custom or {})
    return ibis.table(schema, name=name)


def _costs(t: ir.Table) -> dict:
    return {"billed_cost": t.BilledCost.sum(), "effective_cost": t.EffectiveCost.sum()}


def totals_by_charge_category(t: ir.Table) -> ir.Table:
    """Billed, effective and list cost and row count per ``ChargeCategory``.

    Notes
    -----
    billed_cost(c) = Σ BilledCost over rows with ChargeCategory = c; likewise effective_cost, list_cost.

    Examples
    --------
    >>> sorted(totals_by_charge_category(focus_table()).columns)
    ['ChargeCategory', 'billed_cost', 'effective_cost', 'list_cost', 'rows']
    """
    return t.group_by("ChargeCategory").aggregate(**_costs(t), list_cost=t.ListCost.sum(), rows=t.count())


def totals_by_currency(t: ir.Table) -> ir.Table:
    """Billed and effective cost and row count per ``BillingCurrency`` (the mixed-currency check)."""
    return t.group_by("BillingCurrency").aggregate(**_costs(t), rows=t.count())


def cost_by(t: ir.Table, dimensions: Sequence[str], period: str | None = None) -> ir.Table:
    """Billed and effective cost by any FOCUS columns, optionally per day or hour.

    Parameters
    ----------
    dimensions : sequence of str
        FOCUS column names (``["ProviderName", "ServiceName"]``).
    period : {"day", "hour", "month"}, optional
        Adds a ``period_start`` column: ``ChargePeriodStart`` truncated to that period (UTC).

    Notes
    -----
    billed_cost(d, p) = Σ BilledCost over rows with dimensions d and ChargePeriodStart in period p.

    Examples
    --------
    >>> cost_by(focus_table(), ["ServiceName"], period="day").columns
    ('ServiceName', 'period_start', 'billed_cost', 'effective_cost', 'rows')
    """
    keys = {d: t[d] for d in dimensions}
    if period is not None:
        unit = {"day": "D", "hour": "h", "month": "M"}.get(period)
        if unit is None:
            raise ValueError(f"period = {period!r}: expected 'day', 'hour' or 'month'")
        keys["period_start"] = t.ChargePeriodStart.truncate(unit)
    return t.group_by(**keys).aggregate(**_costs(t), rows=t.count())


def tag_value(t: ir.Table, key: str) -> ir.StringValue:
    """The value of tag ``key`` on each row (null where the row lacks the tag)."""
    return t.Tags.get(key)


def showback_by_tag(t: ir.Table, key: str) -> ir.Table:
    """Billed and effective cost per value of one tag key; rows without the tag have a null value.

    Notes
    -----
    cost(v) = Σ cost over rows whose Tags[key] = v; cost(null) is the untagged cost.

    Examples
    --------
    >>> showback_by_tag(focus_table(), "team").columns
    ('tag_value', 'billed_cost', 'effective_cost', 'rows')
    """
    return t.group_by(tag_value=tag_value(t, key)).aggregate(**_costs(t), rows=t.count())


def untagged_share(showback, cost: str = "effective_cost") -> float:
    """The share of cost on rows without the tag, from a `showback_by_tag` result.

    Notes
    -----
    untagged share = cost(null) / Σ_v cost(v); NaN when the total is zero.

    Examples
    --------
    >>> import pandas as pd
    >>> untagged_share(pd.DataFrame({"tag_value": ["ads", None], "effective_cost": [75.0, 25.0]}))
    0.25
    """
    total = float(showback[cost].sum())
    untagged = float(showback.loc[showback["tag_value"].isna(), cost].sum())
    return untagged / total if total else float("nan")


def tag_coverage(t: ir.Table, keys: Sequence[str]) -> ir.Table:
    """One row: total effective and billed cost, and the part of each carried by rows with each tag key.

    Columns are ``billed_cost``, ``effective_cost``, ``rows`` and, per key k, ``tagged_effective_cost__k`` and
    ``tagged_billed_cost__k``. Coverage is tagged / total (`costlib.finops.tag_coverage_shares`).

    Notes
    -----
    coverage(k) = Σ EffectiveCost [k ∈ Tags] / Σ EffectiveCost, the share of cost that carries the key.

    Examples
    --------
    >>> tag_coverage(focus_table(), ["team"]).columns
    ('billed_cost', 'effective_cost', 'rows', 'tagged_effective_cost__team', 'tagged_billed_cost__team')
    """
    # One map lookup per key and row (a projection), then plain filtered sums over the boolean columns:
    # two sums per key would otherwise each look the key up again.
    flags = {f"_has_{i}": tag_value(t, key).notnull() for i, key in enumerate(keys)}
    m = t.select(t.BilledCost, t.EffectiveCost, **flags)
    metrics = {**_costs(m), "rows": m.count()}
    for i, key in enumerate(keys):
        has = m[f"_has_{i}"]
        metrics[f"tagged_effective_cost__{key}"] = m.EffectiveCost.sum(where=has)
        metrics[f"tagged_billed_cost__{key}"] = m.BilledCost.sum(where=has)
    return m.aggregate(**metrics)


def commitment_utilization(t: ir.Table) -> ir.Table:
    """Per commitment discount: used and unused amortized cost, and the purchases billed for it.

    Notes
    -----
    used = Σ EffectiveCost [CommitmentDiscountStatus = 'Used'];
    unused = Σ EffectiveCost [CommitmentDiscountStatus = 'Unused'];
    purchases_billed = Σ BilledCost [ChargeCategory = 'Purchase'];
    utilization = used / (used + unused), null when the commitment has no usage rows.
    The three sums are reported apart, never added together.

    References
    ----------
    FOCUS v1.2, CommitmentDiscountStatus: "Used" and "Unused" rows; FinOps Foundation, "Commitment
    utilization" KPI.

    Examples
    --------
    >>> commitment_utilization(focus_table()).columns[:3]
    ('CommitmentDiscountId', 'CommitmentDiscountType', 'used_cost')
    """
    c = t.filter(t.CommitmentDiscountId.notnull())
    used = c.EffectiveCost.sum(where=c.CommitmentDiscountStatus == "Used")
    unused = c.EffectiveCost.sum(where=c.CommitmentDiscountStatus == "Unused")
    grouped = c.group_by("CommitmentDiscountId").aggregate(
        CommitmentDiscountType=c.CommitmentDiscountType.max(),
        used_cost=used.fill_null(0.0),
        unused_cost=unused.fill_null(0.0),
        purchases_billed=c.BilledCost.sum(where=c.ChargeCategory == "Purchase").fill_null(0.0),
        usage_rows=(c.CommitmentDiscountStatus.notnull()).sum(),
    )
    total = grouped.used_cost + grouped.unused_cost
    return grouped.mutate(
        utilization=ibis.ifelse(grouped.usage_rows > 0, grouped.used_cost / total.nullif(0.0), ibis.null()))


def resource_hourly_p99(t: ir.Table, top_n: int = 1000) -> ir.Table:
    """For the ``top_n`` resources by effective cost: hours seen, total and P99 of hourly effective cost.

    Notes
    -----
    hourly(r, h) = Σ EffectiveCost of resource r in hour h; p99(r) is the 0.99 quantile of hourly(r, ·)
    with linear interpolation between order statistics (numpy's default; DuckDB ``quantile_cont`` and
    Spark's exact ``percentile`` compute the same definition). Ties in total cost are broken by ResourceId.

    Examples
    --------
    >>> resource_hourly_p99(focus_table(), 10).columns
    ('ResourceId', 'hours', 'effective_cost', 'p99_hourly_effective_cost')
    """
    r = t.filter(t.ResourceId.notnull())
    hourly = r.group_by(ResourceId=r.ResourceId, hour=r.ChargePeriodStart.truncate("h")).aggregate(
        cost=r.EffectiveCost.sum())
    per = hourly.group_by("ResourceId").aggregate(
        hours=hourly.count(), effective_cost=hourly.cost.sum(),
        p99_hourly_effective_cost=hourly.cost.quantile(0.99))
    return per.order_by([ibis.desc("effective_cost"), "ResourceId"]).limit(top_n)


def list_cost_check(t: ir.Table, relative_tolerance: float = 1e-4,
                    absolute_tolerance: float = 1e-6) -> ir.Table:
    """The spec invariant ListCost = ListUnitPrice x PricingQuantity: rows checked, rows off, worst gap.

    Notes
    -----
    A row is off when |ListUnitPrice x PricingQuantity - ListCost| >
    max(relative_tolerance x |ListCost|, absolute_tolerance); rows with a null operand are not checked.

    References
    ----------
    FOCUS v1.0, ListCost: "ListCost MUST be the product of ListUnitPrice and PricingQuantity".
    """
    gap = (t.ListUnitPrice * t.PricingQuantity - t.ListCost).abs()
    bound = ibis.greatest(t.ListCost.abs() * relative_tolerance, ibis.literal(absolute_tolerance))
    checked = t.ListUnitPrice.notnull() & t.PricingQuantity.notnull() & t.ListCost.notnull()
    off = checked & (gap > bound)
    return t.aggregate(rows_checked=checked.sum(), rows_off=off.sum(),
                       largest_gap=gap.max(where=off), gap_total=gap.sum(where=off))


def billed_without_effective(t: ir.Table) -> ir.Table:
    """Rows outside purchases with BilledCost > 0 but EffectiveCost = 0, by provider.

    Outside purchases, amortized cost can only be below billed cost through a commitment or a credit;
    an effective cost of zero on billed usage means the amortized view is missing it.
    """
    r = t.filter((t.ChargeCategory != "Purchase") & (t.BilledCost > 0) & (t.EffectiveCost == 0))
    return r.group_by("ProviderName").aggregate(rows=r.count(), billed_cost=r.BilledCost.sum())


def source_rows(t: ir.Table, condition: Callable[[ir.Table], ir.BooleanValue], limit: int = 5) -> ir.Table:
    """Example rows (file and row number) where ``condition`` holds, for the data-quality panel."""
    r = t.filter(condition(t))
    return r.select("x_SourceFile", "x_SourceRow").order_by(["x_SourceFile", "x_SourceRow"]).limit(limit)


# ---------------------------------------------------------------------------------------------------
# Queries of workbook 06 beyond the scans above (every one a plain group-by; DuckDB by default).


def cost_by_tag(t: ir.Table, key: str, dimensions: Sequence[str] = (), period: str | None = None,
                also_tags: Sequence[str] = ()) -> ir.Table:
    """Billed and effective cost per value of tag ``key``, by FOCUS columns, optionally per period.

    Parameters
    ----------
    key : str
        The tag key whose value is ``tag_value`` (null where the row lacks it).
    dimensions : sequence of str
        FOCUS columns to group by as well (``["ChargeCategory", "SubAccountId"]``).
    period : {"day", "hour", "month"}, optional
        Adds ``period_start`` (``ChargePeriodStart`` truncated, UTC).
    also_tags : sequence of str
        Other tag keys whose presence is grouped by too, as booleans ``has__<key>``.

    Notes
    -----
    cost(v, d, p) = Σ cost over rows with Tags[key] = v, dimensions d and ChargePeriodStart in p.

    Examples
    --------
    >>> cost_by_tag(focus_table(), "team", ["SubAccountId"], also_tags=["env"]).columns
    ('tag_value', 'SubAccountId', 'has__env', 'billed_cost', 'effective_cost', 'list_cost', 'rows')
    """
    keys = {"tag_value": tag_value(t, key), **{d: t[d] for d in dimensions}}
    for other in also_tags:
        keys[f"has__{other}"] = tag_value(t, other).notnull()
    if period is not None:
        unit = {"day": "D", "hour": "h", "month": "M"}.get(period)
        if unit is None:
            raise ValueError(f"period = {period!r}: expected 'day', 'hour' or 'month'")
        keys["period_start"] = t.ChargePeriodStart.truncate(unit)
    return t.group_by(**keys).aggregate(**_costs(t), list_cost=t.ListCost.sum(), rows=t.count())


def resource_summary(t: ir.Table, key: str) -> ir.Table:
    """Per resource: its service, sub-account, the value of tag ``key``, hours billed, cost, list unit price.

    Notes
    -----
    effective_cost(r) = Σ EffectiveCost of resource r; hours(r) = distinct hourly ChargePeriodStart of r;
    tag_value(r) = max over its rows of Tags[key] (null when no row carries it); list_unit_price(r) = max
    ListUnitPrice over its usage rows (the bill's own unit price, for rightsizing).

    Examples
    --------
    >>> resource_summary(focus_table(), "team").columns[:4]
    ('ResourceId', 'ServiceName', 'SubAccountId', 'tag_value')
    """
    r = t.filter(t.ResourceId.notnull() & (t.ChargeCategory == "Usage"))
    return r.group_by("ResourceId").aggregate(
        ServiceName=r.ServiceName.max(), SubAccountId=r.SubAccountId.max(), tag_value=tag_value(r, key).max(),
        hours=r.ChargePeriodStart.truncate("h").nunique(), billed_cost=r.BilledCost.sum(),
        effective_cost=r.EffectiveCost.sum(), list_unit_price=r.ListUnitPrice.max())


def commitment_rows(t: ir.Table, key: str | None = None) -> ir.Table:
    """FOCUS rows aggregated to what `costlib.finops.commitment_metrics` needs, by service (and tag value).

    Columns: ``ServiceName``, ``ChargeCategory``, ``CommitmentDiscountId``, ``CommitmentDiscountStatus``,
    ``CommitmentDiscountUnit`` (FOCUS 1.1+; null in 1.0), (``tag_value`` of ``key`` when given), and the sums ``BilledCost``, ``EffectiveCost``, ``ListCost``,
    ``ContractedCost``, ``CommitmentDiscountQuantity`` (null where the FOCUS version has no quantity).

    Notes
    -----
    Each output column is Σ of the same FOCUS column over the group; purchases and covered usage stay on
    separate rows (grouped by ChargeCategory and status), so they are never added together.

    Examples
    --------
    >>> commitment_rows(focus_table()).columns[:4]
    ('ServiceName', 'ChargeCategory', 'CommitmentDiscountId', 'CommitmentDiscountStatus')
    """
    keys = {c: t[c] for c in ("ServiceName", "ChargeCategory", "CommitmentDiscountId", "CommitmentDiscountStatus",
                              "CommitmentDiscountUnit")}
    if key is not None:
        keys["tag_value"] = tag_value(t, key)
    return t.group_by(**keys).aggregate(
        BilledCost=t.BilledCost.sum(), EffectiveCost=t.EffectiveCost.sum(), ListCost=t.ListCost.sum(),
        ContractedCost=t.ContractedCost.sum(), CommitmentDiscountQuantity=t.CommitmentDiscountQuantity.sum())


def tag_keys(t: ir.Table) -> ir.Table:
    """The distinct tag keys the data carries, with the rows carrying each (to check required keys).

    Examples
    --------
    >>> tag_keys(focus_table()).columns
    ('key', 'rows')
    """
    k = t.select(key=t.Tags.keys().unnest())
    return k.group_by("key").aggregate(rows=k.count())


def _period_minutes(t: ir.Table) -> ir.IntegerValue:
    return ((t.ChargePeriodEnd.epoch_seconds() - t.ChargePeriodStart.epoch_seconds()) / 60).round().cast("int64")


def usage_cost_by(t: ir.Table, dimensions: Sequence[str], period: str | None = None,
                  max_period_hours: float | None = None) -> ir.Table:
    """`cost_by` over usage charges only (``ChargeCategory = 'Usage'`` and ``EffectiveCost >= 0``): the
    spend series the anomaly detectors watch. Credits, tax, purchases and negative usage rows (refunds
    booked as usage) are left out.

    Parameters
    ----------
    max_period_hours : float, optional
        Keep only rows whose charge period is at most this long (1: the hourly rows of a bill that mixes
        hourly and daily rows, so an hourly series never holds a whole day's cost in its first hour).

    Examples
    --------
    >>> usage_cost_by(focus_table(), ["ServiceName"], period="day").columns
    ('ServiceName', 'period_start', 'billed_cost', 'effective_cost', 'rows')
    """
    keep = (t.ChargeCategory == "Usage") & (t.EffectiveCost >= 0)
    if max_period_hours is not None:
        keep &= _period_minutes(t) <= int(round(60 * max_period_hours))
    return cost_by(t.filter(keep), dimensions, period)


def charge_period_lengths(t: ir.Table) -> ir.Table:
    """Usage rows and their effective cost by the length of their charge period, in minutes (60 = hourly).

    Notes
    -----
    minutes(row) = round((ChargePeriodEnd - ChargePeriodStart) / 60 s); FOCUS lets a provider bill per
    hour, per day or per month, and one export may mix them.

    Examples
    --------
    >>> charge_period_lengths(focus_table()).columns
    ('minutes', 'rows', 'effective_cost')
    """
    u = t.filter(t.ChargeCategory == "Usage")
    return u.group_by(minutes=_period_minutes(u)).aggregate(rows=u.count(), effective_cost=u.EffectiveCost.sum())


#: The series the anomaly detectors watch: per service and sub-account.
ANOMALY_KEYS = ["ServiceName", "SubAccountId"]

#: The queries the FinOps workbook and the benchmark run, each with the arguments it is run with by
#: default (the generated bill's tag keys): name -> (builder, keyword arguments). The DuckDB-vs-Spark test
#: runs every entry, on generated data and on the real FOCUS 1.0 sample.
QUERIES: dict[str, tuple[Callable[..., ir.Table], dict]] = {
    "totals_by_charge_category": (totals_by_charge_category, {}),
    "totals_by_currency": (totals_by_currency, {}),
    "cost_by_provider_service_account_region": (
        cost_by, {"dimensions": ["ProviderName", "ServiceName", "SubAccountId", "RegionId"]}),
    "daily_cost": (cost_by, {"dimensions": [], "period": "day"}),
    "daily_cost_by_service": (cost_by, {"dimensions": ["ServiceName"], "period": "day"}),
    "daily_cost_by_service_account": (cost_by, {"dimensions": ["ServiceName", "SubAccountId"], "period": "day"}),
    "cost_by_storage_class": (cost_by, {"dimensions": ["x_StorageClass"]}),
    "showback_by_team": (showback_by_tag, {"key": "team"}),
    "tag_coverage": (tag_coverage, {"keys": ["team", "environment", "cost-center"]}),
    "tag_keys": (tag_keys, {}),
    "cost_by_tag_pools": (cost_by_tag, {"key": "team",
                                        "dimensions": ["ChargeCategory", "ServiceName", "CommitmentDiscountStatus"]}),
    "cost_by_tag_account": (cost_by_tag, {"key": "team", "dimensions": ["SubAccountId"]}),
    "cost_by_tag_daily": (cost_by_tag, {"key": "team", "period": "day"}),
    "cost_by_tag_with_other_keys": (cost_by_tag, {"key": "team", "also_tags": ["environment", "cost-center"]}),
    "resource_summary": (resource_summary, {"key": "team"}),
    "commitment_utilization": (commitment_utilization, {}),
    "commitment_rows": (commitment_rows, {}),
    "commitment_rows_by_team": (commitment_rows, {"key": "team"}),
    "usage_cost_daily": (usage_cost_by, {"dimensions": [], "period": "day"}),
    "usage_cost_by_service_account_daily": (usage_cost_by, {"dimensions": ANOMALY_KEYS, "period": "day"}),
    "usage_cost_by_service_account_hourly": (usage_cost_by, {"dimensions": ANOMALY_KEYS, "period": "hour",
                                                             "max_period_hours": 1}),
    "charge_period_lengths": (charge_period_lengths, {}),
    "usage_cost_by_resource_daily": (usage_cost_by, {"dimensions": [*ANOMALY_KEYS, "ResourceId"], "period": "day"}),
    "usage_cost_by_resource_hourly": (usage_cost_by, {"dimensions": [*ANOMALY_KEYS, "ResourceId"],
                                                      "period": "hour", "max_period_hours": 1}),
    "resource_hourly_p99": (resource_hourly_p99, {"top_n": 1000}),
    "list_cost_check": (list_cost_check, {}),
    "billed_without_effective": (billed_without_effective, {}),
}


# Appended for workbook 06's tag coverage bases (issue 18, points 1-2).


def cost_by_tag_positive(t: ir.Table, key: str, dimensions: Sequence[str] = (), period: str | None = None,
                         exclude_categories: Sequence[str] = ()) -> ir.Table:
    """`cost_by_tag` over the rows that carry cost: positive amounts only, outside ``exclude_categories``.

    The base of tag coverage (`costlib.finops.tag_coverage_on_base`): a zero-cost row carries no cost to
    attribute, and a negative one (a credit, a refund) would let the tagged part exceed the whole.

    Notes
    -----
    billed_cost(v) = Σ BilledCost [BilledCost > 0], effective_cost(v) = Σ EffectiveCost [EffectiveCost > 0],
    each over rows with Tags[key] = v whose ChargeCategory is not excluded. With no exclusion this is the
    FinOps Foundation FOCUS use case's base ("EffectiveCost > 0").

    Examples
    --------
    >>> cost_by_tag_positive(focus_table(), "team", ["SubAccountId"], exclude_categories=["Credit"]).columns
    ('tag_value', 'SubAccountId', 'billed_cost', 'effective_cost', 'rows')
    """
    r = t.filter(~t.ChargeCategory.isin(list(exclude_categories)).fill_null(False)) if exclude_categories else t
    keys = {"tag_value": tag_value(r, key), **{d: r[d] for d in dimensions}}
    if period is not None:
        unit = {"day": "D", "hour": "h", "month": "M"}.get(period)
        if unit is None:
            raise ValueError(f"period = {period!r}: expected 'day', 'hour' or 'month'")
        keys["period_start"] = r.ChargePeriodStart.truncate(unit)
    return r.group_by(**keys).aggregate(billed_cost=r.BilledCost.sum(where=r.BilledCost > 0),
                                        effective_cost=r.EffectiveCost.sum(where=r.EffectiveCost > 0),
                                        rows=r.count())


QUERIES["cost_by_tag_positive"] = (cost_by_tag_positive, {"key": "team", "dimensions": ["SubAccountId"],
                                                          "exclude_categories": ["Tax", "Credit", "Adjustment",
                                                                                 "Purchase"]})
