//! The CLV model documents and the calibration/holdout split from C: a model written by
//! `crm_clv_*_model_json` from `arbitrary` parameters reads back to the same parameters, a
//! written model changed by `arbitrary` edits (hostile values, removed or foreign fields) is
//! read or refused with a status, and the summary in a time zone and the calibration/holdout
//! split take `arbitrary` transactions, instants, units and zones. Every call returns a
//! status (never panics) and writes its outputs only on success.
#![no_main]

use std::ptr;

use arbitrary::Arbitrary;
use crm::*;
use crm_fuzz::mutate::Edit;
use crm_fuzz::{c, call_json, ok};
use libfuzzer_sys::fuzz_target;

/// A parameter: plain mostly, hostile sometimes.
#[derive(Debug, Clone, Copy, Arbitrary)]
enum Num {
    Small(u16),
    Any(f64),
    Nan,
    Inf(bool),
}

impl Num {
    fn get(self) -> f64 {
        match self {
            Num::Small(i) => f64::from(i) / 16.0,
            Num::Any(f) => f,
            Num::Nan => f64::NAN,
            Num::Inf(neg) => if neg { f64::NEG_INFINITY } else { f64::INFINITY },
        }
    }
}

/// An instant in Unix seconds: near 2025 mostly, anything sometimes.
#[derive(Debug, Clone, Copy, Arbitrary)]
enum Inst {
    Days(i16),
    Any(i64),
}

impl Inst {
    fn get(self) -> i64 {
        match self {
            Inst::Days(d) => 1_735_689_600 + i64::from(d) * 86_400,
            Inst::Any(s) => s,
        }
    }
}

const ZONES: [&str; 5] = ["Europe/Istanbul", "UTC", "America/New_York", "Mars/Olympus", ""];

#[derive(Debug, Arbitrary)]
enum Call {
    BetaGeo { params: [Num; 4], unit: u32, edits: Vec<Edit> },
    GammaGamma { params: [Num; 3], edits: Vec<Edit> },
    Holdout { rows: Vec<(u8, Inst, Num)>, unit: u32, calibration_end: Inst, observation_end: Inst, clv_unit: u32 },
    InZone { rows: Vec<(u8, Inst, Num)>, unit: u32, as_of: Inst, clv_unit: u32, zone: u8 },
}

/// `doc` after `edits`, as text.
fn edited(doc: &str, edits: &[Edit]) -> String {
    let mut value: serde_json::Value = serde_json::from_str(doc).expect("libcrm writes JSON");
    for edit in edits.iter().take(8) {
        edit.apply(&mut value);
    }
    value.to_string()
}

fn columns(rows: &[(u8, Inst, Num)]) -> (Vec<u64>, Vec<i64>, Vec<f64>) {
    (
        rows.iter().map(|r| u64::from(r.0 % 8)).collect(),
        rows.iter().map(|r| r.1.get()).collect(),
        rows.iter().map(|r| r.2.get()).collect(),
    )
}

fuzz_target!(|call: Call| {
    match call {
        Call::BetaGeo { params, unit, edits } => unsafe {
            let p = crm_beta_geo_t { r: params[0].get(), alpha: params[1].get(), a: params[2].get(), b: params[3].get() };
            let unit = unit % 4; // 0..2 are units, 3 is not
            let Some(doc) = call_json("bg model", |out| crm_clv_beta_geo_model_json(&p, unit, ptr::null(), out)) else { return };
            let mut back = crm_beta_geo_t { r: 0.0, alpha: 0.0, a: 0.0, b: 0.0 };
            let mut back_unit = 99;
            assert!(ok(crm_clv_beta_geo_model_read(c(&doc).as_ptr(), &mut back, &mut back_unit), "bg read"), "{doc}");
            assert!(back.r == p.r && back.alpha == p.alpha && back.a == p.a && back.b == p.b && back_unit == unit, "{doc}");
            let changed = edited(&doc, &edits);
            let mut out = crm_beta_geo_t { r: -1.0, alpha: -1.0, a: -1.0, b: -1.0 };
            let mut out_unit = 99;
            if !ok(crm_clv_beta_geo_model_read(c(&changed).as_ptr(), &mut out, &mut out_unit), "bg read edited") {
                assert!(out.r == -1.0 && out_unit == 99, "bg read wrote on failure");
            }
        },
        Call::GammaGamma { params, edits } => unsafe {
            let p = crm_gamma_gamma_t { p: params[0].get(), q: params[1].get(), v: params[2].get() };
            let Some(doc) = call_json("gg model", |out| crm_clv_gamma_gamma_model_json(&p, ptr::null(), out)) else { return };
            let mut back = crm_gamma_gamma_t { p: 0.0, q: 0.0, v: 0.0 };
            assert!(ok(crm_clv_gamma_gamma_model_read(c(&doc).as_ptr(), &mut back), "gg read"), "{doc}");
            assert!(back.p == p.p && back.q == p.q && back.v == p.v, "{doc}");
            let changed = edited(&doc, &edits);
            let mut out = crm_gamma_gamma_t { p: -1.0, q: -1.0, v: -1.0 };
            if !ok(crm_clv_gamma_gamma_model_read(c(&changed).as_ptr(), &mut out), "gg read edited") {
                assert!(out.p == -1.0, "gg read wrote on failure");
            }
        },
        Call::Holdout { rows, unit, calibration_end, observation_end, clv_unit } => unsafe {
            let (ids, at, amount) = columns(&rows);
            let mut summary = ptr::null_mut();
            let mut holdout = ptr::null_mut();
            if ok(crm_clv_calibration_holdout(ids.as_ptr(), at.as_ptr(), unit % 6, amount.as_ptr(), rows.len(),
                calibration_end.get(), observation_end.get(), clv_unit % 4, &mut summary, &mut holdout), "holdout") {
                assert!(!summary.is_null() && !holdout.is_null(), "holdout: OK with NULL outputs");
                crm_clv_summary_free(summary);
                crm_clv_holdout_free(holdout);
            } else {
                assert!(summary.is_null() && holdout.is_null(), "holdout wrote on failure");
            }
        },
        Call::InZone { rows, unit, as_of, clv_unit, zone } => unsafe {
            let (ids, at, amount) = columns(&rows);
            let tz = c(ZONES[zone as usize % ZONES.len()]);
            let mut out = ptr::null_mut();
            if ok(crm_clv_summary_in_zone(ids.as_ptr(), at.as_ptr(), unit % 6, amount.as_ptr(), rows.len(),
                as_of.get(), clv_unit % 4, tz.as_ptr(), &mut out), "summary in zone") {
                crm_clv_summary_free(out);
            } else {
                assert!(out.is_null(), "summary in zone wrote on failure");
            }
        },
    }
});
