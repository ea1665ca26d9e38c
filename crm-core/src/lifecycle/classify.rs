//! The stage as a function of a customer's facts as of an instant.

use serde::{Deserialize, Serialize};

use super::{LifecyclePolicy, Stage};
use crate::error::{CrmError, Result};

/// What the stage rules look at, as of an instant. Day counts are `NaN` when they do not
/// apply (no purchase yet; fewer than two purchases for the median gap).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StageFacts {
    /// Purchases so far.
    pub purchases: u32,
    /// Days since the first purchase of the current run (the comeback, after a churn).
    pub days_since_first: f64,
    /// Days since the last purchase.
    pub days_since_last: f64,
    /// Median days between consecutive purchases of the current run.
    pub median_gap_days: f64,
    /// Distinct categories bought.
    pub categories: u32,
    /// Whether some basket was above the up-sell ratio × the median of the earlier ones.
    pub upsold: bool,
    /// Purchases within the loyalty window.
    pub recent_purchases: u32,
    /// Whether the current run started after a churn.
    pub reactivated: bool,
    /// Whether a churn was recorded after the last purchase.
    pub churn_recorded: bool,
    /// Whether an unresolved complaint is past its SLA.
    pub overdue_complaint: bool,
}

impl StageFacts {
    /// A customer who has done nothing yet.
    pub fn prospect() -> Self {
        StageFacts {
            purchases: 0,
            days_since_first: f64::NAN,
            days_since_last: f64::NAN,
            median_gap_days: f64::NAN,
            categories: 0,
            upsold: false,
            recent_purchases: 0,
            reactivated: false,
            churn_recorded: false,
            overdue_complaint: false,
        }
    }
}

/// The stage the policy gives these facts (the rules are listed in [`crate::lifecycle`]).
///
/// ```
/// use crm_core::lifecycle::{LifecyclePolicy, Stage, StageFacts, classify};
/// let policy = LifecyclePolicy::default();
/// let mut f = StageFacts::prospect();
/// assert_eq!(classify(&policy, &f), Stage::Prospect);
/// f.purchases = 1;
/// f.days_since_first = 10.0;
/// f.days_since_last = 10.0;
/// f.categories = 1;
/// assert_eq!(classify(&policy, &f), Stage::New);
/// f.purchases = 2;
/// assert_eq!(classify(&policy, &f), Stage::Active);
/// f.days_since_last = 400.0;
/// assert_eq!(classify(&policy, &f), Stage::Churned);
/// ```
pub fn classify(policy: &LifecyclePolicy, f: &StageFacts) -> Stage {
    if f.purchases == 0 {
        return if f.churn_recorded {
            Stage::Churned
        } else {
            Stage::Prospect
        };
    }
    if f.churn_recorded || f.days_since_last >= policy.churn_days {
        return Stage::Churned;
    }
    if f.overdue_complaint || f.days_since_last >= policy.at_risk.silence_days(f.median_gap_days) {
        return Stage::AtRisk;
    }
    let fresh = f.days_since_first < policy.new_days;
    if f.reactivated && fresh {
        return Stage::Reactivated;
    }
    let a = &policy.active;
    let grown =
        f.purchases >= a.repeat_purchases || f.categories >= a.cross_sell_categories || f.upsold;
    if !grown {
        return if fresh { Stage::New } else { Stage::AtRisk };
    }
    let l = &policy.loyal;
    if f.days_since_first >= l.tenure_days && f.recent_purchases >= l.min_purchases {
        return Stage::Loyal;
    }
    Stage::Active
}

/// [`StageFacts`] as columns of equal length (flags as 0/1 bytes), for data frames.
#[derive(Debug, Clone, Copy)]
pub struct StageColumns<'a> {
    /// Purchases so far.
    pub purchases: &'a [u32],
    /// Days since the first purchase of the current run.
    pub days_since_first: &'a [f64],
    /// Days since the last purchase.
    pub days_since_last: &'a [f64],
    /// Median days between purchases (`NaN` with fewer than two).
    pub median_gap_days: &'a [f64],
    /// Distinct categories bought.
    pub categories: &'a [u32],
    /// Up-sold (0/1).
    pub upsold: &'a [u8],
    /// Purchases in the loyalty window.
    pub recent_purchases: &'a [u32],
    /// Reactivated run (0/1).
    pub reactivated: &'a [u8],
    /// Churn recorded (0/1).
    pub churn_recorded: &'a [u8],
    /// Overdue complaint (0/1).
    pub overdue_complaint: &'a [u8],
}

