use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::pbx::PbxEvent;
use ringbridge_core::store::{Store, StoreError};
use secrecy::{ExposeSecret, SecretString};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};

use crate::crypto::SecretKey;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a read or write waits for a connection before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite connections for reads: WAL lets them read while one writes.
const SQLITE_READERS: u32 = 4;

/// A pool of SQLite connections. Each waits up to 5 s for a lock another
/// process holds. A file connection does not go stale: no ping (a hop to
/// its thread and back) before each use.
fn sqlite_pool(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .max_connections(max_connections)
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .await?;
                Ok(())
            })
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreOpenError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// The SQL store. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct SqlStore {
    /// Reads.
    pool: AnyPool,
    /// Writes (see [`SqlStore::writer`]).
    writer: AnyPool,
    backend: Backend,
    pub(crate) key: SecretKey,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

pub(crate) fn db_err(err: sqlx::Error) -> StoreError {
    StoreError::Database(ringbridge_core::cause::Cause::new(err))
}

pub(crate) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} out of range").into()))
}

impl SqlStore {
    /// Opens (creating if needed) the database at `url` and migrates it.
    /// SQLite files are created on first use and run in WAL mode.
    pub async fn open(url: &str, key: SecretKey) -> Result<Self, StoreOpenError> {
        let store = Self::connect(url, key).await?;
        store
            .migrator()
            .run(&store.writer)
            .await
            .map_err(StoreOpenError::Migrate)?;
        Ok(store)
    }

    /// The migrations of this store's backend.
    pub(crate) fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Opens (creating if needed) the database at `url` without migrating
    /// it: for looking at what is there ([`SqlStore::pending_migrations`]).
    pub async fn connect(url: &str, key: SecretKey) -> Result<Self, StoreOpenError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreOpenError::UnsupportedUrl(url.to_owned()));
        };
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let connect = AnyConnectOptions::from_str(&sqlite_url_with_create(url))
                    .map_err(StoreOpenError::Connect)?;
                let pool = sqlite_pool(SQLITE_READERS)
                    .connect_with(connect.clone())
                    .await
                    .map_err(StoreOpenError::Connect)?;
                pool.execute("PRAGMA journal_mode = WAL;")
                    .await
                    .map_err(StoreOpenError::Connect)?;
                let writer = sqlite_pool(1)
                    .connect_with(connect)
                    .await
                    .map_err(StoreOpenError::Connect)?;
                (pool, writer)
            }
            Backend::Postgres => {
                let connect = AnyConnectOptions::from_str(url).map_err(StoreOpenError::Connect)?;
                let pool = AnyPoolOptions::new()
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .max_connections(10)
                    .connect_with(connect)
                    .await
                    .map_err(StoreOpenError::Connect)?;
                (pool.clone(), pool)
            }
        };
        Ok(Self {
            pool,
            writer,
            backend,
            key,
        })
    }

    /// Where this store's writes go (reads go to [`SqlStore::pool`]).
    ///
    /// SQLite takes one writer at a time, so this process writes through
    /// one connection of its own, and its writers take turns for it in
    /// arrival order (sqlx's pool queue is fair). A writer waits only as
    /// long as the writes before it take: when two connections wrote at
    /// once, the second hit `SQLITE_BUSY` and slept in SQLite's busy
    /// handler, in steps of 1, 2, 5, 10, 15 ms, though the lock was free
    /// again after a fraction of a millisecond (ingest's enqueue waited
    /// 7 ms at the median and up to 34 ms so behind the outbox workers'
    /// claims and settlements). And writers waiting for a lock that another
    /// process holds keep one connection, not every one: the readers (the
    /// pages, the checkpoint, the outbox's counts) still get theirs.
    ///
    /// PostgreSQL: the same pool as the reads; its writers do not exclude
    /// each other.
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// A key for `purpose` derived from the secret key (see [`SecretKey::derive`]).
    pub fn derived_key(&self, purpose: &str) -> [u8; 32] {
        self.key.derive(purpose)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool reads go through. On SQLite a write through it does not
    /// take its turn for [`SqlStore::writer`]: it meets this process's
    /// writes in SQLite's busy handler (tests that play another process
    /// do it on purpose).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Readiness probe: one round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// `sqlite://file.db` → `sqlite://file.db?mode=rwc`, so a fresh data
/// directory works without a manual `createdb`.
fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    async fn put_secret(&self, name: &str, value: &SecretString) -> Result<(), StoreError> {
        let (nonce, ciphertext) = self.key.seal(name, value.expose_secret().as_bytes());
        sqlx::query(
            "INSERT INTO secrets (name, nonce, ciphertext, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(nonce)
        .bind(ciphertext)
        .bind(millis(Utc::now()))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn secret(&self, name: &str) -> Result<Option<SecretString>, StoreError> {
        let row = sqlx::query("SELECT nonce, ciphertext FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let nonce: Vec<u8> = row.try_get(0).map_err(db_err)?;
        let ciphertext: Vec<u8> = row.try_get(1).map_err(db_err)?;
        let plain =
            self.key
                .open(name, &nonce, &ciphertext)
                .ok_or_else(|| StoreError::Decrypt {
                    name: name.to_owned(),
                })?;
        let text = String::from_utf8(plain).map_err(|_| StoreError::Decrypt {
            name: name.to_owned(),
        })?;
        Ok(Some(SecretString::from(text)))
    }

    async fn delete_secret(&self, name: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM secrets WHERE name = $1")
            .bind(name)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn put_setting(&self, key: &str, json: &str) -> Result<(), StoreError> {
        serde_json::from_str::<serde_json::Value>(json).map_err(|e| {
            StoreError::Corrupt(ringbridge_core::cause::Cause::with_context(
                format!("setting {key}"),
                e,
            ))
        })?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(json)
        .bind(millis(Utc::now()))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .map(|row| row.try_get::<String, _>(0).map_err(db_err))
            .transpose()
    }

    async fn journal_events(
        &self,
        pbx: &str,
        events: &[(DateTime<Utc>, PbxEvent)],
    ) -> Result<(), StoreError> {
        crate::batch::journal(&self.writer, self.backend, pbx, events).await
    }

    async fn prune_journal(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM pbx_event_journal WHERE received_at < $1")
            .bind(millis(before))
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn stream_checkpoint(&self, pbx: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query("SELECT checkpoint_at FROM pbx_stream WHERE pbx = $1")
            .bind(pbx)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|r| from_millis(r.try_get(0).map_err(db_err)?))
            .transpose()
    }

    async fn set_stream_checkpoint(&self, pbx: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        // Never move the checkpoint backwards: a late writer must not reopen
        // a window that was already caught up.
        let query = match self.backend {
            Backend::Sqlite => {
                "INSERT INTO pbx_stream (pbx, checkpoint_at) VALUES ($1, $2)
                 ON CONFLICT (pbx) DO UPDATE SET checkpoint_at = MAX(pbx_stream.checkpoint_at, excluded.checkpoint_at)"
            }
            // A lost move leaves an older checkpoint, so a longer catch-up:
            // its commit need not wait for the disk (see `crate::commit`).
            Backend::Postgres => concat!(
                crate::commit::unsynced!(),
                "INSERT INTO pbx_stream (pbx, checkpoint_at) SELECT $1, $2 FROM unsynced
                 ON CONFLICT (pbx) DO UPDATE SET checkpoint_at = GREATEST(pbx_stream.checkpoint_at, excluded.checkpoint_at)"
            ),
        };
        sqlx::query(query)
            .bind(pbx)
            .bind(millis(at))
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
