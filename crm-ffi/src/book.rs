//! The customer book handle. Records cross as the JSON forms of crm-core.

use std::ffi::c_char;

use crm_core::book::{CustomerBook, SegmentationConfig, ViewOptions};
use crm_core::model::{Customer, Event, Incident};
use crm_store::Book;

use crate::args::{json, json_or_default, json_out, period_end_text, text};
use crate::columns::{OwnedColumns, leak, owned_columns};
use crate::ffi::{Castable, Handle, Out, castable, panic_point};
use crate::status::{Failure, boundary, crm_status_t};

/// An opaque customer book: in memory (`crm_book_new`, `crm_book_load`) or kept in a store
/// (`crm_book_open`, where every change is committed when the call returns). Released by
/// `crm_book_free`, or by `crm_book_close`, which reports what closing the store reports.
/// Both kinds take the same calls; `crm_book_refresh`, `crm_book_changes_json` and
/// `crm_book_backup` are for stored books.
///
/// Thread safety: calls that change the book (`add`, `update`, `record`, `analyse`, `merge`,
/// `set_*_policy`, `refresh`: those taking a non-const `crm_book_t *`) need exclusive access;
/// calls that only read it (`view`, `features`, `save`, `len`, `changes_json`, `backup`…) may
/// run on several threads at once while nobody writes. On a stored book the reads that reach
/// the store (`changes_json`, `backup`) take turns on its one connection (a lock inside);
/// the others read memory only. Processes do not share a handle: each opens its own (do not
/// use a stored book in a child made by `fork()`; open one there). A call that panics while
/// changing the book poisons it: later calls return `CRM_POISONED` (or 0) and only
/// `crm_book_free` / `crm_book_close` still work.
#[derive(Debug)]
pub struct crm_book_t {
    handle: Handle<Book>,
}

castable!(crm_book_t => Book);

/// Per-customer feature columns, in the book's customer order; every array has `len`
/// elements and belongs to this struct: release it with `crm_features_free`. Missing values
/// (recency without a purchase, tenure without a start) are NaN. Money in minor units.
#[repr(C)]
#[derive(Debug)]
pub struct crm_features_t {
    /// Rows (customers).
    pub len: usize,
    /// Customer ids.
    pub customer_id: *const u64,
    /// Days since the last purchase.
    pub recency_days: *const f64,
    /// Purchases.
    pub frequency: *const u32,
    /// Purchases minus refunds.
    pub monetary: *const i64,
    /// Days since acquisition (or the first event).
    pub tenure_days: *const f64,
    /// Purchases per active month.
    pub intensity: *const f64,
    /// Customers referred.
    pub referrals: *const u32,
    /// Referred customers who bought.
    pub referred_buyers: *const u32,
    /// Net revenue of the referred customers.
    pub referral_value: *const i64,
    /// Co-investment.
    pub co_investment: *const i64,
    /// Cost sharing.
    pub cost_sharing: *const i64,
    /// Complaints not yet resolved or closed.
    pub complaints_open: *const u32,
    /// Complaints opened.
    pub complaints_total: *const u32,
}

owned_columns!(crm_features_t {
    len => [
        customer_id, recency_days, frequency, monetary, tenure_days, intensity, referrals,
        referred_buyers, referral_value, co_investment, cost_sharing, complaints_open,
        complaints_total,
    ],
});

/// Creates an empty book whose amounts are in `currency` (ISO 4217, e.g. "TRY").
///
/// # Safety
/// `currency` is a NUL-terminated string; `out` points to writable storage for a pointer,
/// written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_new(
    currency: *const c_char,
    out: *mut *mut crm_book_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, currency) = unsafe { (Out::new(out, "out")?, text(currency, "currency")?) };
        crm_book_t::into_out(out, Book::from(CustomerBook::with_currency(currency)?));
        Ok(())
    })
}

