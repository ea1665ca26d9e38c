//! Rows scattered into partitions, each thread its own chunk into its own buffer, then every
//! partition aggregated on its own.

use rayon::prelude::*;

use super::accumulate::{Acc, Scratch, aggregate_direct, aggregate_hashed};
use super::buckets::Buckets;
use super::money::{Money, RowRepr};
use super::partition::Partitioner;

/// Scatters the rows (as `R`, built by `make`) into partitions and aggregates each;
/// `hist[t][p]` is the number of rows of chunk `t` (rows `t·chunk..`) in partition `p`.
#[allow(clippy::too_many_arguments)]
pub(super) fn scatter_and_aggregate<A: Money, R: RowRepr<A>>(
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
            let mut buckets = Buckets::new(&h);
            for ((&id, &t), &a) in ids[lo..hi].iter().zip(&at[lo..hi]).zip(&amount[lo..hi]) {
                buckets.push(by.of(id), make(id, t, a));
            }
            // The chunk's histogram counted exactly these rows.
            buckets
                .finish()
                .expect("the histogram counts every row of its chunk")
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
