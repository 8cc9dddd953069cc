//! An agent's note and disposition on one call: what the panel's note form
//! sends, what the outbox keeps until the CRM has it (`AnnotateCall` jobs),
//! and how it is folded into the call's log — with the log when it is not
//! written yet, as one update of the written record otherwise.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::crm::CallLog;

/// The longest note kept (characters); Zoho's Description takes 32,000,
/// and the log's own text and marker need room too.
pub const NOTE_MAX_CHARS: usize = 4000;

/// The line that separates the agent's note from the log's own description.
const SEPARATOR: &str = "\n\n";

/// An agent's note on a call, the latest they saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallNote {
    /// The PBX's call id (the call's key is built from it and the PBX id).
    pub call_id: String,
    /// What the agent wrote (may be empty when only a result was picked).
    pub text: String,
    /// The Call Result picklist value the agent picked, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The account name of who wrote it (for the audit trail).
    pub author: String,
    pub saved_at: DateTime<Utc>,
}

/// Why a note is refused before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("a note or a call result is needed")]
    Empty,
    #[error("the note is longer than {NOTE_MAX_CHARS} characters")]
    TooLong,
    #[error("the call result is not one of the CRM's values")]
    UnknownResult,
}

impl CallNote {
    /// A note as typed: line ends normalised, control characters (other
    /// than newlines and tabs) dropped, ends trimmed; refused when empty or
    /// too long, or when `result` is not among `allowed` (checked only when
    /// the CRM's list is known, i.e. `allowed` is not empty).
    pub fn new(
        call_id: &str,
        text: &str,
        result: Option<&str>,
        allowed: &[String],
        author: &str,
        saved_at: DateTime<Utc>,
    ) -> Result<Self, NoteError> {
        let text = clean(text);
        if text.chars().count() > NOTE_MAX_CHARS {
            return Err(NoteError::TooLong);
        }
        let result = result
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        if let Some(r) = &result
            && !allowed.is_empty()
            && !allowed.iter().any(|a| a == r)
        {
            return Err(NoteError::UnknownResult);
        }
        if text.is_empty() && result.is_none() {
            return Err(NoteError::Empty);
        }
        Ok(Self {
            call_id: call_id.to_owned(),
            text,
            result,
            author: author.to_owned(),
            saved_at,
        })
    }

    /// The log's description with this note first. Idempotent: a log that
    /// carries a note already (an earlier version of it) gets this one
    /// instead, never both.
    pub fn description(&self, base: &str) -> String {
        let base = strip_note(base);
        match (self.text.is_empty(), base.is_empty()) {
            (true, _) => base.to_owned(),
            (false, true) => format!("{NOTE_OPEN}{}", self.text),
            (false, false) => format!("{NOTE_OPEN}{}{SEPARATOR}{base}", self.text),
        }
    }

    /// `log` with this note and result in it.
    pub fn apply(&self, log: &mut CallLog) {
        log.description = self.description(&log.description);
        if let Some(r) = &self.result {
            log.result = Some(r.clone());
        }
    }

    /// Whether `log` already carries exactly this note and result.
    pub fn is_in(&self, log: &CallLog) -> bool {
        let mut with = log.clone();
        self.apply(&mut with);
        with == *log
    }
}

/// Marks where an agent's note begins, so a later version replaces it (a
/// sign, not a word: the CRM's readers speak any language).
const NOTE_OPEN: &str = "\u{270E} ";

/// `description` without a note an earlier [`CallNote::description`] put
/// in front of it.
fn strip_note(description: &str) -> &str {
    let Some(rest) = description.strip_prefix(NOTE_OPEN) else {
        return description;
    };
    // A note never holds a blank line (`clean`), so the first one ends it.
    match rest.find(SEPARATOR) {
        Some(at) => &rest[at + SEPARATOR.len()..],
        None => "",
    }
}

fn clean(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect();
    // Blank lines are what ends a note inside a description: none inside.
    let lines: Vec<&str> = kept
        .trim()
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::CallLogType;

    fn log(description: &str) -> CallLog {
        CallLog {
            key: "pbx:1".into(),
            call_type: CallLogType::Inbound,
            started_at: Utc::now(),
            duration_s: 10,
            subject: "Inbound call".into(),
            description: description.into(),
            owner_id: None,
            who: None,
            what: None,
            caller_number: None,
            dialled_number: None,
            result: None,
            recording_url: None,
        }
    }

    fn note(text: &str, result: Option<&str>) -> CallNote {
        CallNote::new("1", text, result, &[], "ann", Utc::now()).expect("valid")
    }

    #[test]
    fn a_note_goes_first_and_a_new_version_replaces_the_old() {
        let mut l = log("Answered by Ann (201)");
        note("Wants a quote\n\nCall back Friday", Some("Interested")).apply(&mut l);
        assert_eq!(
            l.description,
            "\u{270E} Wants a quote\nCall back Friday\n\nAnswered by Ann (201)"
        );
        assert_eq!(l.result.as_deref(), Some("Interested"));
        let second = note("Quote sent", None);
        second.apply(&mut l);
        assert_eq!(
            l.description,
            "\u{270E} Quote sent\n\nAnswered by Ann (201)"
        );
        assert!(second.is_in(&l));
        assert!(!note("Other", None).is_in(&l));
        let mut empty = log("");
        note("Only this", None).apply(&mut empty);
        assert_eq!(empty.description, "\u{270E} Only this");
    }

    #[test]
    fn refusals() {
        let allowed = vec!["Interested".to_owned()];
        let at = Utc::now();
        assert_eq!(
            CallNote::new("1", " \r\n ", None, &allowed, "a", at),
            Err(NoteError::Empty)
        );
        assert_eq!(
            CallNote::new("1", "x", Some("Made up"), &allowed, "a", at),
            Err(NoteError::UnknownResult)
        );
        let long = "x".repeat(NOTE_MAX_CHARS + 1);
        assert_eq!(
            CallNote::new("1", &long, None, &allowed, "a", at),
            Err(NoteError::TooLong)
        );
        let ok = CallNote::new("1", "a\u{7}b\r\nc", Some("Interested"), &allowed, "a", at)
            .expect("valid");
        assert_eq!(ok.text, "ab\nc");
    }
}
