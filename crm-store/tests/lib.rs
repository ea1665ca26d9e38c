//! crm-store's integration tests, one binary: the behaviour suite written once over a
//! `Backend` and run against SQLite and PostgreSQL, then what only a file store
//! has (damaged files, a full disk, a read-only file, crashes).

#[path = "store/child.rs"]
mod child;
#[path = "store/postgres.rs"]
mod postgres;
#[path = "store/sqlite.rs"]
mod sqlite;
#[path = "store/suite.rs"]
mod suite;
