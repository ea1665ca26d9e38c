//! Campaigns over the book: planning the control group and reporting the measured response.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::store::{StoredKind, Sym};
use super::{Attribute, CustomerBook, SegmentationConfig};
use crate::campaign::{
    Arm, CampaignPlan, Comparison, Outcome, Steps, check_confidence, compare, plan_events,
};
use crate::error::{CrmError, Result};
use crate::model::{CampaignStep, CustomerId, Event, check_campaign_id};
use crate::segment::{Strategy, cell_key};

impl CustomerBook {
    /// The assignment events of a campaign over the customers `ids` ([`plan_events`]): each
    /// id resolved through merges to the customer it stands for now, repeats dropped (the
    /// first kept), and customers the book already assigned to this campaign left out, so
    /// that planning again over a larger list only adds the newcomers with their own draw.
    /// Pure: record the events with [`CustomerBook::record_all`] (or the store) yourself.
    ///
    /// (An audience-taking variant sits beside this one once audiences exist.)
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] naming `customer_id` for an unknown id; as
    /// [`CampaignPlan::check`] for a bad plan.
    ///
    /// ```
    /// use crm_core::campaign::CampaignPlan;
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(300).seed(3);
    /// let (mut book, _) = config.build_book()?;
    /// let ids: Vec<u64> = book.customers().map(|c| c.id).collect();
    /// let plan = CampaignPlan { holdout_share: 0.2, seed: 7,
    ///     ..CampaignPlan::new("bahar-25", config.end()) };
    /// let events = book.plan_campaign_for(&ids, &plan)?;
    /// assert_eq!(events.len(), book.len());
    /// book.record_all(events)?;
    /// assert!(book.plan_campaign_for(&ids, &plan)?.is_empty());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn plan_campaign_for(&self, ids: &[CustomerId], plan: &CampaignPlan) -> Result<Vec<Event>> {
        plan.check()?;
        let assigned = self.assigned_to(&plan.campaign_id);
        let mut seen = rustc_hash::FxHashSet::default();
        let mut chosen = Vec::with_capacity(ids.len());
        for &id in ids {
            let dense = self.dense(id)?;
            if !assigned.contains(&dense) && seen.insert(dense) {
                chosen.push(self.customers[dense as usize].id);
            }
        }
        plan_events(&chosen, plan)
    }

    /// The dense indexes of the customers with an assignment event in `campaign_id`.
    fn assigned_to(&self, campaign_id: &str) -> rustc_hash::FxHashSet<u32> {
        let Some(sym) = self.symbols.get(campaign_id) else {
            return Default::default();
        };
        self.events
            .iter()
            .filter_map(|e| match e.kind {
                StoredKind::Campaign { campaign, step, .. }
                    if campaign == sym && step.is_assignment() =>
                {
                    Some(e.customer)
                }
                _ => None,
            })
            .collect()
    }
}

/// The longest attribution window, in days.
pub const MAX_WINDOW_DAYS: u32 = 366;

/// The most groupings one report may ask for, and the most attributes of a cell.
pub const MAX_GROUPINGS: usize = 8;

/// A way to split the report into groups. JSON: `"tier"`, `"rfm_segment"`, `"region"`,
/// `"city"`, or `{"cell": ["region"]}` (tier × the attributes, the segment matrix's cells).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The pyramid tier as of the assignment.
    Tier,
    /// The RFM segment as of the assignment (`"-"` without one).
    RfmSegment,
    /// The customer's region.
    Region,
    /// The customer's city.
    City,
    /// The tier × attribute cell of the segment matrix.
    Cell(Vec<Attribute>),
}

impl GroupBy {
    /// The name in the report: `tier`, `rfm_segment`, `region`, `city`, `cell:region|city`.
    pub fn name(&self) -> String {
        match self {
            GroupBy::Tier => "tier".into(),
            GroupBy::RfmSegment => "rfm_segment".into(),
            GroupBy::Region => "region".into(),
            GroupBy::City => "city".into(),
            GroupBy::Cell(a) => {
                let names: Vec<&str> = a.iter().map(|a| a.name()).collect();
                format!("cell:{}", names.join("|"))
            }
        }
    }
}

