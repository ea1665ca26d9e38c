//! [`StoredBook`]: a customer book kept in a [`Store`], every write committed when it
//! returns.

use std::ops::Deref;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use crm_core::book::{
    Change, ChangeOutcome, CheckedAdd, CustomerBook, MergeRecord, OnDuplicate, Segmentation,
    SegmentationConfig,
};
use crm_core::lifecycle::LifecyclePolicy;
use crm_core::model::{Consent, Customer, CustomerId, Event, Incident};
use crm_core::sla::SlaPolicies;
use crm_core::{CrmError, ErrorKind};

use crate::backend::{ChangeRecord, Store, StoreTxn};

/// A customer book whose system of record is a store: the book in memory is rebuilt from
/// the store's change log at open and kept in step with it.
///
/// Reads are the book's (`StoredBook` dereferences to [`CustomerBook`]). Every write is
/// committed when it returns `Ok`: it is validated against the book, written to the log in
/// one transaction, committed, and only then applied in memory. A failed call (bad input, a
/// constraint, a full disk, a read-only file, a lock held too long, a failed commit) writes
/// nothing, leaves the book as it was and returns the error; a failed commit is never
/// retried.
///
/// Several processes may open one store: each write first replays what others committed
/// since this book's cursor (under the store's write lock), so writers never overwrite each
/// other's work; [`StoredBook::refresh`] brings a reader up to date.
///
/// `StoredBook` is `Send` and `Sync`: reads of the book need only `&self`, and the few
/// `&self` calls that reach the store ([`StoredBook::changes`], [`StoredBook::backup`]…)
/// take turns on it (a backend connection is used by one thread at a time).
#[derive(Debug)]
pub struct StoredBook {
    book: CustomerBook,
    store: Mutex<Box<dyn Store>>,
    cursor: u64,
}

impl Deref for StoredBook {
    type Target = CustomerBook;

    fn deref(&self) -> &CustomerBook {
        &self.book
    }
}

/// Writes collected by [`StoredBook::batch`], committed together. Each method only records
/// the change; validation happens when the batch commits, in order, all or nothing.
#[derive(Debug, Default)]
pub struct Batch {
    changes: Vec<Change>,
}

impl Batch {
    /// As [`StoredBook::add_customer`].
    pub fn add_customer(&mut self, customer: Customer) {
        self.changes.push(Change::CustomerAdded { customer });
    }

    /// As [`StoredBook::add_customers`].
    pub fn add_customers(&mut self, customers: impl IntoIterator<Item = Customer>) {
        self.changes.push(Change::CustomersAdded {
            customers: customers.into_iter().collect(),
        });
    }

    /// As [`StoredBook::update_customer`].
    pub fn update_customer(&mut self, customer: Customer) {
        self.changes.push(Change::CustomerUpdated { customer });
    }

    /// As [`StoredBook::record`].
    pub fn record(&mut self, event: Event) {
        self.changes.push(Change::EventRecorded { event });
    }

    /// As [`StoredBook::record_all`].
    pub fn record_all(&mut self, events: impl IntoIterator<Item = Event>) {
        self.changes.push(Change::EventsRecorded {
            events: events.into_iter().collect(),
        });
    }

    /// As [`StoredBook::add_incident`].
    pub fn add_incident(&mut self, incident: Incident) {
        self.changes.push(Change::IncidentAdded { incident });
    }

    /// As [`StoredBook::record_consent`].
    pub fn record_consent(&mut self, customer_id: CustomerId, consent: Consent) {
        self.changes.push(Change::ConsentRecorded {
            customer_id,
            consent,
        });
    }

    /// As [`StoredBook::merge`] (until the batch commits, memory keeps what the merge
    /// moved, to move it back: the merged customers' records, not a copy of the book).
    pub fn merge(
        &mut self,
        survivor: CustomerId,
        merged: &[CustomerId],
        profile: Option<Customer>,
        at: DateTime<Utc>,
    ) {
        self.changes.push(Change::Merged {
            survivor,
            merged: merged.to_vec(),
            profile,
            at,
        });
    }

