//! The outbox table: jobs with a unique (kind, key), claimed with a lease.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::outbox::{
    Job, JobKind, JobStatus, NewJob, OutboxCounts, OutboxStore, SettleError,
};
use ringbridge_core::store::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{Backend, SqlStore, db_err, from_millis, millis};

const COLUMNS: &str = "id, kind, key, payload, status, attempts, created_at, next_attempt_at, last_error, result, worker";

fn job_from_row(row: &AnyRow) -> Result<Job, StoreError> {
    let kind: String = row.try_get(1).map_err(db_err)?;
    let status: String = row.try_get(4).map_err(db_err)?;
    let attempts: i64 = row.try_get(5).map_err(db_err)?;
    Ok(Job {
        id: row.try_get(0).map_err(db_err)?,
        kind: JobKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("job kind {kind:?}").into()))?,
        key: row.try_get(2).map_err(db_err)?,
        payload: row.try_get(3).map_err(db_err)?,
        status: JobStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("job status {status:?}").into()))?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        created_at: from_millis(row.try_get(6).map_err(db_err)?)?,
        next_attempt_at: from_millis(row.try_get(7).map_err(db_err)?)?,
        last_error: row.try_get(8).map_err(db_err)?,
        result: row.try_get(9).map_err(db_err)?,
        worker: row.try_get(10).map_err(db_err)?,
    })
}

/// The condition every settling update adds: the claim `job` came from
/// still holds (see [`OutboxStore::complete`]). Binds the id, the worker
/// and the attempts at `$first`, `$first + 1`, `$first + 2`.
fn held(first: usize) -> String {
    format!(
        "id = ${} AND status = 'in_flight' AND worker = ${} AND attempts = ${}",
        first,
        first + 1,
        first + 2
    )
}

/// Runs a settling update for `job`; no row changed means its lease is lost.
async fn settle(
    store: &SqlStore,
    job: &Job,
    sql: String,
    binds: Binds<'_>,
) -> Result<(), SettleError> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for bind in binds.0 {
        query = match bind {
            Bind::Text(t) => query.bind(t),
            Bind::Int(i) => query.bind(i),
        };
    }
    let done = query
        .bind(job.id)
        .bind(job.worker.as_deref().unwrap_or_default())
        .bind(i64::from(job.attempts))
        .execute(store.writer())
        .await
        .map_err(db_err)?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(SettleError::lease_lost(job))
    }
}

enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

struct Binds<'a>(Vec<Bind<'a>>);

/// A new pending job; a job with the same kind and key is left as it is.
const INSERT_JOB: &str = "INSERT INTO outbox (kind, key, payload, status, attempts, created_at, next_attempt_at, updated_at)
     VALUES ($1, $2, $3, 'pending', 0, $4, $5, $4) ON CONFLICT (kind, key) DO NOTHING";

