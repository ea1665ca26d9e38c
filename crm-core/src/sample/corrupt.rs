//! How hard the injected duplicates are: the light damage of the demo, or a heavy mode after
//! Christen & Pudjijono's FEBRL generator (several modifications per record, clusters of up
//! to five records per customer, per-field ground truth).

use std::str::FromStr;

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use super::edits::{self, Slip};
use super::ids::format_phone;
use super::names::{DISTRICTS, PROVINCES, STREETS};
use crate::error::{CrmError, Result};
use crate::model::{Customer, CustomerId, CustomerKind};

/// How duplicates are damaged ([`super::SampleConfig::corruption`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corruption {
    /// One to three light perturbations per duplicate, duplicates a share of the customers
    /// (the demo's data; the same output for the same seed as before the heavy mode).
    #[default]
    Light,
    /// FEBRL-like damage: up to [`HeavyCorruption::max_per_field`] modifications per field
    /// and [`HeavyCorruption::max_per_record`] per record, clusters of 1 to 5 records per
    /// customer drawn from [`HeavyCorruption::cluster_sizes`].
    Heavy,
}

impl FromStr for Corruption {
    type Err = CrmError;

    /// `"light"` or `"heavy"`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `corruption` for anything else.
    ///
    /// ```
    /// use crm_core::sample::Corruption;
    /// assert_eq!("heavy".parse::<Corruption>()?, Corruption::Heavy);
    /// assert_eq!("medium".parse::<Corruption>().unwrap_err().field(), Some("corruption"));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "light" => Ok(Corruption::Light),
            "heavy" => Ok(Corruption::Heavy),
            other => Err(CrmError::invalid(
                "corruption",
                format_args!("{other:?}"),
                "must be \"light\" or \"heavy\"",
            )),
        }
    }
}

/// The settings of [`Corruption::Heavy`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyCorruption {
    /// The most modifications one field gets (default 3).
    pub max_per_field: usize,
    /// The most modifications one duplicate record gets (default 10). The number per record
    /// is `1 + Binomial(max_per_record − 1, 0.25)`: 3.25 on average with the default.
    pub max_per_record: usize,
    /// Relative weights of clusters of 1, 2, 3, 4 and 5 records per customer (a cluster of
    /// one is a customer without duplicates). Default `[0.70, 0.15, 0.08, 0.045, 0.025]`:
    /// 0.545 duplicates per customer on average.
    pub cluster_sizes: [f64; 5],
}

impl Default for HeavyCorruption {
    fn default() -> Self {
        HeavyCorruption {
            max_per_field: 3,
            max_per_record: 10,
            cluster_sizes: [0.70, 0.15, 0.08, 0.045, 0.025],
        }
    }
}

impl HeavyCorruption {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `max_per_field` or `max_per_record` when 0,
    /// or `cluster_sizes` with a negative or non-finite weight or weights summing to 0.
    ///
    /// ```
    /// use crm_core::sample::HeavyCorruption;
    /// let bad = HeavyCorruption { cluster_sizes: [0.0; 5], ..HeavyCorruption::default() };
    /// assert_eq!(bad.validate().unwrap_err().field(), Some("cluster_sizes"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [
            ("max_per_field", self.max_per_field),
            ("max_per_record", self.max_per_record),
        ] {
            if value == 0 {
                return Err(CrmError::invalid(field, value, "must be at least 1"));
            }
        }
        let w = &self.cluster_sizes;
        if w.iter().any(|x| !x.is_finite() || *x < 0.0) || w.iter().sum::<f64>() <= 0.0 {
            return Err(CrmError::invalid(
                "cluster_sizes",
                format_args!("{w:?}"),
                "weights must be finite, at least 0 and not all 0",
            ));
        }
        Ok(())
    }

    /// A cluster size from 1 to 5; 1 when the weights are unusable (`generate` does not
    /// validate).
    pub(crate) fn cluster_size(&self, rng: &mut impl Rng) -> usize {
        let total: f64 = self.cluster_sizes.iter().sum();
        if self.validate().is_err() {
            return 1;
        }
        let mut u = rng.random::<f64>() * total;
        for (i, w) in self.cluster_sizes.iter().enumerate() {
            if u < *w {
                return i + 1;
            }
            u -= w;
        }
        // Rounding left u at the very top: the last size with any weight.
        self.cluster_sizes
            .iter()
            .rposition(|w| *w > 0.0)
            .unwrap_or(0)
            + 1
    }
}

