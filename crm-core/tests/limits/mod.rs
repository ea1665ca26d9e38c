//! Issue 14, items 3 to 5: every size a caller passes is bounded by a documented limit checked
//! before allocating; arithmetic past chrono's range is an error; long work is capped.
//!
//! A module of `tests/lib.rs` (the core's one integration-test binary).

use chrono::{DateTime, Duration, TimeZone, Utc};
use crm_core::ErrorKind;
use crm_core::clv::{self, BetaGeoParams, ClvUnit, GammaGammaParams, MAX_CLV_MONTHS};
use crm_core::lifecycle::{LifecyclePolicy, MAX_POLICY_DAYS};
use crm_core::quality::{DedupConfig, MAX_BLOCK_CAP, MatchRecord, find_duplicates};
use crm_core::sample::{MAX_MEAN_PURCHASES, MAX_SAMPLE_CUSTOMERS, SampleConfig};
use crm_core::segment::{MAX_LORENZ_POINTS, pareto};
use crm_core::sla::{BusinessCalendar, MAX_BUSINESS_MINUTES, MAX_SPAN_DAYS, SlaPolicies};
use crm_core::time::TimeUnit;

mod configs;

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 0, 0, 0).unwrap()
}

fn nine_to_five() -> BusinessCalendar {
    BusinessCalendar::from_json(r#"{"week": {"mon": [["09:00", "17:00"]]}}"#).unwrap()
}

#[test]
fn pareto_points_are_bounded_before_allocating() {
    let e = pareto(&[1.0, 2.0], 200_000_000).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("points"));
    assert_eq!(
        e.to_string(),
        "invalid points 200000000: must be at most 100001"
    );
    let p = pareto(&[1.0, 2.0], MAX_LORENZ_POINTS).unwrap();
    assert_eq!(p.lorenz.len(), MAX_LORENZ_POINTS);
    // The midpoint of the curve: the poorer half (one customer of two) holds 1 of 3.
    assert!((p.lorenz[50_000].1 - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn sample_sizes_are_bounded() {
    let e = SampleConfig::new(10)
        .mean_purchases(1e12)
        .build_book()
        .unwrap_err();
    assert_eq!(e.field(), Some("mean_purchases"));
    assert_eq!(
        e.to_string(),
        "invalid mean_purchases 1000000000000: must be at most 1000"
    );
    let e = SampleConfig::new(MAX_SAMPLE_CUSTOMERS + 1)
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), Some("customers"));
    assert!(
        SampleConfig::new(10)
            .mean_purchases(MAX_MEAN_PURCHASES)
            .validate()
            .is_ok()
    );
}

#[test]
fn huge_business_minutes_are_errors_not_panics() {
    let cal = nine_to_five();
    // 1.5e14 minutes overflowed `Duration::minutes` (a panic) before.
    for minutes in [150_000_000_000_000, i64::MAX, MAX_BUSINESS_MINUTES + 1] {
        let e = cal.add_business_minutes(monday(), minutes).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("minutes"));
    }
    // The maximum on Mondays 09:00-17:00: 5,259,600 / 480 = 10,957.5 Mondays, i.e. the
    // deadline is 13:00 on the 10,958th Monday from 2 June 2025 (the first one counts).
    let due = cal
        .add_business_minutes(monday(), MAX_BUSINESS_MINUTES)
        .unwrap();
    assert_eq!(
        due,
        monday() + Duration::weeks(10_957) + Duration::hours(13)
    );
    let always = BusinessCalendar::always_open();
    assert_eq!(
        always
            .add_business_minutes(monday(), MAX_BUSINESS_MINUTES)
            .unwrap(),
        monday() + Duration::minutes(MAX_BUSINESS_MINUTES)
    );
    // A 24×7 calendar pushed past the last representable instant: an error.
    let last = DateTime::<Utc>::MAX_UTC - Duration::days(1);
    let e = always.add_business_minutes(last, 2 * 1440).unwrap_err();
    assert_eq!(e.field(), Some("at"));
    assert!(e.to_string().contains("beyond the representable instants"));
    // Near the end on an ordinary calendar too.
    assert!(cal.add_business_minutes(last, 2 * 480).is_err());
}

#[test]
fn spans_longer_than_the_cap_are_refused_at_once() {
    let cal = nine_to_five();
    let to = TimeUnit::Seconds.ticks(monday());
    // About 250,000 years before 2025 (4.5 s a row before).
    let from = -7_857_000_000_000;
    let started = std::time::Instant::now();
    let e = cal
        .business_minutes_between_columns(&[from], &[to], TimeUnit::Seconds)
        .unwrap_err();
    assert!(started.elapsed().as_secs_f64() < 1.0);
    assert_eq!(e.field(), Some("to[0]"));
    // Exactly the cap is measured: 146,097 days are 20,871 whole weeks, so 20,871 Mondays.
    let from = to - MAX_SPAN_DAYS * 86_400;
    let minutes = cal
        .business_minutes_between_columns(&[from], &[to], TimeUnit::Seconds)
        .unwrap();
    assert_eq!(minutes, [20_871 * 480]);
}

