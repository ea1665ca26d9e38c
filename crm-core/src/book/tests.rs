//! Hand-worked examples for the book: every expected figure is computed in the comments.

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::ErrorKind;
use crate::model::*;

fn t(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, day, hour, minute, 0).unwrap()
}

fn buy(amount: i64, category: &str) -> Purchase {
    Purchase {
        amount,
        currency: "TRY".into(),
        product: None,
        category: Some(category.into()),
        channel: Some(Channel::Web),
    }
}

fn opened(id: ComplaintId) -> ComplaintOpened {
    ComplaintOpened {
        complaint_id: id,
        priority: Priority::High,
        category: Some("geç teslimat".into()),
        channel: Some(Channel::CallCentre),
        description: None,
    }
}

/// Customer 1 with a full history, customer 2 referred by 1, customer 3 untouched.
fn book() -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    b.add_customer(Customer::person(1, "Ayşe", "Yılmaz"))
        .unwrap();
    b.add_customer(Customer::person(2, "Mehmet", "Öztürk"))
        .unwrap();
    b.add_customer(Customer::organisation(3, "Kaya Gıda A.Ş."))
        .unwrap();
    let events = vec![
        Event::new(1, t(1, 10, 0), buy(10_000, "a")),
        Event::new(1, t(3, 10, 0), buy(25_000, "b")),
        Event::new(1, t(5, 10, 0), buy(5_000, "a")),
        Event::new(
            1,
            t(6, 10, 0),
            Refund {
                amount: 5_000,
                currency: "TRY".into(),
                product: None,
                reason: None,
                channel: None,
            },
        ),
        Event::new(1, t(2, 9, 0), Referral { referred: 2 }),
        Event::new(
            1,
            t(7, 9, 0),
            Contribution {
                kind: ContributionKind::CoInvestment,
                amount: 100_000,
                currency: "TRY".into(),
                description: None,
            },
        ),
        Event::new(
            1,
            t(7, 9, 30),
            Contribution {
                kind: ContributionKind::CostSharing,
                amount: 30_000,
                currency: "TRY".into(),
                description: None,
            },
        ),
        Event::new(1, t(8, 9, 0), opened(1)),
        Event::new(
            1,
            t(8, 11, 0),
            ComplaintResponded {
                complaint_id: 1,
                agent: None,
            },
        ),
        Event::new(1, t(9, 9, 0), opened(2)),
        Event::new(
            1,
            t(9, 12, 0),
            ComplaintResolved {
                complaint_id: 2,
                root_cause: RootCause::CustomerError,
            },
        ),
        Event::new(1, t(10, 9, 0), ComplaintClosed { complaint_id: 2 }),
        Event::new(
            1,
            t(10, 10, 0),
            ComplaintRated {
                complaint_id: 2,
                rating: 4,
            },
        ),
    ];
    b.record_all(events).unwrap();
    b
}

#[test]
fn view_figures_worked_by_hand() {
    let b = book();
    let v = b.view(1, &ViewOptions::as_of(t(20, 0, 0))).unwrap();
    // Purchases 100.00 + 250.00 + 50.00 = 400.00 gross, 50.00 refunded, 350.00 net;
    // average basket 400.00 / 3 = 133.33.
    assert_eq!(v.purchases.count, 3);
    assert_eq!(v.purchases.gross, 40_000);
    assert_eq!(v.purchases.refunded, 5_000);
    assert_eq!(v.purchases.net, 35_000);
    assert_eq!(v.purchases.refunds, 1);
    assert!((v.purchases.average_basket.unwrap() - 40_000.0 / 3.0).abs() < 1e-9);
    assert_eq!(v.purchases.first, Some(t(1, 10, 0)));
    assert_eq!(v.purchases.last, Some(t(5, 10, 0)));
    // Category b: one purchase of 250.00 beats a: two purchases, 150.00.
    let cats: Vec<(&str, u32, i64)> = v
        .purchases
        .categories
        .iter()
        .map(|c| (c.category.as_str(), c.purchases, c.amount))
        .collect();
    assert_eq!(cats, vec![("b", 1, 25_000), ("a", 2, 15_000)]);
    assert_eq!(v.referrals.made, vec![2]);
    assert_eq!(v.referrals.referred_by, None);
    assert_eq!(v.contributions.count, 2);
    assert_eq!(v.contributions.co_investment, 100_000);
    assert_eq!(v.contributions.cost_sharing, 30_000);
    assert_eq!(v.complaints.total, 2);
    assert_eq!(v.complaints.open.len(), 1);
    let open = &v.complaints.open[0];
    assert_eq!(open.complaint_id, 1);
    assert_eq!(open.first_response_at, Some(t(8, 11, 0)));
    let settled = &v.complaints.settled[0];
    assert_eq!(settled.status, ComplaintStatus::Closed);
    assert_eq!(settled.root_cause, Some(RootCause::CustomerError));
    assert_eq!(settled.rating, Some(4));
    // Web: three purchases; call centre: two complaints opened (inbound).
    let web = v
        .channels
        .iter()
        .find(|c| c.channel == Channel::Web)
        .unwrap();
    assert_eq!((web.purchases, web.inbound), (3, 0));
    let cc = v
        .channels
        .iter()
        .find(|c| c.channel == Channel::CallCentre)
        .unwrap();
    assert_eq!((cc.inbound, cc.last), (2, t(9, 9, 0)));
    // 13 events; the newest is the rating.
    assert_eq!(v.timeline.total, 13);
    assert!(matches!(
        v.timeline.items[0].event.kind,
        EventKind::ComplaintRated(_)
    ));
}

#[test]
fn the_referred_customer_sees_who_referred_them() {
    let b = book();
    let v = b.view(2, &ViewOptions::as_of(t(20, 0, 0))).unwrap();
    assert_eq!(v.referrals.referred_by, Some(1));
    assert_eq!(v.timeline.total, 1);
    assert_eq!(v.purchases.count, 0);
}

