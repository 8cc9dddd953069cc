//! The audit table: an append-only list of writes to other systems.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::audit::{AuditEntry, AuditOutcome, AuditStore, AuditSystem};
use ringbridge_core::store::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlStore, db_err, from_millis, millis};

const COLUMNS: &str = "at, system, action, target, key, remote_id, outcome, error";

fn entry_from_row(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    let system: String = row.try_get(1).map_err(db_err)?;
    let outcome: String = row.try_get(6).map_err(db_err)?;
    let error: Option<String> = row.try_get(7).map_err(db_err)?;
    Ok(AuditEntry {
        at: from_millis(row.try_get(0).map_err(db_err)?)?,
        system: AuditSystem::parse(&system)
            .ok_or_else(|| StoreError::Corrupt(format!("audit system {system:?}").into()))?,
        action: row.try_get(2).map_err(db_err)?,
        target: row.try_get(3).map_err(db_err)?,
        key: row.try_get(4).map_err(db_err)?,
        remote_id: row.try_get(5).map_err(db_err)?,
        outcome: match outcome.as_str() {
            "ok" => AuditOutcome::Ok,
            "failed" => AuditOutcome::Failed(error.unwrap_or_default()),
            other => {
                return Err(StoreError::Corrupt(
                    format!("audit outcome {other:?}").into(),
                ));
            }
        },
    })
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn record(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let (outcome, error) = match &entry.outcome {
            AuditOutcome::Ok => ("ok", None),
            AuditOutcome::Failed(error) => ("failed", Some(error.as_str())),
        };
        sqlx::query(
            "INSERT INTO audit_log (at, system, action, target, key, remote_id, outcome, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(millis(entry.at))
        .bind(entry.system.as_str())
        .bind(entry.action.as_str())
        .bind(entry.target.as_str())
        .bind(entry.key.as_str())
        .bind(entry.remote_id.as_deref())
        .bind(outcome)
        .bind(error)
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY id DESC LIMIT $1");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(entry_from_row).collect()
    }

    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(millis(before))
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn for_key(&self, key: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE key = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(entry_from_row).collect()
    }
}
