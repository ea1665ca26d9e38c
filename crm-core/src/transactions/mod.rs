//! Per-customer features straight from transaction columns (customer id, instant, amount):
//! the data team's path, without a book.
//!
//! Rows are grouped by hashing the customer id into partitions small enough for the cache,
//! then each partition is aggregated on its own thread: a hash group-by over millions of
//! rows would otherwise miss the cache on nearly every row.
//!
//! The module's parts, one job each: `money` (amounts and row layouts), `partition`
//! (which partition a row goes to), `scatter` (rows into per-thread partition buffers),
//! `accumulate` (one partition summed per customer), `output` (the feature columns, with
//! the definitions of [`crate::features`]).

mod accumulate;
#[allow(unsafe_code)]
mod buckets;
mod money;
mod orders;
mod output;
mod partition;
mod scatter;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::error::{CrmError, Result};
use crate::features::TransactionFeatures;
use crate::segment::{Rfm, RfmConfig, check_len, rfm};
use crate::time::TimeUnit;

use accumulate::Acc;
use money::{Money, NarrowRow, Row};
use output::columns;
use partition::{Partitioner, histograms, partition_bits};
use scatter::scatter_and_aggregate;

pub use orders::{OrderAmounts, OrderColumns, collapse_orders};

/// The amount column: integer minor units (summed exactly) or decimal amounts (summed in row
/// order, so the result does not depend on threads or partitions). Negative amounts are
/// refunds.
#[derive(Debug, Clone, Copy)]
pub enum Amounts<'a> {
    /// Minor units (kuruş, cents).
    Minor(&'a [i64]),
    /// Decimal amounts; must be finite.
    Decimal(&'a [f64]),
}

impl Amounts<'_> {
    fn len(&self) -> usize {
        match self {
            Amounts::Minor(a) => a.len(),
            Amounts::Decimal(a) => a.len(),
        }
    }
}

/// Borrowed transaction columns of equal length.
#[derive(Debug, Clone, Copy)]
pub struct TransactionColumns<'a> {
    /// The buying customer, any `u64`.
    pub customer_id: &'a [u64],
    /// When, as ticks of `unit` since the Unix epoch.
    pub at: &'a [i64],
    /// The unit of `at`.
    pub unit: TimeUnit,
    /// How much; negative for refunds.
    pub amount: Amounts<'a>,
}

/// Per-customer features from transaction columns as of `as_of` (definitions in
/// [`crate::features`]).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for columns of different lengths, a non-finite
/// decimal amount (naming its row), an instant that is missing (`NaT`) or out of range for
/// `unit` (naming `at[row]`: epoch nanoseconds passed as seconds, say), or decimal amounts
/// whose sum for one customer exceeds `f64` (naming the customer). Minor units are summed in
/// `i128`, exactly: they never overflow.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::time::TimeUnit;
/// use crm_core::transactions::{customer_features, Amounts, TransactionColumns};
/// let day = 86_400;
/// let cols = TransactionColumns {
///     customer_id: &[7, 3, 7, 7],
///     at: &[0, 5 * day, 10 * day, 12 * day],
///     unit: TimeUnit::Seconds,
///     amount: Amounts::Minor(&[1_000, 500, 2_000, -300]),
/// };
/// let as_of = Utc.with_ymd_and_hms(1970, 1, 31, 0, 0, 0).unwrap(); // day 30
/// let f = customer_features(&cols, as_of)?;
/// assert_eq!(f.customer_id, vec![3, 7]);
/// assert_eq!(f.frequency, vec![1, 2]);         // the refund is not a purchase
/// assert_eq!(f.monetary, vec![500.0, 2_700.0]);
/// assert_eq!(f.recency_days, vec![25.0, 20.0]); // last purchase on day 10
/// assert_eq!(f.tenure_days, vec![25.0, 30.0]);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn customer_features(
    cols: &TransactionColumns<'_>,
    as_of: DateTime<Utc>,
) -> Result<TransactionFeatures> {
    let n = cols.customer_id.len();
    check_len("at", cols.at.len(), "customer_id", n)?;
    check_len("amount", cols.amount.len(), "customer_id", n)?;
    cols.unit.check_column("at", cols.at)?;
    let as_of = cols.unit.ticks(as_of);
    match cols.amount {
        Amounts::Minor(a) => Ok(aggregate(cols.customer_id, cols.at, a, as_of, cols.unit)),
        Amounts::Decimal(a) => {
            crate::segment::check_values("amount", a)?;
            let f = aggregate(cols.customer_id, cols.at, a, as_of, cols.unit);
            match f.monetary.iter().position(|m| !m.is_finite()) {
                Some(i) => Err(CrmError::invalid(
                    "amount",
                    format_args!("sum {} for customer_id {}", f.monetary[i], f.customer_id[i]),
                    "the customer's amounts add up to more than a 64-bit float holds",
                )),
                None => Ok(f),
            }
        }
    }
}

