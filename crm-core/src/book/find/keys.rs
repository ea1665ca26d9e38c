//! The exact keys: one function per field, used on the write side (a profile) and on the
//! query side (a [`super::Lookup`]) alike, and a map from each key to the ids that have
//! it.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

use crate::model::{Customer, CustomerId};
use crate::quality::{Country, normalize_email};

/// A phone number's key: E.164 under `country`'s rules (`quality`'s matching key).
pub(crate) fn phone(country: &Country, s: &str) -> Option<String> {
    country.phone_key(s)
}

/// An e-mail address's key: normalised, then the whole address lower-cased (most mail
/// systems ignore the local part's case; for finding a caller that is the useful reading).
pub(crate) fn email(s: &str) -> Option<String> {
    normalize_email(s).map(|e| e.to_lowercase())
}

/// A national id's or tax number's key: its letters and digits, upper case, checksum or
/// not (a mistyped id on file should still find its customer).
pub(crate) fn id(s: &str) -> Option<String> {
    let key: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!key.is_empty()).then_some(key)
}

/// The company's own reference: trimmed, case kept (it is the company's key, not typed by
/// the customer).
pub(crate) fn external_ref(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The country a profile's phone numbers are read under: its address's, else `TR`.
pub(crate) fn country_of(c: &Customer) -> Country {
    c.address
        .country
        .as_deref()
        .and_then(|code| Country::parse(code).ok())
        .unwrap_or_default()
}

/// The keys of one field of a profile, deduplicated.
pub(crate) fn of(c: &Customer, field: Field) -> Vec<String> {
    let mut keys: Vec<String> = match field {
        Field::Phone => {
            let country = country_of(c);
            c.phones.iter().filter_map(|p| phone(&country, p)).collect()
        }
        Field::Email => c.emails.iter().filter_map(|e| email(e)).collect(),
        Field::NationalId => c.national_id.iter().filter_map(|s| id(s)).collect(),
        Field::TaxId => c.tax_id.iter().filter_map(|s| id(s)).collect(),
        Field::ExternalRef => c
            .external_ref
            .iter()
            .filter_map(|s| external_ref(s))
            .collect(),
    };
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The exactly matched fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Phone,
    Email,
    NationalId,
    TaxId,
    ExternalRef,
}

impl Field {
    pub(crate) const ALL: [Field; 5] = [
        Field::Phone,
        Field::Email,
        Field::NationalId,
        Field::TaxId,
        Field::ExternalRef,
    ];
}

/// A word's hash: SipHash with the standard library's fixed keys (deterministic; the name
/// index's one-letter deletions are found by it, and every word found is scored, so a
/// collision costs a score, never a wrong answer).
pub(crate) fn hash(key: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// The ids that have a key: one (almost always) or several, sorted. A `Vec` so that a key
/// shared by thousands (a placeholder phone typed on every incomplete form) grows in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ids {
    One(CustomerId),
    Many(Vec<CustomerId>),
}

impl Ids {
    pub(crate) fn as_slice(&self) -> &[CustomerId] {
        match self {
            Ids::One(id) => std::slice::from_ref(id),
            Ids::Many(ids) => ids,
        }
    }
}

/// Key → ids. The key's text is kept (not only a hash of it) so that a hit needs no check
/// against the live profile: a placeholder phone shared by thousands costs one map probe,
/// not a re-normalised profile per id returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyMap(FxHashMap<Box<str>, Ids>);

impl KeyMap {
    pub(crate) fn insert(&mut self, key: &str, id: CustomerId) {
        if let Some(ids) = self.0.get_mut(key) {
            match ids {
                Ids::One(one) if *one == id => {}
                Ids::One(one) => {
                    let (a, b) = if *one < id { (*one, id) } else { (id, *one) };
                    *ids = Ids::Many(vec![a, b]);
                }
                Ids::Many(v) => {
                    if let Err(pos) = v.binary_search(&id) {
                        v.insert(pos, id);
                    }
                }
            }
            return;
        }
        // A new key: its text is allocated once, here.
        self.0.insert(key.into(), Ids::One(id));
    }

    pub(crate) fn remove(&mut self, key: &str, id: CustomerId) {
        let Some(ids) = self.0.get_mut(key) else {
            return;
        };
        match ids {
            Ids::One(one) if *one == id => {
                self.0.remove(key);
            }
            Ids::One(_) => {}
            Ids::Many(v) => {
                if let Ok(pos) = v.binary_search(&id) {
                    v.remove(pos);
                }
                if v.len() == 1 {
                    *ids = Ids::One(v[0]);
                }
            }
        }
    }

    pub(crate) fn get(&self, key: &str) -> &[CustomerId] {
        self.0.get(key).map_or(&[], Ids::as_slice)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn reserve(&mut self, n: usize) {
        self.0.reserve(n);
    }
}
