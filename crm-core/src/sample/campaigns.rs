//! Campaigns with a planted effect, so that the campaign report can be checked against a
//! known truth: the treated arm's purchase probability in the window is raised by a known
//! number of points in some regions and not at all in the others.
//!
//! Opt-in ([`super::SampleConfig::campaigns`]) and drawn from its own ChaCha8 stream, after
//! the rest of the book is built, so every figure of a sample without campaigns stays as it
//! was. The campaign starts at the sample's `end` and its window lies after it: the natural
//! purchases the generator makes all fall before, so the conversion measured in the window
//! is exactly the planted one (base rate in the control arm, base plus the uplift in the
//! treated arm).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::book::CustomerBook;
use crate::campaign::{CampaignPlan, fnv1a64};
use crate::error::{CrmError, Result};
use crate::model::{CampaignEvent, CampaignStep, Channel, Event, Purchase};

/// A campaign for the sample, with the true effect per region.
#[derive(Debug, Clone, PartialEq)]
pub struct PlantedCampaign {
    /// The campaign id.
    pub campaign_id: String,
    /// The share held out as control.
    pub holdout_share: f64,
    /// The attribution window, in days; the planted purchases fall inside it.
    pub window_days: u32,
    /// The control arm's purchase probability in the window.
    pub base_rate: f64,
    /// Points added to the treated arm's probability, per region (others: 0).
    pub uplift_by_region: BTreeMap<String, f64>,
    /// The cost of one send, in minor units.
    pub cost_per_send: i64,
    /// The amount of a planted purchase, in minor units.
    pub purchase_amount: i64,
}

impl PlantedCampaign {
    /// The campaign: `id` over every customer, 20 % held out, a 30-day window, a 10 %
    /// base rate, **+8 points in Marmara and Ege and none elsewhere**, 2.50 TRY a send and
    /// 500 TRY a purchase.
    pub fn marmara_ege(id: &str) -> Self {
        PlantedCampaign {
            campaign_id: id.to_owned(),
            holdout_share: 0.2,
            window_days: 30,
            base_rate: 0.10,
            uplift_by_region: [("Marmara".to_owned(), 0.08), ("Ege".to_owned(), 0.08)]
                .into_iter()
                .collect(),
            cost_per_send: 250,
            purchase_amount: 50_000,
        }
    }

    /// The instant the campaign's customers are assigned for a sample ending at `end`.
    pub fn assigned_at(end: DateTime<Utc>) -> DateTime<Utc> {
        end + Duration::seconds(1)
    }

    /// The instant at which its window has closed for every customer: the report's `at`.
    pub fn report_at(&self, end: DateTime<Utc>) -> DateTime<Utc> {
        Self::assigned_at(end) + Duration::days(i64::from(self.window_days))
    }

    /// Checks the window, the rates and the amounts.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `window_days`, `base_rate`,
    /// `uplift_by_region`, `cost_per_send` or `purchase_amount`.
    pub fn check(&self) -> Result<()> {
        let rate = |field: &str, p: f64| {
            if (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(CrmError::invalid(field, p, "must be a probability, 0 to 1"))
            }
        };
        if !(1..=crate::book::MAX_WINDOW_DAYS).contains(&self.window_days) {
            return Err(CrmError::invalid(
                "window_days",
                self.window_days,
                "must be 1 to 366",
            ));
        }
        rate("base_rate", self.base_rate)?;
        for u in self.uplift_by_region.values() {
            rate("uplift_by_region", self.base_rate + u)?;
        }
        for (field, n) in [
            ("cost_per_send", self.cost_per_send),
            ("purchase_amount", self.purchase_amount),
        ] {
            if n < 0 {
                return Err(CrmError::invalid(field, n, "must not be negative"));
            }
        }
        Ok(())
    }

    /// The true uplift in `region` (0 where none was planted).
    pub fn uplift_in(&self, region: Option<&str>) -> f64 {
        region
            .and_then(|r| self.uplift_by_region.get(r))
            .copied()
            .unwrap_or(0.0)
    }
}

