//! Uplift: the difference between the treated and the control arm, with its interval.
//!
//! Conversion (a proportion per arm) uses Newcombe's hybrid score interval for the difference
//! of two independent proportions: method 10 of Newcombe R.G., "Interval estimation for the
//! difference between independent proportions: comparison of eleven methods", Statistics in
//! Medicine 17:873–890 (1998), built from each arm's Wilson (1927) score limits. It keeps its
//! coverage near the nominal level for small counts and proportions near 0 or 1, where the
//! plain Wald interval does not. Revenue per customer (a mean per arm) uses Welch's standard
//! error with the normal quantile.

use serde::{Deserialize, Serialize};

use crate::{CrmError, Result};

/// The smallest arm for which a mean difference gets an interval (below it the normal
/// approximation of the mean is not trusted and the interval is `None`).
pub const MIN_ARM_FOR_MEANS: usize = 30;

/// A difference between the arms with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Treated minus control.
    pub difference: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
    /// The confidence level (0.95).
    pub confidence: f64,
}

impl Difference {
    /// Whether the interval contains `value`.
    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

/// The standard normal quantile: the `z` with Φ(z) = `p`, by Wichura's algorithm AS241
/// (PPND16, Applied Statistics 37:477–484, 1988), accurate to about 1 part in 10¹⁶.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `p` unless 0 < p < 1.
///
/// ```
/// let z = crm_core::campaign::normal_quantile(0.975)?;
/// assert!((z - 1.959963984540054).abs() < 1e-14);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn normal_quantile(p: f64) -> Result<f64> {
    if !(p > 0.0 && p < 1.0) {
        return Err(CrmError::invalid(
            "p",
            p,
            "must be strictly between 0 and 1",
        ));
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return Ok(q * poly(&A, r) / poly(&B, r));
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let z = if r <= 5.0 {
        let r = r - 1.6;
        poly(&C, r) / poly(&D, r)
    } else {
        let r = r - 5.0;
        poly(&E, r) / poly(&F, r)
    };
    Ok(if q < 0.0 { -z } else { z })
}

/// Horner's rule, coefficients lowest degree first.
fn poly(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

// AS241's coefficients, as published.
const A: [f64; 8] = [
    3.387_132_872_796_366_5,
    1.331_416_678_917_843_8e2,
    1.971_590_950_306_551_3e3,
    1.373_169_376_550_946e4,
    4.592_195_393_154_987e4,
    6.726_577_092_700_87e4,
    3.343_057_558_358_813e4,
    2.509_080_928_730_122_7e3,
];
const B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091e1,
    6.871_870_074_920_579e2,
    5.394_196_021_424_751e3,
    2.121_379_430_158_66e4,
    3.930_789_580_009_271e4,
    2.872_908_573_572_194_3e4,
    5.226_495_278_852_545e3,
];
const C: [f64; 8] = [
    1.423_437_110_749_683_5,
    4.630_337_846_156_546,
    5.769_497_221_460_691,
    3.647_848_324_763_204_5,
    1.270_458_252_452_368_4,
    2.417_807_251_774_506e-1,
    2.272_384_498_926_918_4e-2,
    7.745_450_142_783_414e-4,
];
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    6.897_673_349_851e-1,
    1.481_039_764_274_800_8e-1,
    1.519_866_656_361_645_7e-2,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_9e-9,
];
const E: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    2.965_605_718_285_048_7e-1,
    2.653_218_952_657_612_4e-2,
    1.242_660_947_388_078_4e-3,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288_1e-7,
];
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_88e-1,
    1.369_298_809_227_358e-1,
    1.487_536_129_085_061_5e-2,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.044_263_103_389_939_7e-15,
];

/// Checks a confidence level: 0.5 to 0.999.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `confidence`.
pub fn check_confidence(confidence: f64) -> Result<()> {
    if !(0.5..=0.999).contains(&confidence) {
        return Err(CrmError::invalid(
            "confidence",
            confidence,
            "must be from 0.5 to 0.999",
        ));
    }
    Ok(())
}

/// The z of a two-sided interval at `confidence`.
fn z_of(confidence: f64) -> Result<f64> {
    check_confidence(confidence)?;
    normal_quantile(0.5 + confidence / 2.0)
}

