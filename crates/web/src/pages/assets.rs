//! Static files, embedded in the binary. Each is served under a name that
//! carries a hash of its content, so browsers may cache it for a year and
//! still see a new version the moment ringbridge is upgraded.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::ErrorKind;

const CSS: &str = include_str!("../../static/app.css");
/// The console's script: names countries in the page's language, scrolls
/// to the first refused field, previews the call log while typing.
const CONSOLE_JS: &str = include_str!("../../static/console.js");
/// The other pages' script: copy buttons.
const PAGES_JS: &str = include_str!("../../static/pages.js");

/// `stem.<first 10 hex digits of the SHA-256>.ext`: cached for a year,
/// renamed by any change (the panel's files are named the same way).
pub(crate) fn hashed(stem: &str, ext: &str, content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    format!("{stem}.{hex}.{ext}")
}

static CSS_FILE: LazyLock<String> = LazyLock::new(|| hashed("app", "css", CSS));
static CSS_URL: LazyLock<String> = LazyLock::new(|| format!("/static/{}", *CSS_FILE));
static CONSOLE_JS_FILE: LazyLock<String> = LazyLock::new(|| hashed("console", "js", CONSOLE_JS));
static CONSOLE_JS_URL: LazyLock<String> = LazyLock::new(|| format!("/static/{}", *CONSOLE_JS_FILE));
static PAGES_JS_FILE: LazyLock<String> = LazyLock::new(|| hashed("pages", "js", PAGES_JS));
static PAGES_JS_URL: LazyLock<String> = LazyLock::new(|| format!("/static/{}", *PAGES_JS_FILE));

pub fn css_url() -> &'static str {
    &CSS_URL
}

pub fn console_js_url() -> &'static str {
    &CONSOLE_JS_URL
}

pub fn pages_js_url() -> &'static str {
    &PAGES_JS_URL
}

const FAVICON: &str = include_str!("../../static/favicon.svg");

/// `/favicon.ico`: browsers ask for it on every page (an SVG; they read
/// the type from the header, not the name).
pub async fn favicon() -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        FAVICON,
    )
        .into_response()
}

pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, kind) = if file == *CSS_FILE {
        (CSS, "text/css; charset=utf-8")
    } else if file == *CONSOLE_JS_FILE {
        (CONSOLE_JS, "text/javascript; charset=utf-8")
    } else if file == *PAGES_JS_FILE {
        (PAGES_JS, "text/javascript; charset=utf-8")
    } else {
        return ErrorKind::NotFound.into_response();
    };
    immutable(body, kind)
}

/// An embedded file under its hashed name: the name changes with the
/// content, so it may be cached for a year.
pub(crate) fn immutable(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}
