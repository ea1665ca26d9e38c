//! Blocking: which pairs of records are compared at all. Records sharing a key form a block;
//! a small block pairs in full, a large one by sorted neighbourhood (each record with the
//! next [`super::DedupConfig::window`] records in [`Prepared::sort_order`]), and a block past
//! [`MAX_BLOCK_CAP`] (or a large name-only block) is dropped.
//!
//! The full limit shrinks as the table grows: keys whose value space does not grow with the
//! table (a city and a birth day, an initial, a Soundex code and a birth month) fill their
//! blocks as n², and at a million customers they gave most of the candidates while adding
//! few true pairs. Tables of up to [`FULL_SIZE`] records keep `max_block` as it is.

use rayon::prelude::*;

use super::compare::{NAME_ONLY, Prepared, block_keys, block_limit};
use super::{DedupConfig, MAX_BLOCK_CAP, MAX_PAIRS};

/// Up to this many records, blocks of up to `max_block` records pair in full.
pub(super) const FULL_SIZE: usize = 200_000;

/// The full limit never shrinks below this many records (or `max_block` when lower).
const MIN_FULL: usize = 8;

/// The largest [`DedupConfig::window`] accepted.
pub const MAX_WINDOW: usize = 32;

/// How the records of one block are paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pairing {
    /// Every two records.
    All,
    /// Each record with the next `window` records in sort order.
    Window,
    /// None: the block is too large (or a name-only block past its limit).
    Drop,
}

/// The tag of a blocking key (which kind of key it is: [`super::compare::block_keys`]
/// writes it into the hash's top 6 bits).
pub(super) fn key_tag(key: u64) -> u8 {
    (key >> 58) as u8
}

/// The most records a block of `key` pairs in full in a table of `n` records:
/// `max_block · √(FULL_SIZE / n)` within [8, `max_block`] (50 up to 200k records, 18 at
/// 1.55M), a tenth of it for a name-only key.
pub(super) fn full_limit(key: u64, n: usize, max_block: usize) -> usize {
    let scaled = if n <= FULL_SIZE {
        max_block
    } else {
        (max_block as f64 * (FULL_SIZE as f64 / n as f64).sqrt()) as usize
    };
    block_limit(key, scaled.clamp(MIN_FULL.min(max_block), max_block))
}

/// How a block of `c` records under `key` pairs in a table of `n` records.
pub(super) fn pairing(key: u64, c: usize, n: usize, config: &DedupConfig) -> Pairing {
    if c <= full_limit(key, n, config.max_block) {
        Pairing::All
    } else if config.window == 0 || c > MAX_BLOCK_CAP || key & NAME_ONLY == NAME_ONLY {
        Pairing::Drop
    } else {
        Pairing::Window
    }
}

/// The pairs a block of `c` records gives under `pairing` with window `w`.
fn pair_count(c: usize, pairing: Pairing, w: usize) -> u64 {
    let c = c as u64;
    match pairing {
        Pairing::All => c * c.saturating_sub(1) / 2,
        Pairing::Window => {
            let w = (w as u64).min(c.saturating_sub(1));
            // Σ_i min(w, c − 1 − i): w each, less the tail's missing partners.
            w * c - w * (w + 1) / 2
        }
        Pairing::Drop => 0,
    }
}

/// The pairs `(low row, high row)` of one block, its rows in sort order when windowed.
fn block_pairs(
    rows: &[(u64, u32)],
    pairing: Pairing,
    w: usize,
) -> impl Iterator<Item = (u32, u32)> + '_ {
    let reach = match pairing {
        Pairing::All => rows.len(),
        Pairing::Window => w,
        Pairing::Drop => 0,
    };
    (0..rows.len()).flat_map(move |i| {
        let end = rows.len().min(i + 1 + reach);
        (i + 1..end).map(move |j| {
            let (a, b) = (rows[i].1, rows[j].1);
            (a.min(b), a.max(b))
        })
    })
}

/// The blocks of a table: `(key, row)` sorted by key, each windowed block's rows by
/// `(sort order, row)`, with the spans of the blocks that pair.
pub(super) struct Blocks {
    keyed: Vec<(u64, u32)>,
    /// `(start, end, pairing)` of each block of two records or more that is not dropped.
    spans: Vec<(usize, usize, Pairing)>,
    window: usize,
}

