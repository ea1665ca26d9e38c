//! Customer lifetime value: the BG/NBD purchase model, the Gamma-Gamma spend model, and
//! discounted lifetime value combining them — the value key "what this customer will bring",
//! estimated instead of guessed.
//!
//! The models read the summary every "buy till you die" model starts from ([`summary`]):
//! per customer the repeat purchases, the recency and the length of observation. Fits are
//! maximum likelihood with analytic gradients; identical summary rows are grouped, so a fit
//! costs per distinct row, not per customer.
//!
//! ```
//! use crm_core::clv::{FitOptions, fit_beta_geo};
//! // Three customers: (repeat purchases, recency, T) in weeks.
//! let fit = fit_beta_geo(&[0.0, 2.0, 5.0, 1.0], &[0.0, 20.0, 30.0, 3.0], &[39.0, 39.0, 39.0, 39.0],
//!                        &FitOptions::default())?;
//! assert!(fit.converged);
//! let p = fit.params;
//! // A loyal-looking customer is more likely alive than one silent since week 3.
//! assert!(p.p_alive(5.0, 30.0, 39.0) > p.p_alive(1.0, 3.0, 39.0));
//! # Ok::<(), crm_core::CrmError>(())
//! ```

mod bgnbd;
mod gamma_gamma;
mod model;
mod optim;
mod params;
mod predict;
mod special;
mod summary;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};

pub use bgnbd::{BetaGeoFit, BetaGeoParams, fit_beta_geo, fit_beta_geo_for};
pub use gamma_gamma::{GammaGammaFit, GammaGammaParams, fit_gamma_gamma, fit_gamma_gamma_for};
pub use model::{BetaGeoModel, GammaGammaModel, MODEL_VERSION, ParamRow};
pub use predict::{
    Prediction, SummaryColumns, expected_purchases_new, expected_purchases_new_one, expected_spend,
    predict,
};
pub use summary::{
    ClvSummary, ClvUnit, Holdout, calibration_holdout, calibration_holdout_in_zone, summary,
    summary_in_zone,
};

/// How to fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// Stop when every gradient component of the mean log-likelihood (over log-parameters)
    /// is below this.
    pub tolerance: f64,
    /// Give up after this many iterations (the fit then reports `converged: false`).
    pub max_iterations: usize,
    /// Compute standard errors from the Hessian.
    pub standard_errors: bool,
}

/// The most iterations a fit runs ([`FitOptions::max_iterations`]); the default is 1,000 and
/// the models converge in well under 200 on real data.
pub const MAX_FIT_ITERATIONS: usize = 100_000;

/// The range of [`FitOptions::tolerance`]: a gradient below 1e-15 is below what `f64` can
/// resolve in a mean log-likelihood, and one above 1 means no fit at all.
pub const FIT_TOLERANCE_RANGE: (f64, f64) = (1e-15, 1.0);

impl FitOptions {
    /// Checks the options.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `max_iterations` above
    /// [`MAX_FIT_ITERATIONS`], or `tolerance` outside [`FIT_TOLERANCE_RANGE`] (NaN included).
    ///
    /// ```
    /// use crm_core::clv::FitOptions;
    /// let bad = FitOptions { tolerance: 0.0, ..FitOptions::default() };
    /// assert_eq!(bad.validate().unwrap_err().to_string(),
    ///            "invalid tolerance 0: must be in [1e-15, 1]");
    /// assert!(FitOptions::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<()> {
        crate::limits::at_most("max_iterations", self.max_iterations, MAX_FIT_ITERATIONS)?;
        let (lo, hi) = FIT_TOLERANCE_RANGE;
        if !(lo..=hi).contains(&self.tolerance) {
            return Err(CrmError::invalid(
                "tolerance",
                self.tolerance,
                format_args!("must be in [{lo:e}, {hi}]"),
            ));
        }
        Ok(())
    }
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            tolerance: 1e-9,
            max_iterations: 1_000,
            standard_errors: true,
        }
    }
}

