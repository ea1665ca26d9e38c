//! A deterministic, seeded generator of a Turkish SME customer base.
//!
//! From a hundred to millions of customers: Turkish names with their letters, the 81
//! provinces, valid-checksum national ids (TCKN) and tax numbers (VKN), mobile numbers in the
//! formats people type, plausible e-mails, heavy-tailed spend (roughly the top 20% of
//! customers bring about 80% of revenue), referrals, interactions on many channels,
//! complaints with realistic (sometimes far too slow) response and resolution times,
//! company-side incidents, and a known share of injected duplicates whose ground truth comes
//! back with the data ([`DuplicateTruth`]).
//!
//! Compiled with the `sample` cargo feature (`crm-core = { …, features = ["sample"] }`);
//! the core's own tests, the benches and the Python package turn it on. It builds on the
//! book and the engines; no engine depends on it.
//!
//! The same seed gives the same data on every platform (ChaCha8 stream, no floating-point
//! rounding that depends on the platform beyond IEEE 754).
//!
//! ```
//! use crm_core::sample::SampleConfig;
//! let a = SampleConfig::new(300).seed(1).generate();
//! let b = SampleConfig::new(300).seed(1).generate();
//! assert_eq!(a.customers, b.customers);
//! assert_eq!(a.customers.len(), 300 + a.duplicates.len());
//! ```

mod campaigns;
mod corrupt;
mod duplicates;
mod edits;
mod generator;
#[cfg(test)]
mod heavy_tests;
mod ids;
mod names;
mod transactions;

use chrono::{DateTime, TimeZone, Utc};

use crate::book::CustomerBook;
use crate::error::Result;
use crate::model::{Customer, Event, Incident};

pub use campaigns::PlantedCampaign;
pub use corrupt::{Corruption, Field, FieldChange, HeavyCorruption, Modification};
pub use duplicates::{DuplicateTruth, Perturbation, duplicate_pairs};
pub use transactions::{Transactions, transactions};

/// The currency of sample books.
pub const SAMPLE_CURRENCY: &str = "TRY";

/// The most distinct customers [`SampleConfig::build_book`] generates.
pub const MAX_SAMPLE_CUSTOMERS: usize = 10_000_000;

/// The largest average number of purchases per customer [`SampleConfig::build_book`]
/// accepts ([`SampleConfig::generate`] and [`SampleConfig::for_each_customer`] use at most
/// this many).
pub const MAX_MEAN_PURCHASES: f64 = 1_000.0;

/// What to generate. Build with [`SampleConfig::new`] and the setters, then call
/// [`SampleConfig::generate`] (everything in memory) or [`SampleConfig::build_book`]
/// (streamed straight into a book: the way to make millions of customers).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleConfig {
    customers: usize,
    seed: u64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    mean_purchases: f64,
    duplicate_share: f64,
    organisation_share: f64,
    corruption: Corruption,
    heavy: HeavyCorruption,
    campaigns: Vec<PlantedCampaign>,
}

