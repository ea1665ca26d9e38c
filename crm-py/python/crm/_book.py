"""The customer book for Python: records as dicts (crm's JSON forms) or keyword arguments."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Type, Union

import numpy as np

from . import _convert as cv
from . import _crm
from .errors import ConflictError

Record = Mapping[str, Any]


def _merge(record: Optional[Record], fields: Mapping[str, Any]) -> Dict[str, Any]:
    merged: Dict[str, Any] = dict(record or {})
    merged.update(fields)
    return merged


class ChangePage(NamedTuple):
    """One page of the change feed (:meth:`CustomerBook.changes`): unpack it as
    ``changes, cursor = book.changes(since=cursor, limit=1000)``."""

    changes: List[Dict[str, Any]]
    """Change records in commit order, in their JSON form: ``{"seq": 12, "at":
    "2025-03-01T14:30:00Z", "change": {"type": "customer_added", "customer": {...}}}``."""
    cursor: int
    """The cursor to continue from: the last record's ``seq`` (``since`` when the page is
    empty). Pass it as ``since`` for the next page."""


class Matches(NamedTuple):
    """What :meth:`CustomerBook.find_matches` returns (unpacks as a pair)."""

    candidates: Any
    """The likely duplicates, best first: ``customer_id`` and ``probability``."""
    evidence: Any
    """The explainable match, shaped as :func:`crm.quality.find_duplicates`' evidence: one
    row per candidate and field with ``customer_id``, ``field``, ``level`` (``missing``,
    ``different``, ``similar``, ``close``, ``same``) and ``weight`` (the level's log2 Bayes
    factor)."""


class Match(NamedTuple):
    """One customer :meth:`CustomerBook.find` found."""

    customer_id: int
    """The customer (a live one: a merged-away id's numbers find its survivor)."""
    score: float
    """How well it matched, 0 to 1: the mean over the criteria given (1.0 for an exact key
    that matched, the name score for the name, 0 for a criterion not matched)."""
    matched_on: Tuple[str, ...]
    """The criteria it matched: ``phone``, ``email``, ``national_id``, ``tax_id``,
    ``external_ref``, ``name``."""


class Added(NamedTuple):
    """What :meth:`CustomerBook.add_customer` with an ``on_duplicate`` policy did (core's
    ``CheckedAdd``): unpack it as ``customer_id, candidates, merged = book.add_customer(...)``."""

    customer_id: int
    """The id the customer is now filed under: the survivor's after a merge, else its own."""
    candidates: List[Tuple[int, float]]
    """The likely duplicates found before the add, as ``(customer_id, probability)`` best
    first (as :class:`crm.DuplicateError` lists them for ``"reject"``); also under
    ``"allow"``, which adds the customer anyway."""
    merged: bool
    """Whether it was merged into the best candidate (``"merge"`` with a candidate)."""


class Batch:
    """The writes of one ``with book.batch():`` block (see :meth:`CustomerBook.batch`).

    After the block, ``outcomes`` holds what each write returned, in order: ``None`` for a
    single record or a policy, the count of an ``add_customers`` / ``record_many``, the merge
    record of a ``merge``, whether a ``record_consent`` changed the history.
    """

    def __init__(self, book: "CustomerBook") -> None:
        self._book = book
        self._native: Optional[_crm.Batch] = None
        self.outcomes: Optional[List[Any]] = None

    def __len__(self) -> int:
        return 0 if self._native is None else len(self._native)

    def __enter__(self) -> "Batch":
        local = self._book._local
        if getattr(local, "batch", None) is not None:
            err = ConflictError("a batch is already open on this book in this thread (batches do not nest)")
            err.field = "batch"
            raise err
        self._native = _crm.Batch()
        local.batch = self._native
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        native, self._native = self._native, None
        self._book._local.batch = None
        if exc_type is None and native is not None:
            self.outcomes = list(json.loads(self._book._inner.apply_batch(native)))


class CustomerBook:
    """Customers, their events and incidents, validated and indexed; the 360° view.

    Records use the same shapes as crm's JSON forms (see the README): customers
    ``{"id": 42, "given_name": "Ayşe", "family_name": "Yılmaz", ...}``, events
    ``{"customer_id": 42, "at": datetime, "type": "purchase", "amount": 129900,
    "currency": "TRY"}``. Instants may be ``datetime`` (naive means UTC), ISO strings, or
    numpy/pandas timestamps. Every call validates fully first: on error it raises a
    :class:`crm.CrmError` subclass naming the field and value, and changes nothing.

    >>> import crm
    >>> book = crm.CustomerBook("TRY")
    >>> book.add_customer(id=42, given_name="Ayşe", family_name="Yılmaz")
    >>> book.record(customer_id=42, at="2025-03-01T14:30:00Z", type="purchase",
    ...             amount=129900, currency="TRY", category="elektronik")
    >>> book.view(42, as_of="2025-03-10")["purchases"]["net"]
    129900
    """

    def __init__(self, currency: str = "TRY", early_events: str = "reject") -> None:
        self._inner = _crm.CustomerBook(currency, early_events)
        self._local = threading.local()

    @classmethod
    def _wrap(cls, inner: Any) -> "CustomerBook":
        book = cls.__new__(cls)
        book._inner = inner
        book._local = threading.local()
        return book

    def _batch(self) -> Optional[_crm.Batch]:
        """The batch this thread has open on the book, if any."""
        return getattr(self._local, "batch", None)

    @classmethod
    def open(cls, location: Union[str, "os.PathLike[str]"], *, currency: Optional[str] = None, create: bool = True,
             synchronous: Optional[str] = None, busy_timeout: Optional[float] = None,
             early_events: Optional[str] = None, verify: Optional[bool] = None,
             full_check: Optional[bool] = None) -> "CustomerBook":
        """Opens the book stored at ``location`` (a SQLite file path), creating it when it is
        missing and ``create`` is true (a new store needs its ``currency``).

        The opened book has every method of the in-memory one; each write is committed
        when it returns. ``synchronous`` is ``"full"`` (every commit fsynced: it survives a
        power loss) or ``"normal"`` (fsynced at checkpoints: a process crash loses nothing,
        a power loss may lose the last commits). ``busy_timeout`` (seconds; crm-store's
        default is 5) is how long a write waits for another process's write lock before
        it raises :class:`crm.CrmIOError`. ``early_events`` as for ``CustomerBook()``, for a
        new store. ``verify`` (crm-store's default: true) checks the change log with SQLite's
        ``quick_check`` at open (every other table is read whole, and a damaged page of those
        is refused as it is read); ``full_check=True`` checks the whole file instead, at the
        cost of reading it once more. An option left ``None`` takes crm-store's default
        (``synchronous`` is ``"full"``). Use it as a context manager to close it at the end
        of the block.

        Raises :class:`crm.CrmIOError` when the file cannot be opened or read,
        :class:`crm.ParseError` for a file that is not a crm store or is damaged,
        :class:`crm.UnsupportedVersionError` for a store written by a newer crm,
        :class:`crm.NotFoundError` for a missing store with ``create=False``.

        >>> import crm, os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "book.crm")
        >>> with crm.CustomerBook.open(path, currency="TRY") as book:
        ...     book.add_customer(id=1, given_name="Elif", family_name="Şahin")
        >>> with crm.CustomerBook.open(path) as book:
        ...     (len(book), book.cursor)
        (1, 1)
        """
        options: Dict[str, Any] = {"create": create}
        if synchronous is not None:
            options["synchronous"] = synchronous
        if verify is not None:
            options["verify"] = verify
        if full_check is not None:
            options["full_check"] = full_check
        if currency is not None:
            options["currency"] = currency
        if busy_timeout is not None:
            options["busy_timeout_ms"] = round(float(busy_timeout) * 1000)
        if early_events is not None:
            options["early_events"] = early_events
        where = os.fspath(location)
        return cls._wrap(_crm.CustomerBook.open(where, json.dumps(options)))

    @property
    def location(self) -> Optional[str]:
        """Where the store lives (``None`` for a book in memory)."""
        out = self._inner.location
        return None if out is None else str(out)

    @property
    def cursor(self) -> int:
        """The sequence number of the last change this book has applied (0 in memory)."""
        return int(self._inner.cursor)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return bool(self._inner.closed)

    def refresh(self) -> int:
        """Replays what other processes committed since :attr:`cursor`; returns how many
        changes. Only the new changes are read. 0 for a book in memory."""
        return int(self._inner.refresh())

    def changes(self, since: int = 0, limit: Optional[int] = None) -> ChangePage:
        """Up to ``limit`` (default: all) changes committed after ``since``, in commit order,
        with the cursor to continue from: the change feed for other systems.

        Raises :class:`crm.InvalidInputError` for a book in memory (it keeps no log).
        """
        text, cursor = self._inner.changes_json(cv.count(since, "since"), None if limit is None else cv.count(limit, "limit"))
        return ChangePage(list(json.loads(text)), int(cursor))

    def backup(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Copies the store to a new file at ``path`` (SQLite's online backup: consistent as of
        one commit, while others keep working); it opens as an equal book. ``path`` must not
        exist. For a book in memory use :meth:`save`."""
        self._inner.backup(os.fspath(path))

    def import_snapshot(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the JSON snapshot at ``path`` (from :meth:`save`) into this empty stored
        book, as one transaction; its merges go in as recorded (one ``merges_imported``
        change), so merged ids keep resolving. A store that is not empty, or another
        currency: :class:`crm.ConflictError`. Export is :meth:`save`."""
        self._inner.import_snapshot(os.fspath(path))

    def close(self) -> None:
        """Closes the book; every write had been committed already. Any later call raises
        :class:`crm.ConflictError`; closing again does nothing."""
        self._inner.close()

    def __enter__(self) -> "CustomerBook":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def batch(self) -> Batch:
        """``with book.batch(): ...`` groups the writes made in the block (by this thread)
        into one all-or-nothing change: a stored book commits them as one transaction.

        The writes are collected and validated, in order, when the block ends; reads inside
        the block do not see them yet. When the block raises, nothing is written and the
        exception propagates; when a write does not validate, the exception names it
        (``change #i``) and nothing is written. ``merge`` inside a block returns ``None``
        (its record is in the batch's ``outcomes`` afterwards); ``merge_duplicates(apply=True)``
        cannot run inside one (:class:`crm.ConflictError`: it is one transaction by itself).
        Batches do not nest.

        >>> import crm
        >>> book = crm.CustomerBook("TRY")
        >>> with book.batch():
        ...     book.add_customer(id=1, given_name="Elif")
        ...     book.record(customer_id=1, at="2025-03-01T10:00:00Z", type="purchase", amount=100, currency="TRY")
        ...     len(book)
        0
        >>> (len(book), book.event_count)
        (1, 1)
        """
        return Batch(self)

    @property
    def currency(self) -> str:
        return str(self._inner.currency)

    @property
    def event_count(self) -> int:
        return int(self._inner.event_count)

    def __len__(self) -> int:
        return int(len(self._inner))

    def __contains__(self, customer_id: object) -> bool:
        return (isinstance(customer_id, int) and 0 <= customer_id < 2**64
                and bool(customer_id in self._inner))

    def __repr__(self) -> str:
        return str(self._inner.__repr__())

    def add_customer(self, customer: Union[None, int, Record] = None, /, *, on_duplicate: Optional[str] = None,
                     threshold: Optional[float] = None, country: Optional[str] = None, at: Any = None,
                     **fields: Any) -> Optional[Added]:
        """Adds one customer, from a dict and/or keyword arguments; an id alone
        (``add_customer(42)``) adds a customer with no name (anonymous loyalty-card data).

        Without ``on_duplicate`` the customer is added without looking for it (the plain
        add, also inside :meth:`batch`). With it, the book is searched first
        (:meth:`find_matches`, with ``threshold`` and ``country`` as there) and the policy
        says what happens to a likely duplicate: ``"allow"`` adds it anyway; ``"reject"``
        raises :class:`crm.DuplicateError` whose ``candidates`` lists ``(customer_id,
        probability)`` best first, and nothing changes; ``"merge"`` adds it and merges it
        (dated ``at``, default now) into the best candidate. A policy returns :class:`Added`
        (the id the customer is filed under, the candidates found, whether it was merged);
        the plain add returns None. Another value is an :class:`crm.InvalidInputError` naming
        ``on_duplicate``. A policy reads the book, so it cannot be used inside
        :meth:`batch` (:class:`crm.ConflictError`)."""
        record: Optional[Record]
        if isinstance(customer, (int, np.integer)):  # a bool is refused by cv.customer_id
            record, fields = None, {"id": cv.customer_id(customer, "id"), **fields}
        else:
            record = customer
        from .quality import _config

        text = cv.dumps(_merge(record, fields))
        if on_duplicate is None:
            self._inner.add_customer_json(text, self._batch())
            return None
        at_us = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        cid, candidates, merged = self._inner.add_customer_checked_json(
            text, str(on_duplicate), at_us, _config(threshold, country), self._batch())
        return Added(int(cid), [(int(c), float(p)) for c, p in candidates], bool(merged))

    def find_matches(self, customer: Optional[Record] = None, /, *, threshold: Optional[float] = None,
                     country: Optional[str] = None, frame: Optional[str] = None, **fields: Any) -> "Matches":
        """The customers already in the book that a new or edited profile (a dict and/or
        keyword arguments, as :meth:`add_customer` takes; its own id is never returned)
        likely duplicates, with the m and u :func:`crm.quality.find_duplicates` fits on the
        book and the entry-time prior (even odds that the profile is a customer of the book,
        spread over its customers, or the batch prior when higher), so a book cleaned by
        :meth:`merge_duplicates` still finds a customer typed in again. ``threshold``
        (default 0.9) and ``country`` (default ``"TR"``) as there.

        Returns :class:`Matches`: ``candidates`` (``customer_id``, ``probability``, best
        first) and ``evidence`` (one row per candidate and field: ``customer_id``,
        ``field``, ``level``, ``weight``), as frames of kind ``frame`` ("pandas",
        "polars", "pyarrow"; default a dict of numpy arrays).

        The book's index is built on the first call (the model is fitted then) and kept
        while the book stays within 20 % of that size."""
        from .quality import _config

        text = self._inner.find_matches_json(cv.dumps(_merge(customer, fields)), _config(threshold, country))
        found = json.loads(text)
        kind = "numpy" if frame is None else str(frame)
        candidates = {
            "customer_id": np.array([m["customer_id"] for m in found], dtype=np.uint64),
            "probability": np.array([m["probability"] for m in found], dtype=np.float64),
        }
        rows = [(m["customer_id"], e) for m in found for e in m["evidence"]]
        evidence = {
            "customer_id": np.array([r[0] for r in rows], dtype=np.uint64),
            "field": [r[1]["field"] for r in rows],
            "level": [r[1]["level"] for r in rows],
            "weight": np.array([r[1]["weight"] for r in rows], dtype=np.float64),
        }
        return Matches(cv.frame(kind, candidates), cv.frame(kind, evidence))

    def find(self, phone: Optional[str] = None, email: Optional[str] = None,
             national_id: Optional[str] = None, external_ref: Optional[str] = None,
             name: Optional[str] = None, limit: int = 10, *,
             country: Optional[str] = None) -> List[Match]:
        """The customers a lookup finds, best first (score, then id), at most ``limit``
        (1 to 1000): by phone in any spelling (read as E.164, national numbers under
        ``country``, default ``"TR"``), e-mail (case ignored), national id or tax number
        (both searched), the company's external reference, or name (words in any order,
        each whole, a prefix or a near spelling; Turkish letters folded). At least one
        criterion; a bad one raises :class:`crm.InvalidInputError` naming it (``limit``,
        ``lookup`` when none is given, ``phone``…). The index is built on the first call
        and kept current by every write."""
        lookup: Dict[str, Any] = {"limit": limit}
        for key, value in (("phone", phone), ("email", email), ("national_id", national_id),
                           ("external_ref", external_ref), ("name", name), ("country", country)):
            if value is not None:
                lookup[key] = value
        found = json.loads(_crm.book_find_json(self._inner, cv.dumps(lookup, "lookup")))
        return [Match(int(m["customer_id"]), float(m["score"]), tuple(m["matched_on"])) for m in found]

    def add_customers(self, customers: Iterable[Record]) -> int:
        """Adds many customers, all or nothing; returns how many."""
        return int(self._inner.add_customers_json(cv.dumps(list(customers)), self._batch()))

    def update_customer(self, customer: Optional[Record] = None, /, **fields: Any) -> None:
        """Replaces the profile of an existing customer (found by ``id``)."""
        self._inner.update_customer_json(cv.dumps(_merge(customer, fields)), self._batch())

    def record(self, event: Optional[Record] = None, /, **fields: Any) -> None:
        """Records one event, from a dict and/or keyword arguments."""
        self._inner.record_json(cv.dumps(_merge(event, fields)), self._batch())

    def record_many(self, events: Iterable[Record]) -> int:
        """Records many events in order, all or nothing; returns how many."""
        return int(self._inner.record_events_json(cv.dumps(list(events)), self._batch()))

    # --- campaigns (issue 18, §3) ---
    def plan_campaign(self, ids: Any, campaign_id: str, at: Any = None, *, holdout_share: Optional[float] = None,
                      seed: Optional[int] = None, channel: Optional[str] = None,
                      cost_per_send: Optional[int] = None) -> List[Dict[str, Any]]:
        """The assignment events of campaign ``campaign_id`` over the customers ``ids``,
        assigned at ``at`` (default now): ``held_out`` for those the seeded draw
        ``held_out(seed, campaign_id, customer_id, holdout_share)`` puts in the control group
        (``holdout_share`` 0 to 0.5, default 0.1), ``targeted`` (with ``cost_per_send``) for
        the others. Ids resolve through merges; repeats and customers already assigned are
        left out. Nothing is recorded: pass the events to :meth:`record_many` once sent."""
        at_us = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        plan: Dict[str, Any] = {"campaign_id": campaign_id}
        for key, value in (("holdout_share", holdout_share), ("seed", seed), ("channel", channel),
                           ("cost_per_send", cost_per_send)):
            if value is not None:
                plan[key] = value
        id_list = [int(i) for i in cv.ids(ids, "ids")]
        return list(json.loads(_crm.plan_campaign_json(self._inner, id_list, cv.dumps(plan, "plan"), at_us)))

    def campaign_report(self, campaign_id: str, at: Any = None, by: Any = None, *,
                        window_days: Optional[int] = None, confidence: Optional[float] = None,
                        segmentation: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Campaign ``campaign_id`` measured against its control group as of ``at`` (default
        now): per arm (``treated``, ``control``) reach, funnel, measured conversion (a
        purchase within ``window_days``, default 30, after the assignment), net revenue in
        the window and cost; ``conversion_uplift`` with Newcombe's interval,
        ``revenue_uplift`` with Welch's, ``incremental_revenue``, ``cost`` and ``roi``; and
        ``groups`` for each of ``by`` (``"tier"``, ``"rfm_segment"``, ``"region"``,
        ``"city"`` or ``{"cell": ["region"]}``; one or a list), each group with its
        strategy when one is set."""
        at_us = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        options: Dict[str, Any] = {}
        if by is not None:
            options["by"] = [by] if isinstance(by, (str, dict)) else list(by)
        for key, value in (("window_days", window_days), ("confidence", confidence),
                           ("segmentation", segmentation)):
            if value is not None:
                options[key] = value
        text = _crm.campaign_report_json(self._inner, campaign_id, cv.dumps(options, "options"), at_us)
        return dict(json.loads(text))
    # --- end campaigns ---

    # --- the retention worklist (issue 18, §4) ---
    def worklist(self, at: Any = None, limit: Optional[int] = None, frame: Optional[str] = None, *,
                 agents: Optional[int] = None, calls_per_agent: Optional[int] = None,
                 lifecycle: Optional[Mapping[str, Any]] = None,
                 calendar: Optional[Mapping[str, Any]] = None, use_clv: bool = True) -> Any:
        """The day's retention worklist as of ``at`` (default now): customers ranked by
        expected value at risk × neglect, highest first (ties by customer id), at most
        ``limit`` rows (default ``agents`` × ``calls_per_agent``, 5 × 40). Each row has
        ``customer_id``, ``priority``, ``value_at_risk``, ``neglect_factor``, ``neglected``,
        ``reason``, ``action``, ``next_action`` and ``due``. ``frame`` None gives a list of
        dicts; ``"pandas"``, ``"polars"``, ``"pyarrow"`` or ``"numpy"`` a frame of those
        columns. ``lifecycle`` is a lifecycle policy (its ``neglect`` rule included) and
        ``calendar`` the business calendar of due instants; ``use_clv=False`` values every
        customer by the stage fallback."""
        if frame not in (None, "pandas", "polars", "pyarrow", "numpy"):
            from .errors import InvalidInputError

            err = InvalidInputError(f"frame: {frame!r} is not one of 'pandas', 'polars', "
                                    "'pyarrow', 'numpy' or None")
            err.field = "frame"
            raise err
        at_us = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        options: Dict[str, Any] = {"use_clv": bool(use_clv)}
        if limit is not None:
            options["limit"] = limit
        capacity = {k: v for k, v in (("agents", agents), ("calls_per_agent", calls_per_agent)) if v is not None}
        if capacity:
            options["capacity"] = capacity
        if lifecycle is not None:
            options["lifecycle"] = lifecycle
        if calendar is not None:
            options["calendar"] = calendar
        rows = list(json.loads(_crm.worklist_json(self._inner, cv.dumps(options, "options"), at_us))["rows"])
        if frame is None:
            return rows
        names = ("customer_id", "priority", "value_at_risk", "neglect_factor", "neglected", "reason",
                 "action", "next_action", "due")
        columns: Dict[str, Any] = {name: [r[name] for r in rows] for name in names}
        columns["customer_id"] = np.asarray(columns["customer_id"], dtype=np.uint64)
        for name in ("priority", "value_at_risk", "neglect_factor"):
            columns[name] = np.asarray(columns[name], dtype=np.float64)
        columns["neglected"] = np.asarray(columns["neglected"], dtype=bool)
        return cv.frame(str(frame), columns)
    # --- end worklist ---

    def add_incident(self, incident: Optional[Record] = None, /, **fields: Any) -> None:
        """Adds a company-side incident (an outage shown in affected customers' views)."""
        self._inner.add_incident_json(cv.dumps(_merge(incident, fields)), self._batch())

    # --- consent (issue 18, audiences) ---
    def consent_at(self, customer_id: int, channel: str, at: Any = None) -> Optional[bool]:
        """The consent in force for the customer (a merged id stands for its survivor) on
        ``channel`` at ``at`` (default now): True (opted in), False (withdrawn) or None (never
        decided, so not allowed). Decisions at the same instant resolve to the withdrawal."""
        ticks = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        return _crm.book_consent_at(self._inner, cv.customer_id(customer_id), channel, ticks)

    def record_consent(self, customer_id: int, channel: str, granted: bool, at: Any) -> Optional[bool]:
        """Adds one consent decision to the customer's history (a stored book commits it at
        once, applied to the profile as committed, so a decision another process recorded
        meanwhile is kept); False when the very same decision is already there. Inside a
        :meth:`batch` it joins the batch (all or nothing) and returns None: the batch's
        ``outcomes`` say whether it changed the history."""
        consent = cv.dumps({"channel": channel, "granted": granted, "at": at}, "consent")
        changed = _crm.book_record_consent_json(self._inner, cv.customer_id(customer_id), consent,
                                                self._batch())
        return None if changed is None else bool(changed)

    def consent_report(self, at: Any = None,
                       segmentation: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """The share of customers with a valid opt-in per marketing channel at ``at`` (default
        now), overall (``channels``: ``granted``, ``withdrawn``, ``never``, ``share``) and by
        pyramid tier (``by_tier``). ``segmentation`` is the company's segmentation config (as
        for :meth:`analyse` and ``crm.Audience.select``), so its tier names appear; without
        it, the last analysis when it was as of ``at``, else the default config."""
        ticks = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        seg = None if segmentation is None else cv.dumps(dict(segmentation), "segmentation")
        return dict(json.loads(_crm.book_consent_report_json(self._inner, ticks, seg)))
    # --- end consent ---

    def stats(self) -> Dict[str, Any]:
        """Counts over the whole book: customers, events by type and by channel, net revenue
        (minor units), complaints opened and open, incidents."""
        return dict(json.loads(self._inner.stats_json()))

    def customer(self, customer_id: int) -> Optional[Dict[str, Any]]:
        """The customer record as a dict, or None."""
        text = self._inner.customer_json(cv.customer_id(customer_id))
        return None if text is None else dict(json.loads(text))

    def merge(self, survivor: int, merged: Iterable[int], profile: Optional[Record] = None, at: Any = None) -> Optional[Dict[str, Any]]:
        """Folds the ``merged`` customers into ``survivor`` (whose profile becomes ``profile``
        when given): every event moves, complaints follow, and the old ids keep resolving to
        the survivor (:meth:`resolve`). Returns the merge record; raises and changes nothing
        when it cannot merge. Inside :meth:`batch` the merge is made when the block ends and
        this returns ``None`` (the record is in the batch's ``outcomes``)."""
        at_us = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        text = None if profile is None else cv.dumps(dict(profile), "profile")
        ids = [cv.customer_id(m, f"merged[{i}]") for i, m in enumerate(merged)]
        out = self._inner.merge_json(cv.customer_id(survivor, "survivor"), ids, at_us, text, self._batch())
        return None if out is None else dict(json.loads(out))

    def merge_duplicates(self, *, threshold: Optional[float] = None, rules: Optional[Mapping[str, Any]] = None,
                         apply: bool = True, at: Any = None, country: Optional[str] = None) -> Dict[str, Any]:
        """Finds duplicate customers (see :func:`crm.quality.find_duplicates`) and, with
        ``apply``, merges each cluster into a golden record (survivorship ``rules``, e.g.
        ``{"default": "most_frequent", "fields": {"address": "most_recent"}}``). Returns the
        ``clusters`` of ids, the ``merges`` made and the ``skipped`` clusters with the
        reason. ``country`` (ISO 3166-1 alpha-2, default ``"TR"``) reads phones, ids and
        postcodes by that country's rules."""
        from .quality import _config

        if apply and self._batch() is not None:
            err = ConflictError("merge_duplicates(apply=True) cannot run inside a batch: it is one "
                                "transaction by itself (call it before or after the block)")
            err.field = "batch"
            raise err
        at_us = cv.now_us() if at is None else cv.instant_ticks(at, "us", "at")
        config = _config(threshold, country)
        rules_text = None if rules is None else json.dumps(dict(rules))
        return dict(json.loads(self._inner.merge_duplicates_json(at_us, apply, config, rules_text)))

    def quality_report(self, today: Any = None, *, frame: Optional[str] = None,
                       country: Optional[str] = None) -> Dict[str, Any]:
        """The data quality of the book's customers (see :func:`crm.quality.report`;
        ``country`` picks the id, phone and postcode rules)."""
        from .quality import _day, _report

        return _report(self._inner.quality_report_json(_day(today), country), frame)

    def resolve(self, customer_id: int) -> Optional[int]:
        """The customer an id stands for now (itself, or the survivor of a merge), or None."""
        out = self._inner.resolve(cv.customer_id(customer_id))
        return None if out is None else int(out)

    def merges(self) -> List[Dict[str, Any]]:
        """Every merge made, oldest first."""
        return list(json.loads(self._inner.merges_json()))

    def customer_ids(self) -> Any:
        """The customers' ids in the book's order, as a numpy array."""
        return self._inner.customer_ids()

    def view(self, customer_id: int, as_of: Any = None, *, offset: int = 0, limit: int = 20) -> Dict[str, Any]:
        """The 360° view of one customer as a dict; ``as_of`` defaults to now.

        Raises :class:`crm.NotFoundError` (a ``KeyError``) for an unknown id.
        """
        at = cv.now_us() if as_of is None else cv.end_ticks(as_of, "us")
        return dict(json.loads(self._inner.view_json(cv.customer_id(customer_id), at, cv.count(offset, "offset"), cv.count(limit, "limit"))))

    def features(self, as_of: Any = None, *, frame: str = "numpy") -> Any:
        """Per-customer feature columns as of ``as_of`` (default now), in the book's order.

        ``frame`` is ``"numpy"`` (a dict of arrays), ``"pandas"`` or ``"polars"``.
        """
        at = cv.now_us() if as_of is None else cv.end_ticks(as_of, "us")
        columns = self._inner.features(at)
        return cv.frame(frame if frame in ("pandas", "polars") else "numpy", columns)

    def analyse(self, as_of: Any = None, config: Union[None, str, Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Value scores, tiers, RFM segments and Pareto figures for the whole book: crm-core's
        segmentation summary (the same document C's ``crm_book_analyse_json`` returns) with
        ``as_of``, the per-customer columns ``customer_id``, ``score``, ``tier``, ``segment``,
        ``rfm_score``, ``abc``, and ``pyramid``, ``pareto``, ``rfm_report``, ``strategies``.

        The results are kept: :meth:`view` shows each customer's score, tier, segment and
        strategy afterwards. ``config`` is the segmentation config's JSON form (as a dict or
        text): ``{"value": ..., "pyramid": ..., "rfm": ..., "abc": ..., "strategies": ...}``.
        """
        at = cv.now_us() if as_of is None else cv.end_ticks(as_of, "us")
        text = None if config is None else (config if isinstance(config, str) else json.dumps(config))
        return dict(json.loads(self._inner.analyse_json(at, text)))

    def predict_clv(self, as_of: Any = None, config: Union[None, str, Mapping[str, Any]] = None, *, frame: str = "numpy",
                    tz: Optional[str] = None) -> Dict[str, Any]:
        """Fits BG/NBD and Gamma-Gamma on the book's purchases up to ``as_of`` and predicts
        each customer's discounted lifetime value (``config``: ``{"unit": "W", "months": 12,
        "discount_rate": 0.01, "tz": "UTC"}``). Purchase days are civil days in the IANA zone
        ``tz`` (or the config's ``"tz"``; default UTC): two purchases on one Los Angeles
        evening are one purchase day with ``tz="America/Los_Angeles"``. Returns
        ``{"beta_geo": fit, "gamma_gamma": fit, "unit": ..., "tz": zone used, "customers":
        columns}`` with ``customer_id``, ``clv`` (minor units), ``p_alive``,
        ``expected_purchases``, ``expected_spend`` and ``no_spend_reason`` (why a customer has
        no spend prediction, None when it has one) as the ``frame`` asked for."""
        text = None if config is None else (config if isinstance(config, str) else json.dumps(config))
        # crm-core applies tz= over the config's "tz" and ends a bare-date as_of with that
        # day in the zone that results; instants travel as microseconds.
        out = _crm.book_predict_clv(self._inner, cv.period_end_arg(as_of), text, tz)
        names = ("customer_id", "clv", "p_alive", "expected_purchases", "expected_spend", "no_spend_reason")
        columns = {k: out[k] for k in names}
        return {
            "beta_geo": json.loads(out["beta_geo"]),
            "gamma_gamma": json.loads(out["gamma_gamma"]),
            "unit": out["unit"],
            "tz": out["tz"],
            "customers": cv.frame(frame if frame in ("pandas", "polars") else "numpy", columns),
        }

    def set_sla_policy(self, policy: Any) -> None:
        """Attaches a :class:`crm.SlaPolicy` (or detaches with None): :meth:`view` then shows
        each open complaint's SLA state under ``complaints.open[i].sla``."""
        if policy is None:
            _crm.detach_sla_policy(self._inner, self._batch())
        else:
            policy._inner.attach(self._inner, self._batch())

    def set_lifecycle_policy(self, policy: Any) -> None:
        """Attaches a :class:`crm.LifecyclePolicy` (or detaches with None): :meth:`view` then
        shows ``lifecycle`` (stage, phase, since, next action, history)."""
        if policy is None:
            _crm.detach_lifecycle_policy(self._inner, self._batch())
        else:
            policy._inner.attach(self._inner, self._batch())

    def save(self, path: Union[str, Path]) -> None:
        """Writes a JSON snapshot (format-versioned) to ``path``, atomically; of a stored book
        too (the export format: :meth:`import_snapshot` reads it into a new store)."""
        self._inner.save(Path(path))

    @classmethod
    def load(cls, path: Union[str, Path]) -> "CustomerBook":
        """Reads a snapshot written by :meth:`save`, validating everything, into a book in
        memory (to keep it in a store, :meth:`open` one and :meth:`import_snapshot`)."""
        return cls._wrap(_crm.CustomerBook.load(Path(path)))


def sample_book(customers: int = 10_000, seed: int = 0, *, mean_purchases: float = 6.0, duplicate_share: float = 0.03, corruption: str = "light") -> Tuple[CustomerBook, Any, List[Dict[str, Any]]]:
    """A generated Turkish SME customer base: ``(book, end of period, duplicates' ground truth)``.

    ``corruption="light"`` (the default) damages ``duplicate_share`` of extra records lightly
    (each truth entry lists its ``perturbations``); ``"heavy"`` damages them the way FEBRL's
    generator does, in clusters of 1 to 5 records per customer, and each truth entry lists
    its ``changes`` as ``{"field": ..., "modification": ...}``. Anything else raises
    :class:`crm.InvalidInputError` naming ``corruption``.

    At most ``MAX_SAMPLE_CUSTOMERS`` (10,000,000) customers and ``MAX_MEAN_PURCHASES`` (1,000)
    purchases per customer on average; more raises :class:`crm.InvalidInputError` naming the
    argument, before anything is generated.

    >>> import crm
    >>> book, end, duplicates = crm.sample_book(200, seed=1)
    >>> len(book) == 200 + len(duplicates)
    True
    """
    import datetime as dt

    inner, end_us, truth = _crm.sample_book(customers, cv.count(seed, "seed"), mean_purchases, duplicate_share, corruption)
    end = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=end_us)
    return CustomerBook._wrap(inner), end, list(json.loads(truth))
