//! A business calendar unrolled over a span of dates, for evaluating many complaints.
//!
//! [`BusinessCalendar`] works date by date, turning wall-clock windows into instants with the
//! time zone each time; that is exact but costs microseconds per call. A batch of a million
//! complaints asks the same questions about the same few weeks, so [`BusinessClock`] turns
//! the windows of those weeks into instants once and keeps a running total of business time
//! at each window start: business time between two instants is then the difference of two
//! totals, and adding business time is a binary search. Outside the unrolled span it defers
//! to the calendar, so both always give the same answers (a proptest checks that).

use chrono::{DateTime, Duration, Utc};

use super::BusinessCalendar;
use crate::error::Result;

/// A [`BusinessCalendar`] with its windows over a span of dates turned into instants.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use crm_core::sla::{BusinessCalendar, BusinessClock};
/// let day = r#"[["09:00","17:00"]]"#;
/// let cal = BusinessCalendar::from_json(&format!(
///     r#"{{"time_zone": "Europe/London", "week": {{"mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}}}}}"#
/// ))?;
/// let from = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
/// let clock = BusinessClock::new(&cal, from, from + Duration::days(60));
/// let friday_four_pm = Utc.with_ymd_and_hms(2025, 3, 7, 16, 0, 0).unwrap();
/// // One hour on Friday, one on Monday.
/// let due = clock.add(friday_four_pm, Duration::hours(2))?;
/// assert_eq!(due, Utc.with_ymd_and_hms(2025, 3, 10, 10, 0, 0).unwrap());
/// assert_eq!(clock.between(friday_four_pm, due), Duration::hours(2));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
#[derive(Debug, Clone)]
pub struct BusinessClock {
    calendar: BusinessCalendar,
    /// Window starts and ends, nanoseconds since the Unix epoch, in order.
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// Business nanoseconds before each window's start and at its end, counted from the
    /// first window.
    before: Vec<i64>,
    after: Vec<i64>,
    /// The instants (nanoseconds) between which every window is in the tables.
    lo: i64,
    hi: i64,
}

fn nanos(at: DateTime<Utc>) -> Option<i64> {
    at.timestamp_nanos_opt()
}

impl BusinessClock {
    /// Unrolls `calendar` over the dates from `from` to `to` (a day of margin either side).
    /// Any instant works afterwards; those outside the span cost a calendar call.
    pub fn new(calendar: &BusinessCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let mut clock = BusinessClock {
            calendar: calendar.clone(),
            starts: Vec::new(),
            ends: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
            lo: 0,
            hi: -1,
        };
        let (Some(lo), Some(hi)) = (nanos(from), nanos(to)) else {
            return clock;
        };
        if calendar.is_always_open() || hi < lo {
            return clock;
        }
        let first = calendar
            .date_of(from)
            .pred_opt()
            .unwrap_or(from.date_naive());
        let last = calendar.date_of(to).succ_opt().unwrap_or(to.date_naive());
        let mut total = 0;
        for (s, e) in calendar.windows_from_to(first, last) {
            let (Some(s), Some(e)) = (nanos(s), nanos(e)) else {
                return clock;
            };
            clock.starts.push(s);
            clock.ends.push(e);
            clock.before.push(total);
            total += e - s;
            clock.after.push(total);
        }
        (clock.lo, clock.hi) = (lo, hi);
        clock
    }

    /// The calendar behind the clock.
    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }

    fn covers(&self, at: i64) -> bool {
        self.lo <= at && at <= self.hi
    }

    /// Business nanoseconds from the first window to `at`.
    fn position(&self, at: i64) -> i64 {
        let i = self.starts.partition_point(|&s| s <= at);
        if i == 0 {
            return 0;
        }
        let j = i - 1;
        self.before[j] + at.min(self.ends[j]) - self.starts[j]
    }

    /// Business time between two instants (zero when `to` is not after `from`); the same as
    /// [`BusinessCalendar::business_time_between`].
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if self.calendar.is_always_open() {
            return to - from;
        }
        match (nanos(from), nanos(to)) {
            (Some(a), Some(b)) if self.covers(a) && self.covers(b) => {
                Duration::nanoseconds(self.position(b) - self.position(a))
            }
            _ => self.calendar.business_time_between(from, to),
        }
    }

    /// `at` plus `time` of business time; the same as [`BusinessCalendar::add_business_time`].
    ///
    /// # Errors
    /// As [`BusinessCalendar::add_business_time`].
    pub fn add(&self, at: DateTime<Utc>, time: Duration) -> Result<DateTime<Utc>> {
        if self.calendar.is_always_open() || time < Duration::zero() {
            return self.calendar.add_business_time(at, time);
        }
        let (Some(a), Some(d)) = (nanos(at), time.num_nanoseconds()) else {
            return self.calendar.add_business_time(at, time);
        };
        if !self.covers(a) {
            return self.calendar.add_business_time(at, time);
        }
        let j = if d == 0 {
            // The first window still open after `at`.
            self.ends.partition_point(|&e| e <= a)
        } else {
            let target = self.position(a) + d;
            self.after.partition_point(|&t| t < target)
        };
        if j == self.starts.len() {
            return self.calendar.add_business_time(at, time);
        }
        let result = if d == 0 {
            self.starts[j].max(a)
        } else {
            self.starts[j] + (self.position(a) + d - self.before[j])
        };
        Ok(DateTime::from_timestamp_nanos(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// Mon–Fri with a lunch break in New York (DST both ways in 2025), a holiday and a half
    /// day, so the tables hold gaps of every kind.
    fn new_york() -> BusinessCalendar {
        let day = r#"[["09:00","12:00"],["13:00","17:30"]]"#;
        BusinessCalendar::from_json(&format!(
            r#"{{"time_zone": "America/New_York",
                 "week": {{"mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}, "sat": [["10:00","14:00"]]}},
                 "holidays": ["2025-03-10", "2025-11-03"],
                 "special_days": [{{"date": "2025-03-07", "hours": [["09:00","13:00"]]}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn outside_the_span_the_calendar_answers() {
        let cal = new_york();
        let from = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
        let clock = BusinessClock::new(&cal, from, from + Duration::days(10));
        let late = Utc.with_ymd_and_hms(2025, 6, 2, 15, 0, 0).unwrap();
        assert_eq!(
            clock.add(late, Duration::hours(30)).unwrap(),
            cal.add_business_time(late, Duration::hours(30)).unwrap()
        );
        // Starting inside, ending far beyond the tables.
        assert_eq!(
            clock.add(from, Duration::hours(300)).unwrap(),
            cal.add_business_time(from, Duration::hours(300)).unwrap()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn the_clock_agrees_with_the_calendar(
            a in 0i64..120 * 24 * 3600,
            b in 0i64..120 * 24 * 3600,
            nanos in 0i64..1_000_000_000,
            minutes in 0i64..6000,
        ) {
            let cal = new_york();
            let origin = Utc.with_ymd_and_hms(2025, 2, 20, 0, 0, 0).unwrap();
            let clock = BusinessClock::new(&cal, origin, origin + Duration::days(90));
            let at = origin + Duration::seconds(a) + Duration::nanoseconds(nanos);
            let to = origin + Duration::seconds(b);
            prop_assert_eq!(clock.between(at, to), cal.business_time_between(at, to));
            let d = Duration::minutes(minutes) + Duration::nanoseconds(nanos / 7);
            prop_assert_eq!(clock.add(at, d).unwrap(), cal.add_business_time(at, d).unwrap());
        }
    }
}
