"""Loading and validating scenario files.

A scenario is a YAML mapping of parameter names to values: a papermill parameters file for one workbook.
Scenario files live in ``params/<topic>/<scenario>.yaml``; the folder name names the workbook
(``params/unit_economics/`` belongs to ``notebooks/01_unit_economics.ipynb``) and its schema, the pydantic
model ``Params`` in ``costlib.workbooks.<topic>``.

Validation happens before any computing. Every problem is reported in one line naming the file, the key,
the value and what was expected::

    params/unit_economics/streaming.yaml: key 'units_per_month' = -5: expected a number >= 0

Unknown keys are errors (a typo such as ``horizon_month`` is never silently ignored), with the closest
known key suggested.

A numeric value may be written as a reference into ``params/pricebook.yaml``, the shared list prices:
``egress_usd_per_gb: "pricebook:aws_egress_internet_first_10tb_usd_per_gb"``. References are resolved
before validation; an unknown reference is an error naming the key.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import math
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Mapping

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from costlib.errors import ScenarioError, shorten

#: Parameters every notebook has that control the run, not the model.
RUNTIME_KEYS = ("interactive", "params_file")

PRICEBOOK_PREFIX = "pricebook:"


# ---------------------------------------------------------------------------------------------------
# Field types shared by the workbook schemas. Their messages are the "expected ..." part of an error.


def _non_negative(value: float) -> float:
    if not value >= 0:  # also rejects NaN
        raise ValueError("expected a number >= 0")
    return value


def _positive(value: float) -> float:
    if not value > 0:
        raise ValueError("expected a number > 0")
    return value


def _rate(value: float) -> float:
    if not 0 <= value <= 1:
        raise ValueError("expected a decimal rate in [0, 1] (write 0.07 for 7%)")
    return value


def _signed_rate(value: float) -> float:
    if not -1 < value <= 1:
        raise ValueError("expected a decimal rate above -1 and at most 1 (write 0.07 for 7%, -0.05 for -5%)")
    return value


def _positive_int(value: int) -> int:
    if value < 1:
        raise ValueError("expected a whole number >= 1")
    return value


NonNegative = Annotated[float, AfterValidator(_non_negative)]
"""A money amount, volume or count that may be zero but not negative."""
Positive = Annotated[float, AfterValidator(_positive)]
"""A quantity that must be strictly positive (a divisor such as units per month)."""
Rate = Annotated[float, AfterValidator(_rate)]
"""A decimal rate in [0, 1]: 0.07 means 7%."""
SignedRate = Annotated[float, AfterValidator(_signed_rate)]
"""A decimal rate in (-1, 1]: growth that may be negative."""
PositiveInt = Annotated[int, AfterValidator(_positive_int)]
"""A whole number >= 1 (months, years, engineers)."""


def bounded(low=None, high=None, *, low_open: bool = False, high_open: bool = False, expected: str,
            kind: type = float):
    """A field type for values within ``[low, high]`` (an end open where asked) whose error is ``expected``.

    One way for every workbook schema to declare its own bounds (a declining-balance factor, a lead time).
    NaN is always rejected.

    Examples
    --------
    >>> from pydantic import TypeAdapter
    >>> Share = bounded(0, 1, high_open=True, expected="expected a decimal in [0, 1)")
    >>> TypeAdapter(Share).validate_python(0.3)
    0.3
    >>> try:
    ...     TypeAdapter(Share).validate_python(1.0)
    ... except ValueError as exc:
    ...     print(exc.errors()[0]["msg"])
    Value error, expected a decimal in [0, 1)
    """

    def check(value):
        ok = value == value  # not NaN
        if low is not None:
            ok = ok and (value > low if low_open else value >= low)
        if high is not None:
            ok = ok and (value < high if high_open else value <= high)
        if not ok:
            raise ValueError(expected)
        return value

    return Annotated[kind, AfterValidator(check)]


class Schema(BaseModel):
    """Base class of every workbook schema: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


def require_unique(names, what: str) -> None:
    """Validator helper: raise ``ValueError`` naming the repeated ``what`` (options, components...)."""
    names = list(names)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"expected unique {what} names, repeated: {repeated}")