/// Releases a book, poisoned or not. NULL is accepted. A stored book's store is closed
/// without reporting errors (every change had been committed already); `crm_book_close`
/// reports them.
///
/// # Safety
/// `book` is NULL or a live handle, not used again afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_free(book: *mut crm_book_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { crm_book_t::free(book) })
}

/// Number of customers (0 for NULL, a poisoned book or a panic).
///
/// # Safety
/// `book` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_len(book: *const crm_book_t) -> usize {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { crm_book_t::try_ref(book, "book") }.map_or(0, |b| b.len()))
}

/// Number of recorded events (0 for NULL, a poisoned book or a panic).
///
/// # Safety
/// `book` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_event_count(book: *const crm_book_t) -> usize {
    boundary(|| {
        // SAFETY: per this function's contract.
        unsafe { crm_book_t::try_ref(book, "book") }.map_or(0, |b| b.event_count())
    })
}

/// Either one JSON object or an array of them.
fn one_or_many<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<Vec<T>, Failure> {
    crm_core::json::one_or_many(what, text).map_err(Failure::from)
}

/// Reads the book to change and the JSON text of the change, then applies `change`.
///
/// # Safety
/// `book` is NULL or a live handle used by no other thread; `json_text` is NULL or
/// NUL-terminated.
unsafe fn change_from_json(
    book: *mut crm_book_t,
    json_text: *const c_char,
    change: impl FnOnce(&mut Book, &str) -> Result<(), Failure>,
) -> Result<(), Failure> {
    // SAFETY: per the function's contract.
    let (mut book, text) =
        unsafe { (crm_book_t::try_mut(book, "book")?, text(json_text, "json")?) };
    change(&mut book, text)
}

/// Adds customers from JSON: one customer object or an array of them, all or nothing.
///
/// # Safety
/// `book` is a live handle used by no other thread; `json_text` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_add_customers_json(
    book: *mut crm_book_t,
    json_text: *const c_char,
) -> crm_status_t {
    // SAFETY: per this function's contract.
    boundary(|| unsafe {
        change_from_json(book, json_text, |book, text| {
            // One customer gets the plain error message; a batch names the failing position.
            match <[Customer; 1]>::try_from(one_or_many::<Customer>(text, "customers")?) {
                Ok([customer]) => book.add_customer(customer)?,
                Err(customers) => {
                    book.add_customers(customers)?;
                }
            }
            panic_point();
            Ok(())
        })
    })
}

/// Replaces a customer's profile (found by its `id`) from a JSON customer object.
///
/// # Safety
/// As `crm_book_add_customers_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_update_customer_json(
    book: *mut crm_book_t,
    json_text: *const c_char,
) -> crm_status_t {
    // SAFETY: per this function's contract.
    boundary(|| unsafe {
        change_from_json(book, json_text, |book, text| {
            Ok(book.update_customer(json(text, "the customer")?)?)
        })
    })
}

/// Records events from JSON: one event object or an array of them (in order, all or nothing).
///
/// # Safety
/// As `crm_book_add_customers_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_record_json(
    book: *mut crm_book_t,
    json_text: *const c_char,
) -> crm_status_t {
    // SAFETY: per this function's contract.
    boundary(|| unsafe {
        change_from_json(book, json_text, |book, text| {
            match <[Event; 1]>::try_from(one_or_many::<Event>(text, "events")?) {
                Ok([event]) => book.record(event)?,
                Err(events) => {
                    book.record_all(events)?;
                }
            }
            Ok(())
        })
    })
}

/// Adds a company-side incident from a JSON incident object.
///
/// # Safety
/// As `crm_book_add_customers_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_add_incident_json(
    book: *mut crm_book_t,
    json_text: *const c_char,
) -> crm_status_t {
    // SAFETY: per this function's contract.
    boundary(|| unsafe {
        change_from_json(book, json_text, |book, text| {
            Ok(book.add_incident(json::<Incident>(text, "the incident")?)?)
        })
    })
}

