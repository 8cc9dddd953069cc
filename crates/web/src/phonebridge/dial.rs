//! Click-to-dial: Zoho posts `tonumber` (plus our user parameter and the
//! authorization value); the PBX rings the user's extension, then the
//! number. A dial that cannot start is reported to Zoho with
//! `clicktodialerror`, whose message Zoho shows the user; so is one the PBX
//! fails later (30015), through [`super::PhoneBridgeHooks::dial_started`].
//! A number the dial policy (`[pbx.dial_policy]`) refuses is reported as
//! `blocked`, audited, and never reaches the PBX.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use ringbridge_core::pbx::PbxError;
use ringbridge_core::telephony::DialStart;
use ringbridge_zoho::phonebridge::{InboundRequest, Unattended, authenticate_click_to_dial};

use super::{DialFailure, Refusal, USER_PARAM, names, parts, success};
use crate::AppState;

/// Zoho's code for a dial the PBX refused.
fn failure_code(err: &PbxError) -> Unattended {
    match err {
        PbxError::NotFound(_) => Unattended::Invalid,
        PbxError::Rejected { .. } => Unattended::Rejected,
        PbxError::AccessDenied(_) => Unattended::Blocked,
        _ => Unattended::NotAvailable,
    }
}

pub async fn click_to_dial(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, Refusal> {
    let (hooks, engine) = parts(&state)?;
    let request = InboundRequest {
        method: &method,
        headers: &headers,
        query: query.as_deref(),
        body: &body,
    };
    let click = authenticate_click_to_dial(request, &names(), |p| {
        p.get(USER_PARAM).and_then(|u| hooks.authorization(u))
    })?;
    // Authenticated through this parameter, so it is present.
    let user = click.params.get(USER_PARAM).unwrap_or_default().to_owned();
    // Zoho shows the user the message (`clicktodialerror`); the caller of
    // this endpoint gets it too.
    let refuse = async |extension: &str, code, status, api_code, message: String| {
        hooks
            .dial_failed(DialFailure {
                zoho_user: user.clone(),
                extension: extension.to_owned(),
                number: click.to_number.clone(),
                code,
                message: message.clone(),
            })
            .await;
        Refusal::new(status, api_code, message)
    };
    let Some(extension) = engine.users().extension_of(&user).map(str::to_owned) else {
        let message = "Your Zoho user has no extension in ringbridge.".to_owned();
        let (code, status) = (Unattended::NotAvailable, StatusCode::CONFLICT);
        return Err(refuse("unknown", code, status, "NO_EXTENSION", message).await);
    };
    if let Err(refused) = engine.plan.check_dial(&click.to_number) {
        engine
            .audit(refused.audit_entry(&format!("zoho user {user}"), &extension))
            .await;
        tracing::warn!(%extension, reason = %refused, "PhoneBridge click-to-dial refused by the dial policy");
        let message = format!("The call was not placed: {refused}.");
        let (code, status) = (Unattended::Blocked, StatusCode::FORBIDDEN);
        return Err(refuse(&extension, code, status, "DIAL_NOT_ALLOWED", message).await);
    }
    let Some(number) = engine.plan.dial_string(&click.to_number) else {
        let message = format!("{} is not a phone number.", click.to_number);
        let (code, status) = (Unattended::Invalid, StatusCode::BAD_REQUEST);
        return Err(refuse(&extension, code, status, "INVALID_NUMBER", message).await);
    };
    match engine.pbx.dial(&extension, &number).await {
        Ok(call_id) => {
            tracing::info!(%extension, %call_id, "PhoneBridge click-to-dial");
            hooks.dial_started(DialStart {
                call_id,
                zoho_user: user.clone(),
                extension,
                number: click.to_number.clone(),
            });
            Ok(success())
        }
        Err(err) => {
            tracing::warn!(%extension, error = %err, "PhoneBridge click-to-dial failed");
            let message = format!("The phone system could not place the call: {err}");
            let (code, status) = (failure_code(&err), StatusCode::BAD_GATEWAY);
            Err(refuse(&extension, code, status, "DIAL_FAILED", message).await)
        }
    }
}
