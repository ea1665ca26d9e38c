use serde::{Deserialize, Serialize};
use std::fmt;

/// A way a customer and the company reach each other.
///
/// JSON: the snake-case name, e.g. `"call_centre"`, `"atm"`, `"mobile_app"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail.
    Email,
    /// Telephone (direct line, not the call centre).
    Phone,
    /// Fax.
    Fax,
    /// The company's web site.
    Web,
    /// Social media.
    Social,
    /// A branch or shop.
    Branch,
    /// The call centre.
    CallCentre,
    /// An automated teller machine.
    Atm,
    /// Face to face outside a branch (field sales, visits, fairs).
    InPerson,
    /// The company's mobile application.
    MobileApp,
    /// Post (letters).
    Mail,
    /// SMS / text messages.
    Sms,
}

impl Channel {
    /// Every channel, in declaration order.
    pub const ALL: [Channel; 12] = [
        Channel::Email,
        Channel::Phone,
        Channel::Fax,
        Channel::Web,
        Channel::Social,
        Channel::Branch,
        Channel::CallCentre,
        Channel::Atm,
        Channel::InPerson,
        Channel::MobileApp,
        Channel::Mail,
        Channel::Sms,
    ];

    /// The snake-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Fax => "fax",
            Channel::Web => "web",
            Channel::Social => "social",
            Channel::Branch => "branch",
            Channel::CallCentre => "call_centre",
            Channel::Atm => "atm",
            Channel::InPerson => "in_person",
            Channel::MobileApp => "mobile_app",
            Channel::Mail => "mail",
            Channel::Sms => "sms",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who started an interaction. JSON: `"inbound"` (the customer) or `"outbound"` (the company).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The customer reached out.
    Inbound,
    /// The company reached out.
    Outbound,
}
