//! Data quality: validation, normalisation and duplicate detection. Records cross as JSON.

use chrono::NaiveDate;
use crm_core::model::Customer;
use crm_core::quality::{self, Country, DedupConfig, MatchRecord};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{IntoPy, from_json, json};
use crate::parse::from_json_released;

/// Duplicates among records (JSON list of match records); the result as JSON.
#[pyfunction]
#[pyo3(signature = (records_json, config_json = None))]
pub(crate) fn find_duplicates_json(
    py: Python<'_>,
    records_json: &str,
    config_json: Option<&str>,
) -> PyResult<String> {
    let records: Vec<MatchRecord> = from_json_released(py, "the records", records_json)?;
    let config: DedupConfig = match config_json {
        Some(t) => from_json("the duplicate-detection config", t)?,
        None => DedupConfig::default(),
    };
    let d = crate::panic::released(py, || quality::find_duplicates(&records, &config))?.py_err()?;
    json(&d)
}

/// `today` as a day, read by crm-core's one day reader (as C's `today` is).
pub(crate) fn day(today: &str) -> PyResult<NaiveDate> {
    crm_core::time::parse_day(today, "today").py_err()
}

/// Duplicates among records given as text columns (`None` for missing; birth dates as
/// `crm_core::quality::records_from_columns` reads them): a dict of numpy arrays `left`, `right`, `probability` (the pairs at or above
/// the threshold), `cluster` (per row), the number of `candidates`, the fitted `model` as
/// JSON and `evidence`: a dict of columns `left`, `right`, `field`, `level`, `weight` (one
/// row per pair and field, `MatchPair::field_evidence`).
/// `country` (ISO 3166-1 alpha-2), when given, overrides the config's.
#[pyfunction]
#[pyo3(signature = (columns, n, config_json = None, country = None))]
pub(crate) fn find_duplicates_columns<'py>(
    py: Python<'py>,
    columns: Vec<(String, Vec<Option<String>>)>,
    n: usize,
    config_json: Option<&str>,
    country: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let config: DedupConfig = match config_json {
        Some(t) => from_json("the duplicate-detection config", t)?,
        None => DedupConfig::default(),
    };
    let config = config.with_country(country).py_err()?;
    let d = crate::panic::released(py, || {
        match_records(&columns, n).and_then(|records| quality::find_duplicates(&records, &config))
    })?
    .py_err()?;
    let out = PyDict::new(py);
    let rows = |f: fn(&quality::MatchPair) -> usize| -> Vec<i64> {
        d.pairs.iter().map(|p| f(p) as i64).collect()
    };
    out.set_item("left", rows(|p| p.left).into_pyarray(py))?;
    out.set_item("right", rows(|p| p.right).into_pyarray(py))?;
    let probability: Vec<f64> = d.pairs.iter().map(|p| p.probability).collect();
    out.set_item("probability", probability.into_pyarray(py))?;
    let cluster: Vec<i64> = d.cluster.iter().map(|&c| c as i64).collect();
    out.set_item("cluster", cluster.into_pyarray(py))?;
    out.set_item("candidates", d.candidates)?;
    out.set_item("model", json(&d.model)?)?;
    let rows: Vec<(usize, usize, quality::FieldEvidence)> = d
        .pairs
        .iter()
        .flat_map(|p| p.field_evidence().into_iter().map(|e| (p.left, p.right, e)))
        .collect();
    let evidence = PyDict::new(py);
    let ends = |f: fn(&(usize, usize, quality::FieldEvidence)) -> usize| -> Vec<i64> {
        rows.iter().map(|r| f(r) as i64).collect()
    };
    evidence.set_item("left", ends(|r| r.0).into_pyarray(py))?;
    evidence.set_item("right", ends(|r| r.1).into_pyarray(py))?;
    evidence.set_item("field", rows.iter().map(|r| r.2.field).collect::<Vec<_>>())?;
    evidence.set_item("level", rows.iter().map(|r| r.2.level).collect::<Vec<_>>())?;
    let weight: Vec<f64> = rows.iter().map(|r| r.2.weight).collect();
    evidence.set_item("weight", weight.into_pyarray(py))?;
    out.set_item("evidence", evidence)?;
    Ok(out)
}

