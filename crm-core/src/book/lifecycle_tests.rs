//! The lifecycle engine through the book: a customer's stage history worked out by hand,
//! recorded churn and reactivation, exported facts, and invariants.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use crate::book::CustomerBook;
use crate::lifecycle::*;
use crate::model::{
    Churned, ComplaintOpened, ComplaintResolved, Customer, Event, Priority, Purchase, RootCause,
};

fn day(d: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)
}

fn buy(d: i64, amount: i64, category: &str) -> Event {
    Event::new(
        1,
        day(d),
        Purchase {
            amount,
            currency: "TRY".into(),
            product: None,
            category: Some(category.into()),
            channel: None,
        },
    )
}

fn book_with(events: Vec<Event>) -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    let mut c = Customer::person(1, "Elif", "Şahin");
    c.acquired_at = Some(day(0));
    b.add_customer(c).unwrap();
    b.record_all(events).unwrap();
    b
}

fn stages(spells: &[StageSpell]) -> Vec<(Stage, i64)> {
    spells
        .iter()
        .map(|s| (s.stage, (s.from - day(0)).num_days()))
        .collect()
}
#[test]
fn a_customer_history_worked_by_hand() {
    // Default policy: new 90 days, churn 365, at risk after 3 × median gap in [30, 180],
    // loyal after 365 days with 3 purchases in 180.
    // Day 0 acquired → Prospect. Day 10 first purchase → New. Day 40 repeat → Active.
    // Purchases every 30 days to day 100: median gap 30, threshold 90 → At risk at day 190.
    // Day 250 a 300.00 basket (> 1.5 × 100.00) → Active. Purchases 280…370; on day 375
    // (365 days after the first) five purchases lie in the last 180 days → Loyal.
    // Last purchase day 370, median gap still 30 → At risk on day 460; churned on day 735
    // (370 + 365). Day 800 a purchase after the churn → Reactivated; 90 days later (day
    // 890) the comeback is no longer new → Active (silence threshold 180 with one purchase
    // in the new run).
    let mut events: Vec<Event> = [10, 40, 70, 100]
        .iter()
        .map(|&d| buy(d, 10_000, "a"))
        .collect();
    events.push(buy(250, 30_000, "b"));
    events.extend([280, 310, 340, 370].iter().map(|&d| buy(d, 10_000, "a")));
    events.push(buy(800, 10_000, "a"));
    let b = book_with(events.clone());
    let policy = LifecyclePolicy::default();
    let spells = b.stage_history(1, &policy, day(900)).unwrap();
    assert_eq!(
        stages(&spells),
        vec![
            (Stage::Prospect, 0),
            (Stage::New, 10),
            (Stage::Active, 40),
            (Stage::AtRisk, 190),
            (Stage::Active, 250),
            (Stage::Loyal, 375),
            (Stage::AtRisk, 460),
            (Stage::Churned, 735),
            (Stage::Reactivated, 800),
            (Stage::Active, 890),
        ]
    );
    // Spells are contiguous; the last is open.
    assert!(spells.windows(2).all(|w| w[0].to == Some(w[1].from)));
    assert_eq!(spells.last().unwrap().to, None);
    // From the events alone (no acquisition date: the history starts at the first purchase).
    let direct = replay(&policy, &events, day(900)).unwrap();
    assert_eq!(stages(&direct), stages(&spells)[1..].to_vec());
    // The stage as of an instant agrees with the history at every spell.
    for s in &spells {
        let at = b.stages(&policy, s.from).unwrap();
        assert_eq!(
            at.stage[0],
            s.stage,
            "as of day {}",
            (s.from - day(0)).num_days()
        );
    }
}

