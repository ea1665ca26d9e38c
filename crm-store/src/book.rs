//! [`Book`]: one type for a book in memory or in a store, so that the C and Python skins
//! hold one handle and route every write through one place.

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use crm_core::book::{
    Change, ChangeOutcome, CheckedAdd, CustomerBook, DedupeOutcome, MergeRecord, OnDuplicate,
    Segmentation, SegmentationConfig,
};
use crm_core::lifecycle::LifecyclePolicy;
use crm_core::model::{Consent, Customer, CustomerId, Event, Incident};
use crm_core::quality::{DedupConfig, GoldenRules};
use crm_core::sla::SlaPolicies;
use crm_core::{CrmError, ErrorKind};

use crate::backend::ChangeRecord;
use crate::options::StoreOptions;
use crate::stored::StoredBook;

/// A customer book that lives either in memory only ([`Book::Memory`], saved as a JSON
/// snapshot on request) or in a store ([`Book::Stored`], every write committed when it
/// returns). Reads are the book's (`Book` dereferences to [`CustomerBook`]); writes have the
/// same names and errors on both, and a stored book adds [`Book::refresh`],
/// [`Book::changes`], [`Book::backup`] and [`Book::close`].
#[derive(Debug)]
pub enum Book {
    /// A book kept in memory only.
    Memory(CustomerBook),
    /// A book kept in a store.
    Stored(StoredBook),
}

impl Deref for Book {
    type Target = CustomerBook;

    fn deref(&self) -> &CustomerBook {
        match self {
            Book::Memory(b) => b,
            Book::Stored(b) => b,
        }
    }
}

impl From<CustomerBook> for Book {
    fn from(book: CustomerBook) -> Self {
        Book::Memory(book)
    }
}

impl From<StoredBook> for Book {
    fn from(book: StoredBook) -> Self {
        Book::Stored(book)
    }
}

/// The error of a store-only call on a book in memory.
fn in_memory(call: &str) -> CrmError {
    CrmError::new(
        ErrorKind::InvalidInput,
        Some("book"),
        format!("{call} needs a stored book; this one is in memory (open a store instead)"),
    )
}

impl Book {
    /// Opens the book stored at `location` ([`crate::open`]).
    ///
    /// # Errors
    /// As [`crate::open`].
    pub fn open(location: impl AsRef<Path>, options: &StoreOptions) -> Result<Self, CrmError> {
        crate::open(location, options).map(Book::Stored)
    }

    /// Whether the book is kept in a store.
    pub fn is_stored(&self) -> bool {
        matches!(self, Book::Stored(_))
    }

    /// Where the store lives (`None` in memory).
    pub fn location(&self) -> Option<String> {
        match self {
            Book::Memory(_) => None,
            Book::Stored(b) => Some(b.store().location().to_owned()),
        }
    }

    /// Applies `changes` all or nothing (a stored book commits them as one transaction);
    /// one outcome per change. What a batch of writes goes through.
    ///
    /// # Errors
    /// The changes' validation errors (`change #i` in front for several); for a stored
    /// book as [`StoredBook::apply`]. Nothing changes then.
    pub fn apply(&mut self, changes: &[Change]) -> Result<Vec<ChangeOutcome>, CrmError> {
        match self {
            Book::Memory(b) => match changes {
                [] => Ok(Vec::new()),
                [one] => Ok(b.prepare(one)?.apply()),
                many => Ok(b.prepare_all(many)?.apply()),
            },
            Book::Stored(b) => b.apply(changes),
        }
    }

    /// [`CustomerBook::add_customer`].
    ///
    /// # Errors
    /// As [`CustomerBook::add_customer`] and [`StoredBook::apply`].
    pub fn add_customer(&mut self, customer: Customer) -> Result<(), CrmError> {
        match self {
            Book::Memory(b) => b.add_customer(customer),
            Book::Stored(b) => b.add_customer(customer),
        }
    }

    /// [`CustomerBook::add_customers`], all or nothing.
    ///
    /// # Errors
    /// As [`CustomerBook::add_customers`] and [`StoredBook::apply`].
    pub fn add_customers(
        &mut self,
        customers: impl IntoIterator<Item = Customer>,
    ) -> Result<usize, CrmError> {
        match self {
            Book::Memory(b) => b.add_customers(customers),
            Book::Stored(b) => b.add_customers(customers),
        }
    }

