//! Lifecycle stages of the book's customers: histories, classification, reports, and the
//! stage in the 360° view.

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::CustomerBook;
use super::store::StoredKind;
use crate::error::Result;
use crate::lifecycle::replay::{Bought, History};
use crate::lifecycle::{
    ChurnReasonReport, LifecyclePolicy, LifecycleReport, Phase, Stage, StageFactColumns,
    StageSpell, churn_reasons, classify, lifecycle_report,
};
use crate::model::{ChurnReason, CustomerId};
use crate::sla::{Change, SlaEvaluator};

/// Every customer's stage as of an instant, in the book's customer order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stages {
    /// The instant classified.
    pub as_of: DateTime<Utc>,
    /// Customer ids.
    pub customer_id: Vec<CustomerId>,
    /// Their stages.
    pub stage: Vec<Stage>,
}

impl Stages {
    /// Customers per stage ([`Stage::ALL`] order).
    pub fn counts(&self) -> [usize; 7] {
        let mut c = [0; 7];
        for s in &self.stage {
            c[s.index()] += 1;
        }
        c
    }
}

/// The lifecycle part of the 360° view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    /// The stage as of the view.
    pub stage: Stage,
    /// Its phase.
    pub phase: Phase,
    /// Since when.
    pub since: DateTime<Utc>,
    /// What to do next.
    pub next_action: String,
    /// The whole history, oldest first.
    pub history: Vec<StageSpell>,
}

impl CustomerBook {
    /// Attaches a lifecycle policy: from now on the 360° view shows the customer's stage.
    /// `None` detaches it. Policies are configuration, not part of snapshots.
    ///
    /// # Errors
    /// As [`LifecyclePolicy::validate`]; the book keeps its previous policy then.
    pub fn set_lifecycle_policy(&mut self, policy: Option<LifecyclePolicy>) -> Result<()> {
        if let Some(p) = &policy {
            p.validate()?;
        }
        self.lifecycle_policy = policy.map(std::sync::Arc::new);
        Ok(())
    }

    /// The attached lifecycle policy, if any.
    pub fn lifecycle_policy(&self) -> Option<&LifecyclePolicy> {
        self.lifecycle_policy.as_deref()
    }

    /// What one customer's stage depends on, up to `as_of`. An unresolved complaint is
    /// overdue from its first SLA breach when the book has SLA policies, else after the
    /// policy's `open_complaint_days`.
    fn history_of(
        &self,
        dense: u32,
        policy: &LifecyclePolicy,
        as_of: DateTime<Utc>,
    ) -> Result<History> {
        let customer = &self.customers[dense as usize];
        let mut h = History::default();
        let mut complaints = false;
        for &i in &self.by_customer[dense as usize] {
            let e = &self.events[i as usize];
            if e.customer != dense {
                continue;
            }
            h.start = Some(h.start.map_or(e.at, |s| s.min(e.at)));
            match e.kind {
                StoredKind::Purchase {
                    amount, category, ..
                } => h.purchases.push(Bought {
                    at: e.at,
                    amount: amount as f64,
                    category: category.map(|c| c.id()),
                }),
                StoredKind::Churned { reason } => h.churns.push((e.at, reason)),
                StoredKind::ComplaintOpened { .. } => complaints = true,
                _ => {}
            }
        }
        if let Some(acquired) = customer.acquired_at {
            h.start = Some(h.start.map_or(acquired, |s| s.min(acquired)));
        }
        if complaints {
            let mut trails = Vec::new();
            self.trails_of(dense, as_of, &mut trails);
            // `open_complaint_days` is at most `MAX_POLICY_DAYS`, so this always fits.
            let wait = chrono::Duration::try_milliseconds(
                (policy.at_risk.open_complaint_days * 86_400_000.0).ceil() as i64,
            )
            .unwrap_or(chrono::Duration::MAX);
            let mut evaluator = self
                .sla_policies
                .as_deref()
                .map(|p| SlaEvaluator::new(p, as_of, as_of - chrono::Duration::seconds(1)));
            for t in &trails {
                let overdue_from = match evaluator.as_mut() {
                    Some(ev) => ev.evaluate(t, as_of)?.and_then(|s| {
                        [
                            s.first_response,
                            s.next_response,
                            s.periodic_update,
                            s.resolution,
                        ]
                        .iter()
                        .flatten()
                        .filter_map(|m| m.breached_at)
                        .min()
                    }),
                    None => t.opened_at.checked_add_signed(wait),
                };
                let Some(from) = overdue_from else { continue };
                let settled = t
                    .steps
                    .iter()
                    .find(|s| {
                        s.at >= from && matches!(s.change, Change::Resolved { .. } | Change::Closed)
                    })
                    .map(|s| s.at);
                // Settled before it went overdue (resolved then, and not reopened): no span.
                let settled_before =
                    t.steps.iter().rev().find(|s| s.at < from).is_some_and(|s| {
                        matches!(s.change, Change::Resolved { .. } | Change::Closed)
                    });
                if !settled_before {
                    h.overdue.push((from, settled));
                }
            }
        }
        h.prepare();
        Ok(h)
    }

    /// One customer's stage history up to `as_of`, oldest spell first.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an unknown customer; as
    /// [`LifecyclePolicy::validate`].
    pub fn stage_history(
        &self,
        customer_id: CustomerId,
        policy: &LifecyclePolicy,
        as_of: DateTime<Utc>,
    ) -> Result<Vec<StageSpell>> {
        policy.validate()?;
        let dense = self.dense(customer_id)?;
        Ok(self.history_of(dense, policy, as_of)?.spells(policy, as_of))
    }

