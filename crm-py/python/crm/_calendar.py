"""Business calendars for Python: deadlines in business minutes, correct across DST."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Mapping, Union

import numpy as np

from . import _convert as cv
from . import _crm
from .errors import InvalidInputError

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _instants(value: Any) -> "tuple[np.ndarray, bool]":
    """(µs ticks, scalar?) for one instant or a column of them."""
    if isinstance(value, (str, _dt.datetime, _dt.date, np.datetime64)) or hasattr(value, "to_pydatetime") and not hasattr(value, "__len__"):
        return np.array([cv.instant_ticks(value, "us")], dtype=np.int64), True
    ticks, unit = cv.timestamps(value, None)
    factor = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 1}[unit]
    us = ticks // 1_000 if unit == "ns" else ticks * factor
    return np.ascontiguousarray(us, dtype=np.int64), False


def _out(us: np.ndarray, scalar: bool, like: Any) -> Any:
    if scalar:
        return _EPOCH + _dt.timedelta(microseconds=int(us[0]))
    return cv.column(like, "due", us.astype("datetime64[us]"))


class BusinessCalendar:
    """Weekly opening windows in an IANA time zone, with holidays and special (half) days.

    Build it from the JSON form, as a dict or text::

        cal = crm.BusinessCalendar({
            "time_zone": "Europe/Istanbul",
            "week": {d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2025-04-23"],
            "special_days": [{"date": "2025-03-28", "hours": [["09:00", "13:00"]]}],
        })

    A lunch break is the gap between two windows. Instants are ``datetime`` (naive = UTC),
    ISO strings or numpy/pandas timestamps; every method also takes a column of them and
    then returns a column of the same kind (a pandas Series with the input's index, a polars
    Series, otherwise a numpy array). Past instants use the UTC offset in force at their time.

    >>> import crm
    >>> day = [["09:00", "17:00"]]
    >>> cal = crm.BusinessCalendar({"time_zone": "Europe/London",
    ...                             "week": {d: day for d in ("mon", "tue", "wed", "thu", "fri")}})
    >>> cal.add_business_minutes("2025-03-28T16:00:00Z", 240).isoformat()  # over the DST weekend
    '2025-03-31T11:00:00+00:00'
    >>> cal.business_minutes_between("2025-03-28T16:00:00Z", "2025-03-31T11:00:00Z")
    240
    """

    def __init__(self, config: Union[str, Mapping[str, Any]]) -> None:
        text = config if isinstance(config, str) else json.dumps(config)
        self._inner = _crm.BusinessCalendar.from_json(text)

    @classmethod
    def from_json(cls, text: str) -> "BusinessCalendar":
        """A calendar from its JSON text."""
        return cls(text)

    def to_json(self) -> str:
        """The JSON form (the same text Rust and C callers use)."""
        return str(self._inner.to_json())

    def add_business_minutes(self, at: Any, minutes: Any) -> Any:
        """``at`` plus ``minutes`` of business time (the SLA deadline).

        ``minutes`` is 0 to ``MAX_BUSINESS_MINUTES`` (5,259,600: ten years around the clock);
        more, or a deadline past the representable instants, raises
        :class:`crm.InvalidInputError` naming the row."""
        us, scalar = _instants(at)
        try:
            mins = np.broadcast_to(np.asarray(minutes, dtype=np.int64), us.shape).copy()
        except OverflowError:  # an int past int64: numpy's error names nothing
            shown = f" {minutes}" if isinstance(minutes, int) else ""
            err = InvalidInputError(f"invalid minutes{shown}: does not fit a 64-bit integer")
            err.field = "minutes"
            raise err from None
        return _out(self._inner.add_minutes_us(us, mins), scalar, at)

    def business_minutes_between(self, start: Any, end: Any) -> Any:
        """Whole business minutes from ``start`` to ``end`` (0 when ``end`` is not later).

        A span longer than ``MAX_SPAN_DAYS`` (146,097 days: 400 years) raises
        :class:`crm.InvalidInputError` naming ``to[i]``."""
        a, scalar = _instants(start)
        b, _ = _instants(end)
        out = self._inner.minutes_between_us(a, np.broadcast_to(b, a.shape).copy())
        return int(out[0]) if scalar else cv.column(start, "business_minutes", out)

    def next_business_instant(self, at: Any) -> Any:
        """The first business instant at or after ``at``."""
        return self.add_business_minutes(at, 0)

    def end_of_next_business_day(self, at: Any) -> Any:
        """The close of the next business day after ``at``'s local date."""
        us, scalar = _instants(at)
        return _out(self._inner.end_of_next_business_day_us(us), scalar, at)

    def is_open(self, at: Any) -> Any:
        """Whether ``at`` lies within business hours (window ends included)."""
        us, scalar = _instants(at)
        out = self._inner.is_open_us(us)
        return bool(out[0]) if scalar else cv.column(at, "open", out)

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.to_json()})"
