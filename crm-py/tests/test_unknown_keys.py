"""Config dicts and JSON refuse keys they do not know (crm-core's serde grammars): a misspelt
key is a ``crm.ParseError`` naming it, with the close name, instead of being dropped."""

import datetime as dt

import pytest

import crm

WEEK = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def test_a_misspelt_holiday_is_refused_with_a_suggestion() -> None:
    good = {"time_zone": "Europe/Istanbul", "week": WEEK, "holidays": ["2025-04-23"]}
    cal = crm.BusinessCalendar(good)
    # From Tuesday 2025-04-22 17:00 local (14:00Z) to Thursday 10:00 local (07:00Z): one hour
    # on Tuesday and one on Thursday, as Wednesday is the holiday.
    opened = dt.datetime(2025, 4, 22, 14, 0, tzinfo=dt.timezone.utc)
    due = dt.datetime(2025, 4, 24, 7, 0, tzinfo=dt.timezone.utc)
    assert cal.business_minutes_between(opened, due) == 120
    bad = {"time_zone": "Europe/Istanbul", "week": WEEK, "holiday": ["2025-04-23"]}
    with pytest.raises(crm.ParseError, match=r"unknown field `holiday`.*did you mean `holidays`\?"):
        crm.BusinessCalendar(bad)


def test_a_misspelt_value_model_key_is_refused() -> None:
    with pytest.raises(crm.ParseError, match=r"did you mean `normalization`\?"):
        crm.ValueModel.from_json('{"keys": [{"key": "monetary", "weight": 1}], "normalisation": "min_max"}')
