//! Everything that changes a book: validation first, then the change, with an undo journal so
//! that batches are all or nothing.

use chrono::{DateTime, Utc};

use super::CustomerBook;
use super::invariants::Scope;
use super::store::{StoredEvent, StoredKind};
use crate::error::{CrmError, ErrorKind, Result, mask};
use crate::model::{
    ComplaintId, ComplaintStatus, Customer, CustomerKind, Event, EventKind, Incident,
};

/// What the book remembers of a complaint to check the next event about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComplaintState {
    pub(crate) customer: u32,
    pub(crate) status: ComplaintStatus,
    pub(crate) responded: bool,
    pub(crate) rated: bool,
    pub(crate) last_at: DateTime<Utc>,
}

/// How to take one applied change back.
#[derive(Debug, Clone)]
pub(crate) enum Undo {
    CustomerAdded,
    CustomerReplaced {
        dense: u32,
        previous: Box<Customer>,
    },
    EventRecorded,
    Complaint {
        id: ComplaintId,
        previous: Option<ComplaintState>,
    },
    IncidentAdded,
    LifecyclePolicy(Option<std::sync::Arc<crate::lifecycle::LifecyclePolicy>>),
    SlaPolicies(Option<std::sync::Arc<crate::sla::SlaPolicies>>),
    /// A merge inside a batch of changes: what it moved, to move back
    /// ([`CustomerBook::unmerge`]).
    Merge(Box<super::merge::MergeUndo>),
    /// Imported merge records: the redirects before, and how many records there were.
    MergesImported {
        redirects: rustc_hash::FxHashMap<crate::model::CustomerId, crate::model::CustomerId>,
        merges: usize,
    },
}

