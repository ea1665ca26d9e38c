//! The array entry points of libcrm with `arbitrary` columns and scalars: value scoring,
//! RFM from transactions, segmentation over values (pyramid, Pareto, top share, ABC,
//! matrix), lifecycle classification, calendar batches, the CLV summary, fits and
//! predictions, and duplicate detection over text columns. Every call must return a status
//! (never panic), write its outputs only on success and free what it returned.
#![no_main]

use std::ffi::CString;
use std::ptr;

use arbitrary::Arbitrary;
use crm::*;
use crm_fuzz::{c, call_json, ok};
use libfuzzer_sys::fuzz_target;

/// A column of `f64` that is often plain and sometimes hostile.
#[derive(Debug, Arbitrary)]
enum Num {
    Small(i16),
    Any(f64),
    Nan,
    Inf(bool),
}

impl Num {
    fn get(&self) -> f64 {
        match self {
            Num::Small(i) => *i as f64 / 4.0,
            Num::Any(f) => *f,
            Num::Nan => f64::NAN,
            Num::Inf(neg) => if *neg { f64::NEG_INFINITY } else { f64::INFINITY },
        }
    }
}

fn col(v: &[Num]) -> Vec<f64> {
    v.iter().map(Num::get).collect()
}

/// An instant in Unix seconds: near 2025 mostly, anything sometimes.
#[derive(Debug, Arbitrary)]
enum Instant {
    Near(i32),
    Any(i64),
}

