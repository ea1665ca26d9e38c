//! SLA policies: what a company promises per complaint, in a JSON form shared by all layers.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{BusinessCalendar, CalendarConfig};
use crate::error::{CrmError, Result};
use crate::model::{Channel, ComplaintStatus, Priority};

/// What an SLA target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// From opening to the company's first response.
    FirstResponse,
    /// From the oldest customer message still unanswered (after the first response) to the
    /// company's next reply.
    NextResponse,
    /// From the company's last contact to the next one, while the complaint is active.
    PeriodicUpdate,
    /// From opening to resolution (time between a resolution and a reopening not counted).
    Resolution,
}

impl Metric {
    /// Every metric, in evaluation order.
    pub const ALL: [Metric; 4] = [
        Metric::FirstResponse,
        Metric::NextResponse,
        Metric::PeriodicUpdate,
        Metric::Resolution,
    ];

    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::FirstResponse => "first_response",
            Metric::NextResponse => "next_response",
            Metric::PeriodicUpdate => "periodic_update",
            Metric::Resolution => "resolution",
        }
    }
}

/// Which clock a target runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// The policy's business calendar.
    #[default]
    Business,
    /// Around the clock, whatever the calendar says.
    Calendar,
}

/// The longest target a policy may set, in minutes: ten years, as
/// [`super::MAX_BUSINESS_MINUTES`] (a longer one could never be turned into a deadline).
/// Checked when the policy is parsed.
pub const MAX_TARGET_MINUTES: i64 = super::MAX_BUSINESS_MINUTES;

/// The largest share of its target at which an escalation step may fire (100 times the
/// target). Checked when the policy is parsed.
pub const MAX_ESCALATION_SHARE: f64 = 100.0;

/// One target: so many minutes on a clock. JSON: `240` (business minutes) or
/// `{"minutes": 240, "clock": "calendar"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "TargetForm")]
pub struct Target {
    /// The allowed time, in minutes (positive).
    pub minutes: u32,
    /// Business or calendar time.
    pub clock: ClockKind,
}

/// The two JSON forms of a [`Target`]. Read by hand rather than as an untagged enum, so that
/// an unknown key in the object form (`{"minutes": 240, "clok": "calendar"}`) is an error
/// naming it, not serde's "data did not match any variant".
enum TargetForm {
    Minutes(u32),
    Full(FullTarget),
}

/// The object form of a [`Target`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullTarget {
    minutes: u32,
    #[serde(default)]
    clock: ClockKind,
}

impl<'de> Deserialize<'de> for TargetForm {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        use serde::de::{self, MapAccess, Unexpected, Visitor};

        struct Form;

        impl<'de> Visitor<'de> for Form {
            type Value = TargetForm;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(r#"minutes (`240`) or `{"minutes": 240, "clock": "calendar"}`"#)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<TargetForm, E> {
                u32::try_from(v)
                    .map(TargetForm::Minutes)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<TargetForm, E> {
                u64::try_from(v)
                    .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
                    .and_then(|v| self.visit_u64(v))
            }

            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<TargetForm, A::Error> {
                FullTarget::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(TargetForm::Full)
            }
        }

        deserializer.deserialize_any(Form)
    }
}

impl From<TargetForm> for Target {
    fn from(form: TargetForm) -> Self {
        match form {
            TargetForm::Minutes(minutes) => Target {
                minutes,
                clock: ClockKind::Business,
            },
            TargetForm::Full(FullTarget { minutes, clock }) => Target { minutes, clock },
        }
    }
}

/// The targets of one priority; a missing metric is not measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricTargets {
    /// First response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_response: Option<Target>,
    /// Next response to a customer message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_response: Option<Target>,
    /// Periodic update while the complaint is active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periodic_update: Option<Target>,
    /// Resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Target>,
}

