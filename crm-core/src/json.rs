//! The one JSON reader of crm: every record, event and config read from JSON goes through here.
//!
//! serde_json reports a value of the wrong type or out of range (`{"id": -1}` for an unsigned
//! id) as text about "line 1 column 8"; this reader also tracks *where* in the document the
//! value sat (with `serde_path_to_error`), so such a value becomes
//! [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) whose field is the path
//! (`id`, `[3].id`, `windows[0].start`) and whose message quotes the value, masked when it
//! may be personal (see [`is_personal`]). Everything else keeps [`CrmError::parse`]'s form: a
//! syntax error, a missing field, and an unknown key with its "did you mean" suggestion. A
//! number beyond a 64-bit float (`-1e400`) is invalid input at its path too.
//!
//! A document read from a buffered map (an event's kind fields, read once the `type` tag is
//! known) goes through the crate-private `nested`, whose type errors carry their inner path
//! in the message; [`parse`] joins it to the outer one (`events[2].amount`).

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::error::Category;

use crate::error::{CrmError, Result, mask};

/// Parses the JSON `text` into `T`; `what` names the document in messages (`"the customer"`).
///
/// # Errors
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for text that is not JSON or does not have
/// `T`'s shape, [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the field's
/// path for a value of the wrong type or out of range.
///
/// ```
/// use crm_core::{ErrorKind, json, model::Customer};
/// let err = json::parse::<Customer>("the customer", r#"{"id": -1}"#).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// assert_eq!(err.field(), Some("id"));
/// assert_eq!(err.to_string(), "invalid id -1: expected u64, in the customer at line 1 column 9");
/// let err = json::parse::<Customer>("the customer", r#"{"id": 1"#).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Parse);
/// ```
pub fn parse<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| error(what, e))?;
    // As `serde_json::from_str`: nothing but whitespace may follow the document.
    de.end().map_err(|e| CrmError::parse(what, e))?;
    Ok(value)
}

/// Reads an already-parsed JSON `value` into `T`, as [`parse`] reads text (messages carry no
/// line and column: a `Value` has none).
///
/// # Errors
/// As [`parse`].
///
/// ```
/// use crm_core::{ErrorKind, json, model::Customer};
/// let value = serde_json::json!({"id": 1, "referred_by": "two"});
/// let err = json::from_value::<Customer>("the customer", value).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// assert_eq!(err.field(), Some("referred_by"));
/// ```
pub fn from_value<T: DeserializeOwned>(what: &str, value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| error(what, e))
}

/// Parses `text` holding either one `T` or an array of them; the path of a value inside an
/// array starts with its position (`[3].id`).
///
/// # Errors
/// As [`parse`].
///
/// ```
/// use crm_core::{ErrorKind, json, model::Customer};
/// let one: Vec<Customer> = json::one_or_many("customers", r#"{"id": 1}"#).unwrap();
/// assert_eq!(one.len(), 1);
/// let err = json::one_or_many::<Customer>("customers", r#"[{"id": 1}, {"id": 1.5}]"#)
///     .unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// assert_eq!(err.field(), Some("[1].id"));
/// ```
pub fn one_or_many<T: DeserializeOwned>(what: &str, text: &str) -> Result<Vec<T>> {
    match parse::<Value>(what, text)? {
        many @ Value::Array(_) => from_value(what, many),
        one => Ok(vec![from_value(what, one)?]),
    }
}

/// Whether a value at `path` may be personal data (a name, contact, address or identity
/// number of a customer), so that messages show it only through [`mask`].
///
/// ```
/// use crm_core::json::is_personal;
/// assert!(is_personal("[2].emails[0]"));
/// assert!(is_personal("address.postcode"));
/// assert!(!is_personal("customers[3].id"));
/// ```
pub fn is_personal(path: &str) -> bool {
    const PERSONAL: [&str; 10] = [
        "given_name",
        "family_name",
        "organisation_name",
        "emails",
        "phones",
        "address",
        "national_id",
        "tax_id",
        "birth_date",
        "external_ref",
    ];
    path.split('.')
        .map(|segment| segment.split('[').next().unwrap_or(segment))
        .any(|name| PERSONAL.contains(&name))
}

