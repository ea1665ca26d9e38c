//! Business calendars: weekly hours in an IANA time zone, holidays and special days, and the
//! arithmetic SLA deadlines need.
//!
//! Business hours are civil-time windows per weekday. For each local date the window edges
//! are turned into instants with the offset in force on that date (so a past instant uses the
//! offset of its time, not today's), the windows are intersected with the interval asked
//! about, and exact durations are summed. Days are stepped as dates, never as 24 hours.
//!
//! Edges that fall in a DST gap (02:30 on a spring-forward night) move to the first instant
//! after the gap; edges in a fold (01:30 on a fall-back night) take the first occurrence.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};

/// An opening window as local wall times, `["09:00", "12:30"]`; `"24:00"` ends at midnight.
pub type Window = [String; 2];

/// Opening windows per weekday (missing days are closed). JSON keys `mon` … `sun`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<Window>,
    /// Tuesday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<Window>,
    /// Wednesday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<Window>,
    /// Thursday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<Window>,
    /// Friday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<Window>,
    /// Saturday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<Window>,
    /// Sunday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<Window>,
}

/// A date with its own hours (a half day) instead of the weekday's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialDay {
    /// The local date.
    pub date: NaiveDate,
    /// Its windows; empty means closed.
    pub hours: Vec<Window>,
}

/// A business calendar as configured. JSON form:
///
/// ```json
/// {"time_zone": "Europe/Istanbul",
///  "week": {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], "tue": [["09:00", "18:00"]]},
///  "holidays": ["2025-04-23"],
///  "special_days": [{"date": "2025-03-29", "hours": [["09:00", "13:00"]]}]}
/// ```
///
/// A lunch break is the gap between two windows, not a holiday. `{"always_open": true}`
/// (with any time zone, UTC by default) is a 24×7 calendar.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {
    /// IANA time zone name; UTC when empty.
    pub time_zone: String,
    /// Weekly windows.
    pub week: WeeklyHours,
    /// Closed dates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<NaiveDate>,
    /// Dates with other hours (half days).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub special_days: Vec<SpecialDay>,
    /// Open around the clock; `week`, `holidays` and `special_days` are ignored.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub always_open: bool,
}

/// Minutes of the local day, `[start, end)`, 0..=1440.
type Span = (u32, u32);

/// A validated business calendar.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::sla::BusinessCalendar;
/// let cal = BusinessCalendar::from_json(r#"{"time_zone": "Europe/Istanbul",
///     "week": {"mon": [["09:00","12:30"],["13:30","18:00"]], "tue": [["09:00","12:30"],["13:30","18:00"]],
///              "wed": [["09:00","12:30"],["13:30","18:00"]], "thu": [["09:00","12:30"],["13:30","18:00"]],
///              "fri": [["09:00","12:30"],["13:30","18:00"]]}}"#)?;
/// // Friday 2025-03-07 17:30 in İstanbul (UTC+3) is 14:30Z. Four business hours: 30 minutes
/// // on Friday, then Monday 09:00–12:30 (3 h 30), due Monday 12:30 = 09:30Z.
/// let opened = Utc.with_ymd_and_hms(2025, 3, 7, 14, 30, 0).unwrap();
/// let due = cal.add_business_minutes(opened, 240)?;
/// assert_eq!(due, Utc.with_ymd_and_hms(2025, 3, 10, 9, 30, 0).unwrap());
/// assert_eq!(cal.business_minutes_between(opened, due), 240);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    config: CalendarConfig,
    tz: Tz,
    week: [Vec<Span>; 7],
    holidays: Vec<NaiveDate>,
    special: Vec<(NaiveDate, Vec<Span>)>,
    /// Every date whose hours differ from its weekday's (a holiday or a special day), sorted
    /// and distinct, with the running sum of `own minutes − weekday minutes` up to and
    /// including it: whole weeks subtract holidays by two binary searches.
    overrides: Vec<(NaiveDate, i64)>,
}

/// How far ahead arithmetic looks for business time before giving up (a calendar whose
/// holidays close every remaining day).
const SEARCH_DAYS: u32 = 3 * 366;

/// The most business minutes [`BusinessCalendar::add_business_minutes`] (and
/// [`BusinessCalendar::add_business_time`]) add: ten years around the clock
/// (10 × 365.25 × 1440). Larger amounts are rejected before any arithmetic.
pub const MAX_BUSINESS_MINUTES: i64 = 5_259_600;

/// The longest span, in days, that the batch entry point
/// [`BusinessCalendar::business_minutes_between_columns`] measures (400 years, one
/// Gregorian cycle), and the furthest [`BusinessCalendar::add_business_minutes`] walks from
/// `at` looking for the deadline. `business_minutes_between` counts whole weeks
/// arithmetically (O(weeks)); `add_business_minutes` walks days.
pub const MAX_SPAN_DAYS: i64 = 146_097;

