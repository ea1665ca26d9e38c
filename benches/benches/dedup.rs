//! Duplicate detection on 1,000,000 sample customers (`CRM_BENCH_CUSTOMERS`) plus the
//! injected duplicates (`CRM_BENCH_CORRUPTION=heavy` for the FEBRL-like mode, clusters of 1
//! to 5): blocking, comparisons, the model fitted by EM, clusters — end to end from match
//! records to a cluster per row. Prints precision, recall and the time of one run against
//! the sample's ground truth before timing (`-- --test` stops after that run: what the
//! profiles in the README were taken on).
//!
//! `cargo bench -p crm-benches --bench dedup`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use crm_benches::env_usize;
use crm_core::quality::{DedupConfig, MatchRecord, find_duplicates, precision_recall};
use crm_core::sample::{Corruption, SampleConfig, duplicate_pairs};

fn main() {
    let customers = env_usize("CRM_BENCH_CUSTOMERS", 1_000_000);
    let corruption = match std::env::var("CRM_BENCH_CORRUPTION").as_deref() {
        Ok("heavy") => Corruption::Heavy,
        _ => Corruption::Light,
    };
    let (mut records, mut ids) = (Vec::new(), Vec::new());
    let started = Instant::now();
    let truth = SampleConfig::new(customers)
        .seed(42)
        .mean_purchases(1.0)
        .corruption(corruption)
        .for_each_customer(|c, _events| {
            records.push(MatchRecord::from_customer(&c));
            ids.push(c.id);
        });
    let generated = started.elapsed();
    let config = DedupConfig::default();
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let d = find_duplicates(&records, &config).expect("the default settings");
    let (found, cpu) = (started.elapsed(), cpu_seconds() - cpu);
    let (precision, recall) = precision_recall(&d.clustered_pairs(&ids), &duplicate_pairs(&truth));
    eprintln!(
        "{} records ({corruption:?}, generated in {:.2} s), {} candidates: precision \
         {precision:.4}, recall {recall:.4}, one find_duplicates {:.2} s ({cpu:.2} s of CPU)",
        records.len(),
        generated.as_secs_f64(),
        d.candidates,
        found.as_secs_f64(),
    );
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut g = c.benchmark_group(format!("dedup_{}", records.len()));
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function("find_duplicates", |b| {
        b.iter(|| find_duplicates(black_box(&records), &config).map(|d| d.pairs.len()))
    });
    g.finish();
    c.final_summary();
}

/// CPU seconds this process has used (user and system, all threads; Linux's
/// `/proc/self/stat`, 0 elsewhere): on a shared machine, a figure other users' load does
/// not inflate as it does the wall time.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}
