"""Issue 14, items 3 to 5 from Python: every size has a documented bound, checked before
anything is allocated (no process abort, no hang); instants out of range and configs out of
range are errors naming the field; a panic would be a crm.CrmError, never PanicException."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any, Dict

import numpy as np
import pytest

import crm
from crm import _crm

MONDAY = dt.datetime(2025, 6, 2, tzinfo=dt.timezone.utc)
NINE_TO_FIVE = {"week": {"mon": [["09:00", "17:00"]]}}


def fitted(params: Dict[str, float]) -> Dict[str, Any]:
    return {"params": params, "log_likelihood": 0.0, "converged": True, "warnings": []}


def test_pareto_points_of_a_trillion_is_refused_not_an_abort() -> None:
    with pytest.raises(crm.InvalidInputError, match="invalid points 1000000000000: must be at most 100001") as e:
        crm.pareto([1.0, 2.0, 3.0], points=10**12)
    assert e.value.field == "points"
    # The documented maximum itself works: 100,001 points from (0, 0) to (1, 1).
    lorenz = crm.pareto([1.0, 2.0, 3.0], points=100_001)["lorenz"]
    assert len(lorenz) == 100_001 and lorenz[0] == [0.0, 0.0] and lorenz[-1] == [1.0, 1.0]


def test_sample_book_sizes_are_bounded() -> None:
    with pytest.raises(crm.InvalidInputError, match="invalid mean_purchases 1000000000000") as e:
        crm.sample_book(10, mean_purchases=1e12)
    assert e.value.field == "mean_purchases"
    with pytest.raises(crm.InvalidInputError, match="must be at most 10000000") as e:
        crm.sample_book(10_000_001)
    assert e.value.field == "customers"


def test_business_minutes_past_chrono_are_errors_not_panics() -> None:
    cal = crm.BusinessCalendar(NINE_TO_FIVE)
    # ≥ 1.5e14 minutes overflowed chrono's Duration: now the documented bound refuses it.
    with pytest.raises(crm.InvalidInputError, match="row 0: invalid minutes 150000000000000: must be at most 5259600"):
        cal.add_business_minutes(MONDAY, 150_000_000_000_000)
    always = crm.BusinessCalendar({"always_open": True})
    # Ten years around the clock is exactly 5,259,600 minutes.
    assert always.add_business_minutes(MONDAY, 5_259_600) == MONDAY + dt.timedelta(minutes=5_259_600)
    # From the last second chrono represents (year 262143), a 24×7 deadline lies past it.
    last = np.array([8_210_266_876_799_000_000], dtype="datetime64[us]")
    with pytest.raises(crm.InvalidInputError, match="beyond the representable instants"):
        always.add_business_minutes(last, 5_259_600)


def test_business_minutes_between_huge_spans_are_refused_fast() -> None:
    cal = crm.BusinessCalendar(NINE_TO_FIVE)
    # About −250,000 years to 2025: 4.5 s a row before; now refused at once.
    start = np.array([-7_857_000_000_000_000_000], dtype="datetime64[us]")
    end = np.array([MONDAY.replace(tzinfo=None)], dtype="datetime64[us]")
    began = time.perf_counter()
    with pytest.raises(crm.InvalidInputError, match=r"to\[0\].*more than 146097 days"):
        cal.business_minutes_between(start, end)
    assert time.perf_counter() - began < 1.0
    # A span just under the cap is measured: 400 years less a week of Mondays 09:00-17:00.
    first = np.array([np.datetime64("1625-06-02T00:00")], dtype="datetime64[us]")
    last = np.array([np.datetime64("2025-05-26T00:00")], dtype="datetime64[us]")
    mondays = (np.datetime64("2025-05-26") - np.datetime64("1625-06-02")).astype(int) // 7
    assert int(cal.business_minutes_between(first, last)[0]) == mondays * 480


def test_lifecycle_policy_days_are_checked_when_parsed() -> None:
    with pytest.raises(crm.InvalidInputError, match="invalid new_days 1000000000000000: must be at most 36525") as e:
        crm.LifecyclePolicy({"new_days": 1e15})
    assert e.value.field == "new_days"
    with pytest.raises(crm.InvalidInputError) as e:
        crm.LifecyclePolicy({"at_risk": {"gap_multiple": 1e9}})
    assert e.value.field == "at_risk.gap_multiple"
    # The maxima themselves are accepted (churn_days must stay above cap_days).
    crm.LifecyclePolicy({"new_days": 36_525, "churn_days": 36_525, "at_risk": {"cap_days": 36_000}})


def test_sla_targets_are_checked_when_parsed() -> None:
    with pytest.raises(crm.InvalidInputError, match="must be at most 5259600"):
        crm.SlaPolicy({"name": "desk", "targets": {"urgent": {"resolution": 4_000_000_000}}})


def test_lifetime_value_months_are_capped() -> None:
    bg = crm.clv.BetaGeo(fitted({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}))
    gg = crm.clv.GammaGamma(fitted({"p": 6.25, "q": 3.74, "v": 15.44}))
    cols = ([2.0], [30.43], [38.86], [46.95])
    began = time.perf_counter()
    with pytest.raises(crm.InvalidInputError, match="invalid months 4294967295: must be at most 1200") as e:
        crm.clv.lifetime_value(bg, gg, *cols, months=2**32 - 1)
    assert e.value.field == "months"
    assert time.perf_counter() - began < 1.0
    # With no discount, CLV over months 1..12 is the 12-month expected purchases × spend.
    flat = crm.clv.lifetime_value(bg, gg, *cols, months=12, discount_rate=0.0)
    purchases = bg.expected_purchases(12 * 4.345, [2.0], [30.43], [38.86])
    spend = gg.expected_spend([2.0], [46.95])
    assert abs(float(flat[0]) - float(purchases[0]) * float(spend[0])) < 1e-9 * float(flat[0])


def test_duplicate_blocks_are_capped() -> None:
    records = json.dumps([{"surname": "Yılmaz"}] * 50)
    began = time.perf_counter()
    with pytest.raises(crm.InvalidInputError, match="invalid max_block 1000000: must be at most 1000"):
        _crm.find_duplicates_json(records, json.dumps({"max_block": 1_000_000}))
    assert time.perf_counter() - began < 1.0


def test_a_panic_would_be_a_crm_error() -> None:
    # No call known to panic remains; the class a panic becomes is a CrmError, exported.
    assert issubclass(crm.InternalError, crm.CrmError)
    assert not issubclass(crm.InternalError, ValueError)
    assert "InternalError" in crm.__all__


# --- The count audit (issue 14): every count, size, limit or index a Python entry point takes ---
#
# Each row: (entry point, call taking the value, expected outcome for each hostile value). An
# outcome is the field an InvalidInputError must name, or OK when the value has a documented
# meaning (an offset past the end is an empty page, a limit past the end means "all", a seed
# is any 64-bit number). The C side of the same audit is test_hostile.c.

OK = "ok"
HOSTILE_COUNTS = (-1, 0, 2**63, 2**64 - 1, 10**12)


def _book() -> crm.CustomerBook:
    book = crm.CustomerBook("TRY")
    book.add_customer(id=1, acquired_at="2025-01-01T00:00:00Z")
    book.record(customer_id=1, at="2025-02-01T00:00:00Z", type="purchase", amount=100, currency="TRY")
    return book


def _stored(tmp: Any) -> crm.CustomerBook:
    return crm.CustomerBook.open(str(tmp / "audit.crm"), currency="TRY")


_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
_GG = {"p": 6.25, "q": 3.74, "v": 15.44}
_IDS, _TS, _AM = [1, 1, 2], ["2025-01-01", "2025-02-01", "2025-01-15"], [10.0, 20.0, 5.0]
_ROWS = [{"surname": "Yılmaz"}, {"surname": "Yilmaz"}]

def _pair_outside(row: int) -> None:
    """A pair naming a row past the table's end is not a true pair of it (documented)."""
    got = crm.quality.pair_completeness(_ROWS, [(0, row)])
    # Row 0 with itself is no pair (no blocking could make it a candidate), and a row past
    # the end is not of the table: neither is counted.
    assert got == {"true_pairs": 0, "sharing_a_key": 0, "candidates": 0}, (row, got)


