//! RFM: recency, frequency and monetary quantile scores, and named segments from an ordered
//! rule table.

use serde::{Deserialize, Serialize};

use super::check_len;
use rayon::prelude::*;

use super::order::{integer_thresholds, score as score_of, thresholds};
use crate::error::{CrmError, Result};

/// An inclusive range of scores, on the map's scale. JSON: `[lo, hi]`.
pub type ScoreRange = [f64; 2];

/// One named segment: a customer matches when every given range contains its score.
/// `fm` is the average of the F and M scores, as in the commonly published tables.
///
/// JSON: `{"name": "Champions", "r": [4, 5], "fm": [4, 5]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmRule {
    /// Segment name.
    pub name: String,
    /// Recency score range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<ScoreRange>,
    /// Frequency score range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f: Option<ScoreRange>,
    /// Monetary score range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub m: Option<ScoreRange>,
    /// Range of the average of F and M.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fm: Option<ScoreRange>,
}

impl RfmRule {
    fn rule(name: &str, r: ScoreRange, fm: ScoreRange) -> Self {
        RfmRule {
            name: name.to_owned(),
            r: Some(r),
            f: None,
            m: None,
            fm: Some(fm),
        }
    }

    /// Whether scores `(r, f, m)` on the map's scale match.
    pub fn matches(&self, r: f64, f: f64, m: f64) -> bool {
        let within = |range: &Option<ScoreRange>, x: f64| {
            range.is_none_or(|[lo, hi]| lo - 1e-9 <= x && x <= hi + 1e-9)
        };
        within(&self.r, r)
            && within(&self.f, f)
            && within(&self.m, m)
            && within(&self.fm, (f + m) / 2.0)
    }
}

/// An ordered rule table: the first matching rule names the segment.
///
/// `scale` is the number of score bins the rules are written for (5 for the published
/// tables); with another number of bins, scores are mapped linearly onto the scale before
/// matching (`1 + (s − 1)·(scale − 1)/(bins − 1)`).
///
/// JSON: `{"scale": 5, "rules": [{"name": "Champions", "r": [4, 5], "fm": [4, 5]}, …]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmSegmentMap {
    /// The score range 1..=scale the rules are written for.
    #[serde(default = "five")]
    pub scale: u8,
    /// The rules, first match wins.
    pub rules: Vec<RfmRule>,
}

fn five() -> u8 {
    5
}

/// The most rules an [`RfmSegmentMap`] has: far more than the cells of the largest grid
/// (9 × 9 × 9 = 729), and each cell stores its rule's index in 16 bits.
pub const MAX_RFM_RULES: usize = 1_000;

impl RfmSegmentMap {
    /// The common 11-segment table (R against the average of F and M) in the order it is
    /// usually published. Read its [`RfmSegmentMap::report`]: in this order Lost, New
    /// Customers, Promising and Can't Lose Them can never match, because earlier rules cover
    /// all their cells (and Lost has the very same ranges as Hibernating).
    pub fn published() -> Self {
        let r = RfmRule::rule;
        RfmSegmentMap {
            scale: 5,
            rules: vec![
                r("Champions", [4.0, 5.0], [4.0, 5.0]),
                r("Loyal Customers", [2.0, 5.0], [3.0, 5.0]),
                r("Potential Loyalist", [3.0, 5.0], [1.0, 3.0]),
                r("New Customers", [4.0, 5.0], [1.0, 1.0]),
                r("Promising", [3.0, 4.0], [1.0, 1.0]),
                r("Need Attention", [2.0, 3.0], [2.0, 3.0]),
                r("About To Sleep", [2.0, 3.0], [1.0, 2.0]),
                r("At Risk", [1.0, 2.0], [2.0, 5.0]),
                r("Can't Lose Them", [1.0, 1.0], [4.0, 5.0]),
                r("Hibernating", [1.0, 2.0], [1.0, 2.0]),
                r("Lost", [1.0, 2.0], [1.0, 2.0]),
            ],
        }
    }

