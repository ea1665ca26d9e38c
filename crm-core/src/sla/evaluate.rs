//! Evaluating a complaint against the SLA policies as of an instant.
//!
//! The trail is replayed once into spans of running time per metric (the first response,
//! the resolution across reopenings, each next-response and periodic-update cycle); pauses
//! are cut out of those spans, and the remaining business time is summed on the policy's
//! clock. The breach instant is found where the running total crosses the target, so it is
//! the same whether the complaint is evaluated during the breach or years later.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::BusinessClock;
use super::policy::{ClockKind, CompiledPolicy, Metric, SlaPolicies, Target, is_paused};
use super::trail::{Change, ComplaintTrail};
use crate::error::Result;
use crate::model::{
    Channel, ComplaintId, ComplaintStatus, CustomerId, Direction, Priority, RootCause,
};

/// Where a metric stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// The clock is running and the target is not yet passed.
    Running,
    /// The clock is stopped by a pausing status.
    Paused,
    /// Done within the target.
    Met,
    /// The target was passed (whether or not the work is done since).
    Breached,
    /// The complaint was closed before the work was done, within the target.
    Cancelled,
}

/// One metric of one complaint, as of the evaluation instant. For next response and periodic
/// update the figures are those of the current (or last) cycle; `breached_at` and `breaches`
/// cover every cycle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricSla {
    /// The target applied (re-taken from the current priority).
    pub target: Target,
    /// Where it stands.
    pub state: SlaState,
    /// When the (current) clock started.
    pub started_at: DateTime<Utc>,
    /// When the target falls (or fell) due; `None` while paused.
    pub due_at: Option<DateTime<Utc>>,
    /// When the work was done (or cancelled).
    pub completed_at: Option<DateTime<Utc>>,
    /// When the target was first passed; stays recorded after completion.
    pub breached_at: Option<DateTime<Utc>>,
    /// How many cycles breached (0 or 1 for first response and resolution).
    pub breaches: u32,
    /// Time used on the target's clock, in minutes.
    pub used_minutes: f64,
    /// Time left, in minutes; negative once breached.
    pub left_minutes: f64,
    /// Used time as a share of the target (above 1 once breached).
    pub elapsed_share: f64,
    /// How many of the policy's warnings have fired.
    pub warnings: u8,
    /// The highest escalation level reached (0 = none).
    pub escalation_level: u8,
}

/// A complaint's SLA state as of an instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintSla {
    /// The ticket number.
    pub complaint_id: ComplaintId,
    /// Whose complaint.
    pub customer_id: CustomerId,
    /// The policy that applied.
    pub policy: Arc<str>,
    /// The priority in force.
    pub priority: Priority,
    /// The status in force.
    pub status: ComplaintStatus,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it was last resolved, if it is resolved (or closed after a resolution).
    pub resolved_at: Option<DateTime<Utc>>,
    /// The root cause of the last resolution.
    pub root_cause: Option<RootCause>,
    /// Category, channel and tier, for reports.
    pub category: Option<Arc<str>>,
    /// The channel it came in on.
    pub channel: Option<Channel>,
    /// The customer's tier used for the targets.
    pub tier: Option<Arc<str>>,
    /// First response, when the policy sets a target.
    pub first_response: Option<MetricSla>,
    /// Next response, once a customer message has waited for an answer.
    pub next_response: Option<MetricSla>,
    /// Periodic update, once the first response is made.
    pub periodic_update: Option<MetricSla>,
    /// Resolution.
    pub resolution: Option<MetricSla>,
    /// Whether any metric has breached.
    pub breached: bool,
    /// The highest escalation level among metrics still running (0 = none).
    pub escalation_level: u8,
    /// Who that level escalates to.
    pub escalate_to: Option<Arc<str>>,
}

impl ComplaintSla {
    /// The metric's state, if measured.
    pub fn metric(&self, metric: Metric) -> Option<&MetricSla> {
        match metric {
            Metric::FirstResponse => self.first_response.as_ref(),
            Metric::NextResponse => self.next_response.as_ref(),
            Metric::PeriodicUpdate => self.periodic_update.as_ref(),
            Metric::Resolution => self.resolution.as_ref(),
        }
    }

    /// Whether the complaint is still being worked on (not resolved, not closed).
    pub fn is_open(&self) -> bool {
        self.status.is_active()
    }
}

/// How a span of work ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    Running,
    Done(DateTime<Utc>),
    Cancelled(DateTime<Utc>),
}

impl End {
    fn at(self) -> Option<DateTime<Utc>> {
        match self {
            End::Running => None,
            End::Done(t) | End::Cancelled(t) => Some(t),
        }
    }
}

