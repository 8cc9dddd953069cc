//! `AnnotateCall`: an agent's note and call result into the call's CRM log,
//! wherever that log is (see `crate::notes`). Until the log exists the job
//! waits (released, not counted as an attempt); a CRM that is down makes it
//! retry with backoff, so a note is never lost.

use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::call_note::CallNote;
use ringbridge_core::console::CrmMode;
use ringbridge_core::crm::{CallAnnotation, CallLog, CrmCallProbe};
use ringbridge_core::job_key::JobKey;
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::outbox::{Job, JobKind, JobStatus};
use ringbridge_core::store::StoreError;
use ringbridge_core::telephony::{PbNotification, PbState};

use super::{Settlement, crm_settlement};
use crate::context::EngineContext;

pub async fn run(ctx: &EngineContext) -> Result<(), StoreError> {
    ctx.run_simple_worker(20, |job, note: CallNote| async move {
        handle(ctx, job, note).await
    })
    .await
}

/// What one look at the call's log decided.
enum Step {
    /// Settled: the job's result.
    Done(String),
    /// The log is not where a note can go yet.
    Wait(&'static str),
    /// Write into the CRM's log `crm_id`.
    Update {
        crm_id: String,
        annotation: CallAnnotation,
    },
    /// PhoneBridge mode: find Zoho's log of the call first.
    Find(CrmCallProbe),
}

async fn handle(ctx: &EngineContext, job: Job, note: CallNote) -> Result<(), StoreError> {
    let step = match ctx.crm_mode() {
        CrmMode::PhoneBridge => phonebridge_step(ctx, &note).await?,
        CrmMode::Rest => rest_step(ctx, &note).await?,
    };
    let (crm_id, annotation) = match step {
        Step::Done(result) => return ctx.complete(&job, &result).await,
        Step::Wait(reason) => return wait(ctx, &job, reason).await,
        Step::Update { crm_id, annotation } => (crm_id, annotation),
        Step::Find(probe) => match ctx.crm.find_crm_logged_call(&probe).await {
            Ok(Some(found)) => (
                found.id,
                CallAnnotation {
                    description: note.description(&found.description),
                    result: note.result.clone(),
                    key: None,
                },
            ),
            // Zoho writes its log from the terminal notification; a search
            // may not show it for a moment. Retried with backoff.
            Ok(None) => {
                let reason = "Zoho has not shown the call's log yet".to_owned();
                return ctx.settle(&job, Settlement::Retry(reason)).await;
            }
            Err(err) => return ctx.settle(&job, crm_settlement(&err)).await,
        },
    };
    let result = ctx.crm.annotate_call(&crm_id, &annotation).await;
    let entry = match &result {
        Ok(()) => AuditEntry::ok(AuditSystem::Crm, "note", "Calls", &job.key, Some(&crm_id)),
        Err(err) => {
            AuditEntry::failed(AuditSystem::Crm, "note", "Calls", &job.key, err.to_string())
        }
    };
    ctx.audit(entry).await;
    match result {
        Ok(()) => {
            ctx.crm_ok();
            ctx.complete(&job, &crm_id).await
        }
        Err(err) => ctx.settle(&job, crm_settlement(&err)).await,
    }
}

async fn wait(ctx: &EngineContext, job: &Job, reason: &str) -> Result<(), StoreError> {
    let settlement = Settlement::Release {
        reason: reason.to_owned(),
        after: ctx
            .tuning
            .creation_wait
            .max(std::time::Duration::from_secs(1)),
    };
    ctx.settle(job, settlement).await
}

/// REST mode: the log ringbridge writes itself.
async fn rest_step(ctx: &EngineContext, note: &CallNote) -> Result<Step, StoreError> {
    let call_key = JobKey::call(&ctx.pbx_id, &note.call_id);
    let Some(log_job) = ctx
        .store
        .job(JobKind::WriteCallLog, call_key.as_str())
        .await?
    else {
        return before_the_log(ctx, &call_key).await;
    };
    let decode = |job: &Job| {
        job.decode::<CallLog>().map_err(|e| {
            StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
                format!("call log {}", job.key),
                e,
            ))
        })
    };
    Ok(match log_job.status {
        JobStatus::Pending => {
            let mut log = decode(&log_job)?;
            if note.is_in(&log) {
                return Ok(Step::Done("with the log".into()));
            }
            note.apply(&mut log);
            let payload = JobPayload::WriteCallLog(Box::new(log));
            if ctx.store.replace_pending_job(&call_key, &payload).await? {
                Step::Done("with the log".into())
            } else {
                Step::Wait("the call's log was claimed while the note was added")
            }
        }
        JobStatus::InFlight => Step::Wait("the call's log is being written"),
        // A retry of the log re-runs the call's processing, which folds the
        // note in (`notes::apply_saved`).
        JobStatus::Failed => Step::Done("the call's log failed; its retry carries the note".into()),
        JobStatus::Done => {
            let log = decode(&log_job)?;
            if note.is_in(&log) {
                return Ok(Step::Done("in the log".into()));
            }
            let Some(crm_id) = log_job.result.clone() else {
                return Err(StoreError::Corrupt(
                    format!("call log {} has no CRM id", log_job.key).into(),
                ));
            };
            Step::Update {
                crm_id,
                annotation: CallAnnotation {
                    description: note.description(&log.description),
                    result: note.result.clone().or(log.result),
                    key: Some(log.key),
                },
            }
        }
    })
}

