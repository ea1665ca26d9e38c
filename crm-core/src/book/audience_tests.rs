//! The audience engine on a real book: consent, suppression through merged ids, the
//! frequency cap from the book's contacts, and the book's channel and consent fields.

use chrono::{Duration, TimeZone, Utc};

use crate::audience::{Audience, Reason, SelectOptions, Suppression};
use crate::book::CustomerBook;
use crate::model::{
    Channel, ComplaintOpened, Consent, Customer, Direction, Event, Interaction, Priority,
};

fn t(day: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap() + Duration::days(day)
}

/// A book: 1 in Marmara opted in, contacted 3 days ago; 2 in Marmara opted in with an open
/// complaint; 3 in Ege opted in; 4 in Marmara opted in, merged into 1's neighbour 5
/// (5 itself opted in); 6 in Marmara opted in then out at one instant.
fn book() -> CustomerBook {
    let mut book = CustomerBook::with_currency("TRY").unwrap();
    for (id, region) in [
        (1, "Marmara"),
        (2, "Marmara"),
        (3, "Ege"),
        (4, "Marmara"),
        (5, "Marmara"),
        (6, "Marmara"),
    ] {
        let mut c = Customer::person(id, "Ali", "Kaya");
        c.region = Some(region.into());
        c.acquired_at = Some(t(-400));
        c.consents.push(Consent {
            channel: Channel::Email,
            granted: true,
            at: t(-100),
        });
        if id == 6 {
            c.consents.push(Consent {
                channel: Channel::Email,
                granted: false,
                at: t(-100),
            });
        }
        book.add_customer(c).unwrap();
    }
    let call = Interaction {
        channel: Channel::Phone,
        direction: Direction::Outbound,
        subject: None,
        outcome: None,
        agent: None,
    };
    book.record(Event::new(1, t(-3), call.clone())).unwrap();
    book.record(Event::new(3, t(-30), call)).unwrap();
    let complaint = ComplaintOpened {
        complaint_id: 77,
        priority: Priority::High,
        category: None,
        channel: None,
        description: None,
    };
    book.record(Event::new(2, t(-1), complaint)).unwrap();
    book.merge(5, &[4], None, t(-50)).unwrap();
    book
}

