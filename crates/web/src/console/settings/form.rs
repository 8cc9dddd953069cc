//! The settings form: its fields, checked and turned into the stored
//! settings (every problem reported, not just the first).

use chrono::Weekday;
use ringbridge_core::console::{ConsoleSettings, RecordingLinkPolicy};
use ringbridge_core::phone::NumberPlan;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_core::template::Template;
use serde::Deserialize;

use super::engine::{self as engine, DAYS, RESULTS};

/// When the CRM record opens for agents who have not chosen (the panel's
/// own settings, stored under the panel's default key).
pub use crate::panel::{PopSettings as ScreenPopDefault, SCREEN_POP_DEFAULT_KEY};

/// A field the form refuses: the field's name (its input's id too) and
/// the Fluent id saying why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub id: &'static str,
}

impl Problem {
    pub fn new(field: &'static str, id: &'static str) -> Self {
        Self { field, id }
    }
}

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
    /// `last_talker` / `first_talker`. Absent (a form that does not show
    /// it) keeps what is stored.
    pub owner: Option<String>,
    /// Only calls within business hours are logged.
    pub hours_on: Option<String>,
    pub hours_mon: Option<String>,
    pub hours_tue: Option<String>,
    pub hours_wed: Option<String>,
    pub hours_thu: Option<String>,
    pub hours_fri: Option<String>,
    pub hours_sat: Option<String>,
    pub hours_sun: Option<String>,
    #[serde(default)]
    pub hours_start: String,
    #[serde(default)]
    pub hours_end: String,
    #[serde(default)]
    pub hours_time_zone: String,
    /// A CRM user id; empty is Zoho's default owner. Absent keeps what is
    /// stored.
    pub group_missed_owner: Option<String>,
    /// Time zone for times in subjects and descriptions. Absent keeps what
    /// is stored.
    pub display_time_zone: Option<String>,
    /// The CRM modules searched for a caller (see [`MATCH_FIELDS`](super::engine::MATCH_FIELDS)), as
    /// module names; empty is none. All three absent keep what is stored.
    pub match_1: Option<String>,
    pub match_2: Option<String>,
    pub match_3: Option<String>,
    #[serde(default)]
    pub result_inbound_answered: String,
    #[serde(default)]
    pub result_inbound_missed: String,
    #[serde(default)]
    pub result_outbound_answered: String,
    #[serde(default)]
    pub result_outbound_unanswered: String,
    #[serde(default)]
    pub result_internal: String,
    #[serde(default)]
    pub result_voicemail: String,
    /// Missed calls become CRM tasks (see [`followup`](super::followup)).
    /// `tasks_window` absent (a form without the section) keeps what is stored.
    pub tasks_on: Option<String>,
    pub tasks_window: Option<String>,
    #[serde(default)]
    pub tasks_due_days: String,
    #[serde(default)]
    pub tasks_subject: String,
    /// A CRM user id; empty leaves tasks without a fallback owner.
    #[serde(default)]
    pub tasks_owner: String,
    /// `auto` / `always` / `never`; absent keeps what is stored.
    pub zoho_permissions: Option<String>,
    /// Seconds; absent keeps what is stored.
    pub visibility_ttl: Option<String>,
}