/// A field of a customer record, as the heavy mode's ground truth names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `given_name`.
    GivenName,
    /// `family_name`.
    FamilyName,
    /// `organisation_name`.
    OrganisationName,
    /// `birth_date`.
    BirthDate,
    /// `national_id`.
    NationalId,
    /// `tax_id`.
    TaxId,
    /// The phone numbers.
    Phone,
    /// The e-mail addresses.
    Email,
    /// `address.line`: street and house number.
    Street,
    /// `address.district`.
    District,
    /// `address.city`.
    City,
    /// `address.postcode`.
    Postcode,
}

impl Field {
    /// Every field, in declaration order.
    pub const ALL: [Field; 12] = [
        Field::GivenName,
        Field::FamilyName,
        Field::OrganisationName,
        Field::BirthDate,
        Field::NationalId,
        Field::TaxId,
        Field::Phone,
        Field::Email,
        Field::Street,
        Field::District,
        Field::City,
        Field::Postcode,
    ];

    /// The field's value in `c`, as text, for comparing a copy with its original.
    pub fn value(self, c: &Customer) -> Option<String> {
        let a = &c.address;
        match self {
            Field::GivenName => c.given_name.clone(),
            Field::FamilyName => c.family_name.clone(),
            Field::OrganisationName => c.organisation_name.clone(),
            Field::BirthDate => c.birth_date.map(|d| d.to_string()),
            Field::NationalId => c.national_id.clone(),
            Field::TaxId => c.tax_id.clone(),
            Field::Phone => (!c.phones.is_empty()).then(|| c.phones.join("\n")),
            Field::Email => (!c.emails.is_empty()).then(|| c.emails.join("\n")),
            Field::Street => a.line.clone(),
            Field::District => a.district.clone(),
            Field::City => a.city.clone(),
            Field::Postcode => a.postcode.clone(),
        }
    }
}

/// One modification of the heavy mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modification {
    /// A keyboard neighbour typed in addition.
    Insert,
    /// A character left out.
    Delete,
    /// A character replaced by a keyboard neighbour.
    Substitute,
    /// Two adjacent characters swapped.
    Transpose,
    /// A scanner's confusion ("rn" → "m", "0" → "O", "1" → "l").
    Ocr,
    /// Spelt as heard ("Şükrü" → "Shükrü", "Cemal" → "Jemal", "f" → "ph").
    Phonetic,
    /// A nickname for the given name ("Mehmet" → "Memo").
    Nickname,
    /// An initial for the given name, or a word of a company name or street shortened or
    /// written out ("Ltd. Şti." ↔ "Limited Şirketi").
    Abbreviation,
    /// Left empty.
    Missing,
    /// Given and family name swapped (reported on both).
    Swapped,
    /// Given name typed into the family-name field with it (reported on both).
    Merged,
    /// A word split by a stray space.
    Split,
    /// Two adjacent digits swapped (birth date, house number, phone, ids, postcode).
    TransposedDigits,
    /// The same phone number in another format.
    Reformatted,
    /// The customer moved: another street and number, sometimes another city with its
    /// district and postcode.
    Moved,
}

impl Modification {
    /// Every modification, in declaration order.
    pub const ALL: [Modification; 15] = {
        use Modification::*;
        [
            Insert,
            Delete,
            Substitute,
            Transpose,
            Ocr,
            Phonetic,
            Nickname,
            Abbreviation,
            Missing,
            Swapped,
            Merged,
            Split,
            TransposedDigits,
            Reformatted,
            Moved,
        ]
    };
}

/// One modification applied to one field of a heavy duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field that differs from the original.
    pub field: Field,
    /// What was done to it.
    pub modification: Modification,
}

/// How often each field is picked for a modification, for persons and for organisations.
const PERSON_FIELDS: &[(Field, u32)] = &[
    (Field::GivenName, 3),
    (Field::FamilyName, 3),
    (Field::BirthDate, 2),
    (Field::NationalId, 1),
    (Field::Phone, 2),
    (Field::Email, 1),
    (Field::Street, 2),
    (Field::District, 1),
    (Field::City, 1),
    (Field::Postcode, 1),
];
const ORGANISATION_FIELDS: &[(Field, u32)] = &[
    (Field::OrganisationName, 5),
    (Field::TaxId, 1),
    (Field::Phone, 2),
    (Field::Email, 1),
    (Field::Street, 2),
    (Field::District, 1),
    (Field::City, 1),
    (Field::Postcode, 1),
];

