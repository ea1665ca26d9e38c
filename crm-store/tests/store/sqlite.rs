//! The suite against SQLite, and what only a file store has: damaged files, a full disk, a
//! held lock, a newer schema, the version-1 fixture, and crashes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use crm_core::model::{Channel, Customer, Direction, Event, Interaction};
use crm_core::{CrmError, ErrorKind};
use crm_store::{StoreOptions, StoredBook};
use rusqlite::Connection;

use crate::child;
use crate::suite::{self, Backend};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("crm-store-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Sqlite {
    dir: PathBuf,
}

impl Backend for Sqlite {
    fn fresh(&self, name: &str) -> String {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        self.dir
            .join(format!("{name}-{n}.crm"))
            .display()
            .to_string()
    }

    fn open(&self, location: &str, options: &StoreOptions) -> Result<StoredBook, CrmError> {
        crm_store::open(location, options)
    }

    fn dump(&self, location: &str) -> String {
        let conn = Connection::open(location).unwrap();
        let mut out = String::new();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for t in tables {
            let mut st = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
            let n = st.column_count();
            let mut rows = st.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                out.push_str(&t);
                for i in 0..n {
                    out.push_str(&format!(" {:?}", row.get_ref(i).unwrap()));
                }
                out.push('\n');
            }
        }
        out
    }
}

