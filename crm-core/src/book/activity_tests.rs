//! Activity events in the book: checked in order, shown with their overdue time, carried by
//! merges, and round-tripped.

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::ErrorKind;
use crate::model::*;

fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, day, hour, 0, 0).unwrap()
}

fn scheduled(id: &str, due: DateTime<Utc>) -> ActivityScheduled {
    ActivityScheduled {
        activity_id: id.into(),
        activity: ActivityType::Call,
        owner: "zeynep".into(),
        due,
        note: Some("asked about the tariff".into()),
    }
}

fn done(id: &str) -> ActivityDone {
    ActivityDone {
        activity_id: id.into(),
        outcome: Some("renewed".into()),
    }
}

fn cancelled(id: &str) -> ActivityCancelled {
    ActivityCancelled {
        activity_id: id.into(),
        reason: None,
    }
}

/// Customer 1: A-1 due 4 March 12:00 (open), A-2 due 5 March 09:00 (open), A-3 done,
/// A-4 cancelled. Customer 2: B-1 due 6 March 09:00 (open).
fn activity_book() -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    b.add_customer(Customer::person(1, "Ayşe", "Yılmaz"))
        .unwrap();
    b.add_customer(Customer::person(2, "Mehmet", "Öztürk"))
        .unwrap();
    b.record_all([
        Event::new(1, t(3, 9), scheduled("A-1", t(4, 12))),
        Event::new(1, t(3, 9), scheduled("A-2", t(5, 9))),
        Event::new(1, t(3, 10), scheduled("A-3", t(3, 17))),
        Event::new(1, t(3, 11), done("A-3")),
        Event::new(1, t(3, 12), scheduled("A-4", t(3, 17))),
        Event::new(1, t(3, 13), cancelled("A-4")),
        Event::new(2, t(3, 9), scheduled("B-1", t(6, 9))),
    ])
    .unwrap();
    b
}

#[test]
fn open_and_overdue_activities_show_in_the_view() {
    let b = activity_book();
    // On 5 March 10:00: A-1 is 22 h overdue (4 March 12:00 → 5 March 10:00 = 79 200 s),
    // A-2 one hour (3 600 s).
    let view = b.view(1, &ViewOptions::as_of(t(5, 10))).unwrap();
    let a = &view.activities;
    assert_eq!((a.open.len(), a.overdue, a.done, a.cancelled), (2, 2, 1, 1));
    assert_eq!(a.open[0].activity_id, "A-1");
    assert_eq!(a.open[0].owner, "zeynep");
    assert_eq!(a.open[0].scheduled_at, t(3, 9));
    assert_eq!(a.open[0].overdue_by_seconds, Some(79_200));
    assert_eq!(a.open[1].overdue_by_seconds, Some(3_600));
    // On 4 March 09:00 nothing is overdue yet.
    let early = b.view(1, &ViewOptions::as_of(t(4, 9))).unwrap();
    assert_eq!(early.activities.overdue, 0);
    assert!(
        early
            .activities
            .open
            .iter()
            .all(|s| s.overdue_by_seconds.is_none())
    );
    // Before A-3 was done (3 March 10:30) it is open too: the view counts events to its instant.
    let then = b
        .view(
            1,
            &ViewOptions::as_of(t(3, 10) + chrono::Duration::minutes(30)),
        )
        .unwrap();
    assert_eq!(then.activities.open.len(), 3);
    assert_eq!(then.activities.done, 0);
    assert_eq!(b.stats().events_by_type["activity_scheduled"], 5);
    assert_eq!(b.stats().events_by_type["activity_done"], 1);
    assert_eq!(b.stats().events_by_type["activity_cancelled"], 1);
    // Activities are no contact on a channel.
    assert!(view.channels.is_empty());
}

