//! Customer lifetime value over C arrays: the BTYD summary, BG/NBD and Gamma-Gamma fits,
//! predictions and discounted lifetime value.

use std::ffi::c_char;

use crm_core::clv::{self, BetaGeoParams, ClvConfig, ClvUnit, FitOptions, GammaGammaParams};

use crate::args::{instant, json, out_ok, owned_string, slice, text, to_json, write};
use crate::book::{book_ref, crm_book_t, leak, unleak};
use crate::engines::unit;
use crate::status::{Failure, crm_status_t, guard};

/// Summary time unit: days.
pub const CRM_CLV_DAYS: u32 = 0;
/// Summary time unit: weeks (days / 7).
pub const CRM_CLV_WEEKS: u32 = 1;

/// BG/NBD parameters.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct crm_beta_geo_t {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale of the purchase-rate distribution.
    pub alpha: f64,
    /// First shape of the dropout distribution.
    pub a: f64,
    /// Second shape of the dropout distribution.
    pub b: f64,
}

/// Gamma-Gamma parameters.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct crm_gamma_gamma_t {
    /// Shape of transaction values around a customer's mean.
    pub p: f64,
    /// Shape of the customers' scale distribution.
    pub q: f64,
    /// Scale of the customers' scale distribution.
    pub v: f64,
}

/// The BTYD summary, one row per customer (ascending id); owns its arrays: release with
/// `crm_clv_summary_free`.
#[repr(C)]
#[derive(Debug)]
pub struct crm_clv_summary_t {
    /// Rows.
    pub len: usize,
    /// Customer ids.
    pub customer_id: *const u64,
    /// Repeat purchase days.
    pub frequency: *const f64,
    /// First to last purchase.
    pub recency: *const f64,
    /// First purchase to the end of observation.
    pub t: *const f64,
    /// Mean value of the repeat purchase days.
    pub monetary_value: *const f64,
}

fn clv_unit(code: u32) -> Result<ClvUnit, Failure> {
    match code {
        CRM_CLV_DAYS => Ok(ClvUnit::Days),
        CRM_CLV_WEEKS => Ok(ClvUnit::Weeks),
        other => Err(Failure::new(
            crm_status_t::CRM_INVALID_ARGUMENT,
            format!("invalid clv_unit {other}: use CRM_CLV_DAYS or CRM_CLV_WEEKS"),
        )),
    }
}

fn bg(p: &crm_beta_geo_t) -> BetaGeoParams {
    BetaGeoParams {
        r: p.r,
        alpha: p.alpha,
        a: p.a,
        b: p.b,
    }
}

fn gg(p: &crm_gamma_gamma_t) -> GammaGammaParams {
    GammaGammaParams {
        p: p.p,
        q: p.q,
        v: p.v,
    }
}

/// # Safety
/// `text` is NULL or NUL-terminated.
unsafe fn options(text_ptr: *const c_char) -> Result<FitOptions, Failure> {
    if text_ptr.is_null() {
        return Ok(FitOptions::default());
    }
    // SAFETY: per the function's contract.
    json(
        unsafe { text(text_ptr, "options_json")? },
        "the fit options",
    )
}

/// The summary of `len` transactions (`timestamp` in `time_unit`, a `CRM_UNIT_*` code;
/// `amount` any currency unit) as of `as_of` (same unit), in `clv_unit`. Purchases on the
/// same UTC day count once.
///
/// # Safety
/// The arrays hold `len` values; `out` is writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_clv_summary(
    customer_id: *const u64,
    timestamp: *const i64,
    time_unit: u32,
    amount: *const f64,
    len: usize,
    as_of: i64,
    clv_unit_code: u32,
    out: *mut *mut crm_clv_summary_t,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        let (tu, cu) = (unit(time_unit)?, clv_unit(clv_unit_code)?);
        // SAFETY: per this function's contract.
        let (ids, ts, amounts) = unsafe {
            (
                slice(customer_id, len, "customer_id")?,
                slice(timestamp, len, "timestamp")?,
                slice(amount, len, "amount")?,
            )
        };
        let s = clv::summary(ids, ts, tu, amounts, tu.instant(as_of), cu)?;
        let summary = crm_clv_summary_t {
            len: s.customer_id.len(),
            customer_id: leak(s.customer_id),
            frequency: leak(s.frequency),
            recency: leak(s.recency),
            t: leak(s.t),
            monetary_value: leak(s.monetary_value),
        };
        // SAFETY: checked non-NULL above.
        unsafe { write(out, Box::into_raw(Box::new(summary))) };
        Ok(())
    })
}

