//! Phone numbers: every number ringbridge compares is first parsed once into
//! E.164, so `+44 20 7946 0000`, `0044 20 7946 0000`, `020 7946 0000` and
//! `(020) 7946-0000` are one key. CRM data is never rewritten; only the keys
//! ringbridge derives from it are normalised.

use std::fmt;

use phonenumber::{Mode, country};
use serde::{Deserialize, Serialize};

/// A number in E.164 form (`+442079460000`). Construct it with
/// [`NumberPlan::normalize`] or [`E164::parse`]; the inner string is always
/// `+` followed by 8 to 15 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct E164(String);

impl E164 {
    /// Parses an already international number (`+…` or `00…`).
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        NumberPlan::default().normalize(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without the leading `+`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for E164 {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let digits = value
            .strip_prefix('+')
            .ok_or_else(|| PhoneError::NotANumber(value.clone()))?;
        if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value))
        } else {
            Err(PhoneError::NotANumber(value))
        }
    }
}

impl From<E164> for String {
    fn from(value: E164) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("{0:?} is not a phone number")]
    NotANumber(String),
    #[error("{0:?} is not an ISO 3166 country code")]
    UnknownCountry(String),
    #[error("{number:?} is not a valid number for its country")]
    Invalid { number: String },
}

/// How numbers seen on one PBX are read: the country a national number
/// belongs to, and the digits users dial to seize an outside line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberPlan {
    /// ISO 3166-1 alpha-2 code, e.g. `GB`; `None` accepts only international numbers.
    pub default_country: Option<String>,
    /// Outside-line prefixes (e.g. `9`, or `0` on PBXs that use it) stripped
    /// from dialled numbers before parsing.
    pub outside_line_prefixes: Vec<String>,
    /// How click-to-call numbers are put to the PBX.
    #[serde(default)]
    pub dialing: crate::dialing::DialRules,
    /// Which outside numbers click-to-call may dial (toll fraud).
    #[serde(default)]
    pub dial_policy: crate::dialing::policy::DialPolicy,
}

impl NumberPlan {
    pub fn new(default_country: &str) -> Result<Self, PhoneError> {
        parse_country(default_country)?;
        Ok(Self {
            default_country: Some(default_country.to_ascii_uppercase()),
            outside_line_prefixes: Vec::new(),
            dialing: Default::default(),
            dial_policy: Default::default(),
        })
    }