/// Wilson's score interval for `successes` out of `n` at `confidence` (n > 0).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `n` (0, or below `successes`) or `confidence`
/// (outside 0.5..=0.999).
///
/// ```
/// let (lo, hi) = crm_core::campaign::wilson(30, 100, 0.95)?;
/// assert!((lo - 0.2189).abs() < 5e-5 && (hi - 0.3958).abs() < 5e-5);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn wilson(successes: u64, n: u64, confidence: f64) -> Result<(f64, f64)> {
    let z = z_of(confidence)?;
    wilson_z(successes, n, z)
}

fn wilson_z(successes: u64, n: u64, z: f64) -> Result<(f64, f64)> {
    if n == 0 || successes > n {
        return Err(CrmError::invalid(
            "n",
            n,
            format_args!("needs at least one customer and at least {successes}"),
        ));
    }
    let (x, n) = (successes as f64, n as f64);
    let p = x / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 or n the limit is exactly 0 or 1 (the formula gives it up to rounding).
    let lower = if successes == 0 { 0.0 } else { centre - half };
    let upper = if x == n { 1.0 } else { centre + half };
    Ok((lower, upper))
}

/// The difference of two proportions, `x1/n1 − x2/n2` (treated minus control), with
/// Newcombe's hybrid score interval (method 10, see the module).
///
/// # Errors
/// As [`wilson`], for either arm.
///
/// ```
/// use crm_core::campaign::newcombe_difference;
/// // 30 of 100 treated bought, 20 of 100 held out: +10 points, CI (−0.0202, 0.2167).
/// let d = newcombe_difference(30, 100, 20, 100, 0.95)?;
/// assert!((d.difference - 0.10).abs() < 1e-12);
/// assert!((d.lower + 0.0202).abs() < 5e-5 && (d.upper - 0.2167).abs() < 5e-5);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn newcombe_difference(
    x1: u64,
    n1: u64,
    x2: u64,
    n2: u64,
    confidence: f64,
) -> Result<Difference> {
    let z = z_of(confidence)?;
    let (l1, u1) = wilson_z(x1, n1, z)?;
    let (l2, u2) = wilson_z(x2, n2, z)?;
    let p1 = x1 as f64 / n1 as f64;
    let p2 = x2 as f64 / n2 as f64;
    let d = p1 - p2;
    Ok(Difference {
        difference: d,
        lower: d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
        upper: d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
        confidence,
    })
}

/// The count, mean and unbiased variance of one arm's values.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Moments {
    /// Values.
    pub n: usize,
    /// Their mean (0 for none).
    pub mean: f64,
    /// Their sample variance (n − 1 in the denominator; 0 below two values).
    pub variance: f64,
}

impl Moments {
    /// The moments of `values`, by Welford's one-pass update (no cancellation).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let (mut n, mut mean, mut m2) = (0usize, 0.0, 0.0);
        for v in values {
            n += 1;
            let delta = v - mean;
            mean += delta / n as f64;
            m2 += delta * (v - mean);
        }
        Moments {
            n,
            mean,
            variance: if n > 1 { m2 / (n - 1) as f64 } else { 0.0 },
        }
    }
}

