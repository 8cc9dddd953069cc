//! Credits over the rolling 24 h window and (sub-)concurrency limits.

use std::time::Duration;

use reqwest::StatusCode;
use ringbridge_sim_zoho::{Edition, Fault, FaultRule};
use serde_json::{Value, json};

use crate::{H, assert_error};

#[tokio::test]
async fn credits_exhaust_then_recover_after_24h() {
    let h = H::new().await;
    h.sim.set_edition(Edition::Free);
    assert_eq!(h.sim.credits_limit(), 5_000);
    h.sim.consume_credits(4_999);
    assert_eq!(h.get("/crm/v8/org").await.status, StatusCode::OK);
    assert_eq!(h.sim.credits_used(), 5_000);
    let r = h.get("/crm/v8/org").await;
    assert_error(&r, 429, "TOO_MANY_REQUESTS");
    // Refused calls cost nothing; the window rolls.
    assert_eq!(h.sim.credits_used(), 5_000);
    h.sim.advance(Duration::from_secs(24 * 3600));
    // The old access token has long expired too.
    assert_error(&h.get("/crm/v8/org").await, 401, "INVALID_TOKEN");
    let fresh = h.sim.issue_tokens(crate::ALL).access_token;
    let r = h
        .send(h.req_as(&fresh, reqwest::Method::GET, "/crm/v8/org"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(h.sim.credits_used(), 1);
}

#[tokio::test]
async fn write_costs_one_credit_per_ten_records() {
    let h = H::new().await;
    let before = h.sim.credits_used();
    let data: Vec<Value> = (0..25)
        .map(|i| json!({"Last_Name": format!("L{i}"), "Company": "C"}))
        .collect();
    let r = h.post_json("/crm/v8/Leads", &json!({"data": data})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(h.sim.credits_used() - before, 3);
    // Editions differ in budget.
    h.sim.set_edition(Edition::Standard);
    assert_eq!(h.sim.credits_limit(), 52_500);
}

async fn burst(h: &H, n: usize, path: &'static str, body: Option<Value>) -> Vec<u16> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let req = match &body {
            Some(b) => h.req(reqwest::Method::POST, path).json(b),
            None => h.req(reqwest::Method::GET, path),
        };
        tasks.push(tokio::spawn(async move {
            req.send().await.map(|r| r.status().as_u16())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("join").expect("response"));
    }
    out.sort_unstable();
    out
}

#[tokio::test]
async fn concurrency_limit_per_edition() {
    let h = H::new().await;
    h.sim.set_edition(Edition::Free);
    h.sim
        .inject_fault(FaultRule::next(6, Fault::Slow(Duration::from_millis(600))));
    let statuses = burst(&h, 6, "/crm/v8/org", None).await;
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
}

#[tokio::test]
async fn sub_concurrency_for_heavy_calls() {
    let h = H::new().await; // Enterprise: 20 concurrent, heavy calls 10
    h.sim.inject_fault(
        FaultRule::next(11, Fault::Slow(Duration::from_millis(600))).path_prefix("/crm/v8/coql"),
    );
    let q = json!({"select_query": "select Last_Name from Contacts limit 1"});
    let statuses = burst(&h, 11, "/crm/v8/coql", Some(q)).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10);
    assert_eq!(statuses.last(), Some(&429));
}
