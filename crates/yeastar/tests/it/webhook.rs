//! The webhook receiver: the simulator pushes signed events to it; forged,
//! oversized, malformed and repeated deliveries are handled.

use std::net::SocketAddr;
use std::time::Duration;

use ringbridge_core::pbx::{EventSourceItem, PbxEvent, PbxEventSource};
use ringbridge_sim_yeastar::{WebhookSettings, WebhookTarget, webhook_signature};
use ringbridge_yeastar::{DEFAULT_WEBHOOK_PATH, WebhookConfig, WebhookReceiver};
use secrecy::SecretString;

use crate::support::{Items, expect_connected, next, quiet, serve, sim_with, until};

const SECRET: &str = "NArDaguorcDjBGlTrGgKVAfrTN6xqyOC";
const BODY: &str =
    r#"{"type":30008,"sn":"3631A0000001","msg":"{\"extension\":\"1005\",\"status\":\"Busy\"}"}"#;

fn receiver() -> WebhookReceiver {
    let mut cfg = WebhookConfig::new(SecretString::from(SECRET), chrono_tz::UTC);
    cfg.max_body_bytes = 4096;
    cfg.forward_timeout = Duration::from_millis(200);
    WebhookReceiver::new(cfg)
}

async fn post(addr: SocketAddr, body: &str, signature: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}{DEFAULT_WEBHOOK_PATH}"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("X-Signature", signature);
    }
    request.send().await.expect("request").status().as_u16()
}

/// Plays a call on a simulator pushing to a receiver with `method`; returns
/// the simulator once the call's end arrived, having checked every item
/// was an event.
async fn pushes_arrive_as_events(method: &str) -> ringbridge_sim_yeastar::SimYeastar {
    let receiver = receiver();
    let addr = serve(receiver.router(DEFAULT_WEBHOOK_PATH)).await;
    let mut items: Items = receiver.events();
    expect_connected(&mut items).await;
    let sim = sim_with(|s| {
        s.webhooks = WebhookSettings {
            targets: vec![WebhookTarget {
                url: format!("http://{addr}{DEFAULT_WEBHOOK_PATH}"),
                secret: SECRET.into(),
                request_method: method.into(),
                event_ids: vec![30011, 30012],
            }],
            ..WebhookSettings::default()
        };
    })
    .await;
    sim.play_builtin("inbound_answered")
        .await
        .expect("scenario");
    let seen = until(&mut items, |i| {
        matches!(i, EventSourceItem::Event(PbxEvent::CallEnded(_)))
    })
    .await;
    assert!(seen.len() > 2, "{seen:?}");
    assert!(
        seen.iter().all(|i| matches!(i, EventSourceItem::Event(_))),
        "{seen:?}"
    );
    sim
}

#[tokio::test]
async fn simulator_pushes_arrive_as_events() {
    pushes_arrive_as_events("POST").await;
}

#[tokio::test]
async fn forged_signatures_are_refused_and_genuine_ones_accepted_once() {
    let receiver = receiver();
    let addr = serve(receiver.router(DEFAULT_WEBHOOK_PATH)).await;
    let mut items = receiver.events();
    expect_connected(&mut items).await;

    assert_eq!(post(addr, BODY, None).await, 401);
    let forged = webhook_signature("some-other-secret", BODY.as_bytes());
    assert_eq!(post(addr, BODY, Some(&forged)).await, 401);
    assert!(
        quiet(&mut items, Duration::from_millis(100))
            .await
            .is_empty()
    );

    let genuine = webhook_signature(SECRET, BODY.as_bytes());
    assert_eq!(post(addr, BODY, Some(&genuine)).await, 200);
    let item = next(&mut items).await;
    assert!(
        matches!(
            item,
            EventSourceItem::Event(PbxEvent::ExtensionState { .. })
        ),
        "{item:?}"
    );
    // The PBX retries identical bodies: acknowledged, not delivered again.
    assert_eq!(post(addr, BODY, Some(&genuine)).await, 200);
    assert!(
        quiet(&mut items, Duration::from_millis(100))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_answered_clearly() {
    let receiver = receiver();
    let addr = serve(receiver.router(DEFAULT_WEBHOOK_PATH)).await;
    let mut items = receiver.events();
    expect_connected(&mut items).await;

    let big = format!(r#"{{"type":30008,"msg":{{"pad":"{}"}}}}"#, "x".repeat(5000));
    let signature = webhook_signature(SECRET, big.as_bytes());
    assert_eq!(post(addr, &big, Some(&signature)).await, 413);

    let garbage = "{not json";
    let signature = webhook_signature(SECRET, garbage.as_bytes());
    assert_eq!(post(addr, garbage, Some(&signature)).await, 400);
    let item = next(&mut items).await;
    assert!(
        matches!(item, EventSourceItem::Malformed { .. }),
        "{item:?}"
    );
}

#[tokio::test]
async fn without_a_listener_the_pbx_is_asked_to_retry() {
    let receiver = receiver();
    let addr = serve(receiver.router(DEFAULT_WEBHOOK_PATH)).await;
    let genuine = webhook_signature(SECRET, BODY.as_bytes());
    assert_eq!(post(addr, BODY, Some(&genuine)).await, 503);
    // Once someone listens, the retry is delivered (not taken for a repeat).
    let mut items = receiver.events();
    expect_connected(&mut items).await;
    assert_eq!(post(addr, BODY, Some(&genuine)).await, 200);
    assert!(matches!(next(&mut items).await, EventSourceItem::Event(_)));
}

/// The PBX admin may pick GET for a webhook: the same signed body arrives.
#[tokio::test]
async fn get_webhooks_from_the_simulator_arrive_as_events() {
    let sim = pushes_arrive_as_events("GET").await;
    let deliveries = sim.webhook_deliveries();
    assert!(
        deliveries.iter().all(|d| d.status == Some(200)),
        "every GET delivery accepted at once: {:?}",
        deliveries.iter().map(|d| d.status).collect::<Vec<_>>()
    );
}

/// One unreadable event in an array delivery: the good ones beside it are
/// delivered, the bad one reported, and the PBX is not asked to retry.
#[tokio::test]
async fn a_bad_event_in_an_array_does_not_drop_the_good_ones() {
    let receiver = receiver();
    let addr = serve(receiver.router(DEFAULT_WEBHOOK_PATH)).await;
    let mut items = receiver.events();
    expect_connected(&mut items).await;
    let other = BODY.replace("1005", "1006");
    let body = format!(r#"[{BODY}, {{"type":30011,"msg":"{{broken"}}, {other}]"#);
    let signature = webhook_signature(SECRET, body.as_bytes());
    assert_eq!(post(addr, &body, Some(&signature)).await, 200);
    let got = [
        next(&mut items).await,
        next(&mut items).await,
        next(&mut items).await,
    ];
    let extensions: Vec<String> = got
        .iter()
        .filter_map(|i| match i {
            EventSourceItem::Event(PbxEvent::ExtensionState { extension, .. }) => {
                Some(extension.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(extensions, ["1005", "1006"], "{got:?}");
    assert!(
        got.iter()
            .any(|i| matches!(i, EventSourceItem::Malformed { .. })),
        "{got:?}"
    );
}
