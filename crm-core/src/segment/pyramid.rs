//! The customer pyramid: tiers drawn from the value numbers, from the top.

use serde::{Deserialize, Serialize};

use super::{check_len, check_values, clamped, finite_total, unscaled};
use crate::error::{CrmError, Result};

/// One tier: its name and its share (of customers, or of value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    /// Name shown to people ("Platinum").
    pub name: String,
    /// Share of customers (or of value, by [`TierBasis`]) in this tier, in (0, 1].
    pub share: f64,
}

/// What the tier shares are shares of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierBasis {
    /// Share of customers counted from the top (1% Platinum, 4% Gold…).
    #[default]
    Customers,
    /// Share of cumulative value counted from the top (the customers who bring the first
    /// 50% of value are Platinum…).
    Value,
}

/// Tiers from the top down and what their shares mean.
///
/// JSON: `{"tiers": [{"name": "Platinum", "share": 0.01}, …], "basis": "customers"}`.
/// The default is the classic pyramid: Platinum 1%, Gold 4%, Iron 15%, Lead 80% of customers;
/// a part left out takes its default (`{"basis": "value"}` is the default tiers by value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PyramidConfig {
    /// Tiers from the top down; shares add up to 1.
    pub tiers: Vec<TierSpec>,
    /// Shares of customers or of value.
    #[serde(default)]
    pub basis: TierBasis,
}

impl Default for PyramidConfig {
    fn default() -> Self {
        let tier = |name: &str, share| TierSpec {
            name: name.to_owned(),
            share,
        };
        PyramidConfig {
            tiers: vec![
                tier("Platinum", 0.01),
                tier("Gold", 0.04),
                tier("Iron", 0.15),
                tier("Lead", 0.80),
            ],
            basis: TierBasis::Customers,
        }
    }
}

/// The most tiers a pyramid has: tier indexes are `u8` (C `uint8_t`, numpy `uint8`).
pub const MAX_TIERS: usize = 255;

impl PyramidConfig {
    /// Checks names and shares.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] without tiers or with more than [`MAX_TIERS`], for
    /// an empty or repeated name, a share outside (0, 1], or shares that do not add up to 1
    /// (within 1e-6).
    pub fn validate(&self) -> Result<()> {
        if self.tiers.is_empty() {
            return Err(CrmError::invalid(
                "tiers",
                "[]",
                "at least one tier is needed",
            ));
        }
        if self.tiers.len() > MAX_TIERS {
            return Err(CrmError::invalid(
                "tiers",
                format_args!("of length {}", self.tiers.len()),
                format_args!("a pyramid has at most {MAX_TIERS} tiers"),
            ));
        }
        let mut sum = 0.0;
        for (i, t) in self.tiers.iter().enumerate() {
            if t.name.trim().is_empty() {
                return Err(CrmError::invalid(
                    &format!("tiers[{i}].name"),
                    "\"\"",
                    "must not be empty",
                ));
            }
            if self.tiers[..i].iter().any(|o| o.name == t.name) {
                return Err(CrmError::invalid(
                    &format!("tiers[{i}].name"),
                    &t.name,
                    "is used twice",
                ));
            }
            if !(t.share > 0.0 && t.share <= 1.0) {
                return Err(CrmError::invalid(
                    &format!("tiers[{i}].share"),
                    t.share,
                    "must be in (0, 1]",
                ));
            }
            sum += t.share;
        }
        if (sum - 1.0).abs() > 1e-6 {
            return Err(CrmError::invalid(
                "tiers",
                format!("shares summing to {sum}"),
                "shares must add up to 1",
            ));
        }
        Ok(())
    }

    /// The tier names, top first.
    pub fn names(&self) -> Vec<&str> {
        self.tiers.iter().map(|t| t.name.as_str()).collect()
    }
}

/// One tier's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierSummary {
    /// The tier's name.
    pub name: String,
    /// Customers in it.
    pub customers: usize,
    /// Their share of all customers.
    pub customer_share: f64,
    /// Their value (negative values count as 0).
    pub value: f64,
    /// Their share of all value.
    pub value_share: f64,
    /// Their revenue, when a revenue column was given.
    pub revenue: Option<f64>,
    /// Their share of all revenue.
    pub revenue_share: Option<f64>,
    /// The lowest value in the tier (`None` when empty).
    pub min_value: Option<f64>,
}

