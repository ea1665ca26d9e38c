//! Special functions the BTYD models need. `libm` provides ln Γ; the digamma function and the
//! Gauss hypergeometric function 2F1 are written here because no small, well-kept crate offers
//! them without pulling in a linear-algebra stack (statrs brings nalgebra).

/// ln Γ(x) for x > 0.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// ψ(x), the digamma function, for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10,
/// then the asymptotic series (truncation error below 1e-13 there).
pub(crate) fn digamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    // ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ)
    let series = inv2
        * (1.0 / 12.0
            - inv2
                * (1.0 / 120.0
                    - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0)))));
    acc + x.ln() - 0.5 * inv - series
}

/// 2F1(a, b; c; z) for 0 ≤ z < 1 by its power series (the models only need z = t/(α+T+t) in
/// [0, 1)); the terms are summed until they stop mattering.
pub(crate) fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut n = 0.0;
    // Terms shrink like z^n n^(a+b−c−1): at z = 0.99 that is a few thousand terms.
    for _ in 0..200_000 {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        n += 1.0;
        if term.abs() <= 1e-15 * sum.abs() {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_matches_known_values() {
        // ψ(1) = −γ; ψ(1/2) = −γ − 2 ln 2; ψ(10) = H₉ − γ.
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-13);
        assert!((digamma(0.5) + euler + 2.0 * 2f64.ln()).abs() < 1e-13);
        let h9: f64 = (1..=9).map(|k| 1.0 / k as f64).sum();
        assert!((digamma(10.0) - (h9 - euler)).abs() < 1e-13);
        // ψ(x + 1) = ψ(x) + 1/x at an awkward point.
        assert!((digamma(3.7) - digamma(2.7) - 1.0 / 2.7).abs() < 1e-13);
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // 2F1(1, 1; 2; z) = −ln(1 − z)/z; 2F1(a, b; b; z) = (1 − z)^(−a).
        for z in [0.0, 0.1, 0.5, 0.9, 0.99] {
            let expected = if z == 0.0 {
                1.0
            } else {
                -(1.0f64 - z).ln() / z
            };
            assert!(
                (hyp2f1(1.0, 1.0, 2.0, z) - expected).abs() < 1e-12 * expected,
                "z = {z}"
            );
            let e2 = (1.0f64 - z).powf(-0.3);
            assert!((hyp2f1(0.3, 2.5, 2.5, z) - e2).abs() < 1e-12 * e2);
        }
    }
}
