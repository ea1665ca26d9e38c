//! The limits audit of issue 14: every size or count in a config (value model keys and
//! weights, RFM bins and rules, pyramid tiers, CLV fit options, calendar days and windows,
//! duplicate detection settings and columns) is refused past its documented limit with an
//! `InvalidInput` error naming the field and the value, and accepted at the limit.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use crm_core::ErrorKind;
use crm_core::clv::{FIT_TOLERANCE_RANGE, FitOptions, MAX_FIT_ITERATIONS, fit_beta_geo};
use crm_core::quality::{
    DedupConfig, MAX_CLUSTER_CAP, MAX_EM_ITERATIONS, MAX_MATCH_COLUMNS, MAX_RANDOM_PAIRS,
    records_from_columns,
};
use crm_core::segment::{
    MAX_RFM_RULES, MAX_TIERS, PyramidConfig, RfmConfig, RfmRule, RfmSegmentMap, TierSpec, rfm,
};
use crm_core::sla::{
    BusinessCalendar, CalendarConfig, MAX_SPECIAL_DAYS, MAX_WINDOWS_PER_DAY, SpecialDay,
    WeeklyHours,
};
use crm_core::value::{MAX_KEY_WEIGHT, MAX_VALUE_KEYS, ValueKey, ValueModel, WeightedKey};
use crm_core::{CrmError, Result};

/// The error of `r`, checked to be `InvalidInput` naming `field`.
fn refused<T: std::fmt::Debug>(r: Result<T>, field: &str) -> CrmError {
    let e = r.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert_eq!(e.field(), Some(field), "{e}");
    e
}

fn custom_keys(n: usize) -> ValueModel {
    ValueModel {
        keys: (0..n)
            .map(|i| WeightedKey {
                key: ValueKey::Custom(format!("k{i}")),
                weight: 1.0,
            })
            .collect(),
        ..ValueModel::default()
    }
}

#[test]
fn a_value_model_has_at_most_256_keys() {
    assert_eq!(MAX_VALUE_KEYS, 256);
    assert!(custom_keys(MAX_VALUE_KEYS).validate().is_ok());
    let e = refused(custom_keys(MAX_VALUE_KEYS + 1).validate(), "keys");
    assert_eq!(
        e.to_string(),
        "invalid keys of length 257: a value model has at most 256 keys"
    );
}

#[test]
fn key_weights_are_bounded_so_their_sum_stays_finite() {
    // Two weights of 1e308 used to sum to +inf and make every score 0.
    refused(
        ValueModel::from_weights([("monetary", 1e308), ("recency", 1e308)]),
        "weight of monetary",
    );
    let e = refused(
        ValueModel::from_weights([("monetary", 1.0), ("recency", 1e13)]),
        "weight of recency",
    );
    assert_eq!(
        e.to_string(),
        "invalid weight of recency 10000000000000: must be at most 1000000000000"
    );
    // At the limit the ratios are what count: equal weights give the mean of the two keys.
    let m = ValueModel::from_weights([("monetary", MAX_KEY_WEIGHT), ("recency", MAX_KEY_WEIGHT)])
        .unwrap();
    assert!(m.validate().is_ok());
}

fn rules(n: usize) -> RfmSegmentMap {
    RfmSegmentMap {
        scale: 5,
        rules: (0..n)
            .map(|i| RfmRule {
                name: format!("segment {i}"),
                r: None,
                f: None,
                m: None,
                fm: None,
            })
            .collect(),
    }
}

#[test]
fn rfm_rules_are_bounded_and_bins_are_2_to_9() {
    assert!(rules(MAX_RFM_RULES).validate().is_ok());
    let e = refused(rules(MAX_RFM_RULES + 1).validate(), "rules");
    assert_eq!(
        e.to_string(),
        "invalid rules of length 1001: a segment map has at most 1000 rules"
    );
    let (r, f, m) = ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]);
    for bins in [0, 1, 10, 255] {
        let e = refused(rfm(&r, &f, &m, &RfmConfig::new(bins, None)), "bins");
        assert_eq!(
            e.to_string(),
            format!("invalid bins {bins}: must be 2 to 9")
        );
    }
    // Three customers in 3 bins: one per bin; the 9-bin grid is accepted too.
    let three = rfm(&r, &f, &m, &RfmConfig::new(3, None)).unwrap();
    assert_eq!(three.f, vec![1, 2, 3]);
    assert!(rfm(&r, &f, &m, &RfmConfig::new(9, None)).is_ok());
}

