//! Built-in scenarios: 30011 sequences, 30012 and CDR rows (reworked module, the default).

use ringbridge_sim_yeastar::{SimYeastar, builtin};
use serde_json::Value;

use crate::support::*;

pub const TOPICS: &[u32] = &[30011, 30012, 30013, 30014, 30015, 30025, 30026, 30029];

/// Plays a built-in scenario while a WebSocket listens; returns call ids and the events.
pub async fn run(sim: &SimYeastar, name: &str, cdrs: usize) -> (Vec<String>, Vec<(u64, Value)>) {
    let api = login(sim).await;
    let mut ws = ws(sim, &api.token).await;
    subscribe(&mut ws, TOPICS).await;
    let ids = sim
        .play(&builtin(name).expect("builtin"))
        .await
        .expect("played");
    let events = events_until_cdrs(&mut ws, cdrs).await;
    (ids, events)
}

/// CDR rows (v1.0 `cdr/list`) of one call.
pub async fn cdr_rows(sim: &SimYeastar, call_id: &str) -> Vec<Value> {
    let api = login(sim).await;
    let r = api.get("cdr/list", &[]).await;
    assert_eq!(r["errcode"], 0);
    r["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|row| row["call_id"] == call_id)
        .cloned()
        .collect()
}

fn v(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| strs(r)).collect()
}

#[tokio::test]
async fn inbound_answered() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "inbound_answered", 1).await;
    assert_eq!(ids, vec!["1767258000.1".to_owned()]);
    let id = &ids[0];
    assert_eq!(
        frames(&ev, id),
        v(&[
            &["inbound:5550199:ALERT", "extension:1005:RING"],
            &["inbound:5550199:ANSWERED", "extension:1005:ANSWER"],
            &["inbound:5550199:ANSWERED", "extension:1005:HOLD"],
            &["inbound:5550199:ANSWERED", "extension:1005:ANSWER"],
            &["inbound:5550199:BYE", "extension:1005:ANSWER"],
            &["extension:1005:BYE"],
        ])
    );
    let first = &ev[0].1["members"];
    let inbound = &first[0]["inbound"];
    assert_eq!(inbound["to"], "8800");
    assert_eq!(inbound["trunk_name"], "CarrierA");
    assert!(
        inbound["channel_id"]
            .as_str()
            .expect("ch")
            .starts_with("PJSIP/trunk-CarrierA-endpoint-")
    );
    assert!(
        first[1]["extension"]["channel_id"]
            .as_str()
            .expect("ch")
            .starts_with("PJSIP/1005-")
    );
    assert_eq!(first[1]["extension"]["call_path"], "");
    // 30012 is last, after the final BYE.
    let (t, cdr) = ev.last().expect("events");
    assert_eq!(*t, 30012);
    assert_eq!(cdr["call_id"], *id);
    assert_eq!(cdr["time_start"], "2026-01-01 09:00:00");
    assert_eq!(cdr["call_from"], "5550199");
    assert_eq!(cdr["call_to"], "1005");
    assert_eq!(cdr["call_duration"], 75);
    assert_eq!(cdr["talk_duration"], 62);
    assert_eq!(cdr["status"], "ANSWERED");
    assert_eq!(cdr["type"], "Inbound");
    assert_eq!(cdr["src_trunk_name"], "CarrierA");
    assert_eq!(cdr["dst_trunk_name"], "");
    assert_eq!(cdr["did_number"], "8800");
    assert_eq!(
        cdr["recording"],
        "20260101090000-1767258000.1-5550199-1005-Inbound.wav"
    );
    let rows = cdr_rows(&sim, id).await;
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["time"], "01/01/2026 09:00:00 AM");
    assert_eq!(r["timestamp"], 1_767_258_000);
    assert_eq!(r["call_to"], "Maya Ortiz<1005>");
    assert_eq!(
        (
            r["duration"].as_i64(),
            r["ring_duration"].as_i64(),
            r["talk_duration"].as_i64()
        ),
        (Some(75), Some(13), Some(62))
    );
    assert_eq!(r["disposition"], "ANSWERED");
    assert_eq!(r["record_file"], cdr["recording"]);
    assert!(r["new_id"].is_string() && r.get("id").is_none());
}

