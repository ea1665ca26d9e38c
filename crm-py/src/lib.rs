//! Python bindings of crm.
//!
//! For now only a placeholder that links crm-core, so that the workspace has its final shape;
//! the PyO3 module `crm._crm` and the `crm` package arrive with the Python-package issue.

/// The version of crm-core these bindings wrap.
pub fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
