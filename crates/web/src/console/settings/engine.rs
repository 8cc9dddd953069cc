//! The settings page's engine choices that were once file-only: who owns a
//! transferred call, business hours, the owner of missed group calls and
//! the CRM's call result per kind of call, the display time zone and the
//! CRM modules searched for a caller. Names as the form posts them.

use chrono::{NaiveTime, Weekday};
use ringbridge_core::console::ConsoleSettings;
use ringbridge_core::crm::CrmModule;
use ringbridge_core::policy::{BusinessHours, CallKind};
use ringbridge_core::tracker::OwnerPolicy;

use super::form::{Problem, SettingsForm};

/// The owner policies, as form values with their Fluent labels.
pub const OWNERS: [(OwnerPolicy, &str, &str); 2] = [
    (
        OwnerPolicy::LastTalker,
        "last_talker",
        "console-settings-owner-last",
    ),
    (
        OwnerPolicy::FirstTalker,
        "first_talker",
        "console-settings-owner-first",
    ),
];

pub fn owner_name(policy: OwnerPolicy) -> &'static str {
    OWNERS
        .iter()
        .find(|(p, _, _)| *p == policy)
        .map_or("last_talker", |(_, name, _)| name)
}

pub fn owner(text: &str) -> Option<OwnerPolicy> {
    OWNERS
        .iter()
        .find(|(_, name, _)| *name == text)
        .map(|(p, _, _)| *p)
}

/// The week as the page shows it, Monday first, with Fluent labels.
pub const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "console-settings-day-mon"),
    (Weekday::Tue, "console-settings-day-tue"),
    (Weekday::Wed, "console-settings-day-wed"),
    (Weekday::Thu, "console-settings-day-thu"),
    (Weekday::Fri, "console-settings-day-fri"),
    (Weekday::Sat, "console-settings-day-sat"),
    (Weekday::Sun, "console-settings-day-sun"),
];

/// What the page offers before any hours are stored: office hours on
/// weekdays.
pub fn default_hours(time_zone: &str) -> BusinessHours {
    BusinessHours {
        time_zone: time_zone.to_owned(),
        days: DAYS[..5].iter().map(|(d, _)| *d).collect(),
        start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        end: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
    }
}

