//! Records an agent creates by hand for an unknown number (the panel's
//! "Create contact" / "Create lead"), and relating the call to the new
//! record wherever the call's log is at that moment: not processed yet,
//! queued for the CRM, or already written there.
//!
//! Order matters: the record is made known to lookups first
//! ([`CallerMatcher::remember`]), then the call's jobs are inspected. A
//! `ProcessCall` job still pending will find the record by itself; one
//! being processed may have looked before, so we wait for the log job it
//! produces and change that.
//!
//! [`CallerMatcher::remember`]: crate::matcher::CallerMatcher::remember

use std::time::Duration;

use ringbridge_core::audit::{AuditEntry, AuditSystem};
use ringbridge_core::crm::{CallLog, CrmError, CrmModule, CrmRecord, CrmRecordRef, NewRecord};
use ringbridge_core::job_key::JobKey;
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::outbox::{Job, JobKind, JobStatus};
use ringbridge_core::store::StoreError;
use serde::Serialize;

use crate::context::EngineContext;
pub use crate::jobs::create::Created;
use crate::jobs::create::{create_or_find, explain, with_create_defaults};

/// What the agent typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualRecord {
    /// Contacts or Leads.
    pub module: CrmModule,
    pub first_name: Option<String>,
    pub last_name: String,
    pub company: Option<String>,
    /// The caller's number as the panel showed it.
    pub number: String,
    /// The CRM user who owns the new record (the agent).
    pub owner_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManualError {
    #[error("only Contacts and Leads are created by hand, not {0}")]
    Module(CrmModule),
    #[error("a last name (or a company) is required")]
    NoName,
    #[error("not a phone number: {0}")]
    Number(String),
    /// The CRM requires a field the panel does not ask for (the org's layout
    /// made it mandatory): the message names it and the setting that fills it.
    #[error("{0}")]
    RequiredField(String),
    #[error(transparent)]
    Crm(#[from] CrmError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where the call's log stood when the record was related to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// The call was not processed yet: its log will name the record.
    WhenLogged,
    /// The log waiting to be written now names the record.
    Queued,
    /// The log was already in the CRM and was updated there.
    Updated,
    /// The call is not logged (the logging policy skipped it).
    NotLogged,
    /// Writing the call's log failed for good; an admin can retry it.
    LogFailed,
    /// The call's log was being written all the time we waited.
    Busy,
}

/// Creates the record in the CRM, or finds the one the CRM already has for
/// a unique value (`existed`), and makes it known to later lookups.
pub async fn create(ctx: &EngineContext, input: &ManualRecord) -> Result<Created, ManualError> {
    create_as(ctx, input, None).await
}

/// [`create`] through `agent_crm`, the agent's own grant when they signed
/// in with Zoho: Zoho records them as creator, and refuses what their
/// profile does not allow (its reason reaches the agent). A duplicate
/// falls back to the service's lookup of the existing record.
pub async fn create_as(
    ctx: &EngineContext,
    input: &ManualRecord,
    agent_crm: Option<std::sync::Arc<dyn ringbridge_core::crm::Crm>>,
) -> Result<Created, ManualError> {
    if !matches!(input.module, CrmModule::Contacts | CrmModule::Leads) {
        return Err(ManualError::Module(input.module));
    }
    let last_name = input.last_name.trim();
    if last_name.is_empty() {
        return Err(ManualError::NoName);
    }
    let phone = ctx
        .plan
        .normalize(&input.number)
        .map_err(|_| ManualError::Number(input.number.clone()))?;
    let new = NewRecord {
        module: input.module,
        first_name: non_empty(input.first_name.as_deref()),
        last_name: last_name.to_owned(),
        company: non_empty(input.company.as_deref()),
        phone: phone.to_string(),
        owner_id: input.owner_id.clone(),
        fields: Default::default(),
    };
    let new = with_create_defaults(new, &ctx.settings());
    let key = format!("manual:{}:{phone}", input.module);
    let made = match &agent_crm {
        Some(crm) => match crm.create_record(&new).await {
            Ok(record) => Ok(Created {
                record,
                existed: false,
            }),
            Err(CrmError::Duplicate { .. }) => create_or_find(ctx, &new).await,
            Err(err) => Err(err),
        },
        None => create_or_find(ctx, &new).await,
    };
    match made {
        Ok(made) => {
            ctx.crm_ok();
            let record = &made.record;
            let action = if made.existed {
                "link-existing"
            } else {
                "create"
            };
            let id = Some(record.reference.id.as_str());
            ctx.audit(AuditEntry::ok(
                AuditSystem::Crm,
                action,
                input.module.as_str(),
                &key,
                id,
            ))
            .await;
            ctx.matcher.remember(record).await;
            tracing::info!(module = %record.reference.module, id = %record.reference.id, existed = made.existed, "an agent created a CRM record");
            Ok(made)
        }
        Err(err) => {
            let message = explain(&err);
            let entry = AuditEntry::failed(
                AuditSystem::Crm,
                "create",
                input.module.as_str(),
                &key,
                message.clone(),
            );
            ctx.audit(entry).await;
            Err(match err {
                CrmError::RequiredField { .. } => ManualError::RequiredField(message),
                other => other.into(),
            })
        }
    }
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The call log's Who/What for a record, as the engine relates calls.
fn relation(record: &CrmRecord) -> (Option<CrmRecordRef>, Option<CrmRecordRef>) {
    if record.reference.module == CrmModule::Contacts {
        (Some(record.reference.clone()), record.account.clone())
    } else {
        (None, Some(record.reference.clone()))
    }
}

/// Relates the call `call_key` to `record` (already [`create`]d), waiting
/// at most `wait` for a log that is being processed or written right now.
pub async fn link_call(
    ctx: &EngineContext,
    call_key: &str,
    record: &CrmRecord,
    wait: Duration,
) -> Result<LinkState, ManualError> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if let Some(state) = try_link(ctx, call_key, record).await? {
            return Ok(state);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(LinkState::Busy);
        }
        tokio::time::sleep(ctx.tuning.poll.min(Duration::from_millis(200))).await;
    }
}