    /// [`CustomerBook::update_customer`].
    ///
    /// # Errors
    /// As [`CustomerBook::update_customer`] and [`StoredBook::apply`].
    pub fn update_customer(&mut self, customer: Customer) -> Result<(), CrmError> {
        match self {
            Book::Memory(b) => b.update_customer(customer),
            Book::Stored(b) => b.update_customer(customer),
        }
    }

    /// [`CustomerBook::record_consent`]: one consent decision added to the customer's
    /// history (a stored book commits it as a `consent_recorded` change applied to the
    /// caught-up profile: [`StoredBook::record_consent`]); `false` when the very same
    /// decision is already there.
    ///
    /// # Errors
    /// As [`CustomerBook::record_consent`] and [`StoredBook::apply`].
    pub fn record_consent(&mut self, id: CustomerId, consent: Consent) -> Result<bool, CrmError> {
        match self {
            Book::Memory(b) => b.record_consent(id, consent),
            Book::Stored(b) => b.record_consent(id, consent),
        }
    }

    /// [`CustomerBook::record`].
    ///
    /// # Errors
    /// As [`CustomerBook::record`] and [`StoredBook::apply`].
    pub fn record(&mut self, event: Event) -> Result<(), CrmError> {
        match self {
            Book::Memory(b) => b.record(event),
            Book::Stored(b) => b.record(event),
        }
    }

    /// [`CustomerBook::record_all`], all or nothing.
    ///
    /// # Errors
    /// As [`CustomerBook::record_all`] and [`StoredBook::apply`].
    pub fn record_all(
        &mut self,
        events: impl IntoIterator<Item = Event>,
    ) -> Result<usize, CrmError> {
        match self {
            Book::Memory(b) => b.record_all(events),
            Book::Stored(b) => b.record_all(events),
        }
    }

    /// [`CustomerBook::add_incident`].
    ///
    /// # Errors
    /// As [`CustomerBook::add_incident`] and [`StoredBook::apply`].
    pub fn add_incident(&mut self, incident: Incident) -> Result<(), CrmError> {
        match self {
            Book::Memory(b) => b.add_incident(incident),
            Book::Stored(b) => b.add_incident(incident),
        }
    }