/// How to report a campaign. JSON: `{"at": "2025-06-01T00:00:00Z", "window_days": 30,
/// "by": ["tier", {"cell": ["region"]}], "confidence": 0.95, "segmentation": {…}}`, all but
/// `at` optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignReportOptions {
    /// The report's instant: only events at or before it count.
    pub at: DateTime<Utc>,
    /// The attribution window after each customer's assignment, 1 to 366 days (30).
    #[serde(default = "default_window")]
    pub window_days: u32,
    /// The groupings, besides the whole campaign (at most 8).
    #[serde(default)]
    pub by: Vec<GroupBy>,
    /// The level of the intervals, 0.5 to 0.999 (0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// How tiers, RFM segments and strategies are computed for the groups.
    #[serde(default)]
    pub segmentation: SegmentationConfig,
}

fn default_window() -> u32 {
    30
}

fn default_confidence() -> f64 {
    0.95
}

impl CampaignReportOptions {
    /// Options at `at` with the defaults: a 30-day window, no groups, 95 %.
    pub fn at(at: DateTime<Utc>) -> Self {
        CampaignReportOptions {
            at,
            window_days: default_window(),
            by: Vec::new(),
            confidence: default_confidence(),
            segmentation: SegmentationConfig::default(),
        }
    }

    fn check(&self) -> Result<()> {
        if !(1..=MAX_WINDOW_DAYS).contains(&self.window_days) {
            return Err(CrmError::invalid(
                "window_days",
                self.window_days,
                format_args!("must be 1 to {MAX_WINDOW_DAYS}"),
            ));
        }
        if self.by.len() > MAX_GROUPINGS {
            return Err(CrmError::invalid(
                "by",
                format_args!("{} groupings", self.by.len()),
                format_args!("at most {MAX_GROUPINGS}"),
            ));
        }
        for (i, g) in self.by.iter().enumerate() {
            if let GroupBy::Cell(a) = g {
                if a.is_empty() || a.len() > 4 {
                    return Err(CrmError::invalid(
                        &format!("by[{i}].cell"),
                        format_args!("{} attributes", a.len()),
                        "a cell needs 1 to 4 attributes",
                    ));
                }
            }
        }
        check_confidence(self.confidence)
    }
}

/// One group of a grouping, with the strategy the company set for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// The group's name (`"Gold"`, `"Marmara"`, `"Gold|Marmara"`; `"-"` for unknown).
    pub key: String,
    /// The strategy for the group (tier, RFM segment or cell), beside its measured uplift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    /// The arms compared within the group.
    #[serde(flatten)]
    pub comparison: Comparison,
}

/// The groups of one grouping, in key order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grouping {
    /// The grouping's name ([`GroupBy::name`]).
    pub by: String,
    /// Its groups.
    pub groups: Vec<GroupRow>,
}

/// A campaign measured against its control group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignReport {
    /// The campaign.
    pub campaign_id: String,
    /// The report's instant.
    pub as_of: DateTime<Utc>,
    /// The attribution window, in days.
    pub window_days: u32,
    /// The level of the intervals.
    pub confidence: f64,
    /// The first assignment instant: groups use the segmentation as of it.
    pub assigned_from: Option<DateTime<Utc>>,
    /// Customers with campaign events but no assignment (left out of the arms).
    pub unassigned: usize,
    /// Held-out customers who were sent the campaign anyway (kept in the control arm,
    /// intention to treat; a large count means the control group leaked).
    pub contaminated: usize,
    /// The whole campaign.
    #[serde(flatten)]
    pub overall: Comparison,
    /// One entry per asked grouping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Grouping>,
}

/// One assigned customer while the report is worked out.
struct Assigned {
    dense: u32,
    outcome: Outcome,
}

