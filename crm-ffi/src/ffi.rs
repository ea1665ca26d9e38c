//! Handles and out-parameters: the one checked cast for every pointer that crosses
//! (rustls-ffi's `Castable` shape), and poisoning of handles whose call panicked.

use std::mem::MaybeUninit;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::status::Failure;

/// What an opaque handle holds: the core value and whether a panic poisoned it.
#[derive(Debug)]
pub(crate) struct Handle<T> {
    inner: T,
    poisoned: AtomicBool,
}

/// An opaque C handle (`crm_book_t`…) and the core type behind it. Handles are created by
/// [`Castable::into_out`] and released by [`Castable::free`]; every entry point reaches the
/// core value through [`Castable::try_ref`] or [`Castable::try_mut`], which check NULL and
/// poisoning the same way everywhere.
pub(crate) trait Castable: Sized + 'static {
    /// The core type behind the handle.
    type RustType: 'static;

    /// The handle around a fresh value.
    fn wrap(handle: Handle<Self::RustType>) -> Self;

    /// The handle's contents.
    fn handle(&self) -> &Handle<Self::RustType>;

    /// The handle's contents, for changing.
    fn handle_mut(&mut self) -> &mut Handle<Self::RustType>;

    /// The handle's contents, taken out of it.
    fn into_handle(self) -> Handle<Self::RustType>;

    /// The value behind a `const` handle: `CRM_NULL_POINTER` naming `argument` for NULL,
    /// `CRM_POISONED` for a poisoned handle.
    ///
    /// # Safety
    /// `ptr` is NULL or a live handle of this type, not changed by anyone during `'a`.
    unsafe fn try_ref<'a>(ptr: *const Self, argument: &str) -> Result<&'a Self::RustType, Failure> {
        // SAFETY: per the function's contract.
        let handle = unsafe { ptr.as_ref() }
            .ok_or_else(|| Failure::null(argument))?
            .handle();
        if handle.poisoned.load(Ordering::Acquire) {
            return Err(Failure::poisoned(argument));
        }
        Ok(&handle.inner)
    }

    /// As [`Castable::try_ref`], but NULL is allowed and gives `None`.
    ///
    /// # Safety
    /// As [`Castable::try_ref`].
    unsafe fn try_opt_ref<'a>(
        ptr: *const Self,
        argument: &str,
    ) -> Result<Option<&'a Self::RustType>, Failure> {
        if ptr.is_null() {
            Ok(None)
        } else {
            // SAFETY: per the function's contract.
            unsafe { Self::try_ref(ptr, argument) }.map(Some)
        }
    }

    /// The value behind a non-`const` handle, for changing: as [`Castable::try_ref`], and the
    /// handle is poisoned if the call panics while the returned guard lives.
    ///
    /// # Safety
    /// `ptr` is NULL or a live handle of this type that nobody else uses during `'a`.
    unsafe fn try_mut<'a>(
        ptr: *mut Self,
        argument: &str,
    ) -> Result<Poisoning<'a, Self::RustType>, Failure> {
        // SAFETY: per the function's contract.
        let handle = unsafe { ptr.as_mut() }
            .ok_or_else(|| Failure::null(argument))?
            .handle_mut();
        if handle.poisoned.load(Ordering::Acquire) {
            return Err(Failure::poisoned(argument));
        }
        Ok(Poisoning {
            inner: &mut handle.inner,
            poisoned: &handle.poisoned,
        })
    }

    /// Writes a new handle around `value` to the out-parameter.
    fn into_out(out: Out<'_, *mut Self>, value: Self::RustType) {
        let handle = Handle {
            inner: value,
            poisoned: AtomicBool::new(false),
        };
        out.write(Box::into_raw(Box::new(Self::wrap(handle))));
    }

    /// Releases a handle and returns its value: `None` for NULL, `CRM_POISONED` naming
    /// `argument` for a poisoned handle (whose value is dropped). The handle is released in
    /// every case.
    ///
    /// # Safety
    /// `ptr` is NULL or a live handle of this type, not used again afterwards.
    unsafe fn take(ptr: *mut Self, argument: &str) -> Option<Result<Self::RustType, Failure>> {
        if ptr.is_null() {
            return None;
        }
        // SAFETY: per the function's contract, it came from Box::into_raw in `into_out`.
        let handle = unsafe { Box::from_raw(ptr) }.into_handle();
        Some(if handle.poisoned.into_inner() {
            Err(Failure::poisoned_and_freed(argument))
        } else {
            Ok(handle.inner)
        })
    }

    /// Releases a handle, poisoned or not; NULL is accepted.
    ///
    /// # Safety
    /// `ptr` is NULL or a live handle of this type, not used again afterwards.
    unsafe fn free(ptr: *mut Self) {
        // SAFETY: per the function's contract, it came from Box::into_raw in `into_out`.
        unsafe { free_box(ptr) }
    }
}

