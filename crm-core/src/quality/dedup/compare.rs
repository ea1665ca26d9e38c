//! Records in the normalised form comparisons work on, the field comparators, and the keys
//! that block and count them.

use std::hash::{Hash, Hasher};

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHasher;

use super::{Level, MatchRecord};
use crate::quality::country::Country;
use crate::quality::text::{fold, normalize_name};
use crate::quality::validate::{normalize_email, placeholder_reason};

/// The number of compared fields ([`super::FIELDS`]).
pub(super) const N_FIELDS: usize = 7;

/// The normalised form comparisons work on; invented values are dropped (a shared
/// "test@test.com" is no evidence).
#[derive(Debug, Clone, Default)]
pub(super) struct Prepared {
    /// "given surname", and "surname given" for records typed the other way round.
    name: String,
    swapped: String,
    /// The name's words, sorted: equal for equal names in either order.
    name_key: String,
    given: String,
    surname: String,
    birth: Option<NaiveDate>,
    email: Option<String>,
    phone: Option<String>,
    address: String,
    postcode: Option<String>,
    /// City or suburb, folded: a blocking key's half only (a city alone is no evidence).
    city: String,
    id: Option<String>,
}

impl Prepared {
    /// Where the record sorts inside a block paired by window ([`super::blocking`]): the
    /// surname's Soundex code, the given name's first two letters, the birth year and
    /// month, so that records of one person written slightly differently sit side by side.
    pub(super) fn sort_order(&self) -> u64 {
        let code = soundex(&self.surname).map_or(0, u32::from_be_bytes);
        let mut given = self.given.bytes();
        let two =
            (u16::from(given.next().unwrap_or(0)) << 8) | u16::from(given.next().unwrap_or(0));
        let month = self.birth.map_or(0, |b| {
            (b.year().clamp(0, 5_000) as u16) * 12 + b.month0() as u16 + 1
        });
        (u64::from(code) << 32) | (u64::from(two) << 16) | u64::from(month)
    }
}

fn real(v: Option<&str>) -> Option<&str> {
    v.map(str::trim)
        .filter(|s| !s.is_empty() && placeholder_reason(s).is_none())
}

impl MatchRecord {
    /// The record as comparisons and blocking read it, in one pass: phones, national ids
    /// and postcodes by `country`'s rules ([`Country::phone_key`], [`Country::id_key`],
    /// [`Country::postcode_key`]), names folded, invented values dropped.
    pub(super) fn prepare_for(&self, country: Country) -> Prepared {
        let email = real(self.email.as_deref())
            .and_then(normalize_email)
            .map(|e| e.to_lowercase())
            .filter(|e| {
                let local = e.split('@').next().unwrap_or("");
                placeholder_reason(local).is_none()
                    && !e.contains("@test.")
                    && !e.contains("@example.")
            });
        let phone = real(self.phone.as_deref())
            .and_then(|ph| country.phone_key(ph))
            .filter(|ph| placeholder_reason(country.national_part(ph)).is_none());
        // Under TR an 11-digit id failing its TCKN check digits is a typo, no evidence.
        let id = real(self.national_id.as_deref()).and_then(|id| country.id_key(id));
        // 1 January of a round year is what forms default to.
        let birth = self
            .birth_date
            .filter(|b| !(b.month() == 1 && b.day() == 1 && b.year() % 100 == 0));
        let given = real(self.given_name.as_deref())
            .map(normalize_name)
            .unwrap_or_default();
        let surname = real(self.surname.as_deref())
            .map(normalize_name)
            .unwrap_or_default();
        let join = |a: &str, b: &str| format!("{a} {b}").trim().to_owned();
        let mut words: Vec<&str> = given
            .split(' ')
            .chain(surname.split(' '))
            .filter(|t| !t.is_empty())
            .collect();
        words.sort_unstable();
        Prepared {
            name: join(&given, &surname),
            swapped: join(&surname, &given),
            name_key: words.join(" "),
            birth,
            email,
            phone,
            address: real(self.address.as_deref()).map(fold).unwrap_or_default(),
            postcode: real(self.postcode.as_deref()).map(|pc| country.postcode_key(pc)),
            city: real(self.city.as_deref()).map(fold).unwrap_or_default(),
            id,
            given,
            surname,
        }
    }
}

