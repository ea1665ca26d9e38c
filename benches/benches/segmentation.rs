//! Features + RFM + value score + pyramid from raw transaction columns: 10,000,000 rows over
//! 1,000,000 customers by default (`CRM_BENCH_ROWS`, `CRM_BENCH_CUSTOMERS`).
//!
//! `cargo bench -p crm-benches --bench segmentation`

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::Criterion;
use crm_benches::env_usize;
use crm_core::segment::{PyramidConfig, RfmConfig, pyramid, rfm, top_share};
use crm_core::time::TimeUnit;
use crm_core::transactions::{Amounts, TransactionColumns, customer_features};
use crm_core::value::ValueModel;

fn main() {
    let rows = env_usize("CRM_BENCH_ROWS", 10_000_000);
    let customers = env_usize("CRM_BENCH_CUSTOMERS", 1_000_000);
    let start = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date");
    let end = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date");
    let t = crm_core::sample::transactions(customers, rows, 42, start, end);
    let at: Vec<i64> =
        t.at.iter()
            .map(|a| TimeUnit::Nanoseconds.ticks(*a))
            .collect();
    let cols = TransactionColumns {
        customer_id: &t.customer_id,
        at: &at,
        unit: TimeUnit::Nanoseconds,
        amount: Amounts::Minor(&t.amount),
    };
    let features = customer_features(&cols, end).expect("valid columns");
    let frequency = features.frequency_f64();
    let model = ValueModel::from_weights([
        ("monetary", 0.5),
        ("frequency", 0.2),
        ("recency", 0.2),
        ("tenure", 0.1),
    ])
    .expect("valid model");
    let scores = model.score(&features, &[]).expect("valid features");

    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut g = c.benchmark_group(format!("segmentation_{rows}_rows_{customers}_customers"));
    g.bench_function("features", |b| {
        b.iter(|| customer_features(black_box(&cols), end))
    });
    g.bench_function("rfm", |b| {
        b.iter(|| {
            rfm(
                &features.recency_days,
                &frequency,
                &features.monetary,
                &RfmConfig::default(),
            )
        })
    });
    g.bench_function("value_score", |b| {
        b.iter(|| model.score(black_box(&features), &[]))
    });
    g.bench_function("pyramid", |b| {
        b.iter(|| {
            pyramid(
                &scores.score,
                Some(&features.monetary),
                &PyramidConfig::default(),
            )
        })
    });
    g.bench_function("features_rfm_top20", |b| {
        b.iter(|| {
            let f = customer_features(&cols, end).expect("valid");
            let r = rfm(
                &f.recency_days,
                &f.frequency_f64(),
                &f.monetary,
                &RfmConfig::default(),
            )
            .expect("valid");
            let share = top_share(&f.monetary, 0.2).expect("valid");
            black_box((r, share))
        })
    });
    g.bench_function("end_to_end", |b| {
        b.iter(|| {
            let f = customer_features(&cols, end).expect("valid");
            let r = rfm(
                &f.recency_days,
                &f.frequency_f64(),
                &f.monetary,
                &RfmConfig::default(),
            )
            .expect("valid");
            let s = model.score(&f, &[]).expect("valid");
            let p = pyramid(&s.score, Some(&f.monetary), &PyramidConfig::default()).expect("valid");
            black_box((r, p))
        })
    });
    g.finish();
    c.final_summary();
}
