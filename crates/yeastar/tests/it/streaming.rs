//! Recordings are streamed, not buffered: against a PBX that sends the
//! first part of a file and then holds the response open, the client hands
//! back the stream and its first chunk before the file is complete.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::Response;
use axum::routing::{get, post};
use futures_util::{StreamExt, TryStreamExt, stream};
use ringbridge_core::pbx::{Pbx, RecordingRef};
use serde_json::json;
use tokio::sync::oneshot;

use crate::support::config_for;

const FIRST: &[u8] = b"RIFF\x24\x08\x00\x00WAVEfmt the first part of the recording";
const REST: &[u8] = b" and the rest, sent only when the test allows it";

/// Holds the signal that lets the download finish.
type Release = Arc<Mutex<Option<oneshot::Receiver<()>>>>;

async fn get_token() -> axum::Json<serde_json::Value> {
    axum::Json(json!({"errcode": 0, "errmsg": "SUCCESS",
        "access_token": "t".repeat(32), "access_token_expire_time": 1800,
        "refresh_token": "r".repeat(32), "refresh_token_expire_time": 86400}))
}

async fn download_url() -> axum::Json<serde_json::Value> {
    axum::Json(
        json!({"errcode": 0, "errmsg": "SUCCESS", "file": "call.wav",
        "download_resource_url": "/api/download/call.wav"}),
    )
}

async fn download(State(release): State<Release>) -> Response {
    let release = release.lock().expect("release").take();
    let first = stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(FIRST)) });
    let rest = stream::once(async move {
        if let Some(release) = release {
            // Err: the test ended; finishing is harmless.
            let _ = release.await;
        }
        Ok(Bytes::from_static(REST))
    });
    Response::builder()
        .header(CONTENT_TYPE, "audio/wav")
        .header(CONTENT_LENGTH, FIRST.len() + REST.len())
        .body(Body::from_stream(first.chain(rest)))
        .expect("response")
}

async fn start(release: Release) -> SocketAddr {
    let app = Router::new()
        .route("/openapi/v1.0/get_token", post(get_token))
        .route("/openapi/v1.0/recording/download", get(download_url))
        .route("/api/download/call.wav", get(download))
        .with_state(release);
    crate::support::serve(app).await
}

#[tokio::test]
async fn the_first_chunk_arrives_before_the_pbx_finished_sending() {
    let (finish, release) = oneshot::channel();
    let addr = start(Arc::new(Mutex::new(Some(release)))).await;
    let pbx = ringbridge_yeastar::YeastarClient::new(config_for(
        &format!("http://{addr}"),
        "id",
        "secret",
    ))
    .expect("client");

    let patience = Duration::from_secs(5);
    let recording = tokio::time::timeout(
        patience,
        pbx.recording(&RecordingRef("call.wav".into()), None),
    )
    .await
    .expect("the stream is handed back while the PBX still sends")
    .expect("download");
    assert_eq!(recording.length, Some((FIRST.len() + REST.len()) as u64));
    let mut body = recording.body;
    let first = tokio::time::timeout(patience, body.next())
        .await
        .expect("the first chunk comes before the file is complete")
        .expect("a chunk")
        .expect("no error");
    assert_eq!(&first[..], FIRST);
    // Nothing more until the PBX sends it.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), body.next())
            .await
            .is_err(),
        "the rest is not there yet"
    );

    finish.send(()).expect("the download waits");
    let rest: Vec<Bytes> = tokio::time::timeout(patience, body.try_collect())
        .await
        .expect("the rest comes")
        .expect("no error");
    assert_eq!(rest.concat(), REST);
}