/// Checks a (frequency, recency, T) summary: equal lengths, at least one row, whole
/// non-negative frequencies, T ≥ 0, recency within [0, T], positive with repeat purchases
/// and 0 without.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming the column and row at fault.
///
/// ```
/// use crm_core::clv::validate_summary;
/// assert!(validate_summary(&[0.0, 2.0], &[0.0, 5.0], &[9.0, 9.0]).is_ok());
/// // No repeat purchase, yet a recency: an impossible summary row.
/// let e = validate_summary(&[0.0], &[3.0], &[9.0]).unwrap_err();
/// assert_eq!(e.field(), Some("recency[0]"));
/// ```
pub fn validate_summary(frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<()> {
    validate_summary_for(None, frequency, recency, t)
}

/// The error about `column` at row `i`: naming the customer when `customer_id` is given
/// (`recency` `3 for customer_id 17`), else the row (`recency[4]`).
pub(crate) fn bad_value(
    customer_id: Option<&[u64]>,
    column: &str,
    i: usize,
    value: f64,
    reason: impl std::fmt::Display,
) -> CrmError {
    match customer_id.and_then(|ids| ids.get(i)) {
        Some(id) => CrmError::invalid(column, format_args!("{value} for customer_id {id}"), reason),
        None => CrmError::invalid(&format!("{column}[{i}]"), value, reason),
    }
}

/// As [`validate_summary`], naming the customer instead of the row when `customer_id` (of
/// the summary's length) is given: the form behind the book and the skins' frames, whose
/// users know customers, not internal rows.
///
/// # Errors
/// As [`validate_summary`]; [`crate::ErrorKind::InvalidInput`] naming `customer_id` when its
/// length differs from `frequency`'s.
///
/// ```
/// use crm_core::clv::validate_summary_for;
/// let e = validate_summary_for(Some(&[17, 42]), &[0.0, 1.0], &[0.0, 12.0], &[9.0, 9.0])
///     .unwrap_err();
/// assert_eq!(e.field(), Some("recency"));
/// assert!(e.to_string().contains("customer_id 42"), "{e}");
/// ```
pub fn validate_summary_for(
    customer_id: Option<&[u64]>,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
) -> Result<()> {
    let n = frequency.len();
    let ids_len = customer_id.map(<[u64]>::len);
    for (name, len) in [
        ("recency", Some(recency.len())),
        ("T", Some(t.len())),
        ("customer_id", ids_len),
    ] {
        if let Some(len) = len.filter(|&len| len != n) {
            return Err(CrmError::invalid(
                name,
                format_args!("of length {len}"),
                format_args!("must have the length of frequency ({n})"),
            ));
        }
    }
    if n == 0 {
        return Err(CrmError::invalid("frequency", "[]", "no customers to fit"));
    }
    let bad = |column: &str, i: usize, value: f64, reason: &dyn std::fmt::Display| {
        bad_value(customer_id, column, i, value, reason)
    };
    for i in 0..n {
        let (x, r, tt) = (frequency[i], recency[i], t[i]);
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
            return Err(bad(
                "frequency",
                i,
                x,
                &"must be a whole number of repeat purchases",
            ));
        }
        if !(tt.is_finite() && tt >= 0.0) {
            return Err(bad("T", i, tt, &"must be finite and not negative"));
        }
        if !(r.is_finite() && (0.0..=tt).contains(&r)) {
            return Err(bad(
                "recency",
                i,
                r,
                &format_args!("must lie between 0 and T ({tt})"),
            ));
        }
        if x > 0.0 && r == 0.0 {
            return Err(bad(
                "recency",
                i,
                r,
                &"a customer with repeat purchases has a positive recency",
            ));
        }
        if x == 0.0 && r > 0.0 {
            return Err(bad(
                "recency",
                i,
                r,
                &"a customer without repeat purchases has recency 0 (first = last purchase)",
            ));
        }
    }
    Ok(())
}

/// The longest horizon [`lifetime_value`] (and [`ClvConfig::months`]) accepts: 100 years.
/// The work is proportional to the months for each distinct `(frequency, recency, T)` row.
pub const MAX_CLV_MONTHS: u32 = 1_200;

/// Checks spend columns: whole non-negative frequencies and finite, non-negative mean spends,
/// naming the customer (when `customer_id` is given) or the row.
fn check_spend_columns(
    customer_id: Option<&[u64]>,
    frequency: &[f64],
    monetary_value: &[f64],
) -> Result<()> {
    for (i, (&x, &m)) in frequency.iter().zip(monetary_value).enumerate() {
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
            return Err(bad_value(
                customer_id,
                "frequency",
                i,
                x,
                "must be a whole number of repeat purchases",
            ));
        }
        if !(m.is_finite() && m >= 0.0) {
            return Err(bad_value(
                customer_id,
                "monetary_value",
                i,
                m,
                "must be a finite, non-negative mean spend",
            ));
        }
    }
    Ok(())
}

