//! Finding a customer (`crm_core::book::CustomerBook::find`): the lookup JSON in, the
//! matches JSON out; `crm.CustomerBook.find` builds the one and reads the other.

use crm_core::book::Lookup;
use pyo3::prelude::*;

use crate::book::CustomerBook;
use crate::errors::{from_json, json};

/// The customers a lookup (`Lookup` JSON) finds, best first: JSON list of
/// `{"customer_id", "score", "matched_on"}`.
#[pyfunction]
pub(crate) fn book_find_json(
    py: Python<'_>,
    book: PyRef<'_, CustomerBook>,
    lookup_json: &str,
) -> PyResult<String> {
    let lookup: Lookup = from_json("the lookup", lookup_json)?;
    json(&book.try_read(py, |b| b.find(&lookup))?)
}
