//! SLA evaluation against deadlines worked out by hand, the peer-system failures that must
//! not happen here, and invariants.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::model::{ComplaintStatus, Direction, Priority, RootCause};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

const ISTANBUL_WEEK: &str = r#"{"time_zone": "Europe/Istanbul",
    "week": {"mon": [["09:00","12:30"],["13:30","18:00"]], "tue": [["09:00","12:30"],["13:30","18:00"]],
             "wed": [["09:00","12:30"],["13:30","18:00"]], "thu": [["09:00","12:30"],["13:30","18:00"]],
             "fri": [["09:00","12:30"],["13:30","18:00"]]},
    "holidays": ["2025-04-23"],
    "special_days": [{"date": "2025-03-28", "hours": [["09:00","13:00"]]}]}"#;

/// İstanbul business hours (UTC+3, no DST since 2016) with lunch 12:30–13:30, 23 April a
/// holiday and Friday 28 March 2025 a half day. Targets in business minutes.
fn istanbul_policy() -> SlaPolicies {
    SlaPolicies::from_json(&format!(
        r#"{{"name": "istanbul", "calendar": {ISTANBUL_WEEK},
            "targets": {{"low": {{"first_response": 480, "resolution": 960}},
                         "normal": {{"first_response": 120, "resolution": 480}},
                         "high": {{"first_response": 60, "resolution": 240}},
                         "urgent": {{"first_response": 30, "resolution": 60}}}},
            "escalation": [{{"level": 1, "at_share": 0.75, "to": "team lead"}},
                           {{"level": 2, "at_share": 1.0, "to": "manager"}}]}}"#
    ))
    .unwrap()
}

fn trail(
    opened_at: DateTime<Utc>,
    priority: Priority,
    steps: &[(DateTime<Utc>, Change)],
) -> ComplaintTrail {
    ComplaintTrail {
        complaint_id: 1,
        customer_id: 7,
        opened_at,
        priority,
        category: None,
        channel: None,
        tier: None,
        steps: steps
            .iter()
            .map(|&(at, change)| Step { at, change })
            .collect(),
    }
}

fn status(s: ComplaintStatus) -> Change {
    Change::Status { status: s }
}

fn eval(p: &SlaPolicies, t: &ComplaintTrail, now: DateTime<Utc>) -> ComplaintSla {
    p.evaluate(t, now).unwrap().expect("a policy applies")
}

#[test]
fn friday_evening_complaint_is_due_monday_at_lunch() {
    // Opened Friday 7 March 2025 17:30 İstanbul (14:30Z), high priority.
    // First response 60 min: 30 on Friday (17:30–18:00) + 30 on Monday → Mon 09:30 (06:30Z).
    // Resolution 240 min: 30 on Friday + 210 on Monday 09:00–12:30 → Mon 12:30 (09:30Z).
    // As of Monday 10:00 (07:00Z) with no response: 30 + 60 = 90 minutes used.
    let p = istanbul_policy();
    let t = trail(utc(2025, 3, 7, 14, 30), Priority::High, &[]);
    let sla = eval(&p, &t, utc(2025, 3, 10, 7, 0));
    let fr = sla.first_response.unwrap();
    assert_eq!(fr.state, SlaState::Breached);
    assert_eq!(fr.breached_at, Some(utc(2025, 3, 10, 6, 30)));
    assert_eq!(fr.used_minutes, 90.0);
    assert_eq!(fr.left_minutes, -30.0);
    assert_eq!(fr.escalation_level, 2);
    let res = sla.resolution.unwrap();
    assert_eq!(res.state, SlaState::Running);
    assert_eq!(res.due_at, Some(utc(2025, 3, 10, 9, 30)));
    assert_eq!(res.used_minutes, 90.0);
    assert_eq!(res.left_minutes, 150.0);
    assert_eq!(res.elapsed_share, 0.375);
    assert_eq!(res.warnings, 0, "50% is 120 minutes");
    assert!(sla.breached);
    // The first response is still missing, so its level-2 escalation is current.
    assert_eq!(sla.escalation_level, 2);
    assert_eq!(sla.escalate_to.as_deref(), Some("manager"));
}

