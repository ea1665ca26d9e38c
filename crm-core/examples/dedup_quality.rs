//! Precision and recall of duplicate detection on the sample generator's data against its
//! ground truth: `cargo run --release -p crm-core --example dedup_quality -- 100000`.

use std::collections::HashSet;
use std::time::Instant;

use crm_core::quality::{DedupConfig, MatchRecord, find_duplicates, pairs_within};
use crm_core::sample::SampleConfig;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let sample = SampleConfig::new(n).seed(42).generate();
    let records: Vec<MatchRecord> = sample
        .customers
        .iter()
        .map(MatchRecord::from_customer)
        .collect();
    let ids: Vec<u64> = sample.customers.iter().map(|c| c.id).collect();
    let started = Instant::now();
    let d = find_duplicates(&records, &DedupConfig::default());
    let seconds = started.elapsed().as_secs_f64();
    // Duplicates of one original are duplicates of each other too.
    let mut by_original: std::collections::HashMap<u64, Vec<u64>> = Default::default();
    for t in &sample.duplicates {
        by_original
            .entry(t.original)
            .or_insert_with(|| vec![t.original])
            .push(t.duplicate);
    }
    let truth: HashSet<(u64, u64)> = pairs_within(by_original.values().map(Vec::as_slice));
    // Predicted pairs: every pair inside a cluster.
    let mut members: std::collections::HashMap<usize, Vec<u64>> = Default::default();
    for (row, &c) in d.cluster.iter().enumerate() {
        members.entry(c).or_default().push(ids[row]);
    }
    let predicted = pairs_within(members.values().map(Vec::as_slice));
    let tp = predicted.intersection(&truth).count() as f64;
    let precision = tp / predicted.len().max(1) as f64;
    let recall = tp / truth.len().max(1) as f64;
    println!(
        "{} records, {} true pairs, {} candidates, {} predicted pairs: precision {:.4}, recall {:.4}, F1 {:.4}, {:.2} s",
        records.len(),
        truth.len(),
        d.candidates,
        predicted.len(),
        precision,
        recall,
        2.0 * precision * recall / (precision + recall),
        seconds
    );
    println!("prior {:.5}", d.model.prior);
    for (f, name) in crm_core::quality::FIELDS.iter().enumerate() {
        println!("  {name:<12} m {:?}  u {:?}", d.model.m[f], d.model.u[f]);
    }
}
