//! Complaint SLA policies: evaluation of a book's complaints or of one complaint's events,
//! and the reports. Results cross as JSON text; the Python package turns them into frames.

use chrono::{DateTime, Utc};
use crm_core::book::Change;
use crm_core::model::Event;
use crm_core::sla::{self, ComplaintTrail, GroupBy, ReportRequest, RetentionAssumptions};
use crm_core::time::TimeUnit;
use pyo3::prelude::*;

use crate::attach::change_or_batch;
use crate::batch::Batch;
use crate::book::CustomerBook;
use crate::errors::{IntoPy, from_json, json};

/// An ordered list of SLA policies (see `crm.SlaPolicy`). Immutable.
#[pyclass(module = "crm._crm", frozen)]
pub(crate) struct SlaPolicy {
    pub(crate) inner: sla::SlaPolicies,
}

fn at(us: i64) -> DateTime<Utc> {
    TimeUnit::Microseconds.instant(us)
}

#[pymethods]
impl SlaPolicy {
    /// Policies from their JSON form (one policy, a list, or `{"policies": [...]}`).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(SlaPolicy {
            inner: sla::SlaPolicies::from_json(text).py_err()?,
        })
    }

    /// The JSON form.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// One complaint's events (JSON list) evaluated as of `now_us`; JSON or None.
    #[pyo3(signature = (events_json, now_us, tier = None))]
    fn evaluate_events_json(
        &self,
        events_json: &str,
        now_us: i64,
        tier: Option<&str>,
    ) -> PyResult<Option<String>> {
        let events: Vec<Event> = from_json("the complaint events", events_json)?;
        let trail = ComplaintTrail::from_events(&events, tier).py_err()?;
        self.inner
            .evaluate(&trail, at(now_us))
            .py_err()?
            .map(|s| json(&s))
            .transpose()
    }

    /// The book's complaints (open ones only, or all opened by then) as of `now_us`.
    fn evaluate_book_json(
        &self,
        py: Python<'_>,
        book: PyRef<'_, CustomerBook>,
        now_us: i64,
        open_only: bool,
    ) -> PyResult<String> {
        let p = &self.inner;
        let out = book.try_read(py, |b| b.evaluate_sla(p, at(now_us), open_only))?;
        json(&out)
    }

    /// Compliance by `by`, the customer-error share and expected retention over the
    /// complaints opened in `[from_us, to_us)`, evaluated as of `now_us`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (book, now_us, from_us, to_us, by, assumptions_json, retention_cost))]
    fn report_json(
        &self,
        py: Python<'_>,
        book: PyRef<'_, CustomerBook>,
        now_us: i64,
        from_us: i64,
        to_us: i64,
        by: &str,
        assumptions_json: Option<&str>,
        retention_cost: f64,
    ) -> PyResult<String> {
        let by: GroupBy = by.parse().py_err()?;
        let assumptions: RetentionAssumptions = match assumptions_json {
            Some(t) => from_json("the retention assumptions", t)?,
            None => RetentionAssumptions::default(),
        };
        let request = ReportRequest {
            from: at(from_us),
            to: at(to_us),
            by,
            assumptions,
            retention_cost,
        };
        let p = &self.inner;
        let report = book.try_read(py, |b| b.sla_report(p, at(now_us), &request))?;
        json(&report)
    }

    /// Attaches these policies to a book (its views then show SLA states); inside a batch,
    /// when the batch is applied.
    #[pyo3(signature = (book, batch = None))]
    fn attach(
        &self,
        py: Python<'_>,
        book: PyRef<'_, CustomerBook>,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<()> {
        let policies = Some(self.inner.clone());
        let change = Change::SlaPoliciesSet {
            policies: policies.clone(),
        };
        change_or_batch(py, &book, batch, change, |b| b.set_sla_policies(policies))
    }
}

/// Detaches SLA policies from a book (inside a batch, when the batch is applied).
#[pyfunction]
#[pyo3(signature = (book, batch = None))]
pub(crate) fn detach_sla_policy(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    batch: Option<PyRef<'_, Batch>>,
) -> PyResult<()> {
    let change = Change::SlaPoliciesSet { policies: None };
    change_or_batch(py, &book, batch, change, |b| b.set_sla_policies(None))
}
