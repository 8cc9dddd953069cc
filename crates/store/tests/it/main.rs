//! Storage behaviour on every backend available (SQLite always, PostgreSQL
//! when configured; required under CI).

mod accounts;
mod agent_grants;
mod audit;
mod commit;
mod console;
mod lease;
mod outbox;
mod recording;
mod replay;
mod sqlite_writer;
mod upgrade;

use chrono::{Duration, TimeZone, Utc};
use ringbridge_core::pbx::{CallId, CallSnapshot, PbxEvent};
use ringbridge_core::store::{Store, StoreError};
use ringbridge_store::testing::fresh_databases;
use ringbridge_store::{SecretKey, SqlStore};
use secrecy::{ExposeSecret, SecretString};
use sqlx::Row;

mod directory;

async fn each_backend<F, Fut>(test: F)
where
    F: Fn(SqlStore, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in fresh_databases().await {
        let key = SecretKey::generate();
        let store = SqlStore::open(&db.url, key)
            .await
            .unwrap_or_else(|e| panic!("{:?}: {e}", db.backend));
        test(store.clone(), db.url.clone()).await;
        store.close().await;
    }
}

#[tokio::test]
async fn secrets_are_encrypted_at_rest_and_need_the_key() {
    each_backend(|store, url| async move {
        let secret = SecretString::from("client-secret-ABC123".to_owned());
        store
            .put_secret("pbx.client_secret", &secret)
            .await
            .unwrap();
        assert_eq!(
            store
                .secret("pbx.client_secret")
                .await
                .unwrap()
                .unwrap()
                .expose_secret(),
            "client-secret-ABC123"
        );

        // What the database holds is not the plaintext.
        let row = sqlx::query("SELECT ciphertext FROM secrets WHERE name = $1")
            .bind("pbx.client_secret")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let raw: Vec<u8> = row.get(0);
        assert!(!String::from_utf8_lossy(&raw).contains("client-secret"));

        // Another key cannot read it, and says so.
        let other = SqlStore::open(&url, SecretKey::generate()).await.unwrap();
        assert_eq!(
            other.secret("pbx.client_secret").await.unwrap_err(),
            StoreError::Decrypt {
                name: "pbx.client_secret".into()
            }
        );
        other.close().await;

        // Overwrite and delete.
        store
            .put_secret(
                "pbx.client_secret",
                &SecretString::from("rotated".to_owned()),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .secret("pbx.client_secret")
                .await
                .unwrap()
                .unwrap()
                .expose_secret(),
            "rotated"
        );
        store.delete_secret("pbx.client_secret").await.unwrap();
        assert!(store.secret("pbx.client_secret").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn settings_hold_json() {
    each_backend(|store, _| async move {
        assert!(store.setting("mode").await.unwrap().is_none());
        store.put_setting("mode", "\"rest\"").await.unwrap();
        store.put_setting("mode", "\"phonebridge\"").await.unwrap();
        assert_eq!(
            store.setting("mode").await.unwrap().as_deref(),
            Some("\"phonebridge\"")
        );
        let err = store
            .put_setting("mode", "not json")
            .await
            .expect_err("not JSON");
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        // The JSON error is kept below the message, not flattened into it.
        assert!(
            err.to_string()
                .starts_with("stored data is invalid: setting mode: ")
        );
        let below = ringbridge_core::cause::Cause::find::<serde_json::Error>(&err);
        assert!(below.is_some_and(|e| e.is_syntax()), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn stream_checkpoint_only_moves_forward() {
    each_backend(|store, _| async move {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        assert!(store.stream_checkpoint("pbx1").await.unwrap().is_none());
        store.set_stream_checkpoint("pbx1", t0).await.unwrap();
        store
            .set_stream_checkpoint("pbx1", t0 - Duration::minutes(5))
            .await
            .unwrap();
        assert_eq!(store.stream_checkpoint("pbx1").await.unwrap(), Some(t0));
        store
            .set_stream_checkpoint("pbx1", t0 + Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(
            store.stream_checkpoint("pbx1").await.unwrap(),
            Some(t0 + Duration::seconds(1))
        );
        assert!(store.stream_checkpoint("pbx2").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn events_are_journaled() {
    each_backend(|store, _| async move {
        let event = PbxEvent::CallState(CallSnapshot {
            call_id: CallId::from("1.2"),
            participants: vec![],
        });
        store
            .journal_event("pbx1", Utc::now(), &event)
            .await
            .unwrap();
        let row =
            sqlx::query("SELECT call_id, kind, payload FROM pbx_event_journal WHERE pbx = $1")
                .bind("pbx1")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(row.get::<String, _>(0), "1.2");
        assert_eq!(row.get::<String, _>(1), "call_state");
        let back: PbxEvent = serde_json::from_str(&row.get::<String, _>(2)).unwrap();
        assert_eq!(back, event);
    })
    .await;
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_remigrate() {
    each_backend(|store, url| async move {
        store.put_setting("k", "1").await.unwrap();
        let key_reused = SqlStore::open(&url, SecretKey::generate()).await.unwrap();
        assert_eq!(key_reused.setting("k").await.unwrap().as_deref(), Some("1"));
        key_reused.ping().await.unwrap();
        key_reused.close().await;
    })
    .await;
}
