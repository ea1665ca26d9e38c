//! The 360° view on a stored book against the same book in memory: a generated base of
//! `CRM_BENCH_CUSTOMERS` customers (default 100,000, ~13 events each) is loaded into a
//! `CustomerBook`, imported into a new SQLite store, the store closed and reopened, and
//! `view` measured (criterion) on both for the same typical and busiest customers.
//!
//! A `StoredBook` answers reads from the book it keeps in memory, so the two should take
//! the same time; this bench is the check. `cargo bench -p crm-benches --bench stored_view`;
//! `make test` smoke-runs it on 2,000 customers with `-- --test`.

use std::hint::black_box;

use criterion::Criterion;
use crm_benches::env_usize;
use crm_core::book::{CustomerBook, ViewOptions};
use crm_core::sample::SampleConfig;
use crm_store::StoreOptions;

fn main() {
    let customers = env_usize("CRM_BENCH_CUSTOMERS", 100_000);
    let config = SampleConfig::new(customers)
        .seed(1)
        .mean_purchases(10.0)
        .duplicate_share(0.0);
    let as_of = config.end();
    let (memory, _) = config.build_book().expect("the sample loads");

    let dir = std::env::temp_dir().join(format!("crm-bench-view-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join("view.crm");
    let options = StoreOptions {
        early_events: memory.config().early_events,
        ..StoreOptions::with_currency(&memory.config().currency)
    };
    let mut stored = crm_store::open(&path, &options).expect("a store");
    stored.import(&memory).expect("the sample imports");
    stored.close().expect("closes");
    let stored = crm_store::open(&path, &StoreOptions::default()).expect("reopens");
    assert_eq!(stored.len(), memory.len());
    assert_eq!(stored.event_count(), memory.event_count());

    // A typical customer (the median number of events) and the busiest one.
    let mut by_events: Vec<(usize, u64)> = memory
        .customers()
        .map(|c| (memory.events_of(c.id).map_or(0, |e| e.len()), c.id))
        .collect();
    by_events.sort_unstable();
    let picks = [
        ("typical", by_events[by_events.len() / 2]),
        ("busiest", by_events[by_events.len() - 1]),
    ];
    let view_options = ViewOptions::as_of(as_of);
    for (_, (_, id)) in picks {
        // The same answer from both, or the timing compares different work.
        assert_eq!(
            stored.view(id, &view_options).expect("a view"),
            memory.view(id, &view_options).expect("a view"),
        );
    }

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("stored_view");
    for (name, (events, id)) in picks {
        let books: [(&str, &CustomerBook); 2] = [("memory", &memory), ("stored", &stored)];
        for (kind, book) in books {
            group.bench_function(format!("{name}_{events}_events_{kind}"), |b| {
                b.iter(|| book.view(black_box(id), black_box(&view_options)))
            });
        }
    }
    group.finish();
    c.final_summary();
    drop(stored);
    let _ = std::fs::remove_dir_all(&dir);
}
