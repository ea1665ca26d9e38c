//! Time units and the day arithmetic every engine shares: integer instants in a
//! [`TimeUnit`] (the form columns arrive in from numpy, pandas, polars and C) and fractional
//! days between two instants.
//!
//! Text becomes an instant in one place, [`parse_instant`] (and [`parse_instant_in`] for the
//! end of a period and other zones), whichever layer it comes from.
//!
//! This module sits below the engines and the book: it imports neither.

mod parse;

pub use parse::{
    DayBound, PeriodEnd, day_end, day_start, local_day, parse_day, parse_instant,
    parse_instant_column, parse_instant_in, parse_period_end, parse_zone,
};
pub(crate) use parse::{serde_instant, serde_zone};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};

/// The tick numpy, pandas and polars use for a missing instant (`NaT`): `i64::MIN`.
///
/// It is never read as an instant: [`TimeUnit::checked_instant`] and
/// [`TimeUnit::check_column`] reject it, naming the field and row, rather than turning it
/// into an instant 292 years before the epoch (or, in other units, 292 million years).
pub const NAT: i64 = i64::MIN;

/// Seconds in a civil day of 24 hours (instants here are UTC, which has no DST).
pub(crate) const SECONDS_PER_DAY: f64 = 86_400.0;

/// Days in an average Gregorian month (365.2425 / 12 = 30.436875).
pub const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;

/// The unit of integer instants: ticks since 1970-01-01T00:00:00Z.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::time::TimeUnit;
/// let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// assert_eq!(TimeUnit::Milliseconds.ticks(t), 1_704_067_200_000);
/// assert_eq!(TimeUnit::Milliseconds.instant(1_704_067_200_000), t);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
    /// Microseconds (polars' default `Datetime` unit).
    Microseconds,
    /// Nanoseconds (numpy/pandas `datetime64[ns]`).
    #[default]
    Nanoseconds,
}

impl TimeUnit {
    /// Ticks per day.
    pub fn per_day(self) -> f64 {
        SECONDS_PER_DAY * self.per_second() as f64
    }

    /// Ticks per second.
    pub fn per_second(self) -> i64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Milliseconds => 1_000,
            TimeUnit::Microseconds => 1_000_000,
            TimeUnit::Nanoseconds => 1_000_000_000,
        }
    }

    /// The instant `ticks` of this unit after the epoch (the inverse of
    /// [`TimeUnit::ticks`]); instants beyond chrono's range clamp to the epoch.
    pub fn instant(self, ticks: i64) -> DateTime<Utc> {
        let per = self.per_second();
        let nanos = (ticks.rem_euclid(per) * (1_000_000_000 / per)) as u32;
        DateTime::from_timestamp(ticks.div_euclid(per), nanos).unwrap_or_default()
    }

    /// The instant `ticks` of this unit after the epoch, or an error naming `field[row]` when
    /// `ticks` is a missing instant ([`NAT`]) or outside the instants chrono represents
    /// (years −262143 to 262142): epoch nanoseconds read as seconds land there, for example.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `field[row]` and the tick value.
    ///
    /// ```
    /// use crm_core::time::{TimeUnit, NAT};
    /// assert_eq!(TimeUnit::Seconds.checked_instant(86_400, "at", 0)?.to_rfc3339(),
    ///            "1970-01-02T00:00:00+00:00");
    /// let e = TimeUnit::Nanoseconds.checked_instant(NAT, "at", 3).unwrap_err();
    /// assert_eq!(e.field(), Some("at[3]"));
    /// // 2024-01-01 in epoch nanoseconds, passed as seconds:
    /// let e = TimeUnit::Seconds.checked_instant(1_704_067_200_000_000_000, "at", 0).unwrap_err();
    /// assert!(e.to_string().contains("out of range for unit s"), "{e}");
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn checked_instant(self, ticks: i64, field: &str, row: usize) -> Result<DateTime<Utc>> {
        if ticks == NAT {
            return Err(CrmError::invalid(
                &format!("{field}[{row}]"),
                "NaT",
                "is a missing instant (NaT); drop or fill the row first",
            ));
        }
        let per = self.per_second();
        let nanos = (ticks.rem_euclid(per) * (1_000_000_000 / per)) as u32;
        DateTime::from_timestamp(ticks.div_euclid(per), nanos).ok_or_else(|| {
            CrmError::invalid(
                &format!("{field}[{row}]"),
                ticks,
                format_args!(
                    "is out of range for unit {} (instants from year -262143 to 262142); \
                     is the unit right?",
                    self.short_name()
                ),
            )
        })
    }

    /// Checks that every tick of the column `field` is an instant ([`TimeUnit::checked_instant`]).
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming the first bad row.
    pub fn check_column(self, field: &str, ticks: &[i64]) -> Result<()> {
        let per = self.per_second();
        // Chrono's range in seconds; ticks outside it (or NaT) are looked at one by one.
        let (lo, hi) = (
            DateTime::<Utc>::MIN_UTC.timestamp(),
            DateTime::<Utc>::MAX_UTC.timestamp(),
        );
        match ticks.iter().position(|&t| {
            t == NAT || {
                let s = t.div_euclid(per);
                s < lo || s > hi
            }
        }) {
            Some(row) => self.checked_instant(ticks[row], field, row).map(|_| ()),
            None => Ok(()),
        }
    }

    /// The unit's short name as numpy writes it: `"s"`, `"ms"`, `"us"`, `"ns"`.
    pub fn short_name(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "s",
            TimeUnit::Milliseconds => "ms",
            TimeUnit::Microseconds => "us",
            TimeUnit::Nanoseconds => "ns",
        }
    }

    /// `at` as ticks of this unit (saturating far outside ±292 years for nanoseconds).
    pub fn ticks(self, at: DateTime<Utc>) -> i64 {
        match self {
            TimeUnit::Seconds => at.timestamp(),
            TimeUnit::Milliseconds => at.timestamp_millis(),
            TimeUnit::Microseconds => at.timestamp_micros(),
            TimeUnit::Nanoseconds => at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
        }
    }
}

