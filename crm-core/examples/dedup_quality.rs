//! Precision, recall, time and memory of duplicate detection on the sample generator's data
//! against its ground truth:
//! `cargo run --release -p crm-core --example dedup_quality -- 1000000`.
//!
//! Only the customer records are kept (the sample's events are dropped as they are made); the
//! peak resident memory is reset before `find_duplicates` (Linux's `/proc/self/clear_refs`),
//! so the figure printed is the process's peak during the call, records included.

use std::time::Instant;

use crm_core::quality::{DedupConfig, MatchRecord, find_duplicates, precision_recall};
use crm_core::sample::{SampleConfig, duplicate_pairs};

/// A line of /proc/self/status in MiB (Linux; None elsewhere).
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut records = Vec::new();
    let mut ids = Vec::new();
    let truth_list = SampleConfig::new(n)
        .seed(42)
        .for_each_customer(|c, _events| {
            records.push(MatchRecord::from_customer(&c));
            ids.push(c.id);
        });
    let before = status_mib("VmRSS:");
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let started = Instant::now();
    let d = find_duplicates(&records, &DedupConfig::default()).expect("the default settings");
    let seconds = started.elapsed().as_secs_f64();
    let peak = status_mib("VmHWM:").filter(|_| reset);
    let truth = duplicate_pairs(&truth_list);
    let predicted = d.clustered_pairs(&ids);
    let (precision, recall) = precision_recall(&predicted, &truth);
    println!(
        "{} records, {} true pairs, {} candidates, {} predicted pairs: precision {:.4}, recall {:.4}, F1 {:.4}",
        records.len(),
        truth.len(),
        d.candidates,
        predicted.len(),
        precision,
        recall,
        2.0 * precision * recall / (precision + recall),
    );
    let show = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.0} MiB"));
    println!(
        "find_duplicates: {seconds:.2} s; resident before {}, peak during the call {}",
        show(before),
        show(peak)
    );
    println!(
        "match rate λ {:.3e} ({:.0} expected matching pairs)",
        d.model.prior, d.model.expected_matches
    );
    for (f, name) in crm_core::quality::FIELDS.iter().enumerate() {
        let m = d.model.m[f].map(|x| format!("{x:.4}"));
        let u = d.model.u[f].map(|x| format!("{x:.2e}"));
        println!("  {name:<12} m {m:?}  u {u:?}");
    }
}
