"""``costbook new finops --bill PATH``: a commented FinOps scenario written from a user's own bill.

It opens the bill (`costlib.billing.open_billing`: the same reader, checks and cache the run uses), reads
which FOCUS columns carry values and which tag keys the rows carry, and writes a scenario in which:

- ``team_tag_key`` is the tag key guessed from common spellings (`TEAM_KEY_SPELLINGS`, first match wins,
  compared without case, spaces, ``-`` or ``_``); ``required_tag_keys`` are the keys carried by at least
  half as many rows as the most common key (`REQUIRED_KEY_SHARE`), the team key always among them; every
  other key is listed in a comment with its row count;
- each section whose queries the bill's columns support and that needs no outside input is on; every
  other section is off, with a comment saying what input turns it on (`SECTIONS`, the one table mapping a
  section to its columns and inputs);
- every string taken from the bill lands in the file as a quoted YAML scalar or inside a JSON-quoted
  comment, so no key or commitment name can add a line to the scenario.

The text is validated against the workbook's schema before it is written, and never overwrites a file.

References
----------
FinOps Foundation, FOCUS specification v1.2, "Tags" and "Commitment discount" columns; README "Your own
bill".
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import re
from pathlib import Path

import yaml

from costlib import billing
from costlib import billing_queries as Q
from costlib import params as _params
from costlib.errors import BillingDataError, ScenarioError

__all__ = ["SECTIONS", "TEAM_KEY_SPELLINGS", "REQUIRED_KEY_SHARE", "SectionSource", "guess_team_key",
           "required_keys", "scenario_text", "new_finops"]

#: Tag keys that name the owning team, most telling first (compared without case, spaces, "-" or "_").
TEAM_KEY_SPELLINGS = ("team", "teamname", "owner", "ownerteam", "squad", "businessunit", "bu", "department",
                      "dept", "costcenter", "costcentre", "project", "application", "app", "service")

#: A tag key is required when it is carried by at least this share of the rows the most common key is on.
REQUIRED_KEY_SHARE = 0.5


@dataclasses.dataclass(frozen=True)
class SectionSource:
    """Where a FinOps section's inputs come from.

    Attributes
    ----------
    key : str
        The scenario key that holds the section (``null`` switches it off, `OFF`).
    title : str
        The section in words.
    columns : tuple of str
        FOCUS columns its queries need values in.
    outside_input : str
        What it needs beyond the bill, in words; empty when the bill is enough.
    turn_on : str
        What to write in the scenario to turn it on.
    switchable : bool
        False when the schema has no "off" for it (it always runs; missing columns are only noted).
    """

    key: str
    title: str
    columns: tuple[str, ...]
    outside_input: str
    turn_on: str
    switchable: bool = True


#: How a scenario switches a section off today: its key set to null.
OFF = "null"

#: The FinOps workbook's sections: the one table from a section to what it needs (re-point it here when
#: the workbook's section declarations change).
SECTIONS: tuple[SectionSource, ...] = (
    SectionSource("anomalies", "anomalies (daily and hourly amortized cost per service and sub account)",
                  ("ChargePeriodStart", "EffectiveCost", "ServiceName"), "",
                  "a bill with ChargePeriodStart, EffectiveCost and ServiceName", switchable=False),
    SectionSource("commitments", "commitment utilization, coverage and expiry",
                  ("CommitmentDiscountId", "CommitmentDiscountStatus"), "",
                  "a bill with commitment discount rows (CommitmentDiscountId, CommitmentDiscountStatus); "
                  "commitments: {ends: {<id>: YYYY-MM-DD}} for the expiry calendar"),
    SectionSource("kubernetes", "a shared Kubernetes cluster (requests vs usage, idle)", ("ServiceName", "ResourceId"),
                  "pod usage of the cluster",
                  "kubernetes: {cluster_services: [<the cluster's ServiceName>], usage_file: <CSV of hour, node, "
                  "team, cpu/ram request and used>}"),
    SectionSource("rightsizing", "rightsizing at the P99 of utilization", ("ResourceId", "ListUnitPrice"),
                  "CPU and memory utilization samples per resource",
                  "rightsizing: {service: <ServiceName>, utilization_file: <CSV or Parquet of resource, timestamp, "
                  "cpu_utilization_share, memory_utilization_share>}"),
    SectionSource("storage", "storage tiering with retrieval fees", (), "the storage datasets and their classes",
                  "storage: {classes: [...], datasets: [{dataset, storage_class, gb, objects, read_gb_per_month}]}"),
    SectionSource("spot_batch", "a nightly batch on spot instances", (), "the batch plan",
                  "spot_batch: {work_hours, window_hours, instances, spot_usd_per_instance_hour, "
                  "on_demand_usd_per_instance_hour, interruption_rate_per_hour}"),
    SectionSource("business_metric", "cost per unit of value", (), "units of value per day (a business metric)",
                  "business_metric: {unit_name: order, units_per_day: <units a day>, price_usd_per_unit: <price>}"),
    SectionSource("runaway", "a service whose cost ran away", ("ServiceName", "SubAccountId"),
                  "the runaway service and its team's figures",
                  "runaway: {service: <ServiceName>, sub_account: <SubAccountId>, predictions_before_per_month, "
                  "predictions_after_per_month, idle_usd_per_month, overprovisioned_usd_per_month}"),
)


def _norm(key: str) -> str:
    return re.sub(r"[\s_\-]+", "", key).lower()


def guess_team_key(keys: list[tuple[str, int]]) -> str | None:
    """The tag key naming the owning team: the first of `TEAM_KEY_SPELLINGS` the bill carries (the key on
    the most rows among equal spellings), else the key on the most rows; None without tags.

    Examples
    --------
    >>> guess_team_key([("application", 660), ("business_unit", 660), ("CostCenter", 36)])
    'business_unit'
    >>> guess_team_key([("Team", 10), ("team", 30)]), guess_team_key([("env", 5)]), guess_team_key([])
    ('team', 'env', None)
    """
    for spelling in TEAM_KEY_SPELLINGS:
        matches = [(n, k) for k, n in keys if _norm(k) == spelling]
        if matches:
            return max(matches, key=lambda m: (m[0], [-ord(c) for c in m[1]]))[1]
    return max(keys, key=lambda kv: kv[1])[0] if keys else None


def required_keys(keys: list[tuple[str, int]], team: str | None, limit: int = 6) -> list[str]:
    """Keys carried by at least `REQUIRED_KEY_SHARE` of the rows of the most common key (at most
    ``limit``, most rows first), the team key always among them.

    Examples
    --------
    >>> required_keys([("application", 660), ("environment", 660), ("org", 44)], "business_unit")
    ['application', 'environment', 'business_unit']
    """
    top = max((n for _, n in keys), default=0)
    chosen = [k for k, n in sorted(keys, key=lambda kv: (-kv[1], kv[0])) if n >= REQUIRED_KEY_SHARE * top][:limit]
    if team is not None and team not in chosen:
        chosen.append(team)
    return chosen


def _q(text: str) -> str:
    """A string as a quoted YAML scalar (JSON's escaping: no newline can leave it)."""
    return json.dumps(str(text), ensure_ascii=False)


def _comment(text: str, width: int = 110) -> list[str]:
    """``text`` as comment lines (``# ...``), wrapped; any newline in it is already escaped by `_q`."""
    words, lines, line = text.split(" "), [], "#"
    for word in words:
        if len(line) + 1 + len(word) > width and line != "#":
            lines.append(line)
            line = "#"
        line += " " + word
    lines.append(line)
    return lines


def scenario_text(bill: str, data: billing.BillingData, root: Path, today: _dt.date | None = None) -> tuple[str, dict]:
    """The commented scenario for ``data`` (read from ``bill``), and a summary (team key, sections on/off).

    ``billing_data`` is written relative to the project ``root`` (as the workbook resolves it).
    """
    q = data.quality
    counts = data.query(Q.column_counts).iloc[0]
    filled = {c for c in counts.index if c != "rows" and int(counts[c] or 0) > 0}
    keys = billing.bill_tag_keys(data)
    team = guess_team_key(keys)
    required = required_keys(keys, team)
    days = data.query(Q.cost_by, dimensions=[], period="day")
    first, last = (days["period_start"].min(), days["period_start"].max()) if len(days) else (None, None)
    n_days = max(len(days), 1)
    per_day = q.effective_cost / n_days
    floor = max(round(0.05 * per_day, 2), 0.01)
    rel = os.path.relpath(Path(bill).resolve(), root)
    commitments = data.query(Q.commitment_utilization)
    span = f"{first:%Y-%m-%d}..{last:%Y-%m-%d}" if first is not None else "no dated rows"
    lines = [
        f"# Your own bill: {_q(Path(bill).name)}, {q.rows:,} rows of FOCUS {q.version} ({span}), {q.currency}.",
        f"# Written by `costbook new finops` on {(today or _dt.date.today()).isoformat()}; edit it, then run it with",
        "# `costbook run <this file>`. Sections this bill's columns support are on; the others are off (null),",
        "# each with what would turn it on.",
        "#",
        *_comment("Tag keys the bill carries (rows carrying each): " + (", ".join(f"{_q(k)} {n:,}" for k, n in keys[:25])
                                                                        + (f" and {len(keys) - 25} more" if len(keys) > 25 else "")
                                                                        if keys else "none.")),
        *_comment(f"team_tag_key is guessed from common spellings ({', '.join(TEAM_KEY_SPELLINGS)}; first match wins); "
                  f"required_tag_keys are the keys on at least {REQUIRED_KEY_SHARE:.0%} as many rows as the most "
                  "common key. Change both to your tagging policy."),
        f"title: {_q('FinOps on ' + Path(bill).name)}",
        f"description: {_q(f'{q.rows:,} rows of FOCUS {q.version}, {span}, read from the bill as exported.')}",
        f"billing_data: {_q(rel)}",
    ]
    if q.currencies_excluded or q.currency_assumed:
        lines.append(f"billing_currency: {_q(q.currency)}")
    if team is None:
        lines += ["# The bill carries no tags: showback by team needs a tag key on its rows.",
                  'team_tag_key: "team"', 'required_tag_keys: ["team"]']
    else:
        lines += [f"team_tag_key: {_q(team)}", "required_tag_keys: [" + ", ".join(_q(k) for k in required) + "]"]
    lines += ["# Services whose cost every team shares (a shared cluster, a network hub), split by allocation_method:",
              "# none assumed.", "shared_services: []"]
    on, off = [], []
    for section in SECTIONS:
        missing = [c for c in section.columns if c not in filled]
        if (section.outside_input or missing) and section.switchable:
            reason = (f"needs {section.outside_input}" if section.outside_input else
                      f"the bill has no values in {', '.join(missing)}")
            off.append((section, reason))
            lines += [*_comment(f"Off: {section.title}; {reason}. To turn it on: {section.turn_on}."),
                      f"{section.key}: {OFF}"]
            continue
        on.append(section)
        if section.key == "anomalies":
            gap = f" The bill has no values in {', '.join(missing)}: the section finds no series." if missing else ""
            lines += [*_comment(f"On: {section.title}.{gap} The alert floor is USD a day; the bill's amortized cost averages "
                                f"{per_day:,.2f} a day, and the floor is 5% of that (at least 0.01)."),
                      "anomalies:", f"  floor_usd: {floor}"]
        elif section.key == "commitments":
            ids = [_q(c) for c in commitments["CommitmentDiscountId"].head(10)]
            lines += [*_comment(f"On: {section.title}. FOCUS carries no end dates: add each commitment's "
                                f"(\"<id>\": \"YYYY-MM-DD\") for the expiry calendar. The bill's commitments: "
                                f"{', '.join(ids) or 'none'}."),
                      "commitments:", "  ends: {}"]
        else:
            lines += [f"# On: {section.title}.", f"{section.key}: {{}}"]
    text = "\n".join(lines) + "\n"
    summary = {"team_tag_key": team, "required_tag_keys": required, "tag_keys": len(keys),
               "on": [s.key for s in on], "off": [(s.key, reason) for s, reason in off]}
    return text, summary


def _default_output(bill: str, root: Path) -> Path:
    stem = Path(bill).name.split(".")[0]
    slug = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "my_bill"
    return root / "params" / "finops" / f"{slug}.yaml"


def new_finops(bill: str, output: str | None = None, currency: str | None = None, stream=None,
               root: Path | None = None) -> int:
    """Write a FinOps scenario for ``bill``; print one line saying what was written (or why not).

    Returns the exit code: 0 written, 1 the bill cannot be read or the file exists, 2 bad arguments.
    """
    import sys

    stream = stream or sys.stdout
    root = Path(root) if root else _params.project_root()
    out = Path(output) if output else _default_output(bill, root)
    if out.exists():
        print(f"{out}: exists; choose another file with -o (nothing was written)", file=stream)
        return 1
    if out.suffix != ".yaml":
        print(f"{out}: expected a .yaml file (a scenario in params/finops/)", file=stream)
        return 2
    try:
        data = billing.open_billing(bill, currency)
    except BillingDataError as exc:
        print(f"{bill}: {exc}" if not str(exc).startswith(str(bill)) else str(exc), file=stream)
        return 1
    text, summary = scenario_text(bill, data, root)
    try:
        _params.validate("finops", yaml.safe_load(text), source=str(out), root=root)
    except ScenarioError as exc:  # a bug of this module, never the user's: say so in one line
        print(f"{out}: the scenario written from the bill does not validate ({'; '.join(exc.lines())})", file=stream)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "x", encoding="utf-8") as handle:
        handle.write(text)
    shown = _params.display_path(out, root)
    print(f"wrote {shown}: team tag key {summary['team_tag_key']!r} (of {summary['tag_keys']} tag keys), sections "
          f"on: {', '.join(summary['on']) or 'none'}; off: {', '.join(k for k, _ in summary['off']) or 'none'}. "
          f"Next: costbook run {shown}", file=stream)
    return 0
