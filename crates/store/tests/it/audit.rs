use chrono::{Duration, TimeZone, Utc};
use ringbridge_core::audit::{AuditEntry, AuditOutcome, AuditStore, AuditSystem};
use ringbridge_store::testing::fresh_stores;

fn entry(n: i64, key: &str, outcome: AuditOutcome) -> AuditEntry {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 8, 9, 59, 0).unwrap();
    AuditEntry {
        at: t0 + Duration::milliseconds(n * 1_234),
        system: if n % 2 == 0 {
            AuditSystem::Crm
        } else {
            AuditSystem::Pbx
        },
        action: format!("action{n}"),
        target: if n % 2 == 0 { "Calls" } else { "phonebook" }.to_owned(),
        key: key.to_owned(),
        remote_id: outcome.is_ok().then(|| format!("remote-{n}")),
        outcome,
    }
}

#[tokio::test]
async fn entries_round_trip_newest_first() {
    for (store, db) in fresh_stores().await {
        assert!(store.recent(10).await.unwrap().is_empty());
        let written: Vec<AuditEntry> = (0..5)
            .map(|n| {
                let outcome = if n == 3 {
                    AuditOutcome::Failed("HTTP 503: try again later".into())
                } else {
                    AuditOutcome::Ok
                };
                entry(n, &format!("pbx:{n}"), outcome)
            })
            .collect();
        for e in &written {
            store.record(e).await.unwrap();
        }
        let recent = store.recent(3).await.unwrap();
        let expected: Vec<AuditEntry> = written.iter().rev().take(3).cloned().collect();
        assert_eq!(recent, expected, "{:?}", db.backend);
        // Every field survives, the failure's text and the missing id included.
        let failed = &recent[1];
        assert_eq!(
            failed.outcome,
            AuditOutcome::Failed("HTTP 503: try again later".into())
        );
        assert_eq!(failed.remote_id, None);
        assert_eq!(failed.system, AuditSystem::Pbx);
        assert_eq!(store.recent(100).await.unwrap().len(), 5);
        store.close().await;
    }
}

#[tokio::test]
async fn history_of_one_key_is_oldest_first_and_only_that_key() {
    for (store, db) in fresh_stores().await {
        let attempts = [
            entry(
                0,
                "pbx:1.1",
                AuditOutcome::Failed("429 too many requests".into()),
            ),
            entry(1, "pbx:2.2", AuditOutcome::Ok),
            entry(2, "pbx:1.1", AuditOutcome::Ok),
            entry(3, "pbx:1.10", AuditOutcome::Ok),
        ];
        for e in &attempts {
            store.record(e).await.unwrap();
        }
        let history = store.for_key("pbx:1.1").await.unwrap();
        assert_eq!(
            history,
            vec![attempts[0].clone(), attempts[2].clone()],
            "{:?}",
            db.backend
        );
        assert!(store.for_key("pbx:9.9").await.unwrap().is_empty());
        store.close().await;
    }
}

#[tokio::test]
async fn entries_older_than_the_retention_are_pruned() {
    for (store, _db) in fresh_stores().await {
        for n in 0..4 {
            store
                .record(&entry(n, "pbx:1", AuditOutcome::Ok))
                .await
                .unwrap();
        }
        // Entries 0 and 1 were written before entry 2's time.
        let cut = entry(2, "", AuditOutcome::Ok).at;
        assert_eq!(AuditStore::prune(&store, cut).await.unwrap(), 2);
        let left: Vec<String> = store
            .for_key("pbx:1")
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(left, ["action2", "action3"]);
        assert_eq!(AuditStore::prune(&store, cut).await.unwrap(), 0);
    }
}
