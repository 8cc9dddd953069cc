//! `CreateRecord`: a Contact or Lead for an unknown number. A retry first
//! asks the CRM whether an earlier attempt created it already.

use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::crm::{CrmRecord, NewRecord};
use ringbridge_core::outbox::{Job, JobKind};
use ringbridge_core::store::StoreError;

use super::crm_disposition;
use crate::context::EngineContext;

pub async fn run(ctx: &EngineContext) -> Result<(), StoreError> {
    ctx.run_simple_worker(10, |job, new: NewRecord| async move {
        handle(ctx, job, new).await
    })
    .await
}

async fn handle(ctx: &EngineContext, job: Job, new: NewRecord) -> Result<(), StoreError> {
    if job.maybe_delivered_before() {
        match ctx
            .crm
            .find_by_phone(&[new.module], std::slice::from_ref(&new.phone))
            .await
        {
            Ok(found) if !found.is_empty() => return finish(ctx, &job, &found[0]).await,
            Ok(_) => {}
            Err(err) => return ctx.settle(&job, crm_disposition(&err)).await,
        }
    }
    let module = new.module.as_str();
    match ctx.crm.create_record(&new).await {
        Ok(record) => {
            ctx.crm_ok();
            ctx.audit(AuditEntry::ok(
                AuditSystem::Crm,
                "create",
                module,
                &job.key,
                Some(&record.reference.id),
            ))
            .await;
            tracing::info!(module = %record.reference.module, id = %record.reference.id, phone = %new.phone, "created a CRM record for an unknown number");
            finish(ctx, &job, &record).await
        }
        Err(err) => {
            let failed = AuditEntry::failed(
                AuditSystem::Crm,
                "create",
                module,
                &job.key,
                err.to_string(),
            );
            ctx.audit(failed).await;
            ctx.settle(&job, crm_disposition(&err)).await
        }
    }
}

async fn finish(ctx: &EngineContext, job: &Job, record: &CrmRecord) -> Result<(), StoreError> {
    ctx.matcher.remember(record).await;
    let result = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    ctx.complete(job, &result).await?;
    // Calls waiting for this record can go on now.
    ctx.notify(JobKind::ProcessCall);
    Ok(())
}
