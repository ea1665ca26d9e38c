//! Identifiers with valid checksums, phone numbers in the formats people type, e-mails.

use rand::{Rng, RngExt};

use super::names::{MAIL_DOMAINS, MOBILE_PREFIXES};
use crate::quality::checksum::{tckn_check_digits, vkn_check_digit};

/// A random TCKN (Turkish national id) with valid check digits: 11 digits, the first not 0,
/// d10 = (7·(d1+d3+d5+d7+d9) − (d2+d4+d6+d8)) mod 10, d11 = (d1+…+d10) mod 10.
pub(crate) fn tckn(rng: &mut impl Rng) -> String {
    let mut d = [0u8; 11];
    d[0] = rng.random_range(1..10);
    for x in &mut d[1..9] {
        *x = rng.random_range(0..10);
    }
    tckn_check_digits(&mut d);
    d.iter().map(|&x| char::from(b'0' + x)).collect()
}

/// A random VKN (Turkish tax number) with a valid check digit.
pub(crate) fn vkn(rng: &mut impl Rng) -> String {
    let mut d = [0u8; 10];
    for x in &mut d[..9] {
        *x = rng.random_range(0..10);
    }
    d[9] = vkn_check_digit(&d[..9]);
    d.iter().map(|&x| char::from(b'0' + x)).collect()
}

/// A Turkish mobile number, ten national digits (`5XXXXXXXXX`).
pub(crate) fn mobile(rng: &mut impl Rng) -> String {
    let prefix = MOBILE_PREFIXES[rng.random_range(0..MOBILE_PREFIXES.len())];
    format!("{prefix}{:07}", rng.random_range(0..10_000_000u32))
}

/// The ten national digits of a mobile number, written the way a form might hold it.
pub(crate) fn format_phone(national: &str, style: u8) -> String {
    let (a, b, c, d) = (
        &national[..3],
        &national[3..6],
        &national[6..8],
        &national[8..],
    );
    match style % 6 {
        0 => format!("+90{national}"),
        1 => format!("0{a} {b} {c} {d}"),
        2 => format!("({a}) {b}{c}{d}"),
        3 => format!("+90 {a} {b} {c}{d}"),
        4 => format!("0{national}"),
        _ => format!("{a}-{b}-{c}-{d}"),
    }
}

/// Lower case with Turkish rules, then Turkish letters folded to ASCII: `"Şükrü İnce"` →
/// `"sukru ince"`. The quality module will own the full normalisation; this is what e-mail
/// local parts and ASCII-only data-entry look like.
pub(crate) fn ascii_fold_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ç' | 'Ç' => 'c',
            'ğ' | 'Ğ' => 'g',
            'ı' | 'I' | 'İ' | 'i' => 'i',
            'ö' | 'Ö' => 'o',
            'ş' | 'Ş' => 's',
            'ü' | 'Ü' => 'u',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Turkish letters folded to ASCII keeping case: `"Şükrü Çağlar"` → `"Sukru Caglar"`.
pub(crate) fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ç' => 'c',
            'Ç' => 'C',
            'ğ' => 'g',
            'Ğ' => 'G',
            'ı' => 'i',
            'İ' => 'I',
            'ö' => 'o',
            'Ö' => 'O',
            'ş' => 's',
            'Ş' => 'S',
            'ü' => 'u',
            'Ü' => 'U',
            c => c,
        })
        .collect()
}

/// A plausible personal e-mail for the name.
pub(crate) fn email(rng: &mut impl Rng, given: &str, family: &str) -> String {
    let g = ascii_fold_lower(given).replace(' ', "");
    let f = ascii_fold_lower(family).replace(' ', "");
    let domain = MAIL_DOMAINS[rng.random_range(0..MAIL_DOMAINS.len())];
    match rng.random_range(0..4) {
        0 => format!("{g}.{f}@{domain}"),
        1 => format!("{g}{f}{}@{domain}", rng.random_range(1..100)),
        2 => format!("{}{f}@{domain}", g.chars().next().unwrap_or('x')),
        _ => format!("{g}_{f}@{domain}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_ids_have_the_right_shape() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..100 {
            let t = tckn(&mut rng);
            assert_eq!(t.len(), 11);
            assert_ne!(&t[..1], "0");
            assert_eq!(vkn(&mut rng).len(), 10);
        }
    }

    #[test]
    fn phone_styles() {
        let n = "5321234567";
        let all: Vec<String> = (0..6).map(|s| format_phone(n, s)).collect();
        assert_eq!(
            all,
            [
                "+905321234567",
                "0532 123 45 67",
                "(532) 1234567",
                "+90 532 123 4567",
                "05321234567",
                "532-123-45-67"
            ]
        );
    }

    #[test]
    fn folding_follows_turkish_letters() {
        assert_eq!(ascii_fold("Şükrü Çağlar"), "Sukru Caglar");
        assert_eq!(ascii_fold_lower("IŞIK İnce"), "isik ince");
    }
}
