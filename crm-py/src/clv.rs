//! Customer lifetime value over numpy columns: the BTYD summary, BG/NBD and Gamma-Gamma fits
//! (results as JSON), predictions and lifetime value as arrays.

use crm_core::clv::{
    self, BetaGeoModel, BetaGeoParams, ClvConfig, ClvUnit, FitOptions, GammaGammaModel,
    GammaGammaParams, NoSpendReason, Prediction, SummaryColumns,
};
use crm_core::time::{PeriodEnd, TimeUnit};
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
    months: &Bound<'py, PyAny>,
    discount_rate: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    // Wider than crm-core's `u32` months: checked against its limit before narrowing.
    let months = crate::counts::count(months, "months")?;
    crm_core::limits::at_most("months", months, u64::from(clv::MAX_CLV_MONTHS)).py_err()?;
    let months = months as u32;
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

/// The end of a prediction's observation as Python passes it: microseconds for an instant
/// it has read, or the caller's text (a bare date's end depends on the config's zone, which
/// crm-core resolves).
#[derive(FromPyObject)]
pub(crate) enum AsOfArg {
    /// Microseconds since the epoch.
    Micros(i64),
    /// An instant or a bare date, as written.
    Text(String),
}

/// Fits both models on a book and predicts every customer's lifetime value; JSON fits plus
/// columns. `tz` overrides the config's `"tz"`; a bare-date `as_of` ends with its day in the
/// zone that results.
#[pyfunction]
#[pyo3(signature = (book, as_of, config_json = None, tz = None))]
pub(crate) fn book_predict_clv<'py>(
    py: Python<'py>,
    book: PyRef<'_, CustomerBook>,
    as_of: AsOfArg,
    config_json: Option<&str>,
    tz: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let config: ClvConfig = match config_json {
        Some(t) => from_json("the CLV config", t)?,
        None => ClvConfig::default(),
    };
    let config = config.with_zone(tz).py_err()?;
    let end = match as_of {
        AsOfArg::Micros(us) => PeriodEnd::Instant(TimeUnit::Microseconds.instant(us)),
        AsOfArg::Text(text) => PeriodEnd::parse(&text, "as_of").py_err()?,
    };
    let p = book.try_read(py, |b| b.predict_clv_until(end, &config))?;
    let d = PyDict::new(py);
    d.set_item("beta_geo", json(&p.beta_geo)?)?;
    d.set_item("gamma_gamma", json(&p.gamma_gamma)?)?;
    d.set_item("customer_id", p.customer_id.into_pyarray(py))?;
    d.set_item("clv", p.clv.into_pyarray(py))?;
    d.set_item("expected_spend", p.expected_spend.into_pyarray(py))?;
    let reasons: Vec<Option<&str>> = p
        .no_spend_reason
        .iter()
        .map(|r| r.map(reason_code))
        .collect();
    d.set_item("no_spend_reason", reasons)?;
    d.set_item("unit", p.unit.code())?;
    d.set_item("tz", &p.tz)?;
    d.set_item("p_alive", p.p_alive.into_pyarray(py))?;
    d.set_item("expected_purchases", p.expected_purchases.into_pyarray(py))?;
    Ok(d)
}

fn clv_unit_opt(py: Python<'_>, name: Option<&str>) -> PyResult<Option<ClvUnit>> {
    name.map(|n| clv_unit(py, n)).transpose()
}

/// A BG/NBD fit on summary columns as the model JSON (`crm_core::clv::BetaGeoModel`);
/// errors name `customer_id` values when given.
#[pyfunction]
#[pyo3(signature = (customer_id, frequency, recency, t, summary_unit, options_json = None))]
pub(crate) fn beta_geo_fit_model<'py>(
    py: Python<'py>,
    customer_id: Option<PyReadonlyArray1<'py, u64>>,
    frequency: PyReadonlyArray1<'py, f64>,
    recency: PyReadonlyArray1<'py, f64>,
    t: PyReadonlyArray1<'py, f64>,
    summary_unit: &str,
    options_json: Option<&str>,
) -> PyResult<String> {
    let o = options(options_json)?;
    let cu = clv_unit(py, summary_unit)?;
    let ids = customer_id
        .as_ref()
        .map(|c| slice(py, c, "customer_id"))
        .transpose()?;
    let (f, r, tt) = (
        slice(py, &frequency, "frequency")?,
        slice(py, &recency, "recency")?,
        slice(py, &t, "T")?,
    );
    let fit = crate::panic::released(py, || clv::fit_beta_geo_for(ids, f, r, tt, &o))?.py_err()?;
    BetaGeoModel::from_fit(fit, cu).to_json().py_err()
}

/// A Gamma-Gamma fit as the model JSON (`crm_core::clv::GammaGammaModel`).
#[pyfunction]
#[pyo3(signature = (customer_id, frequency, monetary_value, options_json = None))]
pub(crate) fn gamma_gamma_fit_model<'py>(
    py: Python<'py>,
    customer_id: Option<PyReadonlyArray1<'py, u64>>,
    frequency: PyReadonlyArray1<'py, f64>,
    monetary_value: PyReadonlyArray1<'py, f64>,
    options_json: Option<&str>,
) -> PyResult<String> {
    let o = options(options_json)?;
    let ids = customer_id
        .as_ref()
        .map(|c| slice(py, c, "customer_id"))
        .transpose()?;
    let (f, m) = (
        slice(py, &frequency, "frequency")?,
        slice(py, &monetary_value, "monetary_value")?,
    );
    let fit = crate::panic::released(py, || clv::fit_gamma_gamma_for(ids, f, m, &o))?.py_err()?;
    GammaGammaModel::from_fit(fit).to_json().py_err()
}

