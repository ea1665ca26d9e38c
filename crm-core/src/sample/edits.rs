//! String edits of the heavy corruption mode, after Christen & Pudjijono (2009), "Accurate
//! synthetic generation of realistic personal information" (FEBRL's generator): keyboard
//! typos, OCR confusions, phonetic respellings, nicknames, abbreviations, split words and
//! transposed digits. Every edit either changes its input or returns `None`, so that the
//! ground truth never claims a change that did not happen.

use rand::{Rng, RngExt};

/// Neighbours on a QWERTY keyboard (the Turkish Q layout is QWERTY for these keys).
fn keyboard_neighbours(c: char) -> &'static str {
    match c {
        'q' => "wa",
        'w' => "qeas",
        'e' => "wrsd",
        'r' => "etdf",
        't' => "ryfg",
        'y' => "tugh",
        'u' => "yihj",
        'i' => "uojk",
        'o' => "ipkl",
        'p' => "ol",
        'a' => "qwsz",
        's' => "awedxz",
        'd' => "serfcx",
        'f' => "drtgvc",
        'g' => "ftyhbv",
        'h' => "gyujnb",
        'j' => "huikmn",
        'k' => "jiolm",
        'l' => "kop",
        'z' => "asx",
        'x' => "zsdc",
        'c' => "xdfv",
        'v' => "cfgb",
        'b' => "vghn",
        'n' => "bhjm",
        'm' => "njk",
        '0' => "9",
        '1' => "2",
        '2' => "13",
        '3' => "24",
        '4' => "35",
        '5' => "46",
        '6' => "57",
        '7' => "68",
        '8' => "79",
        '9' => "80",
        _ => "",
    }
}

/// A keyboard neighbour of `c`, keeping its case; `None` for keys without a table entry.
fn neighbour(rng: &mut impl Rng, c: char) -> Option<char> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let row: Vec<char> = keyboard_neighbours(lower).chars().collect();
    if row.is_empty() {
        return None;
    }
    let n = row[rng.random_range(0..row.len())];
    Some(if c.is_uppercase() {
        n.to_uppercase().next().unwrap_or(n)
    } else {
        n
    })
}

/// The four keyboard slips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slip {
    Insert,
    Delete,
    Substitute,
    Transpose,
}

/// One keyboard slip; `None` when it cannot change `s` (too short, no neighbour keys).
pub(crate) fn slip(rng: &mut impl Rng, s: &str, kind: Slip) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    match kind {
        Slip::Delete if n >= 2 => {
            // Never the first letter of a one-word value: a blank-looking result is no slip.
            chars.remove(rng.random_range(0..n));
        }
        Slip::Insert if n >= 1 => {
            let at = rng.random_range(0..n);
            let extra = neighbour(rng, chars[at])?;
            chars.insert(at + rng.random_range(0..2), extra);
        }
        Slip::Substitute => {
            let candidates: Vec<usize> = (0..n)
                .filter(|&i| {
                    chars[i]
                        .to_lowercase()
                        .next()
                        .is_some_and(|c| !keyboard_neighbours(c).is_empty())
                })
                .collect();
            if candidates.is_empty() {
                return None;
            }
            let at = candidates[rng.random_range(0..candidates.len())];
            chars[at] = neighbour(rng, chars[at])?;
        }
        Slip::Transpose => {
            let candidates: Vec<usize> = (0..n.saturating_sub(1))
                .filter(|&i| chars[i] != chars[i + 1] && chars[i] != ' ' && chars[i + 1] != ' ')
                .collect();
            if candidates.is_empty() {
                return None;
            }
            let at = candidates[rng.random_range(0..candidates.len())];
            chars.swap(at, at + 1);
        }
        _ => return None,
    }
    let out: String = chars.into_iter().collect();
    (out != s && !out.trim().is_empty()).then_some(out)
}

/// Characters a scanner confuses, as (read, written).
const OCR: &[(&str, &str)] = &[
    ("rn", "m"),
    ("m", "rn"),
    ("cl", "d"),
    ("d", "cl"),
    ("li", "h"),
    ("h", "li"),
    ("vv", "w"),
    ("w", "vv"),
    ("O", "0"),
    ("o", "0"),
    ("0", "O"),
    ("l", "1"),
    ("1", "l"),
    ("I", "l"),
    ("S", "5"),
    ("5", "S"),
    ("B", "8"),
    ("8", "B"),
    ("e", "c"),
    ("u", "v"),
    ("n", "h"),
    ("i", "l"),
    ("g", "q"),
    ("ü", "u"),
    ("ı", "i"),
    ("ş", "s"),
];