#[test]
fn activity_events_round_trip_through_json_and_snapshots() {
    let b = activity_book();
    let e = Event::new(1, t(3, 9), scheduled("A-1", t(4, 12)));
    let text = serde_json::to_string(&e).unwrap();
    assert_eq!(
        text,
        r#"{"customer_id":1,"at":"2025-03-03T09:00:00Z","type":"activity_scheduled","activity_id":"A-1","activity":"call","owner":"zeynep","due":"2025-03-04T12:00:00Z","note":"asked about the tariff"}"#
    );
    let back: Event = crate::json::parse("the event", &text).unwrap();
    assert_eq!(back, e);
    let bare: Event = crate::json::parse(
        "the event",
        r#"{"customer_id":1,"at":"2025-03-04T10:00:00Z","type":"activity_cancelled","activity_id":"A-1"}"#,
    )
    .unwrap();
    assert_eq!(bare.kind, cancelled("A-1").into());
    let text = serde_json::to_string(&Event::new(1, t(4, 1), done("A-1"))).unwrap();
    assert_eq!(
        text,
        r#"{"customer_id":1,"at":"2025-03-04T01:00:00Z","type":"activity_done","activity_id":"A-1","outcome":"renewed"}"#
    );
    // Sub-second due instants survive the compact store.
    let mut c = b.clone();
    let fine = t(7, 9) + chrono::Duration::nanoseconds(123_456_789);
    c.record(Event::new(2, t(3, 9), scheduled("B-2", fine)))
        .unwrap();
    let mut bytes = Vec::new();
    c.save_json(&mut bytes).unwrap();
    let loaded = CustomerBook::load_json(bytes.as_slice()).unwrap();
    assert!(loaded.snapshot() == c.snapshot());
    assert_eq!(
        loaded.events().collect::<Vec<_>>(),
        c.events().collect::<Vec<_>>()
    );
    let unknown: std::result::Result<Event, _> = crate::json::parse(
        "the event",
        r#"{"customer_id":1,"at":"2025-03-01T09:00:00Z","type":"activity_scheduled","activity_id":"x","activity":"fax","owner":"o","due":"2025-03-02T09:00:00Z"}"#,
    );
    let err = unknown.unwrap_err().to_string();
    assert!(err.contains("expected one of `call`"), "{err}");
}

#[test]
fn bad_activity_events_are_refused_whole() {
    let mut b = activity_book();
    let before = b.snapshot();
    let cases: [(EventKind, ErrorKind, &str, &str); 8] = [
        (
            done("A-9").into(),
            ErrorKind::Conflict,
            "activity_id",
            "no open activity",
        ),
        (
            done("A-3").into(),
            ErrorKind::Conflict,
            "activity_id",
            "activity_id A-3",
        ),
        (
            cancelled("A-4").into(),
            ErrorKind::Conflict,
            "activity_id",
            "A-4",
        ),
        // B-1 belongs to customer 2.
        (
            done("B-1").into(),
            ErrorKind::Conflict,
            "activity_id",
            "customer 1",
        ),
        (
            scheduled("A-1", t(9, 9)).into(),
            ErrorKind::Duplicate,
            "activity_id",
            "A-1",
        ),
        (
            scheduled("A-5", t(4, 9)).into(),
            ErrorKind::InvalidInput,
            "due",
            "before the scheduling instant 2025-03-04T10:00:00+00:00",
        ),
        (
            scheduled("A-5", Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap()).into(),
            ErrorKind::InvalidInput,
            "due",
            "2261",
        ),
        (
            ActivityScheduled {
                owner: String::new(),
                ..scheduled("A-5", t(9, 9))
            }
            .into(),
            ErrorKind::InvalidInput,
            "owner",
            "0 characters",
        ),
    ];
    for (kind, error, field, shown) in cases {
        let err = b
            .record_all([
                Event::new(1, t(4, 10), done("A-2")),
                Event::new(1, t(4, 10), kind),
            ])
            .unwrap_err();
        assert_eq!(err.kind(), error, "{err}");
        assert_eq!(err.field(), Some(field), "{err}");
        assert!(err.to_string().contains(shown), "{err}");
        assert!(b.snapshot() == before, "a refused batch changed the book");
    }
    // Done before it was scheduled.
    let err = b.record(Event::new(1, t(3, 8), done("A-1"))).unwrap_err();
    assert_eq!(err.field(), Some("at"), "{err}");
    // Done twice in one batch: the second is refused, and the first with it.
    let err = b
        .record_all([
            Event::new(1, t(4, 10), done("A-1")),
            Event::new(1, t(4, 11), cancelled("A-1")),
        ])
        .unwrap_err();
    assert_eq!(err.field(), Some("activity_id"), "{err}");
    assert!(b.snapshot() == before);
    // A finished id may be scheduled again.
    b.record(Event::new(1, t(4, 10), scheduled("A-3", t(5, 9))))
        .unwrap();
}

