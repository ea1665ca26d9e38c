//! Every mutation of a book as a value: a [`Change`] can be written to a change log, sent to
//! other systems as JSON, and replayed into a book to bring it up to date.
//!
//! A store commits a change in two steps, so that a failed commit leaves the book as it was:
//! [`CustomerBook::prepare`] validates the change against the book as it is (with the same
//! checks and the same invariant function as the direct calls: it goes through them) and
//! returns a [`Prepared`] change; the store writes and commits; then
//! [`Prepared::apply`] makes the change visible, and cannot fail. Dropping a [`Prepared`]
//! without applying it (the commit failed) leaves the book exactly as it was.
//!
//! ```
//! use crm_core::book::{Change, CustomerBook};
//! use crm_core::model::Customer;
//!
//! let mut book = CustomerBook::with_currency("TRY")?;
//! let change = Change::CustomerAdded { customer: Customer::person(7, "Elif", "Şahin") };
//! let prepared = book.prepare(&change)?;
//! // ... write `change` to the log and commit; on failure, drop `prepared` instead ...
//! prepared.apply();
//! assert!(book.contains(7));
//!
//! let text = serde_json::to_string(&change).unwrap();
//! assert!(text.starts_with(r#"{"type":"customer_added","customer":{"#));
//! let mut replica = CustomerBook::with_currency("TRY")?;
//! replica.apply_change(&serde_json::from_str(&text).unwrap())?;
//! assert_eq!(replica.snapshot(), book.snapshot());
//! # Ok::<(), crm_core::CrmError>(())
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CustomerBook;
use super::ingest::Undo;
use super::merge::{MergePlan, MergeRecord};
use crate::error::Result;
use crate::lifecycle::LifecyclePolicy;
use crate::model::{Consent, Customer, CustomerId, Event, Incident};
use crate::sla::SlaPolicies;

/// One mutation of a [`CustomerBook`], as a store logs it. JSON: internally tagged by
/// `type` (`{"type": "events_recorded", "events": [...]}`), the records in their usual JSON
/// forms.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// [`CustomerBook::add_customer`].
    CustomerAdded {
        /// The new customer.
        customer: Customer,
    },
    /// [`CustomerBook::add_customers`]: all or nothing.
    CustomersAdded {
        /// The new customers, in order.
        customers: Vec<Customer>,
    },
    /// [`CustomerBook::update_customer`].
    CustomerUpdated {
        /// The new profile (found by its id).
        customer: Customer,
    },
    /// [`CustomerBook::record`].
    EventRecorded {
        /// The event.
        event: Event,
    },
    /// [`CustomerBook::record_all`]: all or nothing.
    EventsRecorded {
        /// The events, in order.
        events: Vec<Event>,
    },
    /// [`CustomerBook::add_incident`].
    IncidentAdded {
        /// The incident.
        incident: Incident,
    },
    /// [`CustomerBook::merge`] (also each merge made by
    /// [`CustomerBook::merge_duplicates`], with its golden profile).
    Merged {
        /// The customer that remains (an id merged away stands for its survivor).
        survivor: CustomerId,
        /// The customers folded into it.
        merged: Vec<CustomerId>,
        /// The survivor's new profile, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<Customer>,
        /// When the merge was made.
        at: DateTime<Utc>,
    },
    /// Merge records installed as recorded, with the redirects of their merged ids: what
    /// importing a snapshot whose book has merges logs (the merged customers are gone from
    /// it, their events already under the survivors, so the merges cannot be replayed as
    /// [`Change::Merged`]). Validated as the snapshot loader validates merges: each merged
    /// id is no customer and not merged before, each survivor not merged away before, every
    /// id ends at a customer of the book. JSON: `{"type": "merges_imported", "merges":
    /// [MergeRecord…]}`.
    MergesImported {
        /// The records, oldest first, after the book's own.
        merges: Vec<MergeRecord>,
    },
    /// [`CustomerBook::record_consent`]: one consent decision added to the history of the
    /// customer `customer_id` stands for (a merged-away id follows to its survivor), applied
    /// to the profile as the book holds it when the change is applied, so that a decision
    /// recorded elsewhere in between is kept; a decision already in the history changes
    /// nothing ([`ChangeOutcome::Changed`] says which). JSON: `{"type": "consent_recorded",
    /// "customer_id": 7, "consent": {"channel": "email", "granted": false, "at": "…"}}`.
    ConsentRecorded {
        /// The customer (or a merged-away id of it).
        customer_id: CustomerId,
        /// The decision.
        consent: Consent,
    },
    /// [`CustomerBook::set_lifecycle_policy`] (`null` detaches).
    LifecyclePolicySet {
        /// The policy, or `None`.
        policy: Option<LifecyclePolicy>,
    },
    /// [`CustomerBook::set_sla_policies`] (`null` detaches); the policies in the JSON form of
    /// [`SlaPolicies::to_json`].
    SlaPoliciesSet {
        /// The policies, or `None`.
        #[serde(with = "sla_json")]
        policies: Option<SlaPolicies>,
    },
}

