//! Order statistics shared by the segmentation engines.
//!
//! Quantile scores need only k − 1 order statistics, not a full sort, so they are found by
//! successive selection (O(n log k)); ranks for percentile normalisation need a full sort,
//! done in parallel.

use rayon::prelude::*;

/// Quantile scores 1..=k of `values` by rank, ties sharing the lowest rank of their group:
/// with `c(v)` the number of finite values strictly below `v` and `n` the number of finite
/// values, `score(v) = ⌊k·c(v)/n⌋ + 1`. Equal values get equal scores; bins differ in size by
/// at most one (more when ties force it); the extra members of uneven bins go where the
/// fractional boundaries `j·n/k` fall. Non-finite values score 0.
#[cfg(test)]
pub(crate) fn quantile_scores(values: &[f64], k: u8) -> Vec<u8> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let t = thresholds(finite, k);
    values
        .iter()
        .map(|&v| if v.is_finite() { score(v, &t) } else { 0 })
        .collect()
}

/// The score of `v` against [`thresholds`]: 1 + the number of thresholds strictly below it,
/// which is ⌊k·c(v)/n⌋ + 1 (see the tests for the proof by example and by property).
pub(crate) fn score(v: f64, thresholds: &[f64]) -> u8 {
    1 + thresholds.partition_point(|&t| t < v) as u8
}

/// The thresholds `t_j = x_(⌈j·n/k⌉)` (1-based order statistics), j = 1..k−1, of finite
/// values: `c(v) ≥ ⌈j·n/k⌉` exactly when `v > t_j`. Empty input gives no thresholds.
///
/// Only k − 1 order statistics are needed, so they are found by successive selection
/// (O(n log k)), not by sorting.
pub(crate) fn thresholds(mut values: Vec<f64>, k: u8) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(usize::from(k.saturating_sub(1)));
    // After each selection values[..done] are all <= values[done..], so the next order
    // statistic can be selected from values[done..] alone; c is non-decreasing in j.
    let mut done = 0;
    for j in 1..usize::from(k) {
        let pos = (j * n).div_ceil(usize::from(k)) - 1; // ⌈j·n/k⌉, 0-based
        let (_, nth, _) = values[done..].select_nth_unstable_by(pos - done, f64::total_cmp);
        out.push(*nth);
        done = pos;
    }
    out
}

