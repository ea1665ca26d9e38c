//! Duplicate prevention at the point of entry: the likely duplicates of one record, and the
//! add with a policy for them (`crm_core::book::CustomerBook::find_matches`,
//! `add_customer_checked`).

use std::ffi::c_char;

use crm_core::book::{CheckedAdd, CheckedAddOptions};
use crm_core::model::Customer;
use crm_core::quality::DedupConfig;

use crate::args::{json, json_or_default, json_out, text, text_opt};
use crate::book::crm_book_t;
use crate::ffi::{Castable, Out};
use crate::status::{Failure, boundary, crm_status_t};

/// The customers already in the book that a new or edited customer (`record_json`, a JSON
/// customer object as `crm_book_add_customers_json` takes; its own id is never returned)
/// likely duplicates, scored with the model fitted on the book: a JSON array, best first, of
/// `{"customer_id", "probability", "evidence": [{"field", "level", "weight"}]}` to
/// `*out_json` (free with `crm_string_free`). `config_json` NULL or duplicate-detection
/// settings as `crm_quality_find_duplicates_json` takes (`{"threshold": 0.95, "country":
/// "AU"}`). The book's index is built on the first call and kept while the book stays
/// within 20 % of that size.
///
/// # Safety
/// `book` is a live handle (other threads may read it at the same time); strings
/// NUL-terminated (`config_json` may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_find_matches_json(
    book: *const crm_book_t,
    record_json: *const c_char,
    config_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, record, config) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                text(record_json, "record_json")?,
                json_or_default::<DedupConfig>(config_json, "config_json", "the config")?,
            )
        };
        let customer: Customer = json(record, "the customer")?;
        json_out(out, &book.find_matches(&customer, &config)?)
    })
}

/// Adds a customer (`record_json`, a JSON customer object) after looking for it in the book:
/// `options_json` NULL (allow) or `{"on_duplicate": "allow" | "reject" | "merge", "at":
/// RFC 3339, ...duplicate-detection settings}`. "allow" adds it whatever was found; "reject"
/// refuses a likely duplicate with `CRM_DUPLICATE`, the last error listing the candidates'
/// ids and probabilities (no personal data), and nothing changes; "merge" adds it and merges
/// it, dated `at` (required then), into the best candidate. A stored book commits the add and
/// the merge as one transaction. `*out_id` gets the id the customer is now filed under: the
/// survivor's after a merge, else its own.
///
/// # Safety
/// `book` is a live handle used by no other thread; strings NUL-terminated (`options_json`
/// may be NULL); `out_id` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_add_customer_checked_json(
    book: *mut crm_book_t,
    record_json: *const c_char,
    options_json: *const c_char,
    out_id: *mut u64,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract (the out-parameter is checked first).
        let out = unsafe { Out::new(out_id, "out_id")? };
        // SAFETY: per this function's contract.
        let done = unsafe { add_checked(book, record_json, options_json)? };
        out.write(done.customer_id);
        Ok(())
    })
}

/// `crm_book_add_customer_checked_json` reporting what it did: `*out_json` (free with
/// `crm_string_free`) gets `{"customer_id", "matches": [...], "merged": null | {...}}` —
/// the id the customer is now filed under (the survivor's after a merge), the likely
/// duplicates found before the add, best first, as `crm_book_find_matches_json` lists them
/// (also under "allow", which adds it anyway), and the merge when one was made. "reject"
/// fails as there, with `*out_json` untouched.
///
/// # Safety
/// `book` is a live handle used by no other thread; strings NUL-terminated (`options_json`
/// may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_add_customer_checked_report_json(
    book: *mut crm_book_t,
    record_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract (the out-parameter is checked first).
        let out = unsafe { Out::new(out_json, "out_json")? };
        // SAFETY: per this function's contract.
        let done = unsafe { add_checked(book, record_json, options_json)? };
        json_out(out, &done)
    })
}

/// The body the two checked adds share: reads the record and the options, adds the customer
/// with its policy, returns what was done.
///
/// # Safety
/// As the callers': `book` a live handle used by no other thread; strings NUL-terminated
/// (`options_json` may be NULL).
unsafe fn add_checked(
    book: *mut crm_book_t,
    record_json: *const c_char,
    options_json: *const c_char,
) -> Result<CheckedAdd, Failure> {
    // SAFETY: per this function's contract.
    let (mut book, record, options) = unsafe {
        (
            crm_book_t::try_mut(book, "book")?,
            text(record_json, "record_json")?,
            text_opt(options_json, "options_json")?,
        )
    };
    let options = match options {
        Some(t) => CheckedAddOptions::from_json("the options", t)?,
        None => CheckedAddOptions::default(),
    };
    let customer: Customer = json(record, "the customer")?;
    Ok(book.add_customer_checked(
        customer,
        &options.config,
        options.on_duplicate,
        options.merge_at()?,
    )?)
}