/// Features and RFM scores from transaction columns in one call.
///
/// # Errors
/// As [`customer_features`] and [`crate::segment::rfm`].
pub fn rfm_from_transactions(
    cols: &TransactionColumns<'_>,
    as_of: DateTime<Utc>,
    config: &RfmConfig,
) -> Result<(TransactionFeatures, Rfm)> {
    let features = customer_features(cols, as_of)?;
    let scores = rfm(
        &features.recency_days,
        &features.frequency_f64(),
        &features.monetary,
        config,
    )?;
    Ok((features, scores))
}

/// The features of the rows up to tick `as_of`.
fn aggregate<A: Money>(
    ids: &[u64],
    at: &[i64],
    amount: &[A],
    as_of: i64,
    unit: TimeUnit,
) -> TransactionFeatures {
    crate::parallel::install(|| aggregate_in_pool(ids, at, amount, as_of, unit))
}

/// [`aggregate`], on crm's worker pool (whose size sets the chunking).
fn aggregate_in_pool<A: Money>(
    ids: &[u64],
    at: &[i64],
    amount: &[A],
    as_of: i64,
    unit: TimeUnit,
) -> TransactionFeatures {
    let n = ids.len();
    let bits = partition_bits(n);
    let parts = 1usize << bits;
    let chunk = n.div_ceil(rayon::current_num_threads().max(1)).max(1);

    // Range partitions when ids spread evenly enough; hashing otherwise.
    let mut by = Partitioner::range(ids, bits);
    let mut hist = histograms(ids, chunk, parts, by);
    let biggest = (0..parts)
        .map(|p| hist.iter().map(|h| h[p]).sum::<usize>())
        .max()
        .unwrap_or(0);
    if parts > 1 && biggest > 8 * n / parts {
        by = Partitioner::Hash { bits };
        hist = histograms(ids, chunk, parts, by);
    }

    let narrow = match by {
        Partitioner::Range { span, .. } => {
            span <= u64::from(u32::MAX) && amount.par_iter().all(|a| a.to_i32().is_some())
        }
        Partitioner::Hash { .. } => false,
    };
    let parts_acc = if narrow {
        let min = by.min();
        scatter_and_aggregate(
            ids,
            at,
            amount,
            hist,
            chunk,
            parts,
            by,
            as_of,
            |id, t, a: A| NarrowRow {
                at: t,
                id: (id - min) as u32,
                amount: a.to_i32().unwrap_or_default(),
            },
        )
    } else {
        scatter_and_aggregate(
            ids,
            at,
            amount,
            hist,
            chunk,
            parts,
            by,
            as_of,
            |id, t, a| Row {
                id,
                at: t,
                amount: a,
            },
        )
    };
    let mut parts_acc = parts_acc;
    if !by.in_id_order() {
        let mut all: Vec<Acc<A>> = parts_acc.into_iter().flatten().collect();
        all.par_sort_unstable_by_key(|a| a.id);
        parts_acc = vec![all];
    }
    columns(&parts_acc, as_of, unit)
}
