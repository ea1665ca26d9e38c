"""C and Python return the same documents: one book, read by this package and by libcrm.

The segmentation summary, the SLA report and the dedupe outcome are each one crm-core
function that both skins serialise; this test holds them to it. The same snapshot is loaded
by ``crm.CustomerBook.load`` and by ``crm_book_load`` (through ``ctypes``), the same calls are
made on both, and the parsed JSON documents must be equal.

libcrm is ``target/debug/libcrm.so`` (``cargo build -p crm-ffi``), or the path in
``CRM_LIBCRM``. ``make py-test`` builds it and sets ``CRM_LIBCRM``, so there a missing
library fails the test; run by hand without it, the test is skipped and says why.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import crm

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "name": "desk",
    "calendar": {"time_zone": "Europe/Istanbul",
                 "week": {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}},
    "targets": {"urgent": {"first_response": 30, "resolution": 240}, "high": {"first_response": 60, "resolution": 480},
                "normal": {"resolution": 1440}, "low": {"resolution": 4320}},
}
ASSUMPTIONS = {"resolved_in_target": 0.9, "resolved_late": 0.6, "unresolved": 0.4, "acquisition_cost_ratio": 4.0}


def _library() -> Optional[ctypes.CDLL]:
    wanted = os.environ.get("CRM_LIBCRM")
    path = Path(wanted) if wanted else ROOT / "target" / "debug" / "libcrm.so"
    if not path.is_file():
        if wanted:
            pytest.fail(f"CRM_LIBCRM={wanted} does not exist: build it with `cargo build -p crm-ffi`")
        return None
    lib = ctypes.CDLL(str(path))
    p, s, out = ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)
    signatures = {
        "crm_book_load": [s, out],
        "crm_book_analyse_json": [p, s, s, out],
        "crm_sla_policy_from_json": [s, out],
        "crm_sla_report_json": [p, p, s, s, s, s, s, ctypes.c_double, out],
        "crm_book_merge_duplicates_json": [p, s, ctypes.c_bool, s, s, out],
    }
    for name, args in signatures.items():
        f = getattr(lib, name)
        f.argtypes, f.restype = args, ctypes.c_uint32
    for name in ("crm_book_free", "crm_sla_policy_free", "crm_string_free"):
        f = getattr(lib, name)
        f.argtypes, f.restype = [p], None
    lib.crm_last_error_message.argtypes, lib.crm_last_error_message.restype = [], s
    return lib


class C:
    """The few libcrm calls the comparison makes, each returning parsed JSON."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib

    def check(self, status: int) -> None:
        assert status == 0, f"libcrm status {status}: {self.lib.crm_last_error_message().decode()}"

    def handle(self, constructor: str, arg: str) -> ctypes.c_void_p:
        h = ctypes.c_void_p()
        self.check(getattr(self.lib, constructor)(arg.encode(), ctypes.byref(h)))
        return h

    def json(self, function: str, *args: Any) -> Any:
        text = ctypes.c_void_p()
        self.check(getattr(self.lib, function)(*args, ctypes.byref(text)))
        try:
            return json.loads(ctypes.cast(text, ctypes.c_char_p).value or b"")
        finally:
            self.lib.crm_string_free(text)


@pytest.fixture(scope="module")
def c() -> C:
    lib = _library()
    if lib is None:
        pytest.skip(f"libcrm not built: {ROOT / 'target/debug/libcrm.so'} is missing (`cargo build -p crm-ffi`; "
                    "`make py-test` builds it)")
    return C(lib)


@pytest.fixture()
def books(c: C, tmp_path: Path) -> Iterator[tuple[crm.CustomerBook, ctypes.c_void_p, dt.datetime]]:
    """The same sample book (duplicates, complaints) in Python and in C, and its end."""
    sample, end, _ = crm.sample_book(400, seed=13)
    path = tmp_path / "book.json"
    sample.save(path)
    c_book = c.handle("crm_book_load", str(path))
    try:
        yield crm.CustomerBook.load(path), c_book, end
    finally:
        c.lib.crm_book_free(c_book)


def rfc3339(t: dt.datetime) -> bytes:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ").encode()


