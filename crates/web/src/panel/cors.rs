//! Cross-origin access for the browser extension, and only for it.
//!
//! The extension's background worker calls `/api/dial` and
//! `/api/calls/stream` from a `chrome-extension://` (or `moz-extension://`)
//! origin with an agent's API token. Such origins get CORS headers; no
//! response ever allows credentials, so a browser never attaches
//! ringbridge's session cookie to a cross-origin call. A cross-origin
//! request without a bearer token is refused outright: whatever page sent
//! it, the session cookie is not a credential there.

use axum::extract::Request;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, AUTHORIZATION, HOST, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::refusal;

const EXTENSION_SCHEMES: [&str; 2] = ["chrome-extension://", "moz-extension://"];

fn origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(ORIGIN).and_then(|v| v.to_str().ok())
}

fn is_extension(origin: &str) -> bool {
    EXTENSION_SCHEMES.iter().any(|s| origin.starts_with(s))
}

/// The request comes from ringbridge's own pages (or has no Origin at all,
/// as same-origin GETs and non-browser clients do).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = origin(headers) else {
        return true;
    };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

fn allow(response: &mut Response, origin: &str) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    headers.append(VARY, HeaderValue::from_static("Origin"));
}

pub async fn extension_origin(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let from_extension = origin(headers)
        .filter(|o| is_extension(o))
        .map(str::to_owned);
    if request.method() == Method::OPTIONS {
        let Some(origin) = from_extension else {
            return StatusCode::FORBIDDEN.into_response();
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        allow(&mut response, &origin);
        let headers = response.headers_mut();
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type"),
        );
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        return response;
    }
    if !same_origin(headers) && !headers.contains_key(AUTHORIZATION) {
        return refusal(
            StatusCode::UNAUTHORIZED,
            "token_required",
            "Calls from another origin need an API token.",
        )
        .into_response();
    }
    let mut response = next.run(request).await;
    if let Some(origin) = from_extension {
        allow(&mut response, &origin);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_extension_schemes_count_as_the_extension() {
        assert!(is_extension("chrome-extension://abcdef"));
        assert!(is_extension("moz-extension://1234"));
        assert!(!is_extension("https://evil.example"));
        assert!(!is_extension("null"));
    }

    /// A route behind the layer, served on loopback.
    async fn serve() -> String {
        let app = axum::Router::new()
            .route("/api/dial", axum::routing::post(|| async { "dialled" }))
            .layer(axum::middleware::from_fn(extension_origin));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/dial", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    #[tokio::test]
    async fn only_the_extension_gets_cors_and_never_with_credentials() {
        let url = serve().await;
        let client = reqwest::Client::new();
        let extension = "chrome-extension://abcdefghijklmnop";

        let preflight = client
            .request(Method::OPTIONS, &url)
            .header("origin", extension)
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 204);
        assert_eq!(
            preflight.headers()["access-control-allow-origin"],
            extension
        );
        assert!(
            !preflight
                .headers()
                .contains_key("access-control-allow-credentials")
        );

        let evil = client
            .request(Method::OPTIONS, &url)
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(evil.status(), 403);
        assert!(!evil.headers().contains_key("access-control-allow-origin"));

        // A simple cross-site POST (no preflight) riding on a cookie: refused.
        let forged = client
            .post(&url)
            .header("origin", "https://evil.example")
            .header("cookie", "rb_session=stolen-by-ambient-authority")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 401);

        let from_extension = client
            .post(&url)
            .header("origin", extension)
            .bearer_auth("rbt_token")
            .send()
            .await
            .unwrap();
        assert_eq!(from_extension.status(), 200);
        assert_eq!(
            from_extension.headers()["access-control-allow-origin"],
            extension
        );

        let host = url
            .trim_start_matches("http://")
            .trim_end_matches("/api/dial");
        let same_origin = client
            .post(&url)
            .header("origin", format!("http://{host}"))
            .send()
            .await
            .unwrap();
        assert_eq!(same_origin.status(), 200);
        assert!(
            !same_origin
                .headers()
                .contains_key("access-control-allow-origin")
        );
    }

    #[test]
    fn same_origin_compares_host_and_port() {
        assert!(same_origin(&headers(&[("host", "rb.local:8080")])));
        assert!(same_origin(&headers(&[
            ("host", "rb.local:8080"),
            ("origin", "https://rb.local:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "rb.local:8080"),
            ("origin", "https://rb.local:9090")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "rb.local"),
            ("origin", "https://evil.example")
        ])));
    }
}
