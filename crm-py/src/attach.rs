//! Attaching configuration to a book: now, or inside a batch when the batch is applied.
//! One helper for every `attach`/`detach` entry point, so they cannot drift apart.

use crm_core::CrmError;
use crm_core::book::Change;
use crm_store::Book;
use pyo3::prelude::*;

use crate::batch::Batch;
use crate::book::CustomerBook;

/// Queues `change` in `batch` when there is one; otherwise runs `now` on the book under its
/// write lock.
pub(crate) fn change_or_batch(
    py: Python<'_>,
    book: &CustomerBook,
    batch: Option<PyRef<'_, Batch>>,
    change: Change,
    now: impl FnOnce(&mut Book) -> Result<(), CrmError> + Send,
) -> PyResult<()> {
    match batch {
        Some(batch) => book.push(py, &batch, change),
        None => book.try_write(py, now),
    }
}
