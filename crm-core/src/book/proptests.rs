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
        // Some events carry a location; an empty one is refused (and the batch undone).
        let location = match dice {
            7 => Some(crate::model::Location::branch("K1")),
            8 => Some(crate::model::Location {
                device: Some("ATM-7".into()),
                city: Some("İzmir".into()),
                branch: None,
            }),
            9 => Some(crate::model::Location::default()),
            _ => None,
        };
        Event {
            customer_id: owner.filter(|_| dice > 0).unwrap_or(customer_id),
            at: base() + Duration::hours(hours),
            location,
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

/// One call that changes a book, for the random sequences below.
#[derive(Debug, Clone)]
enum Op {
    Add(Customer),
    AddMany(Vec<Customer>),
    Update(Customer),
    Record(Event),
    RecordAll(Vec<Event>),
    Incident(Incident),
    Merge(u64, Vec<u64>),
    MergeDuplicates(Vec<Vec<u64>>),
    MergeFound,
}

/// Ids 0..9: 0..6 start in the book, others get added, some are merged away, some never
/// exist.
fn any_id() -> impl Strategy<Value = u64> {
    0u64..9
}

fn profile() -> impl Strategy<Value = Customer> {
    (
        any_id(),
        0usize..3,
        prop::option::weighted(0.4, 0i64..40),
        prop::option::weighted(0.3, any_id()),
    )
        .prop_map(|(id, name, acquired_day, referred_by)| {
            let (given, family) = [("Ayşe", "Yılmaz"), ("Mehmet", "Öz"), ("Can", "Er")][name];
            let mut c = Customer::person(id, given, family);
            c.acquired_at = acquired_day.map(|d| base() + Duration::days(d));
            c.referred_by = referred_by;
            c
        })
}

fn any_event() -> impl Strategy<Value = Event> {
    (any_id(), any_id(), 0i64..60 * 24, kind()).prop_map(|(customer_id, other, hours, kind)| {
        // `kind()` names referred customers from IDS; use the whole id range instead.
        let kind = match kind {
            EventKind::Referral(_) => Referral { referred: other }.into(),
            k => k,
        };
        Event {
            customer_id,
            at: base() + Duration::hours(hours),
            location: None,
            kind,
        }
    })
}

fn op() -> impl Strategy<Value = Op> {
    let ids = prop::collection::vec(any_id(), 0..3);
    prop_oneof![
        2 => profile().prop_map(Op::Add),
        1 => prop::collection::vec(profile(), 0..4).prop_map(Op::AddMany),
        2 => profile().prop_map(Op::Update),
        6 => any_event().prop_map(Op::Record),
        1 => prop::collection::vec(any_event(), 0..6).prop_map(Op::RecordAll),
        1 => (0u64..3, 0i64..40, prop::option::of(-2i64..5)).prop_map(|(id, day, len)| {
            Op::Incident(Incident {
                id,
                kind: IncidentKind::ChannelOutage,
                channel: Some(Channel::Atm),
                location: None,
                start: base() + Duration::days(day),
                end: len.map(|l| base() + Duration::days(day + l)),
                description: "ATM ağı çalışmıyor".into(),
            })
        }),
        3 => (any_id(), ids).prop_map(|(s, m)| Op::Merge(s, m)),
        1 => prop::collection::vec(prop::collection::vec(any_id(), 0..4), 0..3)
            .prop_map(Op::MergeDuplicates),
        1 => Just(Op::MergeFound),
    ]
}

fn apply(book: &mut CustomerBook, op: &Op) -> crate::Result<()> {
    let at = base() + Duration::days(70);
    let rules = crate::quality::GoldenRules::default();
    match op.clone() {
        Op::Add(c) => book.add_customer(c),
        Op::AddMany(cs) => book.add_customers(cs).map(drop),
        Op::Update(c) => book.update_customer(c),
        Op::Record(e) => book.record(e),
        Op::RecordAll(es) => book.record_all(es).map(drop),
        Op::Incident(i) => book.add_incident(i),
        Op::Merge(s, m) => book.merge(s, &m, None, at).map(drop),
        Op::MergeDuplicates(clusters) => book
            .merge_duplicates(&clusters, &rules, at.date_naive(), at)
            .map(drop),
        Op::MergeFound => {
            let clusters = book.find_duplicates(&crate::quality::DedupConfig::default())?;
            book.merge_duplicates(&clusters, &rules, at.date_naive(), at)
                .map(drop)
        }
    }
}

/// The [`Change`] an op stands for (`None` for the dedupe workflows, which make several).
fn change_of(op: &Op) -> Option<Change> {
    let at = base() + Duration::days(70);
    Some(match op.clone() {
        Op::Add(customer) => Change::CustomerAdded { customer },
        Op::AddMany(customers) => Change::CustomersAdded { customers },
        Op::Update(customer) => Change::CustomerUpdated { customer },
        Op::Record(event) => Change::EventRecorded { event },
        Op::RecordAll(events) => Change::EventsRecorded { events },
        Op::Incident(incident) => Change::IncidentAdded { incident },
        Op::Merge(survivor, merged) => Change::Merged {
            survivor,
            merged,
            profile: None,
            at,
        },
        Op::MergeDuplicates(_) | Op::MergeFound => return None,
    })
}

/// Whether `op` is a merge the book must accept: every id resolves, the customers are
/// distinct, and none referred another of them (the one documented refusal left).
fn merge_allowed(book: &CustomerBook, op: &Op) -> bool {
    let Op::Merge(survivor, merged) = op else {
        return false;
    };
    let group: Option<Vec<u64>> = std::iter::once(survivor)
        .chain(merged)
        .map(|&id| book.resolve(id))
        .collect();
    let Some(group) = group else { return false };
    let mut distinct = group.clone();
    distinct.sort_unstable();
    distinct.dedup();
    !merged.is_empty()
        && distinct.len() == group.len()
        && !book.events().any(|e| {
            matches!(e.kind, EventKind::Referral(Referral { referred })
                if group.contains(&e.customer_id) && group.contains(&referred))
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Any sequence of mutating calls keeps the book's invariants: after each successful
    /// call the snapshot loads back equal and every id ever added resolves (to itself or its
    /// survivor); a merge keeps every event; a failed call changes nothing.
    #[test]
    fn any_call_sequence_keeps_the_invariants(
        early in any::<bool>(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let mut config = BookConfig::new("TRY");
        if early {
            config.early_events = EarlyEvents::Accept;
        }
        let mut book = CustomerBook::new(config).unwrap();
        let start: Vec<Customer> = (0..6u64)
            .map(|id| Customer::person(id, ["Ayşe", "Can"][id as usize % 2], "Yılmaz"))
            .collect();
        book.add_customers(start).unwrap();
        // The same calls as changes: prepared, then dropped (nothing may change), then
        // prepared again and applied; alone or as a one-change batch, by turns.
        let mut replica = book.clone();
        let mut used: Vec<u64> = (0..6).collect();
        for op in &ops {
            let before = book.snapshot();
            let events_before = book.event_count();
            let allowed = merge_allowed(&book, op);
            let result = apply(&mut book, op);
            match change_of(op) {
                Some(change) => {
                    let as_batch = used.len() % 2 == 0;
                    let prepare = |r: &mut CustomerBook| -> crate::Result<()> {
                        let prepared = if as_batch {
                            r.prepare_all([&change])
                        } else {
                            r.prepare(&change)
                        }?;
                        drop(prepared);
                        Ok(())
                    };
                    let dropped = prepare(&mut replica);
                    prop_assert!(replica.snapshot() == before, "a dropped {:?} changed the book", op);
                    let replayed = if as_batch {
                        replica.prepare_all([&change]).map(|p| drop(p.apply()))
                    } else {
                        replica.prepare(&change).map(|p| drop(p.apply()))
                    };
                    prop_assert_eq!(dropped.is_ok(), replayed.is_ok());
                    let direct = result.as_ref().map_err(ToString::to_string).err();
                    let via = replayed.map_err(|e| e.to_string()).err();
                    match (&direct, &via, as_batch) {
                        (Some(d), Some(v), true) => prop_assert_eq!(format!("change #0: {d}"), v.clone()),
                        _ => prop_assert_eq!(&direct, &via, "{:?} as a change", op),
                    }
                }
                None => {
                    let _ = apply(&mut replica, op);
                }
            }
            prop_assert!(replica.snapshot() == book.snapshot(), "{:?} as a change gave another book", op);
            if allowed {
                prop_assert!(result.is_ok(), "{:?} refused: {}", op, result.unwrap_err());
            }
            let after = book.snapshot();
            if let Err(e) = &result {
                prop_assert!(after == before, "failed {:?} ({}) changed the book", op, e);
                continue;
            }
            let mut bytes = Vec::new();
            book.save_json(&mut bytes).unwrap();
            let loaded = CustomerBook::load_json(bytes.as_slice());
            prop_assert!(loaded.is_ok(), "after {:?}: {}", op, loaded.unwrap_err());
            prop_assert!(loaded.unwrap().snapshot() == after, "after {:?} the snapshot changed", op);
            match op {
                Op::Add(c) => used.push(c.id),
                Op::AddMany(cs) => used.extend(cs.iter().map(|c| c.id)),
                Op::Merge(..) | Op::MergeDuplicates(_) | Op::MergeFound => {
                    prop_assert_eq!(book.event_count(), events_before, "{:?} lost events", op);
                    let listed: usize = book.customers().map(|c| {
                        book.events_of(c.id).unwrap().filter(|e| e.customer_id == c.id).count()
                    }).sum();
                    prop_assert_eq!(listed, events_before);
                }
                _ => {}
            }
            for &id in &used {
                let r = book.resolve(id);
                prop_assert!(r.is_some_and(|r| book.contains(r)), "{} no longer resolves after {:?}", id, op);
                prop_assert_eq!(r == Some(id), book.contains(id));
            }
        }
    }
}

/// Everything a book holds as one canonical text (its maps sorted; the string interner
/// left out, whose unused symbols nothing observes): two books with the same text are the
/// same book, dense indexes, event lists and complaint states included, which a snapshot
/// does not show.
fn internals(b: &CustomerBook) -> String {
    let mut index: Vec<(u64, u32)> = b.index.iter().map(|(&k, &v)| (k, v)).collect();
    index.sort_unstable();
    let mut complaints: Vec<_> = b.complaints.iter().collect();
    complaints.sort_by_key(|&(&id, _)| id);
    let mut redirects: Vec<(u64, u64)> = b.redirects.iter().map(|(&k, &v)| (k, v)).collect();
    redirects.sort_unstable();
    format!(
        "{:?}\n{:?}\n{index:?}\n{:?}\n{:?}\n{complaints:?}\n{:?}\n{redirects:?}\n{:?}\n{} {} {} {}",
        b.config,
        b.customers,
        b.events,
        b.by_customer,
        b.incidents,
        b.merges,
        b.money_total,
        b.segmentation.is_some(),
        b.lifecycle_policy.is_some(),
        b.sla_policies.is_some(),
    )
}

/// Changes for a batch, merges (some with a golden profile) more often than the rest.
fn batch_change() -> impl Strategy<Value = Change> {
    let merge = (
        any_id(),
        prop::collection::vec(any_id(), 1..3),
        prop::option::weighted(0.4, profile()),
    )
        .prop_map(|(survivor, merged, profile)| Change::Merged {
            survivor,
            merged,
            profile: profile.map(|p| Customer { id: survivor, ..p }),
            at: base() + Duration::days(70),
        });
    prop_oneof![
        3 => merge,
        2 => op().prop_filter_map("an op with a change", |o| change_of(&o)),
    ]
}

/// A book of customers 0..6 after `setup` (failed calls ignored), so that it may already
/// hold merges, redirect chains, complaints and referrals.
fn book_after(setup: &[Op]) -> CustomerBook {
    let mut book = CustomerBook::with_currency("TRY").unwrap();
    book.add_customers((0..6u64).map(|id| Customer {
        // Profiles that name 1 and 2 as their referrer, re-pointed when those merge.
        referred_by: [None, None, Some(1), Some(1), Some(2), None][id as usize],
        ..Customer::person(id, ["Ayşe", "Can"][id as usize % 2], "Yılmaz")
    }))
    .unwrap();
    // Complaints of 1 and 2, and referrals between others, which follow merges.
    let opened = |customer_id: u64, complaint_id: u64| Event {
        location: None,
        customer_id,
        at: base(),
        kind: ComplaintOpened {
            complaint_id,
            priority: Priority::High,
            category: None,
            channel: None,
            description: None,
        }
        .into(),
    };
    let referral = |customer_id: u64, referred: u64| Event {
        location: None,
        customer_id,
        at: base() + Duration::hours(1),
        kind: Referral { referred }.into(),
    };
    book.record_all([opened(1, 1), opened(2, 2), referral(3, 4), referral(5, 1)])
        .unwrap();
    for op in setup {
        let _ = apply(&mut book, op);
    }
    book
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// A batch with merges inside that is refused, or prepared and then dropped (a failed
    /// commit), leaves the book exactly as it was, internals included; applied, it gives
    /// the book (and the outcomes) that applying its changes one by one gives.
    #[test]
    fn a_failed_batch_with_merges_leaves_the_book_as_it_was(
        setup in prop::collection::vec(op(), 0..16),
        changes in prop::collection::vec(batch_change(), 1..8),
    ) {
        let mut book = book_after(&setup);
        let before = internals(&book);
        let mut one_by_one = book.clone();
        let sequential: crate::Result<Vec<ChangeOutcome>> = changes
            .iter()
            .enumerate()
            .map(|(i, c)| one_by_one.apply_change(c).map_err(|e| e.context(format_args!("change #{i}"))))
            .collect();
        // The same batch with a change that always fails at the end.
        let mut failing = changes.clone();
        failing.push(Change::CustomerUpdated { customer: Customer::person(77, "Yok", "Yok") });
        let e = book.prepare_all(&failing).map(drop).unwrap_err();
        if sequential.is_ok() {
            prop_assert_eq!(e.to_string(), format!("change #{}: unknown customer_id 77", changes.len()));
        }
        prop_assert_eq!(internals(&book), before.clone());
        let staged = book.prepare_all(&changes).map(drop).map_err(|e| e.to_string());
        prop_assert_eq!(internals(&book), before);
        match staged {
            Err(e) => prop_assert_eq!(Some(e), sequential.err().map(|e| e.to_string())),
            Ok(()) => {
                let outcomes = book.prepare_all(&changes).unwrap().apply();
                prop_assert_eq!(Ok(outcomes), sequential.map_err(|e| e.to_string()));
                prop_assert_eq!(internals(&book), internals(&one_by_one));
                prop_assert!(book.check_invariants(super::invariants::Scope::All).is_ok());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A prepared dedupe that is dropped (its commit failed) leaves the book exactly as it
    /// was; applied, it is the in-memory dedupe, and its changes replay into the same book.
    #[test]
    fn a_dropped_dedupe_leaves_the_book_as_it_was(setup in prop::collection::vec(op(), 0..16)) {
        let mut book = book_after(&setup);
        // Two pairs of duplicates (same name and national id, one referred by a customer
        // of the setup), so that there is work to do.
        for (id, nid) in [(11u64, "10000000146"), (12, "10000000146"), (13, "10000000078"), (14, "10000000078")] {
            let mut c = Customer::person(id, "Deniz", if id < 13 { "Ak" } else { "Kara" });
            c.national_id = Some(nid.into());
            c.referred_by = (id == 14).then_some(0);
            book.add_customer(c).unwrap();
        }
        let config = crate::quality::DedupConfig::default();
        let rules = crate::quality::GoldenRules::default();
        let at = base() + Duration::days(80);
        let before = internals(&book);
        let mut direct = book.clone();
        let expected = direct.dedupe(&config, &rules, at, true).unwrap();
        prop_assert!(expected.merges.as_ref().is_some_and(|m| m.len() >= 2), "{:?}", expected);
        let mut replica = book.clone();
        let (prepared, outcome, changes) = book.prepare_dedupe(&config, &rules, at).unwrap();
        drop(prepared);
        prop_assert_eq!(internals(&book), before);
        prop_assert_eq!(&outcome, &expected);
        let (prepared, outcome, _) = book.prepare_dedupe(&config, &rules, at).unwrap();
        let outcomes = prepared.apply();
        prop_assert_eq!(&outcome, &expected);
        let merges = expected.merges.clone().unwrap_or_default();
        prop_assert_eq!(outcomes, merges.into_iter().map(ChangeOutcome::Merged).collect::<Vec<_>>());
        prop_assert_eq!(internals(&book), internals(&direct));
        for change in &changes {
            replica.apply_change(change).unwrap();
        }
        prop_assert!(replica.snapshot() == book.snapshot());
    }
}