impl Instant {
    fn get(&self) -> i64 {
        match self {
            Instant::Near(s) => 1_740_000_000 + *s as i64 * 60,
            Instant::Any(i) => *i,
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Call {
    Score { keys: Vec<(u8, Num)>, rows: Vec<Vec<Num>>, names: Vec<u8> },
    Rfm { rows: Vec<(u8, Instant, i64)>, unit: u32, as_of: Instant, bins: u32 },
    Pyramid { values: Vec<Num>, revenue: bool },
    Pareto { values: Vec<Num>, points: u16 },
    TopShare { values: Vec<Num>, fraction: Num },
    Abc { values: Vec<Num>, a: Num, b: Num },
    Matrix { rows: Vec<(u8, Num, Option<u8>)>, tiers: u8 },
    Classify { rows: Vec<(u8, Num, Num, Num, u8, u8)> },
    AddMinutes { calendar: u8, rows: Vec<(Instant, i64)> },
    Between { calendar: u8, rows: Vec<(Instant, Instant)> },
    NextDay { calendar: u8, at: Instant },
    Summary { rows: Vec<(u8, Instant, Num)>, unit: u32, as_of: Instant, clv_unit: u32 },
    FitBg { rows: Vec<(Num, Num, Num)> },
    FitGg { rows: Vec<(Num, Num)> },
    Predict { params: [Num; 4], horizon: Num, rows: Vec<(Num, Num, Num)> },
    Lifetime { bg: [Num; 4], gg: [Num; 3], rows: Vec<(Num, Num, Num, Num)>, months: u16, rate: Num, unit: u32 },
    Spend { gg: [Num; 3], rows: Vec<(Num, Num)> },
    NewPurchases { params: [Num; 4], horizon: Num },
    Duplicates { columns: Vec<(u8, Vec<Option<u8>>)>, threshold: Num, max_block: u8 },
    Features { as_of: Instant },
}

const KEYS: [&str; 10] = [
    "monetary", "frequency", "intensity", "referral_value", "co_investment", "cost_sharing",
    "recency_days", "tenure_days", "referred_buyers", "custom:nps",
];
const COLUMNS: [&str; 12] = [
    "monetary", "frequency", "intensity", "referral_value", "co_investment", "cost_sharing",
    "recency_days", "recency", "tenure", "referrals", "nps", "other",
];
const FIELDS: [&str; 10] = [
    "given_name", "surname", "birth_date", "email", "phone", "address", "city", "postcode",
    "national_id", "nickname",
];
const CELLS: [&str; 16] = [
    "Ayşe", "Ayse", "AYŞE", "Yılmaz", "Yilmaz", "1990-05-17", "17.05.1990", "19900517",
    "2025-02-30", "ayse@ornek.com", "05321234567", "+90 532 123 45 67", "İzmir", "35000",
    "10000000146", "",
];

fn calendar(pick: u8) -> *mut crm_calendar_t {
    let text = [crm_fuzz::json::CALENDAR, crm_fuzz::json::CALENDAR_247][pick as usize % 2];
    let mut cal = ptr::null_mut();
    // SAFETY: NUL-terminated text, writable out.
    assert!(ok(unsafe { crm_calendar_from_json(c(text).as_ptr(), &mut cal) }, "calendar"));
    cal
}

fn bg(p: &[Num; 4]) -> crm_beta_geo_t {
    crm_beta_geo_t { r: p[0].get(), alpha: p[1].get(), a: p[2].get(), b: p[3].get() }
}

fn gg(p: &[Num; 3]) -> crm_gamma_gamma_t {
    crm_gamma_gamma_t { p: p[0].get(), q: p[1].get(), v: p[2].get() }
}

fuzz_target!(|calls: Vec<Call>| {
    for call in calls.iter().take(4) {
        run(call);
    }
});

/// One call. SAFETY throughout: every array passed holds the length passed with it, every
/// out-pointer is writable, strings are NUL-terminated, handles are live.
fn run(call: &Call) {
    match call {
        Call::Score { keys, rows, names } => unsafe {
            let model: Vec<String> = keys
                .iter()
                .take(12)
                .map(|(k, w)| format!("{{\"key\": \"{}\", \"weight\": {}}}", KEYS[*k as usize % KEYS.len()], serde_json::json!(w.get())))
                .collect();
            let mut m = ptr::null_mut();
            if !ok(crm_value_model_from_json(c(&format!("{{\"keys\": [{}]}}", model.join(","))).as_ptr(), &mut m), "model") {
                return;
            }
            let n = rows.first().map_or(0, Vec::len);
            let names: Vec<CString> = names.iter().take(12).map(|i| c(COLUMNS[*i as usize % COLUMNS.len()])).collect();
            let cols: Vec<Vec<f64>> = (0..names.len())
                .map(|j| (0..n).map(|i| rows.get(j).and_then(|r| r.get(i)).map_or(1.0, Num::get)).collect())
                .collect();
            let np: Vec<_> = names.iter().map(|s| s.as_ptr()).collect();
            let cp: Vec<_> = cols.iter().map(|v| v.as_ptr()).collect();
            let mut out = vec![0.0; n];
            if ok(crm_value_model_score(m, n, np.as_ptr(), cp.as_ptr(), np.len(), out.as_mut_ptr()), "score") {
                assert!(out.iter().all(|v| v.is_nan() || (0.0..=100.0).contains(v)), "score outside 0..=100: {out:?}");
            }
            crm_value_model_free(m);
        },
        Call::Rfm { rows, unit, as_of, bins } => unsafe {
            let ids: Vec<u64> = rows.iter().map(|r| r.0 as u64).collect();
            let at: Vec<i64> = rows.iter().map(|r| r.1.get()).collect();
            let amount: Vec<i64> = rows.iter().map(|r| r.2).collect();
            let mut out = ptr::null_mut();
            if ok(crm_rfm_from_transactions(ids.as_ptr(), at.as_ptr(), amount.as_ptr(), rows.len(), *unit % 6, as_of.get(), *bins % 12, ptr::null(), &mut out), "rfm") {
                crm_rfm_free(out);
            }
        },
        Call::Pyramid { values, revenue } => unsafe {
            let v = col(values);
            let mut tiers = vec![0u8; v.len()];
            let mut summary = ptr::null_mut();
            let rev = if *revenue { v.as_ptr() } else { ptr::null() };
            if ok(crm_pyramid(v.as_ptr(), rev, v.len(), ptr::null(), tiers.as_mut_ptr(), &mut summary), "pyramid") {
                crm_fuzz::take_string(summary, true, "pyramid");
                assert!(tiers.iter().all(|&t| t < 4), "tier out of range: {tiers:?}");
            }
        },
        Call::Pareto { values, points } => {
            let v = col(values);
            call_json("pareto", |out| unsafe { crm_pareto_json(v.as_ptr(), v.len(), *points as usize, out) });
        }
        Call::TopShare { values, fraction } => unsafe {
            let v = col(values);
            let mut share = -1.0;
            if ok(crm_top_share(v.as_ptr(), v.len(), fraction.get(), &mut share), "top share") {
                assert!(share.is_nan() || (0.0..=1.0 + 1e-9).contains(&share) || v.iter().any(|x| *x < 0.0), "top share {share}");
            }
        },
        Call::Abc { values, a, b } => unsafe {
            let v = col(values);
            let mut classes = vec![9u8; v.len()];
            if ok(crm_abc(v.as_ptr(), v.len(), a.get(), b.get(), classes.as_mut_ptr()), "abc") {
                assert!(classes.iter().all(|&k| k <= 2), "ABC class out of range: {classes:?}");
            }
        },
        Call::Matrix { rows, tiers } => {
            let tier: Vec<u8> = rows.iter().map(|r| r.0).collect();
            let values: Vec<f64> = rows.iter().map(|r| r.1.get()).collect();
            let names: Vec<String> = (0..*tiers % 8).map(|i| format!("\"t{i}\"")).collect();
            let attr: Vec<String> = rows.iter().map(|r| r.2.map_or("null".into(), |v| format!("\"c{}\"", v % 5))).collect();
            let names = c(&format!("[{}]", names.join(",")));
            let attrs = c(&format!("[{{\"name\": \"city\", \"values\": [{}]}}]", attr.join(",")));
            call_json("matrix", |out| unsafe {
                crm_segment_matrix_json(tier.as_ptr(), values.as_ptr(), ptr::null(), rows.len(), names.as_ptr(), attrs.as_ptr(), out)
            });
        }
        Call::Classify { rows } => unsafe {
            let mut p = ptr::null_mut();
            assert!(ok(crm_lifecycle_policy_from_json(c("{}").as_ptr(), &mut p), "policy"));
            let purchases: Vec<u32> = rows.iter().map(|r| r.0 as u32).collect();
            let first: Vec<f64> = rows.iter().map(|r| r.1.get()).collect();
            let last: Vec<f64> = rows.iter().map(|r| r.2.get()).collect();
            let gap: Vec<f64> = rows.iter().map(|r| r.3.get()).collect();
            let cats: Vec<u32> = rows.iter().map(|r| (r.4 % 8) as u32).collect();
            let flag = |bit: u8| -> Vec<u8> { rows.iter().map(|r| (r.5 >> bit) & 1).collect() };
            let (up, re, ch, od) = (flag(0), flag(1), flag(2), flag(3));
            let recent: Vec<u32> = rows.iter().map(|r| (r.5 >> 4) as u32).collect();
            let cols = crm_stage_columns_t {
                len: rows.len(),
                purchases: purchases.as_ptr(),
                days_since_first: first.as_ptr(),
                days_since_last: last.as_ptr(),
                median_gap_days: gap.as_ptr(),
                categories: cats.as_ptr(),
                upsold: up.as_ptr(),
                recent_purchases: recent.as_ptr(),
                reactivated: re.as_ptr(),
                churn_recorded: ch.as_ptr(),
                overdue_complaint: od.as_ptr(),
            };
            let mut stages = vec![99u8; rows.len()];
            if ok(crm_lifecycle_classify(p, &cols, stages.as_mut_ptr()), "classify") {
                assert!(stages.iter().all(|&s| s <= CRM_STAGE_REACTIVATED as u8), "stage code: {stages:?}");
            }
            crm_lifecycle_policy_free(p);
        },
        Call::AddMinutes { calendar: k, rows } => unsafe {
            let cal = calendar(*k);
            let at: Vec<i64> = rows.iter().map(|r| r.0.get()).collect();
            let minutes: Vec<i64> = rows.iter().map(|r| r.1).collect();
            let mut out = vec![0i64; rows.len()];
            if ok(crm_calendar_add_business_minutes(cal, at.as_ptr(), minutes.as_ptr(), rows.len(), out.as_mut_ptr()), "add minutes") {
                for ((a, m), o) in at.iter().zip(&minutes).zip(&out) {
                    assert!(*m < 0 || o >= a, "{m} business minutes after {a} gave the earlier {o}");
                }
            }
            crm_calendar_free(cal);
        },
        Call::Between { calendar: k, rows } => unsafe {
            let cal = calendar(*k);
            let from: Vec<i64> = rows.iter().map(|r| r.0.get()).collect();
            let to: Vec<i64> = rows.iter().map(|r| r.1.get()).collect();
            let mut out = vec![0i64; rows.len()];
            if ok(crm_calendar_business_minutes_between(cal, from.as_ptr(), to.as_ptr(), rows.len(), out.as_mut_ptr()), "between") {
                for ((f, t), m) in from.iter().zip(&to).zip(&out) {
                    assert!(*m >= 0 && *m <= (t.saturating_sub(*f)).max(0) / 60 + 1, "{m} business minutes in [{f}, {t})");
                }
            }
            crm_calendar_free(cal);
        },
        Call::NextDay { calendar: k, at } => unsafe {
            let cal = calendar(*k);
            let mut out = 0i64;
            if ok(crm_calendar_end_of_next_business_day(cal, at.get(), &mut out), "next day") {
                assert!(out > at.get(), "the next business day's close {out} is not after {}", at.get());
            }
            crm_calendar_free(cal);
        },
        Call::Summary { rows, unit, as_of, clv_unit } => unsafe {
            let ids: Vec<u64> = rows.iter().map(|r| r.0 as u64).collect();
            let at: Vec<i64> = rows.iter().map(|r| r.1.get()).collect();
            let amount = rows.iter().map(|r| r.2.get()).collect::<Vec<_>>();
            let mut out = ptr::null_mut();
            if ok(crm_clv_summary(ids.as_ptr(), at.as_ptr(), *unit % 6, amount.as_ptr(), rows.len(), as_of.get(), *clv_unit % 3, &mut out), "summary") {
                crm_clv_summary_free(out);
            }
        },
        Call::FitBg { rows } => unsafe {
            let (f, r, t): (Vec<f64>, Vec<f64>, Vec<f64>) = (rows.iter().map(|x| x.0.get()).collect(), rows.iter().map(|x| x.1.get()).collect(), rows.iter().map(|x| x.2.get()).collect());
            let mut p = bg(&[Num::Small(0), Num::Small(0), Num::Small(0), Num::Small(0)]);
            let mut out = ptr::null_mut();
            if ok(crm_clv_fit_beta_geo(f.as_ptr(), r.as_ptr(), t.as_ptr(), rows.len(), ptr::null(), &mut p, &mut out), "fit bg") {
                crm_fuzz::take_string(out, true, "fit bg");
            }
        },
        Call::FitGg { rows } => unsafe {
            let f: Vec<f64> = rows.iter().map(|x| x.0.get()).collect();
            let m: Vec<f64> = rows.iter().map(|x| x.1.get()).collect();
            let mut p = crm_gamma_gamma_t { p: 0.0, q: 0.0, v: 0.0 };
            let mut out = ptr::null_mut();
            if ok(crm_clv_fit_gamma_gamma(f.as_ptr(), m.as_ptr(), rows.len(), ptr::null(), &mut p, &mut out), "fit gg") {
                crm_fuzz::take_string(out, true, "fit gg");
            }
        },
        Call::Predict { params, horizon, rows } => unsafe {
            let p = bg(params);
            let (f, r, t): (Vec<f64>, Vec<f64>, Vec<f64>) = (rows.iter().map(|x| x.0.get()).collect(), rows.iter().map(|x| x.1.get()).collect(), rows.iter().map(|x| x.2.get()).collect());
            let mut out = vec![0.0; rows.len()];
            ok(crm_clv_beta_geo_predict(&p, horizon.get(), f.as_ptr(), r.as_ptr(), t.as_ptr(), rows.len(), out.as_mut_ptr()), "predict");
        },
        Call::Lifetime { bg: b, gg: g, rows, months, rate, unit } => unsafe {
            let (pb, pg) = (bg(b), gg(g));
            let f: Vec<f64> = rows.iter().map(|x| x.0.get()).collect();
            let r: Vec<f64> = rows.iter().map(|x| x.1.get()).collect();
            let t: Vec<f64> = rows.iter().map(|x| x.2.get()).collect();
            let m: Vec<f64> = rows.iter().map(|x| x.3.get()).collect();
            let mut out = vec![0.0; rows.len()];
            // Months over the whole u16 range: both sides of `clv::MAX_CLV_MONTHS` (1,200),
            // so the real limit is exercised (and anything above it must be refused).
            let done = ok(crm_clv_lifetime_value(&pb, &pg, f.as_ptr(), r.as_ptr(), t.as_ptr(), m.as_ptr(), rows.len(), *unit % 3, *months as u32, rate.get(), out.as_mut_ptr()), "lifetime value");
            assert!(!done || u32::from(*months) <= crm_core::clv::MAX_CLV_MONTHS, "{months} months accepted");
        },
        Call::Spend { gg: g, rows } => unsafe {
            let p = gg(g);
            let f: Vec<f64> = rows.iter().map(|x| x.0.get()).collect();
            let m: Vec<f64> = rows.iter().map(|x| x.1.get()).collect();
            let mut out = vec![0.0; rows.len()];
            ok(crm_clv_expected_spend(&p, f.as_ptr(), m.as_ptr(), rows.len(), out.as_mut_ptr()), "spend");
        },
        Call::NewPurchases { params, horizon } => unsafe {
            let p = bg(params);
            let mut out = 0.0;
            ok(crm_clv_expected_purchases_new(&p, horizon.get(), &mut out), "new purchases");
        },
        Call::Duplicates { columns, threshold, max_block } => unsafe {
            let n = columns.first().map_or(0, |c| c.1.len().min(64));
            let names: Vec<CString> = columns.iter().take(10).map(|(k, _)| c(FIELDS[*k as usize % FIELDS.len()])).collect();
            let cells: Vec<Vec<Option<CString>>> = columns
                .iter()
                .take(10)
                .map(|(_, v)| (0..n).map(|i| v.get(i).copied().flatten().map(|k| c(CELLS[k as usize % CELLS.len()]))).collect())
                .collect();
            let ptrs: Vec<Vec<*const std::ffi::c_char>> = cells
                .iter()
                .map(|col| col.iter().map(|s| s.as_ref().map_or(ptr::null(), |s| s.as_ptr())).collect())
                .collect();
            let np: Vec<_> = names.iter().map(|s| s.as_ptr()).collect();
            let cp: Vec<_> = ptrs.iter().map(|v| v.as_ptr()).collect();
            let config = c(&format!("{{\"threshold\": {}, \"max_block\": {}}}", serde_json::json!(threshold.get()), max_block));
            let mut out = ptr::null_mut();
            if ok(crm_quality_find_duplicates_columns(np.as_ptr(), cp.as_ptr(), np.len(), n, config.as_ptr(), &mut out), "duplicates") {
                let d = &*out;
                assert_eq!(d.records, n, "one cluster per record");
                crm_duplicates_free(out);
            }
        },
        Call::Features { as_of } => {
            let book = crm_fuzz::fixture_book();
            if let Some(t) = chrono::DateTime::from_timestamp(as_of.get(), 0) {
                crm_fuzz::read_all(&book, &t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            }
        }
    }
}
