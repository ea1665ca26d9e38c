//! Records from C arrays: customers and purchases as columns (an ERP export), each call one
//! all-or-nothing batch on the book (in memory or stored: one commit). Core builds the
//! records ([`crm_core::book::customers_from_columns`], [`crm_core::book::purchase_events`])
//! and the book applies them; this file only reads the arrays.

use std::ffi::c_char;

use crm_core::book::{PurchaseColumns, customers_from_columns, purchase_events};

use crate::args::{slice, slice_opt, text, text_opt};
use crate::book::crm_book_t;
use crate::ffi::{Castable, Out, panic_point};
use crate::status::{Failure, boundary, crm_status_t};
use crate::transactions::unit;

/// A text column of `n` cells from C: each cell NULL (missing) or NUL-terminated UTF-8.
///
/// # Safety
/// `cells` holds `n` pointers, each NULL or NUL-terminated.
unsafe fn cells<'a>(
    cells: &'a [*const c_char],
    name: &str,
) -> Result<Vec<Option<&'a str>>, Failure> {
    cells
        .iter()
        .enumerate()
        // SAFETY: NULL or NUL-terminated per the function's contract.
        .map(|(row, &cell)| unsafe { text_opt(cell, &format!("{name}[{row}]")) })
        .collect()
}

/// Adds `n_records` customers from columns, all or nothing (one commit on a stored book):
/// `ids[row]` is each customer's id; `names[c]` names the text column `columns[c]`
/// (`n_records` cells each, a cell NULL when missing). The columns: `given_name`,
/// `family_name` (or `surname`), `organisation_name`, `national_id`, `tax_id`, `birth_date`
/// (`1980-05-17`, `17.05.1980`, `17/05/1980` or `19800517`), `email`, `phone`, `address`,
/// `district`, `city`, `postcode`, `external_ref`, `region`, `sector`; a row with an
/// organisation name and no given or family name is an organisation. The number added goes
/// to `*out_added` when it is not NULL.
///
/// Errors: `CRM_INVALID_ARGUMENT` for an unknown column name (named, with the closest one),
/// a column given twice, a birth date that is no date (`birth_date[row]`, masked), an
/// invalid value or an id already in the book (`customer #row: ...`); `CRM_CONFLICT` for an
/// id used twice; `CRM_NULL_POINTER` for a NULL `ids`, `names` or column with rows to read.
/// Nothing is added then.
///
/// # Safety
/// `book` is a live handle nobody else uses during the call; `ids` holds `n_records`
/// values; `names` and `columns` hold `n_columns` pointers (NULL only when `n_columns` is
/// 0); each name NUL-terminated; each column `n_records` pointers, each NULL or
/// NUL-terminated UTF-8; `out_added` NULL or writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_add_customers_columns(
    book: *mut crm_book_t,
    n_records: usize,
    ids: *const u64,
    names: *const *const c_char,
    columns: *const *const *const c_char,
    n_columns: usize,
    out_added: *mut usize,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, ids, names, columns) = unsafe {
            (
                Out::optional(out_added),
                slice(ids, n_records, "ids")?,
                slice(names, n_columns, "names")?,
                slice(columns, n_columns, "columns")?,
            )
        };
        let mut owned: Vec<(&str, Vec<Option<&str>>)> = Vec::with_capacity(n_columns);
        for (c, (&name, &column)) in names.iter().zip(columns).enumerate() {
            // SAFETY: per this function's contract.
            let name = unsafe { text(name, &format!("names[{c}]"))? };
            // SAFETY: per this function's contract.
            let values = unsafe { cells(slice(column, n_records, name)?, name)? };
            owned.push((name, values));
        }
        let views: Vec<(&str, &[Option<&str>])> =
            owned.iter().map(|(n, v)| (*n, v.as_slice())).collect();
        let customers = customers_from_columns(ids, &views)?;
        // SAFETY: per this function's contract.
        let mut book = unsafe { crm_book_t::try_mut(book, "book")? };
        let added = book.add_customers(customers)?;
        panic_point();
        if let Some(out) = out {
            out.write(added);
        }
        Ok(())
    })
}

/// Records `n` purchases from columns, all or nothing (one commit on a stored book):
/// `customer_id[row]`, `at[row]` (in `unit`, one of the `CRM_UNIT_*` constants, since the
/// Unix epoch) and `amount_minor[row]` (minor units; a negative amount is a refund of its
/// absolute value, as a credit note), all in `currency` (the book's ISO 4217 code);
/// `categories` and `products` are NULL or `n` cells each (a cell NULL when missing). The
/// number recorded goes to `*out_recorded` when it is not NULL.
///
/// Errors: `CRM_INVALID_ARGUMENT` for a bad unit, an instant that is no instant
/// (`at[row]`), an amount the book refuses (another currency, a total past
/// `INT64_MAX`: `event #row: ...`), `CRM_NOT_FOUND` for an unknown customer (`event #row`),
/// `CRM_NULL_POINTER` for a NULL required column with rows to read. Nothing is recorded then.
///
/// # Safety
/// `book` is a live handle nobody else uses during the call; `customer_id`, `at` and
/// `amount_minor` hold `n` values each; `currency` is NUL-terminated; `categories` and
/// `products` are NULL or hold `n` pointers, each NULL or NUL-terminated UTF-8;
/// `out_recorded` NULL or writable, written only on success.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_book_record_purchases_columns(
    book: *mut crm_book_t,
    n: usize,
    customer_id: *const u64,
    at: *const i64,
    unit: u32,
    amount_minor: *const i64,
    currency: *const c_char,
    categories: *const *const c_char,
    products: *const *const c_char,
    out_recorded: *mut usize,
) -> crm_status_t {
    boundary(|| {
        let unit = self::unit(unit, "unit")?;
        // SAFETY: per this function's contract.
        let (out, ids, at, amount, currency, categories, products) = unsafe {
            (
                Out::optional(out_recorded),
                slice(customer_id, n, "customer_id")?,
                slice(at, n, "at")?,
                slice(amount_minor, n, "amount_minor")?,
                text(currency, "currency")?,
                slice_opt(categories, n, "categories")?,
                slice_opt(products, n, "products")?,
            )
        };
        // SAFETY: per this function's contract.
        let categories = unsafe { categories.map(|c| cells(c, "categories")).transpose()? };
        // SAFETY: per this function's contract.
        let products = unsafe { products.map(|c| cells(c, "products")).transpose()? };
        let events = purchase_events(&PurchaseColumns {
            customer_id: ids,
            at,
            unit,
            amount,
            currency,
            category: categories.as_deref(),
            product: products.as_deref(),
        })?;
        // SAFETY: per this function's contract.
        let mut book = unsafe { crm_book_t::try_mut(book, "book")? };
        let recorded = book.record_all(events)?;
        if let Some(out) = out {
            out.write(recorded);
        }
        Ok(())
    })
}
