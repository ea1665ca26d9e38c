//! Value keys and company-specific weights: one explainable number per customer.
//!
//! The source documents' value keys — tenure, what the customer brings, referrals, the
//! short-but-intense against the long-but-light buyer, the customer who invests on the
//! company's behalf or shares its costs — each get a coefficient set by the company's
//! priorities. Each key is normalised to [0, 1]; the score is 100 × the weighted average, and
//! each key's contribution is its part of that sum, so the contributions add up to the score.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};
use crate::features::{Features, TransactionFeatures};
use crate::segment::{check_len, percentile_ranks};

/// A value key. JSON: its snake-case name (`"monetary"`), or `"custom:<name>"` for a key
/// whose values the caller supplies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueKey {
    /// Length of the relationship (days).
    Tenure,
    /// Net revenue.
    Monetary,
    /// Number of purchases.
    Frequency,
    /// Days since the last purchase (fewer is better).
    Recency,
    /// Purchases per active month.
    Intensity,
    /// Referred customers who bought.
    Referrals,
    /// Net revenue of the referred customers.
    ReferralValue,
    /// Co-investment on the company's behalf.
    CoInvestment,
    /// Costs shared with the company.
    CostSharing,
    /// Predicted customer lifetime value (BG/NBD × Gamma-Gamma, see [`crate::clv`]):
    /// supplied by [`WithClv`], or computed by [`crate::book::CustomerBook::analyse`].
    PredictedClv,
    /// A key the caller supplies by name.
    Custom(String),
}

impl ValueKey {
    /// Every built-in key.
    pub const BUILT_IN: [ValueKey; 10] = [
        ValueKey::Tenure,
        ValueKey::Monetary,
        ValueKey::Frequency,
        ValueKey::Recency,
        ValueKey::Intensity,
        ValueKey::Referrals,
        ValueKey::ReferralValue,
        ValueKey::CoInvestment,
        ValueKey::CostSharing,
        ValueKey::PredictedClv,
    ];

    /// Whether a lower value is better (only recency).
    pub fn lower_is_better(&self) -> bool {
        matches!(self, ValueKey::Recency)
    }
}

impl fmt::Display for ValueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ValueKey::Tenure => "tenure",
            ValueKey::Monetary => "monetary",
            ValueKey::Frequency => "frequency",
            ValueKey::Recency => "recency",
            ValueKey::Intensity => "intensity",
            ValueKey::Referrals => "referrals",
            ValueKey::ReferralValue => "referral_value",
            ValueKey::CoInvestment => "co_investment",
            ValueKey::CostSharing => "cost_sharing",
            ValueKey::PredictedClv => "predicted_clv",
            ValueKey::Custom(name) => return write!(f, "custom:{name}"),
        };
        f.write_str(s)
    }
}

impl ValueKey {
    /// The names of the column a key is read from in a table of named columns
    /// ([`NamedColumns`]), first match wins: `recency_days` or `recency`, `tenure_days` or
    /// `tenure`, `referred_buyers` or `referrals`, `<name>` for `custom:<name>`, the key's
    /// own name for the others.
    ///
    /// ```
    /// use crm_core::value::ValueKey;
    /// assert_eq!(ValueKey::Recency.column_names(), ["recency_days", "recency"]);
    /// assert_eq!(ValueKey::Custom("nps".into()).column_names(), ["nps"]);
    /// assert_eq!(ValueKey::CoInvestment.column_names(), ["co_investment"]);
    /// ```
    pub fn column_names(&self) -> Vec<String> {
        match self {
            ValueKey::Recency => vec!["recency_days".into(), "recency".into()],
            ValueKey::Tenure => vec!["tenure_days".into(), "tenure".into()],
            ValueKey::Referrals => vec!["referred_buyers".into(), "referrals".into()],
            ValueKey::Custom(name) => vec![name.clone()],
            other => vec![other.to_string()],
        }
    }
}

impl FromStr for ValueKey {
    type Err = CrmError;