    /// Any change.
    pub fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// The changes collected so far.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }
}

impl StoredBook {
    /// Opens the book `store` holds: loaded from the backend's tables when it keeps them
    /// ([`Store::load_book`]), otherwise rebuilt by replaying the whole log; then brought up
    /// to date with the log. [`crate::open`] does this for a location; use this for a
    /// backend opened by hand.
    ///
    /// # Errors
    /// The store's read errors; [`ErrorKind::Parse`] naming the change when a stored change
    /// does not apply, or the table when the tables do not make a valid book (the store is
    /// damaged or was written by another program). No book is returned then.
    pub fn from_store(store: Box<dyn Store>) -> Result<Self, CrmError> {
        let (book, cursor) = match store.load_book()? {
            Some(loaded) => loaded,
            None => (CustomerBook::new(store.book_config().clone())?, 0),
        };
        let mut stored = StoredBook {
            book,
            store: Mutex::new(store),
            cursor,
        };
        stored.refresh()?;
        stored.settle_tables();
        Ok(stored)
    }

    /// The book rebuilt by replaying the store's whole change log, as an open without
    /// tables makes it (policies included): a check that the tables and the log agree
    /// (`stored.replay_log()?.snapshot() == stored.snapshot()`).
    ///
    /// # Errors
    /// As [`StoredBook::refresh`].
    pub fn replay_log(&self) -> Result<CustomerBook, CrmError> {
        let mut book = CustomerBook::new(self.book.config().clone())?;
        self.store()
            .for_each_change(0, usize::MAX, &mut |r| replay(&mut book, &r))?;
        Ok(book)
    }

    /// The second step of merges: when the store's tables still owe what the book derived
    /// from merges (their first step, the commit, is done), writes it in a transaction of
    /// its own. Best effort: the merges are committed already, and tables left owing (a
    /// full disk, a read-only file) only make the next open replay the log.
    fn settle_tables(&mut self) {
        if !matches!(self.store_mut().has_pending(), Ok(true)) {
            return;
        }
        let mut settle = || -> Result<(), CrmError> {
            let (book, mut txn, _) = self.begin_caught_up()?;
            txn.write_pending(book)?;
            txn.commit()
        };
        let _ = settle();
    }

    /// The book in memory (also reachable through `Deref`).
    pub fn book(&self) -> &CustomerBook {
        &self.book
    }

