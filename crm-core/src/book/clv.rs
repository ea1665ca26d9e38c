//! Lifetime value of the book's customers.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::CustomerBook;
use super::store::StoredKind;
use crate::clv::{
    ClvConfig, ClvPrediction, ClvSummary, ClvUnit, NoSpendReason, fit_beta_geo_for,
    fit_gamma_gamma_for, lifetime_value, summary_in_zone,
};
use crate::error::Result;
use crate::time::{PeriodEnd, TimeUnit};

impl CustomerBook {
    /// The BTYD summary of the book's purchases up to `as_of` (refunds left out, values in
    /// minor units), customers with at least one purchase, by ascending id; purchase days are
    /// UTC days ([`CustomerBook::clv_summary_in_zone`] counts them in another zone).
    ///
    /// # Errors
    /// As [`crate::clv::summary`].
    pub fn clv_summary(&self, as_of: DateTime<Utc>, unit: ClvUnit) -> Result<ClvSummary> {
        self.clv_summary_in_zone(as_of, unit, Tz::UTC)
    }

    /// [`CustomerBook::clv_summary`] with purchase days counted in the IANA zone `tz`: two
    /// purchases on the same local day are one purchase day (the summary's `tz` names it).
    ///
    /// # Errors
    /// As [`crate::clv::summary_in_zone`].
    pub fn clv_summary_in_zone(
        &self,
        as_of: DateTime<Utc>,
        unit: ClvUnit,
        tz: Tz,
    ) -> Result<ClvSummary> {
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
        summary_in_zone(&ids, &at, TimeUnit::Seconds, &amount, as_of, unit, tz)
    }

    /// Fits BG/NBD and Gamma-Gamma on the book's purchases up to `as_of` and predicts every
    /// customer's discounted lifetime value over `config.months`, with purchase days counted
    /// in `config.tz` (the prediction's `tz` names it). Customers the spend model
    /// cannot take (repeat purchases worth 0) are left out of the Gamma-Gamma fit and get no
    /// spend prediction and a `NaN` value, with the reason in `no_spend_reason`; the others
    /// are predicted.
    ///
    /// # Errors
    /// As [`crate::clv::fit_beta_geo_for`], [`crate::clv::fit_gamma_gamma_for`] (fewer than two
    /// repeat customers of positive spend) and [`crate::clv::lifetime_value`], naming
    /// customer ids.
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
        crate::clv::check_months(config.months)?;
        let s = self.clv_summary_in_zone(as_of, config.unit, config.tz)?;
        let ids = Some(s.customer_id.as_slice());
        let bg = fit_beta_geo_for(ids, &s.frequency, &s.recency, &s.t, &config.fit)?;
        let gg = fit_gamma_gamma_for(ids, &s.frequency, &s.monetary_value, &config.fit)?;
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
        let mut spend = vec![f64::NAN; n];
        let mut reason = vec![Some(NoSpendReason::NoPurchases); n];
        let horizon = config.unit.per_month() * f64::from(config.months);
        for (i, id) in s.customer_id.iter().enumerate() {
            if let Some(&d) = self.index.get(id) {
                let d = d as usize;
                let (x, r, t) = (s.frequency[i], s.recency[i], s.t[i]);
                clv[d] = values[i];
                spend[d] = gg.params.expected_spend(x, s.monetary_value[i]);
                reason[d] = NoSpendReason::of(x, s.monetary_value[i]);
                p_alive[d] = bg.params.p_alive(x, r, t);
                expected[d] = bg.params.expected_purchases(horizon, x, r, t);
            }
        }
        Ok(ClvPrediction {
            as_of,
            beta_geo: bg,
            gamma_gamma: gg,
            unit: config.unit,
            tz: s.tz,
            customer_id: self.customers.iter().map(|c| c.id).collect(),
            clv,
            expected_spend: spend,
            no_spend_reason: reason,
            p_alive,
            expected_purchases: expected,
        })
    }

    /// [`CustomerBook::predict_clv`] up to a period end as the caller wrote it: a bare date
    /// ends with the last instant of that day in the config's zone (`config.tz`), so that
    /// day's purchases count, as in `lifetimes`' `observation_period_end`.
    ///
    /// # Errors
    /// As [`CustomerBook::predict_clv`].
    ///
    /// ```
    /// use crm_core::clv::ClvConfig;
    /// use crm_core::sample::SampleConfig;
    /// use crm_core::time::PeriodEnd;
    /// let config = SampleConfig::new(2_000).seed(4);
    /// let (book, _) = config.build_book()?;
    /// let day = PeriodEnd::Day(config.end().date_naive());
    /// let la = ClvConfig::default().with_zone(Some("America/Los_Angeles"))?;
    /// let p = book.predict_clv_until(day, &la)?;
    /// assert_eq!(p.as_of, day.in_zone(la.tz));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn predict_clv_until(&self, end: PeriodEnd, config: &ClvConfig) -> Result<ClvPrediction> {
        self.predict_clv(end.in_zone(config.tz), config)
    }
}
