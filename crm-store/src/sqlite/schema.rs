//! The SQLite schema, versioned with `PRAGMA user_version`: migration `i` brings a store of
//! version `i` to version `i + 1`, all pending ones inside one transaction.

/// Marks a file as a crm store (`PRAGMA application_id`, "CRM1"), so that another program's
/// SQLite database is refused rather than taken for an empty store.
pub(crate) const APPLICATION_ID: i32 = 0x4352_4d31;

/// Version 1: the change log and the tables it feeds.
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

/// The migrations, oldest first: `MIGRATIONS[i]` takes version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1];

/// The version this build writes.
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;
