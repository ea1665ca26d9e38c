//! The selection: per customer in or out, the reason and the deciding rule node, and counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Audience;
use super::columns::AudienceInputs;
use super::consent::ConsentState;
use super::eval::{Evaluator, RuleNode, attribute, get, number};
use crate::error::{CrmError, Result};
use crate::model::{Channel, CustomerId};

/// Why a customer is in or out. A customer gets the first that applies, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The rule does not hold (the `rule` column names the node that decided).
    RuleFailed,
    /// No decision on the channel: marketing needs an opt-in.
    NoConsent,
    /// The latest decision on the channel withdrew consent.
    ConsentWithdrawn,
    /// On the do-not-contact list.
    Suppressed,
    /// A complaint is in progress.
    ComplaintOpen,
    /// Contacted by the company within the frequency cap.
    FrequencyCap,
    /// In the audience.
    Included,
}

impl Reason {
    /// Every reason, in the order they are checked.
    pub const ALL: [Reason; 7] = [
        Reason::RuleFailed,
        Reason::NoConsent,
        Reason::ConsentWithdrawn,
        Reason::Suppressed,
        Reason::ComplaintOpen,
        Reason::FrequencyCap,
        Reason::Included,
    ];

    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::RuleFailed => "rule_failed",
            Reason::NoConsent => "no_consent",
            Reason::ConsentWithdrawn => "consent_withdrawn",
            Reason::Suppressed => "suppressed",
            Reason::ComplaintOpen => "complaint_open",
            Reason::FrequencyCap => "frequency_cap",
            Reason::Included => "included",
        }
    }
}

/// The result of a selection, one row per customer (the inputs' order). JSON:
/// `{"as_of", "channel", "customer_id": [...], "included": [...], "reason": [...],
/// "rule": ["all[0]", ...], "counts": {"included": 2, ...}, "counts_each": {...},
/// "nodes": [{"path", "text", "decided"}], "unknown_suppressed_ids": 0}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The instant (set by the book's selection; `None` over bare columns).
    pub as_of: Option<DateTime<Utc>>,
    /// The channel whose consent was checked (`None`: not checked).
    pub channel: Option<Channel>,
    /// Customer ids.
    pub customer_id: Vec<CustomerId>,
    /// In the audience.
    pub included: Vec<bool>,
    /// The first reason that applies.
    pub reason: Vec<Reason>,
    /// The index into `nodes` of the rule node that decided the rule for the customer: the
    /// failing node for `rule_failed`, the passing one otherwise (JSON: its path, `rule`).
    pub node: Vec<u16>,
    /// Customers per reason (first reason only; sums to the customers).
    pub counts: BTreeMap<Reason, usize>,
    /// Customers each check applies to, independently (a customer without consent and with an
    /// open complaint counts under both).
    pub counts_each: BTreeMap<Reason, usize>,
    /// The rule's nodes in preorder, with the customers each decided.
    pub nodes: Vec<NodeCount>,
    /// Ids on the do-not-contact list that are not customers of the book (ignored).
    pub unknown_suppressed_ids: usize,
}

/// A rule node and how many customers it decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeCount {
    /// Its path (`$` for the root).
    pub path: String,
    /// The node in the rule grammar.
    pub text: String,
    /// Customers it decided (in or out).
    pub decided: usize,
}