/// Buffers reused from one complaint to the next so that evaluation allocates nothing.
#[derive(Debug, Default)]
struct Scratch {
    pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    resolution: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    next: Vec<(DateTime<Utc>, End)>,
    periodic: Vec<(DateTime<Utc>, End)>,
}

/// The clock a target runs on.
#[derive(Clone, Copy)]
enum Ticker<'a> {
    Business(&'a BusinessClock),
    Wall,
}

impl Ticker<'_> {
    fn between(self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        match self {
            Ticker::Business(c) => c.between(a, b),
            Ticker::Wall => (b - a).max(Duration::zero()),
        }
    }

    fn add(self, a: DateTime<Utc>, d: Duration) -> Result<DateTime<Utc>> {
        match self {
            Ticker::Business(c) => c.add(a, d),
            Ticker::Wall => Ok(a + d),
        }
    }
}

/// Running time over `spans` minus `pauses`, and the instant it passed `target`.
fn run(
    ticker: Ticker<'_>,
    spans: &[(DateTime<Utc>, DateTime<Utc>)],
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    target: Duration,
) -> Result<(Duration, Option<DateTime<Utc>>)> {
    let mut used = Duration::zero();
    let mut breach = None;
    let mut account = |a: DateTime<Utc>, b: DateTime<Utc>| -> Result<()> {
        let len = ticker.between(a, b);
        if breach.is_none() && used + len > target {
            breach = Some(ticker.add(a, target - used)?);
        }
        used += len;
        Ok(())
    };
    for &(start, end) in spans {
        let mut cursor = start;
        for &(ps, pe) in pauses {
            if pe <= cursor {
                continue;
            }
            if ps >= end {
                break;
            }
            if ps > cursor {
                account(cursor, ps)?;
            }
            cursor = cursor.max(pe);
        }
        if cursor < end {
            account(cursor, end)?;
        }
    }
    Ok((used, breach))
}

fn minutes(d: Duration) -> f64 {
    d.num_nanoseconds()
        .map_or(d.num_seconds() as f64, |n| n as f64 / 1e9)
        / 60.0
}

/// The state of one metric from its spans of work.
struct Measure<'a> {
    policy: &'a CompiledPolicy,
    ticker: Ticker<'a>,
    pauses: &'a [(DateTime<Utc>, DateTime<Utc>)],
    paused_now: bool,
    now: DateTime<Utc>,
}

impl Measure<'_> {
    /// One clock accumulated over `spans` (ending at `end`, or at now while running).
    fn metric(
        &self,
        target: Target,
        started_at: DateTime<Utc>,
        spans: &[(DateTime<Utc>, DateTime<Utc>)],
        end: End,
    ) -> Result<MetricSla> {
        let t = Duration::minutes(i64::from(target.minutes));
        let ticker = match target.clock {
            ClockKind::Business => self.ticker,
            ClockKind::Calendar => Ticker::Wall,
        };
        let (used, breached_at) = run(ticker, spans, self.pauses, t)?;
        let state = match end {
            _ if breached_at.is_some() => SlaState::Breached,
            End::Done(_) => SlaState::Met,
            End::Cancelled(_) => SlaState::Cancelled,
            End::Running if self.paused_now => SlaState::Paused,
            End::Running => SlaState::Running,
        };
        let due_at = match (breached_at, end) {
            (Some(b), _) => Some(b),
            (None, End::Running) if self.paused_now => None,
            (None, End::Running) => Some(ticker.add(self.now, t - used)?),
            (None, End::Done(at) | End::Cancelled(at)) => Some(ticker.add(at, t - used)?),
        };
        let (used_m, target_m) = (minutes(used), f64::from(target.minutes));
        let policy = &self.policy.policy;
        let warnings = policy
            .warnings
            .iter()
            .filter(|w| w.fires_at(target_m) <= used_m)
            .count();
        let escalation_level = policy
            .escalation
            .iter()
            .filter(|s| s.at_share * target_m <= used_m)
            .map(|s| s.level)
            .max()
            .unwrap_or(0);
        Ok(MetricSla {
            target,
            state,
            started_at,
            due_at,
            completed_at: end.at(),
            breached_at,
            breaches: u32::from(breached_at.is_some()),
            used_minutes: used_m,
            left_minutes: target_m - used_m,
            elapsed_share: used_m / target_m,
            warnings: u8::try_from(warnings).unwrap_or(u8::MAX),
            escalation_level,
        })
    }

    /// Independent cycles, each with the full target; reports the last, counts breaches.
    fn cycles(&self, target: Target, cycles: &[(DateTime<Utc>, End)]) -> Result<Option<MetricSla>> {
        let mut out: Option<MetricSla> = None;
        let (mut first_breach, mut breaches) = (None, 0);
        for &(start, end) in cycles {
            let stop = end.at().unwrap_or(self.now);
            let m = self.metric(target, start, &[(start, stop)], end)?;
            if m.breached_at.is_some() {
                breaches += 1;
                first_breach = first_breach.or(m.breached_at);
            }
            out = Some(m);
        }
        Ok(out.map(|mut m| {
            m.breached_at = first_breach;
            m.breaches = breaches;
            m
        }))
    }
}

