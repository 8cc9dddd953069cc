//! The pages of "Sign in with Zoho" (see [`crate::auth::zoho_sign_in`]):
//! `/auth/zoho` starts it, `/auth/zoho/callback` finishes it, and
//! `/auth/zoho/revoke` is the agent's "sign out everywhere".
//!
//! The Zoho user becomes an account through the user map: the extension
//! whose CRM user (paired by e-mail, or by an admin) is this Zoho user. A
//! first sign-in creates that account as an agent; admin rights are given
//! in the console, or by the Zoho profiles the `zoho_admin_profiles`
//! setting names (a sign-in never demotes). A Zoho user no extension is paired with is refused
//! and no account is made.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Query, RawQuery, State};
use axum::http::header::{LOCATION, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ringbridge_core::accounts::{
    Account, AccountError, AccountProfile, NewAccount, Role, Username,
};

use super::ctx::PageCtx;
use super::forms::safe_next;
use super::login::{LoginPage, NextQuery, landing, signed_in_redirect};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::zoho_sign_in::{self as flow, PendingGrant, SignInError, StateProblem};
use crate::error::{ErrorKind, WebError};
use crate::session;

/// The sign-in page again, with why signing in with Zoho did not work.
fn refused(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    message: String,
) -> Result<Response, WebError> {
    let page = LoginPage {
        ctx,
        username: "",
        next: "/",
        error: Some(message),
        zoho: true,
    };
    let mut response = ctx.render(status, &page)?;
    // The attempt is over either way.
    if let Some(clear) = flow::clear(state) {
        response.headers_mut().append(SET_COOKIE, clear);
    }
    Ok(response)
}

pub async fn start(
    State(state): State<AppState>,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    let Some(zoho) = state.zoho_sign_in.clone() else {
        return Err(ErrorKind::NotFound.into());
    };
    let (signed, cookie) = flow::begin(&state, safe_next(query.next())).await?;
    let consent = match zoho.authorize_url(&signed).await {
        Ok(url) => url,
        Err(err) => {
            tracing::warn!(%err, "sign in with Zoho is not available");
            return Ok(Redirect::to("/login").into_response());
        }
    };
    let location = HeaderValue::try_from(consent).map_err(|_| WebError::Header)?;
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, location), (SET_COOKIE, cookie)],
    )
        .into_response())
}

fn query_state(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
}

pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ctx: PageCtx,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let Some(zoho) = state.zoho_sign_in.clone() else {
        return Err(ErrorKind::NotFound.into());
    };
    let query = query.unwrap_or_default();
    let next = match flow::finish(&state, &headers, query_state(&query).as_deref()).await? {
        Ok(next) => next,
        Err(problem) => {
            tracing::warn!(?problem, "sign in with Zoho: state refused");
            let id = match problem {
                StateProblem::NoCookie => "zoho-signin-expired",
                StateProblem::Mismatch => "zoho-signin-forged",
            };
            return refused(&state, &ctx, StatusCode::BAD_REQUEST, ctx.t(id));
        }
    };
    let grant = match zoho.identify(&query).await {
        Ok(grant) => grant,
        Err(err) => {
            tracing::warn!(%err, "sign in with Zoho refused");
            let message = match err {
                SignInError::Store(e) => return Err(e.into()),
                SignInError::NotConnected => ctx.t("zoho-signin-unavailable"),
                SignInError::Refused(why) | SignInError::Unreachable(why) => {
                    ctx.t1("zoho-signin-refused", "reason", &why)
                }
            };
            return refused(&state, &ctx, StatusCode::FORBIDDEN, message);
        }
    };
    let account = match account_for(&state, &grant).await {
        Ok(account) => account,
        Err(message_id) => {
            tracing::warn!(zoho_user = %grant.identity.crm_user_id, reason = message_id, "sign in with Zoho: no account");
            let email = grant.identity.email.clone();
            zoho.discard(grant).await;
            return refused(
                &state,
                &ctx,
                StatusCode::FORBIDDEN,
                ctx.t1(message_id, "email", &email),
            );
        }
    };
    zoho.keep(account.id, grant).await.map_err(grant_error)?;
    forget_eyes(&state, &account);
    if let Some(old) = session::token_of(&state, &headers) {
        session::end(&state, &old).await?;
    }
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let ip = state
        .web
        .client_ip(peer.map(|Extension(ConnectInfo(addr))| addr.ip()), &headers);
    let (_, cookie) = session::start(&state, account.id, user_agent, ip).await?;
    tracing::info!(account = %account.username, "signed in with Zoho");
    let mut response = signed_in_redirect(
        landing(safe_next(&next), account.profile.role, &state),
        cookie,
    )?;
    if let Some(clear) = flow::clear(&state) {
        response.headers_mut().append(SET_COOKIE, clear);
    }
    Ok(response)
}

