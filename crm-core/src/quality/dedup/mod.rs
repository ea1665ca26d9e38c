//! Duplicate detection: blocking on several keys, field comparisons, a Fellegi-Sunter model
//! whose m and u probabilities come from the data itself, and clusters.
//!
//! u (how often two different customers agree by chance) is counted over the whole table —
//! exactly from value frequencies for agreement, from random pairs for near agreement — with
//! the matches taken out; m (how often two records of one customer agree) and the match rate
//! by expectation-maximisation over the blocked candidate pairs. No labels are needed and the
//! same defaults serve any customer table (see [`model`](self) for why u is not learnt from
//! the candidates).

mod blocking;
mod cluster;
mod compare;
mod completeness;
mod evidence;
mod index;
mod model;
#[cfg(test)]
mod tests;

pub use blocking::MAX_WINDOW;
pub use evidence::{FieldEvidence, evidence};
pub(crate) use index::sort_best_first;
pub use index::{ENTRY_SHARE, IndexMatch, MatchIndex};

use std::collections::HashSet;

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::model::{Customer, CustomerKind};
use compare::{N_FIELDS, Prepared, compare};
pub use completeness::{KeyYield, PairCompleteness, pair_completeness, pair_completeness_by_key};

/// The fields matching reads, normalised. Build with [`MatchRecord::from_customer`] or by
/// hand (any field may be missing).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MatchRecord {
    /// Given name.
    pub given_name: Option<String>,
    /// Family name (or the organisation's name).
    pub surname: Option<String>,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// National id (or tax number).
    pub national_id: Option<String>,
}

/// How two values compare: missing on either side, different, similar, close, or the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One side has no value: no evidence either way.
    Missing,
    /// Different.
    Different,
    /// Similar but not close (names and addresses only: Jaro-Winkler from 0.84, several
    /// typos or a word changed).
    Similar,
    /// Close (a typo, swapped day and month, a name with a letter off).
    Close,
    /// Equal after normalisation.
    Same,
}

/// The compared fields, in the order of the evidence of a [`MatchPair`] and of
/// [`MatchModel`]'s probabilities.
pub const FIELDS: [&str; 7] = [
    "name",
    "birth_date",
    "email",
    "phone",
    "national_id",
    "address",
    "postcode",
];

/// Random pairs drawn per record at most.
const RANDOM_PAIRS_PER_RECORD: usize = 50;

/// Generic m probabilities (Different, Similar, Close, Same) per field in [`FIELDS`] order:
/// how often two records of one customer disagree, are similar, nearly agree, agree. Similar
/// is 0 for the fields never compared in bands (dates and exact fields), which keeps it 0.
const DEFAULT_M: [[f64; 4]; 7] = [
    [0.03, 0.02, 0.15, 0.80],
    [0.05, 0.0, 0.05, 0.90],
    [0.30, 0.0, 0.001, 0.699],
    [0.30, 0.0, 0.001, 0.699],
    [0.05, 0.0, 0.001, 0.949],
    [0.12, 0.08, 0.20, 0.60],
    [0.10, 0.0, 0.001, 0.899],
];

/// Generic u probabilities: how often two different customers agree by chance.
const DEFAULT_U: [[f64; 4]; 7] = [
    [0.95, 0.04, 0.009, 0.001],
    [0.997, 0.0, 0.002, 0.001],
    [0.999, 0.0, 0.0005, 0.0005],
    [0.999, 0.0, 0.0005, 0.0005],
    [0.999, 0.0, 0.0005, 0.0005],
    [0.94, 0.04, 0.015, 0.005],
    [0.97, 0.0, 0.001, 0.029],
];

/// The largest `max_block` [`DedupConfig::validate`] accepts: a block of 1,000 records
/// alone gives 499,500 candidate pairs.
pub const MAX_BLOCK_CAP: usize = 1_000;

/// The most candidate pairs [`find_duplicates`] compares (counted block by block, before any
/// pair is built): beyond this it fails naming `max_block`, which is the setting to lower.
pub const MAX_PAIRS: u64 = 100_000_000;

/// The most random pairs ([`DedupConfig::random_pairs`]) sampled for the near-agreement
/// rates: 50 times the default, already more than the estimate needs.
pub const MAX_RANDOM_PAIRS: usize = 10_000_000;

