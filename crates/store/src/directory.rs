//! The phone directory's storage: [`DirectoryStore`] for [`SqlStore`].
//!
//! Records are written in multi-row statements (one round trip per
//! [`ROWS_PER_STATEMENT`] records, all in one transaction), because a full
//! sync brings a whole CRM; they are read back in keyset pages.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::crm::{CrmModule, CrmRecordRef};
use ringbridge_core::directory::{DirectoryEntry, DirectoryStore, SyncCursor};
use ringbridge_core::phone::E164;
use ringbridge_core::store::StoreError;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::SqlStore;

/// 9 parameters per row keeps a statement far below both backends' limits.
const ROWS_PER_STATEMENT: usize = 100;
const COLUMNS: &str =
    "module, record_id, name, company, owner_id, account_module, account_id, modified_at, numbers";

fn db_err(err: sqlx::Error) -> StoreError {
    StoreError::Database(ringbridge_core::cause::Cause::new(err))
}

fn from_millis(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} out of range").into()))
}

fn module(name: &str) -> Result<CrmModule, StoreError> {
    CrmModule::parse(name)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown CRM module {name:?}").into()))
}

/// `($1, $2, …), ($n, …)` for `rows` rows of `width` parameters.
fn placeholders(rows: usize, width: usize) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("${}", r * width + c + 1));
        }
        out.push(')');
    }
    out
}

