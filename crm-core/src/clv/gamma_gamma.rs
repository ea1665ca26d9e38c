//! The Gamma-Gamma model of monetary value (Fader & Hardie, 2013): a customer's transaction
//! values vary around their own mean, which varies across customers.

use serde::{Deserialize, Serialize};

use super::FitOptions;
use super::optim::{bfgs, parallel_sum, standard_errors};
use super::special::{digamma, ln_gamma};
use crate::error::{CrmError, Result};

/// Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GammaGammaParams {
    /// Shape of each transaction's value around the customer's mean.
    pub p: f64,
    /// Shape of the customers' scale distribution.
    pub q: f64,
    /// Scale of the customers' scale distribution.
    pub v: f64,
}

/// A fitted Gamma-Gamma model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GammaGammaFit {
    /// The maximum-likelihood parameters.
    pub params: GammaGammaParams,
    /// The log-likelihood at the optimum.
    pub log_likelihood: f64,
    /// Whether the optimiser met its tolerance.
    pub converged: bool,
    /// Optimiser iterations.
    pub iterations: usize,
    /// Standard errors from the inverse Hessian, when asked for and defined.
    pub standard_errors: Option<GammaGammaParams>,
    /// Repeat customers fitted (those with frequency > 0).
    pub customers: usize,
    /// Pearson correlation of frequency and mean spend over those customers.
    pub frequency_spend_correlation: f64,
    /// Repeat customers left out of the fit because their repeat purchases are worth 0 in
    /// total ([`super::NoSpendReason::ZeroRepeatSpend`]: the model's spends are positive).
    #[serde(default)]
    pub excluded: usize,
    /// Caveats: customers left out, a frequency–spend correlation the model assumes away,
    /// no convergence, standard errors unavailable, a parameter at the edge of its range.
    pub warnings: Vec<String>,
}

impl GammaGammaParams {
    /// One repeat customer's log-likelihood (x repeat purchases of mean value m).
    pub fn log_likelihood(&self, x: f64, m: f64) -> f64 {
        self.ll_and_gradient(x, m).0
    }

    fn ll_and_gradient(&self, x: f64, m: f64) -> (f64, [f64; 3]) {
        let GammaGammaParams { p, q, v } = *self;
        let px = p * x;
        let ll = ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
            + q * v.ln()
            + (px - 1.0) * m.ln()
            + px * x.ln()
            - (px + q) * (x * m + v).ln();
        let psi = digamma(px + q);
        let grad = [
            x * (psi - digamma(px) + m.ln() + x.ln() - (x * m + v).ln()),
            psi - digamma(q) + v.ln() - (x * m + v).ln(),
            q / v - (px + q) / (x * m + v),
        ];
        (ll, grad)
    }

    /// The expected mean transaction value of a customer with `x` repeat purchases of mean
    /// value `m` (the population mean p·v/(q − 1) for a customer without repeat purchases;
    /// `NaN`, no prediction, for repeat purchases worth 0, which the model cannot take:
    /// [`super::NoSpendReason::ZeroRepeatSpend`]).
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        let GammaGammaParams { p, q, v } = *self;
        if x <= 0.0 {
            return p * v / (q - 1.0);
        }
        if super::NoSpendReason::of(x, m).is_some() {
            return f64::NAN;
        }
        p * (v + x * m) / (p * x + q - 1.0)
    }
}

/// Repeat customers prepared for fitting: ln m once per customer, and the terms that depend
/// on the parameters and x only (ln Γ, ψ of p·x) once per distinct x per evaluation.
struct Repeaters {
    /// Distinct frequencies with ln x.
    xs: Vec<(f64, f64)>,
    /// (index into `xs`, m, ln m) per customer.
    rows: Vec<(u32, f64, f64)>,
}

impl Repeaters {
    fn new(xs: &[f64], ms: &[f64]) -> Self {
        let mut distinct: Vec<f64> = xs.to_vec();
        distinct.sort_unstable_by(f64::total_cmp);
        distinct.dedup();
        let rows = xs
            .iter()
            .zip(ms)
            .map(|(&x, &m)| {
                let i = distinct.partition_point(|&d| d < x) as u32;
                (i, m, m.ln())
            })
            .collect();
        Repeaters {
            xs: distinct.into_iter().map(|x| (x, x.ln())).collect(),
            rows,
        }
    }

