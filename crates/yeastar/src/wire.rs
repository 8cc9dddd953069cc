//! Tolerant readers for the PBX's JSON values, shared by REST answers and
//! events: the vendor documents strings where numbers sometimes arrive (and
//! the other way round), and mixes upper and lower case.

use std::fmt;

use ringbridge_core::pbx::{CallDirection, CallStatus, LegState};
use serde::de::{self, Deserialize, Deserializer};
use serde_json::value::RawValue;

/// A value the doc calls a string. A JSON number is accepted and kept as
/// the exact text it had on the wire (a `call_id` like `1767258000.10` must
/// not become the float `1767258000.1`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct WireText(pub String);

impl WireText {
    pub fn into_string(self) -> String {
        self.0
    }

    /// `None` for the empty string the PBX sends for "not applicable".
    pub fn non_empty(self) -> Option<String> {
        let trimmed = self.0.trim();
        if trimmed.is_empty() {
            None
        } else if trimmed.len() == self.0.len() {
            Some(self.0)
        } else {
            Some(trimmed.to_owned())
        }
    }
}

impl<'de> Deserialize<'de> for WireText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: &RawValue = Deserialize::deserialize(deserializer)?;
        let text = raw.get().trim();
        match text.as_bytes().first() {
            // The raw value is already valid JSON: a string with no escape
            // is exactly its text between the quotes (no second parse).
            Some(b'"') if !text.contains('\\') => Ok(WireText(text[1..text.len() - 1].to_owned())),
            Some(b'"') => serde_json::from_str::<String>(text)
                .map(WireText)
                .map_err(de::Error::custom),
            Some(b'-' | b'0'..=b'9') => Ok(WireText(text.to_owned())),
            _ => Err(de::Error::custom(format!(
                "expected a string or a number, got {}",
                Preview(text)
            ))),
        }
    }
}

/// A non-negative whole number of seconds, as a number or numeric string;
/// `""` means absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct WireU32(pub Option<u32>);

impl<'de> Deserialize<'de> for WireU32 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let WireText(text) = WireText::deserialize(deserializer)?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(WireU32(None));
        }
        if let Ok(n) = text.parse::<u32>() {
            return Ok(WireU32(Some(n)));
        }
        match text.parse::<f64>() {
            Ok(f) if f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX) => {
                Ok(WireU32(Some(f as u32)))
            }
            _ => Err(de::Error::custom(format!(
                "expected a number of seconds, got {}",
                Preview(text)
            ))),
        }
    }
}

/// Flattens an optional tolerant number.
pub(crate) fn opt_u32(value: Option<WireU32>) -> Option<u32> {
    value.and_then(|v| v.0)
}

/// Flattens an optional tolerant string, treating `""` as absent.
pub(crate) fn opt_text(value: Option<WireText>) -> Option<String> {
    value.and_then(WireText::non_empty)
}

/// `Inbound` / `Outbound` / `Internal`, any case.
pub(crate) fn direction(text: &str) -> Option<CallDirection> {
    match text.trim().to_ascii_lowercase().as_str() {
        "inbound" => Some(CallDirection::Inbound),
        "outbound" => Some(CallDirection::Outbound),
        "internal" => Some(CallDirection::Internal),
        _ => None,
    }
}

/// CDR disposition / 30012 status, any case; accepts the vendor table's
/// `ANSWERD` misspelling.
pub(crate) fn disposition(text: &str) -> CallStatus {
    let trimmed = text.trim();
    match trimmed.to_ascii_uppercase().as_str() {
        "ANSWERED" | "ANSWERD" => CallStatus::Answered,
        "NO ANSWER" | "NOANSWER" | "NO_ANSWER" => CallStatus::NoAnswer,
        "BUSY" => CallStatus::Busy,
        "FAILED" => CallStatus::Failed,
        "VOICEMAIL" => CallStatus::Voicemail,
        _ => CallStatus::Other(trimmed.to_owned()),
    }
}

/// `member_status` → leg state. `ANSWERED` is the caller's side of an
/// answered call, `ANSWER` the callee talking.
pub(crate) fn leg_state(text: &str) -> LegState {
    let trimmed = text.trim();
    match trimmed.to_ascii_uppercase().as_str() {
        "ALERT" => LegState::Alerting,
        "RING" => LegState::Ringing,
        "EARLYMEDIA" => LegState::EarlyMedia,
        "ANSWERED" => LegState::Answered,
        "ANSWER" => LegState::Talking,
        "HOLD" => LegState::OnHold,
        "BYE" => LegState::Gone,
        _ => LegState::Other(trimmed.to_owned()),
    }
}

