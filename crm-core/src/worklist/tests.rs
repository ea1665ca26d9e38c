//! The worklist engine on hand-worked columns.

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::ErrorKind;
use crate::lifecycle::{LifecyclePolicy, Stage};
use crate::sla::BusinessCalendar;

fn at() -> DateTime<Utc> {
    // Monday 2 June 2025, 08:00 UTC.
    Utc.with_ymd_and_hms(2025, 6, 2, 8, 0, 0).unwrap()
}

/// Six customers under the default neglect rule (60 days, score 60):
///
/// | id | CLV   | P(alive) | stage   | monetary | score | days | u | b | o |
/// |----|-------|----------|---------|----------|-------|------|---|---|---|
/// | 10 | 10000 | 0.75     | loyal   | –        | 90    | 90   | 0 | 0 | 0 |
/// | 11 | 4000  | 0.5      | active  | –        | 40    | 10   | 2 | 1 | 0 |
/// | 12 | NaN   | NaN      | at_risk | 6000     | 70    | NaN  | 0 | 0 | 1 |
/// | 13 | 2000  | 0.0      | active  | –        | 20    | 30   | 0 | 0 | 0 |
/// | 14 | 1000  | 1.0      | active  | –        | 99    | 300  | 0 | 0 | 0 |
/// | 15 | NaN   | NaN      | prospect| 0        | 0     | NaN  | 1 | 0 | 0 |
///
/// Value at risk and factor (1 + beyond/60 + 0.5u + b + 0.25o):
/// - 10: 10000 × 0.25 = 2500; beyond 30 → 1.5; priority 3750; neglected.
/// - 11: 4000 × 0.5 = 2000; 1 + 0 + 1.0 + 1 = 3.0; priority 6000.
/// - 12: fallback 0.5 × 6000 = 3000; never contacted → beyond 60 → 2, + 0.25 = 2.25;
///   priority 6750; neglected (score 70).
/// - 13: 2000 × 1.0 = 2000; factor 1; priority 2000.
/// - 14: P(alive) 1 → nothing at risk: left out.
/// - 15: prospect share 0 → left out.
///
/// Order: 12 (6750), 11 (6000), 10 (3750), 13 (2000); 2 candidates left out.
struct Fixture {
    ids: Vec<u64>,
    clv: Vec<f64>,
    p: Vec<f64>,
    stage: Vec<Stage>,
    monetary: Vec<i64>,
    score: Vec<f64>,
    days: Vec<f64>,
    u: Vec<u32>,
    b: Vec<u32>,
    o: Vec<u32>,
}

fn fixture() -> Fixture {
    let nan = f64::NAN;
    Fixture {
        ids: vec![10, 11, 12, 13, 14, 15],
        clv: vec![10_000.0, 4_000.0, nan, 2_000.0, 1_000.0, nan],
        p: vec![0.75, 0.5, nan, 0.0, 1.0, nan],
        stage: vec![
            Stage::Loyal,
            Stage::Active,
            Stage::AtRisk,
            Stage::Active,
            Stage::Active,
            Stage::Prospect,
        ],
        monetary: vec![0, 0, 6_000, 0, 0, 0],
        score: vec![90.0, 40.0, 70.0, 20.0, 99.0, 0.0],
        days: vec![90.0, 10.0, nan, 30.0, 300.0, nan],
        u: vec![0, 2, 0, 0, 0, 1],
        b: vec![0, 1, 0, 0, 0, 0],
        o: vec![0, 0, 1, 0, 0, 0],
    }
}

impl Fixture {
    fn columns(&self) -> WorklistColumns<'_> {
        WorklistColumns {
            customer_id: &self.ids,
            clv: &self.clv,
            p_alive: &self.p,
            stage: &self.stage,
            monetary: &self.monetary,
            score: &self.score,
            days_since_contact: &self.days,
            unanswered_inbound: &self.u,
            complaints_breached: &self.b,
            activities_overdue: &self.o,
        }
    }
}

