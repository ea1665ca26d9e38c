//! Compact storage of events inside the book.
//!
//! A book holds tens of millions of events, so strings that repeat (products, categories,
//! agents, subjects) are interned to 4-byte symbols and the currency (always the book's) is not
//! stored at all: an event takes 40 bytes instead of well over 100. The public [`Event`] is
//! rebuilt on the way out.

use rustc_hash::FxHashMap;
use std::num::NonZeroU32;

use chrono::{DateTime, Utc};

use crate::model::{
    ActivityCancelled, ActivityDone, ActivityScheduled, ActivityType, CampaignEvent, CampaignStep,
    Channel, ChurnReason, Churned, ComplaintClosed, ComplaintId, ComplaintMessage, ComplaintOpened,
    ComplaintPriorityChanged, ComplaintRated, ComplaintReopened, ComplaintResolved,
    ComplaintResponded, ComplaintStatus, ComplaintStatusChanged, Contribution, ContributionKind,
    Direction, EventKind, Interaction, Priority, Purchase, Referral, Refund, RootCause,
};

/// An interned string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Sym(NonZeroU32);

impl Sym {
    /// A number unique to the string within its interner.
    pub(crate) fn id(self) -> u32 {
        self.0.get()
    }
}

/// Interned strings; symbols are never removed (a rolled-back batch may leave unused ones,
/// which nothing can observe).
#[derive(Debug, Default, Clone)]
pub(crate) struct Interner {
    ids: FxHashMap<Box<str>, Sym>,
    names: Vec<Box<str>>,
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.ids.get(s) {
            return sym;
        }
        self.names.push(s.into());
        let n = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let sym = Sym(NonZeroU32::MIN.saturating_add(n - 1));
        self.ids.insert(s.into(), sym);
        sym
    }

    /// The symbol of `s`, if it was ever interned.
    pub(crate) fn get(&self, s: &str) -> Option<Sym> {
        self.ids.get(s).copied()
    }

    pub(crate) fn resolve(&self, sym: Sym) -> &str {
        &self.names[(sym.0.get() - 1) as usize]
    }

    fn opt(&mut self, s: &Option<String>) -> Option<Sym> {
        s.as_deref().map(|s| self.intern(s))
    }

    fn text(&self, sym: Option<Sym>) -> Option<String> {
        sym.map(|s| self.resolve(s).to_owned())
    }
}

/// One recorded event. `customer` and `referred` are dense indexes into the book.
#[derive(Debug, Clone)]
pub(crate) struct StoredEvent {
    pub(crate) at: DateTime<Utc>,
    pub(crate) customer: u32,
    pub(crate) kind: StoredKind,
}

/// [`EventKind`] with interned strings and without the currency.
#[derive(Debug, Clone)]
pub(crate) enum StoredKind {
    Purchase {
        amount: i64,
        product: Option<Sym>,
        category: Option<Sym>,
        channel: Option<Channel>,
    },
    Refund {
        amount: i64,
        product: Option<Sym>,
        reason: Option<Sym>,
        channel: Option<Channel>,
    },
    Interaction {
        channel: Channel,
        direction: Direction,
        subject: Option<Sym>,
        outcome: Option<Sym>,
        agent: Option<Sym>,
    },
    Referral {
        referred: u32,
    },
    Contribution {
        kind: ContributionKind,
        amount: i64,
        description: Option<Sym>,
    },
    ComplaintOpened {
        complaint_id: ComplaintId,
        priority: Priority,
        category: Option<Sym>,
        channel: Option<Channel>,
        description: Option<Sym>,
    },
    ComplaintResponded {
        complaint_id: ComplaintId,
        agent: Option<Sym>,
    },
    ComplaintStatusChanged {
        complaint_id: ComplaintId,
        status: ComplaintStatus,
    },
    ComplaintResolved {
        complaint_id: ComplaintId,
        root_cause: RootCause,
    },
    ComplaintReopened {
        complaint_id: ComplaintId,
    },
    ComplaintClosed {
        complaint_id: ComplaintId,
    },
    ComplaintRated {
        complaint_id: ComplaintId,
        rating: u8,
    },
    ComplaintMessage {
        complaint_id: ComplaintId,
        direction: Direction,
    },
    ComplaintPriorityChanged {
        complaint_id: ComplaintId,
        priority: Priority,
    },
    Churned {
        reason: Option<ChurnReason>,
    },
    Campaign {
        campaign: Sym,
        step: CampaignStep,
        channel: Option<Channel>,
        cost: i64,
    },
    /// `due` as nanoseconds since the Unix epoch (checked representable on the way in), so
    /// that the event keeps within 40 bytes.
    ActivityScheduled {
        activity: Sym,
        kind: ActivityType,
        owner: Sym,
        due: i64,
        note: Option<Sym>,
    },
    ActivityDone {
        activity: Sym,
        outcome: Option<Sym>,
    },
    ActivityCancelled {
        activity: Sym,
        reason: Option<Sym>,
    },
}