/// Evaluates many complaints against one policy list, reusing clocks and buffers.
#[derive(Debug)]
pub struct SlaEvaluator<'p> {
    policies: &'p SlaPolicies,
    clocks: Vec<BusinessClock>,
    scratch: Scratch,
}

impl<'p> SlaEvaluator<'p> {
    /// An evaluator whose calendars are unrolled between `from` and `to` (the span the
    /// complaints' openings, due instants and `now` mostly fall in; anything outside still
    /// works, more slowly).
    pub fn new(policies: &'p SlaPolicies, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        SlaEvaluator {
            policies,
            clocks: policies
                .compiled
                .iter()
                .map(|c| BusinessClock::new(&c.calendar, from, to))
                .collect(),
            scratch: Scratch::default(),
        }
    }

    /// The complaint's SLA state as of `now` (events after `now` are ignored); `None` when
    /// no policy matches it.
    ///
    /// # Errors
    /// Only when a deadline cannot be found within three years of business time (a calendar
    /// whose holidays close every day).
    pub fn evaluate(
        &mut self,
        trail: &ComplaintTrail,
        now: DateTime<Utc>,
    ) -> Result<Option<ComplaintSla>> {
        if trail.opened_at > now {
            return Ok(None);
        }
        let priority = trail.priority_at(now);
        let tier = trail.tier.as_deref();
        let category = trail.category.as_deref();
        let Some(index) = self
            .policies
            .select(priority, tier, category, trail.channel)
        else {
            return Ok(None);
        };
        let policy = &self.policies.compiled[index];
        let s = &mut self.scratch;
        s.pauses.clear();
        s.resolution.clear();
        s.next.clear();
        s.periodic.clear();

        let mut status = ComplaintStatus::Open;
        let mut pause_start: Option<DateTime<Utc>> = None;
        let mut first_response = End::Running;
        let mut resolution_start = Some(trail.opened_at);
        let mut resolution = End::Running;
        let mut waiting_since: Option<DateTime<Utc>> = None;
        let mut update_since: Option<DateTime<Utc>> = None;
        let (mut resolved_at, mut root_cause) = (None, None);

        for step in trail.steps.iter().take_while(|s| s.at <= now) {
            let at = step.at;
            let answered = matches!(
                step.change,
                Change::Responded
                    | Change::Message {
                        direction: Direction::Outbound
                    }
            );
            match step.change {
                Change::Status { status: next } => {
                    match (pause_start, is_paused(&policy.paused, next)) {
                        (None, true) => pause_start = Some(at),
                        (Some(p), false) => {
                            s.pauses.push((p, at));
                            pause_start = None;
                        }
                        _ => {}
                    }
                    status = next;
                }
                Change::Priority { .. } => {}
                _ if answered => {
                    if first_response == End::Running {
                        first_response = End::Done(at);
                    } else if let Some(w) = waiting_since.take() {
                        s.next.push((w, End::Done(at)));
                    }
                    if status.is_active() {
                        if let Some(u) = update_since {
                            s.periodic.push((u, End::Done(at)));
                        }
                        update_since = Some(at);
                    }
                }
                Change::Message { .. } => {
                    if first_response != End::Running && status.is_active() {
                        waiting_since = waiting_since.or(Some(at));
                    }
                }
                Change::Resolved { root_cause: cause } => {
                    if let Some(p) = pause_start.take() {
                        s.pauses.push((p, at));
                    }
                    if let Some(r) = resolution_start.take() {
                        s.resolution.push((r, at));
                    }
                    resolution = End::Done(at);
                    if first_response == End::Running {
                        // The resolution is the answer.
                        first_response = End::Done(at);
                    }
                    if let Some(w) = waiting_since.take() {
                        s.next.push((w, End::Done(at)));
                    }
                    if let Some(u) = update_since.take() {
                        s.periodic.push((u, End::Done(at)));
                    }
                    status = ComplaintStatus::Resolved;
                    (resolved_at, root_cause) = (Some(at), Some(cause));
                }
                Change::Reopened => {
                    status = ComplaintStatus::Open;
                    resolution_start = Some(at);
                    resolution = End::Running;
                    resolved_at = None;
                    if first_response != End::Running {
                        update_since = Some(at);
                    }
                }
                Change::Closed => {
                    if let Some(p) = pause_start.take() {
                        s.pauses.push((p, at));
                    }
                    if let Some(r) = resolution_start.take() {
                        s.resolution.push((r, at));
                        resolution = End::Cancelled(at);
                    }
                    if first_response == End::Running {
                        first_response = End::Cancelled(at);
                    }
                    if let Some(w) = waiting_since.take() {
                        s.next.push((w, End::Cancelled(at)));
                    }
                    if let Some(u) = update_since.take() {
                        s.periodic.push((u, End::Cancelled(at)));
                    }
                    status = ComplaintStatus::Closed;
                }
                Change::Responded => {}
            }
        }
        let paused_now = pause_start.is_some();
        if let Some(p) = pause_start {
            s.pauses.push((p, now));
        }
        if let Some(r) = resolution_start {
            s.resolution.push((r, now));
        }
        if let Some(w) = waiting_since {
            s.next.push((w, End::Running));
        }
        if let Some(u) = update_since {
            s.periodic.push((u, End::Running));
        }

        let ticker = match policy.calendar.is_always_open() {
            true => Ticker::Wall,
            false => Ticker::Business(&self.clocks[index]),
        };
        let measure = Measure {
            policy,
            ticker,
            pauses: &s.pauses,
            paused_now,
            now,
        };
        let target = |m| policy.policy.target(m, priority, tier, category);
        let first = match target(Metric::FirstResponse) {
            Some(t) => {
                let stop = first_response.at().unwrap_or(now);
                Some(measure.metric(
                    t,
                    trail.opened_at,
                    &[(trail.opened_at, stop)],
                    first_response,
                )?)
            }
            None => None,
        };
        let resolution = match target(Metric::Resolution) {
            Some(t) => {
                let started = s.resolution.last().map_or(trail.opened_at, |r| r.0);
                Some(measure.metric(t, started, &s.resolution, resolution)?)
            }
            None => None,
        };
        let next = match target(Metric::NextResponse) {
            Some(t) => measure.cycles(t, &s.next)?,
            None => None,
        };
        let periodic = match target(Metric::PeriodicUpdate) {
            Some(t) => measure.cycles(t, &s.periodic)?,
            None => None,
        };
        let metrics = [&first, &next, &periodic, &resolution];
        let breached = metrics
            .iter()
            .any(|m| m.is_some_and(|m| m.breached_at.is_some()));
        let escalation_level = metrics
            .iter()
            .filter_map(|m| m.as_ref())
            .filter(|m| m.completed_at.is_none())
            .map(|m| m.escalation_level)
            .max()
            .unwrap_or(0);
        let escalate_to = policy
            .escalate_to
            .iter()
            .find(|(level, _)| *level == escalation_level)
            .map(|(_, to)| Arc::clone(to));
        Ok(Some(ComplaintSla {
            complaint_id: trail.complaint_id,
            customer_id: trail.customer_id,
            policy: Arc::clone(&policy.name),
            priority,
            status,
            opened_at: trail.opened_at,
            resolved_at,
            root_cause,
            category: trail.category.clone(),
            channel: trail.channel,
            tier: trail.tier.clone(),
            first_response: first,
            next_response: next,
            periodic_update: periodic,
            resolution,
            breached,
            escalation_level,
            escalate_to,
        }))
    }
}

impl SlaPolicies {
    /// One complaint's SLA state as of `now`; `None` when no policy matches.
    ///
    /// # Errors
    /// As [`SlaEvaluator::evaluate`].
    pub fn evaluate(
        &self,
        trail: &ComplaintTrail,
        now: DateTime<Utc>,
    ) -> Result<Option<ComplaintSla>> {
        // Nothing to share between calls: let the calendars answer directly.
        SlaEvaluator::new(self, now, trail.opened_at).evaluate(trail, now)
    }

    /// Many complaints' SLA states as of `now`, in the order given.
    ///
    /// # Errors
    /// As [`SlaEvaluator::evaluate`].
    pub fn evaluate_all(
        &self,
        trails: &[ComplaintTrail],
        now: DateTime<Utc>,
    ) -> Result<Vec<Option<ComplaintSla>>> {
        let from = trails.iter().map(|t| t.opened_at).min().unwrap_or(now);
        // Targets are hours to weeks; beyond two months the calendars answer directly.
        let mut evaluator = SlaEvaluator::new(self, from, now.max(from) + Duration::days(60));
        trails.iter().map(|t| evaluator.evaluate(t, now)).collect()
    }
}
