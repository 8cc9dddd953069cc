//! Extension endpoints.

use serde_json::json;

use crate::scenarios::TOPICS;
use crate::support::*;

#[tokio::test]
async fn list_rows_follow_ext_basicinfo() {
    let sim = sim().await;
    let api = login(&sim).await;
    let r = api.get("extension/list", &[]).await;
    assert_eq!(r["total_number"], 8);
    let maya = r["data"]
        .as_array()
        .expect("d")
        .iter()
        .find(|e| e["number"] == "1005")
        .cloned()
        .expect("1005");
    assert_eq!(maya["id"], 112);
    assert_eq!(maya["caller_id_name"], "Maya Ortiz");
    assert_eq!(maya["email_addr"], "maya@corp.test");
    assert_eq!(maya["presence_status"], "available");
    assert_eq!(maya["online_status"]["sip_phone"]["status"], 1);
    let bare = r["data"]
        .as_array()
        .expect("d")
        .iter()
        .find(|e| e["number"] == "1008")
        .cloned()
        .expect("1008");
    assert_eq!(
        bare["caller_id_name"], "1008",
        "unset name shows the number"
    );
    assert!(bare.get("email_addr").is_none(), "absent when empty");
    assert!(bare.get("mobile_number").is_none());
    let page = api
        .get(
            "extension/list",
            &[
                ("page", "2"),
                ("page_size", "3"),
                ("sort_by", "number"),
                ("order_by", "desc"),
            ],
        )
        .await;
    let numbers: Vec<&str> = page["data"]
        .as_array()
        .expect("d")
        .iter()
        .map(|e| e["number"].as_str().expect("n"))
        .collect();
    assert_eq!(numbers, vec!["1005", "1004", "1003"]);
}

#[tokio::test]
async fn search_get_and_query() {
    let sim = sim().await;
    let api = login(&sim).await;
    let r = api
        .get("extension/search", &[("search_value", "maya@corp")])
        .await;
    assert_eq!(r["total_number"], 1);
    assert_eq!(r["data"][0]["number"], "1005");
    assert_eq!(
        api.get("extension/get", &[("id", "112")]).await["data"]["number"],
        "1005"
    );
    assert_eq!(
        api.get("extension/get", &[("id", "1")]).await["errcode"],
        60001
    );
    assert_eq!(
        api.get("extension/get", &[("id", "abc")]).await["errcode"],
        40002
    );
    let q = api.get("extension/query", &[("id", "101,112,999")]).await;
    assert_eq!(q["total_number"], 2);
}

#[tokio::test]
async fn presence_update_emits_30009() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, &[30009]).await;
    let r = api
        .post(
            "extension/update",
            &json!({"id": 112, "presence_status": "off_work"}),
        )
        .await;
    assert_eq!(r["errcode"], 0);
    let (t, msg, string_encoded) = decode(&next_text(&mut socket).await.expect("event"));
    assert_eq!((t, string_encoded), (30009, true));
    assert_eq!(msg, json!({"extension": "1005", "status": "off_work"}));
    assert_eq!(
        api.get("extension/get", &[("id", "112")]).await["data"]["presence_status"],
        "off_work"
    );
    let bad = api
        .post(
            "extension/update",
            &json!({"id": 112, "presence_status": "asleep"}),
        )
        .await;
    assert_eq!(bad["errcode"], 40002);
}

#[tokio::test]
async fn call_state_events_track_extensions() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    let mut topics = TOPICS.to_vec();
    topics.push(30008);
    subscribe(&mut socket, &topics).await;
    sim.play_builtin("internal").await.expect("played");
    let ev = events_until_cdrs(&mut socket, 1).await;
    let states: Vec<String> = of_type(&ev, 30008)
        .iter()
        .map(|m| {
            format!(
                "{}:{}",
                m["extension"].as_str().expect("e"),
                m["status"].as_str().expect("s")
            )
        })
        .collect();
    assert_eq!(
        states,
        strs(&[
            "1004:Busy",
            "1005:Ringing",
            "1005:Busy",
            "1005:Idle",
            "1004:Idle"
        ])
    );
}
