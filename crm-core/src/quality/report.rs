//! The data quality of a whole customer table: how full each field is, how complete the
//! records are, and every invalid or invented value found — the worklist of a clean-up.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::country::Country;
use super::validate::{Finding, FindingKind, filled_fields, validate_customer_in};
use crate::model::{Customer, CustomerId, CustomerKind};

/// How full one scored field is across the records it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldFill {
    /// The field ([`super::PERSON_FIELDS`], [`super::ORGANISATION_FIELDS`]).
    pub field: String,
    /// Records the field is scored on (persons, organisations or both).
    pub records: usize,
    /// Records holding a usable value: present, valid, not invented.
    pub usable: usize,
    /// Records holding a value that is invalid.
    pub invalid: usize,
    /// Records holding an invented value.
    pub invented: usize,
    /// `usable / records` (0 when no record has the field).
    pub fill_rate: f64,
    /// Whether crm has a rule for this field in the report's country ([`Country::checks`]):
    /// when false, a present value counts as usable and is never invalid ("not checked").
    #[serde(default = "checked_by_default")]
    pub checked: bool,
}

fn checked_by_default() -> bool {
    true
}

/// A finding with the customer it was found on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFinding {
    /// The customer.
    pub customer_id: CustomerId,
    /// What was found (value masked).
    #[serde(flatten)]
    pub finding: Finding,
}

/// The data quality of a customer table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// The country whose rules judged national ids, tax numbers, phones and postcodes.
    #[serde(default)]
    pub country: Country,
    /// The scored fields crm has no rule for in that country: present values are "not
    /// checked", neither valid nor invalid.
    #[serde(default)]
    pub not_checked: Vec<String>,
    /// Records looked at.
    pub records: usize,
    /// Of which persons.
    pub persons: usize,
    /// Of which organisations.
    pub organisations: usize,
    /// Mean share of scored fields holding a usable value.
    pub mean_completeness: f64,
    /// Records with less than half their scored fields usable.
    pub mostly_empty: usize,
    /// Fill rate per scored field: persons' fields first, then organisations' own.
    pub fields: Vec<FieldFill>,
    /// Invented values by reason ("placeholder word", "one digit repeated"…), most first.
    pub invented_by_reason: Vec<(String, usize)>,
    /// Every invented value, by customer in table order.
    pub invented: Vec<CustomerFinding>,
    /// Every invalid value, by customer in table order.
    pub invalid: Vec<CustomerFinding>,
}

/// The scored field a finding's field belongs to (`emails[1]` → `email`).
fn scored_field(field: &str) -> &str {
    match field {
        f if f.starts_with("emails[") => "email",
        f if f.starts_with("phones[") => "phone",
        f => f,
    }
}

/// A customer, its findings, and which scored fields are usable.
type Checked<'a> = (&'a Customer, Vec<Finding>, Vec<(&'static str, bool)>);

/// The quality report of `customers`, with `today` for birth-date plausibility.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::model::Customer;
/// use crm_core::quality::quality_report;
///
/// let mut a = Customer::person(1, "Ayşe", "Yılmaz");
/// a.phones.push("0532 123 45 67".into());
/// let mut b = Customer::person(2, "test", "Kaya");
/// b.phones.push("5555555555".into());
/// let r = quality_report(&[a, b], NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
/// let phone = r.fields.iter().find(|f| f.field == "phone").unwrap();
/// assert_eq!((phone.records, phone.usable, phone.invented), (2, 1, 1));
/// assert_eq!(r.invented.len(), 2); // "test" and 5555555555
/// ```
pub fn quality_report<'a>(
    customers: impl IntoParallelIterator<Item = &'a Customer>,
    today: NaiveDate,
) -> QualityReport {
    quality_report_in(customers, today, Country::default())
}

/// As [`quality_report`], with `country`'s rules for national ids, tax numbers, phones and
/// postcodes ([`Country`]); the fields crm has no rule for there are listed in
/// [`QualityReport::not_checked`] and never counted invalid.
///
/// ```
/// use crm_core::model::Customer;
/// use crm_core::quality::{Country, quality_report_in};
/// let mut c = Customer::person(1, "Lachlan", "Smith");
/// c.national_id = Some("5304218".into());
/// c.address.postcode = Some("2617".into());
/// let today = "2025-06-01".parse().unwrap();
/// let r = quality_report_in(&[c], today, Country::parse("AU")?);
/// assert!(r.invalid.is_empty());
/// assert_eq!(r.not_checked, ["national_id", "tax_id"]);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn quality_report_in<'a>(
    customers: impl IntoParallelIterator<Item = &'a Customer>,
    today: NaiveDate,
    country: Country,
) -> QualityReport {
    let customers = customers.into_par_iter();
    let checked: Vec<Checked<'a>> = crate::parallel::install(|| {
        customers
            .map(|c| {
                let findings = validate_customer_in(c, today, country);
                let filled = filled_fields(c, &findings);
                (c, findings, filled)
            })
            .collect()
    });
    report_of(checked, country)
}

