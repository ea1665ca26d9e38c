//! Turkish-aware text normalisation for matching.
//!
//! Unicode's default case folding maps `I` to `i` and `İ` to `i̇` (i + combining dot), which
//! is wrong for Turkish: `IŞIK` is `ışık`, `İSTANBUL` is `istanbul`. These functions lower-case
//! with the Turkish rules, then fold the Turkish letters to ASCII so that names typed on a
//! keyboard without them still match.

/// Lower case with Turkish rules: `I` → `ı`, `İ` → `i`, other letters as Unicode says.
///
/// ```
/// use crm_core::quality::turkish_lower;
/// assert_eq!(turkish_lower("IŞIK"), "ışık");
/// assert_eq!(turkish_lower("İSTANBUL"), "istanbul");
/// ```
pub fn turkish_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // I followed by a combining dot above is a decomposed İ.
            'I' if chars.peek() == Some(&'\u{307}') => {
                chars.next();
                out.push('i');
            }
            'I' => out.push('ı'),
            'İ' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Turkish lower case folded to ASCII (`ç→c, ğ→g, ı→i, ö→o, ş→s, ü→u`) — the matching key
/// of a word typed with or without Turkish letters.
///
/// ```
/// use crm_core::quality::fold;
/// assert_eq!(fold("Şükrü ÇAĞLAR"), "sukru caglar");
/// assert_eq!(fold("Istanbul"), fold("İstanbul"));   // ASCII-typed capital I
/// assert_eq!(fold("IŞIK"), fold("ışık"));
/// ```
pub fn fold(s: &str) -> String {
    // ASCII text (most of it) folds to its ASCII lower case: `I` → `ı` → `i`.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    turkish_lower(s)
        .chars()
        .map(|c| match c {
            'ç' => 'c',
            'ğ' => 'g',
            'ı' => 'i',
            'ö' => 'o',
            'ş' => 's',
            'ü' => 'u',
            'â' => 'a',
            'î' => 'i',
            'û' => 'u',
            c => c,
        })
        .collect()
}

/// Honorifics and titles dropped from names.
const HONORIFICS: &[&str] = &[
    "bay", "bayan", "sn", "sayin", "dr", "doc", "prof", "av", "muh", "uzm", "op", "hanim", "bey",
    "mr", "mrs", "ms",
];

/// Company-form words dropped from organisation names (as folded words).
const COMPANY_FORMS: &[&str] = &[
    "as", "ltd", "sti", "limited", "sirketi", "anonim", "tic", "ticaret", "san", "sanayi", "ve",
    "inc", "co", "llc", "gmbh",
];

/// Words of a folded text: letters and digits; punctuation and spaces separate.
fn words(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A person's or an organisation's name as a matching key: folded, punctuation and extra
/// spaces removed, honorifics (Bay, Bayan, Sn., Dr., Av. …) and company forms (A.Ş.,
/// Ltd. Şti., Tic., San. …) dropped.
///
/// ```
/// use crm_core::quality::normalize_name;
/// assert_eq!(normalize_name("Sn. Dr. Ayşe  YILMAZ"), "ayse yilmaz");
/// assert_eq!(normalize_name("Kaya Gıda Tic. ve San. A.Ş."), "kaya gida");
/// assert_eq!(normalize_name("KAYA GIDA LTD. ŞTİ."), "kaya gida");
/// ```
pub fn normalize_name(s: &str) -> String {
    let mut ws = words(&fold(s));
    // Dropping a word can bring an "a" next to an "s" (A.Ş. split by punctuation): repeat
    // until nothing more goes, so that normalising twice changes nothing.
    loop {
        let mut out: Vec<String> = Vec::with_capacity(ws.len());
        let mut i = 0;
        while i < ws.len() {
            if ws[i] == "a" && ws.get(i + 1).is_some_and(|w| w == "s") {
                i += 2;
                continue;
            }
            let w = &ws[i];
            if !HONORIFICS.contains(&w.as_str()) && !COMPANY_FORMS.contains(&w.as_str()) {
                out.push(w.clone());
            }
            i += 1;
        }
        if out.len() == ws.len() {
            return out.join(" ");
        }
        ws = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turkish_case_table() {
        for (upper, lower) in [
            ("IŞIK", "ışık"),
            ("İSTANBUL", "istanbul"),
            ("ĞÜŞİÖÇ", "ğüşiöç"),
            ("ILGIN", "ılgın"),
        ] {
            assert_eq!(turkish_lower(upper), lower);
        }
        // Decomposed İ (I + U+0307) lowers to a plain i.
        assert_eq!(turkish_lower("I\u{307}ZMIR"), "izmır");
        assert_eq!(fold("Istanbul"), "istanbul");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("ISTANBUL"), "istanbul");
    }

    proptest::proptest! {
        /// Normalisation is idempotent.
        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,30}") {
            let once = normalize_name(&s);
            proptest::prop_assert_eq!(normalize_name(&once), once.clone());
            let f = fold(&s);
            proptest::prop_assert_eq!(fold(&f), f);
        }

        /// The ASCII shortcut folds as the Turkish rules do (`I` → `ı` → `i`).
        #[test]
        fn ascii_folds_as_the_turkish_rules(s in "[ -~]{0,30}|\\PC{0,30}") {
            let by_rules: String = turkish_lower(&s)
                .chars()
                .map(|c| if c == 'ı' { 'i' } else { c })
                .collect();
            if s.is_ascii() {
                proptest::prop_assert_eq!(fold(&s), by_rules);
            }
        }
    }
}
