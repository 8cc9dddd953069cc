//! Extractors for the signed-in account.
//!
//! On `/api/*` a request with an `Authorization` header is judged by that
//! header alone (an agent's API token); everywhere else, and on `/api/*`
//! without the header, by the session cookie. Refusals: pages redirect to
//! `/login?next=…`, htmx requests get 401 with `HX-Redirect`, the API gets
//! 401 JSON with `WWW-Authenticate: Bearer`.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, LOCATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use ringbridge_core::accounts::{Account, ApiScope, ApiTokenId};

use crate::AppState;
use crate::error::{ErrorKind, WebError};
use crate::session;

/// How often an API token's "last used" is written, at most.
const TOUCH_EVERY: Duration = Duration::minutes(1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser session cookie.
    Session,
    /// An agent's API token (browser extension), with what it may do.
    ApiToken {
        id: ApiTokenId,
        scopes: Vec<ApiScope>,
    },
}

/// The signed-in account. Put it before [`crate::pages::PageCtx`] in a
/// handler's arguments: the page context then shows who is signed in.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub method: AuthMethod,
}

impl CurrentUser {
    /// Whether this request may do what `scope` covers: a session may do
    /// all its account may, a token only what it was granted.
    pub fn allows(&self, scope: ApiScope) -> bool {
        match &self.method {
            AuthMethod::Session => true,
            AuthMethod::ApiToken { scopes, .. } => scopes.contains(&scope),
        }
    }
}

/// A signed-in admin; anyone else gets 403.
#[derive(Debug, Clone)]
pub struct RequireAdmin(pub CurrentUser);

fn is_api(parts: &Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}

async fn by_bearer(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, WebError> {
    let Some(token) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
    else {
        return Ok(None);
    };
    let Some((api_token, account)) = state
        .accounts
        .api_token(&session::hash_token(token))
        .await?
    else {
        return Ok(None);
    };
    let now = state.web.now();
    if account.profile.disabled || api_token.is_expired(now) {
        return Ok(None);
    }
    if api_token
        .last_used_at
        .is_none_or(|used| now - used >= TOUCH_EVERY)
    {
        state.accounts.touch_api_token(api_token.id, now).await?;
    }
    Ok(Some(CurrentUser {
        account,
        method: AuthMethod::ApiToken {
            id: api_token.id,
            scopes: api_token.scopes,
        },
    }))
}

async fn by_cookie(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, WebError> {
    let Some(token) = session::token_of(state, &parts.headers) else {
        return Ok(None);
    };
    Ok(session::resolve(state, &token)
        .await?
        .map(|account| CurrentUser {
            account,
            method: AuthMethod::Session,
        }))
}

/// Where to come back to after signing in: this page, when it is a GET.
fn login_redirect(parts: &Parts) -> Response {
    let here = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let location = if parts.method == axum::http::Method::GET && here != "/" {
        let query = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
        format!("/login?{query}")
    } else {
        "/login".to_owned()
    };
    match HeaderValue::try_from(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        Err(_) => WebError::Header.into_response(),
    }
}

fn refuse(parts: &Parts) -> Response {
    if is_api(parts) {
        let mut response = ErrorKind::Unauthorized.into_response();
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    } else if parts.headers.contains_key("hx-request") {
        // htmx would follow a redirect inside a fragment; this makes it
        // load the sign-in page as a whole page instead.
        (
            StatusCode::UNAUTHORIZED,
            [("hx-redirect", HeaderValue::from_static("/login"))],
        )
            .into_response()
    } else {
        login_redirect(parts)
    }
}

/// The only routes an account whose password an admin reset may use.
fn changes_password(parts: &Parts) -> bool {
    matches!(parts.uri.path(), "/password" | "/logout")
}

/// The refusal for everything else: pages go to `/password`, the API (an
/// extension's token too) gets 403 with a code its script can act on.
fn password_first(parts: &Parts) -> Response {
    if is_api(parts) {
        crate::panel::refusal(
            StatusCode::FORBIDDEN,
            "password_change_required",
            "An administrator reset this account's password; sign in and choose a new one.",
        )
        .into_response()
    } else if parts.headers.contains_key("hx-request") {
        (
            StatusCode::FORBIDDEN,
            [("hx-redirect", HeaderValue::from_static("/password"))],
        )
            .into_response()
    } else {
        (
            StatusCode::SEE_OTHER,
            [(LOCATION, HeaderValue::from_static("/password"))],
        )
            .into_response()
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if let Some(known) = parts.extensions.get::<CurrentUser>() {
            return Ok(known.clone());
        }
        let found = if is_api(parts) && parts.headers.contains_key(AUTHORIZATION) {
            by_bearer(parts, state).await
        } else {
            by_cookie(parts, state).await
        };
        match found {
            Ok(Some(user)) if user.account.must_change_password && !changes_password(parts) => {
                Err(password_first(parts))
            }
            Ok(Some(user)) => {
                parts.extensions.insert(user.clone());
                Ok(user)
            }
            Ok(None) => Err(refuse(parts)),
            Err(err) => Err(err.into_response()),
        }
    }
}

impl FromRequestParts<AppState> for RequireAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.account.is_admin() {
            Ok(Self(user))
        } else {
            Err(ErrorKind::Forbidden.into_response())
        }
    }
}