/// Why a customer has no spend prediction (and so no lifetime value) in a
/// [`ClvPrediction`]. JSON: `"no_purchases"` or `"zero_repeat_spend"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoSpendReason {
    /// No purchase up to the end of observation: nothing to predict from (lifetime value 0).
    NoPurchases,
    /// Repeat purchases worth 0 in total: outside the Gamma-Gamma model, whose spends are
    /// positive, so the customer is left out of its fit and gets no spend prediction
    /// (lifetime value `NaN`).
    ZeroRepeatSpend,
}

impl NoSpendReason {
    /// Why the Gamma-Gamma model cannot predict the spend of a customer with `frequency`
    /// repeat purchases of mean value `monetary_value`, or `None` when it can (customers
    /// without repeat purchases get the population mean).
    ///
    /// ```
    /// use crm_core::clv::NoSpendReason;
    /// assert_eq!(NoSpendReason::of(3.0, 0.0), Some(NoSpendReason::ZeroRepeatSpend));
    /// assert_eq!(NoSpendReason::of(3.0, 12.5), None);
    /// assert_eq!(NoSpendReason::of(0.0, 0.0), None);
    /// ```
    pub fn of(frequency: f64, monetary_value: f64) -> Option<Self> {
        (frequency > 0.0 && monetary_value == 0.0).then_some(NoSpendReason::ZeroRepeatSpend)
    }
}

/// `Ok` for a horizon of 1 to [`MAX_CLV_MONTHS`] months, else `InvalidInput` naming
/// `months`: checked before any fit or sum, which take the time.
pub(crate) fn check_months(months: u32) -> Result<()> {
    if months == 0 {
        return Err(CrmError::invalid("months", 0, "must be at least 1"));
    }
    crate::limits::at_most("months", months, MAX_CLV_MONTHS)
}

/// Discounted lifetime value per customer over `months`: for each month, the expected
/// purchases in it (BG/NBD, conditional on the customer's history) times the expected spend
/// (Gamma-Gamma), discounted at `discount_rate` per month — the same sum as the `lifetimes`
/// package's `customer_lifetime_value`. Runs in parallel.
///
/// # Errors
/// As [`validate_summary`] for the columns; [`crate::ErrorKind::InvalidInput`] for a discount
/// rate that is negative or not finite, or `months` that is 0 or above [`MAX_CLV_MONTHS`]; as [`BetaGeoParams::validate`] and
/// [`GammaGammaParams::validate`] for the parameters.
#[allow(clippy::too_many_arguments)]
pub fn lifetime_value(
    bg: &BetaGeoParams,
    gg: &GammaGammaParams,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    monetary_value: &[f64],
    unit: ClvUnit,
    months: u32,
    discount_rate: f64,
) -> Result<Vec<f64>> {
    check_months(months)?;
    bg.validate()?;
    gg.validate()?;
    validate_summary(frequency, recency, t)?;
    if monetary_value.len() != frequency.len() {
        return Err(CrmError::invalid(
            "monetary_value",
            format_args!("of length {}", monetary_value.len()),
            format_args!("must have the length of frequency ({})", frequency.len()),
        ));
    }
    check_spend_columns(None, frequency, monetary_value)?;
    if !(discount_rate.is_finite() && discount_rate >= 0.0) {
        return Err(CrmError::invalid(
            "discount_rate",
            discount_rate,
            "must be a non-negative monthly rate",
        ));
    }
    let step = unit.per_month();
    // Expected purchases depend on (x, t_x, T) only: the discounted sum of monthly increments
    // is computed once per distinct row, then scaled by each customer's expected spend.
    let mut slot: rustc_hash::FxHashMap<(u64, u64, u64), usize> = Default::default();
    let mut distinct: Vec<(f64, f64, f64)> = Vec::new();
    let row_of: Vec<usize> = (0..frequency.len())
        .map(|i| {
            let key = (frequency[i].to_bits(), recency[i].to_bits(), t[i].to_bits());
            *slot.entry(key).or_insert_with(|| {
                distinct.push((frequency[i], recency[i], t[i]));
                distinct.len() - 1
            })
        })
        .collect();
    use rayon::prelude::*;
    Ok(crate::parallel::install(|| {
        let discounted: Vec<f64> = distinct
            .par_iter()
            .map(|&(x, r, tt)| {
                // A running sum: one evaluation a month, the discount factor carried along.
                let mut sum = 0.0;
                let mut before = 0.0;
                let mut factor = 1.0;
                for k in 1..=months {
                    let upto = bg.expected_purchases(step * f64::from(k), x, r, tt);
                    factor /= 1.0 + discount_rate;
                    sum += (upto - before) * factor;
                    before = upto;
                }
                sum
            })
            .collect();
        let one =
            |i: usize| gg.expected_spend(frequency[i], monetary_value[i]) * discounted[row_of[i]];
        (0..frequency.len()).into_par_iter().map(one).collect()
    }))
}

