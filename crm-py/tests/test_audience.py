"""crm.Audience and the book's consent calls: the same six hand-worked customers as
crm-ffi/tests/c/test_audience.c and the same bad rules.

  1 Marmara, opted in             -> included (the rule holds at its root "$")
  2 Ege, opted in                 -> included
  3 Akdeniz, opted in             -> rule_failed at all[0] (region)
  4 Marmara, tagged staff         -> rule_failed at all[1] (the not)
  5 Marmara, never decided        -> no_consent
  6 Ege, opted in and out at the same instant -> consent_withdrawn (withdrawal wins)
"""

import json

import pytest

import crm

RULE = {"all": [{"field": "region", "in": ["Marmara", "Ege"]}, {"not": {"field": "tag", "eq": "staff"}}]}
GRANT = {"channel": "email", "granted": True, "at": "2025-01-01T00:00:00Z"}
WITHDRAW = {"channel": "email", "granted": False, "at": "2025-01-01T00:00:00Z"}
AT = "2025-06-01T00:00:00Z"


@pytest.fixture
def book():
    b = crm.CustomerBook("TRY")
    b.add_customers([
        {"id": 1, "given_name": "Ayse", "region": "Marmara", "consents": [GRANT]},
        {"id": 2, "given_name": "Ali", "region": "Ege", "consents": [GRANT]},
        {"id": 3, "given_name": "Can", "region": "Akdeniz", "consents": [GRANT]},
        {"id": 4, "given_name": "Ece", "region": "Marmara", "tags": ["staff"], "consents": [GRANT]},
        {"id": 5, "given_name": "Efe", "region": "Marmara"},
        {"id": 6, "given_name": "Nur", "region": "Ege", "consents": [GRANT, WITHDRAW]},
    ])
    return b


def test_the_six_customers_by_hand(book):
    s = crm.Audience(RULE).select(book, at=AT, channel="email")
    assert list(s["customer_id"]) == [1, 2, 3, 4, 5, 6]
    assert list(s["included"]) == [True, True, False, False, False, False]
    assert list(s["reason"]) == ["included", "included", "rule_failed", "rule_failed", "no_consent",
                                 "consent_withdrawn"]
    assert list(s["rule"]) == ["$", "$", "all[0]", "all[1]", "$", "$"]
    c = crm.Audience(json.dumps(RULE)).counts(book, at=AT, channel="email")
    assert c["counts"] == {"rule_failed": 2, "no_consent": 1, "consent_withdrawn": 1, "included": 2}
    assert [(n["path"], n["decided"]) for n in c["nodes"]] == [("$", 4), ("all[0]", 1), ("all[1]", 1),
                                                               ("all[1].not", 0)]
    assert c["channel"] == "email"


def test_frames(book):
    pd = pytest.importorskip("pandas")
    df = crm.Audience(RULE).select(book, at=AT, channel="email", frame="pandas")
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["customer_id", "included", "reason", "rule"]
    assert df["included"].sum() == 2
    pl = pytest.importorskip("polars")
    f = crm.Audience(RULE).select(book, at=AT, channel="email", frame="polars")
    assert isinstance(f, pl.DataFrame) and f["reason"].to_list()[4] == "no_consent"


def test_without_a_channel_consent_is_not_checked(book):
    s = crm.Audience(RULE).select(book, at=AT)
    assert list(s["included"]) == [True, True, False, False, True, True]


def test_suppression(book):
    s = crm.Audience(RULE).select(book, at=AT, channel="email", suppression={"customer_ids": [1, 404]})
    assert list(s["reason"])[:2] == ["suppressed", "included"]
    c = crm.Audience(RULE).counts(book, at=AT, channel="email", suppression={"customer_ids": [1, 404]})
    assert c["unknown_suppressed_ids"] == 1


def test_consent_at_report_and_record(book):
    assert book.consent_at(6, "email", AT) is False
    assert book.consent_at(5, "email", AT) is None
    assert book.consent_at(1, "email", "2024-12-31") is None
    assert book.consent_at(1, "email", AT) is True
    r = book.consent_report(at=AT)
    email = r["channels"][0]
    assert (email["channel"], email["granted"], email["withdrawn"], email["never"]) == ("email", 4, 1, 1)
    assert email["share"] == pytest.approx(4 / 6)
    assert book.record_consent(5, "email", True, "2025-01-01T00:00:00Z") is True
    assert book.record_consent(5, "email", True, "2025-01-01T00:00:00Z") is False
    s = crm.Audience(RULE).select(book, at=AT, channel="email")
    assert list(s["included"]) == [True, True, False, False, True, False]