    /// The backend, for the calls `StoredBook` does not wrap (its location, its last
    /// sequence number…); held until the guard is dropped.
    pub fn store(&self) -> MutexGuard<'_, Box<dyn Store>> {
        // A panic inside a backend call leaves no half-done state behind the lock (a write
        // transaction rolls back when dropped), so a poisoned lock is taken over.
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn store_mut(&mut self) -> &mut dyn Store {
        &mut **self
            .store
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The sequence number of the last change applied to this book.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// The store's schema version.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] when the store cannot be read.
    pub fn schema_version(&self) -> Result<u32, CrmError> {
        self.store().schema_version()
    }

    /// Replays the changes other processes committed after this book's cursor; returns how
    /// many. Only the new changes are read.
    ///
    /// # Errors
    /// The store's read errors, or a change that does not apply ([`ErrorKind::Parse`]);
    /// the changes before the failing one stay applied and the cursor points after them.
    pub fn refresh(&mut self) -> Result<usize, CrmError> {
        let StoredBook {
            book,
            store,
            cursor,
        } = self;
        let store = store
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut n = 0;
        store.for_each_change(*cursor, usize::MAX, &mut |r| {
            replay(book, &r)?;
            *cursor = r.seq;
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    /// Up to `limit` committed changes after `since`, in commit order, with the cursor to
    /// continue from (the last one's `seq`, or `since` when there is none): the change feed
    /// for other systems. JSON of each record: [`ChangeRecord`].
    ///
    /// # Errors
    /// The store's read errors.
    pub fn changes(&self, since: u64, limit: usize) -> Result<(Vec<ChangeRecord>, u64), CrmError> {
        let mut out = Vec::new();
        let mut next = since;
        self.store().for_each_change(since, limit, &mut |r| {
            next = r.seq;
            out.push(r);
            Ok(())
        })?;
        Ok((out, next))
    }

    /// Copies the store to a new file at `path` with the backend's online backup (SQLite's
    /// backup API): a consistent copy as of one commit, made while others keep working.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] when `path` exists; [`ErrorKind::Io`] when the copy
    /// cannot be made.
    pub fn backup(&self, path: impl AsRef<Path>) -> Result<(), CrmError> {
        self.store().backup(path.as_ref())
    }

    /// Closes the store (dropping closes it too, without reporting errors).
    ///
    /// # Errors
    /// [`ErrorKind::Io`] when the store cannot be closed cleanly; every write had been
    /// committed already.
    pub fn close(self) -> Result<(), CrmError> {
        self.store
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .close()
    }

    /// Starts a write transaction and, under its lock, replays what others committed since
    /// this book's cursor: the first step of every write.
    fn begin_caught_up(
        &mut self,
    ) -> Result<(&mut CustomerBook, Box<dyn StoreTxn + '_>, &mut u64), CrmError> {
        let StoredBook {
            book,
            store,
            cursor,
        } = self;
        let store = store
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let txn = store.begin()?;
        txn.for_each_change(*cursor, usize::MAX, &mut |r| {
            replay(book, &r)?;
            *cursor = r.seq;
            Ok(())
        })?;
        Ok((book, txn, cursor))
    }

    /// Commits `changes` as one transaction, then applies them in memory; returns one
    /// outcome per change. The one write path every method goes through.
    ///
    /// # Errors
    /// The change's validation errors (with `change #i` in front for several), or the
    /// store's write and commit errors; nothing is written and the book is unchanged then
    /// (apart from other processes' commits, which it has replayed).
    pub fn apply(&mut self, changes: &[Change]) -> Result<Vec<ChangeOutcome>, CrmError> {
        let (book, mut txn, cursor) = self.begin_caught_up()?;
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let prepared = match changes {
            [one] => book.prepare(one)?,
            many => book.prepare_all(many)?,
        };
        // Consent decisions already in the history change nothing: not worth a log row
        // (the transaction is rolled back when dropped).
        if prepared
            .outcomes()
            .iter()
            .all(|o| matches!(o, ChangeOutcome::Changed(false)))
            && prepared.outcomes().len() == changes.len()
        {
            drop(txn);
            return Ok(prepared.apply());
        }
        let last = txn.append(changes, Utc::now())?;
        // A failed commit drops `prepared`, which takes the changes back in memory.
        txn.commit()?;
        *cursor = last;
        let outcomes = prepared.apply();
        if outcomes
            .iter()
            .any(|o| matches!(o, ChangeOutcome::Merged(_)))
        {
            self.settle_tables();
        }
        Ok(outcomes)
    }

    /// Runs `f` on a [`Batch`] and commits what it collected as one transaction: all or
    /// nothing. When `f` returns an error nothing is written.
    ///
    /// # Errors
    /// `f`'s error; then as [`StoredBook::apply`].
    pub fn batch<T>(
        &mut self,
        f: impl FnOnce(&mut Batch) -> Result<T, CrmError>,
    ) -> Result<T, CrmError> {
        let mut batch = Batch::default();
        let value = f(&mut batch)?;
        self.apply(&batch.changes)?;
        Ok(value)
    }

    fn apply_one(&mut self, change: Change) -> Result<ChangeOutcome, CrmError> {
        Ok(self
            .apply(std::slice::from_ref(&change))?
            .pop()
            .unwrap_or(ChangeOutcome::Done))
    }

    /// [`CustomerBook::add_customer`], committed.
    ///
    /// # Errors
    /// As [`CustomerBook::add_customer`] and [`StoredBook::apply`].
    pub fn add_customer(&mut self, customer: Customer) -> Result<(), CrmError> {
        self.apply_one(Change::CustomerAdded { customer }).map(drop)
    }

    /// [`CustomerBook::add_customers`], committed as one transaction.
    ///
    /// # Errors
    /// As [`CustomerBook::add_customers`] and [`StoredBook::apply`].
    pub fn add_customers(
        &mut self,
        customers: impl IntoIterator<Item = Customer>,
    ) -> Result<usize, CrmError> {
        let customers: Vec<Customer> = customers.into_iter().collect();
        let n = customers.len();
        self.apply_one(Change::CustomersAdded { customers })?;
        Ok(n)
    }

    /// [`CustomerBook::update_customer`], committed.
    ///
    /// # Errors
    /// As [`CustomerBook::update_customer`] and [`StoredBook::apply`].
    pub fn update_customer(&mut self, customer: Customer) -> Result<(), CrmError> {
        self.apply_one(Change::CustomerUpdated { customer })
            .map(drop)
    }

    /// [`CustomerBook::record`], committed.
    ///
    /// # Errors
    /// As [`CustomerBook::record`] and [`StoredBook::apply`].
    pub fn record(&mut self, event: Event) -> Result<(), CrmError> {
        self.apply_one(Change::EventRecorded { event }).map(drop)
    }

    /// [`CustomerBook::record_all`], committed as one transaction.
    ///
    /// # Errors
    /// As [`CustomerBook::record_all`] and [`StoredBook::apply`].
    pub fn record_all(
        &mut self,
        events: impl IntoIterator<Item = Event>,
    ) -> Result<usize, CrmError> {
        let events: Vec<Event> = events.into_iter().collect();
        let n = events.len();
        self.apply_one(Change::EventsRecorded { events })?;
        Ok(n)
    }

    /// [`CustomerBook::add_incident`], committed.
    ///
    /// # Errors
    /// As [`CustomerBook::add_incident`] and [`StoredBook::apply`].
    pub fn add_incident(&mut self, incident: Incident) -> Result<(), CrmError> {
        self.apply_one(Change::IncidentAdded { incident }).map(drop)
    }

    /// [`CustomerBook::record_consent`], committed: a [`Change::ConsentRecorded`], applied
    /// under the store's write lock to the profile as it is once this book has caught up
    /// with other processes' commits (a decision another process recorded meanwhile is
    /// kept); `false`, and nothing written, when the very same decision is already there.
    ///
    /// # Errors
    /// As [`CustomerBook::record_consent`] and [`StoredBook::apply`].
    pub fn record_consent(&mut self, id: CustomerId, consent: Consent) -> Result<bool, CrmError> {
        let change = Change::ConsentRecorded {
            customer_id: id,
            consent,
        };
        Ok(!matches!(
            self.apply_one(change)?,
            ChangeOutcome::Changed(false)
        ))
    }

    /// [`CustomerBook::merge`], committed.
    ///
    /// # Errors
    /// As [`CustomerBook::merge`] and [`StoredBook::apply`].
    pub fn merge(
        &mut self,
        survivor: CustomerId,
        merged: &[CustomerId],
        profile: Option<Customer>,
        at: DateTime<Utc>,
    ) -> Result<MergeRecord, CrmError> {
        match self.apply_one(Change::Merged {
            survivor,
            merged: merged.to_vec(),
            profile,
            at,
        })? {
            ChangeOutcome::Merged(m) => Ok(m),
            other => Err(CrmError::new(
                ErrorKind::Conflict,
                Some("merged"),
                format!("a merge returned {other:?}"),
            )),
        }
    }

    /// [`CustomerBook::set_lifecycle_policy`], committed (stored policies come back at
    /// open).
    ///
    /// # Errors
    /// As [`CustomerBook::set_lifecycle_policy`] and [`StoredBook::apply`].
    pub fn set_lifecycle_policy(
        &mut self,
        policy: Option<LifecyclePolicy>,
    ) -> Result<(), CrmError> {
        self.apply_one(Change::LifecyclePolicySet { policy })
            .map(drop)
    }

    /// [`CustomerBook::set_sla_policies`], committed (stored policies come back at open).
    ///
    /// # Errors
    /// As [`StoredBook::apply`].
    pub fn set_sla_policies(&mut self, policies: Option<SlaPolicies>) -> Result<(), CrmError> {
        self.apply_one(Change::SlaPoliciesSet { policies })
            .map(drop)
    }

    /// [`CustomerBook::dedupe`]: finds duplicate clusters and, with `apply`, merges each
    /// into its golden record, all merges committed as one transaction (one `merged` change
    /// per cluster in the log, golden profile included, so replaying gives the same book).
    /// The merges are prepared ([`CustomerBook::prepare_dedupe`]), written, committed, and
    /// only then kept in memory, like every other write.
    ///
    /// # Errors
    /// As [`CustomerBook::dedupe`] and [`StoredBook::apply`]; nothing is written and the
    /// book is exactly as it was then (no rebuild from the store).
    pub fn dedupe(
        &mut self,
        config: &crm_core::quality::DedupConfig,
        rules: &crm_core::quality::GoldenRules,
        at: DateTime<Utc>,
        apply: bool,
    ) -> Result<crm_core::book::DedupeOutcome, CrmError> {
        if !apply {
            return self.book.dedupe(config, rules, at, false);
        }
        let (book, mut txn, cursor) = self.begin_caught_up()?;
        // Prepared like every other write: the merges are staged with an undo journal, and
        // a failed append or commit drops `prepared`, which takes them back in memory.
        let (prepared, outcome, changes) = book.prepare_dedupe(config, rules, at)?;
        if changes.is_empty() {
            return Ok(outcome);
        }
        let last = txn.append(&changes, Utc::now())?;
        txn.commit()?;
        *cursor = last;
        prepared.apply();
        self.settle_tables();
        Ok(outcome)
    }

    /// [`CustomerBook::add_customer_checked`], committed: the customer is looked for among
    /// the book's (after catching up with other processes' commits), and what
    /// [`CustomerBook::prepare_add_checked`] stages — the add, and the merge into the best
    /// candidate with [`OnDuplicate::Merge`] — is committed as one transaction, then kept in
    /// memory. Likely duplicates are found with [`CustomerBook::find_matches`], which a
    /// stored book answers from memory as every read; its index is fitted after catching up
    /// and before the write transaction begins, so writers elsewhere do not wait for the fit.
    ///
    /// # Errors
    /// As [`CustomerBook::add_customer_checked`] (a refused duplicate is
    /// [`ErrorKind::Duplicate`] carrying the candidates) and [`StoredBook::apply`]; nothing
    /// is written and the book is unchanged then.
    pub fn add_customer_checked(
        &mut self,
        customer: Customer,
        config: &crm_core::quality::DedupConfig,
        policy: OnDuplicate,
        at: DateTime<Utc>,
    ) -> Result<CheckedAdd, CrmError> {
        // The entry-time index is fitted (or found still fitting) before the write lock is
        // taken: on a large book the fit takes minutes, which other processes' writers would
        // wait out. Changes committed meanwhile are caught up inside the transaction; the
        // cached index serves them unless they changed the book by a fifth or merged (then
        // it is refitted there, as before).
        self.refresh()?;
        self.book.find_matches(&customer, config)?;
        let checked = {
            let (book, mut txn, cursor) = self.begin_caught_up()?;
            let (prepared, checked, changes) =
                book.prepare_add_checked(customer, config, policy, at)?;
            if let Some(prepared) = prepared {
                // A failed append or commit drops `prepared`, which takes the changes back
                // in memory.
                let last = txn.append(&changes, Utc::now())?;
                txn.commit()?;
                *cursor = last;
                prepared.apply();
            }
            checked
        };
        if checked.merged.is_some() {
            self.settle_tables();
        }
        Ok(checked)
    }

    /// [`CustomerBook::analyse`]: derived data, kept in memory only (not a change).
    ///
    /// # Errors
    /// As [`CustomerBook::analyse`].
    pub fn analyse(
        &mut self,
        as_of: DateTime<Utc>,
        config: &SegmentationConfig,
    ) -> Result<std::sync::Arc<Segmentation>, CrmError> {
        self.book.analyse(as_of, config)
    }

    /// [`CustomerBook::keep_segmentation`]: keeps a result computed with
    /// [`CustomerBook::segment`] for the views (memory only, not a change).
    pub fn keep_segmentation(&mut self, segmentation: std::sync::Arc<Segmentation>) {
        self.book.keep_segmentation(segmentation);
    }

    /// Writes every customer, event, incident and policy of `book` into this empty store as
    /// one transaction (importing a JSON snapshot: load it with [`crate::load_book`]). The
    /// book must have the store's settings. Its merges (whose merged customers are gone)
    /// go in as one [`Change::MergesImported`], so old ids keep resolving after reopening.
    /// Export is [`crate::save_book`] on the stored book.
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] for a store that is not empty or other settings; then as
    /// [`StoredBook::apply`].
    pub fn import(&mut self, book: &CustomerBook) -> Result<(), CrmError> {
        if self.cursor != 0 || self.store_mut().last_seq()? != 0 {
            return Err(CrmError::conflict(
                "location",
                self.store().location(),
                "imports go into an empty store",
            ));
        }
        if book.config() != self.book.config() {
            return Err(CrmError::conflict(
                "currency",
                &book.config().currency,
                format_args!("the store's settings are {:?}", self.book.config()),
            ));
        }
        // Referrers first without their links, then the links: a profile may name a
        // customer added after it.
        let mut changes = vec![Change::CustomersAdded {
            customers: book
                .customers()
                .map(|c| Customer {
                    referred_by: None,
                    ..c.clone()
                })
                .collect(),
        }];
        changes.extend(
            book.customers()
                .filter(|c| c.referred_by.is_some())
                .map(|c| Change::CustomerUpdated {
                    customer: c.clone(),
                }),
        );
        changes.push(Change::EventsRecorded {
            events: book.events().collect(),
        });
        changes.extend(book.incidents().iter().map(|i| Change::IncidentAdded {
            incident: i.clone(),
        }));
        if !book.merges().is_empty() {
            // The merged customers are gone from the book, their events under the
            // survivors: the records go in as recorded, their ids redirecting.
            changes.push(Change::MergesImported {
                merges: book.merges().to_vec(),
            });
        }
        if let Some(p) = book.lifecycle_policy() {
            changes.push(Change::LifecyclePolicySet {
                policy: Some(p.clone()),
            });
        }
        if let Some(p) = book.sla_policies() {
            changes.push(Change::SlaPoliciesSet {
                policies: Some(p.clone()),
            });
        }
        self.apply(&changes).map(drop)
    }
}

/// Applies a committed change; one that does not apply means the store is damaged.
fn replay(book: &mut CustomerBook, r: &ChangeRecord) -> Result<(), CrmError> {
    book.apply_change(&r.change).map(drop).map_err(|e| {
        CrmError::new(
            ErrorKind::Parse,
            Some("changes"),
            format!(
                "stored change #{} ({}) does not apply to the book: {e}",
                r.seq,
                r.change.type_name()
            ),
        )
    })
}
