//! Whole counts (`months`, `points`, `customers`) from Python ints of any size.
//!
//! PyO3's own conversion of an int that does not fit raises an `OverflowError` that names no
//! argument; a caller passing `2**64` or `-1` gets `crm.InvalidInputError` naming the field
//! instead, and values that fit go on to crm-core, whose limits decide the rest.

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;

use crate::errors::invalid;

/// `value` as a `u64`, or `crm.InvalidInputError` naming `field` for a negative int or one
/// wider than 64 bits; other conversion errors (not an int at all) pass through unchanged.
pub(crate) fn count(value: &Bound<'_, PyAny>, field: &str) -> PyResult<u64> {
    let py = value.py();
    match value.extract::<u64>() {
        Ok(n) => Ok(n),
        Err(e) if e.is_instance_of::<PyOverflowError>(py) => {
            let shown = value.str().map(|s| s.to_string()).unwrap_or_default();
            let reason = if value.lt(0)? {
                "must not be negative"
            } else {
                "does not fit a 64-bit count"
            };
            Err(invalid(py, field, shown, reason))
        }
        Err(e) => Err(e),
    }
}

/// [`count`] as a `usize`.
pub(crate) fn count_usize(value: &Bound<'_, PyAny>, field: &str) -> PyResult<usize> {
    let n = count(value, field)?;
    usize::try_from(n)
        .map_err(|_| invalid(value.py(), field, n, "does not fit this machine's sizes"))
}
