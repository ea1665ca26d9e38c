//! The book's side of consent and audiences: recording a consent decision, the decision in
//! force, the consent report.

use chrono::{DateTime, Utc};

use std::collections::BTreeMap;

use super::{Change, ChangeOutcome, CustomerBook, Segmentation, SegmentationConfig};
use crate::audience::{
    Audience, AudienceInputs, Column, ConsentReport, ConsentReportOptions, ConsentState, Field,
    OptOuts, SelectOptions, Selection, SuppressColumns, consent_report_with, select_columns,
};
use crate::clv::ClvConfig;
use crate::error::Result;
use crate::lifecycle::{Phase, Stage};
use crate::model::{Channel, Consent, Customer, CustomerId, CustomerKind};
use crate::segment::AbcClass;

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

    /// Adds one consent decision (an opt-in or a withdrawal) to a customer's history: the
    /// change [`Change::ConsentRecorded`] (so it joins a batch and a store's log like any
    /// other); an identical decision already recorded is skipped. Returns whether the
    /// history changed.
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
        let change = Change::ConsentRecorded {
            customer_id: id,
            consent,
        };
        Ok(!matches!(
            self.apply_change(&change)?,
            ChangeOutcome::Changed(false)
        ))
    }

    /// [`Customer::consent_at`] for the customer `id` stands for (merged ids follow to the
    /// survivor), with the customer's campaign opt-outs on `channel` as withdrawals
    /// ([`ConsentState::with_opt_out`]): `Some(true)` for an opt-in in force, `Some(false)`
    /// for a withdrawal, `None` when the customer never decided on `channel`.
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
        let opted_out = self.by_customer[dense as usize]
            .iter()
            .map(|&i| &self.events[i as usize])
            .filter_map(|e| {
                opt_out_channel(&e.kind)
                    .filter(|&c| c == channel)
                    .map(|_| e.at)
            })
            .filter(|&t| t <= at)
            .max();
        let customer = &self.customers[dense as usize];
        Ok(ConsentState::with_opt_out(customer, channel, at, opted_out).as_option())
    }

    /// Each customer's consent state on `channel` at `at`, in the book's customer order
    /// (campaign opt-outs counted as withdrawals, as [`CustomerBook::consent_at`]).
    pub fn consent_column(&self, channel: Channel, at: DateTime<Utc>) -> Vec<ConsentState> {
        let opt_outs = self.opt_outs(at);
        self.customers
            .iter()
            .enumerate()
            .map(|(row, c)| {
                let out = opt_outs.get(&(row, channel)).copied();
                ConsentState::with_opt_out(c, channel, at, out)
            })
            .collect()
    }

    /// The latest campaign opt-out at or before `at` per (customer row, channel): one pass
    /// over the events.
    pub(crate) fn opt_outs(&self, at: DateTime<Utc>) -> OptOuts {
        let mut out = OptOuts::new();
        for e in self.events.iter().filter(|e| e.at <= at) {
            if let Some(channel) = opt_out_channel(&e.kind) {
                let latest = out.entry((e.customer as usize, channel)).or_insert(e.at);
                *latest = (*latest).max(e.at);
            }
        }
        out
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
        self.consent_report_with(&ConsentReportOptions::at(at))
    }

    /// [`CustomerBook::consent_report`] with options: the tiers under
    /// `options.segmentation` when given (the company's config, custom tier names
    /// included), else as [`CustomerBook::consent_report`] reads them.
    ///
    /// # Errors
    /// As [`CustomerBook::segment`].
    pub fn consent_report_with(&self, options: &ConsentReportOptions) -> Result<ConsentReport> {
        let at = options.at;
        let segmentation = self.segmentation_at(at, options.segmentation.as_ref())?;
        let customers: Vec<&Customer> = self.customers.iter().collect();
        consent_report_with(
            at,
            &customers,
            &segmentation.pyramid.tier,
            &segmentation.pyramid.names,
            &self.opt_outs(at),
        )
    }
}

