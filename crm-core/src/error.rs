//! The one error type of crm.
//!
//! Every fallible public function returns [`CrmError`]. Its [`ErrorKind`] is what bindings map
//! to a C status code or a Python exception class; its message names the field and the value
//! that were wrong, with personal data masked (see [`mask`]) because messages end up in logs.

use std::fmt;

/// What went wrong, coarsely; the message says precisely.
///
/// The enum is deliberately *not* `#[non_exhaustive]`: the C status map (crm-ffi) and the
/// Python exception map (crm-py) each match it exhaustively, without a wildcard arm, so a new
/// kind breaks both skins' build until they map it. A new kind also goes into
/// [`ErrorKind::ALL`], which the skins' tests walk to check that every kind has its own status
/// and exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Every kind, once each, in declaration order.
    ///
    /// ```
    /// use crm_core::ErrorKind;
    /// assert_eq!(ErrorKind::ALL[0], ErrorKind::InvalidInput);
    /// assert!(ErrorKind::ALL.contains(&ErrorKind::Io));
    /// ```
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::InvalidInput,
        ErrorKind::NotFound,
        ErrorKind::Duplicate,
        ErrorKind::Conflict,
        ErrorKind::Parse,
        ErrorKind::UnsupportedVersion,
        ErrorKind::Io,
    ];

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
    candidates: Candidates,
}

/// The likely duplicates a refused customer matched, as `(customer id, probability)`:
/// data beside the message, so that skins hand them over whole (the message lists ten).
#[derive(Debug, Clone, Default)]
struct Candidates(Vec<(u64, f64)>);

// Probabilities compare by their bits, so that `CrmError` stays `Eq` (no NaN comes here).
impl PartialEq for Candidates {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
    }
}

impl Eq for Candidates {}

impl CrmError {
    /// An error of `kind` about `field` with a complete, human-readable `message`.
    pub fn new(kind: ErrorKind, field: Option<&str>, message: impl Into<String>) -> Self {
        CrmError {
            kind,
            field: field.map(str::to_owned),
            message: message.into(),
            candidates: Candidates::default(),
        }
    }

    /// The same error carrying `candidates` (`(customer id, probability)`, best first): the
    /// likely duplicates of a customer refused with [`ErrorKind::Duplicate`].
    pub fn with_candidates(mut self, candidates: Vec<(u64, f64)>) -> Self {
        self.candidates = Candidates(candidates);
        self
    }

