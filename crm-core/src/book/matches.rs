//! Duplicate prevention at the point of entry: the customers already in the book that a new
//! or edited profile likely duplicates, and adding a customer with a policy for them.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::{Change, CustomerBook, MergeRecord, Prepared};
use crate::error::{CrmError, ErrorKind, Result};
use crate::model::{Customer, CustomerId};
use crate::quality::{DedupConfig, FieldEvidence, IndexMatch, MatchIndex, MatchRecord};

/// The book grows or shrinks by more than this share before the index is refitted: until
/// then, records added since are scored one by one against the new record.
const REFIT_SHARE: f64 = 0.2;

/// A customer in the book that a profile likely duplicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerMatch {
    /// The customer in the book.
    pub customer_id: CustomerId,
    /// Posterior probability that both are the same customer.
    pub probability: f64,
    /// Per field, how the two compare and its weight (log₂ Bayes factor).
    pub evidence: Vec<FieldEvidence>,
}

/// What [`CustomerBook::add_customer_checked`] does when the new customer likely duplicates
/// one already in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Add it anyway (the default: the candidates are reported).
    #[default]
    Allow,
    /// Refuse it with [`ErrorKind::Duplicate`] listing the candidates; nothing changes.
    Reject,
    /// Add it and merge it into the best candidate, which survives.
    Merge,
}

impl OnDuplicate {
    /// The policy named `name` (`"allow"`, `"reject"` or `"merge"`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] naming `on_duplicate` for any other name.
    ///
    /// ```
    /// use crm_core::book::OnDuplicate;
    /// assert_eq!(OnDuplicate::parse("merge")?, OnDuplicate::Merge);
    /// let err = OnDuplicate::parse("skip").unwrap_err();
    /// assert_eq!(err.field(), Some("on_duplicate"));
    /// assert_eq!(err.to_string(), r#"invalid on_duplicate "skip": one of allow, reject, merge"#);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn parse(name: &str) -> Result<OnDuplicate> {
        match name {
            "allow" => Ok(OnDuplicate::Allow),
            "reject" => Ok(OnDuplicate::Reject),
            "merge" => Ok(OnDuplicate::Merge),
            other => Err(CrmError::invalid(
                "on_duplicate",
                format_args!("{other:?}"),
                "one of allow, reject, merge",
            )),
        }
    }
}

/// The settings of a checked add as one JSON object (the C form): `on_duplicate` (default
/// `"allow"`), `at` (RFC 3339, the instant a merge is dated; required with `"merge"`) and any
/// [`DedupConfig`] key (`{"on_duplicate": "reject", "threshold": 0.95, "country": "AU"}`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckedAddOptions {
    /// What to do with a likely duplicate.
    pub on_duplicate: OnDuplicate,
    /// When a merge is dated.
    pub at: Option<DateTime<Utc>>,
    /// How duplicates are found.
    pub config: DedupConfig,
}

