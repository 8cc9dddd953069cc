//! Subject and description templates for call logs: plain text with
//! `{placeholder}`s, checked when the setting is saved so a typo is an
//! error then, not a strange CRM record later. `{{` and `}}` are literal braces.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The placeholders a call-log template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "direction",  // Inbound / Outbound / Missed / Internal
    "number",     // the other party's number (E.164 when known)
    "name",       // the matched CRM record's name, else the number
    "extension",  // the extension that owns the call
    "agent",      // the owner's name
    "handled_by", // "extension 1005 (Maya)", "ring group Sales", or "no one answered"
    "duration",   // talk time as m:ss
    "call_id",    // the PBX's call id
    "via",        // ring group / queue, or empty
    "started_at", // local start time
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown placeholder {{{0}}}; known: {known}", known = PLACEHOLDERS.join(", "))]
    Unknown(String),
    #[error("unclosed {{ in template")]
    Unclosed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

impl Template {
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => return Err(TemplateError::Unclosed),
                        }
                    }
                    let name = name.trim().to_owned();
                    if !PLACEHOLDERS.contains(&name.as_str()) {
                        return Err(TemplateError::Unknown(name));
                    }
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Var(name));
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self {
            source: source.to_owned(),
            parts,
        })
    }

    pub fn render(&self, values: &BTreeMap<&str, String>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => {
                    out.push_str(values.get(v.as_str()).map(String::as_str).unwrap_or(""))
                }
            }
        }
        out
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

impl TryFrom<String> for Template {
    type Error = TemplateError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Template> for String {
    fn from(value: Template) -> Self {
        value.source
    }
}

/// `m:ss` (minutes may exceed 59), as people read call lengths.
pub fn minutes_seconds(total_s: u32) -> String {
    format!("{}:{:02}", total_s / 60, total_s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders_and_literal_braces() {
        let t = Template::parse("{direction} call with {name} {{ext {extension}}}").unwrap();
        let values = BTreeMap::from([
            ("direction", "Inbound".to_owned()),
            ("name", "Lena Brandt".to_owned()),
            ("extension", "1005".to_owned()),
        ]);
        assert_eq!(
            t.render(&values),
            "Inbound call with Lena Brandt {ext 1005}"
        );
    }

    #[test]
    fn typos_are_errors_when_saved() {
        assert_eq!(
            Template::parse("{nmae}").unwrap_err(),
            TemplateError::Unknown("nmae".into())
        );
        assert_eq!(
            Template::parse("call {name").unwrap_err(),
            TemplateError::Unclosed
        );
        assert!(serde_json::from_str::<Template>("\"{bogus}\"").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(minutes_seconds(0), "0:00");
        assert_eq!(minutes_seconds(275), "4:35");
        assert_eq!(minutes_seconds(3725), "62:05");
    }
}
