//! The durable outbox: every write ringbridge owes another system is first
//! stored as a job with a unique key, then done by a worker, retried with
//! backoff, and marked done with the remote system's answer. A job whose
//! earlier attempt may have reached the remote system (`attempts > 1`) is
//! checked there before it is sent again — that is what makes delivery
//! exactly-once across crashes.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::job_key::JobKey;
use crate::job_payload::{JobData, JobPayload, PayloadError};
use crate::store::StoreError;

/// What a job does. Each kind has its own worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// A finished call to match, classify and turn into CRM work.
    ProcessCall,
    /// A call log to write to the CRM (batched).
    WriteCallLog,
    /// A Contact/Lead to create for an unknown number.
    CreateRecord,
    /// A CRM contact to copy into the PBX phonebook.
    SyncPhonebook,
    /// A call's one terminal PhoneBridge `callnotify` (PhoneBridge mode: the call's log).
    NotifyPhoneBridge,
    /// An agent's note and call result, into the call's CRM log.
    AnnotateCall,
    /// A task to call back a caller whose call was missed (batched).
    CreateTask,
}

impl JobKind {
    pub const ALL: [JobKind; 7] = [
        Self::ProcessCall,
        Self::WriteCallLog,
        Self::CreateRecord,
        Self::SyncPhonebook,
        Self::NotifyPhoneBridge,
        Self::AnnotateCall,
        Self::CreateTask,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProcessCall => "process_call",
            Self::WriteCallLog => "write_call_log",
            Self::CreateRecord => "create_record",
            Self::SyncPhonebook => "sync_phonebook",
            Self::NotifyPhoneBridge => "notify_phonebridge",
            Self::AnnotateCall => "annotate_call",
            Self::CreateTask => "create_task",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Pending,
    /// Claimed by a worker until its lease runs out.
    InFlight,
    Done,
    /// Gave up (permanent error or too many attempts); a person can retry it.
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InFlight => "in_flight",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::InFlight, Self::Done, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    /// Unique per kind: enqueuing the same key twice makes one job.
    pub key: String,
    pub payload: String,
    pub status: JobStatus,
    /// Times the job was claimed, this claim included.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// The remote system's answer when done (e.g. the CRM id written).
    pub result: Option<String>,
    /// The worker that claimed it last.
    pub worker: Option<String>,
}

/// Why a worker may not settle a job: it no longer holds the job's lease.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    /// The lease ran out and another worker claimed the job since (or it
    /// was settled already): that worker's answer stands, not this one's.
    #[error("job {id} ({kind} {key}) is no longer held by {worker} (claim {attempts})")]
    LeaseLost {
        id: i64,
        kind: &'static str,
        key: String,
        worker: String,
        attempts: u32,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SettleError {
    /// The error for `job`, settled by a worker that lost it.
    pub fn lease_lost(job: &Job) -> Self {
        Self::LeaseLost {
            id: job.id,
            kind: job.kind.as_str(),
            key: job.key.clone(),
            worker: job.worker.clone().unwrap_or_default(),
            attempts: job.attempts,
        }
    }
}

impl Job {
    /// True when an earlier attempt may have reached the remote system.
    pub fn maybe_delivered_before(&self) -> bool {
        self.attempts > 1
    }

    /// The job's payload, whichever version stored it (see [`JobPayload`]).
    pub fn decode_payload(&self) -> Result<JobPayload, PayloadError> {
        JobPayload::decode(self.kind, &self.payload)
    }

    /// The payload as its kind's value (`CallOutcome` for `ProcessCall`, …).
    pub fn decode<T: JobData>(&self) -> Result<T, PayloadError> {
        if self.kind != T::KIND {
            return Err(PayloadError::WrongKind {
                kind: self.kind.as_str(),
                found: T::KIND.as_str(),
            });
        }
        T::decode(&self.payload)
    }
}

/// Counts per kind and status, for the dashboard and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    pub pending: u64,
    pub in_flight: u64,
    pub done: u64,
    pub failed: u64,
    /// Age of the oldest pending job, for the sync-lag metric.
    pub oldest_pending_at: Option<DateTime<Utc>>,
}

/// A job to enqueue (see [`OutboxStore::enqueue_many`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub key: String,
    pub payload: String,
    pub due: DateTime<Utc>,
}

impl NewJob {
    /// A job of `T::KIND`, its payload encoded at the current version.
    pub fn new<T: JobData>(
        key: &JobKey,
        data: T,
        due: DateTime<Utc>,
    ) -> Result<Self, PayloadError> {
        Ok(Self {
            key: key.as_str().to_owned(),
            payload: data.into_payload().encode()?,
            due,
        })
    }
}