impl CheckedAddOptions {
    /// Reads the options from their JSON object (`what` names it in messages).
    ///
    /// # Errors
    /// [`ErrorKind::Parse`] for text that is no JSON object; [`ErrorKind::InvalidInput`]
    /// naming `on_duplicate` for an unknown policy, `at` for no instant, and as
    /// [`crate::json::parse`] for the [`DedupConfig`] keys (an unknown key is a parse error).
    ///
    /// ```
    /// use crm_core::book::{CheckedAddOptions, OnDuplicate};
    /// let o = CheckedAddOptions::from_json("options", r#"{"on_duplicate": "reject", "threshold": 0.95}"#)?;
    /// assert_eq!((o.on_duplicate, o.config.threshold), (OnDuplicate::Reject, 0.95));
    /// let err = CheckedAddOptions::from_json("options", r#"{"on_duplicate": "skip"}"#).unwrap_err();
    /// assert_eq!(err.field(), Some("on_duplicate"));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_json(what: &str, text: &str) -> Result<CheckedAddOptions> {
        let mut object = match crate::json::parse::<serde_json::Value>(what, text)? {
            serde_json::Value::Object(o) => o,
            other => {
                return Err(CrmError::parse(
                    what,
                    format_args!("expected a JSON object, not {}", json_kind(&other)),
                ));
            }
        };
        let on_duplicate = match object.remove("on_duplicate") {
            None => OnDuplicate::default(),
            Some(serde_json::Value::String(name)) => OnDuplicate::parse(&name)?,
            Some(other) => {
                return Err(CrmError::invalid(
                    "on_duplicate",
                    json_kind(&other),
                    "one of allow, reject, merge",
                ));
            }
        };
        let at = match object.remove("at") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(t)) => Some(crate::time::parse_instant(&t, "at")?),
            Some(other) => {
                return Err(CrmError::invalid(
                    "at",
                    json_kind(&other),
                    "an RFC 3339 instant",
                ));
            }
        };
        let config = crate::json::from_value(what, serde_json::Value::Object(object))?;
        Ok(CheckedAddOptions {
            on_duplicate,
            at,
            config,
        })
    }

    /// The instant a merge is dated: `at`, required with [`OnDuplicate::Merge`]. Without a
    /// merge nothing is dated, so any instant serves (the Unix epoch).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] naming `at` when merging without it.
    pub fn merge_at(&self) -> Result<DateTime<Utc>> {
        match (self.on_duplicate, self.at) {
            (_, Some(at)) => Ok(at),
            (OnDuplicate::Merge, None) => Err(CrmError::new(
                ErrorKind::InvalidInput,
                Some("at"),
                "invalid at (none): on_duplicate \"merge\" needs the instant the merge is dated",
            )),
            _ => Ok(DateTime::<Utc>::UNIX_EPOCH),
        }
    }
}

/// The JSON type of `value`, for messages (never the value: it may be personal).
fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// What [`CustomerBook::add_customer_checked`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedAdd {
    /// The id the customer is now filed under: the survivor's after a merge, else its own.
    pub customer_id: CustomerId,
    /// The likely duplicates found before the customer was added, best first (also under
    /// [`OnDuplicate::Allow`], which adds it anyway).
    pub matches: Vec<CustomerMatch>,
    /// The merge into the best candidate, with [`OnDuplicate::Merge`] and a candidate.
    pub merged: Option<MergeRecord>,
}

/// The index of the book's customers, fitted once and reused while the book stays close to
/// the size it was fitted at.
pub(super) struct Cached {
    pub(super) index: Arc<MatchIndex>,
    /// How many customers the book had (its first `fitted` are indexed).
    fitted: usize,
    /// How many merges the book had: a merge moves rows, so the index is rebuilt.
    merges: usize,
    /// Customers updated since: scored from their current profile, not the index's.
    updated: FxHashSet<CustomerId>,
}

/// The book's cached [`MatchIndex`]: derived data, not part of snapshots; a clone of the
/// book starts without it.
#[derive(Default)]
pub(super) struct MatchCache(Mutex<Option<Cached>>);

impl Clone for MatchCache {
    fn clone(&self) -> Self {
        MatchCache::default()
    }
}

impl std::fmt::Debug for MatchCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fitted = self.lock().as_ref().map(|c| c.fitted);
        f.debug_struct("MatchCache")
            .field("fitted", &fitted)
            .finish()
    }
}

impl MatchCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        // The cache is rebuilt from the book: a panic mid-update leaves nothing to trust.
        self.0.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            *guard = None;
            guard
        })
    }

    /// Notes that a customer's profile changed since the fit.
    pub(super) fn touch(&self, id: CustomerId) {
        if let Some(c) = self.lock().as_mut() {
            c.updated.insert(id);
        }
    }
}

impl From<IndexMatch> for CustomerMatch {
    fn from(m: IndexMatch) -> Self {
        CustomerMatch {
            customer_id: m.id,
            probability: m.probability,
            evidence: m.evidence,
        }
    }
}

