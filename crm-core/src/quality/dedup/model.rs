//! The Fellegi-Sunter model: how often matches agree (m), how often non-matches agree by
//! chance (u), and the probability λ that two records drawn at random are the same customer.
//!
//! u and λ are over *all* pairs of the table, not over the candidate pairs: candidates were
//! chosen because they agree on a blocking key, so their non-matches agree far more often
//! than chance, and a model that learns them as "the other class" learns "same name" instead
//! of "same customer" (at a million records it did). Agreeing pairs of the whole table are
//! counted exactly from value frequencies; near agreements are sampled from random pairs;
//! the matches among them are those the E-step finds among the candidates, so u is the
//! non-matches' share with the matches taken out — no labels needed.

use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use super::compare::{N_FIELDS, Prepared, compare, field_keys};
use super::{DEFAULT_M, DEFAULT_U, Level};

/// The levels a field is scored at (all but Missing).
pub(super) const N_LEVELS: usize = 4;

/// Per field, probabilities of Different, Similar, Close, Same.
pub(super) type Table = [[f64; N_LEVELS]; N_FIELDS];

/// How many pairs' worth of evidence the generic m defaults carry.
const M_PRIOR_PAIRS: f64 = 20.0;
/// How many pairs' worth the generic u defaults carry: chance agreement is a property of a
/// population, which a table of a few dozen records cannot measure.
const U_PRIOR_PAIRS: f64 = 1_000.0;
/// The field whose agreement another field's chance agreement depends on: e-mail on the name
/// (addresses made from it), phone and postcode on the address (a household's landline, a
/// building's postcode).
pub(super) const PARENT: [Option<usize>; N_FIELDS] =
    [None, None, Some(0), Some(5), None, None, Some(5)];

/// Random pairs drawn per parallel chunk.
const CHUNK: usize = 8_192;

fn slot(l: Level) -> Option<usize> {
    match l {
        Level::Missing => None,
        Level::Different => Some(0),
        Level::Similar => Some(1),
        Level::Close => Some(2),
        Level::Same => Some(3),
    }
}

/// What the whole table says about chance agreement, before matches are taken out.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PairCounts {
    /// All pairs of the table.
    pub(super) pairs: f64,
    /// Per field, pairs with the field present on both sides.
    pub(super) present: [f64; N_FIELDS],
    /// Per field, pairs with equal values (exact, from value frequencies).
    pub(super) same: [f64; N_FIELDS],
    /// Per field, the shares of Similar and Close among random pairs with the field on both
    /// sides.
    pub(super) near_rate: [[f64; 2]; N_FIELDS],
    /// Per field with a parent, pairs agreeing on the parent with the field on both sides.
    pub(super) parent_present: [f64; N_FIELDS],
    /// Per field with a parent, pairs agreeing on both.
    pub(super) parent_same: [f64; N_FIELDS],
}

/// Pairs within runs of equal keys: Σ c(c−1)/2 over the runs of `sorted` (by `key`).
fn pairs_in_runs<T, K: PartialEq>(sorted: &[T], key: impl Fn(&T) -> K) -> f64 {
    sorted
        .chunk_by(|a, b| key(a) == key(b))
        .map(|run| {
            let c = run.len() as f64;
            c * (c - 1.0) / 2.0
        })
        .sum()
}

