//! Evaluation by bitsets: one pass over its column per condition, then bitwise all/any/not;
//! then, top-down, the rule node that decided each customer.

use std::collections::BTreeMap;

use super::columns::{AudienceInputs, Column};
use super::fields::Field;
use super::rule::{Condition, Op, Rule, RuleValue, join};
use crate::error::{CrmError, Result};

/// A bitset over the rows.
pub(crate) type Bits = Vec<u64>;

fn words(n: usize) -> usize {
    n.div_ceil(64)
}

fn from_fn(n: usize, mut f: impl FnMut(usize) -> bool) -> Bits {
    let mut bits = vec![0u64; words(n)];
    for (w, word) in bits.iter_mut().enumerate() {
        let base = w * 64;
        let end = (base + 64).min(n);
        let mut x = 0u64;
        for i in base..end {
            x |= u64::from(f(i)) << (i - base);
        }
        *word = x;
    }
    bits
}

/// Clears the bits past row `n` (after a `not`).
fn trim(bits: &mut Bits, n: usize) {
    if n % 64 != 0 {
        if let Some(last) = bits.last_mut() {
            *last &= (1u64 << (n % 64)) - 1;
        }
    }
}

pub(crate) fn get(bits: &Bits, i: usize) -> bool {
    bits[i / 64] >> (i % 64) & 1 == 1
}

/// One node of a rule, numbered in preorder.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuleNode {
    /// Its path in the rule (`$` for the root, `all[1].not`…).
    pub path: String,
    /// The node in the rule grammar (compact JSON).
    pub text: String,
}

/// The nodes of `rule` in preorder.
pub(crate) fn number(rule: &Rule, path: &str, out: &mut Vec<RuleNode>) {
    out.push(RuleNode {
        path: path.to_owned(),
        text: rule.to_value().to_string(),
    });
    match rule {
        Rule::All(rules) | Rule::Any(rules) => {
            let key = if matches!(rule, Rule::All(_)) {
                "all"
            } else {
                "any"
            };
            for (i, r) in rules.iter().enumerate() {
                number(r, &join(path, &format!("{key}[{i}]")), out);
            }
        }
        Rule::Not(r) => number(r, &join(path, "not"), out),
        Rule::Everyone | Rule::Condition(_) => {}
    }
}

pub(crate) struct Evaluator<'a> {
    pub(crate) inputs: &'a AudienceInputs,
    pub(crate) named: &'a BTreeMap<String, Rule>,
    pub(crate) n: usize,
    /// Bitsets of named audiences already evaluated.
    pub(crate) memo: BTreeMap<String, Bits>,
}

