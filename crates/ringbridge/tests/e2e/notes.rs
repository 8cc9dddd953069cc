//! Issue 16, call notes: the agent who handled a call adds a note and a call
//! result after its log is written; the same Calls record in the CRM then
//! carries both (one record). Another agent's note for it is refused.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

async fn post_note(
    w: &ringbridge::world::World,
    token: &str,
    call_id: &str,
    body: Value,
) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/calls/{call_id}/note", w.http_url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// The call's one Calls record, once `done` says it is as expected.
async fn log_when(
    w: &ringbridge::world::World,
    call_id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..200 {
        let calls = crm_calls(w);
        let log = call_for(&calls, call_id).clone();
        if done(&log) {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the log of {call_id} never changed: {:#?}", crm_calls(w));
}

#[tokio::test]
async fn the_handling_agents_note_and_result_land_in_the_calls_record() {
    let w = world().await;
    let maya = agent(&w, "maya", "1005").await;
    let omar = agent(&w, "omar", "1006").await;
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550171"), ("agent", "1005")],
    )
    .await;
    settle(&w, 1).await;
    let before = call_for(&crm_calls(&w), &ids[0]).clone();

    // The attack: an agent who did not handle the call writes into its log.
    let (status, body) = post_note(&w, &omar, &ids[0], json!({"text": "not mine"})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "not_your_call");
    // A result the org's picklist lacks would make Zoho refuse the update.
    let (status, body) = post_note(
        &w,
        &maya,
        &ids[0],
        json!({"text": "x", "result": "Made up"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "bad_result");

    let note = "Wants a quote for 12 seats <b>by Friday</b>";
    let (status, body) = post_note(
        &w,
        &maya,
        &ids[0],
        json!({"text": note, "result": "Interested"}),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let log = log_when(&w, &ids[0], |l| l["Call_Result"] == "Interested").await;
    let description = log["Description"].as_str().unwrap();
    assert!(description.contains(note), "{description}");
    assert!(
        description.contains(
            before["Description"]
                .as_str()
                .unwrap()
                .lines()
                .next()
                .unwrap()
        ),
        "the log's own text stays: {description}"
    );
    assert_eq!(log["id"], before["id"], "the same record, updated");
    assert!(
        !description.contains("not mine"),
        "the refused note never landed"
    );
    w.stop().await;
}

#[tokio::test]
async fn in_phonebridge_mode_the_note_lands_in_the_calls_record_zoho_wrote() {
    use crate::phonebridge::{logs_for, notified, pb_world};
    let w = pb_world().await;
    let maya = agent(&w, "maya", "1005").await;
    let ids = play(
        &w,
        "inbound_answered",
        &[("caller", "4155550172"), ("agent", "1005")],
    )
    .await;
    notified(&w, &ids[0]).await;
    let (status, body) = post_note(
        &w,
        &maya,
        &ids[0],
        json!({"text": "Booked a demo", "result": "Interested"}),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    for _ in 0..200 {
        let logs = logs_for(&w, &ids[0]);
        assert_eq!(logs.len(), 1, "Zoho's one record: {logs:#?}");
        if logs[0]["Call_Result"] == "Interested" {
            let description = logs[0]["Description"].as_str().unwrap();
            assert!(
                description.starts_with("\u{270E} Booked a demo"),
                "{description}"
            );
            w.stop().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the note never reached Zoho's log: {:#?}",
        logs_for(&w, &ids[0])
    );
}
