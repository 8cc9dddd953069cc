//! The outermost layer of every page and API route here: turns error marks
//! into localized pages (or JSON on `/api/*`) and adds the security headers.

use axum::Json;
use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ctx::PageCtx;
use crate::error::ErrorKind;
use crate::i18n::{self, Lang};

/// Scripts, styles, fetches and media only from ringbridge itself; no
/// inline script or style, no plugins, no framing, forms post only here.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; media-src 'self'; font-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    kind: ErrorKind,
}

fn error_body(kind: ErrorKind, lang: Lang, api: bool) -> Response {
    if api {
        return Json(serde_json::json!({
            "error": kind.code(),
            "message": lang.t(kind.message_id()),
        }))
        .into_response();
    }
    let ctx = PageCtx::bare(lang);
    match ctx.render(
        kind.status(),
        &ErrorPage {
            ctx: ctx.clone(),
            kind,
        },
    ) {
        Ok(page) => page,
        Err(err) => {
            tracing::error!(error = %err, "cannot render the error page");
            lang.t(kind.message_id()).into_response()
        }
    }
}

fn add_security_headers(headers: &mut HeaderMap) {
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Recording links are capabilities: never leak a URL to another site.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

/// axum's own refusals (a form that does not parse, a method a route does
/// not take) are bare English text; they get the same localized page.
fn unmarked_refusal(response: &Response) -> Option<ErrorKind> {
    let status = response.status();
    let plain = response
        .headers()
        .get(CONTENT_TYPE)
        .is_none_or(|v| v.to_str().is_ok_and(|v| v.starts_with("text/plain")));
    if !status.is_client_error() || !plain {
        return None;
    }
    Some(match status {
        StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
        StatusCode::FORBIDDEN => ErrorKind::Forbidden,
        StatusCode::NOT_FOUND => ErrorKind::NotFound,
        StatusCode::TOO_MANY_REQUESTS => ErrorKind::TooManyRequests,
        _ => ErrorKind::BadRequest,
    })
}

pub async fn finish(request: Request, next: Next) -> Response {
    let lang = i18n::choose(request.uri().query(), request.headers()).lang;
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let kind = match response.extensions_mut().remove::<ErrorKind>() {
        Some(kind) => Some(kind),
        None => unmarked_refusal(&response),
    };
    if let Some(kind) = kind {
        let (mut parts, _) = response.into_parts();
        let (body_parts, body) = error_body(kind, lang, api).into_parts();
        // Keep what the refusal said (Retry-After, WWW-Authenticate,
        // Set-Cookie...), with the new body's type and length.
        parts.headers.remove(CONTENT_LENGTH);
        for name in [CONTENT_TYPE, CACHE_CONTROL] {
            if let Some(value) = body_parts.headers.get(&name) {
                parts.headers.insert(name, value.clone());
            }
        }
        response = Response::from_parts(parts, body);
    }
    add_security_headers(response.headers_mut());
    response
}
