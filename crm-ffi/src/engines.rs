//! The columnar engines over C arrays: RFM from transactions, value scores, pyramid, Pareto,
//! ABC and the segment matrix.

use std::ffi::{CString, c_char};

use crm_core::segment::{self, AbcClass, AbcCuts, AttributeColumn, PyramidConfig, RfmConfig};
use crm_core::time::TimeUnit;
use crm_core::transactions::{Amounts, TransactionColumns, rfm_from_transactions};
use crm_core::value::{KeySource, ValueKey, ValueModel};

use crate::args::{json, out_ok, owned_string, slice, text, to_json, write};
use crate::book::{leak, unleak};
use crate::status::{Failure, crm_status_t, guard};

/// Instants in seconds since the Unix epoch.
pub const CRM_UNIT_SECONDS: u32 = 0;
/// Instants in milliseconds since the Unix epoch.
pub const CRM_UNIT_MILLISECONDS: u32 = 1;
/// Instants in microseconds since the Unix epoch.
pub const CRM_UNIT_MICROSECONDS: u32 = 2;
/// Instants in nanoseconds since the Unix epoch.
pub const CRM_UNIT_NANOSECONDS: u32 = 3;

pub(crate) fn unit(code: u32) -> Result<TimeUnit, Failure> {
    // Read as an integer and checked: a value from C is never trusted as a Rust enum.
    match code {
        CRM_UNIT_SECONDS => Ok(TimeUnit::Seconds),
        CRM_UNIT_MILLISECONDS => Ok(TimeUnit::Milliseconds),
        CRM_UNIT_MICROSECONDS => Ok(TimeUnit::Microseconds),
        CRM_UNIT_NANOSECONDS => Ok(TimeUnit::Nanoseconds),
        other => Err(Failure::new(
            crm_status_t::CRM_INVALID_ARGUMENT,
            format!("invalid unit {other}: use CRM_UNIT_SECONDS .. CRM_UNIT_NANOSECONDS"),
        )),
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
    /// Index into `segment_names`, or -1 for no segment.
    pub segment: *const i16,
    /// Number of segment names.
    pub segment_count: usize,
    /// The segment names (NUL-terminated UTF-8), in rule order.
    pub segment_names: *const *const c_char,
}

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
    guard(|| {
        out_ok(out, "out")?;
        let unit = self::unit(unit)?;
        // SAFETY: per this function's contract.
        let (ids, at, amount) = unsafe {
            (
                slice(customer_id, len, "customer_id")?,
                slice(timestamp, len, "timestamp")?,
                slice(amount_minor, len, "amount_minor")?,
            )
        };
        let mut config = RfmConfig {
            bins: u8::try_from(bins).unwrap_or(u8::MAX),
            ..RfmConfig::default()
        };
        if !segments_json.is_null() {
            // SAFETY: non-NULL, NUL-terminated per the contract.
            config.segments = json(
                unsafe { text(segments_json, "segments_json")? },
                "the RFM segment map",
            )?;
        }
        let as_of = unit.instant(as_of);
        let cols = TransactionColumns {
            customer_id: ids,
            at,
            unit,
            amount: Amounts::Minor(amount),
        };
        let (f, r) = rfm_from_transactions(&cols, as_of, &config)?;
        let names: Vec<*const c_char> = r
            .segment_names
            .iter()
            .map(|n| CString::new(n.as_str()).unwrap_or_default().into_raw() as *const c_char)
            .collect();
        let out_rfm = crm_rfm_t {
            len: f.len(),
            segment: leak(
                r.segment
                    .iter()
                    .map(|s| s.map_or(-1, |s| s as i16))
                    .collect(),
            ),
            customer_id: leak(f.customer_id),
            recency_days: leak(f.recency_days),
            frequency: leak(f.frequency),
            monetary: leak(f.monetary),
            r: leak(r.r),
            f: leak(r.f),
            m: leak(r.m),
            score: leak(r.score),
            segment_count: names.len(),
            segment_names: leak(names),
        };
        // SAFETY: checked non-NULL above.
        unsafe { write(out, Box::into_raw(Box::new(out_rfm))) };
        Ok(())
    })
}

/// Releases RFM results. NULL is accepted.
///
/// # Safety
/// `rfm` is NULL or came from `crm_rfm_from_transactions` and is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rfm_free(rfm: *mut crm_rfm_t) {
    if rfm.is_null() {
        return;
    }
    // SAFETY: the struct came from Box::into_raw, its arrays from `leak`, the names from
    // CString::into_raw.
    unsafe {
        let r = Box::from_raw(rfm);
        let n = r.len;
        for i in 0..r.segment_count {
            drop(CString::from_raw(*r.segment_names.add(i) as *mut c_char));
        }
        unleak(r.segment_names, r.segment_count);
        unleak(r.customer_id, n);
        unleak(r.recency_days, n);
        unleak(r.frequency, n);
        unleak(r.monetary, n);
        unleak(r.r, n);
        unleak(r.f, n);
        unleak(r.m, n);
        unleak(r.score, n);
        unleak(r.segment, n);
    }
}

