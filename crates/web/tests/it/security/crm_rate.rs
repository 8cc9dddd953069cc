//! Issue 12, per-agent limits: one agent's session or token cannot spend
//! the organisation's CRM credits without bound — beyond
//! `crm_requests_per_minute` look-ups and record creations answer 429 with
//! Retry-After, for that agent only.

use reqwest::StatusCode;
use ringbridge_web::guard::GuardConfig;

use super::fast_config;
use crate::console::start_with;

#[tokio::test]
async fn an_agent_flooding_crm_lookups_gets_429_and_others_do_not() {
    let app = start_with(ringbridge_web::auth::WebConfig {
        guard: GuardConfig {
            crm_requests_per_minute: 3,
            ..GuardConfig::default()
        },
        ..fast_config()
    })
    .await;
    let admin = app.admin().await;
    let agent = app.agent(&admin).await;
    let lookup = "/api/lookup?number=%2B15550100";
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let answer = agent
            .get(format!("{}{lookup}", app.url))
            .send()
            .await
            .unwrap();
        statuses.push(answer.status());
        last = Some(answer);
    }
    // No engine here: the allowed ones reach the handler (503).
    assert_eq!(
        statuses,
        [
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
        ]
    );
    let last = last.unwrap();
    let wait: u64 = last.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: serde_json::Value = last.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    // Another account has its own allowance.
    let other = app.get(&admin, lookup).await;
    assert_eq!(other.status, StatusCode::SERVICE_UNAVAILABLE);
}
