//! Per-customer features, defined once: the columns the engines (value keys, segmentation,
//! lifecycle) read, whether they come from the book ([`Features`], by
//! `CustomerBook::features`) or straight from transaction columns ([`TransactionFeatures`],
//! by [`crate::transactions::customer_features`]).
//!
//! Definitions, shared by both paths (only events at or before `as_of` count):
//! - `recency_days`: days from the last purchase to `as_of`; `NaN` without purchases.
//! - `frequency`: number of purchases.
//! - `monetary`: purchases minus refunds.
//! - `tenure_days`: days from the start of the relationship to `as_of`, at least 0; `NaN`
//!   when the start is unknown. The book takes the profile's `acquired_at`, or else the
//!   customer's first event; transaction columns take the customer's first row.
//! - `intensity`: purchases per active month, where the active period runs from the first to
//!   the last purchase and counts as at least one month (average Gregorian months of 30.44
//!   days, [`crate::time::DAYS_PER_MONTH`]). Ten purchases in one month give 10; ten spread
//!   over five years give 0.17: the short-but-intense buyer against the long-but-light one.
//!   0 without purchases.
//!
//! This module sits below the engines and the book: it imports neither.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::time::DAYS_PER_MONTH;

/// Per-customer features as of an instant, as columns of equal length in the book's customer
/// order (see the [module docs](self) for the shared definitions). `monetary` is in minor
/// units.
///
/// Beyond the shared definitions: `referrals` counts the customers this one referred;
/// `referred_buyers` those of them who bought at least once; `referral_value` their net
/// revenue; `co_investment`, `cost_sharing` are sums of contributions, minor units;
/// `complaints_open`, `complaints_total` count complaints not yet resolved or closed, and all
/// complaints opened.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Features {
    /// The instant the features describe.
    pub as_of: DateTime<Utc>,
    /// Customer ids.
    pub customer_id: Vec<u64>,
    /// Days since the last purchase.
    pub recency_days: Vec<f64>,
    /// Number of purchases.
    pub frequency: Vec<u32>,
    /// Net revenue in minor units.
    pub monetary: Vec<i64>,
    /// Length of the relationship in days.
    pub tenure_days: Vec<f64>,
    /// Purchases per active month.
    pub intensity: Vec<f64>,
    /// Customers referred.
    pub referrals: Vec<u32>,
    /// Referred customers who bought.
    pub referred_buyers: Vec<u32>,
    /// Net revenue of the referred customers, minor units.
    pub referral_value: Vec<i64>,
    /// Co-investment, minor units.
    pub co_investment: Vec<i64>,
    /// Cost sharing, minor units.
    pub cost_sharing: Vec<i64>,
    /// Complaints open.
    pub complaints_open: Vec<u32>,
    /// Complaints opened in all.
    pub complaints_total: Vec<u32>,
}

impl Features {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }

    /// Empty columns with room for `n` rows (the referral columns already hold `n` zeros:
    /// they are filled in after every row is known).
    pub(crate) fn with_capacity(as_of: DateTime<Utc>, n: usize) -> Self {
        Features {
            as_of,
            customer_id: Vec::with_capacity(n),
            recency_days: Vec::with_capacity(n),
            frequency: Vec::with_capacity(n),
            monetary: Vec::with_capacity(n),
            tenure_days: Vec::with_capacity(n),
            intensity: Vec::with_capacity(n),
            referrals: Vec::with_capacity(n),
            referred_buyers: vec![0; n],
            referral_value: vec![0; n],
            co_investment: Vec::with_capacity(n),
            cost_sharing: Vec::with_capacity(n),
            complaints_open: Vec::with_capacity(n),
            complaints_total: Vec::with_capacity(n),
        }
    }
}

/// The company's side of the relationship per customer, as columns in the book's customer
/// order (`CustomerBook::contact_features`): what the retention worklist and the neglect rule
/// read. Only events at or before `as_of` count.
///
/// - `days_since_contact`: days from the company's last outbound contact (an outbound
///   interaction, a complaint response, or a campaign message sent or delivered) to `as_of`;
///   `NaN` when the company never contacted the customer.
/// - `unanswered_inbound`: inbound interactions after that last outbound contact (all of
///   them when there was none).
/// - `complaints_breached`: open complaints past an SLA target at `as_of` under the SLA
///   policies given (0 without policies).
/// - `activities_overdue`: open activities whose due instant is before `as_of`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContactFeatures {
    /// The instant the features describe.
    pub as_of: DateTime<Utc>,
    /// Customer ids.
    pub customer_id: Vec<u64>,
    /// Days since the company's last outbound contact (`NaN`: never).
    pub days_since_contact: Vec<f64>,
    /// Inbound interactions since the last outbound contact.
    pub unanswered_inbound: Vec<u32>,
    /// Open complaints past an SLA target.
    pub complaints_breached: Vec<u32>,
    /// Open activities past their due instant.
    pub activities_overdue: Vec<u32>,
}

