//! Duplicate prevention at the point of entry: the records of a table, indexed by blocking
//! key, with the model fitted on them, so that one new or edited record is scored against
//! its few candidates instead of the whole table.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::compare::{Prepared, block_keys, block_limit, compare};
use super::evidence::{FieldEvidence, evidence_of};
use super::model::Fit;
use super::{DedupConfig, MatchModel, MatchRecord, fit_prepared};

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
/// (blocks over [`DedupConfig::max_block`], or a tenth of it for the name alone, dropped, as
/// [`super::find_duplicates`] drops them) and
/// the model [`super::find_duplicates`] fits on the records.
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
        let super::Fitted { fit, model, .. } = fitted;
        let mut blocks: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        let mut keys = Vec::with_capacity(8);
        for (row, p) in prepared.iter().enumerate() {
            keys.clear();
            block_keys(p, &mut keys);
            for &k in &keys {
                blocks.entry(k).or_default().push(row as u32);
            }
        }
        blocks.retain(|&key, rows| rows.len() <= block_limit(key, config.max_block));
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

    /// The model fitted on the indexed records.
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
        let mut keys = Vec::with_capacity(8);
        block_keys(&query, &mut keys);
        let mut rows: Vec<u32> = keys
            .iter()
            .filter_map(|k| self.blocks.get(k))
            .flatten()
            .copied()
            .collect();
        rows.sort_unstable();
        rows.dedup();
        let mut out: Vec<IndexMatch> = rows
            .into_iter()
            .filter(|&row| !skip(self.ids[row as usize]))
            .filter_map(|row| self.score(&query, row as usize))
            .collect();
        sort_best_first(&mut out);
        out
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
