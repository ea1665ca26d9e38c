//! Reading arguments from C: NULL checks, UTF-8, slices, owned strings out.

use std::ffi::{CStr, CString, c_char};

use chrono::{DateTime, Utc};

use crate::status::{Failure, crm_status_t};

/// A borrowed C string as UTF-8.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for the call.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the function's contract.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str().map_err(|e| {
        Failure::new(
            crm_status_t::CRM_INVALID_UTF8,
            format!("{name} is not valid UTF-8 (byte {})", e.valid_up_to()),
        )
    })
}

/// A borrowed C array; a NULL pointer is accepted only with length 0.
///
/// # Safety
/// `ptr` is NULL or points to `len` initialised values valid for the call.
pub(crate) unsafe fn slice<'a, T>(
    ptr: *const T,
    len: usize,
    name: &str,
) -> Result<&'a [T], Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::null(name))
        };
    }
    // SAFETY: non-NULL and `len` values long per the function's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An RFC 3339 instant ("2025-03-01T14:30:00Z").
pub(crate) fn instant(text: &str, name: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Failure::new(
                crm_status_t::CRM_INVALID_ARGUMENT,
                format!("invalid {name} {text:?}: not an RFC 3339 instant ({e})"),
            )
        })
}

/// A string handed to C, freed with `crm_string_free`.
pub(crate) fn owned_string(s: String) -> *mut c_char {
    CString::new(s.replace('\0', "\\0"))
        .unwrap_or_default()
        .into_raw()
}

/// Writes `value` through `out` (checked non-NULL first by the caller).
///
/// # Safety
/// `out` is a valid, aligned pointer to writable memory for one `T`.
pub(crate) unsafe fn write<T>(out: *mut T, value: T) {
    // SAFETY: per the function's contract.
    unsafe { out.write(value) };
}

/// Checks an out-parameter before any work is done.
pub(crate) fn out_ok<T>(out: *mut T, name: &str) -> Result<(), Failure> {
    if out.is_null() {
        Err(Failure::null(name))
    } else {
        Ok(())
    }
}

/// Parses JSON text into `T`.
pub(crate) fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, Failure> {
    serde_json::from_str(text).map_err(|e| Failure::from(crm_core::CrmError::parse(what, e)))
}

/// Serialises `value` (our own types always serialise).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Frees a string returned by libcrm (`*_json` outputs). NULL is accepted.
///
/// # Safety
/// `s` is NULL or a string libcrm returned and that was not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: it came from CString::into_raw in `owned_string` and is freed once.
        drop(unsafe { CString::from_raw(s) });
    }
}
