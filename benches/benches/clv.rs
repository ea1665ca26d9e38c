//! Lifetime value on 1,000,000 synthetic customers (`CRM_BENCH_ROWS`) drawn from a BG/NBD
//! population (r = 0.25, α = 4, a = 0.8, b = 2.5) with first purchases spread over a year and
//! purchase days rounded to whole days, in weeks: fit BG/NBD (with standard errors), fit
//! Gamma-Gamma, 12-month discounted CLV.
//!
//! `cargo bench -p crm-benches --bench clv`

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use crm_benches::{env_usize, synthetic_clv_customers};
use crm_core::clv::{ClvUnit, FitOptions, fit_beta_geo, fit_gamma_gamma, lifetime_value};

fn main() {
    let rows = env_usize("CRM_BENCH_ROWS", 1_000_000);
    let s = synthetic_clv_customers(rows, 42);
    let options = FitOptions::default();
    let bg = fit_beta_geo(&s.frequency, &s.recency, &s.t, &options).expect("fits");
    let gg = fit_gamma_gamma(&s.frequency, &s.monetary, &options).expect("fits");
    eprintln!(
        "BG/NBD {:?} in {} iterations over {} distinct rows; Gamma-Gamma {:?}",
        bg.params, bg.iterations, bg.distinct_rows, gg.params
    );
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut g = c.benchmark_group(format!("clv_{rows}"));
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("fit_beta_geo", |b| {
        b.iter(|| {
            fit_beta_geo(black_box(&s.frequency), &s.recency, &s.t, &options).map(|f| f.params.r)
        })
    });
    g.bench_function("fit_gamma_gamma", |b| {
        b.iter(|| {
            fit_gamma_gamma(black_box(&s.frequency), &s.monetary, &options).map(|f| f.params.p)
        })
    });
    g.bench_function("lifetime_value_12_months", |b| {
        b.iter(|| {
            lifetime_value(
                &bg.params,
                &gg.params,
                black_box(&s.frequency),
                &s.recency,
                &s.t,
                &s.monetary,
                ClvUnit::Weeks,
                12,
                0.01,
            )
            .map(|v| v.len())
        })
    });
    g.finish();
    c.final_summary();
}
