//! Choosing a new password (`/password`): anyone signed in may, and an
//! account whose password an admin reset must before anything else works
//! (the extractor sends it here). The current password is asked again, so
//! a borrowed session cannot lock its owner out.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::ctx::PageCtx;
use super::forms;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    ctx: &'a PageCtx,
    /// An admin reset the password: say why this page came up.
    required: bool,
    errors: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn show(user: CurrentUser, ctx: PageCtx) -> Result<Response, WebError> {
    let page = PasswordPage {
        ctx: &ctx,
        required: user.account.must_change_password,
        errors: Vec::new(),
    };
    ctx.render(StatusCode::OK, &page)
}

pub async fn submit(
    user: CurrentUser,
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let account = &user.account;
    let refuse = |status, errors: Vec<String>| {
        let page = PasswordPage {
            ctx: &ctx,
            required: account.must_change_password,
            errors,
        };
        ctx.render(status, &page)
    };
    let stored = state
        .accounts
        .credentials(&account.username)
        .await?
        .map(|c| c.password_hash);
    let current_ok = state
        .web
        .passwords
        .verify(form.current_password.clone(), stored)
        .await?;
    if !current_ok {
        return refuse(StatusCode::UNAUTHORIZED, vec![ctx.t("password-wrong")]);
    }
    if let Err(id) = forms::new_password(&form.password, &form.password_confirm) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, vec![ctx.t(id)]);
    }
    if form.password == form.current_password {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![ctx.t("password-same")],
        );
    }
    let hash = state.web.passwords.hash(form.password.clone()).await?;
    state
        .accounts
        .set_password(account.id, &hash, false, state.web.now())
        .await?;
    tracing::info!(username = %account.username, "password changed by its owner");
    Ok(Redirect::to("/").into_response())
}
