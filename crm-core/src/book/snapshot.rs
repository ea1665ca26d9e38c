//! A whole book as one serde value, with a format version.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use super::invariants::Scope;
use super::{BookConfig, CustomerBook};
use crate::error::{CrmError, ErrorKind, Result};
use crate::model::{Customer, Event, Incident};

/// The snapshot format this build writes; it reads this one only.
pub const SNAPSHOT_FORMAT_VERSION: u32 = 1;

/// Everything in a book, in recording order. Loading replays it through the same validation
/// as live calls, so a snapshot edited by hand cannot smuggle in an inconsistent book.
///
/// JSON form: `{"format_version": 1, "config": {...}, "customers": [...], "events": [...],
/// "incidents": [...]}` with the forms of [`Customer`], [`Event`] and [`Incident`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookSnapshot {
    /// [`SNAPSHOT_FORMAT_VERSION`] when written by this build.
    pub format_version: u32,
    /// Book settings.
    pub config: BookConfig,
    /// Customers in the order they were added.
    pub customers: Vec<Customer>,
    /// Events in the order they were recorded.
    pub events: Vec<Event>,
    /// Incidents in the order they were added.
    #[serde(default)]
    pub incidents: Vec<Incident>,
    /// Merges of duplicate customers, oldest first (their events are already under the
    /// survivors; this keeps the old ids resolving).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merges: Vec<super::MergeRecord>,
}

impl CustomerBook {
    /// The whole book as a snapshot.
    pub fn snapshot(&self) -> BookSnapshot {
        BookSnapshot {
            format_version: SNAPSHOT_FORMAT_VERSION,
            config: self.config.clone(),
            customers: self.customers.clone(),
            events: self.events().collect(),
            incidents: self.incidents.clone(),
            merges: self.merges.clone(),
        }
    }

    /// Rebuilds a book from a snapshot, validating everything.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedVersion`] for another format version; otherwise the errors of
    /// [`CustomerBook::add_customer`], [`CustomerBook::record`] and
    /// [`CustomerBook::add_incident`], with the record's position in front of the message.
    pub fn from_snapshot(snapshot: BookSnapshot) -> Result<Self> {
        if snapshot.format_version != SNAPSHOT_FORMAT_VERSION {
            return Err(CrmError::new(
                ErrorKind::UnsupportedVersion,
                Some("format_version"),
                format!(
                    "snapshot format_version {} is not supported (this build reads {})",
                    snapshot.format_version, SNAPSHOT_FORMAT_VERSION
                ),
            ));
        }
        let mut book = CustomerBook::new(snapshot.config)?;
        // `referred_by` may name a customer added later (profiles can be updated), so
        // referrers are restored once every customer is in, and checked with the rest.
        let mut referrers = Vec::with_capacity(snapshot.customers.len());
        let customers = snapshot.customers.into_iter().map(|mut c| {
            referrers.push(c.referred_by.take());
            c
        });
        book.add_customers(customers)?;
        for (c, referrer) in book.customers.iter_mut().zip(referrers) {
            c.referred_by = referrer;
        }
        book.record_all(snapshot.events)?;
        for (i, incident) in snapshot.incidents.into_iter().enumerate() {
            book.add_incident(incident)
                .map_err(|e| e.context(format_args!("incident #{i}")))?;
        }
        book.replay_merges(snapshot.merges)?;
        // The same invariants every live call keeps.
        book.check_invariants(Scope::All)?;
        Ok(book)
    }

    /// Writes the snapshot as JSON to `writer`, sealed with a checksum (the last field,
    /// `"checksum": "crc32:…"`, over the canonical JSON of the rest), and flushes it.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] when the writer fails, its flush included: a snapshot is never
    /// reported written when part of it was not.
    pub fn save_json(&self, mut writer: impl Write) -> Result<()> {
        let snapshot = self.snapshot();
        let sealed = Sealed {
            checksum: checksum(&snapshot)?,
            snapshot: &snapshot,
        };
        let write_error = |e: &dyn std::fmt::Display| {
            CrmError::new(
                ErrorKind::Io,
                None,
                format!("could not write the snapshot: {e}"),
            )
        };
        serde_json::to_writer(&mut writer, &sealed).map_err(|e| write_error(&e))?;
        writer.flush().map_err(|e| write_error(&e))
    }

