//! Merging duplicate customers inside a book: every event moves to the surviving customer,
//! the merged ids keep resolving to it, and merges are listed.

use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::invariants::Scope;
use super::store::StoredKind;
use super::{CustomerBook, EarlyEvents};
use crate::error::{CrmError, Result};
use crate::model::{ComplaintId, Customer, CustomerId};

/// One merge: `merged` customers folded into `survivor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRecord {
    /// The customer that remains.
    pub survivor: CustomerId,
    /// The customers folded into it; their ids now resolve to the survivor. An id the call
    /// named that was already merged away is listed as the customer it stood for.
    pub merged: Vec<CustomerId>,
    /// When the merge was made (the caller's clock).
    pub at: DateTime<Utc>,
    /// How many events moved to the survivor.
    pub events_moved: usize,
}

/// A merge validated against the book it was planned on: applying it cannot fail. Only
/// valid while that book is unchanged (the [`super::Prepared`] borrow guarantees it).
#[derive(Debug, Clone)]
pub(super) struct MergePlan {
    keep: u32,
    survivor: CustomerId,
    gone: FxHashSet<u32>,
    merged_ids: Vec<CustomerId>,
    profile: Option<Customer>,
    acquired_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
}

/// What one applied merge changed, to take it back exactly ([`CustomerBook::unmerge`]): the
/// merged customers' own records and the entries that pointed at them, never a copy of the
/// book, so a batch of changes with merges journals O(merged records).
#[derive(Debug, Clone)]
pub(crate) struct MergeUndo {
    /// The survivor's dense index before the merge.
    keep: u32,
    /// The survivor's profile and event list before the merge.
    survivor: Box<Customer>,
    survivor_list: Vec<u32>,
    /// The merged customers: dense index before the merge (ascending), profile, event list.
    gone: Vec<(u32, Customer, Vec<u32>)>,
    /// Events owned by a merged customer: (event index, its dense owner before).
    owners: Vec<(u32, u32)>,
    /// Referrals naming a merged customer: (event index, the referred dense index before).
    referred: Vec<(u32, u32)>,
    /// Complaints of a merged customer: (id, its dense customer before).
    complaints: Vec<(ComplaintId, u32)>,
    /// Profiles whose `referred_by` was re-pointed: (dense index after, `referred_by` before).
    referrers: Vec<(u32, Option<CustomerId>)>,
    /// Redirects the merge re-pointed or replaced: (merged id, survivor before).
    redirects: Vec<(CustomerId, CustomerId)>,
    /// Redirects the merge added.
    added: Vec<CustomerId>,
    /// The analysis the merge dropped.
    segmentation: Option<std::sync::Arc<super::Segmentation>>,
}

impl CustomerBook {
    /// The customer an id stands for now: itself, or the survivor it was merged into (chains
    /// of merges are collapsed, so this is one look-up).
    pub fn resolve(&self, id: CustomerId) -> Option<CustomerId> {
        if self.index.contains_key(&id) {
            return Some(id);
        }
        self.redirects
            .get(&id)
            .copied()
            .filter(|s| self.index.contains_key(s))
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
    /// Ids already merged away stand for their survivor: `merge(2, &[1])` then
    /// `merge(3, &[1])` folds 2 (which 1 became) into 3, and 1 and 2 both resolve to 3 (the
    /// record lists the customers actually folded, here `[2]`). The survivor's `acquired_at`
    /// becomes the earliest of the merged records' (and of their events, when the book
    /// rejects early events and a record had none), so no moved event predates it. Merged
    /// ids stay reserved: adding a customer with one is refused.
    ///
    /// The merge is validated first (a plan checked against the current book) and then
    /// applied in place; it never fails half-way and never copies the book.
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
        let plan = self.plan_merge(survivor, merged, profile, at)?;
        Ok(self.apply_merge(plan))
    }