/// The 360° view of a customer as of `as_of` (RFC 3339, e.g. "2025-03-10T00:00:00Z") as JSON,
/// with `limit` timeline items after skipping `offset`. Free `*out_json` with
/// `crm_string_free`.
///
/// # Safety
/// `book` is a live handle; `as_of` is NUL-terminated; `out_json` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_view_json(
    book: *const crm_book_t,
    customer_id: u64,
    as_of: *const c_char,
    offset: usize,
    limit: usize,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, as_of) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                period_end_text(as_of, "as_of")?,
            )
        };
        let options = ViewOptions::as_of(as_of).page(offset, limit);
        json_out(out, &book.view(customer_id, &options)?)
    })
}

/// Feature columns as of `as_of` (RFC 3339). Release `*out` with `crm_features_free`.
///
/// # Safety
/// `book` is a live handle; `as_of` is NUL-terminated; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_features(
    book: *const crm_book_t,
    as_of: *const c_char,
    out: *mut *mut crm_features_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, as_of) = unsafe {
            (
                Out::new(out, "out")?,
                crm_book_t::try_ref(book, "book")?,
                period_end_text(as_of, "as_of")?,
            )
        };
        let f = book.features(as_of);
        crm_features_t {
            len: f.len(),
            customer_id: leak(f.customer_id),
            recency_days: leak(f.recency_days),
            frequency: leak(f.frequency),
            monetary: leak(f.monetary),
            tenure_days: leak(f.tenure_days),
            intensity: leak(f.intensity),
            referrals: leak(f.referrals),
            referred_buyers: leak(f.referred_buyers),
            referral_value: leak(f.referral_value),
            co_investment: leak(f.co_investment),
            cost_sharing: leak(f.cost_sharing),
            complaints_open: leak(f.complaints_open),
            complaints_total: leak(f.complaints_total),
        }
        .into_out(out);
        Ok(())
    })
}

/// Releases features. NULL is accepted.
///
/// # Safety
/// `features` is NULL or came from `crm_book_features` and is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_features_free(features: *mut crm_features_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { OwnedColumns::free(features) })
}

/// Segments the book as of `as_of` (value scores, tiers, RFM, ABC, Pareto) with the
/// segmentation config in JSON (NULL for the defaults) and keeps the result for the view.
/// When `out_json` is not NULL it receives the segmentation summary to free with
/// `crm_string_free`, the same document as Python's `CustomerBook.analyse`: `as_of`, the
/// columns `customer_id`, `score`, `tier`, `segment`, `rfm_score`, `abc` (one value per
/// customer, in the book's order), `pyramid`, `pareto` (with `customers` and `lorenz`),
/// `rfm_report` and `strategies`.
///
/// # Safety
/// `book` is a live handle used by no other thread; strings are NUL-terminated or NULL
/// where allowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_analyse_json(
    book: *mut crm_book_t,
    as_of: *const c_char,
    config_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, mut book, as_of, config) = unsafe {
            (
                Out::optional(out_json),
                crm_book_t::try_mut(book, "book")?,
                period_end_text(as_of, "as_of")?,
                json_or_default::<SegmentationConfig>(
                    config_json,
                    "config_json",
                    "the segmentation config",
                )?,
            )
        };
        let s = book.analyse(as_of, &config)?;
        if let Some(out) = out {
            json_out(out, &s.summary())?;
        }
        Ok(())
    })
}

/// Counts over the whole book as JSON (customers, events by type and channel, net revenue,
/// complaints, incidents). Free `*out_json` with `crm_string_free`.
///
/// # Safety
/// `book` is a live handle; `out_json` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_stats_json(
    book: *const crm_book_t,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
            )
        };
        panic_point();
        json_out(out, &book.stats())
    })
}

