//! The dial policy (issue 12, toll fraud): which outside numbers
//! click-to-call may ask the PBX to dial. A stolen session or API token, or
//! a number planted in a CRM record, must not run up premium-rate or
//! far-abroad calls. Extensions, feature codes and short numbers (anything
//! [`NumberPlan::read`] does not take for an outside number) are never
//! refused: the PBX's own permissions govern them.
//!
//! The order of the rules: a denied prefix always refuses; an allowed
//! prefix always allows (over the country and the number type); then the
//! number's country must be allowed, and its type not blocked.

use serde::{Deserialize, Serialize};

use crate::audit::{AuditEntry, AuditSystem};
use crate::phone::{E164, NumberPlan, dialable};

/// The kinds of number a policy can block, as the phone-number metadata
/// tells them apart. (Where the metadata cannot tell fixed lines from
/// mobiles, as in the US, neither `fixed_line` nor `mobile` matches.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    PremiumRate,
    SharedCost,
    TollFree,
    FixedLine,
    Mobile,
    PersonalNumber,
    Voip,
    Pager,
    Uan,
    Voicemail,
}

impl NumberKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PremiumRate => "premium_rate",
            Self::SharedCost => "shared_cost",
            Self::TollFree => "toll_free",
            Self::FixedLine => "fixed_line",
            Self::Mobile => "mobile",
            Self::PersonalNumber => "personal_number",
            Self::Voip => "voip",
            Self::Pager => "pager",
            Self::Uan => "uan",
            Self::Voicemail => "voicemail",
        }
    }

    fn of(kind: phonenumber::Type) -> Option<Self> {
        use phonenumber::Type;
        Some(match kind {
            Type::PremiumRate => Self::PremiumRate,
            Type::SharedCost => Self::SharedCost,
            Type::TollFree => Self::TollFree,
            Type::FixedLine => Self::FixedLine,
            Type::Mobile => Self::Mobile,
            Type::PersonalNumber => Self::PersonalNumber,
            Type::Voip => Self::Voip,
            Type::Pager => Self::Pager,
            Type::Uan => Self::Uan,
            Type::Voicemail => Self::Voicemail,
            _ => return None,
        })
    }
}

/// `[pbx.dial_policy]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialPolicy {
    /// ISO 3166 codes of the countries outside numbers may be in; empty
    /// means the PBX's own country (`pbx.default_country`), and `*` any.
    /// With neither a list nor a PBX country, no country is refused.
    #[serde(default)]
    pub allowed_countries: Vec<String>,
    /// Number types refused wherever they are.
    #[serde(default = "default_blocked_types")]
    pub blocked_types: Vec<NumberKind>,
    /// E.164 prefixes (`+4420`) always allowed, over country and type.
    #[serde(default)]
    pub allow_prefixes: Vec<String>,
    /// E.164 prefixes (`+4487`) always refused, over everything else.
    #[serde(default)]
    pub deny_prefixes: Vec<String>,
}

fn default_blocked_types() -> Vec<NumberKind> {
    vec![NumberKind::PremiumRate, NumberKind::SharedCost]
}

impl Default for DialPolicy {
    fn default() -> Self {
        Self {
            allowed_countries: Vec::new(),
            blocked_types: default_blocked_types(),
            allow_prefixes: Vec::new(),
            deny_prefixes: Vec::new(),
        }
    }
}

/// A policy that cannot be applied as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialPolicyError {
    #[error("dial_policy.allowed_countries: {0:?} is not an ISO 3166 country code")]
    UnknownCountry(String),
    #[error("dial_policy prefix {0:?} is not an E.164 prefix (`+` and digits)")]
    BadPrefix(String),
}

/// Why a dial was refused; the `Display` text is what the audit trail and
/// Zoho's call bar show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialRefusal {
    #[error("{number} starts with the denied prefix {prefix}")]
    DeniedPrefix { number: E164, prefix: String },
    #[error("{number} is in {country}, a country calls may not be placed to")]
    Country { number: E164, country: String },
    #[error("{number} is a {} number, which may not be dialled", kind.as_str().replace('_', " "))]
    NumberType { number: E164, kind: NumberKind },
}

