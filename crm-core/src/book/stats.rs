//! Whole-book counts: what a dashboard or the demo shows first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::CustomerBook;
use super::store::StoredKind;
use crate::model::CustomerKind;

/// Counts over the whole book (all recorded events, whatever their instant).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BookStats {
    /// Customers.
    pub customers: usize,
    /// Of which organisations.
    pub organisations: usize,
    /// Recorded events.
    pub events: usize,
    /// Events per `type` tag.
    pub events_by_type: BTreeMap<String, usize>,
    /// Events per channel (events without a channel are not counted here).
    pub events_by_channel: BTreeMap<String, usize>,
    /// Purchases minus refunds, minor units.
    pub net_revenue: i64,
    /// Complaints opened.
    pub complaints: usize,
    /// Complaints neither resolved nor closed now.
    pub complaints_open: usize,
    /// Incidents.
    pub incidents: usize,
}

impl CustomerBook {
    /// Counts over the whole book.
    ///
    /// ```
    /// let (book, _) = crm_core::sample::SampleConfig::new(100).seed(1).build_book()?;
    /// let stats = book.stats();
    /// assert_eq!(stats.customers, book.len());
    /// assert_eq!(stats.events_by_type.values().sum::<usize>(), book.event_count());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn stats(&self) -> BookStats {
        let mut s = BookStats {
            customers: self.customers.len(),
            organisations: self
                .customers
                .iter()
                .filter(|c| c.kind == CustomerKind::Organisation)
                .count(),
            events: self.events.len(),
            incidents: self.incidents.len(),
            ..BookStats::default()
        };
        let mut by_type = [0usize; ALL_TYPES.len()];
        let mut by_channel = BTreeMap::new();
        for e in &self.events {
            by_type[type_slot(&e.kind)] += 1;
            if let Some(ch) = e.kind.channel() {
                *by_channel.entry(ch).or_insert(0usize) += 1;
            }
            match e.kind {
                StoredKind::Purchase { amount, .. } => s.net_revenue += amount,
                StoredKind::Refund { amount, .. } => s.net_revenue -= amount,
                _ => {}
            }
        }
        for kind in ALL_TYPES {
            let count = by_type[kind.0];
            if count > 0 {
                s.events_by_type.insert(kind.1.to_owned(), count);
            }
        }
        s.events_by_channel = by_channel
            .into_iter()
            .map(|(c, n)| (c.as_str().to_owned(), n))
            .collect();
        s.complaints = self.complaints.len();
        s.complaints_open = self
            .complaints
            .values()
            .filter(|c| c.status.is_active())
            .count();
        s
    }
}

const ALL_TYPES: [(usize, &str); 19] = [
    (0, "purchase"),
    (1, "refund"),
    (2, "interaction"),
    (3, "referral"),
    (4, "contribution"),
    (5, "complaint_opened"),
    (6, "complaint_responded"),
    (7, "complaint_status_changed"),
    (8, "complaint_resolved"),
    (9, "complaint_reopened"),
    (10, "complaint_closed"),
    (11, "complaint_rated"),
    (12, "complaint_message"),
    (13, "complaint_priority_changed"),
    (14, "churned"),
    (15, "campaign"),
    (16, "activity_scheduled"),
    (17, "activity_done"),
    (18, "activity_cancelled"),
];

fn type_slot(kind: &StoredKind) -> usize {
    match kind {
        StoredKind::Purchase { .. } => 0,
        StoredKind::Refund { .. } => 1,
        StoredKind::Interaction { .. } => 2,
        StoredKind::Referral { .. } => 3,
        StoredKind::Contribution { .. } => 4,
        StoredKind::ComplaintOpened { .. } => 5,
        StoredKind::ComplaintResponded { .. } => 6,
        StoredKind::ComplaintStatusChanged { .. } => 7,
        StoredKind::ComplaintResolved { .. } => 8,
        StoredKind::ComplaintReopened { .. } => 9,
        StoredKind::ComplaintClosed { .. } => 10,
        StoredKind::ComplaintRated { .. } => 11,
        StoredKind::ComplaintMessage { .. } => 12,
        StoredKind::ComplaintPriorityChanged { .. } => 13,
        StoredKind::Churned { .. } => 14,
        StoredKind::Campaign { .. } => 15,
        StoredKind::ActivityScheduled { .. } => 16,
        StoredKind::ActivityDone { .. } => 17,
        StoredKind::ActivityCancelled { .. } => 18,
    }
}
