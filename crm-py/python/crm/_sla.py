"""Complaint SLA policies for Python: due instants, breaches, escalation and reports."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from . import _convert as cv
from . import _crm
from ._book import CustomerBook

_METRICS = ("first_response", "next_response", "periodic_update", "resolution")


def _flatten(result: Mapping[str, Any]) -> Dict[str, Any]:
    """One row per complaint: the complaint's fields, then ``<metric>_<field>`` per metric."""
    row = {k: v for k, v in result.items() if k not in _METRICS}
    for m in _METRICS:
        state = result.get(m) or {}
        for f in ("state", "due_at", "breached_at", "used_minutes", "left_minutes", "elapsed_share"):
            row[f"{m}_{f}"] = state.get(f)
    return row


class SlaPolicy:
    """An ordered list of complaint SLA policies; the first whose conditions match applies.

    Build it from the JSON form (one policy, a list, or ``{"policies": [...]}``) as a dict,
    a list or text. Targets are minutes per priority (``urgent``/``critical``, ``high``,
    ``normal``/``medium``, ``low``) for ``first_response``, ``next_response``,
    ``periodic_update`` and ``resolution``, on the policy's business calendar unless a
    target says ``"clock": "calendar"``; ``tiers`` and ``categories`` override them.
    Targets are at most ``MAX_TARGET_MINUTES`` (5,259,600) and escalation shares at most
    ``MAX_ESCALATION_SHARE`` (100): :class:`crm.InvalidInputError` naming the field otherwise.

    >>> import crm
    >>> policy = crm.SlaPolicy({"name": "desk", "targets": {"high": {"first_response": 60}}})
    >>> events = [{"customer_id": 1, "at": "2025-03-10T09:00:00Z", "type": "complaint_opened",
    ...            "complaint_id": 7, "priority": "high"}]
    >>> s = policy.evaluate(events, now="2025-03-10T10:30:00Z")
    >>> s["first_response"]["state"], s["first_response"]["breached_at"]
    ('breached', '2025-03-10T10:00:00Z')
    """

    def __init__(self, config: Union[str, Mapping[str, Any], List[Any]]) -> None:
        text = config if isinstance(config, str) else json.dumps(config)
        self._inner = _crm.SlaPolicy.from_json(text)

    @classmethod
    def from_json(cls, text: str) -> "SlaPolicy":
        """Policies from their JSON text."""
        return cls(text)

    def to_json(self) -> str:
        """The JSON form, ``{"policies": [...]}`` (the same text Rust and C callers use)."""
        return str(self._inner.to_json())

    def evaluate(
        self,
        source: Union[CustomerBook, Iterable[Mapping[str, Any]]],
        now: Any = None,
        *,
        open_only: bool = True,
        tier: Optional[str] = None,
        frame: Optional[str] = None,
    ) -> Any:
        """SLA state as of ``now`` (default: the current time).

        ``source`` is a :class:`crm.CustomerBook` (its open complaints, or with
        ``open_only=False`` every complaint opened by ``now``) or one complaint's events as
        dicts (the opening first; ``tier`` picks tier-specific targets). A book gives a list
        of dicts, or a flat table with ``frame="pandas"`` or ``"polars"`` (one row per
        complaint, ``<metric>_state``, ``<metric>_due_at``… columns); events give one dict,
        or None when no policy matches.
        """
        at = cv.now_us() if now is None else cv.instant_ticks(now, "us")
        if isinstance(source, CustomerBook):
            rows = json.loads(self._inner.evaluate_book_json(source._inner, at, open_only))
            if frame in ("pandas", "polars"):
                flat = [_flatten(r) for r in rows]
                keys = list(flat[0].keys()) if flat else ["complaint_id"]
                return cv.frame(frame, {k: [r.get(k) for r in flat] for k in keys})
            return rows
        text = self._inner.evaluate_events_json(cv.dumps(list(source)), at, tier)
        return None if text is None else dict(json.loads(text))

    def report(
        self,
        book: CustomerBook,
        start: Any,
        end: Any,
        now: Any = None,
        *,
        by: str = "priority",
        assumptions: Optional[Mapping[str, float]] = None,
        retention_cost: float = 0.0,
    ) -> Dict[str, Any]:
        """Compliance of the complaints opened in ``[start, end)`` grouped ``by`` priority,
        tier, channel, category or policy; the share caused by customer error; expected
        retention (95% stay when resolved in target, 70% when late; ``assumptions``
        overrides) and the cost of late resolution at 5× ``retention_cost`` per lost
        customer. Evaluated as of ``now`` (default: ``end``)."""
        b, e = cv.instant_ticks(start, "us"), cv.instant_ticks(end, "us")
        at = e if now is None else cv.instant_ticks(now, "us")
        text = None if assumptions is None else json.dumps(dict(assumptions))
        return dict(json.loads(self._inner.report_json(book._inner, at, b, e, by, text, float(retention_cost))))

    def __repr__(self) -> str:
        return f"SlaPolicy({self.to_json()})"
