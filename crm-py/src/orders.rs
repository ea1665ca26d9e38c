//! Line items into orders (see `crm-core`'s `transactions::collapse_orders`).

use crm_core::transactions::{self, Amounts, OrderAmounts};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::columns::{AmountColumn, amounts, slice};
use crate::errors::IntoPy;

/// One row per order: `customer_id`, `timestamp` (the order's earliest, same ticks as the
/// input) and `amount` (int64 or float64 as the input), as a dict of arrays.
#[pyfunction]
#[pyo3(signature = (customer_id, order_id, timestamp, amount))]
pub(crate) fn collapse_orders<'py>(
    py: Python<'py>,
    customer_id: PyReadonlyArray1<'py, u64>,
    order_id: PyReadonlyArray1<'py, u64>,
    timestamp: PyReadonlyArray1<'py, i64>,
    amount: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let amount = amounts(py, amount)?;
    let ids = slice(py, &customer_id, "customer_id")?;
    let orders = slice(py, &order_id, "order_id")?;
    let at = slice(py, &timestamp, "timestamp")?;
    let amount = match &amount {
        AmountColumn::Minor(a) => Amounts::Minor(slice(py, a, "amount")?),
        AmountColumn::Decimal(a) => Amounts::Decimal(slice(py, a, "amount")?),
    };
    let o = crate::panic::released(py, || {
        transactions::collapse_orders(ids, orders, at, amount)
    })?
    .py_err()?;
    let d = PyDict::new(py);
    d.set_item("customer_id", o.customer_id.into_pyarray(py))?;
    d.set_item("timestamp", o.at.into_pyarray(py))?;
    match o.amount {
        OrderAmounts::Minor(a) => d.set_item("amount", a.into_pyarray(py))?,
        OrderAmounts::Decimal(a) => d.set_item("amount", a.into_pyarray(py))?,
    }
    Ok(d)
}