    fn from_str(s: &str) -> Result<Self> {
        if let Some(name) = s.strip_prefix("custom:") {
            if name.trim().is_empty() {
                return Err(CrmError::invalid(
                    "key",
                    s,
                    "a custom key needs a name after `custom:`",
                ));
            }
            return Ok(ValueKey::Custom(name.to_owned()));
        }
        ValueKey::BUILT_IN
            .into_iter()
            .find(|k| k.to_string() == s)
            .ok_or_else(|| {
                CrmError::invalid(
                    "key",
                    s,
                    "unknown value key; use tenure, monetary, frequency, recency, intensity, \
                     referrals, referral_value, co_investment, cost_sharing, predicted_clv \
                     or custom:<name>",
                )
            })
    }
}

impl Serialize for ValueKey {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ValueKey {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How each key is brought to [0, 1] before weighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// Percentile rank: the share of the other customers strictly below, c / (n − 1), ties
    /// taking the lowest rank of their group. Robust to outliers; the default.
    #[default]
    Percentile,
    /// (x − min) / (max − min).
    MinMax,
    /// The standard normal CDF of the z-score, Φ((x − mean) / sd).
    ZScore,
}

/// A key and its coefficient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedKey {
    /// The key.
    pub key: ValueKey,
    /// Its coefficient, ≥ 0; only the ratios between weights matter.
    pub weight: f64,
}

/// A company's value model.
///
/// JSON: `{"keys": [{"key": "monetary", "weight": 0.5}, {"key": "custom:nps", "weight": 0.1}],
/// "normalization": "percentile", "winsorize": 0.99}`.
///
/// For every normalisation, a missing value (NaN: recency without a purchase, tenure without
/// a start) counts as the worst, 0, and a key that does not tell customers apart (a constant
/// column) adds 0 for everybody.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueModel {
    /// The weighted keys.
    pub keys: Vec<WeightedKey>,
    /// How keys are normalised.
    #[serde(default)]
    pub normalization: Normalization,
    /// Optional winsorising: values are capped at the `q` and `1 − q` quantiles (nearest
    /// rank) before normalisation, q in (0.5, 1). Matters for min-max and z-score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winsorize: Option<f64>,
}

impl Default for ValueModel {
    /// A balanced model over the source documents' keys.
    fn default() -> Self {
        let k = |key, weight| WeightedKey { key, weight };
        ValueModel {
            keys: vec![
                k(ValueKey::Monetary, 0.35),
                k(ValueKey::Frequency, 0.15),
                k(ValueKey::Recency, 0.15),
                k(ValueKey::Tenure, 0.10),
                k(ValueKey::Intensity, 0.05),
                k(ValueKey::Referrals, 0.10),
                k(ValueKey::CoInvestment, 0.05),
                k(ValueKey::CostSharing, 0.05),
            ],
            normalization: Normalization::Percentile,
            winsorize: None,
        }
    }
}

/// Where key columns come from: the book's feature export, transaction features, or any
/// table a caller builds.
pub trait KeySource {
    /// Number of customers.
    fn rows(&self) -> usize;
    /// The column of a built-in key, or `None` when this source does not have it.
    fn column(&self, key: &ValueKey) -> Option<Cow<'_, [f64]>>;
}

/// A table of named float columns (a DataFrame, C arrays with names) as a key source: each
/// key reads the first column named as [`ValueKey::column_names`] says.
#[derive(Debug, Clone)]
pub struct NamedColumns<'a> {
    rows: usize,
    columns: Vec<(&'a str, &'a [f64])>,
}

/// The most columns a [`NamedColumns`] table passed from C has (`n_columns` of
/// `crm_value_model_score`): every built-in key's names and [`MAX_VALUE_KEYS`] custom keys fit
/// many times over.
pub const MAX_NAMED_COLUMNS: usize = 1_024;

impl<'a> NamedColumns<'a> {
    /// `rows` customers in `columns` (name, values).
    pub fn new(rows: usize, columns: Vec<(&'a str, &'a [f64])>) -> Self {
        NamedColumns { rows, columns }
    }

    /// The column `key` reads, if the table has one.
    pub fn find(&self, key: &ValueKey) -> Option<&'a [f64]> {
        key.column_names().iter().find_map(|name| {
            self.columns
                .iter()
                .find(|(n, _)| n == name)
                .map(|&(_, c)| c)
        })
    }
}

impl KeySource for NamedColumns<'_> {
    fn rows(&self) -> usize {
        self.rows
    }

    fn column(&self, key: &ValueKey) -> Option<Cow<'_, [f64]>> {
        self.find(key).map(Cow::Borrowed)
    }
}