fn ranked(f: &Fixture, limit: usize) -> Worklist {
    let policy = LifecyclePolicy::default();
    let cal = BusinessCalendar::always_open();
    rank(
        &f.columns(),
        &WorklistRules {
            at: at(),
            limit,
            policy: &policy,
            calendar: &cal,
        },
    )
    .unwrap()
}

#[test]
fn priorities_and_order_worked_by_hand() {
    let f = fixture();
    let w = ranked(&f, 10);
    let got: Vec<(u64, f64)> = w.rows.iter().map(|r| (r.customer_id, r.priority)).collect();
    assert_eq!(
        got,
        [(12, 6750.0), (11, 6000.0), (10, 3750.0), (13, 2000.0)]
    );
    assert_eq!(w.candidates, 4);
    let r: Vec<(f64, f64, bool)> = w
        .rows
        .iter()
        .map(|r| (r.value_at_risk, r.neglect_factor, r.neglected))
        .collect();
    assert_eq!(
        r,
        [
            (3000.0, 2.25, true),
            (2000.0, 3.0, false),
            (2500.0, 1.5, true),
            (2000.0, 1.0, false)
        ]
    );
}

#[test]
fn every_reason_path_and_its_next_action() {
    let f = fixture();
    let w = ranked(&f, 10);
    let by = |id: u64| w.rows.iter().find(|r| r.customer_id == id).unwrap();
    // 12: the overdue activity comes before the call for neglect.
    let r12 = by(12);
    assert_eq!(r12.action, NextAction::DoOverdueActivity);
    assert_eq!(r12.next_action, "do the overdue activity");
    assert_eq!(
        r12.reason,
        "value at risk 3000 = 50% of net revenue 6000 (at_risk stage, no CLV prediction); \
         neglected: never contacted by the company (score 70 ≥ 60); 1 activity overdue; \
         neglect factor 2.25"
    );
    assert_eq!(r12.due, at() + chrono::Duration::minutes(240));
    // 11: the breached complaint before the unanswered calls.
    let r11 = by(11);
    assert_eq!(r11.action, NextAction::AnswerComplaint);
    assert_eq!(
        r11.reason,
        "value at risk 2000 = CLV 4000 × (1 − P(alive) 0.50); 1 complaint past the SLA \
         target; 2 unanswered inbound contacts; neglect factor 3.00"
    );
    assert_eq!(r11.due, at() + chrono::Duration::minutes(60));
    // 10: neglected, nothing else to do.
    let r10 = by(10);
    assert_eq!(r10.action, NextAction::CallNeglected);
    assert!(
        r10.reason.contains(
            "neglected: no outbound contact for 90 days (rule: 60 days at score ≥ 60; score 90)"
        ),
        "{}",
        r10.reason
    );
    assert_eq!(r10.due, at() + chrono::Duration::minutes(480));
    // 13: the lifecycle policy's action for an active customer.
    let r13 = by(13);
    assert_eq!(r13.action, NextAction::StageAction);
    assert_eq!(r13.next_action, "cross-sell and up-sell");
    assert_eq!(r13.due, at() + chrono::Duration::minutes(2400));
    // An unanswered contact alone: customer 11 without its complaint.
    let mut g = fixture();
    g.b[1] = 0;
    let w = ranked(&g, 10);
    let r = w.rows.iter().find(|r| r.customer_id == 11).unwrap();
    assert_eq!(r.action, NextAction::ReturnContact);
    assert_eq!(r.priority, 4000.0); // 2000 × (1 + 1.0)
}

