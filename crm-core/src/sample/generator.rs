//! The generator behind [`super::SampleConfig`]: one customer at a time, with its events.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Pareto, Poisson};

use super::corrupt::{Corruption, FieldChange, heavy_duplicate};
use super::duplicates::{DuplicateTruth, Perturbation, duplicate};
use super::ids::{email, format_phone, mobile, tckn, vkn};
use super::names::*;
use super::{SAMPLE_CURRENCY, SampleConfig};
use crate::error::Result;
use crate::model::*;

/// Pareto shape of customer activity; with the basket spread below it puts roughly 80% of
/// revenue with the top 20% of customers (checked by a test).
const ACTIVITY_SHAPE: f64 = 1.25;
/// Activity is capped so that one customer cannot dwarf a small sample.
const ACTIVITY_CAP: f64 = 60.0;
/// How many recent originals a duplicate may copy.
const RECENT: usize = 4096;

/// A customer and the events generated with it (its own, and a referral made by its
/// referrer).
pub(crate) struct Chunk {
    pub(crate) customer: Customer,
    pub(crate) events: Vec<Event>,
}

pub(crate) struct Generator<'a> {
    cfg: &'a SampleConfig,
    rng: ChaCha8Rng,
    /// A second stream for the complaint conversations, priority changes and recorded
    /// churns, so that adding them left every other generated value as it was.
    extra: ChaCha8Rng,
    /// Id and acquisition instant of every original, for referrals.
    acquired: Vec<(CustomerId, DateTime<Utc>)>,
    recent: Vec<Customer>,
    truth: Vec<DuplicateTruth>,
    incidents: Vec<Incident>,
    next_complaint: ComplaintId,
    span: i64,
    activity: Pareto<f64>,
    activity_mean: f64,
    spender: LogNormal<f64>,
    basket: LogNormal<f64>,
    response_minutes: LogNormal<f64>,
    resolution_hours: LogNormal<f64>,
}

