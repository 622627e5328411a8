"""A bill that already sits in a database: ``open_billing(engine=<Ibis URL>, table=...)`` queried in place.

The generated FOCUS 1.2 bill (known answers, tests/conftest.py) is read from its file as usual, and its
canonical rows are loaded into a DuckDB database file as a table (``Tags`` a string map, timestamps UTC, with
costbook's source columns x_SourceFile/x_SourceRow, which two example queries name). Opened through the URL
``duckdb:///<file>``, every query in `billing_queries.QUERIES` gives the same rows as on the file (1e-9
relative), the quality invariants are the same, and nothing is cached.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from costlib import billing
from costlib import billing_queries as Q
from costlib.errors import BillingDataError
from tests.test_billing_spark import GENERATED_ONLY, _normalise
from tests.test_finops_on_spark import same_record


@pytest.fixture(scope="module")
def both(generated_bill, billing_cache, tmp_path_factory):
    truth = generated_bill(250, 21, 11)
    from_file = billing.open_billing(truth.path, cache_dir=billing_cache)
    database = tmp_path_factory.mktemp("warehouse") / "bill.ddb"
    con = duckdb.connect(str(database))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE TABLE focus_rows AS SELECT * "
                f"FROM read_parquet('{billing.canonical_file(from_file.canonical)}')")
    con.close()
    url = f"duckdb:///{database}"
    return from_file, billing.open_billing(None, engine=url, table="focus_rows"), url


def test_the_table_is_the_bill(both):
    from_file, from_table, url = both
    q_file, q_table = from_file.quality, from_table.quality
    assert q_table.rows == q_file.rows > 0
    for name in ("list_cost", "commitments", "billed_without_effective", "totals", "currency", "version",
                 "tag_rows", "columns_custom"):
        assert same_record(getattr(q_table, name), getattr(q_file, name)), name
    assert q_table.files == [{"path": f"{url} table focus_rows", "bytes": None, "sha256": None}]
    assert from_table.canonical is None and from_table.engine == url


@pytest.mark.parametrize("name", list(Q.QUERIES))
def test_query_on_the_table_equals_the_file(both, name):
    from_file, from_table, _ = both
    function, arguments = Q.QUERIES[name]
    if "dimensions" in arguments:  # as in test_billing_spark: a custom column the bill lacks -> a FOCUS one
        arguments = {**arguments, "dimensions": [d if not d.startswith("x_") or d in from_file.custom_columns
                                                 else "ServiceCategory" for d in arguments["dimensions"]]}
    left = _normalise(from_file.on(billing.duckdb_backend(from_file.canonical)).query(function, **arguments))
    right = _normalise(from_table.query(function, **arguments))
    assert list(left.columns) == list(right.columns)
    assert len(left) == len(right)
    if name not in Q.USE_CASE_QUERIES and name != "billed_without_effective" or name in GENERATED_ONLY:
        assert len(left) > 0, name
    pd.testing.assert_frame_equal(left, right, check_dtype=False, rtol=1e-9, atol=1e-12)


def test_bad_table_is_one_line(both, tmp_path):
    _, _, url = both
    with pytest.raises(BillingDataError, match=r"table 'nope': no such table; the database has focus_rows"):
        billing.open_billing(None, engine=url, table="nope")
    with pytest.raises(BillingDataError, match="an Ibis URL needs the table holding the FOCUS rows"):
        billing.open_billing(None, engine=url)
    empty = tmp_path / "other.ddb"
    con = duckdb.connect(str(empty))
    con.execute("CREATE TABLE t AS SELECT 1 AS BilledCost")
    con.close()
    with pytest.raises(BillingDataError, match=r"Mandatory FOCUS columns missing: .*ChargeCategory"):
        billing.open_billing(None, engine=f"duckdb:///{empty}", table="t")
