//! Which writes wait for the disk on PostgreSQL (`crate::commit` in the
//! store): the journal and the stream checkpoint may be lost in a server
//! crash, the outbox enqueue of an ended call may not.

use chrono::Utc;
use ringbridge_core::outbox::{JobKind, NewJob, OutboxStore};
use ringbridge_core::pbx::{CallId, CallSnapshot, PbxEvent};
use ringbridge_core::store::Store;
use ringbridge_store::Backend;
use ringbridge_store::testing::fresh_stores;
use sqlx::Row;

/// Records, per statement writing `table`, the `synchronous_commit` its
/// transaction will commit with.
async fn watch_commit_mode(pool: &sqlx::AnyPool, table: &str) {
    let sql = format!(
        "CREATE TRIGGER {table}_commit_mode AFTER INSERT OR UPDATE ON {table}
         FOR EACH STATEMENT EXECUTE FUNCTION note_commit_mode()"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await
        .unwrap();
}

/// The settings `table`'s writes saw, each once.
async fn modes(pool: &sqlx::AnyPool, table: &str) -> Vec<String> {
    sqlx::query("SELECT DISTINCT mode FROM commit_modes WHERE tbl = $1")
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test]
async fn only_the_journal_and_checkpoint_commit_without_waiting_for_the_disk() {
    for (store, _db) in fresh_stores().await {
        if store.backend() != Backend::Postgres {
            continue;
        }
        let pool = store.pool();
        for sql in [
            "CREATE TABLE commit_modes (tbl text, mode text)",
            "CREATE FUNCTION note_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               INSERT INTO commit_modes (tbl, mode) VALUES (TG_TABLE_NAME, current_setting('synchronous_commit'));
               RETURN NULL;
             END $$",
        ] {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        for table in ["pbx_event_journal", "pbx_stream", "outbox"] {
            watch_commit_mode(pool, table).await;
        }
        let default: String = sqlx::query("SHOW synchronous_commit")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        assert_ne!(
            default, "off",
            "the test server must commit durably by default"
        );

        // Interleaved, so a setting left on a pooled connection would show.
        let now = Utc::now();
        for i in 0..12 {
            let event = PbxEvent::CallState(CallSnapshot {
                call_id: CallId::from(format!("1.{i}").as_str()),
                participants: vec![],
            });
            store
                .journal_events("pbx1", &[(now, event.clone()), (now, event)])
                .await
                .unwrap();
            store.set_stream_checkpoint("pbx1", now).await.unwrap();
            let job = NewJob {
                key: format!("pbx1:1.{i}"),
                payload: "{}".into(),
                due: now,
            };
            let added = store
                .enqueue_many(JobKind::ProcessCall, &[job])
                .await
                .unwrap();
            assert_eq!(added, [true]);
        }

        assert_eq!(modes(pool, "pbx_event_journal").await, ["off"]);
        assert_eq!(modes(pool, "pbx_stream").await, ["off"]);
        assert_eq!(
            modes(pool, "outbox").await,
            [default],
            "an ended call's job commits durably"
        );
        // What was written without waiting is there all the same.
        assert_eq!(
            store
                .stream_checkpoint("pbx1")
                .await
                .unwrap()
                .map(|t| t.timestamp_millis()),
            Some(now.timestamp_millis())
        );
        let journaled: i64 = sqlx::query("SELECT count(*) FROM pbx_event_journal")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(journaled, 24);
    }
}
