//! Validators and normalisers for the fields data-entry gets wrong, and the detection of
//! values people invent when a form insists.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::checksum::{tckn_check_digits, vkn_check_digit};
use super::country::{Check, Country};
use super::text::fold;
use crate::error::mask;
use crate::model::{Customer, CustomerKind};

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Malformed: a bad checksum, a phone that is no number, an impossible date.
    Invalid,
    /// Well formed but made up: "test", "11111111111", "a@a.com", 01.01.1900.
    Placeholder,
}

/// One problem with one field of one record. Personal values are masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The field (`national_id`, `phones[0]`, …).
    pub field: String,
    /// The value, masked.
    pub value: String,
    /// Invalid or placeholder.
    pub kind: FindingKind,
    /// Why.
    pub reason: String,
}

fn digits(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| c.to_digit(10).map(|d| d as u8)).collect()
}

/// Whether `s` is a valid TCKN: 11 digits, the first not 0, both check digits right.
///
/// ```
/// use crm_core::quality::is_valid_tckn;
/// // 1..9 → d10 = (7·(1+3+5+7+9) − (2+4+6+8)) mod 10 = 155 mod 10 = 5,
/// //        d11 = (1+…+9+5) mod 10 = 0.
/// assert!(is_valid_tckn("12345678950"));
/// assert!(!is_valid_tckn("12345678951"));
/// assert!(!is_valid_tckn("02345678950"));
/// ```
pub fn is_valid_tckn(s: &str) -> bool {
    let Some(d) = digits(s) else { return false };
    let Ok(mut d): Result<[u8; 11], _> = d.try_into() else {
        return false;
    };
    if d[0] == 0 {
        return false;
    }
    let given = (d[9], d[10]);
    tckn_check_digits(&mut d);
    given == (d[9], d[10])
}

/// Whether `s` is a valid VKN: 10 digits with the right check digit.
///
/// ```
/// use crm_core::quality::is_valid_vkn;
/// assert!(is_valid_vkn("0010000009"));   // worked by hand in the tests
/// assert!(!is_valid_vkn("0010000008"));
/// assert!(!is_valid_vkn("001000000"));
/// ```
pub fn is_valid_vkn(s: &str) -> bool {
    match digits(s) {
        Some(d) if d.len() == 10 => vkn_check_digit(&d[..9]) == d[9],
        _ => false,
    }
}

/// A phone number in E.164 (`+905321234567`): Turkish numbers in any of the usual
/// spellings (`0532 123 45 67`, `(532) 1234567`, `+90 532 123 4567`, `905321234567`),
/// international ones with `+` or `00`. `None` when it cannot be a number.
///
/// ```
/// use crm_core::quality::normalize_phone;
/// for typed in ["0532 123 45 67", "(532) 1234567", "+90 532 123 4567", "5321234567"] {
///     assert_eq!(normalize_phone(typed).as_deref(), Some("+905321234567"));
/// }
/// assert_eq!(normalize_phone("0212 555 12 12").as_deref(), Some("+902125551212"));
/// assert_eq!(normalize_phone("0049 30 1234567").as_deref(), Some("+49301234567"));
/// assert_eq!(normalize_phone("12345"), None);
/// ```
pub fn normalize_phone(s: &str) -> Option<String> {
    let trimmed = s.trim();
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-()./".contains(c)))
    {
        return None;
    }
    let plus = trimmed.starts_with('+');
    let d: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let international = |rest: &str| (8..=15).contains(&rest.len()).then(|| format!("+{rest}"));
    let turkish = |national: &str| {
        // Area codes start 2–4 (landlines), 5 (mobiles) or 8 (850 and the like).
        (national.len() == 10 && matches!(national.as_bytes()[0], b'2'..=b'5' | b'8'))
            .then(|| format!("+90{national}"))
    };
    if plus {
        return match d.strip_prefix("90") {
            Some(national) if national.len() == 10 => turkish(national),
            _ => international(&d),
        };
    }
    if let Some(rest) = d.strip_prefix("00") {
        return international(rest);
    }
    match d.len() {
        10 => turkish(&d),
        11 if d.starts_with('0') => turkish(&d[1..]),
        12 if d.starts_with("90") => turkish(&d[2..]),
        _ => None,
    }
}

