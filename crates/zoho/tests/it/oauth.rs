//! OAuth over HTTP: exchange, shared refresh, INVALID_TOKEN handling, revocation.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use ringbridge_zoho::oauth::{ConnectionState, TokenManager, TokenSet, parse_redirect};
use ringbridge_zoho::{ErrorCode, OAuthError, ZohoConnection, ZohoError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::fake::{self, Fake};

const ORG: &str = r#"{"org":[{"id":"1","company_name":"Zylker","time_zone":"Europe/Berlin","license_details":{"paid":true,"paid_type":"professional","users_license_purchased":10}}]}"#;

#[tokio::test]
async fn consent_to_first_api_call() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    let tokens = conn.tokens().token_set();
    assert_eq!(
        tokens.api_domain.host_str(),
        z.url.host_str(),
        "api_domain comes from the token answer"
    );
    assert_eq!(tokens.location.as_deref(), Some("eu"));
    assert_eq!(
        tokens.scopes,
        vec!["ZohoCRM.modules.ALL", "ZohoCRM.users.READ"]
    );
    let exchange = &z.seen()[0];
    let form = exchange.form();
    for (k, v) in [
        ("grant_type", "authorization_code"),
        ("code", fake::GRANT),
        ("redirect_uri", "https://rb.example.com/zoho/callback"),
    ] {
        assert!(
            form.contains(&(k.to_owned(), v.to_owned())),
            "{k} missing in {form:?}"
        );
    }

    z.script("GET", "/crm/v8/org", 200, ORG);
    let org = conn.rest().org().await.expect("org");
    assert_eq!(org.tz().expect("tz"), chrono_tz::Europe::Berlin);
    assert_eq!(org.edition(), ringbridge_zoho::Edition::Professional);
    let call = &z.api_seen()[0];
    let auth = call
        .headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .expect("auth");
    assert_eq!(
        auth,
        format!("Zoho-oauthtoken {}", tokens.access_token.expose_secret())
    );
    assert_eq!(conn.state(), ConnectionState::Connected);
    assert!(
        !format!("{tokens:?}").contains(tokens.access_token.expose_secret()),
        "Debug hides secrets"
    );
}

#[tokio::test]
async fn bad_grant_and_forged_accounts_server() {
    let z = Fake::start().await;
    let client = fake::oauth_client(&z, fake::clock());
    let r = parse_redirect(&format!("state=s&code=used-code&accounts-server={}", z.url))
        .expect("redirect");
    let e = client.exchange_code(&r).await.expect_err("invalid code");
    assert!(
        matches!(e, ZohoError::OAuth(OAuthError::InvalidCode)),
        "{e:?}"
    );

    let before = z.seen().len();
    let r = parse_redirect("state=s&code=c&accounts-server=https%3A%2F%2Fevil.example")
        .expect("redirect");
    let e = client.exchange_code(&r).await.expect_err("untrusted");
    assert!(matches!(
        e,
        ZohoError::OAuth(OAuthError::UnknownAccountsServer(_))
    ));
    assert_eq!(
        z.seen().len(),
        before,
        "the client secret never left for an unknown host"
    );
}

#[tokio::test]
async fn refreshes_once_before_expiry_for_concurrent_callers() {
    let z = Fake::start().await;
    let (conn, clock) = fake::connect(&z).await;
    for _ in 0..3 {
        z.script("GET", "/crm/v8/org", 200, ORG);
    }
    conn.rest().org().await.expect("org");
    assert_eq!(z.refreshes(), 0, "fresh token is reused");

    // 56 minutes later the token is inside the 5-minute margin.
    clock.advance(chrono::Duration::minutes(56));
    for _ in 0..20 {
        z.script("GET", "/crm/v8/org", 200, ORG);
    }
    let rest = conn.rest();
    let calls = (0..20).map(|_| {
        let r = rest.clone();
        tokio::spawn(async move { r.org().await })
    });
    for c in calls {
        c.await.expect("join").expect("org");
    }
    assert_eq!(z.refreshes(), 1, "concurrent callers wait for one refresh");
    assert_eq!(conn.tokens().refresh_count(), 1);
}

