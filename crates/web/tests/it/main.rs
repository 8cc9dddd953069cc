//! The HTTP surface over a real socket.

mod console;
mod pages;
mod panel;
mod recordings;
mod security;

use std::sync::Arc;

use ringbridge_engine::StreamStatus;
use ringbridge_store::testing::fresh_sqlite;
use ringbridge_store::{SecretKey, SqlStore};
use ringbridge_web::{AppState, router, serve};
use tokio::sync::watch;

async fn start(store: SqlStore, pbx_stream: Option<watch::Receiver<StreamStatus>>) -> String {
    let store = Arc::new(store);
    let app = router(AppState::new(store.clone(), store, pbx_stream), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, app, std::future::pending()));
    url
}

async fn open() -> (SqlStore, ringbridge_store::testing::TestDatabase) {
    let db = fresh_sqlite();
    let store = SqlStore::open(&db.url, SecretKey::generate())
        .await
        .unwrap();
    (store, db)
}

#[tokio::test]
async fn ready_when_database_answers_and_stream_is_not_failed() {
    let (store, _db) = open().await;
    let (tx, rx) = watch::channel(StreamStatus::Connected);
    let url = start(store, Some(rx)).await;
    let client = reqwest::Client::new();

    assert_eq!(
        client
            .get(format!("{url}/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    let ready = client.get(format!("{url}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["pbx_stream"], "connected");
    assert_eq!(body["crm"], "not configured", "no engine in this state");

    tx.send_replace(StreamStatus::Failed {
        reason: "PBX refused the client secret".into(),
    });
    let ready = client.get(format!("{url}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["pbx_stream"], "failed: PBX refused the client secret");
}

#[tokio::test]
async fn not_ready_when_the_database_is_gone() {
    let (store, _db) = open().await;
    let handle = store.clone();
    let url = start(store, None).await;
    handle.close().await;
    let ready = reqwest::get(format!("{url}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert!(
        body["database"].as_str().unwrap().starts_with("error"),
        "{body}"
    );
    // Liveness does not depend on the database.
    assert_eq!(
        reqwest::get(format!("{url}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
}
