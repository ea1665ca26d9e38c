//! Result structs that own columns: built from vectors, freed by one generated `release`.
//!
//! `owned_columns!` implements [`OwnedColumns::release`] by destructuring the struct without
//! `..`, so a field the list forgets (or a field added to the struct later) fails the build
//! instead of leaking; the struct literal that builds a result names every field for the
//! same reason.

use std::ffi::{CString, c_char};

use crate::ffi::Out;

/// A column handed to C: the vector's buffer, released by [`OwnedColumns::release`].
pub(crate) fn leak<T>(v: Vec<T>) -> *const T {
    Box::into_raw(v.into_boxed_slice()) as *const T
}

/// Strings handed to C as an array of NUL-terminated UTF-8 pointers.
pub(crate) fn leak_strings<S: AsRef<str>>(strings: &[S]) -> *const *const c_char {
    leak(
        strings
            .iter()
            .map(|s| crate::args::owned_string(s.as_ref().to_owned()) as *const c_char)
            .collect(),
    )
}

/// # Safety
/// `p` came from [`leak`] of a vector of `len` elements and is released once.
pub(crate) unsafe fn unleak<T>(p: *const T, len: usize) {
    if !p.is_null() {
        // SAFETY: per the function's contract.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(p as *mut T, len)) });
    }
}

/// # Safety
/// `p` came from [`leak_strings`] of `len` strings and is released once.
pub(crate) unsafe fn unleak_strings(p: *const *const c_char, len: usize) {
    if p.is_null() {
        return;
    }
    for i in 0..len {
        // SAFETY: each pointer came from CString::into_raw in `owned_string`.
        drop(unsafe { CString::from_raw(*p.add(i) as *mut c_char) });
    }
    // SAFETY: per the function's contract.
    unsafe { unleak(p, len) }
}

/// A `#[repr(C)]` result whose pointer fields own columns built by [`leak`].
pub(crate) trait OwnedColumns: Sized {
    /// Releases every column.
    ///
    /// # Safety
    /// The struct was built with columns from [`leak`] / [`leak_strings`] of the lengths its
    /// count fields say, and they are not used again.
    unsafe fn release(self);

    /// Hands the result to C through `out`.
    fn into_out(self, out: Out<'_, *mut Self>) {
        out.write(Box::into_raw(Box::new(self)));
    }

    /// What the result's `_free` does: releases the struct and its columns; NULL is
    /// accepted.
    ///
    /// # Safety
    /// `ptr` is NULL or came from [`OwnedColumns::into_out`] and is not used again.
    unsafe fn free(ptr: *mut Self) {
        if ptr.is_null() {
            return;
        }
        // SAFETY: per the function's contract it came from Box::into_raw in `into_out`.
        let this = *unsafe { Box::from_raw(ptr) };
        // SAFETY: per the function's contract.
        unsafe { this.release() };
    }
}

/// `owned_columns!(T { count => [columns…], …; strings count => [columns…]; plain [fields…] })`
/// implements [`OwnedColumns`] for `T`: each column is released with the count named before
/// it. Every field of `T` must appear exactly once (the destructuring has no `..`).
macro_rules! owned_columns {
    (
        $ty:ident {
            $($len:ident => [$($col:ident),* $(,)?]),* $(,)?
            $(; strings $slen:ident => [$($scol:ident),* $(,)?])?
            $(; plain [$($plain:ident),* $(,)?])?
        }
    ) => {
        impl $crate::columns::OwnedColumns for $ty {
            unsafe fn release(self) {
                let $ty {
                    $($len, $($col,)*)*
                    $($slen, $($scol,)*)?
                    $($($plain: _,)*)?
                } = self;
                // SAFETY: per the trait's contract, each column has the length of its count.
                unsafe {
                    $($($crate::columns::unleak($col, $len);)*)*
                    $($($crate::columns::unleak_strings($scol, $slen);)*)?
                }
            }
        }
    };
}

pub(crate) use owned_columns;
