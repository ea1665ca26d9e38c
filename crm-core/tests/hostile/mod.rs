//! Hostile values (issue 14, item 7): every case that used to give a silently wrong result
//! is an error naming the field, or an exact result. The expected values are worked out by
//! hand in the comments.

use chrono::{TimeZone, Utc};
use crm_core::ErrorKind;
use crm_core::book::{CustomerBook, MAX_MONEY_TOTAL, ViewOptions};
use crm_core::clv::{
    BetaGeoParams, ClvUnit, GammaGammaParams, Prediction, SummaryColumns, expected_purchases_new,
    expected_spend, lifetime_value, predict, summary,
};
use crm_core::model::{Customer, Event, Purchase, Refund};
use crm_core::segment::{AbcClass, AbcCuts, abc, pareto, top_share};
use crm_core::sla::BusinessCalendar;
use crm_core::time::{NAT, TimeUnit};
use crm_core::transactions::{Amounts, TransactionColumns, customer_features};
use crm_core::value::{NamedColumns, Normalization, ValueModel};

/// 2024-01-01T00:00:00Z in epoch nanoseconds.
const NS_2024: i64 = 1_704_067_200_000_000_000;

#[test]
fn nat_and_ticks_out_of_range_for_the_unit_are_errors_naming_the_row() {
    let e = TimeUnit::Nanoseconds
        .checked_instant(NAT, "at", 4)
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("at[4]"))
    );
    assert!(e.to_string().contains("NaT"), "{e}");
    // Epoch nanoseconds read as seconds are 5.4e10 years away: out of chrono's range.
    let e = TimeUnit::Seconds
        .checked_instant(NS_2024, "at", 0)
        .unwrap_err();
    assert_eq!(e.field(), Some("at[0]"));
    // ... but as nanoseconds they are 2024-01-01.
    let t = TimeUnit::Nanoseconds
        .checked_instant(NS_2024, "at", 0)
        .unwrap();
    assert_eq!(t, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
    // A column reports its first bad row.
    let e = TimeUnit::Microseconds
        .check_column("timestamp", &[0, 1, NAT, NAT])
        .unwrap_err();
    assert_eq!(e.field(), Some("timestamp[2]"));
    assert!(
        TimeUnit::Seconds
            .check_column("at", &[0, 86_400, -86_400])
            .is_ok()
    );
}

fn features_of(
    ids: &[u64],
    at: &[i64],
    unit: TimeUnit,
    amount: Amounts<'_>,
) -> crm_core::Result<crm_core::features::TransactionFeatures> {
    let cols = TransactionColumns {
        customer_id: ids,
        at,
        unit,
        amount,
    };
    customer_features(&cols, Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap())
}

#[test]
fn transaction_columns_reject_nat_and_the_wrong_unit() {
    // Used to give an empty result: every row looked later than as_of.
    let e = features_of(
        &[1, 2],
        &[NS_2024, NS_2024],
        TimeUnit::Seconds,
        Amounts::Minor(&[5, 6]),
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("at[0]"));
    let e = features_of(
        &[1, 2],
        &[NS_2024, NAT],
        TimeUnit::Nanoseconds,
        Amounts::Minor(&[5, 6]),
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("at[1]"));
}

#[test]
fn minor_units_are_summed_exactly_and_decimal_overflow_is_an_error() {
    // Two purchases of i64::MAX: 2·(2⁶³ − 1) = 18446744073709551614, which as f64 is 2⁶⁴.
    let m = i64::MAX;
    let f = features_of(&[7, 7], &[0, 1], TimeUnit::Seconds, Amounts::Minor(&[m, m])).unwrap();
    assert_eq!(f.monetary, vec![18_446_744_073_709_551_616.0]);
    // A purchase of i64::MAX and a refund of i64::MIN + 1: the sum is exactly 0.
    let f = features_of(
        &[7, 7],
        &[0, 1],
        TimeUnit::Seconds,
        Amounts::Minor(&[m, -m]),
    )
    .unwrap();
    assert_eq!(f.monetary, vec![0.0]);
    // 1e308 + 1e308 is beyond f64::MAX (1.797e308).
    let e = features_of(
        &[3, 3],
        &[0, 1],
        TimeUnit::Seconds,
        Amounts::Decimal(&[1e308, 1e308]),
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("amount"));
    assert!(e.to_string().contains("customer_id 3"), "{e}");
}

fn purchase(amount: i64) -> Purchase {
    Purchase {
        amount,
        currency: "TRY".into(),
        product: None,
        category: None,
        channel: None,
    }
}