/// No log job: the call is live, or waiting to be processed, or not logged.
async fn before_the_log(ctx: &EngineContext, call_key: &JobKey) -> Result<Step, StoreError> {
    let processing = ctx
        .store
        .job(JobKind::ProcessCall, call_key.as_str())
        .await?;
    Ok(match processing.map(|j| (j.status, j.result)) {
        None => Step::Wait("the call has not ended yet"),
        Some((JobStatus::Pending | JobStatus::InFlight, _)) => {
            Step::Wait("the call is being processed")
        }
        Some((JobStatus::Done, Some(result))) if result == "logged" => {
            Step::Wait("the call's log is being queued")
        }
        Some((JobStatus::Done, result)) => Step::Done(format!(
            "the call is not logged ({})",
            result.unwrap_or_default()
        )),
        Some((JobStatus::Failed, _)) => {
            Step::Done("the call's processing failed; its retry carries the note".into())
        }
    })
}

/// PhoneBridge mode: Zoho logs the call from its terminal notification.
async fn phonebridge_step(ctx: &EngineContext, note: &CallNote) -> Result<Step, StoreError> {
    let key = JobKey::phonebridge_terminal(&ctx.pbx_id, &note.call_id);
    let Some(terminal) = ctx
        .store
        .job(JobKind::NotifyPhoneBridge, key.as_str())
        .await?
    else {
        let call_key = JobKey::call(&ctx.pbx_id, &note.call_id);
        return Ok(match before_the_log(ctx, &call_key).await? {
            // Processed, and no terminal: no mapped agent to notify.
            Step::Wait("the call's log is being queued") => {
                Step::Done("the call is not logged".into())
            }
            other => other,
        });
    };
    Ok(match terminal.status {
        JobStatus::Pending | JobStatus::InFlight => {
            Step::Wait("the call's notification has not reached Zoho yet")
        }
        JobStatus::Failed => Step::Done("the call's notification failed; Zoho has no log".into()),
        JobStatus::Done => {
            let n = terminal.decode::<PbNotification>().map_err(|e| {
                StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
                    format!("notification {key}"),
                    e,
                ))
            })?;
            match start_of(&n.state) {
                Some(started_at) => Step::Find(CrmCallProbe {
                    owner_id: n.zoho_user.clone(),
                    started_at,
                    customer: n.customer.clone(),
                }),
                None => Step::Done("the call's notification made no log".into()),
            }
        }
    })
}

/// When a terminal state says the call started (what Zoho's log records).
fn start_of(state: &PbState) -> Option<chrono::DateTime<chrono::Utc>> {
    match state {
        PbState::Ended { start, .. }
        | PbState::Missed { start, .. }
        | PbState::Unattended { start, .. } => Some(*start),
        _ => None,
    }
}
