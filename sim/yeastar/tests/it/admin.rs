//! The `/_sim/` admin endpoints over HTTP: playing scenarios on demand, setting and reading
//! faults, and who may use them.

use std::time::Duration;

use ringbridge_sim_yeastar::SimYeastar;
use serde_json::{Value, json};
use tokio_tungstenite::connect_async;

use crate::support::*;

async fn post(sim: &SimYeastar, path: &str, body: &str) -> (u16, Value) {
    let resp = http()
        .post(sim.admin_url(path))
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json answer"))
}

async fn get(sim: &SimYeastar, path: &str) -> Value {
    let resp = http()
        .get(sim.admin_url(path))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

/// Polls `GET /_sim/plays` until play `id` has ended.
async fn ended(sim: &SimYeastar, id: u64) -> Value {
    for _ in 0..200 {
        let plays = get(sim, "plays").await;
        let play = plays["plays"]
            .as_array()
            .and_then(|l| l.iter().find(|p| p["id"] == id).cloned())
            .expect("listed");
        if play["state"] != "running" {
            return play;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("play {id} did not end");
}

const CLOCKED: &str = r#"
name = "clocked"
start_at = 2026-06-01T10:00:00+02:00
[params]
caller = "5550142"
[[calls]]
id = "main"
from = { kind = "external", number = "{caller}" }
to = { kind = "extension", number = "1003" }
[[steps]]
do = "ring"
[[steps]]
do = "wait"
secs = 5
[[steps]]
do = "answer"
[[steps]]
do = "wait"
secs = 20
[[steps]]
do = "hangup"
"#;

#[tokio::test]
async fn a_builtin_is_played_by_name_with_parameters() {
    let sim = sim().await;
    let (status, done) = post(&sim, "play?wait=true&caller=5550111", "inbound_missed").await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "done");
    assert_eq!(done["scenario"], "inbound_missed");
    let ids = done["call_ids"].as_array().expect("ids");
    assert_eq!(ids.len(), 1);
    let records = sim.call_records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].call_id, ids[0].as_str().expect("id"));
    assert_eq!(records[0].from_number, "5550111");
}

#[tokio::test]
async fn a_toml_scenario_starts_at_its_time_and_plays_in_the_background() {
    let sim = sim().await;
    let (status, started) = post(&sim, "play", CLOCKED).await;
    assert_eq!(status, 202, "{started}");
    assert_eq!(started["state"], "running");
    assert_eq!(started["labels"], json!(["main"]));
    assert_eq!(started["start_at"], "2026-06-01T10:00:00+02:00");
    let done = ended(&sim, started["id"].as_u64().expect("id")).await;
    assert_eq!(done["state"], "done", "{done}");
    let record = &sim.call_records()[0];
    assert_eq!(record.started_at, 1_780_300_800, "2026-06-01 08:00 UTC");
    assert_eq!(record.talk_duration(), 20);
}

#[tokio::test]
async fn several_scenarios_play_in_one_process() {
    let sim = sim().await;
    let json_scenario = json!({
        "name": "json_internal",
        "calls": [{"id": "c", "from": {"kind": "extension", "number": "1001"},
                   "to": {"kind": "extension", "number": "1002"}}],
        "steps": [{"do": "ring"}, {"do": "answer"}, {"do": "wait", "secs": 3}, {"do": "hangup"}]
    })
    .to_string();
    let (a, b, c) = tokio::join!(
        post(&sim, "play?wait=1&caller=5550001", "inbound_answered"),
        post(&sim, "play?wait=1", &json_scenario),
        post(&sim, "play?wait=1&caller=5550002", "queue_unanswered"),
    );
    for (status, play) in [a, b, c] {
        assert_eq!(
            (status, play["state"].clone()),
            (200, json!("done")),
            "{play}"
        );
    }
    assert_eq!(sim.call_records().len(), 3);
    assert_eq!(
        get(&sim, "plays").await["plays"].as_array().map(Vec::len),
        Some(3)
    );
}

#[tokio::test]
async fn bad_scenarios_are_refused_with_the_reason() {
    let sim = sim().await;
    let (status, e) = post(&sim, "play", "name = \"x\"\n[[calls]]\nid = 1\n").await;
    assert_eq!(status, 400);
    assert!(e["error"].as_str().expect("text").contains("line 3"), "{e}");
    let (status, e) = post(&sim, "play", "no_such_scenario").await;
    assert_eq!(status, 400);
    assert!(
        e["error"]
            .as_str()
            .expect("text")
            .contains("inbound_answered"),
        "{e}"
    );
    let (status, e) = post(&sim, "play?callr=1", "inbound_missed").await;
    assert_eq!(status, 400);
    assert!(e["error"].as_str().expect("text").contains("callr"), "{e}");
    assert!(sim.call_records().is_empty(), "nothing was played");
    // Parses, but the company has no extension 999: the play fails at its first step.
    let missing = r#"
name = "m"
[[calls]]
id = "a"
from = { kind = "external", number = "1" }
to = { kind = "extension", number = "999" }
[[steps]]
do = "ring"
"#;
    let (status, play) = post(&sim, "play?wait=true", missing).await;
    assert_eq!(
        (status, play["state"].as_str()),
        (422, Some("failed")),
        "{play}"
    );
    assert!(
        play["error"].as_str().expect("reason").contains("999"),
        "{play}"
    );
}

