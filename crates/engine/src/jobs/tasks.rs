//! `CreateTask`: follow-up tasks for missed calls, in bulk (up to
//! `batch_max` per request). A job claimed before may have been created
//! with its answer lost: those are looked up first and never created twice.

use chrono::Utc;
use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::followup::NewTask;
use ringbridge_core::outbox::{Job, JobKind};
use ringbridge_core::store::StoreError;

use super::crm_settlement;
use crate::context::EngineContext;

pub async fn run(ctx: &EngineContext) -> Result<(), StoreError> {
    loop {
        let jobs = ctx
            .store
            .claim(
                JobKind::CreateTask,
                ctx.tuning.batch_max,
                Utc::now(),
                ctx.tuning.lease,
                &ctx.worker_id,
            )
            .await?;
        if jobs.is_empty() {
            ctx.wait_for_work(JobKind::CreateTask).await?;
            continue;
        }
        create_batch(ctx, jobs).await?;
    }
}

async fn create_batch(ctx: &EngineContext, jobs: Vec<Job>) -> Result<(), StoreError> {
    let mut pending = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let Some(task) = ctx.claimed_payload::<NewTask>(&job).await? {
            pending.push((job, task));
        }
    }
    // Exactly once: what an earlier attempt may have created.
    let (maybe, mut to_send): (Vec<_>, Vec<_>) = pending
        .into_iter()
        .partition(|(job, _)| job.maybe_delivered_before());
    if !maybe.is_empty() {
        let probe: Vec<NewTask> = maybe.iter().map(|(_, t)| t.clone()).collect();
        match ctx.crm.find_tasks(&probe).await {
            Ok(found) => {
                for ((job, task), existing) in maybe.into_iter().zip(found) {
                    match existing {
                        Some(id) => ctx.complete(&job, &id).await?,
                        None => to_send.push((job, task)),
                    }
                }
            }
            Err(err) => {
                for (job, _) in &maybe {
                    ctx.settle(job, crm_settlement(&err)).await?;
                }
            }
        }
    }
    if to_send.is_empty() {
        return Ok(());
    }
    let batch: Vec<NewTask> = to_send.iter().map(|(_, t)| t.clone()).collect();
    let results = match ctx.crm.create_tasks(&batch).await {
        Ok(results) if results.len() == batch.len() => results,
        Ok(results) => {
            // Never guess which task an answer belongs to.
            let err = ringbridge_core::crm::CrmError::Unavailable(
                format!(
                    "CRM answered {} results for {} tasks",
                    results.len(),
                    batch.len()
                )
                .into(),
            );
            return settle_all(ctx, &to_send, &err).await;
        }
        Err(err) => return settle_all(ctx, &to_send, &err).await,
    };
    ctx.crm_ok();
    for ((job, _), result) in to_send.iter().zip(results) {
        match result {
            Ok(id) => {
                ctx.audit(AuditEntry::ok(
                    AuditSystem::Crm,
                    "insert",
                    "Tasks",
                    &job.key,
                    Some(&id),
                ))
                .await;
                ctx.complete(job, &id).await?;
            }
            Err(err) => {
                ctx.audit(failed(job, &err.to_string())).await;
                ctx.settle(job, crm_settlement(&err)).await?;
            }
        }
    }
    tracing::info!(tasks = batch.len(), "follow-up tasks created in the CRM");
    Ok(())
}

async fn settle_all(
    ctx: &EngineContext,
    jobs: &[(Job, NewTask)],
    err: &ringbridge_core::crm::CrmError,
) -> Result<(), StoreError> {
    for (job, _) in jobs {
        ctx.audit(failed(job, &err.to_string())).await;
        ctx.settle(job, crm_settlement(err)).await?;
    }
    Ok(())
}

fn failed(job: &Job, error: &str) -> AuditEntry {
    AuditEntry::failed(AuditSystem::Crm, "insert", "Tasks", &job.key, error)
}
