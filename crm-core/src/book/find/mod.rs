//! Finding a customer: the call-centre agent's lookup by phone (any spelling), e-mail,
//! national id or tax number, the company's external reference, or name (folded,
//! Turkish-aware, prefix or fuzzy), ranked with a score.
//!
//! The index ([`LookupIndex`]) is derived data: built on the first [`CustomerBook::find`],
//! then kept current by every write (add, update, undo of a failed batch, merge, unmerge).
//! Only live customers are indexed, so a merged-away id's numbers find its survivor.

mod keys;
mod names;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::CustomerBook;
use crate::error::{CrmError, Result, mask};
use crate::model::{Customer, CustomerId};
use crate::quality::Country;

use keys::{Field, KeyMap};
use names::NameIndex;

pub use names::{FUZZY_FLOOR, MAX_NAME_EXPANSIONS};

/// The most results one lookup returns.
pub const MAX_FIND_LIMIT: usize = 1000;
/// The most words a name query has.
pub const MAX_NAME_WORDS: usize = 8;
/// The most characters of a name query.
pub const MAX_NAME_CHARS: usize = 200;

/// What to look a customer up by: any of the criteria, at least one.
///
/// JSON: `{"phone": "0 (532) 123 45 67", "name": "ayşe yılmaz", "limit": 10}`; absent
/// criteria left out, `limit` 10 and `country` `"TR"` by default (the country a national
/// phone number is read under).
///
/// ```
/// # use crm_core::book::Lookup;
/// let l: Lookup = serde_json::from_str(r#"{"email": "Ayse@Gmail.com"}"#).unwrap();
/// assert_eq!(l.limit, 10);
/// assert_eq!(Lookup::phone("0532 123 4567").phone.as_deref(), Some("0532 123 4567"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    /// A phone number in any spelling (read as E.164 under `country`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// An e-mail address (case ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A national id (TCKN) or tax number (VKN): both are searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    /// The company's own reference for the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// A name or part of one: words in any order, each a whole word, a prefix or a near
    /// spelling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The most results, 1 to [`MAX_FIND_LIMIT`].
    #[serde(default = "default_limit")]
    pub limit: usize,
    /// ISO 3166 code national phone numbers are read under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

fn default_limit() -> usize {
    Lookup::DEFAULT_LIMIT
}

impl Default for Lookup {
    fn default() -> Self {
        Lookup {
            phone: None,
            email: None,
            national_id: None,
            external_ref: None,
            name: None,
            limit: Lookup::DEFAULT_LIMIT,
            country: None,
        }
    }
}

impl Lookup {
    /// Results returned when the caller does not say.
    pub const DEFAULT_LIMIT: usize = 10;

    /// A lookup by phone number.
    pub fn phone(phone: &str) -> Self {
        Lookup {
            phone: Some(phone.to_owned()),
            ..Lookup::default()
        }
    }

    /// A lookup by e-mail address.
    pub fn email(email: &str) -> Self {
        Lookup {
            email: Some(email.to_owned()),
            ..Lookup::default()
        }
    }

    /// A lookup by name.
    pub fn name(name: &str) -> Self {
        Lookup {
            name: Some(name.to_owned()),
            ..Lookup::default()
        }
    }
}

/// Which criterion a result matched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    /// The phone number.
    Phone,
    /// The e-mail address.
    Email,
    /// The national id.
    NationalId,
    /// The tax number (the lookup's `national_id`).
    TaxId,
    /// The external reference.
    ExternalRef,
    /// The name.
    Name,
}

/// One customer found, with its score in (0, 1] and the criteria it matched.
///
/// The score is the mean over the lookup's criteria: 1.0 for an exact key that matched,
/// the name score for the name, 0 for a criterion not matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// The customer (always a live one: merged ids are never returned).
    pub customer_id: CustomerId,
    /// How well it matched, 0 to 1.
    pub score: f64,
    /// The criteria it matched, in [`MatchedOn`] order.
    pub matched_on: Vec<MatchedOn>,
}

/// The lookup index over the live customers.
#[derive(Debug, Clone, Default)]
pub(crate) struct LookupIndex {
    phone: KeyMap,
    email: KeyMap,
    national_id: KeyMap,
    tax_id: KeyMap,
    external_ref: KeyMap,
    names: NameIndex,
}

