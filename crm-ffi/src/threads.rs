//! The worker pool from C: its size (`crm_set_threads`, `CRM_THREADS`) and fork safety.
//!
//! The parallel engines run on crm's own pool (`crm_core::parallel`), built at the first
//! parallel call. The C library makes it fork-safe with a `pthread_atfork` child handler
//! that abandons the parent's pool in the child, registered at the first call into the
//! library (any `crm_*` function, through the one boundary). The first call, not a
//! constructor: a constructor in a static library is linked in only when the object file
//! that holds it is pulled in for another reason, so it could silently be missing from
//! programs linked with `libcrm.a`; and a process that never called crm has no pool to
//! abandon. The same first call reads `CRM_THREADS` once.

use std::sync::atomic::{AtomicBool, Ordering};

use crm_core::CrmError;

use crate::status::{boundary, crm_status_t};

/// Whether the first call's set-up (environment, fork hook) has been claimed by a thread.
static STARTED: AtomicBool = AtomicBool::new(false);

/// The environment variable holding the default pool size.
const ENV: &str = "CRM_THREADS";

/// The first call's set-up, run once per process by the one boundary: `CRM_THREADS`, then
/// the fork hook. It never waits for another thread (a fork in the middle of it must not
/// leave a child that blocks here): a thread arriving while another sets up goes on.
pub(crate) fn start() {
    if STARTED.load(Ordering::Relaxed) || STARTED.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(n) = env_threads() {
        // The pool cannot exist yet (this runs before any crm work), and the value was
        // checked: nothing to report. A later `crm_set_threads` overrides it.
        let _ = crm_core::parallel::set_threads(n);
    }
    #[cfg(unix)]
    {
        // SAFETY: `crm_after_fork_child` is an `extern "C" fn()` that lives as long as the
        // library; pthread_atfork only stores it. A failure (ENOMEM) leaves the library as
        // it was without the hook; nothing else to do with it here.
        let _ = unsafe { libc::pthread_atfork(None, None, Some(crm_after_fork_child)) };
    }
}

/// `CRM_THREADS` as a pool size, if set to a number in `0..=CRM_MAX_THREADS`.
fn env_threads() -> Option<usize> {
    parse_threads(&std::env::var(ENV).ok()?)
}

/// A pool size from text; `None` when it is not a number in range.
fn parse_threads(text: &str) -> Option<usize> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= crm_core::parallel::MAX_THREADS)
}

/// The largest number of worker threads `crm_set_threads` accepts.
pub const CRM_MAX_THREADS: usize = 1024;

/// Sets the number of worker threads the parallel functions (duplicate detection, quality
/// and lifecycle reports, transaction features, CLV, RFM…) use; `0` is the default: the
/// number of CPUs (or `RAYON_NUM_THREADS` if set).
///
/// The pool is built at the first parallel call, so call this before it (typically right
/// after start-up, or in a freshly forked child, which builds its own pool). Once the pool
/// exists, asking for the size it already has returns `CRM_OK`; another size returns
/// `CRM_CONFLICT` and changes nothing. Precedence: this call, then the environment variable
/// `CRM_THREADS` (read once, at the first call into the library; ignored unless it is a
/// number from 0 to `CRM_MAX_THREADS`), then the default. Safe to call from any thread.
///
/// Errors: `CRM_INVALID_ARGUMENT` when `n > CRM_MAX_THREADS`; `CRM_CONFLICT` as above.
#[unsafe(no_mangle)]
pub extern "C" fn crm_set_threads(n: usize) -> crm_status_t {
    boundary(|| crm_core::parallel::set_threads(n).map_err(|e: CrmError| e.into()))
}

/// The number of worker threads of the pool (building it now if no parallel call has run
/// yet: the size is fixed from then on). 0 only after a panic. Safe to call from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn crm_get_threads() -> usize {
    boundary(crm_core::parallel::threads)
}

/// Abandons the worker pool inherited from the parent so that the next parallel call builds
/// a fresh one: to be called in a child process right after `fork()`.
///
/// The library registers it with `pthread_atfork` at its first call, so a program forking
/// with `fork()` never needs it; call it yourself only after creating a child by a path that
/// skips `pthread_atfork` handlers (a raw `clone`/`syscall(SYS_fork)`). Calling it elsewhere
/// leaks the current pool's idle threads but breaks nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_after_fork_child() {
    boundary(crm_core::parallel::reset_after_fork)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_the_core_s() {
        assert_eq!(CRM_MAX_THREADS, crm_core::parallel::MAX_THREADS);
    }

    #[test]
    fn the_environment_value_is_a_size_in_range_or_nothing() {
        assert_eq!(parse_threads("4"), Some(4));
        assert_eq!(parse_threads(" 0 "), Some(0));
        assert_eq!(parse_threads("1024"), Some(1024));
        assert_eq!(parse_threads("1025"), None);
        assert_eq!(parse_threads("-1"), None);
        assert_eq!(parse_threads("four"), None);
        assert_eq!(parse_threads(""), None);
    }

    #[test]
    fn sizes_above_the_bound_are_invalid() {
        assert_eq!(
            crm_set_threads(CRM_MAX_THREADS + 1),
            crm_status_t::CRM_INVALID_ARGUMENT
        );
        let n = crm_get_threads();
        assert!(n >= 1);
        assert_eq!(crm_set_threads(n), crm_status_t::CRM_OK);
        assert_eq!(crm_set_threads(n + 1), crm_status_t::CRM_CONFLICT);
    }
}
