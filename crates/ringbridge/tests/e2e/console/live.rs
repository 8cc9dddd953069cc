//! A user pair saved in the console takes effect for the next call without
//! a new generation: no new PBX or Zoho token, the running engine takes it.

use reqwest::StatusCode;
use ringbridge_sim_yeastar::SimYeastar;
use serde_json::Value;

use super::{connected_with_admin, eventually};

/// Token requests the PBX has seen: every generation logs in afresh.
fn pbx_logins(pbx: &SimYeastar) -> u64 {
    pbx.request_counts()
        .iter()
        .filter(|(endpoint, _)| endpoint.contains("token"))
        .map(|(_, n)| n)
        .sum()
}

async fn call_from(pbx: &SimYeastar, caller: &str) -> String {
    let scenario = ringbridge_sim_yeastar::builtin("inbound_answered")
        .expect("scenario")
        .with_param("caller", caller)
        .expect("caller");
    pbx.play(&scenario).await.expect("played").remove(0)
}

fn owner_of(calls: &[Value], call_id: &str) -> String {
    let marker = format!(":{call_id}");
    calls
        .iter()
        .find(|c| {
            c["Description"]
                .as_str()
                .unwrap_or_default()
                .contains(&marker)
        })
        .map(|c| c["Owner"]["id"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_pair_saved_in_the_console_owns_the_next_call_without_a_restart() {
    let (pbx, zoho, mut rb) = connected_with_admin().await;
    let (maya, omar) = (
        zoho.user_id("maya@corp.test").expect("Maya"),
        zoho.user_id("omar@corp.test").expect("Omar"),
    );
    // 1005 is Maya's by e-mail.
    let first = call_from(&pbx, "4155550123").await;
    eventually("the first call logged", async || {
        owner_of(&zoho.calls(), &first) == maya
    })
    .await;
    let (logins, tokens) = (
        pbx_logins(&pbx),
        zoho.request_count("POST", "/oauth/v2/token"),
    );
    assert!(
        logins >= 1 && tokens >= 1,
        "the generation logged in to both"
    );

    let saved = rb
        .post(
            "/console/users",
            &[("extension", "1005"), ("crm_user_id", omar.as_str())],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let second = call_from(&pbx, "4155550123").await;
    eventually("the next call logged", async || {
        !owner_of(&zoho.calls(), &second).is_empty()
    })
    .await;
    assert_eq!(
        owner_of(&zoho.calls(), &second),
        omar,
        "the pair took effect"
    );
    assert_eq!(
        pbx_logins(&pbx),
        logins,
        "no new generation logged in to the PBX"
    );
    assert_eq!(
        zoho.request_count("POST", "/oauth/v2/token"),
        tokens,
        "no new Zoho token"
    );
    rb.shut_down().await;
}