/// The stage of every row; runs in parallel on large inputs.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] when the columns differ in length (naming the column)
/// or a policy check fails.
pub fn classify_columns(policy: &LifecyclePolicy, c: &StageColumns<'_>) -> Result<Vec<Stage>> {
    policy.validate()?;
    let n = c.purchases.len();
    for (name, len) in [
        ("days_since_first", c.days_since_first.len()),
        ("days_since_last", c.days_since_last.len()),
        ("median_gap_days", c.median_gap_days.len()),
        ("categories", c.categories.len()),
        ("upsold", c.upsold.len()),
        ("recent_purchases", c.recent_purchases.len()),
        ("reactivated", c.reactivated.len()),
        ("churn_recorded", c.churn_recorded.len()),
        ("overdue_complaint", c.overdue_complaint.len()),
    ] {
        if len != n {
            return Err(CrmError::invalid(
                name,
                format_args!("of length {len}"),
                format_args!("all columns must have the length of purchases ({n})"),
            ));
        }
    }
    let row = |i: usize| StageFacts {
        purchases: c.purchases[i],
        days_since_first: c.days_since_first[i],
        days_since_last: c.days_since_last[i],
        median_gap_days: c.median_gap_days[i],
        categories: c.categories[i],
        upsold: c.upsold[i] != 0,
        recent_purchases: c.recent_purchases[i],
        reactivated: c.reactivated[i] != 0,
        churn_recorded: c.churn_recorded[i] != 0,
        overdue_complaint: c.overdue_complaint[i] != 0,
    };
    use rayon::prelude::*;
    // Below this a thread hand-off costs more than the rules.
    const PARALLEL_FROM: usize = 1 << 16;
    Ok(if n < PARALLEL_FROM {
        (0..n).map(|i| classify(policy, &row(i))).collect()
    } else {
        crate::parallel::install(|| {
            (0..n)
                .into_par_iter()
                .map(|i| classify(policy, &row(i)))
                .collect()
        })
    })
}

/// [`StageFacts`] of many customers as owned columns (flags as 0/1), e.g. exported from a
/// book with [`crate::book::CustomerBook::stage_facts`]; [`StageFactColumns::columns`]
/// borrows them for [`classify_columns`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StageFactColumns {
    /// Customer ids.
    pub customer_id: Vec<u64>,
    /// Purchases so far.
    pub purchases: Vec<u32>,
    /// Days since the first purchase of the current run.
    pub days_since_first: Vec<f64>,
    /// Days since the last purchase.
    pub days_since_last: Vec<f64>,
    /// Median days between purchases.
    pub median_gap_days: Vec<f64>,
    /// Distinct categories bought.
    pub categories: Vec<u32>,
    /// Up-sold (0/1).
    pub upsold: Vec<u8>,
    /// Purchases in the loyalty window.
    pub recent_purchases: Vec<u32>,
    /// Reactivated run (0/1).
    pub reactivated: Vec<u8>,
    /// Churn recorded (0/1).
    pub churn_recorded: Vec<u8>,
    /// Overdue complaint (0/1).
    pub overdue_complaint: Vec<u8>,
}

impl StageFactColumns {
    /// Appends one customer's facts.
    pub fn push(&mut self, customer_id: u64, f: &StageFacts) {
        self.customer_id.push(customer_id);
        self.purchases.push(f.purchases);
        self.days_since_first.push(f.days_since_first);
        self.days_since_last.push(f.days_since_last);
        self.median_gap_days.push(f.median_gap_days);
        self.categories.push(f.categories);
        self.upsold.push(u8::from(f.upsold));
        self.recent_purchases.push(f.recent_purchases);
        self.reactivated.push(u8::from(f.reactivated));
        self.churn_recorded.push(u8::from(f.churn_recorded));
        self.overdue_complaint.push(u8::from(f.overdue_complaint));
    }

    /// The columns, borrowed.
    pub fn columns(&self) -> StageColumns<'_> {
        StageColumns {
            purchases: &self.purchases,
            days_since_first: &self.days_since_first,
            days_since_last: &self.days_since_last,
            median_gap_days: &self.median_gap_days,
            categories: &self.categories,
            upsold: &self.upsold,
            recent_purchases: &self.recent_purchases,
            reactivated: &self.reactivated,
            churn_recorded: &self.churn_recorded,
            overdue_complaint: &self.overdue_complaint,
        }
    }
}
