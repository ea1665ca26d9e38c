//! Lifecycle stages: acquire → grow → retain (Kalakota & Robinson), replayed from events.
//!
//! A customer's stage is a function of their history as of an instant ([`classify`] on
//! [`StageFacts`]): nothing is stored, so replaying the same events always gives the same
//! stages, and changing the policy re-stages everyone. The rules, in order:
//!
//! 1. No purchase yet: **Prospect** (or **Churned** if the company recorded a churn).
//! 2. A churn recorded after the last purchase, or silence for `churn_days`: **Churned**.
//! 3. An unresolved complaint past its SLA (or open `open_complaint_days`), or silence for
//!    `gap_multiple` × the customer's own median gap between purchases (clamped to
//!    `floor_days..=cap_days`; `cap_days` with fewer than two purchases): **At risk**.
//! 4. Within `new_days` of a purchase that ended a churn: **Reactivated**.
//! 5. Not grown yet (no repeat purchase, no second category, no up-sell above
//!    `up_sell_ratio` × the usual basket): **New** within `new_days` of the first purchase;
//!    after that the onboarding failed: **At risk**.
//! 6. Tenure of `tenure_days` and at least `min_purchases` in the last `window_days`:
//!    **Loyal**.
//! 7. Otherwise: **Active** (growing).

mod classify;
pub(crate) mod replay;
mod report;
mod transactions;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};
pub use crate::model::ChurnReason;

pub use classify::{StageColumns, StageFactColumns, StageFacts, classify, classify_columns};
pub use replay::{StageSpell, replay};
pub use report::{ChurnReasonReport, LifecycleReport, churn_reasons, lifecycle_report};
pub use transactions::{TransactionStages, stages_from_transactions};

/// Where a customer is in their life with the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Known, has not bought yet.
    Prospect,
    /// Bought recently for the first time.
    New,
    /// Buying and growing: repeat purchases, cross- or up-selling.
    Active,
    /// Long-standing and buying regularly.
    Loyal,
    /// Silent for longer than usual, or waiting on an overdue complaint.
    AtRisk,
    /// Gone.
    Churned,
    /// Came back after churning.
    Reactivated,
}

impl Stage {
    /// Every stage, in funnel order.
    pub const ALL: [Stage; 7] = [
        Stage::Prospect,
        Stage::New,
        Stage::Active,
        Stage::Loyal,
        Stage::AtRisk,
        Stage::Churned,
        Stage::Reactivated,
    ];

    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Prospect => "prospect",
            Stage::New => "new",
            Stage::Active => "active",
            Stage::Loyal => "loyal",
            Stage::AtRisk => "at_risk",
            Stage::Churned => "churned",
            Stage::Reactivated => "reactivated",
        }
    }

    /// The stage's position in [`Stage::ALL`] (also its code in C and numpy columns).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The phase the stage belongs to.
    pub fn phase(self) -> Phase {
        match self {
            Stage::Prospect | Stage::New => Phase::Acquire,
            Stage::Active => Phase::Grow,
            Stage::Loyal | Stage::AtRisk | Stage::Reactivated => Phase::Retain,
            Stage::Churned => Phase::Lost,
        }
    }
}

/// The phases of the relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Prospect, New.
    Acquire,
    /// Active.
    Grow,
    /// Loyal, At risk, Reactivated.
    Retain,
    /// Churned.
    Lost,
}

/// What makes a customer Active (any one suffices).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActiveRule {
    /// Purchases that count as repeat buying (2 = a second purchase).
    pub repeat_purchases: u32,
    /// Distinct categories that count as cross-selling.
    pub cross_sell_categories: u32,
    /// A basket this many times the median of the earlier ones counts as up-selling.
    pub up_sell_ratio: f64,
}

impl Default for ActiveRule {
    fn default() -> Self {
        ActiveRule {
            repeat_purchases: 2,
            cross_sell_categories: 2,
            up_sell_ratio: 1.5,
        }
    }
}

/// What makes a customer Loyal (all of it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoyalRule {
    /// Days since the first purchase (since the comeback, for reactivated customers).
    pub tenure_days: f64,
    /// The window for regular buying.
    pub window_days: f64,
    /// Purchases needed in that window.
    pub min_purchases: u32,
}

impl Default for LoyalRule {
    fn default() -> Self {
        LoyalRule {
            tenure_days: 365.0,
            window_days: 180.0,
            min_purchases: 3,
        }
    }
}

/// What puts a customer At risk (any one suffices).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AtRiskRule {
    /// Silence longer than this many of the customer's own median gaps.
    pub gap_multiple: f64,
    /// The silence threshold is at least this many days…
    pub floor_days: f64,
    /// …and at most this many (the threshold with fewer than two purchases).
    pub cap_days: f64,
    /// An unresolved complaint open this long counts as overdue when no SLA policies are
    /// attached to the book (with policies, a breached target counts).
    pub open_complaint_days: f64,
}

