//! The 360° view: everything the call-centre agent needs about one customer, in one call.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CustomerBook;
use super::figures::{
    ChannelActivity, ComplaintFigures, ContributionFigures, PurchaseFigures, ReferralFigures,
};
use crate::error::Result;
use crate::model::{Customer, CustomerId, Event, Incident, IncidentId};

/// The instant and the timeline page of a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewOptions {
    /// Only events at or before this instant count.
    pub as_of: DateTime<Utc>,
    /// Timeline items to skip, newest first.
    #[serde(default)]
    pub offset: usize,
    /// Timeline items to return at most.
    #[serde(default = "default_limit")]
    pub limit: usize,
}

fn default_limit() -> usize {
    ViewOptions::DEFAULT_LIMIT
}

impl ViewOptions {
    /// The timeline page size when none is given.
    pub const DEFAULT_LIMIT: usize = 20;

    /// The view as of `as_of` with the first page of the timeline.
    pub fn as_of(as_of: DateTime<Utc>) -> Self {
        ViewOptions {
            as_of,
            offset: 0,
            limit: Self::DEFAULT_LIMIT,
        }
    }

    /// The same view with another timeline page.
    pub fn page(self, offset: usize, limit: usize) -> Self {
        ViewOptions {
            offset,
            limit,
            ..self
        }
    }
}

/// One customer, seen whole: profile, figures, complaints, incidents and the cross-channel
/// timeline. Serialises to the JSON the C and Python layers hand out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    /// The instant the view describes.
    pub as_of: DateTime<Utc>,
    /// The customer record.
    pub profile: Customer,
    /// Purchases and refunds.
    pub purchases: PurchaseFigures,
    /// Contacts per channel, in channel order.
    pub channels: Vec<ChannelActivity>,
    /// Referrals made and received.
    pub referrals: ReferralFigures,
    /// Co-investment and cost sharing.
    pub contributions: ContributionFigures,
    /// Complaints, open ones first in the agent's eye.
    pub complaints: ComplaintFigures,
    /// Open activities (overdue ones with how long) and how many were done or cancelled.
    #[serde(default)]
    pub activities: super::ActivityFigures,
    /// Company-side incidents during which this customer had an event (oldest first).
    pub incidents: Vec<Incident>,
    /// Every event, newest first, one page of it.
    pub timeline: TimelinePage,
    /// Value score, tier, RFM segment and strategies from the last
    /// [`CustomerBook::analyse`], when the customer was part of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics: Option<super::CustomerAnalytics>,
    /// The lifecycle stage, its history and the next action, when the book has a lifecycle
    /// policy ([`CustomerBook::set_lifecycle_policy`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<super::StageView>,
}

/// A page of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelinePage {
    /// Events in the whole timeline (up to the view's instant).
    pub total: usize,
    /// Items skipped.
    pub offset: usize,
    /// The page size asked for.
    pub limit: usize,
    /// The items, newest first.
    pub items: Vec<TimelineItem>,
}

/// One event on the timeline, with the incidents it fell inside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    /// The event.
    pub event: Event,
    /// Incidents going on at the event's instant on its channel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incident_ids: Vec<IncidentId>,
}

impl CustomerBook {
    /// The 360° view of a customer as of `options.as_of`.
    ///
    /// Costs one pass over the customer's own events plus one binary search per incident, so
    /// it stays in the microseconds whatever the size of the book.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an unknown customer.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use crm_core::{book::{CustomerBook, ViewOptions}, model::*};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customer(Customer::person(7, "Zeynep", "Demir"))?;
    /// let t = |h| Utc.with_ymd_and_hms(2025, 3, 1, h, 10, 0).unwrap();
    /// let atm = Interaction { channel: Channel::Atm, direction: Direction::Inbound,
    ///     subject: Some("withdrawal".into()), outcome: Some("no cash dispensed".into()),
    ///     agent: None };
    /// book.record(Event::new(7, t(15), atm))?;
    /// book.add_incident(Incident { id: 1, kind: IncidentKind::ChannelOutage,
    ///     channel: Some(Channel::Atm), location: None, start: t(15), end: Some(t(16)),
    ///     description: "ATM connection problem".into() })?;
    ///
    /// let view = book.view(7, &ViewOptions::as_of(t(17)))?;
    /// assert_eq!(view.incidents.len(), 1);
    /// assert_eq!(view.timeline.items[0].incident_ids, vec![1]);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn view(&self, customer_id: CustomerId, options: &ViewOptions) -> Result<CustomerView> {
        let dense = self.dense(customer_id)?;
        let as_of = options.as_of;
        let mut figures = self.figures(dense, as_of, true);
        self.attach_sla(dense, as_of, &mut figures.complaints.open)?;
        let list = &self.by_customer[dense as usize][..figures.events];

        let touched: Vec<&Incident> = self
            .incidents
            .iter()
            .filter(|inc| inc.start <= as_of && self.incident_touches(inc, list))
            .collect();
        let mut incidents: Vec<Incident> = touched.iter().map(|&i| i.clone()).collect();
        incidents.sort_by_key(|i| (i.start, i.id));

        let items = list
            .iter()
            .rev()
            .skip(options.offset)
            .take(options.limit)
            .map(|&i| {
                let stored = &self.events[i as usize];
                let channel = stored.kind.channel();
                TimelineItem {
                    event: self.public(i),
                    incident_ids: touched
                        .iter()
                        .filter(|inc| inc.touches_at(stored.at, channel))
                        .map(|inc| inc.id)
                        .collect(),
                }
            })
            .collect();

        Ok(CustomerView {
            as_of,
            profile: self.customers[dense as usize].clone(),
            purchases: figures.purchases,
            channels: figures.channels,
            referrals: figures.referrals,
            contributions: figures.contributions,
            complaints: figures.complaints,
            activities: self.activity_figures(dense, list, as_of),
            incidents,
            timeline: TimelinePage {
                total: list.len(),
                offset: options.offset,
                limit: options.limit,
                items,
            },
            analytics: self.analytics_of(dense),
            lifecycle: self.stage_view(dense, as_of)?,
        })
    }

    /// Fills in the SLA state of open complaints when the book has policies.
    fn attach_sla(
        &self,
        dense: u32,
        as_of: DateTime<Utc>,
        open: &mut [super::ComplaintSummary],
    ) -> Result<()> {
        let Some(policies) = self.sla_policies.as_deref() else {
            return Ok(());
        };
        if open.is_empty() {
            return Ok(());
        }
        let mut trails = Vec::new();
        self.trails_of(dense, as_of, &mut trails);
        for summary in open {
            if let Some(t) = trails
                .iter()
                .find(|t| t.complaint_id == summary.complaint_id)
            {
                summary.sla = policies.evaluate(t, as_of)?;
            }
        }
        Ok(())
    }

    /// Whether any event in the time-sorted `list` falls inside `incident`.
    fn incident_touches(&self, incident: &Incident, list: &[u32]) -> bool {
        let from = list.partition_point(|&i| self.events[i as usize].at < incident.start);
        list[from..]
            .iter()
            .map(|&i| &self.events[i as usize])
            .take_while(|e| incident.end.is_none_or(|end| e.at <= end))
            .any(|e| incident.touches_at(e.at, e.kind.channel()))
    }
}
