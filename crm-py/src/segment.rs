//! Value scores and segmentation over numpy columns.

use crm_core::segment::{self, AbcCuts, AttributeColumn, PyramidConfig, RfmConfig, RfmSegmentMap};
use crm_core::value::{self, NamedColumns, Normalization};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::columns::{rfm_into, slice as floats};
use crate::errors::{IntoPy, from_json, invalid, json};

/// A company's value model (see `crm.ValueModel`).
#[pyclass(module = "crm._crm", frozen)]
pub(crate) struct ValueModel {
    inner: value::ValueModel,
}

#[pymethods]
impl ValueModel {
    #[new]
    #[pyo3(signature = (weights, normalize = "percentile", winsorize = None))]
    fn new(
        py: Python<'_>,
        weights: Vec<(String, f64)>,
        normalize: &str,
        winsorize: Option<f64>,
    ) -> PyResult<Self> {
        let normalization = match normalize {
            "percentile" => Normalization::Percentile,
            "minmax" | "min_max" => Normalization::MinMax,
            "zscore" | "z_score" => Normalization::ZScore,
            other => {
                return Err(invalid(
                    py,
                    "normalize",
                    format_args!("{other:?}"),
                    "use \"percentile\", \"minmax\" or \"zscore\"",
                ));
            }
        };
        let mut inner =
            value::ValueModel::from_weights(weights.iter().map(|(k, w)| (k.as_str(), *w)))
                .py_err()?;
        inner.normalization = normalization;
        inner.winsorize = winsorize;
        inner.validate().py_err()?;
        Ok(ValueModel { inner })
    }

    /// A model from its JSON form.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        let inner: value::ValueModel = from_json("the value model", text)?;
        inner.validate().py_err()?;
        Ok(ValueModel { inner })
    }

    /// The JSON form.
    fn to_json(&self) -> PyResult<String> {
        json(&self.inner)
    }

    /// `[(key, weight), ...]` in model order.
    #[getter]
    fn weights(&self) -> Vec<(String, f64)> {
        self.inner
            .keys
            .iter()
            .map(|k| (k.key.to_string(), k.weight))
            .collect()
    }

    /// The normalisation name.
    #[getter]
    fn normalize(&self) -> &'static str {
        match self.inner.normalization {
            Normalization::Percentile => "percentile",
            Normalization::MinMax => "minmax",
            Normalization::ZScore => "zscore",
        }
    }

    /// The column names each key is read from.
    fn required_columns(&self) -> Vec<(String, Vec<String>)> {
        self.inner
            .keys
            .iter()
            .map(|k| (k.key.to_string(), k.key.column_names()))
            .collect()
    }

    /// Scores `columns` (name → float64 array); returns `{"score": array, "contributions":
    /// {key: array}}`.
    fn score_columns<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let columns = columns.cast::<PyDict>().map_err(|_| {
            invalid(
                py,
                "columns",
                columns
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string()),
                "must be a dict of column name to float64 array",
            )
        })?;
        let mut held: Vec<(String, PyReadonlyArray1<'py, f64>)> = Vec::new();
        for (name, column) in columns.iter() {
            let name: String = name
                .extract()
                .map_err(|_| invalid(py, "columns", "a key", "column names must be strings"))?;
            let arr: PyReadonlyArray1<'py, f64> = column.extract().map_err(|_| {
                invalid(
                    py,
                    &name,
                    "column",
                    "must be a 1-d float64 array (convert it with numpy.asarray(..., float))",
                )
            })?;
            held.push((name, arr));
        }
        let mut named: Vec<(&str, &[f64])> = Vec::with_capacity(held.len());
        for (name, arr) in &held {
            named.push((name.as_str(), floats(py, arr, name)?));
        }
        let rows = named.first().map_or(0, |(_, c)| c.len());
        let model = &self.inner;
        let scores =
            crate::panic::released(py, || model.score_named(&NamedColumns::new(rows, named)))?
                .py_err()?;
        let out = PyDict::new(py);
        let contributions = PyDict::new(py);
        for (key, column) in scores.keys.iter().zip(scores.contributions) {
            contributions.set_item(key.to_string(), column.into_pyarray(py))?;
        }
        out.set_item("score", scores.score.into_pyarray(py))?;
        out.set_item("contributions", contributions)?;
        Ok(out)
    }

    fn __repr__(&self) -> String {
        let w: Vec<String> = self
            .inner
            .keys
            .iter()
            .map(|k| format!("'{}': {}", k.key, k.weight))
            .collect();
        format!(
            "ValueModel({{{}}}, normalize='{}')",
            w.join(", "),
            self.normalize()
        )
    }
}

/// RFM scores from feature columns.
#[pyfunction]
#[pyo3(signature = (recency_days, frequency, monetary, bins, segments_json=None))]
pub(crate) fn rfm_scores<'py>(
    py: Python<'py>,
    recency_days: PyReadonlyArray1<'py, f64>,
    frequency: PyReadonlyArray1<'py, f64>,
    monetary: PyReadonlyArray1<'py, f64>,
    bins: u8,
    segments_json: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let segments = segments_json
        .map(|text| from_json("the RFM segment map", text))
        .transpose()?;
    let config = RfmConfig::new(bins, segments);
    let (r, f, m) = (
        floats(py, &recency_days, "recency_days")?,
        floats(py, &frequency, "frequency")?,
        floats(py, &monetary, "monetary")?,
    );
    let scores = crate::panic::released(py, || segment::rfm(r, f, m, &config))?.py_err()?;
    let d = PyDict::new(py);
    rfm_into(&d, scores)?;
    Ok(d)
}

