//! Browser sessions. The cookie holds a random 256-bit token; the store
//! keeps only its SHA-256, so a stolen database holds no usable session.
//! A session ends when unused for `session_idle`, `session_max` after
//! sign-in whatever its use, at logout, or when its account is disabled.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use cookie::{Cookie, SameSite};
use rand::RngCore;
use ringbridge_core::accounts::{Account, AccountId, NewSession, TokenHash};
use ringbridge_core::store::StoreError;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::WebConfig;

/// With `Secure` cookies, the `__Host-` prefix makes browsers refuse the
/// cookie unless it is Secure, host-only and for `/`: a sibling subdomain
/// cannot plant a session.
const COOKIE_SECURE: &str = "__Host-rb_session";
const COOKIE_PLAIN: &str = "rb_session";

/// A session's last use is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);
/// Longer user agents are cut: the column is for recognising a browser.
const MAX_USER_AGENT: usize = 256;

pub(crate) fn cookie_name(config: &WebConfig) -> &'static str {
    if config.secure_cookies {
        COOKIE_SECURE
    } else {
        COOKIE_PLAIN
    }
}

/// 256 random bits, URL-safe base64 (43 characters).
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn hash_token(token: &str) -> TokenHash {
    TokenHash(Sha256::digest(token.as_bytes()).into())
}

/// The value of cookie `name` in a request, if any.
pub(crate) fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value with ringbridge's attributes: `/`, `SameSite=Lax`
/// (sent on top-level navigation from Zoho's links, never on cross-site
/// posts), `HttpOnly` unless the page's own code must read it, `Secure` as
/// configured. `max_age: None` is a cookie that ends with the browser.
pub(crate) fn set_cookie(
    config: &WebConfig,
    name: &'static str,
    value: &str,
    max_age: Option<Duration>,
) -> Option<HeaderValue> {
    let mut cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.secure_cookies);
    if let Some(age) = max_age {
        cookie = cookie.max_age(cookie::time::Duration::seconds(age.num_seconds()));
    }
    HeaderValue::try_from(cookie.build().to_string()).ok()
}

/// A `Set-Cookie` that removes cookie `name`.
pub(crate) fn clear_cookie(config: &WebConfig, name: &'static str) -> Option<HeaderValue> {
    set_cookie(config, name, "", Some(Duration::zero()))
}

/// The session token a request carries, if any.
pub(crate) fn token_of(state: &AppState, headers: &HeaderMap) -> Option<String> {
    read_cookie(headers, cookie_name(&state.web.config))
}

/// Signs `account` in: stores a new session and returns the token and the
/// `Set-Cookie` header that hands it to the browser.
pub(crate) async fn start(
    state: &AppState,
    account: AccountId,
    user_agent: Option<&str>,
    client: Option<std::net::IpAddr>,
) -> Result<(String, Option<HeaderValue>), StoreError> {
    let config = &state.web.config;
    let now = state.web.now();
    // Sign-in is rare enough to be the moment to sweep dead sessions.
    state
        .accounts
        .prune_sessions(now, now - config.session_idle())
        .await?;
    let token = random_token();
    state
        .accounts
        .create_session(&NewSession {
            hash: hash_token(&token),
            account_id: account,
            created_at: now,
            expires_at: now + config.session_max(),
            user_agent: user_agent.map(|ua| ua.chars().take(MAX_USER_AGENT).collect()),
            client_addr: client.map(|ip| ip.to_string()),
        })
        .await?;
    let cookie = set_cookie(
        config,
        cookie_name(config),
        &token,
        Some(config.session_max()),
    );
    Ok((token, cookie))
}

/// The account behind a session token, when the session is live and the
/// account enabled. Expired sessions are deleted on sight.
pub(crate) async fn resolve(state: &AppState, token: &str) -> Result<Option<Account>, StoreError> {
    let hash = hash_token(token);
    let Some((session, account)) = state.accounts.session(&hash).await? else {
        return Ok(None);
    };
    let now = state.web.now();
    let idle = now - session.last_seen_at >= state.web.config.session_idle();
    if now >= session.expires_at || idle {
        state.accounts.delete_session(&hash).await?;
        return Ok(None);
    }
    if account.profile.disabled {
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        state.accounts.touch_session(&hash, now).await?;
    }
    Ok(Some(account))
}

/// The handle ([`ringbridge_core::accounts::Session::handle`]) of the
/// session a request carries, if any.
pub(crate) fn current_handle(state: &AppState, headers: &HeaderMap) -> Option<String> {
    token_of(state, headers).map(|token| {
        hash_token(&token).to_hex()[..ringbridge_core::accounts::SESSION_HANDLE_LEN].to_owned()
    })
}

/// Ends the session with this token (a no-op if there is none).
pub(crate) async fn end(state: &AppState, token: &str) -> Result<(), StoreError> {
    state.accounts.delete_session(&hash_token(token)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_256_bit_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&random_token()));
        // SHA-256 of the empty string, to pin the algorithm.
        assert_eq!(
            hash_token("").to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn cookies_carry_the_security_attributes() {
        let secure = WebConfig::default();
        let v = set_cookie(
            &secure,
            cookie_name(&secure),
            "abc",
            Some(Duration::hours(1)),
        )
        .unwrap();
        let v = v.to_str().unwrap();
        assert!(v.starts_with("__Host-rb_session=abc"), "{v}");
        for attr in [
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/",
            "Max-Age=3600",
        ] {
            assert!(v.contains(attr), "{attr} missing from {v}");
        }
        let plain = WebConfig {
            secure_cookies: false,
            ..WebConfig::default()
        };
        let v = clear_cookie(&plain, cookie_name(&plain)).unwrap();
        let v = v.to_str().unwrap();
        assert!(v.starts_with("rb_session=;"), "{v}");
        assert!(!v.contains("Secure") && v.contains("Max-Age=0"), "{v}");
    }

    #[test]
    fn cookies_are_read_from_every_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; rb_lang=en"));
        headers.append(COOKIE, HeaderValue::from_static("rb_session=tok"));
        assert_eq!(read_cookie(&headers, "rb_session").as_deref(), Some("tok"));
        assert_eq!(read_cookie(&headers, "a").as_deref(), Some("1"));
        assert_eq!(read_cookie(&headers, "b"), None);
    }
}