/// The modifications that make sense for a field.
fn choices(field: Field) -> &'static [Modification] {
    use Modification::*;
    match field {
        Field::GivenName => &[
            Insert,
            Delete,
            Substitute,
            Transpose,
            Ocr,
            Phonetic,
            Nickname,
            Abbreviation,
            Missing,
            Swapped,
            Merged,
        ],
        Field::FamilyName => &[
            Insert, Delete, Substitute, Transpose, Ocr, Phonetic, Missing, Swapped, Merged, Split,
        ],
        Field::OrganisationName => &[
            Insert,
            Delete,
            Substitute,
            Transpose,
            Ocr,
            Phonetic,
            Abbreviation,
            Split,
        ],
        Field::BirthDate => &[TransposedDigits, Substitute, Missing],
        Field::NationalId | Field::TaxId => &[TransposedDigits, Substitute, Missing],
        Field::Phone => &[TransposedDigits, Substitute, Reformatted, Missing],
        Field::Email => &[Insert, Delete, Substitute, Transpose, Missing],
        Field::Street => &[
            Insert,
            Delete,
            Substitute,
            Ocr,
            Abbreviation,
            TransposedDigits,
            Missing,
            Moved,
        ],
        Field::District | Field::City => &[Insert, Delete, Substitute, Ocr, Phonetic, Missing],
        Field::Postcode => &[TransposedDigits, Substitute, Missing],
    }
}

/// A heavily damaged copy of `original` under the new id, and the changes that really
/// differ from the original, field by field.
pub(crate) fn heavy_duplicate(
    rng: &mut impl Rng,
    original: &Customer,
    id: CustomerId,
    settings: &HeavyCorruption,
) -> (Customer, Vec<FieldChange>) {
    let mut c = original.clone();
    c.id = id;
    c.external_ref = None;
    c.referred_by = None;
    c.consents.clear();
    let max = settings.max_per_record.max(1);
    let target = 1 + (1..max).filter(|_| rng.random_bool(0.25)).count();
    let fields = match c.kind {
        CustomerKind::Person => PERSON_FIELDS,
        CustomerKind::Organisation => ORGANISATION_FIELDS,
    };
    let total: u32 = fields.iter().map(|(_, w)| w).sum();
    let mut applied: Vec<FieldChange> = Vec::with_capacity(target);
    // Bounded: a record with few fields left to damage must not loop for ever.
    for _ in 0..target * 20 {
        if applied.len() >= target {
            break;
        }
        let mut u = rng.random_range(0..total);
        let field = fields
            .iter()
            .find(|(_, w)| {
                let hit = u < *w;
                u = u.saturating_sub(*w);
                hit
            })
            .map_or(fields[0].0, |(f, _)| *f);
        let options = choices(field);
        let modification = options[rng.random_range(0..options.len())];
        // Keep both limits even for edits that touch several fields.
        let touched = touches(field, modification);
        let over_field = touched
            .iter()
            .any(|t| applied.iter().filter(|a| a.field == *t).count() >= settings.max_per_field);
        if over_field || applied.len() + touched.len() > max {
            continue;
        }
        for changed in apply(rng, &mut c, field, modification) {
            applied.push(FieldChange {
                field: changed,
                modification,
            });
        }
    }
    // A later edit may undo an earlier one (a transposition transposed back): report only
    // fields that really differ, so the truth never claims a change that is not there.
    applied.retain(|a| a.field.value(&c) != a.field.value(original));
    (c, applied)
}

