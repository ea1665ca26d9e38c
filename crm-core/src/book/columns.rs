//! Records from columns, as an ERP export or a C program holds them: customers from text
//! columns with their ids, purchases (and refunds) from id, instant and amount columns. The
//! records come out in row order for one all-or-nothing batch
//! ([`CustomerBook::add_customers`], [`CustomerBook::record_all`]), whose errors name the
//! row (`customer #3`, `event #17`).

use crate::error::{CrmError, Result};
use crate::model::{Customer, Event, Purchase, Refund};
use crate::quality::CUSTOMER_COLUMNS;
use crate::time::TimeUnit;

#[cfg(doc)]
use super::CustomerBook;

/// The customer columns [`customers_from_columns`] takes besides those of
/// [`CUSTOMER_COLUMNS`]: `external_ref`, `region` and `sector`.
pub const EXTRA_CUSTOMER_COLUMNS: [&str; 3] = ["external_ref", "region", "sector"];

/// Customers with the ids `ids` (one per row) from text columns of `ids.len()` cells each
/// (`None` for a missing cell): the columns of [`CUSTOMER_COLUMNS`] (`given_name`,
/// `family_name` or `surname`, `organisation_name`, `national_id`, `tax_id`, `birth_date`,
/// `email`, `phone`, `address`, `district`, `city`, `postcode`) and
/// [`EXTRA_CUSTOMER_COLUMNS`]. A row is an organisation when it has an organisation name
/// and neither a given nor a family name, a person otherwise; birth dates read as
/// `1980-05-17`, `17.05.1980`, `17/05/1980` or `19800517`. Everything else (valid e-mails,
/// phones, national ids, unique ids) is checked by the book when the batch is added.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a column name not listed above (named, with the
/// closest name when one is close), a column given twice, a column whose length is not
/// `ids.len()`, or a birth date that is no date (`birth_date[row]`, value masked).
///
/// ```
/// use crm_core::book::{CustomerBook, customers_from_columns};
/// let ids = [4101, 4102];
/// let given = [Some("Ayşe"), None];
/// let org = [None, Some("Kaya Ltd. Şti.")];
/// let erp = [Some("C-4101"), Some("C-4102")];
/// let customers = customers_from_columns(&ids, &[
///     ("given_name", &given[..]), ("organisation_name", &org[..]), ("external_ref", &erp[..]),
/// ])?;
/// let mut book = CustomerBook::with_currency("TRY")?;
/// assert_eq!(book.add_customers(customers)?, 2);
/// assert_eq!(book.customer(4102).and_then(|c| c.external_ref.as_deref()), Some("C-4102"));
/// let e = customers_from_columns(&ids, &[("emial", &given[..])]).unwrap_err();
/// assert!(e.to_string().contains("did you mean `email`?"), "{e}");
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn customers_from_columns(
    ids: &[u64],
    columns: &[(&str, &[Option<&str>])],
) -> Result<Vec<Customer>> {
    let known = || {
        CUSTOMER_COLUMNS
            .iter()
            .map(|&(name, _)| name)
            .chain(EXTRA_CUSTOMER_COLUMNS)
    };
    for (i, &(name, values)) in columns.iter().enumerate() {
        if !known().any(|k| k == name) {
            let close = known()
                .map(|k| (strsim::damerau_levenshtein(name, k), k))
                .filter(|&(d, k)| d <= 2 && 2 * d < k.len())
                .min_by_key(|&(d, _)| d)
                .map(|(_, k)| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(CrmError::invalid(
                "column",
                format_args!("{name:?}"),
                format_args!("is not a customer column{close}"),
            ));
        }
        if columns[..i].iter().any(|&(other, _)| other == name) {
            return Err(CrmError::invalid(
                "column",
                format_args!("{name:?}"),
                "is given twice",
            ));
        }
        if values.len() != ids.len() {
            return Err(CrmError::invalid(
                name,
                values.len(),
                format_args!(
                    "the column has {} values for {} ids",
                    values.len(),
                    ids.len()
                ),
            ));
        }
    }
    let mut customers = crate::quality::customers_from_columns(ids.len(), columns)?;
    for (c, &id) in customers.iter_mut().zip(ids) {
        c.id = id;
    }
    for &(name, values) in columns {
        for (c, value) in customers.iter_mut().zip(values) {
            let Some(v) = value else { continue };
            let v = Some((*v).to_owned());
            match name {
                "external_ref" => c.external_ref = v,
                "region" => c.region = v,
                "sector" => c.sector = v,
                _ => {}
            }
        }
    }
    Ok(customers)
}

/// Purchase columns of `customer_id.len()` rows: who, when (in `unit` since the epoch), how
/// much (minor units; a negative amount is a refund of its absolute value, as a credit note
/// in an ERP export) and, optionally, the category and product of each row (`None` cells
/// for missing ones).
#[derive(Debug, Clone, Copy)]
pub struct PurchaseColumns<'a> {
    /// The customer of each row.
    pub customer_id: &'a [u64],
    /// The instant of each row, in `unit` since the Unix epoch.
    pub at: &'a [i64],
    /// The unit of `at`.
    pub unit: TimeUnit,
    /// The amount of each row in minor units; negative for a refund.
    pub amount: &'a [i64],
    /// The ISO 4217 currency of every row (the book's).
    pub currency: &'a str,
    /// The category of each row, when given.
    pub category: Option<&'a [Option<&'a str>]>,
    /// The product of each row, when given.
    pub product: Option<&'a [Option<&'a str>]>,
}

