//! The customer book as a Python class. Records cross as the JSON forms of crm-core (the
//! Python package turns dicts and keyword arguments into that text).
//!
//! The class holds a [`crm_store::Book`]: a book in memory (`crm.CustomerBook("TRY")`) or
//! one kept in a store (`crm.CustomerBook.open(path)`). Every write goes through `Book`'s
//! write API (or `Book::apply` for a batch), so no rule lives here: this file converts,
//! locks and calls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crm_core::book::{
    self, BookConfig, Change, DedupeOutcome, EarlyEvents, OnDuplicate, SegmentationConfig,
    ViewOptions,
};
use crm_core::model::{Customer, Event, Incident};
use crm_core::sample::SampleConfig;
use crm_core::{CrmError, ErrorKind};
use crm_store::{Book, StoreOptions};

use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::batch::Batch;
use crate::errors::{IntoPy, from_json, invalid, json};
use crate::parse::from_json_released;
use crm_core::time::TimeUnit;

/// What a checked add returns to Python: the id filed under, the candidates as
/// `(customer_id, probability)` best first, and whether it was merged.
type CheckedAddOut = (u64, Vec<(u64, f64)>, bool);

/// A customer book (see `crm.CustomerBook`), safe to share between threads: the book sits
/// behind a reader-writer lock. Readers share it, writers wait for it (never fail), and
/// every wait happens with the GIL released. Python inputs are converted to Rust values
/// before the lock is taken and outputs built after it is released, so no thread holds the
/// lock while it needs the GIL (no deadlock with a thread holding the GIL and waiting for
/// the lock).
///
/// The lock holds `None` once the book is closed: every later call raises
/// `crm.ConflictError` ("the book … is closed"), never touches freed memory.
#[pyclass(module = "crm._crm", frozen)]
pub(crate) struct CustomerBook {
    book: RwLock<Option<Book>>,
    /// Where the store lives (`None` in memory), kept for the messages after `close`.
    location: Option<String>,
    /// Tickets of `analyse` calls, in the order they read the book.
    analyses: AtomicU64,
    /// The ticket of the analysis the book keeps (changed under the write lock only).
    kept_analysis: AtomicU64,
}

/// The duplicate-detection config of its JSON, core's default for `None`.
fn dedup_config(config_json: Option<&str>) -> PyResult<crm_core::quality::DedupConfig> {
    match config_json {
        Some(t) => from_json("the duplicate-detection config", t),
        None => Ok(Default::default()),
    }
}

/// The error for a lock poisoned by a panic while a thread held it for writing.
fn poisoned() -> CrmError {
    CrmError::new(
        ErrorKind::Conflict,
        Some("book"),
        "the book is unusable: an earlier call panicked while changing it",
    )
}

impl CustomerBook {
    /// Wraps a book.
    pub(crate) fn from_book(inner: impl Into<Book>) -> Self {
        let inner = inner.into();
        CustomerBook {
            location: inner.location(),
            book: RwLock::new(Some(inner)),
            analyses: AtomicU64::new(0),
            kept_analysis: AtomicU64::new(0),
        }
    }

    /// The error of a call on a closed book.
    fn closed_error(&self) -> CrmError {
        let what = match &self.location {
            Some(l) => format!("the book at {l} is closed"),
            None => "the book is closed".to_owned(),
        };
        CrmError::new(
            ErrorKind::Conflict,
            Some("book"),
            format!("{what}: open it again to use it"),
        )
    }

