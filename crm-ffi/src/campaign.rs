//! Campaigns through the C ABI: the control-group plan and the measured report
//! (`crm_core::book::CustomerBook::{plan_campaign_for, campaign_report}`).

use std::ffi::c_char;

use crm_core::book::CampaignReportOptions;
use crm_core::campaign::CampaignPlan;

use crate::args::{json, json_out, slice, text};
use crate::book::crm_book_t;
use crate::ffi::{Castable, Out};
use crate::status::{boundary, crm_status_t};

/// The assignment events of a campaign over the customers `ids[0..n_ids]`: a JSON array of
/// events (`"type": "campaign"`, step `targeted` or `held_out`) to `*out_json` (free with
/// `crm_string_free`), for the caller to record (`crm_book_record_json` each, or as one
/// batch) once its own systems take them on. `plan_json` is `{"campaign_id", "at",
/// "channel", "holdout_share" (0 to 0.5, default 0.1), "seed", "cost_per_send"}`. Ids are
/// resolved through merges; repeats and customers already assigned to the campaign are left
/// out. The draw is `held_out(seed, campaign_id, customer_id, share)`: the same on every
/// platform and whatever the list's order.
///
/// # Safety
/// `book` is a live handle (other threads may read it at the same time); `ids` points to
/// `n_ids` values (NULL only with 0); `plan_json` NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_plan_campaign_json(
    book: *const crm_book_t,
    ids: *const u64,
    n_ids: usize,
    plan_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, ids, plan) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                slice(ids, n_ids, "ids")?,
                text(plan_json, "plan_json")?,
            )
        };
        let plan: CampaignPlan = json(plan, "the plan")?;
        json_out(out, &book.plan_campaign_for(ids, &plan)?)
    })
}

/// The campaign `campaign_id` measured against its control group, as JSON to `*out_json`
/// (free with `crm_string_free`): `{"campaign_id", "as_of", "window_days", "confidence",
/// "assigned_from", "unassigned", "contaminated", "treated": {arm figures}, "control": {…},
/// "conversion_uplift": {"difference", "lower", "upper", "confidence"} | null,
/// "revenue_uplift", "incremental_revenue", "cost", "roi", "groups": [{"by", "groups":
/// [{"key", "strategy"?, …the same figures}]}]}`. `options_json` is `{"at" (required),
/// "window_days": 30, "by": ["tier", "rfm_segment", "region", "city", {"cell":
/// ["region"]}], "confidence": 0.95, "segmentation": {…}}`.
///
/// # Safety
/// `book` is a live handle (other threads may read it at the same time); strings
/// NUL-terminated; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_campaign_report_json(
    book: *const crm_book_t,
    campaign_id: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, id, options) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                text(campaign_id, "campaign_id")?,
                text(options_json, "options_json")?,
            )
        };
        let options: CampaignReportOptions = json(options, "the options")?;
        json_out(out, &book.campaign_report(id, &options)?)
    })
}