/// A time as an HTML time input shows it (seconds only when there are some).
pub fn show_time(t: NaiveTime) -> String {
    if t.format("%S").to_string() == "00" {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

/// A time input's value: `HH:MM`, or `HH:MM:SS` when the browser adds seconds.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

/// The hours as entered, or what is wrong with them (beside the first
/// day's box, the opening time and the zone).
pub fn hours(
    days: Vec<Weekday>,
    start: &str,
    end: &str,
    time_zone: &str,
) -> Result<BusinessHours, Vec<Problem>> {
    let mut problems = Vec::new();
    if days.is_empty() {
        problems.push(Problem::new("hours_mon", "console-settings-bad-hours-days"));
    }
    match (parse_time(start), parse_time(end)) {
        (Some(s), Some(e)) if s < e => {}
        _ => problems.push(Problem::new(
            "hours_start",
            "console-settings-bad-hours-times",
        )),
    }
    let time_zone = time_zone.trim();
    // The engine reads an unknown zone as UTC: refuse it here instead.
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        problems.push(Problem::new(
            "hours_time_zone",
            "console-settings-bad-hours-zone",
        ));
    }
    match (parse_time(start), parse_time(end)) {
        (Some(start), Some(end)) if problems.is_empty() => Ok(BusinessHours {
            time_zone: time_zone.to_owned(),
            days,
            start,
            end,
        }),
        _ => Err(problems),
    }
}

/// Each kind of call: its form field and Fluent label.
pub const RESULTS: [(CallKind, &str, &str); 6] = [
    (
        CallKind::InboundAnswered,
        "result_inbound_answered",
        "console-settings-inbound-answered",
    ),
    (
        CallKind::InboundMissed,
        "result_inbound_missed",
        "console-settings-inbound-missed",
    ),
    (
        CallKind::OutboundAnswered,
        "result_outbound_answered",
        "console-settings-outbound-answered",
    ),
    (
        CallKind::OutboundUnanswered,
        "result_outbound_unanswered",
        "console-settings-outbound-unanswered",
    ),
    (
        CallKind::Internal,
        "result_internal",
        "console-settings-internal",
    ),
    (
        CallKind::Voicemail,
        "result_voicemail",
        "console-settings-voicemail",
    ),
];

/// A picklist value as typed: empty is "not sent"; it is plain text, but
/// a line of reasonable length (Zoho's picklist values are short).
pub fn call_result(text: &str) -> Result<Option<String>, &'static str> {
    let text = text.trim();
    if text.chars().count() > 120 || text.chars().any(char::is_control) {
        return Err("console-settings-bad-call-result");
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// A CRM user id as posted: empty is Zoho's default owner.
pub fn group_owner(text: &str) -> Result<Option<String>, &'static str> {
    let text = text.trim();
    if text.chars().count() > 64 || text.chars().any(char::is_control) {
        return Err("console-settings-bad-group-owner");
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// The time zone for times in subjects and descriptions.
pub fn display_zone(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    // The engine reads an unknown zone as UTC: refuse it here instead.
    match text.parse::<chrono_tz::Tz>() {
        Ok(_) => Ok(text.to_owned()),
        Err(_) => Err("console-settings-bad-display-zone"),
    }
}

/// The modules the page offers for finding a caller.
pub const OFFERED_MODULES: [CrmModule; 3] =
    [CrmModule::Contacts, CrmModule::Leads, CrmModule::Accounts];

/// The form fields of the modules searched, first choice first, with
/// their Fluent labels.
pub const MATCH_FIELDS: [(&str, &str); 3] = [
    ("match_1", "console-settings-match-1"),
    ("match_2", "console-settings-match-2"),
    ("match_3", "console-settings-match-3"),
];

pub fn module_label(module: CrmModule) -> &'static str {
    match module {
        CrmModule::Contacts => "console-settings-module-contacts",
        CrmModule::Leads => "console-settings-module-leads",
        CrmModule::Accounts => "console-settings-module-accounts",
        CrmModule::Deals => "console-settings-module-deals",
    }
}

/// The modules chosen, in order (an empty choice is none), each one of
/// `allowed`; or the Fluent id of what is wrong.
pub fn match_modules(
    chosen: &[&str],
    allowed: &[CrmModule],
) -> Result<Vec<CrmModule>, &'static str> {
    let mut modules = Vec::new();
    for text in chosen.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let module = CrmModule::parse(text)
            .filter(|m| allowed.contains(m))
            .ok_or("console-settings-bad-match")?;
        if modules.contains(&module) {
            return Err("console-settings-bad-match-twice");
        }
        modules.push(module);
    }
    if modules.is_empty() {
        return Err("console-settings-bad-match-none");
    }
    Ok(modules)
}

/// The match field to mark when `chosen` is refused: the first not
/// allowed or repeating an earlier choice (the first when none is chosen).
fn match_culprit(chosen: &[&str], allowed: &[CrmModule]) -> &'static str {
    let mut seen = Vec::new();
    for ((field, _), text) in MATCH_FIELDS.iter().zip(chosen) {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match CrmModule::parse(text).filter(|m| allowed.contains(m)) {
            Some(m) if !seen.contains(&m) => seen.push(m),
            _ => return field,
        }
    }
    MATCH_FIELDS[0].0
}

/// The module at `at` as its match field shows it; empty is none.
pub fn match_name(modules: &[CrmModule], at: usize) -> String {
    modules
        .get(at)
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default()
}