/// [`thresholds`] for small non-negative integers (purchase counts), from a histogram in
/// O(n + max) without copying the values; `None` when some value is not such an integer.
pub(crate) fn integer_thresholds(
    values: impl Iterator<Item = f64> + Clone,
    k: u8,
) -> Option<Vec<f64>> {
    const LIMIT: f64 = (1 << 20) as f64;
    let mut max = 0usize;
    for v in values.clone() {
        if !((0.0..LIMIT).contains(&v) && v.fract() == 0.0) {
            return None;
        }
        max = max.max(v as usize);
    }
    let mut counts = vec![0usize; max + 1];
    let mut n = 0;
    for v in values {
        counts[v as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return Some(Vec::new());
    }
    let mut out = Vec::with_capacity(usize::from(k.saturating_sub(1)));
    let (mut value, mut below_or_at) = (0usize, counts[0]);
    for j in 1..usize::from(k) {
        let c = (j * n).div_ceil(usize::from(k)); // the c-th smallest, 1-based
        while below_or_at < c {
            value += 1;
            below_or_at += counts[value];
        }
        out.push(value as f64);
    }
    Some(out)
}

/// Sorts `0..values.len()` by value, descending, ties by position (stable and deterministic).
pub(crate) fn order_descending(values: &[f64]) -> Vec<u32> {
    // Sorting (value, index) pairs keeps the comparisons in cache, unlike sorting indexes that
    // point into the values.
    let mut pairs: Vec<(f64, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (v, i as u32))
        .collect();
    crate::parallel::install(|| {
        pairs.par_sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    });
    pairs.into_iter().map(|(_, i)| i).collect()
}

/// Percentile rank in [0, 1] of each finite value: the share of the other values strictly
/// below it, c(v) / (n − 1). Ties share the lowest rank of their group (as RFM scores do), so
/// the mass of customers at 0 in a key like co-investment all get 0; the largest value gets
/// 1 when it is unique; a single value gets 0. Non-finite values give `None`.
pub(crate) fn percentile_ranks(values: &[f64]) -> Vec<Option<f64>> {
    let mut pairs: Vec<(f64, u32)> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, &v)| (v, i as u32))
        .collect();
    crate::parallel::install(|| pairs.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0)));
    let n = pairs.len();
    let denominator = (n.max(2) - 1) as f64;
    let mut out = vec![None; values.len()];
    let mut start = 0;
    while start < n {
        let v = pairs[start].0;
        let mut end = start + 1;
        while end < n && pairs[end].0 == v {
            end += 1;
        }
        let rank = start as f64 / denominator;
        for &(_, i) in &pairs[start..end] {
            out[i as usize] = Some(rank);
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seven_values_into_five_bins() {
        // ⌊5·c/7⌋ + 1 for c = 0..6: 1, 1, 2, 3, 3, 4, 5.
        let v = [70.0, 10.0, 30.0, 20.0, 50.0, 40.0, 60.0];
        assert_eq!(quantile_scores(&v, 5), vec![5, 1, 2, 1, 3, 3, 4]);
    }

    #[test]
    fn ties_share_the_lowest_rank() {
        // Sorted: 1, 2, 2, 2, 3, 4. c(2) = 1 → ⌊4·1/6⌋+1 = 1; c(3) = 4 → 3; c(4) = 5 → 4.
        let v = [2.0, 3.0, 2.0, 1.0, 4.0, 2.0];
        assert_eq!(quantile_scores(&v, 4), vec![1, 3, 1, 1, 4, 1]);
        assert_eq!(quantile_scores(&[f64::NAN, 1.0], 5), vec![0, 1]);
        assert_eq!(quantile_scores(&[], 5), Vec::<u8>::new());
    }

    #[test]
    fn percentile_ranks_by_hand() {
        // Sorted 1, 2, 2, 5: values strictly below: 0, 1, 1, 3, over n − 1 = 3.
        let p = percentile_ranks(&[2.0, 5.0, 1.0, 2.0, f64::NAN]);
        assert_eq!(
            p,
            vec![Some(1.0 / 3.0), Some(1.0), Some(0.0), Some(1.0 / 3.0), None]
        );
        assert_eq!(percentile_ranks(&[7.0]), vec![Some(0.0)]);
        assert_eq!(
            percentile_ranks(&[0.0, 0.0, 0.0, 9.0]),
            vec![Some(0.0), Some(0.0), Some(0.0), Some(1.0)]
        );
    }

    #[test]
    fn integer_thresholds_match_selection() {
        let v = [1.0, 1.0, 2.0, 5.0, 1.0, 3.0, 2.0];
        assert_eq!(
            integer_thresholds(v.iter().copied(), 5),
            Some(thresholds(v.to_vec(), 5))
        );
        assert_eq!(integer_thresholds([1.5].into_iter(), 5), None);
    }

    /// The definition, computed the slow way.
    fn by_definition(values: &[f64], k: u8) -> Vec<u8> {
        let n = values.len();
        values
            .iter()
            .map(|&v| {
                let below = values.iter().filter(|&&x| x < v).count();
                ((usize::from(k) * below) / n + 1) as u8
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn scores_match_the_definition(values in prop::collection::vec(0u8..20, 1..60), k in 2u8..10) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let got = quantile_scores(&values, k);
            prop_assert_eq!(&got, &by_definition(&values, k));
            let counted = integer_thresholds(values.iter().copied(), k).unwrap();
            prop_assert_eq!(counted, thresholds(values.clone(), k));
            prop_assert!(got.iter().all(|&s| (1..=k).contains(&s)));
            for (i, a) in values.iter().enumerate() {
                for (j, b) in values.iter().enumerate() {
                    if a == b { prop_assert_eq!(got[i], got[j]); }
                    if a < b { prop_assert!(got[i] <= got[j]); }
                }
            }
        }
    }
}
