//! Extensions ↔ CRM users: matched by e-mail automatically; the admin can
//! pair any extension by hand, or send it back to matching by e-mail.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ringbridge_core::console::UserOverride;
use ringbridge_core::crm::CrmUser;
use ringbridge_core::pbx::Extension;
use ringbridge_core::usermap::UserMap;
use serde::Deserialize;

use super::{Nav, apply, console, explain};
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{ErrorKind, WebError};
use crate::pages::{PageCtx, flash};

/// One extension's line.
pub struct Row {
    pub extension: Extension,
    /// The user it is paired with, and whether by hand.
    pub user: Option<(String, String)>,
    pub manual: bool,
    /// Its calls are logged for nobody: no user, or one Zoho lists as
    /// inactive (the name).
    pub unmapped: bool,
    pub inactive: Option<String>,
}

impl Row {
    pub fn is_user(&self, id: &str) -> bool {
        self.user.as_ref().is_some_and(|(u, _)| u == id)
    }
}

/// The extensions whose calls would be logged for nobody: setup is not
/// complete while there are any.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// No CRM user matched by e-mail or chosen by hand.
    pub unmapped: Vec<String>,
    /// Paired (by hand or by e-mail) with a user Zoho lists as inactive:
    /// extension and the user's name.
    pub inactive: Vec<(String, String)>,
}

impl Coverage {
    pub fn is_full(&self) -> bool {
        self.unmapped.is_empty() && self.inactive.is_empty()
    }
}

/// Which of `extensions` log calls for nobody under `map`.
pub fn coverage(
    extensions: &[Extension],
    users: &[CrmUser],
    overrides: &[UserOverride],
) -> Coverage {
    let map = mapping(extensions, users, overrides);
    let mut out = Coverage::default();
    for ext in extensions {
        if let Some(name) = inactive_user(ext, users, overrides) {
            out.inactive.push((ext.number.clone(), name));
        } else if map.user_for(&ext.number).is_none() {
            out.unmapped.push(ext.number.clone());
        }
    }
    out
}

/// The inactive CRM user `ext` is paired with: by hand, else by e-mail
/// when no active user has that address.
fn inactive_user(ext: &Extension, users: &[CrmUser], overrides: &[UserOverride]) -> Option<String> {
    if let Some(pair) = overrides.iter().find(|o| o.extension == ext.number) {
        return users
            .iter()
            .find(|u| u.id == pair.crm_user_id && !u.active)
            .map(|u| u.name.clone());
    }
    let email = ext
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())?;
    let same = |u: &&CrmUser| {
        u.email
            .as_deref()
            .is_some_and(|ue| ue.trim().eq_ignore_ascii_case(email))
    };
    if users.iter().filter(same).any(|u| u.active) {
        return None;
    }
    users.iter().find(same).map(|u| u.name.clone())
}

#[derive(Template)]
#[template(path = "console_users.html")]
struct UsersPage<'a> {
    ctx: &'a PageCtx,
    nav: Nav,
    rows: Vec<Row>,
    users: Vec<CrmUser>,
    gaps: Coverage,
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
    let gaps = coverage(&extensions, &users, &overrides);
    let rows = extensions
        .into_iter()
        .map(|extension| {
            let mapped = map.user_for(&extension.number);
            let inactive = gaps
                .inactive
                .iter()
                .find(|(e, _)| *e == extension.number)
                .map(|(_, name)| name.clone());
            Row {
                user: mapped.map(|m| (m.crm_user_id.clone(), m.name.clone())),
                manual: mapped.is_some_and(|m| m.manual),
                unmapped: gaps.unmapped.contains(&extension.number),
                inactive,
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
        gaps,
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
    let done = if user_id.is_empty() {
        "user-auto"
    } else {
        "user"
    };
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
    Ok(flash::redirect("/console/users", done))
}
