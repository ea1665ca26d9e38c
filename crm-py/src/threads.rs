//! The worker pool from Python: its size (`crm.set_threads`, `crm.get_threads`,
//! `CRM_THREADS`) and the fork hook the package registers with `os.register_at_fork`.

use crm_core::CrmError;
use pyo3::prelude::*;

use crate::errors::IntoPy;

/// The environment variable holding the default pool size.
const ENV: &str = "CRM_THREADS";

/// Reads `CRM_THREADS` once, when the native module is imported: a number from 0 to
/// `crm_core::parallel::MAX_THREADS` becomes the pool's size unless `set_threads` says
/// otherwise before the first parallel call; anything else is ignored (the default stays).
pub(crate) fn init_from_env() {
    let size = std::env::var(ENV)
        .ok()
        .and_then(|t| t.trim().parse::<usize>().ok());
    if let Some(n) = size {
        // Out of range, or a pool already built by another import of crm-core in this
        // process: the default (or that pool) stays, as documented.
        let _ = crm_core::parallel::set_threads(n);
    }
}

/// Sets the number of worker threads (0: the default, the number of CPUs); see
/// `crm.set_threads`.
#[pyfunction]
pub(crate) fn set_threads(py: Python<'_>, n: i64) -> PyResult<()> {
    let n = usize::try_from(n)
        .map_err(|_| CrmError::invalid("threads", n, "must be 0 or more"))
        .py_err()?;
    py.detach(|| crm_core::parallel::set_threads(n)).py_err()
}

/// The number of worker threads (building the pool if needed).
#[pyfunction]
pub(crate) fn get_threads(py: Python<'_>) -> usize {
    py.detach(crm_core::parallel::threads)
}

/// Abandons the parent's worker pool in a forked child (registered by the package with
/// `os.register_at_fork(after_in_child=...)`).
#[pyfunction]
pub(crate) fn _after_fork_child() {
    crm_core::parallel::reset_after_fork();
}