/// The most windows one day has: windows do not overlap and last at least a minute, so a day
/// holds at most 1,440 (checked before the windows are parsed).
pub const MAX_WINDOWS_PER_DAY: usize = 1_440;

/// The most holidays, and the most special days, a calendar has: every date of one
/// 400-year Gregorian cycle ([`MAX_SPAN_DAYS`]).
pub const MAX_SPECIAL_DAYS: usize = 146_097;

fn parse_time(text: &str, field: &str) -> Result<u32> {
    if text == "24:00" {
        return Ok(1440);
    }
    let t = NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| {
        CrmError::invalid(
            field,
            format!("{text:?}"),
            "must be a time \"HH:MM\" (00:00 to 24:00)",
        )
    })?;
    use chrono::Timelike;
    Ok(t.hour() * 60 + t.minute())
}

fn spans(windows: &[Window], field: &str) -> Result<Vec<Span>> {
    if windows.len() > MAX_WINDOWS_PER_DAY {
        return Err(CrmError::invalid(
            field,
            format_args!("of {} windows", windows.len()),
            format_args!("a day has at most {MAX_WINDOWS_PER_DAY} windows"),
        ));
    }
    let mut out = Vec::with_capacity(windows.len());
    for (i, [a, b]) in windows.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let (start, end) = (parse_time(a, &f)?, parse_time(b, &f)?);
        if start >= end {
            return Err(CrmError::invalid(
                &f,
                format!("[{a:?}, {b:?}]"),
                "the window must end after it starts",
            ));
        }
        out.push((start, end));
    }
    out.sort_unstable();
    if let Some(w) = out.windows(2).find(|w| w[1].0 < w[0].1) {
        return Err(CrmError::invalid(
            field,
            format!("{:02}:{:02}", w[1].0 / 60, w[1].0 % 60),
            "windows overlap",
        ));
    }
    Ok(out)
}

/// Minutes of a day's spans on the wall clock.
fn span_minutes(spans: &[Span]) -> i64 {
    spans.iter().map(|&(s, e)| i64::from(e - s)).sum()
}

/// The dates whose hours are not their weekday's, with the running sum of the difference
/// (see [`BusinessCalendar::overrides`]); a special day wins over a holiday on the same date,
/// as in `windows_of`.
fn overrides(
    week: &[Vec<Span>; 7],
    holidays: &[NaiveDate],
    special: &[(NaiveDate, Vec<Span>)],
) -> Vec<(NaiveDate, i64)> {
    let weekday = |d: NaiveDate| span_minutes(&week[d.weekday().num_days_from_monday() as usize]);
    let mut own: Vec<(NaiveDate, i64)> = special
        .iter()
        .map(|(d, spans)| (*d, span_minutes(spans)))
        .collect();
    for &d in holidays {
        // Searched in `special` (sorted): `own` stops being sorted once holidays are pushed.
        if special.binary_search_by_key(&d, |(x, _)| *x).is_err() {
            own.push((d, 0));
        }
    }
    own.sort_unstable_by_key(|(d, _)| *d);
    let mut sum = 0;
    own.into_iter()
        .map(|(d, minutes)| {
            sum += minutes - weekday(d);
            (d, sum)
        })
        .collect()
}