fn entry_from_row(row: &AnyRow) -> Result<DirectoryEntry, StoreError> {
    let get_str = |i: usize| row.try_get::<String, _>(i).map_err(db_err);
    let get_opt = |i: usize| row.try_get::<Option<String>, _>(i).map_err(db_err);
    let account = match (get_opt(5)?, get_opt(6)?) {
        (Some(m), Some(id)) => Some(CrmRecordRef {
            module: module(&m)?,
            id,
        }),
        _ => None,
    };
    let numbers = get_str(8)?
        .split_whitespace()
        .map(|n| {
            E164::try_from(n.to_owned()).map_err(|_| {
                StoreError::Corrupt(format!("stored number {n:?} is not E.164").into())
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(DirectoryEntry {
        record: CrmRecordRef {
            module: module(&get_str(0)?)?,
            id: get_str(1)?,
        },
        name: get_str(2)?,
        company: get_opt(3)?,
        owner_id: get_opt(4)?,
        account,
        modified_at: from_millis(row.try_get(7).map_err(db_err)?)?,
        numbers,
    })
}

/// Keeps the most recently modified copy of each record, so one
/// statement never updates a row twice (PostgreSQL refuses that).
fn newest_per_record(entries: &[DirectoryEntry]) -> Vec<&DirectoryEntry> {
    let mut latest: std::collections::HashMap<&CrmRecordRef, &DirectoryEntry> =
        std::collections::HashMap::with_capacity(entries.len());
    for e in entries {
        latest
            .entry(&e.record)
            .and_modify(|kept| {
                if e.modified_at >= kept.modified_at {
                    *kept = e;
                }
            })
            .or_insert(e);
    }
    // Input order, for predictable statements.
    entries
        .iter()
        .filter(|e| {
            latest
                .get(&e.record)
                .is_some_and(|kept| std::ptr::eq(*kept, *e))
        })
        .collect()
}

#[async_trait]
impl DirectoryStore for SqlStore {
    async fn upsert_directory_entries(&self, entries: &[DirectoryEntry]) -> Result<(), StoreError> {
        let entries = newest_per_record(entries);
        let mut tx = self.writer().begin().await.map_err(db_err)?;
        for chunk in entries.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO directory_records ({COLUMNS}) VALUES {}
                 ON CONFLICT (module, record_id) DO UPDATE SET
                   name = excluded.name, company = excluded.company, owner_id = excluded.owner_id,
                   account_module = excluded.account_module, account_id = excluded.account_id,
                   modified_at = excluded.modified_at, numbers = excluded.numbers
                 WHERE excluded.modified_at >= directory_records.modified_at",
                placeholders(chunk.len(), 9)
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for e in chunk {
                let numbers: Vec<&str> = e.numbers.iter().map(E164::as_str).collect();
                query = query
                    .bind(e.record.module.as_str())
                    .bind(e.record.id.clone())
                    .bind(e.name.clone())
                    .bind(e.company.clone())
                    .bind(e.owner_id.clone())
                    .bind(e.account.as_ref().map(|a| a.module.as_str()))
                    .bind(e.account.as_ref().map(|a| a.id.clone()))
                    .bind(e.modified_at.timestamp_millis())
                    .bind(numbers.join(" "));
            }
            query.execute(&mut *tx).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn delete_directory_entries(&self, records: &[CrmRecordRef]) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await.map_err(db_err)?;
        for chunk in records.chunks(ROWS_PER_STATEMENT) {
            let conditions: Vec<String> = (0..chunk.len())
                .map(|i| format!("(module = ${} AND record_id = ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "DELETE FROM directory_records WHERE {}",
                conditions.join(" OR ")
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                query = query.bind(r.module.as_str()).bind(r.id.clone());
            }
            query.execute(&mut *tx).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn directory_page(
        &self,
        after: Option<&CrmRecordRef>,
        limit: u32,
    ) -> Result<Vec<DirectoryEntry>, StoreError> {
        let rows = match after {
            None => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM directory_records ORDER BY module, record_id LIMIT $1"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(i64::from(limit))
                    .fetch_all(self.pool())
                    .await
            }
            Some(after) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM directory_records WHERE (module, record_id) > ($1, $2)
                     ORDER BY module, record_id LIMIT $3"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(after.module.as_str())
                    .bind(after.id.clone())
                    .bind(i64::from(limit))
                    .fetch_all(self.pool())
                    .await
            }
        }
        .map_err(db_err)?;
        rows.iter().map(entry_from_row).collect()
    }

    async fn sync_cursor(&self, module: CrmModule) -> Result<Option<SyncCursor>, StoreError> {
        let row =
            sqlx::query("SELECT modified_at, full_sync_at FROM directory_sync WHERE module = $1")
                .bind(module.as_str())
                .fetch_optional(self.pool())
                .await
                .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let time = |i: usize| -> Result<Option<DateTime<Utc>>, StoreError> {
            row.try_get::<Option<i64>, _>(i)
                .map_err(db_err)?
                .map(from_millis)
                .transpose()
        };
        Ok(Some(SyncCursor {
            modified_at: time(0)?,
            full_sync_at: time(1)?,
        }))
    }

    async fn set_sync_cursor(
        &self,
        module: CrmModule,
        cursor: &SyncCursor,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO directory_sync (module, modified_at, full_sync_at) VALUES ($1, $2, $3)
             ON CONFLICT (module) DO UPDATE SET modified_at = excluded.modified_at, full_sync_at = excluded.full_sync_at",
        )
        .bind(module.as_str())
        .bind(cursor.modified_at.map(|t| t.timestamp_millis()))
        .bind(cursor.full_sync_at.map(|t| t.timestamp_millis()))
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn cached_miss(&self, number: &E164) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query("SELECT until_at FROM directory_misses WHERE number = $1")
            .bind(number.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
        row.map(|r| from_millis(r.try_get(0).map_err(db_err)?))
            .transpose()
    }

    async fn put_miss(&self, number: &E164, until: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO directory_misses (number, until_at) VALUES ($1, $2)
             ON CONFLICT (number) DO UPDATE SET until_at = excluded.until_at",
        )
        .bind(number.as_str())
        .bind(until.timestamp_millis())
        .execute(self.writer())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn purge_misses(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM directory_misses WHERE until_at < $1")
            .bind(now.timestamp_millis())
            .execute(self.writer())
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_number_rows_in_order() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
