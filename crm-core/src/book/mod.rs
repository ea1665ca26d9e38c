//! The customer book: owns customers, their events and incidents; validates everything that
//! goes in; answers the 360° view and the columnar feature export.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use crm_core::book::{CustomerBook, ViewOptions};
//! use crm_core::model::{Customer, Event, Purchase};
//!
//! let mut book = CustomerBook::with_currency("TRY")?;
//! book.add_customer(Customer::person(42, "Ayşe", "Yılmaz"))?;
//! let at = Utc.with_ymd_and_hms(2025, 3, 1, 14, 30, 0).unwrap();
//! let purchase = Purchase {
//!     amount: 129_900, currency: "TRY".into(), product: None,
//!     category: Some("electronics".into()), channel: None,
//! };
//! book.record(Event::new(42, at, purchase))?;
//!
//! let view = book.view(42, &ViewOptions::as_of(at))?;
//! assert_eq!(view.purchases.count, 1);
//! assert_eq!(view.purchases.net, 129_900);
//! # Ok::<(), crm_core::CrmError>(())
//! ```

mod activity;
mod analytics;
mod audience;
mod campaign;
mod change;
mod clv;
mod columns;
mod contact;
mod features;
mod figures;
mod find;
mod ingest;
mod invariants;
mod lifecycle;
mod matches;
mod merge;
mod quality;
mod sla;
mod snapshot;
mod stats;
mod store;
mod view;
mod worklist;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};
use crate::model::{ComplaintId, Customer, CustomerId, Event, Incident};

pub use activity::{ActivityFigures, ActivitySummary};
pub use analytics::{
    Attribute, CustomerAnalytics, Segmentation, SegmentationConfig, SegmentationSummary,
};
pub use campaign::{
    CampaignReport, CampaignReportOptions, GroupBy, GroupRow, Grouping, MAX_GROUPINGS,
    MAX_WINDOW_DAYS,
};
pub use change::{Change, ChangeOutcome, Prepared};
pub use columns::{
    EXTRA_CUSTOMER_COLUMNS, PurchaseColumns, customers_from_columns, purchase_events,
};
pub use figures::{
    CategoryFigures, ChannelActivity, ComplaintFigures, ComplaintSummary, ContributionFigures,
    PurchaseFigures, ReferralFigures,
};
pub use find::{
    FUZZY_FLOOR, Lookup, MAX_FIND_LIMIT, MAX_NAME_CHARS, MAX_NAME_EXPANSIONS, MAX_NAME_WORDS,
    Match, MatchedOn,
};
pub use lifecycle::{StageView, Stages};
pub use matches::{CheckedAdd, CheckedAddOptions, CustomerMatch, OnDuplicate};
pub use merge::{DedupeOutcome, MergeOutcome, MergeRecord};
pub use snapshot::{BookSnapshot, SNAPSHOT_FORMAT_VERSION};
pub use stats::BookStats;
pub use view::{CustomerView, TimelineItem, TimelinePage, ViewOptions};

use ingest::ComplaintState;
use store::{Interner, StoredEvent};

/// What the book does with an event dated before its customer's `acquired_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EarlyEvents {
    /// Reject it with [`crate::ErrorKind::Conflict`] (the default: it is usually a typo).
    #[default]
    Reject,
    /// Accept it (history imported from an older system may predate the acquisition date).
    Accept,
}

/// Book settings. JSON: `{"currency": "TRY", "early_events": "reject"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookConfig {
    /// ISO 4217 code of every amount in the book (three upper-case letters).
    pub currency: String,
    /// Whether events before a customer's acquisition are accepted.
    #[serde(default)]
    pub early_events: EarlyEvents,
}

impl BookConfig {
    /// Settings for `currency` with the defaults otherwise.
    pub fn new(currency: &str) -> Self {
        BookConfig {
            currency: currency.to_owned(),
            early_events: EarlyEvents::default(),
        }
    }

    fn validate(&self) -> Result<()> {
        let c = &self.currency;
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(CrmError::invalid(
                "currency",
                format!("{c:?}"),
                "must be an ISO 4217 code of three upper-case letters",
            ));
        }
        Ok(())
    }
}

/// Customers, their events and company-side incidents, validated and indexed.
///
/// Every mutating call validates fully before it changes anything: a failed call returns a
/// [`CrmError`] naming the field and the value and leaves the book exactly as it was (batch
/// calls too: all or nothing).
///
/// Thread safety: `CustomerBook` is `Send + Sync`; share it behind a lock for writing, or read
/// it from many threads at once.
#[derive(Debug, Clone)]
pub struct CustomerBook {
    config: BookConfig,
    customers: Vec<Customer>,
    // Fx rather than SipHash: ids come from the company's own systems, not from an attacker,
    // and the index is hit once per recorded event.
    index: FxHashMap<CustomerId, u32>,
    events: Vec<StoredEvent>,
    /// Per customer, the indexes of its events (a referral is listed under both customers),
    /// sorted by (instant, recording order).
    by_customer: Vec<Vec<u32>>,
    complaints: FxHashMap<ComplaintId, ComplaintState>,
    incidents: Vec<Incident>,
    symbols: Interner,
    /// Kept between calls so that recording an event allocates nothing for its undo log.
    journal: Vec<ingest::Undo>,
    /// The last analysis, shown in views; derived data, not part of snapshots.
    segmentation: Option<std::sync::Arc<Segmentation>>,
    /// SLA policies for the view's complaint states; configuration, not part of snapshots.
    sla_policies: Option<std::sync::Arc<crate::sla::SlaPolicies>>,
    /// The lifecycle policy for the view's stage; configuration, not part of snapshots.
    lifecycle_policy: Option<std::sync::Arc<crate::lifecycle::LifecyclePolicy>>,
    /// Merged ids and the customer each was merged into.
    redirects: FxHashMap<CustomerId, CustomerId>,
    /// Every merge, oldest first.
    merges: Vec<MergeRecord>,
    /// The sum of every purchase, refund and contribution amount recorded, kept at most
    /// [`MAX_MONEY_TOTAL`] so that no sum of money the book reports (a customer's gross,
    /// refunds, net, contributions; the book's net revenue) can overflow `i64`.
    money_total: u128,
    /// The index [`CustomerBook::find_matches`] fitted; derived data, not part of snapshots.
    match_cache: matches::MatchCache,
    /// Where events happened, by event index: sparse (most events carry no location), so
    /// that [`StoredEvent`] stays small. Events are never renumbered (merges re-own them).
    event_locations: FxHashMap<u32, crate::model::Location>,
    /// The index [`CustomerBook::find`] reads: built on first use, then kept current by
    /// every write; derived data, not part of snapshots.
    lookup: std::sync::OnceLock<find::LookupIndex>,
}

