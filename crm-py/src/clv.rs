//! Customer lifetime value over numpy columns: the BTYD summary, BG/NBD and Gamma-Gamma fits
//! (results as JSON), predictions and lifetime value as arrays.

use crm_core::clv::{
    self, BetaGeoParams, ClvConfig, ClvUnit, FitOptions, GammaGammaParams, Prediction,
    SummaryColumns,
};
use crm_core::time::TimeUnit;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::book::CustomerBook;
use crate::columns::{slice, unit};
use crate::errors::{IntoPy, from_json, invalid, json};

fn clv_unit(py: Python<'_>, name: &str) -> PyResult<ClvUnit> {
    match name {
        "D" => Ok(ClvUnit::Days),
        "W" => Ok(ClvUnit::Weeks),
        other => Err(invalid(
            py,
            "unit",
            format_args!("{other:?}"),
            "use \"D\" (days) or \"W\" (weeks)",
        )),
    }
}

fn options(text: Option<&str>) -> PyResult<FitOptions> {
    match text {
        Some(t) => from_json("the fit options", t),
        None => Ok(FitOptions::default()),
    }
}

/// The BTYD summary of transaction columns as a dict of arrays (and `tz`, the zone whose
/// days are the purchase days).
#[pyfunction]
#[pyo3(signature = (customer_id, timestamp, time_unit, amount, as_of, summary_unit, tz = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn clv_summary<'py>(
    py: Python<'py>,
    customer_id: PyReadonlyArray1<'py, u64>,
    timestamp: PyReadonlyArray1<'py, i64>,
    time_unit: &str,
    amount: PyReadonlyArray1<'py, f64>,
    as_of: i64,
    summary_unit: &str,
    tz: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let tu: TimeUnit = unit(py, time_unit)?;
    let cu = clv_unit(py, summary_unit)?;
    let zone = crm_core::time::parse_zone(tz.unwrap_or(""), "tz").py_err()?;
    let (ids, ts, amounts) = (
        slice(py, &customer_id, "customer_id")?,
        slice(py, &timestamp, "timestamp")?,
        slice(py, &amount, "amount")?,
    );
    let s = py
        .detach(|| clv::summary_in_zone(ids, ts, tu, amounts, tu.instant(as_of), cu, zone))
        .py_err()?;
    let d = PyDict::new(py);
    d.set_item("tz", &s.tz)?;
    d.set_item("customer_id", s.customer_id.into_pyarray(py))?;
    d.set_item("frequency", s.frequency.into_pyarray(py))?;
    d.set_item("recency", s.recency.into_pyarray(py))?;
    d.set_item("T", s.t.into_pyarray(py))?;
    d.set_item("monetary_value", s.monetary_value.into_pyarray(py))?;
    Ok(d)
}

/// Fits BG/NBD; the fit as JSON.
#[pyfunction]
#[pyo3(signature = (frequency, recency, t, options_json = None))]
pub(crate) fn fit_beta_geo<'py>(
    py: Python<'py>,
    frequency: PyReadonlyArray1<'py, f64>,
    recency: PyReadonlyArray1<'py, f64>,
    t: PyReadonlyArray1<'py, f64>,
    options_json: Option<&str>,
) -> PyResult<String> {
    let o = options(options_json)?;
    let (f, r, tt) = (
        slice(py, &frequency, "frequency")?,
        slice(py, &recency, "recency")?,
        slice(py, &t, "T")?,
    );
    let fit = crate::panic::released(py, || clv::fit_beta_geo(f, r, tt, &o))?.py_err()?;
    json(&fit)
}

/// Fits Gamma-Gamma; the fit as JSON.
#[pyfunction]
#[pyo3(signature = (frequency, monetary_value, options_json = None))]
pub(crate) fn fit_gamma_gamma<'py>(
    py: Python<'py>,
    frequency: PyReadonlyArray1<'py, f64>,
    monetary_value: PyReadonlyArray1<'py, f64>,
    options_json: Option<&str>,
) -> PyResult<String> {
    let o = options(options_json)?;
    let (f, m) = (
        slice(py, &frequency, "frequency")?,
        slice(py, &monetary_value, "monetary_value")?,
    );
    let fit = crate::panic::released(py, || clv::fit_gamma_gamma(f, m, &o))?.py_err()?;
    json(&fit)
}

fn bg(params: (f64, f64, f64, f64)) -> BetaGeoParams {
    BetaGeoParams {
        r: params.0,
        alpha: params.1,
        a: params.2,
        b: params.3,
    }
}

