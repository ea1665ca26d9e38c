//! Tests of the dedup engine that need the sample generator (test files only: the
//! layering rule lets `tests.rs` name `crate::sample`).

/// The explainable match.
mod evidence {
    use super::super::evidence::*;
    use super::super::{FIELDS, MatchRecord};
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
    fn the_model_scores_under_the_country_it_was_fitted_under() {
        // One Australian number written two ways is one number under AU's rules, so the
        // phone is "same"; under TR's rules the national form 02… is no number and the
        // phone counts as missing on that side. The model remembers the country of its fit.
        let (_, d) = fitted();
        assert_eq!(d.model.country.code(), "TR");
        let phone = |p: &str| MatchRecord {
            given_name: Some("Olivia".into()),
            surname: Some("Brown".into()),
            phone: Some(p.into()),
            ..MatchRecord::default()
        };
        let (a, b) = (phone("02 6123 4567"), phone("+61 2 6123 4567"));
        let level = |model: &crate::quality::MatchModel| {
            let rows = evidence(model, &a, &b);
            rows.iter().find(|r| r.field == "phone").unwrap().level
        };
        let mut au = d.model.clone();
        au.country = crate::quality::Country::parse("AU").unwrap();
        assert_eq!(level(&au), "same");
        assert_ne!(level(&d.model), "same");
        let config = DedupConfig::default().with_country(Some("AU")).unwrap();
        let (records, _) = fitted();
        let fit_au = find_duplicates(records, &config).unwrap();
        assert_eq!(fit_au.model.country.code(), "AU");
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

        /// Blocking's pair completeness and the batch run agree on what is compared: over
        /// every pair of a table taken as "true", the pairs `pair_completeness` finds in
        /// pairable blocks are exactly the candidates `find_duplicates` compares, with the
        /// smaller blocks of name-only keys and, with a small max_block, blocks paired by
        /// window (or dropped with window 0).
        #[test]
        fn completeness_counts_the_candidates_compared(
            rows in proptest::collection::vec(record(), 2..40),
            max_block in prop_oneof![Just(20usize), 2usize..6],
            window in 0usize..4,
        ) {
            let config = DedupConfig { max_block, window, ..DedupConfig::default() };
            let all: Vec<(usize, usize)> = (0..rows.len())
                .flat_map(|i| (i + 1..rows.len()).map(move |j| (i, j)))
                .collect();
            let c = crate::quality::pair_completeness(&rows, &all, &config).unwrap();
            let d = find_duplicates(&rows, &config).unwrap();
            prop_assert_eq!(c.candidates, d.candidates);
        }
    }
}