/// Days from `from` to `to` as a fraction (negative when `to` is earlier).
pub(crate) fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    let d = to - from;
    d.num_seconds() as f64 / SECONDS_PER_DAY + f64::from(d.subsec_nanos()) / (SECONDS_PER_DAY * 1e9)
}

/// Days from tick `from` to tick `to`, with `per_day` ticks a day ([`TimeUnit::per_day`]).
/// The ticks are subtracted as integers first: nanosecond instants lose precision as `f64`.
pub(crate) fn days_between_ticks(from: i64, to: i64, per_day: f64) -> f64 {
    to.saturating_sub(from) as f64 / per_day
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_units() {
        // 1 ms before the epoch, in microseconds: second -1 plus 999 ms.
        assert_eq!(
            TimeUnit::Microseconds.instant(-1_000),
            Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap()
                + chrono::Duration::milliseconds(999)
        );
        let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        for unit in [
            TimeUnit::Seconds,
            TimeUnit::Milliseconds,
            TimeUnit::Microseconds,
            TimeUnit::Nanoseconds,
        ] {
            assert_eq!(unit.instant(unit.ticks(t)), t);
        }
        assert_eq!(TimeUnit::Seconds.ticks(t), 1_704_067_200);
        assert_eq!(TimeUnit::Nanoseconds.ticks(t), 1_704_067_200_000_000_000);
        assert_eq!(TimeUnit::Microseconds.per_day(), 86_400e6);
    }

    #[test]
    fn days_between_instants_and_ticks_agree() {
        let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        // 36 hours and 1 ns: 1.5 days plus 1/86.4e12.
        let to = from + chrono::Duration::hours(36) + chrono::Duration::nanoseconds(1);
        let expect = 1.5 + 1.0 / 86_400e9;
        assert_eq!(days_between(from, to), expect);
        assert_eq!(days_between(to, from), -expect);
        let ns = TimeUnit::Nanoseconds;
        assert_eq!(
            days_between_ticks(ns.ticks(from), ns.ticks(to), ns.per_day()),
            expect
        );
        assert_eq!(
            days_between_ticks(0, 3 * 86_400, TimeUnit::Seconds.per_day()),
            3.0
        );
        assert_eq!(DAYS_PER_MONTH, 30.436_875);
    }
}