def check_sensitivity_ranges(ranges: Mapping[str, tuple[float, float]], inputs, expected: str | None = None) -> None:
    """Validator helper: every ``sensitivity_ranges`` key names a model input and every range has low <= high.

    ``expected`` replaces the list of known inputs in the message (``"'<section>.<input>' with ..."``).

    Examples
    --------
    >>> check_sensitivity_ranges({"price": (1.0, 2.0)}, {"price", "volume"})
    >>> check_sensitivity_ranges({"prize": (1.0, 2.0)}, {"price", "volume"})
    Traceback (most recent call last):
    ...
    ValueError: sensitivity_ranges: unknown input 'prize'; expected one of ['price', 'volume']
    """
    inputs = set(inputs)
    for key, (low, high) in ranges.items():
        if key not in inputs:
            raise ValueError(f"sensitivity_ranges: unknown input '{key}'; expected "
                             + (expected or f"one of {sorted(inputs)}"))
        if not low <= high:
            raise ValueError(f"sensitivity_ranges['{key}'] = [{low}, {high}]: expected low <= high")


def non_empty(values: list) -> list:
    """Validator for lists that must hold at least one item."""
    if len(values) == 0:
        raise ValueError("expected a non-empty list")
    return values


# ---------------------------------------------------------------------------------------------------
# Locating files.


def project_root(start: Path | None = None) -> Path:
    """The folder holding ``params/`` and ``notebooks/``: searched upwards from ``start`` (or the current
    folder), then from this package's folder."""
    candidates = []
    if start is not None:
        candidates.append(Path(start).resolve())
    candidates += [Path.cwd().resolve(), Path(__file__).resolve().parent]
    for base in candidates:
        for folder in (base, *base.parents):
            if (folder / "params").is_dir() and (folder / "notebooks").is_dir():
                return folder
    raise ScenarioError("costbook", [(None, None, "cannot find the project folder (with params/ and notebooks/)")])


def topic_of(path: str | Path) -> str:
    """The workbook topic of a scenario file: the name of the folder it is in."""
    return Path(path).resolve().parent.name


def notebook_for(topic: str, root: Path | None = None) -> Path:
    """The notebook ``notebooks/NN_<topic>.ipynb`` that runs scenarios of ``topic``."""
    root = root or project_root()
    matches = sorted((root / "notebooks").glob(f"[0-9][0-9]_{topic}.ipynb"))
    if not matches:
        raise ScenarioError(topic, [(None, None, f"no notebook notebooks/NN_{topic}.ipynb for this params folder")])
    return matches[0]


def schema_for(topic: str) -> type[Schema]:
    """The pydantic model ``costlib.workbooks.<topic>.Params``."""
    try:
        module = importlib.import_module(f"costlib.workbooks.{topic}")
    except ModuleNotFoundError as exc:
        if exc.name != f"costlib.workbooks.{topic}":
            raise
        raise ScenarioError(topic, [(None, None, f"no workbook module costlib/workbooks/{topic}.py "
                                                 f"for params/{topic}/")]) from None
    return module.Params


