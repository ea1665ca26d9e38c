//! Every configuration grammar refuses keys it does not know, as events and customers do: a
//! misspelt key (`"holiday"` for `"holidays"`) is a parse error naming the key, with a
//! suggestion when one expected name is close, instead of the key being dropped and its
//! setting silently left at the default.

use chrono::{TimeZone, Utc};
use crm_core::book::{BookConfig, SegmentationConfig, ViewOptions};
use crm_core::clv::{ClvConfig, FitOptions};
use crm_core::lifecycle::LifecyclePolicy;
use crm_core::model::Customer;
use crm_core::quality::{DedupConfig, GoldenRules};
use crm_core::segment::{AbcCuts, PyramidConfig, RfmConfig, RfmSegmentMap, StrategyMap};
use crm_core::sla::{BusinessCalendar, SlaPolicies};
use crm_core::value::ValueModel;
use crm_core::{CrmError, ErrorKind};
use serde::de::DeserializeOwned;

/// Parses `text` as `T` the way every skin does (serde, then `CrmError::parse`).
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, CrmError> {
    serde_json::from_str(text).map_err(|e| CrmError::parse("the config", e))
}

/// Asserts that `err` is a parse error about the unknown key `key`, suggesting `suggestion`.
#[track_caller]
fn refused(err: CrmError, key: &str, suggestion: Option<&str>) {
    assert_eq!(err.kind(), ErrorKind::Parse, "{err}");
    assert_eq!(err.field(), Some(key), "{err}");
    assert!(
        err.to_string().contains(&format!("unknown field `{key}`")),
        "{err}"
    );
    match suggestion {
        Some(s) => assert!(
            err.to_string().ends_with(&format!("(did you mean `{s}`?)")),
            "{err}"
        ),
        None => assert!(!err.to_string().contains("did you mean"), "{err}"),
    }
}

const WEEK: &str = r#""week": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]],
    "wed": [["09:00", "18:00"]], "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]]}"#;

#[test]
fn a_misspelt_holiday_no_longer_moves_a_deadline() {
    // Wednesday 2025-04-23 is a holiday in Türkiye. Opened Tuesday 17:00 local (14:00Z) with
    // two business hours: one hour on Tuesday, then the next open hour.
    let opened = Utc.with_ymd_and_hms(2025, 4, 22, 14, 0, 0).unwrap();
    let with = |key: &str| {
        BusinessCalendar::from_json(&format!(
            r#"{{"time_zone": "Europe/Istanbul", {WEEK}, "{key}": ["2025-04-23"]}}"#
        ))
    };
    // Spelt right: the hour after Tuesday's is Thursday 09:00–10:00 local, due 07:00Z.
    let due = with("holidays")
        .unwrap()
        .add_business_minutes(opened, 120)
        .unwrap();
    assert_eq!(due, Utc.with_ymd_and_hms(2025, 4, 24, 7, 0, 0).unwrap());
    // Misspelt, it used to be dropped and the deadline came on Wednesday, 24 hours earlier.
    refused(with("holiday").unwrap_err(), "holiday", Some("holidays"));
}

