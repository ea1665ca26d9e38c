//! The one error type of crm.
//!
//! Every fallible public function returns [`CrmError`]. Its [`ErrorKind`] is what bindings map
//! to a C status code or a Python exception class; its message names the field and the value
//! that were wrong, with personal data masked (see [`mask`]) because messages end up in logs.

use std::fmt;

/// What went wrong, coarsely; the message says precisely.
///
/// The enum is `#[non_exhaustive]`: bindings match it exhaustively inside this workspace so a
/// new kind breaks their build until they map it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value is malformed, out of range or inconsistent with the rest of the input.
    InvalidInput,
    /// An id (customer, complaint…) that the operation needs does not exist.
    NotFound,
    /// An id that must be new already exists.
    Duplicate,
    /// The input is well formed but not allowed in the current state (a complaint event out of
    /// order, an event dated before the customer existed…).
    Conflict,
    /// Text (JSON) could not be parsed into the expected shape.
    Parse,
    /// A snapshot was written by a format version this build cannot read.
    UnsupportedVersion,
    /// Reading or writing through a caller-supplied reader or writer failed.
    Io,
}

impl ErrorKind {
    /// A stable, lower-case name for the kind (`"invalid_input"`, `"not_found"`…).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Parse => "parse",
            ErrorKind::UnsupportedVersion => "unsupported_version",
            ErrorKind::Io => "io",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `Result` with [`CrmError`].
pub type Result<T, E = CrmError> = std::result::Result<T, E>;

/// The error of every fallible crm operation.
///
/// ```
/// use crm_core::{CrmError, ErrorKind};
/// let err = CrmError::invalid("amount", "-5", "must not be negative");
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// assert_eq!(err.field(), Some("amount"));
/// assert_eq!(err.to_string(), "invalid amount -5: must not be negative");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CrmError {
    kind: ErrorKind,
    field: Option<String>,
    message: String,
}

impl CrmError {
    /// An error of `kind` about `field` with a complete, human-readable `message`.
    pub fn new(kind: ErrorKind, field: Option<&str>, message: impl Into<String>) -> Self {
        CrmError {
            kind,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// `field` holds `value`, which is wrong because of `reason`.
    ///
    /// Pass personal values through [`mask`] first.
    pub fn invalid(field: &str, value: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::InvalidInput,
            Some(field),
            format!("invalid {field} {value}: {reason}"),
        )
    }

    /// No record with this id exists; `field` names the id (`customer_id`, `complaint_id`…).
    pub fn not_found(field: &str, value: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::NotFound,
            Some(field),
            format!("unknown {field} {value}"),
        )
    }

    /// A record with this id exists already.
    pub fn duplicate(field: &str, value: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::Duplicate,
            Some(field),
            format!("duplicate {field} {value}: already exists"),
        )
    }

    /// The value is well formed but not allowed in the current state.
    pub fn conflict(field: &str, value: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::Conflict,
            Some(field),
            format!("{field} {value} rejected: {reason}"),
        )
    }

    /// Text could not be parsed.
    pub fn parse(what: &str, detail: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::Parse,
            None,
            format!("could not parse {what}: {detail}"),
        )
    }

    /// The coarse kind, for mapping to status codes and exception classes.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The full message (also what `Display` prints).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `context` (such as `"event 17"`) put in front of the message.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

/// Masks personal data for error messages: keeps the first half of the characters, at most
/// four, and stars the rest, so the national id `"12345678901"` becomes `"1234*******"`.
///
/// The length stays visible on purpose: "an 11-character value" helps debugging without
/// revealing the value.
///
/// ```
/// assert_eq!(crm_core::error::mask("12345678901"), "1234*******");
/// assert_eq!(crm_core::error::mask("ab"), "a*");
/// ```
pub fn mask(value: &str) -> String {
    let n = value.chars().count();
    let keep = (n / 2).min(4);
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_half_at_most_four() {
        assert_eq!(mask(""), "");
        assert_eq!(mask("a"), "*");
        assert_eq!(mask("abc"), "a**");
        assert_eq!(mask("abcd"), "ab**");
        assert_eq!(mask("şükrü@örnek.com"), "şükr***********");
        assert_eq!(mask("+905321234567890123"), "+905***************");
    }

    #[test]
    fn context_prefixes_message_and_keeps_kind() {
        let e = CrmError::not_found("customer_id", 7).context("event 3");
        assert_eq!(e.to_string(), "event 3: unknown customer_id 7");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.field(), Some("customer_id"));
    }
}
