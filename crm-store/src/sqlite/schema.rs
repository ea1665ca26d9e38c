//! The SQLite schema, versioned with `PRAGMA user_version`. A new store is created at the
//! latest version directly ([`V5_CREATE`]); migration `i` brings a store of
//! version `i` to version `i + 1`, all pending ones inside one transaction.

/// Marks a file as a crm store (`PRAGMA application_id`, "CRM1"), so that another program's
/// SQLite database is refused rather than taken for an empty store.
pub(crate) const APPLICATION_ID: i32 = 0x4352_4d31;

/// Version 1: the change log and the tables it feeds. No longer written by this build
/// (new stores get [`V5_CREATE`]); kept for the test that migrates a version-1 store and
/// compares the result with a new one.
///
/// - `changes`: the append-only log, `seq` in commit order. `body` is the change's JSON
///   ([`crm_core::book::Change`]), except for recorded events, whose rows are in `events`
///   (`first_event`, `event_count`) so that they are not stored twice.
/// - `customers`: each live customer's last stored profile (JSON), `seq` of the change
///   that wrote it; merged customers are removed. Adjustments a merge derives in the book
///   (the survivor's `acquired_at`, re-pointed `referred_by`) are the book's, not stored.
/// - `events`: every event as recorded (`customer_id` is the id it was recorded under:
///   resolve it through `redirects` to follow merges), `body` the event's JSON.
/// - `incidents`, `merges`, `redirects` (merged id → final survivor), `policies`
///   (`lifecycle`, `sla`), `store_meta` (`book_config`).
///
/// Ids are stored as SQLite integers (`u64` ids above `i64::MAX` appear negative).
#[cfg(test)]
pub(crate) const V1: &str = "
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT,
    first_event INTEGER,
    event_count INTEGER
);
CREATE TABLE customers (id INTEGER PRIMARY KEY, profile TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX events_by_customer ON events (customer_id, seq);
CREATE TABLE incidents (id INTEGER PRIMARY KEY, body TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE merges (
    seq INTEGER PRIMARY KEY,
    survivor INTEGER NOT NULL,
    merged TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE redirects (merged_id INTEGER PRIMARY KEY, survivor INTEGER NOT NULL);
CREATE TABLE policies (name TEXT PRIMARY KEY, body TEXT, seq INTEGER NOT NULL);
";

/// Version 2: the same log, in a compact form, and tables that hold the book as it is.
///
/// - `events`: `at` is an integer, nanoseconds since the Unix epoch (UTC; an instant outside
///   1677–2262, which nanoseconds cannot hold, is stored as RFC 3339 text instead), `type`
///   the event's type tag and `body` the JSON of the kind's own fields
///   (`{"amount": 12900, "currency": "TRY"}`): `customer_id` (as recorded), `at` and `type`
///   are columns, not repeated in the body.
/// - `customers`: every customer ever added. `pos` orders them as the book added them
///   (`seq << 32 | place in the change`); `merged_into` is null for a live customer and the
///   final survivor for a merged-away one (whose `profile` is its last one before the
///   merge); a live customer's `profile` is the golden record as the book holds it after
///   merges (derived `acquired_at`, `referred_by` re-pointed to survivors). The `redirects`
///   table of version 1 is gone (`merged_into` says it).
/// - `merges`: `at` is the merge's own time (version 1 stored the commit time) and
///   `events_moved` what the book reported; a row whose `events_moved` is null was logged
///   but its derived profiles are not yet written (the second step of a merge, see
///   [`crate::sqlite`]): while any is, the book is rebuilt from the log at open.
///
/// The rest of the migration is [`migrate_1_to_2`] (it converts rows, so it is code).
pub(crate) const V2: &str = "
CREATE TABLE customers2 (
    id INTEGER PRIMARY KEY,
    pos INTEGER NOT NULL,
    merged_into INTEGER,
    profile TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE events2 (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE merges2 (
    seq INTEGER NOT NULL,
    pos INTEGER NOT NULL DEFAULT 0,
    survivor INTEGER NOT NULL,
    merged TEXT NOT NULL,
    at TEXT NOT NULL,
    events_moved INTEGER,
    PRIMARY KEY (seq, pos)
);
";

/// What follows the conversion of rows: the old tables dropped, the new ones renamed, the
/// indexes.
pub(crate) const V2_FINISH: &str = "
DROP TABLE customers;
DROP TABLE events;
DROP TABLE merges;
DROP TABLE redirects;
ALTER TABLE customers2 RENAME TO customers;
ALTER TABLE events2 RENAME TO events;
ALTER TABLE merges2 RENAME TO merges;
CREATE INDEX events_by_customer ON events (customer_id, seq);
CREATE INDEX customers_merged ON customers (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX merges_pending ON merges (seq) WHERE events_moved IS NULL;
";

/// Version 3 (2026-12-03): event rows of four columns and no index besides their key.
///
/// - `events`: `id`, `customer_id` (as recorded), `at` (as in version 2), `kind` (the
///   kind's fixed number, [`super::rows`], instead of its type text) and `body` (the JSON
///   of the kind's own fields, as in version 2). The `seq` column is gone: a change's rows
///   are the ids `first_event .. first_event + event_count` its log row names. The
///   `events_by_customer` index is gone: no query reads events by customer (the book
///   indexes them in memory at open), and keeping it sorted was a large share of an
///   ingest's b-tree work.
///
/// The migration from version 2 is [`super::migrate::migrate_2_to_3`] (the type text
/// becomes a number in code, so an unknown type is refused by name).
pub(crate) const V3: &str = "
CREATE TABLE events3 (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    body TEXT NOT NULL
);
";

/// What follows the copy of the event rows (the old table's index goes with it).
pub(crate) const V3_FINISH: &str = "
DROP TABLE events;
ALTER TABLE events3 RENAME TO events;
";

/// Version 5 (2026-12-03): event bodies in a binary encoding for the hot kinds.
///
/// - `events`: the columns of version 3, `body` declared `BLOB`: a blob in the binary
///   encoding of [`super::codec`] (purchases, refunds, interactions, campaign steps and
///   the complaint kinds) or, for the other kinds, the JSON text of the kind's fields as
///   before; the body's first byte says which (`0x01` or `{`).
///
/// The migration from version 4 is [`super::migrate::migrate_4_to_5`] (every row is
/// rewritten through the codec, so it is code).
pub(crate) const V5: &str = "
CREATE TABLE events5 (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    body BLOB NOT NULL
);
";

/// What follows the copy of the event rows into [`V5`]'s table.
pub(crate) const V5_FINISH: &str = "
DROP TABLE events;
ALTER TABLE events5 RENAME TO events;
";

/// A new store: the version-5 schema created directly (the tables and indexes a migrated
/// version-1 store ends with, under the same names and with the same columns; a test
/// compares the two), in the one transaction that also writes the book settings,
/// `application_id` and `user_version`. Until that commit the file holds no table, which
/// is how an interrupted creation is recognised ([`crate::sqlite`]).
pub(crate) const V5_CREATE: &str = "
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT,
    first_event INTEGER,
    event_count INTEGER
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    pos INTEGER NOT NULL,
    merged_into INTEGER,
    profile TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE incidents (id INTEGER PRIMARY KEY, body TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE merges (
    seq INTEGER NOT NULL,
    pos INTEGER NOT NULL DEFAULT 0,
    survivor INTEGER NOT NULL,
    merged TEXT NOT NULL,
    at TEXT NOT NULL,
    events_moved INTEGER,
    PRIMARY KEY (seq, pos)
);
CREATE TABLE policies (name TEXT PRIMARY KEY, body TEXT, seq INTEGER NOT NULL);
CREATE INDEX customers_merged ON customers (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX merges_pending ON merges (seq) WHERE events_moved IS NULL;
";

/// The version this build writes: 5 ([`V5`]). Version 4 (2026-12-03) changed no table: an
/// event's `body` may carry a `location` key and new kind numbers may appear, which a
/// version-3 build would fail on midway through loading; the bump made it refuse the store
/// up front (`UnsupportedVersion`). Migrating 3 → 4 only set `user_version`.
pub(crate) const LATEST: u32 = 5;

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, TransactionBehavior};

    /// Every table's columns (name, type, not null, default, key position) and every
    /// index (table, columns, partial condition), in name order.
    fn shape(conn: &Connection) -> Vec<String> {
        let mut out = Vec::new();
        let objects: Vec<(String, String, String, Option<String>)> = conn
            .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (kind, name, table, sql) in objects {
            if kind == "table" {
                let mut st = conn
                    .prepare(&format!("PRAGMA table_xinfo({name})"))
                    .unwrap();
                let cols = st
                    .query_map([], |r| {
                        Ok(format!(
                            "{}:{}:{}:{:?}:{}",
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, i64>(5)?
                        ))
                    })
                    .unwrap()
                    .map(Result::unwrap)
                    .collect::<Vec<_>>();
                out.push(format!("table {name} {}", cols.join(" ")));
            } else {
                // An index's SQL is kept as written (it was created under its final
                // table's name in both paths); automatic ones (primary keys) have none.
                out.push(format!("{kind} {name} on {table}: {sql:?}"));
            }
        }
        out
    }

    #[test]
    fn a_new_store_has_the_schema_a_migrated_one_ends_with() {
        let fresh = Connection::open_in_memory().unwrap();
        fresh.execute_batch(super::V5_CREATE).unwrap();
        let mut migrated = Connection::open_in_memory().unwrap();
        migrated.execute_batch(super::V1).unwrap();
        let tx = migrated
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        super::super::migrate::migrate_1_to_2(&tx).unwrap();
        super::super::migrate::migrate_2_to_3(&tx).unwrap();
        super::super::migrate::migrate_4_to_5(&tx).unwrap();
        tx.commit().unwrap();
        let want = shape(&migrated);
        assert_eq!(shape(&fresh), want);
        // The comparison sees the whole schema: seven tables and their indexes.
        assert_eq!(want.iter().filter(|l| l.starts_with("table ")).count(), 7);
        assert!(
            want.iter()
                .any(|l| l.contains("merges_pending") && l.contains("events_moved IS NULL")),
            "{want:#?}"
        );
        assert!(
            want.iter()
                .any(|l| l.starts_with("table customers id:INTEGER:0:None:1 pos:INTEGER:1")),
            "{want:#?}"
        );
        assert!(
            want.iter().any(|l| l
                == "table events id:INTEGER:0:None:1 customer_id:INTEGER:1:None:0 \
                    at:INTEGER:1:None:0 kind:INTEGER:1:None:0 body:BLOB:1:None:0"),
            "{want:#?}"
        );
        assert!(
            !want.iter().any(|l| l.contains("events_by_customer")),
            "{want:#?}"
        );
    }
}