/// The most EM iterations ([`DedupConfig::iterations`]); the default 50 converges.
pub const MAX_EM_ITERATIONS: usize = 10_000;

/// The largest [`DedupConfig::max_cluster`]: a group of a million records is no longer a set
/// of duplicates of one customer.
pub const MAX_CLUSTER_CAP: usize = 1_000_000;

/// Settings of duplicate detection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupConfig {
    /// Pairs with a match probability at or above this are duplicates.
    pub threshold: f64,
    /// Blocks of up to this many records pair in full (a key shared by more records — a
    /// common name, a switchboard number — says little and would make pairs grow as n²).
    /// Above 200,000 records the limit shrinks as `max_block · √(200,000 / n)`, not under 8.
    /// Larger blocks, up to [`MAX_BLOCK_CAP`] records, pair each record with its `window`
    /// neighbours in sort order (surname Soundex, given name, birth month). 2 to
    /// [`MAX_BLOCK_CAP`].
    pub max_block: usize,
    /// Neighbours each record of a block too large to pair in full is paired with (sorted
    /// neighbourhood); 0 drops such blocks. At most [`MAX_WINDOW`].
    pub window: usize,
    /// Random pairs for estimating how often non-matches nearly agree (at most 50 per
    /// record: a small table needs fewer).
    pub random_pairs: usize,
    /// EM iterations.
    pub iterations: usize,
    /// Largest cluster: a pair that would join two clusters beyond this is not followed
    /// (guards against chains joining unrelated records).
    pub max_cluster: usize,
    /// Seed of the random pairs.
    pub seed: u64,
    /// The country whose phone, national-id and postcode rules normalise those fields before
    /// they are compared and blocked on (ISO 3166-1 alpha-2, default `TR`; JSON
    /// `"country": "AU"`): an Australian `02 6123 4567` and `+61 2 6123 4567` are one number.
    pub country: crate::quality::Country,
}

impl DedupConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming the setting: a threshold outside (0, 1], a
    /// largest block or cluster under 2, a largest block above [`MAX_BLOCK_CAP`], a largest
    /// cluster above [`MAX_CLUSTER_CAP`], more than [`MAX_EM_ITERATIONS`] EM iterations or
    /// more than [`MAX_RANDOM_PAIRS`] random pairs, a window above [`MAX_WINDOW`].
    ///
    /// ```
    /// use crm_core::quality::DedupConfig;
    /// let bad = DedupConfig { threshold: 1.5, ..DedupConfig::default() };
    /// assert_eq!(bad.validate().unwrap_err().to_string(),
    ///            "invalid threshold 1.5: a match probability in (0, 1]");
    /// ```
    pub fn validate(&self) -> crate::Result<()> {
        use crate::CrmError;
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(CrmError::invalid(
                "threshold",
                self.threshold,
                "a match probability in (0, 1]",
            ));
        }
        if self.max_block < 2 {
            return Err(CrmError::invalid(
                "max_block",
                self.max_block,
                "a block pairs at least 2 records",
            ));
        }
        crate::limits::at_most("max_block", self.max_block, MAX_BLOCK_CAP)?;
        crate::limits::at_most("window", self.window, MAX_WINDOW)?;
        if self.max_cluster < 2 {
            return Err(CrmError::invalid(
                "max_cluster",
                self.max_cluster,
                "a cluster holds at least 2 records",
            ));
        }
        crate::limits::at_most("max_cluster", self.max_cluster, MAX_CLUSTER_CAP)?;
        crate::limits::at_most("iterations", self.iterations, MAX_EM_ITERATIONS)?;
        crate::limits::at_most("random_pairs", self.random_pairs, MAX_RANDOM_PAIRS)?;
        Ok(())
    }
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            threshold: 0.9,
            max_block: 50,
            window: 4,
            random_pairs: 200_000,
            iterations: 50,
            max_cluster: 20,
            seed: 1,
            country: crate::quality::Country::default(),
        }
    }
}

/// One candidate pair with its match probability and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchPair {
    /// Row of the first record.
    pub left: usize,
    /// Row of the second record (> left).
    pub right: usize,
    /// Posterior probability that both are the same customer.
    pub probability: f64,
    /// Per field: its level and its log₂ Bayes factor (positive for agreement evidence).
    pub evidence: Vec<(String, Level, f64)>,
}