impl Blocks {
    /// Blocks `prepared` under `config` (its `max_block` and `window`).
    pub(super) fn new(prepared: &[Prepared], config: &DedupConfig) -> Blocks {
        let n = prepared.len();
        let mut keyed: Vec<(u64, u32)> = prepared
            .par_iter()
            .enumerate()
            .fold(Vec::new, |mut out, (row, p)| {
                let mut keys = Vec::with_capacity(24);
                block_keys(p, &mut keys);
                out.extend(keys.into_iter().map(|k| (k, row as u32)));
                out
            })
            .flatten_iter()
            .collect();
        keyed.par_sort_unstable();
        let mut spans = Vec::new();
        let mut start = 0;
        for block in keyed.chunk_by(|a, b| a.0 == b.0) {
            let end = start + block.len();
            if block.len() > 1 {
                let how = pairing(block[0].0, block.len(), n, config);
                if how != Pairing::Drop {
                    spans.push((start, end, how));
                }
            }
            start = end;
        }
        // Windowed blocks in sort order (ties by row), each sorted on its own.
        let mut rest: &mut [(u64, u32)] = &mut keyed;
        let mut offset = 0;
        let mut windowed: Vec<&mut [(u64, u32)]> = Vec::new();
        for &(s, e, how) in &spans {
            if how == Pairing::Window {
                let (_, tail) = std::mem::take(&mut rest).split_at_mut(s - offset);
                let (block, tail) = tail.split_at_mut(e - s);
                windowed.push(block);
                rest = tail;
                offset = e;
            }
        }
        windowed.into_par_iter().for_each(|block| {
            block.sort_by_cached_key(|&(_, row)| (prepared[row as usize].sort_order(), row));
        });
        Blocks {
            keyed,
            spans,
            window: config.window,
        }
    }

    /// The candidate pairs all blocks give, counted before any is built.
    pub(super) fn work(&self) -> u64 {
        self.spans
            .iter()
            .map(|&(s, e, how)| pair_count(e - s, how, self.window))
            .sum()
    }

    /// Each pairing block: its key and its pairs `(low row, high row)` (repeats across
    /// blocks included).
    pub(super) fn each(&self) -> impl Iterator<Item = (u64, Vec<(u32, u32)>)> + '_ {
        self.spans.iter().map(|&(s, e, how)| {
            let rows = &self.keyed[s..e];
            (rows[0].0, block_pairs(rows, how, self.window).collect())
        })
    }

    /// The candidate pairs `(low row, high row)`, sorted and distinct.
    ///
    /// # Errors
    /// Naming `max_block` when the blocks would give more than [`MAX_PAIRS`] pairs.
    pub(super) fn pairs(&self, max_block: usize) -> crate::Result<Vec<(u32, u32)>> {
        let work = self.work();
        if work > MAX_PAIRS {
            return Err(crate::CrmError::invalid(
                "max_block",
                max_block,
                format_args!(
                    "the blocks of these records give {work} candidate pairs, more than \
                     {MAX_PAIRS}: lower max_block"
                ),
            ));
        }
        let mut pairs: Vec<(u32, u32)> = crate::limits::try_vec("pairs", work as usize)?;
        pairs.par_extend(
            self.spans
                .par_iter()
                .flat_map_iter(|&(s, e, how)| block_pairs(&self.keyed[s..e], how, self.window)),
        );
        pairs.par_sort_unstable();
        pairs.dedup();
        Ok(pairs)
    }
}

