//! A small crm-core book for the targets that call the core's JSON grammars directly (the
//! lookup, the audience rule, the campaign plan and report options): a few namesakes,
//! shared and messy phones and e-mails, purchases, consents and one planned campaign.

use chrono::{DateTime, TimeZone, Utc};
use crm_core::book::CustomerBook;
use crm_core::campaign::CampaignPlan;
use crm_core::model::{Customer, Event, Purchase};

/// An instant in March 2025.
pub fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, d, 9, 0, 0).unwrap()
}

/// The book: six customers, purchases by four, the campaign `bahar-25` planned for all.
pub fn book() -> CustomerBook {
    let mut b = CustomerBook::with_currency("TRY").expect("a currency");
    let people = [
        (1, "Ayşe", "Yılmaz", "0532 123 4567", "ayse@gmail.com"),
        (2, "Ayşe", "Yılmaz", "0532 123 4567", "a.yilmaz@hotmail.com"),
        (3, "Ayten", "Yıldız", "+90 212 555 12 12", "ayse@gmail.com"),
        (4, "Mehmet", "Öztürk", "905551112233", ""),
        (5, "Zeynep", "Kaya", "", "zeynep@kaya.com.tr"),
        (6, "Ali", "Kayan", "0 (533) 000 11 22", ""),
    ];
    for (id, given, family, phone, email) in people {
        let mut c = Customer::person(id, given, family);
        if !phone.is_empty() {
            c.phones.push(phone.into());
        }
        if !email.is_empty() {
            c.emails.push(email.into());
        }
        c.external_ref = Some(format!("C-{id}"));
        b.add_customer(c).expect("a valid customer");
    }
    for (id, d, amount) in [
        (1, 2, 10_000),
        (1, 5, 2_500),
        (3, 3, 90_000),
        (4, 4, 100),
        (6, 6, 700),
    ] {
        let p = Purchase {
            amount,
            currency: "TRY".into(),
            product: None,
            category: None,
            channel: None,
        };
        b.record(Event::new(id, day(d), p))
            .expect("a valid purchase");
    }
    let ids: Vec<u64> = b.customers().map(|c| c.id).collect();
    let plan = CampaignPlan {
        holdout_share: 0.5,
        ..CampaignPlan::new("bahar-25", day(7))
    };
    let events = b.plan_campaign_for(&ids, &plan).expect("a valid plan");
    b.record_all(events).expect("the plan's events");
    b
}
