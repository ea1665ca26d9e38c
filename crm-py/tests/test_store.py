"""CustomerBook.open: the durable book through Python (crm-store's SQLite backend)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import warnings

import pytest

import crm

T0 = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.timezone.utc)


def fill(b: crm.CustomerBook) -> None:
    b.add_customer(id=1, given_name="Ayşe", family_name="Yılmaz")
    b.add_customer(id=2, given_name="Ayse", family_name="Yilmaz")
    b.record(customer_id=1, at=T0, type="purchase", amount=10_000, currency="TRY", category="a")
    b.record(customer_id=2, at=T0 + dt.timedelta(days=1), type="purchase", amount=5_000,
             currency="TRY", category="b")


def test_a_reopened_book_is_the_same_book(tmp_path):
    path = tmp_path / "book.crm"
    with crm.CustomerBook.open(path, currency="TRY") as b:
        fill(b)
        b.merge(1, [2], at=T0 + dt.timedelta(days=2))
        before = b.view(1, as_of=T0 + dt.timedelta(days=5))
    assert b.closed
    with pytest.raises(crm.CrmError):
        len(b)
    with crm.CustomerBook.open(path, create=False) as again:
        assert len(again) == 1 and again.event_count == 2
        assert again.resolve(2) == 1
        # 10,000 + 5,000 (the merged customer's purchase moved to the survivor).
        view = again.view(1, as_of=T0 + dt.timedelta(days=5))
        assert view["purchases"]["net"] == 15_000
        assert view == before


def test_the_change_feed_pages_with_its_cursor(tmp_path):
    with crm.CustomerBook.open(tmp_path / "b.crm", currency="TRY") as b:
        fill(b)  # four calls, four committed changes
        page = b.changes(since=0, limit=3)
        assert [c["seq"] for c in page.changes] == [1, 2, 3]
        assert page.changes[0]["change"]["type"] == "customer_added"
        rest = b.changes(since=page.cursor)
        assert [c["seq"] for c in rest.changes] == [4] and rest.cursor == 4
        assert b.changes(since=4).changes == [] and b.changes(since=4).cursor == 4


def test_a_batch_is_all_or_nothing(tmp_path):
    path = tmp_path / "b.crm"
    with crm.CustomerBook.open(path, currency="TRY") as b:
        with pytest.raises(RuntimeError):
            with b.batch():
                b.add_customer(id=1, given_name="Elif")
                raise RuntimeError("the job fails half-way")
        assert len(b) == 0
        with pytest.raises(crm.DuplicateError):
            with b.batch():
                b.add_customer(id=1, given_name="Elif")
                b.add_customer(id=1, given_name="Elif")
        assert len(b) == 0
        with b.batch():
            b.add_customer(id=1, given_name="Elif")
            b.record(customer_id=1, at=T0, type="purchase", amount=100, currency="TRY", category="a")
        # One transaction holding two changes of the log.
        assert (len(b), b.event_count, b.cursor) == (1, 1, 2)
    with crm.CustomerBook.open(path) as again:
        assert (len(again), again.event_count) == (1, 1)


def test_a_reader_process_sees_the_writer_after_refresh(tmp_path):
    path = tmp_path / "b.crm"
    with crm.CustomerBook.open(path, currency="TRY") as reader:
        assert len(reader) == 0
        writer = textwrap.dedent(f"""
            import crm
            with crm.CustomerBook.open({str(path)!r}) as b:
                b.add_customers([{{"id": i, "given_name": "Elif"}} for i in range(1, 11)])
                b.add_customer(id=11, given_name="Can")
        """)
        subprocess.run([sys.executable, "-c", writer], check=True)
        assert len(reader) == 0
        assert reader.refresh() == 2
        assert len(reader) == 11 and 11 in reader


def test_backup_opens_as_an_equal_book(tmp_path):
    with crm.CustomerBook.open(tmp_path / "b.crm", currency="TRY") as b:
        fill(b)
        b.backup(tmp_path / "copy.crm")
        with pytest.raises(crm.InvalidInputError):
            b.backup(tmp_path / "copy.crm")  # never overwrites
        with crm.CustomerBook.open(tmp_path / "copy.crm", create=False) as copy:
            assert copy.changes().changes == b.changes().changes
            assert copy.view(1, as_of=T0) == b.view(1, as_of=T0)


def test_bad_files_and_missing_stores_are_clear_errors(tmp_path):
    junk = tmp_path / "junk.crm"
    junk.write_bytes(b"this is not a database, just some bytes " * 200)
    with pytest.raises(crm.CrmError) as err:
        crm.CustomerBook.open(junk)
    assert "junk.crm" in str(err.value)
    with pytest.raises(crm.NotFoundError):
        crm.CustomerBook.open(tmp_path / "missing.crm", create=False)
    with pytest.raises(crm.ParseError, match="full"):
        crm.CustomerBook.open(tmp_path / "new.crm", synchronous="sometimes")


def test_store_only_calls_on_a_memory_book_say_so():
    b = crm.CustomerBook("TRY")
    assert b.refresh() == 0 and b.location is None
    with pytest.raises(crm.InvalidInputError, match="stored book"):
        b.changes()


def test_a_second_writer_waits_for_the_busy_timeout_then_fails_clearly(tmp_path):
    path = tmp_path / "b.crm"
    with crm.CustomerBook.open(path, currency="TRY", busy_timeout=0.2) as b:
        b.add_customer(id=1, given_name="Elif")
        # Another process holds SQLite's write lock (POSIX locks are per process, so the
        # holder cannot live in this one) until we close its stdin.
        holder = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(f"""
                import sqlite3, sys
                c = sqlite3.connect({str(path)!r}, isolation_level=None)
                c.execute("BEGIN IMMEDIATE")
                print("locked", flush=True)
                sys.stdin.read()
                c.execute("ROLLBACK")
            """)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            with pytest.raises(crm.CrmIOError, match="200 ms"):
                b.add_customer(id=2, given_name="Can")
            assert len(b) == 1 and 2 not in b
        finally:
            holder.communicate("")
        b.add_customer(id=2, given_name="Can")  # the lock is free again
    with crm.CustomerBook.open(path) as again:
        assert sorted(again.customer_ids().tolist()) == [1, 2]


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "b.crm"
    crm.CustomerBook.open(path, currency="TRY").close()
    data = bytearray(path.read_bytes())
    data[60:64] = (999).to_bytes(4, "big")  # SQLite's user_version
    path.write_bytes(bytes(data))
    with pytest.raises(crm.UnsupportedVersionError, match="999"):
        crm.CustomerBook.open(path)


def test_a_snapshot_imports_into_an_empty_store(tmp_path):
    memory = crm.CustomerBook("TRY")
    fill(memory)
    memory.save(tmp_path / "snap.json")
    with crm.CustomerBook.open(tmp_path / "b.crm", currency="TRY") as b:
        b.import_snapshot(tmp_path / "snap.json")
        assert (len(b), b.event_count) == (2, 2)
        assert b.view(1, as_of=T0) == memory.view(1, as_of=T0)
        with pytest.raises(crm.ConflictError):
            b.import_snapshot(tmp_path / "snap.json")  # only into an empty store
        assert (len(b), b.event_count) == (2, 2)


NOBODY = 65534


def read_only_child(path: str) -> str:
    """The child's part: open the read-only store and try a write; what happened."""
    try:
        book = crm.CustomerBook.open(path, create=False)
    except crm.CrmIOError as e:
        assert "ro.crm" in str(e), e
        return "open-failed"
    before = (len(book), book.event_count, book.cursor, book.customer(1))
    try:
        book.add_customer(id=9, given_name="Can", family_name="Er")
    except crm.CrmIOError as e:
        assert "ro.crm" in str(e) and "read-only" in str(e), e
        assert (len(book), book.event_count, book.cursor, book.customer(1)) == before
        return "write-failed"
    return "the write went through"


