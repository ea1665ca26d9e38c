//! Validators worked by hand, duplicate detection against the sample's ground truth, and
//! invariants.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::model::Customer;
use crate::sample::SampleConfig;

#[test]
fn tckn_and_vkn_check_digits() {
    // TCKN 10000000146: d1..d9 = 1,0,0,0,0,0,0,0,1: odd positions 1+0+0+0+1 = 2, even 0;
    // d10 = (7·2 − 0) mod 10 = 4; d11 = (1+1+4) mod 10 = 6.
    assert!(is_valid_tckn("10000000146"));
    assert!(!is_valid_tckn("10000000147"));
    assert!(!is_valid_tckn("1000000014"));
    assert!(!is_valid_tckn("1000000014a"));
    // VKN 0010000006? By hand for 001000000: only d3 = 1 at position 3: t = (1 + 10 − 3)
    // mod 10 = 8, v = 8·2^7 mod 9 = 1024 mod 9 = 7; zeros at position i give
    // t = 10 − i, v = t·2^(10−i) mod 9: i=1: 9 → 9; i=2: 8·256 mod 9 = 5; i=4: 6·64 mod 9 = 6;
    // i=5: 5·32 mod 9 = 7; i=6: 4·16 mod 9 = 1; i=7: 3·8 mod 9 = 6; i=8: 2·4 = 8; i=9: 1·2 = 2.
    // Σ = 9+5+7+6+7+1+6+8+2 = 51; check = (10 − 1) mod 10 = 9.
    assert!(is_valid_vkn("0010000009"));
    assert!(!is_valid_vkn("0010000008"));
}

#[test]
fn invented_values_are_flagged_with_a_reason() {
    let mut c = Customer::person(1, "test", "Yılmaz");
    c.national_id = Some("11111111111".into());
    c.phones = vec!["5555555555".into(), "0532 123 45 67".into(), "12".into()];
    c.emails = vec!["test@test.com".into(), "ayse@gmail".into()];
    c.birth_date = NaiveDate::from_ymd_opt(1900, 1, 1);
    c.address.line = Some("yok".into());
    c.address.postcode = Some("99000".into());
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let findings = validate_customer(&c, today);
    let got: Vec<(&str, FindingKind)> = findings
        .iter()
        .map(|f| (f.field.as_str(), f.kind))
        .collect();
    assert_eq!(
        got,
        vec![
            ("given_name", FindingKind::Placeholder),
            ("national_id", FindingKind::Placeholder),
            ("phones[0]", FindingKind::Placeholder),
            ("phones[2]", FindingKind::Invalid),
            ("emails[0]", FindingKind::Placeholder),
            ("emails[1]", FindingKind::Invalid),
            ("birth_date", FindingKind::Placeholder),
            ("address.line", FindingKind::Placeholder),
            ("address.postcode", FindingKind::Invalid),
        ]
    );
    // Personal values are masked in findings.
    assert_eq!(findings[1].value, "1111*******");
    // Completeness over the 9 person fields: every filled field but the family name has a
    // finding (a field with any flawed value counts as flawed) and the city is missing, so
    // only the family name is usable → 1/9.
    assert!((completeness(&c, today) - 1.0 / 9.0).abs() < 1e-12);
    let good = {
        let mut g = Customer::person(2, "Ayşe", "Yılmaz");
        g.national_id = Some("10000000146".into());
        g
    };
    assert!(
        validate_customer(&good, today)
            .iter()
            .all(|f| f.reason.contains("published example"))
    );
}

fn sample_precision_recall(n: usize, seed: u64) -> (f64, f64) {
    let sample = SampleConfig::new(n).seed(seed).generate();
    let records: Vec<MatchRecord> = sample
        .customers
        .iter()
        .map(MatchRecord::from_customer)
        .collect();
    let ids: Vec<u64> = sample.customers.iter().map(|c| c.id).collect();
    let d = find_duplicates(&records, &DedupConfig::default()).unwrap();
    let truth = crate::sample::duplicate_pairs(&sample.duplicates);
    precision_recall(&d.clustered_pairs(&ids), &truth)
}

