//! Campaigns and their measured response.
//!
//! A campaign is a set of [`crate::model::CampaignEvent`]s in the book: each customer of
//! the audience is first assigned (targeted, or held out as control by a seeded draw, see
//! [`held_out`]), then the company's systems record what happened (sent, delivered, opened,
//! clicked, responded, converted, opted out). The report compares the arms on the same
//! measure (a purchase within a window after the assignment) and gives the uplift with
//! Newcombe's interval ([`newcombe_difference`]).

mod holdout;
mod plan;
mod report;
mod uplift;

pub use holdout::{
    MAX_HOLDOUT_SHARE, check_holdout_share, fnv1a64, held_out, holdout_draw, splitmix64,
};
pub use plan::{CampaignPlan, plan_events};
pub use report::{Arm, ArmFigures, Comparison, Outcome, Steps, compare};
pub use uplift::{
    Difference, MIN_ARM_FOR_MEANS, Moments, check_confidence, newcombe_difference, normal_quantile,
    welch_difference, wilson,
};
