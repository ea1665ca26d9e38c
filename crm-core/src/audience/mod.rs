//! Audiences with consent: who may be targeted on a channel at an instant, and why each
//! customer is in or out.
//!
//! A rule is JSON in a fixed grammar (the same text from Rust, C and Python): `{}` (everyone),
//! `{"all": [rule, …]}`, `{"any": [rule, …]}`, `{"not": rule}`, or a condition
//! `{"field": NAME, OP: VALUE}` with OP one of `eq`, `ne`, `in`, `lt`, `lte`, `gt`, `gte`
//! ([`Field`] lists the names). A missing value (no purchase yet, so no `recency_days`) fails
//! every operator, `ne` included; `not` inverts.
//!
//! Consent is read from each customer's history ([`crate::model::Customer::consent_at`]):
//! the latest decision at or before the instant is in force; two decisions on one channel at
//! the same instant resolve to the **withdrawal** (GDPR Art. 7(3), KVKK), whatever their
//! order in the list. A campaign event with step `opted_out` on a channel is a withdrawal
//! on that channel from its instant until a later opt-in ([`ConsentState::with_opt_out`];
//! an opt-in at the same instant loses, as above); one without a channel withdraws nothing.
//!
//! Evaluation is by bitsets over columns ([`AudienceInputs`], usable without the book:
//! [`select_columns`]); each customer gets a [`Reason`] (the first that applies, in
//! [`Reason::ALL`] order) and the rule node that decided.

mod columns;
mod consent;
mod eval;
mod fields;
mod rule;
mod select;
mod suppress;

use std::collections::BTreeMap;

pub use columns::{AudienceInputs, Column, SuppressColumns};
pub use consent::{
    ChannelConsent, ConsentReport, ConsentReportOptions, ConsentState, MARKETING_CHANNELS, OptOuts,
    TierConsent, consent_report, consent_report_with, parse_channel,
};
pub use eval::RuleNode;
pub use fields::{Field, FieldType};
pub use rule::{Condition, MAX_IN_VALUES, MAX_RULE_DEPTH, MAX_RULE_NODES, Op, Rule, RuleValue};
pub use select::{NodeCount, Reason, Selection, SelectionSummary, select_columns};
pub use suppress::{MAX_CAP_DAYS, MAX_SUPPRESSED_IDS, SelectOptions, Suppression};

use crate::error::{CrmError, Result};

/// The most named audiences one audience refers to (directly or through others).
pub const MAX_NAMED_AUDIENCES: usize = 64;

/// An audience: a rule, and the named audiences its `audience` conditions refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct Audience {
    pub(crate) rule: Rule,
    pub(crate) named: BTreeMap<String, Rule>,
}

impl Audience {
    /// An audience of `rule`.
    pub fn new(rule: Rule) -> Audience {
        Audience {
            rule,
            named: BTreeMap::new(),
        }
    }

    /// Reads the rule's JSON text ([`Rule::from_json`]).
    ///
    /// # Errors
    /// As [`Rule::from_json`].
    ///
    /// ```
    /// use crm_core::audience::Audience;
    /// let a = Audience::from_json(r#"{"any": [{"field": "tier", "eq": "Gold"}, {}]}"#)?;
    /// assert_eq!(a.rule().to_value()["any"][1], serde_json::json!({}));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Audience> {
        Ok(Audience::new(Rule::from_json(text)?))
    }

    /// The rule.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// Every field the rule and its named audiences read.
    pub fn fields(&self) -> std::collections::BTreeSet<Field> {
        let mut out = std::collections::BTreeSet::new();
        self.rule.fields(&mut out);
        for r in self.named.values() {
            r.fields(&mut out);
        }
        out.remove(&Field::Audience);
        out
    }

    /// Lets the rule say `{"field": "audience", "eq": name}` for the customers of `other`
    /// (with the audiences `other` itself names).
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `audience` for an empty name, a name that
    /// would refer to itself (a cycle), or more than [`MAX_NAMED_AUDIENCES`] names.
    ///
    /// ```
    /// use crm_core::audience::Audience;
    /// let gold = Audience::from_json(r#"{"field": "tier", "eq": "Gold"}"#)?;
    /// let a = Audience::from_json(r#"{"not": {"field": "audience", "eq": "gold"}}"#)?
    ///     .with_named("gold", gold)?;
    /// let looped = Audience::from_json(r#"{"field": "audience", "eq": "x"}"#)?;
    /// assert!(looped.clone().with_named("x", looped).is_err());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn with_named(mut self, name: &str, other: Audience) -> Result<Audience> {
        if name.is_empty() {
            return Err(CrmError::invalid(
                "audience",
                "\"\"",
                "a named audience needs a name",
            ));
        }
        for (k, r) in other.named {
            self.named.insert(k, r);
        }
        self.named.insert(name.to_owned(), other.rule);
        if self.named.len() > MAX_NAMED_AUDIENCES {
            return Err(CrmError::invalid(
                "audience",
                self.named.len(),
                format_args!("an audience names at most {MAX_NAMED_AUDIENCES} others"),
            ));
        }
        // A cycle: some named audience reaches itself through the names it uses.
        for start in self.named.keys() {
            let mut stack = vec![start.as_str()];
            let mut seen = std::collections::BTreeSet::new();
            while let Some(k) = stack.pop() {
                let Some(r) = self.named.get(k) else { continue };
                let mut refs = Vec::new();
                names_in(r, &mut refs);
                for x in refs {
                    if x == start {
                        return Err(CrmError::invalid(
                            "audience",
                            format_args!("{start:?}"),
                            "refers to itself through named audiences (a cycle)",
                        ));
                    }
                    if seen.insert(x) {
                        stack.push(x);
                    }
                }
            }
        }
        Ok(self)
    }
}

/// The audience names a rule refers to.
fn names_in<'a>(rule: &'a Rule, out: &mut Vec<&'a str>) {
    match rule {
        Rule::All(rules) | Rule::Any(rules) => rules.iter().for_each(|r| names_in(r, out)),
        Rule::Not(r) => names_in(r, out),
        Rule::Condition(c) if c.field == Field::Audience => match &c.value {
            RuleValue::Text(s) => out.push(s),
            RuleValue::List(items) => items.iter().for_each(|v| {
                if let RuleValue::Text(s) = v {
                    out.push(s);
                }
            }),
            RuleValue::Number(_) => {}
        },
        Rule::Everyone | Rule::Condition(_) => {}
    }
}

#[cfg(test)]
mod tests;