    pub fn with_outside_line_prefixes(mut self, prefixes: &[&str]) -> Self {
        self.outside_line_prefixes = prefixes.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    /// The digits to ask the PBX to dial for `typed` (see [`crate::dialing`]);
    /// `None` when it is not a phone number.
    pub fn dial_string(&self, typed: &str) -> Option<String> {
        self.dialing.dial_string(self, typed)
    }

    /// Whether click-to-call may dial `typed` (see [`crate::dialing::policy`]).
    pub fn check_dial(&self, typed: &str) -> Result<(), crate::dialing::policy::DialRefusal> {
        self.dial_policy.check(self, typed)
    }

    /// Normalises `raw` (as typed in a CRM, or as the PBX reported it) to
    /// the key numbers are compared by: E.164 when the phone-number
    /// metadata knows the number, else the digits key of [`Self::read`].
    pub fn normalize(&self, raw: &str) -> Result<E164, PhoneError> {
        self.read(raw).map(|reading| reading.key)
    }

    /// Reads `raw` into its matching key, saying whether the metadata
    /// considers it a valid number.
    ///
    /// A valid reading is tried first with an outside-line prefix stripped
    /// and then kept, because "0" is both a common outside-line digit and
    /// the national trunk prefix. A number the metadata does not know (a
    /// newly issued or reserved range, a carrier's odd presentation) is
    /// still a number: it is keyed by its country code and national
    /// significant number as the PBX's country reads it, so every spelling
    /// of it meets on one key. That fallback never strips a prefix: the
    /// outside line is taken off dialled numbers by the dial plan
    /// ([`Self::without_outside_line`]), not by guessing from validity.
    pub fn read(&self, raw: &str) -> Result<Reading, PhoneError> {
        let cleaned = clean(raw).ok_or_else(|| PhoneError::NotANumber(raw.to_owned()))?;
        let country = self
            .default_country
            .as_deref()
            .map(parse_country)
            .transpose()?;
        let valid = |key| Reading { key, valid: true };
        if !cleaned.starts_with('+') {
            for prefix in &self.outside_line_prefixes {
                if let Some(rest) = cleaned.strip_prefix(prefix.as_str())
                    && let Ok(number) = parse_with(country, rest)
                {
                    return Ok(valid(number));
                }
            }
        }
        match parse_with(country, &cleaned) {
            Ok(number) => Ok(valid(number)),
            Err(PhoneError::Invalid { .. }) => match digits_key(country, &cleaned) {
                Some(key) => Ok(Reading { key, valid: false }),
                None => Err(PhoneError::Invalid {
                    number: raw.to_owned(),
                }),
            },
            Err(PhoneError::NotANumber(_)) => Err(PhoneError::NotANumber(raw.to_owned())),
            Err(other) => Err(other),
        }
    }

    /// A number as the PBX reports it dialled, without the outside-line
    /// prefix the plan says users dial first (`9` + `07700 900123` →
    /// `07700 900123`). Numbers in international `+` form, and numbers too
    /// short to be an outside number once stripped, are kept as they are.
    pub fn without_outside_line<'a>(&self, dialled: &'a str) -> &'a str {
        let trimmed = dialled.trim();
        if trimmed.starts_with('+') {
            return trimmed;
        }
        let mut prefixes: Vec<&String> = self.outside_line_prefixes.iter().collect();
        // "90" before "9": the longest prefix the number starts with wins.
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for prefix in prefixes.into_iter().filter(|p| !p.is_empty()) {
            if let Some(rest) = trimmed.strip_prefix(prefix.as_str())
                && rest.bytes().filter(u8::is_ascii_digit).count() >= MIN_OUTSIDE_DIGITS
            {
                return rest.trim_start();
            }
        }
        trimmed
    }
}

/// What [`NumberPlan::read`] made of a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The key every spelling of the number shares.
    pub key: E164,
    /// Whether the phone-number metadata knows the number; the key is its
    /// E.164 form then, and a digits key of the same shape otherwise.
    pub valid: bool,
}

/// Fewer digits than this after an outside-line prefix is an extension
/// or a short code, not an outside number.
const MIN_OUTSIDE_DIGITS: usize = 5;

/// Fewer national digits than this is no phone number anywhere (and a
/// short code or extension must never become a key).
const MIN_NATIONAL_DIGITS: usize = 7;

/// The key of a number the metadata does not know: `+`, the country code,
/// and the national significant number as the plan's country reads it
/// (so `07700 900123`, `+44 7700 900123` and `0044 7700 900123` share
/// `+447700900123`). `None` when there is no country to read it by.
fn digits_key(country: Option<country::Id>, cleaned: &str) -> Option<E164> {
    let parsed = parse_lenient(country, cleaned).ok()?;
    let national = parsed.national().to_string();
    if national.len() < MIN_NATIONAL_DIGITS {
        return None;
    }
    E164::try_from(format!("+{}{national}", parsed.code().value())).ok()
}

/// A region the phone-number metadata knows: its two-letter code (a
/// default country a [`NumberPlan`] accepts) and its calling code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub calling_code: u16,
}

/// Every region the metadata knows, by code (the non-geographic entries,
/// such as +800, are no default country and are left out).
pub fn known_regions() -> &'static [Region] {
    static REGIONS: std::sync::LazyLock<Vec<Region>> = std::sync::LazyLock::new(|| {
        let mut regions: Vec<Region> = phonenumber::metadata::DATABASE
            .iter()
            .filter(|m| parse_country(m.id()).is_ok())
            .map(|m| Region {
                code: m.id(),
                calling_code: m.country_code(),
            })
            .collect();
        regions.sort_by_key(|r| r.code);
        regions.dedup_by_key(|r| r.code);
        regions
    });
    &REGIONS
}

