//! A complaint's history in the compact form SLA evaluation reads.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};
use crate::model::{
    Channel, ComplaintId, ComplaintStatus, CustomerId, Direction, Event, EventKind, Priority,
    RootCause,
};

/// What happened to a complaint after it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// The working status changed (open, in progress, waiting on customer, escalated).
    Status {
        /// The new status.
        status: ComplaintStatus,
    },
    /// The priority changed.
    Priority {
        /// The new priority.
        priority: Priority,
    },
    /// The company's first response.
    Responded,
    /// A message from the customer (`inbound`) or the company (`outbound`).
    Message {
        /// Who wrote.
        direction: Direction,
    },
    /// Resolved, with the root cause.
    Resolved {
        /// Why the complaint arose.
        root_cause: RootCause,
    },
    /// Reopened after a resolution.
    Reopened,
    /// Closed for good.
    Closed,
}

/// One dated change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    #[serde(flatten)]
    pub change: Change,
}

/// A complaint as SLA evaluation sees it: how it opened and what followed, in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintTrail {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// Whose complaint.
    pub customer_id: CustomerId,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// The priority it was opened with.
    pub priority: Priority,
    /// Its category.
    pub category: Option<Arc<str>>,
    /// The channel it came in on.
    pub channel: Option<Channel>,
    /// The customer's tier (from the last analysis) for tier-specific targets.
    pub tier: Option<Arc<str>>,
    /// What followed, in time order.
    pub steps: Vec<Step>,
}

impl ComplaintTrail {
    /// A trail from one complaint's events, the opening first, in time order (as a book
    /// keeps them). Events of other kinds are ignored.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] when the first complaint event is not an opening,
    /// when events of another complaint are mixed in, or when they are out of time order.
    pub fn from_events(events: &[Event], tier: Option<&str>) -> Result<Self> {
        let mut complaint = events.iter().filter(|e| e.kind.complaint_id().is_some());
        let Some(first) = complaint.next() else {
            return Err(CrmError::invalid(
                "events",
                "[]",
                "no complaint events: the first must be complaint_opened",
            ));
        };
        let EventKind::ComplaintOpened(open) = &first.kind else {
            return Err(CrmError::invalid(
                "events[0].type",
                first.kind.type_name(),
                "the first complaint event must be complaint_opened",
            ));
        };
        let mut trail = ComplaintTrail {
            complaint_id: open.complaint_id,
            customer_id: first.customer_id,
            opened_at: first.at,
            priority: open.priority,
            category: open.category.as_deref().map(Arc::from),
            channel: open.channel,
            tier: tier.map(Arc::from),
            steps: Vec::new(),
        };
        let mut last = first.at;
        for (i, e) in complaint.enumerate() {
            let id = e.kind.complaint_id().unwrap_or_default();
            if id != trail.complaint_id {
                return Err(CrmError::invalid(
                    &format!("events[{}].complaint_id", i + 1),
                    id,
                    format_args!("expected complaint {}", trail.complaint_id),
                ));
            }
            if e.at < last {
                return Err(CrmError::invalid(
                    &format!("events[{}].at", i + 1),
                    e.at.to_rfc3339(),
                    "events must be in time order",
                ));
            }
            last = e.at;
            let change = match &e.kind {
                EventKind::ComplaintStatusChanged(s) => Change::Status { status: s.status },
                EventKind::ComplaintPriorityChanged(p) => Change::Priority {
                    priority: p.priority,
                },
                EventKind::ComplaintResponded(_) => Change::Responded,
                EventKind::ComplaintMessage(m) => Change::Message {
                    direction: m.direction,
                },
                EventKind::ComplaintResolved(r) => Change::Resolved {
                    root_cause: r.root_cause,
                },
                EventKind::ComplaintReopened(_) => Change::Reopened,
                EventKind::ComplaintClosed(_) => Change::Closed,
                EventKind::ComplaintOpened(_) => {
                    return Err(CrmError::invalid(
                        &format!("events[{}].type", i + 1),
                        "complaint_opened",
                        "a complaint is opened once",
                    ));
                }
                _ => continue,
            };
            trail.steps.push(Step { at: e.at, change });
        }
        Ok(trail)
    }

    /// The priority in force at `now` (the latest change at or before it).
    pub fn priority_at(&self, now: DateTime<Utc>) -> Priority {
        self.steps
            .iter()
            .take_while(|s| s.at <= now)
            .fold(self.priority, |p, s| match s.change {
                Change::Priority { priority } => priority,
                _ => p,
            })
    }
}