/// Respellings of how a name sounds, Turkish and English (as a clerk hears it on the
/// phone: "Şükrü" → "Shükrü", "Cemal" → "Jemal", "Philip" → "Filip").
const PHONETIC: &[(&str, &str)] = &[
    ("ş", "sh"),
    ("sh", "ş"),
    ("Ş", "Sh"),
    ("ç", "ch"),
    ("ch", "ç"),
    ("Ç", "Ch"),
    ("c", "j"),
    ("C", "J"),
    ("j", "c"),
    ("ğ", ""),
    ("ğ", "gh"),
    ("ö", "oe"),
    ("Ö", "Oe"),
    ("ü", "ue"),
    ("Ü", "Ue"),
    ("ı", "i"),
    ("İ", "I"),
    ("y", "i"),
    ("v", "w"),
    ("V", "W"),
    ("w", "v"),
    ("k", "c"),
    ("K", "C"),
    ("ph", "f"),
    ("f", "ph"),
    ("F", "Ph"),
    ("th", "t"),
    ("ck", "k"),
    ("ee", "i"),
    ("ou", "u"),
    ("x", "ks"),
    ("ks", "x"),
    ("z", "s"),
    ("s", "z"),
    ("t", "d"),
    ("d", "t"),
    ("e", "a"),
];

/// One replacement from `table` at a random place it applies; `None` when none applies.
fn replace_one(rng: &mut impl Rng, s: &str, table: &[(&str, &str)]) -> Option<String> {
    let sites: Vec<(usize, &str, &str)> = table
        .iter()
        .flat_map(|&(from, to)| s.match_indices(from).map(move |(at, _)| (at, from, to)))
        .collect();
    if sites.is_empty() {
        return None;
    }
    let (at, from, to) = sites[rng.random_range(0..sites.len())];
    // a + from + b ≠ a + to + b because from ≠ to in both tables.
    let out = format!("{}{to}{}", &s[..at], &s[at + from.len()..]);
    (!out.trim().is_empty()).then_some(out)
}

/// One OCR confusion ("rn" read as "m", "0" as "O"…).
pub(crate) fn ocr(rng: &mut impl Rng, s: &str) -> Option<String> {
    replace_one(rng, s, OCR)
}

/// One phonetic respelling.
pub(crate) fn phonetic(rng: &mut impl Rng, s: &str) -> Option<String> {
    replace_one(rng, s, PHONETIC)
}

/// Short forms people give for themselves (Turkish hypocoristics).
const NICKNAMES: &[(&str, &[&str])] = &[
    ("Mehmet", &["Memet", "Memo"]),
    ("Mustafa", &["Musti", "Mus"]),
    ("Ahmet", &["Ahmo"]),
    ("Hüseyin", &["Hüso"]),
    ("Hasan", &["Haso"]),
    ("İbrahim", &["İbo"]),
    ("İsmail", &["İsmo"]),
    ("Abdullah", &["Apo", "Abdo"]),
    ("Ramazan", &["Ramo"]),
    ("Süleyman", &["Süleyma", "Sülo"]),
    ("Osman", &["Osi"]),
    ("Recep", &["Reco"]),
    ("Kadir", &["Kado"]),
    ("Yusuf", &["Yuso"]),
    ("Halil", &["Halo"]),
    ("Fatma", &["Fato", "Fatoş"]),
    ("Ayşe", &["Ayşo", "Ayşegül"]),
    ("Emine", &["Emo"]),
    ("Hatice", &["Hato"]),
    ("Zeynep", &["Zeyno"]),
    ("Meryem", &["Meri"]),
    ("Şerife", &["Şero"]),
    ("Sultan", &["Sulti"]),
    ("Özlem", &["Özi"]),
    ("Gülşen", &["Gül"]),
    ("Çiğdem", &["Çiğdo"]),
    ("Ebru", &["Ebo"]),
    ("Murat", &["Muro"]),
    ("Ömer", &["Ömo"]),
    ("Gökhan", &["Gökö"]),
    ("Serkan", &["Sero"]),
];

/// A nickname for a known given name.
pub(crate) fn nickname(rng: &mut impl Rng, given: &str) -> Option<String> {
    let (_, options) = NICKNAMES.iter().find(|(name, _)| *name == given)?;
    Some(options[rng.random_range(0..options.len())].to_owned())
}

/// Long and short forms of words in Turkish company names and streets.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("A.Ş.", "Anonim Şirketi"),
    ("Ltd. Şti.", "Limited Şirketi"),
    ("San.", "Sanayi"),
    ("Tic.", "Ticaret"),
    ("Cad.", "Caddesi"),
    ("Sok.", "Sokak"),
    ("Bulvarı", "Blv."),
    (" ve ", " & "),
];

