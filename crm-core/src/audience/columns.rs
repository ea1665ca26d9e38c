//! The inputs of a selection as plain columns, one row per customer: what the book builds
//! ([`crate::book::CustomerBook::audience_inputs`]) and what a data team passes without one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::consent::ConsentState;
use super::fields::Field;
use crate::model::CustomerId;

/// One field's values, one per customer.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers; NaN is a missing value (it fails every operator).
    Number(Vec<f64>),
    /// One text per row as a code into `values`; [`Column::MISSING`] is a missing value.
    Text {
        /// Per row, an index into `values`.
        codes: Vec<u32>,
        /// The distinct texts.
        values: Vec<String>,
    },
    /// A set of texts per row: row `i` holds `codes[offsets[i]..offsets[i + 1]]`.
    Set {
        /// `rows + 1` offsets into `codes`.
        offsets: Vec<u32>,
        /// Indexes into `values`.
        codes: Vec<u32>,
        /// The distinct texts.
        values: Vec<String>,
    },
}

impl Column {
    /// The code of a missing text.
    pub const MISSING: u32 = u32::MAX;

    /// A text column from one optional text per row.
    pub fn text<'a>(rows: impl IntoIterator<Item = Option<&'a str>>) -> Column {
        let mut dict: BTreeMap<&str, u32> = BTreeMap::new();
        let mut values = Vec::new();
        let codes = rows
            .into_iter()
            .map(|v| match v {
                None => Column::MISSING,
                Some(s) => *dict.entry(s).or_insert_with(|| {
                    values.push(s.to_owned());
                    (values.len() - 1) as u32
                }),
            })
            .collect();
        Column::Text { codes, values }
    }

    /// A set column from a list of texts per row.
    pub fn set<'a, R: IntoIterator<Item = &'a str>>(rows: impl IntoIterator<Item = R>) -> Column {
        let mut dict: BTreeMap<&str, u32> = BTreeMap::new();
        let mut values = Vec::new();
        let mut offsets = vec![0u32];
        let mut codes = Vec::new();
        for row in rows {
            for s in row {
                let code = *dict.entry(s).or_insert_with(|| {
                    values.push(s.to_owned());
                    (values.len() - 1) as u32
                });
                codes.push(code);
            }
            offsets.push(codes.len() as u32);
        }
        Column::Set {
            offsets,
            codes,
            values,
        }
    }

    /// Rows in the column.
    pub fn len(&self) -> usize {
        match self {
            Column::Number(v) => v.len(),
            Column::Text { codes, .. } => codes.len(),
            Column::Set { offsets, .. } => offsets.len().saturating_sub(1),
        }
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Per customer, whether a suppression applies (each column empty when not checked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressColumns {
    /// On the do-not-contact list.
    pub listed: Vec<bool>,
    /// Has a complaint in progress.
    pub complaint_open: Vec<bool>,
    /// Contacted by the company within the frequency cap's days.
    pub frequency_cap: Vec<bool>,
    /// Ids on the do-not-contact list that are not in the book (ignored).
    pub unknown_ids: usize,
}

/// Everything a selection reads, one row per customer: field columns (only those a rule
/// reads need be there), the consent state on the campaign's channel, the suppressions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AudienceInputs {
    /// Customer ids.
    pub customer_id: Vec<CustomerId>,
    /// Field columns.
    pub columns: BTreeMap<Field, Column>,
    /// The consent state on the channel; empty when no channel is checked.
    pub consent: Vec<ConsentState>,
    /// Suppressions.
    pub suppress: SuppressColumns,
}
