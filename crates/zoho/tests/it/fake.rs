//! A small scripted Zoho on 127.0.0.1:0: a token endpoint that behaves as
//! documented (errors as HTTP 200 bodies, revoke), API auth with
//! `Zoho-oauthtoken`, and per-route scripted answers. It pins Zoho's documented
//! behaviour for the client tests that need exact control.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ringbridge_zoho::clock::ManualClock;
use ringbridge_zoho::dc::DcTable;
use ringbridge_zoho::oauth::{OAuthClient, OAuthConfig, StateSigner, parse_redirect};
use ringbridge_zoho::{ConnectionOptions, RetryPolicy, ZohoConnection};
use serde_json::{Value, json};
use url::Url;

pub const CLIENT_ID: &str = "1000.CLIENTID";
pub const CLIENT_SECRET: &str = "client-secret";
pub const GRANT: &str = "1000.grant.code";

/// One request the fake saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct St {
    refresh_token: String,
    revoked: bool,
    issued: u32,
    valid: Vec<String>,
    refreshes: u32,
    scripted: HashMap<(String, String), VecDeque<(u16, String)>>,
    seen: Vec<Seen>,
    in_flight: usize,
    max_in_flight: usize,
    delay: Duration,
}

/// Handle to a running fake.
#[derive(Clone)]
pub struct Fake {
    pub url: Url,
    st: Arc<Mutex<St>>,
}