/// Counts agreeing pairs per field from value frequencies (a value shared by c records makes
/// c(c−1)/2 agreeing pairs), and the near-agreement rate from `random_pairs` random pairs.
pub(super) fn count_pairs(prepared: &[Prepared], random_pairs: usize, seed: u64) -> PairCounts {
    let n = prepared.len();
    let keys: Vec<[Option<u64>; N_FIELDS]> = prepared.par_iter().map(field_keys).collect();
    let per_field: Vec<(f64, f64, f64, f64)> = (0..N_FIELDS)
        .into_par_iter()
        .map(|f| {
            let mut values: Vec<u64> = keys.iter().filter_map(|k| k[f]).collect();
            values.sort_unstable();
            let present = values.len() as f64;
            let same = pairs_in_runs(&values, |v| *v);
            let (parent_present, parent_same) = PARENT[f].map_or((0.0, 0.0), |g| {
                let mut both: Vec<(u64, u64)> =
                    keys.iter().filter_map(|k| Some((k[g]?, k[f]?))).collect();
                both.sort_unstable();
                (pairs_in_runs(&both, |b| b.0), pairs_in_runs(&both, |b| *b))
            });
            (
                present * (present - 1.0) / 2.0,
                same,
                parent_present,
                parent_same,
            )
        })
        .collect();
    let mut near_rate = [[0.0; 2]; N_FIELDS];
    if n > 1 {
        let chunks = random_pairs.div_ceil(CHUNK);
        let (both, near) = (0..chunks)
            .into_par_iter()
            .map(|chunk| {
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ ((chunk as u64) << 20));
                let mut both = [0.0f64; N_FIELDS];
                let mut near = [[0.0f64; 2]; N_FIELDS];
                let draws = CHUNK.min(random_pairs - chunk * CHUNK);
                for _ in 0..draws {
                    let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
                    if a == b {
                        continue;
                    }
                    for (f, l) in compare(&prepared[a], &prepared[b]).iter().enumerate() {
                        both[f] += f64::from(u8::from(*l != Level::Missing));
                        near[f][0] += f64::from(u8::from(*l == Level::Similar));
                        near[f][1] += f64::from(u8::from(*l == Level::Close));
                    }
                }
                (both, near)
            })
            .reduce(
                || ([0.0; N_FIELDS], [[0.0; 2]; N_FIELDS]),
                |(mut b1, mut c1), (b2, c2)| {
                    for f in 0..N_FIELDS {
                        b1[f] += b2[f];
                        c1[f][0] += c2[f][0];
                        c1[f][1] += c2[f][1];
                    }
                    (b1, c1)
                },
            );
        for f in 0..N_FIELDS {
            if both[f] > 0.0 {
                near_rate[f] = near[f].map(|c| c / both[f]);
            }
        }
    }
    let nf = n as f64;
    PairCounts {
        pairs: nf * (nf - 1.0) / 2.0,
        present: std::array::from_fn(|f| per_field[f].0),
        same: std::array::from_fn(|f| per_field[f].1),
        near_rate,
        parent_present: std::array::from_fn(|f| per_field[f].2),
        parent_same: std::array::from_fn(|f| per_field[f].3),
    }
}

/// The fitted model.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Fit {
    /// Probability that two random records are the same customer.
    pub(super) lambda: f64,
    pub(super) m: Table,
    /// Chance agreement where the field's parent does not agree (or it has none).
    pub(super) u: Table,
    /// Chance agreement where the field's parent agrees.
    pub(super) u_given_parent: Table,
}

impl Fit {
    /// The u of field `f` for a pair with these levels.
    pub(super) fn u_of(&self, levels: &[Level; N_FIELDS], f: usize) -> &[f64; N_LEVELS] {
        match PARENT[f] {
            Some(g) if levels[g] == Level::Same => &self.u_given_parent[f],
            _ => &self.u[f],
        }
    }

    /// Per field, the log₂ Bayes factor of its level (0 when missing).
    pub(super) fn weights(&self, levels: &[Level; N_FIELDS]) -> [f64; N_FIELDS] {
        std::array::from_fn(|f| {
            slot(levels[f]).map_or(0.0, |s| (self.m[f][s] / self.u_of(levels, f)[s]).log2())
        })
    }

    /// Log odds (natural) that a pair with these levels is a match.
    pub(super) fn log_odds(&self, levels: &[Level; N_FIELDS]) -> f64 {
        let prior = (self.lambda / (1.0 - self.lambda)).ln();
        prior + self.weights(levels).iter().sum::<f64>() * std::f64::consts::LN_2
    }

    /// Posterior match probability.
    pub(super) fn probability(&self, levels: &[Level; N_FIELDS]) -> f64 {
        1.0 / (1.0 + (-self.log_odds(levels)).exp())
    }
}

/// Probabilities from counts, each kept at least `floor` (one typo in a field that always
/// agreed in this data must weigh against a match, not veto it) — except levels the field is
/// never compared at (`possible` false), which stay 0 so the others keep their values.
fn normalise(counts: &[f64; N_LEVELS], floor: f64, possible: &[bool; N_LEVELS]) -> [f64; N_LEVELS] {
    let t: f64 = counts.iter().sum();
    let floored: [f64; N_LEVELS] = std::array::from_fn(|s| {
        if possible[s] {
            (counts[s] / t).max(floor)
        } else {
            0.0
        }
    });
    let t2: f64 = floored.iter().sum();
    floored.map(|x| x / t2)
}

