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
    /// The amount's 64 bits, for a wide row.
    fn to_bits(self) -> u64;
    /// The inverse of [`Money::to_bits`].
    fn from_bits(bits: u64) -> Self;
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
    fn to_bits(self) -> u64 {
        self as u64
    }
    fn from_bits(bits: u64) -> Self {
        bits as i64
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
    fn to_bits(self) -> u64 {
        f64::to_bits(self)
    }
    fn from_bits(bits: u64) -> Self {
        f64::from_bits(bits)
    }
}

/// A row as scattered into partitions.
pub(super) trait RowRepr<A: Money>: Copy + Send + Sync {
    /// The all-zero row the scatter buffers start from.
    const ZERO: Self;
    fn id(&self, min: u64) -> u64;
    fn at(&self) -> i64;
    fn amount(&self) -> A;
}

/// Any row, 24 bytes: `[id, at, amount bits]`.
pub(super) type Row = [u64; 3];

/// A wide row.
pub(super) fn row<A: Money>(id: u64, at: i64, amount: A) -> Row {
    [id, at as u64, amount.to_bits()]
}

impl<A: Money> RowRepr<A> for Row {
    const ZERO: Self = [0; 3];
    fn id(&self, _min: u64) -> u64 {
        self[0]
    }
    fn at(&self) -> i64 {
        self[1] as i64
    }
    fn amount(&self) -> A {
        A::from_bits(self[2])
    }
}

/// A row whose id fits 32 bits above the smallest id and whose amount fits an `i32` (the
/// usual case for minor units), 16 bytes, so a third less to write, read and page in:
/// `[at, (id − min) | amount << 32]`.
pub(super) type NarrowRow = [u64; 2];

/// A narrow row; `id_above_min` is the id less the smallest id.
pub(super) fn narrow_row(id_above_min: u32, at: i64, amount: i32) -> NarrowRow {
    [
        at as u64,
        u64::from(id_above_min) | (u64::from(amount as u32) << 32),
    ]
}

impl<A: Money> RowRepr<A> for NarrowRow {
    const ZERO: Self = [0; 2];
    fn id(&self, min: u64) -> u64 {
        min + (self[1] & 0xFFFF_FFFF)
    }
    fn at(&self) -> i64 {
        self[0] as i64
    }
    fn amount(&self) -> A {
        A::from_i32((self[1] >> 32) as u32 as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_give_back_what_went_in() {
        let n = narrow_row(u32::MAX, -5, i32::MIN);
        assert_eq!(RowRepr::<i64>::id(&n, 10), 10 + u64::from(u32::MAX));
        assert_eq!(RowRepr::<i64>::at(&n), -5);
        assert_eq!(RowRepr::<i64>::amount(&n), i64::from(i32::MIN));
        let n = narrow_row(7, i64::MAX, -1);
        assert_eq!(RowRepr::<i64>::id(&n, 0), 7);
        assert_eq!(RowRepr::<i64>::at(&n), i64::MAX);
        assert_eq!(RowRepr::<i64>::amount(&n), -1);
        let w = row(u64::MAX, i64::MIN, -2.5f64);
        assert_eq!(RowRepr::<f64>::id(&w, 99), u64::MAX);
        assert_eq!(RowRepr::<f64>::at(&w), i64::MIN);
        assert_eq!(RowRepr::<f64>::amount(&w), -2.5);
        let w = row(3, 0, -3_000_000_000i64);
        assert_eq!(RowRepr::<i64>::amount(&w), -3_000_000_000);
    }
}
