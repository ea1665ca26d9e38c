//! Replaying a customer's events into the dated history of their stages.
//!
//! Stages change at events (a purchase, a recorded churn, a complaint going overdue or being
//! settled) and at instants the rules derive from them (a purchase ageing out of the new
//! window, the loyalty window or into the churn horizon). The replay lists every such
//! instant, classifies the customer at each, and keeps the changes.

use chrono::{DateTime, Duration, Utc};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::{LifecyclePolicy, Stage, StageFacts, classify};
use crate::error::Result;
use crate::model::{ChurnReason, ComplaintId, Event, EventKind};

/// One stage held over a span of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageSpell {
    /// The stage.
    pub stage: Stage,
    /// When the customer entered it.
    pub from: DateTime<Utc>,
    /// When they left it; `None` while they are still in it.
    pub to: Option<DateTime<Utc>>,
}

/// One purchase as the rules see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bought {
    pub(crate) at: DateTime<Utc>,
    /// Minor units or a decimal amount: only compared with other baskets.
    pub(crate) amount: f64,
    pub(crate) category: Option<u32>,
}

/// What a customer's stage depends on, in time order.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    /// When the relationship started (acquisition, else the first event).
    pub(crate) start: Option<DateTime<Utc>>,
    pub(crate) purchases: Vec<Bought>,
    pub(crate) churns: Vec<(DateTime<Utc>, Option<ChurnReason>)>,
    /// Spans during which an unresolved complaint is overdue: `[from, to)`.
    pub(crate) overdue: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

fn days(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 86_400_000.0
}

fn span(days: f64) -> Duration {
    // Whole milliseconds, rounded up so the instant is never before the threshold. Policies
    // cap day counts at `MAX_POLICY_DAYS`; a silence threshold (gap multiple × median gap) is
    // clamped to `cap_days`; so the count always fits (`try_milliseconds` is belt and braces).
    Duration::try_milliseconds((days * 86_400_000.0).ceil() as i64).unwrap_or(Duration::MAX)
}