impl CustomerBook {
    /// The customers already in the book that `customer` (a new profile, or an edit of one in
    /// the book: its own id is never returned) likely duplicates, best first, with their match
    /// probability and per-field evidence, scored with the model fitted on the book
    /// ([`crate::quality::find_duplicates`]' m and u) and the entry-time prior: the chance
    /// that the profile is a given customer of the book ([`crate::quality::ENTRY_SHARE`]
    /// over the book's customers, or the batch prior when higher), which does not collapse
    /// when the book holds no duplicates any more (after a merge, a customer typed in again
    /// is still found).
    ///
    /// The index of the book is built on the first call and kept; customers added since are
    /// scored one by one until the book has grown or shrunk by more than 20 %, when it is
    /// refitted (as it is for other settings and after a merge).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] for settings [`DedupConfig::validate`] refuses.
    ///
    /// ```
    /// use crm_core::book::CustomerBook;
    /// use crm_core::quality::DedupConfig;
    /// use crm_core::sample::SampleConfig;
    /// let sample = SampleConfig::new(500).seed(4).generate();
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customers(sample.customers.iter().cloned())?;
    /// let mut again = sample.customers[0].clone();
    /// again.id = 9_999_999;
    /// again.emails.clear();
    /// let found = book.find_matches(&again, &DedupConfig::default())?;
    /// assert_eq!(found[0].customer_id, sample.customers[0].id);
    /// assert!(found[0].probability >= 0.9);
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn find_matches(
        &self,
        customer: &Customer,
        config: &DedupConfig,
    ) -> Result<Vec<CustomerMatch>> {
        config.validate()?;
        if self.customers.is_empty() {
            return Ok(Vec::new());
        }
        let own = self.resolve(customer.id).unwrap_or(customer.id);
        let record = MatchRecord::from_customer(customer);
        let mut cache = self.match_cache.lock();
        if !cache.as_ref().is_some_and(|c| self.fits(c, config)) {
            *cache = Some(self.fit_index(config)?);
        }
        let Some(cached) = cache.as_ref() else {
            return Ok(Vec::new());
        };
        let index = &cached.index;
        let mut found = index.candidates(&record, |id| id == own || cached.updated.contains(&id));
        // Profiles added or edited since the fit, from the book as it is now.
        let fresh = self.customers[cached.fitted..]
            .iter()
            .chain(cached.updated.iter().filter_map(|id| self.customer(*id)));
        for c in fresh.filter(|c| c.id != own) {
            if let Some(m) = index.score_pair(&record, c.id, &MatchRecord::from_customer(c)) {
                found.push(m);
            }
        }
        crate::quality::sort_best_first(&mut found);
        found.dedup_by_key(|m| m.id);
        Ok(found.into_iter().map(CustomerMatch::from).collect())
    }

    /// Whether `cached` still serves `config` on the book as it is.
    fn fits(&self, cached: &Cached, config: &DedupConfig) -> bool {
        let n = self.customers.len() as f64;
        let fitted = cached.fitted as f64;
        cached.index.config() == config
            && cached.merges == self.merges.len()
            && self.customers.len() >= cached.fitted
            && (n - fitted).abs() <= REFIT_SHARE * fitted
    }

    pub(super) fn fit_index(&self, config: &DedupConfig) -> Result<Cached> {
        let ids: Vec<CustomerId> = self.customers.iter().map(|c| c.id).collect();
        let records: Vec<MatchRecord> = self
            .customers
            .iter()
            .map(MatchRecord::from_customer)
            .collect();
        Ok(Cached {
            index: Arc::new(MatchIndex::new(&ids, &records, config)?),
            fitted: ids.len(),
            merges: self.merges.len(),
            updated: FxHashSet::default(),
        })
    }

