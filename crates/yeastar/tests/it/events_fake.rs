//! Event-socket misbehaviour the simulator does not show: a PBX that stops
//! answering heartbeats (a dead socket, e.g. behind a NAT that dropped the
//! connection), one that refuses the handshake with HTTP 401, and hostile
//! frames (see `hostile`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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

use crate::support::{config_for, expect_connected, fast_stream, next, quiet, until};

#[derive(Default)]
struct Fake {
    logins: AtomicUsize,
    sockets: AtomicUsize,
    /// Handshakes to refuse with 401 before accepting.
    refuse_first: AtomicUsize,
    /// Frames the n-th socket sends after the subscribe reply (then it
    /// answers heartbeats). `None`: sockets never answer anything else.
    script: Mutex<Option<Vec<Vec<Message>>>>,
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
    let n = fake.sockets.fetch_add(1, Ordering::SeqCst);
    let script = fake.script.lock().expect("script").clone();
    match script {
        None => ws.on_upgrade(silent_after_subscribe),
        Some(script) => {
            let frames = script.get(n).cloned().unwrap_or_default();
            ws.on_upgrade(move |socket| scripted(socket, frames))
        }
    }
}

/// Acknowledges the subscribe, sends `frames`, then answers heartbeats.
async fn scripted(mut socket: WebSocket, frames: Vec<Message>) {
    while let Some(Ok(message)) = socket.recv().await {
        let Message::Text(text) = message else {
            continue;
        };
        let replies = if text.contains("topic_list") {
            let ok = json!({"errcode": 0, "errmsg": "SUCCESS"}).to_string();
            std::iter::once(Message::Text(ok.into()))
                .chain(frames.iter().cloned())
                .collect()
        } else if text.as_str() == "heartbeat" {
            vec![Message::Text("heartbeat response".into())]
        } else {
            Vec::new()
        };
        for reply in replies {
            if socket.send(reply).await.is_err() {
                return;
            }
        }
    }
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
    crate::support::serve(app).await
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

/// A 30011 frame for a made-up call `1767258000.<n>`.
fn ringing(n: usize) -> Message {
    let msg = json!({"call_id": format!("1767258000.{n}"), "members": [
        {"extension": {"number": "1005", "channel_id": format!("PJSIP/1005-{n:08x}"),
                       "member_status": "RING", "call_path": ""}}]});
    Message::Text(
        json!({"type": 30011, "sn": "3631A0000001", "msg": msg.to_string()})
            .to_string()
            .into(),
    )
}

fn call_number(item: &EventSourceItem) -> Option<usize> {
    let EventSourceItem::Event(event) = item else {
        return None;
    };
    event.call_id()?.0.strip_prefix("1767258000.")?.parse().ok()
}

/// Our frame limit in these tests; tungstenite's hard limit is 64 KiB.
const LIMIT: usize = 2048;

/// Starts a PBX whose sockets send `script`, subscribes (with extra topics
/// 30097 and 30098) and returns the items up to call `n`, plus whatever
/// follows within a moment (to see nothing arrives twice).
async fn items_until_call(
    script: Vec<Vec<Message>>,
    n: usize,
) -> (Vec<EventSourceItem>, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    *fake.script.lock().expect("script") = Some(script);
    let addr = start(Arc::clone(&fake)).await;
    let mut cfg = fast_stream();
    cfg.max_frame_bytes = LIMIT;
    cfg.topics.extend([30097, 30098]);
    let mut items = client(addr).event_source(cfg).events();
    expect_connected(&mut items).await;
    let mut seen = until(&mut items, |item| call_number(item) == Some(n)).await;
    seen.extend(quiet(&mut items, Duration::from_millis(400)).await);
    (seen, fake)
}

fn calls(items: &[EventSourceItem]) -> Vec<usize> {
    items.iter().filter_map(call_number).collect()
}

fn malformed(items: &[EventSourceItem]) -> Vec<&str> {
    items
        .iter()
        .filter_map(|item| match item {
            EventSourceItem::Malformed { reason } => Some(reason.as_str()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_text_frame_that_is_not_json_is_reported_and_skipped() {
    let frames = vec![
        Message::Text("<html>502 Bad Gateway</html>".into()),
        ringing(1),
    ];
    let (items, fake) = items_until_call(vec![frames], 1).await;
    let bad = malformed(&items);
    assert_eq!(bad.len(), 1, "{items:?}");
    assert!(bad[0].contains("not an event envelope"), "{}", bad[0]);
    assert_eq!(calls(&items), [1], "the next event, once");
    assert_eq!(fake.sockets.load(Ordering::SeqCst), 1, "the socket stays");
}

#[tokio::test]
async fn a_binary_frame_is_reported_and_skipped() {
    let frames = vec![
        Message::Binary(vec![0xff, 0xfe, 0x00, 0x9f].into()),
        ringing(2),
    ];
    let (items, fake) = items_until_call(vec![frames], 2).await;
    let bad = malformed(&items);
    assert_eq!(bad.len(), 1, "{items:?}");
    assert!(bad[0].contains("binary WebSocket frame"), "{}", bad[0]);
    assert_eq!(calls(&items), [2]);
    assert_eq!(fake.sockets.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_frame_over_our_limit_is_reported_and_skipped() {
    let padding = "x".repeat(LIMIT * 2);
    let big = json!({"type": 30011, "msg": {"call_id": "1767258000.90", "padding": padding}});
    let frames = vec![Message::Text(big.to_string().into()), ringing(3)];
    let (items, fake) = items_until_call(vec![frames], 3).await;
    let bad = malformed(&items);
    assert_eq!(bad.len(), 1, "{items:?}");
    assert!(bad[0].contains("exceeds"), "{}", bad[0]);
    assert_eq!(calls(&items), [3], "the big frame's call is not taken");
    assert_eq!(fake.sockets.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_frame_over_the_hard_limit_costs_the_socket_not_the_stream() {
    // Past tungstenite's limit the socket cannot be read on; the client
    // reports the frame and reconnects. The event behind it on that socket
    // is gone (the catch-up from call records covers such gaps); this PBX
    // sends it again on the new socket, and it is delivered once.
    let huge = Message::Text("y".repeat(100 * 1024).into());
    let script = vec![vec![huge, ringing(4)], vec![ringing(4)]];
    let (items, fake) = items_until_call(script, 4).await;
    let bad = malformed(&items);
    assert_eq!(bad.len(), 1, "{items:?}");
    assert!(bad[0].contains("too large"), "{}", bad[0]);
    assert!(
        items
            .iter()
            .any(|i| matches!(i, EventSourceItem::Disconnected { .. })),
        "{items:?}"
    );
    assert_eq!(calls(&items), [4]);
    assert_eq!(fake.sockets.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn frames_without_a_type_are_taken_when_they_hold_a_call() {
    // docs/yeastar-api.md §5: `type` may be missing. A Call_Info snapshot is still a call state.
    let untyped_call = json!({"sn": "3631A0000001", "msg": {"call_id": "1767258000.5", "members": [
        {"extension": {"number": "1005", "channel_id": "PJSIP/1005-00000005",
                       "member_status": "RING", "call_path": ""}}]}});
    let untyped_other =
        json!({"sn": "3631A0000001", "msg": {"extension": "1005", "status": "away"}});
    let frames = vec![
        Message::Text(untyped_other.to_string().into()),
        Message::Text(untyped_call.to_string().into()),
        ringing(6),
    ];
    let (items, _) = items_until_call(vec![frames], 6).await;
    let bad = malformed(&items);
    assert_eq!(bad.len(), 1, "{items:?}");
    assert!(bad[0].contains("without a `type`"), "{}", bad[0]);
    assert_eq!(calls(&items), [5, 6]);
}

/// Collects what the code under test logs (the test runs on one thread, so
/// the stream's tasks log here too).
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn unknown_event_types_are_skipped_and_logged_once_per_type() {
    let log = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Types no other test uses: the once-per-type memory is per process.
    let unknown = |t: u32| {
        Message::Text(
            json!({"type": t, "sn": "3631A0000001", "msg": {"x": 1}})
                .to_string()
                .into(),
        )
    };
    let frames = vec![
        unknown(30097),
        unknown(30097),
        unknown(30098),
        unknown(30097),
        ringing(7),
    ];
    let (items, _) = items_until_call(vec![frames], 7).await;
    assert!(malformed(&items).is_empty(), "{items:?}");
    assert_eq!(calls(&items), [7]);
    let text = String::from_utf8(log.0.lock().expect("log").clone()).expect("utf-8");
    let lines = |t: &str| {
        text.lines()
            .filter(|l| l.contains("INFO") && l.contains(&format!("event_type={t}")))
            .count()
    };
    assert_eq!((lines("30097"), lines("30098")), (1, 1), "{text}");
}
