//! The explainable match: per field, the level two records compare at and its weight (the
//! log₂ Bayes factor, as splink's waterfall shows), from a fitted [`MatchModel`].

use serde::{Deserialize, Serialize};

use super::compare::N_FIELDS;
use super::model::{Fit, Table};
use super::{FIELDS, Level, MatchModel, MatchPair, MatchRecord, compare};

/// One field's part in a pair's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldEvidence {
    /// The field, one of [`FIELDS`].
    pub field: &'static str,
    /// Its comparison level: `missing`, `different`, `close` or `same`.
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
            Level::Close => "close",
            Level::Same => "same",
        }
    }
}

fn table(rows: &[[f64; 3]]) -> Table {
    std::array::from_fn(|f| rows.get(f).copied().unwrap_or([1.0 / 3.0; 3]))
}

impl Fit {
    /// The fit a [`MatchModel`] reports, back in the form that scores pairs (a field the
    /// model lacks counts as uninformative).
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
            level: level.name(),
            weight,
        })
        .collect()
}

impl MatchModel {
    /// The model's probabilities as the scorer holds them (`None` if a table has not one
    /// row per field, as a hand-edited model might).
    fn fit(&self) -> Option<Fit> {
        let table = |v: &[[f64; 3]]| <[[f64; 3]; FIELDS.len()]>::try_from(v).ok();
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
        let levels = compare::compare(&a.prepare(), &b.prepare());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::{DedupConfig, find_duplicates};
    use crate::sample::SampleConfig;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// A model fitted on the sample with one known duplicate appended.
    fn fitted() -> &'static (Vec<MatchRecord>, crate::quality::Duplicates) {
        static FIT: OnceLock<(Vec<MatchRecord>, crate::quality::Duplicates)> = OnceLock::new();
        FIT.get_or_init(|| {
            let mut records: Vec<MatchRecord> = SampleConfig::new(400)
                .seed(5)
                .generate()
                .customers
                .iter()
                .map(MatchRecord::from_customer)
                .collect();
            records.push(records[0].clone());
            let d = find_duplicates(&records, &DedupConfig::default()).unwrap();
            (records, d)
        })
    }

    #[test]
    fn a_pairs_evidence_is_what_the_model_scores() {
        let (records, d) = fitted();
        let last = records.len() - 1;
        let pair = d.pairs.iter().find(|p| p.right == last).unwrap();
        assert_eq!(pair.left, 0);
        let (probability, rows) = d.model.score(&records[0], &records[last]).unwrap();
        assert_eq!(pair.field_evidence(), rows);
        assert!((probability - pair.probability).abs() < 1e-12);
        // An exact copy: every present field "same" with a positive weight, the rest 0.
        for r in &rows {
            assert!(matches!(r.level, "same" | "missing"), "{r:?}");
            assert_eq!(r.weight > 0.0, r.level == "same", "{r:?}");
        }
        assert_eq!(rows.iter().map(|r| r.field).collect::<Vec<_>>(), FIELDS);
    }

    #[test]
    fn no_pair_joins_a_record_to_itself() {
        let (_, d) = fitted();
        assert!(d.pairs.iter().all(|p| p.left < p.right));
    }

    #[test]
    fn a_model_of_the_wrong_shape_gives_no_evidence() {
        let (records, d) = fitted();
        let mut model = d.model.clone();
        model.m.pop();
        assert!(evidence(&model, &records[0], &records[1]).is_empty());
    }

    fn record() -> impl Strategy<Value = MatchRecord> {
        let text = || proptest::option::of("[a-cç ]{0,6}");
        (
            text(),
            text(),
            proptest::option::of(0u32..40),
            text(),
            proptest::option::of("0532 11[0-3] 22 3[0-2]"),
            text(),
            proptest::option::of("3402[0-2]"),
        )
            .prop_map(|(g, s, day, a, phone, city, pc)| MatchRecord {
                given_name: g,
                surname: s,
                birth_date: day.and_then(|d| chrono::NaiveDate::from_yo_opt(1980, 1 + d)),
                phone,
                address: a,
                city,
                postcode: pc,
                ..Default::default()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The score and every field's evidence are the same either way round.
        #[test]
        fn the_matcher_is_symmetric(a in record(), b in record()) {
            let model = &fitted().1.model;
            prop_assert_eq!(model.score(&a, &b), model.score(&b, &a));
        }

        /// Duplicates found among generated records never pair a row with itself, and each
        /// pair's probability is the model's score of its two records.
        #[test]
        fn found_pairs_are_distinct_rows(rows in proptest::collection::vec(record(), 2..30)) {
            let d = find_duplicates(&rows, &DedupConfig::default()).unwrap();
            for p in &d.pairs {
                prop_assert!(p.left < p.right && p.right < rows.len());
                let (prob, _) = d.model.score(&rows[p.left], &rows[p.right]).unwrap();
                prop_assert!((prob - p.probability).abs() < 1e-12);
            }
        }
    }
}
