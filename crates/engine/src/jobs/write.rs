//! `WriteCallLog`: call logs to the CRM in bulk.
//!
//! Logs wait up to `flush_delay` for company so one request carries up to
//! `batch_max` of them. A job claimed before (`attempts > 1`) may already be
//! in the CRM — the earlier request may have succeeded with its answer
//! lost — so those are looked up by key first and never written twice.

use chrono::Utc;
use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::crm::CallLog;
use ringbridge_core::outbox::{Job, JobKind};
use ringbridge_core::store::StoreError;

use super::{Settlement, crm_settlement};
use crate::context::EngineContext;

pub async fn run(ctx: &EngineContext) -> Result<(), StoreError> {
    loop {
        if !batch_ready(ctx).await? {
            ctx.wait_for_work(JobKind::WriteCallLog).await?;
            continue;
        }
        let jobs = ctx
            .store
            .claim(
                JobKind::WriteCallLog,
                ctx.tuning.batch_max,
                Utc::now(),
                ctx.tuning.lease,
                &ctx.worker_id,
            )
            .await?;
        if !jobs.is_empty() {
            write_batch(ctx, jobs).await?;
        }
    }
}

/// A batch goes when it is full or its oldest log has waited `flush_delay`.
async fn batch_ready(ctx: &EngineContext) -> Result<bool, StoreError> {
    let now = Utc::now();
    let due = ctx.store.due_count(JobKind::WriteCallLog, now).await?;
    if due == 0 {
        return Ok(false);
    }
    if due >= u64::from(ctx.tuning.batch_max) {
        return Ok(true);
    }
    let oldest = ctx.store.next_due(JobKind::WriteCallLog).await?;
    Ok(oldest.is_some_and(|at| (now - at).to_std().unwrap_or_default() >= ctx.tuning.flush_delay))
}

async fn write_batch(ctx: &EngineContext, jobs: Vec<Job>) -> Result<(), StoreError> {
    let mut logs = Vec::with_capacity(jobs.len());
    let mut pending = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let Some(log) = ctx.claimed_payload::<CallLog>(&job).await? {
            logs.push(log);
            pending.push(job);
        }
    }

    // Exactly once: look up what an earlier attempt may have written.
    let (maybe, fresh): (Vec<usize>, Vec<usize>) =
        (0..pending.len()).partition(|&i| pending[i].maybe_delivered_before());
    let mut to_send: Vec<usize> = fresh;
    if !maybe.is_empty() {
        let probe: Vec<CallLog> = maybe.iter().map(|&i| logs[i].clone()).collect();
        match ctx.crm.find_logged_calls(&probe).await {
            Ok(found) => {
                for (&i, existing) in maybe.iter().zip(found) {
                    match existing {
                        Some(crm_id) => {
                            tracing::info!(call = %pending[i].key, %crm_id, "call log was already written by an earlier attempt");
                            ctx.complete(&pending[i], &crm_id).await?;
                        }
                        None => to_send.push(i),
                    }
                }
            }
            Err(err) => {
                let settlement = crm_settlement(&err);
                for &i in &maybe {
                    ctx.settle(&pending[i], settlement.clone()).await?;
                }
            }
        }
    }
    if to_send.is_empty() {
        return Ok(());
    }
    to_send.sort_unstable();
    let batch: Vec<CallLog> = to_send.iter().map(|&i| logs[i].clone()).collect();
    match ctx.crm.log_calls(&batch).await {
        Ok(results) => {
            ctx.crm_ok();
            if results.len() != batch.len() {
                // Never guess which record an answer belongs to.
                let msg = format!(
                    "CRM answered {} results for {} call logs",
                    results.len(),
                    batch.len()
                );
                for &i in &to_send {
                    ctx.audit(insert_failed(&pending[i], &msg)).await;
                    ctx.settle(&pending[i], Settlement::Retry(msg.clone()))
                        .await?;
                }
                return Ok(());
            }
            for (&i, result) in to_send.iter().zip(results) {
                match result {
                    Ok(crm_id) => {
                        ctx.audit(AuditEntry::ok(
                            AuditSystem::Crm,
                            "insert",
                            "Calls",
                            &pending[i].key,
                            Some(&crm_id),
                        ))
                        .await;
                        ctx.complete(&pending[i], &crm_id).await?
                    }
                    Err(err) => {
                        ctx.audit(insert_failed(&pending[i], &err.to_string()))
                            .await;
                        ctx.settle(&pending[i], crm_settlement(&err)).await?
                    }
                }
            }
            tracing::info!(logs = batch.len(), "call logs written to the CRM");
        }
        Err(err) => {
            let settlement = crm_settlement(&err);
            for &i in &to_send {
                ctx.audit(insert_failed(&pending[i], &err.to_string()))
                    .await;
                ctx.settle(&pending[i], settlement.clone()).await?;
            }
        }
    }
    Ok(())
}

fn insert_failed(job: &Job, error: &str) -> AuditEntry {
    AuditEntry::failed(AuditSystem::Crm, "insert", "Calls", &job.key, error)
}
