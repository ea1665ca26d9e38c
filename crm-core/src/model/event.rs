use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ActivityCancelled, ActivityDone, ActivityScheduled, CampaignEvent, Channel, ComplaintId,
    CustomerId, Direction, Location,
};

/// Something that happened between the company and one customer, at one instant.
///
/// JSON form: the customer, the instant and a `type` tag, with the fields of the kind beside
/// them (amounts in minor units):
///
/// ```json
/// {"customer_id": 42, "at": "2025-03-01T14:30:00Z", "type": "purchase",
///  "amount": 129900, "currency": "TRY", "product": "P-17", "category": "electronics",
///  "channel": "web"}
/// ```
///
/// The `type` values are `purchase`, `refund`, `interaction`, `referral`, `contribution`,
/// `complaint_opened`, `complaint_responded`, `complaint_message`, `complaint_status_changed`,
/// `complaint_priority_changed`, `complaint_resolved`, `complaint_reopened`, `complaint_closed`,
/// `complaint_rated`, `churned`, `campaign`, `activity_scheduled`, `activity_done` and
/// `activity_cancelled`.
///
/// An optional `location` (`{"branch": …, "device": …, "city": …}`, see [`Location`]) says
/// where on the company's side it happened; JSON without it reads as before.
///
/// ```
/// # use crm_core::model::{Event, EventKind};
/// let e: Event = serde_json::from_str(
///     r#"{"customer_id": 42, "at": "2025-03-01T14:30:00Z", "type": "purchase",
///         "amount": 129900, "currency": "TRY"}"#,
/// ).unwrap();
/// assert!(matches!(e.kind, EventKind::Purchase(ref p) if p.amount == 129900));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The customer the event belongs to (the referrer, for a referral).
    pub customer_id: CustomerId,
    /// When it happened (UTC).
    pub at: DateTime<Utc>,
    /// Where it happened (branch, device, city), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// An event of `kind` for `customer_id` at `at`.
    pub fn new(customer_id: CustomerId, at: DateTime<Utc>, kind: impl Into<EventKind>) -> Self {
        Event {
            customer_id,
            at,
            location: None,
            kind: kind.into(),
        }
    }

    /// The same event, at `location`.
    pub fn at_location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// The channel the event happened on, when it has one.
    pub fn channel(&self) -> Option<Channel> {
        self.kind.channel()
    }
}

/// Reads `customer_id`, `at` and the `type` tag, then the kind's struct from the other fields,
/// so that a field no kind has is refused (serde's `deny_unknown_fields` does not work through
/// `flatten`) with the names the kind does have, for [`crate::CrmError::parse`]'s suggestion,
/// and a wrongly typed field is invalid input naming its path (`amount`), through
/// [`crate::json`]: an internally tagged enum would buffer the fields and lose the path.
impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor)
    }
}

/// The map visitor behind [`Event`]'s `Deserialize`.
struct EventVisitor;

impl<'de> serde::de::Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an event object with `customer_id`, `at` and `type`")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        use serde::de::Error;
        let mut customer_id = None;
        let mut at = None;
        let mut tag: Option<String> = None;
        let mut location: Option<Location> = None;
        let mut seen_location = false;
        let mut rest = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "customer_id" if customer_id.is_none() => customer_id = Some(map.next_value()?),
                "at" if at.is_none() => {
                    at = Some(map.next_value::<crate::time::serde_instant::EventAt>()?.0);
                }
                "type" if tag.is_none() => tag = Some(map.next_value()?),
                "location" if !seen_location => {
                    seen_location = true;
                    location = map.next_value()?;
                }
                "customer_id" | "at" | "type" | "location" => {
                    return Err(A::Error::custom(format_args!("duplicate field `{key}`")));
                }
                _ if rest.contains_key(&key) => {
                    return Err(A::Error::custom(format_args!("duplicate field `{key}`")));
                }
                _ => {
                    let value: serde_json::Value = map.next_value()?;
                    rest.insert(key, value);
                }
            }
        }
        let customer_id = customer_id.ok_or_else(|| A::Error::missing_field("customer_id"))?;
        let at = at.ok_or_else(|| A::Error::missing_field("at"))?;
        let tag = tag.ok_or_else(|| A::Error::missing_field("type"))?;
        let kind = EventKind::from_fields(&tag, serde_json::Value::Object(rest))?;
        Ok(Event {
            customer_id,
            at,
            location,
            kind,
        })
    }
}

