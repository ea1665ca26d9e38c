//! The retention worklist for Python, as JSON (`CustomerBook::worklist`).

use crm_core::worklist::WorklistOptions;
use pyo3::prelude::*;

use crate::book::CustomerBook;
use crate::campaign::with_at;
use crate::errors::{IntoPy, json};

/// The day's worklist (JSON) as of `at_us` (microseconds since the epoch); `options_json` is
/// the options without `at`.
#[pyfunction]
pub(crate) fn worklist_json(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    options_json: &str,
    at_us: i64,
) -> PyResult<String> {
    let options: WorklistOptions = with_at(options_json, at_us, "the worklist options")?;
    options.validate().py_err()?;
    json(&book.try_read(py, |b| b.worklist(&options))?)
}
