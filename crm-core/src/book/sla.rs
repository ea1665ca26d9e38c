//! The book's complaints as SLA trails: batch evaluation and the SLA state in the 360° view.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use super::CustomerBook;
use super::store::StoredKind;
use crate::error::Result;
use crate::model::ComplaintId;
use crate::sla::{
    Change, ComplaintSla, ComplaintTrail, ReportRequest, SlaPolicies, SlaReport, Step,
};

impl CustomerBook {
    /// Attaches SLA policies: from now on the 360° view shows each open complaint's SLA
    /// state. `None` detaches them. Policies are configuration, not part of snapshots.
    pub fn set_sla_policies(&mut self, policies: Option<SlaPolicies>) {
        self.sla_policies = policies.map(Arc::new);
    }

    /// The attached SLA policies, if any.
    pub fn sla_policies(&self) -> Option<&SlaPolicies> {
        self.sla_policies.as_deref()
    }

    /// Every complaint opened at or before `as_of`, as SLA trails (later events included;
    /// evaluation ignores them), in order of customer then opening. Tiers come from the last
    /// [`CustomerBook::analyse`].
    pub fn complaint_trails(&self, as_of: DateTime<Utc>) -> Vec<ComplaintTrail> {
        let mut out = Vec::new();
        for dense in 0..self.customers.len() as u32 {
            self.trails_of(dense, as_of, &mut out);
        }
        out
    }

    /// Appends the trails of one customer's complaints opened by `as_of`.
    pub(crate) fn trails_of(
        &self,
        dense: u32,
        as_of: DateTime<Utc>,
        out: &mut Vec<ComplaintTrail>,
    ) {
        let list = &self.by_customer[dense as usize];
        let first = out.len();
        let mut tier: Option<Option<Arc<str>>> = None;
        // Few complaints per customer: a small map from ticket to its trail's slot.
        let mut slot: FxHashMap<ComplaintId, usize> = FxHashMap::default();
        for &i in list {
            let e = &self.events[i as usize];
            if e.customer != dense {
                continue; // a referral listed under the referred customer
            }
            let step = |change| Step { at: e.at, change };
            let (id, change) = match e.kind {
                StoredKind::ComplaintOpened {
                    complaint_id,
                    priority,
                    category,
                    channel,
                    ..
                } => {
                    if e.at > as_of {
                        continue;
                    }
                    let tier = tier
                        .get_or_insert_with(|| self.analytics_tier(dense))
                        .clone();
                    slot.insert(complaint_id, out.len());
                    out.push(ComplaintTrail {
                        complaint_id,
                        customer_id: self.customers[dense as usize].id,
                        opened_at: e.at,
                        priority,
                        category: category.map(|s| Arc::from(self.symbols.resolve(s))),
                        channel,
                        tier,
                        steps: Vec::new(),
                    });
                    continue;
                }
                StoredKind::ComplaintStatusChanged {
                    complaint_id,
                    status,
                } => (complaint_id, Change::Status { status }),
                StoredKind::ComplaintPriorityChanged {
                    complaint_id,
                    priority,
                } => (complaint_id, Change::Priority { priority }),
                StoredKind::ComplaintResponded { complaint_id, .. } => {
                    (complaint_id, Change::Responded)
                }
                StoredKind::ComplaintMessage {
                    complaint_id,
                    direction,
                } => (complaint_id, Change::Message { direction }),
                StoredKind::ComplaintResolved {
                    complaint_id,
                    root_cause,
                } => (complaint_id, Change::Resolved { root_cause }),
                StoredKind::ComplaintReopened { complaint_id } => (complaint_id, Change::Reopened),
                StoredKind::ComplaintClosed { complaint_id } => (complaint_id, Change::Closed),
                _ => continue,
            };
            if let Some(&k) = slot.get(&id) {
                debug_assert!(k >= first);
                out[k].steps.push(step(change));
            }
        }
    }

    fn analytics_tier(&self, dense: u32) -> Option<Arc<str>> {
        let s = self.segmentation.as_deref()?;
        let row = dense as usize;
        if row >= s.features.len() || s.features.customer_id[row] != self.customers[row].id {
            return None;
        }
        s.pyramid.tier_name(row).map(Arc::from)
    }

    /// The SLA state of the book's complaints as of `now`: every complaint still open at
    /// `now` (`open_only`), or every complaint opened by then (for reports). Complaints no
    /// policy matches are left out.
    ///
    /// # Errors
    /// As [`crate::sla::SlaEvaluator::evaluate`].
    ///
    /// ```
    /// use crm_core::sla::SlaPolicies;
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(300).seed(5);
    /// let (book, _) = config.build_book()?;
    /// let policies = SlaPolicies::from_json(
    ///     r#"{"name": "24x7", "targets": {"urgent": {"resolution": 240}, "high": {"resolution": 1440},
    ///         "normal": {"resolution": 4320}, "low": {"resolution": 10080}}}"#)?;
    /// let open = book.evaluate_sla(&policies, config.end(), true)?;
    /// assert_eq!(open.len(), book.stats().complaints_open);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn evaluate_sla(
        &self,
        policies: &SlaPolicies,
        now: DateTime<Utc>,
        open_only: bool,
    ) -> Result<Vec<ComplaintSla>> {
        let trails = self.complaint_trails(now);
        let results = policies.evaluate_all(&trails, now)?;
        Ok(results
            .into_iter()
            .flatten()
            .filter(|s| !open_only || s.is_open())
            .collect())
    }

    /// The SLA report of the complaints opened in `[request.from, request.to)`, every
    /// complaint evaluated as of `now` by `policies`: compliance grouped `request.by`, the
    /// customer-error share and expected retention ([`crate::sla::report`]). The one
    /// workflow behind `crm_sla_report_json` and Python's `SlaPolicy.report`.
    ///
    /// # Errors
    /// As [`CustomerBook::evaluate_sla`] and [`crate::sla::expected_retention`].
    ///
    /// ```
    /// use crm_core::sla::{GroupBy, ReportRequest, RetentionAssumptions, SlaPolicies};
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(300).seed(5);
    /// let (book, _) = config.build_book()?;
    /// let policies = SlaPolicies::from_json(r#"{"name": "24x7", "targets": {"normal": {"resolution": 4320}}}"#)?;
    /// let request = ReportRequest { from: config.end() - chrono::Duration::days(365), to: config.end(),
    ///                               by: GroupBy::Priority, assumptions: RetentionAssumptions::default(),
    ///                               retention_cost: 100.0 };
    /// let r = book.sla_report(&policies, config.end(), &request)?;
    /// let counted: usize = r.compliance.iter().map(|row| row.complaints).sum();
    /// assert_eq!(counted, r.retention.complaints);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn sla_report(
        &self,
        policies: &SlaPolicies,
        now: DateTime<Utc>,
        request: &ReportRequest,
    ) -> Result<SlaReport> {
        let results = self.evaluate_sla(policies, now, false)?;
        crate::sla::report(&results, request)
    }
}
