//! Every JSON entry point of libcrm, one variant each, with a driver that hands it the text
//! (and, when the text is accepted, uses what it built) and valid seed documents.

use std::ptr;

use arbitrary::Arbitrary;
use crm::*;

use crate::{
    AS_OF, Book, FIXTURE_CUSTOMERS, FIXTURE_EVENTS, FIXTURE_INCIDENT, c, call_json, change,
    fixture_book, ok, read_all, saved,
};

/// One JSON entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum Entry {
    /// `crm_value_model_from_json`, then scoring with it.
    ValueModel,
    /// The RFM segment map of `crm_rfm_from_transactions`.
    RfmSegments,
    /// The segmentation config of `crm_book_analyse_json`.
    Segmentation,
    /// `crm_pyramid`'s config.
    Pyramid,
    /// `crm_lifecycle_policy_from_json`, then classifying, stages and views with it.
    LifecyclePolicy,
    /// `crm_sla_policy_from_json`, then evaluation, reports and views with it.
    SlaPolicies,
    /// `crm_calendar_from_json`, then deadlines and business minutes with it.
    Calendar,
    /// The dedupe config of `crm_quality_find_duplicates_json` and of the book's merge.
    DedupeConfig,
    /// The records of `crm_quality_find_duplicates_json`.
    DedupeRecords,
    /// The golden-record rules of `crm_book_merge_duplicates_json`.
    GoldenRules,
    /// The CLV config of `crm_book_predict_clv_json`.
    ClvConfig,
    /// The fit options of `crm_clv_fit_beta_geo` / `crm_clv_fit_gamma_gamma`.
    FitOptions,
    /// A snapshot file for `crm_book_load`.
    Snapshot,
    /// Customers for `crm_book_add_customers_json`.
    AddCustomers,
    /// A customer for `crm_book_update_customer_json`.
    UpdateCustomer,
    /// Events for `crm_book_record_json`.
    Record,
    /// An incident for `crm_book_add_incident_json`.
    Incident,
    /// Customers for `crm_quality_validate_json` and `crm_quality_report_json`.
    QualityCustomers,
    /// The tier names and attributes of `crm_segment_matrix_json` (`[names, attributes]`).
    SegmentMatrix,
    /// The retention assumptions of `crm_sla_report_json`.
    RetentionAssumptions,
    /// A customer for `crm_book_find_matches_json` and `crm_book_add_customer_checked_json`.
    MatchRecord,
    /// The config of `crm_book_find_matches_json` and the options of
    /// `crm_book_add_customer_checked_json`.
    MatchOptions,
    /// The options of `crm_quality_validate_in_json` and `crm_quality_report_in_json`.
    QualityOptions,
}

impl Entry {
    /// Every entry point.
    pub const ALL: [Entry; 23] = [
        Entry::ValueModel,
        Entry::RfmSegments,
        Entry::Segmentation,
        Entry::Pyramid,
        Entry::LifecyclePolicy,
        Entry::SlaPolicies,
        Entry::Calendar,
        Entry::DedupeConfig,
        Entry::DedupeRecords,
        Entry::GoldenRules,
        Entry::ClvConfig,
        Entry::FitOptions,
        Entry::Snapshot,
        Entry::AddCustomers,
        Entry::UpdateCustomer,
        Entry::Record,
        Entry::Incident,
        Entry::QualityCustomers,
        Entry::SegmentMatrix,
        Entry::RetentionAssumptions,
        Entry::MatchRecord,
        Entry::MatchOptions,
        Entry::QualityOptions,
    ];

