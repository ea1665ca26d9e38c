//! The value model over C arrays: one number per customer from named columns.

use std::ffi::c_char;

use crm_core::value::{NamedColumns, ValueModel};

use crate::args::{json, slice, text};
use crate::ffi::{Castable, Handle, Out, OutSlice, castable};
use crate::status::{boundary, crm_status_t};

/// An opaque value model, from `crm_value_model_from_json`, released by
/// `crm_value_model_free`. Immutable: may be shared between threads.
#[derive(Debug)]
pub struct crm_value_model_t {
    handle: Handle<ValueModel>,
}

castable!(crm_value_model_t => ValueModel);

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
    boundary(|| {
        // SAFETY: per this function's contract.
        let (out, text) = unsafe { (Out::new(out, "out")?, text(json_text, "json")?) };
        let model: ValueModel = json(text, "the value model")?;
        model.validate()?;
        crm_value_model_t::into_out(out, model);
        Ok(())
    })
}

/// Releases a value model. NULL is accepted.
///
/// # Safety
/// `model` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_value_model_free(model: *mut crm_value_model_t) {
    // SAFETY: per this function's contract.
    boundary(|| unsafe { crm_value_model_t::free(model) })
}

/// Scores `rows` customers. `names[i]` names the column `columns[i]` (`rows` doubles each):
/// built-in keys read the column of their own name ("monetary", "frequency", "intensity",
/// "referral_value", "co_investment", "cost_sharing"), except "recency_days" (or "recency"),
/// "tenure_days" (or "tenure") and "referred_buyers" (or "referrals"); a key
/// `"custom:<name>"` reads the column `"<name>"`. Writes `rows` scores (0 to 100) to
/// `out_scores`; `CRM_INVALID_ARGUMENT` naming `key` when a key has no column, and naming
/// `n_columns` when it is above 1,024 (`crm_core::value::MAX_NAMED_COLUMNS`).
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
    boundary(|| {
        crm_core::limits::at_most("n_columns", n_columns, crm_core::value::MAX_NAMED_COLUMNS)?;
        // SAFETY: per this function's contract.
        let (out, model, names, columns) = unsafe {
            (
                OutSlice::new(out_scores, rows, "out_scores")?,
                crm_value_model_t::try_ref(model, "model")?,
                slice(names, n_columns, "names")?,
                slice(columns, n_columns, "columns")?,
            )
        };
        let mut named = Vec::with_capacity(n_columns);
        for (i, (&name, &column)) in names.iter().zip(columns).enumerate() {
            // SAFETY: each name is NUL-terminated and each column holds `rows` doubles.
            let name = unsafe { text(name, &format!("names[{i}]"))? };
            // SAFETY: as above.
            let column = unsafe { slice(column, rows, &format!("columns[{i}]"))? };
            named.push((name, column));
        }
        let scores = model.score_named(&NamedColumns::new(rows, named))?;
        out.write(scores.score);
        Ok(())
    })
}
