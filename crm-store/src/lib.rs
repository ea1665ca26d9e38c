//! Durability for crm: where the book meets the file system. `crm-core` is pure (no I/O);
//! everything that touches files lives here, so the C and Python skins save and load through
//! one implementation.
//!
//! - [`file`](mod@file): a book's JSON snapshot saved to a path atomically (temporary file, fsync,
//!   rename, fsync of the folder) and loaded back.

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod file;

pub use file::{load_book, save_book};
