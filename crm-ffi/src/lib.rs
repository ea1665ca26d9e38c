//! # libcrm — the C ABI of crm
//!
//! Every symbol starts with `crm_`; the header `include/crm.h` is generated from this crate by
//! cbindgen and checked in (a test fails when it is stale). This first version carries the
//! version query; the book, the engines and their handles arrive with the C-ABI issue.

#![deny(missing_docs)]

use std::ffi::c_char;

/// The ABI version of this header and library. It changes whenever a function signature,
/// a struct layout or a constant's meaning changes incompatibly.
pub const CRM_ABI_VERSION: u32 = 1;

/// The library version as a NUL-terminated UTF-8 string, e.g. `"0.1.0"`.
///
/// The string is static: do not free it. Safe to call from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn crm_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version the library was built with; compare it with `CRM_ABI_VERSION` from the
/// header to detect a header/library mismatch at run time.
#[unsafe(no_mangle)]
pub extern "C" fn crm_abi_version() -> u32 {
    CRM_ABI_VERSION
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
