//! Models that persist: a fitted (or typed-in) BG/NBD or Gamma-Gamma model as one JSON
//! document, its parameter table with 95% confidence intervals, and the time unit a BG/NBD
//! model was fitted in, checked against what it is asked to predict.
//!
//! The JSON grammar (`"version": 1`):
//!
//! ```text
//! {"model": "beta_geo", "version": 1, "unit": "W",
//!  "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
//!  "fit": null | <the BetaGeoFit: params, log_likelihood, converged, iterations,
//!                 standard_errors, customers, distinct_rows, warnings>}
//! {"model": "gamma_gamma", "version": 1,
//!  "params": {"p": 6.25, "q": 3.74, "v": 15.44},
//!  "fit": null | <the GammaGammaFit>}
//! ```
//!
//! Unknown keys are refused; `fit` is `null` (or absent) for a model built from known
//! parameters, and its `params`, when present, must equal the model's.

use serde::{Deserialize, Serialize};

use super::{BetaGeoFit, BetaGeoParams, ClvUnit, GammaGammaFit, GammaGammaParams};
use crate::error::{CrmError, Result};

/// The version of the model JSON this build writes and reads.
pub const MODEL_VERSION: u32 = 1;

/// The normal quantile of a two-sided 95% interval, 1.96 (the value `lifetimes` uses, so that
/// intervals compare one to one).
const Z95: f64 = 1.96;

/// One row of a parameter table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamRow {
    /// The parameter (`r`, `alpha`, `a`, `b`; `p`, `q`, `v`).
    pub name: String,
    /// The estimate.
    pub estimate: f64,
    /// Its standard error (`None` without a fit or when undefined).
    pub standard_error: Option<f64>,
    /// Lower end of the 95% confidence interval, estimate − 1.96 · standard error.
    pub lower_95: Option<f64>,
    /// Upper end of the 95% confidence interval, estimate + 1.96 · standard error.
    pub upper_95: Option<f64>,
}

fn table(rows: &[(&str, f64, Option<f64>)]) -> Vec<ParamRow> {
    rows.iter()
        .map(|&(name, estimate, se)| ParamRow {
            name: name.to_owned(),
            estimate,
            standard_error: se,
            lower_95: se.map(|s| estimate - Z95 * s),
            upper_95: se.map(|s| estimate + Z95 * s),
        })
        .collect()
}

fn check_header(model: &str, want: &str, version: u32) -> Result<()> {
    if model != want {
        return Err(CrmError::invalid(
            "model",
            format_args!("{model:?}"),
            format_args!("expected {want:?}"),
        ));
    }
    if version != MODEL_VERSION {
        return Err(CrmError::new(
            crate::ErrorKind::UnsupportedVersion,
            Some("version"),
            format!("model version {version}: this build reads model version {MODEL_VERSION}"),
        ));
    }
    Ok(())
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| CrmError::serialize("the model", e))
}

/// A BG/NBD model that persists: parameters, the time unit of the summary they apply to,
/// and the fit behind them (if any).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BetaGeoModel {
    /// Always `"beta_geo"`.
    pub model: String,
    /// [`MODEL_VERSION`].
    pub version: u32,
    /// The time unit of recency and T the parameters were fitted in (α is in this unit).
    pub unit: ClvUnit,
    /// The parameters.
    pub params: BetaGeoParams,
    /// The fit, or `None` for known parameters.
    #[serde(default)]
    pub fit: Option<BetaGeoFit>,
}

impl BetaGeoModel {
    /// A model from known parameters in `unit`.
    ///
    /// # Errors
    /// As [`BetaGeoParams::validate`].
    ///
    /// ```
    /// use crm_core::clv::{BetaGeoModel, BetaGeoParams, ClvUnit};
    /// let m = BetaGeoModel::from_params(BetaGeoParams { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 },
    ///                                   ClvUnit::Weeks)?;
    /// assert_eq!(BetaGeoModel::from_json(&m.to_json()?)?, m);
    /// assert!(m.params_table().iter().all(|row| row.standard_error.is_none()));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_params(params: BetaGeoParams, unit: ClvUnit) -> Result<Self> {
        params.validate()?;
        Ok(BetaGeoModel {
            model: "beta_geo".to_owned(),
            version: MODEL_VERSION,
            unit,
            params,
            fit: None,
        })
    }

    /// The model of a fit on a summary in `unit`.
    pub fn from_fit(fit: BetaGeoFit, unit: ClvUnit) -> Self {
        BetaGeoModel {
            model: "beta_geo".to_owned(),
            version: MODEL_VERSION,
            unit,
            params: fit.params,
            fit: Some(fit),
        }
    }

    /// The model's JSON (see the module docs for the grammar).
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] if serde cannot write it ([`CrmError::serialize`]).
    pub fn to_json(&self) -> Result<String> {
        to_json(self)
    }

    /// A model from its JSON, checked: the model name, the version, the parameters, and
    /// the fit's parameters equal to the model's.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Parse`] for text that is not the grammar (unknown keys included);
    /// [`crate::ErrorKind::UnsupportedVersion`] naming `version` for another version;
    /// [`crate::ErrorKind::InvalidInput`] naming `model`, the parameter at fault, or
    /// `fit.params` when they differ from `params`.
    pub fn from_json(text: &str) -> Result<Self> {
        let m: BetaGeoModel = crate::json::parse("the BG/NBD model", text)?;
        check_header(&m.model, "beta_geo", m.version)?;
        m.params.validate()?;
        if let Some(fit) = &m.fit {
            if fit.params != m.params {
                return Err(CrmError::invalid(
                    "fit.params",
                    format_args!("{:?}", fit.params),
                    "must equal the model's params",
                ));
            }
        }
        Ok(m)
    }

    /// r, α, a, b with their standard errors and 95% confidence intervals (as `lifetimes`'
    /// `summary`).
    pub fn params_table(&self) -> Vec<ParamRow> {
        let p = self.params;
        let se = self.fit.as_ref().and_then(|f| f.standard_errors);
        table(&[
            ("r", p.r, se.map(|s| s.r)),
            ("alpha", p.alpha, se.map(|s| s.alpha)),
            ("a", p.a, se.map(|s| s.a)),
            ("b", p.b, se.map(|s| s.b)),
        ])
    }

    /// The unit a prediction on a summary in `given` uses: the model's own when `given` is
    /// `None`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `unit` and both units when `given` differs
    /// from the model's (α is a rate per unit: a summary in days read by a model fitted in
    /// weeks predicts seven times too much).
    ///
    /// ```
    /// use crm_core::clv::{BetaGeoModel, BetaGeoParams, ClvUnit};
    /// let m = BetaGeoModel::from_params(BetaGeoParams { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 },
    ///                                   ClvUnit::Weeks)?;
    /// assert_eq!(m.unit_for(None)?, ClvUnit::Weeks);
    /// let e = m.unit_for(Some(ClvUnit::Days)).unwrap_err();
    /// assert!(e.to_string().contains("\"D\"") && e.to_string().contains("\"W\""), "{e}");
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn unit_for(&self, given: Option<ClvUnit>) -> Result<ClvUnit> {
        self.unit.check(given)
    }
}