#[test]
fn duplicates_in_the_sample_are_found_with_the_default_settings() {
    let (precision, recall) = sample_precision_recall(3_000, 3);
    assert!(
        precision >= 0.97 && recall >= 0.97,
        "precision {precision}, recall {recall}"
    );
}

#[test]
fn pairs_carry_their_evidence_and_clusters_their_smallest_row() {
    let mut a = Customer::person(1, "Şükrü", "Çağlar");
    a.national_id = Some("10000000146".into());
    a.phones = vec!["0532 123 45 67".into()];
    a.birth_date = NaiveDate::from_ymd_opt(1980, 5, 17);
    let mut b = Customer::person(2, "Caglar", "Sukru"); // swapped and typed without marks
    b.phones = vec!["+90 532 123 4567".into()];
    b.birth_date = NaiveDate::from_ymd_opt(1980, 5, 17);
    let other = Customer::person(3, "Mehmet", "Öztürk");
    let mut records: Vec<MatchRecord> = [a, b, other]
        .iter()
        .map(MatchRecord::from_customer)
        .collect();
    // A crowd of unrelated records for the model to learn what chance agreement looks like.
    let sample = SampleConfig::new(2_000).seed(5).generate();
    records.extend(sample.customers.iter().map(MatchRecord::from_customer));
    let d = find_duplicates(&records, &DedupConfig::default()).unwrap();
    let pair = d
        .pairs
        .iter()
        .find(|p| p.left == 0 && p.right == 1)
        .expect("found");
    assert!(pair.probability > 0.9);
    let name = pair.evidence.iter().find(|e| e.0 == "name").unwrap();
    assert_eq!(
        name.1,
        Level::Same,
        "swapped and folded names compare equal"
    );
    assert_eq!(d.cluster[1], 0);
    assert_eq!(d.cluster[2], 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Normalised names are fixed points; phone normalisation is idempotent.
    #[test]
    fn normalisers_are_idempotent(name in "[a-zA-ZçğıöşüÇĞİÖŞÜ .]{0,24}", digits in "[0-9]{10}") {
        let n = normalize_name(&name);
        prop_assert_eq!(normalize_name(&n), n.clone());
        if let Some(p) = normalize_phone(&digits) {
            prop_assert_eq!(normalize_phone(&p), Some(p.clone()));
        }
    }
}

#[test]
fn the_golden_record_never_prefers_an_invented_value() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let t = |y| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, 1, 1, 0, 0, 0).unwrap();
    let mut a = Customer::person(1, "Şükrü", "Çağlar");
    a.acquired_at = Some(t(2020));
    a.national_id = Some("10000000146".into()); // a published example: flagged
    a.phones = vec!["0532 123 45 67".into()];
    a.address.line = Some("Atatürk Cad. 12".into());
    a.address.city = Some("Ankara".into());
    let mut b = Customer::person(2, "Sukru", "Caglar");
    b.acquired_at = Some(t(2023));
    b.national_id = Some("12345678950".into()); // flagged too
    b.phones = vec!["+90 532 123 4567".into(), "5555555555".into()];
    b.emails = vec!["sukru@gmail.com".into()];
    b.address.line = Some("yok".into());
    let mut c = Customer::person(3, "Şükrü", "Çağlar");
    c.acquired_at = Some(t(2021));
    c.birth_date = NaiveDate::from_ymd_opt(1980, 5, 17);
    let g = golden_record(&[a, b, c], &GoldenRules::default(), today);
    let gc = &g.customer;
    assert_eq!(gc.id, 1);
    // "Şükrü Çağlar" twice against "Sukru Caglar" once: most frequent wins, and of the two
    // the first record (1) is credited: names go to the record the others were copied from.
    assert_eq!(gc.given_name.as_deref(), Some("Şükrü"));
    assert_eq!(g.provenance["given_name"], 1);
    // Both national ids are placeholders: none survives, the first record's stays as is.
    assert!(!g.provenance.contains_key("national_id"));
    // The address with "yok" cannot win; record 1's full address does.
    assert_eq!(gc.address.line.as_deref(), Some("Atatürk Cad. 12"));
    assert_eq!(g.provenance["address"], 1);
    // Contacts: the union of real values, normalised, the invented 5555555555 left out.
    assert_eq!(gc.phones, vec!["+905321234567".to_owned()]);
    assert_eq!(gc.emails, vec!["sukru@gmail.com".to_owned()]);
    assert_eq!(gc.birth_date, NaiveDate::from_ymd_opt(1980, 5, 17));
    assert_eq!(gc.acquired_at, Some(t(2020)));
    // Source priority takes the first record's name instead.
    let rules = GoldenRules {
        default: Survivorship::SourcePriority,
        ..GoldenRules::default()
    };
    let mut d = Customer::person(4, "Sukru", "Caglar");
    d.acquired_at = Some(t(2024));
    let e = Customer::person(5, "Şükrü", "Çağlar");
    let g2 = golden_record(&[d, e.clone(), e], &rules, today);
    assert_eq!(g2.customer.given_name.as_deref(), Some("Sukru"));
}

