//! The agent panel: the page (`/panel`) and its API — the live feed of
//! the agent's calls (`feed`), click-to-call (`dial`), records made by
//! hand for unknown numbers (`records`), recent calls with the state of
//! their CRM log and their recordings (`recent`), and the agent's
//! screen-pop preferences (`settings`).
//!
//! The feed and dialling are also what the browser extension calls, with
//! an agent's API token from the extension's own origin (`cors`).

mod cors;
mod dial;
mod feed;
mod notes;
mod owncall;
mod page;
mod recent;
mod records;
mod settings;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use ringbridge_core::accounts::ApiScope;
use ringbridge_core::store::StoreError;
use ringbridge_engine::EngineContext;

pub use settings::{PopSettings, SCREEN_POP_DEFAULT_KEY};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::scope::{Need, scoped};
use crate::guard::crm_limited;
use crate::pages::protect;

/// The panel's routes, protected like every page and given their state.
pub fn routes(state: AppState) -> Router {
    let s = &state;
    let panel = Router::new()
        .route("/panel", get(page::show))
        .route("/static/panel/{file}", get(page::asset))
        .route(
            "/api/calls/recent",
            scoped(s, Need::Scope(ApiScope::CallsRead), get(recent::list)),
        )
        .route(
            "/api/lookup",
            scoped(
                s,
                Need::Scope(ApiScope::RecordsRead),
                crm_limited(s, get(records::lookup)),
            ),
        )
        .route(
            "/api/calls/results",
            scoped(s, Need::Scope(ApiScope::CallsRead), get(notes::results)),
        )
        .route(
            "/api/calls/{call_id}/note",
            scoped(s, Need::Scope(ApiScope::RecordsWrite), post(notes::save)),
        )
        .route(
            "/api/records",
            scoped(
                s,
                Need::Scope(ApiScope::RecordsWrite),
                crm_limited(s, post(records::create)),
            ),
        );
    // What the browser extension calls from its own origin, with a token
    // granted `dial` and `calls:read`.
    let extension = Router::new()
        .route(
            "/api/calls/stream",
            scoped(s, Need::Scope(ApiScope::CallsRead), get(feed::stream)),
        )
        .route(
            "/api/dial",
            scoped(s, Need::Scope(ApiScope::Dial), post(dial::dial)),
        )
        .route(
            "/api/panel/settings",
            scoped(s, Need::Scope(ApiScope::CallsRead), get(settings::show)).merge(scoped(
                s,
                Need::Session,
                put(settings::save),
            )),
        );
    let extension = protect(extension, state.clone()).layer(from_fn(cors::extension_origin));
    protect(panel, state.clone())
        .merge(extension)
        .with_state(state)
}

/// A refusal the panel's script (or the extension) can act on: a stable
/// `error` code and an English `message` for logs. Sent as JSON, which the
/// pages' error layer leaves as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.code, "message": self.message })),
        )
            .into_response()
    }
}

impl From<StoreError> for Refusal {
    fn from(err: StoreError) -> Self {
        tracing::error!(error = %err, "storage failed in the agent panel");
        refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Storage failed.",
        )
    }
}

pub(crate) fn refusal(status: StatusCode, code: &'static str, message: &str) -> Refusal {
    Refusal {
        status,
        code,
        message: message.to_owned(),
    }
}

/// The extension the signed-in agent answers, or a refusal.
fn agent_extension(user: &CurrentUser) -> Result<String, Refusal> {
    user.account.profile.extension.clone().ok_or_else(|| {
        refusal(
            StatusCode::CONFLICT,
            "no_extension",
            "This account has no extension; an admin can map one.",
        )
    })
}

/// The running engine, or a refusal when no PBX and CRM are connected.
fn engine(state: &AppState) -> Result<Arc<EngineContext>, Refusal> {
    state.engine.clone().ok_or_else(|| {
        refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "engine_unavailable",
            "The phone system and the CRM are not both connected yet.",
        )
    })
}