impl SettingsForm {
    /// The display time zone and the modules searched into `s`.
    pub(super) fn parse_display(&self, s: &mut ConsoleSettings, problems: &mut Vec<Problem>) {
        if let Some(zone) = &self.display_time_zone {
            match display_zone(zone) {
                Ok(zone) => s.engine.display_time_zone = zone,
                Err(id) => problems.push(Problem::new("display_time_zone", id)),
            }
        }
        if [&self.match_1, &self.match_2, &self.match_3]
            .iter()
            .all(|f| f.is_none())
        {
            return;
        }
        // A module kept from the configuration file but not offered (Deals)
        // stays choosable where it is shown.
        let mut allowed = OFFERED_MODULES.to_vec();
        allowed.extend(s.engine.match_modules.iter().copied());
        let chosen = MATCH_FIELDS.map(|(field, _)| self.match_choice(field));
        match match_modules(&chosen, &allowed) {
            // The three shown unchanged keep a longer stored list whole.
            Ok(modules)
                if modules.len() == MATCH_FIELDS.len()
                    && s.engine.match_modules.starts_with(&modules) => {}
            Ok(modules) => s.engine.match_modules = modules,
            Err(id) => problems.push(Problem::new(match_culprit(&chosen, &allowed), id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_checked_whole() {
        let ok = hours(vec![Weekday::Sat], "08:30", "12:00:30", "Asia/Shanghai").unwrap();
        assert_eq!(ok.start, NaiveTime::from_hms_opt(8, 30, 0).unwrap());
        assert_eq!(show_time(ok.end), "12:00:30");
        assert_eq!(show_time(ok.start), "08:30");
        let bad = hours(Vec::new(), "17:00", "09:00", "Mars/Base").unwrap_err();
        assert_eq!(
            bad.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["hours_mon", "hours_start", "hours_time_zone"]
        );
        assert_eq!(
            bad.iter().map(|p| p.id).collect::<Vec<_>>(),
            [
                "console-settings-bad-hours-days",
                "console-settings-bad-hours-times",
                "console-settings-bad-hours-zone"
            ]
        );
        assert_eq!(
            hours(vec![Weekday::Mon], "09:00", "09:00", "UTC").unwrap_err(),
            [Problem::new(
                "hours_start",
                "console-settings-bad-hours-times"
            )],
            "an empty day is no business hours"
        );
        assert!(hours(vec![Weekday::Mon], "", "17:00", "UTC").is_err());
    }

    #[test]
    fn names_round_trip() {
        for (policy, name, _) in OWNERS {
            assert_eq!(owner(owner_name(policy)), Some(policy));
            assert_eq!(owner(name), Some(policy));
        }
        assert_eq!(owner("loudest"), None);
        assert_eq!(call_result("  "), Ok(None));
        assert_eq!(call_result("a\nb"), Err("console-settings-bad-call-result"));
        assert_eq!(group_owner(""), Ok(None));
    }

    #[test]
    fn zones_and_modules_are_checked() {
        assert_eq!(display_zone(" Europe/Berlin "), Ok("Europe/Berlin".into()));
        assert_eq!(
            display_zone("Mars/Base"),
            Err("console-settings-bad-display-zone")
        );
        let offered = OFFERED_MODULES;
        assert_eq!(
            match_modules(&["Leads", "", "Contacts"], &offered),
            Ok(vec![CrmModule::Leads, CrmModule::Contacts])
        );
        assert_eq!(
            match_modules(&["Leads", "Leads", ""], &offered),
            Err("console-settings-bad-match-twice")
        );
        assert_eq!(
            match_modules(&["", " ", ""], &offered),
            Err("console-settings-bad-match-none")
        );
        assert_eq!(
            match_modules(&["Deals"], &offered),
            Err("console-settings-bad-match"),
            "only what the page offers"
        );
        assert_eq!(match_culprit(&["Leads", "", "Leads"], &offered), "match_3");
        assert_eq!(match_culprit(&["Deals", "", ""], &offered), "match_1");
        assert_eq!(match_culprit(&["", "", ""], &offered), "match_1");
        for module in offered {
            assert_eq!(
                match_modules(&[module.as_str()], &offered),
                Ok(vec![module])
            );
        }
    }

    #[test]
    fn modules_the_page_does_not_offer_survive_the_form() {
        use crate::console::settings::form::ScreenPopDefault;
        for kept in [
            vec![
                CrmModule::Contacts,
                CrmModule::Leads,
                CrmModule::Accounts,
                CrmModule::Deals,
            ],
            vec![CrmModule::Deals, CrmModule::Leads],
        ] {
            let mut stored = ConsoleSettings::default();
            stored.engine.match_modules = kept;
            let form = SettingsForm::from_stored(&stored, ScreenPopDefault::default());
            assert_eq!(form.parse(&stored).unwrap().0, stored);
        }
        // Absent fields (an older form) keep what is stored.
        let mut stored = ConsoleSettings::default();
        stored.engine.match_modules = vec![CrmModule::Accounts];
        stored.engine.display_time_zone = "Asia/Tokyo".into();
        let mut form = SettingsForm::from_stored(&stored, ScreenPopDefault::default());
        (form.match_1, form.match_2, form.match_3) = (None, None, None);
        form.display_time_zone = None;
        assert_eq!(form.parse(&stored).unwrap().0, stored);
    }
}
