//! Campaign events in the book: checked, shown, and round-tripped.

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::ErrorKind;
use crate::model::*;

fn t(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, day, 9, 0, 0).unwrap()
}

fn step(step: CampaignStep, cost: i64) -> CampaignEvent {
    CampaignEvent {
        campaign_id: "bahar-25".into(),
        step,
        channel: Some(Channel::Email),
        cost,
    }
}

fn campaign_book() -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    b.add_customer(Customer::person(1, "Ayşe", "Yılmaz"))
        .unwrap();
    b.add_customer(Customer::person(2, "Mehmet", "Öztürk"))
        .unwrap();
    b.record_all([
        Event::new(1, t(1), step(CampaignStep::Targeted, 0)),
        Event::new(1, t(2), step(CampaignStep::Sent, 50)),
        Event::new(1, t(2), step(CampaignStep::Delivered, 0)),
        Event::new(1, t(3), step(CampaignStep::Responded, 0)),
        Event::new(2, t(1), step(CampaignStep::HeldOut, 0)),
    ])
    .unwrap();
    b
}

#[test]
fn campaign_events_show_in_the_view() {
    let b = campaign_book();
    let view = b.view(1, &ViewOptions::as_of(t(10))).unwrap();
    assert_eq!(view.timeline.total, 4);
    assert_eq!(
        view.timeline.items[0].event.kind,
        step(CampaignStep::Responded, 0).into()
    );
    // One send out, one response in, on e-mail; being targeted is no contact.
    assert_eq!(view.channels.len(), 1);
    let email = &view.channels[0];
    assert_eq!(
        (email.channel, email.outbound, email.inbound),
        (Channel::Email, 1, 1)
    );
    assert_eq!(email.last, t(3));
    // Held out only: no contact at all.
    let control = b.view(2, &ViewOptions::as_of(t(10))).unwrap();
    assert_eq!(control.timeline.total, 1);
    assert!(control.channels.is_empty());
    assert_eq!(b.stats().events_by_type["campaign"], 5);
}

#[test]
fn campaign_events_round_trip_through_json_and_snapshots() {
    let b = campaign_book();
    let e = Event::new(1, t(2), step(CampaignStep::Sent, 50));
    let text = serde_json::to_string(&e).unwrap();
    assert_eq!(
        text,
        r#"{"customer_id":1,"at":"2025-03-02T09:00:00Z","type":"campaign","campaign_id":"bahar-25","step":"sent","channel":"email","cost":50}"#
    );
    let back: Event = crate::json::parse("the event", &text).unwrap();
    assert_eq!(back, e);
    // Channel and cost may be left out.
    let bare: Event = crate::json::parse(
        "the event",
        r#"{"customer_id":2,"at":"2025-03-01T09:00:00Z","type":"campaign","campaign_id":"x","step":"held_out"}"#,
    )
    .unwrap();
    assert_eq!(
        bare.kind,
        EventKind::Campaign(CampaignEvent {
            campaign_id: "x".into(),
            step: CampaignStep::HeldOut,
            channel: None,
            cost: 0
        })
    );
    let mut bytes = Vec::new();
    b.save_json(&mut bytes).unwrap();
    let loaded = CustomerBook::load_json(bytes.as_slice()).unwrap();
    assert!(loaded.snapshot() == b.snapshot());
    assert_eq!(
        loaded.events().collect::<Vec<_>>(),
        b.events().collect::<Vec<_>>()
    );
}

#[test]
fn bad_campaign_events_are_refused_whole() {
    let mut b = campaign_book();
    let before = b.snapshot();
    let cases = [
        (
            CampaignEvent {
                campaign_id: String::new(),
                ..step(CampaignStep::Sent, 0)
            },
            "campaign_id",
            "\"\" (0 characters)",
        ),
        (
            CampaignEvent {
                campaign_id: "k".repeat(65),
                ..step(CampaignStep::Sent, 0)
            },
            "campaign_id",
            "65 characters",
        ),
        (step(CampaignStep::Sent, -5), "cost", "cost -5"),
    ];
    for (kind, field, shown) in cases {
        let err = b
            .record_all([
                Event::new(1, t(4), step(CampaignStep::Opened, 0)),
                Event::new(1, t(4), kind),
            ])
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert_eq!(err.field(), Some(field), "{err}");
        assert!(err.to_string().contains(shown), "{err}");
        assert!(b.snapshot() == before, "a refused batch changed the book");
    }
    let unknown: std::result::Result<Event, _> = crate::json::parse(
        "the event",
        r#"{"customer_id":1,"at":"2025-03-01T09:00:00Z","type":"campaign","campaign_id":"x","step":"mailed"}"#,
    );
    let err = unknown.unwrap_err().to_string();
    assert!(err.contains("expected one of `targeted`"), "{err}");
}

#[test]
fn plans_resolve_ids_drop_repeats_and_skip_the_assigned() {
    let mut b = campaign_book();
    b.add_customer(Customer::person(3, "Zeynep", "Demir"))
        .unwrap();
    b.add_customer(Customer::person(4, "Ali", "Kaya")).unwrap();
    b.merge(3, &[4], None, t(4)).unwrap();
    let plan = crate::campaign::CampaignPlan {
        seed: 42,
        holdout_share: 0.5,
        cost_per_send: 35,
        channel: Some(Channel::Sms),
        ..crate::campaign::CampaignPlan::new("bahar-25", t(5))
    };
    // 1 and 2 are assigned already; 4 is 3 now; 3 appears twice.
    let events = b.plan_campaign_for(&[1, 4, 3, 2, 3], &plan).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].customer_id, 3);
    // Draw for (42, "bahar-25", 3) by Python: 0.4428… < 0.5, so held out, without cost.
    assert_eq!(
        crate::campaign::holdout_draw(42, "bahar-25", 3),
        0.4428026416244748
    );
    assert_eq!(
        events[0].kind,
        EventKind::Campaign(CampaignEvent {
            campaign_id: "bahar-25".into(),
            step: CampaignStep::HeldOut,
            channel: Some(Channel::Sms),
            cost: 0,
        })
    );
    let err = b.plan_campaign_for(&[1, 99], &plan).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::NotFound, Some("customer_id"))
    );
    let bad = crate::campaign::CampaignPlan {
        holdout_share: 0.6,
        ..plan.clone()
    };
    assert_eq!(
        b.plan_campaign_for(&[3], &bad).unwrap_err().field(),
        Some("holdout_share")
    );
    let bad = crate::campaign::CampaignPlan {
        cost_per_send: -1,
        ..plan
    };
    assert_eq!(
        b.plan_campaign_for(&[3], &bad).unwrap_err().field(),
        Some("cost_per_send")
    );
}
