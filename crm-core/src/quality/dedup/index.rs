//! Duplicate prevention at the point of entry: the records of a table, indexed by blocking
//! key, with the model fitted on them, so that one new or edited record is scored against
//! its few candidates instead of the whole table.
//!
//! The index scores with the batch fit's m and u but its own prior. The batch prior λ is the
//! share of the table's pairs that match: it measures how many duplicates the table *still
//! holds*, and on a cleaned book (after a merge, or a book that never had any) EM drives it to
//! nothing, so a customer typed in again would need evidence no record can give. The question
//! at entry is another one: how likely is the record typed in to be a given customer of the
//! book? With no opinion whether the person at the counter is new or known
//! ([`ENTRY_SHARE`], even odds) and each of the `n` customers equally likely, that is
//! `ENTRY_SHARE / n` a pair — never below the batch λ, so every pair the batch run reports
//! is reported at entry too. m falls back by itself where EM has too few matches to learn it:
//! the fit starts from the generic [`super::DEFAULT_M`] and weighs it as 20 pairs, so a
//! book without matches keeps those values.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::blocking::{Pairing, pairing};
use super::compare::{Prepared, block_keys, compare};
use super::evidence::{FieldEvidence, evidence_of};
use super::model::Fit;
use super::{DedupConfig, MatchModel, MatchRecord, fit_prepared};

/// The chance that a record typed in is a customer the book already holds, when nothing
/// better is known: even odds (a clerk who knew would not type the record in again).
pub const ENTRY_SHARE: f64 = 0.5;

/// The prior that a record typed in and one of `n` indexed records are the same customer:
/// [`ENTRY_SHARE`] spread over the `n`, at least the batch prior `batch` (a book whose
/// records are more often duplicated than that says so) and at most even odds.
pub(super) fn entry_prior(batch: f64, n: usize) -> f64 {
    (ENTRY_SHARE / n.max(1) as f64).max(batch).min(0.5)
}

/// One record of the index that a queried record likely duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexMatch {
    /// The id of the indexed record.
    pub id: u64,
    /// Posterior probability that both are the same customer.
    pub probability: f64,
    /// Per field, how the two compare and its weight.
    pub evidence: Vec<FieldEvidence>,
}

/// Records indexed for matching one record at a time: prepared records, block key → rows
/// (paired in full, or sorted for the window of a large block, or dropped, as
/// [`super::find_duplicates`] pairs them: [`DedupConfig::max_block`], [`DedupConfig::window`]) and
/// the model [`super::find_duplicates`] fits on the records, with the entry-time prior
/// ([`ENTRY_SHARE`]; see the module notes).
#[derive(Debug, Clone)]
pub struct MatchIndex {
    ids: Vec<u64>,
    prepared: Vec<Prepared>,
    blocks: FxHashMap<u64, Vec<u32>>,
    fit: Fit,
    model: MatchModel,
    config: DedupConfig,
}

impl MatchIndex {
    /// Indexes `records` (with `ids[i]` the id of `records[i]`) and fits the model on them.
    ///
    /// # Errors
    /// As [`super::find_duplicates`]; [`crate::ErrorKind::InvalidInput`] naming `ids` when
    /// `ids` and `records` differ in length.
    pub fn new(ids: &[u64], records: &[MatchRecord], config: &DedupConfig) -> crate::Result<Self> {
        if ids.len() != records.len() {
            return Err(crate::CrmError::invalid(
                "ids",
                ids.len(),
                format_args!("{} ids for {} records", ids.len(), records.len()),
            ));
        }
        config.validate()?;
        // The same fit as a batch run (its fitting step, without the clusters): the index
        // only changes how candidates are found.
        let (prepared, fitted) = crate::parallel::install(|| {
            let prepared: Vec<Prepared> = records
                .par_iter()
                .map(|r| r.prepare_for(config.country))
                .collect();
            fit_prepared(&prepared, config).map(|f| (prepared, f))
        })?;
        let super::Fitted {
            mut fit, mut model, ..
        } = fitted;
        fit.lambda = entry_prior(fit.lambda, prepared.len());
        model.prior = fit.lambda;
        let mut blocks: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        let mut keys = Vec::with_capacity(8);
        for (row, p) in prepared.iter().enumerate() {
            keys.clear();
            block_keys(p, &mut keys);
            for &k in &keys {
                blocks.entry(k).or_default().push(row as u32);
            }
        }
        let n = prepared.len();
        blocks.retain(|&key, rows| pairing(key, rows.len(), n, config) != Pairing::Drop);
        // A windowed block is kept in sort order: a query pairs with its neighbours there.
        blocks.par_iter_mut().for_each(|(&key, rows)| {
            if pairing(key, rows.len(), n, config) == Pairing::Window {
                rows.sort_by_cached_key(|&row| (prepared[row as usize].sort_order(), row));
            }
        });
        blocks.shrink_to_fit();
        Ok(MatchIndex {
            ids: ids.to_vec(),
            prepared,
            blocks,
            fit,
            model,
            config: *config,
        })
    }

