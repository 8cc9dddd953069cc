//! The agent panel's live feed against the whole system: a simulated call
//! from a known contact reaches the signed-in agent's stream with the
//! matched CRM record.

use std::time::Duration;

use crate::support::*;

#[tokio::test]
async fn a_call_from_a_known_contact_pops_for_the_ringing_agent() {
    let w = world().await;
    let token = agent(&w, "maya", "1005").await;

    let mut stream = reqwest::Client::new()
        .get(format!("{}/api/calls/stream", w.http_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    play(
        &w,
        "inbound_answered",
        &[("caller", "4155550123"), ("agent", "1005")],
    )
    .await;

    let mut seen = String::new();
    let ringing = tokio::time::timeout(Duration::from_secs(20), async {
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
                .find(|e| e["state"] == "ringing")
            {
                return event;
            }
        }
    })
    .await
    .expect("a ringing event");
    assert_eq!(ringing["extension"], "1005");
    assert_eq!(ringing["record"]["name"], "Ana Pereira");
    assert_eq!(ringing["record"]["module"], "Contacts");
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
