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
use ringbridge_core::crm::{CrmModule, CrmUser};

use super::settings_engine::{DAYS, MATCH_FIELDS, OFFERED_MODULES, OWNERS, RESULTS, module_label};
use super::settings_form::{SCREEN_POP_DEFAULT_KEY, ScreenPopDefault, SettingsForm};
use super::{Console, Nav, apply, console, explain};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::pages::{PageCtx, WebError};

#[derive(Template)]
#[template(path = "console_settings.html")]
struct SettingsPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    form: &'a SettingsForm,
    saved: bool,
    errors: Vec<String>,
    /// Who can own missed group calls: (id, name).
    crm_users: Vec<(String, String)>,
    /// Why the CRM's users are not listed (it could not be asked).
    crm_note: Option<String>,
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

/// The CRM's active users, or why they cannot be listed.
async fn crm_users(console: &Console, ctx: &PageCtx) -> Result<Vec<CrmUser>, String> {
    match console.backend.crm_users().await {
        Ok(users) => Ok(users.into_iter().filter(|u| u.active).collect()),
        Err(err) => Err(explain(ctx, &err)),
    }
}

/// The page; an unreachable CRM still shows it, with the stored owner kept
/// as the only choice beside Zoho's default (saving keeps it).
async fn render(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    form: &SettingsForm,
    saved: bool,
    errors: Vec<String>,
) -> Result<Response, WebError> {
    let current = form
        .group_missed_owner
        .clone()
        .filter(|id| !id.trim().is_empty());
    let (mut crm_users, crm_note) = match crm_users(console(state)?, ctx).await {
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
    // A stored owner no longer among the users (deactivated, or the CRM
    // not reachable) stays selectable under its id.
    if let Some(id) = current
        && !crm_users.iter().any(|(u, _)| *u == id)
    {
        crm_users.push((id.clone(), id));
    }
    let page = SettingsPage {
        ctx,
        nav: Nav("/console/settings"),
        form,
        saved,
        errors,
        crm_users,
        crm_note,
    };
    ctx.render(status, &page)
}

/// The settings in force: the stored ones, else (until the page is first
/// saved) the configuration file's.
async fn in_force(console: &Console) -> Result<ConsoleSettings, WebError> {
    let stored = console.store.console().await?.settings;
    Ok(stored.unwrap_or_else(|| console.backend.initial_settings()))
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    let stored = in_force(console(&state)?).await?;
    let form = SettingsForm::from_stored(&stored, screen_pop(&state).await?);
    render(&state, &ctx, StatusCode::OK, &form, false, Vec::new()).await
}

pub async fn submit(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let previous = in_force(console).await?;
    let (parsed, mut problems) = match form.parse(&previous) {
        Ok(parsed) => (Some(parsed), Vec::new()),
        Err(problems) => (None, problems.into_iter().map(|id| ctx.t(id)).collect()),
    };
    // A newly chosen owner must be one of the CRM's users (an unchanged
    // one is kept even while the CRM cannot be asked).
    if let Some((settings, _)) = &parsed
        && let Some(id) = &settings.engine.group_missed_owner
        && previous.engine.group_missed_owner.as_ref() != Some(id)
    {
        match crm_users(console, &ctx).await {
            Ok(users) if users.iter().any(|u| u.id == *id) => {}
            Ok(_) => problems.push(ctx.t("console-settings-bad-group-owner")),
            Err(why) => problems.push(why),
        }
    }
    let Some((settings, pop)) = parsed.filter(|_| problems.is_empty()) else {
        return render(
            &state,
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            false,
            problems,
        )
        .await;
    };
    let pop_json = serde_json::to_string(&pop)
        .map_err(|e| ringbridge_core::store::StoreError::Corrupt(e.to_string()))?;
    state
        .store
        .put_setting(SCREEN_POP_DEFAULT_KEY, &pop_json)
        .await?;
    console.store.put_settings(&settings).await?;
    tracing::info!(by = %admin.account.username, "settings saved");
    apply(console).await;
    let form = SettingsForm::from_stored(&settings, pop);
    render(&state, &ctx, StatusCode::OK, &form, true, Vec::new()).await
}
