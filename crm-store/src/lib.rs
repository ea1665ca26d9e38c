//! Durability for crm: where the book meets the disk. `crm-core` is pure (no I/O);
//! everything that touches files lives here, so the C and Python skins store, load and
//! save through one implementation.
//!
//! - [`open`]: a [`StoredBook`] kept in a store (SQLite: a path; PostgreSQL: a connection
//!   string, see [`PostgresStore`]; both behind the same [`Store`] trait): an append-only change log committed in the same
//!   transaction as the tables the 360° view and the analytics read, the book rebuilt from
//!   it at open, [`StoredBook::refresh`] and [`StoredBook::changes`] for readers and other
//!   systems.
//! - [`file`](mod@file): a book's JSON snapshot saved to a path atomically (temporary file,
//!   fsync, rename, fsync of the folder) and loaded back: the export format.
//!
//! ```
//! use crm_core::model::Customer;
//! use crm_store::StoreOptions;
//!
//! let dir = std::env::temp_dir().join(format!("crm-store-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("book.crm");
//! let mut book = crm_store::open(&path, &StoreOptions::with_currency("TRY"))?;
//! book.add_customer(Customer::person(1, "Elif", "Şahin"))?; // committed when it returns
//! book.close()?;
//!
//! let reopened = crm_store::open(&path, &StoreOptions::default())?;
//! assert_eq!(reopened.customer(1).unwrap().given_name.as_deref(), Some("Elif"));
//! let (changes, next) = reopened.changes(0, 10)?;
//! assert_eq!((changes.len(), next), (1, 1));
//! # drop(reopened);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), crm_core::CrmError>(())
//! ```

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod backend;
mod book;
pub mod file;
mod options;
pub mod postgres;
pub mod sqlite;
mod stored;

pub use crate::postgres::PostgresStore;
pub use backend::{ChangeRecord, ChangeSink, Store, StoreTxn};
pub use book::Book;
pub use file::{load_book, save_book};
pub use options::{StoreOptions, Synchronous};
pub use sqlite::SqliteStore;
pub use stored::{Batch, StoredBook};

use crm_core::CrmError;

/// The schema version this build writes (older stores are migrated to it at open).
pub const SCHEMA_VERSION: u32 = sqlite::SCHEMA_VERSION;

/// Opens the book stored at `location`: a file path for SQLite (created when missing and
/// [`StoreOptions::create`] is on), or a PostgreSQL connection string
/// ([`postgres::is_postgres_location`]: a
/// `postgresql://` or `postgres://` URL, or libpq's `host=… dbname=…` form), whose store
/// lives in the schema `crm` of an existing database ([`PostgresStore::open`]).
///
/// # Errors
/// As [`SqliteStore::open`] or [`PostgresStore::open`], and [`StoredBook::from_store`]. No
/// book is returned from a store that does not load whole.
pub fn open(
    location: impl AsRef<std::path::Path>,
    options: &StoreOptions,
) -> Result<StoredBook, CrmError> {
    let location = location.as_ref();
    let text = location.to_string_lossy();
    if crate::postgres::is_postgres_location(&text) {
        let store = PostgresStore::open(&text, options)?;
        return StoredBook::from_store(Box::new(store));
    }
    let store = SqliteStore::open(location, options)?;
    StoredBook::from_store(Box::new(store))
}
