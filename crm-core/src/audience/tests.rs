use proptest::prelude::*;

use super::*;
use crate::ErrorKind;

const DESIGN_RULE: &str = r#"{"all": [{"field": "tier", "in": ["Gold", "Platinum"]},
                                      {"not": {"field": "recency_days", "gt": 90}}]}"#;

/// The design's six customers, worked by hand:
/// 1 Gold, 10 days, opted in → included (the rule holds at its root `$`);
/// 2 Platinum, 30 days, opted in → included;
/// 3 Iron → out at `all[0]` (tier);
/// 4 Gold, 200 days → out at `all[1]` (the `not`: recency > 90);
/// 5 Gold, 5 days, never decided → no_consent;
/// 6 Platinum, no purchase (recency missing: `gt` fails, so the `not` holds), withdrew →
///   consent_withdrawn.
fn design_inputs() -> AudienceInputs {
    let mut inputs = AudienceInputs {
        customer_id: vec![1, 2, 3, 4, 5, 6],
        ..AudienceInputs::default()
    };
    inputs.columns.insert(
        Field::Tier,
        Column::text(
            ["Gold", "Platinum", "Iron", "Gold", "Gold", "Platinum"]
                .into_iter()
                .map(Some),
        ),
    );
    inputs.columns.insert(
        Field::RecencyDays,
        Column::Number(vec![10.0, 30.0, 10.0, 200.0, 5.0, f64::NAN]),
    );
    use ConsentState::*;
    inputs.consent = vec![Granted, Granted, Granted, Granted, Never, Withdrawn];
    inputs
}

#[test]
fn the_design_example_by_hand() {
    let a = Audience::from_json(DESIGN_RULE).unwrap();
    let s = select_columns(&a, &design_inputs()).unwrap();
    assert_eq!(s.included, [true, true, false, false, false, false]);
    use Reason::*;
    assert_eq!(
        s.reason,
        [
            Included,
            Included,
            RuleFailed,
            RuleFailed,
            NoConsent,
            ConsentWithdrawn
        ]
    );
    let paths: Vec<&str> = (0..6).map(|i| s.rule_path(i)).collect();
    assert_eq!(paths, ["$", "$", "all[0]", "all[1]", "$", "$"]);
    assert_eq!(s.counts[&Included], 2);
    assert_eq!(s.counts[&RuleFailed], 2);
    assert_eq!(s.counts[&NoConsent], 1);
    assert_eq!(s.counts[&ConsentWithdrawn], 1);
    assert_eq!(s.counts.values().sum::<usize>(), 6);
    let decided: Vec<(&str, usize)> = s
        .nodes
        .iter()
        .map(|n| (n.path.as_str(), n.decided))
        .collect();
    assert_eq!(
        decided,
        [("$", 4), ("all[0]", 1), ("all[1]", 1), ("all[1].not", 0)]
    );
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["rule"][3], "all[1]");
    assert_eq!(json["reason"][4], "no_consent");
    assert_eq!(json["counts"]["consent_withdrawn"], 1);
}

#[test]
fn an_any_names_its_first_passing_child_and_a_failing_any_itself() {
    let a = Audience::from_json(
        r#"{"any": [{"field": "tier", "eq": "Iron"}, {"field": "recency_days", "lt": 20}]}"#,
    )
    .unwrap();
    let mut inputs = design_inputs();
    inputs.consent.clear();
    let s = select_columns(&a, &inputs).unwrap();
    // 1: 10 days → any[1]; 2: neither → the any ($); 3: Iron → any[0]; 4: neither;
    // 5: 5 days → any[1]; 6: missing recency → neither.
    assert_eq!(s.included, [true, false, true, false, true, false]);
    let paths: Vec<&str> = (0..6).map(|i| s.rule_path(i)).collect();
    assert_eq!(paths, ["any[1]", "$", "any[0]", "$", "any[1]", "$"]);
}

