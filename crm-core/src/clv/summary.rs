//! The frequency / recency / T / monetary summary every BTYD model starts from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use chrono_tz::Tz;

use crate::error::{CrmError, Result};
use crate::time::{TimeUnit, local_day};

/// The time unit of recency and T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ClvUnit {
    /// Days.
    #[serde(rename = "D")]
    Days,
    /// Weeks of seven days (days / 7, as in the published CDNOW summary).
    #[default]
    #[serde(rename = "W")]
    Weeks,
}

impl ClvUnit {
    /// Days per unit.
    pub fn days(self) -> f64 {
        match self {
            ClvUnit::Days => 1.0,
            ClvUnit::Weeks => 7.0,
        }
    }

    /// Units per month for monthly lifetime value: 4.345 weeks or 30 days (the `lifetimes`
    /// package's convention, kept so that values compare one to one).
    pub fn per_month(self) -> f64 {
        match self {
            ClvUnit::Days => 30.0,
            ClvUnit::Weeks => 4.345,
        }
    }
}

/// Per customer (ascending id): `frequency` = repeat purchase days, `recency` = first to last
/// purchase, `t` = first purchase to the end of observation (both in `unit`), and
/// `monetary_value` = the mean value of the repeat purchase days (0 without repeats).
/// Purchase days are civil days in the zone `tz` (UTC unless [`summary_in_zone`] was given
/// another).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClvSummary {
    /// The end of observation.
    pub as_of: DateTime<Utc>,
    /// The time unit of `recency` and `t`.
    pub unit: ClvUnit,
    /// The IANA time zone whose days are the purchase days (`"UTC"` by default).
    #[serde(default = "utc_name")]
    pub tz: String,
    /// Customer ids.
    pub customer_id: Vec<u64>,
    /// Repeat purchases (purchase days after the first).
    pub frequency: Vec<f64>,
    /// Time from the first to the last purchase.
    pub recency: Vec<f64>,
    /// Time from the first purchase to `as_of`.
    pub t: Vec<f64>,
    /// Mean value of the repeat purchase days.
    pub monetary_value: Vec<f64>,
}

/// The name of the default zone, for summaries written before `tz` existed.
fn utc_name() -> String {
    Tz::UTC.name().to_owned()
}

/// Purchases per customer in a period after the calibration period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Holdout {
    /// The end of the holdout period.
    pub end: DateTime<Utc>,
    /// Length of the holdout period, in the summary's unit.
    pub duration: f64,
    /// Purchase days in the holdout period, per customer of the calibration summary.
    pub frequency: Vec<f64>,
    /// Mean value of those purchase days (0 without any).
    pub monetary_value: Vec<f64>,
}

/// The summary as of `as_of` from transaction columns (instants in `time_unit` since the
/// epoch, amounts in any currency unit). Purchases on the same UTC day count once (their
/// values add up); transactions after `as_of` are left out; customers whose first purchase
/// is after `as_of` are left out.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming the column for lengths that differ, the row
/// of an amount that is not finite, the row of a timestamp that is missing (`NaT`) or out of
/// range for `time_unit` (`timestamp[row]`), and the customer whose amounts sum past `f64`.
pub fn summary(
    customer_id: &[u64],
    timestamp: &[i64],
    time_unit: TimeUnit,
    amount: &[f64],
    as_of: DateTime<Utc>,
    unit: ClvUnit,
) -> Result<ClvSummary> {
    summary_in_zone(
        customer_id,
        timestamp,
        time_unit,
        amount,
        as_of,
        unit,
        Tz::UTC,
    )
}

