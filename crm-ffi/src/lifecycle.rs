//! Lifecycle policies: stages from fact columns or a book, histories and reports.

use std::ffi::c_char;

use chrono::{DateTime, Utc};
use crm_core::CrmError;
use crm_core::book::CustomerBook;
use crm_core::lifecycle::{self, LifecyclePolicy, Stage, StageColumns};

use crate::args::{instant_text, json_out, period_end_text, slice, text};
use crate::book::crm_book_t;
use crate::columns::{OwnedColumns, leak, owned_columns, unleak};
use crate::ffi::{Castable, Handle, Out, OutSlice, borrow, castable};
use crate::status::{Failure, boundary, crm_status_t};

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

/// The `CRM_STAGE_*` code of a stage. Explicit and exhaustive: the codes are fixed for C
/// programs whatever order core declares its stages in, and a new stage fails the build here
/// until it has a new, never-used code.
fn stage_code(stage: Stage) -> u8 {
    match stage {
        Stage::Prospect => CRM_STAGE_PROSPECT,
        Stage::New => CRM_STAGE_NEW,
        Stage::Active => CRM_STAGE_ACTIVE,
        Stage::Loyal => CRM_STAGE_LOYAL,
        Stage::AtRisk => CRM_STAGE_AT_RISK,
        Stage::Churned => CRM_STAGE_CHURNED,
        Stage::Reactivated => CRM_STAGE_REACTIVATED,
    }
}

/// An opaque lifecycle policy from `crm_lifecycle_policy_from_json`, released by
/// `crm_lifecycle_policy_free`. Immutable: may be shared between threads.
#[derive(Debug)]
pub struct crm_lifecycle_policy_t {
    handle: Handle<LifecyclePolicy>,
}

castable!(crm_lifecycle_policy_t => LifecyclePolicy);

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

// Released only as part of a `crm_stage_facts_t`; columns C passes in are C's own.
owned_columns!(crm_stage_columns_t {
    len => [
        purchases, days_since_first, days_since_last, median_gap_days, categories, upsold,
        recent_purchases, reactivated, churn_recorded, overdue_complaint,
    ],
});

/// A lifecycle policy from its JSON form (`"{}"` for the defaults), e.g. `{"new_days": 60,
/// "at_risk": {"gap_multiple": 2.5}}`. Day counts are at most `MAX_POLICY_DAYS` = 36,525
/// and `at_risk.gap_multiple` at most `MAX_GAP_MULTIPLE` = 1,000 (`CRM_INVALID_ARGUMENT`
/// naming the field).
///
/// # Safety
/// `json_text` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_lifecycle_policy_from_json(
    json_text: *const c_char,
    out: *mut *mut crm_lifecycle_policy_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, text) = unsafe { (Out::new(out, "out")?, text(json_text, "json")?) };
        crm_lifecycle_policy_t::into_out(out, LifecyclePolicy::from_json(text)?);
        Ok(())
    })
}

/// Releases a policy. NULL is accepted.
///
/// # Safety
/// `policy` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_lifecycle_policy_free(policy: *mut crm_lifecycle_policy_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { crm_lifecycle_policy_t::free(policy) })
}

/// The arguments of a query over a book with a policy.
type BookQuery<'a, T> = (
    Out<'a, T>,
    &'a CustomerBook,
    &'a LifecyclePolicy,
    DateTime<Utc>,
);

