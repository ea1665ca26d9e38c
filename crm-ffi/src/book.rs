//! The customer book handle. Records cross as the JSON forms of crm-core.

use std::ffi::c_char;

use crm_core::book::{CustomerBook, SegmentationConfig, ViewOptions};
use crm_core::model::{Customer, Event, Incident};
use serde_json::Value;

use crate::args::{instant, json, out_ok, owned_string, text, to_json, write};
use crate::status::{Failure, crm_status_t, guard};

/// An opaque customer book, created by `crm_book_new` or `crm_book_load`, released by
/// `crm_book_free`.
///
/// Thread safety: calls that change the book (`add`, `update`, `record`, `analyse`) need
/// exclusive access; calls that only read it (`view`, `features`, `save`, `len`) may run on
/// several threads at once while nobody writes.
#[derive(Debug)]
pub struct crm_book_t {
    inner: CustomerBook,
}

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

pub(crate) fn leak<T>(v: Vec<T>) -> *const T {
    Box::into_raw(v.into_boxed_slice()) as *const T
}

/// # Safety
/// `p` came from `leak` of a vector of `len` elements and is released once.
pub(crate) unsafe fn unleak<T>(p: *const T, len: usize) {
    if !p.is_null() {
        // SAFETY: per the function's contract.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(p as *mut T, len)) });
    }
}

/// # Safety
/// `book` is NULL or a live handle from `crm_book_new`/`crm_book_load`.
pub(crate) unsafe fn book_ref<'a>(book: *const crm_book_t) -> Result<&'a CustomerBook, Failure> {
    // SAFETY: per the function's contract.
    unsafe { book.as_ref() }
        .map(|b| &b.inner)
        .ok_or_else(|| Failure::null("book"))
}

/// # Safety
/// `book` is NULL or a live handle used by no other thread during the call.
pub(crate) unsafe fn book_mut<'a>(book: *mut crm_book_t) -> Result<&'a mut CustomerBook, Failure> {
    // SAFETY: per the function's contract.
    unsafe { book.as_mut() }
        .map(|b| &mut b.inner)
        .ok_or_else(|| Failure::null("book"))
}

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
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let currency = unsafe { text(currency, "currency") }?;
        let inner = CustomerBook::with_currency(currency)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out, Box::into_raw(Box::new(crm_book_t { inner }))) };
        Ok(())
    })
}

/// Releases a book. NULL is accepted.
///
/// # Safety
/// `book` is NULL or a live handle, not used again afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_free(book: *mut crm_book_t) {
    if !book.is_null() {
        // SAFETY: it came from Box::into_raw in crm_book_new/crm_book_load.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            drop(unsafe { Box::from_raw(book) })
        }));
    }
}

/// Number of customers (0 for NULL).
///
/// # Safety
/// `book` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_len(book: *const crm_book_t) -> usize {
    // SAFETY: per this function's contract.
    unsafe { book_ref(book) }.map_or(0, CustomerBook::len)
}

/// Number of recorded events (0 for NULL).
///
/// # Safety
/// `book` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_event_count(book: *const crm_book_t) -> usize {
    // SAFETY: per this function's contract.
    unsafe { book_ref(book) }.map_or(0, CustomerBook::event_count)
}