#[test]
fn a_holiday_and_a_half_day_move_the_deadline() {
    let p = istanbul_policy();
    // Tuesday 22 April 17:00 (14:00Z), high: 60 min on Tuesday, Wednesday 23 April is a
    // holiday, 180 min on Thursday from 09:00 → Thursday 12:00 (09:00Z).
    let t = trail(utc(2025, 4, 22, 14, 0), Priority::High, &[]);
    let sla = eval(&p, &t, utc(2025, 4, 22, 14, 0));
    assert_eq!(sla.resolution.unwrap().due_at, Some(utc(2025, 4, 24, 9, 0)));
    // Friday 28 March 11:00 (08:00Z) on a 09:00–13:00 half day: 120 min on Friday, then
    // Monday 31 March 09:00 + 120 → 11:00 (08:00Z).
    let t = trail(utc(2025, 3, 28, 8, 0), Priority::High, &[]);
    let sla = eval(&p, &t, utc(2025, 3, 28, 8, 0));
    assert_eq!(sla.resolution.unwrap().due_at, Some(utc(2025, 3, 31, 8, 0)));
}

#[test]
fn waiting_on_the_customer_pauses_the_clock() {
    // Opened Monday 10 March 09:00 (06:00Z), high (resolution 240). Waiting on the customer
    // from 10:00 (60 used) until Tuesday 10:00; the 180 left run Tuesday 10:00–12:30 (150)
    // and 13:30–14:00 (30) → due Tuesday 14:00 (11:00Z).
    let p = istanbul_policy();
    let steps = [
        (utc(2025, 3, 10, 6, 30), Change::Responded),
        (
            utc(2025, 3, 10, 7, 0),
            status(ComplaintStatus::WaitingOnCustomer),
        ),
        (utc(2025, 3, 11, 7, 0), status(ComplaintStatus::InProgress)),
    ];
    let t = trail(utc(2025, 3, 10, 6, 0), Priority::High, &steps);
    let paused = eval(&p, &t, utc(2025, 3, 10, 12, 0));
    let res = paused.resolution.unwrap();
    assert_eq!(
        (res.state, res.due_at, res.used_minutes),
        (SlaState::Paused, None, 60.0)
    );
    // Tuesday 12:00 (09:00Z): 60 + 120 used = 75% → both default warnings and level 1.
    let sla = eval(&p, &t, utc(2025, 3, 11, 9, 0));
    let res = sla.resolution.unwrap();
    assert_eq!(res.due_at, Some(utc(2025, 3, 11, 11, 0)));
    assert_eq!(
        (res.used_minutes, res.warnings, res.escalation_level),
        (180.0, 2, 1)
    );
    assert_eq!(sla.escalate_to.as_deref(), Some("team lead"));
}

#[test]
fn hold_time_is_kept_when_a_paused_complaint_is_resolved() {
    // frappe helpdesk lost the hold time when a ticket went from paused straight to
    // resolved. Opened Monday 09:00, waiting from 10:00, resolved Tuesday 16:00 while still
    // waiting: only the first hour counts.
    let p = istanbul_policy();
    let steps = [
        (
            utc(2025, 3, 10, 7, 0),
            status(ComplaintStatus::WaitingOnCustomer),
        ),
        (
            utc(2025, 3, 11, 13, 0),
            Change::Resolved {
                root_cause: RootCause::CustomerError,
            },
        ),
    ];
    let t = trail(utc(2025, 3, 10, 6, 0), Priority::High, &steps);
    let sla = eval(&p, &t, utc(2025, 3, 20, 0, 0));
    let res = sla.resolution.unwrap();
    assert_eq!(res.state, SlaState::Met);
    assert_eq!(res.used_minutes, 60.0);
    assert_eq!(res.completed_at, Some(utc(2025, 3, 11, 13, 0)));
    assert_eq!(
        res.started_at,
        utc(2025, 3, 10, 6, 0),
        "hold time is not added to the opening"
    );
    assert_eq!(sla.resolved_at, Some(utc(2025, 3, 11, 13, 0)));
    assert!(!sla.breached);
}