impl Fake {
    pub async fn start() -> Self {
        let st = Arc::new(Mutex::new(St {
            refresh_token: "1000.refresh.token".into(),
            ..Default::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url =
            Url::parse(&format!("http://{}", listener.local_addr().expect("addr"))).expect("url");
        let app = Router::new().fallback(handle).with_state(Arc::clone(&st));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, st }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, St> {
        self.st.lock().expect("fake state")
    }

    /// Queues an answer for `method path` (FIFO; unscripted routes answer 404).
    pub fn script(&self, method: &str, path: &str, status: u16, body: impl Into<String>) {
        self.lock()
            .scripted
            .entry((method.to_owned(), path.to_owned()))
            .or_default()
            .push_back((status, body.into()));
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// API requests (token endpoint excluded).
    pub fn api_seen(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| !s.path.starts_with("/oauth/"))
            .collect()
    }

    pub fn refreshes(&self) -> u32 {
        self.lock().refreshes
    }

    /// Zoho-side expiry: every issued access token stops working.
    pub fn expire_access_tokens(&self) {
        self.lock().valid.clear();
    }

    /// An admin revoked the app in Zoho: the refresh token and its access tokens die.
    pub fn revoke_refresh_token(&self) {
        let mut s = self.lock();
        s.revoked = true;
        s.valid.clear();
    }

    pub fn set_delay(&self, d: Duration) {
        self.lock().delay = d;
    }

    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    fn issue(&self) -> String {
        let mut s = self.lock();
        s.issued += 1;
        let t = format!("1000.access.{}", s.issued);
        s.valid.push(t.clone());
        t
    }
}

fn zoho_error(status: u16, code: &str, message: &str) -> Response {
    let body = json!({"code": code, "details": {}, "message": message, "status": "error"});
    (
        StatusCode::from_u16(status).expect("status"),
        body.to_string(),
    )
        .into_response()
}

async fn handle(
    State(st): State<Arc<Mutex<St>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fake = Fake {
        url: Url::parse("http://unused").expect("url"),
        st: Arc::clone(&st),
    };
    let seen = Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        headers: headers.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    fake.lock().seen.push(seen.clone());
    match (method.as_str(), uri.path()) {
        ("POST", "/oauth/v2/token") => token(&fake, &seen),
        ("POST", "/oauth/v2/token/revoke") => {
            let form = seen.form();
            let mut s = fake.lock();
            if form
                .iter()
                .any(|(k, v)| k == "token" && *v == s.refresh_token)
                && !s.revoked
            {
                s.revoked = true;
                s.valid.clear();
                (StatusCode::OK, json!({"status": "success"}).to_string()).into_response()
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    json!({"error": "invalid_token"}).to_string(),
                )
                    .into_response()
            }
        }
        _ => api(&fake, &seen).await,
    }
}

fn token(fake: &Fake, seen: &Seen) -> Response {
    let scripted = fake
        .lock()
        .scripted
        .get_mut(&("POST".to_owned(), "/oauth/v2/token".to_owned()))
        .and_then(VecDeque::pop_front);
    if let Some((status, body)) = scripted {
        let status = StatusCode::from_u16(status).expect("status");
        return (status, body).into_response();
    }
    let form: HashMap<String, String> = seen.form().into_iter().collect();
    let g = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    // Documented: every token-endpoint error is an HTTP 200 with {"error": ...}.
    let err = |e: &str| (StatusCode::OK, json!({"error": e}).to_string()).into_response();
    if g("client_id") != CLIENT_ID || g("client_secret") != CLIENT_SECRET {
        return err("invalid_client");
    }
    match g("grant_type") {
        "authorization_code" if g("code") == GRANT => {
            let at = fake.issue();
            let rt = fake.lock().refresh_token.clone();
            let body = json!({"access_token": at, "refresh_token": rt, "scope": "ZohoCRM.modules.ALL ZohoCRM.users.READ",
                "api_domain": api_domain(seen), "token_type": "Bearer", "expires_in": 3600});
            (StatusCode::OK, body.to_string()).into_response()
        }
        "refresh_token" => {
            let ok = {
                let s = fake.lock();
                !s.revoked && g("refresh_token") == s.refresh_token
            };
            if !ok {
                return err("invalid_code");
            }
            fake.lock().refreshes += 1;
            let at = fake.issue();
            let body = json!({"access_token": at, "scope": "ZohoCRM.modules.ALL ZohoCRM.users.READ",
                "api_domain": api_domain(seen), "token_type": "Bearer", "expires_in": 3600});
            (StatusCode::OK, body.to_string()).into_response()
        }
        _ => err("invalid_code"),
    }
}

fn api_domain(seen: &Seen) -> String {
    let host = seen
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

async fn api(fake: &Fake, seen: &Seen) -> Response {
    let auth = seen
        .headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let ok = auth
        .strip_prefix("Zoho-oauthtoken ")
        .is_some_and(|t| fake.lock().valid.iter().any(|v| v == t));
    if !ok {
        return zoho_error(401, "INVALID_TOKEN", "invalid oauth token");
    }
    let delay = {
        let mut s = fake.lock();
        s.in_flight += 1;
        s.max_in_flight = s.max_in_flight.max(s.in_flight);
        s.delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let next = {
        let mut s = fake.lock();
        s.in_flight -= 1;
        s.scripted
            .get_mut(&(seen.method.clone(), seen.path.clone()))
            .and_then(VecDeque::pop_front)
    };
    match next {
        Some((status, body)) => {
            (StatusCode::from_u16(status).expect("status"), body).into_response()
        }
        None => zoho_error(
            404,
            "INVALID_URL_PATTERN",
            "Please check if the URL trying to access is a correct one",
        ),
    }
}

/// A consent flow through the fake: consent URL → redirect → state check → exchange.
pub async fn connect_with(
    fake: &Fake,
    clock: Arc<ManualClock>,
    options: ConnectionOptions,
) -> ZohoConnection {
    let client = oauth_client(fake, clock.clone());
    let signer = StateSigner::random();
    let state = signer.issue("admin-session", ringbridge_zoho::clock::Clock::now(&*clock));
    let consent = client.authorization_url(&state, None);
    assert_eq!(consent.path(), "/oauth/v2/auth");
    let redirect = format!(
        "state={}&code={GRANT}&location=eu&accounts-server={}",
        url::form_urlencoded::byte_serialize(state.as_bytes()).collect::<String>(),
        url::form_urlencoded::byte_serialize(fake.url.as_str().trim_end_matches('/').as_bytes())
            .collect::<String>()
    );
    let r = parse_redirect(&redirect).expect("redirect");
    signer
        .verify(
            &r.state,
            "admin-session",
            ringbridge_zoho::clock::Clock::now(&*clock),
        )
        .expect("state");
    let tokens = client.exchange_code(&r).await.expect("exchange");
    ZohoConnection::new(client, tokens, options)
}

pub fn oauth_client(fake: &Fake, clock: Arc<ManualClock>) -> OAuthClient {
    let mut cfg = OAuthConfig::new(
        CLIENT_ID,
        CLIENT_SECRET.into(),
        Url::parse("https://rb.example.com/zoho/callback").expect("url"),
    );
    cfg.dc = DcTable::single(fake.url.clone(), fake.url.clone());
    OAuthClient::new(cfg, reqwest::Client::new()).with_clock(clock)
}

pub fn fast_options() -> ConnectionOptions {
    ConnectionOptions {
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        timeout: Duration::from_secs(5),
        ..Default::default()
    }
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(chrono::Utc::now()))
}

pub async fn connect(fake: &Fake) -> (ZohoConnection, Arc<ManualClock>) {
    let c = clock();
    (connect_with(fake, c.clone(), fast_options()).await, c)
}
