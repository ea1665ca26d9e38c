//! Activities in the book: the checks that keep an activity's life in order (scheduled, then
//! done or cancelled once) and the open activities the 360° view shows.
//!
//! No state is kept beside the events: an activity is open while the customer's events hold
//! its `activity_scheduled` and no later finishing event, so undo, merges (the events move to
//! the survivor) and reloads need nothing of their own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CustomerBook;
use super::store::{StoredKind, Sym};
use crate::error::{CrmError, Result};
use crate::model::{ActivityType, Event, EventKind};

/// One open activity of a customer, as the 360° view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivitySummary {
    /// The company's key for the activity.
    pub activity_id: String,
    /// What is to be done.
    pub activity: ActivityType,
    /// Who is to do it.
    pub owner: String,
    /// When it was scheduled.
    pub scheduled_at: DateTime<Utc>,
    /// When it is due.
    pub due: DateTime<Utc>,
    /// Seconds past `due` at the view's instant; absent while it is not overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_by_seconds: Option<i64>,
    /// The note for the owner, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A customer's activities at an instant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityFigures {
    /// Open activities, the earliest due first (ties by activity id).
    pub open: Vec<ActivitySummary>,
    /// How many of the open ones are overdue.
    pub overdue: usize,
    /// Activities done.
    pub done: usize,
    /// Activities cancelled.
    pub cancelled: usize,
}

impl CustomerBook {
    /// Checks an activity event against the customer's activities: a second open activity
    /// with the same id, or finishing one the customer does not have open, is refused.
    pub(super) fn check_activity(&self, dense: u32, event: &Event) -> Result<()> {
        let (id, finishing) = match &event.kind {
            EventKind::ActivityScheduled(a) => (&a.activity_id, false),
            EventKind::ActivityDone(a) => (&a.activity_id, true),
            EventKind::ActivityCancelled(a) => (&a.activity_id, true),
            _ => return Ok(()),
        };
        let open = self
            .symbols
            .get(id)
            .and_then(|sym| self.open_activity(dense, sym));
        match (open, finishing) {
            (Some(_), false) => Err(CrmError::duplicate("activity_id", id)),
            (None, true) => Err(CrmError::conflict(
                "activity_id",
                id,
                format_args!(
                    "{} refused: customer {} has no open activity with this id (unknown, done \
                     or cancelled)",
                    event.kind.type_name(),
                    event.customer_id
                ),
            )),
            (Some(open), true) => {
                let scheduled = self.events[open as usize].at;
                if event.at < scheduled {
                    return Err(CrmError::conflict(
                        "at",
                        event.at.to_rfc3339(),
                        format_args!(
                            "{} for activity {id:?} is dated before it was scheduled at {}",
                            event.kind.type_name(),
                            scheduled.to_rfc3339()
                        ),
                    ));
                }
                Ok(())
            }
            (None, false) => Ok(()),
        }
    }

    /// The `activity_scheduled` event of the open activity `sym` of customer `dense`,
    /// counting every recorded event.
    fn open_activity(&self, dense: u32, sym: Sym) -> Option<u32> {
        let mut open = None;
        for &i in &self.by_customer[dense as usize] {
            let e = &self.events[i as usize];
            if e.customer != dense || e.kind.activity() != Some(sym) {
                continue;
            }
            open = match e.kind {
                StoredKind::ActivityScheduled { .. } => Some(i),
                _ => None,
            };
        }
        open
    }

    /// The customer's activities counting the time-sorted events `list` (those up to the
    /// view's instant), with the overdue ones measured at `as_of`.
    pub(crate) fn activity_figures(
        &self,
        dense: u32,
        list: &[u32],
        as_of: DateTime<Utc>,
    ) -> ActivityFigures {
        let mut figures = ActivityFigures::default();
        let mut open: Vec<u32> = Vec::new();
        for &i in list {
            let e = &self.events[i as usize];
            if e.customer != dense {
                continue;
            }
            match e.kind {
                StoredKind::ActivityScheduled { .. } => open.push(i),
                StoredKind::ActivityDone { activity, .. }
                | StoredKind::ActivityCancelled { activity, .. } => {
                    if let Some(pos) = open
                        .iter()
                        .rposition(|&o| self.events[o as usize].kind.activity() == Some(activity))
                    {
                        open.remove(pos);
                    }
                    if matches!(e.kind, StoredKind::ActivityDone { .. }) {
                        figures.done += 1;
                    } else {
                        figures.cancelled += 1;
                    }
                }
                _ => {}
            }
        }
        for i in open {
            let e = &self.events[i as usize];
            let StoredKind::ActivityScheduled {
                activity,
                kind,
                owner,
                due,
                note,
            } = e.kind
            else {
                continue;
            };
            let due = DateTime::from_timestamp_nanos(due);
            let overdue = (due < as_of).then(|| (as_of - due).num_seconds());
            figures.overdue += usize::from(overdue.is_some());
            figures.open.push(ActivitySummary {
                activity_id: self.symbols.resolve(activity).to_owned(),
                activity: kind,
                owner: self.symbols.resolve(owner).to_owned(),
                scheduled_at: e.at,
                due,
                overdue_by_seconds: overdue,
                note: note.map(|s| self.symbols.resolve(s).to_owned()),
            });
        }
        figures
            .open
            .sort_by(|a, b| (a.due, &a.activity_id).cmp(&(b.due, &b.activity_id)));
        figures
    }
}