#[test]
fn the_book_applies_consent_and_each_suppression_in_order() {
    let book = book();
    let a = Audience::from_json(r#"{"field": "region", "eq": "Marmara"}"#).unwrap();
    let mut options = SelectOptions::new(t(0), Some(Channel::Email));
    options.suppression = Suppression {
        customer_ids: vec![4, 999],
        open_complaints: true,
        contacted_within_days: Some(7),
    };
    let s = book.select_audience(&a, &options).unwrap();
    assert_eq!(s.customer_id, [1, 2, 3, 5, 6]);
    use Reason::*;
    // 1 contacted 3 days ago; 2 complaint open; 3 Ege; 5 listed through merged id 4;
    // 6 granted and withdrew at one instant: withdrawn.
    assert_eq!(
        s.reason,
        [
            FrequencyCap,
            ComplaintOpen,
            RuleFailed,
            Suppressed,
            ConsentWithdrawn
        ]
    );
    assert_eq!(s.unknown_suppressed_ids, 1);
    // 3's call was 30 days ago: a 31-day cap counts it too (each check on its own).
    options.suppression.contacted_within_days = Some(31);
    let s = book.select_audience(&a, &options).unwrap();
    assert_eq!(s.counts_each[&FrequencyCap], 2);
    assert_eq!(s.counts[&FrequencyCap], 1);
    // Without suppression, 1, 2 and 5 are in.
    let s = book
        .select_audience(&a, &SelectOptions::new(t(0), Some(Channel::Email)))
        .unwrap();
    assert_eq!(s.included_ids(), [1, 2, 5]);
    // On SMS nobody decided.
    let s = book
        .select_audience(&a, &SelectOptions::new(t(0), Some(Channel::Sms)))
        .unwrap();
    assert_eq!(s.counts[&NoConsent], 4);
}

#[test]
fn a_campaign_send_counts_for_the_frequency_cap_and_an_assignment_does_not() {
    use crate::model::{CampaignEvent, CampaignStep};
    let mut book = book();
    let step = |step| CampaignEvent {
        campaign_id: "bahar-25".into(),
        step,
        channel: Some(Channel::Email),
        cost: 0,
    };
    // 6 was e-mailed by a campaign 2 days ago; 3 was only chosen for it, yesterday.
    book.record(Event::new(6, t(-2), step(CampaignStep::Sent)))
        .unwrap();
    book.record(Event::new(3, t(-1), step(CampaignStep::Targeted)))
        .unwrap();
    let a = Audience::from_json("{}").unwrap();
    let mut options = SelectOptions::new(t(0), None);
    options.suppression.contacted_within_days = Some(7);
    let s = book.select_audience(&a, &options).unwrap();
    // 1 (the call 3 days ago) and 6 (the send); not 3 (its call 30 days ago, then chosen).
    assert_eq!(
        s.customer_id
            .iter()
            .zip(&s.reason)
            .filter(|(_, r)| **r == Reason::FrequencyCap)
            .map(|(id, _)| *id)
            .collect::<Vec<_>>(),
        [1, 6]
    );
}

#[test]
fn channel_and_consent_fields_read_the_book() {
    let book = book();
    let a = Audience::from_json(r#"{"all": [{"field": "channel", "eq": "phone"}, {"field": "consent", "in": ["email", "sms"]}]}"#).unwrap();
    let s = book
        .select_audience(&a, &SelectOptions::new(t(0), None))
        .unwrap();
    assert_eq!(s.included_ids(), [1, 3]);
    // Before the calls, no phone channel.
    let s = book
        .select_audience(&a, &SelectOptions::new(t(-40), None))
        .unwrap();
    assert!(s.included_ids().is_empty());
}

#[test]
fn tiers_are_read_under_the_companys_segmentation_config() {
    use crate::segment::{PyramidConfig, SegmentationConfig, TierSpec};
    let mut book = book();
    // Customer 3 buys; the others do not: under a two-tier pyramid named VIP (top half)
    // and Rest, 3 is VIP.
    let purchase = crate::model::Purchase {
        amount: 50_000,
        currency: "TRY".into(),
        product: None,
        category: None,
        channel: None,
    };
    book.record(Event::new(3, t(-5), purchase)).unwrap();
    let tier = |name: &str, share| TierSpec {
        name: name.into(),
        share,
    };
    let config = SegmentationConfig {
        pyramid: PyramidConfig {
            tiers: vec![tier("VIP", 0.5), tier("Rest", 0.5)],
            ..PyramidConfig::default()
        },
        ..SegmentationConfig::default()
    };
    let a = Audience::from_json(r#"{"field": "tier", "eq": "VIP"}"#).unwrap();
    let mut options = SelectOptions::new(t(0), None);
    // Under the default config no tier is called VIP: nobody.
    assert!(
        book.select_audience(&a, &options)
            .unwrap()
            .included_ids()
            .is_empty()
    );
    options.segmentation = Some(config.clone());
    let vip = book.select_audience(&a, &options).unwrap().included_ids();
    assert!(vip.contains(&3), "{vip:?}");
    // The same through the options' JSON form (C).
    let json = serde_json::json!({"at": t(0), "segmentation": config}).to_string();
    let from_json = SelectOptions::from_json(&json).unwrap();
    assert_eq!(
        book.select_audience(&a, &from_json).unwrap().included_ids(),
        vip
    );
    // The consent report's tiers follow the same config: VIP and Rest (the default's
    // Platinum… without it), VIP holding exactly the customers the rule found, 3 among
    // them with its e-mail opt-in.
    use crate::audience::ConsentReportOptions;
    let json = serde_json::json!({"at": t(0), "segmentation": config}).to_string();
    let r = book
        .consent_report_with(&ConsentReportOptions::from_json(&json).unwrap())
        .unwrap();
    let email: Vec<_> = r
        .by_tier
        .iter()
        .filter(|t| t.channel == Channel::Email)
        .collect();
    let names: Vec<&str> = email.iter().map(|t| t.tier.as_str()).collect();
    assert_eq!(names, ["VIP", "Rest"]);
    assert_eq!(email[0].customers, vip.len());
    assert!(email[0].granted >= 1);
    assert_eq!(email[0].customers + email[1].customers, book.len());
    let default = book.consent_report(t(0)).unwrap();
    assert_eq!(default.by_tier[0].tier, "Platinum");
}

/// A campaign `opted_out` on a channel is a withdrawal there from its instant until a later
/// opt-in; an opt-in at the very instant loses (withdrawal wins); other channels, and an
/// opt-out without a channel, are untouched. Worked by hand per instant below.
#[test]
fn a_campaign_opt_out_is_a_withdrawal_on_its_channel() {
    use crate::model::{CampaignEvent, CampaignStep};
    let mut book = CustomerBook::with_currency("TRY").unwrap();
    for id in 1..=3 {
        let mut c = Customer::person(id, "Ali", "Kaya");
        for channel in [Channel::Email, Channel::Sms] {
            c.consents.push(Consent {
                channel,
                granted: true,
                at: t(0),
            });
        }
        book.add_customer(c).unwrap();
    }
    let opt_out = |id, day, channel| {
        let step = CampaignEvent {
            campaign_id: "bahar-25".into(),
            step: CampaignStep::OptedOut,
            channel,
            cost: 0,
        };
        Event::new(id, t(day), step)
    };
    // 1 opts out of e-mail on day 5, opts in again on day 8; 2 opts out on day 5 and opts
    // in at that very instant; 3's opt-out names no channel.
    book.record_all([
        opt_out(1, 5, Some(Channel::Email)),
        opt_out(2, 5, Some(Channel::Email)),
        opt_out(3, 5, None),
    ])
    .unwrap();
    let again = |day| Consent {
        channel: Channel::Email,
        granted: true,
        at: t(day),
    };
    book.record_consent(1, again(8)).unwrap();
    book.record_consent(2, again(5)).unwrap();
    let email = |id, day| book.consent_at(id, Channel::Email, t(day)).unwrap();
    assert_eq!(email(1, 4), Some(true)); // before the opt-out
    assert_eq!(email(1, 5), Some(false)); // from its instant
    assert_eq!(email(1, 7), Some(false));
    assert_eq!(email(1, 8), Some(true)); // the later opt-in
    assert_eq!(email(2, 9), Some(false)); // the same-instant opt-in loses
    assert_eq!(email(3, 9), Some(true)); // no channel: nothing withdrawn
    assert_eq!(book.consent_at(1, Channel::Sms, t(6)).unwrap(), Some(true));
    // The selection and the report read the same rule: on day 6, 1 and 2 are withdrawn.
    let all = Audience::from_json("{}").unwrap();
    let s = book
        .select_audience(&all, &SelectOptions::new(t(6), Some(Channel::Email)))
        .unwrap();
    assert_eq!(
        s.reason,
        vec![
            Reason::ConsentWithdrawn,
            Reason::ConsentWithdrawn,
            Reason::Included
        ]
    );
    let by_field = Audience::from_json(r#"{"field": "consent", "eq": "email"}"#).unwrap();
    let s = book
        .select_audience(&by_field, &SelectOptions::new(t(9), None))
        .unwrap();
    assert_eq!(s.included, vec![true, false, true]);
    let r = book.consent_report(t(6)).unwrap();
    assert_eq!((r.channels[0].granted, r.channels[0].withdrawn), (1, 2));
    assert_eq!((r.channels[1].granted, r.channels[1].withdrawn), (3, 0));
}
