//! Value scores, tiers, RFM segments and strategies computed over the whole book, kept so
//! that the 360° view can show them.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CustomerBook;
use crate::error::Result;
use crate::features::Features;
use crate::model::{Channel, CustomerKind};
use crate::segment::{
    AbcClass, AttributeColumn, Pareto, Pyramid, Rfm, SegmentMatrix, Strategy, StrategyMap, abc,
    pareto, pyramid, rfm, segment_matrix,
};
use crate::value::{ValueKey, ValueScores};

pub use crate::segment::SegmentationConfig;

/// The book segmented as of an instant: columns in the book's customer order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    /// The instant.
    pub as_of: DateTime<Utc>,
    /// The features it was computed from.
    pub features: Features,
    /// Value scores and contributions.
    pub scores: ValueScores,
    /// Tiers drawn from the value scores, with net revenue per tier.
    pub pyramid: Pyramid,
    /// RFM scores and segments.
    pub rfm: Rfm,
    /// ABC classes on net revenue.
    pub abc: Vec<AbcClass>,
    /// Concentration of net revenue.
    pub pareto: Pareto,
    /// The strategies used.
    pub strategies: StrategyMap,
}

/// What a segmentation says, per customer and in total: the one document both skins return
/// for `analyse` (`crm_book_analyse_json`, Python's `CustomerBook.analyse`). JSON:
/// `{"as_of": "2025-06-01T00:00:00Z", "customer_id": [ids], "score": [0..100],
/// "tier": ["Gold"…], "segment": ["Champions" | null…], "rfm_score": [555…],
/// "abc": ["A"…], "pyramid": [TierSummary…], "pareto": Pareto, "rfm_report": RuleReport,
/// "strategies": StrategyMap}`; the columns in the book's customer order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentationSummary {
    /// The instant.
    pub as_of: DateTime<Utc>,
    /// Customer ids.
    pub customer_id: Vec<crate::model::CustomerId>,
    /// Value scores, 0 to 100.
    pub score: Vec<f64>,
    /// Pyramid tier names.
    pub tier: Vec<String>,
    /// RFM segment names (`None` without a purchase or a matching rule).
    pub segment: Vec<Option<String>>,
    /// RFM scores as "r f m" digits.
    pub rfm_score: Vec<u16>,
    /// ABC classes on net revenue.
    pub abc: Vec<AbcClass>,
    /// Customers and revenue per tier.
    pub pyramid: Vec<crate::segment::TierSummary>,
    /// Concentration of net revenue.
    pub pareto: Pareto,
    /// The RFM rule table's coverage report.
    pub rfm_report: crate::segment::RuleReport,
    /// The strategies used.
    pub strategies: StrategyMap,
}

impl Segmentation {
    /// The summary both skins return ([`SegmentationSummary`]).
    ///
    /// ```
    /// use crm_core::book::SegmentationConfig;
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(200).seed(3);
    /// let (mut book, _) = config.build_book()?;
    /// let s = book.analyse(config.end(), &SegmentationConfig::default())?.summary();
    /// assert_eq!(s.customer_id.len(), book.len());
    /// assert_eq!(s.pyramid.iter().map(|t| t.customers).sum::<usize>(), book.len());
    /// assert_eq!(s.tier.iter().filter(|t| *t == "Lead").count(), s.pyramid[3].customers);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn summary(&self) -> SegmentationSummary {
        let rows = self.features.len();
        SegmentationSummary {
            as_of: self.as_of,
            customer_id: self.features.customer_id.clone(),
            score: self.scores.score.clone(),
            tier: (0..rows)
                .map(|i| self.pyramid.tier_name(i).unwrap_or_default().to_owned())
                .collect(),
            segment: (0..rows)
                .map(|i| self.rfm.segment_name(i).map(str::to_owned))
                .collect(),
            rfm_score: self.rfm.score.clone(),
            abc: self.abc.clone(),
            pyramid: self.pyramid.summary.clone(),
            pareto: self.pareto.clone(),
            rfm_report: self.rfm.report.clone(),
            strategies: self.strategies.clone(),
        }
    }
}

