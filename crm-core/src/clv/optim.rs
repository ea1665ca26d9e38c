//! A small BFGS minimiser with a backtracking line search, and the Hessian by central
//! differences of the gradient. Written here because the models have three or four
//! parameters with analytic gradients: a general optimisation crate (argmin and its math
//! backends) would be a larger dependency than the whole algorithm.

/// What came out of a minimisation.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) value: f64,
    pub(crate) iterations: usize,
    pub(crate) converged: bool,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises `f` from `x0`; `fg` returns the value and the gradient (NaN or infinite values
/// are treated as "too far" by the line search).
pub(crate) fn bfgs(
    fg: impl Fn(&[f64]) -> (f64, Vec<f64>),
    x0: &[f64],
    gtol: f64,
    max_iterations: usize,
) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let (mut f, mut g) = fg(&x);
    let identity = |h: &mut Vec<f64>| {
        h.iter_mut().for_each(|v| *v = 0.0);
        (0..n).for_each(|i| h[i * n + i] = 1.0);
    };
    let mut h = vec![0.0; n * n];
    identity(&mut h);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iterations {
        if g.iter().all(|v| v.abs() <= gtol) {
            converged = true;
            break;
        }
        iterations += 1;
        let mut p: Vec<f64> = (0..n).map(|i| -dot(&h[i * n..(i + 1) * n], &g)).collect();
        let mut slope = dot(&g, &p);
        if slope >= 0.0 {
            identity(&mut h);
            p = g.iter().map(|v| -v).collect();
            slope = dot(&g, &p);
        }
        let mut step = 1.0;
        let (x_new, f_new, g_new) = loop {
            let trial: Vec<f64> = x.iter().zip(&p).map(|(a, b)| a + step * b).collect();
            let (ft, gt) = fg(&trial);
            if ft.is_finite() && ft <= f + 1e-4 * step * slope && gt.iter().all(|v| v.is_finite()) {
                break (trial, ft, gt);
            }
            step *= 0.5;
            if step < 1e-16 {
                // No descent left along any direction we can find.
                return Minimum {
                    x,
                    value: f,
                    iterations,
                    converged: g.iter().all(|v| v.abs() <= gtol.sqrt()),
                };
            }
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-300 {
            // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n).map(|i| dot(&h[i * n..(i + 1) * n], &y)).collect();
            let yhy = dot(&y, &hy);
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j])
                        + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        let done = (f - f_new).abs() <= 1e-15 * (1.0 + f.abs());
        (x, f, g) = (x_new, f_new, g_new);
        if done {
            converged = g.iter().all(|v| v.abs() <= gtol.sqrt());
            break;
        }
    }
    Minimum {
        x,
        value: f,
        iterations,
        converged,
    }
}

/// The Hessian at `x` by central differences of the analytic gradient, symmetrised.
pub(crate) fn hessian(grad: impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut out = vec![0.0; n * n];
    for j in 0..n {
        let h = 1e-5 * x[j].abs().max(1.0);
        let mut up = x.to_vec();
        let mut down = x.to_vec();
        up[j] += h;
        down[j] -= h;
        let (gu, gd) = (grad(&up), grad(&down));
        for i in 0..n {
            out[i * n + j] = (gu[i] - gd[i]) / (2.0 * h);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (out[i * n + j] + out[j * n + i]);
            out[i * n + j] = m;
            out[j * n + i] = m;
        }
    }
    out
}