def run_as_reader(path: str) -> str:
    """Runs read_only_child in a forked child, which (as root, for whom permission bits do
    not bind) drops to nobody first: the interpreter and crm are loaded already, so nobody
    needs no access to them, only to the store's folder. Returns the child's outcome, or
    its error."""
    read, write = os.pipe()
    # fork() in a process with threads warns (DeprecationWarning since Python 3.12); the
    # child only calls crm, which is made to survive fork, and then exits.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        code, text = 1, "no outcome"
        try:
            os.close(read)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            text = read_only_child(path)
            code = 0
        except BaseException as e:  # noqa: BLE001 (everything goes back to the parent)
            text = f"{type(e).__name__}: {e}"
        finally:
            os.write(write, text.encode())
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        text = f.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, text
    return text


def test_a_read_only_file_fails_clearly_and_changes_nothing():
    # A folder of its own under /tmp that `nobody` can enter (pytest's tmp_path is 0700).
    folder = tempfile.mkdtemp(prefix="crm-py-ro-")
    try:
        os.chmod(folder, 0o755)
        path = os.path.join(folder, "ro.crm")
        with crm.CustomerBook.open(path, currency="TRY") as b:
            fill(b)
            cursor = b.cursor
        with open(path, "rb") as f:
            before = f.read()
        os.chmod(path, 0o444)
        # Not root: the 0444 file binds this user (unless a capability overrides it, and
        # only then, with neither root to drop to nobody nor a read-only file, it skips).
        if os.geteuid() != 0 and os.access(path, os.W_OK):
            pytest.skip("the 0444 file is still writable for this user, who is not root")
        assert run_as_reader(path) in ("open-failed", "write-failed")
        with open(path, "rb") as f:
            assert f.read() == before
        os.chmod(path, 0o644)
        with crm.CustomerBook.open(path, create=False) as again:
            assert (len(again), again.event_count, again.cursor) == (2, 2, cursor)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_snapshot_with_merges_imports_and_reopens(tmp_path):
    memory = crm.CustomerBook("TRY")
    fill(memory)
    memory.add_customer(id=3, given_name="Ayşe", family_name="Yılmaz")
    memory.merge(1, [2], at=T0 + dt.timedelta(days=2))
    memory.merge(3, [1], at=T0 + dt.timedelta(days=3))  # a chain: 2 → 1 → 3
    memory.save(tmp_path / "snap.json")
    with crm.CustomerBook.open(tmp_path / "b.crm", currency="TRY") as b:
        b.import_snapshot(tmp_path / "snap.json")
        page = b.changes()
        assert page.changes[-1]["change"]["type"] == "merges_imported"
        assert [m["merged"] for m in page.changes[-1]["change"]["merges"]] == [[2], [1]]
    with crm.CustomerBook.open(tmp_path / "b.crm", create=False) as again:
        assert (len(again), again.event_count) == (1, 2)
        assert (again.resolve(1), again.resolve(2)) == (3, 3)
        as_of = T0 + dt.timedelta(days=5)
        assert again.view(3, as_of=as_of) == memory.view(3, as_of=as_of)


