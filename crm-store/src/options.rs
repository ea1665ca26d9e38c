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
/// "busy_timeout_ms": 5000, "verify": true, "full_check": false}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreOptions {
    /// Create the store when the location holds none (default `true`). With `false`, a
    /// missing store is [`crm_core::ErrorKind::NotFound`]. A SQLite file that holds no data
    /// (empty, or a creation killed before its one transaction committed) counts as no
    /// store: created afresh with `true`, `NotFound` with `false`.
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
    /// Check the file when the store is opened (default `true`): SQLite's `PRAGMA
    /// quick_check` over the change log (`changes`), the one large table the opening does
    /// not read whole. Every other table is read row by row into the book, and SQLite
    /// refuses a damaged page of those as it reads them (tested with truncated and
    /// overwritten files), so damaged table pages are refused at open either way, never
    /// loaded as a partial book; checking only the log costs a fraction of checking the
    /// file twice. Not checked by default: the other tables' indexes and the free list
    /// (use [`StoreOptions::full_check`] for those). `false` skips the log's check (a damaged log page then fails the first
    /// `refresh` or `changes` that reads it, with [`crm_core::ErrorKind::Parse`]).
    pub verify: bool,
    /// Run `PRAGMA quick_check` over the whole file at open instead (default `false`):
    /// every table and index and the free list, at the cost of reading the whole file
    /// once more (on a store of 1M customers and 13M events that was most of the open's
    /// wall time). JSON: `full_check`.
    pub full_check: bool,
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
            full_check: false,
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

    /// Parses the JSON form. A value of the wrong type or out of range is refused naming
    /// its key and the value as given (none of these options is personal data, so nothing
    /// is masked; a long value is cut at 40 characters); an unknown key is refused, with
    /// the closest known key as a suggestion, so a typo is not ignored.
    ///
    /// # Errors
    /// [`crm_core::ErrorKind::Parse`] for text that is not the form above, with
    /// [`crm_core::CrmError::field`] the key at fault.
    ///
    /// ```
    /// use crm_store::StoreOptions;
    /// let o = StoreOptions::from_json(r#"{"currency": "TRY", "busy_timeout_ms": 250}"#)?;
    /// assert_eq!(o.busy_timeout, std::time::Duration::from_millis(250));
    /// assert!(o.create);
    /// let e = StoreOptions::from_json(r#"{"synchronus": "full"}"#).unwrap_err();
    /// assert!(e.to_string().ends_with("(did you mean `synchronous`?)"), "{e}");
    /// let e = StoreOptions::from_json(r#"{"synchronous": "off"}"#).unwrap_err();
    /// assert_eq!(e.field(), Some("synchronous"));
    /// assert!(e.to_string().contains(r#"synchronous "off""#), "{e}");
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self, crm_core::CrmError> {
        // Key by key rather than one derived `Deserialize`: serde's message for a value of
        // the wrong type names neither the key nor (after `CrmError::parse`'s masking, right
        // for records that hold personal data) the value.
        let what = "the store options";
        let map: serde_json::Map<String, serde_json::Value> = crm_core::json::parse(what, text)?;
        let mut options = StoreOptions::default();
        for (key, value) in map {
            match key.as_str() {
                "create" => options.create = option_value(&key, value)?,
                "currency" => options.currency = option_value(&key, value)?,
                "early_events" => options.early_events = option_value(&key, value)?,
                "synchronous" => options.synchronous = option_value(&key, value)?,
                "busy_timeout_ms" => {
                    options.busy_timeout = Duration::from_millis(option_value(&key, value)?);
                }
                "verify" => options.verify = option_value(&key, value)?,
                "full_check" => options.full_check = option_value(&key, value)?,
                _ => {
                    let e = <serde_json::Error as serde::de::Error>::unknown_field(&key, KEYS);
                    return Err(crm_core::CrmError::parse(what, e));
                }
            }
        }
        Ok(options)
    }
}

/// The keys of the JSON form, as [`StoreOptions`]' `Serialize` writes them.
const KEYS: &[&str] = &[
    "create",
    "currency",
    "early_events",
    "synchronous",
    "busy_timeout_ms",
    "verify",
    "full_check",
];

