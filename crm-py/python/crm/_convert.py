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
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, cast

import numpy as np

from . import _crm
from .errors import InvalidInputError

Columns = Dict[str, np.ndarray]

_UNITS = {"s", "ms", "us", "ns"}
_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1


def kind_of(obj: Any) -> str:
    """'pandas', 'polars', 'pyarrow' or 'numpy': the kind of frame results come back as."""
    module = type(obj).__module__
    if module.startswith("pandas"):
        return "pandas"
    if module.startswith("polars"):
        return "polars"
    if module.startswith("pyarrow"):
        return "pyarrow"
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
    elif kind == "pyarrow" and hasattr(obj, "null_count"):
        if obj.null_count and not str(obj.type).startswith("timestamp"):
            raise _invalid(field, f"has {obj.null_count} missing values")
        arr = np.asarray(obj.to_numpy(zero_copy_only=False))
    else:
        if isinstance(obj, Mapping):
            raise _invalid(field, f"must be a column (array, list, Series), got a {type(obj).__name__}; "
                                  "a frame (a dict of columns too) goes in as the first argument alone")
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


def count(value: Any, field: str, bits: int = 64) -> Any:
    """A count, size, limit or index for a native argument of ``bits`` unsigned bits: an
    integer below 0 or past the native type is :class:`crm.InvalidInputError` naming
    ``field`` (Python's own conversion would raise an ``OverflowError`` naming nothing);
    crm-core's limits decide the rest. Anything but an integer passes unchanged, for the
    native signature to refuse."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return value
    out = int(value)
    if out < 0:
        reason = "must not be negative"
    elif out >= 1 << bits:
        reason = f"does not fit {bits} bits (at most {(1 << bits) - 1})"
    else:
        return out
    err = InvalidInputError(f"invalid {field} {out}: {reason}")
    err.field = field
    raise err


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


def period_end_arg(value: Any, field: str = "as_of") -> Union[int, str]:
    """The end of a period for a call whose zone crm-core decides (a config's ``"tz"``): a
    bare date or a text travels as text, resolved there; an instant as microseconds; None is
    now."""
    if value is None:
        return now_us()
    if isinstance(value, str):
        return value
    day = _bare_date(value)
    if day is not None:
        return day
    return instant_ticks(value, "us", field)


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
    if kind == "pyarrow":
        import pyarrow as pa

        return pa.table({k: _arrow(v) for k, v in columns.items()})
    return {k: (v if isinstance(v, np.ndarray) else np.asarray(v, dtype=object)) for k, v in columns.items()}


def _arrow(values: Any) -> Any:
    """One result column as a pyarrow array (object arrays of text become strings)."""
    import pyarrow as pa

    if kind_of(values) == "pyarrow":
        return values
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    return pa.array(arr.tolist() if arr.dtype == object else arr)


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
    if kind == "pyarrow":
        return _arrow(values)
    return values


def table_columns(obj: Any, field: str = "features") -> Dict[str, Any]:
    """The columns of any frame :func:`table` takes, by name."""
    return table(obj, field)[1]


# --- Frames as data teams have them: any frame kind, a column mapping, ids of any kind. ---

_COLUMN_TYPES = {"Series", "Array", "ChunkedArray", "ndarray", "Index"}


def is_frame(obj: Any) -> bool:
    """Whether ``obj`` is a whole frame (rather than one column): a pandas or polars
    DataFrame, a polars LazyFrame, a pyarrow Table or RecordBatch, a mapping of columns, or
    any object with the Arrow PyCapsule stream interface (``__arrow_c_stream__``)."""
    if isinstance(obj, (list, tuple, np.ndarray, str, bytes)) or obj is None:
        return False
    name = type(obj).__name__
    if kind_of(obj) in ("pandas", "polars", "pyarrow"):
        return name not in _COLUMN_TYPES and not name.endswith("Array")
    return isinstance(obj, Mapping) or hasattr(obj, "__arrow_c_stream__")


def table(obj: Any, field: str = "frame") -> Tuple[str, Dict[str, Any]]:
    """(kind of frame results come back as, columns by name) of any frame :func:`is_frame`
    accepts. A polars LazyFrame is collected; an ``__arrow_c_stream__`` object is read
    into a pyarrow Table (results then come back as pyarrow)."""
    kind = kind_of(obj)
    name = type(obj).__name__
    if kind == "polars" and name == "LazyFrame":
        obj = obj.collect()
        name = type(obj).__name__
    if kind == "pandas" and name == "DataFrame":
        return kind, {str(c): obj[c] for c in obj.columns}
    if kind == "polars" and name == "DataFrame":
        return kind, {c: obj[c] for c in obj.columns}
    if kind == "pyarrow" and name in ("Table", "RecordBatch"):
        return kind, {c: obj.column(c) for c in obj.column_names}
    if isinstance(obj, Mapping):
        return "numpy", {str(k): v for k, v in obj.items()}
    if hasattr(obj, "__arrow_c_stream__"):
        import pyarrow as pa

        t = pa.table(obj)
        return "pyarrow", {c: t.column(c) for c in t.column_names}
    raise _invalid(field, f"must be a frame (a pandas or polars DataFrame, a polars LazyFrame, a pyarrow "
                          f"Table or RecordBatch, an object with __arrow_c_stream__, or a dict of columns), "
                          f"got a {type(obj).__name__}")


def select(cols: Mapping[str, Any], columns: Optional[Mapping[str, str]], required: Sequence[str],
           optional: Sequence[str] = ()) -> Dict[str, Tuple[str, Any]]:
    """The frame's columns by role: ``{role: (column name, column)}``.

    ``columns`` maps roles to the frame's own column names (``{"customer_id": "CustomerID"}``);
    a role not mapped is read from the column of its own name. A role that is not one of
    ``required`` or ``optional``, a mapped column the frame lacks, and a required role with
    no column raise :class:`crm.InvalidInputError` naming them (and the columns there are).
    """
    roles = list(required) + [r for r in optional if r not in required]
    mapping = {} if columns is None else dict(columns)
    for role, name in mapping.items():
        if role not in roles:
            raise _invalid("columns", f"unknown role {role!r}; the roles here are {', '.join(roles)}")
        if not isinstance(name, str):
            raise _invalid(f"columns[{role!r}]", f"must be a column name (str), got {type(name).__name__}")
    out: Dict[str, Tuple[str, Any]] = {}
    missing: List[str] = []
    for role in roles:
        name = mapping.get(role, role)
        if name in cols:
            out[role] = (name, cols[name])
        elif role in mapping or role in required:
            missing.append(f"{name!r} (role {role})" if name != role else repr(name))
    if missing:
        have = ", ".join(repr(c) for c in list(cols)[:20]) + (", ..." if len(cols) > 20 else "")
        raise _invalid("columns", f"the frame has no column {', '.join(missing)}; it has {have or 'no columns'}"
                                  + ("" if columns else "; map roles to your columns with columns={role: name}"))
    return out


def _missing_rows(obj: Any, arr: Optional[np.ndarray]) -> np.ndarray:
    """Row numbers of the missing values of a column (None, NaN, NaT, pandas NA, nulls)."""
    kind = kind_of(obj)
    if kind == "pandas":
        return np.flatnonzero(np.asarray(obj.isna()))
    if kind == "polars":
        return np.flatnonzero(obj.is_null().to_numpy()) if obj.null_count() else np.array([], dtype=np.intp)
    if kind == "pyarrow" and hasattr(obj, "null_count"):
        if not obj.null_count:
            return np.array([], dtype=np.intp)
        return np.flatnonzero(np.asarray(obj.is_null().to_numpy(zero_copy_only=False)))
    assert arr is not None
    if arr.dtype.kind == "f":
        return np.flatnonzero(np.isnan(arr))
    if arr.dtype.kind == "M":
        return np.flatnonzero(np.isnat(arr))
    if arr.dtype == object:
        return np.flatnonzero(np.fromiter((v is None or v != v for v in arr.tolist()), dtype=bool, count=len(arr)))
    return np.array([], dtype=np.intp)


def _rows(rows: np.ndarray, n: int) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:5])
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more} (of {n})"


def _values(obj: Any, field: str) -> np.ndarray:
    """The column as a 1-d numpy array, once its missing values are known to be none."""
    kind = kind_of(obj)
    if kind == "pandas":
        dtype = getattr(obj.dtype, "numpy_dtype", None)  # pandas' nullable Int64, Float64...
        arr = np.asarray(obj.to_numpy(dtype=dtype) if dtype is not None else obj.to_numpy())
    elif kind == "polars":
        arr = np.asarray(obj.to_numpy())
    elif kind == "pyarrow" and hasattr(obj, "to_numpy"):
        arr = np.asarray(obj.to_numpy(zero_copy_only=False))
    else:
        if isinstance(obj, Mapping):
            raise _invalid(field, f"must be a column (array, list, Series), got a {type(obj).__name__}")
        arr = np.asarray(obj)
    if arr.ndim != 1:
        raise _invalid(field, f"must be one-dimensional, got shape {arr.shape}")
    return arr


class Keys:
    """The user's ids behind the dense ``uint64`` codes crm computes with.

    Non-negative integer ids are their own codes (no copy for ``uint64``/``int64``); every
    other kind (text, UUIDs, categoricals, negative integers, floats holding integers) is
    factorised, codes in ascending order of the ids where they can be ordered, and
    :meth:`back` maps result codes to the ids in the column's own dtype.
    """

    def __init__(self, source: Any, name: str, codes: np.ndarray, first: Optional[np.ndarray], dtype: np.dtype) -> None:
        self.source = source
        self.name = name
        self.codes = codes
        self.first = first
        self.dtype = dtype

    def back(self, codes: np.ndarray) -> Any:
        """The ids of ``codes`` as a column of the source's kind and dtype."""
        codes = np.asarray(codes)
        if self.first is None:
            out = codes.astype(self.dtype, copy=False)
            if kind_of(self.source) == "pandas" and getattr(self.source, "dtype", out.dtype) != out.dtype:
                import pandas as pd  # a nullable Int64 (say) comes back as Int64

                return pd.Series(out, dtype=self.source.dtype)
            return out
        rows = self.first[codes.astype(np.intp)]
        kind = kind_of(self.source)
        if kind == "pandas":
            return self.source.iloc[rows].reset_index(drop=True)
        if kind == "polars":
            return self.source.gather(rows)
        if kind == "pyarrow" and hasattr(self.source, "take"):
            return self.source.take(rows)
        return np.asarray(self.source)[rows]


def factorize(obj: Any, field: str = "customer_id") -> Keys:
    """:class:`Keys` of an id column of any kind. Missing ids and floats that are no whole
    number raise :class:`crm.InvalidInputError` naming the column and rows."""
    framed = kind_of(obj) in ("pandas", "polars", "pyarrow") and not isinstance(obj, np.ndarray)
    arr = None if framed else _values(obj, field)
    gone = _missing_rows(obj, arr)
    if len(gone):
        raise _invalid(field, f"has missing ids at {_rows(gone, len(obj) if arr is None else len(arr))}: "
                              "every row needs a customer id")
    if kind_of(obj) == "pandas" and not isinstance(obj, np.ndarray) and getattr(obj.dtype, "kind", "O") not in "iufb":
        # Text, categoricals, UUIDs in pandas: factorised by pandas itself (its own hash
        # table over Arrow-backed text or category codes, no Python object per row).
        import pandas as pd

        try:
            by_pandas = np.asarray(pd.factorize(obj, sort=True)[0], dtype=np.int64)
        except TypeError:
            pass
        else:
            first = np.unique(by_pandas, return_index=True)[1]
            return Keys(obj, field, np.ascontiguousarray(by_pandas.astype(np.uint64)), np.asarray(first, dtype=np.intp),
                        np.dtype(object))
    if arr is None:
        arr = _values(obj, field)
    if arr.dtype.kind in "iu" and (arr.dtype == np.uint64 or not len(arr) or int(arr.min()) >= 0):
        own = arr if arr.dtype == np.uint64 else arr.astype(np.int64, copy=False).view(np.uint64)
        return Keys(obj, field, np.ascontiguousarray(own), None, arr.dtype)
    if arr.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.trunc(arr)))
        if len(bad):
            raise _invalid(f"{field}[{int(bad[0])}]", f"{arr[bad[0]]!r} is not a whole number: float ids must "
                                                     f"hold integers ({_rows(bad, len(arr))})")
    elif arr.dtype.kind == "b":
        raise _invalid(field, "holds booleans, which are no customer ids")
    codes: np.ndarray
    try:
        if arr.dtype == object:
            try:
                import pandas as pd  # a hash table: much faster than sorting Python objects
            except ImportError:
                raise TypeError from None
            codes = np.asarray(pd.factorize(arr, sort=True)[0])
        else:
            codes = np.unique(arr, return_inverse=True)[1].reshape(-1)
    except TypeError:
        # Ids that cannot be ordered (mixed kinds): codes in order of first appearance.
        seen: Dict[Any, int] = {}
        codes = np.fromiter((seen.setdefault(v, len(seen)) for v in arr.tolist()), dtype=np.int64, count=len(arr))
    first = np.unique(codes, return_index=True)[1]
    return Keys(obj, field, np.ascontiguousarray(codes.astype(np.uint64)), np.asarray(first, dtype=np.intp), arr.dtype)


