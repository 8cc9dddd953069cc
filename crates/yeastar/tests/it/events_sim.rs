//! The WebSocket event stream against the simulator.

use std::time::Duration;

use ringbridge_core::pbx::{EventSourceItem, LegState, PbxEvent, PbxEventSource};
use ringbridge_sim_yeastar::{ClockStart, Event};
use serde_json::json;

use crate::support::{
    Items, client, client_with, expect_connected, fast_stream, is_event, next, quiet, sim,
    sim_with, until,
};

/// A 30011 frame for a made-up call `1767258000.<n>`.
fn ringing(n: usize) -> Event {
    Event::new(
        30011,
        json!({"call_id": format!("1767258000.{n}"), "members": [
            {"extension": {"number": "1005", "channel_id": format!("PJSIP/1005-{n:08x}"),
                           "member_status": "RING", "call_path": ""}}]}),
    )
}

fn call_number(item: &EventSourceItem) -> Option<usize> {
    let EventSourceItem::Event(event) = item else {
        return None;
    };
    event.call_id()?.0.strip_prefix("1767258000.")?.parse().ok()
}

fn is_call_ended(item: &EventSourceItem) -> bool {
    matches!(item, EventSourceItem::Event(PbxEvent::CallEnded(_)))
}

#[tokio::test]
async fn a_scenario_arrives_as_call_events() {
    let sim = sim().await;
    let source = client(&sim).event_source(fast_stream());
    let mut items: Items = source.events();
    expect_connected(&mut items).await;
    sim.play_builtin("inbound_answered")
        .await
        .expect("scenario");
    let seen = until(&mut items, is_call_ended).await;
    assert!(seen.iter().all(is_event), "{seen:?}");
    let states: Vec<LegState> = seen
        .iter()
        .filter_map(|i| match i {
            EventSourceItem::Event(PbxEvent::CallState(s)) => Some(s),
            _ => None,
        })
        .flat_map(|s| s.participants.iter())
        .filter(|p| p.participant.extension() == Some("1005"))
        .map(|p| p.state.clone())
        .collect();
    for expected in [LegState::Ringing, LegState::Talking, LegState::Gone] {
        assert!(states.contains(&expected), "{expected:?} in {states:?}");
    }
    let EventSourceItem::Event(PbxEvent::CallEnded(record)) = seen.last().expect("items") else {
        unreachable!("until() stops at a CallEnded");
    };
    assert_eq!(record.from_number, "5550199");
    assert!(sim.request_count("v1.0/get_token") == 1);
}

#[tokio::test]
async fn token_expiry_mid_stream_is_a_reported_gap_then_events_flow() {
    let sim = sim().await;
    let source = client(&sim).event_source(fast_stream());
    let mut items = source.events();
    expect_connected(&mut items).await;
    sim.emit(ringing(1));
    assert_eq!(call_number(&next(&mut items).await), Some(1));

    // The PBX clock passes the token's lifetime: it pushes 10004 and stops.
    sim.clock().advance(Duration::from_secs(1801));
    let item = next(&mut items).await;
    let EventSourceItem::Disconnected { reason, .. } = &item else {
        panic!("expected a gap, got {item:?}");
    };
    assert!(reason.contains("TOKEN EXPIRED"), "{reason}");
    assert_eq!(next(&mut items).await, EventSourceItem::Connected);
    assert_eq!(sim.request_count("v1.0/refresh_token"), 1);

    for n in 2..=6 {
        sim.emit(ringing(n));
    }
    let mut numbers = Vec::new();
    for _ in 2..=6 {
        numbers.push(call_number(&next(&mut items).await));
    }
    assert_eq!(numbers, [2, 3, 4, 5, 6].map(Some));
}

