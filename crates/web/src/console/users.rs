//! Extensions ↔ CRM users: matched by e-mail automatically; the admin can
//! pair any extension by hand, or send it back to matching by e-mail.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_core::console::UserOverride;
use ringbridge_core::crm::CrmUser;
use ringbridge_core::pbx::Extension;
use ringbridge_core::usermap::UserMap;
use serde::Deserialize;

use super::{Nav, apply, console, explain};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{ErrorKind, WebError};
use crate::pages::PageCtx;

/// One extension's line.
pub struct Row {
    pub extension: Extension,
    /// The user it is paired with, and whether by hand.
    pub user: Option<(String, String)>,
    pub manual: bool,
}

impl Row {
    pub fn is_user(&self, id: &str) -> bool {
        self.user.as_ref().is_some_and(|(u, _)| u == id)
    }
}

#[derive(Template)]
#[template(path = "console_users.html")]
struct UsersPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    rows: Vec<Row>,
    users: Vec<CrmUser>,
    errors: Vec<String>,
}

/// The map the engine will use: manual pairs first, e-mail for the rest.
pub fn mapping(extensions: &[Extension], users: &[CrmUser], overrides: &[UserOverride]) -> UserMap {
    let mut manual = UserMap::default();
    for pair in overrides {
        manual.set_manual(&pair.extension, &pair.crm_user());
    }
    UserMap::match_by_email(extensions, users, &manual)
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    mut errors: Vec<String>,
) -> Result<Response, WebError> {
    let console = console(state)?;
    let overrides = console.store.console().await?.users;
    let (extensions, users) = match (
        console.backend.pbx_extensions().await,
        console.backend.crm_users().await,
    ) {
        (Ok(e), Ok(u)) => (e, u),
        (Err(err), _) | (_, Err(err)) => {
            errors.push(explain(ctx, &err));
            (Vec::new(), Vec::new())
        }
    };
    let map = mapping(&extensions, &users, &overrides);
    let rows = extensions
        .into_iter()
        .map(|extension| {
            let mapped = map.user_for(&extension.number);
            Row {
                user: mapped.map(|m| (m.crm_user_id.clone(), m.name.clone())),
                manual: mapped.is_some_and(|m| m.manual),
                extension,
            }
        })
        .collect();
    let users = users.into_iter().filter(|u| u.active).collect();
    let page = UsersPage {
        ctx,
        nav: Nav("/console/users"),
        rows,
        users,
        errors,
    };
    ctx.render(status, &page)
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    render(&state, &ctx, StatusCode::OK, Vec::new()).await
}

#[derive(Debug, Deserialize)]
pub struct PairForm {
    #[serde(default)]
    extension: String,
    /// Empty: back to matching by e-mail.
    #[serde(default)]
    crm_user_id: String,
}

pub async fn submit(
    RequireAdmin(admin): RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<PairForm>,
) -> Result<Response, WebError> {
    let console = console(&state)?;
    let extension = form.extension.trim();
    if extension.is_empty()
        || extension.len() > 16
        || !extension.chars().all(|c| c.is_ascii_digit())
    {
        return Err(ErrorKind::BadRequest.into());
    }
    let user_id = form.crm_user_id.trim();
    if user_id.is_empty() {
        console.store.remove_user_override(extension).await?;
        tracing::info!(by = %admin.account.username, extension, "extension back to matching by e-mail");
    } else {
        let users = match console.backend.crm_users().await {
            Ok(users) => users,
            Err(err) => {
                let errors = vec![explain(&ctx, &err)];
                return render(&state, &ctx, StatusCode::BAD_GATEWAY, errors).await;
            }
        };
        let Some(user) = users.iter().find(|u| u.id == user_id && u.active) else {
            let errors = vec![ctx.t("console-users-unknown")];
            return render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
        };
        let pair = UserOverride {
            extension: extension.to_owned(),
            crm_user_id: user.id.clone(),
            crm_user_name: user.name.clone(),
        };
        console.store.put_user_override(&pair).await?;
        tracing::info!(by = %admin.account.username, extension, crm_user = %user.id, "extension paired by hand");
    }
    apply(console).await;
    Ok(Redirect::to("/console/users").into_response())
}
