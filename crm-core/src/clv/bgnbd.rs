//! The BG/NBD model (Fader, Hardie & Lee, "Counting Your Customers the Easy Way", 2005):
//! while alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they
//! drop out with probability p ~ Beta(a, b).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::optim::{bfgs, hessian, invert};
use super::special::{digamma, hyp2f1, ln_gamma};
use super::{FitOptions, check_summary};
use crate::error::{CrmError, Result};

/// BG/NBD parameters: purchase rate heterogeneity Gamma(r, α) and dropout Beta(a, b).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaGeoParams {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale of the purchase-rate distribution (in the summary's time unit).
    pub alpha: f64,
    /// First shape of the dropout distribution.
    pub a: f64,
    /// Second shape of the dropout distribution.
    pub b: f64,
}

/// A fitted BG/NBD model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaGeoFit {
    /// The maximum-likelihood parameters.
    pub params: BetaGeoParams,
    /// The log-likelihood at the optimum (summed over customers).
    pub log_likelihood: f64,
    /// Whether the optimiser met its tolerance.
    pub converged: bool,
    /// Optimiser iterations.
    pub iterations: usize,
    /// Standard errors from the inverse Hessian (`None` when it is singular or not asked
    /// for).
    pub standard_errors: Option<BetaGeoParams>,
    /// Customers fitted.
    pub customers: usize,
    /// Distinct (frequency, recency, T) rows the likelihood was evaluated on.
    pub distinct_rows: usize,
}

impl BetaGeoParams {
    fn from_slice(v: &[f64]) -> Self {
        BetaGeoParams {
            r: v[0],
            alpha: v[1],
            a: v[2],
            b: v[3],
        }
    }

    /// One customer's log-likelihood (x repeat purchases, the last at t_x, observed for T).
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        self.ll_and_gradient(x, t_x, t).0
    }

    /// The log-likelihood and its gradient with respect to (r, α, a, b).
    fn ll_and_gradient(&self, x: f64, t_x: f64, t: f64) -> (f64, [f64; 4]) {
        let BetaGeoParams { r, alpha, a, b } = *self;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + t).ln();
        let d_a1 = [
            digamma(r + x) - digamma(r) + alpha.ln(),
            r / alpha,
            0.0,
            0.0,
        ];
        let psi_ab = digamma(a + b);
        let psi_abx = digamma(a + b + x);
        let d_a2 = [
            0.0,
            0.0,
            psi_ab - psi_abx,
            psi_ab + digamma(b + x) - digamma(b) - psi_abx,
        ];
        let d_a3 = [-(alpha + t).ln(), -(r + x) / (alpha + t), 0.0, 0.0];
        let (tail, d_tail) = if x > 0.0 {
            let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + t_x).ln();
            let d_a4 = [
                -(alpha + t_x).ln(),
                -(r + x) / (alpha + t_x),
                1.0 / a,
                -1.0 / (b + x - 1.0),
            ];
            // ln(e^A3 + e^A4) without overflow; the weights split the gradient.
            let m = a3.max(a4);
            let (e3, e4) = ((a3 - m).exp(), (a4 - m).exp());
            let (w3, w4) = (e3 / (e3 + e4), e4 / (e3 + e4));
            let d: [f64; 4] = std::array::from_fn(|i| w3 * d_a3[i] + w4 * d_a4[i]);
            (m + (e3 + e4).ln(), d)
        } else {
            (a3, d_a3)
        };
        let grad = std::array::from_fn(|i| d_a1[i] + d_a2[i] + d_tail[i]);
        (a1 + a2 + tail, grad)
    }

    /// Expected purchases of a new customer in a period of length `t`, E[X(t)].
    pub fn expected_purchases_new(&self, t: f64) -> f64 {
        let BetaGeoParams { r, alpha, a, b } = *self;
        let z = t / (alpha + t);
        (a + b - 1.0) / (a - 1.0)
            * (1.0 - (alpha / (alpha + t)).powf(r) * hyp2f1(r, b, a + b - 1.0, z))
    }

    /// Expected purchases in the next `t` of a customer with `x` repeat purchases, the last
    /// at `t_x`, observed for `big_t`: E[Y(t) | x, t_x, T].
    pub fn expected_purchases(&self, t: f64, x: f64, t_x: f64, big_t: f64) -> f64 {
        let BetaGeoParams { r, alpha, a, b } = *self;
        let z = t / (alpha + big_t + t);
        let head = (a + b + x - 1.0) / (a - 1.0);
        let body = 1.0
            - ((alpha + big_t) / (alpha + big_t + t)).powf(r + x)
                * hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        head * body * self.p_alive(x, t_x, big_t)
    }

    /// The probability that the customer is still alive after `x` repeat purchases, the last
    /// at `t_x`, observed for `big_t`.
    pub fn p_alive(&self, x: f64, t_x: f64, big_t: f64) -> f64 {
        if x <= 0.0 {
            return 1.0;
        }
        let BetaGeoParams { r, alpha, a, b } = *self;
        1.0 / (1.0 + a / (b + x - 1.0) * ((alpha + big_t) / (alpha + t_x)).powf(r + x))
    }
}

