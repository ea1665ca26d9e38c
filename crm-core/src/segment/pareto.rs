//! Pareto analysis: how concentrated value is. The share held by the top x% of customers,
//! the Lorenz curve, the Gini coefficient and ABC classes.

use serde::{Deserialize, Serialize};

use super::{check_values, clamped, unscaled};
use crate::error::{CrmError, Result};

/// Concentration of value over customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pareto {
    /// Number of customers.
    pub customers: usize,
    /// Sum of value (negative values count as 0).
    pub total: f64,
    /// Share of value held by the top 20% of customers ("the top 20% bring 78.4%").
    pub top_20_share: f64,
    /// Gini coefficient in [0, 1): 0 when everybody holds the same, near 1 when one holds all.
    pub gini: f64,
    /// The Lorenz curve: `(share of customers, share of value they hold)`, poorest first,
    /// from (0, 0) to (1, 1).
    pub lorenz: Vec<(f64, f64)>,
}

/// The most points a Lorenz curve may have (one every 0.001% of customers): [`pareto`]
/// rejects more before allocating anything.
pub const MAX_LORENZ_POINTS: usize = 100_001;

/// Pareto analysis of `values` with a Lorenz curve of `points` evenly spaced points (at
/// least 2, at most [`MAX_LORENZ_POINTS`]).
///
/// Negative values (customers who cost money) hold no share: they count as 0. With a total
/// of 0 every share is 0 and the Gini coefficient is 0.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a non-finite value, naming its position, for
/// `points` below 2 or above [`MAX_LORENZ_POINTS`], and for values whose total is beyond `f64` (naming
/// `values`; shares alone are still available from [`top_share`] and [`abc`], which scale
/// before summing).
///
/// ```
/// // 10 customers: one holds 50, four hold 10 each, five hold 2 each; total 100.
/// let v = [50.0, 10.0, 10.0, 10.0, 10.0, 2.0, 2.0, 2.0, 2.0, 2.0];
/// let p = crm_core::segment::pareto(&v, 11)?;
/// assert!((p.top_20_share - 0.60).abs() < 1e-12); // 50 + 10 of 100
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn pareto(values: &[f64], points: usize) -> Result<Pareto> {
    if points < 2 {
        return Err(CrmError::invalid(
            "points",
            points,
            "a Lorenz curve needs at least 2 points (its two ends)",
        ));
    }
    crate::limits::at_most("points", points, MAX_LORENZ_POINTS)?;
    check_values("values", values)?;
    let (mut sorted, scale) = clamped(values);
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let total: f64 = sorted.iter().sum();
    // prefix[i] = sum of the i smallest.
    let mut prefix = crate::limits::try_vec("values", n + 1)?;
    prefix.push(0.0);
    let mut acc = 0.0;
    for &v in &sorted {
        acc += v;
        prefix.push(acc);
    }
    let lorenz_at = |p: f64| -> f64 {
        if total <= 0.0 || n == 0 {
            return 0.0;
        }
        let x = p.clamp(0.0, 1.0) * n as f64;
        let i = (x.floor() as usize).min(n);
        let frac = x - i as f64;
        let below = prefix[i] + if i < n { frac * sorted[i] } else { 0.0 };
        below / total
    };
    let mut lorenz = crate::limits::try_vec("points", points)?;
    lorenz.extend((0..points).map(|j| {
        let p = j as f64 / (points - 1) as f64;
        (p, lorenz_at(p))
    }));
    let gini = if total > 0.0 && n > 1 {
        // G = 2·Σ i·x_(i) / (n·S) − (n + 1)/n, x ascending, i = 1..n.
        let weighted: f64 = sorted
            .iter()
            .enumerate()
            .map(|(i, &v)| (i + 1) as f64 * v)
            .sum();
        (2.0 * weighted / (n as f64 * total) - (n as f64 + 1.0) / n as f64).max(0.0)
    } else {
        0.0
    };
    Ok(Pareto {
        customers: n,
        total: unscaled("values", total, scale)?,
        top_20_share: if total > 0.0 {
            1.0 - lorenz_at(0.8)
        } else {
            0.0
        },
        gini,
        lorenz,
    })
}

