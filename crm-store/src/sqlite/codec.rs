//! The binary body of an event row (schema 5): a hand-written, versioned encoding of the
//! hot kinds' fields.
//!
//! Why by hand: reading the events' JSON was 28% of opening a store. No crate at hand gives
//! a schema'd, versioned, allocation-light encoding of these structs that is faster than
//! serde_json: serde's binary formats still go through serde's visitor machinery (ciborium,
//! tried on schema 3, was no faster than serde_json), and a derive would tie the stored
//! bytes to the Rust declarations (a reordered enum would silently renumber stored values).
//! Here every enum value has a fixed number, written out below, and the layout of each kind
//! is stated once, beside its encoder and decoder.
//!
//! A body's first byte says its format: `{` is the JSON of the kind's fields (stored as
//! text; the kinds without a binary encoding, [`super::rows`]), [`BINARY_V1`] is this
//! encoding (stored as a blob). Any other first byte is refused. In version 1, after the
//! tag:
//!
//! - one byte of flags: bit `i` set when the kind's `i`-th optional field is present (in
//!   the order of the layouts below), bit 7 when a location follows the kind's fields; a
//!   flag the kind does not have is refused;
//! - the kind's fields in declaration order: integers as LEB128 varints (amounts and costs
//!   zigzagged, so a sign costs nothing), strings as a varint byte length then UTF-8 (checked
//!   when read), enums as one byte of their fixed number;
//! - the location, if flagged: a flags byte (bit 0 branch, 1 device, 2 city) and the strings.
//!
//! Decoding is strict: a body that ends early, has bytes left over, an unknown flag or enum
//! number, or text that is not UTF-8 is an error (never a panic, never a guessed event).

use crm_core::model::{
    CampaignEvent, CampaignStep, Channel, ComplaintClosed, ComplaintMessage, ComplaintOpened,
    ComplaintPriorityChanged, ComplaintRated, ComplaintReopened, ComplaintResolved,
    ComplaintResponded, ComplaintStatus, ComplaintStatusChanged, Direction, Event, EventKind,
    Interaction, Location, Priority, Purchase, Refund, RootCause,
};

/// The first byte of a body in this encoding, version 1.
pub(crate) const BINARY_V1: u8 = 0x01;

/// The first byte of a JSON body (an object).
pub(crate) const JSON: u8 = b'{';

/// Bit 7 of the flags byte: a location follows the kind's fields.
const HAS_LOCATION: u8 = 0x80;

/// Declares an enum's fixed numbers (stored: never change or reuse one) and their two
/// directions.
macro_rules! numbers {
    ($name:ident: $ty:ident { $($variant:ident = $n:literal),* $(,)? }) => {
        mod $name {
            use super::$ty;
            /// The stored number of `v`.
            pub(super) fn code(v: $ty) -> u8 {
                match v {
                    $($ty::$variant => $n,)*
                }
            }
            /// The value stored as `n`.
            pub(super) fn value(n: u8) -> Result<$ty, String> {
                match n {
                    $($n => Ok($ty::$variant),)*
                    other => Err(format!(
                        concat!("unknown ", stringify!($name), " number {}"), other
                    )),
                }
            }
        }
    };
}

numbers!(channel: Channel {
    Email = 0, Phone = 1, Fax = 2, Web = 3, Social = 4, Branch = 5, CallCentre = 6, Atm = 7,
    InPerson = 8, MobileApp = 9, Mail = 10, Sms = 11,
});
numbers!(direction: Direction { Inbound = 0, Outbound = 1 });
numbers!(priority: Priority { Low = 0, Medium = 1, High = 2, Critical = 3 });
numbers!(status: ComplaintStatus {
    Open = 0, InProgress = 1, WaitingOnCustomer = 2, Escalated = 3, Resolved = 4, Closed = 5,
});
numbers!(root_cause: RootCause {
    ProductDefect = 0, ServiceFailure = 1, Billing = 2, Delivery = 3, Outage = 4,
    CustomerError = 5, Other = 6,
});
numbers!(step: CampaignStep {
    Targeted = 0, HeldOut = 1, Sent = 2, Delivered = 3, Opened = 4, Clicked = 5,
    Responded = 6, Converted = 7, OptedOut = 8,
});

