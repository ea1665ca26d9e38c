//! Per-customer features straight from transaction columns (customer id, instant, amount):
//! the data team's path, without a book.
//!
//! Rows are grouped by hashing the customer id into partitions small enough for the cache,
//! then each partition is aggregated on its own thread: a hash group-by over millions of
//! rows would otherwise miss the cache on nearly every row.

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::segment::{Rfm, RfmConfig, check_len, rfm};

/// The unit of integer instants: ticks since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
    /// Microseconds (polars' default `Datetime` unit).
    Microseconds,
    /// Nanoseconds (numpy/pandas `datetime64[ns]`).
    #[default]
    Nanoseconds,
}

impl TimeUnit {
    /// Ticks per day.
    pub fn per_day(self) -> f64 {
        86_400.0 * self.per_second() as f64
    }

    /// Ticks per second.
    pub fn per_second(self) -> i64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Milliseconds => 1_000,
            TimeUnit::Microseconds => 1_000_000,
            TimeUnit::Nanoseconds => 1_000_000_000,
        }
    }

    /// The instant `ticks` of this unit after the epoch (the inverse of
    /// [`TimeUnit::ticks`]); instants beyond chrono's range clamp to the epoch.
    pub fn instant(self, ticks: i64) -> DateTime<Utc> {
        let per = self.per_second();
        let nanos = (ticks.rem_euclid(per) * (1_000_000_000 / per)) as u32;
        DateTime::from_timestamp(ticks.div_euclid(per), nanos).unwrap_or_default()
    }

    /// `at` as ticks of this unit (saturating far outside ±292 years for nanoseconds).
    pub fn ticks(self, at: DateTime<Utc>) -> i64 {
        match self {
            TimeUnit::Seconds => at.timestamp(),
            TimeUnit::Milliseconds => at.timestamp_millis(),
            TimeUnit::Microseconds => at.timestamp_micros(),
            TimeUnit::Nanoseconds => at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
        }
    }
}

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

/// Per-customer features from transactions, sorted by customer id. Rows after `as_of` are
/// ignored; customers with no row up to `as_of` do not appear.
///
/// - `recency_days`: from the last purchase (a row with amount ≥ 0) to `as_of`; NaN for a
///   customer with refunds only.
/// - `frequency`: purchases (rows with amount ≥ 0).
/// - `monetary`: the sum of all amounts (purchases minus refunds), in the input's unit.
/// - `tenure_days`: from the customer's first row to `as_of`.
/// - `intensity`: purchases per active month, as in [`crate::book::Features`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TransactionFeatures {
    /// Customer ids, ascending.
    pub customer_id: Vec<u64>,
    /// Days since the last purchase.
    pub recency_days: Vec<f64>,
    /// Number of purchases.
    pub frequency: Vec<u32>,
    /// Net amount.
    pub monetary: Vec<f64>,
    /// Days since the first row.
    pub tenure_days: Vec<f64>,
    /// Purchases per active month.
    pub intensity: Vec<f64>,
}

impl TransactionFeatures {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }

    /// True without customers.
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }

    /// `frequency` as floats, the form the engines take.
    pub fn frequency_f64(&self) -> Vec<f64> {
        self.frequency.iter().map(|&f| f64::from(f)).collect()
    }
}

/// Money that can be summed per customer.
trait Money: Copy + Send + Sync {
    const ZERO: Self;
    fn add(self, other: Self) -> Self;
    fn is_refund(self) -> bool;
    fn to_f64(self) -> f64;
    /// The amount as an `i32` when that is exact (narrow rows); never for decimals.
    fn to_i32(self) -> Option<i32>;
    fn from_i32(v: i32) -> Self;
}

