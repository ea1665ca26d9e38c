//! Business calendars over C arrays of Unix seconds.

use std::ffi::c_char;

use chrono::DateTime;
use crm_core::CrmError;
use crm_core::sla::BusinessCalendar;
use crm_core::time::TimeUnit;

use crate::args::{slice, text};
use crate::ffi::{Castable, Handle, Out, OutSlice, castable};
use crate::status::{Failure, boundary, crm_status_t};

/// An opaque business calendar from `crm_calendar_from_json`, released by
/// `crm_calendar_free`. Immutable: may be shared between threads.
#[derive(Debug)]
pub struct crm_calendar_t {
    handle: Handle<BusinessCalendar>,
}

castable!(crm_calendar_t => BusinessCalendar);

fn instant(seconds: i64, name: &str) -> Result<DateTime<chrono::Utc>, Failure> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| CrmError::invalid(name, seconds, "out of range").into())
}

/// A calendar from its JSON form, e.g. `{"time_zone": "Europe/Istanbul", "week": {"mon":
/// [["09:00", "12:30"], ["13:30", "18:00"]], ...}, "holidays": ["2025-04-23"]}`.
///
/// # Safety
/// `json_text` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_calendar_from_json(
    json_text: *const c_char,
    out: *mut *mut crm_calendar_t,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, text) = unsafe { (Out::new(out, "out")?, text(json_text, "json")?) };
        crm_calendar_t::into_out(out, BusinessCalendar::from_json(text)?);
        Ok(())
    })
}

/// Releases a calendar. NULL is accepted.
///
/// # Safety
/// `calendar` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_calendar_free(calendar: *mut crm_calendar_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { crm_calendar_t::free(calendar) })
}

/// Deadlines: for each of `len` instants (Unix seconds), the instant `minutes[i]` business
/// minutes later, written to `out_unix_s` (room for `len` values). All or nothing: an error
/// names the row (`at[i]` for an instant out of range, `row i` for a refused one: negative
/// minutes, more than `MAX_BUSINESS_MINUTES` = 5,259,600 (ten years around the clock), a
/// deadline past the representable instants).
///
/// # Safety
/// `calendar` is a live handle; the arrays hold `len` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_calendar_add_business_minutes(
    calendar: *const crm_calendar_t,
    at_unix_s: *const i64,
    minutes: *const i64,
    len: usize,
    out_unix_s: *mut i64,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, cal, at, minutes) = unsafe {
            (
                OutSlice::new(out_unix_s, len, "out_unix_s")?,
                crm_calendar_t::try_ref(calendar, "calendar")?,
                slice(at_unix_s, len, "at_unix_s")?,
                slice(minutes, len, "minutes")?,
            )
        };
        out.write(cal.add_business_minutes_columns(at, minutes, TimeUnit::Seconds)?);
        Ok(())
    })
}

/// Whole business minutes between `from_unix_s[i]` and `to_unix_s[i]` (0 when the end is not
/// later), written to `out_minutes`. All or nothing: an instant out of range is named
/// `from[i]` or `to[i]`; a span longer than `MAX_SPAN_DAYS` = 146,097 days (400 years) is
/// refused naming `to[i]`.
///
/// # Safety
/// `calendar` is a live handle; the arrays hold `len` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_calendar_business_minutes_between(
    calendar: *const crm_calendar_t,
    from_unix_s: *const i64,
    to_unix_s: *const i64,
    len: usize,
    out_minutes: *mut i64,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, cal, from, to) = unsafe {
            (
                OutSlice::new(out_minutes, len, "out_minutes")?,
                crm_calendar_t::try_ref(calendar, "calendar")?,
                slice(from_unix_s, len, "from_unix_s")?,
                slice(to_unix_s, len, "to_unix_s")?,
            )
        };
        out.write(cal.business_minutes_between_columns(from, to, TimeUnit::Seconds)?);
        Ok(())
    })
}

/// The close of the next business day after the local date of `at_unix_s`.
///
/// # Safety
/// `calendar` is a live handle; `out_unix_s` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_calendar_end_of_next_business_day(
    calendar: *const crm_calendar_t,
    at_unix_s: i64,
    out_unix_s: *mut i64,
) -> crm_status_t {
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, cal) = unsafe {
            (
                Out::new(out_unix_s, "out_unix_s")?,
                crm_calendar_t::try_ref(calendar, "calendar")?,
            )
        };
        let end = cal.end_of_next_business_day(instant(at_unix_s, "at_unix_s")?)?;
        out.write(end.timestamp());
        Ok(())
    })
}
