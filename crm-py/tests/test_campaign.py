"""Campaigns from Python: the seeded control group (book.plan_campaign) recorded back into
the book, and book.campaign_report with Newcombe's interval. The draws were worked out apart
with splitmix64/FNV-1a in plain Python (the same vectors as the Rust and C tests), the
interval with statsmodels' confint_proportions_2indep(method="newcomb")."""

import datetime as dt

import pytest

import crm

MASK = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _fnv1a64(text: str) -> int:
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def _held_out(seed: int, campaign: str, customer: int, share: float) -> bool:
    u = _splitmix64(_splitmix64(seed ^ _fnv1a64(campaign)) ^ customer) >> 11
    return u / 2.0**53 < share


AT = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def _book(n: int) -> crm.CustomerBook:
    book = crm.CustomerBook("TRY")
    for i in range(1, n + 1):
        book.add_customer(id=i, given_name="Ad", family_name="Soyad", region="Ege" if i % 2 else "Marmara")
    return book


def test_the_plan_matches_an_independent_draw() -> None:
    book = _book(200)
    events = book.plan_campaign(range(1, 201), "bahar-25", at=AT, holdout_share=0.3, seed=7, cost_per_send=40)
    assert len(events) == 200
    for e in events:
        want = "held_out" if _held_out(7, "bahar-25", e["customer_id"], 0.3) else "targeted"
        assert e["step"] == want
        assert e.get("cost", 0) == (40 if want == "targeted" else 0)
    book.record_many(events)
    # Planned again: everyone is assigned already.
    assert book.plan_campaign([1, 2, 3], "bahar-25", at=AT, holdout_share=0.3, seed=7) == []


def test_the_report_gives_newcombe_uplift_by_region() -> None:
    book = _book(200)
    events = []
    # 100 treated (30 buy), 100 held out (20 buy): assigned by hand, not by the draw.
    for i in range(1, 201):
        step = "targeted" if i <= 100 else "held_out"
        events.append({"customer_id": i, "at": AT, "type": "campaign", "campaign_id": "c1", "step": step})
        if (i <= 30) or (100 < i <= 120):
            events.append({"customer_id": i, "at": AT + dt.timedelta(days=3), "type": "purchase",
                           "amount": 1000, "currency": "TRY"})
    book.record_many(events)
    report = book.campaign_report("c1", at=AT + dt.timedelta(days=40), by="region")
    u = report["conversion_uplift"]
    assert u["difference"] == pytest.approx(0.10, abs=1e-12)
    assert u["lower"] == pytest.approx(-0.020249362153013428, abs=1e-12)
    assert u["upper"] == pytest.approx(0.21673435401778593, abs=1e-12)
    assert report["treated"]["conversions"] == 30 and report["control"]["conversions"] == 20
    # Revenue per customer 30·1000/100 = 300 vs 20·1000/100 = 200: (300 − 200) × 100 treated.
    assert report["incremental_revenue"] == pytest.approx(10_000.0)
    regions = report["groups"][0]
    assert regions["by"] == "region"
    assert [g["key"] for g in regions["groups"]] == ["Ege", "Marmara"]
    assert sum(g["treated"]["customers"] + g["control"]["customers"] for g in regions["groups"]) == 200


def test_bad_input_names_the_field() -> None:
    book = _book(3)
    with pytest.raises(crm.NotFoundError, match="campaign_id"):
        book.campaign_report("nope", at=AT)
    book.record_many(book.plan_campaign([1, 2, 3], "c1", at=AT))
    with pytest.raises(crm.InvalidInputError, match="window_days"):
        book.campaign_report("c1", at=AT, window_days=0)
    with pytest.raises(crm.InvalidInputError, match="holdout_share"):
        book.plan_campaign([1], "c2", at=AT, holdout_share=0.9)
    with pytest.raises(crm.NotFoundError, match="customer_id"):
        book.plan_campaign([99], "c2", at=AT)