    fn ll_and_gradient(&self, p: f64, q: f64, v: f64) -> (f64, [f64; 3]) {
        let (lg_q, psi_q, ln_v) = (ln_gamma(q), digamma(q), v.ln());
        // Per distinct x: ln Γ(px+q) − ln Γ(px) + px ln x, and the ψ terms.
        let per_x: Vec<(f64, f64, f64, f64)> = self
            .xs
            .iter()
            .map(|&(x, ln_x)| {
                let px = p * x;
                let psi = digamma(px + q);
                (
                    ln_gamma(px + q) - ln_gamma(px) + px * ln_x,
                    x * (psi - digamma(px) + ln_x),
                    psi,
                    px,
                )
            })
            .collect();
        let row = |&(i, m, ln_m): &(u32, f64, f64)| -> [f64; 4] {
            let (c, dp, psi, px) = per_x[i as usize];
            let x = self.xs[i as usize].0;
            let ln_xmv = (x * m + v).ln();
            [
                c + (px - 1.0) * ln_m - (px + q) * ln_xmv,
                dp + x * (ln_m - ln_xmv),
                psi - ln_xmv,
                -(px + q) / (x * m + v),
            ]
        };
        let s = parallel_sum(&self.rows, row);
        let n = self.rows.len() as f64;
        (
            s[0] + n * (q * ln_v - lg_q),
            [s[1], s[2] + n * (ln_v - psi_q), s[3] + n * q / v],
        )
    }
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// Fits the Gamma-Gamma model on the customers with repeat purchases (`frequency` > 0;
/// `monetary_value` is the mean value of their repeat purchases). Repeat customers whose
/// repeat purchases are worth 0 are left out (counted in [`GammaGammaFit::excluded`], with a
/// warning): the model's spends are positive.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming the column and row: lengths that differ, a
/// frequency that is not a count, a repeat customer's mean value that is negative or not
/// finite, or fewer than two repeat customers with a positive mean value; options outside
/// their range ([`FitOptions::validate`]).
pub fn fit_gamma_gamma(
    frequency: &[f64],
    monetary_value: &[f64],
    options: &FitOptions,
) -> Result<GammaGammaFit> {
    fit_gamma_gamma_for(None, frequency, monetary_value, options)
}

/// As [`fit_gamma_gamma`], naming the customer instead of the row when `customer_id` is
/// given (see [`super::validate_summary_for`]).
///
/// # Errors
/// As [`fit_gamma_gamma`]; [`crate::ErrorKind::InvalidInput`] naming `customer_id` when its
/// length differs from `frequency`'s.
///
/// ```
/// use crm_core::clv::{FitOptions, fit_gamma_gamma_for};
/// let e = fit_gamma_gamma_for(Some(&[5, 9]), &[1.0, 2.0], &[10.0, -3.0], &FitOptions::default())
///     .unwrap_err();
/// assert!(e.to_string().contains("customer_id 9"), "{e}");
/// ```
pub fn fit_gamma_gamma_for(
    customer_id: Option<&[u64]>,
    frequency: &[f64],
    monetary_value: &[f64],
    options: &FitOptions,
) -> Result<GammaGammaFit> {
    options.validate()?;
    for (name, len) in [
        ("monetary_value", Some(monetary_value.len())),
        ("customer_id", customer_id.map(<[u64]>::len)),
    ] {
        if let Some(len) = len.filter(|&len| len != frequency.len()) {
            return Err(CrmError::invalid(
                name,
                format_args!("of length {len}"),
                format_args!("must have the length of frequency ({})", frequency.len()),
            ));
        }
    }
    let mut xs = Vec::new();
    let mut ms = Vec::new();
    let mut excluded = 0;
    for (i, (&x, &m)) in frequency.iter().zip(monetary_value).enumerate() {
        if !(x.is_finite() && x >= 0.0) {
            return Err(super::bad_value(
                customer_id,
                "frequency",
                i,
                x,
                "must be a count",
            ));
        }
        if x > 0.0 {
            if !(m.is_finite() && m >= 0.0) {
                return Err(super::bad_value(
                    customer_id,
                    "monetary_value",
                    i,
                    m,
                    "a repeat customer's mean value must be finite and not negative",
                ));
            }
            if super::NoSpendReason::of(x, m).is_some() {
                excluded += 1;
                continue;
            }
            xs.push(x);
            ms.push(m);
        }
    }
    if xs.len() < 2 {
        return Err(CrmError::invalid(
            "frequency",
            format_args!("{} repeat customers", xs.len()),
            "the Gamma-Gamma model needs at least two customers with repeat purchases of \
             positive value",
        ));
    }
    let n = xs.len() as f64;
    let data = Repeaters::new(&xs, &ms);
    let objective = |phi: &[f64]| -> (f64, Vec<f64>) {
        let th: Vec<f64> = phi.iter().map(|v| v.exp()).collect();
        let (ll, g) = data.ll_and_gradient(th[0], th[1], th[2]);
        (-ll / n, (0..3).map(|k| -g[k] * th[k] / n).collect())
    };
    let m = bfgs(
        objective,
        &[0.0; 3],
        options.tolerance,
        options.max_iterations,
    );
    let th: Vec<f64> = m.x.iter().map(|v| v.exp()).collect();
    let params = GammaGammaParams {
        p: th[0],
        q: th[1],
        v: th[2],
    };
    let standard_errors = if options.standard_errors {
        let grad = |t: &[f64]| -> Vec<f64> {
            let g = data.ll_and_gradient(t[0], t[1], t[2]).1;
            g.iter().map(|v| -v).collect()
        };
        standard_errors(grad, &th).map(|se| GammaGammaParams {
            p: se[0],
            q: se[1],
            v: se[2],
        })
    } else {
        None
    };
    let correlation = pearson(&xs, &ms);
    let mut warnings = Vec::new();
    if excluded > 0 {
        warnings.push(format!(
            "{excluded} repeat customers whose repeat purchases are worth 0 were left out of \
             the fit and get no spend prediction"
        ));
    }
    if correlation.abs() > 0.3 {
        warnings.push(format!(
            "frequency and mean spend are correlated (Pearson {correlation:.2}); the \
             Gamma-Gamma model assumes they are independent, so its spend estimates are biased"
        ));
    }
    if params.q <= 1.0 {
        warnings.push(format!(
            "q = {:.3} ≤ 1: the population mean spend is undefined",
            params.q
        ));
    }
    warnings.extend(super::optim::fit_warnings(
        &[("p", params.p), ("q", params.q), ("v", params.v)],
        m.converged,
        options.standard_errors && standard_errors.is_none(),
    ));
    Ok(GammaGammaFit {
        params,
        log_likelihood: -m.value * n,
        converged: m.converged,
        iterations: m.iterations,
        standard_errors,
        customers: xs.len(),
        frequency_spend_correlation: correlation,
        excluded,
        warnings,
    })
}
