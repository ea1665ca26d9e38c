//! Lifecycle policies: stages from fact columns or a book, histories and reports.

use std::ffi::c_char;

use crm_core::lifecycle::{self, LifecyclePolicy, StageColumns};

use crate::args::{instant, out_ok, owned_string, slice, text, to_json, write};
use crate::book::{book_mut, book_ref, crm_book_t, leak, unleak};
use crate::status::{Failure, crm_status_t, guard};

/// Stage code: known, has not bought yet.
pub const CRM_STAGE_PROSPECT: u8 = 0;
/// Stage code: bought recently for the first time.
pub const CRM_STAGE_NEW: u8 = 1;
/// Stage code: buying and growing.
pub const CRM_STAGE_ACTIVE: u8 = 2;
/// Stage code: long-standing and buying regularly.
pub const CRM_STAGE_LOYAL: u8 = 3;
/// Stage code: silent for longer than usual, or an overdue complaint.
pub const CRM_STAGE_AT_RISK: u8 = 4;
/// Stage code: gone.
pub const CRM_STAGE_CHURNED: u8 = 5;
/// Stage code: came back after churning.
pub const CRM_STAGE_REACTIVATED: u8 = 6;

/// An opaque lifecycle policy from `crm_lifecycle_policy_from_json`, released by
/// `crm_lifecycle_policy_free`. Immutable: may be shared between threads.
#[derive(Debug)]
pub struct crm_lifecycle_policy_t {
    inner: LifecyclePolicy,
}

/// The facts the stage rules read, as `len` rows of borrowed columns (flags 0/1; missing
/// day counts NaN). Nothing here is owned by libcrm.
#[repr(C)]
#[derive(Debug)]
pub struct crm_stage_columns_t {
    /// Rows.
    pub len: usize,
    /// Purchases so far.
    pub purchases: *const u32,
    /// Days since the first purchase of the current run.
    pub days_since_first: *const f64,
    /// Days since the last purchase.
    pub days_since_last: *const f64,
    /// Median days between purchases.
    pub median_gap_days: *const f64,
    /// Distinct categories bought.
    pub categories: *const u32,
    /// Up-sold (0/1).
    pub upsold: *const u8,
    /// Purchases in the loyalty window.
    pub recent_purchases: *const u32,
    /// Reactivated run (0/1).
    pub reactivated: *const u8,
    /// Churn recorded after the last purchase (0/1).
    pub churn_recorded: *const u8,
    /// Unresolved complaint past its SLA (0/1).
    pub overdue_complaint: *const u8,
}

/// # Safety
/// `policy` is NULL or a live handle.
unsafe fn policy_ref<'a>(
    policy: *const crm_lifecycle_policy_t,
) -> Result<&'a LifecyclePolicy, Failure> {
    // SAFETY: per the function's contract.
    unsafe { policy.as_ref() }
        .map(|p| &p.inner)
        .ok_or_else(|| Failure::null("policy"))
}

/// A lifecycle policy from its JSON form (`"{}"` for the defaults), e.g. `{"new_days": 60,
/// "at_risk": {"gap_multiple": 2.5}}`.
///
/// # Safety
/// `json_text` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_lifecycle_policy_from_json(
    json_text: *const c_char,
    out: *mut *mut crm_lifecycle_policy_t,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let inner = LifecyclePolicy::from_json(unsafe { text(json_text, "json")? })?;
        // SAFETY: checked non-NULL above.
        unsafe {
            write(
                out,
                Box::into_raw(Box::new(crm_lifecycle_policy_t { inner })),
            )
        };
        Ok(())
    })
}

/// Releases a policy. NULL is accepted.
///
/// # Safety
/// `policy` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_lifecycle_policy_free(policy: *mut crm_lifecycle_policy_t) {
    if !policy.is_null() {
        // SAFETY: it came from Box::into_raw in crm_lifecycle_policy_from_json.
        drop(unsafe { Box::from_raw(policy) });
    }
}