/// Releases a summary. NULL is accepted.
///
/// # Safety
/// `summary` is NULL or came from `crm_clv_summary`, released once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_summary_free(summary: *mut crm_clv_summary_t) {
    if summary.is_null() {
        return;
    }
    // SAFETY: it came from Box::into_raw in crm_clv_summary; its arrays from `leak`.
    unsafe {
        let s = Box::from_raw(summary);
        unleak(s.customer_id, s.len);
        unleak(s.frequency, s.len);
        unleak(s.recency, s.len);
        unleak(s.t, s.len);
        unleak(s.monetary_value, s.len);
    }
}

/// Fits BG/NBD on `len` summary rows. `options_json` may be NULL (defaults) or e.g.
/// `{"tolerance": 1e-9, "standard_errors": false}`. The parameters go to `*out_params`; the
/// whole fit (log-likelihood, convergence, standard errors) as JSON to `*out_json` unless it
/// is NULL (free with `crm_string_free`).
///
/// # Safety
/// The arrays hold `len` values; `out_params` is writable; `out_json` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_fit_beta_geo(
    frequency: *const f64,
    recency: *const f64,
    t: *const f64,
    len: usize,
    options_json: *const c_char,
    out_params: *mut crm_beta_geo_t,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    guard(|| {
        out_ok(out_params, "out_params")?;
        // SAFETY: per this function's contract.
        let (f, r, tt, o) = unsafe {
            (
                slice(frequency, len, "frequency")?,
                slice(recency, len, "recency")?,
                slice(t, len, "T")?,
                options(options_json)?,
            )
        };
        let fit = clv::fit_beta_geo(f, r, tt, &o)?;
        let p = fit.params;
        // SAFETY: checked non-NULL above; `out_json` checked before writing.
        unsafe {
            write(
                out_params,
                crm_beta_geo_t {
                    r: p.r,
                    alpha: p.alpha,
                    a: p.a,
                    b: p.b,
                },
            );
            if !out_json.is_null() {
                write(out_json, owned_string(to_json(&fit)));
            }
        }
        Ok(())
    })
}

/// Fits Gamma-Gamma on the customers with repeat purchases among `len` rows; as
/// `crm_clv_fit_beta_geo` (the JSON includes `warnings`).
///
/// # Safety
/// The arrays hold `len` values; `out_params` is writable; `out_json` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_fit_gamma_gamma(
    frequency: *const f64,
    monetary_value: *const f64,
    len: usize,
    options_json: *const c_char,
    out_params: *mut crm_gamma_gamma_t,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    guard(|| {
        out_ok(out_params, "out_params")?;
        // SAFETY: per this function's contract.
        let (f, m, o) = unsafe {
            (
                slice(frequency, len, "frequency")?,
                slice(monetary_value, len, "monetary_value")?,
                options(options_json)?,
            )
        };
        let fit = clv::fit_gamma_gamma(f, m, &o)?;
        let p = fit.params;
        // SAFETY: checked non-NULL above; `out_json` checked before writing.
        unsafe {
            write(
                out_params,
                crm_gamma_gamma_t {
                    p: p.p,
                    q: p.q,
                    v: p.v,
                },
            );
            if !out_json.is_null() {
                write(out_json, owned_string(to_json(&fit)));
            }
        }
        Ok(())
    })
}

/// Per customer: the expected purchases in the next `horizon` (when `horizon` > 0) or, with
/// `horizon` = 0, the probability of being alive; written to `out` (room for `len`).
///
/// # Safety
/// `params` is valid; the arrays hold `len` values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_beta_geo_predict(
    params: *const crm_beta_geo_t,
    horizon: f64,
    frequency: *const f64,
    recency: *const f64,
    t: *const f64,
    len: usize,
    out: *mut f64,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let (p, f, r, tt) = unsafe {
            (
                bg(params.as_ref().ok_or_else(|| Failure::null("params"))?),
                slice(frequency, len, "frequency")?,
                slice(recency, len, "recency")?,
                slice(t, len, "T")?,
            )
        };
        clv::validate_summary(f, r, tt)?;
        for i in 0..len {
            let v = if horizon > 0.0 {
                p.expected_purchases(horizon, f[i], r[i], tt[i])
            } else {
                p.p_alive(f[i], r[i], tt[i])
            };
            // SAFETY: `out` has room for `len` values.
            unsafe { out.add(i).write(v) };
        }
        Ok(())
    })
}