class Transactions:
    """Transaction columns ready for the native module: id codes, int64 ticks and their
    unit, amounts (int64 minor units or float64) — line items collapsed into orders when an
    ``order_id`` column is given — plus what is needed to give results back as the frame
    that came in, keyed by the user's own ids."""

    def __init__(self, kind: str, keys: Keys, ticks: np.ndarray, unit: str, amount: np.ndarray) -> None:
        self.kind = kind
        self.keys = keys
        self.ids = keys.codes
        self.ticks = ticks
        self.unit = unit
        self.amount = amount

    def as_of(self, as_of: Any, tz: Optional[str] = None) -> int:
        """``as_of`` in ticks, the end of a period (a bare date is the end of that day in
        ``tz``); None is the latest timestamp of the data (0 without rows)."""
        if as_of is None:
            return int(self.ticks.max()) if len(self.ticks) else 0
        return end_ticks(as_of, self.unit, tz=tz)

    def result(self, columns: Mapping[str, Any], id_column: str = "customer_id") -> Any:
        """Result columns as the frame that came in, the id column (codes) mapped back to
        the user's ids under the name of the user's id column."""
        out: Dict[str, Any] = {}
        for name, values in columns.items():
            if name == id_column:
                out[self.keys.name] = self.keys.back(values)
            else:
                out[name] = values
        return frame(self.kind, out)


