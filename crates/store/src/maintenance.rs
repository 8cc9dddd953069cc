//! Looking after the database itself: which migrations an upgrade would
//! apply (`ringbridge migrate --check`, `ringbridge doctor`), applying
//! them, and a consistent copy of a SQLite database while it is in use
//! (`ringbridge backup`).

use std::path::Path;

use crate::sql::{Backend, SqlStore};

#[derive(Debug, thiserror::Error)]
pub enum MaintenanceError {
    #[error("reading the applied migrations: {0}")]
    Read(#[source] sqlx::Error),
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("an online copy is a SQLite feature; for PostgreSQL use pg_dump")]
    NotSqlite,
    #[error("copying the database to {path}: {source}")]
    Copy {
        path: String,
        #[source]
        source: sqlx::Error,
    },
}

/// A migration this binary has that the database has not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMigration {
    pub version: i64,
    pub description: String,
}

impl std::fmt::Display for PendingMigration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04} {}", self.version, self.description)
    }
}

impl SqlStore {
    /// The migrations [`SqlStore::migrate`] would apply, oldest first
    /// (all of them on an empty database). Changes nothing.
    pub async fn pending_migrations(&self) -> Result<Vec<PendingMigration>, MaintenanceError> {
        let table_count = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let tables: i64 = sqlx::query_scalar(table_count)
            .fetch_one(self.pool())
            .await
            .map_err(MaintenanceError::Read)?;
        let applied: Vec<i64> = if tables == 0 {
            Vec::new()
        } else {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(self.pool())
                .await
                .map_err(MaintenanceError::Read)?
        };
        Ok(self
            .migrator()
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
            .map(|m| PendingMigration {
                version: m.version,
                description: m.description.to_string(),
            })
            .collect())
    }

    /// Applies the pending migrations.
    pub async fn migrate(&self) -> Result<(), MaintenanceError> {
        self.migrator()
            .run(self.writer())
            .await
            .map_err(MaintenanceError::Migrate)
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is
    /// in use (`VACUUM INTO`: one read transaction, so the copy is one
    /// moment of the database, WAL included). `path` must not exist.
    pub async fn copy_sqlite_into(&self, path: &Path) -> Result<(), MaintenanceError> {
        if self.backend() != Backend::Sqlite {
            return Err(MaintenanceError::NotSqlite);
        }
        let target = path.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO $1")
            .bind(target.clone())
            .execute(self.pool())
            .await
            .map(|_| ())
            .map_err(|source| MaintenanceError::Copy {
                path: target,
                source,
            })
    }
}
