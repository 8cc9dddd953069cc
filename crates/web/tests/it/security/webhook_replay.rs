//! Issue 12, webhook replay: a validly signed PBX webhook body that was
//! accepted once is not handled again within its window — after a restart
//! (the in-memory memory is gone) and on a second node sharing the
//! database — so a captured delivery cannot pop or log a call twice.

use std::sync::Arc;

use futures_util::StreamExt;
use ringbridge_core::pbx::{EventSourceItem, PbxEvent, PbxEventSource};
use ringbridge_sim_yeastar::webhook_signature;
use ringbridge_store::SqlStore;
use ringbridge_yeastar::{DEFAULT_WEBHOOK_PATH, WebhookConfig, WebhookReceiver};
use secrecy::SecretString;

const SECRET: &str = "NArDaguorcDjBGlTrGgKVAfrTN6xqyOC";

fn status_body(extension: &str) -> String {
    format!(
        r#"{{"type":30008,"sn":"3631A0000001","msg":"{{\"extension\":\"{extension}\",\"status\":\"Busy\"}}"}}"#
    )
}

/// One ringbridge node's webhook endpoint on `store`; its URL and events.
async fn node(
    store: &SqlStore,
) -> (
    String,
    std::pin::Pin<Box<dyn futures_core::Stream<Item = EventSourceItem> + Send>>,
) {
    let receiver = WebhookReceiver::with_delivery_log(
        WebhookConfig::new(SecretString::from(SECRET), chrono_tz::UTC),
        Arc::new(store.clone()),
        "webhook:pbx1",
    );
    let mut events = receiver.events();
    assert!(matches!(
        events.next().await,
        Some(EventSourceItem::Connected)
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}{DEFAULT_WEBHOOK_PATH}",
        listener.local_addr().unwrap()
    );
    let router = receiver.router(DEFAULT_WEBHOOK_PATH);
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, events)
}

async fn deliver(url: &str, body: &str) -> u16 {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-signature", webhook_signature(SECRET, body.as_bytes()))
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The extension of the next status event.
async fn next_extension(
    events: &mut (impl futures_core::Stream<Item = EventSourceItem> + Unpin),
) -> String {
    match events.next().await {
        Some(EventSourceItem::Event(PbxEvent::ExtensionState { extension, .. })) => extension,
        other => panic!("expected a status event, got {other:?}"),
    }
}

#[tokio::test]
async fn a_signed_body_is_handled_once_across_restarts_and_nodes() {
    let (store, _db) = crate::open().await;
    let captured = status_body("1005");
    let (first, mut first_events) = node(&store).await;
    assert_eq!(deliver(&first, &captured).await, 200);
    assert_eq!(next_extension(&mut first_events).await, "1005");

    // "Restart": a new receiver, nothing in memory, the same database.
    drop(first_events);
    let (restarted, mut events) = node(&store).await;
    assert_eq!(deliver(&restarted, &captured).await, 200, "acknowledged");
    // A second node sharing the database refuses it too.
    let (second, mut second_events) = node(&store).await;
    assert_eq!(deliver(&second, &captured).await, 200);
    // Fresh deliveries still pass; they are the next events each node sees,
    // so the replays produced none.
    let fresh = status_body("1006");
    assert_eq!(deliver(&restarted, &fresh).await, 200);
    assert_eq!(next_extension(&mut events).await, "1006");
    let other = status_body("1007");
    assert_eq!(deliver(&second, &other).await, 200);
    assert_eq!(next_extension(&mut second_events).await, "1007");
}
