//! Signing in and out.

use std::net::SocketAddr;

use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_core::accounts::Role;
use serde::Deserialize;

use super::ctx::PageCtx;
use super::forms::{self, safe_next};
use crate::AppState;
use crate::auth::{Pace, ThrottleKey};
use crate::error::WebError;
use crate::session;

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage<'a> {
    pub ctx: &'a PageCtx,
    pub username: &'a str,
    pub next: &'a str,
    pub error: Option<String>,
    /// Offer "Sign in with Zoho" (Zoho is connected).
    pub zoho: bool,
}

/// Whether the sign-in page offers "Sign in with Zoho".
async fn zoho_offered(state: &AppState) -> bool {
    match &state.zoho_sign_in {
        Some(zoho) => zoho.connected().await,
        None => false,
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

impl NextQuery {
    pub fn next(&self) -> &str {
        &self.next
    }
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    if !state.accounts.has_admin().await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    if let Some(token) = session::token_of(&state, &headers)
        && session::resolve(&state, &token).await?.is_some()
    {
        return Ok(Redirect::to(safe_next(&query.next)).into_response());
    }
    let page = LoginPage {
        ctx: &ctx,
        username: "",
        next: safe_next(&query.next),
        error: None,
        zoho: zoho_offered(&state).await,
    };
    ctx.render(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Usernames longer than any real one are cut before they key the throttle.
const THROTTLE_NAME_MAX: usize = 128;

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ctx: PageCtx,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&form.next);
    let now = state.web.now();
    let key = ThrottleKey {
        username: form
            .username
            .trim()
            .to_lowercase()
            .chars()
            .take(THROTTLE_NAME_MAX)
            .collect(),
        ip: state
            .web
            .client_ip(peer.map(|Extension(ConnectInfo(addr))| addr.ip()), &headers),
    };
    let zoho = zoho_offered(&state).await;
    let page = |error: String| LoginPage {
        ctx: &ctx,
        username: form.username.trim(),
        next,
        error: Some(error),
        zoho,
    };
    match state.web.throttle.check(&key, now) {
        Ok(Pace::Normal) => {}
        // Many addresses are guessing this account's password: every
        // attempt at it waits, the right one included, but none is refused.
        Ok(Pace::Slowed(delay)) => tokio::time::sleep(delay).await,
        Err(wait) => {
            let minutes = (wait.num_seconds() + 59) / 60;
            let error = ctx.t1("login-too-many", "minutes", &minutes.to_string());
            let mut response = ctx.render(StatusCode::TOO_MANY_REQUESTS, &page(error))?;
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(wait.num_seconds().max(1)));
            return Ok(response);
        }
    }

    let credentials = match forms::username(&form.username) {
        Ok(name) => state.accounts.credentials(&name).await?,
        Err(_) => None,
    };
    let matches = state
        .web
        .passwords
        .verify(
            form.password.clone(),
            credentials.as_ref().map(|c| c.password_hash.clone()),
        )
        .await?;
    let account = match credentials {
        Some(c) if matches && !c.account.profile.disabled => c.account,
        // One answer for unknown user, wrong password and disabled account.
        _ => {
            state.web.throttle.failed(&key, now);
            return ctx.render(StatusCode::UNAUTHORIZED, &page(ctx.t("login-failed")));
        }
    };
    state.web.throttle.succeeded(&key);
    // A fresh token at every sign-in: a session id planted before sign-in
    // is worth nothing after it.
    if let Some(old) = session::token_of(&state, &headers) {
        session::end(&state, &old).await?;
    }
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let (_, cookie) = session::start(&state, account.id, user_agent, key.ip).await?;
    // After an admin's reset, choosing a new password comes first.
    let next = if account.must_change_password {
        "/password"
    } else {
        landing(next, account.profile.role, &state)
    };
    signed_in_redirect(next, cookie)
}

/// Where a sign-in lands when it was not sent from a page to return to:
/// agents on their panel, administrators on the console (where this server
/// has one), else the home page.
pub(super) fn landing<'a>(next: &'a str, role: Role, state: &AppState) -> &'a str {
    if next != "/" {
        return next;
    }
    match role {
        Role::Agent => "/panel",
        Role::Admin if state.console.is_some() => "/console",
        Role::Admin => "/",
    }
}

/// 303 to `next` with the new session cookie.
pub(crate) fn signed_in_redirect(
    next: &str,
    cookie: Option<HeaderValue>,
) -> Result<Response, WebError> {
    let cookie = cookie.ok_or(WebError::Header)?;
    let location = HeaderValue::try_from(next).map_err(|_| WebError::Header)?;
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, location), (SET_COOKIE, cookie)],
    )
        .into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(token) = session::token_of(&state, &headers) {
        session::end(&state, &token).await?;
    }
    let config = &state.web.config;
    let clear =
        session::clear_cookie(config, session::cookie_name(config)).ok_or(WebError::Header)?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, HeaderValue::from_static("/login")),
            (SET_COOKIE, clear),
        ],
    )
        .into_response())
}