#[tokio::test]
async fn inbound_missed() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "inbound_missed", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["inbound:5550142:ALERT", "extension:1006:RING"],
            &["inbound:5550142:ALERT", "extension:1006:BYE"],
            &["inbound:5550142:BYE"],
        ])
    );
    let cdr = &of_type(&ev, 30012)[0];
    assert_eq!(
        (cdr["status"].as_str(), cdr["talk_duration"].as_i64()),
        (Some("NO ANSWER"), Some(0))
    );
    assert_eq!(cdr["recording"], "");
    let rows = cdr_rows(&sim, &ids[0]).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].get("talk_duration").is_none(), "absent, not 0");
    assert!(rows[0].get("record_file").is_none());
    assert_eq!(rows[0]["ring_duration"], 25);
    assert_eq!(rows[0]["disposition"], "NO ANSWER");
    assert!(sim.recordings().is_empty());
}

#[tokio::test]
async fn ring_group_answered_by_one_agent() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "ring_group_answered", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &[
                "inbound:5550177:ALERT",
                "extension:1005:RING",
                "extension:1006:RING",
                "extension:1007:RING"
            ],
            &[
                "inbound:5550177:ANSWERED",
                "extension:1005:BYE",
                "extension:1006:ANSWER",
                "extension:1007:BYE"
            ],
            &["inbound:5550177:ANSWERED", "extension:1006:BYE"],
            &["inbound:5550177:BYE"],
        ])
    );
    for m in ev[0].1["members"].as_array().expect("m").iter().skip(1) {
        assert_eq!(m["extension"]["call_path"], "6300");
    }
    assert_eq!(of_type(&ev, 30012)[0]["call_to"], "1006");
    let rows = cdr_rows(&sim, &ids[0]).await;
    let to: Vec<&str> = rows
        .iter()
        .map(|r| r["call_to"].as_str().expect("to"))
        .collect();
    assert_eq!(to, vec!["RingGroup Sales<6300>", "Omar Haddad<1006>"]);
    assert!(rows.iter().all(|r| r["uid"] == rows[0]["uid"]));
    assert_ne!(rows[0]["new_id"], rows[1]["new_id"]);
    assert!(rows[0].get("record_file").is_none());
    assert!(rows[1]["record_file"].is_string());
}

#[tokio::test]
async fn ring_group_answered_by_none() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "ring_group_unanswered", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &[
                "inbound:5550166:ALERT",
                "extension:1005:RING",
                "extension:1006:RING",
                "extension:1007:RING"
            ],
            &[
                "inbound:5550166:ALERT",
                "extension:1005:BYE",
                "extension:1006:BYE",
                "extension:1007:BYE"
            ],
            &["inbound:5550166:BYE"],
        ])
    );
    let rows = cdr_rows(&sim, &ids[0]).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["call_to"], "RingGroup Sales<6300>");
    assert_eq!(rows[0]["disposition"], "NO ANSWER");
}

#[tokio::test]
async fn queue_answered_by_one_agent() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "queue_answered", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &[
                "inbound:5550155:ALERT",
                "extension:1002:RING",
                "extension:1003:RING",
                "extension:1004:RING"
            ],
            &[
                "inbound:5550155:ANSWERED",
                "extension:1002:BYE",
                "extension:1003:ANSWER",
                "extension:1004:BYE"
            ],
            &["inbound:5550155:ANSWERED", "extension:1003:BYE"],
            &["inbound:5550155:BYE"],
        ])
    );
    assert_eq!(ev[0].1["members"][2]["extension"]["call_path"], "6400");
    let cdr = &of_type(&ev, 30012)[0];
    assert_eq!(cdr["agent_ring_time"], 7);
    assert_eq!(cdr["talk_duration"], 95);
    let rows = cdr_rows(&sim, &ids[0]).await;
    assert_eq!(rows.len(), 2, "queue leg + agent leg");
    assert_eq!(rows[0]["call_to"], "Queue CC_Team<6400>");
    assert_eq!(rows[1]["call_to_number"], "1003");
    assert_eq!(rows[0]["talk_duration"], 95);
    assert_eq!(rows[1]["talk_duration"], 95);
}