def test_open_checks_the_log_or_the_whole_file_as_asked(tmp_path):
    path = tmp_path / "checked.crm"
    with crm.CustomerBook.open(path, currency="TRY") as book:
        book.add_customer(id=7, given_name="Elif", family_name="Şahin")
    # Each check (the log's, the whole file's, none) opens an undamaged store alike.
    for options in ({}, {"full_check": True}, {"verify": False}, {"verify": True, "full_check": True}):
        with crm.CustomerBook.open(path, create=False, **options) as book:
            assert len(book) == 1 and book.cursor == 1
    with pytest.raises(crm.CrmError, match="full_check"):
        crm.CustomerBook.open(path, full_check="yes")


FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "crm-store", "tests", "fixtures")


def test_the_change_feed_of_a_migrated_v4_store_is_the_old_one(tmp_path):
    # The frozen schema-4 fixture (written by the schema-4 code) migrates to binary event
    # bodies at open; its change feed is, byte for byte, the JSON that code gave, and
    # `changes()` its parsed records.
    import json
    import sqlite3

    path = tmp_path / "v4.crm"
    with open(os.path.join(FIXTURES, "v4.sql"), encoding="utf-8") as f:
        conn = sqlite3.connect(path)
        conn.executescript(f.read())
        conn.close()
    with open(os.path.join(FIXTURES, "v4_changes.json"), encoding="utf-8") as f:
        want = f.read()
    with crm.CustomerBook.open(path, create=False) as b:
        assert len(b) == 5 and b.event_count == 44
        text, cursor = b._inner.changes_json(0, None)
        assert text == want
        page = b.changes()
        assert list(page[0]) == json.loads(want) and page[1] == cursor == 6