    /// Reads a JSON snapshot written by [`CustomerBook::save_json`], verifying its checksum.
    /// A snapshot without a `checksum` field (written before checksums, or by hand) is still
    /// read: it is validated like any other, but damage inside a valid value goes unseen.
    ///
    /// # Errors
    /// [`ErrorKind::Parse`] for text that is not a snapshot and for a checksum that does not
    /// match the content (the file was damaged or edited; field `checksum`),
    /// [`ErrorKind::Io`] when the reader fails, and the errors of
    /// [`CustomerBook::from_snapshot`].
    ///
    /// ```
    /// # use crm_core::{book::CustomerBook, model::Customer, ErrorKind};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customer(Customer::person(1, "Elif", "Şahin"))?;
    /// let mut bytes = Vec::new();
    /// book.save_json(&mut bytes)?;
    /// let loaded = CustomerBook::load_json(bytes.as_slice())?;
    /// assert_eq!(loaded.snapshot(), book.snapshot());
    /// // One changed digit (the id 1 becomes 7) is caught by the checksum.
    /// let text = String::from_utf8(bytes).unwrap().replace("\"id\":1", "\"id\":7");
    /// let err = CustomerBook::load_json(text.as_bytes()).unwrap_err();
    /// assert_eq!((err.kind(), err.field()), (ErrorKind::Parse, Some("checksum")));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn load_json(reader: impl Read) -> Result<Self> {
        let stored: Stored =
            serde_json::from_reader(std::io::BufReader::new(reader)).map_err(|e| {
                if e.is_io() {
                    CrmError::new(
                        ErrorKind::Io,
                        None,
                        format!("could not read the snapshot: {e}"),
                    )
                } else {
                    CrmError::parse("the book snapshot", e)
                }
            })?;
        let expected = stored.checksum;
        let snapshot = BookSnapshot {
            format_version: stored.format_version,
            config: stored.config,
            customers: stored.customers,
            events: stored.events,
            incidents: stored.incidents,
            merges: stored.merges,
        };
        if let Some(expected) = expected {
            let actual = checksum(&snapshot)?;
            if actual != expected {
                return Err(CrmError::new(
                    ErrorKind::Parse,
                    Some("checksum"),
                    format!(
                        "could not parse the book snapshot: checksum {expected:?} does not \
                         match the content ({actual}); the snapshot is damaged or was edited"
                    ),
                ));
            }
        }
        Self::from_snapshot(snapshot)
    }
}

/// What [`CustomerBook::save_json`] writes: the snapshot's fields, then its checksum.
#[derive(Serialize)]
struct Sealed<'a> {
    #[serde(flatten)]
    snapshot: &'a BookSnapshot,
    checksum: String,
}

/// What [`CustomerBook::load_json`] reads: [`BookSnapshot`]'s fields and the optional
/// checksum. A mirror rather than `#[serde(flatten)]`, which would buffer the whole book.
#[derive(Deserialize)]
struct Stored {
    format_version: u32,
    config: BookConfig,
    customers: Vec<Customer>,
    events: Vec<Event>,
    #[serde(default)]
    incidents: Vec<Incident>,
    #[serde(default)]
    merges: Vec<super::MergeRecord>,
    checksum: Option<String>,
}

/// `crc32:` and the CRC-32 (IEEE, the `crc32fast` crate) of the snapshot's canonical JSON,
/// the compact form `serde_json` writes. Loading recomputes it from the parsed values, so
/// any change to a value (a flipped digit in an amount, an id or a date) shows, while the
/// text may be re-indented. CRC-32 catches every change of up to 32 consecutive bits and
/// others with odds of 2⁻³²: it guards against damage, not against a forger.
fn checksum(snapshot: &BookSnapshot) -> Result<String> {
    struct Crc(crc32fast::Hasher);
    impl Write for Crc {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut crc = Crc(crc32fast::Hasher::new());
    serde_json::to_writer(&mut crc, snapshot).map_err(|e| {
        CrmError::new(
            ErrorKind::Io,
            None,
            format!("could not write the snapshot: {e}"),
        )
    })?;
    Ok(format!("crc32:{:08x}", crc.0.finalize()))
}
