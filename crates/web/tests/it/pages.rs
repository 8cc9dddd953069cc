//! Sign-in, sessions, CSRF, roles, API tokens, languages and security
//! headers, driven like a browser (a cookie store, no automatic redirects)
//! over a real socket.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use ringbridge_store::testing::{TestDatabase, fresh_sqlite};
use ringbridge_store::{SecretKey, SqlStore};
use ringbridge_web::auth::{ManualClock, PasswordParams, WebConfig};
use ringbridge_web::{AppState, router, serve};

mod guards;
mod render;
mod signin;

const ADMIN_PW: &str = "admin password 1";
const AGENT_PW: &str = "agent password 1";

struct App {
    url: String,
    clock: Arc<ManualClock>,
    store: SqlStore,
    _db: TestDatabase,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The CSRF token in the page's forms.
    fn csrf(&self) -> String {
        between(&self.body, "name=\"csrf_token\" value=\"", "\"")
    }
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in {text}"))
        + start.len();
    text[from..][..text[from..].find(end).unwrap()].to_owned()
}

async fn start_with(config: WebConfig) -> App {
    start_serving(config, false).await
}

/// `peer_addresses`: serve with the peer's address known to handlers (what
/// the login throttle keys on besides the username).
async fn start_serving(config: WebConfig, peer_addresses: bool) -> App {
    let db = fresh_sqlite();
    let store = SqlStore::open(&db.url, SecretKey::generate())
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 9, 8, 0, 0).unwrap(),
    ));
    let shared = Arc::new(store.clone());
    let state = AppState::new(shared.clone(), shared, None)
        .with_web(config, clock.clone())
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = router(state, None);
    if peer_addresses {
        let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await });
    } else {
        tokio::spawn(serve(listener, app, std::future::pending()));
    }
    App {
        url,
        clock,
        store,
        _db: db,
    }
}

fn test_config() -> WebConfig {
    WebConfig {
        secure_cookies: false,
        password: PasswordParams::insecure_fast(),
        ..WebConfig::default()
    }
}

async fn start() -> App {
    start_with(test_config()).await
}

/// A browser: keeps cookies, shows redirects instead of following them.
fn browser() -> Client {
    browser_at("127.0.0.1")
}

/// A browser on another loopback address.
fn browser_at(ip: &str) -> Client {
    Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn read(response: reqwest::Response) -> Page {
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

impl App {
    async fn get(&self, client: &Client, path: &str) -> Page {
        read(
            client
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn post(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Page {
        read(
            client
                .post(format!("{}{path}", self.url))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Runs first-run setup in `client`, which ends up signed in as admin.
    async fn setup(&self, client: &Client) -> Page {
        let csrf = self.get(client, "/setup").await.csrf();
        let done = self
            .post(
                client,
                "/setup",
                &[
                    ("csrf_token", &csrf),
                    ("username", "Root"),
                    ("display_name", "Rita Admin"),
                    ("password", ADMIN_PW),
                    ("password_confirm", ADMIN_PW),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location(), "/");
        done
    }

    async fn login(&self, client: &Client, username: &str, password: &str) -> Page {
        let csrf = self.get(client, "/login").await.csrf();
        self.post(
            client,
            "/login",
            &[
                ("csrf_token", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Setup, then an agent made by the admin; returns both browsers.
    async fn admin_and_agent(&self, agent_display: &str) -> (Client, Client) {
        let admin = browser();
        self.setup(&admin).await;
        let csrf = self.get(&admin, "/admin/accounts").await.csrf();
        let made = self
            .post(
                &admin,
                "/admin/accounts",
                &[
                    ("csrf_token", &csrf),
                    ("username", "agent1"),
                    ("display_name", agent_display),
                    ("role", "agent"),
                    ("extension", "1001"),
                    ("password", AGENT_PW),
                    ("password_confirm", AGENT_PW),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let agent = browser();
        assert_eq!(
            self.login(&agent, "agent1", AGENT_PW).await.status,
            StatusCode::SEE_OTHER
        );
        (admin, agent)
    }
}
