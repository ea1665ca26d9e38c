//! Merging duplicate customers inside a book: every event moves to the surviving customer,
//! the merged ids keep resolving to it, and merges are listed.

use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::CustomerBook;
use super::store::StoredKind;
use crate::error::{CrmError, Result};
use crate::model::{Customer, CustomerId};

/// One merge: `merged` customers folded into `survivor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRecord {
    /// The customer that remains.
    pub survivor: CustomerId,
    /// The customers folded into it; their ids now resolve to the survivor.
    pub merged: Vec<CustomerId>,
    /// When the merge was made (the caller's clock).
    pub at: DateTime<Utc>,
    /// How many events moved to the survivor.
    pub events_moved: usize,
}

impl CustomerBook {
    /// The customer an id stands for now: itself, or the survivor it was merged into.
    pub fn resolve(&self, id: CustomerId) -> Option<CustomerId> {
        let mut id = id;
        for _ in 0..=self.redirects.len() {
            if self.index.contains_key(&id) {
                return Some(id);
            }
            id = *self.redirects.get(&id)?;
        }
        None
    }

    /// Every merge made, oldest first.
    pub fn merges(&self) -> &[MergeRecord] {
        &self.merges
    }

    /// Folds the `merged` customers into `survivor`, whose profile becomes `profile` when
    /// given (a golden record, with the survivor's id). Every event of a merged customer
    /// moves to the survivor (referrals made to or by them too), complaints follow, profile
    /// `referred_by` links are re-pointed, and the merged ids resolve to the survivor from
    /// then on ([`CustomerBook::resolve`]; recording or viewing by an old id reaches the
    /// survivor). The last analysis is dropped (its rows no longer match).
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an unknown id, [`crate::ErrorKind::InvalidInput`]
    /// for an empty or repeated list, the survivor among the merged or a profile with another
    /// id, [`crate::ErrorKind::Conflict`] when one of them referred another (the merge would
    /// make a customer refer themselves). Nothing changes then.
    pub fn merge(
        &mut self,
        survivor: CustomerId,
        merged: &[CustomerId],
        profile: Option<Customer>,
        at: DateTime<Utc>,
    ) -> Result<MergeRecord> {
        let keep = self.dense(survivor)?;
        if merged.is_empty() {
            return Err(CrmError::invalid(
                "merged",
                "[]",
                "name at least one customer to merge",
            ));
        }
        let mut gone: FxHashSet<u32> = FxHashSet::default();
        for &id in merged {
            let d = self.dense(id)?;
            if d == keep {
                return Err(CrmError::invalid(
                    "merged",
                    id,
                    "the survivor cannot be merged into itself",
                ));
            }
            if !gone.insert(d) {
                return Err(CrmError::invalid("merged", id, "listed twice"));
            }
        }
        if let Some(p) = &profile {
            if p.id != survivor {
                return Err(CrmError::invalid(
                    "profile.id",
                    p.id,
                    format_args!("the merged profile must keep the survivor's id {survivor}"),
                ));
            }
            self.check_profile(p)?;
        }
        let group = |d: u32| d == keep || gone.contains(&d);
        if let Some(e) = self.events.iter().find(|e| {
            matches!(e.kind, StoredKind::Referral { referred } if group(e.customer) && group(referred))
        }) {
            return Err(CrmError::conflict(
                "merged",
                self.id_of(e.customer),
                "referred another of the customers being merged; merging would make a customer refer themselves",
            ));
        }

        // Validation is over: apply. Dense indexes after removing the merged customers.
        let mut new_index = vec![0u32; self.customers.len()];
        let mut next = 0u32;
        for (d, slot) in new_index.iter_mut().enumerate() {
            if !gone.contains(&(d as u32)) {
                *slot = next;
                next += 1;
            }
        }
        let survivor_new = new_index[keep as usize];
        let remap = |d: u32| {
            if gone.contains(&d) {
                survivor_new
            } else {
                new_index[d as usize]
            }
        };
        let mut moved = 0;
        for e in &mut self.events {
            if gone.contains(&e.customer) {
                moved += 1;
            }
            e.customer = remap(e.customer);
            if let StoredKind::Referral { referred } = &mut e.kind {
                *referred = remap(*referred);
            }
        }
        for c in self.complaints.values_mut() {
            c.customer = remap(c.customer);
        }
        // Per-customer event lists: the survivor's is the union, in time order.
        let old_lists = std::mem::take(&mut self.by_customer);
        let mut union: Vec<u32> = Vec::new();
        for (d, list) in old_lists.into_iter().enumerate() {
            let d = d as u32;
            if group(d) {
                union.extend(list);
            } else {
                self.by_customer.push(list);
            }
        }
        let events = &self.events;
        union.sort_by_key(|&i| (events[i as usize].at, i));
        union.dedup();
        self.by_customer.insert(survivor_new as usize, union);

        let merged_ids: Vec<CustomerId> = merged.to_vec();
        let old_customers = std::mem::take(&mut self.customers);
        for (d, c) in old_customers.into_iter().enumerate() {
            if !gone.contains(&(d as u32)) {
                self.customers.push(c);
            }
        }
        if let Some(p) = profile {
            self.customers[survivor_new as usize] = p;
        }
        for c in &mut self.customers {
            if c.referred_by.is_some_and(|r| merged_ids.contains(&r)) {
                c.referred_by = Some(survivor);
            }
            if c.referred_by == Some(c.id) {
                c.referred_by = None;
            }
        }
        self.index = self
            .customers
            .iter()
            .enumerate()
            .map(|(d, c)| (c.id, d as u32))
            .collect::<FxHashMap<_, _>>();
        for &id in &merged_ids {
            self.redirects.insert(id, survivor);
        }
        self.segmentation = None;
        let record = MergeRecord {
            survivor,
            merged: merged_ids,
            at,
            events_moved: moved,
        };
        self.merges.push(record.clone());
        Ok(record)
    }
}

