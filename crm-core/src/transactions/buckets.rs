//! The one place in crm-core with `unsafe`: a counting-sort buffer whose slots are written
//! once each, without first being zeroed.
//!
//! Zeroing the scatter buffers first (rows as `[u64; W]` words, `vec![[0; W]; n]`) was
//! slower on the `segmentation/features` bench: 35.9 ms against 30.1 ms at 2,000,000 rows on
//! one thread (best of four on a shared 2-core VM). Reused heap memory must be cleared by
//! `calloc`, an extra pass over every row. The output columns, a tenth of the bytes, are
//! zeroed and split safely. The safe API below keeps the proof local: [`Buckets::finish`]
//! hands out the buffer only when every bucket was filled exactly to its end, which means
//! every slot was written.

use std::mem::MaybeUninit;

/// A buffer of `len` slots cut into consecutive buckets of given sizes, each filled front
/// to back.
pub(super) struct Buckets<R> {
    buf: Vec<R>,
    /// Where each bucket starts; one more entry than buckets, the last being `len`.
    starts: Vec<usize>,
    /// The next free slot of each bucket.
    next: Vec<usize>,
}

impl<R: Copy> Buckets<R> {
    /// Buckets of `counts[p]` slots each.
    pub(super) fn new(counts: &[usize]) -> Self {
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut pos = 0;
        for &count in counts {
            starts.push(pos);
            pos += count;
        }
        starts.push(pos);
        let next = starts[..counts.len()].to_vec();
        Buckets {
            buf: Vec::with_capacity(pos),
            starts,
            next,
        }
    }

    /// Writes `row` to the next slot of bucket `p`.
    ///
    /// # Panics
    /// When the buffer is full (more rows than the counts said, in all).
    #[inline]
    pub(super) fn push(&mut self, p: usize, row: R) {
        let i = self.next[p];
        self.buf.spare_capacity_mut()[i] = MaybeUninit::new(row);
        self.next[p] = i + 1;
    }

    /// The filled buffer and the bucket starts (`starts[p]..starts[p + 1]` is bucket `p`),
    /// or `None` unless every bucket got exactly its count of rows.
    pub(super) fn finish(mut self) -> Option<(Vec<R>, Vec<usize>)> {
        let len = self.starts[self.starts.len() - 1];
        if self.next[..] != self.starts[1..] {
            return None;
        }
        // SAFETY: the buckets cover 0..len one after the other; each bucket's cursor moved
        // one slot at a time from its start to its end (checked just above), writing every
        // slot it passed, so all of 0..len is initialised, and len is the capacity.
        unsafe { self.buf.set_len(len) };
        Some((self.buf, self.starts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_land_in_their_buckets_in_order() {
        let mut b = Buckets::new(&[2, 0, 3]);
        for (p, r) in [(2, 'a'), (0, 'b'), (2, 'c'), (2, 'd'), (0, 'e')] {
            b.push(p, r);
        }
        let (buf, starts) = b.finish().unwrap();
        assert_eq!(buf, ['b', 'e', 'a', 'c', 'd']);
        assert_eq!(starts, [0, 2, 2, 5]);
    }

    #[test]
    fn a_bucket_not_filled_to_its_end_gives_nothing() {
        let mut b = Buckets::new(&[1, 2]);
        b.push(0, 1u8);
        b.push(1, 2u8);
        assert!(b.finish().is_none());
        // Too many in one bucket and too few in another: the totals agree, the buckets not.
        let mut b = Buckets::new(&[1, 1]);
        b.push(0, 1u8);
        b.push(0, 2u8);
        assert!(b.finish().is_none());
    }

    #[test]
    #[should_panic]
    fn more_rows_than_slots_panic() {
        let mut b = Buckets::new(&[1]);
        b.push(0, 1u8);
        b.push(0, 2u8);
    }
}
