//! Pair completeness of the blocking step: how many true pairs blocking can find at all.
//! Blocking recall is what usually limits a linkage pipeline: a pair that shares no block
//! is never compared, whatever the model.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::MatchRecord;
use super::blocking::{Blocks, key_tag};
use super::compare::{Prepared, block_keys};

/// How many of the true pairs blocking reaches ([`pair_completeness`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairCompleteness {
    /// The true pairs given (pairs naming a row past the records are not counted).
    pub true_pairs: usize,
    /// Those whose two records share at least one blocking key.
    pub sharing_a_key: usize,
    /// The true pairs among the candidates [`super::find_duplicates`] compares (sharing a
    /// block paired in full, or sitting within the window of a larger block).
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

/// Of the true pairs `(row, row)` of `records`, how many share a blocking key, and how many
/// are among the candidates [`super::find_duplicates`] compares under `config` (blocks
/// paired in full or by window: [`super::DedupConfig::max_block`],
/// [`super::DedupConfig::window`]), the records prepared under `config`'s country as
/// there.
///
/// ```
/// use crm_core::quality::{DedupConfig, MatchRecord, pair_completeness};
/// let rec = |given: &str, phone: &str| MatchRecord {
///     given_name: Some(given.into()), surname: Some("Yılmaz".into()),
///     phone: Some(phone.into()), ..MatchRecord::default()
/// };
/// let records = [rec("Ayşe", "05321234567"), rec("Ayşe", "05321234567"), rec("Can", "05559876543")];
/// // The first two share keys; the first and the third share none.
/// let c = pair_completeness(&records, &[(0, 1), (0, 2)], &DedupConfig::default())?;
/// assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (2, 1, 1));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for settings [`super::DedupConfig::validate`]
/// refuses, or naming `max_block` when the blocks give more than [`super::MAX_PAIRS`]
/// candidate pairs (as [`super::find_duplicates`]).
pub fn pair_completeness(
    records: &[MatchRecord],
    true_pairs: &[(usize, usize)],
    config: &super::DedupConfig,
) -> crate::Result<PairCompleteness> {
    config.validate()?;
    crate::parallel::install(|| {
        let prepared = prepare(records, config);
        let candidates = Blocks::new(&prepared, config).pairs(config.max_block)?;
        let keys = sorted_keys(&prepared);
        let mut c = PairCompleteness {
            true_pairs: 0,
            sharing_a_key: 0,
            candidates: 0,
        };
        for (a, b) in in_table(true_pairs, records.len()) {
            c.true_pairs += 1;
            let (ka, kb) = (&keys[a as usize], &keys[b as usize]);
            if ka.iter().any(|k| kb.binary_search(k).is_ok()) {
                c.sharing_a_key += 1;
            }
            if candidates.binary_search(&(a, b)).is_ok() {
                c.candidates += 1;
            }
        }
        Ok(c)
    })
}

/// What one kind of blocking key contributes ([`pair_completeness_by_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyYield {
    /// The key's tag: which values it joins (10 national id, 11 phone, 12 e-mail, 13 the
    /// name alone, 15–24 keys with the birth date, 25–30 keys with the postcode, 31 house
    /// number and surname Soundex; see the README's blocking table).
    pub tag: u8,
    /// Blocks of this key paired (in full or by window).
    pub kept_blocks: usize,
    /// Pairs its blocks give (a pair other keys give too is counted here as well).
    pub pairs: u64,
    /// True pairs among them.
    pub true_pairs: usize,
    /// True pairs no other key reaches.
    pub only_here: usize,
}

/// Pair completeness per kind of blocking key: for each tag with a paired block, the blocks,
/// the pairs they give, the true pairs among them and those only this key reaches (what
/// dropping or tightening the key would cost), by tag. True pairs as in
/// [`pair_completeness`].
///
/// ```
/// use crm_core::quality::{DedupConfig, MatchRecord, pair_completeness_by_key};
/// let phone = |p: &str| MatchRecord { phone: Some(p.into()), ..MatchRecord::default() };
/// let records = [phone("05321234567"), phone("05321234567"), phone("05559876543")];
/// let rows = pair_completeness_by_key(&records, &[(0, 1)], &DedupConfig::default())?;
/// assert_eq!(rows.len(), 1);
/// assert_eq!((rows[0].tag, rows[0].kept_blocks, rows[0].pairs, rows[0].only_here), (11, 1, 1, 1));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
///
/// # Errors
/// As [`pair_completeness`].
pub fn pair_completeness_by_key(
    records: &[MatchRecord],
    true_pairs: &[(usize, usize)],
    config: &super::DedupConfig,
) -> crate::Result<Vec<KeyYield>> {
    config.validate()?;
    crate::parallel::install(|| {
        let prepared = prepare(records, config);
        let blocks = Blocks::new(&prepared, config);
        // The work check of the batch run: a table it refuses is refused here too.
        blocks.pairs(config.max_block)?;
        let mut by_tag: BTreeMap<u8, (usize, Vec<(u32, u32)>)> = BTreeMap::new();
        for (key, pairs) in blocks.each() {
            let entry = by_tag.entry(key_tag(key)).or_default();
            entry.0 += 1;
            entry.1.extend(pairs);
        }
        let mut rows: Vec<(KeyYield, Vec<(u32, u32)>)> = by_tag
            .into_iter()
            .map(|(tag, (kept_blocks, mut pairs))| {
                let given = pairs.len() as u64;
                pairs.sort_unstable();
                pairs.dedup();
                let row = KeyYield {
                    tag,
                    kept_blocks,
                    pairs: given,
                    true_pairs: 0,
                    only_here: 0,
                };
                (row, pairs)
            })
            .collect();
        let mut reached_by = Vec::new();
        for pair in in_table(true_pairs, records.len()) {
            reached_by.clear();
            reached_by.extend((0..rows.len()).filter(|&i| rows[i].1.binary_search(&pair).is_ok()));
            for &i in &reached_by {
                rows[i].0.true_pairs += 1;
            }
            if let [only] = reached_by[..] {
                rows[only].0.only_here += 1;
            }
        }
        Ok(rows.into_iter().map(|(row, _)| row).collect())
    })
}

