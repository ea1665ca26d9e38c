//! Campaigns for Python: the control-group plan and the measured report, as JSON
//! (`CustomerBook::{plan_campaign_for, campaign_report}`).

use crm_core::book::CampaignReportOptions;
use crm_core::campaign::CampaignPlan;
use crm_core::time::TimeUnit;
use pyo3::prelude::*;

use crate::book::CustomerBook;
use crate::errors::{IntoPy, json};

/// Reads `options_json` (an object without `at`) with `at` set to `at_us`.
pub(crate) fn with_at<T: serde::de::DeserializeOwned>(
    options_json: &str,
    at_us: i64,
    what: &str,
) -> PyResult<T> {
    let mut value: serde_json::Value = crm_core::json::parse(what, options_json).py_err()?;
    let at = TimeUnit::Microseconds.instant(at_us);
    if let Some(map) = value.as_object_mut() {
        map.insert("at".into(), serde_json::to_value(at).unwrap_or_default());
    }
    crm_core::json::parse(what, &value.to_string()).py_err()
}

/// The assignment events (JSON list) of a campaign over `ids`, assigned at `at_us`
/// (microseconds since the epoch); `plan_json` is the plan without `at`.
#[pyfunction]
pub(crate) fn plan_campaign_json(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    ids: Vec<u64>,
    plan_json: &str,
    at_us: i64,
) -> PyResult<String> {
    let plan: CampaignPlan = with_at(plan_json, at_us, "the plan")?;
    json(&book.try_read(py, |b| b.plan_campaign_for(&ids, &plan))?)
}

/// The campaign report (JSON) as of `at_us`; `options_json` is the options without `at`.
#[pyfunction]
pub(crate) fn campaign_report_json(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    campaign_id: &str,
    options_json: &str,
    at_us: i64,
) -> PyResult<String> {
    let options: CampaignReportOptions = with_at(options_json, at_us, "the options")?;
    json(&book.try_read(py, |b| b.campaign_report(campaign_id, &options))?)
}
