//! Issue 12, connections: slow headers, stalled bodies and idle sockets
//! are closed after their timeouts, and connections beyond the cap wait
//! (while a fresh one is answered as soon as another closes). Live
//! streams are not cut by any of it.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::get;
use ringbridge_web::server::{ServerLimits, serve_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{open_app, short_limits};

/// Longest any test here waits for the server to act on a 1 s timeout.
const PATIENCE: Duration = Duration::from_secs(10);

async fn start(limits: ServerLimits, app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { serve_with(listener, app, &limits, std::future::pending()).await });
    addr
}

/// Reads until the server closes the connection; what it sent meanwhile.
/// Panics if it is still open after [`PATIENCE`].
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open; it sent {:?}",
        String::from_utf8_lossy(&seen)
    );
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn half_a_header_line_is_disconnected_after_the_header_timeout() {
    let (app, _db) = open_app().await;
    let addr = start(short_limits(), app).await;
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: ringbr")
        .await
        .unwrap();
    let answered = until_closed(&mut slow).await;
    assert!(!answered.contains("200 OK"), "{answered}");
}

#[tokio::test]
async fn a_silent_connection_and_an_idle_keep_alive_one_are_closed() {
    let (app, _db) = open_app().await;
    let addr = start(short_limits(), app).await;
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: ringbridge\r\n\r\n")
        .await
        .unwrap();
    until_closed(&mut silent).await;
    // The one request is answered; then the connection idles and is closed.
    let answered = until_closed(&mut idle).await;
    assert!(answered.starts_with("HTTP/1.1 200 OK"), "{answered}");
}

#[tokio::test]
async fn a_stalled_webhook_body_is_cut_after_the_body_timeout() {
    let (app, _db) = open_app().await;
    let addr = start(short_limits(), app).await;
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(
        b"POST /login HTTP/1.1\r\nHost: ringbridge\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\nusername=adm",
    )
    .await
    .unwrap();
    let answered = until_closed(&mut slow).await;
    assert!(!answered.contains(" 303 "), "{answered}");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_another_closes() {
    let (app, _db) = open_app().await;
    let limits = ServerLimits {
        max_connections: 3,
        // Long enough that the three idle connections are not closed by it.
        header_read_timeout_secs: 120,
        ..short_limits()
    };
    let addr = start(limits, app).await;
    let mut hogs = Vec::new();
    for _ in 0..3 {
        hogs.push(TcpStream::connect(&addr).await.unwrap());
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let url = format!("http://{addr}/healthz");
    let waiting = tokio::spawn({
        let (client, url) = (client.clone(), url.clone());
        async move { client.get(&url).send().await.map(|r| r.status()) }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        !waiting.is_finished(),
        "a fourth connection was served while three were open"
    );
    drop(hogs.pop());
    let status = tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("served once a connection closed")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    // And again on a fresh connection: the cap counts open connections only.
    let again = client.get(&url).send().await.unwrap();
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn a_live_stream_outlasts_the_header_and_body_timeouts() {
    let ticks = || async {
        let stream = futures_util::stream::unfold(0u32, |n| async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Some((
                Ok::<_, std::io::Error>(Bytes::from(format!("data: {n}\n\n"))),
                n + 1,
            ))
        });
        (
            [(axum::http::header::CONTENT_TYPE, "text/event-stream")],
            Body::from_stream(stream),
        )
    };
    let app = Router::new().route("/api/calls/stream", get(ticks));
    let addr = start(short_limits(), app).await;
    let response = reqwest::get(format!("http://{addr}/api/calls/stream"))
        .await
        .unwrap();
    let mut body = response.bytes_stream();
    let started = tokio::time::Instant::now();
    let mut events = 0;
    // Three times the 1 s timeouts.
    while started.elapsed() < Duration::from_secs(3) {
        use futures_util::StreamExt as _;
        let chunk = body.next().await.expect("the stream is still open");
        assert!(chunk.is_ok(), "{chunk:?}");
        events += 1;
    }
    assert!(events >= 5, "{events} events");
}
