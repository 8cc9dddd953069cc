//! Sign-in, sessions, CSRF, roles, API tokens, languages and security
//! headers, driven like a browser (a cookie store, no automatic redirects)
//! over a real socket.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use ringbridge_core::accounts::{AccountStore, Username};
use ringbridge_store::testing::{TestDatabase, fresh_sqlite};
use ringbridge_store::{SecretKey, SqlStore};
use ringbridge_web::auth::{ManualClock, PasswordParams, WebConfig};
use ringbridge_web::{AppState, router, serve};

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
    let db = fresh_sqlite();
    let store = SqlStore::open(
        &db.url,
        SecretKey::from_base64(&SecretKey::generate_base64()).unwrap(),
    )
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
    tokio::spawn(serve(listener, router(state, None), std::future::pending()));
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
    Client::builder()
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

#[tokio::test]
async fn first_run_setup_creates_the_admin_then_closes() {
    let app = start().await;
    let b = browser();
    assert_eq!(app.get(&b, "/").await.location(), "/login");
    assert_eq!(app.get(&b, "/login").await.location(), "/setup");
    let form = app.get(&b, "/setup").await;
    assert_eq!(form.status, StatusCode::OK);
    // Problems are reported together, and nothing is created.
    let bad = app
        .post(
            &b,
            "/setup",
            &[
                ("csrf_token", &form.csrf()),
                ("username", "bad name"),
                ("display_name", "Rita"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("at least 12 characters"), "{}", bad.body);
    assert!(bad.body.contains("letters a–z"), "{}", bad.body);
    assert!(!app.store.has_admin().await.unwrap());

    app.setup(&b).await;
    let home = app.get(&b, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body
            .contains("Signed in as \u{2068}Rita Admin\u{2069}"),
        "{}",
        home.body
    );
    assert!(home.body.contains("Administrator"));

    // Setup is closed, signed in or not.
    assert_eq!(app.get(&b, "/setup").await.location(), "/login");
    let again = app
        .post(
            &b,
            "/setup",
            &[
                ("csrf_token", &home.csrf()),
                ("username", "intruder"),
                ("display_name", "I"),
                ("password", ADMIN_PW),
                ("password_confirm", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let stranger = browser();
    assert_eq!(app.get(&stranger, "/setup").await.location(), "/login");
    assert_eq!(app.store.accounts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn login_refuses_wrong_credentials_and_returns_where_you_were() {
    let app = start().await;
    app.setup(&browser()).await;
    let b = browser();
    let wrong = app.login(&b, "root", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Wrong username or password."));
    assert!(wrong.body.contains("value=\"root\""), "username kept");
    let unknown = app.login(&b, "nobody", ADMIN_PW).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&b, "/").await.location(), "/login");

    // A page asked for before signing in is where sign-in leads.
    let asked = app.get(&b, "/admin/accounts?lang=en").await;
    assert_eq!(
        asked.location(),
        "/login?next=%2Fadmin%2Faccounts%3Flang%3Den"
    );
    let form = app.get(&b, asked.location()).await;
    assert!(
        form.body.contains("value=\"/admin/accounts?lang=en\""),
        "{}",
        form.body
    );
    let csrf = form.csrf();
    let ok = app
        .post(
            &b,
            "/login",
            &[
                ("csrf_token", &csrf),
                ("username", "ROOT"),
                ("password", ADMIN_PW),
                ("next", "/admin/accounts?lang=en"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/admin/accounts?lang=en");
    let session = ok.cookies().concat();
    for attr in ["rb_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attr), "{attr} in {session}");
    }
    assert_eq!(app.get(&b, "/").await.status, StatusCode::OK);

    // Never to another site.
    let other = browser();
    let csrf = app.get(&other, "/login").await.csrf();
    let off_site = app
        .post(
            &other,
            "/login",
            &[
                ("csrf_token", &csrf),
                ("username", "root"),
                ("password", ADMIN_PW),
                ("next", "//evil.test/"),
            ],
        )
        .await;
    assert_eq!(off_site.location(), "/");
}

#[tokio::test]
async fn five_failures_throttle_the_username_for_fifteen_minutes() {
    let app = start().await;
    app.setup(&browser()).await;
    let b = browser();
    for _ in 0..5 {
        assert_eq!(
            app.login(&b, "root", "guess guess guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused now, without being checked.
    let locked = app.login(&b, "root", ADMIN_PW).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.header("retry-after"), "900");
    assert!(
        locked
            .body
            .contains("Try again in \u{2068}15\u{2069} minutes"),
        "{}",
        locked.body
    );
    // Another username is not locked.
    assert_eq!(
        app.login(&b, "someone", "guess guess guess").await.status,
        StatusCode::UNAUTHORIZED
    );

    app.clock.advance(Duration::minutes(14));
    assert_eq!(
        app.login(&b, "root", ADMIN_PW).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.clock.advance(Duration::minutes(1));
    assert_eq!(
        app.login(&b, "root", ADMIN_PW).await.status,
        StatusCode::SEE_OTHER
    );
}

fn session_token(page: &Page) -> String {
    between(&page.cookies().concat(), "rb_session=", ";")
}

/// Whether a bare `rb_session` cookie opens the home page.
async fn session_works(app: &App, token: &str) -> bool {
    let plain = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = plain
        .get(format!("{}/", app.url))
        .header("cookie", format!("rb_session={token}"))
        .send()
        .await
        .unwrap();
    page.status() == StatusCode::OK
}

#[tokio::test]
async fn signing_in_replaces_the_session_and_logout_ends_it_on_the_server() {
    let app = start().await;
    let b = browser();
    let first = session_token(&app.setup(&b).await);
    assert!(session_works(&app, &first).await);

    // Signing in again (even over a live session) issues a new token and
    // ends the old one: a token planted before sign-in is worthless.
    let csrf = app.get(&b, "/").await.csrf();
    let again = app
        .post(
            &b,
            "/login",
            &[
                ("csrf_token", &csrf),
                ("username", "root"),
                ("password", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let second = session_token(&again);
    assert_ne!(first, second);
    assert!(!session_works(&app, &first).await);
    assert!(session_works(&app, &second).await);

    let csrf = app.get(&b, "/").await.csrf();
    let out = app.post(&b, "/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login");
    assert!(out.cookies().concat().contains("rb_session=;"));
    assert_eq!(app.get(&b, "/").await.location(), "/login");
    // Replaying the old cookie does not bring the session back.
    assert!(!session_works(&app, &second).await);
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_absolute_limit() {
    let app = start_with(WebConfig {
        session_idle_minutes: 60,
        session_max_hours: 3,
        ..test_config()
    })
    .await;
    let b = browser();
    app.setup(&b).await;
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(50));
        assert_eq!(app.get(&b, "/").await.status, StatusCode::OK);
    }
    // 200 minutes after sign-in: past the 3-hour limit despite the use.
    app.clock.advance(Duration::minutes(50));
    assert_eq!(app.get(&b, "/").await.location(), "/login");

    assert_eq!(
        app.login(&b, "root", ADMIN_PW).await.status,
        StatusCode::SEE_OTHER
    );
    app.clock.advance(Duration::minutes(59));
    assert_eq!(app.get(&b, "/").await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(61));
    assert_eq!(app.get(&b, "/").await.location(), "/login");
}

#[tokio::test]
async fn state_changes_without_a_valid_csrf_token_are_refused() {
    let app = start().await;
    let (admin, agent) = app.admin_and_agent("Ana").await;
    let admin_csrf = app.get(&admin, "/").await.csrf();
    let agent_csrf = app.get(&agent, "/").await.csrf();
    assert_ne!(admin_csrf, agent_csrf, "tokens are per session");

    let missing = app.post(&agent, "/tokens", &[("name", "x")]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(
        missing.body.contains("This form has expired"),
        "{}",
        missing.body
    );
    let forged = app
        .post(&agent, "/tokens", &[("csrf_token", "AAAA"), ("name", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let someone_elses = app
        .post(
            &agent,
            "/tokens",
            &[("csrf_token", &admin_csrf), ("name", "x")],
        )
        .await;
    assert_eq!(someone_elses.status, StatusCode::FORBIDDEN);
    assert!(
        app.store
            .api_tokens(agent_id(&app).await)
            .await
            .unwrap()
            .is_empty()
    );

    // A form posted from elsewhere with no cookie at all (a forged login).
    let fresh = browser();
    let blind = app
        .post(
            &fresh,
            "/login",
            &[("username", "root"), ("password", ADMIN_PW)],
        )
        .await;
    assert_eq!(blind.status, StatusCode::FORBIDDEN);

    // htmx/fetch send the header; the API answers refusals in JSON.
    let ok = app
        .post(
            &agent,
            "/tokens",
            &[("csrf_token", &agent_csrf), ("name", "x")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let id = app.store.api_tokens(agent_id(&app).await).await.unwrap()[0]
        .id
        .0;
    let url = format!("{}/api/tokens/{id}", app.url);
    let refused = agent.delete(&url).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "csrf");
    let wrong = agent
        .delete(&url)
        .header("x-csrf-token", &admin_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let done = agent
        .delete(&url)
        .header("x-csrf-token", &agent_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
}

async fn agent_id(app: &App) -> ringbridge_core::accounts::AccountId {
    app.store
        .credentials(&Username::parse("agent1").unwrap())
        .await
        .unwrap()
        .unwrap()
        .account
        .id
}

#[tokio::test]
async fn agents_cannot_reach_admin_routes() {
    let app = start().await;
    let (admin, agent) = app.admin_and_agent("Ana").await;
    let admin_home = app.get(&admin, "/").await;
    assert!(admin_home.body.contains("href=\"/admin/accounts\""));
    let agent_home = app.get(&agent, "/").await;
    assert!(agent_home.body.contains("Agent"));
    assert!(!agent_home.body.contains("href=\"/admin/accounts\""));

    let page = app.get(&agent, "/admin/accounts").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("You are not allowed"));
    let create = app
        .post(
            &agent,
            "/admin/accounts",
            &[
                ("csrf_token", &agent_home.csrf()),
                ("username", "boss"),
                ("display_name", "Boss"),
                ("role", "admin"),
                ("password", AGENT_PW),
                ("password_confirm", AGENT_PW),
            ],
        )
        .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.accounts().await.unwrap().len(), 2);
    let list = app.get(&admin, "/admin/accounts").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("agent1") && list.body.contains("1001"));
}

#[tokio::test]
async fn bearer_tokens_open_the_api_until_revoked_or_disabled() {
    let app = start().await;
    let (_, agent) = app.admin_and_agent("Ana").await;
    let csrf = app.get(&agent, "/").await.csrf();
    let made = app
        .post(
            &agent,
            "/tokens",
            &[("csrf_token", &csrf), ("name", "Front desk")],
        )
        .await;
    let secret = between(&made.body, "<code class=\"secret\">", "<");
    assert!(secret.starts_with("rbt_") && secret.len() == 47, "{secret}");
    // Listed by its prefix only, and never shown again.
    let home = app.get(&agent, "/").await;
    assert!(home.body.contains(&format!("{}…", &secret[..12])));
    assert!(!home.body.contains(&secret));

    let api = Client::new();
    let me = |token: String| {
        api.get(format!("{}/api/me", app.url))
            .bearer_auth(token)
            .send()
    };
    let ok = me(secret.clone()).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(body["username"], "agent1");
    assert_eq!(body["role"], "agent");
    assert_eq!(body["extension"], "1001");

    let none = api.get(format!("{}/api/me", app.url)).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = none.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    assert_eq!(me(format!("{secret}x")).await.unwrap().status(), 401);
    // A token opens the API, not the pages.
    let page = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/", app.url))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);

    // Disabling the account stops its token and its session at once.
    let account = app
        .store
        .credentials(&Username::parse("agent1").unwrap())
        .await
        .unwrap()
        .unwrap()
        .account;
    let mut profile = account.profile.clone();
    profile.disabled = true;
    app.store
        .update_account(account.id, &profile, Utc::now())
        .await
        .unwrap();
    assert_eq!(me(secret.clone()).await.unwrap().status(), 401);
    assert_eq!(app.get(&agent, "/").await.location(), "/login");
    profile.disabled = false;
    app.store
        .update_account(account.id, &profile, Utc::now())
        .await
        .unwrap();
    assert_eq!(me(secret.clone()).await.unwrap().status(), 200);
    assert_eq!(app.get(&agent, "/").await.status, StatusCode::OK);

    // Revoked from the page: the token stops working.
    let id = app.store.api_tokens(account.id).await.unwrap()[0].id.0;
    let gone = app
        .post(
            &agent,
            &format!("/tokens/{id}/revoke"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(me(secret.clone()).await.unwrap().status(), 401);

    // A bearer call changes state without a CSRF token (none is needed:
    // no browser sends the header by itself).
    let again = app
        .post(
            &agent,
            "/tokens",
            &[("csrf_token", &csrf), ("name", "Laptop")],
        )
        .await;
    let second = between(&again.body, "<code class=\"secret\">", "<");
    let id = app.store.api_tokens(account.id).await.unwrap()[0].id.0;
    let revoked = api
        .delete(format!("{}/api/tokens/{id}", app.url))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(second).await.unwrap().status(), 401);
}

#[tokio::test]
async fn display_names_are_shown_escaped() {
    let app = start().await;
    let hostile = "<script>alert(1)</script>\"'&";
    let (admin, agent) = app.admin_and_agent(hostile).await;
    for page in [
        app.get(&agent, "/").await,
        app.get(&admin, "/admin/accounts").await,
    ] {
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("<script"), "{}", page.body);
        // Askama writes numeric character references.
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;"),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn pages_speak_chinese_by_browser_language_or_by_choice() {
    let app = start().await;
    app.setup(&browser()).await;
    let b = browser();
    let zh = read(
        b.get(format!("{}/login", app.url))
            .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(zh.body.contains("<html lang=\"zh-CN\">"));
    assert!(zh.body.contains("登录 ringbridge"), "{}", zh.body);
    assert!(zh.body.contains("用户名"));

    let en = app.get(&b, "/login").await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains("Sign in to ringbridge"));

    // Chosen with ?lang=, then remembered.
    let chosen = app.get(&b, "/login?lang=zh-Hans").await;
    assert!(chosen.body.contains("登录 ringbridge"));
    assert!(chosen.cookies().concat().contains("rb_lang=zh-CN"));
    let remembered = app.get(&b, "/login").await;
    assert!(remembered.body.contains("登录 ringbridge"));
    let wrong = app.login(&b, "root", "wrong password!").await;
    assert!(wrong.body.contains("用户名或密码错误。"), "{}", wrong.body);
    assert!(
        app.get(&b, "/login?lang=en")
            .await
            .body
            .contains("Sign in to ringbridge")
    );
    assert!(
        app.get(&b, "/login")
            .await
            .body
            .contains("Sign in to ringbridge")
    );

    // Signed in: the home page and the switcher.
    let s = browser();
    app.login(&s, "root", ADMIN_PW).await;
    let home = app.get(&s, "/?lang=zh").await;
    assert!(
        home.body.contains("当前用户：\u{2068}Rita Admin\u{2069}"),
        "{}",
        home.body
    );
    assert!(home.body.contains("管理员"));
    assert!(home.body.contains("href=\"?lang=en\""));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = start().await;
    let b = browser();
    app.setup(&b).await;
    let home = app.get(&b, "/").await;
    let css_path = between(&home.body, "<link rel=\"stylesheet\" href=\"", "\"");
    let anon = browser();
    let pages = [
        home,
        app.get(&anon, "/login").await,
        app.get(&anon, "/static/app.0000000000.css").await,
        app.post(&anon, "/logout", &[]).await,
    ];
    for page in &pages {
        let csp = page.header("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(page.header("x-frame-options"), "DENY");
        assert_eq!(page.header("referrer-policy"), "no-referrer");
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(page.header("cache-control"), "no-store");
        // No inline script or style anywhere: the CSP would block them.
        assert!(
            !page.body.contains("<script") && !page.body.contains("style="),
            "{}",
            page.body
        );
    }
    assert_eq!(pages[2].status, StatusCode::NOT_FOUND);
    assert_eq!(pages[3].status, StatusCode::FORBIDDEN);

    let css = app.get(&anon, &css_path).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").starts_with("text/css"));
    assert_eq!(
        css.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(css.body.contains(".card"));
}