fn floats<T: Copy + Into<f64>>(v: &[T]) -> Cow<'_, [f64]> {
    Cow::Owned(v.iter().map(|&x| x.into()).collect())
}

fn money(v: &[i64]) -> Cow<'_, [f64]> {
    Cow::Owned(v.iter().map(|&x| x as f64).collect())
}

impl KeySource for Features {
    fn rows(&self) -> usize {
        self.len()
    }

    fn column(&self, key: &ValueKey) -> Option<Cow<'_, [f64]>> {
        Some(match key {
            ValueKey::Tenure => Cow::Borrowed(&self.tenure_days[..]),
            ValueKey::Monetary => money(&self.monetary),
            ValueKey::Frequency => floats(&self.frequency),
            ValueKey::Recency => Cow::Borrowed(&self.recency_days[..]),
            ValueKey::Intensity => Cow::Borrowed(&self.intensity[..]),
            ValueKey::Referrals => floats(&self.referred_buyers),
            ValueKey::ReferralValue => money(&self.referral_value),
            ValueKey::CoInvestment => money(&self.co_investment),
            ValueKey::CostSharing => money(&self.cost_sharing),
            ValueKey::PredictedClv | ValueKey::Custom(_) => return None,
        })
    }
}

impl KeySource for TransactionFeatures {
    fn rows(&self) -> usize {
        self.len()
    }

    fn column(&self, key: &ValueKey) -> Option<Cow<'_, [f64]>> {
        Some(match key {
            ValueKey::Tenure => Cow::Borrowed(&self.tenure_days[..]),
            ValueKey::Monetary => Cow::Borrowed(&self.monetary[..]),
            ValueKey::Frequency => floats(&self.frequency),
            ValueKey::Recency => Cow::Borrowed(&self.recency_days[..]),
            ValueKey::Intensity => Cow::Borrowed(&self.intensity[..]),
            _ => return None,
        })
    }
}

/// A key source with a predicted-lifetime-value column added to another source (same
/// rows), for models that use [`ValueKey::PredictedClv`].
#[derive(Debug, Clone, Copy)]
pub struct WithClv<'a, S: KeySource + ?Sized> {
    /// The other keys.
    pub base: &'a S,
    /// Predicted lifetime value per row.
    pub clv: &'a [f64],
}

impl<S: KeySource + ?Sized> KeySource for WithClv<'_, S> {
    fn rows(&self) -> usize {
        self.base.rows()
    }

    fn column(&self, key: &ValueKey) -> Option<Cow<'_, [f64]>> {
        match key {
            ValueKey::PredictedClv => Some(Cow::Borrowed(self.clv)),
            other => self.base.column(other),
        }
    }
}

/// Value scores with each key's contribution (columns in customer order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueScores {
    /// The score per customer, 0 to 100.
    pub score: Vec<f64>,
    /// The keys, in model order.
    pub keys: Vec<ValueKey>,
    /// Per key (model order), its contribution per customer; they add up to `score`.
    pub contributions: Vec<Vec<f64>>,
}

impl ValueScores {
    /// The contribution column of `key`.
    pub fn contribution(&self, key: &ValueKey) -> Option<&[f64]> {
        self.keys
            .iter()
            .position(|k| k == key)
            .map(|i| &self.contributions[i][..])
    }

    /// Why customer `row` scores what it scores: each key with its contribution.
    pub fn explain(&self, row: usize) -> Vec<(ValueKey, f64)> {
        self.keys
            .iter()
            .zip(&self.contributions)
            .map(|(k, c)| (k.clone(), c.get(row).copied().unwrap_or(f64::NAN)))
            .collect()
    }
}

/// The most keys a [`ValueModel`] has (checked before the keys are compared with each other).
pub const MAX_VALUE_KEYS: usize = 256;

/// The largest weight of one key: only ratios matter, and with at most [`MAX_VALUE_KEYS`]
/// keys of at most this weight their sum stays far inside `f64` (a sum of weights beyond it
/// would make every score 0).
pub const MAX_KEY_WEIGHT: f64 = 1e12;

