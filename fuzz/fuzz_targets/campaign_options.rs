//! A campaign plan's JSON text, then the report options' JSON text after the first NUL
//! byte (the forms C and Python pass): each is read or refused; a plan read is planned
//! over a small book or refused, and its events are recorded or refused with the book
//! left as it was; the report of the book's campaign under the options read is given or
//! refused, never a panic.
#![no_main]

use crm_core::book::CampaignReportOptions;
use crm_core::campaign::CampaignPlan;
use crm_fuzz::core_book;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (plan, options) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let mut book = core_book::book();
    if let Ok(plan) = serde_json::from_slice::<CampaignPlan>(plan) {
        let ids: Vec<u64> = book.customers().map(|c| c.id).collect();
        if let Ok(events) = book.plan_campaign_for(&ids, &plan) {
            let before = book.event_count();
            if book.record_all(events).is_err() {
                assert_eq!(book.event_count(), before);
            }
        }
        let _ = book.campaign_report(&plan.campaign_id, &CampaignReportOptions::at(plan.at));
    }
    if let Ok(options) = serde_json::from_slice::<CampaignReportOptions>(options) {
        let _ = book.campaign_report("bahar-25", &options);
    }
});
