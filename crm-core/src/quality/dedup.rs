//! Duplicate detection: blocking on several keys, field comparisons, a Fellegi-Sunter model
//! whose m and u probabilities come from the data itself, and clusters.
//!
//! u (how often non-matches agree by chance) is estimated from random pairs, which are
//! non-matches with overwhelming probability; m (how often matches agree) and the share of
//! matches among candidate pairs by expectation-maximisation over the blocked pairs with u
//! held — so no labels are needed and the same defaults serve any customer table.

use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::text::{fold, normalize_name};
use super::validate::{is_valid_tckn, normalize_email, normalize_phone, placeholder_reason};
use crate::model::{Customer, CustomerKind};

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

/// The normalised form comparisons work on; invented values are dropped (a shared
/// "test@test.com" is no evidence).
#[derive(Debug, Clone, Default)]
struct Prepared {
    given: String,
    surname: String,
    birth: Option<NaiveDate>,
    email: Option<String>,
    phone: Option<String>,
    address: String,
    postcode: Option<String>,
    id: Option<String>,
}

fn real(v: Option<&str>) -> Option<&str> {
    v.map(str::trim)
        .filter(|s| !s.is_empty() && placeholder_reason(s).is_none())
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

    fn prepare(&self) -> Prepared {
        let email = real(self.email.as_deref())
            .and_then(normalize_email)
            .map(|e| e.to_lowercase())
            .filter(|e| {
                let local = e.split('@').next().unwrap_or("");
                placeholder_reason(local).is_none()
                    && !e.contains("@test.")
                    && !e.contains("@example.")
            });
        let phone = real(self.phone.as_deref())
            .and_then(normalize_phone)
            .filter(|p| placeholder_reason(p.strip_prefix("+90").unwrap_or(p)).is_none());
        let id = real(self.national_id.as_deref())
            .map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|s| s.len() == 10 || is_valid_tckn(s));
        let birth = self
            .birth_date
            .filter(|b| !(b.month() == 1 && b.day() == 1 && b.year() % 100 == 0));
        Prepared {
            given: real(self.given_name.as_deref())
                .map(normalize_name)
                .unwrap_or_default(),
            surname: real(self.surname.as_deref())
                .map(normalize_name)
                .unwrap_or_default(),
            birth,
            email,
            phone,
            address: real(self.address.as_deref()).map(fold).unwrap_or_default(),
            postcode: real(self.postcode.as_deref()).map(str::to_owned),
            id,
        }
    }
}

/// How two values compare: missing on either side, different, close, or the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One side has no value: no evidence either way.
    Missing,
    /// Different.
    Different,
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

/// The field levels of one candidate pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Comparison {
    levels: [Level; 7],
}

fn text_level(a: &str, b: &str) -> Level {
    if a.is_empty() || b.is_empty() {
        return Level::Missing;
    }
    if a == b {
        return Level::Same;
    }
    let jw = strsim::jaro_winkler(a, b);
    if jw >= 0.92 || strsim::damerau_levenshtein(a, b) <= 1 {
        Level::Close
    } else {
        Level::Different
    }
}

fn exact<T: PartialEq>(a: Option<&T>, b: Option<&T>) -> Level {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Level::Same,
        (Some(_), Some(_)) => Level::Different,
        _ => Level::Missing,
    }
}

