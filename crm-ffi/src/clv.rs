//! Customer lifetime value over C arrays: the BTYD summary, BG/NBD and Gamma-Gamma fits,
//! predictions and discounted lifetime value.

use std::ffi::c_char;

use chrono_tz::Tz;
use crm_core::CrmError;
use crm_core::clv::{
    self, BetaGeoParams, ClvConfig, ClvUnit, FitOptions, GammaGammaParams, Prediction,
    SummaryColumns,
};

use crate::args::{json_or_default, json_out, period_end_text, slice, text_opt};
use crate::book::crm_book_t;
use crate::columns::{OwnedColumns, leak, owned_columns};
use crate::ffi::{Castable, Out, OutSlice, borrow};
use crate::status::{Failure, boundary, crm_status_t};
use crate::transactions::unit;

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

owned_columns!(crm_clv_summary_t {
    len => [customer_id, frequency, recency, t, monetary_value],
});

/// The summary unit of a `CRM_CLV_*` code; checked as an integer.
pub(crate) fn clv_unit(code: u32) -> Result<ClvUnit, Failure> {
    match code {
        CRM_CLV_DAYS => Ok(ClvUnit::Days),
        CRM_CLV_WEEKS => Ok(ClvUnit::Weeks),
        other => {
            Err(CrmError::invalid("clv_unit", other, "use CRM_CLV_DAYS or CRM_CLV_WEEKS").into())
        }
    }
}

/// The `CRM_CLV_*` code of a unit.
pub(crate) fn unit_code(unit: ClvUnit) -> u32 {
    match unit {
        ClvUnit::Days => CRM_CLV_DAYS,
        ClvUnit::Weeks => CRM_CLV_WEEKS,
    }
}

impl From<&crm_beta_geo_t> for BetaGeoParams {
    fn from(p: &crm_beta_geo_t) -> Self {
        BetaGeoParams {
            r: p.r,
            alpha: p.alpha,
            a: p.a,
            b: p.b,
        }
    }
}

impl From<BetaGeoParams> for crm_beta_geo_t {
    fn from(p: BetaGeoParams) -> Self {
        crm_beta_geo_t {
            r: p.r,
            alpha: p.alpha,
            a: p.a,
            b: p.b,
        }
    }
}

impl From<&crm_gamma_gamma_t> for GammaGammaParams {
    fn from(p: &crm_gamma_gamma_t) -> Self {
        GammaGammaParams {
            p: p.p,
            q: p.q,
            v: p.v,
        }
    }
}

impl From<GammaGammaParams> for crm_gamma_gamma_t {
    fn from(p: GammaGammaParams) -> Self {
        crm_gamma_gamma_t {
            p: p.p,
            q: p.q,
            v: p.v,
        }
    }
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
    boundary(|| {
        // SAFETY: per this function's contract.
        unsafe {
            summary_into(
                customer_id,
                timestamp,
                time_unit,
                amount,
                len,
                as_of,
                clv_unit_code,
                Tz::UTC,
                out,
            )
        }
    })
}

/// As `crm_clv_summary`, with purchase days counted in the IANA time zone `tz` (e.g.
/// `"America/Los_Angeles"`; NULL or `""` is UTC): two purchases on the same local day are
/// one purchase day, and `T` runs to the local day of `as_of`. An unknown zone is
/// `CRM_INVALID_ARGUMENT` naming `tz`.
///
/// # Safety
/// The arrays hold `len` values; `tz` is NULL or NUL-terminated; `out` is writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_clv_summary_in_zone(
    customer_id: *const u64,
    timestamp: *const i64,
    time_unit: u32,
    amount: *const f64,
    len: usize,
    as_of: i64,
    clv_unit_code: u32,
    tz: *const c_char,
    out: *mut *mut crm_clv_summary_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let zone = crm_core::time::parse_zone(unsafe { text_opt(tz, "tz")? }.unwrap_or(""), "tz")?;
        // SAFETY: per this function's contract.
        unsafe {
            summary_into(
                customer_id,
                timestamp,
                time_unit,
                amount,
                len,
                as_of,
                clv_unit_code,
                zone,
                out,
            )
        }
    })
}

/// The body of `crm_clv_summary` and `crm_clv_summary_in_zone`: the summary in `zone`,
/// written to `out` on success.
///
/// # Safety
/// As `crm_clv_summary`.
#[allow(clippy::too_many_arguments)]
unsafe fn summary_into(
    customer_id: *const u64,
    timestamp: *const i64,
    time_unit: u32,
    amount: *const f64,
    len: usize,
    as_of: i64,
    clv_unit_code: u32,
    zone: Tz,
    out: *mut *mut crm_clv_summary_t,
) -> Result<(), Failure> {
    // SAFETY: per this function's contract.
    let out = unsafe { Out::new(out, "out")? };
    let (tu, cu) = (unit(time_unit, "time_unit")?, clv_unit(clv_unit_code)?);
    // SAFETY: per this function's contract.
    let (ids, ts, amounts) = unsafe {
        (
            slice(customer_id, len, "customer_id")?,
            slice(timestamp, len, "timestamp")?,
            slice(amount, len, "amount")?,
        )
    };
    let s = clv::summary_in_zone(ids, ts, tu, amounts, tu.instant(as_of), cu, zone)?;
    crm_clv_summary_t {
        len: s.customer_id.len(),
        customer_id: leak(s.customer_id),
        frequency: leak(s.frequency),
        recency: leak(s.recency),
        t: leak(s.t),
        monetary_value: leak(s.monetary_value),
    }
    .into_out(out);
    Ok(())
}