impl From<PayloadError> for StoreError {
    fn from(err: PayloadError) -> Self {
        StoreError::Corrupt(crate::cause::Cause::new(err))
    }
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Stores a job unless one with the same kind and key exists. `true` if new.
    async fn enqueue(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
        due: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// [`enqueue`](Self::enqueue) of a typed payload (its kind from the variant).
    async fn enqueue_job(
        &self,
        key: &JobKey,
        payload: &JobPayload,
        due: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let stored = payload.encode()?;
        self.enqueue(payload.kind(), key.as_str(), &stored, due)
            .await
    }

    /// [`requeue_with`](Self::requeue_with) with a typed payload.
    async fn requeue_with_job(
        &self,
        key: &JobKey,
        payload: &JobPayload,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let stored = payload.encode()?;
        self.requeue_with(payload.kind(), key.as_str(), &stored, now)
            .await
    }

    /// The latest version of some work: a new job, or the job `key` back to
    /// pending with `payload` unless a worker holds it right now (`false`:
    /// ask again once it is settled). A note edited after it was written
    /// is written again this way.
    async fn put_latest_job(
        &self,
        key: &JobKey,
        payload: &JobPayload,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let stored = payload.encode()?;
        let kind = payload.kind();
        Ok(self.enqueue(kind, key.as_str(), &stored, now).await?
            || self.reopen_with(kind, key.as_str(), &stored, now).await?)
    }

    /// A job that is pending, done or failed, pending again with `payload`
    /// (in one step, so no worker runs the old payload in between);
    /// `false` when it is in flight or absent.
    async fn reopen_with(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// [`replace_pending`](Self::replace_pending) with a typed payload.
    async fn replace_pending_job(
        &self,
        key: &JobKey,
        payload: &JobPayload,
    ) -> Result<bool, StoreError> {
        let stored = payload.encode()?;
        self.replace_pending(payload.kind(), key.as_str(), &stored)
            .await
    }

    /// [`enqueue`](Self::enqueue) for several jobs of one kind at once (one
    /// transaction where the store has them); `true` for each new one.
    async fn enqueue_many(&self, kind: JobKind, jobs: &[NewJob]) -> Result<Vec<bool>, StoreError> {
        let mut added = Vec::with_capacity(jobs.len());
        for job in jobs {
            added.push(self.enqueue(kind, &job.key, &job.payload, job.due).await?);
        }
        Ok(added)
    }

    /// Replaces the payload of a job that is still pending (a later, more
    /// complete version of the same work). `false` if it is claimed or done.
    async fn replace_pending(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
    ) -> Result<bool, StoreError>;

    /// Claims up to `limit` due jobs of `kind` (pending and due, or in
    /// flight with an expired lease), oldest first, incrementing their
    /// attempts. Safe when several workers or nodes claim at once.
    async fn claim(
        &self,
        kind: JobKind,
        limit: u32,
        now: DateTime<Utc>,
        lease: Duration,
        worker: &str,
    ) -> Result<Vec<Job>, StoreError>;

    /// The earliest time a job of `kind` becomes claimable, if any is waiting.
    async fn next_due(&self, kind: JobKind) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// How many jobs of `kind` are claimable at `now`.
    async fn due_count(&self, kind: JobKind, now: DateTime<Utc>) -> Result<u64, StoreError>;

    // Settling: `job` is the job as [`claim`](Self::claim) returned it. Each
    // settles it only while that claim still holds — the job is in flight,
    // claimed by the same worker, and not claimed since (every claim counts
    // an attempt). A lease that ran out with nobody claiming since still
    // holds: the work was done once, and finishing it is right. Otherwise
    // [`SettleError::LeaseLost`] and nothing changes.

    async fn complete(&self, job: &Job, result: &str) -> Result<(), SettleError>;

    /// Back to pending, claimable from `next_attempt_at`.
    async fn retry_later(
        &self,
        job: &Job,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), SettleError>;

    /// Back to pending without counting the attempt (nothing was sent, e.g.
    /// the CRM connection needs re-authorization).
    async fn release(&self, job: &Job, next_attempt_at: DateTime<Utc>) -> Result<(), SettleError>;

    async fn fail(&self, job: &Job, error: &str) -> Result<(), SettleError>;

    /// A failed job back to pending (the dashboard's retry button).
    async fn requeue(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError>;

    async fn job(&self, kind: JobKind, key: &str) -> Result<Option<Job>, StoreError>;

    /// A done or failed job back to pending, to be done again (a failed call
    /// log's retry re-runs its call's processing). `false` if it is pending,
    /// in flight or absent.
    async fn rerun(&self, kind: JobKind, key: &str, now: DateTime<Utc>)
    -> Result<bool, StoreError>;

    /// A failed job back to pending with a new payload (rebuilt with the
    /// settings in force now). `false` unless it was failed.
    async fn requeue_with(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    async fn job_by_id(&self, id: i64) -> Result<Option<Job>, StoreError>;

    async fn counts(&self, kind: JobKind) -> Result<OutboxCounts, StoreError>;

    /// Most recent jobs of `kind` in `status`, newest first.
    async fn list(
        &self,
        kind: JobKind,
        status: JobStatus,
        limit: u32,
    ) -> Result<Vec<Job>, StoreError>;
}

/// Exponential backoff with a cap, for job retries: 2 s, 4 s, 8 s … up to `max`.
pub fn backoff(attempts: u32, base: Duration, max: Duration) -> Duration {
    let exp = attempts.saturating_sub(1).min(20);
    base.saturating_mul(1u32 << exp).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(JobStatus::parse("in_flight"), Some(JobStatus::InFlight));
    }

    #[test]
    fn backoff_grows_and_caps() {
        let (base, max) = (Duration::from_secs(2), Duration::from_secs(300));
        assert_eq!(backoff(1, base, max), Duration::from_secs(2));
        assert_eq!(backoff(3, base, max), Duration::from_secs(8));
        assert_eq!(backoff(30, base, max), max);
    }
}
