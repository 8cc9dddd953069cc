//! HTTP routing and the request gate every API call passes: IP block / allow-list, the
//! mandatory `User-Agent`, endpoint existence and method, then the `access_token` query param.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use bytes::Bytes;

use crate::api::{self, Ctx};
use crate::codes::{ApiError, ApiResult};
use crate::state::Shared;

/// What serves an endpoint.
#[derive(Clone, Copy)]
enum Handler {
    Sync(fn(&Ctx) -> ApiResult),
    WebhookTest,
}

/// `(method, needs token, handler)` for a known endpoint.
fn lookup(version: &str, path: &str) -> Option<(Method, bool, Handler)> {
    use Handler::Sync as S;
    use api::*;
    let (m, h) = match (version, path) {
        ("v1.0", "get_token") => return Some((Method::POST, false, S(auth::get_token))),
        ("v1.0", "refresh_token") => return Some((Method::POST, false, S(auth::refresh_token))),
        ("v1.0", "del_token") => (Method::GET, S(auth::del_token)),
        ("v1.0", "system/information") => (Method::GET, S(system::information)),
        ("v1.0", "extension/list") => (Method::GET, S(extensions::list)),
        ("v1.0", "extension/search") => (Method::GET, S(extensions::search)),
        ("v1.0", "extension/get") => (Method::GET, S(extensions::get)),
        ("v1.0", "extension/query") => (Method::GET, S(extensions::query)),
        ("v1.0", "extension/update") => (Method::POST, S(extensions::update)),
        ("v1.0", "call/dial") => (Method::POST, S(calls::dial)),
        ("v1.0", "call/hangup") => (Method::POST, S(calls::hangup)),
        ("v1.0", "call/transfer") => (Method::POST, S(calls::transfer)),
        ("v1.0", "call/hold") => (Method::POST, S(control::hold)),
        ("v1.0", "call/unhold") => (Method::POST, S(control::unhold)),
        ("v1.0", "call/mute") => (Method::POST, S(control::mute)),
        ("v1.0", "call/unmute") => (Method::POST, S(control::unmute)),
        ("v1.0", "call/accept_inbound") => (Method::POST, S(control::accept_inbound)),
        ("v1.0", "call/refuse_inbound") => (Method::POST, S(control::refuse_inbound)),
        ("v1.0", "call/query") => (Method::GET, S(calls::query)),
        ("v1.0", "queue/call_status") => (Method::GET, S(calls::queue_status)),
        ("v1.0", "cdr/list") => (Method::GET, S(cdr::list)),
        ("v1.0", "cdr/search") => (Method::GET, S(cdr::search)),
        ("v1.0", "recording/list") => (Method::GET, S(recordings::list)),
        ("v1.0", "recording/search") => (Method::GET, S(recordings::search)),
        ("v1.0", "recording/get") => (Method::GET, S(recordings::get)),
        ("v1.0", "recording/download") => (Method::GET, S(recordings::download)),
        ("v1.0", "company_contact/list") => (Method::GET, S(contacts::list)),
        ("v1.0", "company_contact/search") => (Method::GET, S(contacts::search)),
        ("v1.0", "company_contact/get") => (Method::GET, S(contacts::get)),
        ("v1.0", "company_contact/create") => (Method::POST, S(contacts::create)),
        ("v1.0", "company_contact/update") => (Method::POST, S(contacts::update)),
        ("v1.0", "company_contact/delete") => (Method::GET, S(contacts::delete)),
        ("v1.0", "phonebook/list") => (Method::GET, S(phonebooks::list)),
        ("v1.0", "phonebook/search") => (Method::GET, S(phonebooks::search)),
        ("v1.0", "phonebook/get") => (Method::GET, S(phonebooks::get)),
        ("v1.0", "phonebook/create") => (Method::POST, S(phonebooks::create)),
        ("v1.0", "phonebook/update") => (Method::POST, S(phonebooks::update)),
        ("v1.0", "phonebook/delete") => (Method::GET, S(phonebooks::delete)),
        ("v1.0", "webhook/query") => (Method::GET, S(webhooks::query)),
        ("v1.0", "webhook/update") => (Method::POST, S(webhooks::update)),
        ("v1.0", "webhook/test") => (Method::GET, Handler::WebhookTest),
        ("v2.0", "cdr/list") => (Method::GET, S(cdr::list_v2)),
        ("v2.0", "cdr/search") => (Method::GET, S(cdr::search_v2)),
        _ => return None,
    };
    Some((m, true, h))
}

/// The simulator's routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/openapi/{version}/{*path}", any(openapi))
        .route("/api/download/{name}", get(crate::download::serve))
        .route(
            "/api/downloadattachment/{name}",
            get(crate::download::serve),
        )
        .with_state(shared.clone())
        .merge(crate::admin::router(shared))
}

#[allow(clippy::too_many_arguments)] // axum extractors
async fn openapi(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((version, path)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    method: Method,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    body: Bytes,
) -> Response {
    shared.count(&format!("{version}/{path}"));
    let ip = peer.ip();
    if let Err(e) = shared.auth().check_ip(ip) {
        return e.into_response();
    }
    let Ok(pairs) =
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
    else {
        return ApiError::ParameterError.into_response();
    };
    let query: HashMap<String, String> = pairs.into_iter().collect();
    let token_param = query.get("access_token").map(String::as_str);
    if version == "v1.0" && path == "subscribe" {
        // WebSocket clients often send no User-Agent; the PBX's rule for the upgrade is
        // undocumented, so only the token is enforced here.
        return crate::ws::upgrade(shared.clone(), token_param, ws);
    }
    // User-Agent is mandatory; the errcode for a missing one is unconfirmed (10005).
    if headers
        .get(header::USER_AGENT)
        .is_none_or(|ua| ua.as_bytes().iter().all(u8::is_ascii_whitespace))
    {
        return ApiError::AccessDenied.into_response();
    }
    let Some((want, needs_token, handler)) = lookup(&version, &path) else {
        return ApiError::InterfaceNotExisted.into_response();
    };
    if method != want {
        // Wrong verb for a known endpoint: the PBX's answer is unconfirmed; treated as an
        // interface that does not exist for that verb.
        return ApiError::InterfaceNotExisted.into_response();
    }
    let token = if needs_token {
        // Only the query parameter counts; `Authorization: Bearer` is ignored.
        match shared.auth().validate(token_param, shared.clock.now()) {
            Ok(t) => Some(t),
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    let ctx = Ctx {
        shared,
        query,
        body,
        ip,
        token,
    };
    let result = match handler {
        Handler::Sync(f) => f(&ctx),
        Handler::WebhookTest => api::webhooks::test(&ctx).await,
    };
    match result {
        Ok(reply) => reply.into_response(),
        Err(e) => e.into_response(),
    }
}
