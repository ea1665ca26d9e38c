//! Integration tests: the public API used the way an embedding crate uses it.

use crm_core::book::{CustomerBook, ViewOptions};
use crm_core::model::{Channel, Customer, Direction, Event, Interaction};
use crm_core::sample::SampleConfig;

#[test]
fn sample_to_book_to_snapshot_to_view_json() {
    let config = SampleConfig::new(400).seed(2);
    let as_of = config.end();
    let sample = config.generate();
    let book = sample.into_book().expect("the sample is valid");

    let mut bytes = Vec::new();
    book.save_json(&mut bytes)
        .expect("writing to a Vec cannot fail");
    let loaded = CustomerBook::load_json(bytes.as_slice()).expect("our own snapshot loads");
    assert!(loaded.snapshot() == book.snapshot());

    let id = book.customers().next().expect("customers").id;
    let view = loaded
        .view(id, &ViewOptions::as_of(as_of))
        .expect("known id");
    let json = serde_json::to_value(&view).expect("views serialise");
    for key in [
        "as_of",
        "profile",
        "purchases",
        "channels",
        "referrals",
        "contributions",
        "complaints",
        "incidents",
        "timeline",
    ] {
        assert!(json.get(key).is_some(), "view JSON lacks {key}");
    }
    let back: crm_core::book::CustomerView = serde_json::from_value(json).expect("and back");
    assert_eq!(back.profile.id, id);
}

#[test]
fn events_from_json_lines() {
    let mut book = CustomerBook::with_currency("TRY").expect("valid currency");
    book.add_customer(Customer::person(1, "Şükrü", "Çağlar"))
        .expect("new id");
    let lines = r#"
{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": "purchase", "amount": 2500, "currency": "TRY"}
{"customer_id": 1, "at": "2025-01-06T10:00:00Z", "type": "interaction", "channel": "call_centre", "direction": "inbound", "subject": "fatura"}
{"customer_id": 1, "at": "2025-01-06T11:00:00Z", "type": "complaint_opened", "complaint_id": 5, "priority": "high"}
"#;
    let events: Vec<Event> = lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid event JSON"))
        .collect();
    assert_eq!(book.record_all(events).expect("valid events"), 3);
    let as_of = "2025-02-01T00:00:00Z".parse().expect("RFC 3339");
    let view = book.view(1, &ViewOptions::as_of(as_of)).expect("known id");
    assert_eq!(view.complaints.open.len(), 1);
    let call = Interaction {
        channel: Channel::CallCentre,
        direction: Direction::Inbound,
        subject: Some("fatura".into()),
        outcome: None,
        agent: None,
    };
    assert_eq!(view.timeline.items[1].event.kind, call.into());
}