impl ContactFeatures {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }
}

/// Per-customer features from transaction columns, sorted by customer id (see the
/// [module docs](self) for the shared definitions). Rows after `as_of` are ignored;
/// customers with no row up to `as_of` do not appear. A purchase is a row with amount ≥ 0,
/// a refund one below 0; `monetary` is the sum of all amounts, in the input's unit, so
/// `recency_days` is `NaN` for a customer with refunds only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TransactionFeatures {
    /// Customer ids, ascending.
    pub customer_id: Vec<u64>,
    /// Days since the last purchase.
    pub recency_days: Vec<f64>,
    /// Number of purchases.
    pub frequency: Vec<u32>,
    /// Net amount.
    pub monetary: Vec<f64>,
    /// Days since the first row.
    pub tenure_days: Vec<f64>,
    /// Purchases per active month.
    pub intensity: Vec<f64>,
}

impl TransactionFeatures {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }

    /// True without customers.
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }

    /// `frequency` as floats, the form the engines take.
    pub fn frequency_f64(&self) -> Vec<f64> {
        self.frequency.iter().map(|&f| f64::from(f)).collect()
    }
}

/// What the shared definitions need to know of one customer, with instants of any
/// representation `I` (chrono instants in the book, integer ticks in columns).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Activity<I> {
    /// Purchases up to `as_of`.
    pub(crate) purchases: u32,
    /// The first purchase.
    pub(crate) first_purchase: Option<I>,
    /// The last purchase.
    pub(crate) last_purchase: Option<I>,
    /// The start of the relationship.
    pub(crate) start: Option<I>,
}

/// The time-derived features of one customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ActivityFeatures {
    pub(crate) recency_days: f64,
    pub(crate) tenure_days: f64,
    pub(crate) intensity: f64,
}

impl<I: Copy> Activity<I> {
    /// Recency, tenure and intensity as of `as_of`, with `days(from, to)` the days between
    /// two instants.
    #[inline]
    pub(crate) fn features(&self, as_of: I, days: impl Fn(I, I) -> f64) -> ActivityFeatures {
        let intensity = match (self.first_purchase, self.last_purchase) {
            (Some(first), Some(last)) if self.purchases > 0 => {
                let months = (days(first, last) / DAYS_PER_MONTH).max(1.0);
                f64::from(self.purchases) / months
            }
            _ => 0.0,
        };
        ActivityFeatures {
            recency_days: self
                .last_purchase
                .map_or(f64::NAN, |last| days(last, as_of)),
            tenure_days: self
                .start
                .map_or(f64::NAN, |start| days(start, as_of).max(0.0)),
            intensity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{SECONDS_PER_DAY, TimeUnit, days_between, days_between_ticks};
    use chrono::{Duration, TimeZone};

    fn intensity(purchases: u32, first: DateTime<Utc>, last: DateTime<Utc>) -> f64 {
        let a = Activity {
            purchases,
            first_purchase: Some(first),
            last_purchase: Some(last),
            start: Some(first),
        };
        a.features(last, days_between).intensity
    }

    #[test]
    fn intensity_separates_intense_from_light_buyers() {
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        // Ten purchases within a week: the week counts as one month, 10 per month.
        assert_eq!(intensity(10, start, start + Duration::days(7)), 10.0);
        // Ten purchases over 5 years (1826.2 days = 60 average months): 1/6 per month.
        let five_years = Duration::seconds((5.0 * 365.2425 * SECONDS_PER_DAY) as i64);
        let light = intensity(10, start, start + five_years);
        assert!((light - 10.0 / 60.0).abs() < 1e-6, "{light}");
    }

    #[test]
    fn definitions_worked_by_hand() {
        let day = |d: i64| d * 86_400;
        let days = |a, b| days_between_ticks(a, b, TimeUnit::Seconds.per_day());
        // Purchases on days 10 and 71 (61 days: 61 / 30.436875 = 2.0041 months), first
        // contact on day 4, as of day 100.
        let a = Activity {
            purchases: 3,
            first_purchase: Some(day(10)),
            last_purchase: Some(day(71)),
            start: Some(day(4)),
        };
        let f = a.features(day(100), days);
        assert_eq!(f.recency_days, 29.0);
        assert_eq!(f.tenure_days, 96.0);
        assert_eq!(f.intensity, 3.0 / (61.0 / 30.436_875));
        // No purchase, no known start; a start after `as_of` counts as 0.
        let none = Activity::<i64> {
            purchases: 0,
            first_purchase: None,
            last_purchase: None,
            start: None,
        };
        let f = none.features(day(100), days);
        assert!(f.recency_days.is_nan() && f.tenure_days.is_nan());
        assert_eq!(f.intensity, 0.0);
        let later = Activity {
            start: Some(day(120)),
            ..none
        };
        assert_eq!(later.features(day(100), days).tenure_days, 0.0);
    }
}