/// An opaque value model, from `crm_value_model_from_json`, released by
/// `crm_value_model_free`. Immutable: may be shared between threads.
#[derive(Debug)]
pub struct crm_value_model_t {
    inner: ValueModel,
}

/// A value model from its JSON form, e.g.
/// `{"keys": [{"key": "monetary", "weight": 0.6}, {"key": "recency", "weight": 0.4}]}`.
///
/// # Safety
/// `json_text` is NUL-terminated; `out` is writable, written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_value_model_from_json(
    json_text: *const c_char,
    out: *mut *mut crm_value_model_t,
) -> crm_status_t {
    guard(|| {
        out_ok(out, "out")?;
        // SAFETY: per this function's contract.
        let inner: ValueModel = json(unsafe { text(json_text, "json")? }, "the value model")?;
        inner.validate()?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out, Box::into_raw(Box::new(crm_value_model_t { inner }))) };
        Ok(())
    })
}

/// Releases a value model. NULL is accepted.
///
/// # Safety
/// `model` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_value_model_free(model: *mut crm_value_model_t) {
    if !model.is_null() {
        // SAFETY: it came from Box::into_raw in crm_value_model_from_json.
        drop(unsafe { Box::from_raw(model) });
    }
}

struct NamedColumns<'a> {
    rows: usize,
    columns: Vec<(&'a str, &'a [f64])>,
}

impl KeySource for NamedColumns<'_> {
    fn rows(&self) -> usize {
        self.rows
    }

    fn column(&self, key: &ValueKey) -> Option<std::borrow::Cow<'_, [f64]>> {
        let names: &[&str] = match key {
            ValueKey::Recency => &["recency_days", "recency"],
            ValueKey::Tenure => &["tenure_days", "tenure"],
            ValueKey::Referrals => &["referred_buyers", "referrals"],
            _ => &[],
        };
        let own = key.to_string();
        self.columns
            .iter()
            .find(|(n, _)| names.contains(n) || *n == own)
            .map(|(_, c)| std::borrow::Cow::Borrowed(*c))
    }
}

/// Scores `rows` customers. `names[i]` names the column `columns[i]` (`rows` doubles each):
/// built-in keys read "monetary", "frequency", "recency_days", "tenure_days", "intensity",
/// "referred_buyers", "referral_value", "co_investment", "cost_sharing"; a key
/// `"custom:<name>"` reads the column `"<name>"`. Writes `rows` scores (0 to 100) to
/// `out_scores`.
///
/// # Safety
/// `model` is a live handle; `names` and `columns` hold `n_columns` valid pointers;
/// `out_scores` has room for `rows` doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_value_model_score(
    model: *const crm_value_model_t,
    rows: usize,
    names: *const *const c_char,
    columns: *const *const f64,
    n_columns: usize,
    out_scores: *mut f64,
) -> crm_status_t {
    guard(|| {
        out_ok(out_scores, "out_scores")?;
        // SAFETY: per this function's contract.
        let model = unsafe { model.as_ref() }.ok_or_else(|| Failure::null("model"))?;
        // SAFETY: per this function's contract.
        let (names, columns) = unsafe {
            (
                slice(names, n_columns, "names")?,
                slice(columns, n_columns, "columns")?,
            )
        };
        let mut named = Vec::with_capacity(n_columns);
        for (i, (&name, &column)) in names.iter().zip(columns).enumerate() {
            // SAFETY: each name is NUL-terminated and each column holds `rows` doubles.
            let name = unsafe { text(name, &format!("names[{i}]"))? };
            let column = unsafe { slice(column, rows, &format!("columns[{i}]"))? };
            named.push((name, column));
        }
        let custom: Vec<(&str, &[f64])> = named.clone();
        let source = NamedColumns {
            rows,
            columns: named,
        };
        let scores = model.inner.score(&source, &custom)?;
        // SAFETY: out_scores has room for `rows` doubles per the contract.
        let out = unsafe { std::slice::from_raw_parts_mut(out_scores, rows) };
        out.copy_from_slice(&scores.score);
        Ok(())
    })
}

