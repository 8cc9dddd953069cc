//! The simulator's own admin endpoints, kept out of the vendor's paths under `/_sim/`:
//!
//! - `POST /_sim/play` — body: a scenario in TOML or JSON, or the name of a built-in. Query
//!   parameters override the scenario's `params` (`?caller=4155550123`); `wait=true` answers
//!   when the scenario has ended. Answers what was started (`202`) or how it ended (`200`,
//!   or `422` when a step failed); `400` for a scenario that does not parse or resolve.
//! - `GET /_sim/plays` — every play of this process and how it went.
//! - `GET /_sim/faults` — the faults in force; `POST /_sim/faults` — body: one fault or a
//!   list (JSON, or a TOML table), written like a scenario's fault step, e.g.
//!   `{"do": "refuse_websockets", "secs": 30}`; answers the faults in force.
//!
//! Access is guarded (see [`guard`]).

mod guard;
mod play;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::json;

use crate::faults::{self, Fault};
use crate::state::Shared;

pub use play::PlayStatus;

/// State of the admin routes.
#[derive(Clone)]
pub(crate) struct Admin {
    shared: Arc<Shared>,
    plays: Arc<Mutex<Vec<PlayStatus>>>,
}

/// A JSON error answer.
pub(crate) fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

async fn guarded(State(admin): State<Admin>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let token = admin.shared.settings.admin_token.as_deref();
    match guard::admit(token, peer, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            let (status, message) = refusal.status();
            let mut answer = refuse(status, message);
            if status == StatusCode::UNAUTHORIZED {
                answer.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer"),
                );
            }
            answer
        }
    }
}

/// The `/_sim/` routes.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let admin = Admin {
        shared,
        plays: Arc::new(Mutex::new(Vec::new())),
    };
    Router::new()
        .route("/_sim/play", post(play::play))
        .route("/_sim/plays", get(play::plays))
        .route("/_sim/faults", get(read_faults).post(set_faults))
        .route_layer(middleware::from_fn_with_state(admin.clone(), guarded))
        .with_state(admin)
}

async fn read_faults(State(admin): State<Admin>) -> Response {
    axum::Json(faults::report(&admin.shared)).into_response()
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum FaultBody {
    One(Fault),
    Many(Vec<Fault>),
}

fn parse_faults(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Fault>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    let parsed = if play::is_json(headers, text) {
        serde_json::from_str::<FaultBody>(text).map_err(|e| e.to_string())?
    } else {
        // `serde(untagged)` hides the reason; a TOML body is one fault table.
        FaultBody::One(toml::from_str::<Fault>(text).map_err(|e| e.to_string())?)
    };
    Ok(match parsed {
        FaultBody::One(f) => vec![f],
        FaultBody::Many(list) => list,
    })
}

async fn set_faults(State(admin): State<Admin>, headers: HeaderMap, body: Bytes) -> Response {
    let list = match parse_faults(&headers, &body) {
        Ok(list) => list,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("not a fault: {e}")),
    };
    for fault in &list {
        tracing::info!(?fault, "fault injected over /_sim/faults");
        faults::apply(&admin.shared, fault);
    }
    axum::Json(faults::report(&admin.shared)).into_response()
}