/// Writes a JSON snapshot of the book to the file at `path`.
///
/// # Safety
/// `book` is a live handle; `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_save(
    book: *const crm_book_t,
    path: *const c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (book, path) = unsafe { (crm_book_t::try_ref(book, "book")?, text(path, "path")?) };
        Ok(crm_store::save_book(book, path)?)
    })
}

/// Reads a book from a snapshot written by `crm_book_save`, validating everything: a book in
/// memory (to keep it in a store, open one with `crm_book_open`).
///
/// # Safety
/// `path` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_load(
    path: *const c_char,
    out: *mut *mut crm_book_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, path) = unsafe { (Out::new(out, "out")?, text(path, "path")?) };
        crm_book_t::into_out(out, Book::from(crm_store::load_book(path)?));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_string_free;
    use crate::ffi::arm_panic;
    use crate::status::crm_status_t::*;
    use std::ffi::CString;
    use std::ptr::{null, null_mut};

    fn c(s: &str) -> CString {
        CString::new(s).unwrap_or_default()
    }

    fn new_book() -> *mut crm_book_t {
        let mut book = null_mut();
        // SAFETY: valid string and out-parameter.
        let status = unsafe { crm_book_new(c("TRY").as_ptr(), &mut book) };
        assert_eq!(status, CRM_OK);
        assert!(!book.is_null());
        book
    }

    const ONE: &str = r#"{"id": 1, "given_name": "Ayşe", "family_name": "Yılmaz"}"#;
    const TWO: &str = r#"{"id": 2, "given_name": "Can", "family_name": "Öz"}"#;

    #[test]
    fn a_panic_while_changing_the_book_poisons_it() {
        let book = new_book();
        // SAFETY: live handle, valid strings and out-parameters throughout.
        unsafe {
            assert_eq!(crm_book_add_customers_json(book, c(ONE).as_ptr()), CRM_OK);
            assert_eq!(crm_book_len(book), 1);
            arm_panic();
            // The panic comes after the customer was added: the book did change.
            assert_eq!(
                crm_book_add_customers_json(book, c(TWO).as_ptr()),
                CRM_PANIC
            );
            assert_eq!(crm_book_len(book), 0);
            assert_eq!(crm_book_event_count(book), 0);
            let mut json = null_mut();
            assert_eq!(crm_book_stats_json(book, &mut json), CRM_POISONED);
            assert!(json.is_null());
            assert_eq!(
                crm_book_add_customers_json(book, c(TWO).as_ptr()),
                CRM_POISONED
            );
            crm_book_free(book);
        }
    }

    #[test]
    fn a_panic_in_a_read_leaves_the_book_usable() {
        let book = new_book();
        // SAFETY: live handle, valid strings and out-parameters throughout.
        unsafe {
            assert_eq!(crm_book_add_customers_json(book, c(ONE).as_ptr()), CRM_OK);
            let mut json = null_mut();
            arm_panic();
            assert_eq!(crm_book_stats_json(book, &mut json), CRM_PANIC);
            assert!(json.is_null());
            assert_eq!(crm_book_stats_json(book, &mut json), CRM_OK);
            assert!(!json.is_null());
            crm_string_free(json);
            assert_eq!(crm_book_add_customers_json(book, c(TWO).as_ptr()), CRM_OK);
            assert_eq!(crm_book_len(book), 2);
            crm_book_free(book);
        }
    }

    #[test]
    fn null_handles_name_the_argument() {
        // SAFETY: NULL handles are allowed inputs; the out-parameter is valid.
        unsafe {
            let mut json = null_mut();
            assert_eq!(crm_book_stats_json(null(), &mut json), CRM_NULL_POINTER);
            assert_eq!(
                crm_book_add_customers_json(null_mut(), c(ONE).as_ptr()),
                CRM_NULL_POINTER
            );
            assert_eq!(crm_book_len(null()), 0);
            crm_book_free(null_mut());
            crm_features_free(null_mut());
        }
    }
}
