//! The worker pool every parallel engine runs on: crm's own, so that it survives `fork()`.
//!
//! rayon's global pool does not survive `fork()`: the child inherits the pool's bookkeeping
//! but not its threads, so the first parallel call in a forked child waits forever for
//! workers that do not exist (pre-forking servers such as gunicorn, uWSGI, Apache prefork
//! and PHP-FPM fork after the parent has done work). crm therefore never uses the global
//! pool: every parallel region runs inside [`install`] on a pool this module builds lazily,
//! and [`reset_after_fork`], called in the child, abandons the parent's pool so that the
//! child builds a fresh one on its first parallel call.
//!
//! The core registers no fork hook itself (it is pure: no libc). The skins do: the C library
//! with `pthread_atfork`, the Python package with `os.register_at_fork`. An embedding Rust
//! program that forks calls [`reset_after_fork`] in the child itself.
//!
//! The pool's size is chosen with [`set_threads`] before the pool exists (the skins read the
//! `CRM_THREADS` environment variable and pass it here); `0` means rayon's default (the
//! `RAYON_NUM_THREADS` environment variable if set, else the number of CPUs).
//!
//! ```
//! use crm_core::parallel;
//! // Everything below runs on crm's pool, never on rayon's global one.
//! let total: u64 = parallel::install(|| {
//!     use rayon::prelude::*;
//!     (1..=100u64).into_par_iter().sum()
//! });
//! assert_eq!(total, 5050);
//! assert!(parallel::threads() >= 1);
//! ```

use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use crate::error::{CrmError, ErrorKind, Result};

/// The largest pool size [`set_threads`] accepts.
pub const MAX_THREADS: usize = 1024;

/// The pool, once built: a pointer from [`Box::leak`], never freed (see [`pool`]).
static POOL: AtomicPtr<rayon::ThreadPool> = AtomicPtr::new(std::ptr::null_mut());

/// Pools abandoned by [`reset_after_fork`] (one per fork generation), never used again.
static ABANDONED: [AtomicPtr<rayon::ThreadPool>; 8] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; 8];

/// How many pools [`reset_after_fork`] has abandoned.
static ABANDONED_COUNT: AtomicUsize = AtomicUsize::new(0);

/// The size asked for with [`set_threads`]; `0` is rayon's default.
static REQUESTED: AtomicUsize = AtomicUsize::new(0);

/// Sets the number of worker threads of the pool the next parallel call builds.
///
/// `n = 0` restores the default (rayon's: `RAYON_NUM_THREADS` if set, else the number of
/// CPUs). The size can be chosen only before the pool exists, which is before the first
/// parallel call of the process (or, in a forked child, of the child: the child builds its
/// own pool and may choose a different size). Once the pool exists, asking for the size it
/// already has succeeds and changes nothing.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] when `n` exceeds [`MAX_THREADS`]; [`ErrorKind::Conflict`] when
/// the pool already exists with another size (the pool's threads are never torn down under
/// running work).
///
/// ```
/// use crm_core::{parallel, ErrorKind};
/// assert_eq!(
///     parallel::set_threads(parallel::MAX_THREADS + 1).unwrap_err().kind(),
///     ErrorKind::InvalidInput
/// );
/// ```
pub fn set_threads(n: usize) -> Result<()> {
    if n > MAX_THREADS {
        return Err(CrmError::invalid(
            "threads",
            n,
            format!("at most {MAX_THREADS} worker threads"),
        ));
    }
    match built() {
        None => {
            REQUESTED.store(n, Ordering::SeqCst);
            Ok(())
        }
        Some(pool) => {
            let has = pool.current_num_threads();
            if n == has || (n == 0 && REQUESTED.load(Ordering::SeqCst) == 0) {
                Ok(())
            } else {
                Err(CrmError::new(
                    ErrorKind::Conflict,
                    Some("threads"),
                    format!(
                        "threads {n} rejected: the worker pool already runs with {has} threads \
                         (set the size before the first parallel call)"
                    ),
                ))
            }
        }
    }
}

/// The number of worker threads of the pool (built now if it does not exist yet, so the
/// size can no longer be changed afterwards).
///
/// ```
/// assert!(crm_core::parallel::threads() >= 1);
/// ```
pub fn threads() -> usize {
    pool().current_num_threads()
}

/// Whether the pool has been built in this process (after [`reset_after_fork`]: in this
/// child).
pub fn is_built() -> bool {
    built().is_some()
}

/// Runs `op` on crm's pool: every rayon parallel iterator, `join` and `scope` inside `op`
/// uses that pool, never rayon's global one. Called from one of the pool's own threads it
/// simply runs `op`, so nesting costs nothing.
///
/// # Panics
///
/// When the operating system refuses to start even one worker thread (rayon's pool cannot
/// exist without one); a panic raised inside `op` is propagated.
///
/// ```
/// use rayon::prelude::*;
/// let squares: Vec<u32> = crm_core::parallel::install(|| {
///     (0..4u32).into_par_iter().map(|x| x * x).collect()
/// });
/// assert_eq!(squares, [0, 1, 4, 9]);
/// ```
pub fn install<R, F>(op: F) -> R
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    pool().install(op)
}