/// Implements [`Castable`] for an opaque handle struct with one field `handle`.
macro_rules! castable {
    ($($c:ident => $t:ty),* $(,)?) => {$(
        impl $crate::ffi::Castable for $c {
            type RustType = $t;

            fn wrap(handle: $crate::ffi::Handle<$t>) -> Self {
                $c { handle }
            }

            fn handle(&self) -> &$crate::ffi::Handle<$t> {
                &self.handle
            }

            fn handle_mut(&mut self) -> &mut $crate::ffi::Handle<$t> {
                &mut self.handle
            }

            fn into_handle(self) -> $crate::ffi::Handle<$t> {
                self.handle
            }
        }
    )*};
}

pub(crate) use castable;

/// A value borrowed for changing from a handle; poisons the handle when dropped during a
/// panic (the change may have stopped half-way).
#[derive(Debug)]
pub(crate) struct Poisoning<'a, T> {
    inner: &'a mut T,
    poisoned: &'a AtomicBool,
}

impl<T> Deref for Poisoning<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner
    }
}

impl<T> DerefMut for Poisoning<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner
    }
}

impl<T> Drop for Poisoning<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.poisoned.store(true, Ordering::Release);
        }
    }
}

/// A `#[repr(C)]` struct the caller passes by pointer (parameters, borrowed columns):
/// `CRM_NULL_POINTER` naming `argument` when it is NULL.
///
/// # Safety
/// `ptr` is NULL or points to a valid `T` for `'a`.
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T, argument: &str) -> Result<&'a T, Failure> {
    // SAFETY: per the function's contract.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(argument))
}

/// A checked out-parameter: not NULL, written at most once, only on success.
#[derive(Debug)]
pub(crate) struct Out<'a, T>(&'a mut MaybeUninit<T>);

impl<'a, T> Out<'a, T> {
    /// Checks `ptr`: `CRM_NULL_POINTER` naming `argument` when it is NULL.
    ///
    /// # Safety
    /// `ptr` is NULL or valid, aligned and writable for one `T` during `'a`.
    pub(crate) unsafe fn new(ptr: *mut T, argument: &str) -> Result<Self, Failure> {
        // SAFETY: per the function's contract; MaybeUninit<T> has T's layout.
        unsafe { ptr.cast::<MaybeUninit<T>>().as_mut() }
            .map(Out)
            .ok_or_else(|| Failure::null(argument))
    }

    /// As [`Out::new`], but NULL means the caller does not want the value.
    ///
    /// # Safety
    /// As [`Out::new`].
    pub(crate) unsafe fn optional(ptr: *mut T) -> Option<Self> {
        // SAFETY: per the function's contract.
        unsafe { ptr.cast::<MaybeUninit<T>>().as_mut() }.map(Out)
    }

    /// Writes the value.
    pub(crate) fn write(self, value: T) {
        self.0.write(value);
    }
}

/// A checked out-array of `len` values: not NULL (unless `len` is 0), written on success.
#[derive(Debug)]
pub(crate) struct OutSlice<'a, T>(&'a mut [MaybeUninit<T>]);

impl<'a, T> OutSlice<'a, T> {
    /// Checks `ptr`: `CRM_NULL_POINTER` naming `argument` when it is NULL and `len` is not 0.
    ///
    /// # Safety
    /// `ptr` is NULL or valid, aligned and writable for `len` values of `T` during `'a`.
    pub(crate) unsafe fn new(ptr: *mut T, len: usize, argument: &str) -> Result<Self, Failure> {
        if ptr.is_null() {
            return if len == 0 {
                Ok(OutSlice(&mut []))
            } else {
                Err(Failure::null(argument))
            };
        }
        crate::args::array(ptr.cast_const(), len, argument)?;
        // SAFETY: per the function's contract.
        Ok(OutSlice(unsafe {
            std::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<T>>(), len)
        }))
    }

    /// Writes `values` from the start (at most `len` of them).
    pub(crate) fn write(self, values: impl IntoIterator<Item = T>) {
        for (slot, value) in self.0.iter_mut().zip(values) {
            slot.write(value);
        }
    }
}

/// Releases a `Box` handed to C; NULL is accepted.
///
/// # Safety
/// `ptr` is NULL or came from `Box::into_raw` of a `Box<T>` and is not used again.
pub(crate) unsafe fn free_box<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: per the function's contract.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// A place where a test can make a call panic, to test the boundary and poisoning; a no-op
/// outside `cargo test`.
#[cfg(not(test))]
#[inline(always)]
pub(crate) fn panic_point() {}

#[cfg(test)]
thread_local! {
    static PANIC_ARMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Makes the next [`panic_point`] on this thread panic.
#[cfg(test)]
pub(crate) fn arm_panic() {
    PANIC_ARMED.with(|a| a.set(true));
}

/// Panics once after [`arm_panic`].
#[cfg(test)]
pub(crate) fn panic_point() {
    if PANIC_ARMED.with(|a| a.replace(false)) {
        panic!("test panic");
    }
}