/// Per field, the levels it can be compared at: Similar only where [`DEFAULT_M`] gives it
/// mass (names and addresses).
fn possible_levels(f: usize) -> [bool; N_LEVELS] {
    std::array::from_fn(|s| s != 1 || DEFAULT_M[f][1] > 0.0)
}

/// Expected matching pairs per field and level: over all candidates, and over those whose
/// field's parent agrees.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Matched {
    pub(super) all: Table,
    pub(super) given_parent: Table,
}

/// Chance agreement from `present` pairs with the field on both sides, `same` of them
/// agreeing, after `matched` pairs are taken out, on top of the generic default `prior`.
fn chance_of(
    present: f64,
    same: f64,
    near_rate: [f64; 2],
    matched: &[f64; N_LEVELS],
    prior: &[f64; N_LEVELS],
) -> [f64; N_LEVELS] {
    let [md, mi, mc, ms] = *matched;
    let nonmatch = (present - md - mi - mc - ms).max(0.0);
    let same = (same - ms).max(0.0).min(nonmatch);
    let close = (near_rate[1] * present - mc).max(0.0).min(nonmatch - same);
    let similar = (near_rate[0] * present - mi)
        .max(0.0)
        .min(nonmatch - same - close);
    let observed = [nonmatch - same - close - similar, similar, close, same];
    let c: [f64; N_LEVELS] = std::array::from_fn(|s| U_PRIOR_PAIRS * prior[s] + observed[s]);
    let all = [true; N_LEVELS];
    normalise(&c, 0.0, &all)
}

/// u (parent not agreeing) and u given the parent agrees, from the table's counts with the
/// matches taken out.
fn chance(counts: &PairCounts, matched: &Matched) -> (Table, Table) {
    let mut u = [[0.0; N_LEVELS]; N_FIELDS];
    let mut given = [[0.0; N_LEVELS]; N_FIELDS];
    for f in 0..N_FIELDS {
        let cond = matched.given_parent[f];
        let rest: [f64; N_LEVELS] = std::array::from_fn(|s| matched.all[f][s] - cond[s]);
        let (pp, ps) = (counts.parent_present[f], counts.parent_same[f]);
        u[f] = chance_of(
            counts.present[f] - pp,
            counts.same[f] - ps,
            counts.near_rate[f],
            &rest,
            &DEFAULT_U[f],
        );
        given[f] = if PARENT[f].is_some() {
            chance_of(pp, ps, counts.near_rate[f], &cond, &DEFAULT_U[f])
        } else {
            u[f]
        };
    }
    (u, given)
}

