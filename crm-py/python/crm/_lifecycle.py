"""Lifecycle stages for Python: acquire → grow → retain, from a book or from fact columns."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Union, overload

import numpy as np

from . import _convert as cv
from . import _crm
from ._book import CustomerBook

STAGES: List[str] = list(_crm.LifecyclePolicy.stage_names())

_COLUMNS = {
    "purchases": np.uint32,
    "days_since_first": np.float64,
    "days_since_last": np.float64,
    "median_gap_days": np.float64,
    "categories": np.uint32,
    "upsold": np.uint8,
    "recent_purchases": np.uint32,
    "reactivated": np.uint8,
    "churn_recorded": np.uint8,
    "overdue_complaint": np.uint8,
}


class LifecyclePolicy:
    """The lifecycle rules: new-customer window, what makes a customer active (repeat
    purchase, cross-sell, up-sell), loyal (tenure and regular buying), at risk (silent for
    k × their own median gap, or an overdue complaint), churned, reactivated.

    Build it from the JSON form as a dict or text; ``LifecyclePolicy()`` takes the defaults.
    Day counts are at most ``MAX_POLICY_DAYS`` (36,525) and ``at_risk.gap_multiple`` at most
    ``MAX_GAP_MULTIPLE`` (1,000): :class:`crm.InvalidInputError` naming the field otherwise.

    >>> import crm
    >>> policy = crm.LifecyclePolicy({"new_days": 60})
    >>> list(policy.classify({"purchases": [0, 1, 2], "days_since_first": [None, 10, 20],
    ...                       "days_since_last": [None, 10, 5]}))
    ['prospect', 'new', 'active']
    >>> policy.next_action("at_risk")
    'win back'
    """

    def __init__(self, config: Union[None, str, Mapping[str, Any]] = None) -> None:
        text = "{}" if config is None else config if isinstance(config, str) else json.dumps(config)
        self._inner = _crm.LifecyclePolicy.from_json(text)

    @classmethod
    def from_json(cls, text: str) -> "LifecyclePolicy":
        """Rules from their JSON text."""
        return cls(text)

    def to_json(self) -> str:
        """The JSON form (the same text Rust and C callers use)."""
        return str(self._inner.to_json())

    def next_action(self, stage: str) -> str:
        """The suggested next action for a stage name."""
        return str(self._inner.next_action(stage))

    def classify(self, data: Any, as_of: Any = None, *, frame: Optional[str] = None) -> Any:
        """Stages as of ``as_of``.

        ``data`` is a :class:`crm.CustomerBook` (returns ``customer_id`` and ``stage``
        columns, as a dict of numpy arrays or the ``frame`` asked for) or fact columns (a
        pandas/polars DataFrame or a mapping) named ``purchases``, ``days_since_first``,
        ``days_since_last``, ``median_gap_days``, ``categories``, ``upsold``,
        ``recent_purchases``, ``reactivated``, ``churn_recorded``, ``overdue_complaint``
        (only ``purchases`` is required; missing day counts are NaN, missing counts and
        flags 0); returns a numpy array of stage names.
        """
        names = np.array(STAGES, dtype=object)
        if isinstance(data, CustomerBook):
            at = cv.now_us() if as_of is None else cv.end_ticks(as_of, "us")
            ids, codes = self._inner.classify_book(data._inner, at)
            kind = frame if frame in ("pandas", "polars") else "numpy"
            return cv.frame(kind, {"customer_id": ids, "stage": names[codes]})
        columns = cv.table_columns(data)
        if "purchases" not in columns:
            raise cv._invalid("purchases", "the fact columns need at least purchases")
        n = len(np.asarray(columns["purchases"]))
        args = []
        for name, dtype in _COLUMNS.items():
            if name in columns:
                raw = np.asarray(columns[name], dtype=np.float64 if dtype is np.float64 else None)
                if dtype is not np.float64:
                    raw = np.nan_to_num(np.asarray(raw, dtype=np.float64), nan=0.0)
                args.append(np.ascontiguousarray(raw, dtype=dtype))
            else:
                fill = np.nan if dtype is np.float64 else 0
                args.append(np.full(n, fill, dtype=dtype))
        return names[self._inner.classify_columns(*args)]

    def facts(self, book: CustomerBook, as_of: Any = None, *, frame: Optional[str] = None) -> Any:
        """The facts the stage rules read for every customer of ``book`` as of ``as_of``
        (``customer_id``, ``purchases``, ``days_since_first``, ``days_since_last``,
        ``median_gap_days``, ``categories``, ``upsold``, ``recent_purchases``,
        ``reactivated``, ``churn_recorded``, ``overdue_complaint``): feature columns to
        inspect, adjust and pass back to :meth:`classify`."""
        at = cv.now_us() if as_of is None else cv.end_ticks(as_of, "us")
        columns = self._inner.facts_book(book._inner, at)
        return cv.frame(frame if frame in ("pandas", "polars") else "numpy", columns)

    def history(self, book: CustomerBook, customer_id: int, as_of: Any = None) -> List[Dict[str, Any]]:
        """One customer's stage spells (``stage``, ``from``, ``to``), oldest first."""
        at = cv.now_us() if as_of is None else cv.end_ticks(as_of, "us")
        return list(json.loads(self._inner.history_json(book._inner, customer_id, at)))

    def report(self, book: CustomerBook, start: Any, end: Any) -> Dict[str, Any]:
        """Funnel, conversion, transitions and mean days in each stage over ``[start, end)``.
        Per-stage lists follow ``crm.lifecycle_stages()`` order."""
        b, e = cv.instant_ticks(start, "us"), cv.instant_ticks(end, "us")
        return dict(json.loads(self._inner.report_json(book._inner, b, e)))

    def churn_reasons(self, book: CustomerBook, as_of: Any = None) -> Dict[str, Any]:
        """Why the churned customers left: recorded reasons, the unknown ones spread by the
        priors (1% died, 3% moved, 5% other relationship, 9% competition, 14% dissatisfied,
        68% indifference unless the policy says otherwise), keyed by reason."""
        at = cv.now_us() if as_of is None else cv.end_ticks(as_of, "us")
        raw = json.loads(self._inner.churn_reasons_json(book._inner, at))
        reasons = _crm.CHURN_REASONS
        out: Dict[str, Any] = {"churned": raw["churned"], "unknown": raw["unknown"]}
        for key in ("recorded", "priors", "expected", "shares"):
            out[key] = dict(zip(reasons, raw[key]))
        return out

    def __repr__(self) -> str:
        return f"LifecyclePolicy({self.to_json()})"


