//! Recording links seen and revoked. A call revoked as a whole is kept
//! apart from its links, because most links are never opened (so never
//! remembered) and must be refused all the same.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::pbx::RecordingRef;
use ringbridge_core::recording::{CapabilityId, IssuedLink, RecordingCapability, RecordingStore};
use ringbridge_core::store::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::{SqlStore, db_err, from_millis, millis};

const COLUMNS: &str = "id, call_key, recording, issued_at, expires_at, revoked_at";

fn link_from_row(row: &AnyRow) -> Result<IssuedLink, StoreError> {
    let id: String = row.try_get(0).map_err(db_err)?;
    let time = |i: usize| -> Result<Option<DateTime<Utc>>, StoreError> {
        row.try_get::<Option<i64>, _>(i)
            .map_err(db_err)?
            .map(from_millis)
            .transpose()
    };
    Ok(IssuedLink {
        id: CapabilityId::parse(&id)
            .ok_or_else(|| StoreError::Corrupt(format!("recording link id {id:?}").into()))?,
        call_key: row.try_get(1).map_err(db_err)?,
        recording: row
            .try_get::<Option<String>, _>(2)
            .map_err(db_err)?
            .map(RecordingRef),
        issued_at: from_millis(row.try_get(3).map_err(db_err)?)?,
        expires_at: time(4)?,
        revoked_at: time(5)?,
    })
}

#[async_trait]
impl RecordingStore for SqlStore {
    async fn remember_link(&self, link: &IssuedLink) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO recording_links (id, call_key, recording, issued_at, expires_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET
                 recording = COALESCE(recording_links.recording, excluded.recording),
                 revoked_at = COALESCE(recording_links.revoked_at, excluded.revoked_at)",
        )
        .bind(link.id.to_string())
        .bind(link.call_key.as_str())
        .bind(link.recording.as_ref().map(|r| r.0.as_str()))
        .bind(millis(link.issued_at))
        .bind(link.expires_at.map(millis))
        .bind(link.revoked_at.map(millis))
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn recording_link(&self, id: &CapabilityId) -> Result<Option<IssuedLink>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM recording_links WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(link_from_row).transpose()
    }

    async fn revoke_link(&self, id: &CapabilityId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        // An earlier revocation keeps its time.
        let done = sqlx::query(
            "UPDATE recording_links SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(millis(at))
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn revoke_call(&self, call_key: &str, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.writer().begin().await.map_err(db_err)?;
        sqlx::query(
            "INSERT INTO recording_revoked_calls (call_key, revoked_at) VALUES ($1, $2)
             ON CONFLICT (call_key) DO UPDATE SET revoked_at = excluded.revoked_at
             WHERE excluded.revoked_at > recording_revoked_calls.revoked_at",
        )
        .bind(call_key)
        .bind(millis(at))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let done = sqlx::query(
            "UPDATE recording_links SET revoked_at = $2
             WHERE call_key = $1 AND revoked_at IS NULL AND issued_at <= $2",
        )
        .bind(call_key)
        .bind(millis(at))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn is_revoked(&self, capability: &RecordingCapability) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT
                 (SELECT COUNT(*) FROM recording_links WHERE id = $1 AND revoked_at IS NOT NULL)
               + (SELECT COUNT(*) FROM recording_revoked_calls
                  WHERE call_key = $2 AND revoked_at >= $3)",
        )
        .bind(capability.id.to_string())
        .bind(capability.call_key.as_str())
        .bind(millis(capability.issued_at))
        .fetch_one(self.pool())
        .await
        .map_err(db_err)?;
        let hits: i64 = row.try_get(0).map_err(db_err)?;
        Ok(hits > 0)
    }

    async fn links_for_call(&self, call_key: &str) -> Result<Vec<IssuedLink>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM recording_links WHERE call_key = $1 ORDER BY issued_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(call_key)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(link_from_row).collect()
    }

    async fn recent_links(&self, limit: u32) -> Result<Vec<IssuedLink>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM recording_links ORDER BY issued_at DESC, id DESC LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(link_from_row).collect()
    }
}
