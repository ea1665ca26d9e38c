//! The customer book at scale: load a generated base of `CRM_BENCH_CUSTOMERS` customers
//! (default 1,000,000) with about 10 purchases each, report the load time and the peak
//! memory, then measure `view` (criterion) on a typical and on the busiest customer.
//!
//! `cargo bench -p crm-benches --bench book` (the README's performance section shows the
//! figures); `make test` smoke-runs it on 2,000 customers with `-- --test`.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use crm_benches::{env_usize, gib, peak_memory_bytes};
use crm_core::book::{CustomerBook, ViewOptions};
use crm_core::sample::SampleConfig;

fn main() {
    let customers = env_usize("CRM_BENCH_CUSTOMERS", 1_000_000);
    let config = SampleConfig::new(customers)
        .seed(1)
        .mean_purchases(10.0)
        .duplicate_share(0.0);
    let as_of = config.end();

    // Generation alone, to tell it apart from loading.
    let started = Instant::now();
    let mut generated = 0usize;
    config.for_each_customer(|customer, events| {
        generated += events.len();
        black_box((customer, events));
    });
    let generation = started.elapsed();

    let started = Instant::now();
    let (book, _) = config.build_book().expect("the sample loads");
    let load = started.elapsed();
    assert_eq!(generated, book.event_count());
    let purchases = book
        .features(as_of)
        .frequency
        .iter()
        .map(|&f| u64::from(f))
        .sum::<u64>();
    eprintln!(
        "book: {} customers, {} events ({} purchases) generated and loaded in {:.2} s \
         (generation alone {:.2} s, so loading {:.2} s); peak memory {}",
        book.len(),
        book.event_count(),
        purchases,
        load.as_secs_f64(),
        generation.as_secs_f64(),
        (load.saturating_sub(generation)).as_secs_f64(),
        peak_memory_bytes().map_or("n/a".into(), gib),
    );

    let mut c = Criterion::default().configure_from_args();
    bench_view(&mut c, &book, as_of);
    c.final_summary();
}

fn bench_view(c: &mut Criterion, book: &CustomerBook, as_of: chrono::DateTime<chrono::Utc>) {
    // A typical customer (the median number of events) and the busiest one.
    let mut by_events: Vec<(usize, u64)> = book
        .customers()
        .map(|cu| (book.events_of(cu.id).map_or(0, |e| e.len()), cu.id))
        .collect();
    by_events.sort_unstable();
    let (typical_events, typical) = by_events[by_events.len() / 2];
    let (busiest_events, busiest) = by_events[by_events.len() - 1];
    eprintln!(
        "view: typical customer {typical} has {typical_events} events, busiest {busiest} has {busiest_events}"
    );

    let options = ViewOptions::as_of(as_of);
    let mut group = c.benchmark_group("view");
    group.bench_function(format!("typical_{typical_events}_events_page_20"), |b| {
        b.iter(|| book.view(black_box(typical), black_box(&options)))
    });
    group.bench_function(format!("busiest_{busiest_events}_events_page_20"), |b| {
        b.iter(|| book.view(black_box(busiest), black_box(&options)))
    });
    group.finish();
}
