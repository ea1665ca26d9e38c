"""Data quality: validators, Turkish-aware normalisation, invented values, and duplicates.

>>> import crm
>>> crm.quality.normalize_name("Sn. Dr. Ayşe  YILMAZ")
'ayse yilmaz'
>>> crm.quality.normalize_phone("0532 123 45 67")
'+905321234567'
"""

from __future__ import annotations

import datetime as _dt
import json
import warnings
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from . import _convert as cv
from . import _crm
from .errors import UnusedColumnsWarning

__all__ = ["golden_record", "find_duplicates", "pair_completeness", "pair_completeness_by_key", "validate", "validate_frame", "report", "normalize_name", "normalize_phone",
           "normalize_email", "fold", "Duplicates", "Validation"]

# The columns the duplicate matcher reads, as crm-core lists them.
_COLUMNS = tuple(_crm.MATCH_COLUMNS)


def normalize_name(name: str) -> str:
    """A name as a matching key: Turkish case rules, folded to ASCII, punctuation and extra
    spaces removed, honorifics (Bay, Bayan, Sn., Dr., Av.) and company forms (A.Ş., Ltd.
    Şti., Tic., San.) dropped."""
    return str(_crm.normalize_name(name))


def normalize_phone(phone: str) -> Optional[str]:
    """A phone number in E.164 (Turkish spellings such as ``0532 123 45 67`` or ``(532)
    1234567``, international ones with ``+`` or ``00``), or None when it is no number."""
    out = _crm.normalize_phone(phone)
    return None if out is None else str(out)


def normalize_email(email: str) -> Optional[str]:
    """An e-mail address trimmed with a lower-case domain, or None when it is not one."""
    out = _crm.normalize_email(email)
    return None if out is None else str(out)


def fold(text: str) -> str:
    """Turkish lower case folded to ASCII: ``"IŞIK"`` and ``"isik"`` give the same key."""
    return str(_crm.fold(text))


