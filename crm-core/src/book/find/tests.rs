//! The hand-worked cases of the design (issue 18 §1) and the index's invariant: after any
//! sequence of writes, the kept index equals one built from scratch.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::ErrorKind;
use crate::book::Change;

fn person(id: u64, given: &str, family: &str, phone: &str, email: &str) -> Customer {
    let mut c = Customer::person(id, given, family);
    if !phone.is_empty() {
        c.phones.push(phone.into());
    }
    if !email.is_empty() {
        c.emails.push(email.into());
    }
    c
}

fn book() -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").unwrap();
    b.add_customer(person(
        1,
        "Ayşe",
        "Yılmaz",
        "0532 123 4567",
        "ayse.yilmaz@gmail.com",
    ))
    .unwrap();
    b.add_customer(person(
        2,
        "Ayşe",
        "Yılmaz",
        "0533 000 1122",
        "a.yilmaz@hotmail.com",
    ))
    .unwrap();
    b.add_customer(person(3, "Ayten", "Yıldız", "+90 212 555 12 12", ""))
        .unwrap();
    b
}

fn ids(found: &[Match]) -> Vec<u64> {
    found.iter().map(|m| m.customer_id).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn a_messy_phone_or_email_finds_its_customer() {
    let b = book();
    for typed in ["0 (532) 123 45 67", "+90 532 1234567", "905321234567"] {
        let found = b.find(&Lookup::phone(typed)).unwrap();
        assert_eq!(
            found,
            [Match {
                customer_id: 1,
                score: 1.0,
                matched_on: vec![MatchedOn::Phone]
            }],
            "{typed}"
        );
    }
    let found = b.find(&Lookup::email(" AYSE.Yilmaz@GMAIL.COM ")).unwrap();
    assert_eq!(ids(&found), [1]);
    assert_eq!(found[0].matched_on, [MatchedOn::Email]);
    assert!(b.find(&Lookup::phone("0532 123 4568")).unwrap().is_empty());
}

#[test]
fn ids_and_references_are_exact_keys() {
    let mut b = book();
    let mut c = b.customer(3).unwrap().clone();
    c.tax_id = Some("1234567890".into());
    c.external_ref = Some("CRM-0003".into());
    b.update_customer(c).unwrap();
    let mut d = b.customer(1).unwrap().clone();
    d.national_id = Some("10000000146".into());
    b.update_customer(d).unwrap();
    let by_id = |s: &str| Lookup {
        national_id: Some(s.into()),
        ..Lookup::default()
    };
    let found = b.find(&by_id("123 456 7890")).unwrap();
    assert_eq!(
        (ids(&found), found[0].matched_on.clone()),
        (vec![3], vec![MatchedOn::TaxId])
    );
    let found = b.find(&by_id("10000000146")).unwrap();
    assert_eq!(
        (ids(&found), found[0].matched_on.clone()),
        (vec![1], vec![MatchedOn::NationalId])
    );
    let by_ref = |s: &str| Lookup {
        external_ref: Some(s.into()),
        ..Lookup::default()
    };
    assert_eq!(ids(&b.find(&by_ref(" CRM-0003 ")).unwrap()), [3]);
    assert!(b.find(&by_ref("crm-0003")).unwrap().is_empty());
}

#[test]
fn names_match_in_any_order_prefix_or_fuzzy() {
    let b = book();
    // Both Ayşe Yılmaz, 1.0, by id.
    let found = b.find(&Lookup::name("Yılmaz Ayşe")).unwrap();
    assert_eq!(ids(&found), [1, 2]);
    assert!(
        found
            .iter()
            .all(|m| m.score == 1.0 && m.matched_on == [MatchedOn::Name])
    );
    // yilmas ~ yilmaz: Jaro (5/6 + 5/6 + 5/5)/3 = 0.8889 (5 of 6 letters match, no
    // transposition), prefix 4 → JW = 0.8889 + 0.4·0.1111 = 0.9333; mean with ayşe's 1.0.
    let jaro = (5.0 / 6.0 + 5.0 / 6.0 + 1.0) / 3.0;
    let jw = jaro + 4.0 * 0.1 * (1.0 - jaro);
    let found = b.find(&Lookup::name("ayşe yılmas")).unwrap();
    assert_eq!(ids(&found), [1, 2]);
    assert!(close(found[0].score, (1.0 + jw) / 2.0), "{found:?}");
    assert!((found[0].score - 0.9667).abs() < 5e-5);
    // Prefixes: ay→ayse 0.8 + 0.2·2/4 = 0.9, yil→yilmaz 0.8 + 0.2·3/6 = 0.9 → 0.90;
    // ay→ayten 0.8 + 0.2·2/5 = 0.88, yil→yildiz 0.9 → 0.89.
    let found = b.find(&Lookup::name("ay yıl")).unwrap();
    assert_eq!(ids(&found), [1, 2, 3]);
    assert!(
        close(found[0].score, 0.90) && close(found[2].score, 0.89),
        "{found:?}"
    );
    // A word that matches nobody: no result (every word must match).
    assert!(b.find(&Lookup::name("ayşe kaya")).unwrap().is_empty());
    // Limit: the best by score, then id.
    let one = Lookup {
        limit: 1,
        ..Lookup::name("ay yıl")
    };
    assert_eq!(ids(&b.find(&one).unwrap()), [1]);
}

#[test]
fn several_criteria_score_their_mean() {
    let b = book();
    let l = Lookup {
        phone: Some("0532 123 45 67".into()),
        name: Some("ayse yilmas".into()),
        ..Lookup::default()
    };
    let found = b.find(&l).unwrap();
    let jaro = (5.0 / 6.0 + 5.0 / 6.0 + 1.0) / 3.0;
    let name = (1.0 + jaro + 0.4 * (1.0 - jaro)) / 2.0;
    assert_eq!(ids(&found), [1, 2]);
    assert!(close(found[0].score, (1.0 + name) / 2.0), "{found:?}"); // 0.9833
    assert_eq!(found[0].matched_on, [MatchedOn::Phone, MatchedOn::Name]);
    assert!(close(found[1].score, name / 2.0), "{found:?}"); // 0.4833, the namesake
    assert_eq!(found[1].matched_on, [MatchedOn::Name]);
}

#[test]
fn writes_keep_the_index_current_and_merged_ids_find_the_survivor() {
    let mut b = book();
    let t = Utc.with_ymd_and_hms(2025, 1, 2, 10, 0, 0).unwrap();
    assert_eq!(ids(&b.find(&Lookup::phone("0533 000 11 22")).unwrap()), [2]);
    // The golden profile unites the phones; 2's e-mail is dropped from it.
    let mut golden = b.customer(1).unwrap().clone();
    golden.phones.push("0533 000 1122".into());
    b.merge(1, &[2], Some(golden), t).unwrap();
    assert_eq!(ids(&b.find(&Lookup::phone("0533 000 11 22")).unwrap()), [1]);
    assert!(
        b.find(&Lookup::email("a.yilmaz@hotmail.com"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(ids(&b.find(&Lookup::name("ayşe yılmaz")).unwrap()), [1]);
    // An update: the old number finds nobody, the new one its customer.
    let mut c = b.customer(1).unwrap().clone();
    c.phones = vec!["0544 999 8877".into()];
    b.update_customer(c).unwrap();
    assert!(b.find(&Lookup::phone("0532 123 4567")).unwrap().is_empty());
    assert_eq!(ids(&b.find(&Lookup::phone("05449998877")).unwrap()), [1]);
    // A failed batch leaves nothing behind.
    let batch = [
        person(9, "Ali", "Kaya", "0555 111 2233", ""),
        person(9, "X", "Y", "", ""),
    ];
    assert!(b.add_customers(batch).is_err());
    assert!(b.find(&Lookup::phone("0555 111 2233")).unwrap().is_empty());
    assert!(b.find(&Lookup::name("ali")).unwrap().is_empty());
}

#[test]
fn bad_lookups_name_the_field() {
    let b = book();
    let field = |l: Lookup| {
        let e = b.find(&l).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        e.field().map(str::to_owned)
    };
    let zero = Lookup {
        limit: 0,
        ..Lookup::phone("0532 123 4567")
    };
    assert_eq!(field(zero).as_deref(), Some("limit"));
    let big = Lookup {
        limit: MAX_FIND_LIMIT + 1,
        ..Lookup::phone("0532 123 4567")
    };
    assert_eq!(field(big).as_deref(), Some("limit"));
    assert_eq!(field(Lookup::default()).as_deref(), Some("lookup"));
    assert_eq!(field(Lookup::phone("call me")).as_deref(), Some("phone"));
    assert_eq!(field(Lookup::email("nobody")).as_deref(), Some("email"));
    assert_eq!(field(Lookup::name("  Sn. ")).as_deref(), Some("name"));
    let msg = b
        .find(&Lookup::phone("0532 abc 4567"))
        .unwrap_err()
        .to_string();
    assert!(!msg.contains("0532 abc 4567"), "{msg}");
    let json: Lookup = serde_json::from_str(r#"{"phone": "0532 123 4567"}"#).unwrap();
    assert_eq!(json, Lookup::phone("0532 123 4567"));
    assert!(serde_json::from_str::<Lookup>(r#"{"fone": "1"}"#).is_err());
}

const PHONES: [&str; 4] = ["0532 123 4567", "+90 532 123 45 67", "0533 000 1122", ""];
const NAMES: [(&str, &str); 4] = [
    ("Ayşe", "Yılmaz"),
    ("Ayten", "Yıldız"),
    ("AYSE", "YILMAS"),
    ("Mehmet", "Öztürk"),
];

#[derive(Debug, Clone)]
enum Op {
    Add(u64, usize, usize),
    Update(u64, usize, usize),
    FailedBatch(u64, usize),
    Merge(u64, u64, bool),
    DroppedMerge(u64, u64),
    Change(u64, usize),
}

fn op() -> impl Strategy<Value = Op> {
    let id = 1u64..8;
    prop_oneof![
        (id.clone(), 0..4usize, 0..4usize).prop_map(|(i, p, n)| Op::Add(i, p, n)),
        (id.clone(), 0..4usize, 0..4usize).prop_map(|(i, p, n)| Op::Update(i, p, n)),
        (id.clone(), 0..4usize).prop_map(|(i, p)| Op::FailedBatch(i, p)),
        (id.clone(), id.clone(), any::<bool>()).prop_map(|(a, b, g)| Op::Merge(a, b, g)),
        (id.clone(), id.clone()).prop_map(|(a, b)| Op::DroppedMerge(a, b)),
        (id, 0..4usize).prop_map(|(i, p)| Op::Change(i, p)),
    ]
}

fn profile(id: u64, p: usize, n: usize) -> Customer {
    let (g, f) = NAMES[n];
    person(id, g, f, PHONES[p], &format!("c{}@x.com", n))
}

proptest! {
    #[test]
    fn the_kept_index_equals_one_built_from_scratch(ops in prop::collection::vec(op(), 1..40)) {
        let mut b = CustomerBook::with_currency("TRY").unwrap();
        b.build_lookup_index();
        let t = Utc.with_ymd_and_hms(2025, 1, 2, 10, 0, 0).unwrap();
        for op in ops {
            match op {
                Op::Add(i, p, n) => {
                    let _ = b.add_customer(profile(i, p, n));
                }
                Op::Update(i, p, n) => {
                    let _ = b.update_customer(profile(i, p, n));
                }
                Op::FailedBatch(i, p) => {
                    // 100 + i is new; the batch then fails on an unknown referrer.
                    let mut bad = profile(200, p, 0);
                    bad.referred_by = Some(999);
                    prop_assert!(b.add_customers([profile(100 + i, p, 1), bad]).is_err());
                }
                Op::Merge(a, c, golden) => {
                    let profile = golden.then(|| b.customer(a).cloned()).flatten().map(|mut s| {
                        if let Some(o) = b.customer(c) {
                            s.phones.extend(o.phones.iter().cloned());
                        }
                        s
                    });
                    let _ = b.merge(a, &[c], profile, t);
                }
                Op::DroppedMerge(a, c) => {
                    let change = Change::Merged { survivor: a, merged: vec![c], profile: None, at: t };
                    let add = Change::CustomerAdded { customer: profile(300 + a, 0, 3) };
                    if let Ok(prepared) = b.prepare_all([&add, &change]) {
                        drop(prepared);
                    }
                }
                Op::Change(i, p) => {
                    let _ = b.apply_change(&Change::CustomerUpdated { customer: profile(i, p, 2) });
                }
            }
            let fresh = LookupIndex::build(b.customers());
            prop_assert!(b.lookup.get().unwrap().same_as(&fresh));
        }
        // A reloaded book (its index built afresh) answers every lookup alike.
        let mut text = Vec::new();
        b.save_json(&mut text).unwrap();
        let back = CustomerBook::load_json(&text[..]).unwrap();
        for p in PHONES.iter().filter(|p| !p.is_empty()) {
            prop_assert_eq!(b.find(&Lookup::phone(p)).unwrap(), back.find(&Lookup::phone(p)).unwrap());
        }
        for (g, f) in NAMES {
            let l = Lookup::name(&format!("{g} {f}"));
            prop_assert_eq!(b.find(&l).unwrap(), back.find(&l).unwrap());
            let l = Lookup::name(&g[..2]);
            prop_assert_eq!(b.find(&l).unwrap(), back.find(&l).unwrap());
        }
    }
}

/// Name words with shared prefixes and near spellings, so that queries expand to several.
const WORDS: [&str; 10] = [
    "ayse", "aysel", "ayten", "yilmaz", "yilmas", "yildiz", "yildirim", "kaya", "kayan", "mehmet",
];

proptest! {
    /// The combined search, the driver walk and a brute-force scorer over every customer
    /// give the same names, scores and order (the combined one with an unbounded budget
    /// and with the production one).
    #[test]
    fn name_searches_agree_with_brute_force(
        names in prop::collection::vec(prop::collection::vec(0..WORDS.len(), 1..4), 1..60),
        query in prop::collection::vec((0..WORDS.len(), 0..3usize), 1..4),
        limit in 1..8usize,
    ) {
        let mut ix = names::NameIndex::default();
        for (i, ws) in names.iter().enumerate() {
            let words: Vec<&str> = ws.iter().map(|&w| WORDS[w]).collect();
            let c = Customer::person(i as u64 * 3 + 1, words[0], &words[1..].join(" "));
            ix.insert(&c);
        }
        // Each query word whole, cut to a prefix of 3 letters, or with its last letter doubled.
        let words: Vec<String> = query
            .iter()
            .map(|&(w, how)| {
                let w = WORDS[w];
                match how {
                    0 => w.to_owned(),
                    1 => w[..3].to_owned(),
                    _ => format!("{w}{}", &w[w.len() - 1..]),
                }
            })
            .collect();
        let mut words = words;
        words.sort_unstable();
        words.dedup();
        if let Some(exp) = ix.expansions(&words) {
            let all = ix.search_all(&exp, limit);
            prop_assert_eq!(ix.search_by_driver(&exp, limit), all.clone());
            prop_assert_eq!(ix.search_combined(&exp, limit, usize::MAX), Some(all.clone()));
            prop_assert_eq!(ix.search(&exp, limit), all);
        }
    }
}