/// The model learnt from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchModel {
    /// Probability that two records drawn at random from the table are the same customer
    /// (the prior odds of every pair).
    pub prior: f64,
    /// Expected number of matching pairs in the table.
    pub expected_matches: f64,
    /// Per field, m probabilities of Different, Similar, Close, Same.
    pub m: Vec<[f64; 4]>,
    /// Per field, u probabilities of Different, Similar, Close, Same where the field's parent does
    /// not agree (e-mail's is the name; phone's and postcode's the address) or it has none.
    pub u: Vec<[f64; 4]>,
    /// Per field, u probabilities where the field's parent agrees (namesakes share name-built
    /// e-mail addresses more often than strangers do); equal to `u` for fields without one.
    pub u_given_parent: Vec<[f64; 4]>,
    /// The country whose rules prepared the records the model was fitted on
    /// ([`DedupConfig::country`]); [`MatchModel::score`] prepares the records it is given
    /// under the same rules. JSON: `country` (absent in a model saved before: `TR`).
    #[serde(default)]
    pub country: crate::quality::Country,
}

/// Duplicates found in a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicates {
    /// Candidate pairs at or above the threshold, by left then right row.
    pub pairs: Vec<MatchPair>,
    /// A cluster id per row (the smallest row of the cluster; a row alone is its own).
    pub cluster: Vec<usize>,
    /// Candidate pairs compared.
    pub candidates: usize,
    /// The fitted model.
    pub model: MatchModel,
}

impl MatchRecord {
    /// The matching fields of a customer (organisations: name as surname, tax number as id).
    pub fn from_customer(c: &Customer) -> Self {
        let org = c.kind == CustomerKind::Organisation;
        MatchRecord {
            given_name: if org { None } else { c.given_name.clone() },
            surname: if org {
                c.organisation_name.clone()
            } else {
                c.family_name.clone()
            },
            birth_date: c.birth_date,
            email: c.emails.first().cloned(),
            phone: c.phones.first().cloned(),
            address: c.address.line.clone(),
            city: c.address.city.clone(),
            postcode: c.address.postcode.clone(),
            national_id: if org {
                c.tax_id.clone()
            } else {
                c.national_id.clone()
            },
        }
    }
}

/// Match records from text columns (`None` for a missing value), named as the fields of
/// [`MatchRecord`]. Birth dates are read as `YYYY-MM-DD`, `DD.MM.YYYY` (as Turkish forms write
/// them), `DD/MM/YYYY` or `YYYYMMDD`; one that is no real date ("31.02.1980", "yok") is no
/// evidence and counts as missing, as invented values do — the validators report it. Absent
/// columns are missing everywhere.
///
/// ```
/// use crm_core::quality::records_from_columns;
/// let names = [Some("Ayşe"), None, None];
/// let births = [Some("1980-05-17"), Some("02.01.1975"), Some("31.02.1980")];
/// let records = records_from_columns(3, &[("given_name", &names[..]), ("birth_date", &births[..])])?;
/// assert_eq!(records[1].given_name, None);
/// assert_eq!(records[0].birth_date.unwrap().to_string(), "1980-05-17");
/// assert_eq!(records[1].birth_date.unwrap().to_string(), "1975-01-02");
/// assert_eq!(records[2].birth_date, None);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for more than [`MAX_MATCH_COLUMNS`] columns, an unknown
/// column, a column whose length is not `n`, or `n` records that do not fit in memory
/// (named `n_records`).
pub fn records_from_columns(
    n: usize,
    columns: &[(&str, &[Option<&str>])],
) -> crate::Result<Vec<MatchRecord>> {
    crate::limits::at_most("n_columns", columns.len(), MAX_MATCH_COLUMNS)?;
    let mut records = crate::limits::try_vec("n_records", n)?;
    records.resize(n, MatchRecord::default());
    for &(name, values) in columns {
        if values.len() != n {
            return Err(crate::CrmError::invalid(
                name,
                values.len(),
                format_args!("the column has {} values for {n} records", values.len()),
            ));
        }
        let text: Option<fn(&mut MatchRecord) -> &mut Option<String>> = match name {
            "given_name" => Some(|r| &mut r.given_name),
            "surname" => Some(|r| &mut r.surname),
            "email" => Some(|r| &mut r.email),
            "phone" => Some(|r| &mut r.phone),
            "address" => Some(|r| &mut r.address),
            "city" => Some(|r| &mut r.city),
            "postcode" => Some(|r| &mut r.postcode),
            "national_id" => Some(|r| &mut r.national_id),
            "birth_date" => None,
            other => {
                return Err(crate::CrmError::invalid(
                    "column",
                    other,
                    format_args!("not one of {}", COLUMNS.join(", ")),
                ));
            }
        };
        for (record, value) in records.iter_mut().zip(values) {
            let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            match text {
                Some(field) => *field(record) = Some(v.to_owned()),
                None => record.birth_date = parse_birth_date(v),
            }
        }
    }
    Ok(records)
}

