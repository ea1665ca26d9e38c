//! The customer book as a Python class. Records cross as the JSON forms of crm-core (the
//! Python package turns dicts and keyword arguments into that text).

use crm_core::book::{self, BookConfig, EarlyEvents, SegmentationConfig, ViewOptions};
use crm_core::model::{Customer, Event, Incident};
use crm_core::sample::SampleConfig;

use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{IntoPy, from_json, invalid, json};
use crate::parse::from_json_released;
use crm_core::time::TimeUnit;

/// A customer book (see `crm.CustomerBook`). Not shared between threads without a lock:
/// Python's GIL serialises calls on it, and reads release the GIL only while they run.
#[pyclass(module = "crm._crm")]
pub(crate) struct CustomerBook {
    pub(crate) inner: book::CustomerBook,
}

#[pymethods]
impl CustomerBook {
    #[new]
    #[pyo3(signature = (currency = "TRY", early_events = "reject"))]
    fn new(py: Python<'_>, currency: &str, early_events: &str) -> PyResult<Self> {
        let early_events = match early_events {
            "reject" => EarlyEvents::Reject,
            "accept" => EarlyEvents::Accept,
            other => {
                return Err(invalid(
                    py,
                    "early_events",
                    format_args!("{other:?}"),
                    "use \"reject\" or \"accept\"",
                ));
            }
        };
        let inner = book::CustomerBook::new(BookConfig {
            currency: currency.to_owned(),
            early_events,
        })
        .py_err()?;
        Ok(CustomerBook { inner })
    }

    /// The book's currency.
    #[getter]
    fn currency(&self) -> String {
        self.inner.config().currency.clone()
    }

    /// Number of recorded events.
    #[getter]
    fn event_count(&self) -> usize {
        self.inner.event_count()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, customer_id: u64) -> bool {
        self.inner.contains(customer_id)
    }

    fn add_customer_json(&mut self, py: Python<'_>, text: &str) -> PyResult<()> {
        let customer: Customer = from_json_released(py, "the customer", text)?;
        self.inner.add_customer(customer).py_err()
    }

    fn record_json(&mut self, py: Python<'_>, text: &str) -> PyResult<()> {
        let event: Event = from_json_released(py, "the event", text)?;
        self.inner.record(event).py_err()
    }

    fn add_customers_json(&mut self, py: Python<'_>, text: &str) -> PyResult<usize> {
        let customers: Vec<Customer> = from_json_released(py, "customers", text)?;
        let inner = &mut self.inner;
        crate::panic::released(py, || inner.add_customers(customers))?.py_err()
    }

    fn update_customer_json(&mut self, py: Python<'_>, text: &str) -> PyResult<()> {
        let customer: Customer = from_json_released(py, "the customer", text)?;
        self.inner.update_customer(customer).py_err()
    }

    fn record_events_json(&mut self, py: Python<'_>, text: &str) -> PyResult<usize> {
        let events: Vec<Event> = from_json_released(py, "events", text)?;
        let inner = &mut self.inner;
        crate::panic::released(py, || inner.record_all(events))?.py_err()
    }

    fn add_incident_json(&mut self, py: Python<'_>, text: &str) -> PyResult<()> {
        let incident: Incident = from_json_released(py, "the incident", text)?;
        self.inner.add_incident(incident).py_err()
    }

    fn stats_json(&self) -> PyResult<String> {
        json(&self.inner.stats())
    }

    fn customer_json(&self, customer_id: u64) -> PyResult<Option<String>> {
        self.inner.customer(customer_id).map(json).transpose()
    }

    /// Merges `merged` into `survivor` (profile JSON optional); the merge record as JSON.
    #[pyo3(signature = (survivor, merged, at_us, profile_json = None))]
    fn merge_json(
        &mut self,
        survivor: u64,
        merged: Vec<u64>,
        at_us: i64,
        profile_json: Option<&str>,
    ) -> PyResult<String> {
        let profile: Option<Customer> = match profile_json {
            Some(t) => Some(from_json("the profile", t)?),
            None => None,
        };
        let m = self
            .inner
            .merge(
                survivor,
                &merged,
                profile,
                TimeUnit::Microseconds.instant(at_us),
            )
            .py_err()?;
        json(&m)
    }

    /// The data-quality report of the book's customers as JSON (`today` YYYY-MM-DD).
    fn quality_report_json(&self, py: Python<'_>, today: &str) -> PyResult<String> {
        let today = crate::quality::day(today)?;
        let inner = &self.inner;
        json(&crate::panic::released(py, || inner.quality_report(today))?)
    }

