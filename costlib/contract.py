"""The workbook contract: what every module in `costlib.workbooks` declares, and the one layer that turns
those declarations into a headline table, the results JSON, the index cards, the appendix and words.

Every workbook module has the same parts (`tests/test_workbook_contract.py` checks them all, including
workbooks added later):

- ``TOPIC`` and ``Params``, its parameter schema (`costlib.params.Schema`);
- ``analyse(params) -> Analysis``, with ``headline`` (figure key -> value), ``recommendation`` (words)
  and ``answers`` (name -> `Answer`: the model behind each decision and its `costlib.uncertainty.Assessment`);
- ``FIGURES``: each headline figure declared once as a `Figure` (key, label, unit, meaning, the costlib
  function that produces it). Keys may hold ``{placeholders}`` (an option's name, the horizon) that the
  label repeats;
- ``uncertain_inputs(params) -> {input: (low, base, high)}``;
- ``decisions(analysis) -> [Decision]``: the verdicts as records; `decision_words` writes them;
- ``whatif(params, **inputs) -> {figure key: value}``: what the sliders show; at the base values it equals
  the headline, and ``whatif_controls(params)`` gives the sliders.

"Never" (a break-even that does not happen) is `costlib.timing.NEVER` (None) everywhere: the JSON writes
``null``, the table "never within 36 months".
"""

from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from costlib import labels, timing

#: The units a figure can have, with what a value of that unit looks like in the headline table.
UNITS = {
    "usd": "$5.63M",
    "usd_per_month": "$5.63M/month",
    "usd_per_year": "$5.63M/year",
    "usd_per_unit": "$0.125 per unit",
    "share": "25.1%",
    "probability": "25.1%",
    "month": "month 27, or never within 36 months",
    "months": "36 months",
    "years": "4 years",
    "count": "116.67M",
    "multiple": "3.20x",
    "number": "1,234",
    "text": "as written",
}


@dataclass(frozen=True)
class Figure:
    """One headline figure, declared once.

    Attributes
    ----------
    key : str
        The headline key, with units in it (``cost_usd_per_month``); may hold ``{placeholders}`` matched
        against the analysis's keys (``tco_{option}_usd``).
    label : str
        What a director reads (``"TCO of {option}"``); placeholders as in ``key``.
    unit : str
        One of `UNITS`.
    meaning : str
        One line: what the figure means.
    source : str
        The costlib function that produces it, dotted (``costlib.tco.tco_summary``).
    """

    key: str
    label: str
    unit: str
    meaning: str
    source: str

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"figure {self.key!r}: unit {self.unit!r}: expected one of {sorted(UNITS)}")

    def match(self, key: str) -> dict | None:
        """The placeholder values if ``key`` is this figure, else None.

        Examples
        --------
        >>> Figure("tco_{option}_usd", "TCO of {option}", "usd", "m", "costlib.tco.tco_summary").match("tco_kafka_usd")
        {'option': 'kafka'}
        """
        parts = re.split(r"\{(\w+)\}", self.key)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[A-Za-z0-9_.]+?)" for i, p in enumerate(parts))
        found = re.fullmatch(pattern, key)
        return None if found is None else found.groupdict()

    def label_for(self, key: str) -> str:
        """The label with the placeholders of ``key`` filled in (underscores read as spaces)."""
        fields = self.match(key) or {}
        return self.label.format(**{k: v.replace("_", " ") for k, v in fields.items()})


def resolve(source: str) -> Callable:
    """The function a dotted ``source`` names (``costlib.tco.tco_summary``); raises if there is none."""
    module, _, name = source.rpartition(".")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{source} is not a function")
    return obj


def declaration(figures: Sequence[Figure], key: str) -> Figure:
    """The declared figure of a headline key (the first that matches); KeyError if it is undeclared."""
    for f in figures:
        if f.match(key) is not None:
            return f
    raise KeyError(f"headline figure {key!r} is not declared in FIGURES")


def format_value(value: Any, unit: str, horizon_months: int | None = None) -> str:
    """A figure's value with its unit, for people.

    Examples
    --------
    >>> format_value(5_634_000, "usd"), format_value(0.2514, "share"), format_value(27, "month")
    ('$5.63M', '25.1%', 'month 27')
    >>> format_value(None, "month", 36), format_value(1.2e5, "usd_per_month"), format_value(3.2, "multiple")
    ('never within 36 months', '$120,000/month', '3.20x')
    """
    from costlib import report

    if unit == "month":
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return timing.never_text(horizon_months) if horizon_months else "never"
        return f"month {int(value)}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, str):
        return value.replace("_", " ") if unit == "text" else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isinf(value):
        return "none" if value > 0 else "-inf"
    if unit == "usd":
        return report.usd(value)
    if unit in ("usd_per_month", "usd_per_year"):
        return f"{report.usd(value)}/{unit.rsplit('_', 1)[1]}"
    if unit == "usd_per_unit":
        return report.usd(value)
    if unit in ("share", "probability"):
        return report.pct(value)
    if unit in ("months", "years"):
        return labels.text(value, unit)
    if unit == "count":
        return report.count(value)
    if unit == "multiple":
        return f"{float(value):,.2f}x"
    return report.fmt(value)


