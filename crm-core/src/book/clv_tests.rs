//! Lifetime value through the book: predictions as a value key of the analysis.

use crate::clv::*;

#[test]
fn predicted_clv_is_a_value_key_of_the_book() {
    use crate::book::SegmentationConfig;
    use crate::sample::SampleConfig;
    use crate::value::{ValueKey, ValueModel};
    let config = SampleConfig::new(1_500).seed(8);
    let (mut book, _) = config.build_book().unwrap();
    let prediction = book
        .predict_clv(config.end(), &ClvConfig::default())
        .unwrap();
    assert!(prediction.beta_geo.converged && prediction.gamma_gamma.converged);
    // Customers who never bought are worth nothing yet.
    let features = book.features(config.end());
    for (i, f) in features.frequency.iter().enumerate() {
        if *f == 0 {
            assert_eq!(prediction.clv[i], 0.0);
            assert!(prediction.p_alive[i].is_nan());
        } else {
            assert!(prediction.clv[i] > 0.0 && (0.0..=1.0).contains(&prediction.p_alive[i]));
        }
    }
    // A model weighing only predicted CLV ranks customers by it.
    let seg = SegmentationConfig {
        value: ValueModel::from_weights([("predicted_clv", 1.0)]).unwrap(),
        ..SegmentationConfig::default()
    };
    let s = book.analyse(config.end(), &seg).unwrap();
    assert_eq!(s.scores.keys, vec![ValueKey::PredictedClv]);
    let mut rows: Vec<usize> = (0..book.len()).collect();
    rows.sort_by(|&a, &b| prediction.clv[a].total_cmp(&prediction.clv[b]));
    assert!(
        rows.windows(2)
            .all(|w| s.scores.score[w[0]] <= s.scores.score[w[1]])
    );
}

