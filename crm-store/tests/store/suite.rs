//! The behaviour every store must have, written against [`Backend`].

use chrono::{DateTime, Duration, TimeZone, Utc};
use crm_core::book::{Change, CustomerBook};
use crm_core::model::*;
use crm_core::sample::SampleConfig;
use crm_core::{CrmError, ErrorKind};
use crm_store::{StoreOptions, StoredBook};

/// What the suite needs from a backend.
pub(crate) trait Backend {
    /// A new, unused location.
    fn fresh(&self, name: &str) -> String;
    /// Opens the store at `location`.
    fn open(&self, location: &str, options: &StoreOptions) -> Result<StoredBook, CrmError>;
    /// Every row of every table, as text: equal before and after a call that must write
    /// nothing.
    fn dump(&self, location: &str) -> String;
    /// A new, unused location for a backup (a file path on every backend).
    fn backup_target(&self, name: &str) -> String {
        self.fresh(name)
    }
}

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap()
}

fn try_store(b: &dyn Backend, name: &str) -> (String, StoredBook) {
    let loc = b.fresh(name);
    let book = b.open(&loc, &StoreOptions::with_currency("TRY")).unwrap();
    (loc, book)
}

fn reopen(b: &dyn Backend, loc: &str) -> StoredBook {
    b.open(loc, &StoreOptions::default()).unwrap()
}

fn purchase(id: u64, hours: i64, amount: i64) -> Event {
    Event::new(
        id,
        t0() + Duration::hours(hours),
        Purchase {
            amount,
            currency: "TRY".into(),
            product: Some("p".into()),
            category: Some("elektronik".into()),
            channel: Some(Channel::Web),
        },
    )
}

/// A sample book with every event kind goes in by import and comes back equal.
pub(crate) fn every_record_and_event_kind_round_trips(b: &dyn Backend) {
    let (loc, mut stored) = try_store(b, "kinds");
    let config = SampleConfig::new(120).seed(5);
    let (book, _) = config.build_book().unwrap();
    let kinds: std::collections::BTreeSet<&str> =
        book.events().map(|e| e.kind.type_name()).collect();
    assert!(kinds.len() >= 10, "the sample has few kinds: {kinds:?}");
    stored.import(&book).unwrap();
    assert_eq!(stored.snapshot(), book.snapshot());
    drop(stored);
    let back = reopen(b, &loc);
    assert_eq!(back.snapshot(), book.snapshot());
    let back_kinds: std::collections::BTreeSet<&str> =
        back.events().map(|e| e.kind.type_name()).collect();
    assert_eq!(back_kinds, kinds);
}

/// Each write method commits a change that comes back at reopen, policies included.
pub(crate) fn every_write_is_committed_when_it_returns(b: &dyn Backend) {
    let (loc, mut s) = try_store(b, "writes");
    let mut ayse = Customer::person(1, "Ayşe", "Yılmaz");
    ayse.national_id = Some("10000000146".into());
    s.add_customer(ayse.clone()).unwrap();
    assert_eq!(
        s.add_customers([
            Customer::person(2, "Can", "Er"),
            Customer::organisation(3, "Öz A.Ş.")
        ])
        .unwrap(),
        2
    );
    ayse.emails = vec!["ayse@example.com".into()];
    s.update_customer(ayse.clone()).unwrap();
    s.record(purchase(1, 1, 1000)).unwrap();
    s.record_all([purchase(2, 2, 2000), purchase(3, 3, 3000)])
        .unwrap();
    s.add_incident(Incident {
        id: 9,
        kind: IncidentKind::ChannelOutage,
        channel: Some(Channel::Atm),
        location: Some("Kadıköy".into()),
        start: t0(),
        end: None,
        description: "ATM down".into(),
    })
    .unwrap();
    s.set_lifecycle_policy(Some(crm_core::lifecycle::LifecyclePolicy::default()))
        .unwrap();
    let sla = crm_core::sla::SlaPolicies::from_json(
        r#"{"name": "standard", "targets": {"urgent": {"first_response": 60}}}"#,
    )
    .unwrap();
    s.set_sla_policies(Some(sla)).unwrap();
    assert_eq!(s.cursor(), 8);
    let expected = s.snapshot();
    drop(s);
    let back = reopen(b, &loc);
    assert_eq!(back.snapshot(), expected);
    assert_eq!(back.customer(1), Some(&ayse));
    assert!(back.lifecycle_policy().is_some());
    assert_eq!(back.sla_policies().map(|p| p.len()), Some(1));
    let (feed, next) = back.changes(0, 100).unwrap();
    let types: Vec<&str> = feed.iter().map(|r| r.change.type_name()).collect();
    assert_eq!(
        types,
        [
            "customer_added",
            "customers_added",
            "customer_updated",
            "event_recorded",
            "events_recorded",
            "incident_added",
            "lifecycle_policy_set",
            "sla_policies_set"
        ]
    );
    assert_eq!(next, 8);
    assert!(
        feed.windows(2)
            .all(|w| w[0].seq < w[1].seq && w[0].at <= w[1].at)
    );
    // The feed pages: 3 at a time, each page continuing from the last cursor.
    let (page, c) = back.changes(0, 3).unwrap();
    assert_eq!((page.len(), c), (3, 3));
    let (page, c) = back.changes(c, 3).unwrap();
    assert_eq!((page[0].seq, c), (4, 6));
    let (page, c) = back.changes(8, 3).unwrap();
    assert_eq!((page.len(), c), (0, 8));
    // JSON of a record: seq, at, change with its type.
    let json = serde_json::to_value(&feed[3]).unwrap();
    assert_eq!(json["seq"], 4);
    assert_eq!(json["change"]["type"], "event_recorded");
    assert_eq!(json["change"]["event"]["amount"], 1000);
}