/// The value of option `key`, or an error naming the key and the value.
fn option_value<T: serde::de::DeserializeOwned>(
    key: &str,
    value: serde_json::Value,
) -> Result<T, crm_core::CrmError> {
    let mut shown = value.to_string();
    if let Some((cut, _)) = shown.char_indices().nth(40) {
        shown.truncate(cut);
        shown.push('…');
    }
    serde_json::from_value(value).map_err(|e| {
        // serde words these `<what it got>, expected <what it wants>`, repeating the value
        // whole; only the wanted part is kept, the value is shown (cut) once.
        let e = e.to_string();
        let detail = match e.rsplit_once(", expected ") {
            Some((_, wanted)) => format!("expected {wanted}"),
            None => e,
        };
        crm_core::CrmError::new(
            crm_core::ErrorKind::Parse,
            Some(key),
            format!("could not parse the store options: {key} {shown} is not allowed ({detail})"),
        )
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::ErrorKind;

    fn refused(text: &str) -> crm_core::CrmError {
        let e = StoreOptions::from_json(text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
        e
    }

    #[test]
    fn a_bad_value_names_its_key_and_the_value() {
        let e = refused(r#"{"busy_timeout_ms": "x"}"#);
        assert_eq!(e.field(), Some("busy_timeout_ms"));
        assert_eq!(
            e.to_string(),
            r#"could not parse the store options: busy_timeout_ms "x" is not allowed (expected u64)"#
        );
        let e = refused(r#"{"busy_timeout_ms": -5}"#);
        assert_eq!(
            e.to_string(),
            "could not parse the store options: busy_timeout_ms -5 is not allowed (expected u64)"
        );
        let e = refused(r#"{"create": "yes"}"#);
        assert_eq!(e.field(), Some("create"));
        assert!(
            e.to_string()
                .contains(r#"create "yes" is not allowed (expected a boolean)"#)
        );
        let e = refused(r#"{"early_events": "later"}"#);
        assert!(
            e.to_string().ends_with(
                r#"early_events "later" is not allowed (expected `reject` or `accept`)"#
            ),
            "{e}"
        );
    }

    #[test]
    fn the_rejected_synchronous_mode_is_shown_unmasked() {
        let e = refused(r#"{"currency": "TRY", "synchronous": "off"}"#);
        assert_eq!(e.field(), Some("synchronous"));
        assert_eq!(
            e.to_string(),
            "could not parse the store options: synchronous \"off\" is not allowed \
             (expected `full` or `normal`)"
        );
    }

    #[test]
    fn a_long_value_is_cut() {
        let long = "n".repeat(100);
        let e = refused(&format!(r#"{{"synchronous": "{long}"}}"#));
        // The opening quote and 39 letters, then the ellipsis.
        let shown = format!("synchronous \"{}… is not allowed", "n".repeat(39));
        assert!(e.to_string().contains(&shown), "{e}");
        assert!(!e.to_string().contains(&"n".repeat(41)), "{e}");
    }

    #[test]
    fn unknown_keys_are_refused_with_a_suggestion() {
        let e = refused(r#"{"synchronus": "full"}"#);
        assert_eq!(e.field(), Some("synchronus"));
        assert!(
            e.to_string().ends_with("(did you mean `synchronous`?)"),
            "{e}"
        );
        let e = refused(r#"{"busy_timeout": 10}"#);
        assert!(
            e.to_string().ends_with("(did you mean `busy_timeout_ms`?)"),
            "{e}"
        );
        let e = refused(r#"{"colour": 1}"#);
        assert_eq!(e.field(), Some("colour"));
        assert!(!e.to_string().contains("did you mean"), "{e}");
        // Not an object, or not JSON at all.
        refused("[1]");
        refused("{");
    }

    #[test]
    fn every_key_written_is_read_back() {
        let options = StoreOptions {
            create: false,
            currency: Some("EUR".into()),
            early_events: EarlyEvents::Accept,
            synchronous: Synchronous::Normal,
            busy_timeout: Duration::from_millis(1234),
            verify: false,
            full_check: true,
        };
        let value = serde_json::to_value(&options).unwrap();
        let written: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut known = KEYS.to_vec();
        known.sort_unstable();
        let mut written_sorted = written.clone();
        written_sorted.sort_unstable();
        assert_eq!(written_sorted, known);
        assert_eq!(
            StoreOptions::from_json(&value.to_string()).unwrap(),
            options
        );
        assert_eq!(
            StoreOptions::from_json("{}").unwrap(),
            StoreOptions::default()
        );
        let none = StoreOptions::from_json(r#"{"currency": null}"#).unwrap();
        assert_eq!(none.currency, None);
    }
}
