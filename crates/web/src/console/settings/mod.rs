//! The settings page: which calls are logged (kinds, talk time, business
//! hours), subject and description templates, who owns a call, the
//! screen-pop default, unknown numbers per direction, the PBX phonebook
//! for contact sync, the default country, recording links, the CRM's
//! call result per kind of call, the time zone of times in subjects and
//! descriptions and the CRM modules searched for a caller.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ringbridge_core::console::ConsoleSettings;
use ringbridge_core::crm::CrmModule;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::template::PLACEHOLDERS;

use super::{Console, Nav, apply, console};
use choices::{Choice, CrmChoices, country_options, result_options, zones};
use engine::{DAYS, MATCH_FIELDS, OFFERED_MODULES, OWNERS, RESULTS, module_label};
use form::{Problem, SCREEN_POP_DEFAULT_KEY, ScreenPopDefault, SettingsForm};
use preview::{LogPreview, preview};

mod choices;
pub(super) mod engine;
mod followup;
pub(super) mod form;
pub(super) mod preview;
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::pages::PageCtx;

#[derive(Template)]
#[template(path = "console_settings.html")]
struct SettingsPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    form: &'a SettingsForm,
    saved: bool,
    /// What is refused, field by field, in the order of the page.
    problems: Vec<Shown>,
    /// Who can own missed group calls: (id, name).
    crm_users: Vec<(String, String)>,
    /// Who can own missed-call tasks: (id, name).
    task_owners: Vec<(String, String)>,
    /// Why the CRM's users are not listed (it could not be asked).
    crm_note: Option<String>,
    /// The org's Call Result values, or why they are not listed.
    call_results: Result<Vec<String>, String>,
    /// The sample call's log with the templates shown.
    preview: LogPreview,
}

/// A refused field and why, in the page's language.
struct Shown {
    field: &'static str,
    message: String,
}

/// What is written beside a refused field (askama escapes the message).
#[derive(Template)]
#[template(
    source = r#"<span class="field-problem" id="{{ field }}-problem">{{ message }}</span>"#,
    ext = "html"
)]
struct Beside<'a> {
    field: &'a str,
    message: &'a str,
}

impl SettingsPage<'_> {
    fn actions(&self) -> [(&'static str, &'static str); 3] {
        [
            ("nothing", "console-settings-unknown-nothing"),
            ("create_contact", "console-settings-unknown-contact"),
            ("create_lead", "console-settings-unknown-lead"),
        ]
    }

    fn policies(&self) -> [(&'static str, &'static str); 3] {
        [
            ("until_revoked", "console-settings-recording-until-revoked"),
            ("expire", "console-settings-recording-expire"),
            ("off", "console-settings-recording-off"),
        ]
    }

    fn owners(&self) -> Vec<(&'static str, &'static str)> {
        OWNERS
            .iter()
            .map(|(_, name, label)| (*name, *label))
            .collect()
    }

    fn owner_is(&self, name: &str) -> bool {
        self.form.owner.as_deref() == Some(name)
    }

    /// (field, label, ticked) per weekday.
    fn days(&self) -> Vec<(String, &'static str, bool)> {
        DAYS.iter()
            .map(|(day, label)| {
                let field = format!("hours_{}", day.to_string().to_lowercase());
                (field, *label, self.form.day(*day).is_some())
            })
            .collect()
    }

    /// (field, label, value) per kind of call.
    fn results(&self) -> Vec<(&'static str, &'static str, &str)> {
        RESULTS
            .iter()
            .map(|(_, field, label)| (*field, *label, self.form.result(field)))
            .collect()
    }

    /// The Call Result select's options for `value`; `None` when the CRM
    /// could not be asked (the page then offers free text).
    fn result_choices(&self, value: &str) -> Option<Vec<Choice>> {
        self.call_results
            .as_ref()
            .ok()
            .filter(|values| !values.is_empty())
            .map(|values| result_options(values, value))
    }

    fn results_note(&self) -> Option<&str> {
        self.call_results.as_ref().err().map(String::as_str)
    }

    fn countries(&self) -> Vec<Choice> {
        country_options(&self.form.default_country)
    }

    fn zones(&self) -> &'static [&'static str] {
        zones()
    }

    fn placeholders(&self) -> Vec<(String, String)> {
        PLACEHOLDERS
            .iter()
            .map(|name| {
                let about = self.ctx.t(&format!("console-settings-placeholder-{name}"));
                (format!("{{{name}}}"), about)
            })
            .collect()
    }

    /// The attributes of `field`'s input: marked and described when it is
    /// refused, focused when it is the first refused (no script needed).
    fn marks(&self, field: &str) -> String {
        match self.problems.iter().position(|p| p.field == field) {
            Some(at) => format!(
                r#" aria-invalid="true" aria-describedby="{field}-problem"{}"#,
                if at == 0 { " autofocus" } else { "" }
            ),
            None => String::new(),
        }
    }

    /// Why `field` is refused, to be written beside it (empty when it is not).
    fn beside(&self, field: &str) -> String {
        self.problems
            .iter()
            .find(|p| p.field == field)
            .and_then(|p| {
                Beside {
                    field,
                    message: &p.message,
                }
                .render()
                .ok()
            })
            .unwrap_or_default()
    }

    fn permissions(&self) -> Vec<(&'static str, &'static str)> {
        followup::PERMISSIONS
            .iter()
            .map(|(name, _, label)| (*name, *label))
            .collect()
    }

    fn permissions_are(&self, name: &str) -> bool {
        self.form.zoho_permissions.as_deref() == Some(name)
    }

    fn tasks_window(&self) -> &str {
        self.form.tasks_window.as_deref().unwrap_or("")
    }

    fn visibility_ttl(&self) -> &str {
        self.form.visibility_ttl.as_deref().unwrap_or("")
    }

    fn group_owner(&self) -> &str {
        self.form.group_missed_owner.as_deref().unwrap_or("")
    }

    fn display_zone(&self) -> &str {
        self.form.display_time_zone.as_deref().unwrap_or("")
    }

    /// (field, label, "none" offered, chosen) per choice of module searched.
    fn match_slots(&self) -> Vec<(&'static str, &'static str, bool, &str)> {
        MATCH_FIELDS
            .iter()
            .enumerate()
            .map(|(at, (field, label))| (*field, *label, at > 0, self.form.match_choice(field)))
            .collect()
    }

    /// (value, label) of the modules to search; one kept from the
    /// configuration file but not offered (Deals) is shown too.
    fn match_options(&self) -> Vec<(&'static str, &'static str)> {
        let mut modules = OFFERED_MODULES.to_vec();
        for (field, _) in MATCH_FIELDS {
            if let Some(m) = CrmModule::parse(self.form.match_choice(field))
                && !modules.contains(&m)
            {
                modules.push(m);
            }
        }
        modules
            .into_iter()
            .map(|m| (m.as_str(), module_label(m)))
            .collect()
    }
}

