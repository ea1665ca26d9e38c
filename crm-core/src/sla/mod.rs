//! Service levels for complaints: business calendars ([`BusinessCalendar`]), the clock that
//! SLA targets run on; SLA policies ([`SlaPolicy`], [`SlaPolicies`]) with targets per
//! priority, tier and category, pauses, warnings and escalation; the evaluation of a
//! complaint's events as of an instant ([`ComplaintSla`]); and the reports built on it
//! (compliance, expected retention).

mod batch;
mod calendar;
mod clock;
mod evaluate;
mod policy;
mod report;
mod trail;

#[cfg(test)]
mod tests;

pub use calendar::{
    BusinessCalendar, CalendarConfig, MAX_BUSINESS_MINUTES, MAX_SPAN_DAYS, MAX_SPECIAL_DAYS,
    MAX_WINDOWS_PER_DAY, SpecialDay, WeeklyHours, Window,
};
pub use clock::BusinessClock;
pub use evaluate::{ComplaintSla, MetricSla, SlaEvaluator, SlaState};
pub use policy::{
    ClockKind, Conditions, EscalationStep, MAX_ESCALATION_SHARE, MAX_TARGET_MINUTES, Metric,
    MetricTargets, PriorityTargets, SlaPolicies, SlaPolicy, Target, WarningRule,
};
pub use report::{
    ComplianceRow, GroupBy, ReportRequest, RetentionAssumptions, RetentionReport, SlaReport,
    compliance, customer_error_share, expected_retention, report,
};
pub use trail::{Change, ComplaintTrail, Step};
