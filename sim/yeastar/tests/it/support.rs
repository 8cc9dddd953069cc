//! Test harness: a simulator per test, a typed-ish HTTP client, a WebSocket client and a
//! webhook receiver.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use ringbridge_sim_yeastar::{SimSettings, SimYeastar};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

pub const UA: &str = "OpenAPI";

pub async fn sim() -> SimYeastar {
    sim_with(|_| {}).await
}

pub async fn sim_with(f: impl FnOnce(&mut SimSettings)) -> SimYeastar {
    let mut s = SimSettings::for_tests();
    f(&mut s);
    SimYeastar::start(s).await.expect("simulator starts")
}

/// An API client bound to one token.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub refresh: String,
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(UA)
        .build()
        .expect("client")
}

pub async fn raw_post(base: &str, endpoint: &str, body: &Value) -> Value {
    http()
        .post(format!("{base}/openapi/v1.0/{endpoint}"))
        .json(body)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json body")
}

pub async fn login(sim: &SimYeastar) -> Api {
    let base = sim.base_url();
    let r = raw_post(
        &base,
        "get_token",
        &json!({"username": sim.client_id(), "password": sim.client_secret()}),
    )
    .await;
    assert_eq!(r["errcode"], 0, "login: {r}");
    Api {
        http: http(),
        base,
        token: r["access_token"].as_str().expect("token").to_owned(),
        refresh: r["refresh_token"].as_str().expect("refresh").to_owned(),
    }
}

impl Api {
    pub async fn get(&self, endpoint: &str, query: &[(&str, &str)]) -> Value {
        self.get_v("v1.0", endpoint, query).await
    }

    pub async fn get_v(&self, version: &str, endpoint: &str, query: &[(&str, &str)]) -> Value {
        let mut q: Vec<(&str, &str)> = vec![("access_token", &self.token)];
        q.extend_from_slice(query);
        let resp = self
            .http
            .get(format!("{}/openapi/{version}/{endpoint}", self.base))
            .query(&q)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 200, "API errors are HTTP 200");
        resp.json().await.expect("json")
    }

    pub async fn post(&self, endpoint: &str, body: &Value) -> Value {
        let resp = self
            .http
            .post(format!("{}/openapi/v1.0/{endpoint}", self.base))
            .query(&[("access_token", &self.token)])
            .json(body)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn ws(sim: &SimYeastar, token: &str) -> Ws {
    let (ws, resp) = connect_async(format!("{}?access_token={token}", sim.ws_url()))
        .await
        .expect("websocket handshake");
    assert_eq!(resp.status(), 101);
    ws
}

/// Next text frame (panics after 5 s; closed socket → None).
pub async fn next_text(ws: &mut Ws) -> Option<String> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s");
        match msg {
            Some(Ok(Message::Text(t))) => return Some(t.to_string()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

/// Asserts nothing arrives for a short while.
pub async fn assert_silent(ws: &mut Ws, ms: u64) {
    if let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_millis(ms), ws.next()).await {
        panic!("unexpected frame {m:?}");
    }
}

pub async fn send(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.into())).await.expect("send");
}

pub async fn subscribe(ws: &mut Ws, topics: &[u32]) {
    send(ws, &json!({"topic_list": topics}).to_string()).await;
    let reply: Value = serde_json::from_str(&next_text(ws).await.expect("reply")).expect("json");
    assert_eq!(reply, json!({"errcode": 0, "errmsg": "SUCCESS"}));
}

/// An event frame decoded: (type, msg as object, msg was string-encoded).
pub fn decode(frame: &str) -> (u64, Value, bool) {
    let v: Value = serde_json::from_str(frame).expect("frame json");
    let t = v["type"].as_u64().expect("type");
    // The vendor's agent-event examples (30025, 30026) have no `sn`.
    assert!(
        v["sn"].is_string() || matches!(t, 30025 | 30026),
        "sn present: {v}"
    );
    match &v["msg"] {
        Value::String(s) => (t, serde_json::from_str(s).expect("msg json"), true),
        other => (t, other.clone(), false),
    }
}

/// Reads events until `n` 30012 frames arrived; returns all (type, msg).
pub async fn events_until_cdrs(ws: &mut Ws, n: usize) -> Vec<(u64, Value)> {
    let mut out = Vec::new();
    let mut cdrs = 0;
    while cdrs < n {
        let f = next_text(ws).await.expect("socket open");
        let (t, msg, _) = decode(&f);
        if t == 30012 {
            cdrs += 1;
        }
        out.push((t, msg));
    }
    out
}

/// `kind:number:STATUS` per member, e.g. `inbound:5550199:ALERT`.
pub fn summary(info: &Value) -> Vec<String> {
    info["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            let (kind, body) = m
                .as_object()
                .expect("member")
                .iter()
                .next()
                .expect("one key");
            let number = match kind.as_str() {
                "extension" => body["number"].as_str(),
                "inbound" => body["from"].as_str(),
                _ => body["to"].as_str(),
            }
            .expect("number");
            format!(
                "{kind}:{number}:{}",
                body["member_status"].as_str().expect("status")
            )
        })
        .collect()
}

/// 30011 summaries of one call, in order.
pub fn frames(events: &[(u64, Value)], call_id: &str) -> Vec<Vec<String>> {
    events
        .iter()
        .filter(|(t, m)| *t == 30011 && m["call_id"] == call_id)
        .map(|(_, m)| summary(m))
        .collect()
}

pub fn of_type(events: &[(u64, Value)], t: u64) -> Vec<Value> {
    events
        .iter()
        .filter(|(ty, _)| *ty == t)
        .map(|(_, m)| m.clone())
        .collect()
}

pub fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// A webhook receiver: records (headers, body) and answers with queued statuses (then 200).
#[derive(Clone, Default)]
pub struct Hook {
    pub hits: Arc<Mutex<Vec<(String, String)>>>,
    pub statuses: Arc<Mutex<Vec<u16>>>,
}

impl Hook {
    pub async fn start(&self) -> String {
        use axum::http::{HeaderMap, StatusCode};
        let me = self.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::any(move |headers: HeaderMap, body: String| {
                let me = me.clone();
                async move {
                    let sig = headers
                        .get("x-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    me.hits.lock().expect("lock").push((sig, body));
                    let mut st = me.statuses.lock().expect("lock");
                    let code = if st.is_empty() { 200 } else { st.remove(0) };
                    StatusCode::from_u16(code).expect("status")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}/hook")
    }

    pub fn hits(&self) -> Vec<(String, String)> {
        self.hits.lock().expect("lock").clone()
    }

    pub async fn wait_for(&self, n: usize) -> Vec<(String, String)> {
        for _ in 0..500 {
            let h = self.hits();
            if h.len() >= n {
                return h;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("expected {n} webhook hits, got {}", self.hits().len());
    }
}