#[test]
fn lifecycle_days_are_checked_when_parsed() {
    let e = LifecyclePolicy::from_json(r#"{"new_days": 1e15}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("new_days"));
    assert_eq!(
        e.to_string(),
        "invalid new_days 1000000000000000: must be at most 36525"
    );
    for field in [
        r#"{"loyal": {"window_days": 1e300}}"#,
        r#"{"at_risk": {"open_complaint_days": 1e20}}"#,
        r#"{"at_risk": {"gap_multiple": 1e20}}"#,
    ] {
        assert_eq!(
            LifecyclePolicy::from_json(field).unwrap_err().kind(),
            ErrorKind::InvalidInput,
            "{field}"
        );
    }
    // The maxima are accepted, and a customer's stage is worked out with them (the views of
    // customers with purchases panicked with 1e15 before).
    let policy = LifecyclePolicy::from_json(&format!(
        r#"{{"new_days": {MAX_POLICY_DAYS}, "churn_days": {MAX_POLICY_DAYS},
            "loyal": {{"tenure_days": {MAX_POLICY_DAYS}, "window_days": {MAX_POLICY_DAYS}}},
            "at_risk": {{"cap_days": 36000, "open_complaint_days": {MAX_POLICY_DAYS}}}}}"#
    ))
    .unwrap();
    let config = SampleConfig::new(30).seed(3);
    let (book, _) = config.build_book().unwrap();
    let stages = book.stages(&policy, config.end()).unwrap();
    assert_eq!(stages.customer_id.len(), book.len());
}

#[test]
fn sla_targets_are_checked_when_parsed() {
    let e = SlaPolicies::from_json(
        r#"{"name": "desk", "targets": {"urgent": {"resolution": 4000000000}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("must be at most 5259600"), "{e}");
    let e = SlaPolicies::from_json(
        r#"{"name": "desk", "targets": {"urgent": {"resolution": 60}},
            "escalation": [{"level": 1, "at_share": 1e300, "to": "boss"}]}"#,
    )
    .unwrap_err();
    assert!(
        e.field()
            .is_some_and(|f| f.ends_with("escalation[0].at_share")),
        "{e}"
    );
}

/// The sum as it was before the running discount factor (quadratic in `months` once the
/// hypergeometric series grows with the horizon): one `powi` a month.
fn lifetime_value_before(
    bg: &BetaGeoParams,
    gg: &GammaGammaParams,
    row: (f64, f64, f64, f64),
    months: u32,
    rate: f64,
) -> f64 {
    let (x, r, t, m) = row;
    let step = ClvUnit::Weeks.per_month();
    let mut sum = 0.0;
    let mut before = 0.0;
    for k in 1..=months {
        let upto = bg.expected_purchases(step * f64::from(k), x, r, t);
        sum += (upto - before) / (1.0 + rate).powi(k as i32);
        before = upto;
    }
    gg.expected_spend(x, m) * sum
}

#[test]
fn lifetime_value_months_are_capped_and_the_running_sum_agrees() {
    // The CDNOW fits (Fader, Hardie & Lee 2005).
    let bg = BetaGeoParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    let gg = GammaGammaParams {
        p: 6.25,
        q: 3.74,
        v: 15.44,
    };
    let rows = [
        (2.0, 30.43, 38.86, 46.95),
        (0.0, 0.0, 38.86, 0.0),
        (7.0, 35.0, 38.0, 20.0),
    ];
    let col = |i: usize| -> Vec<f64> {
        rows.iter()
            .map(|r| [r.0, r.1, r.2, r.3][i])
            .collect::<Vec<_>>()
    };
    let (f, r, t, m) = (col(0), col(1), col(2), col(3));
    for months in [1, 2, 12, 120] {
        for rate in [0.0, 0.01, 0.2] {
            let now = clv::lifetime_value(&bg, &gg, &f, &r, &t, &m, ClvUnit::Weeks, months, rate)
                .unwrap();
            for (i, row) in rows.iter().enumerate() {
                let was = lifetime_value_before(&bg, &gg, *row, months, rate);
                assert!(
                    (now[i] - was).abs() <= 1e-12 * was.abs().max(1.0),
                    "months {months}, rate {rate}, row {i}: {} vs {was}",
                    now[i]
                );
            }
        }
    }
    for months in [MAX_CLV_MONTHS + 1, u32::MAX] {
        let started = std::time::Instant::now();
        let e = clv::lifetime_value(&bg, &gg, &f, &r, &t, &m, ClvUnit::Weeks, months, 0.01)
            .unwrap_err();
        assert!(started.elapsed().as_secs_f64() < 1.0);
        assert_eq!(e.field(), Some("months"));
        assert_eq!(
            e.to_string(),
            format!("invalid months {months}: must be at most 1200")
        );
    }
}

#[test]
fn duplicate_blocks_are_capped() {
    let config = DedupConfig {
        max_block: 1_000_000,
        ..DedupConfig::default()
    };
    let e = config.validate().unwrap_err();
    assert_eq!(e.field(), Some("max_block"));
    assert_eq!(
        e.to_string(),
        "invalid max_block 1000000: must be at most 1000"
    );
    // 5,000 identical keys under the largest block allowed: the block is skipped, at once.
    let record = MatchRecord {
        surname: Some("Yılmaz".to_owned()),
        ..MatchRecord::default()
    };
    let records = vec![record; 5_000];
    let config = DedupConfig {
        max_block: MAX_BLOCK_CAP,
        ..DedupConfig::default()
    };
    let started = std::time::Instant::now();
    let d = find_duplicates(&records, &config).unwrap();
    assert!(started.elapsed().as_secs_f64() < 20.0);
    assert!(d.pairs.is_empty());
}