/// [`summary`] with purchase days counted in the time zone `tz`: two purchases on the same
/// Los Angeles day are one purchase day with `chrono_tz::America::Los_Angeles`, though they
/// may fall on two UTC days. `t` runs to the local day of `as_of`. The summary's `tz` names
/// the zone.
///
/// # Errors
/// As [`summary`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::clv::{summary_in_zone, ClvUnit};
/// use crm_core::time::TimeUnit;
/// let at = |h| Utc.with_ymd_and_hms(2024, 7, 4, h, 0, 0).unwrap().timestamp();
/// // 2024-07-04 at 10:00 and 23:00 UTC, then 2024-07-05 at 02:00 UTC (19:00 on the 4th in LA).
/// let ts = [at(10), at(23), at(23) + 3 * 3_600];
/// let as_of = Utc.with_ymd_and_hms(2024, 7, 10, 0, 0, 0).unwrap();
/// let la = chrono_tz::America::Los_Angeles;
/// let s = summary_in_zone(&[1, 1, 1], &ts, TimeUnit::Seconds, &[1.0, 2.0, 4.0], as_of, ClvUnit::Days, la)?;
/// // In LA: 03:00 on the 4th, then 16:00 and 19:00 on the 4th: one purchase day.
/// assert_eq!((s.frequency[0], s.tz.as_str()), (0.0, "America/Los_Angeles"));
/// let utc = summary_in_zone(&[1, 1, 1], &ts, TimeUnit::Seconds, &[1.0, 2.0, 4.0], as_of, ClvUnit::Days, chrono_tz::UTC)?;
/// assert_eq!((utc.frequency[0], utc.monetary_value[0]), (1.0, 4.0)); // 4th and 5th (UTC)
/// # Ok::<(), crm_core::CrmError>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn summary_in_zone(
    customer_id: &[u64],
    timestamp: &[i64],
    time_unit: TimeUnit,
    amount: &[f64],
    as_of: DateTime<Utc>,
    unit: ClvUnit,
    tz: Tz,
) -> Result<ClvSummary> {
    Ok(calibration_holdout_in_zone(
        customer_id,
        timestamp,
        time_unit,
        amount,
        as_of,
        as_of,
        unit,
        tz,
    )?
    .0)
}

const DAY: i64 = 86_400;

/// The calibration summary as of `calibration_end` and what the same customers bought up to
/// `holdout_end`.
///
/// # Errors
/// As [`summary`], and when `holdout_end` is before `calibration_end`.
pub fn calibration_holdout(
    customer_id: &[u64],
    timestamp: &[i64],
    time_unit: TimeUnit,
    amount: &[f64],
    calibration_end: DateTime<Utc>,
    holdout_end: DateTime<Utc>,
    unit: ClvUnit,
) -> Result<(ClvSummary, Holdout)> {
    calibration_holdout_in_zone(
        customer_id,
        timestamp,
        time_unit,
        amount,
        calibration_end,
        holdout_end,
        unit,
        Tz::UTC,
    )
}

