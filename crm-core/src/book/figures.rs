//! Per-customer figures as of an instant, computed from the raw events on demand.
//!
//! Both the 360° view and the feature export go through [`CustomerBook::figures`], so the two
//! never disagree, and there is no running total that could drift from the events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CustomerBook;
use super::store::StoredKind;
use crate::model::{
    CampaignStep, Channel, ComplaintId, ComplaintStatus, ContributionKind, CustomerId, Direction,
    Priority, RootCause,
};

/// Purchase figures of one customer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PurchaseFigures {
    /// Number of purchases.
    pub count: u32,
    /// Number of refunds.
    pub refunds: u32,
    /// Sum of purchases, minor units.
    pub gross: i64,
    /// Sum of refunds, minor units.
    pub refunded: i64,
    /// `gross - refunded`.
    pub net: i64,
    /// `gross / count` in minor units; `None` without purchases.
    pub average_basket: Option<f64>,
    /// The first purchase.
    pub first: Option<DateTime<Utc>>,
    /// The last purchase.
    pub last: Option<DateTime<Utc>>,
    /// Categories bought, the largest amount first (ties by name).
    pub categories: Vec<CategoryFigures>,
}

/// What a customer bought in one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryFigures {
    /// The category.
    pub category: String,
    /// Number of purchases in it.
    pub purchases: u32,
    /// Their sum, minor units.
    pub amount: i64,
}

/// Contacts on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelActivity {
    /// The channel.
    pub channel: Channel,
    /// Contacts the customer started.
    pub inbound: u32,
    /// Contacts the company started.
    pub outbound: u32,
    /// Purchases made on it.
    pub purchases: u32,
    /// The latest contact or purchase on it.
    pub last: DateTime<Utc>,
}

/// Referrals made and received.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReferralFigures {
    /// Customers this one brought in, in time order.
    pub made: Vec<CustomerId>,
    /// Who brought this customer in: a recorded referral, else the profile's `referred_by`.
    pub referred_by: Option<CustomerId>,
}

/// Value brought other than purchases.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContributionFigures {
    /// Number of contributions.
    pub count: u32,
    /// Sum of co-investments, minor units.
    pub co_investment: i64,
    /// Sum of cost sharing, minor units.
    pub cost_sharing: i64,
}

/// One complaint as it stood at the view's instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintSummary {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// How urgent.
    pub priority: Priority,
    /// What about.
    pub category: Option<String>,
    /// Where it came in.
    pub channel: Option<Channel>,
    /// Where it stands.
    pub status: ComplaintStatus,
    /// The company's first response.
    pub first_response_at: Option<DateTime<Utc>>,
    /// The latest resolution.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The root cause given at the latest resolution.
    pub root_cause: Option<RootCause>,
    /// How often it was reopened.
    pub reopened: u32,
    /// The customer's rating, 1 to 5.
    pub rating: Option<u8>,
    /// The SLA state as of the view, for open complaints when the book has SLA policies
    /// ([`CustomerBook::set_sla_policies`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<crate::sla::ComplaintSla>,
}

/// Complaint figures of one customer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ComplaintFigures {
    /// Complaints opened.
    pub total: u32,
    /// The ones not resolved or closed, oldest first.
    pub open: Vec<ComplaintSummary>,
    /// The resolved or closed ones, oldest first.
    pub settled: Vec<ComplaintSummary>,
}

/// Everything the engines need to know about one customer as of an instant.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    pub(crate) purchases: PurchaseFigures,
    pub(crate) channels: Vec<ChannelActivity>,
    pub(crate) referrals: ReferralFigures,
    pub(crate) contributions: ContributionFigures,
    pub(crate) complaints: ComplaintFigures,
    /// The earliest event of the customer's own (not a referral received).
    pub(crate) first_event: Option<DateTime<Utc>>,
    /// Number of the customer's events (a referral received counts) up to the instant.
    pub(crate) events: usize,
}