/// Merges made and clusters skipped (with the reason) by
/// [`CustomerBook::merge_duplicates`].
pub type MergeOutcome = (Vec<MergeRecord>, Vec<(Vec<CustomerId>, String)>);

/// What [`CustomerBook::dedupe`] found and did. JSON: `{"clusters": [[ids]…]}` when only
/// finding, `{"clusters": […], "merges": [MergeRecord…], "skipped": [[[ids], "reason"]…]}`
/// when merging — what `crm_book_merge_duplicates_json` and Python's
/// `CustomerBook.merge_duplicates` return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DedupeOutcome {
    /// The duplicate clusters found (ids in book order, each of two or more).
    pub clusters: Vec<Vec<CustomerId>>,
    /// The merges made (`None` when only finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merges: Option<Vec<MergeRecord>>,
    /// Clusters whose merge was refused, with the reason (`None` when only finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Vec<(Vec<CustomerId>, String)>>,
}

impl CustomerBook {
    /// Duplicate customers in the book: clusters of ids (each of two or more, in book order)
    /// found by [`crate::quality::find_duplicates`] over the profiles.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] for settings
    /// [`crate::quality::DedupConfig::validate`] refuses.
    pub fn find_duplicates(
        &self,
        config: &crate::quality::DedupConfig,
    ) -> Result<Vec<Vec<CustomerId>>> {
        let records: Vec<crate::quality::MatchRecord> = self
            .customers
            .iter()
            .map(crate::quality::MatchRecord::from_customer)
            .collect();
        let d = crate::quality::find_duplicates(&records, config)?;
        let mut clusters: FxHashMap<usize, Vec<CustomerId>> = FxHashMap::default();
        for (row, &c) in d.cluster.iter().enumerate() {
            clusters.entry(c).or_default().push(self.customers[row].id);
        }
        let mut out: Vec<Vec<CustomerId>> =
            clusters.into_values().filter(|c| c.len() > 1).collect();
        out.sort_by_key(|c| self.index[&c[0]]);
        Ok(out)
    }