impl CustomerBook {
    /// The columns, consent and suppressions a selection of `audience` reads, as of
    /// `options.at` (only the fields the rule reads are built). Tiers, scores and RFM come
    /// from `options.segmentation` when given, else from the kept segmentation when it was
    /// made as of `at`, otherwise from a default one;
    /// stages from the book's lifecycle policy (or the default); CLV from a default fit.
    ///
    /// # Errors
    /// As [`CustomerBook::segment`], [`CustomerBook::stages`], [`CustomerBook::predict_clv`]
    /// (when the rule reads their fields); as [`crate::audience::Suppression::validate`].
    pub fn audience_inputs(
        &self,
        audience: &Audience,
        options: &SelectOptions,
    ) -> Result<AudienceInputs> {
        options.suppression.validate()?;
        let at = options.at;
        let fields = audience.fields();
        let wants = |list: &[Field]| list.iter().any(|f| fields.contains(f));
        let mut columns = BTreeMap::new();
        let mut features = None;
        if wants(&[
            Field::Tier,
            Field::Score,
            Field::RfmSegment,
            Field::RfmScore,
            Field::Abc,
        ]) {
            let seg = self.segmentation_at(at, options.segmentation.as_ref())?;
            let n = seg.pyramid.tier.len();
            columns.insert(
                Field::Tier,
                Column::text((0..n).map(|i| seg.pyramid.tier_name(i))),
            );
            columns.insert(Field::Score, Column::Number(seg.scores.score.clone()));
            columns.insert(
                Field::RfmSegment,
                Column::text((0..n).map(|i| seg.rfm.segment_name(i))),
            );
            columns.insert(
                Field::RfmScore,
                Column::Number(seg.rfm.score.iter().map(|&x| f64::from(x)).collect()),
            );
            columns.insert(
                Field::Abc,
                Column::text(seg.abc.iter().map(|c| Some(abc_name(*c)))),
            );
            features = Some(seg.features.clone());
        }
        if wants(&[Field::Stage, Field::Phase]) {
            let policy = self.lifecycle_policy().cloned().unwrap_or_default();
            let stages = self.stages(&policy, at)?;
            let stage_names: Vec<String> = Stage::ALL.iter().map(enum_name).collect();
            let phases = [Phase::Acquire, Phase::Grow, Phase::Retain, Phase::Lost];
            columns.insert(
                Field::Stage,
                Column::Text {
                    codes: stages.stage.iter().map(|s| s.index() as u32).collect(),
                    values: stage_names,
                },
            );
            columns.insert(
                Field::Phase,
                Column::Text {
                    codes: stages
                        .stage
                        .iter()
                        .map(|s| phases.iter().position(|&p| p == s.phase()).unwrap_or(0) as u32)
                        .collect(),
                    values: phases.iter().map(enum_name).collect(),
                },
            );
        }
        if wants(&[Field::Clv, Field::PAlive, Field::ExpectedPurchases]) {
            let p = self.predict_clv(at, &ClvConfig::default())?;
            columns.insert(Field::Clv, Column::Number(p.clv));
            columns.insert(Field::PAlive, Column::Number(p.p_alive));
            columns.insert(
                Field::ExpectedPurchases,
                Column::Number(p.expected_purchases),
            );
        }
        let needs_features = wants(&[
            Field::RecencyDays,
            Field::Frequency,
            Field::Monetary,
            Field::TenureDays,
            Field::Intensity,
            Field::Referrals,
            Field::ComplaintsOpen,
            Field::ComplaintsTotal,
            Field::CoInvestment,
            Field::CostSharing,
        ]) || options.suppression.open_complaints;
        if needs_features && features.is_none() {
            features = Some(self.features(at));
        }
        let mut complaint_open = Vec::new();
        if let Some(f) = &features {
            let num = |v: &[u32]| Column::Number(v.iter().map(|&x| f64::from(x)).collect());
            let money = |v: &[i64]| Column::Number(v.iter().map(|&x| x as f64).collect());
            columns.insert(Field::RecencyDays, Column::Number(f.recency_days.clone()));
            columns.insert(Field::Frequency, num(&f.frequency));
            columns.insert(Field::Monetary, money(&f.monetary));
            columns.insert(Field::TenureDays, Column::Number(f.tenure_days.clone()));
            columns.insert(Field::Intensity, Column::Number(f.intensity.clone()));
            columns.insert(Field::Referrals, num(&f.referrals));
            columns.insert(Field::ComplaintsOpen, num(&f.complaints_open));
            columns.insert(Field::ComplaintsTotal, num(&f.complaints_total));
            columns.insert(Field::CoInvestment, money(&f.co_investment));
            columns.insert(Field::CostSharing, money(&f.cost_sharing));
            if options.suppression.open_complaints {
                complaint_open = f.complaints_open.iter().map(|&x| x > 0).collect();
            }
        }
        let contact_fields = [
            Field::DaysSinceContact,
            Field::UnansweredInbound,
            Field::ComplaintsBreached,
            Field::ActivitiesOverdue,
        ];
        if wants(&contact_fields) {
            let c = self.contact_features(at, None)?;
            let num = |v: &[u32]| Column::Number(v.iter().map(|&x| f64::from(x)).collect());
            columns.insert(
                Field::DaysSinceContact,
                Column::Number(c.days_since_contact),
            );
            columns.insert(Field::UnansweredInbound, num(&c.unanswered_inbound));
            columns.insert(Field::ComplaintsBreached, num(&c.complaints_breached));
            columns.insert(Field::ActivitiesOverdue, num(&c.activities_overdue));
        }
        let cs = &self.customers;
        let profile: [(Field, ProfileText); 6] = [
            (Field::Region, |c| c.region.as_deref()),
            (Field::Sector, |c| c.sector.as_deref()),
            (Field::City, |c| c.address.city.as_deref()),
            (Field::District, |c| c.address.district.as_deref()),
            (Field::Country, |c| c.address.country.as_deref()),
            (Field::AcquisitionChannel, |c| {
                c.acquisition_channel.map(Channel::as_str)
            }),
        ];
        for (field, get) in profile {
            if fields.contains(&field) {
                columns.insert(field, Column::text(cs.iter().map(get)));
            }
        }
        if fields.contains(&Field::Kind) {
            columns.insert(
                Field::Kind,
                Column::text(cs.iter().map(|c| {
                    Some(match c.kind {
                        CustomerKind::Person => "person",
                        CustomerKind::Organisation => "organisation",
                    })
                })),
            );
        }
        if fields.contains(&Field::Tag) {
            columns.insert(
                Field::Tag,
                Column::set(cs.iter().map(|c| c.tags.iter().map(String::as_str))),
            );
        }
        if fields.contains(&Field::Consent) {
            let opt_outs = self.opt_outs(at);
            let opt_outs = &opt_outs;
            columns.insert(
                Field::Consent,
                Column::set(cs.iter().enumerate().map(|(row, c)| {
                    Channel::ALL
                        .iter()
                        .filter(move |&&ch| {
                            let out = opt_outs.get(&(row, ch)).copied();
                            ConsentState::with_opt_out(c, ch, at, out) == ConsentState::Granted
                        })
                        .map(|ch| ch.as_str())
                })),
            );
        }
        let contact = (fields.contains(&Field::Channel)
            || options.suppression.contacted_within_days.is_some())
        .then(|| self.contact_columns(at));
        if let (Some(k), true) = (&contact, fields.contains(&Field::Channel)) {
            columns.insert(
                Field::Channel,
                Column::set(k.channels.iter().map(|&mask| {
                    Channel::ALL
                        .iter()
                        .enumerate()
                        .filter(move |(i, _)| mask >> i & 1 == 1)
                        .map(|(_, ch)| ch.as_str())
                })),
            );
        }
        let frequency_cap = match (&contact, options.suppression.contacted_within_days) {
            (Some(k), Some(days)) => {
                let since = at - chrono::Duration::days(i64::from(days));
                k.last_outbound
                    .iter()
                    .map(|t| t.is_some_and(|t| t >= since))
                    .collect()
            }
            _ => Vec::new(),
        };
        let mut listed = Vec::new();
        let mut unknown_ids = 0;
        if !options.suppression.customer_ids.is_empty() {
            listed = vec![false; cs.len()];
            for &id in &options.suppression.customer_ids {
                match self.dense(id) {
                    Ok(d) => listed[d as usize] = true,
                    Err(_) => unknown_ids += 1,
                }
            }
        }
        let consent = match options.channel {
            Some(ch) => self.consent_column(ch, at),
            None => Vec::new(),
        };
        Ok(AudienceInputs {
            customer_id: cs.iter().map(|c| c.id).collect(),
            columns,
            consent,
            suppress: SuppressColumns {
                listed,
                complaint_open,
                frequency_cap,
                unknown_ids,
            },
        })
    }

