//! Status codes, the thread-local last error, and the one panic boundary.

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
    /// A bug: the library panicked. Do not read the out-parameters. A handle the call was
    /// changing (a `crm_book_t *` passed as non-const) may be half-changed and is poisoned
    /// from then on (see `CRM_POISONED`); handles passed as `const` are as they were.
    CRM_PANIC = 10,
    /// The handle is unusable because an earlier call panicked while changing it: every
    /// later call on it fails with this status (functions returning a number return 0).
    /// Only its `_free` still works.
    CRM_POISONED = 11,
}

use crm_status_t::*;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    /// What the panic hook saw of this thread's last panic: its message and where it was.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// libcrm's panic hook: it prints nothing (the library never writes to the host's stderr)
/// and keeps the panic's message and location for the thread, which [`boundary`] turns into
/// the last error. Every panic that reaches it is libcrm's: the cdylib and the staticlib
/// carry their own copy of std, whose hook no other code in the process shares.
fn quiet_hook(info: &std::panic::PanicHookInfo<'_>) {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    let at = info
        .location()
        .map(|l| format!(" (at {}:{})", l.file(), l.line()))
        .unwrap_or_default();
    LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{at}")));
}

/// Installs [`quiet_hook`] once, before the first body runs.
fn install_quiet_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(quiet_hook)));
}

/// A failed call: its status and message. Errors of the domain come from `CrmError` through
/// the one map below; only the FFI's own failures (NULL, UTF-8, poisoned) are built here.
#[derive(Debug)]
pub(crate) struct Failure {
    status: crm_status_t,
    message: String,
}

impl Failure {
    /// A NULL pointer where `argument` is required.
    pub(crate) fn null(argument: &str) -> Self {
        Failure {
            status: CRM_NULL_POINTER,
            message: format!("{argument} must not be NULL"),
        }
    }

    /// The string `argument` is not UTF-8 from byte `valid_up_to` on.
    pub(crate) fn utf8(argument: &str, valid_up_to: usize) -> Self {
        Failure {
            status: CRM_INVALID_UTF8,
            message: format!("{argument} is not valid UTF-8 (byte {valid_up_to})"),
        }
    }

    /// The handle `argument` was poisoned by an earlier panic.
    pub(crate) fn poisoned(argument: &str) -> Self {
        Failure {
            status: CRM_POISONED,
            message: format!(
                "{argument} is poisoned: an earlier call panicked while changing it; free it"
            ),
        }
    }

    /// The handle `argument` was poisoned by an earlier panic; the call released it anyway.
    pub(crate) fn poisoned_and_freed(argument: &str) -> Self {
        Failure {
            status: CRM_POISONED,
            message: format!(
                "{argument} was poisoned by an earlier call that panicked while changing it; \
                 it is released now"
            ),
        }
    }

    #[cfg(test)]
    pub(crate) fn status(&self) -> crm_status_t {
        self.status
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
        Failure {
            status,
            message: e.message().to_owned(),
        }
    }
}

fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = text);
}

/// What an `extern "C"` function returns, and what it returns when its body panicked.
pub(crate) trait Returns: Sized {
    /// What the body inside the boundary produces.
    type Body;
    /// The return value for a body that finished.
    fn finish(body: Self::Body) -> Self;
    /// The documented neutral value after a panic: `CRM_PANIC`, 0, NULL or nothing.
    fn on_panic() -> Self;
}

impl Returns for crm_status_t {
    type Body = Result<(), Failure>;

    fn finish(body: Self::Body) -> Self {
        match body {
            Ok(()) => CRM_OK,
            Err(f) => {
                set_last_error(&f.message);
                f.status
            }
        }
    }

    fn on_panic() -> Self {
        CRM_PANIC
    }
}

macro_rules! returns_itself {
    ($($t:ty => $neutral:expr),* $(,)?) => {$(
        impl Returns for $t {
            type Body = $t;

            fn finish(body: Self::Body) -> Self {
                body
            }

            fn on_panic() -> Self {
                $neutral
            }
        }
    )*};
}

returns_itself!(() => (), usize => 0, u32 => 0, u64 => 0);

impl<T> Returns for *const T {
    type Body = *const T;

    fn finish(body: Self::Body) -> Self {
        body
    }

    fn on_panic() -> Self {
        std::ptr::null()
    }
}

