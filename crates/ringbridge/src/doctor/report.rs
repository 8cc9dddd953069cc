//! The doctor's report: checks in order, as text to paste or as JSON.

use std::fmt::Write as _;

use serde::Serialize;

/// The verdict of one check or probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    /// An assumption probe saw what docs/zoho-assumptions.md assumes.
    Confirmed,
    /// An assumption probe saw something else (`seen` says what).
    Differs,
    /// The check could not be made from here (or without writing).
    NotObservable,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "FAIL",
            Self::Confirmed => "confirmed",
            Self::Differs => "differs",
            Self::NotObservable => "not observable",
        }
    }
}

/// Which part of the installation a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// This installation: database, secret key, migrations.
    Setup,
    Pbx,
    Zoho,
    /// The behaviour of Zoho that docs/zoho-assumptions.md lists as assumed.
    Assumption,
}

impl Area {
    fn heading(self) -> &'static str {
        match self {
            Self::Setup => "This installation",
            Self::Pbx => "PBX",
            Self::Zoho => "Zoho CRM",
            Self::Assumption => "Zoho behaviour ringbridge assumes (docs/zoho-assumptions.md)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub area: Area,
    pub name: String,
    pub status: Status,
    /// What was seen, in words an admin can act on.
    pub seen: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ringbridge: String,
    pub checks: Vec<Check>,
    /// Secrets met on the way (a stored refresh token), redacted too.
    #[serde(skip)]
    hidden: Vec<String>,
}

impl Default for Report {
    fn default() -> Self {
        Self::new()
    }
}

impl Report {
    pub fn new() -> Self {
        Self {
            ringbridge: env!("CARGO_PKG_VERSION").to_owned(),
            checks: Vec::new(),
            hidden: Vec::new(),
        }
    }

    /// Keeps `secret` out of the report.
    pub fn hide(&mut self, secret: &str) {
        self.hidden.push(secret.to_owned());
    }

    pub fn push(&mut self, area: Area, name: &str, status: Status, seen: impl Into<String>) {
        self.checks.push(Check {
            area,
            name: name.to_owned(),
            status,
            seen: seen.into(),
        });
    }

    /// The first check called `name` in `area`.
    pub fn get(&self, area: Area, name: &str) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| c.area == area && c.name == name)
    }

    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// Replaces every occurrence of each secret, and any `access_token=`
    /// value, with `[redacted]`.
    pub fn redact(&mut self, secrets: &[String]) {
        let mut all = secrets.to_vec();
        all.extend(self.hidden.iter().cloned());
        for check in &mut self.checks {
            check.seen = redact_text(&check.seen, &all);
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    pub fn to_text(&self) -> String {
        let mut out = format!("ringbridge doctor {} (secrets redacted)\n", self.ringbridge);
        let mut area = None;
        for check in &self.checks {
            if area != Some(check.area) {
                area = Some(check.area);
                let _ = writeln!(out, "\n{}", check.area.heading());
            }
            let _ = writeln!(
                out,
                "  {:<15} {:<28} {}",
                check.status.label(),
                check.name,
                check.seen
            );
        }
        let _ = writeln!(
            out,
            "\n{} ok, {} warn, {} failed, {} confirmed, {} differ, {} not observable",
            self.count(Status::Ok),
            self.count(Status::Warn),
            self.count(Status::Fail),
            self.count(Status::Confirmed),
            self.count(Status::Differs),
            self.count(Status::NotObservable),
        );
        out
    }
}

const REDACTED: &str = "[redacted]";

fn redact_text(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret.as_str(), REDACTED);
    }
    // A PBX URL carries its token in the query: whatever follows goes.
    let marker = "access_token=";
    let mut cleaned = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find(marker) {
        let (before, after) = rest.split_at(at + marker.len());
        cleaned.push_str(before);
        cleaned.push_str(REDACTED);
        let end = after
            .find(|c: char| c == '&' || c == ')' || c.is_whitespace())
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    cleaned.push_str(rest);
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets_and_tokens() {
        let secrets = vec!["s3cr3t-value".to_owned(), "ab".to_owned()];
        assert_eq!(
            redact_text(
                "refused s3cr3t-value at http://pbx/x?access_token=XYZ&a=b (ab)",
                &secrets
            ),
            "refused [redacted] at http://pbx/x?access_token=[redacted]&a=b (ab)"
        );
    }

    #[test]
    fn text_groups_by_area() {
        let mut report = Report::new();
        report.push(Area::Pbx, "reachable", Status::Ok, "HTTP 200");
        report.push(
            Area::Assumption,
            "empty COQL answers 204",
            Status::Differs,
            "200",
        );
        let text = report.to_text();
        assert!(text.contains("\nPBX\n  ok "), "{text}");
        assert!(
            text.contains("differs         empty COQL answers 204"),
            "{text}"
        );
        assert!(
            text.contains("1 ok, 0 warn, 0 failed, 0 confirmed, 1 differ"),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("json");
        assert_eq!(json["checks"][1]["status"], "differs");
        assert_eq!(json["checks"][1]["area"], "assumption");
    }
}