#[test]
fn the_quality_report_counts_fill_rates_by_hand() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    // A: every scored field usable. TCKN 24681357994: d10 = (7·(2+6+1+5+9) − (4+8+3+7)) mod
    // 10 = 139 mod 10 = 9; d11 = (2+4+6+8+1+3+5+7+9+9) mod 10 = 4.
    let mut a = Customer::person(1, "Ayşe", "Yılmaz");
    a.national_id = Some("24681357994".into());
    a.birth_date = NaiveDate::from_ymd_opt(1985, 3, 12);
    a.emails = vec!["ayse.yilmaz@gmail.com".into()];
    a.phones = vec!["0532 123 45 67".into()];
    a.address.line = Some("Atatürk Cad. 12".into());
    a.address.city = Some("Ankara".into());
    a.address.postcode = Some("06100".into());
    // B: invented given name, id and e-mail; a phone that is no number; province 90 does
    // not exist. Usable: family name and city, 2 of 9.
    let mut b = Customer::person(2, "test", "Kaya");
    b.national_id = Some("11111111111".into());
    b.emails = vec!["a@a.com".into()];
    b.phones = vec!["12345".into()];
    b.address.city = Some("İzmir".into());
    b.address.postcode = Some("90210".into());
    // C: an organisation with name, tax number, e-mail and phone: 4 of 7.
    let mut c = Customer::organisation(3, "Kaya Gıda A.Ş.");
    c.tax_id = Some("0010000009".into());
    c.emails = vec!["info@kayagida.com.tr".into()];
    c.phones = vec!["0212 555 12 12".into()];
    let r = quality_report(&[a, b, c], today);
    assert_eq!((r.records, r.persons, r.organisations), (3, 2, 1));
    let fill = |name: &str| {
        let f = r.fields.iter().find(|f| f.field == name).unwrap();
        (f.records, f.usable, f.invalid, f.invented)
    };
    assert_eq!(fill("given_name"), (2, 1, 0, 1));
    assert_eq!(fill("family_name"), (2, 2, 0, 0));
    assert_eq!(fill("national_id"), (2, 1, 0, 1));
    assert_eq!(fill("birth_date"), (2, 1, 0, 0));
    assert_eq!(fill("email"), (3, 2, 0, 1));
    assert_eq!(fill("phone"), (3, 2, 1, 0));
    assert_eq!(fill("address.line"), (3, 1, 0, 0));
    assert_eq!(fill("address.city"), (3, 2, 0, 0));
    assert_eq!(fill("address.postcode"), (3, 1, 1, 0));
    assert_eq!(fill("organisation_name"), (1, 1, 0, 0));
    assert_eq!(fill("tax_id"), (1, 1, 0, 0));
    let email = r.fields.iter().find(|f| f.field == "email").unwrap();
    assert!((email.fill_rate - 2.0 / 3.0).abs() < 1e-12);
    let mean = (1.0 + 2.0 / 9.0 + 4.0 / 7.0) / 3.0;
    assert!((r.mean_completeness - mean).abs() < 1e-12);
    assert_eq!(r.mostly_empty, 1);
    let invented: Vec<(u64, &str)> = r
        .invented
        .iter()
        .map(|f| (f.customer_id, f.finding.field.as_str()))
        .collect();
    assert_eq!(
        invented,
        vec![(2, "given_name"), (2, "national_id"), (2, "emails[0]")]
    );
    assert_eq!(r.invalid.len(), 2);
    assert_eq!(r.invented_by_reason.iter().map(|r| r.1).sum::<usize>(), 3);
    assert!(
        r.invented
            .iter()
            .all(|f| !f.finding.value.contains("1111111"))
    );
}

