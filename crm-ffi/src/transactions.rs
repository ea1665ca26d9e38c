//! Transaction columns over C arrays: the time-unit codes and RFM from transactions.

use std::ffi::c_char;

use crm_core::CrmError;
use crm_core::segment::RfmConfig;
use crm_core::time::TimeUnit;
use crm_core::transactions::{Amounts, TransactionColumns, rfm_from_transactions};

use crate::args::{json_opt, slice};
use crate::columns::{OwnedColumns, leak, leak_strings, owned_columns};
use crate::ffi::Out;
use crate::status::{Failure, boundary, crm_status_t};

/// Instants in seconds since the Unix epoch.
pub const CRM_UNIT_SECONDS: u32 = 0;
/// Instants in milliseconds since the Unix epoch.
pub const CRM_UNIT_MILLISECONDS: u32 = 1;
/// Instants in microseconds since the Unix epoch.
pub const CRM_UNIT_MICROSECONDS: u32 = 2;
/// Instants in nanoseconds since the Unix epoch.
pub const CRM_UNIT_NANOSECONDS: u32 = 3;

/// The time unit of a `CRM_UNIT_*` code passed as `argument`. Read as an integer and
/// checked: a value from C is never trusted as a Rust enum.
pub(crate) fn unit(code: u32, argument: &str) -> Result<TimeUnit, Failure> {
    match code {
        CRM_UNIT_SECONDS => Ok(TimeUnit::Seconds),
        CRM_UNIT_MILLISECONDS => Ok(TimeUnit::Milliseconds),
        CRM_UNIT_MICROSECONDS => Ok(TimeUnit::Microseconds),
        CRM_UNIT_NANOSECONDS => Ok(TimeUnit::Nanoseconds),
        other => Err(CrmError::invalid(
            argument,
            other,
            "use CRM_UNIT_SECONDS .. CRM_UNIT_NANOSECONDS",
        )
        .into()),
    }
}

/// Features and RFM scores per customer, sorted by customer id; every array has `len`
/// elements and belongs to this struct: release it with `crm_rfm_free`.
#[repr(C)]
#[derive(Debug)]
pub struct crm_rfm_t {
    /// Customers.
    pub len: usize,
    /// Customer ids, ascending.
    pub customer_id: *const u64,
    /// Days since the last purchase (NaN with refunds only).
    pub recency_days: *const f64,
    /// Purchases.
    pub frequency: *const u32,
    /// Net amount, minor units.
    pub monetary: *const f64,
    /// Recency score 1..bins (0 without a purchase).
    pub r: *const u8,
    /// Frequency score.
    pub f: *const u8,
    /// Monetary score.
    pub m: *const u8,
    /// 100·r + 10·f + m.
    pub score: *const u16,
    /// Index into `segment_names`, or -1 for no segment. 32-bit (it was 16-bit before ABI
    /// version 3), so that every index of a rule table fits: core numbers rules with 16
    /// unsigned bits, which a signed 16-bit index wrapped past 32,767 rules.
    pub segment: *const i32,
    /// Number of segment names.
    pub segment_count: usize,
    /// The segment names (NUL-terminated UTF-8), in rule order.
    pub segment_names: *const *const c_char,
}

owned_columns!(crm_rfm_t {
    len => [customer_id, recency_days, frequency, monetary, r, f, m, score, segment];
    strings segment_count => [segment_names]
});

/// RFM from transaction columns of `len` rows: customer ids, instants in `unit` (one of the
/// `CRM_UNIT_*` constants), amounts in minor units (refunds negative). Rows after `as_of`
/// (same unit) are ignored. `bins` is 2..9; `segments_json` is an RFM rule table in JSON, or
/// NULL for the standard 11 segments. Release `*out` with `crm_rfm_free`.
///
/// # Safety
/// The three arrays hold `len` elements each (NULL only when `len` is 0); `segments_json` is
/// NULL or NUL-terminated; `out` is writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_rfm_from_transactions(
    customer_id: *const u64,
    timestamp: *const i64,
    amount_minor: *const i64,
    len: usize,
    unit: u32,
    as_of: i64,
    bins: u32,
    segments_json: *const c_char,
    out: *mut *mut crm_rfm_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let out = unsafe { Out::new(out, "out")? };
        let unit = self::unit(unit, "unit")?;
        // SAFETY: per this function's contract.
        let (ids, at, amount, segments) = unsafe {
            (
                slice(customer_id, len, "customer_id")?,
                slice(timestamp, len, "timestamp")?,
                slice(amount_minor, len, "amount_minor")?,
                json_opt(segments_json, "segments_json", "the RFM segment map")?,
            )
        };
        // A count beyond u8 is refused by core's bounds check as 255 is.
        let config = RfmConfig::new(u8::try_from(bins).unwrap_or(u8::MAX), segments);
        let cols = TransactionColumns {
            customer_id: ids,
            at,
            unit,
            amount: Amounts::Minor(amount),
        };
        let (f, r) = rfm_from_transactions(&cols, unit.instant(as_of), &config)?;
        crm_rfm_t {
            len: f.len(),
            segment: leak(r.segment.iter().map(|s| s.map_or(-1, i32::from)).collect()),
            customer_id: leak(f.customer_id),
            recency_days: leak(f.recency_days),
            frequency: leak(f.frequency),
            monetary: leak(f.monetary),
            r: leak(r.r),
            f: leak(r.f),
            m: leak(r.m),
            score: leak(r.score),
            segment_count: r.segment_names.len(),
            segment_names: leak_strings(&r.segment_names),
        }
        .into_out(out);
        Ok(())
    })
}