    /// Every customer's stage history up to `as_of`, in the book's order (in parallel).
    ///
    /// # Errors
    /// As [`LifecyclePolicy::validate`].
    pub fn stage_histories(
        &self,
        policy: &LifecyclePolicy,
        as_of: DateTime<Utc>,
    ) -> Result<Vec<Vec<StageSpell>>> {
        policy.validate()?;
        crate::parallel::install(|| {
            (0..self.customers.len() as u32)
                .into_par_iter()
                .map(|d| Ok(self.history_of(d, policy, as_of)?.spells(policy, as_of)))
                .collect()
        })
    }

    /// Every customer's stage as of `as_of` (the last spell of each history, computed
    /// directly), in parallel.
    ///
    /// # Errors
    /// As [`LifecyclePolicy::validate`].
    ///
    /// ```
    /// use crm_core::lifecycle::LifecyclePolicy;
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(400).seed(2);
    /// let (book, _) = config.build_book()?;
    /// let stages = book.stages(&LifecyclePolicy::default(), config.end())?;
    /// assert_eq!(stages.counts().iter().sum::<usize>(), book.len());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn stages(&self, policy: &LifecyclePolicy, as_of: DateTime<Utc>) -> Result<Stages> {
        policy.validate()?;
        let upsell = |h: &History| h.first_upsell(policy.active.up_sell_ratio);
        let stage = crate::parallel::install(|| {
            (0..self.customers.len() as u32)
                .into_par_iter()
                .map(|d| {
                    let h = self.history_of(d, policy, as_of)?;
                    Ok(classify(policy, &h.facts_at(policy, as_of, upsell(&h))))
                })
                .collect::<Result<Vec<Stage>>>()
        })?;
        Ok(Stages {
            as_of,
            customer_id: self.customers.iter().map(|c| c.id).collect(),
            stage,
        })
    }

    /// Every customer's stage facts as of `as_of`, as columns in the book's order: the
    /// feature columns the stage rules read, to inspect, adjust or classify with
    /// [`crate::lifecycle::classify_columns`] (which gives what [`CustomerBook::stages`] gives).
    ///
    /// # Errors
    /// As [`LifecyclePolicy::validate`].
    pub fn stage_facts(
        &self,
        policy: &LifecyclePolicy,
        as_of: DateTime<Utc>,
    ) -> Result<StageFactColumns> {
        policy.validate()?;
        let facts = crate::parallel::install(|| {
            (0..self.customers.len() as u32)
                .into_par_iter()
                .map(|d| {
                    let h = self.history_of(d, policy, as_of)?;
                    let upsell = h.first_upsell(policy.active.up_sell_ratio);
                    Ok(h.facts_at(policy, as_of, upsell))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        let mut out = StageFactColumns::default();
        for (c, f) in self.customers.iter().zip(&facts) {
            out.push(c.id, f);
        }
        Ok(out)
    }

    /// Funnel, conversion, transitions and time in stage over `[from, to)`.
    ///
    /// # Errors
    /// As [`crate::lifecycle::lifecycle_report`] and [`LifecyclePolicy::validate`].
    pub fn lifecycle_report(
        &self,
        policy: &LifecyclePolicy,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<LifecycleReport> {
        let histories = self.stage_histories(policy, to)?;
        lifecycle_report(histories.iter().map(Vec::as_slice), from, to)
    }

    /// Why the customers churned as of `as_of` left: the reason of the churn recorded after
    /// their last purchase, where there is one; the rest spread by the policy's priors.
    ///
    /// # Errors
    /// As [`LifecyclePolicy::validate`].
    pub fn churn_reasons(
        &self,
        policy: &LifecyclePolicy,
        as_of: DateTime<Utc>,
    ) -> Result<ChurnReasonReport> {
        let stages = self.stages(policy, as_of)?;
        let reasons: Vec<Option<ChurnReason>> = stages
            .stage
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == Stage::Churned)
            .map(|(d, _)| self.recorded_churn_reason(d as u32, as_of))
            .collect();
        Ok(churn_reasons(&reasons, policy.churn_priors()))
    }

    /// The reason of the latest churn recorded after the customer's last purchase.
    fn recorded_churn_reason(&self, dense: u32, as_of: DateTime<Utc>) -> Option<ChurnReason> {
        let mut reason = None;
        for &i in &self.by_customer[dense as usize] {
            let e = &self.events[i as usize];
            if e.at > as_of || e.customer != dense {
                continue;
            }
            match e.kind {
                StoredKind::Purchase { .. } => reason = None,
                StoredKind::Churned { reason: r } => reason = r,
                _ => {}
            }
        }
        reason
    }

    /// The lifecycle part of a view, when the book has a lifecycle policy.
    pub(crate) fn stage_view(&self, dense: u32, as_of: DateTime<Utc>) -> Result<Option<StageView>> {
        let Some(policy) = self.lifecycle_policy.as_deref() else {
            return Ok(None);
        };
        let history = self.history_of(dense, policy, as_of)?.spells(policy, as_of);
        Ok(history.last().map(|last| StageView {
            stage: last.stage,
            phase: last.stage.phase(),
            since: last.from,
            next_action: policy.next_action(last.stage).to_owned(),
            history: history.clone(),
        }))
    }
}
