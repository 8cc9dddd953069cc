//! How a number typed by an agent (or sent by Zoho's click-to-dial) becomes
//! the digits the PBX is asked to dial. PBX outbound routes match dial
//! patterns: one PBX wants `+14155550123`, another `94155550123` (outside
//! line 9, national form), another `901144…` for abroad. The admin says
//! which; a number that is not a valid phone number of the plan — an
//! extension, a feature code, a short service number — is always dialled as
//! typed, never prefixed.

pub mod policy;

use phonenumber::Mode;
use serde::{Deserialize, Serialize};

use crate::phone::{NumberPlan, dialable};

/// The form outside numbers are dialled in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DialFormat {
    /// As typed, without separators (a leading `+` kept).
    #[default]
    AsTyped,
    /// International with a leading `+`: `+442079460000`.
    E164,
    /// Numbers of the plan's country in national form (`02079460000`,
    /// `4155550123`), others with the international prefix
    /// (`00` + `14155550123` from the UK, `011` + … from the US).
    Local,
}

/// The admin's dialling rules for one PBX.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialRules {
    #[serde(default)]
    pub format: DialFormat,
    /// Digits that seize an outside line (`9`), put before every outside
    /// number the PBX is asked to dial; empty for none.
    #[serde(default)]
    pub outside_line_prefix: String,
    /// The prefix for calling abroad in [`DialFormat::Local`]; empty means the
    /// plan's country's own (`00`, `011`…).
    #[serde(default)]
    pub international_prefix: String,
}

impl DialRules {
    /// The digits to dial for `typed`, or `None` when it is not a number
    /// at all (letters, `;`…): such text never reaches the PBX.
    pub fn dial_string(&self, plan: &NumberPlan, typed: &str) -> Option<String> {
        let cleaned = dialable(typed)?;
        if self.format == DialFormat::AsTyped && self.outside_line_prefix.is_empty() {
            return Some(cleaned);
        }
        let Ok(e164) = plan.normalize(&cleaned) else {
            // An extension or a short code: the PBX routes it itself.
            return Some(cleaned);
        };
        let body = match self.format {
            DialFormat::AsTyped => cleaned.clone(),
            DialFormat::E164 => e164.to_string(),
            DialFormat::Local => self.local_form(plan, e164.as_str())?,
        };
        // As typed, a prefix the agent typed already is not doubled. (The
        // other forms are rebuilt from the number, which `normalize` read
        // without it.) Where the outside line is "0", which is also the
        // national trunk prefix, this cannot tell the two apart: such PBXs
        // want `Local`, which never guesses.
        if self.format == DialFormat::AsTyped
            && cleaned
                .strip_prefix(self.outside_line_prefix.as_str())
                .is_some_and(|rest| plan.normalize(rest).as_ref() == Ok(&e164))
        {
            return Some(cleaned);
        }
        Some(format!("{}{body}", self.outside_line_prefix))
    }

    fn local_form(&self, plan: &NumberPlan, e164: &str) -> Option<String> {
        let number = phonenumber::parse(None, e164).ok()?;
        let home = plan
            .default_country
            .as_deref()
            .and_then(|c| c.parse::<phonenumber::country::Id>().ok());
        if home.is_some() && number.country().id() == home {
            let national = number.format().mode(Mode::National).to_string();
            return Some(national.chars().filter(char::is_ascii_digit).collect());
        }
        let prefix = if self.international_prefix.is_empty() {
            home_international_prefix(home)
        } else {
            self.international_prefix.clone()
        };
        Some(format!("{prefix}{}", e164.trim_start_matches('+')))
    }
}

