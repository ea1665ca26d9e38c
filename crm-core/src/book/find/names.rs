//! The name index: the words of every live customer's normalised name, each with the sorted
//! ids that have it, and the one-letter deletions of the longer words for fuzzy lookup.
//!
//! A query word `q` scores a name word `t`: 1.0 when equal; `0.8 + 0.2·|q|/|t|` when `t`
//! starts with `q` (|q| ≥ 2); `jaro_winkler(q, t)` when |q| ≥ 4, the two are one deletion
//! apart each way at most, and it is at least [`FUZZY_FLOOR`] (the best of these). A name
//! matches when every query word scores above 0 against one of its words (any order); its
//! score is the mean of the query words' best scores.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use rustc_hash::{FxHashMap, FxHashSet};

use super::keys::hash;
use crate::model::{Customer, CustomerId};
use crate::quality::normalize_name;

/// The least Jaro–Winkler similarity a fuzzy word match counts at (duplicate detection's
/// "similar" floor).
pub const FUZZY_FLOOR: f64 = 0.84;

/// The most name words one query word expands to (best first).
pub const MAX_NAME_EXPANSIONS: usize = 64;

/// The shortest query word matched as a prefix, and as a fuzzy word.
const MIN_PREFIX: usize = 2;
const MIN_FUZZY: usize = 4;

type TokenId = u32;

/// The words of a name as [`normalize_name`] gives them, deduplicated.
pub(crate) fn tokens(name: &str) -> Vec<String> {
    let mut t: Vec<String> = normalize_name(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

/// How well query word `q` matches name word `t` (0 when it does not).
pub(crate) fn word_score(q: &str, t: &str) -> f64 {
    if q == t {
        return 1.0;
    }
    let (nq, nt) = (q.chars().count(), t.chars().count());
    let mut best = 0.0f64;
    if nq >= MIN_PREFIX && t.starts_with(q) {
        best = 0.8 + 0.2 * nq as f64 / nt as f64;
    }
    if nq >= MIN_FUZZY && nq.abs_diff(nt) <= 1 && one_deletion_apart(q, t) {
        let jw = strsim::jaro_winkler(q, t);
        if jw >= FUZZY_FLOOR {
            best = best.max(jw);
        }
    }
    best
}

/// The word without its `i`-th letter, for every `i`.
fn deletions(w: &str) -> impl Iterator<Item = String> + '_ {
    w.char_indices()
        .map(move |(i, c)| format!("{}{}", &w[..i], &w[i + c.len_utf8()..]))
}

/// Whether `a` and `b` are equal after deleting at most one letter from each (this covers
/// one substitution, insertion, deletion or adjacent transposition).
fn one_deletion_apart(a: &str, b: &str) -> bool {
    a == b
        || deletions(a).any(|d| d == b)
        || deletions(b).any(|d| d == a)
        || deletions(a).any(|da| deletions(b).any(|db| db == da))
}

/// Words → sorted ids, and each live customer's words.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    vocab: BTreeMap<Box<str>, TokenId>,
    words: Vec<Box<str>>,
    postings: Vec<Vec<CustomerId>>,
    tokens_of: FxHashMap<CustomerId, Box<[TokenId]>>,
    /// Hash of a one-letter deletion of a word of at least [`MIN_FUZZY`] letters → words.
    deletes: FxHashMap<u64, Vec<TokenId>>,
}

impl NameIndex {
    fn token(&mut self, w: &str) -> TokenId {
        if let Some(&t) = self.vocab.get(w) {
            return t;
        }
        let t = self.words.len() as TokenId;
        self.vocab.insert(w.into(), t);
        self.words.push(w.into());
        self.postings.push(Vec::new());
        if w.chars().count() >= MIN_FUZZY {
            for d in deletions(w) {
                self.deletes.entry(hash(&d)).or_default().push(t);
            }
        }
        t
    }

    pub(crate) fn insert(&mut self, c: &Customer) {
        let ts: Vec<TokenId> = tokens(&c.display_name())
            .iter()
            .map(|w| self.token(w))
            .collect();
        for &t in &ts {
            let p = &mut self.postings[t as usize];
            // Ids mostly come in ascending order (bulk builds): append without searching.
            if p.last().is_none_or(|&last| last < c.id) {
                p.push(c.id);
            } else if let Err(pos) = p.binary_search(&c.id) {
                p.insert(pos, c.id);
            }
        }
        if !ts.is_empty() {
            self.tokens_of.insert(c.id, ts.into_boxed_slice());
        }
    }

