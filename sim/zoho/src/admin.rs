//! The simulator's own admin endpoints under `/_sim/` on the API listener (outside Zoho's
//! paths): read the request log, the per-endpoint counts and the credits, inject and clear
//! faults, revoke or expire tokens, mint a user's tokens — what tests do from Rust, for
//! scripts and other languages. Also the layout: fields an admin makes mandatory or unique.
//!
//! Guard: with `--admin-token` a request needs `Authorization: Bearer <token>`; without it
//! only loopback clients are answered. These endpoints hand out tokens, revoke grants and
//! show recorded requests (which carry access tokens and the client secret), so a simulator
//! listening on a shared network must not offer them to other hosts unauthenticated.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::cli_faults::FaultSpec;
use crate::faults::{FaultRule, FaultTarget, Listener};
use crate::state::Shared;
use crate::store::fields::fields;
use crate::store::module::Module;

type S = State<Arc<Shared>>;

pub fn routes(shared: &Arc<Shared>) -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sim/requests", get(requests).delete(clear_requests))
        .route("/_sim/counts", get(counts))
        .route(
            "/_sim/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sim/tokens", post(tokens))
        .route("/_sim/layout", post(layout))
        .route_layer(from_fn_with_state(Arc::clone(shared), guard))
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn refuse(status: StatusCode, why: &str) -> Response {
    answer(status, json!({"error": why}))
}

/// Compares without stopping at the first difference (no timing hint about the secret).
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn guard(State(shared): S, req: Request, next: Next) -> Response {
    let allowed = match &shared.config.admin_token {
        Some(secret) => req
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| same_secret(t.trim().as_bytes(), secret.as_bytes())),
        None => req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback()),
    };
    if allowed {
        next.run(req).await
    } else if shared.config.admin_token.is_some() {
        refuse(StatusCode::UNAUTHORIZED, "admin token required")
    } else {
        refuse(StatusCode::FORBIDDEN, "loopback clients only")
    }
}

fn listener_name(l: Listener) -> &'static str {
    match l {
        Listener::Accounts => "accounts",
        Listener::Api => "api",
    }
}

/// `GET /_sim/requests[?since=N]`: the recorded requests from index `N` on (default 0),
/// oldest first, each with its index, so a script can poll for what is new.
async fn requests(State(shared): S, RawQuery(q): RawQuery) -> Response {
    let since = match crate::api::query(q.as_deref()).get("since") {
        None => 0,
        Some(n) => match n.parse::<usize>() {
            Ok(n) => n,
            Err(_) => return bad("since: a request index"),
        },
    };
    let log = shared.log();
    let list: Vec<Value> = log
        .requests
        .iter()
        .enumerate()
        .skip(since)
        .map(|(n, r)| {
            json!({
                "n": n, "listener": listener_name(r.listener), "method": r.method,
                "path": r.path, "query": r.query, "at": r.at.to_rfc3339(),
                "headers": r.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                "body": r.body_text(),
            })
        })
        .collect();
    answer(StatusCode::OK, json!({"requests": list}))
}

async fn clear_requests(State(shared): S) -> Response {
    let mut log = shared.log();
    log.requests.clear();
    log.counts.clear();
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_sim/counts`: requests per `METHOD /path`, credits of the rolling day, faults.
async fn counts(State(shared): S) -> Response {
    let now = shared.clock.now();
    let limit = {
        let inner = shared.lock();
        inner
            .settings
            .edition
            .credit_limit(inner.store.org.users_license_purchased)
    };
    let requests = shared.log().counts.clone();
    let injected = shared.faults().injected();
    answer(
        StatusCode::OK,
        json!({
            "requests": requests,
            "credits": {"used": shared.limits.used(now), "limit": limit},
            "faults_injected": injected,
        }),
    )
}

async fn faults(State(shared): S) -> Response {
    answer(
        StatusCode::OK,
        json!({"faults_injected": shared.faults().injected()}),
    )
}

async fn clear_faults(State(shared): S) -> Response {
    shared.faults().clear();
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /_sim/faults` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// `--fault` syntax (`too-many-requests:25`, `hang`, `apply-then-drop`, ...), or
    /// `revoke-tokens` / `expire-tokens`, which act at once.
    kind: String,
    /// Only the next `n` matching requests (instead of a percentage).
    next: Option<u32>,
    /// Seed of the percentage draw (default 1).
    seed: Option<u64>,
    /// `api` (default), `accounts` or `both`.
    listener: Option<String>,
    method: Option<String>,
    path_prefix: Option<String>,
    /// For `revoke-tokens`: only this user's grants (default: everyone's).
    email: Option<String>,
}