impl MetricTargets {
    /// The target of `metric`, if set.
    pub fn get(&self, metric: Metric) -> Option<Target> {
        match metric {
            Metric::FirstResponse => self.first_response,
            Metric::NextResponse => self.next_response,
            Metric::PeriodicUpdate => self.periodic_update,
            Metric::Resolution => self.resolution,
        }
    }
}

/// Targets per priority. JSON keys `low`, `medium` (or `normal`), `high`, `critical` (or
/// `urgent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriorityTargets {
    /// Low priority.
    pub low: MetricTargets,
    /// Medium ("normal") priority.
    #[serde(alias = "normal")]
    pub medium: MetricTargets,
    /// High priority.
    pub high: MetricTargets,
    /// Critical ("urgent") priority.
    #[serde(alias = "urgent")]
    pub critical: MetricTargets,
}

impl PriorityTargets {
    /// The targets of `priority`.
    pub fn of(&self, priority: Priority) -> &MetricTargets {
        match priority {
            Priority::Low => &self.low,
            Priority::Medium => &self.medium,
            Priority::High => &self.high,
            Priority::Critical => &self.critical,
        }
    }
}

/// Which complaints a policy applies to; an empty list matches anything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Conditions {
    /// Priorities (as of evaluation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priorities: Vec<Priority>,
    /// Customer tiers (pyramid tier names, e.g. `"Platinum"`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Complaint categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Channels the complaint came in on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
}

/// When to warn before a breach. JSON: `{"at_share": 0.75}` (75% of the target used) or
/// `{"minutes_before": 30}` (30 minutes of the target left).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged, try_from = "WarningForm")]
pub enum WarningRule {
    /// A share of the target used.
    Share {
        /// Between 0 and 1.
        at_share: f64,
    },
    /// Minutes of the target left.
    MinutesBefore {
        /// Positive.
        minutes_before: u32,
    },
}

/// The JSON form of a [`WarningRule`]: an object with exactly one of the two keys, any other
/// key refused by name (an untagged enum would only say that no variant matched).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WarningForm {
    at_share: Option<f64>,
    minutes_before: Option<u32>,
}

impl TryFrom<WarningForm> for WarningRule {
    type Error = &'static str;

    fn try_from(form: WarningForm) -> std::result::Result<Self, Self::Error> {
        match (form.at_share, form.minutes_before) {
            (Some(at_share), None) => Ok(WarningRule::Share { at_share }),
            (None, Some(minutes_before)) => Ok(WarningRule::MinutesBefore { minutes_before }),
            _ => Err("a warning takes exactly one of `at_share` and `minutes_before`"),
        }
    }
}

impl WarningRule {
    /// The used time, in minutes, at which the warning fires for a target of `target` minutes.
    pub fn fires_at(self, target: f64) -> f64 {
        match self {
            WarningRule::Share { at_share } => at_share * target,
            WarningRule::MinutesBefore { minutes_before } => {
                (target - f64::from(minutes_before)).max(0.0)
            }
        }
    }
}

/// One step of an escalation ladder: at `at_share` of a target used, escalate to `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    /// 1 for the first step, rising.
    pub level: u8,
    /// Share of the target used (1.0 = at the breach; above 1 after it).
    pub at_share: f64,
    /// Who takes over (a role, a team, a person).
    pub to: String,
}

fn default_pause() -> Vec<ComplaintStatus> {
    vec![ComplaintStatus::WaitingOnCustomer]
}

fn default_warnings() -> Vec<WarningRule> {
    vec![
        WarningRule::Share { at_share: 0.5 },
        WarningRule::Share { at_share: 0.75 },
    ]
}

