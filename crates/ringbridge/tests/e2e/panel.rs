//! The agent panel's live feed against the whole system: a simulated call
//! from a known contact reaches the signed-in agent's stream with the
//! matched CRM record.

use std::time::Duration;

use ringbridge::world::World;
use ringbridge_sim_zoho::Module;
use serde_json::json;

use crate::support::*;

/// Signs agent `username` at `extension` in (a bearer token) and opens
/// their live feed.
async fn agent_stream(w: &World, username: &str, extension: &str) -> reqwest::Response {
    let token = agent(w, username, extension).await;
    let stream = reqwest::Client::new()
        .get(format!("{}/api/calls/stream", w.http_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    stream
}

/// The feed's first event in `state`.
async fn first_event(stream: &mut reqwest::Response, state: &str) -> serde_json::Value {
    let mut seen = String::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let chunk = stream
                .chunk()
                .await
                .unwrap()
                .expect("the stream stays open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(event) = seen
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .filter_map(|d| serde_json::from_str::<serde_json::Value>(d.trim()).ok())
                .find(|e| e["state"] == state)
            {
                return event;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("a {state} event"))
}

#[tokio::test]
async fn a_call_from_a_known_contact_pops_for_the_ringing_agent() {
    let w = world().await;
    let mut stream = agent_stream(&w, "maya", "1005").await;
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;
    let ringing = first_event(&mut stream, "ringing").await;
    assert_eq!(ringing["extension"], "1005");
    assert_eq!(ringing["record"]["name"], "Ana Pereira");
    assert_eq!(ringing["record"]["module"], "Contacts");
    assert_eq!(ringing["record"]["matches"], 1);
    assert!(
        ringing["record"]["url"]
            .as_str()
            .unwrap()
            .contains(&record_id(
                &w,
                ringbridge_sim_zoho::Module::Contacts,
                "Pereira"
            ))
    );
    w.stop().await;
}

/// A number on several records: the pop names the record the log will
/// (the agent's own before a newer one) and says it is one of several,
/// so the extension offers the chooser instead of opening it.
#[tokio::test]
async fn the_pop_names_the_record_the_call_log_names() {
    let w = world().await;
    let maya = user_id(&w, "maya@corp.test");
    let mine = w
        .zoho_sim
        .insert_record(
            Module::Contacts,
            json!({"First_Name": "Shared", "Last_Name": "Mayas", "Phone": "+1 415 555 0150", "Owner": {"id": maya}}),
        )
        .unwrap();
    w.zoho_sim.advance(Duration::from_secs(60));
    let newer = w
        .zoho_sim
        .insert_record(
            Module::Contacts,
            json!({"First_Name": "Shared", "Last_Name": "Newer", "Phone": "415.555.0150"}),
        )
        .unwrap();
    w.directory.sync().await.unwrap();
    let mut stream = agent_stream(&w, "maya", "1005").await;
    let call = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550150"), ("agent", "1005")],
    )
    .await;
    let ringing = first_event(&mut stream, "ringing").await;
    settle(&w, 1).await;
    let logged = call_for(&crm_calls(&w), &call[0])["Who_Id"]["id"].clone();
    assert_eq!(logged, mine.as_str(), "the log: Maya's own record");
    let popped = ringing["record"]["url"].as_str().unwrap_or_default();
    assert!(
        popped.ends_with(&mine) && !popped.ends_with(&newer),
        "the pop names the logged record: {ringing}"
    );
    assert_eq!(ringing["record"]["matches"], 2, "{ringing}");
    w.stop().await;
}
