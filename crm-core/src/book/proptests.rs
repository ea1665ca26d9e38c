//! Properties of the book: any sequence of events leaves it consistent with a model computed
//! independently from the accepted events; a rejected event changes nothing; snapshots
//! round-trip.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::model::*;

const IDS: [u64; 4] = [10, 20, 30, 40];

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap()
}

fn new_book() -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    for id in IDS {
        let mut c = Customer::person(id, "Ad", "Soyad");
        if id == 40 {
            // Events in the first ten days for this one are rejected as early.
            c.acquired_at = Some(base() + Duration::days(10));
        }
        b.add_customer(c).unwrap();
    }
    b
}

fn customer() -> impl Strategy<Value = u64> {
    prop_oneof![Just(10u64), Just(20), Just(30), Just(40), Just(99)]
}

fn kind() -> impl Strategy<Value = EventKind> {
    let money = -50i64..200_000;
    let complaint = 1u64..5;
    prop_oneof![
        4 => (money.clone(), 0usize..3).prop_map(|(amount, cat)| Purchase {
            amount,
            currency: if amount == 7 { "EUR".into() } else { "TRY".into() },
            product: None,
            category: Some(["a", "b", "ç"][cat].into()),
            channel: Some(Channel::Web),
        }
        .into()),
        1 => money.clone().prop_map(|amount| Refund {
            amount,
            currency: "TRY".into(),
            product: None,
            reason: None,
            channel: None,
        }
        .into()),
        1 => customer().prop_map(|referred| Referral { referred }.into()),
        1 => (any::<bool>(), money).prop_map(|(co, amount)| Contribution {
            kind: if co { ContributionKind::CoInvestment } else { ContributionKind::CostSharing },
            amount,
            currency: "TRY".into(),
            description: None,
        }
        .into()),
        1 => (0usize..3).prop_map(|c| Interaction {
            channel: [Channel::Atm, Channel::Email, Channel::CallCentre][c],
            direction: Direction::Inbound,
            subject: None,
            outcome: None,
            agent: None,
        }
        .into()),
        2 => complaint.clone().prop_map(|complaint_id| ComplaintOpened {
            complaint_id,
            priority: Priority::Low,
            category: None,
            channel: None,
            description: None,
        }
        .into()),
        1 => complaint.clone().prop_map(|complaint_id| ComplaintResponded { complaint_id, agent: None }.into()),
        1 => (complaint.clone(), 0usize..6).prop_map(|(complaint_id, s)| ComplaintStatusChanged {
            complaint_id,
            status: [
                ComplaintStatus::Open,
                ComplaintStatus::InProgress,
                ComplaintStatus::WaitingOnCustomer,
                ComplaintStatus::Escalated,
                ComplaintStatus::Resolved,
                ComplaintStatus::Closed,
            ][s],
        }
        .into()),
        2 => complaint.clone().prop_map(|complaint_id| ComplaintResolved {
            complaint_id,
            root_cause: RootCause::Other,
        }
        .into()),
        1 => complaint.clone().prop_map(|complaint_id| ComplaintReopened { complaint_id }.into()),
        1 => complaint.clone().prop_map(|complaint_id| ComplaintClosed { complaint_id }.into()),
        1 => (complaint, 0u8..7).prop_map(|(complaint_id, rating)| ComplaintRated { complaint_id, rating }.into()),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    // Complaint events mostly go to the complaint's own customer, so life cycles get far.
    (customer(), 0i64..60 * 24, kind(), 0u8..10).prop_map(|(customer_id, hours, kind, dice)| {
        let owner = kind.complaint_id().map(|c| IDS[c as usize % IDS.len()]);
        Event {
            customer_id: owner.filter(|_| dice > 0).unwrap_or(customer_id),
            at: base() + Duration::hours(hours),
            kind,
        }
    })
}

/// Events, time-sorted half of the time so that complaint life cycles get through.
fn events() -> impl Strategy<Value = Vec<Event>> {
    (prop::collection::vec(event(), 0..80), any::<bool>()).prop_map(|(mut v, sorted)| {
        if sorted {
            v.sort_by_key(|e| e.at);
        }
        v
    })
}

/// The features a customer should have, recomputed from the accepted events alone.
#[derive(Debug, Default)]
struct Expected {
    frequency: u32,
    monetary: i64,
    first_purchase: Option<DateTime<Utc>>,
    last_purchase: Option<DateTime<Utc>>,
    first_own: Option<DateTime<Utc>>,
    referrals: u32,
    co_investment: i64,
    cost_sharing: i64,
    timeline: usize,
}

fn expected(
    accepted: &[Event],
    as_of: DateTime<Utc>,
) -> (HashMap<u64, Expected>, HashMap<u64, (u64, ComplaintStatus)>) {
    let mut out: HashMap<u64, Expected> = IDS.iter().map(|&id| (id, Expected::default())).collect();
    let mut complaints: HashMap<u64, (u64, ComplaintStatus)> = HashMap::new();
    for e in accepted.iter().filter(|e| e.at <= as_of) {
        let x = out.get_mut(&e.customer_id).unwrap();
        x.timeline += 1;
        x.first_own = Some(x.first_own.map_or(e.at, |f| f.min(e.at)));
        match &e.kind {
            EventKind::Purchase(p) => {
                x.frequency += 1;
                x.monetary += p.amount;
                x.first_purchase = Some(x.first_purchase.map_or(e.at, |f| f.min(e.at)));
                x.last_purchase = Some(x.last_purchase.map_or(e.at, |l| l.max(e.at)));
            }
            EventKind::Refund(r) => x.monetary -= r.amount,
            EventKind::Referral(r) => {
                x.referrals += 1;
                out.get_mut(&r.referred).unwrap().timeline += 1;
            }
            EventKind::Contribution(c) => match c.kind {
                ContributionKind::CoInvestment => x.co_investment += c.amount,
                ContributionKind::CostSharing => x.cost_sharing += c.amount,
            },
            EventKind::ComplaintOpened(c) => {
                complaints.insert(c.complaint_id, (e.customer_id, ComplaintStatus::Open));
            }
            EventKind::ComplaintStatusChanged(c) => {
                complaints.get_mut(&c.complaint_id).unwrap().1 = c.status;
            }
            EventKind::ComplaintResolved(c) => {
                complaints.get_mut(&c.complaint_id).unwrap().1 = ComplaintStatus::Resolved;
            }
            EventKind::ComplaintReopened(c) => {
                complaints.get_mut(&c.complaint_id).unwrap().1 = ComplaintStatus::Open;
            }
            EventKind::ComplaintClosed(c) => {
                complaints.get_mut(&c.complaint_id).unwrap().1 = ComplaintStatus::Closed;
            }
            _ => {}
        }
    }
    (out, complaints)
}

fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds() as f64 / 86_400.0
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn figures_equal_a_recomputation_and_rejections_change_nothing(
        events in events(),
        as_of_hours in 0i64..62 * 24,
    ) {
        let mut book = new_book();
        let mut accepted = Vec::new();
        for e in events {
            let before = book.snapshot();
            match book.record(e.clone()) {
                Ok(()) => accepted.push(e),
                Err(_) => prop_assert!(book.snapshot() == before, "a rejected event changed the book"),
            }
        }
        prop_assert_eq!(book.snapshot().events, accepted.clone());

        let as_of = base() + Duration::hours(as_of_hours);
        let (expect, complaints) = expected(&accepted, as_of);
        let f = book.features(as_of);
        for (row, id) in f.customer_id.iter().enumerate() {
            let x = &expect[id];
            prop_assert_eq!(f.frequency[row], x.frequency);
            prop_assert_eq!(f.monetary[row], x.monetary);
            prop_assert_eq!(f.referrals[row], x.referrals);
            prop_assert_eq!(f.co_investment[row], x.co_investment);
            prop_assert_eq!(f.cost_sharing[row], x.cost_sharing);
            match x.last_purchase {
                Some(last) => prop_assert!((f.recency_days[row] - days(last, as_of)).abs() < 1e-9),
                None => prop_assert!(f.recency_days[row].is_nan()),
            }
            let start = if *id == 40 { Some(base() + Duration::days(10)) } else { x.first_own };
            match start {
                Some(s) => prop_assert!((f.tenure_days[row] - days(s, as_of).max(0.0)).abs() < 1e-9),
                None => prop_assert!(f.tenure_days[row].is_nan()),
            }
            let intensity = match (x.first_purchase, x.last_purchase) {
                (Some(a), Some(b)) => f64::from(x.frequency) / (days(a, b) / (365.2425 / 12.0)).max(1.0),
                _ => 0.0,
            };
            prop_assert!((f.intensity[row] - intensity).abs() < 1e-9);
            let mine = complaints.values().filter(|(c, _)| c == id);
            let open = mine.clone().filter(|(_, s)| s.is_active()).count() as u32;
            prop_assert_eq!(f.complaints_total[row], mine.count() as u32);
            prop_assert_eq!(f.complaints_open[row], open);

            let view = book.view(*id, &ViewOptions::as_of(as_of).page(0, 1_000)).unwrap();
            prop_assert_eq!(view.timeline.total, x.timeline);
            prop_assert_eq!(view.purchases.net, x.monetary);
            prop_assert!(view.timeline.items.windows(2).all(|w| w[0].event.at >= w[1].event.at));
        }
    }

    #[test]
    fn snapshots_round_trip(events in events()) {
        let mut book = new_book();
        for e in events {
            let _ = book.record(e);
        }
        let snapshot = book.snapshot();
        let again = CustomerBook::from_snapshot(snapshot.clone()).unwrap();
        prop_assert!(again.snapshot() == snapshot);
        let mut bytes = Vec::new();
        book.save_json(&mut bytes).unwrap();
        let loaded = CustomerBook::load_json(bytes.as_slice()).unwrap();
        prop_assert!(loaded.snapshot() == snapshot);
    }

    #[test]
    fn batches_apply_whole_or_not_at_all(events in events()) {
        let mut book = new_book();
        let before = book.snapshot();
        match book.record_all(events.clone()) {
            Ok(n) => prop_assert_eq!(n, events.len()),
            Err(_) => prop_assert!(book.snapshot() == before),
        }
    }
}
