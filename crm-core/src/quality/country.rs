//! The country whose rules apply to a customer table: which national-id, tax-number, phone
//! and postcode rules crm knows for it, and "not checked" for the fields it has none for —
//! an Australian postcode is not an invalid Turkish one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::validate::{is_valid_postcode, is_valid_tckn, is_valid_vkn, normalize_phone};
use crate::error::{CrmError, Result};

/// The officially assigned ISO 3166-1 alpha-2 codes (249), in order.
const ISO_3166: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ \
EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA \
RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// A country by its ISO 3166-1 alpha-2 code (`TR`, `AU`, `GB`…): the rules validation and
/// duplicate detection apply to national ids, tax numbers, phones and postcodes. The default
/// is `TR`. JSON: the code as a string.
///
/// ```
/// use crm_core::quality::Country;
/// let au: Country = "au".parse()?;
/// assert_eq!((au.code(), Country::default().code()), ("AU", "TR"));
/// assert_eq!("XX".parse::<Country>().unwrap_err().to_string(),
///            "invalid country \"XX\": not an ISO 3166-1 alpha-2 code (TR, AU, GB, US, DE…)");
/// # Ok::<(), crm_core::CrmError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country([u8; 2]);

impl Default for Country {
    fn default() -> Self {
        Country(*b"TR")
    }
}

/// What a country's rule says about one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The value follows the country's rule.
    Valid,
    /// The value breaks the country's rule; the rule as the reason.
    Invalid(&'static str),
    /// crm has no rule for this field in this country: the value is neither valid nor invalid.
    NotChecked,
}

/// A country calling code and whether national numbers drop a leading trunk `0`.
struct Dialling {
    code: &'static str,
    /// Digits of a national number without the trunk prefix.
    national_len: std::ops::RangeInclusive<usize>,
    trunk_zero: bool,
}

impl Country {
    /// The country of an ISO 3166-1 alpha-2 code, upper or lower case.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `country` for any other text.
    ///
    /// ```
    /// use crm_core::quality::Country;
    /// assert_eq!(Country::parse("gb")?.code(), "GB");
    /// assert!(Country::parse("UK").is_err()); // the United Kingdom is GB in ISO 3166
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn parse(code: &str) -> Result<Country> {
        let upper = code.trim().to_ascii_uppercase();
        match upper.as_bytes() {
            &[a, b] if ISO_3166.split(' ').any(|c| c == upper) => Ok(Country([a, b])),
            _ => Err(CrmError::invalid(
                "country",
                format_args!("{code:?}"),
                "not an ISO 3166-1 alpha-2 code (TR, AU, GB, US, DE…)",
            )),
        }
    }

    /// The two-letter code.
    pub fn code(&self) -> &str {
        // Only ever built from the ASCII codes of ISO_3166.
        std::str::from_utf8(&self.0).unwrap_or("TR")
    }

    fn is(&self, code: &[u8; 2]) -> bool {
        &self.0 == code
    }

