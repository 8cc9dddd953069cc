//! Click-to-dial: Zoho posts `tonumber` (plus our user parameter and the
//! authorization value); the PBX rings the user's extension, then the
//! number. A dial that cannot start is reported to Zoho with
//! `clicktodialerror`, whose message Zoho shows the user; so is one the PBX
//! fails later (30015), through [`super::PhoneBridgeHooks::dial_started`].

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use ringbridge_core::pbx::PbxError;
use ringbridge_core::phonebridge::DialStart;
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
    let fail = |extension: &str, code, message: String| DialFailure {
        zoho_user: user.clone(),
        extension: extension.to_owned(),
        number: click.to_number.clone(),
        code,
        message,
    };
    let Some(extension) = engine.users().extension_of(&user).map(str::to_owned) else {
        let message = "Your Zoho user has no extension in ringbridge.".to_owned();
        hooks
            .dial_failed(fail("unknown", Unattended::NotAvailable, message.clone()))
            .await;
        return Err(Refusal::new(StatusCode::CONFLICT, "NO_EXTENSION", message));
    };
    let Some(number) = engine.plan.dial_string(&click.to_number) else {
        let message = format!("{} is not a phone number.", click.to_number);
        hooks
            .dial_failed(fail(&extension, Unattended::Invalid, message.clone()))
            .await;
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "INVALID_NUMBER",
            message,
        ));
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
            hooks
                .dial_failed(fail(&extension, failure_code(&err), message.clone()))
                .await;
            Err(Refusal::new(
                StatusCode::BAD_GATEWAY,
                "DIAL_FAILED",
                message,
            ))
        }
    }
}