pub(super) fn tick(on: bool) -> Option<String> {
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
    /// The tick box of `day` (the form has one field per day: a posted
    /// form cannot repeat a name here).
    pub fn day(&self, day: Weekday) -> &Option<String> {
        match day {
            Weekday::Mon => &self.hours_mon,
            Weekday::Tue => &self.hours_tue,
            Weekday::Wed => &self.hours_wed,
            Weekday::Thu => &self.hours_thu,
            Weekday::Fri => &self.hours_fri,
            Weekday::Sat => &self.hours_sat,
            Weekday::Sun => &self.hours_sun,
        }
    }

    fn day_mut(&mut self, day: Weekday) -> &mut Option<String> {
        match day {
            Weekday::Mon => &mut self.hours_mon,
            Weekday::Tue => &mut self.hours_tue,
            Weekday::Wed => &mut self.hours_wed,
            Weekday::Thu => &mut self.hours_thu,
            Weekday::Fri => &mut self.hours_fri,
            Weekday::Sat => &mut self.hours_sat,
            Weekday::Sun => &mut self.hours_sun,
        }
    }

    /// The call result typed for `kind`'s field (see [`RESULTS`]).
    pub fn result(&self, field: &str) -> &str {
        match field {
            "result_inbound_answered" => &self.result_inbound_answered,
            "result_inbound_missed" => &self.result_inbound_missed,
            "result_outbound_answered" => &self.result_outbound_answered,
            "result_outbound_unanswered" => &self.result_outbound_unanswered,
            "result_internal" => &self.result_internal,
            "result_voicemail" => &self.result_voicemail,
            _ => "",
        }
    }

    /// The module chosen in a match field (see [`MATCH_FIELDS`](super::engine::MATCH_FIELDS)).
    pub fn match_choice(&self, field: &str) -> &str {
        match field {
            "match_1" => &self.match_1,
            "match_2" => &self.match_2,
            "match_3" => &self.match_3,
            _ => &None,
        }
        .as_deref()
        .unwrap_or("")
    }

    fn result_mut(&mut self, field: &str) -> Option<&mut String> {
        Some(match field {
            "result_inbound_answered" => &mut self.result_inbound_answered,
            "result_inbound_missed" => &mut self.result_inbound_missed,
            "result_outbound_answered" => &mut self.result_outbound_answered,
            "result_outbound_unanswered" => &mut self.result_outbound_unanswered,
            "result_internal" => &mut self.result_internal,
            "result_voicemail" => &mut self.result_voicemail,
            _ => return None,
        })
    }

    /// The form filled in from what is stored.
    pub fn from_stored(s: &ConsoleSettings, pop: ScreenPopDefault) -> Self {
        let l = &s.engine.logging;
        let (recording, days) = match s.recording {
            RecordingLinkPolicy::Off => ("off", String::new()),
            RecordingLinkPolicy::UntilRevoked => ("until_revoked", String::new()),
            RecordingLinkPolicy::ExpireAfterDays(d) => ("expire", d.to_string()),
        };
        // Hours not kept yet: the page offers office hours in the display
        // time zone, unticked.
        let hours = l
            .business_hours
            .clone()
            .unwrap_or_else(|| engine::default_hours(&s.engine.display_time_zone));
        let mut form = Self {
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
            owner: Some(engine::owner_name(s.engine.owner).to_owned()),
            hours_on: tick(l.business_hours.is_some()),
            hours_start: engine::show_time(hours.start),
            hours_end: engine::show_time(hours.end),
            hours_time_zone: hours.time_zone.clone(),
            group_missed_owner: Some(s.engine.group_missed_owner.clone().unwrap_or_default()),
            display_time_zone: Some(s.engine.display_time_zone.clone()),
            match_1: Some(engine::match_name(&s.engine.match_modules, 0)),
            match_2: Some(engine::match_name(&s.engine.match_modules, 1)),
            match_3: Some(engine::match_name(&s.engine.match_modules, 2)),
            ..Self::default()
        };
        for day in &hours.days {
            *form.day_mut(*day) = tick(true);
        }
        form.fill_followup(&s.engine);
        for (kind, field, _) in RESULTS {
            if let (Some(value), Some(slot)) =
                (s.engine.call_results.get(&kind), form.result_mut(field))
            {
                value.clone_into(slot);
            }
        }
        form
    }

    /// `previous` supplies what the form does not post (the owners, the
    /// display time zone and the matching modules of an older form). Every
    /// refused field is reported, each once.
    pub fn parse(
        &self,
        previous: &ConsoleSettings,
    ) -> Result<(ConsoleSettings, ScreenPopDefault), Vec<Problem>> {
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
                _ => problems.push(Problem::new("min_talk_s", "console-settings-bad-min-talk")),
            },
        }
        match Template::parse(self.subject.trim()) {
            Ok(t) if !self.subject.trim().is_empty() => s.engine.subject = t,
            _ => problems.push(Problem::new("subject", "console-settings-bad-subject")),
        }
        match Template::parse(self.description.trim()) {
            Ok(t) => s.engine.description = t,
            Err(_) => problems.push(Problem::new(
                "description",
                "console-settings-bad-description",
            )),
        }
        match (
            action(&self.unknown_inbound),
            action(&self.unknown_outbound),
        ) {
            (Some(i), Some(o)) => {
                s.engine.unknown_inbound = i;
                s.engine.unknown_outbound = o;
            }
            (i, _) => problems.push(Problem::new(
                if i.is_none() {
                    "unknown_inbound"
                } else {
                    "unknown_outbound"
                },
                "console-settings-bad-unknown",
            )),
        }
        let phonebook = self.phonebook.trim();
        if phonebook.chars().count() > 64 || phonebook.chars().any(char::is_control) {
            problems.push(Problem::new("phonebook", "console-settings-bad-phonebook"));
        }
        s.engine.phonebook = (!phonebook.is_empty()).then(|| phonebook.to_owned());
        let country = self.default_country.trim().to_ascii_uppercase();
        if country.is_empty() {
            s.default_country = None;
        } else if NumberPlan::new(&country).is_ok() {
            s.default_country = Some(country);
        } else {
            problems.push(Problem::new(
                "default_country",
                "console-settings-bad-country",
            ));
        }
        s.recording = match (
            self.recording.as_str(),
            self.recording_days.trim().parse::<u32>(),
        ) {
            ("off", _) => RecordingLinkPolicy::Off,
            ("until_revoked", _) => RecordingLinkPolicy::UntilRevoked,
            ("expire", Ok(d)) if (1..=3650).contains(&d) => RecordingLinkPolicy::ExpireAfterDays(d),
            _ => {
                problems.push(Problem::new(
                    "recording_days",
                    "console-settings-bad-recording",
                ));
                previous.recording
            }
        };
        s.recording_sign_in = self.recording_sign_in.is_some();
        self.parse_engine(&mut s, &mut problems);
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