    /// Whether crm has a rule for `field` (`national_id`, `tax_id`, `phone`,
    /// `address.postcode`) in this country; fields without country rules (names, e-mails,
    /// birth dates) are always checked.
    ///
    /// ```
    /// use crm_core::quality::Country;
    /// let au = Country::parse("AU")?;
    /// assert!(!au.checks("national_id") && au.checks("address.postcode") && au.checks("email"));
    /// assert!(!Country::parse("BR")?.checks("address.postcode"));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn checks(&self, field: &str) -> bool {
        match field {
            "national_id" | "tax_id" => self.is(b"TR"),
            "phone" => self.dialling().is_some(),
            "address.postcode" => self.check_postcode("0") != Check::NotChecked,
            _ => true,
        }
    }

    /// A national id (TCKN for `TR`; not checked elsewhere).
    pub fn check_national_id(&self, id: &str) -> Check {
        match &self.0 {
            b"TR" if is_valid_tckn(id) => Check::Valid,
            b"TR" => Check::Invalid("not a valid TCKN (11 digits, check digits)"),
            _ => Check::NotChecked,
        }
    }

    /// A tax number (VKN for `TR`; not checked elsewhere).
    pub fn check_tax_id(&self, id: &str) -> Check {
        match &self.0 {
            b"TR" if is_valid_vkn(id) => Check::Valid,
            b"TR" => Check::Invalid("not a valid VKN (10 digits, check digit)"),
            _ => Check::NotChecked,
        }
    }

    /// A postcode: `TR` 5 digits with a province 01–81; `DE` 5 digits; `AU` 4 digits; `US`
    /// a ZIP code (5 digits, or ZIP+4 as `12345-6789` or 9 digits); `GB` the postcode
    /// pattern (outward code `A9`, `A99`, `AA9`, `AA99`, `A9A` or `AA9A`, then a digit and two
    /// letters, the space optional, any case). Other countries: not checked.
    ///
    /// ```
    /// use crm_core::quality::{Check, Country};
    /// let c = |code: &str, pc: &str| Country::parse(code).unwrap().check_postcode(pc);
    /// assert_eq!(c("AU", "2600"), Check::Valid);
    /// assert!(matches!(c("AU", "26000"), Check::Invalid(_)));
    /// assert_eq!(c("GB", "SW1A 1AA"), Check::Valid);
    /// assert_eq!(c("US", "20500-0003"), Check::Valid);
    /// assert_eq!(c("BR", "01310-100"), Check::NotChecked);
    /// ```
    pub fn check_postcode(&self, postcode: &str) -> Check {
        let t = postcode.trim();
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let (ok, rule) = match &self.0 {
            b"TR" => (
                is_valid_postcode(t),
                "not a Turkish postcode (5 digits, province 01-81)",
            ),
            b"DE" => (
                t.len() == 5 && all_digits(t),
                "not a German postcode (5 digits)",
            ),
            b"AU" => (
                t.len() == 4 && all_digits(t),
                "not an Australian postcode (4 digits)",
            ),
            b"US" => (
                is_zip(t),
                "not a US ZIP code (5 digits, or ZIP+4: 9 digits)",
            ),
            b"GB" => (
                is_gb_postcode(t),
                "not a UK postcode (outward code, a digit and two letters)",
            ),
            _ => return Check::NotChecked,
        };
        if ok {
            Check::Valid
        } else {
            Check::Invalid(rule)
        }
    }

    fn dialling(&self) -> Option<Dialling> {
        let (code, national_len, trunk_zero) = match &self.0 {
            b"TR" => ("90", 10..=10, true),
            b"AU" => ("61", 9..=9, true),
            b"GB" => ("44", 9..=10, true),
            b"DE" => ("49", 6..=11, true),
            b"FR" => ("33", 9..=9, true),
            b"NL" => ("31", 9..=9, true),
            b"NZ" => ("64", 8..=10, true),
            b"US" | b"CA" => ("1", 10..=10, false),
            _ => return None,
        };
        Some(Dialling {
            code,
            national_len,
            trunk_zero,
        })
    }

    /// A phone number in E.164 read by this country's rules: international numbers (`+` or
    /// `00`, 8 to 15 digits) anywhere; national ones by the country's calling code and trunk
    /// prefix (`TR` as [`normalize_phone`], `AU` `02 6123 4567` → `+61261234567`, `GB`, `DE`,
    /// `FR`, `NL`, `NZ`, `US`/`CA`). `None` when it is no number here, or a national number of
    /// a country without rules (see [`Country::check_phone`]).
    ///
    /// ```
    /// use crm_core::quality::Country;
    /// let au = Country::parse("AU")?;
    /// assert_eq!(au.normalize_phone("02 6123 4567").as_deref(), Some("+61261234567"));
    /// assert_eq!(au.normalize_phone("+61 2 6123 4567").as_deref(), Some("+61261234567"));
    /// assert_eq!(Country::parse("US")?.normalize_phone("(202) 456-1111").as_deref(), Some("+12024561111"));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn normalize_phone(&self, phone: &str) -> Option<String> {
        if self.is(b"TR") {
            return normalize_phone(phone);
        }
        let t = phone.trim();
        if t.chars()
            .any(|c| !(c.is_ascii_digit() || " +-()./".contains(c)))
        {
            return None;
        }
        let d: String = t.chars().filter(char::is_ascii_digit).collect();
        let international = |rest: &str| (8..=15).contains(&rest.len()).then(|| format!("+{rest}"));
        if t.starts_with('+') {
            return international(&d);
        }
        if let Some(rest) = d.strip_prefix("00") {
            return international(rest);
        }
        let rule = self.dialling()?;
        let national = if rule.trunk_zero {
            d.strip_prefix('0')?
        } else if d.len() == rule.national_len.end() + rule.code.len() {
            d.strip_prefix(rule.code)?
        } else {
            &d
        };
        (rule.national_len.contains(&national.len()) && !national.starts_with('0'))
            .then(|| format!("+{}{national}", rule.code))
    }

    /// A phone number: valid when [`Country::normalize_phone`] reads it; invalid when it
    /// cannot be a number anywhere (letters, too few or too many digits) or breaks the
    /// country's national rule; not checked when it is a national number of a country crm
    /// has no dialling rules for.
    pub fn check_phone(&self, phone: &str) -> Check {
        if self.normalize_phone(phone).is_some() {
            return Check::Valid;
        }
        let t = phone.trim();
        let plausible = !t.chars().any(|c| c.is_alphabetic())
            && (6..=15).contains(&t.chars().filter(char::is_ascii_digit).count());
        if self.dialling().is_none() && plausible && !t.starts_with('+') && !t.starts_with("00") {
            Check::NotChecked
        } else {
            Check::Invalid("not a phone number")
        }
    }

    /// The national part of an E.164 number of this country (`+61261234567` → `261234567`
    /// in `AU`), the number without `+` otherwise: what placeholder checks look at.
    pub fn national_part<'a>(&self, e164: &'a str) -> &'a str {
        let digits = e164.strip_prefix('+').unwrap_or(e164);
        self.dialling()
            .and_then(|r| digits.strip_prefix(r.code))
            .unwrap_or(digits)
    }
}

