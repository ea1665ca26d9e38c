//! Ranking: priorities over every row, a partial selection of the best, reasons and next
//! actions for the selected rows only.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::{NextAction, Worklist, WorklistRow};
use crate::error::{CrmError, Result};
use crate::lifecycle::{LifecyclePolicy, Stage};
use crate::sla::BusinessCalendar;

/// The worklist's inputs, one row per customer, all of equal length.
#[derive(Debug, Clone, Copy)]
pub struct WorklistColumns<'a> {
    /// Customer ids.
    pub customer_id: &'a [u64],
    /// Predicted discounted CLV (`NaN`: no prediction).
    pub clv: &'a [f64],
    /// Probability alive, 0 to 1 (`NaN`: no prediction).
    pub p_alive: &'a [f64],
    /// Lifecycle stage.
    pub stage: &'a [Stage],
    /// Net revenue, minor units (the fallback's base).
    pub monetary: &'a [i64],
    /// Value score, 0 to 100 (the neglect rule's `min_score`).
    pub score: &'a [f64],
    /// Days since the last outbound contact (`NaN`: never).
    pub days_since_contact: &'a [f64],
    /// Inbound contacts since the last outbound one.
    pub unanswered_inbound: &'a [u32],
    /// Open complaints past an SLA target.
    pub complaints_breached: &'a [u32],
    /// Open activities past due.
    pub activities_overdue: &'a [u32],
}

impl WorklistColumns<'_> {
    fn check(&self) -> Result<usize> {
        let n = self.customer_id.len();
        for (field, len) in [
            ("clv", self.clv.len()),
            ("p_alive", self.p_alive.len()),
            ("stage", self.stage.len()),
            ("monetary", self.monetary.len()),
            ("score", self.score.len()),
            ("days_since_contact", self.days_since_contact.len()),
            ("unanswered_inbound", self.unanswered_inbound.len()),
            ("complaints_breached", self.complaints_breached.len()),
            ("activities_overdue", self.activities_overdue.len()),
        ] {
            if len != n {
                return Err(CrmError::invalid(
                    field,
                    format_args!("{len} rows"),
                    format_args!("customer_id has {n}"),
                ));
            }
        }
        Ok(n)
    }
}

/// What a worklist is ranked under.
#[derive(Debug, Clone, Copy)]
pub struct WorklistRules<'a> {
    /// The day's instant.
    pub at: DateTime<Utc>,
    /// Rows to return at most.
    pub limit: usize,
    /// Next actions per stage and the neglect rule.
    pub policy: &'a LifecyclePolicy,
    /// The calendar of due instants.
    pub calendar: &'a BusinessCalendar,
}

/// The share of net revenue at risk for a customer without a CLV prediction, by stage.
///
/// ```
/// use crm_core::{lifecycle::Stage, worklist::fallback_share};
/// assert_eq!(fallback_share(Stage::AtRisk), 0.5);
/// assert_eq!(fallback_share(Stage::Prospect), 0.0);
/// ```
pub fn fallback_share(stage: Stage) -> f64 {
    match stage {
        Stage::AtRisk => 0.5,
        Stage::Churned | Stage::Reactivated => 0.25,
        Stage::New | Stage::Active => 0.1,
        Stage::Loyal => 0.05,
        Stage::Prospect => 0.0,
    }
}

/// The due instant `minutes` business minutes after `at` on `calendar`: the deadline an
/// activity scheduled at `at` should carry.
///
/// # Errors
/// As [`BusinessCalendar::add_business_minutes`] (negative minutes, a calendar without
/// business time).
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// use crm_core::sla::BusinessCalendar;
/// let at = Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap();
/// let due = crm_core::worklist::due_after_business_minutes(&BusinessCalendar::always_open(), at, 90)?;
/// assert_eq!(due, Utc.with_ymd_and_hms(2025, 3, 3, 10, 30, 0).unwrap());
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn due_after_business_minutes(
    calendar: &BusinessCalendar,
    at: DateTime<Utc>,
    minutes: i64,
) -> Result<DateTime<Utc>> {
    calendar.add_business_minutes(at, minutes)
}

/// Value at risk and whether it came from the CLV.
fn value_at_risk(c: &WorklistColumns, i: usize) -> (f64, bool) {
    let (clv, p) = (c.clv[i], c.p_alive[i]);
    if clv.is_finite() && p.is_finite() {
        (clv.max(0.0) * (1.0 - p.clamp(0.0, 1.0)), true)
    } else {
        (
            fallback_share(c.stage[i]) * c.monetary[i].max(0) as f64,
            false,
        )
    }
}