impl StoredKind {
    /// Stores `kind`; `referred` is the dense index of a referral's referred customer.
    pub(crate) fn store(kind: &EventKind, referred: u32, symbols: &mut Interner) -> Self {
        match kind {
            EventKind::Purchase(p) => StoredKind::Purchase {
                amount: p.amount,
                product: symbols.opt(&p.product),
                category: symbols.opt(&p.category),
                channel: p.channel,
            },
            EventKind::Refund(r) => StoredKind::Refund {
                amount: r.amount,
                product: symbols.opt(&r.product),
                reason: symbols.opt(&r.reason),
                channel: r.channel,
            },
            EventKind::Interaction(i) => StoredKind::Interaction {
                channel: i.channel,
                direction: i.direction,
                subject: symbols.opt(&i.subject),
                outcome: symbols.opt(&i.outcome),
                agent: symbols.opt(&i.agent),
            },
            EventKind::Referral(_) => StoredKind::Referral { referred },
            EventKind::Contribution(c) => StoredKind::Contribution {
                kind: c.kind,
                amount: c.amount,
                description: symbols.opt(&c.description),
            },
            EventKind::ComplaintOpened(c) => StoredKind::ComplaintOpened {
                complaint_id: c.complaint_id,
                priority: c.priority,
                category: symbols.opt(&c.category),
                channel: c.channel,
                description: symbols.opt(&c.description),
            },
            EventKind::ComplaintResponded(c) => StoredKind::ComplaintResponded {
                complaint_id: c.complaint_id,
                agent: symbols.opt(&c.agent),
            },
            EventKind::ComplaintStatusChanged(c) => StoredKind::ComplaintStatusChanged {
                complaint_id: c.complaint_id,
                status: c.status,
            },
            EventKind::ComplaintResolved(c) => StoredKind::ComplaintResolved {
                complaint_id: c.complaint_id,
                root_cause: c.root_cause,
            },
            EventKind::ComplaintReopened(c) => StoredKind::ComplaintReopened {
                complaint_id: c.complaint_id,
            },
            EventKind::ComplaintClosed(c) => StoredKind::ComplaintClosed {
                complaint_id: c.complaint_id,
            },
            EventKind::ComplaintRated(c) => StoredKind::ComplaintRated {
                complaint_id: c.complaint_id,
                rating: c.rating,
            },
            EventKind::ComplaintMessage(c) => StoredKind::ComplaintMessage {
                complaint_id: c.complaint_id,
                direction: c.direction,
            },
            EventKind::ComplaintPriorityChanged(c) => StoredKind::ComplaintPriorityChanged {
                complaint_id: c.complaint_id,
                priority: c.priority,
            },
            EventKind::Churned(c) => StoredKind::Churned { reason: c.reason },
            EventKind::Campaign(c) => StoredKind::Campaign {
                campaign: symbols.intern(&c.campaign_id),
                step: c.step,
                channel: c.channel,
                cost: c.cost,
            },
            EventKind::ActivityScheduled(a) => StoredKind::ActivityScheduled {
                activity: symbols.intern(&a.activity_id),
                kind: a.activity,
                owner: symbols.intern(&a.owner),
                // The book checked the range before storing (`due` named otherwise).
                due: a.due.timestamp_nanos_opt().unwrap_or_default(),
                note: symbols.opt(&a.note),
            },
            EventKind::ActivityDone(a) => StoredKind::ActivityDone {
                activity: symbols.intern(&a.activity_id),
                outcome: symbols.opt(&a.outcome),
            },
            EventKind::ActivityCancelled(a) => StoredKind::ActivityCancelled {
                activity: symbols.intern(&a.activity_id),
                reason: symbols.opt(&a.reason),
            },
        }
    }