    pub(crate) fn remove(&mut self, id: CustomerId) {
        let Some(ts) = self.tokens_of.remove(&id) else {
            return;
        };
        for &t in ts.iter() {
            let p = &mut self.postings[t as usize];
            if let Ok(pos) = p.binary_search(&id) {
                p.remove(pos);
            }
        }
    }

    /// Every word with its ids (words without any left out): the comparable content.
    #[cfg(test)]
    pub(crate) fn content(&self) -> BTreeMap<&str, &[CustomerId]> {
        self.vocab
            .iter()
            .filter(|&(_, &t)| !self.postings[t as usize].is_empty())
            .map(|(w, &t)| (&**w, &self.postings[t as usize][..]))
            .collect()
    }

    /// The name words `q` matches, best first, at most [`MAX_NAME_EXPANSIONS`].
    pub(crate) fn expand(&self, q: &str) -> Vec<(TokenId, f64)> {
        let mut cands: FxHashSet<TokenId> = FxHashSet::default();
        if let Some(&t) = self.vocab.get(q) {
            cands.insert(t);
        }
        if q.chars().count() >= MIN_PREFIX {
            use std::ops::Bound;
            let from = (Bound::Included(q), Bound::Unbounded);
            for (w, &t) in self.vocab.range::<str, _>(from) {
                if !w.starts_with(q) {
                    break;
                }
                cands.insert(t);
            }
        }
        if q.chars().count() >= MIN_FUZZY {
            for d in std::iter::once(q.to_owned()).chain(deletions(q)) {
                if let Some(&t) = self.vocab.get(d.as_str()) {
                    cands.insert(t);
                }
                if let Some(ts) = self.deletes.get(&hash(&d)) {
                    cands.extend(ts.iter().copied());
                }
            }
        }
        let mut out: Vec<(TokenId, f64)> = cands
            .into_iter()
            .map(|t| (t, word_score(q, &self.words[t as usize])))
            .filter(|&(t, s)| s > 0.0 && !self.postings[t as usize].is_empty())
            .collect();
        out.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.words[a.0 as usize].cmp(&self.words[b.0 as usize]))
        });
        out.truncate(MAX_NAME_EXPANSIONS);
        out
    }

    /// The name score of customer `id` for the query words' expansions (0 when a word is
    /// unmatched or the customer has no name).
    pub(crate) fn score(&self, id: CustomerId, expansions: &[FxHashMap<TokenId, f64>]) -> f64 {
        let Some(ts) = self.tokens_of.get(&id) else {
            return 0.0;
        };
        let mut sum = 0.0;
        for e in expansions {
            let best = ts
                .iter()
                .filter_map(|t| e.get(t))
                .fold(0.0f64, |a, &b| a.max(b));
            if best == 0.0 {
                return 0.0;
            }
            sum += best;
        }
        sum / expansions.len() as f64
    }

    /// The query words' expansions as maps, or `None` when a word matches nothing.
    pub(crate) fn expansions(&self, query: &[String]) -> Option<Vec<Vec<(TokenId, f64)>>> {
        let all: Vec<_> = query.iter().map(|q| self.expand(q)).collect();
        all.iter().all(|e| !e.is_empty()).then_some(all)
    }

    /// The `limit` best names for the query words (score desc, id asc).
    ///
    /// Combinations of one expansion per query word are taken in descending order of the
    /// score they allow (the mean of their word scores: exactly the score of a customer
    /// whose best word matches they are), and each is the intersection of its words'
    /// sorted postings, walked from the shortest with galloping searches in the others.
    /// The walk stops when the `limit`-th best found beats what the next combination
    /// allows. When the combinations cost more than walking the rarest word's postings
    /// once would (many combinations, few names having all the words), that walk answers
    /// instead ([`NameIndex::search_by_driver`]); both give the same result.
    pub(crate) fn search(
        &self,
        expansions: &[Vec<(TokenId, f64)>],
        limit: usize,
    ) -> Vec<(CustomerId, f64)> {
        let size = |e: &Vec<(TokenId, f64)>| -> usize {
            e.iter()
                .map(|&(t, _)| self.postings[t as usize].len())
                .sum()
        };
        // The driver walk's cost: the budget the combinations may spend (a floor so that a
        // small book does not give up on its first combination).
        let budget = expansions.iter().map(size).min().unwrap_or(0).max(1024);
        self.search_combined(expansions, limit, budget)
            .unwrap_or_else(|| self.search_by_driver(expansions, limit))
    }

    /// [`NameIndex::search`] by combinations of expansions, or `None` once it has spent
    /// `budget` (ids walked, and 16 for each combination).
    pub(crate) fn search_combined(
        &self,
        expansions: &[Vec<(TokenId, f64)>],
        limit: usize,
        budget: usize,
    ) -> Option<Vec<(CustomerId, f64)>> {
        const _: () = assert!(MAX_NAME_EXPANSIONS <= u8::MAX as usize + 1);
        let k = expansions.len();
        if k == 0 || k > MAX_WORDS || expansions.iter().any(Vec::is_empty) {
            return None;
        }
        let maps = score_maps(expansions);
        let mut work = 0usize;
        let bound_of = |c: &[u8; MAX_WORDS]| -> f64 {
            // The scorer's own arithmetic (a sum in word order, then the mean), so that
            // a customer whose best matches are this combination scores it bit for bit.
            let mut sum = 0.0;
            for (w, e) in expansions.iter().enumerate() {
                sum += e[c[w] as usize].1;
            }
            sum / k as f64
        };
        let mut todo: BinaryHeap<Combo> = BinaryHeap::new();
        let first = [0u8; MAX_WORDS];
        todo.push(Combo {
            bound: bound_of(&first),
            at: first,
            pivot: 0,
        });
        let mut best: BinaryHeap<Ranked> = BinaryHeap::with_capacity(limit + 1);
        let mut seen: FxHashSet<CustomerId> = FxHashSet::default();
        let mut lists: [&[CustomerId]; MAX_WORDS] = [&[]; MAX_WORDS];
        let mut cursor = [0usize; MAX_WORDS];
        while let Some(Combo { bound, at, pivot }) = todo.pop() {
            if best.len() == limit && best.peek().is_some_and(|w| w.score > bound) {
                break;
            }
            // Successors: one position at or after the pivot moves to its next expansion,
            // so that every combination is met exactly once, never before its parent.
            for w in pivot..k {
                if (at[w] as usize) + 1 < expansions[w].len() {
                    let mut next = at;
                    next[w] += 1;
                    todo.push(Combo {
                        bound: bound_of(&next),
                        at: next,
                        pivot: w,
                    });
                }
            }
            for w in 0..k {
                lists[w] = &self.postings[expansions[w][at[w] as usize].0 as usize];
                cursor[w] = 0;
            }
            let lists = &mut lists[..k];
            lists.sort_unstable_by_key(|l| l.len());
            work += 16;
            for &id in lists[0] {
                work += 1;
                // Ids ascend: once the worst kept beats (bound, id), no later id can enter.
                if best.len() == limit
                    && best
                        .peek()
                        .is_some_and(|w| Ranked { score: bound, id }.cmp(w) == Ordering::Greater)
                {
                    break;
                }
                let mut all = true;
                for w in 1..k {
                    let l = lists[w];
                    let c = gallop(l, cursor[w], id);
                    cursor[w] = c;
                    if l.get(c) != Some(&id) {
                        all = false;
                        break;
                    }
                }
                if !all || !seen.insert(id) {
                    continue;
                }
                let score = self.score(id, &maps);
                if score > 0.0 {
                    best.push(Ranked { score, id });
                    if best.len() > limit {
                        best.pop();
                    }
                }
            }
            if work > budget {
                return None;
            }
        }
        Some(sorted(best))
    }

    /// [`NameIndex::search`] by walking the postings of the query word whose expansions
    /// have the fewest ids, best expansion first; a customer met there is scored on every
    /// word. The walk stops when the `limit`-th best found beats what any customer still
    /// to come could reach.
    pub(crate) fn search_by_driver(
        &self,
        expansions: &[Vec<(TokenId, f64)>],
        limit: usize,
    ) -> Vec<(CustomerId, f64)> {
        let maps = score_maps(expansions);
        let n = expansions.len() as f64;
        // The best any word can score: a name's score is at most the driver's word score
        // plus the others' best, over n.
        let tops: Vec<f64> = expansions
            .iter()
            .map(|e| e.first().map_or(0.0, |x| x.1))
            .collect();
        let size = |e: &Vec<(TokenId, f64)>| -> usize {
            e.iter()
                .map(|&(t, _)| self.postings[t as usize].len())
                .sum()
        };
        let Some((d, driver)) = expansions.iter().enumerate().min_by_key(|(_, e)| size(e)) else {
            return Vec::new();
        };
        let others: f64 = tops.iter().sum::<f64>() - tops[d];
        let mut best: BinaryHeap<Ranked> = BinaryHeap::with_capacity(limit + 1);
        let mut seen: FxHashSet<CustomerId> = FxHashSet::default();
        for &(t, s) in driver {
            // The most a customer reached through this word can score.
            let bound = (s + others) / n;
            if best.len() == limit && best.peek().is_some_and(|w| w.score > bound) {
                break;
            }
            for &id in &self.postings[t as usize] {
                // Ids ascend along a posting: once the worst kept beats (bound, id), no
                // later id here can enter.
                if best.len() == limit
                    && best
                        .peek()
                        .is_some_and(|w| Ranked { score: bound, id }.cmp(w) == Ordering::Greater)
                {
                    break;
                }
                if !seen.insert(id) {
                    continue;
                }
                let score = self.score(id, &maps);
                if score > 0.0 {
                    best.push(Ranked { score, id });
                    if best.len() > limit {
                        best.pop();
                    }
                }
            }
        }
        sorted(best)
    }

    /// Every customer's name score, best first (score desc, id asc), at most `limit`: the
    /// brute-force answer the searches are checked against.
    #[cfg(test)]
    pub(crate) fn search_all(
        &self,
        expansions: &[Vec<(TokenId, f64)>],
        limit: usize,
    ) -> Vec<(CustomerId, f64)> {
        let maps = score_maps(expansions);
        let mut all: Vec<(CustomerId, f64)> = self
            .tokens_of
            .keys()
            .map(|&id| (id, self.score(id, &maps)))
            .filter(|&(_, s)| s > 0.0)
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(limit);
        all
    }

    pub(crate) fn reserve(&mut self, n: usize) {
        self.tokens_of.reserve(n);
    }

    /// Distinct words and the ids on all postings: the index's size.
    pub(crate) fn sizes(&self) -> (usize, usize) {
        (
            self.words.len(),
            self.postings.iter().map(Vec::len).sum::<usize>(),
        )
    }
}