/// `f` on borrowed views of owned text columns: the `(name, values)` slices crm-core's
/// column readers take.
fn with_views<R>(
    columns: &[(String, Vec<Option<String>>)],
    f: impl FnOnce(&[(&str, &[Option<&str>])]) -> R,
) -> R {
    let borrowed: Vec<(&str, Vec<Option<&str>>)> = columns
        .iter()
        .map(|(name, values)| (name.as_str(), values.iter().map(Option::as_deref).collect()))
        .collect();
    let views: Vec<(&str, &[Option<&str>])> =
        borrowed.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    f(&views)
}

/// The match records of `n` rows of text columns (`crm_core::quality::records_from_columns`).
fn match_records(
    columns: &[(String, Vec<Option<String>>)],
    n: usize,
) -> crm_core::Result<Vec<MatchRecord>> {
    with_views(columns, |views| quality::records_from_columns(n, views))
}

/// Records and true pairs (rows of the records), as a pair-completeness call reads them.
type CompletenessInputs = (Vec<MatchRecord>, Vec<(usize, usize)>);

/// The records and true pairs both pair-completeness calls read: the records from their
/// text columns, the pairs as rows `left[i]`, `right[i]`.
fn completeness_inputs(
    columns: &[(String, Vec<Option<String>>)],
    n: usize,
    left: &[usize],
    right: &[usize],
) -> crm_core::Result<CompletenessInputs> {
    let pairs = left.iter().copied().zip(right.iter().copied()).collect();
    Ok((match_records(columns, n)?, pairs))
}

/// Pair completeness of the blocking step over records given as text columns (as
/// [`find_duplicates_columns`]) and true pairs as rows `left[i]`, `right[i]`: a dict of
/// `true_pairs`, `sharing_a_key` and `candidates`, under the duplicate-detection config JSON
/// (`max_block`, `window`, `country`; `None` is the default config).
#[pyfunction]
#[pyo3(signature = (columns, n, left, right, config_json = None))]
pub(crate) fn pair_completeness_columns<'py>(
    py: Python<'py>,
    columns: Vec<(String, Vec<Option<String>>)>,
    n: usize,
    left: Vec<usize>,
    right: Vec<usize>,
    config_json: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let config = completeness_config(config_json)?;
    let c = crate::panic::released(py, || {
        completeness_inputs(&columns, n, &left, &right)
            .and_then(|(records, pairs)| quality::pair_completeness(&records, &pairs, &config))
    })?
    .py_err()?;
    let out = PyDict::new(py);
    out.set_item("true_pairs", c.true_pairs)?;
    out.set_item("sharing_a_key", c.sharing_a_key)?;
    out.set_item("candidates", c.candidates)?;
    Ok(out)
}

/// [`pair_completeness_columns`] per kind of blocking key
/// (`crm_core::quality::pair_completeness_by_key`): a list of dicts `tag`, `kept_blocks`,
/// `pairs`, `true_pairs`, `only_here`, by tag.
#[pyfunction]
#[pyo3(signature = (columns, n, left, right, config_json = None))]
pub(crate) fn pair_completeness_by_key_columns<'py>(
    py: Python<'py>,
    columns: Vec<(String, Vec<Option<String>>)>,
    n: usize,
    left: Vec<usize>,
    right: Vec<usize>,
    config_json: Option<&str>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let config = completeness_config(config_json)?;
    let rows = crate::panic::released(py, || {
        completeness_inputs(&columns, n, &left, &right).and_then(|(records, pairs)| {
            quality::pair_completeness_by_key(&records, &pairs, &config)
        })
    })?
    .py_err()?;
    rows.iter()
        .map(|r| {
            let out = PyDict::new(py);
            out.set_item("tag", r.tag)?;
            out.set_item("kept_blocks", r.kept_blocks)?;
            out.set_item("pairs", r.pairs)?;
            out.set_item("true_pairs", r.true_pairs)?;
            out.set_item("only_here", r.only_here)?;
            Ok(out)
        })
        .collect()
}

fn completeness_config(config_json: Option<&str>) -> PyResult<DedupConfig> {
    Ok(match config_json {
        Some(t) => from_json("the duplicate-detection config", t)?,
        None => DedupConfig::default(),
    })
}