#[test]
fn a_priority_change_re_targets_from_the_opening() {
    // Opened Monday 09:00 (06:00Z) as low (resolution 960); raised to urgent (60) at 11:00.
    // The urgent target counts from the opening, so it was passed at 10:00 (07:00Z).
    let p = istanbul_policy();
    let steps = [(
        utc(2025, 3, 10, 8, 0),
        Change::Priority {
            priority: Priority::Critical,
        },
    )];
    let t = trail(utc(2025, 3, 10, 6, 0), Priority::Low, &steps);
    let before = eval(&p, &t, utc(2025, 3, 10, 7, 30));
    assert_eq!(before.priority, Priority::Low);
    assert_eq!(before.resolution.unwrap().state, SlaState::Running);
    let after = eval(&p, &t, utc(2025, 3, 10, 8, 30));
    assert_eq!(after.priority, Priority::Critical);
    let res = after.resolution.unwrap();
    assert_eq!(
        (res.state, res.breached_at),
        (SlaState::Breached, Some(utc(2025, 3, 10, 7, 0)))
    );
}

#[test]
fn a_breach_stays_recorded_after_resolution() {
    // Urgent, opened Monday 09:00: resolution due 10:00; resolved at 11:00.
    let p = istanbul_policy();
    let steps = [
        (utc(2025, 3, 10, 6, 10), Change::Responded),
        (
            utc(2025, 3, 10, 8, 0),
            Change::Resolved {
                root_cause: RootCause::Billing,
            },
        ),
        (utc(2025, 3, 10, 9, 0), Change::Closed),
    ];
    let t = trail(utc(2025, 3, 10, 6, 0), Priority::Critical, &steps);
    let sla = eval(&p, &t, utc(2025, 6, 1, 0, 0));
    let res = sla.resolution.unwrap();
    assert_eq!(res.state, SlaState::Breached);
    assert_eq!(res.breached_at, Some(utc(2025, 3, 10, 7, 0)));
    assert_eq!(res.completed_at, Some(utc(2025, 3, 10, 8, 0)));
    assert_eq!(sla.first_response.unwrap().state, SlaState::Met);
    assert_eq!(sla.status, ComplaintStatus::Closed);
    assert_eq!(sla.escalation_level, 0, "nothing is running any more");
}

#[test]
fn reopening_resumes_the_resolution_clock_without_the_resolved_time() {
    // Normal (resolution 480 = 8 business hours). Opened Monday 09:00, resolved 11:00
    // (120 used), reopened Wednesday 09:00: 360 left → Wed 09:00–12:30 (210) + 13:30–16:00
    // (150) → Wednesday 16:00 (13:00Z).
    let p = istanbul_policy();
    let steps = [
        (utc(2025, 3, 10, 6, 30), Change::Responded),
        (
            utc(2025, 3, 10, 8, 0),
            Change::Resolved {
                root_cause: RootCause::Delivery,
            },
        ),
        (utc(2025, 3, 12, 6, 0), Change::Reopened),
    ];
    let t = trail(utc(2025, 3, 10, 6, 0), Priority::Medium, &steps);
    let sla = eval(&p, &t, utc(2025, 3, 12, 6, 0));
    let res = sla.resolution.unwrap();
    assert_eq!(res.used_minutes, 120.0);
    assert_eq!(res.due_at, Some(utc(2025, 3, 12, 13, 0)));
    assert_eq!(res.started_at, utc(2025, 3, 12, 6, 0));
    assert_eq!(sla.resolved_at, None);
}

#[test]
fn a_lunch_break_is_a_gap_not_a_holiday() {
    // osTicket treated a lunch break entered as a holiday as a closed day. Opened Monday
    // 12:00 (09:00Z), high first response 60: 12:00–12:30 (30) + 13:30–14:00 (30) → 14:00
    // the same day (11:00Z), not the next day.
    let p = istanbul_policy();
    let t = trail(utc(2025, 3, 10, 9, 0), Priority::High, &[]);
    let sla = eval(&p, &t, utc(2025, 3, 10, 9, 0));
    assert_eq!(
        sla.first_response.unwrap().due_at,
        Some(utc(2025, 3, 10, 11, 0))
    );
}

#[test]
fn a_weekend_only_schedule_is_not_overdue_at_once() {
    // osTicket marked tickets overdue at once unless certain weekdays were in the schedule.
    // Saturday/Sunday 10:00–16:00 UTC only: opened Monday 3 March 2025, 60-minute target →
    // Saturday 8 March 11:00.
    let p = SlaPolicies::from_json(
        r#"{"name": "weekend desk",
            "calendar": {"time_zone": "UTC", "week": {"sat": [["10:00","16:00"]], "sun": [["10:00","16:00"]]}},
            "targets": {"normal": {"first_response": 60}}}"#,
    )
    .unwrap();
    let t = trail(utc(2025, 3, 3, 9, 0), Priority::Medium, &[]);
    let fr = eval(&p, &t, utc(2025, 3, 5, 9, 0)).first_response.unwrap();
    assert_eq!(fr.state, SlaState::Running);
    assert_eq!(fr.due_at, Some(utc(2025, 3, 8, 11, 0)));
    assert_eq!(fr.used_minutes, 0.0);
}

