//! `ProcessCall`: a finished call → policy → owner → caller match (and
//! record creation for unknown numbers) → a `WriteCallLog` job, plus a
//! `SyncPhonebook` job for a matched Contact. In PhoneBridge mode the call's
//! terminal `callnotify` is queued instead of the `WriteCallLog` job.

use chrono::Utc;
use ringbridge_core::console::CrmMode;
use ringbridge_core::crm::{CrmRecord, NewRecord};
use ringbridge_core::job_key::JobKey;
use ringbridge_core::job_payload::JobPayload;
use ringbridge_core::outbox::{Job, JobKind, JobStatus};
use ringbridge_core::pbx::CallDirection;
use ringbridge_core::phonebridge::{PlanConfig, terminal};
use ringbridge_core::settings::EngineSettings;
use ringbridge_core::store::StoreError;
use ringbridge_core::tracker::CallOutcome;

use super::{Settlement, crm_settlement};
use crate::calllog::{self, LogInput};
use crate::context::EngineContext;
use crate::phonebridge::queue_terminal;

pub async fn run(ctx: &EngineContext) -> Result<(), StoreError> {
    ctx.run_simple_worker(50, |job, outcome: CallOutcome| async move {
        handle(ctx, job, outcome).await
    })
    .await
}

enum Creation {
    /// No record is to be created.
    NotWanted,
    /// Created (now, or by an earlier call from the same number).
    Ready(Box<CrmRecord>),
    /// Being created; the call waits.
    Pending,
}

async fn handle(ctx: &EngineContext, job: Job, outcome: CallOutcome) -> Result<(), StoreError> {
    let settings = ctx.settings();
    let kind = match settings.logging.decide(&outcome) {
        Ok(kind) => kind,
        Err(skip) => {
            tracing::info!(call = %job.key, ?skip, "call not logged (policy)");
            return ctx.complete(&job, &format!("skipped: {skip:?}")).await;
        }
    };
    let users = ctx.users();
    let owner_extension = outcome.owner(settings.owner).map(str::to_owned);
    let mut owner = owner_extension
        .as_deref()
        .and_then(|e| users.user_for(e))
        .cloned();
    if owner.is_none()
        && !outcome.answered
        && let Some(user_id) = &settings.group_missed_owner
    {
        owner = users
            .iter()
            .find(|(_, m)| &m.crm_user_id == user_id)
            .map(|(_, m)| m.clone())
            .or(Some(ringbridge_core::usermap::MappedUser {
                crm_user_id: user_id.clone(),
                name: String::new(),
                manual: true,
            }));
    }
    let owner_id = owner.as_ref().map(|o| o.crm_user_id.as_str());

    // Extension numbers are never looked up: internal calls have no outside party.
    let mut record = None;
    if let Some(number) = outcome.other_party.as_deref() {
        if !ctx.matcher.ready() {
            let reason = "waiting for the phone directory's first full sync".to_owned();
            return ctx
                .settle(
                    &job,
                    Settlement::Release {
                        reason,
                        after: ctx.tuning.creation_wait,
                    },
                )
                .await;
        }
        match ctx.matcher.lookup(number, owner_id).await {
            Ok(found) => record = found.chosen,
            Err(err) => return ctx.settle(&job, crm_settlement(&err)).await,
        }
        if record.is_none() {
            match creation(ctx, &outcome, number, owner_id).await? {
                Creation::NotWanted => {}
                Creation::Ready(created) => record = Some(*created),
                Creation::Pending => {
                    let reason = "waiting for the record being created for this number".to_owned();
                    return ctx
                        .settle(
                            &job,
                            Settlement::Release {
                                reason,
                                after: ctx.tuning.creation_wait,
                            },
                        )
                        .await;
                }
            }
        }
    }

    if ctx.crm_mode() == CrmMode::PhoneBridge {
        // The terminal callnotify is the call's log; the live path may have
        // queued it already under the same key (then this is a no-op).
        let config = PlanConfig::from_settings(&settings);
        let done = match terminal(&outcome, &users, &config) {
            Some(n) => {
                let key = JobKey::phonebridge_terminal(&ctx.pbx_id, n.call_id.as_str());
                queue_terminal(ctx, &key, &n).await?;
                "phonebridge"
            }
            None => "phonebridge: no mapped agent to notify",
        };
        sync_phonebook(ctx, &settings, record.as_ref()).await?;
        return ctx.complete(&job, done).await;
    }

    let recording_url = outcome
        .record
        .recording
        .as_ref()
        .and_then(|_| ctx.recordings.as_ref().map(|r| r.link(&job.key)));
    let log = calllog::build(
        &LogInput {
            key: &job.key,
            outcome: &outcome,
            kind,
            record: record.as_ref(),
            owner_extension: owner_extension.as_deref(),
            owner: owner.as_ref(),
            recording_url,
        },
        &settings,
        &ctx.plan,
    );
    // The log is keyed like the call (the key a retry looks it up by in the CRM).
    let key = JobKey::from_stored(job.key.as_str());
    let payload = JobPayload::WriteCallLog(Box::new(log));
    let now = Utc::now();
    // Already there: a dashboard retry re-runs this call; a failed log is
    // replaced by the rebuilt one (a pending or written log stays as it is).
    if ctx.store.enqueue_job(&key, &payload, now).await?
        || ctx.store.requeue_with_job(&key, &payload, now).await?
    {
        ctx.notify(JobKind::WriteCallLog);
    }
    sync_phonebook(ctx, &settings, record.as_ref()).await?;
    ctx.complete(&job, "logged").await
}

