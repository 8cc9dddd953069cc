//! The settings page's missed-call tasks and Zoho visibility sections:
//! shown from, and checked into, the engine's settings.

use std::collections::BTreeMap;

use ringbridge_core::followup::MissedCallTasks;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::template::{PLACEHOLDERS, Template};

use super::engine as owners;
use super::form::{Problem, SettingsForm, tick};

/// The placeholders a task's subject is rendered with (see
/// [`MissedCallTasks::task`]); others would come out empty.
pub const TASK_PLACEHOLDERS: [&str; 3] = ["name", "number", "started_at"];

/// Minutes a caller's further missed calls make no other task: up to a week.
const WINDOW_MINUTES: std::ops::RangeInclusive<u32> = 1..=10_080;
/// Days from the missed call to the task's due date: up to a year.
const DUE_DAYS: std::ops::RangeInclusive<u32> = 0..=365;
/// Seconds an agent's "may see this record" answer is kept: ten seconds
/// to a day (less would ask Zoho on every pop).
pub const VISIBILITY_TTL: std::ops::RangeInclusive<u64> = 10..=86_400;

/// The choices of `respect_zoho_permissions`: (form value, setting, label).
pub const PERMISSIONS: [(&str, Option<bool>, &str); 3] = [
    ("auto", None, "console-settings-zoho-permissions-auto"),
    (
        "always",
        Some(true),
        "console-settings-zoho-permissions-always",
    ),
    (
        "never",
        Some(false),
        "console-settings-zoho-permissions-never",
    ),
];

/// A task subject: a call-log template using only the placeholders a
/// task is rendered with; empty is refused.
pub fn task_subject(text: &str) -> Option<Template> {
    let text = text.trim();
    let template = Template::parse(text).ok().filter(|_| !text.is_empty())?;
    // A placeholder is used when giving it a value changes the rendering.
    let none = BTreeMap::new();
    let plain = template.render(&none);
    let uses_other = PLACEHOLDERS
        .iter()
        .filter(|p| !TASK_PLACEHOLDERS.contains(p))
        .any(|p| template.render(&BTreeMap::from([(*p, "\u{1}".to_owned())])) != plain);
    (!uses_other).then_some(template)
}

fn bounded<T: std::str::FromStr + PartialOrd>(
    text: &str,
    range: &std::ops::RangeInclusive<T>,
) -> Option<T> {
    text.trim().parse().ok().filter(|n| range.contains(n))
}

impl SettingsForm {
    /// The form's tasks and visibility fields from `e`.
    pub(super) fn fill_followup(&mut self, e: &EngineSettings) {
        let shown = e.missed_call_tasks.clone().unwrap_or_default();
        self.tasks_on = tick(e.missed_call_tasks.is_some());
        self.tasks_window = Some(shown.window_minutes.to_string());
        self.tasks_due_days = shown.due_days.to_string();
        self.tasks_subject = shown.subject.source().to_owned();
        self.tasks_owner = shown.owner.unwrap_or_default();
        self.zoho_permissions = PERMISSIONS
            .iter()
            .find(|(_, v, _)| *v == e.respect_zoho_permissions)
            .map(|(name, _, _)| (*name).to_owned());
        self.visibility_ttl = Some(e.visibility_ttl_secs.to_string());
    }

    /// The tasks and visibility fields into `e`; a field the form does not
    /// post keeps what is stored. Every field is checked, ticked or not.
    pub(super) fn parse_followup(&self, e: &mut EngineSettings, problems: &mut Vec<Problem>) {
        if let Some(window) = &self.tasks_window {
            let window = bounded(window, &WINDOW_MINUTES);
            let due = bounded(&self.tasks_due_days, &DUE_DAYS);
            let subject = task_subject(&self.tasks_subject);
            let owner = owners::group_owner(&self.tasks_owner);
            for (bad, field, id) in [
                (
                    window.is_none(),
                    "tasks_window",
                    "console-settings-bad-tasks-window",
                ),
                (
                    due.is_none(),
                    "tasks_due_days",
                    "console-settings-bad-tasks-due",
                ),
                (
                    subject.is_none(),
                    "tasks_subject",
                    "console-settings-bad-tasks-subject",
                ),
                (
                    owner.is_err(),
                    "tasks_owner",
                    "console-settings-bad-tasks-owner",
                ),
            ] {
                if bad {
                    problems.push(Problem::new(field, id));
                }
            }
            if let (Some(window_minutes), Some(due_days), Some(subject), Ok(owner)) =
                (window, due, subject, owner)
            {
                e.missed_call_tasks = self.tasks_on.is_some().then_some(MissedCallTasks {
                    window_minutes,
                    due_days,
                    subject,
                    owner,
                });
            }
        }
        if let Some(choice) = &self.zoho_permissions {
            match PERMISSIONS.iter().find(|(name, _, _)| name == choice) {
                Some((_, value, _)) => e.respect_zoho_permissions = *value,
                None => problems.push(Problem::new(
                    "zoho_permissions",
                    "console-settings-bad-zoho-permissions",
                )),
            }
        }
        if let Some(ttl) = &self.visibility_ttl {
            match bounded(ttl, &VISIBILITY_TTL) {
                Some(secs) => e.visibility_ttl_secs = secs,
                None => problems.push(Problem::new(
                    "visibility_ttl",
                    "console-settings-bad-visibility-ttl",
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_subjects_use_only_what_a_task_knows() {
        assert!(task_subject("Call back {name} ({number}, {started_at})").is_some());
        assert!(task_subject("{{literal}} braces").is_some());
        assert!(task_subject("Call back {nope}").is_none());
        assert!(
            task_subject("{direction} call {name}").is_none(),
            "empty in a task"
        );
        assert!(task_subject("  ").is_none());
    }

    #[test]
    fn tasks_and_visibility_survive_the_form_and_are_all_checked() {
        let mut e = EngineSettings {
            respect_zoho_permissions: Some(false),
            visibility_ttl_secs: 600,
            missed_call_tasks: Some(MissedCallTasks {
                window_minutes: 30,
                due_days: 2,
                subject: Template::parse("Ring {name}").unwrap(),
                owner: Some("u7".into()),
            }),
            ..EngineSettings::default()
        };
        let mut form = SettingsForm::default();
        form.fill_followup(&e);
        let mut parsed = EngineSettings::default();
        let mut problems = Vec::new();
        form.parse_followup(&mut parsed, &mut problems);
        assert_eq!((parsed, problems), (e.clone(), vec![]));

        // Unticked: no tasks; the defaults are shown to tick later.
        form.tasks_on = None;
        form.parse_followup(&mut e, &mut Vec::new());
        assert_eq!(e.missed_call_tasks, None);
        form.fill_followup(&e);
        assert_eq!(form.tasks_window.as_deref(), Some("240"));

        let bad = SettingsForm {
            tasks_on: tick(true),
            tasks_window: Some("0".into()),
            tasks_due_days: "-1".into(),
            tasks_subject: "{oops}".into(),
            tasks_owner: "a\u{0}".into(),
            zoho_permissions: Some("sometimes".into()),
            visibility_ttl: Some("5".into()),
            ..SettingsForm::default()
        };
        let before = e.clone();
        let mut problems = Vec::new();
        bad.parse_followup(&mut e, &mut problems);
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert_eq!(e, before, "nothing refused is taken");
        let labels = PERMISSIONS.iter().map(|(_, _, label)| *label);
        for id in problems.iter().map(|p| p.id).chain(labels) {
            for lang in crate::i18n::Lang::ALL {
                assert!(lang.has(id), "{lang:?} lacks {id}");
            }
        }
    }
}