_PASSWORD_IN_URL = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]*:)(?P<password>[^\s@/'\"]+)(?=@)")


def redact_passwords(text: str) -> str:
    """``text`` with the password of every connection URL in it replaced by ``***``.

    A scenario may name a database by a URL that carries credentials (``trino://user:secret@host/catalog``);
    costbook prints none of them, in messages or reports (the params file's text in a report's appendix
    included).

    Examples
    --------
    >>> redact_passwords("billing_engine: trino://ana:s3cret@warehouse:8080/hive")
    'billing_engine: trino://ana:***@warehouse:8080/hive'
    >>> redact_passwords("duckdb:///tmp/bill.ddb and postgres://bob@db/x")
    'duckdb:///tmp/bill.ddb and postgres://bob@db/x'
    """
    return _PASSWORD_IN_URL.sub(lambda m: f"{m['head']}***", str(text))


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def display_path(path: str | Path, root: Path | None = None) -> str:
    """``path`` relative to the project root when it lies inside it, else as given."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to((root or project_root()).resolve()))
    except (ValueError, ScenarioError):
        return str(path)


# ---------------------------------------------------------------------------------------------------
# Reading and validating.


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, problem):
        super().__init__(problem[2])
        self.problem = problem


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error (PyYAML keeps the
    last silently, so a second ``target_gross_margin`` further down a file would win unseen)."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            break  # let PyYAML report the unhashable key
        if key in seen:
            first_line, first_value = seen[key]
            value = loader.construct_object(value_node, deep=True)
            raise _DuplicateKey((str(key), value, f"expected each key once, but it is given twice (line "
                                                  f"{first_line} = {shorten(repr(first_value))}, line "
                                                  f"{key_node.start_mark.line + 1} = {shorten(repr(value))})"))
        seen[key] = (key_node.start_mark.line + 1, loader.construct_object(value_node, deep=True))
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)
# YAML 1.1 (PyYAML) reads 1e6 as the text "1e6" (it wants 1.0e6); YAML 1.2 and every reader of these files
# mean a number. Resolve exponent forms without a dot as floats too.
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789"))


#: Most values a scenario file may hold once YAML aliases are expanded: far above any real scenario (the
#: largest holds a few hundred), far below an alias bomb (9 anchors of 9 aliases each expand to 9**9).
MAX_YAML_NODES = 100_000


def _expanded_nodes(node, memo: dict) -> int:
    """How many nodes ``node`` stands for with every alias expanded (aliases share one node object)."""
    key = id(node)
    if key not in memo:
        memo[key] = 0  # a node that contains itself counts once (PyYAML reports the recursion)
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(_expanded_nodes(k, memo) + _expanded_nodes(v, memo) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(_expanded_nodes(v, memo) for v in node.value)
        else:
            total = 1
        memo[key] = min(total, MAX_YAML_NODES + 1)
    return memo[key]


def _load_capped(text: str):
    """`yaml.load` with `_UniqueKeyLoader`, refusing a document that expands to more than `MAX_YAML_NODES`
    values before any of it is built."""
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_nodes(node, {}) > MAX_YAML_NODES:
            raise yaml.YAMLError(f"expected at most {MAX_YAML_NODES:,} values once aliases (*name) are expanded; "
                                 "this file expands to more (an alias bomb?)")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml(path: str | Path) -> dict:
    """Read a scenario YAML file as a mapping, with errors that name the file."""
    shown = display_path(path)
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(shown, [(None, None, "file not found")])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(shown, [(None, None, f"cannot be read: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(shown, [(None, None, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line} "
                                                 "cannot be read; save the file as UTF-8")]) from None
    try:
        data = _load_capped(text)
    except RecursionError:
        raise ScenarioError(shown, [(None, None, "not valid YAML: nested too deeply (expected a scenario's "
                                                 "few levels of mappings and lists)")]) from None
    except _DuplicateKey as exc:
        raise ScenarioError(shown, [exc.problem]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(shown, [(None, None, f"not valid YAML{where}: {problem}")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(shown, [(None, data, "expected a mapping of parameter names to values")])
    return data


def load_pricebook(root: Path | None = None) -> dict[str, dict]:
    """The shared list prices, ``params/pricebook.yaml``: key -> {value, source, read_on, note}."""
    path = (root or project_root()) / "params" / "pricebook.yaml"
    if not path.is_file():
        return {}
    book = read_yaml(path)
    problems = []
    for key, entry in book.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), (int, float)):
            problems.append((key, entry, "expected a mapping with a numeric 'value', a 'source' and 'read_on'"))
        elif not entry.get("source") or not entry.get("read_on"):
            problems.append((key, entry, "expected a 'source' and the 'read_on' date"))
    if problems:
        raise ScenarioError(display_path(path), problems)
    return book


def resolve_pricebook(data: Any, book: Mapping[str, dict], key: str = "") -> tuple[Any, list]:
    """Replace every ``"pricebook:<name>"`` string in ``data`` by that price's value.

    Returns the resolved data and a list of ``(key, value, expected)`` problems for unknown names.

    Examples
    --------
    >>> book = {"s3_usd_per_gb_month": {"value": 0.023}}
    >>> resolve_pricebook({"price": "pricebook:s3_usd_per_gb_month", "n": 3}, book)
    ({'price': 0.023, 'n': 3}, [])
    """
    problems: list = []
    if isinstance(data, str) and data.startswith(PRICEBOOK_PREFIX):
        name = data[len(PRICEBOOK_PREFIX):].strip()
        if name in book:
            return book[name]["value"], problems
        close = difflib.get_close_matches(name, list(book), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append((key, data, f"expected a price named in params/pricebook.yaml{hint}"))
        return data, problems
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            out[k], more = resolve_pricebook(v, book, f"{key}.{k}" if key else str(k))
            problems += more
        return out, problems
    if isinstance(data, list):
        out_list = []
        for i, v in enumerate(data):
            resolved, more = resolve_pricebook(v, book, f"{key}[{i}]")
            out_list.append(resolved)
            problems += more
        return out_list, problems
    return data, problems


def _key_of(loc: tuple) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key


def _expected(error: dict, schema: type[BaseModel], data: Mapping) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        loc = error["loc"]
        known = _known_keys(schema, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown key; {hint}expected one of: {', '.join(known)}"
    if kind == "missing":
        return "required key is missing"
    message = error["msg"]
    if message.startswith("Value error, "):
        return message[len("Value error, "):]
    if message.startswith("Assertion failed, "):
        return message[len("Assertion failed, "):]
    for prefix in ("Input should be ", "Input should "):
        if message.startswith(prefix):
            return "expected " + message[len(prefix):]
    return message


def _known_keys(schema: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (possibly nested) model at ``loc``."""
    model = schema
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            break
        annotation = field.annotation
        inner = getattr(annotation, "__args__", None) or (annotation,)
        nested = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if not nested:
            break
        model = nested[0]
    return list(model.model_fields)


def validate(topic: str, data: Mapping[str, Any], source: str = "notebook parameters",
             root: Path | None = None, text_numbers: bool = True) -> Schema:
    """Validate a scenario mapping against the schema of ``topic``.

    Parameters
    ----------
    topic : str
        Workbook topic, e.g. ``"unit_economics"``.
    data : mapping
        Parameter names to values. Runtime keys (``interactive``, ``params_file``) are ignored.
    source : str
        What the errors name: the file path, or ``"notebook parameters"``.
    text_numbers : bool
        Accept numbers written as text (``"0.12"``), as pydantic does. `load` refuses them in files;
        notebook parameters (papermill reads ``1e6`` in a YAML file as text) accept them.

    Returns
    -------
    Schema
        The validated parameters (a pydantic model).

    Raises
    ------
    ScenarioError
        With one ``(key, value, expected)`` line per problem.
    """
    schema = schema_for(topic)
    data = {k: v for k, v in data.items() if k not in RUNTIME_KEYS}
    book = load_pricebook(root)
    data, problems = resolve_pricebook(data, book)
    if problems:
        raise ScenarioError(source, problems)
    problems = _number_problems(data)
    if problems:
        raise ScenarioError(source, problems)
    try:
        scenario = schema.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            value = error.get("input")
            if error["type"] == "missing":
                value = None
            key = _key_of(error["loc"])
            # A rule that follows from the key's name (a discount rate is in [0, 1)) is the same words in
            # every workbook, whatever field type the schema gave it.
            rule = _rule_for(key)
            named = rule(value) if rule and isinstance(value, (int, float)) and not isinstance(value, bool) else None
            problems.append((key, value, named or _expected(error, schema, data)))
        raise ScenarioError(source, problems) from None
    problems = (([] if text_numbers else _text_for_numbers(data, scenario.model_dump())) + _convention_problems(scenario.model_dump())
                + _range_problems(topic, scenario))
    if problems:
        raise ScenarioError(source, problems)
    return scenario


#: Largest magnitude accepted for any number in a scenario: far above any real bill (a quadrillion
#: dollars, requests or bytes a month), far below where float64 arithmetic on it overflows.
MAX_MAGNITUDE = 1e15


def _walk(data: Any, key: str = ""):
    """``(key, value)`` for every leaf of a YAML tree, keys written as in the error lines."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _walk(v, f"{key}.{k}" if key else str(k))
    elif isinstance(data, (list, tuple)):
        for i, v in enumerate(data):
            yield from _walk(v, f"{key}[{i}]")
    else:
        yield key, data


def _number_problems(data: Mapping) -> list:
    """``.inf``, ``.nan`` and numbers too large to compute with, anywhere in the file."""
    problems = []
    for key, value in _walk(data):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            problems.append((key, value, "expected a finite number"))
        elif abs(value) > MAX_MAGNITUDE:
            problems.append((key, value, f"expected a number between -{MAX_MAGNITUDE:.0e} and {MAX_MAGNITUDE:.0e}"))
    return problems


def _text_for_numbers(raw: Any, validated: Any, key: str = "") -> list:
    """Values written as text (``"0.12"``) or as true/false where the schema wants a number: pydantic
    converts them silently; a scenario file must say what it means."""
    if isinstance(raw, dict) and isinstance(validated, dict):
        out = []
        for k, v in raw.items():
            if k in validated:
                out += _text_for_numbers(v, validated[k], f"{key}.{k}" if key else str(k))
        return out
    if isinstance(raw, (list, tuple)) and isinstance(validated, (list, tuple)):
        return [p for i, (r, v) in enumerate(zip(raw, validated)) for p in _text_for_numbers(r, v, f"{key}[{i}]")]
    number = isinstance(validated, (int, float)) and not isinstance(validated, bool)
    if number and isinstance(raw, str):
        return [(key, raw, "expected a number, not text (write it without quotes)")]
    if number and isinstance(raw, bool):
        return [(key, raw, "expected a number, not true/false")]
    return []


def _discount_rate(value: float) -> str | None:
    return None if 0 <= value < 1 else "expected a decimal rate per year in [0, 1) (write 0.08 for 8%)"


def _growth_rate(value: float) -> str | None:
    return None if -1 < value < 1 else "expected a decimal growth rate above -1 and below 1 (write 0.02 for 2%)"


#: Rules that follow from a parameter's name, the same in every workbook (CONTRIBUTING: names carry
#: units): a key ending in one of these suffixes, at any depth, and in ``sensitivity_ranges``.
NAME_RULES = {"discount_rate_per_year": _discount_rate, "growth_rate_per_month": _growth_rate,
              "growth_rate_per_year": _growth_rate}


def _rule_for(key: str):
    name = key.rsplit(".", 1)[-1].split("[", 1)[0]
    return next((rule for suffix, rule in NAME_RULES.items() if name.endswith(suffix)), None)


def _convention_problems(values: Mapping) -> list:
    problems = []
    for key, value in _walk({k: v for k, v in values.items() if k != "sensitivity_ranges"}):
        rule = _rule_for(key)
        if rule and isinstance(value, (int, float)) and not isinstance(value, bool) and rule(value):
            problems.append((key, value, rule(value)))
    for name, bounds in (values.get("sensitivity_ranges") or {}).items():
        rule = _rule_for(name)
        bad = [b for b in bounds if rule and rule(b)]
        if bad:
            problems.append((f"sensitivity_ranges.{name}", list(bounds), rule(bad[0]).replace("expected", "expected "
                             "each end to be", 1)))
    return problems


def _base_value(module, scenario, key: str):
    """The base value of a sensitivity input, from the workbook contract's ``uncertain_inputs(params)``
    (input -> (low, base, high)); None if the workbook has no such input."""
    try:
        inputs = module.uncertain_inputs(scenario)
    except Exception:  # noqa: BLE001 (the analysis cannot start: the schema or analyse says why)
        return None
    triple = inputs.get(key)
    return None if triple is None else triple[1]


def _range_problems(topic: str, scenario: Schema) -> list:
    """A sensitivity range must contain the scenario's own value of that input."""
    ranges = getattr(scenario, "sensitivity_ranges", None) or {}
    if not ranges:
        return []
    module = importlib.import_module(f"costlib.workbooks.{topic}")
    problems = []
    for key, (low, high) in ranges.items():
        base = _base_value(module, scenario, key)
        try:
            base = float(base)
        except (TypeError, ValueError):
            continue
        if not low <= base <= high:
            problems.append((f"sensitivity_ranges.{key}", [low, high],
                             f"expected a range that contains the scenario's value {base:g}"))
    return problems


def load(path: str | Path, root: Path | None = None) -> Schema:
    """Read and validate one scenario file; its folder names the workbook.

    Raises
    ------
    ScenarioError
        Naming the file, each key, its value and what was expected.
    """
    data = read_yaml(path)
    return validate(topic_of(path), data, source=display_path(path, root), root=root, text_numbers=False)


def collect(namespace: Mapping[str, Any], topic: str, baseline: set[str] | None = None,
            source: str | None = None) -> Schema:
    """Validate a notebook's parameters from its global namespace.

    The notebook records ``_baseline = set(globals())`` before its parameters cell. Every public name
    defined after that (by the parameters cell or by papermill's injected cell) must be a field of the
    schema or a runtime key; anything else (``horizon_month`` for ``horizon_months``) is an unknown key.

    Parameters
    ----------
    namespace : mapping
        The notebook's ``globals()``.
    topic : str
        Workbook topic.
    baseline : set of str, optional
        Names that existed before the parameters cell.
    source : str, optional
        What errors name; defaults to ``params_file`` from the namespace, else ``"notebook parameters"``.
    """
    schema = schema_for(topic)
    source = source or namespace.get("params_file") or papermill_source() or "notebook parameters"
    fields = set(schema.model_fields)
    data = {name: namespace[name] for name in fields if name in namespace}
    if baseline is not None:
        new = {n for n in namespace if n not in baseline and not n.startswith("_")}
        new -= set(RUNTIME_KEYS)
        for name in sorted(new - fields):
            if callable(namespace[name]) or type(namespace[name]).__name__ == "module":
                continue
            data[name] = namespace[name]  # let the schema report it as unknown
    try:
        return validate(topic, data, source=str(source))
    except ScenarioError as exc:
        if namespace.get("interactive") is False:
            # A batch run (plain papermill): the kernel's stderr is the terminal, so the reason is printed
            # there at once, before papermill's own report of the failed cell.
            print("\n".join(exc.lines()), file=sys.__stderr__, flush=True)
        raise


def papermill_source(pid: int | None = None) -> str | None:
    """What a plain ``papermill`` command took its parameters from, for error lines: ``-f FILE``, with
    the names given by ``-p``/``-r``/``-y``. Read from the command line of the kernel's parent process
    (papermill starts the kernel); None elsewhere (JupyterLab, ``costbook run``, not Linux)."""
    try:
        raw = Path(f"/proc/{pid or os.getppid()}/cmdline").read_bytes()
    except OSError:
        return None
    args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    if not any(Path(a).name == "papermill" or a.endswith("papermill/__main__.py") or a == "papermill"
               for a in args[:3]):
        return None
    files, names, i = [], [], 0
    while i < len(args):
        arg = args[i]
        if arg in ("-f", "--parameters_file") and i + 1 < len(args):
            files.append(args[i + 1])
            i += 2
            continue
        if arg in ("-p", "--parameters", "-r", "--parameters_raw") and i + 2 < len(args):
            names.append(args[i + 1])
            i += 3
            continue
        if arg in ("-y", "--parameters_yaml", "-b", "--parameters_base64"):
            names.append(arg)
        i += 1
    if not files and not names:
        return None
    given = f"papermill {' '.join(('-p ' + n) if not n.startswith('-') else n for n in names)}" if names else ""
    return " with ".join(x for x in (", ".join(files), given) if x)


def as_dict(scenario: BaseModel) -> dict:
    """The validated parameters as plain Python data (for the report's appendix)."""
    return scenario.model_dump(mode="json")
