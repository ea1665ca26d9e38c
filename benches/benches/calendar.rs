//! Business-calendar deadlines: `add_business_minutes` and `business_minutes_between` for
//! 1,000,000 instants (`CRM_BENCH_ROWS`) on an İstanbul calendar with a lunch break and
//! holidays, single-threaded.
//!
//! `cargo bench -p crm-benches --bench calendar`

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput};
use crm_benches::env_usize;
use crm_core::sla::BusinessCalendar;

fn main() {
    let rows = env_usize("CRM_BENCH_ROWS", 1_000_000);
    let cal = BusinessCalendar::from_json(
        r#"{"time_zone": "Europe/Istanbul",
            "week": {"mon": [["09:00","12:30"],["13:30","18:00"]], "tue": [["09:00","12:30"],["13:30","18:00"]],
                     "wed": [["09:00","12:30"],["13:30","18:00"]], "thu": [["09:00","12:30"],["13:30","18:00"]],
                     "fri": [["09:00","12:30"],["13:30","18:00"]]},
            "holidays": ["2025-01-01", "2025-04-23", "2025-05-01", "2025-05-19", "2025-07-15", "2025-08-30", "2025-10-29"]}"#,
    )
    .expect("valid calendar");
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date");
    // Instants spread over the year, minute resolution; targets from 30 minutes to 3 days.
    let opened: Vec<_> = (0..rows as i64)
        .map(|i| start + Duration::minutes((i * 7_919) % (365 * 24 * 60)))
        .collect();
    let minutes: Vec<i64> = (0..rows as i64)
        .map(|i| [30, 120, 240, 480, 1_440][(i % 5) as usize])
        .collect();
    let due: Vec<_> = opened
        .iter()
        .zip(&minutes)
        .map(|(&t, &m)| {
            cal.add_business_minutes(t, m)
                .expect("business time exists")
        })
        .collect();

    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut g = c.benchmark_group(format!("calendar_{rows}"));
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("add_business_minutes", |b| {
        b.iter(|| {
            opened
                .iter()
                .zip(&minutes)
                .map(|(&t, &m)| cal.add_business_minutes(t, m).map_or(0, |d| d.timestamp()))
                .sum::<i64>()
        })
    });
    g.bench_function("business_minutes_between", |b| {
        b.iter(|| {
            opened
                .iter()
                .zip(&due)
                .map(|(&a, &b)| cal.business_minutes_between(black_box(a), black_box(b)))
                .sum::<i64>()
        })
    });
    g.finish();
    c.final_summary();
}