#[test]
fn past_complaints_use_the_offset_of_their_own_time() {
    // A widely used Zendesk analytics package computed business minutes of past tickets with
    // today's UTC offset. New York 09:00–17:00: a January complaint (EST, UTC−5) opened
    // Friday 10 January 2025 16:00 (21:00Z) with a 120-minute target is due Monday 13
    // January 10:00 EST = 15:00Z — also when evaluated in July under EDT.
    let day = r#"[["09:00","17:00"]]"#;
    let p = SlaPolicies::from_json(&format!(
        r#"{{"name": "ny", "calendar": {{"time_zone": "America/New_York",
            "week": {{"mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}}}}},
            "targets": {{"normal": {{"resolution": 120}}}}}}"#
    ))
    .unwrap();
    let t = trail(
        utc(2025, 1, 10, 21, 0),
        Priority::Medium,
        &[(
            utc(2025, 1, 13, 14, 30),
            Change::Resolved {
                root_cause: RootCause::Other,
            },
        )],
    );
    let res = eval(&p, &t, utc(2025, 7, 15, 12, 0)).resolution.unwrap();
    assert_eq!(
        res.used_minutes, 90.0,
        "60 on Friday, 30 on Monday 09:00–09:30 EST"
    );
    assert_eq!(res.due_at, Some(utc(2025, 1, 13, 15, 0)));
    assert_eq!(res.state, SlaState::Met);
}

#[test]
fn london_deadlines_cross_the_spring_forward_weekend() {
    // 09:00–17:00 Europe/London. Friday 28 March 2025 16:00 GMT (16:00Z), 120 minutes: 60 on
    // Friday, clocks go forward on Sunday, Monday 31 March 09:00 BST + 60 = 10:00 BST = 09:00Z.
    let day = r#"[["09:00","17:00"]]"#;
    let p = SlaPolicies::from_json(&format!(
        r#"{{"name": "uk", "calendar": {{"time_zone": "Europe/London",
            "week": {{"mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}}}}},
            "targets": {{"high": {{"resolution": 120}}}}}}"#
    ))
    .unwrap();
    let t = trail(utc(2025, 3, 28, 16, 0), Priority::High, &[]);
    assert_eq!(
        eval(&p, &t, utc(2025, 3, 28, 16, 0))
            .resolution
            .unwrap()
            .due_at,
        Some(utc(2025, 3, 31, 9, 0))
    );
    // Fall back: Friday 24 October 16:00 BST (15:00Z) → Monday 27 October 10:00 GMT = 10:00Z.
    let t = trail(utc(2025, 10, 24, 15, 0), Priority::High, &[]);
    assert_eq!(
        eval(&p, &t, utc(2025, 10, 24, 15, 0))
            .resolution
            .unwrap()
            .due_at,
        Some(utc(2025, 10, 27, 10, 0))
    );
}

#[test]
fn deadlines_are_read_in_the_policy_time_zone() {
    // frappe helpdesk read deadlines in the agent's time zone. The same 09:00–18:00 week in
    // UTC would put Friday 17:30Z + 240 at Monday 12:30Z; the İstanbul policy says 09:30Z.
    let p = istanbul_policy();
    let t = trail(utc(2025, 3, 7, 14, 30), Priority::High, &[]);
    let due = eval(&p, &t, utc(2025, 3, 7, 14, 30))
        .resolution
        .unwrap()
        .due_at
        .unwrap();
    assert_eq!(due, utc(2025, 3, 10, 9, 30));
}

