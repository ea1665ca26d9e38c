//! Sequences of book operations through crm-core: add, update, record, incident, merge,
//! duplicate merge, policies, analyse, save/load and every read, with ids drawn from a small
//! pool so that they collide, merge into each other and come back. After each call:
//! - a failed call left the book's snapshot byte for byte as it was;
//! - after a successful one, the saved snapshot loads back to an equal snapshot;
//! - every id the book ever accepted still resolves (merged ids to their survivor).
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use chrono::{DateTime, Duration, TimeZone, Utc};
use crm_core::book::{CustomerBook, SegmentationConfig, ViewOptions};
use crm_core::clv::ClvConfig;
use crm_core::lifecycle::LifecyclePolicy;
use crm_core::model::{Customer, Event, Incident};
use crm_core::quality::{DedupConfig, GoldenRules};
use crm_core::sla::SlaPolicies;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, Arbitrary)]
enum Id {
    Pool(u8),
    Any(u64),
}

impl Id {
    fn get(self) -> u64 {
        match self {
            Id::Pool(i) => 1 + i as u64 % 10,
            Id::Any(i) => i,
        }
    }
}

#[derive(Debug, Clone, Copy, Arbitrary)]
enum When {
    Hours(i16),
    Any(i64),
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap()
}

impl When {
    fn get(self) -> Option<DateTime<Utc>> {
        match self {
            When::Hours(h) => Some(base() + Duration::hours(h as i64)),
            When::Any(s) => DateTime::from_timestamp(s, 0),
        }
    }
    fn json(self) -> Value {
        self.get().map_or(Value::Null, |t| json!(t))
    }
}

const NAMES: [(&str, &str); 6] = [
    ("Ayşe", "Yılmaz"),
    ("Ayse", "Yilmaz"),
    ("AYŞE", "YILMAZ"),
    ("Mehmet", "Demir"),
    ("Elif", "Şahin"),
    ("Can", "Öztürk"),
];
const EMAILS: [&str; 3] = ["ayse@ornek.com", "AYSE@ornek.com", "mehmet@ornek.com"];
const PHONES: [&str; 3] = ["05321234567", "+90 532 123 45 67", "+90 212 555 00 00"];
const NATIONAL_IDS: [&str; 3] = ["10000000146", "12345678950", "11111111110"];

#[derive(Debug, Clone, Arbitrary)]
struct Profile {
    organisation: bool,
    name: u8,
    email: Option<u8>,
    phone: Option<u8>,
    national_id: Option<u8>,
    acquired: Option<When>,
    referred_by: Option<Id>,
}

impl Profile {
    fn customer(&self, id: u64) -> Option<Customer> {
        let (given, family) = NAMES[self.name as usize % NAMES.len()];
        let mut v = if self.organisation {
            json!({"id": id, "kind": "organisation", "organisation_name": format!("{given} {family} Ltd.")})
        } else {
            json!({"id": id, "given_name": given, "family_name": family})
        };
        let m = v.as_object_mut()?;
        if let Some(e) = self.email {
            m.insert("emails".into(), json!([EMAILS[e as usize % 3]]));
        }
        if let Some(p) = self.phone {
            m.insert("phones".into(), json!([PHONES[p as usize % 3]]));
        }
        if let Some(n) = self.national_id {
            m.insert("national_id".into(), json!(NATIONAL_IDS[n as usize % 3]));
        }
        if let Some(a) = self.acquired {
            m.insert("acquired_at".into(), a.json());
        }
        if let Some(r) = self.referred_by {
            m.insert("referred_by".into(), json!(r.get()));
        }
        serde_json::from_value(v).ok()
    }
}

#[derive(Debug, Clone, Copy, Arbitrary)]
enum Amount {
    Small(i16),
    Any(i64),
}

impl Amount {
    fn get(self) -> i64 {
        match self {
            Amount::Small(a) => a as i64 * 100,
            Amount::Any(a) => a,
        }
    }
}

#[derive(Debug, Clone, Arbitrary)]
enum Kind {
    Purchase(Amount, u8),
    Refund(Amount),
    Referral(Id),
    Contribution(bool, Amount),
    Interaction(u8),
    Opened(u8, u8),
    Responded(u8),
    Status(u8, u8),
    Resolved(u8, u8),
    Reopened(u8),
    Closed(u8),
    Rated(u8, u8),
    Churned(Option<u8>),
}

