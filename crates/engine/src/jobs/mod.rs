//! The outbox workers: one loop per job kind, each claiming due jobs,
//! doing them, and settling each with the store (done, retry later,
//! released, failed).

mod audit;
pub mod create;
pub mod notify;
pub mod phonebook;
pub mod process;
pub mod write;

use std::time::Duration;

use chrono::Utc;
use ringbridge_core::crm::CrmError;
use ringbridge_core::job_payload::{JobData, PayloadError};
use ringbridge_core::outbox::{Job, JobKind, SettleError, backoff};
use ringbridge_core::pbx::PbxError;
use ringbridge_core::store::StoreError;
use tracing::Instrument;

use crate::context::{CrmHealth, EngineContext};

/// How a failed attempt is settled.
#[derive(Clone)]
pub(crate) enum Settlement {
    /// Try again after a backoff (counts as an attempt).
    Retry(String),
    /// Put back without counting: nothing was sent (the dependency is not ready).
    Release { reason: String, after: Duration },
    /// The CRM connection needs an admin: put back without counting, raise the alarm.
    Reconnect(String),
    /// Give up; a person can retry from the dashboard.
    Fail(String),
}

pub(crate) fn crm_settlement(err: &CrmError) -> Settlement {
    match err {
        CrmError::ReconnectNeeded(_) => Settlement::Reconnect(err.to_string()),
        e if e.is_retryable() => Settlement::Retry(e.to_string()),
        e => Settlement::Fail(crate::retry::failure_text(e)),
    }
}

pub(crate) fn pbx_settlement(err: &PbxError) -> Settlement {
    if err.is_retryable() {
        Settlement::Retry(err.to_string())
    } else {
        Settlement::Fail(err.to_string())
    }
}

/// A settle refused because the lease was lost is the other worker's job
/// now: logged, never an error that stops this worker.
fn lease_lost_is_fine(settled: Result<(), SettleError>) -> Result<(), StoreError> {
    match settled {
        Ok(()) => Ok(()),
        Err(err @ SettleError::LeaseLost { .. }) => {
            tracing::warn!(error = %err, "job settled by the worker that claimed it after this one's lease ran out");
            Ok(())
        }
        Err(SettleError::Store(err)) => Err(err),
    }
}

impl EngineContext {
    /// Marks a claimed job done with the remote system's answer (unless
    /// another worker has claimed it since).
    pub(crate) async fn complete(&self, job: &Job, result: &str) -> Result<(), StoreError> {
        lease_lost_is_fine(self.store.complete(job, result).await)
    }

    /// Settles a job that did not succeed.
    pub(crate) async fn settle(&self, job: &Job, settlement: Settlement) -> Result<(), StoreError> {
        lease_lost_is_fine(self.settle_claimed(job, settlement).await)
    }

    async fn settle_claimed(&self, job: &Job, settlement: Settlement) -> Result<(), SettleError> {
        let now = Utc::now();
        match settlement {
            Settlement::Retry(error) if job.attempts < self.tuning.max_attempts => {
                let wait = backoff(
                    job.attempts,
                    self.tuning.backoff_base,
                    self.tuning.backoff_max,
                );
                tracing::warn!(kind = job.kind.as_str(), key = %job.key, attempts = job.attempts, %error, retry_in = ?wait, "job will be retried");
                self.store.retry_later(job, &error, now + wait).await
            }
            Settlement::Retry(error) | Settlement::Fail(error) => {
                tracing::error!(kind = job.kind.as_str(), key = %job.key, attempts = job.attempts, %error, "job failed; retry it from the dashboard");
                self.store.fail(job, &error).await
            }
            Settlement::Release { reason, after } => {
                tracing::debug!(kind = job.kind.as_str(), key = %job.key, %reason, "job waits");
                self.store.release(job, now + after).await
            }
            Settlement::Reconnect(reason) => {
                let raised = self.health.send_if_modified(|h| {
                    let changed = !matches!(h, CrmHealth::ReconnectNeeded(_));
                    *h = CrmHealth::ReconnectNeeded(reason.clone());
                    changed
                });
                if raised {
                    tracing::error!(%reason, "CRM connection needs to be re-authorized; writes are paused and kept queued");
                }
                self.store
                    .release(job, now + self.tuning.reconnect_pause)
                    .await
            }
        }
    }

    /// Marks the CRM connection healthy after a successful call.
    pub(crate) fn crm_ok(&self) {
        self.health.send_if_modified(|h| {
            let changed = *h != CrmHealth::Ok;
            *h = CrmHealth::Ok;
            changed
        });
    }

    /// Waits until a job of `kind` may be due: the next due time, a wake-up
    /// from an enqueue in this process, or the poll interval (other nodes
    /// enqueue too), whichever comes first.
    pub(crate) async fn wait_for_work(&self, kind: JobKind) -> Result<(), StoreError> {
        let poll = self.tuning.poll;
        let until_due = match self.store.next_due(kind).await? {
            Some(at) => (at - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(poll),
            None => poll,
        };
        if until_due.is_zero() {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(until_due) => {}
            _ = self.wake(kind).notified() => {}
        }
        Ok(())
    }

    /// A claimed job's payload — the one place workers read payloads. One
    /// this build cannot run is settled here: a newer version waits for an
    /// upgraded node (a rolling upgrade), anything else fails for the dashboard.
    pub(crate) async fn claimed_payload<T: JobData>(
        &self,
        job: &Job,
    ) -> Result<Option<T>, StoreError> {
        let settlement = match job.decode::<T>() {
            Ok(data) => return Ok(Some(data)),
            Err(err @ PayloadError::Newer { .. }) => Settlement::Release {
                reason: err.to_string(),
                after: self.tuning.reconnect_pause,
            },
            Err(err) => Settlement::Fail(err.to_string()),
        };
        self.settle(job, settlement).await?;
        Ok(None)
    }

    /// Runs `handle` over claimed batches of `T`'s kind forever, each job
    /// with its decoded payload.
    pub(crate) async fn run_simple_worker<T, F, Fut>(
        &self,
        batch: u32,
        mut handle: F,
    ) -> Result<(), StoreError>
    where
        T: JobData,
        F: FnMut(Job, T) -> Fut,
        Fut: std::future::Future<Output = Result<(), StoreError>>,
    {
        let kind = T::KIND;
        loop {
            let jobs = self
                .store
                .claim(kind, batch, Utc::now(), self.tuning.lease, &self.worker_id)
                .await?;
            if jobs.is_empty() {
                self.wait_for_work(kind).await?;
                continue;
            }
            for job in jobs {
                // Everything logged while this job runs names the call (or
                // number) it is about: one call can be followed from its
                // ProcessCall job to the write, e.g. with `RUST_LOG=ringbridge_engine=debug`.
                let span = tracing::info_span!("job", kind = kind.as_str(), key = %job.key, attempt = job.attempts);
                async {
                    if let Some(data) = self.claimed_payload::<T>(&job).await? {
                        handle(job, data).await?;
                    }
                    Ok::<(), StoreError>(())
                }
                .instrument(span)
                .await?;
            }
        }
    }
}
