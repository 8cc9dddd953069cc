//! Agents act only on their own calls: relating a call's CRM log to a record
//! needs the call to have been at the agent's extension and the number to
//! be the call's own; every attempt is audited.

use ringbridge::world::World;
use ringbridge_core::audit::AuditStore;
use serde_json::{Value, json};

use crate::support::*;

async fn create_lead(w: &World, token: &str, number: &str, call_id: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/records", w.http_url))
        .bearer_auth(token)
        .json(&json!({
            "module": "Leads", "last_name": "Intruder", "number": number, "call_id": call_id,
        }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_agent_cannot_relink_another_agents_call_or_give_it_another_number() {
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let ben = agent(&w, "ben", "1006").await;
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550177"), ("agent", "1005")],
    )
    .await;
    settle(&w, 1).await;
    let before = call_for(&crm_calls(&w), &ids[0]).clone();

    // Ben never had this call; Maya had it, but not with this number.
    let (status, body) = create_lead(&w, &ben, "+14155550177", &ids[0]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "not_your_call");
    let (status, _) = create_lead(&w, &maya, "+14155550999", &ids[0]).await;
    assert_eq!(status, 403);
    let unchanged = call_for(&crm_calls(&w), &ids[0]).clone();
    assert_eq!(unchanged["What_Id"], before["What_Id"]);
    assert_eq!(unchanged["Who_Id"], before["Who_Id"]);

    // Maya, with the call's own number, relates it to her new Lead.
    let (status, body) = create_lead(&w, &maya, "+1 415 555 0177", &ids[0]).await;
    assert_eq!(status, 201, "{body}");
    let lead = body["record"]["id"].as_str().unwrap().to_owned();
    let relinked = call_for(&crm_calls(&w), &ids[0]).clone();
    assert_eq!(relinked["What_Id"]["id"], lead.as_str());

    let audit = w.store.recent(50).await.unwrap();
    let key = format!("pbx:{}", ids[0]);
    let relinks: Vec<_> = audit
        .iter()
        .filter(|e| e.key == key && e.action.starts_with("relink by "))
        .map(|e| (e.action.as_str(), e.outcome.is_ok()))
        .collect();
    assert_eq!(relinks.len(), 3, "{audit:#?}");
    assert!(relinks.contains(&("relink by ben", false)));
    assert!(relinks.contains(&("relink by maya", false)));
    assert!(relinks.contains(&("relink by maya", true)));
    w.stop().await;
}
