//! The BG/NBD model (Fader, Hardie & Lee, "Counting Your Customers the Easy Way", 2005):
//! while alive a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they
//! drop out with probability p ~ Beta(a, b).

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::FitOptions;
use super::optim::{bfgs, parallel_sum, standard_errors};
use super::special::{digamma, hyp2f1, ln_gamma};
use crate::error::{CrmError, Result};

/// BG/NBD parameters: purchase rate heterogeneity Gamma(r, α) and dropout Beta(a, b).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
    /// Caveats: no convergence, standard errors unavailable, a parameter at the edge of its
    /// range (a boundary fit).
    #[serde(default)]
    pub warnings: Vec<String>,
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
        if t <= 0.0 {
            return 0.0;
        }
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

/// The summary grouped for fitting: distinct rows as indexes into the distinct values of
/// each column, with their counts. Terms that depend on the parameters and one column only
/// (ln Γ and ψ of x, ln(α + T), ln(α + t_x)) are then computed once per distinct value per
/// evaluation instead of once per customer.
struct Grouped {
    xs: Vec<f64>,
    txs: Vec<f64>,
    ts: Vec<f64>,
    /// (x index, t_x index, T index, count)
    rows: Vec<(u32, u32, u32, f64)>,
}

fn distinct(values: &[f64]) -> (Vec<f64>, FxHashMap<u64, u32>) {
    let mut v: Vec<f64> = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v.dedup_by(|a, b| a.to_bits() == b.to_bits());
    let index = v
        .iter()
        .enumerate()
        .map(|(i, x)| (x.to_bits(), i as u32))
        .collect();
    (v, index)
}

impl Grouped {
    fn new(frequency: &[f64], recency: &[f64], t: &[f64]) -> Self {
        let (xs, xi) = distinct(frequency);
        let (txs, txi) = distinct(recency);
        let (ts, ti) = distinct(t);
        let mut counts: FxHashMap<(u32, u32, u32), f64> = FxHashMap::default();
        for i in 0..frequency.len() {
            let key = (
                xi[&frequency[i].to_bits()],
                txi[&recency[i].to_bits()],
                ti[&t[i].to_bits()],
            );
            *counts.entry(key).or_insert(0.0) += 1.0;
        }
        let mut rows: Vec<(u32, u32, u32, f64)> = counts
            .into_iter()
            .map(|((a, b, c), w)| (a, b, c, w))
            .collect();
        // A fixed order keeps the floating-point sums, and so the fit, reproducible.
        rows.sort_unstable_by_key(|r| (r.0, r.1, r.2));
        Grouped { xs, txs, ts, rows }
    }

    /// The summed log-likelihood and its gradient in (r, α, a, b).
    fn ll_and_gradient(&self, p: &BetaGeoParams) -> (f64, [f64; 4]) {
        let BetaGeoParams { r, alpha, a, b } = *p;
        let (ln_alpha, ln_a) = (alpha.ln(), a.ln());
        let (lg_r, psi_r, lg_ab, psi_ab, lg_b, psi_b) = (
            ln_gamma(r),
            digamma(r),
            ln_gamma(a + b),
            digamma(a + b),
            ln_gamma(b),
            digamma(b),
        );
        // Per distinct x: the x-only parts of the likelihood and the gradient.
        struct PerX {
            c: f64,
            dr: f64,
            da: f64,
            db: f64,
            ln_bx1: f64,
            inv_bx1: f64,
        }
        let per_x: Vec<PerX> = self
            .xs
            .iter()
            .map(|&x| {
                let psi_abx = digamma(a + b + x);
                PerX {
                    c: ln_gamma(r + x) - lg_r + lg_ab + ln_gamma(b + x)
                        - lg_b
                        - ln_gamma(a + b + x),
                    dr: digamma(r + x) - psi_r,
                    da: psi_ab - psi_abx,
                    db: psi_ab + digamma(b + x) - psi_b - psi_abx,
                    ln_bx1: if x > 0.0 { (b + x - 1.0).ln() } else { 0.0 },
                    inv_bx1: if x > 0.0 { 1.0 / (b + x - 1.0) } else { 0.0 },
                }
            })
            .collect();
        let logs = |v: &[f64]| -> Vec<(f64, f64)> {
            v.iter()
                .map(|&t| ((alpha + t).ln(), 1.0 / (alpha + t)))
                .collect()
        };
        let (at, atx) = (logs(&self.ts), logs(&self.txs));
        let row = |&(xi, txi, ti, w): &(u32, u32, u32, f64)| -> [f64; 5] {
            let x = self.xs[xi as usize];
            let px = &per_x[xi as usize];
            let (ln_t, inv_t) = at[ti as usize];
            let rx = r + x;
            let a3 = -rx * ln_t;
            let (mut l, mut gr, mut ga, mut gaa, mut gb) =
                (px.c + a3, px.dr - ln_t, -rx * inv_t, px.da, px.db);
            if x > 0.0 {
                let (ln_tx, inv_tx) = atx[txi as usize];
                let a4 = ln_a - px.ln_bx1 - rx * ln_tx;
                // ln(e^A3 + e^A4) = A3 + ln(1 + e^(A4 − A3)), weights for the gradient.
                let d = a4 - a3;
                let (lse, w4) = if d > 0.0 {
                    let e = (-d).exp();
                    (a4 + e.ln_1p(), 1.0 / (1.0 + e))
                } else {
                    let e = d.exp();
                    (a3 + e.ln_1p(), e / (1.0 + e))
                };
                let w3 = 1.0 - w4;
                l = px.c + lse;
                gr = px.dr - w3 * ln_t - w4 * ln_tx;
                ga = -rx * (w3 * inv_t + w4 * inv_tx);
                gaa = px.da + w4 / a;
                gb = px.db - w4 * px.inv_bx1;
            }
            [w * l, w * gr, w * ga, w * gaa, w * gb]
        };
        let sums = parallel_sum(&self.rows, row);
        let n: f64 = self.rows.iter().map(|r| r.3).sum();
        (
            sums[0] + n * r * ln_alpha,
            [
                sums[1] + n * ln_alpha,
                sums[2] + n * r / alpha,
                sums[3],
                sums[4],
            ],
        )
    }
}