impl LookupIndex {
    /// The index of `customers`, built from scratch.
    pub(crate) fn build<'a>(customers: impl ExactSizeIterator<Item = &'a Customer>) -> Self {
        let mut ix = LookupIndex::default();
        let n = customers.len();
        for m in [&mut ix.phone, &mut ix.email, &mut ix.national_id] {
            m.reserve(n);
        }
        ix.names.reserve(n);
        for c in customers {
            ix.insert(c);
        }
        ix
    }

    fn map(&mut self, f: Field) -> &mut KeyMap {
        match f {
            Field::Phone => &mut self.phone,
            Field::Email => &mut self.email,
            Field::NationalId => &mut self.national_id,
            Field::TaxId => &mut self.tax_id,
            Field::ExternalRef => &mut self.external_ref,
        }
    }

    /// Indexes a live profile.
    pub(crate) fn insert(&mut self, c: &Customer) {
        for f in Field::ALL {
            for k in keys::of(c, f) {
                self.map(f).insert(&k, c.id);
            }
        }
        self.names.insert(c);
    }

    /// Forgets a profile (as it was indexed: `c` is the profile that was inserted).
    pub(crate) fn remove(&mut self, c: &Customer) {
        for f in Field::ALL {
            for k in keys::of(c, f) {
                self.map(f).remove(&k, c.id);
            }
        }
        self.names.remove(c.id);
    }

    /// What two indexes are compared by: every key map and the name postings.
    #[cfg(test)]
    pub(crate) fn same_as(&self, other: &LookupIndex) -> bool {
        self.phone == other.phone
            && self.email == other.email
            && self.national_id == other.national_id
            && self.tax_id == other.tax_id
            && self.external_ref == other.external_ref
            && self.names.content() == other.names.content()
    }

    /// (keys, distinct name words, name postings): what the index holds.
    pub(crate) fn sizes(&self) -> (usize, usize, usize) {
        let keys = [
            &self.phone,
            &self.email,
            &self.national_id,
            &self.tax_id,
            &self.external_ref,
        ]
        .iter()
        .map(|m| m.len())
        .sum();
        let (words, postings) = self.names.sizes();
        (keys, words, postings)
    }
}

/// A lookup checked and turned into keys.
struct Query {
    exact: Vec<(Field, MatchedOn, String)>,
    name: Option<Vec<String>>,
    criteria: usize,
    limit: usize,
}

fn query(lookup: &Lookup) -> Result<Query> {
    if lookup.limit == 0 || lookup.limit > MAX_FIND_LIMIT {
        return Err(CrmError::invalid(
            "limit",
            lookup.limit,
            format_args!("must be 1 to {MAX_FIND_LIMIT}"),
        ));
    }
    let country = match &lookup.country {
        Some(c) => Country::parse(c)?,
        None => Country::default(),
    };
    let unreadable = |field: &str, v: &str, what: &str| {
        CrmError::invalid(field, mask(v), format_args!("is not {what}"))
    };
    let mut exact = Vec::new();
    let mut criteria = 0;
    if let Some(p) = &lookup.phone {
        let k = keys::phone(&country, p).ok_or_else(|| {
            unreadable(
                "phone",
                p,
                &format!("a phone number under {}", country.code()),
            )
        })?;
        exact.push((Field::Phone, MatchedOn::Phone, k));
        criteria += 1;
    }
    if let Some(e) = &lookup.email {
        let k = keys::email(e).ok_or_else(|| unreadable("email", e, "an e-mail address"))?;
        exact.push((Field::Email, MatchedOn::Email, k));
        criteria += 1;
    }
    if let Some(i) = &lookup.national_id {
        let k = keys::id(i).ok_or_else(|| unreadable("national_id", i, "an id (no digits)"))?;
        exact.push((Field::NationalId, MatchedOn::NationalId, k.clone()));
        exact.push((Field::TaxId, MatchedOn::TaxId, k));
        criteria += 1;
    }
    if let Some(r) = &lookup.external_ref {
        let k = keys::external_ref(r)
            .ok_or_else(|| CrmError::invalid("external_ref", "(blank)", "must not be blank"))?;
        exact.push((Field::ExternalRef, MatchedOn::ExternalRef, k));
        criteria += 1;
    }
    let name = match &lookup.name {
        None => None,
        Some(n) => {
            let chars = n.chars().count();
            if chars > MAX_NAME_CHARS {
                return Err(CrmError::invalid(
                    "name",
                    format_args!("of {chars} characters"),
                    format_args!("at most {MAX_NAME_CHARS}"),
                ));
            }
            let words = names::tokens(n);
            if words.is_empty() || words.len() > MAX_NAME_WORDS {
                return Err(CrmError::invalid(
                    "name",
                    mask(n),
                    format_args!("needs 1 to {MAX_NAME_WORDS} words (titles left out)"),
                ));
            }
            criteria += 1;
            Some(words)
        }
    };
    if criteria == 0 {
        return Err(CrmError::invalid(
            "lookup",
            "{}",
            "give at least one of phone, email, national_id, external_ref, name",
        ));
    }
    Ok(Query {
        exact,
        name,
        criteria,
        limit: lookup.limit,
    })
}

