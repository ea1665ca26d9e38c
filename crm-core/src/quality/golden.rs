//! The golden record: one customer from a cluster of duplicates, field by field, with the
//! record each value came from.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::names::NameUsage;
use super::validate::{normalize_email, normalize_phone, validate_customer};
use crate::model::{Customer, CustomerId};

/// How to choose a field's value among the records of a cluster. Values that are invalid
/// or invented never win over a real one, whatever the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Survivorship {
    /// The value most records agree on, spellings that differ only in Turkish letters
    /// ("Şükrü", "Sukru") counting as one; of those, the most frequent spelling, then the one
    /// with more of the letters. Ties go to the most recent record (for names, the first).
    #[default]
    MostFrequent,
    /// The value of the most recently acquired record that has one.
    MostRecent,
    /// The longest value (the most complete address, the full name).
    MostComplete,
    /// The value of the first record that has one, in the order given (source priority).
    SourcePriority,
}

/// Survivorship rules per field (`given_name`, `family_name`, `organisation_name`,
/// `national_id`, `tax_id`, `birth_date`, `address`, `region`, `sector`); e-mails and phones
/// are the union of the valid, distinct values. A person's given and family name move
/// together, by the `given_name` rule, so that a name is never half from one record; under
/// [`Survivorship::MostFrequent`] a tie between names (of persons or organisations) goes to
/// the first record, not the most recent one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoldenRules {
    /// The rule when a field has none of its own.
    pub default: Survivorship,
    /// Per-field rules.
    pub fields: BTreeMap<String, Survivorship>,
}

/// The merged customer and where each field came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldenRecord {
    /// The merged customer (with the id of the first record).
    pub customer: Customer,
    /// Per field, the id of the record its value came from.
    pub provenance: BTreeMap<String, CustomerId>,
}

/// One record's value of a field, as survivorship weighs it.
struct Candidate<T> {
    /// Recency order (later = more recent), or source order for [`Survivorship::SourcePriority`],
    /// as the caller arranged.
    position: usize,
    id: CustomerId,
    value: T,
    /// Length of the value's text.
    length: usize,
    /// Letters beyond ASCII (ç, ğ, ı, ö, ş, ü…).
    marks: usize,
    /// The text folded to ASCII: equal for spellings that differ only in Turkish letters.
    folded: String,
}

fn pick<T: Clone + PartialEq>(
    rule: Survivorship,
    candidates: &[Candidate<T>],
) -> Option<(CustomerId, T)> {
    let best = match rule {
        Survivorship::SourcePriority => candidates.iter().min_by_key(|c| c.position),
        Survivorship::MostRecent => candidates.iter().max_by_key(|c| c.position),
        Survivorship::MostComplete => candidates.iter().max_by_key(|c| (c.length, c.position)),
        // Spellings that differ only in Turkish letters count as one value; within it, the
        // spelling with the letters wins.
        Survivorship::MostFrequent => candidates.iter().max_by_key(|c| {
            let group = || candidates.iter().filter(|o| o.folded == c.folded);
            let group_position = group().map(|o| o.position).max().unwrap_or(c.position);
            let same = candidates.iter().filter(|o| o.value == c.value).count();
            (group().count(), group_position, same, c.marks, c.position)
        }),
    }?;
    Some((best.id, best.value.clone()))
}

/// Merges `records` (one customer's duplicates, source-priority order) into one, by
/// `rules`. The first record's id and kind are kept; `acquired_at` is the earliest.
pub fn golden_record(records: &[Customer], rules: &GoldenRules, today: NaiveDate) -> GoldenRecord {
    golden_record_with(records, rules, today, None)
}

