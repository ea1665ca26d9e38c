//! The frequency / recency / T / monetary summary every BTYD model starts from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};
use crate::time::TimeUnit;

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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClvSummary {
    /// The end of observation.
    pub as_of: DateTime<Utc>,
    /// The time unit of `recency` and `t`.
    pub unit: ClvUnit,
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
    Ok(calibration_holdout(
        customer_id,
        timestamp,
        time_unit,
        amount,
        as_of,
        as_of,
        unit,
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
            (secs <= hold_end).then_some((customer_id[i], secs.div_euclid(DAY), amount[i]))
        })
        .collect();
    rows.sort_unstable_by_key(|&(c, d, _)| (c, d));
    let cal_day = cal_end as f64 / DAY as f64;
    let per = unit.days();
    let mut s = ClvSummary {
        as_of: calibration_end,
        unit,
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
        let cal: Vec<&(i64, f64)> = days.iter().filter(|(d, _)| d * DAY <= cal_end).collect();
        let Some(&&(first, _)) = cal.first() else {
            continue;
        };
        let last = cal.last().map_or(first, |x| x.0);
        let repeats = &cal[1..];
        s.customer_id.push(c);
        s.frequency.push(repeats.len() as f64);
        s.recency.push((last - first) as f64 / per);
        s.t.push((cal_day.floor() - first as f64) / per);
        s.monetary_value.push(if repeats.is_empty() {
            0.0
        } else {
            repeats.iter().map(|x| x.1).sum::<f64>() / repeats.len() as f64
        });
        let later: Vec<f64> = days
            .iter()
            .filter(|(d, _)| d * DAY > cal_end)
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