impl Money for i64 {
    const ZERO: Self = 0;
    fn add(self, other: Self) -> Self {
        // Minor units: i64 overflows only past 92 quadrillion lira.
        self.saturating_add(other)
    }
    fn is_refund(self) -> bool {
        self < 0
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_i32(self) -> Option<i32> {
        i32::try_from(self).ok()
    }
    fn from_i32(v: i32) -> Self {
        i64::from(v)
    }
}

impl Money for f64 {
    const ZERO: Self = 0.0;
    fn add(self, other: Self) -> Self {
        self + other
    }
    fn is_refund(self) -> bool {
        self < 0.0
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn to_i32(self) -> Option<i32> {
        None
    }
    fn from_i32(v: i32) -> Self {
        f64::from(v)
    }
}

/// A row as scattered into partitions.
trait RowRepr<A: Money>: Copy + Send + Sync {
    fn id(&self, min: u64) -> u64;
    fn at(&self) -> i64;
    fn amount(&self) -> A;
}

/// Any row: 24 bytes.
#[derive(Clone, Copy)]
struct Row<A> {
    id: u64,
    at: i64,
    amount: A,
}

impl<A: Money> RowRepr<A> for Row<A> {
    fn id(&self, _min: u64) -> u64 {
        self.id
    }
    fn at(&self) -> i64 {
        self.at
    }
    fn amount(&self) -> A {
        self.amount
    }
}

/// A row whose id fits 32 bits above the smallest id and whose amount fits an `i32` (the
/// usual case for minor units): 16 bytes, so a third less to write, read and page in.
#[derive(Clone, Copy)]
struct NarrowRow {
    at: i64,
    id: u32,
    amount: i32,
}

impl<A: Money> RowRepr<A> for NarrowRow {
    fn id(&self, min: u64) -> u64 {
        min + u64::from(self.id)
    }
    fn at(&self) -> i64 {
        self.at
    }
    fn amount(&self) -> A {
        A::from_i32(self.amount)
    }
}

#[derive(Clone, Copy)]
struct Acc<A> {
    id: u64,
    first_any: i64,
    first_purchase: i64,
    last_purchase: i64,
    purchases: u32,
    sum: A,
}

/// Per-customer features from transaction columns as of `as_of`.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for columns of different lengths or a non-finite
/// decimal amount (naming its row).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::transactions::{customer_features, Amounts, TimeUnit, TransactionColumns};
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
    let as_of = cols.unit.ticks(as_of);
    match cols.amount {
        Amounts::Minor(a) => Ok(aggregate(cols.customer_id, cols.at, a, as_of, cols.unit)),
        Amounts::Decimal(a) => {
            crate::segment::check_values("amount", a)?;
            Ok(aggregate(cols.customer_id, cols.at, a, as_of, cols.unit))
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

fn partition_bits(rows: usize) -> u32 {
    // About 40,000 rows a partition: its hash table and accumulators stay in L2.
    let parts = (rows / 40_000).clamp(1, 1024).next_power_of_two();
    parts.trailing_zeros()
}

/// How rows are sent to partitions.
#[derive(Clone, Copy)]
enum Partitioner {
    /// By id range: `(id − min) >> shift`. Concatenating the partitions, each sorted, sorts
    /// the whole output, so no global sort is needed.
    Range { min: u64, span: u64, shift: u32 },
    /// By Fibonacci hash of the id (top `bits` bits of id·φ), for ids too skewed for ranges.
    Hash { bits: u32 },
}

impl Partitioner {
    /// Whether partitions, each sorted, concatenate into id order (range partitions).
    fn in_id_order(self) -> bool {
        matches!(self, Partitioner::Range { .. })
    }

    /// The smallest id for range partitions (narrow rows store ids above it), else 0.
    fn min(self) -> u64 {
        match self {
            Partitioner::Range { min, .. } => min,
            Partitioner::Hash { .. } => 0,
        }
    }

    fn of(self, id: u64) -> usize {
        match self {
            Partitioner::Range { min, shift, .. } => {
                (id - min).checked_shr(shift).unwrap_or(0) as usize
            }
            Partitioner::Hash { bits: 0 } => 0,
            Partitioner::Hash { bits } => {
                (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
            }
        }
    }

    fn range(ids: &[u64], bits: u32) -> Self {
        let (min, max) = ids
            .par_iter()
            .fold(|| (u64::MAX, 0), |(lo, hi), &id| (lo.min(id), hi.max(id)))
            .reduce(|| (u64::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
        let span = max.saturating_sub(min);
        let span_bits = 64 - span.leading_zeros();
        Partitioner::Range {
            min: min.min(max),
            span,
            shift: span_bits.saturating_sub(bits),
        }
    }
}

/// Per-thread histograms of partition sizes over contiguous chunks of `ids`.
fn histograms(ids: &[u64], chunk: usize, parts: usize, by: Partitioner) -> Vec<Vec<usize>> {
    ids.par_chunks(chunk)
        .map(|c| {
            let mut h = vec![0usize; parts];
            for &id in c {
                h[by.of(id)] += 1;
            }
            h
        })
        .collect()
}

fn new_acc<A: Money>(id: u64) -> Acc<A> {
    Acc {
        id,
        first_any: i64::MAX,
        first_purchase: i64::MAX,
        last_purchase: i64::MIN,
        purchases: 0,
        sum: A::ZERO,
    }
}

fn add_row<A: Money>(a: &mut Acc<A>, at: i64, amount: A) {
    a.first_any = a.first_any.min(at);
    a.sum = a.sum.add(amount);
    if !amount.is_refund() {
        a.purchases += 1;
        a.first_purchase = a.first_purchase.min(at);
        a.last_purchase = a.last_purchase.max(at);
    }
}

/// Aggregates a partition whose ids lie in `base..base + size`, through a slot table indexed
/// by `id − base`; returns the customers in id order.
fn aggregate_direct<'r, A: Money, R: RowRepr<A> + 'r>(
    part: impl Iterator<Item = &'r R>,
    scratch: &mut Scratch<A>,
    min: u64,
    base: u64,
    size: usize,
    as_of: i64,
) -> Vec<Acc<A>> {
    // The slot table and the accumulators are reused across a thread's partitions: fresh
    // ones for each of hundreds of partitions cost more in page faults than the counting.
    if scratch.slot.len() < size {
        scratch.slot.resize(size, u32::MAX);
    }
    let slot = &mut scratch.slot[..size];
    let accs = &mut scratch.accs;
    accs.clear();
    for r in part {
        if r.at() > as_of {
            continue;
        }
        let id = r.id(min);
        let s = &mut slot[(id - base) as usize];
        if *s == u32::MAX {
            *s = accs.len() as u32;
            accs.push(new_acc(id));
        }
        add_row(&mut accs[*s as usize], r.at(), r.amount());
    }
    let mut out = Vec::with_capacity(accs.len());
    for s in slot.iter_mut().filter(|s| **s != u32::MAX) {
        out.push(accs[*s as usize]);
        *s = u32::MAX;
    }
    out
}

/// Per-thread buffers of the direct aggregation.
struct Scratch<A> {
    slot: Vec<u32>,
    accs: Vec<Acc<A>>,
}

/// Aggregates a partition through a hash table; customers in first-seen order.
fn aggregate_hashed<'r, A: Money, R: RowRepr<A> + 'r>(
    part: impl Iterator<Item = &'r R>,
    len: usize,
    min: u64,
    as_of: i64,
) -> Vec<Acc<A>> {
    let mut slot: FxHashMap<u64, u32> = FxHashMap::default();
    slot.reserve(len / 8);
    let mut accs: Vec<Acc<A>> = Vec::with_capacity(len / 8);
    for r in part {
        if r.at() > as_of {
            continue;
        }
        let id = r.id(min);
        let i = *slot.entry(id).or_insert_with(|| {
            accs.push(new_acc(id));
            (accs.len() - 1) as u32
        });
        add_row(&mut accs[i as usize], r.at(), r.amount());
    }
    accs
}

/// A pointer that threads may share because each writes only its own disjoint slots.
struct SharedSlots<T>(*mut T);

// SAFETY: `columns` gives every partition its own disjoint range of each output column, so
// no slot is written by two threads, and the vectors are not read until every thread is done.
unsafe impl<T: Send> Sync for SharedSlots<T> {}

/// Scatters the rows (as `R`) into partitions, each thread its own chunk into its own
/// buffer, then aggregates every partition on its own.
#[allow(clippy::too_many_arguments)]
fn scatter_and_aggregate<A: Money, R: RowRepr<A>>(
    ids: &[u64],
    at: &[i64],
    amount: &[A],
    hist: Vec<Vec<usize>>,
    chunk: usize,
    parts: usize,
    by: Partitioner,
    as_of: i64,
    make: impl Fn(u64, i64, A) -> R + Sync,
) -> Vec<Vec<Acc<A>>> {
    let n = ids.len();
    // Each thread scatters its own chunk into its own buffer, partition by partition; a
    // partition is then its segments of every buffer in chunk order, which keeps row order.
    let buffers: Vec<(Vec<R>, Vec<usize>)> = hist
        .into_par_iter()
        .enumerate()
        .map(|(t, h)| {
            let lo = t * chunk;
            let hi = (lo + chunk).min(n);
            let mut starts = Vec::with_capacity(parts + 1);
            let mut pos = 0;
            for &count in &h {
                starts.push(pos);
                pos += count;
            }
            starts.push(pos);
            let mut next = starts.clone();
            let mut buf: Vec<R> = Vec::with_capacity(hi - lo);
            let spare = buf.spare_capacity_mut();
            for i in lo..hi {
                let p = by.of(ids[i]);
                spare[next[p]].write(make(ids[i], at[i], amount[i]));
                next[p] += 1;
            }
            // SAFETY: the chunk's histogram gave each of its rows one slot of 0..hi-lo and the
            // loop wrote every slot exactly once.
            unsafe { buf.set_len(hi - lo) };
            (buf, starts)
        })
        .collect();
    let rows_of = |p: usize| {
        buffers
            .iter()
            .flat_map(move |(buf, starts)| &buf[starts[p]..starts[p + 1]])
    };

    let parts_acc: Vec<Vec<Acc<A>>> = (0..parts)
        .into_par_iter()
        .map_init(
            || Scratch {
                slot: Vec::new(),
                accs: Vec::new(),
            },
            |scratch, p| {
                let len: usize = buffers.iter().map(|(_, st)| st[p + 1] - st[p]).sum();
                let part = rows_of(p);
                match by {
                    // A dense id range: a direct slot table beats hashing and yields id order.
                    Partitioner::Range { min, shift, .. }
                        if shift < 31 && (1usize << shift) <= (8 * len).max(1 << 16) =>
                    {
                        let base = min + ((p as u64) << shift);
                        aggregate_direct(part, scratch, min, base, 1usize << shift, as_of)
                    }
                    _ => {
                        let min = by.min();
                        let mut accs = aggregate_hashed(part, len, min, as_of);
                        if by.in_id_order() {
                            accs.sort_unstable_by_key(|a| a.id);
                        }
                        accs
                    }
                }
            },
        )
        .collect();
    drop(buffers);
    parts_acc
}

fn aggregate<A: Money>(
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

/// The output columns, written in parallel: each partition's customers go to their own
/// range of every column.
fn columns<A: Money>(parts: &[Vec<Acc<A>>], as_of: i64, unit: TimeUnit) -> TransactionFeatures {
    let mut offsets = Vec::with_capacity(parts.len());
    let mut total = 0;
    for p in parts {
        offsets.push(total);
        total += p.len();
    }
    let mut out = TransactionFeatures {
        customer_id: Vec::with_capacity(total),
        recency_days: Vec::with_capacity(total),
        frequency: Vec::with_capacity(total),
        monetary: Vec::with_capacity(total),
        tenure_days: Vec::with_capacity(total),
        intensity: Vec::with_capacity(total),
    };
    let ids = SharedSlots(out.customer_id.as_mut_ptr());
    let recency = SharedSlots(out.recency_days.as_mut_ptr());
    let frequency = SharedSlots(out.frequency.as_mut_ptr());
    let monetary = SharedSlots(out.monetary.as_mut_ptr());
    let tenure = SharedSlots(out.tenure_days.as_mut_ptr());
    let intensity = SharedSlots(out.intensity.as_mut_ptr());
    let per_day = unit.per_day();
    // Subtract in integers first: nanosecond instants lose precision as f64.
    let days = |from: i64, to: i64| to.saturating_sub(from) as f64 / per_day;
    const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;
    parts.par_iter().zip(&offsets).for_each(|(accs, &offset)| {
        let (ids, recency, frequency, monetary, tenure, intensity) =
            (&ids, &recency, &frequency, &monetary, &tenure, &intensity);
        for (k, a) in accs.iter().enumerate() {
            let (r, i) = if a.purchases > 0 {
                let months = (days(a.first_purchase, a.last_purchase) / DAYS_PER_MONTH).max(1.0);
                (
                    days(a.last_purchase, as_of),
                    f64::from(a.purchases) / months,
                )
            } else {
                (f64::NAN, 0.0)
            };
            // SAFETY: partitions own disjoint ranges offset..offset + len of every column,
            // all below `total`, the columns' capacity (see `SharedSlots`).
            unsafe {
                let at = offset + k;
                ids.0.add(at).write(a.id);
                recency.0.add(at).write(r);
                frequency.0.add(at).write(a.purchases);
                monetary.0.add(at).write(a.sum.to_f64());
                tenure.0.add(at).write(days(a.first_any, as_of));
                intensity.0.add(at).write(i);
            }
        }
    });
    // SAFETY: every index below `total` of every column was written above.
    unsafe {
        out.customer_id.set_len(total);
        out.recency_days.set_len(total);
        out.frequency.set_len(total);
        out.monetary.set_len(total);
        out.tenure_days.set_len(total);
        out.intensity.set_len(total);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn time_units() {
        // 1 ms before the epoch, in microseconds: second -1 plus 999 ms.
        assert_eq!(
            TimeUnit::Microseconds.instant(-1_000),
            Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap()
                + chrono::Duration::milliseconds(999)
        );
        let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        for unit in [
            TimeUnit::Seconds,
            TimeUnit::Milliseconds,
            TimeUnit::Microseconds,
            TimeUnit::Nanoseconds,
        ] {
            assert_eq!(unit.instant(unit.ticks(t)), t);
        }
        assert_eq!(TimeUnit::Seconds.ticks(t), 1_704_067_200);
        assert_eq!(TimeUnit::Nanoseconds.ticks(t), 1_704_067_200_000_000_000);
        assert_eq!(TimeUnit::Microseconds.per_day(), 86_400e6);
    }

    #[test]
    fn bad_columns_are_rejected() {
        let cols = TransactionColumns {
            customer_id: &[1, 2],
            at: &[0],
            unit: TimeUnit::Seconds,
            amount: Amounts::Minor(&[1, 2]),
        };
        let err = customer_features(&cols, far_future()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid at length 1: must equal the length of customer_id (2)"
        );
        let cols = TransactionColumns {
            customer_id: &[1, 2],
            at: &[0, 0],
            unit: TimeUnit::Seconds,
            amount: Amounts::Decimal(&[1.0, f64::INFINITY]),
        };
        let err = customer_features(&cols, far_future()).unwrap_err();
        assert_eq!(err.to_string(), "invalid amount[1] inf: must be finite");
    }

    #[test]
    fn amounts_beyond_i32_take_wide_rows_and_stay_exact() {
        // 3e9 kuruş does not fit an i32: the narrow row layout must not be used.
        let ids: Vec<u64> = (0..200_000u64).map(|i| i % 1_000).collect();
        let at = vec![0i64; ids.len()];
        let amount: Vec<i64> = (0..200_000i64)
            .map(|i| if i == 7 { 3_000_000_000 } else { 1 })
            .collect();
        let cols = TransactionColumns {
            customer_id: &ids,
            at: &at,
            unit: TimeUnit::Seconds,
            amount: Amounts::Minor(&amount),
        };
        let f = customer_features(&cols, far_future()).unwrap();
        assert_eq!(f.len(), 1_000);
        // Customer 7 has 200 rows: 199 of 1 and one of 3e9.
        assert_eq!(f.monetary[7], 3_000_000_199.0);
        assert_eq!(f.monetary[8], 200.0);
    }

    fn far_future() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Against a plain ordered-map group-by, with enough rows to use many partitions.
        #[test]
        fn matches_a_plain_group_by(
            rows in prop::collection::vec((0u64..300, 0i64..1_000, -50i64..1_000), 0..3_000),
            cut in 0i64..1_100,
            many in any::<bool>(),
            id_mode in 0u8..3,
        ) {
            // Repeat the rows so the partitioned path (more than one partition) runs too.
            let copies = if many { 30 } else { 1 };
            let rows: Vec<(u64, i64, i64)> = (0..copies).flat_map(|_| rows.iter().copied()).collect();
            // Dense ids take the direct slot tables, spread ones hashed range partitions, and
            // a few huge ones force the hash partitioning fallback.
            let ids: Vec<u64> = rows
                .iter()
                .map(|r| match id_mode {
                    0 => r.0 + 5,
                    1 => r.0 * 1_000_003,
                    _ if r.0 % 7 == 0 => u64::MAX - r.0,
                    _ => r.0 * 1_000_003,
                })
                .collect();
            let at: Vec<i64> = rows.iter().map(|r| r.1 * 86_400).collect();
            let amount: Vec<i64> = rows.iter().map(|r| r.2).collect();
            let cols = TransactionColumns { customer_id: &ids, at: &at, unit: TimeUnit::Seconds, amount: Amounts::Minor(&amount) };
            let as_of = Utc.timestamp_opt(cut * 86_400, 0).unwrap();
            let f = customer_features(&cols, as_of).unwrap();

            let mut expect: BTreeMap<u64, (u32, i64, i64, i64)> = BTreeMap::new();
            for i in 0..ids.len() {
                if at[i] > cut * 86_400 { continue; }
                let e = expect.entry(ids[i]).or_insert((0, 0, i64::MIN, i64::MAX));
                e.1 += amount[i];
                e.3 = e.3.min(at[i]);
                if amount[i] >= 0 { e.0 += 1; e.2 = e.2.max(at[i]); }
            }
            prop_assert_eq!(f.customer_id.clone(), expect.keys().copied().collect::<Vec<_>>());
            for (row, (_, &(freq, sum, last, first))) in expect.iter().enumerate() {
                prop_assert_eq!(f.frequency[row], freq);
                prop_assert_eq!(f.monetary[row], sum as f64);
                prop_assert_eq!(f.tenure_days[row], (cut * 86_400 - first) as f64 / 86_400.0);
                if freq > 0 {
                    prop_assert_eq!(f.recency_days[row], (cut * 86_400 - last) as f64 / 86_400.0);
                } else {
                    prop_assert!(f.recency_days[row].is_nan());
                }
            }
        }
    }
}
