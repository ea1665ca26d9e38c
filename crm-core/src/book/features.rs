//! The book's columnar feature export: one row per customer, one `Vec` per feature, with
//! the definitions of [`crate::features`].
//!
//! This is the bridge from the book to the analytical engines (value keys, segmentation,
//! lifecycle), which work on plain columns.

use chrono::{DateTime, Utc};

use super::CustomerBook;
use crate::features::{Activity, Features};
use crate::time::days_between;

impl CustomerBook {
    /// Per-customer features as of `as_of`, as columns (see [`crate::features`] for the
    /// definitions).
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
            let activity = Activity {
                purchases: p.count,
                first_purchase: p.first,
                last_purchase: p.last,
                start,
            }
            .features(as_of, days_between);
            out.customer_id.push(customer.id);
            out.recency_days.push(activity.recency_days);
            out.frequency.push(p.count);
            out.monetary.push(p.net);
            out.tenure_days.push(activity.tenure_days);
            out.intensity.push(activity.intensity);
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
