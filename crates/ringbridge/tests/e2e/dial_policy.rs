//! Toll fraud (issue 12): click-to-call from the panel or the browser
//! extension (`POST /api/dial`) to a number the dial policy refuses gets a
//! 403 saying why, in the agent's language; nothing reaches the PBX, and
//! the audit trail keeps the attempt.

use ringbridge::world::World;
use ringbridge_core::audit::AuditStore;
use serde_json::{Value, json};

use crate::support::*;

async fn dial(w: &World, token: &str, number: &str, lang: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/dial", w.http_url))
        .bearer_auth(token)
        .header("Accept-Language", lang)
        .json(&json!({ "number": number }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_panel_refuses_a_premium_rate_number_and_says_why() {
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;

    let (status, body) = dial(&w, &maya, "+1 900 234 5678", "en").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "dial_number_type_blocked");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("premium-rate"), "{message}");
    assert!(message.contains("+19002345678"), "{message}");

    let (status, body) = dial(&w, &maya, "1-900-234-5678", "zh-CN,zh;q=0.9").await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("高额付费"),
        "{body}"
    );

    // Abroad is refused too: the PBX's country is the US.
    let (status, body) = dial(&w, &maya, "+44 20 7946 0000", "en").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "dial_country_not_allowed");
    assert!(w.pbx_sim.dial_requests().is_empty(), "nothing was dialled");

    let audit = w.store.recent(50).await.unwrap();
    let refused: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "dial by maya")
        .collect();
    assert_eq!(refused.len(), 3, "{audit:#?}");
    assert!(
        refused
            .iter()
            .all(|e| !e.outcome.is_ok() && e.key == "dial:1005")
    );

    // A domestic number and an extension still dial.
    for number in ["+1 415 555 0123", "1006"] {
        let (status, body) = dial(&w, &maya, number, "en").await;
        assert_eq!(status, 202, "{number}: {body}");
    }
    assert_eq!(w.pbx_sim.dial_requests().len(), 2);
    w.stop().await;
}