    /// The likely duplicates a refused customer matched, `(customer id, probability)` best
    /// first; empty for every other error.
    ///
    /// ```
    /// use crm_core::CrmError;
    /// let err = CrmError::duplicate("customer_id", 7).with_candidates(vec![(3, 0.98)]);
    /// assert_eq!(err.candidates(), &[(3, 0.98)]);
    /// assert!(CrmError::not_found("customer_id", 7).candidates().is_empty());
    /// ```
    pub fn candidates(&self) -> &[(u64, f64)] {
        &self.candidates.0
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

    /// Text could not be parsed into `what`; `detail` is the parser's (serde's) message.
    ///
    /// serde's category, the field and variant names of the schema, an unknown field's name
    /// (a key, not a value: ``unknown field `nwe_days` ``) and the line and column stay; the
    /// *value* serde quotes from the input (``integer `12345678901` ``,
    /// `string "ali@ornek.com"`, ``unknown variant `…` ``) is replaced entirely, each character
    /// by `*`, so only its length shows: such values are often personal data (a national id, an
    /// e-mail address, a phone number), and messages end up in logs. [`mask`]'s kept prefix
    /// would still show the start of an e-mail's local part, so it is not used here.
    ///
    /// ```
    /// use crm_core::{CrmError, ErrorKind, model::Customer};
    /// let serde_err = serde_json::from_str::<Customer>(r#"{"id": 1, "national_id": 12345678901}"#)
    ///     .unwrap_err();
    /// let err = CrmError::parse("the customer", serde_err);
    /// assert_eq!(err.kind(), ErrorKind::Parse);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "could not parse the customer: invalid type: integer `***********`, \
    ///      expected a string at line 1 column 36"
    /// );
    /// ```
    ///
    /// An unknown or missing field is the error's [`CrmError::field`], and an unknown field
    /// close to one of the expected names gets a suggestion:
    ///
    /// ```
    /// use crm_core::{CrmError, model::Customer};
    /// let e = serde_json::from_str::<Customer>(r#"{"id": 1, "email": ["a@b.co"]}"#).unwrap_err();
    /// let err = CrmError::parse("the customer", e);
    /// assert_eq!(err.field(), Some("email"));
    /// assert!(err.to_string().ends_with("(did you mean `emails`?)"), "{err}");
    /// let e = serde_json::from_str::<Customer>(r#"{"given_name": "X"}"#).unwrap_err();
    /// assert_eq!(CrmError::parse("the customer", e).field(), Some("id"));
    /// ```
    pub fn parse(what: &str, detail: impl fmt::Display) -> Self {
        let detail = hide_quoted_value(&detail.to_string());
        let field = schema_field(&detail);
        let hint = suggestion(&detail)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        Self::new(
            ErrorKind::Parse,
            field,
            format!("could not parse {what}: {detail}{hint}"),
        )
    }

    /// A result could not be written as JSON (`detail` is serde's message, its quoted values
    /// hidden as in [`CrmError::parse`]). crm's own result types always serialise, so this is
    /// reported rather than expected; its kind is [`ErrorKind::InvalidInput`], as a value that
    /// cannot be written as JSON is for Python's `json.dumps` (`ValueError`).
    ///
    /// ```
    /// use crm_core::{CrmError, ErrorKind};
    /// let err = CrmError::serialize("the report", "key must be a string");
    /// assert_eq!(err.kind(), ErrorKind::InvalidInput);
    /// assert_eq!(err.to_string(), "could not serialise the report: key must be a string");
    /// ```
    pub fn serialize(what: &str, detail: impl fmt::Display) -> Self {
        let detail = hide_quoted_value(&detail.to_string());
        Self::new(
            ErrorKind::InvalidInput,
            None,
            format!("could not serialise {what}: {detail}"),
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

/// The field name serde's `unknown field `…`` or `missing field `…`` message is about.
fn schema_field(detail: &str) -> Option<&str> {
    ["unknown field `", "missing field `"].iter().find_map(|p| {
        let rest = detail.strip_prefix(p)?;
        rest.find('`').map(|end| &rest[..end])
    })
}

/// For serde's ``unknown field `x`, expected one of `a`, `b` `` (or ``expected `a` ``,
/// ``expected `a` or `b` ``), the expected name closest to `x`, when it is close: at most two
/// edits (Damerau-Levenshtein, strsim) and fewer than half of its letters, or `x` a prefix
/// of it (`email` for `emails`).
fn suggestion(detail: &str) -> Option<&str> {
    let rest = detail.strip_prefix("unknown field `")?;
    let end = rest.find('`')?;
    let (unknown, expected) = (&rest[..end], &rest[end..]);
    let expected = expected.strip_prefix("`, expected ")?;
    let expected = expected.split(" at line ").next().unwrap_or(expected);
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|name| (strsim::damerau_levenshtein(unknown, name), name))
        .filter(|&(d, name)| {
            (d <= 2 && 2 * d < name.chars().count())
                || (!unknown.is_empty() && name.starts_with(unknown))
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, name)| name)
}

/// serde's message with the input value it quotes replaced by stars (see [`CrmError::parse`]).
///
/// serde words its data errors in a few fixed shapes (`serde::de::Error`'s provided methods
/// and `serde::de::Unexpected`'s `Display`); the value is found by shape rather than by looking
/// for any quote, because syntax errors quote tokens of the grammar (``expected `,` or `]` ``)
/// and the schema's names (``missing field `id` ``) that are not input and help the reader.
/// A value that itself contains a quote, a backtick or `", expected "` is still hidden whole.
fn hide_quoted_value(text: &str) -> String {
    let stars = |s: &str| "*".repeat(s.chars().count());
    for prefix in ["invalid type: ", "invalid value: "] {
        let Some(rest) = text.strip_prefix(prefix) else {
            continue;
        };
        let head = &text[..prefix.len()];
        // `string {:?}`: a Debug-quoted string, so an inner `"` is escaped as `\"`.
        if let Some(body) = rest.strip_prefix("string \"") {
            let mut escaped = false;
            let end = body.char_indices().find_map(|(i, c)| match c {
                _ if escaped => {
                    escaped = false;
                    None
                }
                '\\' => {
                    escaped = true;
                    None
                }
                '"' => Some(i),
                _ => None,
            });
            return match end {
                Some(end) => format!(
                    "{head}string \"{}\"{}",
                    stars(&body[..end]),
                    &body[end + 1..]
                ),
                None => format!("{head}string \"{}", stars(body)),
            };
        }
        // `boolean `…``, `integer `…``, `floating point `…``: no backtick inside the value;
        // `character `…``: one character, which may be a backtick.
        for word in ["boolean `", "integer `", "floating point `", "character `"] {
            if let Some(body) = rest.strip_prefix(word) {
                let from = if word == "character `" {
                    body.chars().next().map_or(0, char::len_utf8)
                } else {
                    0
                };
                let end = body[from..].find('`').map_or(body.len(), |i| from + i);
                let tail = body.get(end + 1..).unwrap_or("");
                return format!("{head}{word}{}`{tail}", stars(&body[..end]));
            }
        }
        // Shapes that quote no value (`sequence`, `map`, `unit value`…) stay; anything else
        // is serde's `Unexpected::Other`, free text, hidden up to the expectation.
        const NO_VALUE: [&str; 12] = [
            "null",
            "byte array",
            "unit value",
            "Option value",
            "newtype struct",
            "sequence",
            "map",
            "enum",
            "unit variant",
            "newtype variant",
            "tuple variant",
            "struct variant",
        ];
        let end = rest.rfind(", expected ").unwrap_or(rest.len());
        if NO_VALUE.contains(&&rest[..end]) {
            return text.to_owned();
        }
        return format!("{head}{}{}", stars(&rest[..end]), &rest[end..]);
    }
    // `unknown variant `…``: the value came from the input; the list of expected names after
    // it is the schema's. The value may hold anything, so it ends at the last "`, " that starts
    // serde's own continuation. (`unknown field `…`` names a key of the input, not a value: a
    // misspelt field name is what the reader needs to see, so it stays.)
    if let Some(rest) = text.strip_prefix("unknown variant `") {
        let end = ["`, expected ", "`, there are no "]
            .iter()
            .filter_map(|d| rest.rfind(d))
            .max()
            .unwrap_or(rest.len());
        return format!("unknown variant `{}{}", stars(&rest[..end]), &rest[end..]);
    }
    text.to_owned()
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

    /// The kinds as declared in the enum above, read from this file's source, so that a kind
    /// added to the enum but not to `ALL` fails here.
    fn declared_kinds() -> Vec<&'static str> {
        let source = include_str!("error.rs");
        let body = source
            .split_once("pub enum ErrorKind {")
            .and_then(|(_, rest)| rest.split_once("\n}"))
            .map(|(body, _)| body)
            .expect("the enum is in this file");
        body.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("//") && !l.starts_with('#') && l.ends_with(','))
            .map(|l| l.trim_end_matches(','))
            .collect()
    }

    #[test]
    fn all_lists_every_kind_once() {
        // One arm per kind, no wildcard: a new kind does not compile here until it is counted.
        let name = |k: ErrorKind| match k {
            ErrorKind::InvalidInput => "InvalidInput",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::Duplicate => "Duplicate",
            ErrorKind::Conflict => "Conflict",
            ErrorKind::Parse => "Parse",
            ErrorKind::UnsupportedVersion => "UnsupportedVersion",
            ErrorKind::Io => "Io",
        };
        let listed: Vec<&str> = ErrorKind::ALL.iter().map(|&k| name(k)).collect();
        assert_eq!(
            listed,
            [
                "InvalidInput",
                "NotFound",
                "Duplicate",
                "Conflict",
                "Parse",
                "UnsupportedVersion",
                "Io"
            ]
        );
        assert_eq!(
            listed,
            declared_kinds(),
            "ALL must list the enum's kinds in order"
        );
        let mut names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            ErrorKind::ALL.len(),
            "as_str names are distinct"
        );
    }

