"""Duplicate prevention at the point of entry: book.find_matches and
add_customer(on_duplicate=...), on a book in memory and on a stored one. Expectations come
from the sample's ground truth (DuplicateTruth: which record copies which)."""

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import pandas as pd
import pytest

import crm

FIELDS = ["name", "birth_date", "email", "phone", "national_id", "address", "postcode"]
AT = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.timezone.utc)
STRANGER = {"id": 9_000_002, "given_name": "Zebulon", "family_name": "Quaxworth",
            "birth_date": "1931-07-04", "phones": ["0212 999 88 77"], "emails": ["zq@example.org"]}


def _sample() -> Tuple[crm.CustomerBook, List[Dict[str, Any]]]:
    book, _, truth = crm.sample_book(600, seed=3)
    return book, truth


def _stored(tmp_path: Path, source: crm.CustomerBook) -> crm.CustomerBook:
    """A stored book with the customers (and events) of `source`."""
    path = tmp_path / "source.json"
    source.save(path)
    stored = crm.CustomerBook.open(tmp_path / "book.crm", currency="TRY")
    stored.import_snapshot(path)
    return stored


@pytest.fixture(params=["memory", "stored"])
def sample(request: Any, tmp_path: Path) -> Tuple[crm.CustomerBook, List[Dict[str, Any]]]:
    book, truth = _sample()
    return (book if request.param == "memory" else _stored(tmp_path, book)), truth


def test_each_injected_copy_finds_its_original(sample: Tuple[crm.CustomerBook, List[Dict[str, Any]]]) -> None:
    book, truth = sample
    assert truth, "the sample injects duplicates"
    found = 0
    for t in truth:
        record = book.customer(t["duplicate"])
        assert record is not None
        m = book.find_matches(record)
        ids = m.candidates["customer_id"].tolist()
        assert t["duplicate"] not in ids, "a record is never its own duplicate"
        found += t["original"] in ids
        assert np.all(np.diff(m.candidates["probability"]) <= 0), "best first"
        assert np.all(m.candidates["probability"] >= 0.9)
    # The light copies are what the batch pipeline finds at recall ~0.99; allow one miss in 20.
    assert found >= 0.95 * len(truth), (found, len(truth))


def test_a_retyped_customer_is_found_first_with_its_evidence() -> None:
    book, truth = _sample()
    originals = {t["original"] for t in truth} | {t["duplicate"] for t in truth}
    cid = next(int(c) for c in book.customer_ids() if int(c) not in originals)
    again = {**(book.customer(cid) or {}), "id": 9_000_001, "emails": []}
    m = book.find_matches(again, frame="pandas")
    assert isinstance(m.candidates, pd.DataFrame)
    assert m.candidates["customer_id"].tolist()[:1] == [cid]
    ev = m.evidence
    assert list(ev.columns) == ["customer_id", "field", "level", "weight"]
    mine = ev[ev["customer_id"] == cid]
    assert mine["field"].tolist() == FIELDS
    # The e-mail was left out: no evidence either way; the rest agree.
    assert mine.set_index("field").loc["email", "level"] == "missing"
    assert mine.set_index("field").loc["email", "weight"] == 0
    assert mine.set_index("field").loc["name", "level"] == "same"
    assert np.all((mine["weight"] > 0) == (mine["level"] == "same"))
    # Keyword arguments are the record, as add_customer takes them.
    kw = book.find_matches(**again)
    assert kw.candidates["customer_id"].tolist() == m.candidates["customer_id"].tolist()


def test_a_distinct_customer_has_no_candidate(sample: Tuple[crm.CustomerBook, List[Dict[str, Any]]]) -> None:
    book, _ = sample
    m = book.find_matches(STRANGER)
    assert len(m.candidates["customer_id"]) == 0 and len(m.evidence["field"]) == 0


