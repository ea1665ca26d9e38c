//! The arms of a campaign compared: reach, funnel, conversion, revenue, cost, ROI and uplift.
//!
//! Columnar: one [`Outcome`] per assigned customer, worked out by the caller (the book does it
//! in [`crate::book::CustomerBook::campaign_report`]); these functions only count and compare.

use serde::{Deserialize, Serialize};

use super::uplift::{Difference, Moments, check_confidence, newcombe_difference, welch_difference};
use crate::Result;
use crate::model::CampaignStep;

/// The arm a customer was assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// Targeted: the campaign reaches them.
    Treated,
    /// Held out as control: never contacted.
    Control,
}

/// The steps a customer went through, one bit per [`CampaignStep`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Steps(pub u16);

impl Steps {
    /// Adds a step.
    pub fn insert(&mut self, step: CampaignStep) {
        self.0 |= 1 << step as u16;
    }

    /// Whether the step is in.
    pub fn contains(self, step: CampaignStep) -> bool {
        self.0 & (1 << step as u16) != 0
    }
}

/// What one assigned customer did, measured the same way in both arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The arm.
    pub arm: Arm,
    /// The campaign steps recorded for them.
    pub steps: Steps,
    /// Whether they bought within the attribution window after the assignment.
    pub converted: bool,
    /// Their net revenue (purchases less refunds) in the window, in minor units.
    pub revenue: i64,
    /// What the campaign's events for them cost, in minor units.
    pub cost: i64,
}

/// One arm's figures. Rates are shares of the arm's customers (`None` for an empty arm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmFigures {
    /// Customers assigned to the arm.
    pub customers: usize,
    /// Customers with a `sent` step (the reach).
    pub sent: usize,
    /// … with `delivered`.
    pub delivered: usize,
    /// … with `opened`.
    pub opened: usize,
    /// … with `clicked`.
    pub clicked: usize,
    /// … with `responded`.
    pub responded: usize,
    /// … with the company's own `converted` step (not the measured conversion).
    pub converted_reported: usize,
    /// … with `opted_out`.
    pub opted_out: usize,
    /// `sent / customers`.
    pub reach_rate: Option<f64>,
    /// `delivered / customers`.
    pub delivery_rate: Option<f64>,
    /// `opened / customers`.
    pub open_rate: Option<f64>,
    /// `clicked / customers`.
    pub click_rate: Option<f64>,
    /// `responded / customers`.
    pub response_rate: Option<f64>,
    /// `opted_out / customers`.
    pub opt_out_rate: Option<f64>,
    /// Customers who bought within the window (the measured conversion).
    pub conversions: usize,
    /// `conversions / customers`.
    pub conversion_rate: Option<f64>,
    /// Net revenue in the window, in minor units.
    pub revenue: i64,
    /// `revenue / customers`.
    pub revenue_per_customer: Option<f64>,
    /// Cost of the arm's campaign events, in minor units.
    pub cost: i64,
}

/// The two arms side by side with the uplift of treated over control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The targeted customers.
    pub treated: ArmFigures,
    /// The held-out customers.
    pub control: ArmFigures,
    /// Conversion rate, treated minus control, with Newcombe's interval (`None` while an
    /// arm is empty).
    pub conversion_uplift: Option<Difference>,
    /// Revenue per customer, treated minus control, with Welch's interval (`None` while an
    /// arm has fewer than [`super::MIN_ARM_FOR_MEANS`] customers).
    pub revenue_uplift: Option<Difference>,
    /// The revenue the campaign added: the point difference of revenue per customer times
    /// the treated customers (`None` while an arm is empty).
    pub incremental_revenue: Option<f64>,
    /// Cost of both arms, in minor units.
    pub cost: i64,
    /// `(incremental_revenue − cost) / cost` (`None` without cost or without both arms).
    pub roi: Option<f64>,
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

/// Counts one arm.
fn arm_figures<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> ArmFigures {
    let mut f = ArmFigures {
        customers: 0,
        sent: 0,
        delivered: 0,
        opened: 0,
        clicked: 0,
        responded: 0,
        converted_reported: 0,
        opted_out: 0,
        reach_rate: None,
        delivery_rate: None,
        open_rate: None,
        click_rate: None,
        response_rate: None,
        opt_out_rate: None,
        conversions: 0,
        conversion_rate: None,
        revenue: 0,
        revenue_per_customer: None,
        cost: 0,
    };
    for o in outcomes {
        f.customers += 1;
        let has = |s| usize::from(o.steps.contains(s));
        f.sent += has(CampaignStep::Sent);
        f.delivered += has(CampaignStep::Delivered);
        f.opened += has(CampaignStep::Opened);
        f.clicked += has(CampaignStep::Clicked);
        f.responded += has(CampaignStep::Responded);
        f.converted_reported += has(CampaignStep::Converted);
        f.opted_out += has(CampaignStep::OptedOut);
        f.conversions += usize::from(o.converted);
        // The book keeps every sum of money within i64 (MAX_MONEY_TOTAL).
        f.revenue = f.revenue.saturating_add(o.revenue);
        f.cost = f.cost.saturating_add(o.cost);
    }
    let n = f.customers;
    f.reach_rate = share(f.sent, n);
    f.delivery_rate = share(f.delivered, n);
    f.open_rate = share(f.opened, n);
    f.click_rate = share(f.clicked, n);
    f.response_rate = share(f.responded, n);
    f.opt_out_rate = share(f.opted_out, n);
    f.conversion_rate = share(f.conversions, n);
    f.revenue_per_customer = (n > 0).then(|| f.revenue as f64 / n as f64);
    f
}