/// Appends bodies to a buffer.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.out.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.out.push(n as u8);
    }

    fn signed(&mut self, n: i64) {
        self.varint(((n << 1) ^ (n >> 63)) as u64);
    }

    fn text(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }

    fn opt_text(&mut self, s: &Option<String>) {
        if let Some(s) = s {
            self.text(s);
        }
    }

    fn opt_channel(&mut self, c: Option<Channel>) {
        if let Some(c) = c {
            self.byte(channel::code(c));
        }
    }
}

/// The flags byte's bit for each present option, in order.
fn flags(present: &[bool]) -> u8 {
    present
        .iter()
        .enumerate()
        .fold(0, |f, (i, &p)| f | (u8::from(p) << i))
}

/// Appends `e`'s body in the binary encoding and returns `true`, or returns `false`,
/// writing nothing, for a kind that has no binary encoding (its body is JSON).
pub(crate) fn encode(out: &mut Vec<u8>, e: &Event) -> bool {
    let mut w = Writer { out };
    let loc = if e.location.is_some() {
        HAS_LOCATION
    } else {
        0
    };
    match &e.kind {
        // Purchase: amount, currency, [product], [category], [channel].
        EventKind::Purchase(p) => {
            w.byte(BINARY_V1);
            w.byte(
                loc | flags(&[
                    p.product.is_some(),
                    p.category.is_some(),
                    p.channel.is_some(),
                ]),
            );
            w.signed(p.amount);
            w.text(&p.currency);
            w.opt_text(&p.product);
            w.opt_text(&p.category);
            w.opt_channel(p.channel);
        }
        // Refund: amount, currency, [product], [reason], [channel].
        EventKind::Refund(r) => {
            w.byte(BINARY_V1);
            w.byte(loc | flags(&[r.product.is_some(), r.reason.is_some(), r.channel.is_some()]));
            w.signed(r.amount);
            w.text(&r.currency);
            w.opt_text(&r.product);
            w.opt_text(&r.reason);
            w.opt_channel(r.channel);
        }
        // Interaction: channel, direction, [subject], [outcome], [agent].
        EventKind::Interaction(i) => {
            w.byte(BINARY_V1);
            w.byte(loc | flags(&[i.subject.is_some(), i.outcome.is_some(), i.agent.is_some()]));
            w.byte(channel::code(i.channel));
            w.byte(direction::code(i.direction));
            w.opt_text(&i.subject);
            w.opt_text(&i.outcome);
            w.opt_text(&i.agent);
        }
        // Campaign: campaign_id, step, cost, [channel].
        EventKind::Campaign(c) => {
            w.byte(BINARY_V1);
            w.byte(loc | flags(&[c.channel.is_some()]));
            w.text(&c.campaign_id);
            w.byte(step::code(c.step));
            w.signed(c.cost);
            w.opt_channel(c.channel);
        }
        // ComplaintOpened: complaint_id, priority, [category], [channel], [description].
        EventKind::ComplaintOpened(c) => {
            w.byte(BINARY_V1);
            let present = [
                c.category.is_some(),
                c.channel.is_some(),
                c.description.is_some(),
            ];
            w.byte(loc | flags(&present));
            w.varint(c.complaint_id);
            w.byte(priority::code(c.priority));
            w.opt_text(&c.category);
            w.opt_channel(c.channel);
            w.opt_text(&c.description);
        }
        // ComplaintResponded: complaint_id, [agent].
        EventKind::ComplaintResponded(c) => {
            w.byte(BINARY_V1);
            w.byte(loc | flags(&[c.agent.is_some()]));
            w.varint(c.complaint_id);
            w.opt_text(&c.agent);
        }
        // The other complaint kinds: complaint_id and at most one enum or byte.
        EventKind::ComplaintStatusChanged(c) => {
            w.byte(BINARY_V1);
            w.byte(loc);
            w.varint(c.complaint_id);
            w.byte(status::code(c.status));
        }
        EventKind::ComplaintResolved(c) => {
            w.byte(BINARY_V1);
            w.byte(loc);
            w.varint(c.complaint_id);
            w.byte(root_cause::code(c.root_cause));
        }
        EventKind::ComplaintReopened(c) => {
            w.byte(BINARY_V1);
            w.byte(loc);
            w.varint(c.complaint_id);
        }
        EventKind::ComplaintClosed(c) => {
            w.byte(BINARY_V1);
            w.byte(loc);
            w.varint(c.complaint_id);
        }
        EventKind::ComplaintRated(c) => {
            w.byte(BINARY_V1);
            w.byte(loc);
            w.varint(c.complaint_id);
            w.byte(c.rating);
        }
        EventKind::ComplaintMessage(c) => {
            w.byte(BINARY_V1);
            w.byte(loc);
            w.varint(c.complaint_id);
            w.byte(direction::code(c.direction));
        }
        EventKind::ComplaintPriorityChanged(c) => {
            w.byte(BINARY_V1);
            w.byte(loc);
            w.varint(c.complaint_id);
            w.byte(priority::code(c.priority));
        }
        // Rare kinds (referrals, contributions, churn) and kinds added later: JSON.
        _ => return false,
    }
    if let Some(l) = &e.location {
        w.byte(flags(&[
            l.branch.is_some(),
            l.device.is_some(),
            l.city.is_some(),
        ]));
        w.opt_text(&l.branch);
        w.opt_text(&l.device);
        w.opt_text(&l.city);
    }
    true
}