/// The most query words [`NameIndex::search`] combines (the lookup allows
/// [`super::MAX_NAME_WORDS`]).
const MAX_WORDS: usize = 8;

/// The query words' expansions as maps for [`NameIndex::score`].
pub(crate) fn score_maps(expansions: &[Vec<(TokenId, f64)>]) -> Vec<FxHashMap<TokenId, f64>> {
    expansions
        .iter()
        .map(|e| e.iter().copied().collect())
        .collect()
}

/// The kept best, best first (score desc, id asc).
fn sorted(best: BinaryHeap<Ranked>) -> Vec<(CustomerId, f64)> {
    let mut out: Vec<(CustomerId, f64)> = best.into_iter().map(|r| (r.id, r.score)).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The first position at or after `from` whose id is at least `id` (`list` ascending):
/// steps doubling from `from`, then a binary search in the last step, so that walking a
/// short list against a long one costs the short one's length times a logarithm.
fn gallop(list: &[CustomerId], from: usize, id: CustomerId) -> usize {
    let mut lo = from;
    let mut step = 1;
    let mut hi = from;
    while hi < list.len() && list[hi] < id {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    let hi = hi.min(list.len());
    lo + list[lo..hi].partition_point(|&x| x < id)
}

/// One expansion per query word (`at`), with the score it allows; ordered by that score so
/// that a max-heap gives the most promising first. Positions before `pivot` stay as they
/// are in its successors.
#[derive(Debug, Clone, Copy)]
struct Combo {
    bound: f64,
    at: [u8; MAX_WORDS],
    pivot: usize,
}

impl PartialEq for Combo {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Combo {}
impl PartialOrd for Combo {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Combo {
    fn cmp(&self, other: &Self) -> Ordering {
        self.bound.total_cmp(&other.bound)
    }
}

/// A scored customer, ordered worst first (lower score, then higher id) so that a max-heap
/// keeps the worst of the best on top.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: f64,
    id: CustomerId,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.id.cmp(&other.id))
    }
}
