//! The rule grammar, read from JSON by hand so that every error names its path in the rule
//! (`all[2].any[0].field`), and written back in the same grammar.

use serde_json::{Map, Value};

use super::fields::{Field, FieldType, closest};
use crate::error::{CrmError, Result};

/// The most nodes (conditions and combinators) in one rule.
pub const MAX_RULE_NODES: usize = 1024;
/// The deepest nesting of `all`/`any`/`not` in one rule.
pub const MAX_RULE_DEPTH: usize = 32;
/// The most values in one `in` list.
pub const MAX_IN_VALUES: usize = 10_000;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Equal (for a set field: contains).
    Eq,
    /// Not equal (for a set field: does not contain).
    Ne,
    /// One of a list (for a set field: contains any).
    In,
    /// Less than.
    Lt,
    /// At most.
    Lte,
    /// Greater than.
    Gt,
    /// At least.
    Gte,
}

impl Op {
    const ALL: [(Op, &'static str); 7] = [
        (Op::Eq, "eq"),
        (Op::Ne, "ne"),
        (Op::In, "in"),
        (Op::Lt, "lt"),
        (Op::Lte, "lte"),
        (Op::Gt, "gt"),
        (Op::Gte, "gte"),
    ];

    /// The operator's key in a condition.
    pub fn as_str(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(o, _)| *o == self)
            .map_or("eq", |(_, s)| s)
    }

    fn parse(key: &str) -> Option<Op> {
        Op::ALL.iter().find(|(_, s)| *s == key).map(|(o, _)| *o)
    }
}

/// The value a condition compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleValue {
    /// A number (for numeric fields).
    Number(f64),
    /// A text (tier names, regions, channels…).
    Text(String),
    /// The list of an `in`.
    List(Vec<RuleValue>),
}

/// One condition: `{"field": NAME, OP: VALUE}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The field read.
    pub field: Field,
    /// The operator.
    pub op: Op,
    /// The value compared with.
    pub value: RuleValue,
}

/// An audience rule: `{}` (everyone), `{"all": [...]}`, `{"any": [...]}`, `{"not": rule}`
/// or a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// `{}`: every customer.
    Everyone,
    /// Every sub-rule holds.
    All(Vec<Rule>),
    /// At least one sub-rule holds.
    Any(Vec<Rule>),
    /// The sub-rule does not hold.
    Not(Box<Rule>),
    /// A condition on one field.
    Condition(Condition),
}

