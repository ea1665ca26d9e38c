//! Event and incident JSON refuses fields it does not know, as customer JSON does: a typo
//! (`amout`) is an error naming the field, with a suggestion when one name is close, instead
//! of the field being dropped without a word.

mod configs;

use crm_core::model::{Event, EventKind, Incident};
use crm_core::{CrmError, ErrorKind};

fn event(text: &str) -> Result<Event, CrmError> {
    serde_json::from_str(text).map_err(|e| CrmError::parse("the event", e))
}

#[test]
fn a_misspelt_event_field_is_refused_with_a_suggestion() {
    let e = event(
        r#"{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": "purchase", "amout": 2500, "currency": "TRY"}"#,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse);
    assert_eq!(e.field(), Some("amout"));
    assert!(e.to_string().ends_with("(did you mean `amount`?)"), "{e}");

    // A field that belongs to another kind of event: refused, named, no close name.
    let e = event(
        r#"{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": "referral", "referred": 2, "complaint_id": 3}"#,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("complaint_id"));
    assert!(!e.to_string().contains("did you mean"), "{e}");
}

#[test]
fn the_fixed_fields_are_still_required_and_not_repeated() {
    let e =
        event(r#"{"at": "2025-01-05T10:00:00Z", "type": "referral", "referred": 2}"#).unwrap_err();
    assert_eq!(e.field(), Some("customer_id"));
    let e = event(r#"{"customer_id": 1, "type": "referral", "referred": 2}"#).unwrap_err();
    assert_eq!(e.field(), Some("at"));
    let e =
        event(r#"{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "referred": 2}"#).unwrap_err();
    assert_eq!(e.field(), Some("type"));
    let e = event(
        r#"{"customer_id": 1, "customer_id": 2, "at": "2025-01-05T10:00:00Z", "type": "referral", "referred": 2}"#,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("duplicate field `customer_id`"),
        "{e}"
    );
}

#[test]
fn known_fields_in_any_order_still_parse_and_round_trip() {
    let e = event(
        r#"{"type": "purchase", "amount": 2500, "currency": "TRY", "customer_id": 7, "category": "books", "at": "2025-01-05T10:00:00Z"}"#,
    )
    .unwrap();
    assert_eq!(e.customer_id, 7);
    assert!(
        matches!(e.kind, EventKind::Purchase(ref p) if p.amount == 2500 && p.category.as_deref() == Some("books"))
    );
    let back: Event = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}

#[test]
fn a_misspelt_incident_field_is_refused() {
    let e = serde_json::from_str::<Incident>(
        r#"{"id": 3, "kind": "channel_outage", "start": "2025-03-01T15:00:00Z", "description": "x", "ends": "2025-03-01T16:00:00Z"}"#,
    )
    .map_err(|e| CrmError::parse("the incident", e))
    .unwrap_err();
    assert_eq!(e.field(), Some("ends"));
    assert!(e.to_string().ends_with("(did you mean `end`?)"), "{e}");
}
