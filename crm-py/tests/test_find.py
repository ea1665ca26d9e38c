"""book.find: the hand-worked cases of crm-core's find tests (a messy phone, an e-mail in
any case, names in any order, prefixes and a misspelling with their scores worked out by
hand, phone and name together, merged ids, updates) on a book in memory and on a stored
one, and bad lookups raising InvalidInputError naming the field."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import crm

AT = dt.datetime(2025, 1, 2, 10, 0, tzinfo=dt.timezone.utc)
# yilmas ~ yilmaz: Jaro (5/6 + 5/6 + 5/5)/3 (5 of 6 letters match, no transposition),
# common prefix 4 → Jaro-Winkler = jaro + 0.4·(1 − jaro) = 0.9333.
JARO = (5 / 6 + 5 / 6 + 1) / 3
JW = JARO + 4 * 0.1 * (1 - JARO)


@pytest.fixture(params=["memory", "stored"])
def book(request: Any, tmp_path: Path) -> crm.CustomerBook:
    b = crm.CustomerBook("TRY") if request.param == "memory" else crm.CustomerBook.open(tmp_path / "b.crm", currency="TRY")
    b.add_customer(id=1, given_name="Ayşe", family_name="Yılmaz", phones=["0532 123 4567"],
                   emails=["ayse.yilmaz@gmail.com"])
    b.add_customer(id=2, given_name="Ayşe", family_name="Yılmaz", phones=["0533 000 1122"],
                   emails=["a.yilmaz@hotmail.com"])
    b.add_customer(id=3, given_name="Ayten", family_name="Yıldız", tax_id="1234567890", external_ref="CRM-0003")
    return b


def test_a_messy_phone_or_email_finds_its_customer(book: crm.CustomerBook) -> None:
    for typed in ["0 (532) 123 45 67", "+90 532 1234567", "905321234567"]:
        assert book.find(phone=typed) == [crm.Match(1, 1.0, ("phone",))]
    found = book.find(email=" AYSE.Yilmaz@GMAIL.COM ")
    assert found == [crm.Match(1, 1.0, ("email",))]
    assert found[0].customer_id == 1 and found[0].matched_on == ("email",)
    assert book.find(phone="0532 123 4568") == []
    assert book.find(national_id="123 456 7890") == [crm.Match(3, 1.0, ("tax_id",))]
    assert book.find(external_ref=" CRM-0003 ") == [crm.Match(3, 1.0, ("external_ref",))]


def test_names_in_any_order_prefix_and_misspelt(book: crm.CustomerBook) -> None:
    assert book.find(name="Yılmaz Ayşe") == [crm.Match(1, 1.0, ("name",)), crm.Match(2, 1.0, ("name",))]
    found = book.find(name="ayşe yılmas")
    assert [m.customer_id for m in found] == [1, 2]
    assert found[0].score == pytest.approx((1 + JW) / 2, abs=1e-12)  # 0.9667
    # ay→ayse 0.8 + 0.2·2/4, yil→yilmaz 0.8 + 0.2·3/6; ay→ayten 0.8 + 0.2·2/5, yil→yildiz.
    found = book.find(name="ay yıl")
    assert [m.customer_id for m in found] == [1, 2, 3]
    assert [round(m.score, 12) for m in found] == [0.9, 0.9, 0.89]
    assert [m.customer_id for m in book.find(name="ay yıl", limit=1)] == [1]


def test_several_criteria_score_their_mean(book: crm.CustomerBook) -> None:
    found = book.find(phone="0532 123 45 67", name="ayse yilmas")
    assert [(m.customer_id, m.matched_on) for m in found] == [(1, ("phone", "name")), (2, ("name",))]
    assert found[0].score == pytest.approx((1 + (1 + JW) / 2) / 2, abs=1e-12)  # 0.9833
    assert found[1].score == pytest.approx((1 + JW) / 4, abs=1e-12)  # 0.4833


def test_writes_keep_the_index_current(book: crm.CustomerBook) -> None:
    assert book.find(phone="05330001122") == [crm.Match(2, 1.0, ("phone",))]
    book.merge(1, [2], profile={"id": 1, "given_name": "Ayşe", "family_name": "Yılmaz",
                                "phones": ["0532 123 4567", "0533 000 1122"]}, at=AT)
    assert book.find(phone="05330001122") == [crm.Match(1, 1.0, ("phone",))]
    assert book.find(email="a.yilmaz@hotmail.com") == []
    book.update_customer(id=1, given_name="Ayşe", family_name="Yılmaz", phones=["0544 999 88 77"])
    assert book.find(phone="0532 123 4567") == []
    assert book.find(phone="+90 544 999 8877") == [crm.Match(1, 1.0, ("phone",))]


@pytest.mark.parametrize("kwargs, field", [
    ({"phone": "0532 123 4567", "limit": 0}, "limit"),
    ({"phone": "0532 123 4567", "limit": 1001}, "limit"),
    ({"phone": "0532 123 4567", "limit": -1}, "limit"),
    ({}, "lookup"),
    ({"phone": "call me"}, "phone"),
    ({"email": "nobody"}, "email"),
    ({"name": "Sn."}, "name"),
    ({"phone": "0532 123 4567", "country": "Narnia"}, "country"),
])
def test_bad_lookups_name_the_field(book: crm.CustomerBook, kwargs: Any, field: str) -> None:
    with pytest.raises(crm.InvalidInputError) as e:
        book.find(**kwargs)
    assert e.value.field == field
    assert "call me" not in str(e.value)
