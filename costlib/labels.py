"""One label for every name: what a reader sees instead of a key, with its unit, and numbers formatted by
that unit.

Names in costbook carry their units (``cost_usd_per_month``, ``build_months``, ``discount_rate_per_year``).
This module is the one place that reads them:

- `parse` is the one parser of unit suffixes: a name's words, its unit and what the amount is counted over
  (``"cost_usd_per_month"`` -> ``("cost", "usd", "per month")``). The what-if panel, the report's tables,
  the tornado and flip tables, the charts, the Markdown snippet and the xlsx all read units through it;
- `describe` is the registry: the label of a figure, an input or a table column, looked up in the
  declarations first (a workbook's ``FIGURES`` and ``COLUMNS``, then `COMMON`, the columns every workbook
  shares) and only then derived from the name by `parse`;
- `text` formats a value by its unit for people (``$1,234``, ``12.3%``, ``month 27``, ``27 months``,
  ``200,000``, ``1.5 FTE``), never ``nan``, ``None``, ``True``/``False``, ``-0.00`` or an exponent.

Values from data (tag keys, resource ids, a scenario's option names) are not keys: they are shown as they
are, except that a scenario's own names (options, components, levers) read with spaces (`words`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

__all__ = ["Label", "Column", "COMMON", "UNIT_WORDS", "parse", "describe", "column", "header", "text", "words",
           "is_key", "number"]

#: ``(name suffix, unit, what the amount is counted over)``: the first that matches wins (longest first).
SUFFIXES = (
    ("_usd_per_year_per_added_life_year", "usd", "per year, per added year of life"),
    ("_usd_per_fte_per_year", "usd", "per FTE per year"),
    ("_usd_per_tenant_month", "usd", "per tenant-month"),
    ("_usd_per_utilized_unit", "usd", "per utilized unit"),
    ("_usd_per_unit_hour", "usd", "per unit-hour"),
    ("_usd_per_unit_month", "usd", "per unit-month"),
    ("_usd_per_load_hour", "usd", "per load-hour"),
    ("_usd_per_gb_month", "usd", "per GB-month"),
    ("_usd_per_unit", "usd", "per unit"),
    ("_usd_per_month", "usd", "per month"),
    ("_usd_per_year", "usd", "per year"),
    ("_usd_per_run", "usd", "per run"),
    ("_usd_per_hour", "usd", "per hour"),
    ("_usd_per_dau", "usd", "per DAU"),
    ("_usd", "usd", ""),
    ("_rate_per_month", "share", "per month"),
    ("_rate_per_year", "share", "per year"),
    ("_share", "share", ""),
    ("_rate", "share", ""),
    ("_probability", "share", ""),
    ("_margin", "share", ""),
    ("_gb_per_month", "gb", "per month"),
    ("_units_per_month", "count", "per month"),
    ("_hours_per_month", "hours", "per month"),
    ("_per_month", "count", "per month"),
    ("_start_month", "month", ""),
    ("_month", "month", ""),
    ("_months", "months", ""),
    ("_years", "years", ""),
    ("_weeks", "weeks", ""),
    ("_days", "days", ""),
    ("_hours", "hours", ""),
    ("_ftes", "fte", ""),
    ("_fte", "fte", ""),
    ("_instances", "count", ""),
    ("_nodes", "count", ""),
    ("_servers", "count", ""),
    ("_units", "count", ""),
    ("_multiple", "multiple", ""),
    ("_multiplier", "multiple", ""),
    ("_scale", "multiple", ""),
    ("_throughput", "multiple", ""),
    ("_ratio", "multiple", ""),
    ("_gain", "share", ""),
)
#: Leading words with their unit (``probability_of_success``, ``hours_at_risk``).
PREFIXES = (("probability", "share"), ("hours_", "hours"), ("share_", "share"))
#: Whole names (the last part of a dotted key) with their unit.
NAMES = {"fte": "fte", "ftes": "fte", "engineers": "fte", "saving": "share", "headroom": "share",
         "premium": "share", "discount": "share", "months": "months", "hours": "hours", "instances": "count",
         "multiplier": "multiple", "scale": "multiple", "month": "month", "usd": "usd", "share": "share",
         "margin": "share", "gross_margin": "share", "probability": "share", "gb_per_month": "gb"}
#: A unit in words, for a column header or a label ("Cost (USD per month)").
UNIT_WORDS = {"usd": "USD", "usd_per_month": "USD per month", "usd_per_year": "USD per year",
              "usd_per_unit": "USD per unit", "share": "%", "probability": "%", "fte": "FTE", "months": "months",
              "years": "years", "weeks": "weeks", "days": "days", "hours": "hours", "multiple": "x", "gb": "GB"}
#: Units a label can have: the figure units of `costlib.contract.UNITS` and the units of inputs.
UNITS = ("usd", "usd_per_month", "usd_per_year", "usd_per_unit", "share", "probability", "month", "months",
         "years", "weeks", "days", "hours", "fte", "count", "gb", "multiple", "number", "text")

_ACRONYMS = {"usd": "USD", "fte": "FTE", "ftes": "FTEs", "gb": "GB", "tb": "TB", "az": "AZ", "cdn": "CDN",
             "api": "API", "gpu": "GPU", "gpus": "GPUs", "cpu": "CPU", "vcpus": "vCPUs", "vcpu": "vCPU",
             "dau": "DAU", "mau": "MAU", "sre": "SRE", "sres": "SREs", "dba": "DBA", "tco": "TCO", "npv": "NPV",
             "roi": "ROI", "p50": "P50", "p90": "P90", "p10": "P10", "p99": "P99", "vms": "VMs", "vm": "VM",
             "arm": "ARM", "x86": "x86", "s3": "S3", "nat": "NAT", "oss": "OSS", "ml": "ML", "ai": "AI",
             "genai": "GenAI", "saas": "SaaS", "macrs": "MACRS", "pnl": "P&L", "ebitda": "EBITDA", "fcf": "FCF",
             "mape": "MAPE", "mase": "MASE", "4k": "4K", "ssd": "SSD", "hdd": "HDD", "db": "DB", "rps": "RPS"}

_KEEP_CASE = {v for v in _ACRONYMS.values() if v[:1].islower()}
#: Suffixes of a price (an amount per unit of something): the label says "price" ("subscription price").
_PRICE_SUFFIXES = ("_usd_per_unit_hour", "_usd_per_unit_month", "_usd_per_gb_month", "_usd_per_unit", "_usd_per_hour",
                   "_usd_per_run", "_usd_per_load_hour", "_usd_per_utilized_unit", "_usd_per_dau")

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def words(name: Any) -> str:
    """A name as words: underscores as spaces, acronyms in capitals (``cdn_egress`` -> ``CDN egress``).

    Examples
    --------
    >>> words("kafka_on_bare_metal"), words("x86_fleet"), words("sre_team"), words("dau_now")
    ('kafka on bare metal', 'x86 fleet', 'SRE team', 'DAU now')
    """
    parts = str(name).replace("__", " ").replace("_", " ").split(" ")
    return " ".join(_ACRONYMS.get(p, p) for p in parts if p != "")


def sentence(text: str) -> str:
    """Capitalise the first letter (``build months`` -> ``Build months``; ``vCPUs`` and ``x86`` stay)."""
    first = text.split(" ", 1)[0] if text else ""
    return text if not text or first in _KEEP_CASE else text[:1].upper() + text[1:]


def is_key(token: str) -> bool:
    """Whether ``token`` looks like a snake_case key (what a reader must never see)."""
    return bool(_SNAKE.match(str(token)))


@dataclass(frozen=True)
class Column:
    """A declared table column: its label in words and its unit (one of `UNITS`); ``per`` is what the
    amount is counted over (``"per month"``)."""

    label: str
    unit: str
    per: str = ""


@dataclass(frozen=True)
class Label:
    """What a reader sees for a key: label, unit, what the amount is counted over, and its context (the
    option or line of a dotted key, in words)."""

    key: str
    label: str
    unit: str
    per: str = ""  # "per month", "per unit": what the amount is counted over
    context: str = ""  # the option or line it belongs to (the dotted prefix of the key), in words

    @property
    def tooltip(self) -> str:
        unit = {"usd": "US dollars", "share": "percent (type 30 for 30%)", "fte": "full-time engineers (FTE)",
                "multiple": "times the base", "count": "a quantity", "gb": "gigabytes"}.get(self.unit, self.unit)
        return f"{self.key}: {unit}{(' ' + self.per) if self.per else ''}"

    @property
    def name(self) -> str:
        """The label with its context: ``Build months of kafka on bare metal``."""
        return f"{self.label} ({self.context})" if self.context else self.label

    @property
    def header(self) -> str:
        """The label with its unit in words, for a column header: ``Cost (USD per month)``."""
        return header(self)


#: Columns every workbook's tables share (sensitivity, flip points, timing), declared once.
COMMON: dict[str, Column] = {
    "input": Column("Input", "text"),
    "base_value": Column("Value now", "number"),
    "flip_value": Column("Flips at", "number"),
    "low": Column("Low", "number"),
    "high": Column("High", "number"),
    "change_from_base": Column("Change from now", "share"),
    "change_from_today": Column("Change from now", "share"),
    "flips_when": Column("Flips when", "text"),
    "verdict_flips_at": Column("Verdict flips at", "number"),
    "swing": Column("Swing", "number"),
    "output_at_low": Column("At the low value", "number"),
    "output_at_high": Column("At the high value", "number"),
    "base_output": Column("At base", "number"),
    "month": Column("Month", "month"),
    "year": Column("Year", "number"),
    "option": Column("Option", "text"),
    "component": Column("Component", "text"),
    "line": Column("Cost line", "text"),
    "name": Column("Name", "text"),
    "kind": Column("Kind", "text"),
    "description": Column("Description", "text"),
    "present_value": Column("Present value", "usd"),
    "total": Column("Total", "usd"),
    "multiplier": Column("Volume multiple", "multiple"),
    "cost_multiplier": Column("Cost multiple", "multiple"),
    "arc_elasticity": Column("Cost elasticity", "number"),
    "share_of_cost": Column("Share of cost", "share"),
    "share_of_price": Column("Share of price", "share"),
    "gross_margin": Column("Gross margin", "share"),
    "mape": Column("MAPE", "share"),
    "mase": Column("MASE", "number"),
}


def parse(name: str) -> tuple[str, str, str]:
    """The one parser of unit suffixes: ``(words of the stem, unit, counted over)``, from a name.

    Examples
    --------
    >>> parse("cost_usd_per_month"), parse("build_months"), parse("discount_rate_per_year")
    (('cost', 'usd', 'per month'), ('build months', 'months', ''), ('discount', 'share', 'per year'))
    >>> parse("volume_units_per_month"), parse("engineers"), parse("payback_month"), parse("kafka")
    (('volume', 'count', 'per month'), ('engineers', 'fte', ''), ('payback month', 'month', ''), ('kafka', 'text', ''))
    """
    name = str(name)
    if name == "usd" or name.startswith("usd_per_"):  # a line's amount: "usd_per_month" of a cost line
        return "cost", "usd", name[len("usd_"):].replace("_", " ")
    if name in NAMES:
        return words(name), NAMES[name], ""
    for suffix, unit, per in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            # money, shares and quantities show their unit beside the value; a time, a team or a multiple
            # reads better with its whole name ("build months", "maintenance FTEs", "usage scale")
            shown_beside = suffix.startswith(("_usd", "_rate", "_share", "_probability")) or suffix.endswith(
                "_per_month")
            text = words(stem if shown_beside else name)
            if suffix in _PRICE_SUFFIXES and not re.search(r"(price|cost|fee|rate|charge)s?$", text):
                text += " price"
            return text, unit, per
    for prefix, unit in PREFIXES:
        if name.startswith(prefix):
            return words(name), unit, ""
    return words(name), "text", ""


def _figure_label(key: str, figures, unit_name: str | None) -> Label | None:
    for f in figures or ():
        found = f.match(key)
        if found is not None:
            fields = {k: words(unit_name if unit_name and v in ("unit", "units") else v) for k, v in found.items()}
            per = {"usd_per_month": "per month", "usd_per_year": "per year",
                   "usd_per_unit": f"per {words(unit_name or 'unit')}"}.get(f.unit, "")
            return Label(key, f.label.format(**fields), f.unit, per)
    return None


def describe(key: str, figures=(), unit_name: str | None = None, columns: Mapping[str, Column] | None = None) -> Label:
    """The label of a key (a figure, an input, a table column), from the declarations or from its name.

    Looked up in ``figures`` (a workbook's ``FIGURES``), then ``columns`` (its ``COLUMNS``), then `COMMON`;
    a key none declares is read by `parse`. A dotted key (``<option>.<line>.<field>``, or
    ``<answer>__<input>``) keeps its prefix as the context.

    Examples
    --------
    >>> describe("cassandra.cassandra_nodes.saving")
    Label(key='cassandra.cassandra_nodes.saving', label='Saving', unit='share', per='', context='cassandra · cassandra nodes')
    >>> describe("kafka_on_bare_metal.engineers").unit, describe("price_usd_per_unit", unit_name="stream").per
    ('fte', 'per stream')
    >>> describe("genai__growth_rate_per_month").context
    'GenAI'
    >>> d = describe("loaded_cost_usd_per_fte_per_year"); (d.label, d.unit, d.per)
    ('Loaded cost', 'usd', 'per FTE per year')
    >>> d = describe("managed.database_service.usd_per_month"); (d.label, d.unit, d.per, d.context)
    ('Cost', 'usd', 'per month', 'managed · database service')
    """
    *context, name = str(key).replace("__", ".").split(".")
    where = " · ".join(words(c) for c in context)
    unit_words = words(unit_name or "unit")
    if not context:
        found = _figure_label(name, figures, unit_name)
        if found is not None:
            return found
    for registry in (columns or {}, COMMON):
        if name in registry:
            c = registry[name]
            return Label(key, c.label, c.unit, c.per.replace("per unit", f"per {unit_words}"), where)
    stem, unit, per = parse(name)
    per = per.replace("per unit", f"per {unit_words}")
    if name == "volume_units_per_month":
        return Label(key, "Volume", "count", f"{unit_words}{'' if unit_words.endswith('s') else 's'} per month", where)
    return Label(key, sentence(stem), unit, per, where)


def column(name: str, workbook=None, unit_name: str | None = None) -> Label:
    """The label of a table column of ``workbook`` (its ``FIGURES`` and ``COLUMNS``, then `COMMON`)."""
    return describe(str(name), getattr(workbook, "FIGURES", ()), unit_name, getattr(workbook, "COLUMNS", None))


def header(label: Label) -> str:
    """A column header: the label with its unit in words (``Cost (USD per month)``, ``Gross margin (%)``).

    Examples
    --------
    >>> header(describe("cost_usd_per_month")), header(describe("build_months")), header(describe("gross_margin"))
    ('Cost (USD per month)', 'Build months', 'Gross margin (%)')
    """
    unit = UNIT_WORDS.get(label.unit, "")
    if label.unit in ("months", "years", "weeks", "days", "hours") and label.unit in label.label.lower():
        unit = ""
    if label.unit == "fte" and "FTE" in label.label:
        unit = ""
    per = label.per if label.unit.startswith("usd") or label.unit in ("count", "gb") else ""
    if per and (per in unit or per in label.label):  # "Cost per month (USD per month)", never "per month" twice
        per = ""
    if unit.startswith("USD per") and " per " in f" {label.label} ":
        unit = "USD"
    if unit and unit != "%" and unit in label.label.split(" "):
        unit = ""
    bits = " ".join(b for b in (unit, per) if b)
    if label.unit == "count" and not label.per:
        bits = ""
    return f"{label.label} ({bits})" if bits else label.label


def number(value: Any) -> bool:
    """A finite number (not a bool)."""
    try:
        return not isinstance(value, (bool, str)) and value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _plain(x: float, decimals: int = 2) -> str:
    """A number with thousands separators and at most ``decimals`` decimals, trailing zeros and ``-0`` gone."""
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _small(x: float) -> str:
    import numpy as np

    return np.format_float_positional(float(f"{x:.3g}"), precision=4, unique=True, fractional=False, trim="-")


def money(x: float) -> str:
    """Money in a table cell: ``$1,234,568``, ``$12.35``, ``$0.125``, ``$0.000137``, never ``-$0.00``.

    Examples
    --------
    >>> money(1234567.8), money(12.345), money(0.125), money(0.000137), money(-0.001), money(-2500)
    ('$1,234,568', '$12.35', '$0.125', '$0.000137', '-$0.001', '-$2,500')
    """
    x = float(x)
    if abs(x) >= 1000:
        text = f"${abs(x):,.0f}"
    elif abs(x) >= 1:
        text = f"${abs(x):,.2f}"
    elif abs(x) >= 0.01:
        text = f"${abs(x):.3f}"
    elif x == 0:
        return "$0"
    else:
        text = "$" + _small(abs(x))
    return ("-" if x < 0 and text.strip("$0.,") else "") + text


def quantity(x: float) -> str:
    """A count or plain quantity: whole with separators from 100 up (``200,000``), else three significant
    figures (``2.5``, ``0.08``); never an exponent.

    Examples
    --------
    >>> quantity(200000.0), quantity(2.5), quantity(0.08), quantity(1e-05), quantity(-0.0001)
    ('200,000', '2.5', '0.08', '0.00001', '-0.0001')
    """
    x = float(x)
    if abs(x) >= 100 or x == round(x):
        return _plain(round(x), 0)
    return _small(x)


def text(value: Any, unit: str, horizon_months: int | None = None, per: str = "", why: str = "n/a") -> str:
    """A value formatted by its unit, for a table cell or a sentence.

    ``why`` is what a missing value (None, NaN) shows: ``"n/a"`` unless the caller knows why it is missing
    (``"no flip in range"``); a month that is None did not happen (``never within 36 months``).

    Examples
    --------
    >>> text(1234.4, "usd"), text(0.123, "share"), text(27, "month"), text(27.0, "months"), text(1.5, "fte")
    ('$1,234', '12.3%', 'month 27', '27 months', '1.5 FTE')
    >>> text(200000.0, "count"), text(None, "month", 36), text(float("nan"), "usd", why="no flip"), text(True, "text")
    ('200,000', 'never within 36 months', 'no flip', 'yes')
    >>> text(-0.0001, "share"), text(3.2, "multiple"), text(2.0, "years"), text(1, "months")
    ('0.0%', '3.20x', '2 years', '1 month')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "month" and (value is None or (isinstance(value, float) and not math.isfinite(value))):
        return f"never within {horizon_months} months" if horizon_months else "never"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return why
    if isinstance(value, str):
        return words(value) if unit == "text" and is_key(value) else value
    if not number(value):
        if isinstance(value, float) and math.isinf(value):
            return "no limit" if value > 0 else "no lower limit"
        return str(value)
    x = float(value)
    if unit.startswith("usd"):
        out = money(x)
        return out + {"usd_per_month": "/month", "usd_per_year": "/year"}.get(unit, "")
    if unit in ("share", "probability"):
        out = f"{100 * x:,.1f}%"
        return "0.0%" if out == "-0.0%" else out
    if unit == "month":
        return f"month {round(x):d}"
    if unit in ("months", "years", "weeks", "days", "hours"):
        out = _plain(x, 1)
        return f"{out} {unit[:-1] if out == '1' else unit}"
    if unit == "fte":
        return f"{_plain(x, 2)} FTE"
    if unit == "gb":
        return f"{quantity(x)} GB"
    if unit == "multiple":
        return f"{x:,.2f}x"
    if unit == "count":
        return quantity(x)
    if abs(x) >= 1000:
        return _plain(x, 0)
    if abs(x) >= 1:
        return _plain(x, 2)
    return _small(x) if x else "0"