/// Selects over plain columns, without the book: the rule's bitsets, then consent (when
/// `inputs.consent` is filled) and the suppressions, each customer getting the first
/// [`Reason`] that applies.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming the field when a column the rule reads is
/// missing or of another length than `customer_id`, or a named audience is unknown.
///
/// ```
/// use crm_core::audience::{Audience, AudienceInputs, Column, Field, Reason, select_columns};
/// let mut inputs = AudienceInputs::default();
/// inputs.customer_id = vec![1, 2, 3];
/// inputs.columns.insert(Field::Score, Column::Number(vec![80.0, 20.0, f64::NAN]));
/// let a = Audience::from_json(r#"{"field": "score", "gte": 50}"#)?;
/// let s = select_columns(&a, &inputs)?;
/// assert_eq!(s.included, [true, false, false]);
/// assert_eq!(s.counts[&Reason::RuleFailed], 2);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn select_columns(audience: &Audience, inputs: &AudienceInputs) -> Result<Selection> {
    let n = inputs.customer_id.len();
    let check = |name: &str, len: usize| {
        if len != 0 && len != n {
            return Err(CrmError::invalid(
                name,
                len,
                format_args!("needs one value per customer ({n})"),
            ));
        }
        Ok(())
    };
    check("consent", inputs.consent.len())?;
    check("suppression.customer_ids", inputs.suppress.listed.len())?;
    check(
        "suppression.open_complaints",
        inputs.suppress.complaint_open.len(),
    )?;
    check(
        "suppression.contacted_within_days",
        inputs.suppress.frequency_cap.len(),
    )?;
    let mut evaluator = Evaluator {
        inputs,
        named: &audience.named,
        n,
        memo: BTreeMap::new(),
    };
    let mut bits = Vec::new();
    let passing = evaluator.eval_all(&audience.rule, "$", &mut bits)?;
    let mut nodes = Vec::new();
    number(&audience.rule, "$", &mut nodes);
    let mut node = vec![0u16; n];
    let mut id = 0;
    let everyone = {
        let mut b = vec![u64::MAX; n.div_ceil(64)];
        if n % 64 != 0 {
            if let Some(l) = b.last_mut() {
                *l &= (1u64 << (n % 64)) - 1;
            }
        }
        b
    };
    attribute(&audience.rule, &mut id, &bits, everyone, &mut node);

    let flag = |v: &[bool], i: usize| v.get(i).copied().unwrap_or(false);
    let mut included = Vec::with_capacity(n);
    let mut reason = Vec::with_capacity(n);
    let mut first_counts = [0usize; 7];
    let mut each = [0usize; 7];
    let mut decided = vec![0usize; nodes.len()];
    for i in 0..n {
        let checks = [
            !get(&passing, i),
            inputs.consent.get(i) == Some(&ConsentState::Never),
            inputs.consent.get(i) == Some(&ConsentState::Withdrawn),
            flag(&inputs.suppress.listed, i),
            flag(&inputs.suppress.complaint_open, i),
            flag(&inputs.suppress.frequency_cap, i),
        ];
        let first = checks.iter().position(|&c| c).unwrap_or(6);
        for (k, &c) in checks.iter().enumerate() {
            each[k] += usize::from(c);
        }
        if first == 6 {
            each[6] += 1;
        }
        first_counts[first] += 1;
        included.push(first == 6);
        reason.push(Reason::ALL[first]);
        decided[usize::from(node[i])] += 1;
    }
    // Only the reasons that occur, so that the JSON lists what happened.
    let counts = Reason::ALL
        .iter()
        .copied()
        .zip(first_counts)
        .filter(|&(_, c)| c > 0)
        .collect();
    let counts_each = Reason::ALL.iter().copied().zip(each).collect();
    Ok(Selection {
        as_of: None,
        channel: None,
        customer_id: inputs.customer_id.clone(),
        included,
        reason,
        node,
        counts,
        counts_each,
        nodes: nodes
            .into_iter()
            .zip(decided)
            .map(|(RuleNode { path, text }, decided)| NodeCount {
                path,
                text,
                decided,
            })
            .collect(),
        unknown_suppressed_ids: inputs.suppress.unknown_ids,
    })
}

impl Selection {
    /// The path of the rule node that decided row `i`.
    pub fn rule_path(&self, i: usize) -> &str {
        self.nodes[usize::from(self.node[i])].path.as_str()
    }

    /// Customers in the audience.
    pub fn included_ids(&self) -> Vec<CustomerId> {
        self.customer_id
            .iter()
            .zip(&self.included)
            .filter(|(_, inc)| **inc)
            .map(|(&id, _)| id)
            .collect()
    }
}

/// A [`Selection`] without its per-customer columns: what a skin that hands the columns over
/// on their own (Python's arrays) serialises for the rest. JSON: `{"as_of", "channel",
/// "counts", "counts_each", "nodes", "unknown_suppressed_ids"}`, the same values as the
/// selection's JSON (a field added to [`Selection`] is added here and to its JSON together).
#[derive(Debug, Clone, Serialize)]
pub struct SelectionSummary<'a> {
    /// As [`Selection::as_of`].
    pub as_of: Option<DateTime<Utc>>,
    /// As [`Selection::channel`].
    pub channel: Option<Channel>,
    /// As [`Selection::counts`].
    pub counts: &'a BTreeMap<Reason, usize>,
    /// As [`Selection::counts_each`].
    pub counts_each: &'a BTreeMap<Reason, usize>,
    /// As [`Selection::nodes`].
    pub nodes: &'a [NodeCount],
    /// As [`Selection::unknown_suppressed_ids`].
    pub unknown_suppressed_ids: usize,
}

impl Selection {
    /// The selection's summary: everything but the per-customer columns.
    pub fn summary(&self) -> SelectionSummary<'_> {
        SelectionSummary {
            as_of: self.as_of,
            channel: self.channel,
            counts: &self.counts,
            counts_each: &self.counts_each,
            nodes: &self.nodes,
            unknown_suppressed_ids: self.unknown_suppressed_ids,
        }
    }
}

impl Serialize for Selection {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            as_of: Option<DateTime<Utc>>,
            channel: Option<Channel>,
            customer_id: &'a [CustomerId],
            included: &'a [bool],
            reason: &'a [Reason],
            rule: Vec<&'a str>,
            counts: &'a BTreeMap<Reason, usize>,
            counts_each: &'a BTreeMap<Reason, usize>,
            nodes: &'a [NodeCount],
            unknown_suppressed_ids: usize,
        }
        View {
            as_of: self.as_of,
            channel: self.channel,
            customer_id: &self.customer_id,
            included: &self.included,
            reason: &self.reason,
            rule: (0..self.node.len()).map(|i| self.rule_path(i)).collect(),
            counts: &self.counts,
            counts_each: &self.counts_each,
            nodes: &self.nodes,
            unknown_suppressed_ids: self.unknown_suppressed_ids,
        }
        .serialize(serializer)
    }
}
