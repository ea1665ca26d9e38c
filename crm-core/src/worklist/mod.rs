//! The retention worklist: which customers the team should call today, why, and what to do
//! first.
//!
//! An engine over plain columns (no book): value, lifecycle stage and the company-side
//! contact features in, a ranked list out. `CustomerBook::worklist` gathers the columns from
//! a book.
//!
//! **Priority** = expected value at risk × neglect factor:
//! - *value at risk* = predicted CLV × (1 − P(alive)) when both are known; otherwise (no CLV
//!   prediction) a share of the customer's net revenue by lifecycle stage
//!   ([`fallback_share`]: at risk 0.5, churned and reactivated 0.25, new and active 0.1,
//!   loyal 0.05, prospect 0).
//! - *neglect factor* = 1 + d / A + 0.5 · u + 1.0 · b + 0.25 · o, where A is the neglect
//!   rule's `after_days`, d the days since the last outbound contact beyond A (0 inside it;
//!   A itself when the company never made contact), u the unanswered inbound contacts, b the
//!   open complaints past an SLA target and o the overdue activities. It grows with each.
//!
//! Rows with a priority of 0 (nothing at risk) are left out. The `limit` best rows are kept
//! by a partial selection (`select_nth_unstable_by`), then sorted: priority descending, ties
//! by customer id ascending, so the list is deterministic.
//!
//! **Next action**, the most urgent first: answer the breached complaint (due in 60 business
//! minutes); return the unanswered contact (120); do the overdue activity (240); call the
//! neglected customer (480, a business day); else the lifecycle policy's next action for the
//! stage (2400, a business week). Due instants are on the business calendar
//! ([`crate::sla::BusinessCalendar::add_business_minutes`]).

mod rank;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use rank::{WorklistColumns, WorklistRules, due_after_business_minutes, fallback_share, rank};

use crate::error::{CrmError, Result};
use crate::lifecycle::LifecyclePolicy;
use crate::sla::CalendarConfig;

/// The most rows a worklist returns.
pub const MAX_WORKLIST_LIMIT: usize = 100_000;

/// What the team can do in a day: `agents` × `calls_per_agent` rows when no limit is given.
///
/// JSON `{"agents": 5, "calls_per_agent": 40}` (the defaults: 200 rows a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Capacity {
    /// Agents working the list, 1 to 10 000.
    pub agents: u32,
    /// Customers one agent handles in a day, 1 to 1000.
    pub calls_per_agent: u32,
}

impl Default for Capacity {
    fn default() -> Self {
        Capacity {
            agents: 5,
            calls_per_agent: 40,
        }
    }
}

/// How a worklist is made.
///
/// JSON (every key but `at` optional):
///
/// ```json
/// {"at": "2025-06-02T08:00:00Z", "limit": 50,
///  "capacity": {"agents": 5, "calls_per_agent": 40},
///  "lifecycle": {"neglect": {"after_days": 60, "min_score": 60}},
///  "calendar": {"time_zone": "Europe/Istanbul"}, "use_clv": true}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorklistOptions {
    /// The day's instant: features, stages and predictions as of then; due instants from it.
    pub at: DateTime<Utc>,
    /// Rows to return at most, 1 to [`MAX_WORKLIST_LIMIT`]; `None`: the capacity's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// The team's daily capacity, used when `limit` is not given.
    #[serde(default)]
    pub capacity: Capacity,
    /// Stages, next actions and the neglect rule; `None`: the book's policy, else the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<LifecyclePolicy>,
    /// The business calendar of due instants; `None`: always open (24×7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarConfig>,
    /// Whether to fit the CLV model for the value at risk (true); false: every customer takes
    /// the stage fallback.
    #[serde(default = "yes")]
    pub use_clv: bool,
}

fn yes() -> bool {
    true
}

impl WorklistOptions {
    /// The defaults at `at`.
    pub fn at(at: DateTime<Utc>) -> Self {
        WorklistOptions {
            at,
            limit: None,
            capacity: Capacity::default(),
            lifecycle: None,
            calendar: None,
            use_clv: true,
        }
    }

