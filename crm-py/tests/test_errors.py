"""The one error path (crm-py/src/errors.rs): every core error kind reaches Python as its own
exception class, errors found in the skin go the same way, and parse errors show no personal
data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Callable, Dict

import numpy as np
import pytest

import crm
from crm import _crm

T0 = dt.datetime(2025, 3, 1, 10, tzinfo=dt.timezone.utc)

# The class each kind must raise: written out here, not read from the module.
CLASSES = {
    "invalid_input": crm.InvalidInputError,
    "not_found": crm.NotFoundError,
    "duplicate": crm.DuplicateError,
    "conflict": crm.ConflictError,
    "parse": crm.ParseError,
    "unsupported_version": crm.UnsupportedVersionError,
    "io": crm.CrmIOError,
}


def _native_book() -> "_crm.CustomerBook":
    b = _crm.CustomerBook("TRY", "reject")
    b.add_customer_json('{"id": 1, "given_name": "Ay", "acquired_at": "2025-02-01T00:00:00Z"}')
    return b


def _event(**fields: object) -> str:
    base = {"customer_id": 1, "at": "2025-03-01T10:00:00Z", "type": "purchase", "amount": 100, "currency": "TRY"}
    base.update(fields)
    return json.dumps(base)


def _triggers(tmp_path: Path) -> Dict[str, Callable[[], object]]:
    """One call through the native module per kind, each failing in crm-core."""
    old = tmp_path / "old.json"
    old.write_text('{"format_version": 99, "config": {"currency": "TRY"}, "customers": [], "events": []}')
    return {
        "invalid_input": lambda: _native_book().record_json(_event(amount=-5)),
        "not_found": lambda: _native_book().record_json(_event(customer_id=9)),
        "duplicate": lambda: _native_book().add_customer_json('{"id": 1, "given_name": "Ay"}'),
        "conflict": lambda: _native_book().record_json(_event(at="2025-01-01T00:00:00Z")),
        "parse": lambda: _native_book().add_customer_json("{"),
        "unsupported_version": lambda: _crm.CustomerBook.load(old),
        "io": lambda: _crm.CustomerBook.load(tmp_path / "missing.json"),
    }


def test_the_native_module_lists_every_kind():
    assert sorted(_crm.ERROR_KINDS) == sorted(CLASSES)
    assert len(set(_crm.ERROR_KINDS)) == len(_crm.ERROR_KINDS)


def test_every_kind_raises_its_own_class(tmp_path):
    triggers = _triggers(tmp_path)
    # A kind added in core fails here until it has a class and a trigger.
    assert set(triggers) == set(_crm.ERROR_KINDS)
    raised = {}
    for kind in _crm.ERROR_KINDS:
        with pytest.raises(crm.CrmError) as e:
            triggers[kind]()
        raised[kind] = type(e.value)
        assert type(e.value) is CLASSES[kind], kind
    assert len(set(raised.values())) == len(raised), "one class per kind"
    assert crm.CrmError not in raised.values()


def test_skin_side_errors_are_crm_errors_with_a_field(tmp_path):
    with pytest.raises(crm.InvalidInputError) as e:
        _crm.CustomerBook("TRY", "sometimes")
    assert e.value.field == "early_events"
    assert str(e.value) == 'invalid early_events "sometimes": use "reject" or "accept"'
    model = _crm.ValueModel([("recency", 1.0)], "percentile", None)
    with pytest.raises(crm.InvalidInputError) as e:
        model.score_columns([1.0, 2.0])  # type: ignore[arg-type]
    assert e.value.field == "columns" and "invalid columns list" in str(e.value)
    with pytest.raises(crm.InvalidInputError) as e:
        model.score_columns({"recency_days": np.array(["a", "b"])})
    assert e.value.field == "recency_days"
    ids, ticks = np.array([1], dtype=np.uint64), np.array([0], dtype=np.int64)
    with pytest.raises(crm.InvalidInputError) as e:
        _crm.customer_features(ids, ticks, "fortnights", np.array([1], dtype=np.int64), 0)
    assert e.value.field == "unit"
    with pytest.raises(crm.InvalidInputError) as e:
        _crm.customer_features(ids, ticks, "s", np.array(["1"]), 0)
    assert e.value.field == "amount"
    with pytest.raises(crm.CrmIOError) as e:
        _crm.CustomerBook("TRY", "reject").save(tmp_path / "no" / "such" / "dir.json")
    assert e.value.field == "path" and isinstance(e.value, OSError)


MALFORMED = [
    ({"id": 7, "given_name": "Ali", "national_id": 12345678901}, "12345678901"),
    ({"id": 7, "given_name": "Ali", "emails": "ali@ornek.com"}, "ali@ornek.com"),
    ({"id": 7, "given_name": "Ali", "phones": [5321234567]}, "5321234567"),
    ({"id": 7, "given_name": "Ali", "phones": "+90 532 123 45 67"}, "532 123"),
]


@pytest.mark.parametrize("customer, secret", MALFORMED)
def test_parse_errors_show_no_personal_data(customer, secret):
    b = crm.CustomerBook()
    for add in (lambda: b.add_customer(customer), lambda: b.add_customers([customer])):
        # A value of the wrong type is invalid input naming its path (issue 14), never quoted.
        with pytest.raises(crm.InvalidInputError) as e:
            add()
        msg = str(e.value)
        assert e.value.field is not None and any(k in e.value.field for k in customer if k != "id"), msg
        assert ": expected " in msg, msg
        for fragment in (secret, "1234", "ali@", "ornek", "532"):
            assert fragment not in msg, msg
    assert " at line 1 column " in msg  # serde's position stays
    assert len(b) == 0