/// Reads a body, refusing anything that is not exactly one.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn truncated(&self, what: &str) -> String {
        format!(
            "the body ends at byte {} of {} inside its {what}",
            self.at,
            self.bytes.len()
        )
    }

    fn byte(&mut self, what: &str) -> Result<u8, String> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| self.truncated(what))?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self, what: &str) -> Result<u64, String> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte(what)?;
            let bits = u64::from(b & 0x7f);
            // The tenth byte may only hold the top bit of 64.
            if shift == 63 && b > 1 {
                return Err(format!("{what}: a varint longer than 64 bits"));
            }
            n |= bits << shift;
            if b & 0x80 == 0 {
                // One encoding per number: a last byte of 0 after the first is refused, so
                // that the bytes that decode are exactly the bytes `encode` writes.
                if b == 0 && shift > 0 {
                    return Err(format!("{what}: a varint with a needless zero byte"));
                }
                return Ok(n);
            }
        }
        Err(format!("{what}: a varint longer than 64 bits"))
    }

    fn signed(&mut self, what: &str) -> Result<i64, String> {
        let z = self.varint(what)?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn str(&mut self, what: &str) -> Result<&'a str, String> {
        let len = self.varint(what)?;
        let left = self.bytes.len() - self.at;
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l <= left)
            .ok_or_else(|| self.truncated(what))?;
        let raw = &self.bytes[self.at..self.at + len];
        self.at += len;
        std::str::from_utf8(raw).map_err(|e| format!("{what}: {e}"))
    }

    fn text(&mut self, what: &str) -> Result<String, String> {
        self.str(what).map(str::to_owned)
    }

    fn opt_text(&mut self, on: bool, what: &str) -> Result<Option<String>, String> {
        if on {
            self.text(what).map(Some)
        } else {
            Ok(None)
        }
    }

    fn opt_channel(&mut self, on: bool) -> Result<Option<Channel>, String> {
        if on {
            channel::value(self.byte("channel")?).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The flags byte, refusing bits the kind does not have (`options` optional fields).
    fn flags(&mut self, options: u32) -> Result<u8, String> {
        let f = self.byte("flags")?;
        let allowed = HAS_LOCATION | ((1u8 << options) - 1);
        if f & !allowed != 0 {
            return Err(format!("unknown flags {:#04x}", f & !allowed));
        }
        Ok(f)
    }
}

/// Bit `i` of `f`.
fn bit(f: u8, i: u32) -> bool {
    f & (1 << i) != 0
}

/// The location and the kind stored as `code` from a binary body (first byte
/// [`BINARY_V1`]). `Ok(None)` when `code` has no binary encoding (such a body is refused
/// by the caller).
pub(crate) fn decode(
    code: i64,
    bytes: &[u8],
) -> Result<Option<(Option<Location>, EventKind)>, String> {
    let mut r = Reader { bytes, at: 1 };
    let (f, kind) = match code {
        1 => {
            let f = r.flags(3)?;
            let kind = EventKind::Purchase(Purchase {
                amount: r.signed("amount")?,
                currency: r.text("currency")?,
                product: r.opt_text(bit(f, 0), "product")?,
                category: r.opt_text(bit(f, 1), "category")?,
                channel: r.opt_channel(bit(f, 2))?,
            });
            (f, kind)
        }
        2 => {
            let f = r.flags(3)?;
            let kind = EventKind::Refund(Refund {
                amount: r.signed("amount")?,
                currency: r.text("currency")?,
                product: r.opt_text(bit(f, 0), "product")?,
                reason: r.opt_text(bit(f, 1), "reason")?,
                channel: r.opt_channel(bit(f, 2))?,
            });
            (f, kind)
        }
        3 => {
            let f = r.flags(3)?;
            let kind = EventKind::Interaction(Interaction {
                channel: channel::value(r.byte("channel")?)?,
                direction: direction::value(r.byte("direction")?)?,
                subject: r.opt_text(bit(f, 0), "subject")?,
                outcome: r.opt_text(bit(f, 1), "outcome")?,
                agent: r.opt_text(bit(f, 2), "agent")?,
            });
            (f, kind)
        }
        6 => {
            let f = r.flags(3)?;
            let kind = EventKind::ComplaintOpened(ComplaintOpened {
                complaint_id: r.varint("complaint_id")?,
                priority: priority::value(r.byte("priority")?)?,
                category: r.opt_text(bit(f, 0), "category")?,
                channel: r.opt_channel(bit(f, 1))?,
                description: r.opt_text(bit(f, 2), "description")?,
            });
            (f, kind)
        }
        7 => {
            let f = r.flags(1)?;
            let kind = EventKind::ComplaintResponded(ComplaintResponded {
                complaint_id: r.varint("complaint_id")?,
                agent: r.opt_text(bit(f, 0), "agent")?,
            });
            (f, kind)
        }
        8 => {
            let f = r.flags(0)?;
            let kind = EventKind::ComplaintStatusChanged(ComplaintStatusChanged {
                complaint_id: r.varint("complaint_id")?,
                status: status::value(r.byte("status")?)?,
            });
            (f, kind)
        }
        9 => {
            let f = r.flags(0)?;
            let kind = EventKind::ComplaintResolved(ComplaintResolved {
                complaint_id: r.varint("complaint_id")?,
                root_cause: root_cause::value(r.byte("root_cause")?)?,
            });
            (f, kind)
        }
        10 => {
            let f = r.flags(0)?;
            let kind = EventKind::ComplaintReopened(ComplaintReopened {
                complaint_id: r.varint("complaint_id")?,
            });
            (f, kind)
        }
        11 => {
            let f = r.flags(0)?;
            let kind = EventKind::ComplaintClosed(ComplaintClosed {
                complaint_id: r.varint("complaint_id")?,
            });
            (f, kind)
        }
        12 => {
            let f = r.flags(0)?;
            let kind = EventKind::ComplaintRated(ComplaintRated {
                complaint_id: r.varint("complaint_id")?,
                rating: r.byte("rating")?,
            });
            (f, kind)
        }
        13 => {
            let f = r.flags(0)?;
            let kind = EventKind::ComplaintMessage(ComplaintMessage {
                complaint_id: r.varint("complaint_id")?,
                direction: direction::value(r.byte("direction")?)?,
            });
            (f, kind)
        }
        14 => {
            let f = r.flags(0)?;
            let kind = EventKind::ComplaintPriorityChanged(ComplaintPriorityChanged {
                complaint_id: r.varint("complaint_id")?,
                priority: priority::value(r.byte("priority")?)?,
            });
            (f, kind)
        }
        16 => {
            let f = r.flags(1)?;
            let kind = EventKind::Campaign(CampaignEvent {
                campaign_id: r.text("campaign_id")?,
                step: step::value(r.byte("step")?)?,
                cost: r.signed("cost")?,
                channel: r.opt_channel(bit(f, 0))?,
            });
            (f, kind)
        }
        _ => return Ok(None),
    };
    let location = if f & HAS_LOCATION != 0 {
        let lf = r.byte("location")?;
        if lf & !0b111 != 0 {
            return Err(format!("unknown location flags {:#04x}", lf & !0b111));
        }
        Some(Location {
            branch: r.opt_text(bit(lf, 0), "location.branch")?,
            device: r.opt_text(bit(lf, 1), "location.device")?,
            city: r.opt_text(bit(lf, 2), "location.city")?,
        })
    } else {
        None
    };
    if r.at != bytes.len() {
        return Err(format!(
            "{} bytes after the end of the body",
            bytes.len() - r.at
        ));
    }
    Ok(Some((location, kind)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use crm_core::model::{Churned, Referral};
    use proptest::prelude::*;

    fn at() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 14, 30, 0).unwrap()
    }

    /// Encodes `e`, decodes it back under its kind's number.
    fn round_trip(e: &Event) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(encode(&mut out, e), "{e:?}");
        let code = super::super::rows::kind_code(e);
        let (location, kind) = decode(code, &out).unwrap().unwrap();
        assert_eq!((&location, &kind), (&e.location, &e.kind));
        out
    }

    /// A purchase's bytes, worked out by hand: tag 01; flags 0b101 (product and channel,
    /// no category); amount 129,900 zigzagged to 259,800 = 88 + 128 × (109 + 128 × 15),
    /// so LEB128 D8 ED 0F; "TRY" as 03 54 52 59; "P-17" as 04 50 2D 31 37; web = 03.
    /// Fifteen bytes where the JSON body takes 67 (17 + 17 + 17 + 16 for its four keys).
    /// A refund of −5 zigzags to 9.
    #[test]
    fn a_purchase_is_the_bytes_worked_out_by_hand() {
        let p = Purchase {
            amount: 129_900,
            currency: "TRY".into(),
            product: Some("P-17".into()),
            category: None,
            channel: Some(Channel::Web),
        };
        let bytes = round_trip(&Event::new(42, at(), p.clone()));
        assert_eq!(
            bytes,
            [
                0x01, 0x05, 0xD8, 0xED, 0x0F, 0x03, b'T', b'R', b'Y', 0x04, b'P', b'-', b'1', b'7',
                0x03
            ]
        );
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json.len(), 67, "{json}");
        let r = Refund {
            amount: -5,
            currency: String::new(),
            product: None,
            reason: None,
            channel: None,
        };
        assert_eq!(
            round_trip(&Event::new(1, at(), r)),
            [0x01, 0x00, 0x09, 0x00]
        );
        // A location: flag 0x80, then its own flags (device 0b010, city 0b100) and texts.
        let l = Location {
            device: Some("A1".into()),
            city: Some("İ".into()),
            branch: None,
        };
        let closed = ComplaintClosed { complaint_id: 300 };
        let bytes = round_trip(&Event::new(1, at(), closed).at_location(l));
        // 300 = 44 + 128 × 2: AC 02; "İ" is two bytes of UTF-8, C4 B0.
        assert_eq!(
            bytes,
            [
                0x01, 0x80, 0xAC, 0x02, 0x06, 0x02, b'A', b'1', 0x02, 0xC4, 0xB0
            ]
        );
    }

    /// The rare kinds have no binary body: the caller writes their JSON.
    #[test]
    fn rare_kinds_fall_back_to_json() {
        let mut out = Vec::new();
        assert!(!encode(
            &mut out,
            &Event::new(1, at(), Referral { referred: 2 })
        ));
        assert!(!encode(
            &mut out,
            &Event::new(1, at(), Churned { reason: None })
        ));
        assert!(out.is_empty());
        // A binary body under a kind number without one is not read as anything.
        assert_eq!(decode(4, &[0x01, 0x00, 0x02]).unwrap(), None);
    }

    /// Every enum value, every option present and absent, every location shape and the
    /// integer extremes go through and back; then every truncation of every one of those
    /// bodies, and each with a byte appended, is refused (never a panic, never an event).
    #[test]
    fn every_kind_round_trips_and_every_truncation_is_refused() {
        let some = |s: &str, on: bool| on.then(|| s.to_owned());
        let mut events = Vec::new();
        for (i, ch) in Channel::ALL.into_iter().enumerate() {
            let on = i % 2 == 0;
            let amount = [0, 1, -1, i64::MAX, i64::MIN, 129_900][i % 6];
            events.push(Event::new(
                1,
                at(),
                Purchase {
                    amount,
                    currency: "TRY".into(),
                    product: some("ürün \"x\"", on),
                    category: some("", !on),
                    channel: on.then_some(ch),
                },
            ));
            events.push(Event::new(
                1,
                at(),
                Refund {
                    amount,
                    currency: "EUR".into(),
                    product: some("p", !on),
                    reason: some("neden", on),
                    channel: (!on).then_some(ch),
                },
            ));
            for direction in [Direction::Inbound, Direction::Outbound] {
                events.push(Event::new(
                    1,
                    at(),
                    Interaction {
                        channel: ch,
                        direction,
                        subject: some("konu", on),
                        outcome: some("sonuç", !on),
                        agent: some("ajan", on),
                    },
                ));
            }
        }
        for (i, step) in CampaignStep::ALL.into_iter().enumerate() {
            events.push(Event::new(
                1,
                at(),
                CampaignEvent {
                    campaign_id: "kış-26".into(),
                    step,
                    channel: (i % 2 == 0).then_some(Channel::Sms),
                    cost: [0, 250, i64::MAX][i % 3],
                },
            ));
        }
        for (i, priority) in Priority::ALL.into_iter().enumerate() {
            let id = [0, 1, u64::MAX, 9_000_000_001][i];
            events.push(Event::new(
                1,
                at(),
                ComplaintOpened {
                    complaint_id: id,
                    priority,
                    category: some("fatura", i % 2 == 0),
                    channel: (i % 3 == 0).then_some(Channel::Email),
                    description: some("açıklama", i > 1),
                },
            ));
            events.push(Event::new(
                1,
                at(),
                ComplaintPriorityChanged {
                    complaint_id: id,
                    priority,
                },
            ));
            events.push(Event::new(
                1,
                at(),
                ComplaintResponded {
                    complaint_id: id,
                    agent: some("a", i % 2 == 1),
                },
            ));
            events.push(Event::new(1, at(), ComplaintReopened { complaint_id: id }));
            events.push(Event::new(1, at(), ComplaintClosed { complaint_id: id }));
            events.push(Event::new(
                1,
                at(),
                ComplaintRated {
                    complaint_id: id,
                    rating: [0, 1, 5, 255][i],
                },
            ));
        }
        for status in [
            ComplaintStatus::Open,
            ComplaintStatus::InProgress,
            ComplaintStatus::WaitingOnCustomer,
            ComplaintStatus::Escalated,
            ComplaintStatus::Resolved,
            ComplaintStatus::Closed,
        ] {
            events.push(Event::new(
                1,
                at(),
                ComplaintStatusChanged {
                    complaint_id: 7,
                    status,
                },
            ));
        }
        for root_cause in [
            RootCause::ProductDefect,
            RootCause::ServiceFailure,
            RootCause::Billing,
            RootCause::Delivery,
            RootCause::Outage,
            RootCause::CustomerError,
            RootCause::Other,
        ] {
            events.push(Event::new(
                1,
                at(),
                ComplaintResolved {
                    complaint_id: 7,
                    root_cause,
                },
            ));
        }
        for direction in [Direction::Inbound, Direction::Outbound] {
            events.push(Event::new(
                1,
                at(),
                ComplaintMessage {
                    complaint_id: 7,
                    direction,
                },
            ));
        }
        let mut located = Vec::new();
        for (i, e) in events.iter().enumerate() {
            let shape = i % 8;
            let l = Location {
                branch: some("Kadıköy", shape & 1 != 0),
                device: some("ATM-0042", shape & 2 != 0),
                city: some("İstanbul", shape & 4 != 0),
            };
            located.push(e.clone().at_location(l));
        }
        events.extend(located);
        let mut bodies = 0;
        for e in &events {
            let body = round_trip(e);
            let code = super::super::rows::kind_code(e);
            for cut in 1..body.len() {
                let err = decode(code, &body[..cut]).unwrap_err();
                assert!(err.contains("ends at byte"), "{e:?} cut at {cut}: {err}");
            }
            let mut longer = body.clone();
            longer.push(0);
            let err = decode(code, &longer).unwrap_err();
            assert!(err.contains("1 bytes after"), "{err}");
            bodies += 1;
        }
        assert!(bodies > 150, "{bodies}");
    }

    #[test]
    fn bad_numbers_and_flags_are_named() {
        // An interaction on channel 12 (there are 0..=11).
        let e = decode(3, &[0x01, 0x00, 12, 0]).unwrap_err();
        assert_eq!(e, "unknown channel number 12");
        let e = decode(8, &[0x01, 0x00, 0x07, 6]).unwrap_err();
        assert_eq!(e, "unknown status number 6");
        // A purchase has three optional fields: bit 3 is no flag of its.
        let e = decode(1, &[0x01, 0x08, 0x00, 0x00]).unwrap_err();
        assert_eq!(e, "unknown flags 0x08");
        let e = decode(10, &[0x01, 0x80, 0x07, 0x08]).unwrap_err();
        assert_eq!(e, "unknown location flags 0x08");
        // Zero written in two bytes, and eleven bytes of varint.
        let e = decode(10, &[0x01, 0x00, 0x80, 0x00]).unwrap_err();
        assert!(e.contains("needless zero"), "{e}");
        let mut long = vec![0x01, 0x00];
        long.extend([0xFF; 10]);
        long.push(0x01);
        assert!(
            decode(10, &long)
                .unwrap_err()
                .contains("longer than 64 bits")
        );
        // A string that is not UTF-8.
        let e = decode(16, &[0x01, 0x00, 0x01, 0xFF, 0x00, 0x00]).unwrap_err();
        assert!(e.contains("campaign_id") && e.contains("utf-8"), "{e}");
        // A length past the end.
        let e = decode(16, &[0x01, 0x00, 0x05, b'a']).unwrap_err();
        assert!(e.contains("ends at byte"), "{e}");
    }

    proptest! {
        /// Random bytes after the tag, under every kind number: never a panic, and what
        /// decodes is exactly what `encode` writes for the event it decodes to (one
        /// encoding per event: no bytes read as a wrong event).
        #[test]
        fn random_bodies_decode_only_to_their_own_encoding(
            code in 0i64..=20,
            tail in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut body = vec![BINARY_V1];
            body.extend(tail);
            if let Ok(Some((location, kind))) = decode(code, &body) {
                let e = Event { customer_id: 1, at: at(), location, kind };
                let mut again = Vec::new();
                prop_assert!(encode(&mut again, &e));
                prop_assert_eq!(again, body);
            }
        }
    }
}
