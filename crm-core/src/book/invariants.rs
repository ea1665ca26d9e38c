//! The book's invariants, checked in one place: by every mutation (for what it touched) and
//! by the snapshot loader (for everything), so that what a live call accepts always loads back
//! and what the loader refuses no call can produce.
//!
//! A consistent book satisfies:
//! - every customer sits at its index entry, and no customer id is also a merged-away id
//!   (merged ids stay reserved);
//! - every profile passes [`CustomerBook::check_profile`]: names, id digits, and a
//!   `referred_by` naming another live customer;
//! - when the book rejects early events, no event of a customer is dated before its
//!   `acquired_at`;
//! - every event belongs to a customer of the book and a referral names another one;
//! - every merged-away id redirects straight to a live customer (chains are collapsed), and
//!   every id a merge record lists is such a merged-away id.

use super::CustomerBook;
use super::EarlyEvents;
use super::store::StoredKind;
use crate::error::{CrmError, Result};

/// What a check covers: the whole book, or the records one call changed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope {
    /// Everything (the loader, and merges, which touch every event).
    All,
    /// One customer (dense index) after it was added or its profile replaced.
    Customer(u32),
    /// One event (its index) after it was recorded.
    Event(u32),
    /// The redirects and merge records, after merge records were imported.
    Merges,
}

impl CustomerBook {
    /// Checks the book's invariants over `scope`: the one function both the mutators and the
    /// loader call. For [`Scope::All`] the message starts with the offending record's place
    /// (`customer #3`, `event #17`, `merge #0`).
    pub(crate) fn check_invariants(&self, scope: Scope) -> Result<()> {
        match scope {
            Scope::Customer(d) => self.check_customer(d, true),
            Scope::Event(i) => self.check_event(i),
            Scope::Merges => self.check_redirects(),
            Scope::All => {
                if self.index.len() != self.customers.len()
                    || self.by_customer.len() != self.customers.len()
                {
                    return Err(CrmError::conflict(
                        "customer_id",
                        self.customers.len(),
                        "the index does not match the customers (an id is used twice)",
                    ));
                }
                for d in 0..self.customers.len() as u32 {
                    // Each event is checked below, so the early-event rule once per event.
                    self.check_customer(d, false)
                        .map_err(|e| e.context(format_args!("customer #{d}")))?;
                }
                for i in 0..self.events.len() as u32 {
                    self.check_event(i)
                        .map_err(|e| e.context(format_args!("event #{i}")))?;
                }
                self.check_redirects()
            }
        }
    }

    fn check_customer(&self, d: u32, with_events: bool) -> Result<()> {
        let c = &self.customers[d as usize];
        if self.index.get(&c.id) != Some(&d) {
            return Err(CrmError::duplicate("customer_id", c.id));
        }
        if let Some(survivor) = self.redirects.get(&c.id) {
            return Err(merged_away(c.id, *survivor));
        }
        self.check_profile(c)?;
        if !with_events {
            return Ok(());
        }
        if let (EarlyEvents::Reject, Some(acquired)) = (self.config.early_events, c.acquired_at) {
            // The list is in time order: the first own event is the earliest.
            let first_own = self.by_customer[d as usize]
                .iter()
                .map(|&i| &self.events[i as usize])
                .find(|e| e.customer == d);
            if let Some(first) = first_own.filter(|e| e.at < acquired) {
                return Err(CrmError::conflict(
                    "acquired_at",
                    acquired.to_rfc3339(),
                    format_args!(
                        "customer {} already has an event at {}",
                        c.id,
                        first.at.to_rfc3339()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_event(&self, i: u32) -> Result<()> {
        let e = &self.events[i as usize];
        let Some(customer) = self.customers.get(e.customer as usize) else {
            return Err(CrmError::not_found("customer_id", e.customer));
        };
        if let StoredKind::Referral { referred } = e.kind {
            if referred as usize >= self.customers.len() {
                return Err(CrmError::not_found("referred", referred));
            }
            if referred == e.customer {
                return Err(CrmError::invalid(
                    "referred",
                    customer.id,
                    "a customer cannot refer themselves",
                ));
            }
        }
        match (self.config.early_events, customer.acquired_at) {
            (EarlyEvents::Reject, Some(acquired)) if e.at < acquired => Err(CrmError::conflict(
                "at",
                e.at.to_rfc3339(),
                format_args!(
                    "before customer {} was acquired at {}",
                    customer.id,
                    acquired.to_rfc3339()
                ),
            )),
            _ => Ok(()),
        }
    }

    fn check_redirects(&self) -> Result<()> {
        for (&from, &to) in &self.redirects {
            if self.index.contains_key(&from) {
                return Err(merged_away(from, to));
            }
            if !self.index.contains_key(&to) {
                return Err(CrmError::not_found("survivor", to).context(format_args!(
                    "merged customer {from} does not resolve to a customer of the book"
                )));
            }
        }
        for (i, m) in self.merges.iter().enumerate() {
            if let Some(id) = m.merged.iter().find(|id| !self.redirects.contains_key(id)) {
                return Err(CrmError::not_found("merged", id).context(format_args!("merge #{i}")));
            }
        }
        Ok(())
    }
}

/// The error for a merged-away id used as a live customer's id.
pub(crate) fn merged_away(id: u64, survivor: u64) -> CrmError {
    CrmError::new(
        crate::ErrorKind::Duplicate,
        Some("customer_id"),
        format!(
            "duplicate customer_id {id}: it was merged into customer {survivor} and stays \
             reserved (it resolves to {survivor})"
        ),
    )
}