/// The most money, in minor units, that one book holds in all its purchases, refunds and
/// contributions together: `i64::MAX` (92 quadrillion lira in kuruş). An event that would
/// take the book past it is refused ([`CustomerBook::record`]), so every sum of money the
/// book reports fits an `i64` exactly and never wraps.
pub const MAX_MONEY_TOTAL: i64 = i64::MAX;

impl CustomerBook {
    /// An empty book.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] when the currency is not three upper-case letters.
    ///
    /// ```
    /// # use crm_core::book::{BookConfig, CustomerBook};
    /// assert!(CustomerBook::new(BookConfig::new("TRY")).is_ok());
    /// assert!(CustomerBook::new(BookConfig::new("lira")).is_err());
    /// ```
    pub fn new(config: BookConfig) -> Result<Self> {
        config.validate()?;
        Ok(CustomerBook {
            config,
            customers: Vec::new(),
            index: FxHashMap::default(),
            events: Vec::new(),
            by_customer: Vec::new(),
            complaints: FxHashMap::default(),
            incidents: Vec::new(),
            symbols: Interner::default(),
            journal: Vec::new(),
            segmentation: None,
            sla_policies: None,
            lifecycle_policy: None,
            redirects: FxHashMap::default(),
            merges: Vec::new(),
            money_total: 0,
            match_cache: matches::MatchCache::default(),
            event_locations: FxHashMap::default(),
            lookup: std::sync::OnceLock::new(),
        })
    }

    /// An empty book in `currency` with default settings.
    ///
    /// # Errors
    /// As [`CustomerBook::new`].
    ///
    /// ```
    /// let book = crm_core::book::CustomerBook::with_currency("EUR")?;
    /// assert!(book.is_empty());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn with_currency(currency: &str) -> Result<Self> {
        Self::new(BookConfig::new(currency))
    }

    /// Reserves room for `customers` more customers and `events` more events, so that a
    /// bulk load does not grow (and copy) its storage step by step.
    pub fn reserve(&mut self, customers: usize, events: usize) {
        self.customers.reserve(customers);
        self.index.reserve(customers);
        self.by_customer.reserve(customers);
        self.events.reserve(events);
    }

    /// The settings.
    pub fn config(&self) -> &BookConfig {
        &self.config
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// True when there is no customer.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// Number of recorded events.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// The customer with this id.
    pub fn customer(&self, id: CustomerId) -> Option<&Customer> {
        self.index.get(&id).map(|&i| &self.customers[i as usize])
    }

    /// Whether a customer with this id exists.
    pub fn contains(&self, id: CustomerId) -> bool {
        self.index.contains_key(&id)
    }

    /// All customers, in the order they were added.
    pub fn customers(&self) -> impl ExactSizeIterator<Item = &Customer> {
        self.customers.iter()
    }

    /// The incidents, in the order they were added.
    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    /// Every event, in recording order, in its public form.
    pub fn events(&self) -> impl ExactSizeIterator<Item = Event> + '_ {
        (0..self.events.len() as u32).map(|i| self.public(i))
    }

    /// One customer's events in time order (ties in recording order). A referral appears
    /// under both the referrer and the referred customer.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an unknown customer.
    pub fn events_of(&self, id: CustomerId) -> Result<impl ExactSizeIterator<Item = Event> + '_> {
        let dense = self.dense(id)?;
        Ok(self.by_customer[dense as usize]
            .iter()
            .map(|&i| self.public(i)))
    }

    /// The dense index of a customer, following merges.
    fn dense(&self, id: CustomerId) -> Result<u32> {
        if let Some(&d) = self.index.get(&id) {
            return Ok(d);
        }
        self.resolve(id)
            .and_then(|s| self.index.get(&s).copied())
            .ok_or_else(|| CrmError::not_found("customer_id", id))
    }

    fn id_of(&self, dense: u32) -> CustomerId {
        self.customers[dense as usize].id
    }

    /// Event `idx` in its public form.
    fn public(&self, idx: u32) -> Event {
        let e = &self.events[idx as usize];
        Event {
            customer_id: self.id_of(e.customer),
            at: e.at,
            location: self.event_locations.get(&idx).cloned(),
            kind: e
                .kind
                .load(&self.symbols, &self.config.currency, |d| self.id_of(d)),
        }
    }
}

#[cfg(test)]
mod activity_tests;
#[cfg(test)]
mod audience_tests;
#[cfg(test)]
mod campaign_tests;
#[cfg(test)]
mod change_tests;
#[cfg(test)]
mod clv_tests;
#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod matches_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod quality_tests;
#[cfg(test)]
mod tests;
