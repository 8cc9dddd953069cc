//! `GET /api/calls/recent`: the agent's last calls, newest first, each
//! with the state of its CRM log (queued, written, failed, not logged),
//! the record it was matched to, and a link to play its recording.
//!
//! Read from the outbox: the `ProcessCall` job of a call holds what the
//! PBX said about it, the `WriteCallLog` job of the same key what became
//! of its log.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use ringbridge_core::crm::CallLog;
use ringbridge_core::outbox::{Job, JobKind, JobStatus, OutboxStore};
use ringbridge_core::pbx::CallDirection;
use ringbridge_core::store::StoreError;
use ringbridge_core::tracker::CallOutcome;
use ringbridge_engine::visibility::Sighted;
use serde::Serialize;

use super::records::PanelRecord;
use super::{Refusal, agent_extension, refusal};
use crate::AppState;
use crate::auth::CurrentUser;

/// Calls shown.
const SHOWN: usize = 20;
/// Jobs read per status to find them (other agents' calls are skipped).
const SCAN: u32 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStatus {
    /// The call is being processed, or its log waits to be written.
    Queued,
    /// In the CRM.
    Written,
    /// Writing failed for good; an admin can retry it.
    Failed,
    /// The logging policy skips this kind of call.
    NotLogged,
}

#[derive(Debug, Serialize)]
pub struct RecentCall {
    pub call_id: String,
    pub started_at: DateTime<Utc>,
    pub direction: CallDirection,
    pub number: Option<String>,
    pub answered: bool,
    pub talk_s: u32,
    pub record: Option<PanelRecord>,
    pub log: LogStatus,
    /// The error of a failed log, for the agent to pass on.
    pub log_error: Option<String>,
    /// A playback link, when the call was recorded.
    pub recording_url: Option<String>,
    /// `false` while no CRM is connected: the call waits (queued) for it.
    pub crm_linked: bool,
}

/// What became of the call's log, its error, and the recording link the log
/// carries (the one to show again, rather than minting another each time).
async fn log_status(
    store: &dyn OutboxStore,
    job: &Job,
) -> Result<(LogStatus, Option<String>, Option<String>), StoreError> {
    let skipped = job.status == JobStatus::Done
        && job
            .result
            .as_deref()
            .is_some_and(|r| r.starts_with("skipped"));
    if skipped {
        return Ok((LogStatus::NotLogged, None, None));
    }
    if job.status == JobStatus::Failed {
        return Ok((LogStatus::Failed, job.last_error.clone(), None));
    }
    let Some(log) = store.job(JobKind::WriteCallLog, &job.key).await? else {
        return Ok((LogStatus::Queued, None, None));
    };
    let link = log.decode::<CallLog>().ok().and_then(|l| l.recording_url);
    Ok(match log.status {
        JobStatus::Done => (LogStatus::Written, None, link),
        JobStatus::Failed => (LogStatus::Failed, log.last_error, link),
        _ => (LogStatus::Queued, None, link),
    })
}

pub async fn list(user: CurrentUser, State(state): State<AppState>) -> Result<Response, Refusal> {
    // Without a CRM the PBX's calls are still listed (the outbox holds
    // them); only the record and the recording link need the engine.
    let ctx = state.engine.clone();
    let Some(outbox) = ctx
        .as_ref()
        .map(|c| c.store.clone() as Arc<dyn OutboxStore>)
        .or_else(|| state.outbox.clone())
    else {
        return Err(refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "engine_unavailable",
            "No phone system is connected yet.",
        ));
    };
    let store = outbox.as_ref();
    let extension = agent_extension(&user)?;
    let mut jobs = Vec::new();
    for status in [
        JobStatus::Pending,
        JobStatus::InFlight,
        JobStatus::Done,
        JobStatus::Failed,
    ] {
        jobs.extend(store.list(JobKind::ProcessCall, status, SCAN).await?);
    }
    let mut mine: Vec<(Job, CallOutcome)> = jobs
        .into_iter()
        .filter_map(|job| {
            let outcome: CallOutcome = job.decode().ok()?;
            outcome.involves(&extension).then_some((job, outcome))
        })
        .collect();
    mine.sort_by_key(|(_, outcome)| std::cmp::Reverse(outcome.record.started_at));
    mine.truncate(SHOWN);

    let viewer = ctx
        .as_ref()
        .and_then(|ctx| super::records::crm_user(ctx, &user));
    let mut calls = Vec::with_capacity(mine.len());
    for (job, outcome) in mine {
        let (log, log_error, logged_link) = log_status(store, &job).await?;
        let record = match (&ctx, outcome.other_party.as_deref()) {
            // The local directory answers, seen with the agent's eyes; a
            // failed lookup only hides the name.
            (Some(ctx), Some(number)) => {
                match ctx.matcher.lookup(number, viewer.as_deref()).await {
                    Ok(found) => match ctx.sift_for(viewer.as_deref(), found).await {
                        Sighted::Records(m) => m.chosen.map(|r| PanelRecord::new(ctx, &r)),
                        Sighted::Hidden { module } => Some(PanelRecord::hidden(module)),
                        Sighted::NoGrant => None,
                    },
                    Err(_) => None,
                }
            }
            _ => None,
        };
        let recording_url = outcome.record.recording.as_ref().and_then(|_| {
            logged_link.or_else(|| {
                ctx.as_ref()
                    .and_then(|c| c.recordings.as_ref())
                    .map(|r| r.link(&job.key))
            })
        });
        calls.push(RecentCall {
            call_id: outcome.call_id.as_str().to_owned(),
            started_at: outcome.record.started_at,
            direction: outcome.direction,
            number: outcome.other_party.clone(),
            answered: outcome.answered,
            talk_s: outcome.record.talk_s.unwrap_or(0),
            record,
            log,
            log_error,
            recording_url,
            crm_linked: ctx.is_some(),
        });
    }
    Ok(Json(calls).into_response())
}
