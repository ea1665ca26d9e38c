//! Consent per channel at an instant, and the consent report (share of customers with a valid
//! opt-in per channel, by tier).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};
use crate::model::{Channel, Customer};

/// The channels a marketing message needs an opt-in for (KVKK and Türkiye's commercial
/// electronic message rules: e-mail and SMS above all; calls, app pushes and social messages
/// alike under GDPR). The consent report covers these.
pub const MARKETING_CHANNELS: [Channel; 6] = [
    Channel::Email,
    Channel::Sms,
    Channel::Phone,
    Channel::CallCentre,
    Channel::MobileApp,
    Channel::Social,
];

/// The decision in force on a channel at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// An opt-in is in force.
    Granted,
    /// The latest decision withdrew it.
    Withdrawn,
    /// The customer never decided on this channel (not allowed).
    Never,
}

impl ConsentState {
    /// The state of `customer` on `channel` at `at`, by [`Customer::consent_at`]'s rule
    /// (the latest decision at or before `at`; a withdrawal at the same instant as a grant wins).
    pub fn of(customer: &Customer, channel: Channel, at: DateTime<Utc>) -> Self {
        match customer.consent_at(channel, at) {
            Some(true) => ConsentState::Granted,
            Some(false) => ConsentState::Withdrawn,
            None => ConsentState::Never,
        }
    }
}

/// Reads a channel name (`"email"`, `"sms"`, …) for `field`, naming the known ones when it is
/// not one.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `field` for an unknown name.
///
/// ```
/// use crm_core::{audience::parse_channel, model::Channel};
/// assert_eq!(parse_channel("channel", "sms")?, Channel::Sms);
/// assert!(parse_channel("channel", "pigeon").unwrap_err().to_string().contains("email"));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn parse_channel(field: &str, name: &str) -> Result<Channel> {
    Channel::ALL
        .into_iter()
        .find(|c| c.as_str() == name)
        .ok_or_else(|| {
            let known: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
            CrmError::invalid(
                field,
                format_args!("{name:?}"),
                format_args!("is not a channel (one of {})", known.join(", ")),
            )
        })
}

/// Customers by consent state on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelConsent {
    /// The channel.
    pub channel: Channel,
    /// Customers with an opt-in in force.
    pub granted: usize,
    /// Customers whose latest decision withdrew it.
    pub withdrawn: usize,
    /// Customers who never decided.
    pub never: usize,
    /// `granted` over all customers (0 for an empty book).
    pub share: f64,
}

/// Opt-ins on one channel within one tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierConsent {
    /// The pyramid tier.
    pub tier: String,
    /// The channel.
    pub channel: Channel,
    /// Customers in the tier.
    pub customers: usize,
    /// Of them, with an opt-in in force.
    pub granted: usize,
    /// `granted / customers` (0 for an empty tier).
    pub share: f64,
}

/// Who may be sent marketing on which channel at an instant. JSON: `{"as_of": …,
/// "channels": [{"channel": "email", "granted", "withdrawn", "never", "share"}…],
/// "by_tier": [{"tier": "Gold", "channel": "email", "customers", "granted", "share"}…]}`
/// (channels in [`MARKETING_CHANNELS`] order; tiers top first, channels within each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentReport {
    /// The instant.
    pub as_of: DateTime<Utc>,
    /// One row per marketing channel.
    pub channels: Vec<ChannelConsent>,
    /// One row per tier and channel.
    pub by_tier: Vec<TierConsent>,
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The consent report over `customers` (any order) with their tier index into `tier_names`
/// (`tier[i]` for `customers[i]`; top tier first), as of `at`. Usable without the book.
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `tier` when the columns differ in length or an
/// index is past `tier_names`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crm_core::audience::consent_report;
/// use crm_core::model::{Channel, Consent, Customer};
/// let at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
/// let mut a = Customer::person(1, "Ali", "Kaya");
/// a.consents.push(Consent { channel: Channel::Email, granted: true, at });
/// let b = Customer::person(2, "Ece", "Tan");
/// let r = consent_report(at, &[&a, &b], &[0, 0], &["Gold".to_owned()])?;
/// assert_eq!(r.channels[0].granted, 1);
/// assert_eq!(r.channels[0].share, 0.5);
/// assert_eq!(r.by_tier[0].customers, 2);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn consent_report(
    at: DateTime<Utc>,
    customers: &[&Customer],
    tier: &[u8],
    tier_names: &[String],
) -> Result<ConsentReport> {
    if tier.len() != customers.len() {
        return Err(CrmError::invalid(
            "tier",
            tier.len(),
            format_args!("needs one tier per customer ({})", customers.len()),
        ));
    }
    if let Some(&t) = tier.iter().find(|&&t| usize::from(t) >= tier_names.len()) {
        return Err(CrmError::invalid(
            "tier",
            t,
            format_args!("is past the {} tier names", tier_names.len()),
        ));
    }
    let k = MARKETING_CHANNELS.len();
    // [tier][channel][state]
    let mut counts = vec![[[0usize; 3]; 6]; tier_names.len()];
    for (c, &t) in customers.iter().zip(tier) {
        for (j, &ch) in MARKETING_CHANNELS.iter().enumerate() {
            counts[usize::from(t)][j][ConsentState::of(c, ch, at) as usize] += 1;
        }
    }
    let n = customers.len();
    let channels = (0..k)
        .map(|j| {
            let sum = |s: usize| counts.iter().map(|t| t[j][s]).sum::<usize>();
            let granted = sum(ConsentState::Granted as usize);
            ChannelConsent {
                channel: MARKETING_CHANNELS[j],
                granted,
                withdrawn: sum(ConsentState::Withdrawn as usize),
                never: sum(ConsentState::Never as usize),
                share: share(granted, n),
            }
        })
        .collect();
    let mut by_tier = Vec::with_capacity(tier_names.len() * k);
    for (t, name) in tier_names.iter().enumerate() {
        for (j, &channel) in MARKETING_CHANNELS.iter().enumerate() {
            let customers: usize = counts[t][j].iter().sum();
            let granted = counts[t][j][ConsentState::Granted as usize];
            by_tier.push(TierConsent {
                tier: name.clone(),
                channel,
                customers,
                granted,
                share: share(granted, customers),
            });
        }
    }
    Ok(ConsentReport {
        as_of: at,
        channels,
        by_tier,
    })
}
