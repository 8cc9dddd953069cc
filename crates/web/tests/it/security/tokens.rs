//! Issue 12, API tokens: a token does only what its scopes allow (403
//! otherwise), stops at its expiry (401), records when it was last used,
//! and an admin sees and revokes any account's tokens in the console.

use std::sync::Arc;

use chrono::{Duration, Utc};
use reqwest::{Client, StatusCode};
use ringbridge_core::accounts::{AccountStore, ApiScope, Username};
use ringbridge_web::AppState;
use ringbridge_web::auth::api_tokens::{self, TokenGrant};
use ringbridge_web::auth::{ManualClock, WebConfig};

use crate::console::{App, start};

/// Makes a token on the agent's home page with `form`; its secret.
async fn make_token(app: &App, agent: &Client, form: &[(&str, &str)]) -> String {
    let made = app.submit(agent, "/", "/tokens", form).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let from = made.body.find("<code class=\"secret\">").unwrap() + 21;
    made.body[from..].split('<').next().unwrap().to_owned()
}

async fn call(app: &App, method: reqwest::Method, path: &str, token: &str) -> StatusCode {
    Client::new()
        .request(method, format!("{}{path}", app.url))
        .bearer_auth(token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_token_does_only_what_its_scopes_allow() {
    let app = start().await;
    let admin = app.admin().await;
    let agent = app.agent(&admin).await;
    // The form's defaults: what the browser extension needs.
    let extension = make_token(&app, &agent, &[("name", "Chrome")]).await;
    let home = app.get(&agent, "/").await;
    assert!(home.body.contains("dial calls:read"), "{}", home.body);
    let expiry = (Utc::now() + Duration::days(90))
        .format("%Y-%m-%d")
        .to_string();
    assert!(home.body.contains(&expiry), "90-day expiry not shown");

    use reqwest::Method;
    // Beyond its scopes: 403, before any CRM credit is spent.
    for (method, path) in [
        (Method::GET, "/api/lookup?number=%2B15550100"),
        (Method::POST, "/api/records"),
        (Method::PUT, "/api/panel/settings"),
    ] {
        assert_eq!(
            call(&app, method.clone(), path, &extension).await,
            StatusCode::FORBIDDEN,
            "{method} {path}"
        );
    }
    // Within them: past the scope check (no engine here: 503, not 403).
    assert_eq!(
        call(&app, Method::GET, "/api/panel/settings", &extension).await,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, Method::GET, "/api/calls/recent", &extension).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // The same agent's browser session may do all of it.
    let session = app.get(&agent, "/api/lookup?number=%2B15550100").await;
    assert_eq!(session.status, StatusCode::SERVICE_UNAVAILABLE);

    // A token granted lookups may look up, and only that.
    let lookups = make_token(
        &app,
        &agent,
        &[
            ("name", "Lookups"),
            ("scope_records_read", "1"),
            ("days", "7"),
        ],
    )
    .await;
    assert_eq!(
        call(
            &app,
            Method::GET,
            "/api/lookup?number=%2B15550100",
            &lookups
        )
        .await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        call(&app, Method::POST, "/api/dial", &lookups).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_expired_token_is_refused_and_the_admin_revokes_any_token() {
    let app = start().await;
    let admin = app.admin().await;
    let agent = app.agent(&admin).await;
    let ana = app
        .store
        .credentials(&Username::parse("ana").unwrap())
        .await
        .unwrap()
        .unwrap()
        .account;
    // Issued 91 days ago for 90 days.
    let shared = Arc::new(app.store.clone());
    let now = AppState::new(shared.clone(), shared.clone(), None);
    let past = AppState::new(shared.clone(), shared, None)
        .with_web(
            WebConfig::default(),
            Arc::new(ManualClock::new(Utc::now() - Duration::days(91))),
        )
        .unwrap();
    let grant = TokenGrant {
        scopes: ApiScope::ALL.to_vec(),
        days: 90,
    };
    let (_, expired) = api_tokens::issue_with(&past, ana.id, "old", &grant)
        .await
        .unwrap();
    assert_eq!(
        call(&app, reqwest::Method::GET, "/api/me", &expired).await,
        StatusCode::UNAUTHORIZED
    );

    let (_, live) = api_tokens::issue(&now, ana.id, "Front desk").await.unwrap();
    assert_eq!(
        call(&app, reqwest::Method::GET, "/api/me", &live).await,
        StatusCode::OK
    );
    // The use is recorded, and the admin sees it with the scopes and expiry.
    let tokens = app.store.api_tokens(ana.id).await.unwrap();
    let front = tokens.iter().find(|t| t.name == "Front desk").unwrap();
    assert!(front.last_used_at.is_some());
    let page = app
        .get(&admin, &format!("/admin/accounts/{}", ana.id.0))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("{}…", front.prefix)),
        "{}",
        page.body
    );
    assert!(page.body.contains("dial calls:read"), "{}", page.body);
    // An agent cannot open it.
    let agent_view = app
        .get(&agent, &format!("/admin/accounts/{}", ana.id.0))
        .await;
    assert_eq!(agent_view.status, StatusCode::FORBIDDEN);

    let revoked = app
        .submit(
            &admin,
            &format!("/admin/accounts/{}", ana.id.0),
            &format!("/admin/accounts/{}/tokens/{}/revoke", ana.id.0, front.id.0),
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(
        call(&app, reqwest::Method::GET, "/api/me", &live).await,
        StatusCode::UNAUTHORIZED
    );
}
