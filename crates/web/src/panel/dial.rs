//! Click-to-call: `POST /api/dial` with `{"number": "..."}`. The PBX rings
//! the signed-in agent's extension first, then the number. Reached from
//! the panel (session + CSRF header) and the browser extension (token).
//! Numbers the dial policy (`[pbx.dial_policy]`) refuses never reach the
//! PBX: a 403 says why, in the agent's language, and the audit trail keeps it.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ringbridge_core::dialing::policy::DialRefusal;
use serde::Deserialize;

use super::{Refusal, agent_extension, engine, refusal};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::{self, Lang};

#[derive(Debug, Deserialize)]
pub struct DialRequest {
    pub number: String,
}

/// Why the policy refused, as the agent reads it.
fn refused_message(lang: Lang, refused: &DialRefusal) -> String {
    let number = refused.number().as_str();
    match refused {
        DialRefusal::DeniedPrefix { .. } => {
            lang.t_args("panel-dial-refused-prefix", &[("number", number)])
        }
        DialRefusal::Country { country, .. } => lang.t_args(
            "panel-dial-refused-country",
            &[("number", number), ("country", country)],
        ),
        DialRefusal::NumberType { kind, .. } => {
            let kind = lang.t(&format!("panel-number-kind-{}", kind.as_str()));
            lang.t_args(
                "panel-dial-refused-type",
                &[("number", number), ("kind", &kind)],
            )
        }
    }
}

pub async fn dial(
    user: CurrentUser,
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(request): Json<DialRequest>,
) -> Result<Response, Refusal> {
    let ctx = engine(&state)?;
    let extension = agent_extension(&user)?;
    if let Err(refused) = ctx.plan.check_dial(&request.number) {
        let username = user.account.username.to_string();
        ctx.audit(refused.audit_entry(&username, &extension)).await;
        tracing::warn!(%username, %extension, reason = %refused, "click-to-call refused by the dial policy");
        let lang = i18n::choose(None, &headers).lang;
        return Err(refusal(
            StatusCode::FORBIDDEN,
            refused.code(),
            &refused_message(lang, &refused),
        ));
    }
    // Put the way the PBX's outbound routes want it (`[pbx.dialing]`).
    let Some(number) = ctx.plan.dial_string(&request.number) else {
        return Err(refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_number",
            "That is not a phone number.",
        ));
    };
    match ctx.pbx.dial(&extension, &number).await {
        Ok(call_id) => {
            tracing::info!(username = %user.account.username, %extension, %call_id, "click-to-call");
            Ok((
                StatusCode::ACCEPTED,
                Json(serde_json::json!({
                    "call_id": call_id.as_str(),
                    "extension": extension,
                    "number": number,
                })),
            )
                .into_response())
        }
        Err(err) => {
            tracing::warn!(%extension, error = %err, "click-to-call failed");
            Err(refusal(
                StatusCode::BAD_GATEWAY,
                "dial_failed",
                &err.to_string(),
            ))
        }
    }
}
