//! Segmentation over C arrays: pyramid tiers, Pareto, top share, ABC and the segment matrix.

use std::ffi::c_char;

use crm_core::segment::{self, AbcClass, AbcCuts, AttributeColumn, PyramidConfig};

use crate::args::{json, json_or_default, json_out, slice, slice_opt, text};
use crate::ffi::{Out, OutSlice};
use crate::status::{boundary, crm_status_t};

/// ABC class code: the customers who bring the first `a` share of value.
pub const CRM_ABC_A: u8 = 0;
/// ABC class code: the next ones, up to the `b` share.
pub const CRM_ABC_B: u8 = 1;
/// ABC class code: the rest.
pub const CRM_ABC_C: u8 = 2;

/// The `CRM_ABC_*` code of a class: exhaustive, so a new class fails the build here.
fn abc_code(class: AbcClass) -> u8 {
    match class {
        AbcClass::A => CRM_ABC_A,
        AbcClass::B => CRM_ABC_B,
        AbcClass::C => CRM_ABC_C,
    }
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, summary, v, rev, config) = unsafe {
            (
                OutSlice::new(out_tier, len, "out_tier")?,
                Out::optional(out_summary_json),
                slice(values, len, "values")?,
                slice_opt(revenue, len, "revenue")?,
                json_or_default::<PyramidConfig>(config_json, "config_json", "the pyramid config")?,
            )
        };
        let p = segment::pyramid(v, rev, &config)?;
        if let Some(summary) = summary {
            json_out(summary, &p.summary)?;
        }
        out.write(p.tier);
        Ok(())
    })
}

/// Pareto figures of `len` values as JSON (top-20% share, Gini, Lorenz curve of `points`
/// points, total). Free `*out_json` with `crm_string_free`. `points` is at most
/// `MAX_LORENZ_POINTS` = 100,001 (`CRM_INVALID_ARGUMENT` naming `points` otherwise).
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, v) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                slice(values, len, "values")?,
            )
        };
        json_out(out, &segment::pareto(v, points)?)
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, v) = unsafe {
            (
                Out::new(out_share, "out_share")?,
                slice(values, len, "values")?,
            )
        };
        out.write(segment::top_share(v, fraction)?);
        Ok(())
    })
}

/// ABC classes of `len` values (`CRM_ABC_A` = 0, `CRM_ABC_B` = 1, `CRM_ABC_C` = 2) into
/// `out_class`, with cut points `a` and `b` as cumulative shares (0.8 and 0.95 are the usual
/// ones).
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, v) = unsafe {
            (
                OutSlice::new(out_class, len, "out_class")?,
                slice(values, len, "values")?,
            )
        };
        let classes = segment::abc(v, AbcCuts { a, b })?;
        out.write(classes.into_iter().map(abc_code));
        Ok(())
    })
}

/// One attribute column of `crm_segment_matrix_json`, as JSON.
#[derive(serde::Deserialize)]
struct Attr {
    name: String,
    values: Vec<Option<String>>,
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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, t, v, rev, names, attrs) = unsafe {
            (
                Out::new(out_json, "out_json")?,
                slice(tier, len, "tier")?,
                slice(values, len, "values")?,
                slice_opt(revenue, len, "revenue")?,
                text(tier_names_json, "tier_names_json")?,
                text(attributes_json, "attributes_json")?,
            )
        };
        let names: Vec<String> = json(names, "the tier names")?;
        let attrs: Vec<Attr> = json(attrs, "the attributes")?;
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
        json_out(out, &segment::segment_matrix(t, &names, v, rev, &columns)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_abc_class_has_its_own_fixed_code() {
        // The published numbers, written out here, not taken from core's order.
        let published = [(AbcClass::A, 0), (AbcClass::B, 1), (AbcClass::C, 2)];
        for (class, number) in published {
            assert_eq!(abc_code(class), number, "{class:?}");
        }
        let mut codes: Vec<u8> = AbcClass::ALL.iter().map(|&c| abc_code(c)).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AbcClass::ALL.len(), "codes are distinct");
    }
}
