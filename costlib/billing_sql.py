"""The SQL of the billing normaliser's checks, written once and rendered for DuckDB or Spark SQL.

`costlib.billing` builds its checks from a few primitives (trim a text, match a pattern in full, read a
number, is a number finite, count where a condition holds). A `Dialect` renders each primitive for one
engine so that both engines give the same answer on the same text: the DuckDB rendering is the SQL the
normaliser has always run, byte for byte; the Spark rendering adds what Spark SQL does differently:

- ``trim``: DuckDB strips every Unicode space separator (category Zs: the 17 code points of `ZS`, the
  no-break space among them), Spark's ``trim`` only U+0020, so Spark strips the same set with a pattern;
- ``regexp_full_match``: Spark's ``RLIKE`` finds a match anywhere and Java's ``$`` also matches before a
  final line break, so the pattern is wrapped as ``(?:pattern)\\z`` after a leading ``^``;
- reading a number: Spark's cast also reads Java literals (``1d``, ``2f``, ``0x1p3``), so Spark casts only
  text that is a decimal number or an infinity or NaN spelling DuckDB reads too (`NUMBER_TEXT`);
- ``isfinite`` is not a Spark function: not NaN and of absolute value below infinity.

Sources: DuckDB ``trim`` (utf8proc category Zs; `ZS` lists what DuckDB 1.5 strips, checked by
tests/test_billing_sql.py over every code point), Spark SQL built-in functions (``rlike``, ``regexp_replace``,
``try_cast``, ``isnan``), java.util.regex.Pattern (``$`` and ``\\z``).

Examples
--------
>>> DUCKDB.trim('"ServiceName"')
'trim("ServiceName")'
>>> print(SPARK.ident("ServiceName"), SPARK.isfinite("x"))
`ServiceName` (NOT isnan(x) AND abs(x) < double('inf'))
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence

#: The code points DuckDB's ``trim`` strips from either end: Unicode category Zs (space separators).
ZS = (0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)

#: Text Spark's cast to DOUBLE reads as DuckDB's does: a decimal number with an optional sign and
#: exponent, or an infinity or NaN spelling (any letter case), and nothing else (Java's ``1d``, ``0x1p3``).
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\z|^(?i)[+-]?(inf|infinity|nan)\z"


def _zs_class() -> str:
    """`ZS` as a Java regular-expression class (runs of consecutive code points as ranges)."""
    parts, run = [], [ZS[0]]
    for c in ZS[1:]:
        if c == run[-1] + 1:
            run.append(c)
            continue
        parts.append(run)
        run = [c]
    parts.append(run)
    return "[" + "".join(f"\\x{{{r[0]:04X}}}" + (f"-\\x{{{r[-1]:04X}}}" if len(r) > 1 else "") for r in parts) + "]"


@dataclasses.dataclass(frozen=True)
class Dialect:
    """How one engine writes the normaliser's primitives (`DUCKDB`, `SPARK`)."""

    name: str

    def literal(self, text: str) -> str:
        """A string literal. Spark SQL reads a backslash as an escape and two quoted strings side by side
        as one (``'a''b'`` is ``ab``), so there both are escaped with a backslash."""
        if self.name == "spark":
            return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"
        return sql_str(text)

    def ident(self, name: str) -> str:
        """A quoted column name."""
        if self.name == "spark":
            return "`" + name.replace("`", "``") + "`"
        return '"' + name.replace('"', '""') + '"'

    def trim(self, value: str) -> str:
        """``value`` without the Unicode spaces (`ZS`) at either end."""
        if self.name == "spark":
            zs = _zs_class()
            ends = "^" + zs + "+|" + zs + r"+\z"
            return f"regexp_replace({value}, {self.literal(ends)}, '')"
        return f"trim({value})"

    def full_match(self, value: str, pattern: str) -> str:
        """Whether ``pattern`` (a regular expression in RE2 and Java syntax) matches all of ``value``."""
        if self.name == "spark":
            whole = "^(?:" + pattern + r")\z"
            return f"({value} RLIKE {self.literal(whole)})"
        return f"regexp_full_match({value}, {sql_str(pattern)})"

    def try_double(self, value: str) -> str:
        """``value`` read as a DOUBLE, null when it is not a number (DuckDB's ``TRY_CAST`` reading)."""
        if self.name == "spark":
            return f"(CASE WHEN {value} RLIKE {self.literal(NUMBER_TEXT)} THEN TRY_CAST({value} AS DOUBLE) END)"
        return f"TRY_CAST({value} AS DOUBLE)"

    def isfinite(self, value: str) -> str:
        """Whether a DOUBLE is neither infinite nor NaN (null for null)."""
        if self.name == "spark":
            return f"(NOT isnan({value}) AND abs({value}) < double('inf'))"
        return f"isfinite({value})"

    def cast_timestamp(self, value: str) -> str:
        """A typed value (a timestamp with or without a zone, a date) as a UTC timestamp."""
        return f"TRY_CAST({value} AS {'TIMESTAMP' if self.name == 'spark' else 'TIMESTAMPTZ'})"

    def read_timestamp(self, text: str, strptime: Sequence[str] = ()) -> str:
        """Text read as a UTC timestamp: with the first of the ``strptime`` formats (C ``%`` codes) that
        reads it, or, with none, as ISO 8601 by the engine's cast (no zone: UTC)."""
        if self.name != "spark":
            if strptime:
                listed = "[" + ", ".join(sql_str(x) for x in strptime) + "]"
                return f"CAST(try_strptime({text}, {listed}) AS TIMESTAMPTZ)"
            return f"TRY_CAST({text} AS TIMESTAMPTZ)"
        if not strptime:
            return f"TRY_CAST({text} AS TIMESTAMP)"
        reads = []
        for c_format in strptime:
            read = f"try_to_timestamp({text}, {self.literal(java_format(c_format))})"
            if "%y" in c_format:  # DuckDB: 69-99 are 1969-1999, 00-68 are 2000-2068; Java: 2000-2099
                read = f"(CASE WHEN year({read}) >= 2069 THEN {read} - INTERVAL 100 YEARS ELSE {read} END)"
            reads.append(read)
        return f"coalesce({', '.join(reads)})"

    def type_name(self, duckdb_type: str) -> str:
        """The engine's name of a type the normaliser writes, given by its DuckDB name (``VARCHAR``,
        ``DOUBLE``, ``BIGINT``, ``TIMESTAMPTZ``, ``MAP(VARCHAR, VARCHAR)``): Spark's ``STRING``,
        ``TIMESTAMP`` (a UTC instant, as DuckDB's TIMESTAMPTZ) and ``MAP<STRING, STRING>``.

        >>> SPARK.type_name("MAP(VARCHAR, VARCHAR)"), DUCKDB.type_name("TIMESTAMPTZ")
        ('MAP<STRING, STRING>', 'TIMESTAMPTZ')
        """
        if self.name != "spark":
            return duckdb_type
        return {"VARCHAR": "STRING", "TIMESTAMPTZ": "TIMESTAMP",
                "MAP(VARCHAR, VARCHAR)": "MAP<STRING, STRING>"}.get(duckdb_type, duckdb_type)

    def cast_text(self, value: str) -> str:
        """``value`` cast to text (a value that is text already is unchanged by the cast)."""
        return f"CAST({value} AS {self.type_name('VARCHAR')})"

    def as_text(self, value: str, kind: str) -> str:
        """A raw value of DuckDB type ``kind`` written as DuckDB's cast to VARCHAR writes it, for the
        examples a finding quotes: text as it is; on Spark a UTC timestamp as ``2026-11-01 00:00:00.5+00``
        (DuckDB's text, fraction without trailing zeros), one without a zone without the ``+00``, and a
        non-finite DOUBLE as ``inf``, ``-inf``, ``nan`` (Spark writes ``Infinity``, ``NaN``). Other types
        by the engine's cast (a finite DOUBLE with an exponent is written ``1.0E20`` by Spark, ``1e+20``
        by DuckDB; the normaliser quotes only unreadable numbers, which are never finite).

        >>> DUCKDB.as_text('"A"', "VARCHAR"), DUCKDB.as_text('"A"', "DOUBLE")
        ('"A"', 'CAST("A" AS VARCHAR)')
        """
        if kind == "VARCHAR":
            return value
        if self.name != "spark":
            return self.cast_text(value)
        if kind in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"):
            zeros = self.literal(r"\.?0+\z")  # the fraction's trailing zeros, and its point when all are
            text = f"regexp_replace(date_format({value}, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), {zeros}, '')"
            return f"concat({text}, '+00')" if kind == "TIMESTAMP WITH TIME ZONE" else text
        if kind in ("DOUBLE", "FLOAT"):
            return (f"(CASE WHEN isnan({value}) THEN 'nan' WHEN {value} = double('inf') THEN 'inf' "
                    f"WHEN {value} = -double('inf') THEN '-inf' ELSE CAST({value} AS STRING) END)")
        return self.cast_text(value)

    def timestamp_literal(self, instant) -> str:
        """A UTC instant (a `pandas.Timestamp` with a zone) as a timestamp literal.

        >>> import pandas as pd
        >>> SPARK.timestamp_literal(pd.Timestamp("2000-01-01", tz="UTC"))
        "TIMESTAMP '2000-01-01T00:00:00+00:00'"
        """
        return f"{self.type_name('TIMESTAMPTZ')} '{instant.isoformat()}'"

    def concat(self, *parts: str) -> str:
        """The texts ``parts`` joined (null when one is null, on both engines)."""
        if self.name == "spark":
            return f"concat({', '.join(parts)})"
        return " || ".join(parts)

    def remove(self, value: str, characters: str) -> str:
        """``value`` with every character of the class ``characters`` (``[$,\\s]``) removed."""
        if self.name == "spark":
            return f"regexp_replace({value}, {self.literal(characters)}, '')"
        return f"regexp_replace({value}, {sql_str(characters)}, '', 'g')"


