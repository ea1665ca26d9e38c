//! The one instant parser every entry point uses (book JSON, `as_of`, Python and C strings),
//! and the rule for bare dates: the start of the day for an event time or the start of a
//! period, the end of the day for the end of a period ([`DayBound`]).
//!
//! chrono does the parsing; only the dispatch between the accepted forms is written here,
//! because no chrono (or jiff) function takes all of them at once: RFC 3339 needs an
//! offset, `NaiveDateTime`'s `FromStr` takes no offset, and neither takes a bare or compact
//! date.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::TimeUnit;
use crate::error::{CrmError, Result};

/// Which instant a bare date (`2011-12-09`, `20111209`) stands for.
///
/// A date-time is the instant it names either way; only a date without a time of day
/// needs the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DayBound {
    /// The first instant of the day (00:00): event times and the start of a period.
    #[default]
    Start,
    /// The last instant of the day (23:59:59.999999999): the end of a period (`as_of`,
    /// `observation_end`, `calibration_end`), so that the day's own events count, as
    /// `lifetimes`' `observation_period_end` keeps them.
    End,
}

/// The longest text quoted back in an error message.
const QUOTE_MAX: usize = 40;

/// What the accepted forms look like, for error messages.
const FORMS: &str = "use an ISO 8601 / RFC 3339 instant such as 2025-03-01T14:30:00Z, \
                     2025-03-01T14:30:00+03:00, 2025-03-01 14:30:00 (UTC), 2025-03-01 or 20250301";

/// `text` as an instant: bare dates are the start of the day in UTC.
/// Shorthand for [`parse_instant_in`] with [`DayBound::Start`] and UTC.
///
/// Accepted forms (surrounding whitespace is ignored):
/// - RFC 3339 / ISO 8601 with an offset or `Z`: `2025-03-01T14:30:00Z`,
///   `2025-03-01T14:30:00.123+03:00`, `2025-03-01T14:30:00+0300`;
/// - a naive date-time, read as UTC: `2025-03-01T14:30:00`, `2025-03-01 14:30:00`,
///   `2025-03-01T14:30`, with or without fractional seconds;
/// - a bare date `2025-03-01` or a compact date `20250301` (as the CDNOW log has).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `field` and the text (its first 40 characters)
/// when the text is empty, `NaT`, or none of the forms above.
///
/// ```
/// use crm_core::time::parse_instant;
/// let t = |s| parse_instant(s, "at").map(|t| t.to_rfc3339());
/// assert_eq!(t("2020-01-01T10:00:00+03:00")?, "2020-01-01T07:00:00+00:00");
/// assert_eq!(t("2020-01-01 10:00:00.5")?, "2020-01-01T10:00:00.500+00:00");
/// assert_eq!(t("19970101")?, "1997-01-01T00:00:00+00:00");
/// let e = parse_instant("2020-13-01", "at").unwrap_err();
/// assert_eq!(e.field(), Some("at"));
/// assert!(e.to_string().contains("\"2020-13-01\""), "{e}");
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn parse_instant(text: &str, field: &str) -> Result<DateTime<Utc>> {
    parse_instant_in(text, field, DayBound::Start, Tz::UTC)
}

/// `text` as the end of a period: a bare date is the last instant of that day in UTC
/// (`2011-12-09` → `2011-12-09T23:59:59.999999999Z`); a date-time is itself. Shorthand for
/// [`parse_instant_in`] with [`DayBound::End`] and UTC.
///
/// # Errors
/// As [`parse_instant`].
///
/// ```
/// use crm_core::time::parse_period_end;
/// assert_eq!(parse_period_end("2011-12-09", "as_of")?.to_rfc3339(),
///            "2011-12-09T23:59:59.999999999+00:00");
/// assert_eq!(parse_period_end("2011-12-09T00:00:00Z", "as_of")?.to_rfc3339(),
///            "2011-12-09T00:00:00+00:00");
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn parse_period_end(text: &str, field: &str) -> Result<DateTime<Utc>> {
    parse_instant_in(text, field, DayBound::End, Tz::UTC)
}