impl ValueModel {
    /// Checks the weights and keys.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] without keys or with more than [`MAX_VALUE_KEYS`],
    /// for a negative or non-finite weight or one above [`MAX_KEY_WEIGHT`], all-zero weights,
    /// a key given twice, or a winsorising quantile outside (0.5, 1).
    pub fn validate(&self) -> Result<()> {
        if self.keys.len() > MAX_VALUE_KEYS {
            return Err(CrmError::invalid(
                "keys",
                format_args!("of length {}", self.keys.len()),
                format_args!("a value model has at most {MAX_VALUE_KEYS} keys"),
            ));
        }
        if self.keys.is_empty() {
            return Err(CrmError::invalid(
                "keys",
                "[]",
                "at least one value key is needed",
            ));
        }
        for (i, k) in self.keys.iter().enumerate() {
            if !k.weight.is_finite() || k.weight < 0.0 {
                return Err(CrmError::invalid(
                    &format!("weight of {}", k.key),
                    k.weight,
                    "must be a finite number >= 0",
                ));
            }
            crate::limits::at_most(&format!("weight of {}", k.key), k.weight, MAX_KEY_WEIGHT)?;
            if self.keys[..i].iter().any(|o| o.key == k.key) {
                return Err(CrmError::invalid("key", &k.key, "is given twice"));
            }
        }
        if self.keys.iter().all(|k| k.weight == 0.0) {
            return Err(CrmError::invalid(
                "weights",
                "all 0",
                "at least one weight must be positive",
            ));
        }
        if let Some(q) = self.winsorize {
            if !(q > 0.5 && q < 1.0) {
                return Err(CrmError::invalid(
                    "winsorize",
                    q,
                    "must be a quantile in (0.5, 1)",
                ));
            }
        }
        Ok(())
    }