impl CustomerBook {
    /// Adds a new customer.
    ///
    /// # Errors
    /// [`ErrorKind::Duplicate`] when the id exists or was merged away (merged ids stay
    /// reserved, so that [`CustomerBook::resolve`] never changes meaning);
    /// [`ErrorKind::InvalidInput`] for a person without any name, an organisation without its
    /// name, a national id or tax id that is not all digits of the right length (11 and 10),
    /// or a self-referral; [`ErrorKind::NotFound`] when `referred_by` names an unknown
    /// customer (a merged-away referrer is replaced by its survivor).
    ///
    /// ```
    /// # use crm_core::{book::CustomerBook, model::Customer, ErrorKind};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customer(Customer::person(1, "Ali", "Kaya"))?;
    /// let err = book.add_customer(Customer::person(1, "Veli", "Kaya")).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Duplicate);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn add_customer(&mut self, customer: Customer) -> Result<()> {
        self.atomically(|book, journal| book.apply_add(customer, journal))
    }

    /// Adds many customers, all or nothing. A customer may name an earlier one of the same
    /// batch as `referred_by`. Returns how many were added.
    ///
    /// # Errors
    /// As [`CustomerBook::add_customer`], with the position in the batch in front of the
    /// message; nothing is added then.
    pub fn add_customers(
        &mut self,
        customers: impl IntoIterator<Item = Customer>,
    ) -> Result<usize> {
        self.atomically(|book, journal| {
            let mut n = 0;
            for (i, c) in customers.into_iter().enumerate() {
                book.apply_add(c, journal)
                    .map_err(|e| e.context(format_args!("customer #{i}")))?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// Replaces the profile of an existing customer (found by `customer.id`).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id, [`ErrorKind::Conflict`] for a merged-away id
    /// (update its survivor); the checks of [`CustomerBook::add_customer`];
    /// [`ErrorKind::Conflict`] when the book rejects early events and the new `acquired_at`
    /// is later than an event already recorded for the customer.
    pub fn update_customer(&mut self, customer: Customer) -> Result<()> {
        self.atomically(|book, journal| book.apply_update(customer, journal))
    }

    /// Records one event.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown customer, complaint or referred customer;
    /// [`ErrorKind::InvalidInput`] for a negative purchase, a refund or contribution that is
    /// not positive, another currency than the book's, a self-referral, a rating outside 1..=5,
    /// a status change to `resolved` or `closed`, an amount that would take the book's money
    /// past [`super::MAX_MONEY_TOTAL`] (naming `amount`); [`ErrorKind::Duplicate`] for a complaint id
    /// opened twice; [`ErrorKind::Conflict`] for an event before its customer's acquisition
    /// (unless the book accepts them) and for complaint events out of order (dated before the
    /// complaint's previous event, a response to a closed complaint, a second first response,
    /// resolving a resolved complaint, rating an unresolved one…).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use crm_core::{book::CustomerBook, model::*, ErrorKind};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customer(Customer::person(1, "Ali", "Kaya"))?;
    /// let t = Utc.with_ymd_and_hms(2025, 1, 2, 10, 0, 0).unwrap();
    /// let late = ComplaintResolved { complaint_id: 9, root_cause: RootCause::Billing };
    /// let err = book.record(Event::new(1, t, late)).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// assert_eq!(err.to_string(), "unknown complaint_id 9");
    /// assert_eq!(book.event_count(), 0);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn record(&mut self, event: Event) -> Result<()> {
        self.atomically(|book, journal| book.apply_event(&event, journal))
    }

    /// Records many events in order, all or nothing; returns how many were recorded.
    ///
    /// # Errors
    /// As [`CustomerBook::record`], with the position in the batch in front of the message;
    /// nothing is recorded then.
    pub fn record_all(&mut self, events: impl IntoIterator<Item = Event>) -> Result<usize> {
        self.atomically(|book, journal| {
            let mut n = 0;
            for (i, e) in events.into_iter().enumerate() {
                book.apply_event(&e, journal)
                    .map_err(|err| err.context(format_args!("event #{i}")))?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// Adds a company-side incident.
    ///
    /// # Errors
    /// [`ErrorKind::Duplicate`] for an incident id already present; [`ErrorKind::InvalidInput`]
    /// when `end` is before `start` or the description is empty.
    pub fn add_incident(&mut self, incident: Incident) -> Result<()> {
        self.atomically(|book, journal| book.apply_incident(incident, journal))
    }

    /// Runs `f`; if it fails, takes back every change it journaled.
    fn atomically<T>(
        &mut self,
        f: impl FnOnce(&mut Self, &mut Vec<Undo>) -> Result<T>,
    ) -> Result<T> {
        let mut journal = std::mem::take(&mut self.journal);
        let result = f(self, &mut journal);
        if result.is_err() {
            while let Some(undo) = journal.pop() {
                self.undo(undo);
            }
        }
        journal.clear();
        self.journal = journal;
        result
    }

    pub(super) fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::CustomerAdded => {
                if let Some(c) = self.customers.pop() {
                    super::find::reindex(&mut self.lookup, Some(&c), None);
                    self.index.remove(&c.id);
                    self.by_customer.pop();
                }
            }
            Undo::CustomerReplaced { dense, previous } => {
                let current = &self.customers[dense as usize];
                super::find::reindex(&mut self.lookup, Some(current), Some(&previous));
                self.customers[dense as usize] = *previous;
            }
            Undo::EventRecorded => {
                let Some(e) = self.events.pop() else { return };
                self.money_total -= money_of(&e.kind);
                let idx = self.events.len() as u32;
                self.event_locations.remove(&idx);
                let mut owners = vec![e.customer];
                if let StoredKind::Referral { referred } = e.kind {
                    owners.push(referred);
                }
                for owner in owners {
                    let list = &mut self.by_customer[owner as usize];
                    if let Some(pos) = list.iter().rposition(|&i| i == idx) {
                        list.remove(pos);
                    }
                }
            }
            Undo::Complaint { id, previous } => match previous {
                Some(state) => {
                    self.complaints.insert(id, state);
                }
                None => {
                    self.complaints.remove(&id);
                }
            },
            Undo::IncidentAdded => {
                self.incidents.pop();
            }
            Undo::LifecyclePolicy(previous) => self.lifecycle_policy = previous,
            Undo::SlaPolicies(previous) => self.sla_policies = previous,
            Undo::Merge(merge) => self.unmerge(*merge),
            Undo::MergesImported { redirects, merges } => {
                self.redirects = redirects;
                self.merges.truncate(merges);
            }
        }
    }

    pub(super) fn apply_add(
        &mut self,
        mut customer: Customer,
        journal: &mut Vec<Undo>,
    ) -> Result<()> {
        if self.index.contains_key(&customer.id) {
            return Err(CrmError::duplicate("customer_id", customer.id));
        }
        self.repoint_referrer(&mut customer);
        let dense = u32::try_from(self.customers.len())
            .map_err(|_| CrmError::invalid("customer_id", customer.id, "the book is full"))?;
        self.index.insert(customer.id, dense);
        super::find::reindex(&mut self.lookup, None, Some(&customer));
        self.customers.push(customer);
        self.by_customer.push(Vec::new());
        journal.push(Undo::CustomerAdded);
        self.check_invariants(Scope::Customer(dense))
    }

    pub(super) fn apply_update(
        &mut self,
        mut customer: Customer,
        journal: &mut Vec<Undo>,
    ) -> Result<()> {
        // The entry-time index scores this profile afresh from now on.
        self.match_cache.touch(customer.id);
        // Not `dense`: a merged-away id must not rename its survivor.
        let Some(&dense) = self.index.get(&customer.id) else {
            return Err(match self.redirects.get(&customer.id) {
                Some(survivor) => CrmError::conflict(
                    "customer_id",
                    customer.id,
                    format_args!("was merged into customer {survivor}; update that customer"),
                ),
                None => CrmError::not_found("customer_id", customer.id),
            });
        };
        self.repoint_referrer(&mut customer);
        super::find::reindex(
            &mut self.lookup,
            Some(&self.customers[dense as usize]),
            Some(&customer),
        );
        let previous = std::mem::replace(&mut self.customers[dense as usize], customer);
        journal.push(Undo::CustomerReplaced {
            dense,
            previous: Box::new(previous),
        });
        self.check_invariants(Scope::Customer(dense))
    }

    /// A `referred_by` naming a merged-away id names its survivor instead.
    fn repoint_referrer(&self, customer: &mut Customer) {
        if let Some(r) = customer.referred_by.filter(|r| !self.index.contains_key(r)) {
            customer.referred_by = self.resolve(r).or(Some(r));
        }
    }

    /// Checks what a profile can be checked for on its own; deeper data-quality checks
    /// (checksums, placeholders) belong to the `quality` module, because a book must accept
    /// imperfect real-world records in order to clean them.
    pub(crate) fn check_profile(&self, c: &Customer) -> Result<()> {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        // A person may have no name at all (anonymous loyalty-card data); a name that is
        // given must not be blank.
        let given_blank = |s: &Option<String>| s.as_deref().is_some_and(|s| s.trim().is_empty());
        match c.kind {
            CustomerKind::Person if given_blank(&c.given_name) || given_blank(&c.family_name) => {
                let field = if given_blank(&c.given_name) {
                    "given_name"
                } else {
                    "family_name"
                };
                return Err(CrmError::invalid(
                    field,
                    "(blank)",
                    format_args!(
                        "person {} has a blank name; leave it out for a customer without one",
                        c.id
                    ),
                ));
            }
            CustomerKind::Organisation if blank(&c.organisation_name) => {
                return Err(CrmError::invalid(
                    "organisation_name",
                    "(empty)",
                    format_args!("organisation {} needs its registered name", c.id),
                ));
            }
            _ => {}
        }
        check_digits("national_id", c.national_id.as_deref(), 11)?;
        check_digits("tax_id", c.tax_id.as_deref(), 10)?;
        if let Some(referrer) = c.referred_by {
            if referrer == c.id {
                return Err(CrmError::invalid(
                    "referred_by",
                    referrer,
                    "a customer cannot refer themselves",
                ));
            }
            if !self.index.contains_key(&referrer) {
                return Err(CrmError::not_found("referred_by", referrer));
            }
        }
        Ok(())
    }

    pub(super) fn apply_incident(
        &mut self,
        incident: Incident,
        journal: &mut Vec<Undo>,
    ) -> Result<()> {
        if self.incidents.iter().any(|i| i.id == incident.id) {
            return Err(CrmError::duplicate("incident_id", incident.id));
        }
        if let Some(end) = incident.end.filter(|&end| end < incident.start) {
            return Err(CrmError::invalid(
                "end",
                end.to_rfc3339(),
                format_args!("before start {}", incident.start.to_rfc3339()),
            ));
        }
        if incident.description.trim().is_empty() {
            return Err(CrmError::invalid(
                "description",
                "(empty)",
                "an incident needs a description for the agent",
            ));
        }
        self.incidents.push(incident);
        journal.push(Undo::IncidentAdded);
        Ok(())
    }

    pub(super) fn apply_event(&mut self, event: &Event, journal: &mut Vec<Undo>) -> Result<()> {
        let dense = self.dense(event.customer_id)?;
        let referred = self.check_kind(event)?;
        if let Some(location) = &event.location {
            location.validate()?;
        }
        let complaint = self.check_complaint(dense, event)?;
        self.check_activity(dense, event)?;

        let idx = self.events.len() as u32;
        let kind = StoredKind::store(&event.kind, referred.unwrap_or(dense), &mut self.symbols);
        let money = money_of(&kind);
        let money_total = self.money_total + money;
        if money_total > super::MAX_MONEY_TOTAL as u128 {
            return Err(CrmError::invalid(
                "amount",
                money,
                format_args!(
                    "the book's purchases, refunds and contributions would add up to more \
                     than {} minor units, the most a 64-bit sum holds",
                    super::MAX_MONEY_TOTAL
                ),
            ));
        }
        self.events.push(StoredEvent {
            at: event.at,
            customer: dense,
            kind,
        });
        self.money_total = money_total;
        if let Some(location) = &event.location {
            self.event_locations.insert(idx, location.clone());
        }
        journal.push(Undo::EventRecorded);
        for owner in std::iter::once(dense).chain(referred) {
            let events = &self.events;
            let list = &mut self.by_customer[owner as usize];
            // Events mostly arrive in time order: append without searching when they do.
            let in_order = list
                .last()
                .is_none_or(|&i| events[i as usize].at <= event.at);
            if in_order {
                list.push(idx);
            } else {
                let pos = list.partition_point(|&i| events[i as usize].at <= event.at);
                list.insert(pos, idx);
            }
        }
        if let Some((id, state)) = complaint {
            let previous = self.complaints.insert(id, state);
            journal.push(Undo::Complaint { id, previous });
        }
        // The rest (acquisition date) is the book's invariant; a failure is undone.
        self.check_invariants(Scope::Event(idx))
    }

    /// Checks amounts, currency and referrals; returns the referred customer's dense index.
    fn check_kind(&self, event: &Event) -> Result<Option<u32>> {
        let currency = |c: &str| {
            if c == self.config.currency {
                Ok(())
            } else {
                Err(CrmError::invalid(
                    "currency",
                    c,
                    format_args!("the book's currency is {}", self.config.currency),
                ))
            }
        };
        match &event.kind {
            EventKind::Purchase(p) => {
                if p.amount < 0 {
                    return Err(CrmError::invalid(
                        "amount",
                        p.amount,
                        "a purchase must not be negative (record a refund instead)",
                    ));
                }
                currency(&p.currency)?;
            }
            EventKind::Refund(r) => {
                positive(r.amount, "a refund")?;
                currency(&r.currency)?;
            }
            EventKind::Contribution(c) => {
                positive(c.amount, "a contribution")?;
                currency(&c.currency)?;
            }
            EventKind::Referral(r) => {
                if r.referred == event.customer_id {
                    return Err(CrmError::invalid(
                        "referred",
                        r.referred,
                        "a customer cannot refer themselves",
                    ));
                }
                let referred = self.dense(r.referred).map_err(|_| {
                    CrmError::new(
                        ErrorKind::NotFound,
                        Some("referred"),
                        format!("unknown referred customer {}", r.referred),
                    )
                })?;
                return Ok(Some(referred));
            }
            EventKind::ComplaintRated(r) if !(1..=5).contains(&r.rating) => {
                return Err(CrmError::invalid("rating", r.rating, "must be 1 to 5"));
            }
            EventKind::ComplaintStatusChanged(s) if !s.status.is_active() => {
                return Err(CrmError::invalid(
                    "status",
                    status_name(s.status),
                    "use the complaint_resolved or complaint_closed event",
                ));
            }
            EventKind::Campaign(c) => c.check()?,
            EventKind::ActivityScheduled(a) => {
                a.check()?;
                if a.due < event.at {
                    return Err(CrmError::invalid(
                        "due",
                        a.due.to_rfc3339(),
                        format_args!("before the scheduling instant {}", event.at.to_rfc3339()),
                    ));
                }
                if a.due.timestamp_nanos_opt().is_none() {
                    return Err(CrmError::invalid(
                        "due",
                        a.due.to_rfc3339(),
                        "must lie between the years 1678 and 2261",
                    ));
                }
            }
            EventKind::ActivityDone(a) => a.check()?,
            EventKind::ActivityCancelled(a) => a.check()?,
            _ => {}
        }
        Ok(None)
    }

    /// Checks a complaint event against the complaint's state; returns the new state.
    fn check_complaint(
        &self,
        dense: u32,
        event: &Event,
    ) -> Result<Option<(ComplaintId, ComplaintState)>> {
        let Some(id) = event.kind.complaint_id() else {
            return Ok(None);
        };
        if let EventKind::ComplaintOpened(_) = event.kind {
            if self.complaints.contains_key(&id) {
                return Err(CrmError::duplicate("complaint_id", id));
            }
            let state = ComplaintState {
                customer: dense,
                status: ComplaintStatus::Open,
                responded: false,
                rated: false,
                last_at: event.at,
            };
            return Ok(Some((id, state)));
        }
        let state = self
            .complaints
            .get(&id)
            .ok_or_else(|| CrmError::not_found("complaint_id", id))?;
        if state.customer != dense {
            return Err(CrmError::conflict(
                "complaint_id",
                id,
                format_args!(
                    "the complaint belongs to customer {}, not {}",
                    self.id_of(state.customer),
                    event.customer_id
                ),
            ));
        }
        let what = event.kind.type_name();
        if event.at < state.last_at {
            return Err(CrmError::conflict(
                "at",
                event.at.to_rfc3339(),
                format_args!(
                    "{what} for complaint {id} is dated before its previous event at {}",
                    state.last_at.to_rfc3339()
                ),
            ));
        }
        let refuse = |reason: &str| {
            Err(CrmError::conflict(
                "complaint_id",
                id,
                format_args!("{what} not allowed: {reason}"),
            ))
        };
        let mut next = state.clone();
        next.last_at = event.at;
        let status = state.status;
        match &event.kind {
            EventKind::ComplaintResponded(_) => {
                if status == ComplaintStatus::Closed {
                    return refuse("the complaint is closed");
                }
                if state.responded {
                    return refuse("the complaint already has a first response");
                }
                next.responded = true;
            }
            EventKind::ComplaintStatusChanged(s) => {
                if !status.is_active() {
                    return refuse(&format!("the complaint is {}", status_name(status)));
                }
                next.status = s.status;
            }
            EventKind::ComplaintResolved(_) => {
                if !status.is_active() {
                    return refuse(&format!("the complaint is {}", status_name(status)));
                }
                next.status = ComplaintStatus::Resolved;
            }
            EventKind::ComplaintReopened(_) => {
                if status != ComplaintStatus::Resolved {
                    return refuse(&format!(
                        "only a resolved complaint can be reopened; it is {}",
                        status_name(status)
                    ));
                }
                next.status = ComplaintStatus::Open;
                next.rated = false;
            }
            EventKind::ComplaintClosed(_) => {
                if status == ComplaintStatus::Closed {
                    return refuse("the complaint is closed");
                }
                next.status = ComplaintStatus::Closed;
            }
            EventKind::ComplaintMessage(_) if status == ComplaintStatus::Closed => {
                return refuse("the complaint is closed");
            }
            EventKind::ComplaintPriorityChanged(_) if !status.is_active() => {
                return refuse(&format!("the complaint is {}", status_name(status)));
            }
            EventKind::ComplaintRated(_) => {
                if status.is_active() {
                    return refuse("the complaint is not resolved yet");
                }
                if state.rated {
                    return refuse("the complaint is already rated");
                }
                next.rated = true;
            }
            _ => {}
        }
        Ok(Some((id, next)))
    }
}

/// The amount of money an event moves (its absolute value, checked non-negative already), 0
/// for events without one.
fn money_of(kind: &StoredKind) -> u128 {
    match *kind {
        StoredKind::Purchase { amount, .. }
        | StoredKind::Refund { amount, .. }
        | StoredKind::Contribution { amount, .. }
        | StoredKind::Campaign { cost: amount, .. } => u128::from(amount.unsigned_abs()),
        _ => 0,
    }
}

fn positive(amount: i64, what: &str) -> Result<()> {
    if amount <= 0 {
        return Err(CrmError::invalid(
            "amount",
            amount,
            format_args!("{what} must be positive"),
        ));
    }
    Ok(())
}

fn check_digits(field: &str, value: Option<&str>, len: usize) -> Result<()> {
    match value {
        Some(v) if v.len() != len || !v.bytes().all(|b| b.is_ascii_digit()) => Err(
            CrmError::invalid(field, mask(v), format_args!("must be {len} digits")),
        ),
        _ => Ok(()),
    }
}

pub(crate) fn status_name(s: ComplaintStatus) -> &'static str {
    s.name()
}
