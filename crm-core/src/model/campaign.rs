//! Campaign events: one customer's part in one marketing campaign.
//!
//! crm never sends anything; the company's systems do, and record here what happened, so the
//! campaign report can measure the response against the control group.

use serde::{Deserialize, Serialize};

use super::Channel;
use crate::{CrmError, Result};

/// The longest campaign id, in characters.
pub const MAX_CAMPAIGN_ID_CHARS: usize = 64;

/// One step of a customer's way through a campaign.
///
/// JSON: the snake-case name (`"targeted"`, `"held_out"`, …, `"opted_out"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStep {
    /// Chosen for the campaign and assigned to the treated arm.
    Targeted,
    /// Chosen for the campaign and held out as control (never contacted).
    HeldOut,
    /// The message left the company.
    Sent,
    /// The channel confirmed delivery.
    Delivered,
    /// The customer opened the message.
    Opened,
    /// The customer clicked through.
    Clicked,
    /// The customer answered (a reply, a call back, a form).
    Responded,
    /// The campaign's own conversion (the company's attribution, beside the measured one).
    Converted,
    /// The customer withdrew consent on the campaign's channel.
    OptedOut,
}

impl CampaignStep {
    /// Every step, in funnel order.
    pub const ALL: [CampaignStep; 9] = [
        CampaignStep::Targeted,
        CampaignStep::HeldOut,
        CampaignStep::Sent,
        CampaignStep::Delivered,
        CampaignStep::Opened,
        CampaignStep::Clicked,
        CampaignStep::Responded,
        CampaignStep::Converted,
        CampaignStep::OptedOut,
    ];

    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            CampaignStep::Targeted => "targeted",
            CampaignStep::HeldOut => "held_out",
            CampaignStep::Sent => "sent",
            CampaignStep::Delivered => "delivered",
            CampaignStep::Opened => "opened",
            CampaignStep::Clicked => "clicked",
            CampaignStep::Responded => "responded",
            CampaignStep::Converted => "converted",
            CampaignStep::OptedOut => "opted_out",
        }
    }

    /// True for the two assignment steps (targeted, held out).
    pub fn is_assignment(self) -> bool {
        matches!(self, CampaignStep::Targeted | CampaignStep::HeldOut)
    }
}

/// A customer's step in a campaign (`type` `campaign`).
///
/// ```json
/// {"customer_id": 7, "at": "2025-03-01T09:00:00Z", "type": "campaign",
///  "campaign_id": "spring-25", "step": "sent", "channel": "email", "cost": 50}
/// ```
///
/// `cost` is what this step cost the company, in minor units (0 when not known or free).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignEvent {
    /// The company's name for the campaign, 1 to 64 characters.
    pub campaign_id: String,
    /// What happened.
    pub step: CampaignStep,
    /// The channel the campaign uses, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// What the step cost, in minor units, not negative.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cost: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl CampaignEvent {
    /// Checks the fields a type cannot: the id's length and the cost's sign.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `campaign_id` or `cost`.
    ///
    /// ```
    /// # use crm_core::model::{CampaignEvent, CampaignStep};
    /// let e = CampaignEvent { campaign_id: String::new(), step: CampaignStep::Sent,
    ///                         channel: None, cost: 0 };
    /// assert_eq!(e.check().unwrap_err().field(), Some("campaign_id"));
    /// ```
    pub fn check(&self) -> Result<()> {
        check_campaign_id(&self.campaign_id)?;
        if self.cost < 0 {
            return Err(CrmError::invalid("cost", self.cost, "must not be negative"));
        }
        Ok(())
    }
}

/// Checks a campaign id: 1 to [`MAX_CAMPAIGN_ID_CHARS`] characters, not only spaces.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `campaign_id`.
///
/// ```
/// assert!(crm_core::model::check_campaign_id("spring-25").is_ok());
/// assert!(crm_core::model::check_campaign_id(" ").is_err());
/// ```
pub fn check_campaign_id(id: &str) -> Result<()> {
    let chars = id.chars().count();
    if id.trim().is_empty() || chars > MAX_CAMPAIGN_ID_CHARS {
        let shown: String = id.chars().take(MAX_CAMPAIGN_ID_CHARS).collect();
        return Err(CrmError::invalid(
            "campaign_id",
            format_args!("{shown:?} ({chars} characters)"),
            format_args!("must be 1 to {MAX_CAMPAIGN_ID_CHARS} characters, not only spaces"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_have_their_json_names() {
        for step in CampaignStep::ALL {
            let json = serde_json::to_string(&step).unwrap();
            assert_eq!(json, format!("\"{}\"", step.name()));
        }
        assert_eq!(CampaignStep::HeldOut.name(), "held_out");
    }

    #[test]
    fn bad_fields_are_named() {
        let ok = CampaignEvent {
            campaign_id: "a".repeat(64),
            step: CampaignStep::Targeted,
            channel: Some(Channel::Sms),
            cost: 0,
        };
        assert!(ok.check().is_ok());
        let long = CampaignEvent {
            campaign_id: "ç".repeat(65),
            ..ok.clone()
        };
        let err = long.check().unwrap_err();
        assert_eq!(err.field(), Some("campaign_id"));
        assert!(err.to_string().contains("65 characters"), "{err}");
        let neg = CampaignEvent { cost: -1, ..ok };
        let err = neg.check().unwrap_err();
        assert_eq!(err.field(), Some("cost"));
        assert!(err.to_string().contains("-1"), "{err}");
    }
}
