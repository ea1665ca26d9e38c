use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Channel, CustomerId};

/// A person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    /// A natural person (identified by a national id, TCKN in Türkiye).
    #[default]
    Person,
    /// A company or institution (identified by a tax number, VKN in Türkiye).
    Organisation,
}

/// A postal address. Every part is optional because real forms are incomplete.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Address {
    /// Street, number, flat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// District (ilçe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// City or province (il).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postcode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// ISO 3166-1 alpha-2 country code, e.g. `"TR"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    /// True when no part is filled in.
    pub fn is_empty(&self) -> bool {
        self.line.is_none()
            && self.district.is_none()
            && self.city.is_none()
            && self.postcode.is_none()
            && self.country.is_none()
    }
}

/// One marketing-consent decision (KVKK/GDPR): permission on `channel` was `granted` or
/// withdrawn at instant `at`. A customer's consents form a history; the latest decision at or
/// before an instant is the one in force ([`Customer::consent_at`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The channel the decision is about.
    pub channel: Channel,
    /// `true` when permission was given, `false` when it was withdrawn.
    pub granted: bool,
    /// When the decision was made (any form [`crate::time::parse_instant`] reads).
    #[serde(deserialize_with = "crate::time::serde_instant::at")]
    pub at: DateTime<Utc>,
}

/// A customer: the profile part of the 360° view.
///
/// JSON form (every field but `id` may be left out; `kind` defaults to `"person"`; a
/// missing `id` or an unknown field, such as `email` for `emails`, is an error naming it):
///
/// ```json
/// {
///   "id": 42, "external_ref": "ERP-0042", "kind": "person",
///   "given_name": "Şükrü", "family_name": "Çağlar",
///   "emails": ["sukru.caglar@example.com"], "phones": ["+905321234567"],
///   "address": {"line": "Atatürk Cad. 12/3", "district": "Kadıköy", "city": "İstanbul",
///               "postcode": "34710", "country": "TR"},
///   "national_id": "10000000146", "birth_date": "1980-05-17",
///   "region": "Marmara", "sector": "retail",
///   "acquired_at": "2021-03-01T09:00:00Z", "acquisition_channel": "web",
///   "referred_by": 7, "tags": ["vip"],
///   "consents": [{"channel": "email", "granted": true, "at": "2021-03-01T09:00:00Z"}]
/// }
/// ```
///
/// ```
/// # use crm_core::model::Customer;
/// let json = r#"{"id": 42, "given_name": "Ayşe", "family_name": "Yılmaz"}"#;
/// let c: Customer = serde_json::from_str(json).unwrap();
/// assert_eq!(c.display_name(), "Ayşe Yılmaz");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The company's own key.
    pub id: CustomerId,
    /// A key in another system (ERP, accounting), kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
    /// Person or organisation.
    #[serde(default)]
    pub kind: CustomerKind,
    /// A person's given name(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// A person's family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// An organisation's registered name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_name: Option<String>,
    /// E-mail addresses, the preferred one first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Phone numbers as entered, the preferred one first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Address::is_empty")]
    pub address: Address,
    /// A person's national id (TCKN, 11 digits). Personal data: masked in messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    /// An organisation's tax number (VKN, 10 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// A person's birth date. Personal data: masked in messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Sales or geographic region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Business sector (for organisations, or the person's occupation group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// When the customer was acquired. Events before it are rejected unless the book is
    /// configured to accept them ([`crate::book::EarlyEvents`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::serde_instant::option_acquired_at"
    )]
    pub acquired_at: Option<DateTime<Utc>>,
    /// The channel the customer came through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition_channel: Option<Channel>,
    /// The customer who referred this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<CustomerId>,
    /// Free labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Marketing-consent history, in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<Consent>,
}

impl Customer {
    /// A person with a given and a family name and nothing else filled in.
    pub fn person(id: CustomerId, given_name: &str, family_name: &str) -> Self {
        Customer {
            id,
            kind: CustomerKind::Person,
            given_name: Some(given_name.to_owned()),
            family_name: Some(family_name.to_owned()),
            ..Customer::default()
        }
    }

