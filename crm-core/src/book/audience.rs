//! The book's side of consent and audiences: recording a consent decision, the decision in
//! force, the consent report.

use chrono::{DateTime, Utc};

use super::{CustomerBook, SegmentationConfig};
use crate::audience::{ConsentReport, ConsentState, consent_report};
use crate::error::Result;
use crate::model::{Channel, Consent, Customer, CustomerId};

impl CustomerBook {
    /// The customer's profile with `consent` added to its history, or `None` when the very
    /// same decision is already there (nothing to record). `id` may be a merged-away id: the
    /// survivor's profile is returned. What [`CustomerBook::record_consent`] and the stored
    /// book's `record_consent` write.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an unknown id.
    pub fn with_consent(&self, id: CustomerId, consent: Consent) -> Result<Option<Customer>> {
        let dense = self.dense(id)?;
        let customer = &self.customers[dense as usize];
        if customer.consents.contains(&consent) {
            return Ok(None);
        }
        let mut updated = customer.clone();
        updated.consents.push(consent);
        Ok(Some(updated))
    }

    /// Adds one consent decision (an opt-in or a withdrawal) to a customer's history, as an
    /// update of the profile; an identical decision already recorded is skipped. Returns
    /// whether the history changed.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an unknown id; as [`CustomerBook::update_customer`].
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use crm_core::{book::CustomerBook, model::*};
    /// let mut book = CustomerBook::with_currency("TRY")?;
    /// book.add_customer(Customer::person(1, "Ali", "Kaya"))?;
    /// let t = Utc.with_ymd_and_hms(2025, 1, 2, 10, 0, 0).unwrap();
    /// let no = Consent { channel: Channel::Sms, granted: false, at: t };
    /// assert!(book.record_consent(1, no.clone())?);
    /// assert!(!book.record_consent(1, no)?);
    /// assert_eq!(book.consent_at(1, Channel::Sms, t)?, Some(false));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn record_consent(&mut self, id: CustomerId, consent: Consent) -> Result<bool> {
        match self.with_consent(id, consent)? {
            Some(updated) => {
                self.update_customer(updated)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// [`Customer::consent_at`] for the customer `id` stands for (merged ids follow to the
    /// survivor): `Some(true)` for an opt-in in force, `Some(false)` for a withdrawal, `None`
    /// when the customer never decided on `channel`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an unknown id.
    pub fn consent_at(
        &self,
        id: CustomerId,
        channel: Channel,
        at: DateTime<Utc>,
    ) -> Result<Option<bool>> {
        let dense = self.dense(id)?;
        Ok(self.customers[dense as usize].consent_at(channel, at))
    }

    /// Each customer's consent state on `channel` at `at`, in the book's customer order.
    pub fn consent_column(&self, channel: Channel, at: DateTime<Utc>) -> Vec<ConsentState> {
        self.customers
            .iter()
            .map(|c| ConsentState::of(c, channel, at))
            .collect()
    }

    /// Share of customers with a valid opt-in per marketing channel at `at`, overall and by
    /// pyramid tier. The tiers are those of the kept segmentation when it was made as of `at`
    /// ([`CustomerBook::analyse`]), otherwise of a default segmentation as of `at`.
    ///
    /// # Errors
    /// As [`CustomerBook::segment`].
    ///
    /// ```
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(300).seed(3);
    /// let (book, _) = config.build_book()?;
    /// let report = book.consent_report(config.end())?;
    /// let email = &report.channels[0];
    /// assert_eq!(email.granted + email.withdrawn + email.never, book.len());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn consent_report(&self, at: DateTime<Utc>) -> Result<ConsentReport> {
        let kept = self.segmentation.as_ref().filter(|s| {
            s.as_of == at
                && s.features.customer_id.len() == self.customers.len()
                && s.features
                    .customer_id
                    .iter()
                    .zip(&self.customers)
                    .all(|(&id, c)| id == c.id)
        });
        let segmentation = match kept {
            Some(s) => std::sync::Arc::clone(s),
            None => self.segment(at, &SegmentationConfig::default())?,
        };
        let customers: Vec<&Customer> = self.customers.iter().collect();
        consent_report(
            at,
            &customers,
            &segmentation.pyramid.tier,
            &segmentation.pyramid.names,
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::book::Change;
    use crate::model::Channel;
    use crate::quality::{GoldenRules, golden_record};

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, day, 9, 0, 0).unwrap()
    }

    fn email(granted: bool, at: DateTime<Utc>) -> Consent {
        Consent {
            channel: Channel::Email,
            granted,
            at,
        }
    }

    /// Survivor 1 opted in on day 1; its duplicate 2 opted out on day 5.
    fn book() -> CustomerBook {
        let mut book = CustomerBook::with_currency("TRY").unwrap();
        let mut a = Customer::person(1, "Ayşe", "Yılmaz");
        a.consents.push(email(true, t(1)));
        let mut b = Customer::person(2, "Ayse", "Yilmaz");
        b.consents.push(email(false, t(5)));
        book.add_customer(a).unwrap();
        book.add_customer(b).unwrap();
        book
    }

    #[test]
    fn a_merged_records_opt_out_survives_the_merge() {
        let mut book = book();
        assert_eq!(
            book.consent_at(1, Channel::Email, t(10)).unwrap(),
            Some(true)
        );
        book.merge(1, &[2], None, t(9)).unwrap();
        assert_eq!(
            book.consent_at(1, Channel::Email, t(10)).unwrap(),
            Some(false)
        );
        assert_eq!(
            book.consent_at(1, Channel::Email, t(3)).unwrap(),
            Some(true)
        );
        // The merged id follows to the survivor.
        assert_eq!(
            book.consent_at(2, Channel::Email, t(10)).unwrap(),
            Some(false)
        );
    }

    #[test]
    fn a_caller_profile_without_the_histories_still_keeps_them() {
        let mut book = book();
        let golden = Customer::person(1, "Ayşe", "Yılmaz");
        book.merge(1, &[2], Some(golden), t(9)).unwrap();
        let kept = &book.customer(1).unwrap().consents;
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert_eq!(
            book.consent_at(1, Channel::Email, t(10)).unwrap(),
            Some(false)
        );
    }

    #[test]
    fn a_merge_taken_back_takes_the_union_back() {
        let mut book = book();
        let changes = [
            Change::Merged {
                survivor: 1,
                merged: vec![2],
                profile: None,
                at: t(9),
            },
            // Fails: customer 2 is merged away by then.
            Change::CustomerUpdated {
                customer: Customer::person(2, "X", "Y"),
            },
        ];
        assert!(book.prepare_all(&changes).is_err());
        assert_eq!(book.customer(1).unwrap().consents, vec![email(true, t(1))]);
        assert_eq!(
            book.consent_at(2, Channel::Email, t(10)).unwrap(),
            Some(false)
        );
    }

    #[test]
    fn the_golden_record_keeps_every_records_decisions() {
        let mut a = Customer::person(1, "Ayşe", "Yılmaz");
        a.consents.push(email(true, t(1)));
        let mut b = a.clone();
        b.id = 2;
        b.consents.push(email(false, t(5)));
        let g = golden_record(&[a, b], &GoldenRules::default(), t(9).date_naive());
        assert_eq!(
            g.customer.consents,
            vec![email(true, t(1)), email(false, t(5))]
        );
        assert_eq!(g.customer.consent_at(Channel::Email, t(6)), Some(false));
    }

    #[test]
    fn record_consent_appends_once_and_follows_merges() {
        let mut book = book();
        book.merge(1, &[2], None, t(9)).unwrap();
        assert!(book.record_consent(2, email(true, t(20))).unwrap());
        assert!(!book.record_consent(1, email(true, t(20))).unwrap());
        assert_eq!(
            book.consent_at(1, Channel::Email, t(20)).unwrap(),
            Some(true)
        );
        let err = book.record_consent(99, email(true, t(20))).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::NotFound);
    }

    #[test]
    fn the_consent_report_counts_states_per_channel_and_tier() {
        let mut book = book();
        book.add_customer(Customer::person(3, "Can", "Er")).unwrap();
        let at = t(10);
        let r = book.consent_report(at).unwrap();
        let email = &r.channels[0];
        assert_eq!(email.channel, Channel::Email);
        // 1 granted, 2 withdrawn, 3 never.
        assert_eq!((email.granted, email.withdrawn, email.never), (1, 1, 1));
        assert!((email.share - 1.0 / 3.0).abs() < 1e-12);
        let sms = &r.channels[1];
        assert_eq!((sms.granted, sms.never), (0, 3));
        let tiers: usize = r
            .by_tier
            .iter()
            .filter(|x| x.channel == Channel::Email)
            .map(|x| x.customers)
            .sum();
        assert_eq!(tiers, 3);
        let granted: usize = r
            .by_tier
            .iter()
            .filter(|x| x.channel == Channel::Email)
            .map(|x| x.granted)
            .sum();
        assert_eq!(granted, 1);
        // Before the opt-in, nobody.
        let early = book.consent_report(at - Duration::days(30)).unwrap();
        assert_eq!(early.channels[0].granted, 0);
    }
}
