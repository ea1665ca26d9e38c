//! The columnar path against hand-worked values and a plain group-by.

use super::*;
use chrono::TimeZone;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[test]
fn bad_columns_are_rejected() {
    let cols = TransactionColumns {
        customer_id: &[1, 2],
        at: &[0],
        unit: TimeUnit::Seconds,
        amount: Amounts::Minor(&[1, 2]),
    };
    let err = customer_features(&cols, far_future()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid at length 1: must equal the length of customer_id (2)"
    );
    let cols = TransactionColumns {
        customer_id: &[1, 2],
        at: &[0, 0],
        unit: TimeUnit::Seconds,
        amount: Amounts::Decimal(&[1.0, f64::INFINITY]),
    };
    let err = customer_features(&cols, far_future()).unwrap_err();
    assert_eq!(err.to_string(), "invalid amount[1] inf: must be finite");
}

#[test]
fn amounts_beyond_i32_take_wide_rows_and_stay_exact() {
    // 3e9 kuruş does not fit an i32: the narrow row layout must not be used.
    let ids: Vec<u64> = (0..200_000u64).map(|i| i % 1_000).collect();
    let at = vec![0i64; ids.len()];
    let amount: Vec<i64> = (0..200_000i64)
        .map(|i| if i == 7 { 3_000_000_000 } else { 1 })
        .collect();
    let cols = TransactionColumns {
        customer_id: &ids,
        at: &at,
        unit: TimeUnit::Seconds,
        amount: Amounts::Minor(&amount),
    };
    let f = customer_features(&cols, far_future()).unwrap();
    assert_eq!(f.len(), 1_000);
    // Customer 7 has 200 rows: 199 of 1 and one of 3e9.
    assert_eq!(f.monetary[7], 3_000_000_199.0);
    assert_eq!(f.monetary[8], 200.0);
}

fn far_future() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Against a plain ordered-map group-by, with enough rows to use many partitions.
    #[test]
    fn matches_a_plain_group_by(
        rows in prop::collection::vec((0u64..300, 0i64..1_000, -50i64..1_000), 0..3_000),
        cut in 0i64..1_100,
        many in any::<bool>(),
        id_mode in 0u8..3,
    ) {
        // Repeat the rows so the partitioned path (more than one partition) runs too.
        let copies = if many { 30 } else { 1 };
        let rows: Vec<(u64, i64, i64)> = (0..copies).flat_map(|_| rows.iter().copied()).collect();
        // Dense ids take the direct slot tables, spread ones hashed range partitions, and
        // a few huge ones force the hash partitioning fallback.
        let ids: Vec<u64> = rows
            .iter()
            .map(|r| match id_mode {
                0 => r.0 + 5,
                1 => r.0 * 1_000_003,
                _ if r.0 % 7 == 0 => u64::MAX - r.0,
                _ => r.0 * 1_000_003,
            })
            .collect();
        let at: Vec<i64> = rows.iter().map(|r| r.1 * 86_400).collect();
        let amount: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let cols = TransactionColumns { customer_id: &ids, at: &at, unit: TimeUnit::Seconds, amount: Amounts::Minor(&amount) };
        let as_of = Utc.timestamp_opt(cut * 86_400, 0).unwrap();
        let f = customer_features(&cols, as_of).unwrap();

        let mut expect: BTreeMap<u64, (u32, i64, i64, i64)> = BTreeMap::new();
        for i in 0..ids.len() {
            if at[i] > cut * 86_400 { continue; }
            let e = expect.entry(ids[i]).or_insert((0, 0, i64::MIN, i64::MAX));
            e.1 += amount[i];
            e.3 = e.3.min(at[i]);
            if amount[i] >= 0 { e.0 += 1; e.2 = e.2.max(at[i]); }
        }
        prop_assert_eq!(f.customer_id.clone(), expect.keys().copied().collect::<Vec<_>>());
        for (row, (_, &(freq, sum, last, first))) in expect.iter().enumerate() {
            prop_assert_eq!(f.frequency[row], freq);
            prop_assert_eq!(f.monetary[row], sum as f64);
            prop_assert_eq!(f.tenure_days[row], (cut * 86_400 - first) as f64 / 86_400.0);
            if freq > 0 {
                prop_assert_eq!(f.recency_days[row], (cut * 86_400 - last) as f64 / 86_400.0);
            } else {
                prop_assert!(f.recency_days[row].is_nan());
            }
        }
    }
}
