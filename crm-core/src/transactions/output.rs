//! The output columns, written in parallel: each partition's customers go to their own
//! range of every column, split off with `split_at_mut`.

use rayon::prelude::*;

use super::accumulate::Acc;
use super::money::Money;
use crate::features::{Activity, TransactionFeatures};
use crate::time::{TimeUnit, days_between_ticks};

/// `column` cut into consecutive pieces of the given lengths.
fn split<'a, T>(mut column: &'a mut [T], lens: &[usize]) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(lens.len());
    for &len in lens {
        let (head, tail) = column.split_at_mut(len);
        out.push(head);
        column = tail;
    }
    out
}

/// The features of every customer of `parts`, in partition order, as of tick `as_of`.
pub(super) fn columns<A: Money>(
    parts: &[Vec<Acc<A>>],
    as_of: i64,
    unit: TimeUnit,
) -> TransactionFeatures {
    let lens: Vec<usize> = parts.iter().map(Vec::len).collect();
    let total = lens.iter().sum();
    // Zeroed columns come as untouched pages from the allocator: the writes below are the
    // first pass over them.
    let mut out = TransactionFeatures {
        customer_id: vec![0; total],
        recency_days: vec![0.0; total],
        frequency: vec![0; total],
        monetary: vec![0.0; total],
        tenure_days: vec![0.0; total],
        intensity: vec![0.0; total],
    };
    let per_day = unit.per_day();
    let days = |from: i64, to: i64| days_between_ticks(from, to, per_day);
    let pieces = split(&mut out.customer_id, &lens)
        .into_iter()
        .zip(split(&mut out.recency_days, &lens))
        .zip(split(&mut out.frequency, &lens))
        .zip(split(&mut out.monetary, &lens))
        .zip(split(&mut out.tenure_days, &lens))
        .zip(split(&mut out.intensity, &lens))
        .zip(parts)
        .collect::<Vec<_>>();
    pieces.into_par_iter().for_each(
        |((((((ids, recency), frequency), monetary), tenure), intensity), accs)| {
            for (k, a) in accs.iter().enumerate() {
                let bought = a.purchases > 0;
                let f = Activity {
                    purchases: a.purchases,
                    first_purchase: bought.then_some(a.first_purchase),
                    last_purchase: bought.then_some(a.last_purchase),
                    start: Some(a.first_any),
                }
                .features(as_of, days);
                ids[k] = a.id;
                recency[k] = f.recency_days;
                frequency[k] = a.purchases;
                monetary[k] = A::sum_to_f64(a.sum);
                tenure[k] = f.tenure_days;
                intensity[k] = f.intensity;
            }
        },
    );
    out
}
