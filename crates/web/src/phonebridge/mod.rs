//! Zoho PhoneBridge calling ringbridge, server to server: click-to-dial and
//! call control at the URLs ringbridge registers per user (see `serve`'s
//! PhoneBridge registration). Not behind the session/CSRF layers: every
//! request is authenticated by the user's authorization value
//! (`authorizationparam`, compared in constant time by the Zoho crate),
//! found through the user parameter ringbridge registered with it.
//!
//! Answers: `{"status":"success","code":"SUCCESS"}` (Zoho's own success
//! shape), or `{"status":"error","code":…,"message":…}` with a 4xx/5xx:
//! 401 for a missing/wrong authorization or an unknown user, 400 for a
//! malformed request, 409 when the user has no extension or no such call,
//! 501 `NOT_SUPPORTED` for a call-control action the PBX connection cannot
//! do, 502 when the PBX refused, 503 when no PBX is connected.

mod control;
mod dial;

use std::sync::Arc;

use async_trait::async_trait;
use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ringbridge_core::telephony::DialStart;
use ringbridge_zoho::phonebridge::{InboundNames, InboundRefusal, Unattended};
use secrecy::SecretString;

use crate::AppState;

pub use control::action_path;

/// Where Zoho posts a click-to-dial.
pub const CLICK_TO_DIAL_PATH: &str = "/zoho/phonebridge/clicktodial";
/// Where Zoho posts call-control actions: `{CALL_CONTROL_PATH}/{action}`.
pub const CALL_CONTROL_PATH: &str = "/zoho/phonebridge/callcontrol";
/// The `authorizationparam` name: Zoho sends the value as this header or parameter.
pub const AUTHORIZATION_NAME: &str = "X-Ringbridge-Auth";
/// The `clicktodialparam`/`callcontrolparam` Zoho echoes back: the CRM user id.
pub const USER_PARAM: &str = "rb_user";

/// Why a click-to-dial could not start, as Zoho's `clicktodialerror` wants it.
#[derive(Debug, Clone)]
pub struct DialFailure {
    pub zoho_user: String,
    /// The agent side (`from`): the extension, or `unknown` when none is mapped.
    pub extension: String,
    /// The customer side (`to`), as Zoho sent it.
    pub number: String,
    pub code: Unattended,
    /// Shown to the user by Zoho.
    pub message: String,
}

/// What the routes need from the PhoneBridge registration.
#[async_trait]
pub trait PhoneBridgeHooks: Send + Sync {
    /// The authorization value registered for `zoho_user`; `None` when the
    /// user is not registered (or PhoneBridge mode is off).
    fn authorization(&self, zoho_user: &str) -> Option<SecretString>;

    /// Tells Zoho a click-to-dial could not start (best-effort).
    async fn dial_failed(&self, failure: DialFailure);

    /// The PBX accepted a click-to-dial; a failure it reports later
    /// (Yeastar 30015) is told to Zoho too. Default: not followed.
    fn dial_started(&self, _dial: DialStart) {}
}

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route(
            CLICK_TO_DIAL_PATH,
            get(dial::click_to_dial).post(dial::click_to_dial),
        )
        .route(
            &format!("{CALL_CONTROL_PATH}/{{action}}"),
            get(control::call_control).post(control::call_control),
        )
        .with_state(state)
}

fn names() -> InboundNames {
    InboundNames::new(AUTHORIZATION_NAME)
}

/// A refusal in the documented shape.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<InboundRefusal> for Refusal {
    fn from(r: InboundRefusal) -> Self {
        let code = match r {
            InboundRefusal::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            InboundRefusal::MalformedBody => "INVALID_DATA",
            InboundRefusal::MissingParameter(_) => "REQUIRED_PARAM_MISSING",
            InboundRefusal::MissingAuthorization
            | InboundRefusal::BadAuthorization
            | InboundRefusal::UnknownUser => "INVALID_AUTHORIZATION",
        };
        let status = StatusCode::from_u16(r.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        let message = match r {
            // One answer for all three: a caller must not learn which users exist.
            InboundRefusal::MissingAuthorization
            | InboundRefusal::BadAuthorization
            | InboundRefusal::UnknownUser => "invalid authorization".to_owned(),
            other => other.to_string(),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "status": "error",
            "code": self.code,
            "message": self.message,
        });
        (self.status, Json(body)).into_response()
    }
}

pub(crate) fn success() -> Response {
    Json(serde_json::json!({"status": "success", "code": "SUCCESS"})).into_response()
}

/// The hooks and the running engine, or why not.
pub(crate) fn parts(
    state: &AppState,
) -> Result<
    (
        Arc<dyn PhoneBridgeHooks>,
        Arc<ringbridge_engine::EngineContext>,
    ),
    Refusal,
> {
    let hooks = state.phonebridge.clone().ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_FOUND,
            "NOT_ENABLED",
            "PhoneBridge is not enabled",
        )
    })?;
    let engine = state.engine.clone().ok_or_else(|| {
        Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "PBX_UNAVAILABLE",
            "the phone system is not connected",
        )
    })?;
    Ok((hooks, engine))
}
