//! Who may do what: CSRF, roles, API tokens.

use ringbridge_core::accounts::{AccountStore, Username};

use super::*;

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
    // Names are unique, whatever their capitals.
    let csrf = app.get(&admin, "/admin/accounts").await.csrf();
    let taken = app
        .post(
            &admin,
            "/admin/accounts",
            &[
                ("csrf_token", &csrf),
                ("username", "Agent1"),
                ("display_name", "Other"),
                ("role", "agent"),
                ("password", AGENT_PW),
                ("password_confirm", AGENT_PW),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(
        taken.body.contains("That username is taken."),
        "{}",
        taken.body
    );
    assert!(taken.body.contains("value=\"Other\""), "form kept");
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

    // Without any credential, a state change on the API is 401, not 403.
    let anonymous = api
        .delete(format!("{}/api/tokens/1", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
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