/// An e-mail address trimmed with its domain lower-cased; `None` when it is not one (no
/// single `@`, an empty part, spaces, a domain without a dot).
///
/// ```
/// use crm_core::quality::normalize_email;
/// assert_eq!(normalize_email("  Ayse.Yilmaz@GMAIL.com ").as_deref(), Some("Ayse.Yilmaz@gmail.com"));
/// assert_eq!(normalize_email("ayse@gmail"), None);
/// ```
pub fn normalize_email(s: &str) -> Option<String> {
    let t = s.trim();
    let (local, domain) = t.split_once('@')?;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && !t.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    ok.then(|| format!("{local}@{}", domain.to_lowercase()))
}

/// Whether `s` is a Turkish postcode: five digits, the first two a province plate 01–81.
pub fn is_valid_postcode(s: &str) -> bool {
    let t = s.trim();
    t.len() == 5
        && t.chars().all(|c| c.is_ascii_digit())
        && (1..=81).contains(&t[..2].parse::<u32>().unwrap_or(0))
}

/// Texts typed to get past a required field.
const PLACEHOLDER_TEXTS: &[&str] = &[
    "test",
    "testtest",
    "deneme",
    "asdf",
    "asd",
    "qwe",
    "qwerty",
    "xxx",
    "xx",
    "x",
    "yok",
    "bilinmiyor",
    "bilinmeyen",
    "belirtilmemis",
    "none",
    "null",
    "nil",
    "na",
    "n a",
    "abc",
    "aaa",
    "-",
    "--",
    ".",
    "...",
    "?",
    "0",
    "yok yok",
    "adres yok",
    "unknown",
];

/// The longest of [`PLACEHOLDER_TEXTS`], in bytes.
const PLACEHOLDER_MAX_LEN: usize = {
    let mut i = 0;
    let mut max = 0;
    while i < PLACEHOLDER_TEXTS.len() {
        if PLACEHOLDER_TEXTS[i].len() > max {
            max = PLACEHOLDER_TEXTS[i].len();
        }
        i += 1;
    }
    max
};

/// TCKNs that pass the checksum but are published examples or test values.
const DUMMY_TCKN: &[&str] = &["12345678950", "11111111110", "10000000146"];

/// Why `text` looks invented, if it does: a placeholder word, one character repeated, or a
/// run of consecutive digits.
///
/// ```
/// use crm_core::quality::placeholder_reason;
/// assert!(placeholder_reason("Bilinmiyor").is_some());
/// assert!(placeholder_reason("5555555555").is_some());
/// assert!(placeholder_reason("1234567890").is_some());
/// assert!(placeholder_reason("Atatürk Cad. 12").is_none());
/// ```
pub fn placeholder_reason(text: &str) -> Option<&'static str> {
    // Runs for every field of every record duplicate detection prepares: one allocation
    // (the fold), the rest counted in one pass.
    let f = fold(text.trim());
    if f.is_empty() {
        return None;
    }
    // The words joined by single spaces ("n/a" reads "n a"), on the stack: longer than
    // every placeholder text, it can be none of them.
    let mut squeezed = [0u8; PLACEHOLDER_MAX_LEN];
    let mut len = 0usize;
    for w in f
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let room = usize::from(len > 0) + w.len();
        if len + room > PLACEHOLDER_MAX_LEN {
            len = usize::MAX;
            break;
        }
        if len > 0 {
            squeezed[len] = b' ';
        }
        squeezed[len + room - w.len()..len + room].copy_from_slice(w.as_bytes());
        len += room;
    }
    let squeezed = squeezed.get(..len);
    if PLACEHOLDER_TEXTS
        .iter()
        .any(|p| *p == f || squeezed == Some(p.as_bytes()))
    {
        return Some("a placeholder word");
    }
    let mut chars = f.chars().filter(|c| c.is_alphanumeric());
    let first = chars.next()?;
    let (mut len, mut repeated) = (1usize, true);
    let mut digit = first.to_digit(10);
    let (mut all_digits, mut up, mut down) = (digit.is_some(), true, true);
    for c in chars {
        len += 1;
        repeated &= c == first;
        let d = c.to_digit(10);
        match (digit, d) {
            (Some(a), Some(b)) => {
                up &= b == (a + 1) % 10;
                down &= a == (b + 1) % 10;
            }
            _ => all_digits = false,
        }
        digit = d;
    }
    if len >= 3 && repeated {
        return Some("one character repeated");
    }
    if len >= 5 && all_digits && (up || down) {
        return Some("consecutive digits");
    }
    None
}