/// Merges and the resolution of merged ids survive reopening.
pub(crate) fn merges_and_old_ids_survive_reopen(b: &dyn Backend) {
    let (loc, mut s) = try_store(b, "merges");
    s.add_customers((1..=4).map(|i| Customer::person(i, "Ali", "Kaya")))
        .unwrap();
    s.record_all([
        purchase(2, 1, 100),
        purchase(3, 2, 200),
        purchase(1, 3, 300),
    ])
    .unwrap();
    let m = s.merge(1, &[2], None, t0()).unwrap();
    assert_eq!(
        (m.survivor, m.merged.clone(), m.events_moved),
        (1, vec![2], 1)
    );
    // 2 stands for 1 now: folding 2 into 3 folds 1.
    s.merge(3, &[2], None, t0() + Duration::days(1)).unwrap();
    s.record(purchase(2, 4, 400)).unwrap();
    let expected = s.snapshot();
    drop(s);
    let back = reopen(b, &loc);
    assert_eq!(back.snapshot(), expected);
    assert_eq!(
        (back.resolve(1), back.resolve(2), back.resolve(4)),
        (Some(3), Some(3), Some(4))
    );
    assert_eq!(back.events_of(2).unwrap().count(), 4);
    assert_eq!(back.merges().len(), 2);
    assert_eq!(back.len(), 2);
}

/// A failed call writes nothing (the store's rows are the same) and changes nothing in
/// memory; a failing batch is refused whole.
pub(crate) fn failed_calls_write_nothing(b: &dyn Backend) {
    let (loc, mut s) = try_store(b, "failures");
    s.add_customers([
        Customer::person(1, "Ali", "Kaya"),
        Customer::person(2, "Can", "Er"),
    ])
    .unwrap();
    s.record(purchase(1, 1, 100)).unwrap();
    let rows = b.dump(&loc);
    let memory = s.snapshot();
    let cursor = s.cursor();
    let check = |s: &StoredBook, r: Result<(), CrmError>, kind: ErrorKind| {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert_eq!(s.snapshot(), memory, "{e} changed memory");
        assert_eq!(s.cursor(), cursor);
        assert_eq!(b.dump(&loc), rows, "{e} wrote to the store");
    };
    let r = s.add_customer(Customer::person(1, "Veli", "Kaya"));
    check(&s, r, ErrorKind::Duplicate);
    let r = s
        .record_all([purchase(1, 2, 100), purchase(99, 3, 100)])
        .map(drop);
    check(&s, r, ErrorKind::NotFound);
    let r = s.merge(1, &[1], None, t0()).map(drop);
    check(&s, r, ErrorKind::InvalidInput);
    let r = s.batch(|b| {
        b.add_customer(Customer::person(3, "Deniz", "Ak"));
        b.record(purchase(3, 4, 500));
        b.merge(1, &[3], None, t0());
        b.record(purchase(1, 5, -1));
        Ok(())
    });
    let e = r.unwrap_err();
    assert!(e.to_string().starts_with("change #3: "), "{e}");
    assert_eq!(s.snapshot(), memory);
    assert_eq!(b.dump(&loc), rows);
    // The closure's own error also writes nothing.
    let r: Result<(), CrmError> = s.batch(|b| {
        b.add_customer(Customer::person(3, "Deniz", "Ak"));
        Err(CrmError::invalid("x", 1, "stop"))
    });
    check(&s, r, ErrorKind::InvalidInput);
    // A batch that passes is there whole after reopening.
    s.batch(|b| {
        b.add_customer(Customer::person(3, "Deniz", "Ak"));
        b.record(purchase(3, 4, 500));
        b.merge(1, &[3], None, t0());
        Ok(())
    })
    .unwrap();
    let expected = s.snapshot();
    drop(s);
    assert_eq!(reopen(b, &loc).snapshot(), expected);
}