    /// A model from `{key name: weight}` pairs, with the default normalisation.
    ///
    /// # Errors
    /// An unknown key name, and the checks of [`ValueModel::validate`].
    ///
    /// ```
    /// use crm_core::value::ValueModel;
    /// let model = ValueModel::from_weights([("monetary", 2.0), ("custom:nps", 1.0)])?;
    /// assert_eq!(model.keys.len(), 2);
    /// assert!(ValueModel::from_weights([("money", 1.0)]).is_err());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_weights<'a>(weights: impl IntoIterator<Item = (&'a str, f64)>) -> Result<Self> {
        let keys = weights
            .into_iter()
            .map(|(name, weight)| {
                Ok(WeightedKey {
                    key: name.parse()?,
                    weight,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let model = ValueModel {
            keys,
            ..ValueModel::default()
        };
        model.validate()?;
        Ok(model)
    }

    /// Scores every customer of `source`, with `custom` columns for the custom keys.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for an invalid model, a custom key without values,
    /// a built-in key the source does not have, a column of another length than the source,
    /// or an infinite value in a column.
    ///
    /// ```
    /// use crm_core::value::{ValueModel, WeightedKey, ValueKey, Normalization};
    /// use crm_core::features::TransactionFeatures;
    /// let f = TransactionFeatures {
    ///     customer_id: vec![1, 2, 3],
    ///     recency_days: vec![5.0, 50.0, 500.0],
    ///     frequency: vec![10, 3, 1],
    ///     monetary: vec![1000.0, 300.0, 100.0],
    ///     tenure_days: vec![900.0, 600.0, 600.0],
    ///     intensity: vec![1.0, 0.5, 1.0],
    /// };
    /// let model = ValueModel::from_weights([("monetary", 3.0), ("recency", 1.0)])?;
    /// let s = model.score(&f, &[])?;
    /// // Percentile ranks: monetary 1, .5, 0; recency (fewer days better) 1, .5, 0.
    /// assert_eq!(s.score, vec![100.0, 50.0, 0.0]);
    /// assert_eq!(s.explain(1), vec![(ValueKey::Monetary, 37.5), (ValueKey::Recency, 12.5)]);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn score(&self, source: &dyn KeySource, custom: &[(&str, &[f64])]) -> Result<ValueScores> {
        self.validate()?;
        let n = source.rows();
        for (name, values) in custom {
            check_len(&format!("custom:{name}"), values.len(), "the features", n)?;
        }
        let total_weight: f64 = self.keys.iter().map(|k| k.weight).sum();
        let mut score = vec![0.0; n];
        let mut contributions = Vec::with_capacity(self.keys.len());
        for k in &self.keys {
            let column: Cow<'_, [f64]> = match &k.key {
                ValueKey::Custom(name) => match custom.iter().find(|(c, _)| c == name) {
                    Some((_, values)) => Cow::Borrowed(*values),
                    None => {
                        return Err(CrmError::invalid(
                            "key",
                            &k.key,
                            "a custom key needs its values: pass a column with this name",
                        ));
                    }
                },
                key => source.column(key).ok_or_else(|| {
                    CrmError::invalid("key", key, "is not available from these features")
                })?,
            };
            check_len(&k.key.to_string(), column.len(), "the features", n)?;
            if let Some(i) = column.iter().position(|v| v.is_infinite()) {
                return Err(CrmError::invalid(
                    &format!("{}[{i}]", k.key),
                    column[i],
                    "must be finite",
                ));
            }
            let normalised = self.normalise(&column, k.key.lower_is_better());
            let factor = 100.0 * k.weight / total_weight;
            let contribution: Vec<f64> = normalised.iter().map(|&x| factor * x).collect();
            for (s, c) in score.iter_mut().zip(&contribution) {
                *s += c;
            }
            contributions.push(contribution);
        }
        Ok(ValueScores {
            score,
            keys: self.keys.iter().map(|k| k.key.clone()).collect(),
            contributions,
        })
    }

    /// Scores the customers of a table of named columns, custom keys included: the one
    /// entry point both skins' columnar scoring calls.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `key` for a key without a column (the
    /// message lists the names it is read from), and as [`ValueModel::score`].
    ///
    /// ```
    /// use crm_core::value::{NamedColumns, ValueModel};
    /// let model = ValueModel::from_weights([("monetary", 3.0), ("recency", 1.0)])?;
    /// let (m, r) = ([1000.0, 300.0, 100.0], [5.0, 50.0, 500.0]);
    /// let s = model.score_named(&NamedColumns::new(3, vec![("monetary", &m[..]), ("recency_days", &r[..])]))?;
    /// assert_eq!(s.score, vec![100.0, 50.0, 0.0]);
    /// let e = model.score_named(&NamedColumns::new(3, vec![("monetary", &m[..])])).unwrap_err();
    /// assert_eq!(e.to_string(), "invalid key recency: no column recency_days or recency in the features");
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn score_named(&self, columns: &NamedColumns<'_>) -> Result<ValueScores> {
        let mut custom: Vec<(&str, &[f64])> = Vec::new();
        for k in &self.keys {
            let Some(column) = columns.find(&k.key) else {
                return Err(CrmError::invalid(
                    "key",
                    &k.key,
                    format_args!(
                        "no column {} in the features",
                        k.key.column_names().join(" or ")
                    ),
                ));
            };
            if let ValueKey::Custom(name) = &k.key {
                custom.push((name, column));
            }
        }
        self.score(columns, &custom)
    }

    /// One column brought to [0, 1] (1 = best); NaN → 0.
    fn normalise(&self, column: &[f64], lower_is_better: bool) -> Vec<f64> {
        let column: Cow<'_, [f64]> = match self.winsorize {
            Some(q) => Cow::Owned(winsorised(column, q)),
            None => Cow::Borrowed(column),
        };
        let flip = |x: f64| if lower_is_better { 1.0 - x } else { x };
        match self.normalization {
            // Ranked on the negated column when lower is better, so that ties keep the
            // lowest rank either way.
            Normalization::Percentile if lower_is_better => {
                let negated: Vec<f64> = column.iter().map(|&x| -x).collect();
                percentile_ranks(&negated)
                    .into_iter()
                    .map(|p| p.unwrap_or(0.0))
                    .collect()
            }
            Normalization::Percentile => percentile_ranks(&column)
                .into_iter()
                .map(|p| p.unwrap_or(0.0))
                .collect(),
            Normalization::MinMax => {
                // Halved first (exact but for subnormals): x − lo and hi − lo of values
                // near ±f64::MAX would overflow to ∞ and give ∞/∞ = NaN.
                let (lo, hi) = finite_range(&column);
                let (lo, hi) = (lo / 2.0, hi / 2.0);
                column
                    .iter()
                    .map(|&x| {
                        if x.is_nan() {
                            0.0
                        } else if hi > lo {
                            flip((x / 2.0 - lo) / (hi - lo))
                        } else {
                            0.0
                        }
                    })
                    .collect()
            }
            Normalization::ZScore => {
                // Scaled by a power of two (exact) so that the mean and the squares cannot
                // overflow; z-scores do not depend on the scale.
                let (lo, hi) = finite_range(&column);
                let big = lo.abs().max(hi.abs());
                let scale = if big.is_finite() && big >= 2f64.powi(500) {
                    2f64.powi((big.log2().ceil() as i32).min(1023))
                } else {
                    1.0
                };
                let column: Vec<f64> = column.iter().map(|&x| x / scale).collect();
                let finite: Vec<f64> = column.iter().copied().filter(|x| x.is_finite()).collect();
                let n = finite.len() as f64;
                let mean = finite.iter().sum::<f64>() / n.max(1.0);
                let var = finite.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n.max(1.0);
                let sd = var.sqrt();
                column
                    .iter()
                    .map(|&x| {
                        if x.is_nan() {
                            0.0
                        } else if sd > 0.0 {
                            flip(normal_cdf((x - mean) / sd))
                        } else {
                            0.0
                        }
                    })
                    .collect()
            }
        }
    }
}