impl Default for AtRiskRule {
    fn default() -> Self {
        AtRiskRule {
            gap_multiple: 3.0,
            floor_days: 30.0,
            cap_days: 180.0,
            open_complaint_days: 14.0,
        }
    }
}

impl AtRiskRule {
    /// Days of silence after which a customer with this median gap is at risk.
    pub fn silence_days(&self, median_gap_days: f64) -> f64 {
        if median_gap_days.is_nan() {
            return self.cap_days;
        }
        (self.gap_multiple * median_gap_days).clamp(self.floor_days, self.cap_days)
    }
}

/// When a valuable customer counts as *neglected*: the company has not contacted them for
/// more than `after_days` (or never) while their value score is at least `min_score`.
///
/// JSON `{"after_days": 60, "min_score": 60}` (the defaults): with the default pyramid a
/// score of 60 is roughly the top two tiers. Neglect is the company going quiet, the
/// documents' biggest churn reason (68% leave from indifference), so a neglected customer's
/// expected churn reasons follow the indifference-heavy default priors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NeglectRule {
    /// Days without an outbound contact after which a valuable customer is neglected.
    pub after_days: f64,
    /// The value score (0 to 100) from which a customer counts as valuable.
    pub min_score: f64,
}

impl Default for NeglectRule {
    fn default() -> Self {
        NeglectRule {
            after_days: 60.0,
            min_score: 60.0,
        }
    }
}

impl NeglectRule {
    fn is_default(&self) -> bool {
        *self == NeglectRule::default()
    }

    /// Whether a customer with this value score and these days since the last outbound
    /// contact (`NaN`: never contacted) is neglected.
    ///
    /// ```
    /// use crm_core::lifecycle::NeglectRule;
    /// let r = NeglectRule::default();
    /// assert!(r.is_neglected(75.0, 61.0));
    /// assert!(r.is_neglected(75.0, f64::NAN));
    /// assert!(!r.is_neglected(75.0, 60.0));
    /// assert!(!r.is_neglected(40.0, 365.0));
    /// ```
    pub fn is_neglected(&self, score: f64, days_since_contact: f64) -> bool {
        score >= self.min_score
            && (days_since_contact.is_nan() || days_since_contact > self.after_days)
    }

    /// Checks the rule.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `neglect.after_days` (not positive and
    /// finite, or above [`MAX_POLICY_DAYS`]) or `neglect.min_score` (outside 0 to 100).
    pub fn validate(&self) -> Result<()> {
        if !(self.after_days.is_finite() && self.after_days > 0.0) {
            return Err(CrmError::invalid(
                "neglect.after_days",
                self.after_days,
                "must be positive",
            ));
        }
        crate::limits::at_most("neglect.after_days", self.after_days, MAX_POLICY_DAYS)?;
        if !(0.0..=100.0).contains(&self.min_score) {
            return Err(CrmError::invalid(
                "neglect.min_score",
                self.min_score,
                "must be a value score from 0 to 100",
            ));
        }
        Ok(())
    }
}

/// The lifecycle rules, in their JSON form (every field optional):
///
/// ```json
/// {"new_days": 90, "churn_days": 365,
///  "active": {"repeat_purchases": 2, "cross_sell_categories": 2, "up_sell_ratio": 1.5},
///  "loyal": {"tenure_days": 365, "window_days": 180, "min_purchases": 3},
///  "at_risk": {"gap_multiple": 3, "floor_days": 30, "cap_days": 180, "open_complaint_days": 14},
///  "next_actions": {"at_risk": "call within a week"},
///  "churn_priors": {"indifference": 0.6, "dissatisfied": 0.2},
///  "neglect": {"after_days": 60, "min_score": 60}}
/// ```
///
/// Missing next actions and priors take the defaults ([`LifecyclePolicy::next_action`],
/// [`ChurnReason::DEFAULT_PRIORS`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifecyclePolicy {
    /// How long a first purchase (or a comeback) keeps a customer New (or Reactivated).
    pub new_days: f64,
    /// Silence after which a customer has churned.
    pub churn_days: f64,
    /// Growth rules.
    pub active: ActiveRule,
    /// Loyalty rules.
    pub loyal: LoyalRule,
    /// Risk rules.
    pub at_risk: AtRiskRule,
    /// Next actions per stage, replacing the defaults.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub next_actions: BTreeMap<Stage, String>,
    /// Shares of churn reasons to assume where reasons are unknown, replacing the defaults;
    /// must sum to 1 when given.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub churn_priors: BTreeMap<ChurnReason, f64>,
    /// When a valuable customer counts as neglected ([`NeglectRule`]); saved policies
    /// without it take the default.
    #[serde(skip_serializing_if = "NeglectRule::is_default")]
    pub neglect: NeglectRule,
}

