//! Duplicates found and merged inside the book.

use chrono::NaiveDate;

use crate::model::Customer;
use crate::quality::*;
use crate::sample::SampleConfig;

#[test]
fn a_book_merges_its_duplicates_into_golden_records() {
    let config = SampleConfig::new(1_500).seed(12);
    let (mut book, truth) = config.build_book().unwrap();
    let events = book.event_count();
    let clusters = book.find_duplicates(&DedupConfig::default()).unwrap();
    let nan = DedupConfig {
        threshold: f64::NAN,
        ..DedupConfig::default()
    };
    assert_eq!(
        book.find_duplicates(&nan).unwrap_err().field(),
        Some("threshold")
    );
    let found: usize = clusters.iter().map(|c| c.len() - 1).sum();
    assert!(
        found as f64 >= 0.97 * truth.len() as f64,
        "{found} of {}",
        truth.len()
    );
    let today = config.end().date_naive();
    let (merged, skipped) = book
        .merge_duplicates(&clusters, &GoldenRules::default(), today, config.end())
        .unwrap();
    assert_eq!(merged.len() + skipped.len(), clusters.len());
    assert_eq!(book.event_count(), events, "merging loses no event");
    for t in &truth {
        // Both records of a found pair now resolve to one customer.
        if clusters
            .iter()
            .any(|c| c.contains(&t.duplicate) && c.contains(&t.original))
        {
            assert_eq!(book.resolve(t.duplicate), book.resolve(t.original));
        }
    }
}

#[test]
fn a_merge_turns_a_swapped_name_the_way_the_book_uses_it() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 6, 1, 0, 0, 0).unwrap();
    let mut book = crate::book::CustomerBook::with_currency("TRY").unwrap();
    // The first record has the names swapped; by source priority it would win the tie.
    let mut swapped = Customer::person(1, "Kaya", "Fatma");
    swapped.phones = vec!["0532 123 45 67".into()];
    let mut right = Customer::person(2, "Fatma", "Kaya");
    right.phones = vec!["+905321234567".into()];
    book.add_customer(swapped.clone()).unwrap();
    book.add_customer(right.clone()).unwrap();
    // Alone, the two records tie and the first (swapped) one wins.
    let alone = golden_record(&[swapped, right], &GoldenRules::default(), today);
    assert_eq!(alone.customer.given_name.as_deref(), Some("Kaya"));
    // The book knows better: six more Fatmas and six more Kayas. "Kaya" is then a given name
    // once and a family name 7 times, "Fatma" the other way round, so the first record's
    // order has odds ((1+1)/(7+1))² = 1/16 — beyond the ten to one needed to turn it.
    let others = ["Demir", "Öz", "Şahin", "Ali", "Can", "Emre"];
    for (i, other) in others.iter().enumerate() {
        let id = 10 + 2 * i as u64;
        book.add_customer(Customer::person(id, "Fatma", other))
            .unwrap();
        book.add_customer(Customer::person(id + 1, other, "Kaya"))
            .unwrap();
    }
    let (merged, skipped) = book
        .merge_duplicates(&[vec![1, 2]], &GoldenRules::default(), today, at)
        .unwrap();
    assert_eq!((merged.len(), skipped.len()), (1, 0));
    let golden = book.customer(1).unwrap();
    assert_eq!(golden.given_name.as_deref(), Some("Fatma"));
    assert_eq!(golden.family_name.as_deref(), Some("Kaya"));
}
