//! Business calendars over numpy columns of instants (microseconds since the epoch).

use chrono::{DateTime, Utc};
use crm_core::sla;
use crm_core::time::TimeUnit;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::columns::slice as ints;
use crate::errors::IntoPy;

/// A business calendar (see `crm.BusinessCalendar`). Immutable: safe to share between threads.
#[pyclass(module = "crm._crm", frozen)]
pub(crate) struct BusinessCalendar {
    inner: sla::BusinessCalendar,
}

fn at(us: i64) -> DateTime<Utc> {
    TimeUnit::Microseconds.instant(us)
}

#[pymethods]
impl BusinessCalendar {
    /// A calendar from its JSON form.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(BusinessCalendar {
            inner: sla::BusinessCalendar::from_json(text).py_err()?,
        })
    }

    /// The JSON form.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Adds business minutes to each instant (µs since the epoch).
    fn add_minutes_us<'py>(
        &self,
        py: Python<'py>,
        at_us: PyReadonlyArray1<'py, i64>,
        minutes: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let (a, m) = (ints(py, &at_us, "at")?, ints(py, &minutes, "minutes")?);
        let cal = &self.inner;
        let out = crate::panic::released(py, || {
            cal.add_business_minutes_columns(a, m, TimeUnit::Microseconds)
        })?
        .py_err()?;
        Ok(out.into_pyarray(py))
    }

    /// Whole business minutes between pairs of instants.
    fn minutes_between_us<'py>(
        &self,
        py: Python<'py>,
        from_us: PyReadonlyArray1<'py, i64>,
        to_us: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let (f, t) = (ints(py, &from_us, "start")?, ints(py, &to_us, "end")?);
        let cal = &self.inner;
        let out = crate::panic::released(py, || {
            cal.business_minutes_between_columns(f, t, TimeUnit::Microseconds)
        })?
        .py_err()?;
        Ok(out.into_pyarray(py))
    }

    /// The end of the next business day after each instant.
    fn end_of_next_business_day_us<'py>(
        &self,
        py: Python<'py>,
        at_us: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let a = ints(py, &at_us, "at")?;
        let cal = &self.inner;
        let out: Vec<i64> = crate::panic::released(py, || {
            a.iter()
                .map(|&t| {
                    cal.end_of_next_business_day(at(t))
                        .map(|d| d.timestamp_micros())
                })
                .collect::<Result<Vec<_>, _>>()
        })?
        .py_err()?;
        Ok(out.into_pyarray(py))
    }

    /// Whether each instant lies within business hours.
    fn is_open_us<'py>(
        &self,
        py: Python<'py>,
        at_us: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<Bound<'py, PyArray1<bool>>> {
        let a = ints(py, &at_us, "at")?;
        let cal = &self.inner;
        let out: Vec<bool> =
            crate::panic::released(py, || a.iter().map(|&t| cal.is_open(at(t))).collect())?;
        Ok(out.into_pyarray(py))
    }

    fn __repr__(&self) -> String {
        format!("BusinessCalendar({})", self.inner.to_json())
    }
}