/// Releases RFM results. NULL is accepted.
///
/// # Safety
/// `rfm` is NULL or came from `crm_rfm_from_transactions` and is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rfm_free(rfm: *mut crm_rfm_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { OwnedColumns::free(rfm) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code of every core unit: exhaustive, so a new unit fails this test's build.
    fn code(unit: TimeUnit) -> u32 {
        match unit {
            TimeUnit::Seconds => CRM_UNIT_SECONDS,
            TimeUnit::Milliseconds => CRM_UNIT_MILLISECONDS,
            TimeUnit::Microseconds => CRM_UNIT_MICROSECONDS,
            TimeUnit::Nanoseconds => CRM_UNIT_NANOSECONDS,
        }
    }

    #[test]
    fn every_unit_has_its_own_fixed_code() {
        let all = [
            (TimeUnit::Seconds, 0),
            (TimeUnit::Milliseconds, 1),
            (TimeUnit::Microseconds, 2),
            (TimeUnit::Nanoseconds, 3),
        ];
        for (u, number) in all {
            assert_eq!(code(u), number, "{u:?}");
            assert_eq!(unit(number, "unit").ok(), Some(u));
        }
        let e = unit(4, "time_unit").err().map(|f| f.status());
        assert_eq!(e, Some(crm_status_t::CRM_INVALID_ARGUMENT));
    }

    /// `crm_rfm_from_transactions` with 2 customers (R/F/M cells other than 5/5/1) and a
    /// segment map of `rules` rules: `rules - 1` that nobody matches, then one for everybody.
    fn rfm_with_rules(rules: usize) -> (crm_status_t, *mut crm_rfm_t) {
        let mut json = String::from(r#"{"scale": 5, "rules": ["#);
        for i in 0..rules - 1 {
            json.push_str(&format!(
                r#"{{"name": "r{i}", "r": [5, 5], "f": [5, 5], "m": [1, 1]}},"#
            ));
        }
        json.push_str(r#"{"name": "all"}]}"#);
        let json = std::ffi::CString::new(json).unwrap_or_default();
        let (ids, at, amount) = ([1u64, 2], [0i64, 86_400], [100i64, 200]);
        let mut out = std::ptr::null_mut();
        // SAFETY: arrays of 2, a NUL-terminated string and a writable out-parameter.
        let status = unsafe {
            crm_rfm_from_transactions(
                ids.as_ptr(),
                at.as_ptr(),
                amount.as_ptr(),
                2,
                CRM_UNIT_SECONDS,
                10 * 86_400,
                5,
                json.as_ptr(),
                &mut out,
            )
        };
        (status, out)
    }

    #[test]
    fn a_segment_map_of_exactly_max_rfm_rules_reports_the_last_index() {
        let (status, out) = rfm_with_rules(crm_core::segment::MAX_RFM_RULES);
        assert_eq!(status, crm_status_t::CRM_OK);
        // SAFETY: written on success; 2 rows.
        let r = unsafe { &*out };
        assert_eq!(r.segment_count, 1_000);
        // SAFETY: `len` elements.
        let seg = unsafe { std::slice::from_raw_parts(r.segment, r.len) };
        assert_eq!(seg, [999, 999]);
        // SAFETY: from crm_rfm_from_transactions, released once.
        unsafe { crm_rfm_free(out) };
    }

    #[test]
    fn a_segment_map_over_max_rfm_rules_is_refused_naming_the_rules() {
        // 33,000 rules (an index past i16::MAX): over core's limit of 1,000, so refused.
        let (status, out) = rfm_with_rules(33_000);
        assert_eq!(status, crm_status_t::CRM_INVALID_ARGUMENT);
        assert!(out.is_null());
        // SAFETY: NUL-terminated, valid until the next failing call on this thread.
        let msg = unsafe { std::ffi::CStr::from_ptr(crate::crm_last_error_message()) };
        assert_eq!(
            msg.to_string_lossy(),
            "invalid rules of length 33000: a segment map has at most 1000 rules"
        );
    }
}
