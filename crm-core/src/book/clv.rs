//! Lifetime value of the book's customers.

use chrono::{DateTime, Utc};

use super::CustomerBook;
use super::store::StoredKind;
use crate::clv::{
    ClvConfig, ClvPrediction, ClvSummary, ClvUnit, fit_beta_geo, fit_gamma_gamma, lifetime_value,
    summary,
};
use crate::error::Result;
use crate::time::TimeUnit;

impl CustomerBook {
    /// The BTYD summary of the book's purchases up to `as_of` (refunds left out, values in
    /// minor units), customers with at least one purchase, by ascending id.
    pub fn clv_summary(&self, as_of: DateTime<Utc>, unit: ClvUnit) -> Result<ClvSummary> {
        let mut ids = Vec::new();
        let mut at = Vec::new();
        let mut amount = Vec::new();
        for e in &self.events {
            if let StoredKind::Purchase { amount: a, .. } = e.kind {
                if e.at <= as_of {
                    ids.push(self.customers[e.customer as usize].id);
                    at.push(e.at.timestamp());
                    amount.push(a as f64);
                }
            }
        }
        summary(&ids, &at, TimeUnit::Seconds, &amount, as_of, unit)
    }

    /// Fits BG/NBD and Gamma-Gamma on the book's purchases up to `as_of` and predicts every
    /// customer's discounted lifetime value over `config.months`.
    ///
    /// # Errors
    /// As [`crate::clv::fit_beta_geo`], [`crate::clv::fit_gamma_gamma`] (fewer than two
    /// repeat customers) and [`crate::clv::lifetime_value`].
    ///
    /// ```
    /// use crm_core::clv::ClvConfig;
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(2_000).seed(4);
    /// let (book, _) = config.build_book()?;
    /// let p = book.predict_clv(config.end(), &ClvConfig::default())?;
    /// assert_eq!(p.clv.len(), book.len());
    /// assert!(p.beta_geo.converged);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn predict_clv(&self, as_of: DateTime<Utc>, config: &ClvConfig) -> Result<ClvPrediction> {
        // Checked before the fits, which take the time.
        crate::limits::at_most("months", config.months, crate::clv::MAX_CLV_MONTHS)?;
        let s = self.clv_summary(as_of, config.unit)?;
        let bg = fit_beta_geo(&s.frequency, &s.recency, &s.t, &config.fit)?;
        let gg = fit_gamma_gamma(&s.frequency, &s.monetary_value, &config.fit)?;
        let values = lifetime_value(
            &bg.params,
            &gg.params,
            &s.frequency,
            &s.recency,
            &s.t,
            &s.monetary_value,
            config.unit,
            config.months,
            config.discount_rate,
        )?;
        let n = self.customers.len();
        let mut clv = vec![0.0; n];
        let mut p_alive = vec![f64::NAN; n];
        let mut expected = vec![f64::NAN; n];
        let horizon = config.unit.per_month() * f64::from(config.months);
        for (i, id) in s.customer_id.iter().enumerate() {
            if let Some(&d) = self.index.get(id) {
                let d = d as usize;
                let (x, r, t) = (s.frequency[i], s.recency[i], s.t[i]);
                clv[d] = values[i];
                p_alive[d] = bg.params.p_alive(x, r, t);
                expected[d] = bg.params.expected_purchases(horizon, x, r, t);
            }
        }
        Ok(ClvPrediction {
            as_of,
            beta_geo: bg,
            gamma_gamma: gg,
            customer_id: self.customers.iter().map(|c| c.id).collect(),
            clv,
            p_alive,
            expected_purchases: expected,
        })
    }
}