/// Discounted lifetime value per customer over `months` at `discount_rate` a month
/// (months of 4.345 weeks or 30 days), written to `out` (room for `len`).
///
/// # Safety
/// `bg_params`, `gg_params` valid; the arrays hold `len` values.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_clv_lifetime_value(
    bg_params: *const crm_beta_geo_t,
    gg_params: *const crm_gamma_gamma_t,
    frequency: *const f64,
    recency: *const f64,
    t: *const f64,
    monetary_value: *const f64,
    len: usize,
    clv_unit_code: u32,
    months: u32,
    discount_rate: f64,
    out: *mut f64,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        let cu = clv_unit(clv_unit_code)?;
        // SAFETY: per this function's contract.
        let (b, g, f, r, tt, m) = unsafe {
            (
                bg(bg_params
                    .as_ref()
                    .ok_or_else(|| Failure::null("bg_params"))?),
                gg(gg_params
                    .as_ref()
                    .ok_or_else(|| Failure::null("gg_params"))?),
                slice(frequency, len, "frequency")?,
                slice(recency, len, "recency")?,
                slice(t, len, "T")?,
                slice(monetary_value, len, "monetary_value")?,
            )
        };
        let values = clv::lifetime_value(&b, &g, f, r, tt, m, cu, months, discount_rate)?;
        // SAFETY: `out` has room for `len` values.
        unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), out, values.len()) };
        Ok(())
    })
}

/// Fits both models on the book's purchases up to `as_of` (RFC 3339) and predicts every
/// customer's lifetime value: JSON with the fits and `customer_id`, `clv`, `p_alive`,
/// `expected_purchases` arrays in the book's order. `config_json` may be NULL or e.g.
/// `{"unit": "W", "months": 12, "discount_rate": 0.01}`.
///
/// # Safety
/// `book` is live; strings NUL-terminated (`config_json` may be NULL); `out_json` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_book_predict_clv_json(
    book: *const crm_book_t,
    as_of: *const c_char,
    config_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let (book, as_of) = unsafe { (book_ref(book)?, text(as_of, "as_of")?) };
        let config: ClvConfig = if config_json.is_null() {
            ClvConfig::default()
        } else {
            // SAFETY: non-NULL, NUL-terminated per the contract.
            json(
                unsafe { text(config_json, "config_json")? },
                "the CLV config",
            )?
        };
        let p = book.predict_clv(instant(as_of, "as_of")?, &config)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(to_json(&p))) };
        Ok(())
    })
}

/// Gamma-Gamma expected mean spend per customer (the population mean for customers without
/// repeat purchases), written to `out` (room for `len`).
///
/// # Safety
/// `params` is valid; the arrays hold `len` values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_expected_spend(
    params: *const crm_gamma_gamma_t,
    frequency: *const f64,
    monetary_value: *const f64,
    len: usize,
    out: *mut f64,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let (p, f, m) = unsafe {
            (
                gg(params.as_ref().ok_or_else(|| Failure::null("params"))?),
                slice(frequency, len, "frequency")?,
                slice(monetary_value, len, "monetary_value")?,
            )
        };
        for i in 0..len {
            // SAFETY: `out` has room for `len` values.
            unsafe { out.add(i).write(p.expected_spend(f[i], m[i])) };
        }
        Ok(())
    })
}

/// BG/NBD expected purchases of a newly acquired customer within `horizon` (≥ 0), to `*out`.
///
/// # Safety
/// `params` is valid; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_expected_purchases_new(
    params: *const crm_beta_geo_t,
    horizon: f64,
    out: *mut f64,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        if !(horizon.is_finite() && horizon >= 0.0) {
            return Err(Failure::new(
                crm_status_t::CRM_INVALID_ARGUMENT,
                format!("invalid horizon {horizon}: must be a non-negative duration"),
            ));
        }
        // SAFETY: per this function's contract.
        let p = bg(unsafe { params.as_ref() }.ok_or_else(|| Failure::null("params"))?);
        // SAFETY: checked non-NULL above.
        unsafe { write(out, p.expected_purchases_new(horizon)) };
        Ok(())
    })
}
