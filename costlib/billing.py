"""FOCUS billing data in: open an export, normalise it, check it, and run the FinOps queries on it.

`open_billing` takes a CSV, gzipped CSV or Parquet file, a folder of them, or a glob spanning many months
(``"exports/2026-*/*.parquet"``), and returns a `BillingData`: the data in canonical form on an embedded
DuckDB database (in-process, no server), its `DataQuality` record, and its provenance manifest (every
file's path, size and SHA-256). `BillingData.query` runs any expression of `costlib.billing_queries` and
returns a small pandas frame.

Normalisation, done once per distinct set of input files and cached by their hash:

- the FOCUS version is detected from the columns present; missing Mandatory columns are one
  `BillingDataError` naming the files and the columns; columns the spec does not define and that are
  not ``x_`` custom columns (the FOCUS sample's ``Id``) are left out and listed;
- a truncated gzip file, a Parquet file whose footer cannot be read and an empty file are one
  `BillingDataError` each (`check_files_readable`), before any SQL runs;
- the token ``NULL`` in any letter case and empty strings read as nulls (FOCUS "Null Handling"; counted
  per column); numbers written as quoted strings read as numbers, and money written with a currency
  symbol or thousands separators (``"$10,000.00"``) as the number, with a finding naming column and rows;
- timestamps are recognised per column (`TIMESTAMP_FORMATS`: ISO 8601 with or without ``T``/``Z`` or an
  offset, BigQuery's ``... UTC``, a date alone, ``M/D/YYYY`` and ``M/D/YY``, day first only where a first
  field exceeds 12) and read as UTC, their formats counted; a value in no known format refuses the file
  naming the column, the value and the formats read; a date outside 2000..today + 10 years is a finding;
- a row whose BilledCost or EffectiveCost is null or cannot be read (text, ``inf``) is left out of every
  figure and reported with file, row, column and value and the cost it still carries; an unreadable value
  in another numeric column reads as null, with its row; exact duplicate rows are reported with their
  count and cost (kept);
- enumeration values in the wrong case (``Usage-based``) read as the spec spells them, counted, and
  values outside the spec listed;
- ``Tags`` JSON objects are parsed into a map (keys and values trimmed, a valueless tag as ``"true"``);
  an unparseable one is counted, shown with example rows, and read as no tags, never a crash;
- more than one ``BillingCurrency`` is an error unless a currency to analyse is named; the others are
  then left out and reported with their totals; BillingCurrency null on every row is an error unless the
  currency is named (then read as it, with a finding);
- the spec's invariants are checked and reported, not fatal: ListUnitPrice x PricingQuantity = ListCost;
  per commitment, amortized usage (used + unused EffectiveCost) = purchases (BilledCost); and billed
  rows outside purchases with no effective cost.

The canonical data is a Parquet file (Tags as ``MAP(VARCHAR, VARCHAR)``) that DuckDB scans, and that Spark
(`spark_backend`) or any other engine reads as it is. With ``engine="spark"`` Spark reads, normalises and
checks the files itself, with the same SQL rendered in Spark SQL (`costlib.billing_sql`), and writes the
canonical data as a Parquet folder of the same columns and types, which DuckDB reads as well (`normalise`). Query results are cached beside it, keyed by the
data's hash, the query and its arguments, so re-running a workbook with other parameters on the same
data does not scan the rows again.

References
----------
FinOps Foundation, FOCUS specification v1.0-v1.2 (see `costlib.focus`); DuckDB ``read_csv`` and
``read_parquet``; Ibis, "Backends" and unbound tables (``ibis.table``).
"""

from __future__ import annotations

import dataclasses
import functools
import glob as _glob
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from costlib import billing_queries as Q
from costlib import focus
from costlib.billing_sql import DUCKDB, SPARK, Dialect
from costlib.errors import BillingDataError

#: Bump when the canonical form changes: cached canonical files of another version are not reused.
NORMALISER_VERSION = "2"

#: File name endings read as billing data, and how.
CSV_SUFFIXES = (".csv", ".csv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")

#: Tokens read as null in text columns, in any letter case (``NULL``, ``null``, ``Null``), besides the empty
#: string. FOCUS "Null Handling": columns MUST use null where there is no value, and MUST NOT use empty
#: strings or placeholders; exports still write the word (the FOCUS sample writes ``NULL``, the spec's own
#: examples ``null``), so each spelling is read as null and counted.
NULL_TOKENS = ("NULL",)


@dataclasses.dataclass(frozen=True)
class TimestampFormat:
    """One way a billing export writes a timestamp: how it is recognised and how it is read.

    ``pattern`` is a regular expression over the trimmed text (matched whole); ``strptime`` lists the
    formats tried in order (first match wins), or is empty when the text is ISO 8601, which the engine's
    own timestamp cast reads (with ``T`` or a space, ``Z``, an offset, or no zone: read as UTC).
    """

    label: str
    pattern: str
    strptime: tuple[str, ...] = ()


_TIME = r"( \d{1,2}:\d{2}(:\d{2})?( ?[AaPp][Mm])?)?"
_SLASH_TIMES = ("", " %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p")