fn lease_millis(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX)
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn enqueue(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
        due: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = millis(Utc::now());
        let done = sqlx::query(INSERT_JOB)
            .bind(kind.as_str())
            .bind(key)
            .bind(payload)
            .bind(now)
            .bind(millis(due))
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn enqueue_many(&self, kind: JobKind, jobs: &[NewJob]) -> Result<Vec<bool>, StoreError> {
        let rows: Vec<_> = jobs
            .iter()
            .map(|job| crate::batch::JobRow {
                key: &job.key,
                payload: &job.payload,
                due: millis(job.due),
            })
            .collect();
        crate::batch::enqueue(self.writer(), self.backend(), kind.as_str(), &rows).await
    }

    async fn replace_pending(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET payload = $1, updated_at = $2 WHERE kind = $3 AND key = $4 AND status = 'pending'",
        )
        .bind(payload)
        .bind(millis(Utc::now()))
        .bind(kind.as_str())
        .bind(key)
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn claim(
        &self,
        kind: JobKind,
        limit: u32,
        now: DateTime<Utc>,
        lease: Duration,
        worker: &str,
    ) -> Result<Vec<Job>, StoreError> {
        let now_ms = millis(now);
        // PostgreSQL: rows another node is claiming right now are skipped,
        // not waited for. SQLite has one writer at a time, so the subquery
        // and update are already atomic.
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET status = 'in_flight', attempts = attempts + 1, lease_until = $1, worker = $2, updated_at = $3
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE kind = $4 AND ((status = 'pending' AND next_attempt_at <= $3) OR (status = 'in_flight' AND lease_until <= $3))
                 ORDER BY next_attempt_at, id LIMIT $5 {lock})
             RETURNING {COLUMNS}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now_ms.saturating_add(lease_millis(lease)))
            .bind(worker)
            .bind(now_ms)
            .bind(kind.as_str())
            .bind(i64::from(limit))
            .fetch_all(self.writer())
            .await
            .map_err(db_err)?;
        let mut jobs = rows
            .iter()
            .map(job_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        jobs.sort_by_key(|j| (j.next_attempt_at, j.id));
        Ok(jobs)
    }

    async fn next_due(&self, kind: JobKind) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query(
            "SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) FROM outbox
             WHERE kind = $1 AND status IN ('pending', 'in_flight')",
        )
        .bind(kind.as_str())
        .fetch_one(self.pool())
        .await
        .map_err(db_err)?;
        let at: Option<i64> = row.try_get(0).map_err(db_err)?;
        at.map(from_millis).transpose()
    }

    async fn due_count(&self, kind: JobKind, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM outbox WHERE kind = $1
             AND ((status = 'pending' AND next_attempt_at <= $2) OR (status = 'in_flight' AND lease_until <= $2))",
        )
        .bind(kind.as_str())
        .bind(millis(now))
        .fetch_one(self.pool())
        .await
        .map_err(db_err)?;
        let n: i64 = row.try_get(0).map_err(db_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn complete(&self, job: &Job, result: &str) -> Result<(), SettleError> {
        let sql = format!(
            "UPDATE outbox SET status = 'done', result = $1, lease_until = NULL, updated_at = $2 WHERE {}",
            held(3)
        );
        let now = millis(Utc::now());
        settle(
            self,
            job,
            sql,
            Binds(vec![Bind::Text(result), Bind::Int(now)]),
        )
        .await
    }

    async fn retry_later(
        &self,
        job: &Job,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), SettleError> {
        let sql = format!(
            "UPDATE outbox SET status = 'pending', last_error = $1, next_attempt_at = $2, lease_until = NULL, updated_at = $3
             WHERE {}",
            held(4)
        );
        let binds = vec![
            Bind::Text(error),
            Bind::Int(millis(next_attempt_at)),
            Bind::Int(millis(Utc::now())),
        ];
        settle(self, job, sql, Binds(binds)).await
    }

    async fn release(&self, job: &Job, next_attempt_at: DateTime<Utc>) -> Result<(), SettleError> {
        let sql = format!(
            "UPDATE outbox SET status = 'pending', attempts = attempts - 1, next_attempt_at = $1, lease_until = NULL, updated_at = $2
             WHERE {}",
            held(3)
        );
        let binds = vec![
            Bind::Int(millis(next_attempt_at)),
            Bind::Int(millis(Utc::now())),
        ];
        settle(self, job, sql, Binds(binds)).await
    }

    async fn fail(&self, job: &Job, error: &str) -> Result<(), SettleError> {
        let sql = format!(
            "UPDATE outbox SET status = 'failed', last_error = $1, lease_until = NULL, updated_at = $2 WHERE {}",
            held(3)
        );
        let now = millis(Utc::now());
        settle(
            self,
            job,
            sql,
            Binds(vec![Bind::Text(error), Bind::Int(now)]),
        )
        .await
    }

    async fn requeue(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $1, updated_at = $1 WHERE id = $2 AND status = 'failed'",
        )
        .bind(millis(now))
        .bind(id)
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn rerun(
        &self,
        kind: JobKind,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $1, updated_at = $1 \
             WHERE kind = $2 AND key = $3 AND status IN ('done', 'failed')",
        )
        .bind(millis(now))
        .bind(kind.as_str())
        .bind(key)
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn requeue_with(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pending_again(kind, key, payload, now, "('failed')")
            .await
    }

    async fn reopen_with(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pending_again(kind, key, payload, now, "('pending', 'done', 'failed')")
            .await
    }

    async fn job_by_id(&self, id: i64) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?
            .as_ref()
            .map(job_from_row)
            .transpose()
    }

    async fn job(&self, kind: JobKind, key: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE kind = $1 AND key = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kind.as_str())
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?
            .as_ref()
            .map(job_from_row)
            .transpose()
    }

    async fn counts(&self, kind: JobKind) -> Result<OutboxCounts, StoreError> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*), MIN(created_at) FROM outbox WHERE kind = $1 GROUP BY status",
        )
        .bind(kind.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        let mut counts = OutboxCounts::default();
        for row in rows {
            let status: String = row.try_get(0).map_err(db_err)?;
            let n = u64::try_from(row.try_get::<i64, _>(1).map_err(db_err)?).unwrap_or(0);
            match JobStatus::parse(&status) {
                Some(JobStatus::Pending) => {
                    counts.pending = n;
                    let oldest: Option<i64> = row.try_get(2).map_err(db_err)?;
                    counts.oldest_pending_at = oldest.map(from_millis).transpose()?;
                }
                Some(JobStatus::InFlight) => counts.in_flight = n,
                Some(JobStatus::Done) => counts.done = n,
                Some(JobStatus::Failed) => counts.failed = n,
                None => return Err(StoreError::Corrupt(format!("job status {status:?}").into())),
            }
        }
        Ok(counts)
    }

    async fn list(
        &self,
        kind: JobKind,
        status: JobStatus,
        limit: u32,
    ) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE kind = $1 AND status = $2 ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kind.as_str())
            .bind(status.as_str())
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(job_from_row).collect()
    }
}

impl SqlStore {
    /// The job back to pending with `payload` if its status is one of
    /// `from` (an SQL list of constants, never input).
    async fn pending_again(
        &self,
        kind: JobKind,
        key: &str,
        payload: &str,
        now: DateTime<Utc>,
        from: &'static str,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE outbox SET status = 'pending', payload = $1, next_attempt_at = $2, updated_at = $2 \
             WHERE kind = $3 AND key = $4 AND status IN {from}"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(payload)
            .bind(millis(now))
            .bind(kind.as_str())
            .bind(key)
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
