//! Panics as `crm.InternalError`, never `pyo3_runtime.PanicException`, and never printed.
//!
//! Every call into crm-core runs through [`released`]: the GIL is released (as `py.detach`
//! does) and a panic is caught there and raised as `crm.errors.InternalError`, a
//! `crm.CrmError`. The panic hook installed at import ([`install_quiet_hook`]) prints
//! nothing: this copy of std belongs to the extension module alone, so every panic it sees
//! is crm's, and its message reaches Python in the exception instead of on stderr.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;

/// Replaces the panic hook with one that prints nothing (once, at import).
pub(crate) fn install_quiet_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}

/// `f()`, or the message of its panic.
fn caught<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned())
    })
}

/// Runs `f` with the GIL released; a panic in it becomes `crm.InternalError`.
pub(crate) fn released<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    py.detach(|| caught(f))
        .map_err(|what| internal_error(py, &what))
}

/// Panics inside [`released`] with `message`: hidden (`crm._crm._panic_for_test`), for the
/// test that a Rust panic reaches Python as `crm.InternalError` with its message and prints
/// nothing (no call of the public API is known to panic, so the tests need one that does).
#[pyfunction]
pub(crate) fn _panic_for_test(py: Python<'_>, message: String) -> PyResult<()> {
    released(py, move || -> () { panic!("{message}") })
}

/// `crm.errors.InternalError("internal error (panic): …")`.
pub(crate) fn internal_error(py: Python<'_>, what: &str) -> PyErr {
    let text = format!("internal error (panic): {what}");
    let made = (|| -> PyResult<PyErr> {
        let ty = py
            .import("crm.errors")?
            .getattr("InternalError")?
            .cast_into::<pyo3::types::PyType>()?;
        Ok(PyErr::from_type(ty, (text.clone(),)))
    })();
    made.unwrap_or_else(|e| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("{text} (and crm.errors failed: {e})"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_caught_with_its_message_and_printed_nowhere() {
        install_quiet_hook();
        assert_eq!(caught(|| 7), Ok(7));
        assert_eq!(caught(|| -> u8 { panic!("boom") }), Err("boom".to_owned()));
        let n = 3;
        assert_eq!(
            caught(|| -> u8 { panic!("row {n}") }),
            Err("row 3".to_owned())
        );
        // A panic of a worker thread reaches the caller as its payload (rayon resumes it).
        let worker = std::thread::spawn(|| -> u8 { panic!("in a worker") });
        let payload = worker.join().unwrap_err();
        assert_eq!(
            caught(move || std::panic::resume_unwind(payload)),
            Err::<(), _>("in a worker".to_owned())
        );
    }
}