#[test]
fn as_of_cuts_history_and_reopens_the_past() {
    let b = book();
    // On 9 March at 10:00 complaint 2 was opened but not yet resolved; the refund (6th) and
    // the two purchases were already there.
    let v = b.view(1, &ViewOptions::as_of(t(9, 10, 0))).unwrap();
    assert_eq!(v.purchases.net, 35_000);
    assert_eq!(v.complaints.open.len(), 2);
    assert!(v.complaints.settled.is_empty());
    // Before anything happened.
    let v = b.view(1, &ViewOptions::as_of(t(1, 0, 0))).unwrap();
    assert_eq!(v.timeline.total, 0);
    assert_eq!(v.purchases.average_basket, None);
}

#[test]
fn timeline_pages_newest_first() {
    let b = book();
    let all = b
        .view(1, &ViewOptions::as_of(t(20, 0, 0)).page(0, 100))
        .unwrap();
    let instants: Vec<_> = all.timeline.items.iter().map(|i| i.event.at).collect();
    let mut sorted = instants.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(instants, sorted);
    let page = b
        .view(1, &ViewOptions::as_of(t(20, 0, 0)).page(10, 5))
        .unwrap();
    // 13 events, skip 10: three remain, the oldest three.
    assert_eq!(page.timeline.items.len(), 3);
    assert_eq!(page.timeline.items[2].event.at, t(1, 10, 0));
    let beyond = b
        .view(1, &ViewOptions::as_of(t(20, 0, 0)).page(50, 5))
        .unwrap();
    assert!(beyond.timeline.items.is_empty());
}

#[test]
fn the_atm_outage_explains_the_missing_cash() {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    b.add_customer(Customer::person(9, "Zeynep", "Demir"))
        .unwrap();
    b.add_customer(Customer::person(10, "Can", "Öz")).unwrap();
    let withdraw = |ch| Interaction {
        channel: ch,
        direction: Direction::Inbound,
        subject: Some("para çekme".into()),
        outcome: Some("para verilmedi".into()),
        agent: None,
    };
    b.record(Event::new(9, t(1, 15, 10), withdraw(Channel::Atm)))
        .unwrap();
    b.record(Event::new(9, t(1, 16, 0), withdraw(Channel::Atm)))
        .unwrap();
    b.record(Event::new(10, t(1, 15, 10), withdraw(Channel::Web)))
        .unwrap();
    b.add_incident(Incident {
        id: 77,
        kind: IncidentKind::ChannelOutage,
        channel: Some(Channel::Atm),
        location: Some("ATM ağı".into()),
        start: t(1, 15, 0),
        end: Some(t(1, 15, 30)),
        description: "30 dakikalık bağlantı sorunu".into(),
    })
    .unwrap();
    let v = b.view(9, &ViewOptions::as_of(t(2, 0, 0))).unwrap();
    assert_eq!(v.incidents.len(), 1);
    assert_eq!(v.incidents[0].id, 77);
    // Newest first: 16:00 is after the outage, 15:10 inside it.
    assert!(v.timeline.items[0].incident_ids.is_empty());
    assert_eq!(v.timeline.items[1].incident_ids, vec![77]);
    // The web customer was not touched by an ATM outage.
    let other = b.view(10, &ViewOptions::as_of(t(2, 0, 0))).unwrap();
    assert!(other.incidents.is_empty());
    // Before the outage began, the view does not know about it.
    let early = b.view(9, &ViewOptions::as_of(t(1, 14, 0))).unwrap();
    assert!(early.incidents.is_empty());
}

#[test]
fn features_worked_by_hand() {
    let b = book();
    let as_of = t(31, 10, 0);
    let f = b.features(as_of);
    assert_eq!(f.customer_id, vec![1, 2, 3]);
    // Last purchase 5 March 10:00 → 26 days before 31 March 10:00.
    assert_eq!(f.recency_days[0], 26.0);
    assert!(f.recency_days[1].is_nan() && f.recency_days[2].is_nan());
    assert_eq!(f.frequency, vec![3, 0, 0]);
    assert_eq!(f.monetary, vec![35_000, 0, 0]);
    // No acquisition dates: tenure runs from the first own event (1 March 10:00) = 30 days;
    // customer 2 has only a referral received, which is not its own event: NaN.
    assert_eq!(f.tenure_days[0], 30.0);
    assert!(f.tenure_days[1].is_nan());
    // Purchases span 4 days, which counts as one month: 3 purchases per month.
    assert_eq!(f.intensity, vec![3.0, 0.0, 0.0]);
    assert_eq!(f.referrals, vec![1, 0, 0]);
    // Customer 2, whom 1 referred, never bought.
    assert_eq!(f.referred_buyers, vec![0, 0, 0]);
    assert_eq!(f.referral_value, vec![0, 0, 0]);
    assert_eq!(f.co_investment, vec![100_000, 0, 0]);
    assert_eq!(f.cost_sharing, vec![30_000, 0, 0]);
    assert_eq!(f.complaints_open, vec![1, 0, 0]);
    assert_eq!(f.complaints_total, vec![2, 0, 0]);
}

#[test]
fn tenure_uses_the_acquisition_date_when_known() {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    let mut c = Customer::person(1, "Ali", "Kaya");
    c.acquired_at = Some(t(1, 0, 0));
    b.add_customer(c).unwrap();
    let f = b.features(t(11, 12, 0));
    assert_eq!(f.tenure_days, vec![10.5]);
    // Not yet acquired at the instant: zero, not negative.
    let mut c = Customer::person(2, "Veli", "Kaya");
    c.acquired_at = Some(t(20, 0, 0));
    b.add_customer(c).unwrap();
    assert_eq!(b.features(t(11, 12, 0)).tenure_days[1], 0.0);
}

/// Records `event` into the sample book, expects it to fail with `kind` and `message`, and
/// checks that the book did not change.
fn rejects(event: Event, kind: ErrorKind, message: &str) {
    let mut b = book();
    let before = b.snapshot();
    let err = b.record(event).unwrap_err();
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(err.to_string(), message);
    assert!(b.snapshot() == before, "a failed record changed the book");
}

