//! The SQLite store at scale (`synchronous=FULL`, the default): bulk ingest of a generated
//! base of `CRM_BENCH_STORE_CUSTOMERS` customers (default 100,000, ~13 events each) in
//! batches of about 10,000 events (one transaction each), events/s; reopening the store and
//! answering the first 360° view, with the peak memory; a reader's `refresh()` after 10,000
//! new changes committed by a writer.
//!
//! `cargo bench -p crm-benches --bench store` (figures in the README's store section);
//! `make test` smoke-runs it on 2,000 customers with `-- --test`.
//!
//! For the reopen at scale in a process of its own (so that its peak memory is the
//! reopen's, not the generator's): `CRM_BENCH_STORE_KEEP=path` writes the store there and
//! keeps it; `CRM_BENCH_STORE_REOPEN=path` only reopens that store and answers the first
//! 360° view (run it under `/usr/bin/time -v`); with `CRM_BENCH_STORE_FULL_CHECK=1` it opens
//! with `full_check` (`quick_check` over the whole file, the check at open before schema 3).

use std::time::Instant;

use crm_benches::{env_usize, gib, peak_memory_bytes};
use crm_core::book::{Change, ViewOptions};
use crm_core::model::{Customer, Event};
use crm_core::sample::SampleConfig;
use crm_store::StoreOptions;

fn main() {
    let smoke = std::env::args().any(|a| a == "--test");
    if let Ok(path) = std::env::var("CRM_BENCH_STORE_REOPEN") {
        reopen_only(std::path::Path::new(&path));
        return;
    }
    let keep = std::env::var("CRM_BENCH_STORE_KEEP").ok();
    let default = if smoke { 2_000 } else { 100_000 };
    let customers = env_usize("CRM_BENCH_STORE_CUSTOMERS", default);
    let dir = std::env::temp_dir().join(format!("crm-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = keep
        .as_ref()
        .map_or_else(|| dir.join("bench.crm"), std::path::PathBuf::from);
    let config = SampleConfig::new(customers)
        .seed(1)
        .mean_purchases(10.0)
        .duplicate_share(0.0);
    let as_of = config.end();

    // Generated first, so that the timing is the store's, not the generator's.
    let mut batches: Vec<(Vec<Customer>, Vec<Event>)> = vec![(Vec::new(), Vec::new())];
    config.for_each_customer(|c, events| {
        let last = batches.last_mut().expect("one batch at least");
        last.0.push(c);
        last.1.extend(events);
        if last.1.len() >= 10_000 {
            batches.push((Vec::new(), Vec::new()));
        }
    });
    let total_events: usize = batches.iter().map(|b| b.1.len()).sum();

    let mut book = crm_store::open(&path, &StoreOptions::with_currency("TRY")).expect("a store");
    let started = Instant::now();
    for (customers, events) in batches {
        book.apply(&[
            Change::CustomersAdded { customers },
            Change::EventsRecorded { events },
        ])
        .expect("the sample is valid");
    }
    let ingest = started.elapsed().as_secs_f64();
    println!(
        "ingest: {customers} customers, {total_events} events in {ingest:.2} s = {:.0} events/s \
         (synchronous=FULL, batches of ~10,000 events)",
        total_events as f64 / ingest
    );
    let id = book.customers().next().map(|c| c.id).expect("a customer");
    book.close().expect("closes");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);

    let started = Instant::now();
    let reopened = crm_store::open(&path, &StoreOptions::default()).expect("reopens");
    let view = reopened
        .view(id, &ViewOptions::as_of(as_of))
        .expect("a view");
    let reopen = started.elapsed().as_secs_f64();
    println!(
        "reopen + first view: {reopen:.2} s for {} customers, {} events, file {} \
         (quick_check of the log included); peak memory {}",
        reopened.len(),
        reopened.event_count(),
        gib(size),
        peak_memory_bytes().map_or_else(|| "n/a".to_owned(), gib)
    );
    std::hint::black_box(view);

    let mut reader = reopened;
    let mut writer = crm_store::open(&path, &StoreOptions::default()).expect("a writer");
    let at = as_of;
    let new: Vec<Change> = (0..10_000u64)
        .map(|i| Change::EventRecorded {
            event: Event::new(
                id,
                at + chrono::Duration::seconds(i as i64),
                crm_core::model::Interaction {
                    channel: crm_core::model::Channel::Web,
                    direction: crm_core::model::Direction::Inbound,
                    subject: None,
                    outcome: None,
                    agent: None,
                },
            ),
        })
        .collect();
    writer.apply(&new).expect("the writer commits");
    let started = Instant::now();
    let n = reader.refresh().expect("refreshes");
    let refresh = started.elapsed().as_secs_f64();
    println!("refresh after {n} new changes: {:.1} ms", refresh * 1e3);
    drop((reader, writer));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reopens the store at `path` and answers the first 360° view, timed.
fn reopen_only(path: &std::path::Path) {
    let options = StoreOptions {
        create: false,
        full_check: std::env::var("CRM_BENCH_STORE_FULL_CHECK").is_ok_and(|v| v == "1"),
        ..StoreOptions::default()
    };
    let as_of = chrono::Utc::now();
    let started = Instant::now();
    let book = crm_store::open(path, &options).expect("reopens");
    let id = book.customers().next().map(|c| c.id).expect("a customer");
    let view = book.view(id, &ViewOptions::as_of(as_of)).expect("a view");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "reopen + first view: {secs:.2} s for {} customers, {} events (check: {}); peak \
         memory {}",
        book.len(),
        book.event_count(),
        if options.full_check {
            "quick_check of the whole file"
        } else {
            "quick_check of the log"
        },
        peak_memory_bytes().map_or_else(|| "n/a".to_owned(), gib)
    );
    std::hint::black_box(view);
}