/// Reads `value`, buffered while deserializing an enclosing document (an event's kind fields),
/// into `T`, for a `Deserialize` impl: a type error keeps its path inside `value` in the
/// message (after [`NESTED`]), which [`parse`], [`from_value`] and [`one_or_many`] join to
/// the enclosing document's path. Other errors pass through as serde wrote them.
pub(crate) fn nested<T: DeserializeOwned, E: serde::de::Error>(
    value: Value,
) -> std::result::Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let text = inner.to_string();
        if path != "." && is_type_error(&text) {
            E::custom(format_args!("{text}{NESTED}{path}`"))
        } else {
            E::custom(text)
        }
    })
}

/// What [`nested`] puts between a type error and its inner path (closed by a backtick).
const NESTED: &str = ", at nested field `";

/// Whether serde's message `text` is a type error ("invalid type", "invalid value").
fn is_type_error(text: &str) -> bool {
    text.starts_with("invalid type: ") || text.starts_with("invalid value: ")
}

/// The reader's error: a type error or an out-of-range number with a known path is invalid
/// input, the rest parse errors.
fn error(what: &str, err: serde_path_to_error::Error<serde_json::Error>) -> CrmError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let text = inner.to_string();
    let position = if inner.line() > 0 {
        format!(" at line {} column {}", inner.line(), inner.column())
    } else {
        String::new()
    };
    let message = text.strip_suffix(&position).unwrap_or(&text);
    // "." is serde_path_to_error's path of the document itself.
    let outer = (path != ".").then_some(path.as_str());
    match inner.classify() {
        Category::Data => {
            let (message, path) = match split_nested(message) {
                Some((message, inner_path)) => (message, Some(join(outer, inner_path))),
                None => (message, outer.map(str::to_owned)),
            };
            if let Some(path) = path {
                if let Some(invalid) = type_error(what, &path, message, &position) {
                    return invalid;
                }
            }
            // A nested error that is not a type error reads as serde wrote it.
            CrmError::parse(what, inner)
        }
        Category::Syntax if message == "number out of range" => match outer {
            Some(path) => CrmError::invalid(
                path,
                "number",
                format!("out of range of a 64-bit float (beyond ±1.8e308), in {what}{position}"),
            ),
            None => CrmError::parse(what, inner),
        },
        _ => CrmError::parse(what, inner),
    }
}

/// A [`nested`] type error's message and inner path.
fn split_nested(message: &str) -> Option<(&str, &str)> {
    message.strip_suffix('`')?.rsplit_once(NESTED)
}

/// `inner` below `outer` (`[2]` and `amount` give `[2].amount`).
fn join(outer: Option<&str>, inner: &str) -> String {
    match outer {
        Some(outer) => format!("{outer}.{inner}"),
        None => inner.to_owned(),
    }
}

/// serde's `message` as invalid input at `path` when it is "invalid type" or "invalid value";
/// `position` is where the text said it was (empty for a `Value`).
fn type_error(what: &str, path: &str, message: &str, position: &str) -> Option<CrmError> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let (unexpected, expected) = rest.rsplit_once(", expected ")?;
    let value = shown_value(path, unexpected);
    Some(CrmError::invalid(
        path,
        value,
        format!("expected {expected}, in {what}{position}"),
    ))
}

/// The value serde quotes in `unexpected` (``integer `-1` ``, `string "x"`, `null`), masked
/// when it is text (text is where personal data lives), hidden whole (one `*` a character)
/// when it sits at a personal `path`: even a masked prefix of an identity number or a phone
/// is personal.
fn shown_value(path: &str, unexpected: &str) -> String {
    let shown = masked_value(path, unexpected);
    if is_personal(path) {
        shown
            .chars()
            .map(|c| if c == '"' { c } else { '*' })
            .collect()
    } else {
        shown
    }
}

