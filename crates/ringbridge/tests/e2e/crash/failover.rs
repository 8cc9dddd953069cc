//! Two `serve` processes on one database: one consumes the PBX stream (a
//! lease), both work the outbox (jobs are claimed row by row, so each job
//! is done by one node); the stream's holder is killed and the other takes
//! the stream over.

use std::collections::BTreeMap;
use std::time::Duration;

use ringbridge_sim_zoho::{Fault, FaultRule, SimZoho};
use ringbridge_store::SqlStore;
use ringbridge_store::testing::{TestDatabase, fresh_postgres, fresh_sqlite};
use sqlx::Row;

use super::node::{Node, kill_9, metrics, open_store, simulators, start_node, stream_state};
use super::{BATCH, log_markers, play_batch};

/// Done outbox jobs per worker id (`host-pid` of the node that did them).
async fn done_by_worker(store: &SqlStore) -> BTreeMap<String, i64> {
    sqlx::query("SELECT worker, COUNT(*) FROM outbox WHERE status = 'done' GROUP BY worker")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let worker: Option<String> = r.get(0);
            (worker.unwrap_or_default(), r.get::<i64, _>(1))
        })
        .collect()
}

fn jobs_of(node: &Node, done: &BTreeMap<String, i64>) -> i64 {
    let suffix = format!("-{}", node.pid);
    done.iter()
        .filter(|(worker, _)| worker.ends_with(&suffix))
        .map(|(_, n)| n)
        .sum()
}

async fn wait_logged(zoho: &SimZoho, calls: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while zoho.calls().len() < calls && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// `Some(true)` when `a` holds the stream and `b` stands by, `Some(false)`
/// for the other way round, `None` when that never settles. Both nodes are
/// asked until they agree: on a loaded machine a lease renewal can come
/// late, and a node reports standby the moment one fails, so one reading
/// may catch both in between.
async fn leader_of(a: &Node, b: &Node) -> Option<bool> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (x, y) = (stream_state(a).await, stream_state(b).await);
        let (x, y) = (x.unwrap_or_default(), y.unwrap_or_default());
        if x == "connected" && y.contains("standby") {
            return Some(true);
        }
        if y == "connected" && x.contains("standby") {
            return Some(false);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn run_failover_test(db: TestDatabase) {
    let (pbx, zoho, refresh) = simulators(Duration::from_secs(120)).await;
    zoho.inject_fault(FaultRule::rate(20, 5, Fault::InternalError));
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Both nodes share the database and its secret key.
    let a = start_node(&pbx, &zoho, &refresh, &db, dir_a.path(), &[]).await;
    std::fs::copy(
        dir_a.path().join("secret.key"),
        dir_b.path().join("secret.key"),
    )
    .unwrap();
    let b = start_node(&pbx, &zoho, &refresh, &db, dir_b.path(), &[]).await;
    let (leader, follower) = match leader_of(&a, &b).await {
        Some(true) => (a, b),
        Some(false) => (b, a),
        None => panic!(
            "exactly one node consumes the stream: {:?}",
            (stream_state(&a).await, stream_state(&b).await)
        ),
    };
    // While both run, both work the queue, though only the leader hears
    // the PBX: the standby node claims jobs from the shared outbox. Which
    // node claims a job is a race: either node can win the first batches
    // (the leader on a loaded machine; the standby took all 164-203 of
    // them in 3 of 40 runs on PostgreSQL here), so batches are played
    // until both have done some (bounded), rather than a fixed number.
    let store = open_store(&db, dir_a.path()).await;
    let (mut played, mut batch) = (0, 0);
    let (by_leader, by_follower, done) = loop {
        for _ in 0..4 {
            played += play_batch(&pbx, batch * BATCH).await;
            batch += 1;
        }
        wait_logged(&zoho, played).await;
        let done = done_by_worker(&store).await;
        let (by_leader, by_follower) = (jobs_of(&leader, &done), jobs_of(&follower, &done));
        if (by_leader > 0 && by_follower > 0) || batch >= 24 {
            break (by_leader, by_follower, done);
        }
    };
    eprintln!(
        "failover test ({:?}): before the kill, jobs done by the stream's holder {by_leader}, by the standby node {by_follower}",
        db.backend
    );
    assert!(
        by_leader > 0 && by_follower > 0,
        "both nodes did jobs: {done:?}"
    );
    assert_eq!(
        done.values().sum::<i64>(),
        by_leader + by_follower,
        "{done:?}"
    );

    kill_9(leader).await;
    for next in batch..batch + 8 {
        played += play_batch(&pbx, next * BATCH).await;
    }
    wait_logged(&zoho, played).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while stream_state(&follower).await.as_deref() != Some("connected")
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        stream_state(&follower).await.as_deref(),
        Some("connected"),
        "the follower took the stream over"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let duplicates: Vec<_> = log_markers(&zoho)
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .collect();
    assert!(duplicates.is_empty(), "duplicate call logs: {duplicates:?}");
    assert_eq!(zoho.calls().len(), played, "exactly one log per call");
    // The survivor did the rest.
    let after = done_by_worker(&store).await;
    assert!(jobs_of(&follower, &after) > by_follower, "{after:?}");
    store.close().await;
    // The serving node's /metrics tells an operator the same story (its
    // gauges are sampled, so the last job may show a moment late).
    let wanted = "ringbridge_jobs{kind=\"write_call_log\",status=\"pending\"} 0";
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut metrics = metrics(&follower).await;
    while !metrics.contains(wanted) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        metrics = super::node::metrics(&follower).await;
    }
    for line in [
        "ringbridge_pbx_stream_up 1",
        "ringbridge_crm_connection_up 1",
        "ringbridge_jobs{kind=\"write_call_log\",status=\"pending\"} 0",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }
    assert!(
        metrics.contains("ringbridge_zoho_requests_total"),
        "{metrics}"
    );
    kill_9(follower).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_the_work_and_fail_over_on_sqlite() {
    run_failover_test(fresh_sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_the_work_and_fail_over_on_postgres() {
    if let Some(db) = fresh_postgres().await {
        run_failover_test(db).await;
    }
}