impl CustomerBook {
    /// The figures of the customer at dense index `dense` from its events at or before `as_of`.
    /// `with_details` also collects categories and channel activity (the view needs them, the
    /// feature export does not).
    pub(crate) fn figures(&self, dense: u32, as_of: DateTime<Utc>, with_details: bool) -> Figures {
        let mut f = Figures::default();
        let mut complaints: Vec<ComplaintSummary> = Vec::new();
        let list = &self.by_customer[dense as usize];
        let upto = list.partition_point(|&i| self.events[i as usize].at <= as_of);
        f.events = upto;
        for &i in &list[..upto] {
            let e = &self.events[i as usize];
            if e.customer != dense {
                // A referral that brought this customer in.
                f.referrals.referred_by = Some(self.id_of(e.customer));
                continue;
            }
            f.first_event.get_or_insert(e.at);
            if with_details {
                self.note_channel(&mut f.channels, &e.kind, e.at);
            }
            match e.kind {
                StoredKind::Purchase {
                    amount, category, ..
                } => {
                    let p = &mut f.purchases;
                    p.count += 1;
                    p.gross += amount;
                    p.first.get_or_insert(e.at);
                    p.last = Some(e.at);
                    if let (true, Some(cat)) = (with_details, category) {
                        let name = self.symbols.resolve(cat);
                        match p.categories.iter_mut().find(|c| c.category == name) {
                            Some(c) => {
                                c.purchases += 1;
                                c.amount += amount;
                            }
                            None => p.categories.push(CategoryFigures {
                                category: name.to_owned(),
                                purchases: 1,
                                amount,
                            }),
                        }
                    }
                }
                StoredKind::Refund { amount, .. } => {
                    f.purchases.refunds += 1;
                    f.purchases.refunded += amount;
                }
                StoredKind::Referral { referred } => {
                    f.referrals.made.push(self.id_of(referred));
                }
                StoredKind::Contribution { kind, amount, .. } => {
                    let c = &mut f.contributions;
                    c.count += 1;
                    match kind {
                        ContributionKind::CoInvestment => c.co_investment += amount,
                        ContributionKind::CostSharing => c.cost_sharing += amount,
                    }
                }
                StoredKind::Interaction { .. } => {}
                _ => self.note_complaint(&mut complaints, &e.kind, e.at),
            }
        }
        let p = &mut f.purchases;
        p.net = p.gross - p.refunded;
        p.average_basket = (p.count > 0).then(|| p.gross as f64 / f64::from(p.count));
        p.categories.sort_by(|a, b| {
            b.amount
                .cmp(&a.amount)
                .then_with(|| a.category.cmp(&b.category))
        });
        f.channels.sort_by_key(|c| c.channel);
        if f.referrals.referred_by.is_none() {
            f.referrals.referred_by = self.customers[dense as usize].referred_by;
        }
        f.complaints.total = complaints.len() as u32;
        let (open, settled) = complaints.into_iter().partition(|c| c.status.is_active());
        f.complaints.open = open;
        f.complaints.settled = settled;
        f
    }

    fn note_channel(
        &self,
        channels: &mut Vec<ChannelActivity>,
        kind: &StoredKind,
        at: DateTime<Utc>,
    ) {
        let Some(channel) = kind.channel() else {
            return;
        };
        // Being chosen for a campaign (or held out) is no contact on its channel.
        if let StoredKind::Campaign { step, .. } = kind {
            if step.is_assignment() {
                return;
            }
        }
        let slot = match channels.iter().position(|c| c.channel == channel) {
            Some(i) => &mut channels[i],
            None => {
                channels.push(ChannelActivity {
                    channel,
                    inbound: 0,
                    outbound: 0,
                    purchases: 0,
                    last: at,
                });
                channels.last_mut().expect("just pushed")
            }
        };
        slot.last = slot.last.max(at);
        match kind {
            StoredKind::Interaction {
                direction: Direction::Inbound,
                ..
            }
            | StoredKind::ComplaintOpened { .. } => slot.inbound += 1,
            StoredKind::Interaction {
                direction: Direction::Outbound,
                ..
            }
            | StoredKind::Campaign {
                step: CampaignStep::Sent,
                ..
            } => slot.outbound += 1,
            StoredKind::Campaign {
                step: CampaignStep::Responded,
                ..
            } => slot.inbound += 1,
            StoredKind::Purchase { .. } => slot.purchases += 1,
            _ => {}
        }
    }

    fn note_complaint(
        &self,
        complaints: &mut Vec<ComplaintSummary>,
        kind: &StoredKind,
        at: DateTime<Utc>,
    ) {
        if let StoredKind::ComplaintOpened {
            complaint_id,
            priority,
            category,
            channel,
            ..
        } = *kind
        {
            complaints.push(ComplaintSummary {
                complaint_id,
                opened_at: at,
                priority,
                category: category.map(|s| self.symbols.resolve(s).to_owned()),
                channel,
                status: ComplaintStatus::Open,
                first_response_at: None,
                resolved_at: None,
                root_cause: None,
                reopened: 0,
                rating: None,
                sla: None,
            });
            return;
        }
        let id = match *kind {
            StoredKind::ComplaintResponded { complaint_id, .. }
            | StoredKind::ComplaintStatusChanged { complaint_id, .. }
            | StoredKind::ComplaintResolved { complaint_id, .. }
            | StoredKind::ComplaintReopened { complaint_id }
            | StoredKind::ComplaintClosed { complaint_id }
            | StoredKind::ComplaintRated { complaint_id, .. }
            | StoredKind::ComplaintMessage { complaint_id, .. }
            | StoredKind::ComplaintPriorityChanged { complaint_id, .. } => complaint_id,
            _ => return,
        };
        // The book guarantees the opening event came first.
        let Some(c) = complaints.iter_mut().rev().find(|c| c.complaint_id == id) else {
            return;
        };
        match *kind {
            // An outbound message answers the customer as much as a formal response does.
            StoredKind::ComplaintResponded { .. }
            | StoredKind::ComplaintMessage {
                direction: Direction::Outbound,
                ..
            } => {
                c.first_response_at.get_or_insert(at);
            }
            StoredKind::ComplaintPriorityChanged { priority, .. } => c.priority = priority,
            StoredKind::ComplaintStatusChanged { status, .. } => c.status = status,
            StoredKind::ComplaintResolved { root_cause, .. } => {
                c.status = ComplaintStatus::Resolved;
                c.resolved_at = Some(at);
                c.root_cause = Some(root_cause);
            }
            StoredKind::ComplaintReopened { .. } => {
                c.status = ComplaintStatus::Open;
                c.reopened += 1;
                c.rating = None;
            }
            StoredKind::ComplaintClosed { .. } => c.status = ComplaintStatus::Closed,
            StoredKind::ComplaintRated { rating, .. } => c.rating = Some(rating),
            _ => {}
        }
    }
}