#[test]
fn merges_carry_open_activities() {
    let mut b = activity_book();
    b.merge(1, &[2], None, t(4, 0)).unwrap();
    let view = b.view(1, &ViewOptions::as_of(t(5, 10))).unwrap();
    let ids: Vec<&str> = view
        .activities
        .open
        .iter()
        .map(|a| a.activity_id.as_str())
        .collect();
    assert_eq!(ids, ["A-1", "A-2", "B-1"]);
    // The merged customer's activity is finished through the survivor (or its old id).
    b.record(Event::new(2, t(5, 11), done("B-1"))).unwrap();
    let view = b.view(1, &ViewOptions::as_of(t(5, 12))).unwrap();
    assert_eq!(view.activities.open.len(), 2);
}

fn call(direction: Direction) -> Interaction {
    Interaction {
        channel: Channel::Phone,
        direction,
        subject: None,
        outcome: None,
        agent: None,
    }
}

/// Customer 1: outbound call 1 March 09:00, inbound calls 2 and 3 March, a complaint opened
/// 2 March 09:00 never answered (first response target 60 min: breached at 10:00), A-1
/// overdue and A-2 not yet. Customer 2: a campaign e-mail sent 4 March 09:00, then one inbound
/// call on 5 March. Customer 3: never contacted, one inbound call.
fn contact_book() -> CustomerBook {
    let mut b = activity_book();
    b.add_customer(Customer::person(3, "Can", "Öz")).unwrap();
    b.record_all([
        Event::new(1, t(1, 9), call(Direction::Outbound)),
        Event::new(1, t(2, 9), call(Direction::Inbound)),
        Event::new(
            1,
            t(2, 9),
            ComplaintOpened {
                complaint_id: 7,
                priority: Priority::Medium,
                category: None,
                channel: None,
                description: None,
            },
        ),
        Event::new(1, t(3, 9), call(Direction::Inbound)),
        Event::new(
            2,
            t(4, 9),
            CampaignEvent {
                campaign_id: "bahar".into(),
                step: CampaignStep::Sent,
                channel: Some(Channel::Email),
                cost: 0,
            },
        ),
        Event::new(2, t(5, 9), call(Direction::Inbound)),
        Event::new(3, t(2, 9), call(Direction::Inbound)),
    ])
    .unwrap();
    b
}

#[test]
fn contact_features_worked_by_hand() {
    let b = contact_book();
    let sla = crate::sla::SlaPolicies::from_json(
        r#"{"name": "standard", "targets": {"normal": {"first_response": 60}}}"#,
    )
    .unwrap();
    // As of 5 March 10:00 (activities as in open_and_overdue_activities_show_in_the_view):
    // 1: last outbound 1 March 09:00 → 4 days 1 hour = 4.041 666… days; 2 inbound since;
    //    complaint 7 breached; A-1 and A-2 overdue (due 4 March 12:00 and 5 March 09:00).
    // 2: sent 4 March 09:00 → 1.041 666… days; 1 inbound since; B-1 due 6 March: not overdue.
    // 3: never contacted (NaN); its 1 inbound call is unanswered.
    let f = b.contact_features(t(5, 10), Some(&sla)).unwrap();
    assert_eq!(f.customer_id, [1, 2, 3]);
    assert!((f.days_since_contact[0] - (4.0 + 1.0 / 24.0)).abs() < 1e-9);
    assert!((f.days_since_contact[1] - (1.0 + 1.0 / 24.0)).abs() < 1e-9);
    assert!(f.days_since_contact[2].is_nan());
    assert_eq!(f.unanswered_inbound, [2, 1, 1]);
    assert_eq!(f.complaints_breached, [1, 0, 0]);
    assert_eq!(f.activities_overdue, [2, 0, 0]);
    // Without policies nothing counts as breached; before the target ran out neither.
    let f = b.contact_features(t(5, 10), None).unwrap();
    assert_eq!(f.complaints_breached, [0, 0, 0]);
    let early = t(2, 9) + chrono::Duration::minutes(30);
    let f = b.contact_features(early, Some(&sla)).unwrap();
    assert_eq!(f.complaints_breached, [0, 0, 0]);
    assert_eq!(f.unanswered_inbound, [1, 0, 1]);
    // The same columns are audience fields.
    let rule = crate::audience::Audience::from_json(
        r#"{"all": [{"field": "unanswered_inbound", "gte": 1}, {"field": "activities_overdue", "gt": 0}]}"#,
    )
    .unwrap();
    let picked = b
        .select_audience(&rule, &crate::audience::SelectOptions::new(t(5, 10), None))
        .unwrap();
    let ids: Vec<u64> = picked
        .customer_id
        .iter()
        .zip(&picked.included)
        .filter(|&(_, &inc)| inc)
        .map(|(&id, _)| id)
        .collect();
    assert_eq!(ids, [1]);
}