/// The coverage report of an RFM rule table, as JSON.
#[pyfunction]
#[pyo3(signature = (segments_json=None, published=false))]
pub(crate) fn rfm_rule_report(segments_json: Option<&str>, published: bool) -> PyResult<String> {
    let map: RfmSegmentMap = match segments_json {
        Some(text) => from_json("the RFM segment map", text)?,
        None if published => RfmSegmentMap::published(),
        None => RfmSegmentMap::standard(),
    };
    map.validate().py_err()?;
    json(&serde_json::json!({"rules": map, "report": map.report()}))
}

/// Tiers of `values`: `(tier index array, tier names, summary JSON)`.
#[pyfunction]
#[pyo3(signature = (values, revenue=None, config_json=None))]
pub(crate) fn pyramid<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    revenue: Option<PyReadonlyArray1<'py, f64>>,
    config_json: Option<&str>,
) -> PyResult<(Bound<'py, numpy::PyArray1<u8>>, Vec<String>, String)> {
    let config: PyramidConfig = match config_json {
        Some(text) => from_json("the pyramid config", text)?,
        None => PyramidConfig::default(),
    };
    let v = floats(py, &values, "values")?;
    let rev = match &revenue {
        Some(r) => Some(floats(py, r, "revenue")?),
        None => None,
    };
    let p = crate::panic::released(py, || segment::pyramid(v, rev, &config))?.py_err()?;
    let summary = json(&p.summary)?;
    Ok((p.tier.into_pyarray(py), p.names, summary))
}

/// Pareto figures as JSON.
#[pyfunction]
#[pyo3(signature = (values, points))]
pub(crate) fn pareto(
    py: Python<'_>,
    values: PyReadonlyArray1<'_, f64>,
    points: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let points = crate::counts::count_usize(points, "points")?;
    let v = floats(py, &values, "values")?;
    let p = crate::panic::released(py, || segment::pareto(v, points))?.py_err()?;
    json(&p)
}

/// Share of value held by the top `fraction` of customers.
#[pyfunction]
#[pyo3(signature = (values, fraction=0.2))]
pub(crate) fn top_share(
    py: Python<'_>,
    values: PyReadonlyArray1<'_, f64>,
    fraction: f64,
) -> PyResult<f64> {
    let v = floats(py, &values, "values")?;
    crate::panic::released(py, || segment::top_share(v, fraction))?.py_err()
}

/// ABC class codes (0 = A, 1 = B, 2 = C).
#[pyfunction]
#[pyo3(signature = (values, a=0.8, b=0.95))]
pub(crate) fn abc<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    a: f64,
    b: f64,
) -> PyResult<Bound<'py, numpy::PyArray1<u8>>> {
    let v = floats(py, &values, "values")?;
    let codes = crate::panic::released(py, || segment::abc_codes(v, AbcCuts { a, b }))?.py_err()?;
    Ok(codes.into_pyarray(py))
}

/// The segment matrix as JSON.
#[pyfunction]
#[pyo3(signature = (tier, tier_names, values, attributes, revenue=None))]
pub(crate) fn segment_matrix(
    py: Python<'_>,
    tier: PyReadonlyArray1<'_, u8>,
    tier_names: Vec<String>,
    values: PyReadonlyArray1<'_, f64>,
    attributes: Vec<(String, Vec<Option<String>>)>,
    revenue: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<String> {
    let t = floats(py, &tier, "tier")?;
    let v = floats(py, &values, "values")?;
    let rev = match &revenue {
        Some(r) => Some(floats(py, r, "revenue")?),
        None => None,
    };
    let borrowed: Vec<Vec<Option<&str>>> = attributes
        .iter()
        .map(|(_, col)| col.iter().map(|x| x.as_deref()).collect())
        .collect();
    let named: Vec<AttributeColumn<'_>> = attributes
        .iter()
        .zip(&borrowed)
        .map(|((name, _), values)| AttributeColumn { name, values })
        .collect();
    let m = segment::segment_matrix(t, &tier_names, v, rev, &named).py_err()?;
    json(&m)
}

/// Core's defaults and name orders, for the Python package to read instead of copying:
/// `ABC_CLASSES` (names in code order), `CHURN_REASONS` (in the order of core's arrays),
/// `PYRAMID_TIERS` (the default `(name, share)` tiers from the top), `RFM_BINS` (the default
/// number of score bins), `MAX_TIERS` (the most tiers a pyramid or matrix has: codes are
/// `uint8`), `MATCH_COLUMNS` (the columns duplicate detection reads).
pub(crate) fn add_defaults(m: &Bound<'_, pyo3::types::PyModule>) -> PyResult<()> {
    m.add(
        "ABC_CLASSES",
        segment::AbcClass::ALL.map(segment::AbcClass::name).to_vec(),
    )?;
    m.add(
        "CHURN_REASONS",
        crm_core::model::ChurnReason::ALL
            .map(crm_core::model::ChurnReason::name)
            .to_vec(),
    )?;
    let tiers: Vec<(String, f64)> = PyramidConfig::default()
        .tiers
        .into_iter()
        .map(|t| (t.name, t.share))
        .collect();
    m.add("PYRAMID_TIERS", tiers)?;
    m.add("RFM_BINS", RfmConfig::default().bins)?;
    m.add("MAX_TIERS", segment::MAX_TIERS)?;
    m.add("MATCH_COLUMNS", crm_core::quality::COLUMNS.to_vec())?;
    Ok(())
}