impl Evaluator<'_> {
    /// The rows passing every node of `rule`, in preorder (`out[0]` is the rule's own).
    pub(crate) fn eval_all(
        &mut self,
        rule: &Rule,
        path: &str,
        out: &mut Vec<Bits>,
    ) -> Result<Bits> {
        let slot = out.len();
        out.push(Vec::new());
        let bits = match rule {
            Rule::Everyone => {
                let mut b = vec![u64::MAX; words(self.n)];
                trim(&mut b, self.n);
                b
            }
            Rule::All(rules) | Rule::Any(rules) => {
                let all = matches!(rule, Rule::All(_));
                let key = if all { "all" } else { "any" };
                let mut acc: Option<Bits> = None;
                for (i, r) in rules.iter().enumerate() {
                    let b = self.eval_all(r, &join(path, &format!("{key}[{i}]")), out)?;
                    acc = Some(match acc {
                        None => b,
                        Some(mut a) => {
                            for (x, y) in a.iter_mut().zip(&b) {
                                if all { *x &= y } else { *x |= y }
                            }
                            a
                        }
                    });
                }
                acc.unwrap_or_default()
            }
            Rule::Not(r) => {
                let mut b = self.eval_all(r, &join(path, "not"), out)?;
                b.iter_mut().for_each(|x| *x = !*x);
                trim(&mut b, self.n);
                b
            }
            Rule::Condition(c) => self.condition(c, path)?,
        };
        out[slot] = bits.clone();
        Ok(bits)
    }

    fn named_bits(&mut self, name: &str, path: &str) -> Result<Bits> {
        if let Some(b) = self.memo.get(name) {
            return Ok(b.clone());
        }
        let Some(rule) = self.named.get(name) else {
            let known: Vec<&str> = self.named.keys().map(String::as_str).collect();
            return Err(CrmError::invalid(
                path,
                format_args!("{name:?}"),
                format_args!(
                    "is not a named audience (known: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        };
        let mut scratch = Vec::new();
        let bits = self.eval_all(rule, "$", &mut scratch)?;
        self.memo.insert(name.to_owned(), bits.clone());
        Ok(bits)
    }

    fn condition(&mut self, c: &Condition, path: &str) -> Result<Bits> {
        let n = self.n;
        let op_path = join(path, c.op.as_str());
        if c.field == Field::Audience {
            let names: Vec<&str> = match &c.value {
                RuleValue::Text(s) => vec![s.as_str()],
                RuleValue::List(items) => items
                    .iter()
                    .filter_map(|v| match v {
                        RuleValue::Text(s) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect(),
                RuleValue::Number(_) => Vec::new(),
            };
            let mut acc = vec![0u64; words(n)];
            for name in names {
                let b = self.named_bits(name, &op_path)?;
                acc.iter_mut().zip(&b).for_each(|(x, y)| *x |= y);
            }
            if c.op == Op::Ne {
                acc.iter_mut().for_each(|x| *x = !*x);
                trim(&mut acc, n);
            }
            return Ok(acc);
        }
        let Some(column) = self.inputs.columns.get(&c.field) else {
            return Err(CrmError::invalid(
                &join(path, "field"),
                c.field.as_str(),
                "has no column in the inputs",
            ));
        };
        if column.len() != n {
            return Err(CrmError::invalid(
                c.field.as_str(),
                column.len(),
                format_args!("the column needs one value per customer ({n})"),
            ));
        }
        Ok(match column {
            Column::Number(values) => {
                let list: Vec<f64> = match &c.value {
                    RuleValue::Number(x) => vec![*x],
                    RuleValue::List(items) => items
                        .iter()
                        .filter_map(|v| match v {
                            RuleValue::Number(x) => Some(*x),
                            _ => None,
                        })
                        .collect(),
                    RuleValue::Text(_) => Vec::new(),
                };
                let x = list.first().copied().unwrap_or(f64::NAN);
                // NaN compares false with everything, so a missing value fails every
                // operator, `ne` included.
                match c.op {
                    Op::Eq => from_fn(n, |i| values[i] == x),
                    Op::Ne => from_fn(n, |i| !values[i].is_nan() && values[i] != x),
                    Op::In => from_fn(n, |i| list.contains(&values[i])),
                    Op::Lt => from_fn(n, |i| values[i] < x),
                    Op::Lte => from_fn(n, |i| values[i] <= x),
                    Op::Gt => from_fn(n, |i| values[i] > x),
                    Op::Gte => from_fn(n, |i| values[i] >= x),
                }
            }
            Column::Text { codes, values } => {
                let hit = matching(values, &c.value);
                let ne = c.op == Op::Ne;
                from_fn(n, |i| {
                    let code = codes[i];
                    code != Column::MISSING && (hit[code as usize] != ne)
                })
            }
            Column::Set {
                offsets,
                codes,
                values,
            } => {
                let hit = matching(values, &c.value);
                let ne = c.op == Op::Ne;
                from_fn(n, |i| {
                    let row = &codes[offsets[i] as usize..offsets[i + 1] as usize];
                    row.iter().any(|&k| hit[k as usize]) != ne
                })
            }
        })
    }
}

/// Per dictionary value, whether it is the value (or one of the list).
fn matching(values: &[String], wanted: &RuleValue) -> Vec<bool> {
    values
        .iter()
        .map(|v| match wanted {
            RuleValue::Text(s) => v == s,
            RuleValue::List(items) => items
                .iter()
                .any(|w| matches!(w, RuleValue::Text(s) if s == v)),
            RuleValue::Number(_) => false,
        })
        .collect()
}

/// Writes into `node` (per row) the node that decided it, top-down: rows at an `all` that
/// fails go to its first failing child, rows at an `any` that holds to its first passing
/// child; everything else stays at the node it reached.
pub(crate) fn attribute(rule: &Rule, id: &mut usize, bits: &[Bits], mask: Bits, node: &mut [u16]) {
    let me = *id;
    *id += 1;
    let mine = &bits[me];
    match rule {
        Rule::All(rules) | Rule::Any(rules) => {
            let all = matches!(rule, Rule::All(_));
            // Rows handed down: the failing ones of an all, the passing ones of an any.
            let mut down: Bits = mask
                .iter()
                .zip(mine)
                .map(|(m, b)| if all { m & !b } else { m & b })
                .collect();
            let stay: Bits = mask.iter().zip(&down).map(|(m, d)| m & !d).collect();
            set_rows(&stay, me, node);
            for r in rules {
                let child = *id;
                let cb = &bits[child];
                let sub: Bits = down
                    .iter()
                    .zip(cb)
                    .map(|(d, c)| if all { d & !c } else { d & c })
                    .collect();
                down.iter_mut().zip(&sub).for_each(|(d, s)| *d &= !s);
                attribute(r, id, bits, sub, node);
            }
        }
        Rule::Not(r) => {
            set_rows(&mask, me, node);
            // Number the sub-tree without handing rows down: the `not` decided.
            skip(r, id);
        }
        Rule::Everyone | Rule::Condition(_) => set_rows(&mask, me, node),
    }
}

fn skip(rule: &Rule, id: &mut usize) {
    *id += 1;
    match rule {
        Rule::All(rules) | Rule::Any(rules) => rules.iter().for_each(|r| skip(r, id)),
        Rule::Not(r) => skip(r, id),
        Rule::Everyone | Rule::Condition(_) => {}
    }
}

fn set_rows(mask: &Bits, id: usize, node: &mut [u16]) {
    for (w, &word) in mask.iter().enumerate() {
        let mut x = word;
        while x != 0 {
            let b = x.trailing_zeros() as usize;
            node[w * 64 + b] = id as u16;
            x &= x - 1;
        }
    }
}
