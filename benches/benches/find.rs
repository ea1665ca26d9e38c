//! Finding the caller: `CustomerBook::find` on a book of 1,000,000 sample customers
//! (`CRM_BENCH_CUSTOMERS`), each given an external reference `C-<id>`. The index build (on
//! the first lookup) is timed once and printed; then each iteration looks up one of 1,000
//! customers spread over the book: exact keys (a phone typed another way, an e-mail in
//! upper case, a national id, a reference) and names (whole, a prefix of each word, a
//! misspelt family name).
//!
//! `cargo bench -p crm-benches --bench find`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use crm_benches::env_usize;
use crm_core::book::{CustomerBook, Lookup};
use crm_core::model::Customer;
use crm_core::sample::SampleConfig;

/// The phone in another spelling, `+90 (5xx) xxx-xxxx`, for a Turkish number of 10
/// national digits (others are left out).
fn messy(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = digits.get(digits.len().checked_sub(10)?..)?;
    Some(format!(
        "+90 ({}) {}-{}",
        &national[..3],
        &national[3..6],
        &national[6..]
    ))
}

fn main() {
    let customers = env_usize("CRM_BENCH_CUSTOMERS", 1_000_000);
    let mut all: Vec<Customer> = Vec::new();
    SampleConfig::new(customers)
        .seed(42)
        .for_each_customer(|mut c, _events| {
            c.external_ref = Some(format!("C-{}", c.id));
            all.push(c)
        });
    let picked: Vec<Customer> = all.iter().step_by(997).take(1_000).cloned().collect();
    let mut book = CustomerBook::with_currency("TRY").expect("a currency");
    book.add_customers(all).expect("the sample's customers");
    let start = Instant::now();
    let (keys, words, postings) = book.build_lookup_index();
    eprintln!(
        "{} customers: lookup index built in {:.2} s ({keys} keys, {words} name words, \
         {postings} name postings)",
        book.len(),
        start.elapsed().as_secs_f64()
    );

    // Each lookup with the customer it is for.
    let lookups = |f: &dyn Fn(&Customer) -> Option<Lookup>| -> Vec<(Lookup, u64)> {
        picked
            .iter()
            .filter_map(|c| f(c).map(|l| (l, c.id)))
            .collect()
    };
    let by = |l: Lookup| Some(l);
    let words =
        |c: &Customer| -> Vec<String> { c.display_name().split(' ').map(str::to_owned).collect() };
    let cases: Vec<(&str, Vec<(Lookup, u64)>)> = vec![
        (
            "exact/phone_messy",
            lookups(&|c| {
                c.phones
                    .first()
                    .and_then(|p| messy(p))
                    .map(|p| Lookup::phone(&p))
            }),
        ),
        (
            "exact/email",
            lookups(&|c| c.emails.first().map(|e| Lookup::email(&e.to_uppercase()))),
        ),
        (
            "exact/national_id",
            lookups(&|c| {
                c.national_id.as_ref().map(|n| Lookup {
                    national_id: Some(n.clone()),
                    ..Lookup::default()
                })
            }),
        ),
        (
            "exact/external_ref",
            lookups(&|c| {
                by(Lookup {
                    external_ref: c.external_ref.clone(),
                    ..Lookup::default()
                })
            }),
        ),
        (
            "name/exact",
            lookups(&|c| by(Lookup::name(&c.display_name()))),
        ),
        (
            "name/prefix",
            lookups(&|c| {
                let w = words(c);
                let short: Vec<String> = w.iter().map(|w| w.chars().take(3).collect()).collect();
                by(Lookup::name(&short.join(" ")))
            }),
        ),
        (
            "name/fuzzy",
            lookups(&|c| {
                let mut w = words(c);
                let last = w.last_mut()?;
                // The last letter doubled: one insertion, a near spelling.
                let end = last.chars().last()?;
                last.push(end);
                by(Lookup::name(&w.join(" ")))
            }),
        ),
    ];
    for (name, ls) in &cases {
        let hits = ls
            .iter()
            .filter(|(l, id)| book.find(l).unwrap().iter().any(|m| m.customer_id == *id))
            .count();
        eprintln!(
            "{name}: {} lookups, {hits} find their customer in the top 10",
            ls.len()
        );
    }

    let mut c = Criterion::default().sample_size(20).configure_from_args();
    let mut g = c.benchmark_group(format!("find_{}", book.len()));
    g.throughput(Throughput::Elements(1));
    // A small smoke-run book may have no customer with some field.
    for (name, ls) in cases.iter().filter(|(_, ls)| !ls.is_empty()) {
        let mut next = 0;
        g.bench_function(*name, |b| {
            b.iter(|| {
                next = (next + 1) % ls.len();
                book.find(black_box(&ls[next].0)).map(|m| m.len())
            })
        });
    }
    g.finish();
    c.final_summary();
}
