//! How a store is opened: [`StoreOptions`] and its JSON form.

use std::time::Duration;

use crm_core::book::EarlyEvents;
use serde::{Deserialize, Serialize};

/// How hard SQLite pushes each commit to the disk (`PRAGMA synchronous`, in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Synchronous {
    /// The default: the write-ahead log is fsynced at every commit, so a call that returned
    /// survives a crash of the process *and* a power loss or OS crash.
    #[default]
    Full,
    /// The log is fsynced only at checkpoints: faster, and a crash of the process loses
    /// nothing, but a power loss or OS crash may lose the last commits before the
    /// checkpoint (the store stays consistent; the lost calls had returned success).
    Normal,
}

/// Options for [`crate::open`]. JSON (every field optional):
/// `{"create": true, "currency": "TRY", "early_events": "reject", "synchronous": "full",
/// "busy_timeout_ms": 5000, "verify": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreOptions {
    /// Create the store when the location holds none (default `true`). With `false`, a
    /// missing store is [`crm_core::ErrorKind::NotFound`].
    pub create: bool,
    /// The book's currency: needed to create a store; when given for an existing store it
    /// must be the store's (else [`crm_core::ErrorKind::Conflict`]). Default `None`.
    pub currency: Option<String>,
    /// Whether events before a customer's acquisition are accepted, for a new store (an
    /// existing store keeps its own setting). Default [`EarlyEvents::Reject`].
    pub early_events: EarlyEvents,
    /// Durability of each commit. Default [`Synchronous::Full`].
    pub synchronous: Synchronous,
    /// How long a writer waits for another process's write lock before failing with
    /// [`crm_core::ErrorKind::Io`]. Default 5 s. JSON: `busy_timeout_ms`.
    #[serde(rename = "busy_timeout_ms", with = "millis")]
    pub busy_timeout: Duration,
    /// Run SQLite's `PRAGMA quick_check` when the store is opened (default `true`): a
    /// damaged file is refused at open instead of failing later half-way through a read.
    pub verify: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            create: true,
            currency: None,
            early_events: EarlyEvents::default(),
            synchronous: Synchronous::default(),
            busy_timeout: Duration::from_secs(5),
            verify: true,
        }
    }
}

impl StoreOptions {
    /// The defaults, with `currency` for a new store.
    pub fn with_currency(currency: &str) -> Self {
        StoreOptions {
            currency: Some(currency.to_owned()),
            ..StoreOptions::default()
        }
    }

    /// Parses the JSON form (unknown fields are refused, so a typo is not ignored).
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Parse`] for text that is not the form above.
    ///
    /// ```
    /// let o = crm_store::StoreOptions::from_json(r#"{"currency": "TRY", "busy_timeout_ms": 250}"#)?;
    /// assert_eq!(o.busy_timeout, std::time::Duration::from_millis(250));
    /// assert!(o.create);
    /// assert!(crm_store::StoreOptions::from_json(r#"{"synchronus": "full"}"#).is_err());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self, crm_core::CrmError> {
        serde_json::from_str(text).map_err(|e| crm_core::CrmError::parse("the store options", e))
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
