//! # crm-core
//!
//! The pure domain core of crm, an embeddable customer-relationship-management library:
//! the customer model, the customer book with its 360° view, and (in later modules) value
//! keys, segmentation, lifecycle, complaint SLAs, data quality and lifetime value.
//!
//! Data flows one way: records and events in → the [`book::CustomerBook`] → engines →
//! results out. The core does no I/O, keeps no globals and never reads a clock: every
//! function that depends on time takes the instant as an argument.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use crm_core::book::{CustomerBook, ViewOptions};
//! use crm_core::sample::SampleConfig;
//!
//! let sample = SampleConfig::new(200).seed(7).generate();
//! let book = sample.into_book()?;
//! let as_of = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let features = book.features(as_of);
//! assert_eq!(features.len(), book.len());
//! let first = book.customers().next().unwrap().id;
//! let view = book.view(first, &ViewOptions::as_of(as_of))?;
//! assert_eq!(view.profile.id, first);
//! # Ok::<(), crm_core::CrmError>(())
//! ```

#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod audience;
pub mod book;
pub mod campaign;
pub mod clv;
pub mod error;
pub mod features;
pub mod json;
pub mod lifecycle;
pub mod limits;
pub mod model;
#[allow(unsafe_code)]
pub mod parallel;
pub mod quality;
#[cfg(feature = "sample")]
pub mod sample;
pub mod segment;
pub mod sla;
pub mod time;
pub mod transactions;
pub mod value;
pub mod worklist;

pub use error::{CrmError, ErrorKind, Result};

/// The README's Rust examples, compiled and run as doc-tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
