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

/// Strategies by tier name and by RFM segment name.
///
/// JSON: `{"tiers": {"Platinum": {"label": "...", "actions": ["..."]}}, "segments": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyMap {
    /// Per tier of the pyramid.
    #[serde(default)]
    pub tiers: BTreeMap<String, Strategy>,
    /// Per RFM segment.
    #[serde(default)]
    pub segments: BTreeMap<String, Strategy>,
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
        }
    }
}
