//! Business-calendar arithmetic over columns of instants (ticks of one [`TimeUnit`]), all or
//! nothing: the batch entry points of both skins.

use chrono::{DateTime, Utc};

use super::BusinessCalendar;
use crate::error::{CrmError, Result};
use crate::time::TimeUnit;

fn instant(unit: TimeUnit, ticks: i64, field: &str, row: usize) -> Result<DateTime<Utc>> {
    // A missing instant (NaT) is an error too, never the year 1677 or −292277.
    unit.checked_instant(ticks, field, row)
}

fn same_len(field: &str, len: usize, n: usize, of: &str) -> Result<()> {
    if len == n {
        Ok(())
    } else {
        Err(CrmError::invalid(
            field,
            format_args!("of length {len}"),
            format_args!("must have the length of {of} ({n})"),
        ))
    }
}

impl BusinessCalendar {
    /// `at[i]` plus `minutes[i]` business minutes for every row, as ticks of `unit`
    /// ([`BusinessCalendar::add_business_minutes`] per row).
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for columns of different lengths, an instant out of
    /// range (naming `at[i]`), or a row [`BusinessCalendar::add_business_minutes`] refuses
    /// (the message starts with `row i`); nothing is returned then.
    ///
    /// ```
    /// use crm_core::sla::BusinessCalendar;
    /// use crm_core::time::TimeUnit;
    /// let cal = BusinessCalendar::from_json(r#"{"week": {"mon": [["09:00", "17:00"]]}}"#)?;
    /// // Monday 2025-06-02 16:30 UTC plus 60 business minutes: Monday 2025-06-09 09:30.
    /// let at = "2025-06-02T16:30:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap().timestamp();
    /// let due = cal.add_business_minutes_columns(&[at], &[60], TimeUnit::Seconds)?;
    /// assert_eq!(due, [at + 7 * 86_400 - 7 * 3_600]);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn add_business_minutes_columns(
        &self,
        at: &[i64],
        minutes: &[i64],
        unit: TimeUnit,
    ) -> Result<Vec<i64>> {
        same_len("minutes", minutes.len(), at.len(), "at")?;
        at.iter()
            .zip(minutes)
            .enumerate()
            .map(|(i, (&t, &m))| {
                let start = instant(unit, t, "at", i)?;
                self.add_business_minutes(start, m)
                    .map(|due| unit.ticks(due))
                    .map_err(|e| e.context(format_args!("row {i}")))
            })
            .collect()
    }

    /// Whole business minutes from `from[i]` to `to[i]` for every row (0 when the end is not
    /// later), instants as ticks of `unit`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for columns of different lengths, an instant out
    /// of range (naming `from[i]` or `to[i]`), or a span longer than
    /// [`super::MAX_SPAN_DAYS`] days (naming `to[i]`): the work per row is proportional to
    /// the days in its span.
    ///
    /// ```
    /// use crm_core::sla::BusinessCalendar;
    /// use crm_core::time::TimeUnit;
    /// let cal = BusinessCalendar::from_json(r#"{"week": {"mon": [["09:00", "17:00"]]}}"#)?;
    /// let monday_8 = 1_748_851_200; // 2025-06-02 08:00 UTC: 08:00 to 11:00 is 120 business minutes
    /// let minutes = cal.business_minutes_between_columns(&[monday_8, monday_8], &[monday_8 + 3 * 3_600, 0],
    ///                                                    TimeUnit::Seconds)?;
    /// assert_eq!(minutes, [120, 0]);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn business_minutes_between_columns(
        &self,
        from: &[i64],
        to: &[i64],
        unit: TimeUnit,
    ) -> Result<Vec<i64>> {
        same_len("to", to.len(), from.len(), "from")?;
        from.iter()
            .zip(to)
            .enumerate()
            .map(|(i, (&a, &b))| {
                let (from, to) = (instant(unit, a, "from", i)?, instant(unit, b, "to", i)?);
                if (to - from).num_days() > super::MAX_SPAN_DAYS {
                    return Err(CrmError::invalid(
                        &format!("to[{i}]"),
                        b,
                        format_args!("is more than {} days after from[{i}]", super::MAX_SPAN_DAYS),
                    ));
                }
                Ok(self.business_minutes_between(from, to))
            })
            .collect()
    }
}
