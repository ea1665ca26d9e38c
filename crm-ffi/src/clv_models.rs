//! Calibration/holdout summaries over C arrays, and lifetime-value models as the JSON
//! document crm-core defines (`crm_core::clv::BetaGeoModel`, `GammaGammaModel`), the same
//! text Python's `to_json()` writes.

use std::ffi::c_char;

use crm_core::clv::{
    self, BetaGeoFit, BetaGeoModel, BetaGeoParams, GammaGammaFit, GammaGammaModel, GammaGammaParams,
};

use crate::args::{json, owned_string, slice, text, text_opt};
use crate::clv::{clv_unit, crm_beta_geo_t, crm_clv_summary_t, crm_gamma_gamma_t, unit_code};
use crate::columns::{OwnedColumns, leak, owned_columns};
use crate::ffi::{Out, borrow};
use crate::status::{boundary, crm_status_t};
use crate::transactions::unit;

/// What the customers of a calibration summary bought after it, row for row with the
/// summary; owns its arrays: release with `crm_clv_holdout_free`.
#[repr(C)]
#[derive(Debug)]
pub struct crm_clv_holdout_t {
    /// Rows (the calibration summary's).
    pub len: usize,
    /// Purchase days after the calibration end, up to the observation end
    /// (`lifetimes`' `frequency_holdout`).
    pub frequency: *const f64,
    /// Mean value of those purchase days, 0 without any (`monetary_value_holdout`).
    pub monetary_value: *const f64,
    /// Length of the holdout period in the summary's unit (`duration_holdout`).
    pub duration: f64,
}

owned_columns!(crm_clv_holdout_t {
    len => [frequency, monetary_value];
    plain [duration]
});

/// The calibration summary of `len` transactions as of `calibration_end` and the holdout
/// actuals up to `observation_end` for the same customers (both ends in `time_unit`, as
/// the timestamps; `observation_end` ≥ `calibration_end`), times in `clv_unit`: the
/// columns of `lifetimes`' `calibration_and_holdout_data`. Purchases on the same UTC day
/// count once. Release `*out_summary` with `crm_clv_summary_free` and `*out_holdout` with
/// `crm_clv_holdout_free`; both are written only on success.
///
/// # Safety
/// The arrays hold `len` values; `out_summary` and `out_holdout` are writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_clv_calibration_holdout(
    customer_id: *const u64,
    timestamp: *const i64,
    time_unit: u32,
    amount: *const f64,
    len: usize,
    calibration_end: i64,
    observation_end: i64,
    clv_unit_code: u32,
    out_summary: *mut *mut crm_clv_summary_t,
    out_holdout: *mut *mut crm_clv_holdout_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out_s, out_h) = unsafe {
            (
                Out::new(out_summary, "out_summary")?,
                Out::new(out_holdout, "out_holdout")?,
            )
        };
        let (tu, cu) = (unit(time_unit, "time_unit")?, clv_unit(clv_unit_code)?);
        // SAFETY: per this function's contract.
        let (ids, ts, amounts) = unsafe {
            (
                slice(customer_id, len, "customer_id")?,
                slice(timestamp, len, "timestamp")?,
                slice(amount, len, "amount")?,
            )
        };
        let (s, h) = clv::calibration_holdout(
            ids,
            ts,
            tu,
            amounts,
            tu.instant(calibration_end),
            tu.instant(observation_end),
            cu,
        )?;
        crm_clv_summary_t {
            len: s.customer_id.len(),
            customer_id: leak(s.customer_id),
            frequency: leak(s.frequency),
            recency: leak(s.recency),
            t: leak(s.t),
            monetary_value: leak(s.monetary_value),
        }
        .into_out(out_s);
        crm_clv_holdout_t {
            len: h.frequency.len(),
            frequency: leak(h.frequency),
            monetary_value: leak(h.monetary_value),
            duration: h.duration,
        }
        .into_out(out_h);
        Ok(())
    })
}