#: C strptime codes (DuckDB's ``try_strptime``) as java.time patterns (Spark's ``try_to_timestamp``).
JAVA_CODES = {"%m": "M", "%d": "d", "%Y": "yyyy", "%y": "yy", "%H": "H", "%M": "mm", "%S": "ss", "%I": "h",
              "%p": "a"}


def java_format(c_format: str) -> str:
    """A strptime format as a java.time pattern.

    >>> java_format("%m/%d/%Y %I:%M %p")
    'M/d/yyyy h:mm a'
    """
    out = c_format
    for code, pattern in JAVA_CODES.items():
        out = out.replace(code, pattern)
    return out


def sql_str(text: str) -> str:
    """A DuckDB SQL string literal (quotes doubled; a backslash is a plain character)."""
    return "'" + str(text).replace("'", "''") + "'"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


# ---------------------------------------------------------------------------------------------------
# Spark as the normaliser's connection


class _Rows:
    def __init__(self, rows: list[tuple]):
        self.rows = rows

    def fetchall(self) -> list[tuple]:
        return self.rows

    def fetchone(self) -> tuple | None:
        return self.rows[0] if self.rows else None


class SparkSql:
    """A SparkSession behind the calls the normaliser makes of a DuckDB connection: ``execute(sql)`` with
    ``fetchall``/``fetchone`` (each result is a bounded set of rows: counts, distinct values, examples),
    and temporary tables (cached temporary views). ``dialect`` tells the builders to write Spark SQL."""

    dialect = SPARK

    def __init__(self, session):
        self.session = session
        self._cached: dict[str, Any] = {}

    def execute(self, sql: str) -> _Rows:
        return _Rows([tuple(row) for row in self.session.sql(sql).collect()])

    def temp_table(self, name: str, select: str) -> None:
        frame = self.session.sql(select).cache()
        frame.createOrReplaceTempView(name)
        self._cached[name] = frame

    def drop(self, name: str) -> None:
        self.session.catalog.dropTempView(name)
        frame = self._cached.pop(name, None)
        if frame is not None:
            frame.unpersist()

    def register(self, name: str, table) -> None:
        """A small Arrow table (the distinct Tags texts and their parses: bounded by the bill's tag sets,
        not its rows) as the temporary view ``name``, as DuckDB's ``register`` does."""
        import pyarrow as pa
        from pyspark.sql import types as T

        schema = T.StructType([T.StructField(f.name, spark_type(f.type)) for f in table.schema])
        maps = [pa.types.is_map(f.type) for f in table.schema]
        columns = [column.to_pylist() for column in table.columns]  # a map as a list of (key, value)
        rows = [tuple(dict(v) if is_map and v is not None else v for v, is_map in zip(row, maps))
                for row in zip(*columns)]
        self.session.createDataFrame(rows, schema).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self.session.catalog.dropTempView(name)

    def drop_all(self) -> None:
        """Drop every temporary view this connection made and the view ``raw``, and free their cache."""
        for name in list(self._cached):
            self.drop(name)
        for name in ("raw", "tags_parsed"):
            self.session.catalog.dropTempView(name)


