//! Issue 12 ("Hardening"), the HTTP and account half: each attack named
//! there, replayed against a real socket.

mod crm_rate;
mod dashboard;
mod limits;
mod login_flood;
mod note_csrf;
mod offboard;
mod password_reset;
mod proxy;
mod rate;
mod recording_links;
mod sessions;
mod tls;
mod tokens;
mod webhook_replay;

use std::sync::Arc;

use axum::Router;
use ringbridge_store::testing::TestDatabase;
use ringbridge_web::auth::{PasswordParams, SystemClock, WebConfig};
use ringbridge_web::server::ServerLimits;
use ringbridge_web::{AppState, router};

/// Timeouts short enough to watch them act.
fn short_limits() -> ServerLimits {
    ServerLimits {
        header_read_timeout_secs: 1,
        body_read_timeout_secs: 1,
        ..ServerLimits::default()
    }
}

fn fast_config() -> WebConfig {
    WebConfig {
        secure_cookies: false,
        password: PasswordParams::insecure_fast(),
        ..WebConfig::default()
    }
}

/// The product's router on a fresh SQLite database.
async fn open_app() -> (Router, TestDatabase) {
    open_app_with(fast_config()).await
}

async fn open_app_with(config: WebConfig) -> (Router, TestDatabase) {
    let (store, db) = super::open().await;
    let shared = Arc::new(store);
    let state = AppState::new(shared.clone(), shared, None)
        .with_web(config, Arc::new(SystemClock))
        .unwrap();
    (router(state, None), db)
}

/// The product on a real socket with `config`; its URL.
async fn serve_app(config: WebConfig) -> (String, TestDatabase) {
    let (app, db) = open_app_with(config).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(ringbridge_web::serve(listener, app, std::future::pending()));
    (url, db)
}

const ADMIN: &str = "admin";
const ADMIN_PW: &str = "admin password 1";

/// A browser at the site: keeps cookies, shows redirects.
#[derive(Clone)]
struct Site {
    url: String,
    client: reqwest::Client,
}

impl Site {
    fn new(url: String) -> Self {
        Self::with_headers(url, reqwest::header::HeaderMap::new())
    }

    /// A browser whose requests say they were forwarded for `client`.
    fn forwarded_for(url: &str, client: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", client.parse().unwrap());
        Self::with_headers(url.to_owned(), headers)
    }

    fn with_headers(url: String, headers: reqwest::header::HeaderMap) -> Self {
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { url, client }
    }

    /// The CSRF token of the form at `path` (and its cookie, kept).
    async fn csrf(&self, path: &str) -> String {
        let page = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let marker = "name=\"csrf_token\" value=\"";
        let from = page
            .find(marker)
            .unwrap_or_else(|| panic!("no form in {page}"))
            + marker.len();
        page[from..].split('"').next().unwrap().to_owned()
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.url))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn setup_admin(&self) {
        let csrf = self.csrf("/setup").await;
        let done = self
            .post_form(
                "/setup",
                &[
                    ("username", ADMIN),
                    ("display_name", "Admin"),
                    ("password", ADMIN_PW),
                    ("password_confirm", ADMIN_PW),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(done.status(), reqwest::StatusCode::SEE_OTHER);
    }

    async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf("/login").await;
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf_token", &csrf),
            ],
        )
        .await
    }
}
