//! SLA evaluation of 1,000,000 open complaints (`CRM_BENCH_ROWS`) against an İstanbul
//! business calendar with a lunch break and holidays, on one core; and lifecycle
//! classification of 1,000,000 customers from fact columns.
//!
//! `cargo bench -p crm-benches --bench sla_lifecycle`

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput};
use crm_benches::env_usize;
use crm_core::lifecycle::{LifecyclePolicy, StageColumns, classify_columns};
use crm_core::model::{ComplaintStatus, Priority};
use crm_core::sla::{Change, ComplaintTrail, SlaEvaluator, SlaPolicies, Step};

fn main() {
    let rows = env_usize("CRM_BENCH_ROWS", 1_000_000);
    let policies = SlaPolicies::from_json(
        r#"{"name": "istanbul",
            "calendar": {"time_zone": "Europe/Istanbul",
              "week": {"mon": [["09:00","12:30"],["13:30","18:00"]], "tue": [["09:00","12:30"],["13:30","18:00"]],
                       "wed": [["09:00","12:30"],["13:30","18:00"]], "thu": [["09:00","12:30"],["13:30","18:00"]],
                       "fri": [["09:00","12:30"],["13:30","18:00"]]},
              "holidays": ["2025-01-01", "2025-04-23", "2025-05-01", "2025-05-19", "2025-07-15", "2025-08-30", "2025-10-29"]},
            "targets": {"urgent": {"first_response": 30, "resolution": 240},
                        "high": {"first_response": 60, "resolution": 480},
                        "normal": {"first_response": 240, "resolution": 1440},
                        "low": {"first_response": 480, "resolution": 2880}},
            "escalation": [{"level": 1, "at_share": 0.75, "to": "team lead"},
                           {"level": 2, "at_share": 1.0, "to": "manager"}]}"#,
    )
    .expect("valid policy");
    let now = Utc
        .with_ymd_and_hms(2025, 11, 3, 12, 0, 0)
        .single()
        .expect("valid date");
    // Open complaints opened over the last four weeks; a third answered, a fifth waiting on
    // the customer for a while.
    let trails: Vec<ComplaintTrail> = (0..rows as i64)
        .map(|i| {
            let opened = now - Duration::minutes(1 + (i * 7_919) % (28 * 24 * 60));
            let mut steps = Vec::new();
            if i % 3 == 0 {
                steps.push(Step {
                    at: opened + Duration::minutes(45),
                    change: Change::Responded,
                });
            }
            if i % 5 == 0 {
                steps.push(Step {
                    at: opened + Duration::minutes(90),
                    change: Change::Status {
                        status: ComplaintStatus::WaitingOnCustomer,
                    },
                });
                steps.push(Step {
                    at: opened + Duration::minutes(600),
                    change: Change::Status {
                        status: ComplaintStatus::InProgress,
                    },
                });
            }
            steps.retain(|s| s.at <= now);
            ComplaintTrail {
                complaint_id: i as u64,
                customer_id: i as u64,
                opened_at: opened,
                priority: Priority::ALL[(i % 4) as usize],
                category: None,
                channel: None,
                tier: None,
                steps,
            }
        })
        .collect();

    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut g = c.benchmark_group(format!("sla_{rows}"));
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("evaluate_open_complaints_one_core", |b| {
        b.iter(|| {
            let from = now - Duration::days(29);
            let mut ev = SlaEvaluator::new(&policies, from, now + Duration::days(60));
            let mut breached = 0usize;
            for t in &trails {
                if let Ok(Some(s)) = ev.evaluate(t, now) {
                    breached += usize::from(s.breached);
                }
            }
            black_box(breached)
        })
    });
    g.finish();

    // Lifecycle facts for a million customers.
    let n = rows;
    let purchases: Vec<u32> = (0..n).map(|i| (i % 9) as u32).collect();
    let first: Vec<f64> = (0..n).map(|i| ((i * 37) % 900) as f64).collect();
    let last: Vec<f64> = first
        .iter()
        .enumerate()
        .map(|(i, f)| f * ((i % 7) as f64) / 7.0)
        .collect();
    let gap: Vec<f64> = (0..n).map(|i| 5.0 + (i % 60) as f64).collect();
    let categories: Vec<u32> = (0..n).map(|i| 1 + (i % 3) as u32).collect();
    let flags: Vec<u8> = (0..n).map(|i| u8::from(i % 11 == 0)).collect();
    let recent: Vec<u32> = (0..n).map(|i| (i % 5) as u32).collect();
    let cols = StageColumns {
        purchases: &purchases,
        days_since_first: &first,
        days_since_last: &last,
        median_gap_days: &gap,
        categories: &categories,
        upsold: &flags,
        recent_purchases: &recent,
        reactivated: &flags,
        churn_recorded: &flags,
        overdue_complaint: &flags,
    };
    let policy = LifecyclePolicy::default();
    let mut g = c.benchmark_group(format!("lifecycle_{n}"));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("classify_columns", |b| {
        b.iter(|| classify_columns(&policy, black_box(&cols)).map(|s| s.len()))
    });
    g.finish();
    c.final_summary();
}
