//! `crm._crm`: the native module behind the `crm` Python package.
//!
//! Thin by design: arguments are converted (numpy arrays borrowed without a copy where the
//! dtype allows, configuration and records as the JSON forms of crm-core), crm-core does the
//! work with the GIL released, and results come back as numpy arrays, dicts or JSON text.
//! Frames (pandas, polars) are handled in the Python package around this module.

mod attach;
mod audience;
mod batch;
mod book;
mod calendar;
mod campaign;
mod clv;
mod columns;
mod counts;
mod errors;
mod find;
mod instants;
mod lifecycle;
mod orders;
mod panic;
mod parse;
mod quality;
mod segment;
mod sla;
mod threads;
mod worklist;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _crm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    panic::install_quiet_hook();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    threads::init_from_env();
    m.add("MAX_THREADS", crm_core::parallel::MAX_THREADS)?;
    m.add_function(wrap_pyfunction!(threads::set_threads, m)?)?;
    m.add_function(wrap_pyfunction!(threads::get_threads, m)?)?;
    m.add_function(wrap_pyfunction!(threads::_after_fork_child, m)?)?;
    m.add_function(wrap_pyfunction!(panic::_panic_for_test, m)?)?;
    segment::add_defaults(m)?;
    m.add("ERROR_KINDS", errors::kind_names())?;
    m.add_class::<book::CustomerBook>()?;
    m.add_class::<audience::Audience>()?;
    m.add_function(wrap_pyfunction!(audience::book_consent_report_json, m)?)?;
    m.add_function(wrap_pyfunction!(audience::book_consent_at, m)?)?;
    m.add_function(wrap_pyfunction!(audience::book_record_consent_json, m)?)?;
    m.add_class::<batch::Batch>()?;
    m.add_class::<segment::ValueModel>()?;
    m.add_class::<calendar::BusinessCalendar>()?;
    m.add_class::<sla::SlaPolicy>()?;
    m.add_class::<lifecycle::LifecyclePolicy>()?;
    m.add_function(wrap_pyfunction!(sla::detach_sla_policy, m)?)?;
    m.add_function(wrap_pyfunction!(lifecycle::detach_lifecycle_policy, m)?)?;
    m.add_function(wrap_pyfunction!(columns::customer_features, m)?)?;
    m.add_function(wrap_pyfunction!(columns::rfm_transactions, m)?)?;
    m.add_function(wrap_pyfunction!(orders::collapse_orders, m)?)?;
    m.add_function(wrap_pyfunction!(segment::rfm_scores, m)?)?;
    m.add_function(wrap_pyfunction!(segment::pyramid, m)?)?;
    m.add_function(wrap_pyfunction!(segment::pareto, m)?)?;
    m.add_function(wrap_pyfunction!(segment::top_share, m)?)?;
    m.add_function(wrap_pyfunction!(segment::abc, m)?)?;
    m.add_function(wrap_pyfunction!(segment::segment_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(segment::rfm_rule_report, m)?)?;
    m.add_function(wrap_pyfunction!(book::sample_book, m)?)?;
    m.add_function(wrap_pyfunction!(quality::find_duplicates_json, m)?)?;
    m.add_function(wrap_pyfunction!(quality::find_duplicates_columns, m)?)?;
    m.add_function(wrap_pyfunction!(quality::pair_completeness_columns, m)?)?;
    m.add_function(wrap_pyfunction!(
        quality::pair_completeness_by_key_columns,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(quality::quality_report_json, m)?)?;
    m.add_function(wrap_pyfunction!(quality::validate_json, m)?)?;
    m.add_function(wrap_pyfunction!(quality::validate_columns, m)?)?;
    m.add_function(wrap_pyfunction!(quality::quality_report_columns, m)?)?;
    m.add_function(wrap_pyfunction!(quality::customer_columns, m)?)?;
    m.add_function(wrap_pyfunction!(quality::normalize_name, m)?)?;
    m.add_function(wrap_pyfunction!(quality::normalize_phone, m)?)?;
    m.add_function(wrap_pyfunction!(quality::normalize_email, m)?)?;
    m.add_function(wrap_pyfunction!(quality::fold, m)?)?;
    m.add_function(wrap_pyfunction!(quality::golden_record_json, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_summary, m)?)?;
    m.add_function(wrap_pyfunction!(clv::fit_beta_geo, m)?)?;
    m.add_function(wrap_pyfunction!(clv::fit_gamma_gamma, m)?)?;
    m.add_function(wrap_pyfunction!(clv::beta_geo_predict, m)?)?;
    m.add_function(wrap_pyfunction!(clv::beta_geo_expected_new, m)?)?;
    m.add_function(wrap_pyfunction!(clv::gamma_gamma_spend, m)?)?;
    m.add_function(wrap_pyfunction!(clv::lifetime_value, m)?)?;
    m.add_function(wrap_pyfunction!(clv::book_predict_clv, m)?)?;
    m.add_function(wrap_pyfunction!(find::book_find_json, m)?)?;
    m.add_function(wrap_pyfunction!(instants::parse_instant, m)?)?;
    m.add_function(wrap_pyfunction!(instants::parse_instants, m)?)?;
    m.add_function(wrap_pyfunction!(instants::parse_instant_lines, m)?)?;
    m.add_function(wrap_pyfunction!(instants::zone_name, m)?)?;
    m.add_function(wrap_pyfunction!(clv::beta_geo_fit_model, m)?)?;
    m.add_function(wrap_pyfunction!(clv::gamma_gamma_fit_model, m)?)?;
    m.add_function(wrap_pyfunction!(clv::beta_geo_from_params, m)?)?;
    m.add_function(wrap_pyfunction!(clv::gamma_gamma_from_params, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_model_check, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_unit_for, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_no_spend_reason, m)?)?;
    m.add_function(wrap_pyfunction!(clv::clv_calibration_holdout, m)?)?;
    m.add_function(wrap_pyfunction!(campaign::plan_campaign_json, m)?)?;
    m.add_function(wrap_pyfunction!(campaign::campaign_report_json, m)?)?;
    m.add_function(wrap_pyfunction!(worklist::worklist_json, m)?)?;
    Ok(())
}
