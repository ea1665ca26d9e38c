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