def figure_rows(headline: Mapping[str, Any], figures: Sequence[Figure], horizon_months: int | None = None,
                unit_name: str | None = None) -> list[dict]:
    """One row per headline figure, in the headline's order: key, label, value, unit, text, meaning, source."""
    rows = []
    for key, value in headline.items():
        f = declaration(figures, key)
        text = format_value(value, f.unit, horizon_months)
        if f.unit == "usd_per_unit" and unit_name:
            text += f" per {unit_name.replace('_', ' ')}"
        rows.append({"key": key, "label": f.label_for(key), "value": value, "unit": f.unit, "text": text,
                     "meaning": f.meaning, "source": f.source})
    return rows


@dataclass(frozen=True)
class Decision:
    """A verdict as a record; `decision_words` writes it.

    Attributes
    ----------
    question : str
        What is decided, in words (``"Build or buy the message queue"``).
    verdict : str
        The answer (``"buy managed_queue"``).
    rests_on : tuple of str
        Headline keys of the figures the verdict rests on, the deciding one first.
    flips_when : str
        The threshold that would flip it, in words (``"build_minus_buy_usd falls below 0"``).
    agreement : float or None
        Share of the Monte Carlo draws in which the verdict holds.
    """

    question: str
    verdict: str
    rests_on: tuple[str, ...]
    flips_when: str
    agreement: float | None = None

    @property
    def close_call(self) -> bool | None:
        """`costlib.uncertainty.close_call` of the agreement: one definition for every workbook."""
        from costlib.uncertainty import close_call

        return close_call(self.agreement)


def _sentence_case(label: str) -> str:
    """A label inside a sentence: the first letter lower-cased unless the first word is an acronym.

    >>> _sentence_case("Build minus buy"), _sentence_case("TCO of kafka"), _sentence_case("P99 utilization")
    ('build minus buy', 'TCO of kafka', 'P99 utilization')
    """
    word = label.split(" ", 1)[0]
    if len(word) > 1 and (word[1:2].isupper() or word[1:2].isdigit()):
        return label
    return label[:1].lower() + label[1:]


def input_name(key: str, figures: Sequence[Figure] = (), unit_name: str | None = None, columns=None) -> str:
    """An input as a sentence names it, from the label registry (`costlib.labels.describe`).

    Examples
    --------
    >>> input_name("kafka_on_bare_metal.build_months"), input_name("volume_units_per_month")
    ('build months of kafka on bare metal', 'volume')
    """
    info = labels.describe(key, figures, unit_name, columns)
    per = f" {info.per}" if info.per and info.unit.startswith("usd") and info.per not in info.label else ""
    return _sentence_case(info.label) + per + (f" of {info.context}" if info.context else "")


def input_text(key: str, value: Any, figures: Sequence[Figure] = (), unit_name: str | None = None,
               columns=None) -> str:
    """An input's value formatted by its unit (`costlib.labels.text`).

    >>> input_text("kafka_on_bare_metal.build_months", 8.444), input_text("cloud_hours_used_share", 0.5612)
    ('8.4 months', '56.1%')
    """
    unit = labels.describe(key, figures, unit_name, columns).unit
    return labels.text(value, "number" if unit == "text" else unit)


def flip_words(row: Mapping[str, Any], figures: Sequence[Figure] = (), unit_name: str | None = None,
               now: bool = True, verb: str = "is ") -> str:
    """One row of a flip table (`costlib.uncertainty.FLIP_COLUMNS`) as a clause: the input by its label,
    the side and the flip value in the input's unit, and (``now``) today's value.

    Examples
    --------
    >>> flip_words({"input": "kafka_on_bare_metal.build_months", "base_value": 6.0, "flip_value": 8.444})
    'build months of kafka on bare metal is above 8.4 months (now 6 months)'
    >>> flip_words({"input": "volume_units_per_month", "base_value": 2e5, "flip_value": 163_333.3}, unit_name="million_requests")
    'volume is below 163,333 million requests per month (now 200,000)'
    """
    key, base, flip = str(row["input"]), row.get("base_value"), row.get("flip_value")
    info = labels.describe(key, figures, unit_name)
    name = input_name(key, figures, unit_name)
    if not (labels.number(flip) and labels.number(base)):
        return f"{name} cannot flip it within its searched range"
    side = "above" if float(flip) > float(base) else "below"
    shown = input_text(key, flip, figures, unit_name)
    if info.unit in ("count",) and info.per:
        shown += f" {info.per}"
    return f"{name} {verb}{side} {shown}" + (f" (now {input_text(key, base, figures, unit_name)})" if now else "")


