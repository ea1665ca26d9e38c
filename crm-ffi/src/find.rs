//! Finding a customer by phone, e-mail, national id / tax number, external reference or
//! name (`crm_core::book::CustomerBook::find`).

use std::ffi::c_char;

use crm_core::book::Lookup;

use crate::args::{json, json_out, text};
use crate::book::crm_book_t;
use crate::ffi::{Castable, Out};
use crate::status::{boundary, crm_status_t};

/// The customers a lookup finds, best first: `lookup_json` is `{"phone", "email",
/// "national_id", "external_ref", "name", "limit", "country"}` with at least one criterion
/// (`limit` 1 to 1000, default 10; `country` the ISO code national phone numbers are read
/// under, default "TR"); `*out_json` gets a JSON array of `{"customer_id", "score",
/// "matched_on": ["phone", "email", "national_id", "tax_id", "external_ref", "name"]}`
/// (free with `crm_string_free`). Merged-away ids are never returned: their numbers find
/// the survivor. The index is built on the first call and kept current by every write.
/// `CRM_INVALID_ARGUMENT` naming `limit`, `lookup` (no criterion) or an unreadable criterion.
///
/// # Safety
/// `book` is a live handle (other threads may read it at the same time); `lookup_json`
/// NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_find_json(
    book: *const crm_book_t,
    lookup_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, lookup) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                text(lookup_json, "lookup_json")?,
            )
        };
        let lookup: Lookup = json(lookup, "the lookup")?;
        json_out(out, &book.find(&lookup)?)
    })
}
