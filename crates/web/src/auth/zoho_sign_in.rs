//! "Sign in with Zoho": the OAuth 2.0 authorization-code flow against the
//! org connection's accounts server (its data centre, or the custom one a
//! simulator or sandbox uses), with the same OAuth client.
//!
//! The `state` parameter is bound to the browser: a random nonce goes in a
//! short-lived cookie and `state` is the HMAC of it under the pages' CSRF
//! key, so a state made in another browser, forged or replayed after its
//! cookie was used (the callback clears it) is refused before Zoho is asked.
//! The binary implements [`ZohoSignIn`]: the code exchange, who signed in
//! (`GET /crm/v8/users?type=CurrentUser`), and keeping or revoking the
//! agent's grant, sealed per account.

use async_trait::async_trait;
use axum::http::{HeaderMap, HeaderValue};
use ringbridge_core::accounts::AccountId;
use ringbridge_core::store::StoreError;
use secrecy::SecretString;

use crate::AppState;
use crate::csrf;
use crate::session::{self, read_cookie};

/// The Zoho user behind a finished consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZohoIdentity {
    pub crm_user_id: String,
    pub email: String,
    pub name: String,
    /// The Zoho profile's name (`profile.name` of the CurrentUser answer).
    pub profile: Option<String>,
}

/// A grant Zoho issued at sign-in, not yet kept for an account.
#[derive(Debug)]
pub struct PendingGrant {
    pub identity: ZohoIdentity,
    pub refresh_token: SecretString,
    pub accounts_server: String,
    pub api_domain: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Zoho CRM is not connected")]
    NotConnected,
    /// Zoho (or the redirect) refused: denied consent, a used or expired
    /// code, an accounts server outside the connection's data centre.
    #[error("Zoho refused the sign-in: {0}")]
    Refused(String),
    #[error("Zoho could not be reached: {0}")]
    Unreachable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The service side of signing in with Zoho.
#[async_trait]
pub trait ZohoSignIn: Send + Sync {
    /// Whether Zoho is connected, so the sign-in page offers the button.
    async fn connected(&self) -> bool;
    /// The consent URL at the connection's accounts server.
    async fn authorize_url(&self, state: &str) -> Result<String, SignInError>;
    /// Exchanges the redirect's code and asks Zoho who signed in.
    async fn identify(&self, query: &str) -> Result<PendingGrant, SignInError>;
    /// Keeps the grant as `account`'s (replacing any earlier one).
    async fn keep(&self, account: AccountId, grant: PendingGrant) -> Result<(), SignInError>;
    /// Whether `account` holds a live grant (the accounts page offers to revoke it).
    async fn has_grant(&self, account: AccountId) -> Result<bool, SignInError>;
    /// Revokes `account`'s grant at Zoho and forgets it; whether it had one.
    async fn revoke(&self, account: AccountId) -> Result<bool, SignInError>;
    /// Revokes a grant no account will keep (a refused sign-in).
    async fn discard(&self, grant: PendingGrant);
}

const COOKIE_SECURE: &str = "__Host-rb_zoho_signin";
const COOKIE_PLAIN: &str = "rb_zoho_signin";
/// The consent page may take a while; a grant code lives 2 minutes after it.
const STATE_MINUTES: i64 = 15;

fn cookie_name(state: &AppState) -> &'static str {
    if state.web.config.secure_cookies {
        COOKIE_SECURE
    } else {
        COOKIE_PLAIN
    }
}

fn binding(nonce: &str) -> String {
    format!("zoho sign-in\n{nonce}")
}

/// A new state and the cookie binding it (and `next`) to this browser.
pub(crate) async fn begin(
    state: &AppState,
    next: &str,
) -> Result<(String, HeaderValue), StoreError> {
    let nonce = session::random_token();
    let key = csrf::key(state).await?;
    let signed = key.token(&binding(&nonce));
    // `next` rides in our own cookie, never through Zoho; it is checked
    // again when it comes back.
    let value = format!(
        "{nonce}.{}",
        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    );
    let cookie = session::set_cookie(
        &state.web.config,
        cookie_name(state),
        &value,
        Some(chrono::Duration::minutes(STATE_MINUTES)),
    )
    .ok_or_else(|| StoreError::Corrupt("sign-in cookie".into()))?;
    Ok((signed, cookie))
}

/// Why a callback's state is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StateProblem {
    /// No sign-in was started in this browser (or its cookie was used).
    NoCookie,
    /// The state is missing, forged, or from another browser.
    Mismatch,
}

/// Checks the callback's `state` against this browser's cookie; on
/// success, the `next` the sign-in started with.
pub(crate) async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    returned_state: Option<&str>,
) -> Result<Result<String, StateProblem>, StoreError> {
    let Some(cookie) = read_cookie(headers, cookie_name(state)) else {
        return Ok(Err(StateProblem::NoCookie));
    };
    let (nonce, next) = cookie.split_once('.').unwrap_or((cookie.as_str(), ""));
    let key = csrf::key(state).await?;
    match returned_state {
        Some(s) if !nonce.is_empty() && key.verify(&binding(nonce), s) => {}
        _ => return Ok(Err(StateProblem::Mismatch)),
    }
    let next = url::form_urlencoded::parse(format!("n={next}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok(Ok(next))
}

/// The `Set-Cookie` that ends the sign-in attempt (one use per state).
pub(crate) fn clear(state: &AppState) -> Option<HeaderValue> {
    session::clear_cookie(&state.web.config, cookie_name(state))
}
