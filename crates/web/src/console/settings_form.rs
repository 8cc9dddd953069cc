//! The settings form: its fields, checked and turned into the stored
//! settings (every problem reported, not just the first).

use ringbridge_core::console::{ConsoleSettings, RecordingLinkPolicy};
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_core::template::Template;
use serde::Deserialize;

/// When the CRM record opens for agents who have not chosen (the panel's
/// own settings, stored under the panel's default key).
pub use crate::panel::{PopSettings as ScreenPopDefault, SCREEN_POP_DEFAULT_KEY};

/// The form as posted (checkboxes are present when ticked) and as shown.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    pub log_inbound_answered: Option<String>,
    pub log_inbound_missed: Option<String>,
    pub log_outbound_answered: Option<String>,
    pub log_outbound_unanswered: Option<String>,
    pub log_internal: Option<String>,
    pub log_voicemail: Option<String>,
    #[serde(default)]
    pub min_talk_s: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub description: String,
    pub pop_ringing: Option<String>,
    pub pop_answer: Option<String>,
    pub pop_hangup: Option<String>,
    #[serde(default)]
    pub unknown_inbound: String,
    #[serde(default)]
    pub unknown_outbound: String,
    #[serde(default)]
    pub phonebook: String,
    #[serde(default)]
    pub default_country: String,
    #[serde(default)]
    pub recording: String,
    #[serde(default)]
    pub recording_days: String,
    pub recording_sign_in: Option<String>,
}

fn tick(on: bool) -> Option<String> {
    on.then(|| "on".to_owned())
}

pub fn action_name(action: UnknownNumberAction) -> &'static str {
    match action {
        UnknownNumberAction::Nothing => "nothing",
        UnknownNumberAction::CreateContact => "create_contact",
        UnknownNumberAction::CreateLead => "create_lead",
    }
}

fn action(text: &str) -> Option<UnknownNumberAction> {
    [
        UnknownNumberAction::Nothing,
        UnknownNumberAction::CreateContact,
        UnknownNumberAction::CreateLead,
    ]
    .into_iter()
    .find(|a| action_name(*a) == text)
}

impl SettingsForm {
    /// The form filled in from what is stored.
    pub fn from_stored(s: &ConsoleSettings, pop: ScreenPopDefault) -> Self {
        let l = &s.engine.logging;
        let (recording, days) = match s.recording {
            RecordingLinkPolicy::Off => ("off", String::new()),
            RecordingLinkPolicy::UntilRevoked => ("until_revoked", String::new()),
            RecordingLinkPolicy::ExpireAfterDays(d) => ("expire", d.to_string()),
        };
        Self {
            log_inbound_answered: tick(l.inbound_answered),
            log_inbound_missed: tick(l.inbound_missed),
            log_outbound_answered: tick(l.outbound_answered),
            log_outbound_unanswered: tick(l.outbound_unanswered),
            log_internal: tick(l.internal),
            log_voicemail: tick(l.voicemail),
            min_talk_s: l.min_talk_s.to_string(),
            subject: s.engine.subject.source().to_owned(),
            description: s.engine.description.source().to_owned(),
            pop_ringing: tick(pop.on_ringing),
            pop_answer: tick(pop.on_answer),
            pop_hangup: tick(pop.on_hangup),
            unknown_inbound: action_name(s.engine.unknown_inbound).to_owned(),
            unknown_outbound: action_name(s.engine.unknown_outbound).to_owned(),
            phonebook: s.engine.phonebook.clone().unwrap_or_default(),
            default_country: s.default_country.clone().unwrap_or_default(),
            recording: recording.to_owned(),
            recording_days: days,
            recording_sign_in: tick(s.recording_sign_in),
        }
    }

