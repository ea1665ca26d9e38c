//! Customer records from the text columns of a table (a spreadsheet export, a DataFrame):
//! which column fills which field, and whether a row is a person or an organisation.

use crate::error::{CrmError, Result, mask};
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
/// Birth dates are read as `1980-05-17`, `17.05.1980`, `17/05/1980` or `19800517`; an empty
/// one counts as missing.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a column whose length is not `n`, or a birth date
/// that is no date (value masked).
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
                    if v.trim().is_empty() {
                        continue;
                    }
                    let date = super::dedup::parse_birth_date(&v).ok_or_else(|| {
                        CrmError::invalid(
                            &format!("birth_date[{row}]"),
                            mask(&v),
                            "not a date (use 1980-05-17, 17.05.1980, 17/05/1980 or 19800517)",
                        )
                    })?;
                    c.birth_date = Some(date);
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
    Ok(out)
}
