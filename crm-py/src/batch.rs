//! `with book.batch(): ...` on the native side: the writes made inside the block, collected
//! as crm-core [`Change`]s and handed to `crm_store::Book::apply` when the block ends (all or
//! nothing: one transaction for a stored book).

use std::sync::Mutex;

use crm_core::book::{Change, ChangeOutcome};
use pyo3::prelude::*;

/// Writes collected for one `with book.batch():` block (see `crm.CustomerBook.batch`).
/// Each write is parsed when it is made (a malformed record raises at its line) and
/// validated against the book when the batch is applied, in order.
#[pyclass(module = "crm._crm", frozen)]
#[derive(Default)]
pub(crate) struct Batch {
    changes: Mutex<Vec<Change>>,
}

impl Batch {
    /// Adds a change.
    pub(crate) fn push(&self, change: Change) {
        self.lock().push(change);
    }

    /// The changes collected so far, leaving the batch empty (it is applied once).
    pub(crate) fn take(&self) -> Vec<Change> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Change>> {
        // A push cannot panic half-way; a poisoned lock holds a whole list.
        self.changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[pymethods]
impl Batch {
    #[new]
    fn new() -> Self {
        Batch::default()
    }

    /// How many writes the batch holds.
    fn __len__(&self) -> usize {
        self.lock().len()
    }
}

/// The outcomes of applied changes as JSON: `null` for a change that returns nothing, the
/// count of a `customers_added` / `events_recorded`, the merge record of a `merged`, whether
/// a `consent_recorded` changed the history.
pub(crate) fn outcomes_json(outcomes: &[ChangeOutcome]) -> Result<String, crm_core::CrmError> {
    let values = outcomes
        .iter()
        .map(|o| match o {
            ChangeOutcome::Count(n) => Ok(serde_json::Value::from(*n)),
            ChangeOutcome::Merged(m) => serde_json::to_value(m),
            ChangeOutcome::Changed(c) => Ok(serde_json::Value::from(*c)),
            // `Done` and any outcome a later core adds that carries nothing for Python.
            _ => Ok(serde_json::Value::Null),
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| crm_core::CrmError::serialize("the batch outcomes", e))?;
    serde_json::to_string(&values)
        .map_err(|e| crm_core::CrmError::serialize("the batch outcomes", e))
}