/// Abandons the current pool without dropping or joining it, so that the next parallel call
/// builds a fresh one. Call it in the child right after `fork()`: the parent's worker threads
/// do not exist there, and waiting for them would hang. The abandoned pool's memory is
/// leaked (it belongs to threads of another process; freeing it could run code that waits
/// for them). Async-signal-safe (atomic operations only, no allocation, no lock), as a
/// `pthread_atfork` child handler must be. The size asked for with [`set_threads`] is kept.
///
/// Calling it anywhere but in a freshly forked child leaks a pool and its idle threads; it
/// never breaks work already running on the old pool.
pub fn reset_after_fork() {
    let old = POOL.swap(std::ptr::null_mut(), Ordering::SeqCst);
    if !old.is_null() {
        // Kept reachable, so that leak checkers (valgrind, LeakSanitizer) in the child see
        // memory deliberately held, not lost. Past the last slot, the last one is reused.
        let slot = ABANDONED_COUNT.fetch_add(1, Ordering::SeqCst);
        ABANDONED[slot.min(ABANDONED.len() - 1)].store(old, Ordering::SeqCst);
    }
}

/// The number of threads of the pool the calling code runs on: inside [`install`], the size
/// of crm's pool (`1` after `set_threads(1)`). Outside any pool, rayon's global default.
///
/// ```
/// let n = crm_core::parallel::install(crm_core::parallel::current_num_threads);
/// assert_eq!(n, crm_core::parallel::threads());
/// ```
pub fn current_num_threads() -> usize {
    rayon::current_num_threads()
}

/// The pool if it exists.
fn built() -> Option<&'static rayon::ThreadPool> {
    let ptr = POOL.load(Ordering::SeqCst);
    // SAFETY: a non-null POOL only ever holds a pointer from `Box::leak` in `pool()`, and no
    // code frees it (not even `reset_after_fork`, which forgets it), so it stays valid and
    // immutable for the rest of the process; `ThreadPool` is `Sync`.
    (!ptr.is_null()).then(|| unsafe { &*ptr })
}

/// The pool, built on first use. Two threads racing to build it each build one; the loser
/// drops its own (never used) pool and both use the winner's.
fn pool() -> &'static rayon::ThreadPool {
    if let Some(pool) = built() {
        return pool;
    }
    let fresh: &'static rayon::ThreadPool = Box::leak(Box::new(build()));
    let fresh_ptr = std::ptr::from_ref(fresh).cast_mut();
    match POOL.compare_exchange(
        std::ptr::null_mut(),
        fresh_ptr,
        Ordering::SeqCst,
        Ordering::SeqCst,
    ) {
        Ok(_) => fresh,
        Err(_) => {
            // SAFETY: `fresh_ptr` comes from `Box::leak` just above, was never published, and
            // `fresh` is not used after this.
            drop(unsafe { Box::from_raw(fresh_ptr) });
            pool()
        }
    }
}

/// A new pool of the requested size; one thread if the system refuses that many.
fn build() -> rayon::ThreadPool {
    let named = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("crm-worker-{i}"))
            .build()
    };
    match named(REQUESTED.load(Ordering::SeqCst)) {
        Ok(pool) => pool,
        Err(_) => named(1).unwrap_or_else(|e| panic!("crm could not start a worker thread: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_above_the_bound_are_rejected_before_anything_else() {
        let err = set_threads(MAX_THREADS + 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("threads"));
        assert!(err.to_string().contains("1025"), "{err}");
    }

    #[test]
    fn the_size_is_fixed_once_the_pool_runs_and_work_runs_on_it() {
        if std::env::var_os(ONE_THREAD_CHILD).is_some() {
            return; // this process is the child of `set_threads_one_runs_one_thread`
        }
        let has = threads();
        assert!(is_built());
        // Asking for what it has is fine; anything else conflicts.
        set_threads(has).expect("same size");
        let err = set_threads(has + 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(err.to_string().contains(&format!("{}", has + 1)), "{err}");
        // Inside `install` the code runs on one of crm's named workers, with its size.
        let (name, n) = install(|| {
            (
                std::thread::current().name().map(str::to_owned),
                current_num_threads(),
            )
        });
        assert!(
            name.as_deref()
                .is_some_and(|n| n.starts_with("crm-worker-")),
            "{name:?}"
        );
        assert_eq!(n, has);
    }

    /// Set in the environment of the process `set_threads_one_runs_one_thread` starts.
    const ONE_THREAD_CHILD: &str = "CRM_CORE_TEST_ONE_THREAD_CHILD";

    /// The pool is per process, and other tests of this binary build it first: the check
    /// runs in a fresh process of this same test binary, running only `one_thread_child`.
    #[test]
    fn set_threads_one_runs_one_thread() {
        if std::env::var_os(ONE_THREAD_CHILD).is_some() {
            return;
        }
        let exe = std::env::current_exe().expect("the test binary");
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "parallel::tests::one_thread_child",
                "--nocapture",
            ])
            .env(ONE_THREAD_CHILD, "1")
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("1 passed"), "{stdout}");
        assert!(stdout.contains("one thread: ok"), "{stdout}");
    }

    #[test]
    fn one_thread_child() {
        if std::env::var_os(ONE_THREAD_CHILD).is_none() {
            return; // only meaningful in the fresh process
        }
        assert!(!is_built());
        set_threads(1).expect("before the pool exists");
        assert!(!is_built(), "choosing the size builds nothing");
        // A parallel sum over many items runs entirely on the single worker.
        let (n, names) = install(|| {
            use rayon::prelude::*;
            let names: std::collections::BTreeSet<String> = (0..10_000u32)
                .into_par_iter()
                .map(|_| std::thread::current().name().unwrap_or("?").to_owned())
                .collect();
            (current_num_threads(), names)
        });
        assert_eq!(n, 1);
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["crm-worker-0"]);
        assert_eq!(threads(), 1);
        // After a fork the child starts without a pool, keeping the size asked for.
        reset_after_fork();
        assert!(!is_built());
        assert_eq!(threads(), 1);
        set_threads(0).expect_err("the new pool has 1 thread, not the default");
        println!("one thread: ok");
    }
}