/// The purchase and refund events of `columns`, in row order.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] for a column whose length differs from
/// `customer_id`'s, a missing (NaT) or unrepresentable instant (`at[row]`), or the amount
/// `i64::MIN`, which has no positive refund (`amount[row]`). Amounts, currencies and
/// customers are checked by the book when the batch is recorded.
///
/// ```
/// use crm_core::book::{CustomerBook, PurchaseColumns, purchase_events};
/// use crm_core::model::Customer;
/// use crm_core::time::TimeUnit;
/// let mut book = CustomerBook::with_currency("TRY")?;
/// book.add_customer(Customer::person(7, "Ayşe", "Yılmaz"))?;
/// let events = purchase_events(&PurchaseColumns {
///     customer_id: &[7, 7],
///     at: &[1_735_725_600, 1_735_812_000], // 2025-01-01T10:00Z, a day later
///     unit: TimeUnit::Seconds,
///     amount: &[12_500, -2_500],           // a sale and a credit note
///     currency: "TRY",
///     category: None,
///     product: None,
/// })?;
/// assert_eq!(book.record_all(events)?, 2);
/// assert_eq!(book.stats().net_revenue, 10_000);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn purchase_events(columns: &PurchaseColumns<'_>) -> Result<Vec<Event>> {
    let n = columns.customer_id.len();
    let check = |name: &str, len: usize| {
        if len == n {
            Ok(())
        } else {
            Err(CrmError::invalid(
                name,
                len,
                format_args!("the column has {len} values for {n} customer ids"),
            ))
        }
    };
    check("at", columns.at.len())?;
    check("amount", columns.amount.len())?;
    if let Some(c) = columns.category {
        check("category", c.len())?;
    }
    if let Some(p) = columns.product {
        check("product", p.len())?;
    }
    let cell =
        |col: Option<&[Option<&str>]>, row: usize| col.and_then(|c| c[row]).map(str::to_owned);
    let mut events = crate::limits::try_vec("purchases", n)?;
    for row in 0..n {
        let at = columns.unit.checked_instant(columns.at[row], "at", row)?;
        let amount = columns.amount[row];
        let currency = columns.currency.to_owned();
        let (category, product) = (cell(columns.category, row), cell(columns.product, row));
        let event = if amount >= 0 {
            Event::new(
                columns.customer_id[row],
                at,
                Purchase {
                    amount,
                    currency,
                    product,
                    category,
                    channel: None,
                },
            )
        } else {
            let refund = amount.checked_neg().ok_or_else(|| {
                CrmError::invalid(
                    &format!("amount[{row}]"),
                    amount,
                    "has no positive refund amount",
                )
            })?;
            Event::new(
                columns.customer_id[row],
                at,
                Refund {
                    amount: refund,
                    currency,
                    product,
                    reason: None,
                    channel: None,
                },
            )
        };
        events.push(event);
    }
    Ok(events)
}
