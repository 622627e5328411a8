"""Commitment utilization where purchases differ from amortized usage.

Every generated bill has amortized usage equal to purchases (the spec's invariant over a commitment's whole
life), so there used / purchases equals the right used / (used + unused) by accident. In a bill window
that holds an upfront purchase made for a year, or a partial month of a monthly commitment, the two differ.
Both implementations of the formula are checked here on one hand-built bill: the Ibis query
(`costlib.billing_queries.commitment_utilization`, run on DuckDB) and `costlib.finops.commitment_metrics`.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from costlib import billing_queries as Q
from costlib import finops as F


def _bill() -> pd.DataFrame:
    """A bill window from 2026-02-01 to 2026-03-15 (672 hours of February, 360 of March: a partial month),
    rows pre-aggregated (the formulas only sum).

    ri-upfront: a 1-year all-upfront reservation bought on 2026-02-01 for $8,760 ($1.00 an hour over 8,760
    hours). The purchase row is in the window, but only 672 + 360 = 1,032 hours of it are amortized here:
    February used $600, unused $72 (672 hours); March 1-15 used $300, unused $60 (360 hours). Used 900,
    unused 132, amortized 1,032. Utilization = 900 / 1,032 = 0.872093; used / purchases would be
    900 / 8,760 = 0.102740.

    sp-monthly: a no-upfront savings plan starting 2026-03-01 at $2.00 an hour, billed for the whole month
    on March 1 (744 hours x $2 = $1,488 purchase row), of which the window holds 360 hours: amortized $720,
    used $540, unused $180. Utilization = 540 / 720 = 0.75; used / purchases would be 540 / 1,488 = 0.362903.

    Portfolio (weighted by cost): used 900 + 540 = 1,440, amortized 1,032 + 720 = 1,752: 1,440 / 1,752 =
    0.821918 (used / purchases: 1,440 / 10,248 = 0.140515).

    One on-demand usage row without a commitment: $300 billed and effective, list $300.
    """
    rows = [
        # ChargeCategory, CommitmentDiscountId, Type, Status, BilledCost, EffectiveCost, ListCost
        ("Purchase", "ri-upfront", "Reservation", None, 8760.0, 0.0, 8760.0),
        ("Usage", "ri-upfront", "Reservation", "Used", 0.0, 600.0, 1000.0),     # February
        ("Usage", "ri-upfront", "Reservation", "Unused", 0.0, 72.0, 0.0),       # February
        ("Usage", "ri-upfront", "Reservation", "Used", 0.0, 300.0, 500.0),      # March 1-15
        ("Usage", "ri-upfront", "Reservation", "Unused", 0.0, 60.0, 0.0),       # March 1-15
        ("Purchase", "sp-monthly", "Savings Plan", None, 1488.0, 0.0, 1488.0),  # March, the whole month
        ("Usage", "sp-monthly", "Savings Plan", "Used", 0.0, 540.0, 800.0),     # March 1-15
        ("Usage", "sp-monthly", "Savings Plan", "Unused", 0.0, 180.0, 0.0),     # March 1-15
        ("Usage", None, None, None, 300.0, 300.0, 300.0),                        # on demand
    ]
    frame = pd.DataFrame(rows, columns=["ChargeCategory", "CommitmentDiscountId", "CommitmentDiscountType",
                                        "CommitmentDiscountStatus", "BilledCost", "EffectiveCost", "ListCost"])
    for c in ("ChargeCategory", "CommitmentDiscountId", "CommitmentDiscountType", "CommitmentDiscountStatus"):
        frame[c] = frame[c].astype("string")
    return frame


WANT = {"ri-upfront": (900.0, 132.0, 8760.0, 900 / 1032), "sp-monthly": (540.0, 180.0, 1488.0, 0.75)}


def test_hand_arithmetic_of_the_fixture():
    """The docstring's numbers, restated: each commitment's purchases differ from its amortized usage."""
    assert 900 / 1032 == pytest.approx(0.872093, abs=1e-6) and 540 / 720 == 0.75
    assert 1440 / 1752 == pytest.approx(0.821918, abs=1e-6)
    bill = _bill()
    for cid, (used, unused, bought, _) in WANT.items():
        rows = bill[bill["CommitmentDiscountId"] == cid]
        assert rows.loc[rows["ChargeCategory"] == "Purchase", "BilledCost"].sum() == bought
        assert rows.loc[rows["CommitmentDiscountStatus"] == "Used", "EffectiveCost"].sum() == used
        assert used + unused != bought


def test_utilization_query_divides_by_amortized_usage_not_purchases():
    """The Ibis query on DuckDB: used / (used + unused) per commitment, with the purchases reported apart."""
    con = ibis.duckdb.connect()
    con.create_table(Q.TABLE_NAME, ibis.memtable(_bill()))
    got = con.execute(Q.commitment_utilization(Q.focus_table())).set_index("CommitmentDiscountId")
    assert sorted(got.index) == sorted(WANT)
    for cid, (used, unused, bought, util) in WANT.items():
        row = got.loc[cid]
        assert (row["used_cost"], row["unused_cost"], row["purchases_billed"]) == pytest.approx((used, unused, bought))
        assert row["utilization"] == pytest.approx(util, rel=1e-12)


def test_commitment_metrics_divide_by_amortized_usage_not_purchases():
    """`finops.commitment_metrics`: per commitment and for the portfolio (1,440 / 1,752)."""
    m = F.commitment_metrics(_bill(), quantity_column=None)
    for cid, (used, unused, bought, util) in WANT.items():
        row = m.per_commitment.loc[cid]
        assert (row["used_usd"], row["unused_usd"], row["purchases_billed_usd"]) == pytest.approx((used, unused, bought))
        assert row["amortized_usd"] == pytest.approx(used + unused)
        assert row["utilization_by_cost"] == pytest.approx(util, rel=1e-12)
    assert m.portfolio["utilization_by_cost"] == pytest.approx(1440 / 1752, rel=1e-12)
    assert m.portfolio["purchases_billed_usd"] == pytest.approx(10_248.0)
    assert np.isfinite(m.portfolio["coverage_amortized"])
