"""The explainable match: find_duplicates' per-pair, per-field evidence frame."""

import math

import numpy as np
import pandas as pd

import crm

FIELDS = ["name", "birth_date", "email", "phone", "national_id", "address", "postcode"]


def test_each_pair_has_one_row_per_field_and_its_weights_give_its_probability() -> None:
    book, _, truth = crm.sample_book(600, seed=3)
    rows = []
    for cid in book.customer_ids():
        c = book.customer(int(cid)) or {}
        rows.append({"given_name": c.get("given_name"), "surname": c.get("family_name"),
                     "birth_date": c.get("birth_date"), "phone": (c.get("phones") or [None])[0],
                     "email": (c.get("emails") or [None])[0], "national_id": c.get("national_id"),
                     "address": (c.get("address") or {}).get("line"),
                     "postcode": (c.get("address") or {}).get("postcode")})
    rows.append(dict(rows[0]))  # an exact copy of row 0
    d = crm.quality.find_duplicates(pd.DataFrame(rows))
    pairs, cluster = d  # still unpacks as before
    ev = d.evidence
    assert isinstance(ev, pd.DataFrame)
    assert list(ev.columns) == ["left", "right", "field", "level", "weight"]
    assert len(ev) == len(pairs) * len(FIELDS)
    copy = ev[(ev["left"] == 0) & (ev["right"] == len(rows) - 1)]
    assert copy["field"].tolist() == FIELDS
    # An exact copy: present fields "same" with positive weight, absent ones weigh nothing.
    assert set(copy["level"]) <= {"same", "missing"}
    assert np.all((copy["weight"] > 0) == (copy["level"] == "same"))
    assert set(ev["level"]) <= {"missing", "different", "similar", "close", "same"}
    # Waterfall: log2 prior odds + the weights = the pair's log2 odds.
    prior = __import__("json").loads(crm._crm.find_duplicates_columns(
        [(c, [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
              for v in pd.DataFrame(rows)[c]]) for c in rows[0]], len(rows))["model"])["prior"]
    for (left, right), group in ev.groupby(["left", "right"]):
        p = pairs[(pairs["left"] == left) & (pairs["right"] == right)]["probability"].iloc[0]
        log2_odds = math.log2(prior / (1 - prior)) + group["weight"].sum()
        assert abs(1 / (1 + 2 ** -log2_odds) - p) < 1e-9