#[test]
fn recorded_churn_reactivation_and_overdue_complaints() {
    let mut events = vec![buy(0, 10_000, "a"), buy(10, 10_000, "a")];
    events.push(Event::new(
        1,
        day(15),
        ComplaintOpened {
            complaint_id: 5,
            priority: Priority::High,
            category: None,
            channel: None,
            description: None,
        },
    ));
    events.push(Event::new(
        1,
        day(35),
        ComplaintResolved {
            complaint_id: 5,
            root_cause: RootCause::Delivery,
        },
    ));
    events.push(Event::new(
        1,
        day(40),
        Churned {
            reason: Some(ChurnReason::Competition),
        },
    ));
    let mut b = book_with(events);
    let policy = LifecyclePolicy::default();
    // Open 14 days (day 29) without SLA policies → At risk until resolved on day 35; the
    // recorded churn on day 40 ends it.
    let spells = b.stage_history(1, &policy, day(45)).unwrap();
    assert_eq!(
        stages(&spells),
        vec![
            (Stage::New, 0),
            (Stage::Active, 10),
            (Stage::AtRisk, 29),
            (Stage::Active, 35),
            (Stage::Churned, 40),
        ]
    );
    let reasons = b.churn_reasons(&policy, day(45)).unwrap();
    assert_eq!(
        (reasons.churned, reasons.recorded[3], reasons.unknown),
        (1, 1, 0)
    );
    // With SLA policies the complaint is overdue from its breach: 24×7, resolution 2 days
    // → overdue from day 17.
    b.set_sla_policies(Some(
        crate::sla::SlaPolicies::from_json(
            r#"{"name": "d", "targets": {"high": {"resolution": 2880}}}"#,
        )
        .unwrap(),
    ));
    let spells = b.stage_history(1, &policy, day(45)).unwrap();
    assert_eq!(stages(&spells)[2], (Stage::AtRisk, 17));
    // A purchase after the churn reactivates.
    b.record(buy(50, 10_000, "a")).unwrap();
    let spells = b.stage_history(1, &policy, day(60)).unwrap();
    assert_eq!(stages(&spells).last(), Some(&(Stage::Reactivated, 50)));
    // The view shows the stage with its phase and next action.
    b.set_lifecycle_policy(Some(policy)).unwrap();
    let v = b
        .view(1, &crate::book::ViewOptions::as_of(day(60)))
        .unwrap();
    let l = v.lifecycle.unwrap();
    assert_eq!(
        (l.stage, l.phase, l.since),
        (Stage::Reactivated, Phase::Retain, day(50))
    );
    assert_eq!(l.next_action, "welcome and onboard");
}

#[test]
fn exported_facts_classify_like_the_book() {
    use crate::sample::SampleConfig;
    let config = SampleConfig::new(600).seed(11);
    let (book, _) = config.build_book().unwrap();
    let policy = LifecyclePolicy::default();
    let facts = book.stage_facts(&policy, config.end()).unwrap();
    let stages = book.stages(&policy, config.end()).unwrap();
    assert_eq!(facts.customer_id, stages.customer_id);
    assert_eq!(
        classify_columns(&policy, &facts.columns()).unwrap(),
        stages.stage
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Stages are a function of the events: replaying twice gives the same history; spells
    /// are contiguous with no two alike in a row; every instant has exactly one stage, the
    /// one classification as of that instant gives.
    #[test]
    fn stages_are_a_function_of_events(
        purchases in prop::collection::vec((0i64..1500, 1i64..50_000, 0u8..3), 0..12),
        churn in prop::option::of(0i64..1500),
        probe in 0i64..1600,
    ) {
        let mut events: Vec<Event> = purchases
            .iter()
            .map(|&(d, amount, cat)| buy(d, amount, ["a", "b", "c"][cat as usize]))
            .collect();
        if let Some(d) = churn {
            events.push(Event::new(1, day(d), Churned { reason: None }));
        }
        events.sort_by_key(|e| e.at);
        let b = book_with(events);
        let policy = LifecyclePolicy::default();
        let as_of = day(1600);
        let once = b.stage_history(1, &policy, as_of).unwrap();
        prop_assert_eq!(&once, &b.stage_history(1, &policy, as_of).unwrap());
        prop_assert!(once.windows(2).all(|w| w[0].to == Some(w[1].from) && w[0].stage != w[1].stage));
        let at = day(probe);
        let holding: Vec<&StageSpell> = once
            .iter()
            .filter(|s| s.from <= at && s.to.is_none_or(|t| at < t))
            .collect();
        prop_assert_eq!(holding.len(), 1);
        prop_assert_eq!(b.stages(&policy, at).unwrap().stage[0], holding[0].stage);
    }
}