/// The kinds of event and their details. See [`Event`] for the JSON form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The customer bought something.
    Purchase(Purchase),
    /// Money went back to the customer.
    Refund(Refund),
    /// A contact on some channel (a call, an e-mail, a branch visit…).
    Interaction(Interaction),
    /// The customer brought in another customer.
    Referral(Referral),
    /// The customer invested on the company's behalf or shared its costs.
    Contribution(Contribution),
    /// A complaint was opened.
    ComplaintOpened(ComplaintOpened),
    /// The company first responded to a complaint.
    ComplaintResponded(ComplaintResponded),
    /// A complaint's working status changed.
    ComplaintStatusChanged(ComplaintStatusChanged),
    /// A complaint was resolved.
    ComplaintResolved(ComplaintResolved),
    /// A resolved complaint was reopened.
    ComplaintReopened(ComplaintReopened),
    /// A complaint was closed; closing is final.
    ComplaintClosed(ComplaintClosed),
    /// The customer rated how the complaint was handled.
    ComplaintRated(ComplaintRated),
    /// A message about an open complaint, from the customer or from the company.
    ComplaintMessage(ComplaintMessage),
    /// A complaint's priority changed (SLA targets are re-taken from its opening).
    ComplaintPriorityChanged(ComplaintPriorityChanged),
    /// The company recorded that the customer left, with the reason when known.
    Churned(Churned),
    /// A customer's step in a marketing campaign (targeted, held out, sent, … opted out).
    Campaign(CampaignEvent),
    /// The company scheduled a follow-up activity for the customer.
    ActivityScheduled(ActivityScheduled),
    /// An open activity was done.
    ActivityDone(ActivityDone),
    /// An open activity was cancelled.
    ActivityCancelled(ActivityCancelled),
}

/// Declares [`EventKind::from_fields`]: each `type` tag with its variant.
macro_rules! kinds_by_tag {
    ($($tag:literal => $variant:ident),* $(,)?) => {
        impl EventKind {
            /// Every `type` tag, in declaration order.
            pub const TAGS: &'static [&'static str] = &[$($tag),*];

            /// The kind tagged `tag`, read from its `fields` (the event's object without
            /// `customer_id`, `at` and `type`) through [`crate::json`], so that a type
            /// error keeps its path.
            fn from_fields<E: serde::de::Error>(
                tag: &str,
                fields: serde_json::Value,
            ) -> Result<Self, E> {
                match tag {
                    $($tag => crate::json::nested(fields).map(EventKind::$variant),)*
                    other => Err(E::unknown_variant(other, Self::TAGS)),
                }
            }
        }
    };
}
kinds_by_tag!(
    "purchase" => Purchase,
    "refund" => Refund,
    "interaction" => Interaction,
    "referral" => Referral,
    "contribution" => Contribution,
    "complaint_opened" => ComplaintOpened,
    "complaint_responded" => ComplaintResponded,
    "complaint_status_changed" => ComplaintStatusChanged,
    "complaint_resolved" => ComplaintResolved,
    "complaint_reopened" => ComplaintReopened,
    "complaint_closed" => ComplaintClosed,
    "complaint_rated" => ComplaintRated,
    "complaint_message" => ComplaintMessage,
    "complaint_priority_changed" => ComplaintPriorityChanged,
    "churned" => Churned,
    "campaign" => Campaign,
    "activity_scheduled" => ActivityScheduled,
    "activity_done" => ActivityDone,
    "activity_cancelled" => ActivityCancelled,
);

