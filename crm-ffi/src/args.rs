//! Reading arguments from C: UTF-8, slices, JSON, instants; strings and JSON out.

use std::ffi::{CStr, CString, c_char};

use chrono::{DateTime, Utc};
use crm_core::{CrmError, ErrorKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ffi::Out;
use crate::status::{Failure, boundary};

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
    c.to_str().map_err(|e| Failure::utf8(name, e.valid_up_to()))
}

/// An optional borrowed C string as UTF-8: NULL gives `None`.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn text_opt<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: per the function's contract.
        unsafe { text(ptr, name) }.map(Some)
    }
}

/// Checks what Rust needs of an array from C before making a slice of it: at most
/// `isize::MAX` bytes (`PTRDIFF_MAX`) and a pointer aligned for `T`. A length beyond that is
/// no array C can hold: `CRM_INVALID_ARGUMENT` naming `name` and the length, where
/// `slice::from_raw_parts` would be undefined behaviour.
pub(crate) fn array<T>(ptr: *const T, len: usize, name: &str) -> Result<(), Failure> {
    let most = isize::MAX as usize / std::mem::size_of::<T>().max(1);
    crm_core::limits::at_most(name, len, most)?;
    if !ptr.is_aligned() {
        return Err(CrmError::invalid(
            name,
            format_args!("{ptr:p}"),
            format_args!("is not aligned to {} bytes", std::mem::align_of::<T>()),
        )
        .into());
    }
    Ok(())
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
    array(ptr, len, name)?;
    // SAFETY: non-NULL and `len` values long per the function's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An optional borrowed C array: NULL gives `None`.
///
/// # Safety
/// As [`slice`].
pub(crate) unsafe fn slice_opt<'a, T>(
    ptr: *const T,
    len: usize,
    name: &str,
) -> Result<Option<&'a [T]>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: per the function's contract.
        unsafe { slice(ptr, len, name) }.map(Some)
    }
}

/// An instant in any form crm-core's parser reads ([`crm_core::time::parse_instant`]:
/// RFC 3339, naive date-times as UTC, `2025-03-01`, `20250301`); a bare date is the start
/// of its day.
pub(crate) fn instant(text: &str, name: &str) -> Result<DateTime<Utc>, Failure> {
    crm_core::time::parse_instant(text, name).map_err(Failure::from)
}

/// A C string holding an instant ([`instant`]).
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn instant_text(
    ptr: *const c_char,
    name: &str,
) -> Result<DateTime<Utc>, Failure> {
    // SAFETY: per the function's contract.
    instant(unsafe { text(ptr, name) }?, name)
}

/// A C string holding the end of a period (`as_of`, `to`): as [`instant_text`], but a bare
/// date is the end of its day ([`crm_core::time::parse_period_end`]).
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn period_end_text(
    ptr: *const c_char,
    name: &str,
) -> Result<DateTime<Utc>, Failure> {
    // SAFETY: per the function's contract.
    crm_core::time::parse_period_end(unsafe { text(ptr, name) }?, name).map_err(Failure::from)
}

/// A string handed to C, freed with `crm_string_free`.
pub(crate) fn owned_string(s: String) -> *mut c_char {
    CString::new(s.replace('\0', "\\0"))
        .unwrap_or_default()
        .into_raw()
}

/// Parses JSON text into `T`.
pub(crate) fn json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, Failure> {
    crm_core::json::parse(what, text).map_err(Failure::from)
}

/// Parses the JSON C string `ptr` (named `name`) into `T`; NULL gives `None`.
///
/// # Safety
/// `ptr` is NULL or NUL-terminated.
pub(crate) unsafe fn json_opt<T: DeserializeOwned>(
    ptr: *const c_char,
    name: &str,
    what: &str,
) -> Result<Option<T>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: per the function's contract.
    json(unsafe { text(ptr, name) }?, what).map(Some)
}

/// As [`json_opt`], NULL giving `T`'s default (core's own).
///
/// # Safety
/// As [`json_opt`].
pub(crate) unsafe fn json_or_default<T: DeserializeOwned + Default>(
    ptr: *const c_char,
    name: &str,
    what: &str,
) -> Result<T, Failure> {
    // SAFETY: per the function's contract.
    Ok(unsafe { json_opt(ptr, name, what) }?.unwrap_or_default())
}

/// Serialises `value`; a failure is an error, never an empty document.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| {
        CrmError::new(
            ErrorKind::InvalidInput,
            None,
            format!("could not serialise the result as JSON: {e}"),
        )
        .into()
    })
}

/// Serialises `value` into a string for C (freed with `crm_string_free`) through `out`.
pub(crate) fn json_out<T: Serialize>(out: Out<'_, *mut c_char>, value: &T) -> Result<(), Failure> {
    out.write(owned_string(to_json(value)?));
    Ok(())
}

/// Frees a string returned by libcrm (`*_json` outputs). NULL is accepted.
///
/// # Safety
/// `s` is NULL or a string libcrm returned and that was not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_string_free(s: *mut c_char) {
    boundary(|| {
        if !s.is_null() {
            // SAFETY: it came from CString::into_raw in `owned_string` and is freed once.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_cannot_be_serialised_is_an_error() {
        // JSON object keys must be strings: serde_json refuses a map keyed by pairs.
        let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let err = to_json(&map).err().map(|f| f.status());
        assert_eq!(err, Some(crate::crm_status_t::CRM_INVALID_ARGUMENT));
        assert_eq!(to_json(&[1, 2]).ok().as_deref(), Some("[1,2]"));
    }
}