impl CustomerBook {
    /// The campaign `campaign_id` measured as of `options.at`: per arm the reach, the funnel,
    /// the measured conversion (a purchase within `window_days` after the customer's
    /// assignment, cut at `at`: the same measure in both arms), net revenue in that window,
    /// the cost of the campaign's events, ROI, and the uplift of treated over control with
    /// Newcombe's interval (conversion) and Welch's (revenue per customer); then the same
    /// per group of each `by`. Tiers, RFM segments and cells are taken from the segmentation
    /// as of the campaign's first assignment (what was known before the treatment); region
    /// and city from the current profile. A customer's first assignment decides the arm.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] naming `campaign_id` when the book has no event of
    /// the campaign; [`crate::ErrorKind::InvalidInput`] naming `window_days`, `by` or
    /// `confidence`; the segmentation's errors.
    ///
    /// ```
    /// use crm_core::book::CampaignReportOptions;
    /// use crm_core::campaign::CampaignPlan;
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(300).seed(3);
    /// let (mut book, _) = config.build_book()?;
    /// let ids: Vec<u64> = book.customers().map(|c| c.id).collect();
    /// let plan = CampaignPlan { holdout_share: 0.5, ..CampaignPlan::new("c1", config.end()) };
    /// book.record_all(book.plan_campaign_for(&ids, &plan)?)?;
    /// let report = book.campaign_report("c1", &CampaignReportOptions::at(config.end()))?;
    /// assert_eq!(report.overall.treated.customers + report.overall.control.customers, book.len());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn campaign_report(
        &self,
        campaign_id: &str,
        options: &CampaignReportOptions,
    ) -> Result<CampaignReport> {
        check_campaign_id(campaign_id)?;
        options.check()?;
        let sym = self
            .symbols
            .get(campaign_id)
            .filter(|&s| self.events.iter().any(|e| is_of(&e.kind, s)))
            .ok_or_else(|| CrmError::not_found("campaign_id", campaign_id))?;
        let mut customers: Vec<u32> = self
            .events
            .iter()
            .filter(|e| is_of(&e.kind, sym) && e.at <= options.at)
            .map(|e| e.customer)
            .collect();
        customers.sort_unstable();
        customers.dedup();
        let window = Duration::days(i64::from(options.window_days));
        let (mut assigned, mut unassigned, mut contaminated) = (Vec::new(), 0, 0);
        let mut assigned_from: Option<DateTime<Utc>> = None;
        for dense in customers {
            match self.outcome_of(dense, sym, options.at, window) {
                Some((outcome, at, leaked)) => {
                    assigned_from = Some(assigned_from.map_or(at, |f| f.min(at)));
                    contaminated += usize::from(leaked);
                    assigned.push(Assigned { dense, outcome });
                }
                None => unassigned += 1,
            }
        }
        let outcomes: Vec<Outcome> = assigned.iter().map(|a| a.outcome).collect();
        let overall = compare(&outcomes, options.confidence)?;
        let groups = match assigned_from {
            Some(from) if !options.by.is_empty() => self.group_report(&assigned, from, options)?,
            _ => Vec::new(),
        };
        Ok(CampaignReport {
            campaign_id: campaign_id.to_owned(),
            as_of: options.at,
            window_days: options.window_days,
            confidence: options.confidence,
            assigned_from,
            unassigned,
            contaminated,
            overall,
            groups,
        })
    }

    /// One customer's outcome in the campaign `sym`, with their assignment instant and
    /// whether a held-out customer was sent it; `None` without an assignment by `at`.
    fn outcome_of(
        &self,
        dense: u32,
        sym: Sym,
        at: DateTime<Utc>,
        window: Duration,
    ) -> Option<(Outcome, DateTime<Utc>, bool)> {
        let events = &self.by_customer[dense as usize];
        let mut steps = Steps::default();
        let mut cost = 0i64;
        let mut assignment: Option<(Arm, DateTime<Utc>)> = None;
        for &i in events {
            let e = &self.events[i as usize];
            if e.at > at {
                break;
            }
            if let StoredKind::Campaign {
                campaign,
                step,
                cost: c,
                ..
            } = e.kind
            {
                if campaign != sym {
                    continue;
                }
                steps.insert(step);
                cost = cost.saturating_add(c);
                if assignment.is_none() {
                    assignment = match step {
                        CampaignStep::Targeted => Some((Arm::Treated, e.at)),
                        CampaignStep::HeldOut => Some((Arm::Control, e.at)),
                        _ => None,
                    };
                }
            }
        }
        let (arm, from) = assignment?;
        let until = (from + window).min(at);
        let (mut converted, mut revenue) = (false, 0i64);
        for &i in events {
            let e = &self.events[i as usize];
            // Events are in time order; the window is (assignment, assignment + window].
            if e.at > until {
                break;
            }
            if e.at <= from || e.customer != dense {
                continue;
            }
            match e.kind {
                StoredKind::Purchase { amount, .. } => {
                    converted = true;
                    revenue = revenue.saturating_add(amount);
                }
                StoredKind::Refund { amount, .. } => revenue = revenue.saturating_sub(amount),
                _ => {}
            }
        }
        let leaked = arm == Arm::Control && steps.contains(CampaignStep::Sent);
        let outcome = Outcome {
            arm,
            steps,
            converted,
            revenue,
            cost,
        };
        Some((outcome, from, leaked))
    }

    /// The groupings of `options.by` over the assigned customers.
    fn group_report(
        &self,
        assigned: &[Assigned],
        from: DateTime<Utc>,
        options: &CampaignReportOptions,
    ) -> Result<Vec<Grouping>> {
        let needs_segments = options
            .by
            .iter()
            .any(|g| !matches!(g, GroupBy::Region | GroupBy::City));
        let seg = if needs_segments {
            Some(self.segment(from, &options.segmentation)?)
        } else {
            None
        };
        let tier = |d: u32| {
            seg.as_deref()
                .and_then(|s| s.pyramid.tier_name(d as usize))
                .unwrap_or("-")
                .to_owned()
        };
        let strategies = &options.segmentation.strategies;
        options
            .by
            .iter()
            .map(|g| {
                let key_of = |d: u32| -> String {
                    let c = &self.customers[d as usize];
                    match g {
                        GroupBy::Tier => tier(d),
                        GroupBy::RfmSegment => seg
                            .as_deref()
                            .and_then(|s| s.rfm.segment_name(d as usize))
                            .unwrap_or("-")
                            .to_owned(),
                        GroupBy::Region => c.region.clone().unwrap_or_else(|| "-".into()),
                        GroupBy::City => c.address.city.clone().unwrap_or_else(|| "-".into()),
                        GroupBy::Cell(attributes) => {
                            let values: Vec<&str> = attributes
                                .iter()
                                .map(|a| a.value_of(c).unwrap_or("-"))
                                .collect();
                            cell_key(&tier(d), &values)
                        }
                    }
                };
                let mut by_key: BTreeMap<String, Vec<Outcome>> = BTreeMap::new();
                for a in assigned {
                    by_key.entry(key_of(a.dense)).or_default().push(a.outcome);
                }
                let groups = by_key
                    .into_iter()
                    .map(|(key, outcomes)| {
                        let strategy = match g {
                            GroupBy::Tier => strategies.for_tier(&key),
                            GroupBy::RfmSegment => strategies.for_segment(&key),
                            GroupBy::Cell(_) => strategies.cells.get(&key),
                            GroupBy::Region | GroupBy::City => None,
                        }
                        .cloned();
                        Ok(GroupRow {
                            comparison: compare(&outcomes, options.confidence)?,
                            key,
                            strategy,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Grouping {
                    by: g.name(),
                    groups,
                })
            })
            .collect()
    }
}

/// Whether a stored event belongs to the campaign `sym`.
fn is_of(kind: &StoredKind, sym: Sym) -> bool {
    matches!(kind, StoredKind::Campaign { campaign, .. } if *campaign == sym)
}
