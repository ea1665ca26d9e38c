//! # libcrm — the C ABI of crm
//!
//! Every symbol starts with `crm_` (types `crm_*_t`, constants `CRM_*`); the header
//! `include/crm.h` is generated from this crate by cbindgen and checked in (a test fails
//! when it is stale).
//!
//! Conventions: every fallible function returns a `crm_status_t` (`CRM_OK` = 0) and writes
//! its results to out-parameters only on success; `crm_last_error_message()` tells what went
//! wrong on this thread. Handles come from `crm_*_new` / `crm_*_from_json` / `crm_*_load`
//! and go back through the matching `crm_*_free`, which accepts NULL. Strings are
//! NUL-terminated UTF-8 both ways; strings the library returns are freed with
//! `crm_string_free`, result structs with their own `_free`. No panic crosses the boundary.

#![deny(missing_docs)]
// C names on purpose: the types are spelled as C callers see them.
#![allow(non_camel_case_types)]

mod args;
mod audience;
mod book;
mod calendar;
mod campaign;
mod clv;
mod clv_models;
mod columns;
mod ffi;
mod find;
mod lifecycle;
mod matches;
mod quality;
mod records;
mod segment;
mod sla;
mod status;
mod store;
mod threads;
mod transactions;
mod value;
mod worklist;

pub use args::crm_string_free;
pub use audience::*;
pub use book::*;
pub use calendar::*;
pub use campaign::*;
pub use clv::*;
pub use clv_models::*;
pub use find::*;
pub use lifecycle::*;
pub use matches::*;
pub use quality::*;
pub use records::*;
pub use segment::*;
pub use sla::*;
pub use status::{crm_last_error_message, crm_status_t};
pub use store::*;
pub use threads::*;
pub use transactions::*;
pub use value::*;
pub use worklist::*;

use std::ffi::c_char;

use status::boundary;

/// The ABI version of this header and library. It changes whenever a function signature,
/// a struct layout or a constant's meaning changes incompatibly (2: `CRM_POISONED`, and
/// `crm_lifecycle_report_json` split into `crm_book_lifecycle_report_json` and
/// `crm_book_churn_reasons_json`; 3: `crm_rfm_t.segment` is `int32_t`, was `int16_t`).
pub const CRM_ABI_VERSION: u32 = 3;

/// The library version as a NUL-terminated UTF-8 string, e.g. `"0.1.0"`.
///
/// The string is static: do not free it. Safe to call from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn crm_version() -> *const c_char {
    boundary(|| concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast())
}

/// The ABI version the library was built with; compare it with `CRM_ABI_VERSION` from the
/// header to detect a header/library mismatch at run time.
#[unsafe(no_mangle)]
pub extern "C" fn crm_abi_version() -> u32 {
    boundary(|| CRM_ABI_VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_is_the_crate_version() {
        // SAFETY: crm_version returns a pointer to a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(crm_version()) };
        assert_eq!(v.to_str().ok(), Some(env!("CARGO_PKG_VERSION")));
        assert_eq!(crm_abi_version(), CRM_ABI_VERSION);
    }
}