/// `text` as an instant (the forms of [`parse_instant`]), with a bare date taken as the
/// start or the end of that day ([`DayBound`]) in the zone `tz`. Date-times without an
/// offset are UTC whatever `tz` is: the zone only says where a day begins and ends.
///
/// # Errors
/// As [`parse_instant`].
///
/// ```
/// use crm_core::time::{parse_instant_in, DayBound};
/// let la = chrono_tz::America::Los_Angeles;
/// let end = parse_instant_in("2024-07-04", "as_of", DayBound::End, la)?;
/// assert_eq!(end.to_rfc3339(), "2024-07-05T06:59:59.999999999+00:00"); // PDT is UTC-7
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn parse_instant_in(text: &str, field: &str, bound: DayBound, tz: Tz) -> Result<DateTime<Utc>> {
    match parse_form(text.trim()) {
        Some(Parsed::Instant(t)) => Ok(t),
        Some(Parsed::Date(d)) => Ok(match bound {
            DayBound::Start => day_start(d, tz),
            DayBound::End => day_end(d, tz),
        }),
        None => Err(not_an_instant(text, field)),
    }
}

/// `text` as a civil day: `2025-06-01` or the compact `20250601`, the bare-date forms of
/// [`parse_instant`] (surrounding whitespace is ignored). For a `today` that judges birth
/// dates and ages, whichever layer it comes from.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `field` and the text (its first 40
/// characters) when it is no date, or is a date-time (a day is asked for, and which day an
/// instant falls on depends on a zone).
///
/// ```
/// use crm_core::time::parse_day;
/// assert_eq!(parse_day("20250601", "today")?.to_string(), "2025-06-01");
/// assert_eq!(parse_day(" 2025-06-01 ", "today")?.to_string(), "2025-06-01");
/// let e = parse_day("2025-06-31", "today").unwrap_err();
/// assert_eq!(e.field(), Some("today"));
/// assert!(parse_day("2025-06-01T10:00:00Z", "today").is_err());
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn parse_day(text: &str, field: &str) -> Result<NaiveDate> {
    match parse_form(text.trim()) {
        Some(Parsed::Date(d)) => Ok(d),
        Some(Parsed::Instant(_)) => Err(CrmError::invalid(
            field,
            quote(text),
            "is a date-time; pass a day such as 2025-06-01 or 20250601",
        )),
        None => Err(CrmError::invalid(
            field,
            quote(text),
            "is not a date; use 2025-06-01 or 20250601",
        )),
    }
}

/// The end of a period as a caller wrote it: an instant, or a civil day whose end depends on
/// the zone the days are counted in, which may only be known once a config is read (a
/// prediction's `"tz"`). Resolve it with [`PeriodEnd::in_zone`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodEnd {
    /// A point in time, the same in every zone.
    Instant(DateTime<Utc>),
    /// A bare date: the period ends with the last instant of that day.
    Day(NaiveDate),
}

impl PeriodEnd {
    /// `text` as a period end (the forms of [`parse_instant`]).
    ///
    /// # Errors
    /// As [`parse_instant`].
    ///
    /// ```
    /// use crm_core::time::PeriodEnd;
    /// let la = chrono_tz::America::Los_Angeles;
    /// let day = PeriodEnd::parse("2024-07-04", "as_of")?;
    /// assert_eq!(day.in_zone(la).to_rfc3339(), "2024-07-05T06:59:59.999999999+00:00");
    /// let instant = PeriodEnd::parse("2024-07-04T12:00:00Z", "as_of")?;
    /// assert_eq!(instant.in_zone(la).to_rfc3339(), "2024-07-04T12:00:00+00:00");
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn parse(text: &str, field: &str) -> Result<PeriodEnd> {
        match parse_form(text.trim()) {
            Some(Parsed::Instant(t)) => Ok(PeriodEnd::Instant(t)),
            Some(Parsed::Date(d)) => Ok(PeriodEnd::Day(d)),
            None => Err(not_an_instant(text, field)),
        }
    }