fn email_placeholder(email: &str) -> Option<&'static str> {
    let (local, domain) = email.split_once('@')?;
    let host = domain.split('.').next().unwrap_or("");
    if placeholder_reason(local).is_some() || local.chars().count() == 1 && local == host {
        return Some("a made-up address");
    }
    if matches!(host, "test" | "example" | "deneme" | "asdf" | "xxx" | "yok") {
        return Some("a test domain");
    }
    None
}

/// Every problem found in a customer's fields, with `today` for birth-date plausibility
/// (born in the future, before 1900-01-02, or more than 120 years ago is implausible;
/// 1900-01-01 and 01.01 of round years typed for "unknown" are placeholders).
pub fn validate_customer(c: &Customer, today: NaiveDate) -> Vec<Finding> {
    validate_customer_in(c, today, Country::default())
}

/// As [`validate_customer`], with `country`'s rules for national ids, tax numbers, phones
/// and postcodes ([`Country`]): a value crm has no rule for in that country is not checked,
/// never invalid.
///
/// ```
/// use crm_core::model::Customer;
/// use crm_core::quality::{Country, validate_customer_in};
/// let mut c = Customer::person(1, "Lachlan", "Smith");
/// c.national_id = Some("5304218".into()); // a FEBRL soc_sec_id: no rule for AU
/// c.address.postcode = Some("2617".into());
/// c.phones.push("02 6123 4567".into());
/// let today = "2025-06-01".parse().unwrap();
/// assert!(validate_customer_in(&c, today, Country::parse("AU")?).is_empty());
/// // Under TR: not a TCKN, not a Turkish phone, not a Turkish postcode.
/// assert_eq!(validate_customer_in(&c, today, Country::default()).len(), 3);
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn validate_customer_in(c: &Customer, today: NaiveDate, country: Country) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |field: String, value: &str, kind, reason: &str| {
        out.push(Finding {
            field,
            value: mask(value),
            kind,
            reason: reason.to_owned(),
        });
    };
    let names = [
        ("given_name", c.given_name.as_deref()),
        ("family_name", c.family_name.as_deref()),
        ("organisation_name", c.organisation_name.as_deref()),
    ];
    for (field, value) in names {
        if let Some(v) = value {
            if let Some(reason) = placeholder_reason(v) {
                push(field.into(), v, FindingKind::Placeholder, reason);
            }
        }
    }
    if let Some(id) = c.national_id.as_deref() {
        if let Some(reason) = placeholder_reason(id) {
            push("national_id".into(), id, FindingKind::Placeholder, reason);
        } else if let Check::Invalid(rule) = country.check_national_id(id) {
            push("national_id".into(), id, FindingKind::Invalid, rule);
        } else if country == Country::default() && DUMMY_TCKN.contains(&id) {
            push(
                "national_id".into(),
                id,
                FindingKind::Placeholder,
                "a published example TCKN",
            );
        }
    }
    if let Some(id) = c.tax_id.as_deref() {
        if let Some(reason) = placeholder_reason(id) {
            push("tax_id".into(), id, FindingKind::Placeholder, reason);
        } else if let Check::Invalid(rule) = country.check_tax_id(id) {
            push("tax_id".into(), id, FindingKind::Invalid, rule);
        }
    }
    for (i, p) in c.phones.iter().enumerate() {
        let field = format!("phones[{i}]");
        match country.normalize_phone(p) {
            Some(e164) => {
                if let Some(reason) = placeholder_reason(country.national_part(&e164)) {
                    push(field, p, FindingKind::Placeholder, reason);
                }
            }
            None => match country.check_phone(p) {
                Check::Invalid(rule) => push(field, p, FindingKind::Invalid, rule),
                // A national number of a country without dialling rules: not checked, but
                // "5555555" is still invented anywhere.
                _ => {
                    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
                    if let Some(reason) = placeholder_reason(&digits) {
                        push(field, p, FindingKind::Placeholder, reason);
                    }
                }
            },
        }
    }
    for (i, e) in c.emails.iter().enumerate() {
        let field = format!("emails[{i}]");
        match normalize_email(e) {
            None => push(field, e, FindingKind::Invalid, "not an e-mail address"),
            Some(n) => {
                if let Some(reason) = email_placeholder(&n) {
                    push(field, e, FindingKind::Placeholder, reason);
                }
            }
        }
    }
    if let Some(b) = c.birth_date {
        let text = b.format("%d.%m.%Y").to_string();
        if b.month() == 1 && b.day() == 1 && b.year() % 100 == 0 {
            push(
                "birth_date".into(),
                &text,
                FindingKind::Placeholder,
                "1 January of a round year, typed for unknown",
            );
        } else if b > today || b.year() < 1900 || today.year() - b.year() > 120 {
            push(
                "birth_date".into(),
                &text,
                FindingKind::Invalid,
                "an implausible birth date",
            );
        }
    }
    let a = &c.address;
    for (field, value) in [
        ("address.line", a.line.as_deref()),
        ("address.district", a.district.as_deref()),
        ("address.city", a.city.as_deref()),
    ] {
        if let Some(v) = value {
            if let Some(reason) = placeholder_reason(v) {
                push(field.into(), v, FindingKind::Placeholder, reason);
            }
        }
    }
    if let Some(pc) = a.postcode.as_deref() {
        if let Check::Invalid(rule) = country.check_postcode(pc) {
            push("address.postcode".into(), pc, FindingKind::Invalid, rule);
        }
    }
    out
}

