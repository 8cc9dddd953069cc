//! An agent creating a record from the panel in an org with unique and
//! mandatory fields: a duplicate is the existing record (said so, related to
//! the call, nothing new), a missing mandatory field is named.

use ringbridge::world::World;
use ringbridge_core::settings::UnknownNumberAction;
use ringbridge_sim_zoho::Module;
use serde_json::{Value, json};

use crate::support::*;

/// Unknown callers get no record by themselves: the agent creates it.
async fn without_auto_create() -> World {
    let mut o = options();
    o.settings.unknown_inbound = UnknownNumberAction::Nothing;
    World::start(o).await.expect("world starts")
}

async fn create_lead(w: &World, token: &str, number: &str, call_id: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/records", w.http_url))
        .bearer_auth(token)
        .json(&json!({
            "module": "Leads", "last_name": "New Caller", "number": number, "call_id": call_id,
        }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_lead_the_crm_already_has_is_used_and_the_agent_is_told() {
    let w = without_auto_create().await;
    let maya = agent(&w, "maya", "1005").await;
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550178"), ("agent", "1005")],
    )
    .await;
    settle(&w, 1).await;
    // Added in Zoho after the call was logged; unique on Phone.
    let existing = w
        .zoho_sim
        .insert_record(
            Module::Leads,
            json!({"Last_Name": "Known Lead", "Company": "Lead Co", "Phone": "+14155550178"}),
        )
        .expect("seeded lead");
    w.zoho_sim.set_unique_fields(Module::Leads, &["Phone"]);
    let leads_before = w.zoho_sim.records(Module::Leads).len();

    let (status, body) = create_lead(&w, &maya, "4155550178", &ids[0]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["existed"], true, "{body}");
    assert_eq!(body["record"]["id"], existing.as_str(), "{body}");
    assert_eq!(body["link"], "updated", "{body}");
    assert_eq!(w.zoho_sim.records(Module::Leads).len(), leads_before);
    let log = call_for(&crm_calls(&w), &ids[0]).clone();
    assert_eq!(log["What_Id"]["id"], existing.as_str());
    w.stop().await;
}

#[tokio::test]
async fn a_mandatory_field_the_panel_does_not_ask_for_is_named() {
    let w = without_auto_create().await;
    let maya = agent(&w, "maya", "1005").await;
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550179"), ("agent", "1005")],
    )
    .await;
    settle(&w, 1).await;
    w.zoho_sim
        .set_mandatory_fields(Module::Leads, &["Company", "Lead_Source"]);

    let (status, body) = create_lead(&w, &maya, "4155550179", &ids[0]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "required_field");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("field Lead_Source"), "{message}");
    assert!(
        message.contains("[engine.create_defaults.Leads]"),
        "{message}"
    );
    w.stop().await;
}