#[tokio::test]
async fn websockets_are_refused_for_the_time_set_and_then_accepted() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut open = ws(&sim, &api.token).await;
    let (status, report) = post(&sim, "faults", r#"{"do": "drop_websockets", "secs": 30}"#).await;
    assert_eq!(status, 200, "{report}");
    assert!((29..=30).contains(&report["ws_refused_secs"].as_u64().expect("secs")));
    assert_eq!(
        next_text(&mut open).await,
        None,
        "the open socket was dropped"
    );
    let url = format!("{}?access_token={}", sim.ws_url(), api.token);
    let refused = connect_async(url.as_str()).await.expect_err("refused");
    assert!(refused.to_string().contains("503"), "{refused}");
    assert_eq!(
        get(&sim, "faults").await["ws_refused_secs"]
            .as_u64()
            .map(|s| s > 0),
        Some(true)
    );
    // A TOML body ends the refusal.
    let (status, report) = post(&sim, "faults", "do = \"refuse_websockets\"\nsecs = 0").await;
    assert_eq!((status, report["ws_refused_secs"].as_u64()), (200, Some(0)));
    ws(&sim, &api.token).await;
}

#[tokio::test]
async fn expired_tokens_fail_rest_calls_and_push_10004_on_the_socket() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, &[30011]).await;
    let (_, report) = post(&sim, "faults", r#"[{"do": "expire_tokens"}]"#).await;
    assert_eq!(report["live_access_tokens"], 0);
    let push: Value =
        serde_json::from_str(&next_text(&mut socket).await.expect("push")).expect("json");
    assert_eq!(push["errcode"], 10004);
    assert_eq!(api.get("extension/list", &[]).await["errcode"], 10004);
    // The refresh token still works, as after a natural expiry.
    let renewed = raw_post(
        &api.base,
        "refresh_token",
        &json!({"refresh_token": api.refresh}),
    )
    .await;
    assert_eq!(renewed["errcode"], 0, "{renewed}");
}

#[tokio::test]
async fn delayed_cdrs_appear_late_with_their_30012() {
    let sim = sim().await;
    let api = login(&sim).await;
    let mut socket = ws(&sim, &api.token).await;
    subscribe(&mut socket, &[30012]).await;
    let (_, report) = post(&sim, "faults", r#"{"do": "delay_cdrs", "secs": 1}"#).await;
    assert_eq!(report["cdr_delay_secs"], 1);
    let (_, done) = post(&sim, "play?wait=true", "inbound_missed").await;
    let call_id = done["call_ids"][0].as_str().expect("id").to_owned();
    assert!(sim.call_records().is_empty(), "held back at first");
    assert_eq!(get(&sim, "faults").await["cdrs_pending"], 1);
    assert_eq!(api.get("cdr/list", &[]).await["total_number"], 0);
    let (_, msg, _) = decode(&next_text(&mut socket).await.expect("30012 within 5 s"));
    assert_eq!(msg["call_id"], call_id.as_str());
    assert_eq!(sim.call_records().len(), 1);
    let rows = api.get("cdr/list", &[]).await["total_number"].as_u64();
    assert!(rows.is_some_and(|n| n > 0), "rows now: {rows:?}");
}

async fn admin_status(sim: &SimYeastar, headers: &[(&str, &str)]) -> u16 {
    let mut request = http().get(sim.admin_url("faults"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.expect("request").status().as_u16()
}

#[tokio::test]
async fn with_an_admin_token_the_bearer_is_required() {
    let sim = sim_with(|s| s.admin_token = Some("rehearse-7f3a".into())).await;
    assert_eq!(admin_status(&sim, &[]).await, 401);
    assert_eq!(
        admin_status(&sim, &[("authorization", "Bearer wrong")]).await,
        401
    );
    let ok = [("authorization", "Bearer rehearse-7f3a")];
    assert_eq!(admin_status(&sim, &ok).await, 200);
    // The vendor's paths do not take the admin token, nor does it open them.
    let r = http()
        .get(format!("{}/openapi/v1.0/extension/list", sim.base_url()))
        .header("authorization", "Bearer rehearse-7f3a")
        .send()
        .await
        .expect("request");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["errcode"], 10004);
}

#[tokio::test]
async fn without_a_token_browsers_of_other_sites_are_refused() {
    let sim = sim().await;
    assert_eq!(admin_status(&sim, &[]).await, 200, "loopback client");
    let cross_site = [("origin", "https://attacker.test")];
    assert_eq!(admin_status(&sim, &cross_site).await, 403);
    // DNS rebinding: a name resolving to 127.0.0.1 arrives as the Host header.
    let port = sim.addr().port().to_string();
    let rebound = format!("rebind.attacker.test:{port}");
    assert_eq!(admin_status(&sim, &[("host", rebound.as_str())]).await, 403);
    let resp = http()
        .post(sim.admin_url("play"))
        .header("origin", "https://attacker.test")
        .body("inbound_missed")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 403);
    assert!(sim.call_records().is_empty() && sim.live_calls().is_empty());
}