fn parse_country(code: &str) -> Result<country::Id, PhoneError> {
    code.to_ascii_uppercase()
        .parse::<country::Id>()
        .map_err(|_| PhoneError::UnknownCountry(code.to_owned()))
}

/// Keeps digits and a leading `+`. `None` when
/// the text has letters or no digits (an extension name, "anonymous").
fn clean(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let mut out = String::with_capacity(trimmed.len());
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push('+'),
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
            _ => return None,
        }
    }
    (out.trim_start_matches('+').len() >= 3).then_some(out)
}

/// Parses without asking the metadata whether the number is valid.
fn parse_lenient(
    country: Option<country::Id>,
    digits: &str,
) -> Result<phonenumber::PhoneNumber, PhoneError> {
    // `00` is the international prefix in most of the world; read it as `+`
    // so international numbers parse without a default country.
    let international;
    let digits = match digits.strip_prefix("00") {
        Some(rest) => {
            international = format!("+{rest}");
            international.as_str()
        }
        None => digits,
    };
    if country.is_none() && !digits.starts_with('+') {
        return Err(PhoneError::NotANumber(digits.to_owned()));
    }
    phonenumber::parse(country, digits).map_err(|_| PhoneError::NotANumber(digits.to_owned()))
}

fn parse_with(country: Option<country::Id>, digits: &str) -> Result<E164, PhoneError> {
    let parsed = parse_lenient(country, digits)?;
    if !phonenumber::is_valid(&parsed) {
        return Err(PhoneError::Invalid {
            number: digits.to_owned(),
        });
    }
    E164::try_from(parsed.format().mode(Mode::E164).to_string())
}

/// Longer strings are not phone numbers.
const MAX_DIAL_DIGITS: usize = 32;

