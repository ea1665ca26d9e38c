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