    /// Adds `customer` after looking for it in the book ([`CustomerBook::find_matches`]):
    /// with [`OnDuplicate::Allow`] it is added whatever was found; with
    /// [`OnDuplicate::Reject`] a likely duplicate refuses it; with [`OnDuplicate::Merge`] it
    /// is added and merged (dated `at`) into the best candidate, which keeps its profile and
    /// id, in one all-or-nothing change. Returns the candidates and the merge.
    ///
    /// # Errors
    /// As [`CustomerBook::find_matches`] and [`CustomerBook::add_customer`];
    /// [`ErrorKind::Duplicate`] naming `customer` with [`OnDuplicate::Reject`] and a
    /// candidate, the message listing candidate ids and probabilities (no personal data).
    /// The book is unchanged on every error.
    ///
    /// ```
    /// use crm_core::book::{CustomerBook, OnDuplicate};
    /// use crm_core::quality::DedupConfig;
    /// use crm_core::sample::SampleConfig;
    /// use crm_core::ErrorKind;
    /// let sample = SampleConfig::new(500).seed(4).generate();
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customers(sample.customers.iter().cloned())?;
    /// let n = book.len();
    /// let mut again = sample.customers[0].clone();
    /// again.id = 9_999_999;
    /// let (at, config) = (sample.end, DedupConfig::default());
    /// let err = book.add_customer_checked(again.clone(), &config, OnDuplicate::Reject, at)
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Duplicate);
    /// let first = sample.customers[0].id;
    /// let start = format!("customer 9999999 likely duplicates customer {first} (p = ");
    /// assert!(err.to_string().starts_with(&start));
    /// let done = book.add_customer_checked(again, &config, OnDuplicate::Merge, at)?;
    /// assert_eq!(done.merged.unwrap().merged, vec![9_999_999]);
    /// assert_eq!((book.len(), book.resolve(9_999_999)), (n, Some(first)));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn add_customer_checked(
        &mut self,
        customer: Customer,
        config: &DedupConfig,
        policy: OnDuplicate,
        at: DateTime<Utc>,
    ) -> Result<CheckedAdd> {
        let (prepared, checked, _) = self.prepare_add_checked(customer, config, policy, at)?;
        if let Some(p) = prepared {
            p.apply();
        }
        Ok(checked)
    }

    /// [`CustomerBook::add_customer_checked`], prepared for a store: the changes to log
    /// ([`Change::CustomerAdded`], then [`Change::Merged`] when merging) and the staged
    /// [`Prepared`] to apply once they are committed (`None` when nothing changes).
    ///
    /// # Errors
    /// As [`CustomerBook::add_customer_checked`]; the book is unchanged then.
    #[allow(clippy::type_complexity)]
    pub fn prepare_add_checked(
        &mut self,
        customer: Customer,
        config: &DedupConfig,
        policy: OnDuplicate,
        at: DateTime<Utc>,
    ) -> Result<(Option<Prepared<'_>>, CheckedAdd, Vec<Change>)> {
        let matches = self.find_matches(&customer, config)?;
        let id = customer.id;
        let mut changes = vec![Change::CustomerAdded { customer }];
        match (policy, matches.first()) {
            (OnDuplicate::Reject, Some(_)) => return Err(duplicate_error(id, &matches)),
            (OnDuplicate::Merge, Some(best)) => changes.push(Change::Merged {
                survivor: best.customer_id,
                merged: vec![id],
                profile: None,
                at,
            }),
            _ => {}
        }
        let prepared = self.prepare_all(&changes)?;
        let merged = prepared.outcomes().iter().find_map(|o| match o {
            super::ChangeOutcome::Merged(m) => Some(m.clone()),
            _ => None,
        });
        let customer_id = merged.as_ref().map_or(id, |m| m.survivor);
        let checked = CheckedAdd {
            customer_id,
            matches,
            merged,
        };
        Ok((Some(prepared), checked, changes))
    }
}

/// The error of a refused likely duplicate: ids and probabilities only.
fn duplicate_error(id: CustomerId, matches: &[CustomerMatch]) -> CrmError {
    let list: Vec<String> = matches
        .iter()
        .take(10)
        .map(|m| format!("{} (p = {:.3})", m.customer_id, m.probability))
        .collect();
    let more = matches.len().saturating_sub(10);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let noun = if matches.len() == 1 {
        "customer"
    } else {
        "customers"
    };
    CrmError::new(
        ErrorKind::Duplicate,
        Some("customer"),
        format!(
            "customer {id} likely duplicates {noun} {}{tail}",
            list.join(", ")
        ),
    )
    .with_candidates(
        matches
            .iter()
            .map(|m| (m.customer_id, m.probability))
            .collect(),
    )
}