#[test]
fn a_pyramid_has_at_most_255_tiers() {
    let tiers = |n: usize| PyramidConfig {
        tiers: (0..n)
            .map(|i| TierSpec {
                name: format!("t{i}"),
                share: 1.0 / n as f64,
            })
            .collect(),
        ..PyramidConfig::default()
    };
    assert!(tiers(MAX_TIERS).validate().is_ok());
    let e = refused(tiers(MAX_TIERS + 1).validate(), "tiers");
    assert_eq!(
        e.to_string(),
        "invalid tiers of length 256: a pyramid has at most 255 tiers"
    );
}

#[test]
fn fit_options_are_range_checked_before_fitting() {
    let (f, r, t) = ([0.0, 1.0, 2.0], [0.0, 5.0, 8.0], [10.0, 10.0, 10.0]);
    let fit = |o: FitOptions| fit_beta_geo(&f, &r, &t, &o);
    let e = refused(
        fit(FitOptions {
            max_iterations: MAX_FIT_ITERATIONS + 1,
            ..FitOptions::default()
        }),
        "max_iterations",
    );
    assert_eq!(
        e.to_string(),
        "invalid max_iterations 100001: must be at most 100000"
    );
    for tolerance in [0.0, -1.0, 1e-16, 1.5, f64::NAN, f64::INFINITY] {
        let e = refused(
            fit(FitOptions {
                tolerance,
                ..FitOptions::default()
            }),
            "tolerance",
        );
        assert!(e.to_string().ends_with(": must be in [1e-15, 1]"), "{e}");
    }
    // Both ends of the range are accepted (a tolerance of 1 stops at once: converged at the
    // start, no iteration).
    let (lo, hi) = FIT_TOLERANCE_RANGE;
    assert!(
        fit(FitOptions {
            tolerance: lo,
            max_iterations: 5,
            ..FitOptions::default()
        })
        .is_ok()
    );
    let loose = fit(FitOptions {
        tolerance: hi,
        ..FitOptions::default()
    })
    .unwrap();
    assert!(loose.converged);
    let fg = crm_core::clv::fit_gamma_gamma(
        &[1.0, 2.0],
        &[10.0, 20.0],
        &FitOptions {
            max_iterations: usize::MAX,
            ..FitOptions::default()
        },
    );
    refused(fg, "max_iterations");
}

fn monday_hours(windows: usize) -> CalendarConfig {
    CalendarConfig {
        week: WeeklyHours {
            mon: (0..windows)
                .map(|i| {
                    let at = |m: usize| format!("{:02}:{:02}", m / 60, m % 60);
                    // One-minute windows one after another, the last ending at 24:00.
                    let end = if i + 1 == 1440 {
                        "24:00".to_owned()
                    } else {
                        at(i + 1)
                    };
                    [at(i), end]
                })
                .collect(),
            ..WeeklyHours::default()
        },
        ..CalendarConfig::default()
    }
}

#[test]
fn a_day_has_at_most_1440_windows() {
    let full = BusinessCalendar::new(monday_hours(MAX_WINDOWS_PER_DAY)).unwrap();
    let monday = Utc.with_ymd_and_hms(2025, 6, 2, 0, 0, 0).unwrap();
    assert_eq!(
        full.business_minutes_between(monday, monday + Duration::days(7)),
        1440
    );
    let mut config = monday_hours(MAX_WINDOWS_PER_DAY);
    config.week.mon.push(["00:00".into(), "00:01".into()]);
    let e = refused(BusinessCalendar::new(config), "week.mon");
    assert_eq!(
        e.to_string(),
        "invalid week.mon of 1441 windows: a day has at most 1440 windows"
    );
}

