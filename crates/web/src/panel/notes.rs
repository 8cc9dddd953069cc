//! An agent's note and call result on a call: `GET /api/calls/results`
//! (the org's Call Result values for the form's select) and
//! `POST /api/calls/{call_id}/note` (stored in the outbox, then written to
//! the call's CRM log — see `engine::notes`).
//!
//! Only the agent who handled the call may annotate it (an admin any
//! call): the one who talked on an answered call, else one it rang for;
//! never an agent whose row said "answered by a colleague". A refusal is
//! audited.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::call_note::{CallNote, NoteError};
use ringbridge_core::job_key::JobKey;
use ringbridge_core::outbox::JobKind;
use ringbridge_core::tracker::CallOutcome;
use ringbridge_engine::EngineContext;
use ringbridge_engine::notes::{self, NoteSaved};
use serde::Deserialize;

use super::{Refusal, engine, refusal};
use crate::AppState;
use crate::auth::CurrentUser;

/// The org's Call Result values, or an empty list when the CRM cannot be
/// asked (the form then offers no result, and the note still goes).
pub async fn results(
    _user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Response, Refusal> {
    let ctx = engine(&state)?;
    let results = match ctx.crm.call_results().await {
        Ok(values) => values,
        Err(err) => {
            tracing::warn!(error = %err, "could not read the CRM's call results for the panel");
            Vec::new()
        }
    };
    Ok(Json(serde_json::json!({ "results": results })).into_response())
}

#[derive(Debug, Deserialize)]
pub struct NoteRequest {
    #[serde(default)]
    text: String,
    #[serde(default)]
    result: Option<String>,
}

pub async fn save(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(call_id): Path<String>,
    Json(request): Json<NoteRequest>,
) -> Result<Response, Refusal> {
    let ctx = engine(&state)?;
    let key = JobKey::call(&ctx.pbx_id, &call_id);
    if !handled(&ctx, &state, &user, &call_id, key.as_str()).await? {
        let entry = AuditEntry::failed(
            AuditSystem::Crm,
            &format!("note by {}", user.account.username),
            "Calls",
            key.as_str(),
            "refused: the agent did not handle the call",
        );
        ctx.audit(entry).await;
        tracing::warn!(username = %user.account.username, call = %key, "note refused: not the agent's call");
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "not_your_call",
            "You can only add notes to calls you handled.",
        ));
    }
    // Checked against the org's list only when the CRM gives one.
    let allowed = ctx.crm.call_results().await.unwrap_or_default();
    let note = CallNote::new(
        &call_id,
        &request.text,
        request.result.as_deref(),
        &allowed,
        user.account.username.as_str(),
        chrono::Utc::now(),
    )
    .map_err(|e| note_refusal(&e))?;
    let saved = notes::save(&ctx, &note).await?;
    let status = match saved {
        NoteSaved::Queued => StatusCode::ACCEPTED,
        NoteSaved::Busy => StatusCode::CONFLICT,
    };
    Ok((status, Json(serde_json::json!({ "saved": saved }))).into_response())
}

fn note_refusal(err: &NoteError) -> Refusal {
    let code = match err {
        NoteError::Empty => "note_empty",
        NoteError::TooLong => "note_too_long",
        NoteError::UnknownResult => "bad_result",
    };
    refusal(StatusCode::UNPROCESSABLE_ENTITY, code, &err.to_string())
}

/// Whether `user` handled call `call_id` (key `key`).
async fn handled(
    ctx: &EngineContext,
    state: &AppState,
    user: &CurrentUser,
    call_id: &str,
    key: &str,
) -> Result<bool, Refusal> {
    if user.account.is_admin() {
        return Ok(true);
    }
    let Some(extension) = user.account.profile.extension.as_deref() else {
        return Ok(false);
    };
    if let Some(live) = &state.live
        && let Some(event) = live.call_at(extension, call_id)
    {
        return Ok(!event.answered_elsewhere);
    }
    let Some(job) = ctx.store.job(JobKind::ProcessCall, key).await? else {
        return Ok(false);
    };
    let Ok(outcome) = job.decode::<CallOutcome>() else {
        return Ok(false);
    };
    Ok(if outcome.answered {
        outcome.talked.iter().any(|e| e == extension)
            || outcome.initiator.as_deref() == Some(extension)
    } else {
        outcome.involves(extension)
    })
}