impl Country {
    /// The phone number as a matching key: E.164 when this country's rules read it, the
    /// digits alone (at least 6) for a national number of a country without dialling rules.
    pub(crate) fn phone_key(&self, phone: &str) -> Option<String> {
        self.normalize_phone(phone).or_else(|| {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            (self.check_phone(phone) == Check::NotChecked && digits.len() >= 6).then_some(digits)
        })
    }

    /// A national id as a matching key: for `TR` the digits of an id that is no 11-digit
    /// number failing the TCKN check (one that fails is a typo, no evidence); elsewhere the
    /// letters and digits, upper case (a UK National Insurance number has letters). At
    /// least 5 characters.
    pub(crate) fn id_key(&self, id: &str) -> Option<String> {
        let key: String = if self.is(b"TR") {
            id.chars().filter(char::is_ascii_digit).collect()
        } else {
            id.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_uppercase())
                .collect()
        };
        let tckn_typo = self.is(b"TR") && key.len() == 11 && !is_valid_tckn(&key);
        (key.len() >= 5 && !tckn_typo).then_some(key)
    }

    /// A postcode as a matching key: trimmed; outside `TR` also without spaces and upper
    /// case (`sw1a 1aa` = `SW1A1AA`), and a US ZIP+4 as its 5-digit ZIP.
    pub(crate) fn postcode_key(&self, postcode: &str) -> String {
        let t = postcode.trim();
        if self.is(b"TR") {
            return t.to_owned();
        }
        let key: String = t
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if self.is(b"US") && is_zip(&key) {
            return key[..5].to_owned();
        }
        key
    }
}

/// A US ZIP code: 5 digits, `12345-6789` or 9 digits.
fn is_zip(t: &str) -> bool {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match t.len() {
        5 | 9 => digits(t),
        10 => t.as_bytes()[5] == b'-' && digits(&t[..5]) && digits(&t[6..]),
        _ => false,
    }
}

