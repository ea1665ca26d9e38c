//! Pair completeness of the blocking step: how many true pairs blocking can find at all.
//! Blocking recall is what usually limits a linkage pipeline: a pair that shares no block
//! is never compared, whatever the model.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::MatchRecord;
use super::compare::{block_keys, block_limit};

/// How many of the true pairs blocking reaches ([`pair_completeness`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairCompleteness {
    /// The true pairs given (pairs naming a row past the records are not counted).
    pub true_pairs: usize,
    /// Those whose two records share at least one blocking key.
    pub sharing_a_key: usize,
    /// Those sharing a key whose block has at most `max_block` records: the true pairs
    /// among the candidates [`super::find_duplicates`] compares.
    pub candidates: usize,
}

impl PairCompleteness {
    /// `sharing_a_key / true_pairs` (1 when there are no true pairs).
    pub fn sharing_share(&self) -> f64 {
        share(self.sharing_a_key, self.true_pairs)
    }

    /// `candidates / true_pairs` (1 when there are no true pairs): the recall of the
    /// blocking step.
    pub fn candidate_share(&self) -> f64 {
        share(self.candidates, self.true_pairs)
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Of the true pairs `(row, row)` of `records`, how many share a blocking key, and a key
/// whose block is small enough to be compared under `config` (its
/// [`super::DedupConfig::max_block`]), the records prepared under `config`'s country as
/// [`super::find_duplicates`] prepares them.
///
/// ```
/// use crm_core::quality::{DedupConfig, MatchRecord, pair_completeness};
/// let rec = |given: &str, phone: &str| MatchRecord {
///     given_name: Some(given.into()), surname: Some("Yılmaz".into()),
///     phone: Some(phone.into()), ..MatchRecord::default()
/// };
/// let records = [rec("Ayşe", "05321234567"), rec("Ayşe", "05321234567"), rec("Can", "05559876543")];
/// // The first two share keys; the first and the third share none.
/// let c = pair_completeness(&records, &[(0, 1), (0, 2)], &DedupConfig::default());
/// assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (2, 1, 1));
/// ```
pub fn pair_completeness(
    records: &[MatchRecord],
    true_pairs: &[(usize, usize)],
    config: &super::DedupConfig,
) -> PairCompleteness {
    let max_block = config.max_block;
    let keys: Vec<Vec<u64>> = records
        .iter()
        .map(|r| {
            let mut out = Vec::with_capacity(7);
            block_keys(&r.prepare_for(config.country), &mut out);
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    let mut block_size: FxHashMap<u64, usize> = FxHashMap::default();
    for k in keys.iter().flatten() {
        *block_size.entry(*k).or_default() += 1;
    }
    let mut c = PairCompleteness {
        true_pairs: 0,
        sharing_a_key: 0,
        candidates: 0,
    };
    for &(a, b) in true_pairs {
        let (Some(ka), Some(kb)) = (keys.get(a), keys.get(b)) else {
            continue;
        };
        c.true_pairs += 1;
        let shared: Vec<&u64> = ka.iter().filter(|k| kb.binary_search(k).is_ok()).collect();
        if !shared.is_empty() {
            c.sharing_a_key += 1;
        }
        if shared
            .iter()
            .any(|k| block_size[*k] <= block_limit(**k, max_block))
        {
            c.candidates += 1;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone_only(phone: &str) -> MatchRecord {
        MatchRecord {
            phone: Some(phone.into()),
            ..MatchRecord::default()
        }
    }

    #[test]
    fn a_key_in_an_oversized_block_is_shared_but_not_a_candidate() {
        // Three records with one phone and nothing else: one block of 3.
        let records = [
            phone_only("05321234567"),
            phone_only("05321234567"),
            phone_only("05321234567"),
            phone_only("05559876543"),
        ];
        let pairs = [(0, 1), (2, 3), (0, 9)];
        let c = pair_completeness(&records, &pairs, &max_block(2));
        // (0, 9) names no record and is not counted; (2, 3) shares nothing.
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (2, 1, 0));
        let c = pair_completeness(&records, &pairs, &max_block(3));
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (2, 1, 1));
        assert_eq!(c.candidate_share(), 0.5);
        assert_eq!(
            pair_completeness(&records, &[], &max_block(3)).candidate_share(),
            1.0
        );
    }

    fn max_block(n: usize) -> crate::quality::DedupConfig {
        crate::quality::DedupConfig {
            max_block: n,
            ..Default::default()
        }
    }

    #[test]
    fn the_records_are_prepared_under_the_configs_country() {
        // One Australian number written two ways: the same number under AU's rules (+61 and
        // the trunk 0 dropped: +61261234567 both), so the two share the phone key; under TR's
        // rules the national form 02… is no Turkish number and the two share nothing.
        let records = [phone_only("02 6123 4567"), phone_only("+61 2 6123 4567")];
        let au = crate::quality::DedupConfig::default()
            .with_country(Some("AU"))
            .unwrap();
        let c = pair_completeness(&records, &[(0, 1)], &au);
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (1, 1, 1));
        let c = pair_completeness(&records, &[(0, 1)], &crate::quality::DedupConfig::default());
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (1, 0, 0));
    }
}
