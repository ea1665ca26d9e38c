//! Shared helpers of the crm benches.

/// The process's peak resident memory in bytes (`VmHWM`), where the platform reports it.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The number from the environment variable `name`, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Bytes as "1.23 GiB".
pub fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// A BTYD summary drawn from known parameters.
#[derive(Debug, Clone)]
pub struct SyntheticClv {
    /// Repeat purchase days.
    pub frequency: Vec<f64>,
    /// First to last purchase, weeks.
    pub recency: Vec<f64>,
    /// First purchase to the end, weeks.
    pub t: Vec<f64>,
    /// Mean spend of the repeat purchases (0 without).
    pub monetary: Vec<f64>,
}

/// `n` customers from BG/NBD r = 0.25, α = 4 (per week), a = 0.8, b = 2.5, first purchases
/// uniform over 52 weeks before the end, purchase instants rounded down to whole days; spend
/// from Gamma-Gamma p = 6, q = 4, v = 15.
pub fn synthetic_clv_customers(n: usize, seed: u64) -> SyntheticClv {
    use rand::{RngExt, SeedableRng};
    use rand_distr::{Beta, Distribution, Exp, Gamma};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let rate = Gamma::new(0.25, 1.0 / 4.0).expect("valid");
    let drop = Beta::new(0.8, 2.5).expect("valid");
    let scale = Gamma::new(4.0, 1.0 / 15.0).expect("valid");
    let mut out = SyntheticClv {
        frequency: Vec::with_capacity(n),
        recency: Vec::with_capacity(n),
        t: Vec::with_capacity(n),
        monetary: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let lambda: f64 = rate.sample(&mut rng);
        let p: f64 = drop.sample(&mut rng);
        let days_observed = rng.random_range(1..=364) as f64;
        let big_t = days_observed / 7.0;
        let (mut t, mut x, mut last) = (0.0f64, 0.0, 0.0);
        let mut last_day = 0.0;
        loop {
            t += Exp::new(lambda.max(1e-9)).expect("valid").sample(&mut rng);
            if t > big_t {
                break;
            }
            let day = (t * 7.0).floor();
            if day > last_day {
                x += 1.0;
                last_day = day;
                last = day / 7.0;
            }
            if rng.random_bool(p) {
                break;
            }
        }
        let nu: f64 = scale.sample(&mut rng);
        let spend = if x > 0.0 {
            let per = Gamma::new(6.0 * x, 1.0 / nu).expect("valid");
            per.sample(&mut rng) / x
        } else {
            0.0
        };
        out.frequency.push(x);
        out.recency.push(last);
        out.t.push(big_t);
        out.monetary.push(spend);
    }
    out
}
