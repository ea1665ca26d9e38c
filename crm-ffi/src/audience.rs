//! Audiences with consent (`crm_core::audience`): an opaque rule handle, the selection as
//! JSON, and the book's consent calls.

use std::ffi::c_char;

use crm_core::audience::{Audience, ConsentReportOptions, SelectOptions, parse_channel};
use crm_core::model::Consent;

use crate::args::{instant_text, json, json_out, text};
use crate::book::crm_book_t;
use crate::ffi::{Castable, Handle, Out, castable};
use crate::status::{boundary, crm_status_t};

/// An opaque audience rule from `crm_audience_new`, released by `crm_audience_free`.
/// Immutable: may be shared between threads.
#[derive(Debug)]
pub struct crm_audience_t {
    handle: Handle<Audience>,
}

castable!(crm_audience_t => Audience);

/// An audience from its rule's JSON text, in the fixed grammar: `{}` (everyone),
/// `{"all": [rule, ...]}`, `{"any": [rule, ...]}`, `{"not": rule}` or a condition
/// `{"field": NAME, OP: VALUE}` (OP one of eq, ne, in, lt, lte, gt, gte). A bad rule gives
/// `CRM_INVALID_ARGUMENT` with the rule path of the fault as the last error (`all[0].field`,
/// with a suggestion for a misspelt field), text that is not JSON `CRM_PARSE_ERROR`.
///
/// # Safety
/// `rule_json` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audience_new(
    rule_json: *const c_char,
    out: *mut *mut crm_audience_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, rule) = unsafe { (Out::new(out, "out")?, text(rule_json, "rule_json")?) };
        crm_audience_t::into_out(out, Audience::from_json(rule)?);
        Ok(())
    })
}

/// Releases an audience. NULL is accepted.
///
/// # Safety
/// `audience` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audience_free(audience: *mut crm_audience_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { crm_audience_t::free(audience) })
}

/// Selects the audience from the book: `options_json` is `{"at": instant, "channel":
/// "email" | "sms" | ... | null, "suppression": {"customer_ids": [...], "open_complaints":
/// true, "contacted_within_days": 7}, "segmentation": SegmentationConfig}` (`at` required;
/// without `channel` consent is not checked; `segmentation` is the config tiers and scores
/// are read under, as for `crm_book_analyse_json`: without it, the book's last analysis if
/// it was as of `at`, else the default config). `*out_json` gets (free with `crm_string_free`) `{"as_of", "channel",
/// "customer_id": [...], "included": [...], "reason": [...], "rule": [...], "counts": {...},
/// "counts_each": {...}, "nodes": [{"path", "text", "decided"}], "unknown_suppressed_ids"}`,
/// one entry per customer in the book's order; reasons `rule_failed`, `no_consent`,
/// `consent_withdrawn`, `suppressed`, `complaint_open`, `frequency_cap`, `included`.
///
/// # Safety
/// `audience` and `book` are live handles (other threads may read them at the same time);
/// `options_json` NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audience_select_json(
    audience: *const crm_audience_t,
    book: *const crm_book_t,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, audience, book, options) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_audience_t::try_ref(audience, "audience")?,
                crm_book_t::try_ref(book, "book")?,
                text(options_json, "options_json")?,
            )
        };
        let options = SelectOptions::from_json(options)?;
        json_out(out, &book.select_audience(audience, &options)?)
    })
}

/// The share of customers with a valid opt-in per marketing channel at `at`, overall and by
/// pyramid tier, to `*out_json` (free with `crm_string_free`): `{"as_of", "channels":
/// [{"channel", "granted", "withdrawn", "never", "share"}], "by_tier": [{"tier", "channel",
/// "customers", "granted", "share"}]}`.
///
/// # Safety
/// `book` is a live handle (other threads may read it); `at` NUL-terminated; `out_json`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_consent_report_json(
    book: *const crm_book_t,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, at) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                instant_text(at, "at")?,
            )
        };
        json_out(out, &book.consent_report(at)?)
    })
}

/// `crm_book_consent_report_json` with options: `options_json` is `{"at": instant,
/// "segmentation": SegmentationConfig}` (`at` required; the tiers are read under
/// `segmentation` when given, as for `crm_audience_select_json`, so the company's tier names
/// appear; an unknown key is `CRM_INVALID_ARGUMENT` naming it). `*out_json` as
/// `crm_book_consent_report_json`'s (free with `crm_string_free`).
///
/// # Safety
/// `book` is a live handle (other threads may read it); `options_json` NUL-terminated;
/// `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_consent_report_options_json(
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
        let options = ConsentReportOptions::from_json(options)?;
        json_out(out, &book.consent_report_with(&options)?)
    })
}

/// The consent in force for customer `id` (a merged id stands for its survivor) on
/// `channel` (`"email"`, `"sms"`, ...) at `at`: `*out` = 1 opted in, 0 withdrawn, -1 never
/// decided. Decisions at the same instant resolve to the withdrawal.
///
/// # Safety
/// `book` is a live handle (other threads may read it); strings NUL-terminated; `out`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_consent_at(
    book: *const crm_book_t,
    id: u64,
    channel: *const c_char,
    at: *const c_char,
    out: *mut i32,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, channel, at) = unsafe {
            (
                Out::new(out, "out")?,
                crm_book_t::try_ref(book, "book")?,
                text(channel, "channel")?,
                instant_text(at, "at")?,
            )
        };
        let channel = parse_channel("channel", channel)?;
        out.write(match book.consent_at(id, channel, at)? {
            Some(true) => 1,
            Some(false) => 0,
            None => -1,
        });
        Ok(())
    })
}

/// Adds one consent decision, `consent_json` = `{"channel": "email", "granted": false, "at":
/// instant}`, to customer `id`'s history (a stored book commits it). `*out_changed` (may be
/// NULL) gets 0 when the very same decision was already recorded, else 1.
///
/// # Safety
/// `book` is a live handle used by no other thread; `consent_json` NUL-terminated;
/// `out_changed` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_record_consent_json(
    book: *mut crm_book_t,
    id: u64,
    consent_json: *const c_char,
    out_changed: *mut i32,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, mut book, consent) = unsafe {
            (
                Out::optional(out_changed),
                crm_book_t::try_mut(book, "book")?,
                text(consent_json, "consent_json")?,
            )
        };
        let consent: Consent = json(consent, "the consent")?;
        let changed = book.record_consent(id, consent)?;
        if let Some(out) = out {
            out.write(i32::from(changed));
        }
        Ok(())
    })
}