/// A reader sees a writer's commits after `refresh`, which replays only the new changes.
pub(crate) fn a_reader_sees_the_writers_commits(b: &dyn Backend) {
    let (loc, mut writer) = try_store(b, "readers");
    let mut reader = reopen(b, &loc);
    writer
        .add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    writer
        .record_all((0..50).map(|h| purchase(1, h, 10)))
        .unwrap();
    assert_eq!(reader.len(), 0);
    assert_eq!(reader.refresh().unwrap(), 2);
    assert_eq!(reader.snapshot(), writer.snapshot());
    assert_eq!(reader.refresh().unwrap(), 0);
    writer.merge(1, &[], None, t0()).unwrap_err();
    writer
        .add_customer(Customer::person(2, "Can", "Er"))
        .unwrap();
    assert_eq!(reader.refresh().unwrap(), 1);
    assert_eq!(reader.cursor(), writer.cursor());
    // Both write: each first replays the other's commits, so nothing is lost.
    reader.record(purchase(2, 60, 5)).unwrap();
    writer.record(purchase(1, 61, 7)).unwrap();
    assert_eq!(writer.event_count(), 52);
    reader.refresh().unwrap();
    assert_eq!(reader.snapshot(), writer.snapshot());
    drop((reader, writer));
    assert_eq!(reopen(b, &loc).event_count(), 52);
}

fn consent(channel: Channel, granted: bool, hours: i64) -> Consent {
    Consent {
        channel,
        granted,
        at: t0() + Duration::hours(hours),
    }
}

/// A consent decision is one change (`consent_recorded`) applied to the caught-up profile:
/// a handle that has not seen another's withdrawal keeps it when it records a decision of
/// its own (before issue 18's mend the profile it wrote, built from what it last saw,
/// dropped the withdrawal); it joins a batch and is taken back with it; a repeat writes
/// nothing; it is in the change feed.
pub(crate) fn consents_are_changes_applied_to_the_caught_up_profile(b: &dyn Backend) {
    let (loc, s) = try_store(b, "consents");
    let mut a = crm_store::Book::from(s);
    a.add_customer(Customer::person(1, "Ali", "Kaya")).unwrap();
    let mut other = crm_store::Book::from(reopen(b, &loc));
    // The other handle withdraws e-mail; `a` has not refreshed and opts in to SMS.
    assert!(
        other
            .record_consent(1, consent(Channel::Email, false, 1))
            .unwrap()
    );
    assert!(a.record_consent(1, consent(Channel::Sms, true, 2)).unwrap());
    let later = t0() + Duration::hours(3);
    assert_eq!(a.consent_at(1, Channel::Email, later).unwrap(), Some(false));
    assert_eq!(a.consent_at(1, Channel::Sms, later).unwrap(), Some(true));
    drop((a, other));
    let back = reopen(b, &loc);
    assert_eq!(
        back.consent_at(1, Channel::Email, later).unwrap(),
        Some(false)
    );
    assert_eq!(back.consent_at(1, Channel::Sms, later).unwrap(), Some(true));
    assert_eq!(back.replay_log().unwrap().snapshot(), back.snapshot());

    let mut s = back;
    // The very same decision again: `false`, and no row anywhere.
    let before = b.dump(&loc);
    assert!(!s.record_consent(1, consent(Channel::Sms, true, 2)).unwrap());
    assert_eq!(b.dump(&loc), before);
    // A merged-away id follows to its survivor; the feed names the change.
    s.add_customer(Customer::person(2, "Ali", "Kaya")).unwrap();
    s.merge(1, &[2], None, later).unwrap();
    assert!(
        s.record_consent(2, consent(Channel::Phone, false, 4))
            .unwrap()
    );
    let (feed, _) = s.changes(s.cursor() - 1, 10).unwrap();
    let json = serde_json::to_value(&feed[0].change).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "consent_recorded", "customer_id": 2,
            "consent": {"channel": "phone", "granted": false, "at": "2025-01-01T13:00:00Z"}})
    );
    // In a batch that fails, the decision is taken back in memory and never written.
    let before = b.dump(&loc);
    let err = s
        .batch(|batch| {
            batch.record_consent(1, consent(Channel::Web, true, 5));
            batch.add_customer(Customer::person(1, "Ali", "Kaya"));
            Ok(())
        })
        .unwrap_err();
    assert!(err.to_string().contains("change #1"), "{err}");
    assert_eq!(
        s.consent_at(1, Channel::Web, later + Duration::hours(9))
            .unwrap(),
        None
    );
    assert_eq!(b.dump(&loc), before);
    // A batch that holds, with a repeat in it: both committed together.
    s.batch(|batch| {
        batch.record_consent(1, consent(Channel::Web, true, 5));
        batch.record_consent(1, consent(Channel::Sms, true, 2));
        Ok(())
    })
    .unwrap();
    drop(s);
    let back = reopen(b, &loc);
    let at = later + Duration::hours(9);
    assert_eq!(back.consent_at(1, Channel::Web, at).unwrap(), Some(true));
    assert_eq!(back.consent_at(1, Channel::Phone, at).unwrap(), Some(false));
    assert_eq!(back.customer(1).unwrap().consents.len(), 4);
    assert_eq!(back.replay_log().unwrap().snapshot(), back.snapshot());
}