#[tokio::test]
async fn queue_answered_by_none_times_out_agents_and_auto_pauses() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "queue_unanswered", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &[
                "inbound:5550133:ALERT",
                "extension:1002:RING",
                "extension:1003:RING",
                "extension:1004:RING"
            ],
            &[
                "inbound:5550133:ALERT",
                "extension:1002:BYE",
                "extension:1003:RING",
                "extension:1004:RING"
            ],
            &[
                "inbound:5550133:ALERT",
                "extension:1003:BYE",
                "extension:1004:RING"
            ],
            &["inbound:5550133:ALERT", "extension:1004:BYE"],
            &["inbound:5550133:BYE"],
        ])
    );
    let timeouts = of_type(&ev, 30026);
    assert_eq!(timeouts.len(), 3);
    assert_eq!(timeouts[0]["queue_number"], "6400");
    assert_eq!(timeouts[0]["agent_number"], "1002");
    assert_eq!(timeouts[0]["caller_number"], "5550133");
    assert_eq!(timeouts[0]["call_id"], ids[0]);
    assert!(of_type(&ev, 30025).is_empty());
    let api = login(&sim).await;
    let v2 = api.get_v("v2.0", "cdr/list", &[]).await;
    assert_eq!(v2["data"][0]["last_status"], "ABANDONED");
    // Two more misses per agent → auto pause (30025 + 30029).
    let (_, ev2) = run(&sim, "queue_unanswered", 1).await;
    assert!(of_type(&ev2, 30025).is_empty());
    let (ids3, ev3) = run(&sim, "queue_unanswered", 1).await;
    let pauses = of_type(&ev3, 30025);
    assert_eq!(pauses.len(), 3);
    assert_eq!(pauses[0]["agent_number"], "1002");
    assert_eq!(pauses[0]["calls"].as_array().map(Vec::len), Some(3));
    assert_eq!(pauses[0]["calls"][2]["call_id"], ids3[0]);
    assert_eq!(of_type(&ev3, 30029)[0]["status"], "Paused");
}

#[tokio::test]
async fn outbound_answered() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "outbound_answered", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["extension:1004:ALERT", "outbound:5550111:EARLYMEDIA"],
            &["extension:1004:ANSWERED", "outbound:5550111:ANSWER"],
            &["extension:1004:BYE", "outbound:5550111:ANSWER"],
            &["outbound:5550111:BYE"],
        ])
    );
    let cdr = &of_type(&ev, 30012)[0];
    assert_eq!(
        (cdr["type"].as_str(), cdr["dst_trunk_name"].as_str()),
        (Some("Outbound"), Some("CarrierA"))
    );
    let rows = cdr_rows(&sim, &ids[0]).await;
    assert_eq!(rows[0]["call_from"], "Dana Kim<1004>");
    assert_eq!(rows[0]["call_to"], "5550111");
    assert_eq!(rows[0]["dst_trunk"], "CarrierA");
    assert_eq!(rows[0]["dod_number"], "8800");
    assert_eq!(rows[0]["src_addr"], "192.0.2.114:5060");
}

#[tokio::test]
async fn outbound_unanswered_and_unmonitored_trunk() {
    let sim = sim().await;
    let (ids, ev) = run(&sim, "outbound_unanswered", 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[
            &["extension:1007:ALERT", "outbound:5550122:RING"],
            &["extension:1007:BYE", "outbound:5550122:RING"],
            &["outbound:5550122:BYE"],
        ])
    );
    assert_eq!(of_type(&ev, 30012)[0]["status"], "NO ANSWER");
    // Without the trunk's Call Status Monitor only the extension member shows.
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, TOPICS).await;
    let s = builtin("outbound_unanswered")
        .expect("b")
        .with_param("trunk", "CarrierB")
        .expect("p");
    let ids = sim.play(&s).await.expect("played");
    let ev = events_until_cdrs(&mut socket, 1).await;
    assert_eq!(
        frames(&ev, &ids[0]),
        v(&[&["extension:1007:ALERT"], &["extension:1007:BYE"]])
    );
    assert_eq!(of_type(&ev, 30012)[0]["dst_trunk_name"], "CarrierB");
}