fn prepare(records: &[MatchRecord], config: &super::DedupConfig) -> Vec<Prepared> {
    records
        .par_iter()
        .map(|r| r.prepare_for(config.country))
        .collect()
}

/// Each record's blocking keys, sorted and distinct.
fn sorted_keys(prepared: &[Prepared]) -> Vec<Vec<u64>> {
    prepared
        .par_iter()
        .map(|p| {
            let mut out = Vec::with_capacity(24);
            block_keys(p, &mut out);
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect()
}

/// The true pairs naming two different rows of the table, as `(low row, high row)`, each
/// once: a pair given both ways round, or twice, counts once, and a row paired with itself
/// (which no blocking can make a candidate) not at all.
fn in_table(pairs: &[(usize, usize)], n: usize) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = pairs
        .iter()
        .filter(|&&(a, b)| a < n && b < n && a != b)
        .map(|&(a, b)| (a.min(b) as u32, a.max(b) as u32))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
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
        let c = pair_completeness(&records, &pairs, &max_block(2, 0)).unwrap();
        // (0, 9) names no record and is not counted; (2, 3) shares nothing.
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (2, 1, 0));
        let c = pair_completeness(&records, &pairs, &max_block(3, 0)).unwrap();
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (2, 1, 1));
        assert_eq!(c.candidate_share(), 0.5);
        // Windowed, the block of 3 pairs rows 0 and 1 (neighbours) with window 1.
        let c = pair_completeness(&records, &pairs, &max_block(2, 1)).unwrap();
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (2, 1, 1));
        let c = pair_completeness(&records, &[(0, 2)], &max_block(2, 1)).unwrap();
        assert_eq!((c.sharing_a_key, c.candidates), (1, 0));
        assert_eq!(
            pair_completeness(&records, &[], &max_block(3, 0))
                .unwrap()
                .candidate_share(),
            1.0
        );
        // A pair given both ways round counts once; a row with itself not at all.
        let c = pair_completeness(&records, &[(0, 1), (1, 0), (2, 2)], &max_block(3, 0)).unwrap();
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (1, 1, 1));
        let bad = pair_completeness(&records, &pairs, &max_block(2, 33)).unwrap_err();
        assert_eq!(bad.field(), Some("window"));
    }

    fn max_block(n: usize, window: usize) -> crate::quality::DedupConfig {
        crate::quality::DedupConfig {
            max_block: n,
            window,
            ..Default::default()
        }
    }

    /// Three records share a phone, two of them also a name and birth date: by tag, the
    /// phone's block gives 3 pairs, the name keys 1 each; the true pair (0, 1) is reached by
    /// every key (only_here 0), the true pair (0, 2) by the phone alone.
    #[test]
    fn yields_by_key_by_hand() {
        let person = |given: &str| MatchRecord {
            given_name: Some(given.into()),
            surname: Some("Quaxworth".into()),
            birth_date: chrono::NaiveDate::from_ymd_opt(1971, 3, 4),
            phone: Some("05321234567".into()),
            ..MatchRecord::default()
        };
        let records = [
            person("Zebulon"),
            person("Zebulon"),
            phone_only("05321234567"),
        ];
        let rows =
            pair_completeness_by_key(&records, &[(0, 1), (2, 0)], &max_block(50, 4)).unwrap();
        let phone = rows.iter().find(|r| r.tag == 11).unwrap();
        assert_eq!(
            (
                phone.kept_blocks,
                phone.pairs,
                phone.true_pairs,
                phone.only_here
            ),
            (1, 3, 2, 1)
        );
        // Given + birth (15), surname + birth (16), name + year (17), name + day (18),
        // initial/Soundex/birth (19, 20), the name alone (13): one pair each.
        for tag in [13, 15, 16, 17, 18, 19, 20] {
            let r = rows.iter().find(|r| r.tag == tag).unwrap();
            assert_eq!(
                (r.kept_blocks, r.pairs, r.true_pairs, r.only_here),
                (1, 1, 1, 0)
            );
        }
        assert_eq!(rows.len(), 8, "{rows:?}");
        let total = pair_completeness(&records, &[(0, 1), (2, 0)], &max_block(50, 4)).unwrap();
        assert_eq!(total.candidates, 2);
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
        let c = pair_completeness(&records, &[(0, 1)], &au).unwrap();
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (1, 1, 1));
        let c = pair_completeness(&records, &[(0, 1)], &crate::quality::DedupConfig::default())
            .unwrap();
        assert_eq!((c.true_pairs, c.sharing_a_key, c.candidates), (1, 0, 0));
    }
}