#[test]
fn the_book_refuses_money_that_would_wrap_and_changes_nothing() {
    let mut book = CustomerBook::with_currency("TRY").unwrap();
    book.add_customer(Customer::person(1, "Ali", "Kaya"))
        .unwrap();
    book.add_customer(Customer::person(2, "Ayşe", "Kaya"))
        .unwrap();
    let t = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    book.record(Event::new(1, t, purchase(MAX_MONEY_TOTAL)))
        .unwrap();
    // Two purchases of 2⁶³ − 1 used to give a net revenue of −2.
    let e = book
        .record(Event::new(1, t, purchase(MAX_MONEY_TOTAL)))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("amount"))
    );
    // Across customers too (the book's net revenue is one sum), and for refunds.
    assert_eq!(
        book.record(Event::new(2, t, purchase(1)))
            .unwrap_err()
            .field(),
        Some("amount")
    );
    let refund = Refund {
        amount: 1,
        currency: "TRY".into(),
        product: None,
        reason: None,
        channel: None,
    };
    assert_eq!(
        book.record(Event::new(1, t, refund)).unwrap_err().field(),
        Some("amount")
    );
    assert_eq!(book.event_count(), 1);
    assert_eq!(book.stats().net_revenue, MAX_MONEY_TOTAL);
    let view = book.view(1, &ViewOptions::as_of(t)).unwrap();
    assert_eq!(view.purchases.net, MAX_MONEY_TOTAL);
    // A purchase of 0 still fits.
    book.record(Event::new(2, t, purchase(0))).unwrap();
}

#[test]
fn shares_of_huge_values_are_right() {
    // Used to be 0.0 (∞/∞ = NaN compared as not > 0). Five equal values: the top 20% is one.
    let v = [1e308; 5];
    assert!((top_share(&v, 0.2).unwrap() - 0.2).abs() < 1e-15);
    assert_eq!(top_share(&v, 1.0).unwrap(), 1.0);
    // ABC on 1.5e308, 1e308, 0.5e308, 0.4e308 (total 3.4e308, past f64::MAX): shares before
    // each are 0, .441, .735, .882, so A, A, A, B (it used to be all A).
    let v = [1.5e308, 1e308, 0.5e308, 0.4e308];
    assert_eq!(
        abc(&v, AbcCuts::default()).unwrap(),
        [AbcClass::A, AbcClass::A, AbcClass::A, AbcClass::B]
    );
    // Pareto reports the total, which f64 cannot hold here: an error naming the column.
    let e = pareto(&v, 11).unwrap_err();
    assert_eq!(e.field(), Some("values"));
    // Just below the limit it is exact: 2 × f64::MAX/4 = f64::MAX/2.
    let p = pareto(&[f64::MAX / 4.0; 2], 3).unwrap();
    assert_eq!(p.total, f64::MAX / 2.0);
    assert_eq!(p.gini, 0.0);
    assert!((p.top_20_share - 0.2).abs() < 1e-15);
    // Non-finite values are named by row.
    assert_eq!(
        top_share(&[1.0, f64::INFINITY], 0.5).unwrap_err().field(),
        Some("values[1]")
    );
}

#[test]
fn min_max_and_z_scores_of_huge_values_are_right() {
    let v = [-1e308, 0.0, 1e308];
    let columns = NamedColumns::new(3, vec![("monetary", &v[..])]);
    let mut model = ValueModel::from_weights([("monetary", 1.0)]).unwrap();
    model.normalization = Normalization::MinMax;
    // (x − lo)/(hi − lo) = 0, 0.5, 1 → scores 0, 50, 100 (they used to be NaN).
    assert_eq!(
        model.score_named(&columns).unwrap().score,
        vec![0.0, 50.0, 100.0]
    );
    model.normalization = Normalization::ZScore;
    // mean 0, sd = 1e308·√(2/3): z = ∓√1.5, 0 → Φ = 0.1103, 0.5, 0.8897.
    let s = model.score_named(&columns).unwrap().score;
    assert!((s[1] - 50.0).abs() < 1e-9, "{s:?}");
    assert!(
        (s[0] - 11.033).abs() < 1e-3 && (s[0] + s[2] - 100.0).abs() < 1e-9,
        "{s:?}"
    );
}

const BG: BetaGeoParams = BetaGeoParams {
    r: 0.24,
    alpha: 4.41,
    a: 0.79,
    b: 2.43,
};
const GG: GammaGammaParams = GammaGammaParams {
    p: 6.25,
    q: 3.74,
    v: 15.45,
};