/// [`calibration_holdout`] with purchase days counted in the time zone `tz` (as
/// [`summary_in_zone`]).
///
/// # Errors
/// As [`calibration_holdout`].
#[allow(clippy::too_many_arguments)]
pub fn calibration_holdout_in_zone(
    customer_id: &[u64],
    timestamp: &[i64],
    time_unit: TimeUnit,
    amount: &[f64],
    calibration_end: DateTime<Utc>,
    holdout_end: DateTime<Utc>,
    unit: ClvUnit,
    tz: Tz,
) -> Result<(ClvSummary, Holdout)> {
    let n = customer_id.len();
    for (name, len) in [("timestamp", timestamp.len()), ("amount", amount.len())] {
        if len != n {
            return Err(CrmError::invalid(
                name,
                format_args!("of length {len}"),
                format_args!("must have the length of customer_id ({n})"),
            ));
        }
    }
    if let Some(i) = amount.iter().position(|a| !a.is_finite()) {
        return Err(CrmError::invalid(
            &format!("amount[{i}]"),
            amount[i],
            "must be finite",
        ));
    }
    time_unit.check_column("timestamp", timestamp)?;
    if holdout_end < calibration_end {
        return Err(CrmError::invalid(
            "holdout_end",
            holdout_end.to_rfc3339(),
            "must not be before the calibration end",
        ));
    }
    let cal_end = calibration_end.timestamp();
    let hold_end = holdout_end.timestamp();
    // (customer, day, amount) of the transactions up to the holdout end.
    let mut rows: Vec<(u64, i64, f64)> = (0..n)
        .filter_map(|i| {
            let secs = time_unit.instant(timestamp[i]).timestamp();
            (secs <= hold_end).then_some((customer_id[i], local_day(secs, tz), amount[i]))
        })
        .collect();
    rows.sort_unstable_by_key(|&(c, d, _)| (c, d));
    // The local day of the calibration end: purchase days up to it are calibration days.
    let cal_day = local_day(cal_end, tz);
    let per = unit.days();
    let mut s = ClvSummary {
        as_of: calibration_end,
        unit,
        tz: tz.name().to_owned(),
        ..ClvSummary::default()
    };
    let mut h = Holdout {
        end: holdout_end,
        duration: (hold_end - cal_end) as f64 / DAY as f64 / per,
        ..Holdout::default()
    };
    let mut i = 0;
    while i < rows.len() {
        let c = rows[i].0;
        // Purchase days of this customer with their summed values.
        let mut days: Vec<(i64, f64)> = Vec::new();
        while i < rows.len() && rows[i].0 == c {
            let (_, d, a) = rows[i];
            match days.last_mut() {
                Some(last) if last.0 == d => last.1 += a,
                _ => days.push((d, a)),
            }
            i += 1;
        }
        let cal: Vec<&(i64, f64)> = days.iter().filter(|&&(d, _)| d <= cal_day).collect();
        let Some(&&(first, _)) = cal.first() else {
            continue;
        };
        let last = cal.last().map_or(first, |x| x.0);
        let repeats = &cal[1..];
        s.customer_id.push(c);
        s.frequency.push(repeats.len() as f64);
        s.recency.push((last - first) as f64 / per);
        s.t.push((cal_day - first) as f64 / per);
        s.monetary_value.push(if repeats.is_empty() {
            0.0
        } else {
            repeats.iter().map(|x| x.1).sum::<f64>() / repeats.len() as f64
        });
        let later: Vec<f64> = days
            .iter()
            .filter(|&&(d, _)| d > cal_day)
            .map(|x| x.1)
            .collect();
        h.frequency.push(later.len() as f64);
        h.monetary_value.push(if later.is_empty() {
            0.0
        } else {
            later.iter().sum::<f64>() / later.len() as f64
        });
        let (m, hm) = (s.monetary_value.last(), h.monetary_value.last());
        if let Some(v) = m.into_iter().chain(hm).find(|v| !v.is_finite()) {
            return Err(CrmError::invalid(
                "amount",
                format_args!("mean {v} for customer_id {c}"),
                "the customer's amounts add up to more than a 64-bit float holds",
            ));
        }
    }
    Ok((s, h))
}

#[cfg(test)]
mod zone_tests {
    use super::*;
    use crate::time::parse_instant;

