//! Duplicate prevention on entry: `CustomerBook::find_matches` for one typed-in record
//! against a book of 1,000,000 sample customers (`CRM_BENCH_CUSTOMERS`) plus the ~3 %
//! injected duplicates. The index is fitted once before timing (that time is printed); each
//! iteration checks one record: a second entry of a book customer, its e-mail left out and
//! a new id.
//!
//! `cargo bench -p crm-benches --bench find_matches`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use crm_benches::env_usize;
use crm_core::book::CustomerBook;
use crm_core::model::Customer;
use crm_core::quality::DedupConfig;
use crm_core::sample::SampleConfig;

fn main() {
    let customers = env_usize("CRM_BENCH_CUSTOMERS", 1_000_000);
    let mut all: Vec<Customer> = Vec::new();
    SampleConfig::new(customers)
        .seed(42)
        .for_each_customer(|c, _events| all.push(c));
    let mut book = CustomerBook::with_currency("TRY").expect("a currency");
    // Every 997th customer typed in again: a spread of common and rare names.
    let queries: Vec<Customer> = all
        .iter()
        .step_by(997)
        .take(1_000)
        .enumerate()
        .map(|(i, c)| {
            let mut again = c.clone();
            again.id = u64::MAX - i as u64;
            again.emails.clear();
            again
        })
        .collect();
    book.add_customers(all).expect("the sample's customers");
    let config = DedupConfig::default();
    let start = Instant::now();
    let found = book
        .find_matches(&queries[0], &config)
        .expect("the default settings");
    eprintln!(
        "{} customers: index fitted in {:.1} s; first query {} candidates",
        book.len(),
        start.elapsed().as_secs_f64(),
        found.len()
    );
    let hits = queries
        .iter()
        .filter(|q| !book.find_matches(q, &config).unwrap().is_empty())
        .count();
    eprintln!("{hits} of {} re-entered customers found", queries.len());

    let mut c = Criterion::default().sample_size(20).configure_from_args();
    let mut g = c.benchmark_group(format!("find_matches_{}", book.len()));
    g.throughput(Throughput::Elements(1));
    let mut next = 0;
    g.bench_function("one_record", |b| {
        b.iter(|| {
            next = (next + 1) % queries.len();
            book.find_matches(black_box(&queries[next]), &config)
                .map(|m| m.len())
        })
    });
    g.finish();
    c.final_summary();
}