/// One customer's analytics, as the 360° view shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerAnalytics {
    /// When they were computed.
    pub as_of: DateTime<Utc>,
    /// Value score, 0 to 100.
    pub score: f64,
    /// Each key's contribution to the score.
    pub contributions: Vec<(ValueKey, f64)>,
    /// Pyramid tier.
    pub tier: String,
    /// ABC class by net revenue.
    pub abc: AbcClass,
    /// RFM scores as "r f m" digits (0 without a purchase).
    pub rfm_score: u16,
    /// RFM segment.
    pub segment: Option<String>,
    /// What to do, by tier.
    pub tier_strategy: Option<Strategy>,
    /// What to do, by RFM segment.
    pub segment_strategy: Option<Strategy>,
}

/// A customer attribute for the vertical split of the segment matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// City or province.
    City,
    /// District.
    District,
    /// Region.
    Region,
    /// Sector.
    Sector,
    /// Acquisition channel.
    AcquisitionChannel,
    /// Person or organisation.
    Kind,
    /// Country code.
    Country,
}

impl Attribute {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Attribute::City => "city",
            Attribute::District => "district",
            Attribute::Region => "region",
            Attribute::Sector => "sector",
            Attribute::AcquisitionChannel => "acquisition_channel",
            Attribute::Kind => "kind",
            Attribute::Country => "country",
        }
    }

    /// The customer's value of the attribute (`None` when unknown).
    pub(crate) fn value_of(self, c: &crate::model::Customer) -> Option<&str> {
        match self {
            Attribute::City => c.address.city.as_deref(),
            Attribute::District => c.address.district.as_deref(),
            Attribute::Country => c.address.country.as_deref(),
            Attribute::Region => c.region.as_deref(),
            Attribute::Sector => c.sector.as_deref(),
            Attribute::AcquisitionChannel => c.acquisition_channel.map(Channel::as_str),
            Attribute::Kind => Some(match c.kind {
                CustomerKind::Person => "person",
                CustomerKind::Organisation => "organisation",
            }),
        }
    }
}

