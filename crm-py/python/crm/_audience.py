"""Audiences with consent: ``crm.Audience(rule)`` and its selection from a book.

A rule is JSON in a fixed grammar (the same text from Rust, C and Python): ``{}`` selects
everyone; ``{"all": [rule, ...]}``, ``{"any": [rule, ...]}``, ``{"not": rule}``; a condition
``{"field": NAME, OP: VALUE}`` with OP one of ``eq``, ``ne``, ``in``, ``lt``, ``lte``, ``gt``,
``gte``. A bad rule raises :class:`crm.InvalidInputError` naming its path in the rule
(``all[0].field``), text that is not JSON :class:`crm.ParseError`.

>>> import crm
>>> book = crm.CustomerBook("TRY")
>>> book.add_customer(id=1, region="Ege", consents=[{"channel": "email", "granted": True, "at": "2025-01-01"}])
>>> book.add_customer(id=2, region="Ege")
>>> a = crm.Audience({"field": "region", "eq": "Ege"})
>>> list(a.select(book, at="2025-06-01", channel="email")["reason"])
['included', 'no_consent']
"""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Sequence, Union

from . import _convert as cv
from . import _crm
from ._book import CustomerBook
from .errors import InvalidInputError

Rule = Union[str, Mapping[str, Any]]


class Audience:
    """An audience rule (a dict or its JSON text), checked when made."""

    def __init__(self, rule: Rule) -> None:
        text = rule if isinstance(rule, str) else cv.dumps(rule, "rule")
        self._inner = _crm.Audience(text)

    @property
    def rule(self) -> Dict[str, Any]:
        """The rule, as crm reads it, back in its grammar."""
        return dict(json.loads(self._inner.rule_json()))

    def _run(self, book: CustomerBook, at: Any, channel: Optional[str],
             suppression: Optional[Mapping[str, Any]],
             segmentation: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
        ticks = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        text = None if suppression is None else cv.dumps(dict(suppression), "suppression")
        seg = None if segmentation is None else cv.dumps(dict(segmentation), "segmentation")
        return dict(self._inner.select(book._inner, ticks, channel, text, seg))

    def select(self, book: CustomerBook, at: Any = None, channel: Optional[str] = None, frame: Optional[str] = None,
               suppression: Optional[Mapping[str, Any]] = None,
               segmentation: Optional[Mapping[str, Any]] = None, with_counts: bool = False) -> Any:
        """Every customer of ``book`` with whether they are in the audience at ``at``
        (default now) on ``channel`` (``"email"``, ``"sms"``…: an opt-in in force there is
        required; None checks no consent), and why: columns ``customer_id``, ``included``,
        ``reason`` (``rule_failed``, ``no_consent``, ``consent_withdrawn``, ``suppressed``,
        ``complaint_open``, ``frequency_cap`` or ``included``: the first that applies) and
        ``rule`` (the path of the rule node that decided: the failing one when out by the
        rule). ``suppression`` is ``{"customer_ids": [...], "open_complaints": True,
        "contacted_within_days": 7}``. ``segmentation`` is the segmentation config (as for
        :meth:`CustomerBook.analyse`) tiers and scores are read under; None: the book's last
        ``analyse`` if it was as of ``at``, else the default config. ``frame`` is ``"pandas"``, ``"polars"``, ``"pyarrow"``,
        or None / ``"numpy"`` (a dict of numpy columns). ``with_counts=True`` returns
        ``(rows, counts)``, the counts as :meth:`counts` gives them, from the same one selection."""
        if frame not in (None, "pandas", "polars", "pyarrow", "numpy"):
            err = InvalidInputError(f"frame: {frame!r} is not one of 'pandas', 'polars', "
                                    "'pyarrow', 'numpy' or None")
            err.field = "frame"
            raise err
        out = self._run(book, at, channel, suppression, segmentation)
        columns = {k: out[k] for k in ("customer_id", "included", "reason", "rule")}
        columns["reason"] = _objects(columns["reason"])
        columns["rule"] = _objects(columns["rule"])
        rows = cv.frame(frame or "numpy", columns)
        if with_counts:
            return rows, dict(json.loads(out["summary"]))
        return rows

    def counts(self, book: CustomerBook, at: Any = None, channel: Optional[str] = None,
               suppression: Optional[Mapping[str, Any]] = None,
               segmentation: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Customers per reason (``counts``: the first reason only, summing to the book's
        customers; ``counts_each``: each check on its own), the rule's ``nodes`` with the
        customers each decided, ``unknown_suppressed_ids``, ``as_of`` and ``channel``; the
        arguments as :meth:`select`'s."""
        out = self._run(book, at, channel, suppression, segmentation)
        return dict(json.loads(out["summary"]))

    def __repr__(self) -> str:
        return f"crm.Audience({self._inner.rule_json()})"


def _objects(values: Sequence[str]) -> Any:
    import numpy as np

    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr
