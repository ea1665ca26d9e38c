//! Data quality through JSON and strings: duplicates, validation, normalisation.

use std::ffi::c_char;

use chrono::NaiveDate;
use crm_core::CrmError;
use crm_core::model::Customer;
use crm_core::quality::{self, DedupConfig, MatchRecord};
use crm_core::time::parse_day;
use serde::Serialize;

use crate::args::{
    instant_text, json, json_or_default, json_out, owned_string, slice, text, text_opt,
};
use crate::book::crm_book_t;
use crate::columns::{OwnedColumns, leak, owned_columns};
use crate::ffi::{Castable, Out};
use crate::status::{Failure, boundary, crm_status_t};

/// Duplicates among records: `records_json` is a JSON array of objects with any of
/// `given_name`, `surname`, `birth_date`, `email`, `phone`, `address`, `city`, `postcode`,
/// `national_id`; `config_json` may be NULL or e.g. `{"threshold": 0.95}` (`max_block` at
/// most `MAX_BLOCK_CAP` = 1,000; more than `MAX_PAIRS` = 100,000,000 candidate pairs fails
/// naming `max_block`). The result (pairs with probability and per-field evidence, a cluster
/// per row, the fitted model) as JSON.
///
/// # Safety
/// Strings NUL-terminated (`config_json` may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_find_duplicates_json(
    records_json: *const c_char,
    config_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, records, config) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                text(records_json, "records_json")?,
                json_or_default::<DedupConfig>(config_json, "config_json", "the config")?,
            )
        };
        let records: Vec<MatchRecord> = json(records, "the records")?;
        json_out(out, &quality::find_duplicates(&records, &config)?)
    })
}

/// Pair completeness of the blocking step (`crm_core::quality::pair_completeness`): of the
/// true pairs `pairs_json` (a JSON array of `[row, row]`, rows of `records_json` as
/// `crm_quality_find_duplicates_json` takes them), how many share a blocking key and how
/// many are among the candidates compared under `config_json` (NULL or the settings of
/// `crm_quality_find_duplicates_json`; `max_block` and `country` matter). Pairs naming a row
/// past the records are not counted. `{"true_pairs", "sharing_a_key", "candidates"}` to
/// `*out_json` (free with `crm_string_free`).
///
/// # Safety
/// Strings NUL-terminated (`config_json` may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_pair_completeness_json(
    records_json: *const c_char,
    pairs_json: *const c_char,
    config_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract (the out-parameter is checked first).
        let out = unsafe { Out::new(out_json, "out_json")? };
        // SAFETY: per this function's contract.
        let (records, pairs, config) =
            unsafe { completeness_inputs(records_json, pairs_json, config_json)? };
        json_out(out, &quality::pair_completeness(&records, &pairs, &config)?)
    })
}

/// `crm_quality_pair_completeness_json` per kind of blocking key
/// (`crm_core::quality::pair_completeness_by_key`): a JSON array, by tag, of `{"tag",
/// "kept_blocks", "pairs", "true_pairs", "only_here"}` (the blocks of that key paired, the
/// pairs they give, the true pairs among them, those no other key reaches).
///
/// # Safety
/// Strings NUL-terminated (`config_json` may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_pair_completeness_by_key_json(
    records_json: *const c_char,
    pairs_json: *const c_char,
    config_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract (the out-parameter is checked first).
        let out = unsafe { Out::new(out_json, "out_json")? };
        // SAFETY: per this function's contract.
        let (records, pairs, config) =
            unsafe { completeness_inputs(records_json, pairs_json, config_json)? };
        json_out(
            out,
            &quality::pair_completeness_by_key(&records, &pairs, &config)?,
        )
    })
}

/// The records, true pairs (rows of the records) and config a pair-completeness call reads.
type CompletenessInputs = (Vec<MatchRecord>, Vec<(usize, usize)>, DedupConfig);

/// The records, true pairs and config both pair-completeness calls read.
///
/// # Safety
/// Strings NUL-terminated (`config_json` may be NULL).
unsafe fn completeness_inputs(
    records_json: *const c_char,
    pairs_json: *const c_char,
    config_json: *const c_char,
) -> Result<CompletenessInputs, Failure> {
    // SAFETY: per this function's contract.
    let (records, pairs, config) = unsafe {
        (
            text(records_json, "records_json")?,
            text(pairs_json, "pairs_json")?,
            json_or_default::<DedupConfig>(config_json, "config_json", "the config")?,
        )
    };
    Ok((
        json(records, "the records")?,
        json(pairs, "the pairs")?,
        config,
    ))
}

/// Findings, filled fields and completeness per customer: `customers_json` is a JSON array
/// of customers; `today` ("2025-06-01") judges birth dates. JSON array of `{"id",
/// "findings", "filled": [["given_name", true]…], "completeness"}` (values masked).
///
/// # Safety
/// Strings NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_validate_json(
    customers_json: *const c_char,
    today: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    // SAFETY: per this function's contract.
    boundary(|| unsafe {
        judge_customers(
            out_json,
            customers_json,
            today,
            quality::assess_with_findings,
        )
    })
}

/// `crm_quality_validate_json` under the rules of a country: `options_json` NULL (the
/// defaults) or `{"country": "AU"}` (ISO 3166-1 alpha-2; an unknown code is
/// `CRM_INVALID_ARGUMENT` naming `country`). Fields crm has no rule for there are "not
/// checked", never invalid.
///
/// # Safety
/// Strings NUL-terminated (`options_json` may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_validate_in_json(
    customers_json: *const c_char,
    today: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    // SAFETY: per this function's contract.
    boundary(|| unsafe {
        judge_customers_in(
            out_json,
            customers_json,
            today,
            options_json,
            quality::assess_with_findings_in,
        )
    })
}

/// `crm_quality_report_json` under the rules of a country (`options_json` as
/// `crm_quality_validate_in_json`); the report names the `country` and lists the fields
/// `not_checked` there.
///
/// # Safety
/// Strings NUL-terminated (`options_json` may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_report_in_json(
    customers_json: *const c_char,
    today: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    // SAFETY: per this function's contract.
    boundary(|| unsafe {
        judge_customers_in(
            out_json,
            customers_json,
            today,
            options_json,
            quality::quality_report_with_findings_in,
        )
    })
}

/// A phone number in E.164 to `*out` (free with `crm_string_free`);
/// `CRM_INVALID_ARGUMENT` when it is no phone number.
///
/// # Safety
/// `phone` NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_normalize_phone(
    phone: *const c_char,
    out: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, phone) = unsafe { (Out::new(out, "out")?, text(phone, "phone")?) };
        let e164 = quality::normalize_phone(phone).ok_or_else(|| {
            CrmError::invalid("phone", crm_core::error::mask(phone), "not a phone number")
        })?;
        out.write(owned_string(e164));
        Ok(())
    })
}

/// A name as a matching key (Turkish case rules, folded, honorifics and company forms
/// dropped) to `*out` (free with `crm_string_free`).
///
/// # Safety
/// `name` NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_normalize_name(
    name: *const c_char,
    out: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, name) = unsafe { (Out::new(out, "out")?, text(name, "name")?) };
        out.write(owned_string(quality::normalize_name(name)));
        Ok(())
    })
}

/// Finds the book's duplicate customers and, when `apply` is true, merges each cluster into a
/// golden record (`rules_json` NULL for the defaults, e.g. `{"default": "most_frequent"}`);
/// `config_json` NULL or e.g. `{"threshold": 0.95}` (limits as in
/// `crm_quality_find_duplicates_json`); `at` (RFC 3339) dates the merges. JSON
/// `{"clusters": [[ids]], "merges": [...], "skipped": [...]}` to `*out_json`.
///
/// # Safety
/// `book` is a live handle nobody else uses during the call; strings NUL-terminated
/// (`config_json`, `rules_json` may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_merge_duplicates_json(
    book: *mut crm_book_t,
    at: *const c_char,
    apply: bool,
    config_json: *const c_char,
    rules_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, mut book, at, config, rules) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_mut(book, "book")?,
                instant_text(at, "at")?,
                json_or_default::<DedupConfig>(config_json, "config_json", "the config")?,
                json_or_default::<quality::GoldenRules>(
                    rules_json,
                    "rules_json",
                    "the survivorship rules",
                )?,
            )
        };
        json_out(out, &book.dedupe(&config, &rules, at, apply)?)
    })
}

/// The customer an id stands for now (itself, or the survivor it was merged into), to
/// `*out`; `CRM_NOT_FOUND` when it is unknown.
///
/// # Safety
/// `book` is a live handle; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_resolve(
    book: *const crm_book_t,
    customer_id: u64,
    out: *mut u64,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book) = unsafe { (Out::new(out, "out")?, crm_book_t::try_ref(book, "book")?) };
        let id = book
            .resolve(customer_id)
            .ok_or_else(|| CrmError::not_found("customer_id", customer_id))?;
        out.write(id);
        Ok(())
    })
}

/// Duplicates found among columns of records; owns its arrays: release with
/// `crm_duplicates_free`.
#[repr(C)]
#[derive(Debug)]
pub struct crm_duplicates_t {
    /// Records looked at: the length of `cluster`.
    pub records: usize,
    /// A cluster id per record: the smallest row of its cluster (a record alone is its own).
    pub cluster: *const u64,
    /// Pairs at or above the threshold: the length of `left`, `right` and `probability`.
    pub pairs: usize,
    /// Row of each pair's first record.
    pub left: *const u64,
    /// Row of each pair's second record (greater than `left`).
    pub right: *const u64,
    /// Match probability of each pair.
    pub probability: *const f64,
    /// Candidate pairs compared.
    pub candidates: u64,
}

owned_columns!(crm_duplicates_t {
    records => [cluster],
    pairs => [left, right, probability];
    plain [candidates]
});

/// Duplicates among `n_records` records given as `n_columns` text columns: `names[c]` is one
/// of `given_name`, `surname`, `birth_date`, `email`, `phone`, `address`, `city`, `postcode`,
/// `national_id`; `columns[c]` points to `n_records` strings, NULL for a missing value. Birth
/// dates read as YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or YYYYMMDD; one that is no real date
/// counts as missing. `config_json` may be NULL or e.g. `{"threshold": 0.95}` (limits as in
/// `crm_quality_find_duplicates_json`). The pairs and
/// a cluster per record go to `*out` (release with `crm_duplicates_free`);
/// `CRM_INVALID_ARGUMENT` names an unknown column or one of another length, and `n_columns`
/// when it is above 64 (`crm_core::quality::MAX_MATCH_COLUMNS`).
///
/// # Safety
/// `names` and `columns` hold `n_columns` pointers; each column `n_records` pointers, each
/// NULL or NUL-terminated; `config_json` NULL or NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_find_duplicates_columns(
    names: *const *const c_char,
    columns: *const *const *const c_char,
    n_columns: usize,
    n_records: usize,
    config_json: *const c_char,
    out: *mut *mut crm_duplicates_t,
) -> crm_status_t {
    boundary(|| {
        crm_core::limits::at_most("n_columns", n_columns, quality::MAX_MATCH_COLUMNS)?;
        // SAFETY: per this function's contract.
        let (out, names, columns) = unsafe {
            (
                Out::new(out, "out")?,
                slice(names, n_columns, "names")?,
                slice(columns, n_columns, "columns")?,
            )
        };
        let mut owned: Vec<(&str, Vec<Option<&str>>)> = Vec::with_capacity(n_columns);
        for (c, (&name, &column)) in names.iter().zip(columns).enumerate() {
            // SAFETY: per this function's contract.
            let name = unsafe { text(name, &format!("names[{c}]"))? };
            // SAFETY: per this function's contract.
            let cells = unsafe { slice(column, n_records, name)? };
            let values = cells
                .iter()
                .enumerate()
                // SAFETY: NULL or NUL-terminated per the contract.
                .map(|(row, &cell)| unsafe { text_opt(cell, &format!("{name}[{row}]")) })
                .collect::<Result<Vec<_>, Failure>>()?;
            owned.push((name, values));
        }
        let views: Vec<(&str, &[Option<&str>])> =
            owned.iter().map(|(n, v)| (*n, v.as_slice())).collect();
        // SAFETY: NULL or NUL-terminated per the contract.
        let config: DedupConfig =
            unsafe { json_or_default(config_json, "config_json", "the config")? };
        let records = quality::records_from_columns(n_records, &views)?;
        let d = quality::find_duplicates(&records, &config)?;
        let rows = |f: fn(&quality::MatchPair) -> usize| -> Vec<u64> {
            d.pairs.iter().map(|p| f(p) as u64).collect()
        };
        crm_duplicates_t {
            records: d.cluster.len(),
            cluster: leak(d.cluster.iter().map(|&c| c as u64).collect()),
            pairs: d.pairs.len(),
            left: leak(rows(|p| p.left)),
            right: leak(rows(|p| p.right)),
            probability: leak(d.pairs.iter().map(|p| p.probability).collect()),
            candidates: d.candidates as u64,
        }
        .into_out(out);
        Ok(())
    })
}

/// Releases duplicates. NULL is accepted.
///
/// # Safety
/// `duplicates` is NULL or came from `crm_quality_find_duplicates_columns`, released once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_duplicates_free(duplicates: *mut crm_duplicates_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { OwnedColumns::free(duplicates) })
}

/// Reads a JSON array of customers and a day (`2025-06-01` or `20250601`, read by
/// crm-core's one date reader [`parse_day`]) from C, and writes what `judge` makes of them
/// as JSON to `out_json`: the body of the entries over customers and a day.
///
/// # Safety
/// `out_json` NULL or writable; the strings NUL-terminated (or NULL, refused).
unsafe fn judge_customers<T: Serialize>(
    out_json: *mut *mut c_char,
    customers_json: *const c_char,
    today: *const c_char,
    judge: impl FnOnce(&[Customer], &[Vec<quality::Finding>], NaiveDate) -> crm_core::Result<T>,
) -> Result<(), Failure> {
    // SAFETY: per the function's contract.
    let (out, customers, today) = unsafe {
        (
            Out::new(out_json, "out_json")?,
            text(customers_json, "customers_json")?,
            text(today, "today")?,
        )
    };
    // Birth dates that are no date become findings (crm-core's one birth-date reader).
    let (customers, read) = quality::customers_with_findings(customers)?;
    json_out(out, &judge(&customers, &read, parse_day(today, "today")?)?)
}

/// [`judge_customers`] under the rules of a country: reads `options_json` (NULL for the
/// defaults, else `{"country": "AU"}`) and hands its country to `judge`; the body of the
/// `_in` entries over customers and a day.
///
/// # Safety
/// As [`judge_customers`]; `options_json` NULL or NUL-terminated.
unsafe fn judge_customers_in<T: Serialize>(
    out_json: *mut *mut c_char,
    customers_json: *const c_char,
    today: *const c_char,
    options_json: *const c_char,
    judge: impl FnOnce(
        &[Customer],
        &[Vec<quality::Finding>],
        NaiveDate,
        quality::Country,
    ) -> crm_core::Result<T>,
) -> Result<(), Failure> {
    // SAFETY: per the function's contract.
    let options = unsafe {
        json_or_default::<quality::QualityOptions>(options_json, "options_json", "the options")
    }?;
    // SAFETY: per the function's contract.
    unsafe {
        judge_customers(out_json, customers_json, today, |c, r, t| {
            judge(c, r, t, options.country)
        })
    }
}

/// The data-quality report of a JSON array of customers: fill rate per field, completeness,
/// invented values by reason, and every invented or invalid value with its customer (values
/// masked); `today` ("2025-06-01") judges birth dates. JSON to `*out_json`.
///
/// # Safety
/// Strings NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_quality_report_json(
    customers_json: *const c_char,
    today: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        unsafe {
            judge_customers(
                out_json,
                customers_json,
                today,
                quality::quality_report_with_findings,
            )
        }
    })
}

/// The data-quality report of a book's customers (as `crm_quality_report_json`).
///
/// # Safety
/// `book` is a live handle; `today` NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_quality_report_json(
    book: *const crm_book_t,
    today: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, today) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                text(today, "today")?,
            )
        };
        json_out(out, &book.quality_report(parse_day(today, "today")?))
    })
}