    /// Rebuilds the public form; `id_of` maps a dense index back to the customer id.
    pub(crate) fn load(
        &self,
        symbols: &Interner,
        currency: &str,
        id_of: impl Fn(u32) -> u64,
    ) -> EventKind {
        let text = |s| symbols.text(s);
        match *self {
            StoredKind::Purchase {
                amount,
                product,
                category,
                channel,
            } => Purchase {
                amount,
                currency: currency.to_owned(),
                product: text(product),
                category: text(category),
                channel,
            }
            .into(),
            StoredKind::Refund {
                amount,
                product,
                reason,
                channel,
            } => Refund {
                amount,
                currency: currency.to_owned(),
                product: text(product),
                reason: text(reason),
                channel,
            }
            .into(),
            StoredKind::Interaction {
                channel,
                direction,
                subject,
                outcome,
                agent,
            } => Interaction {
                channel,
                direction,
                subject: text(subject),
                outcome: text(outcome),
                agent: text(agent),
            }
            .into(),
            StoredKind::Referral { referred } => Referral {
                referred: id_of(referred),
            }
            .into(),
            StoredKind::Contribution {
                kind,
                amount,
                description,
            } => Contribution {
                kind,
                amount,
                currency: currency.to_owned(),
                description: text(description),
            }
            .into(),
            StoredKind::ComplaintOpened {
                complaint_id,
                priority,
                category,
                channel,
                description,
            } => ComplaintOpened {
                complaint_id,
                priority,
                category: text(category),
                channel,
                description: text(description),
            }
            .into(),
            StoredKind::ComplaintResponded {
                complaint_id,
                agent,
            } => ComplaintResponded {
                complaint_id,
                agent: text(agent),
            }
            .into(),
            StoredKind::ComplaintStatusChanged {
                complaint_id,
                status,
            } => ComplaintStatusChanged {
                complaint_id,
                status,
            }
            .into(),
            StoredKind::ComplaintResolved {
                complaint_id,
                root_cause,
            } => ComplaintResolved {
                complaint_id,
                root_cause,
            }
            .into(),
            StoredKind::ComplaintReopened { complaint_id } => {
                ComplaintReopened { complaint_id }.into()
            }
            StoredKind::ComplaintClosed { complaint_id } => ComplaintClosed { complaint_id }.into(),
            StoredKind::ComplaintRated {
                complaint_id,
                rating,
            } => ComplaintRated {
                complaint_id,
                rating,
            }
            .into(),
            StoredKind::ComplaintMessage {
                complaint_id,
                direction,
            } => ComplaintMessage {
                complaint_id,
                direction,
            }
            .into(),
            StoredKind::ComplaintPriorityChanged {
                complaint_id,
                priority,
            } => ComplaintPriorityChanged {
                complaint_id,
                priority,
            }
            .into(),
            StoredKind::Churned { reason } => Churned { reason }.into(),
            StoredKind::Campaign {
                campaign,
                step,
                channel,
                cost,
            } => CampaignEvent {
                campaign_id: symbols.resolve(campaign).to_owned(),
                step,
                channel,
                cost,
            }
            .into(),
            StoredKind::ActivityScheduled {
                activity,
                kind,
                owner,
                due,
                note,
            } => ActivityScheduled {
                activity_id: symbols.resolve(activity).to_owned(),
                activity: kind,
                owner: symbols.resolve(owner).to_owned(),
                due: DateTime::from_timestamp_nanos(due),
                note: text(note),
            }
            .into(),
            StoredKind::ActivityDone { activity, outcome } => ActivityDone {
                activity_id: symbols.resolve(activity).to_owned(),
                outcome: text(outcome),
            }
            .into(),
            StoredKind::ActivityCancelled { activity, reason } => ActivityCancelled {
                activity_id: symbols.resolve(activity).to_owned(),
                reason: text(reason),
            }
            .into(),
        }
    }

    /// The activity an activity event is about.
    pub(crate) fn activity(&self) -> Option<Sym> {
        match *self {
            StoredKind::ActivityScheduled { activity, .. }
            | StoredKind::ActivityDone { activity, .. }
            | StoredKind::ActivityCancelled { activity, .. } => Some(activity),
            _ => None,
        }
    }

    /// The channel, for the kinds that carry one.
    pub(crate) fn channel(&self) -> Option<Channel> {
        match *self {
            StoredKind::Purchase { channel, .. }
            | StoredKind::Refund { channel, .. }
            | StoredKind::ComplaintOpened { channel, .. }
            | StoredKind::Campaign { channel, .. } => channel,
            StoredKind::Interaction { channel, .. } => Some(channel),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_round_trips_and_dedups() {
        let mut i = Interner::default();
        let a = i.intern("elektronik");
        let b = i.intern("gıda");
        assert_eq!(i.intern("elektronik"), a);
        assert_ne!(a, b);
        assert_eq!(i.resolve(b), "gıda");
    }

    #[test]
    fn stored_event_stays_small() {
        // The memory target for 10 million events depends on this.
        assert!(std::mem::size_of::<StoredEvent>() <= 40);
    }
}