/// Tier of every customer (index into the config's tiers, 0 = top) and the summary per tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pyramid {
    /// Tier index per customer, in input order.
    pub tier: Vec<u8>,
    /// Tier names, top first.
    pub names: Vec<String>,
    /// Figures per tier, top first.
    pub summary: Vec<TierSummary>,
}

impl Pyramid {
    /// The tier name of customer row `row`.
    pub fn tier_name(&self, row: usize) -> Option<&str> {
        self.tier
            .get(row)
            .and_then(|&t| self.names.get(usize::from(t)))
            .map(String::as_str)
    }
}

/// Draws the pyramid from `values` (one per customer; negative counts as 0), with an
/// optional `revenue` column for the summary.
///
/// Customers are ranked from the highest value. By customer share, tier i ends after
/// `round(n · cumulative share_i)` customers; by value share, a customer belongs to the first
/// tier whose cumulative share exceeds the value of the customers ranked above it (the one
/// who crosses a line stays in the upper tier). Equal values never straddle a boundary:
/// they all take the tier of the first of them. With a total value of 0 and value basis,
/// everybody is in the last tier.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a bad config, a non-finite value, a revenue
/// column of another length, or a tier's value or revenue total beyond `f64` (naming
/// `values` or `revenue`: the tiers themselves are drawn on scaled values and never
/// overflow).
///
/// ```
/// use crm_core::segment::{pyramid, PyramidConfig};
/// let values: Vec<f64> = (1..=100).map(f64::from).collect(); // 1..100
/// let p = pyramid(&values, None, &PyramidConfig::default())?;
/// assert_eq!(p.tier_name(99), Some("Platinum")); // 100 is the top 1%
/// assert_eq!(p.summary[1].customers, 4);          // 96..99
/// assert_eq!(p.summary[3].customers, 80);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn pyramid(values: &[f64], revenue: Option<&[f64]>, config: &PyramidConfig) -> Result<Pyramid> {
    config.validate()?;
    check_values("values", values)?;
    if let Some(r) = revenue {
        check_len("revenue", r.len(), "values", values.len())?;
        check_values("revenue", r)?;
    }
    let (v, scale) = clamped(values);
    let n = v.len();
    let last = (config.tiers.len() - 1) as u8;
    let total: f64 = v.iter().sum();
    let order = super::order::order_descending(&v);

    // Cumulative boundaries: a count for customer shares, a share for value shares.
    let mut cumulative = Vec::with_capacity(config.tiers.len());
    let mut acc = 0.0;
    for t in &config.tiers {
        acc += t.share;
        cumulative.push(acc);
    }
    let mut tier = vec![last; n];
    let mut before = 0.0;
    let mut current = 0u8;
    let mut prev: Option<f64> = None;
    for (pos, &i) in order.iter().enumerate() {
        let value = v[i as usize];
        if prev != Some(value) {
            current = match config.basis {
                TierBasis::Customers => cumulative
                    .iter()
                    .position(|&c| pos < (c * n as f64).round() as usize)
                    .map_or(last, |t| t as u8),
                TierBasis::Value if total > 0.0 => cumulative
                    .iter()
                    .position(|&c| before / total < c - 1e-12)
                    .map_or(last, |t| t as u8),
                TierBasis::Value => last,
            };
            prev = Some(value);
        }
        tier[i as usize] = current;
        before += value;
    }

    let revenue_total: Option<f64> = revenue
        .map(|r| finite_total("revenue", r.iter().sum()))
        .transpose()?;
    let mut summary: Vec<TierSummary> = config
        .tiers
        .iter()
        .map(|t| TierSummary {
            name: t.name.clone(),
            customers: 0,
            customer_share: 0.0,
            value: 0.0,
            value_share: 0.0,
            revenue: revenue.map(|_| 0.0),
            revenue_share: None,
            min_value: None,
        })
        .collect();
    for (row, &t) in tier.iter().enumerate() {
        let s = &mut summary[usize::from(t)];
        s.customers += 1;
        s.value += v[row];
        s.min_value = Some(s.min_value.map_or(v[row], |m| m.min(v[row])));
        if let (Some(r), Some(acc)) = (revenue, s.revenue.as_mut()) {
            *acc += r[row];
        }
    }
    for s in &mut summary {
        s.customer_share = if n > 0 {
            s.customers as f64 / n as f64
        } else {
            0.0
        };
        s.value_share = if total > 0.0 { s.value / total } else { 0.0 };
        s.value = unscaled("values", s.value, scale)?;
        s.min_value = s.min_value.map(|m| m * scale);
        if let Some(r) = s.revenue {
            finite_total("revenue", r)?;
        }
        s.revenue_share = match (s.revenue, revenue_total) {
            (Some(r), Some(t)) if t != 0.0 => Some(r / t),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
    }
    Ok(Pyramid {
        tier,
        names: config.tiers.iter().map(|t| t.name.clone()).collect(),
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cfg(basis: TierBasis, shares: &[(&str, f64)]) -> PyramidConfig {
        PyramidConfig {
            tiers: shares
                .iter()
                .map(|&(name, share)| TierSpec {
                    name: name.into(),
                    share,
                })
                .collect(),
            basis,
        }
    }

    #[test]
    fn ties_never_straddle_a_boundary() {
        // Top 20% of 5 = 1 customer, but the two best are equal: both go up.
        let c = cfg(TierBasis::Customers, &[("top", 0.2), ("rest", 0.8)]);
        let p = pyramid(&[9.0, 1.0, 9.0, 3.0, 2.0], None, &c).unwrap();
        assert_eq!(p.tier, vec![0, 1, 0, 1, 1]);
    }

    #[test]
    fn tiers_by_value_share() {
        // Sorted 50, 30, 15, 5 (total 100). Shares before: 0, .5, .8, .95.
        // "top" holds the first 50% → 50 (before 0 < .5); 30 starts at .5, not < .5 → mid;
        // mid holds up to 90%: 30 (.5 < .9) and 15 (.8 < .9); 5 starts at .95 → low.
        let c = cfg(
            TierBasis::Value,
            &[("top", 0.5), ("mid", 0.4), ("low", 0.1)],
        );
        let p = pyramid(&[15.0, 50.0, 5.0, 30.0], Some(&[1.0, 2.0, 3.0, 4.0]), &c).unwrap();
        assert_eq!(p.tier, vec![1, 0, 2, 1]);
        assert_eq!(p.summary[1].value, 45.0);
        assert_eq!(p.summary[1].revenue, Some(5.0));
        assert_eq!(p.summary[1].revenue_share, Some(0.5));
        assert_eq!(p.summary[1].min_value, Some(15.0));
    }

    #[test]
    fn configs_are_checked() {
        let bad = cfg(TierBasis::Customers, &[("a", 0.5), ("b", 0.4)]);
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "invalid tiers shares summing to 0.9: shares must add up to 1"
        );
        let dup = cfg(TierBasis::Customers, &[("a", 0.5), ("a", 0.5)]);
        assert_eq!(
            dup.validate().unwrap_err().to_string(),
            "invalid tiers[1].name a: is used twice"
        );
        let neg = cfg(TierBasis::Customers, &[("a", -0.5), ("b", 1.5)]);
        assert_eq!(neg.validate().unwrap_err().field(), Some("tiers[0].share"));
        let err = pyramid(&[1.0], Some(&[]), &PyramidConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid revenue length 0: must equal the length of values (1)"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn tier_is_monotone_in_value(values in prop::collection::vec(0u32..40, 1..150), by_value in any::<bool>()) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let mut c = PyramidConfig::default();
            if by_value { c.basis = TierBasis::Value; }
            let p = pyramid(&values, None, &c).unwrap();
            let counted: usize = p.summary.iter().map(|s| s.customers).sum();
            prop_assert_eq!(counted, values.len());
            for i in 0..values.len() {
                for j in 0..values.len() {
                    if values[i] > values[j] { prop_assert!(p.tier[i] <= p.tier[j]); }
                    if values[i] == values[j] { prop_assert_eq!(p.tier[i], p.tier[j]); }
                }
            }
            let share: f64 = p.summary.iter().map(|s| s.customer_share).sum();
            prop_assert!((share - 1.0).abs() < 1e-9);
        }
    }
}
