//! The settings page: which calls are logged, subject and description
//! templates, the screen-pop default, unknown numbers per direction, the
//! PBX phonebook for contact sync, the default country and recording links.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::settings_form::{SCREEN_POP_DEFAULT_KEY, ScreenPopDefault, SettingsForm};
use super::{Nav, apply, console};
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
}

async fn screen_pop(state: &AppState) -> Result<ScreenPopDefault, WebError> {
    Ok(match state.store.setting(SCREEN_POP_DEFAULT_KEY).await? {
        // Unreadable (an older shape): show the defaults rather than fail.
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => ScreenPopDefault::default(),
    })
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    let stored = console(&state)?.store.console().await?.settings;
    let form = SettingsForm::from_stored(&stored.unwrap_or_default(), screen_pop(&state).await?);
    let page = SettingsPage {
        ctx: &ctx,
        nav: Nav("/console/settings"),
        form: &form,
        saved: false,
        errors: Vec::new(),
    };
    ctx.render(StatusCode::OK, &page)
}

pub async fn submit(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let previous = console.store.console().await?.settings.unwrap_or_default();
    let (settings, pop) = match form.parse(&previous) {
        Ok(parsed) => parsed,
        Err(problems) => {
            let page = SettingsPage {
                ctx: &ctx,
                nav: Nav("/console/settings"),
                form: &form,
                saved: false,
                errors: problems.into_iter().map(|id| ctx.t(id)).collect(),
            };
            return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
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
    let page = SettingsPage {
        ctx: &ctx,
        nav: Nav("/console/settings"),
        form: &form,
        saved: true,
        errors: Vec::new(),
    };
    ctx.render(StatusCode::OK, &page)
}
