//! Fresh databases for tests, on every backend the machine offers.
//!
//! SQLite always; PostgreSQL when `RINGBRIDGE_TEST_POSTGRES_URL` points at a
//! server whose user may create databases. Under CI (`CI` set) PostgreSQL is
//! required, so a missing server fails the run instead of silently testing less.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Connection, Executor};

use crate::Backend;

/// A database that exists for one test. SQLite files live in a temp dir
/// removed on drop; PostgreSQL databases are named uniquely (process and
/// time) and dropped by a later test run once they are an hour old, so a
/// developer's server does not fill up with them run after run.
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub const POSTGRES_ENV: &str = "RINGBRIDGE_TEST_POSTGRES_URL";

/// One fresh, opened and migrated store per available backend, each with
/// its own random secret key. Keep the `TestDatabase` alive while testing.
pub async fn fresh_stores() -> Vec<(crate::SqlStore, TestDatabase)> {
    let mut out = Vec::new();
    for db in fresh_databases().await {
        let key = crate::SecretKey::generate();
        let store = crate::SqlStore::open(&db.url, key)
            .await
            .expect("the test database opens");
        out.push((store, db));
    }
    out
}

/// One fresh database per available backend.
pub async fn fresh_databases() -> Vec<TestDatabase> {
    let mut all = vec![fresh_sqlite()];
    if let Some(db) = fresh_postgres().await {
        all.push(db);
    }
    all
}

pub fn fresh_sqlite() -> TestDatabase {
    let dir = tempfile::tempdir().expect("temp dir for a test database");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    TestDatabase {
        backend: Backend::Sqlite,
        url,
        _dir: Some(dir),
    }
}

/// A new, empty PostgreSQL database, or `None` when none is configured
/// outside CI.
pub async fn fresh_postgres() -> Option<TestDatabase> {
    let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{POSTGRES_ENV} must be set under CI: storage is tested on PostgreSQL too"
        );
        eprintln!("note: {POSTGRES_ENV} not set; testing SQLite only");
        return None;
    };
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("rb_test_{}_{stamp}_{n}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to the test PostgreSQL server");
    static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !SWEPT.swap(true, std::sync::atomic::Ordering::Relaxed) {
        drop_old_test_databases(&mut admin, stamp).await;
    }
    let create = format!("CREATE DATABASE {name}");
    admin
        .execute(sqlx::AssertSqlSafe(create))
        .await
        .expect("create a test database");
    let mut url = url::Url::parse(&admin_url).expect("RINGBRIDGE_TEST_POSTGRES_URL is a URL");
    url.set_path(&name);
    Some(TestDatabase {
        backend: Backend::Postgres,
        url: url.to_string(),
        _dir: None,
    })
}

/// Older than this, a test database belongs to a run that has ended.
const TEST_DATABASE_LIFETIME_NANOS: u128 = 3_600 * 1_000_000_000;

/// Drops the `rb_test_{pid}_{nanos}_{n}` databases of runs that ended (best
/// effort: a leftover is only disk space).
async fn drop_old_test_databases(admin: &mut sqlx::PgConnection, now_nanos: u128) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'rb\\_test\\_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    for name in names {
        let stamp = name.split('_').nth(3).and_then(|s| s.parse::<u128>().ok());
        let old = stamp.is_some_and(|s| now_nanos.saturating_sub(s) > TEST_DATABASE_LIFETIME_NANOS);
        // The name came from the pattern above and is digits and underscores.
        if old && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = admin.execute(sqlx::AssertSqlSafe(drop)).await;
        }
    }
}
