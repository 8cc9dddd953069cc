//! Console saves restart the integration, but not Zoho's token count: one
//! access token per grant is kept (encrypted, in the database) across
//! generations and minted again only near expiry. When Zoho's token
//! endpoint throttles anyway, the service says so and until when.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::Value;

use super::{Ringbridge, demo_simulators, eventually, settings_form, start_connected};

const TOKEN_PATH: &str = "/oauth/v2/token";

async fn readyz_crm(rb: &Ringbridge) -> String {
    let body: Value = Client::new()
        .get(format!("{}/readyz", rb.url))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("JSON");
    body["crm"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_console_saves_cost_at_most_one_token_request() {
    let (pbx, zoho, refresh) = demo_simulators().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let mut rb = start_connected(&pbx, &zoho, listener, &refresh).await;
    rb.create_admin().await;
    rb.links_up().await;
    let first = zoho.request_count("POST", TOKEN_PATH);
    assert!(first >= 1, "the first start mints the grant's token");
    for save in 0..20 {
        let min_talk = save.to_string();
        let saved = rb
            .post(
                "/console/settings",
                &settings_form(&[("min_talk_s", min_talk.as_str()), ("owner", "last_talker")]),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        // The old generation answered; the new one asks Zoho for the
        // extensions' users as it starts.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        rb.links_up().await;
    }
    let minted = zoho.request_count("POST", TOKEN_PATH) - first;
    assert!(minted <= 1, "20 saves minted {minted} access tokens");
    assert_eq!(readyz_crm(&rb).await, "ok");

    // The CRM still takes calls.
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", "4155550123")
        .expect("caller");
    pbx.play(&scenario).await.expect("played");
    eventually("the call logged in Zoho", async || !zoho.calls().is_empty()).await;
    rb.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_token_endpoint_is_reported_with_its_end() {
    let (pbx, zoho, refresh) = demo_simulators().await;
    // Someone else used up the grant's tokens of these 10 minutes.
    let accounts = Client::new();
    let mut refused = false;
    for _ in 0..12 {
        let minted = accounts
            .post(format!("{}{TOKEN_PATH}", zoho.accounts_url()))
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", zoho.client_id()),
                ("client_secret", zoho.client_secret()),
                ("refresh_token", refresh.as_str()),
            ])
            .send()
            .await
            .expect("a token request");
        refused |= minted.status() != StatusCode::OK;
    }
    assert!(refused, "the simulator throttles after 10 tokens");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let mut rb = start_connected(&pbx, &zoho, listener, &refresh).await;
    rb.create_admin().await;
    // A call makes the engine need the CRM.
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", "4155550123")
        .expect("caller");
    pbx.play(&scenario).await.expect("played");
    eventually("readyz says the CRM is throttled", async || {
        readyz_crm(&rb).await.starts_with("CRM throttled until ")
    })
    .await;
    let said = readyz_crm(&rb).await;
    let until = said
        .trim_start_matches("CRM throttled until ")
        .trim_end_matches(" UTC");
    assert!(
        chrono::NaiveTime::parse_from_str(until, "%H:%M").is_ok(),
        "{said}"
    );
    let dashboard = rb.get("/console").await.body;
    assert!(dashboard.contains(&said), "{dashboard}");
    rb.shut_down().await;
}