#[test]
fn bad_events_are_rejected_with_field_and_value() {
    rejects(
        Event::new(99, t(1, 0, 0), buy(1, "a")),
        ErrorKind::NotFound,
        "unknown customer_id 99",
    );
    rejects(
        Event::new(1, t(1, 0, 0), buy(-500, "a")),
        ErrorKind::InvalidInput,
        "invalid amount -500: a purchase must not be negative (record a refund instead)",
    );
    let mut eur = buy(100, "a");
    eur.currency = "EUR".into();
    rejects(
        Event::new(1, t(1, 0, 0), eur),
        ErrorKind::InvalidInput,
        "invalid currency EUR: the book's currency is TRY",
    );
    rejects(
        Event::new(
            1,
            t(1, 0, 0),
            Refund {
                amount: 0,
                currency: "TRY".into(),
                product: None,
                reason: None,
                channel: None,
            },
        ),
        ErrorKind::InvalidInput,
        "invalid amount 0: a refund must be positive",
    );
    rejects(
        Event::new(1, t(1, 0, 0), Referral { referred: 1 }),
        ErrorKind::InvalidInput,
        "invalid referred 1: a customer cannot refer themselves",
    );
    rejects(
        Event::new(1, t(1, 0, 0), Referral { referred: 42 }),
        ErrorKind::NotFound,
        "unknown referred customer 42",
    );
}

#[test]
fn complaint_events_out_of_order_are_rejected() {
    rejects(
        Event::new(1, t(1, 0, 0), opened(1)),
        ErrorKind::Duplicate,
        "duplicate complaint_id 1: already exists",
    );
    // Complaint 1 was opened on 8 March at 09:00 and answered at 11:00.
    rejects(
        Event::new(
            1,
            t(8, 10, 0),
            ComplaintResolved {
                complaint_id: 1,
                root_cause: RootCause::Billing,
            },
        ),
        ErrorKind::Conflict,
        "at 2025-03-08T10:00:00+00:00 rejected: complaint_resolved for complaint 1 is dated \
         before its previous event at 2025-03-08T11:00:00+00:00",
    );
    rejects(
        Event::new(
            1,
            t(12, 0, 0),
            ComplaintResponded {
                complaint_id: 2,
                agent: None,
            },
        ),
        ErrorKind::Conflict,
        "complaint_id 2 rejected: complaint_responded not allowed: the complaint is closed",
    );
    rejects(
        Event::new(
            1,
            t(12, 0, 0),
            ComplaintResponded {
                complaint_id: 1,
                agent: None,
            },
        ),
        ErrorKind::Conflict,
        "complaint_id 1 rejected: complaint_responded not allowed: the complaint already has a \
         first response",
    );
    rejects(
        Event::new(2, t(12, 0, 0), ComplaintClosed { complaint_id: 1 }),
        ErrorKind::Conflict,
        "complaint_id 1 rejected: the complaint belongs to customer 1, not 2",
    );
    rejects(
        Event::new(
            1,
            t(12, 0, 0),
            ComplaintRated {
                complaint_id: 1,
                rating: 5,
            },
        ),
        ErrorKind::Conflict,
        "complaint_id 1 rejected: complaint_rated not allowed: the complaint is not resolved yet",
    );
    rejects(
        Event::new(
            1,
            t(12, 0, 0),
            ComplaintRated {
                complaint_id: 2,
                rating: 6,
            },
        ),
        ErrorKind::InvalidInput,
        "invalid rating 6: must be 1 to 5",
    );
    rejects(
        Event::new(1, t(12, 0, 0), ComplaintReopened { complaint_id: 2 }),
        ErrorKind::Conflict,
        "complaint_id 2 rejected: complaint_reopened not allowed: only a resolved complaint can \
         be reopened; it is closed",
    );
    rejects(
        Event::new(
            1,
            t(12, 0, 0),
            ComplaintStatusChanged {
                complaint_id: 1,
                status: ComplaintStatus::Resolved,
            },
        ),
        ErrorKind::InvalidInput,
        "invalid status resolved: use the complaint_resolved or complaint_closed event",
    );
    rejects(
        Event::new(1, t(12, 0, 0), ComplaintClosed { complaint_id: 5 }),
        ErrorKind::NotFound,
        "unknown complaint_id 5",
    );
}

#[test]
fn reopen_then_resolve_again() {
    let mut b = book();
    b.record(Event::new(
        1,
        t(12, 0, 0),
        ComplaintResolved {
            complaint_id: 1,
            root_cause: RootCause::Delivery,
        },
    ))
    .unwrap();
    b.record(Event::new(
        1,
        t(13, 0, 0),
        ComplaintReopened { complaint_id: 1 },
    ))
    .unwrap();
    let v = b.view(1, &ViewOptions::as_of(t(14, 0, 0))).unwrap();
    assert_eq!(v.complaints.open[0].reopened, 1);
    assert_eq!(v.complaints.open[0].status, ComplaintStatus::Open);
}

