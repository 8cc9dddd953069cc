use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ringbridge_core::lease::LeaseStore;
use ringbridge_store::testing::fresh_databases;
use ringbridge_store::{SecretKey, SqlStore};

const TTL: Duration = Duration::from_secs(10);

#[tokio::test]
async fn one_holder_at_a_time_until_expiry_or_release() {
    for db in fresh_databases().await {
        let store = SqlStore::open(&db.url, SecretKey::generate())
            .await
            .unwrap();
        let now = Utc::now();
        assert!(
            store
                .try_lease("ingest:pbx", "node-a", TTL, now)
                .await
                .unwrap()
        );
        assert!(
            !store
                .try_lease("ingest:pbx", "node-b", TTL, now)
                .await
                .unwrap(),
            "held by a"
        );
        assert!(
            store
                .try_lease(
                    "ingest:pbx",
                    "node-a",
                    TTL,
                    now + chrono::Duration::seconds(5)
                )
                .await
                .unwrap(),
            "a renews"
        );
        assert!(
            !store
                .try_lease(
                    "ingest:pbx",
                    "node-b",
                    TTL,
                    now + chrono::Duration::seconds(12)
                )
                .await
                .unwrap(),
            "renewal extended it"
        );
        let later = now + chrono::Duration::seconds(16);
        assert_eq!(
            store.lease_holder("ingest:pbx", later).await.unwrap(),
            None,
            "expired"
        );
        assert!(
            store
                .try_lease("ingest:pbx", "node-b", TTL, later)
                .await
                .unwrap(),
            "b takes over after expiry"
        );
        assert_eq!(
            store
                .lease_holder("ingest:pbx", later)
                .await
                .unwrap()
                .as_deref(),
            Some("node-b")
        );
        store.release_lease("ingest:pbx", "node-a").await.unwrap();
        assert_eq!(
            store
                .lease_holder("ingest:pbx", later)
                .await
                .unwrap()
                .as_deref(),
            Some("node-b"),
            "only the holder releases"
        );
        store.release_lease("ingest:pbx", "node-b").await.unwrap();
        assert!(
            store
                .try_lease("ingest:pbx", "node-a", TTL, later)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn racing_nodes_get_one_winner() {
    for db in fresh_databases().await {
        let store = Arc::new(
            SqlStore::open(&db.url, SecretKey::generate())
                .await
                .unwrap(),
        );
        let now = Utc::now();
        let attempts = (0..6).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .try_lease("ingest:pbx", &format!("node-{i}"), TTL, now)
                    .await
                    .unwrap()
            })
        });
        let mut winners = 0;
        for a in attempts {
            winners += usize::from(a.await.unwrap());
        }
        assert_eq!(winners, 1);
    }
}