/// Φ(z), the standard normal CDF.
fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

fn finite_range(v: &[f64]) -> (f64, f64) {
    v.iter()
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// Caps values at the nearest-rank `1 − q` and `q` quantiles; NaN stays NaN.
fn winsorised(v: &[f64], q: f64) -> Vec<f64> {
    let mut finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    let n = finite.len();
    if n == 0 {
        return v.to_vec();
    }
    let rank = |p: f64| ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
    let (lo_i, hi_i) = (rank(1.0 - q), rank(q));
    let lo = *finite.select_nth_unstable_by(lo_i, f64::total_cmp).1;
    let hi = *finite.select_nth_unstable_by(hi_i, f64::total_cmp).1;
    v.iter()
        .map(|&x| if x.is_nan() { x } else { x.clamp(lo, hi) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn features(monetary: Vec<f64>, recency: Vec<f64>) -> TransactionFeatures {
        let n = monetary.len();
        TransactionFeatures {
            customer_id: (0..n as u64).collect(),
            recency_days: recency,
            frequency: vec![1; n],
            monetary,
            tenure_days: vec![10.0; n],
            intensity: vec![1.0; n],
        }
    }

    #[test]
    fn min_max_and_z_score_by_hand() {
        let f = features(vec![0.0, 50.0, 100.0], vec![0.0, 10.0, f64::NAN]);
        let mut model = ValueModel::from_weights([("monetary", 1.0), ("recency", 1.0)]).unwrap();
        model.normalization = Normalization::MinMax;
        let s = model.score(&f, &[]).unwrap();
        // monetary 0, .5, 1 → 0, 25, 50; recency 0 days best → 1, 0, NaN → 0 → 50, 0, 0.
        assert_eq!(s.score, vec![50.0, 25.0, 50.0]);
        model.normalization = Normalization::ZScore;
        let s = model.score(&f, &[]).unwrap();
        // Population sd of 0, 50, 100 is √(5000/3): z = ∓1.2247 → Φ(1.2247) = 0.889664 (Python:
        // 0.5·erfc(−z/√2)); recency 0 and 10 days: z = ∓1, fewer days better → Φ(1) = 0.841345.
        let m = s.contribution(&ValueKey::Monetary).unwrap();
        assert!((m[1] - 25.0).abs() < 1e-12);
        assert!((m[2] - 50.0 * 0.889_664_3).abs() < 1e-5, "{}", m[2]);
        let r = s.contribution(&ValueKey::Recency).unwrap();
        assert!((r[0] - 50.0 * 0.841_344_7).abs() < 1e-5, "{}", r[0]);
    }

    #[test]
    fn winsorising_caps_the_outlier() {
        // 10 values 1..9 and 1000: q = 0.9 caps at the 9th (nearest rank ⌈9⌉) = 9 and the
        // 1st = 1. Min-max then spreads 1..9 over 0..1 instead of squashing them near 0.
        let mut v: Vec<f64> = (1..=9).map(f64::from).collect();
        v.push(1000.0);
        assert_eq!(winsorised(&v, 0.9)[9], 9.0);
        let f = features(v, vec![1.0; 10]);
        let mut model = ValueModel::from_weights([("monetary", 1.0)]).unwrap();
        model.normalization = Normalization::MinMax;
        model.winsorize = Some(0.9);
        let s = model.score(&f, &[]).unwrap();
        assert_eq!(s.score[4], 50.0); // value 5 of 1..9
    }

    #[test]
    fn bad_models_and_inputs_are_rejected() {
        let f = features(vec![1.0, 2.0], vec![1.0, 2.0]);
        let e = |r: Result<ValueModel>| r.unwrap_err().to_string();
        assert_eq!(
            e(ValueModel::from_weights([("monetary", -1.0)])),
            "invalid weight of monetary -1: must be a finite number >= 0"
        );
        assert_eq!(
            e(ValueModel::from_weights([("monetary", f64::NAN)])),
            "invalid weight of monetary NaN: must be a finite number >= 0"
        );
        assert_eq!(
            e(ValueModel::from_weights([("monetary", 0.0)])),
            "invalid weights all 0: at least one weight must be positive"
        );
        assert!(
            e(ValueModel::from_weights([("spend", 1.0)]))
                .starts_with("invalid key spend: unknown value key")
        );
        let model = ValueModel::from_weights([("custom:nps", 1.0)]).unwrap();
        assert_eq!(
            model.score(&f, &[]).unwrap_err().to_string(),
            "invalid key custom:nps: a custom key needs its values: pass a column with this name"
        );
        assert_eq!(
            model.score(&f, &[("nps", &[1.0])]).unwrap_err().to_string(),
            "invalid custom:nps length 1: must equal the length of the features (2)"
        );
        let referrals = ValueModel::from_weights([("referrals", 1.0)]).unwrap();
        assert_eq!(
            referrals.score(&f, &[]).unwrap_err().to_string(),
            "invalid key referrals: is not available from these features"
        );
        let json =
            r#"{"keys": [{"key": "custom:nps", "weight": 1}, {"key": "tenure", "weight": 2}]}"#;
        let m: ValueModel = serde_json::from_str(json).unwrap();
        assert_eq!(m.keys[0].key, ValueKey::Custom("nps".into()));
        assert!(
            serde_json::from_str::<ValueModel>(r#"{"keys": [{"key": "x", "weight": 1}]}"#).is_err()
        );
        assert_eq!(
            serde_json::to_string(&m.keys[1]).unwrap(),
            r#"{"key":"tenure","weight":2.0}"#
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn contributions_add_up_and_scores_stay_in_range(
            rows in prop::collection::vec((0.0f64..1e6, 0.0f64..400.0, 0u32..50, -10.0f64..10.0), 1..80),
            weights in prop::collection::vec(0.0f64..5.0, 4),
            norm in 0usize..3,
        ) {
            prop_assume!(weights.iter().any(|&w| w > 0.0));
            let n = rows.len();
            let f = TransactionFeatures {
                customer_id: (0..n as u64).collect(),
                recency_days: rows.iter().map(|r| r.1).collect(),
                frequency: rows.iter().map(|r| r.2).collect(),
                monetary: rows.iter().map(|r| r.0).collect(),
                tenure_days: vec![1.0; n],
                intensity: vec![1.0; n],
            };
            let nps: Vec<f64> = rows.iter().map(|r| r.3).collect();
            let mut model = ValueModel::from_weights([
                ("monetary", weights[0]), ("recency", weights[1]), ("frequency", weights[2]), ("custom:nps", weights[3]),
            ]).unwrap();
            model.normalization = [Normalization::Percentile, Normalization::MinMax, Normalization::ZScore][norm];
            let s = model.score(&f, &[("nps", &nps)]).unwrap();
            for row in 0..n {
                let sum: f64 = s.contributions.iter().map(|c| c[row]).sum();
                prop_assert!((sum - s.score[row]).abs() < 1e-9);
                prop_assert!((-1e-9..=100.0 + 1e-9).contains(&s.score[row]));
            }
            // More money, all else equal, never scores lower on the monetary key.
            let m = s.contribution(&ValueKey::Monetary).unwrap();
            for i in 0..n { for j in 0..n {
                if f.monetary[i] > f.monetary[j] { prop_assert!(m[i] >= m[j]); }
            }}
        }
    }
}