    #[test]
    fn serde_values_are_hidden_and_the_rest_stays() {
        let cases = [
            (
                "invalid type: integer `12345678901`, expected a string at line 1 column 36",
                "invalid type: integer `***********`, expected a string at line 1 column 36",
            ),
            (
                "invalid type: string \"ali@ornek.com\", expected a sequence",
                "invalid type: string \"*************\", expected a sequence",
            ),
            // An escaped quote and serde's own delimiter inside the value: hidden whole.
            (
                r#"invalid value: string "a\", expected x", expected u64 at line 2 column 3"#,
                r#"invalid value: string "***************", expected u64 at line 2 column 3"#,
            ),
            (
                "invalid value: string \"unterminated",
                "invalid value: string \"************",
            ),
            (
                "invalid type: boolean `true`, expected a string",
                "invalid type: boolean `****`, expected a string",
            ),
            (
                "invalid type: floating point `-1.5`, expected u64",
                "invalid type: floating point `****`, expected u64",
            ),
            (
                "invalid type: character `ş`, expected a number",
                "invalid type: character `*`, expected a number",
            ),
            (
                "invalid type: character ```, expected a number",
                "invalid type: character `*`, expected a number",
            ),
            (
                "invalid value: integer `-1`, expected u64 at line 1 column 9",
                "invalid value: integer `**`, expected u64 at line 1 column 9",
            ),
            (
                "invalid type: something 05321234567, expected a map",
                "invalid type: *********************, expected a map",
            ),
            (
                "unknown variant `a`b, expected c`, expected `person` or `organisation`",
                "unknown variant `***************`, expected `person` or `organisation`",
            ),
            (
                "unknown variant `ali@ornek.com`, there are no variants",
                "unknown variant `*************`, there are no variants",
            ),
            // Nothing of the input's values is quoted here: unchanged (a misspelt key stays).
            (
                "unknown field `nwe_days`, expected one of `new_days`, `churn_days`",
                "unknown field `nwe_days`, expected one of `new_days`, `churn_days`",
            ),
            (
                "invalid type: null, expected a sequence at line 1 column 65",
                "invalid type: null, expected a sequence at line 1 column 65",
            ),
            (
                "invalid type: map, expected a string",
                "invalid type: map, expected a string",
            ),
            (
                "missing field `type` at line 1 column 45",
                "missing field `type` at line 1 column 45",
            ),
            (
                "expected `,` or `}` at line 1 column 10",
                "expected `,` or `}` at line 1 column 10",
            ),
            (
                "invalid length 3, expected 2 elements",
                "invalid length 3, expected 2 elements",
            ),
            ("input is out of range", "input is out of range"),
        ];
        for (serde, shown) in cases {
            assert_eq!(hide_quoted_value(serde), shown, "for {serde}");
        }
    }

