//! Edits of a JSON document for grammar-aware fuzzing: each edit walks to a node of a valid
//! seed and replaces, removes or adds a value, with field names taken from every grammar's
//! seeds and values chosen to be hostile (bounds, wrong types, odd text).

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use serde_json::{Map, Number, Value};

use crate::json::Entry;

/// The seed documents of `entry`, parsed.
pub fn seed_values(entry: Entry) -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Vec<Value>>> = OnceLock::new();
    let all = SEEDS.get_or_init(|| {
        Entry::ALL
            .iter()
            .map(|e| {
                e.seeds()
                    .iter()
                    .map(|s| serde_json::from_str(s).expect("seeds are JSON"))
                    .collect()
            })
            .collect()
    });
    &all[Entry::ALL.iter().position(|&e| e == entry).expect("listed")]
}

/// Every object key that appears in any seed, sorted: the grammars' field names.
fn keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        fn walk(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, v) in m {
                        out.push(k.clone());
                        walk(v, out);
                    }
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for e in Entry::ALL {
            seed_values(e).iter().for_each(|v| walk(v, &mut out));
        }
        out.sort();
        out.dedup();
        out
    })
}

/// Numbers at the edges: of the integer types, of what f64 holds, of minutes and days.
const NUMBERS: &[f64] = &[
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 9.0, 10.0, 255.0, 256.0, 1e3, 1e6, 1e9, 1e12, 1.5e14,
    1e15, 1e18, 1e300, 1e308, -1e308, 5e-324, 1e-9, 4_294_967_295.0, 4_294_967_296.0,
    9_007_199_254_740_993.0, 86_400.0, 525_600.0,
];

/// Text that has meant something to some grammar, or to a parser.
const TEXTS: &[&str] = &[
    "", " ", "09:00", "00:00", "24:00", "23:59", "12:30", "25:00", "09:60", "9:00", "-01:00",
    "UTC", "Europe/Istanbul", "America/New_York", "Australia/Lord_Howe", "Mars/Olympus",
    "2025-04-23", "2025-02-29", "0000-01-01", "9999-12-31", "+262143-12-31", "-262144-01-01",
    "2025-03-01T14:00:00Z", "2025-03-30T03:30:00+03:00", "9999-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "monetary", "recency", "custom:", "custom:nps",
    "predicted_clv", "D", "W", "M", "most_frequent", "most_recent", "longest", "calendar",
    "business", "urgent", "critical", "high", "normal", "medium", "low", "purchase", "refund",
    "complaint_opened", "waiting_on_customer", "TRY", "EUR", "İıŞşĞğÜüÖöÇç", "\u{202e}x",
    "a\u{0}b", "\"", "\\", "10000000146", "12345678901", "+90 532 123 45 67", "ayse@ornek.com",
];

/// A value to put somewhere.
#[derive(Debug, Clone, Arbitrary)]
pub enum Leaf {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A small integer.
    Small(i8),
    /// Any i64.
    Int(i64),
    /// Any u64.
    Uint(u64),
    /// Any finite f64 (NaN and infinities have no JSON form).
    Float(f64),
    /// A number at an edge, maybe negated.
    Edge(u8, bool),
    /// A text from the palette.
    Text(u8),
    /// A text repeated (long strings).
    Repeat(u8, u16),
    /// Any text.
    Any(String),
    /// An empty array.
    EmptyArray,
    /// An empty object.
    EmptyObject,
    /// An array of leaves.
    Array(Vec<Leaf>),
}

impl Leaf {
    fn value(&self) -> Value {
        let float = |f: f64| Number::from_f64(f).map_or(Value::Null, Value::Number);
        match self {
            Leaf::Null => Value::Null,
            Leaf::Bool(b) => Value::Bool(*b),
            Leaf::Small(i) => Value::from(*i),
            Leaf::Int(i) => Value::from(*i),
            Leaf::Uint(u) => Value::from(*u),
            Leaf::Float(f) => float(*f),
            Leaf::Edge(i, neg) => {
                let n = NUMBERS[*i as usize % NUMBERS.len()];
                float(if *neg { -n } else { n })
            }
            Leaf::Text(i) => Value::from(TEXTS[*i as usize % TEXTS.len()]),
            Leaf::Repeat(i, n) => Value::from(TEXTS[*i as usize % TEXTS.len()].repeat(*n as usize % 4096)),
            Leaf::Any(s) => Value::from(s.as_str()),
            Leaf::EmptyArray => Value::Array(vec![]),
            Leaf::EmptyObject => Value::Object(Map::new()),
            Leaf::Array(v) => Value::Array(v.iter().take(64).map(Leaf::value).collect()),
        }
    }
}

/// What an edit does where it lands.
#[derive(Debug, Clone, Arbitrary)]
pub enum Action {
    /// Replace the node.
    Replace(Leaf),
    /// Remove the node from its parent.
    Remove,
    /// Insert a known field (by index into the grammars' keys) into the object there, or
    /// push the value onto the array there.
    Insert(u16, Leaf),
    /// Repeat the array's last element `n` times (long lists, repeated entries).
    Grow(u8),
}

/// One edit: a path (a child index per level, modulo the number of children) and an action.
#[derive(Debug, Clone, Arbitrary)]
pub struct Edit {
    path: Vec<u8>,
    action: Action,
}

impl Edit {
    /// Applies the edit to `doc`.
    pub fn apply(&self, doc: &mut Value) {
        let mut node = doc;
        let mut steps = self.path.iter().take(8).peekable();
        while let Some(&step) = steps.next() {
            let last = steps.peek().is_none();
            let len = match &*node {
                Value::Object(m) => m.len(),
                Value::Array(a) => a.len(),
                _ => break,
            };
            if len == 0 {
                break;
            }
            let i = step as usize % len;
            if last && matches!(self.action, Action::Remove) {
                match node {
                    Value::Object(m) => {
                        let k = m.keys().nth(i).cloned().expect("in range");
                        m.remove(&k);
                    }
                    Value::Array(a) => {
                        a.remove(i);
                    }
                    _ => unreachable!("only containers have children"),
                }
                return;
            }
            node = match node {
                Value::Object(m) => m.values_mut().nth(i).expect("in range"),
                Value::Array(a) => &mut a[i],
                _ => unreachable!("only containers have children"),
            };
        }
        match &self.action {
            Action::Replace(leaf) => *node = leaf.value(),
            Action::Remove => *node = Value::Null,
            Action::Insert(k, leaf) => match node {
                Value::Object(m) => {
                    let keys = keys();
                    m.insert(keys[*k as usize % keys.len()].clone(), leaf.value());
                }
                Value::Array(a) => a.push(leaf.value()),
                other => *other = leaf.value(),
            },
            Action::Grow(n) => {
                if let Value::Array(a) = node {
                    if let Some(last) = a.last().cloned() {
                        a.extend(std::iter::repeat_n(last, *n as usize));
                    }
                }
            }
        }
    }
}