TRANSACTION_ROLES = ("customer_id", "timestamp", "amount")


def transactions(customer_id: Any, timestamp: Any, amount: Any, unit: Optional[str],
                 columns: Optional[Mapping[str, str]] = None, *, roles: Sequence[str] = TRANSACTION_ROLES) -> Transactions:
    """The one reader of transactions for every columnar entry point: three columns, or one
    frame (any kind :func:`table` takes) whose columns are found by role through
    ``columns`` (roles ``customer_id``, ``timestamp``, ``amount`` and, optionally,
    ``order_id``: rows of one order then count as one purchase)."""
    if timestamp is None and amount is None:
        kind, cols = table(customer_id)
        picked = select(cols, columns, required=roles, optional=("order_id",))
    elif is_frame(customer_id):
        raise _invalid("customer_id", "is a whole frame: pass a frame alone (with columns= to map its "
                                      "columns), or three columns")
    else:
        if timestamp is None or amount is None:
            raise _invalid("timestamp" if timestamp is None else "amount",
                           "is missing: pass three columns (customer_id, timestamp, amount) or one frame")
        kind = kind_of(customer_id)
        picked = {"customer_id": ("customer_id", customer_id), "timestamp": ("timestamp", timestamp),
                  "amount": ("amount", amount)}
    id_name, id_col = picked["customer_id"]
    keys = factorize(id_col, id_name)
    ticks, found = timestamps(picked["timestamp"][1], unit, picked["timestamp"][0])
    money = amounts(picked["amount"][1], picked["amount"][0])
    if "order_id" in picked:
        from . import _crm

        order_name, order_col = picked["order_id"]
        orders = factorize(order_col, order_name)  # lengths are checked in crm-core
        o = _crm.collapse_orders(keys.codes, orders.codes, np.ascontiguousarray(ticks, dtype=np.int64), money)
        keys.codes = o["customer_id"]
        ticks, money = o["timestamp"], o["amount"]
    return Transactions(kind, keys, ticks, found, money)
