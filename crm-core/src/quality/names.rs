//! Which words a customer table uses as given names and which as family names: the evidence
//! that puts a swapped name ("Kaya Fatma") the right way round when duplicates merge.

use rustc_hash::FxHashMap;

use super::text::normalize_name;
use crate::model::{Customer, CustomerKind};

/// How strongly the other order must be favoured before a name is turned round: ten to one.
const TURN_ODDS: f64 = 10.0;

/// How often each (normalised) name stands as a given name and as a family name in a table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameUsage {
    given: FxHashMap<String, u32>,
    family: FxHashMap<String, u32>,
}

impl NameUsage {
    /// Counts the persons' given and family names of `customers`.
    pub fn from_customers<'a>(customers: impl IntoIterator<Item = &'a Customer>) -> Self {
        let mut usage = NameUsage::default();
        for c in customers {
            if c.kind != CustomerKind::Person {
                continue;
            }
            for (name, counts) in [
                (&c.given_name, &mut usage.given),
                (&c.family_name, &mut usage.family),
            ] {
                if let Some(key) = name
                    .as_deref()
                    .map(normalize_name)
                    .filter(|k| !k.is_empty())
                {
                    *counts.entry(key).or_default() += 1;
                }
            }
        }
        usage
    }

    /// Log odds that `given` and `family` stand in the right order rather than swapped.
    fn order_log_odds(&self, given: &str, family: &str) -> f64 {
        let count = |m: &FxHashMap<String, u32>, k: &str| f64::from(*m.get(k).unwrap_or(&0)) + 1.0;
        let (g, f) = (normalize_name(given), normalize_name(family));
        (count(&self.given, &g) / count(&self.family, &g)).ln()
            + (count(&self.family, &f) / count(&self.given, &f)).ln()
    }

    /// The name the right way round: swapped when the table uses the given name as a family
    /// name and the family name as a given name, by at least ten to one.
    ///
    /// ```
    /// use crm_core::model::Customer;
    /// use crm_core::quality::NameUsage;
    /// let book = [("Fatma", "Yılmaz"), ("Ali", "Kaya"), ("Fatma", "Demir"), ("Ayşe", "Kaya"),
    ///             ("FATMA", "Şahin"), ("Mehmet", "KAYA")];
    /// let people: Vec<Customer> = (1..).zip(book).map(|(id, (g, f))| Customer::person(id, g, f)).collect();
    /// // "fatma" is a given name 3 times, "kaya" a family name 3 times: (1/4)² < 1/10.
    /// let usage = NameUsage::from_customers(&people);
    /// assert_eq!(usage.oriented("Kaya", "Fatma"), ("Fatma".to_owned(), "Kaya".to_owned()));
    /// assert_eq!(usage.oriented("Can", "Öz"), ("Can".to_owned(), "Öz".to_owned())); // unknown
    /// ```
    pub fn oriented(&self, given: &str, family: &str) -> (String, String) {
        if self.order_log_odds(given, family) < -TURN_ODDS.ln() {
            (family.to_owned(), given.to_owned())
        } else {
            (given.to_owned(), family.to_owned())
        }
    }
}