/// Fits the BG/NBD model by maximum likelihood over the log-parameters; identical rows are
/// grouped first, so the cost grows with distinct (frequency, recency, T) rows.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming the column and row: lengths that differ, no
/// rows, a negative or non-integer frequency, a recency outside `[0, T]`, a customer with
/// repeat purchases and zero recency or without repeat purchases and a positive recency;
/// options outside their range ([`FitOptions::validate`]).
pub fn fit_beta_geo(
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    options: &FitOptions,
) -> Result<BetaGeoFit> {
    fit_beta_geo_for(None, frequency, recency, t, options)
}

/// As [`fit_beta_geo`], naming the customer instead of the row when `customer_id` is given
/// (see [`super::validate_summary_for`]).
///
/// # Errors
/// As [`super::validate_summary_for`].
///
/// ```
/// use crm_core::clv::{FitOptions, fit_beta_geo_for};
/// let e = fit_beta_geo_for(Some(&[3, 8]), &[0.0, 0.0], &[0.0, 3.0], &[9.0, 9.0],
///                          &FitOptions::default()).unwrap_err();
/// assert!(e.to_string().contains("customer_id 8"), "{e}");
/// ```
pub fn fit_beta_geo_for(
    customer_id: Option<&[u64]>,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    options: &FitOptions,
) -> Result<BetaGeoFit> {
    options.validate()?;
    super::validate_summary_for(customer_id, frequency, recency, t)?;
    let grouped = Grouped::new(frequency, recency, t);
    let n = frequency.len() as f64;
    // The mean negative log-likelihood over log-parameters, and its gradient.
    let objective = |phi: &[f64]| -> (f64, Vec<f64>) {
        let theta: Vec<f64> = phi.iter().map(|v| v.exp()).collect();
        let (ll, g) = grouped.ll_and_gradient(&BetaGeoParams::from_slice(&theta));
        (-ll / n, (0..4).map(|k| -g[k] * theta[k] / n).collect())
    };
    let m = bfgs(
        objective,
        &[0.0; 4],
        options.tolerance,
        options.max_iterations,
    );
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
            let g = grouped.ll_and_gradient(&BetaGeoParams::from_slice(th)).1;
            g.iter().map(|v| -v).collect()
        };
        standard_errors(grad, &theta).map(|se| BetaGeoParams::from_slice(&se))
    } else {
        None
    };
    let warnings = super::optim::fit_warnings(
        &[
            ("r", params.r),
            ("alpha", params.alpha),
            ("a", params.a),
            ("b", params.b),
        ],
        m.converged,
        options.standard_errors && standard_errors.is_none(),
    );
    Ok(BetaGeoFit {
        params,
        log_likelihood: -m.value * n,
        converged: m.converged,
        iterations: m.iterations,
        standard_errors,
        customers: frequency.len(),
        distinct_rows: grouped.rows.len(),
        warnings,
    })
}