    /// crm's default: the same 11 segments and ranges, ordered from specific to general so
    /// that every segment can match, with Lost narrowed to R 1, FM 1 (it repeats
    /// Hibernating's ranges in the published table). Every cell of the 5×5×5 grid is
    /// covered.
    pub fn standard() -> Self {
        let r = RfmRule::rule;
        RfmSegmentMap {
            scale: 5,
            rules: vec![
                r("Champions", [4.0, 5.0], [4.0, 5.0]),
                r("Can't Lose Them", [1.0, 1.0], [4.0, 5.0]),
                r("Loyal Customers", [2.0, 5.0], [3.0, 5.0]),
                r("At Risk", [1.0, 2.0], [2.0, 5.0]),
                r("New Customers", [4.0, 5.0], [1.0, 1.0]),
                r("Promising", [3.0, 4.0], [1.0, 1.0]),
                r("Need Attention", [2.0, 3.0], [2.0, 3.0]),
                r("Lost", [1.0, 1.0], [1.0, 1.0]),
                r("Hibernating", [1.0, 2.0], [1.0, 2.0]),
                r("About To Sleep", [2.0, 3.0], [1.0, 2.0]),
                r("Potential Loyalist", [3.0, 5.0], [1.0, 3.0]),
            ],
        }
    }

