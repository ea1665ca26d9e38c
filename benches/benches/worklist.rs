//! The retention worklist over 1,000,000 sample customers (`CRM_BENCH_CUSTOMERS`): ranking
//! from prepared columns (`crm_core::worklist::rank`; target under 1 s) and the whole book
//! call (`CustomerBook::worklist`: stages, segmentation, contact features and the CLV fit
//! included). The columns' preparation time is printed.
//!
//! `cargo bench -p crm-benches --bench worklist`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use crm_benches::env_usize;
use crm_core::clv::ClvConfig;
use crm_core::lifecycle::LifecyclePolicy;
use crm_core::sample::SampleConfig;
use crm_core::sla::BusinessCalendar;
use crm_core::worklist::{WorklistColumns, WorklistOptions, WorklistRules, rank};

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
    let at = config.end();
    let policy = LifecyclePolicy::default();
    let start = Instant::now();
    let n = book.len();
    let (clv, p_alive) = match book.predict_clv(at, &ClvConfig::default()) {
        Ok(p) => (p.clv, p.p_alive),
        Err(_) => (vec![f64::NAN; n], vec![f64::NAN; n]),
    };
    let stages = book.stages(&policy, at).expect("stages");
    let seg = book.segment(at, &Default::default()).expect("segmentation");
    let contact = book.contact_features(at, None).expect("contact features");
    eprintln!(
        "columns (CLV fit, stages, segmentation, contact features) prepared in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    let columns = WorklistColumns {
        customer_id: &contact.customer_id,
        clv: &clv,
        p_alive: &p_alive,
        stage: &stages.stage,
        monetary: &seg.features.monetary,
        score: &seg.scores.score,
        days_since_contact: &contact.days_since_contact,
        unanswered_inbound: &contact.unanswered_inbound,
        complaints_breached: &contact.complaints_breached,
        activities_overdue: &contact.activities_overdue,
    };
    let calendar = BusinessCalendar::always_open();
    let rules = WorklistRules {
        at,
        limit: 200,
        policy: &policy,
        calendar: &calendar,
    };
    let list = rank(&columns, &rules).expect("the worklist");
    eprintln!(
        "{} candidates, top row: {:?}",
        list.candidates,
        list.rows.first()
    );

    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let mut g = c.benchmark_group(format!("worklist_{}", book.len()));
    g.throughput(Throughput::Elements(book.len() as u64));
    g.bench_function("rank_prepared_columns_200", |b| {
        b.iter(|| rank(black_box(&columns), black_box(&rules)).expect("ranks"))
    });
    let options = WorklistOptions::at(at);
    g.bench_function("book_worklist_200", |b| {
        b.iter(|| book.worklist(black_box(&options)).expect("the worklist"))
    });
    g.finish();
    c.final_summary();
}