fn bad(why: &str) -> Response {
    refuse(StatusCode::BAD_REQUEST, why)
}

async fn add_fault(State(shared): S, body: Bytes) -> Response {
    let req: FaultRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad(&format!("body: {e}")),
    };
    match req.kind.as_str() {
        "revoke-tokens" => return revoke(&shared, req.email.as_deref()),
        "expire-tokens" => {
            shared.lock().oauth.expire_all_access();
            return answer(StatusCode::OK, json!({"expired": true}));
        }
        _ => {}
    }
    let spec: FaultSpec = match req.kind.parse() {
        Ok(s) => s,
        Err(e) => return bad(&e),
    };
    let mut rule = match req.next {
        Some(n) => FaultRule::next(n, spec.fault),
        None => spec.rule(req.seed.unwrap_or(1)),
    };
    rule = rule.on(match req.listener.as_deref() {
        None | Some("api") => FaultTarget::Api,
        Some("accounts") => FaultTarget::Accounts,
        Some("both") => FaultTarget::Both,
        Some(other) => return bad(&format!("listener {other:?}: api, accounts or both")),
    });
    if let Some(m) = &req.method {
        rule = rule.method(m);
    }
    if let Some(p) = req.path_prefix {
        rule = rule.path_prefix(p);
    }
    shared.faults().add(rule);
    answer(
        StatusCode::CREATED,
        json!({"fault": spec.fault.name(), "percent": spec.percent, "next": req.next}),
    )
}

fn revoke(shared: &Shared, email: Option<&str>) -> Response {
    let mut inner = shared.lock();
    let user = match email {
        Some(e) => match inner.store.user_by_email(e) {
            Some(u) => Some(u.id.clone()),
            None => return bad(&format!("unknown user {e:?}")),
        },
        None => None,
    };
    let revoked = inner.oauth.revoke_all(user.as_deref());
    answer(StatusCode::OK, json!({"revoked_refresh_tokens": revoked}))
}

/// `POST /_sim/layout` body: the module's layout-mandatory and/or unique fields (each list
/// given replaces the module's previous one).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutRequest {
    module: String,
    mandatory: Option<Vec<String>>,
    unique: Option<Vec<String>>,
}

async fn layout(State(shared): S, body: Bytes) -> Response {
    let req: LayoutRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad(&format!("body: {e}")),
    };
    let Some(module) = Module::parse(&req.module) else {
        return bad(&format!("unknown module {:?}", req.module));
    };
    let unknown = req
        .mandatory
        .iter()
        .chain(&req.unique)
        .flatten()
        .find(|n| !fields(module).iter().any(|f| f.api_name == n.as_str()));
    if let Some(n) = unknown {
        return bad(&format!("{} has no field {n:?}", req.module));
    }
    let mut inner = shared.lock();
    let layout = &mut inner.store.layout;
    if let Some(m) = req.mandatory {
        layout.mandatory.insert(module, m);
    }
    if let Some(u) = req.unique {
        layout.unique.insert(module, u);
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    email: String,
    scopes: Vec<String>,
}

/// `POST /_sim/tokens {"email", "scopes"}`: a refresh and access token for that user, as
/// if they had consented (their requests then see only what their role and profile allow).
async fn tokens(State(shared): S, body: Bytes) -> Response {
    let req: TokenRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad(&format!("body: {e}")),
    };
    let now = shared.clock.now();
    let mut inner = shared.lock();
    let Some(user_id) = inner
        .store
        .user_by_email(&req.email)
        .filter(|u| u.active)
        .map(|u| u.id.clone())
    else {
        return bad(&format!("no active user {:?}", req.email));
    };
    let t = inner
        .oauth
        .issue_pair(&shared.config.client_id, &user_id, req.scopes, now);
    answer(
        StatusCode::OK,
        json!({
            "access_token": t.access_token,
            "refresh_token": t.refresh_token,
            "user_id": user_id,
        }),
    )
}
