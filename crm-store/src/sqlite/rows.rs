//! How an event and an instant sit in a row (schema versions 3 to 5; version 2's `type`
//! text is read by the migration). Since version 5 the hot kinds' bodies are binary
//! ([`super::codec`]); the others stay the JSON of their fields.

use chrono::{DateTime, SecondsFormat, Utc};
use crm_core::model::{Event, EventKind};

use rusqlite::ToSql;

use super::codec;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

/// An event's instant as stored: nanoseconds since the Unix epoch as an integer (exact,
/// compact, compared as numbers), or RFC 3339 text for an instant outside the years
/// 1677–2262 that an `i64` of nanoseconds covers.
pub(crate) struct StoredAt<'a>(pub(crate) &'a DateTime<Utc>);

impl ToSql for StoredAt<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Owned(match self.0.timestamp_nanos_opt() {
            Some(n) => Value::Integer(n),
            None => Value::Text(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }))
    }
}

/// Reads an instant written by [`StoredAt`].
pub(crate) fn read_at(v: ValueRef<'_>) -> Result<DateTime<Utc>, String> {
    match v {
        ValueRef::Integer(n) => Ok(DateTime::from_timestamp_nanos(n)),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map_err(|e| e.to_string())
            .and_then(|t| DateTime::parse_from_rfc3339(t).map_err(|e| e.to_string()))
            .map(|t| t.with_timezone(&Utc)),
        other => Err(format!("an instant stored as {:?}", other.data_type())),
    }
}

/// A change's commit time from its `at` text. The log writes it as
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (RFC 3339, microseconds, UTC), read here field by field;
/// any other form (another writer, a hand edit) goes to chrono's RFC 3339 parser, so the
/// fast path only saves time (chrono's general parser was 5% of a `refresh`).
pub(crate) fn read_change_at(text: &str) -> Result<DateTime<Utc>, String> {
    let b = text.as_bytes();
    let fixed = b.len() == 27
        && [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (26, b'Z'),
        ]
        .iter()
        .all(|&(i, c)| b[i] == c);
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if fixed {
        let parsed = (|| {
            let date = chrono::NaiveDate::from_ymd_opt(
                i32::try_from(num(0, 4)?).ok()?,
                num(5, 7)?,
                num(8, 10)?,
            )?;
            let time = chrono::NaiveTime::from_hms_micro_opt(
                num(11, 13)?,
                num(14, 16)?,
                num(17, 19)?,
                num(20, 26)?,
            )?;
            Some(date.and_time(time).and_utc())
        })();
        if let Some(at) = parsed {
            return Ok(at);
        }
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| e.to_string())
}

/// The kinds, each with its `type` tag and its number in the `kind` column: the body of an
/// event row is the JSON of the kind's own fields (the kind is the row's `kind` column),
/// read back by the number without the buffering an internally tagged enum costs serde
/// (that was most of the time of opening a store). The match on the kind is exhaustive, so
/// a new kind does not build until it is listed here, with a new number (numbers are
/// stored: never reuse or change one).
macro_rules! kinds {
    ($($variant:ident => $tag:literal = $code:literal),* $(,)?) => {
        /// Appends the JSON body of an event row to `out` (schema 4's form, and schema 5's
        /// for the kinds without a binary encoding): the JSON of its kind's fields, with
        /// the event's `location` as one more key when it has one (no kind has that field).
        pub(crate) fn write_json_body(out: &mut Vec<u8>, e: &Event) -> serde_json::Result<()> {
            let start = out.len();
            match &e.kind {
                $(EventKind::$variant(k) => serde_json::to_writer(&mut *out, k),)*
            }?;
            if let Some(location) = &e.location {
                // The kind's object without its closing brace, then `"location":{…}}`.
                debug_assert_eq!(out.last(), Some(&b'}'));
                out.pop();
                if out.len() > start + 1 {
                    out.push(b',');
                }
                out.extend_from_slice(b"\"location\":");
                serde_json::to_writer(&mut *out, location)?;
                out.push(b'}');
            }
            Ok(())
        }

        /// The JSON body of an event row as a `String` ([`write_json_body`]).
        pub(crate) fn json_body(e: &Event) -> serde_json::Result<String> {
            let mut out = Vec::new();
            write_json_body(&mut out, e)?;
            String::from_utf8(out).map_err(serde::ser::Error::custom)
        }

        /// The number an event's kind is stored as.
        pub(crate) fn kind_code(e: &Event) -> i64 {
            match &e.kind {
                $(EventKind::$variant(_) => $code,)*
            }
        }

        /// The `type` tag of the kind stored as `code`.
        fn tag_of(code: i64) -> Option<&'static str> {
            match code {
                $($code => Some($tag),)*
                _ => None,
            }
        }

        /// The number of the kind whose `type` tag is `tag` (version 2 stored the tag).
        pub(crate) fn tag_code(tag: &str) -> Option<i64> {
            match tag {
                $($tag => Some($code),)*
                _ => None,
            }
        }

        /// The kind from an event row's `kind` and `body`.
        fn read_kind(code: i64, body: &str) -> Result<EventKind, String> {
            match code {
                $($code => serde_json::from_str(body).map(EventKind::$variant),)*
                other => return Err(unknown_kind(other)),
            }
            .map_err(|e| e.to_string())
        }

        /// The kind from a parsed body whose `location` key is taken out already.
        fn kind_from_value(code: i64, body: serde_json::Value) -> Result<EventKind, String> {
            match code {
                $($code => serde_json::from_value(body).map(EventKind::$variant),)*
                other => return Err(unknown_kind(other)),
            }
            .map_err(|e| e.to_string())
        }

        #[cfg(test)]
        const TAGS: &[(&str, i64)] = &[$(($tag, $code)),*];
    };
}