impl DialRefusal {
    /// The stable code API clients see in `{"error": …}`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::DeniedPrefix { .. } => "dial_prefix_denied",
            Self::Country { .. } => "dial_country_not_allowed",
            Self::NumberType { .. } => "dial_number_type_blocked",
        }
    }

    /// The number that was refused, in E.164.
    pub fn number(&self) -> &E164 {
        match self {
            Self::DeniedPrefix { number, .. }
            | Self::Country { number, .. }
            | Self::NumberType { number, .. } => number,
        }
    }

    /// The audit trail's record of the refusal: `who` asked (an account,
    /// a Zoho user) from `extension`.
    pub fn audit_entry(&self, who: &str, extension: &str) -> AuditEntry {
        AuditEntry::failed(
            AuditSystem::Pbx,
            &format!("dial by {who}"),
            "call",
            &format!("dial:{extension}"),
            format!("refused by the dial policy: {self}"),
        )
    }
}

impl DialPolicy {
    /// Checks the countries and prefixes are well formed.
    pub fn validate(&self) -> Result<(), DialPolicyError> {
        for country in &self.allowed_countries {
            if country != "*"
                && country
                    .to_ascii_uppercase()
                    .parse::<phonenumber::country::Id>()
                    .is_err()
            {
                return Err(DialPolicyError::UnknownCountry(country.clone()));
            }
        }
        for prefix in self.allow_prefixes.iter().chain(&self.deny_prefixes) {
            let digits = prefix.strip_prefix('+').unwrap_or_default();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DialPolicyError::BadPrefix(prefix.clone()));
            }
        }
        Ok(())
    }

    /// Whether `typed` may be dialled on a PBX reading numbers by `plan`.
    pub fn check(&self, plan: &NumberPlan, typed: &str) -> Result<(), DialRefusal> {
        let Some(cleaned) = dialable(typed) else {
            // Not a number at all: the dialler refuses it on its own.
            return Ok(());
        };
        let Ok(reading) = plan.read(&cleaned) else {
            // An extension or a short code: not an outside call.
            return Ok(());
        };
        let number = reading.key;
        if let Some(prefix) = matching(&self.deny_prefixes, &number) {
            return Err(DialRefusal::DeniedPrefix {
                prefix: prefix.to_owned(),
                number,
            });
        }
        if matching(&self.allow_prefixes, &number).is_some() {
            return Ok(());
        }
        let parsed = phonenumber::parse(None, number.as_str()).ok();
        let country = parsed.as_ref().and_then(country_of);
        if !self.country_allowed(plan, country.as_deref()) {
            return Err(DialRefusal::Country {
                country: country.unwrap_or_else(|| "an unknown country".to_owned()),
                number,
            });
        }
        let kind = parsed
            .filter(|_| reading.valid)
            .and_then(|p| NumberKind::of(p.number_type(&phonenumber::metadata::DATABASE)));
        match kind {
            Some(kind) if self.blocked_types.contains(&kind) => {
                Err(DialRefusal::NumberType { number, kind })
            }
            _ => Ok(()),
        }
    }

    fn country_allowed(&self, plan: &NumberPlan, country: Option<&str>) -> bool {
        let home;
        let allowed: &[String] = if self.allowed_countries.is_empty() {
            match &plan.default_country {
                Some(c) => {
                    home = [c.clone()];
                    &home
                }
                None => return true,
            }
        } else {
            &self.allowed_countries
        };
        allowed
            .iter()
            .any(|a| a == "*" || country.is_some_and(|c| a.eq_ignore_ascii_case(c)))
    }
}

/// The first of `prefixes` the number starts with.
fn matching<'a>(prefixes: &'a [String], number: &E164) -> Option<&'a str> {
    prefixes
        .iter()
        .map(String::as_str)
        .find(|p| p.len() > 1 && number.as_str().starts_with(p))
}

/// The number's country; for a number the metadata does not know, the
/// main country of its calling code.
fn country_of(number: &phonenumber::PhoneNumber) -> Option<String> {
    let id = number.country().id().or_else(|| {
        phonenumber::metadata::DATABASE
            .by_code(&number.code().value())?
            .into_iter()
            .find_map(|m| m.id().parse().ok())
    })?;
    Some(id.as_ref().to_owned())
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