impl Kind {
    fn json(&self) -> Value {
        let c = |id: &u8| 1 + *id as u64 % 4;
        match self {
            Kind::Purchase(a, cat) => json!({"type": "purchase", "amount": a.get(), "currency": "TRY",
                "category": (["kitap", "elektronik", "giyim"][*cat as usize % 3])}),
            Kind::Refund(a) => json!({"type": "refund", "amount": a.get(), "currency": "TRY"}),
            Kind::Referral(id) => json!({"type": "referral", "referred": id.get()}),
            Kind::Contribution(co, a) => json!({"type": "contribution",
                "kind": if *co { "co_investment" } else { "cost_sharing" }, "amount": a.get(), "currency": "TRY"}),
            Kind::Interaction(ch) => json!({"type": "interaction",
                "channel": (["email", "phone", "web", "branch", "call_centre", "atm"][*ch as usize % 6]), "direction": "inbound"}),
            Kind::Opened(id, p) => json!({"type": "complaint_opened", "complaint_id": c(id),
                "priority": (["urgent", "high", "normal", "low"][*p as usize % 4])}),
            Kind::Responded(id) => json!({"type": "complaint_responded", "complaint_id": c(id)}),
            Kind::Status(id, s) => json!({"type": "complaint_status_changed", "complaint_id": c(id),
                "status": (["open", "in_progress", "waiting_on_customer", "escalated", "resolved", "closed"][*s as usize % 6])}),
            Kind::Resolved(id, r) => json!({"type": "complaint_resolved", "complaint_id": c(id),
                "root_cause": (["product_defect", "billing", "customer_error", "other"][*r as usize % 4])}),
            Kind::Reopened(id) => json!({"type": "complaint_reopened", "complaint_id": c(id)}),
            Kind::Closed(id) => json!({"type": "complaint_closed", "complaint_id": c(id)}),
            Kind::Rated(id, r) => json!({"type": "complaint_rated", "complaint_id": c(id), "rating": r % 12}),
            Kind::Churned(r) => match r {
                Some(r) => json!({"type": "churned", "reason": (["died", "moved", "other_relationship",
                    "competition", "dissatisfied", "indifference"][*r as usize % 6])}),
                None => json!({"type": "churned"}),
            },
        }
    }

    fn event(&self, customer: Id, at: When) -> Option<Event> {
        let mut v = self.json();
        let m = v.as_object_mut()?;
        m.insert("customer_id".into(), json!(customer.get()));
        m.insert("at".into(), at.json());
        serde_json::from_value(v).ok()
    }
}

#[derive(Debug, Clone, Arbitrary)]
enum Op {
    Add(Id, Profile),
    AddMany(Vec<(Id, Profile)>),
    Update(Id, Profile),
    Record(Id, When, Kind),
    RecordAll(Vec<(Id, When, Kind)>),
    Incident { id: u8, start: When, hours: Option<u16>, web: bool },
    Merge { survivor: Id, merged: Vec<Id>, at: When, profile: Option<Profile> },
    Dedupe { apply: bool, threshold: u8, rules: u8, at: When },
    Lifecycle(Option<(u16, u16)>),
    Sla(bool),
    Analyse(When),
    SaveLoad,
    View { id: Id, at: When, offset: u8, limit: u8 },
    Reads(When),
}

fn snapshot_bytes(book: &CustomerBook) -> Vec<u8> {
    serde_json::to_vec(&book.snapshot()).expect("a snapshot serialises")
}

fn sla_policies() -> SlaPolicies {
    SlaPolicies::from_json(crm_fuzz::json::SLA_POLICY).expect("the README's policy")
}

struct State {
    book: CustomerBook,
    /// Every id the book accepted (as a customer) so far.
    ids: BTreeSet<u64>,
}

impl State {
    /// Runs one change and checks it; returns whether it succeeded.
    fn change<T>(&mut self, what: &str, f: impl FnOnce(&mut CustomerBook) -> crm_core::Result<T>) -> bool {
        let before = snapshot_bytes(&self.book);
        let result = f(&mut self.book);
        let after = snapshot_bytes(&self.book);
        match result {
            Err(e) => {
                assert!(before == after, "{what} failed ({e}) but changed the book");
                false
            }
            Ok(_) => {
                let mut saved = Vec::new();
                self.book.save_json(&mut saved).expect("save to memory");
                let loaded = CustomerBook::load_json(saved.as_slice()).unwrap_or_else(|e| {
                    panic!("after {what} the saved book does not load: {e}\n{}", String::from_utf8_lossy(&saved))
                });
                assert!(loaded.snapshot() == self.book.snapshot(), "after {what} the book loads back different");
                self.ids.extend(self.book.customers().map(|c| c.id));
                for &id in &self.ids {
                    assert!(self.book.resolve(id).is_some(), "after {what} id {id} no longer resolves");
                }
                true
            }
        }
    }

