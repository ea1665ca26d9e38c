//! Status codes, the thread-local last error, and the panic boundary.

use std::cell::RefCell;
use std::ffi::{CString, c_char};

use crm_core::{CrmError, ErrorKind};

/// The result of every fallible libcrm function. Numbers are fixed and never reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum crm_status_t {
    /// Success.
    CRM_OK = 0,
    /// A value is malformed, out of range or inconsistent.
    CRM_INVALID_ARGUMENT = 1,
    /// An id (customer, complaint…) does not exist.
    CRM_NOT_FOUND = 2,
    /// An id that must be new already exists.
    CRM_DUPLICATE = 3,
    /// Well-formed input not allowed in the current state.
    CRM_CONFLICT = 4,
    /// JSON text could not be parsed.
    CRM_PARSE_ERROR = 5,
    /// A snapshot of an unsupported format version.
    CRM_UNSUPPORTED_VERSION = 6,
    /// Reading or writing a file failed.
    CRM_IO_ERROR = 7,
    /// A required pointer argument was NULL.
    CRM_NULL_POINTER = 8,
    /// A string argument was not valid UTF-8.
    CRM_INVALID_UTF8 = 9,
    /// A bug: the library panicked; the call had no effect on its arguments' contents.
    CRM_PANIC = 10,
}

use crm_status_t::*;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// A failed call: its status and message.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: crm_status_t,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(status: crm_status_t, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn null(argument: &str) -> Self {
        Failure::new(CRM_NULL_POINTER, format!("{argument} must not be NULL"))
    }
}

impl From<CrmError> for Failure {
    fn from(e: CrmError) -> Self {
        // Exhaustive, no wildcard (`ErrorKind` is not `#[non_exhaustive]`): a new kind must be
        // mapped here before the crate builds; the test below checks it got its own status.
        let status = match e.kind() {
            ErrorKind::InvalidInput => CRM_INVALID_ARGUMENT,
            ErrorKind::NotFound => CRM_NOT_FOUND,
            ErrorKind::Duplicate => CRM_DUPLICATE,
            ErrorKind::Conflict => CRM_CONFLICT,
            ErrorKind::Parse => CRM_PARSE_ERROR,
            ErrorKind::UnsupportedVersion => CRM_UNSUPPORTED_VERSION,
            ErrorKind::Io => CRM_IO_ERROR,
        };
        Failure::new(status, e.message())
    }
}

pub(crate) fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = text);
}

/// Runs `body` behind the panic boundary: `Ok` → `CRM_OK`; `Err` and panics set the
/// thread's last error and return its status.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Failure>) -> crm_status_t {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(Ok(())) => CRM_OK,
        Ok(Err(f)) => {
            set_last_error(&f.message);
            f.status
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            set_last_error(&format!("internal error (panic): {what}"));
            CRM_PANIC
        }
    }
}

/// The message of the last failed call on this thread, as NUL-terminated UTF-8; the empty
/// string when no call failed yet. The pointer stays valid until the next failing libcrm call
/// on the same thread; do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_last_error_message() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_its_own_status() {
        let statuses: Vec<crm_status_t> = ErrorKind::ALL
            .iter()
            .map(|&k| Failure::from(CrmError::new(k, None, "x")).status)
            .collect();
        for (i, s) in statuses.iter().enumerate() {
            assert!(
                !statuses[..i].contains(s),
                "{:?} shares {s:?} with another kind",
                ErrorKind::ALL[i]
            );
            // The statuses libcrm keeps for itself are never a core kind's.
            assert!(
                ![CRM_OK, CRM_NULL_POINTER, CRM_INVALID_UTF8, CRM_PANIC].contains(s),
                "{:?} maps to {s:?}",
                ErrorKind::ALL[i]
            );
        }
        // The numbers C programs are written against.
        let numbers: Vec<u32> = statuses.iter().map(|&s| s as u32).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn the_failure_keeps_the_message() {
        let f = Failure::from(CrmError::not_found("customer_id", 7));
        assert_eq!(f.status, CRM_NOT_FOUND);
        assert_eq!(f.message, "unknown customer_id 7");
    }
}
