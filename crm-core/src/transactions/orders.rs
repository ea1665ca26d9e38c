//! Line items into orders: data exported one row per product counts one purchase per order.
//!
//! An order's rows become one row: the customer, the order's earliest instant, and the sum of
//! its amounts. Frequency then counts orders, not products.

use crate::error::{CrmError, Result};
use crate::segment::{check_len, check_values};

use super::Amounts;

/// The amounts of [`OrderColumns`], owned: minor units stay exact, decimals stay decimals.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderAmounts {
    /// Minor units (the checked sum of the order's rows).
    Minor(Vec<i64>),
    /// Decimal amounts (the order's rows summed in row order).
    Decimal(Vec<f64>),
}

impl OrderAmounts {
    /// The amounts, borrowed as transaction [`Amounts`].
    pub fn as_amounts(&self) -> Amounts<'_> {
        match self {
            OrderAmounts::Minor(a) => Amounts::Minor(a),
            OrderAmounts::Decimal(a) => Amounts::Decimal(a),
        }
    }
}

/// One row per order, in order of each order's first row in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderColumns {
    /// The ordering customer.
    pub customer_id: Vec<u64>,
    /// The order's earliest instant (ticks of the input's unit).
    pub at: Vec<i64>,
    /// The order's total.
    pub amount: OrderAmounts,
}

/// Collapses line items into orders: all rows with the same `order_id` become one row with
/// their customer, their earliest instant and the sum of their amounts.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] when the columns differ in length, when one order's rows
/// name two customers (naming both rows), when a decimal amount is not finite (naming its
/// row), or when an order's minor units add up past `i64` (naming its first row).
///
/// ```
/// use crm_core::transactions::{Amounts, OrderAmounts, collapse_orders};
/// // Order 10 has two products, order 11 one; customer 7 placed both.
/// let orders = collapse_orders(&[7, 7, 7], &[10, 10, 11], &[5, 3, 9], Amounts::Minor(&[100, 250, 40]))?;
/// assert_eq!(orders.customer_id, vec![7, 7]);
/// assert_eq!(orders.at, vec![3, 9]);
/// assert_eq!(orders.amount, OrderAmounts::Minor(vec![350, 40]));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn collapse_orders(
    customer_id: &[u64],
    order_id: &[u64],
    at: &[i64],
    amount: Amounts<'_>,
) -> Result<OrderColumns> {
    let n = customer_id.len();
    check_len("order_id", order_id.len(), "customer_id", n)?;
    check_len("at", at.len(), "customer_id", n)?;
    check_len("amount", amount.len(), "customer_id", n)?;
    if let Amounts::Decimal(a) = amount {
        check_values("amount", a)?;
    }
    // Rows grouped by order; within an order, by row (so the first row leads and decimal
    // sums run in row order).
    let mut rows: Vec<u32> = (0..n as u32).collect();
    rows.sort_unstable_by_key(|&r| (order_id[r as usize], r));
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        if i == n || order_id[rows[i] as usize] != order_id[rows[start] as usize] {
            groups.push((start, i));
            start = i;
        }
    }
    if n == 0 {
        groups.clear();
    }
    // Orders in the order of their first row.
    groups.sort_unstable_by_key(|&(s, _)| rows[s]);
    let mut out_ids = Vec::with_capacity(groups.len());
    let mut out_at = Vec::with_capacity(groups.len());
    for &(s, e) in &groups {
        let first = rows[s] as usize;
        let mut when = at[first];
        for &r in &rows[s + 1..e] {
            let r = r as usize;
            if customer_id[r] != customer_id[first] {
                return Err(CrmError::invalid(
                    &format!("order_id[{r}]"),
                    format_args!("the order of row {first}"),
                    format_args!(
                        "rows {first} and {r} of one order name different customers; \
                         an order belongs to one customer"
                    ),
                ));
            }
            when = when.min(at[r]);
        }
        out_ids.push(customer_id[first]);
        out_at.push(when);
    }
    let amount = match amount {
        Amounts::Minor(a) => {
            let mut sums = Vec::with_capacity(groups.len());
            for &(s, e) in &groups {
                let mut sum: i64 = 0;
                for &r in &rows[s..e] {
                    sum = sum.checked_add(a[r as usize]).ok_or_else(|| {
                        CrmError::invalid(
                            &format!("amount[{}]", rows[s]),
                            "the order's total",
                            "the order's minor units add up past 2**63 - 1",
                        )
                    })?;
                }
                sums.push(sum);
            }
            OrderAmounts::Minor(sums)
        }
        Amounts::Decimal(a) => OrderAmounts::Decimal(
            groups
                .iter()
                .map(|&(s, e)| rows[s..e].iter().map(|&r| a[r as usize]).sum())
                .collect(),
        ),
    };
    Ok(OrderColumns {
        customer_id: out_ids,
        at: out_at,
        amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn line_items_become_orders_counted_by_hand() {
        // Customer 1: order 100 (3 lines, days 2, 1, 2) and order 101 (1 line);
        // customer 2: order 200 (2 lines). Rows interleaved as exports have them.
        let ids = [1, 2, 1, 1, 2, 1];
        let orders = [100, 200, 100, 101, 200, 100];
        let at = [2, 7, 1, 9, 7, 2];
        let amount = [1.5, 2.0, 2.5, 4.0, 3.0, 1.0];
        let o = collapse_orders(&ids, &orders, &at, Amounts::Decimal(&amount)).unwrap();
        assert_eq!(o.customer_id, vec![1, 2, 1]);
        assert_eq!(o.at, vec![1, 7, 9]);
        assert_eq!(o.amount, OrderAmounts::Decimal(vec![5.0, 5.0, 4.0]));
    }

    #[test]
    fn an_order_with_two_customers_names_both_rows() {
        let e = collapse_orders(&[1, 2], &[5, 5], &[0, 0], Amounts::Minor(&[1, 1])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains("rows 0 and 1"), "{e}");
        assert_eq!(e.field(), Some("order_id[1]"));
    }

    #[test]
    fn minor_sums_never_wrap_and_lengths_are_checked() {
        let e =
            collapse_orders(&[1, 1], &[5, 5], &[0, 0], Amounts::Minor(&[i64::MAX, 1])).unwrap_err();
        assert_eq!(e.field(), Some("amount[0]"));
        let e = collapse_orders(&[1, 1], &[5], &[0, 0], Amounts::Minor(&[1, 1])).unwrap_err();
        assert_eq!(e.field(), Some("order_id length"));
        let empty = collapse_orders(&[], &[], &[], Amounts::Minor(&[])).unwrap();
        assert!(empty.customer_id.is_empty());
    }
}
