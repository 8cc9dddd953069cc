//! `NotifyPhoneBridge`: a call's one terminal `callnotify`, which is the
//! call's log in PhoneBridge mode. Delivered with
//! [`crate::phonebridge::deliver_terminal`]; retried on timeouts, 429 and
//! 5xx, failed for good when Zoho refuses it.
//!
//! A terminal for a caller whose record is being created waits for it
//! (the rule in [`crate::phonebridge`], "New records and the log").
//!
//! Zoho offers no way to look a notification up, so a retry after an
//! attempt whose answer was lost may log twice; every other path is exactly
//! once (one job per call key, see [`crate::phonebridge::terminal_key`]).

use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::outbox::Job;
use ringbridge_core::phonebridge::{PbNotification, PbState};
use ringbridge_core::store::StoreError;

use super::Settlement;
use crate::context::EngineContext;
use crate::phonebridge::{Gate, SendError, deliver_terminal, record_gate};

pub async fn run(ctx: &EngineContext) -> Result<(), StoreError> {
    ctx.run_simple_worker(20, |job, n: PbNotification| async move {
        handle(ctx, job, n).await
    })
    .await
}

async fn handle(ctx: &EngineContext, job: Job, n: PbNotification) -> Result<(), StoreError> {
    let Some(sender) = ctx.phonebridge_sender() else {
        let reason = "PhoneBridge is not connected".to_owned();
        let after = ctx.tuning.reconnect_pause;
        return ctx
            .settle(&job, Settlement::Release { reason, after })
            .await;
    };
    // A failed dial's report logs nothing, so it has no record to wait for.
    let logs = !matches!(n.state, PbState::DialFailed { .. });
    if logs && let Gate::Wait(reason) = record_gate(ctx, &job, &n).await? {
        let (reason, after) = (reason.to_owned(), ctx.tuning.creation_wait);
        return ctx
            .settle(&job, Settlement::Release { reason, after })
            .await;
    }
    let links = ctx.recordings.as_deref();
    let target = "PhoneBridge";
    match deliver_terminal(sender.as_ref(), &ctx.pbx_id, &n, links).await {
        Ok(()) => {
            ctx.crm_ok();
            let entry = AuditEntry::ok(AuditSystem::Crm, "callnotify", target, &job.key, None);
            ctx.audit(entry).await;
            tracing::info!(call = %job.key, leg = %n.leg_id, "PhoneBridge terminal notification sent");
            ctx.complete(&job, &n.leg_id).await
        }
        Err(err) => {
            let entry = AuditEntry::failed(
                AuditSystem::Crm,
                "callnotify",
                target,
                &job.key,
                err.to_string(),
            );
            ctx.audit(entry).await;
            let settlement = match err {
                SendError::Retryable(e) => Settlement::Retry(e),
                SendError::Permanent(e) => Settlement::Fail(e),
            };
            ctx.settle(&job, settlement).await
        }
    }
}
