//! `Change::MergesImported`: merge records installed as recorded, validated like the
//! snapshot loader's, journaled in batches.

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::ErrorKind;
use crate::model::{Customer, Event, Purchase};

fn at(hours: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap() + Duration::hours(hours)
}

/// A book of 1..=5 with a purchase each, then 2 into 1, 1 into 3, 5 into 4.
fn merged_book() -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    b.add_customers((1..=5).map(|i| Customer::person(i, "Ali", "Kaya")))
        .unwrap();
    b.record_all((1..=5).map(|i| {
        let p = Purchase {
            amount: 100 * i as i64,
            currency: "TRY".into(),
            product: None,
            category: None,
            channel: None,
        };
        Event::new(i, at(i as i64), p)
    }))
    .unwrap();
    b.merge(1, &[2], None, at(10)).unwrap();
    b.merge(3, &[1], None, at(11)).unwrap();
    b.merge(4, &[5], None, at(12)).unwrap();
    b
}

/// The merged book's live customers and events, without its merges.
fn without_merges(b: &CustomerBook) -> CustomerBook {
    let mut s = b.snapshot();
    s.merges.clear();
    CustomerBook::from_snapshot(s).unwrap()
}

#[test]
fn imported_merges_give_the_book_back_and_a_failed_batch_takes_them_back() {
    let book = merged_book();
    let mut bare = without_merges(&book);
    assert_eq!(bare.resolve(2), None);
    let change = Change::MergesImported {
        merges: book.merges().to_vec(),
    };
    let failing = Change::CustomerUpdated {
        customer: Customer::person(99, "Yok", "Yok"),
    };
    let before = bare.snapshot();
    let e = bare.prepare_all([&change, &failing]).map(drop).unwrap_err();
    assert_eq!(e.to_string(), "change #1: unknown customer_id 99");
    assert!(bare.snapshot() == before && bare.resolve(1).is_none());
    assert_eq!(bare.apply_change(&change).unwrap(), ChangeOutcome::Count(3));
    assert!(bare.snapshot() == book.snapshot());
    assert_eq!(
        (1..=5).map(|id| bare.resolve(id)).collect::<Vec<_>>(),
        [3, 3, 3, 4, 4].map(Some)
    );
    // Merged ids stay reserved; merging goes on from there.
    let e = bare
        .add_customer(Customer::person(2, "Veli", "Kaya"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Duplicate);
    bare.merge(4, &[2], None, at(20)).unwrap();
    assert_eq!(bare.resolve(1), Some(4));
    let text = serde_json::to_string(&change).unwrap();
    assert!(text.starts_with(r#"{"type":"merges_imported","merges":[{"survivor":1,"merged":[2],"#));
}

#[test]
fn imported_merges_that_contradict_the_book_are_refused() {
    let book = merged_book();
    let record = |survivor: u64, merged: Vec<u64>| MergeRecord {
        survivor,
        merged,
        at: at(30),
        events_moved: 0,
    };
    let refused = |merges: Vec<MergeRecord>| {
        let mut bare = without_merges(&book);
        let before = bare.snapshot();
        let e = bare
            .apply_change(&Change::MergesImported { merges })
            .unwrap_err();
        assert!(
            bare.snapshot() == before && bare.resolve(2).is_none(),
            "{e}"
        );
        e
    };
    // A merged id that is still a customer.
    let e = refused(vec![record(3, vec![4])]);
    assert_eq!((e.kind(), e.field()), (ErrorKind::Conflict, Some("merged")));
    // A survivor merged away by an earlier record.
    let e = refused(vec![record(3, vec![2]), record(2, vec![1])]);
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Conflict, Some("survivor"))
    );
    // An id merged twice.
    let e = refused(vec![record(3, vec![2]), record(4, vec![2])]);
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    // A chain that ends nowhere (7 is no customer).
    let e = refused(vec![record(7, vec![2])]);
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::NotFound, Some("survivor"))
    );
    // Records already in the book cannot be imported again.
    let mut full = book.clone();
    let e = full
        .apply_change(&Change::MergesImported {
            merges: book.merges().to_vec(),
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(e.to_string().starts_with("merge #3: "), "{e}");
    assert!(full.snapshot() == book.snapshot());
}

/// `Change::ConsentRecorded`: staged like the others (a failed batch takes it back), a
/// merged-away id follows to its survivor, a repeat is `Changed(false)`, and the JSON is
/// the one the README's change feed grammar gives.
#[test]
fn a_consent_decision_is_a_change_that_a_failed_batch_takes_back() {
    use crate::model::{Channel, Consent};
    let mut book = merged_book();
    let no = Consent {
        channel: Channel::Email,
        granted: false,
        at: at(20),
    };
    let change = Change::ConsentRecorded {
        customer_id: 2, // merged into 1, then 1 into 3
        consent: no.clone(),
    };
    let failing = Change::CustomerAdded {
        customer: Customer::person(3, "Ali", "Kaya"),
    };
    let err = book.prepare_all([&change, &failing]).unwrap_err();
    assert!(err.to_string().contains("change #1"), "{err}");
    assert!(book.customer(3).unwrap().consents.is_empty());
    let outcomes = book.prepare_all([&change, &change]).unwrap().apply();
    assert_eq!(
        outcomes,
        vec![ChangeOutcome::Changed(true), ChangeOutcome::Changed(false)]
    );
    assert_eq!(book.customer(3).unwrap().consents, vec![no]);
    assert_eq!(
        serde_json::to_string(&change).unwrap(),
        r#"{"type":"consent_recorded","customer_id":2,"consent":{"channel":"email","granted":false,"at":"2025-01-02T05:00:00Z"}}"#
    );
    let back: Change = serde_json::from_str(&serde_json::to_string(&change).unwrap()).unwrap();
    assert_eq!(back.type_name(), "consent_recorded");
}
