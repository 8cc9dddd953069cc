//! OAuth: code flow, single use, expiry, refresh limits, eviction, revoke, consent page,
//! header and scope checks.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use ringbridge_sim_zoho::SimConfig;

use crate::{ALL, H, assert_error};

pub(crate) const REDIRECT: &str = "http://127.0.0.1/oauth/callback";

pub(crate) fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .expect("location url")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) async fn authorize(h: &H, access_type: &str, state: &str) -> reqwest::Response {
    h.http
        .get(h.accounts("/oauth/v2/auth"))
        .query(&[
            ("scope", "ZohoCRM.modules.ALL,ZohoCRM.org.READ"),
            ("client_id", h.sim.client_id()),
            ("response_type", "code"),
            ("access_type", access_type),
            ("redirect_uri", REDIRECT),
            ("prompt", "consent"),
            ("state", state),
        ])
        .send()
        .await
        .expect("auth request")
}

pub(crate) async fn code(h: &H, access_type: &str) -> String {
    let resp = authorize(h, access_type, "xyz").await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let loc = resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(loc.starts_with(REDIRECT), "{loc}");
    let q = query_of(&loc);
    assert_eq!(q["state"], "xyz");
    assert_eq!(q["location"], "us");
    assert_eq!(q["accounts-server"], h.sim.accounts_url());
    q["code"].clone()
}

pub(crate) async fn exchange(h: &H, code: &str) -> crate::R {
    h.token_call(&[
        ("grant_type", "authorization_code"),
        ("client_id", h.sim.client_id()),
        ("client_secret", h.sim.client_secret()),
        ("redirect_uri", REDIRECT),
        ("code", code),
    ])
    .await
}

async fn refresh(h: &H, rt: &str) -> crate::R {
    h.token_call(&[
        ("grant_type", "refresh_token"),
        ("client_id", h.sim.client_id()),
        ("client_secret", h.sim.client_secret()),
        ("refresh_token", rt),
    ])
    .await
}

async fn org_status(h: &H, token: &str) -> u16 {
    h.send(h.req_as(token, Method::GET, "/crm/v8/org"))
        .await
        .status
        .as_u16()
}

#[tokio::test]
async fn code_round_trip_is_single_use() {
    let h = H::new().await;
    let c = code(&h, "offline").await;
    let r = exchange(&h, &c).await;
    assert_eq!(r.status, StatusCode::OK);
    let b = &r.body;
    assert_eq!(b["scope"], "ZohoCRM.modules.ALL ZohoCRM.org.READ");
    assert_eq!(b["api_domain"], h.sim.api_url());
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 3600);
    assert!(
        b["refresh_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("1000."))
    );
    let at = b["access_token"].as_str().expect("access token");
    assert_eq!(org_status(&h, at).await, 200);
    // A used code is dead: HTTP 200 with an error body.
    let again = exchange(&h, &c).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, serde_json::json!({"error": "invalid_code"}));
}

#[tokio::test]
async fn code_expires_after_two_minutes_and_online_has_no_refresh_token() {
    let h = H::new().await;
    let c = code(&h, "offline").await;
    h.sim.advance(Duration::from_secs(121));
    assert_eq!(exchange(&h, &c).await.body["error"], "invalid_code");
    let c = code(&h, "online").await;
    let r = exchange(&h, &c).await;
    assert!(r.body["access_token"].is_string());
    assert!(r.body.get("refresh_token").is_none());
}

