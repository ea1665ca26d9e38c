//! crm-store's integration tests, one binary: the behaviour suite written once over a
//! `Backend` (SQLite now; the PostgreSQL backend reuses it), then what only a file store
//! has (damaged files, a full disk, a read-only file, crashes).

#[path = "store/sqlite.rs"]
mod sqlite;
#[path = "store/suite.rs"]
mod suite;