/// Backups open as the same book.
pub(crate) fn backups_open_as_the_same_book(b: &dyn Backend, backup_to: &str) {
    let (_loc, mut s) = try_store(b, "backup");
    s.add_customer(Customer::person(1, "Ali", "Kaya")).unwrap();
    s.record(purchase(1, 1, 100)).unwrap();
    s.backup(backup_to).unwrap();
    assert_eq!(
        s.backup(backup_to).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let copy = crm_store::open(backup_to, &StoreOptions::default()).unwrap();
    assert_eq!(copy.snapshot(), s.snapshot());
    assert_eq!(copy.cursor(), 2);
}

/// JSON snapshots import and export.
pub(crate) fn snapshots_import_and_export(b: &dyn Backend, json_path: &std::path::Path) {
    let (_loc, mut s) = try_store(b, "export");
    s.add_customers([
        Customer::person(1, "Ali", "Kaya"),
        Customer::person(2, "Can", "Er"),
    ])
    .unwrap();
    s.record(purchase(1, 1, 100)).unwrap();
    crm_store::save_book(&s, json_path).unwrap();
    let book = crm_store::load_book(json_path).unwrap();
    assert_eq!(book.snapshot(), s.snapshot());
    let (_loc2, mut t) = try_store(b, "import");
    t.import(&book).unwrap();
    assert_eq!(t.snapshot(), s.snapshot());
    assert_eq!(t.import(&book).unwrap_err().kind(), ErrorKind::Conflict);
    let (_loc3, mut u) = try_store(b, "import-eur");
    let eur = CustomerBook::with_currency("EUR").unwrap();
    assert_eq!(u.import(&eur).unwrap_err().kind(), ErrorKind::Conflict);
}

/// Options: a new store needs a currency, an existing one keeps its own; `create: false`
/// does not create.
pub(crate) fn options_are_checked(b: &dyn Backend) {
    let loc = b.fresh("options");
    let none = StoreOptions {
        create: false,
        ..StoreOptions::with_currency("TRY")
    };
    assert_eq!(b.open(&loc, &none).unwrap_err().kind(), ErrorKind::NotFound);
    let e = b.open(&loc, &StoreOptions::default()).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("currency"))
    );
    let e = b
        .open(&loc, &StoreOptions::with_currency("lira"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    drop(b.open(&loc, &StoreOptions::with_currency("TRY")).unwrap());
    let e = b
        .open(&loc, &StoreOptions::with_currency("EUR"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert_eq!(b.open(&loc, &none).unwrap().config().currency, "TRY");
}

/// A change that the book refuses is never logged, and a logged change replays into the
/// same book (the change log is the book's history).
pub(crate) fn the_log_replays_into_the_same_book(b: &dyn Backend) {
    let (loc, mut s) = try_store(b, "replay");
    let (book, _) = SampleConfig::new(60).seed(9).build_book().unwrap();
    s.import(&book).unwrap();
    s.add_customers([
        Customer::person(1, "Ali", "Kaya"),
        Customer::person(2, "Ali", "Kaya"),
    ])
    .unwrap();
    s.record(purchase(2, 1, 100)).unwrap();
    s.merge(1, &[2], None, t0()).unwrap();
    let (feed, _) = s.changes(0, usize::MAX).unwrap();
    let mut replica = CustomerBook::with_currency("TRY").unwrap();
    for r in &feed {
        let json = serde_json::to_string(&r.change).unwrap();
        let change: Change = serde_json::from_str(&json).unwrap();
        replica.apply_change(&change).unwrap();
    }
    assert_eq!(replica.snapshot(), s.snapshot());
    drop(s);
    assert_eq!(reopen(b, &loc).snapshot(), replica.snapshot());
}

/// Customers 1..=6: 1, 2 and 3 one person under three ids (2 referred by 5), 4 and 6 another
/// (6 referred by 5); 5 alone. Purchases for each, and a complaint of 2.
pub(crate) fn duplicates(s: &mut StoredBook) {
    let person = |id: u64, family: &str, nid: &str, phone: &str| {
        let mut c = Customer::person(id, "Ayşe", family);
        c.national_id = Some(nid.into());
        c.phones = vec![phone.into()];
        c.referred_by = matches!(id, 2 | 6).then_some(5);
        c
    };
    s.add_customer(Customer::person(5, "Deniz", "Ak")).unwrap();
    s.add_customers([
        person(1, "Kaya", "10000000146", "0532 123 45 67"),
        person(2, "Kaya", "10000000146", "+90 532 123 4567"),
        person(3, "Kaya", "10000000146", "0532 1234567"),
        person(4, "Demir", "10000000078", "0533 765 43 21"),
        person(6, "Demir", "10000000078", "0533 765 4321"),
    ])
    .unwrap();
    s.record_all((1..=6).map(|id| purchase(id, id as i64, 100 * id as i64)))
        .unwrap();
    s.record(Event::new(
        2,
        t0() + Duration::hours(9),
        ComplaintOpened {
            complaint_id: 1,
            priority: Priority::High,
            category: None,
            channel: Some(Channel::CallCentre),
            description: None,
        },
    ))
    .unwrap();
}

/// `dedupe` with `apply` on a stored book: the merges are those of the same dedupe in
/// memory, committed as one `merged` change per cluster (golden profile included), and
/// the reopened book is the same book, old ids resolving.
pub(crate) fn dedupe_commits_and_survives_reopen(b: &dyn Backend) {
    let (loc, mut s) = try_store(b, "dedupe");
    duplicates(&mut s);
    let config = crm_core::quality::DedupConfig::default();
    let rules = crm_core::quality::GoldenRules::default();
    let at = t0() + Duration::days(30);
    let mut in_memory = s.book().clone();
    let expected = in_memory.dedupe(&config, &rules, at, true).unwrap();
    let cursor = s.cursor();
    let found = s.dedupe(&config, &rules, at, false).unwrap();
    assert_eq!(found.clusters, vec![vec![1, 2, 3], vec![4, 6]]);
    assert_eq!(s.cursor(), cursor, "finding writes nothing");
    let outcome = s.dedupe(&config, &rules, at, true).unwrap();
    assert_eq!(outcome, expected);
    let merges = outcome.merges.clone().unwrap();
    assert_eq!(
        merges
            .iter()
            .map(|m| (m.survivor, m.merged.clone()))
            .collect::<Vec<_>>(),
        [(1, vec![2, 3]), (4, vec![6])]
    );
    assert_eq!(s.snapshot(), in_memory.snapshot());
    assert_eq!(s.cursor(), cursor + 2);
    let (feed, _) = s.changes(cursor, 10).unwrap();
    let kinds: Vec<&str> = feed.iter().map(|r| r.change.type_name()).collect();
    assert_eq!(kinds, ["merged", "merged"]);
    let json = serde_json::to_value(&feed[0]).unwrap();
    assert_eq!(json["change"]["survivor"], 1);
    assert_eq!(json["change"]["merged"], serde_json::json!([2, 3]));
    assert_eq!(json["change"]["profile"]["id"], 1);
    // A second dedupe finds nothing left to merge and writes nothing.
    let again = s.dedupe(&config, &rules, at, true).unwrap();
    assert_eq!(again.merges, Some(vec![]));
    assert_eq!(s.cursor(), cursor + 2);
    drop(s);
    let back = reopen(b, &loc);
    assert_eq!(back.snapshot(), in_memory.snapshot());
    assert_eq!(
        (1..=6).map(|id| back.resolve(id)).collect::<Vec<_>>(),
        [1, 1, 1, 4, 5, 4].map(Some)
    );
    assert_eq!(back.events_of(3).unwrap().count(), 4);
    assert_eq!(back.events_of(6).unwrap().count(), 2);
}

/// The checked add on a stored book: a refused likely duplicate writes nothing and carries
/// its candidates; a merged one is committed as the add and the merge in one transaction, is
/// the book the same checked add gives in memory, and survives reopen.
pub(crate) fn checked_adds_commit_and_survive_reopen(b: &dyn Backend) {
    use crm_core::book::OnDuplicate;
    let (loc, mut s) = try_store(b, "checked-add");
    let sample = SampleConfig::new(300).seed(4).generate();
    s.add_customers(sample.customers.iter().cloned()).unwrap();
    let first = sample.customers[0].id;
    // The first customer typed in again under a new id, without the e-mail.
    let mut again = sample.customers[0].clone();
    again.id = 9_999_999;
    again.emails.clear();
    let config = crm_core::quality::DedupConfig::default();
    let at = t0() + Duration::days(30);
    let (before, cursor) = (b.dump(&loc), s.cursor());
    let err = s
        .add_customer_checked(again.clone(), &config, OnDuplicate::Reject, at)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Duplicate);
    assert_eq!(err.candidates()[0].0, first);
    assert!(err.candidates()[0].1 >= config.threshold);
    assert_eq!(
        (b.dump(&loc), s.cursor()),
        (before, cursor),
        "a refusal writes nothing"
    );
    assert!(!s.contains(again.id));

    let mut in_memory = s.book().clone();
    let expected = in_memory
        .add_customer_checked(again.clone(), &config, OnDuplicate::Merge, at)
        .unwrap();
    let done = s
        .add_customer_checked(again, &config, OnDuplicate::Merge, at)
        .unwrap();
    assert_eq!(done, expected);
    let merged = done.merged.unwrap();
    assert_eq!((merged.survivor, merged.merged), (first, vec![9_999_999]));
    assert_eq!(s.cursor(), cursor + 2);
    let (feed, _) = s.changes(cursor, 10).unwrap();
    let kinds: Vec<&str> = feed.iter().map(|r| r.change.type_name()).collect();
    assert_eq!(kinds, ["customer_added", "merged"]);
    assert_eq!(s.snapshot(), in_memory.snapshot());
    drop(s);
    let back = reopen(b, &loc);
    assert_eq!(back.snapshot(), in_memory.snapshot());
    assert_eq!(back.resolve(9_999_999), Some(first));
    assert_eq!(back.len(), sample.customers.len());
}

/// A JSON snapshot of a book with merge chains imports (its merges as one
/// `merges_imported` change, in its documented JSON form), reopens as the same book with
/// the old ids resolving, and takes new merges after; a snapshot whose merges do not fit
/// its customers is refused whole.
pub(crate) fn snapshots_with_merges_import(b: &dyn Backend, json_path: &std::path::Path) {
    let mut book = CustomerBook::with_currency("TRY").unwrap();
    book.add_customers((1..=6).map(|i| Customer::person(i, "Ali", "Kaya")))
        .unwrap();
    book.record_all((1..=6).map(|id| purchase(id, id as i64, 10 * id as i64)))
        .unwrap();
    // A chain: 2 into 1, then 1 into 3; and 5 into 4.
    book.merge(1, &[2], None, t0()).unwrap();
    book.merge(3, &[1], None, t0() + Duration::hours(1))
        .unwrap();
    book.merge(4, &[5], None, t0() + Duration::hours(2))
        .unwrap();
    crm_store::save_book(&book, json_path).unwrap();
    let loaded = crm_store::load_book(json_path).unwrap();
    assert_eq!(loaded.merges().len(), 3);

    let (loc, mut s) = try_store(b, "import-merges");
    s.import(&loaded).unwrap();
    assert_eq!(s.snapshot(), book.snapshot());
    let (feed, next) = s.changes(0, 100).unwrap();
    let kinds: Vec<&str> = feed.iter().map(|r| r.change.type_name()).collect();
    assert_eq!(
        kinds,
        ["customers_added", "events_recorded", "merges_imported"]
    );
    let json = serde_json::to_value(&feed[2]).unwrap();
    assert_eq!(json["seq"], next);
    assert_eq!(
        json["change"],
        serde_json::json!({
            "type": "merges_imported",
            "merges": [
                {"survivor": 1, "merged": [2], "at": "2025-01-01T09:00:00Z", "events_moved": 1},
                {"survivor": 3, "merged": [1], "at": "2025-01-01T10:00:00Z", "events_moved": 2},
                {"survivor": 4, "merged": [5], "at": "2025-01-01T11:00:00Z", "events_moved": 1},
            ]
        })
    );
    drop(s);
    let mut back = reopen(b, &loc);
    assert_eq!(back.snapshot(), book.snapshot());
    assert_eq!(
        (1..=6).map(|id| back.resolve(id)).collect::<Vec<_>>(),
        [3, 3, 3, 4, 4, 6].map(Some)
    );
    assert_eq!(back.events_of(2).unwrap().count(), 3);
    // Merged ids stay reserved, and the book merges on from there.
    let e = back
        .add_customer(Customer::person(2, "Veli", "Kaya"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Duplicate, "{e}");
    back.merge(6, &[2], None, t0() + Duration::days(1)).unwrap();
    book.merge(6, &[2], None, t0() + Duration::days(1)).unwrap();
    drop(back);
    let back = reopen(b, &loc);
    assert_eq!(back.snapshot(), book.snapshot());
    assert_eq!(back.resolve(1), Some(6));

    // Records that contradict the customers (a merged id that is still a customer) are
    // refused, and nothing is written.
    let (loc, mut t) = try_store(b, "import-bad-merges");
    let rows = b.dump(&loc);
    let mut bad = book.snapshot();
    bad.merges.push(crm_core::book::MergeRecord {
        survivor: 6,
        merged: vec![4],
        at: t0(),
        events_moved: 0,
    });
    let bad = Change::MergesImported { merges: bad.merges };
    let e = t
        .batch(|batch| {
            batch.add_customers([
                Customer::person(4, "Ali", "Kaya"),
                Customer::person(6, "Ali", "Kaya"),
            ]);
            batch.push(bad);
            Ok(())
        })
        .unwrap_err();
    assert!(e.to_string().starts_with("change #1: "), "{e}");
    assert_eq!((t.len(), t.cursor()), (0, 0));
    assert_eq!(b.dump(&loc), rows);
}

/// A book with merges (a chain, a golden profile, a referrer re-pointed, a survivor whose
/// `acquired_at` the merge derives), incidents, policies and events under merged ids opens
/// as the same book whether it is loaded from the store's tables or replayed from its log.
pub(crate) fn tables_and_the_log_give_the_same_book(b: &dyn Backend) {
    let (loc, mut s) = try_store(b, "tables");
    let (sample, _) = SampleConfig::new(80).seed(3).build_book().unwrap();
    s.import(&sample).unwrap();
    let mut early = Customer::person(901, "Ali", "Kaya");
    early.acquired_at = Some(t0() - Duration::days(30));
    let mut late = Customer::person(902, "Ali", "Kaya");
    late.acquired_at = Some(t0());
    let mut referred = Customer::person(903, "Can", "Er");
    referred.referred_by = Some(902);
    s.add_customers([early, late, referred, Customer::person(904, "Ali", "Kaya")])
        .unwrap();
    s.record_all([
        purchase(901, 1, 100),
        purchase(902, 2, 200),
        purchase(904, 3, 300),
    ])
    .unwrap();
    s.add_incident(Incident {
        id: 77,
        kind: IncidentKind::ChannelOutage,
        channel: Some(Channel::Web),
        location: None,
        start: t0(),
        end: Some(t0() + Duration::hours(2)),
        description: "web down".into(),
    })
    .unwrap();
    // 901 folds into 902: 902's acquired_at becomes 901's (earlier); 903 keeps 902.
    s.merge(902, &[901], None, t0() + Duration::days(2))
        .unwrap();
    // 902 (and with it 901) folds into 904 with a golden profile; 903 is re-pointed to 904.
    let mut golden = Customer::person(904, "Ali", "Kaya");
    golden.emails = vec!["ali@example.com".into()];
    s.merge(904, &[902], Some(golden), t0() + Duration::days(3))
        .unwrap();
    // An event under a merged id, a customer added naming a merged id as its referrer.
    s.record(purchase(901, 5, 500)).unwrap();
    let mut late_referred = Customer::person(905, "Deniz", "Ak");
    late_referred.referred_by = Some(901);
    s.add_customer(late_referred).unwrap();
    s.set_lifecycle_policy(Some(crm_core::lifecycle::LifecyclePolicy::default()))
        .unwrap();
    let sla = crm_core::sla::SlaPolicies::from_json(
        r#"{"name": "standard", "targets": {"urgent": {"first_response": 60}}}"#,
    )
    .unwrap();
    s.set_sla_policies(Some(sla)).unwrap();
    // A batch with a merge in it.
    s.batch(|b| {
        b.add_customer(Customer::person(906, "Ece", "Su"));
        b.merge(906, &[905], None, t0() + Duration::days(4));
        Ok(())
    })
    .unwrap();
    let memory = s.snapshot();
    assert_eq!(
        s.customer(904).unwrap().acquired_at,
        Some(t0() - Duration::days(30))
    );
    assert_eq!(s.customer(903).unwrap().referred_by, Some(904));
    drop(s);

    let opened = reopen(b, &loc);
    let replayed = opened.replay_log().unwrap();
    assert_eq!(opened.snapshot(), memory);
    assert_eq!(replayed.snapshot(), memory);
    assert_eq!(opened.merges().len(), 3);
    assert_eq!(
        (opened.resolve(901), opened.resolve(905)),
        (Some(904), Some(906))
    );
    assert_eq!(opened.events_of(901).unwrap().count(), 4);
    let policies = |book: &CustomerBook| {
        (
            book.lifecycle_policy().cloned(),
            book.sla_policies().map(|p| p.to_json()),
        )
    };
    assert_eq!(policies(&opened), policies(&replayed));
    assert!(policies(&opened).0.is_some() && policies(&opened).1.is_some());
    let as_of = t0() + Duration::days(10);
    let view = |book: &CustomerBook| {
        serde_json::to_value(
            book.view(904, &crm_core::book::ViewOptions::as_of(as_of))
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(view(&opened), view(&replayed));
}

/// Runs the whole suite against `b`.
pub(crate) fn run(b: &dyn Backend, scratch: &std::path::Path) {
    every_record_and_event_kind_round_trips(b);
    every_write_is_committed_when_it_returns(b);
    merges_and_old_ids_survive_reopen(b);
    failed_calls_write_nothing(b);
    a_reader_sees_the_writers_commits(b);
    options_are_checked(b);
    the_log_replays_into_the_same_book(b);
    dedupe_commits_and_survives_reopen(b);
    checked_adds_commit_and_survive_reopen(b);
    tables_and_the_log_give_the_same_book(b);
    backups_open_as_the_same_book(b, &b.backup_target("backup-copy"));
    snapshots_import_and_export(b, &scratch.join("export.json"));
    snapshots_with_merges_import(b, &scratch.join("export-merges.json"));
    activities_survive_reopen(b);
    consents_are_changes_applied_to_the_caught_up_profile(b);
}

/// Activity events (kinds 17-19) are committed, refused in order, and come back equal with
/// the open one still open after reopening.
pub(crate) fn activities_survive_reopen(b: &dyn Backend) {
    let (loc, mut s) = try_store(b, "activities");
    s.add_customer(Customer::person(1, "Ayşe", "Yılmaz"))
        .unwrap();
    let due = t0() + Duration::hours(27) + Duration::nanoseconds(5);
    let events = [
        Event::new(
            1,
            t0(),
            ActivityScheduled {
                activity_id: "A-1".into(),
                activity: ActivityType::Visit,
                owner: "şube-12".into(),
                due,
                note: Some("yeni tarife".into()),
            },
        ),
        Event::new(
            1,
            t0(),
            ActivityScheduled {
                activity_id: "A-2".into(),
                activity: ActivityType::Call,
                owner: "zeynep".into(),
                due,
                note: None,
            },
        ),
        Event::new(
            1,
            t0() + Duration::hours(1),
            ActivityDone {
                activity_id: "A-2".into(),
                outcome: Some("answered".into()),
            },
        ),
    ];
    s.record_all(events.clone()).unwrap();
    let before = b.dump(&loc);
    let again = Event::new(
        1,
        t0() + Duration::hours(2),
        ActivityCancelled {
            activity_id: "A-2".into(),
            reason: None,
        },
    );
    let err = s.record(again).unwrap_err();
    assert_eq!(err.field(), Some("activity_id"), "{err}");
    assert_eq!(
        b.dump(&loc),
        before,
        "a refused activity event wrote something"
    );
    drop(s);
    let back = reopen(b, &loc);
    assert_eq!(back.events().collect::<Vec<_>>(), events.to_vec());
    let view = back
        .view(
            1,
            &crm_core::book::ViewOptions::as_of(t0() + Duration::days(2)),
        )
        .unwrap();
    assert_eq!(view.activities.open.len(), 1);
    assert_eq!(view.activities.open[0].activity_id, "A-1");
    assert_eq!(view.activities.done, 1);
}