/// Whether `a` and `b` are at most one edit apart (insertion, deletion, substitution or a
/// swap of neighbours): Damerau-Levenshtein distance ≤ 1, decided in linear time. strsim
/// computes the whole distance in O(|a|·|b|) with an allocation, and this test runs for
/// millions of candidate pairs.
fn within_one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - prefix;
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    let (ra, rb) = (a.len() - prefix - suffix, b.len() - prefix - suffix);
    match (ra, rb) {
        (0, 0) | (1, 1) | (1, 0) | (0, 1) => true,
        (2, 2) => a[prefix] == b[prefix + 1] && a[prefix + 1] == b[prefix],
        _ => false,
    }
}

fn text_level(a: &str, b: &str) -> Level {
    if a.is_empty() || b.is_empty() {
        return Level::Missing;
    }
    if a == b {
        return Level::Same;
    }
    let one_edit = if a.is_ascii() && b.is_ascii() {
        within_one_edit(a.as_bytes(), b.as_bytes())
    } else {
        within_one_edit(
            &a.chars().collect::<Vec<_>>(),
            &b.chars().collect::<Vec<_>>(),
        )
    };
    if one_edit {
        return Level::Close;
    }
    if !may_reach(a, b, SIMILAR_JARO_WINKLER) {
        return Level::Different;
    }
    jaro_winkler_band(strsim::jaro_winkler(a, b))
}

/// The band of a Jaro-Winkler similarity: [`Level::Close`] from [`CLOSE_JARO_WINKLER`],
/// [`Level::Similar`] from [`SIMILAR_JARO_WINKLER`], else [`Level::Different`].
fn jaro_winkler_band(jw: f64) -> Level {
    if jw >= CLOSE_JARO_WINKLER {
        Level::Close
    } else if jw >= SIMILAR_JARO_WINKLER {
        Level::Similar
    } else {
        Level::Different
    }
}

/// Jaro-Winkler similarity from which two texts are close.
const CLOSE_JARO_WINKLER: f64 = 0.92;

/// Jaro-Winkler similarity from which two texts are similar (several typos, a word
/// changed): weaker evidence than close, which EM weighs on its own instead of lumping it
/// with different.
const SIMILAR_JARO_WINKLER: f64 = 0.84;

/// Whether two texts can reach Jaro-Winkler `threshold`, by a bound that costs one pass over
/// each (most compared pairs are far apart, and strsim allocates for every call). Jaro counts
/// at most the `s` characters the texts share as multisets, so it is at most
/// (s/|a| + s/|b| + 1) / 3; the Winkler bonus adds at most 0.4 of the rest.
fn may_reach(a: &str, b: &str, threshold: f64) -> bool {
    if !(a.is_ascii() && b.is_ascii()) {
        return true;
    }
    let mut counts = [0i32; 128];
    for &c in a.as_bytes() {
        counts[usize::from(c)] += 1;
    }
    let mut shared = 0usize;
    for &c in b.as_bytes() {
        let slot = &mut counts[usize::from(c)];
        if *slot > 0 {
            *slot -= 1;
            shared += 1;
        }
    }
    let s = shared as f64;
    let jaro = (s / a.len() as f64 + s / b.len() as f64 + 1.0) / 3.0;
    jaro + 0.4 * (1.0 - jaro) >= threshold - 1e-12
}

fn exact<T: PartialEq>(a: Option<&T>, b: Option<&T>) -> Level {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Level::Same,
        (Some(_), Some(_)) => Level::Different,
        _ => Level::Missing,
    }
}

/// The eight digits of YYYYMMDD.
fn digits(d: NaiveDate) -> [u32; 8] {
    let v = d.year().unsigned_abs() * 10_000 + d.month() * 100 + d.day();
    std::array::from_fn(|i| (v / 10u32.pow(7 - i as u32)) % 10)
}