    /// Finds the book's duplicate customers ([`CustomerBook::find_duplicates`]) and, with
    /// `apply`, merges each cluster into a golden record ([`CustomerBook::merge_duplicates`])
    /// dated `at`, judging birth dates as of the date of `at`. The one workflow behind
    /// `crm_book_merge_duplicates_json` and Python's `CustomerBook.merge_duplicates`.
    ///
    /// # Errors
    /// As [`CustomerBook::find_duplicates`] and [`CustomerBook::merge_duplicates`]; nothing
    /// is merged on an error.
    ///
    /// ```
    /// use crm_core::book::{BookConfig, CustomerBook};
    /// use crm_core::model::Customer;
    /// use crm_core::quality::{DedupConfig, GoldenRules};
    /// let mut book = CustomerBook::new(BookConfig::new("TRY"))?;
    /// for (id, phone) in [(1, "0532 123 45 67"), (2, "+90 532 123 4567"), (3, "0533 765 43 21")] {
    ///     let mut c = Customer::person(id, "Ayşe", if id == 3 { "Demir" } else { "Kaya" });
    ///     c.national_id = (id != 3).then(|| "10000000146".to_owned());
    ///     c.phones = vec![phone.into()];
    ///     book.add_customer(c)?;
    /// }
    /// let at = "2025-06-01T00:00:00Z".parse().unwrap();
    /// let found = book.dedupe(&DedupConfig::default(), &GoldenRules::default(), at, false)?;
    /// assert_eq!(found.clusters, vec![vec![1, 2]]);
    /// assert!(found.merges.is_none() && book.len() == 3);
    /// let done = book.dedupe(&DedupConfig::default(), &GoldenRules::default(), at, true)?;
    /// assert_eq!(done.merges.unwrap()[0].merged, vec![2]);
    /// assert_eq!((book.len(), book.resolve(2)), (2, Some(1)));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn dedupe(
        &mut self,
        config: &crate::quality::DedupConfig,
        rules: &crate::quality::GoldenRules,
        at: DateTime<Utc>,
        apply: bool,
    ) -> Result<DedupeOutcome> {
        let clusters = self.find_duplicates(config)?;
        if !apply {
            return Ok(DedupeOutcome {
                clusters,
                merges: None,
                skipped: None,
            });
        }
        let (merges, skipped) = self.merge_duplicates(&clusters, rules, at.date_naive(), at)?;
        Ok(DedupeOutcome {
            clusters,
            merges: Some(merges),
            skipped: Some(skipped),
        })
    }

    /// Merges each cluster into one golden customer: the survivor is the cluster's first id,
    /// its profile the golden record of the cluster's profiles by `rules`
    /// ([`crate::quality::golden_record`]). Clusters whose merge is refused (a referral
    /// inside the cluster) are skipped and reported, the others applied.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an id not in the book (nothing is merged then).
    pub fn merge_duplicates(
        &mut self,
        clusters: &[Vec<CustomerId>],
        rules: &crate::quality::GoldenRules,
        today: chrono::NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<MergeOutcome> {
        for id in clusters.iter().flatten() {
            self.dense(*id)?;
        }
        let mut done = Vec::new();
        let mut skipped = Vec::new();
        let names = crate::quality::NameUsage::from_customers(&self.customers);
        for cluster in clusters {
            let Some((&survivor, rest)) = cluster.split_first() else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            let profiles: Vec<Customer> = cluster
                .iter()
                .filter_map(|id| self.resolve(*id).and_then(|r| self.customer(r)).cloned())
                .collect();
            let mut golden =
                crate::quality::golden_record_with(&profiles, rules, today, Some(&names)).customer;
            golden.id = survivor;
            match self.merge(survivor, rest, Some(golden), at) {
                Ok(m) => done.push(m),
                Err(e) => skipped.push((cluster.clone(), e.to_string())),
            }
        }
        Ok((done, skipped))
    }
}