    /// Checks the scale, names and ranges.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for a scale outside 2..=9, no rules or more than
    /// [`MAX_RFM_RULES`], an empty or repeated name, or a range with lo > hi or outside
    /// 1..=scale.
    pub fn validate(&self) -> Result<()> {
        if !(2..=9).contains(&self.scale) {
            return Err(CrmError::invalid("scale", self.scale, "must be 2 to 9"));
        }
        if self.rules.len() > MAX_RFM_RULES {
            return Err(CrmError::invalid(
                "rules",
                format_args!("of length {}", self.rules.len()),
                format_args!("a segment map has at most {MAX_RFM_RULES} rules"),
            ));
        }
        if self.rules.is_empty() {
            return Err(CrmError::invalid(
                "rules",
                "[]",
                "at least one rule is needed",
            ));
        }
        let top = f64::from(self.scale);
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.name.trim().is_empty() {
                return Err(CrmError::invalid(
                    &format!("rules[{i}].name"),
                    "\"\"",
                    "must not be empty",
                ));
            }
            if self.rules[..i].iter().any(|o| o.name == rule.name) {
                return Err(CrmError::invalid(
                    &format!("rules[{i}].name"),
                    &rule.name,
                    "is used twice",
                ));
            }
            for (field, range) in [("r", rule.r), ("f", rule.f), ("m", rule.m), ("fm", rule.fm)] {
                if let Some([lo, hi]) = range {
                    if !(1.0 <= lo && lo <= hi && hi <= top) {
                        return Err(CrmError::invalid(
                            &format!("rules[{i}].{field}"),
                            format!("[{lo}, {hi}]"),
                            format_args!("need 1 <= lo <= hi <= {}", self.scale),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The index of the first rule matching scores on `bins` bins, or `None`.
    pub fn classify(&self, r: u8, f: u8, m: u8, bins: u8) -> Option<usize> {
        let scale = |s: u8| {
            if bins == self.scale || bins < 2 {
                f64::from(s)
            } else {
                1.0 + f64::from(s - 1) * f64::from(self.scale - 1) / f64::from(bins - 1)
            }
        };
        let (r, f, m) = (scale(r), scale(f), scale(m));
        self.rules.iter().position(|rule| rule.matches(r, f, m))
    }

    /// Which rules can never match and which score cells no rule covers, found by trying
    /// every cell of the scale³ grid.
    pub fn report(&self) -> RuleReport {
        let mut first_for = vec![0usize; self.rules.len()];
        let mut uncovered = Vec::new();
        let s = self.scale;
        for r in 1..=s {
            for f in 1..=s {
                for m in 1..=s {
                    match self.classify(r, f, m, s) {
                        Some(i) => first_for[i] += 1,
                        None => uncovered.push([r, f, m]),
                    }
                }
            }
        }
        let shadowed = self
            .rules
            .iter()
            .enumerate()
            .filter(|&(i, _)| first_for[i] == 0)
            .map(|(i, rule)| {
                // The earlier rules that take this rule's cells.
                let mut by = Vec::new();
                for r in 1..=s {
                    for f in 1..=s {
                        for m in 1..=s {
                            let (x, y, z) = (f64::from(r), f64::from(f), f64::from(m));
                            if rule.matches(x, y, z) {
                                if let Some(j) =
                                    self.rules[..i].iter().position(|o| o.matches(x, y, z))
                                {
                                    if !by.contains(&self.rules[j].name) {
                                        by.push(self.rules[j].name.clone());
                                    }
                                }
                            }
                        }
                    }
                }
                ShadowedRule {
                    name: rule.name.clone(),
                    shadowed_by: by,
                }
            })
            .collect();
        RuleReport {
            cells_per_rule: self
                .rules
                .iter()
                .zip(first_for)
                .map(|(rule, n)| (rule.name.clone(), n))
                .collect(),
            shadowed,
            uncovered,
        }
    }
}

impl Default for RfmSegmentMap {
    fn default() -> Self {
        Self::standard()
    }
}

/// A rule that can never match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowedRule {
    /// The rule.
    pub name: String,
    /// The earlier rules that take all of its cells.
    pub shadowed_by: Vec<String>,
}

/// What a rule table covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleReport {
    /// Per rule, the number of (r, f, m) cells it is the first match for.
    pub cells_per_rule: Vec<(String, usize)>,
    /// Rules that are the first match for no cell.
    pub shadowed: Vec<ShadowedRule>,
    /// Cells no rule matches: customers there get no segment.
    pub uncovered: Vec<[u8; 3]>,
}

/// RFM settings. JSON: `{"bins": 5, "segments": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmConfig {
    /// Number of quantile bins per score (2 to 9).
    #[serde(default = "five")]
    pub bins: u8,
    /// The segment rule table.
    #[serde(default)]
    pub segments: RfmSegmentMap,
}

impl Default for RfmConfig {
    fn default() -> Self {
        RfmConfig {
            bins: 5,
            segments: RfmSegmentMap::standard(),
        }
    }
}

impl RfmConfig {
    /// `bins` quantile bins per score and the rule table `segments`, the standard 11
    /// segments when `None`: the settings both skins' columnar RFM calls build.
    ///
    /// ```
    /// use crm_core::segment::{RfmConfig, RfmSegmentMap};
    /// let c = RfmConfig::new(3, None);
    /// assert_eq!((c.bins, c.segments), (3, RfmSegmentMap::standard()));
    /// ```
    pub fn new(bins: u8, segments: Option<RfmSegmentMap>) -> Self {
        RfmConfig {
            bins,
            segments: segments.unwrap_or_else(RfmSegmentMap::standard),
        }
    }
}

/// RFM scores per customer (input order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rfm {
    /// Recency score, 1..=bins (more recent = higher); 0 for customers without a purchase.
    pub r: Vec<u8>,
    /// Frequency score (0 without a purchase).
    pub f: Vec<u8>,
    /// Monetary score (0 without a purchase).
    pub m: Vec<u8>,
    /// `100·r + 10·f + m` ("555"); 0 without a purchase.
    pub score: Vec<u16>,
    /// Segment index into `segment_names`; `None` without a purchase or when no rule matches.
    pub segment: Vec<Option<u16>>,
    /// The rule names, in table order.
    pub segment_names: Vec<String>,
    /// Customers with a purchase whom no rule covers.
    pub unclassified: usize,
    /// The rule table's coverage report.
    pub report: RuleReport,
}

impl Rfm {
    /// The segment name of row `row`.
    pub fn segment_name(&self, row: usize) -> Option<&str> {
        self.segment
            .get(row)
            .copied()
            .flatten()
            .map(|s| self.segment_names[usize::from(s)].as_str())
    }
}

/// RFM scores from feature columns: quantile scores 1..=bins among the customers with at
/// least one purchase (`frequency > 0` and a finite recency), ties sharing the lowest rank
/// (see [`crate::segment`] for the exact bin rule), then the first matching segment rule.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for columns of different lengths, bins outside 2..=9,
/// a non-finite frequency or monetary value, or a bad rule table.
///
/// ```
/// use crm_core::segment::{rfm, RfmConfig};
/// // Three customers: the recent big spender, a middling one, one long gone.
/// let r = rfm(&[2.0, 30.0, 400.0], &[12.0, 3.0, 1.0], &[9000.0, 800.0, 50.0],
///             &RfmConfig { bins: 3, ..RfmConfig::default() })?;
/// assert_eq!((r.r[0], r.f[0], r.m[0]), (3, 3, 3));
/// assert_eq!(r.score, vec![333, 222, 111]);
/// assert_eq!(r.segment_name(0), Some("Champions"));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn rfm(
    recency_days: &[f64],
    frequency: &[f64],
    monetary: &[f64],
    config: &RfmConfig,
) -> Result<Rfm> {
    crate::parallel::install(|| rfm_in_pool(recency_days, frequency, monetary, config))
}

/// [`rfm`], on crm's worker pool.
fn rfm_in_pool(
    recency_days: &[f64],
    frequency: &[f64],
    monetary: &[f64],
    config: &RfmConfig,
) -> Result<Rfm> {
    if !(2..=9).contains(&config.bins) {
        return Err(CrmError::invalid("bins", config.bins, "must be 2 to 9"));
    }
    config.segments.validate()?;
    let n = recency_days.len();
    check_len("frequency", frequency.len(), "recency_days", n)?;
    check_len("monetary", monetary.len(), "recency_days", n)?;
    super::check_values("frequency", frequency)?;
    super::check_values("monetary", monetary)?;

    let active: Vec<bool> = (0..n)
        .map(|i| frequency[i] > 0.0 && recency_days[i].is_finite())
        .collect();
    let bins = config.bins;
    let of_active =
        |col: &[f64]| -> Vec<f64> { (0..n).filter(|&i| active[i]).map(|i| col[i]).collect() };
    // The three columns' thresholds are independent: find them on separate threads.
    let (t_r, (t_f, t_m)) = rayon::join(
        // More recent (fewer days) must score higher: rank the negated recency.
        || {
            thresholds(
                (0..n)
                    .filter(|&i| active[i])
                    .map(|i| -recency_days[i])
                    .collect(),
                bins,
            )
        },
        || {
            rayon::join(
                || {
                    let counts = (0..n).filter(|&i| active[i]).map(|i| frequency[i]);
                    integer_thresholds(counts, bins)
                        .unwrap_or_else(|| thresholds(of_active(frequency), bins))
                },
                || thresholds(of_active(monetary), bins),
            )
        },
    );
    let (mut r, mut f, mut m) = (vec![0u8; n], vec![0u8; n], vec![0u8; n]);
    r.par_iter_mut()
        .zip(f.par_iter_mut())
        .zip(m.par_iter_mut())
        .enumerate()
        .with_min_len(4096)
        .for_each(|(i, ((r, f), m))| {
            if active[i] {
                *r = score_of(-recency_days[i], &t_r);
                *f = score_of(frequency[i], &t_f);
                *m = score_of(monetary[i], &t_m);
            }
        });
    let map = &config.segments;
    // Every (r, f, m) cell classified once; customers then look their cell up.
    let b = usize::from(bins);
    let mut cells = vec![None; (b + 1) * (b + 1) * (b + 1)];
    for cr in 1..=bins {
        for cf in 1..=bins {
            for cm in 1..=bins {
                let at = (usize::from(cr) * (b + 1) + usize::from(cf)) * (b + 1) + usize::from(cm);
                cells[at] = map.classify(cr, cf, cm, bins).map(|s| s as u16);
            }
        }
    }
    let mut unclassified = 0;
    let mut score = Vec::with_capacity(n);
    let mut segment = Vec::with_capacity(n);
    for i in 0..n {
        if !active[i] {
            score.push(0);
            segment.push(None);
            continue;
        }
        score.push(100 * u16::from(r[i]) + 10 * u16::from(f[i]) + u16::from(m[i]));
        let at = (usize::from(r[i]) * (b + 1) + usize::from(f[i])) * (b + 1) + usize::from(m[i]);
        let s = cells[at];
        unclassified += usize::from(s.is_none());
        segment.push(s);
    }
    Ok(Rfm {
        r,
        f,
        m,
        score,
        segment,
        segment_names: map.rules.iter().map(|r| r.name.clone()).collect(),
        unclassified,
        report: map.report(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_order_shadows_lost_and_three_more() {
        let report = RfmSegmentMap::published().report();
        let names: Vec<&str> = report.shadowed.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["New Customers", "Promising", "Can't Lose Them", "Lost"]
        );
        let lost = &report.shadowed[3];
        assert!(lost.shadowed_by.contains(&"Hibernating".to_owned()));
        assert!(report.uncovered.is_empty());
    }

    #[test]
    fn the_standard_order_lets_every_segment_match_and_covers_every_cell() {
        let report = RfmSegmentMap::standard().report();
        assert!(report.shadowed.is_empty(), "{:?}", report.shadowed);
        assert!(report.uncovered.is_empty());
        let total: usize = report.cells_per_rule.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 125);
    }

    #[test]
    fn cells_by_hand() {
        let map = RfmSegmentMap::standard();
        let name = |r, f, m| map.classify(r, f, m, 5).map(|i| map.rules[i].name.as_str());
        assert_eq!(name(5, 5, 5), Some("Champions"));
        assert_eq!(name(1, 5, 4), Some("Can't Lose Them"));
        assert_eq!(name(1, 1, 1), Some("Lost"));
        assert_eq!(name(1, 1, 2), Some("Hibernating")); // FM 1.5
        assert_eq!(name(5, 1, 1), Some("New Customers"));
        assert_eq!(name(3, 1, 1), Some("Promising"));
        assert_eq!(name(3, 1, 2), Some("About To Sleep"));
        assert_eq!(name(4, 2, 2), Some("Potential Loyalist"));
        // Three bins map onto five: 1 → 1, 2 → 3, 3 → 5.
        assert_eq!(
            map.classify(3, 3, 3, 3).map(|i| map.rules[i].name.as_str()),
            Some("Champions")
        );
    }

    #[test]
    fn gaps_and_bad_tables_are_reported() {
        let map = RfmSegmentMap {
            scale: 5,
            rules: vec![RfmRule::rule("Only", [5.0, 5.0], [1.0, 5.0])],
        };
        let r = rfm(
            &[1.0, 2.0],
            &[1.0, 1.0],
            &[1.0, 1.0],
            &RfmConfig {
                bins: 5,
                segments: map,
            },
        )
        .unwrap();
        // n = 2, negated recency -1 and -2: c = 1 → ⌊5·1/2⌋+1 = 3 and c = 0 → 1. Nobody
        // reaches R 5, so both are unclassified.
        assert_eq!(r.r, vec![3, 1]);
        assert_eq!(r.unclassified, 2);
        assert_eq!(r.report.uncovered.len(), 125 - 25);
        let bad = RfmSegmentMap {
            scale: 5,
            rules: vec![RfmRule::rule("X", [4.0, 2.0], [1.0, 5.0])],
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "invalid rules[0].r [4, 2]: need 1 <= lo <= hi <= 5"
        );
        let err = rfm(&[1.0], &[1.0, 2.0], &[1.0], &RfmConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid frequency length 2: must equal the length of recency_days (1)"
        );
    }

    #[test]
    fn customers_without_purchases_get_no_scores() {
        let r = rfm(
            &[f64::NAN, 3.0],
            &[0.0, 2.0],
            &[0.0, 100.0],
            &RfmConfig::default(),
        )
        .unwrap();
        assert_eq!(
            (r.r[0], r.f[0], r.m[0], r.score[0], r.segment[0]),
            (0, 0, 0, 0, None)
        );
        // A single active customer: c = 0 everywhere → all scores 1.
        assert_eq!(r.score[1], 111);
        assert_eq!(r.segment_name(1), Some("Lost"));
    }
}