impl SampleConfig {
    /// `customers` distinct customers (duplicates come on top), seed 0, activity from
    /// 2022-01-01 to 2025-12-31, 6 purchases per customer on average, 3% duplicates, 10%
    /// organisations, [`Corruption::Light`].
    pub fn new(customers: usize) -> Self {
        SampleConfig {
            customers,
            seed: 0,
            start: Utc
                .with_ymd_and_hms(2022, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            end: Utc
                .with_ymd_and_hms(2025, 12, 31, 23, 59, 59)
                .single()
                .unwrap_or_default(),
            mean_purchases: 6.0,
            duplicate_share: 0.03,
            organisation_share: 0.10,
            corruption: Corruption::Light,
            heavy: HeavyCorruption::default(),
            campaigns: Vec::new(),
        }
    }

    /// The random seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The period all activity falls in. `end` is also a good `as_of` for views.
    pub fn period(mut self, start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        self.start = start;
        self.end = end.max(start + chrono::Duration::days(60));
        self
    }

    /// The average number of purchases per customer (10 gives 10 million purchases for a
    /// million customers); from 0 to [`MAX_MEAN_PURCHASES`]: [`SampleConfig::validate`]
    /// refuses anything else (a negative or non-finite mean is an error, not silently 0).
    pub fn mean_purchases(mut self, mean: f64) -> Self {
        self.mean_purchases = mean;
        self
    }

    /// The share of extra records that duplicate an existing customer (0 to 0.5), in the
    /// light mode; the heavy mode draws its clusters from [`HeavyCorruption::cluster_sizes`].
    pub fn duplicate_share(mut self, share: f64) -> Self {
        self.duplicate_share = if share.is_finite() {
            share.clamp(0.0, 0.5)
        } else {
            0.0
        };
        self
    }

    /// The share of customers that are organisations (0 to 1).
    pub fn organisation_share(mut self, share: f64) -> Self {
        self.organisation_share = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// How duplicates are damaged: [`Corruption::Light`] (the default) or
    /// [`Corruption::Heavy`], with [`SampleConfig::heavy`]'s settings.
    ///
    /// ```
    /// use crm_core::sample::{Corruption, SampleConfig};
    /// let s = SampleConfig::new(500).seed(1).corruption(Corruption::Heavy).generate();
    /// // Every duplicate says which fields differ from its original, and how.
    /// assert!(s.duplicates.iter().all(|d| d.perturbations.is_empty()));
    /// assert!(s.duplicates.iter().any(|d| d.changes.len() >= 3));
    /// ```
    pub fn corruption(mut self, corruption: Corruption) -> Self {
        self.corruption = corruption;
        self
    }

    /// The settings of the heavy mode (modifications per field and record, cluster sizes);
    /// used when [`SampleConfig::corruption`] is [`Corruption::Heavy`].
    pub fn heavy(mut self, settings: HeavyCorruption) -> Self {
        self.heavy = settings;
        self
    }

    /// Campaigns with a planted effect, run over the whole book after it is built
    /// ([`PlantedCampaign`]; only [`SampleConfig::build_book`] plants them). Their events
    /// fall after [`SampleConfig::end`]; report them at [`PlantedCampaign::report_at`].
    pub fn campaigns(mut self, campaigns: Vec<PlantedCampaign>) -> Self {
        self.campaigns = campaigns;
        self
    }

    /// The end of the sample period: the natural `as_of` for views and features.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Generates everything in memory.
    pub fn generate(&self) -> Sample {
        let mut customers = Vec::new();
        let mut events = Vec::new();
        let duplicates = self.for_each_customer(|customer, mine| {
            customers.push(customer);
            events.extend(mine);
        });
        Sample {
            customers,
            events,
            incidents: generator::Generator::new(self).incidents().to_vec(),
            duplicates,
            end: self.end,
        }
    }

    /// Generates customer by customer without keeping anything: `sink` gets each customer
    /// with the events generated with it (its own, and a referral its referrer made), in an
    /// order a book accepts. Returns the duplicates' ground truth.
    ///
    /// ```
    /// let mut events = 0;
    /// crm_core::sample::SampleConfig::new(50).for_each_customer(|_, e| events += e.len());
    /// assert!(events > 0);
    /// ```
    pub fn for_each_customer(
        &self,
        mut sink: impl FnMut(Customer, Vec<Event>),
    ) -> Vec<DuplicateTruth> {
        let mut g = generator::Generator::new(self);
        g.run(|chunk| {
            sink(chunk.customer, chunk.events);
            Ok(())
        })
        .unwrap_or_default();
        g.into_truth()
    }

    /// Checks the sizes before anything is generated.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `customers` above [`MAX_SAMPLE_CUSTOMERS`]
    /// or `mean_purchases` negative, not finite or above [`MAX_MEAN_PURCHASES`]; as
    /// [`HeavyCorruption::validate`] in the heavy mode.
    ///
    /// ```
    /// use crm_core::sample::SampleConfig;
    /// let e = SampleConfig::new(10).mean_purchases(1e12).validate().unwrap_err();
    /// assert_eq!(e.field(), Some("mean_purchases"));
    /// for hostile in [-1.0, f64::NAN, f64::INFINITY] {
    ///     let e = SampleConfig::new(10).mean_purchases(hostile).validate().unwrap_err();
    ///     assert_eq!(e.field(), Some("mean_purchases"));
    /// }
    /// ```
    pub fn validate(&self) -> Result<()> {
        crate::limits::at_most("customers", self.customers, MAX_SAMPLE_CUSTOMERS)?;
        if !(self.mean_purchases.is_finite() && self.mean_purchases >= 0.0) {
            return Err(crate::CrmError::invalid(
                "mean_purchases",
                self.mean_purchases,
                "must be a finite number of at least 0",
            ));
        }
        crate::limits::at_most("mean_purchases", self.mean_purchases, MAX_MEAN_PURCHASES)?;
        if self.corruption == Corruption::Heavy {
            self.heavy.validate()?;
        }
        Ok(())
    }

    /// Generates straight into a new book, without holding the events twice; returns the
    /// book and the duplicates' ground truth.
    ///
    /// # Errors
    /// As [`SampleConfig::validate`]; otherwise only if the generator produced an event the
    /// book rejects, which is a bug.
    pub fn build_book(&self) -> Result<(CustomerBook, Vec<DuplicateTruth>)> {
        self.validate()?;
        let mut book = CustomerBook::with_currency(SAMPLE_CURRENCY)?;
        // Purchases, ~2 interactions and the odd referral or complaint per customer.
        let expected = self.customers as f64
            * (1.0 + self.duplicate_share)
            * (self.mean_purchases + 3.0)
            * 1.05;
        book.reserve(
            (self.customers as f64 * (1.0 + self.duplicate_share)) as usize,
            expected as usize,
        );
        let mut g = generator::Generator::new(self);
        for incident in g.incidents().to_vec() {
            book.add_incident(incident)?;
        }
        g.run(|chunk| {
            book.add_customer(chunk.customer)?;
            for e in chunk.events {
                book.record(e)?;
            }
            Ok(())
        })?;
        campaigns::plant(&mut book, self.seed, self.end, &self.campaigns)?;
        Ok((book, g.into_truth()))
    }
}

/// A generated customer base, in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Customers, originals and duplicates mixed, in the order a book must add them.
    pub customers: Vec<Customer>,
    /// Events in an order a book accepts.
    pub events: Vec<Event>,
    /// Company-side incidents.
    pub incidents: Vec<Incident>,
    /// Which records are duplicates of which.
    pub duplicates: Vec<DuplicateTruth>,
    /// The end of the period: the natural `as_of`.
    pub end: DateTime<Utc>,
}

impl Sample {
    /// Loads the sample into a new book.
    ///
    /// # Errors
    /// Only if the generator produced a record the book rejects, which is a bug.
    pub fn into_book(self) -> Result<CustomerBook> {
        let mut book = CustomerBook::with_currency(SAMPLE_CURRENCY)?;
        book.add_customers(self.customers)?;
        book.record_all(self.events)?;
        for incident in self.incidents {
            book.add_incident(incident)?;
        }
        Ok(book)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::ViewOptions;
    use crate::model::{CustomerKind, EventKind};

    /// Share of the total held by the top 20% of `values` (sorted here).
    fn top_fifth_share(mut values: Vec<i64>) -> f64 {
        values.sort_unstable_by(|a, b| b.cmp(a));
        let total: i64 = values.iter().sum();
        let top: i64 = values[..values.len() / 5].iter().sum();
        top as f64 / total as f64
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = SampleConfig::new(500).seed(3).generate();
        let b = SampleConfig::new(500).seed(3).generate();
        let c = SampleConfig::new(500).seed(4).generate();
        assert_eq!(a, b);
        assert_ne!(a.customers, c.customers);
    }

    #[test]
    fn revenue_is_pareto_like() {
        let sample = SampleConfig::new(20_000).seed(11).generate();
        let end = sample.end;
        let book = sample.into_book().unwrap();
        let f = book.features(end);
        let share = top_fifth_share(f.monetary.clone());
        assert!((0.72..=0.88).contains(&share), "top 20% share {share}");
    }

    #[test]
    fn duplicates_match_the_requested_share_and_point_at_originals() {
        let sample = SampleConfig::new(10_000)
            .seed(5)
            .duplicate_share(0.05)
            .generate();
        assert_eq!(sample.duplicates.len(), 500);
        let ids: std::collections::HashMap<u64, &Customer> =
            sample.customers.iter().map(|c| (c.id, c)).collect();
        for d in &sample.duplicates {
            assert!(!d.perturbations.is_empty());
            let (dup, orig) = (ids[&d.duplicate], ids[&d.original]);
            assert_eq!(dup.kind, orig.kind);
            // Undo what every duplicate gets (new id, own acquisition, no links): the
            // perturbations must still have changed something.
            let mut same = dup.clone();
            same.id = orig.id;
            same.external_ref = orig.external_ref.clone();
            same.referred_by = orig.referred_by;
            same.consents = orig.consents.clone();
            same.acquired_at = orig.acquired_at;
            assert_ne!(&same, orig, "duplicate {} is unchanged", d.duplicate);
        }
    }

    #[test]
    fn loads_into_a_book_and_has_every_ingredient() {
        let sample = SampleConfig::new(3_000).seed(9).generate();
        let end = sample.end;
        let n_customers = sample.customers.len();
        let n_events = sample.events.len();
        let has = |f: &dyn Fn(&EventKind) -> bool| sample.events.iter().any(|e| f(&e.kind));
        assert!(has(&|k| matches!(k, EventKind::Referral(_))));
        assert!(has(&|k| matches!(k, EventKind::Refund(_))));
        assert!(has(&|k| matches!(k, EventKind::ComplaintRated(_))));
        assert!(has(&|k| matches!(k, EventKind::Contribution(_))));
        assert!(has(&|k| matches!(k, EventKind::ComplaintMessage(_))));
        assert!(has(&|k| matches!(
            k,
            EventKind::ComplaintPriorityChanged(_)
        )));
        assert!(has(&|k| matches!(
            k,
            EventKind::Churned(crate::model::Churned { reason: Some(_) })
        )));
        assert!(
            sample
                .customers
                .iter()
                .any(|c| c.kind == CustomerKind::Organisation)
        );
        assert!(
            sample
                .customers
                .iter()
                .filter_map(|c| c.family_name.as_deref())
                .any(|n| n.contains('ı') || n.contains('ş'))
        );
        let book = sample.into_book().unwrap();
        assert_eq!(book.len(), n_customers);
        assert_eq!(book.event_count(), n_events);
        // Some customer's timeline shows an incident.
        let touched = book
            .customers()
            .map(|c| book.view(c.id, &ViewOptions::as_of(end)).unwrap())
            .filter(|v| !v.incidents.is_empty())
            .count();
        assert!(touched > 0);
    }

    #[test]
    fn streaming_and_in_memory_give_the_same_book() {
        let cfg = SampleConfig::new(800).seed(21);
        let (streamed, truth) = cfg.build_book().unwrap();
        let sample = cfg.generate();
        assert_eq!(truth, sample.duplicates);
        let loaded = sample.into_book().unwrap();
        // Not assert_eq: a failure would print millions of characters.
        assert!(
            streamed.snapshot() == loaded.snapshot(),
            "the two books differ"
        );
        assert!(streamed.event_count() > 800);
    }
}

#[cfg(test)]
mod light_is_unchanged {
    use super::*;

    /// FNV-1a, 64 bits: a stable hash with no dependency (std's hasher may change).
    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    /// The light mode's output for seed 7 must stay what it was before the heavy mode
    /// existed. The expected hash was computed on main at 40da148 (before `Corruption`) by
    /// this very function: FNV-1a of the JSON of `(customers, duplicates, events)` of
    /// `SampleConfig::new(2_000).seed(7).generate()`.
    #[test]
    fn light_sample_hash_is_the_one_recorded_before_the_heavy_mode() {
        let s = SampleConfig::new(2_000).seed(7).generate();
        let json = serde_json::to_string(&(&s.customers, &s.duplicates, &s.events)).unwrap();
        let h = fnv1a(json.as_bytes());
        println!("light hash {h:#018x} over {} bytes", json.len());
        assert_eq!(h, 0x23b0_458f_9da2_0caf);
    }
}