/// A UK postcode: an outward code (a letter, an optional letter, a digit, then an optional
/// digit or letter) and an inward code (a digit and two letters), the space optional.
fn is_gb_postcode(t: &str) -> bool {
    let s: Vec<u8> = t
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if !(5..=7).contains(&s.len()) || t.split(' ').filter(|w| !w.is_empty()).count() > 2 {
        return false;
    }
    let (outward, inward) = s.split_at(s.len() - 3);
    let inward_ok = inward[0].is_ascii_digit() && inward[1..].iter().all(u8::is_ascii_uppercase);
    let letters = outward
        .iter()
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    let rest = &outward[letters..];
    let outward_ok = (1..=2).contains(&letters)
        && !rest.is_empty()
        && rest[0].is_ascii_digit()
        && rest.len() <= 2
        && rest[1..].iter().all(u8::is_ascii_alphanumeric);
    inward_ok && outward_ok
}

impl FromStr for Country {
    type Err = CrmError;
    fn from_str(s: &str) -> Result<Self> {
        Country::parse(s)
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        // "invalid value … expected …": crate::json turns it into InvalidInput naming the
        // key (`country`), as every other out-of-range value in a JSON document.
        Country::parse(&text).map_err(|_| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&text),
                &"an ISO 3166-1 alpha-2 code (TR, AU, GB, US, DE…)",
            )
        })
    }
}

/// The settings of a validation or a quality report as one JSON object (the C form, as the
/// duplicate-detection configs take `country`): `{"country": "AU"}`; every key optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityOptions {
    /// The country whose id, tax-number, phone and postcode rules apply (default `TR`).
    pub country: Country,
}

