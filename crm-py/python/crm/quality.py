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
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence

import numpy as np

from . import _convert as cv
from . import _crm

__all__ = ["golden_record", "find_duplicates", "validate", "normalize_name", "normalize_phone", "normalize_email", "fold", "Duplicates"]

_COLUMNS = ("given_name", "surname", "birth_date", "email", "phone", "address", "city", "postcode", "national_id")


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


def _records(frame: Any) -> List[Dict[str, Any]]:
    if isinstance(frame, Sequence) and not isinstance(frame, (str, bytes)) and (not frame or isinstance(frame[0], Mapping)):
        rows = [dict(r) for r in frame]
        columns = {c: [r.get(c) for r in rows] for c in _COLUMNS}
        n = len(rows)
    else:
        table = cv.table_columns(frame)
        columns = {}
        n = 0
        for c in _COLUMNS:
            if c in table:
                values = list(np.asarray(table[c], dtype=object))
                columns[c] = values
                n = len(values)
        if not columns:
            n = len(next(iter(table.values()))) if table else 0
    out: List[Dict[str, Any]] = [{} for _ in range(n)]
    for c, values in columns.items():
        for i, v in enumerate(values):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            if c == "birth_date":
                if hasattr(v, "date") and callable(v.date):
                    v = v.date()
                if isinstance(v, np.datetime64):
                    v = str(v.astype("datetime64[D]"))
                v = v.isoformat() if isinstance(v, _dt.date) else str(v)[:10]
            else:
                v = str(v)
            out[i][c] = v
    return out


class Duplicates(NamedTuple):
    """What :func:`find_duplicates` returns: ``pairs`` (``left``, ``right`` rows and
    ``probability``, as the kind of frame that came in) and ``cluster`` (a cluster id per
    row: the smallest row of its cluster)."""

    pairs: Any
    cluster: np.ndarray


def find_duplicates(frame: Any, threshold: Optional[float] = None) -> Duplicates:
    """Duplicate records in ``frame`` (a pandas or polars DataFrame, a mapping of columns or
    a list of dicts) with any of the columns ``given_name``, ``surname``, ``birth_date``,
    ``email``, ``phone``, ``address``, ``city``, ``postcode``, ``national_id`` (others are
    ignored, missing ones allowed).

    Candidate pairs come from several blocking keys (national id, phone, e-mail, a swap- and
    fold-proof name key, family name + birth year, given name + birth date, postcode + house
    number); each field is compared (Jaro-Winkler and Damerau-Levenshtein for text, day/month
    swaps and one-digit typos for dates); a Fellegi-Sunter model learns its m and u
    probabilities from the data by EM, so no labels are needed. ``threshold`` (default 0.9)
    is the match probability from which a pair counts.

    >>> import crm
    >>> d = crm.quality.find_duplicates([
    ...     {"given_name": "Şükrü", "surname": "Çağlar", "phone": "0532 123 45 67", "birth_date": "1980-05-17"},
    ...     {"given_name": "Caglar", "surname": "Sukru", "phone": "+90 532 123 4567", "birth_date": "1980-05-17"},
    ...     {"given_name": "Mehmet", "surname": "Öztürk", "phone": "0533 765 43 21"}])
    >>> d.cluster.tolist()
    [0, 0, 2]
    """
    config = None if threshold is None else json.dumps({"threshold": float(threshold)})
    result = json.loads(_crm.find_duplicates_json(cv.dumps(_records(frame)), config))
    pairs = result["pairs"]
    kind = cv.kind_of(frame)
    columns = {
        "left": np.array([p["left"] for p in pairs], dtype=np.int64),
        "right": np.array([p["right"] for p in pairs], dtype=np.int64),
        "probability": np.array([p["probability"] for p in pairs], dtype=np.float64),
    }
    return Duplicates(cv.frame(kind, columns), np.asarray(result["cluster"], dtype=np.int64))


def validate(customers: Any, today: Any = None) -> List[Dict[str, Any]]:
    """Findings per customer record (dicts in the customer JSON form, or a
    :class:`crm.CustomerBook`): for each, ``id``, ``findings`` (``field``, masked ``value``,
    ``kind`` "invalid" or "placeholder", ``reason``), ``completeness`` (share of the scored
    fields holding a usable value) and ``filled`` per field. ``today`` (default: now) judges
    birth dates."""
    from ._book import CustomerBook

    if isinstance(customers, CustomerBook):
        records = [customers.customer(int(i)) for i in customers.customer_ids()]
    else:
        records = [dict(c) for c in customers]
    day = (_dt.date.today() if today is None else _dt.date.fromisoformat(str(today)[:10])).isoformat()
    return list(json.loads(_crm.validate_json(cv.dumps(records), day)))


def golden_record(records: Any, rules: Optional[Mapping[str, Any]] = None, today: Any = None) -> Dict[str, Any]:
    """One customer from duplicate records (dicts in the customer JSON form, source-priority
    order): per field the value chosen by the survivorship ``rules`` (``most_frequent`` by
    default, or ``most_recent``, ``most_complete``, ``source_priority``; per field under
    ``"fields"``), never an invalid or invented value over a real one; e-mails and phones
    the union of the valid ones. Returns ``customer`` and ``provenance`` (field → id)."""
    day = (_dt.date.today() if today is None else _dt.date.fromisoformat(str(today)[:10])).isoformat()
    text = None if rules is None else json.dumps(dict(rules))
    return dict(json.loads(_crm.golden_record_json(cv.dumps([dict(r) for r in records]), day, text)))