/// The country's prefix for calling abroad, from libphonenumber's metadata:
/// its preferred one, else its pattern when that is plain digits, else `00`
/// (the ITU recommendation, used by most of the world).
fn home_international_prefix(home: Option<phonenumber::country::Id>) -> String {
    let metadata = home.and_then(|id| phonenumber::metadata::DATABASE.by_id(id.as_ref()));
    let Some(metadata) = metadata else {
        return "00".to_owned();
    };
    if let Some(preferred) = metadata.preferred_international_prefix() {
        return preferred.chars().filter(char::is_ascii_digit).collect();
    }
    match metadata.international_prefix().map(|r| r.as_str()) {
        Some(pattern) if !pattern.is_empty() && pattern.bytes().all(|b| b.is_ascii_digit()) => {
            pattern.to_owned()
        }
        _ => "00".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(format: DialFormat, outside: &str) -> DialRules {
        DialRules {
            format,
            outside_line_prefix: outside.to_owned(),
            international_prefix: String::new(),
        }
    }

    fn gb() -> NumberPlan {
        NumberPlan::new("GB")
            .unwrap()
            .with_outside_line_prefixes(&["9"])
    }

    fn us() -> NumberPlan {
        NumberPlan::new("US").unwrap()
    }

    #[test]
    fn as_typed_keeps_the_number_and_only_drops_separators() {
        let r = DialRules::default();
        assert_eq!(
            r.dial_string(&gb(), "+44 20 7946 0000").as_deref(),
            Some("+442079460000")
        );
        assert_eq!(r.dial_string(&gb(), "1005").as_deref(), Some("1005"));
        assert_eq!(r.dial_string(&gb(), "1005;drop"), None);
    }

    #[test]
    fn local_form_is_national_at_home_and_international_prefix_abroad() {
        let r = rules(DialFormat::Local, "");
        for typed in ["+44 20 7946 0000", "0044 20 7946 0000", "(020) 7946-0000"] {
            assert_eq!(
                r.dial_string(&gb(), typed).as_deref(),
                Some("02079460000"),
                "{typed}"
            );
        }
        assert_eq!(
            r.dial_string(&gb(), "+1 415 555 0123").as_deref(),
            Some("0014155550123")
        );
        assert_eq!(
            r.dial_string(&us(), "+1 (415) 555-0123").as_deref(),
            Some("4155550123")
        );
        // NANP's international prefix is 011.
        assert_eq!(
            r.dial_string(&us(), "+44 20 7946 0000").as_deref(),
            Some("011442079460000")
        );
        let custom = DialRules {
            international_prefix: "0011".into(),
            ..r
        };
        assert_eq!(
            custom.dial_string(&us(), "+44 20 7946 0000").as_deref(),
            Some("0011442079460000")
        );
    }

    #[test]
    fn the_outside_line_prefix_goes_before_outside_numbers_only() {
        let r = rules(DialFormat::Local, "9");
        assert_eq!(
            r.dial_string(&gb(), "020 7946 0000").as_deref(),
            Some("902079460000")
        );
        // An agent who typed the 9 already does not get two.
        assert_eq!(
            r.dial_string(&gb(), "9 020 7946 0000").as_deref(),
            Some("902079460000")
        );
        // Extensions and short numbers are the PBX's own: never prefixed.
        assert_eq!(r.dial_string(&gb(), "1005").as_deref(), Some("1005"));
        assert_eq!(r.dial_string(&gb(), "112").as_deref(), Some("112"));
        let e164 = rules(DialFormat::E164, "9");
        assert_eq!(
            e164.dial_string(&gb(), "020 7946 0000").as_deref(),
            Some("9+442079460000")
        );
        let typed = rules(DialFormat::AsTyped, "9");
        assert_eq!(
            typed.dial_string(&gb(), "020 7946 0000").as_deref(),
            Some("902079460000")
        );
        assert_eq!(
            typed.dial_string(&gb(), "902079460000").as_deref(),
            Some("902079460000")
        );
    }

    #[test]
    fn rules_read_from_config_text() {
        let r: DialRules =
            serde_json::from_str(r#"{"format":"local","outside_line_prefix":"9"}"#).unwrap();
        assert_eq!(r.format, DialFormat::Local);
        assert_eq!(r.international_prefix, "");
        assert_eq!(
            serde_json::from_str::<DialRules>("{}").unwrap(),
            DialRules::default()
        );
    }
}