kinds! {
    Purchase => "purchase" = 1,
    Refund => "refund" = 2,
    Interaction => "interaction" = 3,
    Referral => "referral" = 4,
    Contribution => "contribution" = 5,
    ComplaintOpened => "complaint_opened" = 6,
    ComplaintResponded => "complaint_responded" = 7,
    ComplaintStatusChanged => "complaint_status_changed" = 8,
    ComplaintResolved => "complaint_resolved" = 9,
    ComplaintReopened => "complaint_reopened" = 10,
    ComplaintClosed => "complaint_closed" = 11,
    ComplaintRated => "complaint_rated" = 12,
    ComplaintMessage => "complaint_message" = 13,
    ComplaintPriorityChanged => "complaint_priority_changed" = 14,
    Churned => "churned" = 15,
    Campaign => "campaign" = 16,
    ActivityScheduled => "activity_scheduled" = 17,
    ActivityDone => "activity_done" = 18,
    ActivityCancelled => "activity_cancelled" = 19,
}

/// The error for a row whose kind number this build cannot read.
fn unknown_kind(code: i64) -> String {
    format!("unknown event kind number {code}")
}

/// Appends the body of an event row to `out` as schema 5 stores it: the binary encoding
/// for the kinds that have one ([`codec::encode`], returns `true`: bind it as a blob),
/// else the JSON of the kind's fields ([`write_json_body`], returns `false`: bind it as
/// text).
pub(crate) fn write_event_body(out: &mut Vec<u8>, e: &Event) -> serde_json::Result<bool> {
    if codec::encode(out, e) {
        return Ok(true);
    }
    write_json_body(out, e)?;
    Ok(false)
}

