//! Every kind of gap in the PBX event stream, over real sockets: the token
//! expiring mid-stream, the PBX closing an idle socket, the server dropping
//! it. Calls that happen while the stream is down reach the CRM exactly once,
//! and they got there through the catch-up from call records.

use std::collections::HashMap;
use std::time::Duration;

use ringbridge::world::{World, WorldOptions};
use ringbridge_core::tracker::CallUpdate;
use ringbridge_engine::{Origin, StreamStatus};
use ringbridge_yeastar::BackoffConfig;

use crate::support::*;

/// Reconnect attempts come quickly, so the gap closes soon after the
/// simulator lets sockets in again.
fn quick_reconnects(mut options: WorldOptions) -> WorldOptions {
    options.events.backoff = BackoffConfig {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(200),
        multiplier: 2.0,
        jitter: 0.0,
    };
    options
}

/// Plays one call with the stream up, opens a gap with `open_gap` while the
/// simulator refuses new sockets, plays calls inside it, lets the stream
/// back and checks the CRM.
async fn calls_in_a_gap_are_caught_up(
    options: WorldOptions,
    open_gap: impl FnOnce(&World),
    reason_says: &str,
) {
    let mut w = World::start(quick_reconnects(options))
        .await
        .expect("world starts");
    let mut updates = w.updates.take().expect("updates receiver");
    let mut ids = play(&w, "inbound_answered", &[("caller", "4155550123")]).await;
    settle(&w, 1).await;

    // The PBX's event service is unreachable until told otherwise: the gap
    // stays open however fast the client retries.
    w.pbx_sim.refuse_websockets(true);
    open_gap(&w);
    wait_until(|| w.pbx_sim.open_websockets() == 0, "every socket closed").await;
    let mut stream = w.stream.clone();
    let status = tokio::time::timeout(
        Duration::from_secs(20),
        stream.wait_for(|s| matches!(s, StreamStatus::Disconnected { .. })),
    )
    .await
    .expect("the stream goes down")
    .expect("ingest runs")
    .clone();
    let StreamStatus::Disconnected { reason, .. } = status else {
        unreachable!("waited for Disconnected")
    };
    assert!(
        reason.contains(reason_says),
        "the gap is the one caused: {reason}"
    );

    let mut gap_ids = Vec::new();
    gap_ids.extend(play(&w, "inbound_missed", &[("caller", "4155550124")]).await);
    gap_ids.extend(play(&w, "inbound_answered", &[("caller", "4155550125")]).await);
    assert!(
        matches!(*w.stream.borrow(), StreamStatus::Disconnected { .. }),
        "the calls were played while the stream was down"
    );
    assert_eq!(w.pbx_sim.open_websockets(), 0);

    w.pbx_sim.refuse_websockets(false);
    tokio::time::timeout(
        Duration::from_secs(20),
        stream.wait_for(|s| *s == StreamStatus::Connected),
    )
    .await
    .expect("the stream comes back")
    .expect("ingest runs");
    ids.extend(gap_ids.iter().cloned());
    settle(&w, ids.len() as u64).await;

    let calls = crm_calls(&w);
    assert_eq!(
        calls.len(),
        ids.len(),
        "no call lost, none twice: {calls:#?}"
    );
    for id in &ids {
        call_for(&calls, id);
    }
    // The gap's calls ended through the catch-up from call records (the
    // stream never saw them end), each announced once.
    let mut ends: HashMap<String, Vec<Origin>> = HashMap::new();
    while let Ok(item) = updates.try_recv() {
        if let CallUpdate::Ended(outcome) = item.update {
            ends.entry(outcome.call_id.as_str().to_owned())
                .or_default()
                .push(item.origin);
        }
    }
    for id in &gap_ids {
        assert_eq!(
            ends.get(id).map(Vec::as_slice),
            Some(&[Origin::CatchUp][..]),
            "call {id} ended by catch-up: {ends:?}"
        );
    }
    w.stop().await;
}

async fn wait_until(mut done: impl FnMut() -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn calls_while_the_token_expired_mid_stream_are_caught_up() {
    let options = options();
    let ttl = options.pbx.access_token_ttl;
    calls_in_a_gap_are_caught_up(
        options,
        |w| {
            // The PBX pushes 10004 on the socket once its token is past its
            // lifetime; the simulated clock gets there at once.
            let past = u64::try_from(ttl + 1).expect("positive TTL");
            w.pbx_sim.clock().advance(Duration::from_secs(past));
        },
        "TOKEN EXPIRED",
    )
    .await;
}

#[tokio::test]
async fn calls_while_an_idle_socket_was_closed_are_caught_up() {
    let mut options = options();
    // The PBX closes a socket that heard nothing for its idle limit; this
    // client's heartbeat is far longer than the limit.
    options.pbx.ws_idle_timeout = Duration::from_secs(1);
    options.events.heartbeat_interval = Duration::from_secs(3600);
    calls_in_a_gap_are_caught_up(options, |_| {}, "the PBX closed the socket").await;
}

#[tokio::test]
async fn calls_while_the_server_dropped_the_socket_are_caught_up() {
    calls_in_a_gap_are_caught_up(
        options(),
        |w| w.pbx_sim.drop_websockets(),
        // Dropped without a close handshake.
        "without closing handshake",
    )
    .await;
}

/// A PBX whose `cdr/search` takes only its own display format (month first,
/// 24-hour clock, local time five and a half hours ahead of UTC) and refuses
/// epoch seconds: the catch-up still finds every call of the gap.
#[tokio::test]
async fn calls_in_a_gap_are_caught_up_whatever_the_pbx_display_format() {
    let mut options = options();
    options.pbx.display_format = "MM/DD/YYYY HH:mm:ss".parse().expect("vendor notation");
    options.pbx.utc_offset_secs = 5 * 3600 + 1800;
    options.pbx.search_accepts_epoch = false;
    calls_in_a_gap_are_caught_up(
        options,
        |w| w.pbx_sim.drop_websockets(),
        "without closing handshake",
    )
    .await;
}
