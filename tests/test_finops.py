"""Tests of costlib.finops: every expected number comes from arithmetic in the docstring, a closed form,
a numpy brute force, or the synthetic generator's known answers."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from costlib import finops as F
from costlib.errors import ModelError


# ---------------------------------------------------------------------------------------------------
# 1. allocation

def _cents(x):
    return int(round(float(x) * 100))


def test_split_cents_largest_remainder():
    """$10.00 by weights 1:1:1 -> quotas 333.33 cents each: 333, 333, 333 and one cent left over, which
    goes to the first of the tied remainders: 3.34, 3.33, 3.33. $1.00 by 0.5:0.3:0.2 is exact."""
    assert F.split_cents(10.0, [1, 1, 1]).tolist() == [3.34, 3.33, 3.33]
    assert F.split_cents(1.0, [0.5, 0.3, 0.2]).tolist() == [0.5, 0.3, 0.2]
    # quotas 2/3 x 100 = 66.67, 33.33 cents of $1.00 with weights 2:1 -> 67, 33
    assert F.split_cents(1.0, [2, 1]).tolist() == [0.67, 0.33]


def test_allocation_hand_worked():
    """Direct: ads $600, web $300, data $100 (total $1,000). Shared $200:
    even -> 66.67, 66.67, 66.66 (20000 cents / 3 = 6666.67: two get the extra cent);
    proportional -> 120, 60, 20; fixed 0.5/0.25/0.25 -> 100, 50, 50; usage 1:1:2 -> 50, 50, 100.
    Untagged $50 proportional -> 30, 15, 5; unused commitment $40 kept apart -> (unallocated) row 40."""
    direct = {"ads": 600.0, "web": 300.0, "data": 100.0}
    even = F.allocate_costs(direct, 200.0, "even")
    assert even["shared_usd"].tolist() == [66.67, 66.67, 66.66]
    prop = F.allocate_costs(direct, 200.0, "proportional", untagged_cost_usd=50.0,
                            unused_commitment_cost_usd=40.0, unused_rule="unallocated")
    assert prop["shared_usd"].tolist() == [120.0, 60.0, 20.0, 0.0]
    assert prop["untagged_usd"].tolist() == [30.0, 15.0, 5.0, 0.0]
    assert prop.loc[F.UNALLOCATED, "unused_commitment_usd"] == 40.0
    assert prop["total_usd"].tolist() == [750.0, 375.0, 125.0, 40.0]
    fixed = F.allocate_costs(direct, 200.0, "fixed", fixed_shares={"ads": 0.5, "web": 0.25, "data": 0.25})
    assert fixed["shared_usd"].tolist() == [100.0, 50.0, 50.0]
    usage = F.allocate_costs(direct, 200.0, "usage", usage={"ads": 1, "web": 1, "data": 2})
    assert usage["shared_usd"].tolist() == [50.0, 50.0, 100.0]


_teams = st.dictionaries(st.sampled_from(["ads", "web", "data", "ml", "search", "checkout"]),
                         st.floats(0.01, 1e7, allow_nan=False), min_size=1, max_size=6)
_money = st.floats(0, 1e7, allow_nan=False)


@given(direct=_teams, shared=_money, untagged=_money, unused=_money,
       method=st.sampled_from(F.ALLOCATION_METHODS), untagged_rule=st.sampled_from(F.ASSIGNMENT_RULES),
       unused_rule=st.sampled_from(F.ASSIGNMENT_RULES), seed=st.integers(0, 2**31))
def test_allocation_conserves_the_total_to_the_cent(direct, shared, untagged, unused, method, untagged_rule,
                                                    unused_rule, seed):
    """Property: under every method and rule, the team totals add up, in whole cents, to the sum of the
    pools each rounded to the cent; each pool column adds up to its own pool; each row adds up."""
    rng = np.random.default_rng(seed)
    teams = list(direct)
    shares = rng.dirichlet(np.ones(len(teams)))
    shares[-1] = 1 - shares[:-1].sum()
    fixed = dict(zip(teams, shares))
    usage = dict(zip(teams, rng.uniform(0.1, 100, len(teams))))
    t = F.allocate_costs(direct, shared, method, fixed_shares=fixed, usage=usage, untagged_cost_usd=untagged,
                         untagged_rule=untagged_rule, unused_commitment_cost_usd=unused, unused_rule=unused_rule)
    pools = {"direct_usd": sum(direct.values()), "shared_usd": shared, "untagged_usd": untagged,
             "unused_commitment_usd": unused}
    for column, pool in pools.items():
        assert sum(_cents(v) for v in t[column]) == _cents(pool)
    assert sum(_cents(v) for v in t["total_usd"]) == sum(_cents(p) for p in pools.values())
    for _, row in t.iterrows():
        assert _cents(row["total_usd"]) == sum(_cents(row[c]) for c in pools)
    assert all(_cents(v) == float(v) * 100 or abs(_cents(v) - float(v) * 100) < 1e-6 for v in t["total_usd"])


def test_allocation_bad_inputs():
    with pytest.raises(ModelError, match="fixed_shares = .*adding up to 1"):
        F.allocate_costs({"a": 1.0, "b": 1.0}, 10.0, "fixed", fixed_shares={"a": 0.5, "b": 0.6})
    with pytest.raises(ModelError, match="usage = .*exactly the teams"):
        F.allocate_costs({"a": 1.0, "b": 1.0}, 10.0, "usage", usage={"a": 1.0})
    with pytest.raises(ModelError, match="method = 'random'"):
        F.allocate_costs({"a": 1.0}, 10.0, "random")
    with pytest.raises(ModelError, match=r"direct_cost_usd\['a'\] = -1"):
        F.allocate_costs({"a": -1.0}, 10.0)


def test_direct_and_untagged_from_the_generator_showback():
    """The generator's known showback: the tagged teams' direct cost plus the untagged cost is the
    total effective cost; allocating the untagged part proportionally conserves it to the cent."""
    from costlib import synthetic_focus as S
    import tempfile, pathlib
    truth = S.generate(pathlib.Path(tempfile.mkdtemp()) / "bill.parquet", resources=60, days=14, seed=2)
    frame = truth.showback_team.rename(columns={"team": "tag_value"})
    direct, untagged = F.direct_and_untagged(frame)
    assert direct.sum() + untagged == pytest.approx(truth.effective_cost, rel=1e-12)
    t = F.allocate_costs(direct, untagged_cost_usd=untagged)
    assert _cents(t["total_usd"].sum()) == _cents(direct.sum()) + _cents(untagged)
