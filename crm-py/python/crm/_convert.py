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

from .errors import InvalidInputError

Columns = Dict[str, np.ndarray]

_UNITS = {"s", "ms", "us", "ns"}


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
    """(int64 ticks, unit) for datetime64 columns, Python datetimes, or integers with ``unit``."""
    arr = array(obj, field)
    if arr.dtype.kind == "M":
        found, _ = np.datetime_data(arr.dtype)
        if found not in _UNITS:
            arr = arr.astype("datetime64[us]")
            found = "us"
        return np.ascontiguousarray(arr).view(np.int64), found
    if arr.dtype.kind in "iu":
        if unit not in _UNITS:
            raise _invalid(field, 'integer instants need unit="s", "ms", "us" or "ns"')
        return np.ascontiguousarray(arr.astype(np.int64, copy=False)), str(unit)
    if arr.dtype == object or arr.dtype.kind in "US":
        converted = np.array([_utc_naive(v) for v in arr.tolist()], dtype="datetime64[us]")
        return converted.view(np.int64), "us"
    raise _invalid(field, f"must hold instants, got dtype {arr.dtype}")


def amounts(obj: Any, field: str = "amount") -> np.ndarray:
    arr = array(obj, field)
    if arr.dtype == np.int64 or arr.dtype == np.float64:
        return np.ascontiguousarray(arr)
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


def _utc_naive(value: Any) -> _dt.datetime:
    if isinstance(value, str):
        value = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, np.datetime64):
        return cast(_dt.datetime, value.astype("datetime64[us]").astype(_dt.datetime))
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return cast(_dt.datetime, value)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    raise _invalid("timestamp", f"cannot read {value!r} as an instant")


def instant_ticks(value: Any, unit: str) -> int:
    """An instant (datetime, date, ISO string, numpy or pandas timestamp) as ticks of ``unit``."""
    micros = int(np.datetime64(_utc_naive(value), "us").astype(np.int64))
    return {"s": micros // 1_000_000, "ms": micros // 1_000, "us": micros, "ns": micros * 1_000}[unit]


def now_us() -> int:
    return instant_ticks(_dt.datetime.now(_dt.timezone.utc), "us")


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, np.datetime64)) or hasattr(value, "to_pydatetime"):
        return _utc_naive(value).isoformat() + "Z"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """JSON text in crm's serde forms (instants as RFC 3339 UTC)."""
    return json.dumps(value, default=_json_default, ensure_ascii=False)


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
