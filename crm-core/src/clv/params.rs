//! The checks a fitted model's parameters pass before they predict anything: parameters
//! typed in by a caller (C, Python) may be NaN, infinite, zero or negative, and the formulas
//! would then return NaN or −∞ as if they were predictions.

use super::{BetaGeoParams, GammaGammaParams};
use crate::error::{CrmError, Result};

/// `value` of parameter `field` is finite and positive.
fn positive(field: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(CrmError::invalid(
            field,
            value,
            "a model parameter must be a finite number above 0",
        ))
    }
}

impl BetaGeoParams {
    /// Checks that r, α, a and b are finite and positive, as every fitted BG/NBD model's are.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming the first parameter that is not.
    ///
    /// ```
    /// use crm_core::clv::BetaGeoParams;
    /// assert!(BetaGeoParams { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 }.validate().is_ok());
    /// let e = BetaGeoParams { r: 0.24, alpha: f64::NAN, a: 0.79, b: 2.43 }.validate().unwrap_err();
    /// assert_eq!(e.field(), Some("alpha"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        positive("r", self.r)?;
        positive("alpha", self.alpha)?;
        positive("a", self.a)?;
        positive("b", self.b)
    }
}

impl GammaGammaParams {
    /// Checks that p, q and v are finite and positive and that q > 1: the Gamma-Gamma mean
    /// spend p·v/(q − 1) (and every customer's conditional mean) needs q above 1, and is
    /// negative or infinite otherwise.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming the first parameter at fault.
    ///
    /// ```
    /// use crm_core::clv::GammaGammaParams;
    /// assert!(GammaGammaParams { p: 6.25, q: 3.74, v: 15.45 }.validate().is_ok());
    /// let e = GammaGammaParams { p: 6.25, q: 0.5, v: 15.45 }.validate().unwrap_err();
    /// assert_eq!(e.field(), Some("q"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        positive("p", self.p)?;
        positive("q", self.q)?;
        positive("v", self.v)?;
        if self.q <= 1.0 {
            return Err(CrmError::invalid(
                "q",
                self.q,
                "the Gamma-Gamma mean spend p·v/(q − 1) needs q > 1",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_parameter_is_named() {
        let good = BetaGeoParams {
            r: 0.24,
            alpha: 4.41,
            a: 0.79,
            b: 2.43,
        };
        for (field, bad) in [
            ("r", -1.0),
            ("alpha", f64::NAN),
            ("a", 0.0),
            ("b", f64::INFINITY),
        ] {
            let mut p = good;
            match field {
                "r" => p.r = bad,
                "alpha" => p.alpha = bad,
                "a" => p.a = bad,
                _ => p.b = bad,
            }
            assert_eq!(p.validate().unwrap_err().field(), Some(field));
        }
        let good = GammaGammaParams {
            p: 6.25,
            q: 3.74,
            v: 15.45,
        };
        for (field, bad) in [
            ("p", f64::NEG_INFINITY),
            ("q", 1.0),
            ("q", f64::NAN),
            ("v", -2.0),
        ] {
            let mut g = good;
            match field {
                "p" => g.p = bad,
                "q" => g.q = bad,
                _ => g.v = bad,
            }
            assert_eq!(
                g.validate().unwrap_err().field(),
                Some(field),
                "{field}={bad}"
            );
        }
        // q just above 1 is allowed: the mean is finite and positive.
        let g = GammaGammaParams {
            q: 1.0 + 1e-9,
            ..good
        };
        assert!(g.validate().is_ok());
        assert!(g.expected_spend(0.0, 0.0) > 0.0);
    }
}