/// Stage codes (`CRM_STAGE_*`) of `columns->len` rows, written to `out_stages` (room for
/// `len`). All or nothing.
///
/// # Safety
/// `policy` is live; every column pointer holds `len` values; `out_stages` has room.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_lifecycle_classify(
    policy: *const crm_lifecycle_policy_t,
    columns: *const crm_stage_columns_t,
    out_stages: *mut u8,
) -> crm_status_t {
    guard(|| {
        out_ok(out_stages, "out_stages")?;
        // SAFETY: per this function's contract.
        let (policy, c) = unsafe {
            (
                policy_ref(policy)?,
                columns.as_ref().ok_or_else(|| Failure::null("columns"))?,
            )
        };
        let n = c.len;
        // SAFETY: per this function's contract, each column holds `len` values.
        let cols = unsafe {
            StageColumns {
                purchases: slice(c.purchases, n, "purchases")?,
                days_since_first: slice(c.days_since_first, n, "days_since_first")?,
                days_since_last: slice(c.days_since_last, n, "days_since_last")?,
                median_gap_days: slice(c.median_gap_days, n, "median_gap_days")?,
                categories: slice(c.categories, n, "categories")?,
                upsold: slice(c.upsold, n, "upsold")?,
                recent_purchases: slice(c.recent_purchases, n, "recent_purchases")?,
                reactivated: slice(c.reactivated, n, "reactivated")?,
                churn_recorded: slice(c.churn_recorded, n, "churn_recorded")?,
                overdue_complaint: slice(c.overdue_complaint, n, "overdue_complaint")?,
            }
        };
        let stages = lifecycle::classify_columns(policy, &cols)?;
        for (i, s) in stages.into_iter().enumerate() {
            // SAFETY: `out_stages` has room for `len` values.
            unsafe { out_stages.add(i).write(s.index() as u8) };
        }
        Ok(())
    })
}

/// Every customer's stage as of `as_of` (RFC 3339), in the book's order: ids to `out_ids`
/// and codes to `out_stages`, each with room for `capacity` (at least `crm_book_len`);
/// `*out_len` receives the number of customers.
///
/// # Safety
/// Live handles; `as_of` NUL-terminated; the arrays have room for `capacity` values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_stages(
    book: *const crm_book_t,
    policy: *const crm_lifecycle_policy_t,
    as_of: *const c_char,
    out_ids: *mut u64,
    out_stages: *mut u8,
    capacity: usize,
    out_len: *mut usize,
) -> crm_status_t {
    guard(|| {
        out_ok(out_ids, "out_ids")?;
        out_ok(out_stages, "out_stages")?;
        out_ok(out_len, "out_len")?;
        // SAFETY: per this function's contract.
        let (book, policy, as_of) =
            unsafe { (book_ref(book)?, policy_ref(policy)?, text(as_of, "as_of")?) };
        if capacity < book.len() {
            return Err(Failure::new(
                crm_status_t::CRM_INVALID_ARGUMENT,
                format!(
                    "invalid capacity {capacity}: the book has {} customers",
                    book.len()
                ),
            ));
        }
        let s = book.stages(policy, instant(as_of, "as_of")?)?;
        for (i, (id, stage)) in s.customer_id.iter().zip(&s.stage).enumerate() {
            // SAFETY: capacity checked above.
            unsafe {
                out_ids.add(i).write(*id);
                out_stages.add(i).write(stage.index() as u8);
            }
        }
        // SAFETY: checked non-NULL above.
        unsafe { write(out_len, s.stage.len()) };
        Ok(())
    })
}

/// One customer's stage history up to `as_of`: a JSON array of `{"stage", "from", "to"}`.
///
/// # Safety
/// Live handles; `as_of` NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_stage_history_json(
    book: *const crm_book_t,
    policy: *const crm_lifecycle_policy_t,
    customer_id: u64,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let (book, policy, as_of) =
            unsafe { (book_ref(book)?, policy_ref(policy)?, text(as_of, "as_of")?) };
        let h = book.stage_history(customer_id, policy, instant(as_of, "as_of")?)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(to_json(&h))) };
        Ok(())
    })
}