/// Fits m, u and λ by expectation-maximisation over the candidate pairs' distinct level
/// patterns (`patterns`: levels and how many candidate pairs show them). Pairs outside the
/// candidates are taken as non-matches: blocking on several keys loses almost none.
pub(super) fn fit(
    patterns: &[([Level; N_FIELDS], f64)],
    counts: &PairCounts,
    iterations: usize,
) -> Fit {
    let candidates: f64 = patterns.iter().map(|p| p.1).sum();
    let lambda_bounds = (1e-15, 0.5);
    let (u, u_given_parent) = chance(counts, &Matched::default());
    let mut fit = Fit {
        // A start that assumes one candidate in ten is a match.
        lambda: (0.1 * candidates / counts.pairs.max(1.0)).clamp(lambda_bounds.0, lambda_bounds.1),
        m: DEFAULT_M,
        u,
        u_given_parent,
    };
    for _ in 0..iterations {
        let mut matched = Matched::default();
        let mut expected = 0.0;
        for (levels, count) in patterns {
            let g = fit.probability(levels) * count;
            expected += g;
            for (f, l) in levels.iter().enumerate() {
                if let Some(s) = slot(*l) {
                    matched.all[f][s] += g;
                    if PARENT[f].is_some_and(|p| levels[p] == Level::Same) {
                        matched.given_parent[f][s] += g;
                    }
                }
            }
        }
        let (u, u_given_parent) = chance(counts, &matched);
        let next = Fit {
            lambda: (expected / counts.pairs.max(1.0)).clamp(lambda_bounds.0, lambda_bounds.1),
            m: std::array::from_fn(|f| {
                let c: [f64; N_LEVELS] =
                    std::array::from_fn(|s| M_PRIOR_PAIRS * DEFAULT_M[f][s] + matched.all[f][s]);
                normalise(&c, 1e-3, &possible_levels(f))
            }),
            u,
            u_given_parent,
        };
        let settled = (next.lambda / fit.lambda - 1.0).abs() < 1e-9
            && next
                .m
                .iter()
                .flatten()
                .zip(fit.m.iter().flatten())
                .all(|(a, b)| (a - b).abs() < 1e-12);
        fit = next;
        if settled {
            break;
        }
    }
    fit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::MatchRecord;

    fn person(given: &str, surname: &str, phone: Option<&str>) -> Prepared {
        MatchRecord {
            given_name: Some(given.into()),
            surname: Some(surname.into()),
            phone: phone.map(Into::into),
            ..Default::default()
        }
        .prepare_for(crate::quality::Country::default())
    }

    #[test]
    fn agreeing_pairs_are_counted_from_value_frequencies() {
        // Names: "ali kaya" ×3 (3 pairs), "kaya ali" is the same name swapped (so 4 records:
        // 6 pairs), "ayse demir" ×2 (1 pair), "can oz" once: 7 records, 21 pairs, 7 agreeing.
        // Phones: 3 present, two equal: 3 pairs with both present, 1 agreeing.
        let rows = [
            person("Ali", "Kaya", Some("0532 111 22 33")),
            person("Ali", "Kaya", Some("+90 532 111 2233")),
            person("ALİ", "KAYA", None),
            person("Kaya", "Ali", None),
            person("Ayşe", "Demir", Some("0533 444 55 66")),
            person("Ayse", "Demir", None),
            person("Can", "Öz", None),
        ];
        let c = count_pairs(&rows, 1_000, 1);
        assert_eq!(c.pairs, 21.0);
        assert_eq!((c.present[0], c.same[0]), (21.0, 7.0));
        assert_eq!((c.present[3], c.same[3]), (3.0, 1.0));
        assert_eq!((c.present[4], c.same[4]), (0.0, 0.0));
    }

    /// A level the field is never compared at stays 0 and takes no floor; the others are
    /// floored and renormalised: counts (0, 0, 5, 15) are 0.25 and 0.75 of 20, the empty
    /// Different is raised to 0.001, and the three divided by 1.001.
    #[test]
    fn impossible_levels_stay_zero() {
        let p = normalise(&[0.0, 0.0, 5.0, 15.0], 1e-3, &[true, false, true, true]);
        let want = [0.001 / 1.001, 0.0, 0.25 / 1.001, 0.75 / 1.001];
        for (got, want) in p.iter().zip(want) {
            assert!((got - want).abs() < 1e-15);
        }
        // Only names and addresses are compared in bands.
        let banded: Vec<usize> = (0..N_FIELDS).filter(|&f| possible_levels(f)[1]).collect();
        assert_eq!(banded, [0, 5]);
    }

    #[test]
    fn chance_agreement_leaves_the_matches_out() {
        let mut counts = PairCounts {
            pairs: 1e6,
            present: [1e6; N_FIELDS],
            same: [0.0; N_FIELDS],
            near_rate: [[0.0; 2]; N_FIELDS],
            parent_present: [0.0; N_FIELDS],
            parent_same: [0.0; N_FIELDS],
        };
        counts.same[3] = 150.0; // 150 pairs share a phone...
        let mut matched = Matched::default();
        matched.all[3] = [10.0, 0.0, 0.0, 100.0]; // ...100 of them are matches
        let (u, _) = chance(&counts, &matched);
        // 50 non-matching agreeing pairs of 1e6 − 110 non-matching pairs, plus the prior
        // 1000 × (0.999, 0, 0.0005, 0.0005).
        let total = 1e6 - 110.0 + 1_000.0;
        assert!((u[3][3] - (50.0 + 0.5) / total).abs() < 1e-15);
        assert!((u[3][2] - 0.5 / total).abs() < 1e-15);
        assert_eq!(u[3][1], 0.0);
        assert!((u[3].iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
