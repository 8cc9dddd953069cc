//! Fault injection on both listeners.

use std::time::Duration;

use reqwest::StatusCode;
use ringbridge_sim_zoho::{Fault, FaultRule, FaultTarget, SimConfig};

use crate::{ALL, H, assert_error};

#[tokio::test]
async fn next_n_requests_fail_then_recover() {
    let h = H::new().await;
    h.sim.inject_fault(FaultRule::next(2, Fault::InternalError));
    assert_error(&h.get("/crm/v8/org").await, 500, "INTERNAL_ERROR");
    assert_error(&h.get("/crm/v8/org").await, 500, "INTERNAL_ERROR");
    assert_eq!(h.get("/crm/v8/org").await.status, StatusCode::OK);
    h.sim
        .inject_fault(FaultRule::next(1, Fault::TooManyRequests));
    assert_error(&h.get("/crm/v8/users").await, 429, "TOO_MANY_REQUESTS");
    assert_eq!(h.get("/crm/v8/users").await.status, StatusCode::OK);
    assert_eq!(h.sim.request_count("GET", "/crm/v8/org"), 3);
}

async fn pattern(seed: u64) -> Vec<u16> {
    let h = H::new().await;
    h.sim
        .inject_fault(FaultRule::rate(50, seed, Fault::InternalError));
    let mut out = Vec::new();
    for _ in 0..20 {
        out.push(h.get("/crm/v8/org").await.status.as_u16());
    }
    out
}

#[tokio::test]
async fn seeded_rate_is_reproducible() {
    let a = pattern(7).await;
    assert_eq!(a, pattern(7).await);
    let failures = a.iter().filter(|s| **s == 500).count();
    assert!((3..=17).contains(&failures), "{failures} of 20");
}

#[tokio::test]
async fn hang_outlasts_client_timeout() {
    let h = H::with(SimConfig {
        hang_duration: Duration::from_secs(5),
        ..SimConfig::default()
    })
    .await;
    h.sim.inject_fault(FaultRule::next(1, Fault::Hang));
    let err = h
        .req(reqwest::Method::GET, "/crm/v8/org")
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout());
    assert_eq!(h.get("/crm/v8/org").await.status, StatusCode::OK);
}

#[tokio::test]
async fn accounts_faults_and_forced_expiry() {
    let h = H::new().await;
    let t = h.sim.issue_tokens(ALL);
    h.sim.inject_fault(
        FaultRule::next(1, Fault::InternalError)
            .on(FaultTarget::Accounts)
            .path_prefix("/oauth/v2/token"),
    );
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", h.sim.client_id()),
        ("client_secret", h.sim.client_secret()),
        ("refresh_token", t.refresh_token.as_str()),
    ];
    assert_eq!(
        h.token_call(&form).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // API requests were not affected by an accounts-only rule.
    assert_eq!(h.get("/crm/v8/org").await.status, StatusCode::OK);
    h.sim.expire_access_tokens();
    assert_error(&h.get("/crm/v8/org").await, 401, "INVALID_TOKEN");
    let fresh = h.token_call(&form).await;
    let at = fresh.body["access_token"].as_str().expect("token");
    let r = h
        .send(h.req_as(at, reqwest::Method::GET, "/crm/v8/org"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Every request was recorded with its body.
    let reqs = h.sim.requests();
    let last_token = reqs
        .iter()
        .rev()
        .find(|r| r.path == "/oauth/v2/token")
        .expect("recorded");
    assert_eq!(last_token.params()["grant_type"], "refresh_token");
    assert_eq!(last_token.method, "POST");
}

fn one_call() -> serde_json::Value {
    serde_json::json!({"data": [{"Subject": "Call", "Call_Type": "Inbound",
        "Call_Start_Time": "2025-03-10T14:05:12+01:00", "Call_Duration": "04:35"}]})
}

#[tokio::test]
async fn an_exact_share_fails_and_takes_the_kinds_in_turn() {
    let h = H::new().await;
    h.sim.inject_fault(FaultRule::share(
        1,
        3,
        &[Fault::TooManyRequests, Fault::InternalError],
    ));
    let mut statuses = Vec::new();
    for _ in 0..9 {
        statuses.push(h.get("/crm/v8/org").await.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 200, 200, 500, 200, 200, 429]);
    let injected = h.sim.injected_faults();
    assert_eq!(injected.get("too_many_requests"), Some(&2));
    assert_eq!(injected.get("internal_error"), Some(&1));
    assert_eq!(injected.values().sum::<u64>(), 3);
}

#[tokio::test]
async fn a_method_rule_spares_other_methods() {
    let h = H::new().await;
    h.sim.inject_fault(
        FaultRule::next(1, Fault::InternalError)
            .method("post")
            .path_prefix("/crm/v8/Calls"),
    );
    // No calls yet: 204, not the injected 500.
    assert_eq!(
        h.get("/crm/v8/Calls?fields=Subject").await.status,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &h.post_json("/crm/v8/Calls", &one_call()).await,
        500,
        "INTERNAL_ERROR",
    );
    assert_eq!(
        h.post_json("/crm/v8/Calls", &one_call()).await.status,
        StatusCode::CREATED
    );
    assert_eq!(h.sim.calls().len(), 1);
}

#[tokio::test]
async fn an_applied_write_whose_connection_drops_is_stored() {
    let h = H::new().await;
    h.sim
        .inject_fault(FaultRule::next(1, Fault::ApplyThenDrop).method("POST"));
    let outcome = match h
        .req(reqwest::Method::POST, "/crm/v8/Calls")
        .json(&one_call())
        .send()
        .await
    {
        Ok(resp) => resp.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    let err = outcome.expect_err("the answer is lost");
    assert!(!err.is_connect(), "the request reached the server: {err}");
    assert_eq!(h.sim.calls().len(), 1, "but the insert happened");
    assert_eq!(h.sim.injected_faults().get("apply_then_drop"), Some(&1));
}

#[tokio::test]
async fn an_applied_write_that_hangs_is_stored_before_the_client_gives_up() {
    let h = H::with(SimConfig {
        hang_duration: Duration::from_secs(5),
        ..SimConfig::default()
    })
    .await;
    h.sim
        .inject_fault(FaultRule::next(1, Fault::ApplyThenHang).method("POST"));
    let err = h
        .req(reqwest::Method::POST, "/crm/v8/Calls")
        .json(&one_call())
        .timeout(Duration::from_millis(400))
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout());
    assert_eq!(h.sim.calls().len(), 1);
    assert_eq!(h.sim.injected_faults().get("apply_then_hang"), Some(&1));
}

#[tokio::test]
async fn a_write_refused_before_it_ran_is_answered_and_not_counted_as_lost() {
    let h = H::new().await;
    h.sim
        .inject_fault(FaultRule::next(1, Fault::ApplyThenDrop).method("POST"));
    h.sim.expire_access_tokens();
    let r = h.post_json("/crm/v8/Calls", &one_call()).await;
    assert_error(&r, 401, "INVALID_TOKEN");
    assert!(h.sim.calls().is_empty());
    assert_eq!(h.sim.injected_faults().get("apply_then_drop"), None);
}