/// The funnel report over `[from, to)` (JSON: stages entered, transitions, conversion, mean
/// days in stage), or with `churn_reasons` true, the churn reasons as of `to` (recorded and
/// spread by the priors).
///
/// # Safety
/// Live handles; strings NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_lifecycle_report_json(
    book: *const crm_book_t,
    policy: *const crm_lifecycle_policy_t,
    from: *const c_char,
    to: *const c_char,
    churn_reasons: bool,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let (book, policy, from, to) = unsafe {
            (
                book_ref(book)?,
                policy_ref(policy)?,
                instant(text(from, "from")?, "from")?,
                instant(text(to, "to")?, "to")?,
            )
        };
        let out = if churn_reasons {
            to_json(&book.churn_reasons(policy, to)?)
        } else {
            to_json(&book.lifecycle_report(policy, from, to)?)
        };
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(out)) };
        Ok(())
    })
}

/// Attaches a copy of `policy` to the book (NULL detaches): views then show the stage.
///
/// # Safety
/// `book` is a live handle nobody else uses during the call; `policy` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_set_lifecycle_policy(
    book: *mut crm_book_t,
    policy: *const crm_lifecycle_policy_t,
) -> crm_status_t {
    guard(|| {
        // SAFETY: per this function's contract.
        let book = unsafe { book_mut(book)? };
        // SAFETY: per this function's contract.
        let policy = unsafe { policy.as_ref() }.map(|p| p.inner.clone());
        book.set_lifecycle_policy(policy)?;
        Ok(())
    })
}

/// The stage facts of a book's customers as owned columns (flags 0/1, missing day counts
/// NaN), from `crm_book_stage_facts`; release with `crm_stage_facts_free`. `columns` points
/// into it and can be passed to `crm_lifecycle_classify` as it is.
#[repr(C)]
#[derive(Debug)]
pub struct crm_stage_facts_t {
    /// Customer ids, in the book's order (`columns.len` of them).
    pub customer_id: *const u64,
    /// The facts.
    pub columns: crm_stage_columns_t,
}

/// Every customer's stage facts as of `as_of` (RFC 3339), to `*out`.
///
/// # Safety
/// Live handles; `as_of` NUL-terminated; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_stage_facts(
    book: *const crm_book_t,
    policy: *const crm_lifecycle_policy_t,
    as_of: *const c_char,
    out: *mut *mut crm_stage_facts_t,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let (book, policy, as_of) =
            unsafe { (book_ref(book)?, policy_ref(policy)?, text(as_of, "as_of")?) };
        let f = book.stage_facts(policy, instant(as_of, "as_of")?)?;
        let facts = crm_stage_facts_t {
            customer_id: leak(f.customer_id),
            columns: crm_stage_columns_t {
                len: f.purchases.len(),
                purchases: leak(f.purchases),
                days_since_first: leak(f.days_since_first),
                days_since_last: leak(f.days_since_last),
                median_gap_days: leak(f.median_gap_days),
                categories: leak(f.categories),
                upsold: leak(f.upsold),
                recent_purchases: leak(f.recent_purchases),
                reactivated: leak(f.reactivated),
                churn_recorded: leak(f.churn_recorded),
                overdue_complaint: leak(f.overdue_complaint),
            },
        };
        // SAFETY: checked non-NULL above.
        unsafe { write(out, Box::into_raw(Box::new(facts))) };
        Ok(())
    })
}

/// Releases stage facts. NULL is accepted.
///
/// # Safety
/// `facts` is NULL or came from `crm_book_stage_facts`, released once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_facts_free(facts: *mut crm_stage_facts_t) {
    if facts.is_null() {
        return;
    }
    // SAFETY: it came from Box::into_raw in crm_book_stage_facts; its arrays from `leak`.
    unsafe {
        let f = Box::from_raw(facts);
        let c = &f.columns;
        let n = c.len;
        unleak(f.customer_id, n);
        unleak(c.purchases, n);
        unleak(c.days_since_first, n);
        unleak(c.days_since_last, n);
        unleak(c.median_gap_days, n);
        unleak(c.categories, n);
        unleak(c.upsold, n);
        unleak(c.recent_purchases, n);
        unleak(c.reactivated, n);
        unleak(c.churn_recorded, n);
        unleak(c.overdue_complaint, n);
    }
}
