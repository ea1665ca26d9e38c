//! Customer records from the text columns of a table (a spreadsheet export, a DataFrame):
//! which column fills which field, and whether a row is a person or an organisation.

use super::birth::{BirthDateReading, read_birth_date};
use super::validate::Finding;
use crate::error::{CrmError, Result};
use crate::model::{Customer, CustomerKind};

/// The columns [`customers_from_columns`] reads, with the customer field each fills:
/// `given_name`, `family_name` (or `surname`), `organisation_name`, `national_id`, `tax_id`,
/// `birth_date`, `email` (the first e-mail), `phone` (the first phone), `address` (the
/// address line), `district`, `city`, `postcode`.
pub const CUSTOMER_COLUMNS: [(&str, &str); 13] = [
    ("given_name", "given_name"),
    ("family_name", "family_name"),
    ("surname", "family_name"),
    ("organisation_name", "organisation_name"),
    ("national_id", "national_id"),
    ("tax_id", "tax_id"),
    ("birth_date", "birth_date"),
    ("email", "emails"),
    ("phone", "phones"),
    ("address", "address.line"),
    ("district", "address.district"),
    ("city", "address.city"),
    ("postcode", "address.postcode"),
];

/// Customer records from `n` rows of text columns (`None` for a missing cell), ids = row
/// numbers. Columns not in [`CUSTOMER_COLUMNS`] are ignored. A row is an organisation when
/// it has an organisation name and neither a given nor a family name, a person otherwise.
/// Birth dates are read by [`super::read_birth_date`] (`1980-05-17`, `17.05.1980`,
/// `17/05/1980` or `19800517`); an empty one counts as missing.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a column whose length is not `n`, or a birth date
/// that is no date (value masked); [`customers_from_columns_with_findings`] reports those
/// as findings instead.
///
/// ```
/// use crm_core::model::CustomerKind;
/// use crm_core::quality::customers_from_columns;
/// let given = [Some("Ayşe"), None];
/// let org = [None, Some("Kaya Ltd. Şti.")];
/// let phone = [Some("0532 123 45 67"), None];
/// let c = customers_from_columns(2, &[("given_name", &given[..]), ("organisation_name", &org[..]),
///                                     ("phone", &phone[..]), ("colour", &given[..])])?;
/// assert_eq!((c[0].id, c[0].kind, c[0].phones.len()), (0, CustomerKind::Person, 1));
/// assert_eq!((c[1].id, c[1].kind), (1, CustomerKind::Organisation));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn customers_from_columns(
    n: usize,
    columns: &[(&str, &[Option<&str>])],
) -> Result<Vec<Customer>> {
    let (customers, read) = customers_from_columns_with_findings(n, columns)?;
    if let Some(row) = read.iter().position(|f| !f.is_empty()) {
        let f = &read[row][0];
        return Err(CrmError::invalid(
            &format!("birth_date[{row}]"),
            &f.value,
            &f.reason,
        ));
    }
    Ok(customers)
}

/// As [`customers_from_columns`], with a birth date that is no date (impossible, as
/// `1980-02-30`, or unreadable) left out of its record and returned as a finding for that
/// row (value masked, the rule as its reason): the form the quality checks read tables in.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a column whose length is not `n`.
///
/// ```
/// use crm_core::quality::customers_from_columns_with_findings;
/// let births = [Some("17.05.1980"), Some("1980-02-30")];
/// let (c, read) = customers_from_columns_with_findings(2, &[("birth_date", &births[..])])?;
/// assert_eq!(c[0].birth_date.unwrap().to_string(), "1980-05-17");
/// assert_eq!((c[1].birth_date, read[1].len(), read[0].len()), (None, 1, 0));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn customers_from_columns_with_findings(
    n: usize,
    columns: &[(&str, &[Option<&str>])],
) -> Result<(Vec<Customer>, Vec<Vec<Finding>>)> {
    let mut read: Vec<Vec<Finding>> = vec![Vec::new(); n];
    let mut out: Vec<Customer> = (0..n)
        .map(|row| Customer {
            id: row as u64,
            ..Customer::default()
        })
        .collect();
    for &(column, target) in &CUSTOMER_COLUMNS {
        let Some(&(_, values)) = columns.iter().find(|(name, _)| *name == column) else {
            continue;
        };
        if values.len() != n {
            return Err(CrmError::invalid(
                column,
                values.len(),
                format_args!("the column has {} values for {n} records", values.len()),
            ));
        }
        for (row, (c, value)) in out.iter_mut().zip(values).enumerate() {
            let Some(v) = *value else { continue };
            let v = v.to_owned();
            match target {
                "given_name" => c.given_name = Some(v),
                "family_name" => c.family_name = Some(v),
                "organisation_name" => c.organisation_name = Some(v),
                "national_id" => c.national_id = Some(v),
                "tax_id" => c.tax_id = Some(v),
                "emails" => c.emails = vec![v],
                "phones" => c.phones = vec![v],
                "address.line" => c.address.line = Some(v),
                "address.district" => c.address.district = Some(v),
                "address.city" => c.address.city = Some(v),
                "address.postcode" => c.address.postcode = Some(v),
                _ => {
                    let reading = read_birth_date(&v);
                    if let BirthDateReading::Date(d) = reading {
                        c.birth_date = Some(d);
                    }
                    read[row].extend(reading.finding(&v));
                }
            }
        }
    }
    for c in &mut out {
        let named = c.given_name.is_some() || c.family_name.is_some();
        c.kind = if c.organisation_name.is_some() && !named {
            CustomerKind::Organisation
        } else {
            CustomerKind::Person
        };
    }
    Ok((out, read))
}