#[test]
fn holidays_and_special_days_are_bounded() {
    let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let days = |n: usize| -> Vec<NaiveDate> {
        (0..n as u64)
            .map(|i| start + chrono::Days::new(i))
            .collect()
    };
    let base = monday_hours(1);
    let ok = BusinessCalendar::new(CalendarConfig {
        holidays: days(MAX_SPECIAL_DAYS),
        ..base.clone()
    });
    assert!(ok.is_ok());
    let e = refused(
        BusinessCalendar::new(CalendarConfig {
            holidays: days(MAX_SPECIAL_DAYS + 1),
            ..base.clone()
        }),
        "holidays",
    );
    assert_eq!(
        e.to_string(),
        "invalid holidays of length 146098: a calendar has at most 146097"
    );
    let special = days(MAX_SPECIAL_DAYS + 1)
        .into_iter()
        .map(|date| SpecialDay {
            date,
            hours: Vec::new(),
        })
        .collect();
    refused(
        BusinessCalendar::new(CalendarConfig {
            special_days: special,
            ..base
        }),
        "special_days",
    );
}

#[test]
fn duplicate_detection_settings_are_bounded() {
    let d = DedupConfig::default();
    let check = |c: DedupConfig, field: &str, text: &str| {
        let e = refused(c.validate(), field);
        assert_eq!(e.to_string(), text);
    };
    check(
        DedupConfig {
            random_pairs: MAX_RANDOM_PAIRS + 1,
            ..d
        },
        "random_pairs",
        "invalid random_pairs 10000001: must be at most 10000000",
    );
    check(
        DedupConfig {
            iterations: MAX_EM_ITERATIONS + 1,
            ..d
        },
        "iterations",
        "invalid iterations 10001: must be at most 10000",
    );
    check(
        DedupConfig {
            max_cluster: MAX_CLUSTER_CAP + 1,
            ..d
        },
        "max_cluster",
        "invalid max_cluster 1000001: must be at most 1000000",
    );
    check(
        DedupConfig {
            max_block: usize::MAX,
            ..d
        },
        "max_block",
        &format!("invalid max_block {}: must be at most 1000", usize::MAX),
    );
    let at_limits = DedupConfig {
        random_pairs: MAX_RANDOM_PAIRS,
        iterations: MAX_EM_ITERATIONS,
        max_cluster: MAX_CLUSTER_CAP,
        ..d
    };
    assert!(at_limits.validate().is_ok());
}

#[test]
fn match_columns_and_records_are_bounded_before_allocating() {
    let city = [Some("İzmir")];
    let columns: Vec<(&str, &[Option<&str>])> = (0..=MAX_MATCH_COLUMNS)
        .map(|_| ("city", &city[..]))
        .collect();
    let e = refused(records_from_columns(1, &columns), "n_columns");
    assert_eq!(e.to_string(), "invalid n_columns 65: must be at most 64");
    // A record count no memory holds is an error, not an abort (2^58 records of well over 64
    // bytes each is more than any machine has).
    let e = refused(records_from_columns(1 << 58, &[]), "n_records");
    assert!(
        e.to_string()
            .ends_with("needs more memory than is available"),
        "{e}"
    );
    let records = records_from_columns(1, &columns[..MAX_MATCH_COLUMNS]).unwrap();
    assert_eq!(records.len(), 1);
}

#[test]
fn a_special_day_that_is_also_a_holiday_counts_once_in_whole_weeks() {
    // Mondays 09:00–17:00 (480 minutes). 2025-03-03 is a special half day (09:00–13:00) and
    // also listed as a holiday (the special day wins), after the holiday 2025-01-06.
    let cal = BusinessCalendar::from_json(
        r#"{"week": {"mon": [["09:00", "17:00"]]},
            "holidays": ["2025-01-06", "2025-03-03"],
            "special_days": [{"date": "2025-03-03", "hours": [["09:00", "13:00"]]}]}"#,
    )
    .unwrap();
    // From Wednesday 2025-01-01 to Wednesday 2025-04-02: 13 Mondays (Jan 6 … Mar 31);
    // Jan 6 closed, Mar 3 four hours: 11 × 480 + 240 = 5520.
    let from = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2025, 4, 2, 0, 0, 0).unwrap();
    assert_eq!(cal.business_minutes_between(from, to), 11 * 480 + 240);
    // Day by day, the same.
    let days: i64 = (0..91)
        .map(|d| {
            let a = from + Duration::days(d);
            cal.business_minutes_between(a, a + Duration::days(1))
        })
        .sum();
    assert_eq!(days, 11 * 480 + 240);
}