/// As [`quality_report`], with the findings made while reading the records (`read[i]` for
/// `customers[i]`: a birth date that is no date, from [`super::customers_with_findings`] or
/// [`super::customers_from_columns_with_findings`]) counted with the rest.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `read` when its length differs from the
/// customers'.
///
/// ```
/// use crm_core::quality::{customers_with_findings, quality_report_with_findings};
/// let (c, read) = customers_with_findings(r#"[{"id": 7, "birth_date": "1980-02-30"}]"#)?;
/// let r = quality_report_with_findings(&c, &read, "2025-06-01".parse().unwrap())?;
/// assert_eq!((r.invalid[0].customer_id, r.invalid[0].finding.field.as_str()), (7, "birth_date"));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn quality_report_with_findings(
    customers: &[Customer],
    read: &[Vec<Finding>],
    today: NaiveDate,
) -> crate::error::Result<QualityReport> {
    quality_report_with_findings_in(customers, read, today, Country::default())
}

/// As [`quality_report_with_findings`], with `country`'s rules ([`quality_report_in`]).
///
/// # Errors
/// As [`quality_report_with_findings`].
///
/// ```
/// use crm_core::quality::{customers_with_findings, quality_report_with_findings_in};
/// let (c, read) = customers_with_findings(r#"[{"id": 7, "address": {"postcode": "SW1A 1AA"}}]"#)?;
/// let today = "2025-06-01".parse().unwrap();
/// assert!(quality_report_with_findings_in(&c, &read, today, "GB".parse()?)?.invalid.is_empty());
/// assert_eq!(quality_report_with_findings_in(&c, &read, today, "TR".parse()?)?.invalid.len(), 1);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn quality_report_with_findings_in(
    customers: &[Customer],
    read: &[Vec<Finding>],
    today: NaiveDate,
    country: Country,
) -> crate::error::Result<QualityReport> {
    super::validate::check_read_len(customers.len(), read.len())?;
    let checked: Vec<Checked<'_>> = crate::parallel::install(|| {
        customers
            .par_iter()
            .zip(read)
            .map(|(c, r)| {
                let mut findings = r.clone();
                findings.extend(validate_customer_in(c, today, country));
                let filled = filled_fields(c, &findings);
                (c, findings, filled)
            })
            .collect()
    });
    Ok(report_of(checked, country))
}

/// The report of checked customers.
fn report_of(checked: Vec<Checked<'_>>, country: Country) -> QualityReport {
    // One row per scored field, persons' first; organisations share the contact fields.
    let mut fields: Vec<FieldFill> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for &f in super::PERSON_FIELDS
        .iter()
        .chain(super::ORGANISATION_FIELDS.iter())
    {
        index.entry(f).or_insert_with(|| {
            fields.push(FieldFill {
                field: f.to_owned(),
                records: 0,
                usable: 0,
                invalid: 0,
                invented: 0,
                fill_rate: 0.0,
                checked: country.checks(f),
            });
            fields.len() - 1
        });
    }
    let mut report = QualityReport {
        country,
        not_checked: fields
            .iter()
            .filter(|f| !f.checked)
            .map(|f| f.field.clone())
            .collect(),
        records: checked.len(),
        persons: 0,
        organisations: 0,
        mean_completeness: 0.0,
        mostly_empty: 0,
        fields: Vec::new(),
        invented_by_reason: Vec::new(),
        invented: Vec::new(),
        invalid: Vec::new(),
    };
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut completeness_sum = 0.0;
    for (c, findings, filled) in checked {
        match c.kind {
            CustomerKind::Person => report.persons += 1,
            CustomerKind::Organisation => report.organisations += 1,
        }
        let usable = filled.iter().filter(|(_, ok)| *ok).count();
        let share = usable as f64 / filled.len().max(1) as f64;
        completeness_sum += share;
        if share < 0.5 {
            report.mostly_empty += 1;
        }
        for (f, ok) in &filled {
            let fill = &mut fields[index[*f]];
            fill.records += 1;
            fill.usable += usize::from(*ok);
        }
        // A field with several findings (two invented phones) counts once per record.
        let mut counted: Vec<(usize, FindingKind)> = Vec::new();
        for finding in findings {
            if let Some(&i) = index.get(scored_field(&finding.field)) {
                if !counted.contains(&(i, finding.kind)) {
                    counted.push((i, finding.kind));
                    match finding.kind {
                        FindingKind::Invalid => fields[i].invalid += 1,
                        FindingKind::Placeholder => fields[i].invented += 1,
                    }
                }
            }
            let entry = CustomerFinding {
                customer_id: c.id,
                finding,
            };
            match entry.finding.kind {
                FindingKind::Invalid => report.invalid.push(entry),
                FindingKind::Placeholder => {
                    *reasons.entry(entry.finding.reason.clone()).or_default() += 1;
                    report.invented.push(entry);
                }
            }
        }
    }
    for f in &mut fields {
        f.fill_rate = if f.records == 0 {
            0.0
        } else {
            f.usable as f64 / f.records as f64
        };
    }
    report.fields = fields;
    report.mean_completeness = if report.records == 0 {
        0.0
    } else {
        completeness_sum / report.records as f64
    };
    let mut by_reason: Vec<(String, usize)> = reasons.into_iter().collect();
    by_reason.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    report.invented_by_reason = by_reason;
    report
}
