"""The exceptions crm raises. Every one derives from :class:`CrmError`.

Bad input also derives from :class:`ValueError` (an unknown id from :class:`KeyError`), so
code that already catches the built-in exceptions keeps working::

    try:
        book.record(customer_id=99, at="2025-01-01T00:00:00Z", type="purchase",
                    amount=100, currency="TRY")
    except crm.NotFoundError as e:      # also a KeyError
        print(e.field, e)               # customer_id  unknown customer_id 99
"""

from __future__ import annotations

from typing import List, Optional, Tuple

__all__ = [
    "CrmError",
    "InvalidInputError",
    "InvalidArgumentError",
    "NotFoundError",
    "DuplicateError",
    "ConflictError",
    "ParseError",
    "UnsupportedVersionError",
    "CrmIOError",
    "InternalError",
    "UnusedColumnsWarning",
]


class CrmError(Exception):
    """Base of every crm exception. ``field`` names the input that was wrong, when known."""

    field: Optional[str] = None

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class InvalidInputError(CrmError, ValueError):
    """A value is malformed, out of range or inconsistent (the message names field and value)."""


class InvalidArgumentError(InvalidInputError, TypeError):
    """A call that does not fit: an unknown keyword argument (``field`` names it, and the
    message suggests the close one), a missing argument, or an argument of the wrong type.
    Also a ``TypeError``, as Python's own error for such a call is."""


class NotFoundError(CrmError, KeyError):
    """An id the operation needs (customer, complaint, referred customer) does not exist."""


class DuplicateError(CrmError, ValueError):
    """An id that must be new already exists, or a customer added with
    ``on_duplicate="reject"`` likely duplicates customers of the book: ``candidates`` lists
    them as ``(customer_id, probability)``, best first (empty for an id that exists)."""

    candidates: List[Tuple[int, float]] = []


class ConflictError(CrmError, ValueError):
    """Well-formed input not allowed in the current state (complaint events out of order…)."""


class ParseError(CrmError, ValueError):
    """Text (JSON) could not be parsed into the expected shape."""


class UnsupportedVersionError(CrmError, ValueError):
    """A snapshot was written by a format version this build cannot read."""


class CrmIOError(CrmError, OSError):
    """Reading or writing a file failed."""


class InternalError(CrmError):
    """A bug in crm: the native code panicked. The message says where; please report it.

    crm never lets a panic through as ``pyo3_runtime.PanicException`` and never prints it to
    stderr. A book the failed call was changing may be half-changed.
    """


class UnusedColumnsWarning(UserWarning):
    """A frame handed to crm has columns the call does not read (a misspelt ``"Surname"``,
    an id column, a column meant for another role): ``columns`` lists them, in frame order.
    Map a column to its role with ``columns={role: name}``, drop it, or filter the warning
    (``warnings.simplefilter("ignore", crm.UnusedColumnsWarning)``)."""

    def __init__(self, message: str, columns: "tuple[str, ...]" = ()) -> None:
        super().__init__(message)
        self.columns = tuple(columns)
