//! Complaint SLA policies: evaluation of a book's complaints and the reports, as JSON.

use std::ffi::c_char;

use crm_core::sla::{self, GroupBy, RetentionAssumptions, SlaPolicies};

use crate::args::{instant, json, out_ok, owned_string, text, to_json, write};
use crate::book::{book_mut, book_ref, crm_book_t};
use crate::status::{Failure, crm_status_t, guard};

/// An opaque, ordered list of SLA policies from `crm_sla_policy_from_json`, released by
/// `crm_sla_policy_free`. Immutable: may be shared between threads.
#[derive(Debug)]
pub struct crm_sla_policy_t {
    inner: SlaPolicies,
}

/// # Safety
/// `policy` is NULL or a live handle.
unsafe fn policy_ref<'a>(policy: *const crm_sla_policy_t) -> Result<&'a SlaPolicies, Failure> {
    // SAFETY: per the function's contract.
    unsafe { policy.as_ref() }
        .map(|p| &p.inner)
        .ok_or_else(|| Failure::null("policy"))
}

/// Policies from their JSON form: one policy object, a list, or `{"policies": [...]}`; e.g.
/// `{"name": "desk", "calendar": {...}, "targets": {"urgent": {"first_response": 30,
/// "resolution": 240}}}`.
///
/// # Safety
/// `json_text` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_from_json(
    json_text: *const c_char,
    out: *mut *mut crm_sla_policy_t,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let inner = SlaPolicies::from_json(unsafe { text(json_text, "json")? })?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out, Box::into_raw(Box::new(crm_sla_policy_t { inner }))) };
        Ok(())
    })
}

/// Releases policies. NULL is accepted.
///
/// # Safety
/// `policy` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_free(policy: *mut crm_sla_policy_t) {
    if !policy.is_null() {
        // SAFETY: it came from Box::into_raw in crm_sla_policy_from_json.
        drop(unsafe { Box::from_raw(policy) });
    }
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
    guard(|| {
        // SAFETY: per this function's contract.
        let book = unsafe { book_mut(book)? };
        // SAFETY: per this function's contract.
        let policy = unsafe { policy.as_ref() }.map(|p| p.inner.clone());
        book.set_sla_policies(policy);
        Ok(())
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
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let (book, policy, now) =
            unsafe { (book_ref(book)?, policy_ref(policy)?, text(now, "now")?) };
        let results = book.evaluate_sla(policy, instant(now, "now")?, open_only)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(to_json(&results))) };
        Ok(())
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
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let (book, policy) = unsafe { (book_ref(book)?, policy_ref(policy)?) };
        // SAFETY: per this function's contract.
        let (now, from, to, by) = unsafe {
            (
                instant(text(now, "now")?, "now")?,
                instant(text(from, "from")?, "from")?,
                instant(text(to, "to")?, "to")?,
                text(by, "by")?,
            )
        };
        let group: GroupBy =
            serde_json::from_value(serde_json::Value::String(by.into())).map_err(|_| {
                Failure::new(
                    crm_status_t::CRM_INVALID_ARGUMENT,
                    format!("invalid by {by:?}: use priority, tier, channel, category or policy"),
                )
            })?;
        let assumptions: RetentionAssumptions = if assumptions_json.is_null() {
            RetentionAssumptions::default()
        } else {
            // SAFETY: non-NULL, NUL-terminated per the contract.
            json(
                unsafe { text(assumptions_json, "assumptions_json")? },
                "the retention assumptions",
            )?
        };
        let results = book.evaluate_sla(policy, now, false)?;
        let retention = sla::expected_retention(&results, from, to, &assumptions, retention_cost)?;
        let report = serde_json::json!({
            "compliance": sla::compliance(&results, group, from, to),
            "customer_error_share": sla::customer_error_share(&results, from, to),
            "retention": retention,
        });
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(to_json(&report))) };
        Ok(())
    })
}
