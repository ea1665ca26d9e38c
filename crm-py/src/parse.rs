//! JSON text parsed with the GIL released: records and events come in batches of millions
//! of characters, and other Python threads keep running meanwhile.

use pyo3::prelude::*;

use crate::errors::IntoPy;

/// `text` parsed into `T` with the GIL released; a text that does not parse is
/// `crm.ParseError` naming `what` (as [`crate::errors::from_json`]).
pub(crate) fn from_json_released<T>(py: Python<'_>, what: &str, text: &str) -> PyResult<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    crate::panic::released(py, || crm_core::json::parse(what, text))?.py_err()
}
