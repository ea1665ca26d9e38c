//! Consent per channel at an instant, and the consent report (share of customers with a valid
//! opt-in per channel, by tier).

use std::collections::HashMap;

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

/// Campaign opt-outs (a campaign event with step `opted_out` on a channel), the latest at or
/// before an instant, keyed by (row, channel): `row` the customer's position in the slice an
/// engine is given. Opt-outs are few, so the map is sparse.
pub type OptOuts = HashMap<(usize, Channel), DateTime<Utc>>;

impl ConsentState {
    /// The state of `customer` on `channel` at `at`, by [`Customer::consent_at`]'s rule
    /// (the latest decision at or before `at`; a withdrawal at the same instant as a grant wins).
    pub fn of(customer: &Customer, channel: Channel, at: DateTime<Utc>) -> Self {
        Self::with_opt_out(customer, channel, at, None)
    }

    /// [`ConsentState::of`] with the customer's latest campaign opt-out on `channel` at or
    /// before `at`: an opt-out is a withdrawal on that channel from its instant until a later
    /// opt-in; an opt-in at the very instant of the opt-out loses (withdrawal wins, as between
    /// two recorded decisions).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::audience::ConsentState;
    /// use crm_core::model::{Channel, Consent, Customer};
    /// let t = |d| Utc.with_ymd_and_hms(2025, 1, d, 0, 0, 0).unwrap();
    /// let mut c = Customer::person(1, "Ali", "Kaya");
    /// c.consents.push(Consent { channel: Channel::Email, granted: true, at: t(1) });
    /// let state = |at, out| ConsentState::with_opt_out(&c, Channel::Email, at, out);
    /// assert_eq!(state(t(9), Some(t(5))), ConsentState::Withdrawn);
    /// assert_eq!(state(t(9), Some(t(1))), ConsentState::Withdrawn); // same instant
    /// assert_eq!(state(t(9), None), ConsentState::Granted);
    /// ```
    pub fn with_opt_out(
        customer: &Customer,
        channel: Channel,
        at: DateTime<Utc>,
        opted_out: Option<DateTime<Utc>>,
    ) -> Self {
        let decision = customer.consent_decision_at(channel, at);
        match (decision, opted_out.filter(|&o| o <= at)) {
            (Some(d), Some(o)) if d.at > o => Self::from_granted(d.granted),
            (_, Some(_)) => ConsentState::Withdrawn,
            (Some(d), None) => Self::from_granted(d.granted),
            (None, None) => ConsentState::Never,
        }
    }

    fn from_granted(granted: bool) -> Self {
        if granted {
            ConsentState::Granted
        } else {
            ConsentState::Withdrawn
        }
    }

    /// `Some(true)`, `Some(false)`, `None` ([`Customer::consent_at`]'s form).
    pub fn as_option(self) -> Option<bool> {
        match self {
            ConsentState::Granted => Some(true),
            ConsentState::Withdrawn => Some(false),
            ConsentState::Never => None,
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

/// What [`consent_report`] is asked for from the book: the instant, and the segmentation
/// config its tiers are read under (the company's weights and tier names; `None`: the
/// book's kept segmentation when it was made as of `at`, else the default config, as for
/// [`crate::audience::SelectOptions::segmentation`]). JSON (the C form): `{"at":
/// "2025-06-01T00:00:00Z", "segmentation": SegmentationConfig}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentReportOptions {
    /// The instant.
    pub at: DateTime<Utc>,
    /// The config the tiers are read under.
    pub segmentation: Option<crate::segment::SegmentationConfig>,
}

impl ConsentReportOptions {
    /// Options at `at` without a segmentation config.
    pub fn at(at: DateTime<Utc>) -> Self {
        ConsentReportOptions {
            at,
            segmentation: None,
        }
    }

    /// Reads the options from their JSON object.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Parse`] for text that is no JSON object; an invalid-input error
    /// naming `at` (missing or no instant), the segmentation's field, or an unknown key.
    ///
    /// ```
    /// use crm_core::audience::ConsentReportOptions;
    /// let o = ConsentReportOptions::from_json(r#"{"at": "2025-06-01"}"#)?;
    /// assert!(o.segmentation.is_none());
    /// let e = ConsentReportOptions::from_json(r#"{"at": "2025-06-01", "channel": "sms"}"#);
    /// assert_eq!(e.unwrap_err().field(), Some("channel"));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        use serde_json::Value;
        let what = "the consent report options";
        let Value::Object(mut object) = crate::json::parse::<Value>(what, text)? else {
            return Err(CrmError::parse(what, "expected a JSON object"));
        };
        let at = match object.remove("at") {
            Some(Value::String(t)) => crate::time::parse_instant(&t, "at")?,
            _ => {
                return Err(CrmError::invalid(
                    "at",
                    "missing",
                    "the report's instant is required (RFC 3339 text)",
                ));
            }
        };
        let segmentation = match object.remove("segmentation") {
            None | Some(Value::Null) => None,
            Some(v) => Some(crate::json::from_value("the segmentation", v)?),
        };
        if let Some(k) = object.keys().next() {
            return Err(CrmError::invalid(
                k,
                format_args!("{k:?}"),
                "is not a consent report option (at, segmentation)",
            ));
        }
        Ok(ConsentReportOptions { at, segmentation })
    }
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
    consent_report_with(at, customers, tier, tier_names, &OptOuts::new())
}

/// [`consent_report`] with the customers' campaign opt-outs (keyed by their position in
/// `customers`), each a withdrawal ([`ConsentState::with_opt_out`]).
///
/// # Errors
/// As [`consent_report`].
pub fn consent_report_with(
    at: DateTime<Utc>,
    customers: &[&Customer],
    tier: &[u8],
    tier_names: &[String],
    opt_outs: &OptOuts,
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
    for (row, (c, &t)) in customers.iter().zip(tier).enumerate() {
        for (j, &ch) in MARKETING_CHANNELS.iter().enumerate() {
            let out = opt_outs.get(&(row, ch)).copied();
            counts[usize::from(t)][j][ConsentState::with_opt_out(c, ch, at, out) as usize] += 1;
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
