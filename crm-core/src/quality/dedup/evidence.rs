//! The explainable match: per field, the level two records compare at and its weight (the
//! log₂ Bayes factor, as splink's waterfall shows), from a fitted [`MatchModel`].

use serde::{Deserialize, Serialize};

use super::compare::N_FIELDS;
use super::model::Fit;
use super::model::N_LEVELS;
use super::{FIELDS, Level, MatchModel, MatchPair, MatchRecord, compare};

/// One field's part in a pair's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldEvidence {
    /// The field, one of [`FIELDS`].
    pub field: &'static str,
    /// Its comparison level: `missing`, `different`, `similar`, `close` or `same`.
    pub level: &'static str,
    /// log₂ of the level's Bayes factor m/u: positive is evidence for a match, 0 when missing.
    pub weight: f64,
}

impl Level {
    /// The level's name, as in evidence and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Level::Missing => "missing",
            Level::Different => "different",
            Level::Similar => "similar",
            Level::Close => "close",
            Level::Same => "same",
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
            level: level.name(),
            weight,
        })
        .collect()
}

impl MatchModel {
    /// The model's probabilities as the scorer holds them (`None` if a table has not one
    /// row per field, as a hand-edited model might).
    fn fit(&self) -> Option<Fit> {
        let table = |v: &[[f64; N_LEVELS]]| <[[f64; N_LEVELS]; FIELDS.len()]>::try_from(v).ok();
        Some(Fit {
            lambda: self.prior,
            m: table(&self.m)?,
            u: table(&self.u)?,
            u_given_parent: table(&self.u_given_parent)?,
        })
    }

    /// Posterior probability that `a` and `b` are the same customer under this model, and
    /// its per-field evidence; `None` for a model without one row per field.
    pub fn score(&self, a: &MatchRecord, b: &MatchRecord) -> Option<(f64, Vec<FieldEvidence>)> {
        let fit = self.fit()?;
        let levels = compare::compare(&a.prepare_for(self.country), &b.prepare_for(self.country));
        let evidence = FIELDS
            .iter()
            .zip(levels)
            .zip(fit.weights(&levels))
            .map(|((field, level), weight)| FieldEvidence {
                field,
                level: level.name(),
                weight,
            })
            .collect();
        Some((fit.probability(&levels), evidence))
    }
}

/// Per field, the evidence two records give under `model` (empty for a model without one
/// row per field).
pub fn evidence(model: &MatchModel, a: &MatchRecord, b: &MatchRecord) -> Vec<FieldEvidence> {
    model.score(a, b).map(|s| s.1).unwrap_or_default()
}

impl MatchPair {
    /// The pair's evidence as [`FieldEvidence`] rows, in [`FIELDS`] order.
    pub fn field_evidence(&self) -> Vec<FieldEvidence> {
        self.evidence
            .iter()
            .filter_map(|(name, level, weight)| {
                let field = FIELDS.iter().find(|f| **f == name.as_str())?;
                Some(FieldEvidence {
                    field,
                    level: level.name(),
                    weight: *weight,
                })
            })
            .collect()
    }
}