async fn screen_pop(state: &AppState) -> Result<ScreenPopDefault, WebError> {
    Ok(match state.store.setting(SCREEN_POP_DEFAULT_KEY).await? {
        // Unreadable (an older shape): show the defaults rather than fail.
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => ScreenPopDefault::default(),
    })
}

/// The page; an unreachable CRM still shows it, with the stored owner kept
/// as the only choice beside Zoho's default (saving keeps it).
fn render(
    ctx: &PageCtx,
    status: StatusCode,
    form: &SettingsForm,
    saved: bool,
    problems: Vec<Shown>,
    crm: CrmChoices,
) -> Result<Response, WebError> {
    let (crm_users, crm_note) = match crm.users {
        Ok(users) => (
            users
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect::<Vec<_>>(),
            None,
        ),
        Err(why) => (
            Vec::new(),
            Some(ctx.t1("console-settings-group-owner-unlisted", "detail", &why)),
        ),
    };
    let call_results = crm
        .call_results
        .map_err(|why| ctx.t1("console-settings-results-unlisted", "detail", &why));
    let task_owners = with_kept(&crm_users, &form.tasks_owner);
    let crm_users = with_kept(&crm_users, form.group_missed_owner.as_deref().unwrap_or(""));
    let page = SettingsPage {
        ctx,
        nav: Nav("/console/settings"),
        form,
        saved,
        problems,
        crm_users,
        task_owners,
        crm_note,
        call_results,
        preview: preview(ctx, form),
    };
    ctx.render(status, &page)
}

/// The CRM's users, and a stored owner no longer among them (deactivated,
/// or the CRM not reachable) selectable under its id.
fn with_kept(users: &[(String, String)], kept: &str) -> Vec<(String, String)> {
    let mut users = users.to_vec();
    let kept = kept.trim();
    if !kept.is_empty() && !users.iter().any(|(u, _)| u == kept) {
        users.push((kept.to_owned(), kept.to_owned()));
    }
    users
}

/// The settings in force: the stored ones, else (until the page is first
/// saved) the configuration file's — with the PBX's time zone when the
/// file sets none.
async fn in_force(console: &Console) -> Result<ConsoleSettings, WebError> {
    if let Some(stored) = console.store.console().await?.settings {
        return Ok(stored);
    }
    let mut initial = console.backend.initial_settings();
    let unset = EngineSettings::default().display_time_zone;
    if initial.engine.display_time_zone == unset {
        match console.backend.pbx_time_zone().await {
            Ok(Some(zone)) => initial.engine.display_time_zone = zone,
            Ok(None) => {}
            Err(err) => tracing::info!(error = %err, "the PBX's time zone could not be read"),
        }
    }
    Ok(initial)
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let stored = in_force(console).await?;
    let form = SettingsForm::from_stored(&stored, screen_pop(&state).await?);
    let crm = CrmChoices::ask(console, &ctx).await;
    render(&ctx, StatusCode::OK, &form, false, Vec::new(), crm)
}