    /// `previous` supplies what the form does not show (business hours,
    /// call results, owners…). Errors are Fluent ids.
    pub fn parse(
        &self,
        previous: &ConsoleSettings,
    ) -> Result<(ConsoleSettings, ScreenPopDefault), Vec<&'static str>> {
        let mut problems = Vec::new();
        let mut s = previous.clone();
        let l = &mut s.engine.logging;
        l.inbound_answered = self.log_inbound_answered.is_some();
        l.inbound_missed = self.log_inbound_missed.is_some();
        l.outbound_answered = self.log_outbound_answered.is_some();
        l.outbound_unanswered = self.log_outbound_unanswered.is_some();
        l.internal = self.log_internal.is_some();
        l.voicemail = self.log_voicemail.is_some();
        match self.min_talk_s.trim() {
            "" => l.min_talk_s = 0,
            n => match n.parse::<u32>() {
                Ok(n) if n <= 3600 => l.min_talk_s = n,
                _ => problems.push("console-settings-bad-min-talk"),
            },
        }
        match Template::parse(self.subject.trim()) {
            Ok(t) if !self.subject.trim().is_empty() => s.engine.subject = t,
            _ => problems.push("console-settings-bad-subject"),
        }
        match Template::parse(self.description.trim()) {
            Ok(t) => s.engine.description = t,
            Err(_) => problems.push("console-settings-bad-description"),
        }
        match (
            action(&self.unknown_inbound),
            action(&self.unknown_outbound),
        ) {
            (Some(i), Some(o)) => {
                s.engine.unknown_inbound = i;
                s.engine.unknown_outbound = o;
            }
            _ => problems.push("console-settings-bad-unknown"),
        }
        let phonebook = self.phonebook.trim();
        if phonebook.chars().count() > 64 || phonebook.chars().any(char::is_control) {
            problems.push("console-settings-bad-phonebook");
        }
        s.engine.phonebook = (!phonebook.is_empty()).then(|| phonebook.to_owned());
        let country = self.default_country.trim().to_ascii_uppercase();
        if country.is_empty() {
            s.default_country = None;
        } else if NumberPlan::new(&country).is_ok() {
            s.default_country = Some(country);
        } else {
            problems.push("console-settings-bad-country");
        }
        s.recording = match (
            self.recording.as_str(),
            self.recording_days.trim().parse::<u32>(),
        ) {
            ("off", _) => RecordingLinkPolicy::Off,
            ("until_revoked", _) => RecordingLinkPolicy::UntilRevoked,
            ("expire", Ok(d)) if (1..=3650).contains(&d) => RecordingLinkPolicy::ExpireAfterDays(d),
            _ => {
                problems.push("console-settings-bad-recording");
                previous.recording
            }
        };
        s.recording_sign_in = self.recording_sign_in.is_some();
        let pop = ScreenPopDefault {
            on_ringing: self.pop_ringing.is_some(),
            on_answer: self.pop_answer.is_some(),
            on_hangup: self.pop_hangup.is_some(),
        };
        if problems.is_empty() {
            Ok((s, pop))
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_settings_survive_the_form() {
        let mut stored = ConsoleSettings {
            default_country: Some("DE".into()),
            recording: RecordingLinkPolicy::ExpireAfterDays(30),
            recording_sign_in: true,
            ..ConsoleSettings::default()
        };
        stored.engine.unknown_outbound = UnknownNumberAction::CreateLead;
        stored.engine.logging.internal = true;
        stored.engine.logging.min_talk_s = 5;
        let pop = ScreenPopDefault {
            on_ringing: false,
            on_answer: true,
            on_hangup: false,
        };
        let form = SettingsForm::from_stored(&stored, pop);
        assert_eq!(form.parse(&stored).unwrap(), (stored, pop));
    }

    #[test]
    fn every_problem_is_reported() {
        let form = SettingsForm {
            min_talk_s: "-1".into(),
            subject: "{nope}".into(),
            description: "{also_nope}".into(),
            unknown_inbound: "delete".into(),
            default_country: "XX".into(),
            recording: "expire".into(),
            recording_days: "0".into(),
            phonebook: "a\u{7}".into(),
            ..SettingsForm::default()
        };
        let problems = form.parse(&ConsoleSettings::default()).unwrap_err();
        assert_eq!(problems.len(), 7, "one per bad field: {problems:?}");
        for id in problems {
            for lang in crate::i18n::Lang::ALL {
                assert!(lang.has(id), "{lang:?} lacks {id}");
            }
        }
    }
}
