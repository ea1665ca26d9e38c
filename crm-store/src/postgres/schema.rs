//! The PostgreSQL schema, versioned in the table `crm.schema_version` (one row per applied
//! migration): migration `i` brings a store of version `i` to version `i + 1`, all pending
//! ones inside one transaction, under the store's write lock.
//!
//! Every table lives in the PostgreSQL schema `crm` of the database the connection string
//! names, so a store shares a database with the company's own tables without a clash of
//! names (`customers`, `events`…). The tables are the SQLite store's, column for column:
//! `at` and the JSON bodies are text (the same RFC 3339 and JSON forms, parsed by the same
//! code), ids are `bigint` (`u64` ids above `i64::MAX` appear negative, as in SQLite).

/// The PostgreSQL schema (namespace) that holds a store's tables.
pub(crate) const NAMESPACE: &str = "crm";

/// Version 1: the change log and the tables it feeds (see the SQLite schema for what each
/// holds). `changes.seq` is assigned by the writer as `max(seq) + 1` under the store's
/// advisory lock, never by a sequence: a sequence hands out numbers at insert time, so a
/// transaction committing later could get a smaller number than one already visible, and a
/// reader following the log with a cursor would skip it.
pub(crate) const V1: &str = "
CREATE TABLE crm.schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
CREATE TABLE crm.store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE crm.changes (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT,
    first_event BIGINT,
    event_count BIGINT
);
CREATE TABLE crm.customers (id BIGINT PRIMARY KEY, profile TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE crm.events (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX events_by_customer ON crm.events (customer_id, seq);
CREATE TABLE crm.incidents (id BIGINT PRIMARY KEY, body TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE crm.merges (
    seq BIGINT PRIMARY KEY,
    survivor BIGINT NOT NULL,
    merged TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE crm.redirects (merged_id BIGINT PRIMARY KEY, survivor BIGINT NOT NULL);
CREATE TABLE crm.policies (name TEXT PRIMARY KEY, body TEXT, seq BIGINT NOT NULL);
";

/// Version 2 (2026-12-03, the SQLite store's version 4) changes no table: an event's JSON
/// may carry a `location` and new kinds may appear, which an older build would fail on
/// midway through loading; the version row makes it refuse the store up front.
const V2: &str = "SELECT 1;";

/// The migrations, oldest first: `MIGRATIONS[i]` takes version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2];

/// The version this build writes.
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;

/// The key of the transaction-level advisory lock every writer takes ("CRM1"); advisory
/// locks are per database, so stores in different databases do not wait for each other.
pub(crate) const WRITE_LOCK: i64 = 0x4352_4d31;