def decision_words(decision: Decision, rows: Mapping[str, dict]) -> str:
    """The decision record in words (Markdown), from the formatted headline rows (`figure_rows` by key).

    Examples
    --------
    >>> d = Decision("Build or buy", "buy", ("build_minus_buy_usd",), "it falls below 0", 0.9)
    >>> print(decision_words(d, {"build_minus_buy_usd": {"label": "Build minus buy", "text": "$1.20M"}})[:90])
    **Build or buy: buy.** It rests on build minus buy ($1.20M). It flips if it falls below 0.
    """
    from costlib import report

    # The question, verdict, labels and threshold can hold user text (a vendor, an option's name): escaped
    # here, where they become Markdown (the record itself keeps them as plain text for JSON and xlsx).
    esc = report.escape
    parts = [f"**{esc(decision.question)}: {esc(decision.verdict.replace('_', ' '))}.**"]
    basis = [f"{esc(_sentence_case(rows[k]['label']))} ({esc(rows[k]['text'])})" for k in decision.rests_on if k in rows]
    if basis:
        parts.append("It rests on " + ", ".join(basis) + ".")
    if decision.flips_when:
        parts.append(f"It flips if {esc(decision.flips_when)}.")
    if decision.agreement is not None:
        parts.append(f"It holds in {report.pct(decision.agreement)} of the Monte Carlo draws"
                     + ("; **a close call**: firm up the inputs at the top of the tornado first." if decision.close_call
                        else "."))
    return " ".join(parts)


@dataclass
class Answer:
    """The model behind one decision, for the shared sensitivity layer and the contract test.

    ``model(**base)`` equals ``headline[figure]``; the verdict flips where the model crosses ``target``.
    """

    name: str
    figure: str
    model: Callable
    base: dict
    target: float
    assessment: Any = None
    extra: dict = field(default_factory=dict)


def workbook_modules() -> list[str]:
    """Every workbook module in `costlib.workbooks`, found by listing the package (new ones included)."""
    import pkgutil

    import costlib.workbooks as package

    return sorted(f"costlib.workbooks.{m.name}" for m in pkgutil.iter_modules(package.__path__)
                  if not m.name.startswith("_"))


# ---------------------------------------------------------------------------------------------------
# What `costlib.sweep` and `costlib.compare` read through the contract.

#: How a workbook's ``whatif`` names the model input ``{input}`` of the answer ``{answer}``. A workbook whose
#: ``whatif`` takes its answers' inputs by another name declares ``WHATIF_KEY`` (``"{answer}.{input}"``,
#: ``"{answer}__{input}"``), and one whose ``whatif`` takes only its sliders declares ``WHATIF_KEY = None``.
DEFAULT_WHATIF_KEY = "{input}"


def whatif_key(workbook, answer: str, input_name: str) -> str | None:
    """The keyword ``workbook.whatif`` takes for the model input ``input_name`` of ``answer``, or None when
    its ``whatif`` does not take the answers' inputs (the answer's own model then recomputes the figure).

    Examples
    --------
    >>> import types
    >>> whatif_key(types.SimpleNamespace(), "tco", "usage_scale")
    'usage_scale'
    >>> whatif_key(types.SimpleNamespace(WHATIF_KEY="{answer}__{input}"), "glide", "cost_growth_rate_per_month")
    'glide__cost_growth_rate_per_month'
    >>> whatif_key(types.SimpleNamespace(WHATIF_KEY=None), "spot", "fallback_at_hours") is None
    True
    """
    template = getattr(workbook, "WHATIF_KEY", DEFAULT_WHATIF_KEY)
    return None if template is None else template.format(answer=answer, input=input_name)


def cumulative_cost(workbook, analysis):
    """The analysis's cumulative cost by month and option as a long frame ``month, option,
    cumulative_usd``, or None when the workbook has none.

    A workbook may define ``cumulative_cost(analysis)``; otherwise the first frame among the analysis's
    attributes and sections that is either long (``month``, ``option`` and one ``cumulative_*`` column) or
    wide (``month`` as a column or the index, and ``cumulative_<option>_usd`` columns, savings left out) is
    read as it.
    """
    import pandas as pd

    hook = getattr(workbook, "cumulative_cost", None)
    if hook is not None:
        return hook(analysis)

    def frames(obj, depth=0):
        if isinstance(obj, pd.DataFrame):
            yield obj
        elif isinstance(obj, Mapping) and depth < 3:
            for v in obj.values():
                yield from frames(v, depth + 1)

    candidates = [v for k, v in vars(analysis).items() if k not in ("sections",) and isinstance(v, pd.DataFrame)]
    candidates += list(frames(getattr(analysis, "sections", {}) or {}))
    for frame in candidates:
        cum = [c for c in frame.columns if str(c).startswith("cumulative_")]
        if {"month", "option"} <= set(frame.columns) and len(cum) == 1:
            return frame[["month", "option", cum[0]]].rename(columns={cum[0]: "cumulative_usd"}).reset_index(drop=True)
        wide = [c for c in cum if str(c).endswith("_usd") and "saving" not in str(c)]
        if len(wide) >= 2 and "option" not in frame.columns:
            f = frame.reset_index() if "month" not in frame.columns else frame
            if "month" not in f.columns:
                continue
            long = f.melt(id_vars="month", value_vars=wide, var_name="option", value_name="cumulative_usd")
            long["option"] = long["option"].str.removeprefix("cumulative_").str.removesuffix("_usd")
            return long
    return None
