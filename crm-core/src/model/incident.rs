use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Channel, Event, IncidentId};

/// What failed on the company's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// A whole channel was down (the ATM network, the web site…).
    ChannelOutage,
    /// One branch could not serve.
    BranchOutage,
    /// A back-office system failed (payments, core banking, stock).
    SystemOutage,
}

/// A company-side problem during `[start, end]`. The 360° view shows it for every customer
/// with an event inside it (on its channel, when it names one), so the call-centre agent can
/// say "there was a 30-minute connection problem at 15:00; that explains the missing cash".
///
/// JSON form:
///
/// ```json
/// {"id": 3, "kind": "channel_outage", "channel": "atm", "location": "ATM network",
///  "start": "2025-03-01T15:00:00Z", "end": "2025-03-01T15:30:00Z",
///  "description": "connection problem between ATMs and core banking"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// The company's key.
    pub id: IncidentId,
    /// What failed.
    pub kind: IncidentKind,
    /// The channel affected; `None` when it affected all channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The branch or system, as people call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// When it began (a bare date: the start of that day, UTC).
    #[serde(deserialize_with = "crate::time::serde_instant::start")]
    pub start: DateTime<Utc>,
    /// When it ended (a bare date: the end of that day, UTC); `None` while it is still
    /// going on.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::serde_instant::option_end"
    )]
    pub end: Option<DateTime<Utc>>,
    /// What happened, for the agent to read out.
    pub description: String,
}

impl Incident {
    /// Whether the incident was going on at `at` (both ends included).
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && self.end.is_none_or(|end| at <= end)
    }

    /// Whether `event` falls inside the incident: during it, and on its channel when the
    /// incident names one.
    pub fn touches(&self, event: &Event) -> bool {
        self.touches_at(event.at, event.channel())
    }

    /// Whether an event at `at` on `channel` falls inside the incident.
    pub fn touches_at(&self, at: DateTime<Utc>, channel: Option<Channel>) -> bool {
        self.covers(at)
            && match self.channel {
                None => true,
                Some(ch) => channel == Some(ch),
            }
    }
}
