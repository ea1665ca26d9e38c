//! Segmentation: the customer pyramid, Pareto/ABC and the Lorenz curve, horizontal then
//! vertical segmentation, RFM scores and named segments, and a strategy per segment.
//!
//! Every engine is a function over plain columns (slices) in customer order, usable without
//! a book.
//!
//! ## Quantile bins
//! RFM scores use one documented rule: among the n customers with a purchase, a value that
//! has c values strictly below it scores ⌊k·c/n⌋ + 1. Equal values therefore score equally
//! (they share the lowest rank of their tie group, pandas' `rank(method="min")`); bins differ
//! in size by at most one when there are no ties, the extra members going where the
//! boundaries j·n/k fall. pandas `qcut` and polars `qcut` disagree on uneven bins, so the
//! comparison scripts in `benches/` compute this rule explicitly in both.

mod config;
mod matrix;
mod order;
mod pareto;
mod pyramid;
mod rfm;
mod strategy;

pub use config::SegmentationConfig;
pub use matrix::{AttributeColumn, MatrixCell, SegmentMatrix, segment_matrix};
pub use pareto::{AbcClass, AbcCuts, MAX_LORENZ_POINTS, Pareto, abc, abc_codes, pareto, top_share};
pub use pyramid::{MAX_TIERS, Pyramid, PyramidConfig, TierBasis, TierSpec, TierSummary, pyramid};
pub use rfm::{
    MAX_RFM_RULES, Rfm, RfmConfig, RfmRule, RfmSegmentMap, RuleReport, ScoreRange, ShadowedRule,
    rfm,
};
pub use strategy::{Strategy, StrategyMap, cell_key};

pub(crate) use order::percentile_ranks;

use crate::error::{CrmError, Result};

/// Rejects non-finite values, naming the first one's position.
pub(crate) fn check_values(field: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(CrmError::invalid(
            &format!("{field}[{i}]"),
            values[i],
            "must be finite",
        )),
        None => Ok(()),
    }
}

/// Rejects a column whose length differs from the reference column's.
pub(crate) fn check_len(field: &str, len: usize, reference: &str, expected: usize) -> Result<()> {
    if len == expected {
        Ok(())
    } else {
        Err(CrmError::invalid(
            &format!("{field} length"),
            len,
            format_args!("must equal the length of {reference} ({expected})"),
        ))
    }
}

/// Values with negatives raised to 0 (a customer who cost money holds no share of value),
/// divided by `scale`, the second value returned.
///
/// The scale is a power of two (so dividing is exact) chosen when the largest value is past
/// 2⁵⁰⁰, so that no sum of the scaled values can overflow: `top_share([1e308; 5])` is then
/// 1, not ∞/∞. Shares computed from the scaled values are those of the values; totals are
/// brought back with [`unscaled`], which refuses a total beyond `f64`.
fn clamped(values: &[f64]) -> (Vec<f64>, f64) {
    let max = values.iter().fold(0.0f64, |m, &v| m.max(v));
    let scale = if max >= 2f64.powi(500) {
        2f64.powi((max.log2().ceil() as i32).min(1023))
    } else {
        1.0
    };
    (values.iter().map(|&v| v.max(0.0) / scale).collect(), scale)
}

/// `scaled_sum · scale` (see [`clamped`]), or an error naming `field` when that total is
/// beyond the largest `f64` (it would be written as `null` in JSON).
fn unscaled(field: &str, scaled_sum: f64, scale: f64) -> Result<f64> {
    finite_total(field, scaled_sum * scale)
}

/// `total`, or an error naming `field` when it is not finite (the values sum past `f64`).
fn finite_total(field: &str, total: f64) -> Result<f64> {
    if total.is_finite() {
        Ok(total)
    } else {
        Err(CrmError::invalid(
            field,
            format_args!("with a total of {total}"),
            "the values add up to more than a 64-bit float holds; scale them down",
        ))
    }
}
