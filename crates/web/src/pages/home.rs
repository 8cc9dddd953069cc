//! The signed-in home page: who you are, and your browser-extension tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_core::accounts::{Account, ApiScope, ApiToken, ApiTokenId, Session};
use serde::Deserialize;

use super::ctx::PageCtx;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::api_tokens::{self, DEFAULT_DAYS, LIFETIMES, TokenGrant};
use crate::error::{ErrorKind, WebError};
use crate::session;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a PageCtx,
    user: &'a Account,
    tokens: Vec<ApiToken>,
    /// A token just made, shown this once.
    new_token: Option<String>,
    sessions: Vec<Session>,
    /// This browser's session.
    current: Option<String>,
    end_base: &'static str,
    token_base: &'static str,
    no_tokens: &'static str,
}

impl HomePage<'_> {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        when(at)
    }

    /// The scopes a token may be given: (form field, scope, label id,
    /// checked by default).
    fn scope_choices(&self) -> Vec<(&'static str, &'static str, &'static str, bool)> {
        ApiScope::ALL
            .into_iter()
            .map(|s| {
                (
                    scope_field(s),
                    s.as_str(),
                    scope_label(s),
                    ApiScope::EXTENSION.contains(&s),
                )
            })
            .collect()
    }

    fn lifetimes(&self) -> Vec<(u16, bool)> {
        LIFETIMES.iter().map(|&d| (d, d == DEFAULT_DAYS)).collect()
    }

    fn scopes(&self, token: &ApiToken) -> String {
        ApiScope::join(&token.scopes)
    }
}

pub(crate) fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The form field of a scope's checkbox.
fn scope_field(scope: ApiScope) -> &'static str {
    match scope {
        ApiScope::Dial => "scope_dial",
        ApiScope::CallsRead => "scope_calls_read",
        ApiScope::RecordsRead => "scope_records_read",
        ApiScope::RecordsWrite => "scope_records_write",
    }
}

fn scope_label(scope: ApiScope) -> &'static str {
    match scope {
        ApiScope::Dial => "scope-dial",
        ApiScope::CallsRead => "scope-calls-read",
        ApiScope::RecordsRead => "scope-records-read",
        ApiScope::RecordsWrite => "scope-records-write",
    }
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    user: &Account,
    headers: &HeaderMap,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let tokens = state.accounts.api_tokens(user.id).await?;
    let sessions = state.accounts.sessions_of(user.id).await?;
    ctx.render(
        StatusCode::OK,
        &HomePage {
            ctx,
            user,
            tokens,
            new_token,
            sessions,
            current: session::current_handle(state, headers),
            end_base: "/sessions",
            token_base: "/tokens",
            no_tokens: "tokens-none",
        },
    )
}

pub async fn show(
    user: CurrentUser,
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    render(&state, &ctx, &user.account, &headers, None).await
}

/// Ends one of the person's own sessions (another browser of theirs).
pub async fn end_session(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(handle): Path<String>,
) -> Result<Response, WebError> {
    if !state.accounts.end_session(user.account.id, &handle).await? {
        return Err(ErrorKind::NotFound.into());
    }
    tracing::info!(username = %user.account.username, "own session ended");
    Ok(Redirect::to("/").into_response())
}

/// Ends every session of the person but this browser's.
pub async fn end_other_sessions(
    user: CurrentUser,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let current = session::current_handle(&state, &headers);
    for other in state.accounts.sessions_of(user.account.id).await? {
        if current.as_deref() != Some(other.handle().as_str()) {
            state
                .accounts
                .end_session(user.account.id, &other.handle())
                .await?;
        }
    }
    tracing::info!(username = %user.account.username, "other sessions ended");
    Ok(Redirect::to("/").into_response())
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: Option<u16>,
    scope_dial: Option<String>,
    scope_calls_read: Option<String>,
    scope_records_read: Option<String>,
    scope_records_write: Option<String>,
}

impl TokenForm {
    /// The ticked scopes (the extension's when none is ticked: a token
    /// that may do nothing is no use) and an offered lifetime.
    fn grant(&self) -> TokenGrant {
        let ticked = [
            (ApiScope::Dial, &self.scope_dial),
            (ApiScope::CallsRead, &self.scope_calls_read),
            (ApiScope::RecordsRead, &self.scope_records_read),
            (ApiScope::RecordsWrite, &self.scope_records_write),
        ];
        let scopes: Vec<ApiScope> = ticked
            .into_iter()
            .filter(|(_, field)| field.is_some())
            .map(|(scope, _)| scope)
            .collect();
        let defaults = TokenGrant::default();
        TokenGrant {
            scopes: if scopes.is_empty() {
                defaults.scopes
            } else {
                scopes
            },
            days: self
                .days
                .filter(|d| LIFETIMES.contains(d))
                .unwrap_or(defaults.days),
        }
    }
}

pub async fn create_token(
    user: CurrentUser,
    ctx: PageCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let name = match form.name.trim() {
        "" => ctx.t("tokens-default-name"),
        name => name.to_owned(),
    };
    let (token, secret) =
        api_tokens::issue_with(&state, user.account.id, &name, &form.grant()).await?;
    tracing::info!(username = %user.account.username, prefix = %token.prefix, scopes = %ApiScope::join(&token.scopes), "API token issued");
    // Rendered, not redirected: the secret must not land in a URL or history.
    render(&state, &ctx, &user.account, &headers, Some(secret)).await
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