#[test]
fn columns_with_an_unknown_name_or_a_wrong_length_are_refused() {
    let two = [Some("a"), None];
    let err = records_from_columns(2, &[("nickname", &two[..])]).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("nickname"), "{err}");
    let err = records_from_columns(3, &[("surname", &two[..])]).unwrap_err();
    assert!(err.to_string().contains("2 values for 3 records"), "{err}");
    // Dates in the spellings forms use; an impossible one is no evidence.
    let dates = [
        Some("17.05.1980"),
        Some("17/05/1980"),
        Some("19800517"),
        Some("1980-02-30"),
        Some("yok"),
    ];
    let records = records_from_columns(5, &[("birth_date", &dates[..])]).unwrap();
    let may17 = NaiveDate::from_ymd_opt(1980, 5, 17);
    let read: Vec<_> = records.iter().map(|r| r.birth_date).collect();
    assert_eq!(read, vec![may17, may17, may17, None, None]);
}
#[test]
fn a_golden_name_moves_whole_and_keeps_its_turkish_letters() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let t = |y| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, 1, 1, 0, 0, 0).unwrap();
    let dated = |id, given: &str, family: &str, year| {
        let mut c = Customer::person(id, given, family);
        c.acquired_at = Some(t(year));
        c
    };
    // Field by field, "Fatma" (2 of 3) would be the given name and "Fatma" (the longest of
    // three single family names) the family name: "Fatma Fatma", nobody's name.
    let records = [
        dated(1, "Fatma", "Kaya", 2020),
        dated(2, "Kaya", "Fatma", 2021),
        dated(3, "Fatma", "Kya", 2022),
    ];
    let g = golden_record(&records, &GoldenRules::default(), today);
    let name = (
        g.customer.given_name.clone(),
        g.customer.family_name.clone(),
    );
    assert!(
        records
            .iter()
            .any(|r| (r.given_name.clone(), r.family_name.clone()) == name),
        "{name:?}"
    );
    assert_eq!(g.provenance["given_name"], g.provenance["family_name"]);
    // A tie between the name typed with Turkish letters and without: the letters win, though
    // the folded record is more recent.
    let g = golden_record(
        &[
            dated(4, "Şükrü", "Çağlar", 2020),
            dated(5, "Sukru", "Caglar", 2023),
        ],
        &GoldenRules::default(),
        today,
    );
    assert_eq!(g.customer.given_name.as_deref(), Some("Şükrü"));
    assert_eq!(g.customer.family_name.as_deref(), Some("Çağlar"));
    assert_eq!(g.provenance["family_name"], 4);
}

