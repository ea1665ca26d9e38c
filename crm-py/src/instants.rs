//! Text and Python objects into instants with crm-core's one parser
//! ([`crm_core::time::parse_instant_in`]): single values (`as_of`, `at`) and whole columns of
//! strings in one call, the rows parsed here rather than one `fromisoformat` at a time.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use crm_core::CrmError;
use crm_core::time::{self, DayBound, TimeUnit, parse_instant_in, parse_zone};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyString};

use crate::columns::unit;
use crate::errors::to_py_in;

/// `at` as ticks of `unit`, or an error naming `field` when the unit cannot hold it
/// (nanoseconds hold the years 1678 to 2261).
fn ticks(at: DateTime<Utc>, unit: TimeUnit, field: &str) -> Result<i64, CrmError> {
    let t = unit.ticks(at);
    if t == i64::MIN || t == i64::MAX {
        return Err(CrmError::invalid(
            field,
            at.to_rfc3339(),
            format_args!(
                "is outside the instants int64 {} hold",
                match unit {
                    TimeUnit::Nanoseconds => "nanoseconds (years 1678 to 2261)",
                    _ => "ticks",
                }
            ),
        ));
    }
    Ok(t)
}

/// One instant text as ticks of `unit`: a bare date is the start of its day, or with
/// `end=True` the end of it, in the zone `tz` (default UTC).
#[pyfunction]
#[pyo3(signature = (text, field, unit, end = false, tz = None))]
pub(crate) fn parse_instant(
    py: Python<'_>,
    text: &str,
    field: &str,
    unit: &str,
    end: bool,
    tz: Option<&str>,
) -> PyResult<i64> {
    let u = self::unit(py, unit)?;
    let bound = if end { DayBound::End } else { DayBound::Start };
    (|| {
        let zone = parse_zone(tz.unwrap_or(""), "tz")?;
        ticks(parse_instant_in(text, field, bound, zone)?, u, field)
    })()
    .map_err(|e| to_py_in(py, e))
}

/// The zone's IANA name, checked (`None` and `""` are UTC).
#[pyfunction]
#[pyo3(signature = (tz = None))]
pub(crate) fn zone_name(py: Python<'_>, tz: Option<&str>) -> PyResult<String> {
    parse_zone(tz.unwrap_or(""), "tz")
        .map(|z| z.name().to_owned())
        .map_err(|e| to_py_in(py, e))
}

/// A column of instants (a list: `str`, `datetime`, `date`, pandas `Timestamp`, numpy
/// `datetime64`) as int64 ticks of `unit`, in one pass. A missing value (`None`, NaN,
/// `NaT`) or a text that is not an instant is an error naming `field[row]` of the first.
#[pyfunction]
pub(crate) fn parse_instants<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    field: &str,
    unit: &str,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let u = self::unit(py, unit)?;
    let n = values.len()?;
    let mut out = Vec::with_capacity(n);
    for (row, value) in values.try_iter()?.enumerate() {
        let value = value?;
        let t = one(&value, u, field, row).map_err(|e| to_py_in(py, e))?;
        out.push(t);
    }
    Ok(out.into_pyarray(py))
}

/// A column of instant texts joined by `\n` (`rows` of them) as int64 ticks of `unit`,
/// parsed with the GIL released: the fast path for columns of `str`. An error names
/// `field[row]` of the first text that is not an instant.
#[pyfunction]
pub(crate) fn parse_instant_lines<'py>(
    py: Python<'py>,
    text: &str,
    rows: usize,
    field: &str,
    unit: &str,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let u = self::unit(py, unit)?;
    let out = crate::panic::released(py, || -> Result<Vec<i64>, CrmError> {
        let lines: Vec<&str> = text.split('\n').collect();
        if lines.len() != rows {
            return Err(CrmError::invalid(
                field,
                format_args!("of {} lines", lines.len()),
                format_args!("must hold {rows} instants, one per line"),
            ));
        }
        time::parse_instant_column(&lines, field, u)
    })?
    .map_err(|e| to_py_in(py, e))?;
    Ok(out.into_pyarray(py))
}

/// The ticks of one value of a column.
fn one(value: &Bound<'_, PyAny>, unit: TimeUnit, field: &str, row: usize) -> Result<i64, CrmError> {
    let name = || format!("{field}[{row}]");
    let missing = |what: &str| {
        CrmError::invalid(
            &name(),
            what,
            format_args!("is missing ({what}); drop or fill the row first"),
        )
    };
    if let Ok(s) = value.cast::<PyString>() {
        let text = s.to_cow().map_err(|_| {
            CrmError::invalid(&name(), "text", "is not valid Unicode (a lone surrogate)")
        })?;
        let at = time::parse_instant(&text, &name())?;
        return ticks(at, unit, &name());
    }
    if value.is_none() {
        return Err(missing("None"));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        if f.value().is_nan() {
            return Err(missing("NaN"));
        }
    }
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    match type_name.as_str() {
        "NaTType" => return Err(missing("NaT")),
        "NAType" => return Err(missing("NA")),
        _ => {}
    }
    if type_name == "datetime64" {
        // numpy's text form: `2024-01-01T00:00:00.000000000` (UTC) or `NaT`.
        let text = value.str().map_err(|_| missing("NaT"))?.to_string();
        if text == "NaT" {
            return Err(missing("NaT"));
        }
        let at = time::parse_instant(&text, &name())?;
        return ticks(at, unit, &name());
    }
    // Aware datetimes first, then naive ones (UTC), then dates (a datetime is also a date).
    if let Ok(t) = value.extract::<DateTime<FixedOffset>>() {
        return ticks(t.with_timezone(&Utc), unit, &name());
    }
    if let Ok(t) = value.extract::<NaiveDateTime>() {
        return ticks(t.and_utc(), unit, &name());
    }
    if let Ok(d) = value.extract::<NaiveDate>() {
        return ticks(d.and_time(chrono::NaiveTime::MIN).and_utc(), unit, &name());
    }
    Err(CrmError::invalid(
        &name(),
        format_args!("of type {type_name}"),
        "cannot be read as an instant (use str, datetime, date or datetime64)",
    ))
}