/// Fits the BG/NBD model by maximum likelihood over the log-parameters; identical rows are
/// grouped first, so the cost grows with distinct (frequency, recency, T) rows.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming the column and row: lengths that differ, no
/// rows, a negative or non-integer frequency, a recency outside `[0, T]`, or a customer with
/// repeat purchases and zero recency.
pub fn fit_beta_geo(
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    options: &FitOptions,
) -> Result<BetaGeoFit> {
    check_summary(frequency, recency, t)?;
    let mut groups: FxHashMap<(u64, u64, u64), f64> = FxHashMap::default();
    for i in 0..frequency.len() {
        *groups
            .entry((frequency[i].to_bits(), recency[i].to_bits(), t[i].to_bits()))
            .or_insert(0.0) += 1.0;
    }
    let rows: Vec<(f64, f64, f64, f64)> = groups
        .into_iter()
        .map(|((x, tx, tt), w)| (f64::from_bits(x), f64::from_bits(tx), f64::from_bits(tt), w))
        .collect();
    let n = frequency.len() as f64;
    // The mean negative log-likelihood over log-parameters, and its gradient.
    let objective = |phi: &[f64]| -> (f64, Vec<f64>) {
        let theta: Vec<f64> = phi.iter().map(|v| v.exp()).collect();
        let p = BetaGeoParams::from_slice(&theta);
        let mut ll = 0.0;
        let mut g = [0.0; 4];
        for &(x, tx, tt, w) in &rows {
            let (l, d) = p.ll_and_gradient(x, tx, tt);
            ll += w * l;
            for k in 0..4 {
                g[k] += w * d[k];
            }
        }
        (-ll / n, (0..4).map(|k| -g[k] * theta[k] / n).collect())
    };
    let start = [0.0; 4];
    let m = bfgs(objective, &start, options.tolerance, options.max_iterations);
    let theta: Vec<f64> = m.x.iter().map(|v| v.exp()).collect();
    if !theta.iter().all(|v| v.is_finite() && *v > 0.0) {
        return Err(CrmError::invalid(
            "frequency",
            "the data",
            "the BG/NBD fit diverged: the data cannot identify the parameters",
        ));
    }
    let params = BetaGeoParams::from_slice(&theta);
    let standard_errors = if options.standard_errors {
        // Hessian of the total negative log-likelihood in θ itself (not log θ).
        let grad = |th: &[f64]| -> Vec<f64> {
            let p = BetaGeoParams::from_slice(th);
            let mut g = vec![0.0; 4];
            for &(x, tx, tt, w) in &rows {
                let d = p.ll_and_gradient(x, tx, tt).1;
                for k in 0..4 {
                    g[k] -= w * d[k];
                }
            }
            g
        };
        invert(&hessian(grad, &theta), 4).and_then(|cov| {
            let se: Vec<f64> = (0..4).map(|i| cov[i * 4 + i].sqrt()).collect();
            se.iter()
                .all(|v| v.is_finite())
                .then(|| BetaGeoParams::from_slice(&se))
        })
    } else {
        None
    };
    Ok(BetaGeoFit {
        params,
        log_likelihood: -m.value * n,
        converged: m.converged,
        iterations: m.iterations,
        standard_errors,
        customers: frequency.len(),
        distinct_rows: rows.len(),
    })
}