/// [`golden_record`], with a person's name first put the right way round by how the whole
/// table uses its words (`names`): of "Fatma Kaya" and "Kaya Fatma", both records then say
/// "Fatma Kaya". What [`crate::book::CustomerBook::merge_duplicates`] uses.
pub fn golden_record_with(
    records: &[Customer],
    rules: &GoldenRules,
    today: NaiveDate,
    names: Option<&NameUsage>,
) -> GoldenRecord {
    let mut provenance = BTreeMap::new();
    let Some(first) = records.first() else {
        return GoldenRecord {
            customer: Customer::person(0, "", ""),
            provenance,
        };
    };
    let findings: Vec<Vec<String>> = records
        .iter()
        .map(|c| {
            validate_customer(c, today)
                .into_iter()
                .map(|f| f.field)
                .collect()
        })
        .collect();
    // A field is flawed in a record when any finding is about it (or about one of its parts:
    // `address.line` flaws the address).
    let flawed = |i: usize, field: &str| {
        // The name moves as a whole: a flaw in either part flaws it.
        if field == "given_name" && findings[i].iter().any(|f| f == "family_name") {
            return true;
        }
        findings[i].iter().any(|f| {
            f == field
                || f.strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    };
    let rule = |field: &str| rules.fields.get(field).copied().unwrap_or(rules.default);
    // Recency order for the rules: by acquisition, records without a date first.
    let mut recency: Vec<usize> = (0..records.len()).collect();
    recency.sort_by_key(|&i| (records[i].acquired_at, i));
    let rank: Vec<usize> = {
        let mut r = vec![0; records.len()];
        for (pos, &i) in recency.iter().enumerate() {
            r[i] = pos;
        }
        r
    };
    let mut golden = first.clone();
    macro_rules! survive {
        ($field:literal, $get:expr, $set:expr) => {{
            let get = $get;
            let candidates: Vec<Candidate<_>> = records
                .iter()
                .enumerate()
                .filter(|(i, _)| !flawed(*i, $field))
                .filter_map(|(i, c)| {
                    get(c).map(|v| {
                        let position = match rule($field) {
                            Survivorship::SourcePriority => i,
                            // A name does not go stale the way an address does: a tie goes
                            // to the first record, the one the others were copied from.
                            Survivorship::MostFrequent
                                if $field == "given_name" || $field == "organisation_name" =>
                            {
                                records.len() - i
                            }
                            _ => rank[i],
                        };
                        let text = format!("{v:?}");
                        Candidate {
                            position,
                            id: c.id,
                            length: text.len(),
                            marks: text.chars().filter(|c| !c.is_ascii()).count(),
                            folded: super::text::fold(&text),
                            value: v,
                        }
                    })
                })
                .collect();
            if let Some((id, value)) = pick(rule($field), &candidates) {
                $set(&mut golden, value);
                provenance.insert($field.to_owned(), id);
            }
        }};
    }
    // Given and family name as one value: picked apart, a cluster holding "Fatma Kaya" and
    // "Kaya Fatma" could give "Fatma Fatma".
    survive!(
        "given_name",
        |c: &Customer| (c.given_name.is_some() || c.family_name.is_some()).then(|| {
            match (names, c.given_name.as_deref(), c.family_name.as_deref()) {
                (Some(names), Some(given), Some(family)) => {
                    let (g, f) = names.oriented(given, family);
                    (Some(g), Some(f))
                }
                _ => (c.given_name.clone(), c.family_name.clone()),
            }
        }),
        |g: &mut Customer, (given, family): (Option<String>, Option<String>)| {
            g.given_name = given;
            g.family_name = family;
        }
    );
    if let Some(&id) = provenance.get("given_name") {
        provenance.insert("family_name".to_owned(), id);
    }
    survive!(
        "organisation_name",
        |c: &Customer| c.organisation_name.clone(),
        |g: &mut Customer, v| g.organisation_name = Some(v)
    );
    survive!(
        "national_id",
        |c: &Customer| c.national_id.clone(),
        |g: &mut Customer, v| g.national_id = Some(v)
    );
    survive!(
        "tax_id",
        |c: &Customer| c.tax_id.clone(),
        |g: &mut Customer, v| g.tax_id = Some(v)
    );
    survive!(
        "birth_date",
        |c: &Customer| c.birth_date,
        |g: &mut Customer, v| g.birth_date = Some(v)
    );
    survive!(
        "region",
        |c: &Customer| c.region.clone(),
        |g: &mut Customer, v| g.region = Some(v)
    );
    survive!(
        "sector",
        |c: &Customer| c.sector.clone(),
        |g: &mut Customer, v| g.sector = Some(v)
    );
    // The address moves as a whole, so that a street never lands in another record's city;
    // a placeholder line disqualifies it.
    survive!(
        "address",
        |c: &Customer| (!c.address.is_empty()).then(|| c.address.clone()),
        |g: &mut Customer, v| g.address = v
    );
    // Contacts: every valid, distinct value, normalised, in record order.
    let mut emails: Vec<String> = Vec::new();
    let mut phones: Vec<String> = Vec::new();
    for (i, c) in records.iter().enumerate() {
        for (k, e) in c.emails.iter().enumerate() {
            if findings[i].iter().any(|f| *f == format!("emails[{k}]")) {
                continue;
            }
            if let Some(n) = normalize_email(e) {
                if !emails.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
                    emails.push(n);
                }
            }
        }
        for (k, p) in c.phones.iter().enumerate() {
            if findings[i].iter().any(|f| *f == format!("phones[{k}]")) {
                continue;
            }
            if let Some(n) = normalize_phone(p) {
                if !phones.contains(&n) {
                    phones.push(n);
                }
            }
        }
    }
    golden.emails = emails;
    golden.phones = phones;
    golden.acquired_at = records.iter().filter_map(|c| c.acquired_at).min();
    golden.tags = {
        let mut t: Vec<String> = records
            .iter()
            .flat_map(|c| c.tags.iter().cloned())
            .collect();
        t.sort();
        t.dedup();
        t
    };
    // Consent histories: every decision of every record, so that an opt-out given under
    // one of the duplicates still holds for the merged customer.
    golden.consents.clear();
    for c in records {
        golden.union_consents(&c.consents);
    }
    GoldenRecord {
        customer: golden,
        provenance,
    }
}