#[tokio::test]
async fn rotation_before_expiry_loses_and_repeats_nothing() {
    // A PBX clock that runs, and 4-second tokens: the client must move to a
    // new token (and socket) after 2 s while events keep coming.
    let sim = sim_with(|s| {
        s.clock = ClockStart::System;
        s.access_token_ttl = 4;
    })
    .await;
    let source = client(&sim).event_source(fast_stream());
    let mut items = source.events();
    expect_connected(&mut items).await;
    let total = 90;
    for n in 0..total {
        sim.emit(ringing(n));
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    let mut numbers = Vec::new();
    while numbers.len() < total {
        let item = next(&mut items).await;
        let n = call_number(&item).unwrap_or_else(|| panic!("unexpected {item:?}"));
        numbers.push(n);
    }
    assert_eq!(
        numbers,
        (0..total).collect::<Vec<_>>(),
        "all, once, in order"
    );
    assert!(
        sim.request_count("v1.0/refresh_token") >= 1,
        "the token was rotated"
    );
    assert!(
        quiet(&mut items, Duration::from_millis(200))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_dropped_socket_is_reported_and_resubscribed() {
    let sim = sim().await;
    let source = client(&sim).event_source(fast_stream());
    let mut items = source.events();
    expect_connected(&mut items).await;
    sim.drop_websockets();
    let item = next(&mut items).await;
    assert!(
        matches!(item, EventSourceItem::Disconnected { .. }),
        "{item:?}"
    );
    assert_eq!(next(&mut items).await, EventSourceItem::Connected);
    // Only subscribed topics are delivered: events prove the re-subscribe.
    sim.play_builtin("inbound_answered")
        .await
        .expect("scenario");
    let seen = until(&mut items, is_call_ended).await;
    assert!(seen.iter().all(is_event), "{seen:?}");
    assert_eq!(sim.open_websockets(), 1);
}

#[tokio::test]
async fn heartbeats_keep_an_idle_socket_open() {
    let sim = sim_with(|s| s.ws_idle_timeout = Duration::from_millis(400)).await;
    let source = client(&sim).event_source(fast_stream());
    let mut items = source.events();
    expect_connected(&mut items).await;
    // Three idle limits without an event.
    let idle = quiet(&mut items, Duration::from_millis(1200)).await;
    assert!(idle.is_empty(), "{idle:?}");
    sim.emit(ringing(7));
    assert_eq!(call_number(&next(&mut items).await), Some(7));
    assert_eq!(sim.request_count("v1.0/get_token"), 1);
}

#[tokio::test]
async fn without_heartbeats_the_pbx_closes_and_the_gap_is_reported() {
    let sim = sim_with(|s| s.ws_idle_timeout = Duration::from_millis(300)).await;
    let mut cfg = fast_stream();
    cfg.heartbeat_interval = Duration::from_secs(60);
    let source = client(&sim).event_source(cfg);
    let mut items = source.events();
    expect_connected(&mut items).await;
    let item = next(&mut items).await;
    assert!(
        matches!(item, EventSourceItem::Disconnected { .. }),
        "{item:?}"
    );
    assert_eq!(next(&mut items).await, EventSourceItem::Connected);
}

#[tokio::test]
async fn malformed_and_oversized_frames_do_not_stop_the_stream() {
    let sim = sim().await;
    let mut cfg = fast_stream();
    cfg.max_frame_bytes = 2048;
    let source = client(&sim).event_source(cfg);
    let mut items = source.events();
    expect_connected(&mut items).await;

    sim.emit(Event::new(30011, json!("not a call")));
    let item = next(&mut items).await;
    assert!(
        matches!(item, EventSourceItem::Malformed { .. }),
        "{item:?}"
    );

    let huge = json!({"call_id": "1.1", "members": [], "padding": "x".repeat(4096)});
    sim.emit(Event::new(30011, huge));
    let item = next(&mut items).await;
    let EventSourceItem::Malformed { reason } = &item else {
        panic!("expected Malformed, got {item:?}");
    };
    assert!(reason.contains("exceeds"), "{reason}");

    // Not subscribed by default, and unused anyway: silently skipped.
    sim.emit(Event::new(
        30009,
        json!({"extension": "1005", "status": "away"}),
    ));
    sim.emit(Event::new(
        30008,
        json!({"extension": "1005", "status": "Busy"}),
    ));
    let item = next(&mut items).await;
    assert!(
        matches!(
            item,
            EventSourceItem::Event(PbxEvent::ExtensionState { .. })
        ),
        "{item:?}"
    );
    sim.emit(ringing(8));
    assert_eq!(call_number(&next(&mut items).await), Some(8));
}

#[tokio::test]
async fn refused_credentials_end_the_stream_with_fatal() {
    let sim = sim().await;
    let client = client_with(&sim, |cfg| {
        cfg.client_secret = secrecy::SecretString::from("wrong-secret");
    });
    let mut items = client.event_source(fast_stream()).events();
    let item = next(&mut items).await;
    assert!(matches!(item, EventSourceItem::Fatal { .. }), "{item:?}");
    let end = tokio::time::timeout(
        crate::support::PATIENCE,
        futures_util::StreamExt::next(&mut items),
    )
    .await
    .expect("ends in time");
    assert_eq!(end, None, "nothing follows Fatal");
    assert_eq!(sim.request_count("v1.0/get_token"), 1);
}

#[tokio::test]
async fn a_custom_topic_list_is_sent_in_full() {
    let sim = sim().await;
    let mut cfg = fast_stream();
    cfg.topics = vec![30012];
    let source = client(&sim).event_source(cfg);
    let mut items = source.events();
    expect_connected(&mut items).await;
    sim.emit(ringing(9));
    sim.play_builtin("internal").await.expect("scenario");
    let item = next(&mut items).await;
    assert!(is_call_ended(&item), "only 30012 subscribed: {item:?}");
}

#[tokio::test]
async fn shutting_the_client_down_ends_its_streams() {
    let sim = sim().await;
    let client = client(&sim);
    let mut items = client.event_source(fast_stream()).events();
    expect_connected(&mut items).await;
    client.shutdown().await;
    let end = tokio::time::timeout(
        crate::support::PATIENCE,
        futures_util::StreamExt::next(&mut items),
    )
    .await
    .expect("ends in time");
    assert_eq!(end, None);
    // The socket task is gone too.
    for _ in 0..100 {
        if sim.open_websockets() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sim.open_websockets(), 0);
    assert_eq!(sim.live_access_tokens(), 0);
}

/// The events of one scenario, from a simulator with `msg` sent as an
/// object (`true`) or as a JSON string.
async fn scenario_events(msg_as_object: bool) -> Vec<EventSourceItem> {
    let sim = sim_with(|s| s.msg_as_object = msg_as_object).await;
    let mut items = client(&sim).event_source(fast_stream()).events();
    expect_connected(&mut items).await;
    sim.play_builtin("inbound_answered")
        .await
        .expect("scenario");
    until(&mut items, is_call_ended).await
}

#[tokio::test]
async fn msg_as_an_object_gives_the_same_events_as_msg_as_a_string() {
    // Some firmware sends every `msg` as an object, not a JSON string.
    let as_object = scenario_events(true).await;
    assert!(as_object.iter().all(is_event), "{as_object:?}");
    assert!(
        as_object
            .iter()
            .any(|i| matches!(i, EventSourceItem::Event(PbxEvent::CallState(_)))),
        "{as_object:?}"
    );
    // Same frozen clock and ids on both simulators: the same events.
    assert_eq!(as_object, scenario_events(false).await);
}