/// A birth date in one of the spellings forms use ([`crate::quality::read_birth_date`], the
/// reader the quality checks share), or `None`.
pub(crate) fn parse_birth_date(text: &str) -> Option<NaiveDate> {
    match super::birth::read_birth_date(text) {
        super::birth::BirthDateReading::Date(d) => Some(d),
        _ => None,
    }
}

/// The most columns [`records_from_columns`] takes (C's `n_columns`): each is one of the
/// nine [`COLUMNS`], so more can only repeat them.
pub const MAX_MATCH_COLUMNS: usize = 64;

/// The columns [`records_from_columns`] reads.
pub const COLUMNS: [&str; 9] = [
    "given_name",
    "surname",
    "birth_date",
    "email",
    "phone",
    "address",
    "city",
    "postcode",
    "national_id",
];

/// Finds duplicate records among `records`.
///
/// ```
/// use crm_core::quality::{DedupConfig, MatchRecord, find_duplicates};
/// use crm_core::sample::SampleConfig;
///
/// let mut records: Vec<MatchRecord> = SampleConfig::new(500).seed(2).generate()
///     .customers.iter().map(MatchRecord::from_customer).collect();
/// let mut copy = records[0].clone();
/// copy.phone = None;                                 // a second, less complete record
/// records.push(copy);
/// let d = find_duplicates(&records, &DedupConfig::default())?;
/// assert_eq!(d.cluster[records.len() - 1], 0);      // joined to the first record's cluster
/// # Ok::<(), crm_core::CrmError>(())
/// ```
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for settings [`DedupConfig::validate`] refuses, or
/// naming `max_block` when the blocks give more than [`MAX_PAIRS`] candidate pairs.
pub fn find_duplicates(records: &[MatchRecord], config: &DedupConfig) -> crate::Result<Duplicates> {
    config.validate()?;
    crate::parallel::install(|| find_in_pool(records, config))
}

/// The model fitted on prepared records, with the candidate pairs it was fitted on: the
/// fitting step both [`find_duplicates`] and [`MatchIndex::new`] run (the index needs no
/// clusters, so it stops here).
struct Fitted {
    /// Candidate pairs `(low row, high row)`, sorted and distinct.
    pairs: Vec<(u32, u32)>,
    /// The levels of each candidate pair.
    comparisons: Vec<[Level; N_FIELDS]>,
    /// The distinct level patterns among the candidates, sorted.
    patterns: Vec<[Level; N_FIELDS]>,
    /// The fitted probabilities.
    fit: model::Fit,
    /// The fit as the public model.
    model: MatchModel,
}

/// Blocks `prepared`, compares the candidate pairs and fits the model on them, with a
/// valid `config`, on the calling pool.
fn fit_prepared(prepared: &[Prepared], config: &DedupConfig) -> crate::Result<Fitted> {
    let pairs = blocking::candidate_pairs(prepared, config)?;
    let comparisons: Vec<[Level; N_FIELDS]> = pairs
        .par_iter()
        .map(|&(a, b)| compare(&prepared[a as usize], &prepared[b as usize]))
        .collect();
    // A small table needs fewer random pairs for its near-agreement rates.
    let random_pairs = config
        .random_pairs
        .min(RANDOM_PAIRS_PER_RECORD * prepared.len());
    let counts = model::count_pairs(prepared, random_pairs, config.seed);

    // The EM runs over distinct level patterns: a few thousand, however many pairs.
    let mut patterns: FxHashMap<[Level; N_FIELDS], f64> = FxHashMap::default();
    for c in &comparisons {
        *patterns.entry(*c).or_insert(0.0) += 1.0;
    }
    let mut patterns: Vec<([Level; N_FIELDS], f64)> = patterns.into_iter().collect();
    patterns.sort_unstable_by_key(|p| p.0); // sums in a fixed order: reproducible
    let fit = model::fit(&patterns, &counts, config.iterations);
    let model = MatchModel {
        prior: fit.lambda,
        expected_matches: fit.lambda * counts.pairs,
        m: fit.m.to_vec(),
        u: fit.u.to_vec(),
        u_given_parent: fit.u_given_parent.to_vec(),
        country: config.country,
    };
    Ok(Fitted {
        pairs,
        comparisons,
        patterns: patterns.into_iter().map(|p| p.0).collect(),
        fit,
        model,
    })
}

