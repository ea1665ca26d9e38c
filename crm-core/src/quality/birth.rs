//! The one birth-date reader, shared by duplicate detection and the quality checks: the
//! spellings forms use, and for text that is no date, the rule it breaks — a finding for the
//! quality report, never a failed call.

use chrono::NaiveDate;
use serde_json::Value;

use super::validate::{Finding, FindingKind};
use crate::error::{CrmError, Result, mask};
use crate::model::Customer;

/// The spellings read: `1980-05-17`, `17.05.1980`, `17/05/1980` and `19800517` (day and month
/// may have one digit where separated; `1980-05-17` may carry a midnight time,
/// `1980-05-17T00:00:00`, as spreadsheets and frames write dates).
pub const BIRTH_DATE_SPELLINGS: &str = "1980-05-17, 17.05.1980, 17/05/1980 or 19800517";

/// What [`read_birth_date`] made of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDateReading {
    /// Empty or blank: missing, not wrong.
    Missing,
    /// A date.
    Date(NaiveDate),
    /// Written in a known spelling, but no such day exists (`1980-02-30`, month 13).
    Impossible,
    /// Not in any known spelling.
    Unreadable,
}

impl BirthDateReading {
    /// The finding for a reading that is no date (value masked), naming the rule: `None` for
    /// a date or a missing value.
    pub fn finding(self, text: &str) -> Option<Finding> {
        let reason = match self {
            BirthDateReading::Missing | BirthDateReading::Date(_) => return None,
            BirthDateReading::Impossible => {
                "impossible date: written as a date, but no such day exists".to_owned()
            }
            BirthDateReading::Unreadable => {
                format!("not a date: use one of {BIRTH_DATE_SPELLINGS}")
            }
        };
        Some(Finding {
            field: "birth_date".to_owned(),
            value: mask(text),
            kind: FindingKind::Invalid,
            reason,
        })
    }
}

fn digits(s: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<u32> {
    (lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Year, month and day as written, when `text` has the shape of a known spelling.
fn shape(text: &str) -> Option<(i32, u32, u32)> {
    let text = ["T00:00:00", " 00:00:00"]
        .iter()
        .find_map(|suffix| text.strip_suffix(suffix))
        .unwrap_or(text);
    let parts: Vec<&str> = text.split(['-', '.', '/']).collect();
    match parts.as_slice() {
        [y, m, d] if text.contains('-') => Some((
            digits(y, 4..=4)? as i32,
            digits(m, 1..=2)?,
            digits(d, 1..=2)?,
        )),
        [d, m, y] if !text.contains('-') && (text.contains('.') ^ text.contains('/')) => Some((
            digits(y, 4..=4)? as i32,
            digits(m, 1..=2)?,
            digits(d, 1..=2)?,
        )),
        [all] if all.len() == 8 => {
            digits(all, 8..=8)?;
            Some((
                all[..4].parse().ok()?,
                all[4..6].parse().ok()?,
                all[6..].parse().ok()?,
            ))
        }
        _ => None,
    }
}

/// Reads a birth date in one of the [`BIRTH_DATE_SPELLINGS`]; what is no date says why.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::quality::{BirthDateReading, read_birth_date};
/// let may17 = BirthDateReading::Date(NaiveDate::from_ymd_opt(1980, 5, 17).unwrap());
/// for text in ["1980-05-17", "17.05.1980", "17/05/1980", "19800517", " 1980-05-17T00:00:00"] {
///     assert_eq!(read_birth_date(text), may17, "{text}");
/// }
/// assert_eq!(read_birth_date("1980-02-30"), BirthDateReading::Impossible);
/// assert_eq!(read_birth_date("19801317"), BirthDateReading::Impossible);
/// assert_eq!(read_birth_date("May 1980"), BirthDateReading::Unreadable);
/// assert_eq!(read_birth_date("  "), BirthDateReading::Missing);
/// ```
pub fn read_birth_date(text: &str) -> BirthDateReading {
    let text = text.trim();
    if text.is_empty() {
        return BirthDateReading::Missing;
    }
    match shape(text) {
        Some((y, m, d)) => match NaiveDate::from_ymd_opt(y, m, d) {
            Some(date) => BirthDateReading::Date(date),
            None => BirthDateReading::Impossible,
        },
        None => BirthDateReading::Unreadable,
    }
}

/// Customers from their JSON list (the customer JSON form), reading `birth_date` with
/// [`read_birth_date`] instead of refusing the list: a birth date that is no date is left
/// out of its record and returned as a finding for that record (by position). The quality
/// checks read customer lists this way, since they exist to flag such values.
///
/// # Errors
/// [`crate::ErrorKind::Parse`] for text that is not a JSON list of customers (apart from
/// birth dates), with the record's position in front of the message.
///
/// ```
/// use crm_core::quality::customers_with_findings;
/// let (c, found) = customers_with_findings(
///     r#"[{"id": 1, "birth_date": "19800517"}, {"id": 2, "birth_date": "1980-02-30"}]"#)?;
/// assert_eq!(c[0].birth_date.unwrap().to_string(), "1980-05-17");
/// assert_eq!((c[1].birth_date, found[1][0].field.as_str()), (None, "birth_date"));
/// assert!(found[0].is_empty());
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn customers_with_findings(text: &str) -> Result<(Vec<Customer>, Vec<Vec<Finding>>)> {
    let values: Vec<Value> = crate::json::parse("the customers", text)?;
    let mut customers = Vec::with_capacity(values.len());
    let mut findings = Vec::with_capacity(values.len());
    for (i, mut value) in values.into_iter().enumerate() {
        let mut found = Vec::new();
        if let Some(slot) = value.get_mut("birth_date") {
            if let Value::String(b) = slot {
                let reading = read_birth_date(b);
                found.extend(reading.finding(b));
                *slot = match reading {
                    BirthDateReading::Date(d) => Value::String(d.to_string()),
                    _ => Value::Null,
                };
            }
        }
        let c: Customer = crate::json::from_value("the customer", value)
            .map_err(|e| CrmError::new(e.kind(), e.field(), format!("customers[{i}]: {e}")))?;
        customers.push(c);
        findings.push(found);
    }
    Ok((customers, findings))
}