impl CustomerBook {
    /// The customers a lookup finds, best first (score desc, then id asc), at most
    /// `lookup.limit`.
    ///
    /// Exact criteria (phone, e-mail, national id / tax number, external reference) are
    /// normalised as on the write side (`0 (532) 123 45 67`, `+90 532 1234567` and
    /// `905321234567` are one number); a name matches word by word, in any order, as a
    /// whole word (1.0), a prefix (`0.8 + 0.2·|q|/|t|`) or a near spelling (Jaro–Winkler
    /// ≥ [`FUZZY_FLOOR`]). With several criteria the score is their mean (0 for one not
    /// matched); a customer matching none is not listed.
    ///
    /// The first call builds the index (linear in the customers; the find bench prints the
    /// time at 1M); later writes keep it current. A merged-away customer's phones and
    /// e-mails find the survivor (the golden record unites them); a dropped reference does
    /// not.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `limit` (0 or above [`MAX_FIND_LIMIT`]),
    /// `lookup` (no criterion), `country`, or a criterion that cannot be read (a phone
    /// with letters, an address without `@`, a name of no word or more than
    /// [`MAX_NAME_WORDS`] words or [`MAX_NAME_CHARS`] characters); values are masked.
    ///
    /// ```
    /// # use crm_core::{book::{CustomerBook, Lookup, MatchedOn}, model::Customer};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// let mut ayse = Customer::person(1, "Ayşe", "Yılmaz");
    /// ayse.phones.push("0532 123 4567".into());
    /// book.add_customer(ayse)?;
    /// let found = book.find(&Lookup::phone("+90 (532) 123-45-67"))?;
    /// assert_eq!(found[0].customer_id, 1);
    /// assert_eq!(found[0].matched_on, [MatchedOn::Phone]);
    /// let found = book.find(&Lookup::name("yılmaz ayşe"))?;
    /// assert_eq!((found[0].customer_id, found[0].score), (1, 1.0));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn find(&self, lookup: &Lookup) -> Result<Vec<Match>> {
        let q = query(lookup)?;
        let ix = self
            .lookup
            .get_or_init(|| LookupIndex::build(self.customers.iter()));
        // customer → (sum of criterion scores, matched criteria)
        let mut found: BTreeMap<CustomerId, (f64, Vec<MatchedOn>)> = BTreeMap::new();
        let mut nid_hit: Vec<CustomerId> = Vec::new();
        // One exact criterion: every hit scores 1.0 and ids come sorted, so the first
        // `limit` checked hits are the answer (a key shared by thousands costs `limit`).
        let enough = |found: &BTreeMap<CustomerId, (f64, Vec<MatchedOn>)>| {
            q.criteria == 1 && q.name.is_none() && found.len() >= q.limit
        };
        for (field, on, key) in &q.exact {
            // The key's text is indexed: every id listed has it, nothing to check.
            for &id in ix_map(ix, *field).get(key) {
                if enough(&found) {
                    break;
                }
                // A national id that is also someone's tax number counts once per customer.
                if *field == Field::TaxId && nid_hit.contains(&id) {
                    continue;
                }
                if *field == Field::NationalId {
                    nid_hit.push(id);
                }
                let e = found.entry(id).or_insert((0.0, Vec::new()));
                e.0 += 1.0;
                e.1.push(*on);
            }
        }
        if let Some(words) = &q.name {
            if let Some(exp) = ix.names.expansions(words) {
                let maps = names::score_maps(&exp);
                // Customers found by a key get their name score directly.
                for (&id, e) in found.iter_mut() {
                    let s = ix.names.score(id, &maps);
                    if s > 0.0 {
                        e.0 += s;
                        e.1.push(MatchedOn::Name);
                    }
                }
                // Name alone: the limit best; beside other criteria, as many as may rank.
                let want = if q.criteria == 1 {
                    q.limit
                } else {
                    MAX_FIND_LIMIT
                };
                for (id, s) in ix.names.search(&exp, want) {
                    found
                        .entry(id)
                        .or_insert_with(|| (s, vec![MatchedOn::Name]));
                }
            }
        }
        let n = q.criteria as f64;
        let mut out: Vec<Match> = found
            .into_iter()
            .map(|(customer_id, (sum, mut matched_on))| {
                matched_on.sort_unstable();
                Match {
                    customer_id,
                    score: sum / n,
                    matched_on,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.customer_id.cmp(&b.customer_id))
        });
        out.truncate(q.limit);
        Ok(out)
    }

    /// Builds the lookup index now, if it is not built yet (a server may want to pay for it
    /// at start rather than on the first caller's lookup). Returns (keys, distinct name
    /// words, name postings): what the index holds.
    pub fn build_lookup_index(&self) -> (usize, usize, usize) {
        self.lookup
            .get_or_init(|| LookupIndex::build(self.customers.iter()))
            .sizes()
    }
}

/// Keeps the book's lookup index current: `old` (the profile as indexed) out, `new` in. A
/// no-op while the index is not built. A free function so that a caller can pass profiles
/// it borrows from the book's other fields.
pub(super) fn reindex(
    lookup: &mut std::sync::OnceLock<LookupIndex>,
    old: Option<&Customer>,
    new: Option<&Customer>,
) {
    if let Some(ix) = lookup.get_mut() {
        if let Some(c) = old {
            ix.remove(c);
        }
        if let Some(c) = new {
            ix.insert(c);
        }
    }
}

fn ix_map(ix: &LookupIndex, f: Field) -> &KeyMap {
    match f {
        Field::Phone => &ix.phone,
        Field::Email => &ix.email,
        Field::NationalId => &ix.national_id,
        Field::TaxId => &ix.tax_id,
        Field::ExternalRef => &ix.external_ref,
    }
}

#[cfg(test)]
mod tests;
