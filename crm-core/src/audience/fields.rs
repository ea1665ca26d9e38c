//! The field catalogue: the names a rule may use, their type and the values an enumerated
//! field takes.

use serde::{Deserialize, Serialize};

/// What a field holds, which decides the operators it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A number: every operator.
    Number,
    /// One text value: `eq`, `ne`, `in`.
    Text,
    /// A set of text values: `eq` (contains), `ne` (does not contain), `in` (contains any).
    Set,
}

macro_rules! fields {
    ($($variant:ident $name:literal $ty:ident $doc:literal;)*) => {
        /// A field a rule reads: names as in the features and the 360° view.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Field {
            $(#[doc = $doc] $variant,)*
        }

        impl Field {
            /// Every field, in catalogue order.
            pub const ALL: &'static [Field] = &[$(Field::$variant,)*];

            /// The name used in rules.
            pub fn as_str(self) -> &'static str {
                match self { $(Field::$variant => $name,)* }
            }

            /// What the field holds.
            pub fn field_type(self) -> FieldType {
                match self { $(Field::$variant => FieldType::$ty,)* }
            }
        }
    };
}

fields! {
    Tier "tier" Text "Pyramid tier (`Platinum`, `Gold`, `Iron`, `Lead` by default).";
    Score "score" Number "Value score, 0 to 100.";
    RfmSegment "rfm_segment" Text "Named RFM segment (missing without a purchase).";
    RfmScore "rfm_score" Number "RFM score as digits (555); 0 without a purchase.";
    Abc "abc" Text "ABC class on net revenue: `A`, `B`, `C`.";
    Stage "stage" Text "Lifecycle stage.";
    Phase "phase" Text "Lifecycle phase.";
    Clv "clv" Number "Predicted discounted lifetime value (missing without a spend prediction).";
    PAlive "p_alive" Number "Probability the customer is still active (BG/NBD).";
    ExpectedPurchases "expected_purchases" Number "Expected purchases over the CLV horizon.";
    RecencyDays "recency_days" Number "Days since the last purchase (missing without one).";
    Frequency "frequency" Number "Purchases.";
    Monetary "monetary" Number "Net revenue in minor units.";
    TenureDays "tenure_days" Number "Days since acquisition.";
    Intensity "intensity" Number "Purchases per month of tenure.";
    Referrals "referrals" Number "Customers referred.";
    ComplaintsOpen "complaints_open" Number "Open complaints.";
    ComplaintsTotal "complaints_total" Number "Complaints ever opened.";
    CoInvestment "co_investment" Number "Co-investment contributed, minor units.";
    CostSharing "cost_sharing" Number "Costs shared, minor units.";
    DaysSinceContact "days_since_contact" Number "Days since the company's last outbound contact (missing: never contacted).";
    UnansweredInbound "unanswered_inbound" Number "Inbound interactions since the company's last outbound contact.";
    ComplaintsBreached "complaints_breached" Number "Open complaints past an SLA target (under the book's SLA policies).";
    ActivitiesOverdue "activities_overdue" Number "Open activities past their due instant.";
    Region "region" Text "Sales or geographic region.";
    Sector "sector" Text "Business sector.";
    City "city" Text "Address city.";
    District "district" Text "Address district.";
    Country "country" Text "Address country (ISO code).";
    Kind "kind" Text "`person` or `organisation`.";
    AcquisitionChannel "acquisition_channel" Text "The channel the customer came through.";
    Tag "tag" Set "Profile tags.";
    Channel "channel" Set "Channels with a purchase or interaction up to the instant.";
    Consent "consent" Set "Channels with a valid opt-in at the instant.";
    Audience "audience" Set "Membership of a named audience ([`super::Audience::with_named`]).";
}

impl Field {
    /// The field called `name`, or the closest name (for "did you mean").
    pub fn parse(name: &str) -> Result<Field, Option<&'static str>> {
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == name)
            .ok_or_else(|| closest(name, Field::ALL.iter().map(|f| f.as_str())))
    }

    /// The values an enumerated field takes (checked when a rule is read), if any.
    pub fn allowed(self) -> Option<&'static [&'static str]> {
        const CHANNELS: &[&str] = &[
            "email",
            "phone",
            "fax",
            "web",
            "social",
            "branch",
            "call_centre",
            "atm",
            "in_person",
            "mobile_app",
            "mail",
            "sms",
        ];
        match self {
            Field::Stage => Some(&[
                "prospect",
                "new",
                "active",
                "loyal",
                "at_risk",
                "churned",
                "reactivated",
            ]),
            Field::Phase => Some(&["acquire", "grow", "retain", "lost"]),
            Field::Abc => Some(&["A", "B", "C"]),
            Field::Kind => Some(&["person", "organisation"]),
            Field::AcquisitionChannel | Field::Channel | Field::Consent => Some(CHANNELS),
            _ => None,
        }
    }
}

/// The candidate within two edits of `name` (or that it starts), the closest first.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(d, c)| {
            (d <= 2 && 2 * d < c.chars().count()) || (!name.is_empty() && c.starts_with(name))
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}