pub async fn submit(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let previous = in_force(console).await?;
    let crm = CrmChoices::ask(console, &ctx).await;
    let parsed = form.parse(&previous);
    // Every field is checked, the CRM's choices too, whatever else is
    // wrong: the admin sees all there is to correct at once.
    let mut problems = parsed.as_ref().err().cloned().unwrap_or_default();
    problems.extend(crm.results_refused(&form));
    let mut shown: Vec<Shown> = problems
        .into_iter()
        .map(|Problem { field, id }| Shown {
            field,
            message: ctx.t(id),
        })
        .collect();
    let owners = [
        (
            "group_missed_owner",
            form.group_missed_owner.as_deref(),
            previous.engine.group_missed_owner.as_deref(),
            "console-settings-bad-group-owner",
        ),
        (
            "tasks_owner",
            form.tasks_window
                .as_ref()
                .map(|_| form.tasks_owner.as_str()),
            previous
                .engine
                .missed_call_tasks
                .as_ref()
                .and_then(|t| t.owner.as_deref()),
            "console-settings-bad-tasks-owner",
        ),
    ];
    for (field, chosen, kept, id) in owners {
        if let Some(message) = owner_refused(&ctx, chosen, kept, id, &crm) {
            shown.push(Shown { field, message });
        }
    }
    let parsed = parsed.ok().filter(|_| shown.is_empty());
    let Some((settings, pop)) = parsed else {
        sort_as_shown(&mut shown);
        return render(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            false,
            shown,
            crm,
        );
    };
    let pop_json = serde_json::to_string(&pop).map_err(|e| {
        ringbridge_core::store::StoreError::Corrupt(ringbridge_core::cause::Cause::new(e))
    })?;
    state
        .store
        .put_setting(SCREEN_POP_DEFAULT_KEY, &pop_json)
        .await?;
    console.store.put_settings(&settings).await?;
    tracing::info!(by = %admin.account.username, "settings saved");
    apply(console).await;
    let form = SettingsForm::from_stored(&settings, pop);
    render(&ctx, StatusCode::OK, &form, true, Vec::new(), crm)
}

/// A newly chosen owner (of missed group calls, of tasks) must be one of
/// the CRM's users (an unchanged one is kept even while the CRM cannot be
/// asked); why not, refused with Fluent `id`.
fn owner_refused(
    ctx: &PageCtx,
    chosen: Option<&str>,
    kept: Option<&str>,
    id: &str,
    crm: &CrmChoices,
) -> Option<String> {
    let chosen = chosen?.trim();
    if chosen.is_empty() || kept == Some(chosen) {
        return None;
    }
    match &crm.users {
        Ok(users) if users.iter().any(|u| u.id == chosen) => None,
        Ok(_) => Some(ctx.t(id)),
        Err(why) => Some(why.clone()),
    }
}

/// The problems in the order their fields appear on the page, so the
/// first listed is the first focused; one per field.
fn sort_as_shown(problems: &mut Vec<Shown>) {
    problems.sort_by_key(|p| {
        PAGE_ORDER
            .iter()
            .position(|f| *f == p.field)
            .unwrap_or(PAGE_ORDER.len())
    });
    problems.dedup_by_key(|p| p.field);
}

/// The fields that can be refused, top to bottom as the page shows them.
const PAGE_ORDER: [&str; 29] = [
    "min_talk_s",
    "hours_mon",
    "hours_start",
    "hours_time_zone",
    "subject",
    "description",
    "display_time_zone",
    "owner",
    "group_missed_owner",
    "result_inbound_answered",
    "result_inbound_missed",
    "result_outbound_answered",
    "result_outbound_unanswered",
    "result_internal",
    "result_voicemail",
    "unknown_inbound",
    "unknown_outbound",
    "phonebook",
    "default_country",
    "match_1",
    "match_2",
    "match_3",
    "tasks_window",
    "tasks_due_days",
    "tasks_subject",
    "tasks_owner",
    "zoho_permissions",
    "visibility_ttl",
    "recording_days",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_explained_in_every_language() {
        for name in PLACEHOLDERS {
            for lang in crate::i18n::Lang::ALL {
                let id = format!("console-settings-placeholder-{name}");
                assert!(lang.has(&id), "{lang:?} lacks {id}");
            }
        }
    }
}