#[tokio::test]
async fn token_errors() {
    let h = H::new().await;
    let c = code(&h, "offline").await;
    let bad_secret = h
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("client_id", h.sim.client_id()),
            ("client_secret", "wrong"),
            ("redirect_uri", REDIRECT),
            ("code", &c),
        ])
        .await;
    assert_eq!(bad_secret.status, StatusCode::OK);
    assert_eq!(bad_secret.body["error"], "invalid_client");
    // Query parameters are accepted as well as a form body.
    let via_query = h
        .send(h.http.post(h.accounts("/oauth/v2/token")).query(&[
            ("grant_type", "authorization_code"),
            ("client_id", h.sim.client_id()),
            ("client_secret", h.sim.client_secret()),
            ("redirect_uri", REDIRECT),
            ("code", &c),
        ]))
        .await;
    assert!(
        via_query.body["access_token"].is_string(),
        "{}",
        via_query.text
    );
    // Unregistered redirect URI: an error page, no redirect.
    let resp = h
        .http
        .get(h.accounts("/oauth/v2/auth"))
        .query(&[
            ("scope", "ZohoCRM.modules.ALL"),
            ("client_id", h.sim.client_id()),
            ("response_type", "code"),
            ("redirect_uri", "http://127.0.0.1/other"),
        ])
        .send()
        .await
        .expect("auth");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // The token endpoint lives on the accounts server only.
    let wrong_host = h
        .send(
            h.http
                .post(h.api("/oauth/v2/token"))
                .form(&[("grant_type", "refresh_token")]),
        )
        .await;
    assert_error(&wrong_host, 404, "INVALID_URL_PATTERN");
}

#[tokio::test]
async fn access_token_expires_and_refresh_works() {
    let h = H::new().await;
    let t = h.sim.issue_tokens(ALL);
    h.sim.advance(Duration::from_secs(3_601));
    let r = h
        .send(h.req_as(&t.access_token, Method::GET, "/crm/v8/org"))
        .await;
    assert_error(&r, 401, "INVALID_TOKEN");
    let fresh = refresh(&h, &t.refresh_token).await;
    assert!(fresh.body.get("refresh_token").is_none());
    let at = fresh.body["access_token"].as_str().expect("new token");
    assert_eq!(org_status(&h, at).await, 200);
}

#[tokio::test]
async fn refresh_rate_limit_and_active_token_eviction() {
    let h = H::new().await;
    let t = h.sim.issue_tokens(ALL); // first of 10 per 10 minutes
    let mut tokens = vec![t.access_token.clone()];
    for _ in 0..9 {
        let r = refresh(&h, &t.refresh_token).await;
        tokens.push(r.body["access_token"].as_str().expect("token").to_owned());
    }
    let denied = refresh(&h, &t.refresh_token).await;
    assert_eq!(denied.body["error"], "Access Denied", "{}", denied.text);
    h.sim.advance(Duration::from_secs(600));
    for _ in 0..5 {
        let r = refresh(&h, &t.refresh_token).await;
        tokens.push(r.body["access_token"].as_str().expect("token").to_owned());
    }
    // 15 active: all still work.
    assert_eq!(org_status(&h, &tokens[0]).await, 200);
    let r = refresh(&h, &t.refresh_token).await;
    assert!(r.body["access_token"].is_string());
    // The 16th evicted the oldest only.
    assert_eq!(org_status(&h, &tokens[0]).await, 401);
    assert_eq!(org_status(&h, &tokens[1]).await, 200);
}