# Outcomes for (-1, 0, 2**63, 2**64 - 1, 10**12).
COUNT_AUDIT = [
    ("pareto.points", lambda v, tmp: crm.pareto([1.0, 2.0, 3.0], points=v), ["points"] * 5),
    ("sample_book.customers", lambda v, tmp: crm.sample_book(v), ["customers", OK] + ["customers"] * 3),
    ("sample_book.seed", lambda v, tmp: crm.sample_book(3, seed=v), ["seed", OK, OK, OK, OK]),
    ("sample_book.mean_purchases", lambda v, tmp: crm.sample_book(3, mean_purchases=v),
     ["mean_purchases", OK] + ["mean_purchases"] * 3),
    ("rfm.bins", lambda v, tmp: crm.rfm(_IDS, _TS, _AM, as_of="2025-03-01", bins=v), ["bins"] * 5),
    ("rfm_scores.bins", lambda v, tmp: crm.rfm_scores([1.0, 2.0], [1.0, 2.0], [1.0, 2.0], bins=v), ["bins"] * 5),
    ("lifetime_value.months", lambda v, tmp: crm.clv.lifetime_value(
        crm.clv.BetaGeo(fitted(_BG)), crm.clv.GammaGamma(fitted(_GG)), [2.0], [30.0], [39.0], [47.0], months=v),
     ["months"] * 5),
    ("predict_clv.config.months", lambda v, tmp: _book().predict_clv(as_of="2025-06-01", config={"months": v}),
     ["months", "months", "months", "months", "months"]),
    ("add_business_minutes.minutes", lambda v, tmp: crm.BusinessCalendar(NINE_TO_FIVE).add_business_minutes(MONDAY, v),
     ["minutes", OK, "minutes", "minutes", "minutes"]),
    ("set_threads.n", lambda v, tmp: crm.set_threads(v), ["threads", OK, "threads", "threads", "threads"]),
    ("view.offset", lambda v, tmp: _book().view(1, as_of="2025-06-01", offset=v), ["offset", OK, OK, OK, OK]),
    ("view.limit", lambda v, tmp: _book().view(1, as_of="2025-06-01", limit=v), ["limit", OK, OK, OK, OK]),
    ("changes.since", lambda v, tmp: _stored(tmp).changes(since=v), ["since", OK, OK, OK, OK]),
    ("changes.limit", lambda v, tmp: _stored(tmp).changes(limit=v), ["limit", OK, OK, OK, OK]),
    # Any 64-bit id is an id; an unknown one resolves to None (and is NotFound in `view`).
    ("resolve.customer_id", lambda v, tmp: _book().resolve(v), ["customer_id", OK, OK, OK, OK]),
    # max_block is read as find_duplicates reads it (a config, validated): a block pairs at
    # least 2 records and at most MAX_BLOCK_CAP, so the count is the pairs it would compare.
    ("pair_completeness.max_block", lambda v, tmp: crm.quality.pair_completeness(_ROWS, [(0, 1)], max_block=v),
     ["max_block"] * 5),
    ("pair_completeness.pairs", lambda v, tmp: _pair_outside(v), ["pairs[0][1]", OK, OK, OK, OK]),
    ("lifecycle.new_days", lambda v, tmp: crm.LifecyclePolicy({"new_days": v}), ["new_days"] * 5),
    ("sla.resolution", lambda v, tmp: crm.SlaPolicy({"name": "d", "targets": {"high": {"resolution": v}}}),
     # A type error (the reader's) and a range error (the validator's) name the same full
     # path, the policy numbered, whichever form the policy came in.
     ["policies[0].targets.high.resolution"] * 5),
]


@pytest.mark.parametrize("name,call,outcomes", COUNT_AUDIT, ids=[row[0] for row in COUNT_AUDIT])
def test_counts_are_bounded_or_mean_something(name: str, call: Any, outcomes: Any, tmp_path: Any) -> None:
    assert len(outcomes) == len(HOSTILE_COUNTS)
    try:
        for value, outcome in zip(HOSTILE_COUNTS, outcomes):
            began = time.perf_counter()
            if outcome == OK:
                call(value, tmp_path)
            else:
                with pytest.raises(crm.InvalidInputError) as e:
                    call(value, tmp_path)
                assert e.value.field == outcome, (value, str(e.value))
            assert time.perf_counter() - began < 5.0, value  # refused before any work
    finally:
        crm.set_threads(crm.get_threads())  # the pool kept its size