#[test]
fn clv_predictions_reject_bad_parameters_naming_them() {
    let cols = SummaryColumns {
        frequency: &[2.0],
        recency: &[30.0],
        t: &[38.0],
    };
    let e = predict(&BG, cols, Prediction::ExpectedPurchases { horizon: -10.0 }).unwrap_err();
    assert_eq!(e.field(), Some("horizon"));
    let nan = BetaGeoParams {
        alpha: f64::NAN,
        ..BG
    };
    assert_eq!(
        predict(&nan, cols, Prediction::PAlive).unwrap_err().field(),
        Some("alpha")
    );
    let neg = BetaGeoParams { r: -1.0, ..BG };
    assert_eq!(
        expected_purchases_new(&neg, &[1.0]).unwrap_err().field(),
        Some("r")
    );
    // q < 1 made the mean spend negative: p·v/(q − 1) = 6.25·15.45/(−0.5).
    let q = GammaGammaParams { q: 0.5, ..GG };
    assert_eq!(
        expected_spend(&q, &[0.0], &[0.0]).unwrap_err().field(),
        Some("q")
    );
    let e = expected_spend(&GG, &[1.0], &[f64::NAN]).unwrap_err();
    assert_eq!(e.field(), Some("monetary_value[0]"));
    let e = expected_spend(&GG, &[-1.0], &[10.0]).unwrap_err();
    assert_eq!(e.field(), Some("frequency[0]"));
    let b = BetaGeoParams {
        b: f64::NEG_INFINITY,
        ..BG
    };
    let e = lifetime_value(
        &b,
        &GG,
        &[2.0],
        &[30.0],
        &[38.0],
        &[10.0],
        ClvUnit::Weeks,
        12,
        0.01,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("b"));
    let e = lifetime_value(
        &BG,
        &q,
        &[2.0],
        &[30.0],
        &[38.0],
        &[10.0],
        ClvUnit::Weeks,
        12,
        0.01,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("q"));
}

#[test]
fn clv_summary_rejects_nat_and_sums_past_f64() {
    let end = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let e = summary(
        &[1, 1],
        &[NS_2024, NAT],
        TimeUnit::Nanoseconds,
        &[1.0, 2.0],
        end,
        ClvUnit::Weeks,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("timestamp[1]"));
    let e = summary(
        &[1],
        &[NS_2024],
        TimeUnit::Seconds,
        &[1.0],
        end,
        ClvUnit::Weeks,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("timestamp[0]"));
    // Two purchases on one day of 1e308 each: the day's value is beyond f64.
    let day = 86_400;
    let e = summary(
        &[1, 1, 1],
        &[0, 10 * day, 10 * day],
        TimeUnit::Seconds,
        &[1.0, 1e308, 1e308],
        end,
        ClvUnit::Weeks,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("amount"));
}

#[test]
fn sla_columns_reject_nat() {
    let cal = BusinessCalendar::always_open();
    let e = cal
        .business_minutes_between_columns(&[0, NAT], &[60, 60], TimeUnit::Nanoseconds)
        .unwrap_err();
    assert!(e.field().is_some_and(|f| f.ends_with("[1]")), "{e}");
}

fn parse_customer(text: &str) -> crm_core::Result<Customer> {
    serde_json::from_str(text).map_err(|e| crm_core::CrmError::parse("the customer", e))
}

#[test]
fn a_customer_needs_its_id_and_unknown_fields_are_named() {
    // Used to create customer 0.
    let e = parse_customer(r#"{"given_name": "X"}"#).unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::Parse, Some("id")));
    // `email` instead of `emails` used to be dropped without a word.
    let e = parse_customer(r#"{"id": 1, "email": ["x@example.com"]}"#).unwrap_err();
    assert_eq!(e.field(), Some("email"));
    assert!(e.to_string().contains("did you mean `emails`?"), "{e}");
    assert!(!e.to_string().contains("x@example.com"), "{e}");
    // A name far from every field gets no suggestion; a near miss gets the nearest.
    let e = parse_customer(r#"{"id": 1, "zzzzzzzz": 1}"#).unwrap_err();
    assert!(!e.to_string().contains("did you mean"), "{e}");
    let e = parse_customer(r#"{"id": 1, "familyname": "K"}"#).unwrap_err();
    assert!(
        e.to_string().ends_with("(did you mean `family_name`?)"),
        "{e}"
    );
    assert!(parse_customer(r#"{"id": 1, "emails": ["x@example.com"]}"#).is_ok());
}

#[test]
fn more_tiers_than_a_u8_holds_are_refused_and_matrix_totals_checked() {
    use crm_core::segment::{
        AttributeColumn, MAX_TIERS, PyramidConfig, TierSpec, pyramid, segment_matrix,
    };
    let tiers = |n: usize| PyramidConfig {
        tiers: (0..n)
            .map(|i| TierSpec {
                name: format!("t{i}"),
                share: 1.0 / n as f64,
            })
            .collect(),
        ..PyramidConfig::default()
    };
    // 300 tiers used to wrap the last tier index to 300 − 1 − 256 = 43.
    let e = pyramid(&[1.0, 2.0], None, &tiers(300)).unwrap_err();
    assert_eq!(e.field(), Some("tiers"));
    assert!(pyramid(&[1.0, 2.0], None, &tiers(MAX_TIERS)).is_ok());
    let names = ["A".to_owned()];
    let city = [Some("x"), Some("x")];
    let attrs = [AttributeColumn {
        name: "city",
        values: &city,
    }];
    let e = segment_matrix(&[0, 0], &names, &[1e308, 1e308], None, &attrs).unwrap_err();
    assert_eq!(e.field(), Some("values"));
    let m = segment_matrix(&[0, 0], &names, &[1e307, 1e307], None, &attrs).unwrap();
    assert_eq!(m.cells[0].total_value, 2e307);
}