/// Share of the total held by the top `fraction` of customers (0 to 1), interpolating
/// linearly inside a customer when `fraction · n` is not whole. Negative values count as 0.
///
/// Runs in linear time (selection, no sort).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a non-finite value or a fraction outside [0, 1].
///
/// ```
/// let v = [50.0, 10.0, 10.0, 10.0, 10.0, 2.0, 2.0, 2.0, 2.0, 2.0];
/// assert!((crm_core::segment::top_share(&v, 0.2)? - 0.6).abs() < 1e-12);
/// // 15% of 10 customers: the top one and half of the next: (50 + 5) / 100.
/// assert!((crm_core::segment::top_share(&v, 0.15)? - 0.55).abs() < 1e-12);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn top_share(values: &[f64], fraction: f64) -> Result<f64> {
    check_values("values", values)?;
    if !(0.0..=1.0).contains(&fraction) {
        return Err(CrmError::invalid(
            "fraction",
            fraction,
            "must be between 0 and 1",
        ));
    }
    let (mut v, _) = clamped(values);
    let n = v.len();
    let total: f64 = v.iter().sum();
    if total <= 0.0 || n == 0 {
        return Ok(0.0);
    }
    let x = fraction * n as f64;
    let m = (x.floor() as usize).min(n);
    let frac = x - m as f64;
    let split = n - m;
    let top: f64 = if m == 0 {
        0.0
    } else {
        v.select_nth_unstable_by(split, f64::total_cmp);
        v[split..].iter().sum()
    };
    let next = if frac > 0.0 && split > 0 {
        v[..split].iter().copied().fold(f64::MIN, f64::max)
    } else {
        0.0
    };
    Ok((top + frac * next) / total)
}

/// An ABC class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AbcClass {
    /// The customers who together bring the first `a` share of value (80% by default).
    A,
    /// The next ones, up to the `b` share (95%).
    B,
    /// The rest.
    C,
}

impl AbcClass {
    /// Every class in code order: a class's code (`CRM`'s `uint8_t`, Python's `uint8`) is its
    /// index here, its name `"A"`, `"B"` or `"C"`.
    pub const ALL: [AbcClass; 3] = [AbcClass::A, AbcClass::B, AbcClass::C];

    /// The class's code: its index in [`AbcClass::ALL`] (0 = A, 1 = B, 2 = C).
    ///
    /// ```
    /// use crm_core::segment::AbcClass;
    /// assert_eq!(AbcClass::ALL.map(AbcClass::code), [0, 1, 2]);
    /// assert_eq!(AbcClass::ALL.map(AbcClass::name), ["A", "B", "C"]);
    /// ```
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The class's name, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            AbcClass::A => "A",
            AbcClass::B => "B",
            AbcClass::C => "C",
        }
    }
}

/// ABC class codes ([`AbcClass::code`]) of `values`, as [`abc`] classes them: the columnar
/// form both skins return.
///
/// # Errors
/// As [`abc`].
///
/// ```
/// use crm_core::segment::{AbcCuts, abc_codes};
/// // 50 and 35 reach 85% (A: the one crossing 80% is still A), 10 reaches 95% (B), 5 is C.
/// assert_eq!(abc_codes(&[50.0, 35.0, 10.0, 5.0], AbcCuts::default())?, [0, 0, 1, 2]);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn abc_codes(values: &[f64], cuts: AbcCuts) -> crate::error::Result<Vec<u8>> {
    Ok(abc(values, cuts)?.into_iter().map(AbcClass::code).collect())
}

/// Cut points of the ABC classes as cumulative shares of value. JSON: `{"a": 0.8, "b": 0.95}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbcCuts {
    /// Cumulative share up to which customers are A.
    pub a: f64,
    /// Cumulative share up to which customers are B.
    pub b: f64,
}

impl Default for AbcCuts {
    fn default() -> Self {
        AbcCuts { a: 0.80, b: 0.95 }
    }
}

