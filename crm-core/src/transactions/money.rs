//! The amounts a row can carry, and the two row layouts rows are scattered in.
//!
//! Rows are plain arrays of `u64` words rather than structs: `vec![[0; W]; n]` takes zeroed
//! pages straight from the allocator, so a scatter buffer costs no pass of its own before the
//! scatter writes it, and no row needs to be assumed initialised.

/// Money that can be summed per customer.
pub(super) trait Money: Copy + Send + Sync {
    /// What a customer's amounts are summed in: `i128` for minor units, so that no sum of
    /// `i64` amounts can wrap or saturate (2⁶⁴ rows of `i64::MAX` still fit), and `f64` for
    /// decimals (whose total is checked to be finite afterwards).
    type Sum: Copy + Send + Sync;
    const ZERO: Self::Sum;
    fn add(sum: Self::Sum, amount: Self) -> Self::Sum;
    fn sum_to_f64(sum: Self::Sum) -> f64;
    fn is_refund(self) -> bool;
    /// The amount as an `i32` when that is exact (narrow rows); never for decimals.
    fn to_i32(self) -> Option<i32>;
    fn from_i32(v: i32) -> Self;
}

impl Money for i64 {
    type Sum = i128;
    const ZERO: i128 = 0;
    fn add(sum: i128, amount: i64) -> i128 {
        // Exact: i128 holds 2^64 amounts of i64::MAX, far more rows than memory does.
        sum + i128::from(amount)
    }
    fn sum_to_f64(sum: i128) -> f64 {
        sum as f64
    }
    fn is_refund(self) -> bool {
        self < 0
    }
    fn to_i32(self) -> Option<i32> {
        i32::try_from(self).ok()
    }
    fn from_i32(v: i32) -> Self {
        i64::from(v)
    }
}

impl Money for f64 {
    type Sum = f64;
    const ZERO: f64 = 0.0;
    fn add(sum: f64, amount: f64) -> f64 {
        sum + amount
    }
    fn sum_to_f64(sum: f64) -> f64 {
        sum
    }
    fn is_refund(self) -> bool {
        self < 0.0
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
