//! Suppression (do-not-contact ids, complaints in progress, a frequency cap) and the options
//! of a selection from the book.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::consent::parse_channel;
use crate::error::{CrmError, Result};
use crate::model::{Channel, CustomerId};

/// The most ids on one do-not-contact list.
pub const MAX_SUPPRESSED_IDS: usize = 10_000_000;
/// The longest frequency cap, in days (ten years).
pub const MAX_CAP_DAYS: u32 = 3650;

/// Who is kept out whatever the rule says. JSON: `{"customer_ids": [ids],
/// "open_complaints": true, "contacted_within_days": 7}`, each part optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Suppression {
    /// Do-not-contact ids (merged ids stand for their survivor; unknown ids are ignored and
    /// counted).
    pub customer_ids: Vec<CustomerId>,
    /// Keep out customers with a complaint in progress.
    pub open_complaints: bool,
    /// Keep out customers the company contacted (an outbound interaction or a complaint
    /// response) within this many days before the instant: a frequency cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacted_within_days: Option<u32>,
}

impl Suppression {
    /// Checks the bounds.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `suppression.customer_ids` past
    /// [`MAX_SUPPRESSED_IDS`] or `suppression.contacted_within_days` past [`MAX_CAP_DAYS`].
    pub fn validate(&self) -> Result<()> {
        crate::limits::at_most(
            "suppression.customer_ids",
            self.customer_ids.len(),
            MAX_SUPPRESSED_IDS,
        )?;
        if let Some(d) = self.contacted_within_days {
            crate::limits::at_most("suppression.contacted_within_days", d, MAX_CAP_DAYS)?;
        }
        Ok(())
    }
}

/// How to select from the book: the instant, the campaign's channel (whose consent is
/// required; `None` selects by the rule and suppression only, for analysis), suppression.
/// JSON (the C form): `{"at": "2025-06-01T00:00:00Z", "channel": "email", "suppression": {…}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectOptions {
    /// The send instant: every field, consent and suppression is as of it.
    pub at: DateTime<Utc>,
    /// The channel whose opt-in is required.
    pub channel: Option<Channel>,
    /// Who is kept out.
    pub suppression: Suppression,
    /// The segmentation config tiers, scores, RFM and ABC are read under (the company's
    /// weights and tier names). `None`: the book's kept segmentation when it was made as of
    /// `at` (by `CustomerBook::analyse`), else the default config.
    pub segmentation: Option<crate::segment::SegmentationConfig>,
}

impl SelectOptions {
    /// Options at `at` on `channel`, without suppression.
    pub fn new(at: DateTime<Utc>, channel: Option<Channel>) -> SelectOptions {
        SelectOptions {
            at,
            channel,
            suppression: Suppression::default(),
            segmentation: None,
        }
    }

    /// Reads the options from their JSON object.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Parse`] for text that is no JSON object or an unknown key;
    /// [`crate::ErrorKind::InvalidInput`] naming `at` (missing or no instant), `channel`
    /// (unknown) or the suppression's field.
    ///
    /// ```
    /// use crm_core::audience::SelectOptions;
    /// let o = SelectOptions::from_json(r#"{"at": "2025-06-01", "channel": "sms"}"#)?;
    /// assert_eq!(o.channel.unwrap().as_str(), "sms");
    /// let e = SelectOptions::from_json(r#"{"at": "2025-06-01", "channel": "fax2"}"#).unwrap_err();
    /// assert_eq!(e.field(), Some("channel"));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<SelectOptions> {
        let what = "the selection options";
        let Value::Object(mut object) = crate::json::parse::<Value>(what, text)? else {
            return Err(CrmError::parse(what, "expected a JSON object"));
        };
        let at = match object.remove("at") {
            Some(Value::String(t)) => crate::time::parse_instant(&t, "at")?,
            _ => {
                return Err(CrmError::invalid(
                    "at",
                    "missing",
                    "the send instant is required (RFC 3339 text)",
                ));
            }
        };
        let channel = match object.remove("channel") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(parse_channel("channel", &name)?),
            Some(_) => {
                return Err(CrmError::invalid(
                    "channel",
                    "not a string",
                    "a channel name",
                ));
            }
        };
        let suppression: Suppression = match object.remove("suppression") {
            None | Some(Value::Null) => Suppression::default(),
            Some(v) => crate::json::from_value("the suppression", v)?,
        };
        let segmentation = match object.remove("segmentation") {
            None | Some(Value::Null) => None,
            Some(v) => Some(crate::json::from_value("the segmentation", v)?),
        };
        if let Some(k) = object.keys().next() {
            return Err(CrmError::invalid(
                k,
                format_args!("{k:?}"),
                "is not a selection option (at, channel, suppression, segmentation)",
            ));
        }
        suppression.validate()?;
        Ok(SelectOptions {
            at,
            channel,
            suppression,
            segmentation,
        })
    }
}
