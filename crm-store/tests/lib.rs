//! crm-store's integration tests, one binary: the behaviour suite written once over a
//! [`Backend`] (SQLite now; the PostgreSQL backend reuses it), then what only a file store
//! has (damaged files, a full disk, crashes).

mod sqlite;
mod suite;