/// One SLA policy in its JSON form.
///
/// Targets are looked up per metric: the customer tier's override first, then the complaint
/// category's, then the priority's base target. Without a calendar the policy runs 24×7.
///
/// ```json
/// {"name": "standard",
///  "when": {"channels": ["phone", "email"]},
///  "calendar": {"time_zone": "Europe/Istanbul", "week": {"mon": [["09:00","18:00"]]}},
///  "targets": {"urgent": {"first_response": 30, "resolution": 240},
///              "normal": {"first_response": 240, "resolution": {"minutes": 4320, "clock": "calendar"}}},
///  "tiers": {"Platinum": {"normal": {"first_response": 60}}},
///  "categories": {"billing": {"normal": {"resolution": 960}}},
///  "pause_statuses": ["waiting_on_customer"],
///  "warnings": [{"at_share": 0.5}, {"minutes_before": 30}],
///  "escalation": [{"level": 1, "at_share": 0.75, "to": "team lead"},
///                 {"level": 2, "at_share": 1.0, "to": "customer care manager"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// Shown in evaluations and reports.
    pub name: String,
    /// Which complaints it applies to.
    #[serde(default)]
    pub when: Conditions,
    /// Business hours; `None` for 24×7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarConfig>,
    /// Base targets per priority.
    #[serde(default)]
    pub targets: PriorityTargets,
    /// Overrides per customer tier.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tiers: BTreeMap<String, PriorityTargets>,
    /// Overrides per complaint category.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, PriorityTargets>,
    /// Statuses that stop every clock (waiting on the customer, by default).
    #[serde(default = "default_pause")]
    pub pause_statuses: Vec<ComplaintStatus>,
    /// Warnings before a breach (50% and 75% of the target, by default).
    #[serde(default = "default_warnings")]
    pub warnings: Vec<WarningRule>,
    /// The escalation ladder, lowest level first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<EscalationStep>,
}

impl SlaPolicy {
    /// A 24×7 policy named `name` with `targets` and the default pauses and warnings.
    pub fn new(name: &str, targets: PriorityTargets) -> Self {
        SlaPolicy {
            name: name.to_owned(),
            when: Conditions::default(),
            calendar: None,
            targets,
            tiers: BTreeMap::new(),
            categories: BTreeMap::new(),
            pause_statuses: default_pause(),
            warnings: default_warnings(),
            escalation: Vec::new(),
        }
    }

    /// The target of `metric` for a complaint of `priority` in `category` from a customer in
    /// `tier`: the tier's override, else the category's, else the base target.
    pub fn target(
        &self,
        metric: Metric,
        priority: Priority,
        tier: Option<&str>,
        category: Option<&str>,
    ) -> Option<Target> {
        let tier = tier.and_then(|t| self.tiers.get(t));
        let category = category.and_then(|c| self.categories.get(c));
        tier.and_then(|t| t.of(priority).get(metric))
            .or_else(|| category.and_then(|c| c.of(priority).get(metric)))
            .or_else(|| self.targets.of(priority).get(metric))
    }

    fn matches(
        &self,
        priority: Priority,
        tier: Option<&str>,
        category: Option<&str>,
        channel: Option<Channel>,
    ) -> bool {
        let w = &self.when;
        (w.priorities.is_empty() || w.priorities.contains(&priority))
            && (w.tiers.is_empty() || tier.is_some_and(|t| w.tiers.iter().any(|x| x == t)))
            && (w.categories.is_empty()
                || category.is_some_and(|c| w.categories.iter().any(|x| x == c)))
            && (w.channels.is_empty() || channel.is_some_and(|c| w.channels.contains(&c)))
    }

