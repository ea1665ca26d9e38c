//! JSON text parsed with the GIL released: records and events come in batches of millions
//! of characters, and other Python threads keep running meanwhile.

use crm_core::CrmError;
use pyo3::prelude::*;

use crate::errors::IntoPy;

/// `text` parsed into `T` with the GIL released; a text that does not parse is
/// `crm.ParseError` naming `what` (as [`crate::errors::from_json`]).
pub(crate) fn from_json_released<T>(py: Python<'_>, what: &str, text: &str) -> PyResult<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    crate::panic::released(py, || {
        serde_json::from_str(text).map_err(|e| CrmError::parse(what, e))
    })?
    .py_err()
}