/// The difference of two means (treated minus control) with a normal interval on Welch's
/// standard error `sqrt(s1²/n1 + s2²/n2)`; `None` when an arm has fewer than
/// [`MIN_ARM_FOR_MEANS`] values.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `confidence` outside 0.5..=0.999.
///
/// ```
/// use crm_core::campaign::{Moments, welch_difference};
/// let t = Moments { n: 100, mean: 12.0, variance: 25.0 };
/// let c = Moments { n: 50, mean: 10.0, variance: 16.0 };
/// let d = welch_difference(t, c, 0.95)?.unwrap();
/// // se = sqrt(25/100 + 16/50) = sqrt(0.57) = 0.75498; 1.95996 × se = 1.47975.
/// assert!((d.lower - (2.0 - 1.47975)).abs() < 1e-5);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn welch_difference(
    treated: Moments,
    control: Moments,
    confidence: f64,
) -> Result<Option<Difference>> {
    let z = z_of(confidence)?;
    if treated.n < MIN_ARM_FOR_MEANS || control.n < MIN_ARM_FOR_MEANS {
        return Ok(None);
    }
    let se = (treated.variance / treated.n as f64 + control.variance / control.n as f64).sqrt();
    let d = treated.mean - control.mean;
    Ok(Some(Difference {
        difference: d,
        lower: d - z * se,
        upper: d + z * se,
        confidence,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Quantiles from scipy.stats.norm.ppf (R's qnorm is AS241 too).
    #[test]
    fn quantiles_match_published_values() {
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959963984540054),
            (0.95, 1.6448536269514722),
            (0.995, 2.5758293035489004),
            (0.025, -1.959963984540054),
            (1e-10, -6.361340902404056),
            (0.8, 0.8416212335729143),
        ] {
            let got = normal_quantile(p).unwrap();
            assert!((got - z).abs() < 1e-13, "{p}: {got} vs {z}");
        }
        for bad in [0.0, 1.0, -0.1, f64::NAN] {
            assert_eq!(normal_quantile(bad).unwrap_err().field(), Some("p"));
        }
    }

    /// Newcombe (1998), Table II, method 10: 56/70 vs 48/80 → (0.0524, 0.3339); 9/10 vs
    /// 3/10 → (0.1705, 0.8090); and the plan's hand value 30/100 vs 20/100 →
    /// (−0.0202, 0.2167). Full digits from statsmodels 0.15
    /// `confint_proportions_2indep(…, method="newcomb", compare="diff")`.
    #[test]
    fn newcombe_matches_the_paper_and_statsmodels() {
        for (x1, n1, x2, n2, lo, hi) in [
            (56, 70, 48, 80, 0.05243147240236498, 0.33387265403690614),
            (9, 10, 3, 10, 0.1705227239345029, 0.809017973535488),
            (30, 100, 20, 100, -0.020249362153013428, 0.21673435401778593),
        ] {
            let d = newcombe_difference(x1, n1, x2, n2, 0.95).unwrap();
            assert!((d.lower - lo).abs() < 1e-12, "{x1}/{n1} {x2}/{n2}: {d:?}");
            assert!((d.upper - hi).abs() < 1e-12, "{x1}/{n1} {x2}/{n2}: {d:?}");
        }
        let (l, u) = wilson(20, 100, 0.95).unwrap();
        assert!((l - 0.1334).abs() < 5e-5 && (u - 0.2888).abs() < 5e-5);
        assert_eq!(wilson(0, 10, 0.95).unwrap().0, 0.0);
        assert_eq!(
            newcombe_difference(1, 0, 0, 1, 0.95).unwrap_err().field(),
            Some("n")
        );
        assert_eq!(
            newcombe_difference(1, 2, 0, 1, 1.0).unwrap_err().field(),
            Some("confidence")
        );
    }

    #[test]
    fn small_arms_get_no_mean_interval() {
        let t = Moments::of((0..29).map(f64::from));
        let c = Moments::of((0..40).map(f64::from));
        assert_eq!(t.n, 29);
        assert_eq!(t.mean, 14.0);
        // Variance of 0, 1, …, 28 (29 values): 29·30/12 = 72.5.
        assert!((t.variance - 72.5).abs() < 1e-12);
        assert_eq!(welch_difference(t, c, 0.95).unwrap(), None);
    }

    proptest! {
        /// The interval always holds the point difference and stays within [−1, 1].
        #[test]
        fn newcombe_brackets_the_difference(n1 in 1u64..500, n2 in 1u64..500, a: u64, b: u64) {
            let (x1, x2) = (a % (n1 + 1), b % (n2 + 1));
            let d = newcombe_difference(x1, n1, x2, n2, 0.95).unwrap();
            prop_assert!(d.lower <= d.difference + 1e-12 && d.difference <= d.upper + 1e-12);
            prop_assert!(d.lower >= -1.0 - 1e-12 && d.upper <= 1.0 + 1e-12);
        }

        #[test]
        fn quantile_is_monotone(a in 1e-12..0.999_999f64, b in 1e-12..0.999_999f64) {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            prop_assert!(normal_quantile(lo).unwrap() <= normal_quantile(hi).unwrap());
        }
    }
}