def _text(value: Any, column: str) -> Optional[str]:
    """One cell as the text the matcher reads (None when missing)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if column == "birth_date":
        if isinstance(value, np.datetime64):
            return None if np.isnat(value) else str(value.astype("datetime64[D]"))
        if hasattr(value, "date") and callable(value.date):
            value = value.date()
        return value.isoformat() if isinstance(value, _dt.date) else str(value)[:10]
    return str(value)


def _column(values: Any, column: str) -> List[Optional[str]]:
    """A pandas/polars/numpy column or a sequence as a list of Optional[str], vectorised
    where the frame library can do it."""
    kind = cv.kind_of(values)
    if kind == "pyarrow":
        values = values.to_pylist()
    elif kind == "polars":
        import polars as pl

        return list(values.cast(pl.Utf8).to_list())
    if kind == "pandas":
        if column == "birth_date" and str(values.dtype).startswith("datetime64"):
            values = values.dt.strftime("%Y-%m-%d")
        present = values.notna()
        if column != "birth_date":
            # Text as pandas writes it, without a Python call per cell.
            return list(values.astype(str).astype(object).where(present, None).tolist())
        values = values.astype(object).where(present, None).tolist()
    return [_text(v, column) for v in values]


def _by_role(frame: Any, columns: Optional[Mapping[str, str]], roles: Sequence[str]) -> Tuple[Dict[str, Any], int]:
    """The columns of ``frame`` (any frame kind) under their role names, ``columns`` mapping
    roles to the frame's own column names (see :func:`crm._convert.select`), and the
    number of rows."""
    table = cv.table_columns(frame, "frame")
    n = len(next(iter(table.values()))) if table else 0
    if columns is None:
        return table, n
    return {role: col for role, (_, col) in cv.select(table, columns, required=(), optional=roles).items()}, n


def _unused(names: Sequence[str], columns: Optional[Mapping[str, str]], roles: Sequence[str]) -> List[str]:
    """The names among ``names`` (a frame's columns) that neither are a role of ``roles`` left
    unmapped nor are mapped to one by ``columns``, in frame order."""
    mapping = {} if columns is None else dict(columns)
    used = set(mapping.values()) | {r for r in roles if r not in mapping}
    return [n for n in names if n not in used]


def _warn_unused(names: Sequence[str], columns: Optional[Mapping[str, str]], roles: Sequence[str], call: str) -> None:
    """Warns (:class:`crm.UnusedColumnsWarning`) about the columns ``call`` does not read."""
    unused = _unused(names, columns, roles)
    if unused:
        warnings.warn(UnusedColumnsWarning(
            f"{call} does not use the column{'s' if len(unused) > 1 else ''} {', '.join(map(repr, unused))}; "
            f"it reads {', '.join(roles)} (map yours with columns={{role: name}})", tuple(unused)), stacklevel=3)


def _columns(frame: Any, columns: Optional[Mapping[str, str]] = None) -> Tuple[Dict[str, List[Optional[str]]], int, List[str]]:
    """The matching columns of ``frame`` (a frame, a mapping of columns or a list of dicts),
    the number of rows, and the names of the columns it has (in order)."""
    if isinstance(frame, Sequence) and not isinstance(frame, (str, bytes)) and (not frame or isinstance(frame[0], Mapping)):
        rows = [dict(r) for r in frame]
        names = list(dict.fromkeys(str(k) for r in rows for k in r))
        if columns is not None:
            cv.select({k: None for r in rows for k in r}, columns, required=(), optional=_COLUMNS)
            rows = [{**r, **{role: r.get(name) for role, name in columns.items()}} for r in rows]
        return {c: [_text(r.get(c), c) for r in rows] for c in _COLUMNS}, len(rows), names
    table = cv.table_columns(frame, "frame")
    n = len(next(iter(table.values()))) if table else 0
    names = list(table)
    if columns is not None:
        table = {role: col for role, (_, col) in cv.select(table, columns, required=(), optional=_COLUMNS).items()}
    return {c: _column(table[c], c) for c in _COLUMNS if c in table}, n, names


def _config(threshold: Optional[float], country: Optional[str]) -> Optional[str]:
    """The duplicate-detection config JSON of the settings given (None: core's defaults)."""
    config: Dict[str, Any] = {}
    if threshold is not None:
        config["threshold"] = float(threshold)
    if country is not None:
        config["country"] = str(country)
    return json.dumps(config) if config else None


class _PairsAndClusters(NamedTuple):
    pairs: Any
    cluster: np.ndarray


class Duplicates(_PairsAndClusters):
    """What :func:`find_duplicates` returns: ``pairs`` (``left``, ``right`` rows and
    ``probability``, as the kind of frame that came in) and ``cluster`` (a cluster id per
    row: the smallest row of its cluster), which unpack as a pair; and ``evidence``, the
    explainable match (like splink's waterfall): one row per matched pair and field with
    ``left``, ``right``, ``field``, ``level`` (``missing``, ``different``, ``similar``,
    ``close``, ``same``) and ``weight`` (the level's log2 Bayes factor; the weights of a pair
    plus the log2 prior odds give its match probability), as the same kind of frame."""

    evidence: Any = None

    @classmethod
    def of(cls, pairs: Any, cluster: np.ndarray, evidence: Any) -> "Duplicates":
        d = cls(pairs, cluster)
        d.evidence = evidence
        return d


def find_duplicates(frame: Any, threshold: Optional[float] = None, *, columns: Optional[Mapping[str, str]] = None,
                    country: Optional[str] = None) -> Duplicates:
    """Duplicate records in ``frame`` (a pandas or polars DataFrame, a mapping of columns or
    a list of dicts) with any of the columns ``given_name``, ``surname``, ``birth_date``,
    ``email``, ``phone``, ``address``, ``city``, ``postcode``, ``national_id`` (others are
    ignored, missing ones allowed; ``columns`` maps these names to the frame's own, e.g.
    ``columns={"surname": "last_name"}``). Any frame kind :func:`crm.rfm` takes works.

    Candidate pairs come from several blocking keys (national id, phone, e-mail, a swap- and
    fold-proof name key, family name + birth year, given name + birth date, postcode + street
    address); each field is compared (Jaro-Winkler and Damerau-Levenshtein for text, day/month
    swaps and one-digit typos for dates); a Fellegi-Sunter model learns from the data itself
    how often different customers agree by chance (counted over the whole table) and how
    often records of one customer agree (by EM over the candidates), so no labels are needed.
    ``threshold`` (default 0.9) is the match probability from which a pair counts. Birth
    dates may be dates, datetimes or text (``1980-05-17``, ``17.05.1980``, ``17/05/1980``,
    ``19800517``); one that is no real date counts as missing. ``country`` (ISO 3166-1
    alpha-2, default ``"TR"``) decides how phones, national ids and postcodes are read
    before they are compared: with ``country="AU"``, ``02 6123 4567`` and ``+61 2 6123
    4567`` are one number. A column the matcher does not read (an id, a misspelt name) is
    named in a :class:`crm.UnusedColumnsWarning`.

    >>> import crm
    >>> d = crm.quality.find_duplicates([
    ...     {"given_name": "Şükrü", "surname": "Çağlar", "phone": "0532 123 45 67", "birth_date": "1980-05-17"},
    ...     {"given_name": "Caglar", "surname": "Sukru", "phone": "+90 532 123 4567", "birth_date": "1980-05-17"},
    ...     {"given_name": "Mehmet", "surname": "Öztürk", "phone": "0533 765 43 21"}])
    >>> d.cluster.tolist()
    [0, 0, 2]
    """
    config = _config(threshold, None)
    cols, n, names = _columns(frame, columns)
    _warn_unused(names, columns, _COLUMNS, "find_duplicates")
    result = _crm.find_duplicates_columns(list(cols.items()), n, config, country)
    pairs = {c: result[c] for c in ("left", "right", "probability")}
    kind = _kind(frame)
    return Duplicates.of(cv.frame(kind, pairs), result["cluster"], cv.frame(kind, result["evidence"]))


def pair_completeness(frame: Any, pairs: Sequence[Tuple[int, int]], *, columns: Optional[Mapping[str, str]] = None,
                      max_block: Optional[int] = None, window: Optional[int] = None,
                      country: Optional[str] = None) -> Dict[str, int]:
    """How many of the true ``pairs`` (row, row) of ``frame`` the blocking step of
    :func:`find_duplicates` can reach: ``true_pairs``, ``sharing_a_key`` (the two rows share
    at least one blocking key) and ``candidates`` (the pairs actually compared: sharing a
    block paired in full, up to ``max_block`` rows, or within ``window`` neighbours in a
    larger block; the default config's when None). The rows are read under ``country``'s
    rules as :func:`find_duplicates` reads them.

    >>> import crm
    >>> rows = [{"surname": "Yılmaz", "phone": "0532 123 45 67"}, {"surname": "Yilmaz", "phone": "+905321234567"},
    ...         {"surname": "Kaya", "phone": "0555 987 65 43"}]
    >>> crm.quality.pair_completeness(rows, [(0, 1), (0, 2)])
    {'true_pairs': 2, 'sharing_a_key': 1, 'candidates': 1}
    """
    args = _completeness_args(frame, pairs, columns, max_block, window, country)
    return dict(_crm.pair_completeness_columns(*args))


def pair_completeness_by_key(frame: Any, pairs: Sequence[Tuple[int, int]], *,
                             columns: Optional[Mapping[str, str]] = None, max_block: Optional[int] = None,
                             window: Optional[int] = None, country: Optional[str] = None) -> List[Dict[str, int]]:
    """:func:`pair_completeness` per kind of blocking key, by tag: for each ``tag`` with a
    paired block, ``kept_blocks``, the ``pairs`` its blocks give, the ``true_pairs`` among
    them and those ``only_here`` (reached by no other key).

    >>> import crm
    >>> rows = [{"phone": "0532 123 45 67"}, {"phone": "+905321234567"}, {"phone": "0555 987 65 43"}]
    >>> crm.quality.pair_completeness_by_key(rows, [(0, 1)])
    [{'tag': 11, 'kept_blocks': 1, 'pairs': 1, 'true_pairs': 1, 'only_here': 1}]
    """
    args = _completeness_args(frame, pairs, columns, max_block, window, country)
    return [dict(r) for r in _crm.pair_completeness_by_key_columns(*args)]


def _completeness_args(frame: Any, pairs: Sequence[Tuple[int, int]], columns: Optional[Mapping[str, str]],
                       max_block: Optional[int], window: Optional[int], country: Optional[str]) -> Tuple[Any, ...]:
    cols, n, _ = _columns(frame, columns)
    left = [cv.count(a, f"pairs[{i}][0]") for i, (a, _) in enumerate(pairs)]
    right = [cv.count(b, f"pairs[{i}][1]") for i, (_, b) in enumerate(pairs)]
    config: Dict[str, Any] = {}
    if max_block is not None:
        config["max_block"] = cv.count(max_block, "max_block")
    if window is not None:
        config["window"] = cv.count(window, "window")
    if country is not None:
        config["country"] = str(country)
    return list(cols.items()), n, left, right, (json.dumps(config) if config else None)


def _kind(frame: Any) -> str:
    """The kind of frame results come back as (a LazyFrame or Arrow stream as :func:`cv.table`)."""
    return cv.table(frame)[0] if cv.is_frame(frame) else "numpy"


def _day(today: Any) -> str:
    """``today`` as text for crm-core's day reader (``time::parse_day``: ``2025-06-01`` or
    ``20250601``): a date as its ISO form, a datetime (or ``pd.Timestamp``) as the date it
    is written with (in its own zone or offset), None as this machine's date; text as
    given, so a date-time in text is refused by crm-core naming ``today``."""
    if today is None:
        return _dt.date.today().isoformat()
    if isinstance(today, _dt.datetime):
        return today.date().isoformat()
    if isinstance(today, _dt.date):
        return today.isoformat()
    return str(today)


def _customer_columns(frame: Any, columns: Optional[Mapping[str, str]] = None) -> Tuple[List[Tuple[str, List[Optional[str]]]], int]:
    """The text columns of ``frame`` that crm reads customers from (``_crm.customer_columns``:
    which field each fills and person/organisation are decided in crm-core), and the number
    of rows; ``columns`` maps those names to the frame's own."""
    table, n = _by_role(frame, columns, _crm.customer_columns())
    return [(c, _column(table[c], c)) for c in _crm.customer_columns() if c in table], n


def _report(text: str, frame: Optional[str]) -> Dict[str, Any]:
    """A quality report from its JSON, its tables as frames of kind ``frame`` if given."""
    r: Dict[str, Any] = dict(json.loads(text))
    if frame in ("pandas", "polars", "pyarrow", "numpy"):
        fill = ("field", "records", "usable", "invalid", "invented", "fill_rate", "checked")
        r["fields"] = cv.frame(str(frame), {c: [f[c] for f in r["fields"]] for c in fill})
        found = ("customer_id", "field", "value", "kind", "reason")
        for key in ("invented", "invalid"):
            r[key] = cv.frame(str(frame), {c: [f[c] for f in r[key]] for c in found})
    return r


def report(customers: Any, today: Any = None, *, frame: Optional[str] = None,
           columns: Optional[Mapping[str, str]] = None, country: Optional[str] = None) -> Dict[str, Any]:
    """The data quality of a customer table: ``records``, ``persons``, ``organisations``,
    ``mean_completeness``, ``mostly_empty`` (records with under half their fields usable),
    ``fields`` (per field: ``records`` scored, ``usable``, ``invalid``, ``invented``,
    ``fill_rate``), ``invented_by_reason``, and every ``invented`` and ``invalid`` value with
    its ``customer_id`` (values masked).

    ``customers`` is a :class:`crm.CustomerBook`, a list of customer dicts, or a pandas or
    polars DataFrame with any of the columns ``given_name``, ``family_name`` (or
    ``surname``), ``organisation_name``, ``national_id``, ``tax_id``, ``birth_date``,
    ``email``, ``phone``, ``address``, ``district``, ``city``, ``postcode`` (customer ids are
    then row numbers; any frame kind :func:`crm.rfm` takes; ``columns`` maps these names to
    the frame's own). ``frame`` ("pandas", "polars", "pyarrow" or "numpy") turns ``fields``,
    ``invented`` and ``invalid`` into frames.

    ``country`` (ISO 3166-1 alpha-2, default ``"TR"``) picks the rules for national ids, tax
    numbers, phones and postcodes; the report's ``country`` says which applied, and
    ``not_checked`` lists the fields crm has no rule for there (their values count as usable
    and are never invalid; each ``fields`` row has ``checked``). An unknown code is an
    :class:`crm.InvalidInputError` naming ``country``.

    >>> import crm
    >>> r = crm.quality.report([{"id": 1, "given_name": "Ayşe", "family_name": "Kaya", "phones": ["0532 123 45 67"]},
    ...                         {"id": 2, "given_name": "test", "family_name": "Kaya", "phones": ["5555555555"]}],
    ...                        today="2025-06-01")
    >>> [(f["field"], f["fill_rate"]) for f in r["fields"] if f["field"] in ("given_name", "phone")]
    [('given_name', 0.5), ('phone', 0.5)]
    >>> [(f["customer_id"], f["field"]) for f in r["invented"]]
    [(2, 'given_name'), (2, 'phones[0]')]
    """
    from ._book import CustomerBook

    if isinstance(customers, CustomerBook):
        return customers.quality_report(today, frame=frame, country=country)
    if cv.is_frame(customers):
        cols, n = _customer_columns(customers, columns)
        return _report(_crm.quality_report_columns(cols, n, _day(today), country), frame)
    records = [dict(c) for c in customers]
    return _report(_crm.quality_report_json(cv.dumps(records), _day(today), country), frame)


class Validation(NamedTuple):
    """What :func:`validate_frame` returns: ``findings`` (one row per problem: ``row``,
    ``field``, masked ``value``, ``kind`` "invalid" or "placeholder", ``reason``, as the kind
    of frame that came in) and ``completeness`` (per row, the share of scored fields holding a
    usable value)."""

    findings: Any
    completeness: np.ndarray


def validate_frame(frame: Any, today: Any = None, *, columns: Optional[Mapping[str, str]] = None,
                   country: Optional[str] = None) -> Validation:
    """Validates every row of a frame (any kind :func:`crm.rfm` takes; columns, and
    ``columns=`` and ``country=``, as for :func:`report`).

    >>> import pandas as pd, crm
    >>> v = crm.quality.validate_frame(pd.DataFrame({
    ...     "given_name": ["Ayşe", "test"], "surname": ["Kaya", "Kaya"],
    ...     "national_id": ["24681357994", "11111111111"]}), today="2025-06-01")
    >>> v.findings[["row", "field", "kind"]].values.tolist()
    [[1, 'given_name', 'placeholder'], [1, 'national_id', 'placeholder']]
    >>> v.completeness.round(3).tolist()
    [0.333, 0.111]
    """
    cols, n = _customer_columns(frame, columns)
    results: List[Dict[str, Any]] = json.loads(_crm.validate_columns(cols, n, _day(today), country))
    rows = [(r["id"], f) for r in results for f in r["findings"]]
    findings = {
        "row": np.array([row for row, _ in rows], dtype=np.int64),
        "field": [f["field"] for _, f in rows],
        "value": [f["value"] for _, f in rows],
        "kind": [f["kind"] for _, f in rows],
        "reason": [f["reason"] for _, f in rows],
    }
    completeness = np.array([r["completeness"] for r in results], dtype=np.float64)
    return Validation(cv.frame(_kind(frame), findings), completeness)


def validate(customers: Any, today: Any = None, *, columns: Optional[Mapping[str, str]] = None,
             country: Optional[str] = None) -> List[Dict[str, Any]]:
    """Findings per customer record (dicts in the customer JSON form, a
    :class:`crm.CustomerBook`, or a frame as for :func:`report`): for each, ``id``, ``findings`` (``field``, masked ``value``,
    ``kind`` "invalid" or "placeholder", ``reason``), ``completeness`` (share of the scored
    fields holding a usable value) and ``filled`` per field. ``today`` (default: now) judges
    birth dates; ``country`` as for :func:`report`."""
    from ._book import CustomerBook

    records: Sequence[Optional[Dict[str, Any]]]
    if isinstance(customers, CustomerBook):
        records = [customers.customer(int(i)) for i in customers.customer_ids()]
    elif cv.is_frame(customers):
        cols, n = _customer_columns(customers, columns)
        return list(json.loads(_crm.validate_columns(cols, n, _day(today), country)))
    else:
        records = [dict(c) for c in customers]
    return list(json.loads(_crm.validate_json(cv.dumps(records), _day(today), country)))


def golden_record(records: Any, rules: Optional[Mapping[str, Any]] = None, today: Any = None) -> Dict[str, Any]:
    """One customer from duplicate records (dicts in the customer JSON form, source-priority
    order): per field the value chosen by the survivorship ``rules`` (``most_frequent`` by
    default, or ``most_recent``, ``most_complete``, ``source_priority``; per field under
    ``"fields"``), never an invalid or invented value over a real one; e-mails and phones
    the union of the valid ones. Returns ``customer`` and ``provenance`` (field → id)."""
    day = _day(today)
    text = None if rules is None else json.dumps(dict(rules))
    return dict(json.loads(_crm.golden_record_json(cv.dumps([dict(r) for r in records]), day, text)))
