//! `POST /_sim/play` and `GET /_sim/plays`.

use std::sync::{Mutex, PoisonError};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

use super::{Admin, refuse};
use crate::scenario::{BUILTIN_NAMES, Scenario, ScenarioError, builtin, player};

/// One play of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlayStatus {
    /// Play number in this process (1, 2, …).
    pub id: u64,
    /// Scenario name.
    pub scenario: String,
    /// `running`, `done` or `failed`.
    pub state: &'static str,
    /// `start_at` as given, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    /// The scenario's call labels.
    pub labels: Vec<String>,
    /// PBX call ids it created (when done).
    pub call_ids: Vec<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Whether a body is JSON: by its content type, else by its first character.
pub(super) fn is_json(headers: &HeaderMap, text: &str) -> bool {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    declared || text.trim_start().starts_with(['{', '['])
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The scenario a body names or holds.
fn scenario_of(headers: &HeaderMap, body: &[u8]) -> Result<Scenario, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    let name = text.trim();
    if is_name(name) {
        return builtin(name).map_err(|e| format!("{e}; built-ins: {}", BUILTIN_NAMES.join(", ")));
    }
    if is_json(headers, text) {
        return serde_json::from_str(text).map_err(|e| format!("scenario JSON: {e}"));
    }
    Scenario::from_toml(text).map_err(|e| e.to_string())
}

fn with_params(mut sc: Scenario, query: Option<&str>) -> Result<(Scenario, bool), String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or_default()).map_err(|e| e.to_string())?;
    let mut wait = false;
    for (key, value) in pairs {
        if key == "wait" {
            wait = matches!(value.as_str(), "" | "1" | "true" | "yes");
            continue;
        }
        sc = sc.with_param(&key, value).map_err(|e| e.to_string())?;
    }
    Ok((sc, wait))
}

/// Applies `f` to play `id`; `None` if there is no such play.
fn update(
    plays: &Mutex<Vec<PlayStatus>>,
    id: u64,
    f: impl FnOnce(&mut PlayStatus),
) -> Option<PlayStatus> {
    let mut list = plays.lock().unwrap_or_else(PoisonError::into_inner);
    let entry = list.iter_mut().find(|p| p.id == id)?;
    f(entry);
    Some(entry.clone())
}

fn finished(result: &Result<Vec<String>, ScenarioError>) -> impl FnOnce(&mut PlayStatus) {
    let result = result.clone();
    move |p| match result {
        Ok(ids) => {
            p.state = "done";
            p.call_ids = ids;
        }
        Err(e) => {
            p.state = "failed";
            p.error = Some(e.to_string());
        }
    }
}

pub(super) async fn play(
    State(admin): State<Admin>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = scenario_of(&headers, &body).and_then(|sc| with_params(sc, query.as_deref()));
    let (scenario, wait) = match parsed {
        Ok(p) => p,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e),
    };
    // Checked before anything starts, so a bad scenario is a 400, not a failed play.
    let resolved = match scenario.resolved() {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.to_string()),
    };
    if let Some(start) = &resolved.start_at
        && let Err(e) = start.epoch(admin.shared.settings.zone())
    {
        return refuse(StatusCode::BAD_REQUEST, e.to_string());
    }
    let status = {
        let mut list = admin.plays.lock().unwrap_or_else(PoisonError::into_inner);
        let status = PlayStatus {
            id: list.len() as u64 + 1,
            scenario: resolved.name.clone(),
            state: "running",
            start_at: resolved.start_at.map(|s| s.to_string()),
            labels: resolved.calls.iter().map(|c| c.id.clone()).collect(),
            call_ids: Vec::new(),
            error: None,
        };
        list.push(status.clone());
        status
    };
    tracing::info!(id = status.id, scenario = %status.scenario, "playing over /_sim/play");
    let (shared, plays, id) = (admin.shared.clone(), admin.plays.clone(), status.id);
    let task = tokio::spawn(async move {
        let result = player::play(&shared, &scenario).await;
        update(&plays, id, finished(&result))
    });
    if !wait {
        return (StatusCode::ACCEPTED, axum::Json(status)).into_response();
    }
    match task.await {
        // A play that failed on the way answers 422, so scripts (`curl --fail`) notice.
        Ok(Some(done)) if done.state == "failed" => {
            (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(done)).into_response()
        }
        Ok(Some(done)) => axum::Json(done).into_response(),
        Ok(None) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "play record lost"),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

pub(super) async fn plays(State(admin): State<Admin>) -> Response {
    let list = admin
        .plays
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    axum::Json(serde_json::json!({ "plays": list })).into_response()
}