/// Either one JSON object or an array of them.
fn one_or_many<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<Vec<T>, Failure> {
    let value: Value = json(text, what)?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| {
                serde_json::from_value(v)
                    .map_err(|e| Failure::from(crm_core::CrmError::parse(what, e)))
            })
            .collect(),
        single => {
            Ok(vec![serde_json::from_value(single).map_err(|e| {
                Failure::from(crm_core::CrmError::parse(what, e))
            })?])
        }
    }
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
    guard(|| {
        // SAFETY: per this function's contract.
        let (book, text) = unsafe { (book_mut(book)?, text(json_text, "json")?) };
        // One customer gets the plain error message; a batch names the failing position.
        match <[Customer; 1]>::try_from(one_or_many::<Customer>(text, "customers")?) {
            Ok([customer]) => book.add_customer(customer)?,
            Err(customers) => {
                book.add_customers(customers)?;
            }
        }
        Ok(())
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
    guard(|| {
        // SAFETY: per this function's contract.
        let (book, text) = unsafe { (book_mut(book)?, text(json_text, "json")?) };
        let customer: Customer = json(text, "the customer")?;
        Ok(book.update_customer(customer)?)
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
    guard(|| {
        // SAFETY: per this function's contract.
        let (book, text) = unsafe { (book_mut(book)?, text(json_text, "json")?) };
        let events: Vec<Event> = one_or_many(text, "events")?;
        if events.len() == 1 {
            book.record(
                events
                    .into_iter()
                    .next()
                    .ok_or_else(|| Failure::null("event"))?,
            )?;
        } else {
            book.record_all(events)?;
        }
        Ok(())
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
    guard(|| {
        // SAFETY: per this function's contract.
        let (book, text) = unsafe { (book_mut(book)?, text(json_text, "json")?) };
        let incident: Incident = json(text, "the incident")?;
        Ok(book.add_incident(incident)?)
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
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let (book, as_of) = unsafe { (book_ref(book)?, text(as_of, "as_of")?) };
        let options = ViewOptions::as_of(instant(as_of, "as_of")?).page(offset, limit);
        let view = book.view(customer_id, &options)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(to_json(&view))) };
        Ok(())
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
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let (book, as_of) = unsafe { (book_ref(book)?, text(as_of, "as_of")?) };
        let f = book.features(instant(as_of, "as_of")?);
        let features = crm_features_t {
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
        };
        // SAFETY: checked non-NULL above.
        unsafe { write(out, Box::into_raw(Box::new(features))) };
        Ok(())
    })
}

/// Releases features. NULL is accepted.
///
/// # Safety
/// `features` is NULL or came from `crm_book_features` and is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_features_free(features: *mut crm_features_t) {
    if features.is_null() {
        return;
    }
    // SAFETY: it came from Box::into_raw in crm_book_features; its arrays from `leak` with
    // `len` elements each.
    unsafe {
        let f = Box::from_raw(features);
        let n = f.len;
        unleak(f.customer_id, n);
        unleak(f.recency_days, n);
        unleak(f.frequency, n);
        unleak(f.monetary, n);
        unleak(f.tenure_days, n);
        unleak(f.intensity, n);
        unleak(f.referrals, n);
        unleak(f.referred_buyers, n);
        unleak(f.referral_value, n);
        unleak(f.co_investment, n);
        unleak(f.cost_sharing, n);
        unleak(f.complaints_open, n);
        unleak(f.complaints_total, n);
    }
}

/// Segments the book as of `as_of` (value scores, tiers, RFM, ABC, Pareto) with the
/// segmentation config in JSON (NULL for the defaults) and keeps the result for the view.
/// When `out_json` is not NULL it receives a summary (pyramid, Pareto, strategies) to free
/// with `crm_string_free`.
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
    guard(|| {
        // SAFETY: per this function's contract.
        let (book, as_of) = unsafe { (book_mut(book)?, text(as_of, "as_of")?) };
        let config: SegmentationConfig = if config_json.is_null() {
            SegmentationConfig::default()
        } else {
            // SAFETY: non-NULL, NUL-terminated per the contract.
            json(
                unsafe { text(config_json, "config_json")? },
                "the segmentation config",
            )?
        };
        let s = book.analyse(instant(as_of, "as_of")?, &config)?;
        if !out_json.is_null() {
            let summary = serde_json::json!({
                "as_of": s.as_of,
                "pyramid": s.pyramid.summary,
                "pareto": {"top_20_share": s.pareto.top_20_share, "gini": s.pareto.gini, "total": s.pareto.total},
                "rfm_report": s.rfm.report,
                "strategies": s.strategies,
            });
            // SAFETY: non-NULL.
            unsafe { write(out_json, owned_string(summary.to_string())) };
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
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let book = unsafe { book_ref(book)? };
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(to_json(&book.stats()))) };
        Ok(())
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
    guard(|| {
        // SAFETY: per this function's contract.
        let (book, path) = unsafe { (book_ref(book)?, text(path, "path")?) };
        Ok(crm_store::save_book(book, path)?)
    })
}

/// Reads a book from a snapshot written by `crm_book_save`, validating everything.
///
/// # Safety
/// `path` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_load(
    path: *const c_char,
    out: *mut *mut crm_book_t,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let path = unsafe { text(path, "path")? };
        let inner = crm_store::load_book(path)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out, Box::into_raw(Box::new(crm_book_t { inner }))) };
        Ok(())
    })
}