impl EventKind {
    /// The `type` tag used in JSON.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::Purchase(_) => "purchase",
            EventKind::Refund(_) => "refund",
            EventKind::Interaction(_) => "interaction",
            EventKind::Referral(_) => "referral",
            EventKind::Contribution(_) => "contribution",
            EventKind::ComplaintOpened(_) => "complaint_opened",
            EventKind::ComplaintResponded(_) => "complaint_responded",
            EventKind::ComplaintStatusChanged(_) => "complaint_status_changed",
            EventKind::ComplaintResolved(_) => "complaint_resolved",
            EventKind::ComplaintReopened(_) => "complaint_reopened",
            EventKind::ComplaintClosed(_) => "complaint_closed",
            EventKind::ComplaintRated(_) => "complaint_rated",
            EventKind::ComplaintMessage(_) => "complaint_message",
            EventKind::ComplaintPriorityChanged(_) => "complaint_priority_changed",
            EventKind::Churned(_) => "churned",
            EventKind::Campaign(_) => "campaign",
            EventKind::ActivityScheduled(_) => "activity_scheduled",
            EventKind::ActivityDone(_) => "activity_done",
            EventKind::ActivityCancelled(_) => "activity_cancelled",
        }
    }

    /// The channel, for the kinds that carry one.
    pub fn channel(&self) -> Option<Channel> {
        match self {
            EventKind::Purchase(p) => p.channel,
            EventKind::Refund(r) => r.channel,
            EventKind::Interaction(i) => Some(i.channel),
            EventKind::ComplaintOpened(c) => c.channel,
            EventKind::Campaign(c) => c.channel,
            _ => None,
        }
    }

    /// The activity the event is about, for activity events.
    pub fn activity_id(&self) -> Option<&str> {
        match self {
            EventKind::ActivityScheduled(a) => Some(&a.activity_id),
            EventKind::ActivityDone(a) => Some(&a.activity_id),
            EventKind::ActivityCancelled(a) => Some(&a.activity_id),
            _ => None,
        }
    }

    /// The complaint the event is about, for complaint events.
    pub fn complaint_id(&self) -> Option<ComplaintId> {
        match self {
            EventKind::ComplaintOpened(c) => Some(c.complaint_id),
            EventKind::ComplaintResponded(c) => Some(c.complaint_id),
            EventKind::ComplaintStatusChanged(c) => Some(c.complaint_id),
            EventKind::ComplaintResolved(c) => Some(c.complaint_id),
            EventKind::ComplaintReopened(c) => Some(c.complaint_id),
            EventKind::ComplaintClosed(c) => Some(c.complaint_id),
            EventKind::ComplaintRated(c) => Some(c.complaint_id),
            EventKind::ComplaintMessage(c) => Some(c.complaint_id),
            EventKind::ComplaintPriorityChanged(c) => Some(c.complaint_id),
            _ => None,
        }
    }
}

impl From<CampaignEvent> for EventKind {
    fn from(value: CampaignEvent) -> Self {
        EventKind::Campaign(value)
    }
}

macro_rules! into_event_kind {
    ($($ty:ident),* $(,)?) => {$(
        impl From<$ty> for EventKind {
            fn from(value: $ty) -> Self {
                EventKind::$ty(value)
            }
        }
    )*};
}
into_event_kind!(
    Purchase,
    Refund,
    Interaction,
    Referral,
    Contribution,
    ComplaintOpened,
    ComplaintResponded,
    ComplaintStatusChanged,
    ComplaintResolved,
    ComplaintReopened,
    ComplaintClosed,
    ComplaintRated,
    ComplaintMessage,
    ComplaintPriorityChanged,
    Churned,
    ActivityScheduled,
    ActivityDone,
    ActivityCancelled,
);

/// A purchase. `amount` is in minor units and must not be negative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purchase {
    /// Price paid, in minor units (kuruş for TRY). Zero is allowed (a free item).
    pub amount: i64,
    /// ISO 4217 code; must be the book's currency.
    pub currency: String,
    /// Product code or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Product category, used for cross-selling figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Where it was bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

/// A refund. `amount` is in minor units and must be positive; it lowers net revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refund {
    /// Money returned, in minor units, positive.
    pub amount: i64,
    /// ISO 4217 code; must be the book's currency.
    pub currency: String,
    /// The product refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where it was refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
}

/// A contact between the customer and the company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// Where it happened.
    pub channel: Channel,
    /// Who started it.
    pub direction: Direction,
    /// What it was about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// How it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The employee who handled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

/// The event's customer (the referrer) brought in `referred`, who must already be a customer
/// and must not be the referrer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// The customer who was brought in.
    pub referred: CustomerId,
}

/// What a contribution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    /// The customer invested on the company's behalf (co-funded a shop fit-out, a campaign…).
    CoInvestment,
    /// The customer carried part of the company's costs (shared logistics, advertising…).
    CostSharing,
}

/// Value the customer brings that is not a purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contribution {
    /// Co-investment or cost sharing.
    pub kind: ContributionKind,
    /// Value in minor units, positive.
    pub amount: i64,
    /// ISO 4217 code; must be the book's currency.
    pub currency: String,
    /// What it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How urgent a complaint is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Can wait.
    Low,
    /// The usual (`"normal"` is accepted in JSON too).
    #[default]
    #[serde(alias = "normal")]
    Medium,
    /// Needs attention today.
    High,
    /// Needs attention now (`"urgent"` is accepted in JSON too).
    #[serde(alias = "urgent")]
    Critical,
}