/// The fields completeness is scored on, for persons and for organisations.
pub const PERSON_FIELDS: [&str; 9] = [
    "given_name",
    "family_name",
    "national_id",
    "birth_date",
    "email",
    "phone",
    "address.line",
    "address.city",
    "address.postcode",
];

/// See [`PERSON_FIELDS`].
pub const ORGANISATION_FIELDS: [&str; 7] = [
    "organisation_name",
    "tax_id",
    "email",
    "phone",
    "address.line",
    "address.city",
    "address.postcode",
];

/// Which of the scored fields hold a usable value (present, valid, not invented).
pub fn filled_fields(c: &Customer, findings: &[Finding]) -> Vec<(&'static str, bool)> {
    let bad = |f: &str| {
        findings
            .iter()
            .any(|x| x.field == f || x.field.starts_with(&format!("{f}s[")))
    };
    let has = |f: &str| -> bool {
        let present = match f {
            "given_name" => c
                .given_name
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
            "family_name" => c
                .family_name
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
            "organisation_name" => c
                .organisation_name
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
            "national_id" => c.national_id.is_some(),
            "tax_id" => c.tax_id.is_some(),
            "birth_date" => c.birth_date.is_some(),
            "email" => !c.emails.is_empty(),
            "phone" => !c.phones.is_empty(),
            "address.line" => c.address.line.is_some(),
            "address.city" => c.address.city.is_some(),
            "address.postcode" => c.address.postcode.is_some(),
            _ => false,
        };
        present && !bad(f)
    };
    let fields: &[&'static str] = match c.kind {
        CustomerKind::Person => &PERSON_FIELDS,
        CustomerKind::Organisation => &ORGANISATION_FIELDS,
    };
    fields.iter().map(|&f| (f, has(f))).collect()
}

