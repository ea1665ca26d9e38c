//! Duplicate detection on 1,000,000 sample customers (`CRM_BENCH_CUSTOMERS`) plus the ~3%
//! injected duplicates: blocking, comparisons, the model fitted by EM, clusters — end to end
//! from match records to a cluster per row. Prints precision and recall against the sample's
//! ground truth once before timing.
//!
//! `cargo bench -p crm-benches --bench dedup`

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use crm_benches::env_usize;
use crm_core::quality::{DedupConfig, MatchRecord, find_duplicates, precision_recall};
use crm_core::sample::{SampleConfig, duplicate_pairs};

fn main() {
    let customers = env_usize("CRM_BENCH_CUSTOMERS", 1_000_000);
    let (mut records, mut ids) = (Vec::new(), Vec::new());
    let truth = SampleConfig::new(customers)
        .seed(42)
        .for_each_customer(|c, _events| {
            records.push(MatchRecord::from_customer(&c));
            ids.push(c.id);
        });
    let config = DedupConfig::default();
    let d = find_duplicates(&records, &config).expect("the default settings");
    let (precision, recall) = precision_recall(&d.clustered_pairs(&ids), &duplicate_pairs(&truth));
    eprintln!(
        "{} records, {} candidates: precision {precision:.4}, recall {recall:.4}",
        records.len(),
        d.candidates,
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
