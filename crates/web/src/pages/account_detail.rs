//! Admin: one account's open sessions (when, from where, which browser)
//! and API tokens (scopes, expiry, last use), each of which the admin can
//! end — how an admin sees and stops what a person's browsers can still do.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::Response;
use ringbridge_core::accounts::{
    Account, AccountId, ApiScope, ApiToken, ApiTokenId, Role, Session,
};

use super::account_edit::EditForm;
use super::ctx::PageCtx;
use super::extensions::ExtensionChoice;
use super::flash;
use super::home::when;
use crate::AppState;
use crate::auth::RequireAdmin;
use crate::error::{ErrorKind, WebError};
use crate::session;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    ctx: &'a PageCtx,
    account: Account,
    tokens: Vec<ApiToken>,
    sessions: Vec<Session>,
    /// The admin's own browser, when this is the admin's own account.
    current: Option<String>,
    end_base: String,
    token_base: String,
    no_tokens: &'static str,
    /// The edit form: its values, the PBX's extensions, what it refused.
    edit: EditForm,
    choice: ExtensionChoice,
    ext_value: String,
    me: Option<AccountId>,
    errors: Vec<String>,
}

impl AccountPage<'_> {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        when(at)
    }

    fn scopes(&self, token: &ApiToken) -> String {
        ApiScope::join(&token.scopes)
    }

    fn roles(&self) -> [Role; 2] {
        [Role::Agent, Role::Admin]
    }

    fn is_role(&self, role: &Role) -> bool {
        self.edit.role == role.as_str()
    }
}

pub(super) async fn account_or_404(state: &AppState, id: i64) -> Result<Account, WebError> {
    state
        .accounts
        .account(AccountId(id))
        .await?
        .ok_or_else(|| ErrorKind::NotFound.into())
}

pub async fn show(
    _admin: RequireAdmin,
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let account = account_or_404(&state, id).await?;
    let edit = EditForm::of(&account);
    render(&state, &ctx, &headers, account, edit, Vec::new()).await
}

/// The account's page; `edit` fills the edit form (what was submitted,
/// when `errors` says why it was refused).
pub(super) async fn render(
    state: &AppState,
    ctx: &PageCtx,
    headers: &HeaderMap,
    account: Account,
    edit: EditForm,
    errors: Vec<String>,
) -> Result<Response, WebError> {
    let tokens = state.accounts.api_tokens(account.id).await?;
    let sessions = state.accounts.sessions_of(account.id).await?;
    let current = session::current_handle(state, headers);
    let accounts = state.accounts.accounts().await?;
    let choice = ExtensionChoice::load(state, ctx, &accounts).await;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ctx.render(
        status,
        &AccountPage {
            ctx,
            end_base: format!("/admin/accounts/{}/sessions", account.id.0),
            token_base: format!("/admin/accounts/{}/tokens", account.id.0),
            no_tokens: "tokens-none-for-account",
            me: Some(account.id),
            ext_value: edit.extension.trim().to_owned(),
            edit,
            choice,
            errors,
            account,
            tokens,
            sessions,
            current,
        },
    )
}

pub async fn end_session(
    RequireAdmin(admin): RequireAdmin,
    State(state): State<AppState>,
    Path((id, handle)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let account = account_or_404(&state, id).await?;
    if !state.accounts.end_session(account.id, &handle).await? {
        return Err(ErrorKind::NotFound.into());
    }
    tracing::info!(by = %admin.account.username, account = %account.username, "session ended by an admin");
    Ok(flash::redirect(
        &format!("/admin/accounts/{id}"),
        "session-ended",
    ))
}

pub async fn end_all_sessions(
    RequireAdmin(admin): RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let account = account_or_404(&state, id).await?;
    let ended = state.accounts.delete_sessions_of(account.id).await?;
    tracing::info!(by = %admin.account.username, account = %account.username, ended, "every session ended by an admin");
    Ok(flash::redirect(
        &format!("/admin/accounts/{id}"),
        "session-ended",
    ))
}

pub async fn revoke_token(
    RequireAdmin(admin): RequireAdmin,
    State(state): State<AppState>,
    Path((id, token)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let account = account_or_404(&state, id).await?;
    if !state
        .accounts
        .revoke_api_token(account.id, ApiTokenId(token))
        .await?
    {
        return Err(ErrorKind::NotFound.into());
    }
    tracing::info!(by = %admin.account.username, account = %account.username, token, "API token revoked");
    Ok(flash::redirect(
        &format!("/admin/accounts/{id}"),
        "token-revoked",
    ))
}
