"""Conversions between what data teams hold (lists, numpy, pandas, polars) and the columns the
native module takes. No CRM logic lives here.

Zero-copy inputs: ``uint64`` ids (``int64`` ids are reinterpreted after checking they are not
negative), ``int64`` minor units or ``float64`` amounts, ``datetime64`` instants in any unit,
and pandas or polars numeric columns without missing values. Other dtypes (``int32``,
``float32``, Python lists, columns with nulls, timezone-aware pandas columns) are converted,
which copies.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Dict, Mapping, Optional, Tuple, cast

import numpy as np

from . import _crm
from .errors import InvalidInputError

Columns = Dict[str, np.ndarray]

_UNITS = {"s", "ms", "us", "ns"}
_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1


def kind_of(obj: Any) -> str:
    """'pandas', 'polars' or 'numpy': the kind of frame results come back as."""
    module = type(obj).__module__
    if module.startswith("pandas"):
        return "pandas"
    if module.startswith("polars"):
        return "polars"
    return "numpy"


def _invalid(field: str, message: str) -> InvalidInputError:
    err = InvalidInputError(f"invalid {field}: {message}")
    err.field = field
    return err


def array(obj: Any, field: str) -> np.ndarray:
    """A 1-d numpy view of a column (no copy where the source allows it)."""
    kind = kind_of(obj)
    arr: np.ndarray
    if kind == "pandas":
        if getattr(obj.dtype, "tz", None) is not None:
            obj = obj.dt.tz_convert("UTC").dt.tz_localize(None)
        arr = np.asarray(obj.to_numpy())
    elif kind == "polars":
        if obj.null_count():
            raise _invalid(field, f"has {obj.null_count()} missing values")
        arr = np.asarray(obj.to_numpy())
    else:
        arr = np.asarray(obj)
    if arr.ndim != 1:
        raise _invalid(field, f"must be one-dimensional, got shape {arr.shape}")
    return arr


def customer_id(value: Any, field: str = "customer_id") -> int:
    """One customer id: an integer from 0 to 2**64 - 1 (a ``uint64``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise _invalid(field, f"must be an integer id, got {type(value).__name__}")
    out = int(value)
    if not 0 <= out <= _UINT64_MAX:
        raise _invalid(field, f"ids are 0 to 2**64 - 1, got {out}")
    return out


def ids(obj: Any, field: str = "customer_id") -> np.ndarray:
    arr = array(obj, field)
    if arr.dtype == np.uint64:
        return np.ascontiguousarray(arr)
    if arr.dtype.kind in "iu":
        if len(arr) and arr.min() < 0:
            raise _invalid(field, f"ids must not be negative, found {int(arr.min())}")
        arr = np.ascontiguousarray(arr.astype(np.int64, copy=False))
        return arr.view(np.uint64)
    raise _invalid(field, f"must hold integers, got dtype {arr.dtype}")


def timestamps(obj: Any, unit: Optional[str], field: str = "timestamp") -> Tuple[np.ndarray, str]:
    """(int64 ticks, unit) for datetime64 columns, integers with ``unit``, or columns of text,
    datetimes or dates (parsed in Rust in one pass by crm-core's instant parser).

    A missing instant (pandas ``NaT``, ``None``/NaN in an object column, a polars null) is
    an error naming ``field[row]`` of the first one."""
    if kind_of(obj) == "polars" and hasattr(obj, "null_count") and obj.null_count():
        row = int(obj.is_null().arg_true()[0])
        raise _invalid(f"{field}[{row}]", "is missing (null); drop or fill the row first")
    arr = array(obj, field)
    if arr.dtype.kind == "M":
        found, _ = np.datetime_data(arr.dtype)
        if found not in _UNITS:
            arr = arr.astype("datetime64[us]")
            found = "us"
        ticks = np.ascontiguousarray(arr).view(np.int64)
        if len(ticks) and bool(np.isnat(arr).any()):
            row = int(np.argmax(np.isnat(arr)))
            raise _invalid(f"{field}[{row}]", "is missing (NaT); drop or fill the row first")
        return ticks, found
    if arr.dtype.kind in "iu":
        if unit not in _UNITS:
            raise _invalid(field, 'integer instants need unit="s", "ms", "us" or "ns"')
        return np.ascontiguousarray(arr.astype(np.int64, copy=False)), str(unit)
    if arr.dtype == object or arr.dtype.kind in "US":
        values = arr.tolist()
        try:
            # The fast path for text: one string, split and parsed in Rust with the GIL
            # released (join refuses anything that is not a str).
            text = "\n".join(values)
        except TypeError:
            text = None
        if text is not None and values and text.count("\n") == len(values) - 1:
            return _crm.parse_instant_lines(text, len(values), field, "us"), "us"
        return _crm.parse_instants(values, field, "us"), "us"
    if arr.dtype.kind == "f" and len(arr) and bool(np.isnan(arr).all()):
        # A column of nothing but missing values (pandas reads an empty column as float NaN).
        raise _invalid(f"{field}[0]", "is missing (NaN); drop or fill the row first")
    raise _invalid(field, f"must hold instants, got dtype {arr.dtype}")


def amounts(obj: Any, field: str = "amount") -> np.ndarray:
    arr = array(obj, field)
    if arr.dtype == np.int64 or arr.dtype == np.float64:
        return np.ascontiguousarray(arr)
    if arr.dtype.kind == "u" and len(arr) and int(arr.max()) > _INT64_MAX:
        # uint64 amounts past 2**63 - 1 would wrap to refunds as int64.
        row = int(np.argmax(arr > _INT64_MAX))
        raise _invalid(f"{field}[{row}]", f"{int(arr[row])} minor units is more than 2**63 - 1")
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        return arr.astype(np.float64)
    raise _invalid(field, f"must be numeric, got dtype {arr.dtype}")


def floats(obj: Any, field: str) -> np.ndarray:
    arr = array(obj, field)
    if arr.dtype.kind not in "iuf":
        raise _invalid(field, f"must be numeric, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def is_nat(value: Any) -> bool:
    """Whether ``value`` is a missing instant: pandas ``NaT``, numpy ``NaT`` or a float NaN."""
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    if isinstance(value, float):
        return value != value
    return type(value).__name__ == "NaTType"


def _utc_naive(value: Any, field: str = "timestamp") -> _dt.datetime:
    """A datetime-like value (not text: text goes to crm-core's parser) as a naive UTC datetime."""
    if is_nat(value):
        raise _invalid(field, "is missing (NaT); pass a real instant")
    if isinstance(value, np.datetime64):
        try:
            return cast(_dt.datetime, value.astype("datetime64[us]").astype(_dt.datetime))
        except (ValueError, OverflowError):
            raise _invalid(field, "is outside the instants Python's datetime holds (years 1 to 9999)") from None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return cast(_dt.datetime, value)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    raise _invalid(field, f"cannot read a {type(value).__name__} as an instant")


def _bare_date(value: Any) -> Optional[str]:
    """The ISO text of a value that is a day rather than an instant (a ``datetime.date``, a
    numpy ``datetime64[D]``), else None."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, np.datetime64) and not np.isnat(value) and np.datetime_data(value.dtype)[0] == "D":
        return str(value)
    return None


def instant_ticks(value: Any, unit: str, field: str = "as_of", *, end: bool = False, tz: Optional[str] = None) -> int:
    """An instant (datetime, date, ISO string, numpy or pandas timestamp) as ticks of ``unit``.

    Text is read by crm-core's parser (RFC 3339, naive date-times as UTC, ``2025-03-01``,
    ``20250301``). A bare date (text, ``datetime.date``, ``datetime64[D]``) is the start of
    that day, or with ``end=True`` its last instant, in the zone ``tz`` (default UTC)."""
    if isinstance(value, str):
        return int(_crm.parse_instant(value, field, unit, end, tz))
    day = _bare_date(value)
    if day is not None:
        return int(_crm.parse_instant(day, field, unit, end, tz))
    micros = int(np.datetime64(_utc_naive(value, field), "us").astype(np.int64))
    ticks = {"s": micros // 1_000_000, "ms": micros // 1_000, "us": micros, "ns": micros * 1_000}[unit]
    if not -_INT64_MAX <= ticks <= _INT64_MAX:
        raise _invalid(field, "is outside the instants int64 nanoseconds hold (years 1678 to 2261)")
    return ticks


def end_ticks(value: Any, unit: str, field: str = "as_of", tz: Optional[str] = None) -> int:
    """The end of a period (``as_of``, ``observation_end``…) as ticks: a bare date is the end
    of that day (in ``tz``, default UTC), so the day's own events count."""
    return instant_ticks(value, unit, field, end=True, tz=tz)


def now_us() -> int:
    return instant_ticks(_dt.datetime.now(_dt.timezone.utc), "us")


def _json_default(value: Any) -> Any:
    if is_nat(value) or isinstance(value, (_dt.datetime, np.datetime64)) or hasattr(value, "to_pydatetime"):
        return _utc_naive(value).isoformat() + "Z"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise _invalid("record", f"cannot write a {type(value).__name__} as JSON")


def _bad_path(value: Any, path: str) -> Optional[Tuple[str, str]]:
    """(path, what is wrong) of the first value JSON cannot carry, for the error message."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            found = _bad_path(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found = _bad_path(v, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            return path, f"holds a lone surrogate at position {e.start}, which is not Unicode text"
        return None
    if is_nat(value) and not isinstance(value, float):
        return path, "is a missing instant (NaT)"
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return path, f"must be a finite number, got {value}"
    return None


def dumps(value: Any, field: str = "record") -> str:
    """JSON text in crm's serde forms (instants as RFC 3339 UTC).

    Values JSON cannot carry — a missing instant (NaT), NaN or infinity, text with a lone
    surrogate — raise :class:`crm.InvalidInputError` naming where they are
    (``field`` for the whole value, else the key path inside it, e.g. ``[3].at``).
    """
    try:
        text = json.dumps(value, default=_json_default, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
        return text
    except (ValueError, TypeError, UnicodeEncodeError) as e:
        found = _bad_path(value, "")
        if found:
            raise _invalid(found[0] or field, found[1]) from None
        if isinstance(e, InvalidInputError):
            raise
        raise _invalid(field, str(e)) from None


def frame(kind: str, columns: Mapping[str, Any]) -> Any:
    """Results as the kind of frame that came in: pandas, polars, or a dict of numpy arrays."""
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame(dict(columns))
    if kind == "polars":
        import polars as pl

        return pl.DataFrame(dict(columns))
    return {k: (v if isinstance(v, np.ndarray) else np.asarray(v, dtype=object)) for k, v in columns.items()}


def column(like: Any, name: str, values: np.ndarray) -> Any:
    """One result column as the kind of column ``like`` is: a pandas Series (with ``like``'s
    index), a polars Series, or the numpy array itself."""
    kind = kind_of(like)
    if kind == "pandas":
        import pandas as pd

        return pd.Series(values, index=getattr(like, "index", None), name=name)
    if kind == "polars":
        import polars as pl

        return pl.Series(name, values)
    return values


def table_columns(obj: Any) -> Dict[str, Any]:
    """The columns of a pandas/polars DataFrame or a mapping, by name."""
    if kind_of(obj) == "pandas" and hasattr(obj, "columns"):
        return {str(c): obj[c] for c in obj.columns}
    if kind_of(obj) == "polars" and hasattr(obj, "columns"):
        return {c: obj[c] for c in obj.columns}
    if isinstance(obj, Mapping):
        return dict(obj)
    raise _invalid("features", "must be a pandas or polars DataFrame or a mapping of columns")
