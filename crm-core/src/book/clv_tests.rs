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