    /// Finds duplicate clusters and merges each into a golden record; JSON of merges and
    /// skipped clusters (or only the clusters with `apply` false).
    #[pyo3(signature = (at_us, apply, config_json = None, rules_json = None))]
    fn merge_duplicates_json(
        &mut self,
        py: Python<'_>,
        at_us: i64,
        apply: bool,
        config_json: Option<&str>,
        rules_json: Option<&str>,
    ) -> PyResult<String> {
        let config: crm_core::quality::DedupConfig = match config_json {
            Some(t) => from_json("the duplicate-detection config", t)?,
            None => Default::default(),
        };
        let rules: crm_core::quality::GoldenRules = match rules_json {
            Some(t) => from_json("the survivorship rules", t)?,
            None => Default::default(),
        };
        let at = TimeUnit::Microseconds.instant(at_us);
        let inner = &mut self.inner;
        let out =
            crate::panic::released(py, || inner.dedupe(&config, &rules, at, apply))?.py_err()?;
        json(&out)
    }

    fn resolve(&self, customer_id: u64) -> Option<u64> {
        self.inner.resolve(customer_id)
    }

    fn merges_json(&self) -> PyResult<String> {
        json(&self.inner.merges())
    }

    fn customer_ids<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray1<u64>> {
        let ids: Vec<u64> = self.inner.customers().map(|c| c.id).collect();
        ids.into_pyarray(py)
    }

    fn view_json(
        &self,
        py: Python<'_>,
        customer_id: u64,
        as_of_us: i64,
        offset: usize,
        limit: usize,
    ) -> PyResult<String> {
        let options =
            ViewOptions::as_of(TimeUnit::Microseconds.instant(as_of_us)).page(offset, limit);
        let inner = &self.inner;
        let view = crate::panic::released(py, || inner.view(customer_id, &options))?.py_err()?;
        json(&view)
    }

    fn features<'py>(&self, py: Python<'py>, as_of_us: i64) -> PyResult<Bound<'py, PyDict>> {
        let inner = &self.inner;
        let f = crate::panic::released(py, || {
            inner.features(TimeUnit::Microseconds.instant(as_of_us))
        })?;
        let d = PyDict::new(py);
        let ints = |v: Vec<u32>| v.into_iter().map(i64::from).collect::<Vec<_>>();
        d.set_item("customer_id", f.customer_id.into_pyarray(py))?;
        d.set_item("recency_days", f.recency_days.into_pyarray(py))?;
        d.set_item("frequency", ints(f.frequency).into_pyarray(py))?;
        d.set_item("monetary", f.monetary.into_pyarray(py))?;
        d.set_item("tenure_days", f.tenure_days.into_pyarray(py))?;
        d.set_item("intensity", f.intensity.into_pyarray(py))?;
        d.set_item("referrals", ints(f.referrals).into_pyarray(py))?;
        d.set_item("referred_buyers", ints(f.referred_buyers).into_pyarray(py))?;
        d.set_item("referral_value", f.referral_value.into_pyarray(py))?;
        d.set_item("co_investment", f.co_investment.into_pyarray(py))?;
        d.set_item("cost_sharing", f.cost_sharing.into_pyarray(py))?;
        d.set_item("complaints_open", ints(f.complaints_open).into_pyarray(py))?;
        d.set_item(
            "complaints_total",
            ints(f.complaints_total).into_pyarray(py),
        )?;
        Ok(d)
    }

    /// Segments the book; returns the result as JSON (without the feature columns).
    #[pyo3(signature = (as_of_us, config_json=None))]
    fn analyse_json(
        &mut self,
        py: Python<'_>,
        as_of_us: i64,
        config_json: Option<&str>,
    ) -> PyResult<String> {
        let config: SegmentationConfig = match config_json {
            Some(text) => from_json("the segmentation config", text)?,
            None => SegmentationConfig::default(),
        };
        let inner = &mut self.inner;
        let s = crate::panic::released(py, || {
            inner.analyse(TimeUnit::Microseconds.instant(as_of_us), &config)
        })?
        .py_err()?;
        json(&s.summary())
    }

    /// Writes a JSON snapshot to `path` atomically (crm_store::save_book).
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let inner = &self.inner;
        crate::panic::released(py, || crm_store::save_book(inner, &path))?.py_err()
    }

    /// Reads a JSON snapshot from `path`.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let inner = crate::panic::released(py, || crm_store::load_book(&path))?.py_err()?;
        Ok(CustomerBook { inner })
    }

    fn __repr__(&self) -> String {
        format!(
            "CustomerBook({} customers, {} events, currency='{}')",
            self.inner.len(),
            self.inner.event_count(),
            self.inner.config().currency
        )
    }
}

/// A generated Turkish SME book: `(book, end of period in µs, duplicates JSON)`.
#[pyfunction]
#[pyo3(signature = (customers, seed=0, mean_purchases=6.0, duplicate_share=0.03))]
pub(crate) fn sample_book(
    py: Python<'_>,
    customers: usize,
    seed: u64,
    mean_purchases: f64,
    duplicate_share: f64,
) -> PyResult<(CustomerBook, i64, String)> {
    let config = SampleConfig::new(customers)
        .seed(seed)
        .mean_purchases(mean_purchases)
        .duplicate_share(duplicate_share);
    let (inner, truth) = crate::panic::released(py, || config.build_book())?.py_err()?;
    Ok((
        CustomerBook { inner },
        config.end().timestamp_micros(),
        json(&truth)?,
    ))
}