/// The one panic boundary: every `extern "C"` body runs inside it (`tests/boundary.rs`
/// checks). A finished body's value is returned (an `Err` sets the thread's last error and
/// returns its status); a panic sets the last error and returns [`Returns::on_panic`]. It
/// first runs the set-up of the first call into the library (`CRM_THREADS`, the fork hook),
/// and the panic hook is replaced by [`quiet_hook`] on the first call, so a panic prints
/// nothing.
pub(crate) fn boundary<R: Returns>(body: impl FnOnce() -> R::Body) -> R {
    crate::threads::start();
    install_quiet_hook();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(done) => R::finish(done),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            set_last_error(&format!("internal error (panic): {what}"));
            R::on_panic()
        }
    }
}

/// The message of the last failed call on this thread, as NUL-terminated UTF-8; the empty
/// string when no call failed yet. The pointer stays valid until the next failing libcrm call
/// on the same thread; do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_last_error_message() -> *const c_char {
    boundary(|| LAST_ERROR.with(|e| e.borrow().as_ptr()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn last_error() -> String {
        // SAFETY: the pointer is NUL-terminated and valid until the next failing call.
        unsafe { CStr::from_ptr(crm_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_the_neutral_value_and_the_last_error() {
        let status: crm_status_t = boundary(|| panic!("boom"));
        assert_eq!(status, CRM_PANIC);
        assert_eq!(last_error(), "internal error (panic): boom");
        let n: usize = boundary(|| panic!("{}", 7));
        assert_eq!(n, 0);
        assert_eq!(last_error(), "internal error (panic): 7");
        let p: *const u8 = boundary(|| panic!("null"));
        assert!(p.is_null());
    }

    #[test]
    fn the_hook_keeps_the_panic_instead_of_printing_it() {
        let _: crm_status_t = boundary(|| Ok(()));
        LAST_PANIC.with(|p| *p.borrow_mut() = None);
        let line = line!() + 1;
        let status: crm_status_t = boundary(|| panic!("quiet {}", 1));
        assert_eq!(status, CRM_PANIC);
        // The hook ran in place of the default one (which prints to stderr and keeps
        // nothing): it kept the message and where it was raised.
        let kept = LAST_PANIC.with(|p| p.borrow_mut().take());
        assert_eq!(
            kept.as_deref(),
            Some(format!("quiet 1 (at {}:{line})", file!()).as_str())
        );
        // A panic outside the boundary (a worker thread's, say) is kept, not printed, too.
        let caught = std::panic::catch_unwind(|| panic!("direct"));
        assert!(caught.is_err());
        assert!(
            LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .is_some_and(|m| m.starts_with("direct (at "))
        );
    }

    #[test]
    fn an_error_sets_its_status_and_message() {
        let status: crm_status_t = boundary(|| Err(CrmError::not_found("customer_id", 42).into()));
        assert_eq!(status, CRM_NOT_FOUND);
        assert_eq!(last_error(), "unknown customer_id 42");
        let status: crm_status_t = boundary(|| Err(Failure::poisoned("book")));
        assert_eq!(status, CRM_POISONED);
        assert!(last_error().starts_with("book is poisoned"));
        let ok: crm_status_t = boundary(|| Ok(()));
        assert_eq!(ok, CRM_OK);
    }

    #[test]
    fn status_numbers_are_the_published_ones() {
        // The numbers are part of the ABI: C programs are compiled against them.
        let published = [
            (CRM_OK, 0),
            (CRM_INVALID_ARGUMENT, 1),
            (CRM_NOT_FOUND, 2),
            (CRM_DUPLICATE, 3),
            (CRM_CONFLICT, 4),
            (CRM_PARSE_ERROR, 5),
            (CRM_UNSUPPORTED_VERSION, 6),
            (CRM_IO_ERROR, 7),
            (CRM_NULL_POINTER, 8),
            (CRM_INVALID_UTF8, 9),
            (CRM_PANIC, 10),
            (CRM_POISONED, 11),
        ];
        for (status, number) in published {
            assert_eq!(status as u32, number, "{status:?}");
        }
    }

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
                ![
                    CRM_OK,
                    CRM_NULL_POINTER,
                    CRM_INVALID_UTF8,
                    CRM_PANIC,
                    CRM_POISONED
                ]
                .contains(s),
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
