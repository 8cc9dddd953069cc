//! First-run setup, signing in and out, throttling, session expiry.

use chrono::Duration;
use ringbridge_core::accounts::AccountStore;
use ringbridge_web::auth::WebConfig;

use super::*;

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
async fn five_failures_make_the_username_wait_longer_after_each_further_one() {
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
    assert_eq!(locked.header("retry-after"), "60");
    assert!(
        locked
            .body
            .contains("Try again in \u{2068}1\u{2069} minutes"),
        "{}",
        locked.body
    );
    // Another username is not locked.
    assert_eq!(
        app.login(&b, "someone", "guess guess guess").await.status,
        StatusCode::UNAUTHORIZED
    );
    // One more wrong guess after the minute: two minutes' wait.
    app.clock.advance(Duration::minutes(1));
    assert_eq!(
        app.login(&b, "root", "guess guess guess").await.status,
        StatusCode::UNAUTHORIZED
    );
    let locked = app.login(&b, "root", ADMIN_PW).await;
    assert_eq!(locked.header("retry-after"), "120");
    app.clock.advance(Duration::minutes(2));
    assert_eq!(
        app.login(&b, "root", ADMIN_PW).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_throttle_counts_per_address_when_the_server_knows_it() {
    let app = start_serving(test_config(), true).await;
    app.setup(&browser()).await;
    let here = browser_at("127.0.0.1");
    for _ in 0..5 {
        assert_eq!(
            app.login(&here, "root", "guess guess guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login(&here, "root", ADMIN_PW).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The admin at another desk is not locked out by the guesser.
    let elsewhere = browser_at("127.0.0.2");
    assert_eq!(
        app.login(&elsewhere, "root", ADMIN_PW).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.login(&here, "root", ADMIN_PW).await.status,
        StatusCode::TOO_MANY_REQUESTS
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
async fn agents_land_on_their_panel_and_a_page_asked_for_wins() {
    let app = start().await;
    app.admin_and_agent("Ana").await;
    let agent = browser();
    let signed = app.login(&agent, "agent1", AGENT_PW).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        signed.location(),
        "/panel",
        "an agent's sign-in lands on the panel"
    );
    // This server has no console: an administrator lands at home.
    let again = browser();
    let admin_signed = app.login(&again, "root", ADMIN_PW).await;
    assert_eq!(admin_signed.location(), "/");
    // A page the agent was sent from is where the sign-in returns.
    let asked = browser();
    let csrf = app.get(&asked, "/login").await.csrf();
    let back = app
        .post(
            &asked,
            "/login",
            &[
                ("csrf_token", &csrf),
                ("username", "agent1"),
                ("password", AGENT_PW),
                ("next", "/?lang=zh-CN"),
            ],
        )
        .await;
    assert_eq!(back.location(), "/?lang=zh-CN");
}