def spark_type(arrow_type):
    """The Spark SQL type of an Arrow type among those the normaliser registers.

    >>> import pyarrow as pa
    >>> spark_type(pa.map_(pa.string(), pa.string())).simpleString()
    'map<string,string>'
    """
    import pyarrow as pa
    from pyspark.sql import types as T

    if pa.types.is_map(arrow_type):
        return T.MapType(spark_type(arrow_type.key_type), spark_type(arrow_type.item_type))
    simple = {pa.string(): T.StringType(), pa.bool_(): T.BooleanType(), pa.int64(): T.LongType(),
              pa.float64(): T.DoubleType()}
    if arrow_type not in simple:
        raise TypeError(f"no Spark type for the Arrow type {arrow_type}")
    return simple[arrow_type]


#: Spark SQL types as the DuckDB type names the normaliser's builders test (``VARCHAR``: raw text).
def duckdb_type_name(spark_type) -> str:
    """The DuckDB name of a Spark SQL type (``StringType()`` -> ``VARCHAR``).

    >>> from pyspark.sql import types as T
    >>> duckdb_type_name(T.StringType()), duckdb_type_name(T.MapType(T.StringType(), T.StringType()))
    ('VARCHAR', 'MAP(VARCHAR, VARCHAR)')
    """
    from pyspark.sql import types as T

    simple = {T.StringType: "VARCHAR", T.DoubleType: "DOUBLE", T.FloatType: "FLOAT", T.LongType: "BIGINT",
              T.IntegerType: "INTEGER", T.ShortType: "SMALLINT", T.BooleanType: "BOOLEAN", T.DateType: "DATE",
              T.TimestampType: "TIMESTAMP WITH TIME ZONE", T.TimestampNTZType: "TIMESTAMP"}
    for kind, name in simple.items():
        if isinstance(spark_type, kind):
            return name
    if isinstance(spark_type, T.DecimalType):
        return f"DECIMAL({spark_type.precision},{spark_type.scale})"
    if isinstance(spark_type, T.MapType):
        return f"MAP({duckdb_type_name(spark_type.keyType)}, {duckdb_type_name(spark_type.valueType)})"
    return spark_type.simpleString().upper()