#[test]
fn next_response_never_overrides_first_response() {
    // Zammad let a next-reply target replace the first-response target. Opened Monday 09:00
    // (06:00Z); the customer writes again at 09:10 before any answer. First response (30)
    // is due 09:30 on its own clock; next response (20) has not started.
    let p = SlaPolicies::from_json(
        r#"{"name": "chat", "targets": {"normal": {"first_response": 30, "next_response": 20}}}"#,
    )
    .unwrap();
    let inbound = Change::Message {
        direction: Direction::Inbound,
    };
    let outbound = Change::Message {
        direction: Direction::Outbound,
    };
    let mut steps = vec![(utc(2025, 3, 10, 6, 10), inbound)];
    let t = trail(utc(2025, 3, 10, 6, 0), Priority::Medium, &steps);
    let sla = eval(&p, &t, utc(2025, 3, 10, 6, 20));
    assert_eq!(
        sla.first_response.unwrap().due_at,
        Some(utc(2025, 3, 10, 6, 30))
    );
    assert!(sla.next_response.is_none());
    // Answered 09:25; the customer writes 09:40 and 09:45; answered 10:10: the clock ran
    // from the oldest unanswered message (09:40), 30 minutes → breached at 10:00.
    steps.extend([
        (utc(2025, 3, 10, 6, 25), outbound),
        (utc(2025, 3, 10, 6, 40), inbound),
        (utc(2025, 3, 10, 6, 45), inbound),
        (utc(2025, 3, 10, 7, 10), outbound),
    ]);
    let t = trail(utc(2025, 3, 10, 6, 0), Priority::Medium, &steps);
    let sla = eval(&p, &t, utc(2025, 3, 10, 8, 0));
    assert_eq!(sla.first_response.unwrap().state, SlaState::Met);
    let next = sla.next_response.unwrap();
    assert_eq!(next.started_at, utc(2025, 3, 10, 6, 40));
    assert_eq!((next.state, next.used_minutes), (SlaState::Breached, 30.0));
    assert_eq!(next.breached_at, Some(utc(2025, 3, 10, 7, 0)));
}

#[test]
fn open_complaints_are_re_timed_when_the_holidays_change() {
    // No deadline is stored: declaring Monday 10 March a holiday moves the Friday-evening
    // complaint's resolution from Monday 12:30 to Tuesday 12:30.
    let t = trail(utc(2025, 3, 7, 14, 30), Priority::High, &[]);
    let before = eval(&istanbul_policy(), &t, utc(2025, 3, 7, 15, 0));
    let with_holiday = ISTANBUL_WEEK.replace(
        r#""holidays": ["2025-04-23"]"#,
        r#""holidays": ["2025-04-23", "2025-03-10"]"#,
    );
    let p = SlaPolicies::from_json(&format!(
        r#"{{"name": "istanbul", "calendar": {with_holiday}, "targets": {{"high": {{"resolution": 240}}}}}}"#
    ))
    .unwrap();
    let after = eval(&p, &t, utc(2025, 3, 7, 15, 0));
    assert_eq!(
        before.resolution.unwrap().due_at,
        Some(utc(2025, 3, 10, 9, 30))
    );
    assert_eq!(
        after.resolution.unwrap().due_at,
        Some(utc(2025, 3, 11, 9, 30))
    );
}

#[test]
fn tier_and_category_overrides_and_the_first_matching_policy() {
    let p = SlaPolicies::from_json(
        r#"[{"name": "web", "when": {"channels": ["web"]}, "targets": {"normal": {"first_response": 600}}},
            {"name": "standard",
             "targets": {"normal": {"first_response": 240, "resolution": 2880}},
             "tiers": {"Platinum": {"normal": {"first_response": 60}}},
             "categories": {"billing": {"normal": {"first_response": 120, "resolution": 1440}}}}]"#,
    )
    .unwrap();
    let mut t = trail(utc(2025, 3, 10, 6, 0), Priority::Medium, &[]);
    let target = |t: &ComplaintTrail, m| {
        eval(&p, t, utc(2025, 3, 10, 6, 0))
            .metric(m)
            .map(|x| x.target.minutes)
    };
    assert_eq!(target(&t, Metric::FirstResponse), Some(240));
    t.category = Some(Arc::from("billing"));
    assert_eq!(target(&t, Metric::FirstResponse), Some(120));
    t.tier = Some(Arc::from("Platinum"));
    assert_eq!(
        target(&t, Metric::FirstResponse),
        Some(60),
        "the tier beats the category"
    );
    assert_eq!(
        target(&t, Metric::Resolution),
        Some(1440),
        "the category fills what the tier leaves"
    );
    t.channel = Some(crate::model::Channel::Web);
    assert_eq!(eval(&p, &t, utc(2025, 3, 10, 6, 0)).policy.as_ref(), "web");
    assert_eq!(target(&t, Metric::Resolution), None);
}