#: The timestamp formats the readers know, as AWS, Azure, Google Cloud and OCI FOCUS exports write them:
#: ISO 8601 with or without ``T``/``Z`` or an offset (AWS Data Exports, OCI, the FOCUS sample), BigQuery's
#: ``... UTC`` text, a date alone, and US dates ``M/D/YYYY`` and ``M/D/YY`` (Azure Cost Management CSV
#: exports and spreadsheets), optionally with a time. ``D/M/YYYY`` is read only when a column's first
#: field exceeds 12 somewhere and its second never does (decided per column, `timestamp_plan`).
TIMESTAMP_FORMATS: tuple[TimestampFormat, ...] = (
    TimestampFormat("ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ, the spec's)",
                    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$"),
    TimestampFormat("ISO 8601 with offset (read as UTC)",
                    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}(:?\d{2})?$"),
    TimestampFormat("YYYY-MM-DDTHH:MM:SS, no zone (read as UTC)", r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
    TimestampFormat("YYYY-MM-DD HH:MM:SS, no zone (read as UTC)", r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
    TimestampFormat("YYYY-MM-DD HH:MM:SS UTC (BigQuery's text)", r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)? UTC$"),
    TimestampFormat("YYYY-MM-DD, date only (read as UTC midnight)", r"^\d{4}-\d{2}-\d{2}$"),
    TimestampFormat("M/D/YYYY (month first, read as UTC)", r"^\d{1,2}/\d{1,2}/\d{4}" + _TIME + "$",
                    tuple("%m/%d/%Y" + t for t in _SLASH_TIMES)),
    TimestampFormat("M/D/YY (month first, 20YY, read as UTC)", r"^\d{1,2}/\d{1,2}/\d{2}" + _TIME + "$",
                    tuple("%m/%d/%y" + t for t in _SLASH_TIMES)),
)

#: The day-first reading of the two slash formats, used for a column whose first field exceeds 12.
DAY_FIRST_FORMATS: dict[int, TimestampFormat] = {
    6: TimestampFormat("D/M/YYYY (day first: a first field above 12, read as UTC)", TIMESTAMP_FORMATS[6].pattern,
                       tuple("%d/%m/%Y" + t for t in _SLASH_TIMES)),
    7: TimestampFormat("D/M/YY (day first: a first field above 12, 20YY, read as UTC)", TIMESTAMP_FORMATS[7].pattern,
                       tuple("%d/%m/%y" + t for t in _SLASH_TIMES)),
}

#: Dates a bill can hold: from this year to ten years after the day it is read. Others are a finding.
EARLIEST_YEAR = 2000
LATEST_YEARS_AHEAD = 10

#: Money written as text with a currency symbol or thousands separators (``"$10,000.00"``, ``"-€1,234.5"``,
#: ``"£12"``): read as the number once the symbols, separators and spaces are removed, and reported.
#: What is removed from money text before it is read as a number: currency symbols, commas, spaces.
MONEY_SEPARATORS = r"[$€£¥,\s]"
MONEY_PATTERN = r"^[-+]?\s*[$€£¥]?\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$"

#: Cost columns without which a row cannot be counted (FOCUS: Mandatory, never null). A row whose value
#: in one of them is null or cannot be read is left out of every figure and reported with its file, row
#: and value, and the cost it still carries in the other column.
REQUIRED_COST_COLUMNS = ("BilledCost", "EffectiveCost")


# ---------------------------------------------------------------------------------------------------
# Files and provenance


def resolve_files(source: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """The billing files a source names: a file, a folder (searched recursively) or a glob, or a list.

    Raises
    ------
    BillingDataError
        When the source names no readable billing file.
    """
    if not isinstance(source, (str, os.PathLike)):
        files = [f for s in source for f in resolve_files(s)]
        return sorted(dict.fromkeys(files))
    text = str(source)
    path = Path(text)
    if any(ch in text for ch in "*?["):
        files = [Path(p) for p in _glob.glob(text, recursive=True)]
    elif path.is_dir():
        files = [p for p in path.rglob("*")]
    elif path.is_file():
        files = [path]
    else:
        raise BillingDataError(f"{text}: no such file or folder")
    files = sorted(p.resolve() for p in files if p.is_file() and _kind(p) is not None)
    if not files:
        raise BillingDataError(f"{text}: no billing files (expected {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)})")
    return files


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None


#: A file changed less than this long before it was hashed is not remembered: file times are kept at a
#: coarse clock tick (milliseconds), so an edit in the same tick as the hash could leave every time alike.
RACY_S = 2.0


def file_sha256(path: Path, cache: dict | None = None) -> str:
    """SHA-256 of a file's bytes, remembered in ``cache`` by what a copy cannot fake.

    The memo's key is the path, device, inode, size, modification time and status-change time (ctime). A
    copy that restores the modification time (``cp -p``, ``rsync -t``, ``tar``) still changes the ctime,
    which no program can set, so an edit that keeps the length and the mtime is hashed again. A file
    changed within `RACY_S` of being hashed is never remembered.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.csv"; _ = f.write_text("x\\n")
    >>> file_sha256(f)[:12]  # sha256sum of "x\\n"
    '73cb3858a687'
    """
    stat = path.stat()
    key = f"{path}|{stat.st_dev}|{stat.st_ino}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}"
    if cache is not None and isinstance(cache.get(key), str):
        return cache[key]
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    value = digest.hexdigest()
    if cache is not None and time.time() - max(stat.st_mtime, stat.st_ctime) >= RACY_S and _same_file(path, stat):
        cache[key] = value
    return value


def _same_file(path: Path, stat: os.stat_result) -> bool:
    """Whether ``path`` still has the size and times it had (it did not change while it was read)."""
    now = path.stat()
    return (now.st_size, now.st_mtime_ns, now.st_ctime_ns) == (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def manifest(files: Iterable[Path], cache_dir: Path | None = None) -> dict:
    """Provenance of a set of billing files: each file's path, size and SHA-256, and one manifest hash.

    Notes
    -----
    manifest_sha256 = SHA-256 of the lines ``"<sha256>  <bytes>  <file name>\\n"`` in path order, so it
    changes when any file's content changes, or a file is added or removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); (d / "a.csv").write_text("x\\n")
    2
    >>> m = manifest([d / "a.csv"])  # sha256sum of "x\\n" starts 73cb3858a687
    >>> m["files"][0]["bytes"], m["files"][0]["sha256"][:12], len(m["manifest_sha256"])
    (2, '73cb3858a687', 64)
    """
    hashes: dict = {}
    memo = cache_dir / "file_hashes.json" if cache_dir else None
    if memo and memo.is_file():
        try:
            hashes = json.loads(memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            hashes = {}
        if not isinstance(hashes, dict):  # not a memo this code wrote: start again
            hashes = {}
    entries = []
    lines = []
    for path in files:
        path = Path(path)
        sha = file_sha256(path, hashes)
        size = path.stat().st_size
        entries.append({"path": _display(path), "bytes": size, "sha256": sha})
        lines.append(f"{sha}  {size}  {path.name}\n")
    if memo:
        try:
            _atomic_text(memo, json.dumps(hashes))
        except OSError:  # a read-only cache: the hashes are simply computed again next time
            pass
    return {"files": entries, "manifest_sha256": hashlib.sha256("".join(lines).encode()).hexdigest()}


def _display(path: Path) -> str:
    """A path relative to the current folder when it lies under it, else absolute."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _atomic_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def default_cache_dir() -> Path:
    """Where canonical data and query results are cached: ``$COSTBOOK_CACHE_DIR`` or
    ``~/.cache/costbook/billing``."""
    return Path(os.environ.get("COSTBOOK_CACHE_DIR") or Path.home() / ".cache" / "costbook" / "billing")


# ---------------------------------------------------------------------------------------------------
# Utilization samples (the rightsizing input)

#: The columns of a utilization file: one row per resource and sample.
UTILIZATION_COLUMNS = ("resource", "timestamp", "cpu_utilization_share", "memory_utilization_share")


def read_utilization(path: str | os.PathLike) -> pd.DataFrame:
    """Read a utilization file (CSV or Parquet): per resource, CPU and memory utilization over time.

    Parameters
    ----------
    path : path
        A ``.csv``, ``.csv.gz`` or ``.parquet`` file with the columns `UTILIZATION_COLUMNS`: ``resource``
        (the bill's ResourceId), ``timestamp`` (UTC, or with an offset), ``cpu_utilization_share`` and
        ``memory_utilization_share`` (decimals of the current size's capacity, in [0, 1]).

    Returns
    -------
    pandas.DataFrame
        The four columns, typed (timestamps UTC), sorted by resource and time.

    Raises
    ------
    BillingDataError
        One line naming the file and what is wrong: no such file, unreadable, a missing column, a value
        that is not a timestamp or not a share in [0, 1], no rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "u.csv"
    >>> _ = f.write_text("resource,timestamp,cpu_utilization_share,memory_utilization_share\\n"
    ...                  "vm-1,2026-11-01T00:00:00Z,0.1,0.2\\n")
    >>> read_utilization(f)["cpu_utilization_share"].tolist()
    [0.1]
    """
    file = Path(path)
    if not file.is_file():
        raise BillingDataError(f"{file}: no such utilization file")
    kind = _kind(file)
    try:
        if kind == "parquet":
            frame = pd.read_parquet(file)
        elif kind == "csv":
            frame = pd.read_csv(file, dtype={"resource": str})
        else:
            raise BillingDataError(f"{file}: expected a .csv, .csv.gz or .parquet utilization file")
    except BillingDataError:
        raise
    except Exception as exc:  # pyarrow and pandas raise many kinds
        raise BillingDataError(f"{file}: cannot be read as {kind}: {str(exc).splitlines()[0]}") from None
    missing = [c for c in UTILIZATION_COLUMNS if c not in frame.columns]
    if missing:
        raise BillingDataError(f"{file}: missing utilization columns {', '.join(missing)} (expected "
                               f"{', '.join(UTILIZATION_COLUMNS)})")
    if frame.empty:
        raise BillingDataError(f"{file}: no utilization rows (the file has a header only)")
    frame = frame[list(UTILIZATION_COLUMNS)].copy()
    frame["resource"] = frame["resource"].astype(str)
    stamps = pd.to_datetime(frame["timestamp"], utc=True, errors="coerce", format="mixed")
    if stamps.isna().any():
        row = int(np.flatnonzero(stamps.isna().to_numpy())[0])
        raise BillingDataError(f"{file}: row {row + 2}: timestamp {frame['timestamp'].iat[row]!r} is not a timestamp")
    frame["timestamp"] = stamps
    for column in UTILIZATION_COLUMNS[2:]:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values < 0) | (values > 1)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise BillingDataError(f"{file}: row {row + 2}: {column} = {frame[column].iat[row]}: expected a "
                                   "share in [0, 1] (0.35 for 35%)")
        frame[column] = values.astype(float)
    return frame.sort_values(["resource", "timestamp"], kind="mergesort").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------
# Tags


def parse_tags(text: str | None) -> tuple[dict[str, str] | None, int, bool]:
    """Parse one FOCUS ``Tags`` value (a JSON object serialised as a string).

    Parameters
    ----------
    text : str or None
        The raw value.

    Returns
    -------
    tags : dict or None
        Key to value, keys and values trimmed; a valueless tag (null or empty value) as ``"true"``; a
        non-string value as its JSON text (``1``, ``false``). None when ``text`` is null or blank.
    valueless : int
        How many tags had no value.
    valid : bool
        False when ``text`` is not a JSON object (then ``tags`` is None).

    Notes
    -----
    Keys that are equal after trimming keep the last value, as JSON parsers do for repeated keys.

    References
    ----------
    FOCUS v1.0, Tags: "KeyValueFormat"; "Tags ... MUST be ... a JSON object"; valueless tags.

    Examples
    --------
    >>> parse_tags('{" team ": " ads ", "pii": null, "n": 3}')
    ({'team': 'ads', 'pii': 'true', 'n': '3'}, 1, True)
    >>> parse_tags('{"team": "ads"'), parse_tags("NULL"), parse_tags("null"), parse_tags("")
    ((None, 0, False), (None, 0, True), (None, 0, True), (None, 0, True))
    """
    if text is None or not str(text).strip() or str(text).strip().upper() in NULL_TOKENS:
        return None, 0, True
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return None, 0, False
    if not isinstance(data, dict):
        return None, 0, False
    out: dict[str, str] = {}
    valueless = 0
    for key, value in data.items():
        key = str(key).strip()
        if value is None or (isinstance(value, str) and not value.strip()):
            valueless += 1
            value = "true"
        elif isinstance(value, str):
            value = value.strip()
        else:
            value = json.dumps(value)
        out[key] = value
    return out, valueless, True


# ---------------------------------------------------------------------------------------------------
# The data-quality record


@dataclasses.dataclass
class DataQuality:
    """What was found in a billing export, for the workbook's data-quality panel.

    Every count is a number of rows. ``totals`` holds billed and effective cost per charge category side
    by side (never added together). ``null_tokens`` counts, per column, ``NULL`` (upper case), ``null``
    (any other case) and ``empty`` values; ``timestamp_formats`` counts, per timestamp column, the values
    of each format read (`TIMESTAMP_FORMATS`); ``dates_out_of_range`` holds, per column, the dates outside
    `EARLIEST_YEAR` .. today + `LATEST_YEARS_AHEAD` years with an example; ``money_text`` the cost values
    written with symbols or separators (read as numbers) with example rows; ``unparseable_values`` the
    values of other numeric columns that cannot be read (read as null) and ``unparseable_examples`` where;
    ``rows_excluded`` the rows left out because a `REQUIRED_COST_COLUMNS` value is null or unreadable (count,
    examples, and the cost they still carry); ``duplicates`` the exact duplicate rows (count and cost);
    ``currency_assumed`` is true when BillingCurrency is null on every row and ``currency`` was named.
    """

    version: str
    files: list[dict]
    manifest_sha256: str
    rows_read: int
    rows: int
    currency: str
    currencies_excluded: dict[str, dict]
    columns_unknown: list[str]
    columns_custom: list[str]
    columns_absent: list[str]
    null_tokens: dict[str, dict[str, int]]
    timestamp_formats: dict[str, dict[str, int]]
    dates_out_of_range: dict[str, dict]
    money_text: dict[str, dict]
    unparseable_values: dict[str, int]
    unparseable_examples: dict[str, list[str]]
    rows_excluded: dict[str, Any]
    duplicates: dict[str, Any]
    currency_assumed: bool
    enum_case_drift: dict[str, dict[str, int]]
    enum_unknown: dict[str, dict[str, int]]
    tag_rows: int
    tag_rows_unparseable: int
    tag_examples_unparseable: list[str]
    tags_valueless: int
    list_cost: dict[str, Any]
    commitments: list[dict]
    billed_without_effective: dict[str, Any]
    totals: list[dict]

    def to_dict(self) -> dict:
        """Plain data for the results JSON."""
        return dataclasses.asdict(self)

    @property
    def billed_cost(self) -> float:
        """Total billed (cash) cost, in the billing currency."""
        return float(sum(row["billed_cost"] for row in self.totals))

    @property
    def effective_cost(self) -> float:
        """Total effective (amortized) cost, in the billing currency."""
        return float(sum(row["effective_cost"] for row in self.totals))

    def checks(self) -> pd.DataFrame:
        """One row per check: ``check``, ``status`` ("ok", "warning" or "note") and ``finding`` in words."""
        rows = []

        def add(check, status, finding):
            rows.append({"check": check, "status": status, "finding": finding})

        add("FOCUS version", "ok", f"{self.version} (from the columns present); {len(self.files)} file(s), "
                                   f"{self.rows_read:,} rows read")
        add("Mandatory columns", "ok", "all 21 present")
        if self.columns_unknown:
            add("Columns outside the spec", "note",
                f"left out of the analysis: {', '.join(self.columns_unknown)}")
        if self.columns_custom:
            add("Custom x_ columns", "ok", f"kept: {', '.join(self.columns_custom)}")
        nulls = {c: n for c, n in self.null_tokens.items() if any(n.values())}
        if nulls:
            total_upper = sum(n.get("NULL", 0) for n in nulls.values())
            total_lower = sum(n.get("null", 0) for n in nulls.values())
            total_empty = sum(n.get("empty", 0) for n in nulls.values())
            add("Null tokens", "note", f"{total_upper:,} 'NULL', {total_lower:,} 'null' (other letter case) and "
                                       f"{total_empty:,} empty values read as null in {len(nulls)} columns")
        if self.timestamp_formats:
            spec = TIMESTAMP_FORMATS[0].label
            status = "ok" if all(set(f) <= {spec} for f in self.timestamp_formats.values()) else "note"
            groups: dict[str, list[str]] = {}
            for column, formats in self.timestamp_formats.items():
                groups.setdefault("; ".join(f"{label}: {n:,}" for label, n in formats.items()), []).append(column)
            add("Timestamp formats", status, " | ".join(f"{', '.join(columns)}: {formats}"
                                                       for formats, columns in groups.items()))
        for column, found in self.dates_out_of_range.items():
            add(f"Dates out of range: {column}", "warning",
                f"{found['rows']:,} dates outside {found['range']} (e.g. {found['example']!r} at {found['where']}): "
                f"check the export's date format")
        for column, found in self.money_text.items():
            add(f"Money written as text: {column}", "note",
                f"{found['rows']:,} values with a currency symbol or thousands separators read as numbers "
                f"(e.g. {found['example']!r}; {', '.join(found['where'])})")
        if self.unparseable_values:
            add("Unreadable values", "warning", "; ".join(
                f"{c}: {n:,} read as null ({', '.join(self.unparseable_examples.get(c, []))})"
                for c, n in self.unparseable_values.items()))
        ex = self.rows_excluded
        if ex["rows"]:
            add("Rows left out: unreadable cost", "warning",
                f"{ex['rows']:,} rows left out of every figure ({'; '.join(ex['examples'])}); the cost they still "
                f"carry: billed {ex['billed_cost_known']:,.2f}, effective {ex['effective_cost_known']:,.2f}")
        dup = self.duplicates
        if dup["rows"]:
            add("Duplicate rows", "warning",
                f"{dup['rows']:,} rows are exact copies of another row ({dup['distinct']:,} distinct rows repeated), "
                f"billed {dup['billed_cost']:,.2f} and effective {dup['effective_cost']:,.2f} of the totals; kept: "
                f"if an export was loaded twice, remove the copy")
        if self.enum_case_drift:
            parts = [f"{c}: " + ", ".join(f"'{v}' x{n:,}" for v, n in d.items())
                     for c, d in self.enum_case_drift.items()]
            add("Enumeration case drift", "note", "normalised to the spec's spelling: " + "; ".join(parts))
        if self.enum_unknown:
            parts = [f"{c}: " + ", ".join(f"'{v}' x{n:,}" for v, n in d.items())
                     for c, d in self.enum_unknown.items()]
            add("Values outside the spec", "warning", "; ".join(parts))
        tag_status = "warning" if self.tag_rows_unparseable else "ok"
        finding = f"{self.tag_rows:,} rows carry tags"
        if self.tag_rows_unparseable:
            finding += (f"; {self.tag_rows_unparseable:,} rows with unparseable tags read as untagged "
                        f"(e.g. {', '.join(self.tag_examples_unparseable)})")
        if self.tags_valueless:
            finding += f"; {self.tags_valueless:,} valueless tags read as 'true'"
        add("Tags", tag_status, finding)
        excluded = ", ".join(f"{c} ({v['rows']:,} rows, billed {v['billed_cost']:,.2f})"
                             for c, v in self.currencies_excluded.items())
        if self.currency_assumed:
            add("Billing currency", "warning", f"BillingCurrency is null on every row: read as {self.currency}, "
                                               f"the currency the scenario names (billing_currency)")
        else:
            add("Billing currency", "note" if excluded else "ok",
                f"{self.currency}" + (f"; excluded: {excluded}" if excluded else ""))
        lc = self.list_cost
        add("ListCost = ListUnitPrice x PricingQuantity", "warning" if lc["rows_off"] else "ok",
            f"{lc['rows_off']:,} of {lc['rows_checked']:,} rows off" +
            (f" (largest gap {lc['largest_gap']:.6g})" if lc["rows_off"] else ""))
        for c in self.commitments:
            gap = c["amortized"] - c["purchases_billed"]
            status = "ok" if abs(gap) <= 1e-6 * max(abs(c["purchases_billed"]), 1.0) else "warning"
            add(f"Commitment {c['CommitmentDiscountId']}", status,
                f"amortized usage {c['amortized']:,.2f} vs purchases billed {c['purchases_billed']:,.2f} "
                f"in these files (gap {gap:,.2f}; an upfront purchase outside the files shows as a gap)")
        bwe = self.billed_without_effective
        if bwe["rows"]:
            add("Billed but no effective cost", "warning",
                f"{bwe['rows']:,} rows outside purchases, billed {bwe['billed_cost']:,.4f}: the amortized "
                f"view misses them; do not assume EffectiveCost = BilledCost")
        add("Totals", "ok", f"billed (cash) {self.billed_cost:,.2f} and effective (amortized) "
                            f"{self.effective_cost:,.2f} {self.currency}")
        return pd.DataFrame(rows, columns=["check", "status", "finding"])


# ---------------------------------------------------------------------------------------------------
# Reading and normalising (SQL over the raw files, on DuckDB or Spark; runs once per set of files)


def _sql_str(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _raw_relation(files: list[Path]) -> str:
    """SQL for all files as one relation: text columns as text, plus x_SourceFile and x_SourceRow."""
    parts = []
    csv = [f for f in files if _kind(f) == "csv"]
    parquet = [f for f in files if _kind(f) == "parquet"]
    for f in csv:
        # nullstr is a token that never occurs, so 'NULL' stays text and is counted before it is nulled.
        # Each file's rows are numbered by the reader (WITH ORDINALITY: DuckDB 1.4+, 1.3.2 has it "not
        # implemented"), in file order:
        # ``row_number() OVER (PARTITION BY filename)`` numbered rows in whatever order the window's sort
        # left them (with two files of 300,000 and 200,000 rows, 497,952 rows had another row's number).
        parts.append(
            f"SELECT * EXCLUDE (filename, ordinality), filename AS x_SourceFile, ordinality AS x_SourceRow "
            f"FROM read_csv({_sql_str(str(f))}, all_varchar=true, header=true, filename=true, "
            f"nullstr='\x01', allow_quoted_nulls=false, auto_detect=true) WITH ORDINALITY")
    if parquet:
        names = "[" + ", ".join(_sql_str(str(f)) for f in parquet) + "]"
        parts.append(
            f"SELECT * EXCLUDE (filename, file_row_number), filename AS x_SourceFile, "
            f"file_row_number + 1 AS x_SourceRow "
            f"FROM read_parquet({names}, union_by_name=true, filename=true, file_row_number=true)")
    return " UNION ALL BY NAME ".join(f"({p})" for p in parts)


def _text(column: str, kind: str, d: Dialect = DUCKDB) -> str:
    """SQL reading a raw text column as a trimmed value, with null tokens (any case) and blanks as null."""
    c = d.ident(column)
    if kind != "VARCHAR":
        return c
    tokens = ", ".join(d.literal(t.upper()) for t in NULL_TOKENS)
    return f"(CASE WHEN {d.trim(c)} = '' OR upper({d.trim(c)}) IN ({tokens}) THEN NULL ELSE {d.trim(c)} END)"


def _number_sql(column: str, kind: str, d: Dialect = DUCKDB) -> str:
    """SQL reading a raw column as a finite number: plain text, or money with symbols and separators
    (`MONEY_PATTERN`); null when the value is null, unreadable, infinite or NaN."""
    if kind != "VARCHAR":
        value = f"TRY_CAST({d.ident(column)} AS DOUBLE)"
    else:
        text = _text(column, kind, d)
        money = (f"CASE WHEN {d.full_match(text, MONEY_PATTERN)} THEN "
                 f"{d.try_double(d.remove(text, MONEY_SEPARATORS))} END")
        value = f"coalesce({d.try_double(text)}, {money})"
    return f"(CASE WHEN {d.isfinite(value)} THEN {value} END)"


def _timestamp_sql(column: str, kind: str, formats: Iterable[TimestampFormat], d: Dialect = DUCKDB) -> str:
    """SQL reading a raw column as a UTC timestamp with the formats `timestamp_plan` found in it (rendered
    for DuckDB or Spark: `costlib.billing_sql.Dialect.read_timestamp`)."""
    if kind != "VARCHAR":
        return d.cast_timestamp(d.ident(column))
    text = _text(column, kind, d)
    cases = []
    for f in formats:
        cases.append(f"WHEN {d.full_match(text, f.pattern)} THEN {d.read_timestamp(text, f.strptime)}")
    return f"(CASE {' '.join(cases)} END)" if cases else f"CAST(NULL AS {d.type_name('TIMESTAMPTZ')})"


#: The canonical type of each FOCUS column kind, in DuckDB's names (`Dialect.type_name` renders them).
CANONICAL_TYPES = {focus.DECIMAL: "DOUBLE", focus.STRING: "VARCHAR", focus.TIMESTAMP: "TIMESTAMPTZ"}


def _column_sql(column: str, kind: str, raw_types: Mapping[str, str],
                plan: Mapping[str, list[TimestampFormat]], d: Dialect = DUCKDB, scan: dict | None = None) -> str:
    """SQL for one canonical column from the raw relation (a typed NULL when the column is absent), in
    the dialect ``d``: numbers DOUBLE, text VARCHAR (Spark: STRING), timestamps UTC (DuckDB TIMESTAMPTZ,
    Spark TIMESTAMP), Tags a string-to-string map (a raw map as it is, text from ``tags_parsed``).

    With the quality ``scan`` of the raw rows (`_quality_scan`), a text column it found clean (no value
    padded, blank or a null token) is taken as it is, and an enumeration with no case drift without its
    spelling CASE: on every such row `_text` and the CASE return the value unchanged (the reasoning of
    `clean_parquet_select`, per column), and the text functions are not run on every row (on Spark, a
    Java regular expression per value: 51 s of the 80 s normalising 1.4M generated Parquet rows).

    Examples
    --------
    >>> _column_sql("ChargeCategory", focus.STRING, {}, {}, SPARK)
    'CAST(NULL AS STRING) AS `ChargeCategory`'
    """
    if column == "Tags":
        if "Tags" not in raw_types:
            return f"CAST(NULL AS {d.type_name('MAP(VARCHAR, VARCHAR)')}) AS Tags"
        return "raw.Tags AS Tags" if raw_types["Tags"].startswith("MAP") else "tags_parsed.parsed_map AS Tags"
    if column not in raw_types:
        return f"CAST(NULL AS {d.type_name(CANONICAL_TYPES[kind])}) AS {d.ident(column)}"
    if kind == focus.DECIMAL:
        return f"{_number_sql(column, raw_types[column], d)} AS {d.ident(column)}"
    if kind == focus.TIMESTAMP:
        return f"{_timestamp_sql(column, raw_types[column], plan.get(column, ()), d)} AS {d.ident(column)}"
    clean = scan is not None and not scan["untrimmed"].get(column) and not any(scan["null"].get(column, {}).values())
    value = d.ident(column) if clean else _text(column, raw_types[column], d)
    if column in focus.ENUMERATIONS and not (scan is not None and column not in scan["drift"]):
        cases = " ".join(f"WHEN {d.literal(v.lower())} THEN {d.literal(v)}" for v in focus.ENUMERATIONS[column])
        value = f"CASE lower({value}) {cases} ELSE {value} END"
    return f"{d.cast_text(value)} AS {d.ident(column)}"


#: DuckDB's working memory on every connection billing opens (``$COSTBOOK_DUCKDB_MEMORY_LIMIT`` overrides,
#: e.g. ``4GB``). DuckDB's own default is 80% of the machine's RAM, so its buffer pool (hash aggregates over
#: resources x days, the normaliser's sorts) grew with the bill; bounded here, larger work spills to
#: `duckdb_spill_dir` instead.
DUCKDB_MEMORY_LIMIT = "512MB"


def duckdb_spill_dir(cache_root: Path | None = None) -> Path:
    """Where DuckDB spills what does not fit in `DUCKDB_MEMORY_LIMIT`: ``duckdb-spill`` in the billing cache."""
    return Path(cache_root or default_cache_dir()) / "duckdb-spill"


def duckdb_settings(cache_root: Path | None = None, ordered: bool = False) -> list[str]:
    """The SET statements billing runs on each DuckDB connection it opens.

    UTC, no progress bar, memory bounded by `DUCKDB_MEMORY_LIMIT` (``$COSTBOOK_DUCKDB_MEMORY_LIMIT``),
    spilling to `duckdb_spill_dir`, no cache of file blocks in the process (``enable_external_file_cache``),
    threads from ``$COSTBOOK_DUCKDB_THREADS`` (DuckDB's default, one per core, when unset), and, unless ``ordered``, ``preserve_insertion_order = false``: every query result
    is sorted by `BillingData.query` and every example query has its own ORDER BY, so no result depends on
    the order rows were read in, and DuckDB need not buffer rows to keep it.

    Examples
    --------
    >>> [s for s in duckdb_settings(Path("/c")) if "memory_limit" in s or "temp_directory" in s]
    ["SET memory_limit = '512MB'", "SET temp_directory = '/c/duckdb-spill'"]
    """
    memory = os.environ.get("COSTBOOK_DUCKDB_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT
    out = ["SET TimeZone = 'UTC'", "SET enable_progress_bar = false",  # no progress bars in outputs or logs
           f"SET memory_limit = {_sql_str(memory)}", f"SET temp_directory = {_sql_str(str(duckdb_spill_dir(cache_root)))}",
           # DuckDB's own cache of the files' blocks kept them in the process (up to the memory limit), so the
           # workbook's peak grew with the bill (0.38 -> 0.49 GiB from 10M to 30M rows; 0.33 -> 0.36 GiB off);
           # the operating system's page cache keeps the files warm instead.
           "SET enable_external_file_cache = false"]
    threads = os.environ.get("COSTBOOK_DUCKDB_THREADS")
    if threads:
        out.append(f"SET threads = {int(threads)}")
    if not ordered:
        out.append("SET preserve_insertion_order = false")
    return out


def _connect_duckdb(cache_root: Path | None = None):
    import duckdb

    con = duckdb.connect()
    for statement in duckdb_settings(cache_root):
        con.execute(statement)
    return con


def _raw_types(con, relation: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def _examples(con, condition: str, value: str, where: str = "", limit: int = 5) -> list[tuple[str, int, str]]:
    """(file name, row, raw value) of the first rows where ``condition`` holds, in file and row order (on
    DuckDB or `billing_sql.SparkSql`: ``condition`` and ``value`` written in ``con.dialect``)."""
    d = getattr(con, "dialect", DUCKDB)
    rows = con.execute(f"SELECT x_SourceFile, x_SourceRow, {d.cast_text(value)} FROM raw "
                       f"WHERE ({condition}) {('AND ' + where) if where else ''} "
                       f"ORDER BY x_SourceFile, x_SourceRow LIMIT {int(limit)}").fetchall()
    return [(Path(f).name, int(r), v) for f, r, v in rows]


_SLASH = r"^\d{1,2}/\d{1,2}/.*$"

#: The formats the readers know, in the words of a refusal.
FORMATS_READ = ("YYYY-MM-DDTHH:MM:SSZ, with an offset, without T or Z, 'YYYY-MM-DD HH:MM:SS UTC', YYYY-MM-DD, "
                "M/D/YYYY and M/D/YY (each optionally with a time; D/M when a first field exceeds 12)")


def _scan_conditions(column: str, kind: str, d: Dialect = DUCKDB) -> list[tuple[str, str]]:
    """The quality scan's counts for one raw column, as ``(key, condition)``: each key counts the rows where
    its condition holds (null tokens, padding, unreadable numbers, money text, timestamp formats). The
    conditions name the column itself, so they read the same over the rows or over its distinct values;
    ``d`` renders them for DuckDB or Spark (`costlib.billing_sql`)."""
    if column not in focus.ALL_COLUMNS or column == "Tags":
        return []
    exprs: list[tuple[str, str]] = []
    upper = ", ".join(d.literal(t.upper()) for t in NULL_TOKENS)
    target = focus.ALL_COLUMNS[column]
    c = d.ident(column)
    if kind == "VARCHAR":
        exprs.append((f"null|{column}|NULL", f"{d.trim(c)} IN ({upper})"))
        exprs.append((f"null|{column}|null", f"upper({d.trim(c)}) IN ({upper}) AND {d.trim(c)} NOT IN ({upper})"))
        exprs.append((f"null|{column}|empty", f"{d.trim(c)} = ''"))
        exprs.append((f"untrimmed|{column}|", f"{c} <> {d.trim(c)}"))
    text = _text(column, kind, d)
    if target == focus.DECIMAL:
        exprs.append((f"bad|{column}|", _unreadable(column, kind, d)))
        if kind == "VARCHAR":
            exprs.append((f"money|{column}|", _money_text(column, kind, d)))
    if target == focus.TIMESTAMP and kind == "VARCHAR":
        for i, f in enumerate(TIMESTAMP_FORMATS):
            exprs.append((f"ts|{column}|{i}", d.full_match(text, f.pattern)))
        exprs.append((f"tsunknown|{column}|", _unknown_timestamp(text, d)))
        slash = d.full_match(text, _SLASH)
        for part in (1, 2):
            exprs.append((f"slash{part}|{column}|", f"{slash} AND {_field_over_12(text, part)}"))
    return exprs


def _unreadable(column: str, kind: str, d: Dialect = DUCKDB) -> str:
    """Whether a raw numeric value is present but cannot be read as a finite number."""
    return f"{_text(column, kind, d)} IS NOT NULL AND {_number_sql(column, kind, d)} IS NULL"


def _money_text(column: str, kind: str, d: Dialect = DUCKDB) -> str:
    """Whether a raw value is money written with symbols or separators (`MONEY_PATTERN`), not a plain number."""
    text = _text(column, kind, d)
    return f"{d.try_double(text)} IS NULL AND {d.full_match(text, MONEY_PATTERN)}"


def _unknown_timestamp(text: str, d: Dialect = DUCKDB) -> str:
    """Whether a timestamp text (`_text`) is present and in none of `TIMESTAMP_FORMATS`."""
    known = " OR ".join(d.full_match(text, f.pattern) for f in TIMESTAMP_FORMATS)
    return f"{text} IS NOT NULL AND NOT ({known})"


def _field_over_12(text: str, part: int) -> str:
    """Whether the ``part``-th field (1 or 2) of a slash date exceeds 12 (so it is the day), on either engine."""
    return f"TRY_CAST(split_part({text}, '/', {part}) AS INT) > 12"


def _count_rows(key: str, condition: str, raw_types: Mapping[str, str], d: Dialect = DUCKDB) -> str:
    """The aggregate counting the rows where a `_scan_conditions` condition holds. An unreadable number
    (``bad``: text present, number null) is counted as ``count(text) - count(number)``, the same count
    (a number is never read from a null text) without a FILTER over every row, which costs DuckDB more."""
    group, column, _ = key.split("|")
    if group == "bad":
        kind = raw_types[column]
        return f"(count({_text(column, kind, d)}) - count({_number_sql(column, kind, d)}))"
    return f"count(*) FILTER (WHERE {condition})"


#: The column of a distinct-values table (`_quality_scan` by value) holding each value's row count.
_ROWS = "x_costbook_rows"


def _by_value(column: str, kind: str) -> bool:
    """Whether `_quality_scan` counts a Parquet column over its distinct values: text read as text or as
    timestamps (names, ids, enumerations, timestamps: few distinct values per row), not text read as
    numbers (costs: nearly one distinct value per row)."""
    return kind == "VARCHAR" and focus.ALL_COLUMNS.get(column) in (focus.STRING, focus.TIMESTAMP) and column != "Tags"


def _temp_table(con, name: str, select: str) -> None:
    """A temporary table of ``select``'s rows on a DuckDB connection or `billing_sql.SparkSql`."""
    if getattr(con, "dialect", DUCKDB) is SPARK:
        con.temp_table(name, select)
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")


def _drop_table(con, name: str) -> None:
    if getattr(con, "dialect", DUCKDB) is SPARK:
        con.drop(name)
    else:
        con.execute(f"DROP TABLE {name}")


def _quality_scan(con, raw_types: Mapping[str, str], by_value: bool = False) -> dict:
    """Counts over the raw values: null tokens, timestamp formats, money text, unreadable numbers, and
    enumeration drift.

    Each count is `_scan_conditions`' condition counted over the rows. With ``by_value`` (every file is
    Parquet, which reads one column without the others), a text column (`_by_value`) is first grouped
    into its distinct values with their row counts, and each condition is summed over those: the same
    count (the conditions depend on the value alone), with the text functions (``trim``, ``upper``, the
    timestamp patterns) run once per distinct value instead of once per row. At 10M generated rows that
    was 26 s for the one pass over every row against about 6 s for the 40 GROUP BYs. The other columns
    (typed columns, text read as numbers, every CSV column: each scan of a CSV parses the whole file) are
    counted in one pass over the rows.

    ``con`` is a DuckDB connection, or `costlib.billing_sql.SparkSql` (its ``dialect``): the same counts
    written in Spark SQL and run by Spark over the view ``raw`` that `billing_sql.spark_raw_view` made.
    """
    d = getattr(con, "dialect", DUCKDB)
    grouped = {c: k for c, k in raw_types.items() if by_value and _by_value(c, k)}
    exprs = [e for c, k in raw_types.items() if c not in grouped for e in _scan_conditions(c, k, d)]
    values: list[tuple[str, Any]] = []
    if exprs:
        row = con.execute("SELECT " + ", ".join(_count_rows(key, e, raw_types, d) for key, e in exprs) + " FROM raw").fetchone()
        values += [(key, n) for (key, _), n in zip(exprs, row)]
    enum_rows: dict[str, list] = {}
    for column, kind in grouped.items():
        c = d.ident(column)
        _temp_table(con, "scan_values", f"SELECT {c}, count(*) AS {_ROWS} FROM raw GROUP BY {c}")
        conditions = _scan_conditions(column, kind, d)
        if conditions:
            row = con.execute("SELECT " + ", ".join(f"coalesce(sum({_ROWS}) FILTER (WHERE {e}), 0)" for _, e in conditions)
                              + " FROM scan_values").fetchone()
            values += [(key, n) for (key, _), n in zip(conditions, row)]
        if column in focus.ENUMERATIONS:
            value = _text(column, kind, d)
            enum_rows[column] = con.execute(f"SELECT {value} AS v, sum({_ROWS}) FROM scan_values WHERE {value} IS NOT "
                                            f"NULL GROUP BY 1").fetchall()
        _drop_table(con, "scan_values")
    out: dict = {"null": {}, "bad": {}, "money": {}, "ts": {}, "tsunknown": {}, "slash1": {}, "slash2": {},
                 "untrimmed": {}}
    order = {key: i for i, (key, _) in enumerate(e for c, k in raw_types.items() for e in _scan_conditions(c, k))}
    for key, value in sorted(values, key=lambda kv: order[kv[0]]):  # in column order, as one pass gives them
        group, column, token = key.split("|")
        if group == "null":
            out["null"].setdefault(column, {})[token] = int(value)
        elif group == "ts":
            if value:
                out["ts"].setdefault(column, {})[int(token)] = int(value)
        elif value:
            out[group][column] = int(value)
    # Enumerations: count each distinct raw spelling.
    drift: dict[str, dict[str, int]] = {}
    unknown: dict[str, dict[str, int]] = {}
    for column, allowed in focus.ENUMERATIONS.items():
        if column not in raw_types:
            continue
        if column in enum_rows:
            rows = enum_rows[column]
        else:
            value = _text(column, raw_types[column], d)
            rows = con.execute(f"SELECT {value} AS v, count(*) FROM raw WHERE {value} IS NOT NULL GROUP BY 1").fetchall()
        spelled = {a.lower(): a for a in allowed}
        for raw_value, n in sorted(rows, key=lambda r: str(r[0])):
            canonical = spelled.get(str(raw_value).lower())
            if canonical is None:
                unknown.setdefault(column, {})[str(raw_value)] = int(n)
            elif canonical != raw_value:
                drift.setdefault(column, {})[str(raw_value)] = int(n)
    out["drift"] = drift
    out["unknown"] = unknown
    return out


def timestamp_plan(con, raw_types: Mapping[str, str], scan: dict, where: str) -> dict[str, list[TimestampFormat]]:
    """Per timestamp column, the formats its values are written in (the day-first reading of a slash
    format when a first field exceeds 12 and no second field does).

    Raises
    ------
    BillingDataError
        A value in no known format (naming the column, the value with its file and row, and the formats
        read), or slash dates that read both ways in one column.
    """
    d = getattr(con, "dialect", DUCKDB)
    plan: dict[str, list[TimestampFormat]] = {}
    for column, kind in raw_types.items():
        if focus.ALL_COLUMNS.get(column) != focus.TIMESTAMP or kind != "VARCHAR":
            continue
        text = _text(column, kind, d)
        if scan["tsunknown"].get(column):
            (file, row, value), = _examples(con, _unknown_timestamp(text, d), text, limit=1)
            raise BillingDataError(f"{where}: {column} = {value!r} ({file} row {row}) is not a timestamp in a format "
                                   f"the reader knows ({scan['tsunknown'][column]:,} such values); formats read: "
                                   f"{FORMATS_READ}")
        day_first = bool(scan["slash1"].get(column))
        if day_first and scan["slash2"].get(column):
            first = _examples(con, _field_over_12(text, 1), text, limit=1)[0]
            second = _examples(con, _field_over_12(text, 2), text, limit=1)[0]
            raise BillingDataError(f"{where}: {column} has slash dates that read both ways: {first[2]!r} ({first[0]} "
                                   f"row {first[1]}) is day first, {second[2]!r} ({second[0]} row {second[1]}) is month "
                                   f"first; expected one order in a column")
        formats = []
        for i in sorted(scan["ts"].get(column, {})):
            formats.append(DAY_FIRST_FORMATS[i] if day_first and i in DAY_FIRST_FORMATS else TIMESTAMP_FORMATS[i])
        plan[column] = formats
    return plan


def _tag_counts(con) -> tuple[list[str], list[tuple], tuple[int, int, int]]:
    """Each distinct text of a text ``Tags`` column, its `parse_tags` result, and the rows with tags, with
    unparseable tags, and the valueless tags they carry (each text's parse weighted by its rows). On
    DuckDB or `billing_sql.SparkSql`: the distinct texts are few (bounded by the tag sets in the bill), so
    they are parsed once in Python, whichever engine counted them."""
    d = getattr(con, "dialect", DUCKDB)
    counted = con.execute(f"SELECT {d.cast_text('Tags')} AS t, count(*) FROM raw WHERE Tags IS NOT NULL "
                          f"GROUP BY 1").fetchall()
    texts = [t for t, _ in counted]
    parsed = [parse_tags(t) for t in texts]
    tag_rows = sum(n for (_, n), p in zip(counted, parsed) if p[0] is not None)
    bad_rows = sum(n for (_, n), p in zip(counted, parsed) if not p[2])
    valueless = sum(n * p[1] for (_, n), p in zip(counted, parsed))
    return texts, parsed, (int(tag_rows), int(bad_rows), int(valueless))


def _parse_distinct_tags(con, raw_types: Mapping[str, str]) -> dict:
    """Parse each distinct Tags text once and register the result as the table ``tags_parsed``.

    The counts (rows with tags, rows with unparseable tags, valueless tags) are the distinct texts'
    parses weighted by their row counts (one GROUP BY, no join over the rows); only when some text is
    unparseable are the rows scanned again, for the first examples. On DuckDB or `billing_sql.SparkSql`:
    the parsed texts are an Arrow table registered on either (bounded by the distinct tag sets). Tags
    that are a map already (Parquet) are taken as they are: every non-null map is a row with tags, none
    is unparseable or valueless, and there is no ``tags_parsed`` (the canonical column is ``raw.Tags``).
    """
    import pyarrow as pa

    if "Tags" not in raw_types:
        return {"tag_rows": 0, "unparseable_rows": 0, "examples": [], "valueless": 0}
    d = getattr(con, "dialect", DUCKDB)
    join = f"FROM raw JOIN tags_parsed ON {d.cast_text('raw.Tags')} = {d.cast_text('tags_parsed.raw_tags')}"
    if raw_types["Tags"].startswith("MAP"):
        (tag_rows,), bad_rows, valueless = con.execute("SELECT count(Tags) FROM raw").fetchone(), 0, 0
    else:
        texts, parsed, (tag_rows, bad_rows, valueless) = _tag_counts(con)
        table = pa.table({
            "raw_tags": pa.array(texts, pa.string()),
            "parsed_map": pa.array([None if p[0] is None else list(p[0].items()) for p in parsed],
                             pa.map_(pa.string(), pa.string())),
            "valid": pa.array([p[2] for p in parsed], pa.bool_()),
            "valueless": pa.array([p[1] for p in parsed], pa.int64()),
        })
        con.register("tags_parsed_arrow", table)
        _temp_table(con, "tags_parsed", "SELECT * FROM tags_parsed_arrow")
        con.unregister("tags_parsed_arrow")
    examples = con.execute(
        f"SELECT x_SourceFile, x_SourceRow {join} WHERE NOT valid ORDER BY 1, 2 LIMIT 5").fetchall() if bad_rows else []
    return {"tag_rows": int(tag_rows), "unparseable_rows": int(bad_rows), "valueless": int(valueless),
            "examples": [f"{Path(f).name} row {r}" for f, r in examples]}


def _currency_totals(con, raw_types) -> pd.DataFrame:
    """Rows, billed and effective cost per BillingCurrency as read (null: ``(none)``), in currency order,
    on DuckDB or `billing_sql.SparkSql`.

    Summed per raw value first, then per value as read (trimmed, null tokens as null), so the text
    functions run once per distinct raw spelling, not once per row."""
    d = getattr(con, "dialect", DUCKDB)
    billed = _number_sql("BilledCost", raw_types["BilledCost"], d)
    effective = _number_sql("EffectiveCost", raw_types["EffectiveCost"], d)
    currency = _text("BillingCurrency", raw_types["BillingCurrency"], d)
    raw = d.ident("BillingCurrency")
    rows = con.execute(
        f"SELECT coalesce({currency}, '(none)') AS currency, CAST(sum(n) AS BIGINT) AS rows, "
        f"coalesce(sum(b), 0) AS billed_cost, coalesce(sum(e), 0) AS effective_cost "
        f"FROM (SELECT {raw}, count(*) AS n, sum({billed}) AS b, sum({effective}) AS e FROM raw GROUP BY {raw}) "
        f"AS per_value GROUP BY 1 ORDER BY 1").fetchall()
    frame = pd.DataFrame(rows, columns=["currency", "rows", "billed_cost", "effective_cost"])
    return frame.astype({"rows": "int64", "billed_cost": "float64", "effective_cost": "float64"})


def _where(files: list[Path]) -> str:
    return files[0].name if len(files) == 1 else f"{len(files)} files under {os.path.commonpath(files)}"


def check_files_readable(files: Iterable[Path]) -> None:
    """Refuse, in one line naming the file, an empty file, a truncated or corrupt gzip file, or a Parquet
    file whose footer cannot be read, before any SQL runs.

    Notes
    -----
    A gzip stream ends with a trailer (CRC-32 and length, RFC 1952 section 2.3); a download cut short has
    none, and Python's `gzip` raises EOFError when it reaches the end of the bytes first. A Parquet file
    starts and ends with ``PAR1`` around a footer that `pyarrow.parquet.read_metadata` parses.

    Raises
    ------
    BillingDataError
    """
    import gzip
    import zlib

    import pyarrow.parquet as pq

    for f in files:
        f = Path(f)
        if f.stat().st_size == 0:
            raise BillingDataError(f"{f}: the file is empty (expected a FOCUS header and billing rows)")
        if f.name.lower().endswith(".gz"):
            try:
                with gzip.open(f, "rb") as handle:
                    while handle.read(1 << 24):
                        pass
            except EOFError:
                raise BillingDataError(f"{f}: truncated gzip file: the compressed data ends before the gzip "
                                       f"stream does (the export or download was cut off); fetch it again") from None
            except (OSError, zlib.error) as exc:
                raise BillingDataError(f"{f}: not a readable gzip file ({str(exc).splitlines()[0]}); fetch it "
                                       f"again") from None
        elif _kind(f) == "parquet":
            try:
                pq.read_metadata(f)
            except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and more
                raise BillingDataError(f"{f}: not a readable Parquet file ({str(exc).splitlines()[0]}); export "
                                       f"it again") from None


def _row_findings(con, raw_types: Mapping[str, str], scan: dict, plan: dict, keep_currency: str) -> dict:
    """Findings over the rows of the chosen currency: dates out of range, money text, unreadable numbers,
    rows left out for an unreadable or null required cost, exact duplicates. On DuckDB or
    `billing_sql.SparkSql` (every condition rendered by ``con.dialect``; only counts and at most five
    examples each come back)."""
    d = getattr(con, "dialect", DUCKDB)
    today = pd.Timestamp.now(tz="UTC").normalize()
    low = pd.Timestamp(year=EARLIEST_YEAR, month=1, day=1, tz="UTC")
    high = today + pd.DateOffset(years=LATEST_YEARS_AHEAD)
    span = f"{low.date()}..{high.date()}"
    out: dict = {"dates": {}, "money": {}, "bad_examples": {}}
    cur = keep_currency
    stamps = [c for c, kind in raw_types.items() if focus.ALL_COLUMNS.get(c) == focus.TIMESTAMP]
    for column in stamps:  # text columns with the formats found, typed (Parquet) columns as they are
        value = _timestamp_sql(column, raw_types[column], plan.get(column, ()), d)
        condition = f"{value} < {d.timestamp_literal(low)} OR {value} > {d.timestamp_literal(high)}"
        n = con.execute(f"SELECT count(*) FROM raw WHERE ({condition}) AND {cur}").fetchone()[0]
        if n:
            text = d.trim(d.as_text(d.ident(column), raw_types[column]))
            shown = d.concat(text, d.literal(" (read as "), d.cast_text(f"CAST({value} AS DATE)"), d.literal(")"))
            file, row, example = _examples(con, condition, shown, cur, limit=1)[0]
            out["dates"][column] = {"rows": int(n), "range": span, "example": example, "where": f"{file} row {row}"}
    for column in scan["money"]:
        text = _text(column, raw_types[column], d)
        condition = _money_text(column, raw_types[column], d)
        found = _examples(con, condition, text, cur)
        n = con.execute(f"SELECT count(*) FROM raw WHERE ({condition}) AND {cur}").fetchone()[0]
        if n:
            out["money"][column] = {"rows": int(n), "example": found[0][2],
                                    "where": [f"{f} row {r}" for f, r, _ in found] + (["..."] if n > len(found) else [])}
    for column in scan["bad"]:
        kind = raw_types[column]
        found = _examples(con, _unreadable(column, kind, d), d.as_text(_text(column, kind, d), kind), cur)
        out["bad_examples"][column] = [f"{f} row {r}: {v!r}" for f, r, v in found]
    billed = _number_sql("BilledCost", raw_types["BilledCost"], d)
    effective = _number_sql("EffectiveCost", raw_types["EffectiveCost"], d)
    excluded = " OR ".join(f"{_number_sql(c, raw_types[c], d)} IS NULL" for c in REQUIRED_COST_COLUMNS)
    rows, billed_known, effective_known = con.execute(
        f"SELECT count(*), coalesce(sum({billed}), 0), coalesce(sum({effective}), 0) FROM raw "
        f"WHERE ({excluded}) AND {cur}").fetchone()
    examples: list[str] = []
    for column in REQUIRED_COST_COLUMNS:
        kind = raw_types[column]
        text = d.as_text(_text(column, kind, d), kind)
        for f, r, v in _examples(con, f"{_number_sql(column, kind, d)} IS NULL", f"coalesce({text}, 'null')",
                                 cur, limit=5 - len(examples)):
            examples.append(f"{f} row {r}: {column} = {v!r}")
        if len(examples) >= 5:
            break
    out["excluded"] = {"rows": int(rows), "billed_cost_known": float(billed_known),
                       "effective_cost_known": float(effective_known), "examples": examples}
    out["keep"] = f"NOT ({excluded})"
    out["duplicates"] = _duplicates(con, raw_types, f"{cur} AND {out['keep']}")
    return out


def _duplicates(con, raw_types: Mapping[str, str], where: str = "true") -> dict:
    """Exact duplicate rows among the raw rows where ``where`` holds: the copies (rows beyond the first of
    each set of equal rows), the distinct rows repeated, and the billed and effective cost of the copies.
    On DuckDB or `billing_sql.SparkSql` (``con.dialect``)."""
    d = getattr(con, "dialect", DUCKDB)
    billed = _number_sql("BilledCost", raw_types["BilledCost"], d)
    effective = _number_sql("EffectiveCost", raw_types["EffectiveCost"], d)
    copies, distinct, billed_dup, effective_dup = con.execute(
        f"SELECT coalesce(sum(n - 1), 0), count(*) FILTER (WHERE n > 1), coalesce(sum((n - 1) * b), 0), "
        f"coalesce(sum((n - 1) * e), 0) FROM (SELECT {_row_hash(raw_types, d)} AS h, count(*) AS n, min({billed}) AS b, "
        f"min({effective}) AS e FROM raw WHERE {where} GROUP BY h)").fetchone()
    return {"rows": int(copies), "distinct": int(distinct), "billed_cost": float(billed_dup),
            "effective_cost": float(effective_dup)}


def _row_hash(raw_types: Mapping[str, str], d: Dialect = DUCKDB) -> str:
    """SQL for a hash of a raw row's values (every column but the source file and row): equal for rows
    whose values are all equal, as their text is (`_row_findings`' exact duplicates).

    The typed values are hashed as they are (DuckDB's ``hash`` takes any types): casting every column to
    text first cost 25 s at 10M rows, hashing the values 6 s. Text equality and value equality agree but
    for the sign of a floating-point zero or NaN (``-0.0`` and ``0.0`` are equal values, distinct texts),
    so a floating-point column adds its sign bit.

    On Spark (``d``), ``xxhash64`` (64 bits, as DuckDB's ``hash``; Spark's ``hash`` has 32, so 10M rows
    would collide thousands of times). It skips a null argument, so ``(null, 'x')`` and ``('x', null)``
    would hash alike: each column adds whether it is null. Spark has no ``signbit``: a zero adds its text
    (``-0.0`` or ``0.0``); Spark keeps one NaN, so the sign of a NaN is not told apart there.

    Examples
    --------
    >>> _row_hash({"BilledCost": "DOUBLE", "ServiceName": "VARCHAR", "x_SourceRow": "BIGINT"})
    'hash("BilledCost", signbit("BilledCost"), "ServiceName")'
    """
    parts = []
    for column, kind in raw_types.items():
        if column in Q.SOURCE_COLUMNS:
            continue
        c = d.ident(column)
        if d is SPARK:
            parts += [c, f"isnull({c})"]
            if kind in ("DOUBLE", "FLOAT"):
                parts.append(f"CASE WHEN {c} = 0 THEN CAST({c} AS STRING) END")
            continue
        parts.append(c)
        if kind in ("DOUBLE", "FLOAT"):
            parts.append(f"signbit({c})")
    return f"{'xxhash64' if d is SPARK else 'hash'}({', '.join(parts)})"


def normalise(files: list[Path], target: Path, currency: str | None = None, in_place: bool = True,
              engine: str = "duckdb", spark_master: str | None = None) -> dict:
    """Read ``files``, check them, and write the canonical Parquet data ``target`` (or, for clean Parquet
    with ``in_place`` on DuckDB, the view `IN_PLACE_VIEW` beside it: `clean_parquet_select`).

    Every step is SQL over the raw relation (set-based, no loop over rows in Python), written once and
    rendered for the engine (`costlib.billing_sql.Dialect`): null tokens (`NULL_TOKENS`, any case),
    numbers and money (`MONEY_PATTERN`), timestamps per column (`timestamp_plan` over
    `TIMESTAMP_FORMATS`), enumeration spelling, and the row findings (`DataQuality`). Only bounded
    results come back to Python: counts, each distinct Tags text (parsed here, `parse_tags`), and at most
    five example rows per finding.

    Parameters
    ----------
    files : list of Path
        The billing files (`resolve_files`).
    target : Path
        The canonical data to write (``<cache entry>/focus.parquet``).
    currency : str, optional
        The one BillingCurrency to keep (the scenario's ``billing_currency``).
    in_place : bool
        On DuckDB, record clean Parquet as a view over the source files instead of rewriting it.
    engine : {"duckdb", "spark"}
        Who reads and checks the files. ``"duckdb"``: an in-process DuckDB connection reads them and
        writes ``target`` as one Parquet file. ``"spark"``: a Spark session (`spark_session` at
        ``spark_master``) reads them with its own readers (`billing_sql.spark_raw_view`), runs the same
        checks in Spark SQL, and writes ``target`` itself as a Parquet folder (part files and
        ``_SUCCESS``; written beside it, then renamed into place), always rewritten, never a view. DuckDB
        is not used. Either engine's canonical data has the same columns and types (timestamps UTC, Tags
        ``MAP(VARCHAR, VARCHAR)``, x_SourceRow BIGINT, costs DOUBLE) and is read by either engine later.
    spark_master : str, optional
        The Spark master URL with ``engine="spark"`` (default ``$COSTBOOK_SPARK_MASTER`` or ``local[2]``).

    Returns
    -------
    dict
        The parts of the data-quality record found in the raw text (the invariants are checked on the
        canonical data by `open_billing`): equal on both engines.

    Raises
    ------
    BillingDataError
        An empty, truncated or corrupt file; missing Mandatory columns; no rows; a timestamp column in no
        known format; BillingCurrency null on every row without ``currency``; mixed currencies without
        ``currency``. The same message on either engine.
    """
    where = _where(files)
    check_files_readable(files)
    if engine == "spark":
        return _normalise_on_spark(files, where, Path(target), currency, spark_master)
    import duckdb

    con = _connect_duckdb(Path(target).parent.parent)
    try:
        con.execute(f"CREATE TEMP VIEW raw AS {_raw_relation(files)}")
        raw_types = _raw_types(con, "raw")
    except duckdb.Error as exc:
        con.close()
        raise BillingDataError(f"{where}: cannot be read as CSV or Parquet: {_first_line(exc)}") from None
    try:
        columns, version = _checked_columns(where, raw_types)
        return _normalise(con, files, where, raw_types, columns, version, target, currency, in_place)
    except duckdb.Error as exc:
        raise BillingDataError(f"{where}: cannot be read: {_first_line(exc)}") from None
    finally:
        con.close()


def _checked_columns(where: str, raw_types: Mapping[str, str]) -> tuple[list[str], str]:
    """The raw columns (without the source columns) and the FOCUS version they make; missing Mandatory
    columns refuse the files."""
    columns = [c for c in raw_types if c not in Q.SOURCE_COLUMNS]
    missing = focus.missing_mandatory(columns)
    version = focus.detect_version(columns)
    if missing:
        raise BillingDataError(f"{where}: missing mandatory FOCUS {version} columns: {', '.join(missing)}")
    return columns, version


def _spark_errors() -> tuple[type[BaseException], ...]:
    """What Spark raises for data it cannot read (an analysis or a task error), as one tuple."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    return PySparkException, Py4JJavaError


def _normalise_on_spark(files: list[Path], where: str, target: Path, currency: str | None,
                        spark_master: str | None) -> dict:
    """`normalise` on Spark: the files read by Spark's readers as the view ``raw``, then `_normalise` with
    `billing_sql.SparkSql` as the connection (every statement rendered in Spark SQL)."""
    from costlib import billing_sql

    session = spark_session(spark_master)
    con = billing_sql.SparkSql(session)
    errors = _spark_errors()
    try:
        try:
            raw_types = billing_sql.spark_raw_view(session, files, _kind)
        except errors as exc:
            raise BillingDataError(f"{where}: cannot be read as CSV or Parquet: {_first_line(exc)}") from None
        columns, version = _checked_columns(where, raw_types)
        try:
            return _normalise(con, files, where, raw_types, columns, version, target, currency, in_place=False)
        except errors as exc:
            raise BillingDataError(f"{where}: cannot be read: {_first_line(exc)}") from None
    finally:
        con.drop_all()


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _normalise(con, files, where, raw_types, columns, version, target, currency, in_place=True) -> dict:
    d = getattr(con, "dialect", DUCKDB)
    rows_read = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if rows_read == 0:
        raise BillingDataError(f"{where}: no billing rows (the file has a header only)")
    by_currency = _currency_totals(con, raw_types)
    currencies = list(by_currency["currency"])
    assumed = currencies == ["(none)"]
    if assumed and currency is None:
        raise BillingDataError(f"{where}: BillingCurrency is null on every row ({rows_read:,} rows): the currency "
                               f"of the costs is unknown; name it (billing_currency: USD)")
    if currency is None and len(currencies) > 1:
        listed = "; ".join(f"{r.currency}: {r.rows:,} rows, billed {r.billed_cost:,.2f}"
                           for r in by_currency.itertuples())
        raise BillingDataError(f"{where}: mixed BillingCurrency ({listed}): name the one to analyse "
                               f"(billing_currency: {currencies[0]})")
    chosen = currency or currencies[0]
    if chosen not in currencies and not assumed:
        raise BillingDataError(f"{where}: billing_currency = {chosen!r} does not occur; the data has "
                               f"{', '.join(currencies)}")
    excluded = {r.currency: {"rows": int(r.rows), "billed_cost": float(r.billed_cost),
                             "effective_cost": float(r.effective_cost)}
                for r in by_currency.itertuples() if r.currency != chosen and not assumed}
    currency_sql = _text("BillingCurrency", raw_types["BillingCurrency"], d)
    keep_currency = f"coalesce({currency_sql}, '(none)') = {d.literal(chosen)}" if excluded else "true"
    scan = _quality_scan(con, raw_types, by_value=all(_kind(Path(f)) == "parquet" for f in files))
    plan = timestamp_plan(con, raw_types, scan, where)
    found = _row_findings(con, raw_types, scan, plan, keep_currency)
    tags = _parse_distinct_tags(con, raw_types)
    select = [_column_sql(c, kind, raw_types, plan, d, scan) for c, kind in focus.ALL_COLUMNS.items()]
    if assumed:
        select[list(focus.ALL_COLUMNS).index("BillingCurrency")] = f"{d.literal(chosen)} AS BillingCurrency"
    select += [f"raw.{d.ident(c)}" for c in focus.custom_columns(columns)]
    select += ["raw.x_SourceFile", "CAST(raw.x_SourceRow AS BIGINT) AS x_SourceRow"]
    join = (f"LEFT JOIN tags_parsed ON {d.cast_text('raw.Tags')} = {d.cast_text('tags_parsed.raw_tags')}"
            if "Tags" in raw_types and not raw_types["Tags"].startswith("MAP") else "")
    target.parent.mkdir(parents=True, exist_ok=True)
    clean = (clean_parquet_select(files, raw_types, scan, plan)
             if in_place and not excluded and not assumed and not found["excluded"]["rows"] else None)
    if clean is not None:
        _write_view(con, target, files, clean, tags="Tags" in raw_types and raw_types["Tags"] == "VARCHAR")
    else:
        _write_canonical(con, target, f"SELECT {', '.join(select)} FROM raw {join} "
                                      f"WHERE {keep_currency} AND {found['keep']}")
    formats = {column: {f.label: scan["ts"][column][TIMESTAMP_FORMATS.index(base)]
                        for f, base in zip(fs, [TIMESTAMP_FORMATS[i] for i in sorted(scan["ts"][column])])}
               for column, fs in plan.items() if fs}
    return {
        "version": version,
        "rows_read": int(rows_read),
        "currency": chosen,
        "currencies_excluded": excluded,
        "currency_assumed": assumed,
        "columns_unknown": focus.unknown_columns(columns),
        "columns_custom": focus.custom_columns(columns),
        "columns_absent": [c for c in focus.columns_of(version) if c not in columns],
        "null_tokens": scan["null"],
        "timestamp_formats": formats,
        "dates_out_of_range": found["dates"],
        "money_text": found["money"],
        "unparseable_values": {c: n for c, n in scan["bad"].items() if c not in REQUIRED_COST_COLUMNS},
        "unparseable_examples": {c: e for c, e in found["bad_examples"].items() if c not in REQUIRED_COST_COLUMNS},
        "rows_excluded": found["excluded"],
        "duplicates": found["duplicates"],
        "enum_case_drift": scan["drift"],
        "enum_unknown": scan["unknown"],
        "tag_rows": tags["tag_rows"],
        "tag_rows_unparseable": tags["unparseable_rows"],
        "tag_examples_unparseable": tags["examples"],
        "tags_valueless": tags["valueless"],
    }


def _write_canonical(con, target: Path, select: str, keep_view: bool = False) -> None:
    """Write the rows of ``select`` as the canonical data ``target``, replacing what was there in one
    rename (a reader sees the old data or the new, never half): on DuckDB one Parquet file (``COPY``), on
    `billing_sql.SparkSql` a Parquet folder written by Spark's tasks in parallel (timestamps as
    microseconds adjusted to UTC, which DuckDB reads as TIMESTAMP WITH TIME ZONE; Spark's default INT96
    would read as a timestamp without a zone). Any view record of the entry is then removed, unless
    ``keep_view`` (`canonical_file`: a file written from the view, for an engine that needs one)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    if getattr(con, "dialect", DUCKDB) is SPARK:
        _remove_path(tmp)
        con.session.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        con.session.sql(select).write.option("compression", "zstd").parquet(str(tmp))
    else:
        con.execute(f"COPY ({select}) TO {_sql_str(str(tmp))} "
                    f"(FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 262144)")
    _replace_path(tmp, target)
    if not keep_view:
        (target.parent / IN_PLACE_VIEW).unlink(missing_ok=True)


def _remove_path(path: Path) -> None:
    """Remove a file or a folder (canonical data of either engine), if there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _replace_path(new: Path, target: Path) -> None:
    """Put ``new`` (a file or a folder) at ``target``: one atomic rename where the system allows it (a file
    over a file, a folder where nothing is); else the old data is renamed aside first, then removed."""
    if target.exists() and (target.is_dir() or new.is_dir()):
        old = target.with_name(f".{target.name}.{os.getpid()}.old")
        _remove_path(old)
        os.replace(target, old)
        os.replace(new, target)
        _remove_path(old)
    else:
        os.replace(new, target)


def parquet_parts(canonical: Path) -> list[Path]:
    """The Parquet files of canonical data: the file itself, or the part files of a folder Spark wrote.

    Raises
    ------
    FileNotFoundError
        No such data, or a folder without Spark's ``_SUCCESS`` mark (a write that did not finish) or
        without a part file.

    Examples
    --------
    >>> parquet_parts(Path("/nowhere/focus.parquet"))
    Traceback (most recent call last):
    ...
    FileNotFoundError: /nowhere/focus.parquet: no canonical data
    """
    canonical = Path(canonical)
    if canonical.is_file():
        return [canonical]
    if not canonical.is_dir():
        raise FileNotFoundError(f"{canonical}: no canonical data")
    parts = sorted(canonical.glob("*.parquet"))
    if not (canonical / "_SUCCESS").is_file() or not parts:
        raise FileNotFoundError(f"{canonical}: a Parquet folder without _SUCCESS or part files (a write that "
                                "did not finish)")
    return parts


# ---------------------------------------------------------------------------------------------------
# Clean Parquet queried in place

#: The cache entry's record of a canonical table that is a view over the source files (``focus.parquet``
#: is then written only when an engine needs a file: `canonical_file`).
IN_PLACE_VIEW = "view.json"
#: Beside it, each distinct Tags text with its parsed map (a table bounded by the distinct tag sets).
IN_PLACE_TAGS = "tags.parquet"
_DUCKDB_TYPES = {focus.DECIMAL: ("DOUBLE",), focus.STRING: ("VARCHAR",),
                 focus.TIMESTAMP: ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP")}


def clean_parquet_select(files: list[Path], raw_types: Mapping[str, str], scan: dict,
                         plan: Mapping[str, list[TimestampFormat]]) -> list[str] | None:
    """The canonical columns as plain expressions over clean Parquet files, or None when they need repair.

    Clean: every file is Parquet; every FOCUS column present is already its FOCUS type (numbers DOUBLE,
    text VARCHAR, timestamps TIMESTAMP [WITH TIME ZONE], Tags JSON text or a MAP); no number is NaN or
    infinite; no text is a null token, blank, or padded with spaces; no enumeration is spelled in another
    case. Then the normaliser's per-column expressions reduce to the column itself (a timestamp cast to
    UTC, Tags looked up in `IN_PLACE_TAGS`), and a view costs a query no more than the rewritten file did;
    the caller also requires that no row is left out (one currency, every required cost readable).

    Examples
    --------
    >>> clean_parquet_select([Path("b.csv")], {}, {}, {}) is None
    True
    """
    if any(_kind(Path(f)) != "parquet" for f in files):
        return None
    select = []
    for column, kind in focus.ALL_COLUMNS.items():
        raw = raw_types.get(column)
        if column == "Tags" and raw is not None:
            if raw not in ("VARCHAR", "MAP(VARCHAR, VARCHAR)"):
                return None
            select.append("tags_parsed.parsed_map AS Tags" if raw == "VARCHAR" else "raw.Tags AS Tags")
            continue
        if raw is None:
            select.append(_column_sql(column, kind, raw_types, plan))
            continue
        if raw not in _DUCKDB_TYPES[kind]:
            return None
        if (scan["bad"].get(column) or scan["untrimmed"].get(column) or any(scan["null"].get(column, {}).values())
                or column in scan["drift"]):
            return None
        select.append(f"CAST(raw.{_ident(column)} AS TIMESTAMPTZ) AS {_ident(column)}" if kind == focus.TIMESTAMP
                      else f"raw.{_ident(column)}")
    columns = [c for c in raw_types if c not in Q.SOURCE_COLUMNS]
    select += [f"raw.{_ident(c)}" for c in focus.custom_columns(columns)]
    return select + ["raw.x_SourceFile", "CAST(raw.x_SourceRow AS BIGINT) AS x_SourceRow"]


def _write_view(con, target: Path, files: list[Path], select: list[str], tags: bool) -> None:
    folder = target.parent
    if tags:  # the parsed distinct Tags texts (`_parse_distinct_tags` registered them)
        tmp = folder / f".{IN_PLACE_TAGS}.{os.getpid()}.tmp"
        con.execute(f"COPY (SELECT raw_tags, parsed_map FROM tags_parsed) TO {_sql_str(str(tmp))} (FORMAT PARQUET)")
        os.replace(tmp, folder / IN_PLACE_TAGS)
    _remove_path(target)  # canonical data from an earlier normaliser run would now be stale
    _atomic_text(folder / IN_PLACE_VIEW, json.dumps({"select": select, "tags": tags,
                                                     "files": [str(f) for f in files]}))


def _view_record(folder: Path) -> dict | None:
    path = folder / IN_PLACE_VIEW
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def canonical_relation(canonical: Path, tag_columns: bool = True, tags: bool = True) -> str:
    """SQL for the canonical table of a cache entry: its Parquet file, the part files of the Parquet
    folder Spark wrote, or the view over clean source files.

    The view also carries a `billing_queries.TAG_COLUMN_PREFIX` column per tag key (`_tag_column_keys`) for
    the queries; ``tag_columns=False`` leaves them out (the canonical columns alone, as a file is written).
    ``tags=False``: every column but ``Tags`` (`billing_queries.UNTAGGED_TABLE_NAME`; the view then has no
    join to the parsed tags).

    Examples
    --------
    >>> canonical_relation(Path("/nowhere/focus.parquet"))
    "read_parquet('/nowhere/focus.parquet')"
    """
    view = _view_record(Path(canonical).parent)
    if view is None:
        whole = (f"read_parquet({_sql_str(str(Path(canonical) / '*.parquet'))})" if Path(canonical).is_dir()
                 else f"read_parquet({_sql_str(str(canonical))})")
        return whole if tags else f"(SELECT * EXCLUDE (Tags) FROM {whole})"
    select, join = list(view["select"]), ""
    if not tags:
        select = [c for c in select if not c.endswith(" AS Tags")]
    elif view["tags"]:
        parsed = Path(canonical).parent / IN_PLACE_TAGS
        keys = _tag_column_keys(parsed, view["select"]) if tag_columns else []
        columns = {_ident(Q.TAG_COLUMN_PREFIX + k): f"LIST_EXTRACT(ELEMENT_AT(parsed_map, {_sql_str(k)}), 1)" for k in keys}
        looked_up = ["raw_tags", "parsed_map", *(f"{value} AS {name}" for name, value in columns.items())]
        join = (f" LEFT JOIN (SELECT {', '.join(looked_up)} FROM read_parquet({_sql_str(str(parsed))})) AS tags_parsed "
                f"ON raw.Tags = tags_parsed.raw_tags")
        select += [f"tags_parsed.{name}" for name in columns]
    return f"(SELECT {', '.join(select)} FROM ({_raw_relation([Path(f) for f in view['files']])}) AS raw{join})"


#: At most this many tag keys get their own column in the in-place view (`_tag_column_keys`).
MAX_TAG_COLUMNS = 256


def _tag_column_keys(tags: Path, select: Sequence[str]) -> list[str]:
    """The tag keys of an in-place view's parsed Tags (`IN_PLACE_TAGS`: one row per distinct Tags text) that
    get a `billing_queries.TAG_COLUMN_PREFIX` column: every key, sorted, unless there are more than
    `MAX_TAG_COLUMNS` (then none: `billing_queries.tag_value` looks keys up in the map), leaving out a key
    whose column name the source already uses.

    Each key is looked up once per distinct Tags text instead of once per row; the value is the same
    (``Tags[key]``, null where the row lacks the key), so only the speed of a tag query changes.
    """
    import pyarrow.parquet as pq

    keys = set()
    for entries in pq.read_table(tags, columns=["parsed_map"]).column("parsed_map").to_pylist():
        keys.update(k for k, _ in entries or ())
    if len(keys) > MAX_TAG_COLUMNS:
        return []
    taken = {c.rsplit(" AS ", 1)[-1].rsplit(".", 1)[-1].strip('"') for c in select}
    return sorted(k for k in keys if Q.TAG_COLUMN_PREFIX + k not in taken)


def canonical_file(canonical: Path) -> Path:
    """The canonical Parquet data (a file, or the folder Spark wrote), written from the view first when
    the entry is one (Spark reads a file)."""
    canonical = Path(canonical)
    if not canonical.exists() and _view_record(canonical.parent) is not None:
        con = _connect_duckdb(canonical.parent.parent)
        try:
            _write_canonical(con, canonical, f"SELECT * FROM {canonical_relation(canonical, tag_columns=False)}",
                             keep_view=True)
        finally:
            con.close()
    return canonical


def _entry_readable(folder: Path) -> None:
    """Raise when the entry's canonical table cannot be read (no valid Parquet footer, a corrupt view record)."""
    import pyarrow.parquet as pq

    view = _view_record(folder)
    if view is None:
        for part in parquet_parts(folder / "focus.parquet"):
            pq.read_metadata(part)  # a truncated or overwritten file has no valid footer
    else:
        if not isinstance(view, dict) or not isinstance(view.get("select"), list):
            raise ValueError(f"{IN_PLACE_VIEW} is not a view record")
        if view["tags"]:
            pq.read_metadata(folder / IN_PLACE_TAGS)


def _refresh_view(folder: Path, files: list[Path]) -> None:
    """Point an entry's view at the files as found now (the same bytes may have moved)."""
    try:
        view = _view_record(folder)
        if isinstance(view, dict) and view.get("files") != [str(f) for f in files]:
            _atomic_text(folder / IN_PLACE_VIEW, json.dumps({**view, "files": [str(f) for f in files]}))
    except (OSError, ValueError):  # a corrupt record: `_cached_quality` says so and the entry is rebuilt
        pass


# ---------------------------------------------------------------------------------------------------
# Backends


def duckdb_backend(canonical: Path):
    """An Ibis DuckDB backend (in-process) with the canonical file as the table ``focus``."""
    import ibis

    con = ibis.duckdb.connect()
    for statement in duckdb_settings(Path(canonical).parent.parent):
        con.raw_sql(statement)
    con.raw_sql(f"CREATE OR REPLACE VIEW {Q.TABLE_NAME} AS SELECT * FROM {canonical_relation(canonical)}")
    con.raw_sql(f"CREATE OR REPLACE VIEW {Q.UNTAGGED_TABLE_NAME} AS SELECT * FROM "
                f"{canonical_relation(canonical, tags=False)}")
    return con


def spark_session(master: str | None = None):
    """A local Spark session for billing queries (``$COSTBOOK_SPARK_MASTER``, default ``local[2]``).

    UTC session time zone, 8 shuffle partitions, no UI or progress bars, timestamps written to Parquet as microseconds
    adjusted to UTC (what DuckDB writes, and reads as TIMESTAMP WITH TIME ZONE), and driver memory from
    ``$COSTBOOK_SPARK_DRIVER_MEMORY`` (default 4g). Needs Java 17 and the ``spark`` extra
    (``pip install -e '.[spark]'``).
    """
    from pyspark.sql import SparkSession

    return (SparkSession.builder
            .master(master or os.environ.get("COSTBOOK_SPARK_MASTER", "local[2]"))
            .appName("costbook")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", os.environ.get("COSTBOOK_SPARK_DRIVER_MEMORY", "4g"))
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
            .getOrCreate())


def spark_backend(canonical: Path, session=None):
    """An Ibis PySpark backend with the canonical file registered as the temporary view ``focus``."""
    import ibis

    session = session or spark_session()
    session.read.parquet(str(canonical_file(canonical))).createOrReplaceTempView(Q.TABLE_NAME)
    return ibis.pyspark.connect(session)


# ---------------------------------------------------------------------------------------------------
# The opened data


def _sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a stable order (by every non-float column, then every column): backends differ in order."""
    if frame.empty:
        return frame.reset_index(drop=True)
    keys = [c for c in frame.columns if frame[c].dtype.kind not in "fc"] or list(frame.columns)
    return frame.sort_values(keys, na_position="first", kind="mergesort").reset_index(drop=True)


class BillingData:
    """FOCUS billing data opened by `open_billing`: the canonical table, its quality record, provenance.

    Attributes
    ----------
    canonical : Path
        The canonical Parquet file.
    quality : DataQuality
        What was found while reading and checking.
    provenance : dict
        ``files`` (path, bytes, sha256 each) and ``manifest_sha256``.
    backend
        The Ibis backend that runs queries (in-process DuckDB unless another was given).
    pulls : list of (str, int)
        Every frame `query` brought into pandas, in order: the query's name and the frame's rows (from the
        result cache or the engine alike), so a caller can check that no pull grows with the bill
        (`max_pull_rows`).
    """

    def __init__(self, canonical: Path | None, quality: DataQuality, key: str, backend=None, cache: bool = True,
                 engine: str = "duckdb", table: str = Q.TABLE_NAME, custom: dict[str, str] | None = None):
        self.canonical = canonical
        self.quality = quality
        self.key = key
        self._backend = backend
        self._own_backend = backend is None and canonical is not None  # `duckdb_backend`, made on first use
        self._cache = cache and canonical is not None
        self.engine = engine
        self.table = table
        if custom is not None:  # a table's own x_ columns (no canonical file to read them from)
            self.__dict__["_x_columns"] = custom
        self.pulls: list[tuple[str, int]] = []

    @property
    def max_pull_rows(self) -> int:
        """The rows of the largest frame `query` has pulled into pandas so far (0 before any)."""
        return max((rows for _, rows in self.pulls), default=0)

    @property
    def custom_columns(self) -> dict[str, str]:
        """The ``x_`` columns of the canonical file with their Ibis types (read once from its footer)."""
        return {c: t for c, t in self._x_columns.items() if not c.startswith(Q.TAG_COLUMN_PREFIX)}

    @property
    def tag_columns(self) -> dict[str, str]:
        """The canonical view's per-key tag columns (`canonical_relation`), which `billing_queries.tag_value`
        reads instead of looking a key up in every row's map; none for a canonical file or a table."""
        return {c: t for c, t in self._x_columns.items() if c.startswith(Q.TAG_COLUMN_PREFIX)}

    @functools.cached_property
    def _x_columns(self) -> dict[str, str]:
        import ibis
        import pyarrow.parquet as pq

        if self.canonical.exists():  # a file, or the folder Spark wrote (its parts share one schema)
            schema = pq.read_schema(parquet_parts(self.canonical)[0])
        else:  # a view over clean source files
            con = _connect_duckdb(self.canonical.parent.parent)
            try:
                result = con.execute(f"SELECT * FROM {canonical_relation(self.canonical)} LIMIT 0")
                schema = (getattr(result, "to_arrow_table", None) or result.fetch_arrow_table)().schema
            finally:
                con.close()
        return {f.name: str(ibis.dtype(f.type)) for f in schema
                if f.name.startswith(focus.CUSTOM_PREFIX) and f.name not in Q.SOURCE_COLUMNS}

    @property
    def provenance(self) -> dict:
        """Every data file's path, size and SHA-256, and the manifest hash, for the report."""
        return {"files": self.quality.files, "manifest_sha256": self.quality.manifest_sha256}

    @property
    def backend(self):
        if self._backend is None:
            self._backend = duckdb_backend(self.canonical)
        return self._backend

    def on(self, backend) -> "BillingData":
        """The same data queried on another Ibis backend that has the canonical table as ``focus``."""
        return BillingData(self.canonical, self.quality, self.key, backend=backend, cache=False)

    def query(self, builder, **arguments) -> pd.DataFrame:
        """Run one query of `costlib.billing_queries` and return its rows as a pandas frame.

        Parameters
        ----------
        builder : callable or str
            A query function (``billing_queries.cost_by``) or a name in ``billing_queries.QUERIES``
            (then its default arguments apply, overridden by ``arguments``).
        **arguments
            The query's keyword arguments.

        Results are cached beside the canonical data by (data hash, query and a hash of its source,
        arguments): re-running with the same arguments on the same files reads the small result back
        instead of scanning the rows; a changed query runs again.
        """
        if isinstance(builder, str):
            function, defaults = Q.QUERIES[builder]
            arguments = {**defaults, **arguments}
        else:
            function = builder
        name = builder if isinstance(builder, str) else function.__name__
        spec = json.dumps({"q": function.__name__, "v": _query_version(function), "a": arguments,
                           **({"e": self.engine} if self.engine != "duckdb" else {})}, sort_keys=True, default=str)
        cached = (self.canonical.parent / "results" / (hashlib.sha256(spec.encode()).hexdigest()[:24] + ".parquet")
                  if self._cache else None)
        if cached is not None and cached.is_file():
            try:
                frame = pd.read_parquet(cached)
                self.pulls.append((name, len(frame)))
                return frame
            except Exception as exc:  # noqa: BLE001 (truncated, overwritten, not Parquet: run the query again)
                _cache_note(f"the cached result {cached} could not be read ({_reason(exc)}); running the "
                            f"query {function.__name__} again")
        expression = self._expression(function, arguments)
        frame = _sorted_frame(self.backend.execute(expression))
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
                frame.to_parquet(tmp, index=False)
                os.replace(tmp, cached)
            except OSError as exc:  # the result is right; only the next run pays for the scan again
                _cache_note(f"cannot keep the result of {function.__name__} in {cached.parent} "
                            f"({_reason(exc)}); to start the cache afresh: billing.clear_cache()")
        self.pulls.append((name, len(frame)))
        return frame

    def _expression(self, function, arguments: dict):
        """The query on the table without Tags when it reads no tag and this data's own DuckDB has that table
        (`billing_queries.UNTAGGED_TABLE_NAME`), else on the whole table; the rows are the same."""
        from ibis.common.exceptions import IbisError

        if self.engine == "duckdb" and self._own_backend:
            try:
                return function(Q.focus_table(Q.UNTAGGED_TABLE_NAME, custom=self.custom_columns, tags=False),
                                **arguments)
            except (AttributeError, IbisError):  # it reads Tags
                pass
        return function(Q.focus_table(self.table, custom={**self.custom_columns, **self.tag_columns}), **arguments)

    def alert_drivers(self, alerts: pd.DataFrame, period: str = "day", baseline_lag_periods: int = 1,
                      top_n: int = 3, key: str | None = None,
                      max_period_hours: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Name the resource behind each alert, computed in the engine (`billing_queries.alert_drivers`).

        Parameters
        ----------
        alerts : pandas.DataFrame
            `costlib.finops.detect_anomalies` output: ``ServiceName``, ``SubAccountId``, ``period``.
        period, baseline_lag_periods, top_n, key, max_period_hours
            As in `billing_queries.alert_drivers`.

        Returns
        -------
        named : pandas.DataFrame
            ``alerts`` with ``driver`` (the resource that rose most), ``driver_change_usd``,
            ``driver_share_of_change`` (its change over the series' change; NaN when that is not positive)
            and, with ``key``, ``team`` (the driver's tag value): the columns `costlib.finops.alert_drivers`
            adds, with ``team`` as the workbook maps it. An alert with no usage rows gets None and NaN.
        drivers : pandas.DataFrame
            The query's rows: up to ``top_n`` resources per alert (``alert`` is the row position in
            ``alerts``). Bound: ``len(alerts) x top_n`` rows; nothing per resource of the whole bill.

        Examples
        --------
        >>> import pandas as pd
        >>> from costlib import synthetic_focus
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = synthetic_focus.generate(folder / "b.parquet", resources=40, days=14, seed=3)
        >>> data = open_billing(folder / "b.parquet", cache_dir=folder / "cache")
        >>> alerts = pd.DataFrame({"ServiceName": ["Amazon Relational Database Service"],
        ...                        "SubAccountId": ["aws-data"], "period": [pd.Timestamp("2026-11-10", tz="UTC")]})
        >>> named, drivers = data.alert_drivers(alerts, top_n=2)
        >>> len(drivers) <= 2, list(named.columns[-3:])
        (True, ['driver', 'driver_change_usd', 'driver_share_of_change'])
        """
        al = pd.DataFrame(alerts).reset_index(drop=True)
        columns = {"driver": None, "driver_change_usd": np.nan, "driver_share_of_change": np.nan}
        if key is not None:
            columns["team"] = None
        if al.empty:
            return al.assign(**{c: pd.Series(dtype=object if v is None else float) for c, v in columns.items()}), \
                pd.DataFrame()
        listed = [{"ServiceName": str(r.ServiceName), "SubAccountId": str(r.SubAccountId),
                   "period": pd.Timestamp(r.period).isoformat()} for r in al.itertuples()]
        drivers = self.query(Q.alert_drivers, alerts=listed, period=period,
                             baseline_lag_periods=int(baseline_lag_periods), top_n=int(top_n), key=key,
                             max_period_hours=max_period_hours)
        first = drivers[drivers["rank"] == 1].set_index("alert") if len(drivers) else drivers
        named = al.copy()
        named["driver"] = [first.at[i, "ResourceId"] if i in first.index else None for i in range(len(al))]
        named["driver_change_usd"] = [float(first.at[i, "change_usd"]) if i in first.index else np.nan
                                      for i in range(len(al))]
        named["driver_share_of_change"] = [
            float(first.at[i, "change_usd"] / first.at[i, "series_change_usd"])
            if i in first.index and first.at[i, "series_change_usd"] > 0 else np.nan for i in range(len(al))]
        if key is not None:
            named["team"] = [first.at[i, "tag_value"] if i in first.index else None for i in range(len(al))]
        named.index = pd.DataFrame(alerts).index
        return named, drivers

    def untagged_top(self, key: str, top_n: int = 10) -> pd.DataFrame:
        """The ``top_n`` untagged resources by how much tagging each would raise coverage of tag ``key``,
        from two bounded queries (`billing_queries.resource_summary` with ``untagged_only`` and ``top_n``,
        and `billing_queries.resource_cost_totals`) instead of every resource.

        Returns
        -------
        pandas.DataFrame
            The first ``top_n`` rows of `costlib.finops.untagged_by_impact` applied to every resource
            (``effective_cost`` clipped at 0, ``tagged``, ``coverage_gain_share``, ``coverage_after_share``).
            Bound: ``top_n`` rows.

        Notes
        -----
        ``gain(r) = max(cost(r), 0) / C`` with ``C = Σ_all max(cost, 0)``; ``coverage_after(r) = T / C +
        Σ_{r' ranked <= r} gain(r')`` with T the tagged resources' clipped cost: `untagged_by_impact`'s
        formula with its two sums taken in the engine.
        """
        rows = self.query(Q.resource_summary, key=key, untagged_only=True, top_n=int(top_n))
        totals = self.query(Q.resource_cost_totals, key=key).iloc[0]
        total = float(totals["cost_usd"] or 0.0)
        if not total > 0:
            raise BillingDataError(f"{self.canonical}: no resource has a positive effective cost, so tag "
                                   f"coverage of {key!r} is undefined")
        out = rows.assign(effective_cost=rows["effective_cost"].clip(lower=0), tagged=False)
        out = out.sort_values(["effective_cost", "ResourceId"], ascending=[False, True], kind="stable")
        out["coverage_gain_share"] = out["effective_cost"] / total
        out["coverage_after_share"] = float(totals["tagged_cost_usd"] or 0.0) / total + \
            out["coverage_gain_share"].cumsum()
        return out.reset_index(drop=True)


@functools.lru_cache(maxsize=None)
def _query_version(function) -> str:
    """A hash of the source of the module defining the query (its helpers included): a cached result of an
    older version of the query is never reused."""
    import inspect

    try:
        text = inspect.getsource(inspect.getmodule(function))
    except (OSError, TypeError):
        return "unknown"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _invariants(data: BillingData) -> dict:
    lc = data.query(Q.list_cost_check).iloc[0]
    bwe = data.query(Q.billed_without_effective)
    commitments = data.query(Q.commitment_utilization)
    return {
        "list_cost": {"rows_checked": int(lc["rows_checked"] or 0), "rows_off": int(lc["rows_off"] or 0),
                      "largest_gap": None if pd.isna(lc["largest_gap"]) else float(lc["largest_gap"])},
        "billed_without_effective": {"rows": int(bwe["rows"].sum()), "billed_cost": float(bwe["billed_cost"].sum()),
                                     "by_provider": {r.ProviderName: int(r.rows) for r in bwe.itertuples()}},
        "commitments": [{"CommitmentDiscountId": r.CommitmentDiscountId,
                         "amortized": float(r.used_cost + r.unused_cost),
                         "purchases_billed": float(r.purchases_billed)} for r in commitments.itertuples()],
        "totals": [{"ChargeCategory": r.ChargeCategory, "rows": int(r.rows), "billed_cost": float(r.billed_cost),
                    "effective_cost": float(r.effective_cost)}
                   for r in data.query(Q.totals_by_charge_category).itertuples()],
    }


#: The engines `open_billing` runs queries on, and the extra that installs each one's package.
ENGINES = {"duckdb": ("duckdb", "duckdb"), "spark": ("pyspark", "spark")}


def is_ibis_url(engine: str) -> bool:
    """Whether ``engine`` is an Ibis connection URL (``scheme://...``) rather than an engine's name.

    >>> is_ibis_url("duckdb:///tmp/bill.ddb"), is_ibis_url("spark")
    (True, False)
    """
    return "://" in str(engine)


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages and reports (`params.redact_passwords`).

    >>> redact_url("trino://ana:s3cret@warehouse:8080/hive")
    'trino://ana:***@warehouse:8080/hive'
    """
    from costlib.params import redact_passwords

    return redact_passwords(url)


def require_engine(engine: str) -> None:
    """Raise one line naming the extra to install when ``engine``'s package is missing.

    Examples
    --------
    >>> require_engine("duckdb")
    >>> require_engine("oracle")
    Traceback (most recent call last):
    ...
    costlib.errors.BillingDataError: billing_engine = 'oracle': expected one of 'duckdb', 'spark', or an Ibis connection URL (duckdb:///bill.ddb, trino://..., bigquery://...) with a table
    """
    if is_ibis_url(engine):
        return
    if engine not in ENGINES:
        raise BillingDataError(f"billing_engine = {engine!r}: expected one of "
                               + ", ".join(repr(e) for e in ENGINES) + ", or an Ibis connection URL "
                               "(duckdb:///bill.ddb, trino://..., bigquery://...) with a table")
    module, extra = ENGINES[engine]
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise BillingDataError(f"billing_engine = {engine!r} needs the {module} package: "
                               f"pip install -e '.[{extra}]'")


def open_table(url: str, table: str, billing_currency: str | None = None) -> BillingData:
    """Open a table that already holds FOCUS rows, where it lives, through an Ibis connection URL.

    Parameters
    ----------
    url : str
        An Ibis connection URL (`ibis.connect`): ``duckdb:///path/bill.ddb``, ``trino://user@host/catalog``,
        ``bigquery://project/dataset``...
    table : str
        The table's name there. Its rows are FOCUS rows as the canonical table holds them: FOCUS column
        names and types, ``Tags`` a string-to-string map, timestamps in UTC; custom columns start ``x_``.
    billing_currency : str, optional
        The currency the rows must all be in (the table is read as it is: no row is excluded).

    Returns
    -------
    BillingData
        Its queries and the quality invariants run in that database; only their bounded results come
        back. The table is trusted as FOCUS: the reader's findings (null tokens, timestamp formats, money
        text, duplicates...) are those of whatever loaded it, so they are empty here; the columns are
        checked (Mandatory columns present). Results are not cached (a table's contents can change under
        the same name), and the provenance names the URL and the table.

    Raises
    ------
    BillingDataError
        One line naming the URL and table: not reachable, no such table (with the tables there), Mandatory
        columns missing, no rows, several billing currencies or not ``billing_currency``.
    """
    import ibis

    where = f"{redact_url(url)} table {table!r}"
    try:
        con = ibis.connect(url)
    except Exception as exc:  # noqa: BLE001 (any backend's connection error, in one line)
        raise BillingDataError(f"{where}: cannot connect ({_reason(exc)})") from None
    tables = list(con.list_tables())
    if table not in tables:
        raise BillingDataError(f"{where}: no such table; the database has "
                               f"{', '.join(sorted(tables)[:20]) or 'no tables'}")
    columns = list(con.table(table).columns)
    missing = focus.missing_mandatory(columns)
    if missing:
        raise BillingDataError(f"{where}: Mandatory FOCUS columns missing: {', '.join(missing)}")
    schema = con.table(table).schema()
    custom = {c: str(schema[c]) for c in focus.custom_columns(columns) if c not in Q.SOURCE_COLUMNS}
    currencies = con.execute(con.table(table).group_by("BillingCurrency").aggregate(rows=lambda t: t.count()))
    listed = [c for c in currencies["BillingCurrency"] if c is not None and c == c]
    if not listed:
        raise BillingDataError(f"{where}: no billing rows with a BillingCurrency")
    if len(listed) > 1 or (billing_currency and listed != [billing_currency]):
        raise BillingDataError(f"{where}: BillingCurrency is {', '.join(sorted(map(str, listed)))}: expected one "
                               f"currency{f' ({billing_currency})' if billing_currency else ''} in the table")
    version = focus.detect_version(columns)
    identity = hashlib.sha256(f"{url}|{table}".encode()).hexdigest()
    data = BillingData(None, None, identity[:32], backend=con, cache=False, engine=url, table=table,  # type: ignore[arg-type]
                       custom=custom)
    checks = _invariants(data)
    rows = sum(t["rows"] for t in checks["totals"])
    none: dict = {}
    data.quality = DataQuality(
        version=version, files=[{"path": f"{redact_url(url)} table {table}", "bytes": None, "sha256": None}],
        manifest_sha256=identity, rows_read=rows, rows=rows, currency=str(listed[0]), currencies_excluded={},
        columns_unknown=focus.unknown_columns(columns),
        columns_custom=[c for c in focus.custom_columns(columns) if c not in Q.SOURCE_COLUMNS],
        columns_absent=[c for c in focus.columns_of(version) if c not in columns], null_tokens=dict(none),
        timestamp_formats={}, dates_out_of_range={}, money_text={}, unparseable_values={},
        unparseable_examples={}, rows_excluded={"rows": 0, "examples": [], "billed_cost_known": 0.0,
                                                "effective_cost_known": 0.0},
        duplicates={"rows": 0, "distinct": 0, "billed_cost": 0.0, "effective_cost": 0.0},
        currency_assumed=False, enum_case_drift={}, enum_unknown={},
        tag_rows=_tag_rows(con, table) if "Tags" in columns else 0, tag_rows_unparseable=0,
        tag_examples_unparseable=[], tags_valueless=0, **checks)
    data.pulls.clear()
    return data


def _tag_rows(con, table: str) -> int:
    t = con.table(table)
    return int(con.execute(t.filter(t.Tags.notnull() & (t.Tags.length() > 0)).count()))


def open_billing(source, billing_currency: str | None = None, cache_dir: str | os.PathLike | None = None,
                 backend=None, engine: str = "duckdb", spark_master: str = "local[2]",
                 table: str | None = None, in_place: bool = True) -> BillingData:
    """Open FOCUS billing data for analysis.

    Parameters
    ----------
    source : str, path, or list of them
        A CSV, gzipped CSV or Parquet file, a folder (searched recursively), or a glob
        (``"exports/2026-*/*.csv.gz"``).
    billing_currency : str, optional
        The one currency to analyse when the data holds several (others are excluded and reported).
    cache_dir : path, optional
        Where canonical data and query results are kept (`default_cache_dir`).
    backend : Ibis backend, optional
        Run queries there instead of the in-process DuckDB; it must hold the canonical table as ``focus``
        (`spark_backend` registers it on Spark).
    engine : {"duckdb", "spark"}
        Where the files are read, normalised and checked, and where queries and the quality invariants run
        (the scenario's ``billing_engine``). ``"spark"``: one Spark session at ``spark_master`` reads the
        files, runs the normaliser's checks and writes the canonical data (a Parquet folder; `normalise`),
        then serves the queries; DuckDB is not used, and only bounded results come to Python. Results and
        the quality record are cached per engine; what the reader found (``found.json``) and the canonical
        data are shared, so a later open of the same files on the other engine reads neither file again.
        Or an Ibis connection URL (``duckdb:///bill.ddb``, ``trino://...``) with ``table``: that table,
        already FOCUS rows, queried where it lives (`open_table`; ``source`` is then unused).
    spark_master : str
        The Spark master URL with ``engine="spark"`` (``local[2]``, ``spark://host:7077``, ``yarn``).
    table : str, optional
        With an Ibis URL as ``engine``: the table holding the FOCUS rows.
    in_place : bool
        Query clean Parquet files where they are, through a view (`clean_parquet_select`), instead of
        rewriting them into the canonical file; a file is written only when an engine needs one (Spark:
        `canonical_file`). False always rewrites.

    Returns
    -------
    BillingData

    Raises
    ------
    BillingDataError
        One message naming the file(s) and what is wrong: no files, an empty file, missing Mandatory
        columns, no rows, mixed currencies without ``billing_currency``.
    """
    require_engine(engine)
    if is_ibis_url(engine):
        if not table:
            raise BillingDataError(f"billing_engine = {engine!r}: an Ibis URL needs the table holding the FOCUS "
                                   "rows (billing_table)")
        return open_table(engine, table, billing_currency)
    files = resolve_files(source)
    cache_root = Path(cache_dir) if cache_dir else default_cache_dir()
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BillingDataError(f"the billing cache {cache_root} cannot be created ({_reason(exc)}): set "
                               "$COSTBOOK_CACHE_DIR to a folder you can write") from None
    prov = manifest(files, cache_root)
    key = hashlib.sha256(f"{prov['manifest_sha256']}|{NORMALISER_VERSION}|{billing_currency}".encode()).hexdigest()[:32]
    folder = cache_root / key
    canonical = folder / "focus.parquet"
    quality_file = folder / ("quality.json" if engine == "duckdb" else f"quality.{engine}.json")
    if engine == "spark" and backend is None:
        backend = _spark_backend_later(canonical, spark_master)
    _refresh_view(folder, files)
    quality = _cached_quality(folder, prov, quality_file.name)
    if quality is None:
        # what the reader found: the same on every engine (quiet when the record above already said why)
        found = _cached_found(folder, quiet=quality_file.is_file())
        if found is None:
            found = _normalise_into(folder, files, canonical, billing_currency, in_place, engine, spark_master)
            try:
                _atomic_text(folder / "found.json", json.dumps(found, default=str))
            except OSError as exc:
                _cache_note(f"cannot write {folder / 'found.json'} ({_reason(exc)}); the data is analysed, "
                            "and read again next time")
        opened = BillingData(canonical, None, key, backend=backend, engine=engine)  # type: ignore[arg-type]
        checks = _invariants(opened)
        rows = sum(t["rows"] for t in checks["totals"])
        quality = DataQuality(files=prov["files"], manifest_sha256=prov["manifest_sha256"], rows=rows,
                              **found, **checks)
        try:
            _atomic_text(quality_file, json.dumps(quality.to_dict(), indent=1))
        except OSError as exc:
            _cache_note(f"cannot write {quality_file} ({_reason(exc)}); the data is analysed, and read "
                        "again next time")
    if engine != "duckdb":
        return BillingData(canonical, quality, key, backend=backend, engine=engine)
    data = BillingData(canonical, quality, key)
    return data.on(backend) if backend is not None else data


def _cache_note(line: str) -> None:
    """One line about the cache, on stderr (a notebook shows it under the cell; the run goes on)."""
    import sys

    print(f"costbook billing cache: {line}", file=sys.stderr, flush=True)


def _reason(exc: BaseException) -> str:
    """An exception as a short phrase for a one-line message."""
    text = getattr(exc, "strerror", None) or str(exc).strip().splitlines()[0:1]
    text = text[0] if isinstance(text, list) and text else text or ""
    return f"{type(exc).__name__}: {str(text)[:200]}" if text else type(exc).__name__


def _cached_quality(folder: Path, prov: dict, name: str = "quality.json") -> DataQuality | None:
    """The quality record of a cache entry whose canonical file and record can both be read, else None
    (nothing cached yet, or an entry that is truncated or corrupt: said in one line, then rebuilt).

    The entry's folder is named by the SHA-256 of the source files' bytes (with the normaliser version and
    the currency), so an entry is only ever found for the same bytes; provenance is the manifest just
    computed from the files themselves, never the stored one.
    """
    canonical, quality_file = folder / "focus.parquet", folder / name
    if not quality_file.is_file():  # nothing cached, or an entry still being written (its record comes last)
        return None
    try:
        import pyarrow.parquet as pq

        stored = json.loads(quality_file.read_text(encoding="utf-8"))
        if not isinstance(stored, dict):
            raise ValueError("quality.json is not a record")
        _entry_readable(folder)
        stored["files"], stored["manifest_sha256"] = prov["files"], prov["manifest_sha256"]
        return DataQuality(**stored)
    except Exception as exc:  # noqa: BLE001 (whatever is wrong with the entry, the source files are the truth)
        _cache_note(f"the cached copy in {folder} could not be read ({_reason(exc)}); rebuilding it from the "
                    "source files")
        return None


def _cached_found(folder: Path, quiet: bool = False) -> dict | None:
    """What the reader found when it wrote the entry's canonical file (``found.json``), when both can be read
    (a quality record of another engine is then built without reading the source files again); else None."""
    found_file = folder / "found.json"
    if not found_file.is_file():
        return None
    try:
        import pyarrow.parquet as pq

        found = json.loads(found_file.read_text(encoding="utf-8"))
        if not isinstance(found, dict):
            raise ValueError("found.json is not a record")
        _entry_readable(folder)
        return found
    except Exception as exc:  # noqa: BLE001 (the source files are the truth)
        if not quiet:
            _cache_note(f"the cached copy in {folder} could not be read ({_reason(exc)}); rebuilding it from "
                        "the source files")
        return None


def _normalise_into(folder: Path, files: list[Path], canonical: Path, billing_currency: str | None,
                    in_place: bool = True, engine: str = "duckdb", spark_master: str | None = None) -> dict:
    """`normalise` into a cache entry (its canonical file replaced in one step, so a run reading the entry at
    the same time never sees half a file; cached results stay, being of the same source bytes). A cache
    folder that cannot be written is one `BillingDataError` naming it and the fix."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return normalise(files, canonical, billing_currency, in_place, engine=engine, spark_master=spark_master)
    except OSError as exc:
        raise BillingDataError(f"the billing cache {folder.parent} cannot be written ({_reason(exc)}): set "
                               "$COSTBOOK_CACHE_DIR to a folder you can write, or empty it with "
                               "costlib.billing.clear_cache()") from None


class _spark_backend_later:
    """A Spark backend started on first use (a cached open needs no session). The session is
    `spark_session`'s get-or-create one: the session that normalised the files, when one did."""

    def __init__(self, canonical: Path, master: str, session=None):
        self.canonical, self.master, self.session, self._backend = canonical, master, session, None

    def execute(self, expression):
        if self._backend is None:
            self._backend = spark_backend(self.canonical, self.session or spark_session(self.master))
        return self._backend.execute(expression)


def clear_cache(cache_dir: str | os.PathLike | None = None) -> None:
    """Remove every cached canonical file and query result."""
    shutil.rmtree(Path(cache_dir) if cache_dir else default_cache_dir(), ignore_errors=True)


def bill_tag_keys(data: BillingData) -> list[tuple[str, int]]:
    """The tag keys a bill carries and the rows carrying each, most rows first (ties by key)."""
    keys = data.query(Q.tag_keys)
    return sorted(((str(k), int(n)) for k, n in zip(keys["key"], keys["rows"])), key=lambda kv: (-kv[1], kv[0]))


def scenario_bill_problems(billing_data: str, root: str | os.PathLike, billing_currency: str | None = None,
                           tag_keys: Mapping[str, str | Sequence[str]] | None = None) -> list[tuple[str, Any, str]]:
    """Check a scenario's bill before anything runs: the path names readable FOCUS data, and every tag
    key the scenario names is a key the bill carries.

    Parameters
    ----------
    billing_data : str
        The scenario's ``billing_data``: a file, folder or glob relative to the project root ``root``
        (or absolute). Empty: the generated demo bill, nothing to check.
    root : path
        The project root.
    billing_currency : str, optional
        The scenario's ``billing_currency``.
    tag_keys : mapping, optional
        Scenario key to the tag key(s) it names (``{"team_tag_key": "team", "required_tag_keys":
        ["team", "env"]}``).

    Returns
    -------
    list of (key, value, expected)
        One problem per line of `costlib.errors.ScenarioError`: the scenario key (``required_tag_keys[1]``),
        its value and what was expected; empty when all is well.

    Examples
    --------
    >>> scenario_bill_problems("no/such.csv", "/tmp")[0][2]
    'expected a FOCUS file, folder or glob relative to the project root (/tmp/no/such.csv: no such file or folder)'
    """
    if not billing_data:
        return []
    path = Path(billing_data)
    full = str(path if path.is_absolute() else Path(root) / path)
    try:
        files = resolve_files(full)
    except BillingDataError as exc:
        return [("billing_data", billing_data, f"expected a FOCUS file, folder or glob relative to the project root "
                                               f"({exc})")]
    try:
        data = open_billing(files, billing_currency)
    except BillingDataError as exc:
        return [("billing_data", billing_data, f"expected a readable FOCUS bill ({exc})")]
    found = bill_tag_keys(data)
    present = {k for k, _ in found}
    shown = ", ".join(k for k, _ in found[:8]) + (f" and {len(found) - 8} more" if len(found) > 8 else "")
    carried = f"the bill carries {shown}" if found else "the bill carries no tags"
    problems = []
    for key, value in (tag_keys or {}).items():
        values = [value] if isinstance(value, str) else list(value)
        for i, tag in enumerate(values):
            if tag not in present:
                name = key if isinstance(value, str) else f"{key}[{i}]"
                problems.append((name, tag, f"expected a tag key of {_where(files)} ({carried})"))
    return problems


def scenario_problems(scenario, root: str | os.PathLike) -> list[tuple[str, Any, str]]:
    """`scenario_bill_problems` for a validated scenario: its ``billing_data``, ``billing_currency`` and
    every field whose name ends in ``tag_key`` or ``tag_keys``; nothing for a scenario without
    ``billing_data`` (every workbook but FinOps)."""
    billing_data = getattr(scenario, "billing_data", "")
    if not billing_data:
        return []
    fields = type(scenario).model_fields
    keys = {name: getattr(scenario, name) for name in fields if name.endswith(("tag_key", "tag_keys"))}
    return scenario_bill_problems(billing_data, root, getattr(scenario, "billing_currency", None),
                                  {k: v for k, v in keys.items() if v})