/// A given name cut to its initial ("Mehmet" → "M."); other values get a word written out
/// or shortened ("Ltd. Şti." ↔ "Limited Şirketi", "Cad." ↔ "Caddesi").
pub(crate) fn abbreviate(rng: &mut impl Rng, s: &str, initial: bool) -> Option<String> {
    if initial {
        let first = s.chars().next()?;
        let out = format!("{first}.");
        return (out != s).then_some(out);
    }
    let both: Vec<(&str, &str)> = ABBREVIATIONS
        .iter()
        .flat_map(|&(a, b)| [(a, b), (b, a)])
        .collect();
    replace_one(rng, s, &both)
}

/// A word split by a stray space ("Yılmaz" → "Yıl maz").
pub(crate) fn split(rng: &mut impl Rng, s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let sites: Vec<usize> = (2..chars.len().saturating_sub(1))
        .filter(|&i| chars[i - 1] != ' ' && chars[i] != ' ')
        .collect();
    if sites.is_empty() {
        return None;
    }
    let at = sites[rng.random_range(0..sites.len())];
    Some(
        chars[..at]
            .iter()
            .chain(std::iter::once(&' '))
            .chain(&chars[at..])
            .collect(),
    )
}

/// Two adjacent, different digits swapped, only among the bytes `within` allows.
pub(crate) fn transpose_digits(
    rng: &mut impl Rng,
    s: &str,
    within: std::ops::Range<usize>,
) -> Option<String> {
    let bytes = s.as_bytes();
    let end = within.end.min(bytes.len());
    let sites: Vec<usize> = (within.start..end.saturating_sub(1))
        .filter(|&i| {
            bytes[i].is_ascii_digit() && bytes[i + 1].is_ascii_digit() && bytes[i] != bytes[i + 1]
        })
        .collect();
    if sites.is_empty() {
        return None;
    }
    let at = sites[rng.random_range(0..sites.len())];
    let mut out = bytes.to_vec();
    out.swap(at, at + 1);
    String::from_utf8(out).ok()
}

/// One digit replaced by a neighbouring key ("5" → "4" or "6").
pub(crate) fn substitute_digit(rng: &mut impl Rng, s: &str) -> Option<String> {
    let sites: Vec<usize> = s
        .bytes()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    if sites.is_empty() {
        return None;
    }
    let at = sites[rng.random_range(0..sites.len())];
    let mut out = s.as_bytes().to_vec();
    out[at] = neighbour(rng, char::from(out[at]))? as u8;
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn every_edit_changes_its_input_or_declines() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let inputs = [
            "Şükrü",
            "Yılmaz",
            "Mehmet",
            "a",
            "",
            "aa",
            "Kaya Gıda A.Ş.",
            "05321234567",
            "Lale Sok. No:12",
        ];
        for _ in 0..200 {
            for s in inputs {
                let edits = [
                    slip(&mut rng, s, Slip::Insert),
                    slip(&mut rng, s, Slip::Delete),
                    slip(&mut rng, s, Slip::Substitute),
                    slip(&mut rng, s, Slip::Transpose),
                    ocr(&mut rng, s),
                    phonetic(&mut rng, s),
                    nickname(&mut rng, s),
                    abbreviate(&mut rng, s, true),
                    abbreviate(&mut rng, s, false),
                    split(&mut rng, s),
                    transpose_digits(&mut rng, s, 0..s.len()),
                    substitute_digit(&mut rng, s),
                ];
                for out in edits.into_iter().flatten() {
                    assert_ne!(out, s);
                    assert!(!out.trim().is_empty(), "{s:?} became blank");
                }
            }
        }
    }

    #[test]
    fn worked_examples() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        // "rn" is the only OCR site in "Turna" that is not a single letter… so check the
        // single-site cases instead.
        assert_eq!(ocr(&mut rng, "0"), Some("O".to_owned()));
        assert_eq!(
            transpose_digits(&mut rng, "12", 0..2),
            Some("21".to_owned())
        );
        assert_eq!(transpose_digits(&mut rng, "11", 0..2), None);
        assert_eq!(abbreviate(&mut rng, "Mehmet", true), Some("M.".to_owned()));
        assert_eq!(
            abbreviate(&mut rng, "Lale Sok.", false),
            Some("Lale Sokak".to_owned())
        );
        assert_eq!(split(&mut rng, "abcd"), Some("ab cd".to_owned()));
        assert_eq!(slip(&mut rng, "ab", Slip::Transpose), Some("ba".to_owned()));
        let sub = substitute_digit(&mut rng, "5").unwrap();
        assert!(sub == "4" || sub == "6", "{sub}");
    }
}
