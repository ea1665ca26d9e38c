//! Transaction columns in, feature and RFM columns out.

use crm_core::features::TransactionFeatures;
use crm_core::segment::{Rfm, RfmConfig};
use crm_core::time::TimeUnit;
use crm_core::transactions::{self, Amounts, TransactionColumns};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{IntoPy, from_json, invalid, to_py_in};
use crm_core::{CrmError, ErrorKind};

pub(crate) fn unit(py: Python<'_>, unit: &str) -> PyResult<TimeUnit> {
    match unit {
        "s" => Ok(TimeUnit::Seconds),
        "ms" => Ok(TimeUnit::Milliseconds),
        "us" => Ok(TimeUnit::Microseconds),
        "ns" => Ok(TimeUnit::Nanoseconds),
        other => Err(invalid(
            py,
            "unit",
            format_args!("{other:?}"),
            "use \"s\", \"ms\", \"us\" or \"ns\"",
        )),
    }
}

/// The amount column: int64 minor units or float64 decimals, borrowed.
pub(crate) enum AmountColumn<'py> {
    Minor(PyReadonlyArray1<'py, i64>),
    Decimal(PyReadonlyArray1<'py, f64>),
}

pub(crate) fn amounts<'py>(
    py: Python<'py>,
    amount: &Bound<'py, PyAny>,
) -> PyResult<AmountColumn<'py>> {
    if let Ok(a) = amount.extract::<PyReadonlyArray1<'py, i64>>() {
        return Ok(AmountColumn::Minor(a));
    }
    if let Ok(a) = amount.extract::<PyReadonlyArray1<'py, f64>>() {
        return Ok(AmountColumn::Decimal(a));
    }
    Err(to_py_in(
        py,
        CrmError::new(
            ErrorKind::InvalidInput,
            Some("amount"),
            "invalid amount: must be a 1-d int64 (minor units) or float64 array",
        ),
    ))
}

/// The array's data, borrowed (no copy); non-contiguous arrays are refused.
pub(crate) fn slice<'a, T: numpy::Element>(
    py: Python<'_>,
    a: &'a PyReadonlyArray1<'_, T>,
    field: &str,
) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|_| {
        to_py_in(
            py,
            CrmError::new(
                ErrorKind::InvalidInput,
                Some(field),
                format!("invalid {field}: the array must be contiguous"),
            ),
        )
    })
}

/// Runs `f` on borrowed columns with the GIL released.
pub(crate) fn with_columns<T: Send>(
    py: Python<'_>,
    customer_id: &PyReadonlyArray1<'_, u64>,
    timestamp: &PyReadonlyArray1<'_, i64>,
    unit: TimeUnit,
    amount: &AmountColumn<'_>,
    f: impl FnOnce(&TransactionColumns<'_>) -> T + Send,
) -> PyResult<T> {
    let ids = slice(py, customer_id, "customer_id")?;
    let at = slice(py, timestamp, "timestamp")?;
    let amount = match amount {
        AmountColumn::Minor(a) => Amounts::Minor(slice(py, a, "amount")?),
        AmountColumn::Decimal(a) => Amounts::Decimal(slice(py, a, "amount")?),
    };
    let cols = TransactionColumns {
        customer_id: ids,
        at,
        unit,
        amount,
    };
    crate::panic::released(py, || f(&cols))
}

pub(crate) fn features_dict<'py>(
    py: Python<'py>,
    f: TransactionFeatures,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("customer_id", f.customer_id.into_pyarray(py))?;
    d.set_item("recency_days", f.recency_days.into_pyarray(py))?;
    d.set_item(
        "frequency",
        f.frequency
            .into_iter()
            .map(i64::from)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    d.set_item("monetary", f.monetary.into_pyarray(py))?;
    d.set_item("tenure_days", f.tenure_days.into_pyarray(py))?;
    d.set_item("intensity", f.intensity.into_pyarray(py))?;
    Ok(d)
}

pub(crate) fn rfm_into<'py>(d: &Bound<'py, PyDict>, r: Rfm) -> PyResult<()> {
    let py = d.py();
    // Codes plus names: a million Python strings would cost more than the whole RFM.
    let none = r.segment_names.len() as u16;
    let codes: Vec<u16> = r.segment.iter().map(|s| s.unwrap_or(none)).collect();
    d.set_item("segment_code", codes.into_pyarray(py))?;
    d.set_item("segment_names", r.segment_names)?;
    d.set_item("r", r.r.into_pyarray(py))?;
    d.set_item("f", r.f.into_pyarray(py))?;
    d.set_item("m", r.m.into_pyarray(py))?;
    d.set_item("rfm_score", r.score.into_pyarray(py))?;
    Ok(())
}

/// Per-customer features from transaction columns (see `crm.customer_features`).
#[pyfunction]
#[pyo3(signature = (customer_id, timestamp, unit, amount, as_of))]
pub(crate) fn customer_features<'py>(
    py: Python<'py>,
    customer_id: PyReadonlyArray1<'py, u64>,
    timestamp: PyReadonlyArray1<'py, i64>,
    unit: &str,
    amount: &Bound<'py, PyAny>,
    as_of: i64,
) -> PyResult<Bound<'py, PyDict>> {
    let unit = self::unit(py, unit)?;
    let amount = amounts(py, amount)?;
    let as_of = unit.instant(as_of);
    let f = with_columns(py, &customer_id, &timestamp, unit, &amount, |c| {
        transactions::customer_features(c, as_of)
    })?
    .py_err()?;
    features_dict(py, f)
}

/// Features and RFM from transaction columns (see `crm.rfm`).
#[pyfunction]
#[pyo3(signature = (customer_id, timestamp, unit, amount, as_of, bins, segments_json=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn rfm_transactions<'py>(
    py: Python<'py>,
    customer_id: PyReadonlyArray1<'py, u64>,
    timestamp: PyReadonlyArray1<'py, i64>,
    unit: &str,
    amount: &Bound<'py, PyAny>,
    as_of: i64,
    bins: u8,
    segments_json: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let unit = self::unit(py, unit)?;
    let amount = amounts(py, amount)?;
    let as_of = unit.instant(as_of);
    let segments = segments_json
        .map(|json| from_json("the RFM segment map", json))
        .transpose()?;
    let config = RfmConfig::new(bins, segments);
    let (f, r) = with_columns(py, &customer_id, &timestamp, unit, &amount, |c| {
        transactions::rfm_from_transactions(c, as_of, &config)
    })?
    .py_err()?;
    let d = features_dict(py, f)?;
    rfm_into(&d, r)?;
    Ok(d)
}