impl Default for LifecyclePolicy {
    fn default() -> Self {
        LifecyclePolicy {
            new_days: 90.0,
            churn_days: 365.0,
            active: ActiveRule::default(),
            loyal: LoyalRule::default(),
            at_risk: AtRiskRule::default(),
            next_actions: BTreeMap::new(),
            churn_priors: BTreeMap::new(),
            neglect: NeglectRule::default(),
        }
    }
}

/// The largest day count a [`LifecyclePolicy`] accepts (`new_days`, `churn_days`,
/// `loyal.tenure_days`, `loyal.window_days`, `at_risk.floor_days`, `at_risk.cap_days`,
/// `at_risk.open_complaint_days`): a century. Checked when the policy is parsed, so that
/// every instant derived from it stays representable.
pub const MAX_POLICY_DAYS: f64 = 36_525.0;

/// The largest `at_risk.gap_multiple` a [`LifecyclePolicy`] accepts.
pub const MAX_GAP_MULTIPLE: f64 = 1_000.0;

impl LifecyclePolicy {
    /// Parses and validates the JSON form.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Parse`] for text that is not a policy; then as
    /// [`LifecyclePolicy::validate`].
    pub fn from_json(text: &str) -> Result<Self> {
        let p: LifecyclePolicy = crate::json::parse("the lifecycle policy", text)?;
        p.validate()?;
        Ok(p)
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks the rules.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming the field: day counts that are not positive
    /// and finite or above [`MAX_POLICY_DAYS`], a gap multiple above [`MAX_GAP_MULTIPLE`],
    /// `floor_days` above `cap_days`, `churn_days` not above `cap_days` (a
    /// customer would churn before being at risk), an up-sell ratio not above 1, or priors
    /// that are negative or do not sum to 1, or a bad [`NeglectRule`].
    pub fn validate(&self) -> Result<()> {
        self.neglect.validate()?;
        for (field, v) in [
            ("new_days", self.new_days),
            ("churn_days", self.churn_days),
            ("loyal.tenure_days", self.loyal.tenure_days),
            ("loyal.window_days", self.loyal.window_days),
            ("at_risk.gap_multiple", self.at_risk.gap_multiple),
            ("at_risk.floor_days", self.at_risk.floor_days),
            ("at_risk.cap_days", self.at_risk.cap_days),
            (
                "at_risk.open_complaint_days",
                self.at_risk.open_complaint_days,
            ),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(CrmError::invalid(field, v, "must be positive"));
            }
            let max = if field == "at_risk.gap_multiple" {
                MAX_GAP_MULTIPLE
            } else {
                MAX_POLICY_DAYS
            };
            crate::limits::at_most(field, v, max)?;
        }
        if self.at_risk.floor_days > self.at_risk.cap_days {
            return Err(CrmError::invalid(
                "at_risk.floor_days",
                self.at_risk.floor_days,
                format_args!("is above cap_days {}", self.at_risk.cap_days),
            ));
        }
        if self.churn_days <= self.at_risk.cap_days {
            return Err(CrmError::invalid(
                "churn_days",
                self.churn_days,
                format_args!(
                    "must be above at_risk.cap_days {} (customers are at risk before they churn)",
                    self.at_risk.cap_days
                ),
            ));
        }
        if !(self.active.up_sell_ratio.is_finite() && self.active.up_sell_ratio > 1.0) {
            return Err(CrmError::invalid(
                "active.up_sell_ratio",
                self.active.up_sell_ratio,
                "must be above 1",
            ));
        }
        if !self.churn_priors.is_empty() {
            if let Some((r, v)) = self
                .churn_priors
                .iter()
                .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
            {
                return Err(CrmError::invalid(
                    &format!("churn_priors.{}", r.name()),
                    v,
                    "must not be negative",
                ));
            }
            let sum: f64 = self.churn_priors.values().sum();
            if (sum - 1.0).abs() > 1e-9 {
                return Err(CrmError::invalid(
                    "churn_priors",
                    sum,
                    "the shares must sum to 1",
                ));
            }
        }
        Ok(())
    }

    /// The next action suggested for a customer in `stage`: the policy's own, else welcome
    /// and onboard (prospects, new and reactivated customers), cross-sell and up-sell
    /// (active), reward (loyal), win back (at risk, churned).
    pub fn next_action(&self, stage: Stage) -> &str {
        if let Some(a) = self.next_actions.get(&stage) {
            return a;
        }
        match stage {
            Stage::Prospect | Stage::New | Stage::Reactivated => "welcome and onboard",
            Stage::Active => "cross-sell and up-sell",
            Stage::Loyal => "reward",
            Stage::AtRisk | Stage::Churned => "win back",
        }
    }

    /// The churn-reason shares assumed where reasons are unknown, in [`ChurnReason::ALL`]
    /// order.
    pub fn churn_priors(&self) -> [f64; 6] {
        if self.churn_priors.is_empty() {
            return ChurnReason::DEFAULT_PRIORS;
        }
        ChurnReason::ALL.map(|r| self.churn_priors.get(&r).copied().unwrap_or(0.0))
    }
}
