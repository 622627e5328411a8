"""The billing cache knows its data (issue 16): a cached canonical file, quality record or query result is
used only for the same bytes, provenance states the hash of the bytes read, and an unreadable cache entry is
rebuilt with one line saying so, never a traceback.

Expected numbers: the FOCUS sample's SOURCE.md (sum of BilledCost 20.5202); the edit below adds
9.00000080000 - 0.00000080000 = 9 to one row's BilledCost, so the edited file's total is 29.5202. Hashes
are `hashlib.sha256` of the file's bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import ibis
import pytest

from costlib import billing
from costlib import billing_queries as Q
from costlib.errors import BillingDataError

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "focus" / "focus_sample_1.0_1000.csv"
OLD, NEW = b"0.00000080000", b"9.00000080000"  # same length: the file's size does not change


@pytest.fixture
def bill(tmp_path):
    """A copy of the FOCUS sample in a temporary folder (never in the project), and a cache folder."""
    if not SAMPLE.is_file():
        pytest.fail(f"the FOCUS sample is missing: {SAMPLE} (../shared must sit beside the checkout)")
    path = tmp_path / "bill.csv"
    shutil.copyfile(SAMPLE, path)
    return path, tmp_path / "cache"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_edit_keeping_size_and_mtime_gives_the_new_total_and_its_true_hash(bill, monkeypatch):
    """The issue's case exactly: edit one value without changing the length, restore the mtime (as
    ``cp -p``, ``rsync -t`` and ``tar`` do), open again. The memo of file hashes may be used at once
    (`RACY_S` = 0), so what tells the two files apart is the ctime, which no copy can set."""
    monkeypatch.setattr(billing, "RACY_S", 0.0)
    path, cache = bill
    before = billing.open_billing(path, cache_dir=cache)
    assert before.quality.billed_cost == pytest.approx(20.5202, abs=5e-5)
    assert before.provenance["files"][0]["sha256"] == _sha(path)
    memo = json.loads((cache / "file_hashes.json").read_text())
    assert _sha(path) in memo.values()  # the hash was remembered: the second open could have trusted it

    stat = path.stat()
    data = path.read_bytes()
    assert data.count(OLD) >= 1
    path.write_bytes(data.replace(OLD, NEW, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)

    after = billing.open_billing(path, cache_dir=cache)
    assert after.quality.billed_cost == pytest.approx(29.5202, abs=5e-5)
    totals = after.query(Q.totals_by_charge_category)
    assert totals["billed_cost"].sum() == pytest.approx(29.5202, abs=5e-5)
    assert after.provenance["files"][0]["sha256"] == _sha(path) != before.provenance["files"][0]["sha256"]


def test_a_file_changed_just_before_it_was_hashed_is_not_remembered(bill):
    """Within `RACY_S` of a change, file times cannot tell an edit in the same clock tick apart."""
    path, cache = bill
    billing.open_billing(path, cache_dir=cache)
    memo = json.loads((cache / "file_hashes.json").read_text())
    assert _sha(path) not in memo.values()


def _entry(cache: Path) -> Path:
    (folder,) = [d for d in cache.iterdir() if d.is_dir()]
    return folder


@pytest.mark.parametrize("damage", ["truncated canonical", "corrupt quality", "quality not a record",
                                    "corrupt result", "corrupt hash memo"])
def test_an_unreadable_cache_entry_is_rebuilt_with_one_line(bill, capfd, damage):
    path, cache = bill
    first = billing.open_billing(path, cache_dir=cache)
    expected = first.query("daily_cost_by_service")
    folder = _entry(cache)
    results = sorted((folder / "results").glob("*.parquet"))
    capfd.readouterr()
    if damage == "truncated canonical":
        canonical = folder / "focus.parquet"
        canonical.write_bytes(canonical.read_bytes()[: canonical.stat().st_size // 2])
    elif damage == "corrupt quality":
        (folder / "quality.json").write_text('{"version": "1.0", "rows": ')
    elif damage == "quality not a record":
        (folder / "quality.json").write_text("[1, 2]")
    elif damage == "corrupt result":
        for r in results:
            r.write_bytes(b"PAR1 not really")
    else:
        (cache / "file_hashes.json").write_text('["not", "a memo"]')

    again = billing.open_billing(path, cache_dir=cache)
    frame = again.query("daily_cost_by_service")
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert again.quality.billed_cost == pytest.approx(20.5202, abs=5e-5)
    assert frame.equals(expected)
    lines = [line for line in err.splitlines() if line.strip()]
    if damage == "corrupt hash memo":
        assert lines == []  # the memo is only a shortcut: the files are hashed again, silently
    else:
        assert lines, f"{damage}: no line said the cache entry was rebuilt"
        assert all(line.startswith("costbook billing cache: ") for line in lines)
        assert all(str(folder) in line for line in lines)
        if damage != "corrupt result":
            assert len(lines) == 1 and "rebuilding it from the source files" in lines[0]
    # and the entry is sound again: a third open reads it back without a word
    billing.open_billing(path, cache_dir=cache).query("daily_cost_by_service")
    assert capfd.readouterr().err == ""


def test_a_cache_folder_that_cannot_be_created_is_one_error_naming_it(bill, tmp_path):
    path, _ = bill
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(BillingDataError) as info:
        billing.open_billing(path, cache_dir=blocker / "cache")
    message = str(info.value)
    assert str(blocker / "cache") in message and "COSTBOOK_CACHE_DIR" in message and "\n" not in message


def _all_results(data) -> dict:
    from costlib import billing_queries as Q

    return {name: data.query(name) for name in Q.QUERIES}


def test_clean_parquet_is_queried_in_place_with_the_same_answers(generated_bill, tmp_path):
    """The same clean Parquet bill opened in place (a view) and rewritten (the canonical file): every query's
    rows and the quality record agree (floats to 1e-12 relative: the engine sums in parallel, in no fixed
    order, so the last bits of a sum differ between any two scans)."""
    import pandas as pd

    from tests.test_finops_on_spark import same_record

    truth = generated_bill(250, 21, 11)
    viewed = billing.open_billing(truth.path, cache_dir=tmp_path / "view")
    copied = billing.open_billing(truth.path, cache_dir=tmp_path / "copy", in_place=False)
    assert (viewed.canonical.parent / billing.IN_PLACE_VIEW).is_file() and not viewed.canonical.is_file()
    assert copied.canonical.is_file() and not (copied.canonical.parent / billing.IN_PLACE_VIEW).exists()
    assert same_record(viewed.quality.to_dict(), copied.quality.to_dict())
    assert viewed.quality.rows == truth.rows
    left, right = _all_results(viewed), _all_results(copied)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], rtol=1e-12, check_dtype=False, obj=name)
    assert viewed.custom_columns == copied.custom_columns
    # the view's queries read each tag key from its own column, the copy's from the map: same answers above
    assert sorted(viewed.tag_columns) == [f"x_CostbookTag_{k}" for k in ("cost-center", "environment", "k8s-cluster",
                                                                          "team")] and copied.tag_columns == {}
    # a query that reads no tag runs on the table without Tags (no join to the parsed tags), one that does not
    untagged = ibis.to_sql(viewed._expression(Q.cost_by, {"dimensions": ["ServiceName"]}), dialect="duckdb")
    tagged = ibis.to_sql(viewed._expression(Q.cost_by_tag, {"key": "team"}), dialect="duckdb")
    assert Q.UNTAGGED_TABLE_NAME in untagged and Q.UNTAGGED_TABLE_NAME not in tagged
    # an engine that needs a file gets one written from the view, with the same rows
    written = billing.canonical_file(viewed.canonical)
    assert written.is_file() and pd.read_parquet(written).shape == pd.read_parquet(copied.canonical).shape


def test_parquet_that_needs_repair_is_rewritten(generated_bill, tmp_path):
    """A null token in a text column (here 'NULL' in ChargeDescription) is a repair: the file is rewritten."""
    import pandas as pd

    frame = pd.read_parquet(generated_bill(250, 21, 11).path)
    frame.loc[0, "ChargeDescription"] = "NULL"
    dirty = tmp_path / "dirty.parquet"
    frame.to_parquet(dirty, index=False)
    data = billing.open_billing(dirty, cache_dir=tmp_path / "cache")
    assert data.canonical.is_file() and not (data.canonical.parent / billing.IN_PLACE_VIEW).exists()
    assert data.quality.null_tokens["ChargeDescription"]["NULL"] == 1
