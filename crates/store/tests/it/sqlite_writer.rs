//! SQLite: while another process holds the database's write lock, this
//! process's writers wait on one connection of their own, so its reads —
//! the pages, the stream checkpoint, the outbox counts — still get theirs,
//! and every write lands once the lock is free.

use std::sync::Arc;

use ringbridge_core::audit::{AuditEntry, AuditStore, AuditSystem};
use ringbridge_core::outbox::{JobKind, OutboxStore};
use ringbridge_core::store::Store;
use ringbridge_store::testing::fresh_sqlite;
use ringbridge_store::{SecretKey, SqlStore};
use sqlx::Executor;

#[tokio::test]
async fn reads_go_on_while_writers_wait_for_another_process_lock() {
    let db = fresh_sqlite();
    let store = Arc::new(
        SqlStore::open(&db.url, SecretKey::generate())
            .await
            .unwrap(),
    );
    // Another process: its own connections, its own lock.
    let other = SqlStore::connect(&db.url, SecretKey::generate())
        .await
        .unwrap();
    let mut held = other.pool().acquire().await.unwrap();
    held.execute("BEGIN IMMEDIATE").await.unwrap();

    // More writers than the readers' connections, of every kind.
    let now = chrono::Utc::now();
    let mut writers = tokio::task::JoinSet::new();
    for n in 0..6 {
        let s = store.clone();
        writers.spawn(async move { s.put_setting(&format!("s{n}"), "1").await });
        let s = store.clone();
        writers.spawn(async move {
            s.enqueue(JobKind::ProcessCall, &format!("pbx1:{n}"), "{}", now)
                .await
                .map(drop)
        });
        let s = store.clone();
        writers.spawn(async move {
            let entry = AuditEntry::ok(AuditSystem::Crm, "insert", "Calls", &format!("k{n}"), None);
            s.record(&entry).await
        });
    }
    writers.spawn({
        let store = store.clone();
        async move { store.set_stream_checkpoint("pbx1", now).await }
    });
    // Give every writer the chance to take a connection and wait.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    // The reads come back while the lock is still held, without any
    // writer having given up on it (a writer waits 5 s in SQLite).
    assert_eq!(store.setting("s0").await.unwrap(), None);
    assert_eq!(store.stream_checkpoint("pbx1").await.unwrap(), None);
    assert_eq!(store.counts(JobKind::ProcessCall).await.unwrap().pending, 0);
    assert!(
        writers.try_join_next().is_none(),
        "a writer finished while another process held the lock"
    );

    held.execute("ROLLBACK").await.unwrap();
    while let Some(written) = writers.join_next().await {
        written
            .unwrap()
            .expect("every write lands once the lock is free");
    }
    assert_eq!(store.setting("s5").await.unwrap().as_deref(), Some("1"));
    assert_eq!(store.counts(JobKind::ProcessCall).await.unwrap().pending, 6);
    assert_eq!(
        AuditStore::recent(store.as_ref(), 20).await.unwrap().len(),
        6
    );
    assert_eq!(
        store
            .stream_checkpoint("pbx1")
            .await
            .unwrap()
            .map(|at| at.timestamp_millis()),
        Some(now.timestamp_millis())
    );
}
