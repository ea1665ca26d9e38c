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

fn buy(amount: i64) -> Purchase {
    Purchase {
        amount,
        currency: "TRY".into(),
        product: None,
        category: None,
        channel: Some(Channel::Web),
    }
}

/// Customers 1–4 targeted on day 1 (Marmara, Marmara, Ege, Ege), 5–6 held out (Marmara,
/// Ege); purchases inside and outside the 10-day window.
fn report_book() -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    for (id, region) in [
        (1, "Marmara"),
        (2, "Marmara"),
        (3, "Ege"),
        (4, "Ege"),
        (5, "Marmara"),
        (6, "Ege"),
    ] {
        let mut c = Customer::person(id, "Ad", "Soyad");
        c.region = Some(region.into());
        b.add_customer(c).unwrap();
    }
    let mut events = Vec::new();
    for id in 1..=4 {
        events.push(Event::new(id, t(1), step(CampaignStep::Targeted, 0)));
        events.push(Event::new(id, t(2), step(CampaignStep::Sent, 100)));
    }
    events.extend([
        Event::new(5, t(1), step(CampaignStep::HeldOut, 0)),
        Event::new(6, t(1), step(CampaignStep::HeldOut, 0)),
        Event::new(1, t(3), step(CampaignStep::Opened, 0)),
        Event::new(1, t(4), buy(6_000)),
        Event::new(
            1,
            t(5),
            Refund {
                amount: 1_000,
                currency: "TRY".into(),
                product: None,
                reason: None,
                channel: None,
            },
        ),
        // Before the assignment: not the campaign's.
        Event::new(
            2,
            Utc.with_ymd_and_hms(2025, 2, 20, 9, 0, 0).unwrap(),
            buy(9_000),
        ),
        Event::new(3, t(11), buy(2_000)), // day 11 09:00 = exactly the window's end: in
        Event::new(4, t(12), buy(7_000)), // after the window: out
        Event::new(5, t(6), buy(4_000)),
        // A second campaign's event is not this one's.
        Event::new(
            6,
            t(2),
            CampaignEvent {
                campaign_id: "other".into(),
                ..step(CampaignStep::Sent, 999)
            },
        ),
    ]);
    b.record_all(events).unwrap();
    b
}

#[test]
fn report_worked_by_hand() {
    let b = report_book();
    let options = CampaignReportOptions {
        window_days: 10,
        by: vec![GroupBy::Region],
        ..CampaignReportOptions::at(t(20))
    };
    let r = b.campaign_report("bahar-25", &options).unwrap();
    assert_eq!(r.assigned_from, Some(t(1)));
    assert_eq!((r.unassigned, r.contaminated), (0, 0));
    let (tr, co) = (&r.overall.treated, &r.overall.control);
    assert_eq!((tr.customers, tr.sent, tr.opened), (4, 4, 1));
    // Treated: 1 (6000 − 1000) and 3 (2000) bought in the window → 2/4, 7000.
    assert_eq!((tr.conversions, tr.revenue), (2, 7_000));
    // Control: 5 bought 4000 → 1/2.
    assert_eq!((co.customers, co.conversions, co.revenue), (2, 1, 4_000));
    // (1750 − 2000) × 4 = −1000 extra revenue on 400 cost: ROI (−1000 − 400)/400 = −3.5.
    assert_eq!(r.overall.incremental_revenue, Some(-1_000.0));
    assert_eq!((r.overall.cost, r.overall.roi), (400, Some(-3.5)));
    let u = r.overall.conversion_uplift.unwrap();
    assert_eq!(u.difference, 0.0);
    // Newcombe for 2/4 vs 1/2 from statsmodels' confint_proportions_2indep(method="newcomb").
    assert!((u.lower + 0.535609608051411).abs() < 1e-12, "{u:?}");
    assert!((u.upper - 0.535609608051411).abs() < 1e-12, "{u:?}");
    // By region: Ege treated 3 (bought), 4 (not), control 6 (not) → 1/2 − 0/1.
    let regions = &r.groups[0];
    assert_eq!(regions.by, "region");
    let keys: Vec<&str> = regions.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["Ege", "Marmara"]);
    let ege = &regions.groups[0].comparison;
    assert_eq!((ege.treated.conversions, ege.treated.customers), (1, 2));
    assert_eq!((ege.control.conversions, ege.control.customers), (0, 1));
    assert_eq!(ege.conversion_uplift.unwrap().difference, 0.5);
    // A report before the window closes cuts at its instant: day 3 sees nothing bought.
    let early = b
        .campaign_report("bahar-25", &CampaignReportOptions::at(t(3)))
        .unwrap();
    assert_eq!(early.overall.treated.conversions, 0);
    assert_eq!(early.overall.treated.opened, 1);
}

