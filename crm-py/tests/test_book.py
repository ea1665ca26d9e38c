"""crm-core/src/book/ through Python: records as dicts, the 360° view, errors, snapshots."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pandas as pd
import pytest

import crm

T0 = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.timezone.utc)


def book() -> crm.CustomerBook:
    b = crm.CustomerBook("TRY")
    b.add_customer({"id": 1, "given_name": "Ayşe", "family_name": "Yılmaz"})
    b.add_customer(id=2, given_name="Mehmet", family_name="Öztürk")
    b.record(customer_id=1, at=T0, type="purchase", amount=10_000, currency="TRY", category="a")
    b.record({"customer_id": 1, "at": T0 + dt.timedelta(days=2), "type": "purchase", "amount": 25_000,
              "currency": "TRY", "category": "b"})
    b.record(customer_id=1, at=T0 + dt.timedelta(days=3), type="referral", referred=2)
    b.record(customer_id=1, at=T0 + dt.timedelta(days=4), type="complaint_opened", complaint_id=5,
             priority="high", channel="call_centre")
    return b


def test_view_as_a_dict():
    b = book()
    v = b.view(1, as_of=T0 + dt.timedelta(days=10))
    assert v["purchases"]["net"] == 35_000
    assert v["referrals"]["made"] == [2]
    assert [c["complaint_id"] for c in v["complaints"]["open"]] == [5]
    assert v["timeline"]["total"] == 4
    assert v["timeline"]["items"][0]["event"]["type"] == "complaint_opened"
    assert b.view(2, as_of=T0 + dt.timedelta(days=10))["referrals"]["referred_by"] == 1
    assert len(b) == 2 and 1 in b and 3 not in b and b.event_count == 4


def test_stats():
    s = book().stats()
    assert (s["customers"], s["events"], s["net_revenue"]) == (2, 4, 35_000)
    assert s["events_by_type"] == {"purchase": 2, "referral": 1, "complaint_opened": 1}
    assert s["events_by_channel"] == {"call_centre": 1}
    assert (s["complaints"], s["complaints_open"]) == (1, 1)


def test_features_as_numpy_pandas_polars():
    b = book()
    as_of = T0 + dt.timedelta(days=10)
    f = b.features(as_of)
    assert f["customer_id"].tolist() == [1, 2]
    assert f["frequency"].tolist() == [2, 0]
    assert f["monetary"].tolist() == [35_000, 0]
    assert f["recency_days"][0] == 8.0 and np.isnan(f["recency_days"][1])
    assert isinstance(b.features(as_of, frame="pandas"), pd.DataFrame)


def test_errors_name_field_and_value_and_change_nothing():
    b = book()
    before = b.event_count
    with pytest.raises(crm.NotFoundError) as e:
        b.record(customer_id=99, at=T0, type="purchase", amount=1, currency="TRY")
    assert isinstance(e.value, KeyError) and e.value.field == "customer_id"
    assert str(e.value) == "unknown customer_id 99"
    with pytest.raises(crm.InvalidInputError, match="invalid amount -5"):
        b.record(customer_id=1, at=T0, type="purchase", amount=-5, currency="TRY")
    with pytest.raises(crm.InvalidInputError, match="the book's currency is TRY"):
        b.record(customer_id=1, at=T0, type="purchase", amount=5, currency="EUR")
    with pytest.raises(crm.DuplicateError):
        b.add_customer(id=1, given_name="X", family_name="Y")
    with pytest.raises(crm.ConflictError, match="dated before its previous event"):
        b.record(customer_id=1, at=T0, type="complaint_resolved", complaint_id=5, root_cause="billing")
    with pytest.raises(crm.ParseError):
        b.record(customer_id=1, at=T0, type="teleportation")
    with pytest.raises(crm.InvalidInputError, match=r"1234\*\*\*\*\*\*\*"):
        b.add_customer(id=7, given_name="A", family_name="B", national_id="1234567890X")
    with pytest.raises(crm.NotFoundError):
        b.view(42)
    bad_batch = [
        {"customer_id": 2, "at": T0, "type": "purchase", "amount": 1, "currency": "TRY"},
        {"customer_id": 2, "at": T0, "type": "purchase", "amount": -1, "currency": "TRY"},
    ]
    with pytest.raises(crm.InvalidInputError, match="event #1"):
        b.record_many(bad_batch)
    assert b.event_count == before


def test_save_load_round_trip(tmp_path):
    b = book()
    path = tmp_path / "book.json"
    b.save(path)
    loaded = crm.CustomerBook.load(path)
    as_of = T0 + dt.timedelta(days=10)
    assert loaded.view(1, as_of) == b.view(1, as_of)
    with pytest.raises(crm.CrmIOError):
        crm.CustomerBook.load(tmp_path / "missing.json")
    path.write_text('{"format_version": 9, "config": {"currency": "TRY"}, "customers": [], "events": []}')
    with pytest.raises(crm.UnsupportedVersionError):
        crm.CustomerBook.load(path)


def test_a_failed_save_raises_and_keeps_the_old_snapshot(tmp_path):
    # A file-size limit makes the write fail half way, as a full disk does; it binds the whole
    # process, so the save runs in a child.
    path = tmp_path / "book.json"
    book().save(path)
    old = path.read_bytes()
    child = textwrap.dedent(
        f"""
        import resource, signal, sys
        import crm
        b = crm.CustomerBook("TRY")
        for i in range(300):
            b.add_customer(id=i, given_name="Ali")
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            b.save({str(path)!r})
        except crm.CrmIOError as e:
            print("raised", e)
            sys.exit(0)
        sys.exit(1)
        """
    )
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "could not write the snapshot: File too large" in done.stdout
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["book.json"]
    assert len(crm.CustomerBook.load(path)) == 2
    with pytest.raises(crm.CrmIOError, match="no-such-folder"):
        book().save(tmp_path / "no-such-folder" / "book.json")


def test_a_damaged_snapshot_does_not_load(tmp_path):
    path = tmp_path / "book.json"
    book().save(path)
    text = path.read_text(encoding="utf-8")
    assert text.count('"id":2,') == 1
    path.write_text(text.replace('"id":2,', '"id":3,'), encoding="utf-8")
    with pytest.raises(crm.ParseError, match="checksum"):
        crm.CustomerBook.load(path)


def test_analyse_puts_analytics_into_the_view():
    b, end, duplicates = crm.sample_book(500, seed=4)
    assert len(b) == 500 + len(duplicates)
    result = b.analyse(end)
    assert len(result["score"]) == len(b)
    assert 0.5 < result["pareto"]["top_20_share"] < 0.95
    first = result["customer_id"][0]
    analytics = b.view(first, end)["analytics"]
    assert analytics["tier"] in {"Platinum", "Gold", "Iron", "Lead"}
    assert abs(sum(c[1] for c in analytics["contributions"]) - analytics["score"]) < 1e-9


def test_threads_run_in_parallel_without_errors():
    b, end, _ = crm.sample_book(2_000, seed=5)
    ids = list(b.features(end)["customer_id"][:200])
    results = []

    def work():
        results.append(sum(b.view(int(i), end)["purchases"]["count"] for i in ids))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1


def test_analyse_returns_the_one_segmentation_summary():
    # The document crm-core's Segmentation::summary writes, which C returns too.
    b, end, _ = crm.sample_book(300, seed=6)
    result = b.analyse(end)
    assert set(result) == {"as_of", "customer_id", "score", "tier", "segment", "rfm_score", "abc",
                           "pyramid", "pareto", "rfm_report", "strategies"}
    assert sum(t["customers"] for t in result["pyramid"]) == len(b) == len(result["tier"])
    for t in result["pyramid"]:
        assert result["tier"].count(t["name"]) == t["customers"]
    assert set(result["abc"]) <= set(crm._crm.ABC_CLASSES)
    assert len(result["pareto"]["lorenz"]) > 2


def test_merge_duplicates_returns_the_dedupe_outcome():
    b = crm.CustomerBook("TRY")
    for cid, phone in ((1, "0532 123 45 67"), (2, "+90 532 123 4567"), (3, "0533 765 43 21")):
        b.add_customer(id=cid, given_name="Ayşe", family_name="Demir" if cid == 3 else "Kaya",
                       national_id=None if cid == 3 else "10000000146", phones=[phone])
    assert b.merge_duplicates(at=T0, apply=False) == {"clusters": [[1, 2]]}
    out = b.merge_duplicates(at=T0)
    assert out["clusters"] == [[1, 2]] and out["skipped"] == []
    assert [(m["survivor"], m["merged"]) for m in out["merges"]] == [(1, [2])]
    assert len(b) == 2


def test_batch_ingest_releases_the_gil():
    # While one thread parses and ingests a large batch natively, the main thread keeps
    # running Python code: with the GIL held it could not tick inside the call's window.
    import json
    import time

    text = json.dumps([{"id": i, "given_name": "Ayşe", "family_name": "Kaya"} for i in range(1, 100_001)])
    b = crm.CustomerBook("TRY")
    window = []
    done = threading.Event()

    def ingest():
        start = time.perf_counter()
        b._inner.add_customers_json(text)
        window.extend([start, time.perf_counter()])
        done.set()

    ticks = []
    t = threading.Thread(target=ingest)
    t.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
    t.join()
    assert len(b) == 100_000
    inside = [x for x in ticks if window[0] < x < window[1]]
    assert len(inside) > 100, (len(inside), window[1] - window[0])
