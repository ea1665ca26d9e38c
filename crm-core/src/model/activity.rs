//! Activities: the company's own follow-up tasks for one customer (a call back, a visit, an
//! e-mail to write, any task), each with an owner and a due instant, later done or cancelled.
//!
//! Three events carry an activity's life: `activity_scheduled`, then at most one of
//! `activity_done` or `activity_cancelled`. The book refuses finishing an activity the customer
//! does not have open, so an activity is open exactly while it has no finishing event.

use serde::{Deserialize, Serialize};

use crate::{CrmError, Result};

/// The longest activity id and owner, in characters.
pub const MAX_ACTIVITY_ID_CHARS: usize = 64;

/// The longest note, outcome or reason of an activity event, in characters.
pub const MAX_ACTIVITY_TEXT_CHARS: usize = 1000;

/// What kind of follow-up an activity is.
///
/// JSON: `"call"`, `"visit"`, `"email"` or `"task"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityType {
    /// A telephone call to the customer.
    Call,
    /// A visit (the customer's site or a branch appointment).
    Visit,
    /// An e-mail to write to the customer.
    Email,
    /// Any other task about the customer.
    Task,
}

impl ActivityType {
    /// Every type.
    pub const ALL: [ActivityType; 4] = [
        ActivityType::Call,
        ActivityType::Visit,
        ActivityType::Email,
        ActivityType::Task,
    ];

    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            ActivityType::Call => "call",
            ActivityType::Visit => "visit",
            ActivityType::Email => "email",
            ActivityType::Task => "task",
        }
    }
}

/// An activity was scheduled (`type` `activity_scheduled`).
///
/// ```json
/// {"customer_id": 7, "at": "2025-03-03T09:00:00Z", "type": "activity_scheduled",
///  "activity_id": "A-17", "activity": "call", "owner": "zeynep",
///  "due": "2025-03-04T12:00:00Z", "note": "asked about the new tariff"}
/// ```
///
/// `due` must not be before the event's `at`; [`crate::sla::BusinessCalendar::add_business_minutes`]
/// gives a due instant N business minutes after `at` (see
/// [`crate::worklist::due_after_business_minutes`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityScheduled {
    /// The company's key for the activity, 1 to 64 characters, unique among the customer's
    /// open activities.
    pub activity_id: String,
    /// What is to be done.
    pub activity: ActivityType,
    /// Who is to do it (an agent or team name), 1 to 64 characters.
    pub owner: String,
    /// When it is due (UTC), not before the scheduling instant.
    pub due: chrono::DateTime<chrono::Utc>,
    /// A note for the owner, at most 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An open activity was done (`type` `activity_done`).
///
/// ```json
/// {"customer_id": 7, "at": "2025-03-04T10:00:00Z", "type": "activity_done",
///  "activity_id": "A-17", "outcome": "renewed"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityDone {
    /// The activity, open for this customer.
    pub activity_id: String,
    /// What came of it, at most 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// An open activity was cancelled (`type` `activity_cancelled`).
///
/// ```json
/// {"customer_id": 7, "at": "2025-03-04T10:00:00Z", "type": "activity_cancelled",
///  "activity_id": "A-17", "reason": "customer called in first"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityCancelled {
    /// The activity, open for this customer.
    pub activity_id: String,
    /// Why, at most 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ActivityScheduled {
    /// Checks the fields a type cannot: the id's and owner's length, the note's length.
    /// (That `due` is not before the event's instant is checked where the instant is known.)
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `activity_id`, `owner` or `note`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use crm_core::model::{ActivityScheduled, ActivityType};
    /// let a = ActivityScheduled { activity_id: "A-1".into(), activity: ActivityType::Call,
    ///     owner: " ".into(), due: Utc.with_ymd_and_hms(2025, 3, 4, 12, 0, 0).unwrap(),
    ///     note: None };
    /// assert_eq!(a.check().unwrap_err().field(), Some("owner"));
    /// ```
    pub fn check(&self) -> Result<()> {
        check_activity_id(&self.activity_id)?;
        check_short("owner", &self.owner)?;
        check_text("note", self.note.as_deref())
    }
}

impl ActivityDone {
    /// Checks the id and the outcome's length.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `activity_id` or `outcome`.
    pub fn check(&self) -> Result<()> {
        check_activity_id(&self.activity_id)?;
        check_text("outcome", self.outcome.as_deref())
    }
}

impl ActivityCancelled {
    /// Checks the id and the reason's length.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `activity_id` or `reason`.
    pub fn check(&self) -> Result<()> {
        check_activity_id(&self.activity_id)?;
        check_text("reason", self.reason.as_deref())
    }
}

/// Checks an activity id: 1 to [`MAX_ACTIVITY_ID_CHARS`] characters, not only spaces.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `activity_id`.
///
/// ```
/// assert!(crm_core::model::check_activity_id("A-17").is_ok());
/// assert!(crm_core::model::check_activity_id("").is_err());
/// ```
pub fn check_activity_id(id: &str) -> Result<()> {
    check_short("activity_id", id)
}

fn check_short(field: &str, s: &str) -> Result<()> {
    let chars = s.chars().count();
    if s.trim().is_empty() || chars > MAX_ACTIVITY_ID_CHARS {
        let shown: String = s.chars().take(MAX_ACTIVITY_ID_CHARS).collect();
        return Err(CrmError::invalid(
            field,
            format_args!("{shown:?} ({chars} characters)"),
            format_args!("must be 1 to {MAX_ACTIVITY_ID_CHARS} characters, not only spaces"),
        ));
    }
    Ok(())
}

fn check_text(field: &str, s: Option<&str>) -> Result<()> {
    let chars = s.map_or(0, |s| s.chars().count());
    if chars > MAX_ACTIVITY_TEXT_CHARS {
        return Err(CrmError::invalid(
            field,
            format_args!("({chars} characters)"),
            format_args!("must be at most {MAX_ACTIVITY_TEXT_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn types_have_their_json_names() {
        for t in ActivityType::ALL {
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.name())
            );
        }
    }

    #[test]
    fn bad_fields_are_named() {
        let ok = ActivityScheduled {
            activity_id: "a".repeat(64),
            activity: ActivityType::Visit,
            owner: "ş".repeat(64),
            due: Utc.with_ymd_and_hms(2025, 3, 4, 12, 0, 0).unwrap(),
            note: Some("n".repeat(1000)),
        };
        assert!(ok.check().is_ok());
        let long = ActivityScheduled {
            activity_id: "ç".repeat(65),
            ..ok.clone()
        };
        let err = long.check().unwrap_err();
        assert_eq!(err.field(), Some("activity_id"));
        assert!(err.to_string().contains("65 characters"), "{err}");
        let note = ActivityScheduled {
            note: Some("n".repeat(1001)),
            ..ok
        };
        assert_eq!(note.check().unwrap_err().field(), Some("note"));
        let done = ActivityDone {
            activity_id: " ".into(),
            outcome: None,
        };
        assert_eq!(done.check().unwrap_err().field(), Some("activity_id"));
        let cancel = ActivityCancelled {
            activity_id: "A".into(),
            reason: Some("r".repeat(1001)),
        };
        assert_eq!(cancel.check().unwrap_err().field(), Some("reason"));
    }
}