impl crate::quality::DedupConfig {
    /// These settings with `country` (an ISO 3166-1 alpha-2 code) in place of their own when
    /// it is given: how a call's own `country` argument overrides a config's (Python's
    /// `find_duplicates(country=...)`).
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidInput`] naming `country` for an unknown code.
    ///
    /// ```
    /// use crm_core::quality::DedupConfig;
    /// let config = DedupConfig::default().with_country(Some("au"))?;
    /// assert_eq!(config.country.code(), "AU");
    /// assert_eq!(DedupConfig::default().with_country(None)?, DedupConfig::default());
    /// assert_eq!(DedupConfig::default().with_country(Some("XX")).unwrap_err().field(), Some("country"));
    /// # Ok::<(), crm_core::CrmError>(())
    /// ```
    pub fn with_country(mut self, country: Option<&str>) -> Result<Self> {
        if let Some(code) = country {
            self.country = Country::parse(code)?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_list_has_every_assigned_code_once() {
        let codes: Vec<&str> = ISO_3166.split(' ').collect();
        // ISO 3166-1 has 249 officially assigned alpha-2 codes.
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert!(codes.iter().all(|c| c.len() == 2));
    }

    #[test]
    fn an_unknown_code_names_country() {
        for bad in ["", "T", "TUR", "XX", "UK", "1A"] {
            let e = Country::parse(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
            assert!(e.to_string().starts_with("invalid country"), "{e}");
        }
        let json: std::result::Result<Country, _> = serde_json::from_str("\"ZZ\"");
        assert!(
            json.unwrap_err()
                .to_string()
                .contains("expected an ISO 3166-1 alpha-2")
        );
    }

    #[test]
    fn gb_postcodes_by_the_royal_mail_formats() {
        // One of each outward form: A9, A99, AA9, AA99, A9A, AA9A.
        for ok in [
            "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "ec1a1bb",
        ] {
            assert!(is_gb_postcode(ok), "{ok}");
        }
        for bad in [
            "12345",
            "EC1A 1B",
            "EC1A 11B",
            "1A 1AA",
            "ABC1 1AA",
            "EC1A  1BB X",
        ] {
            assert!(!is_gb_postcode(bad), "{bad}");
        }
    }

    #[test]
    fn national_phones_by_calling_code() {
        let p = |c: &str, n: &str| Country::parse(c).unwrap().normalize_phone(n);
        // Australian mobile 04xx xxx xxx: trunk 0 dropped, +61.
        assert_eq!(p("AU", "0412 345 678").as_deref(), Some("+61412345678"));
        assert_eq!(p("GB", "020 7946 0018").as_deref(), Some("+442079460018"));
        assert_eq!(p("DE", "030 1234567").as_deref(), Some("+49301234567"));
        assert_eq!(p("US", "1 202 456 1111").as_deref(), Some("+12024561111"));
        assert_eq!(p("US", "456 1111"), None);
        // Turkish rules unchanged under TR.
        assert_eq!(p("TR", "0532 123 45 67").as_deref(), Some("+905321234567"));
        // A country without dialling rules: international numbers only; a national one is
        // not checked rather than invalid.
        let br = Country::parse("BR").unwrap();
        assert_eq!(
            br.normalize_phone("+55 11 91234 5678").as_deref(),
            Some("+5511912345678")
        );
        assert_eq!(br.check_phone("(11) 91234-5678"), Check::NotChecked);
        assert!(matches!(br.check_phone("call me"), Check::Invalid(_)));
        assert!(matches!(
            Country::parse("AU").unwrap().check_phone("12"),
            Check::Invalid(_)
        ));
    }

    #[test]
    fn ids_are_checked_in_turkey_only() {
        let (tr, au) = (Country::default(), Country::parse("AU").unwrap());
        assert_eq!(tr.check_national_id("12345678950"), Check::Valid);
        assert!(matches!(tr.check_national_id("1234567"), Check::Invalid(_)));
        assert_eq!(au.check_national_id("1234567"), Check::NotChecked);
        assert_eq!(au.check_tax_id("123"), Check::NotChecked);
    }
}

#[cfg(test)]
mod foreign_data {
    use super::Country;
    use crate::model::Customer;
    use crate::quality::{
        DedupConfig, MatchRecord, assess, find_duplicates, quality_report, quality_report_in,
    };

    /// Records shaped like FEBRL's (Christen's Australian generator): a 7-digit
    /// `soc_sec_id`, 4-digit postcodes, `0X XXXX XXXX` phones, written here by hand.
    fn febrl_like() -> Vec<Customer> {
        let rows = [
            (
                "rachael",
                "dent",
                "1201936",
                "4151",
                "02 6281 7424",
                "1 banjo place",
            ),
            (
                "isaac",
                "green",
                "6111337",
                "2350",
                "07 3112 4021",
                "14 mcmahon street",
            ),
            (
                "jordan",
                "white",
                "5314502",
                "6102",
                "08 9465 1289",
                "3 rowe crescent",
            ),
            (
                "chloe",
                "mitchell",
                "9835140",
                "0800",
                "0412 345 678",
                "27 stuart highway",
            ),
        ];
        (1..)
            .zip(rows)
            .map(|(id, (g, f, ssn, pc, ph, line))| {
                let mut c = Customer::person(id, g, f);
                c.national_id = Some(ssn.into());
                c.address.postcode = Some(pc.into());
                c.address.line = Some(line.into());
                c.phones.push(ph.into());
                c
            })
            .collect()
    }

    #[test]
    fn au_data_has_no_invalid_field_under_au_and_every_foreign_one_is_invalid_under_tr() {
        let today = "2025-06-01".parse().unwrap();
        let people = febrl_like();
        let au = quality_report_in(&people, today, Country::parse("AU").unwrap());
        assert!(au.invalid.is_empty(), "{:?}", au.invalid);
        assert_eq!(au.not_checked, ["national_id", "tax_id"]);
        // Not checked is still usable: every id and postcode counts as filled.
        let id = au.fields.iter().find(|f| f.field == "national_id").unwrap();
        assert_eq!((id.usable, id.invalid, id.checked), (4, 0, false));
        let pc = au
            .fields
            .iter()
            .find(|f| f.field == "address.postcode")
            .unwrap();
        assert_eq!((pc.usable, pc.checked), (4, true));
        // TR's rules unchanged: 7-digit ids fail the TCKN rule, 4-digit postcodes the
        // Turkish one, and 0X XXXX XXXX phones read as Turkish fail except the mobile 04..
        // (10 digits with trunk 0 gives 9 — not a Turkish number either).
        let tr = quality_report(&people, today);
        let invalid = |field: &str| {
            tr.invalid
                .iter()
                .filter(|f| f.finding.field == field)
                .count()
        };
        assert_eq!(
            (invalid("national_id"), invalid("address.postcode")),
            (4, 4)
        );
        assert_eq!(invalid("phones[0]"), 4);
        assert!(tr.not_checked.is_empty());
        // The per-record form agrees with the report.
        assert!(
            assess(&people, today)
                .iter()
                .all(|q| !q.findings.is_empty())
        );
    }

    #[test]
    fn a_wrong_au_postcode_is_still_invalid_under_au() {
        let today = "2025-06-01".parse().unwrap();
        let mut people = febrl_like();
        people[0].address.postcode = Some("41510".into());
        people[1].phones[0] = "07 3112".into();
        let au = quality_report_in(&people, today, Country::parse("AU").unwrap());
        let fields: Vec<(u64, &str)> = au
            .invalid
            .iter()
            .map(|f| (f.customer_id, f.finding.field.as_str()))
            .collect();
        assert_eq!(fields, [(1, "address.postcode"), (2, "phones[0]")]);
    }

    #[test]
    fn au_phones_in_two_spellings_block_and_agree_under_au() {
        let record = |phone: &str, pc: &str| MatchRecord {
            given_name: Some("rachael".into()),
            surname: Some("dent".into()),
            phone: Some(phone.into()),
            postcode: Some(pc.into()),
            address: Some("1 banjo place".into()),
            ..MatchRecord::default()
        };
        let mut records = vec![
            record("02 6281 7424", "4151"),
            record("+61 2 6281 7424", "4151"),
        ];
        // Unrelated fillers so the model has non-matches to learn from.
        for i in 0..40u32 {
            records.push(MatchRecord {
                given_name: Some(format!("given{i}")),
                surname: Some(format!("family{}", i * 7)),
                phone: Some(format!("03 9{:03} {:04}", i, i * 13)),
                postcode: Some(format!("{}", 3000 + i)),
                ..MatchRecord::default()
            });
        }
        let au = DedupConfig {
            country: Country::parse("AU").unwrap(),
            ..DedupConfig::default()
        };
        // The keys matching compares and blocks on: one number in both spellings under AU.
        let keys = |c: Country| {
            let k: Vec<_> = records[..2]
                .iter()
                .map(|r| c.phone_key(r.phone.as_deref().unwrap()))
                .collect();
            k
        };
        let au_keys = keys(au.country);
        assert_eq!(
            au_keys,
            [Some("+61262817424".into()), Some("+61262817424".into())]
        );
        // Under TR the Australian national spelling is no phone at all.
        assert_eq!(keys(Country::default())[0], None);
        let d = find_duplicates(&records, &au).unwrap();
        assert_eq!(d.cluster[1], 0);
        assert!(d.pairs.iter().all(|p| (p.left, p.right) == (0, 1)));
        let (gb, us) = (Country::parse("GB").unwrap(), Country::parse("US").unwrap());
        assert_eq!(gb.postcode_key(" sw1a 1aa"), gb.postcode_key("SW1A1AA"));
        assert_eq!(us.postcode_key("20500-0003"), "20500");
        assert_eq!(Country::default().postcode_key(" 06100 "), "06100");
    }

    #[test]
    fn dedup_config_reads_country_from_json() {
        let c: DedupConfig = serde_json::from_str(r#"{"country": "au"}"#).unwrap();
        assert_eq!(c.country.code(), "AU");
        // Through crm's JSON reader, as every skin reads configs: invalid input naming the key.
        let bad = crate::json::parse::<DedupConfig>("the config", r#"{"country": "Australia"}"#)
            .unwrap_err();
        assert_eq!(bad.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(bad.field(), Some("country"));
        // The value masked, as every string quoted from a JSON document.
        assert!(
            bad.to_string()
                .starts_with("invalid country \"Aust*****\": expected an ISO"),
            "{bad}"
        );
        // Nested in another document, the path names it too.
        let bad = crate::json::parse::<std::collections::BTreeMap<String, DedupConfig>>(
            "the configs",
            r#"{"a": {"country": "ZZ"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            (bad.kind(), bad.field()),
            (crate::ErrorKind::InvalidInput, Some("a.country"))
        );
    }
}