fn purchase(amount: i64) -> Purchase {
    Purchase {
        amount,
        currency: "TRY".into(),
        product: None,
        category: None,
        channel: None,
    }
}

/// The contact book with one purchase each for customers 1 (10 000) and 2 (20 000) on
/// 1 March 08:00, ranked on 5 March 10:00 without the CLV model, neglect after 2 days at any
/// score. Both customers are New (first purchase 4 days ago): 10% of net revenue at risk.
/// - 1: 1000; 4.041 666… days since contact, 2.041 666… beyond 2 → 1.020 833…; 2
///   unanswered (+1.0); 2 overdue activities (+0.5): factor 3.520 833…, priority 3520.833….
/// - 2: 2000; 1.04 days (inside the rule); 1 unanswered (+0.5): factor 1.5, priority 3000.
/// - 3: prospect, nothing at risk: left out.
#[test]
fn the_book_worklist_worked_by_hand() {
    let mut b = contact_book();
    b.record_all([
        Event::new(1, t(1, 8), purchase(10_000)),
        Event::new(2, t(1, 8), purchase(20_000)),
    ])
    .unwrap();
    let options = crate::worklist::WorklistOptions::from_json(
        r#"{"at": "2025-03-05T10:00:00Z", "use_clv": false,
            "lifecycle": {"neglect": {"after_days": 2, "min_score": 0}}}"#,
    )
    .unwrap();
    let w = b.worklist(&options).unwrap();
    assert_eq!(w.candidates, 2);
    assert_eq!(w.limit, 200);
    let ids: Vec<u64> = w.rows.iter().map(|r| r.customer_id).collect();
    assert_eq!(ids, [1, 2]);
    let f1 = 1.0 + (4.0 + 1.0 / 24.0 - 2.0) / 2.0 + 1.0 + 0.5;
    assert!(
        (w.rows[0].priority - 1000.0 * f1).abs() < 1e-6,
        "{:?}",
        w.rows[0]
    );
    assert_eq!(w.rows[1].priority, 3000.0);
    assert!(w.rows.iter().all(|r| r.neglected == (r.customer_id == 1)));
    assert_eq!(w.rows[0].action, crate::worklist::NextAction::ReturnContact);
    assert!(
        w.rows[0].reason.starts_with(
            "value at risk 1000 = 10% of net revenue 10000 (new stage, no CLV prediction)"
        ),
        "{}",
        w.rows[0].reason
    );
    // With the SLA policy attached, customer 1's breached complaint comes first, and the
    // breach puts the customer at risk (lifecycle rule): 50% of 10 000 at risk, factor + 1.
    b.set_sla_policies(Some(
        crate::sla::SlaPolicies::from_json(
            r#"{"name": "standard", "targets": {"normal": {"first_response": 60}}}"#,
        )
        .unwrap(),
    ));
    let w = b.worklist(&options).unwrap();
    assert_eq!(
        w.rows[0].action,
        crate::worklist::NextAction::AnswerComplaint
    );
    assert!(
        (w.rows[0].priority - 5000.0 * (f1 + 1.0)).abs() < 1e-6,
        "{:?}",
        w.rows[0]
    );
    assert!(
        w.rows[0].reason.contains("(at_risk stage"),
        "{}",
        w.rows[0].reason
    );
    // A limit of one keeps the first.
    let mut one = options.clone();
    one.limit = Some(1);
    assert_eq!(b.worklist(&one).unwrap().rows.len(), 1);
}
