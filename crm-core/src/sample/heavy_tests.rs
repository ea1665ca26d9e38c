//! The heavy corruption mode against its own ground truth.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::*;

fn heavy(customers: usize, seed: u64) -> SampleConfig {
    SampleConfig::new(customers)
        .seed(seed)
        .mean_purchases(0.0)
        .corruption(Corruption::Heavy)
}

/// Every field a duplicate's truth names differs from its original; every field it does
/// not name is equal; the limits per field and per record hold.
fn truth_is_right(sample: &Sample, settings: &HeavyCorruption) {
    let ids: HashMap<u64, &Customer> = sample.customers.iter().map(|c| (c.id, c)).collect();
    for d in &sample.duplicates {
        let (dup, orig) = (ids[&d.duplicate], ids[&d.original]);
        assert_eq!(dup.kind, orig.kind);
        let named: HashSet<Field> = d.changes.iter().map(|c| c.field).collect();
        for field in Field::ALL {
            let (a, b) = (field.value(dup), field.value(orig));
            if named.contains(&field) {
                assert_ne!(a, b, "{field:?} of {} reported changed", d.duplicate);
            } else {
                assert_eq!(a, b, "{field:?} of {} changed unreported", d.duplicate);
            }
        }
        assert!(d.changes.len() <= settings.max_per_record, "{d:?}");
        for field in &named {
            let n = d.changes.iter().filter(|c| c.field == *field).count();
            assert!(n <= settings.max_per_field, "{field:?} {n} times in {d:?}");
        }
        // Nothing else that identifies a customer moves.
        assert_eq!(dup.address.country, orig.address.country);
        assert_eq!(dup.region, orig.region);
    }
}

#[test]
fn ground_truth_says_exactly_which_fields_differ() {
    let cfg = heavy(4_000, 17);
    let sample = cfg.generate();
    assert!(sample.duplicates.len() > 1_000);
    truth_is_right(&sample, &HeavyCorruption::default());
    // Several modifications per record on average: 1 + 9 × 0.25 = 3.25 drawn, a few lost
    // when an edit does not apply or a later one undoes an earlier one.
    let mean = sample
        .duplicates
        .iter()
        .map(|d| d.changes.len())
        .sum::<usize>() as f64
        / sample.duplicates.len() as f64;
    assert!((2.5..=3.6).contains(&mean), "mean changes {mean}");
}

#[test]
fn every_kind_of_modification_occurs() {
    let sample = heavy(4_000, 3).generate();
    let seen: HashSet<Modification> = sample
        .duplicates
        .iter()
        .flat_map(|d| d.changes.iter().map(|c| c.modification))
        .collect();
    for m in Modification::ALL {
        assert!(seen.contains(&m), "{m:?} never applied");
    }
}

#[test]
fn cluster_sizes_follow_the_configured_weights() {
    let settings = HeavyCorruption {
        cluster_sizes: [0.5, 0.2, 0.15, 0.1, 0.05],
        ..HeavyCorruption::default()
    };
    let n = 20_000;
    let sample = heavy(n, 8).heavy(settings).generate();
    let mut size: HashMap<u64, usize> = HashMap::new();
    for d in &sample.duplicates {
        *size.entry(d.original).or_insert(1) += 1;
    }
    let mut counts = [0usize; 5];
    counts[0] = n - size.len();
    for s in size.values() {
        counts[s - 1] += 1;
    }
    // Each count is Binomial(20,000, p): mean 20,000 p, σ = √(20,000 p (1 − p)), by hand:
    // p = 0.5: 10,000 ± 70.7; 0.2: 4,000 ± 56.6; 0.15: 3,000 ± 50.5; 0.1: 2,000 ± 42.4;
    // 0.05: 1,000 ± 30.8. Allowed: 4σ (a false alarm about once in 16,000 runs per size).
    let expected = [
        (10_000, 283),
        (4_000, 226),
        (3_000, 202),
        (2_000, 170),
        (1_000, 123),
    ];
    for (k, (&got, (mean, tol))) in counts.iter().zip(expected).enumerate() {
        assert!(
            got.abs_diff(mean) <= tol,
            "clusters of {}: {got}, expected {mean} ± {tol}",
            k + 1
        );
    }
    assert_eq!(
        sample.customers.len(),
        counts
            .iter()
            .enumerate()
            .map(|(k, c)| (k + 1) * c)
            .sum::<usize>()
    );
}

#[test]
fn heavy_is_deterministic_for_a_seed_and_loads_into_a_book() {
    let cfg = heavy(1_500, 4);
    let a = cfg.generate();
    assert_eq!(a, cfg.generate());
    assert_ne!(a.customers, heavy(1_500, 5).generate().customers);
    // Streamed into a book: the book accepts every damaged record, same truth.
    let (book, truth) = cfg.build_book().unwrap();
    assert_eq!(truth, a.duplicates);
    assert_eq!(book.len(), a.customers.len());
}

#[test]
fn light_truth_has_no_changes_and_heavy_json_names_them() {
    let light = SampleConfig::new(300).seed(1).generate();
    assert!(light.duplicates.iter().all(|d| d.changes.is_empty()));
    let json = serde_json::to_string(&light.duplicates).unwrap();
    assert!(!json.contains("changes"));
    let h = heavy(300, 1).generate();
    let json = serde_json::to_string(&h.duplicates[0]).unwrap();
    assert!(json.contains(r#""changes":[{"field":""#), "{json}");
}

#[test]
fn bad_heavy_settings_are_refused_naming_the_field() {
    let cases = [
        (
            HeavyCorruption {
                max_per_field: 0,
                ..HeavyCorruption::default()
            },
            "max_per_field",
        ),
        (
            HeavyCorruption {
                max_per_record: 0,
                ..HeavyCorruption::default()
            },
            "max_per_record",
        ),
        (
            HeavyCorruption {
                cluster_sizes: [1.0, f64::NAN, 0.0, 0.0, 0.0],
                ..HeavyCorruption::default()
            },
            "cluster_sizes",
        ),
        (
            HeavyCorruption {
                cluster_sizes: [1.0, -0.5, 0.0, 0.0, 0.0],
                ..HeavyCorruption::default()
            },
            "cluster_sizes",
        ),
    ];
    for (settings, field) in cases {
        let e = heavy(10, 0)
            .heavy(settings.clone())
            .build_book()
            .unwrap_err();
        assert_eq!(e.field(), Some(field));
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        // Light ignores the heavy settings.
        assert!(SampleConfig::new(10).heavy(settings).validate().is_ok());
    }
    let e = "Heavy".parse::<Corruption>().unwrap_err();
    assert_eq!(e.field(), Some("corruption"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the limits and seed, the truth is right and the limits hold.
    #[test]
    fn truth_holds_for_any_limits(
        seed in any::<u64>(),
        max_per_field in 1usize..4,
        max_per_record in 1usize..12,
        organisations in 0.0f64..1.0,
    ) {
        let settings = HeavyCorruption { max_per_field, max_per_record, ..HeavyCorruption::default() };
        let sample = heavy(150, seed)
            .organisation_share(organisations)
            .heavy(settings.clone())
            .generate();
        truth_is_right(&sample, &settings);
    }
}