fn date_level(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Level {
    let (Some(a), Some(b)) = (a, b) else {
        return Level::Missing;
    };
    if a == b {
        return Level::Same;
    }
    let swapped = a.year() == b.year() && a.month() == b.day() && a.day() == b.month();
    let (sa, sb) = (
        a.format("%Y%m%d").to_string(),
        b.format("%Y%m%d").to_string(),
    );
    let one_digit = sa.chars().zip(sb.chars()).filter(|(x, y)| x != y).count() == 1;
    if swapped || one_digit {
        Level::Close
    } else {
        Level::Different
    }
}

fn compare(a: &Prepared, b: &Prepared) -> Comparison {
    // Names: the better of straight and swapped order (given and family typed the wrong way).
    let name = if (a.given.is_empty() && a.surname.is_empty())
        || (b.given.is_empty() && b.surname.is_empty())
    {
        Level::Missing
    } else {
        let straight = format!("{} {}", a.given, a.surname);
        let other = format!("{} {}", b.given, b.surname);
        let swapped = format!("{} {}", b.surname, b.given);
        text_level(straight.trim(), other.trim()).max(text_level(straight.trim(), swapped.trim()))
    };
    Comparison {
        levels: [
            name,
            date_level(a.birth, b.birth),
            exact(a.email.as_ref(), b.email.as_ref()),
            exact(a.phone.as_ref(), b.phone.as_ref()),
            exact(a.id.as_ref(), b.id.as_ref()),
            text_level(&a.address, &b.address),
            exact(a.postcode.as_ref(), b.postcode.as_ref()),
        ],
    }
}

/// Blocking keys of a record: pairs sharing any key become candidates.
fn keys(p: &Prepared) -> Vec<(u8, String)> {
    let mut k = Vec::with_capacity(7);
    if let Some(id) = &p.id {
        k.push((0, id.clone()));
    }
    if let Some(ph) = &p.phone {
        k.push((1, ph.clone()));
    }
    if let Some(e) = &p.email {
        k.push((2, e.clone()));
    }
    let mut tokens: Vec<&str> = p
        .given
        .split(' ')
        .chain(p.surname.split(' '))
        .filter(|t| !t.is_empty())
        .collect();
    tokens.sort_unstable();
    if !tokens.is_empty() {
        // Swap- and fold-proof name key.
        k.push((3, tokens.join(" ")));
    }
    if let Some(b) = p.birth {
        if !p.surname.is_empty() {
            k.push((4, format!("{}|{}", p.surname, b.year())));
        }
        if !p.given.is_empty() {
            k.push((5, format!("{}|{}", p.given, b)));
        }
    }
    // The whole street address with the postcode: a shorter key (postcode and house number)
    // pairs up whole neighbourhoods in a large table, and the model then learns
    // "neighbours" instead of "the same customer".
    if let Some(pc) = &p.postcode {
        if !p.address.is_empty() {
            k.push((6, format!("{pc}|{}", p.address)));
        }
    }
    k
}

/// How many pairs' worth of evidence the generic defaults below carry in the estimates.
const PRIOR_WEIGHT: f64 = 20.0;

/// Generic m probabilities (Different, Close, Same) per field in [`FIELDS`] order: how often
/// two records of one customer disagree, nearly agree, agree.
const DEFAULT_M: [[f64; 3]; 7] = [
    [0.05, 0.15, 0.80],
    [0.05, 0.05, 0.90],
    [0.30, 0.001, 0.699],
    [0.30, 0.001, 0.699],
    [0.05, 0.001, 0.949],
    [0.20, 0.20, 0.60],
    [0.10, 0.001, 0.899],
];

/// Generic u probabilities: how often two different customers agree by chance.
const DEFAULT_U: [[f64; 3]; 7] = [
    [0.99, 0.009, 0.001],
    [0.997, 0.002, 0.001],
    [0.999, 0.0005, 0.0005],
    [0.999, 0.0005, 0.0005],
    [0.999, 0.0005, 0.0005],
    [0.98, 0.015, 0.005],
    [0.97, 0.001, 0.029],
];

/// Settings of duplicate detection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupConfig {
    /// Pairs with a match probability at or above this are duplicates.
    pub threshold: f64,
    /// Blocks larger than this are skipped (a key shared by that many records — a common
    /// name, a switchboard number — says little and would make pairs grow as n²).
    pub max_block: usize,
    /// Random pairs for estimating u.
    pub random_pairs: usize,
    /// EM iterations.
    pub iterations: usize,
    /// Largest cluster: a pair that would join two clusters beyond this is not followed
    /// (guards against chains joining unrelated records).
    pub max_cluster: usize,
    /// Seed of the random pairs.
    pub seed: u64,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            threshold: 0.9,
            max_block: 50,
            random_pairs: 200_000,
            iterations: 50,
            max_cluster: 20,
            seed: 1,
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
    /// Share of matches among candidate pairs.
    pub prior: f64,
    /// Per field, m probabilities of Different, Close, Same.
    pub m: Vec<[f64; 3]>,
    /// Per field, u probabilities of Different, Close, Same.
    pub u: Vec<[f64; 3]>,
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

fn slot(l: Level) -> Option<usize> {
    match l {
        Level::Missing => None,
        Level::Different => Some(0),
        Level::Close => Some(1),
        Level::Same => Some(2),
    }
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Finds duplicate records among `records`.
pub fn find_duplicates(records: &[MatchRecord], config: &DedupConfig) -> Duplicates {
    use rayon::prelude::*;
    let n = records.len();
    let prepared: Vec<Prepared> = records.par_iter().map(MatchRecord::prepare).collect();

    // Candidate pairs from every block under the size cap.
    let mut blocks: FxHashMap<(u8, String), Vec<u32>> = FxHashMap::default();
    for (i, p) in prepared.iter().enumerate() {
        for key in keys(p) {
            blocks.entry(key).or_default().push(i as u32);
        }
    }
    let mut pairs: Vec<(u32, u32)> = blocks
        .values()
        .filter(|rows| rows.len() > 1 && rows.len() <= config.max_block)
        .flat_map(|rows| {
            (0..rows.len()).flat_map(move |i| (i + 1..rows.len()).map(move |j| (rows[i], rows[j])))
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();

    let comparisons: Vec<Comparison> = pairs
        .par_iter()
        .map(|&(a, b)| compare(&prepared[a as usize], &prepared[b as usize]))
        .collect();

    // u from random pairs, counted as at most as many observations as there are distinct
    // pairs (in a tiny table the random pairs are few distinct pairs, matches included),
    // on top of generic defaults.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(config.seed);
    let mut u_seen = [[0.0f64; 3]; 7];
    let mut drawn = 0.0;
    if n > 1 {
        for _ in 0..config.random_pairs {
            let a = rng.random_range(0..n);
            let b = rng.random_range(0..n);
            if a == b {
                continue;
            }
            drawn += 1.0;
            let c = compare(&prepared[a], &prepared[b]);
            for (f, l) in c.levels.iter().enumerate() {
                if let Some(s) = slot(*l) {
                    u_seen[f][s] += 1.0;
                }
            }
        }
    }
    let distinct_pairs = (n as f64) * (n as f64 - 1.0) / 2.0;
    let scale = if drawn > 0.0 {
        distinct_pairs.min(drawn) / drawn
    } else {
        0.0
    };
    let mut u_prior = [[0.0f64; 3]; 7];
    for f in 0..7 {
        for l in 0..3 {
            u_prior[f][l] = PRIOR_WEIGHT * DEFAULT_U[f][l] + scale * u_seen[f][l];
        }
    }
    let mut u: Vec<[f64; 3]> = u_prior
        .iter()
        .map(|c| {
            let t: f64 = c.iter().sum();
            c.map(|x| x / t)
        })
        .collect();
    // The random-pair estimate stays in the EM as a prior worth a limited number of pairs.
    let u_weight = distinct_pairs.min(1_000.0);

    // EM for m and the prior over the distinct comparison patterns.
    let mut patterns: FxHashMap<[Level; 7], f64> = FxHashMap::default();
    for c in &comparisons {
        *patterns.entry(c.levels).or_insert(0.0) += 1.0;
    }
    let patterns: Vec<([Level; 7], f64)> = patterns.into_iter().collect();
    let mut m: Vec<[f64; 3]> = DEFAULT_M.to_vec();
    let mut prior = 0.1;
    let u0 = u.clone();
    let posterior = |levels: &[Level; 7], m: &[[f64; 3]], u: &[[f64; 3]], prior: f64| -> f64 {
        let mut log_ratio = (prior / (1.0 - prior)).ln();
        for (f, l) in levels.iter().enumerate() {
            if let Some(s) = slot(*l) {
                log_ratio += (m[f][s] / u[f][s]).ln();
            }
        }
        1.0 / (1.0 + (-log_ratio).exp())
    };
    // Both m and u are re-estimated on the candidate pairs (Winkler's EM): candidates that
    // do not match still agree on the key that brought them together far more often than
    // random pairs do, so u from random pairs only starts the iteration.
    // Probabilities are kept at least 1e-3: one typo in a field that always agreed in this
    // data must weigh against a match, not veto it.
    let normalise = |c: &[[f64; 3]; 7]| -> Vec<[f64; 3]> {
        c.iter()
            .map(|c| {
                let t: f64 = c.iter().sum();
                let floored = c.map(|x| (x / t).max(1e-3));
                let t2: f64 = floored.iter().sum();
                floored.map(|x| x / t2)
            })
            .collect()
    };
    for _ in 0..config.iterations {
        // Dirichlet priors: generic m defaults and the random-pair u, each worth a few
        // pairs, so that a tiny table still gets a sensible model and a large one its own.
        let mut mc: [[f64; 3]; 7] = std::array::from_fn(|f| DEFAULT_M[f].map(|x| x * PRIOR_WEIGHT));
        let mut uc: [[f64; 3]; 7] = std::array::from_fn(|f| u0[f].map(|x| x * u_weight));
        let (mut matched, mut total) = (0.0, 0.0);
        for (levels, count) in &patterns {
            let g = posterior(levels, &m, &u, prior);
            matched += g * count;
            total += count;
            for (f, l) in levels.iter().enumerate() {
                if let Some(s) = slot(*l) {
                    mc[f][s] += g * count;
                    uc[f][s] += (1.0 - g) * count;
                }
            }
        }
        prior = (matched / total.max(1.0)).clamp(1e-6, 1.0 - 1e-6);
        m = normalise(&mc);
        u = normalise(&uc);
    }

    let mut found: Vec<MatchPair> = Vec::new();
    for (&(a, b), c) in pairs.iter().zip(&comparisons) {
        let p = posterior(&c.levels, &m, &u, prior);
        if p >= config.threshold {
            let evidence = c
                .levels
                .iter()
                .enumerate()
                .map(|(f, l)| {
                    let w = slot(*l).map_or(0.0, |s| (m[f][s] / u[f][s]).log2());
                    (FIELDS[f].to_owned(), *l, w)
                })
                .collect();
            found.push(MatchPair {
                left: a as usize,
                right: b as usize,
                probability: p,
                evidence,
            });
        }
    }

    // Clusters, strongest pairs first, capped in size.
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by(|&x, &y| found[y].probability.total_cmp(&found[x].probability));
    let mut parent: Vec<usize> = (0..n).collect();
    let mut size = vec![1usize; n];
    for i in order {
        let (ra, rb) = (
            find(&mut parent, found[i].left),
            find(&mut parent, found[i].right),
        );
        if ra != rb && size[ra] + size[rb] <= config.max_cluster {
            let (big, small) = if size[ra] >= size[rb] {
                (ra, rb)
            } else {
                (rb, ra)
            };
            parent[small] = big;
            size[big] += size[small];
        }
    }
    let mut smallest: FxHashMap<usize, usize> = FxHashMap::default();
    for row in 0..n {
        let root = find(&mut parent, row);
        smallest.entry(root).or_insert(row);
    }
    let cluster = (0..n)
        .map(|row| smallest[&find(&mut parent, row)])
        .collect();
    Duplicates {
        pairs: found,
        cluster,
        candidates: pairs.len(),
        model: MatchModel { prior, m, u },
    }
}

/// Every unordered pair of ids that share a group, as `(low, high)`: how duplicate clusters
/// (or ground truth grouped by original) turn into pairs for precision and recall.
pub fn pairs_within<'a>(
    groups: impl IntoIterator<Item = &'a [u64]>,
) -> std::collections::HashSet<(u64, u64)> {
    let mut out = std::collections::HashSet::new();
    for g in groups {
        for i in 0..g.len() {
            for j in i + 1..g.len() {
                out.insert((g[i].min(g[j]), g[i].max(g[j])));
            }
        }
    }
    out
}