/// One look at the call's jobs; `None` when it must wait and look again.
async fn try_link(
    ctx: &EngineContext,
    call_key: &str,
    record: &CrmRecord,
) -> Result<Option<LinkState>, ManualError> {
    if let Some(log_job) = ctx.store.job(JobKind::WriteCallLog, call_key).await? {
        return relate_log(ctx, &log_job, record).await;
    }
    Ok(match ctx.store.job(JobKind::ProcessCall, call_key).await? {
        // Not ended yet, or ended and waiting: processing looks the number
        // up after this point and finds the remembered record.
        None => Some(LinkState::WhenLogged),
        Some(job) => match job.status {
            JobStatus::Pending => Some(LinkState::WhenLogged),
            // It may have looked the number up before we remembered it.
            JobStatus::InFlight => None,
            JobStatus::Failed => Some(LinkState::LogFailed),
            JobStatus::Done if job.result.as_deref() == Some("logged") => None,
            JobStatus::Done => Some(LinkState::NotLogged),
        },
    })
}

async fn relate_log(
    ctx: &EngineContext,
    job: &Job,
    record: &CrmRecord,
) -> Result<Option<LinkState>, ManualError> {
    let (who, what) = relation(record);
    match job.status {
        JobStatus::Pending => {
            let mut log: CallLog = job.decode().map_err(|e| {
                StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
                    format!("call log {}", job.key),
                    e,
                ))
            })?;
            log.who = who;
            log.what = what;
            let key = JobKey::from_stored(job.key.as_str());
            let payload = JobPayload::WriteCallLog(Box::new(log));
            // Claimed in between: look again.
            let replaced = ctx.store.replace_pending_job(&key, &payload).await?;
            Ok(replaced.then_some(LinkState::Queued))
        }
        JobStatus::InFlight => Ok(None),
        JobStatus::Failed => Ok(Some(LinkState::LogFailed)),
        JobStatus::Done => {
            let Some(crm_id) = job.result.as_deref() else {
                return Err(StoreError::Corrupt(
                    format!("call log {} has no CRM id", job.key).into(),
                )
                .into());
            };
            let result = ctx
                .crm
                .relate_call(crm_id, who.as_ref(), what.as_ref())
                .await;
            let entry = match &result {
                Ok(()) => {
                    AuditEntry::ok(AuditSystem::Crm, "relate", "Calls", &job.key, Some(crm_id))
                }
                Err(err) => AuditEntry::failed(
                    AuditSystem::Crm,
                    "relate",
                    "Calls",
                    &job.key,
                    err.to_string(),
                ),
            };
            ctx.audit(entry).await;
            result?;
            Ok(Some(LinkState::Updated))
        }
    }
}

#[cfg(test)]
#[path = "manual_tests.rs"]
pub(crate) mod tests;