/// `t + d`, or the last representable instant: a threshold beyond it is never reached.
fn after(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `t − d`, or the first representable instant.
fn before(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_sub_signed(d).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

impl History {
    /// Sorts the inputs; call once after filling.
    pub(crate) fn prepare(&mut self) {
        self.purchases.sort_by_key(|p| p.at);
        self.churns.sort_by_key(|c| c.0);
        self.overdue.sort_by_key(|o| o.0);
    }

    /// The instant of the first up-sell: a basket above `ratio` × the median of the earlier
    /// ones.
    pub(crate) fn first_upsell(&self, ratio: f64) -> Option<DateTime<Utc>> {
        let mut earlier: Vec<f64> = Vec::with_capacity(self.purchases.len());
        for p in &self.purchases {
            if !earlier.is_empty() {
                let m = median(&mut earlier.clone());
                if p.amount > ratio * m {
                    return Some(p.at);
                }
            }
            earlier.push(p.amount);
        }
        None
    }

    /// The facts as of `t`; `upsell_at` from [`History::first_upsell`].
    pub(crate) fn facts_at(
        &self,
        policy: &LifecyclePolicy,
        t: DateTime<Utc>,
        upsell_at: Option<DateTime<Utc>>,
    ) -> StageFacts {
        let n = self.purchases.partition_point(|p| p.at <= t);
        let bought = &self.purchases[..n];
        let churned_in = |a: Option<DateTime<Utc>>, b: DateTime<Utc>| {
            self.churns
                .iter()
                .any(|&(c, _)| c <= b && a.is_none_or(|a| c > a))
        };
        let overdue = self
            .overdue
            .iter()
            .any(|&(from, to)| from <= t && to.is_none_or(|to| t < to));
        let Some(last) = bought.last() else {
            let mut f = StageFacts::prospect();
            f.churn_recorded = churned_in(None, t);
            f.overdue_complaint = overdue;
            return f;
        };
        let mut run = 0;
        for i in 1..n {
            let (prev, this) = (bought[i - 1].at, bought[i].at);
            // A churn recorded at the very instant of a purchase came before it.
            let churned = self.churns.iter().any(|&(c, _)| prev < c && c <= this);
            if churned || days(this - prev) >= policy.churn_days {
                run = i;
            }
        }
        let mut gaps: Vec<f64> = bought[run..]
            .windows(2)
            .map(|w| days(w[1].at - w[0].at))
            .collect();
        let mut categories = FxHashSet::default();
        categories.extend(bought.iter().filter_map(|p| p.category));
        let window_start = before(t, span(policy.loyal.window_days));
        StageFacts {
            purchases: n as u32,
            days_since_first: days(t - bought[run].at),
            days_since_last: days(t - last.at),
            median_gap_days: median(&mut gaps),
            categories: categories.len() as u32,
            upsold: upsell_at.is_some_and(|u| u <= t),
            recent_purchases: bought.iter().filter(|p| p.at > window_start).count() as u32,
            reactivated: run > 0,
            churn_recorded: churned_in(Some(last.at), t),
            overdue_complaint: overdue,
        }
    }

    /// The stage spells up to `as_of`, oldest first.
    pub(crate) fn spells(&self, policy: &LifecyclePolicy, as_of: DateTime<Utc>) -> Vec<StageSpell> {
        let upsell_at = self.first_upsell(policy.active.up_sell_ratio);
        let mut at: Vec<DateTime<Utc>> = Vec::new();
        at.extend(self.start);
        at.extend(self.churns.iter().map(|c| c.0));
        for &(from, to) in &self.overdue {
            at.push(from);
            at.extend(to);
        }
        let fixed = [
            policy.new_days,
            policy.churn_days,
            policy.loyal.window_days,
            policy.loyal.tenure_days,
            policy.at_risk.floor_days,
            policy.at_risk.cap_days,
        ];
        for p in &self.purchases {
            at.push(p.at);
            at.extend(fixed.iter().map(|&d| after(p.at, span(d))));
            if p.at <= as_of {
                let f = self.facts_at(policy, p.at, upsell_at);
                at.push(after(
                    p.at,
                    span(policy.at_risk.silence_days(f.median_gap_days)),
                ));
            }
        }
        at.retain(|&t| t <= as_of);
        at.sort_unstable();
        at.dedup();
        let mut spells: Vec<StageSpell> = Vec::new();
        for t in at {
            let stage = classify(policy, &self.facts_at(policy, t, upsell_at));
            match spells.last_mut() {
                Some(last) if last.stage == stage => {}
                Some(last) => {
                    last.to = Some(t);
                    spells.push(StageSpell {
                        stage,
                        from: t,
                        to: None,
                    });
                }
                None => spells.push(StageSpell {
                    stage,
                    from: t,
                    to: None,
                }),
            }
        }
        spells
    }

    /// The history of one customer's events (the customer's own, in any order): purchases,
    /// recorded churns, and complaints overdue after `open_complaint_days` until settled.
    pub(crate) fn from_events(policy: &LifecyclePolicy, events: &[Event]) -> Self {
        let mut h = History::default();
        let mut names: Vec<&str> = Vec::new();
        let mut opened: Vec<(ComplaintId, DateTime<Utc>)> = Vec::new();
        let mut settled: Vec<(ComplaintId, DateTime<Utc>)> = Vec::new();
        for e in events {
            h.start = Some(h.start.map_or(e.at, |s| s.min(e.at)));
            match &e.kind {
                EventKind::Purchase(p) => {
                    let category = p.category.as_deref().map(|c| {
                        let i = names.iter().position(|n| *n == c).unwrap_or_else(|| {
                            names.push(c);
                            names.len() - 1
                        });
                        i as u32
                    });
                    h.purchases.push(Bought {
                        at: e.at,
                        amount: p.amount as f64,
                        category,
                    });
                }
                EventKind::Churned(c) => h.churns.push((e.at, c.reason)),
                EventKind::ComplaintOpened(c) => opened.push((c.complaint_id, e.at)),
                EventKind::ComplaintResolved(c) => settled.push((c.complaint_id, e.at)),
                EventKind::ComplaintClosed(c) => settled.push((c.complaint_id, e.at)),
                _ => {}
            }
        }
        let wait = span(policy.at_risk.open_complaint_days);
        for (id, at) in opened {
            let end = settled
                .iter()
                .filter(|s| s.0 == id && s.1 >= at)
                .map(|s| s.1)
                .min();
            let from = after(at, wait);
            if end.is_none_or(|end| from < end) {
                h.overdue.push((from, end));
            }
        }
        h.prepare();
        h
    }
}

/// The stage history of one customer from their events, up to `as_of`: consecutive spells,
/// the last one open. Complaints count as overdue after the policy's `open_complaint_days`
/// (a book with SLA policies uses their breaches instead: see
/// [`crate::book::CustomerBook::stage_history`]).
///
/// # Errors
/// As [`LifecyclePolicy::validate`].
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use crm_core::lifecycle::{LifecyclePolicy, Stage, replay};
/// use crm_core::model::{Event, Purchase};
/// let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// let buy = |d: i64| Event::new(1, t0 + Duration::days(d), Purchase {
///     amount: 1000, currency: "TRY".into(), product: None, category: None, channel: None });
/// let spells = replay(&LifecyclePolicy::default(), &[buy(0), buy(20)], t0 + Duration::days(30))?;
/// let stages: Vec<Stage> = spells.iter().map(|s| s.stage).collect();
/// assert_eq!(stages, [Stage::New, Stage::Active]);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn replay(
    policy: &LifecyclePolicy,
    events: &[Event],
    as_of: DateTime<Utc>,
) -> Result<Vec<StageSpell>> {
    policy.validate()?;
    Ok(History::from_events(policy, events).spells(policy, as_of))
}
