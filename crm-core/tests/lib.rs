//! Integration tests: the public API used the way an embedding crate uses it.

use crm_core::book::{CustomerBook, ViewOptions};
use crm_core::model::{Channel, Customer, Direction, Event, Interaction};
use crm_core::sample::SampleConfig;

mod hostile;
mod layering;
mod limits;
mod pool;
mod unknown_fields;

#[test]
fn sample_to_book_to_snapshot_to_view_json() {
    let config = SampleConfig::new(400).seed(2);
    let as_of = config.end();
    let sample = config.generate();
    let book = sample.into_book().expect("the sample is valid");

    let mut bytes = Vec::new();
    book.save_json(&mut bytes)
        .expect("writing to a Vec cannot fail");
    let loaded = CustomerBook::load_json(bytes.as_slice()).expect("our own snapshot loads");
    assert!(loaded.snapshot() == book.snapshot());

    let id = book.customers().next().expect("customers").id;
    let view = loaded
        .view(id, &ViewOptions::as_of(as_of))
        .expect("known id");
    let json = serde_json::to_value(&view).expect("views serialise");
    for key in [
        "as_of",
        "profile",
        "purchases",
        "channels",
        "referrals",
        "contributions",
        "complaints",
        "incidents",
        "timeline",
    ] {
        assert!(json.get(key).is_some(), "view JSON lacks {key}");
    }
    let back: crm_core::book::CustomerView = serde_json::from_value(json).expect("and back");
    assert_eq!(back.profile.id, id);
}

#[test]
fn events_from_json_lines() {
    let mut book = CustomerBook::with_currency("TRY").expect("valid currency");
    book.add_customer(Customer::person(1, "Şükrü", "Çağlar"))
        .expect("new id");
    let lines = r#"
{"customer_id": 1, "at": "2025-01-05T10:00:00Z", "type": "purchase", "amount": 2500, "currency": "TRY"}
{"customer_id": 1, "at": "2025-01-06T10:00:00Z", "type": "interaction", "channel": "call_centre", "direction": "inbound", "subject": "fatura"}
{"customer_id": 1, "at": "2025-01-06T11:00:00Z", "type": "complaint_opened", "complaint_id": 5, "priority": "high"}
"#;
    let events: Vec<Event> = lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid event JSON"))
        .collect();
    assert_eq!(book.record_all(events).expect("valid events"), 3);
    let as_of = "2025-02-01T00:00:00Z".parse().expect("RFC 3339");
    let view = book.view(1, &ViewOptions::as_of(as_of)).expect("known id");
    assert_eq!(view.complaints.open.len(), 1);
    let call = Interaction {
        channel: Channel::CallCentre,
        direction: Direction::Inbound,
        subject: Some("fatura".into()),
        outcome: None,
        agent: None,
    };
    assert_eq!(view.timeline.items[1].event.kind, call.into());
}

mod ten_customers {
    //! A 10-customer book whose value scores, pyramid, Pareto share, Gini, ABC classes and RFM
    //! scores are worked out by hand in the comments.

    use chrono::{DateTime, Duration, TimeZone, Utc};
    use crm_core::book::{CustomerBook, SegmentationConfig, ViewOptions};
    use crm_core::model::{Customer, Event, Purchase, Refund};
    use crm_core::segment::{AbcClass, PyramidConfig, RfmConfig, TierBasis, TierSpec};
    use crm_core::value::{ValueKey, ValueModel};

