//! `CreateRecord`: a Contact or Lead for an unknown number. A retry first
//! asks the CRM whether an earlier attempt created it already; a record the
//! CRM already has (a duplicate of a unique field) is used as if created.

use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::crm::{CrmError, CrmRecord, CrmRecordRef, NewRecord};
use ringbridge_core::outbox::{Job, JobKind};
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::store::StoreError;

use super::{Settlement, crm_settlement};
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
            Err(err) => return ctx.settle(&job, crm_settlement(&err)).await,
        }
    }
    let new = with_create_defaults(new, &ctx.settings());
    let module = new.module.as_str();
    match create_or_find(ctx, &new).await {
        Ok(made) => {
            ctx.crm_ok();
            let record = made.record;
            let action = if made.existed {
                "link-existing"
            } else {
                "create"
            };
            ctx.audit(AuditEntry::ok(
                AuditSystem::Crm,
                action,
                module,
                &job.key,
                Some(&record.reference.id),
            ))
            .await;
            tracing::info!(module = %record.reference.module, id = %record.reference.id, phone = %new.phone, existed = made.existed, "CRM record for an unknown number");
            finish(ctx, &job, &record).await
        }
        Err(err) => {
            let message = explain(&err);
            let failed = AuditEntry::failed(
                AuditSystem::Crm,
                "create",
                module,
                &job.key,
                message.clone(),
            );
            ctx.audit(failed).await;
            let settlement = match &err {
                CrmError::RequiredField { .. } => Settlement::Fail(message),
                other => crm_settlement(other),
            };
            ctx.settle(&job, settlement).await
        }
    }
}

async fn finish(ctx: &EngineContext, job: &Job, record: &CrmRecord) -> Result<(), StoreError> {
    ctx.matcher.remember(record).await;
    let result = serde_json::to_string(record)
        .map_err(|e| StoreError::Corrupt(ringbridge_core::cause::Cause::new(e)))?;
    ctx.complete(job, &result).await?;
    // Calls waiting for this record can go on now.
    ctx.notify(JobKind::ProcessCall);
    Ok(())
}

/// `new` with the configured defaults of its module for fields not given.
pub(crate) fn with_create_defaults(mut new: NewRecord, settings: &EngineSettings) -> NewRecord {
    if let Some(defaults) = settings.create_defaults.get(&new.module) {
        for (field, value) in defaults {
            new.fields
                .entry(field.clone())
                .or_insert_with(|| value.clone());
        }
    }
    new
}

/// A record ringbridge asked the CRM to create, and whether the CRM had it already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub record: CrmRecord,
    /// The CRM refused a second record and named this existing one instead.
    pub existed: bool,
}

/// Creates `new`, or, when the CRM names an existing record holding the same
/// unique value, reads that one: linking to it beats a failed job or a copy.
pub(crate) async fn create_or_find(
    ctx: &EngineContext,
    new: &NewRecord,
) -> Result<Created, CrmError> {
    match ctx.crm.create_record(new).await {
        Ok(record) => Ok(Created {
            record,
            existed: false,
        }),
        Err(CrmError::Duplicate { existing, field }) => {
            tracing::info!(module = %existing.module, id = %existing.id, ?field, "the CRM has this record already; using it");
            let record = existing_record(ctx, new, existing).await?;
            Ok(Created {
                record,
                existed: true,
            })
        }
        Err(err) => Err(err),
    }
}

/// The existing record as the CRM's phone search shows it; when the search
/// misses it (its index lags, or the unique field is not a phone), what we
/// know: its id and the number we meant to give it.
async fn existing_record(
    ctx: &EngineContext,
    new: &NewRecord,
    existing: CrmRecordRef,
) -> Result<CrmRecord, CrmError> {
    let found = ctx
        .crm
        .find_by_phone(&[existing.module], std::slice::from_ref(&new.phone))
        .await?;
    if let Some(record) = found.into_iter().find(|r| r.reference == existing) {
        return Ok(record);
    }
    let name = match &new.first_name {
        Some(first) => format!("{first} {}", new.last_name),
        None => new.last_name.clone(),
    };
    Ok(CrmRecord {
        reference: existing,
        name,
        company: new.company.clone(),
        email: None,
        phones: vec![new.phone.clone()],
        owner_id: None,
        account: None,
        modified_at: chrono::Utc::now(),
    })
}

/// An error for the failed job or the agent; a missing mandatory field also
/// names the setting that fills it.
pub(crate) fn explain(err: &CrmError) -> String {
    match err {
        CrmError::RequiredField { module, field } => format!(
            "{err}; {}",
            EngineSettings::create_default_hint(*module, field)
        ),
        other => other.to_string(),
    }
}