@pytest.mark.parametrize("rule, field, text", [
    ({"all": [{"field": "regoin", "eq": "Ege"}]}, "all[0].field", "did you mean `region`?"),
    ({"field": "score", "gt": "high"}, "gt", "is a number"),
    ({"any": [{}, {"field": "region", "lt": 3}]}, "any[1].lt", "needs a numeric field"),
    ({"field": "tier", "in": "Gold"}, "in", "needs a list"),
    ({"not": {"field": "stage", "eq": "gold"}}, "not.eq", "prospect"),
    ({"nto": {}}, "nto", "did you mean `not`?"),
    ({"all": []}, "all", "at least one rule"),
])
def test_bad_rules_name_their_path(rule, field, text):
    with pytest.raises(crm.InvalidInputError) as e:
        crm.Audience(rule)
    assert isinstance(e.value, ValueError)
    assert e.value.field == field
    assert text in str(e.value)


def test_bad_text_and_options(book):
    with pytest.raises(crm.ParseError):
        crm.Audience('{"all": ')
    with pytest.raises(crm.InvalidInputError) as e:
        crm.Audience(RULE).select(book, at=AT, channel="pigeon")
    assert e.value.field == "channel"
    with pytest.raises(crm.InvalidInputError):
        book.consent_at(1, "pigeon", AT)
    with pytest.raises(crm.NotFoundError):
        book.consent_at(99, "email", AT)
    with pytest.raises(crm.InvalidInputError) as e:
        crm.Audience(RULE).select(book, at=AT, suppression={"contacted_within_days": 5000})
    assert e.value.field == "suppression.contacted_within_days"
    with pytest.raises(crm.InvalidInputError) as e:
        crm.Audience(RULE).select(book, at=AT, channel="email", frame="pandsa")
    assert e.value.field == "frame"


def test_record_consent_joins_a_batch(book):
    # Core's consent_recorded change: it waits for the block, then commits with the rest.
    with book.batch() as b:
        book.add_customer(id=7, given_name="Ada")
        assert book.record_consent(5, "email", True, "2025-01-01T00:00:00Z") is None
        assert book.record_consent(7, "sms", False, "2025-01-01T00:00:00Z") is None
        assert book.consent_at(5, "email", AT) is None
    assert b.outcomes == [None, True, True]
    assert book.consent_at(5, "email", AT) is True
    assert book.consent_at(7, "sms", AT) is False


def test_record_consent_in_a_failed_batch_is_taken_back(book):
    with pytest.raises(crm.DuplicateError):
        with book.batch():
            book.record_consent(5, "email", True, "2025-01-01T00:00:00Z")
            book.add_customer(id=5, given_name="Again")
    assert book.consent_at(5, "email", AT) is None


def test_the_rule_reads_back():
    assert crm.Audience(RULE).rule == RULE


def test_tiers_under_the_companys_segmentation_config(book):
    # Customer 3 is the only buyer: under a two-tier pyramid (VIP the top half) it is VIP;
    # under the default config no tier has that name.
    book.record(customer_id=3, at="2025-05-01T00:00:00Z", type="purchase", amount=50000, currency="TRY")
    rule = {"field": "tier", "eq": "VIP"}
    assert not crm.Audience(rule).select(book, at=AT)["included"].any()
    config = {"pyramid": {"tiers": [{"name": "VIP", "share": 0.5}, {"name": "Rest", "share": 0.5}]}}
    s = crm.Audience(rule).select(book, at=AT, segmentation=config)
    assert 3 in set(s["customer_id"][s["included"]])
    assert crm.Audience(rule).counts(book, at=AT, segmentation=config)["counts"]["included"] == s["included"].sum()
    # The consent report's tiers follow the same config; VIP holds the customers the rule found.
    report = book.consent_report(at=AT, segmentation=config)
    email = [t for t in report["by_tier"] if t["channel"] == "email"]
    assert [t["tier"] for t in email] == ["VIP", "Rest"]
    assert email[0]["customers"] == s["included"].sum()
    assert book.consent_report(at=AT)["by_tier"][0]["tier"] == "Platinum"


def test_one_selection_gives_rows_and_counts(book):
    # with_counts=True: the rows and the counts of one selection, equal to the two calls.
    rows, counts = crm.Audience(RULE).select(book, at=AT, channel="email", with_counts=True)
    assert list(rows["reason"]) == list(crm.Audience(RULE).select(book, at=AT, channel="email")["reason"])
    assert counts == crm.Audience(RULE).counts(book, at=AT, channel="email")
    # By hand (the module docstring): 1, 2 in; 3, 4 out by the rule; 5 no consent; 6 withdrawn.
    assert counts["counts"] == {"included": 2, "rule_failed": 2, "no_consent": 1, "consent_withdrawn": 1}