impl Change {
    /// The `type` tag of the JSON form (`"customer_added"`, `"events_recorded"`…).
    pub fn type_name(&self) -> &'static str {
        match self {
            Change::CustomerAdded { .. } => "customer_added",
            Change::CustomersAdded { .. } => "customers_added",
            Change::CustomerUpdated { .. } => "customer_updated",
            Change::EventRecorded { .. } => "event_recorded",
            Change::EventsRecorded { .. } => "events_recorded",
            Change::IncidentAdded { .. } => "incident_added",
            Change::Merged { .. } => "merged",
            Change::MergesImported { .. } => "merges_imported",
            Change::ConsentRecorded { .. } => "consent_recorded",
            Change::LifecyclePolicySet { .. } => "lifecycle_policy_set",
            Change::SlaPoliciesSet { .. } => "sla_policies_set",
        }
    }
}

/// What applying a change returned: what the matching direct call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeOutcome {
    /// A change that returns nothing.
    Done,
    /// How many customers were added or events recorded by a batch.
    Count(usize),
    /// The merge made.
    Merged(MergeRecord),
    /// Whether a [`Change::ConsentRecorded`] changed the history (`false`: the very same
    /// decision was there already).
    Changed(bool),
}

/// What [`Prepared::apply`] still has to do.
#[derive(Debug)]
enum Deferred {
    Merge(Box<MergePlan>),
    Lifecycle(Option<LifecyclePolicy>),
    Sla(Option<SlaPolicies>),
}

/// Changes validated against a book and ready to apply: [`Prepared::apply`] cannot fail.
/// Dropping it without applying takes the changes back, so the book is as it was.
///
/// The book is borrowed mutably until then, so nothing can observe (or change) it in
/// between. Record-level changes are staged in the book with an undo journal; a single merge
/// or policy is validated and kept as a plan, applied in place by `apply`.
#[derive(Debug)]
#[must_use = "a prepared change is taken back when dropped; call apply() once it is committed"]
pub struct Prepared<'a> {
    book: &'a mut CustomerBook,
    journal: Vec<Undo>,
    deferred: Option<Deferred>,
    outcomes: Vec<ChangeOutcome>,
    applied: bool,
}

impl Prepared<'_> {
    /// What the staged changes did so far (a staged merge's record, for one; a deferred
    /// merge or policy is not among them until [`Prepared::apply`]).
    pub fn outcomes(&self) -> &[ChangeOutcome] {
        &self.outcomes
    }

    /// Makes the changes part of the book; returns one outcome per change, in order.
    pub fn apply(mut self) -> Vec<ChangeOutcome> {
        if let Some(deferred) = self.deferred.take() {
            let outcome = match deferred {
                Deferred::Merge(plan) => ChangeOutcome::Merged(self.book.apply_merge(*plan)),
                Deferred::Lifecycle(p) => {
                    self.book.lifecycle_policy = p.map(std::sync::Arc::new);
                    ChangeOutcome::Done
                }
                Deferred::Sla(p) => {
                    self.book.sla_policies = p.map(std::sync::Arc::new);
                    ChangeOutcome::Done
                }
            };
            self.outcomes.push(outcome);
        }
        self.applied = true;
        self.journal.clear();
        std::mem::take(&mut self.outcomes)
    }
}

impl Drop for Prepared<'_> {
    fn drop(&mut self) {
        if !self.applied {
            while let Some(undo) = self.journal.pop() {
                self.book.undo(undo);
            }
        }
        // Hand the journal's allocation back for the next call.
        self.journal.clear();
        self.book.journal = std::mem::take(&mut self.journal);
    }
}

