//! Admin: one account's API tokens (scopes, expiry, last use), each
//! revocable — how an admin sees what a person's browsers can still do.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_core::accounts::{Account, AccountId, ApiScope, ApiToken, ApiTokenId};

use super::ctx::PageCtx;
use super::error::{ErrorKind, WebError};
use super::home::when;
use crate::AppState;
use crate::auth::RequireAdmin;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    ctx: &'a PageCtx,
    account: Account,
    tokens: Vec<ApiToken>,
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
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let account = account_or_404(&state, id).await?;
    let tokens = state.accounts.api_tokens(account.id).await?;
    ctx.render(
        StatusCode::OK,
        &AccountPage {
            ctx: &ctx,
            account,
            tokens,
        },
    )
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
