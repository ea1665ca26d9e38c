"""Lifecycle stages and complaint SLAs from Python, against figures worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

import crm

ISTANBUL = {
    "time_zone": "Europe/Istanbul",
    "week": {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2025-04-23"],
}
POLICY = {
    "name": "istanbul",
    "calendar": ISTANBUL,
    "targets": {"high": {"first_response": 60, "resolution": 240}, "normal": {"resolution": 480}},
    "escalation": [{"level": 1, "at_share": 0.75, "to": "team lead"}],
}


def opened(at: str, cid: int = 1, complaint: int = 7, priority: str = "high") -> dict:
    return {"customer_id": cid, "at": at, "type": "complaint_opened", "complaint_id": complaint, "priority": priority}


def test_friday_evening_complaint_is_due_monday_at_lunch() -> None:
    # Friday 17:30 İstanbul (14:30Z) + 240 business minutes: 30 on Friday, 210 on Monday
    # 09:00–12:30 → Monday 12:30 = 09:30Z.
    policy = crm.SlaPolicy(POLICY)
    s = policy.evaluate([opened("2025-03-07T14:30:00Z")], now="2025-03-10T07:00:00Z")
    assert s is not None
    assert s["resolution"]["due_at"] == "2025-03-10T09:30:00Z"
    assert s["resolution"]["used_minutes"] == 90.0
    assert s["first_response"]["state"] == "breached"
    assert s["first_response"]["breached_at"] == "2025-03-10T06:30:00Z"
    assert s["escalation_level"] == 1 and s["escalate_to"] == "team lead"


def test_pause_and_priority_change() -> None:
    policy = crm.SlaPolicy(POLICY)
    events = [
        opened("2025-03-10T06:00:00Z", priority="normal"),
        {"customer_id": 1, "at": "2025-03-10T07:00:00Z", "type": "complaint_status_changed",
         "complaint_id": 7, "status": "waiting_on_customer"},
    ]
    s = policy.evaluate(events, now="2025-03-10T12:00:00Z")
    assert s is not None and s["resolution"]["state"] == "paused" and s["resolution"]["due_at"] is None
    # Raised to high while paused: 240 from the opening, 60 used, still paused.
    events.append({"customer_id": 1, "at": "2025-03-10T08:00:00Z", "type": "complaint_priority_changed",
                   "complaint_id": 7, "priority": "high"})
    s = policy.evaluate(events, now="2025-03-10T12:00:00Z")
    assert s is not None and s["priority"] == "high"
    assert (s["resolution"]["target"]["minutes"], s["resolution"]["used_minutes"]) == (240, 60.0)


def test_policies_round_trip_and_bad_input_names_the_field() -> None:
    policy = crm.SlaPolicy([POLICY, {"name": "rest", "targets": {"low": {"resolution": 2880}}}])
    again = crm.SlaPolicy.from_json(policy.to_json())
    assert again.to_json() == policy.to_json()
    with pytest.raises(crm.InvalidInputError, match=r"policies\[0\]\.targets\.high\.resolution"):
        crm.SlaPolicy({"name": "x", "targets": {"high": {"resolution": 0}}})
    with pytest.raises(crm.ParseError):
        crm.SlaPolicy("{nope")
    with pytest.raises(crm.InvalidInputError):
        crm.SlaPolicy(POLICY).evaluate([{"customer_id": 1, "at": "2025-03-10T06:00:00Z", "type": "complaint_closed", "complaint_id": 7}])


def book_with_complaint() -> crm.CustomerBook:
    book = crm.CustomerBook("TRY")
    book.add_customer(id=1, given_name="Elif", family_name="Şahin", acquired_at="2025-01-01T00:00:00Z")
    book.record(customer_id=1, at="2025-01-05T10:00:00Z", type="purchase", amount=10_000, currency="TRY")
    book.record(opened("2025-03-10T06:00:00Z"))
    return book


def test_book_evaluation_frames_view_and_report() -> None:
    book = book_with_complaint()
    policy = crm.SlaPolicy(POLICY)
    rows = policy.evaluate(book, now="2025-03-10T08:00:00Z")
    assert [r["complaint_id"] for r in rows] == [7]
    df = policy.evaluate(book, now="2025-03-10T08:00:00Z", frame="pandas")
    assert isinstance(df, pd.DataFrame)
    # 09:00–11:00 İstanbul: 120 of 240 resolution minutes used.
    assert df.loc[0, "resolution_used_minutes"] == 120.0
    assert isinstance(policy.evaluate(book, now="2025-03-10T08:00:00Z", frame="polars"), pl.DataFrame)
    book.set_sla_policy(policy)
    v = book.view(1, as_of="2025-03-10T08:00:00Z")
    # 240 from 09:00: 210 until the 12:30 lunch, 30 after 13:30 → 14:00 İstanbul = 11:00Z.
    assert v["complaints"]["open"][0]["sla"]["resolution"]["due_at"] == "2025-03-10T11:00:00Z"
    book.set_sla_policy(None)
    assert "sla" not in book.view(1, as_of="2025-03-10T08:00:00Z")["complaints"]["open"][0]
    # First response breached at 10:00 İstanbul: 0 met, 1 breached; one unresolved complaint
    # at 50% expected retention → 0.45 lost to late resolution × 5 × 100 = 225.
    rep = policy.report(book, "2025-03-01", "2025-04-01", now="2025-03-10T08:00:00Z", retention_cost=100.0)
    assert rep["compliance"] == [{"group": "high", "complaints": 1, "met": 0, "breached": 1, "pending": 0, "rate": 0.0}]
    assert rep["retention"]["unresolved"] == 1
    assert rep["retention"]["cost_of_late_resolution"] == pytest.approx(225.0)
    with pytest.raises(crm.InvalidInputError, match="by"):
        policy.report(book, "2025-03-01", "2025-04-01", by="colour")


def test_lifecycle_from_a_book_and_from_columns() -> None:
    book = book_with_complaint()
    policy = crm.LifecyclePolicy()
    # Bought once on 5 January; by 10 February (36 days) still New.
    out = policy.classify(book, as_of="2025-02-10")
    assert list(out["stage"]) == ["new"]
    assert isinstance(policy.classify(book, as_of="2025-02-10", frame="polars"), pl.DataFrame)
    # The complaint opened 10 March is open 14 days on 24 March → at risk; 5 April is past
    # the 90-day window anyway.
    spells = policy.history(book, 1, as_of="2025-03-25")
    assert [s["stage"] for s in spells] == ["prospect", "new", "at_risk"]
    assert spells[-1]["from"] == "2025-03-24T06:00:00Z"
    book.set_lifecycle_policy(policy)
    life = book.view(1, as_of="2025-03-25")["lifecycle"]
    assert (life["stage"], life["phase"], life["next_action"]) == ("at_risk", "retain", "win back")
    facts = pd.DataFrame({
        "purchases": [0, 1, 3],
        "days_since_first": [np.nan, 5.0, 400.0],
        "days_since_last": [np.nan, 5.0, 10.0],
        "recent_purchases": [0, 1, 3],
    })
    assert list(policy.classify(facts)) == ["prospect", "new", "loyal"]
    with pytest.raises(crm.InvalidInputError, match="churn_days"):
        crm.LifecyclePolicy({"churn_days": 10})
    report = policy.report(book, "2025-01-01", "2025-04-01")
    new = crm.lifecycle_stages().index("new")
    assert report["entered"][new] == 1


def test_churn_reasons_use_the_priors_for_unknown_reasons() -> None:
    book = crm.CustomerBook("TRY")
    for cid in (1, 2):
        book.add_customer(id=cid, given_name="A", family_name="B")
        book.record(customer_id=cid, at="2024-01-01T00:00:00Z", type="purchase", amount=100, currency="TRY")
    book.record(customer_id=1, at="2024-02-01T00:00:00Z", type="churned", reason="moved")
    r = crm.LifecyclePolicy().churn_reasons(book, as_of="2025-06-01")
    # Customer 1 recorded "moved"; customer 2 churned silently: spread 1%/3%/5%/9%/14%/68%.
    assert r["churned"] == 2 and r["unknown"] == 1
    assert r["expected"]["moved"] == pytest.approx(1.03)
    assert r["expected"]["indifference"] == pytest.approx(0.68)
    assert sum(r["shares"].values()) == pytest.approx(1.0)


from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=40, deadline=None)
@given(open_minute=st.integers(0, 30 * 24 * 60), wait=st.integers(0, 10 * 24 * 60))
def test_running_deadlines_lie_in_business_hours_and_equal_the_target(open_minute: int, wait: int) -> None:
    # Mirrors the Rust proptest: a running clock's due instant is a business instant and the
    # business time from opening to it is the target (nothing paused it).
    policy = crm.SlaPolicy(POLICY)
    cal = crm.BusinessCalendar(ISTANBUL)
    opened_at = dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=open_minute)
    now = opened_at + dt.timedelta(minutes=wait)
    s = policy.evaluate([opened(opened_at.isoformat())], now=now)
    assert s is not None
    due = s["resolution"]["due_at"]
    assert cal.is_open(due)
    assert cal.business_minutes_between(opened_at, due) == 240


@settings(max_examples=40, deadline=None)
@given(purchases=st.lists(st.integers(0, 900), max_size=8), probe=st.integers(0, 1000))
def test_the_book_and_the_history_agree_on_the_stage(purchases: list, probe: int) -> None:
    # Every instant has exactly one stage, and classifying the book as of it gives that one.
    book = crm.CustomerBook("TRY")
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    book.add_customer(id=1, given_name="A", family_name="B", acquired_at=t0)
    for d in sorted(purchases):
        book.record(customer_id=1, at=t0 + dt.timedelta(days=d), type="purchase", amount=1000, currency="TRY")
    policy = crm.LifecyclePolicy()
    at = t0 + dt.timedelta(days=probe)
    spells = policy.history(book, 1, as_of=t0 + dt.timedelta(days=1000))
    holding = [
        s for s in spells
        if dt.datetime.fromisoformat(s["from"].replace("Z", "+00:00")) <= at
        and (s["to"] is None or at < dt.datetime.fromisoformat(s["to"].replace("Z", "+00:00")))
    ]
    assert len(holding) == 1
    assert list(policy.classify(book, as_of=at)["stage"]) == [holding[0]["stage"]]


def test_exported_facts_classify_like_the_book() -> None:
    book, end, _ = crm.sample_book(500, seed=3)
    policy = crm.LifecyclePolicy()
    facts = policy.facts(book, end, frame="polars")
    assert facts.columns[0] == "customer_id" and len(facts) == len(book)
    assert list(policy.classify(facts)) == list(policy.classify(book, end)["stage"])


def test_churn_reasons_are_keyed_in_crm_core_order() -> None:
    book = crm.CustomerBook("TRY")
    book.add_customer(id=1, given_name="A", family_name="B")
    book.record(customer_id=1, at="2024-01-01T00:00:00Z", type="purchase", amount=100, currency="TRY")
    r = crm.LifecyclePolicy().churn_reasons(book, as_of="2025-06-01")
    assert list(r["priors"]) == crm._crm.CHURN_REASONS
    assert r["priors"] == pytest.approx(dict(zip(crm._crm.CHURN_REASONS, [0.01, 0.03, 0.05, 0.09, 0.14, 0.68])))