/// The name of the default zone, for predictions written before `tz` existed.
fn utc_name() -> String {
    chrono_tz::Tz::UTC.name().to_owned()
}

/// Settings for predicting lifetime value over a book.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClvConfig {
    /// Time unit of the summary.
    pub unit: ClvUnit,
    /// Horizon in months (1 to [`MAX_CLV_MONTHS`]).
    pub months: u32,
    /// Monthly discount rate.
    pub discount_rate: f64,
    /// How to fit.
    pub fit: FitOptions,
    /// The IANA time zone whose civil days are the purchase days (JSON: its name, e.g.
    /// `"America/Los_Angeles"`; `""` or absent is UTC).
    #[serde(with = "crate::time::serde_zone")]
    pub tz: chrono_tz::Tz,
}

impl Default for ClvConfig {
    fn default() -> Self {
        ClvConfig {
            unit: ClvUnit::Weeks,
            months: 12,
            discount_rate: 0.01,
            fit: FitOptions::default(),
            tz: chrono_tz::Tz::UTC,
        }
    }
}

impl ClvConfig {
    /// This config with its purchase days counted in the zone named `tz` when one is given
    /// (an argument such as Python's `tz=` overrides the config's `"tz"`), unchanged for
    /// `None`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `tz` for a name that is not an IANA zone.
    ///
    /// ```
    /// use crm_core::clv::ClvConfig;
    /// let c = ClvConfig::default().with_zone(Some("America/Los_Angeles"))?;
    /// assert_eq!(c.tz, chrono_tz::America::Los_Angeles);
    /// assert_eq!(c.with_zone(None)?.tz, chrono_tz::America::Los_Angeles);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn with_zone(mut self, tz: Option<&str>) -> crate::Result<Self> {
        if let Some(name) = tz {
            self.tz = crate::time::parse_zone(name, "tz")?;
        }
        Ok(self)
    }
}

/// Lifetime value predicted for every customer of a book, with the fits behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvPrediction {
    /// The end of observation.
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// The purchase model.
    pub beta_geo: BetaGeoFit,
    /// The spend model.
    pub gamma_gamma: GammaGammaFit,
    /// The time unit of the summary the models were fitted on (and of their parameters).
    #[serde(default)]
    pub unit: ClvUnit,
    /// The IANA time zone whose days were the purchase days (`"UTC"` by default).
    #[serde(default = "utc_name")]
    pub tz: String,
    /// Customer ids, in the book's order.
    pub customer_id: Vec<u64>,
    /// Discounted lifetime value over the horizon, in minor units (0 without purchases,
    /// `NaN` without a spend prediction: see `no_spend_reason`).
    pub clv: Vec<f64>,
    /// Expected mean value of a purchase (Gamma-Gamma), in minor units; `NaN` where
    /// `no_spend_reason` says why not.
    #[serde(default)]
    pub expected_spend: Vec<f64>,
    /// Why a customer has no spend prediction (`null` when they have one).
    #[serde(default)]
    pub no_spend_reason: Vec<Option<NoSpendReason>>,
    /// Probability of being alive (`NaN` without purchases).
    pub p_alive: Vec<f64>,
    /// Expected purchases over the horizon (`NaN` without purchases).
    pub expected_purchases: Vec<f64>,
}