    fn validate(&self, at: &str) -> Result<()> {
        let field = |f: &str| format!("{at}.{f}");
        if self.name.trim().is_empty() {
            return Err(CrmError::invalid(
                &field("name"),
                "\"\"",
                "a policy needs a name",
            ));
        }
        let mut tables: Vec<(String, &PriorityTargets)> = vec![(field("targets"), &self.targets)];
        tables.extend(
            self.tiers
                .iter()
                .map(|(k, t)| (field(&format!("tiers.{k}")), t)),
        );
        tables.extend(
            self.categories
                .iter()
                .map(|(k, t)| (field(&format!("categories.{k}")), t)),
        );
        for (name, table) in tables {
            for p in Priority::ALL {
                for m in Metric::ALL {
                    if table.of(p).get(m).is_some_and(|t| t.minutes == 0) {
                        return Err(CrmError::invalid(
                            &format!("{name}.{}.{}", p.name(), m.name()),
                            0,
                            "a target must be at least one minute",
                        ));
                    }
                    if let Some(t) = table.of(p).get(m) {
                        crate::limits::at_most(
                            &format!("{name}.{}.{}", p.name(), m.name()),
                            i64::from(t.minutes),
                            MAX_TARGET_MINUTES,
                        )?;
                    }
                }
            }
        }
        for (i, w) in self.warnings.iter().enumerate() {
            match *w {
                WarningRule::Share { at_share } if !(at_share > 0.0 && at_share < 1.0) => {
                    return Err(CrmError::invalid(
                        &field(&format!("warnings[{i}].at_share")),
                        at_share,
                        "must lie strictly between 0 and 1",
                    ));
                }
                WarningRule::MinutesBefore { minutes_before: 0 } => {
                    return Err(CrmError::invalid(
                        &field(&format!("warnings[{i}].minutes_before")),
                        0,
                        "must be positive",
                    ));
                }
                _ => {}
            }
        }
        for (i, step) in self.escalation.iter().enumerate() {
            if !(step.at_share.is_finite() && step.at_share > 0.0) {
                return Err(CrmError::invalid(
                    &field(&format!("escalation[{i}].at_share")),
                    step.at_share,
                    "must be a positive share of the target",
                ));
            }
            crate::limits::at_most(
                &field(&format!("escalation[{i}].at_share")),
                step.at_share,
                MAX_ESCALATION_SHARE,
            )?;
            if let Some(prev) = i.checked_sub(1).map(|j| &self.escalation[j]) {
                if step.level <= prev.level || step.at_share < prev.at_share {
                    return Err(CrmError::invalid(
                        &field(&format!("escalation[{i}]")),
                        format_args!("level {} at {}", step.level, step.at_share),
                        "levels and shares must rise along the ladder",
                    ));
                }
            }
        }
        for (i, s) in self.pause_statuses.iter().enumerate() {
            if !s.is_active() {
                return Err(CrmError::invalid(
                    &field(&format!("pause_statuses[{i}]")),
                    s.name(),
                    "only active statuses can pause a clock",
                ));
            }
        }
        Ok(())
    }
}

/// A validated policy with its calendar built.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPolicy {
    pub(crate) policy: SlaPolicy,
    pub(crate) name: Arc<str>,
    pub(crate) calendar: BusinessCalendar,
    /// Whether each status (by slot) stops the clocks.
    pub(crate) paused: [bool; 6],
    /// The ladder's levels and whom they escalate to, shared with every evaluation.
    pub(crate) escalate_to: Vec<(u8, Arc<str>)>,
}

/// An ordered list of SLA policies; the first whose conditions match a complaint applies.
///
/// JSON: one policy object, a list of them, or `{"policies": [...]}`.
///
/// ```
/// use crm_core::sla::SlaPolicies;
/// let policies = SlaPolicies::from_json(
///     r#"[{"name": "vip", "when": {"tiers": ["Platinum"]}, "targets": {"urgent": {"first_response": 15}}},
///         {"name": "standard", "targets": {"urgent": {"first_response": 60}}}]"#,
/// )?;
/// assert_eq!(policies.len(), 2);
/// assert!(SlaPolicies::from_json(r#"{"name": "x", "targets": {"low": {"resolution": 0}}}"#).is_err());
/// # Ok::<(), crm_core::CrmError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SlaPolicies {
    pub(crate) compiled: Vec<CompiledPolicy>,
}

#[derive(Deserialize)]
struct Wrapped {
    policies: Vec<SlaPolicy>,
}

