//! Audience selection over 1,000,000 sample customers (`CRM_BENCH_CUSTOMERS`): a rule of six
//! conditions (tier, recency under a `not`, frequency, region or city, kind), consent on
//! e-mail and three suppressions (a do-not-contact list of 10,000 ids, open complaints, a
//! 7-day frequency cap), over inputs prepared once (`CustomerBook::audience_inputs`: that
//! time, segmentation included, is printed). Target: under 100 ms.
//!
//! `cargo bench -p crm-benches --bench audience`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use crm_benches::env_usize;
use crm_core::audience::{Audience, SelectOptions, Suppression, select_columns};
use crm_core::model::Channel;
use crm_core::sample::SampleConfig;

const RULE: &str = r#"{"all": [
    {"field": "tier", "in": ["Platinum", "Gold"]},
    {"not": {"field": "recency_days", "gt": 180}},
    {"field": "frequency", "gte": 2},
    {"any": [{"field": "region", "in": ["Marmara", "Ege"]}, {"field": "city", "eq": "Ankara"}]},
    {"field": "kind", "eq": "person"}
]}"#;

fn main() {
    let customers = env_usize("CRM_BENCH_CUSTOMERS", 1_000_000);
    let config = SampleConfig::new(customers).seed(42);
    let start = Instant::now();
    let (book, _) = config.build_book().expect("the sample book");
    eprintln!(
        "{} customers, {} events: book built in {:.1} s",
        book.len(),
        book.event_count(),
        start.elapsed().as_secs_f64()
    );
    let audience = Audience::from_json(RULE).expect("the rule");
    let options = SelectOptions {
        at: config.end(),
        channel: Some(Channel::Email),
        suppression: Suppression {
            customer_ids: book
                .customers()
                .step_by(97)
                .take(10_000)
                .map(|c| c.id)
                .collect(),
            open_complaints: true,
            contacted_within_days: Some(7),
        },
        segmentation: None,
    };
    let start = Instant::now();
    let inputs = book
        .audience_inputs(&audience, &options)
        .expect("the inputs");
    eprintln!(
        "inputs (segmentation, features, consent, contacts) prepared in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    let s = select_columns(&audience, &inputs).expect("the selection");
    eprintln!("counts: {:?}", s.counts);

    let mut c = Criterion::default().sample_size(20).configure_from_args();
    let mut g = c.benchmark_group(format!("audience_{}", book.len()));
    g.throughput(Throughput::Elements(book.len() as u64));
    g.bench_function("select_6_conditions_consent_suppression", |b| {
        b.iter(|| select_columns(black_box(&audience), black_box(&inputs)).expect("selects"))
    });
    g.finish();
    c.final_summary();
}