/// Standard errors at `x`: the square roots of the diagonal of the inverse Hessian of a
/// negative log-likelihood with gradient `grad`; `None` when the Hessian is singular or a
/// variance is not finite.
pub(crate) fn standard_errors(grad: impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Option<Vec<f64>> {
    let n = x.len();
    let cov = invert(&hessian(grad, x), n)?;
    let se: Vec<f64> = (0..n).map(|i| cov[i * n + i].sqrt()).collect();
    se.iter().all(|v| v.is_finite()).then_some(se)
}

/// Σ `row(r)` over `rows`, element-wise, in parallel chunks (fixed chunking keeps the sum
/// reproducible).
pub(crate) fn parallel_sum<T: Sync, const K: usize>(
    rows: &[T],
    row: impl Fn(&T) -> [f64; K] + Sync,
) -> [f64; K] {
    use rayon::prelude::*;
    let add = |mut s: [f64; K], v: [f64; K]| {
        for k in 0..K {
            s[k] += v[k];
        }
        s
    };
    crate::parallel::install(|| {
        rows.par_chunks(8_192)
            .map(|chunk| chunk.iter().map(&row).fold([0.0; K], add))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .fold([0.0; K], add)
}

/// The inverse of a small symmetric matrix by Gauss-Jordan elimination with partial
/// pivoting; `None` when it is singular.
pub(crate) fn invert(m: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut a = m.to_vec();
    let mut inv = vec![0.0; n * n];
    (0..n).for_each(|i| inv[i * n + i] = 1.0);
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[pivot * n + col].abs() < 1e-300 {
            return None;
        }
        for k in 0..n {
            a.swap(col * n + k, pivot * n + k);
            inv.swap(col * n + k, pivot * n + k);
        }
        let d = a[col * n + col];
        for k in 0..n {
            a[col * n + k] /= d;
            inv[col * n + k] /= d;
        }
        for row in 0..n {
            if row != col {
                let factor = a[row * n + col];
                for k in 0..n {
                    a[row * n + k] -= factor * a[col * n + k];
                    inv[row * n + k] -= factor * inv[col * n + k];
                }
            }
        }
    }
    Some(inv)
}

/// The caveats of a fit every model shares: no convergence, standard errors asked for but
/// undefined (a singular Hessian), and a parameter at the edge of its range (below 1e-6 or
/// above 1e6: the likelihood is flat there, and the estimate says "as small/large as
/// possible" rather than a value).
pub(crate) fn fit_warnings(
    params: &[(&str, f64)],
    converged: bool,
    standard_errors_missing: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if !converged {
        out.push(
            "the optimiser stopped before meeting its tolerance: the parameters may not be \
             the maximum-likelihood ones"
                .to_owned(),
        );
    }
    for &(name, value) in params {
        if !(1e-6..=1e6).contains(&value) {
            out.push(format!(
                "{name} = {value:.3e} is at the edge of its range: the data do not identify it \
                 (a boundary fit)"
            ));
        }
    }
    if standard_errors_missing {
        out.push(
            "standard errors are unavailable: the Hessian at the optimum is singular or not \
             positive definite"
                .to_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let fg = |x: &[f64]| {
            let (a, b) = (x[0], x[1]);
            let f = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
            let g = vec![
                -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
                200.0 * (b - a * a),
            ];
            (f, g)
        };
        let m = bfgs(fg, &[-1.2, 1.0], 1e-10, 500);
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{m:?}"
        );
    }

    #[test]
    fn inverts_and_differentiates() {
        let m = [4.0, 7.0, 2.0, 6.0];
        let inv = invert(&m, 2).unwrap();
        // 1/(24 − 14) · [[6, −7], [−2, 4]]
        let expected = [0.6, -0.7, -0.2, 0.4];
        assert!(inv.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-12));
        assert!(invert(&[1.0, 2.0, 2.0, 4.0], 2).is_none());
        // f = x² y + y³: Hessian [[2y, 2x], [2x, 6y]] at (1, 2) = [[4, 2], [2, 12]].
        let grad = |x: &[f64]| vec![2.0 * x[0] * x[1], x[0] * x[0] + 3.0 * x[1] * x[1]];
        let h = hessian(grad, &[1.0, 2.0]);
        assert!(
            h.iter()
                .zip([4.0, 2.0, 2.0, 12.0])
                .all(|(a, b)| (a - b).abs() < 1e-6)
        );
    }
}
