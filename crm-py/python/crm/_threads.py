"""The worker pool: its size, and a fresh pool in every forked child.

crm's parallel functions (duplicate detection, quality and lifecycle reports, transaction
features, RFM, CLV) run on one pool of worker threads per process, built at the first
parallel call. Its size comes from :func:`set_threads` if called before that, else the
environment variable ``CRM_THREADS`` (read once, at import; ignored unless it is a number
from 0 to ``MAX_THREADS``), else the number of CPUs.

Importing crm registers ``os.register_at_fork(after_in_child=...)``: a child made by
``os.fork()`` (gunicorn and uWSGI workers, ``multiprocessing`` with the "fork" start method)
abandons the parent's pool, whose threads do not exist there, and builds its own on its
first parallel call, so it never hangs. A child may call :func:`set_threads` before that.
"""

from __future__ import annotations

import os

from . import _convert as cv
from . import _crm

#: The largest size :func:`set_threads` accepts.
MAX_THREADS: int = _crm.MAX_THREADS


def set_threads(n: int) -> None:
    """Sets the number of worker threads of the pool the first parallel call builds.

    ``0`` is the default: the number of CPUs (``RAYON_NUM_THREADS`` if set). Call it
    before the first parallel call of the process (or of a forked child); afterwards,
    asking for the size the pool has does nothing, and any other size raises
    :class:`crm.ConflictError` (the pool is never torn down under running work).

    Raises :class:`crm.InvalidInputError` for ``n < 0`` or ``n > MAX_THREADS``.

    >>> import crm
    >>> n = crm.get_threads()          # builds the pool if needed
    >>> crm.set_threads(n)             # the size it has: fine
    >>> try:  # doctest: +ELLIPSIS
    ...     crm.set_threads(n + 1)
    ... except crm.ConflictError as e:
    ...     print(str(e).split(":")[0])
    threads ... rejected
    """
    # The native argument is signed (a negative n gets core's own message).
    _crm.set_threads(n if isinstance(n, int) and n < 0 else cv.count(n, "threads", 63))


def get_threads() -> int:
    """The number of worker threads of the pool (built now if it does not exist yet).

    >>> import crm
    >>> crm.get_threads() >= 1
    True
    """
    return _crm.get_threads()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_crm._after_fork_child)
