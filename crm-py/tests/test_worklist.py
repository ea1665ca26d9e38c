"""The retention worklist from Python (book.worklist) on the hand-worked book shared with
crm-core's book::activity_tests and crm-ffi's tests/c/test_worklist.c."""

import datetime as dt

import pytest

import crm

AT = dt.datetime(2025, 3, 5, 10, 0, tzinfo=dt.timezone.utc)
NEGLECT = {"neglect": {"after_days": 2, "min_score": 0}}


def _t(text: str) -> str:
    return f"2025-03-{text}:00Z"


def _call(cid: int, at: str, direction: str) -> dict:
    return {"customer_id": cid, "at": _t(at), "type": "interaction", "channel": "phone", "direction": direction}


def _book() -> crm.CustomerBook:
    book = crm.CustomerBook("TRY")
    for i in (1, 2, 3):
        book.add_customer(id=i, given_name="Ad", family_name="Soyad")
    book.record_many([
        {"customer_id": 1, "at": _t("01T08:00"), "type": "purchase", "amount": 10000, "currency": "TRY"},
        {"customer_id": 2, "at": _t("01T08:00"), "type": "purchase", "amount": 20000, "currency": "TRY"},
        _call(1, "01T09:00", "outbound"),
        _call(1, "02T09:00", "inbound"),
        _call(1, "03T09:00", "inbound"),
        {"customer_id": 1, "at": _t("03T09:00"), "type": "activity_scheduled", "activity_id": "A-1",
         "activity": "call", "owner": "zeynep", "due": _t("04T12:00")},
        {"customer_id": 2, "at": _t("04T09:00"), "type": "campaign", "campaign_id": "bahar", "step": "sent",
         "channel": "email"},
        _call(2, "05T09:00", "inbound"),
    ])
    return book


def test_rows_worked_by_hand() -> None:
    rows = _book().worklist(at=AT, use_clv=False, lifecycle=NEGLECT)
    # Both New (first purchase 4 days ago): 10% of net revenue at risk.
    # 1: 1000 x (1 + (4 + 1/24 - 2)/2 + 0.5 x 2 unanswered + 0.25 x 1 overdue);
    # 2: 2000 x (1 + 0.5 x 1 unanswered) = 3000; 3, a prospect, is left out.
    assert [r["customer_id"] for r in rows] == [1, 2]
    assert rows[0]["priority"] == pytest.approx(1000 * (1 + (4 + 1 / 24 - 2) / 2 + 1.0 + 0.25))
    assert rows[1]["priority"] == 3000.0
    assert rows[0]["neglected"] and not rows[1]["neglected"]
    assert rows[0]["next_action"] == "return the customer's unanswered contact"
    assert rows[0]["due"] == "2025-03-05T12:00:00Z"
    assert rows[0]["reason"].startswith("value at risk 1000 = 10% of net revenue 10000 (new stage")
    assert "1 activity overdue" in rows[0]["reason"]


def test_limit_and_frames() -> None:
    book = _book()
    assert [r["customer_id"] for r in book.worklist(at=AT, limit=1, use_clv=False, lifecycle=NEGLECT)] == [1]
    cols = book.worklist(at=AT, use_clv=False, lifecycle=NEGLECT, frame="numpy")
    assert list(cols["customer_id"]) == [1, 2]
    assert cols["priority"].dtype.name == "float64"
    pd = pytest.importorskip("pandas")
    df = book.worklist(at=AT, use_clv=False, lifecycle=NEGLECT, frame="pandas")
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns)[:4] == ["customer_id", "priority", "value_at_risk", "neglect_factor"]
    assert df["next_action"].tolist()[1] == "return the customer's unanswered contact"


def test_bad_options_name_the_field() -> None:
    book = _book()
    with pytest.raises(crm.InvalidInputError) as e:
        book.worklist(at=AT, limit=0)
    assert "limit" in str(e.value)
    with pytest.raises(crm.InvalidInputError) as e:
        book.worklist(at=AT, agents=0)
    assert "capacity.agents" in str(e.value)
    with pytest.raises(crm.InvalidInputError) as e:
        book.worklist(at=AT, lifecycle={"neglect": {"min_score": 101}})
    assert "neglect.min_score" in str(e.value)
    with pytest.raises(crm.InvalidInputError):
        book.worklist(at=AT, frame="excel")
    with pytest.raises(crm.CrmError) as e:
        book.record(customer_id=1, at="2025-03-05T10:00:00Z", type="activity_done", activity_id="A-9")
    assert "activity_id" in str(e.value)