#[test]
fn early_events_follow_the_book_setting() {
    let mut c = Customer::person(1, "Ali", "Kaya");
    c.acquired_at = Some(t(10, 0, 0));
    let early = Event::new(1, t(9, 0, 0), buy(100, "a"));

    let mut strict = CustomerBook::with_currency("TRY").unwrap();
    strict.add_customer(c.clone()).unwrap();
    let err = strict.record(early.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(
        err.to_string(),
        "at 2025-03-09T00:00:00+00:00 rejected: before customer 1 was acquired at \
         2025-03-10T00:00:00+00:00"
    );

    let mut lenient = CustomerBook::new(BookConfig {
        currency: "TRY".into(),
        early_events: EarlyEvents::Accept,
    })
    .unwrap();
    lenient.add_customer(c).unwrap();
    lenient.record(early).unwrap();
    assert_eq!(lenient.event_count(), 1);
}

#[test]
fn customer_checks() {
    let mut b = book();
    let before = b.snapshot();
    let err = b.add_customer(Customer::person(1, "X", "Y")).unwrap_err();
    assert_eq!(err.to_string(), "duplicate customer_id 1: already exists");

    let mut bad = Customer::person(5, "Ali", "Kaya");
    bad.national_id = Some("1234567890X".into());
    let err = b.add_customer(bad).unwrap_err();
    // Personal data is masked: four characters of eleven stay visible.
    assert_eq!(
        err.to_string(),
        "invalid national_id 1234*******: must be 11 digits"
    );
    assert_eq!(err.field(), Some("national_id"));

    // A blank name is refused; no name at all is an anonymous customer (below).
    let blank = Customer {
        id: 60,
        family_name: Some("  ".into()),
        ..Customer::default()
    };
    let err = b.add_customer(blank).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid family_name (blank): person 60 has a blank name; leave it out for a customer without one"
    );
    assert!(!b.contains(60));

    let mut referred = Customer::person(7, "Ali", "Kaya");
    referred.referred_by = Some(7);
    assert_eq!(
        b.add_customer(referred).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let mut referred = Customer::person(7, "Ali", "Kaya");
    referred.referred_by = Some(700);
    assert_eq!(
        b.add_customer(referred).unwrap_err().to_string(),
        "unknown referred_by 700"
    );
    assert!(b.snapshot() == before);
    let nameless = Customer {
        id: 6,
        ..Customer::default()
    };
    b.add_customer(nameless).unwrap();
    assert!(b.contains(6));

    let err = b
        .update_customer(Customer::person(8, "A", "B"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn updating_acquisition_past_an_event_is_a_conflict() {
    let mut b = book();
    let mut c = b.customer(1).unwrap().clone();
    c.acquired_at = Some(t(2, 0, 0));
    let err = b.update_customer(c.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "acquired_at 2025-03-02T00:00:00+00:00 rejected: customer 1 already has an event at \
         2025-03-01T10:00:00+00:00"
    );
    c.acquired_at = Some(t(1, 0, 0));
    c.tags.push("vip".into());
    b.update_customer(c).unwrap();
    assert_eq!(b.customer(1).unwrap().tags, vec!["vip".to_owned()]);
}

#[test]
fn batches_are_all_or_nothing() {
    let mut b = book();
    let before = b.snapshot();
    let err = b
        .record_all(vec![
            Event::new(2, t(11, 0, 0), buy(100, "a")),
            Event::new(2, t(11, 1, 0), opened(30)),
            Event::new(2, t(11, 2, 0), buy(-1, "a")),
        ])
        .unwrap_err();
    assert!(err.to_string().starts_with("event #2: invalid amount -1"));
    assert!(b.snapshot() == before);
    // The complaint opened inside the failed batch was rolled back too.
    b.record(Event::new(2, t(11, 1, 0), opened(30))).unwrap();

    let err = b
        .add_customers(vec![
            Customer::person(20, "A", "B"),
            Customer::person(21, "C", "D"),
            Customer::person(20, "E", "F"),
        ])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "customer #2: duplicate customer_id 20: already exists"
    );
    assert!(!b.contains(20) && !b.contains(21));
}

#[test]
fn incidents_are_checked() {
    let mut b = book();
    let incident = Incident {
        id: 1,
        kind: IncidentKind::SystemOutage,
        channel: None,
        location: None,
        start: t(2, 0, 0),
        end: Some(t(1, 0, 0)),
        description: "ödeme sistemi".into(),
    };
    let err = b.add_incident(incident.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid end 2025-03-01T00:00:00+00:00: before start 2025-03-02T00:00:00+00:00"
    );
    let ongoing = Incident {
        end: None,
        ..incident
    };
    b.add_incident(ongoing.clone()).unwrap();
    assert_eq!(
        b.add_incident(ongoing).unwrap_err().kind(),
        ErrorKind::Duplicate
    );
    // An ongoing incident without a channel touches every event after its start.
    let v = b.view(1, &ViewOptions::as_of(t(20, 0, 0))).unwrap();
    assert_eq!(v.incidents.len(), 1);
}

#[test]
fn snapshots_round_trip_and_check_their_version() {
    let b = book();
    let mut bytes = Vec::new();
    b.save_json(&mut bytes).unwrap();
    let loaded = CustomerBook::load_json(bytes.as_slice()).unwrap();
    assert!(loaded.snapshot() == b.snapshot());

    let mut s = b.snapshot();
    s.format_version = 99;
    let err = CustomerBook::from_snapshot(s).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);

    let err = CustomerBook::load_json(&b"{\"format_version\": 1"[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);

    // A hand-edited snapshot cannot smuggle in a bad event.
    let mut s = b.snapshot();
    if let EventKind::Purchase(p) = &mut s.events[0].kind {
        p.amount = -1;
    }
    let err = CustomerBook::from_snapshot(s).unwrap_err();
    assert!(
        err.to_string().starts_with("event #0: invalid amount -1"),
        "{err}"
    );
}

#[test]
fn a_referrer_added_later_survives_the_round_trip() {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    b.add_customer(Customer::person(1, "A", "B")).unwrap();
    b.add_customer(Customer::person(2, "C", "D")).unwrap();
    let mut first = b.customer(1).unwrap().clone();
    first.referred_by = Some(2);
    b.update_customer(first).unwrap();
    let loaded = CustomerBook::from_snapshot(b.snapshot()).unwrap();
    assert_eq!(loaded.customer(1).unwrap().referred_by, Some(2));
}

#[test]
fn json_forms_are_stable() {
    let e = Event::new(1, t(1, 10, 0), buy(129_900, "elektronik"));
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(
        json,
        r#"{"customer_id":1,"at":"2025-03-01T10:00:00Z","type":"purchase","amount":129900,"currency":"TRY","category":"elektronik","channel":"web"}"#
    );
    let back: Event = serde_json::from_str(&json).unwrap();
    assert_eq!(back, e);
    let c: Customer = serde_json::from_str(
        r#"{"id": 3, "kind": "organisation", "organisation_name": "Kaya A.Ş."}"#,
    )
    .unwrap();
    assert_eq!(c.display_name(), "Kaya A.Ş.");
    assert_eq!(
        serde_json::to_string(&BookConfig::new("TRY")).unwrap(),
        r#"{"currency":"TRY","early_events":"reject"}"#
    );
}

#[test]
fn the_book_can_be_shared_between_threads() {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<CustomerBook>();
}

#[test]
fn stats_count_by_hand() {
    let b = book();
    let s = b.stats();
    // 3 purchases (100 + 250 + 50) − 1 refund of 50 = 350.00; complaint 1 open, 2 closed.
    assert_eq!((s.customers, s.organisations, s.events), (3, 1, 13));
    assert_eq!(s.events_by_type["purchase"], 3);
    assert_eq!(s.events_by_type["complaint_opened"], 2);
    assert_eq!(s.events_by_channel["web"], 3);
    assert_eq!(s.events_by_channel["call_centre"], 2);
    assert_eq!(s.net_revenue, 35_000);
    assert_eq!((s.complaints, s.complaints_open), (2, 1));
}

#[test]
fn sla_state_in_the_view_and_in_batches() {
    // 24×7, high: first response 60, resolution 1440. Complaint 1 opened 8 March 09:00,
    // answered 11:00 (120 minutes: breached at 10:00). As of 8 March 12:00 its resolution has
    // used 180 minutes, 1260 left, due 9 March 09:00.
    let mut b = book();
    let policies = crate::sla::SlaPolicies::from_json(
        r#"{"name": "desk", "targets": {"high": {"first_response": 60, "resolution": 1440}}}"#,
    )
    .unwrap();
    let at = t(8, 12, 0);
    assert!(
        b.view(1, &ViewOptions::as_of(at)).unwrap().complaints.open[0]
            .sla
            .is_none()
    );
    b.set_sla_policies(Some(policies.clone()));
    let v = b.view(1, &ViewOptions::as_of(at)).unwrap();
    let sla = v.complaints.open[0].sla.as_ref().unwrap();
    let fr = sla.first_response.unwrap();
    assert_eq!(
        (fr.state, fr.breached_at),
        (crate::sla::SlaState::Breached, Some(t(8, 10, 0)))
    );
    let res = sla.resolution.unwrap();
    assert_eq!(
        (res.used_minutes, res.left_minutes, res.due_at),
        (180.0, 1260.0, Some(t(9, 9, 0)))
    );
    assert_eq!(sla.channel, Some(Channel::CallCentre));
    assert_eq!(sla.category.as_deref(), Some("geç teslimat"));

    // In batch as of 20 March: complaint 1 is still open; complaint 2 (opened 9 March 09:00,
    // resolved 12:00 without a response) breached its first response at 10:00.
    let open = b.evaluate_sla(&policies, t(20, 0, 0), true).unwrap();
    assert_eq!(
        open.iter().map(|s| s.complaint_id).collect::<Vec<_>>(),
        vec![1]
    );
    let all = b.evaluate_sla(&policies, t(20, 0, 0), false).unwrap();
    assert_eq!(all.len(), 2);
    let two = all.iter().find(|s| s.complaint_id == 2).unwrap();
    assert_eq!(two.first_response.unwrap().breached_at, Some(t(9, 10, 0)));
    assert_eq!(two.resolution.unwrap().state, crate::sla::SlaState::Met);
    assert_eq!(two.root_cause, Some(RootCause::CustomerError));
}

#[test]
fn new_complaint_events_are_checked_against_the_complaint() {
    let mut b = book();
    let msg = |d| ComplaintMessage {
        complaint_id: 2,
        direction: d,
    };
    // Complaint 2 is closed: no messages, no priority change.
    let err = b
        .record(Event::new(1, t(11, 9, 0), msg(Direction::Inbound)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let raise = |id| ComplaintPriorityChanged {
        complaint_id: id,
        priority: Priority::Critical,
    };
    assert!(b.record(Event::new(1, t(11, 9, 0), raise(2))).is_err());
    // Complaint 1 is open: both are taken, and the view follows the new priority.
    b.record(Event::new(1, t(11, 9, 0), raise(1))).unwrap();
    b.record(Event::new(
        1,
        t(11, 9, 5),
        ComplaintMessage {
            complaint_id: 1,
            direction: Direction::Inbound,
        },
    ))
    .unwrap();
    b.record(Event::new(
        1,
        t(11, 9, 6),
        Churned {
            reason: Some(ChurnReason::Competition),
        },
    ))
    .unwrap();
    let v = b.view(1, &ViewOptions::as_of(t(12, 0, 0))).unwrap();
    assert_eq!(v.complaints.open[0].priority, Priority::Critical);
    let stats = b.stats();
    assert_eq!(stats.events_by_type["complaint_priority_changed"], 1);
    assert_eq!(stats.events_by_type["churned"], 1);
    // Snapshots carry them.
    let again = CustomerBook::from_snapshot(b.snapshot()).unwrap();
    assert_eq!(again.event_count(), b.event_count());
}

#[test]
fn merging_moves_every_event_and_old_ids_resolve() {
    // Customer 2 (referred by 1 in the fixture) is folded into customer 3.
    let mut b = book();
    b.record(Event::new(2, t(12, 9, 0), buy(7_000, "c")))
        .unwrap();
    b.record(Event::new(3, t(12, 10, 0), buy(3_000, "c")))
        .unwrap();
    let before_events = b.event_count();
    let events_of_2 = b.events_of(2).unwrap().count();
    let events_of_3 = b.events_of(3).unwrap().count();
    let at = t(20, 0, 0);
    let m = b.merge(3, &[2], None, at).unwrap();
    assert_eq!(
        (m.survivor, m.merged.clone(), m.events_moved),
        (3, vec![2], 1)
    );
    assert_eq!(b.len(), 2);
    assert_eq!(b.event_count(), before_events, "no event is lost");
    // The referral of 2 by 1 now points at 3 and is listed under both 1 and 3.
    let under_3: Vec<Event> = b.events_of(3).unwrap().collect();
    assert_eq!(under_3.len(), events_of_2 + events_of_3);
    assert!(under_3.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(
        under_3
            .iter()
            .any(|e| matches!(e.kind, EventKind::Referral(Referral { referred: 3 })))
    );
    assert_eq!(b.resolve(2), Some(3));
    assert_eq!(b.resolve(99), None);
    // Viewing or recording by the old id reaches the survivor.
    assert_eq!(b.view(2, &ViewOptions::as_of(at)).unwrap().profile.id, 3);
    b.record(Event::new(2, t(21, 0, 0), buy(1_000, "c")))
        .unwrap();
    assert_eq!(b.events_of(3).unwrap().count(), under_3.len() + 1);
    assert_eq!(b.merges().len(), 1);
    // Snapshots keep the merge and the redirect.
    let again = CustomerBook::from_snapshot(b.snapshot()).unwrap();
    assert_eq!(again.resolve(2), Some(3));
    assert_eq!(again.snapshot(), b.snapshot());
}

#[test]
fn refused_merges_change_nothing() {
    let mut b = book();
    let before = b.snapshot();
    let at = t(20, 0, 0);
    assert_eq!(
        b.merge(3, &[], None, at).unwrap_err().field(),
        Some("merged")
    );
    assert_eq!(
        b.merge(3, &[3], None, at).unwrap_err().field(),
        Some("merged")
    );
    assert_eq!(
        b.merge(3, &[9], None, at).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // 1 referred 2: merging them would make 1 refer itself.
    assert_eq!(
        b.merge(1, &[2], None, at).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    let wrong = Customer::person(7, "X", "Y");
    assert_eq!(
        b.merge(3, &[2], Some(wrong), at).unwrap_err().field(),
        Some("profile.id")
    );
    assert_eq!(b.snapshot(), before);
}

fn round_trip(b: &CustomerBook) -> CustomerBook {
    let mut bytes = Vec::new();
    b.save_json(&mut bytes).unwrap();
    let loaded = CustomerBook::load_json(bytes.as_slice()).unwrap();
    assert_eq!(loaded.snapshot(), b.snapshot());
    loaded
}

/// Customers 1 to `n`, each with one purchase on day `id`.
fn plain(n: u64) -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    for id in 1..=n {
        b.add_customer(Customer::person(id, "Ad", "Soyad")).unwrap();
        b.record(Event::new(id, t(id as u32, 9, 0), buy(1_000, "a")))
            .unwrap();
    }
    b
}

#[test]
fn merge_chains_collapse_to_the_final_survivor() {
    let mut b = plain(3);
    b.merge(2, &[1], None, t(20, 0, 0)).unwrap();
    b.merge(3, &[2], None, t(21, 0, 0)).unwrap();
    let loaded = round_trip(&b);
    for x in [&b, &loaded] {
        assert_eq!(
            (x.resolve(1), x.resolve(2), x.resolve(3)),
            (Some(3), Some(3), Some(3))
        );
        assert_eq!(x.len(), 1);
        assert_eq!(x.events_of(1).unwrap().count(), 3);
    }
    // Through an id merged away: 1 stands for 2, which is folded into 4.
    let mut b = plain(4);
    b.merge(2, &[1], None, t(20, 0, 0)).unwrap();
    let m = b.merge(4, &[1], None, t(21, 0, 0)).unwrap();
    assert_eq!(
        (m.survivor, m.merged.clone(), m.events_moved),
        (4, vec![2], 2)
    );
    assert_eq!(
        (b.resolve(1), b.resolve(2), b.resolve(3)),
        (Some(4), Some(4), Some(3))
    );
    // A merged id as the survivor means its survivor.
    let m = b.merge(1, &[3], None, t(22, 0, 0)).unwrap();
    assert_eq!((m.survivor, m.merged), (4, vec![3]));
    let before = b.snapshot();
    let err = b.merge(4, &[2], None, t(23, 0, 0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid merged 2: the survivor 4 cannot be merged into itself"
    );
    assert_eq!(b.snapshot(), before);
    let loaded = round_trip(&b);
    assert_eq!((loaded.resolve(1), loaded.resolve(3)), (Some(4), Some(4)));
    assert_eq!(loaded.events_of(4).unwrap().count(), 4);
}

#[test]
fn merged_ids_stay_reserved() {
    let mut b = book();
    b.merge(3, &[2], None, t(20, 0, 0)).unwrap();
    let before = b.snapshot();
    let err = b
        .add_customer(Customer::person(2, "Yeni", "Kişi"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Duplicate);
    assert_eq!(err.field(), Some("customer_id"));
    assert_eq!(
        err.to_string(),
        "duplicate customer_id 2: it was merged into customer 3 and stays reserved (it resolves to 3)"
    );
    let err = b
        .add_customers([Customer::person(8, "A", "B"), Customer::person(2, "C", "D")])
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("customer #1: duplicate customer_id 2"),
        "{err}"
    );
    // Updating by a merged id would rename the survivor: refused, naming the survivor.
    let err = b
        .update_customer(Customer::person(2, "C", "D"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "customer_id 2 rejected: was merged into customer 3; update that customer"
    );
    assert_eq!(b.snapshot(), before);
    assert_eq!(b.resolve(2), Some(3));
    // A referrer named by its old id is its survivor.
    let mut c = Customer::person(9, "Deniz", "Ak");
    c.referred_by = Some(2);
    b.add_customer(c).unwrap();
    assert_eq!(b.customer(9).unwrap().referred_by, Some(3));
    round_trip(&b);
}

#[test]
fn merges_re_point_referrals_and_take_the_earliest_acquisition() {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    let mut early = Customer::person(1, "Ece", "Ak");
    early.acquired_at = Some(t(2, 0, 0));
    let mut late = Customer::person(2, "Ece", "Ak");
    late.acquired_at = Some(t(10, 0, 0));
    let mut friend = Customer::person(3, "Ali", "Tan");
    friend.referred_by = Some(1);
    b.add_customers([early, late, friend]).unwrap();
    b.record(Event::new(1, t(3, 9, 0), buy(1_000, "a")))
        .unwrap();
    b.record(Event::new(1, t(4, 9, 0), Referral { referred: 3 }))
        .unwrap();
    b.record(Event::new(2, t(11, 9, 0), buy(2_000, "a")))
        .unwrap();
    // 2 survives; 1's purchase on the 3rd moves under it, so 2 is acquired on the 2nd.
    let m = b.merge(2, &[1], None, t(20, 0, 0)).unwrap();
    assert_eq!(m.events_moved, 2);
    assert_eq!(b.customer(2).unwrap().acquired_at, Some(t(2, 0, 0)));
    assert_eq!(b.customer(3).unwrap().referred_by, Some(2));
    let referral = b
        .events_of(3)
        .unwrap()
        .find(|e| matches!(e.kind, EventKind::Referral(_)));
    assert_eq!(referral.unwrap().customer_id, 2);
    let loaded = round_trip(&b);
    assert_eq!(loaded.customer(3).unwrap().referred_by, Some(2));

    // A record without a date does not hide an earlier event: the first event bounds it.
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    let mut dated = Customer::person(1, "Ece", "Ak");
    dated.acquired_at = Some(t(10, 0, 0));
    b.add_customers([dated, Customer::person(2, "Ece", "Ak")])
        .unwrap();
    b.record(Event::new(2, t(5, 9, 0), buy(1_000, "a")))
        .unwrap();
    b.merge(1, &[2], None, t(20, 0, 0)).unwrap();
    assert_eq!(b.customer(1).unwrap().acquired_at, Some(t(5, 9, 0)));
    round_trip(&b);
}

#[test]
fn merge_duplicates_keeps_the_invariants() {
    // The golden record of a cluster whose later record bought first: the purchase moves
    // under the survivor, whose acquisition becomes the cluster's earliest.
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    let mut a = Customer::person(1, "Zeynep", "Kaya");
    a.acquired_at = Some(t(15, 0, 0));
    let mut c = Customer::person(2, "Zeynep", "Kaya");
    c.acquired_at = Some(t(1, 0, 0));
    b.add_customers([a, c, Customer::person(3, "Ali", "Tan")])
        .unwrap();
    b.record(Event::new(2, t(2, 9, 0), buy(4_000, "a")))
        .unwrap();
    let rules = crate::quality::GoldenRules::default();
    let today = t(20, 0, 0).date_naive();
    // The second cluster names 1 again: it stands for its survivor, so 3 joins 1.
    let (done, skipped) = b
        .merge_duplicates(&[vec![1, 2], vec![2, 3]], &rules, today, t(20, 0, 0))
        .unwrap();
    assert!(skipped.is_empty());
    assert_eq!(done.len(), 2);
    assert_eq!((done[1].survivor, done[1].merged.clone()), (1, vec![3]));
    assert_eq!(b.customer(1).unwrap().acquired_at, Some(t(1, 0, 0)));
    assert_eq!((b.resolve(2), b.resolve(3), b.len()), (Some(1), Some(1), 1));
    round_trip(&b);
    // An unknown id refuses the whole call.
    let before = b.snapshot();
    let err = b
        .merge_duplicates(&[vec![1, 77]], &rules, today, t(21, 0, 0))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(b.snapshot(), before);
}

#[test]
fn the_loader_checks_the_merge_records() {
    let mut b = book();
    b.merge(3, &[2], None, t(20, 0, 0)).unwrap();
    let mut s = b.snapshot();
    // The survivor of a merge must have been live, not merged away earlier.
    s.merges.push(MergeRecord {
        survivor: 2,
        merged: vec![1],
        at: t(21, 0, 0),
        events_moved: 0,
    });
    s.customers.retain(|c| c.id != 1);
    s.events
        .retain(|e| e.customer_id != 1 && !matches!(e.kind, EventKind::Referral(_)));
    let err = CustomerBook::from_snapshot(s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "merge #1: survivor 2 rejected: was merged into 3 by an earlier merge"
    );
    // A merged id that is still a customer.
    let mut s = b.snapshot();
    s.merges[0].merged.push(1);
    let err = CustomerBook::from_snapshot(s).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    // A survivor that is no customer.
    let mut s = b.snapshot();
    s.merges[0].survivor = 42;
    let err = CustomerBook::from_snapshot(s).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.field(), Some("survivor"));
}

mod merge_properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Merges lose no event: every event survives, under the survivor when its owner
        /// was merged, and every old id resolves.
        #[test]
        fn merges_lose_no_event(
            purchases in prop::collection::vec((0u64..6, 1u32..28, 1i64..10_000), 0..40),
            survivor in 0u64..6,
            merged in prop::collection::btree_set(0u64..6, 1..4),
        ) {
            let mut b = CustomerBook::with_currency("TRY").unwrap();
            for id in 0..6 {
                b.add_customer(Customer::person(id, "Ad", "Soyad")).unwrap();
            }
            for (id, day, amount) in &purchases {
                b.record(Event::new(*id, t(*day, 10, 0), buy(*amount, "a"))).unwrap();
            }
            let merged: Vec<u64> = merged.into_iter().filter(|&m| m != survivor).collect();
            prop_assume!(!merged.is_empty());
            let before: Vec<Event> = b.events().collect();
            b.merge(survivor, &merged, None, t(28, 0, 0)).unwrap();
            let mut expected: Vec<Event> = before
                .into_iter()
                .map(|mut e| {
                    if merged.contains(&e.customer_id) {
                        e.customer_id = survivor;
                    }
                    e
                })
                .collect();
            let mut after: Vec<Event> = b.events().collect();
            let key = |e: &Event| (e.customer_id, e.at, format!("{:?}", e.kind));
            expected.sort_by_key(key);
            after.sort_by_key(key);
            prop_assert_eq!(after, expected);
            for m in &merged {
                prop_assert_eq!(b.resolve(*m), Some(survivor));
            }
            let total: usize = b.customers().map(|c| b.events_of(c.id).unwrap().count()).sum();
            prop_assert_eq!(total, b.event_count());
        }
    }
}

#[test]
fn dedupe_finds_then_merges_and_serialises_one_shape() {
    let mut b = CustomerBook::new(BookConfig::new("TRY")).unwrap();
    for (id, phone) in [
        (1, "0532 123 45 67"),
        (2, "+90 532 123 4567"),
        (3, "0533 765 43 21"),
    ] {
        let mut c = Customer::person(id, "Ayşe", if id == 3 { "Demir" } else { "Kaya" });
        c.national_id = (id != 3).then(|| "10000000146".to_owned());
        c.phones = vec![phone.into()];
        b.add_customer(c).unwrap();
    }
    let config = crate::quality::DedupConfig::default();
    let rules = crate::quality::GoldenRules::default();
    let at = t(10, 12, 0);
    let found = b.dedupe(&config, &rules, at, false).unwrap();
    assert_eq!(
        serde_json::to_value(&found).unwrap(),
        serde_json::json!({"clusters": [[1, 2]]})
    );
    assert_eq!(b.len(), 3);
    let done = b.dedupe(&config, &rules, at, true).unwrap();
    assert_eq!(
        serde_json::to_value(&done).unwrap(),
        serde_json::json!({
            "clusters": [[1, 2]],
            "merges": [{"survivor": 1, "merged": [2], "at": at, "events_moved": 0}],
            "skipped": [],
        })
    );
    assert_eq!((b.len(), b.resolve(2)), (2, Some(1)));
    // Nothing left to find.
    let again = b.dedupe(&config, &rules, at, true).unwrap();
    assert!(again.clusters.is_empty() && again.merges == Some(vec![]));
}

#[test]
fn the_segmentation_summary_carries_the_columns_and_the_totals() {
    let mut b = book();
    let as_of = t(20, 0, 0);
    let s = b.analyse(as_of, &SegmentationConfig::default()).unwrap();
    let sum = s.summary();
    assert_eq!(sum.as_of, as_of);
    assert_eq!(sum.customer_id, s.features.customer_id);
    assert_eq!(sum.score, s.scores.score);
    for row in 0..sum.customer_id.len() {
        assert_eq!(Some(sum.tier[row].as_str()), s.pyramid.tier_name(row));
        assert_eq!(sum.segment[row].as_deref(), s.rfm.segment_name(row));
    }
    assert_eq!(sum.pyramid, s.pyramid.summary);
    assert_eq!(sum.abc, s.abc);
    let json = serde_json::to_value(&sum).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "abc",
            "as_of",
            "customer_id",
            "pareto",
            "pyramid",
            "rfm_report",
            "rfm_score",
            "score",
            "segment",
            "strategies",
            "tier"
        ]
    );
}

#[test]
fn every_single_digit_change_is_caught() {
    let mut b = book();
    b.merge(3, &[2], None, t(20, 0, 0)).unwrap();
    let mut bytes = Vec::new();
    b.save_json(&mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.ends_with(&format!("\"checksum\":\"{}\"}}", checksum_of(&text))));
    let mut flips = 0;
    for (i, c) in text.char_indices().filter(|(_, c)| c.is_ascii_digit()) {
        let d = c.to_digit(10).unwrap();
        for to in (0..10).filter(|&to| to != d) {
            let mut damaged = text.clone();
            damaged.replace_range(i..=i, &to.to_string());
            assert!(
                CustomerBook::load_json(damaged.as_bytes()).is_err(),
                "digit {i} changed from {d} to {to} loaded"
            );
            flips += 1;
        }
    }
    assert!(flips > 2_000, "{flips}");
}

/// The checksum field's value in a saved snapshot.
fn checksum_of(text: &str) -> &str {
    let start = text.rfind("\"checksum\":\"").unwrap() + "\"checksum\":\"".len();
    &text[start..start + "crc32:".len() + 8]
}

#[test]
fn snapshots_without_a_checksum_still_load() {
    let b = book();
    let plain = serde_json::to_string(&b.snapshot()).unwrap();
    assert!(!plain.contains("checksum"));
    let loaded = CustomerBook::load_json(plain.as_bytes()).unwrap();
    assert_eq!(loaded.snapshot(), b.snapshot());
    // Re-indented text keeps its checksum: it covers values, not spacing.
    let mut bytes = Vec::new();
    b.save_json(&mut bytes).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert_eq!(
        CustomerBook::load_json(pretty.as_bytes())
            .unwrap()
            .snapshot(),
        b.snapshot()
    );
    // A wrong checksum is named.
    let sum = checksum_of(std::str::from_utf8(&bytes).unwrap()).to_owned();
    let text = String::from_utf8(bytes)
        .unwrap()
        .replace(&sum, "crc32:00000000");
    let err = CustomerBook::load_json(text.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "could not parse the book snapshot: checksum \"crc32:00000000\" does not match the \
             content ({sum}); the snapshot is damaged or was edited"
        )
    );
}

#[test]
fn save_reports_every_write_error() {
    /// Takes `room` bytes, then fails; or fails only when flushed.
    struct Full {
        room: usize,
        fail_flush: bool,
    }
    impl std::io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::other("disk full"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            if self.fail_flush {
                return Err(std::io::Error::other("flush failed"));
            }
            Ok(())
        }
    }
    let b = book();
    for (room, fail_flush, msg) in [
        (0, false, "could not write the snapshot: disk full"),
        (100, false, "could not write the snapshot: disk full"),
        (
            usize::MAX,
            true,
            "could not write the snapshot: flush failed",
        ),
    ] {
        let err = b.save_json(Full { room, fail_flush }).unwrap_err();
        assert_eq!((err.kind(), err.to_string().as_str()), (ErrorKind::Io, msg));
    }
    assert!(
        b.save_json(Full {
            room: usize::MAX,
            fail_flush: false
        })
        .is_ok()
    );
}