impl SettingsForm {
    /// The owners, business hours and call results into `s`.
    fn parse_engine(&self, s: &mut ConsoleSettings, problems: &mut Vec<Problem>) {
        if let Some(owner) = &self.owner {
            match engine::owner(owner) {
                Some(owner) => s.engine.owner = owner,
                None => problems.push(Problem::new("owner", "console-settings-bad-owner")),
            }
        }
        s.engine.logging.business_hours = if self.hours_on.is_some() {
            let days = DAYS
                .iter()
                .map(|(d, _)| *d)
                .filter(|d| self.day(*d).is_some())
                .collect();
            match engine::hours(
                days,
                &self.hours_start,
                &self.hours_end,
                &self.hours_time_zone,
            ) {
                Ok(hours) => Some(hours),
                Err(found) => {
                    problems.extend(found);
                    None
                }
            }
        } else {
            None
        };
        if let Some(owner) = &self.group_missed_owner {
            match engine::group_owner(owner) {
                Ok(owner) => s.engine.group_missed_owner = owner,
                Err(id) => problems.push(Problem::new("group_missed_owner", id)),
            }
        }
        self.parse_display(s, problems);
        self.parse_followup(&mut s.engine, problems);
        s.engine.call_results.clear();
        for (kind, field, _) in RESULTS {
            match engine::call_result(self.result(field)) {
                Ok(Some(value)) => {
                    s.engine.call_results.insert(kind, value);
                }
                Ok(None) => {}
                Err(id) => problems.push(Problem::new(field, id)),
            }
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
        stored.engine.owner = ringbridge_core::tracker::OwnerPolicy::FirstTalker;
        stored.engine.group_missed_owner = Some("4150868000000225013".into());
        stored.engine.display_time_zone = "Europe/Berlin".into();
        stored.engine.match_modules = vec![ringbridge_core::crm::CrmModule::Leads];
        let form = SettingsForm::from_stored(&stored, ScreenPopDefault::default());
        assert_eq!(
            (form.match_choice("match_1"), form.match_choice("match_2")),
            ("Leads", "")
        );
        let mut hours = engine::default_hours("America/New_York");
        hours.days = vec![Weekday::Sat, Weekday::Sun];
        stored.engine.logging.business_hours = Some(hours);
        stored.engine.call_results.insert(
            ringbridge_core::policy::CallKind::OutboundUnanswered,
            "No response/Busy".into(),
        );
        let pop = ScreenPopDefault {
            on_ringing: false,
            on_answer: true,
            on_hangup: false,
        };
        let form = SettingsForm::from_stored(&stored, pop);
        assert_eq!(form.parse(&stored).unwrap(), (stored.clone(), pop));
        // Unticked, the hours are dropped; the page offers the display zone.
        stored.engine.logging.business_hours = None;
        let form = SettingsForm::from_stored(&stored, pop);
        assert_eq!(form.hours_time_zone, "Europe/Berlin");
        assert!(form.day(Weekday::Fri).is_some() && form.day(Weekday::Sat).is_none());
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
            owner: Some("loudest".into()),
            hours_on: Some("on".into()),
            hours_start: "18:00".into(),
            hours_end: "08:00".into(),
            hours_time_zone: "Mars/Base".into(),
            group_missed_owner: Some("x\u{0}".into()),
            display_time_zone: Some("Mars/Base".into()),
            match_1: Some("Leads".into()),
            match_3: Some("Leads".into()),
            result_voicemail: "a\nb".into(),
            result_internal: "c\td".into(),
            ..SettingsForm::default()
        };
        let problems = form.parse(&ConsoleSettings::default()).unwrap_err();
        assert_eq!(problems.len(), 16, "one per bad field: {problems:?}");
        let fields: std::collections::BTreeSet<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields.len(), problems.len(), "each beside its own field");
        for Problem { id, .. } in problems {
            for lang in crate::i18n::Lang::ALL {
                assert!(lang.has(id), "{lang:?} lacks {id}");
            }
        }
    }
}