/// ABC class of each customer: sorted by value from the top, a customer is A while the value
/// of the customers before it is below `cuts.a` of the total (so the customer who crosses
/// the line is still A), B while below `cuts.b`, C after. Equal values get the class of the
/// first of them. With a total of 0 everybody is C.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a non-finite value or cut points not satisfying
/// 0 < a ≤ b ≤ 1.
///
/// ```
/// use crm_core::segment::{abc, AbcClass::*, AbcCuts};
/// // Shares before each customer (sorted): 0, .5, .6, .7, .8, .9, .92, .94, .96, .98.
/// let v = [50.0, 10.0, 10.0, 10.0, 10.0, 2.0, 2.0, 2.0, 2.0, 2.0];
/// // The four 10s tie: the first starts at .5 < .8, so all four are A.
/// assert_eq!(abc(&v, AbcCuts::default())?, [A, A, A, A, A, B, B, B, B, B]);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn abc(values: &[f64], cuts: AbcCuts) -> Result<Vec<AbcClass>> {
    check_values("values", values)?;
    if !(cuts.a > 0.0 && cuts.a <= cuts.b && cuts.b <= 1.0) {
        return Err(CrmError::invalid(
            "cuts",
            format!("a={} b={}", cuts.a, cuts.b),
            "need 0 < a <= b <= 1",
        ));
    }
    let (v, _) = clamped(values);
    let total: f64 = v.iter().sum();
    let mut out = vec![AbcClass::C; v.len()];
    if total <= 0.0 {
        return Ok(out);
    }
    let order = super::order::order_descending(&v);
    let mut before = 0.0;
    let mut class = AbcClass::A;
    let mut prev: Option<f64> = None;
    for &i in &order {
        let value = v[i as usize];
        if prev != Some(value) {
            let share = before / total;
            class = if share < cuts.a {
                AbcClass::A
            } else if share < cuts.b {
                AbcClass::B
            } else {
                AbcClass::C
            };
            prev = Some(value);
        }
        out[i as usize] = class;
        before += value;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_lorenz_curve_of_fewer_than_two_points_is_refused_naming_points() {
        for points in [0, 1] {
            let e = pareto(&[1.0, 2.0], points).unwrap_err();
            assert_eq!(e.field(), Some("points"));
            assert!(
                e.to_string()
                    .starts_with(&format!("invalid points {points}:")),
                "{e}"
            );
        }
        assert_eq!(
            pareto(&[1.0, 3.0], 2).unwrap().lorenz,
            vec![(0.0, 0.0), (1.0, 1.0)]
        );
    }

    #[test]
    fn gini_worked_by_hand() {
        // Equal values: 0. One of four holds all: 2·(4·1)/(4·1) − 5/4 = 0.75 = (n−1)/n.
        assert_eq!(pareto(&[3.0; 4], 5).unwrap().gini, 0.0);
        assert!((pareto(&[0.0, 0.0, 0.0, 1.0], 5).unwrap().gini - 0.75).abs() < 1e-12);
        // 1, 2, 3: 2·(1 + 4 + 9)/(3·6) − 4/3 = 28/18 − 24/18 = 2/9.
        assert!((pareto(&[3.0, 1.0, 2.0], 5).unwrap().gini - 2.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn lorenz_by_hand_and_degenerate_input() {
        let p = pareto(&[1.0, 3.0], 3).unwrap();
        // Half the customers (the one with 1) hold 1/4.
        assert_eq!(p.lorenz, vec![(0.0, 0.0), (0.5, 0.25), (1.0, 1.0)]);
        let empty = pareto(&[], 3).unwrap();
        assert_eq!(
            (empty.total, empty.gini, empty.top_20_share),
            (0.0, 0.0, 0.0)
        );
        // Negative values count as zero.
        assert_eq!(pareto(&[-5.0, 5.0], 3).unwrap().total, 5.0);
        let err = pareto(&[1.0, f64::NAN], 3).unwrap_err();
        assert_eq!(err.to_string(), "invalid values[1] NaN: must be finite");
    }

    #[test]
    fn abc_cut_points_are_checked() {
        let err = abc(&[1.0], AbcCuts { a: 0.9, b: 0.8 }).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid cuts a=0.9 b=0.8: need 0 < a <= b <= 1"
        );
        assert_eq!(
            abc(&[0.0, 0.0], AbcCuts::default()).unwrap(),
            [AbcClass::C, AbcClass::C]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn lorenz_and_gini_invariants(values in prop::collection::vec(0.0f64..1e6, 1..200)) {
            let p = pareto(&values, 21).unwrap();
            prop_assert!((0.0..1.0).contains(&p.gini), "gini {}", p.gini);
            prop_assert!(p.lorenz.windows(2).all(|w| w[0].1 <= w[1].1 + 1e-12));
            let last = *p.lorenz.last().unwrap();
            if p.total > 0.0 {
                prop_assert!((last.0 - 1.0).abs() < 1e-12 && (last.1 - 1.0).abs() < 1e-9);
                // The top-20% share agrees with the selection-based computation.
                let direct = top_share(&values, 0.2).unwrap();
                prop_assert!((direct - p.top_20_share).abs() < 1e-9);
                // The Lorenz curve lies on or below the diagonal.
                prop_assert!(p.lorenz.iter().all(|&(x, y)| y <= x + 1e-9));
            }
        }

        #[test]
        fn abc_is_monotone_in_value(values in prop::collection::vec(0u32..50, 1..100)) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let classes = abc(&values, AbcCuts::default()).unwrap();
            for i in 0..values.len() {
                for j in 0..values.len() {
                    if values[i] > values[j] { prop_assert!(classes[i] <= classes[j]); }
                    if values[i] == values[j] { prop_assert_eq!(classes[i], classes[j]); }
                }
            }
        }
    }
}