#[test]
fn the_limit_keeps_the_best_and_ties_go_by_id() {
    let f = fixture();
    let w = ranked(&f, 2);
    let ids: Vec<u64> = w.rows.iter().map(|r| r.customer_id).collect();
    assert_eq!(ids, [12, 11]);
    assert_eq!((w.limit, w.candidates), (2, 4));
    // Equal priorities: ascending ids, whatever the input order.
    let n = 50u64;
    let ids: Vec<u64> = (0..n).rev().collect();
    let clv = vec![100.0; n as usize];
    let p = vec![0.5; n as usize];
    let stage = vec![Stage::Active; n as usize];
    let zeros = vec![0u32; n as usize];
    let cols = WorklistColumns {
        customer_id: &ids,
        clv: &clv,
        p_alive: &p,
        stage: &stage,
        monetary: &vec![0; n as usize],
        score: &vec![0.0; n as usize],
        days_since_contact: &vec![0.0; n as usize],
        unanswered_inbound: &zeros,
        complaints_breached: &zeros,
        activities_overdue: &zeros,
    };
    let policy = LifecyclePolicy::default();
    let cal = BusinessCalendar::always_open();
    let rules = WorklistRules {
        at: at(),
        limit: 5,
        policy: &policy,
        calendar: &cal,
    };
    let w = rank(&cols, &rules).unwrap();
    let got: Vec<u64> = w.rows.iter().map(|r| r.customer_id).collect();
    assert_eq!(got, [0, 1, 2, 3, 4]);
}

#[test]
fn due_instants_follow_the_business_calendar() {
    // 09:00-18:00 Monday to Friday in UTC: 480 business minutes from Monday 17:00 end on
    // Tuesday 16:00 (1 h on Monday, 7 h on Tuesday from 09:00).
    let cal = BusinessCalendar::from_json(
        r#"{"week": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]]}}"#,
    )
    .unwrap();
    let monday = Utc.with_ymd_and_hms(2025, 6, 2, 17, 0, 0).unwrap();
    let due = due_after_business_minutes(&cal, monday, 480).unwrap();
    assert_eq!(due, Utc.with_ymd_and_hms(2025, 6, 3, 16, 0, 0).unwrap());
}

#[test]
fn bad_input_names_the_field() {
    let mut f = fixture();
    f.score.pop();
    let policy = LifecyclePolicy::default();
    let cal = BusinessCalendar::always_open();
    let rules = WorklistRules {
        at: at(),
        limit: 5,
        policy: &policy,
        calendar: &cal,
    };
    let err = rank(&f.columns(), &rules).unwrap_err();
    assert_eq!(err.field(), Some("score"));
    let f = fixture();
    let err = rank(&f.columns(), &WorklistRules { limit: 0, ..rules }).unwrap_err();
    assert_eq!(err.field(), Some("limit"));
    let base = r#""at": "2025-06-02T08:00:00Z""#;
    for (json, field) in [
        (format!(r#"{{{base}, "limit": 0}}"#), "limit"),
        (format!(r#"{{{base}, "limit": 100001}}"#), "limit"),
        (
            format!(r#"{{{base}, "capacity": {{"agents": 0}}}}"#),
            "capacity.agents",
        ),
        (
            format!(r#"{{{base}, "capacity": {{"calls_per_agent": 1001}}}}"#),
            "capacity.calls_per_agent",
        ),
        (
            format!(r#"{{{base}, "lifecycle": {{"neglect": {{"after_days": 0}}}}}}"#),
            "neglect.after_days",
        ),
        (
            format!(r#"{{{base}, "lifecycle": {{"neglect": {{"min_score": 101}}}}}}"#),
            "neglect.min_score",
        ),
    ] {
        let err = WorklistOptions::from_json(&json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{json}: {err}");
        assert_eq!(err.field(), Some(field), "{json}: {err}");
    }
    let err =
        WorklistOptions::from_json(r#"{"at": "2025-06-02T08:00:00Z", "limt": 3}"#).unwrap_err();
    assert!(err.to_string().contains("limt"), "{err}");
    // The default capacity: 5 agents × 40 calls.
    let o = WorklistOptions::from_json(r#"{"at": "2025-06-02T08:00:00Z"}"#).unwrap();
    assert_eq!(o.row_limit(), 200);
}