/// `child` under `parent` in a rule path; the root is `$`.
pub(crate) fn join(parent: &str, child: &str) -> String {
    if parent == "$" {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// The error field for `key` at `path`.
fn at(path: &str, key: &str) -> String {
    join(path, key)
}

/// The error field for the node at `path` itself (`rule` for the root).
fn node(path: &str) -> &str {
    if path == "$" { "rule" } else { path }
}

const KEYS: [&str; 11] = [
    "all", "any", "not", "field", "eq", "ne", "in", "lt", "lte", "gt", "gte",
];

struct Reader {
    nodes: usize,
}

impl Rule {
    /// Reads a rule from its JSON text.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Parse`] for text that is not JSON; [`crate::ErrorKind::InvalidInput`]
    /// naming the rule path of the fault (`all[1].field`, `any[0].in`…) for an unknown key
    /// or field (with a suggestion), a missing or second operator, a value of the wrong type,
    /// an unknown value of an enumerated field, and rules past [`MAX_RULE_NODES`],
    /// [`MAX_RULE_DEPTH`] or [`MAX_IN_VALUES`].
    ///
    /// ```
    /// use crm_core::audience::Rule;
    /// let r = Rule::from_json(r#"{"all": [{"field": "tier", "eq": "Gold"}]}"#)?;
    /// assert!(matches!(r, Rule::All(_)));
    /// let e = Rule::from_json(r#"{"all": [{"field": "tire", "eq": "Gold"}]}"#).unwrap_err();
    /// assert_eq!(e.field(), Some("all[0].field"));
    /// assert!(e.to_string().contains("did you mean `tier`?"), "{e}");
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Rule> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| CrmError::parse("the audience rule", e))?;
        Rule::from_value(&value)
    }

    /// Reads a rule from a JSON value (as [`Rule::from_json`]).
    ///
    /// # Errors
    /// As [`Rule::from_json`].
    pub fn from_value(value: &Value) -> Result<Rule> {
        Reader { nodes: 0 }.rule(value, "$", 0)
    }

    /// The rule in its JSON grammar (what [`Rule::from_value`] reads back).
    pub fn to_value(&self) -> Value {
        let list = |rules: &[Rule]| Value::Array(rules.iter().map(Rule::to_value).collect());
        let mut map = Map::new();
        match self {
            Rule::Everyone => {}
            Rule::All(rules) => {
                map.insert("all".into(), list(rules));
            }
            Rule::Any(rules) => {
                map.insert("any".into(), list(rules));
            }
            Rule::Not(rule) => {
                map.insert("not".into(), rule.to_value());
            }
            Rule::Condition(c) => {
                map.insert("field".into(), Value::String(c.field.as_str().into()));
                map.insert(c.op.as_str().into(), value_json(&c.value));
            }
        }
        Value::Object(map)
    }

    /// Every field the rule reads, named audiences' names aside.
    pub fn fields(&self, out: &mut std::collections::BTreeSet<Field>) {
        match self {
            Rule::Everyone => {}
            Rule::All(rules) | Rule::Any(rules) => rules.iter().for_each(|r| r.fields(out)),
            Rule::Not(rule) => rule.fields(out),
            Rule::Condition(c) => {
                out.insert(c.field);
            }
        }
    }
}

