//! Lifecycle reports, policies and columnar classification worked out by hand (the stage
//! histories the book replays are tested in `book/lifecycle_tests.rs`).

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn day(d: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)
}

#[test]
fn funnel_and_time_in_stage_by_hand() {
    // Two histories over [day 0, day 100):
    // A: Prospect 0–10, New 10–40, Active 40– (open).
    // B: New −20–30, At risk 30–60, Churned 60– (open).
    let spell = |stage, from: i64, to: Option<i64>| StageSpell {
        stage,
        from: day(from),
        to: to.map(day),
    };
    let a = vec![
        spell(Stage::Prospect, 0, Some(10)),
        spell(Stage::New, 10, Some(40)),
        spell(Stage::Active, 40, None),
    ];
    let b = vec![
        spell(Stage::New, -20, Some(30)),
        spell(Stage::AtRisk, 30, Some(60)),
        spell(Stage::Churned, 60, None),
    ];
    let r = lifecycle_report([a.as_slice(), b.as_slice()], day(0), day(100)).unwrap();
    let ix = |s: Stage| s.index();
    assert_eq!(r.were_in[ix(Stage::New)], 2);
    assert_eq!(
        r.entered[ix(Stage::New)],
        1,
        "B entered New before the period"
    );
    assert_eq!(r.transitions[ix(Stage::New)][ix(Stage::Active)], 1);
    assert_eq!(r.transitions[ix(Stage::New)][ix(Stage::AtRisk)], 1);
    assert_eq!(r.at_end[ix(Stage::Active)], 1);
    assert_eq!(r.at_end[ix(Stage::Churned)], 1);
    // New → Active: 1 of the 2 customers who were New.
    let step = &r.funnel[1];
    assert_eq!(
        (step.from, step.to, step.customers, step.converted),
        (Stage::New, Stage::Active, 2, 1)
    );
    assert_eq!(step.rate, Some(0.5));
    // New spells: A 30 days, B 50 days (from day −20) → mean 40. Active: 40 → 100 = 60.
    assert_eq!(r.mean_days_in_stage[ix(Stage::New)], Some(40.0));
    assert_eq!(r.mean_days_in_stage[ix(Stage::Active)], Some(60.0));
    assert_eq!(r.mean_days_in_stage[ix(Stage::Loyal)], None);
    assert!(lifecycle_report([a.as_slice()], day(5), day(5)).is_err());
}

#[test]
fn policies_are_validated_and_round_trip() {
    let err = |t: &str| LifecyclePolicy::from_json(t).unwrap_err().to_string();
    assert!(err(r#"{"new_days": -1}"#).contains("new_days"));
    assert!(err(r#"{"churn_days": 100}"#).contains("churn_days"));
    assert!(err(r#"{"at_risk": {"floor_days": 200}}"#).contains("at_risk.floor_days"));
    assert!(err(r#"{"churn_priors": {"died": 0.5}}"#).contains("sum to 1"));
    assert!(err(r#"{"active": {"up_sell_ratio": 0.9}}"#).contains("up_sell_ratio"));
    assert!(err(r#"{"nwe_days": 3}"#).contains("nwe_days"));
    let p = LifecyclePolicy::from_json(
        r#"{"next_actions": {"at_risk": "call within a week"},
            "churn_priors": {"indifference": 0.5, "dissatisfied": 0.5}}"#,
    )
    .unwrap();
    assert_eq!(p.next_action(Stage::AtRisk), "call within a week");
    assert_eq!(p.next_action(Stage::Loyal), "reward");
    assert_eq!(p.churn_priors(), [0.0, 0.0, 0.0, 0.0, 0.5, 0.5]);
    assert_eq!(LifecyclePolicy::from_json(&p.to_json()).unwrap(), p);
    assert_eq!(
        LifecyclePolicy::default().churn_priors(),
        ChurnReason::DEFAULT_PRIORS
    );
    assert!((ChurnReason::DEFAULT_PRIORS.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn columns_classify_like_rows() {
    let policy = LifecyclePolicy::default();
    let c = StageColumns {
        purchases: &[0, 1, 3, 1],
        days_since_first: &[f64::NAN, 5.0, 400.0, 120.0],
        days_since_last: &[f64::NAN, 5.0, 10.0, 120.0],
        median_gap_days: &[f64::NAN, f64::NAN, 20.0, f64::NAN],
        categories: &[0, 1, 1, 1],
        upsold: &[0, 0, 0, 0],
        recent_purchases: &[0, 1, 3, 0],
        reactivated: &[0, 0, 0, 0],
        churn_recorded: &[0, 0, 0, 0],
        overdue_complaint: &[0, 0, 0, 0],
    };
    // A prospect; new; loyal (400 days, 3 recent); one purchase 120 days ago: past the new
    // window without growing → at risk.
    assert_eq!(
        classify_columns(&policy, &c).unwrap(),
        vec![Stage::Prospect, Stage::New, Stage::Loyal, Stage::AtRisk]
    );
    let short = StageColumns { upsold: &[0], ..c };
    assert_eq!(
        classify_columns(&policy, &short).unwrap_err().field(),
        Some("upsold")
    );
}
