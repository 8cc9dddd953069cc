//! Click-to-call: `POST /api/dial` with `{"number": "..."}`. The PBX rings
//! the signed-in agent's extension first, then the number. Reached from
//! the panel (session + CSRF header) and the browser extension (token).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Refusal, agent_extension, engine, refusal};
use crate::AppState;
use crate::auth::CurrentUser;

#[derive(Debug, Deserialize)]
pub struct DialRequest {
    pub number: String,
}

pub async fn dial(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(request): Json<DialRequest>,
) -> Result<Response, Refusal> {
    let ctx = engine(&state)?;
    let extension = agent_extension(&user)?;
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
