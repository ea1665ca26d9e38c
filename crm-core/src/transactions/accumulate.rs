//! One partition's rows summed per customer: through a direct slot table when the
//! partition's ids are a dense range, through a hash table otherwise.

use rustc_hash::FxHashMap;

use super::money::{Money, RowRepr};

/// One customer's running totals.
#[derive(Clone, Copy)]
pub(super) struct Acc<A: Money> {
    pub(super) id: u64,
    /// The first row (purchase or refund).
    pub(super) first_any: i64,
    /// The first purchase; `i64::MAX` without purchases.
    pub(super) first_purchase: i64,
    /// The last purchase; `i64::MIN` without purchases.
    pub(super) last_purchase: i64,
    pub(super) purchases: u32,
    pub(super) sum: A::Sum,
}

pub(super) fn new_acc<A: Money>(id: u64) -> Acc<A> {
    Acc {
        id,
        first_any: i64::MAX,
        first_purchase: i64::MAX,
        last_purchase: i64::MIN,
        purchases: 0,
        sum: A::ZERO,
    }
}

pub(super) fn add_row<A: Money>(a: &mut Acc<A>, at: i64, amount: A) {
    a.first_any = a.first_any.min(at);
    a.sum = A::add(a.sum, amount);
    if !amount.is_refund() {
        a.purchases += 1;
        a.first_purchase = a.first_purchase.min(at);
        a.last_purchase = a.last_purchase.max(at);
    }
}

/// Aggregates a partition whose ids lie in `base..base + size`, through a slot table indexed
/// by `id − base`; returns the customers in id order.
pub(super) fn aggregate_direct<'r, A: Money, R: RowRepr<A> + 'r>(
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
pub(super) struct Scratch<A: Money> {
    pub(super) slot: Vec<u32>,
    pub(super) accs: Vec<Acc<A>>,
}

/// Aggregates a partition through a hash table; customers in first-seen order.
pub(super) fn aggregate_hashed<'r, A: Money, R: RowRepr<A> + 'r>(
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