impl CustomerBook {
    /// Validates `change` against the book as it is; nothing is visible until
    /// [`Prepared::apply`], and dropping the result takes everything back.
    ///
    /// # Errors
    /// The errors of the matching direct call ([`CustomerBook::add_customer`],
    /// [`CustomerBook::record_all`], [`CustomerBook::merge`]…), with the same messages; the
    /// book is unchanged then.
    pub fn prepare(&mut self, change: &Change) -> Result<Prepared<'_>> {
        let mut prepared = self.begin();
        match change {
            Change::Merged {
                survivor,
                merged,
                profile,
                at,
            } => {
                let plan = prepared
                    .book
                    .plan_merge(*survivor, merged, profile.clone(), *at)?;
                prepared.deferred = Some(Deferred::Merge(Box::new(plan)));
            }
            Change::LifecyclePolicySet { policy } => {
                if let Some(p) = policy {
                    p.validate()?;
                }
                prepared.deferred = Some(Deferred::Lifecycle(policy.clone()));
            }
            Change::SlaPoliciesSet { policies } => {
                prepared.deferred = Some(Deferred::Sla(policies.clone()));
            }
            _ => {
                let outcome = prepared.stage(change)?;
                prepared.outcomes.push(outcome);
            }
        }
        Ok(prepared)
    }

    /// Validates several changes in order, each against the book as the earlier ones leave
    /// it, all or nothing (a store's batch: one transaction). Each change is staged with an
    /// undo journal, a merge too (what it moved, in the size of the merged customers'
    /// records: the book is never copied), so dropping the result takes them all back.
    ///
    /// # Errors
    /// As [`CustomerBook::prepare`], with `change #i` (the position) in front of the
    /// message; the book is unchanged then.
    pub fn prepare_all<'c>(
        &mut self,
        changes: impl IntoIterator<Item = &'c Change>,
    ) -> Result<Prepared<'_>> {
        let mut prepared = self.begin();
        for (i, change) in changes.into_iter().enumerate() {
            let outcome = prepared
                .stage(change)
                .map_err(|e| e.context(format_args!("change #{i}")))?;
            prepared.outcomes.push(outcome);
        }
        Ok(prepared)
    }

    /// [`CustomerBook::dedupe`] with `apply`, prepared: the merges are staged (each
    /// cluster's golden record depends on the merges before it) with an undo journal, and
    /// returned with what they did and the [`Change::Merged`] (golden profile included)
    /// that replays each, for a store to log and commit. [`Prepared::apply`] keeps them
    /// (its outcomes are one [`ChangeOutcome::Merged`] per merge); dropping the
    /// [`Prepared`] takes them all back, leaving the book exactly as it was.
    ///
    /// # Errors
    /// As [`CustomerBook::dedupe`]; the book is unchanged then.
    ///
    /// ```
    /// use crm_core::book::CustomerBook;
    /// use crm_core::model::Customer;
    /// use crm_core::quality::{DedupConfig, GoldenRules};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// for id in [1, 2] {
    ///     let mut c = Customer::person(id, "Ayşe", "Kaya");
    ///     c.national_id = Some("10000000146".to_owned());
    ///     book.add_customer(c)?;
    /// }
    /// let at = "2025-06-01T00:00:00Z".parse().unwrap();
    /// let (prepared, outcome, changes) =
    ///     book.prepare_dedupe(&DedupConfig::default(), &GoldenRules::default(), at)?;
    /// assert_eq!((outcome.clusters, changes.len()), (vec![vec![1, 2]], 1));
    /// drop(prepared); // the commit failed: nothing was merged
    /// assert_eq!((book.len(), book.merges().len()), (2, 0));
    /// let (prepared, _, _) =
    ///     book.prepare_dedupe(&DedupConfig::default(), &GoldenRules::default(), at)?;
    /// prepared.apply(); // committed
    /// assert_eq!((book.len(), book.resolve(2)), (1, Some(1)));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn prepare_dedupe(
        &mut self,
        config: &crate::quality::DedupConfig,
        rules: &crate::quality::GoldenRules,
        at: DateTime<Utc>,
    ) -> Result<(Prepared<'_>, super::DedupeOutcome, Vec<Change>)> {
        let clusters = self.find_duplicates(config)?;
        let mut prepared = self.begin();
        let mut log = Vec::new();
        let (merges, skipped) = prepared.book.merge_clusters(
            &clusters,
            rules,
            at.date_naive(),
            at,
            Some(&mut log),
            Some(&mut prepared.journal),
        )?;
        prepared.outcomes = merges.iter().cloned().map(ChangeOutcome::Merged).collect();
        let outcome = super::DedupeOutcome {
            clusters,
            merges: Some(merges),
            skipped: Some(skipped),
        };
        Ok((prepared, outcome, log))
    }

    /// Validates and applies `change` (what replaying a change log does).
    ///
    /// # Errors
    /// As [`CustomerBook::prepare`]; the book is unchanged then.
    pub fn apply_change(&mut self, change: &Change) -> Result<ChangeOutcome> {
        let mut outcomes = self.prepare(change)?.apply();
        Ok(outcomes.pop().unwrap_or(ChangeOutcome::Done))
    }

    fn begin(&mut self) -> Prepared<'_> {
        let journal = std::mem::take(&mut self.journal);
        Prepared {
            book: self,
            journal,
            deferred: None,
            outcomes: Vec::new(),
            applied: false,
        }
    }
}

