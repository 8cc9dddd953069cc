//! The rule that links a record created for an unknown number to the call's
//! Zoho log (see "New records and the log" in the module docs): a queued
//! terminal notification is held back while that record may still be on
//! its way, so Zoho's own number matching finds it when the log is written.

use chrono::Utc;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::outbox::{Job, JobKind, JobStatus};
use ringbridge_core::store::StoreError;
use ringbridge_core::telephony::{PbDirection, PbNotification};

use crate::context::EngineContext;

/// Whether a terminal may go now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Gate {
    Go,
    /// Not yet: why (for the job's log line).
    Wait(&'static str),
}

/// Decides for the terminal `n`, queued as `job`.
pub(crate) async fn record_gate(
    ctx: &EngineContext,
    job: &Job,
    n: &PbNotification,
) -> Result<Gate, StoreError> {
    let settings = ctx.settings();
    let action = match n.direction {
        PbDirection::Received => settings.unknown_inbound,
        PbDirection::Dialed => settings.unknown_outbound,
    };
    // Nothing is created for unknown numbers (or this one cannot be a record's phone).
    let (Some(module), Ok(e164)) = (action.module(), ctx.plan.normalize(&n.customer)) else {
        return Ok(Gate::Go);
    };
    let waited = (Utc::now() - job.created_at).to_std().unwrap_or_default();
    if waited >= ctx.tuning.terminal_record_wait {
        tracing::warn!(call = %job.key, ?waited, "PhoneBridge log sent before the caller's new record was ready");
        return Ok(Gate::Go);
    }
    let creation = ctx
        .store
        .job(
            JobKind::CreateRecord,
            JobKey::record_creation(module, e164.as_str()).as_str(),
        )
        .await?;
    match creation.map(|j| j.status) {
        Some(JobStatus::Pending | JobStatus::InFlight) => {
            return Ok(Gate::Wait("the caller's record is being created"));
        }
        Some(JobStatus::Done | JobStatus::Failed) => return Ok(Gate::Go),
        None => {}
    }
    // No creation queued (yet): the call's processing is what finds the
    // number unknown and queues it, so its end settles the question.
    let processing = ctx
        .store
        .job(
            JobKind::ProcessCall,
            JobKey::call(&ctx.pbx_id, n.call_id.as_str()).as_str(),
        )
        .await?;
    Ok(match processing.map(|j| j.status) {
        Some(JobStatus::Done | JobStatus::Failed) => Gate::Go,
        _ => Gate::Wait("the call's processing has not matched the number yet"),
    })
}
