//! A flat transaction log (customer id, instant, amount) for benchmarks and for the columnar
//! engines: the shape a data team exports from its order table.

use chrono::{DateTime, Duration, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Pareto};

/// Transaction columns of equal length, in random time order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transactions {
    /// The buying customer (`100_000 + 7·k`, not dense).
    pub customer_id: Vec<u64>,
    /// When.
    pub at: Vec<DateTime<Utc>>,
    /// Amount in minor units; refunds are negative (about 2% of rows).
    pub amount: Vec<i64>,
}

impl Transactions {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }
}

/// `rows` transactions over `customers` customers between `start` and `end`, seeded.
///
/// Each row's customer is drawn with a heavy-tailed weight (Pareto, shape 1.25), so a few
/// customers buy very often and most rarely; amounts are log-normal around a per-customer
/// level. Some customers may get no row at all.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// let end = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
/// let t = crm_core::sample::transactions(1_000, 10_000, 42, start, end);
/// assert_eq!(t.len(), 10_000);
/// assert!(t.at.iter().all(|&at| start <= at && at < end));
/// ```
pub fn transactions(
    customers: usize,
    rows: usize,
    seed: u64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Transactions {
    if customers == 0 || rows == 0 {
        return Transactions::default();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let activity: Pareto<f64> = Pareto::new(1.0, 1.25).expect("valid constants");
    let level = LogNormal::new(10_000f64.ln(), 0.8).expect("valid constants");
    let noise = LogNormal::new(0.0, 0.5).expect("valid constants");
    let mut cumulative = Vec::with_capacity(customers);
    let mut levels = Vec::with_capacity(customers);
    let mut total = 0.0;
    for _ in 0..customers {
        total += activity.sample(&mut rng).min(1_000.0);
        cumulative.push(total);
        levels.push(level.sample(&mut rng));
    }
    let span = (end - start).num_seconds().max(1);
    let mut out = Transactions {
        customer_id: Vec::with_capacity(rows),
        at: Vec::with_capacity(rows),
        amount: Vec::with_capacity(rows),
    };
    for _ in 0..rows {
        let u = rng.random::<f64>() * total;
        let k = cumulative.partition_point(|&c| c <= u).min(customers - 1);
        let mut amount = (levels[k] * noise.sample(&mut rng)).round().max(100.0) as i64;
        if rng.random_bool(0.02) {
            amount = -amount / 2;
        }
        out.customer_id.push(100_000 + 7 * k as u64);
        out.at
            .push(start + Duration::seconds(rng.random_range(0..span)));
        out.amount.push(amount);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashMap;

    #[test]
    fn seeded_heavy_tailed_and_in_range() {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        let a = transactions(5_000, 100_000, 9, start, end);
        assert_eq!(a, transactions(5_000, 100_000, 9, start, end));
        assert_ne!(
            a.amount,
            transactions(5_000, 100_000, 10, start, end).amount
        );
        assert!(a.at.iter().all(|&t| start <= t && t < end));
        let refunds = a.amount.iter().filter(|&&x| x < 0).count() as f64 / a.len() as f64;
        assert!((0.01..0.03).contains(&refunds), "{refunds}");
        // Rows per customer are heavy-tailed: the busiest 20% of customers hold far more
        // than 20% of the rows (Pareto 1.25 puts roughly half or more there).
        let mut rows: HashMap<u64, usize> = HashMap::new();
        for id in &a.customer_id {
            *rows.entry(*id).or_default() += 1;
        }
        let mut counts: Vec<usize> = rows.into_values().collect();
        counts.sort_unstable_by(|x, y| y.cmp(x));
        let top: usize = counts[..1_000].iter().sum();
        assert!(top as f64 / a.len() as f64 > 0.45, "{top}");
    }
}