/// BG/NBD predictions per customer: `what` is "expected" (purchases in the next `t`) or
/// "p_alive".
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn beta_geo_predict<'py>(
    py: Python<'py>,
    params: (f64, f64, f64, f64),
    what: &str,
    t: f64,
    frequency: PyReadonlyArray1<'py, f64>,
    recency: PyReadonlyArray1<'py, f64>,
    big_t: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let p = bg(params);
    let columns = SummaryColumns {
        frequency: slice(py, &frequency, "frequency")?,
        recency: slice(py, &recency, "recency")?,
        t: slice(py, &big_t, "T")?,
    };
    let what = match what {
        "expected" => Prediction::ExpectedPurchases { horizon: t },
        "p_alive" => Prediction::PAlive,
        other => {
            return Err(invalid(
                py,
                "what",
                format_args!("{other:?}"),
                "use \"expected\" or \"p_alive\"",
            ));
        }
    };
    let out = crate::panic::released(py, || clv::predict(&p, columns, what))?.py_err()?;
    Ok(out.into_pyarray(py))
}

/// BG/NBD expected purchases of a new customer over each horizon in `t`.
#[pyfunction]
pub(crate) fn beta_geo_expected_new<'py>(
    py: Python<'py>,
    params: (f64, f64, f64, f64),
    t: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let p = bg(params);
    let t = slice(py, &t, "t")?;
    let out = crate::panic::released(py, || clv::expected_purchases_new(&p, t))?.py_err()?;
    Ok(out.into_pyarray(py))
}

/// Gamma-Gamma expected mean spend per customer.
#[pyfunction]
pub(crate) fn gamma_gamma_spend<'py>(
    py: Python<'py>,
    params: (f64, f64, f64),
    frequency: PyReadonlyArray1<'py, f64>,
    monetary_value: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let p = GammaGammaParams {
        p: params.0,
        q: params.1,
        v: params.2,
    };
    let (f, m) = (
        slice(py, &frequency, "frequency")?,
        slice(py, &monetary_value, "monetary_value")?,
    );
    let out = crate::panic::released(py, || clv::expected_spend(&p, f, m))?.py_err()?;
    Ok(out.into_pyarray(py))
}

/// Discounted lifetime value per customer.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn lifetime_value<'py>(
    py: Python<'py>,
    bg_params: (f64, f64, f64, f64),
    gg_params: (f64, f64, f64),
    frequency: PyReadonlyArray1<'py, f64>,
    recency: PyReadonlyArray1<'py, f64>,
    t: PyReadonlyArray1<'py, f64>,
    monetary_value: PyReadonlyArray1<'py, f64>,
    summary_unit: &str,
    months: u32,
    discount_rate: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let cu = clv_unit(py, summary_unit)?;
    let g = GammaGammaParams {
        p: gg_params.0,
        q: gg_params.1,
        v: gg_params.2,
    };
    let b = bg(bg_params);
    let (f, r, tt, m) = (
        slice(py, &frequency, "frequency")?,
        slice(py, &recency, "recency")?,
        slice(py, &t, "T")?,
        slice(py, &monetary_value, "monetary_value")?,
    );
    let out = py
        .detach(|| clv::lifetime_value(&b, &g, f, r, tt, m, cu, months, discount_rate))
        .py_err()?;
    Ok(out.into_pyarray(py))
}

/// Fits both models on a book and predicts every customer's lifetime value; JSON fits plus
/// columns.
#[pyfunction]
#[pyo3(signature = (book, as_of_us, config_json = None))]
pub(crate) fn book_predict_clv<'py>(
    py: Python<'py>,
    book: PyRef<'_, CustomerBook>,
    as_of_us: i64,
    config_json: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let config: ClvConfig = match config_json {
        Some(t) => from_json("the CLV config", t)?,
        None => ClvConfig::default(),
    };
    let as_of = TimeUnit::Microseconds.instant(as_of_us);
    let p = book.try_read(py, |b| b.predict_clv(as_of, &config))?;
    let d = PyDict::new(py);
    d.set_item("beta_geo", json(&p.beta_geo)?)?;
    d.set_item("gamma_gamma", json(&p.gamma_gamma)?)?;
    d.set_item("customer_id", p.customer_id.into_pyarray(py))?;
    d.set_item("clv", p.clv.into_pyarray(py))?;
    d.set_item("p_alive", p.p_alive.into_pyarray(py))?;
    d.set_item("expected_purchases", p.expected_purchases.into_pyarray(py))?;
    Ok(d)
}