fn status_slot(s: ComplaintStatus) -> usize {
    match s {
        ComplaintStatus::Open => 0,
        ComplaintStatus::InProgress => 1,
        ComplaintStatus::WaitingOnCustomer => 2,
        ComplaintStatus::Escalated => 3,
        ComplaintStatus::Resolved => 4,
        ComplaintStatus::Closed => 5,
    }
}

pub(crate) fn is_paused(paused: &[bool; 6], s: ComplaintStatus) -> bool {
    paused[status_slot(s)]
}

impl SlaPolicies {
    /// Validates `policies` and builds their calendars.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming the policy and field: an empty list or
    /// name, a zero target, a warning share outside (0, 1), an escalation ladder that does not
    /// rise, a pause on a final status, or a calendar error.
    pub fn new(policies: Vec<SlaPolicy>) -> Result<Self> {
        if policies.is_empty() {
            return Err(CrmError::invalid(
                "policies",
                "[]",
                "give at least one policy",
            ));
        }
        let mut compiled = Vec::with_capacity(policies.len());
        for (i, policy) in policies.into_iter().enumerate() {
            let at = format!("policies[{i}]");
            policy.validate(&at)?;
            let calendar = match &policy.calendar {
                None => BusinessCalendar::always_open(),
                Some(c) => BusinessCalendar::new(c.clone())
                    .map_err(|e| e.context(format!("{at}.calendar")))?,
            };
            let mut paused = [false; 6];
            for s in &policy.pause_statuses {
                paused[status_slot(*s)] = true;
            }
            compiled.push(CompiledPolicy {
                name: policy.name.as_str().into(),
                escalate_to: policy
                    .escalation
                    .iter()
                    .map(|s| (s.level, Arc::from(s.to.as_str())))
                    .collect(),
                policy,
                calendar,
                paused,
            });
        }
        Ok(SlaPolicies { compiled })
    }

    /// Parses the JSON form (one policy, a list, or `{"policies": [...]}`) and validates it.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Parse`] for text that is not a policy list; then as
    /// [`SlaPolicies::new`].
    pub fn from_json(text: &str) -> Result<Self> {
        // Every form is read as `{"policies": [...]}`, so that a type error names the same
        // path as the validator's range errors (`policies[0].targets.high.resolution`)
        // whichever form the caller wrote; a mistake in the outer shape is still reported
        // against the shape the caller meant, not as serde's "no variant matched".
        let value: serde_json::Value = crate::json::parse("the SLA policies", text)?;
        let wrapped = match value {
            serde_json::Value::Object(o) if o.contains_key("policies") => {
                serde_json::Value::Object(o)
            }
            list @ serde_json::Value::Array(_) => serde_json::json!({ "policies": list }),
            one => serde_json::json!({ "policies": [one] }),
        };
        let Wrapped { policies } = crate::json::from_value("the SLA policies", wrapped)?;
        Self::new(policies)
    }

    /// The JSON form: `{"policies": [...]}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            policies: Vec<&'a SlaPolicy>,
        }
        serde_json::to_string(&Out {
            policies: self.policies().collect(),
        })
        .unwrap_or_default()
    }

    /// The policies, in order.
    pub fn policies(&self) -> impl ExactSizeIterator<Item = &SlaPolicy> {
        self.compiled.iter().map(|c| &c.policy)
    }

    /// How many policies there are.
    pub fn len(&self) -> usize {
        self.compiled.len()
    }

    /// Never true: a policy list is not empty.
    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty()
    }

    /// The index of the first policy matching a complaint, if any.
    pub fn select(
        &self,
        priority: Priority,
        tier: Option<&str>,
        category: Option<&str>,
        channel: Option<Channel>,
    ) -> Option<usize> {
        self.compiled
            .iter()
            .position(|c| c.policy.matches(priority, tier, category, channel))
    }
}
