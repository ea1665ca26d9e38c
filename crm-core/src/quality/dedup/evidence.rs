//! The explainable match: per field, how two records compare and how much that weighs.

use serde::{Deserialize, Serialize};

use super::compare::{N_FIELDS, compare};
use super::model::{Fit, Table};
use super::{FIELDS, Level, MatchModel, MatchRecord};

/// One field's part in a match decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldEvidence {
    /// The field, one of [`FIELDS`].
    pub field: &'static str,
    /// How the two values compare: "exact", "close", "different" or "missing".
    pub level: &'static str,
    /// The log₂ Bayes factor of that level (positive for evidence of a match, 0 when missing).
    pub weight: f64,
}

/// The name of a level in [`FieldEvidence`].
pub(super) fn level_name(level: Level) -> &'static str {
    match level {
        Level::Same => "exact",
        Level::Close => "close",
        Level::Different => "different",
        Level::Missing => "missing",
    }
}

fn table(rows: &[[f64; 3]]) -> Table {
    std::array::from_fn(|f| rows.get(f).copied().unwrap_or([1.0 / 3.0; 3]))
}

impl Fit {
    /// The fit a [`MatchModel`] reports, back in the form that scores pairs.
    pub(super) fn from_model(model: &MatchModel) -> Fit {
        Fit {
            lambda: model.prior,
            m: table(&model.m),
            u: table(&model.u),
            u_given_parent: table(&model.u_given_parent),
        }
    }
}

/// Per field of `levels`, its evidence under `fit`.
pub(super) fn evidence_of(fit: &Fit, levels: &[Level; N_FIELDS]) -> Vec<FieldEvidence> {
    FIELDS
        .iter()
        .zip(levels)
        .zip(fit.weights(levels))
        .map(|((&field, &level), weight)| FieldEvidence {
            field,
            level: level_name(level),
            weight,
        })
        .collect()
}

/// Per field in [`FIELDS`] order, how `a` and `b` compare and its weight under `model`.
///
/// ```
/// use crm_core::quality::{DedupConfig, MatchRecord, evidence, find_duplicates};
/// use crm_core::sample::SampleConfig;
/// let records: Vec<MatchRecord> = SampleConfig::new(300).seed(3).generate()
///     .customers.iter().map(MatchRecord::from_customer).collect();
/// let model = find_duplicates(&records, &DedupConfig::default())?.model;
/// let mut copy = records[0].clone();
/// copy.email = None;
/// let e = evidence(&model, &records[0], &copy);
/// assert_eq!((e[0].field, e[0].level), ("name", "exact"));
/// assert!(e[0].weight > 0.0);
/// assert_eq!((e[2].field, e[2].level, e[2].weight), ("email", "missing", 0.0));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn evidence(model: &MatchModel, a: &MatchRecord, b: &MatchRecord) -> Vec<FieldEvidence> {
    let levels = compare(&a.prepare(), &b.prepare());
    evidence_of(&Fit::from_model(model), &levels)
}
