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

`QUERIES` names the queries the FinOps workbook runs and one per use case of the FinOps Foundation's FOCUS
use-case library (`USE_CASES`); the DuckDB-vs-Spark equality test runs every one.

References
----------
FinOps Foundation, FOCUS specification v1.2, columns BilledCost, EffectiveCost, ChargeCategory,
CommitmentDiscountStatus, Tags; Appendix "Commitment discount" examples (purchase, used, unused rows).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import ibis
import ibis.expr.types as ir

from costlib import focus

#: The name the canonical table has on every backend.
TABLE_NAME = "focus"

#: Columns costbook adds to the canonical table: the file and 1-based row each row was read from.
SOURCE_COLUMNS = {"x_SourceFile": "string", "x_SourceRow": "int64"}


#: The canonical table without ``Tags`` (`focus_table` with ``tags=False``). Where a backend has it
#: (`costlib.billing.duckdb_backend`), a query that never reads Tags runs there: on the in-place view, without
#: the join of each row to its parsed tags (about 0.07 s of a 0.25 s query at 10M rows).
UNTAGGED_TABLE_NAME = "focus_without_tags"


def focus_table(name: str = TABLE_NAME, custom: dict[str, str] | None = None, tags: bool = True) -> ir.Table:
    """The unbound canonical FOCUS table: every known column with its type, plus the source columns.

    Parameters
    ----------
    name : str
        The table's name on the backend.
    custom : dict, optional
        The provider's ``x_`` columns present in the data, name to Ibis type (``{"x_StorageClass":
        "string"}``), so queries can group by them.
    tags : bool
        False: without ``Tags`` (`UNTAGGED_TABLE_NAME`; a query that reads Tags then fails to build).

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
    if not tags:
        del schema["Tags"]
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


#: A column holding one tag key's value on each row (``x_CostbookTag_team``), which a canonical table may carry
#: beside ``Tags`` (`costlib.billing.canonical_relation`: the view over clean Parquet looks each key up once
#: per distinct Tags text); `tag_value` reads it instead of looking the key up in every row's map.
TAG_COLUMN_PREFIX = "x_CostbookTag_"


def tag_value(t: ir.Table, key: str) -> ir.StringValue:
    """The value of tag ``key`` on each row (null where the row lacks the tag): ``Tags[key]``, read from the
    table's `TAG_COLUMN_PREFIX` column for the key when it has one (the same value, looked up once per
    distinct tag set instead of once per row: 0.66 s against 0.43 s for a coverage query at 10M rows).

    Examples
    --------
    >>> tag_value(focus_table(), "team").get_name()
    "MapGet(Tags, 'team', None)"
    >>> tag_value(focus_table(custom={"x_CostbookTag_team": "string"}), "team").get_name()
    'x_CostbookTag_team'
    """
    column = TAG_COLUMN_PREFIX + key
    return t[column] if column in t.columns else t.Tags.get(key)


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


def resource_summary(t: ir.Table, key: str, services: Sequence[str] | None = None,
                     unit_prices: Sequence[float] | None = None, untagged_only: bool = False,
                     top_n: int | None = None) -> ir.Table:
    """Per resource: its service, sub-account, the value of tag ``key``, hours billed, cost, list unit price.

    Parameters
    ----------
    key : str
        The tag key whose value ``tag_value`` carries (the team tag).
    services : sequence of str, optional
        Keep only the usage rows of these services (the cluster's node services, the rightsized service),
        so a resource's figures are its figures in those services (in FOCUS a ResourceId belongs to one
        service); the rows are filtered before grouping, so the distinct-hour count reads only them.
    unit_prices : sequence of float, optional
        Keep only resources whose ``list_unit_price`` is one of these (USD per hour; relative tolerance
        1e-6, as `costlib.finops.rightsizing_candidates` matches a ladder's sizes).
    untagged_only : bool
        Keep only resources without tag ``key`` (``tag_value`` null), costliest first by cost clipped at 0.
    top_n : int, optional
        Keep the ``top_n`` costliest (by ``effective_cost``, ties by ResourceId).

    Notes
    -----
    effective_cost(r) = Σ EffectiveCost of resource r; hours(r) = distinct hourly ChargePeriodStart of r
    (UTC hours: Σ over its days d of the hours h with a row of r starting in hour h of d);
    tag_value(r) = max over its rows of Tags[key] (null when no row carries it); list_unit_price(r) = max
    ListUnitPrice over its usage rows (the bill's own unit price, for rightsizing).

    Bound: one row per resource without filters, which grows with the fleet: a workbook that shows a
    top-N passes ``top_n`` (at most ``top_n`` rows), or ``services`` (the resources of those services).

    Examples
    --------
    >>> resource_summary(focus_table(), "team").columns[:4]
    ('ResourceId', 'ServiceName', 'SubAccountId', 'tag_value')
    """
    r = _resource_rows(t)
    if services is not None:  # before grouping: the distinct hours are then counted over those rows only
        r = r.filter(r.ServiceName.isin([str(x) for x in services]))
    if top_n is not None:
        # The filters and the ranking need only each resource's cost, tag and unit price: choose the top_n on
        # that cheap aggregate first, then summarise their rows alone (the distinct hours of a dozen resources,
        # not of the fleet: 1.68 s to 0.58 s for the untagged top 10 at 10M rows). The same filters and order
        # run again below on the same aggregates, so the rows are those of the one-stage query.
        r = r.filter(r.ResourceId.isin(_top_resources(r, key, unit_prices, untagged_only, int(top_n)).ResourceId))
    # Per resource and UTC day first, whether some row starts in each hour h of that day (24 flags), then
    # per resource: the distinct hours are the flags set. A distinct count over the rows kept a set of
    # hours per resource (+185 MiB for the 1.5M node-hours of a 30M-row bill, +85 MiB this way); the flags
    # take one row per resource-day. The sums are of the per-day sums (the same to rounding).
    hour = r.ChargePeriodStart.hour()
    days = r.group_by("ResourceId", day=r.ChargePeriodStart.truncate("D")).aggregate(
        ServiceName=r.ServiceName.max(), SubAccountId=r.SubAccountId.max(), tag_value=tag_value(r, key).max(),
        billed_cost=r.BilledCost.sum(), effective_cost=r.EffectiveCost.sum(), list_unit_price=r.ListUnitPrice.max(),
        **{f"in_hour_{h}": (hour == h).any() for h in range(24)})
    hours_that_day = sum(days[f"in_hour_{h}"].cast("int64") for h in range(24))
    out = days.group_by("ResourceId").aggregate(
        ServiceName=days.ServiceName.max(), SubAccountId=days.SubAccountId.max(), tag_value=days.tag_value.max(),
        hours=hours_that_day.sum().fill_null(0), billed_cost=days.billed_cost.sum(),
        effective_cost=days.effective_cost.sum(), list_unit_price=days.list_unit_price.max())
    return _keep_top(out, unit_prices, untagged_only, top_n)


def _resource_rows(t: ir.Table) -> ir.Table:
    """The rows a per-resource figure reads: usage charges of a named resource."""
    return t.filter(t.ResourceId.notnull() & (t.ChargeCategory == "Usage"))


def _keep_top(out: ir.Table, unit_prices, untagged_only: bool, top_n: int | None) -> ir.Table:
    """`resource_summary`'s filters (unit prices, untagged) and its top-N by cost, over per-resource rows."""
    if unit_prices is not None:
        prices = [float(x) for x in unit_prices]
        out = out.filter(ibis.or_(*[(out.list_unit_price - p).abs() <= 1e-6 * abs(p) for p in prices])
                         if prices else ibis.literal(False))
    if untagged_only:
        out = out.filter(out.tag_value.isnull())
    if top_n is not None:
        cost = ibis.greatest(out.effective_cost, 0.0) if untagged_only else out.effective_cost
        out = out.order_by([cost.desc(), "ResourceId"]).limit(int(top_n))
    return out


def _top_resources(r: ir.Table, key: str, unit_prices, untagged_only: bool, top_n: int) -> ir.Table:
    """The ResourceIds `resource_summary` keeps, from the aggregates its filters and order read."""
    needed = {"effective_cost": r.EffectiveCost.sum()}
    if untagged_only:
        needed["tag_value"] = tag_value(r, key).max()
    if unit_prices is not None:
        needed["list_unit_price"] = r.ListUnitPrice.max()
    return _keep_top(r.group_by("ResourceId").aggregate(**needed), unit_prices, untagged_only, top_n)


def resource_cost_totals(t: ir.Table, key: str) -> ir.Table:
    """One row: the resources, their effective cost clipped at zero, and that of those carrying tag ``key``
    (the denominators of `costlib.finops.untagged_by_impact`, computed without pulling every resource).

    Notes
    -----
    Over `resource_summary`'s rows: ``resources`` = their count; ``cost_usd = Σ_r max(effective_cost(r), 0)``;
    ``tagged_cost_usd`` = the same sum over resources whose ``tag_value`` is not null. Bound: one row.

    Examples
    --------
    >>> resource_cost_totals(focus_table(), "team").columns
    ('resources', 'cost_usd', 'tagged_cost_usd')
    """
    u = _resource_rows(t)  # resource_summary's rows, without its per-day hours (not needed here)
    r = u.group_by("ResourceId").aggregate(tag_value=tag_value(u, key).max(), effective_cost=u.EffectiveCost.sum())
    cost = ibis.greatest(r.effective_cost, 0.0)
    return r.aggregate(resources=r.count(), cost_usd=cost.sum(),
                       tagged_cost_usd=ibis.ifelse(r.tag_value.notnull(), cost, 0.0).sum())


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
    """A charge period's length in whole minutes, ``round((end - start) / 60 s)``: apply it to a frame
    grouped by the charge period (one row per distinct period), never per bill row; DuckDB computes epochs
    of UTC timestamps through a cast that costs about 0.8 s per million rows."""
    return ((t.ChargePeriodEnd.epoch_seconds() - t.ChargePeriodStart.epoch_seconds()) / 60).round().cast("int64")


def _short_periods(t: ir.Table, max_period_hours: float) -> ir.BooleanValue:
    """Rows whose charge period rounds to at most ``max_period_hours`` (``round(length / 1 min) <= M``,
    M = round(60 x hours)), without an epoch per row.

    Notes
    -----
    With ROUND half away from zero, ``round(x) <= M  <=>  x < M + 1/2`` for a length x in minutes, so the
    test is ``end < start + (60 M + 30) s``: an addition of a fixed interval, which every engine does on UTC
    timestamps as plain arithmetic.
    """
    minutes = int(round(60 * max_period_hours))
    return t.ChargePeriodEnd < t.ChargePeriodStart + ibis.interval(seconds=60 * minutes + 30)


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
        keep &= _short_periods(t, max_period_hours)
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
    # Per distinct charge period first (bounded by the bill's periods), then per length: the same sums.
    periods = u.group_by("ChargePeriodStart", "ChargePeriodEnd").aggregate(rows=u.count(),
                                                                           effective_cost=u.EffectiveCost.sum())
    return periods.group_by(minutes=_period_minutes(periods)).aggregate(rows=periods.rows.sum(),
                                                                        effective_cost=periods.effective_cost.sum())


#: The series keys the anomaly detectors watch (one series per service and sub-account).
_ALERT_KEYS = ("ServiceName", "SubAccountId")

#: Hours in each period `alert_drivers` compares (the baseline is ``lag`` of these before the alert).
_PERIOD_HOURS = {"hour": 1, "day": 24}


def alert_drivers(t: ir.Table, alerts: Sequence[Mapping], period: str = "day", baseline_lag_periods: int = 1,
                  top_n: int = 3, key: str | None = None, max_period_hours: float | None = None) -> ir.Table:
    """The resources behind each anomaly alert, computed in the engine: per alert, the ``top_n``
    resources whose usage cost rose most from the baseline period to the alert's period.

    Only the rows of each alert's series (service and sub-account) in its period and its baseline period
    are read, so the result holds at most ``len(alerts) x top_n`` rows whatever the size of the bill
    (the per-resource breakdown of every period never leaves the engine).

    Parameters
    ----------
    alerts : sequence of mappings
        Each with ``ServiceName``, ``SubAccountId`` and ``period`` (the alert's period start, UTC; a
        timestamp or ISO text), as `costlib.finops.detect_anomalies` returns them (a few tens).
    period : {"day", "hour"}
        The length of the alert's period.
    baseline_lag_periods : int
        The baseline period is this many periods before the alert's (1: the period before, as the
        rate-of-change detector compares; 24 with hourly periods: the same hour a day before).
    top_n : int
        Resources kept per alert.
    key : str, optional
        A tag key: adds ``tag_value``, the resource's value of that tag (max over all its usage rows, as
        `resource_summary` gives it).
    max_period_hours : float, optional
        As in `usage_cost_by` (1: only the hourly rows of a bill that mixes hourly and daily rows).

    Returns
    -------
    ibis.expr.types.Table
        ``alert`` (the alert's 0-based position in ``alerts``), ``rank`` (1 = largest rise),
        ``ResourceId``, ``current_usd``, ``baseline_usd``, ``change_usd``, ``series_change_usd`` (the sum
        of every resource's change in that series), and ``tag_value`` with ``key``.
        Bound: at most ``len(alerts) x top_n`` rows.

    Notes
    -----
    Usage rows only, as in `usage_cost_by` (``ChargeCategory = 'Usage'``, ``EffectiveCost >= 0``), with a
    ResourceId. For alert a of series s at period p with baseline b = p - L periods:
    ``change(r) = Σ_{rows of r in s at p} EffectiveCost - Σ_{rows of r in s at b} EffectiveCost``; ranked
    by change, largest first, ties by ResourceId; ``series_change_usd = Σ_r change(r)``. This is the
    definition of `costlib.finops.alert_drivers` with ``baseline_count = 1`` on a series without missing
    periods (that function counts L periods back among the periods present; this one counts clock time).

    Examples
    --------
    >>> alerts = [{"ServiceName": "db", "SubAccountId": "a", "period": "2026-11-10"}]
    >>> alert_drivers(focus_table(), alerts, top_n=2).columns
    ('alert', 'ServiceName', 'SubAccountId', 'period', 'rank', 'ResourceId', 'current_usd', 'baseline_usd', 'change_usd', 'series_change_usd')
    """
    import pandas as pd

    hours = _PERIOD_HOURS.get(period)
    if hours is None:
        raise ValueError(f"period = {period!r}: expected 'day' or 'hour'")
    if int(baseline_lag_periods) < 1 or int(top_n) < 1:
        raise ValueError(f"baseline_lag_periods = {baseline_lag_periods!r}, top_n = {top_n!r}: expected whole "
                         "numbers of at least 1")
    if not alerts:
        raise ValueError("alerts is empty: expected at least one alert (skip the query when there is none)")
    keep = (t.ChargeCategory == "Usage") & (t.EffectiveCost >= 0) & t.ResourceId.notnull()
    if max_period_hours is not None:
        keep &= _short_periods(t, max_period_hours)
    u = t.filter(keep)
    u = u.mutate(period_start=u.ChargePeriodStart.truncate({"day": "D", "hour": "h"}[period]))
    listed = []  # two rows per alert: its period (current) and its baseline period
    for i, alert in enumerate(alerts):
        missing = [k for k in (*_ALERT_KEYS, "period") if k not in alert]
        if missing:
            raise ValueError(f"alerts[{i}] = {dict(alert)!r}: expected the keys {[*_ALERT_KEYS, 'period']}; "
                             f"missing {missing}")
        at = pd.Timestamp(alert["period"])
        at = at.tz_localize("UTC") if at.tzinfo is None else at.tz_convert("UTC")
        base = at - pd.Timedelta(hours=hours * int(baseline_lag_periods))
        for when, current in ((at, True), (base, False)):
            listed.append({"alert": i, "a_service": str(alert["ServiceName"]), "a_account": str(alert["SubAccountId"]),
                           "a_period": at, "a_start": when, "current": current})
    wanted = ibis.memtable(pd.DataFrame(listed).astype({"alert": "int64", "current": "bool"}),
                           schema={"alert": "int64", "a_service": "string", "a_account": "string",
                                   "a_period": "timestamp('UTC')", "a_start": "timestamp('UTC')", "current": "boolean"})
    # One scan: the rows of the alerted series at the alerted and baseline periods, matched to their alerts.
    s = u.filter(u.ServiceName.isin(sorted({r["a_service"] for r in listed}))
                 & u.SubAccountId.isin(sorted({r["a_account"] for r in listed})))
    s = s.inner_join(wanted, [s.ServiceName == wanted.a_service, s.SubAccountId == wanted.a_account,
                              s.period_start == wanted.a_start])
    every = s.group_by("alert", "ResourceId").aggregate(
        ServiceName=s.a_service.max(), SubAccountId=s.a_account.max(), period=s.a_period.max(),
        current_usd=ibis.ifelse(s.current, s.EffectiveCost, 0.0).sum(),
        baseline_usd=ibis.ifelse(s.current, 0.0, s.EffectiveCost).sum())
    every = every.mutate(change_usd=every.current_usd - every.baseline_usd)
    w = ibis.window(group_by="alert", order_by=[ibis.desc("change_usd"), "ResourceId"])
    ranked = every.mutate(rank=ibis.row_number().over(w) + 1,
                          series_change_usd=every.change_usd.sum().over(ibis.window(group_by="alert")))
    top = ranked.filter(ranked["rank"] <= int(top_n))
    out = top.select("alert", *_ALERT_KEYS, "period", "rank", "ResourceId", "current_usd", "baseline_usd",
                     "change_usd", "series_change_usd")
    if key is None:
        return out
    r = t.filter(t.ResourceId.notnull() & (t.ChargeCategory == "Usage"))
    r = r.filter(r.ResourceId.isin(out.ResourceId))  # only the drivers' rows: a few resources, not the fleet
    owners = r.group_by("ResourceId").aggregate(tag_value=tag_value(r, key).max())
    return out.left_join(owners, "ResourceId").select(*out.columns, "tag_value")


# ---------------------------------------------------------------------------------------------------
# The FinOps Foundation's FOCUS use-case library (FOCUS 1.2): one query per use case the columns allow.
#
# Each function answers one use case of https://focus.finops.org/use-cases/ (the name in its docstring,
# with the use case's address), grouped as the library's SQL groups, with these differences kept the same
# everywhere: the library's period filter (``ChargePeriodStart >= ? AND ChargePeriodEnd < ?``) is the
# bill's own span (open the files of the period you want); a filter on one value (``ServiceName = ?``,
# ``SubAccountId = ?``, ``PricingCurrency = ?``) becomes a group-by on that column, so one query answers
# every value; ``MONTH(x)`` is the month x falls in (``x`` truncated to the month, so years never merge);
# ``ChargeClass != 'Correction'`` keeps rows whose ChargeClass is null (SQL's ``!=`` would drop them);
# money sums are named ``billed_cost``, ``effective_cost``, ``list_cost``, ``contracted_cost``.
# Each docstring's "Bound" states how many rows the result can have, in terms of what it groups by.

def _sums(t: ir.Table, **columns: str) -> dict:
    """``{name: Σ t[column]}`` for each ``name=column``."""
    return {name: t[column].sum() for name, column in columns.items()}


def _ratio(numerator, denominator):
    """numerator / denominator, null where the denominator is zero or null."""
    return numerator / denominator.nullif(0.0)


def _top(expr: ir.Table, cost: str, keys: Sequence[str], top_n: int | None) -> ir.Table:
    """The ``top_n`` rows by ``cost`` (largest first), ties broken by ``keys``; all rows when None."""
    ordered = expr.order_by([ibis.desc(cost), *keys])
    return ordered if top_n is None else ordered.limit(int(top_n))


def _json_text(column: ir.StringValue, field: str) -> ir.StringValue:
    """The string value of ``field`` in a JSON object written as text (null when absent); a regular
    expression, which DuckDB and Spark run alike (Ibis's JSON path does not run on Spark)."""
    return column.re_extract(r'"' + field + r'"\s*:\s*"([^"]*)"', 1).nullif("")


def _json_number(column: ir.StringValue, field: str) -> ir.FloatingValue:
    """The number value of ``field`` in a JSON object written as text (quoted or not; null when absent)."""
    return column.re_extract(r'"' + field + r'"\s*:\s*"?(-?[0-9]+(\.[0-9]+)?)', 1).nullif("").cast("float64")


def understand_billing_and_sub_accounts(t: ir.Table) -> ir.Table:
    """Use case "Understand the billing account or sub account entity": each billing and sub account with
    charges, with its provider, name and type.

    Bound: one row per distinct (ProviderName, BillingAccountId, BillingAccountName, BillingAccountType,
    SubAccountId, SubAccountName, SubAccountType).

    References: https://focus.finops.org/use-case/understand-the-billing-account-or-sub-account-entity/ (the library lists billing
    accounts; sub accounts and their type are listed beside them, FOCUS 1.2 SubAccountType).
    """
    keys = ["ProviderName", "BillingAccountId", "BillingAccountName", "BillingAccountType", "SubAccountId",
            "SubAccountName", "SubAccountType"]
    return t.group_by(keys).aggregate(rows=t.count())


def sources_of_billed_cost(t: ir.Table) -> ir.Table:
    """Use case "Identify sources of billed cost": billed cost per provider, publisher, invoice issuer and
    invoice.

    Bound: one row per (ProviderName, PublisherName, InvoiceIssuerName, InvoiceId).

    References: https://focus.finops.org/use-case/identify-sources-of-billed-cost/
    """
    return t.group_by(["ProviderName", "PublisherName", "InvoiceIssuerName", "InvoiceId"]).aggregate(
        **_sums(t, billed_cost="BilledCost"))


def credit_memos(t: ir.Table) -> ir.Table:
    """Use case "Analyze credit memos": billed cost of credits per provider and invoice.

    Bound: one row per (ProviderName, InvoiceId) among ``ChargeCategory = 'Credit'`` rows.

    References: https://focus.finops.org/use-case/analyze-credit-memos/
    """
    c = t.filter(t.ChargeCategory == "Credit")
    return c.group_by(["ProviderName", "InvoiceId"]).aggregate(**_sums(c, billed_cost="BilledCost"))


def invoice_reconciliation(t: ir.Table) -> ir.Table:
    """Use case "Verify accuracy of provider invoices aka invoice reconciliation": billed cost per invoice
    issuer and invoice, to hold against each invoice.

    Bound: one row per (InvoiceIssuerName, InvoiceId).

    References: https://focus.finops.org/use-case/verify-accuracy-of-provider-invoices-aka-invoice-reconciliation/
    """
    return t.group_by(["InvoiceIssuerName", "InvoiceId"]).aggregate(**_sums(t, billed_cost="BilledCost"))


def _component_rows(t: ir.Table) -> ir.Table:
    series = _json_text(t.SkuPriceDetails, "InstanceSeries")
    cores = _json_number(t.SkuPriceDetails, "CoreCount")
    m = t.mutate(instance_series=series, core_count=cores)
    return m.filter(m.instance_series.notnull() & m.core_count.notnull())


def component_resource_rate(t: ir.Table) -> ir.Table:
    """Use case "Calculate average rate of a component resource": effective cost per core, per instance
    series and region, from the CoreCount and InstanceSeries that SkuPriceDetails carries.

    Notes
    -----
    average_effective_cost_per_core = Σ EffectiveCost / Σ CoreCount over rows whose SkuPriceDetails has
    both keys (null when the cores sum to 0).

    Bound: one row per (ProviderName, ServiceName, PricingUnit, RegionName, instance_series).

    References: https://focus.finops.org/use-case/calculate-average-rate-of-a-component-resource/; FOCUS 1.1 SkuPriceDetails.
    """
    m = _component_rows(t)
    g = m.group_by(["ProviderName", "ServiceName", "PricingUnit", "RegionName", "instance_series"]).aggregate(
        total_core_count=m.core_count.sum(), **_sums(m, effective_cost="EffectiveCost"))
    return g.mutate(average_effective_cost_per_core=_ratio(g.effective_cost, g.total_core_count))


def component_resource_usage(t: ir.Table) -> ir.Table:
    """Use case "Quantify usage of a component resource": cores (from SkuPriceDetails' CoreCount) and
    pricing quantity per day, instance series and region.

    Notes
    -----
    total_core_count(d) = Σ CoreCount over the rows charged on day d; pricing_quantity likewise.

    Bound: one row per (day, ProviderName, ServiceName, PricingUnit, RegionName, instance_series).

    References: https://focus.finops.org/use-case/quantify-usage-of-a-component-resource/
    """
    m = _component_rows(t)
    return m.group_by(period_start=m.ChargePeriodStart.truncate("D"), ProviderName=m.ProviderName,
                      ServiceName=m.ServiceName, PricingUnit=m.PricingUnit, RegionName=m.RegionName,
                      instance_series=m.instance_series).aggregate(
        total_core_count=m.core_count.sum(), **_sums(m, pricing_quantity="PricingQuantity"))


def unit_economics(t: ir.Table, consumed_unit: str | None = None, description_contains: str | None = None) -> ir.Table:
    """Use case "Calculate unit economics": billed and effective cost per consumed unit, per day and unit.

    Parameters
    ----------
    consumed_unit : str, optional
        Keep only this ConsumedUnit (the library's example: ``"GB"``).
    description_contains : str, optional
        Keep only rows whose ChargeDescription contains this text (the library's: ``"transfer"``).

    Notes
    -----
    billed_cost_per_unit(d, u) = Σ BilledCost / Σ ConsumedQuantity over usage rows of day d in unit u
    (null when the quantity sums to 0); effective_cost_per_unit likewise.

    Bound: one row per (day, ConsumedUnit) among usage rows with a ConsumedQuantity.

    References: https://focus.finops.org/use-case/calculate-unit-economics/
    """
    keep = (t.ChargeCategory == "Usage") & t.ConsumedQuantity.notnull()
    if consumed_unit is not None:
        keep &= t.ConsumedUnit == consumed_unit
    if description_contains is not None:
        keep &= t.ChargeDescription.contains(description_contains)
    u = t.filter(keep)
    g = u.group_by(period_start=u.ChargePeriodStart.truncate("D"), ConsumedUnit=u.ConsumedUnit).aggregate(
        **_sums(u, billed_cost="BilledCost", effective_cost="EffectiveCost", consumed_quantity="ConsumedQuantity"))
    return g.mutate(billed_cost_per_unit=_ratio(g.billed_cost, g.consumed_quantity),
                    effective_cost_per_unit=_ratio(g.effective_cost, g.consumed_quantity))


def virtual_currency_consumption(t: ir.Table) -> ir.Table:
    """Use case "Calculate consumption of virtual currency within a billing period": usage in the pricing
    currency (PricingCurrencyEffectiveCost), per provider and pricing currency.

    Bound: one row per (ProviderName, PricingCurrency) among usage rows (the library keeps the top 10 of one
    currency; here every provider and currency).

    References: https://focus.finops.org/use-case/calculate-consumption-of-virtual-currency-within-a-billing-period/; FOCUS 1.2
    PricingCurrency, PricingCurrencyEffectiveCost.
    """
    u = t.filter((t.ChargeCategory == "Usage") & t.PricingCurrency.notnull())
    return u.group_by(["ProviderName", "PricingCurrency"]).aggregate(
        **_sums(u, pricing_currency_effective_cost="PricingCurrencyEffectiveCost"))


def virtual_currency_targets(t: ir.Table, top_n: int = 10) -> ir.Table:
    """Use case "Determine target of virtual currency usage": the charges that consume most of each pricing
    currency.

    Bound: at most ``top_n`` rows (the library's LIMIT 10), largest PricingCurrencyEffectiveCost first, of
    (PricingCurrency, ProviderName, PublisherName, ServiceName, ChargeDescription).

    References: https://focus.finops.org/use-case/determine-target-of-virtual-currency-usage/
    """
    keys = ["PricingCurrency", "ProviderName", "PublisherName", "ServiceName", "ChargeDescription"]
    v = t.filter(t.PricingCurrency.notnull() & t.PricingCurrencyEffectiveCost.notnull())
    g = v.group_by(keys).aggregate(**_sums(v, pricing_currency_effective_cost="PricingCurrencyEffectiveCost"))
    return _top(g, "pricing_currency_effective_cost", keys, top_n)


def effective_cost_by_pricing_currency(t: ir.Table) -> ir.Table:
    """Use case "Analyze effective cost by pricing currency": effective cost in the pricing currency and in
    the billing currency, per provider, publisher, service and pricing currency.

    Bound: one row per (ProviderName, PublisherName, ServiceName, PricingCurrency).

    References: https://focus.finops.org/use-case/analyze-effective-cost-by-pricing-currency/
    """
    return t.group_by(["ProviderName", "PublisherName", "ServiceName", "PricingCurrency"]).aggregate(
        **_sums(t, pricing_currency_effective_cost="PricingCurrencyEffectiveCost", effective_cost="EffectiveCost"))


def virtual_currency_purchases(t: ir.Table) -> ir.Table:
    """Use case "Analyze purchase of virtual currency": quantity bought (PricingQuantity) and billed cost of
    purchases, per pricing unit.

    Bound: one row per (ProviderName, PublisherName, ChargeDescription, PricingUnit, BillingCurrency) among
    ``ChargeCategory = 'Purchase'`` rows (the library filters one PricingUnit; here every unit).

    References: https://focus.finops.org/use-case/analyze-purchase-of-virtual-currency/
    """
    p = t.filter(t.ChargeCategory == "Purchase")
    return p.group_by(["ProviderName", "PublisherName", "ChargeDescription", "PricingUnit", "BillingCurrency"]) \
        .aggregate(**_sums(p, pricing_quantity="PricingQuantity", billed_cost="BilledCost"))


def virtual_currency_contracted_savings(t: ir.Table) -> ir.Table:
    """Use case "Determine contracted savings by virtual currency": where the contracted unit price in the
    pricing currency is below its list unit price, the gap in both currencies.

    Notes
    -----
    pricing_currency_unit_price_gap = Σ (PricingCurrencyListUnitPrice - PricingCurrencyContractedUnitPrice)
    and billing_currency_unit_price_gap = Σ (ListUnitPrice - ContractedUnitPrice), as the library sums them;
    pricing_currency_savings = Σ (PricingCurrencyListUnitPrice - PricingCurrencyContractedUnitPrice) x
    PricingQuantity and billing_currency_savings = Σ (ListCost - ContractedCost), the savings themselves.

    Bound: one row per (ServiceName, ServiceSubcategory, ChargeDescription, BillingCurrency,
    PricingCurrency) among rows with PricingCurrencyListUnitPrice > PricingCurrencyContractedUnitPrice.

    References: https://focus.finops.org/use-case/determine-contracted-savings-by-virtual-currency/
    """
    s = t.filter(t.PricingCurrencyListUnitPrice > t.PricingCurrencyContractedUnitPrice)
    gap = s.PricingCurrencyListUnitPrice - s.PricingCurrencyContractedUnitPrice
    return s.group_by(["ServiceName", "ServiceSubcategory", "ChargeDescription", "BillingCurrency",
                       "PricingCurrency"]).aggregate(
        pricing_currency_unit_price_gap=gap.sum(),
        billing_currency_unit_price_gap=(s.ListUnitPrice - s.ContractedUnitPrice).sum(),
        pricing_currency_savings=(gap * s.PricingQuantity).sum(),
        billing_currency_savings=(s.ListCost - s.ContractedCost).sum())


def tag_coverage_positive_cost(t: ir.Table, key: str) -> ir.Table:
    """Use case "Analyze tag coverage": the share of each provider's effective cost, over rows with
    EffectiveCost > 0, carried by rows that have tag ``key``.

    Notes
    -----
    tagged_share(p) = Σ EffectiveCost [key ∈ Tags] / Σ EffectiveCost over rows of provider p with
    EffectiveCost > 0: the library's base, which leaves credits, refunds and zero-cost rows out, so the
    share is always in [0, 1]. (`tag_coverage` is the share of all effective cost.)

    Bound: one row per ProviderName with positive effective cost.

    References: https://focus.finops.org/use-case/analyze-tag-coverage/
    """
    p = t.filter(t.EffectiveCost > 0)
    p = p.mutate(_tagged=tag_value(p, key).notnull())
    g = p.group_by("ProviderName").aggregate(
        effective_cost=p.EffectiveCost.sum(), tagged_effective_cost=p.EffectiveCost.sum(where=p._tagged).fill_null(0.0),
        rows=p.count())
    return g.mutate(tagged_share=_ratio(g.tagged_effective_cost, g.effective_cost))


def metered_costs_by_sku_price(t: ir.Table, top_n: int = 100) -> ir.Table:
    """Use cases "Analyze the different metered costs for a particular SKU" and "Analyze resource costs by
    SKU" (the library gives both the same SQL): pricing quantity, list and effective cost per SKU price and
    charge period.

    Bound: at most ``top_n`` rows (the library's LIMIT 100), earliest charge period first, of
    (ProviderName, ChargePeriodStart, ChargePeriodEnd, SkuId, SkuPriceId, PricingUnit, ListUnitPrice).

    References: https://focus.finops.org/use-case/analyze-the-different-metered-costs-for-a-particular-sku/ and https://focus.finops.org/use-case/resource-costs-sku/
    """
    keys = ["ChargePeriodStart", "ChargePeriodEnd", "ProviderName", "SkuId", "SkuPriceId", "PricingUnit",
            "ListUnitPrice"]
    s = t.filter(t.SkuPriceId.notnull())
    g = s.group_by(keys).aggregate(**_sums(s, pricing_quantity="PricingQuantity", list_cost="ListCost",
                                           effective_cost="EffectiveCost"))
    return g.order_by(keys).limit(int(top_n))


def costs_by_service_category(t: ir.Table, subcategory: bool = False) -> ir.Table:
    """Use cases "Report costs by service category" and, with ``subcategory``, "Report costs by service
    category and subcategory": billed cost per provider, currency, billing period and category.

    Bound: one row per (ProviderName, BillingCurrency, BillingPeriodStart, ServiceCategory[,
    ServiceSubcategory]).

    References: https://focus.finops.org/use-case/costs-service-category/ and https://focus.finops.org/use-case/report-costs-by-service-category-and-subcategory/
    """
    keys = ["ProviderName", "BillingCurrency", "BillingPeriodStart", "ServiceCategory"]
    if subcategory:
        keys.append("ServiceSubcategory")
    return t.group_by(keys).aggregate(**_sums(t, billed_cost="BilledCost"))


def capacity_reservations_on_compute(t: ir.Table) -> ir.Table:
    """Use case "Analyze capacity reservations on compute costs": compute cost that used a capacity
    reservation, that a reservation left unused, and that ran without one.

    Bound: at most three rows (``status``) per (ProviderName, BillingAccountId) among compute rows.

    References: https://focus.finops.org/use-case/analyze-capacity-reservations-on-compute-costs/; FOCUS 1.1 CapacityReservationStatus.
    """
    c = t.filter(t.ServiceCategory == "Compute")
    has = c.CapacityReservationId.notnull()
    status = ibis.cases((has & (c.CapacityReservationStatus == "Unused"), "Unused Capacity Reservation"),
                        (has & (c.CapacityReservationStatus == "Used"), "Compute using Capacity Reservation"),
                        else_="Compute without Capacity Reservation")
    return c.group_by(status=status, ProviderName=c.ProviderName, BillingAccountId=c.BillingAccountId).aggregate(
        **_sums(c, billed_cost="BilledCost", effective_cost="EffectiveCost"))


def unused_capacity_reservations(t: ir.Table) -> ir.Table:
    """Use case "Identify unused capacity reservations": billed and effective cost of each reservation's
    unused rows.

    Bound: one row per (ProviderName, BillingAccountId, CapacityReservationId) with unused rows.

    References: https://focus.finops.org/use-case/identify-unused-capacity-reservations/
    """
    u = t.filter(t.CapacityReservationStatus == "Unused")
    return u.group_by(["ProviderName", "BillingAccountId", "CapacityReservationId", "CapacityReservationStatus"]) \
        .aggregate(**_sums(u, billed_cost="BilledCost", effective_cost="EffectiveCost"))


def corrections(t: ir.Table, by_sub_account: bool = False) -> ir.Table:
    """Use cases "Report corrections for a previously invoiced billing period" and, with
    ``by_sub_account``, "Report corrections by subaccount for a previously invoiced billing period":
    billed cost of rows with ``ChargeClass = 'Correction'``, per billing period.

    Bound: one row per (BillingPeriodStart, ProviderName, BillingAccountId, ChargeCategory, ServiceCategory,
    ServiceName) among corrections; by sub account, per (BillingPeriodStart, ProviderName, BillingAccountId,
    ServiceCategory, SubAccountId, SubAccountName).

    References: https://focus.finops.org/use-case/report-corrections/ and https://focus.finops.org/use-case/corrections-by-subaccount/
    """
    c = t.filter(t.ChargeClass == "Correction")
    keys = (["BillingPeriodStart", "ProviderName", "BillingAccountId", "ServiceCategory", "SubAccountId",
             "SubAccountName"] if by_sub_account else
            ["BillingPeriodStart", "ProviderName", "BillingAccountId", "ChargeCategory", "ServiceCategory",
             "ServiceName"])
    return c.group_by(keys).aggregate(**_sums(c, billed_cost="BilledCost"))


def recurring_commitment_charges(t: ir.Table) -> ir.Table:
    """Use case "Report recurring charges for commitment-based discounts over a period": billed cost of the
    recurring charges of each commitment, per billing period.

    Bound: one row per (BillingPeriodStart, CommitmentDiscountId, CommitmentDiscountName,
    CommitmentDiscountType, ChargeFrequency) among recurring commitment rows.

    References: https://focus.finops.org/use-case/recurring-commitment-charges/
    """
    r = t.filter((t.ChargeFrequency == "Recurring") & t.CommitmentDiscountId.notnull())
    return r.group_by(["BillingPeriodStart", "CommitmentDiscountId", "CommitmentDiscountName",
                       "CommitmentDiscountType", "ChargeFrequency"]).aggregate(**_sums(r, billed_cost="BilledCost"))


def service_costs_by_sub_account_and_period(t: ir.Table) -> ir.Table:
    """Use case "Analyze costs by service name": billed and effective cost of every service per billing
    period and sub account (the library's ``ServiceName = ?`` is a group-by here).

    Bound: one row per (BillingPeriodStart, ProviderName, SubAccountId, SubAccountName, ServiceName).

    References: https://focus.finops.org/use-case/costs-service-name/
    """
    return t.group_by(["BillingPeriodStart", "ProviderName", "SubAccountId", "SubAccountName", "ServiceName"]) \
        .aggregate(**_sums(t, billed_cost="BilledCost", effective_cost="EffectiveCost"))


def spending_by_billing_period_and_service(t: ir.Table) -> ir.Table:
    """Use case "Report spending across billing periods for a provider by service category": billed cost
    per billing account, billing period, service category and service.

    Bound: one row per (ProviderName, BillingAccountName, BillingAccountId, BillingCurrency,
    BillingPeriodStart, ServiceCategory, ServiceName).

    References: https://focus.finops.org/use-case/report-spending-across-billing-periods-by-service-category/
    """
    return t.group_by(["ProviderName", "BillingAccountName", "BillingAccountId", "BillingCurrency",
                       "BillingPeriodStart", "ServiceCategory", "ServiceName"]).aggregate(
        **_sums(t, billed_cost="BilledCost"))


def _period_cost(t: ir.Table, dimensions: Sequence[str], period: str, cost: dict) -> ir.Table:
    unit = {"day": "D", "hour": "h", "month": "M"}[period]
    return t.group_by(period_start=t.ChargePeriodStart.truncate(unit), **{d: t[d] for d in dimensions}).aggregate(
        **cost)


def service_costs_by_region(t: ir.Table, period: str = "day") -> ir.Table:
    """Use case "Analyze service costs by region": effective cost per charge period, provider, region and
    service (the library groups by ChargePeriodStart; here its ``period``: day by default, or hour).

    Bound: one row per (period, ProviderName, RegionId, ServiceName).

    References: https://focus.finops.org/use-case/analyze-service-costs-by-region/
    """
    return _period_cost(t, ["ProviderName", "RegionId", "ServiceName"], period, _sums(t, effective_cost="EffectiveCost"))


def service_costs_by_provider_sub_account(t: ir.Table, period: str = "day") -> ir.Table:
    """Use case "Report service costs by providers subaccount": effective cost per charge period, provider,
    service and sub account (every sub account: the library's ``SubAccountId = ?`` is a group-by).

    Bound: one row per (period, ProviderName, ServiceName, SubAccountId).

    References: https://focus.finops.org/use-case/report-service-costs-by-providers-subaccount/
    """
    return _period_cost(t, ["ProviderName", "ServiceName", "SubAccountId"], period,
                        _sums(t, effective_cost="EffectiveCost"))


def service_costs_month_over_month(t: ir.Table) -> ir.Table:
    """Use case "Analyze service costs month over month": effective cost per month, provider and service.

    Bound: one row per (month, ProviderName, ServiceName).

    References: https://focus.finops.org/use-case/service-costs-month-over-month/
    """
    return _period_cost(t, ["ProviderName", "ServiceName"], "month", _sums(t, effective_cost="EffectiveCost"))


def application_cost_month_over_month(t: ir.Table, key: str) -> ir.Table:
    """Use case "Report application cost month over month": effective cost per billing month and service
    of each value of tag ``key`` (the library's ``Tags["Application"] = ?`` is a group-by).

    Bound: one row per (BillingPeriodStart, value of tag ``key``, ServiceName) among rows with the tag.

    References: https://focus.finops.org/use-case/application-cost/
    """
    a = t.mutate(tag_value=tag_value(t, key))
    a = a.filter(a.tag_value.notnull())
    return a.group_by(["BillingPeriodStart", "tag_value", "ServiceName"]).aggregate(
        **_sums(a, effective_cost="EffectiveCost"))


def resource_component_costs(t: ir.Table, resource_id: str | None = None, top_n: int = 1000) -> ir.Table:
    """Use case "Analyze costs of components of a resource": effective cost per charge description and SKU
    of a resource (``resource_id``), or of every resource.

    Bound: at most ``top_n`` rows, largest effective cost first, of (ResourceId, ResourceName, ResourceType,
    ChargeDescription, SkuId).

    References: https://focus.finops.org/use-case/resource-component-costs/
    """
    keys = ["ResourceId", "ResourceName", "ResourceType", "ChargeDescription", "SkuId"]
    r = t.filter(t.ResourceId.notnull() if resource_id is None else t.ResourceId == resource_id)
    return _top(r.group_by(keys).aggregate(**_sums(r, effective_cost="EffectiveCost")), "effective_cost", keys, top_n)


def effective_cost_of_compute(t: ir.Table) -> ir.Table:
    """Use case "Report effective cost of compute": effective cost of compute per commitment discount type,
    service, sub account and billing period (null type: no commitment).

    Bound: one row per (CommitmentDiscountType, ProviderName, ServiceName, SubAccountId, SubAccountName,
    BillingPeriodStart) among compute rows.

    References: https://focus.finops.org/use-case/effective-cost-compute/
    """
    c = t.filter(t.ServiceCategory == "Compute")
    return c.group_by(["CommitmentDiscountType", "ProviderName", "ServiceName", "SubAccountId", "SubAccountName",
                       "BillingPeriodStart"]).aggregate(**_sums(c, effective_cost="EffectiveCost"))


def commitment_discount_purchases(t: ir.Table) -> ir.Table:
    """Use case "Report commitment discount purchases": each commitment's purchases, with the first and last
    moment they cover (MIN ChargePeriodStart, MAX ChargePeriodEnd) and their billed cost.

    Bound: one row per (ProviderName, BillingAccountId, CommitmentDiscountId, CommitmentDiscountType,
    CommitmentDiscountUnit, CommitmentDiscountQuantity, ChargeFrequency) among purchases of commitments.

    References: https://focus.finops.org/use-case/commitment-discount-purchases/
    """
    p = t.filter((t.ChargeCategory == "Purchase") & t.CommitmentDiscountId.notnull())
    return p.group_by(["ProviderName", "BillingAccountId", "CommitmentDiscountId", "CommitmentDiscountType",
                       "CommitmentDiscountUnit", "CommitmentDiscountQuantity", "ChargeFrequency"]).aggregate(
        charge_period_start=p.ChargePeriodStart.min(), charge_period_end=p.ChargePeriodEnd.max(),
        **_sums(p, billed_cost="BilledCost"))


def effective_savings_rate_by_service(t: ir.Table) -> ir.Table:
    """Use case "Determine Effective Savings Rate by Service": contracted and effective cost per service and
    the effective savings rate.

    Notes
    -----
    effective_savings_rate = (Σ ContractedCost - Σ EffectiveCost) / Σ ContractedCost (null when the
    contracted cost sums to 0).

    Bound: one row per (ProviderName, ServiceName).

    References: https://focus.finops.org/use-case/effective-savings-rate-services/
    """
    g = t.group_by(["ProviderName", "ServiceName"]).aggregate(
        **_sums(t, contracted_cost="ContractedCost", effective_cost="EffectiveCost"))
    return g.mutate(effective_savings_rate=_ratio(g.contracted_cost - g.effective_cost, g.contracted_cost))


def effective_savings_rate_rows(t: ir.Table, top_n: int = 1000) -> ir.Table:
    """Use case "Determine Effective Savings Rate": the savings rate of each row, over list and over
    contracted cost, lowest savings over list first.

    Notes
    -----
    esr_over_list = (ListCost - EffectiveCost) / ListCost; esr_over_contract = (ContractedCost -
    EffectiveCost) / ContractedCost (null when ContractedCost is 0 or null; the library's SQL divides by
    ContractedUnitPrice, against its own description). Rows with ListCost > 0 only.

    Bound: at most ``top_n`` rows (row level: the library returns every row), ordered by esr_over_list,
    then file and row.

    References: https://focus.finops.org/use-case/effective-savings-rate/
    """
    r = t.filter(t.ListCost > 0)
    r = r.select("x_SourceFile", "x_SourceRow", "ProviderName", "ListCost", "ContractedCost", "EffectiveCost",
                 esr_over_list=(r.ListCost - r.EffectiveCost) / r.ListCost,
                 esr_over_contract=_ratio(r.ContractedCost - r.EffectiveCost, r.ContractedCost))
    return r.order_by(["esr_over_list", "x_SourceFile", "x_SourceRow"]).limit(int(top_n))


def marketplace_vendor_costs(t: ir.Table, period: str = "day") -> ir.Table:
    """Use case "Analyze marketplace vendors costs": effective cost of charges whose publisher is not the
    invoice issuer (bought through a marketplace), per period, provider, publisher and issuer, with the
    first and last moment charged.

    Bound: one row per (period, ProviderName, PublisherName, InvoiceIssuerName) among marketplace rows.

    References: https://focus.finops.org/use-case/marketplace-vendors-costs/
    """
    m = t.filter(t.InvoiceIssuerName != t.PublisherName)
    return _period_cost(m, ["ProviderName", "PublisherName", "InvoiceIssuerName"], period,
                        {"charge_period_start": m.ChargePeriodStart.min(), "charge_period_end": m.ChargePeriodEnd.max(),
                         **_sums(m, effective_cost="EffectiveCost")})


def compute_resources_by_sub_account(t: ir.Table, top_n: int = 1000) -> ir.Table:
    """Use case "Analyze cost per compute service for a subaccount": per compute resource of each sub
    account, the first and last moment charged, pricing quantity and effective cost.

    Bound: at most ``top_n`` rows, largest effective cost first, of (SubAccountId, ServiceName, ResourceId,
    ResourceName) among compute rows with a resource.

    References: https://focus.finops.org/use-case/cost-compute-subaccount/
    """
    keys = ["SubAccountId", "ServiceName", "ResourceId", "ResourceName"]
    c = t.filter((t.ServiceCategory == "Compute") & t.ResourceId.notnull())
    g = c.group_by(keys).aggregate(charge_period_start=c.ChargePeriodStart.min(),
                                   charge_period_end=c.ChargePeriodEnd.max(),
                                   **_sums(c, pricing_quantity="PricingQuantity", effective_cost="EffectiveCost"))
    return _top(g, "effective_cost", keys, top_n)


def costs_by_availability_zone(t: ir.Table) -> ir.Table:
    """Use case "Analyze costs by availability zone for a subaccount": effective cost per sub account,
    region, zone and billing period.

    Bound: one row per (SubAccountId, ProviderName, RegionName, AvailabilityZone, BillingPeriodStart).

    References: https://focus.finops.org/use-case/costs-by-availability-zone/
    """
    return t.group_by(["SubAccountId", "ProviderName", "RegionName", "AvailabilityZone", "BillingPeriodStart"]) \
        .aggregate(**_sums(t, effective_cost="EffectiveCost"))


#: The three daily-anomaly use cases: their dimensions, from the coarsest.
DAILY_ANOMALY_DIMENSIONS = {
    "sub_account": ["ProviderName", "SubAccountId"],
    "region": ["ProviderName", "SubAccountId", "RegionId", "RegionName"],
    "service": ["ProviderName", "SubAccountId", "RegionId", "RegionName", "ServiceName"],
}


def daily_effective_cost(t: ir.Table, level: str = "sub_account") -> ir.Table:
    """Use cases "Identify anomalous daily spending by subaccount" (``level="sub_account"``),
    "Identify anomalous daily spending by subaccount and region" (``"region"``) and
    "Identify anomalous daily spending by subaccount, region, and service" (``"service"``): effective
    (amortized) cost per day at that level, the series an anomaly detector watches.

    Bound: one row per (day, `DAILY_ANOMALY_DIMENSIONS`[level]).

    References: https://focus.finops.org/use-case/daily-anomaly-subaccount/, https://focus.finops.org/use-case/daily-anomaly-region/, https://focus.finops.org/use-case/daily-anomaly-services/
    """
    if level not in DAILY_ANOMALY_DIMENSIONS:
        raise ValueError(f"level = {level!r}: expected one of {', '.join(DAILY_ANOMALY_DIMENSIONS)}")
    return _period_cost(t, DAILY_ANOMALY_DIMENSIONS[level], "day", _sums(t, effective_cost="EffectiveCost"))


def budgets_by_billing_period(t: ir.Table, key: str | None = None) -> ir.Table:
    """Use cases "Update budgets with billed costs" and, with a tag ``key``, "Update budgets for each
    application": billed cost per provider and billing period (and value of the tag).

    Bound: one row per (ProviderName, BillingPeriodStart, BillingPeriodEnd[, value of tag ``key``]).

    References: https://focus.finops.org/use-case/update-budgets/ and https://focus.finops.org/use-case/update-application-budgets/
    """
    keys = {c: t[c] for c in ("ProviderName", "BillingPeriodStart", "BillingPeriodEnd")}
    if key is not None:
        keys["tag_value"] = tag_value(t, key)
    return t.group_by(**keys).aggregate(**_sums(t, billed_cost="BilledCost"))


def sub_accounts_by_region(t: ir.Table) -> ir.Table:
    """Use case "Report subaccounts by region": the rows each sub account has in each region (for data
    residency checks).

    Bound: one row per (ProviderName, SubAccountId, RegionId, RegionName).

    References: https://focus.finops.org/use-case/report-subaccount-regions/
    """
    return t.group_by(["ProviderName", "SubAccountId", "RegionId", "RegionName"]).aggregate(rows=t.count())


def historical_usage_and_rates(t: ir.Table) -> ir.Table:
    """Use case "Get historical usage and rates to enable cost forecasting": effective cost and pricing
    quantity per billing period, service, region and pricing unit, and the rate they imply.

    Notes
    -----
    effective_cost_per_pricing_unit = Σ EffectiveCost / Σ PricingQuantity (null when the quantity is 0).

    Bound: one row per (ProviderName, BillingPeriodStart, BillingPeriodEnd, ServiceCategory, ServiceName,
    RegionId, RegionName, PricingUnit).

    References: https://focus.finops.org/use-case/forecast-costs/
    """
    g = t.group_by(["ProviderName", "BillingPeriodStart", "BillingPeriodEnd", "ServiceCategory", "ServiceName",
                    "RegionId", "RegionName", "PricingUnit"]).aggregate(
        **_sums(t, effective_cost="EffectiveCost", pricing_quantity="PricingQuantity"))
    return g.mutate(effective_cost_per_pricing_unit=_ratio(g.effective_cost, g.pricing_quantity))


def monthly_cost_by_service(t: ir.Table, amortized: bool = False) -> ir.Table:
    """Use cases "Forecast cashflow month over month based on historical trends by service" (billed cost)
    and, with ``amortized``, "Forecast amortized costs month over month based on historical trends"
    (effective cost, also per ChargeCategory): the monthly history a forecast extrapolates.

    Bound: one row per (BillingPeriodStart month, ProviderName, ServiceCategory, ServiceName[,
    ChargeCategory]).

    References: https://focus.finops.org/use-case/forecast-cashflow/ and https://focus.finops.org/use-case/forecast-amortized-costs/
    """
    keys = {"month": t.BillingPeriodStart.truncate("M"), **{c: t[c] for c in ("ProviderName", "ServiceCategory",
                                                                             "ServiceName")}}
    if amortized:
        keys["ChargeCategory"] = t.ChargeCategory
        return t.group_by(**keys).aggregate(**_sums(t, effective_cost="EffectiveCost"))
    return t.group_by(**keys).aggregate(**_sums(t, billed_cost="BilledCost"))


def discounts_applied(t: ir.Table) -> ir.Table:
    """Use case "Verify discount accuracy for previously invoiced billing period": effective, list and
    billed cost per service outside corrections, and the effective share of billed cost.

    Notes
    -----
    effective_discount = Σ EffectiveCost / Σ BilledCost (the library's ratio, as a decimal; null when
    billed is 0). Rows whose ChargeClass is null count (only corrections are left out).

    Bound: one row per (ProviderName, BillingAccountId, BillingAccountName, BillingCurrency, ServiceName).

    References: https://focus.finops.org/use-case/verify-discounts-applied/
    """
    d = t.filter(t.ChargeClass.isnull() | (t.ChargeClass != "Correction"))
    g = d.group_by(["ProviderName", "BillingAccountId", "BillingAccountName", "BillingCurrency", "ServiceName"]) \
        .aggregate(**_sums(d, effective_cost="EffectiveCost", list_cost="ListCost", billed_cost="BilledCost"))
    return g.mutate(effective_discount=_ratio(g.effective_cost, g.billed_cost))


def invoice_totals(t: ir.Table, by_service: bool = False) -> ir.Table:
    """Use cases "Verify accuracy of provider invoices" and, with ``by_service``, "Verify accuracy of
    services charges across providers": billed cost per billing account and currency (and service).

    Bound: one row per (ProviderName, BillingAccountId, BillingAccountName, BillingCurrency[, ServiceName]).

    References: https://focus.finops.org/use-case/verify-invoices/ and https://focus.finops.org/use-case/verify-service-charges/
    """
    keys = ["ProviderName", "BillingAccountId", "BillingAccountName", "BillingCurrency"]
    if by_service:
        keys.append("ServiceName")
    return t.group_by(keys).aggregate(**_sums(t, billed_cost="BilledCost"))


def usage_month_over_month(t: ir.Table) -> ir.Table:
    """Use case "Compare resource usage month over month": consumed quantity per month, resource, SKU and
    consumed unit, over usage rows.

    Bound: one row per (month, ProviderName, ServiceName, ResourceId, SkuId, ConsumedUnit) among usage rows:
    months x resources x SKUs x units.

    References: https://focus.finops.org/use-case/compare-usage-month-over-month/
    """
    u = t.filter(t.ChargeCategory == "Usage")
    return _period_cost(u, ["ProviderName", "ServiceName", "ResourceId", "SkuId", "ConsumedUnit"], "month",
                        _sums(u, consumed_quantity="ConsumedQuantity"))


def top_services_by_sub_account(t: ir.Table, top_n: int = 10) -> ir.Table:
    """Use case "Analyze service costs by subaccount": the services with the most effective cost, per sub
    account.

    Bound: at most ``top_n`` rows, largest effective cost first, of (SubAccountId, SubAccountName,
    ServiceName) (the library's LIMIT 10, per charge period of one sub account).

    References: https://focus.finops.org/use-case/service-costs-subaccount/
    """
    keys = ["SubAccountId", "SubAccountName", "ServiceName"]
    g = t.group_by(keys).aggregate(**_sums(t, effective_cost="EffectiveCost"))
    return _top(g, "effective_cost", keys, top_n)


def unused_commitments(t: ir.Table) -> ir.Table:
    """Use case "Identify unused commitments": each commitment's unused rows, the first and last moment
    they cover, and their billed and effective cost.

    Bound: one row per (ProviderName, BillingAccountId, CommitmentDiscountId, CommitmentDiscountType) with
    unused rows.

    References: https://focus.finops.org/use-case/identify-unused-commitments/
    """
    u = t.filter(t.CommitmentDiscountStatus == "Unused")
    return u.group_by(["ProviderName", "BillingAccountId", "CommitmentDiscountId", "CommitmentDiscountType"]) \
        .aggregate(charge_period_start=u.ChargePeriodStart.min(), charge_period_end=u.ChargePeriodEnd.max(),
                   **_sums(u, billed_cost="BilledCost", effective_cost="EffectiveCost"))


def application_cost_by_currency(t: ir.Table, key: str) -> ir.Table:
    """Use case "Allocate multi-currency charges per application": billed cost per value of tag ``key``,
    billing account and billing currency.

    Bound: one row per (value of tag ``key``, ProviderName, BillingAccountId, BillingAccountName,
    BillingCurrency).

    References: https://focus.finops.org/use-case/allocate-application-multi-currency/
    """
    a = t.mutate(tag_value=tag_value(t, key))
    return a.group_by(["tag_value", "ProviderName", "BillingAccountId", "BillingAccountName", "BillingCurrency"]) \
        .aggregate(**_sums(a, billed_cost="BilledCost"))


def usage_billed_by_sub_account(t: ir.Table) -> ir.Table:
    """Use case "Compare billed cost per subaccount to budget": billed cost of usage per sub account.

    Bound: one row per (ProviderName, SubAccountId, SubAccountName) among usage rows.

    References: https://focus.finops.org/use-case/compare-billed-budget/
    """
    u = t.filter(t.ChargeCategory == "Usage")
    return u.group_by(["ProviderName", "SubAccountId", "SubAccountName"]).aggregate(**_sums(u, billed_cost="BilledCost"))

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
    "resource_summary_nodes": (resource_summary, {"key": "team",
                                                  "services": ["Amazon Elastic Kubernetes Service"]}),
    "resource_summary_rightsizing": (resource_summary, {
        "key": "team", "services": ["Amazon Elastic Compute Cloud"],
        "unit_prices": [0.096, 0.192, 0.384, 0.768], "top_n": 12}),
    "resource_summary_untagged": (resource_summary, {"key": "team", "untagged_only": True, "top_n": 10}),
    "resource_cost_totals": (resource_cost_totals, {"key": "team"}),
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
    "alert_drivers_daily": (alert_drivers, {"alerts": [
        {"ServiceName": "Amazon Relational Database Service", "SubAccountId": "aws-data", "period": "2026-11-10"},
        {"ServiceName": "Compute Engine", "SubAccountId": "gcp-search", "period": "2026-11-19"}],
        "period": "day", "baseline_lag_periods": 1, "top_n": 5, "key": "team"}),
    "alert_drivers_hourly": (alert_drivers, {"alerts": [
        {"ServiceName": "Amazon Relational Database Service", "SubAccountId": "aws-data",
         "period": "2026-11-10T06:00:00Z"}],
        "period": "hour", "baseline_lag_periods": 24, "top_n": 5, "key": "team", "max_period_hours": 1}),
    "list_cost_check": (list_cost_check, {}),
    "billed_without_effective": (billed_without_effective, {}),
}


#: Every use case of the FOCUS use-case library for 1.2 (its title, as the library spells it) and the entry
#: of `QUERIES` that answers it. Two titles share an entry where the library gives them the same SQL.
USE_CASES: dict[str, str] = {
    "Understand the billing account or sub account entity": "use_case_billing_and_sub_accounts",
    "Identify sources of billed cost": "use_case_sources_of_billed_cost",
    "Analyze credit memos": "use_case_credit_memos",
    "Verify accuracy of provider invoices aka invoice reconciliation": "use_case_invoice_reconciliation",
    "Calculate average rate of a component resource": "use_case_component_resource_rate",
    "Quantify usage of a component resource": "use_case_component_resource_usage",
    "Calculate unit economics": "use_case_unit_economics",
    "Calculate consumption of virtual currency within a billing period": "use_case_virtual_currency_consumption",
    "Determine target of virtual currency usage": "use_case_virtual_currency_targets",
    "Analyze effective cost by pricing currency": "use_case_effective_cost_by_pricing_currency",
    "Analyze purchase of virtual currency": "use_case_virtual_currency_purchases",
    "Determine contracted savings by virtual currency": "use_case_virtual_currency_contracted_savings",
    "Analyze tag coverage": "use_case_tag_coverage",
    "Analyze the different metered costs for a particular SKU": "use_case_metered_costs_by_sku_price",
    "Analyze resource costs by SKU": "use_case_metered_costs_by_sku_price",
    "Report costs by service category and subcategory": "use_case_costs_by_service_subcategory",
    "Report costs by service category": "use_case_costs_by_service_category",
    "Analyze capacity reservations on compute costs": "use_case_capacity_reservations_on_compute",
    "Identify unused capacity reservations": "use_case_unused_capacity_reservations",
    "Report corrections by subaccount for a previously invoiced billing period": "use_case_corrections_by_sub_account",
    "Report corrections for a previously invoiced billing period": "use_case_corrections",
    "Report recurring charges for commitment-based discounts over a period": "use_case_recurring_commitment_charges",
    "Analyze costs by service name": "use_case_service_costs_by_sub_account_and_period",
    "Report spending across billing periods for a provider by service category":
        "use_case_spending_by_billing_period_and_service",
    "Analyze service costs by region": "use_case_service_costs_by_region",
    "Report service costs by providers subaccount": "use_case_service_costs_by_provider_sub_account",
    "Analyze service costs month over month": "use_case_service_costs_month_over_month",
    "Report application cost month over month": "use_case_application_cost_month_over_month",
    "Analyze costs of components of a resource": "use_case_resource_component_costs",
    "Report effective cost of compute": "use_case_effective_cost_of_compute",
    "Report commitment discount purchases": "use_case_commitment_discount_purchases",
    "Determine Effective Savings Rate by Service": "use_case_effective_savings_rate_by_service",
    "Determine Effective Savings Rate": "use_case_effective_savings_rate_rows",
    "Analyze marketplace vendors costs": "use_case_marketplace_vendor_costs",
    "Analyze cost per compute service for a subaccount": "use_case_compute_resources_by_sub_account",
    "Analyze costs by availability zone for a subaccount": "use_case_costs_by_availability_zone",
    "Identify anomalous daily spending by subaccount, region, and service": "use_case_daily_cost_by_service",
    "Identify anomalous daily spending by subaccount and region": "use_case_daily_cost_by_region",
    "Identify anomalous daily spending by subaccount": "use_case_daily_cost_by_sub_account",
    "Update budgets for each application": "use_case_budgets_by_application",
    "Update budgets with billed costs": "use_case_budgets",
    "Report subaccounts by region": "use_case_sub_accounts_by_region",
    "Get historical usage and rates to enable cost forecasting": "use_case_historical_usage_and_rates",
    "Forecast cashflow month over month based on historical trends by service": "use_case_monthly_billed_by_service",
    "Forecast amortized costs month over month based on historical trends": "use_case_monthly_effective_by_service",
    "Verify discount accuracy for previously invoiced billing period": "use_case_discounts_applied",
    "Verify accuracy of services charges across providers": "use_case_invoice_totals_by_service",
    "Verify accuracy of provider invoices": "use_case_invoice_totals",
    "Compare resource usage month over month": "use_case_usage_month_over_month",
    "Analyze service costs by subaccount": "use_case_top_services_by_sub_account",
    "Identify unused commitments": "use_case_unused_commitments",
    "Allocate multi-currency charges per application": "use_case_application_cost_by_currency",
    "Compare billed cost per subaccount to budget": "use_case_usage_billed_by_sub_account",
}

#: The use-case queries, each with its default arguments (the generated bill's team tag for the ones the
#: library asks of an application tag).
USE_CASE_QUERIES: dict[str, tuple[Callable[..., ir.Table], dict]] = {
    "use_case_billing_and_sub_accounts": (understand_billing_and_sub_accounts, {}),
    "use_case_sources_of_billed_cost": (sources_of_billed_cost, {}),
    "use_case_credit_memos": (credit_memos, {}),
    "use_case_invoice_reconciliation": (invoice_reconciliation, {}),
    "use_case_component_resource_rate": (component_resource_rate, {}),
    "use_case_component_resource_usage": (component_resource_usage, {}),
    "use_case_unit_economics": (unit_economics, {}),
    "use_case_virtual_currency_consumption": (virtual_currency_consumption, {}),
    "use_case_virtual_currency_targets": (virtual_currency_targets, {"top_n": 10}),
    "use_case_effective_cost_by_pricing_currency": (effective_cost_by_pricing_currency, {}),
    "use_case_virtual_currency_purchases": (virtual_currency_purchases, {}),
    "use_case_virtual_currency_contracted_savings": (virtual_currency_contracted_savings, {}),
    "use_case_tag_coverage": (tag_coverage_positive_cost, {"key": "team"}),
    "use_case_metered_costs_by_sku_price": (metered_costs_by_sku_price, {"top_n": 100}),
    "use_case_costs_by_service_subcategory": (costs_by_service_category, {"subcategory": True}),
    "use_case_costs_by_service_category": (costs_by_service_category, {}),
    "use_case_capacity_reservations_on_compute": (capacity_reservations_on_compute, {}),
    "use_case_unused_capacity_reservations": (unused_capacity_reservations, {}),
    "use_case_corrections_by_sub_account": (corrections, {"by_sub_account": True}),
    "use_case_corrections": (corrections, {}),
    "use_case_recurring_commitment_charges": (recurring_commitment_charges, {}),
    "use_case_service_costs_by_sub_account_and_period": (service_costs_by_sub_account_and_period, {}),
    "use_case_spending_by_billing_period_and_service": (spending_by_billing_period_and_service, {}),
    "use_case_service_costs_by_region": (service_costs_by_region, {"period": "day"}),
    "use_case_service_costs_by_provider_sub_account": (service_costs_by_provider_sub_account, {"period": "day"}),
    "use_case_service_costs_month_over_month": (service_costs_month_over_month, {}),
    "use_case_application_cost_month_over_month": (application_cost_month_over_month, {"key": "team"}),
    "use_case_resource_component_costs": (resource_component_costs, {"top_n": 1000}),
    "use_case_effective_cost_of_compute": (effective_cost_of_compute, {}),
    "use_case_commitment_discount_purchases": (commitment_discount_purchases, {}),
    "use_case_effective_savings_rate_by_service": (effective_savings_rate_by_service, {}),
    "use_case_effective_savings_rate_rows": (effective_savings_rate_rows, {"top_n": 1000}),
    "use_case_marketplace_vendor_costs": (marketplace_vendor_costs, {"period": "day"}),
    "use_case_compute_resources_by_sub_account": (compute_resources_by_sub_account, {"top_n": 1000}),
    "use_case_costs_by_availability_zone": (costs_by_availability_zone, {}),
    "use_case_daily_cost_by_service": (daily_effective_cost, {"level": "service"}),
    "use_case_daily_cost_by_region": (daily_effective_cost, {"level": "region"}),
    "use_case_daily_cost_by_sub_account": (daily_effective_cost, {"level": "sub_account"}),
    "use_case_budgets_by_application": (budgets_by_billing_period, {"key": "team"}),
    "use_case_budgets": (budgets_by_billing_period, {}),
    "use_case_sub_accounts_by_region": (sub_accounts_by_region, {}),
    "use_case_historical_usage_and_rates": (historical_usage_and_rates, {}),
    "use_case_monthly_billed_by_service": (monthly_cost_by_service, {}),
    "use_case_monthly_effective_by_service": (monthly_cost_by_service, {"amortized": True}),
    "use_case_discounts_applied": (discounts_applied, {}),
    "use_case_invoice_totals_by_service": (invoice_totals, {"by_service": True}),
    "use_case_invoice_totals": (invoice_totals, {}),
    "use_case_usage_month_over_month": (usage_month_over_month, {}),
    "use_case_top_services_by_sub_account": (top_services_by_sub_account, {"top_n": 10}),
    "use_case_unused_commitments": (unused_commitments, {}),
    "use_case_application_cost_by_currency": (application_cost_by_currency, {"key": "team"}),
    "use_case_usage_billed_by_sub_account": (usage_billed_by_sub_account, {}),
}
QUERIES.update(USE_CASE_QUERIES)


def column_counts(t: ir.Table, columns: Sequence[str] | None = None) -> ir.Table:
    """One row: per FOCUS column, how many rows carry a value (non-null), and ``rows`` in all: which
    columns a bill really fills (`costlib.scaffold` turns sections on from it).

    Bound: one row.

    Examples
    --------
    >>> column_counts(focus_table(), ["BilledCost", "Tags"]).columns
    ('rows', 'BilledCost', 'Tags')
    """
    columns = list(focus.ALL_COLUMNS) if columns is None else list(columns)
    return t.aggregate(rows=t.count(), **{c: t[c].count() for c in columns})


QUERIES["column_counts"] = (column_counts, {})
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
