//! Where an event happened on the company's side: a branch, a device (ATM, POS, kiosk, app
//! installation) or a city — the source documents' "which branch, which ATM".

use serde::{Deserialize, Serialize};

use crate::error::{CrmError, Result};

/// The most characters one location field holds (a code or a short name, not a note).
pub const MAX_LOCATION_FIELD: usize = 200;

/// Where an event happened. Every field is optional, but a location names at least one.
///
/// JSON: `{"branch": "Kadıköy", "device": "ATM-0042", "city": "İstanbul"}` (absent fields
/// left out), carried by an event as its `location` key.
///
/// ```
/// # use crm_core::model::Location;
/// let l: Location = serde_json::from_str(r#"{"device": "ATM-0042"}"#).unwrap();
/// assert_eq!(l.device.as_deref(), Some("ATM-0042"));
/// assert!(l.validate().is_ok());
/// assert!(Location::default().validate().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The branch (office, shop) code or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The device: an ATM, POS terminal, kiosk or app installation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

impl Location {
    /// A location at `branch`.
    pub fn branch(branch: &str) -> Self {
        Location {
            branch: Some(branch.to_owned()),
            ..Location::default()
        }
    }

    /// A location at `device`.
    pub fn device(device: &str) -> Self {
        Location {
            device: Some(device.to_owned()),
            ..Location::default()
        }
    }

    /// Checks that the location names something and that no given field is blank or longer
    /// than [`MAX_LOCATION_FIELD`] characters.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `location` (nothing given) or the field
    /// (`location.branch`, `location.device`, `location.city`).
    pub fn validate(&self) -> Result<()> {
        let fields = [
            ("location.branch", &self.branch),
            ("location.device", &self.device),
            ("location.city", &self.city),
        ];
        if fields.iter().all(|(_, v)| v.is_none()) {
            return Err(CrmError::invalid(
                "location",
                "{}",
                "name a branch, a device or a city, or leave the location out",
            ));
        }
        for (field, value) in fields {
            let Some(v) = value else { continue };
            if v.trim().is_empty() {
                return Err(CrmError::invalid(field, "(blank)", "must not be blank"));
            }
            let n = v.chars().count();
            if n > MAX_LOCATION_FIELD {
                return Err(CrmError::invalid(
                    field,
                    format_args!("of {n} characters"),
                    format_args!("at most {MAX_LOCATION_FIELD} characters"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_names_something_and_nothing_blank() {
        assert!(Location::branch("Kadıköy").validate().is_ok());
        let e = Location::default().validate().unwrap_err();
        assert_eq!(e.field(), Some("location"));
        let e = Location::branch("  ").validate().unwrap_err();
        assert_eq!(e.field(), Some("location.branch"));
        let long = Location {
            city: Some("x".repeat(MAX_LOCATION_FIELD + 1)),
            ..Location::default()
        };
        assert_eq!(long.validate().unwrap_err().field(), Some("location.city"));
        let err = serde_json::from_str::<Location>(r#"{"atm": "1"}"#).unwrap_err();
        assert!(err.to_string().contains("atm"), "{err}");
    }

    /// An event's location: JSON without it reads as before and writes no key; with it,
    /// the book keeps it through the timeline, snapshots and a failed batch's undo.
    #[test]
    fn events_carry_their_location_through_the_book() {
        use crate::book::{CustomerBook, ViewOptions};
        use crate::model::{Customer, Event};
        let old = r#"{"customer_id":1,"at":"2025-03-01T14:30:00Z","type":"churned"}"#;
        let e: Event = serde_json::from_str(old).unwrap();
        assert_eq!(e.location, None);
        assert_eq!(serde_json::to_string(&e).unwrap(), old);
        let with = r#"{"customer_id":1,"at":"2025-03-01T14:30:00Z","location":{"device":"ATM-0042"},"type":"churned"}"#;
        let e: Event = serde_json::from_str(with).unwrap();
        assert_eq!(e.location, Some(Location::device("ATM-0042")));
        assert_eq!(serde_json::to_string(&e).unwrap(), with);
        let twice = r#"{"customer_id":1,"at":"2025-03-01T14:30:00Z","type":"churned","location":{"city":"x"},"location":{"city":"y"}}"#;
        let err = serde_json::from_str::<Event>(twice).unwrap_err();
        assert!(
            err.to_string().contains("duplicate field `location`"),
            "{err}"
        );

        let mut book = CustomerBook::with_currency("TRY").unwrap();
        book.add_customer(Customer::person(1, "Ayşe", "Yılmaz"))
            .unwrap();
        book.record(e.clone()).unwrap();
        // A batch whose second event has an empty location fails whole.
        let plain: Event = serde_json::from_str(old).unwrap();
        let empty = plain.clone().at_location(Location::default());
        let err = book.record_all([plain.clone(), empty]).unwrap_err();
        assert_eq!(err.field(), Some("location"));
        assert_eq!(book.event_count(), 1);
        book.record(plain.clone()).unwrap();
        assert_eq!(
            book.events().collect::<Vec<_>>(),
            [e.clone(), plain.clone()]
        );
        let view = book.view(1, &ViewOptions::as_of(e.at)).unwrap();
        let shown: Vec<_> = view
            .timeline
            .items
            .iter()
            .map(|i| i.event.location.clone())
            .collect();
        assert_eq!(shown, [None, Some(Location::device("ATM-0042"))]);
        let mut text = Vec::new();
        book.save_json(&mut text).unwrap();
        let back = CustomerBook::load_json(&text[..]).unwrap();
        assert_eq!(back.events().collect::<Vec<_>>(), [e, plain]);
    }
}