    /// [`CustomerBook::merge`].
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
        match self {
            Book::Memory(b) => b.merge(survivor, merged, profile, at),
            Book::Stored(b) => b.merge(survivor, merged, profile, at),
        }
    }

    /// [`CustomerBook::add_customer_checked`] (a stored book commits the add and the merge
    /// as one transaction: [`StoredBook::add_customer_checked`]).
    ///
    /// # Errors
    /// As [`CustomerBook::add_customer_checked`] and [`StoredBook::add_customer_checked`].
    pub fn add_customer_checked(
        &mut self,
        customer: Customer,
        config: &DedupConfig,
        policy: OnDuplicate,
        at: DateTime<Utc>,
    ) -> Result<CheckedAdd, CrmError> {
        match self {
            Book::Memory(b) => b.add_customer_checked(customer, config, policy, at),
            Book::Stored(b) => b.add_customer_checked(customer, config, policy, at),
        }
    }

    /// [`CustomerBook::dedupe`].
    ///
    /// # Errors
    /// As [`CustomerBook::dedupe`] and [`StoredBook::dedupe`].
    pub fn dedupe(
        &mut self,
        config: &DedupConfig,
        rules: &GoldenRules,
        at: DateTime<Utc>,
        apply: bool,
    ) -> Result<DedupeOutcome, CrmError> {
        match self {
            Book::Memory(b) => b.dedupe(config, rules, at, apply),
            Book::Stored(b) => b.dedupe(config, rules, at, apply),
        }
    }

    /// [`CustomerBook::set_lifecycle_policy`].
    ///
    /// # Errors
    /// As [`CustomerBook::set_lifecycle_policy`] and [`StoredBook::apply`].
    pub fn set_lifecycle_policy(
        &mut self,
        policy: Option<LifecyclePolicy>,
    ) -> Result<(), CrmError> {
        match self {
            Book::Memory(b) => b.set_lifecycle_policy(policy),
            Book::Stored(b) => b.set_lifecycle_policy(policy),
        }
    }

    /// [`CustomerBook::set_sla_policies`].
    ///
    /// # Errors
    /// For a stored book, as [`StoredBook::apply`].
    pub fn set_sla_policies(&mut self, policies: Option<SlaPolicies>) -> Result<(), CrmError> {
        match self {
            Book::Memory(b) => {
                b.set_sla_policies(policies);
                Ok(())
            }
            Book::Stored(b) => b.set_sla_policies(policies),
        }
    }

    /// [`CustomerBook::analyse`] (derived data, memory only).
    ///
    /// # Errors
    /// As [`CustomerBook::analyse`].
    pub fn analyse(
        &mut self,
        as_of: DateTime<Utc>,
        config: &SegmentationConfig,
    ) -> Result<Arc<Segmentation>, CrmError> {
        match self {
            Book::Memory(b) => b.analyse(as_of, config),
            Book::Stored(b) => b.analyse(as_of, config),
        }
    }

    /// [`CustomerBook::keep_segmentation`].
    pub fn keep_segmentation(&mut self, segmentation: Arc<Segmentation>) {
        match self {
            Book::Memory(b) => b.keep_segmentation(segmentation),
            Book::Stored(b) => b.keep_segmentation(segmentation),
        }
    }

    /// [`StoredBook::refresh`]; a book in memory has nothing to catch up with (0).
    ///
    /// # Errors
    /// As [`StoredBook::refresh`].
    pub fn refresh(&mut self) -> Result<usize, CrmError> {
        match self {
            Book::Memory(_) => Ok(0),
            Book::Stored(b) => b.refresh(),
        }
    }

    /// The sequence number of the last change applied (0 in memory).
    pub fn cursor(&self) -> u64 {
        match self {
            Book::Memory(_) => 0,
            Book::Stored(b) => b.cursor(),
        }
    }

    /// [`StoredBook::changes`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for a book in memory (it keeps no change log); as
    /// [`StoredBook::changes`].
    pub fn changes(&self, since: u64, limit: usize) -> Result<(Vec<ChangeRecord>, u64), CrmError> {
        match self {
            Book::Memory(_) => Err(in_memory("changes")),
            Book::Stored(b) => b.changes(since, limit),
        }
    }

    /// [`StoredBook::backup`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for a book in memory (save a snapshot instead); as
    /// [`StoredBook::backup`].
    pub fn backup(&self, path: impl AsRef<Path>) -> Result<(), CrmError> {
        match self {
            Book::Memory(_) => Err(in_memory("backup")),
            Book::Stored(b) => b.backup(path),
        }
    }

    /// [`StoredBook::import`]: writes a book (a JSON snapshot loaded with
    /// [`crate::load_book`]) into this empty store as one transaction.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for a book in memory; as [`StoredBook::import`].
    pub fn import(&mut self, book: &CustomerBook) -> Result<(), CrmError> {
        match self {
            Book::Memory(_) => Err(in_memory("import")),
            Book::Stored(b) => b.import(book),
        }
    }

    /// Closes a stored book ([`StoredBook::close`]); dropping a book in memory.
    ///
    /// # Errors
    /// As [`StoredBook::close`].
    pub fn close(self) -> Result<(), CrmError> {
        match self {
            Book::Memory(_) => Ok(()),
            Book::Stored(b) => b.close(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::model::Customer;

    #[test]
    fn a_batch_in_memory_is_all_or_nothing() {
        let mut book = Book::from(CustomerBook::with_currency("TRY").unwrap());
        let err = book
            .apply(&[
                Change::CustomerAdded {
                    customer: Customer::person(1, "Elif", "Şahin"),
                },
                Change::CustomerAdded {
                    customer: Customer::person(1, "Elif", "Şahin"),
                },
            ])
            .unwrap_err();
        assert!(err.to_string().contains("change #1"), "{err}");
        assert_eq!(book.len(), 0);
        assert_eq!(
            book.changes(0, 1).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }

    #[test]
    fn the_book_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Book>();
        check::<StoredBook>();
    }
}
