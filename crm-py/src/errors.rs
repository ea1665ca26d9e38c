//! crm-core errors as Python exceptions: the one way an error leaves the native module.
//!
//! The exception classes are defined in `crm/errors.py` (they need multiple inheritance:
//! `InvalidInputError(CrmError, ValueError)`), and this is the one place that maps every
//! error kind to its class. Errors found in the skin itself (a wrong dtype, an unknown option
//! name, a file that does not open) are built as [`CrmError`]s of the right kind too and go
//! through [`to_py`], as polars does with its `PyPolarsErr`.

use crm_core::{CrmError, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// The name of the `crm.errors` class of each kind.
fn class_name(kind: ErrorKind) -> &'static str {
    // Exhaustive, no wildcard (`ErrorKind` is not `#[non_exhaustive]`): a new kind must be
    // mapped here before the crate builds; the tests check it got its own class.
    match kind {
        ErrorKind::InvalidInput => "InvalidInputError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::Duplicate => "DuplicateError",
        ErrorKind::Conflict => "ConflictError",
        ErrorKind::Parse => "ParseError",
        ErrorKind::UnsupportedVersion => "UnsupportedVersionError",
        ErrorKind::Io => "CrmIOError",
    }
}

/// The Python exception for a crm-core error.
pub(crate) fn to_py(e: CrmError) -> PyErr {
    Python::attach(|py| to_py_in(py, e))
}

/// [`to_py`] where the caller holds the GIL already.
pub(crate) fn to_py_in(py: Python<'_>, e: CrmError) -> PyErr {
    raise(py, class_name(e.kind()), &e)
}

/// An instance of `crm.errors.<class>(message)` with its `field` set (and, for a refused
/// likely duplicate, its `candidates`: `(customer id, probability)` tuples, best first).
fn raise(py: Python<'_>, class: &str, e: &CrmError) -> PyErr {
    let message = e.message();
    let made = (|| -> PyResult<PyErr> {
        let module = py.import("crm.errors")?;
        let ty = module.getattr(class)?.cast_into::<PyType>()?;
        let err = PyErr::from_type(ty, (message.to_owned(),));
        err.value(py).setattr("field", e.field())?;
        if !e.candidates().is_empty() {
            err.value(py)
                .setattr("candidates", e.candidates().to_vec())?;
        }
        Ok(err)
    })();
    made.unwrap_or_else(|e| {
        PyRuntimeError::new_err(format!("{message} (and crm.errors failed: {e})"))
    })
}

/// `crm.InvalidInputError` about `field`: it holds `value`, wrong because of `reason`
/// ([`CrmError::invalid`]).
pub(crate) fn invalid(
    py: Python<'_>,
    field: &str,
    value: impl std::fmt::Display,
    reason: impl std::fmt::Display,
) -> PyErr {
    to_py_in(py, CrmError::invalid(field, value, reason))
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
///
/// The GIL is released while parsing (configs are small, event lists need not be).
pub(crate) fn from_json<T>(what: &str, text: &str) -> PyResult<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    Python::attach(|py| crate::parse::from_json_released(py, what, text))
}

/// `value` as JSON text; a value that cannot be written raises (never an error as data).
pub(crate) fn json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| to_py(CrmError::serialize("the result", e)))
}

/// The names of every error kind (`ErrorKind::ALL`), for the tests of the Python package.
pub(crate) fn kind_names() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_its_own_class() {
        let names: Vec<&str> = ErrorKind::ALL.iter().map(|&k| class_name(k)).collect();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "{n} is used twice");
            assert_ne!(*n, "CrmError", "the base class is no kind's own");
        }
        // The classes crm/errors.py defines, each for one kind.
        let defined = include_str!("../python/crm/errors.py");
        for n in &names {
            assert!(defined.contains(&format!("\nclass {n}(CrmError")), "{n}");
        }
    }
}
