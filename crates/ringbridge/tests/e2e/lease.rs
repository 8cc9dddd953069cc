//! A worker whose lease ran out cannot settle a job another worker has
//! claimed since: the call is logged once, and the job's answer is the
//! Calls record that exists.

use std::time::Duration;

use chrono::Utc;
use ringbridge_core::outbox::{JobKind, JobStatus, OutboxStore, SettleError};

use crate::support::*;

#[tokio::test]
async fn a_stalled_worker_cannot_complete_the_call_log_another_worker_wrote() {
    let w = world().await;
    // A real call's log, queued again under a key of its own for "worker A".
    let ids = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    settle(&w, 1).await;
    let written = w
        .store
        .job(JobKind::WriteCallLog, &format!("pbx:{}", ids[0]))
        .await
        .unwrap()
        .unwrap();
    let mut log: ringbridge_core::crm::CallLog = written.decode().unwrap();
    let key = "pbx:stalled-worker";
    log.key = key.into();
    let payload = ringbridge_core::job_payload::JobPayload::WriteCallLog(Box::new(log));
    let job_key = ringbridge_core::job_key::JobKey::from_stored(key);
    w.store
        .enqueue_job(&job_key, &payload, Utc::now())
        .await
        .unwrap();
    // Worker A claims it before the engine's writer and stalls past its lease.
    let a = w
        .store
        .claim(
            JobKind::WriteCallLog,
            10,
            Utc::now(),
            Duration::from_millis(1),
            "worker-a",
        )
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.key == key)
        .expect("A's claim");
    // The engine (worker B) claims it after the lease and writes it.
    crate::console::within(30, "B wrote the log", async || {
        w.store
            .job(JobKind::WriteCallLog, key)
            .await
            .unwrap()
            .is_some_and(|j| j.status == JobStatus::Done)
    })
    .await;
    // A comes back and reports its own answer: refused.
    let refused = w.store.complete(&a, "A's answer").await;
    assert!(
        matches!(refused, Err(SettleError::LeaseLost { .. })),
        "{refused:?}"
    );
    let calls = crm_calls(&w);
    let logged: Vec<_> = calls
        .iter()
        .filter(|c| c["Description"].as_str().unwrap_or_default().contains(key))
        .collect();
    assert_eq!(logged.len(), 1, "logged once");
    let job = w
        .store
        .job(JobKind::WriteCallLog, key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.status, JobStatus::Done);
    assert_eq!(
        job.result.as_deref(),
        logged[0]["id"].as_str(),
        "the job names the Calls record B wrote"
    );
    w.stop().await;
}