#[tokio::test]
async fn revoke_kills_refresh_and_access_tokens() {
    let h = H::new().await;
    let t = h.sim.issue_tokens(ALL);
    let r = h
        .send(
            h.http
                .post(h.accounts("/oauth/v2/token/revoke"))
                .query(&[("token", &t.refresh_token)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, serde_json::json!({"status": "success"}));
    assert_eq!(org_status(&h, &t.access_token).await, 401);
    assert_eq!(
        refresh(&h, &t.refresh_token).await.body["error"],
        "invalid_code"
    );
    let unknown = h
        .send(
            h.http
                .post(h.accounts("/oauth/v2/token/revoke"))
                .form(&[("token", "1000.nope")]),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    // Revoke through the handle.
    let t2 = h.sim.issue_tokens(ALL);
    assert!(h.sim.revoke_refresh_token(&t2.refresh_token));
    assert_eq!(org_status(&h, &t2.access_token).await, 401);
}

#[tokio::test]
async fn consent_page_accept_and_deny() {
    let h = H::with(SimConfig {
        auto_approve: false,
        ..SimConfig::default()
    })
    .await;
    let resp = authorize(&h, "offline", "<script>x</script>").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.expect("html");
    assert!(html.contains("Accept") && html.contains("Deny"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(!html.contains("<script>x"));
    let form = |decision: &'static str| {
        vec![
            ("scope", "ZohoCRM.modules.ALL"),
            ("client_id", h.sim.client_id()),
            ("response_type", "code"),
            ("access_type", "offline"),
            ("redirect_uri", REDIRECT),
            ("state", "s1"),
            ("decision", decision),
        ]
    };
    let deny = h
        .http
        .post(h.accounts("/oauth/v2/auth/consent"))
        .form(&form("deny"))
        .send()
        .await
        .expect("deny");
    let q = query_of(deny.headers()["location"].to_str().expect("ascii"));
    assert_eq!(q["error"], "access_denied");
    assert!(!q.contains_key("code"));
    let accept = h
        .http
        .post(h.accounts("/oauth/v2/auth/consent"))
        .form(&form("accept"))
        .send()
        .await
        .expect("accept");
    let q = query_of(accept.headers()["location"].to_str().expect("ascii"));
    assert!(exchange(&h, &q["code"]).await.body["access_token"].is_string());
}

#[tokio::test]
async fn header_and_scope_checks() {
    let h = H::new().await;
    let bearer = h
        .send(h.http.get(h.api("/crm/v8/org")).bearer_auth(&h.token))
        .await;
    assert_error(&bearer, 401, "INVALID_TOKEN");
    let none = h.send(h.http.get(h.api("/crm/v8/org"))).await;
    assert_error(&none, 401, "INVALID_TOKEN");
    let users_only = h.sim.issue_tokens(&["ZohoCRM.users.READ"]).access_token;
    let r = h
        .send(h.req_as(
            &users_only,
            Method::GET,
            "/crm/v8/Contacts?fields=Last_Name",
        ))
        .await;
    assert_error(&r, 401, "OAUTH_SCOPE_MISMATCH");
    assert_eq!(
        h.send(h.req_as(&users_only, Method::GET, "/crm/v8/users"))
            .await
            .status,
        StatusCode::OK
    );
    // Search needs ZohoSearch.securesearch.READ besides the module scope.
    let contacts_only = h
        .sim
        .issue_tokens(&["ZohoCRM.modules.contacts.READ"])
        .access_token;
    let s = h
        .send(h.req_as(
            &contacts_only,
            Method::GET,
            "/crm/v8/Contacts/search?email=ana@example.com",
        ))
        .await;
    assert_error(&s, 401, "OAUTH_SCOPE_MISMATCH");
    let ok = h
        .send(h.req_as(
            &contacts_only,
            Method::GET,
            "/crm/v8/Contacts?fields=Last_Name",
        ))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let write = h
        .send(
            h.req_as(&contacts_only, Method::POST, "/crm/v8/Contacts")
                .json(&serde_json::json!({"data": [{"Last_Name": "X"}]})),
        )
        .await;
    assert_error(&write, 401, "OAUTH_SCOPE_MISMATCH");
    // COQL needs coql + module READ + settings.fields.READ.
    let coql_no_fields = h
        .sim
        .issue_tokens(&["ZohoCRM.coql.READ", "ZohoCRM.modules.contacts.READ"])
        .access_token;
    let q = serde_json::json!({"select_query": "select Last_Name from Contacts limit 1"});
    let r = h
        .send(
            h.req_as(&coql_no_fields, Method::POST, "/crm/v8/coql")
                .json(&q),
        )
        .await;
    assert_error(&r, 401, "OAUTH_SCOPE_MISMATCH");
    let coql_ok = h
        .sim
        .issue_tokens(&[
            "ZohoCRM.coql.READ",
            "ZohoCRM.modules.contacts.READ",
            "ZohoCRM.settings.fields.READ",
        ])
        .access_token;
    let r = h
        .send(h.req_as(&coql_ok, Method::POST, "/crm/v8/coql").json(&q))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Routing errors.
    assert_error(
        &h.get("/crm/v8/Nope?fields=Last_Name").await,
        400,
        "INVALID_MODULE",
    );
    assert_error(&h.get("/crm/v9/Contacts").await, 404, "INVALID_URL_PATTERN");
    let patch = h.send(h.req(Method::PATCH, "/crm/v8/org")).await;
    assert_error(&patch, 405, "INVALID_REQUEST_METHOD");
}