/// Issue 16, bug 2: one customer whose repeat purchases are all worth 0 (CDNOW's 10244) used
/// to fail the whole book with `invalid monetary_value[10243] 0`, an internal row. Now that
/// customer alone gets no spend prediction, with the reason; everyone else is predicted.
#[test]
fn a_zero_spend_repeat_customer_gets_a_reason_not_a_failed_book() {
    use crate::model::{Customer, Event};
    use crate::sample::SampleConfig;
    let config = SampleConfig::new(600).seed(3);
    let (mut book, _) = config.build_book().unwrap();
    let before = book
        .predict_clv(config.end(), &ClvConfig::default())
        .unwrap();
    let id = 9_000_001;
    book.add_customer(Customer::person(id, "Zeynep", "Arslan"))
        .unwrap();
    let first = config.end() - chrono::Duration::days(200);
    for (days, amount) in [(0, 15_96), (28, 0), (60, 0)] {
        let e: Event = serde_json::from_value(serde_json::json!({
            "customer_id": id, "type": "purchase", "amount": amount, "currency": "TRY",
            "at": (first + chrono::Duration::days(days)).to_rfc3339(),
        }))
        .unwrap();
        book.record(e).unwrap();
    }
    let p = book
        .predict_clv(config.end(), &ClvConfig::default())
        .unwrap();
    let row = p.customer_id.iter().position(|&c| c == id).unwrap();
    assert_eq!(p.no_spend_reason[row], Some(NoSpendReason::ZeroRepeatSpend));
    assert!(p.clv[row].is_nan() && p.expected_spend[row].is_nan());
    // Its purchase model still applies: it bought, so it has a probability of being alive.
    assert!((0.0..=1.0).contains(&p.p_alive[row]));
    assert_eq!(p.gamma_gamma.excluded, 1);
    assert_eq!(p.gamma_gamma.customers, before.gamma_gamma.customers);
    assert!(p.gamma_gamma.warnings[0].starts_with("1 repeat customers"));
    // The spend model is the one fitted without the new customer.
    assert_eq!(p.gamma_gamma.params, before.gamma_gamma.params);
    assert_eq!(p.unit, ClvUnit::Weeks);
    for (i, r) in p.no_spend_reason.iter().enumerate() {
        if i == row {
            continue;
        }
        match r {
            None => assert!(p.clv[i] > 0.0 && p.expected_spend[i] > 0.0),
            Some(NoSpendReason::NoPurchases) => assert_eq!(p.clv[i], 0.0),
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    // And the value key weighs the customer as 0, not NaN.
    let seg = crate::book::SegmentationConfig {
        value: crate::value::ValueModel::from_weights([("predicted_clv", 1.0)]).unwrap(),
        ..crate::book::SegmentationConfig::default()
    };
    let s = book.analyse(config.end(), &seg).unwrap();
    assert!(s.scores.score.iter().all(|v| v.is_finite()));
}

/// Issue 16, bug 6 for CLV: the book's purchase days in a zone. Customer 1 buys at
/// 2024-07-04T23:00Z (16:00 on the 4th in Los Angeles, PDT = UTC-7) and at
/// 2024-07-05T02:00Z (19:00 on the 4th in LA): one LA day, two UTC days. Worked by hand:
/// in UTC frequency 1 (the 5th is a repeat day worth 4), in LA frequency 0.
#[test]
fn purchases_on_one_los_angeles_day_are_one_purchase_day_in_that_zone() {
    use crate::model::{Customer, Event};
    let mut book = crate::book::CustomerBook::with_currency("USD").unwrap();
    book.add_customer(Customer::person(1, "Ada", "Lovelace"))
        .unwrap();
    for (at, amount) in [
        ("2024-07-04T23:00:00Z", 1_00),
        ("2024-07-05T02:00:00Z", 4_00),
    ] {
        let e: Event = serde_json::from_value(serde_json::json!({
            "customer_id": 1, "type": "purchase", "amount": amount, "currency": "USD", "at": at,
        }))
        .unwrap();
        book.record(e).unwrap();
    }
    // 2024-07-11T12:00Z is 05:00 on the 11th in LA: the end day is the 11th in both zones.
    let end = crate::time::parse_instant("2024-07-11T12:00:00Z", "as_of").unwrap();
    let utc = book.clv_summary(end, ClvUnit::Days).unwrap();
    assert_eq!(utc.tz, "UTC");
    // UTC days: the 4th (first) and the 5th (repeat, 400), end the 11th: T = 7, recency 1.
    assert_eq!(
        (
            utc.frequency[0],
            utc.recency[0],
            utc.t[0],
            utc.monetary_value[0]
        ),
        (1.0, 1.0, 7.0, 400.0)
    );
    let la = chrono_tz::America::Los_Angeles;
    let local = book.clv_summary_in_zone(end, ClvUnit::Days, la).unwrap();
    assert_eq!(local.tz, "America/Los_Angeles");
    // LA days: the 4th only, end the 11th: T = 7, no repeat.
    assert_eq!(
        (
            local.frequency[0],
            local.recency[0],
            local.t[0],
            local.monetary_value[0]
        ),
        (0.0, 0.0, 7.0, 0.0)
    );
    // The config's `tz` (JSON: the zone's name) reaches the book's summary, and is checked.
    let config: ClvConfig = serde_json::from_str(r#"{"tz": "America/Los_Angeles"}"#).unwrap();
    assert_eq!(config.tz, la);
    assert_eq!(
        serde_json::to_value(config).unwrap()["tz"],
        "America/Los_Angeles"
    );
    let e = serde_json::from_str::<ClvConfig>(r#"{"tz": "America/Los Angeles"}"#).unwrap_err();
    assert!(
        e.to_string().contains("invalid tz \"America/Los Angeles\""),
        "{e}"
    );
}

/// A prediction names the zone its purchase days were counted in.
#[test]
fn a_prediction_names_its_zone() {
    use crate::sample::SampleConfig;
    let sample = SampleConfig::new(400).seed(5);
    let (book, _) = sample.build_book().unwrap();
    let utc = book
        .predict_clv(sample.end(), &ClvConfig::default())
        .unwrap();
    assert_eq!(utc.tz, "UTC");
    let config = ClvConfig {
        tz: chrono_tz::Asia::Tokyo,
        ..ClvConfig::default()
    };
    let tokyo = book.predict_clv(sample.end(), &config).unwrap();
    assert_eq!(tokyo.tz, "Asia/Tokyo");
    // The summary behind it is the summary in Tokyo days.
    let s = book
        .clv_summary_in_zone(sample.end(), config.unit, config.tz)
        .unwrap();
    let row = |id: u64| tokyo.customer_id.iter().position(|&c| c == id).unwrap();
    for (i, &id) in s.customer_id.iter().enumerate().take(50) {
        let p = &tokyo.beta_geo.params;
        let expect = p.p_alive(s.frequency[i], s.recency[i], s.t[i]);
        assert_eq!(tokyo.p_alive[row(id)].to_bits(), expect.to_bits());
    }
}

#[test]
fn a_horizon_out_of_range_is_refused_before_the_fits() {
    use crate::ErrorKind;
    // An empty book: the fits would fail naming `frequency`; the horizon is checked first.
    let book = super::CustomerBook::new(super::BookConfig::new("TRY")).unwrap();
    let at = chrono::DateTime::from_timestamp(1_740_787_200, 0).unwrap();
    for months in [0, MAX_CLV_MONTHS + 1, u32::MAX] {
        let config = ClvConfig {
            months,
            ..ClvConfig::default()
        };
        let err = book.predict_clv(at, &config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{months}: {err}");
        assert_eq!(err.field(), Some("months"), "{months}: {err}");
    }
}