/// Releases a summary. NULL is accepted.
///
/// # Safety
/// `summary` is NULL or came from `crm_clv_summary` or `crm_clv_summary_in_zone`, released
/// once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_clv_summary_free(summary: *mut crm_clv_summary_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { OwnedColumns::free(summary) })
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, out_fit, f, r, tt, o) = unsafe {
            (
                Out::new(out_params, "out_params")?,
                Out::optional(out_json),
                slice(frequency, len, "frequency")?,
                slice(recency, len, "recency")?,
                slice(t, len, "T")?,
                json_or_default::<FitOptions>(options_json, "options_json", "the fit options")?,
            )
        };
        let fit = clv::fit_beta_geo(f, r, tt, &o)?;
        if let Some(out_fit) = out_fit {
            json_out(out_fit, &fit)?;
        }
        out.write(fit.params.into());
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, out_fit, f, m, o) = unsafe {
            (
                Out::new(out_params, "out_params")?,
                Out::optional(out_json),
                slice(frequency, len, "frequency")?,
                slice(monetary_value, len, "monetary_value")?,
                json_or_default::<FitOptions>(options_json, "options_json", "the fit options")?,
            )
        };
        let fit = clv::fit_gamma_gamma(f, m, &o)?;
        if let Some(out_fit) = out_fit {
            json_out(out_fit, &fit)?;
        }
        out.write(fit.params.into());
        Ok(())
    })
}

/// Per customer: the expected purchases in the next `horizon` (when `horizon` > 0) or, with
/// `horizon` = 0, the probability of being alive; written to `out` (room for `len`).
/// `CRM_INVALID_ARGUMENT` naming `horizon` when it is negative or NaN (it used to give the
/// probability of being alive).
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, p, f, r, tt) = unsafe {
            (
                OutSlice::new(out, len, "out")?,
                BetaGeoParams::from(borrow(params, "params")?),
                slice(frequency, len, "frequency")?,
                slice(recency, len, "recency")?,
                slice(t, len, "T")?,
            )
        };
        let what = if horizon == 0.0 {
            Prediction::PAlive
        } else {
            Prediction::ExpectedPurchases { horizon }
        };
        let columns = SummaryColumns {
            frequency: f,
            recency: r,
            t: tt,
        };
        out.write(clv::predict(&p, columns, what)?);
        Ok(())
    })
}

/// Discounted lifetime value per customer over `months` at `discount_rate` a month
/// (months of 4.345 weeks or 30 days), written to `out` (room for `len`). `months` is 1 to
/// `MAX_CLV_MONTHS` = 1,200 (`CRM_INVALID_ARGUMENT` naming `months` otherwise).
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let out = unsafe { OutSlice::new(out, len, "out")? };
        let cu = clv_unit(clv_unit_code)?;
        // SAFETY: per this function's contract.
        let (b, g, f, r, tt, m) = unsafe {
            (
                BetaGeoParams::from(borrow(bg_params, "bg_params")?),
                GammaGammaParams::from(borrow(gg_params, "gg_params")?),
                slice(frequency, len, "frequency")?,
                slice(recency, len, "recency")?,
                slice(t, len, "T")?,
                slice(monetary_value, len, "monetary_value")?,
            )
        };
        out.write(clv::lifetime_value(
            &b,
            &g,
            f,
            r,
            tt,
            m,
            cu,
            months,
            discount_rate,
        )?);
        Ok(())
    })
}

/// Fits both models on the book's purchases up to `as_of` (RFC 3339) and predicts every
/// customer's lifetime value: JSON with the fits, `unit`, `tz` (the zone used) and
/// `customer_id`, `clv`, `expected_spend`, `no_spend_reason`, `p_alive`,
/// `expected_purchases` arrays in the book's order. `config_json` may be NULL or e.g.
/// `{"unit": "W", "months": 12, "discount_rate": 0.01, "tz": "America/Los_Angeles"}`
/// (`months` at most `MAX_CLV_MONTHS` = 1,200; `tz` an IANA zone whose civil days are the
/// purchase days, default UTC; an unknown zone or key fails as a config that does not parse).
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, book, as_of, config) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                crm_book_t::try_ref(book, "book")?,
                period_end_text(as_of, "as_of")?,
                json_or_default::<ClvConfig>(config_json, "config_json", "the CLV config")?,
            )
        };
        json_out(out, &book.predict_clv(as_of, &config)?)
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, p, f, m) = unsafe {
            (
                OutSlice::new(out, len, "out")?,
                GammaGammaParams::from(borrow(params, "params")?),
                slice(frequency, len, "frequency")?,
                slice(monetary_value, len, "monetary_value")?,
            )
        };
        out.write(clv::expected_spend(&p, f, m)?);
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let out = unsafe { Out::new(out, "out")? };
        // SAFETY: per this function's contract.
        let p = BetaGeoParams::from(unsafe { borrow(params, "params")? });
        out.write(clv::expected_purchases_new_one(&p, horizon)?);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::unit_code as code;

    #[test]
    fn every_clv_unit_has_its_own_fixed_code() {
        for (unit, number) in [(ClvUnit::Days, 0), (ClvUnit::Weeks, 1)] {
            assert_eq!(code(unit), number, "{unit:?}");
            assert_eq!(clv_unit(number).ok(), Some(unit));
        }
        assert!(clv_unit(2).is_err());
    }
}