/// Tiers of `len` values (index 0 = top tier) written to `out_tier` (room for `len` bytes).
/// `config_json` is a pyramid config or NULL for Platinum 1%, Gold 4%, Iron 15%, Lead 80%.
/// When `out_summary_json` is not NULL it receives the per-tier summary (free it with
/// `crm_string_free`). `revenue` may be NULL.
///
/// # Safety
/// Arrays hold `len` elements; strings are NUL-terminated or NULL where allowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pyramid(
    values: *const f64,
    revenue: *const f64,
    len: usize,
    config_json: *const c_char,
    out_tier: *mut u8,
    out_summary_json: *mut *mut c_char,
) -> crm_status_t {
    guard(|| {
        out_ok(out_tier, "out_tier")?;
        // SAFETY: per this function's contract.
        let v = unsafe { slice(values, len, "values")? };
        let rev = if revenue.is_null() {
            None
        } else {
            Some(unsafe { slice(revenue, len, "revenue")? })
        };
        let config: PyramidConfig = if config_json.is_null() {
            PyramidConfig::default()
        } else {
            // SAFETY: non-NULL, NUL-terminated per the contract.
            json(
                unsafe { text(config_json, "config_json")? },
                "the pyramid config",
            )?
        };
        let p = segment::pyramid(v, rev, &config)?;
        // SAFETY: room for `len` bytes per the contract.
        unsafe { std::slice::from_raw_parts_mut(out_tier, len) }.copy_from_slice(&p.tier);
        if !out_summary_json.is_null() {
            // SAFETY: non-NULL.
            unsafe { write(out_summary_json, owned_string(to_json(&p.summary))) };
        }
        Ok(())
    })
}

/// Pareto figures of `len` values as JSON (top-20% share, Gini, Lorenz curve of `points`
/// points, total). Free `*out_json` with `crm_string_free`.
///
/// # Safety
/// `values` holds `len` doubles; `out_json` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pareto_json(
    values: *const f64,
    len: usize,
    points: usize,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let v = unsafe { slice(values, len, "values")? };
        let p = segment::pareto(v, points)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(to_json(&p))) };
        Ok(())
    })
}

/// The share of value held by the top `fraction` (0..1) of `len` customers.
///
/// # Safety
/// `values` holds `len` doubles; `out_share` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_top_share(
    values: *const f64,
    len: usize,
    fraction: f64,
    out_share: *mut f64,
) -> crm_status_t {
    guard(|| {
        out_ok(out_share, "out_share")?;
        // SAFETY: per this function's contract.
        let v = unsafe { slice(values, len, "values")? };
        let share = segment::top_share(v, fraction)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out_share, share) };
        Ok(())
    })
}

/// ABC classes of `len` values (0 = A, 1 = B, 2 = C) into `out_class`, with cut points `a`
/// and `b` as cumulative shares (0.8 and 0.95 are the usual ones).
///
/// # Safety
/// `values` holds `len` doubles; `out_class` has room for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_abc(
    values: *const f64,
    len: usize,
    a: f64,
    b: f64,
    out_class: *mut u8,
) -> crm_status_t {
    guard(|| {
        out_ok(out_class, "out_class")?;
        // SAFETY: per this function's contract.
        let v = unsafe { slice(values, len, "values")? };
        let classes = segment::abc(v, AbcCuts { a, b })?;
        // SAFETY: room for `len` bytes per the contract.
        let out = unsafe { std::slice::from_raw_parts_mut(out_class, len) };
        for (o, c) in out.iter_mut().zip(classes) {
            *o = match c {
                AbcClass::A => 0,
                AbcClass::B => 1,
                AbcClass::C => 2,
            };
        }
        Ok(())
    })
}

/// The segment matrix as JSON. `tier` holds `len` tier indexes into `tier_names_json` (a
/// JSON array of names); `attributes_json` is a JSON array of
/// `{"name": "city", "values": ["İzmir", null, ...]}` with `len` values each; `revenue` may
/// be NULL. Free `*out_json` with `crm_string_free`.
///
/// # Safety
/// Arrays hold `len` elements; strings are NUL-terminated; `out_json` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_matrix_json(
    tier: *const u8,
    values: *const f64,
    revenue: *const f64,
    len: usize,
    tier_names_json: *const c_char,
    attributes_json: *const c_char,
    out_json: *mut *mut c_char,
) -> crm_status_t {
    #[derive(serde::Deserialize)]
    struct Attr {
        name: String,
        values: Vec<Option<String>>,
    }
    guard(|| {
        out_ok(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let (t, v) = unsafe { (slice(tier, len, "tier")?, slice(values, len, "values")?) };
        let rev = if revenue.is_null() {
            None
        } else {
            Some(unsafe { slice(revenue, len, "revenue")? })
        };
        // SAFETY: per this function's contract.
        let names: Vec<String> = json(
            unsafe { text(tier_names_json, "tier_names_json")? },
            "the tier names",
        )?;
        let attrs: Vec<Attr> = json(
            unsafe { text(attributes_json, "attributes_json")? },
            "the attributes",
        )?;
        let borrowed: Vec<Vec<Option<&str>>> = attrs
            .iter()
            .map(|a| a.values.iter().map(|x| x.as_deref()).collect())
            .collect();
        let columns: Vec<AttributeColumn<'_>> = attrs
            .iter()
            .zip(&borrowed)
            .map(|(a, values)| AttributeColumn {
                name: &a.name,
                values,
            })
            .collect();
        let m = segment::segment_matrix(t, &names, v, rev, &columns)?;
        // SAFETY: checked non-NULL above.
        unsafe { write(out_json, owned_string(to_json(&m))) };
        Ok(())
    })
}
