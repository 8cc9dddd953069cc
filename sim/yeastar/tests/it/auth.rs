use std::net::IpAddr;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

async fn login_body(sim: &ringbridge_sim_yeastar::SimYeastar, user: &str, pass: &str) -> Value {
    raw_post(
        &sim.base_url(),
        "get_token",
        &json!({"username": user, "password": pass}),
    )
    .await
}

#[tokio::test]
async fn token_pair_shape_and_lifetimes() {
    let sim = sim().await;
    let r = login_body(&sim, sim.client_id(), sim.client_secret()).await;
    assert_eq!(r["errcode"], 0);
    assert_eq!(r["errmsg"], "SUCCESS");
    assert_eq!(r["access_token"].as_str().map(str::len), Some(32));
    assert_eq!(r["refresh_token"].as_str().map(str::len), Some(32));
    assert_eq!(r["access_token_expire_time"], 1800);
    assert_eq!(r["refresh_token_expire_time"], 86400);
}

#[tokio::test]
async fn missing_user_agent_is_access_denied() {
    let sim = sim().await;
    let api = login(&sim).await;
    let bare = reqwest::Client::new(); // sends no User-Agent
    let r: Value = bare
        .get(format!("{}/openapi/v1.0/extension/list", sim.base_url()))
        .query(&[("access_token", &api.token)])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(r, json!({"errcode": 10005, "errmsg": "ACCESS DENIED"}));
    let r: Value = bare
        .post(format!("{}/openapi/v1.0/get_token", sim.base_url()))
        .json(&json!({"username": sim.client_id(), "password": sim.client_secret()}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(r["errcode"], 10005);
}

#[tokio::test]
async fn token_only_from_query_parameter() {
    let sim = sim().await;
    let api = login(&sim).await;
    let r: Value = http()
        .get(format!("{}/openapi/v1.0/extension/list", sim.base_url()))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(r["errcode"], 10004, "Bearer header is ignored: {r}");
    assert_eq!(api.get("extension/list", &[]).await["errcode"], 0);
}

#[tokio::test]
async fn unknown_endpoints_and_wrong_verbs() {
    let sim = sim().await;
    let api = login(&sim).await;
    let r = api.get("nope/list", &[]).await;
    assert_eq!(
        r,
        json!({"errcode": 10001, "errmsg": "INTERFACE NOT EXISTED"})
    );
    assert_eq!(
        api.get_v("v2.0", "extension/list", &[]).await["errcode"],
        10001
    );
    assert_eq!(api.get_v("v2.0", "cdr/list", &[]).await["errcode"], 0);
    // A query endpoint called with POST.
    assert_eq!(
        api.post("extension/list", &json!({})).await["errcode"],
        10001
    );
}

#[tokio::test]
async fn bad_bodies_and_wrong_credentials() {
    let sim = sim().await;
    let base = sim.base_url();
    let r = raw_post(&base, "get_token", &json!({"user": "x"})).await;
    assert_eq!(r["errcode"], 40002);
    assert_eq!(r["errmsg"], "PARAMETER ERROR");
    assert_eq!(r["invalid_param_list"][0]["field"], "username", "{r}");
    let r = raw_post(&base, "get_token", &json!({"username": 5, "password": "x"})).await;
    assert_eq!(r["errcode"], 40002);
    // The vendor's example: -1 FAILURE naming the refused field, never echoing it.
    let r = login_body(&sim, sim.client_id(), "wrong").await;
    assert_eq!(r["errcode"], -1);
    assert_eq!(r["errmsg"], "FAILURE");
    assert_eq!(r["invalid_param_list"][0]["field"], "password");
    assert!(!r.to_string().contains("wrong"), "{r}");
    let r = login_body(&sim, "someone-else", sim.client_secret()).await;
    assert_eq!(r["invalid_param_list"][0]["field"], "username");
    let r = raw_post(&base, "refresh_token", &json!({})).await;
    assert_eq!(r["errcode"], 40002);
}

#[tokio::test]
async fn access_token_expires_on_the_sim_clock() {
    let sim = sim().await;
    let api = login(&sim).await;
    sim.clock().advance(Duration::from_secs(1799));
    assert_eq!(api.get("extension/list", &[]).await["errcode"], 0);
    sim.clock().advance(Duration::from_secs(1));
    let r = api.get("extension/list", &[]).await;
    assert_eq!(r, json!({"errcode": 10004, "errmsg": "TOKEN EXPIRED"}));
}

#[tokio::test]
async fn refresh_issues_new_pair_and_retires_the_old() {
    let sim = sim().await;
    let api = login(&sim).await;
    let r = raw_post(
        &sim.base_url(),
        "refresh_token",
        &json!({"refresh_token": api.refresh}),
    )
    .await;
    assert_eq!(r["errcode"], 0, "{r}");
    let new_token = r["access_token"].as_str().expect("token").to_owned();
    assert_ne!(new_token, api.token);
    assert_ne!(r["refresh_token"], json!(api.refresh));
    assert_eq!(api.get("extension/list", &[]).await["errcode"], 10004);
    let fresh = Api {
        token: new_token,
        ..login(&sim).await
    };
    assert_eq!(fresh.get("extension/list", &[]).await["errcode"], 0);
    // A used refresh token is dead.
    let r = raw_post(
        &sim.base_url(),
        "refresh_token",
        &json!({"refresh_token": api.refresh}),
    )
    .await;
    assert_eq!(r["errcode"], 10004);
}

#[tokio::test]
async fn refresh_token_expires_after_a_day() {
    let sim = sim().await;
    let api = login(&sim).await;
    sim.clock().advance(Duration::from_secs(86_400));
    let r = raw_post(
        &sim.base_url(),
        "refresh_token",
        &json!({"refresh_token": api.refresh}),
    )
    .await;
    assert_eq!(r["errcode"], 10004);
}

#[tokio::test]
async fn del_token_revokes() {
    let sim = sim().await;
    let api = login(&sim).await;
    assert_eq!(
        api.get("del_token", &[]).await,
        json!({"errcode": 0, "errmsg": "SUCCESS"})
    );
    assert_eq!(api.get("extension/list", &[]).await["errcode"], 10004);
    assert_eq!(api.get("del_token", &[]).await["errcode"], 10004);
}

#[tokio::test]
async fn at_most_eight_live_access_tokens() {
    let sim = sim().await;
    let mut apis = Vec::new();
    for _ in 0..8 {
        apis.push(login(&sim).await);
    }
    assert_eq!(sim.live_access_tokens(), 8);
    let r = login_body(&sim, sim.client_id(), sim.client_secret()).await;
    assert_eq!(r["errcode"], 60002, "cap reached: {r}");
    apis[0].get("del_token", &[]).await;
    let r = login_body(&sim, sim.client_id(), sim.client_secret()).await;
    assert_eq!(r["errcode"], 0);
    // Expiry frees the slots too.
    sim.clock().advance(Duration::from_secs(1800));
    assert_eq!(sim.live_access_tokens(), 0);
    assert_eq!(
        login_body(&sim, sim.client_id(), sim.client_secret()).await["errcode"],
        0
    );
}

#[tokio::test]
async fn five_failed_logins_block_the_ip_until_cleared() {
    let sim = sim().await;
    let api = login(&sim).await;
    for i in 0..5 {
        let r = login_body(&sim, sim.client_id(), "bad").await;
        assert_eq!(r["errcode"], -1, "attempt {i}");
    }
    let r = login_body(&sim, sim.client_id(), sim.client_secret()).await;
    assert_eq!(r, json!({"errcode": 70004, "errmsg": "ACCOUNT IP BLOCKED"}));
    assert_eq!(api.get("extension/list", &[]).await["errcode"], 70004);
    let ip: IpAddr = [127, 0, 0, 1].into();
    assert_eq!(sim.blocked_ips(), vec![ip]);
    assert!(sim.unblock_ip(ip));
    assert_eq!(api.get("extension/list", &[]).await["errcode"], 0);
    assert_eq!(
        login_body(&sim, sim.client_id(), sim.client_secret()).await["errcode"],
        0
    );
}

#[tokio::test]
async fn allow_list_miss_is_ip_forbidden() {
    let sim = sim_with(|s| s.ip_allow_list = vec![[192, 0, 2, 1].into()]).await;
    let r = login_body(&sim, sim.client_id(), sim.client_secret()).await;
    assert_eq!(r, json!({"errcode": 70087, "errmsg": "IP FORBIDDEN"}));
}

#[tokio::test]
async fn requests_are_counted_per_endpoint() {
    let sim = sim().await;
    let api = login(&sim).await;
    api.get("extension/list", &[]).await;
    api.get("extension/list", &[]).await;
    assert_eq!(sim.request_count("v1.0/extension/list"), 2);
    assert_eq!(sim.request_count("v1.0/get_token"), 1);
}