#[test]
fn calendar_parts_refuse_unknown_keys() {
    let e = BusinessCalendar::from_json(r#"{"time_zone": "UTC", "week": {"monday": []}}"#);
    refused(e.unwrap_err(), "monday", None);
    let e = BusinessCalendar::from_json(
        r#"{"special_days": [{"date": "2025-03-29", "hour": [["09:00", "13:00"]]}]}"#,
    );
    refused(e.unwrap_err(), "hour", Some("hours"));
    let e = BusinessCalendar::from_json(r#"{"timezone": "Europe/Istanbul"}"#);
    refused(e.unwrap_err(), "timezone", Some("time_zone"));
}

#[test]
fn the_value_model_refuses_unknown_keys() {
    let e = parse::<ValueModel>(
        r#"{"keys": [{"key": "monetary", "weight": 1}], "normalisation": "min_max"}"#,
    );
    refused(e.unwrap_err(), "normalisation", Some("normalization"));
    let e = parse::<ValueModel>(r#"{"keys": [{"key": "monetary", "weigth": 1}]}"#);
    refused(e.unwrap_err(), "weigth", Some("weight"));
    // Known keys still parse.
    let m = parse::<ValueModel>(
        r#"{"keys": [{"key": "monetary", "weight": 1}], "normalization": "min_max"}"#,
    );
    assert_eq!(m.unwrap().keys.len(), 1);
}

#[test]
fn customer_records_refuse_unknown_keys_in_nested_parts() {
    let e = parse::<Customer>(r#"{"id": 1, "address": {"city": "İzmir", "zip": "35000"}}"#);
    refused(e.unwrap_err(), "zip", None);
    let e = parse::<Customer>(
        r#"{"id": 1, "consents": [{"channel": "email", "granted": true, "at": "2025-01-01T00:00:00Z", "source": "web"}]}"#,
    );
    refused(e.unwrap_err(), "source", None);
}

#[test]
fn segmentation_configs_refuse_unknown_keys_at_every_level() {
    refused(
        parse::<SegmentationConfig>(r#"{"pyramids": {}}"#).unwrap_err(),
        "pyramids",
        Some("pyramid"),
    );
    refused(
        parse::<SegmentationConfig>(r#"{"pyramid": {"tiers": [{"name": "A", "shares": 1}]}}"#)
            .unwrap_err(),
        "shares",
        Some("share"),
    );
    refused(
        parse::<PyramidConfig>(r#"{"base": "value"}"#).unwrap_err(),
        "base",
        Some("basis"),
    );
    refused(
        parse::<AbcCuts>(r#"{"a": 0.8, "b": 0.95, "c": 1}"#).unwrap_err(),
        "c",
        None,
    );
    refused(
        parse::<StrategyMap>(r#"{"tiers": {"Gold": {"label": "x", "action": []}}}"#).unwrap_err(),
        "action",
        Some("actions"),
    );
    refused(
        parse::<SegmentationConfig>(r#"{"clv": {"fit": {"max_iteration": 5}}}"#).unwrap_err(),
        "max_iteration",
        Some("max_iterations"),
    );
}

#[test]
fn rfm_configs_refuse_unknown_keys() {
    refused(
        parse::<RfmConfig>(r#"{"bin": 4}"#).unwrap_err(),
        "bin",
        Some("bins"),
    );
    refused(
        parse::<RfmSegmentMap>(r#"{"scale": 5, "rule": []}"#).unwrap_err(),
        "rule",
        Some("rules"),
    );
    refused(
        parse::<RfmSegmentMap>(r#"{"rules": [{"nmae": "All", "r": [1, 5]}]}"#).unwrap_err(),
        "nmae",
        Some("name"),
    );
}

#[test]
fn sla_targets_and_warnings_name_the_unknown_key() {
    let policy = |target: &str, warning: &str| {
        SlaPolicies::from_json(&format!(
            r#"{{"name": "standard", "targets": {{"medium": {{"resolution": {target}}}}}, "warnings": [{warning}]}}"#
        ))
    };
    // Both forms of a target and of a warning still parse.
    policy("240", r#"{"at_share": 0.75}"#).unwrap();
    policy(
        r#"{"minutes": 240, "clock": "calendar"}"#,
        r#"{"minutes_before": 30}"#,
    )
    .unwrap();
    refused(
        policy(
            r#"{"minutes": 240, "clok": "calendar"}"#,
            r#"{"at_share": 0.75}"#,
        )
        .unwrap_err(),
        "clok",
        Some("clock"),
    );
    refused(
        policy("240", r#"{"minutes_befor": 30}"#).unwrap_err(),
        "minutes_befor",
        Some("minutes_before"),
    );
    let both = policy("240", r#"{"at_share": 0.5, "minutes_before": 30}"#).unwrap_err();
    assert!(both.to_string().contains("exactly one"), "{both}");
}

#[test]
fn lifecycle_dedupe_golden_and_fit_options_refuse_unknown_keys() {
    refused(
        LifecyclePolicy::from_json(r#"{"active": {"within_day": 90}}"#).unwrap_err(),
        "within_day",
        None,
    );
    refused(
        parse::<DedupConfig>(r#"{"treshold": 0.9}"#).unwrap_err(),
        "treshold",
        Some("threshold"),
    );
    refused(
        parse::<GoldenRules>(r#"{"default": "most_recent", "field": {}}"#).unwrap_err(),
        "field",
        Some("fields"),
    );
    refused(
        parse::<FitOptions>(r#"{"tolerence": 1e-6}"#).unwrap_err(),
        "tolerence",
        Some("tolerance"),
    );
    refused(
        parse::<ClvConfig>(r#"{"month": 12}"#).unwrap_err(),
        "month",
        Some("months"),
    );
}

#[test]
fn book_config_and_view_options_refuse_unknown_keys() {
    refused(
        parse::<BookConfig>(r#"{"currency": "TRY", "early_event": "accept"}"#).unwrap_err(),
        "early_event",
        Some("early_events"),
    );
    refused(
        parse::<ViewOptions>(r#"{"as_of": "2025-01-01T00:00:00Z", "limt": 5}"#).unwrap_err(),
        "limt",
        Some("limit"),
    );
}