/// Findings, filled fields and completeness per customer (JSON list of customers), as JSON.
/// `country` (ISO 3166-1 alpha-2) picks the rules for ids, phones and postcodes; `None`
/// for core's default.
#[pyfunction]
#[pyo3(signature = (customers_json, today, country = None))]
pub(crate) fn validate_json(
    py: Python<'_>,
    customers_json: &str,
    today: &str,
    country: Option<&str>,
) -> PyResult<String> {
    let today = day(today)?;
    let country = country_of(country)?;
    json(
        &crate::panic::released(py, || {
            let (customers, read) = quality::customers_with_findings(customers_json)?;
            quality::assess_with_findings_in(&customers, &read, today, country)
        })?
        .py_err()?,
    )
}

/// Customer records from text columns (`crm_core::quality::customers_from_columns`).
fn customers_of(
    py: Python<'_>,
    columns: &[(String, Vec<Option<String>>)],
    n: usize,
) -> PyResult<(Vec<Customer>, Vec<Vec<quality::Finding>>)> {
    crate::panic::released(py, || {
        with_views(columns, |views| {
            quality::customers_from_columns_with_findings(n, views)
        })
    })?
    .py_err()
}

/// The column names a customer table is read from, in `customers_from_columns` order.
#[pyfunction]
pub(crate) fn customer_columns() -> Vec<&'static str> {
    quality::CUSTOMER_COLUMNS.iter().map(|(c, _)| *c).collect()
}

/// The country of an ISO 3166-1 alpha-2 code, core's default for `None`.
pub(crate) fn country_of(code: Option<&str>) -> PyResult<Country> {
    Ok(code
        .map(Country::parse)
        .transpose()
        .py_err()?
        .unwrap_or_default())
}

/// As `validate_json`, for `n` rows of text columns (ids = row numbers).
#[pyfunction]
#[pyo3(signature = (columns, n, today, country = None))]
pub(crate) fn validate_columns(
    py: Python<'_>,
    columns: Vec<(String, Vec<Option<String>>)>,
    n: usize,
    today: &str,
    country: Option<&str>,
) -> PyResult<String> {
    let country = country_of(country)?;
    on_columns(py, &columns, n, today, move |c, r, t| {
        quality::assess_with_findings_in(c, r, t, country)
    })
}

/// The data-quality report of customers (JSON list) as JSON.
#[pyfunction]
#[pyo3(signature = (customers_json, today, country = None))]
pub(crate) fn quality_report_json(
    py: Python<'_>,
    customers_json: &str,
    today: &str,
    country: Option<&str>,
) -> PyResult<String> {
    let today = day(today)?;
    let country = country_of(country)?;
    json(
        &crate::panic::released(py, || {
            let (customers, read) = quality::customers_with_findings(customers_json)?;
            quality::quality_report_with_findings_in(&customers, &read, today, country)
        })?
        .py_err()?,
    )
}

/// As `quality_report_json`, for `n` rows of text columns (ids = row numbers).
#[pyfunction]
#[pyo3(signature = (columns, n, today, country = None))]
pub(crate) fn quality_report_columns(
    py: Python<'_>,
    columns: Vec<(String, Vec<Option<String>>)>,
    n: usize,
    today: &str,
    country: Option<&str>,
) -> PyResult<String> {
    let country = country_of(country)?;
    on_columns(py, &columns, n, today, move |c, r, t| {
        quality::quality_report_with_findings_in(c, r, t, country)
    })
}

/// Reads the customers of `n` rows of text columns, then runs `check` on them as of `today`
/// (GIL released) and returns its result as JSON.
fn on_columns<R: serde::Serialize + Send>(
    py: Python<'_>,
    columns: &[(String, Vec<Option<String>>)],
    n: usize,
    today: &str,
    check: impl FnOnce(&[Customer], &[Vec<quality::Finding>], NaiveDate) -> crm_core::Result<R> + Send,
) -> PyResult<String> {
    let today = day(today)?;
    let (customers, read) = customers_of(py, columns, n)?;
    json(&crate::panic::released(py, move || check(&customers, &read, today))?.py_err()?)
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
    py: Python<'_>,
    customers_json: &str,
    today: &str,
    rules_json: Option<&str>,
) -> PyResult<String> {
    let customers: Vec<Customer> = from_json_released(py, "the customers", customers_json)?;
    let today = day(today)?;
    let rules: quality::GoldenRules = match rules_json {
        Some(t) => from_json("the survivorship rules", t)?,
        None => Default::default(),
    };
    json(&quality::golden_record(&customers, &rules, today))
}