impl Priority {
    /// All priorities, least urgent first.
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Critical,
    ];

    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }
}

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// Received, nobody working on it yet.
    Open,
    /// Somebody is working on it.
    InProgress,
    /// Waiting for the customer (SLA clocks usually pause here).
    WaitingOnCustomer,
    /// Handed up the escalation ladder.
    Escalated,
    /// Solved; may still be reopened.
    Resolved,
    /// Final.
    Closed,
}

impl ComplaintStatus {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            ComplaintStatus::Open => "open",
            ComplaintStatus::InProgress => "in_progress",
            ComplaintStatus::WaitingOnCustomer => "waiting_on_customer",
            ComplaintStatus::Escalated => "escalated",
            ComplaintStatus::Resolved => "resolved",
            ComplaintStatus::Closed => "closed",
        }
    }

    /// True while the complaint still needs work (not resolved, not closed).
    pub fn is_active(self) -> bool {
        !matches!(self, ComplaintStatus::Resolved | ComplaintStatus::Closed)
    }
}

/// Why a complaint arose, recorded on resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RootCause {
    /// The product was faulty.
    ProductDefect,
    /// The service failed (late, rude, wrong).
    ServiceFailure,
    /// An invoicing or payment mistake.
    Billing,
    /// Delivery or logistics.
    Delivery,
    /// A company-side outage (see [`super::Incident`]).
    Outage,
    /// The customer's own error or an unrealistic expectation (about 40% of complaints).
    CustomerError,
    /// Anything else.
    Other,
}

/// A complaint was opened. `complaint_id` must be new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintOpened {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// How urgent.
    #[serde(default)]
    pub priority: Priority,
    /// What about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Where it came in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The customer's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The company's first response to a complaint (at most one per complaint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintResponded {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// Who responded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

/// A complaint's working status changed (to open, in progress, waiting on the customer or
/// escalated; resolving and closing have their own events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintStatusChanged {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// The new status; `resolved` and `closed` are rejected here.
    pub status: ComplaintStatus,
}

/// A complaint was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintResolved {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// Why it arose.
    pub root_cause: RootCause,
}

/// A resolved complaint was reopened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintReopened {
    /// The ticket number.
    pub complaint_id: ComplaintId,
}

/// A complaint was closed. Nothing but a rating may follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintClosed {
    /// The ticket number.
    pub complaint_id: ComplaintId,
}

/// The customer's satisfaction rating (1 to 5) of a resolved or closed complaint, given once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintRated {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// 1 (very unhappy) to 5 (very happy).
    pub rating: u8,
}

/// A message about a complaint. An inbound message (from the customer) starts the SLA's
/// next-response clock; an outbound one (from the company) answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintMessage {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// `inbound` from the customer, `outbound` from the company.
    pub direction: Direction,
}

/// A complaint's priority changed while it was active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintPriorityChanged {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// The new priority.
    pub priority: Priority,
}

/// Why a customer left (the source documents' taxonomy; the default shares of each reason are
/// in [`ChurnReason::DEFAULT_PRIORS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChurnReason {
    /// The customer died.
    Died,
    /// The customer moved away.
    Moved,
    /// The customer formed other relationships (a friend's shop, a relative's firm).
    OtherRelationship,
    /// A competitor won the customer.
    Competition,
    /// The customer was dissatisfied with the product or the service.
    Dissatisfied,
    /// The company showed indifference to the customer.
    Indifference,
}

impl ChurnReason {
    /// Every reason, in the order of [`ChurnReason::DEFAULT_PRIORS`].
    pub const ALL: [ChurnReason; 6] = [
        ChurnReason::Died,
        ChurnReason::Moved,
        ChurnReason::OtherRelationship,
        ChurnReason::Competition,
        ChurnReason::Dissatisfied,
        ChurnReason::Indifference,
    ];

    /// Why customers leave, in the source documents: 1% die, 3% move, 5% form other
    /// relationships, 9% go to the competition, 14% are dissatisfied and 68% meet
    /// indifference. Used where reasons are unknown.
    pub const DEFAULT_PRIORS: [f64; 6] = [0.01, 0.03, 0.05, 0.09, 0.14, 0.68];

    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            ChurnReason::Died => "died",
            ChurnReason::Moved => "moved",
            ChurnReason::OtherRelationship => "other_relationship",
            ChurnReason::Competition => "competition",
            ChurnReason::Dissatisfied => "dissatisfied",
            ChurnReason::Indifference => "indifference",
        }
    }
}

/// The company recorded that the customer left. A later purchase reactivates them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Churned {
    /// Why, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ChurnReason>,
}
