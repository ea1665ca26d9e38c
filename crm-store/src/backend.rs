//! The store trait every backend implements (SQLite now; PostgreSQL plugs in behind the
//! same trait), and the change records they return.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use crm_core::CrmError;
use crm_core::book::{BookConfig, Change, CustomerBook};
use serde::{Deserialize, Serialize};

/// One committed change of the log. JSON: `{"seq": 12, "at": "2025-03-01T14:30:00Z",
/// "change": {"type": "customer_added", ...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// Its place in the log: 1, 2, 3… in commit order, never reused.
    pub seq: u64,
    /// When it was committed (the store's clock, UTC).
    pub at: DateTime<Utc>,
    /// What changed.
    pub change: Change,
}

/// Receives change records in commit order; an error stops the walk and is returned.
pub type ChangeSink<'a> = dyn FnMut(ChangeRecord) -> Result<(), CrmError> + 'a;

/// A durable home for one customer book: an append-only, sequence-numbered change log and
/// the tables it feeds, written in one transaction per append.
///
/// A backend only stores and returns changes; validating them against the book and keeping
/// memory in step is [`crate::StoredBook`]'s work, written once for every backend.
pub trait Store: fmt::Debug + Send {
    /// Where the store lives (a path, a URL without its password), for messages.
    fn location(&self) -> &str;

    /// The schema version of the open store.
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the store cannot be read.
    fn schema_version(&self) -> Result<u32, CrmError>;

    /// The book's settings, fixed when the store was created.
    fn book_config(&self) -> &BookConfig;

    /// The sequence number of the last committed change (0 for an empty log).
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the store cannot be read.
    fn last_seq(&self) -> Result<u64, CrmError>;

    /// Calls `sink` with up to `limit` changes committed after `after`, in commit order
    /// (`after = 0, limit = usize::MAX`: load everything).
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the store cannot be read;
    /// [`crm_core::ErrorKind::Parse`] for a stored change that does not parse; the first
    /// error `sink` returns.
    fn for_each_change(
        &self,
        after: u64,
        limit: usize,
        sink: &mut ChangeSink<'_>,
    ) -> Result<(), CrmError>;

    /// The book as the backend's tables hold it, with the sequence number of the last change
    /// they reflect, or `None` when the book must be rebuilt by replaying the log: the
    /// default, for a backend that keeps no such tables, and the answer of one whose tables
    /// still wait for a merge's second step ([`StoreTxn::write_pending`]). Opening a store
    /// calls this first; a book loaded from tables equals the replayed one.
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the store cannot be read;
    /// [`crm_core::ErrorKind::Parse`] for damaged rows or tables that do not make a valid
    /// book.
    fn load_book(&self) -> Result<Option<(CustomerBook, u64)>, CrmError> {
        Ok(None)
    }

    /// Whether the tables wait for what the book derives from merges
    /// ([`StoreTxn::write_pending`]); `false` by default.
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the store cannot be read.
    fn has_pending(&self) -> Result<bool, CrmError> {
        Ok(false)
    }

    /// Starts a write transaction, holding the store's write lock until it is committed or
    /// dropped (dropping rolls back).
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the lock is not granted within the busy timeout, or
    /// the store cannot be written.
    fn begin(&mut self) -> Result<Box<dyn StoreTxn + '_>, CrmError>;

    /// Copies the whole store to a new store at `to`, consistent as of one commit, while
    /// others keep reading and writing.
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the copy cannot be made.
    fn backup(&self, to: &Path) -> Result<(), CrmError>;

    /// Closes the store, reporting what closing reports (dropping closes too, silently).
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the store cannot be closed cleanly.
    fn close(self: Box<Self>) -> Result<(), CrmError>;
}

/// An open write transaction of a [`Store`]. Dropping it without [`StoreTxn::commit`] rolls
/// back everything appended.
pub trait StoreTxn {
    /// As [`Store::for_each_change`], inside the transaction (it sees every commit made
    /// before the write lock was granted).
    ///
    /// # Errors
    /// As [`Store::for_each_change`].
    fn for_each_change(
        &self,
        after: u64,
        limit: usize,
        sink: &mut ChangeSink<'_>,
    ) -> Result<(), CrmError>;

    /// Appends `changes` to the log (and the tables it feeds), stamped `at`; returns the
    /// sequence number of the last one.
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the store cannot be written (a full disk, a
    /// read-only file…).
    fn append(&mut self, changes: &[Change], at: DateTime<Utc>) -> Result<u64, CrmError>;

    /// Writes into the tables what `book` (caught up with this transaction) derived from
    /// merges whose second step is still owed: survivors' profiles, referrers re-pointed
    /// to them, the merge records as the book made them. Returns whether anything was
    /// owed. The default writes nothing (a backend without such tables).
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the store cannot be written;
    /// [`crm_core::ErrorKind::Conflict`] when `book` does not match the store.
    fn write_pending(&mut self, book: &CustomerBook) -> Result<bool, CrmError> {
        let _ = book;
        Ok(false)
    }

    /// Commits; the changes are durable (as the store's options promise) when it returns
    /// `Ok`. A failed commit is not retried: the transaction is rolled back and the error
    /// returned.
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Io`] when the commit fails.
    fn commit(self: Box<Self>) -> Result<(), CrmError>;
}