#[test]
fn a_missing_value_fails_ne_too() {
    let a = Audience::from_json(r#"{"field": "recency_days", "ne": 10}"#).unwrap();
    let mut inputs = design_inputs();
    inputs.consent.clear();
    let s = select_columns(&a, &inputs).unwrap();
    assert_eq!(s.included, [false, true, false, true, true, false]);
}

fn bad(rule: &str) -> CrmError {
    Audience::from_json(rule).unwrap_err()
}

#[test]
fn each_bad_rule_names_its_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"all": [{"field": "tire", "eq": "Gold"}]}"#,
            "all[0].field",
            "did you mean `tier`?",
        ),
        (r#"{"field": "score", "gt": "high"}"#, "gt", "is a number"),
        (
            r#"{"any": [{}, {"field": "region", "lt": 3}]}"#,
            "any[1].lt",
            "needs a numeric field",
        ),
        (r#"{"field": "tier", "in": "Gold"}"#, "in", "needs a list"),
        (
            r#"{"not": {"field": "stage", "eq": "gold"}}"#,
            "not.eq",
            "prospect, new, active",
        ),
        (
            r#"{"field": "score", "gt": 1, "lt": 5}"#,
            "rule",
            "exactly one operator",
        ),
        (r#"{"field": "score"}"#, "rule", "exactly one operator"),
        (r#"{"nto": {}}"#, "nto", "did you mean `not`?"),
        (r#"{"all": []}"#, "all", "at least one rule"),
        (r#"{"all": [3]}"#, "all[0]", "rule object"),
        (r#"{"all": [{}], "any": [{}]}"#, "rule", "exactly one of"),
        (r#"{"eq": 3}"#, "field", "needs a field"),
        (
            r#"{"field": "tier", "in": ["Gold", 2]}"#,
            "in[1]",
            "compare it with a string",
        ),
        (
            r#"{"field": "consent", "eq": "pigeon"}"#,
            "eq",
            "is not a consent",
        ),
        (r#"{"field": 7, "eq": 1}"#, "field", "field name"),
    ];
    for &(rule, path, text) in cases {
        let e = bad(rule);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{rule}: {e}");
        assert_eq!(e.field(), Some(path), "{rule}: {e}");
        assert!(e.to_string().contains(text), "{rule}: {e}");
    }
    assert_eq!(bad("{").kind(), ErrorKind::Parse);
}

#[test]
fn the_limits_are_checked() {
    let deep = format!("{}{{}}{}", r#"{"not": "#.repeat(40), "}".repeat(40));
    let e = bad(&deep);
    assert!(e.to_string().contains("at most 32 deep"), "{e}");
    let wide = format!("{{\"all\": [{}]}}", vec!["{}"; MAX_RULE_NODES].join(","));
    assert!(bad(&wide).to_string().contains("at most 1024 nodes"));
    let values: Vec<String> = (0..=MAX_IN_VALUES).map(|i| i.to_string()).collect();
    let many = format!("{{\"field\": \"score\", \"in\": [{}]}}", values.join(","));
    assert_eq!(bad(&many).field(), Some("in"));
}

#[test]
fn an_unknown_channel_or_option_is_named() {
    let e = SelectOptions::from_json(r#"{"at": "2025-01-01", "channel": "pigeon"}"#).unwrap_err();
    assert_eq!(e.field(), Some("channel"));
    assert!(e.to_string().contains("email"), "{e}");
    let e = SelectOptions::from_json(r#"{"channel": "sms"}"#).unwrap_err();
    assert_eq!(e.field(), Some("at"));
    let e = SelectOptions::from_json(r#"{"at": "2025-01-01", "chanel": "sms"}"#).unwrap_err();
    assert_eq!(e.field(), Some("chanel"));
    let e = SelectOptions::from_json(
        r#"{"at": "2025-01-01", "suppression": {"contacted_within_days": 5000}}"#,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("suppression.contacted_within_days"));
}

#[test]
fn named_audiences_and_their_errors() {
    let gold = Audience::from_json(r#"{"field": "tier", "eq": "Gold"}"#).unwrap();
    let a = Audience::from_json(r#"{"not": {"field": "audience", "eq": "gold"}}"#)
        .unwrap()
        .with_named("gold", gold)
        .unwrap();
    let mut inputs = design_inputs();
    inputs.consent.clear();
    let s = select_columns(&a, &inputs).unwrap();
    assert_eq!(s.included, [false, true, true, false, false, true]);
    let unknown = Audience::from_json(r#"{"field": "audience", "eq": "silver"}"#).unwrap();
    let e = select_columns(&unknown, &inputs).unwrap_err();
    assert_eq!(e.field(), Some("eq"));
}

#[test]
fn a_missing_column_is_named() {
    let a = Audience::from_json(r#"{"all": [{}, {"field": "clv", "gt": 1}]}"#).unwrap();
    let e = select_columns(&a, &design_inputs()).unwrap_err();
    assert_eq!(e.field(), Some("all[1].field"));
}

fn rule_strategy() -> impl Strategy<Value = String> {
    let leaf = (0.0f64..100.0, 0usize..4).prop_map(|(x, op)| {
        let op = ["lt", "gte", "eq", "ne"][op];
        format!(r#"{{"field": "score", "{op}": {x:.0}}}"#)
    });
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4)
                .prop_map(|v| format!(r#"{{"all": [{}]}}"#, v.join(","))),
            prop::collection::vec(inner.clone(), 1..4)
                .prop_map(|v| format!(r#"{{"any": [{}]}}"#, v.join(","))),
            inner.prop_map(|r| format!(r#"{{"not": {r}}}"#)),
        ]
    })
}

/// A row-at-a-time evaluation, written apart from the bitsets.
fn holds(rule: &Rule, score: f64) -> bool {
    match rule {
        Rule::Everyone => true,
        Rule::All(r) => r.iter().all(|r| holds(r, score)),
        Rule::Any(r) => r.iter().any(|r| holds(r, score)),
        Rule::Not(r) => !holds(r, score),
        Rule::Condition(c) => {
            let RuleValue::Number(x) = c.value else {
                unreachable!()
            };
            !score.is_nan()
                && match c.op {
                    Op::Lt => score < x,
                    Op::Gte => score >= x,
                    Op::Eq => score == x,
                    Op::Ne => score != x,
                    _ => unreachable!(),
                }
        }
    }
}

proptest! {
    #[test]
    fn bitsets_agree_with_row_by_row_and_rules_round_trip(
        rule in rule_strategy(),
        scores in prop::collection::vec(prop_oneof![Just(f64::NAN), (0u8..100).prop_map(f64::from)], 0..150),
    ) {
        let a = Audience::from_json(&rule).unwrap();
        prop_assert_eq!(Rule::from_value(&a.rule().to_value()).unwrap(), a.rule().clone());
        let inputs = AudienceInputs {
            customer_id: (0..scores.len() as u64).collect(),
            columns: [(Field::Score, Column::Number(scores.clone()))].into_iter().collect(),
            ..AudienceInputs::default()
        };
        let s = select_columns(&a, &inputs).unwrap();
        for (i, &x) in scores.iter().enumerate() {
            prop_assert_eq!(s.included[i], holds(a.rule(), x));
            // The deciding node, on its own, gives the row's outcome.
            let node = &s.nodes[usize::from(s.node[i])];
            let sub = Rule::from_json(&node.text).unwrap();
            prop_assert_eq!(holds(&sub, x), s.included[i], "{}", node.path);
        }
        prop_assert_eq!(s.counts.values().sum::<usize>(), scores.len());
        prop_assert_eq!(s.nodes.iter().map(|n| n.decided).sum::<usize>(), scores.len());
    }
}
