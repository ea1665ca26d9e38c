//! Data quality: validation, normalisation and duplicate detection. Records cross as JSON.

use chrono::NaiveDate;
use crm_core::model::Customer;
use crm_core::quality::{self, DedupConfig, MatchRecord};
use pyo3::prelude::*;

use crate::book::json;
use crate::errors::from_json;

/// Duplicates among records (JSON list of match records); the result as JSON.
#[pyfunction]
#[pyo3(signature = (records_json, config_json = None))]
pub(crate) fn find_duplicates_json(
    py: Python<'_>,
    records_json: &str,
    config_json: Option<&str>,
) -> PyResult<String> {
    let records: Vec<MatchRecord> = from_json("the records", records_json)?;
    let config: DedupConfig = match config_json {
        Some(t) => from_json("the duplicate-detection config", t)?,
        None => DedupConfig::default(),
    };
    let d = py.detach(|| quality::find_duplicates(&records, &config));
    Ok(json(&d))
}

/// Findings and completeness per customer (JSON list of customers), as JSON.
#[pyfunction]
pub(crate) fn validate_json(py: Python<'_>, customers_json: &str, today: &str) -> PyResult<String> {
    let customers: Vec<Customer> = from_json("the customers", customers_json)?;
    let today: NaiveDate = from_json("today", &format!("\"{}\"", today.escape_default()))?;
    let out: Vec<serde_json::Value> = py.detach(|| {
        customers
            .iter()
            .map(|c| {
                let findings = quality::validate_customer(c, today);
                let filled = quality::filled_fields(c, &findings);
                let score =
                    filled.iter().filter(|(_, ok)| *ok).count() as f64 / filled.len() as f64;
                serde_json::json!({"id": c.id, "findings": findings, "completeness": score,
                                   "filled": filled.iter().map(|(f, ok)| (f.to_string(), *ok)).collect::<Vec<_>>()})
            })
            .collect()
    });
    Ok(json(&out))
}

/// A name as a matching key.
#[pyfunction]
pub(crate) fn normalize_name(s: &str) -> String {
    quality::normalize_name(s)
}

/// A phone number in E.164, or None.
#[pyfunction]
pub(crate) fn normalize_phone(s: &str) -> Option<String> {
    quality::normalize_phone(s)
}

/// An e-mail address normalised, or None.
#[pyfunction]
pub(crate) fn normalize_email(s: &str) -> Option<String> {
    quality::normalize_email(s)
}

/// Turkish lower case folded to ASCII.
#[pyfunction]
pub(crate) fn fold(s: &str) -> String {
    quality::fold(s)
}

/// The golden record of customers (JSON list) by survivorship rules; JSON.
#[pyfunction]
#[pyo3(signature = (customers_json, today, rules_json = None))]
pub(crate) fn golden_record_json(
    customers_json: &str,
    today: &str,
    rules_json: Option<&str>,
) -> PyResult<String> {
    let customers: Vec<Customer> = from_json("the customers", customers_json)?;
    let today: NaiveDate = from_json("today", &format!("\"{}\"", today.escape_default()))?;
    let rules: quality::GoldenRules = match rules_json {
        Some(t) => from_json("the survivorship rules", t)?,
        None => Default::default(),
    };
    Ok(json(&quality::golden_record(&customers, &rules, today)))
}
