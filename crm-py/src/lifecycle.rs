//! Lifecycle policies: stages of a book's customers or of fact columns, histories, the
//! funnel report and churn reasons.

use crm_core::book::Change;
use crm_core::lifecycle::{self, Stage, StageColumns};
use crm_core::time::TimeUnit;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::attach::change_or_batch;
use crate::batch::Batch;
use crate::book::CustomerBook;
use crate::columns::slice;
use crate::errors::{IntoPy, invalid, json};

/// Lifecycle rules (see `crm.LifecyclePolicy`). Immutable.
#[pyclass(module = "crm._crm", frozen)]
pub(crate) struct LifecyclePolicy {
    inner: lifecycle::LifecyclePolicy,
}

fn at(us: i64) -> chrono::DateTime<chrono::Utc> {
    TimeUnit::Microseconds.instant(us)
}

/// Customer ids and their stage codes.
type IdsAndCodes<'py> = (Bound<'py, PyArray1<u64>>, Bound<'py, PyArray1<u8>>);

fn codes(stages: Vec<Stage>) -> Vec<u8> {
    stages.into_iter().map(|s| s.index() as u8).collect()
}

#[pymethods]
impl LifecyclePolicy {
    /// Rules from their JSON form.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(LifecyclePolicy {
            inner: lifecycle::LifecyclePolicy::from_json(text).py_err()?,
        })
    }

    /// The JSON form.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The stage names in code order.
    #[staticmethod]
    fn stage_names() -> Vec<&'static str> {
        Stage::ALL.iter().map(|s| s.name()).collect()
    }

    /// The next action for a stage name.
    fn next_action(&self, py: Python<'_>, stage: &str) -> PyResult<String> {
        let s = Stage::ALL
            .into_iter()
            .find(|s| s.name() == stage)
            .ok_or_else(|| {
                invalid(
                    py,
                    "stage",
                    format_args!("{stage:?}"),
                    format_args!("use one of {:?}", Self::stage_names()),
                )
            })?;
        Ok(self.inner.next_action(s).to_owned())
    }

    /// Stage codes of fact columns.
    #[allow(clippy::too_many_arguments)]
    fn classify_columns<'py>(
        &self,
        py: Python<'py>,
        purchases: PyReadonlyArray1<'py, u32>,
        days_since_first: PyReadonlyArray1<'py, f64>,
        days_since_last: PyReadonlyArray1<'py, f64>,
        median_gap_days: PyReadonlyArray1<'py, f64>,
        categories: PyReadonlyArray1<'py, u32>,
        upsold: PyReadonlyArray1<'py, u8>,
        recent_purchases: PyReadonlyArray1<'py, u32>,
        reactivated: PyReadonlyArray1<'py, u8>,
        churn_recorded: PyReadonlyArray1<'py, u8>,
        overdue_complaint: PyReadonlyArray1<'py, u8>,
    ) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let c = StageColumns {
            purchases: slice(py, &purchases, "purchases")?,
            days_since_first: slice(py, &days_since_first, "days_since_first")?,
            days_since_last: slice(py, &days_since_last, "days_since_last")?,
            median_gap_days: slice(py, &median_gap_days, "median_gap_days")?,
            categories: slice(py, &categories, "categories")?,
            upsold: slice(py, &upsold, "upsold")?,
            recent_purchases: slice(py, &recent_purchases, "recent_purchases")?,
            reactivated: slice(py, &reactivated, "reactivated")?,
            churn_recorded: slice(py, &churn_recorded, "churn_recorded")?,
            overdue_complaint: slice(py, &overdue_complaint, "overdue_complaint")?,
        };
        let p = &self.inner;
        let stages = crate::panic::released(py, || lifecycle::classify_columns(p, &c))?.py_err()?;
        Ok(codes(stages).into_pyarray(py))
    }

    /// (customer ids, stage codes) of a book as of `as_of_us`.
    fn classify_book<'py>(
        &self,
        py: Python<'py>,
        book: PyRef<'_, CustomerBook>,
        as_of_us: i64,
    ) -> PyResult<IdsAndCodes<'py>> {
        let p = &self.inner;
        let s = book.try_read(py, |b| b.stages(p, at(as_of_us)))?;
        Ok((
            s.customer_id.into_pyarray(py),
            codes(s.stage).into_pyarray(py),
        ))
    }

    /// The stage facts of a book's customers as a dict of columns.
    fn facts_book<'py>(
        &self,
        py: Python<'py>,
        book: PyRef<'_, CustomerBook>,
        as_of_us: i64,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let p = &self.inner;
        let f = book.try_read(py, |b| b.stage_facts(p, at(as_of_us)))?;
        facts_dict(py, f)
    }

    /// (facts, stage codes) of every customer of transaction columns as of `as_of` (ticks
    /// of `unit`); see `crm.lifecycle_stages`.
    #[pyo3(signature = (customer_id, timestamp, unit, amount, as_of))]
    fn classify_transactions<'py>(
        &self,
        py: Python<'py>,
        customer_id: PyReadonlyArray1<'py, u64>,
        timestamp: PyReadonlyArray1<'py, i64>,
        unit: &str,
        amount: &Bound<'py, PyAny>,
        as_of: i64,
    ) -> PyResult<(Bound<'py, pyo3::types::PyDict>, Bound<'py, PyArray1<u8>>)> {
        let unit = crate::columns::unit(py, unit)?;
        let amount = crate::columns::amounts(py, amount)?;
        let p = &self.inner;
        let as_of = unit.instant(as_of);
        let s = crate::columns::with_columns(py, &customer_id, &timestamp, unit, &amount, |c| {
            lifecycle::stages_from_transactions(p, c, as_of)
        })?
        .py_err()?;
        Ok((facts_dict(py, s.facts)?, codes(s.stage).into_pyarray(py)))
    }

    /// One customer's stage history as JSON.
    fn history_json(
        &self,
        py: Python<'_>,
        book: PyRef<'_, CustomerBook>,
        customer_id: u64,
        as_of_us: i64,
    ) -> PyResult<String> {
        let p = &self.inner;
        let h = book.try_read(py, |b| b.stage_history(customer_id, p, at(as_of_us)))?;
        json(&h)
    }

    /// The funnel report over `[from_us, to_us)` as JSON.
    fn report_json(
        &self,
        py: Python<'_>,
        book: PyRef<'_, CustomerBook>,
        from_us: i64,
        to_us: i64,
    ) -> PyResult<String> {
        let p = &self.inner;
        let r = book.try_read(py, |b| b.lifecycle_report(p, at(from_us), at(to_us)))?;
        json(&r)
    }

    /// Churn reasons of the customers churned as of `as_of_us`, as JSON.
    fn churn_reasons_json(
        &self,
        py: Python<'_>,
        book: PyRef<'_, CustomerBook>,
        as_of_us: i64,
    ) -> PyResult<String> {
        let p = &self.inner;
        let r = book.try_read(py, |b| b.churn_reasons(p, at(as_of_us)))?;
        json(&r)
    }

    /// Attaches the policy to a book (its views then show the stage); inside a batch, when
    /// the batch is applied.
    #[pyo3(signature = (book, batch = None))]
    fn attach(
        &self,
        py: Python<'_>,
        book: PyRef<'_, CustomerBook>,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<()> {
        let policy = Some(self.inner.clone());
        let change = Change::LifecyclePolicySet {
            policy: policy.clone(),
        };
        change_or_batch(py, &book, batch, change, |b| b.set_lifecycle_policy(policy))
    }
}

