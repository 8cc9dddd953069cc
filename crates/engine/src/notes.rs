//! Agents' notes and call results (the panel's note form) on their way to
//! the call's CRM log.
//!
//! A note is kept in the outbox as the call's one `AnnotateCall` job (key
//! [`JobKey::call_note`]), holding the latest version the agent saved; the
//! job is what survives a CRM outage. Where the note lands depends on where
//! the call's log is (the worker, `jobs::annotate`, decides):
//! - not built yet: the call's processing folds the note into the log it
//!   builds ([`apply_saved`]), so the log is written once, note included;
//! - queued: the queued log is changed to carry it (still one insert);
//! - written: one update of that Calls record (never a second record);
//! - PhoneBridge mode: Zoho wrote the log from the call's terminal
//!   notification; it is found by the call (owner, start, number) and
//!   updated once it is there.

use std::time::Duration;

use chrono::Utc;
use ringbridge_core::call_note::CallNote;
use ringbridge_core::crm::CallLog;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::outbox::JobKind;
use ringbridge_core::store::StoreError;
use serde::Serialize;

use crate::context::EngineContext;

/// How long saving waits for a worker that holds the call's previous note.
const SAVE_WAIT: Duration = Duration::from_secs(5);

/// What became of a save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteSaved {
    /// Stored; it reaches the CRM with the log or as one update.
    Queued,
    /// The previous version was being written all the time we waited: the
    /// agent can save again in a moment (nothing of theirs is lost).
    Busy,
}

/// Stores `note` as the call's latest note and wakes its worker.
pub async fn save(ctx: &EngineContext, note: &CallNote) -> Result<NoteSaved, StoreError> {
    let key = JobKey::call_note(&ctx.pbx_id, &note.call_id);
    let payload = JobPayload::AnnotateCall(Box::new(note.clone()));
    let deadline = tokio::time::Instant::now() + SAVE_WAIT;
    loop {
        if ctx.store.put_latest_job(&key, &payload, Utc::now()).await? {
            ctx.notify(JobKind::AnnotateCall);
            tracing::info!(call = %key, author = %note.author, "call note saved");
            return Ok(NoteSaved::Queued);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(NoteSaved::Busy);
        }
        tokio::time::sleep(ctx.tuning.poll.min(Duration::from_millis(200))).await;
    }
}

/// The latest note saved for call `call_id`, if any.
pub async fn saved(ctx: &EngineContext, call_id: &str) -> Result<Option<CallNote>, StoreError> {
    let key = JobKey::call_note(&ctx.pbx_id, call_id);
    let Some(job) = ctx.store.job(JobKind::AnnotateCall, key.as_str()).await? else {
        return Ok(None);
    };
    job.decode::<CallNote>().map(Some).map_err(|e| {
        StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
            format!("note {key}"),
            e,
        ))
    })
}

/// Folds the call's saved note (if any) into the log being built for it:
/// a note saved before the log is written travels in the same insert.
pub async fn apply_saved(
    ctx: &EngineContext,
    call_id: &str,
    log: &mut CallLog,
) -> Result<(), StoreError> {
    if let Some(note) = saved(ctx, call_id).await? {
        note.apply(log);
    }
    Ok(())
}

#[cfg(test)]
#[path = "notes_tests.rs"]
mod tests;