    /// An organisation with its registered name and nothing else filled in.
    pub fn organisation(id: CustomerId, name: &str) -> Self {
        Customer {
            id,
            kind: CustomerKind::Organisation,
            organisation_name: Some(name.to_owned()),
            ..Customer::default()
        }
    }

    /// The name to show: "given family" for a person, the registered name for an organisation.
    pub fn display_name(&self) -> String {
        match self.kind {
            CustomerKind::Organisation => self.organisation_name.clone().unwrap_or_default(),
            CustomerKind::Person => {
                let parts: Vec<&str> = [self.given_name.as_deref(), self.family_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect();
                parts.join(" ")
            }
        }
    }

    /// Whether marketing on `channel` is allowed at `at`: the latest decision at or before
    /// `at`, or `None` when the customer never decided (treat as not allowed).
    ///
    /// Decisions on one channel at the same instant conflict; the **withdrawal wins**,
    /// whatever their order in the list. Consent must be as easy to withdraw as to give
    /// (GDPR Art. 7(3), KVKK Art. 5 and the commercial electronic message rules): when the
    /// record cannot tell which came last, the conservative reading is that the customer
    /// said no.
    ///
    /// ```
    /// # use crm_core::model::{Channel, Consent, Customer};
    /// # use chrono::{TimeZone, Utc};
    /// let mut c = Customer::person(1, "Ali", "Kaya");
    /// let t = |d| Utc.with_ymd_and_hms(2024, 1, d, 0, 0, 0).unwrap();
    /// c.consents.push(Consent { channel: Channel::Email, granted: true, at: t(1) });
    /// c.consents.push(Consent { channel: Channel::Email, granted: false, at: t(10) });
    /// assert_eq!(c.consent_at(Channel::Email, t(5)), Some(true));
    /// assert_eq!(c.consent_at(Channel::Email, t(20)), Some(false));
    /// assert_eq!(c.consent_at(Channel::Sms, t(20)), None);
    /// ```
    pub fn consent_at(&self, channel: Channel, at: DateTime<Utc>) -> Option<bool> {
        self.consent_decision_at(channel, at).map(|c| c.granted)
    }

    /// The decision [`Customer::consent_at`] reads: the one in force on `channel` at `at`.
    pub fn consent_decision_at(&self, channel: Channel, at: DateTime<Utc>) -> Option<&Consent> {
        self.consents
            .iter()
            .filter(|c| c.channel == channel && c.at <= at)
            // At one instant `!granted` orders a withdrawal after a grant: withdrawal wins.
            .max_by_key(|c| (c.at, !c.granted))
    }

    /// Adds `others` to the consent history, skipping decisions already in it. What a merge
    /// does, so that no record's opt-out is lost with it.
    pub fn union_consents<'a>(&mut self, others: impl IntoIterator<Item = &'a Consent>) {
        for c in others {
            if !self.consents.contains(c) {
                self.consents.push(c.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn with(consents: &[(bool, DateTime<Utc>)]) -> Customer {
        let mut c = Customer::person(1, "Ali", "Kaya");
        c.consents = consents
            .iter()
            .map(|&(granted, at)| Consent {
                channel: Channel::Email,
                granted,
                at,
            })
            .collect();
        c
    }

    #[test]
    fn a_withdrawal_at_the_same_instant_as_a_grant_wins_in_either_order() {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        for c in [
            with(&[(true, t), (false, t)]),
            with(&[(false, t), (true, t)]),
        ] {
            assert_eq!(c.consent_at(Channel::Email, t), Some(false));
            assert_eq!(
                c.consent_at(Channel::Email, t + Duration::days(30)),
                Some(false)
            );
            assert_eq!(c.consent_at(Channel::Email, t - Duration::seconds(1)), None);
            assert!(!c.consent_decision_at(Channel::Email, t).unwrap().granted);
        }
    }

    #[test]
    fn a_later_grant_still_overrides_an_earlier_withdrawal() {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        let later = t + Duration::seconds(1);
        let c = with(&[(true, later), (false, t), (true, t)]);
        assert_eq!(c.consent_at(Channel::Email, t), Some(false));
        assert_eq!(c.consent_at(Channel::Email, later), Some(true));
        assert_eq!(c.consent_at(Channel::Sms, later), None);
    }
}