/// The account of the Zoho user: the one paired with them, or a new agent
/// for the extension the user map pairs them with. `Err` names the message.
async fn account_for(state: &AppState, grant: &PendingGrant) -> Result<Account, &'static str> {
    let zoho_user = &grant.identity.crm_user_id;
    let role = role_by_profile(state, grant.identity.profile.as_deref());
    let accounts = state
        .accounts
        .accounts()
        .await
        .map_err(|_| "zoho-signin-unavailable")?;
    if let Some(found) = accounts
        .into_iter()
        .find(|a| a.profile.crm_user_id.as_deref() == Some(zoho_user.as_str()))
    {
        // A disabled account stays out, whichever way it signs in.
        if found.profile.disabled {
            return Err("zoho-signin-disabled");
        }
        return promote(state, found, role).await;
    }
    let users = state.engine.as_ref().map(|e| e.users()).unwrap_or_default();
    let Some(extension) = users.extension_of(zoho_user) else {
        return Err("zoho-signin-unmapped");
    };
    let username = Username::parse(&grant.identity.email)
        .or_else(|_| Username::parse(&format!("zoho-{zoho_user}")))
        .map_err(|_| "zoho-signin-unmapped")?;
    // The account signs in through Zoho: its password is random and
    // unknown to anyone (an admin may reset it to give it one).
    let password_hash = state
        .web
        .passwords
        .hash(session::random_token())
        .await
        .map_err(|_| "zoho-signin-unavailable")?;
    let created = state
        .accounts
        .create_account(&NewAccount {
            username,
            password_hash,
            profile: AccountProfile {
                display_name: grant.identity.name.clone(),
                role,
                crm_user_id: Some(zoho_user.clone()),
                extension: Some(extension.to_owned()),
                disabled: false,
            },
            at: state.web.now(),
        })
        .await;
    match created {
        Ok(account) => Ok(account),
        Err(AccountError::UsernameTaken(_)) => Err("zoho-signin-taken"),
        Err(_) => Err("zoho-signin-unavailable"),
    }
}

/// The role a Zoho sign-in gives: admin when the engine settings tie the
/// user's Zoho profile to it (`zoho_admin_profiles`), else agent.
fn role_by_profile(state: &AppState, profile: Option<&str>) -> Role {
    let settings = state.engine.as_ref().map(|e| e.settings());
    let admin = match (settings, profile) {
        (Some(settings), Some(profile)) => {
            settings.zoho_admin_profiles.iter().any(|p| p == profile)
        }
        _ => false,
    };
    if admin { Role::Admin } else { Role::Agent }
}

/// An agent whose Zoho profile gives admin rights becomes an admin; a sign-in
/// never takes a role away (those are given and removed in the console).
async fn promote(
    state: &AppState,
    mut account: Account,
    role: Role,
) -> Result<Account, &'static str> {
    if role != Role::Admin || account.profile.role == Role::Admin {
        return Ok(account);
    }
    account.profile.role = Role::Admin;
    let updated = state
        .accounts
        .update_account(account.id, &account.profile, state.web.now())
        .await
        .map_err(|_| "zoho-signin-unavailable")?;
    if !updated {
        return Err("zoho-signin-unavailable");
    }
    tracing::info!(account = %account.username, "admin role from the Zoho profile");
    Ok(account)
}

/// Offboarding by an admin: the account's Zoho grant revoked at Zoho and
/// forgotten; its pops show no CRM details from then on.
pub(super) async fn offboard(state: &AppState, account: &Account) -> Result<(), WebError> {
    let Some(zoho) = &state.zoho_sign_in else {
        return Ok(());
    };
    zoho.revoke(account.id).await.map_err(grant_error)?;
    forget_eyes(state, account);
    Ok(())
}

/// What the running engine knows of the account's eyes starts again.
fn forget_eyes(state: &AppState, account: &Account) {
    let visibility = state.engine.as_ref().and_then(|e| e.visibility());
    if let (Some(visibility), Some(user)) = (visibility, &account.profile.crm_user_id) {
        visibility.forget_user(user);
    }
}

fn grant_error(err: SignInError) -> WebError {
    match err {
        SignInError::Store(e) => WebError::from(e),
        other => {
            tracing::warn!(err = %other, "revoking an agent's Zoho grant");
            WebError::Refused(ErrorKind::Internal)
        }
    }
}

/// "Sign out everywhere": the agent's Zoho grant is revoked at Zoho and
/// forgotten, and every session of the account ends.
pub async fn revoke(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Response, WebError> {
    offboard(&state, &user.account).await?;
    state.accounts.delete_sessions_of(user.account.id).await?;
    tracing::info!(account = %user.account.username, "signed out everywhere");
    let clear = session::clear_cookie(&state.web.config, session::cookie_name(&state.web.config))
        .ok_or(WebError::Header)?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, HeaderValue::from_static("/login")),
            (SET_COOKIE, clear),
        ],
    )
        .into_response())
}
