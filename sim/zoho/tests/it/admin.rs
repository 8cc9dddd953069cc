//! The `/_sim/` admin endpoints: request log, counts and credits, faults, tokens; guarded by
//! an admin token or, without one, answered for loopback clients.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use ringbridge_sim_zoho::{Module, SimConfig};
use serde_json::{Value, json};

use crate::{ALL, H, R, assert_error};

impl H {
    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> R {
        let mut req = self.http.request(method, self.api(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.send(req).await
    }

    async fn add_fault(&self, body: Value) -> R {
        self.admin(Method::POST, "/_sim/faults", Some(body)).await
    }
}

#[tokio::test]
async fn the_request_log_counts_and_credits_are_readable_and_clearable() {
    let h = H::new().await;
    assert_eq!(
        h.get("/crm/v8/Contacts?fields=Last_Name").await.status,
        StatusCode::OK
    );
    assert_eq!(h.get("/crm/v8/org").await.status, StatusCode::OK);

    let r = h.admin(Method::GET, "/_sim/requests", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.body["requests"].as_array().expect("requests");
    assert_eq!(list.len(), 2, "admin calls are not logged: {}", r.text);
    assert_eq!(list[0]["method"], "GET");
    assert_eq!(list[0]["path"], "/crm/v8/Contacts");
    assert_eq!(list[0]["query"], "fields=Last_Name");
    assert_eq!(list[0]["listener"], "api");
    let r = h.admin(Method::GET, "/_sim/requests?since=1", None).await;
    let newer = r.body["requests"].as_array().expect("requests");
    assert_eq!(newer.len(), 1);
    assert_eq!(newer[0]["n"], 1);
    assert_eq!(newer[0]["path"], "/crm/v8/org");
    let r = h.admin(Method::GET, "/_sim/requests?since=x", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = h.admin(Method::GET, "/_sim/counts", None).await;
    assert_eq!(r.body["requests"]["GET /crm/v8/Contacts"], 1);
    assert_eq!(r.body["requests"]["GET /crm/v8/org"], 1);
    assert_eq!(r.body["credits"]["used"], 2);
    assert_eq!(r.body["credits"]["limit"], h.sim.credits_limit());

    let r = h.admin(Method::DELETE, "/_sim/requests", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = h.admin(Method::GET, "/_sim/counts", None).await;
    assert_eq!(r.body["requests"], json!({}));
    assert!(h.sim.requests().is_empty());
}

#[tokio::test]
async fn faults_are_injected_counted_and_cleared_over_http() {
    let h = H::with(SimConfig {
        hang_duration: Duration::from_secs(5),
        ..SimConfig::default()
    })
    .await;
    let r = h
        .add_fault(json!({"kind": "too-many-requests", "next": 1}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_error(&h.get("/crm/v8/org").await, 429, "TOO_MANY_REQUESTS");
    assert_eq!(h.get("/crm/v8/org").await.status, StatusCode::OK);

    h.add_fault(json!({"kind": "internal-error:100", "path_prefix": "/crm/v8/users"}))
        .await;
    assert_error(&h.get("/crm/v8/users").await, 500, "INTERNAL_ERROR");
    assert_eq!(h.get("/crm/v8/org").await.status, StatusCode::OK);
    let r = h.admin(Method::DELETE, "/_sim/faults", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(h.get("/crm/v8/users").await.status, StatusCode::OK);

    h.add_fault(json!({"kind": "hang", "next": 1})).await;
    let err = h
        .req(Method::GET, "/crm/v8/org")
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("the request hangs");
    assert!(err.is_timeout());

    // Apply-then-drop: the insert happens, its answer never arrives.
    h.add_fault(json!({"kind": "apply-then-drop", "method": "POST", "next": 1}))
        .await;
    let before = h.sim.records(Module::Leads).len();
    let sent = h
        .req(Method::POST, "/crm/v8/Leads")
        .json(&json!({"data": [{"Last_Name": "Dropped", "Company": "X"}]}))
        .send()
        .await;
    let lost = match sent {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(lost, "the answer is lost");
    assert_eq!(h.sim.records(Module::Leads).len(), before + 1, "but stored");

    let r = h.admin(Method::GET, "/_sim/counts", None).await;
    let injected = &r.body["faults_injected"];
    assert_eq!(injected["too_many_requests"], 1);
    assert_eq!(injected["internal_error"], 1);
    assert_eq!(injected["hang"], 1);
    assert_eq!(injected["apply_then_drop"], 1);

    for bad in [
        json!({"kind": "explode"}),
        json!({"kind": "hang", "listener": "moon"}),
        json!({"kind": "hang", "colour": "red"}),
    ] {
        let r = h.add_fault(bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
}

#[tokio::test]
async fn revoking_tokens_over_http_locks_the_client_out() {
    let h = H::new().await;
    let john = h
        .sim
        .issue_tokens_for("john@zylker.example", ALL)
        .expect("john");
    let jane = h.sim.issue_tokens(ALL);
    let r = h
        .add_fault(json!({"kind": "revoke-tokens", "email": "john@zylker.example"}))
        .await;
    assert_eq!(r.body["revoked_refresh_tokens"], 1, "{}", r.text);
    let r = h
        .send(h.req_as(&john.access_token, Method::GET, "/crm/v8/org"))
        .await;
    assert_error(&r, 401, "INVALID_TOKEN");
    let r = h
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("client_id", h.sim.client_id()),
            ("client_secret", h.sim.client_secret()),
            ("refresh_token", &john.refresh_token),
        ])
        .await;
    assert_eq!(r.body["error"], "invalid_code", "{}", r.text);
    let r = h
        .send(h.req_as(&jane.access_token, Method::GET, "/crm/v8/org"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "other users keep their grant");

    h.add_fault(json!({"kind": "expire-tokens"})).await;
    let r = h
        .send(h.req_as(&jane.access_token, Method::GET, "/crm/v8/org"))
        .await;
    assert_error(&r, 401, "INVALID_TOKEN");
    h.add_fault(json!({"kind": "revoke-tokens"})).await;
    assert_eq!(h.sim.refresh_token_count(), 0);
}

#[tokio::test]
async fn tokens_are_minted_for_a_named_user() {
    let h = H::new().await;
    let r = h
        .admin(
            Method::POST,
            "/_sim/tokens",
            Some(json!({"email": "john@zylker.example", "scopes": ["ZohoCRM.users.READ"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = r.body["access_token"].as_str().expect("token");
    let me = h
        .send(h.req_as(token, Method::GET, "/crm/v8/users?type=CurrentUser"))
        .await;
    assert_eq!(me.body["users"][0]["email"], "john@zylker.example");
    let r = h
        .admin(
            Method::POST,
            "/_sim/tokens",
            Some(json!({"email": "old@zylker.example", "scopes": ["ZohoCRM.users.READ"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "inactive users cannot");
}

#[tokio::test]
async fn with_an_admin_token_every_admin_call_needs_it() {
    let h = H::with(SimConfig {
        admin_token: Some("s3cret-admin".into()),
        ..SimConfig::default()
    })
    .await;
    let url = h.api("/_sim/counts");
    for auth in [None, Some("Bearer wrong"), Some("s3cret-admin")] {
        let mut req = h.http.get(&url);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let r = h.send(req).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{auth:?}");
    }
    let r = h
        .send(
            h.http
                .post(h.api("/_sim/faults"))
                .json(&json!({"kind": "revoke-tokens"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(h.sim.refresh_token_count() > 0, "nothing was revoked");
    let r = h
        .send(
            h.http
                .get(&url)
                .header("Authorization", "Bearer s3cret-admin"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The record view stays open: it is the target of screen pops.
    let r = h.send(h.http.get(h.api("/_sim/"))).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn layout_mandatory_and_unique_fields_are_set_over_http() {
    let h = H::new().await;
    let r = h
        .admin(
            Method::POST,
            "/_sim/layout",
            Some(json!({"module": "Leads", "mandatory": ["Email"], "unique": ["Phone"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = h
        .post_json(
            "/crm/v8/Leads",
            &json!({"data": [{"Last_Name": "X", "Company": "Y"}]}),
        )
        .await;
    assert_eq!(
        r.body["data"][0]["code"], "MANDATORY_NOT_FOUND",
        "{}",
        r.text
    );
    assert_eq!(r.body["data"][0]["details"]["api_name"], "Email");
    let r = h
        .post_json(
            "/crm/v8/Leads",
            &json!({"data": [{"Last_Name": "X", "Company": "Y", "Email": "x@y.example", "Phone": "+14155550199"}]}),
        )
        .await;
    assert_eq!(r.body["data"][0]["code"], "DUPLICATE_DATA", "{}", r.text);
    for bad in [
        json!({"module": "Events", "unique": ["Subject"]}),
        json!({"module": "Leads", "unique": ["Shoe_Size"]}),
    ] {
        let r = h.admin(Method::POST, "/_sim/layout", Some(bad)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
}
