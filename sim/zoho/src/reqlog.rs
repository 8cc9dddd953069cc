//! Records every request each listener receives, so tests can check what a client sent.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::ApiError;
use crate::faults::{self, Listener};
use crate::state::Shared;

/// Largest request body the simulator accepts.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A request as received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub listener: Listener,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: DateTime<Utc>,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Query and form body parameters merged (body wins).
    pub fn params(&self) -> HashMap<String, String> {
        crate::oauth::routes::params(self.query.as_deref(), &self.body)
    }
}

/// All recorded requests and a count per `"METHOD /path"`.
#[derive(Debug, Default)]
pub struct RequestLog {
    pub requests: Vec<RecordedRequest>,
    pub counts: BTreeMap<String, u64>,
}

/// The buffered request body, for layers that need to look at it.
#[derive(Debug, Clone)]
pub struct BodyBytes(pub Bytes);

/// Outermost middleware of both listeners. `/_sim/` pages are not recorded. On the accounts
/// listener it also applies injected faults (the API listener does that in its gate).
pub async fn record(
    State((shared, listener)): State<(Arc<Shared>, Listener)>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError::invalid_data(serde_json::json!({})).into_response();
    };
    let path = parts.uri.path().to_owned();
    if !path.starts_with("/_sim") {
        let method = parts.method.to_string();
        let rec = RecordedRequest {
            listener,
            method: method.clone(),
            path: path.clone(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: bytes.to_vec(),
            at: shared.clock.now(),
        };
        let mut log = shared.log();
        *log.counts.entry(format!("{method} {path}")).or_default() += 1;
        log.requests.push(rec);
    }
    let mut fault = None;
    if listener == Listener::Accounts {
        fault = shared.faults().pick(listener, parts.method.as_str(), &path);
        if let Some(fault) = fault
            && let Some(resp) = faults::apply(&shared, fault).await
        {
            return resp;
        }
    }
    parts.extensions.insert(BodyBytes(bytes.clone()));
    let answer = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    faults::after(&shared, fault, answer).await
}