/// Assigns every customer of `book` to each campaign and records the assignment, the sends
/// and the planted purchases.
pub(super) fn plant(
    book: &mut CustomerBook,
    seed: u64,
    end: DateTime<Utc>,
    campaigns: &[PlantedCampaign],
) -> Result<()> {
    for planted in campaigns {
        planted.check()?;
    }
    let ids: Vec<u64> = book.customers().map(|c| c.id).collect();
    let at = PlantedCampaign::assigned_at(end);
    for planted in campaigns {
        let plan = CampaignPlan {
            campaign_id: planted.campaign_id.clone(),
            at,
            channel: Some(Channel::Email),
            holdout_share: planted.holdout_share,
            seed,
            cost_per_send: 0,
        };
        let assignments = book.plan_campaign_for(&ids, &plan)?;
        // Its own stream: nothing else in the sample moves.
        let mut rng =
            ChaCha8Rng::seed_from_u64(seed ^ 0xca3b_a16e_0000_0001 ^ fnv1a64(&planted.campaign_id));
        let window_secs = i64::from(planted.window_days) * 86_400;
        let mut events = Vec::with_capacity(assignments.len() * 2);
        for a in assignments {
            let treated = matches!(&a.kind,
                crate::model::EventKind::Campaign(c) if c.step == CampaignStep::Targeted);
            let id = a.customer_id;
            let region = book.customer(id).and_then(|c| c.region.as_deref());
            let p = planted.base_rate
                + if treated {
                    planted.uplift_in(region)
                } else {
                    0.0
                };
            events.push(a);
            if treated {
                events.push(Event::new(
                    id,
                    at + Duration::hours(1),
                    CampaignEvent {
                        campaign_id: planted.campaign_id.clone(),
                        step: CampaignStep::Sent,
                        channel: Some(Channel::Email),
                        cost: planted.cost_per_send,
                    },
                ));
            }
            // Draw for everyone, treated or not, so the arms use the stream alike.
            let (u, offset): (f64, i64) = (rng.random(), rng.random_range(3_600..window_secs));
            if u < p {
                events.push(Event::new(
                    id,
                    at + Duration::seconds(offset),
                    Purchase {
                        amount: planted.purchase_amount,
                        currency: super::SAMPLE_CURRENCY.to_owned(),
                        product: Some(format!("{}-offer", planted.campaign_id)),
                        category: None,
                        channel: Some(Channel::Web),
                    },
                ));
            }
        }
        book.record_all(events)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::{CampaignReportOptions, GroupBy};
    use crate::sample::SampleConfig;

    /// The report recovers the planted +8 points where they were planted and finds no
    /// effect elsewhere (fixed seed), and the sample without campaigns is unchanged.
    #[test]
    fn the_report_recovers_the_planted_uplift() {
        let planted = PlantedCampaign::marmara_ege("bahar-25");
        let base = SampleConfig::new(12_000).seed(5);
        let config = base.clone().campaigns(vec![planted.clone()]);
        let (book, _) = config.build_book().unwrap();
        let options = CampaignReportOptions {
            window_days: planted.window_days,
            by: vec![GroupBy::Region],
            ..CampaignReportOptions::at(planted.report_at(config.end()))
        };
        let report = book.campaign_report("bahar-25", &options).unwrap();
        assert_eq!(report.unassigned + report.contaminated, 0);
        let regions = &report.groups[0].groups;
        assert!(regions.len() >= 7, "{}", regions.len());
        for g in regions {
            let truth = planted.uplift_in(Some(&g.key));
            let u = g.comparison.conversion_uplift.unwrap();
            assert!(u.contains(truth), "{}: {u:?} misses {truth}", g.key);
            if truth > 0.0 {
                assert!(!u.contains(0.0), "{}: {u:?} cannot tell the effect", g.key);
            }
        }
        // The sample's own history is the same with or without the campaign.
        let bad = PlantedCampaign {
            window_days: 0,
            ..planted.clone()
        };
        let err = SampleConfig::new(20)
            .campaigns(vec![bad])
            .build_book()
            .unwrap_err();
        assert_eq!(err.field(), Some("window_days"));
        let (plain, _) = base.build_book().unwrap();
        let before: Vec<_> = plain.events().collect();
        let with: Vec<_> = book.events().filter(|e| e.at <= config.end()).collect();
        assert_eq!(before, with);
    }
}
