//! First run: create the admin account. Once an admin exists the page is
//! gone: GET redirects to sign-in, POST is 404.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::header::USER_AGENT;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use ringbridge_core::accounts::{AccountProfile, NewAccount, Role};
use serde::Deserialize;

use super::ctx::PageCtx;
use super::forms;
use super::login::signed_in_redirect;
use crate::AppState;
use crate::error::{ErrorKind, WebError};
use crate::session;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage<'a> {
    ctx: &'a PageCtx,
    username: &'a str,
    display_name: &'a str,
    errors: Vec<String>,
}

pub async fn show(State(state): State<AppState>, ctx: PageCtx) -> Result<Response, WebError> {
    if state.accounts.has_admin().await? {
        return Ok(Redirect::to("/login").into_response());
    }
    let page = SetupPage {
        ctx: &ctx,
        username: "",
        display_name: "",
        errors: Vec::new(),
    };
    ctx.render(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    username: String,
    display_name: String,
    password: String,
    password_confirm: String,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ctx: PageCtx,
    Form(form): Form<SetupForm>,
) -> Result<Response, WebError> {
    if state.accounts.has_admin().await? {
        return Err(ErrorKind::NotFound.into());
    }
    let (username, display_name) = match forms::account(
        &form.username,
        &form.display_name,
        &form.password,
        &form.password_confirm,
    ) {
        Ok(checked) => checked,
        Err(problems) => {
            let page = SetupPage {
                ctx: &ctx,
                username: form.username.trim(),
                display_name: form.display_name.trim(),
                errors: problems.into_iter().map(|id| ctx.t(id)).collect(),
            };
            return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let password_hash = state.web.passwords.hash(form.password).await?;
    let account = NewAccount {
        username,
        password_hash,
        profile: AccountProfile {
            display_name,
            role: Role::Admin,
            crm_user_id: None,
            extension: None,
            disabled: false,
        },
        at: state.web.now(),
    };
    // Another browser may have finished setup in the meantime.
    let Some(admin) = state.accounts.create_first_admin(&account).await? else {
        return Err(ErrorKind::NotFound.into());
    };
    tracing::info!(username = %admin.username, "first-run setup created the admin account");
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let client = state
        .web
        .client_ip(peer.map(|Extension(ConnectInfo(addr))| addr.ip()), &headers);
    let (_, cookie) = session::start(&state, admin.id, user_agent, client).await?;
    // With the admin console, setup goes on there (PBX, Zoho, mode).
    let next = if state.console.is_some() {
        "/console"
    } else {
        "/"
    };
    signed_in_redirect(next, cookie)
}