impl<'a> Generator<'a> {
    pub(crate) fn new(cfg: &'a SampleConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let span = (cfg.end - cfg.start).num_seconds().max(1);
        let incidents = make_incidents(&mut rng, cfg.start, span);
        // E[min(X, c)] for X ~ Pareto(1, α): 1 + (1 − c^(1−α)) / (α − 1).
        let a = ACTIVITY_SHAPE;
        let activity_mean = 1.0 + (1.0 - ACTIVITY_CAP.powf(1.0 - a)) / (a - 1.0);
        Generator {
            cfg,
            rng,
            extra: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5eed_c0de_11fe_c7c1),
            acquired: Vec::with_capacity(cfg.customers.min(super::MAX_SAMPLE_CUSTOMERS)),
            recent: Vec::new(),
            truth: Vec::new(),
            incidents,
            next_complaint: 1,
            span,
            activity: Pareto::new(1.0, ACTIVITY_SHAPE).expect("valid constants"),
            activity_mean,
            spender: LogNormal::new(0.0, 0.8).expect("valid constants"),
            basket: LogNormal::new(0.0, 0.5).expect("valid constants"),
            // Median first response 3 hours, a long tail past a working day.
            response_minutes: LogNormal::new(180f64.ln(), 1.0).expect("valid constants"),
            // Median resolution 30 hours, some taking weeks.
            resolution_hours: LogNormal::new(30f64.ln(), 1.1).expect("valid constants"),
        }
    }

    pub(crate) fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    pub(crate) fn into_truth(self) -> Vec<DuplicateTruth> {
        self.truth
    }

    /// Generates every customer in order and hands each chunk to `sink`.
    pub(crate) fn run(&mut self, sink: impl FnMut(Chunk) -> Result<()>) -> Result<()> {
        match self.cfg.corruption {
            Corruption::Light => self.run_light(sink),
            Corruption::Heavy => self.run_heavy(sink),
        }
    }

    /// Clusters of 1 to 5 records per customer; each duplicate comes some records after its
    /// original (each step emits pending duplicates while a fair coin says so: one a step on
    /// average, more than the 0.545 made, so the queue stays short).
    fn run_heavy(&mut self, mut sink: impl FnMut(Chunk) -> Result<()>) -> Result<()> {
        let mut pending: Vec<Customer> = Vec::new();
        let mut k = 0u64;
        let mut next_id = || {
            k += 1;
            100_000 + 7 * (k - 1)
        };
        for _ in 0..self.cfg.customers {
            let chunk = self.original(next_id());
            let size = self.cfg.heavy.cluster_size(&mut self.rng);
            for _ in 1..size {
                pending.push(chunk.customer.clone());
            }
            sink(chunk)?;
            while !pending.is_empty() && self.rng.random_bool(0.5) {
                let original = pending.swap_remove(self.rng.random_range(0..pending.len()));
                let chunk = self.heavy_duplicate(&original, next_id());
                sink(chunk)?;
            }
        }
        while !pending.is_empty() {
            let original = pending.swap_remove(self.rng.random_range(0..pending.len()));
            let chunk = self.heavy_duplicate(&original, next_id());
            sink(chunk)?;
        }
        Ok(())
    }

    /// Today's light mode: duplicates a share of the records, of recent originals.
    fn run_light(&mut self, mut sink: impl FnMut(Chunk) -> Result<()>) -> Result<()> {
        let originals = self.cfg.customers;
        let dups = (originals as f64 * self.cfg.duplicate_share).round() as usize;
        let total = originals + dups;
        let mut made_dups = 0;
        let mut made_originals = 0;
        for k in 0..total {
            // Non-dense ids, as a company's own keys are.
            let id = 100_000 + 7 * k as u64;
            let left_dups = dups - made_dups;
            let left = total - k;
            let is_dup = !self.recent.is_empty()
                && (made_originals == originals || self.rng.random_range(0..left) < left_dups);
            let chunk = if is_dup {
                made_dups += 1;
                self.duplicate(id)
            } else {
                made_originals += 1;
                self.original(id)
            };
            sink(chunk)?;
        }
        Ok(())
    }

    fn at(&self, offset: i64) -> DateTime<Utc> {
        self.cfg.start + Duration::seconds(offset)
    }

    /// An instant in `[from, to)` during waking hours, 06:00–20:00 UTC (09:00–23:00 in
    /// İstanbul), when one exists in the range.
    fn daytime(&mut self, from: i64, to: i64) -> i64 {
        let t = self.rng.random_range(from..to);
        let day = t - t.rem_euclid(86_400);
        let moved = day + self.rng.random_range(6 * 3_600..20 * 3_600);
        if (from..to).contains(&moved) {
            moved
        } else {
            t
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn province(&mut self) -> usize {
        let mut u: f64 = self.rng.random();
        for &(plate, share) in BIG_CITIES {
            if u < share {
                return plate;
            }
            u -= share;
        }
        loop {
            let plate = self.rng.random_range(1..=81);
            if !BIG_CITIES.iter().any(|&(p, _)| p == plate) {
                return plate;
            }
        }
    }

    fn original(&mut self, id: CustomerId) -> Chunk {
        let acquired_offset = self.rng.random_range(0..self.span - 30 * 86_400);
        let acquired_at = self.at(acquired_offset);
        let mut customer = self.profile(id, acquired_at);
        let mut events = Vec::new();

        // Referrals: 8% of customers were brought in by an earlier one.
        if !self.acquired.is_empty() && self.rng.random_bool(0.08) {
            let (referrer, their_start) =
                self.acquired[self.rng.random_range(0..self.acquired.len())];
            customer.referred_by = Some(referrer);
            events.push(Event::new(
                referrer,
                their_start.max(acquired_at),
                Referral { referred: id },
            ));
        }

        self.activity_events(id, acquired_offset, &mut events);
        self.acquired.push((id, acquired_at));
        if self.recent.len() < RECENT {
            self.recent.push(customer.clone());
        } else {
            let slot = self.rng.random_range(0..RECENT);
            self.recent[slot] = customer.clone();
        }
        Chunk { customer, events }
    }

    fn duplicate(&mut self, id: CustomerId) -> Chunk {
        let original = self.recent[self.rng.random_range(0..self.recent.len())].clone();
        let (customer, perturbations) = duplicate(&mut self.rng, &original, id);
        self.duplicate_events(&original, customer, perturbations, Vec::new())
    }

    fn heavy_duplicate(&mut self, original: &Customer, id: CustomerId) -> Chunk {
        let (customer, changes) = heavy_duplicate(&mut self.rng, original, id, &self.cfg.heavy);
        self.duplicate_events(original, customer, Vec::new(), changes)
    }

    /// A duplicate's own acquisition and few purchases, and its ground truth.
    fn duplicate_events(
        &mut self,
        original: &Customer,
        mut customer: Customer,
        perturbations: Vec<Perturbation>,
        changes: Vec<FieldChange>,
    ) -> Chunk {
        let id = customer.id;
        // The second record was typed in later, by another system or branch.
        let start = original
            .acquired_at
            .map_or(0, |t| (t - self.cfg.start).num_seconds());
        let offset = self.rng.random_range(start..self.span - 86_400);
        customer.acquired_at = Some(self.at(offset));
        let mut events = Vec::new();
        let n = self.rng.random_range(0..3);
        let mut times: Vec<i64> = (0..n).map(|_| self.daytime(offset, self.span)).collect();
        times.sort_unstable();
        for t in times {
            let (cat, typical) = self.pick(CATEGORIES);
            let amount = self.amount(typical, 1.0);
            events.push(Event::new(
                id,
                self.at(t),
                purchase(amount, cat, Channel::Branch),
            ));
        }
        self.truth.push(DuplicateTruth {
            duplicate: id,
            original: original.id,
            perturbations,
            changes,
        });
        Chunk { customer, events }
    }

    fn profile(&mut self, id: CustomerId, acquired_at: DateTime<Utc>) -> Customer {
        let plate = self.province();
        let (province, region) = PROVINCES[plate - 1];
        let organisation = self.rng.random_bool(self.cfg.organisation_share);
        let family = self.pick(FAMILY_NAMES);
        let given = self.pick(GIVEN_NAMES);
        let sector = self.pick(SECTORS);
        let mut c = if organisation {
            let form = self.pick(COMPANY_FORMS);
            let mut name = format!("{family} {} {form}", capitalise(sector));
            if self.rng.random_bool(0.3) {
                name = format!("{given} {name}");
            }
            let mut c = Customer::organisation(id, &name);
            c.tax_id = Some(vkn(&mut self.rng));
            c
        } else {
            let mut c = Customer::person(id, given, family);
            if self.rng.random_bool(0.9) {
                c.national_id = Some(tckn(&mut self.rng));
            }
            let year = self.rng.random_range(1945..2006);
            let day = self.rng.random_range(0..365);
            c.birth_date = NaiveDate::from_yo_opt(year, 1 + day);
            c
        };
        let national = mobile(&mut self.rng);
        let style = self.rng.random_range(0..6);
        c.phones.push(format_phone(&national, style));
        if self.rng.random_bool(0.85) {
            let mail = if organisation {
                format!("info@{}.com.tr", super::ids::ascii_fold_lower(family))
            } else {
                email(&mut self.rng, given, family)
            };
            c.emails.push(mail);
        }
        c.address = Address {
            line: Some(format!(
                "{} No:{}",
                self.pick(STREETS),
                self.rng.random_range(1..200)
            )),
            district: Some(self.pick(DISTRICTS).to_owned()),
            city: Some(province.to_owned()),
            postcode: Some(format!("{plate:02}{:03}", self.rng.random_range(0..1000))),
            country: Some("TR".to_owned()),
        };
        c.region = Some(region.to_owned());
        c.sector = Some(sector.to_owned());
        c.acquired_at = Some(acquired_at);
        c.acquisition_channel = Some(self.pick(&[
            Channel::Web,
            Channel::Web,
            Channel::Branch,
            Channel::MobileApp,
            Channel::CallCentre,
            Channel::Social,
            Channel::InPerson,
        ]));
        if self.rng.random_bool(0.6) {
            c.consents.push(Consent {
                channel: Channel::Email,
                granted: true,
                at: acquired_at,
            });
        }
        if self.rng.random_bool(0.4) {
            c.consents.push(Consent {
                channel: Channel::Sms,
                granted: true,
                at: acquired_at,
            });
        }
        if self.rng.random_bool(0.02) {
            c.tags.push("vip".to_owned());
        }
        c
    }

    fn amount(&mut self, typical_lira: f64, spender: f64) -> i64 {
        let lira = typical_lira * spender * self.basket.sample(&mut self.rng);
        (lira * 100.0).round().max(100.0) as i64
    }

    /// Purchases, refunds, interactions, contributions and complaints of one original.
    fn activity_events(&mut self, id: CustomerId, from: i64, events: &mut Vec<Event>) {
        let activity = self.activity.sample(&mut self.rng).min(ACTIVITY_CAP);
        // `generate` does not validate: keep an unchecked mean inside the generator's range.
        let mean = self.cfg.mean_purchases;
        let mean = if mean.is_finite() {
            mean.clamp(0.0, super::MAX_MEAN_PURCHASES)
        } else {
            0.0
        };
        let lambda = mean * activity / self.activity_mean;
        let purchases = poisson(&mut self.rng, lambda);
        let spender = self.spender.sample(&mut self.rng);
        let favourite = self.rng.random_range(0..CATEGORIES.len());
        let channel = self.pick(&[Channel::Web, Channel::MobileApp, Channel::Branch]);

        let mut own: Vec<(i64, EventKind)> = Vec::new();
        for _ in 0..purchases {
            let t = self.daytime(from, self.span);
            let (cat, typical) = if self.rng.random_bool(0.6) {
                CATEGORIES[favourite]
            } else {
                self.pick(CATEGORIES)
            };
            let amount = self.amount(typical, spender);
            own.push((t, purchase(amount, cat, channel).into()));
            if self.rng.random_bool(0.03) {
                let back = t + self.rng.random_range(86_400..20 * 86_400);
                if back < self.span {
                    own.push((
                        back,
                        Refund {
                            amount,
                            currency: SAMPLE_CURRENCY.to_owned(),
                            product: None,
                            reason: Some("ürün iadesi".to_owned()),
                            channel: Some(channel),
                        }
                        .into(),
                    ));
                }
            }
        }
        for _ in 0..poisson(&mut self.rng, 2.0) {
            let t = self.daytime(from, self.span);
            own.push((t, self.interaction().into()));
        }
        if self.rng.random_bool(0.01) {
            self.incident_contact(from, &mut own);
        }
        if self.rng.random_bool(0.02) {
            let t = self.rng.random_range(from..self.span);
            let kind = if self.rng.random_bool(0.5) {
                ContributionKind::CoInvestment
            } else {
                ContributionKind::CostSharing
            };
            let amount = self.rng.random_range(5_000..200_000) * 100;
            own.push((
                t,
                Contribution {
                    kind,
                    amount,
                    currency: SAMPLE_CURRENCY.to_owned(),
                    description: None,
                }
                .into(),
            ));
        }
        for _ in 0..poisson(&mut self.rng, 0.1) {
            self.complaint(from, &mut own);
        }
        self.recorded_churn(&mut own);
        // Stable: a complaint's own events keep their order when instants tie.
        own.sort_by_key(|(t, _)| *t);
        events.extend(
            own.into_iter()
                .map(|(t, kind)| Event::new(id, self.at(t), kind)),
        );
    }

    fn interaction(&mut self) -> Interaction {
        let channel = self.pick(&[
            Channel::CallCentre,
            Channel::CallCentre,
            Channel::Email,
            Channel::Web,
            Channel::Branch,
            Channel::MobileApp,
            Channel::Sms,
            Channel::Social,
            Channel::Atm,
            Channel::Phone,
        ]);
        let direction = if channel == Channel::Sms || self.rng.random_bool(0.2) {
            Direction::Outbound
        } else {
            Direction::Inbound
        };
        Interaction {
            channel,
            direction,
            subject: Some(self.pick(SUBJECTS).to_owned()),
            outcome: Some(self.pick(OUTCOMES).to_owned()),
            agent: (channel == Channel::CallCentre).then(|| self.pick(AGENTS).to_owned()),
        }
    }

    /// A contact that happened during an incident, on its channel: the cash that never came
    /// out of the ATM.
    fn incident_contact(&mut self, from: i64, own: &mut Vec<(i64, EventKind)>) {
        let start = self.cfg.start;
        let candidates: Vec<(i64, i64, Channel)> = self
            .incidents
            .iter()
            .filter_map(|i| {
                let s = (i.start - start).num_seconds();
                let e = (i.end? - start).num_seconds();
                (s >= from).then_some((s, e, i.channel.unwrap_or(Channel::Branch)))
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        let (s, e, channel) = self.pick(&candidates);
        let t = self.rng.random_range(s..=e);
        own.push((
            t,
            Interaction {
                channel,
                direction: Direction::Inbound,
                subject: Some("para çekme".to_owned()),
                outcome: Some("işlem başarısız".to_owned()),
                agent: None,
            }
            .into(),
        ));
    }

    /// For a customer silent for more than a year, the company sometimes learns why they
    /// left (a third of the time), with reasons in the source documents' shares.
    fn recorded_churn(&mut self, own: &mut Vec<(i64, EventKind)>) {
        let last = own
            .iter()
            .filter(|(_, k)| matches!(k, EventKind::Purchase(_)))
            .map(|(t, _)| *t)
            .max();
        let Some(last) = last else { return };
        let at = last + self.extra.random_range(380 * 86_400..500 * 86_400);
        if at >= self.span || !self.extra.random_bool(1.0 / 3.0) {
            return;
        }
        let mut u: f64 = self.extra.random();
        let mut reason = ChurnReason::Indifference;
        for (r, p) in ChurnReason::ALL.iter().zip(ChurnReason::DEFAULT_PRIORS) {
            if u < p {
                reason = *r;
                break;
            }
            u -= p;
        }
        own.push((
            at,
            Churned {
                reason: Some(reason),
            }
            .into(),
        ));
    }

    fn complaint(&mut self, from: i64, own: &mut Vec<(i64, EventKind)>) {
        let complaint_id = self.next_complaint;
        self.next_complaint += 1;
        let opened = self.daytime(from, self.span);
        let priority = match self.rng.random_range(0..100) {
            0..30 => Priority::Low,
            30..75 => Priority::Medium,
            75..95 => Priority::High,
            _ => Priority::Critical,
        };
        own.push((
            opened,
            ComplaintOpened {
                complaint_id,
                priority,
                category: Some(self.pick(COMPLAINT_CATEGORIES).to_owned()),
                channel: Some(self.pick(&[
                    Channel::CallCentre,
                    Channel::Email,
                    Channel::Web,
                    Channel::Branch,
                ])),
                description: None,
            }
            .into(),
        ));
        // Urgent complaints are answered faster, on average.
        let speed = match priority {
            Priority::Critical => 0.25,
            Priority::High => 0.5,
            Priority::Medium => 1.0,
            Priority::Low => 1.5,
        };
        let mut t = opened + (self.response_minutes.sample(&mut self.rng) * 60.0 * speed) as i64;
        // One complaint in ten is raised a level before anybody answers.
        if priority != Priority::Critical && self.extra.random_bool(0.1) {
            let raised = Priority::ALL[Priority::ALL
                .iter()
                .position(|&p| p == priority)
                .unwrap_or(0)
                + 1];
            let at = opened + (t.min(self.span) - opened) / 2;
            own.push((
                at,
                ComplaintPriorityChanged {
                    complaint_id,
                    priority: raised,
                }
                .into(),
            ));
        }
        if t >= self.span {
            return;
        }
        own.push((
            t,
            ComplaintResponded {
                complaint_id,
                agent: Some(self.pick(AGENTS).to_owned()),
            }
            .into(),
        ));
        let responded = t;
        if self.rng.random_bool(0.2) {
            t += self.rng.random_range(3_600..3 * 86_400);
            if t >= self.span {
                return;
            }
            own.push((
                t,
                ComplaintStatusChanged {
                    complaint_id,
                    status: ComplaintStatus::WaitingOnCustomer,
                }
                .into(),
            ));
            t += self.rng.random_range(3_600..5 * 86_400);
            if t >= self.span {
                return;
            }
            own.push((
                t,
                ComplaintStatusChanged {
                    complaint_id,
                    status: ComplaintStatus::InProgress,
                }
                .into(),
            ));
        }
        t += (self.resolution_hours.sample(&mut self.rng) * 3_600.0 * speed) as i64;
        // A third of the customers write again after the first answer and get a reply,
        // both before the resolution (or before the end of the sample).
        let until = t.min(self.span);
        if until - responded > 2 * 3_600 && self.extra.random_bool(1.0 / 3.0) {
            let gap = until - responded;
            let asked = responded + self.extra.random_range(gap / 6..gap / 2);
            let answered = asked + self.extra.random_range(60..(until - asked).max(61));
            own.push((
                asked,
                ComplaintMessage {
                    complaint_id,
                    direction: Direction::Inbound,
                }
                .into(),
            ));
            if answered < until {
                own.push((
                    answered,
                    ComplaintMessage {
                        complaint_id,
                        direction: Direction::Outbound,
                    }
                    .into(),
                ));
            }
        }
        if t >= self.span {
            return;
        }
        // About 40% of complaints come from customer error or unrealistic expectations.
        let root_cause = match self.rng.random_range(0..100) {
            0..40 => RootCause::CustomerError,
            40..55 => RootCause::ServiceFailure,
            55..70 => RootCause::Delivery,
            70..82 => RootCause::ProductDefect,
            82..92 => RootCause::Billing,
            92..96 => RootCause::Outage,
            _ => RootCause::Other,
        };
        own.push((
            t,
            ComplaintResolved {
                complaint_id,
                root_cause,
            }
            .into(),
        ));
        t += self.rng.random_range(86_400..4 * 86_400);
        if t >= self.span {
            return;
        }
        own.push((t, ComplaintClosed { complaint_id }.into()));
        if self.rng.random_bool(0.6) {
            t += self.rng.random_range(600..86_400);
            if t < self.span {
                let rating = self.rng.random_range(1..=5);
                own.push((
                    t,
                    ComplaintRated {
                        complaint_id,
                        rating,
                    }
                    .into(),
                ));
            }
        }
    }
}

fn purchase(amount: i64, category: &str, channel: Channel) -> Purchase {
    Purchase {
        amount,
        currency: SAMPLE_CURRENCY.to_owned(),
        product: None,
        category: Some(category.to_owned()),
        channel: Some(channel),
    }
}

fn poisson(rng: &mut impl Rng, lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    Poisson::new(lambda).map_or(0, |p| p.sample(rng) as u64)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        // Turkish dotted capital for i.
        Some('i') => format!("İ{}", chars.as_str()),
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One incident every 40 days or so: ATM outages of half an hour at 15:00 Istanbul time
/// (12:00 UTC), web outages, a branch down for an afternoon.
fn make_incidents(rng: &mut impl Rng, start: DateTime<Utc>, span: i64) -> Vec<Incident> {
    let count = (span / (40 * 86_400)).max(1);
    (0..count)
        .map(|k| {
            let day = rng.random_range(0..span / 86_400);
            let (kind, channel, location, hour, minutes, description) = match k % 3 {
                0 => (
                    IncidentKind::ChannelOutage,
                    Some(Channel::Atm),
                    "ATM ağı",
                    12,
                    30,
                    "ATM ile ana bankacılık sistemi arasında bağlantı sorunu",
                ),
                1 => (
                    IncidentKind::ChannelOutage,
                    Some(Channel::Web),
                    "web sitesi",
                    8,
                    120,
                    "ödeme sayfası hizmet dışı",
                ),
                _ => (
                    IncidentKind::BranchOutage,
                    Some(Channel::Branch),
                    "Kadıköy şubesi",
                    10,
                    240,
                    "şubede sistem kesintisi",
                ),
            };
            let begin = start + Duration::days(day) + Duration::hours(hour);
            Incident {
                id: k as u64 + 1,
                kind,
                channel,
                location: Some(location.to_owned()),
                start: begin,
                end: Some(begin + Duration::minutes(minutes)),
                description: description.to_owned(),
            }
        })
        .collect()
}