/// Candidate pairs `(low row, high row)`, sorted and distinct, under `config`'s blocking.
///
/// # Errors
/// Naming `max_block` when the blocks would give more than [`MAX_PAIRS`] pairs.
pub(super) fn candidate_pairs(
    prepared: &[Prepared],
    config: &DedupConfig,
) -> crate::Result<Vec<(u32, u32)>> {
    Blocks::new(prepared, config).pairs(config.max_block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::MatchRecord;
    use proptest::prelude::*;

    fn phone_only(n: usize) -> Vec<Prepared> {
        (0..n)
            .map(|_| {
                MatchRecord {
                    phone: Some("05321234567".into()),
                    ..MatchRecord::default()
                }
                .prepare_for(crate::quality::Country::default())
            })
            .collect()
    }

    fn config(max_block: usize, window: usize) -> DedupConfig {
        DedupConfig {
            max_block,
            window,
            ..DedupConfig::default()
        }
    }

    /// 30 records sharing one phone and nothing else: with max_block 20 the block is
    /// windowed, each row paired with the next 4 (the last 4 rows with 3, 2, 1, 0 after
    /// them): 4·26 + 3 + 2 + 1 = 110 pairs; no window drops it; max_block 30 pairs all 435.
    #[test]
    fn a_large_block_pairs_by_window_by_hand() {
        let p = phone_only(30);
        let windowed = candidate_pairs(&p, &config(20, 4)).unwrap();
        assert_eq!(windowed.len(), 110);
        // Ties in sort order fall back to the row: row i pairs with i+1..=i+4.
        assert!(windowed.contains(&(0, 4)) && !windowed.contains(&(0, 5)));
        assert!(windowed.contains(&(25, 29)) && windowed.contains(&(28, 29)));
        assert!(candidate_pairs(&p, &config(20, 0)).unwrap().is_empty());
        assert_eq!(candidate_pairs(&p, &config(30, 4)).unwrap().len(), 435);
        assert_eq!(pair_count(30, Pairing::Window, 4), 110);
        assert_eq!(pair_count(3, Pairing::Window, 4), 3);
    }

    /// The index pairs a query as the batch pairs a row: in the windowed block of 30
    /// records with one phone, a query that ties with all of them in sort order sorts after
    /// them and meets the last 4; dropped with window 0; all 30 when the block pairs in full.
    #[test]
    fn the_index_takes_the_window_around_the_query() {
        let records: Vec<MatchRecord> = (0..30)
            .map(|_| MatchRecord {
                phone: Some("05321234567".into()),
                ..MatchRecord::default()
            })
            .collect();
        let ids: Vec<u64> = (0..30).collect();
        let query = records[0].clone();
        let index = |max_block, window| {
            super::super::MatchIndex::new(&ids, &records, &config(max_block, window)).unwrap()
        };
        assert_eq!(
            index(20, 4).candidates_in_blocks(&query),
            vec![26, 27, 28, 29]
        );
        assert!(index(20, 0).candidates_in_blocks(&query).is_empty());
        assert_eq!(index(30, 4).candidates_in_blocks(&query), ids);
    }

    /// The full limit: max_block up to 200k records, then max_block·√(200k/n) down to 8.
    #[test]
    fn the_full_limit_shrinks_with_the_table_by_hand() {
        let key = 5u64 << 58; // a plain key: low bit clear
        assert_eq!(full_limit(key, 100_000, 50), 50);
        assert_eq!(full_limit(key, 200_000, 50), 50);
        // 50·√(200,000/800,000) = 25; 50·√(200,000/1,545,082) = 17.99 → 17.
        assert_eq!(full_limit(key, 800_000, 50), 25);
        assert_eq!(full_limit(key, 1_545_082, 50), 17);
        assert_eq!(full_limit(key, 100_000_000, 50), 8);
        assert_eq!(full_limit(key, 100_000_000, 5), 5);
        // A name-only key keeps a tenth.
        assert_eq!(full_limit(key | NAME_ONLY, 800_000, 50), 2);
        assert_eq!(full_limit(key | NAME_ONLY, 100, 50), 5);
        assert_eq!(pairing(key, 1_001, 100, &config(50, 4)), Pairing::Drop);
        assert_eq!(pairing(key, 1_000, 100, &config(50, 4)), Pairing::Window);
        assert_eq!(
            pairing(key | NAME_ONLY, 6, 100, &config(50, 4)),
            Pairing::Drop
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever the block sizes: every candidate pair is distinct and ordered, never a
        /// record with itself, the count matches the work counted before building, and a
        /// window never gives more pairs than full pairing.
        #[test]
        fn windows_give_ordered_pairs_within_the_count(
            phones in proptest::collection::vec(0u8..4, 2..80),
            max_block in 2usize..12,
            window in 0usize..6,
        ) {
            let p: Vec<Prepared> = phones.iter().map(|k| MatchRecord {
                phone: Some(format!("0532123456{k}")),
                ..MatchRecord::default()
            }.prepare_for(crate::quality::Country::default())).collect();
            let blocks = Blocks::new(&p, &config(max_block, window));
            let pairs = blocks.pairs(max_block).unwrap();
            prop_assert!(pairs.iter().all(|&(a, b)| a < b));
            prop_assert!(pairs.windows(2).all(|w| w[0] < w[1]));
            // One key per record here, so blocks do not overlap: no repeats to remove.
            prop_assert_eq!(pairs.len() as u64, blocks.work());
            let full = candidate_pairs(&p, &config(1_000, 0)).unwrap();
            prop_assert!(pairs.iter().all(|x| full.binary_search(x).is_ok()));
        }
    }
}
