//! Choosing how calls reach the CRM: REST call logs, or Zoho PhoneBridge.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ringbridge_core::console::CrmMode;
use serde::Deserialize;

use super::{Nav, apply, console};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::WebError;
use crate::pages::{PageCtx, flash};

#[derive(Template)]
#[template(path = "console_mode.html")]
struct ModePage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    current: Option<CrmMode>,
    errors: Vec<String>,
}

impl ModePage<'_> {
    fn modes(&self) -> [CrmMode; 2] {
        CrmMode::ALL
    }

    fn is_current(&self, mode: &CrmMode) -> bool {
        self.current == Some(*mode)
    }

    /// The Fluent ids naming and explaining a mode.
    fn ids(&self, mode: &CrmMode) -> (&'static str, &'static str) {
        match mode {
            CrmMode::Rest => ("console-mode-rest", "console-mode-rest-help"),
            CrmMode::PhoneBridge => ("console-mode-phonebridge", "console-mode-phonebridge-help"),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ModeForm {
    #[serde(default)]
    mode: String,
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    let current = console(&state)?.store.console().await?.mode;
    let page = ModePage {
        ctx: &ctx,
        nav: Nav("/console/mode"),
        current,
        errors: Vec::new(),
    };
    ctx.render(StatusCode::OK, &page)
}

pub async fn submit(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<ModeForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let Some(mode) = CrmMode::parse(&form.mode) else {
        let current = console.store.console().await?.mode;
        let page = ModePage {
            ctx: &ctx,
            nav: Nav("/console/mode"),
            current,
            errors: vec![ctx.t("console-mode-pick")],
        };
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    console.store.put_mode(mode).await?;
    tracing::info!(by = %admin.account.username, mode = mode.as_str(), "CRM mode chosen");
    apply(console).await;
    Ok(flash::redirect("/console/users", "mode"))
}