/// A `SyncPhonebook` job for a matched Contact, when contact sync is on.
async fn sync_phonebook(
    ctx: &EngineContext,
    settings: &EngineSettings,
    record: Option<&CrmRecord>,
) -> Result<(), StoreError> {
    if let (Some(_), Some(contact)) = (&settings.phonebook, record)
        && contact.reference.module == ringbridge_core::crm::CrmModule::Contacts
    {
        // Keyed by what the PBX shows of the contact: a changed name or
        // number syncs again, an unchanged contact once. (The CRM's modified
        // time alone is not enough: it has one-second precision, so an edit
        // within the same second would look unchanged.)
        let key = JobKey::phonebook_contact(&contact.reference.id, phonebook_version(contact));
        let payload = JobPayload::SyncPhonebook(Box::new(contact.clone()));
        if ctx.store.enqueue_job(&key, &payload, Utc::now()).await? {
            ctx.notify(JobKind::SyncPhonebook);
        }
    }
    Ok(())
}

/// For an unknown number: the record to create per the settings, through a
/// `CreateRecord` job keyed by module and number — two calls from one
/// unknown number at once share that one job, so one record is created.
async fn creation(
    ctx: &EngineContext,
    outcome: &CallOutcome,
    number: &str,
    owner_id: Option<&str>,
) -> Result<Creation, StoreError> {
    let settings = ctx.settings();
    let action = match outcome.direction {
        CallDirection::Inbound => settings.unknown_inbound,
        CallDirection::Outbound => settings.unknown_outbound,
        CallDirection::Internal => return Ok(Creation::NotWanted),
    };
    let Some(module) = action.module() else {
        return Ok(Creation::NotWanted);
    };
    let Ok(e164) = ctx.plan.normalize(number) else {
        return Ok(Creation::NotWanted);
    };
    let key = JobKey::record_creation(module, e164.as_str());
    match ctx.store.job(JobKind::CreateRecord, key.as_str()).await? {
        None => {
            let new = NewRecord {
                module,
                first_name: None,
                last_name: format!("Caller {e164}"),
                company: None,
                phone: e164.to_string(),
                owner_id: owner_id.map(str::to_owned),
                // The configured defaults are added when the job runs.
                fields: Default::default(),
            };
            let payload = JobPayload::CreateRecord(Box::new(new));
            ctx.store.enqueue_job(&key, &payload, Utc::now()).await?;
            ctx.notify(JobKind::CreateRecord);
            Ok(Creation::Pending)
        }
        Some(job) => match job.status {
            JobStatus::Done => match job.result.as_deref().map(serde_json::from_str::<CrmRecord>) {
                Some(Ok(record)) => Ok(Creation::Ready(Box::new(record))),
                _ => Ok(Creation::NotWanted),
            },
            // Creation gave up (e.g. a mandatory field): log without a record.
            JobStatus::Failed => Ok(Creation::NotWanted),
            JobStatus::Pending | JobStatus::InFlight => Ok(Creation::Pending),
        },
    }
}

/// A fingerprint of the contact fields copied into the PBX phonebook.
fn phonebook_version(contact: &CrmRecord) -> u64 {
    use std::hash::{Hash, Hasher};
    // SipHash with fixed keys: stable from run to run of one build; a new
    // build that hashes differently only causes one extra, harmless re-sync.
    let mut hasher = std::hash::DefaultHasher::new();
    (
        &contact.name,
        &contact.company,
        &contact.email,
        &contact.phones,
    )
        .hash(&mut hasher);
    hasher.finish()
}
