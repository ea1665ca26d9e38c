//! crm-core errors as Python exceptions.
//!
//! The exception classes are defined in `crm/errors.py` (they need multiple inheritance:
//! `InvalidInputError(CrmError, ValueError)`), and this is the one place that maps every
//! error kind to its class.

use crm_core::{CrmError, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// The Python exception for a crm-core error.
pub(crate) fn to_py(e: CrmError) -> PyErr {
    // Exhaustive on purpose: a new kind must be mapped here before the crate builds again.
    let class = match e.kind() {
        ErrorKind::InvalidInput => "InvalidInputError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::Duplicate => "DuplicateError",
        ErrorKind::Conflict => "ConflictError",
        ErrorKind::Parse => "ParseError",
        ErrorKind::UnsupportedVersion => "UnsupportedVersionError",
        ErrorKind::Io => "CrmIOError",
        _ => "CrmError",
    };
    Python::attach(|py| raise(py, class, e.message(), e.field()))
}

/// An instance of `crm.errors.<class>(message)` with its `field` set.
pub(crate) fn raise(py: Python<'_>, class: &str, message: &str, field: Option<&str>) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let module = py.import("crm.errors")?;
        let ty = module.getattr(class)?.cast_into::<PyType>()?;
        let err = PyErr::from_type(ty, (message.to_owned(),));
        err.value(py).setattr("field", field)?;
        Ok(err)
    })();
    made.unwrap_or_else(|e| {
        PyRuntimeError::new_err(format!("{message} (and crm.errors failed: {e})"))
    })
}

/// Extension for `Result<T, CrmError>`.
pub(crate) trait IntoPy<T> {
    /// Maps the error to its Python exception.
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, CrmError> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// A JSON text that does not parse into `T`, as `crm.ParseError` naming `what`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> PyResult<T> {
    serde_json::from_str(text).map_err(|e| to_py(CrmError::parse(what, e)))
}
