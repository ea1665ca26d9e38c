//! Funnels, conversion, time in stage and churn reasons over many customers' histories.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ChurnReason, Stage, StageSpell};
use crate::error::{CrmError, Result};

/// The lifecycle of a customer base over a period `[from, to)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifecycleReport {
    /// Start of the period.
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Customers in each stage at the end of the period ([`Stage::ALL`] order).
    pub at_end: [usize; 7],
    /// Customers who were in each stage at some time in the period.
    pub were_in: [usize; 7],
    /// Customers who entered each stage in the period.
    pub entered: [usize; 7],
    /// `transitions[a][b]`: moves from stage `a` to stage `b` in the period.
    pub transitions: [[usize; 7]; 7],
    /// The funnel: for each step (prospect → new, new → active, active → loyal, at risk →
    /// churned, churned → reactivated), the customers in the first stage during the period
    /// who moved on to the second in it, and the rate.
    pub funnel: Vec<FunnelStep>,
    /// Mean days per spell of each stage, over spells overlapping the period (a spell still
    /// running is counted up to the end of the period); `None` without spells.
    pub mean_days_in_stage: [Option<f64>; 7],
}

/// One step of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// The stage customers start in.
    pub from: Stage,
    /// The stage they move on to.
    pub to: Stage,
    /// Customers in `from` at some time in the period.
    pub customers: usize,
    /// Of those, how many moved from `from` to `to` in the period.
    pub converted: usize,
    /// `converted / customers`; `None` without customers.
    pub rate: Option<f64>,
}

const FUNNEL: [(Stage, Stage); 5] = [
    (Stage::Prospect, Stage::New),
    (Stage::New, Stage::Active),
    (Stage::Active, Stage::Loyal),
    (Stage::AtRisk, Stage::Churned),
    (Stage::Churned, Stage::Reactivated),
];

/// The report over customers' stage histories (each from [`super::replay`] or
/// [`crate::book::CustomerBook::stage_histories`] up to at least `to`).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] when `to` is not after `from`.
pub fn lifecycle_report<'a>(
    histories: impl IntoIterator<Item = &'a [StageSpell]>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<LifecycleReport> {
    if to <= from {
        return Err(CrmError::invalid(
            "to",
            to.to_rfc3339(),
            format_args!("must be after from {}", from.to_rfc3339()),
        ));
    }
    let mut r = LifecycleReport {
        from,
        to,
        at_end: [0; 7],
        were_in: [0; 7],
        entered: [0; 7],
        transitions: [[0; 7]; 7],
        funnel: Vec::new(),
        mean_days_in_stage: [None; 7],
    };
    let mut days = [(0.0f64, 0usize); 7];
    let mut converted = [0usize; FUNNEL.len()];
    for spells in histories {
        let mut were = [false; 7];
        let mut entered = [false; 7];
        let mut moved = [false; FUNNEL.len()];
        for (k, s) in spells.iter().enumerate() {
            let end = s.to.unwrap_or(to).min(to);
            if s.from >= to || end <= from && s.to.is_some() {
                continue;
            }
            let i = s.stage.index();
            were[i] = true;
            if s.from >= from {
                entered[i] = true;
                if let Some(prev) = k.checked_sub(1).map(|j| spells[j].stage) {
                    r.transitions[prev.index()][i] += 1;
                    for (f, &(a, b)) in FUNNEL.iter().enumerate() {
                        if prev == a && s.stage == b {
                            moved[f] = true;
                        }
                    }
                }
            }
            if s.to.is_none_or(|t| t >= to) {
                r.at_end[i] += 1;
            }
            let d = &mut days[i];
            d.0 += (end - s.from).num_milliseconds().max(0) as f64 / 86_400_000.0;
            d.1 += 1;
        }
        for i in 0..7 {
            r.were_in[i] += usize::from(were[i]);
            r.entered[i] += usize::from(entered[i]);
        }
        for f in 0..FUNNEL.len() {
            converted[f] += usize::from(moved[f]);
        }
    }
    r.mean_days_in_stage = days.map(|(total, n)| (n > 0).then(|| total / n as f64));
    r.funnel = FUNNEL
        .iter()
        .zip(converted)
        .map(|(&(a, b), converted)| {
            let customers = r.were_in[a.index()];
            FunnelStep {
                from: a,
                to: b,
                customers,
                converted,
                rate: (customers > 0).then(|| converted as f64 / customers as f64),
            }
        })
        .collect();
    Ok(r)
}

/// Why churned customers left: recorded reasons, and the unknown ones spread by the priors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnReasonReport {
    /// Churned customers.
    pub churned: usize,
    /// With a recorded reason, per reason ([`ChurnReason::ALL`] order).
    pub recorded: [usize; 6],
    /// Without a recorded reason.
    pub unknown: usize,
    /// The priors used for the unknown ones.
    pub priors: [f64; 6],
    /// Recorded + unknown × prior, per reason.
    pub expected: [f64; 6],
    /// `expected / churned`, per reason; all zero without churned customers.
    pub shares: [f64; 6],
}

/// Churn reasons of churned customers: `reasons` holds each one's recorded reason, if any;
/// unknown reasons are spread by `priors` ([`ChurnReason::DEFAULT_PRIORS`] unless the policy
/// sets its own).
///
/// ```
/// use crm_core::lifecycle::{ChurnReason, churn_reasons};
/// let r = churn_reasons(&[Some(ChurnReason::Moved), None, None], ChurnReason::DEFAULT_PRIORS);
/// // Moved: 1 recorded + 2 unknown × 3% = 1.06.
/// assert!((r.expected[1] - 1.06).abs() < 1e-12);
/// assert!((r.expected[5] - 1.36).abs() < 1e-12); // indifference: 2 × 68%
/// ```
pub fn churn_reasons(reasons: &[Option<ChurnReason>], priors: [f64; 6]) -> ChurnReasonReport {
    let mut recorded = [0usize; 6];
    let mut unknown = 0;
    for r in reasons {
        match r {
            Some(r) => recorded[ChurnReason::ALL.iter().position(|x| x == r).unwrap_or(5)] += 1,
            None => unknown += 1,
        }
    }
    let expected: [f64; 6] =
        std::array::from_fn(|i| recorded[i] as f64 + unknown as f64 * priors[i]);
    let n = reasons.len();
    ChurnReasonReport {
        churned: n,
        recorded,
        unknown,
        priors,
        expected,
        shares: expected.map(|e| if n > 0 { e / n as f64 } else { 0.0 }),
    }
}
