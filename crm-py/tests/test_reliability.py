"""Issue 14, "keep it so", from Python: hypothesis strategies for hostile sizes (huge points,
months, counts, NaN/inf, negative ids) that must come back as a result or as a
``crm.CrmError`` naming the field, quickly; the unknown-field refusal for events and
incidents; and a Rust panic surfacing as ``crm.InternalError``."""

from __future__ import annotations

import json
import math
import time
from typing import Any, Dict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crm
from crm import _crm

# Each hostile call must be refused (or done) at once: no allocation proportional to the
# hostile number, no loop over it.
QUICK = 2.0
HOSTILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Counts from 0 past every limit up to 2**64: the values a hostile caller passes.
huge_counts = st.one_of(
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=2**64),
    st.sampled_from([2**31 - 1, 2**32 - 1, 2**32, 2**53, 2**63 - 1, 2**63, 2**64 - 1, 10**12]),
)
#: Floats that are often not numbers at all.
hostile_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0]),
)
negative_ids = st.integers(max_value=-1, min_value=-(2**70))


def fitted(params: Dict[str, float]) -> Dict[str, Any]:
    return {"params": params, "log_likelihood": 0.0, "converged": True, "warnings": []}


def quick(call: Any) -> Any:
    """``call()``'s result, or the ``crm.CrmError`` it raised; fails on anything else and on
    a call slower than ``QUICK`` seconds."""
    began = time.perf_counter()
    try:
        result: Any = call()
    except crm.CrmError as e:
        result = e
    assert time.perf_counter() - began < QUICK
    return result


@HOSTILE
@given(points=huge_counts)
def test_pareto_points_past_the_limit_are_refused_naming_points(points: int) -> None:
    out = quick(lambda: crm.pareto([5.0, 1.0, 1.0, 3.0], points=points))
    if 2 <= points <= 100_001:
        assert not isinstance(out, Exception), out
        assert len(out["lorenz"]) == points
    else:
        assert isinstance(out, crm.InvalidInputError), out
        assert out.field == "points"


@HOSTILE
@given(months=st.one_of(huge_counts, st.integers(max_value=-1)))
def test_clv_months_past_the_limit_are_refused_naming_months(months: int) -> None:
    bg = crm.clv.BetaGeo(fitted({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}))
    gg = crm.clv.GammaGamma(fitted({"p": 6.25, "q": 3.74, "v": 15.44}))
    out = quick(lambda: crm.clv.lifetime_value(bg, gg, [2.0], [30.43], [38.86], [46.95], months=months))
    if 1 <= months <= 1_200:
        assert not isinstance(out, Exception), out
        assert out[0] >= 0.0
    else:
        assert isinstance(out, crm.InvalidInputError), out
        assert out.field == "months"


@HOSTILE
@given(customers=st.integers(min_value=10_000_001, max_value=2**64), mean=hostile_floats)
def test_sample_sizes_past_the_limits_are_refused(customers: int, mean: float) -> None:
    out = quick(lambda: crm.sample_book(customers, mean_purchases=mean))
    assert isinstance(out, crm.InvalidInputError), out
    assert out.field in ("customers", "mean_purchases")


@HOSTILE
@given(mean=hostile_floats.filter(lambda m: not (0.0 <= m <= 1_000.0)))
def test_a_hostile_mean_purchases_is_named(mean: float) -> None:
    out = quick(lambda: crm.sample_book(5, mean_purchases=mean))
    assert isinstance(out, crm.InvalidInputError), out
    assert out.field == "mean_purchases"


