//! Missed calls become follow-ups (`EngineSettings::missed_call_tasks`): the
//! call's processing queues a `CreateTask` job for a missed inbound call
//! from a known record — one job per record, holding the task of the
//! caller's latest window, so further missed calls inside the window add
//! nothing and a retried call never makes a second task. An unknown
//! caller's record is known once the record created for the number is
//! (the processing waits for it), so the task follows the creation.
//! The worker, `jobs::tasks`, creates them in bulk.

use chrono::Utc;
use chrono_tz::Tz;
use ringbridge_core::crm::CrmRecord;
use ringbridge_core::followup::NewTask;
use ringbridge_core::job_key::JobKey;
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::outbox::{JobKind, JobStatus};
use ringbridge_core::pbx::CallDirection;
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::store::StoreError;
use ringbridge_core::tracker::CallOutcome;

use crate::context::EngineContext;

/// Queues the follow-up task for `outcome` if the settings want one.
pub(crate) async fn queue(
    ctx: &EngineContext,
    settings: &EngineSettings,
    outcome: &CallOutcome,
    record: Option<&CrmRecord>,
) -> Result<(), StoreError> {
    let (Some(tasks), Some(record)) = (&settings.missed_call_tasks, record) else {
        return Ok(());
    };
    if outcome.direction != CallDirection::Inbound || outcome.answered {
        return Ok(());
    }
    let number = outcome.other_party.as_deref().unwrap_or_default();
    let number = ctx
        .plan
        .normalize(number)
        .map_or_else(|_| number.to_owned(), |e| e.to_string());
    let tz: Tz = settings.display_time_zone.parse().unwrap_or(Tz::UTC);
    let task = tasks.task(record, &number, outcome.record.started_at, tz);
    let key = JobKey::missed_call_task(record.reference.module, &record.reference.id);
    let payload = JobPayload::CreateTask(Box::new(task.clone()));
    // Tasks wait a moment for company, so a burst shares one request.
    let due = Utc::now() + ctx.tuning.flush_delay;
    let queued = match ctx.store.job(JobKind::CreateTask, key.as_str()).await? {
        None => ctx.store.enqueue_job(&key, &payload, due).await?,
        // The caller's task is on its way.
        Some(job) if matches!(job.status, JobStatus::Pending | JobStatus::InFlight) => false,
        Some(job) => {
            let previous = job.decode::<NewTask>().map_err(|e| {
                StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
                    format!("task {key}"),
                    e,
                ))
            })?;
            if !tasks.opens_window(previous.call_started_at, task.call_started_at) {
                tracing::debug!(task = %key, "missed call inside its caller's task window");
                return Ok(());
            }
            ctx.store.put_latest_job(&key, &payload, due).await?
        }
    };
    if queued {
        ctx.notify(JobKind::CreateTask);
    }
    Ok(())
}