_TRANSACTION_FACTS = ("purchases", "days_since_first", "days_since_last", "median_gap_days", "recent_purchases")


@overload
def lifecycle_stages() -> List[str]: ...
@overload
def lifecycle_stages(customer_id: Any, timestamp: Any = None, amount: Any = None, as_of: Any = None, *,
                     policy: Union[None, str, Mapping[str, Any], LifecyclePolicy] = None, unit: Optional[str] = None,
                     columns: Optional[Mapping[str, str]] = None) -> Any: ...


def lifecycle_stages(customer_id: Any = None, timestamp: Any = None, amount: Any = None, as_of: Any = None, *,
                     policy: Union[None, str, Mapping[str, Any], LifecyclePolicy] = None, unit: Optional[str] = None,
                     columns: Optional[Mapping[str, str]] = None) -> Any:
    """Without arguments: the stage names, in funnel order (the order of per-stage lists in
    reports).

    With transactions (three columns, or one frame of any kind with ``columns=`` as for
    :func:`crm.rfm`, ``order_id`` included): every customer's stage as of ``as_of``
    (default: the latest timestamp, as every columnar function), under ``policy`` (a
    :class:`LifecyclePolicy`, its JSON form as a dict or text, or None for the defaults) —
    no book, no invented customer records. Rows with a positive amount are purchases;
    transactions carry no categories, churn records or complaints, so those rules see
    none. Returns one row per customer, ascending by id (ids in their own dtype, in a
    column named as the input's): the id, ``stage``, ``purchases``, ``days_since_first``,
    ``days_since_last``, ``median_gap_days``, ``recent_purchases``, as the frame that came in.

    >>> import crm
    >>> s = crm.lifecycle_stages({"customer_id": ["b", "a", "b"], "timestamp": ["2025-01-01", "2025-01-20", "2025-02-01"],
    ...                           "amount": [10.0, 5.0, 12.0]}, as_of="2025-02-10")
    >>> s["customer_id"].tolist(), s["stage"].tolist()
    (['a', 'b'], ['new', 'active'])
    """
    if customer_id is None:
        return list(STAGES)
    t = cv.transactions(customer_id, timestamp, amount, unit, columns)
    rules = policy if isinstance(policy, LifecyclePolicy) else LifecyclePolicy(policy)
    facts, codes = rules._inner.classify_transactions(t.ids, t.ticks, t.unit, t.amount, t.as_of(as_of))
    out: Dict[str, Any] = {"customer_id": facts["customer_id"], "stage": np.array(STAGES, dtype=object)[codes]}
    out.update({k: facts[k] for k in _TRANSACTION_FACTS})
    return t.result(out)
