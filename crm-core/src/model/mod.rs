//! The customer model: customers, their events and company-side incidents.
//!
//! Every type here is plain data with a documented serde JSON form, so C and Python callers
//! build the same records from the same text. Money is in integer minor units (kuruş, cents);
//! instants are UTC and serialise as RFC 3339 (`"2025-03-01T14:30:00Z"`).

mod activity;
mod campaign;
mod channel;
mod customer;
mod event;
mod incident;
mod location;

pub use activity::{
    ActivityCancelled, ActivityDone, ActivityScheduled, ActivityType, MAX_ACTIVITY_ID_CHARS,
    MAX_ACTIVITY_TEXT_CHARS, check_activity_id,
};
pub use campaign::{CampaignEvent, CampaignStep, MAX_CAMPAIGN_ID_CHARS, check_campaign_id};
pub use channel::{Channel, Direction};
pub use customer::{Address, Consent, Customer, CustomerKind};
pub use event::{
    ChurnReason, Churned, ComplaintClosed, ComplaintMessage, ComplaintOpened,
    ComplaintPriorityChanged, ComplaintRated, ComplaintReopened, ComplaintResolved,
    ComplaintResponded, ComplaintStatus, ComplaintStatusChanged, Contribution, ContributionKind,
    Event, EventKind, Interaction, Priority, Purchase, Referral, Refund, RootCause,
};
pub use incident::{Incident, IncidentKind};
pub use location::{Location, MAX_LOCATION_FIELD};

/// The company's own key for a customer. Ids are arbitrary, not dense.
pub type CustomerId = u64;

/// The company's own key for a complaint (the ticket number).
pub type ComplaintId = u64;

/// The company's own key for an incident.
pub type IncidentId = u64;
