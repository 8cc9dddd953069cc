use std::time::Duration;

use ringbridge_sim_yeastar::{Event, builtin};
use serde_json::{Value, json};
use tokio_tungstenite::connect_async;

use crate::support::*;

#[tokio::test]
async fn handshake_rejects_bad_tokens() {
    let sim = sim().await;
    let err = connect_async(format!("{}?access_token=nope", sim.ws_url()))
        .await
        .expect_err("no upgrade with a bad token");
    match err {
        tokio_tungstenite::tungstenite::Error::Http(resp) => {
            assert_eq!(resp.status(), 200);
            let body: Value = serde_json::from_slice(resp.body().as_deref().unwrap_or_default())
                .expect("json body");
            assert_eq!(body["errcode"], 10004);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn subscribe_heartbeat_and_topic_replacement() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut ws = ws(&sim, &api.token).await;
    for heartbeat in ["heartbeat", "heartbeat\n", " heartbeat \r\n"] {
        send(&mut ws, heartbeat).await;
        assert_eq!(
            next_text(&mut ws).await.as_deref(),
            Some("heartbeat response"),
            "{heartbeat:?}"
        );
    }
    // Nothing subscribed yet: nothing delivered.
    sim.emit(Event::new(30011, json!({"call_id": "1.1", "members": []})));
    assert_silent(&mut ws, 100).await;
    subscribe(&mut ws, &[30011]).await;
    sim.emit(Event::new(30011, json!({"call_id": "1.2", "members": []})));
    sim.emit(Event::new(30012, json!({"call_id": "1.2"})));
    let (t, msg, string_encoded) = decode(&next_text(&mut ws).await.expect("event"));
    assert_eq!(
        (t, msg["call_id"].as_str(), string_encoded),
        (30011, Some("1.2"), true)
    );
    assert_silent(&mut ws, 100).await;
    // Replace, not add.
    subscribe(&mut ws, &[30012]).await;
    sim.emit(Event::new(30011, json!({"call_id": "1.3", "members": []})));
    sim.emit(Event::new(30012, json!({"call_id": "1.3"})));
    let (t, _, _) = decode(&next_text(&mut ws).await.expect("event"));
    assert_eq!(t, 30012);
    subscribe(&mut ws, &[]).await;
    sim.emit(Event::new(30012, json!({"call_id": "1.4"})));
    assert_silent(&mut ws, 100).await;
}

#[tokio::test]
async fn msg_is_string_up_to_30024_and_object_after() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut ws = ws(&sim, &api.token).await;
    subscribe(&mut ws, &[30026, 30015]).await;
    sim.emit(Event::new(
        30015,
        json!({"call_id": "1.1", "reason": "DND", "members": null}),
    ));
    sim.emit(Event::new(30026, json!({"queue_number": "6400"})));
    assert!(decode(&next_text(&mut ws).await.expect("e")).2);
    assert!(!decode(&next_text(&mut ws).await.expect("e")).2);
}

#[tokio::test]
async fn msg_as_object_switch_applies_to_all_events() {
    let sim = sim_with(|s| s.msg_as_object = true).await;
    let api = login(&sim).await;
    let mut ws = ws(&sim, &api.token).await;
    subscribe(&mut ws, &[30011]).await;
    sim.emit(Event::new(30011, json!({"call_id": "1.1", "members": []})));
    let (_, msg, string_encoded) = decode(&next_text(&mut ws).await.expect("e"));
    assert!(!string_encoded);
    assert_eq!(msg["call_id"], "1.1");
}

#[tokio::test]
async fn malformed_frames_get_an_error_but_keep_the_socket() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut ws = ws(&sim, &api.token).await;
    send(&mut ws, "{not json").await;
    let r: Value = serde_json::from_str(&next_text(&mut ws).await.expect("reply")).expect("json");
    assert_eq!(r["errcode"], 40002);
    send(&mut ws, r#"{"topic_list":["x"]}"#).await;
    let r: Value = serde_json::from_str(&next_text(&mut ws).await.expect("reply")).expect("json");
    assert_eq!(r["errcode"], 40002);
    subscribe(&mut ws, &[30011]).await;
}

#[tokio::test]
async fn idle_socket_is_closed_but_interaction_keeps_it_open() {
    let sim = sim_with(|s| s.ws_idle_timeout = Duration::from_millis(800)).await;
    let api = login(&sim).await;
    let mut ws = ws(&sim, &api.token).await;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        send(&mut ws, "heartbeat").await;
        assert_eq!(
            next_text(&mut ws).await.as_deref(),
            Some("heartbeat response")
        );
    }
    let started = tokio::time::Instant::now();
    assert_eq!(next_text(&mut ws).await, None, "closed after idling");
    assert!(started.elapsed() >= Duration::from_millis(700));
}

#[tokio::test]
async fn token_expiry_pushes_10004_and_stops_delivery() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut ws = ws(&sim, &api.token).await;
    subscribe(&mut ws, &[30011]).await;
    sim.clock().advance(Duration::from_secs(1800));
    let r: Value = serde_json::from_str(&next_text(&mut ws).await.expect("push")).expect("json");
    assert_eq!(r, json!({"errcode": 10004, "errmsg": "TOKEN EXPIRED"}));
    sim.emit(Event::new(30011, json!({"call_id": "1.1", "members": []})));
    assert_silent(&mut ws, 150).await;
}

#[tokio::test]
async fn server_can_drop_every_socket() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut a = ws(&sim, &api.token).await;
    let mut b = ws(&sim, &api.token).await;
    subscribe(&mut a, &[30011]).await;
    subscribe(&mut b, &[30011]).await;
    assert_eq!(sim.open_websockets(), 2);
    sim.drop_websockets();
    assert_eq!(next_text(&mut a).await, None);
    assert_eq!(next_text(&mut b).await, None);
    for _ in 0..300 {
        if sim.open_websockets() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("sockets still counted as open");
}

#[tokio::test]
async fn missed_events_are_not_replayed() {
    let sim = sim().await;
    let api = login(&sim).await;
    sim.play(&builtin("inbound_missed").expect("builtin"))
        .await
        .expect("played");
    let mut ws = ws(&sim, &api.token).await;
    subscribe(&mut ws, &[30011, 30012]).await;
    assert_silent(&mut ws, 150).await;
}
