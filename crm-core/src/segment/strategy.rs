//! A strategy per segment: what to do with the customers of each tier and RFM segment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What to do with a group of customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// A short label ("Retain and reward").
    pub label: String,
    /// Recommended actions, most important first.
    #[serde(default)]
    pub actions: Vec<String>,
}

/// Strategies by tier name, by RFM segment name and by cell of the segment matrix.
///
/// JSON: `{"tiers": {"Platinum": {"label": "...", "actions": ["..."]}}, "segments": {...},
/// "cells": {"Gold|Marmara": {...}}}`; a cell's key is its tier and attribute values joined
/// by `|` ([`cell_key`]). `cells` may be left out (configs written before it still read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyMap {
    /// Per tier of the pyramid.
    #[serde(default)]
    pub tiers: BTreeMap<String, Strategy>,
    /// Per RFM segment.
    #[serde(default)]
    pub segments: BTreeMap<String, Strategy>,
    /// Per cell of the tier × attribute matrix, keyed by [`cell_key`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cells: BTreeMap<String, Strategy>,
}

/// The key of a matrix cell in [`StrategyMap::cells`]: the tier then the attribute values,
/// joined by `|` (`"Gold|İstanbul|retail"`).
///
/// ```
/// assert_eq!(crm_core::segment::cell_key("Gold", &["Marmara"]), "Gold|Marmara");
/// ```
pub fn cell_key<S: AsRef<str>>(tier: &str, attributes: &[S]) -> String {
    let mut key = tier.to_owned();
    for a in attributes {
        key.push('|');
        key.push_str(a.as_ref());
    }
    key
}

impl StrategyMap {
    /// The strategy for a tier.
    pub fn for_tier(&self, tier: &str) -> Option<&Strategy> {
        self.tiers.get(tier)
    }

    /// The strategy for an RFM segment.
    pub fn for_segment(&self, segment: &str) -> Option<&Strategy> {
        self.segments.get(segment)
    }

    /// The strategy for a matrix cell, by its tier and attribute values.
    pub fn for_cell(&self, cell: &super::MatrixCell) -> Option<&Strategy> {
        self.cells.get(&cell_key(&cell.tier, &cell.attributes))
    }
}

impl Default for StrategyMap {
    /// Strategies for the default pyramid tiers and the standard RFM segments, following the
    /// source documents: keep the profitable for life, grow the middle by cross- and
    /// up-selling, serve the bottom at low cost, and win back the valuable who drift away.
    fn default() -> Self {
        let s = |label: &str, actions: &[&str]| Strategy {
            label: label.to_owned(),
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        };
        let tiers = [
            (
                "Platinum",
                s(
                    "Retain and reward",
                    &[
                        "dedicated account manager",
                        "exclusive offers",
                        "invite to co-investment",
                    ],
                ),
            ),
            (
                "Gold",
                s(
                    "Grow",
                    &[
                        "cross-sell adjacent categories",
                        "loyalty programme upgrade",
                    ],
                ),
            ),
            (
                "Iron",
                s(
                    "Develop",
                    &["up-sell above the usual basket", "targeted campaigns"],
                ),
            ),
            (
                "Lead",
                s(
                    "Serve efficiently",
                    &["self-service channels", "automated low-cost contact"],
                ),
            ),
        ];
        let segments = [
            (
                "Champions",
                s(
                    "Reward",
                    &[
                        "early access to new products",
                        "ask for referrals and reviews",
                    ],
                ),
            ),
            (
                "Loyal Customers",
                s("Up-sell", &["higher-value products", "loyalty programme"]),
            ),
            (
                "Potential Loyalist",
                s(
                    "Nurture into loyalty",
                    &["membership offer", "personal recommendations"],
                ),
            ),
            (
                "New Customers",
                s(
                    "Welcome and onboard",
                    &["onboarding journey", "first-month support"],
                ),
            ),
            (
                "Promising",
                s(
                    "Build the relationship",
                    &["brand awareness content", "free trials"],
                ),
            ),
            (
                "Need Attention",
                s(
                    "Reactivate",
                    &[
                        "limited-time offers",
                        "recommendations from purchase history",
                    ],
                ),
            ),
            (
                "About To Sleep",
                s("Re-engage", &["popular products", "renewed discounts"]),
            ),
            (
                "At Risk",
                s(
                    "Win back personally",
                    &["personal call from the call centre", "renewal offer"],
                ),
            ),
            (
                "Can't Lose Them",
                s(
                    "Win back at any cost",
                    &["senior contact", "understand what went wrong"],
                ),
            ),
            (
                "Hibernating",
                s(
                    "Low-cost reactivation",
                    &["relevant products", "special discounts"],
                ),
            ),
            (
                "Lost",
                s(
                    "Let go or revive cheaply",
                    &["one reactivation campaign", "then stop spending"],
                ),
            ),
        ];
        StrategyMap {
            tiers: tiers.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            segments: segments
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            cells: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_optional_and_found_by_key() {
        // A config written before cells existed still reads.
        let old: StrategyMap =
            serde_json::from_str(r#"{"tiers": {"Gold": {"label": "Grow"}}}"#).unwrap();
        assert!(old.cells.is_empty());
        let map: StrategyMap = serde_json::from_str(
            r#"{"cells": {"Gold|Marmara": {"label": "Call", "actions": ["personal call"]}}}"#,
        )
        .unwrap();
        let cell = super::super::MatrixCell {
            tier: "Gold".into(),
            attributes: vec!["Marmara".into()],
            customers: 1,
            total_value: 1.0,
            mean_value: 1.0,
            revenue: None,
            strategy: None,
        };
        assert_eq!(map.for_cell(&cell).unwrap().label, "Call");
        let other = super::super::MatrixCell {
            attributes: vec!["Ege".into()],
            ..cell
        };
        assert_eq!(map.for_cell(&other), None);
    }
}