    /// Reads the JSON form and checks it.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Parse`] for text that is not the options object (an unknown key);
    /// [`crate::ErrorKind::InvalidInput`] naming the field, as [`WorklistOptions::validate`].
    ///
    /// ```
    /// use crm_core::worklist::WorklistOptions;
    /// let o = WorklistOptions::from_json(r#"{"at": "2025-06-02T08:00:00Z", "limit": 3}"#)?;
    /// assert_eq!(o.row_limit(), 3);
    /// let err = WorklistOptions::from_json(r#"{"at": "2025-06-02T08:00:00Z", "limit": 0}"#);
    /// assert_eq!(err.unwrap_err().field(), Some("limit"));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        let o: WorklistOptions = crate::json::parse("the worklist options", text)?;
        o.validate()?;
        Ok(o)
    }

    /// Checks the bounds.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `limit` (0 or above
    /// [`MAX_WORKLIST_LIMIT`]), `capacity.agents` (0 or above 10 000),
    /// `capacity.calls_per_agent` (0 or above 1000), or the lifecycle policy's field.
    pub fn validate(&self) -> Result<()> {
        if let Some(limit) = self.limit {
            if limit == 0 {
                return Err(CrmError::invalid("limit", limit, "must be at least 1"));
            }
            crate::limits::at_most("limit", limit, MAX_WORKLIST_LIMIT)?;
        }
        let c = self.capacity;
        if c.agents == 0 {
            return Err(CrmError::invalid(
                "capacity.agents",
                0,
                "must be at least 1",
            ));
        }
        crate::limits::at_most("capacity.agents", c.agents, 10_000)?;
        if c.calls_per_agent == 0 {
            return Err(CrmError::invalid(
                "capacity.calls_per_agent",
                0,
                "must be at least 1",
            ));
        }
        crate::limits::at_most("capacity.calls_per_agent", c.calls_per_agent, 1000)?;
        if let Some(p) = &self.lifecycle {
            p.validate()?;
        }
        Ok(())
    }

    /// The rows to return: `limit`, else agents × calls per agent.
    pub fn row_limit(&self) -> usize {
        self.limit
            .unwrap_or(self.capacity.agents as usize * self.capacity.calls_per_agent as usize)
    }
}

/// The most urgent concrete step for a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextAction {
    /// Answer the complaint past its SLA target.
    AnswerComplaint,
    /// Return the customer's unanswered contact.
    ReturnContact,
    /// Do the overdue activity.
    DoOverdueActivity,
    /// Call the neglected valuable customer.
    CallNeglected,
    /// The lifecycle policy's next action for the customer's stage.
    StageAction,
}

impl NextAction {
    /// The business minutes from the worklist's instant to the action's due instant.
    pub fn business_minutes(self) -> i64 {
        match self {
            NextAction::AnswerComplaint => 60,
            NextAction::ReturnContact => 120,
            NextAction::DoOverdueActivity => 240,
            NextAction::CallNeglected => 480,
            NextAction::StageAction => 2400,
        }
    }
}

/// One customer on the worklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorklistRow {
    /// The customer.
    pub customer_id: u64,
    /// Value at risk × neglect factor (see the [module docs](self)).
    pub priority: f64,
    /// Expected value at risk, in the unit of the CLV (minor units).
    pub value_at_risk: f64,
    /// The neglect factor the value was multiplied by.
    pub neglect_factor: f64,
    /// Whether the neglect rule calls the customer neglected.
    pub neglected: bool,
    /// Why the customer is on the list, in words with the numbers.
    pub reason: String,
    /// The kind of the next action.
    pub action: NextAction,
    /// The next action, in words.
    pub next_action: String,
    /// When the next action is due (business calendar).
    pub due: DateTime<Utc>,
}

/// The day's worklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worklist {
    /// The instant it was made for.
    pub at: DateTime<Utc>,
    /// The row limit applied.
    pub limit: usize,
    /// Customers with something at risk (before the limit).
    pub candidates: usize,
    /// The rows, highest priority first (ties by customer id).
    pub rows: Vec<WorklistRow>,
}

#[cfg(test)]
mod tests;