    /// Valid documents of this grammar, from the README's and the tests' examples and from
    /// core's defaults (serialised, so every field of the grammar appears).
    pub fn seeds(self) -> Vec<String> {
        use crm_core as core;
        let js = |v: &dyn erased::Ser| v.json();
        match self {
            Entry::ValueModel => vec![
                r#"{"keys": [{"key": "monetary", "weight": 0.6}, {"key": "recency", "weight": 0.4}]}"#.into(),
                r#"{"keys": [{"key": "monetary", "weight": 3}, {"key": "custom:nps", "weight": 1}, {"key": "tenure_days", "weight": 2}]}"#.into(),
                js(&core::value::ValueModel::default()),
            ],
            Entry::RfmSegments => vec![js(&core::segment::RfmSegmentMap::default())],
            Entry::Segmentation => vec!["{}".into(), js(&core::book::SegmentationConfig::default())],
            Entry::Pyramid => vec![
                js(&core::segment::PyramidConfig::default()),
                r#"{"tiers": [{"name": "A", "share": 0.5}, {"name": "B", "share": 0.5}]}"#.into(),
            ],
            Entry::LifecyclePolicy => vec![
                "{}".into(),
                r#"{"new_days": 60, "at_risk": {"gap_multiple": 2.5}}"#.into(),
                js(&core::lifecycle::LifecyclePolicy::default()),
            ],
            Entry::SlaPolicies => vec![
                SLA_POLICY.into(),
                format!("[{SLA_POLICY}, {{\"name\": \"7/24\", \"calendar\": {CALENDAR_247}, \"targets\": {{\"low\": {{\"resolution\": {{\"minutes\": 4320, \"clock\": \"calendar\"}}}}}}}}]"),
            ],
            Entry::Calendar => vec![CALENDAR.into(), CALENDAR_247.into()],
            Entry::DedupeConfig => vec![
                r#"{"threshold": 0.95}"#.into(),
                js(&core::quality::DedupConfig::default()),
            ],
            Entry::DedupeRecords => vec![DEDUPE_RECORDS.into()],
            Entry::GoldenRules => vec![
                r#"{"default": "most_frequent"}"#.into(),
                js(&core::quality::GoldenRules::default()),
            ],
            Entry::ClvConfig => vec![
                r#"{"unit": "W", "months": 12, "discount_rate": 0.01}"#.into(),
                js(&core::clv::ClvConfig::default()),
            ],
            Entry::FitOptions => vec![
                r#"{"tolerance": 1e-9, "standard_errors": false}"#.into(),
                js(&core::clv::FitOptions::default()),
            ],
            Entry::Snapshot => vec![String::from_utf8(saved(&fixture_book())).expect("UTF-8")],
            Entry::AddCustomers => vec![
                FIXTURE_CUSTOMERS.replace("\"id\": ", "\"id\": 1"),
                r#"{"id": 42, "given_name": "Ayse", "family_name": "Yilmaz"}"#.into(),
            ],
            Entry::UpdateCustomer => vec![
                r#"{"id": 2, "given_name": "Mehmet", "family_name": "Demir", "referred_by": 3, "acquired_at": "2024-02-01T00:00:00Z"}"#.into(),
            ],
            Entry::Record => vec![
                FIXTURE_EVENTS.into(),
                r#"{"customer_id": 1, "at": "2025-03-08T10:00:00Z", "type": "complaint_resolved", "complaint_id": 7, "root_cause": "billing"}"#.into(),
            ],
            Entry::Incident => vec![FIXTURE_INCIDENT.replace("\"id\": 1", "\"id\": 2")],
            Entry::QualityCustomers => vec![FIXTURE_CUSTOMERS.into()],
            Entry::SegmentMatrix => vec![
                r#"[["Platin", "Altın", "Demir", "Kurşun"], [{"name": "city", "values": ["İzmir", null, "Ankara", "İzmir", "Bursa"]}]]"#.into(),
            ],
            Entry::RetentionAssumptions => vec![js(&core::sla::RetentionAssumptions::default())],
            Entry::MatchRecord => vec![MATCH_RECORD.into(), r#"{"id": 60, "given_name": "Mehmet", "family_name": "Demir"}"#.into()],
            Entry::MatchOptions => vec![
                r#"{"on_duplicate": "merge", "at": "2025-06-01T00:00:00Z", "threshold": 0.5}"#.into(),
                r#"{"on_duplicate": "reject", "country": "TR"}"#.into(),
                js(&core::quality::DedupConfig::default()),
            ],
            Entry::QualityOptions => vec![r#"{"country": "AU"}"#.into(), r#"{"country": "TR"}"#.into()],
        }
    }

    /// Hands `text` to the entry point and, when it is accepted, uses the result.
    pub fn drive(self, text: &str) {
        let t = c(text);
        let as_of = c(AS_OF);
        // SAFETY (every block below): valid C strings, live handles, out-pointers and arrays
        // of the lengths passed.
        match self {
            Entry::ValueModel => unsafe {
                let mut m = ptr::null_mut();
                if ok(crm_value_model_from_json(t.as_ptr(), &mut m), "value model") {
                    score_with(m);
                    crm_value_model_free(m);
                }
            },
            Entry::RfmSegments => unsafe {
                let (ids, at, amount) = ([1u64, 1, 2, 3, 3, 3], [10i64, 20, 30, 5, 6, 7], [100i64, 50, -20, 10, 10, 9000]);
                let mut r = ptr::null_mut();
                if ok(
                    crm_rfm_from_transactions(ids.as_ptr(), at.as_ptr(), amount.as_ptr(), 6, CRM_UNIT_SECONDS, 40, 5, t.as_ptr(), &mut r),
                    "rfm",
                ) {
                    crm_rfm_free(r);
                }
            },
            Entry::Segmentation => {
                let book = fixture_book();
                if change(&book, "analyse", |b| unsafe {
                    let mut out = ptr::null_mut();
                    let s = crm_book_analyse_json(b, as_of.as_ptr(), t.as_ptr(), &mut out);
                    if s == crm_status_t::CRM_OK {
                        crate::take_string(out, true, "analyse");
                    }
                    s
                }) {
                    read_all(&book, AS_OF);
                }
            }
            Entry::Pyramid => unsafe {
                let values = [5.0, 1.0, 0.0, 100.0, 3.5, 7.0];
                let mut tiers = [0u8; 6];
                let mut summary = ptr::null_mut();
                if ok(crm_pyramid(values.as_ptr(), values.as_ptr(), 6, t.as_ptr(), tiers.as_mut_ptr(), &mut summary), "pyramid") {
                    crate::take_string(summary, true, "pyramid");
                }
            },
            Entry::LifecyclePolicy => unsafe {
                let mut p = ptr::null_mut();
                if !ok(crm_lifecycle_policy_from_json(t.as_ptr(), &mut p), "lifecycle policy") {
                    return;
                }
                let book = fixture_book();
                let mut ids = [0u64; 8];
                let mut stages = [0u8; 8];
                let mut n = 0usize;
                ok(crm_book_stages(book.0, p, as_of.as_ptr(), ids.as_mut_ptr(), stages.as_mut_ptr(), 8, &mut n), "stages");
                call_json("stage history", |out| crm_book_stage_history_json(book.0, p, 1, as_of.as_ptr(), out));
                call_json("lifecycle report", |out| {
                    crm_book_lifecycle_report_json(book.0, p, c("2024-01-01T00:00:00Z").as_ptr(), as_of.as_ptr(), out)
                });
                call_json("churn reasons", |out| crm_book_churn_reasons_json(book.0, p, as_of.as_ptr(), out));
                let mut facts = ptr::null_mut();
                if ok(crm_book_stage_facts(book.0, p, as_of.as_ptr(), &mut facts), "stage facts") {
                    let cols = &(*facts).columns;
                    let mut out = vec![0u8; cols.len];
                    ok(crm_lifecycle_classify(p, cols, out.as_mut_ptr()), "classify");
                    crm_stage_facts_free(facts);
                }
                if change(&book, "set lifecycle policy", |b| crm_book_set_lifecycle_policy(b, p)) {
                    read_all(&book, AS_OF);
                }
                crm_lifecycle_policy_free(p);
            },
            Entry::SlaPolicies => unsafe {
                let mut p = ptr::null_mut();
                if !ok(crm_sla_policy_from_json(t.as_ptr(), &mut p), "sla policy") {
                    return;
                }
                let book = fixture_book();
                call_json("evaluate sla", |out| crm_book_evaluate_sla_json(book.0, p, as_of.as_ptr(), false, out));
                for by in ["priority", "tier", "channel", "category", "policy"] {
                    call_json("sla report", |out| {
                        crm_sla_report_json(book.0, p, as_of.as_ptr(), c("2025-01-01T00:00:00Z").as_ptr(), as_of.as_ptr(), c(by).as_ptr(), ptr::null(), 100.0, out)
                    });
                }
                if change(&book, "set sla policy", |b| crm_book_set_sla_policy(b, p)) {
                    read_all(&book, AS_OF);
                }
                crm_sla_policy_free(p);
            },
            Entry::Calendar => unsafe {
                let mut cal = ptr::null_mut();
                if !ok(crm_calendar_from_json(t.as_ptr(), &mut cal), "calendar") {
                    return;
                }
                // 7 March 2025 14:30 UTC, a Monday, a Sunday night, the year 9999.
                let at = [1_741_357_800i64, 1_741_568_400, 1_741_500_000, 253_402_300_000];
                let minutes = [0i64, 1, 600, 100_000];
                let mut out = [0i64; 4];
                ok(crm_calendar_add_business_minutes(cal, at.as_ptr(), minutes.as_ptr(), 4, out.as_mut_ptr()), "add minutes");
                let to = [1_741_968_000i64, 1_741_568_400, 1_772_000_000, 253_402_300_700];
                ok(crm_calendar_business_minutes_between(cal, at.as_ptr(), to.as_ptr(), 4, out.as_mut_ptr()), "between");
                let mut end = 0i64;
                ok(crm_calendar_end_of_next_business_day(cal, at[0], &mut end), "next day");
                crm_calendar_free(cal);
            },
            Entry::DedupeConfig => {
                // SAFETY: as above.
                call_json("find duplicates", |out| unsafe {
                    crm_quality_find_duplicates_json(c(DEDUPE_RECORDS).as_ptr(), t.as_ptr(), out)
                });
                merge_duplicates(t.as_ptr(), ptr::null());
            }
            Entry::DedupeRecords => {
                // SAFETY: as above.
                call_json("find duplicates", |out| unsafe {
                    crm_quality_find_duplicates_json(t.as_ptr(), ptr::null(), out)
                });
            }
            Entry::GoldenRules => merge_duplicates(ptr::null(), t.as_ptr()),
            Entry::ClvConfig => {
                let book = fixture_book();
                // SAFETY: as above.
                call_json("predict clv", |out| unsafe {
                    crm_book_predict_clv_json(book.0, as_of.as_ptr(), t.as_ptr(), out)
                });
            }
            Entry::FitOptions => unsafe {
                let f = [0.0, 1.0, 2.0, 0.0, 5.0, 3.0];
                let r = [0.0, 10.0, 30.0, 0.0, 50.0, 40.0];
                let tt = [40.0, 40.0, 60.0, 10.0, 60.0, 45.0];
                let m = [0.0, 20.0, 35.5, 0.0, 12.0, 80.0];
                let mut bg = crm_beta_geo_t { r: 0.0, alpha: 0.0, a: 0.0, b: 0.0 };
                let mut out = ptr::null_mut();
                if ok(crm_clv_fit_beta_geo(f.as_ptr(), r.as_ptr(), tt.as_ptr(), 6, t.as_ptr(), &mut bg, &mut out), "fit bg") {
                    crate::take_string(out, true, "fit bg");
                }
                let mut gg = crm_gamma_gamma_t { p: 0.0, q: 0.0, v: 0.0 };
                let mut out = ptr::null_mut();
                if ok(crm_clv_fit_gamma_gamma(f.as_ptr(), m.as_ptr(), 6, t.as_ptr(), &mut gg, &mut out), "fit gg") {
                    crate::take_string(out, true, "fit gg");
                }
            },
            Entry::Snapshot => {
                if let Some(book) = crate::load_bytes(text.as_bytes()) {
                    // A loaded book saves and loads back to the same bytes.
                    let bytes = saved(&book);
                    let again = crate::load_bytes(&bytes).expect("a saved book loads");
                    assert!(saved(&again) == bytes, "a loaded book saves differently twice");
                    read_all(&book, AS_OF);
                }
            }
            Entry::AddCustomers => book_change("add customers", crm_book_add_customers_json, &t),
            Entry::UpdateCustomer => book_change("update customer", crm_book_update_customer_json, &t),
            Entry::Record => book_change("record", crm_book_record_json, &t),
            Entry::Incident => book_change("incident", crm_book_add_incident_json, &t),
            Entry::QualityCustomers => {
                let today = c("2025-06-01");
                // SAFETY: as above.
                unsafe {
                    call_json("validate", |out| crm_quality_validate_json(t.as_ptr(), today.as_ptr(), out));
                    call_json("quality report", |out| crm_quality_report_json(t.as_ptr(), today.as_ptr(), out));
                }
            }
            Entry::SegmentMatrix => {
                let Ok(serde_json::Value::Array(parts)) = serde_json::from_str::<serde_json::Value>(text) else {
                    return;
                };
                let [names, attributes] = parts.as_slice() else { return };
                let (names, attributes) = (c(&names.to_string()), c(&attributes.to_string()));
                let tier = [0u8, 1, 2, 3, 3];
                let values = [9.0, 5.0, 2.0, 1.0, 0.5];
                // SAFETY: as above.
                call_json("segment matrix", |out| unsafe {
                    crm_segment_matrix_json(tier.as_ptr(), values.as_ptr(), values.as_ptr(), 5, names.as_ptr(), attributes.as_ptr(), out)
                });
            }
            Entry::MatchRecord => {
                let config = c(r#"{"threshold": 0.5}"#);
                check_matches(&t, config.as_ptr(), &[r#"{"on_duplicate": "reject"}"#, MERGE_OPTIONS]);
            }
            Entry::MatchOptions => {
                let record = c(MATCH_RECORD);
                let book = fixture_book();
                // SAFETY: as above.
                call_json("find matches", |out| unsafe { crm_book_find_matches_json(book.0, record.as_ptr(), t.as_ptr(), out) });
                checked_add(&book, &record, t.as_ptr());
            }
            Entry::QualityOptions => {
                let (customers, today) = (c(FIXTURE_CUSTOMERS), c("2025-06-01"));
                // SAFETY: as above.
                unsafe {
                    call_json("validate in", |out| crm_quality_validate_in_json(customers.as_ptr(), today.as_ptr(), t.as_ptr(), out));
                    call_json("quality report in", |out| crm_quality_report_in_json(customers.as_ptr(), today.as_ptr(), t.as_ptr(), out));
                }
            }
            Entry::RetentionAssumptions => unsafe {
                let mut p = ptr::null_mut();
                assert!(ok(crm_sla_policy_from_json(c(SLA_POLICY).as_ptr(), &mut p), "seed policy"));
                let book = fixture_book();
                call_json("sla report", |out| {
                    crm_sla_report_json(book.0, p, as_of.as_ptr(), c("2025-01-01T00:00:00Z").as_ptr(), as_of.as_ptr(), c("tier").as_ptr(), t.as_ptr(), 250.0, out)
                });
                crm_sla_policy_free(p);
            },
        }
    }
}

/// A change to the fixed book from `text`, checked for atomicity; then every read.
/// A near copy of fixture customer 1 (no accents, the phone written together).
const MATCH_RECORD: &str =
    r#"{"id": 50, "given_name": "Ayse", "family_name": "Yilmaz", "emails": ["ayse@ornek.com"], "phones": ["+905321234567"]}"#;

/// Checked-add options that merge a likely duplicate.
const MERGE_OPTIONS: &str = r#"{"on_duplicate": "merge", "at": "2025-06-01T00:00:00Z", "threshold": 0.5}"#;

/// Looks `record` up in the fixed book with `config` (NULL: defaults), then adds it with
/// each of `options`, each on a fresh book and checked for atomicity.
fn check_matches(record: &std::ffi::CStr, config: *const std::ffi::c_char, options: &[&str]) {
    let book = fixture_book();
    // SAFETY: live handle, NUL-terminated texts, writable out-pointer.
    call_json("find matches", |out| unsafe { crm_book_find_matches_json(book.0, record.as_ptr(), config, out) });
    for o in options {
        checked_add(&fixture_book(), record, c(o).as_ptr());
    }
}

/// `crm_book_add_customer_checked_json` on `book`, atomic whether it succeeds or fails.
fn checked_add(book: &Book, record: &std::ffi::CStr, options: *const std::ffi::c_char) {
    let mut id = 0u64;
    // SAFETY: live handle, NUL-terminated texts, writable out-pointer.
    if change(book, "checked add", |b| unsafe { crm_book_add_customer_checked_json(b, record.as_ptr(), options, &mut id) }) {
        read_all(book, AS_OF);
    }
}

fn book_change(what: &str, f: crate::BookChange, text: &std::ffi::CStr) {
    let book = fixture_book();
    // SAFETY: live handle, NUL-terminated text.
    if change(&book, what, |b| unsafe { f(b, text.as_ptr()) }) {
        read_all(&book, AS_OF);
    }
}

/// Finds and merges the fixed book's duplicates with `config` and `rules` (NULL: defaults),
/// checked for atomicity.
fn merge_duplicates(config: *const std::ffi::c_char, rules: *const std::ffi::c_char) {
    let book = fixture_book();
    let at = c(AS_OF);
    // SAFETY: live handle, strings NUL-terminated or NULL.
    let merged = change(&book, "merge duplicates", |b| unsafe {
        let mut out = ptr::null_mut();
        let s = crm_book_merge_duplicates_json(b, at.as_ptr(), true, config, rules, &mut out);
        if s == crm_status_t::CRM_OK {
            crate::take_string(out, true, "merge duplicates");
        }
        s
    });
    if merged {
        read_all(&book, AS_OF);
        for id in 1..=5u64 {
            let mut to = 0u64;
            // SAFETY: live handle, writable out.
            let s = unsafe { crm_book_resolve(book.0, id, &mut to) };
            assert!(ok(s, "resolve"), "id {id} no longer resolves after a merge");
        }
    }
}

/// Scores a few rows with every column a value model can read.
unsafe fn score_with(m: *const crm_value_model_t) {
    let names: Vec<_> = [
        "monetary", "frequency", "intensity", "referral_value", "co_investment", "cost_sharing",
        "recency_days", "tenure_days", "referred_buyers", "nps", "predicted_clv",
    ]
    .iter()
    .map(|n| c(n))
    .collect();
    let cols: Vec<[f64; 4]> = (0..names.len())
        .map(|i| [i as f64, 0.0, f64::NAN, 1e6 * i as f64])
        .collect();
    let name_ptrs: Vec<_> = names.iter().map(|n| n.as_ptr()).collect();
    let col_ptrs: Vec<_> = cols.iter().map(|col| col.as_ptr()).collect();
    let mut out = [0f64; 4];
    // SAFETY: `names.len()` columns of 4 rows each; room for 4 scores.
    let s = unsafe {
        crm_value_model_score(m, 4, name_ptrs.as_ptr(), col_ptrs.as_ptr(), names.len(), out.as_mut_ptr())
    };
    if ok(s, "score") {
        for v in out {
            assert!((0.0..=100.0).contains(&v) || v.is_nan(), "score {v} outside 0..=100");
        }
    }
}

/// The README's SLA policy.
pub const SLA_POLICY: &str = r#"{"name": "istanbul",
 "calendar": {"time_zone": "Europe/Istanbul",
   "week": {"mon": [["09:00","12:30"],["13:30","18:00"]], "tue": [["09:00","12:30"],["13:30","18:00"]],
            "wed": [["09:00","12:30"],["13:30","18:00"]], "thu": [["09:00","12:30"],["13:30","18:00"]],
            "fri": [["09:00","12:30"],["13:30","18:00"]]}},
 "targets": {"high": {"first_response": 60, "resolution": 240}},
 "escalation": [{"level": 1, "at_share": 1.0, "to": "team lead"}]}"#;

/// The C tests' calendar, with a holiday.
pub const CALENDAR: &str = r#"{"time_zone": "Europe/Istanbul", "holidays": ["2025-04-23"], "week": {
 "mon": [["09:00","12:30"],["13:30","18:00"]], "tue": [["09:00","12:30"],["13:30","18:00"]],
 "wed": [["09:00","12:30"],["13:30","18:00"]], "thu": [["09:00","12:30"],["13:30","18:00"]],
 "fri": [["09:00","12:30"],["13:30","18:00"]]}}"#;

/// A 24×7 calendar in UTC.
pub const CALENDAR_247: &str = r#"{"time_zone": "UTC", "week": {"mon": [["00:00","24:00"]], "tue": [["00:00","24:00"]], "wed": [["00:00","24:00"]], "thu": [["00:00","24:00"]], "fri": [["00:00","24:00"]], "sat": [["00:00","24:00"]], "sun": [["00:00","24:00"]]}}"#;

/// Records for duplicate detection: two pairs and a loner.
pub const DEDUPE_RECORDS: &str = r#"[
 {"given_name": "Ayşe", "surname": "Yılmaz", "birth_date": "1990-05-17", "email": "ayse@ornek.com", "phone": "05321234567", "city": "İzmir"},
 {"given_name": "Ayse", "surname": "Yilmaz", "birth_date": "17.05.1990", "email": "AYSE@ornek.com", "phone": "+90 532 123 45 67", "city": "Izmir"},
 {"given_name": "Mehmet", "surname": "Demir", "postcode": "35000", "national_id": "10000000146"},
 {"given_name": "Mehmet", "surname": "Demir", "postcode": "35000", "address": "Atatürk Cad. 5"},
 {"given_name": "Zeynep", "surname": "Kaya"}
]"#;

/// Object-safe serialisation for the seeds.
mod erased {
    /// Serialises itself to JSON text.
    pub trait Ser {
        /// The JSON text.
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("core's defaults serialise")
        }
    }
}