impl ClvUnit {
    /// The code of the unit in JSON and in the skins: `"D"` or `"W"`.
    pub fn code(self) -> &'static str {
        match self {
            ClvUnit::Days => "D",
            ClvUnit::Weeks => "W",
        }
    }

    /// `given` checked against this (a model's) unit: `self` when `None` or equal.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `unit` and both units when they differ.
    pub fn check(self, given: Option<ClvUnit>) -> Result<ClvUnit> {
        match given {
            Some(g) if g != self => Err(CrmError::invalid(
                "unit",
                format_args!("{:?}", g.code()),
                format_args!(
                    "the model was fitted on a summary in {:?}; give the summary in {:?} \
                     (\"D\" days, \"W\" weeks of 7 days)",
                    self.code(),
                    self.code()
                ),
            )),
            _ => Ok(self),
        }
    }
}

/// A Gamma-Gamma model that persists: parameters and the fit behind them (if any). Spend has
/// no time unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GammaGammaModel {
    /// Always `"gamma_gamma"`.
    pub model: String,
    /// [`MODEL_VERSION`].
    pub version: u32,
    /// The parameters.
    pub params: GammaGammaParams,
    /// The fit, or `None` for known parameters.
    #[serde(default)]
    pub fit: Option<GammaGammaFit>,
}

impl GammaGammaModel {
    /// A model from known parameters.
    ///
    /// # Errors
    /// As [`GammaGammaParams::validate`].
    ///
    /// ```
    /// use crm_core::clv::{GammaGammaModel, GammaGammaParams};
    /// let m = GammaGammaModel::from_params(GammaGammaParams { p: 6.25, q: 3.74, v: 15.44 })?;
    /// assert_eq!(GammaGammaModel::from_json(&m.to_json()?)?, m);
    /// assert!(GammaGammaModel::from_json(&m.to_json()?.replace("gamma_gamma", "beta_geo")).is_err());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_params(params: GammaGammaParams) -> Result<Self> {
        params.validate()?;
        Ok(GammaGammaModel {
            model: "gamma_gamma".to_owned(),
            version: MODEL_VERSION,
            params,
            fit: None,
        })
    }

    /// The model of a fit.
    pub fn from_fit(fit: GammaGammaFit) -> Self {
        GammaGammaModel {
            model: "gamma_gamma".to_owned(),
            version: MODEL_VERSION,
            params: fit.params,
            fit: Some(fit),
        }
    }

    /// The model's JSON (see the module docs for the grammar).
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] if serde cannot write it ([`CrmError::serialize`]).
    pub fn to_json(&self) -> Result<String> {
        to_json(self)
    }

    /// A model from its JSON, checked as [`BetaGeoModel::from_json`].
    ///
    /// # Errors
    /// As [`BetaGeoModel::from_json`], and as [`GammaGammaParams::validate`].
    pub fn from_json(text: &str) -> Result<Self> {
        let m: GammaGammaModel = crate::json::parse("the Gamma-Gamma model", text)?;
        check_header(&m.model, "gamma_gamma", m.version)?;
        m.params.validate()?;
        if let Some(fit) = &m.fit {
            if fit.params != m.params {
                return Err(CrmError::invalid(
                    "fit.params",
                    format_args!("{:?}", fit.params),
                    "must equal the model's params",
                ));
            }
        }
        Ok(m)
    }

    /// p, q, v with their standard errors and 95% confidence intervals.
    pub fn params_table(&self) -> Vec<ParamRow> {
        let p = self.params;
        let se = self.fit.as_ref().and_then(|f| f.standard_errors);
        table(&[
            ("p", p.p, se.map(|s| s.p)),
            ("q", p.q, se.map(|s| s.q)),
            ("v", p.v, se.map(|s| s.v)),
        ])
    }
}
