//! Upgrading a database that already holds data: what earlier versions
//! wrote keeps working under the new schema.

use std::borrow::Cow;
use std::path::PathBuf;

use chrono::{Duration, Utc};
use ringbridge_core::accounts::{AccountStore, ApiScope, TokenHash};
use ringbridge_store::testing::fresh_databases;
use ringbridge_store::{Backend, SecretKey, SqlStore};
use sqlx::migrate::Migrator;

/// The database at `url` migrated up to (not including) `version`.
async fn migrate_before(url: &str, backend: Backend, version: i64) {
    let key = SecretKey::generate();
    // Creates the SQLite file; applies nothing.
    SqlStore::connect(url, key).await.unwrap().close().await;
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut migrator = Migrator::new(path).await.unwrap();
    let older: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version < version)
        .cloned()
        .collect();
    migrator.migrations = Cow::Owned(older);
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    migrator.run(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test]
async fn api_tokens_made_before_scopes_keep_what_the_extension_needs() {
    for db in fresh_databases().await {
        sqlx::any::install_default_drivers();
        migrate_before(&db.url, db.backend, 20).await;
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        sqlx::query(
            "INSERT INTO accounts (username, display_name, role, password_hash, disabled, created_at, updated_at)
             VALUES ('ana', 'Ana', 'agent', 'x', 0, 1, 1)",
        )
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO api_tokens (account_id, name, prefix, token_hash, created_at)
             SELECT id, 'Chrome', 'rbt_abcdefgh', $1, 1 FROM accounts",
        )
        .bind(TokenHash([5; 32]).to_hex())
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        let key = SecretKey::generate();
        let store = SqlStore::open(&db.url, key).await.unwrap();
        let (token, _) = store
            .api_token(&TokenHash([5; 32]))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{:?}: token lost", db.backend));
        assert_eq!(token.scopes, ApiScope::EXTENSION, "{:?}", db.backend);
        let expires = token.expires_at.expect("an expiry");
        let in_90_days = Utc::now() + Duration::days(90);
        assert!(
            (expires - in_90_days).num_minutes().abs() < 10,
            "{:?}: {expires}",
            db.backend
        );
        store.close().await;
    }
}