/// Every field `m` on `field` may change.
fn touches(field: Field, m: Modification) -> &'static [Field] {
    match (field, m) {
        (Field::GivenName | Field::FamilyName, Modification::Swapped | Modification::Merged) => {
            &[Field::GivenName, Field::FamilyName]
        }
        (Field::Street, Modification::Moved) => {
            &[Field::Street, Field::District, Field::City, Field::Postcode]
        }
        (Field::GivenName, _) => &[Field::GivenName],
        (Field::FamilyName, _) => &[Field::FamilyName],
        (Field::OrganisationName, _) => &[Field::OrganisationName],
        (Field::BirthDate, _) => &[Field::BirthDate],
        (Field::NationalId, _) => &[Field::NationalId],
        (Field::TaxId, _) => &[Field::TaxId],
        (Field::Phone, _) => &[Field::Phone],
        (Field::Email, _) => &[Field::Email],
        (Field::Street, _) => &[Field::Street],
        (Field::District, _) => &[Field::District],
        (Field::City, _) => &[Field::City],
        (Field::Postcode, _) => &[Field::Postcode],
    }
}

/// Applies `m` to `field`; the fields it changed (empty when it does not apply here).
fn apply(rng: &mut impl Rng, c: &mut Customer, field: Field, m: Modification) -> Vec<Field> {
    use Modification::*;
    match (field, m) {
        (Field::GivenName | Field::FamilyName, Swapped) => {
            if c.given_name.is_none() || c.family_name.is_none() || c.given_name == c.family_name {
                return vec![];
            }
            std::mem::swap(&mut c.given_name, &mut c.family_name);
            vec![Field::GivenName, Field::FamilyName]
        }
        (Field::GivenName | Field::FamilyName, Merged) => {
            match (c.given_name.take(), c.family_name.take()) {
                (Some(g), Some(f)) => {
                    c.family_name = Some(format!("{g} {f}"));
                    vec![Field::GivenName, Field::FamilyName]
                }
                (g, f) => {
                    c.given_name = g;
                    c.family_name = f;
                    vec![]
                }
            }
        }
        (_, Missing) => {
            let emptied = match field {
                Field::GivenName => c.given_name.take().is_some(),
                Field::FamilyName => c.family_name.take().is_some(),
                Field::BirthDate => c.birth_date.take().is_some(),
                Field::NationalId => c.national_id.take().is_some(),
                Field::TaxId => c.tax_id.take().is_some(),
                Field::Phone => !std::mem::take(&mut c.phones).is_empty(),
                Field::Email => !std::mem::take(&mut c.emails).is_empty(),
                Field::Street => c.address.line.take().is_some(),
                Field::District => c.address.district.take().is_some(),
                Field::City => c.address.city.take().is_some(),
                Field::Postcode => c.address.postcode.take().is_some(),
                // An organisation needs its registered name.
                Field::OrganisationName => false,
            };
            if emptied { vec![field] } else { vec![] }
        }
        (Field::BirthDate, _) => {
            let Some(date) = c.birth_date else {
                return vec![];
            };
            let digits = date.format("%Y%m%d").to_string();
            let edited = match m {
                TransposedDigits => edits::transpose_digits(rng, &digits, 0..8),
                _ => edits::substitute_digit(rng, &digits),
            };
            match edited.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y%m%d").ok()) {
                Some(d) if d != date => {
                    c.birth_date = Some(d);
                    vec![field]
                }
                _ => vec![],
            }
        }
        (Field::Phone, Reformatted) => {
            let Some(phone) = c.phones.first_mut() else {
                return vec![];
            };
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            let national = &digits[digits.len().saturating_sub(10)..];
            if national.len() != 10 {
                return vec![];
            }
            let styles: Vec<String> = (0..6)
                .map(|s| format_phone(national, s))
                .filter(|f| f != phone)
                .collect();
            if styles.is_empty() {
                return vec![];
            }
            *phone = styles[rng.random_range(0..styles.len())].clone();
            vec![field]
        }
        (Field::Street, Moved) => moved(rng, c),
        (Field::Phone | Field::Email, _) => {
            let list = if field == Field::Phone {
                &mut c.phones
            } else {
                &mut c.emails
            };
            let Some(first) = list.first_mut() else {
                return vec![];
            };
            match edit_text(rng, field, m, first) {
                Some(new) => {
                    *first = new;
                    vec![field]
                }
                None => vec![],
            }
        }
        _ => {
            let Some(slot) = text_slot(c, field) else {
                return vec![];
            };
            let Some(old) = slot.as_deref() else {
                return vec![];
            };
            match edit_text(rng, field, m, old) {
                Some(new) => {
                    *slot = Some(new);
                    vec![field]
                }
                None => vec![],
            }
        }
    }
}