/// A number as a PBX dials it: digits with a leading `+` kept, and the
/// `tel:` scheme and the spaces, dashes, dots and brackets people and CRM
/// records write removed. `None` when anything else is in it (letters,
/// `;`…) or it is not 2..=32 digits: text from a browser or a CRM never
/// reaches the PBX unchecked.
pub fn dialable(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_prefix("tel:").unwrap_or(text);
    let (plus, rest) = match text.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", text),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return None,
        }
    }
    (2..=MAX_DIAL_DIGITS)
        .contains(&digits.len())
        .then(|| format!("{plus}{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_region_is_a_default_country() {
        let regions = known_regions();
        assert!(regions.len() > 200, "{}", regions.len());
        assert!(regions.iter().all(|r| NumberPlan::new(r.code).is_ok()));
        let de = regions.iter().find(|r| r.code == "DE").expect("Germany");
        assert_eq!(de.calling_code, 49);
        assert!(!regions.iter().any(|r| r.code == "001"));
    }

    #[test]
    fn numbers_become_dialable_as_people_and_crm_records_write_them() {
        assert_eq!(
            dialable("+1 (415) 555-0123").as_deref(),
            Some("+14155550123")
        );
        assert_eq!(
            dialable("tel:+44.20.7946.0018").as_deref(),
            Some("+442079460018")
        );
        assert_eq!(dialable(" 555.0199 ").as_deref(), Some("5550199"));
        assert_eq!(dialable(" 1005 ").as_deref(), Some("1005"));
        assert_eq!(dialable("5"), None);
        assert_eq!(dialable("555-CALL-NOW"), None);
        assert_eq!(dialable("1005;drop"), None);
        assert_eq!(dialable(&"9".repeat(33)), None);
        assert_eq!(dialable("+"), None);
    }

    #[test]
    fn uk_formats_are_one_key() {
        let plan = NumberPlan::new("GB").unwrap();
        for raw in [
            "+44 20 7946 0000",
            "0044 20 7946 0000",
            "020 7946 0000",
            "(020) 7946-0000",
        ] {
            assert_eq!(
                plan.normalize(raw).unwrap().as_str(),
                "+442079460000",
                "{raw}"
            );
        }
    }

    #[test]
    fn outside_line_prefix_is_stripped_when_that_parses() {
        let plan = NumberPlan::new("US")
            .unwrap()
            .with_outside_line_prefixes(&["9"]);
        assert_eq!(
            plan.normalize("9 415 555 0123").unwrap().as_str(),
            "+14155550123"
        );
        assert_eq!(
            plan.normalize("+1 415 555 0123").unwrap().as_str(),
            "+14155550123"
        );
    }

    #[test]
    fn zero_prefix_falls_back_to_national_reading() {
        let plan = NumberPlan::new("DE")
            .unwrap()
            .with_outside_line_prefixes(&["0"]);
        // "0" + national "030 901820": the stripped reading wins over "+30…".
        assert_eq!(
            plan.normalize("0030 901820").unwrap().as_str(),
            "+4930901820"
        );
        // Without the outside-line digit the national reading still works.
        assert_eq!(
            plan.normalize("030 901820").unwrap().as_str(),
            "+4930901820"
        );
    }

    #[test]
    fn numbers_the_metadata_does_not_know_share_a_digits_key() {
        // Ofcom's drama range (07700 900xxx) is reserved: never valid.
        let gb = NumberPlan::new("GB").unwrap();
        for raw in [
            "07700 900123",
            "+44 7700 900123",
            "0044 7700 900123",
            "(07700) 900-123",
        ] {
            let reading = gb.read(raw).unwrap();
            assert_eq!(reading.key.as_str(), "+447700900123", "{raw}");
            assert!(!reading.valid, "{raw}");
        }
        // 555-01xx is reserved for fiction in North America.
        let us = NumberPlan::new("US").unwrap();
        for raw in ["+1 555-0123", "1 (555) 555-0123", "555-555-0123"] {
            let reading = us.read(raw).unwrap();
            assert!(!reading.valid, "{raw}");
        }
        assert_eq!(
            us.normalize("555-555-0123").unwrap(),
            us.normalize("+1 555 555 0123").unwrap()
        );
        assert!(gb.read("+44 20 7946 0000").unwrap().valid);
        // Short codes and extensions never become keys.
        assert!(gb.normalize("1005").is_err());
        assert!(gb.normalize("12345").is_err());
    }

    #[test]
    fn the_outside_line_comes_off_dialled_numbers_by_the_plan() {
        let gb = NumberPlan::new("GB")
            .unwrap()
            .with_outside_line_prefixes(&["9"]);
        assert_eq!(gb.without_outside_line("907700900123"), "07700900123");
        assert_eq!(gb.without_outside_line("+447700900123"), "+447700900123");
        assert_eq!(gb.without_outside_line("9101"), "9101", "an extension");
        assert_eq!(
            NumberPlan::new("GB")
                .unwrap()
                .without_outside_line("907700900123"),
            "907700900123",
            "no prefix in the plan"
        );
    }

    #[test]
    fn national_number_needs_a_country() {
        assert!(matches!(
            E164::parse("020 7946 0000"),
            Err(PhoneError::NotANumber(_))
        ));
        assert_eq!(
            E164::parse("+49 30 901820").unwrap().as_str(),
            "+4930901820"
        );
    }

    #[test]
    fn names_and_short_codes_are_not_numbers() {
        let plan = NumberPlan::new("GB").unwrap();
        assert!(plan.normalize("anonymous").is_err());
        assert!(plan.normalize("").is_err());
        assert!(plan.normalize("12").is_err());
    }

    #[test]
    fn serde_round_trip_checks_the_form() {
        let n: E164 = serde_json::from_str("\"+442079460000\"").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"+442079460000\"");
        assert!(serde_json::from_str::<E164>("\"442079460000\"").is_err());
    }
}

#[cfg(test)]
#[path = "phone_patterns_tests.rs"]
mod patterns_tests;