def test_the_segmentation_summary_is_one_document(c: C, books: Any) -> None:
    py_book, c_book, end = books
    config = {"value": {"keys": [{"key": "monetary", "weight": 0.5}, {"key": "recency", "weight": 0.3},
                                 {"key": "referrals", "weight": 0.2}]}}
    for cfg in (None, config):
        text = None if cfg is None else json.dumps(cfg).encode()
        from_c = c.json("crm_book_analyse_json", c_book, rfc3339(end), text)
        from_py = py_book.analyse(end, cfg)
        assert from_c == from_py
        assert len(from_c["customer_id"]) == len(py_book) and from_c["pareto"]["lorenz"]


def test_the_sla_report_is_one_document(c: C, books: Any) -> None:
    py_book, c_book, end = books
    # Tiers come from the last analysis: make one on both sides first.
    c.json("crm_book_analyse_json", c_book, rfc3339(end), None)
    py_book.analyse(end)
    py_policy = crm.SlaPolicy(POLICY)
    c_policy = c.handle("crm_sla_policy_from_json", json.dumps(POLICY))
    start, now = end - dt.timedelta(days=365), end
    try:
        seen = 0
        for by in ("priority", "tier", "channel", "category", "policy"):
            for assumptions in (None, ASSUMPTIONS):
                text = None if assumptions is None else json.dumps(assumptions).encode()
                from_c = c.json("crm_sla_report_json", c_book, c_policy, rfc3339(now), rfc3339(start), rfc3339(end),
                                by.encode(), text, 250.0)
                from_py = py_policy.report(py_book, start, end, now, by=by, assumptions=assumptions, retention_cost=250.0)
                assert from_c == from_py, by
                seen += sum(row["complaints"] for row in from_c["compliance"])
        assert seen > 0, "the sample has complaints in the period"
    finally:
        c.lib.crm_sla_policy_free(c_policy)


def test_the_dedupe_outcome_is_one_document(c: C, books: Any) -> None:
    py_book, c_book, end = books
    found_c = c.json("crm_book_merge_duplicates_json", c_book, rfc3339(end), False, None, None)
    found_py = py_book.merge_duplicates(apply=False, at=end)
    assert found_c == found_py and found_c["clusters"] and "merges" not in found_c
    rules = {"default": "most_frequent", "fields": {"address": "most_recent"}}
    merged_c = c.json("crm_book_merge_duplicates_json", c_book, rfc3339(end), True, b'{"threshold": 0.9}',
                      json.dumps(rules).encode())
    merged_py = py_book.merge_duplicates(threshold=0.9, rules=rules, apply=True, at=end)
    assert merged_c == merged_py
    assert len(merged_c["merges"]) + len(merged_c["skipped"]) == len(merged_c["clusters"])


def test_an_audience_and_a_campaign_report_are_one_document(c: C, books: Any) -> None:
    py_book, c_book, end = books
    rule = {"any": [{"field": "tier", "in": ["Platinum", "Gold"]}, {"field": "frequency", "gte": 3}]}
    options = {"at": rfc3339(end).decode(), "channel": "email", "suppression": {"open_complaints": True}}
    audience = c.handle("crm_audience_new", json.dumps(rule))
    try:
        from_c = c.json("crm_audience_select_json", audience, c_book, json.dumps(options).encode())
    finally:
        c.lib.crm_audience_free(audience)
    rows, counts = crm.Audience(rule).select(py_book, at=end, channel="email",
                                             suppression={"open_complaints": True}, with_counts=True)
    assert from_c["customer_id"] == list(rows["customer_id"])
    assert from_c["included"] == list(rows["included"]) and from_c["reason"] == list(rows["reason"])
    assert from_c["rule"] == list(rows["rule"])
    assert {k: from_c[k] for k in counts} == counts
    # A campaign planned in Python, recorded on both books, reported from both.
    events = py_book.plan_campaign(list(rows["customer_id"]), "parity", at=end, holdout_share=0.2, seed=7)
    py_book.record_many(events)
    for e in events:
        c.check(c.lib.crm_book_record_json(c_book, json.dumps(e, default=str).encode()))
    at = end + dt.timedelta(days=31)
    from_c = c.json("crm_book_campaign_report_json", c_book, b"parity",
                    json.dumps({"at": rfc3339(at).decode(), "by": ["tier"]}).encode())
    assert from_c == py_book.campaign_report("parity", at=at, by=["tier"])
    assert from_c["treated"]["customers"] + from_c["control"]["customers"] == len(py_book)