/// Rebuilds an event from its row's `customer_id`, `at`, `kind` and `body` (the body's
/// bytes, text or blob: its first byte says the format, [`codec`]).
pub(crate) fn read_event(
    customer_id: i64,
    at: ValueRef<'_>,
    code: i64,
    body: &[u8],
) -> Result<Event, String> {
    let at = read_at(at)?;
    let body = match body.first() {
        Some(&codec::BINARY_V1) => {
            let (location, kind) =
                codec::decode(code, body)?.ok_or_else(|| match tag_of(code) {
                    Some(tag) => format!("a binary body for kind {code} ({tag}), which has none"),
                    None => unknown_kind(code),
                })?;
            return Ok(Event {
                customer_id: customer_id as u64,
                at,
                location,
                kind,
            });
        }
        Some(&codec::JSON) => std::str::from_utf8(body).map_err(|e| format!("body: {e}"))?,
        Some(&other) => return Err(format!("unknown body format {other:#04x}")),
        None => return Err("an empty body".to_owned()),
    };
    // Fast path: most bodies carry no location and go straight to the kind's struct.
    let (location, kind) = if body.contains("\"location\"") {
        let mut value: serde_json::Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
        let location = match value.as_object_mut().and_then(|o| o.remove("location")) {
            Some(l) => Some(serde_json::from_value(l).map_err(|e| format!("location: {e}"))?),
            None => None,
        };
        (location, kind_from_value(code, value)?)
    } else {
        (None, read_kind(code, body)?)
    };
    Ok(Event {
        customer_id: customer_id as u64,
        at,
        location,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Every kind of the sample goes through a row and back, by its own tag.
    #[test]
    fn every_kind_round_trips_through_its_row() {
        let (book, _) = crm_core::sample::SampleConfig::new(150)
            .seed(5)
            .build_book()
            .unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for e in book.events() {
            let body = json_body(&e).unwrap();
            assert!(!body.contains("\"type\""), "{body}");
            let code = kind_code(&e);
            assert_eq!(tag_code(e.kind.type_name()), Some(code));
            let nanos = ValueRef::Integer(e.at.timestamp_nanos_opt().unwrap());
            let back = read_event(e.customer_id as i64, nanos, code, body.as_bytes()).unwrap();
            assert_eq!(back, e);
            // And as schema 5 stores it (binary or JSON).
            let mut stored = Vec::new();
            let binary = write_event_body(&mut stored, &e).unwrap();
            assert_eq!(binary, stored[0] == codec::BINARY_V1, "{stored:?}");
            assert_eq!(!binary, stored[..] == *body.as_bytes());
            let back = read_event(e.customer_id as i64, nanos, code, &stored).unwrap();
            assert_eq!(back, e);
            seen.insert(e.kind.type_name());
        }
        assert!(seen.len() >= 10, "{seen:?}");
        assert!(seen.iter().all(|t| TAGS.iter().any(|(tag, _)| tag == t)));
        // Numbers 1..=19, each once, in the order listed (stored: never renumbered).
        let codes: Vec<i64> = TAGS.iter().map(|&(_, c)| c).collect();
        assert_eq!(codes, (1..=19).collect::<Vec<_>>());
        assert_eq!(tag_code("teleported"), None);
        assert!(read_kind(99, "{}").unwrap_err().contains("99"));
    }

    /// A location rides in the body beside the kind's fields, also for a kind whose own
    /// object is empty, and a body without one reads as before (schema 3's rows).
    #[test]
    fn a_location_round_trips_through_the_body() {
        use crm_core::model::{Channel, Churned, Direction, Interaction, Location};
        let at = Utc.with_ymd_and_hms(2025, 3, 1, 14, 30, 0).unwrap();
        let call = Interaction {
            channel: Channel::Atm,
            direction: Direction::Inbound,
            subject: Some("\"location\"".into()),
            outcome: None,
            agent: None,
        };
        let atm = Location {
            device: Some("ATM-0042".into()),
            city: Some("İstanbul".into()),
            ..Location::default()
        };
        let cases = [
            (
                Event::new(7, at, call.clone()).at_location(atm.clone()),
                r#"{"channel":"atm","direction":"inbound","subject":"\"location\"","location":{"device":"ATM-0042","city":"İstanbul"}}"#,
            ),
            (
                Event::new(7, at, Churned { reason: None }).at_location(Location::branch("K1")),
                r#"{"location":{"branch":"K1"}}"#,
            ),
            // A subject that reads "location" takes the slow path and still has none.
            (
                Event::new(7, at, call),
                r#"{"channel":"atm","direction":"inbound","subject":"\"location\""}"#,
            ),
        ];
        for (e, want) in cases {
            let body = json_body(&e).unwrap();
            assert_eq!(body, want);
            let nanos = ValueRef::Integer(at.timestamp_nanos_opt().unwrap());
            assert_eq!(
                read_event(7, nanos, kind_code(&e), body.as_bytes()).unwrap(),
                e
            );
        }
        let nanos = ValueRef::Integer(at.timestamp_nanos_opt().unwrap());
        let bad = read_event(7, nanos, 15, br#"{"location":{"atm":"1"}}"#).unwrap_err();
        assert!(bad.contains("location") && bad.contains("atm"), "{bad}");
    }

    #[test]
    fn instants_round_trip_as_integers_or_text() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let inside = Utc.with_ymd_and_hms(2025, 3, 1, 14, 30, 0).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        let outside = Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap();
        for (at, kind) in [(inside, "integer"), (outside, "text")] {
            let (back, t): (DateTime<Utc>, String) = conn
                .query_row("SELECT ?1, typeof(?1)", [StoredAt(&at)], |r| {
                    Ok((read_at(r.get_ref(0)?).unwrap(), r.get(1)?))
                })
                .unwrap();
            assert_eq!((back, t.as_str()), (at, kind));
        }
        // 2025-03-01T14:30:00.123456789Z in nanoseconds, worked out by hand:
        // 1_740_839_400 s since the epoch.
        let n: i64 = conn
            .query_row("SELECT ?1", [StoredAt(&inside)], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1_740_839_400_123_456_789);
    }

    /// The fast reading of a change's time gives what chrono's RFC 3339 parser gives, for
    /// the log's own form and for others (which it hands to chrono), and refuses what
    /// chrono refuses.
    #[test]
    fn change_times_read_as_chrono_reads_them() {
        let base = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).unwrap();
        for at in [
            base,
            base + chrono::Duration::microseconds(123_456),
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 1).unwrap(),
        ] {
            let text = at.to_rfc3339_opts(SecondsFormat::Micros, true);
            assert_eq!(text.len(), 27, "{text}");
            assert_eq!(read_change_at(&text).unwrap(), at, "{text}");
        }
        for text in [
            "2024-02-29T23:59:59Z",
            "2024-02-29T23:59:59.5+03:00",
            "2024-02-29T23:59:59.123456789Z",
        ] {
            let want = DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc);
            assert_eq!(read_change_at(text).unwrap(), want, "{text}");
        }
        for bad in [
            "2023-02-29T23:59:59.000000Z",
            "2024-02-29T24:59:59.000000Z",
            "x",
        ] {
            assert!(read_change_at(bad).is_err(), "{bad}");
            assert!(DateTime::parse_from_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