    /// Selects `audience` from the book: [`CustomerBook::audience_inputs`], then
    /// [`select_columns`]. Every customer is in the result, with why they are in or out.
    ///
    /// # Errors
    /// As [`CustomerBook::audience_inputs`] and [`select_columns`].
    ///
    /// ```
    /// use crm_core::audience::{Audience, Reason, SelectOptions};
    /// use crm_core::model::Channel;
    /// use crm_core::sample::SampleConfig;
    /// let config = SampleConfig::new(300).seed(3);
    /// let (book, _) = config.build_book()?;
    /// let a = Audience::from_json(r#"{"field": "frequency", "gte": 1}"#)?;
    /// let s = book.select_audience(&a, &SelectOptions::new(config.end(), Some(Channel::Email)))?;
    /// assert_eq!(s.customer_id.len(), book.len());
    /// assert_eq!(s.counts.values().sum::<usize>(), book.len());
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn select_audience(
        &self,
        audience: &Audience,
        options: &SelectOptions,
    ) -> Result<Selection> {
        let inputs = self.audience_inputs(audience, options)?;
        let mut selection = select_columns(audience, &inputs)?;
        selection.as_of = Some(options.at);
        selection.channel = options.channel;
        Ok(selection)
    }

    /// The book segmented as of `at` under `config` when given; else the kept segmentation
    /// when it is as of `at` and still row for row the book's; else a default one as of `at`.
    pub(super) fn segmentation_at(
        &self,
        at: DateTime<Utc>,
        config: Option<&SegmentationConfig>,
    ) -> Result<std::sync::Arc<Segmentation>> {
        if let Some(config) = config {
            return self.segment(at, config);
        }
        let kept = self.segmentation.as_ref().filter(|s| {
            s.as_of == at
                && s.features.customer_id.len() == self.customers.len()
                && s.features
                    .customer_id
                    .iter()
                    .zip(&self.customers)
                    .all(|(&id, c)| id == c.id)
        });
        match kept {
            Some(s) => Ok(std::sync::Arc::clone(s)),
            None => self.segment(at, &SegmentationConfig::default()),
        }
    }
}

/// A profile field's text, if any.
type ProfileText = fn(&Customer) -> Option<&str>;

fn abc_name(c: AbcClass) -> &'static str {
    match c {
        AbcClass::A => "A",
        AbcClass::B => "B",
        AbcClass::C => "C",
    }
}

/// A unit enum's snake-case JSON name.
fn enum_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The channel a campaign opt-out withdraws, for a stored event that is one.
fn opt_out_channel(kind: &super::store::StoredKind) -> Option<Channel> {
    match kind {
        super::store::StoredKind::Campaign {
            step: crate::model::CampaignStep::OptedOut,
            channel,
            ..
        } => *channel,
        _ => None,
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
