//! Company-side contact per customer: when the company last reached out, and which channels
//! a customer has used (for the frequency cap and the `channel` audience field).

use chrono::{DateTime, Utc};

use super::CustomerBook;
use super::store::StoredKind;
use crate::error::Result;
use crate::features::ContactFeatures;
use crate::model::{CampaignStep, Channel, Direction};
use crate::sla::SlaPolicies;
use crate::time::days_between;

/// Per customer (the book's order), up to an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContactColumns {
    /// The last outbound contact from the company: an outbound interaction or a complaint
    /// response.
    pub(crate) last_outbound: Vec<Option<DateTime<Utc>>>,
    /// Channels with a purchase or interaction, one bit per [`Channel::ALL`] position.
    pub(crate) channels: Vec<u16>,
}

fn bit(channel: Channel) -> u16 {
    let i = Channel::ALL.iter().position(|&c| c == channel).unwrap_or(0);
    1 << i
}

impl CustomerBook {
    /// One pass over the events dated at or before `at`.
    pub(crate) fn contact_columns(&self, at: DateTime<Utc>) -> ContactColumns {
        let n = self.customers.len();
        let mut last_outbound: Vec<Option<DateTime<Utc>>> = vec![None; n];
        let mut channels = vec![0u16; n];
        for e in self.events.iter().filter(|e| e.at <= at) {
            let row = e.customer as usize;
            let outbound = match &e.kind {
                StoredKind::Interaction {
                    channel, direction, ..
                } => {
                    channels[row] |= bit(*channel);
                    *direction == Direction::Outbound
                }
                StoredKind::Purchase {
                    channel: Some(c), ..
                } => {
                    channels[row] |= bit(*c);
                    false
                }
                StoredKind::ComplaintResponded { .. } => true,
                // A campaign message that left the company is a contact; being chosen for
                // one (or held out of it) is not.
                StoredKind::Campaign { step, .. } => {
                    matches!(step, CampaignStep::Sent | CampaignStep::Delivered)
                }
                _ => false,
            };
            if outbound && last_outbound[row].is_none_or(|t| t < e.at) {
                last_outbound[row] = Some(e.at);
            }
        }
        ContactColumns {
            last_outbound,
            channels,
        }
    }
}

impl CustomerBook {
    /// The company-side contact features as of `as_of` (see [`ContactFeatures`] for the
    /// definitions), in one pass over each customer's events. Breached complaints are judged
    /// under `sla`, or else the book's attached SLA policies, or else not at all (0).
    ///
    /// # Errors
    /// An SLA evaluation error (a calendar that cannot answer the instant).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use crm_core::{book::CustomerBook, model::*};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customer(Customer::person(5, "Can", "Öz"))?;
    /// let day = |d| Utc.with_ymd_and_hms(2025, 1, d, 12, 0, 0).unwrap();
    /// let call = |direction| Interaction { channel: Channel::Phone, direction,
    ///     subject: None, outcome: None, agent: None };
    /// book.record(Event::new(5, day(1), call(Direction::Outbound)))?;
    /// book.record(Event::new(5, day(3), call(Direction::Inbound)))?;
    /// let f = book.contact_features(day(11), None)?;
    /// assert_eq!(f.days_since_contact, vec![10.0]);
    /// assert_eq!(f.unanswered_inbound, vec![1]);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn contact_features(
        &self,
        as_of: DateTime<Utc>,
        sla: Option<&SlaPolicies>,
    ) -> Result<ContactFeatures> {
        let n = self.customers.len();
        let mut out = ContactFeatures {
            as_of,
            customer_id: Vec::with_capacity(n),
            days_since_contact: Vec::with_capacity(n),
            unanswered_inbound: Vec::with_capacity(n),
            complaints_breached: Vec::with_capacity(n),
            activities_overdue: Vec::with_capacity(n),
        };
        let sla = sla.or(self.sla_policies.as_deref());
        let mut open: Vec<(super::store::Sym, i64)> = Vec::new();
        let mut trails = Vec::new();
        let as_of_nanos = as_of.timestamp_nanos_opt().unwrap_or(i64::MAX);
        for (dense, customer) in self.customers.iter().enumerate() {
            let dense = dense as u32;
            let list = &self.by_customer[dense as usize];
            let upto = list.partition_point(|&i| self.events[i as usize].at <= as_of);
            let mut last_outbound = None;
            let mut inbound_since = 0u32;
            let mut complaints_open = false;
            open.clear();
            for &i in &list[..upto] {
                let e = &self.events[i as usize];
                if e.customer != dense {
                    continue; // a referral listed under the referred customer
                }
                match e.kind {
                    StoredKind::Interaction {
                        direction: Direction::Inbound,
                        ..
                    } => inbound_since += 1,
                    StoredKind::Interaction {
                        direction: Direction::Outbound,
                        ..
                    }
                    | StoredKind::ComplaintResponded { .. }
                    | StoredKind::Campaign {
                        step: CampaignStep::Sent | CampaignStep::Delivered,
                        ..
                    } => {
                        last_outbound = Some(e.at);
                        inbound_since = 0;
                    }
                    StoredKind::ComplaintOpened { .. } => complaints_open = true,
                    StoredKind::ActivityScheduled { activity, due, .. } => {
                        open.push((activity, due));
                    }
                    StoredKind::ActivityDone { activity, .. }
                    | StoredKind::ActivityCancelled { activity, .. } => {
                        if let Some(p) = open.iter().rposition(|&(a, _)| a == activity) {
                            open.swap_remove(p);
                        }
                    }
                    _ => {}
                }
            }
            let mut breached = 0u32;
            if let (Some(policies), true) = (sla, complaints_open) {
                trails.clear();
                self.trails_of(dense, as_of, &mut trails);
                for t in &trails {
                    if let Some(state) = policies.evaluate(t, as_of)? {
                        breached += u32::from(state.breached && state.status.is_active());
                    }
                }
            }
            out.customer_id.push(customer.id);
            out.days_since_contact
                .push(last_outbound.map_or(f64::NAN, |t| days_between(t, as_of)));
            out.unanswered_inbound.push(inbound_since);
            out.complaints_breached.push(breached);
            out.activities_overdue
                .push(open.iter().filter(|&&(_, due)| due < as_of_nanos).count() as u32);
        }
        Ok(out)
    }
}