/// Any text in any field: a record built from a small pool of values, so that some agree.
fn arbitrary_record() -> impl Strategy<Value = MatchRecord> {
    let text = |pool: &'static [&'static str]| {
        prop_oneof![
            Just(None),
            proptest::sample::select(pool).prop_map(|s| Some(s.to_owned())),
            "\\PC{0,12}".prop_map(Some),
        ]
    };
    let date = proptest::option::of((1900i32..2030, 1u32..13, 1u32..29))
        .prop_map(|d| d.and_then(|(y, m, day)| NaiveDate::from_ymd_opt(y, m, day)));
    (
        text(&["Ayşe", "AYSE", "Mehmet", "", "test"]),
        text(&["Yılmaz", "Yilmaz", "Kaya", "-"]),
        date,
        text(&["a@b.com", "A@B.COM", "test@test.com", "x@"]),
        text(&["0532 123 45 67", "+905321234567", "5555555555", "12"]),
        text(&["Atatürk Cad. 12", "yok"]),
        text(&["06100", "99999"]),
        text(&["10000000146", "24681357994", "11111111111", "1234567"]),
    )
        .prop_map(
            |(given_name, surname, birth_date, email, phone, address, postcode, national_id)| {
                MatchRecord {
                    given_name,
                    surname,
                    birth_date,
                    email,
                    phone,
                    address,
                    city: None,
                    postcode,
                    national_id,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Whatever the records, duplicate detection answers: a cluster per row naming its
    /// smallest row, pairs ordered, above the threshold, with probabilities in [0, 1].
    #[test]
    fn any_table_gets_well_formed_clusters(records in proptest::collection::vec(arbitrary_record(), 0..40)) {
        let d = find_duplicates(&records, &DedupConfig::default()).unwrap();
        prop_assert_eq!(d.cluster.len(), records.len());
        for (row, &c) in d.cluster.iter().enumerate() {
            prop_assert!(c <= row);
            prop_assert_eq!(d.cluster[c], c);
        }
        for p in &d.pairs {
            prop_assert!(p.left < p.right && p.right < records.len());
            prop_assert!(p.probability >= 0.9 && p.probability <= 1.0);
        }
        prop_assert!(d.model.prior > 0.0 && d.model.prior <= 0.5);
    }
}

#[test]
fn customers_from_columns_map_fields_and_tell_persons_from_organisations() {
    let org = [Some("Kaya Ltd. Şti."), Some("Demir A.Ş."), None];
    let surname = [None, Some("Demir"), Some("Yılmaz")];
    let email = [None, None, Some("ayse@example.com")];
    let city = [Some("İzmir"), None, None];
    let birth = [None, Some(""), Some("17.05.1980")];
    let c = customers_from_columns(
        3,
        &[
            ("organisation_name", &org[..]),
            ("surname", &surname[..]),
            ("email", &email[..]),
            ("city", &city[..]),
            ("birth_date", &birth[..]),
        ],
    )
    .unwrap();
    use crate::model::CustomerKind::{Organisation, Person};
    // Row 0: an organisation name only; row 1: a family name too, so a person (as the
    // Python package decided before); row 2: a person.
    assert_eq!(
        c.iter().map(|c| c.kind).collect::<Vec<_>>(),
        [Organisation, Person, Person]
    );
    assert_eq!(c[1].family_name.as_deref(), Some("Demir"));
    assert_eq!(c[0].address.city.as_deref(), Some("İzmir"));
    assert_eq!(c[2].emails, ["ayse@example.com"]);
    assert_eq!(c[1].birth_date, None);
    assert_eq!(c[2].birth_date, NaiveDate::from_ymd_opt(1980, 5, 17));
    assert_eq!(c.iter().map(|c| c.id).collect::<Vec<_>>(), [0, 1, 2]);
    let e = customers_from_columns(2, &[("surname", &surname[..])]).unwrap_err();
    assert_eq!(e.field(), Some("surname"));
    let bad = [Some("31.02.1980")];
    let e = customers_from_columns(1, &[("birth_date", &bad[..])]).unwrap_err();
    assert_eq!(e.field(), Some("birth_date[0]"));
    assert!(!e.to_string().contains("31.02.1980"), "{e}");
}

#[test]
fn assess_gives_findings_filled_fields_and_completeness_in_one_result() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let mut c = Customer::person(9, "Ayşe", "Kaya");
    c.phones = vec!["5555555555".into()];
    c.national_id = Some("24681357994".into());
    let q = assess_customer(&c, today);
    // Nine person fields; given name, family name and the valid national id are usable, the
    // placeholder phone is not: 3 / 9.
    assert_eq!(q.id, 9);
    assert_eq!(q.filled.len(), 9);
    assert_eq!(q.completeness, 3.0 / 9.0);
    assert_eq!(q.completeness, completeness(&c, today));
    assert_eq!(
        q.findings
            .iter()
            .map(|f| f.field.as_str())
            .collect::<Vec<_>>(),
        ["phones[0]"]
    );
    assert!(q.filled.contains(&("phone".to_owned(), false)));
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["filled"][0], serde_json::json!(["given_name", true]));
    assert_eq!(assess(&[c.clone(), c], today).len(), 2);
}

