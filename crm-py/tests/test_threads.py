"""Threads and fork: a shared CustomerBook waits instead of failing, and a forked child gets
a fresh worker pool (mirrors crm-core/src/parallel.rs and crm-py/src/book.rs)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

import crm

# Transaction columns big enough for every parallel stage: 2,000 customers × 10 purchases,
# customer c paying c + 1 minor units on days 1..10, so frequency 10 and monetary
# 10·(c + 1) for each, worked out by hand.
CUSTOMERS = 2_000
PER = 10
IDS = np.tile(np.arange(CUSTOMERS, dtype=np.uint64), PER)
DAYS = np.repeat(np.arange(1, PER + 1), CUSTOMERS)
AT = (np.datetime64("2025-01-01T00:00:00", "s") + DAYS * np.timedelta64(1, "D")).astype("datetime64[us]")
AMOUNT = np.tile(np.arange(1, CUSTOMERS + 1, dtype=np.int64), PER)


def parallel_call_is_right() -> bool:
    """A parallel call (transaction features on crm's pool) with its expected figures."""
    f = crm.customer_features(IDS, AT, AMOUNT, as_of="2025-02-01")
    return (
        list(f["customer_id"][:3]) == [0, 1, 2]
        and bool(np.all(f["frequency"] == PER))
        and bool(np.all(f["monetary"] == PER * (np.arange(CUSTOMERS) + 1)))
    )


def fork_and_run(child: Any) -> int:
    """Runs ``child()`` in an ``os.fork()`` child under a 30 s alarm; its exit status."""
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a process with threads (crm's workers) may
        # deadlock the child: exactly what this checks does not happen.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        signal.alarm(30)
        code = 1
        try:
            code = 0 if child() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert not os.WIFSIGNALED(status), f"child killed by signal {os.WTERMSIG(status)} (SIGALRM: hung)"
    return os.WEXITSTATUS(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
def test_a_forked_child_runs_parallel_calls_after_the_parent_did() -> None:
    assert parallel_call_is_right()  # the parent's pool exists now
    assert fork_and_run(lambda: parallel_call_is_right() and parallel_call_is_right()) == 0
    # A grandchild too.
    assert fork_and_run(lambda: parallel_call_is_right() and fork_and_run(parallel_call_is_right) == 0) == 0
    assert parallel_call_is_right()  # the parent is unaffected


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
def test_a_forked_child_chooses_its_own_pool_size() -> None:
    assert parallel_call_is_right()
    parent = crm.get_threads()

    def child() -> bool:
        crm.set_threads(1)
        return crm.get_threads() == 1 and parallel_call_is_right()

    assert fork_and_run(child) == 0
    assert crm.get_threads() == parent


def _pool_worker(seed: int) -> int:
    return int(parallel_call_is_right()) + seed


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_multiprocessing_fork_workers_do_not_hang() -> None:
    assert parallel_call_is_right()
    ctx = multiprocessing.get_context("fork")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with ctx.Pool(2) as pool:
            out = pool.map_async(_pool_worker, [0, 10, 20]).get(timeout=60)
    assert out == [1, 11, 21]


def test_pool_size_rules() -> None:
    n = crm.get_threads()
    assert n >= 1
    crm.set_threads(n)  # the size it has
    with pytest.raises(crm.ConflictError, match=f"threads {n + 1} rejected"):
        crm.set_threads(n + 1)
    with pytest.raises(crm.InvalidInputError, match="threads"):
        crm.set_threads(-1)
    with pytest.raises(crm.InvalidInputError, match="at most 1024"):
        crm.set_threads(crm.MAX_THREADS + 1)


def test_crm_threads_environment_sets_the_size_and_set_threads_wins() -> None:
    code = "import crm; print(crm.get_threads())"
    env = dict(os.environ, CRM_THREADS="3")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"
    code = "import crm; crm.set_threads(2); print(crm.get_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2"
    env["CRM_THREADS"] = "lots"  # ignored: the default
    code = "import crm, os; print(crm.get_threads() == len(os.sched_getaffinity(0)) or crm.get_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_five_threads_share_one_book_writes_wait_and_reads_share() -> None:
    book = crm.CustomerBook("TRY")
    per_thread = 60
    errors: List[BaseException] = []
    seen_lengths: List[List[int]] = [[], []]
    start = threading.Barrier(5)

    def writer(t: int) -> None:
        start.wait()
        for k in range(per_thread):
            cid = 1 + t * 1_000 + k
            book.add_customer(id=cid, given_name="Ayşe", family_name=f"Yılmaz{t}")
            book.record(customer_id=cid, at="2025-03-01T10:00:00Z", type="purchase", amount=100 * (k + 1), currency="TRY")

    def reader(r: int) -> None:
        start.wait()
        for _ in range(30):
            seen_lengths[r].append(len(book))
            book.analyse(as_of="2025-04-01")
            book.merge_duplicates(apply=False, at="2025-04-01")
            book.quality_report(today="2025-04-01")
            ids = book.customer_ids()
            if len(ids):
                book.view(int(ids[0]), as_of="2025-04-01")

    def run(f: Any, *args: Any) -> None:
        try:
            f(*args)
        except BaseException as e:  # noqa: BLE001 - collected and reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(writer, t)) for t in range(3)]
    threads += [threading.Thread(target=run, args=(reader, r)) for r in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert not errors, errors
    assert len(book) == 3 * per_thread
    assert book.event_count == 3 * per_thread
    # Net revenue: every writer recorded 100·(1 + … + 60) = 183,000.
    assert book.stats()["net_revenue"] == 3 * 100 * per_thread * (per_thread + 1) // 2
    for lengths in seen_lengths:  # each reader saw the book only grow, within its bounds
        assert len(lengths) == 30 and lengths == sorted(lengths)
        assert 0 <= lengths[0] and lengths[-1] <= 3 * per_thread


def test_a_write_during_a_long_save_waits_only_for_the_copy(tmp_path: Path) -> None:
    book, end, _ = crm.sample_book(30_000, seed=3)
    path = tmp_path / "book.json"
    started = threading.Event()
    done: Dict[str, float] = {}

    def save() -> None:
        started.set()
        t0 = time.perf_counter()
        book.save(path)
        done["save"] = time.perf_counter() - t0
        done["end"] = time.perf_counter()

    saver = threading.Thread(target=save)
    saver.start()
    started.wait()
    finished_during_save = 0
    next_id = 10_000_000
    while saver.is_alive():
        book.add_customer(id=next_id, given_name="Can", family_name="Kaya")
        next_id += 1
        if saver.is_alive():
            finished_during_save += 1
    saver.join()
    assert finished_during_save > 0, done
    # The snapshot is one consistent state: the sample plus a prefix of the writes.
    loaded = crm.CustomerBook.load(path)
    added = next_id - 10_000_000
    assert len(book) - added <= len(loaded) <= len(book)