    /// Customers whose national id, e-mail and phone are malformed (a number where text is
    /// expected, a string where a list is expected), parsed the way the skins parse them.
    const MALFORMED: [(&str, &str); 4] = [
        (r#"{"id": 1, "national_id": 12345678901}"#, "12345678901"),
        (r#"{"id": 1, "emails": "ali@ornek.com"}"#, "ali@ornek.com"),
        (r#"{"id": 1, "phones": [5321234567]}"#, "5321234567"),
        (r#"{"id": 1, "phones": "+90 532 123 45 67"}"#, "532 123"),
    ];

    #[test]
    fn customer_parse_errors_show_no_personal_data() {
        for (text, secret) in MALFORMED {
            let e = serde_json::from_str::<crate::model::Customer>(text).unwrap_err();
            assert!(e.to_string().contains(secret), "serde shows it: {e}");
            let err = CrmError::parse("the customer", &e);
            assert_eq!(err.kind(), ErrorKind::Parse);
            let msg = err.to_string();
            assert!(!msg.contains(secret), "{msg}");
            for fragment in ["1234", "ali@", "ornek", "532"] {
                assert!(!msg.contains(fragment), "{fragment} in {msg}");
            }
            assert!(
                msg.starts_with("could not parse the customer: invalid type: "),
                "{msg}"
            );
            assert!(msg.contains(" at line 1 column "), "{msg}");
            // Without a position (parsed from a `serde_json::Value`, as batches are).
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let e = serde_json::from_value::<crate::model::Customer>(value).unwrap_err();
            let msg = CrmError::parse("customers", e).to_string();
            assert!(!msg.contains(secret), "{msg}");
        }
    }

    #[test]
    fn a_snapshot_with_a_malformed_customer_loads_with_a_masked_error() {
        let book = crate::book::CustomerBook::with_currency("TRY").unwrap();
        let mut bytes = Vec::new();
        book.save_json(&mut bytes).unwrap();
        let snapshot: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        for (customer, secret) in MALFORMED {
            let mut s = snapshot.clone();
            s["customers"] =
                serde_json::json!([serde_json::from_str::<serde_json::Value>(customer).unwrap()]);
            let text = s.to_string();
            let err = crate::book::CustomerBook::load_json(text.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Parse);
            let msg = err.to_string();
            assert!(
                msg.starts_with("could not parse the book snapshot: invalid type: "),
                "{msg}"
            );
            assert!(!msg.contains(secret), "{msg}");
        }
    }

    #[test]
    fn context_prefixes_message_and_keeps_kind() {
        let e = CrmError::not_found("customer_id", 7).context("event 3");
        assert_eq!(e.to_string(), "event 3: unknown customer_id 7");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.field(), Some("customer_id"));
    }
}