/// Compares the arms of `outcomes` at `confidence`.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `confidence` outside 0.5..=0.999.
///
/// ```
/// use crm_core::campaign::{Arm, Outcome, Steps, compare};
/// let o = |arm, converted| Outcome { arm, steps: Steps::default(), converted,
///                                    revenue: if converted { 1000 } else { 0 }, cost: 0 };
/// let mut all = Vec::new();
/// all.extend((0..100).map(|i| o(Arm::Treated, i < 30)));
/// all.extend((0..100).map(|i| o(Arm::Control, i < 20)));
/// let c = compare(&all, 0.95)?;
/// let u = c.conversion_uplift.unwrap();
/// assert!((u.lower + 0.0202).abs() < 5e-5 && (u.upper - 0.2167).abs() < 5e-5);
/// assert_eq!(c.incremental_revenue, Some(10_000.0)); // (300 − 200) × 100 customers
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn compare(outcomes: &[Outcome], confidence: f64) -> Result<Comparison> {
    compare_iter(outcomes.iter(), confidence)
}

/// [`compare`] over any selection of outcomes (a group).
pub(crate) fn compare_iter<'a>(
    outcomes: impl Iterator<Item = &'a Outcome> + Clone,
    confidence: f64,
) -> Result<Comparison> {
    check_confidence(confidence)?;
    let of = |arm: Arm| outcomes.clone().filter(move |o| o.arm == arm);
    let treated = arm_figures(of(Arm::Treated));
    let control = arm_figures(of(Arm::Control));
    let both = treated.customers > 0 && control.customers > 0;
    let conversion_uplift = if both {
        Some(newcombe_difference(
            treated.conversions as u64,
            treated.customers as u64,
            control.conversions as u64,
            control.customers as u64,
            confidence,
        )?)
    } else {
        None
    };
    let moments = |arm| Moments::of(of(arm).map(|o| o.revenue as f64));
    let revenue_uplift =
        welch_difference(moments(Arm::Treated), moments(Arm::Control), confidence)?;
    let incremental_revenue = match (treated.revenue_per_customer, control.revenue_per_customer) {
        (Some(t), Some(c)) => Some((t - c) * treated.customers as f64),
        _ => None,
    };
    let cost = treated.cost.saturating_add(control.cost);
    let roi = match incremental_revenue {
        Some(extra) if cost > 0 => Some((extra - cost as f64) / cost as f64),
        _ => None,
    };
    Ok(Comparison {
        treated,
        control,
        conversion_uplift,
        revenue_uplift,
        incremental_revenue,
        cost,
        roi,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(arm: Arm, steps: &[CampaignStep], converted: bool, revenue: i64, cost: i64) -> Outcome {
        let mut s = Steps::default();
        for &step in steps {
            s.insert(step);
        }
        Outcome {
            arm,
            steps: s,
            converted,
            revenue,
            cost,
        }
    }

    /// Four treated, two control, worked by hand.
    #[test]
    fn funnel_revenue_cost_and_roi_by_hand() {
        use CampaignStep::*;
        let all = [
            o(
                Arm::Treated,
                &[Targeted, Sent, Delivered, Opened],
                true,
                5_000,
                100,
            ),
            o(Arm::Treated, &[Targeted, Sent, Delivered], false, 0, 100),
            o(Arm::Treated, &[Targeted, Sent, OptedOut], false, 0, 100),
            o(Arm::Treated, &[Targeted], true, 3_000, 100),
            o(Arm::Control, &[HeldOut], true, 2_000, 0),
            o(Arm::Control, &[HeldOut], false, 0, 0),
        ];
        let c = compare(&all, 0.95).unwrap();
        let t = &c.treated;
        assert_eq!(
            (t.customers, t.sent, t.delivered, t.opened, t.opted_out),
            (4, 3, 2, 1, 1)
        );
        assert_eq!(t.reach_rate, Some(0.75));
        assert_eq!(t.conversion_rate, Some(0.5));
        assert_eq!((t.revenue, t.revenue_per_customer), (8_000, Some(2_000.0)));
        assert_eq!(c.control.revenue_per_customer, Some(1_000.0));
        // (2000 − 1000) × 4 treated = 4000 extra on a cost of 400: ROI (4000 − 400)/400 = 9.
        assert_eq!(c.incremental_revenue, Some(4_000.0));
        assert_eq!((c.cost, c.roi), (400, Some(9.0)));
        // Conversion 2/4 vs 1/2: difference 0; arms under 30 get no revenue interval.
        assert_eq!(c.conversion_uplift.unwrap().difference, 0.0);
        assert_eq!(c.revenue_uplift, None);
    }

    #[test]
    fn an_empty_arm_gives_no_uplift() {
        let all = [o(Arm::Treated, &[], true, 10, 5)];
        let c = compare(&all, 0.95).unwrap();
        assert_eq!(c.control.customers, 0);
        assert_eq!(c.control.conversion_rate, None);
        assert_eq!(
            (c.conversion_uplift, c.incremental_revenue, c.roi),
            (None, None, None)
        );
        assert_eq!(compare(&all, 0.2).unwrap_err().field(), Some("confidence"));
    }
}