    fn read_lock(&self) -> Result<RwLockReadGuard<'_, Option<Book>>, CrmError> {
        self.book.read().map_err(|_| poisoned())
    }

    fn write_lock(&self) -> Result<RwLockWriteGuard<'_, Option<Book>>, CrmError> {
        self.book.write().map_err(|_| poisoned())
    }

    /// `f` on the open book under the read lock (the caller releases the GIL).
    fn with_read<R>(&self, f: impl FnOnce(&Book) -> Result<R, CrmError>) -> Result<R, CrmError> {
        let guard = self.read_lock()?;
        f(guard.as_ref().ok_or_else(|| self.closed_error())?)
    }

    /// Runs `f` on the book under the read lock, waiting for it and running with the GIL
    /// released. `f` gets no Python object: it cannot need the GIL.
    pub(crate) fn read<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&book::CustomerBook) -> R + Send,
    ) -> PyResult<R> {
        crate::panic::released(py, || self.with_read(|b| Ok(f(b))))?.py_err()
    }

    /// [`CustomerBook::read`] for a fallible `f`.
    pub(crate) fn try_read<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&book::CustomerBook) -> Result<R, CrmError> + Send,
    ) -> PyResult<R> {
        crate::panic::released(py, || self.with_read(|b| f(b)))?.py_err()
    }

    /// [`CustomerBook::try_read`] with the whole [`Book`] (its store calls).
    fn try_read_book<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Book) -> Result<R, CrmError> + Send,
    ) -> PyResult<R> {
        crate::panic::released(py, || self.with_read(f))?.py_err()
    }

    /// Runs `f` on the book under the write lock (exclusive), as [`CustomerBook::read`].
    /// Every write of the skin goes through here, to `Book`'s write API.
    pub(crate) fn try_write<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Book) -> Result<R, CrmError> + Send,
    ) -> PyResult<R> {
        crate::panic::released(py, || {
            let mut guard = self.write_lock()?;
            f(guard.as_mut().ok_or_else(|| self.closed_error())?)
        })?
        .py_err()
    }

    /// Adds `change` to `batch` (a write inside `with book.batch():`): it is validated and
    /// written when the batch is applied. A closed book refuses it at once.
    pub(crate) fn push(&self, py: Python<'_>, batch: &Batch, change: Change) -> PyResult<()> {
        self.try_read(py, |_| Ok(()))?;
        batch.push(change);
        Ok(())
    }
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
        Ok(CustomerBook::from_book(inner))
    }

    /// The book's currency.
    #[getter]
    fn currency(&self, py: Python<'_>) -> PyResult<String> {
        self.read(py, |b| b.config().currency.clone())
    }

    /// Number of recorded events.
    #[getter]
    fn event_count(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, book::CustomerBook::event_count)
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, book::CustomerBook::len)
    }

    fn __contains__(&self, py: Python<'_>, customer_id: u64) -> PyResult<bool> {
        self.read(py, |b| b.contains(customer_id))
    }

    #[pyo3(signature = (text, batch = None))]
    fn add_customer_json(
        &self,
        py: Python<'_>,
        text: &str,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<()> {
        let customer: Customer = from_json_released(py, "the customer", text)?;
        match batch {
            Some(batch) => self.push(py, &batch, Change::CustomerAdded { customer }),
            None => self.try_write(py, |b| b.add_customer(customer)),
        }
    }

    /// Adds a customer with a policy for likely duplicates (`on_duplicate` "allow",
    /// "reject" or "merge", core's `OnDuplicate::parse` and `add_customer_checked`): the id
    /// the customer is filed under, the candidates found as `(customer_id, probability)`
    /// best first, and whether it was merged (core's `CheckedAdd`). A checked add reads the book, so it
    /// cannot wait for a batch (the plain add is `add_customer_json`).
    #[pyo3(signature = (text, on_duplicate, at_us, config_json = None, batch = None))]
    fn add_customer_checked_json(
        &self,
        py: Python<'_>,
        text: &str,
        on_duplicate: &str,
        at_us: i64,
        config_json: Option<&str>,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<CheckedAddOut> {
        let policy = OnDuplicate::parse(on_duplicate).py_err()?;
        if batch.is_some() {
            return Err(crate::errors::to_py_in(
                py,
                CrmError::conflict(
                    "on_duplicate",
                    format_args!("{on_duplicate:?}"),
                    "a checked add reads the book, so it cannot wait for the batch (add it \
                     before or after the block)",
                ),
            ));
        }
        let customer: Customer = from_json_released(py, "the customer", text)?;
        let config = dedup_config(config_json)?;
        let at = TimeUnit::Microseconds.instant(at_us);
        let done = self.try_write(py, |b| {
            b.add_customer_checked(customer, &config, policy, at)
        })?;
        let candidates = done
            .matches
            .iter()
            .map(|m| (m.customer_id, m.probability))
            .collect();
        Ok((done.customer_id, candidates, done.merged.is_some()))
    }

    /// The customers of the book a profile (customer JSON) likely duplicates, best first:
    /// JSON list of `{"customer_id", "probability", "evidence": [{"field", "level",
    /// "weight"}]}` (`CustomerBook::find_matches`).
    #[pyo3(signature = (text, config_json = None))]
    fn find_matches_json(
        &self,
        py: Python<'_>,
        text: &str,
        config_json: Option<&str>,
    ) -> PyResult<String> {
        let customer: Customer = from_json_released(py, "the customer", text)?;
        let config = dedup_config(config_json)?;
        json(&self.try_read(py, |b| b.find_matches(&customer, &config))?)
    }

    #[pyo3(signature = (text, batch = None))]
    fn record_json(
        &self,
        py: Python<'_>,
        text: &str,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<()> {
        let event: Event = from_json_released(py, "the event", text)?;
        match batch {
            Some(batch) => self.push(py, &batch, Change::EventRecorded { event }),
            None => self.try_write(py, |b| b.record(event)),
        }
    }

    #[pyo3(signature = (text, batch = None))]
    fn add_customers_json(
        &self,
        py: Python<'_>,
        text: &str,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<usize> {
        let customers: Vec<Customer> = from_json_released(py, "customers", text)?;
        match batch {
            Some(batch) => {
                let n = customers.len();
                self.push(py, &batch, Change::CustomersAdded { customers })?;
                Ok(n)
            }
            None => self.try_write(py, |b| b.add_customers(customers)),
        }
    }

    #[pyo3(signature = (text, batch = None))]
    fn update_customer_json(
        &self,
        py: Python<'_>,
        text: &str,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<()> {
        let customer: Customer = from_json_released(py, "the customer", text)?;
        match batch {
            Some(batch) => self.push(py, &batch, Change::CustomerUpdated { customer }),
            None => self.try_write(py, |b| b.update_customer(customer)),
        }
    }

    #[pyo3(signature = (text, batch = None))]
    fn record_events_json(
        &self,
        py: Python<'_>,
        text: &str,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<usize> {
        let events: Vec<Event> = from_json_released(py, "events", text)?;
        match batch {
            Some(batch) => {
                let n = events.len();
                self.push(py, &batch, Change::EventsRecorded { events })?;
                Ok(n)
            }
            None => self.try_write(py, |b| b.record_all(events)),
        }
    }

    #[pyo3(signature = (text, batch = None))]
    fn add_incident_json(
        &self,
        py: Python<'_>,
        text: &str,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<()> {
        let incident: Incident = from_json_released(py, "the incident", text)?;
        match batch {
            Some(batch) => self.push(py, &batch, Change::IncidentAdded { incident }),
            None => self.try_write(py, |b| b.add_incident(incident)),
        }
    }

    fn stats_json(&self, py: Python<'_>) -> PyResult<String> {
        json(&self.read(py, book::CustomerBook::stats)?)
    }

    fn customer_json(&self, py: Python<'_>, customer_id: u64) -> PyResult<Option<String>> {
        self.read(py, |b| b.customer(customer_id).cloned())?
            .as_ref()
            .map(json)
            .transpose()
    }

    /// Merges `merged` into `survivor` (profile JSON optional); the merge record as JSON
    /// (`None` inside a batch: the merge is made when the batch is applied).
    #[pyo3(signature = (survivor, merged, at_us, profile_json = None, batch = None))]
    fn merge_json(
        &self,
        py: Python<'_>,
        survivor: u64,
        merged: Vec<u64>,
        at_us: i64,
        profile_json: Option<&str>,
        batch: Option<PyRef<'_, Batch>>,
    ) -> PyResult<Option<String>> {
        let profile: Option<Customer> = match profile_json {
            Some(t) => Some(from_json("the profile", t)?),
            None => None,
        };
        let at = TimeUnit::Microseconds.instant(at_us);
        if let Some(batch) = batch {
            let change = Change::Merged {
                survivor,
                merged,
                profile,
                at,
            };
            self.push(py, &batch, change)?;
            return Ok(None);
        }
        let m = self.try_write(py, |b| b.merge(survivor, &merged, profile, at))?;
        json(&m).map(Some)
    }

    /// The data-quality report of the book's customers as JSON (`today` YYYY-MM-DD;
    /// `country` ISO 3166-1 alpha-2, `None` for core's default).
    #[pyo3(signature = (today, country = None))]
    fn quality_report_json(
        &self,
        py: Python<'_>,
        today: &str,
        country: Option<&str>,
    ) -> PyResult<String> {
        let today = crate::quality::day(today)?;
        let country = crate::quality::country_of(country)?;
        json(&self.read(py, |b| b.quality_report_in(today, country))?)
    }

    /// Finds duplicate clusters and merges each into a golden record; JSON of merges and
    /// skipped clusters (or only the clusters with `apply` false: a read, under the shared
    /// lock).
    #[pyo3(signature = (at_us, apply, config_json = None, rules_json = None))]
    fn merge_duplicates_json(
        &self,
        py: Python<'_>,
        at_us: i64,
        apply: bool,
        config_json: Option<&str>,
        rules_json: Option<&str>,
    ) -> PyResult<String> {
        let config = dedup_config(config_json)?;
        let rules: crm_core::quality::GoldenRules = match rules_json {
            Some(t) => from_json("the survivorship rules", t)?,
            None => Default::default(),
        };
        let at = TimeUnit::Microseconds.instant(at_us);
        let out = if apply {
            self.try_write(py, |b| b.dedupe(&config, &rules, at, true))?
        } else {
            // What `dedupe(.., apply = false)` returns, found under the shared lock.
            let clusters = self.try_read(py, |b| b.find_duplicates(&config))?;
            DedupeOutcome {
                clusters,
                merges: None,
                skipped: None,
            }
        };
        json(&out)
    }

    fn resolve(&self, py: Python<'_>, customer_id: u64) -> PyResult<Option<u64>> {
        self.read(py, |b| b.resolve(customer_id))
    }

    fn merges_json(&self, py: Python<'_>) -> PyResult<String> {
        json(&self.read(py, |b| b.merges().to_vec())?)
    }

    fn customer_ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, numpy::PyArray1<u64>>> {
        let ids: Vec<u64> = self.read(py, |b| b.customers().map(|c| c.id).collect())?;
        Ok(ids.into_pyarray(py))
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
        let view = self.try_read(py, |b| b.view(customer_id, &options))?;
        json(&view)
    }

    fn features<'py>(&self, py: Python<'py>, as_of_us: i64) -> PyResult<Bound<'py, PyDict>> {
        let f = self.read(py, |b| b.features(TimeUnit::Microseconds.instant(as_of_us)))?;
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

    /// Segments the book; returns the result as JSON (without the feature columns). The
    /// work is a read (shared lock); keeping the result for the views takes the write lock
    /// briefly, and an analysis that read the book before another one already kept is not
    /// kept over it.
    #[pyo3(signature = (as_of_us, config_json=None))]
    fn analyse_json(
        &self,
        py: Python<'_>,
        as_of_us: i64,
        config_json: Option<&str>,
    ) -> PyResult<String> {
        let config: SegmentationConfig = match config_json {
            Some(text) => from_json("the segmentation config", text)?,
            None => SegmentationConfig::default(),
        };
        let as_of = TimeUnit::Microseconds.instant(as_of_us);
        let (ticket, s) = self.try_read(py, |b| {
            let ticket = self.analyses.fetch_add(1, Ordering::SeqCst) + 1;
            Ok((ticket, b.segment(as_of, &config)?))
        })?;
        self.try_write(py, |b| {
            if ticket > self.kept_analysis.load(Ordering::SeqCst) {
                self.kept_analysis.store(ticket, Ordering::SeqCst);
                b.keep_segmentation(std::sync::Arc::clone(&s));
            }
            Ok(())
        })?;
        json(&s.summary())
    }

    /// Writes a JSON snapshot to `path` atomically (crm_store::save_book), from a consistent
    /// copy of the book taken under the shared lock: writers wait only for the copy, not for
    /// the serialisation, the write and the fsyncs.
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let copy = self.read(py, book::CustomerBook::clone)?;
        crate::panic::released(py, || crm_store::save_book(&copy, &path))?.py_err()
    }

    /// Reads a JSON snapshot from `path`.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let inner = crate::panic::released(py, || crm_store::load_book(&path))?.py_err()?;
        Ok(CustomerBook::from_book(inner))
    }

    /// Opens (or creates) the book stored at `location` (`crm_store::open`); the options
    /// in `StoreOptions`' JSON form.
    #[staticmethod]
    #[pyo3(signature = (location, options_json = None))]
    fn open(
        py: Python<'_>,
        location: std::path::PathBuf,
        options_json: Option<&str>,
    ) -> PyResult<Self> {
        let options = match options_json {
            Some(t) => StoreOptions::from_json(t).py_err()?,
            None => StoreOptions::default(),
        };
        let inner = crate::panic::released(py, || Book::open(&location, &options))?.py_err()?;
        Ok(CustomerBook::from_book(inner))
    }

    /// Replays the changes others committed since the cursor; how many.
    fn refresh(&self, py: Python<'_>) -> PyResult<usize> {
        self.try_write(py, Book::refresh)
    }

    /// Up to `limit` (all with `None`) committed changes after `since` as a JSON list of
    /// change records, and the cursor to continue from.
    #[pyo3(signature = (since = 0, limit = None))]
    fn changes_json(
        &self,
        py: Python<'_>,
        since: u64,
        limit: Option<usize>,
    ) -> PyResult<(String, u64)> {
        let (records, next) =
            self.try_read_book(py, |b| b.changes(since, limit.unwrap_or(usize::MAX)))?;
        let text = crate::panic::released(py, || {
            serde_json::to_string(&records).map_err(|e| CrmError::serialize("the changes", e))
        })?
        .py_err()?;
        Ok((text, next))
    }

    /// Copies the store to a new file at `path` (SQLite's online backup).
    fn backup(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        self.try_read_book(py, |b| b.backup(&path))
    }

    /// Writes the JSON snapshot at `path` into this empty store, as one transaction.
    fn import_snapshot(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let snapshot = crate::panic::released(py, || crm_store::load_book(&path))?.py_err()?;
        self.try_write(py, |b| b.import(&snapshot))
    }

    /// Applies the writes collected in `batch` all or nothing (`Book::apply`: one
    /// transaction for a stored book); the outcomes as JSON, one per write.
    fn apply_batch(&self, py: Python<'_>, batch: PyRef<'_, Batch>) -> PyResult<String> {
        let changes = batch.take();
        let outcomes = self.try_write(py, |b| b.apply(&changes))?;
        crate::batch::outcomes_json(&outcomes).py_err()
    }

    /// Closes the book (a stored book's connection is closed; every write had been
    /// committed). Closing a closed book does nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        crate::panic::released(py, || {
            let taken = self.write_lock()?.take();
            taken.map_or(Ok(()), Book::close)
        })?
        .py_err()
    }

    /// Whether the book is closed.
    #[getter]
    fn closed(&self, py: Python<'_>) -> PyResult<bool> {
        crate::panic::released(py, || self.read_lock().map(|g| g.is_none()))?.py_err()
    }

    /// Where the store lives (`None` in memory).
    #[getter]
    fn location(&self) -> Option<String> {
        self.location.clone()
    }

    /// The sequence number of the last change applied (0 in memory).
    #[getter]
    fn cursor(&self, py: Python<'_>) -> PyResult<u64> {
        self.try_read_book(py, |b| Ok(b.cursor()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        if self.closed(py)? {
            return Ok(match &self.location {
                Some(l) => format!("CustomerBook(closed, location={l:?})"),
                None => "CustomerBook(closed)".to_owned(),
            });
        }
        let at = self
            .location
            .as_ref()
            .map(|l| format!(", location={l:?}"))
            .unwrap_or_default();
        self.read(py, |b| {
            format!(
                "CustomerBook({} customers, {} events, currency='{}'{at})",
                b.len(),
                b.event_count(),
                b.config().currency
            )
        })
    }
}

/// A generated Turkish SME book: `(book, end of period in µs, duplicates JSON)`;
/// `corruption` is `"light"` or `"heavy"` (parsed by core).
#[pyfunction]
#[pyo3(signature = (customers, seed=0, mean_purchases=6.0, duplicate_share=0.03, corruption="light"))]
pub(crate) fn sample_book(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    seed: u64,
    mean_purchases: f64,
    duplicate_share: f64,
    corruption: &str,
) -> PyResult<(CustomerBook, i64, String)> {
    let corruption: crm_core::sample::Corruption = corruption.parse().py_err()?;
    let config = SampleConfig::new(crate::counts::count_usize(customers, "customers")?)
        .seed(seed)
        .mean_purchases(mean_purchases)
        .duplicate_share(duplicate_share)
        .corruption(corruption);
    let (inner, truth) = crate::panic::released(py, || config.build_book())?.py_err()?;
    Ok((
        CustomerBook::from_book(inner),
        config.end().timestamp_micros(),
        json(&truth)?,
    ))
}
