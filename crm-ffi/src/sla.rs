//! Complaint SLA policies: evaluation of a book's complaints and the reports, as JSON.

use std::ffi::c_char;

use crm_core::sla::{GroupBy, ReportRequest, RetentionAssumptions, SlaPolicies};

use crate::args::{instant_text, json_or_default, json_out, text};
use crate::book::crm_book_t;
use crate::ffi::{Castable, Handle, Out, castable};
use crate::status::{boundary, crm_status_t};

/// An opaque, ordered list of SLA policies from `crm_sla_policy_from_json`, released by
/// `crm_sla_policy_free`. Immutable: may be shared between threads.
#[derive(Debug)]
pub struct crm_sla_policy_t {
    handle: Handle<SlaPolicies>,
}

castable!(crm_sla_policy_t => SlaPolicies);

/// Policies from their JSON form: one policy object, a list, or `{"policies": [...]}`; e.g.
/// `{"name": "desk", "calendar": {...}, "targets": {"urgent": {"first_response": 30,
/// "resolution": 240}}}`. Targets are at most `MAX_TARGET_MINUTES` = 5,259,600 minutes and
/// escalation shares at most `MAX_ESCALATION_SHARE` = 100 (`CRM_INVALID_ARGUMENT` naming
/// the field).
///
/// # Safety
/// `json_text` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_from_json(
    json_text: *const c_char,
    out: *mut *mut crm_sla_policy_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, text) = unsafe { (Out::new(out, "out")?, text(json_text, "json")?) };
        crm_sla_policy_t::into_out(out, SlaPolicies::from_json(text)?);
        Ok(())
    })
}

/// Releases policies. NULL is accepted.
///
/// # Safety
/// `policy` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_free(policy: *mut crm_sla_policy_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { crm_sla_policy_t::free(policy) })
}

/// Attaches a copy of `policy` to the book (NULL detaches): views then show each open
/// complaint's SLA state.
///
/// # Safety
/// `book` is a live handle nobody else uses during the call; `policy` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_set_sla_policy(
    book: *mut crm_book_t,
    policy: *const crm_sla_policy_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (mut book, policy) = unsafe {
            (
                crm_book_t::try_mut(book, "book")?,
                crm_sla_policy_t::try_opt_ref(policy, "policy")?,
            )
        };
        Ok(book.set_sla_policies(policy.cloned())?)
    })
}

/// The SLA state of the book's complaints as of `now` (RFC 3339): the open ones, or with
/// `open_only` false every complaint opened by then; a JSON array written to `*out_json`
/// (free with `crm_string_free`).
///
/// # Safety
/// Live handles; `now` NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_evaluate_sla_json(
    book: *const crm_book_t,
    policy: *const crm_sla_policy_t,
    now: *const c_char,
    open_only: bool,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, policy, now) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                crm_sla_policy_t::try_ref(policy, "policy")?,
                instant_text(now, "now")?,
            )
        };
        json_out(out, &book.evaluate_sla(policy, now, open_only)?)
    })
}

/// Reports over the complaints opened in `[from, to)`, evaluated as of `now`: compliance
/// grouped `by` ("priority", "tier", "channel", "category" or "policy"), the customer-error
/// share and expected retention (`assumptions_json` NULL for 95% / 70% / 50% and the 5×
/// rule; `retention_cost` is what keeping one customer costs). JSON object to `*out_json`.
///
/// # Safety
/// Live handles; strings NUL-terminated (`assumptions_json` may be NULL); `out_json`
/// writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_sla_report_json(
    book: *const crm_book_t,
    policy: *const crm_sla_policy_t,
    now: *const c_char,
    from: *const c_char,
    to: *const c_char,
    by: *const c_char,
    assumptions_json: *const c_char,
    retention_cost: f64,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, policy, now, from, to, by) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                crm_sla_policy_t::try_ref(policy, "policy")?,
                instant_text(now, "now")?,
                instant_text(from, "from")?,
                instant_text(to, "to")?,
                text(by, "by")?,
            )
        };
        let by = by.parse::<GroupBy>()?;
        // SAFETY: NULL or NUL-terminated per the contract.
        let assumptions: RetentionAssumptions = unsafe {
            json_or_default(
                assumptions_json,
                "assumptions_json",
                "the retention assumptions",
            )?
        };
        let request = ReportRequest {
            from,
            to,
            by,
            assumptions,
            retention_cost,
        };
        json_out(out, &book.sla_report(policy, now, &request)?)
    })
}
