"""The heavy corruption mode of the sample generator through Python (crm-core/src/sample/)."""

from typing import Any, Dict, Optional

import pytest

import crm


def value(c: Dict[str, Any], field: str) -> Optional[str]:
    """A customer's field as crm-core's `Field::value` reads it, from the book's JSON."""
    a = c.get("address") or {}
    lists = {"phone": "phones", "email": "emails"}
    if field in lists:
        items = c.get(lists[field]) or []
        return "\n".join(items) if items else None
    if field in ("street", "district", "city", "postcode"):
        return a.get("line" if field == "street" else field)
    return c.get(field)


FIELDS = ["given_name", "family_name", "organisation_name", "birth_date", "national_id", "tax_id",
          "phone", "email", "street", "district", "city", "postcode"]


def test_heavy_truth_names_exactly_the_fields_that_differ() -> None:
    book, _, truth = crm.sample_book(1_500, seed=9, mean_purchases=0.0, corruption="heavy")
    assert len(book) == 1_500 + len(truth)
    assert len(truth) > 400  # 0.545 duplicates per customer on average: about 820
    for t in truth:
        dup, orig = book.customer(t["duplicate"]), book.customer(t["original"])
        assert dup is not None and orig is not None
        named = {c["field"] for c in t.get("changes", [])}  # none: an exact copy
        assert named <= set(FIELDS)
        for field in FIELDS:
            if field in named:
                assert value(dup, field) != value(orig, field), (t, field)
            else:
                assert value(dup, field) == value(orig, field), (t, field)


def test_heavy_is_deterministic_and_light_unchanged_by_the_argument() -> None:
    a = crm.sample_book(300, seed=2, corruption="heavy")[2]
    b = crm.sample_book(300, seed=2, corruption="heavy")[2]
    assert a == b
    light = crm.sample_book(300, seed=2)[2]
    assert light == crm.sample_book(300, seed=2, corruption="light")[2]
    assert all("changes" not in t and t["perturbations"] for t in light)


def test_a_bad_corruption_names_the_argument() -> None:
    with pytest.raises(crm.InvalidInputError) as e:
        crm.sample_book(10, corruption="medium")
    assert e.value.field == "corruption"
    assert "medium" in str(e.value)


def test_pair_completeness_counts_pairs_sharing_a_key() -> None:
    rows = [{"surname": "Yılmaz", "phone": "0532 123 45 67"},
            {"surname": "Kaya", "phone": "+90 532 123 4567"},   # same phone, another name
            {"surname": "Demir", "phone": "0555 987 65 43"}]
    # (0, 1) share the phone key; (0, 2) share nothing.
    assert crm.quality.pair_completeness(rows, [(0, 1), (0, 2)]) == {
        "true_pairs": 2, "sharing_a_key": 1, "candidates": 1}
    # The phone block has two rows: within max_block 2.
    assert crm.quality.pair_completeness(rows, [(0, 1)], max_block=2)["candidates"] == 1