impl Prepared<'_> {
    /// Applies one change with its undo steps journaled; on an error, takes back what this
    /// change did (earlier staged changes stay staged).
    fn stage(&mut self, change: &Change) -> Result<ChangeOutcome> {
        let mark = self.journal.len();
        let result = self.stage_unchecked(change);
        if result.is_err() {
            while self.journal.len() > mark {
                if let Some(undo) = self.journal.pop() {
                    self.book.undo(undo);
                }
            }
        }
        result
    }

    fn stage_unchecked(&mut self, change: &Change) -> Result<ChangeOutcome> {
        let book = &mut *self.book;
        let journal = &mut self.journal;
        Ok(match change {
            Change::CustomerAdded { customer } => {
                book.apply_add(customer.clone(), journal)?;
                ChangeOutcome::Done
            }
            Change::CustomersAdded { customers } => {
                for (i, c) in customers.iter().enumerate() {
                    book.apply_add(c.clone(), journal)
                        .map_err(|e| e.context(format_args!("customer #{i}")))?;
                }
                ChangeOutcome::Count(customers.len())
            }
            Change::CustomerUpdated { customer } => {
                book.apply_update(customer.clone(), journal)?;
                ChangeOutcome::Done
            }
            Change::EventRecorded { event } => {
                book.apply_event(event, journal)?;
                ChangeOutcome::Done
            }
            Change::EventsRecorded { events } => {
                for (i, e) in events.iter().enumerate() {
                    book.apply_event(e, journal)
                        .map_err(|err| err.context(format_args!("event #{i}")))?;
                }
                ChangeOutcome::Count(events.len())
            }
            Change::IncidentAdded { incident } => {
                book.apply_incident(incident.clone(), journal)?;
                ChangeOutcome::Done
            }
            Change::Merged {
                survivor,
                merged,
                profile,
                at,
            } => {
                let plan = book.plan_merge(*survivor, merged, profile.clone(), *at)?;
                let (record, undo) = book.apply_merge_undoable(plan);
                journal.push(Undo::Merge(Box::new(undo)));
                ChangeOutcome::Merged(record)
            }
            Change::MergesImported { merges } => {
                book.apply_imported_merges(merges, journal)?;
                ChangeOutcome::Count(merges.len())
            }
            Change::ConsentRecorded {
                customer_id,
                consent,
            } => match book.with_consent(*customer_id, consent.clone())? {
                Some(updated) => {
                    book.apply_update(updated, journal)?;
                    ChangeOutcome::Changed(true)
                }
                None => ChangeOutcome::Changed(false),
            },
            Change::LifecyclePolicySet { policy } => {
                if let Some(p) = policy {
                    p.validate()?;
                }
                let previous = std::mem::replace(
                    &mut book.lifecycle_policy,
                    policy.clone().map(std::sync::Arc::new),
                );
                journal.push(Undo::LifecyclePolicy(previous));
                ChangeOutcome::Done
            }
            Change::SlaPoliciesSet { policies } => {
                let previous = std::mem::replace(
                    &mut book.sla_policies,
                    policies.clone().map(std::sync::Arc::new),
                );
                journal.push(Undo::SlaPolicies(previous));
                ChangeOutcome::Done
            }
        })
    }
}

/// Serde for `Option<SlaPolicies>` through its JSON form ([`SlaPolicies::to_json`] and
/// [`SlaPolicies::from_json`], which validates), since the compiled policies are not serde
/// types themselves.
mod sla_json {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::sla::SlaPolicies;

    pub(super) fn serialize<S: Serializer>(
        p: &Option<SlaPolicies>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let value = match p {
            Some(p) => Some(
                serde_json::from_str::<serde_json::Value>(&p.to_json())
                    .map_err(serde::ser::Error::custom)?,
            ),
            None => None,
        };
        value.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<SlaPolicies>, D::Error> {
        Option::<serde_json::Value>::deserialize(d)?
            .map(|v| SlaPolicies::from_json(&v.to_string()).map_err(D::Error::custom))
            .transpose()
    }
}
