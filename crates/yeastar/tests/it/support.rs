//! Shared harness: a simulator per test, a client for it, fast stream
//! settings and helpers that read a stream with a deadline.

use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use ringbridge_core::pbx::EventSourceItem;
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use ringbridge_yeastar::{BackoffConfig, EventStreamConfig, YeastarClient, YeastarConfig};
use secrecy::SecretString;

pub type Items = Pin<Box<dyn Stream<Item = EventSourceItem> + Send>>;

/// How long any single expected item may take.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub async fn sim() -> SimYeastar {
    sim_with(|_| {}).await
}

pub async fn sim_with(f: impl FnOnce(&mut SimSettings)) -> SimYeastar {
    let mut settings = SimSettings::for_tests();
    f(&mut settings);
    SimYeastar::start(settings).await.expect("simulator starts")
}

pub fn config_for(base_url: &str, client_id: &str, secret: &str) -> YeastarConfig {
    let mut cfg = YeastarConfig::new(
        base_url,
        client_id,
        SecretString::from(secret.to_owned()),
        chrono_tz::UTC,
    )
    .expect("valid config");
    cfg.request_timeout = Duration::from_secs(5);
    cfg.connect_timeout = Duration::from_secs(5);
    cfg.superseded_token_grace = Duration::from_millis(100);
    cfg
}

pub fn client(sim: &SimYeastar) -> YeastarClient {
    client_with(sim, |_| {})
}

pub fn client_with(sim: &SimYeastar, f: impl FnOnce(&mut YeastarConfig)) -> YeastarClient {
    let mut cfg = config_for(&sim.base_url(), sim.client_id(), sim.client_secret());
    f(&mut cfg);
    YeastarClient::new(cfg).expect("client")
}

/// Millisecond-scale timings so reconnects and heartbeats happen in tests.
pub fn fast_stream() -> EventStreamConfig {
    EventStreamConfig {
        heartbeat_interval: Duration::from_millis(100),
        heartbeat_timeout: Duration::from_millis(1000),
        connect_timeout: Duration::from_secs(5),
        backoff: BackoffConfig {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
            multiplier: 2.0,
            jitter: 0.5,
        },
        ..EventStreamConfig::default()
    }
}

/// The next item, or a test failure after [`PATIENCE`].
pub async fn next(items: &mut Items) -> EventSourceItem {
    tokio::time::timeout(PATIENCE, items.next())
        .await
        .expect("an item in time")
        .expect("the stream goes on")
}

/// Items up to and including the first one `done` accepts.
pub async fn until(
    items: &mut Items,
    mut done: impl FnMut(&EventSourceItem) -> bool,
) -> Vec<EventSourceItem> {
    let mut seen = Vec::new();
    loop {
        let item = next(items).await;
        let stop = done(&item);
        seen.push(item);
        if stop {
            return seen;
        }
    }
}

/// Whatever arrives within `window`.
pub async fn quiet(items: &mut Items, window: Duration) -> Vec<EventSourceItem> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + window;
    while let Ok(Some(item)) = tokio::time::timeout_at(deadline, items.next()).await {
        seen.push(item);
    }
    seen
}

pub async fn expect_connected(items: &mut Items) {
    let item = next(items).await;
    assert_eq!(item, EventSourceItem::Connected, "first item");
}

pub fn is_event(item: &EventSourceItem) -> bool {
    matches!(item, EventSourceItem::Event(_))
}

/// Serves a small fake (of a PBX, or of ringbridge's webhook receiver) on
/// loopback, port 0; returns its address.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}
