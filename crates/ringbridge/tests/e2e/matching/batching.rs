//! Batched writes: call logs wait up to the flush delay for company and go
//! to Zoho in bulk inserts of at most 100 (Zoho's per-request maximum),
//! instead of one request per call.

use std::time::{Duration, Instant};

use ringbridge::world::World;
use ringbridge_core::outbox::JobKind;

use crate::support::*;

/// Far longer than playing the calls takes, so they all wait for one flush.
const FLUSH_DELAY: Duration = Duration::from_secs(10);

async fn world() -> World {
    let mut options = options();
    options.tuning.flush_delay = FLUSH_DELAY;
    // Only call logs go to the CRM.
    options.settings.phonebook = None;
    World::start(options).await.unwrap()
}

/// The number of call logs in each bulk insert Zoho received, in order.
fn call_inserts(w: &World) -> Vec<usize> {
    w.zoho_sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/crm/v8/Calls")
        .map(|r| {
            r.json()
                .and_then(|body| body["data"].as_array().map(Vec::len))
                .expect("a bulk insert body")
        })
        .collect()
}

/// Plays `n` calls from a known contact, one after the other.
async fn play_calls(w: &World, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.extend(play(w, "inbound_answered", &[("caller", "4155550123")]).await);
    }
    ids
}

/// Waits until `n` call logs are queued (or already written).
async fn queued(w: &World, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let c = w.counts(JobKind::WriteCallLog).await.unwrap();
        if c.pending + c.in_flight + c.done + c.failed >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{n} call logs never queued: {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn thirty_calls_are_written_in_one_request_after_the_flush_delay() {
    let w = world().await;
    let started = Instant::now();
    let ids = play_calls(&w, 30).await;
    queued(&w, 30).await;
    // Playing takes well under a second; on a machine so slow that it took
    // longer than the delay, a write may rightly have gone already.
    if started.elapsed() < FLUSH_DELAY {
        assert!(
            call_inserts(&w).is_empty(),
            "nothing is written before the oldest log waited the flush delay"
        );
    }
    settle(&w, 30).await;
    assert_eq!(call_inserts(&w), [30], "one bulk insert, not 30");
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 30);
    for id in &ids {
        call_for(&calls, id);
    }
    w.stop().await;
}

#[tokio::test]
async fn more_than_a_hundred_pending_logs_go_in_full_chunks_of_a_hundred() {
    let w = world().await;
    let ids = play_calls(&w, 130).await;
    settle(&w, 130).await;
    assert_eq!(
        call_inserts(&w),
        [100, 30],
        "a full chunk as soon as 100 wait, the rest after the delay"
    );
    let calls = crm_calls(&w);
    assert_eq!(calls.len(), 130);
    for id in &ids {
        call_for(&calls, id);
    }
    w.stop().await;
}
