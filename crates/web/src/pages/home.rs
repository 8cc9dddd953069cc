//! The signed-in home page: who you are, and your browser-extension tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_core::accounts::{Account, ApiToken, ApiTokenId};
use serde::Deserialize;

use super::ctx::PageCtx;
use super::error::{ErrorKind, WebError};
use crate::AppState;
use crate::auth::{CurrentUser, api_tokens};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a PageCtx,
    user: &'a Account,
    tokens: Vec<ApiToken>,
    /// A token just made, shown this once.
    new_token: Option<String>,
}

impl HomePage<'_> {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    user: &Account,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let tokens = state.accounts.api_tokens(user.id).await?;
    ctx.render(
        StatusCode::OK,
        &HomePage {
            ctx,
            user,
            tokens,
            new_token,
        },
    )
}

pub async fn show(
    user: CurrentUser,
    ctx: PageCtx,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    render(&state, &ctx, &user.account, None).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    user: CurrentUser,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let name = match form.name.trim() {
        "" => ctx.t("tokens-default-name"),
        name => name.to_owned(),
    };
    let (token, secret) = api_tokens::issue(&state, user.account.id, &name).await?;
    tracing::info!(username = %user.account.username, prefix = %token.prefix, "API token issued");
    // Rendered, not redirected: the secret must not land in a URL or history.
    render(&state, &ctx, &user.account, Some(secret)).await
}

pub async fn revoke_token(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    if !state
        .accounts
        .revoke_api_token(user.account.id, ApiTokenId(id))
        .await?
    {
        return Err(ErrorKind::NotFound.into());
    }
    Ok(Redirect::to("/").into_response())
}