    fn read(&self, at: DateTime<Utc>) {
        let b = &self.book;
        let _ = b.features(at);
        let _ = b.stats();
        let _ = b.quality_report(at.date_naive());
        let policy = LifecyclePolicy::default();
        let _ = b.stages(&policy, at);
        let _ = b.lifecycle_report(&policy, base(), at);
        let _ = b.churn_reasons(&policy, at);
        let _ = b.evaluate_sla(&sla_policies(), at, false);
        let _ = b.predict_clv(at, &ClvConfig::default());
        for c in b.customers() {
            let _ = b.view(c.id, &ViewOptions::as_of(at));
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut s = State { book: CustomerBook::with_currency("TRY").expect("TRY"), ids: BTreeSet::new() };
    for op in ops.iter().take(48) {
        match op {
            Op::Add(id, p) => {
                if let Some(c) = p.customer(id.get()) {
                    s.change("add", |b| b.add_customer(c));
                }
            }
            Op::AddMany(v) => {
                let cs: Option<Vec<Customer>> = v.iter().take(8).map(|(id, p)| p.customer(id.get())).collect();
                if let Some(cs) = cs {
                    s.change("add many", |b| b.add_customers(cs));
                }
            }
            Op::Update(id, p) => {
                if let Some(c) = p.customer(id.get()) {
                    s.change("update", |b| b.update_customer(c));
                }
            }
            Op::Record(id, at, k) => {
                if let Some(e) = k.event(*id, *at) {
                    s.change("record", |b| b.record(e));
                }
            }
            Op::RecordAll(v) => {
                let es: Option<Vec<Event>> = v.iter().take(8).map(|(id, at, k)| k.event(*id, *at)).collect();
                if let Some(es) = es {
                    s.change("record all", |b| b.record_all(es));
                }
            }
            Op::Incident { id, start, hours, web } => {
                let v = json!({"id": id % 4, "kind": "system_outage", "start": start.json(),
                    "end": hours.and_then(|h| start.get().map(|t| t + Duration::hours(h as i64))),
                    "channel": if *web { json!("web") } else { Value::Null }, "description": "kesinti"});
                if let Ok(i) = serde_json::from_value::<Incident>(v) {
                    s.change("incident", |b| b.add_incident(i));
                }
            }
            Op::Merge { survivor, merged, at, profile } => {
                let Some(at) = at.get() else { continue };
                let merged: Vec<u64> = merged.iter().take(4).map(|i| i.get()).collect();
                let profile = profile.as_ref().and_then(|p| p.customer(survivor.get()));
                s.change("merge", |b| b.merge(survivor.get(), &merged, profile, at));
            }
            Op::Dedupe { apply, threshold, rules, at } => {
                let Some(at) = at.get() else { continue };
                let config = DedupConfig { threshold: 0.5 + (*threshold % 50) as f64 / 100.0, ..DedupConfig::default() };
                let rules: GoldenRules = serde_json::from_value(json!({"default":
                    (["most_frequent", "most_recent", "most_complete"][*rules as usize % 3])})).expect("rules");
                s.change("dedupe", |b| b.dedupe(&config, &rules, at, *apply));
            }
            Op::Lifecycle(p) => {
                let policy = p.map(|(n, c)| {
                    serde_json::from_value::<LifecyclePolicy>(json!({"new_days": n % 1000, "churn_days": c % 2000}))
                });
                match policy {
                    Some(Ok(p)) => s.change("lifecycle policy", |b| b.set_lifecycle_policy(Some(p))),
                    Some(Err(_)) => false,
                    None => s.change("lifecycle policy", |b| b.set_lifecycle_policy(None)),
                };
            }
            Op::Sla(on) => {
                let p = on.then(sla_policies);
                s.change("sla policy", |b| {
                    b.set_sla_policies(p);
                    Ok(())
                });
            }
            Op::Analyse(at) => {
                let Some(at) = at.get() else { continue };
                s.change("analyse", |b| b.analyse(at, &SegmentationConfig::default()));
            }
            Op::SaveLoad => {
                let mut bytes = Vec::new();
                s.book.save_json(&mut bytes).expect("save to memory");
                s.book = CustomerBook::load_json(bytes.as_slice()).expect("a saved book loads");
            }
            Op::View { id, at, offset, limit } => {
                if let Some(at) = at.get() {
                    let _ = s.book.view(id.get(), &ViewOptions::as_of(at).page(*offset as usize, *limit as usize));
                }
            }
            Op::Reads(at) => {
                if let Some(at) = at.get() {
                    s.read(at);
                }
            }
        }
    }
});