impl BusinessCalendar {
    /// Validates a configuration.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for an unknown time zone, a malformed time, a window
    /// that does not end after it starts, overlapping windows, more than
    /// [`MAX_WINDOWS_PER_DAY`] windows in a day, more than [`MAX_SPECIAL_DAYS`] holidays or
    /// special days, or a calendar with no opening hours on any weekday (and not always
    /// open).
    pub fn new(config: CalendarConfig) -> Result<Self> {
        for (field, n) in [
            ("holidays", config.holidays.len()),
            ("special_days", config.special_days.len()),
        ] {
            if n > MAX_SPECIAL_DAYS {
                return Err(CrmError::invalid(
                    field,
                    format_args!("of length {n}"),
                    format_args!("a calendar has at most {MAX_SPECIAL_DAYS}"),
                ));
            }
        }
        let tz: Tz = if config.time_zone.is_empty() {
            Tz::UTC
        } else {
            config.time_zone.parse().map_err(|_| {
                CrmError::invalid(
                    "time_zone",
                    &config.time_zone,
                    "is not an IANA time zone name",
                )
            })?
        };
        let w = &config.week;
        let week = [
            spans(&w.mon, "week.mon")?,
            spans(&w.tue, "week.tue")?,
            spans(&w.wed, "week.wed")?,
            spans(&w.thu, "week.thu")?,
            spans(&w.fri, "week.fri")?,
            spans(&w.sat, "week.sat")?,
            spans(&w.sun, "week.sun")?,
        ];
        if !config.always_open && week.iter().all(Vec::is_empty) {
            return Err(CrmError::invalid(
                "week",
                "{}",
                "no opening hours on any weekday (use always_open for 24×7)",
            ));
        }
        let mut special = Vec::with_capacity(config.special_days.len());
        for (i, d) in config.special_days.iter().enumerate() {
            special.push((
                d.date,
                spans(&d.hours, &format!("special_days[{i}].hours"))?,
            ));
        }
        special.sort_by_key(|(d, _)| *d);
        if let Some(w) = special.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(CrmError::invalid(
                "special_days",
                w[0].0,
                "is given twice (one date has one set of hours)",
            ));
        }
        let mut holidays = config.holidays.clone();
        holidays.sort_unstable();
        holidays.dedup();
        let overrides = overrides(&week, &holidays, &special);
        Ok(BusinessCalendar {
            config,
            tz,
            week,
            holidays,
            special,
            overrides,
        })
    }

    /// Parses and validates the JSON form.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Parse`] for text that is not a calendar; then as
    /// [`BusinessCalendar::new`].
    pub fn from_json(text: &str) -> Result<Self> {
        let config: CalendarConfig = crate::json::parse("the calendar", text)?;
        Self::new(config)
    }

    /// A 24×7 calendar.
    pub fn always_open() -> Self {
        BusinessCalendar {
            config: CalendarConfig {
                always_open: true,
                ..CalendarConfig::default()
            },
            tz: Tz::UTC,
            week: Default::default(),
            holidays: Vec::new(),
            special: Vec::new(),
            overrides: Vec::new(),
        }
    }

    /// The configuration (for its JSON form).
    pub fn config(&self) -> &CalendarConfig {
        &self.config
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.config).unwrap_or_default()
    }

    /// The time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// The local date of an instant, with the offset in force at that instant.
    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.tz.from_utc_datetime(&at.naive_utc()).date_naive()
    }

    /// The instant of local `date` at `minute` of the day (gap → first instant after it,
    /// fold → first occurrence).
    fn instant(&self, date: NaiveDate, minute: u32) -> Option<DateTime<Utc>> {
        let (date, minute) = if minute >= 1440 {
            (date.succ_opt()?, 0)
        } else {
            (date, minute)
        };
        let naive = date.and_hms_opt(minute / 60, minute % 60, 0)?;
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
            // In a gap the wall clock jumped forward; the first valid local minute after the
            // edge is the gap's end, which is the transition instant itself.
            LocalResult::None => (1..=240).find_map(|step| {
                match self
                    .tz
                    .from_local_datetime(&(naive + Duration::minutes(step)))
                {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                        Some(t.with_timezone(&Utc))
                    }
                    LocalResult::None => None,
                }
            }),
        }
    }

    /// The business windows of a local date as instants, in order.
    fn windows_of(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let spans: &[Span] = match self.special.binary_search_by_key(&date, |(d, _)| *d) {
            Ok(i) => &self.special[i].1,
            Err(_) if self.holidays.binary_search(&date).is_ok() => &[],
            Err(_) => &self.week[date.weekday().num_days_from_monday() as usize],
        };
        spans
            .iter()
            .filter_map(|&(s, e)| {
                let (s, e) = (self.instant(date, s)?, self.instant(date, e)?);
                (s < e).then_some((s, e))
            })
            .collect()
    }

    /// `at` plus `minutes` of business time. With 0 minutes, the first business instant at
    /// or after `at`. The result always lies within business hours (an end of a window
    /// counts: a deadline can be "18:00").
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for negative minutes or more than
    /// [`MAX_BUSINESS_MINUTES`], when no business time is found within three years (holidays
    /// closing every day) or within [`MAX_SPAN_DAYS`] of `at`, or when the deadline lies
    /// beyond the instants chrono represents.
    pub fn add_business_minutes(&self, at: DateTime<Utc>, minutes: i64) -> Result<DateTime<Utc>> {
        if minutes < 0 {
            return Err(CrmError::invalid(
                "minutes",
                minutes,
                "must not be negative",
            ));
        }
        crate::limits::at_most("minutes", minutes, MAX_BUSINESS_MINUTES)?;
        self.add_business_time(at, Duration::minutes(minutes))
    }

    /// `at` plus `time` of business time, to the nanosecond; as
    /// [`BusinessCalendar::add_business_minutes`].
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for a negative duration or one longer than
    /// [`MAX_BUSINESS_MINUTES`], when no business time is found within three years or within
    /// [`MAX_SPAN_DAYS`], or when the deadline lies beyond the instants chrono represents.
    pub fn add_business_time(&self, at: DateTime<Utc>, time: Duration) -> Result<DateTime<Utc>> {
        if time < Duration::zero() {
            return Err(CrmError::invalid(
                "time",
                format_args!("{time}"),
                "must not be negative",
            ));
        }
        if time > Duration::minutes(MAX_BUSINESS_MINUTES) {
            return Err(CrmError::invalid(
                "time",
                format_args!("{time}"),
                format_args!("must be at most {MAX_BUSINESS_MINUTES} minutes"),
            ));
        }
        let beyond = || {
            CrmError::invalid(
                "at",
                at.to_rfc3339(),
                format_args!("plus {time} lies beyond the representable instants"),
            )
        };
        if self.config.always_open {
            return at.checked_add_signed(time).ok_or_else(beyond);
        }
        let mut left = time;
        let mut date = self.local_date(at).pred_opt().unwrap_or(NaiveDate::MIN);
        // Days walked in all, and days walked since business time was last found.
        let mut idle = 0;
        for _ in 0..=MAX_SPAN_DAYS {
            let mut found = false;
            for (s, e) in self.windows_of(date) {
                if e <= at {
                    continue;
                }
                found = true;
                let begin = s.max(at);
                let available = e - begin;
                if left <= available {
                    return begin.checked_add_signed(left).ok_or_else(beyond);
                }
                left -= available;
            }
            idle = if found { 0 } else { idle + 1 };
            if idle > SEARCH_DAYS {
                return Err(CrmError::invalid(
                    "time",
                    format_args!("{time}"),
                    "no business time found within three years: check the holidays",
                ));
            }
            date = date.succ_opt().ok_or_else(beyond)?;
        }
        Err(CrmError::invalid(
            "time",
            format_args!("{time}"),
            format_args!("does not fit in {MAX_SPAN_DAYS} days of this calendar"),
        ))
    }

    /// Whether the calendar is open around the clock.
    pub fn is_always_open(&self) -> bool {
        self.config.always_open
    }

    /// Every business window of the local dates `first..=last`, as instants in order.
    pub(crate) fn windows_from_to(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        let mut date = first;
        while date <= last {
            out.extend(self.windows_of(date));
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        out
    }

    /// The local date of an instant in the calendar's time zone.
    pub(crate) fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local_date(at)
    }

    /// Business time between two instants (0 when `to` is not after `from`).
    pub fn business_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if self.config.always_open {
            return to - from;
        }
        let first = self.local_date(from).pred_opt().unwrap_or(NaiveDate::MIN);
        let last = self.local_date(to).succ_opt().unwrap_or(NaiveDate::MAX);
        // Whole weeks, Monday to Monday, lying two days inside the span on both sides (so that
        // their windows are inside [from, to] whatever the offsets): counted arithmetically.
        // The days before and after them are walked and clipped.
        let whole = (|| {
            let lo = first.checked_add_days(chrono::Days::new(3))?;
            let monday = lo.checked_add_days(chrono::Days::new(u64::from(
                (7 - lo.weekday().num_days_from_monday()) % 7,
            )))?;
            let hi = last.checked_sub_days(chrono::Days::new(3))?;
            let weeks = (hi - monday).num_days().div_euclid(7);
            (weeks > 0).then_some((monday, weeks))
        })();
        let Some((monday, weeks)) = whole else {
            return self.walk(first, last, from, to);
        };
        let end = monday + Duration::days(7 * weeks);
        let day_before = monday.pred_opt().unwrap_or(NaiveDate::MIN);
        self.walk(first, day_before, from, to)
            + self.whole_weeks(monday, weeks, from, to)
            + self.walk(end, last, from, to)
    }

    /// Business time in the windows of the local dates `first..=last`, clipped to
    /// `[from, to]`, date by date.
    fn walk(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Duration {
        let mut total = Duration::zero();
        let mut date = first;
        while date <= last {
            for (s, e) in self.windows_of(date) {
                let (a, b) = (s.max(from), e.min(to));
                if a < b {
                    total += b - a;
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        total
    }

    /// Business time of `weeks` whole weeks from local Monday `monday`: a week whose UTC
    /// offset is the same at its first and its last instant (no DST change inside) is the
    /// weekly minutes; the holidays and special days of all such weeks are added once by a
    /// range lookup in `overrides`. A week with an offset change is walked date by date.
    /// O(weeks), not O(days); two offset changes inside one week that cancel out are taken
    /// for none (no IANA zone has them since 1970).
    fn whole_weeks(
        &self,
        monday: NaiveDate,
        weeks: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Duration {
        let weekly = span_minutes(&self.week.concat());
        let offset = |date: NaiveDate| {
            self.instant(date, 0)
                .map(|t| t - date.and_time(NaiveTime::MIN).and_utc())
        };
        let adjust_upto = |date: NaiveDate| {
            // The running sum over the override dates before `date`.
            let i = self.overrides.partition_point(|(d, _)| *d < date);
            if i == 0 { 0 } else { self.overrides[i - 1].1 }
        };
        let mut minutes = 0i64;
        let mut walked = Duration::zero();
        let mut start = monday;
        let mut start_offset = offset(start);
        for _ in 0..weeks {
            let next = start + Duration::days(7);
            let next_offset = offset(next);
            if start_offset.is_some() && start_offset == next_offset {
                minutes += weekly + adjust_upto(next) - adjust_upto(start);
            } else {
                walked += self.walk(start, next.pred_opt().unwrap_or(next), from, to);
            }
            start = next;
            start_offset = next_offset;
        }
        Duration::minutes(minutes) + walked
    }

    /// The date-by-date walk over the whole span that [`Self::business_time_between`] replaced:
    /// the oracle of its property test.
    #[cfg(test)]
    fn business_time_between_walked(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if self.config.always_open {
            return to - from;
        }
        let last = self.local_date(to).succ_opt().unwrap_or(NaiveDate::MAX);
        let first = self.local_date(from).pred_opt().unwrap_or(NaiveDate::MIN);
        self.walk(first, last, from, to)
    }

    /// Whole business minutes between two instants (rounded down).
    pub fn business_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.business_time_between(from, to).num_minutes()
    }

    /// Whether `at` lies within business hours (window ends included).
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        if self.config.always_open {
            return true;
        }
        let date = self.local_date(at);
        [date.pred_opt(), Some(date)]
            .into_iter()
            .flatten()
            .flat_map(|d| self.windows_of(d))
            .any(|(s, e)| s <= at && at <= e)
    }

    /// The first business instant at or after `at`.
    ///
    /// # Errors
    /// As [`BusinessCalendar::add_business_minutes`].
    pub fn next_business_instant(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>> {
        self.add_business_minutes(at, 0)
    }

    /// The end of the next business day after `at`'s local date: the close of the last window
    /// of the first later date that has business hours ("we answer by end of next business
    /// day").
    ///
    /// # Errors
    /// When no business day is found within three years.
    pub fn end_of_next_business_day(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>> {
        if self.config.always_open {
            let next = self.local_date(at).succ_opt().and_then(|d| d.succ_opt());
            if let Some(t) = next.and_then(|d| self.instant(d, 0)) {
                return Ok(t);
            }
        }
        let mut date = self.local_date(at);
        for _ in 0..SEARCH_DAYS {
            date = date
                .succ_opt()
                .ok_or_else(|| CrmError::invalid("at", at.to_rfc3339(), "beyond the calendar"))?;
            if let Some(&(_, end)) = self.windows_of(date).last() {
                return Ok(end);
            }
        }
        Err(CrmError::invalid(
            "at",
            at.to_rfc3339(),
            "no business day within three years",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    /// Mon–Fri 09:00–12:30 and 13:30–18:00 in İstanbul (UTC+3 all year since 2016), 23 April
    /// a holiday, Friday 28 March 2025 a half day (09:00–13:00).
    fn istanbul() -> BusinessCalendar {
        BusinessCalendar::from_json(
            r#"{"time_zone": "Europe/Istanbul",
                "week": {"mon": [["09:00","12:30"],["13:30","18:00"]], "tue": [["09:00","12:30"],["13:30","18:00"]],
                         "wed": [["09:00","12:30"],["13:30","18:00"]], "thu": [["09:00","12:30"],["13:30","18:00"]],
                         "fri": [["09:00","12:30"],["13:30","18:00"]]},
                "holidays": ["2025-04-23"],
                "special_days": [{"date": "2025-03-28", "hours": [["09:00","13:00"]]}]}"#,
        )
        .unwrap()
    }

    fn nine_to_five(tz: &str) -> BusinessCalendar {
        let day = r#"[["09:00","17:00"]]"#;
        BusinessCalendar::from_json(&format!(
            r#"{{"time_zone": "{tz}", "week": {{"mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}}}}}"#
        ))
        .unwrap()
    }

    fn around_the_clock(tz: &str) -> BusinessCalendar {
        let day = r#"[["00:00","24:00"]]"#;
        BusinessCalendar::from_json(&format!(
            r#"{{"time_zone": "{tz}", "week": {{"mon": {day}, "tue": {day}, "wed": {day}, "thu": {day},
                 "fri": {day}, "sat": {day}, "sun": {day}}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn istanbul_deadlines_worked_by_hand() {
        let cal = istanbul();
        // Monday 10 March 12:00 (09:00Z) + 60: 30 min to lunch, 30 after → 14:00 = 11:00Z.
        assert_eq!(
            cal.add_business_minutes(utc(2025, 3, 10, 9, 0), 60)
                .unwrap(),
            utc(2025, 3, 10, 11, 0)
        );
        // Tuesday 22 April 17:00 + 120: 60 on Tuesday, Wednesday 23 is a holiday, 60 on
        // Thursday from 09:00 → 10:00 = 07:00Z.
        assert_eq!(
            cal.add_business_minutes(utc(2025, 4, 22, 14, 0), 120)
                .unwrap(),
            utc(2025, 4, 24, 7, 0)
        );
        // The half day, Friday 28 March 12:00 + 120: 60 until 13:00, 60 on Monday 31 March
        // from 09:00 → 10:00 = 07:00Z.
        assert_eq!(
            cal.add_business_minutes(utc(2025, 3, 28, 9, 0), 120)
                .unwrap(),
            utc(2025, 3, 31, 7, 0)
        );
        // Opened on Saturday 8 March 10:00 + 30 → Monday 09:30 = 06:30Z.
        assert_eq!(
            cal.add_business_minutes(utc(2025, 3, 8, 7, 0), 30).unwrap(),
            utc(2025, 3, 10, 6, 30)
        );
        // Monday 08:00 to 19:00 holds 3 h 30 + 4 h 30 = 480 business minutes.
        assert_eq!(
            cal.business_minutes_between(utc(2025, 3, 10, 5, 0), utc(2025, 3, 10, 16, 0)),
            480
        );
        // 0 minutes during lunch: the afternoon opening, 13:30 = 10:30Z.
        assert_eq!(
            cal.next_business_instant(utc(2025, 3, 10, 9, 45)).unwrap(),
            utc(2025, 3, 10, 10, 30)
        );
        // End of next business day after Tuesday 22 April: Wednesday is a holiday, so
        // Thursday 18:00 = 15:00Z.
        assert_eq!(
            cal.end_of_next_business_day(utc(2025, 4, 22, 7, 0))
                .unwrap(),
            utc(2025, 4, 24, 15, 0)
        );
        assert!(cal.is_open(utc(2025, 3, 10, 15, 0)) && !cal.is_open(utc(2025, 3, 10, 9, 45)));
    }

    #[test]
    fn past_instants_use_the_offset_of_their_time() {
        // Türkiye was UTC+2 in winter until 2016: Monday 5 January 2015 09:00 was 07:00Z.
        let cal = istanbul();
        assert!(!cal.is_open(utc(2015, 1, 5, 6, 30)));
        assert!(cal.is_open(utc(2015, 1, 5, 7, 0)));
        assert_eq!(
            cal.add_business_minutes(utc(2015, 1, 5, 6, 0), 60).unwrap(),
            utc(2015, 1, 5, 8, 0)
        );
        // Summer 2015 was UTC+3 like today: 09:00 = 06:00Z on Monday 6 July 2015.
        assert_eq!(
            cal.next_business_instant(utc(2015, 7, 6, 0, 0)).unwrap(),
            utc(2015, 7, 6, 6, 0)
        );
    }

    #[test]
    fn london_across_both_dst_weekends() {
        let cal = nine_to_five("Europe/London");
        // Friday 28 March 2025 16:00 GMT + 4 h: 1 h on Friday; the clocks go forward on
        // Sunday; 3 h on Monday from 09:00 BST → 12:00 BST = 11:00Z.
        assert_eq!(
            cal.add_business_minutes(utc(2025, 3, 28, 16, 0), 240)
                .unwrap(),
            utc(2025, 3, 31, 11, 0)
        );
        // Friday 24 October 16:00 BST (15:00Z) + 4 h; back to GMT on Sunday → Monday 12:00Z.
        assert_eq!(
            cal.add_business_minutes(utc(2025, 10, 24, 15, 0), 240)
                .unwrap(),
            utc(2025, 10, 27, 12, 0)
        );
        let all_day = around_the_clock("Europe/London");
        // The spring-forward day has 23 hours, the fall-back day 25.
        assert_eq!(
            all_day.business_minutes_between(utc(2025, 3, 30, 0, 0), utc(2025, 3, 30, 23, 0)),
            23 * 60
        );
        assert_eq!(
            all_day.business_minutes_between(utc(2025, 10, 25, 23, 0), utc(2025, 10, 27, 0, 0)),
            25 * 60
        );
    }

    #[test]
    fn new_york_across_both_dst_weekends() {
        let cal = nine_to_five("America/New_York");
        // Friday 7 March 2025 16:00 EST (21:00Z) + 2 h: 1 h Friday, 1 h Monday → 10:00 EDT = 14:00Z.
        assert_eq!(
            cal.add_business_minutes(utc(2025, 3, 7, 21, 0), 120)
                .unwrap(),
            utc(2025, 3, 10, 14, 0)
        );
        // Friday 31 October 16:30 EDT (20:30Z) + 1 h: 30 min Friday, 30 Monday → 09:30 EST = 14:30Z.
        assert_eq!(
            cal.add_business_minutes(utc(2025, 10, 31, 20, 30), 60)
                .unwrap(),
            utc(2025, 11, 3, 14, 30)
        );
    }

    #[test]
    fn window_edges_in_gaps_and_folds() {
        // A Sunday window 01:30–03:00 on the London spring-forward night: 01:30 does not exist,
        // so the window opens at the jump (01:00Z = 02:00 BST) and closes 03:00 BST = 02:00Z.
        let gap = BusinessCalendar::from_json(
            r#"{"time_zone": "Europe/London", "week": {"sun": [["01:30","03:00"]]}}"#,
        )
        .unwrap();
        assert_eq!(
            gap.business_minutes_between(utc(2025, 3, 29, 12, 0), utc(2025, 3, 31, 0, 0)),
            60
        );
        // On the fall-back night 01:30 happens twice; the window 01:30–02:30 opens at the
        // first (00:30Z) and closes at 02:30 GMT = 02:30Z: two hours.
        let fold = BusinessCalendar::from_json(
            r#"{"time_zone": "Europe/London", "week": {"sun": [["01:30","02:30"]]}}"#,
        )
        .unwrap();
        assert_eq!(
            fold.business_minutes_between(utc(2025, 10, 25, 12, 0), utc(2025, 10, 27, 0, 0)),
            120
        );
    }

    #[test]
    fn a_lunch_break_is_not_a_holiday_and_weekdays_may_be_missing() {
        // osTicket regressions: a schedule with only Saturday hours must not go overdue at once.
        let sat = BusinessCalendar::from_json(
            r#"{"time_zone": "Europe/Istanbul", "week": {"sat": [["10:00","14:00"]]}}"#,
        )
        .unwrap();
        // Monday 10 March 2025 → Saturday 15 March 10:00 + 60 = 11:00 local = 08:00Z.
        assert_eq!(
            sat.add_business_minutes(utc(2025, 3, 10, 9, 0), 60)
                .unwrap(),
            utc(2025, 3, 15, 8, 0)
        );
        // 12:00–14:00 local around lunch holds 12:00–12:30 and 13:30–14:00: the lunch gap
        // closes an hour, not the day.
        assert_eq!(
            istanbul().business_minutes_between(utc(2025, 3, 10, 9, 0), utc(2025, 3, 10, 11, 0)),
            60
        );
    }

    #[test]
    fn configs_are_checked() {
        let err = |json: &str| BusinessCalendar::from_json(json).unwrap_err().to_string();
        assert_eq!(
            err(r#"{"time_zone": "Europe/Istambul", "week": {"mon": [["09:00","17:00"]]}}"#),
            "invalid time_zone Europe/Istambul: is not an IANA time zone name"
        );
        assert_eq!(
            err(r#"{"week": {"mon": [["9am","17:00"]]}}"#),
            "invalid week.mon[0] \"9am\": must be a time \"HH:MM\" (00:00 to 24:00)"
        );
        assert_eq!(
            err(r#"{"week": {"mon": [["17:00","09:00"]]}}"#),
            "invalid week.mon[0] [\"17:00\", \"09:00\"]: the window must end after it starts"
        );
        assert_eq!(
            err(r#"{"week": {"mon": [["09:00","13:00"], ["12:00","17:00"]]}}"#),
            "invalid week.mon 12:00: windows overlap"
        );
        assert!(err(r#"{"week": {}}"#).contains("no opening hours"));
        // A value of the wrong type names its path (crate::json), not just the document.
        assert!(
            err(r#"{"week": 5}"#).starts_with("invalid week 5: expected "),
            "{}",
            err(r#"{"week": 5}"#)
        );
        assert!(err(r#"{"week": "#).starts_with("could not parse the calendar"));
        let cal = istanbul();
        assert_eq!(
            cal.add_business_minutes(utc(2025, 1, 1, 0, 0), -1)
                .unwrap_err()
                .to_string(),
            "invalid minutes -1: must not be negative"
        );
        // 24×7 and the JSON form round-trip.
        let open = BusinessCalendar::always_open();
        assert_eq!(
            open.add_business_minutes(utc(2025, 1, 1, 0, 0), 90)
                .unwrap(),
            utc(2025, 1, 1, 1, 30)
        );
        assert_eq!(BusinessCalendar::from_json(&cal.to_json()).unwrap(), cal);
    }

    /// Windows from sorted distinct cut points of the day, paired: `[a, b), [c, d)`.
    fn windows_strategy() -> impl Strategy<Value = Vec<Window>> {
        proptest::collection::btree_set(0u32..=1440, 0..=4).prop_map(|cuts| {
            let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
            let cuts: Vec<u32> = cuts.into_iter().collect();
            cuts.chunks_exact(2).map(|w| [hm(w[0]), hm(w[1])]).collect()
        })
    }

    /// Random calendars: zones with and without DST (southern, half-hour, midnight changes),
    /// random weekly windows, holidays and half days over 1995–2045.
    fn calendar_strategy() -> impl Strategy<Value = BusinessCalendar> {
        const ZONES: [&str; 8] = [
            "UTC",
            "Europe/Istanbul",
            "Europe/London",
            "America/New_York",
            "America/Sao_Paulo",
            "Australia/Lord_Howe",
            "Asia/Tehran",
            "America/Havana",
        ];
        (
            0..ZONES.len(),
            proptest::collection::vec(windows_strategy(), 7),
            proptest::collection::vec(0u64..18_300, 0..40),
            proptest::collection::btree_map(0u64..18_300, windows_strategy(), 0..20),
        )
            .prop_map(|(zone, mut days, holidays, special)| {
                if days.iter().all(Vec::is_empty) {
                    days[2] = vec![["09:00".into(), "17:00".into()]];
                }
                let base = NaiveDate::from_ymd_opt(1995, 1, 1).unwrap();
                let date = |d: u64| base.checked_add_days(chrono::Days::new(d)).unwrap();
                let mut d = days.into_iter();
                let mut next = || d.next().unwrap();
                let week = WeeklyHours {
                    mon: next(),
                    tue: next(),
                    wed: next(),
                    thu: next(),
                    fri: next(),
                    sat: next(),
                    sun: next(),
                };
                BusinessCalendar::new(CalendarConfig {
                    time_zone: ZONES[zone].into(),
                    week,
                    holidays: holidays.into_iter().map(date).collect(),
                    special_days: special
                        .into_iter()
                        .map(|(d, hours)| SpecialDay {
                            date: date(d),
                            hours,
                        })
                        .collect(),
                    always_open: false,
                })
                .unwrap()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// The week-by-week count equals the date-by-date walk it replaced, to the second,
        /// over random calendars, instants (1993–2047) and spans up to 15 years.
        #[test]
        fn whole_weeks_agree_with_the_walk(
            cal in calendar_strategy(),
            start in 0i64..(54 * 366 * 24 * 60),
            span in prop_oneof![0i64..(3 * 24 * 60), 0i64..(60 * 24 * 60), 0i64..(15 * 366 * 24 * 60)],
            seconds in 0i64..60,
        ) {
            let from = utc(1993, 1, 1, 0, 0) + Duration::minutes(start) + Duration::seconds(seconds);
            let to = from + Duration::minutes(span);
            prop_assert_eq!(
                cal.business_time_between(from, to),
                cal.business_time_between_walked(from, to),
                "{} from {} to {}", cal.to_json(), from, to
            );
        }
    }

    #[test]
    fn a_400_year_span_is_counted_by_weeks() {
        // 9:00–17:00 Monday to Friday in UTC, no holidays: 400 Gregorian years are exactly
        // 20,871 weeks, 40 business hours each.
        let cal = nine_to_five("UTC");
        let from = utc(2000, 1, 3, 0, 0); // a Monday
        let to = from + Duration::days(146_097);
        assert_eq!(cal.business_minutes_between(from, to), 20_871 * 40 * 60);
        assert_eq!(
            cal.business_time_between(from, to),
            cal.business_time_between_walked(from, to)
        );
    }

    #[test]
    fn a_date_given_twice_as_a_special_day_is_refused() {
        let e = BusinessCalendar::from_json(
            r#"{"week": {"mon": [["09:00", "17:00"]]}, "special_days": [
                {"date": "2025-03-29", "hours": [["09:00", "13:00"]]},
                {"date": "2025-03-29", "hours": []}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("special_days"));
        assert!(e.to_string().contains("2025-03-29"), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn deadlines_are_in_business_hours_and_add_up(
            start in 0i64..(2 * 366 * 24 * 60),
            a in 0i64..3_000,
            b in 0i64..3_000,
            london in any::<bool>(),
        ) {
            let cal = if london { nine_to_five("Europe/London") } else { istanbul() };
            let at = utc(2024, 1, 1, 0, 0) + Duration::minutes(start);
            let due = cal.add_business_minutes(at, a).unwrap();
            prop_assert!(cal.is_open(due), "{due} is outside business hours");
            prop_assert!(due >= at);
            prop_assert_eq!(cal.business_minutes_between(at, due), a);
            let twice = cal.add_business_minutes(due, b).unwrap();
            prop_assert_eq!(twice, cal.add_business_minutes(at, a + b).unwrap());
        }
    }
}