/// Issue 16, bug 3: birth dates duplicate detection reads are read by the quality checks
/// too, and impossible or unreadable ones are findings, never a failed report.
#[test]
fn odd_and_impossible_birth_dates_are_findings_not_failures() {
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let births = [
        Some("19800517"),
        Some("17.05.1980"),
        Some("1980-02-30"),
        Some("mayıs 1980"),
        None,
    ];
    let given = [Some("Ayşe"); 5];
    let cols: [(&str, &[Option<&str>]); 2] = [("given_name", &given), ("birth_date", &births)];
    let (c, read) = customers_from_columns_with_findings(5, &cols).unwrap();
    let may17 = NaiveDate::from_ymd_opt(1980, 5, 17);
    assert_eq!((c[0].birth_date, c[1].birth_date), (may17, may17));
    assert_eq!((c[2].birth_date, c[3].birth_date), (None, None));
    let r = quality_report_with_findings(&c, &read, today).unwrap();
    let invalid: Vec<(u64, &str, &str)> = r
        .invalid
        .iter()
        .map(|f| {
            (
                f.customer_id,
                f.finding.field.as_str(),
                f.finding.reason.as_str(),
            )
        })
        .collect();
    assert_eq!(invalid.len(), 2, "{invalid:?}");
    assert_eq!((invalid[0].0, invalid[0].1), (2, "birth_date"));
    assert!(invalid[0].2.starts_with("impossible date"));
    assert_eq!(invalid[1].0, 3);
    assert!(invalid[1].2.starts_with("not a date"));
    // The value is masked as every personal value is (its first characters and length).
    assert_eq!(r.invalid[0].finding.value, "1980******");
    assert!(r.invalid.iter().all(|f| !f.finding.value.contains("02-30")));
    let birth = r.fields.iter().find(|f| f.field == "birth_date").unwrap();
    assert_eq!((birth.records, birth.usable, birth.invalid), (5, 2, 2));
    // The JSON form reads the same spellings (it used to refuse "19800517" outright).
    let text = r#"[{"id": 0, "given_name": "Ayşe", "birth_date": "19800517"},
                   {"id": 1, "given_name": "Ayşe", "birth_date": "1980-02-30"}]"#;
    let (c, read) = customers_with_findings(text).unwrap();
    assert_eq!(c[0].birth_date, may17);
    let q = assess_with_findings(&c, &read, today).unwrap();
    assert!(q[0].findings.is_empty());
    assert_eq!(q[1].findings[0].field, "birth_date");
    assert!(q[1].completeness < q[0].completeness);
    // Duplicate detection reads them with the same reader.
    let names = [Some("Ayşe"), Some("Ayşe")];
    let b = [Some("19800517"), Some("17.05.1980")];
    let m = records_from_columns(2, &[("given_name", &names[..]), ("birth_date", &b[..])]).unwrap();
    assert_eq!((m[0].birth_date, m[1].birth_date), (may17, may17));
}