/// [`find_duplicates`] with a valid `config`, on crm's worker pool.
fn find_in_pool(records: &[MatchRecord], config: &DedupConfig) -> crate::Result<Duplicates> {
    let prepared: Vec<Prepared> = records
        .par_iter()
        .map(|r| r.prepare_for(config.country))
        .collect();
    let Fitted {
        pairs,
        comparisons,
        patterns,
        fit,
        model,
    } = fit_prepared(&prepared, config)?;
    // Every pair of one pattern has the same probability: worked out once per pattern.
    let probability_of: FxHashMap<[Level; N_FIELDS], f64> = patterns
        .iter()
        .map(|levels| (*levels, fit.probability(levels)))
        .collect();

    let found: Vec<MatchPair> = pairs
        .par_iter()
        .zip(&comparisons)
        .filter_map(|(&(a, b), levels)| {
            let probability = probability_of[levels];
            (probability >= config.threshold).then(|| MatchPair {
                left: a as usize,
                right: b as usize,
                probability,
                evidence: (0..N_FIELDS)
                    .zip(fit.weights(levels))
                    .map(|(f, w)| (FIELDS[f].to_owned(), levels[f], w))
                    .collect(),
            })
        })
        .collect();
    let cluster = cluster::capped_clusters(records.len(), &found, config.max_cluster);
    Ok(Duplicates {
        pairs: found,
        cluster,
        candidates: pairs.len(),
        model,
    })
}

impl Duplicates {
    /// Every pair of records inside one cluster, as `(low, high)` pairs of `ids` (the id of
    /// each row): what a merge acts on, for precision and recall against a truth.
    pub fn clustered_pairs(&self, ids: &[u64]) -> HashSet<(u64, u64)> {
        let mut members: FxHashMap<usize, Vec<u64>> = FxHashMap::default();
        for (row, &c) in self.cluster.iter().enumerate() {
            members.entry(c).or_default().push(ids[row]);
        }
        pairs_within(members.values().map(Vec::as_slice))
    }
}

/// Precision and recall of `predicted` pairs against `truth` (each 0 when its denominator is).
///
/// ```
/// use std::collections::HashSet;
/// let truth: HashSet<(u64, u64)> = [(1, 2), (3, 4)].into();
/// let predicted: HashSet<(u64, u64)> = [(1, 2), (5, 6), (7, 8)].into();
/// let (precision, recall) = crm_core::quality::precision_recall(&predicted, &truth);
/// assert_eq!((precision, recall), (1.0 / 3.0, 0.5));
/// ```
pub fn precision_recall(
    predicted: &HashSet<(u64, u64)>,
    truth: &HashSet<(u64, u64)>,
) -> (f64, f64) {
    let hit = predicted.intersection(truth).count() as f64;
    let share = |n: usize| if n == 0 { 0.0 } else { hit / n as f64 };
    (share(predicted.len()), share(truth.len()))
}

/// Every unordered pair of ids that share a group, as `(low, high)`: how duplicate clusters
/// (or ground truth grouped by original) turn into pairs for precision and recall.
pub fn pairs_within<'a>(groups: impl IntoIterator<Item = &'a [u64]>) -> HashSet<(u64, u64)> {
    let mut out = HashSet::new();
    for g in groups {
        for i in 0..g.len() {
            for j in i + 1..g.len() {
                out.insert((g[i].min(g[j]), g[i].max(g[j])));
            }
        }
    }
    out
}
