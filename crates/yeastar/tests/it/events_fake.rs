//! Event-socket misbehaviour the simulator does not show: a PBX that stops
//! answering heartbeats (a dead socket, e.g. behind a NAT that dropped the
//! connection), and one that refuses the handshake with HTTP 401.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ringbridge_core::pbx::{EventSourceItem, PbxEventSource};
use ringbridge_yeastar::YeastarClient;
use serde_json::json;

use crate::support::{config_for, expect_connected, fast_stream, next};

#[derive(Default)]
struct Fake {
    logins: AtomicUsize,
    sockets: AtomicUsize,
    /// Handshakes to refuse with 401 before accepting.
    refuse_first: AtomicUsize,
}

async fn get_token(State(fake): State<Arc<Fake>>) -> axum::Json<serde_json::Value> {
    let n = fake.logins.fetch_add(1, Ordering::SeqCst);
    axum::Json(json!({"errcode": 0, "errmsg": "SUCCESS",
        "access_token": format!("token{n:027}"), "access_token_expire_time": 1800,
        "refresh_token": format!("refresh{n:025}"), "refresh_token_expire_time": 86400}))
}

async fn refresh_token(State(fake): State<Arc<Fake>>) -> axum::Json<serde_json::Value> {
    get_token(State(fake)).await
}

async fn subscribe(State(fake): State<Arc<Fake>>, ws: WebSocketUpgrade) -> Response {
    let refuse = fake
        .refuse_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if refuse {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    fake.sockets.fetch_add(1, Ordering::SeqCst);
    ws.on_upgrade(silent_after_subscribe)
}

/// Acknowledges the subscribe, then reads and never answers.
async fn silent_after_subscribe(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        if let Message::Text(text) = message
            && text.contains("topic_list")
        {
            let ok = json!({"errcode": 0, "errmsg": "SUCCESS"}).to_string();
            if socket.send(Message::Text(ok.into())).await.is_err() {
                return;
            }
        }
    }
}

async fn start(fake: Arc<Fake>) -> SocketAddr {
    let app = Router::new()
        .route("/openapi/v1.0/get_token", post(get_token))
        .route("/openapi/v1.0/refresh_token", post(refresh_token))
        .route("/openapi/v1.0/subscribe", get(subscribe))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn client(addr: SocketAddr) -> YeastarClient {
    YeastarClient::new(config_for(&format!("http://{addr}"), "id", "secret")).expect("client")
}

#[tokio::test]
async fn an_unanswered_heartbeat_means_a_dead_socket() {
    let fake = Arc::new(Fake::default());
    let addr = start(Arc::clone(&fake)).await;
    let mut cfg = fast_stream();
    cfg.heartbeat_interval = Duration::from_millis(100);
    cfg.heartbeat_timeout = Duration::from_millis(150);
    let mut items = client(addr).event_source(cfg).events();
    expect_connected(&mut items).await;
    let item = next(&mut items).await;
    let noticed = chrono::Utc::now();
    let EventSourceItem::Disconnected { reason, since } = &item else {
        panic!("expected a gap, got {item:?}");
    };
    assert!(reason.contains("heartbeat"), "{reason}");
    // The gap starts when the PBX was last heard (the subscribe reply), not
    // when the silence was noticed a heartbeat and a timeout later.
    assert!(
        noticed - *since >= chrono::Duration::milliseconds(200),
        "gap starts {since}, noticed {noticed}"
    );
    assert_eq!(next(&mut items).await, EventSourceItem::Connected);
    assert_eq!(fake.sockets.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_handshake_renews_the_token() {
    let fake = Arc::new(Fake::default());
    fake.refuse_first.store(1, Ordering::SeqCst);
    let addr = start(Arc::clone(&fake)).await;
    let mut items = client(addr).event_source(fast_stream()).events();
    let item = next(&mut items).await;
    assert!(
        matches!(item, EventSourceItem::Disconnected { .. }),
        "{item:?}"
    );
    assert_eq!(next(&mut items).await, EventSourceItem::Connected);
    assert_eq!(
        fake.logins.load(Ordering::SeqCst),
        2,
        "a new token after the 401"
    );
}