    /// The instant the period ends at when days are civil days in `tz`.
    pub fn in_zone(self, tz: Tz) -> DateTime<Utc> {
        match self {
            PeriodEnd::Instant(t) => t,
            PeriodEnd::Day(d) => day_end(d, tz),
        }
    }
}

/// The error for a text that is not an instant, quoting at most 40 characters of it.
fn not_an_instant(text: &str, field: &str) -> CrmError {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return CrmError::invalid(field, "\"\"", "is empty; pass an instant");
    }
    if trimmed == "NaT" {
        return CrmError::invalid(field, "NaT", "is missing (NaT); drop or fill the row first");
    }
    CrmError::invalid(
        field,
        quote(text),
        format_args!("is not an instant; {FORMS}"),
    )
}

/// The trimmed text quoted for an error message, cut at 40 characters.
fn quote(text: &str) -> String {
    let trimmed = text.trim();
    let quoted: String = trimmed.chars().take(QUOTE_MAX).collect();
    let more = if trimmed.chars().count() > QUOTE_MAX {
        "…"
    } else {
        ""
    };
    format!("{quoted:?}{more}")
}

/// What a text named.
enum Parsed {
    /// A date-time (with an offset, or naive and read as UTC).
    Instant(DateTime<Utc>),
    /// A bare date.
    Date(NaiveDate),
}

/// The dispatch between the accepted forms, by shape; `None` when no form fits.
fn parse_form(s: &str) -> Option<Parsed> {
    let b = s.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return NaiveDate::parse_from_str(s, "%Y%m%d")
            .ok()
            .map(Parsed::Date);
    }
    if b.len() == 10 {
        return s.parse::<NaiveDate>().ok().map(Parsed::Date);
    }
    if b.len() < 16 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b.len() == 19 {
        if let Some(t) = fixed_layout(b) {
            return Some(Parsed::Instant(t));
        }
    }
    let (date, time) = (&s[..10], &s[11..]);
    // RFC 3339 takes `T`, `t` or a space between date and time; it is only tried with an
    // offset (naive date-times, the common case in exports, skip the failed attempt).
    if time.ends_with(['Z', 'z']) || time.contains(['+', '-']) {
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(Parsed::Instant(t.with_timezone(&Utc)));
        }
    }
    let date = date.parse::<NaiveDate>().ok()?;
    // The time of day with an optional offset (`Z`, `+03:00`, `+0300`, `+03`).
    let (clock, offset) = split_offset(time)?;
    let clock = parse_clock(clock)?;
    let naive = NaiveDateTime::new(date, clock);
    let utc = naive.checked_sub_signed(Duration::seconds(i64::from(offset)))?;
    Some(Parsed::Instant(Utc.from_utc_datetime(&utc)))
}

/// `YYYY-MM-DDTHH:MM:SS` (or a space for `T`), naive and so UTC: the layout of nearly every
/// export, read digit by digit. Written by hand because chrono's general parser costs about
/// 200 ns a value, most of a column's time; chrono's constructors still validate the date
/// and the time. `None` sends anything else to the general path.
fn fixed_layout(b: &[u8]) -> Option<DateTime<Utc>> {
    let digits = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = i32::try_from(digits(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(5, 7)?, digits(8, 10)?)?;
    let time = NaiveTime::from_hms_opt(digits(11, 13)?, digits(14, 16)?, digits(17, 19)?)?;
    Some(date.and_time(time).and_utc())
}

/// The time of day `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff…`.
fn parse_clock(s: &str) -> Option<NaiveTime> {
    s.parse::<NaiveTime>().ok()
}

/// The time of day and the offset east of UTC in seconds (0 without one).
fn split_offset(time: &str) -> Option<(&str, i32)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, offset) = (&time[..at], &time[at..]);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset[1..].chars().filter(|&c| c != ':').collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((clock.trim_end(), sign * (hours * 3600 + minutes * 60)))
}

