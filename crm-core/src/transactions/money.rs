//! The amounts a row can carry, and the two row layouts rows are scattered in.
//!
//! Rows are plain arrays of `u64` words rather than structs: `vec![[0; W]; n]` takes zeroed
//! pages straight from the allocator, so a scatter buffer costs no pass of its own before the
//! scatter writes it, and no row needs to be assumed initialised.

/// Money that can be summed per customer.
pub(super) trait Money: Copy + Send + Sync {
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
pub(super) trait RowRepr<A: Money>: Copy + Send + Sync {
    fn id(&self, min: u64) -> u64;
    fn at(&self) -> i64;
    fn amount(&self) -> A;
}

/// Any row: 24 bytes.
#[derive(Clone, Copy)]
pub(super) struct Row<A> {
    pub(super) id: u64,
    pub(super) at: i64,
    pub(super) amount: A,
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
pub(super) struct NarrowRow {
    pub(super) at: i64,
    /// The id less the smallest id.
    pub(super) id: u32,
    pub(super) amount: i32,
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