    #[test]
    fn purchase_days_in_a_zone_against_a_hand_count() {
        let at = |t: &str| parse_instant(t, "t").unwrap().timestamp();
        // Customer 1, Los Angeles (PST, UTC-8, in January):
        //   Jan 10 17:00Z = Jan 10 09:00 LA   \ one LA day (Jan 10),
        //   Jan 11 05:00Z = Jan 10 21:00 LA   / two UTC days (10th, 11th)
        //   Jan 12 07:30Z = Jan 11 23:30 LA   -> LA day Jan 11, UTC day Jan 12
        //   Jan 12 09:00Z = Jan 12 01:00 LA   -> LA day Jan 12, UTC day Jan 12
        // Customer 2: one purchase, Jan 15 06:00Z = Jan 14 22:00 LA.
        let ids = [1, 1, 1, 1, 2];
        let ts = [
            at("2024-01-10T17:00:00Z"),
            at("2024-01-11T05:00:00Z"),
            at("2024-01-12T07:30:00Z"),
            at("2024-01-12T09:00:00Z"),
            at("2024-01-15T06:00:00Z"),
        ];
        let amount = [10.0, 20.0, 40.0, 80.0, 5.0];
        // The end: Jan 20 04:00Z = Jan 19 20:00 in LA.
        let end = parse_instant("2024-01-20T04:00:00Z", "as_of").unwrap();
        let la = chrono_tz::America::Los_Angeles;
        let s = summary_in_zone(
            &ids,
            &ts,
            TimeUnit::Seconds,
            &amount,
            end,
            ClvUnit::Days,
            la,
        )
        .unwrap();
        // LA days: 1 -> {Jan 10: 30, Jan 11: 40, Jan 12: 80}; 2 -> {Jan 14}; end day Jan 19.
        assert_eq!(s.tz, "America/Los_Angeles");
        assert_eq!(s.customer_id, vec![1, 2]);
        assert_eq!(s.frequency, vec![2.0, 0.0]);
        assert_eq!(s.recency, vec![2.0, 0.0]);
        assert_eq!(s.t, vec![9.0, 5.0]);
        assert_eq!(s.monetary_value, vec![60.0, 0.0]);
        // UTC days: 1 -> {Jan 10: 10, Jan 11: 20, Jan 12: 120}; 2 -> {Jan 15}; end day Jan 20.
        let u = summary(&ids, &ts, TimeUnit::Seconds, &amount, end, ClvUnit::Days).unwrap();
        assert_eq!(u.tz, "UTC");
        assert_eq!(u.frequency, vec![2.0, 0.0]);
        assert_eq!(u.recency, vec![2.0, 0.0]);
        assert_eq!(u.t, vec![10.0, 5.0]);
        assert_eq!(u.monetary_value, vec![70.0, 0.0]);
        // Holdout in LA: calibration to Jan 11 20:00 LA (Jan 12 04:00Z), holdout to the end:
        // customer 1 has LA days Jan 10, 11 in calibration, Jan 12 (80) in the holdout.
        let cal = parse_instant("2024-01-12T04:00:00Z", "calibration_end").unwrap();
        let (c, h) = calibration_holdout_in_zone(
            &ids,
            &ts,
            TimeUnit::Seconds,
            &amount,
            cal,
            end,
            ClvUnit::Days,
            la,
        )
        .unwrap();
        assert_eq!(c.customer_id, vec![1]);
        assert_eq!((c.frequency[0], c.t[0]), (1.0, 1.0));
        assert_eq!((h.frequency, h.monetary_value), (vec![1.0], vec![80.0]));
    }

    #[test]
    fn a_bare_date_as_the_end_keeps_that_days_purchases() {
        use crate::time::parse_period_end;
        let at = |t: &str| parse_instant(t, "t").unwrap().timestamp();
        let ts = [at("2011-12-01T09:00:00Z"), at("2011-12-09T12:50:00Z")];
        let end = parse_period_end("2011-12-09", "as_of").unwrap();
        let s = summary(
            &[7, 7],
            &ts,
            TimeUnit::Seconds,
            &[3.0, 5.0],
            end,
            ClvUnit::Days,
        )
        .unwrap();
        // lifetimes: frequency 1, recency 8, T 8, monetary 5.
        assert_eq!(
            (s.frequency[0], s.recency[0], s.t[0], s.monetary_value[0]),
            (1.0, 8.0, 8.0, 5.0)
        );
        // Midnight (the old reading of "2011-12-09") drops the day's purchase.
        let midnight = parse_instant("2011-12-09", "as_of").unwrap();
        let s = summary(
            &[7, 7],
            &ts,
            TimeUnit::Seconds,
            &[3.0, 5.0],
            midnight,
            ClvUnit::Days,
        )
        .unwrap();
        assert_eq!((s.frequency[0], s.t[0]), (0.0, 8.0));
    }
}