/// Releases holdout actuals. NULL is accepted.
///
/// # Safety
/// `holdout` is NULL or came from `crm_clv_calibration_holdout`, released once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_holdout_free(holdout: *mut crm_clv_holdout_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { OwnedColumns::free(holdout) })
}

/// The BG/NBD model JSON (`{"model": "beta_geo", "version": 1, "unit", "params", "fit"}`,
/// see the README) of `params` in `clv_unit`; `fit_json` is NULL (known parameters, `"fit":
/// null`) or the fit JSON `crm_clv_fit_beta_geo` wrote, whose parameters must equal
/// `params`. Free `*out_json` with `crm_string_free`.
///
/// # Safety
/// `params` is valid; `fit_json` is NULL or a NUL-terminated string; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_beta_geo_model_json(
    params: *const crm_beta_geo_t,
    clv_unit_code: u32,
    fit_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, p, fit) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                BetaGeoParams::from(borrow(params, "params")?),
                text_opt(fit_json, "fit_json")?,
            )
        };
        let cu = clv_unit(clv_unit_code)?;
        let mut model = BetaGeoModel::from_params(p, cu)?;
        if let Some(t) = fit {
            model.fit = Some(json::<BetaGeoFit>(t, "the BG/NBD fit")?);
        }
        // The checks of a model read back (fit parameters equal to the model's).
        let text = model.to_json()?;
        BetaGeoModel::from_json(&text)?;
        out.write(owned_string(text));
        Ok(())
    })
}

/// Reads a BG/NBD model JSON (as `crm_clv_beta_geo_model_json` or Python's
/// `BetaGeo.to_json()` write it): its parameters to `*out_params` and its unit (a
/// `CRM_CLV_*` code) to `*out_clv_unit`. `CRM_INVALID_ARGUMENT` / `CRM_PARSE_ERROR` naming
/// what is wrong (unknown keys are refused).
///
/// # Safety
/// `model_json` is a NUL-terminated string; the outputs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_beta_geo_model_read(
    model_json: *const c_char,
    out_params: *mut crm_beta_geo_t,
    out_clv_unit: *mut u32,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (t, out_p, out_u) = unsafe {
            (
                text(model_json, "model_json")?,
                Out::new(out_params, "out_params")?,
                Out::new(out_clv_unit, "out_clv_unit")?,
            )
        };
        let m = BetaGeoModel::from_json(t)?;
        out_p.write(m.params.into());
        out_u.write(unit_code(m.unit));
        Ok(())
    })
}

/// The Gamma-Gamma model JSON (`{"model": "gamma_gamma", "version": 1, "params", "fit"}`) of
/// `params`; `fit_json` NULL or the fit JSON `crm_clv_fit_gamma_gamma` wrote. Free
/// `*out_json` with `crm_string_free`.
///
/// # Safety
/// `params` is valid; `fit_json` is NULL or a NUL-terminated string; `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_gamma_gamma_model_json(
    params: *const crm_gamma_gamma_t,
    fit_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, p, fit) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                GammaGammaParams::from(borrow(params, "params")?),
                text_opt(fit_json, "fit_json")?,
            )
        };
        let mut model = GammaGammaModel::from_params(p)?;
        if let Some(t) = fit {
            model.fit = Some(json::<GammaGammaFit>(t, "the Gamma-Gamma fit")?);
        }
        let text = model.to_json()?;
        GammaGammaModel::from_json(&text)?;
        out.write(owned_string(text));
        Ok(())
    })
}

/// Reads a Gamma-Gamma model JSON: its parameters to `*out_params`.
///
/// # Safety
/// `model_json` is a NUL-terminated string; `out_params` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_gamma_gamma_model_read(
    model_json: *const c_char,
    out_params: *mut crm_gamma_gamma_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (t, out_p) = unsafe {
            (
                text(model_json, "model_json")?,
                Out::new(out_params, "out_params")?,
            )
        };
        out_p.write(GammaGammaModel::from_json(t)?.params.into());
        Ok(())
    })
}
