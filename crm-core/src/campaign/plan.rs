//! A campaign plan: who is targeted and who is held out, as events for the caller to record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::holdout::{check_holdout_share, held_out};
use crate::model::{CampaignEvent, CampaignStep, Channel, CustomerId, Event, check_campaign_id};
use crate::{CrmError, Result};

/// How to assign an audience to a campaign's arms.
///
/// JSON: `{"campaign_id": "bahar-25", "at": "2025-03-01T09:00:00Z", "channel": "email",
/// "holdout_share": 0.1, "seed": 42, "cost_per_send": 35}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignPlan {
    /// The campaign, 1 to 64 characters.
    pub campaign_id: String,
    /// The assignment instant: the report measures the response from here, and groups
    /// customers by what the book knew then.
    pub at: DateTime<Utc>,
    /// The channel the campaign will use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The share held out as control, 0 to 0.5 (default 0.1).
    #[serde(default = "default_share")]
    pub holdout_share: f64,
    /// The seed of the control draw; the same seed gives the same arms.
    #[serde(default)]
    pub seed: u64,
    /// The expected cost of reaching one targeted customer, in minor units, put on the
    /// `targeted` event (record a send's real cost on either that or the `sent` event,
    /// not both: the report adds every cost of the campaign).
    #[serde(default)]
    pub cost_per_send: i64,
}

fn default_share() -> f64 {
    0.1
}

impl CampaignPlan {
    /// A plan with the default share (0.1), seed 0, no channel and no cost.
    pub fn new(campaign_id: impl Into<String>, at: DateTime<Utc>) -> Self {
        CampaignPlan {
            campaign_id: campaign_id.into(),
            at,
            channel: None,
            holdout_share: default_share(),
            seed: 0,
            cost_per_send: 0,
        }
    }

    /// Checks the id, the share and the cost.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `campaign_id`, `holdout_share` or
    /// `cost_per_send`.
    pub fn check(&self) -> Result<()> {
        check_campaign_id(&self.campaign_id)?;
        check_holdout_share(self.holdout_share)?;
        if self.cost_per_send < 0 {
            return Err(CrmError::invalid(
                "cost_per_send",
                self.cost_per_send,
                "must not be negative",
            ));
        }
        Ok(())
    }
}

/// One event per customer of `ids` (in that order): `held_out` for those the seeded draw puts
/// in the control group, `targeted` (with `cost_per_send`) for the others. Pure: the caller
/// records the events (and sends the messages) itself.
///
/// # Errors
/// As [`CampaignPlan::check`].
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// use crm_core::campaign::{CampaignPlan, plan_events};
/// use crm_core::model::{CampaignStep, EventKind};
/// let plan = CampaignPlan { seed: 42, holdout_share: 0.2,
///     ..CampaignPlan::new("bahar-25", Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap()) };
/// let events = plan_events(&[1], &plan)?;
/// assert!(matches!(&events[0].kind, EventKind::Campaign(c) if c.step == CampaignStep::HeldOut));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn plan_events(ids: &[CustomerId], plan: &CampaignPlan) -> Result<Vec<Event>> {
    plan.check()?;
    Ok(ids
        .iter()
        .map(|&id| {
            let control = held_out(plan.seed, &plan.campaign_id, id, plan.holdout_share);
            let kind = CampaignEvent {
                campaign_id: plan.campaign_id.clone(),
                step: if control {
                    CampaignStep::HeldOut
                } else {
                    CampaignStep::Targeted
                },
                channel: plan.channel,
                cost: if control { 0 } else { plan.cost_per_send },
            };
            Event::new(id, plan.at, kind)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_draw_splits_the_arms_and_costs_go_on_the_targeted() {
        let at = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap();
        let plan = CampaignPlan {
            holdout_share: 0.3,
            cost_per_send: 40,
            ..CampaignPlan::new("bahar-25", at)
        };
        // Seed 0 draws (Python): customer 1 → 0.6226 (targeted), 2 → 0.2511 (held out).
        let events = plan_events(&[1, 2], &plan).unwrap();
        let steps: Vec<(u64, CampaignStep, i64)> = events
            .iter()
            .map(|e| match &e.kind {
                crate::model::EventKind::Campaign(c) => (e.customer_id, c.step, c.cost),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            steps,
            [
                (1, CampaignStep::Targeted, 40),
                (2, CampaignStep::HeldOut, 0)
            ]
        );
        assert!(events.iter().all(|e| e.at == at));
    }
}
