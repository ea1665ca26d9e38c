//! The retention worklist through the C ABI (`crm_core::book::CustomerBook::worklist`).

use std::ffi::c_char;

use crm_core::worklist::WorklistOptions;

use crate::args::{json_out, text};
use crate::book::crm_book_t;
use crate::ffi::{Castable, Out};
use crate::status::{boundary, crm_status_t};

/// The day's retention worklist as JSON to `*out_json` (free with `crm_string_free`):
/// `{"at", "limit", "candidates", "rows": [{"customer_id", "priority", "value_at_risk",
/// "neglect_factor", "neglected", "reason", "action", "next_action", "due"}]}`, highest
/// priority first (ties by customer id). `options_json` is `{"at" (required), "limit",
/// "capacity": {"agents": 5, "calls_per_agent": 40}, "lifecycle": {…, "neglect":
/// {"after_days": 60, "min_score": 60}}, "calendar": {…}, "use_clv": true}`; without
/// `limit` the list holds agents × calls per agent rows. Activities are recorded as events
/// (`activity_scheduled`, `activity_done`, `activity_cancelled`) with `crm_book_record_json`.
///
/// # Safety
/// `book` is a live handle (other threads may read it at the same time); `options_json`
/// NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_worklist_json(
    book: *const crm_book_t,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, options) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                text(options_json, "options_json")?,
            )
        };
        let options = WorklistOptions::from_json(options)?;
        json_out(out, &book.worklist(&options)?)
    })
}