#[test]
fn report_groups_by_tier_and_cell_with_strategies() {
    let b = report_book();
    let mut options = CampaignReportOptions {
        by: vec![GroupBy::Tier, GroupBy::Cell(vec![Attribute::Region])],
        ..CampaignReportOptions::at(t(20))
    };
    options.segmentation.strategies.cells.insert(
        "Lead|Ege".into(),
        crate::segment::Strategy {
            label: "Call personally".into(),
            actions: vec![],
        },
    );
    let r = b.campaign_report("bahar-25", &options).unwrap();
    // As of day 1 customer 2 (bought on 20 Feb) is the only one with a purchase; the tiers
    // come from that day, not from the later purchases.
    let seg = b.segment(t(1), &options.segmentation).unwrap();
    let tier_of = |id: u64| {
        seg.pyramid
            .tier_name(b.dense(id).unwrap() as usize)
            .unwrap()
            .to_owned()
    };
    let tiers = &r.groups[0];
    assert_eq!(tiers.by, "tier");
    let total: usize = tiers
        .groups
        .iter()
        .map(|g| g.comparison.treated.customers + g.comparison.control.customers)
        .sum();
    assert_eq!(total, 6);
    let cells = &r.groups[1];
    assert_eq!(cells.by, "cell:region");
    // 3, 4 and 6 (Ege) had bought nothing by day 1: the bottom tier.
    assert!(cells.groups.iter().any(|g| g.key == "Lead|Ege"));
    for g in &cells.groups {
        let (tier, region) = g.key.split_once('|').unwrap();
        let members: Vec<u64> = (1..=6)
            .filter(|&id| {
                tier_of(id) == tier && b.customer(id).unwrap().region.as_deref() == Some(region)
            })
            .collect();
        assert_eq!(
            g.comparison.treated.customers + g.comparison.control.customers,
            members.len(),
            "{}",
            g.key
        );
        assert_eq!(
            g.strategy.as_ref().map(|s| s.label.as_str()),
            (g.key == "Lead|Ege").then_some("Call personally")
        );
    }
}

#[test]
fn bad_report_options_are_named() {
    let b = report_book();
    let err = b
        .campaign_report("nope", &CampaignReportOptions::at(t(20)))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::NotFound, Some("campaign_id"))
    );
    for (options, field) in [
        (
            CampaignReportOptions {
                window_days: 0,
                ..CampaignReportOptions::at(t(20))
            },
            "window_days",
        ),
        (
            CampaignReportOptions {
                confidence: 1.0,
                ..CampaignReportOptions::at(t(20))
            },
            "confidence",
        ),
        (
            CampaignReportOptions {
                by: vec![GroupBy::Cell(vec![])],
                ..CampaignReportOptions::at(t(20))
            },
            "by[0].cell",
        ),
    ] {
        let err = b.campaign_report("bahar-25", &options).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
    }
    let parsed: CampaignReportOptions = crate::json::parse(
        "the options",
        r#"{"at": "2025-03-20T00:00:00Z", "by": ["tier", {"cell": ["region", "city"]}]}"#,
    )
    .unwrap();
    assert_eq!(parsed.window_days, 30);
    assert_eq!(parsed.by[1].name(), "cell:region|city");
}
