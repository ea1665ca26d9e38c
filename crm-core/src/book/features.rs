//! The columnar feature export: one row per customer, one `Vec` per feature.
//!
//! This is the bridge from the book to the analytical engines (value keys, segmentation,
//! lifecycle), which work on plain columns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CustomerBook;

/// Days in an average Gregorian month, for "purchases per active month".
const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;
const SECONDS_PER_DAY: f64 = 86_400.0;

/// Per-customer features as of an instant, as columns of equal length in the book's customer
/// order. Only events at or before `as_of` count.
///
/// Definitions:
/// - `recency_days`: days from the last purchase to `as_of`; `NaN` without purchases.
/// - `frequency`: number of purchases.
/// - `monetary`: purchases minus refunds, minor units.
/// - `tenure_days`: days from the start of the relationship (the `acquired_at` of the profile,
///   or else the customer's first event) to `as_of`, at least 0; `NaN` when neither is known.
/// - `intensity`: purchases per active month, where the active period runs from the first to
///   the last purchase and counts as at least one month (average Gregorian months of 30.44
///   days). Ten purchases in one month give 10; ten spread over five years give 0.17: the
///   short-but-intense buyer against the long-but-light one.
/// - `referrals`: customers this one referred; `referred_buyers`: those of them who bought
///   at least once; `referral_value`: their net revenue; `co_investment`, `cost_sharing`: sums of
///   contributions, minor units; `complaints_open`, `complaints_total`: complaints not yet
///   resolved or closed, and all complaints opened.
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

    fn with_capacity(as_of: DateTime<Utc>, n: usize) -> Self {
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

/// Days from `from` to `to` as a fraction (negative when `to` is earlier).
pub(crate) fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    let d = to - from;
    d.num_seconds() as f64 / SECONDS_PER_DAY + f64::from(d.subsec_nanos()) / (SECONDS_PER_DAY * 1e9)
}

/// Purchases per active month (see [`Features`]).
pub(crate) fn intensity(
    count: u32,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
) -> f64 {
    match (first, last) {
        (Some(first), Some(last)) if count > 0 => {
            let months = (days_between(first, last) / DAYS_PER_MONTH).max(1.0);
            f64::from(count) / months
        }
        _ => 0.0,
    }
}

impl CustomerBook {
    /// Per-customer features as of `as_of`, as columns (see [`Features`] for definitions).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use crm_core::{book::CustomerBook, model::*};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customer(Customer::person(5, "Can", "Öz"))?;
    /// let day = |d| Utc.with_ymd_and_hms(2025, 1, d, 12, 0, 0).unwrap();
    /// for d in [1, 11] {
    ///     let p = Purchase { amount: 10_000, currency: "TRY".into(), product: None,
    ///                        category: None, channel: None };
    ///     book.record(Event::new(5, day(d), p))?;
    /// }
    /// let f = book.features(day(31));
    /// assert_eq!(f.customer_id, vec![5]);
    /// assert_eq!(f.frequency, vec![2]);
    /// assert_eq!(f.monetary, vec![20_000]);
    /// assert_eq!(f.recency_days, vec![20.0]);
    /// assert_eq!(f.tenure_days, vec![30.0]);
    /// assert_eq!(f.intensity, vec![2.0]); // ten days of activity count as one month
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn features(&self, as_of: DateTime<Utc>) -> Features {
        let mut out = Features::with_capacity(as_of, self.customers.len());
        let mut referred: Vec<(usize, u64)> = Vec::new();
        for (dense, customer) in self.customers.iter().enumerate() {
            let f = self.figures(dense as u32, as_of, false);
            let p = &f.purchases;
            let start = customer.acquired_at.or(f.first_event);
            out.customer_id.push(customer.id);
            out.recency_days
                .push(p.last.map_or(f64::NAN, |last| days_between(last, as_of)));
            out.frequency.push(p.count);
            out.monetary.push(p.net);
            out.tenure_days
                .push(start.map_or(f64::NAN, |start| days_between(start, as_of).max(0.0)));
            out.intensity.push(intensity(p.count, p.first, p.last));
            out.referrals.push(f.referrals.made.len() as u32);
            referred.extend(f.referrals.made.iter().map(|&id| (dense, id)));
            out.co_investment.push(f.contributions.co_investment);
            out.cost_sharing.push(f.contributions.cost_sharing);
            out.complaints_open.push(f.complaints.open.len() as u32);
            out.complaints_total.push(f.complaints.total);
        }
        // What the referred customers brought, as of the same instant.
        for (referrer, id) in referred {
            if let Some(&d) = self.index.get(&id) {
                let d = d as usize;
                out.referred_buyers[referrer] += u32::from(out.frequency[d] > 0);
                out.referral_value[referrer] += out.monetary[d];
            }
        }
        out
    }
}
