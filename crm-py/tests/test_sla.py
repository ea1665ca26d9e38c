"""crm-core/src/sla/calendar.rs through Python."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crm

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
UTC = dt.timezone.utc


def istanbul() -> crm.BusinessCalendar:
    return crm.BusinessCalendar({
        "time_zone": "Europe/Istanbul",
        "week": {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in WEEKDAYS},
        "holidays": ["2025-04-23"],
        "special_days": [{"date": "2025-03-28", "hours": [["09:00", "13:00"]]}],
    })


def test_istanbul_deadlines_worked_by_hand():
    cal = istanbul()
    # Friday 7 March 17:30 local (14:30Z) + 4 business hours: 30 min Friday, 3 h 30 Monday
    # morning → Monday 12:30 local = 09:30Z.
    due = cal.add_business_minutes(dt.datetime(2025, 3, 7, 14, 30, tzinfo=UTC), 240)
    assert due == dt.datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
    # Holiday: Tuesday 22 April 17:00 + 2 h → Thursday 24 April 10:00 local = 07:00Z.
    assert cal.add_business_minutes("2025-04-22T14:00:00Z", 120) == dt.datetime(2025, 4, 24, 7, 0, tzinfo=UTC)
    # Half day: Friday 28 March 12:00 + 2 h → Monday 31 March 10:00 local.
    assert cal.add_business_minutes("2025-03-28T09:00:00Z", 120) == dt.datetime(2025, 3, 31, 7, 0, tzinfo=UTC)
    assert cal.business_minutes_between("2025-03-10T05:00:00Z", "2025-03-10T16:00:00Z") == 480
    assert cal.end_of_next_business_day("2025-04-22T07:00:00Z") == dt.datetime(2025, 4, 24, 15, 0, tzinfo=UTC)
    assert cal.is_open("2025-03-10T15:00:00Z") and not cal.is_open("2025-03-10T09:45:00Z")


def test_columns_match_scalars():
    cal = istanbul()
    starts = pd.date_range("2025-03-01", periods=200, freq="7h")
    due = cal.add_business_minutes(starts, 240)
    assert isinstance(due, pd.Series)  # a pandas column in, a pandas column out
    assert due.dtype == np.dtype("datetime64[us]")
    for s, d in zip(starts[:20], due[:20]):
        assert cal.add_business_minutes(s.to_pydatetime(), 240).replace(tzinfo=None) == d.to_pydatetime()
    minutes = cal.business_minutes_between(starts.to_numpy(), due)
    assert minutes.tolist() == [240] * len(starts)


def test_round_trip_and_errors():
    cal = istanbul()
    assert crm.BusinessCalendar.from_json(cal.to_json()).to_json() == cal.to_json()
    with pytest.raises(crm.InvalidInputError, match="Europe/Istambul"):
        crm.BusinessCalendar({"time_zone": "Europe/Istambul", "week": {"mon": [["09:00", "17:00"]]}})
    with pytest.raises(crm.InvalidInputError, match="windows overlap"):
        crm.BusinessCalendar({"week": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}})
    with pytest.raises(crm.ParseError):
        crm.BusinessCalendar("{")
    with pytest.raises(crm.InvalidInputError, match="must not be negative"):
        cal.add_business_minutes("2025-03-10T05:00:00Z", -5)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2 * 366 * 24 * 60), st.integers(0, 5_000))
def test_deadlines_lie_in_business_hours(start_minute, minutes):
    cal = istanbul()
    at = dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=start_minute)
    due = cal.add_business_minutes(at, minutes)
    assert cal.is_open(due)
    assert cal.business_minutes_between(at, due) == minutes


def test_calendar_columns_come_back_as_the_kind_that_came_in():
    import pandas as pd
    import polars as pl

    day = [["09:00", "17:00"]]
    cal = crm.BusinessCalendar({"time_zone": "Europe/London",
                                "week": {d: day for d in ("mon", "tue", "wed", "thu", "fri")}})
    # Friday 16:00 + 240 business minutes crosses the DST weekend to Monday 12:00 BST =
    # 11:00 UTC; Monday 24 March 10:00 GMT + 60 is 11:00 UTC.
    at = pd.Series(pd.to_datetime(["2025-03-28T16:00:00", "2025-03-24T10:00:00"]), index=[7, 9])
    due = cal.add_business_minutes(at, np.array([240, 60]))
    assert isinstance(due, pd.Series) and list(due.index) == [7, 9]
    assert list(due) == list(pd.to_datetime(["2025-03-31T11:00:00", "2025-03-24T11:00:00"]))
    minutes = cal.business_minutes_between(at, due)
    assert isinstance(minutes, pd.Series) and list(minutes) == [240, 60]
    opened = cal.is_open(pl.Series("at", at.to_numpy()))
    assert isinstance(opened, pl.Series) and opened.to_list() == [True, True]
    assert isinstance(cal.is_open(at.to_numpy()), np.ndarray)