fn date_level(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Level {
    let (Some(a), Some(b)) = (a, b) else {
        return Level::Missing;
    };
    if a == b {
        return Level::Same;
    }
    let swapped = a.year() == b.year() && a.month() == b.day() && a.day() == b.month();
    let (da, db) = (digits(a), digits(b));
    let one_digit = da.iter().zip(&db).filter(|(x, y)| x != y).count() == 1;
    if swapped || one_digit {
        Level::Close
    } else {
        Level::Different
    }
}

/// The field levels of two records, in [`super::FIELDS`] order.
pub(super) fn compare(a: &Prepared, b: &Prepared) -> [Level; N_FIELDS] {
    // Names: the best of straight and swapped order (given and family typed the wrong way),
    // swapping either side so that the comparison stays symmetric.
    let straight = text_level(&a.name, &b.name);
    let name = if straight == Level::Same || straight == Level::Missing {
        straight
    } else {
        straight
            .max(text_level(&a.name, &b.swapped))
            .max(text_level(&a.swapped, &b.name))
    };
    [
        name,
        date_level(a.birth, b.birth),
        exact(a.email.as_ref(), b.email.as_ref()),
        exact(a.phone.as_ref(), b.phone.as_ref()),
        exact(a.id.as_ref(), b.id.as_ref()),
        text_level(&a.address, &b.address),
        exact(a.postcode.as_ref(), b.postcode.as_ref()),
    ]
}

fn hash_of(tag: u8, value: impl Hash) -> u64 {
    let mut h = FxHasher::default();
    tag.hash(&mut h);
    value.hash(&mut h);
    h.finish()
}

/// Per field, a hash of the value that makes the field compare [`Level::Same`] (the name in
/// either order), or `None` when missing: equal values agree, so counting equal hashes counts
/// agreeing pairs without comparing any.
pub(super) fn field_keys(p: &Prepared) -> [Option<u64>; N_FIELDS] {
    let text = |tag, s: &str| (!s.is_empty()).then(|| hash_of(tag, s));
    [
        text(0, &p.name_key),
        p.birth.map(|b| hash_of(1, b)),
        p.email.as_ref().map(|e| hash_of(2, e)),
        p.phone.as_ref().map(|v| hash_of(3, v)),
        p.id.as_ref().map(|v| hash_of(4, v)),
        text(5, &p.address),
        p.postcode.as_ref().map(|v| hash_of(6, v)),
    ]
}

/// American Soundex of a folded word (first letter and three digits; letters outside
/// a-z are skipped): "yilmaz" and "yilmas" share Y452.
pub(super) fn soundex(word: &str) -> Option<[u8; 4]> {
    fn code(c: u8) -> u8 {
        match c {
            b'b' | b'f' | b'p' | b'v' => b'1',
            b'c' | b'g' | b'j' | b'k' | b'q' | b's' | b'x' | b'z' => b'2',
            b'd' | b't' => b'3',
            b'l' => b'4',
            b'm' | b'n' => b'5',
            b'r' => b'6',
            b'h' | b'w' => b'h',
            _ => b'0',
        }
    }
    let mut letters = word.bytes().filter(u8::is_ascii_lowercase);
    let first = letters.next()?;
    let mut out = [first.to_ascii_uppercase(), b'0', b'0', b'0'];
    let (mut last, mut n) = (code(first), 1);
    for c in letters {
        let k = code(c);
        if k == b'h' {
            continue; // h and w do not separate equal codes
        }
        if k != b'0' && k != last {
            out[n] = k;
            n += 1;
            if n == 4 {
                break;
            }
        }
        last = k;
    }
    Some(out)
}

/// The blocks of a key that only names the customer (the full name alone) are kept up to
/// `max_block / NAME_ONLY_SHARE` records: a full name shared by more than a handful of
/// records is a common name ("mehmet yilmaz"), whose pairs are mostly namesakes and which
/// the keys below pair up with a date or a place anyway; tables holding only names still
/// block on it.
const NAME_ONLY_SHARE: usize = 10;

/// The low bit of a key's hash marks a name-only key ([`block_limit`]).
pub(super) const NAME_ONLY: u64 = 1;

/// The most records a block of `key` may hold to be paired: `max_block`, or less for a
/// name-only key.
pub(super) fn block_limit(key: u64, max_block: usize) -> usize {
    if key & NAME_ONLY == NAME_ONLY {
        (max_block / NAME_ONLY_SHARE).max(2)
    } else {
        max_block
    }
}

/// Blocking keys of a record, hashed: records sharing any key become candidate pairs. (Two
/// different keys colliding only adds a candidate, which the comparison then rejects.)
///
/// Each key is one identifier (id, phone, e-mail) or a personal value together with a
/// second one, so that a block holds a few records even where most customers live in a
/// few cities (a city or a family name alone pairs up whole towns: on the Turkish sample the
/// city keys alone gave 25 times the candidates). Keys with a Soundex code and an initial
/// find records whose names *and* street carry typos (FEBRL without its id).
pub(super) fn block_keys(p: &Prepared, out: &mut Vec<u64>) {
    if let Some(id) = &p.id {
        out.push(plain(10, id));
    }
    if let Some(ph) = &p.phone {
        out.push(plain(11, ph));
    }
    if let Some(e) = &p.email {
        out.push(plain(12, e));
    }
    let surname_code = soundex(&p.surname);
    let initial = p.given.chars().next();
    let city = (!p.city.is_empty()).then_some(p.city.as_str());
    let pc = p.postcode.as_deref();
    let number = street_number(&p.address);
    if let Some(b) = p.birth {
        if !p.given.is_empty() {
            out.push(plain(15, (&p.given, b)));
        }
        if !p.surname.is_empty() {
            out.push(plain(16, (&p.surname, b)));
        }
        if !p.name_key.is_empty() {
            // The whole name with the year (a day or month mistyped) or the day and month
            // (the year mistyped).
            out.push(plain(17, (&p.name_key, b.year())));
            out.push(plain(18, (&p.name_key, b.month(), b.day())));
        }
        if let (Some(i), Some(s)) = (initial, surname_code) {
            out.push(plain(19, (b, i, s)));
            out.push(plain(20, (i, s, b.year(), b.month())));
        }
        if let Some(pc) = pc {
            out.push(plain(21, (pc, b)));
            if let Some(i) = initial {
                out.push(plain(22, (pc, b.year(), i)));
            }
        }
        if let Some(city) = city {
            out.push(plain(23, (city, b)));
        }
        if let Some(n) = number {
            out.push(plain(24, (n, b)));
        }
    }
    if let Some(pc) = pc {
        if !p.address.is_empty() {
            out.push(plain(25, (pc, &p.address)));
        }
        if !p.name_key.is_empty() {
            out.push(plain(26, (pc, &p.name_key)));
        }
        if !p.surname.is_empty() {
            out.push(plain(27, (pc, &p.surname)));
        }
        if !p.given.is_empty() {
            out.push(plain(28, (pc, &p.given)));
        }
        if let (Some(i), Some(s)) = (initial, surname_code) {
            out.push(plain(29, (pc, i, s)));
        }
        if let Some(n) = number {
            out.push(plain(30, (pc, n)));
        }
    }
    if let (Some(n), Some(s)) = (number, surname_code) {
        out.push(plain(31, (n, s)));
    }
    if !p.name_key.is_empty() {
        // The name alone, in small blocks only (block_limit).
        out.push(tagged(13, &p.name_key) | NAME_ONLY);
    }
}

/// A key's hash with its tag in the top 6 bits (so a report can say which kind of key
/// reached a pair: [`super::blocking::key_tag`]).
fn tagged(tag: u8, value: impl Hash) -> u64 {
    (hash_of(tag, value) >> 6) | (u64::from(tag) << 58)
}

/// A key paired up to `max_block` records (its low bit clear).
fn plain(tag: u8, value: impl Hash) -> u64 {
    tagged(tag, value) & !NAME_ONLY
}

/// The first word of an address made of digits only (the house number), if any.
fn street_number(address: &str) -> Option<&str> {
    address
        .split(' ')
        .find(|w| !w.is_empty() && w.bytes().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_edit_by_hand() {
        let one = |a: &str, b: &str| within_one_edit(a.as_bytes(), b.as_bytes());
        assert!(one("yilmaz", "yilmaz"));
        assert!(one("yilmaz", "yilmz")); // deletion
        assert!(one("yilmaz", "yillmaz")); // insertion
        assert!(one("yilmaz", "yalmaz")); // substitution
        assert!(one("yilmaz", "iylmaz")); // neighbours swapped
        assert!(one("abb", "bab"));
        assert!(!one("yilmaz", "ylimza")); // two swaps
        assert!(!one("kaya", "kayaaa"));
        assert!(!one("ab", "cd"));
    }

    /// Jaro-Winkler worked out by hand (and checked against jellyfish 1.3), and the band
    /// each value falls into.
    ///
    /// "kaya"/"kayalar": window max(4, 7)/2 − 1 = 2; k, a, y, a match in order: m = 4, t = 0,
    /// Jaro = (4/4 + 4/7 + 1)/3 = 0.85714; common prefix 4: JW = 0.85714 + 0.4·0.14286 =
    /// 0.91429 — similar (two insertions, so not close by edits either).
    /// "yilmaz"/"yilmazer": m = 6, t = 0, Jaro = (1 + 6/8 + 1)/3 = 0.91667; prefix 4:
    /// JW = 0.91667 + 0.4·0.08333 = 0.95 — close, though two edits apart.
    /// "dixon"/"dicksonx": window 3; d, i, o (2 apart), n (2 apart) match, x does not (5
    /// apart): m = 4, t = 0, Jaro = (4/5 + 4/8 + 1)/3 = 0.76667; prefix "di": JW = 0.76667 +
    /// 2·0.1·0.23333 = 0.81333 — below similar, different.
    /// "ali"/"can": no common letter in the window — Jaro 0, different.
    #[test]
    fn text_bands_by_hand() {
        let jw = |a: &str, b: &str| strsim::jaro_winkler(a, b);
        let jaro = (1.0 + 4.0 / 7.0 + 1.0) / 3.0;
        assert!((jw("kaya", "kayalar") - (jaro + 0.4 * (1.0 - jaro))).abs() < 1e-12);
        assert!((jw("yilmaz", "yilmazer") - 0.95).abs() < 1e-12);
        let jaro = (4.0 / 5.0 + 4.0 / 8.0 + 1.0) / 3.0;
        assert!((jw("dixon", "dicksonx") - (jaro + 0.2 * (1.0 - jaro))).abs() < 1e-12);
        assert_eq!(text_level("kaya", "kayalar"), Level::Similar);
        assert_eq!(text_level("yilmaz", "yilmazer"), Level::Close);
        assert_eq!(text_level("yilmaz", "yilmz"), Level::Close); // one edit
        assert_eq!(text_level("dixon", "dicksonx"), Level::Different);
        assert_eq!(text_level("ali", "can"), Level::Different);
        assert_eq!(text_level("ali", "ali"), Level::Same);
        assert_eq!(text_level("", "ali"), Level::Missing);
        // The band edges: 0.92 is close, 0.84 similar, just below each the band beneath.
        assert_eq!(jaro_winkler_band(0.92), Level::Close);
        assert_eq!(jaro_winkler_band(0.919_999), Level::Similar);
        assert_eq!(jaro_winkler_band(0.84), Level::Similar);
        assert_eq!(jaro_winkler_band(0.839_999), Level::Different);
        assert_eq!(Level::Similar.name(), "similar");
    }

    /// The name field in bands, through whole records (checked against jellyfish 1.3).
    /// "ali kaya"/"veli kaya": window 3; the first a has no a within it, then l, i, space,
    /// k, a, y, a match in order: m = 7, t = 0, Jaro = (7/8 + 7/9 + 1)/3 = 0.88426, no
    /// common prefix — similar (with one side swapped: 0.458). "ann dixon"/"ann
    /// dicksonx": x matches 5 away, so x, o, n come out of order (t = 1), m = 9, Jaro =
    /// (1 + 9/12 + 8/9)/3 = 0.87963, prefix 4: JW = 0.92778 — close.
    #[test]
    fn names_in_bands_either_order() {
        let rec = |g: &str, s: &str| {
            MatchRecord {
                given_name: Some(g.into()),
                surname: Some(s.into()),
                ..Default::default()
            }
            .prepare_for(Country::default())
        };
        let jaro7 = (7.0 / 8.0 + 7.0 / 9.0 + 1.0) / 3.0;
        assert!((strsim::jaro_winkler("ali kaya", "veli kaya") - jaro7).abs() < 1e-12);
        let jaro = (1.0 + 9.0 / 12.0 + 8.0 / 9.0) / 3.0;
        let jw = jaro + 0.4 * (1.0 - jaro);
        assert!((strsim::jaro_winkler("ann dixon", "ann dicksonx") - jw).abs() < 1e-12);
        let ali = rec("ali", "kaya");
        assert_eq!(compare(&ali, &rec("veli", "kaya"))[0], Level::Similar);
        // Typed the other way round, "kaya ali"/"kaya veli" counts the same 7 matches but
        // shares the prefix "kaya": JW = 0.88426 + 0.4·0.11574 = 0.93056 — close.
        assert!(
            (strsim::jaro_winkler("kaya ali", "kaya veli") - (0.6 * jaro7 + 0.4)).abs() < 1e-12
        );
        assert_eq!(compare(&ali, &rec("kaya", "veli"))[0], Level::Close);
        assert_eq!(compare(&ali, &rec("kaya", "ali"))[0], Level::Same);
        assert_eq!(compare(&ali, &rec("can", "oz"))[0], Level::Different);
        assert_eq!(
            compare(&rec("ann", "dixon"), &rec("ann", "dicksonx"))[0],
            Level::Close
        );
    }

    #[test]
    fn dates_close_on_a_swap_or_one_digit() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(date_level(d(1980, 5, 7), d(1980, 7, 5)), Level::Close);
        assert_eq!(date_level(d(1980, 5, 17), d(1980, 5, 18)), Level::Close);
        assert_eq!(date_level(d(1980, 5, 17), d(1981, 5, 17)), Level::Close);
        assert_eq!(date_level(d(1980, 5, 17), d(1991, 5, 17)), Level::Different);
        assert_eq!(date_level(d(1980, 5, 17), None), Level::Missing);
    }

    fn keys(r: &MatchRecord) -> Vec<u64> {
        let mut out = Vec::new();
        block_keys(&r.prepare_for(Country::default()), &mut out);
        out
    }

    /// Two records of one customer with typos in both names and the street (FEBRL 1's
    /// rec-..., by hand): no name or address key joins them; birth date with postcode, with
    /// city and with house number do, and so do postcode with house number and house number
    /// with the family name's Soundex (mcphail and mcpahil are both M214).
    #[test]
    fn second_passes_block_pairs_with_typos_everywhere() {
        let d = NaiveDate::from_ymd_opt(1992, 7, 11);
        let a = MatchRecord {
            given_name: Some("liam".into()),
            surname: Some("mcphail".into()),
            birth_date: d,
            address: Some("94 langdon avenue".into()),
            city: Some("patterson lakes".into()),
            postcode: Some("3029".into()),
            ..Default::default()
        };
        let b = MatchRecord {
            given_name: Some("zebediah".into()),
            surname: Some("mcpahil".into()),
            address: Some("94 langdoneavenue".into()),
            ..a.clone()
        };
        let shared = |x: &MatchRecord, y: &MatchRecord| {
            let ky = keys(y);
            keys(x).iter().filter(|k| ky.contains(k)).count()
        };
        assert_eq!(shared(&a, &b), 5);
        let c = MatchRecord {
            given_name: Some("kieran".into()),
            birth_date: None,
            postcode: Some("3092".into()),
            ..a.clone()
        };
        // Only house number with the family name's code (another given name, no birth
        // date, postcode mistyped).
        assert_eq!(shared(&a, &c), 1);
        // A stranger in the same town, at another address, shares nothing: the city only
        // ever blocks together with a birth date.
        let stranger = MatchRecord {
            given_name: Some("ann".into()),
            surname: Some("smith".into()),
            birth_date: NaiveDate::from_ymd_opt(1950, 1, 2),
            address: Some("12 high street".into()),
            ..a.clone()
        };
        assert_eq!(shared(&stranger, &b), 0);
    }

    #[test]
    fn soundex_by_hand() {
        // Knuth's examples of American Soundex, and the codes the keys above rely on.
        let code = |w: &str| soundex(w).map(|c| String::from_utf8(c.to_vec()).unwrap());
        assert_eq!(code("robert").as_deref(), Some("R163"));
        assert_eq!(code("rupert").as_deref(), Some("R163"));
        assert_eq!(code("tymczak").as_deref(), Some("T522"));
        assert_eq!(code("pfister").as_deref(), Some("P236"));
        assert_eq!(code("ashcraft").as_deref(), Some("A261")); // h does not separate s and c
        assert_eq!(code("yilmaz").as_deref(), code("yilmas").as_deref());
        assert_eq!(code("lee").as_deref(), Some("L000"));
        assert_eq!(code(""), None);
    }

    /// A full name shared by more records than a tenth of `max_block` is not paired on the
    /// name alone; with the birth date it still is.
    #[test]
    fn common_names_alone_block_in_small_groups_only() {
        let person = |birth| MatchRecord {
            given_name: Some("mehmet".into()),
            surname: Some("yilmaz".into()),
            birth_date: birth,
            ..Default::default()
        };
        let name_only = keys(&person(None));
        assert_eq!(name_only.len(), 1);
        assert_eq!(block_limit(name_only[0], 50), 5);
        assert_eq!(block_limit(name_only[0], 10), 2);
        let with_birth = keys(&person(NaiveDate::from_ymd_opt(1970, 3, 4)));
        assert!(with_birth.contains(&name_only[0]));
        assert!(with_birth.iter().any(|&k| block_limit(k, 50) == 50));
    }

    /// Records with a name and nothing else: 5 namesakes give their 10 pairs at the default
    /// `max_block` of 50 (a name-only block pairs up to 5), 6 give none.
    #[test]
    fn a_name_alone_pairs_five_namesakes_but_not_six() {
        let namesakes = |n: usize| {
            let r = MatchRecord {
                given_name: Some("Mehmet".into()),
                surname: Some("Yılmaz".into()),
                ..Default::default()
            };
            vec![r.prepare_for(Country::default()); n]
        };
        assert_eq!(
            super::super::blocking::candidate_pairs(
                &namesakes(5),
                &super::super::DedupConfig::default()
            )
            .unwrap()
            .len(),
            10
        );
        assert!(
            super::super::blocking::candidate_pairs(
                &namesakes(6),
                &super::super::DedupConfig::default()
            )
            .unwrap()
            .is_empty()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The linear test agrees with strsim's full Damerau-Levenshtein distance.
        #[test]
        fn one_edit_agrees_with_the_full_distance(a in "[abc]{0,6}", b in "[abc]{0,6}") {
            prop_assert_eq!(
                within_one_edit(a.as_bytes(), b.as_bytes()),
                strsim::damerau_levenshtein(&a, &b) <= 1
            );
        }

        /// The bound never rules out a pair strsim finds close.
        #[test]
        fn the_bound_never_hides_a_close_pair(a in "[a-e ]{1,12}", b in "[a-e ]{1,12}") {
            if strsim::jaro_winkler(&a, &b) >= SIMILAR_JARO_WINKLER {
                prop_assert!(may_reach(&a, &b, SIMILAR_JARO_WINKLER));
            }
        }

        /// Every comparison is symmetric.
        #[test]
        fn comparisons_are_symmetric(
            a in "[a-zçş ]{0,10}", b in "[a-zçş ]{0,10}",
            c in "[a-z]{0,6}", d in "[a-z]{0,6}",
        ) {
            let x = MatchRecord { given_name: Some(a), surname: Some(c), ..Default::default() };
            let y = MatchRecord { given_name: Some(b), surname: Some(d), ..Default::default() };
            let (px, py) = (x.prepare_for(Country::default()), y.prepare_for(Country::default()));
            prop_assert_eq!(compare(&px, &py), compare(&py, &px));
            // The similarity behind Close: in [0, 1] and symmetric on the normalised names.
            let (s, t) = (strsim::jaro_winkler(&px.name, &py.name), strsim::jaro_winkler(&py.name, &px.name));
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert!((s - t).abs() < 1e-12);
        }
    }
}