def test_reject_raises_with_the_candidates_and_changes_nothing(
        sample: Tuple[crm.CustomerBook, List[Dict[str, Any]]], tmp_path: Path) -> None:
    book, truth = sample
    t = truth[0]
    copy = {**(book.customer(t["duplicate"]) or {}), "id": 9_000_003}
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    book.save(before)
    n = len(book)
    with pytest.raises(crm.DuplicateError) as caught:
        book.add_customer(copy, on_duplicate="reject")
    err = caught.value
    assert err.field == "customer"
    ids = [c[0] for c in err.candidates]
    assert t["duplicate"] in ids and t["original"] in ids
    assert all(p >= 0.9 for _, p in err.candidates)
    assert "9000003 likely duplicates" in str(err)
    assert str(copy.get("family_name") or "\0") not in str(err), "no personal data in the message"
    book.save(after)
    assert before.read_bytes() == after.read_bytes()
    assert len(book) == n and 9_000_003 not in book
    # A customer the book does not have is added under reject.
    assert book.add_customer(STRANGER, on_duplicate="reject") == crm.Added(STRANGER["id"], [], False)
    assert STRANGER["id"] in book


def test_merge_leaves_one_survivor_with_both_records_events(
        sample: Tuple[crm.CustomerBook, List[Dict[str, Any]]]) -> None:
    book, truth = sample
    t = truth[0]
    original = book.customer(t["original"]) or {}
    copy = {**original, "id": 9_000_004, "emails": []}
    purchases_before = book.view(t["original"], AT)["purchases"]["count"]
    n = len(book)
    added = book.add_customer(copy, on_duplicate="merge", at=AT)
    assert added is not None and added.merged
    survivor = added.customer_id
    assert book.resolve(9_000_004) == survivor and survivor == added.candidates[0][0]
    assert survivor in (t["original"], t["duplicate"])
    assert len(book) == n
    # The copy's own events land on the survivor too.
    book.record(customer_id=9_000_004, at="2026-12-03T11:00:00Z", type="purchase", amount=12_345,
                currency="TRY")
    after = book.view(survivor, AT + dt.timedelta(days=1))["purchases"]["count"]
    if survivor == t["original"]:
        assert after == purchases_before + 1
    else:
        assert after >= 1
    merges = book.merges()
    assert merges[-1]["survivor"] == survivor and merges[-1]["merged"] == [9_000_004]


def test_allow_adds_a_likely_duplicate_as_itself_and_reports_the_candidates() -> None:
    book, truth = _sample()
    t = truth[0]
    copy = {**(book.customer(t["original"]) or {}), "id": 9_000_005}
    expected = book.find_matches(copy)
    added = book.add_customer(copy, on_duplicate="allow")
    assert added is not None and added.customer_id == 9_000_005 and not added.merged
    # The candidates are those find_matches gives before the add, best first.
    ids = [c for c, _ in added.candidates]
    assert ids == [int(c) for c in expected.candidates["customer_id"]]
    assert [p for _, p in added.candidates] == [float(p) for p in expected.candidates["probability"]]
    assert t["original"] in ids and t["duplicate"] in ids
    assert all(p >= 0.9 for _, p in added.candidates)
    assert book.resolve(9_000_005) == 9_000_005
    assert book.add_customer(copy | {"id": 9_000_006}) is None  # no policy: the plain add
    assert book.resolve(9_000_006) == 9_000_006
    # "allow" looks (core's Allow), so like the other policies it cannot wait for a batch;
    # the plain add can.
    with pytest.raises(crm.ConflictError) as in_batch:
        with book.batch():
            book.add_customer(copy | {"id": 9_000_008}, on_duplicate="allow")
    assert in_batch.value.field == "on_duplicate"
    with book.batch():
        book.add_customer(copy | {"id": 9_000_009})
    assert 9_000_008 not in book and 9_000_009 in book


def test_a_bad_policy_names_on_duplicate_and_adds_nothing() -> None:
    book, truth = _sample()
    copy = {**(book.customer(truth[0]["original"]) or {}), "id": 9_000_007}
    with pytest.raises(crm.InvalidInputError) as caught:
        book.add_customer(copy, on_duplicate="skip")
    assert caught.value.field == "on_duplicate"
    assert 9_000_007 not in book
    with pytest.raises(crm.InvalidInputError) as bad_country:
        book.find_matches(copy, country="Narnia")
    assert bad_country.value.field == "country"
    with pytest.raises(crm.ConflictError) as in_batch:
        with book.batch():
            book.add_customer(copy, on_duplicate="reject")
    assert in_batch.value.field == "on_duplicate"
    assert 9_000_007 not in book


def test_a_plain_duplicate_id_error_has_no_candidates() -> None:
    book, _ = _sample()
    cid = int(book.customer_ids()[0])
    with pytest.raises(crm.DuplicateError) as caught:
        book.add_customer(cid)
    assert caught.value.candidates == []