def spark_raw_view(session, files: Sequence[Path], kind_of, name: str = "raw") -> dict[str, str]:
    """Register the billing files as the temporary view ``name``, read by Spark's own readers, with
    ``x_SourceFile`` (the path) and ``x_SourceRow`` (the row in its file, from 1, as DuckDB numbers them);
    return the raw column types in DuckDB's names (`duckdb_type_name`).

    CSV: every column as text (header, RFC 4180 quoting with doubled quotes), no value read as null (an
    empty field stays ``''`` and ``NULL`` stays text, so both are counted before they are nulled, as in
    DuckDB's reading), read
    with ``multiLine`` so a quoted line break stays in its field. A file read that way is one task (it is
    not split), which is also what numbers its rows: ``x_SourceRow`` is the row's position in that task
    (``monotonically_increasing_id`` within the one partition). The cost is that a single CSV file is
    read by one core; many files are read in parallel. Parquet: as typed, ``x_SourceRow`` from the
    reader's ``_metadata.row_index``. Files are unioned by column name (a column missing from a file is
    null there).
    """
    from pyspark.sql import functions as F

    frames = []
    for path in files:
        if kind_of(Path(path)) == "csv":
            frame = (session.read.option("header", True).option("inferSchema", False)
                     .option("multiLine", True).option("escape", '"').option("quote", '"')
                     .option("nullValue", "\u0001").option("emptyValue", "").option("mode", "PERMISSIVE")
                     .csv(str(path)))
            # Spark reads an empty field as null whatever nullValue says; DuckDB's reader (an unmatchable
            # null string) never makes a null of a CSV field, so neither does this one
            frame = frame.select([F.coalesce(F.col(f"`{c}`"), F.lit("")).alias(c) for c in frame.columns])
            frame = frame.withColumn("x_SourceRow", (F.monotonically_increasing_id() % (1 << 33)) + 1)
        else:
            frame = session.read.parquet(str(path))
            frame = frame.withColumn("x_SourceRow", F.col("_metadata.row_index") + 1)
        frames.append(frame.withColumn("x_SourceFile", F.lit(str(path))))
    raw = frames[0]
    for frame in frames[1:]:
        raw = raw.unionByName(frame, allowMissingColumns=True)
    raw.createOrReplaceTempView(name)
    return {field.name: duckdb_type_name(field.dataType) for field in raw.schema.fields}
