//! Outages and crashes: nothing lost, nothing logged twice.

use std::time::Duration;

use chrono::Utc;
use ringbridge_core::crm::Crm;
use ringbridge_core::outbox::{JobKind, OutboxStore};
use ringbridge_engine::CrmHealth;
use ringbridge_sim_zoho::{Fault, FaultRule};

use crate::support::*;

#[tokio::test]
async fn a_write_whose_answer_was_lost_is_not_repeated() {
    let w = world().await;
    // Build the log the engine would write, write it "in an earlier life",
    // then leave its job as if the process died before recording success.
    let ids = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    settle(&w, 1).await;
    let job = w
        .store
        .job(JobKind::WriteCallLog, &format!("pbx:{}", ids[0]))
        .await
        .unwrap()
        .unwrap();
    let log: ringbridge_core::crm::CallLog = job.decode().unwrap();
    // A second copy of the same job under a new key stands for the lost answer:
    // the CRM already has it; a re-claimed job must find it there.
    let mut replay = log.clone();
    replay.key = "pbx:lost-answer".into();
    w.crm
        .log_calls(std::slice::from_ref(&replay))
        .await
        .unwrap();
    let payload = serde_json::to_string(&replay).unwrap();
    w.store
        .enqueue(
            JobKind::WriteCallLog,
            "pbx:lost-answer",
            &payload,
            Utc::now(),
        )
        .await
        .unwrap();
    // Claim it at once (the "crashed" attempt, before the writer's batch
    // delay is up), then let its lease run out.
    let claimed = w
        .store
        .claim(
            JobKind::WriteCallLog,
            10,
            Utc::now(),
            Duration::from_millis(1),
            "crashed",
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    settle(&w, 1).await;
    let marker = "pbx:lost-answer";
    let copies = crm_calls(&w)
        .iter()
        .filter(|c| {
            c["Description"]
                .as_str()
                .unwrap_or_default()
                .contains(marker)
        })
        .count();
    assert_eq!(copies, 1, "found in the CRM, not written again");
    assert_eq!(
        w.store
            .job(JobKind::WriteCallLog, marker)
            .await
            .unwrap()
            .unwrap()
            .status,
        ringbridge_core::outbox::JobStatus::Done
    );
    w.stop().await;
}

#[tokio::test]
async fn an_insert_zoho_stored_before_the_connection_dropped_is_not_repeated() {
    let mut options = options();
    options.tuning.backoff_base = Duration::from_millis(50);
    options.tuning.backoff_max = Duration::from_millis(500);
    let w = ringbridge::world::World::start(options).await.unwrap();
    // The first call-log insert is stored, then the connection drops before
    // ringbridge reads the answer.
    w.zoho_sim.inject_fault(
        FaultRule::next(1, Fault::ApplyThenDrop)
            .method("POST")
            .path_prefix("/crm/v8/Calls"),
    );
    let ids = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    settle(&w, 1).await;
    assert_eq!(
        w.zoho_sim.injected_faults().get("apply_then_drop"),
        Some(&1)
    );
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let logged = call_for(&calls, &ids[0]);
    assert_eq!(
        w.zoho_sim.request_count("POST", "/crm/v8/Calls"),
        1,
        "the retry found the record by its marker instead of inserting again"
    );
    let job = w
        .store
        .job(JobKind::WriteCallLog, &format!("pbx:{}", ids[0]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.status, ringbridge_core::outbox::JobStatus::Done);
    assert_eq!(
        job.attempts, 2,
        "one lost attempt, one that found the record"
    );
    assert_eq!(job.result.as_deref(), logged["id"].as_str());
    w.stop().await;
}

#[tokio::test]
async fn rate_limits_and_server_errors_delay_but_lose_nothing() {
    let mut options = options();
    options.tuning.backoff_base = Duration::from_millis(50);
    options.tuning.backoff_max = Duration::from_millis(500);
    let w = ringbridge::world::World::start(options).await.unwrap();
    w.zoho_sim
        .inject_fault(FaultRule::rate(40, 7, Fault::TooManyRequests));
    w.zoho_sim
        .inject_fault(FaultRule::rate(20, 9, Fault::InternalError));
    let mut ids = Vec::new();
    for caller in ["4155550123", "4155550124", "4155550125", "4155550190"] {
        ids.extend(play(&w, "inbound_answered", &[("caller", caller)]).await);
        ids.extend(play(&w, "inbound_missed", &[("caller", caller)]).await);
    }
    settle(&w, ids.len() as u64).await;
    let calls = crm_calls(&w);
    for id in &ids {
        call_for(&calls, id);
    }
    assert_eq!(calls.len(), ids.len());
    w.stop().await;
}

#[tokio::test]
async fn a_revoked_crm_connection_raises_the_alarm_and_keeps_the_queue() {
    let w = world().await;
    let mut health = w.engine.context().health.subscribe();
    assert!(w.zoho_sim.revoke_refresh_token(&w.zoho_refresh_token));
    w.zoho_sim.expire_access_tokens();
    let ids = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    tokio::time::timeout(
        Duration::from_secs(20),
        health.wait_for(|h| matches!(h, CrmHealth::ReconnectNeeded(_))),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(crm_calls(&w).is_empty());
    let pending = w.outbox().await.unwrap();
    assert!(
        pending.pending + pending.in_flight >= 1,
        "the call is kept: {pending:?}"
    );
    assert_eq!(pending.failed, 0, "nothing given up");
    let _ = ids;
    w.stop().await;
}

#[tokio::test]
async fn calls_that_end_while_the_pbx_socket_is_down_are_caught_up() {
    let w = world().await;
    play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    settle(&w, 1).await;
    w.pbx_sim.drop_websockets();
    // Played while the socket reconnects: whatever the stream misses, the
    // CDR catch-up finds.
    let mut ids = Vec::new();
    for caller in ["4155550124", "4155550125"] {
        ids.extend(play(&w, "inbound_missed", &[("caller", caller)]).await);
    }
    settle(&w, 3).await;
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 3);
    for id in &ids {
        call_for(&calls, id);
    }
    w.stop().await;
}