#[test]
fn the_behaviour_suite_passes() {
    let dir = scratch("suite");
    suite::run(&Sqlite { dir: dir.clone() }, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn new_store(dir: &Path) -> (PathBuf, StoredBook) {
    let path = dir.join("book.crm");
    let book = crm_store::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
    (path, book)
}

fn interaction(id: u64, minutes: i64) -> Event {
    Event::new(
        id,
        suite::t0() + Days::minutes(minutes),
        Interaction {
            channel: Channel::CallCentre,
            direction: Direction::Inbound,
            subject: Some("fatura".into()),
            outcome: None,
            agent: Some("a1".into()),
        },
    )
}

#[test]
fn a_second_writer_waits_for_the_busy_timeout_then_fails_clearly() {
    let dir = scratch("busy");
    let (path, mut book) = new_store(&dir);
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    drop(book);
    let options = StoreOptions {
        busy_timeout: Duration::from_millis(300),
        ..StoreOptions::default()
    };
    let mut second = crm_store::open(&path, &options).unwrap();
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let before = second.snapshot();
    let start = Instant::now();
    let e = second.record(interaction(1, 1)).unwrap_err();
    let waited = start.elapsed();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.to_string().contains("busy timeout (300 ms)"), "{e}");
    assert!(e.to_string().contains("book.crm"), "{e}");
    assert!(
        waited >= Duration::from_millis(290),
        "gave up after {waited:?}"
    );
    assert_eq!(second.snapshot(), before);
    holder.execute_batch("ROLLBACK").unwrap();
    // Once the lock is free, the same call goes through.
    second.record(interaction(1, 1)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn damaged_and_foreign_files_are_refused_at_open() {
    let dir = scratch("damaged");
    let open = |p: &Path| crm_store::open(p, &StoreOptions::with_currency("TRY"));
    // Not SQLite at all.
    let text = dir.join("notes.crm");
    std::fs::write(&text, "this is a text file, not a store\n".repeat(100)).unwrap();
    let e = open(&text).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
    assert!(
        e.to_string().contains("notes.crm") && e.to_string().contains("not a crm store"),
        "{e}"
    );
    // Another program's SQLite database.
    let other = dir.join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let e = open(&other).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
    assert!(e.to_string().contains("not a crm store"), "{e}");
    // A real store, truncated, and one with overwritten pages.
    let (path, mut book) = new_store(&dir);
    book.add_customers((1..=300).map(|i| Customer::person(i, "Ali", "Kaya")))
        .unwrap();
    book.record_all((0..3000).map(|m| interaction(1 + (m % 300) as u64, m)))
        .unwrap();
    book.close().unwrap();
    // Closing the last connection checkpoints the WAL into the file and removes it.
    assert!(!dir.join("book.crm-wal").exists());
    let bytes = std::fs::read(&path).unwrap();
    let truncated = dir.join("truncated.crm");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let e = open(&truncated).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
    assert!(e.to_string().contains("truncated.crm"), "{e}");
    let mut garbled = bytes.clone();
    let page = 4096;
    for b in &mut garbled[3 * page..6 * page] {
        *b = 0x5a;
    }
    let corrupted = dir.join("corrupted.crm");
    std::fs::write(&corrupted, &garbled).unwrap();
    let e = open(&corrupted).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
    // Without the quick check the damage is still found while loading: never a partial book.
    let unchecked = StoreOptions {
        verify: false,
        ..StoreOptions::default()
    };
    assert!(crm_store::open(&corrupted, &unchecked).is_err());
    assert!(crm_store::open(&truncated, &unchecked).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The check at open covers the log, the one table the open does not read whole: a store
/// whose only damage is the log's first leaf page (the oldest changes; the open reads only
/// the log's last row) is refused at open by default and with `full_check`, naming the
/// check; without the check it opens and the first read of the damaged changes fails
/// clearly instead.
#[test]
fn the_check_at_open_covers_the_log() {
    let dir = scratch("log-check");
    let path = dir.join("book.crm");
    let options = StoreOptions {
        synchronous: crm_store::Synchronous::Normal,
        ..StoreOptions::with_currency("TRY")
    };
    let mut book = crm_store::open(&path, &options).unwrap();
    // One change per customer: a log of many small rows over several leaf pages.
    for i in 1..=300 {
        book.add_customer(Customer::person(i, "Ali", "Kaya"))
            .unwrap();
    }
    book.close().unwrap();
    let page = 4096;
    let root: i64 = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'changes'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let root = root as usize;
    let mut bytes = std::fs::read(&path).unwrap();
    // The root is an interior table page (type 5); its first cell starts with the page
    // number of the leftmost leaf (SQLite's file format, section 1.6). Page 1 carries
    // the 100-byte file header before its b-tree page; the log's root is never page 1.
    let at = (root - 1) * page;
    assert_eq!(bytes[at], 5, "the log spans several pages");
    let cell = u16::from_be_bytes([bytes[at + 12], bytes[at + 13]]) as usize;
    let leaf = u32::from_be_bytes(bytes[at + cell..at + cell + 4].try_into().unwrap()) as usize;
    for b in &mut bytes[(leaf - 1) * page + 8..leaf * page] {
        *b = 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    for options in [
        StoreOptions::default(),
        StoreOptions {
            full_check: true,
            ..StoreOptions::default()
        },
    ] {
        let e = crm_store::open(&path, &options).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
        assert!(
            e.to_string().contains("damaged") && e.to_string().contains("quick_check"),
            "{e}"
        );
    }
    let unchecked = StoreOptions {
        verify: false,
        ..StoreOptions::default()
    };
    let book = crm_store::open(&path, &unchecked).unwrap();
    assert_eq!(book.len(), 300);
    let e = book.changes(0, 10).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
    drop(book);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A change row damaged inside a well-formed page is named by its number: without a body
/// and without event rows (`first_event` NULL), or naming event rows while its type is
/// another change's.
#[test]
fn a_change_row_without_its_body_is_named_as_damaged() {
    let dir = scratch("change-row");
    let path = dir.join("book.crm");
    let mut book = crm_store::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    book.add_customer(Customer::person(2, "Ayşe", "Demir"))
        .unwrap();
    book.close().unwrap();
    for (damage, said) in [
        (
            "UPDATE changes SET body = NULL WHERE seq = 2",
            "change #2 (customer_added) is damaged: it has neither a body nor event rows",
        ),
        (
            "UPDATE changes SET body = NULL, first_event = 1, event_count = 0 WHERE seq = 2",
            "change #2 (customer_added) is damaged: it names event rows but is no event change",
        ),
    ] {
        let copy = dir.join("damaged.crm");
        std::fs::copy(&path, &copy).unwrap();
        Connection::open(&copy)
            .unwrap()
            .execute_batch(damage)
            .unwrap();
        let book = crm_store::open(&copy, &StoreOptions::default()).unwrap();
        let e = book.changes(0, 10).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
        assert!(e.to_string().contains(said), "{e}");
        drop(book);
        std::fs::remove_file(&copy).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_newer_schema_is_refused_and_the_v1_fixture_opens() {
    let dir = scratch("versions");
    let v1 = dir.join("v1.crm");
    let conn = Connection::open(&v1).unwrap();
    conn.execute_batch(include_str!("../fixtures/v1.sql"))
        .unwrap();
    drop(conn);
    let book = crm_store::open(&v1, &StoreOptions::default()).unwrap();
    assert_eq!(book.schema_version().unwrap(), 5);
    assert_eq!(crm_store::SCHEMA_VERSION, 5);
    assert_eq!(book.len(), 2);
    assert_eq!(book.customer(2).unwrap().referred_by, Some(1));
    assert_eq!(book.event_count(), 2);
    assert_eq!(book.cursor(), 2);
    // The upgraded store is the same book, from its tables and from its log, and its change
    // feed gives the version-1 JSON of the events.
    assert_eq!(book.replay_log().unwrap().snapshot(), book.snapshot());
    let (feed, _) = book.changes(1, 1).unwrap();
    assert_eq!(
        serde_json::to_string(&feed[0].change).unwrap(),
        r#"{"type":"events_recorded","events":[{"customer_id":1,"at":"2025-01-02T10:00:00Z","type":"purchase","amount":12900,"currency":"TRY"},{"customer_id":1,"at":"2025-01-03T10:00:00Z","type":"referral","referred":2}]}"#
    );
    drop(book);
    let conn = Connection::open(&v1).unwrap();
    let rows: Vec<(i64, String, Vec<u8>, String)> = conn
        .prepare("SELECT at, typeof(at), CAST(body AS BLOB), typeof(body) FROM events ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // 2025-01-02T10:00:00Z = 1_735_812_000 s after the epoch. The purchase's body is
    // binary (schema 5): tag 01, no options, 12,900 zigzagged = 25,800 = 72 + 128 × 201,
    // so LEB128 C8 C9 01, then "TRY"; the referral's stays JSON text.
    assert_eq!(
        rows[0],
        (
            1_735_812_000_000_000_000,
            "integer".into(),
            vec![0x01, 0x00, 0xC8, 0xC9, 0x01, 0x03, b'T', b'R', b'Y'],
            "blob".into()
        )
    );
    assert_eq!(rows[1].2, br#"{"referred":2}"#);
    assert_eq!(rows[1].3, "text");
    drop(conn);
    let newer = dir.join("v6.crm");
    std::fs::copy(&v1, &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 6)
        .unwrap();
    let e = crm_store::open(&newer, &StoreOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedVersion, "{e}");
    assert!(
        e.to_string().contains("v6.crm") && e.to_string().contains("version 6"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The version-4 fixture (written by the version-4 code: every kind, locations, a merge)
/// migrates at open to version 5 in one transaction and reads back as the book it came
/// from: its snapshot and its change feed are byte for byte what the version-4 code gave
/// (frozen beside it), from the tables and from the log; the hot kinds' rows are blobs
/// now and the others the same JSON text. Versions 1 → 5 give the store a new one gets
/// (compared in the schema's unit test); a copy with one damaged body is refused naming
/// the row and left exactly as it was (still version 4, the same rows).
#[test]
fn the_v4_fixture_migrates_to_binary_bodies_and_reads_back_equal() {
    let dir = scratch("v4");
    let v4 = dir.join("v4.crm");
    let conn = Connection::open(&v4).unwrap();
    conn.execute_batch(include_str!("../fixtures/v4.sql"))
        .unwrap();
    type Row = (i64, i64, i64, Vec<u8>, String);
    let rows = |conn: &Connection| -> Vec<Row> {
        conn.prepare(
            "SELECT id, at, kind, CAST(body AS BLOB), typeof(body) FROM events ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let before = rows(&conn);
    assert_eq!(before.len(), 44);
    assert!(before.iter().all(|r| r.4 == "text" && r.3[0] == b'{'));
    drop(conn);
    let bad = dir.join("bad.crm");
    std::fs::copy(&v4, &bad).unwrap();

    let book = crm_store::open(&v4, &StoreOptions::default()).unwrap();
    assert_eq!(book.schema_version().unwrap(), 5);
    assert_eq!((book.len(), book.event_count(), book.cursor()), (5, 44, 6));
    let snapshot = serde_json::to_string(&book.snapshot()).unwrap();
    assert_eq!(snapshot, include_str!("../fixtures/v4_snapshot.json"));
    assert_eq!(
        serde_json::to_string(&book.replay_log().unwrap().snapshot()).unwrap(),
        snapshot
    );
    let (records, next) = book.changes(0, usize::MAX).unwrap();
    assert_eq!(next, 6);
    assert_eq!(
        serde_json::to_string(&records).unwrap(),
        include_str!("../fixtures/v4_changes.json")
    );
    // Every page of the feed too (the scan starts mid-log).
    for since in 0..6 {
        let (page, _) = book.changes(since, 2).unwrap();
        let want: Vec<_> = records.iter().skip(since as usize).take(2).collect();
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            serde_json::to_string(&want).unwrap()
        );
    }
    drop(book);
    let conn = Connection::open(&v4).unwrap();
    let after = rows(&conn);
    drop(conn);
    assert_eq!(after.len(), before.len());
    // Binary: purchase, refund, interaction, the complaint kinds, campaign; JSON: referral,
    // contribution, churned (kinds 4, 5 and 15), byte for byte as version 4 wrote them.
    for (old, new) in before.iter().zip(&after) {
        assert_eq!((old.0, old.1, old.2), (new.0, new.1, new.2));
        if [4, 5, 15].contains(&new.2) {
            assert_eq!((&new.3, new.4.as_str()), (&old.3, "text"), "{new:?}");
        } else {
            assert_eq!((new.3[0], new.4.as_str()), (0x01, "blob"), "{new:?}");
            assert!(new.3.len() < old.3.len(), "{new:?} {old:?}");
        }
    }
    let kinds: std::collections::BTreeSet<i64> = after.iter().map(|r| r.2).collect();
    assert_eq!(kinds, (1..=16).collect());

    let conn = Connection::open(&bad).unwrap();
    conn.execute("UPDATE events SET body = '{\"amount\":' WHERE id = 5", [])
        .unwrap();
    let before = rows(&conn);
    drop(conn);
    let e = crm_store::open(&bad, &StoreOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("migrate") && e.to_string().contains("event row #5"),
        "{e}"
    );
    let conn = Connection::open(&bad).unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 4);
    assert_eq!(rows(&conn), before);
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'events5'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0);
    drop(conn);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A damaged binary body (cut short, an unknown format byte, an unknown kind number) is
/// refused at open naming its row, and in the change feed naming its change and row.
#[test]
fn a_damaged_binary_body_is_refused_naming_its_row() {
    let dir = scratch("binary");
    let path = dir.join("book.crm");
    let mut book = crm_store::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    let at = chrono::Utc::now();
    let visit = Interaction {
        channel: Channel::Branch,
        direction: Direction::Inbound,
        subject: Some("hesap".into()),
        outcome: None,
        agent: None,
    };
    book.record_all([Event::new(1, at, visit.clone()), Event::new(1, at, visit)])
        .unwrap();
    drop(book);
    for (damage, said) in [
        (
            "UPDATE events SET body = substr(body, 1, 5) WHERE id = 2",
            "ends at byte 5",
        ),
        (
            "UPDATE events SET body = X'02' || substr(body, 2) WHERE id = 2",
            "unknown body format 0x02",
        ),
        (
            "UPDATE events SET kind = 99 WHERE id = 2",
            "unknown event kind number 99",
        ),
        ("UPDATE events SET body = X'' WHERE id = 2", "an empty body"),
        (
            "UPDATE events SET body = 12 WHERE id = 2",
            "a body stored as Integer",
        ),
    ] {
        let copy = dir.join("damaged.crm");
        std::fs::copy(&path, &copy).unwrap();
        Connection::open(&copy)
            .unwrap()
            .execute_batch(damage)
            .unwrap();
        let e = crm_store::open(&copy, &StoreOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
        assert!(
            e.to_string().contains("event row #2") && e.to_string().contains(said),
            "{damage}: {e}"
        );
        std::fs::remove_file(&copy).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The version-3 fixture is brought to version 5 at open (3 → 4 the number alone, 4 → 5
/// the binary bodies) and gives the book the version-2 fixture gives; a location recorded afterwards
/// reads back from the tables and from the log.
#[test]
fn the_v3_fixture_opens_at_version_5() {
    use crm_core::book::Lookup;
    use crm_core::model::Location;
    let dir = scratch("v3");
    let (v2, v3) = (dir.join("v2.crm"), dir.join("v3.crm"));
    for (path, sql) in [
        (&v2, include_str!("../fixtures/v2.sql")),
        (&v3, include_str!("../fixtures/v3.sql")),
    ] {
        Connection::open(path).unwrap().execute_batch(sql).unwrap();
    }
    let from_v2 = crm_store::open(&v2, &StoreOptions::default()).unwrap();
    let mut book = crm_store::open(&v3, &StoreOptions::default()).unwrap();
    assert_eq!(book.schema_version().unwrap(), 5);
    assert_eq!((book.len(), book.event_count(), book.cursor()), (3, 49, 5));
    assert_eq!(book.snapshot(), from_v2.snapshot());
    let at = book.events().last().unwrap().at;
    let visit = Interaction {
        channel: Channel::Branch,
        direction: Direction::Inbound,
        subject: None,
        outcome: None,
        agent: None,
    };
    // The stored book answers lookups from its in-memory book, kept current by writes.
    let by_phone = |b: &crm_store::StoredBook, p: &str| -> Vec<u64> {
        let found = b.find(&Lookup::phone(p)).unwrap();
        found.iter().map(|m| m.customer_id).collect()
    };
    assert_eq!(by_phone(&book, "+90 (546) 167-33-44"), [100000]);
    let mut ali = Customer::person(7, "Ali", "Kaya");
    ali.phones.push("0555 111 22 33".into());
    book.add_customer(ali).unwrap();
    assert_eq!(by_phone(&book, "905551112233"), [7]);
    let e = Event::new(100000, at, visit).at_location(Location::branch("Kadıköy"));
    book.record(e.clone()).unwrap();
    drop(book);
    let back = crm_store::open(&v3, &StoreOptions::default()).unwrap();
    assert_eq!(back.events().last().unwrap(), e);
    assert_eq!(by_phone(&back, "905551112233"), [7]);
    assert_eq!(back.replay_log().unwrap().snapshot(), back.snapshot());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The version-2 fixture (the store bench's first changes as the version-2 code wrote
/// them) is migrated at open to version 4 and reads back equal: every event of the change
/// feed is its version-2 row (change, customer, instant in nanoseconds, type and the
/// kind's fields), read from the fixture with plain SQL before the open; the tables and
/// the log give the same book. A copy with one row of an unknown type is refused, naming
/// the type, and left exactly as it was (one transaction): still version 2, with its
/// `seq` column, its index and every row.
#[test]
fn the_v2_fixture_migrates_in_one_transaction_and_reads_back_equal() {
    use crm_core::book::Change;
    let dir = scratch("v2");
    let v2 = dir.join("v2.crm");
    let conn = Connection::open(&v2).unwrap();
    conn.execute_batch(include_str!("../fixtures/v2.sql"))
        .unwrap();
    type Row = (i64, i64, i64, String, String);
    let rows = |conn: &Connection| -> Vec<Row> {
        conn.prepare("SELECT seq, customer_id, at, type, body FROM events ORDER BY id")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let want = rows(&conn);
    assert_eq!(want.len(), 49);
    drop(conn);
    let bad = dir.join("bad.crm");
    std::fs::copy(&v2, &bad).unwrap();

    let book = crm_store::open(&v2, &StoreOptions::default()).unwrap();
    assert_eq!(book.schema_version().unwrap(), 5);
    assert_eq!((book.len(), book.event_count(), book.cursor()), (3, 49, 5));
    assert_eq!(book.replay_log().unwrap().snapshot(), book.snapshot());
    let (records, next) = book.changes(0, 100).unwrap();
    assert_eq!(next, 5);
    let mut got: Vec<(u64, Event)> = Vec::new();
    for r in records {
        match r.change {
            Change::EventsRecorded { events } => got.extend(events.into_iter().map(|e| (r.seq, e))),
            Change::EventRecorded { event } => got.push((r.seq, event)),
            _ => {}
        }
    }
    assert_eq!(got.len(), want.len());
    for ((seq, e), (w_seq, w_customer, w_at, w_type, w_body)) in got.iter().zip(&want) {
        assert_eq!(*seq as i64, *w_seq);
        assert_eq!(e.at.timestamp_nanos_opt(), Some(*w_at));
        // The feed's JSON of the event is the row's: its customer, its type and the
        // kind's fields of its body (the time compared above).
        let mut json = serde_json::to_value(e).unwrap();
        json.as_object_mut().unwrap().remove("at");
        let mut row: serde_json::Value = serde_json::from_str(w_body).unwrap();
        let fields = row.as_object_mut().unwrap();
        fields.insert("customer_id".into(), (*w_customer).into());
        fields.insert("type".into(), w_type.clone().into());
        assert_eq!(json, row);
    }
    drop(book);

    let conn = Connection::open(&bad).unwrap();
    conn.execute("UPDATE events SET type = 'teleported' WHERE id = 7", [])
        .unwrap();
    let before = rows(&conn);
    drop(conn);
    let e = crm_store::open(&bad, &StoreOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("teleported") && e.to_string().contains("migrate"),
        "{e}"
    );
    let conn = Connection::open(&bad).unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    assert_eq!(rows(&conn), before);
    let index: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('events_by_customer', 'events3')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 1);
    drop(conn);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The child side of the interrupted-creation test: starts creating a store the way
/// `crm_store::open` does (WAL mode, then one transaction with the tables, the settings,
/// `application_id` and `user_version`), acknowledges, and waits to be killed before the
/// commit.
#[test]
fn half_created_child() {
    let Some(path) = child::role("half-created").map(PathBuf::from) else {
        return;
    };
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE changes (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, type TEXT NOT NULL,
             body TEXT, first_event INTEGER, event_count INTEGER);
         INSERT INTO store_meta VALUES ('book_config', '{\"currency\":\"TRY\"}');
         PRAGMA application_id = 1129467185;
         PRAGMA user_version = 3;",
    )
    .unwrap();
    // Enough uncommitted pages, with a small page cache, to spill into the WAL file.
    conn.execute_batch(
        "PRAGMA cache_size = 10;
         CREATE TABLE filler (x BLOB);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO filler SELECT randomblob(1000) FROM n;",
    )
    .unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ack 1").unwrap();
    out.flush().unwrap();
    std::thread::sleep(Duration::from_secs(60));
}

/// A store killed before its creation committed holds no data: opened without `create`
/// it is no store (`NotFound`, naming the file), with `create` it is created afresh as a
/// valid empty store of the latest schema. An empty (0-byte) file is the same.
#[test]
fn an_interrupted_creation_is_no_store_and_is_created_again() {
    if child::is_child() {
        return;
    }
    let dir = scratch("half-created");
    let path = dir.join("book.crm");
    let mut proc = child::command("sqlite::half_created_child", "half-created", &path)
        .spawn()
        .unwrap();
    let mut acks = child::acks(proc.stdout.take().unwrap());
    assert_eq!(acks.next(), Some(vec![1]));
    child::kill(&mut proc);
    // The kill left the WAL with the uncommitted transaction's pages.
    assert!(std::fs::metadata(dir.join("book.crm-wal")).unwrap().len() > 1_000_000);
    let no_create = StoreOptions {
        create: false,
        ..StoreOptions::default()
    };
    let e = crm_store::open(&path, &no_create).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(
        e.to_string().contains("book.crm") && e.to_string().contains("holds no data"),
        "{e}"
    );
    let mut book = crm_store::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
    assert_eq!((book.len(), book.cursor()), (0, 0));
    assert_eq!(book.schema_version().unwrap(), 5);
    book.add_customer(Customer::person(7, "Ali", "Kaya"))
        .unwrap();
    book.close().unwrap();
    let book = crm_store::open(&path, &no_create).unwrap();
    assert_eq!((book.len(), book.cursor()), (1, 1));
    drop(book);
    let conn = Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // The half-written tables are gone with their transaction: no `filler`.
    let filler: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'filler'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(filler, 0);
    drop(conn);

    let empty = dir.join("empty.crm");
    std::fs::write(&empty, b"").unwrap();
    let e = crm_store::open(&empty, &no_create).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    let book = crm_store::open(&empty, &StoreOptions::with_currency("TRY")).unwrap();
    assert_eq!(book.schema_version().unwrap(), 5);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Waits (polling) until `go` exists, so that children started one after the other act at
/// the same moment.
fn wait_for(go: &Path) {
    while !go.exists() {
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// The child side of the creation tests: says it is ready, waits for the `go` file next to
/// the store, then opens (creating) the store and adds the customer numbered by its role's
/// `CRM_STORE_CREATOR` (`ack 1` when both went through, `ack 2` for a busy error, `ack 3`
/// otherwise, each followed by `ok` or the error on its own line).
#[test]
fn creator_child() {
    let Some(path) = child::role("create").map(PathBuf::from) else {
        return;
    };
    let id: u64 = std::env::var("CRM_STORE_CREATOR").unwrap().parse().unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    wait_for(&path.with_extension("go"));
    let result = crm_store::open(&path, &StoreOptions::with_currency("TRY"))
        .and_then(|mut book| book.add_customer(Customer::person(id, "Ali", "Kaya")));
    match result {
        Ok(_) => writeln!(out, "ack 1\nok").unwrap(),
        Err(e) => {
            let busy = e.kind() == ErrorKind::Io && e.to_string().contains("busy timeout");
            writeln!(out, "ack {}", if busy { 2 } else { 3 }).unwrap();
            writeln!(out, "error: {e}").unwrap();
        }
    }
    out.flush().unwrap();
    std::thread::sleep(Duration::from_secs(60));
}

/// The store at `path` opens without `create`, at the latest schema, marked as a crm store,
/// and passes `integrity_check`; returns its customers' ids.
fn check_created(path: &Path) -> Vec<u64> {
    let no_create = StoreOptions {
        create: false,
        ..StoreOptions::default()
    };
    let book = crm_store::open(path, &no_create).unwrap();
    assert_eq!(book.schema_version().unwrap(), 5);
    let mut ids: Vec<u64> = book.customers().map(|c| c.id).collect();
    ids.sort_unstable();
    drop(book);
    let conn = Connection::open(path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, 0x4352_4d31);
    ids
}

/// Starts a `creator_child` that will create the store at `path` and add customer `id`,
/// and waits until it says it is ready (its start-up is the slow part, so children started
/// one after the other then act at once when the `go` file appears); returns it with the
/// rest of its output lines.
fn start_creator(
    path: &Path,
    id: u64,
    round: usize,
) -> (std::process::Child, impl Iterator<Item = String>) {
    let mut c = child::command("sqlite::creator_child", "create", path);
    c.env("CRM_STORE_CREATOR", id.to_string());
    let mut p = c.spawn().unwrap();
    let out = p.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(out)).map_while(Result::ok);
    assert!(
        lines.by_ref().any(|l| l.ends_with("ready")),
        "round {round}: creator {id} never got ready"
    );
    (p, lines)
}

/// Two processes creating the same new store at the same moment: each either succeeds or
/// fails with a clear busy error (here both succeed: the loser of the creation race finds
/// the tables and opens the store the winner made), and the file opens afterwards at the
/// latest schema, passes `integrity_check` and holds the customer of every process that
/// succeeded (neither creation undid the other). Five rounds, each on a new file.
#[test]
fn two_processes_creating_one_store_both_succeed_or_one_is_busy() {
    if child::is_child() {
        return;
    }
    let dir = scratch("create-race");
    for round in 0..5 {
        let path = dir.join(format!("book-{round}.crm"));
        // Both children are started and ready (their start-up is the slow part) before
        // the `go` file lets them open at once.
        let mut procs: Vec<_> = (1..=2)
            .map(|id| {
                let (p, lines) = start_creator(&path, id, round);
                (id, p, lines)
            })
            .collect();
        std::fs::write(path.with_extension("go"), b"").unwrap();
        let mut succeeded = Vec::new();
        for (id, proc, lines) in &mut procs {
            let outcome: Vec<String> = lines.by_ref().take(2).collect();
            let ack = outcome.first().cloned().unwrap_or_default();
            match ack.trim_start_matches(|c| c != 'a').trim() {
                "ack 1" => succeeded.push(*id),
                "ack 2" => {
                    assert!(outcome[1].contains("book-"), "{outcome:?}");
                }
                _ => panic!("round {round}, creator {id}: {outcome:?}"),
            }
            child::kill(proc);
        }
        assert!(
            !succeeded.is_empty(),
            "round {round}: neither creator succeeded"
        );
        assert_eq!(check_created(&path), succeeded, "round {round}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// SIGKILL during a store's creation, at moments spread over the time a creation takes:
/// afterwards the file does not exist, or holds no data (no store without `create`, and
/// created afresh with it), or opens as a complete store, never a half-created one.
/// `--nocapture` shows how many rounds ended each way.
#[test]
fn a_kill_during_creation_leaves_no_store_or_a_whole_one() {
    if child::is_child() {
        return;
    }
    let dir = scratch("create-kill");
    let no_create = StoreOptions {
        create: false,
        ..StoreOptions::default()
    };
    // How long one creation takes here (the children's start-up excluded), to spread the
    // kill moments over it.
    let probe = dir.join("probe.crm");
    let started = Instant::now();
    drop(crm_store::open(&probe, &StoreOptions::with_currency("TRY")).unwrap());
    let window = started.elapsed().as_micros() as u64 * 2 + 1;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let (mut missing, mut no_data, mut whole) = (0, 0, 0);
    for round in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let path = dir.join(format!("book-{round}.crm"));
        let (mut proc, _lines) = start_creator(&path, 1, round);
        std::fs::write(path.with_extension("go"), b"").unwrap();
        std::thread::sleep(Duration::from_micros(seed % window));
        child::kill(&mut proc);
        if !path.exists() {
            missing += 1;
            continue;
        }
        match crm_store::open(&path, &no_create) {
            Ok(book) => {
                drop(book);
                check_created(&path);
                whole += 1;
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::NotFound, "round {round}: {e}");
                no_data += 1;
                drop(crm_store::open(&path, &StoreOptions::with_currency("TRY")).unwrap());
                assert_eq!(check_created(&path), Vec::<u64>::new(), "round {round}");
            }
        }
    }
    println!("kill during creation: {missing} no file, {no_data} no data, {whole} whole");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One batch of the crash writer: a new customer and its 40 events, one transaction.
fn crash_batch(book: &mut StoredBook, k: u64) -> Result<(), CrmError> {
    book.batch(|b| {
        b.add_customer(Customer::person(k, "Ali", "Kaya"));
        b.record_all((0..40).map(|m| interaction(k, m)));
        Ok(())
    })
}

/// The crash writer's merge: `k - 1` folded into `k`, committed (its log row), then its
/// derived rows written by a second transaction before `merge` returns.
fn crash_merge(book: &mut StoredBook, k: u64) -> Result<(), CrmError> {
    book.merge(k, &[k - 1], None, suite::t0() + Days::days(1))
        .map(drop)
}

/// The writer the crash test kills: batches of a new customer and its 40 events, and
/// after each even customer `k` the merge of `k - 1` into it; prints `ack seq k` for each
/// committed batch and `ack seq k k-1` for each committed merge.
#[test]
fn crash_writer_child() {
    let Some(path) = child::role("crash").map(PathBuf::from) else {
        return;
    };
    let mut book = crm_store::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
    // Above every id used so far (a merged-away id is below its survivor).
    let mut k = book.customers().map(|c| c.id).max().unwrap_or(0) + 1;
    let mut out = std::io::stdout().lock();
    // Opened: the parent times most kills from here (an open of a grown store on a loaded
    // machine can take longer than the whole kill window).
    writeln!(out, "ack 0").unwrap();
    out.flush().unwrap();
    loop {
        crash_batch(&mut book, k).unwrap();
        writeln!(out, "ack {} {k}", book.cursor()).unwrap();
        out.flush().unwrap();
        // After a restart, `k - 1` may be a survivor's neighbour left unmerged: only a
        // live odd customer is merged.
        if k % 2 == 0 && book.contains(k - 1) {
            crash_merge(&mut book, k).unwrap();
            writeln!(out, "ack {} {k} {}", book.cursor(), k - 1).unwrap();
            out.flush().unwrap();
        }
        k += 1;
    }
}

/// How many merges of the store still owe their second step (derived rows).
fn pending_merges(path: &Path) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name = 'merges'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
    .min(1)
        * conn
            .query_row(
                "SELECT count(*) FROM merges WHERE events_moved IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(0)
}

/// SIGKILL a writer at random moments; every acknowledged batch and merge is there, no
/// batch or merge is half there, the tables agree with the log (a merge whose second
/// step was cut off is completed at reopen), and `integrity_check` passes. The reopen
/// does not create: a file killed before its creation committed holds no data and opens
/// as no store (`NotFound`), with nothing acknowledged. `CRM_CRASH_ROUNDS` sets the rounds
/// (20 by default; 500 for the long run); `--nocapture` shows the counts.
#[test]
fn crashes_lose_no_acknowledged_write_and_no_batch_is_half_there() {
    if child::is_child() {
        return;
    }
    let rounds: u64 = std::env::var("CRM_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let dir = scratch("crash");
    let path = dir.join("book.crm");
    let reopen = StoreOptions {
        create: false,
        ..StoreOptions::default()
    };
    // xorshift: reproducible kill moments without a dependency.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let (mut batches, mut merges, mut cut_merges, mut no_store) = (0, 0, 0, 0);
    for round in 0..rounds {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut proc = child::command("sqlite::crash_writer_child", "crash", &path)
            .spawn()
            .unwrap();
        let mut lines = child::acks(proc.stdout.take().unwrap());
        // Round 0 and one round in eight kill at a moment counted from the start (inside
        // the creation or the open); the others from the moment the writer has opened.
        if round > 0 && !seed.is_multiple_of(8) {
            match lines.next() {
                Some(first) => assert_eq!(first, vec![0], "round {round}"),
                None => panic!("round {round}: the writer exited before opening"),
            }
        }
        let reader = std::thread::spawn(move || lines.collect::<Vec<_>>());
        std::thread::sleep(Duration::from_millis(20 + seed % 180));
        child::kill(&mut proc);
        let acks: Vec<_> = reader
            .join()
            .unwrap()
            .into_iter()
            .filter(|a| a[..] != [0])
            .collect();

        if std::fs::metadata(&path).is_ok() {
            let conn = Connection::open(&path).unwrap();
            let check: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(check, "ok", "round {round}");
        }
        let pending = if path.exists() {
            pending_merges(&path)
        } else {
            0
        };
        let book = match crm_store::open(&path, &reopen) {
            Ok(book) => book,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                assert!(acks.is_empty(), "round {round}: {e} after {acks:?}");
                no_store += 1;
                continue;
            }
            Err(e) => panic!("round {round}: reopen failed: {e}"),
        };
        for ack in &acks {
            assert!(
                book.cursor() >= ack[0],
                "round {round}: acknowledged seq {} lost",
                ack[0]
            );
            match ack[..] {
                [_, k] => {
                    batches += 1;
                    assert!(
                        book.resolve(k).is_some(),
                        "round {round}: acknowledged customer {k} lost"
                    );
                }
                [_, survivor, merged] => {
                    merges += 1;
                    assert_eq!(
                        book.resolve(merged),
                        Some(survivor),
                        "round {round}: acknowledged merge of {merged} lost"
                    );
                }
                _ => panic!("round {round}: ack {ack:?}"),
            }
        }
        if pending > 0 {
            cut_merges += 1;
            // The open completed the merge's second step.
            assert_eq!(pending_merges(&path), 0, "round {round}");
        }
        let mut merged_away = 0;
        for c in book.customers() {
            let folded: usize = book
                .merges()
                .iter()
                .filter(|m| m.survivor == c.id)
                .map(|m| m.merged.len())
                .sum();
            merged_away += folded;
            assert_eq!(
                book.events_of(c.id).unwrap().count(),
                40 * (1 + folded),
                "round {round}: batch {} is half there",
                c.id
            );
        }
        assert_eq!(
            book.cursor(),
            2 * (book.len() + merged_away) as u64 + book.merges().len() as u64,
            "round {round}: two changes per batch, one per merge"
        );
        // The book loaded from the tables is the book the log makes.
        assert_eq!(
            book.replay_log().unwrap().snapshot(),
            book.snapshot(),
            "round {round}: the tables and the log disagree"
        );
    }
    println!(
        "{rounds} rounds: {batches} batches and {merges} merges acknowledged, {cut_merges} \
         reopens completing a merge's second step, {no_store} with no store yet"
    );
    assert!(batches > 0, "the writer never got a batch in");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn disk_full_child() {
    let Some(path) = child::role("full").map(PathBuf::from) else {
        return;
    };
    let mut book = crm_store::open(&path, &StoreOptions::default()).unwrap();
    let size = std::fs::metadata(&path).unwrap().len()
        + std::fs::metadata(path.with_extension("crm-wal")).map_or(0, |m| m.len());
    // SAFETY: plain libc calls with valid arguments; SIGXFSZ ignored so that exceeding the
    // limit is an EFBIG write error instead of the signal's default (kill the process).
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let limit = libc::rlimit {
            rlim_cur: size + 256 * 1024,
            rlim_max: libc::RLIM_INFINITY,
        };
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
    let mut k = book.len() as u64 + 1;
    let mut out = std::io::stdout().lock();
    loop {
        let before = book.snapshot();
        let cursor = book.cursor();
        match crash_batch(&mut book, k) {
            Ok(()) => writeln!(out, "ack {} {k}", book.cursor()).unwrap(),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Io, "{e}");
                assert!(book.snapshot() == before, "the failed batch changed memory");
                assert_eq!(book.cursor(), cursor);
                writeln!(out, "failed {cursor} {k} {e}").unwrap();
                break;
            }
        }
        k += 1;
    }
    out.flush().unwrap();
}

/// A file-size limit (`RLIMIT_FSIZE`, as a full disk) fails the write clearly, changes
/// nothing in memory, and the store reopens with every acknowledged batch and without the
/// failed one.
#[test]
fn a_full_disk_fails_the_call_and_writes_nothing() {
    if child::is_child() {
        return;
    }
    let dir = scratch("full");
    let (path, mut book) = new_store(&dir);
    book.add_customer(Customer::person(1_000_000, "Ali", "Kaya"))
        .unwrap();
    drop(book);
    let output = child::command("sqlite::disk_full_child", "full", &path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let acks = text.lines().filter(|l| l.contains("ack ")).count();
    let failed = text
        .lines()
        .find_map(|l| l.find("failed ").map(|i| &l[i + 7..]))
        .unwrap_or_else(|| panic!("the child did not fail: {text}"));
    assert!(output.status.success(), "{text}");
    assert!(acks > 0, "{text}");
    let mut it = failed.split(' ');
    let cursor: u64 = it.next().unwrap().parse().unwrap();
    let k: u64 = it.next().unwrap().parse().unwrap();
    let book = crm_store::open(&path, &StoreOptions::default()).unwrap();
    assert_eq!(book.cursor(), cursor);
    assert!(!book.contains(k));
    assert_eq!(book.len(), acks + 1);
    let conn = Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn read_only_child() {
    let Some(path) = child::role("read-only").map(PathBuf::from) else {
        return;
    };
    // SAFETY: plain libc calls; as root, permission bits do not bind, so the child becomes
    // `nobody` to meet a file it may read but not write.
    unsafe {
        if libc::geteuid() == 0 {
            assert_eq!(libc::setgid(65534), 0);
            assert_eq!(libc::setuid(65534), 0);
        }
    }
    let mut out = std::io::stdout().lock();
    match crm_store::open(&path, &StoreOptions::default()) {
        Err(e) => writeln!(out, "open-failed {:?} {e}", e.kind()).unwrap(),
        Ok(mut book) => {
            let before = book.snapshot();
            let e = book
                .add_customer(Customer::person(2, "Can", "Er"))
                .unwrap_err();
            assert!(book.snapshot() == before, "the failed write changed memory");
            writeln!(out, "write-failed {:?} {e}", e.kind()).unwrap();
        }
    }
    out.flush().unwrap();
}

/// A read-only store file: opening or the first write fails with a clear `Io` error naming
/// the file, memory is unchanged, and the file is untouched.
#[test]
fn a_read_only_file_fails_clearly_and_is_untouched() {
    if child::is_child() {
        return;
    }
    let dir = scratch("read-only");
    let (path, mut book) = new_store(&dir);
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    book.close().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = child::command("sqlite::read_only_child", "read-only", &path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    let line = text
        .lines()
        .find_map(|l| l.find("-failed ").map(|i| &l[i - 5..]))
        .unwrap_or_else(|| panic!("no result: {text}"));
    assert!(line.contains("failed Io "), "{line}");
    assert!(line.contains("book.crm"), "{line}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let book = crm_store::open(&path, &StoreOptions::default()).unwrap();
    assert_eq!(book.len(), 1);
    drop(book);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Sets this process's file-size limit (`RLIMIT_FSIZE`) to `bytes` (`None`: no limit),
/// with SIGXFSZ ignored so that a write past it fails with EFBIG instead of killing us.
fn limit_file_size(bytes: Option<u64>) {
    // SAFETY: plain libc calls with valid arguments.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let limit = libc::rlimit {
            rlim_cur: bytes.unwrap_or(libc::RLIM_INFINITY),
            rlim_max: libc::RLIM_INFINITY,
        };
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
}

#[test]
fn dedupe_full_child() {
    let Some(path) = child::role("dedupe-full").map(PathBuf::from) else {
        return;
    };
    let mut book = crm_store::open(&path, &StoreOptions::default()).unwrap();
    let config = crm_core::quality::DedupConfig::default();
    let rules = crm_core::quality::GoldenRules::default();
    let at = suite::t0() + Days::days(30);
    // An analysis kept in memory only: rebuilding the book from the store would lose it.
    let analysis = book
        .analyse(at, &crm_core::book::SegmentationConfig::default())
        .unwrap();
    let before = book.snapshot();
    let cursor = book.cursor();
    let resolved: Vec<_> = (1..=6).map(|id| book.resolve(id)).collect();
    let mut out = std::io::stdout().lock();
    // The store was closed (its log checkpointed away): the first page the commit writes
    // to the log goes past 1 KiB.
    limit_file_size(Some(1024));
    let e = book.dedupe(&config, &rules, at, true).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.to_string().contains("book.crm"), "{e}");
    assert!(
        book.snapshot() == before,
        "the failed dedupe changed memory"
    );
    assert_eq!(book.cursor(), cursor);
    assert_eq!(
        (1..=6).map(|id| book.resolve(id)).collect::<Vec<_>>(),
        resolved
    );
    assert!(book.merges().is_empty());
    assert!(
        book.segmentation()
            .is_some_and(|s| std::ptr::eq(s, &*analysis)),
        "the book was rebuilt"
    );
    // The store is as it was, for another connection too.
    let other = crm_store::open(&path, &StoreOptions::default()).unwrap();
    assert!(other.snapshot() == before && other.cursor() == cursor);
    drop(other);
    writeln!(out, "failed {e}").unwrap();
    // Memory was left whole: the same call succeeds once the disk has room again.
    limit_file_size(None);
    let outcome = book.dedupe(&config, &rules, at, true).unwrap();
    writeln!(out, "merged {}", serde_json::to_string(&outcome).unwrap()).unwrap();
    out.flush().unwrap();
}

/// A dedupe whose commit fails (a file-size limit, as a full disk) leaves memory and the
/// store exactly as they were, without a rebuild; retried with room, it commits the merges
/// the same dedupe makes in memory, and the store reopens as that book.
#[test]
fn a_failed_dedupe_commit_leaves_memory_and_store_as_before() {
    if child::is_child() {
        return;
    }
    let dir = scratch("dedupe-full");
    let (path, mut book) = new_store(&dir);
    suite::duplicates(&mut book);
    let mut expected = book.book().clone();
    let outcome = expected
        .dedupe(
            &crm_core::quality::DedupConfig::default(),
            &crm_core::quality::GoldenRules::default(),
            suite::t0() + Days::days(30),
            true,
        )
        .unwrap();
    book.close().unwrap();
    let output = child::command("sqlite::dedupe_full_child", "dedupe-full", &path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("failed could not "), "{text}");
    let merged = text
        .lines()
        .find_map(|l| l.find("merged ").map(|i| &l[i + 7..]))
        .unwrap_or_else(|| panic!("the retry did not merge: {text}"));
    assert_eq!(merged, serde_json::to_string(&outcome).unwrap());
    let back = crm_store::open(&path, &StoreOptions::default()).unwrap();
    assert_eq!(back.snapshot(), expected.snapshot());
    assert_eq!(back.merges().len(), 2);
    drop(back);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The `customers` table holds the golden record after merges (what SQL readers see and
/// what the book is loaded from); a merge whose second step did not happen makes the next
/// open replay the log, which then writes it.
#[test]
fn the_customers_table_holds_the_golden_record_after_merges() {
    let dir = scratch("golden");
    let (path, mut book) = new_store(&dir);
    let mut early = Customer::person(1, "Ali", "Kaya");
    early.acquired_at = Some(suite::t0() - Days::days(10));
    let mut referred = Customer::person(3, "Can", "Er");
    referred.referred_by = Some(1);
    book.add_customers([early, Customer::person(2, "Ali", "Kaya"), referred])
        .unwrap();
    book.record(interaction(2, 5)).unwrap();
    book.merge(2, &[1], None, suite::t0() + Days::days(1))
        .unwrap();
    let expected = book.snapshot();
    drop(book);
    let rows = |path: &Path| -> Vec<(i64, Option<i64>, serde_json::Value)> {
        let conn = Connection::open(path).unwrap();
        let mut st = conn
            .prepare("SELECT id, merged_into, profile FROM customers ORDER BY id")
            .unwrap();
        st.query_map([], |r| {
            let text: String = r.get(2)?;
            Ok((r.get(0)?, r.get(1)?, serde_json::from_str(&text).unwrap()))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let r = rows(&path);
    assert_eq!((r[0].0, r[0].1), (1, Some(2)), "merged-away row marked");
    assert_eq!(r[1].1, None);
    assert_eq!(r[1].2["acquired_at"], "2024-12-22T09:00:00Z", "derived");
    assert_eq!(r[2].2["referred_by"], 2, "re-pointed");
    let opened = crm_store::open(&path, &StoreOptions::default()).unwrap();
    assert!(opened.store().load_book().unwrap().is_some());
    assert_eq!(opened.snapshot(), expected);
    drop(opened);

    // As if the second step had failed: the open replays the log, then writes it.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE merges SET events_moved = NULL; \
         UPDATE customers SET profile = json_remove(profile, '$.acquired_at') WHERE id = 2;",
    )
    .unwrap();
    drop(conn);
    let opened = crm_store::open(&path, &StoreOptions::default()).unwrap();
    assert_eq!(opened.snapshot(), expected);
    assert!(!opened.store().has_pending().unwrap());
    assert_eq!(rows(&path)[1].2["acquired_at"], "2024-12-22T09:00:00Z");
    drop(opened);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A campaign event (kind 16) goes into the store and comes back equal after reopening.
#[test]
fn campaign_events_survive_a_reopen() {
    use crm_core::model::{CampaignEvent, CampaignStep};
    let dir = scratch("campaign");
    let (path, mut book) = new_store(&dir);
    book.add_customer(Customer::person(1, "Ayşe", "Yılmaz"))
        .unwrap();
    let sent = Event::new(
        1,
        suite::t0(),
        CampaignEvent {
            campaign_id: "bahar-25".into(),
            step: CampaignStep::Sent,
            channel: Some(Channel::Sms),
            cost: 35,
        },
    );
    book.record(sent.clone()).unwrap();
    drop(book);
    let kind: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT kind FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, 16);
    let reopened = crm_store::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
    assert_eq!(reopened.book().events().collect::<Vec<_>>(), vec![sent]);
    drop(reopened);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A merged record's e-mail opt-out is kept by the survivor, in the store too.
#[test]
fn a_merged_records_opt_out_survives_a_reopen() {
    use crm_core::model::Consent;
    let dir = scratch("consent");
    let (path, book) = new_store(&dir);
    let mut book = crm_store::Book::Stored(book);
    let at = suite::t0();
    let consent = |granted, minutes| Consent {
        channel: Channel::Email,
        granted,
        at: at + Days::minutes(minutes),
    };
    book.add_customer(Customer::person(1, "Ayşe", "Yılmaz"))
        .unwrap();
    book.add_customer(Customer::person(2, "Ayse", "Yilmaz"))
        .unwrap();
    assert!(book.record_consent(1, consent(true, 0)).unwrap());
    assert!(book.record_consent(2, consent(false, 5)).unwrap());
    assert!(!book.record_consent(2, consent(false, 5)).unwrap());
    book.merge(1, &[2], None, at + Days::minutes(10)).unwrap();
    let later = at + Days::minutes(20);
    assert_eq!(
        book.consent_at(1, Channel::Email, later).unwrap(),
        Some(false)
    );
    let crm_store::Book::Stored(stored) = book else {
        unreachable!()
    };
    stored.close().unwrap();
    let reopened = crm_store::open(&path, &StoreOptions::with_currency("TRY")).unwrap();
    assert_eq!(
        reopened.consent_at(1, Channel::Email, later).unwrap(),
        Some(false)
    );
    assert_eq!(
        reopened.consent_at(2, Channel::Email, later).unwrap(),
        Some(false)
    );
    assert_eq!(
        reopened
            .consent_at(1, Channel::Email, at + Days::minutes(1))
            .unwrap(),
        Some(true)
    );
    drop(reopened);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Activity events are stored as kinds 17, 18 and 19.
#[test]
fn activity_events_have_their_kind_codes() {
    use crm_core::model::{ActivityCancelled, ActivityDone, ActivityScheduled, ActivityType};
    let dir = scratch("activity-kinds");
    let (path, mut book) = new_store(&dir);
    book.add_customer(Customer::person(1, "Ayşe", "Yılmaz"))
        .unwrap();
    let scheduled = |id: &str| ActivityScheduled {
        activity_id: id.into(),
        activity: ActivityType::Task,
        owner: "ekip".into(),
        due: suite::t0(),
        note: None,
    };
    book.record_all([
        Event::new(1, suite::t0(), scheduled("a")),
        Event::new(1, suite::t0(), scheduled("b")),
        Event::new(
            1,
            suite::t0(),
            ActivityDone {
                activity_id: "a".into(),
                outcome: None,
            },
        ),
        Event::new(
            1,
            suite::t0(),
            ActivityCancelled {
                activity_id: "b".into(),
                reason: None,
            },
        ),
    ])
    .unwrap();
    drop(book);
    let conn = Connection::open(&path).unwrap();
    let mut stmt = conn
        .prepare("SELECT kind FROM events ORDER BY rowid")
        .unwrap();
    let kinds: Vec<i64> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|k| k.unwrap())
        .collect();
    assert_eq!(kinds, [17, 17, 18, 19]);
    drop(stmt);
    drop(conn);
    std::fs::remove_dir_all(&dir).unwrap();
}
