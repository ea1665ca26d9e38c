//! Campaigns over the book: planning the control group and reporting the measured response.

use super::CustomerBook;
use crate::campaign::{CampaignPlan, plan_events};
use crate::error::Result;
use crate::model::{CustomerId, Event};

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
                super::store::StoredKind::Campaign { campaign, step, .. }
                    if campaign == sym && step.is_assignment() =>
                {
                    Some(e.customer)
                }
                _ => None,
            })
            .collect()
    }
}
