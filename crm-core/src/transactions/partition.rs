//! How rows are sent to partitions: by id range when ids spread evenly enough, by hash
//! otherwise; and how many rows each thread sends to each partition.

use rayon::prelude::*;

pub(super) fn partition_bits(rows: usize) -> u32 {
    // About 40,000 rows a partition: its hash table and accumulators stay in L2.
    let parts = (rows / 40_000).clamp(1, 1024).next_power_of_two();
    parts.trailing_zeros()
}

/// How rows are sent to partitions.
#[derive(Clone, Copy)]
pub(super) enum Partitioner {
    /// By id range: `(id − min) >> shift`. Concatenating the partitions, each sorted, sorts
    /// the whole output, so no global sort is needed.
    Range { min: u64, span: u64, shift: u32 },
    /// By Fibonacci hash of the id (top `bits` bits of id·φ), for ids too skewed for ranges.
    Hash { bits: u32 },
}

impl Partitioner {
    /// Whether partitions, each sorted, concatenate into id order (range partitions).
    pub(super) fn in_id_order(self) -> bool {
        matches!(self, Partitioner::Range { .. })
    }

    /// The smallest id for range partitions (narrow rows store ids above it), else 0.
    pub(super) fn min(self) -> u64 {
        match self {
            Partitioner::Range { min, .. } => min,
            Partitioner::Hash { .. } => 0,
        }
    }

    pub(super) fn of(self, id: u64) -> usize {
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

    pub(super) fn range(ids: &[u64], bits: u32) -> Self {
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
pub(super) fn histograms(
    ids: &[u64],
    chunk: usize,
    parts: usize,
    by: Partitioner,
) -> Vec<Vec<usize>> {
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