#[test]
fn type_and_range_errors_name_the_same_full_path_in_every_form() {
    let field = |text: &str| {
        SlaPolicies::from_json(text)
            .unwrap_err()
            .field()
            .map(str::to_owned)
    };
    let one = |v: &str| format!(r#"{{"name": "x", "targets": {{"high": {{"resolution": {v}}}}}}}"#);
    let second = "policies[1].targets.high.resolution";
    for (what, text) in [("zero", "0"), ("text", "\"soon\""), ("negative", "-5")] {
        let full = Some("policies[0].targets.high.resolution".to_owned());
        assert_eq!(field(&one(text)), full, "one policy, {what}");
        assert_eq!(field(&format!("[{}]", one(text))), full, "a list, {what}");
        let wrapped = format!(r#"{{"policies": [{{"name": "ok"}}, {}]}}"#, one(text));
        assert_eq!(field(&wrapped).as_deref(), Some(second), "wrapped, {what}");
    }
}

#[test]
fn policies_are_validated_with_the_field_named() {
    let err = |text: &str| SlaPolicies::from_json(text).unwrap_err().to_string();
    assert!(
        err(r#"{"name": "x", "targets": {"urgent": {"resolution": 0}}}"#)
            .contains("policies[0].targets.critical.resolution")
    );
    assert!(
        err(r#"{"name": "x", "warnings": [{"at_share": 1.5}]}"#).contains("warnings[0].at_share")
    );
    assert!(err(r#"{"name": "x", "escalation": [{"level": 2, "at_share": 0.5, "to": "a"}, {"level": 1, "at_share": 0.9, "to": "b"}]}"#)
        .contains("escalation[1]"));
    assert!(err(r#"{"name": "x", "pause_statuses": ["closed"]}"#).contains("pause_statuses[0]"));
    assert!(
        err(r#"{"name": "x", "calendar": {"time_zone": "Mars/Olympus", "always_open": true}}"#)
            .contains("policies[0].calendar")
    );
    assert!(
        err(r#"{"name": "x", "targets": {"normal": {"first_reply": 5}}}"#).contains("first_reply")
    );
    assert!(err("[]").contains("at least one policy"));
    // The JSON form round-trips.
    let p = istanbul_policy();
    let again = SlaPolicies::from_json(&p.to_json()).unwrap();
    assert_eq!(
        again.policies().collect::<Vec<_>>(),
        p.policies().collect::<Vec<_>>()
    );
}

#[test]
fn trails_come_from_book_events() {
    use crate::model::{ComplaintOpened, ComplaintStatusChanged, Event};
    let events = vec![
        Event::new(
            7,
            utc(2025, 3, 10, 6, 0),
            ComplaintOpened {
                complaint_id: 1,
                priority: Priority::High,
                category: None,
                channel: None,
                description: None,
            },
        ),
        Event::new(
            7,
            utc(2025, 3, 10, 7, 0),
            ComplaintStatusChanged {
                complaint_id: 1,
                status: ComplaintStatus::WaitingOnCustomer,
            },
        ),
    ];
    let t = ComplaintTrail::from_events(&events, Some("Gold")).unwrap();
    assert_eq!(
        t.steps,
        vec![Step {
            at: utc(2025, 3, 10, 7, 0),
            change: status(ComplaintStatus::WaitingOnCustomer)
        }]
    );
    assert_eq!(t.tier.as_deref(), Some("Gold"));
    let err = ComplaintTrail::from_events(&events[1..], None).unwrap_err();
    assert_eq!(err.field(), Some("events[0].type"));
}

fn arb_steps() -> impl Strategy<Value = Vec<(i64, u8)>> {
    prop::collection::vec((0i64..20 * 24 * 60, 0u8..6), 0..8)
}

fn build(opened: DateTime<Utc>, raw: &[(i64, u8)]) -> ComplaintTrail {
    let mut raw = raw.to_vec();
    raw.sort_unstable();
    let mut resolved = false;
    let mut steps = Vec::new();
    for (minute, kind) in raw {
        let at = opened + Duration::minutes(minute);
        let change = match (kind, resolved) {
            (0, false) => status(ComplaintStatus::WaitingOnCustomer),
            (1, false) => status(ComplaintStatus::InProgress),
            (2, false) => Change::Responded,
            (3, false) => Change::Message {
                direction: Direction::Inbound,
            },
            (4, false) => {
                resolved = true;
                Change::Resolved {
                    root_cause: RootCause::Other,
                }
            }
            (5, true) => {
                resolved = false;
                Change::Reopened
            }
            _ => continue,
        };
        steps.push((at, change));
    }
    trail(opened, Priority::High, &steps)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A running clock's due instant lies inside business hours, and the business time from
    /// opening to it equals the target when nothing paused it.
    #[test]
    fn due_instants_are_in_business_hours(open_minute in 0i64..30 * 24 * 60, now_minute in 0i64..10 * 24 * 60) {
        let p = istanbul_policy();
        let cal = BusinessCalendar::from_json(ISTANBUL_WEEK).unwrap();
        let opened = utc(2025, 3, 1, 0, 0) + Duration::minutes(open_minute);
        let t = trail(opened, Priority::High, &[]);
        let sla = eval(&p, &t, opened + Duration::minutes(now_minute));
        let res = sla.resolution.unwrap();
        let due = res.due_at.unwrap();
        prop_assert!(cal.is_open(due));
        prop_assert_eq!(cal.business_minutes_between(opened, due), 240);
    }

    /// Replaying the same events gives the same state, in a batch as one by one, and the
    /// used time never exceeds the business time since opening.
    #[test]
    fn evaluation_is_a_function_of_the_events(raw in arb_steps(), now_minute in 0i64..25 * 24 * 60) {
        let p = istanbul_policy();
        let cal = BusinessCalendar::from_json(ISTANBUL_WEEK).unwrap();
        let opened = utc(2025, 3, 3, 7, 0);
        let t = build(opened, &raw);
        let now = opened + Duration::minutes(now_minute);
        let one = eval(&p, &t, now);
        let batch = p.evaluate_all(std::slice::from_ref(&t), now).unwrap();
        prop_assert_eq!(Some(&one), batch[0].as_ref());
        prop_assert_eq!(&one, &eval(&p, &t, now));
        let res = one.resolution.unwrap();
        prop_assert!(res.used_minutes <= cal.business_minutes_between(opened, now) as f64 + 1e-9);
        if let Some(due) = res.due_at {
            prop_assert!(cal.is_open(due));
        }
    }
}

#[test]
fn reports_worked_by_hand() {
    // 24×7, urgent resolution 60 minutes. A resolved after 30 (in target, customer error),
    // B after 90 (late, billing), C still open at 20 minutes, D closed unresolved at 10.
    let p =
        SlaPolicies::from_json(r#"{"name": "desk", "targets": {"urgent": {"resolution": 60}}}"#)
            .unwrap();
    let o = utc(2025, 5, 5, 9, 0);
    let m = |x: i64| o + Duration::minutes(x);
    let mut trails = vec![
        trail(
            o,
            Priority::Critical,
            &[(
                m(30),
                Change::Resolved {
                    root_cause: RootCause::CustomerError,
                },
            )],
        ),
        trail(
            o,
            Priority::Critical,
            &[(
                m(90),
                Change::Resolved {
                    root_cause: RootCause::Billing,
                },
            )],
        ),
        trail(m(160), Priority::Critical, &[]),
        trail(o, Priority::Critical, &[(m(10), Change::Closed)]),
    ];
    for (i, t) in trails.iter_mut().enumerate() {
        t.complaint_id = i as u64;
    }
    let results: Vec<ComplaintSla> = p
        .evaluate_all(&trails, m(180))
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(results.len(), 4);
    let (from, to) = (utc(2025, 5, 1, 0, 0), utc(2025, 6, 1, 0, 0));
    let rows = compliance(&results, GroupBy::Priority, from, to);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.group.as_str(), r.complaints, r.met, r.breached, r.pending),
        ("critical", 4, 2, 1, 1)
    );
    assert_eq!(r.rate, Some(2.0 / 3.0));
    assert!(compliance(&results, GroupBy::Priority, to, to + Duration::days(1)).is_empty());
    assert_eq!(customer_error_share(&results, from, to), Some(0.5));
    // Retained 0.95 + 0.70 + 2 × 0.50 = 2.65 of 4; lost to late resolution
    // 1 × (0.95 − 0.70) + 2 × (0.95 − 0.50) = 1.15; at 100 per kept customer and 5× to win
    // a new one, 1.15 × 5 × 100 = 575.
    let rep =
        expected_retention(&results, from, to, &RetentionAssumptions::default(), 100.0).unwrap();
    assert_eq!(
        (rep.resolved_in_target, rep.resolved_late, rep.unresolved),
        (1, 1, 2)
    );
    assert!((rep.expected_retained - 2.65).abs() < 1e-12);
    assert!((rep.expected_lost - 1.35).abs() < 1e-12);
    assert!((rep.lost_to_late_resolution - 1.15).abs() < 1e-12);
    assert!((rep.cost_of_late_resolution - 575.0).abs() < 1e-9);
    let bad = RetentionAssumptions {
        resolved_late: 1.2,
        ..RetentionAssumptions::default()
    };
    assert_eq!(
        expected_retention(&results, from, to, &bad, 1.0)
            .unwrap_err()
            .field(),
        Some("resolved_late")
    );
    // The one report both skins return: the same figures under three keys.
    let request = ReportRequest {
        from,
        to,
        by: "priority".parse().unwrap(),
        assumptions: RetentionAssumptions::default(),
        retention_cost: 100.0,
    };
    let whole = report(&results, &request).unwrap();
    assert_eq!(whole.compliance, rows);
    assert_eq!(whole.customer_error_share, Some(0.5));
    assert_eq!(whole.retention, rep);
    let json = serde_json::to_value(&whole).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["compliance", "customer_error_share", "retention"]);
    assert_eq!(json["compliance"][0]["group"], "critical");
    assert_eq!(json["retention"]["unresolved"], 2);
    let refused = report(
        &results,
        &ReportRequest {
            retention_cost: -1.0,
            ..request
        },
    )
    .unwrap_err();
    assert_eq!(refused.field(), Some("retention_cost"));
}

#[test]
fn group_by_reads_its_json_names_and_names_the_choices_otherwise() {
    for g in GroupBy::ALL {
        assert_eq!(g.name().parse::<GroupBy>().unwrap(), g);
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(json, format!("\"{}\"", g.name()));
    }
    let e = "Priority".parse::<GroupBy>().unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("by"));
    assert_eq!(
        e.to_string(),
        "invalid by \"Priority\": use priority, tier, channel, category or policy"
    );
}

#[test]
fn calendar_columns_match_the_single_calls_and_refuse_bad_rows() {
    let cal = BusinessCalendar::from_json(
        r#"{"week": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}}"#,
    )
    .unwrap();
    // Monday 2025-06-02 16:00 UTC + 90 business minutes = 60 on Monday, 30 on Tuesday:
    // Tuesday 09:30; Tuesday 08:00 + 0 = Tuesday 09:00 (the first business instant).
    let (mon16, tue8) = (utc(2025, 6, 2, 16, 0), utc(2025, 6, 3, 8, 0));
    let unit = crate::time::TimeUnit::Milliseconds;
    let due = cal
        .add_business_minutes_columns(&[unit.ticks(mon16), unit.ticks(tue8)], &[90, 0], unit)
        .unwrap();
    assert_eq!(
        due,
        [
            unit.ticks(utc(2025, 6, 3, 9, 30)),
            unit.ticks(utc(2025, 6, 3, 9, 0))
        ]
    );
    // 16:00 Monday to 10:30 Tuesday: 60 + 90 minutes; reversed: 0.
    let between = cal
        .business_minutes_between_columns(
            &[unit.ticks(mon16), unit.ticks(utc(2025, 6, 3, 10, 30))],
            &[unit.ticks(utc(2025, 6, 3, 10, 30)), unit.ticks(mon16)],
            unit,
        )
        .unwrap();
    assert_eq!(between, [150, 0]);
    let e = cal
        .add_business_minutes_columns(&[0, 0], &[5, -1], unit)
        .unwrap_err();
    assert!(e.to_string().starts_with("row 1: "), "{e}");
    let e = cal
        .add_business_minutes_columns(&[0], &[1, 2], unit)
        .unwrap_err();
    assert_eq!(e.field(), Some("minutes"));
    let e = cal
        .business_minutes_between_columns(&[0, i64::MAX], &[0, 0], crate::time::TimeUnit::Seconds)
        .unwrap_err();
    assert_eq!(e.field(), Some("from[1]"));
}