@HOSTILE
@given(minutes=st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_business_minutes_of_any_size_are_a_deadline_or_an_error(minutes: int) -> None:
    cal = crm.BusinessCalendar({"week": {"mon": [["09:00", "17:00"]]}})
    out = quick(lambda: cal.add_business_minutes("2025-06-02T00:00:00Z", minutes))
    if 0 <= minutes <= 5_259_600:
        assert not isinstance(out, Exception), out
    elif minutes > 5_259_600:
        assert isinstance(out, crm.InvalidInputError), out


@HOSTILE
@given(
    field=st.sampled_from(["random_pairs", "iterations", "max_cluster", "max_block"]),
    value=st.integers(min_value=10_000_001, max_value=2**63 - 1),
)
def test_dedupe_settings_past_their_limits_are_named(field: str, value: int) -> None:
    records = json.dumps([{"surname": "Yılmaz"}, {"surname": "Yilmaz"}])
    out = quick(lambda: _crm.find_duplicates_json(records, json.dumps({field: value})))
    assert isinstance(out, crm.InvalidInputError), out
    assert out.field == field


@HOSTILE
@given(values=st.lists(hostile_floats, min_size=1, max_size=8))
def test_top_share_of_hostile_values_is_a_share_or_an_error_naming_the_row(values: list) -> None:
    out = quick(lambda: crm.top_share(values, 0.2))
    if all(math.isfinite(v) for v in values):
        if not isinstance(out, Exception):
            assert 0.0 <= out <= 1.0 or any(v < 0 for v in values)
    else:
        assert isinstance(out, crm.InvalidInputError), out


@HOSTILE
@given(tolerance=hostile_floats)
def test_fit_tolerance_outside_its_range_is_named(tolerance: float) -> None:
    out = quick(lambda: crm.clv.BetaGeo.fit([0.0, 1.0, 2.0], [0.0, 5.0, 8.0], [10.0, 10.0, 10.0],
                                            tolerance=tolerance))
    if 1e-15 <= tolerance <= 1.0:
        assert not isinstance(out, Exception), out
    else:
        assert isinstance(out, crm.InvalidInputError), out
        assert out.field == "tolerance"


@HOSTILE
@given(customer_id=negative_ids)
def test_negative_ids_are_invalid_input_and_change_nothing(customer_id: int) -> None:
    book = crm.CustomerBook("TRY")
    out = quick(lambda: book.add_customer(id=customer_id, given_name="Ayşe"))
    assert isinstance(out, crm.InvalidInputError), out
    assert len(book) == 0
    out = quick(lambda: book.record(customer_id=customer_id, at="2025-01-05T10:00:00Z", type="referral", referred=1))
    assert isinstance(out, crm.CrmError), out
    assert book.event_count == 0


@HOSTILE
@given(weight=hostile_floats.filter(lambda w: not (0.0 <= w <= 1e12)))
def test_value_weights_outside_their_range_are_named(weight: float) -> None:
    out = quick(lambda: crm.ValueModel({"monetary": weight, "recency": 1.0}))
    assert isinstance(out, crm.InvalidInputError), out
    assert out.field == "weight of monetary"


# --- Unknown fields in events and incidents ----------------------------------------------

def test_a_misspelt_event_field_is_refused_with_the_close_name() -> None:
    book = crm.CustomerBook("TRY")
    book.add_customer(id=1, given_name="Ayşe")
    with pytest.raises(crm.ParseError) as e:
        book.record(customer_id=1, at="2025-01-05T10:00:00Z", type="purchase", amout=2500, currency="TRY")
    assert e.value.field == "amout"
    assert str(e.value).endswith("(did you mean `amount`?)")
    assert book.event_count == 0
    # Many events are all or nothing: the first, good one is not kept either.
    good = {"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": "purchase", "amount": 2500, "currency": "TRY"}
    with pytest.raises(crm.ParseError) as e:
        book.record_many([good, dict(good, categroy="books")])
    assert e.value.field == "categroy"
    assert "did you mean `category`?" in str(e.value)
    assert book.event_count == 0
    book.record(good, category="books")
    assert book.event_count == 1


def test_a_misspelt_incident_field_is_refused_with_the_close_name() -> None:
    book = crm.CustomerBook("TRY")
    incident = {"id": 3, "kind": "channel_outage", "start": "2025-03-01T15:00:00Z", "description": "x"}
    with pytest.raises(crm.ParseError) as e:
        book.add_incident(incident, ends="2025-03-01T16:00:00Z")
    assert e.value.field == "ends"
    assert str(e.value).endswith("(did you mean `end`?)")
    book.add_incident(incident, end="2025-03-01T16:00:00Z")
    assert book.stats()["incidents"] == 1


# --- Panics --------------------------------------------------------------------------------

def test_a_rust_panic_surfaces_as_internal_error(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(crm.InternalError) as e:
        _crm._panic_for_test("row 7 is impossible")
    assert str(e.value) == "internal error (panic): row 7 is impossible"
    assert isinstance(e.value, crm.CrmError)
    assert type(e.value).__name__ != "PanicException"
    # Nothing printed: the quiet hook replaces Rust's "thread panicked at" message.
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    # The module keeps working after a panic.
    assert crm.top_share([3.0, 1.0], 0.5) == 0.75