impl CustomerBook {
    /// Computes features, value scores, tiers, RFM segments, ABC classes and the Pareto
    /// figures as of `as_of`, keeps them for the 360° view, and returns them.
    ///
    /// # Errors
    /// The errors of the engines: an invalid config, or a custom value key (the book has no
    /// custom columns; score [`CustomerBook::features`] yourself for those).
    ///
    /// ```
    /// use crm_core::book::{SegmentationConfig, ViewOptions};
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(500).seed(3);
    /// let (mut book, _) = config.build_book()?;
    /// let seg = book.analyse(config.end(), &SegmentationConfig::default())?;
    /// assert_eq!(seg.scores.score.len(), book.len());
    /// let id = book.customers().next().unwrap().id;
    /// let view = book.view(id, &ViewOptions::as_of(config.end()))?;
    /// assert!(view.analytics.is_some());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn analyse(
        &mut self,
        as_of: DateTime<Utc>,
        config: &SegmentationConfig,
    ) -> Result<Arc<Segmentation>> {
        let segmentation = self.segment(as_of, config)?;
        self.keep_segmentation(Arc::clone(&segmentation));
        Ok(segmentation)
    }

    /// What [`CustomerBook::analyse`] computes, without keeping it: a read of the book, so
    /// that many threads can run it while the book is shared behind a reader-writer lock
    /// (then [`CustomerBook::keep_segmentation`] under the write lock, briefly).
    ///
    /// # Errors
    /// As [`CustomerBook::analyse`].
    ///
    /// ```
    /// use crm_core::book::SegmentationConfig;
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(300).seed(3);
    /// let (mut book, _) = config.build_book()?;
    /// let seg = book.segment(config.end(), &SegmentationConfig::default())?;
    /// assert!(book.segmentation().is_none());
    /// book.keep_segmentation(seg);
    /// assert_eq!(book.segmentation().unwrap().scores.score.len(), book.len());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn segment(
        &self,
        as_of: DateTime<Utc>,
        config: &SegmentationConfig,
    ) -> Result<Arc<Segmentation>> {
        let features = self.features(as_of);
        let uses_clv = config
            .value
            .keys
            .iter()
            .any(|k| k.key == ValueKey::PredictedClv);
        let scores = if uses_clv {
            let prediction = self.predict_clv(as_of, &config.clv)?;
            // Customers without a spend prediction (NaN) weigh 0 on the key, as those
            // without purchases do.
            let clv: Vec<f64> = prediction
                .clv
                .iter()
                .map(|&v| if v.is_nan() { 0.0 } else { v })
                .collect();
            let source = crate::value::WithClv {
                base: &features,
                clv: &clv,
            };
            config.value.score(&source, &[])?
        } else {
            config.value.score(&features, &[])?
        };
        let revenue: Vec<f64> = features.monetary.iter().map(|&m| m as f64).collect();
        let tiers = pyramid(&scores.score, Some(&revenue), &config.pyramid)?;
        let frequency: Vec<f64> = features.frequency.iter().map(|&f| f64::from(f)).collect();
        let rfm_scores = rfm(&features.recency_days, &frequency, &revenue, &config.rfm)?;
        let classes = abc(&revenue, config.abc)?;
        let concentration = pareto(&revenue, 101)?;
        let segmentation = Arc::new(Segmentation {
            as_of,
            features,
            scores,
            pyramid: tiers,
            rfm: rfm_scores,
            abc: classes,
            pareto: concentration,
            strategies: config.strategies.clone(),
        });
        Ok(segmentation)
    }

    /// Keeps `segmentation` (from [`CustomerBook::segment`]) for the 360° view, as
    /// [`CustomerBook::analyse`] does. A customer's view shows it only while the customer
    /// is still at the row the segmentation has for them.
    pub fn keep_segmentation(&mut self, segmentation: Arc<Segmentation>) {
        self.segmentation = Some(segmentation);
    }

    /// The last [`CustomerBook::analyse`] result, if any.
    pub fn segmentation(&self) -> Option<&Segmentation> {
        self.segmentation.as_deref()
    }

    /// One customer's analytics from the last [`CustomerBook::analyse`], if the customer was
    /// in the book then.
    pub(crate) fn analytics_of(&self, dense: u32) -> Option<CustomerAnalytics> {
        let s = self.segmentation.as_deref()?;
        let row = dense as usize;
        if row >= s.features.len() || s.features.customer_id[row] != self.customers[row].id {
            return None;
        }
        let tier = s.pyramid.tier_name(row)?.to_owned();
        let segment = s.rfm.segment_name(row).map(str::to_owned);
        Some(CustomerAnalytics {
            as_of: s.as_of,
            score: s.scores.score[row],
            contributions: s.scores.explain(row),
            tier_strategy: s.strategies.for_tier(&tier).cloned(),
            segment_strategy: segment
                .as_deref()
                .and_then(|n| s.strategies.for_segment(n))
                .cloned(),
            tier,
            abc: s.abc[row],
            rfm_score: s.rfm.score[row],
            segment,
        })
    }

    /// The segment matrix of the last [`CustomerBook::analyse`]: its tiers split by the
    /// customers' current `attributes`, with value = score and revenue = net revenue.
    /// `None` before any analysis.
    ///
    /// # Errors
    /// As [`crate::segment::segment_matrix`].
    pub fn segment_matrix(&self, attributes: &[Attribute]) -> Result<Option<SegmentMatrix>> {
        let Some(s) = self.segmentation.as_deref() else {
            return Ok(None);
        };
        let rows = s.features.len().min(self.customers.len());
        let columns: Vec<Vec<Option<&str>>> = attributes
            .iter()
            .map(|&a| {
                self.customers[..rows]
                    .iter()
                    .map(|c| a.value_of(c))
                    .collect()
            })
            .collect();
        let named: Vec<AttributeColumn<'_>> = attributes
            .iter()
            .zip(&columns)
            .map(|(a, values)| AttributeColumn {
                name: a.name(),
                values,
            })
            .collect();
        let revenue: Vec<f64> = s.features.monetary[..rows]
            .iter()
            .map(|&m| m as f64)
            .collect();
        let mut matrix = segment_matrix(
            &s.pyramid.tier[..rows],
            &s.pyramid.names,
            &s.scores.score[..rows],
            Some(&revenue),
            &named,
        )?;
        for cell in &mut matrix.cells {
            cell.strategy = s.strategies.for_cell(cell).cloned();
        }
        Ok(Some(matrix))
    }
}