#[tokio::test]
async fn invalid_token_refreshes_once_and_resends_once() {
    let z = Fake::start().await;
    let (conn, _) = fake::connect(&z).await;
    z.expire_access_tokens();
    z.script("GET", "/crm/v8/org", 200, ORG);
    conn.rest().org().await.expect("refreshed and re-sent");
    assert_eq!(z.refreshes(), 1);
    assert_eq!(z.api_seen().len(), 2, "one rejected call, one re-send");

    // A 401 INVALID_TOKEN that persists after the refresh is returned, not looped on.
    z.script("GET", "/crm/v8/org", 401, json!({"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}).to_string());
    z.script("GET", "/crm/v8/org", 401, json!({"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}).to_string());
    let e = conn.rest().org().await.expect_err("still invalid");
    assert_eq!(e.code(), Some(&ErrorCode::InvalidToken));
    assert_eq!(z.refreshes(), 2);
    assert_eq!(z.api_seen().len(), 4);
}

#[tokio::test]
async fn revoked_refresh_token_needs_reconnect() {
    let z = Fake::start().await;
    let (conn, clock) = fake::connect(&z).await;
    let mut state = conn.subscribe_state();
    z.revoke_refresh_token();
    clock.advance(chrono::Duration::minutes(59));
    let e = conn.rest().org().await.expect_err("revoked");
    assert!(matches!(e, ZohoError::ReconnectNeeded { .. }), "{e:?}");
    assert!(e.needs_reconnect() && !e.is_retryable());
    state.changed().await.expect("state change");
    assert!(matches!(
        &*state.borrow(),
        ConnectionState::ReconnectNeeded { .. }
    ));

    // Later calls fail fast without hitting Zoho.
    let seen = z.seen().len();
    assert!(matches!(
        conn.rest().org().await,
        Err(ZohoError::ReconnectNeeded { .. })
    ));
    assert_eq!(z.seen().len(), seen);
}

/// A token-endpoint error we do not know is passing trouble: retried later,
/// never "reconnect needed" (that is for invalid_code / invalid_client only).
#[tokio::test]
async fn an_unknown_token_error_is_retried_not_a_reconnect() {
    let z = Fake::start().await;
    let (conn, clock) = fake::connect(&z).await;
    clock.advance(chrono::Duration::minutes(59));
    z.script(
        "POST",
        "/oauth/v2/token",
        200,
        r#"{"error":"general_error"}"#,
    );
    z.script("GET", "/crm/v8/org", 200, ORG);
    let e = conn.rest().org().await.expect_err("token error");
    assert!(
        matches!(&e, ZohoError::OAuth(OAuthError::Other(s)) if s == "general_error"),
        "{e:?}"
    );
    assert!(e.is_retryable() && !e.needs_reconnect());
    assert_eq!(conn.state(), ConnectionState::Connected);
    // The engine's view: the CRM is unavailable for now, not disconnected.
    assert!(matches!(
        ringbridge_zoho::crm::crm_error(e),
        ringbridge_core::crm::CrmError::Unavailable(_)
    ));
    conn.rest().org().await.expect("the next refresh works");
    assert_eq!(conn.state(), ConnectionState::Connected);
    assert_eq!(z.refreshes(), 1);
}

#[tokio::test]
async fn revoke_and_reconnect_from_stored_tokens() {
    let z = Fake::start().await;
    let clock = fake::clock();
    let (conn, _) = fake::connect(&z).await;
    let stored = conn.tokens().token_set();

    // A restart: only the refresh token was stored; the first call refreshes.
    let refreshed = Arc::new(AtomicU32::new(0));
    let hook = Arc::clone(&refreshed);
    let manager = TokenManager::new(
        fake::oauth_client(&z, clock.clone()),
        TokenSet::from_refresh_token(
            SecretString::from(stored.refresh_token.expose_secret().to_owned()),
            stored.api_domain.clone(),
            stored.accounts_server.clone(),
        ),
    )
    .on_refresh(move |t| {
        assert!(!t.access_token.expose_secret().is_empty());
        hook.fetch_add(1, Ordering::Relaxed);
    });
    let restarted = ZohoConnection::with_token_manager(
        fake::oauth_client(&z, clock),
        Arc::new(manager),
        fake::fast_options(),
    );
    z.script("GET", "/crm/v8/org", 200, ORG);
    restarted.rest().org().await.expect("org after restart");
    assert_eq!(refreshed.load(Ordering::Relaxed), 1, "persist hook called");

    restarted.tokens().revoke().await.expect("revoke");
    let revoke = z
        .seen()
        .into_iter()
        .find(|s| s.path == "/oauth/v2/token/revoke")
        .expect("revoke call");
    assert!(
        revoke.form().iter().any(|(k, _)| k == "token"),
        "token in the form body"
    );
    assert!(revoke.query.is_empty(), "token not in the URL");
    assert!(matches!(
        restarted.state(),
        ConnectionState::ReconnectNeeded { .. }
    ));
    assert!(matches!(
        restarted.rest().org().await,
        Err(ZohoError::ReconnectNeeded { .. })
    ));

    // The admin authorizes again: new tokens make the connection usable.
    restarted.tokens().replace_tokens(stored);
    assert_eq!(restarted.state(), ConnectionState::Connected);
}
