//! `/healthz` (the process answers) and `/readyz` (it can do its job: the
//! database answers and the PBX stream is not failed). The CRM connection's
//! state is reported too, without making the node unready: while it needs
//! an admin to reconnect, calls are kept queued and the pages still work.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use ringbridge_engine::StreamStatus;
use serde::Serialize;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
}

/// The readiness report, also useful to a person.
#[derive(Debug, Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub database: String,
    pub pbx_stream: String,
    pub crm: String,
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = match state.store.ping().await {
        Ok(()) => "ok".to_owned(),
        Err(err) => format!("error: {err}"),
    };
    let (pbx_ok, pbx_stream) = match state.pbx_stream.as_ref().map(|rx| rx.borrow().clone()) {
        None => (true, "not configured".to_owned()),
        Some(StreamStatus::Starting) => (true, "starting".to_owned()),
        Some(StreamStatus::Connected) => (true, "connected".to_owned()),
        // A disconnected stream is being repaired by itself; the service
        // still accepts work (click-to-call, webhooks), so it stays ready.
        Some(StreamStatus::Disconnected { since, reason }) => {
            (true, format!("reconnecting since {since}: {reason}"))
        }
        Some(StreamStatus::Failed { reason }) => (false, format!("failed: {reason}")),
    };
    let crm = match state.engine.as_ref().map(|e| e.health.borrow().clone()) {
        None => "not configured".to_owned(),
        Some(health) => health.to_string(),
    };
    let ready = database == "ok" && pbx_ok;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            ready,
            database,
            pbx_stream,
            crm,
        }),
    )
}