    /// Validates a merge against the book as it is, without changing anything: the first
    /// half of [`CustomerBook::merge`].
    pub(super) fn plan_merge(
        &self,
        survivor: CustomerId,
        merged: &[CustomerId],
        profile: Option<Customer>,
        at: DateTime<Utc>,
    ) -> Result<MergePlan> {
        let keep = self.dense(survivor)?;
        let survivor = self.id_of(keep);
        if merged.is_empty() {
            return Err(CrmError::invalid(
                "merged",
                "[]",
                "name at least one customer to merge",
            ));
        }
        let mut gone: FxHashSet<u32> = FxHashSet::default();
        let mut merged_ids: Vec<CustomerId> = Vec::with_capacity(merged.len());
        for &id in merged {
            let d = self.dense(id)?;
            if d == keep {
                return Err(CrmError::invalid(
                    "merged",
                    id,
                    format_args!("the survivor {survivor} cannot be merged into itself"),
                ));
            }
            if !gone.insert(d) {
                return Err(CrmError::invalid("merged", id, "listed twice"));
            }
            merged_ids.push(self.id_of(d));
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
        let acquired_at = self.merged_acquired_at(keep, &gone, profile.as_ref());
        Ok(MergePlan {
            keep,
            survivor,
            gone,
            merged_ids,
            profile,
            acquired_at,
            at,
        })
    }

    /// Applies a merge [`CustomerBook::plan_merge`] validated against this very book (the
    /// second half of [`CustomerBook::merge`]); it cannot fail.
    pub(super) fn apply_merge(&mut self, plan: MergePlan) -> MergeRecord {
        self.apply_merge_undoable(plan).0
    }

    /// [`CustomerBook::apply_merge`], also returning what [`CustomerBook::unmerge`] needs to
    /// take the merge back (its size is that of the merged customers' records).
    pub(super) fn apply_merge_undoable(&mut self, plan: MergePlan) -> (MergeRecord, MergeUndo) {
        let MergePlan {
            keep,
            survivor,
            gone,
            merged_ids,
            profile,
            acquired_at,
            at,
        } = plan;
        let group = |d: u32| d == keep || gone.contains(&d);
        let mut undo = MergeUndo {
            keep,
            survivor: Box::new(self.customers[keep as usize].clone()),
            survivor_list: Vec::new(),
            gone: Vec::with_capacity(gone.len()),
            owners: Vec::new(),
            referred: Vec::new(),
            complaints: Vec::new(),
            referrers: Vec::new(),
            redirects: Vec::new(),
            added: Vec::with_capacity(merged_ids.len()),
            segmentation: self.segmentation.take(),
        };
        // The group's profiles leave the lookup index; the survivor's comes back below.
        for d in std::iter::once(keep).chain(gone.iter().copied()) {
            super::find::reindex(&mut self.lookup, Some(&self.customers[d as usize]), None);
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
        for (i, e) in self.events.iter_mut().enumerate() {
            if gone.contains(&e.customer) {
                moved += 1;
                undo.owners.push((i as u32, e.customer));
            }
            e.customer = remap(e.customer);
            if let StoredKind::Referral { referred } = &mut e.kind {
                if gone.contains(referred) {
                    undo.referred.push((i as u32, *referred));
                }
                *referred = remap(*referred);
            }
        }
        for (&id, c) in &mut self.complaints {
            if gone.contains(&c.customer) {
                undo.complaints.push((id, c.customer));
            }
            c.customer = remap(c.customer);
        }
        // Per-customer event lists: the survivor's is the union, in time order.
        let old_lists = std::mem::take(&mut self.by_customer);
        let old_customers = std::mem::take(&mut self.customers);
        let mut union: Vec<u32> = Vec::new();
        for (d, (list, c)) in old_lists.into_iter().zip(old_customers).enumerate() {
            let d = d as u32;
            if group(d) {
                union.extend_from_slice(&list);
            }
            if d == keep {
                undo.survivor_list = list;
                self.customers.push(c);
            } else if gone.contains(&d) {
                undo.gone.push((d, c, list));
            } else {
                self.by_customer.push(list);
                self.customers.push(c);
            }
        }
        let events = &self.events;
        union.sort_by_key(|&i| (events[i as usize].at, i));
        union.dedup();
        self.by_customer.insert(survivor_new as usize, union);

        if let Some(p) = profile {
            self.customers[survivor_new as usize] = p;
        }
        self.customers[survivor_new as usize].acquired_at = acquired_at;
        // The merged records' consent decisions (opt-outs above all) stay with the survivor,
        // whatever profile the caller gave; `unmerge` puts the old profile back.
        let kept = &mut self.customers[survivor_new as usize];
        kept.union_consents(&undo.survivor.consents);
        for (_, c, _) in &undo.gone {
            kept.union_consents(&c.consents);
        }
        // Re-pointed referrers below change no lookup key.
        super::find::reindex(
            &mut self.lookup,
            None,
            Some(&self.customers[survivor_new as usize]),
        );
        for (d, c) in self.customers.iter_mut().enumerate() {
            let before = c.referred_by;
            if c.referred_by.is_some_and(|r| merged_ids.contains(&r)) {
                c.referred_by = Some(survivor);
            }
            if c.referred_by == Some(c.id) {
                c.referred_by = None;
            }
            if c.referred_by != before {
                undo.referrers.push((d as u32, before));
            }
        }
        self.index = self
            .customers
            .iter()
            .enumerate()
            .map(|(d, c)| (c.id, d as u32))
            .collect::<FxHashMap<_, _>>();
        // Chains collapse: ids merged into a now merged-away customer follow it.
        let folded: FxHashSet<CustomerId> = merged_ids.iter().copied().collect();
        for (&from, to) in &mut self.redirects {
            if folded.contains(to) {
                undo.redirects.push((from, *to));
                *to = survivor;
            }
        }
        for &id in &merged_ids {
            match self.redirects.insert(id, survivor) {
                Some(before) => undo.redirects.push((id, before)),
                None => undo.added.push(id),
            }
        }
        let record = MergeRecord {
            survivor,
            merged: merged_ids,
            at,
            events_moved: moved,
        };
        self.merges.push(record.clone());
        // The plan kept every invariant; the one function says so in debug builds.
        debug_assert!(
            self.check_invariants(Scope::Customer(survivor_new)).is_ok(),
            "a planned merge broke the book's invariants"
        );
        (record, undo)
    }

    /// Takes back the last merge applied, which [`CustomerBook::apply_merge_undoable`]
    /// described in `undo`, when nothing after it is still applied (a journal is undone
    /// last in, first out): the book is exactly as before the merge, dense indexes
    /// included. It walks the book's events and customers once, as the merge did, and
    /// copies nothing but the merged records kept in `undo`.
    pub(crate) fn unmerge(&mut self, undo: MergeUndo) {
        let MergeUndo {
            keep,
            survivor,
            survivor_list,
            gone,
            owners,
            referred,
            complaints,
            referrers,
            redirects,
            added,
            segmentation,
        } = undo;
        self.merges.pop();
        self.segmentation = segmentation;
        for id in &added {
            self.redirects.remove(id);
        }
        self.redirects.extend(redirects);
        // In the merged layout: the re-pointed referrers, then the survivor as it was.
        for (d, referred_by) in referrers {
            self.customers[d as usize].referred_by = referred_by;
        }
        let survivor_new = keep as usize - gone.iter().filter(|g| g.0 < keep).count();
        // The merged profile leaves the lookup index; the group's come back below.
        super::find::reindex(&mut self.lookup, Some(&self.customers[survivor_new]), None);
        let group: Vec<u32> = std::iter::once(keep)
            .chain(gone.iter().map(|g| g.0))
            .collect();
        self.customers[survivor_new] = *survivor;
        self.by_customer[survivor_new] = survivor_list;
        // The layout before: each merged customer back at its index.
        let n = self.customers.len() + gone.len();
        let mut old_of_new: Vec<u32> = Vec::with_capacity(self.customers.len());
        let mut customers = Vec::with_capacity(n);
        let mut lists = Vec::with_capacity(n);
        let mut kept = std::mem::take(&mut self.customers)
            .into_iter()
            .zip(std::mem::take(&mut self.by_customer));
        let mut gone = gone.into_iter().peekable();
        for d in 0..n as u32 {
            let back = gone.next_if(|g| g.0 == d).map(|(_, c, l)| (c, l));
            let Some((c, list)) = back.or_else(|| {
                old_of_new.push(d);
                kept.next()
            }) else {
                break;
            };
            customers.push(c);
            lists.push(list);
        }
        self.customers = customers;
        self.by_customer = lists;
        for d in group {
            super::find::reindex(&mut self.lookup, None, Some(&self.customers[d as usize]));
        }
        let old = |d: u32| old_of_new[d as usize];
        for e in &mut self.events {
            e.customer = old(e.customer);
            if let StoredKind::Referral { referred } = &mut e.kind {
                *referred = old(*referred);
            }
        }
        for (i, d) in owners {
            self.events[i as usize].customer = d;
        }
        for (i, d) in referred {
            if let StoredKind::Referral { referred } = &mut self.events[i as usize].kind {
                *referred = d;
            }
        }
        for c in self.complaints.values_mut() {
            c.customer = old(c.customer);
        }
        for (id, d) in complaints {
            if let Some(c) = self.complaints.get_mut(&id) {
                c.customer = d;
            }
        }
        self.index = self
            .customers
            .iter()
            .enumerate()
            .map(|(d, c)| (c.id, d as u32))
            .collect::<FxHashMap<_, _>>();
    }

    /// The survivor's acquisition date after a merge: the earliest known of the group's
    /// records (the golden `profile` standing for the survivor's when given); when the book
    /// rejects early events, no later than the group's first own event.
    fn merged_acquired_at(
        &self,
        keep: u32,
        gone: &FxHashSet<u32>,
        profile: Option<&Customer>,
    ) -> Option<DateTime<Utc>> {
        let survivor = profile.unwrap_or(&self.customers[keep as usize]);
        let earliest = std::iter::once(survivor)
            .chain(gone.iter().map(|&d| &self.customers[d as usize]))
            .filter_map(|c| c.acquired_at)
            .min()?;
        if self.config.early_events == EarlyEvents::Accept {
            return Some(earliest);
        }
        let first_event = std::iter::once(keep)
            .chain(gone.iter().copied())
            .filter_map(|d| {
                self.by_customer[d as usize]
                    .iter()
                    .map(|&i| &self.events[i as usize])
                    .find(|e| e.customer == d)
                    .map(|e| e.at)
            })
            .min();
        Some(first_event.map_or(earliest, |f| f.min(earliest)))
    }

    /// Installs merge records as recorded after the book's own ([`super::Change::
    /// MergesImported`]): all of them are replayed by [`CustomerBook::replay_merges`] and
    /// the redirects checked by the invariant function; journaled (the redirects before:
    /// O(merges)), so that a batch can take it back.
    pub(super) fn apply_imported_merges(
        &mut self,
        merges: &[MergeRecord],
        journal: &mut Vec<super::ingest::Undo>,
    ) -> Result<()> {
        let redirects = self.redirects.clone();
        let count = self.merges.len();
        let mut all = self.merges.clone();
        all.extend_from_slice(merges);
        // The whole list is checked, so that a record may not undo an earlier one.
        self.replay_merges(all)?;
        journal.push(super::ingest::Undo::MergesImported {
            redirects,
            merges: count,
        });
        self.check_invariants(Scope::Merges)
    }

    /// Rebuilds the redirects from merge records replayed in order (the loader's half of
    /// [`CustomerBook::merge`]): each record's survivor was live when it was made and each
    /// merged id had not been merged before; chains are then collapsed to the final
    /// survivor. The invariants check the result.
    pub(crate) fn replay_merges(&mut self, merges: Vec<MergeRecord>) -> Result<()> {
        let mut redirects: FxHashMap<CustomerId, CustomerId> = FxHashMap::default();
        for (i, m) in merges.iter().enumerate() {
            let context = |e: CrmError| e.context(format_args!("merge #{i}"));
            if let Some(to) = redirects.get(&m.survivor) {
                return Err(context(CrmError::conflict(
                    "survivor",
                    m.survivor,
                    format_args!("was merged into {to} by an earlier merge"),
                )));
            }
            if m.merged.is_empty() {
                return Err(context(CrmError::invalid(
                    "merged",
                    "[]",
                    "name at least one customer to merge",
                )));
            }
            for &id in &m.merged {
                if id == m.survivor || redirects.contains_key(&id) {
                    return Err(context(CrmError::invalid(
                        "merged",
                        id,
                        "merged twice or into itself",
                    )));
                }
                if self.index.contains_key(&id) {
                    return Err(context(CrmError::conflict(
                        "merged",
                        id,
                        "is still a customer of the snapshot, so it cannot redirect",
                    )));
                }
                redirects.insert(id, m.survivor);
            }
        }
        // A survivor is never an earlier record's merged id, so following targets only
        // moves to later records: the walk ends within `merges.len()` steps.
        let finals: Vec<(CustomerId, CustomerId)> = redirects
            .iter()
            .map(|(&from, &to)| {
                let mut to = to;
                while let Some(&next) = redirects.get(&to) {
                    to = next;
                }
                (from, to)
            })
            .collect();
        self.redirects = finals.into_iter().collect();
        self.merges = merges;
        Ok(())
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
    /// ([`crate::quality::golden_record`]). Ids already merged away stand for their survivor
    /// (as in [`CustomerBook::merge`]); a cluster that comes down to one customer is left
    /// alone. Clusters whose merge is refused (a referral inside the cluster) are skipped and
    /// reported, the others applied, each with the guarantees of [`CustomerBook::merge`]
    /// (the survivor's `acquired_at` is the cluster's earliest), in place.
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
        self.merge_clusters(clusters, rules, today, at, None, None)
    }

    /// Merges each cluster (see [`CustomerBook::merge_duplicates`]); with `log`, also
    /// pushes each merge made as the [`super::Change::Merged`] (golden profile included)
    /// that replays it; with `journal`, journals each merge so that it can be taken back.
    pub(super) fn merge_clusters(
        &mut self,
        clusters: &[Vec<CustomerId>],
        rules: &crate::quality::GoldenRules,
        today: chrono::NaiveDate,
        at: DateTime<Utc>,
        mut log: Option<&mut Vec<super::Change>>,
        mut journal: Option<&mut Vec<super::ingest::Undo>>,
    ) -> Result<MergeOutcome> {
        for id in clusters.iter().flatten() {
            self.dense(*id)?;
        }
        let mut done = Vec::new();
        let mut skipped = Vec::new();
        let names = crate::quality::NameUsage::from_customers(&self.customers);
        for cluster in clusters {
            // Earlier merges of this call may have folded some of the cluster already.
            let mut ids: Vec<CustomerId> = Vec::with_capacity(cluster.len());
            // Every id resolved before the first merge and merges keep ids resolving.
            for id in cluster.iter().filter_map(|id| self.resolve(*id)) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            let Some((&survivor, rest)) = ids.split_first() else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            let profiles: Vec<Customer> = ids
                .iter()
                .filter_map(|id| self.customer(*id).cloned())
                .collect();
            let mut golden =
                crate::quality::golden_record_with(&profiles, rules, today, Some(&names)).customer;
            golden.id = survivor;
            // Each merge is planned (validated) against the book as earlier ones left it and
            // applied in place: a refused cluster changes nothing.
            let logged = log.as_ref().map(|_| golden.clone());
            match self.plan_merge(survivor, rest, Some(golden), at) {
                Ok(plan) => {
                    if let (Some(log), Some(profile)) = (log.as_deref_mut(), logged) {
                        log.push(super::Change::Merged {
                            survivor,
                            merged: rest.to_vec(),
                            profile: Some(profile),
                            at,
                        });
                    }
                    let record = match journal.as_deref_mut() {
                        Some(journal) => {
                            let (record, undo) = self.apply_merge_undoable(plan);
                            journal.push(super::ingest::Undo::Merge(Box::new(undo)));
                            record
                        }
                        None => self.apply_merge(plan),
                    };
                    done.push(record);
                }
                Err(e) => skipped.push((cluster.clone(), e.to_string())),
            }
        }
        Ok((done, skipped))
    }
}