fn neglect_factor(c: &WorklistColumns, i: usize, after_days: f64) -> f64 {
    let d = c.days_since_contact[i];
    let beyond = if d.is_nan() {
        after_days
    } else {
        (d - after_days).max(0.0)
    };
    1.0 + beyond / after_days
        + 0.5 * f64::from(c.unanswered_inbound[i])
        + f64::from(c.complaints_breached[i])
        + 0.25 * f64::from(c.activities_overdue[i])
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Ranks the customers of `columns` into the day's worklist (see the [module
/// docs](super) for the formula).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming a column whose length differs from
/// `customer_id`'s, `limit` when 0, or the policy's field; a calendar error for a due
/// instant.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// use crm_core::{lifecycle::{LifecyclePolicy, Stage}, sla::BusinessCalendar, worklist::*};
/// let at = Utc.with_ymd_and_hms(2025, 6, 2, 8, 0, 0).unwrap();
/// let cols = WorklistColumns { customer_id: &[1, 2], clv: &[1000.0, 500.0],
///     p_alive: &[0.5, 0.9], stage: &[Stage::Active; 2], monetary: &[0, 0],
///     score: &[50.0, 50.0], days_since_contact: &[10.0, 10.0], unanswered_inbound: &[0, 0],
///     complaints_breached: &[0, 0], activities_overdue: &[0, 0] };
/// let policy = LifecyclePolicy::default();
/// let cal = BusinessCalendar::always_open();
/// let list = rank(&cols, &WorklistRules { at, limit: 10, policy: &policy, calendar: &cal })?;
/// assert_eq!(list.rows[0].customer_id, 1);
/// assert_eq!(list.rows[0].priority, 500.0); // 1000 × (1 − 0.5) × 1
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn rank(columns: &WorklistColumns, rules: &WorklistRules) -> Result<Worklist> {
    let n = columns.check()?;
    if rules.limit == 0 {
        return Err(CrmError::invalid("limit", 0, "must be at least 1"));
    }
    rules.policy.validate()?;
    let after = rules.policy.neglect.after_days;
    let mut scored: Vec<(f64, u32)> = (0..n)
        .filter_map(|i| {
            let (v, _) = value_at_risk(columns, i);
            let p = v * neglect_factor(columns, i, after);
            (p.is_finite() && p > 0.0).then_some((p, i as u32))
        })
        .collect();
    let candidates = scored.len();
    let ids = columns.customer_id;
    let order = |a: &(f64, u32), b: &(f64, u32)| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(Ordering::Equal)
            .then(ids[a.1 as usize].cmp(&ids[b.1 as usize]))
    };
    if scored.len() > rules.limit {
        scored.select_nth_unstable_by(rules.limit - 1, order);
        scored.truncate(rules.limit);
    }
    scored.sort_unstable_by(order);
    let rows = scored
        .iter()
        .map(|&(priority, i)| row(columns, rules, i as usize, priority))
        .collect::<Result<Vec<_>>>()?;
    Ok(Worklist {
        at: rules.at,
        limit: rules.limit,
        candidates,
        rows,
    })
}

/// The row of customer `i`: reason, next action and its due instant.
fn row(c: &WorklistColumns, rules: &WorklistRules, i: usize, priority: f64) -> Result<WorklistRow> {
    let rule = rules.policy.neglect;
    let (value, from_clv) = value_at_risk(c, i);
    let factor = neglect_factor(c, i, rule.after_days);
    let days = c.days_since_contact[i];
    let neglected = rule.is_neglected(c.score[i], days);
    let mut parts = Vec::with_capacity(5);
    parts.push(if from_clv {
        format!(
            "value at risk {value:.0} = CLV {:.0} × (1 − P(alive) {:.2})",
            c.clv[i], c.p_alive[i]
        )
    } else {
        format!(
            "value at risk {value:.0} = {:.0}% of net revenue {} ({} stage, no CLV prediction)",
            fallback_share(c.stage[i]) * 100.0,
            c.monetary[i],
            c.stage[i].name()
        )
    });
    if neglected {
        parts.push(if days.is_nan() {
            format!(
                "neglected: never contacted by the company (score {:.0} ≥ {:.0})",
                c.score[i], rule.min_score
            )
        } else {
            format!(
                "neglected: no outbound contact for {days:.0} days (rule: {:.0} days at score \
                 ≥ {:.0}; score {:.0})",
                rule.after_days, rule.min_score, c.score[i]
            )
        });
    } else if days > rule.after_days {
        parts.push(format!("no outbound contact for {days:.0} days"));
    }
    let (u, b, o) = (
        c.unanswered_inbound[i],
        c.complaints_breached[i],
        c.activities_overdue[i],
    );
    if b > 0 {
        parts.push(format!(
            "{} past the SLA target",
            plural(b, "complaint", "complaints")
        ));
    }
    if u > 0 {
        parts.push(plural(
            u,
            "unanswered inbound contact",
            "unanswered inbound contacts",
        ));
    }
    if o > 0 {
        parts.push(format!("{} overdue", plural(o, "activity", "activities")));
    }
    parts.push(format!("neglect factor {factor:.2}"));
    let (action, text) = if b > 0 {
        (
            NextAction::AnswerComplaint,
            "answer the breached complaint".to_owned(),
        )
    } else if u > 0 {
        (
            NextAction::ReturnContact,
            "return the customer's unanswered contact".to_owned(),
        )
    } else if o > 0 {
        (
            NextAction::DoOverdueActivity,
            "do the overdue activity".to_owned(),
        )
    } else if neglected {
        (
            NextAction::CallNeglected,
            "call the neglected customer".to_owned(),
        )
    } else {
        (
            NextAction::StageAction,
            rules.policy.next_action(c.stage[i]).to_owned(),
        )
    };
    let due = rules
        .calendar
        .add_business_minutes(rules.at, action.business_minutes())?;
    Ok(WorklistRow {
        customer_id: c.customer_id[i],
        priority,
        value_at_risk: value,
        neglect_factor: factor,
        neglected,
        reason: parts.join("; "),
        action,
        next_action: text,
        due,
    })
}