/// The first instant of the local day `date` in `tz`. Where local midnight does not exist
/// (a DST gap at midnight, or a day a zone skipped), the day starts at the first local time
/// that does.
pub fn day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    // Gaps are at most a day long (Pacific/Apia skipped 2011-12-30): look a quarter hour
    // at a time for the first local time that exists.
    for quarter in 0..=4 * 48 {
        let local = midnight + Duration::minutes(15 * quarter);
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    // Unreachable for IANA zones; UTC midnight is the fallback.
    Utc.from_utc_datetime(&midnight)
}

/// The last instant (nanosecond) of the local day `date` in `tz`: one nanosecond before
/// the next day starts ([`day_start`]).
pub fn day_end(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    match date.succ_opt() {
        Some(next) => day_start(next, tz) - Duration::nanoseconds(1),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// A column of instant texts (the forms of [`parse_instant`]; bare dates are the start of
/// their day, UTC) as ticks of `unit`, parsed on crm's worker pool.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `field[row]` of the first text that is not an
/// instant, or that `unit` cannot hold (nanoseconds hold the years 1678 to 2261).
///
/// ```
/// use crm_core::time::{parse_instant_column, TimeUnit};
/// let t = parse_instant_column(&["1970-01-02", "19700103"], "timestamp", TimeUnit::Seconds)?;
/// assert_eq!(t, vec![86_400, 172_800]);
/// let e = parse_instant_column(&["1970-01-02", "x"], "timestamp", TimeUnit::Seconds).unwrap_err();
/// assert_eq!(e.field(), Some("timestamp[1]"));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn parse_instant_column(texts: &[&str], field: &str, unit: TimeUnit) -> Result<Vec<i64>> {
    use rayon::prelude::*;
    let one = |text: &str| -> Option<i64> {
        let t = parse_instant(text, field).ok()?;
        let ticks = unit.ticks(t);
        (ticks != i64::MIN && ticks != i64::MAX).then_some(ticks)
    };
    let parsed: Option<Vec<i64>> = crate::parallel::install(|| {
        texts
            .par_iter()
            .with_min_len(4_096)
            .map(|t| one(t))
            .collect()
    });
    match parsed {
        Some(ticks) => Ok(ticks),
        None => {
            // The first bad row, found again in order, with its own name in the error.
            let row = texts.iter().position(|t| one(t).is_none()).unwrap_or(0);
            let name = format!("{field}[{row}]");
            let at = parse_instant(texts.get(row).copied().unwrap_or(""), &name)?;
            Err(CrmError::invalid(
                &name,
                at.to_rfc3339(),
                format_args!("is outside the instants int64 {} hold", unit.short_name()),
            ))
        }
    }
}

/// The IANA time zone `name` (`"UTC"`, `"Europe/Istanbul"`, `"America/Los_Angeles"`);
/// an empty name is UTC.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `field` and the name when it is not an IANA
/// zone.
///
/// ```
/// use crm_core::time::parse_zone;
/// assert_eq!(parse_zone("America/Los_Angeles", "tz")?.name(), "America/Los_Angeles");
/// assert!(parse_zone("Mars/Olympus", "tz").is_err());
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn parse_zone(name: &str, field: &str) -> Result<Tz> {
    if name.is_empty() {
        return Ok(Tz::UTC);
    }
    name.parse().map_err(|_| {
        let quoted: String = name.chars().take(QUOTE_MAX).collect();
        CrmError::invalid(
            field,
            format_args!("{quoted:?}"),
            "is not an IANA time zone name (e.g. \"UTC\", \"Europe/Istanbul\")",
        )
    })
}

/// The local day number (days since 1970-01-01 in `tz`'s civil calendar) of the instant
/// `secs` seconds after the epoch.
pub fn local_day(secs: i64, tz: Tz) -> i64 {
    const DAY: i64 = 86_400;
    if tz == Tz::UTC {
        return secs.div_euclid(DAY);
    }
    let offset = DateTime::from_timestamp(secs, 0).map_or(0, |t| {
        i64::from(
            chrono::Offset::fix(&tz.offset_from_utc_datetime(&t.naive_utc())).local_minus_utc(),
        )
    });
    (secs + offset).div_euclid(DAY)
}

/// Serde forms of instants read with [`parse_instant`]: the book's JSON `at`, `start`,
/// `acquired_at` take every form it takes; ends (an incident's `end`) take a bare date as the
/// end of that day.
/// Serde for a configuration's IANA zone: written as its name, read through [`parse_zone`]
/// (so an unknown zone is the same error, naming `tz`, in every layer).
pub(crate) mod serde_zone {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// The zone's IANA name.
    pub(crate) fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    /// The zone named by the JSON string (empty is UTC).
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_zone(&text, "tz").map_err(D::Error::custom)
    }
}