/// The share of the scored fields holding a usable value, 0 to 1.
pub fn completeness(c: &Customer, today: NaiveDate) -> f64 {
    assess_customer(c, today).completeness
}

fn share_filled(filled: &[(&str, bool)]) -> f64 {
    filled.iter().filter(|(_, ok)| *ok).count() as f64 / filled.len() as f64
}

/// The quality of one customer record: what [`assess`] returns per customer. JSON:
/// `{"id": 7, "findings": [Finding…], "filled": [["given_name", true]…],
/// "completeness": 0.5}` (values masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerQuality {
    /// The customer's id.
    pub id: crate::model::CustomerId,
    /// Invalid and invented values ([`validate_customer`]).
    pub findings: Vec<Finding>,
    /// Each scored field and whether it holds a usable value ([`filled_fields`]).
    pub filled: Vec<(String, bool)>,
    /// The share of the scored fields filled, 0 to 1 ([`completeness`]).
    pub completeness: f64,
}

/// One customer's findings, filled fields and completeness; `today` judges birth dates.
pub fn assess_customer(c: &Customer, today: NaiveDate) -> CustomerQuality {
    assess_customer_in(c, today, Country::default())
}

/// As [`assess_customer`], with `country`'s rules ([`validate_customer_in`]).
pub fn assess_customer_in(c: &Customer, today: NaiveDate, country: Country) -> CustomerQuality {
    let findings = validate_customer_in(c, today, country);
    let filled = filled_fields(c, &findings);
    CustomerQuality {
        id: c.id,
        completeness: share_filled(&filled),
        filled: filled
            .into_iter()
            .map(|(f, ok)| (f.to_owned(), ok))
            .collect(),
        findings,
    }
}

/// Findings, filled fields and completeness per customer, in order; `today` judges birth
/// dates. The one workflow behind `crm_quality_validate_json` and Python's
/// `crm.quality.validate`.
///
/// ```
/// use crm_core::model::Customer;
/// use crm_core::quality::assess;
/// let today = "2025-06-01".parse().unwrap();
/// let mut test = Customer::person(2, "test", "Kaya");
/// test.national_id = Some("11111111111".into());
/// let q = assess(&[Customer::person(1, "Ayşe", "Kaya"), test], today);
/// // Nine scored fields for a person: two names filled for Ayşe, one usable for "test".
/// assert_eq!((q[0].completeness, q[1].completeness), (2.0 / 9.0, 1.0 / 9.0));
/// assert_eq!(q[1].findings.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
///            ["given_name", "national_id"]);
/// assert_eq!(q[0].filled[0], ("given_name".to_owned(), true));
/// ```
pub fn assess(customers: &[Customer], today: NaiveDate) -> Vec<CustomerQuality> {
    customers
        .iter()
        .map(|c| assess_customer(c, today))
        .collect()
}

/// `read` (findings per record) has one entry per customer.
pub(crate) fn check_read_len(customers: usize, read: usize) -> crate::error::Result<()> {
    if read == customers {
        Ok(())
    } else {
        Err(crate::error::CrmError::invalid(
            "read",
            format_args!("of length {read}"),
            format_args!("must have one entry per customer ({customers})"),
        ))
    }
}

/// As [`assess`], with the findings made while reading the records (`read[i]` for
/// `customers[i]`, see [`super::quality_report_with_findings`]).
///
/// # Errors
/// [`crate::ErrorKind::InvalidInput`] naming `read` when its length differs from the
/// customers'.
///
/// ```
/// use crm_core::quality::{assess_with_findings, customers_with_findings};
/// let (c, read) = customers_with_findings(r#"[{"id": 1, "birth_date": "31.02.1980"}]"#)?;
/// let q = assess_with_findings(&c, &read, "2025-06-01".parse().unwrap())?;
/// assert_eq!(q[0].findings[0].field, "birth_date");
/// assert!(q[0].findings[0].reason.starts_with("impossible date"));
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn assess_with_findings(
    customers: &[Customer],
    read: &[Vec<Finding>],
    today: NaiveDate,
) -> crate::error::Result<Vec<CustomerQuality>> {
    assess_with_findings_in(customers, read, today, Country::default())
}