    /// The number of indexed records.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no record is indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The model fitted on the indexed records, its `prior` the entry-time prior of a pair
    /// (a record queried, an indexed record): [`ENTRY_SHARE`] over the number of records, or
    /// the batch prior when that is higher.
    pub fn model(&self) -> &MatchModel {
        &self.model
    }

    /// The settings the index was built with.
    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// Indexed records sharing a blocking key with `record` whose match probability is at
    /// least the threshold, best first (ties by id), leaving out those `skip` says (the
    /// record's own id, when it is an edit of an indexed record).
    pub fn candidates(&self, record: &MatchRecord, skip: impl Fn(u64) -> bool) -> Vec<IndexMatch> {
        let query = record.prepare_for(self.config.country);
        let mut out: Vec<IndexMatch> = self
            .rows_sharing_a_block(&query)
            .into_iter()
            .filter(|&row| !skip(self.ids[row as usize]))
            .filter_map(|row| self.score(&query, row as usize))
            .collect();
        sort_best_first(&mut out);
        out
    }

    /// The rows sharing a kept block with `query`, ascending: all of a block paired in full,
    /// the `window` rows on either side of where the query sorts in a windowed one (the
    /// query sorting after the records it ties with).
    fn rows_sharing_a_block(&self, query: &Prepared) -> Vec<u32> {
        let mut keys = Vec::with_capacity(24);
        block_keys(query, &mut keys);
        let n = self.prepared.len();
        let order = query.sort_order();
        let mut rows: Vec<u32> = Vec::new();
        for (&key, block) in keys.iter().filter_map(|k| self.blocks.get_key_value(k)) {
            if pairing(key, block.len(), n, &self.config) == Pairing::Window {
                let at =
                    block.partition_point(|&r| self.prepared[r as usize].sort_order() <= order);
                let w = self.config.window;
                rows.extend(&block[at.saturating_sub(w)..block.len().min(at + w)]);
            } else {
                rows.extend(block);
            }
        }
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// The ids of the indexed records sharing a block with `record`, whatever their score
    /// (for tests that need a pair to be compared at all).
    #[cfg(test)]
    pub(crate) fn candidates_in_blocks(&self, record: &MatchRecord) -> Vec<u64> {
        let query = record.prepare_for(self.config.country);
        self.rows_sharing_a_block(&query)
            .into_iter()
            .map(|row| self.ids[row as usize])
            .collect()
    }

    /// Scores `record` against `other` with the index's model: `Some` at or above the
    /// threshold (for records added since the index was built).
    pub fn score_pair(
        &self,
        record: &MatchRecord,
        id: u64,
        other: &MatchRecord,
    ) -> Option<IndexMatch> {
        let levels = compare(
            &record.prepare_for(self.config.country),
            &other.prepare_for(self.config.country),
        );
        self.judge(id, &levels)
    }

    fn score(&self, query: &Prepared, row: usize) -> Option<IndexMatch> {
        let levels = compare(query, &self.prepared[row]);
        self.judge(self.ids[row], &levels)
    }

    fn judge(
        &self,
        id: u64,
        levels: &[super::Level; super::compare::N_FIELDS],
    ) -> Option<IndexMatch> {
        let probability = self.fit.probability(levels);
        (probability >= self.config.threshold).then(|| IndexMatch {
            id,
            probability,
            evidence: evidence_of(&self.fit, levels),
        })
    }
}

/// Best first, ties by id (a stable order for equal probabilities).
pub(crate) fn sort_best_first(matches: &mut [IndexMatch]) {
    matches.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.id.cmp(&b.id))
    });
}