pub(crate) mod serde_instant {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, de::Error};

    use super::{DayBound, parse_instant_in};

    /// The instant of the JSON string `d` (`field` names it in errors).
    pub(crate) fn read<'de, D: Deserializer<'de>>(
        d: D,
        field: &str,
        bound: DayBound,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        parse_instant_in(&text, field, bound, chrono_tz::Tz::UTC).map_err(D::Error::custom)
    }

    /// A consent's `at`; a bare date is the start of its day.
    pub(crate) fn at<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        read(d, "at", DayBound::Start)
    }

    /// An incident's `start`; a bare date is the start of its day.
    pub(crate) fn start<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        read(d, "start", DayBound::Start)
    }

    /// A customer's optional `acquired_at`; a bare date is the start of its day.
    pub(crate) fn option_acquired_at<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => {
                parse_instant_in(&text, "acquired_at", DayBound::Start, chrono_tz::Tz::UTC)
                    .map(Some)
                    .map_err(D::Error::custom)
            }
        }
    }

    /// An incident's optional `end`; a bare date is the end of its day.
    pub(crate) fn option_end<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse_instant_in(&text, "end", DayBound::End, chrono_tz::Tz::UTC)
                .map(Some)
                .map_err(D::Error::custom),
        }
    }

    /// An event's `at`, read by the event visitor; a bare date is the start of its day.
    #[derive(Debug, Clone, Copy)]
    pub(crate) struct EventAt(pub(crate) DateTime<Utc>);

    impl<'de> Deserialize<'de> for EventAt {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            read(d, "at", DayBound::Start).map(EventAt)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn utc(text: &str) -> String {
        parse_instant(text, "at")
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }

    #[test]
    fn every_accepted_form() {
        // (text, the instant worked out by hand, in UTC)
        let table = [
            ("2020-01-01T10:00:00Z", "2020-01-01T10:00:00Z"),
            ("2020-01-01t10:00:00z", "2020-01-01T10:00:00Z"),
            ("2020-01-01T10:00:00+03:00", "2020-01-01T07:00:00Z"),
            ("2020-01-01T10:00:00-05:30", "2020-01-01T15:30:00Z"),
            ("2020-01-01T10:00:00+0300", "2020-01-01T07:00:00Z"),
            ("2020-01-01T10:00:00+03", "2020-01-01T07:00:00Z"),
            ("2020-01-01T01:00:00+03:00", "2019-12-31T22:00:00Z"),
            ("2020-01-01 10:00:00+03:00", "2020-01-01T07:00:00Z"),
            (
                "2020-01-01T10:00:00.123456789Z",
                "2020-01-01T10:00:00.123456789Z",
            ),
            // Naive date-times are UTC.
            ("2020-01-01T10:00:00", "2020-01-01T10:00:00Z"),
            ("2020-01-01 10:00:00", "2020-01-01T10:00:00Z"),
            ("2020-01-01 10:00:00.5", "2020-01-01T10:00:00.500Z"),
            ("2020-01-01T10:00", "2020-01-01T10:00:00Z"),
            ("2020-01-01 10:00 +01:00", "2020-01-01T09:00:00Z"),
            // pandas' str() of a tz-aware Timestamp.
            ("2011-12-09 08:50:00+00:00", "2011-12-09T08:50:00Z"),
            // Bare and compact dates: the start of the day.
            ("2020-01-01", "2020-01-01T00:00:00Z"),
            ("19970101", "1997-01-01T00:00:00Z"),
            ("19971231", "1997-12-31T00:00:00Z"),
            ("2024-02-29", "2024-02-29T00:00:00Z"),
            ("  2020-01-01\n", "2020-01-01T00:00:00Z"),
        ];
        for (text, want) in table {
            assert_eq!(utc(text), want, "{text:?}");
        }
    }

    #[test]
    fn errors_name_the_field_and_the_text() {
        for text in [
            "2020-13-01",
            "2023-02-29",
            "19971301",
            "1997010",
            "2020-01-01T25:00:00Z",
            "2020-01-01T10:00:00+25:00",
            "2020-01-01T10:00:00 PST",
            "01/02/2020",
            "17.05.1980",
            "yesterday",
            "2020-01-01T",
        ] {
            let e = parse_instant(text, "timestamp[3]").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{text}");
            assert_eq!(e.field(), Some("timestamp[3]"), "{text}");
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!("invalid timestamp[3] {text:?}: is not an instant")),
                "{msg}"
            );
        }
        let e = parse_instant("", "as_of").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid as_of \"\": is empty; pass an instant"
        );
        let e = parse_instant("NaT", "timestamp[0]").unwrap_err();
        assert!(e.to_string().contains("is missing (NaT)"), "{e}");
        // Long texts are cut to 40 characters.
        let long = "x".repeat(100);
        let msg = parse_instant(&long, "at").unwrap_err().to_string();
        assert!(
            msg.contains(&format!("\"{}\"…", "x".repeat(40))) && !msg.contains(&"x".repeat(41)),
            "{msg}"
        );
    }

    #[test]
    fn a_bare_date_ends_at_the_end_of_its_day() {
        let end = |t| {
            parse_period_end(t, "as_of")
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        };
        assert_eq!(end("2011-12-09"), "2011-12-09T23:59:59.999999999Z");
        assert_eq!(end("19971231"), "1997-12-31T23:59:59.999999999Z");
        // A date-time is itself, even at midnight.
        assert_eq!(end("2011-12-09T00:00:00"), "2011-12-09T00:00:00Z");
        assert_eq!(end("2011-12-09T00:00:00+01:00"), "2011-12-08T23:00:00Z");
    }

    #[test]
    fn day_bounds_in_a_zone() {
        let la = chrono_tz::America::Los_Angeles;
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        // PST is UTC-8 in January; 2024-03-10 has 23 hours (the clocks go from 02:00 to 03:00).
        assert_eq!(fmt(day_start(d("2024-01-15"), la)), "2024-01-15T08:00:00Z");
        assert_eq!(
            fmt(day_end(d("2024-01-15"), la)),
            "2024-01-16T07:59:59.999999999Z"
        );
        let (s, e) = (day_start(d("2024-03-10"), la), day_end(d("2024-03-10"), la));
        assert_eq!((e - s).num_hours(), 22); // 22 h 59 min 59.999… s
        assert_eq!(fmt(e), "2024-03-11T06:59:59.999999999Z");
        // America/Havana skips midnight: on 2013-03-10 the day begins at 01:00 (CDT, UTC-4).
        let havana = chrono_tz::America::Havana;
        assert_eq!(
            fmt(day_start(d("2013-03-10"), havana)),
            "2013-03-10T05:00:00Z"
        );
        // Pacific/Apia skipped 2011-12-30: that day starts (and ends) when the 31st begins.
        let apia = chrono_tz::Pacific::Apia;
        assert_eq!(
            day_start(d("2011-12-30"), apia),
            day_start(d("2011-12-31"), apia)
        );
        assert_eq!(
            fmt(day_start(d("2011-12-31"), apia)),
            "2011-12-30T10:00:00Z"
        );
        // A naive date-time stays UTC in any zone; only bare dates follow it.
        let naive = parse_instant_in("2024-01-15T10:00:00", "as_of", DayBound::End, la).unwrap();
        assert_eq!(fmt(naive), "2024-01-15T10:00:00Z");
        let start = parse_instant_in("2024-01-15", "from", DayBound::Start, la).unwrap();
        assert_eq!(fmt(start), "2024-01-15T08:00:00Z");
    }

    #[test]
    fn local_days() {
        let la = chrono_tz::America::Los_Angeles;
        let secs = |t: &str| parse_instant(t, "t").unwrap().timestamp();
        // 2024-07-05T02:00Z is 19:00 on the 4th in LA (PDT, UTC-7): day 19_908 there, 19_909 in UTC.
        assert_eq!(
            local_day(secs("2024-07-05T02:00:00Z"), chrono_tz::UTC),
            19_909
        );
        assert_eq!(local_day(secs("2024-07-05T02:00:00Z"), la), 19_908);
        assert_eq!(local_day(secs("2024-07-05T07:00:00Z"), la), 19_909);
        assert_eq!(local_day(-1, chrono_tz::UTC), -1);
    }

    #[test]
    fn zones_by_name() {
        assert_eq!(parse_zone("", "tz").unwrap(), Tz::UTC);
        assert_eq!(
            parse_zone("Europe/Istanbul", "tz").unwrap(),
            chrono_tz::Europe::Istanbul
        );
        let e = parse_zone("America/Los Angeles", "tz").unwrap_err();
        assert_eq!(e.field(), Some("tz"));
        assert!(
            e.to_string()
                .starts_with("invalid tz \"America/Los Angeles\": is not an IANA"),
            "{e}"
        );
    }

    #[test]
    fn book_json_takes_every_form() {
        use crate::model::{Event, Incident};
        let e: Event = serde_json::from_str(
            r#"{"customer_id": 1, "at": "2020-01-01", "type": "purchase", "amount": 5, "currency": "TRY"}"#,
        )
        .unwrap();
        assert_eq!(e.at.to_rfc3339(), "2020-01-01T00:00:00+00:00");
        let e: Event = serde_json::from_str(
            r#"{"customer_id": 1, "at": "2020-01-01T10:00:00", "type": "purchase", "amount": 5, "currency": "TRY"}"#,
        )
        .unwrap();
        assert_eq!(e.at.to_rfc3339(), "2020-01-01T10:00:00+00:00");
        let bad = serde_json::from_str::<Event>(
            r#"{"customer_id": 1, "at": "2020-02-30", "type": "purchase", "amount": 5, "currency": "TRY"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(bad.contains("is not an instant"), "{bad}");
        let i: Incident = serde_json::from_str(
            r#"{"id": 1, "kind": "channel_outage", "start": "2020-01-01", "end": "2020-01-02", "description": "x"}"#,
        )
        .unwrap();
        assert_eq!(i.start.to_rfc3339(), "2020-01-01T00:00:00+00:00");
        assert_eq!(
            i.end.map(|t| t.to_rfc3339()).as_deref(),
            Some("2020-01-02T23:59:59.999999999+00:00")
        );
    }
}