/// As [`assess_with_findings`], with `country`'s rules for national ids, tax numbers, phones
/// and postcodes ([`validate_customer_in`]).
///
/// # Errors
/// As [`assess_with_findings`].
///
/// ```
/// use crm_core::quality::{Country, assess_with_findings_in, customers_with_findings};
/// let (c, read) = customers_with_findings(r#"[{"id": 1, "address": {"postcode": "4122"}}]"#)?;
/// let today = "2025-06-01".parse().unwrap();
/// assert!(assess_with_findings_in(&c, &read, today, "AU".parse()?)?[0].findings.is_empty());
/// # Ok::<(), crm_core::CrmError>(())
/// ```
pub fn assess_with_findings_in(
    customers: &[Customer],
    read: &[Vec<Finding>],
    today: NaiveDate,
    country: Country,
) -> crate::error::Result<Vec<CustomerQuality>> {
    check_read_len(customers.len(), read.len())?;
    Ok(customers
        .iter()
        .zip(read)
        .map(|(c, r)| {
            let mut q = assess_customer_in(c, today, country);
            if !r.is_empty() {
                let mut findings = r.clone();
                findings.append(&mut q.findings);
                let filled = filled_fields(c, &findings);
                q.completeness = share_filled(&filled);
                q.filled = filled
                    .into_iter()
                    .map(|(f, ok)| (f.to_owned(), ok))
                    .collect();
                q.findings = findings;
            }
            q
        })
        .collect())
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    /// `placeholder_reason` as it was before it was made allocation-free: the reference.
    fn reference(text: &str) -> Option<&'static str> {
        let f = fold(text.trim());
        let squeezed: String = f
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if f.is_empty() {
            return None;
        }
        if PLACEHOLDER_TEXTS.contains(&f.as_str()) || PLACEHOLDER_TEXTS.contains(&squeezed.as_str())
        {
            return Some("a placeholder word");
        }
        let chars: Vec<char> = f.chars().filter(|c| c.is_alphanumeric()).collect();
        if chars.len() >= 3 && chars.iter().all(|&c| c == chars[0]) {
            return Some("one character repeated");
        }
        let ds: Vec<u32> = chars.iter().filter_map(|c| c.to_digit(10)).collect();
        if ds.len() >= 5 && ds.len() == chars.len() {
            let up = ds.windows(2).all(|w| w[1] == (w[0] + 1) % 10);
            let down = ds.windows(2).all(|w| w[0] == (w[1] + 1) % 10);
            if up || down {
                return Some("consecutive digits");
            }
        }
        None
    }

    #[test]
    fn each_reason_as_the_reference_gives_it() {
        for (text, reason) in [
            (" N/A ", Some("a placeholder word")),
            ("adres  yok!", Some("a placeholder word")),
            ("...", Some("a placeholder word")),
            ("ŞŞŞ", Some("one character repeated")),
            ("98765", Some("consecutive digits")),
            ("8901234", Some("consecutive digits")),
            ("1234", None),
            ("12345a", None),
            ("١٢٣٤٥", None), // Arabic-Indic digits are no ASCII run
            ("Atatürk Cad. 12", None),
            ("", None),
        ] {
            assert_eq!(placeholder_reason(text), reason, "{text:?}");
            assert_eq!(reference(text), reason, "{text:?}");
        }
    }

    proptest::proptest! {
        /// The one-pass version says what the reference says, on any text and on texts
        /// made of placeholder words, digits and punctuation.
        #[test]
        fn one_pass_is_the_reference(
            s in "\\PC{0,20}|[0-9 .-]{0,12}|(n|a|yok|adres|x|test| |/|-){0,5}"
        ) {
            proptest::prop_assert_eq!(placeholder_reason(&s), reference(&s));
        }
    }
}