/// The string edit `m` of `old`, a value of `field`; `None` when it does not apply.
fn edit_text(rng: &mut impl Rng, field: Field, m: Modification, old: &str) -> Option<String> {
    use Modification::*;
    match m {
        Insert => edits::slip(rng, old, Slip::Insert),
        Delete => edits::slip(rng, old, Slip::Delete),
        Substitute if digits_only(field) => edits::substitute_digit(rng, old),
        Substitute => edits::slip(rng, old, Slip::Substitute),
        Transpose => edits::slip(rng, old, Slip::Transpose),
        Ocr => edits::ocr(rng, old),
        Phonetic => edits::phonetic(rng, old),
        Nickname => edits::nickname(rng, old),
        Abbreviation => edits::abbreviate(rng, old, field == Field::GivenName),
        Split => edits::split(rng, old),
        TransposedDigits if field == Field::Street => {
            // Only the house number: "Lale Sok. No:123".
            let from = old.rfind("No:").map_or(old.len(), |i| i + 3);
            edits::transpose_digits(rng, old, from..old.len())
        }
        TransposedDigits => edits::transpose_digits(rng, old, 0..old.len()),
        Missing | Swapped | Merged | Reformatted | Moved => None,
    }
}

/// Ids and postcodes stay digits (the book refuses an id that is not).
fn digits_only(field: Field) -> bool {
    matches!(
        field,
        Field::NationalId | Field::TaxId | Field::Postcode | Field::Phone
    )
}

/// The optional text a string edit works on (phones, e-mails and dates are edited apart).
fn text_slot(c: &mut Customer, field: Field) -> Option<&mut Option<String>> {
    match field {
        Field::GivenName => Some(&mut c.given_name),
        Field::FamilyName => Some(&mut c.family_name),
        Field::OrganisationName => Some(&mut c.organisation_name),
        Field::NationalId => Some(&mut c.national_id),
        Field::TaxId => Some(&mut c.tax_id),
        Field::Street => Some(&mut c.address.line),
        Field::District => Some(&mut c.address.district),
        Field::City => Some(&mut c.address.city),
        Field::Postcode => Some(&mut c.address.postcode),
        Field::Phone | Field::Email | Field::BirthDate => None,
    }
}

/// Another street and number; half the time another city too, with a district and postcode
/// of it.
fn moved(rng: &mut impl Rng, c: &mut Customer) -> Vec<Field> {
    let old = c.address.clone();
    let street = STREETS[rng.random_range(0..STREETS.len())];
    c.address.line = Some(format!("{street} No:{}", rng.random_range(1..200)));
    if rng.random_bool(0.5) {
        let plate = rng.random_range(1..=PROVINCES.len());
        c.address.city = Some(PROVINCES[plate - 1].0.to_owned());
        c.address.district = Some(DISTRICTS[rng.random_range(0..DISTRICTS.len())].to_owned());
        c.address.postcode = Some(format!("{plate:02}{:03}", rng.random_range(0..1000)));
    }
    let mut changed = Vec::new();
    for (field, before, after) in [
        (Field::Street, &old.line, &c.address.line),
        (Field::District, &old.district, &c.address.district),
        (Field::City, &old.city, &c.address.city),
        (Field::Postcode, &old.postcode, &c.address.postcode),
    ] {
        if before != after {
            changed.push(field);
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::Modification;

    /// The variants named once, for both an exhaustive `match` (no wildcard: a new variant
    /// does not compile until it is named here) and an array compared with `ALL` (which then
    /// fails until `ALL` lists it too, in declaration order).
    macro_rules! every_variant {
        ($($v:ident),* $(,)?) => {{
            fn exhaustive(m: Modification) {
                match m {
                    $(Modification::$v => {})*
                }
            }
            let every = [$(Modification::$v),*];
            every.iter().copied().for_each(exhaustive);
            every
        }};
    }

    #[test]
    fn all_lists_every_modification_in_declaration_order() {
        let every = every_variant!(
            Insert,
            Delete,
            Substitute,
            Transpose,
            Ocr,
            Phonetic,
            Nickname,
            Abbreviation,
            Missing,
            Swapped,
            Merged,
            Split,
            TransposedDigits,
            Reformatted,
            Moved,
        );
        assert_eq!(every.as_slice(), Modification::ALL.as_slice());
    }
}
