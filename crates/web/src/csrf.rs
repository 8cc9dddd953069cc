//! Cross-site request forgery protection.
//!
//! The token is an HMAC-SHA256, under a server key, of what the request is
//! bound to: the session cookie's token when signed in, otherwise an
//! anonymous random cookie the sign-in and setup forms set (so a forged
//! login, which would sign a victim into the attacker's account, fails too).
//! Pages put it in a hidden `csrf_token` form field and in
//! `<meta name="csrf-token">` for htmx/fetch, which send it back as
//! `X-CSRF-Token`.
//!
//! [`protect`] checks every POST/PUT/PATCH/DELETE behind it. API calls on
//! `/api/*` that carry an `Authorization` header are exempt: a browser
//! never adds that header by itself, and such calls are authenticated by
//! the bearer token alone (the extractor ignores cookies there). So are
//! API calls with no session cookie: they carry no credential to forge.
//!
//! The key lives in the store's encrypted secrets, made on first use, so
//! tokens survive restarts and are shared by several nodes.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use ringbridge_core::store::{Store, StoreError};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::AppState;
use crate::error::{ErrorKind, WebError};
use crate::session::{self, read_cookie, set_cookie};

/// The hidden form field that carries the token.
pub const FIELD: &str = "csrf_token";
/// The header that carries the token on htmx/fetch requests.
pub const HEADER: &str = "x-csrf-token";

const ANON_SECURE: &str = "__Host-rb_csrf";
const ANON_PLAIN: &str = "rb_csrf";
const KEY_SECRET: &str = "web.csrf_key";
/// Form bodies read to find the token; a form bigger than this must send
/// the header instead.
const MAX_FORM: usize = 1024 * 1024;

/// The server's CSRF key.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl CsrfKey {
    fn mac(&self, binding: &str) -> Hmac<Sha256> {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        // Domain separation: this key signs nothing else, but say what it is.
        mac.update(b"ringbridge csrf v1\n");
        mac.update(binding.as_bytes());
        mac
    }

    pub(crate) fn token(&self, binding: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(binding).finalize().into_bytes())
    }

    /// Constant-time check of `token` against `binding`.
    pub(crate) fn verify(&self, binding: &str, token: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(token.trim()) {
            Ok(bytes) => self.mac(binding).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

async fn load_or_create(store: &dyn Store) -> Result<CsrfKey, StoreError> {
    if let Some(stored) = store.secret(KEY_SECRET).await? {
        return decode_key(&stored);
    }
    let mut fresh = [0u8; 32];
    rand::rng().fill_bytes(&mut fresh);
    store
        .put_secret(KEY_SECRET, &SecretString::from(STANDARD.encode(fresh)))
        .await?;
    // Read back: of two nodes starting together, both keep the key written last.
    let stored = store.secret(KEY_SECRET).await?.ok_or_else(|| {
        StoreError::Corrupt(format!("{KEY_SECRET} vanished after writing").into())
    })?;
    decode_key(&stored)
}

fn decode_key(stored: &SecretString) -> Result<CsrfKey, StoreError> {
    let bytes = STANDARD
        .decode(stored.expose_secret())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            StoreError::Corrupt(format!("{KEY_SECRET} is not 32 base64 bytes").into())
        })?;
    Ok(CsrfKey(bytes))
}

/// The key, loaded from the store on first use.
pub(crate) async fn key(state: &AppState) -> Result<&CsrfKey, StoreError> {
    state
        .web
        .csrf_key
        .get_or_try_init(|| load_or_create(state.store.as_ref()))
        .await
}

fn anon_cookie(state: &AppState) -> &'static str {
    if state.web.config.secure_cookies {
        ANON_SECURE
    } else {
        ANON_PLAIN
    }
}

/// What a request's token is bound to, if it carries anything to bind to.
fn binding(state: &AppState, headers: &HeaderMap) -> Option<String> {
    session::token_of(state, headers).or_else(|| read_cookie(headers, anon_cookie(state)))
}

/// The token a page puts in its forms, and the anonymous cookie to set when
/// the browser had nothing to bind it to yet.
#[derive(Debug, Clone)]
pub struct CsrfToken {
    pub value: String,
    pub(crate) set_cookie: Option<HeaderValue>,
}

pub(crate) async fn for_request(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<CsrfToken, StoreError> {
    let key = key(state).await?;
    Ok(match binding(state, headers) {
        Some(bound) => CsrfToken {
            value: key.token(&bound),
            set_cookie: None,
        },
        None => {
            let anon = session::random_token();
            CsrfToken {
                value: key.token(&anon),
                // Ends with the browser: it only guards a sign-in form.
                set_cookie: set_cookie(&state.web.config, anon_cookie(state), &anon, None),
            }
        }
    })
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Middleware: refuses a state-changing request without a valid token (403).
pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    let api = request.uri().path().starts_with("/api/");
    let bearer = api && request.headers().contains_key(AUTHORIZATION);
    // With no session cookie the API has no ambient credential to abuse;
    // the extractor answers 401 itself.
    let anonymous_api = api && session::token_of(&state, request.headers()).is_none();
    if safe || bearer || anonymous_api {
        return next.run(request).await;
    }
    let Some(bound) = binding(&state, request.headers()) else {
        return ErrorKind::Csrf.into_response();
    };
    let key = match key(&state).await {
        Ok(key) => key.clone(),
        Err(err) => return WebError::from(err).into_response(),
    };
    if let Some(sent) = request.headers().get(HEADER) {
        let ok = sent.to_str().is_ok_and(|t| key.verify(&bound, t));
        return if ok {
            next.run(request).await
        } else {
            ErrorKind::Csrf.into_response()
        };
    }
    if !is_form(request.headers()) {
        return ErrorKind::Csrf.into_response();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return ErrorKind::BadRequest.into_response();
    };
    let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == FIELD))
        .map(|(_, v)| v);
    match sent {
        Some(token) if key.verify(&bound, &token) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => ErrorKind::Csrf.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_to_key_and_binding() {
        let key = CsrfKey([7; 32]);
        let token = key.token("session-a");
        assert!(key.verify("session-a", &token));
        assert!(!key.verify("session-b", &token));
        assert!(!CsrfKey([8; 32]).verify("session-a", &token));
        assert!(!key.verify("session-a", ""));
        assert!(!key.verify("session-a", "not base64 !"));
        let mut forged = token.clone().into_bytes();
        forged[0] = if forged[0] == b'A' { b'B' } else { b'A' };
        assert!(!key.verify("session-a", &String::from_utf8(forged).unwrap()));
    }

    #[test]
    fn stored_keys_must_be_32_bytes() {
        assert!(decode_key(&SecretString::from(STANDARD.encode([1u8; 32]))).is_ok());
        assert!(decode_key(&SecretString::from(STANDARD.encode([1u8; 16]))).is_err());
        assert!(decode_key(&SecretString::from("%%%".to_owned())).is_err());
    }
}