/// A BG/NBD model from known parameters, as its JSON.
#[pyfunction]
pub(crate) fn beta_geo_from_params(
    py: Python<'_>,
    params: (f64, f64, f64, f64),
    summary_unit: &str,
) -> PyResult<String> {
    let cu = clv_unit(py, summary_unit)?;
    BetaGeoModel::from_params(bg(params), cu)
        .and_then(|m| m.to_json())
        .py_err()
}

/// A Gamma-Gamma model from known parameters, as its JSON.
#[pyfunction]
pub(crate) fn gamma_gamma_from_params(params: (f64, f64, f64)) -> PyResult<String> {
    GammaGammaModel::from_params(GammaGammaParams {
        p: params.0,
        q: params.1,
        v: params.2,
    })
    .and_then(|m| m.to_json())
    .py_err()
}

/// A model's JSON checked by crm-core (`"beta_geo"` or `"gamma_gamma"` as `kind`) and written
/// back; with its parameter table as JSON.
#[pyfunction]
pub(crate) fn clv_model_check(
    py: Python<'_>,
    kind: &str,
    text: &str,
) -> PyResult<(String, String)> {
    match kind {
        "beta_geo" => {
            let m = BetaGeoModel::from_json(text).py_err()?;
            Ok((m.to_json().py_err()?, json(&m.params_table())?))
        }
        "gamma_gamma" => {
            let m = GammaGammaModel::from_json(text).py_err()?;
            Ok((m.to_json().py_err()?, json(&m.params_table())?))
        }
        other => Err(invalid(
            py,
            "model",
            format_args!("{other:?}"),
            "use \"beta_geo\" or \"gamma_gamma\"",
        )),
    }
}

/// The unit a prediction uses: the model's, checked against the one given (if any).
#[pyfunction]
#[pyo3(signature = (model_unit, given = None))]
pub(crate) fn clv_unit_for(
    py: Python<'_>,
    model_unit: &str,
    given: Option<&str>,
) -> PyResult<&'static str> {
    let m = clv_unit(py, model_unit)?;
    let g = clv_unit_opt(py, given)?;
    Ok(m.check(g).py_err()?.code())
}

/// Why each customer has no spend prediction (`None` when they have one).
#[pyfunction]
pub(crate) fn clv_no_spend_reason<'py>(
    py: Python<'py>,
    frequency: PyReadonlyArray1<'py, f64>,
    monetary_value: PyReadonlyArray1<'py, f64>,
) -> PyResult<Vec<Option<&'static str>>> {
    let (f, m) = (
        slice(py, &frequency, "frequency")?,
        slice(py, &monetary_value, "monetary_value")?,
    );
    if f.len() != m.len() {
        return Err(invalid(
            py,
            "monetary_value",
            format_args!("of length {}", m.len()),
            format_args!("must have the length of frequency ({})", f.len()),
        ));
    }
    Ok(f.iter()
        .zip(m)
        .map(|(&x, &v)| NoSpendReason::of(x, v).map(reason_code))
        .collect())
}

fn reason_code(r: NoSpendReason) -> &'static str {
    match r {
        NoSpendReason::NoPurchases => "no_purchases",
        NoSpendReason::ZeroRepeatSpend => "zero_repeat_spend",
    }
}

/// The calibration summary as of `calibration_end` and the holdout actuals up to
/// `observation_end` for the same customers, as a dict of arrays (lifetimes' column names).
#[pyfunction]
#[pyo3(signature = (customer_id, timestamp, time_unit, amount, calibration_end, observation_end, summary_unit, tz = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn clv_calibration_holdout<'py>(
    py: Python<'py>,
    customer_id: PyReadonlyArray1<'py, u64>,
    timestamp: PyReadonlyArray1<'py, i64>,
    time_unit: &str,
    amount: PyReadonlyArray1<'py, f64>,
    calibration_end: i64,
    observation_end: i64,
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
    let (s, h) = py
        .detach(|| {
            clv::calibration_holdout_in_zone(
                ids,
                ts,
                tu,
                amounts,
                tu.instant(calibration_end),
                tu.instant(observation_end),
                cu,
                zone,
            )
        })
        .py_err()?;
    let d = PyDict::new(py);
    let n = s.customer_id.len();
    d.set_item("customer_id", s.customer_id.into_pyarray(py))?;
    d.set_item("frequency_cal", s.frequency.into_pyarray(py))?;
    d.set_item("recency_cal", s.recency.into_pyarray(py))?;
    d.set_item("T_cal", s.t.into_pyarray(py))?;
    d.set_item("monetary_value_cal", s.monetary_value.into_pyarray(py))?;
    d.set_item("frequency_holdout", h.frequency.into_pyarray(py))?;
    d.set_item("monetary_value_holdout", h.monetary_value.into_pyarray(py))?;
    d.set_item("duration_holdout", vec![h.duration; n].into_pyarray(py))?;
    Ok(d)
}