fn value_json(v: &RuleValue) -> Value {
    match v {
        RuleValue::Number(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
        RuleValue::Text(s) => Value::String(s.clone()),
        RuleValue::List(items) => Value::Array(items.iter().map(value_json).collect()),
    }
}

impl Reader {
    fn rule(&mut self, value: &Value, path: &str, depth: usize) -> Result<Rule> {
        self.nodes += 1;
        if self.nodes > MAX_RULE_NODES {
            return Err(CrmError::invalid(
                node(path),
                self.nodes,
                format_args!("a rule has at most {MAX_RULE_NODES} nodes"),
            ));
        }
        if depth > MAX_RULE_DEPTH {
            return Err(CrmError::invalid(
                node(path),
                depth,
                format_args!("rules nest at most {MAX_RULE_DEPTH} deep"),
            ));
        }
        let Value::Object(map) = value else {
            return Err(CrmError::invalid(
                node(path),
                kind_of(value),
                "must be a rule object ({}, all, any, not or a condition)",
            ));
        };
        if let Some(k) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
            let hint = closest(k, KEYS.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(CrmError::invalid(
                &at(path, k),
                format_args!("{k:?}"),
                format_args!(
                    "is not a rule key (all, any, not, field, eq, ne, in, lt, lte, gt, gte){hint}"
                ),
            ));
        }
        if map.is_empty() {
            return Ok(Rule::Everyone);
        }
        if map.contains_key("field") {
            return self.condition(map, path);
        }
        if map.len() != 1 {
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            return Err(CrmError::invalid(
                node(path),
                keys.join(", "),
                "a rule has exactly one of all, any, not (or is a condition with field)",
            ));
        }
        let (key, inner) = map.iter().next().expect("one key");
        match key.as_str() {
            "all" | "any" => {
                let here = at(path, key);
                let Value::Array(items) = inner else {
                    return Err(CrmError::invalid(
                        &here,
                        kind_of(inner),
                        "must be a list of rules",
                    ));
                };
                if items.is_empty() {
                    return Err(CrmError::invalid(&here, "[]", "needs at least one rule"));
                }
                let rules = items
                    .iter()
                    .enumerate()
                    .map(|(i, r)| self.rule(r, &format!("{here}[{i}]"), depth + 1))
                    .collect::<Result<Vec<_>>>()?;
                Ok(if key == "all" {
                    Rule::All(rules)
                } else {
                    Rule::Any(rules)
                })
            }
            "not" => Ok(Rule::Not(Box::new(self.rule(
                inner,
                &at(path, "not"),
                depth + 1,
            )?))),
            op => Err(CrmError::invalid(
                &at(path, "field"),
                "missing",
                format_args!("a condition with `{op}` needs a field"),
            )),
        }
    }

    fn condition(&mut self, map: &Map<String, Value>, path: &str) -> Result<Rule> {
        let field_path = at(path, "field");
        let name = match &map["field"] {
            Value::String(s) => s,
            other => {
                return Err(CrmError::invalid(
                    &field_path,
                    kind_of(other),
                    "must be a field name",
                ));
            }
        };
        let field = Field::parse(name).map_err(|close| {
            let hint = close
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            CrmError::invalid(
                &field_path,
                format_args!("{name:?}"),
                format_args!("is not an audience field{hint}"),
            )
        })?;
        let ops: Vec<(&String, &Value)> = map.iter().filter(|(k, _)| *k != "field").collect();
        let [(op_key, raw)] = ops.as_slice() else {
            let keys: Vec<&str> = ops.iter().map(|(k, _)| k.as_str()).collect();
            return Err(CrmError::invalid(
                node(path),
                if keys.is_empty() {
                    "no operator".to_owned()
                } else {
                    keys.join(", ")
                },
                format_args!(
                    "the condition on {name} needs exactly one operator (eq, ne, in, lt, lte, gt, gte)"
                ),
            ));
        };
        let op_path = at(path, op_key);
        let Some(op) = Op::parse(op_key) else {
            return Err(CrmError::invalid(
                &op_path,
                format_args!("{op_key:?}"),
                "is not an operator (eq, ne, in, lt, lte, gt, gte)",
            ));
        };
        let ty = field.field_type();
        if matches!(op, Op::Lt | Op::Lte | Op::Gt | Op::Gte) && ty != FieldType::Number {
            return Err(CrmError::invalid(
                &op_path,
                name,
                format_args!("`{op_key}` needs a numeric field; {name} takes eq, ne, in"),
            ));
        }
        let scalar = |v: &Value, p: &str| -> Result<RuleValue> {
            match (ty, v) {
                (FieldType::Number, Value::Number(n)) => {
                    Ok(RuleValue::Number(n.as_f64().unwrap_or(f64::NAN)))
                }
                (FieldType::Number, other) => Err(CrmError::invalid(
                    p,
                    kind_of(other),
                    format_args!("{name} is a number: compare it with a number"),
                )),
                (_, Value::String(s)) => {
                    if let Some(allowed) = field.allowed() {
                        if !allowed.contains(&s.as_str()) {
                            return Err(CrmError::invalid(
                                p,
                                format_args!("{s:?}"),
                                format_args!("is not a {name} (one of {})", allowed.join(", ")),
                            ));
                        }
                    }
                    Ok(RuleValue::Text(s.clone()))
                }
                (_, other) => Err(CrmError::invalid(
                    p,
                    kind_of(other),
                    format_args!("{name} is a text field: compare it with a string"),
                )),
            }
        };
        let value = if op == Op::In {
            let Value::Array(items) = raw else {
                return Err(CrmError::invalid(
                    &op_path,
                    kind_of(raw),
                    "`in` needs a list of values",
                ));
            };
            if items.len() > MAX_IN_VALUES {
                return Err(CrmError::invalid(
                    &op_path,
                    items.len(),
                    format_args!("an `in` list has at most {MAX_IN_VALUES} values"),
                ));
            }
            RuleValue::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| scalar(v, &format!("{op_path}[{i}]")))
                    .collect::<Result<_>>()?,
            )
        } else {
            scalar(raw, &op_path)?
        };
        Ok(Rule::Condition(Condition { field, op, value }))
    }
}

/// A JSON value's kind, for messages (never the value: it may be personal data).
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
