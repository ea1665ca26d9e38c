//! Audiences with consent (`crm_core::audience`): the rule, the selection as columns, and the
//! book's consent calls.

use crm_core::audience::{ConsentReportOptions, SelectOptions, Suppression, parse_channel};
use crm_core::book::Change;
use crm_core::model::Consent;
use crm_core::time::TimeUnit;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::batch::Batch;
use crate::book::CustomerBook;
use crate::errors::{IntoPy, from_json, json};

/// An audience rule in the fixed JSON grammar (see `crm.Audience`). Immutable.
#[pyclass(module = "crm._crm", frozen)]
#[derive(Debug)]
pub(crate) struct Audience {
    inner: crm_core::audience::Audience,
}

#[pymethods]
impl Audience {
    #[new]
    fn new(rule_json: &str) -> PyResult<Self> {
        Ok(Audience {
            inner: crm_core::audience::Audience::from_json(rule_json).py_err()?,
        })
    }

    /// The rule written back in its grammar (compact JSON).
    fn rule_json(&self) -> String {
        self.inner.rule().to_value().to_string()
    }

    /// Selects from `book` at `at_us` (microseconds): the per-customer columns
    /// `customer_id`, `included`, `reason`, `rule`, and `summary` (JSON: `as_of`, `channel`,
    /// `counts`, `counts_each`, `nodes`, `unknown_suppressed_ids`).
    #[pyo3(signature = (book, at_us, channel = None, suppression_json = None, segmentation_json = None))]
    fn select<'py>(
        &self,
        py: Python<'py>,
        book: PyRef<'_, CustomerBook>,
        at_us: i64,
        channel: Option<&str>,
        suppression_json: Option<&str>,
        segmentation_json: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let channel = channel
            .map(|c| parse_channel("channel", c))
            .transpose()
            .py_err()?;
        let suppression: Suppression = match suppression_json {
            Some(t) => from_json("the suppression", t)?,
            None => Suppression::default(),
        };
        let segmentation = segmentation_json
            .map(|t| from_json("the segmentation", t))
            .transpose()?;
        let options = SelectOptions {
            at: TimeUnit::Microseconds.instant(at_us),
            channel,
            suppression,
            segmentation,
        };
        let audience = &self.inner;
        let s = book.try_read(py, |b| b.select_audience(audience, &options))?;
        let d = PyDict::new(py);
        let rule: Vec<&str> = (0..s.node.len()).map(|i| s.rule_path(i)).collect();
        let reason: Vec<&str> = s.reason.iter().map(|r| r.as_str()).collect();
        d.set_item("customer_id", s.customer_id.clone().into_pyarray(py))?;
        d.set_item("included", s.included.clone().into_pyarray(py))?;
        d.set_item("reason", reason)?;
        d.set_item("rule", rule)?;
        d.set_item("summary", json(&s.summary())?)?;
        Ok(d)
    }
}

/// The consent report at `at_us` as JSON (`CustomerBook::consent_report_with`), the tiers
/// under `segmentation_json` (a `SegmentationConfig`) when given.
#[pyfunction]
#[pyo3(signature = (book, at_us, segmentation_json = None))]
pub(crate) fn book_consent_report_json(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    at_us: i64,
    segmentation_json: Option<&str>,
) -> PyResult<String> {
    let options = ConsentReportOptions {
        at: TimeUnit::Microseconds.instant(at_us),
        segmentation: segmentation_json
            .map(|t| from_json("the segmentation", t))
            .transpose()?,
    };
    json(&book.try_read(py, |b| b.consent_report_with(&options))?)
}

/// The consent in force: `True`, `False` (withdrawn) or `None` (never decided).
#[pyfunction]
pub(crate) fn book_consent_at(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    customer_id: u64,
    channel: &str,
    at_us: i64,
) -> PyResult<Option<bool>> {
    let channel = parse_channel("channel", channel).py_err()?;
    let at = TimeUnit::Microseconds.instant(at_us);
    book.try_read(py, |b| b.consent_at(customer_id, channel, at))
}

/// Adds one consent decision (JSON `{"channel", "granted", "at"}`); whether it changed the
/// history. Inside a batch the decision joins it (core's `Change::ConsentRecorded`) and
/// `None` is returned: the batch's outcomes say whether it changed anything.
#[pyfunction]
#[pyo3(signature = (book, customer_id, consent_json, batch = None))]
pub(crate) fn book_record_consent_json(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    customer_id: u64,
    consent_json: &str,
    batch: Option<PyRef<'_, Batch>>,
) -> PyResult<Option<bool>> {
    let consent: Consent = from_json("the consent", consent_json)?;
    match batch {
        Some(batch) => {
            let change = Change::ConsentRecorded {
                customer_id,
                consent,
            };
            book.push(py, &batch, change).map(|()| None)
        }
        None => book
            .try_write(py, |b| b.record_consent(customer_id, consent))
            .map(Some),
    }
}