/// [`shown_value`] before a personal path hides it whole.
fn masked_value(path: &str, unexpected: &str) -> String {
    for word in ["integer `", "floating point `", "boolean `", "character `"] {
        if let Some(body) = unexpected.strip_prefix(word) {
            let body = body.strip_suffix('`').unwrap_or(body);
            return if is_personal(path) || word == "character `" {
                mask(body)
            } else {
                body.to_owned()
            };
        }
    }
    if let Some(body) = unexpected.strip_prefix("string \"") {
        let body = body.strip_suffix('"').unwrap_or(body);
        return format!("\"{}\"", mask(body));
    }
    // Shapes serde names without quoting the input (`null`, `sequence`, `map`…) stay; any
    // other wording is free text from a Deserialize impl and may quote anything.
    const NO_VALUE: [&str; 5] = ["null", "sequence", "map", "unit value", "byte array"];
    if NO_VALUE.contains(&unexpected) {
        unexpected.to_owned()
    } else {
        mask(unexpected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::model::{Customer, Event};
    use proptest::prelude::*;

    #[test]
    fn a_negative_id_is_invalid_input_naming_id() {
        let err =
            parse::<Customer>("the customer", r#"{"id": -1, "given_name": "Ayşe"}"#).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("id"));
        assert_eq!(
            err.to_string(),
            "invalid id -1: expected u64, in the customer at line 1 column 9"
        );
    }

    #[test]
    fn an_event_names_its_customer_id() {
        let text = r#"{"customer_id": -7, "at": "2025-01-05T10:00:00Z", "type": "referral", "referred": 1}"#;
        let err = parse::<Event>("the event", text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("customer_id"));
        assert!(
            err.to_string().starts_with("invalid customer_id -7: "),
            "{err}"
        );
    }

    /// A purchase for customer 1 with `fields` after the tag.
    fn purchase(fields: &str) -> String {
        format!(
            r#"{{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": "purchase", {fields}}}"#
        )
    }

    #[test]
    fn a_wrongly_typed_kind_field_is_invalid_input_naming_it() {
        let text = purchase(r#""amount": "ten", "currency": "TRY""#);
        let err = parse::<Event>("the event", &text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("amount"));
        // The text is masked (half kept, at most 4 characters); the position is the end of the
        // event object, where its kind is read.
        assert_eq!(
            err.to_string(),
            format!(
                "invalid amount \"t**\": expected i64, in the event at line 1 column {}",
                text.len()
            )
        );
        // The tag may come after the fields; an out-of-range rating names its value.
        let text = r#"{"rating": 300, "complaint_id": 4, "type": "complaint_rated",
            "customer_id": 1, "at": "2025-01-05T10:00:00Z"}"#;
        let err = parse::<Event>("the event", text).unwrap_err();
        assert_eq!(err.field(), Some("rating"));
        assert!(
            err.to_string()
                .starts_with("invalid rating 300: expected u8, in the event at line 2 "),
            "{err}"
        );
        let err = parse::<Event>(
            "the event",
            &purchase(r#""amount": 1, "currency": "TRY", "channel": 7"#),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("channel"));
        assert!(err.to_string().starts_with("invalid channel 7: "), "{err}");
    }

    #[test]
    fn a_kind_field_path_starts_with_the_events_position() {
        let good = purchase(r#""amount": 100, "currency": "TRY""#);
        let bad = purchase(r#""amount": -1.5, "currency": "TRY""#);
        let text = format!("[{good}, {good}, {bad}]");
        let err = one_or_many::<Event>("events", &text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("[2].amount"));
        assert!(
            err.to_string()
                .starts_with("invalid [2].amount -1.5: expected i64"),
            "{err}"
        );
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Batch {
            events: Vec<Event>,
        }
        let value: Value = serde_json::from_str(&format!(r#"{{"events": {text}}}"#)).unwrap();
        let err = from_value::<Batch>("the batch", value).unwrap_err();
        assert_eq!(err.field(), Some("events[2].amount"));
        assert_eq!(
            err.to_string(),
            "invalid events[2].amount -1.5: expected i64, in the batch"
        );
    }

    #[test]
    fn an_out_of_range_number_is_invalid_input_at_its_path() {
        let text = purchase(r#""amount": -1e400, "currency": "TRY""#);
        let err = parse::<Event>("the event", &text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("amount"));
        let err = parse::<Customer>("the customer", r#"{"id": 1e400}"#).unwrap_err();
        assert_eq!(err.field(), Some("id"));
        assert_eq!(
            err.to_string(),
            "invalid id number: out of range of a 64-bit float (beyond ±1.8e308), \
             in the customer at line 1 column 12"
        );
        // Alone, it has no field to name.
        let err = parse::<f64>("the number", "1e400").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
    }

    #[test]
    fn a_kind_field_of_the_wrong_type_tag_or_key_reads_as_before() {
        let err =
            parse::<Event>("the event", &purchase(r#""amount": 1, "curency": "TRY""#)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert_eq!(err.field(), Some("curency"));
        assert!(
            err.to_string().ends_with("(did you mean `currency`?)"),
            "{err}"
        );
        let err = parse::<Event>("the event", &purchase(r#""amount": 1"#)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert_eq!(err.field(), Some("currency"));
        let text = r#"{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": "purchace"}"#;
        let err = parse::<Event>("the event", text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert!(
            err.to_string()
                .starts_with("could not parse the event: unknown variant `********`, expected one of `purchase`, `refund`"),
            "{err}"
        );
        let text = r#"{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": 5}"#;
        let err = parse::<Event>("the event", text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("type"));
        let text = r#"{"customer_id": 1, "at": "2025-01-05T10:00:00Z"}"#;
        let err = parse::<Event>("the event", text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert_eq!(err.field(), Some("type"));
    }

    #[test]
    fn every_tag_reads_back_its_kind() {
        use crate::model::EventKind;
        // The fields each kind needs at least (1 for ids and amounts).
        let fields = |tag: &str| match tag {
            "purchase" | "refund" => r#", "amount": 1, "currency": "TRY""#,
            "interaction" => r#", "channel": "phone", "direction": "inbound""#,
            "referral" => r#", "referred": 2"#,
            "contribution" => r#", "kind": "cost_sharing", "amount": 1, "currency": "TRY""#,
            "complaint_status_changed" => r#", "complaint_id": 1, "status": "open""#,
            "complaint_resolved" => r#", "complaint_id": 1, "root_cause": "billing""#,
            "complaint_rated" => r#", "complaint_id": 1, "rating": 5"#,
            "complaint_message" => r#", "complaint_id": 1, "direction": "inbound""#,
            "complaint_priority_changed" => r#", "complaint_id": 1, "priority": "high""#,
            "churned" => "",
            "campaign" => r#", "campaign_id": "c1", "step": "sent", "cost": 5"#,
            "activity_scheduled" => {
                r#", "activity_id": "a1", "activity": "visit", "owner": "o", "due": "2025-01-06T10:00:00Z""#
            }
            "activity_done" | "activity_cancelled" => r#", "activity_id": "a1""#,
            _ => r#", "complaint_id": 1"#,
        };
        assert_eq!(EventKind::TAGS.len(), 19);
        for tag in EventKind::TAGS {
            let text = format!(
                r#"{{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": "{tag}"{}}}"#,
                fields(tag)
            );
            let event: Event = parse("the event", &text).unwrap_or_else(|e| panic!("{tag}: {e}"));
            assert_eq!(event.kind.type_name(), *tag);
            let back: Event = parse("the event", &serde_json::to_string(&event).unwrap()).unwrap();
            assert_eq!(back, event);
        }
    }

    #[test]
    fn paths_go_through_arrays_and_nested_objects() {
        let text = r#"[{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4, "referred_by": true}]"#;
        let err = parse::<Vec<Customer>>("customers", text).unwrap_err();
        assert_eq!(err.field(), Some("[3].referred_by"));
        assert_eq!(
            err.to_string(),
            "invalid [3].referred_by true: expected u64, in customers at line 1 column 63"
        );
        let snapshot = serde_json::json!({"customers": [{"id": 1}, {"id": "x"}]});
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Snapshot {
            customers: Vec<Customer>,
        }
        let err = from_value::<Snapshot>("the snapshot", snapshot).unwrap_err();
        assert_eq!(err.field(), Some("customers[1].id"));
        assert_eq!(
            err.to_string(),
            "invalid customers[1].id \"*\": expected u64, in the snapshot"
        );
    }

    #[test]
    fn personal_values_are_masked() {
        let text = r#"{"id": 1, "national_id": 12345678901}"#;
        let err = parse::<Customer>("the customer", text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("national_id"));
        let msg = err.to_string();
        assert!(
            msg.starts_with("invalid national_id ***********: "),
            "{msg}"
        );
        let text = r#"{"id": 1, "emails": "ali@ornek.com"}"#;
        let err = parse::<Customer>("the customer", text).unwrap_err();
        assert_eq!(err.field(), Some("emails"));
        assert!(!err.to_string().contains("ornek"), "{err}");
        let text = r#"{"id": 1, "phones": [5321234567]}"#;
        let err = parse::<Customer>("the customer", text).unwrap_err();
        assert_eq!(err.field(), Some("phones[0]"));
        assert!(!err.to_string().contains("1234567"), "{err}");
    }

    #[test]
    fn syntax_missing_and_unknown_keys_stay_parse_errors() {
        for (text, field) in [
            (r#"{"id": 1"#, None),
            (r#"{"id": 1} x"#, None),
            (r#"{"given_name": "X"}"#, Some("id")),
            (r#"{"id": 1, "email": ["a@b.co"]}"#, Some("email")),
        ] {
            let err = parse::<Customer>("the customer", text).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Parse, "{text}: {err}");
            assert_eq!(err.field(), field, "{text}");
        }
        let err = parse::<Customer>("the customer", r#"{"id": 1, "email": []}"#).unwrap_err();
        assert!(
            err.to_string().ends_with("(did you mean `emails`?)"),
            "{err}"
        );
    }

    #[test]
    fn one_or_many_reads_both_shapes() {
        let many: Vec<Customer> = one_or_many("customers", r#"[{"id": 1}, {"id": 2}]"#).unwrap();
        assert_eq!(many.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2]);
        let err = one_or_many::<Customer>("customers", r#"{"id": -3}"#).unwrap_err();
        assert_eq!(err.field(), Some("id"));
        let err = one_or_many::<Customer>("customers", "[").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
    }

    proptest! {
        #[test]
        fn any_u64_id_round_trips(id in any::<u64>()) {
            let c: Customer = parse("the customer", &format!(r#"{{"id": {id}}}"#)).unwrap();
            prop_assert_eq!(c.id, id);
        }

        #[test]
        fn ids_below_zero_or_past_u64_are_invalid_input_naming_id(
            below in any::<i64>().prop_map(|n| -(i128::from(n.unsigned_abs())) - 1),
            past in (u128::from(u64::MAX) + 1)..=u128::MAX,
        ) {
            for id in [below.to_string(), past.to_string()] {
                let err = parse::<Customer>("the customer", &format!(r#"{{"id": {id}}}"#))
                    .unwrap_err();
                prop_assert_eq!(err.kind(), ErrorKind::InvalidInput);
                prop_assert_eq!(err.field(), Some("id"));
            }
        }
    }
}
