//! Admin: one account's open sessions (when, from where, which browser)
//! and API tokens (scopes, expiry, last use), each of which the admin can
//! end — how an admin sees and stops what a person's browsers can still do.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_core::accounts::{Account, AccountId, ApiScope, ApiToken, ApiTokenId, Session};

use super::ctx::PageCtx;
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
}

impl AccountPage<'_> {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        when(at)
    }

    fn scopes(&self, token: &ApiToken) -> String {
        ApiScope::join(&token.scopes)
    }
}

async fn account_or_404(state: &AppState, id: i64) -> Result<Account, WebError> {
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
    let tokens = state.accounts.api_tokens(account.id).await?;
    let sessions = state.accounts.sessions_of(account.id).await?;
    let current = session::current_handle(&state, &headers);
    ctx.render(
        StatusCode::OK,
        &AccountPage {
            ctx: &ctx,
            end_base: format!("/admin/accounts/{}/sessions", account.id.0),
            token_base: format!("/admin/accounts/{}/tokens", account.id.0),
            no_tokens: "tokens-none-for-account",
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
    Ok(Redirect::to(&format!("/admin/accounts/{id}")).into_response())
}

pub async fn end_all_sessions(
    RequireAdmin(admin): RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let account = account_or_404(&state, id).await?;
    let ended = state.accounts.delete_sessions_of(account.id).await?;
    tracing::info!(by = %admin.account.username, account = %account.username, ended, "every session ended by an admin");
    Ok(Redirect::to(&format!("/admin/accounts/{id}")).into_response())
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
    Ok(Redirect::to(&format!("/admin/accounts/{id}")).into_response())
}
