//! Injected duplicates: a second record of an existing customer, damaged the way real data
//! entry damages records.

use std::collections::{BTreeMap, HashSet};

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use super::ids::{ascii_fold, format_phone};
use crate::model::{Customer, CustomerId, CustomerKind};

/// One way a duplicate differs from its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perturbation {
    /// A letter dropped, doubled, swapped with its neighbour or replaced in the family name.
    Typo,
    /// Turkish letters typed without their marks ("Şükrü Çağlar" → "Sukru Caglar").
    AsciiFolded,
    /// Given and family name swapped.
    SwappedNames,
    /// The same phone number in another format.
    ReformattedPhone,
    /// E-mail, phone, national id or address left empty.
    MissingField,
    /// A placeholder typed into a field the form required ("test@test.com", "11111111111",
    /// "5555555555", 1900-01-01, "yok").
    InventedValue,
}

/// Ground truth for one injected duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateTruth {
    /// The duplicate record's id.
    pub duplicate: CustomerId,
    /// The id of the record it duplicates.
    pub original: CustomerId,
    /// What was done to it (the light mode; empty in the heavy mode).
    pub perturbations: Vec<Perturbation>,
    /// The heavy mode's per-field changes: every field named here differs from the
    /// original, every identity field not named is equal (empty in the light mode, and then
    /// left out of the JSON so the light truth reads as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<super::FieldChange>,
}

/// Every pair of ids that are one customer by the ground truth, as `(low, high)`: each
/// duplicate with its original, and the duplicates of one original with each other.
///
/// ```
/// let sample = crm_core::sample::SampleConfig::new(300).seed(1).generate();
/// let pairs = crm_core::sample::duplicate_pairs(&sample.duplicates);
/// assert!(pairs.len() >= sample.duplicates.len());
/// ```
pub fn duplicate_pairs(truth: &[DuplicateTruth]) -> HashSet<(CustomerId, CustomerId)> {
    let mut groups: BTreeMap<CustomerId, Vec<CustomerId>> = BTreeMap::new();
    for t in truth {
        groups
            .entry(t.original)
            .or_insert_with(|| vec![t.original])
            .push(t.duplicate);
    }
    crate::quality::pairs_within(groups.values().map(Vec::as_slice))
}

const ALL: [Perturbation; 6] = [
    Perturbation::Typo,
    Perturbation::AsciiFolded,
    Perturbation::SwappedNames,
    Perturbation::ReformattedPhone,
    Perturbation::MissingField,
    Perturbation::InventedValue,
];

/// A damaged copy of `original` under the new id, with one to three perturbations.
pub(crate) fn duplicate(
    rng: &mut impl Rng,
    original: &Customer,
    id: CustomerId,
) -> (Customer, Vec<Perturbation>) {
    let mut c = original.clone();
    c.id = id;
    c.external_ref = None;
    c.referred_by = None;
    c.consents.clear();
    let n = rng.random_range(1..=3);
    let mut applied = Vec::with_capacity(n);
    while applied.len() < n {
        let p = ALL[rng.random_range(0..ALL.len())];
        if !applied.contains(&p) && apply(rng, &mut c, p) {
            applied.push(p);
        }
    }
    (c, applied)
}

/// Applies `p`; false when it does not apply to this record (nothing to change).
fn apply(rng: &mut impl Rng, c: &mut Customer, p: Perturbation) -> bool {
    let person = c.kind == CustomerKind::Person;
    match p {
        Perturbation::Typo => {
            let field = if person {
                &mut c.family_name
            } else {
                &mut c.organisation_name
            };
            match field.as_mut() {
                Some(name) if name.chars().count() > 3 => {
                    *name = typo(rng, name);
                    true
                }
                _ => false,
            }
        }
        Perturbation::AsciiFolded => {
            let mut changed = false;
            for name in [
                &mut c.given_name,
                &mut c.family_name,
                &mut c.organisation_name,
            ]
            .into_iter()
            .flatten()
            {
                let folded = ascii_fold(name);
                changed |= folded != *name;
                *name = folded;
            }
            changed
        }
        Perturbation::SwappedNames if person && c.given_name != c.family_name => {
            std::mem::swap(&mut c.given_name, &mut c.family_name);
            true
        }
        Perturbation::ReformattedPhone => match c.phones.first_mut() {
            Some(phone) => {
                let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
                let national = &digits[digits.len().saturating_sub(10)..];
                if national.len() != 10 {
                    return false;
                }
                let styled = (0..6)
                    .map(|s| format_phone(national, s))
                    .filter(|f| f != phone)
                    .nth(rng.random_range(0..5));
                match styled {
                    Some(f) => {
                        *phone = f;
                        true
                    }
                    None => false,
                }
            }
            None => false,
        },
        Perturbation::MissingField => match rng.random_range(0..4) {
            0 if !c.emails.is_empty() => {
                c.emails.clear();
                true
            }
            1 if !c.phones.is_empty() => {
                c.phones.clear();
                true
            }
            2 if c.national_id.is_some() || c.tax_id.is_some() => {
                c.national_id = None;
                c.tax_id = None;
                true
            }
            3 if !c.address.is_empty() => {
                c.address.line = None;
                c.address.postcode = None;
                true
            }
            _ => false,
        },
        Perturbation::InventedValue => {
            match rng.random_range(0..5) {
                0 => c.emails = vec!["test@test.com".into()],
                1 => c.phones = vec!["5555555555".into()],
                2 if person => c.national_id = Some("11111111111".into()),
                3 if person => c.birth_date = chrono::NaiveDate::from_ymd_opt(1900, 1, 1),
                _ => c.address.line = Some("yok".into()),
            }
            true
        }
        Perturbation::SwappedNames => false,
    }
}

/// One keyboard slip in `name`.
fn typo(rng: &mut impl Rng, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let i = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..4) {
        0 => {
            chars.remove(i);
        }
        1 => chars.insert(i, chars[i]),
        2 if chars[i] != chars[i + 1] => chars.swap(i, i + 1),
        2 => chars.insert(i, 'e'),
        _ => {
            let old = chars[i];
            let choices: Vec<char> = ['a', 'e', 'i', 'n', 'r']
                .into_iter()
                .filter(|&c| c != old)
                .collect();
            chars[i] = choices[rng.random_range(0..choices.len())];
        }
    }
    chars.into_iter().collect()
}