/// What a query over a book with a policy reads: the out-parameter, the book, the policy and
/// the instant `as_of`, in that order.
///
/// # Safety
/// `out` is NULL or writable; the handles are NULL or live; `as_of` NULL or NUL-terminated.
unsafe fn book_query<'a, T>(
    out: *mut T,
    out_name: &str,
    book: *const crm_book_t,
    policy: *const crm_lifecycle_policy_t,
    as_of: *const c_char,
) -> Result<BookQuery<'a, T>, Failure> {
    // SAFETY: per the function's contract.
    unsafe {
        Ok((
            Out::new(out, out_name)?,
            crm_book_t::try_ref(book, "book")?,
            crm_lifecycle_policy_t::try_ref(policy, "policy")?,
            period_end_text(as_of, "as_of")?,
        ))
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (policy, c) = unsafe {
            (
                crm_lifecycle_policy_t::try_ref(policy, "policy")?,
                borrow(columns, "columns")?,
            )
        };
        let n = c.len;
        // SAFETY: per this function's contract, each column holds `len` values.
        let (out, cols) = unsafe {
            (
                OutSlice::new(out_stages, n, "out_stages")?,
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
                },
            )
        };
        let stages = lifecycle::classify_columns(policy, &cols)?;
        out.write(stages.into_iter().map(stage_code));
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (ids, stages, len, book, policy, as_of) = unsafe {
            (
                OutSlice::new(out_ids, capacity, "out_ids")?,
                OutSlice::new(out_stages, capacity, "out_stages")?,
                Out::new(out_len, "out_len")?,
                crm_book_t::try_ref(book, "book")?,
                crm_lifecycle_policy_t::try_ref(policy, "policy")?,
                period_end_text(as_of, "as_of")?,
            )
        };
        if capacity < book.len() {
            return Err(CrmError::invalid(
                "capacity",
                capacity,
                format_args!("the book has {} customers", book.len()),
            )
            .into());
        }
        let s = book.stages(policy, as_of)?;
        len.write(s.stage.len());
        ids.write(s.customer_id);
        stages.write(s.stage.into_iter().map(stage_code));
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, policy, as_of) =
            unsafe { book_query(out_json, "out_json", book, policy, as_of)? };
        json_out(out, &book.stage_history(customer_id, policy, as_of)?)
    })
}

/// The funnel report over `[from, to)` as JSON: stages entered, transitions, conversion,
/// mean days in stage. Free `*out_json` with `crm_string_free`. (Replaces
/// `crm_lifecycle_report_json(…, false, …)`; the churn reasons are
/// `crm_book_churn_reasons_json`.)
///
/// # Safety
/// Live handles; strings NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_lifecycle_report_json(
    book: *const crm_book_t,
    policy: *const crm_lifecycle_policy_t,
    from: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, policy, from, to) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                crm_lifecycle_policy_t::try_ref(policy, "policy")?,
                instant_text(from, "from")?,
                instant_text(to, "to")?,
            )
        };
        json_out(out, &book.lifecycle_report(policy, from, to)?)
    })
}

/// The churn reasons as of `as_of` (RFC 3339) as JSON: the reasons recorded and the churned
/// customers without one spread by the priors. Free `*out_json` with `crm_string_free`.
/// (Replaces `crm_lifecycle_report_json(…, true, …)`.)
///
/// # Safety
/// Live handles; `as_of` NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_churn_reasons_json(
    book: *const crm_book_t,
    policy: *const crm_lifecycle_policy_t,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, policy, as_of) =
            unsafe { book_query(out_json, "out_json", book, policy, as_of)? };
        json_out(out, &book.churn_reasons(policy, as_of)?)
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (mut book, policy) = unsafe {
            (
                crm_book_t::try_mut(book, "book")?,
                crm_lifecycle_policy_t::try_opt_ref(policy, "policy")?,
            )
        };
        Ok(book.set_lifecycle_policy(policy.cloned())?)
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

impl OwnedColumns for crm_stage_facts_t {
    unsafe fn release(self) {
        let crm_stage_facts_t {
            customer_id,
            columns,
        } = self;
        // SAFETY: per the trait's contract: `columns.len` ids, and columns built by `leak`.
        unsafe {
            unleak(customer_id, columns.len);
            columns.release();
        }
    }
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, policy, as_of) = unsafe { book_query(out, "out", book, policy, as_of)? };
        let f = book.stage_facts(policy, as_of)?;
        crm_stage_facts_t {
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
        }
        .into_out(out);
        Ok(())
    })
}

/// Releases stage facts. NULL is accepted.
///
/// # Safety
/// `facts` is NULL or came from `crm_book_stage_facts`, released once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_facts_free(facts: *mut crm_stage_facts_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { OwnedColumns::free(facts) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_has_its_own_fixed_code() {
        // The published numbers, worked out from the header, not from core's order.
        let published = [
            (Stage::Prospect, 0),
            (Stage::New, 1),
            (Stage::Active, 2),
            (Stage::Loyal, 3),
            (Stage::AtRisk, 4),
            (Stage::Churned, 5),
            (Stage::Reactivated, 6),
        ];
        for (stage, number) in published {
            assert_eq!(stage_code(stage), number, "{stage:?}");
        }
        let mut codes: Vec<u8> = Stage::ALL.iter().map(|&s| stage_code(s)).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Stage::ALL.len(), "codes are distinct");
    }
}
