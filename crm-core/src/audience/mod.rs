//! Audiences with consent: who may be targeted on a channel at an instant, and why each
//! customer is in or out.
//!
//! Consent is read from each customer's history ([`crate::model::Customer::consent_at`]):
//! the latest decision at or before the instant is in force; two decisions on one channel at
//! the same instant resolve to the **withdrawal** (GDPR Art. 7(3), KVKK), whatever their
//! order in the list.

mod consent;

pub use consent::{
    ChannelConsent, ConsentReport, ConsentState, MARKETING_CHANNELS, TierConsent, consent_report,
    parse_channel,
};