/// Splits the CDR's `name<number>` form (`Maya Ortiz<1005>`,
/// `Queue CC_Team<6400>`); a bare number has no name.
pub(crate) fn split_name_number(text: &str) -> (Option<String>, String) {
    let text = text.trim();
    if let Some(open) = text.rfind('<')
        && text.ends_with('>')
    {
        let number = text[open + 1..text.len() - 1].trim().to_owned();
        let name = text[..open].trim();
        let name = (!name.is_empty() && name != number).then(|| name.to_owned());
        return (name, number);
    }
    (None, text.to_owned())
}

/// The start of a value for error messages, never the whole of a large one.
pub(crate) struct Preview<'a>(pub &'a str);

impl fmt::Display for Preview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 60;
        if self.0.len() <= MAX {
            return f.write_str(self.0);
        }
        let mut end = MAX;
        while !self.0.is_char_boundary(end) {
            end -= 1;
        }
        write!(f, "{}…", &self.0[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Probe {
        id: WireText,
        n: Option<WireU32>,
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn text_keeps_number_spelling() {
        let p = probe(r#"{"id":1767258000.10,"n":"75"}"#).expect("parses");
        assert_eq!(p.id.0, "1767258000.10");
        assert_eq!(p.n, Some(WireU32(Some(75))));
        let p = probe(r#"{"id":"1767258100.000012"}"#).expect("parses");
        assert_eq!(p.id.0, "1767258100.000012");
        assert_eq!(p.n, None);
    }

    #[test]
    fn strings_with_and_without_escapes_read_the_same() {
        assert_eq!(
            probe(r#"{"id":"Maya Ortiz<1005>"}"#).expect("ok").id.0,
            "Maya Ortiz<1005>"
        );
        assert_eq!(
            probe(r#"{"id":"é \"q\" \u00e9"}"#).expect("ok").id.0,
            "é \"q\" é"
        );
        assert_eq!(probe(r#"{"id":""}"#).expect("ok").id.0, "");
        assert_eq!(probe(r#"{"id": "x" }"#).expect("ok").id.0, "x");
    }

    #[test]
    fn numbers_are_tolerant_but_not_blind() {
        assert_eq!(
            probe(r#"{"id":"x","n":""}"#).expect("ok").n,
            Some(WireU32(None))
        );
        assert_eq!(
            probe(r#"{"id":"x","n":62.0}"#).expect("ok").n,
            Some(WireU32(Some(62)))
        );
        assert!(probe(r#"{"id":"x","n":"abc"}"#).is_err());
        assert!(probe(r#"{"id":"x","n":-3}"#).is_err());
        assert!(probe(r#"{"id":true}"#).is_err());
        assert!(
            probe(r#"{"id":"x","n":null}"#)
                .expect("null is absent")
                .n
                .is_none()
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(disposition("ANSWERD"), CallStatus::Answered);
        assert_eq!(disposition("no answer"), CallStatus::NoAnswer);
        assert_eq!(disposition("Failed"), CallStatus::Failed);
        assert_eq!(
            disposition("ABANDONED"),
            CallStatus::Other("ABANDONED".into())
        );
        assert_eq!(direction("inbound"), Some(CallDirection::Inbound));
        assert_eq!(direction("Internal"), Some(CallDirection::Internal));
        assert_eq!(direction("trunk"), None);
        assert_eq!(leg_state("answer"), LegState::Talking);
        assert_eq!(leg_state("ANSWERED"), LegState::Answered);
        assert_eq!(leg_state("PARKED"), LegState::Other("PARKED".into()));
    }

    #[test]
    fn name_number_split() {
        assert_eq!(
            split_name_number("Maya Ortiz<1005>"),
            (Some("Maya Ortiz".into()), "1005".into())
        );
        assert_eq!(split_name_number("4007<4007>"), (None, "4007".into()));
        assert_eq!(split_name_number("5550199"), (None, "5550199".into()));
    }

    #[test]
    fn preview_cuts_on_char_boundary() {
        let long = "é".repeat(100);
        let shown = Preview(&long).to_string();
        assert!(shown.ends_with('…'));
        assert!(shown.len() < long.len());
    }
}