    fn day(d: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)
    }

    /// (customer, [(day, amount)]); negative amounts are refunds. As of day 100:
    ///
    /// | id | purchases (day: amount) | freq | net | recency |
    /// |----|-------------------------|------|-----|---------|
    /// | 1  | 90: 500, 95: 500        | 2    | 1000 | 5  |
    /// | 2  | 10: 100                 | 1    | 100  | 90 |
    /// | 3  | 50, 60, 70, 80: 50 each | 4    | 200  | 20 |
    /// | 4  | 99: 3000                | 1    | 3000 | 1  |
    /// | 5  | 30: 20, 40: 20          | 2    | 40   | 60 |
    /// | 6  | 85: 400, refund 86: 100 | 1    | 300  | 15 |
    /// | 7  | 5: 10                   | 1    | 10   | 95 |
    /// | 8  | 20, 40, 60, 80, 97: 100 | 5    | 500  | 3  |
    /// | 9  | 70: 150                 | 1    | 150  | 30 |
    /// | 10 | 98: 250, 99: 250        | 2    | 500  | 1  |
    fn book() -> CustomerBook {
        let history: [(u64, &[(i64, i64)]); 10] = [
            (1, &[(90, 500), (95, 500)]),
            (2, &[(10, 100)]),
            (3, &[(50, 50), (60, 50), (70, 50), (80, 50)]),
            (4, &[(99, 3000)]),
            (5, &[(30, 20), (40, 20)]),
            (6, &[(85, 400), (86, -100)]),
            (7, &[(5, 10)]),
            (8, &[(20, 100), (40, 100), (60, 100), (80, 100), (97, 100)]),
            (9, &[(70, 150)]),
            (10, &[(98, 250), (99, 250)]),
        ];
        let mut b = CustomerBook::with_currency("TRY").unwrap();
        for (id, rows) in history {
            b.add_customer(Customer::person(id, "Ad", "Soyad")).unwrap();
            for &(d, amount) in rows {
                let e = if amount >= 0 {
                    Event::new(
                        id,
                        day(d),
                        Purchase {
                            amount,
                            currency: "TRY".into(),
                            product: None,
                            category: None,
                            channel: None,
                        },
                    )
                } else {
                    Event::new(
                        id,
                        day(d),
                        Refund {
                            amount: -amount,
                            currency: "TRY".into(),
                            product: None,
                            reason: None,
                            channel: None,
                        },
                    )
                };
                b.record(e).unwrap();
            }
        }
        b
    }

    fn config() -> SegmentationConfig {
        let tier = |name: &str, share| TierSpec {
            name: name.into(),
            share,
        };
        SegmentationConfig {
            value: ValueModel::from_weights([
                ("monetary", 2.0),
                ("frequency", 1.0),
                ("recency", 1.0),
            ])
            .unwrap(),
            pyramid: PyramidConfig {
                tiers: vec![
                    tier("Platinum", 0.1),
                    tier("Gold", 0.2),
                    tier("Iron", 0.3),
                    tier("Lead", 0.4),
                ],
                basis: TierBasis::Customers,
            },
            rfm: RfmConfig::default(),
            ..SegmentationConfig::default()
        }
    }

    #[test]
    fn worked_by_hand() {
        let mut b = book();
        let s = b.analyse(day(100), &config()).unwrap();

        // Pareto on net revenue, total 5800. Top 20% = customers 4 and 1: 4000 / 5800.
        assert!((s.pareto.top_20_share - 4000.0 / 5800.0).abs() < 1e-12);
        // Gini: ascending 10, 40, 100, 150, 200, 300, 500, 500, 1000, 3000;
        // Σ i·x_i = 10 + 80 + 300 + 600 + 1000 + 1800 + 3500 + 4000 + 9000 + 30000 = 50290;
        // G = 2·50290 / (10·5800) − 11/10 = 0.634137…
        assert!((s.pareto.gini - (2.0 * 50290.0 / 58000.0 - 1.1)).abs() < 1e-12);

        // ABC: shares of revenue before each customer, best first: 4: 0, 1: .517, 8 and 10
        // (tied at 500): .690 → A; 6: .862, 3: .914, 9: .948 → B; 2: .974, 5, 7 → C.
        use AbcClass::*;
        assert_eq!(s.abc, vec![A, C, B, A, C, B, C, A, B, A]);

        // Value scores, percentile ranks c / 9 with c = customers strictly below (ties share
        // the lowest rank): monetary c = 8, 2, 4, 9, 1, 5, 0, 6, 3, 6; frequency: the five 1s
        // c = 0, the three 2s c = 5, then 8 and 9; recency ranked on −days (fewer days
        // better): 6, 1, 4, 8, 2, 5, 0, 7, 3, 8.
        // score = 100·(2·m + f + r)/4/9 = 25/9·(2M + F + R).
        let sums = [27.0, 5.0, 20.0, 26.0, 9.0, 15.0, 0.0, 28.0, 9.0, 25.0];
        for (row, sum) in sums.iter().enumerate() {
            assert!(
                (s.scores.score[row] - 25.0 / 9.0 * sum).abs() < 1e-9,
                "row {row}"
            );
        }
        // Customer 8 explains itself: monetary 25/9·12, frequency 25/9·9, recency 25/9·7.
        let why = s.scores.explain(7);
        assert!((why[0].1 - 25.0 / 9.0 * 12.0).abs() < 1e-9 && why[0].0 == ValueKey::Monetary);
        assert!((why[1].1 - 25.0).abs() < 1e-9 && (why[2].1 - 25.0 / 9.0 * 7.0).abs() < 1e-9);

        // Pyramid of 10 on scores: boundaries after 1, 3 and 6 customers. Scores rank
        // 8 > 1 > 4 > 10 > 3 > 6 > 5 = 9 > 2 > 7 (5 and 9 tie inside Lead).
        let tiers: Vec<&str> = (0..10).map(|r| s.pyramid.tier_name(r).unwrap()).collect();
        assert_eq!(
            tiers,
            [
                "Gold", "Lead", "Iron", "Gold", "Lead", "Iron", "Lead", "Platinum", "Lead", "Iron"
            ]
        );
        let revenue: Vec<Option<f64>> = s.pyramid.summary.iter().map(|t| t.revenue).collect();
        assert_eq!(
            revenue,
            [Some(500.0), Some(4000.0), Some(1000.0), Some(300.0)]
        );

        // RFM, 5 bins, score = ⌊5·c/10⌋ + 1 with c = customers strictly worse:
        // R (c = customers with more days): 4, 1, 3, 5, 2, 3, 1, 4, 2, 5;
        // F (1s: c = 0, 2s: c = 5, 4: c = 8, 5: c = 9): 3, 1, 5, 1, 3, 1, 1, 5, 1, 3;
        // M (c = 8, 2, 4, 9, 1, 5, 0, 6, 3, 6): 5, 2, 3, 5, 1, 3, 1, 4, 2, 4.
        assert_eq!(
            s.rfm.score,
            vec![435, 112, 353, 515, 231, 313, 111, 454, 212, 534]
        );
        // Segments (standard table, FM = average of F and M).
        let segments: Vec<&str> = (0..10).map(|r| s.rfm.segment_name(r).unwrap()).collect();
        assert_eq!(
            segments,
            [
                "Champions",       // R4, FM 4
                "Hibernating",     // R1, FM 1.5
                "Loyal Customers", // R3, FM 4
                "Loyal Customers", // R5, FM 3
                "At Risk",         // R2, FM 2
                "Need Attention",  // R3, FM 2
                "Lost",            // R1, FM 1
                "Champions",       // R4, FM 4.5
                "Hibernating",     // R2, FM 1.5
                "Loyal Customers", // R5, FM 3.5
            ]
        );

        // The view shows it all for customer 8.
        let v = b.view(8, &ViewOptions::as_of(day(100))).unwrap();
        let a = v.analytics.unwrap();
        assert_eq!(
            (a.tier.as_str(), a.segment.as_deref(), a.rfm_score),
            ("Platinum", Some("Champions"), 454)
        );
        assert_eq!(a.tier_strategy.unwrap().label, "Retain and reward");
        assert_eq!(a.segment_strategy.unwrap().label, "Reward");
    }

    #[test]
    fn the_columnar_path_agrees_with_the_book() {
        use crm_core::time::TimeUnit;
        use crm_core::transactions::{
            Amounts, TransactionColumns, customer_features, rfm_from_transactions,
        };
        let b = book();
        let mut ids = Vec::new();
        let mut at = Vec::new();
        let mut amount = Vec::new();
        for e in b.events() {
            ids.push(e.customer_id);
            at.push(e.at.timestamp());
            amount.push(match e.kind {
                crm_core::model::EventKind::Purchase(p) => p.amount,
                crm_core::model::EventKind::Refund(r) => -r.amount,
                _ => unreachable!("only purchases and refunds"),
            });
        }
        let cols = TransactionColumns {
            customer_id: &ids,
            at: &at,
            unit: TimeUnit::Seconds,
            amount: Amounts::Minor(&amount),
        };
        let f = customer_features(&cols, day(100)).unwrap();
        let bf = b.features(day(100));
        assert_eq!(f.customer_id, bf.customer_id);
        assert_eq!(f.recency_days, bf.recency_days);
        assert_eq!(f.frequency, bf.frequency);
        assert_eq!(f.intensity, bf.intensity);
        let (_, r) = rfm_from_transactions(&cols, day(100), &RfmConfig::default()).unwrap();
        assert_eq!(
            r.score,
            vec![435, 112, 353, 515, 231, 313, 111, 454, 212, 534]
        );
    }
}
