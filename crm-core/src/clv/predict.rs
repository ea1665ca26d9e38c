//! Columnar predictions of fitted models: one call per column set, the checks in one place.

use serde::{Deserialize, Serialize};

use super::{BetaGeoParams, GammaGammaParams, check_spend_columns, validate_summary};
use crate::error::{CrmError, Result};

/// The (frequency, recency, T) summary columns a BG/NBD prediction reads, of equal length
/// and in one time unit.
#[derive(Debug, Clone, Copy)]
pub struct SummaryColumns<'a> {
    /// Repeat purchases per customer (whole numbers).
    pub frequency: &'a [f64],
    /// First to last purchase.
    pub recency: &'a [f64],
    /// First purchase to the end of observation.
    pub t: &'a [f64],
}

/// What to predict per customer with a BG/NBD model. JSON: `{"expected_purchases":
/// {"horizon": 12.0}}` or `"p_alive"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prediction {
    /// Expected purchases in the next `horizon` (in the summary's unit; finite, ≥ 0).
    ExpectedPurchases {
        /// The horizon.
        horizon: f64,
    },
    /// The probability that the customer is still alive.
    PAlive,
}

fn check_horizon(field: &str, horizon: f64) -> Result<()> {
    if horizon.is_finite() && horizon >= 0.0 {
        Ok(())
    } else {
        Err(CrmError::invalid(
            field,
            horizon,
            "must be a non-negative duration",
        ))
    }
}

/// `what` for every customer of `columns` under `params`, in row order.
///
/// # Errors
/// As [`validate_summary`] for the columns and [`BetaGeoParams::validate`] for the
/// parameters; [`crate::ErrorKind::InvalidInput`] naming `horizon` for a horizon that is
/// negative or not a number.
///
/// ```
/// use crm_core::clv::{BetaGeoParams, Prediction, SummaryColumns, predict};
/// let p = BetaGeoParams { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 };
/// let columns = SummaryColumns { frequency: &[0.0, 2.0], recency: &[0.0, 30.0], t: &[38.0, 38.0] };
/// let alive = predict(&p, columns, Prediction::PAlive)?;
/// assert_eq!(alive[0], 1.0); // no repeat purchase: alive by the model's assumption
/// let next = predict(&p, columns, Prediction::ExpectedPurchases { horizon: 10.0 })?;
/// assert!(next[1] > 0.0);
/// let e = predict(&p, columns, Prediction::ExpectedPurchases { horizon: f64::NAN }).unwrap_err();
/// assert_eq!(e.field(), Some("horizon"));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn predict(
    params: &BetaGeoParams,
    columns: SummaryColumns<'_>,
    what: Prediction,
) -> Result<Vec<f64>> {
    let SummaryColumns {
        frequency: f,
        recency: r,
        t,
    } = columns;
    params.validate()?;
    if let Prediction::ExpectedPurchases { horizon } = what {
        check_horizon("horizon", horizon)?;
    }
    validate_summary(f, r, t)?;
    let one = |i: usize| match what {
        Prediction::ExpectedPurchases { horizon } => {
            params.expected_purchases(horizon, f[i], r[i], t[i])
        }
        Prediction::PAlive => params.p_alive(f[i], r[i], t[i]),
    };
    Ok((0..f.len()).map(one).collect())
}

/// Expected purchases of a newly acquired customer within each horizon of `horizons`.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `horizon[i]` for a horizon that is negative or
/// not a number; as [`BetaGeoParams::validate`] for the parameters.
///
/// ```
/// use crm_core::clv::{BetaGeoParams, expected_purchases_new};
/// let p = BetaGeoParams { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 };
/// let e = expected_purchases_new(&p, &[0.0, 10.0])?;
/// assert_eq!(e[0], 0.0);
/// assert_eq!(e[1], p.expected_purchases_new(10.0));
/// assert!(expected_purchases_new(&p, &[-1.0]).is_err());
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn expected_purchases_new(params: &BetaGeoParams, horizons: &[f64]) -> Result<Vec<f64>> {
    params.validate()?;
    for (i, &h) in horizons.iter().enumerate() {
        check_horizon(&format!("horizon[{i}]"), h)?;
    }
    Ok(horizons
        .iter()
        .map(|&h| params.expected_purchases_new(h))
        .collect())
}

/// Expected purchases of a newly acquired customer within one `horizon`: the one-value form
/// of [`expected_purchases_new`], behind `crm_clv_expected_purchases_new`.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `horizon` for a horizon that is negative or not
/// a number; as [`BetaGeoParams::validate`] for the parameters.
///
/// ```
/// use crm_core::clv::{BetaGeoParams, expected_purchases_new_one};
/// let p = BetaGeoParams { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 };
/// assert_eq!(expected_purchases_new_one(&p, 10.0)?, p.expected_purchases_new(10.0));
/// let e = expected_purchases_new_one(&p, f64::NAN).unwrap_err();
/// assert_eq!(e.field(), Some("horizon"));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn expected_purchases_new_one(params: &BetaGeoParams, horizon: f64) -> Result<f64> {
    params.validate()?;
    check_horizon("horizon", horizon)?;
    Ok(params.expected_purchases_new(horizon))
}

/// Gamma-Gamma expected mean spend of every customer (the population mean for those without
/// repeat purchases).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `monetary_value` when its length differs from
/// `frequency`'s, the row of a frequency that is not a whole non-negative number or of a
/// mean spend that is negative or not finite, and as [`GammaGammaParams::validate`] for the
/// parameters (`q` ≤ 1 has no mean spend).
///
/// ```
/// use crm_core::clv::{GammaGammaParams, expected_spend};
/// let p = GammaGammaParams { p: 6.25, q: 3.74, v: 15.45 };
/// let s = expected_spend(&p, &[0.0, 2.0], &[0.0, 40.0])?;
/// // p·v / (q − 1) without repeat purchases; p·(v + x·m) / (p·x + q − 1) with them.
/// assert_eq!(s[0], 6.25 * 15.45 / (3.74 - 1.0));
/// assert_eq!(s[1], 6.25 * (15.45 + 2.0 * 40.0) / (6.25 * 2.0 + 3.74 - 1.0));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn expected_spend(
    params: &GammaGammaParams,
    frequency: &[f64],
    monetary_value: &[f64],
) -> Result<Vec<f64>> {
    params.validate()?;
    if monetary_value.len() != frequency.len() {
        return Err(CrmError::invalid(
            "monetary_value",
            format_args!("of length {}", monetary_value.len()),
            format_args!("must have the length of frequency ({})", frequency.len()),
        ));
    }
    check_spend_columns(None, frequency, monetary_value)?;
    Ok(frequency
        .iter()
        .zip(monetary_value)
        .map(|(&x, &m)| params.expected_spend(x, m))
        .collect())
}