/// Stage facts as a dict of columns.
fn facts_dict(
    py: Python<'_>,
    f: lifecycle::StageFactColumns,
) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let d = pyo3::types::PyDict::new(py);
    d.set_item("customer_id", f.customer_id.into_pyarray(py))?;
    d.set_item("purchases", f.purchases.into_pyarray(py))?;
    d.set_item("days_since_first", f.days_since_first.into_pyarray(py))?;
    d.set_item("days_since_last", f.days_since_last.into_pyarray(py))?;
    d.set_item("median_gap_days", f.median_gap_days.into_pyarray(py))?;
    d.set_item("categories", f.categories.into_pyarray(py))?;
    d.set_item("upsold", f.upsold.into_pyarray(py))?;
    d.set_item("recent_purchases", f.recent_purchases.into_pyarray(py))?;
    d.set_item("reactivated", f.reactivated.into_pyarray(py))?;
    d.set_item("churn_recorded", f.churn_recorded.into_pyarray(py))?;
    d.set_item("overdue_complaint", f.overdue_complaint.into_pyarray(py))?;
    Ok(d)
}

/// Detaches the lifecycle policy from a book (inside a batch, when the batch is applied).
#[pyfunction]
#[pyo3(signature = (book, batch = None))]
pub(crate) fn detach_lifecycle_policy(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    batch: Option<PyRef<'_, Batch>>,
) -> PyResult<()> {
    let change = Change::LifecyclePolicySet { policy: None };
    change_or_batch(py, &book, batch, change, |b| b.set_lifecycle_policy(None))
}
